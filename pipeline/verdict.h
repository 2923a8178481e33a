/*
 * verdict.h — reviewers' verdicts on flagged claims: claim ids, setting,
 * undoing and merging verdicts, CSV/JSONL import and export, and the review
 * queue (flagged claims, most check-worthy first, with their verdicts).
 *
 * A verdict lives in the verdicts table (pipeline/schema.sql), keyed by
 * content: doc_hash (documents.text_hash), start, end (byte span in the
 * normalized text) and rule. A verdict on a claim, i.e. on a whole
 * sentence, has the sentence's span and rule ''; a verdict on one rule's
 * tag has the tag's span and the rule id. Runs never touch the table, so
 * verdicts survive re-runs, rule changes and merges.
 *
 * Claim ids, as users type them:
 *   HASH@START        the stable id: the first 8 hex digits of the
 *                     document's text hash (more digits are accepted, at
 *                     least 6), '@', and the sentence's start byte, e.g.
 *                     "3f9a0c12@118". It stays the same across re-runs and
 *                     databases as long as the text and its sentence
 *                     boundaries do.
 *   KEY:N  or  ID:N   the document key as the text report prints it (or the
 *                     documents.id number) and the sentence number: valid
 *                     in the database that printed it.
 *   ...the id + "/RULE" targets the tags of that rule in the sentence
 *                     (one verdict per tag span) instead of the sentence.
 *
 * Ownership: verdict_row strings, targets and queues are owned by the struct and
 * freed by their _free function (NULL-safe, leaves the struct empty).
 * Functions that take a sqlite3 handle need a claimcheck database (schema
 * version >= 1); writers need it opened read-write.
 */
#ifndef CLAIMCHECK_VERDICT_H
#define CLAIMCHECK_VERDICT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

typedef enum verdict_value {
	VERDICT_NONE = 0,       /* no verdict (no row) */
	VERDICT_CONFIRMED,      /* the flag is right: the claim needs checking */
	VERDICT_FALSE_POSITIVE, /* the flag is wrong */
	VERDICT_UNSURE,
	VERDICT_CLEAR           /* as an action: remove the verdict */
} verdict_value;

/* Parse a verdict name: confirmed (or confirm, c), false_positive (or
 * false-positive, fp, f), unsure (or u), clear (or none). Case-insensitive.
 * Returns 0, or -1 if s names no verdict. */
int verdict_parse(const char *s, verdict_value *out);
/* "confirmed", "false_positive", "unsure", "clear"; "" for VERDICT_NONE. */
const char *verdict_name(verdict_value v);

/* Append the stable claim id for a span of the document with this text
 * hash: "HASH8@START", plus "/RULE" when rule is non-empty. */
void verdict_claim_id(strbuf *out, const char *doc_hash, int64_t start, const char *rule);

/* Rule ids in verdicts are shorter than this (longer ones are refused). */
#define VERDICT_RULE_MAX 128

/* A verdict's key; rule is "" for a sentence verdict. */
typedef struct verdict_key {
	char doc_hash[65];
	int64_t start, end;
	char rule[VERDICT_RULE_MAX];
} verdict_key;

/* A verdicts row. note and reviewer may be NULL; created and updated are
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC), or "" where not known. */
typedef struct verdict_row {
	verdict_key key;
	verdict_value verdict;
	char *note, *reviewer;
	char created[21], updated[21];
} verdict_row;

void verdict_row_free(verdict_row *r);

/* What a claim id names: the sentence (doc_id, sentence number, and its
 * key with rule '') or, for "ID/RULE", the keys of that rule's tags. */
typedef struct verdict_target {
	int64_t doc_id;
	long sentence;
	char doc_hash[65];
	int64_t start, end;        /* the sentence */
	VEC(verdict_key) keys;     /* the verdict keys this id names (>= 1) */
} verdict_target;

void verdict_target_free(verdict_target *t);

/* Resolve a claim id (see above) against the database. Returns 0 with
 * t filled, or -1 with err set: malformed id, no such claim, an ambiguous
 * hash prefix (the message says how to disambiguate), a rule with no tag in
 * that sentence, or an SQL error. */
int verdict_resolve(sqlite3 *db, const char *id, verdict_target *t, cc_error *err);

/* The row with this key: 1 and *out filled (caller frees), 0 if none,
 * -1 with err set on an SQL error. */
int verdict_get(sqlite3 *db, const verdict_key *k, verdict_row *out, cc_error *err);

/* Record a verdict now: insert, or update the existing row (keeping its
 * created time). The note is replaced when set_note (NULL or "" clears it),
 * else kept; reviewer NULL keeps the row's reviewer. VERDICT_CLEAR deletes
 * the row. Returns 0, or -1 with err set. */
