/*
 * report.h — reports over a claimcheck database: flagged claims, most
 * check-worthy first, rendered as text (colour on a TTY), Markdown, CSV or
 * JSON. The queries use the views of reports/views.sql.
 */
#ifndef CLAIMCHECK_REPORT_H
#define CLAIMCHECK_REPORT_H

#include <sqlite3.h>
#include <stdio.h>

typedef enum report_format { REPORT_TEXT, REPORT_MD, REPORT_CSV, REPORT_JSON } report_format;

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

#endif
