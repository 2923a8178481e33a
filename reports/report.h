/*
 * report.h — reports over a claimcheck database: flagged claims, most
 * check-worthy first, rendered as text (colour on a TTY), Markdown, CSV,
 * JSON or a self-contained HTML page. The queries use the views of
 * reports/views.sql.
 */
#ifndef CLAIMCHECK_REPORT_H
#define CLAIMCHECK_REPORT_H

#include <sqlite3.h>
#include <stdio.h>

typedef enum report_format {
	REPORT_TEXT, REPORT_MD, REPORT_CSV, REPORT_JSON, REPORT_HTML
} report_format;

typedef struct report_options {
	report_format format;
	int color;              /* text only */
	const char *category;   /* only claims with a tag of this category, or NULL */
	double min_score;       /* minimum check-worthiness */
	const char *document;   /* only this document (key, path or id substring), or NULL */
	long limit;             /* 0 = all */
} report_options;

/* Write the flagged-claims report; returns 0, or -1 with a message on
 * stderr (bad database, failed write). */
int report_claims(sqlite3 *db, const report_options *o, FILE *out);

/* Write the HTML report (html.c): one self-contained page (no external
 * assets, no network) holding the claims selected by o (ranked as above),
 * the summaries of the documents, the per-rule counts, and the text of
 * every document with a claim; the page filters, searches and pages on
 * the client. report_claims calls it for REPORT_HTML. Returns 0, or -1
 * with a message on stderr. */
int report_html(sqlite3 *db, const report_options *o, FILE *out);

#endif