int verdict_set(sqlite3 *db, const verdict_key *k, verdict_value v, int set_note,
		const char *note, const char *reviewer, cc_error *err);

/* Put a row back exactly as it was (prev), or delete the key's row when
 * prev is NULL: undo. Returns 0, or -1 with err set. */
int verdict_restore(sqlite3 *db, const verdict_key *k, const verdict_row *prev, cc_error *err);

/* What verdict_merge did. */
typedef enum verdict_merge_result {
	VERDICT_MERGE_INSERTED, VERDICT_MERGE_UPDATED, VERDICT_MERGE_DELETED,
	VERDICT_MERGE_UNCHANGED
} verdict_merge_result;

/* Merge one row into the table by key: a new key is inserted; an existing
 * row is replaced only when r->updated is later than its own (created
 * becomes the earlier of the two) and the verdict, note or reviewer differ;
 * otherwise nothing changes. A row with VERDICT_CLEAR deletes an older
 * row. An empty updated means now, and such a row also wins a tie (the same
 * second); an empty created means updated. Returns 0 with *res set, or -1
 * with err set. */
int verdict_merge(sqlite3 *db, const verdict_row *r, verdict_merge_result *res, cc_error *err);

/* ---- import and export ------------------------------------------------ */

typedef enum verdict_format { VERDICT_CSV, VERDICT_JSONL } verdict_format;

/* "csv" or "jsonl" (also "json", "ndjson"). Returns 0 or -1. */
int verdict_format_parse(const char *s, verdict_format *out);
/* By the file name's extension (.csv; .jsonl, .json, .ndjson). Returns 0,
 * or -1 when the extension says nothing. */
int verdict_format_from_name(const char *path, verdict_format *out);

/* Write every verdict, ordered by key, as CSV (a header row, RFC 4180,
 * CRLF) or JSONL (one object per line). Fields: id (the claim id),
 * doc_hash, start, end, rule, verdict, note, reviewer, created, updated,
 * and for reading doc_key and text (the span's text) from a document with
 * that text hash in this database (empty / null when there is none).
 * Returns the number of rows written, or -1 with err set (SQL or write
 * error). */
long verdict_export(sqlite3 *db, FILE *out, verdict_format f, cc_error *err);

typedef struct verdict_import_stats {
	long rows, inserted, updated, deleted, unchanged, failed;
	long unmatched; /* merged rows whose claim or tag is not in this database */
} verdict_import_stats;

/* Read verdicts (the export's format; CSV needs a header row naming its
 * columns, in any order; unknown columns are ignored) and merge each row
 * (verdict_merge). A row needs verdict and either doc_hash, start, end
 * (and rule, default '') or an id that resolves in this database; note,
 * reviewer, created and updated are optional. A bad row is reported in d
 * as "name:LINE: error: message" and skipped. Everything is merged in one
 * transaction. Returns 0 (check st->failed), or -1 with a diagnostic in d
 * when the input cannot be read or the database fails (nothing merged). */
int verdict_import(sqlite3 *db, FILE *in, const char *name, verdict_format f,
		   verdict_import_stats *st, diags *d);

/* ---- the review queue ------------------------------------------------- */

typedef struct verdict_filter {
	double min_score;     /* check-worthiness >= min_score */
	const char *category; /* only sentences with a tag of this category, or NULL */
	const char *document; /* only documents whose key, path or ext_id contains it, or NULL */
} verdict_filter;

typedef struct verdict_claim {
	int64_t doc_id;
	long sentence;
	int64_t start, end;
	double checkworthy, uncertainty;
	char doc_hash[65];
	verdict_value verdict; /* of the sentence (rule '') */
} verdict_claim;

/* Flagged claims in the report's order (check-worthiness, then
 * uncertainty, descending; then document key and sentence number). */
typedef struct verdict_queue {
	VEC(verdict_claim) items;
} verdict_queue;

/* Load the queue (replacing its items). Returns 0, or -1 with err set. */
int verdict_queue_load(sqlite3 *db, const verdict_filter *f, verdict_queue *q, cc_error *err);
/* The index of the first claim at or after `from` without a verdict, or
 * q->items.n when there is none: where a review resumes (from = 0). */
size_t verdict_queue_next(const verdict_queue *q, size_t from);
void verdict_queue_free(verdict_queue *q);

/* The key of a queued claim's sentence verdict (rule ''). */
void verdict_claim_key(const verdict_claim *c, verdict_key *k);

/* The time now as "YYYY-MM-DDTHH:MM:SSZ". */
void verdict_now(char out[21]);

#endif
