/*
 * verdict.c — reviewers' verdicts.
 *
 * Reads: claim ids typed by people, CSV/JSONL verdict files, and the
 * database (documents, sentences, tags, verdicts). Adds: rows in the
 * verdicts table (set, undo, merge by key with the newer `updated`
 * winning), verdict files, and the review queue. Claim ids and the key
 * mapping are described in verdict.h and doc/review.md.
 */
#include "config.h"
#include "verdict.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ID_HASH_DIGITS 8
#define ID_HASH_MIN 6

/* ---- names, ids and times --------------------------------------------- */

static const struct {
	const char *name;
	verdict_value v;
} verdict_names[] = {
	{"confirmed", VERDICT_CONFIRMED}, {"confirm", VERDICT_CONFIRMED}, {"c", VERDICT_CONFIRMED},
	{"false_positive", VERDICT_FALSE_POSITIVE}, {"false-positive", VERDICT_FALSE_POSITIVE},
	{"fp", VERDICT_FALSE_POSITIVE}, {"f", VERDICT_FALSE_POSITIVE},
	{"unsure", VERDICT_UNSURE}, {"u", VERDICT_UNSURE},
	{"clear", VERDICT_CLEAR}, {"none", VERDICT_CLEAR},
};

int verdict_parse(const char *s, verdict_value *out)
{
	if (!s) return -1;
	for (size_t i = 0; i < sizeof verdict_names / sizeof verdict_names[0]; i++)
		if (strcasecmp(s, verdict_names[i].name) == 0) {
			*out = verdict_names[i].v;
			return 0;
		}
	return -1;
}

const char *verdict_name(verdict_value v)
{
	switch (v) {
	case VERDICT_CONFIRMED: return "confirmed";
	case VERDICT_FALSE_POSITIVE: return "false_positive";
	case VERDICT_UNSURE: return "unsure";
	case VERDICT_CLEAR: return "clear";
	case VERDICT_NONE: break;
	}
	return "";
}

/* The stored name (as the table's CHECK allows) back to a value. */
static verdict_value stored_verdict(const unsigned char *s)
{
	verdict_value v;
	if (!s || verdict_parse((const char *)s, &v) < 0 || v == VERDICT_CLEAR) return VERDICT_NONE;
	return v;
}

void verdict_claim_id(strbuf *out, const char *doc_hash, int64_t start, const char *rule)
{
	strbuf_append(out, doc_hash, strnlen(doc_hash, ID_HASH_DIGITS));
	strbuf_printf(out, "@%lld", (long long)start);
	if (rule && *rule) strbuf_printf(out, "/%s", rule);
}

void verdict_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "YYYY-MM-DDTHH:MM:SSZ" with digits where digits belong. */
static int valid_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof shape - 1) return 0;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) return 0;
	}
	return 1;
}

static int valid_hash(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max) return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return 0;
	return 1;
}

static int valid_rule(const char *s)
{
	size_t n = strlen(s);
	if (n >= VERDICT_RULE_MAX) return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i])) return 0;
	return 1;
}

void verdict_row_free(verdict_row *r)
{
	if (!r) return;
	free(r->note);
	free(r->reviewer);
	memset(r, 0, sizeof *r);
}

void verdict_target_free(verdict_target *t)
{
	if (!t) return;
	VEC_FREE(&t->keys);
	memset(t, 0, sizeof *t);
}

void verdict_claim_key(const verdict_claim *c, verdict_key *k)
{
	memset(k, 0, sizeof *k);
	memcpy(k->doc_hash, c->doc_hash, sizeof k->doc_hash);
	k->start = c->start;
	k->end = c->end;
}

/* ---- SQL helpers --------------------------------------------------------- */

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, cc_error *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
	cc_error_set(err, -1, "cannot query the database: %s", sqlite3_errmsg(db));
	*st = NULL;
	return -1;
}

static int sql_fail(sqlite3 *db, cc_error *err, const char *what)
{
	cc_error_set(err, -1, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static void bind_key(sqlite3_stmt *st, const verdict_key *k)
{
	sqlite3_bind_text(st, 1, k->doc_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, k->start);
	sqlite3_bind_int64(st, 3, k->end);
	sqlite3_bind_text(st, 4, k->rule, -1, SQLITE_STATIC);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static void col_time(sqlite3_stmt *st, int i, char out[21])
{
	const unsigned char *s = sqlite3_column_text(st, i);
	snprintf(out, 21, "%s", s ? (const char *)s : "");
}

/* ---- resolving claim ids -------------------------------------------------- */

static const char sql_by_hash[] =
	"SELECT d.text_hash, s.start, s.\"end\", d.id, s.idx"
	" FROM documents d JOIN sentences s ON s.doc_id = d.id"
	" WHERE d.text_hash >= ?1 AND d.text_hash < ?1 || 'g'"
	" AND s.start <= ?2 AND ?2 < s.\"end\""
	" ORDER BY d.text_hash, d.id LIMIT 64";

static const char sql_by_key[] =
	"SELECT d.text_hash, s.start, s.\"end\", d.id, s.idx"
	" FROM documents d JOIN sentences s ON s.doc_id = d.id"
	" WHERE d.key = ?1 AND s.idx = ?2";

static const char sql_by_id[] =
	"SELECT d.text_hash, s.start, s.\"end\", d.id, s.idx"
	" FROM documents d JOIN sentences s ON s.doc_id = d.id"
	" WHERE d.id = ?1 AND s.idx = ?2";

static const char sql_rule_tags[] =
	"SELECT DISTINCT start, \"end\" FROM tags"
	" WHERE doc_id = ?1 AND sentence = ?2 AND rule = ?3 ORDER BY start, \"end\"";

/* Digits only, as a number (at most 18 digits); -1 otherwise. */
static long long parse_num(const char *s, size_t n)
{
	if (n == 0 || n > 18) return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Step a sentence query; fills t from its first row. Returns 1 found, 0
 * none, -1 error. For the hash form, rows with a second distinct text hash
 * make the id ambiguous (-2). */
static int fetch_sentence(sqlite3 *db, sqlite3_stmt *st, verdict_target *t, int check_ambiguous,
			  cc_error *err)
{
	int rc, found = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		if (!h) continue;
		if (!found) {
			snprintf(t->doc_hash, sizeof t->doc_hash, "%s", h);
			t->start = sqlite3_column_int64(st, 1);
			t->end = sqlite3_column_int64(st, 2);
			t->doc_id = sqlite3_column_int64(st, 3);
			t->sentence = (long)sqlite3_column_int64(st, 4);
			found = 1;
			if (!check_ambiguous) break;
		} else if (strcmp(h, t->doc_hash) != 0) {
			cc_error_set(err, -1, "ambiguous: documents %.12s... and %.12s... both match;"
				     " give more digits of the hash", t->doc_hash, h);
			return -2;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_fail(db, err, "cannot look up the claim");
	return found;
}

int verdict_resolve(sqlite3 *db, const char *id, verdict_target *t, cc_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *rule = NULL;
	size_t rule_len = 0;
	int found = -1;
	char hash[65];

	cc_error_clear(err);
	memset(t, 0, sizeof *t);

	const char *at = strchr(id, '@');
	size_t hlen = at ? (size_t)(at - id) : 0;
	int hash_form = 0;
	if (at && hlen >= ID_HASH_MIN && hlen <= 64) {
		hash_form = 1;
		for (size_t i = 0; i < hlen && hash_form; i++)
			hash_form = isxdigit((unsigned char)id[i]) != 0;
	}

	const char *num, *numend;
	if (hash_form) {
		for (size_t i = 0; i < hlen; i++) hash[i] = (char)tolower((unsigned char)id[i]);
		hash[hlen] = '\0';
		num = at + 1;
	} else {
		const char *colon = strrchr(id, ':');
		if (!colon || colon == id) {
			cc_error_set(err, -1, "'%s' is not a claim id (HASH@START, e.g. 3f9a0c12@118,"
				     " or DOCUMENT:SENTENCE as the report prints it)", id);
			return -1;
		}
		num = colon + 1;
	}
	numend = num + strcspn(num, "/");
	if (*numend == '/') {
		rule = numend + 1;
		rule_len = strlen(rule);
		if (rule_len == 0 || rule_len >= VERDICT_RULE_MAX || !valid_rule(rule)) {
			cc_error_set(err, -1, "'%s': bad rule id after '/'", id);
			return -1;
		}
	}
	long long n = parse_num(num, (size_t)(numend - num));
	if (n < 0) {
		cc_error_set(err, -1, "'%s' is not a claim id: a number must follow '%c'", id,
			     hash_form ? '@' : ':');
		return -1;
	}

	if (hash_form) {
		if (prepare(db, sql_by_hash, &st, err) < 0) return -1;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, n);
		found = fetch_sentence(db, st, t, 1, err);
	} else {
		size_t klen = (size_t)(num - 1 - id);
		if (prepare(db, sql_by_key, &st, err) < 0) return -1;
		sqlite3_bind_text(st, 1, id, (int)klen, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, n);
		found = fetch_sentence(db, st, t, 0, err);
		long long docid = parse_num(id, klen);
		if (found == 0 && docid >= 0) {
			sqlite3_finalize(st);
			if (prepare(db, sql_by_id, &st, err) < 0) return -1;
			sqlite3_bind_int64(st, 1, docid);
			sqlite3_bind_int64(st, 2, n);
			found = fetch_sentence(db, st, t, 0, err);
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (found < 0) return -1;
	if (found == 0) {
		cc_error_set(err, -1, "no claim '%s' in this database", id);
		return -1;
	}

	if (!rule) {
		verdict_key k = {0};
		memcpy(k.doc_hash, t->doc_hash, sizeof k.doc_hash);
		k.start = t->start;
		k.end = t->end;
		VEC_PUSH(&t->keys, k);
		return 0;
	}
	if (prepare(db, sql_rule_tags, &st, err) < 0) return -1;
	sqlite3_bind_int64(st, 1, t->doc_id);
	sqlite3_bind_int64(st, 2, t->sentence);
	sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		verdict_key k = {0};
		memcpy(k.doc_hash, t->doc_hash, sizeof k.doc_hash);
		k.start = sqlite3_column_int64(st, 0);
		k.end = sqlite3_column_int64(st, 1);
		memcpy(k.rule, rule, rule_len + 1);
		VEC_PUSH(&t->keys, k);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) return sql_fail(db, err, "cannot read the claim's tags");
	if (t->keys.n == 0) {
		cc_error_set(err, -1, "'%s': rule %s has no tag in that sentence", id, rule);
		VEC_FREE(&t->keys);
		return -1;
	}
	return 0;
}

/* ---- reading and writing rows --------------------------------------------- */

int verdict_get(sqlite3 *db, const verdict_key *k, verdict_row *out, cc_error *err)
{
	sqlite3_stmt *st;
	if (prepare(db, "SELECT verdict, note, reviewer, created, updated FROM verdicts"
		    " WHERE doc_hash = ?1 AND start = ?2 AND \"end\" = ?3 AND rule = ?4", &st, err) < 0)
		return -1;
	bind_key(st, k);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->key = *k;
		out->verdict = stored_verdict(sqlite3_column_text(st, 0));
		out->note = col_dup(st, 1);
		out->reviewer = col_dup(st, 2);
		col_time(st, 3, out->created);
		col_time(st, 4, out->updated);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = sql_fail(db, err, "cannot read a verdict");
	}
	sqlite3_finalize(st);
	return ret;
}

static int delete_key(sqlite3 *db, const verdict_key *k, cc_error *err)
{
	sqlite3_stmt *st;
	if (prepare(db, "DELETE FROM verdicts WHERE doc_hash = ?1 AND start = ?2"
		    " AND \"end\" = ?3 AND rule = ?4", &st, err) < 0)
		return -1;
	bind_key(st, k);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, err, "cannot delete a verdict");
}

/* Insert or replace a whole row. */
static int put_row(sqlite3 *db, const verdict_row *r, cc_error *err)
{
	sqlite3_stmt *st;
	if (prepare(db, "INSERT OR REPLACE INTO verdicts (doc_hash, start, \"end\", rule, verdict,"
		    " note, reviewer, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		    &st, err) < 0)
		return -1;
	bind_key(st, &r->key);
	sqlite3_bind_text(st, 5, verdict_name(r->verdict), -1, SQLITE_STATIC);
	bind_opt(st, 6, r->note);
	bind_opt(st, 7, r->reviewer);
	sqlite3_bind_text(st, 8, r->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->updated, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, err, "cannot write a verdict");
}

int verdict_set(sqlite3 *db, const verdict_key *k, verdict_value v, int set_note,
		const char *note, const char *reviewer, cc_error *err)
{
	cc_error_clear(err);
	if (v == VERDICT_CLEAR) return delete_key(db, k, err);
	if (v == VERDICT_NONE) {
		cc_error_set(err, -1, "no verdict given");
		return -1;
	}
	char now[21];
	verdict_now(now);
	sqlite3_stmt *st;
	if (prepare(db, "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict, note,"
		    " reviewer, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
		    " ON CONFLICT (doc_hash, start, \"end\", rule) DO UPDATE SET"
		    " verdict = excluded.verdict,"
		    " note = CASE WHEN ?9 THEN excluded.note ELSE verdicts.note END,"
		    " reviewer = coalesce(excluded.reviewer, verdicts.reviewer),"
		    " updated = excluded.updated", &st, err) < 0)
		return -1;
	bind_key(st, k);
	sqlite3_bind_text(st, 5, verdict_name(v), -1, SQLITE_STATIC);
	bind_opt(st, 6, set_note ? note : NULL);
	bind_opt(st, 7, reviewer);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, set_note != 0);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, err, "cannot write a verdict");
}

int verdict_restore(sqlite3 *db, const verdict_key *k, const verdict_row *prev, cc_error *err)
{
	cc_error_clear(err);
	if (!prev) return delete_key(db, k, err);
	verdict_row r = *prev;
	r.key = *k;
	return put_row(db, &r, err);
}

/* NULL and "" are the same (no note). */
static int same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int verdict_merge(sqlite3 *db, const verdict_row *r, verdict_merge_result *res, cc_error *err)
{
	cc_error_clear(err);
	verdict_row in = *r; /* shallow: strings stay r's */
	int timeless = !in.updated[0];
	if (timeless) verdict_now(in.updated);
	if (!in.created[0] || strcmp(in.created, in.updated) > 0)
		memcpy(in.created, in.updated, sizeof in.created);

	verdict_row old;
	int have = verdict_get(db, &r->key, &old, err);
	if (have < 0) return -1;
	*res = VERDICT_MERGE_UNCHANGED;
	int ret = 0;
	if (in.verdict == VERDICT_CLEAR) {
		if (have && strcmp(in.updated, old.updated) > 0) {
			ret = delete_key(db, &r->key, err);
			*res = VERDICT_MERGE_DELETED;
		}
	} else if (in.verdict == VERDICT_NONE) {
		cc_error_set(err, -1, "no verdict given");
		ret = -1;
	} else if (!have) {
		ret = put_row(db, &in, err);
		*res = VERDICT_MERGE_INSERTED;
	} else if (same_str(in.note, old.note) && same_str(in.reviewer, old.reviewer) &&
		   in.verdict == old.verdict) {
		/* the same verdict: nothing to do, whatever the times */
	} else if (strcmp(in.updated, old.updated) > 0 ||
		   (timeless && strcmp(in.updated, old.updated) == 0)) {
		if (strcmp(old.created, in.created) < 0 && valid_time(old.created))
			memcpy(in.created, old.created, sizeof in.created);
		ret = put_row(db, &in, err);
		*res = VERDICT_MERGE_UPDATED;
	}
	if (have) verdict_row_free(&old);
	return ret;
}

/* ---- export --------------------------------------------------------------- */

static const char sql_export[] =
	"SELECT v.doc_hash, v.start, v.\"end\", v.rule, v.verdict, v.note, v.reviewer,"
	" v.created, v.updated,"
	" (SELECT d.key FROM documents d WHERE d.text_hash = v.doc_hash ORDER BY d.id LIMIT 1),"
	" (SELECT CAST(substr(CAST(d.text AS BLOB), v.start + 1, v.\"end\" - v.start) AS TEXT)"
	"  FROM documents d WHERE d.text_hash = v.doc_hash AND d.text IS NOT NULL"
	"  ORDER BY d.id LIMIT 1)"
	" FROM verdicts v ORDER BY v.doc_hash, v.start, v.\"end\", v.rule";

enum { E_HASH, E_START, E_END, E_RULE, E_VERDICT, E_NOTE, E_REVIEWER, E_CREATED, E_UPDATED,
       E_DOC_KEY, E_TEXT, E__COUNT };

static const char *const field_names[] = {
	"id", "doc_hash", "start", "end", "rule", "verdict", "note", "reviewer", "created",
	"updated", "doc_key", "text",
};
#define NFIELDS (sizeof field_names / sizeof field_names[0])

/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
 * or starts or ends with a space. */
static void csv_field(strbuf *b, const char *s, int first)
{
	strbuf_csv_field(b, s, s ? strlen(s) : 0, first);
}

static json_t *jstr(const char *s)
{
	if (!s) return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("\xef\xbf\xbd");
}

long verdict_export(sqlite3 *db, FILE *out, verdict_format f, cc_error *err)
{
	sqlite3_stmt *st;
	strbuf line = {0}, id = {0};
	long rows = 0;
	int rc;

	cc_error_clear(err);
	if (prepare(db, sql_export, &st, err) < 0) return -1;
	if (f == VERDICT_CSV) {
		for (size_t i = 0; i < NFIELDS; i++) csv_field(&line, field_names[i], i == 0);
		strbuf_puts(&line, "\r\n");
		fwrite(line.data, 1, line.len, out);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *col[E__COUNT];
		for (int i = 0; i < E__COUNT; i++) col[i] = (const char *)sqlite3_column_text(st, i);
		strbuf_reset(&id);
		verdict_claim_id(&id, col[E_HASH] ? col[E_HASH] : "", sqlite3_column_int64(st, E_START),
				 col[E_RULE]);
		strbuf_reset(&line);
		if (f == VERDICT_CSV) {
			csv_field(&line, id.data, 1);
			for (int i = 0; i < E__COUNT; i++) csv_field(&line, col[i], 0);
			strbuf_puts(&line, "\r\n");
		} else {
			json_t *o = json_object();
			json_object_set_new(o, "id", jstr(id.data));
			for (int i = 0; i < E__COUNT; i++) {
				json_t *v = i == E_START || i == E_END
						    ? json_integer(sqlite3_column_int64(st, i))
						    : jstr(col[i]);
				json_object_set_new(o, field_names[i + 1], v);
			}
			char *js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			json_decref(o);
			if (!js) die("out of memory");
			strbuf_puts(&line, js);
			strbuf_putc(&line, '\n');
			free(js);
		}
		fwrite(line.data, 1, line.len, out);
		rows++;
	}
	if (rc != SQLITE_DONE) {
		sql_fail(db, err, "cannot read the verdicts");
		rows = -1;
	}
	sqlite3_finalize(st);
	strbuf_free(&line);
	strbuf_free(&id);
	if (rows >= 0 && (fflush(out) != 0 || ferror(out))) {
		cc_error_set(err, -1, "cannot write the verdicts: %s", errno ? strerror(errno) : "write error");
		rows = -1;
	}
	return rows;
}

/* ---- import --------------------------------------------------------------- */

int verdict_format_parse(const char *s, verdict_format *out)
{
	if (strcasecmp(s, "csv") == 0) *out = VERDICT_CSV;
	else if (strcasecmp(s, "jsonl") == 0 || strcasecmp(s, "json") == 0 ||
		 strcasecmp(s, "ndjson") == 0)
		*out = VERDICT_JSONL;
	else
		return -1;
	return 0;
}

int verdict_format_from_name(const char *path, verdict_format *out)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/')) return -1;
	return verdict_format_parse(dot + 1, out);
}

/* One input record as field values by name (NULL = absent or null). */
typedef struct record {
	const char *v[NFIELDS];
	long long num[NFIELDS]; /* start, end from JSON integers */
	int is_num[NFIELDS];
} record;

static int field_index(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcasecmp(name, field_names[i]) == 0) return (int)i;
	return -1;
}

/* Read one CSV record into buf (fields NUL-separated, offsets in offs).
 * *line is the line the record starts on; *next_line is advanced over the
 * newlines read. Returns 1, 0 at end of input, -1 on a read error, -2 on an
 * unterminated quote. */
typedef VEC(size_t) offvec;
static int csv_record(FILE *in, strbuf *buf, offvec *offs, long *next_line)
{
	int ch, quoted = 0, any = 0;
	strbuf_reset(buf);
	offs->n = 0;
	VEC_PUSH(offs, (size_t)0);
	for (;;) {
		ch = getc(in);
		if (ch == EOF) {
			if (ferror(in)) return -1;
			if (quoted) return -2;
			if (!any) return 0;
			break;
		}
		any = 1;
		if (quoted) {
			if (ch == '"') {
				int nx = getc(in);
				if (nx == '"') {
					strbuf_putc(buf, '"');
					continue;
				}
				quoted = 0;
				if (nx != EOF) ungetc(nx, in);
				continue;
			}
			if (ch == '\n') (*next_line)++;
			strbuf_putc(buf, (char)ch);
			continue;
		}
		if (ch == '"') {
			quoted = 1;
		} else if (ch == ',') {
			strbuf_putc(buf, '\0');
			VEC_PUSH(offs, buf->len);
		} else if (ch == '\n') {
			(*next_line)++;
			break;
		} else if (ch == '\r') {
			int nx = getc(in);
			if (nx != '\n' && nx != EOF) ungetc(nx, in);
			(*next_line)++;
			break;
		} else {
			strbuf_putc(buf, (char)ch);
		}
	}
	strbuf_putc(buf, '\0');
	return 1;
}

/* Turn a record into rows (one, or several for an id naming a rule's
 * tags) and merge them. Returns 0, -1 for a bad row (message in err), -2 on
 * a database failure. */
static int import_record(sqlite3 *db, const record *rec, verdict_import_stats *st, cc_error *err)
{
	verdict_row r;
	verdict_target t = {0};
	memset(&r, 0, sizeof r);

	const char *vs = rec->v[5];
	if (!vs || !*vs) {
		cc_error_set(err, -1, "no verdict");
		return -1;
	}
	if (verdict_parse(vs, &r.verdict) < 0) {
		cc_error_set(err, -1, "unknown verdict '%s' (confirmed, false_positive, unsure or clear)", vs);
		return -1;
	}
	const char *hash = rec->v[1], *rule = rec->v[4] ? rec->v[4] : "";
	long long start = -1, end = -1;
	for (int i = 2; i <= 3; i++) {
		long long *dst = i == 2 ? &start : &end;
		if (rec->is_num[i]) *dst = rec->num[i];
		else if (rec->v[i] && *rec->v[i]) *dst = parse_num(rec->v[i], strlen(rec->v[i]));
		if (rec->v[i] && *rec->v[i] && *dst < 0) {
			cc_error_set(err, -1, "%s is not a byte offset: '%s'", field_names[i], rec->v[i]);
			return -1;
		}
	}
	for (int i = 8; i <= 9; i++) {
		const char *s = rec->v[i];
		if (s && *s && !valid_time(s)) {
			cc_error_set(err, -1, "%s '%s' is not a UTC time like 2026-01-31T12:00:00Z",
				     field_names[i], s);
			return -1;
		}
		if (s && *s) memcpy(i == 8 ? r.created : r.updated, s, 21);
	}

	if (hash && *hash) {
		if (!valid_hash(hash, 64, 64)) {
			cc_error_set(err, -1, "doc_hash is not a SHA-256 (64 lowercase hex digits): '%s'", hash);
			return -1;
		}
		if (start < 0 || end < 0 || end <= start) {
			cc_error_set(err, -1, "doc_hash needs start and end (start < end)");
			return -1;
		}
		if (!valid_rule(rule)) {
			cc_error_set(err, -1, "bad rule id '%s'", rule);
			return -1;
		}
		verdict_key k = {0};
		memcpy(k.doc_hash, hash, 65);
		k.start = start;
		k.end = end;
		memcpy(k.rule, rule, strlen(rule) + 1);
		VEC_PUSH(&t.keys, k);
	} else if (rec->v[0] && *rec->v[0]) {
		if (verdict_resolve(db, rec->v[0], &t, err) < 0) return -1;
	} else {
		cc_error_set(err, -1, "neither doc_hash, start, end nor id given");
		return -1;
	}

	static const char sql_match[] =
		"SELECT CASE WHEN ?4 = '' THEN EXISTS (SELECT 1 FROM documents d"
		"   JOIN sentences s ON s.doc_id = d.id WHERE d.text_hash = ?1"
		"   AND s.start = ?2 AND s.\"end\" = ?3)"
		" ELSE EXISTS (SELECT 1 FROM documents d JOIN tags t ON t.doc_id = d.id"
		"   WHERE d.text_hash = ?1 AND t.start = ?2 AND t.\"end\" = ?3 AND t.rule = ?4) END";
	sqlite3_stmt *m;
	if (prepare(db, sql_match, &m, err) < 0) {
		verdict_target_free(&t);
		return -2;
	}
	r.note = (char *)(rec->v[6] && *rec->v[6] ? rec->v[6] : NULL);
	r.reviewer = (char *)(rec->v[7] && *rec->v[7] ? rec->v[7] : NULL);
	int ret = 0;
	for (size_t i = 0; i < t.keys.n && ret == 0; i++) {
		verdict_merge_result res;
		r.key = t.keys.v[i];
		if (verdict_merge(db, &r, &res, err) < 0) {
			ret = -2;
			break;
		}
		switch (res) {
		case VERDICT_MERGE_INSERTED: st->inserted++; break;
		case VERDICT_MERGE_UPDATED: st->updated++; break;
		case VERDICT_MERGE_DELETED: st->deleted++; break;
		case VERDICT_MERGE_UNCHANGED: st->unchanged++; break;
		}
		sqlite3_reset(m);
		bind_key(m, &r.key);
		if (sqlite3_step(m) == SQLITE_ROW && sqlite3_column_int(m, 0) == 0 &&
		    r.verdict != VERDICT_CLEAR)
			st->unmatched++;
	}
	sqlite3_finalize(m);
	verdict_target_free(&t);
	return ret;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int verdict_import(sqlite3 *db, FILE *in, const char *name, verdict_format f,
		   verdict_import_stats *st, diags *d)
{
	strbuf buf = {0};
	offvec offs = {0};
	int colmap[64];
	size_t ncols = 0;
	long line = 1, next_line = 1;
	int ret = 0, rc;
	cc_error err;

	memset(st, 0, sizeof *st);
	if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		diags_add(d, DIAG_ERROR, name, 0, 0, "cannot write the database: %s", sqlite3_errmsg(db));
		return -1;
	}

	if (f == VERDICT_CSV) {
		/* the header: column names, BOM tolerated */
		int c0 = getc(in);
		if (c0 == 0xef) {
			if (getc(in) != 0xbb || getc(in) != 0xbf) {
				diags_add(d, DIAG_ERROR, name, 1, 1, "not UTF-8 CSV");
				ret = -1;
				goto done;
			}
		} else if (c0 != EOF) {
			ungetc(c0, in);
		}
		rc = csv_record(in, &buf, &offs, &next_line);
		if (rc <= 0) {
			if (rc == 0) goto done; /* empty file: nothing to merge */
			diags_add(d, DIAG_ERROR, name, 1, 0, rc == -1 ? "cannot read: %s"
				  : "unterminated quote in the header%s", rc == -1 ? strerror(errno) : "");
			ret = -1;
			goto done;
		}
		ncols = offs.n < 64 ? offs.n : 64;
		int have_verdict = 0;
		for (size_t i = 0; i < ncols; i++) {
			colmap[i] = field_index(buf.data + offs.v[i]);
			if (colmap[i] == 5) have_verdict = 1;
		}
		if (!have_verdict) {
			diags_add(d, DIAG_ERROR, name, 1, 0, "the header row has no 'verdict' column"
				  " (expected columns: id or doc_hash,start,end,rule; verdict; note,"
				  " reviewer, created, updated)");
			ret = -1;
			goto done;
		}
		line = next_line;
	}

	for (;;) {
		record rec;
		memset(&rec, 0, sizeof rec);
		json_t *j = NULL;
		line = next_line;
		if (f == VERDICT_CSV) {
			rc = csv_record(in, &buf, &offs, &next_line);
			if (rc == 0) break;
			if (rc == -1) {
				diags_add(d, DIAG_ERROR, name, (int)line, 0, "cannot read: %s", strerror(errno));
				ret = -1;
				goto done;
			}
			if (rc == -2) {
				diags_add(d, DIAG_ERROR, name, (int)line, 0, "unterminated quoted field");
				st->rows++;
				st->failed++;
				break;
			}
			if (offs.n == 1 && buf.data[0] == '\0') continue; /* blank line */
			for (size_t i = 0; i < offs.n && i < ncols; i++)
				if (colmap[i] >= 0) rec.v[colmap[i]] = buf.data + offs.v[i];
		} else {
			strbuf_reset(&buf);
			int ch;
			while ((ch = getc(in)) != EOF && ch != '\n') strbuf_putc(&buf, (char)ch);
			if (ch == EOF && ferror(in)) {
				diags_add(d, DIAG_ERROR, name, (int)line, 0, "cannot read: %s", strerror(errno));
				ret = -1;
				goto done;
			}
			next_line++;
			if (ch == EOF && buf.len == 0) break;
			size_t k = 0;
			while (k < buf.len && isspace((unsigned char)buf.data[k])) k++;
			if (k == buf.len) {
				if (ch == EOF) break;
				continue;
			}
			json_error_t je;
			j = json_loadb(buf.data, buf.len, 0, &je);
			if (!j || !json_is_object(j)) {
				diags_add(d, DIAG_ERROR, name, (int)line, j ? 0 : je.column,
					  "%s", j ? "not a JSON object" : je.text);
				json_decref(j);
				st->rows++;
				st->failed++;
				if (ch == EOF) break;
				continue;
			}
			int bad = 0;
			for (size_t i = 0; i < NFIELDS; i++) {
				json_t *v = json_object_get(j, field_names[i]);
				if (!v || json_is_null(v)) continue;
				if (json_is_string(v)) {
					rec.v[i] = json_string_value(v);
				} else if (json_is_integer(v) && (i == 2 || i == 3)) {
					rec.num[i] = json_integer_value(v);
					rec.is_num[i] = 1;
					rec.v[i] = "";
					if (rec.num[i] < 0) {
						bad = 1;
						diags_add(d, DIAG_ERROR, name, (int)line, 0,
							  "%s must not be negative", field_names[i]);
					}
				} else {
					bad = 1;
					diags_add(d, DIAG_ERROR, name, (int)line, 0, "%s: wrong JSON type",
						  field_names[i]);
					break;
				}
			}
			if (bad) {
				json_decref(j);
				st->rows++;
				st->failed++;
				if (ch == EOF) break;
				continue;
			}
			if (ch == EOF) next_line = -1; /* last line: stop after it */
		}

		st->rows++;
		rc = import_record(db, &rec, st, &err);
		json_decref(j);
		if (rc == -1) {
			diags_add(d, DIAG_ERROR, name, (int)line, 0, "%s", err.msg);
			st->failed++;
		} else if (rc == -2) {
			diags_add(d, DIAG_ERROR, name, (int)line, 0, "%s", err.msg);
			ret = -1;
			goto done;
		}
		if (next_line < 0) break;
	}

done:
	if (ret == 0 && exec(db, "COMMIT") != SQLITE_OK) {
		diags_add(d, DIAG_ERROR, name, 0, 0, "cannot write the database: %s", sqlite3_errmsg(db));
		ret = -1;
	}
	if (ret < 0) exec(db, "ROLLBACK");
	strbuf_free(&buf);
	VEC_FREE(&offs);
	return ret;
}

/* ---- the queue ------------------------------------------------------------ */

static const char sql_queue[] =
	"SELECT s.doc_id, s.idx, s.start, s.\"end\", s.checkworthy, s.uncertainty, d.text_hash,"
	" (SELECT v.verdict FROM verdicts v WHERE v.doc_hash = d.text_hash AND v.start = s.start"
	"  AND v.\"end\" = s.\"end\" AND v.rule = '')"
	" FROM sentences s JOIN documents d ON d.id = s.doc_id"
	" WHERE s.flagged = 1 AND s.checkworthy >= ?1"
	" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t"
	"      WHERE t.doc_id = s.doc_id AND t.sentence = s.idx AND t.category = ?2))"
	" AND (?3 IS NULL OR instr(d.key, ?3) > 0 OR instr(d.path, ?3) > 0"
	"      OR instr(d.ext_id, ?3) > 0)"
	" ORDER BY s.checkworthy DESC, s.uncertainty DESC, d.key, s.idx";

int verdict_queue_load(sqlite3 *db, const verdict_filter *f, verdict_queue *q, cc_error *err)
{
	sqlite3_stmt *st;
	cc_error_clear(err);
	q->items.n = 0;
	if (prepare(db, sql_queue, &st, err) < 0) return -1;
	sqlite3_bind_double(st, 1, f ? f->min_score : 0);
	if (f && f->category) sqlite3_bind_text(st, 2, f->category, -1, SQLITE_STATIC);
	if (f && f->document) sqlite3_bind_text(st, 3, f->document, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		verdict_claim c;
		memset(&c, 0, sizeof c);
		c.doc_id = sqlite3_column_int64(st, 0);
		c.sentence = (long)sqlite3_column_int64(st, 1);
		c.start = sqlite3_column_int64(st, 2);
		c.end = sqlite3_column_int64(st, 3);
		c.checkworthy = sqlite3_column_double(st, 4);
		c.uncertainty = sqlite3_column_double(st, 5);
		const unsigned char *h = sqlite3_column_text(st, 6);
		snprintf(c.doc_hash, sizeof c.doc_hash, "%s", h ? (const char *)h : "");
		c.verdict = stored_verdict(sqlite3_column_text(st, 7));
		VEC_PUSH(&q->items, c);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) return sql_fail(db, err, "cannot read the flagged claims");
	return 0;
}

size_t verdict_queue_next(const verdict_queue *q, size_t from)
{
	for (size_t i = from; i < q->items.n; i++)
		if (q->items.v[i].verdict == VERDICT_NONE) return i;
	return q->items.n;
}

void verdict_queue_free(verdict_queue *q)
{
	if (q) VEC_FREE(&q->items);
}
