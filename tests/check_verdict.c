/*
 * check_verdict.c — verdicts: names, claim ids and their resolution, set,
 * undo (restore), merge by key (the newer `updated` wins), CSV/JSONL
 * export and import (round trips, bad rows with their line numbers), and
 * the review queue (order, filters, where a review resumes).
 *
 * The databases are made by store_open (the real schema) and filled with
 * SQL: three documents, two of them with the same text (so the same hash),
 * and a third whose hash shares its first 7 digits with the others.
 */
#include "config.h"

#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "testutil.h"
#include "verdict.h"

#define HA "abcdef01aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "abcdef02bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char TEXT_A[] = "The plan may fail. Officials said it could work, per Reuters. "
			     "It may rain and may snow.";
static const char TEXT_B[] = "Prices are expected to rise. Nothing else.";

static char db_path[4200], db2_path[4200], file_path[4200];

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
}

static long start_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	ck_assert_msg(p != NULL, "'%s' not in text", needle);
	return (long)(p - text);
}

static void add_doc(sqlite3 *db, int id, const char *key, const char *hash, const char *text)
{
	char *sql = sqlite3_mprintf("INSERT INTO documents (id, key, path, title, text_hash, text)"
				    " VALUES (%d, %Q, %Q, 'T', %Q, %Q)", id, key, key, hash, text);
	exec_sql(db, sql);
	sqlite3_free(sql);
}

static void add_sent(sqlite3 *db, int doc, int idx, const char *text, const char *sent, int flagged,
		     double cw, double unc)
{
	long a = start_of(text, sent);
	char *sql = sqlite3_mprintf("INSERT INTO sentences VALUES (%d, %d, %ld, %ld, 'para', 5, 0, 0,"
				    " 0, %f, 0, %f, 0, %d)", doc, idx, a, a + (long)strlen(sent),
				    unc, cw, flagged);
	exec_sql(db, sql);
	sqlite3_free(sql);
}

/* A tag on the n-th (0-based) occurrence of cue in text. */
static void add_tag(sqlite3 *db, int doc, int sent, int idx, const char *rule, const char *cat,
		    const char *text, const char *cue, int nth)
{
	const char *p = strstr(text, cue);
	while (p && nth-- > 0) p = strstr(p + 1, cue);
	ck_assert(p != NULL);
	long a = (long)(p - text), b = a + (long)strlen(cue);
	char *sql = sqlite3_mprintf("INSERT INTO tags (doc_id, sentence, idx, rule, category, start,"
				    " \"end\", cue_start, cue_end, cue) VALUES (%d, %d, %d, %Q, %Q,"
				    " %ld, %ld, %ld, %ld, %Q)", doc, sent, idx, rule, cat, a, b, a, b, cue);
	exec_sql(db, sql);
	sqlite3_free(sql);
}

static store *fresh(const char *path)
{
	unlink(path);
	char wal[4300];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
	cc_error err;
	store *s = store_open(path, STORE_WRITE, &err);
	ck_assert_msg(s != NULL, "store_open: %s", err.msg);
	return s;
}

/* The fixture: doc 1 and doc 3 hold TEXT_A, doc 2 TEXT_B. */
static store *filled(const char *path)
{
	store *s = fresh(path);
	sqlite3 *db = store_db(s);
	add_doc(db, 1, "news/a.txt", HA, TEXT_A);
	add_doc(db, 2, "news/b.txt", HB, TEXT_B);
	add_doc(db, 3, "copy/a.txt", HA, TEXT_A);
	for (int d = 1; d <= 3; d += 2) {
		add_sent(db, d, 1, TEXT_A, "The plan may fail.", 1, 0.70, 0.5);
		add_sent(db, d, 2, TEXT_A, "Officials said it could work, per Reuters.", 1,
			 d == 1 ? 0.90 : 0.20, 0.6);
		add_sent(db, d, 3, TEXT_A, "It may rain and may snow.", 0, 0.10, 0.4);
		add_tag(db, d, 1, 1, "hedge.modal", "hedge", TEXT_A, "may", 0);
		add_tag(db, d, 2, 2, "speculation.could", "speculation", TEXT_A, "could", 0);
		add_tag(db, d, 2, 3, "source.per", "source", TEXT_A, "per", 0);
		add_tag(db, d, 3, 4, "hedge.modal", "hedge", TEXT_A, "may", 1);
		add_tag(db, d, 3, 5, "hedge.modal", "hedge", TEXT_A, "may", 2);
	}
	add_sent(db, 2, 1, TEXT_B, "Prices are expected to rise.", 1, 0.80, 0.7);
	add_sent(db, 2, 2, TEXT_B, "Nothing else.", 0, 0.0, 0.0);
	add_tag(db, 2, 1, 1, "speculation.expected", "speculation", TEXT_B, "expected to", 0);
	return s;
}

static void setup(void)
{
	snprintf(db_path, sizeof db_path, "%s/verdict.db", test_tmpdir());
	snprintf(db2_path, sizeof db2_path, "%s/verdict2.db", test_tmpdir());
	snprintf(file_path, sizeof file_path, "%s/verdicts.out", test_tmpdir());
}

static verdict_key key_of(const char *hash, long start, long end, const char *rule)
{
	verdict_key k;
	memset(&k, 0, sizeof k);
	snprintf(k.doc_hash, sizeof k.doc_hash, "%s", hash);
	k.start = start;
	k.end = end;
	snprintf(k.rule, sizeof k.rule, "%s", rule);
	return k;
}

/* The verdicts table as "start,end,rule,verdict,note,reviewer,created,updated;..." */
static char *dump(sqlite3 *db)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT substr(doc_hash, 1, 8), start, \"end\", rule,"
					    " verdict, coalesce(note, '-'), coalesce(reviewer, '-'),"
					    " created, updated FROM verdicts ORDER BY doc_hash, start,"
					    " \"end\", rule", -1, &st, NULL), SQLITE_OK);
	strbuf b = {0};
	strbuf_puts(&b, "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (b.len) strbuf_putc(&b, ';');
		for (int i = 0; i < 9; i++) {
			if (i) strbuf_putc(&b, ',');
			const unsigned char *t = sqlite3_column_text(st, i);
			strbuf_puts(&b, i >= 7 ? (t && strlen((const char *)t) == 20 ? "T" : "?")
					       : (const char *)t);
		}
	}
	sqlite3_finalize(st);
	return strbuf_steal(&b);
}

/* ---- names and ids ------------------------------------------------------ */

static const struct {
	const char *s;
	int ok;
	verdict_value v;
} names[] = {
	{"confirmed", 1, VERDICT_CONFIRMED}, {"CONFIRMED", 1, VERDICT_CONFIRMED},
	{"confirm", 1, VERDICT_CONFIRMED}, {"c", 1, VERDICT_CONFIRMED},
	{"false_positive", 1, VERDICT_FALSE_POSITIVE}, {"false-positive", 1, VERDICT_FALSE_POSITIVE},
	{"fp", 1, VERDICT_FALSE_POSITIVE}, {"FP", 1, VERDICT_FALSE_POSITIVE},
	{"f", 1, VERDICT_FALSE_POSITIVE}, {"unsure", 1, VERDICT_UNSURE}, {"u", 1, VERDICT_UNSURE},
	{"clear", 1, VERDICT_CLEAR}, {"none", 1, VERDICT_CLEAR},
	{"", 0, VERDICT_NONE}, {"true", 0, VERDICT_NONE}, {"confirmedx", 0, VERDICT_NONE},
	{"false positive", 0, VERDICT_NONE},
};

START_TEST(parse_names)
{
	verdict_value v = VERDICT_NONE;
	int rc = verdict_parse(names[_i].s, &v);
	ck_assert_int_eq(rc, names[_i].ok ? 0 : -1);
	if (names[_i].ok) ck_assert_int_eq(v, names[_i].v);
}
END_TEST

START_TEST(names_and_ids)
{
	ck_assert_str_eq(verdict_name(VERDICT_CONFIRMED), "confirmed");
	ck_assert_str_eq(verdict_name(VERDICT_FALSE_POSITIVE), "false_positive");
	ck_assert_str_eq(verdict_name(VERDICT_UNSURE), "unsure");
	ck_assert_str_eq(verdict_name(VERDICT_CLEAR), "clear");
	ck_assert_str_eq(verdict_name(VERDICT_NONE), "");
	ck_assert_int_eq(verdict_parse(NULL, &(verdict_value){0}), -1);

	strbuf b = {0};
	verdict_claim_id(&b, HA, 19, NULL);
	ck_assert_str_eq(b.data, "abcdef01@19");
	strbuf_reset(&b);
	verdict_claim_id(&b, HA, 0, "");
	ck_assert_str_eq(b.data, "abcdef01@0");
	strbuf_reset(&b);
	verdict_claim_id(&b, HB, 1234567, "hedge.modal");
	ck_assert_str_eq(b.data, "abcdef02@1234567/hedge.modal");
	strbuf_free(&b);

	verdict_format f;
	ck_assert_int_eq(verdict_format_from_name("x/v.csv", &f), 0);
	ck_assert_int_eq(f, VERDICT_CSV);
	ck_assert_int_eq(verdict_format_from_name("v.JSONL", &f), 0);
	ck_assert_int_eq(f, VERDICT_JSONL);
	ck_assert_int_eq(verdict_format_from_name("v.ndjson", &f), 0);
	ck_assert_int_eq(f, VERDICT_JSONL);
	ck_assert_int_eq(verdict_format_from_name("v.txt", &f), -1);
	ck_assert_int_eq(verdict_format_from_name("dir.csv/v", &f), -1);
	ck_assert_int_eq(verdict_format_from_name("-", &f), -1);
	ck_assert_int_eq(verdict_format_parse("json", &f), 0);
	ck_assert_int_eq(f, VERDICT_JSONL);
	ck_assert_int_eq(verdict_format_parse("xml", &f), -1);

	char now[21];
	verdict_now(now);
	ck_assert_int_eq(strlen(now), 20);
	ck_assert(now[4] == '-' && now[10] == 'T' && now[19] == 'Z');
}
END_TEST

/* ---- resolving ids ------------------------------------------------------ */

static const struct {
	const char *id;
	int ok;
	long doc_id, sentence; /* expected when ok */
	size_t nkeys;
	const char *first; /* "start-end/rule" of keys[0], or the error's start */
} ids[] = {
	{"abcdef01@19", 1, 1, 2, 1, "19-61/"},
	{"ABCDEF01@19", 1, 1, 2, 1, "19-61/"},
	{"abcdef0@19", 0, 0, 0, 0, "ambiguous"},     /* 7 digits: byte 19 is in a sentence of both */
	{"abcdef01aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@0", 1, 1, 1, 1, "0-18/"},
	{"abcdef01@25", 1, 1, 2, 1, "19-61/"},      /* any byte inside the sentence */
	{"abcdef01@0/hedge.modal", 1, 1, 1, 1, "9-12/hedge.modal"},
	{"abcdef01@62/hedge.modal", 1, 1, 3, 2, "65-68/hedge.modal"}, /* two tags, two keys */
	{"news/a.txt:2", 1, 1, 2, 1, "19-61/"},
	{"news/b.txt:1", 1, 2, 1, 1, "0-28/"},
	{"news/b.txt:1/speculation.expected", 1, 2, 1, 1, "11-22/speculation.expected"},
	{"2:1", 1, 2, 1, 1, "0-28/"},               /* documents.id:sentence */
	{"copy/a.txt:1", 1, 3, 1, 1, "0-18/"},
	{"abcdef@0", 0, 0, 0, 0, "ambiguous"},       /* HA and HB both have a sentence at 0 */
	{"abcde@0", 0, 0, 0, 0, "'abcde@0' is not a claim id"},
	{"abcdef01@", 0, 0, 0, 0, "'abcdef01@' is not a claim id: a number must follow '@'"},
	{"abcdef01@x1", 0, 0, 0, 0, "'abcdef01@x1' is not a claim id"},
	{"abcdef01@999", 0, 0, 0, 0, "no claim 'abcdef01@999'"},
	{"00000000@0", 0, 0, 0, 0, "no claim"},
	{"news/a.txt:9", 0, 0, 0, 0, "no claim"},
	{"nothing", 0, 0, 0, 0, "'nothing' is not a claim id"},
	{":3", 0, 0, 0, 0, "':3' is not a claim id"},
	{"abcdef01@0/hedge.none", 0, 0, 0, 0, "'abcdef01@0/hedge.none': rule hedge.none has no tag"},
	{"abcdef01@0/", 0, 0, 0, 0, "'abcdef01@0/': bad rule id"},
	{"abcdef01@0/a b", 0, 0, 0, 0, "'abcdef01@0/a b': bad rule id"},
};

START_TEST(resolve_ids)
{
	store *s = filled(db_path);
	verdict_target t;
	cc_error err;
	int rc = verdict_resolve(store_db(s), ids[_i].id, &t, &err);
	if (!ids[_i].ok) {
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err.msg, ids[_i].first) != NULL, "%s: got '%s'", ids[_i].id, err.msg);
		ck_assert_int_eq(t.keys.n, 0);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", ids[_i].id, err.msg);
		ck_assert_int_eq(t.doc_id, ids[_i].doc_id);
		ck_assert_int_eq(t.sentence, ids[_i].sentence);
		ck_assert_uint_eq(t.keys.n, ids[_i].nkeys);
		char got[256];
		snprintf(got, sizeof got, "%lld-%lld/%s", (long long)t.keys.v[0].start,
			 (long long)t.keys.v[0].end, t.keys.v[0].rule);
		ck_assert_str_eq(got, ids[_i].first);
		ck_assert_str_eq(t.keys.v[0].doc_hash, ids[_i].doc_id == 2 ? HB : HA);
		if (ids[_i].nkeys == 2) ck_assert_int_eq(t.keys.v[1].start, 78);
	}
	verdict_target_free(&t);
	store_close(s);
}
END_TEST

/* ---- set, get, restore -------------------------------------------------------- */

START_TEST(set_get_restore)
{
	store *s = filled(db_path);
	sqlite3 *db = store_db(s);
	cc_error err;
	verdict_key k = key_of(HA, 0, 18, "");
	verdict_row r;

	ck_assert_int_eq(verdict_get(db, &k, &r, &err), 0);
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_CONFIRMED, 0, NULL, "ann", &err), 0);
	char *d = dump(db);
	ck_assert_str_eq(d, "abcdef01,0,18,,confirmed,-,ann,T,T");
	free(d);

	/* a note; then a new verdict keeps the note, a NULL reviewer keeps ann */
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_CONFIRMED, 1, "seen, \"twice\"", NULL, &err), 0);
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_UNSURE, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_get(db, &k, &r, &err), 1);
	ck_assert_int_eq(r.verdict, VERDICT_UNSURE);
	ck_assert_str_eq(r.note, "seen, \"twice\"");
	ck_assert_str_eq(r.reviewer, "ann");
	ck_assert_str_eq(r.key.doc_hash, HA);
	verdict_row before = r;

	/* "" clears the note; another reviewer takes over */
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_FALSE_POSITIVE, 1, "", "bob", &err), 0);
	d = dump(db);
	ck_assert_str_eq(d, "abcdef01,0,18,,false_positive,-,bob,T,T");
	free(d);

	/* undo: the row exactly as it was */
	exec_sql(db, "UPDATE verdicts SET created = '2020-01-01T00:00:00Z'");
	ck_assert_int_eq(verdict_restore(db, &k, &before, &err), 0);
	ck_assert_int_eq(verdict_get(db, &k, &r, &err), 1);
	ck_assert_int_eq(r.verdict, VERDICT_UNSURE);
	ck_assert_str_eq(r.note, "seen, \"twice\"");
	ck_assert_str_eq(r.reviewer, "ann");
	ck_assert_str_eq(r.created, before.created);
	ck_assert_str_eq(r.updated, before.updated);
	verdict_row_free(&r);
	verdict_row_free(&before);
	ck_assert_ptr_null(before.note);
	verdict_row_free(NULL);

	/* undo of a first verdict: no row */
	ck_assert_int_eq(verdict_restore(db, &k, NULL, &err), 0);
	d = dump(db);
	ck_assert_str_eq(d, "");
	free(d);

	/* clear */
	verdict_key k2 = key_of(HB, 11, 22, "speculation.expected");
	ck_assert_int_eq(verdict_set(db, &k2, VERDICT_FALSE_POSITIVE, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_set(db, &k2, VERDICT_CLEAR, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_set(db, &k2, VERDICT_CLEAR, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_set(db, &k2, VERDICT_NONE, 0, NULL, NULL, &err), -1);
	d = dump(db);
	ck_assert_str_eq(d, "");
	free(d);
	store_close(s);
}
END_TEST

/* ---- merge ---------------------------------------------------------------- */

static verdict_row mk(verdict_value v, const char *note, const char *created, const char *updated)
{
	verdict_row r;
	memset(&r, 0, sizeof r);
	r.key = key_of(HA, 19, 61, "");
	r.verdict = v;
	r.note = (char *)note;
	snprintf(r.created, sizeof r.created, "%s", created);
	snprintf(r.updated, sizeof r.updated, "%s", updated);
	return r;
}

START_TEST(merge_newer_wins)
{
	store *s = filled(db_path);
	sqlite3 *db = store_db(s);
	cc_error err;
	verdict_merge_result res;
	verdict_row got;

	verdict_row a = mk(VERDICT_CONFIRMED, "a", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &a, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_INSERTED);
	ck_assert_int_eq(verdict_merge(db, &a, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_UNCHANGED); /* idempotent */

	/* older: ignored; same time, other content: the database's row stays */
	verdict_row old = mk(VERDICT_FALSE_POSITIVE, "old", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &old, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_UNCHANGED);
	verdict_row same = mk(VERDICT_UNSURE, "same", "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &same, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_UNCHANGED);

	/* newer: replaces, keeping the earlier created */
	verdict_row nw = mk(VERDICT_UNSURE, NULL, "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &nw, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_UPDATED);
	ck_assert_int_eq(verdict_get(db, &nw.key, &got, &err), 1);
	ck_assert_int_eq(got.verdict, VERDICT_UNSURE);
	ck_assert_ptr_null(got.note);
	ck_assert_str_eq(got.created, "2026-01-02T00:00:00Z");
	ck_assert_str_eq(got.updated, "2026-02-02T00:00:00Z");
	verdict_row_free(&got);

	/* clear: an older clear does nothing, a newer one deletes */
	verdict_row clr = mk(VERDICT_CLEAR, NULL, "", "2026-02-01T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &clr, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_UNCHANGED);
	clr = mk(VERDICT_CLEAR, NULL, "", "2026-03-01T00:00:00Z");
	ck_assert_int_eq(verdict_merge(db, &clr, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_DELETED);
	ck_assert_int_eq(verdict_get(db, &clr.key, &got, &err), 0);

	/* no times: now; created follows updated */
	verdict_row nt = mk(VERDICT_CONFIRMED, NULL, "", "");
	ck_assert_int_eq(verdict_merge(db, &nt, &res, &err), 0);
	ck_assert_int_eq(res, VERDICT_MERGE_INSERTED);
	ck_assert_int_eq(verdict_get(db, &nt.key, &got, &err), 1);
	ck_assert_str_eq(got.created, got.updated);
	ck_assert_int_eq(strlen(got.updated), 20);
	verdict_row_free(&got);
	store_close(s);
}
END_TEST

/* ---- export and import --------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	strbuf b = {0};
	char buf[4096];
	size_t n;
	strbuf_puts(&b, "");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) strbuf_append(&b, buf, n);
	fclose(f);
	return strbuf_steal(&b);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static long export_to(sqlite3 *db, verdict_format fmt, const char *path)
{
	cc_error err;
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	long n = verdict_export(db, f, fmt, &err);
	ck_assert_msg(n >= 0, "%s", err.msg);
	fclose(f);
	return n;
}

static int import_from(sqlite3 *db, verdict_format fmt, const char *path, verdict_import_stats *st,
		       diags *d)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	int rc = verdict_import(db, f, "v", fmt, st, d);
	fclose(f);
	return rc;
}

/* Three verdicts with awkward notes, one on a key this database lacks. */
static void some_verdicts(sqlite3 *db)
{
	exec_sql(db, "INSERT INTO verdicts VALUES ('" HA "', 0, 18, '', 'confirmed',"
		     " 'a note, with \"quotes\"\nand a new line', 'ann', '2026-01-01T10:00:00Z',"
		     " '2026-01-02T10:00:00Z')");
	exec_sql(db, "INSERT INTO verdicts VALUES ('" HA "', 65, 68, 'hedge.modal', 'false_positive',"
		     " NULL, NULL, '2026-01-01T11:00:00Z', '2026-01-01T11:00:00Z')");
	exec_sql(db, "INSERT INTO verdicts VALUES ('" HB "', 0, 28, '', 'unsure', ' padded ', 'bo,b',"
		     " '2026-01-01T12:00:00Z', '2026-01-01T12:00:00Z')");
	exec_sql(db, "INSERT INTO verdicts VALUES ('ffff000000000000000000000000000000000000000000000000"
		     "000000000000', 5, 9, '', 'unsure', NULL, NULL, '2026-01-01T12:00:00Z',"
		     " '2026-01-01T12:00:00Z')");
}

START_TEST(export_csv_exact)
{
	store *s = filled(db_path);
	some_verdicts(store_db(s));
	ck_assert_int_eq(export_to(store_db(s), VERDICT_CSV, file_path), 4);
	char *got = slurp(file_path);
	ck_assert_str_eq(got,
		"id,doc_hash,start,end,rule,verdict,note,reviewer,created,updated,doc_key,text\r\n"
		"abcdef01@0," HA ",0,18,,confirmed,\"a note, with \"\"quotes\"\"\nand a new line\",ann,"
		"2026-01-01T10:00:00Z,2026-01-02T10:00:00Z,news/a.txt,The plan may fail.\r\n"
		"abcdef01@65/hedge.modal," HA ",65,68,hedge.modal,false_positive,,,2026-01-01T11:00:00Z,"
		"2026-01-01T11:00:00Z,news/a.txt,may\r\n"
		"abcdef02@0," HB ",0,28,,unsure,\" padded \",\"bo,b\",2026-01-01T12:00:00Z,"
		"2026-01-01T12:00:00Z,news/b.txt,Prices are expected to rise.\r\n"
		"ffff0000@5,ffff000000000000000000000000000000000000000000000000000000000000,5,9,,unsure,"
		",,2026-01-01T12:00:00Z,2026-01-01T12:00:00Z,,\r\n");
	free(got);
	store_close(s);
}
END_TEST

START_TEST(round_trip)
{
	verdict_format fmt = _i ? VERDICT_JSONL : VERDICT_CSV;
	store *a = filled(db_path);
	some_verdicts(store_db(a));
	ck_assert_int_eq(export_to(store_db(a), fmt, file_path), 4);
	char *first = slurp(file_path);

	store *b = filled(db2_path);
	verdict_import_stats st;
	diags d = {0};
	ck_assert_int_eq(import_from(store_db(b), fmt, file_path, &st, &d), 0);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_int_eq(st.rows, 4);
	ck_assert_int_eq(st.inserted, 4);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(st.unmatched, 1); /* the ffff... key */
	char *da = dump(store_db(a)), *db = dump(store_db(b));
	ck_assert_str_eq(da, db);
	free(da);
	free(db);

	/* again: nothing changes */
	ck_assert_int_eq(import_from(store_db(b), fmt, file_path, &st, &d), 0);
	ck_assert_int_eq(st.rows, 4);
	ck_assert_int_eq(st.inserted, 0);
	ck_assert_int_eq(st.unchanged, 4);

	char path2[4300];
	snprintf(path2, sizeof path2, "%s.2", file_path);
	ck_assert_int_eq(export_to(store_db(b), fmt, path2), 4);
	char *second = slurp(path2);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	diags_free(&d);
	store_close(a);
	store_close(b);
}
END_TEST

START_TEST(json_fields)
{
	store *s = filled(db_path);
	some_verdicts(store_db(s));
	export_to(store_db(s), VERDICT_JSONL, file_path);
	char *got = slurp(file_path);
	char *nl = strchr(got, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	json_error_t je;
	json_t *o = json_loads(got, 0, &je);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "id")), "abcdef01@0");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "start")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "end")), 18);
	ck_assert_str_eq(json_string_value(json_object_get(o, "rule")), "");
	ck_assert_str_eq(json_string_value(json_object_get(o, "note")),
			 "a note, with \"quotes\"\nand a new line");
	ck_assert_str_eq(json_string_value(json_object_get(o, "text")), "The plan may fail.");
	json_decref(o);
	free(got);
	store_close(s);
}
END_TEST

/* Bad rows: each reported with its line, the good ones merged. */
static const struct {
	verdict_format fmt;
	const char *input;
	long rows, inserted, failed;
	const char *diags; /* the printed diagnostics */
} bad[] = {
	{VERDICT_JSONL,
	 "{\"doc_hash\":\"" HA "\",\"start\":0,\"end\":18,\"verdict\":\"confirmed\"}\n"
	 "\n"
	 "{\"doc_hash\":\"" HA "\",\"start\":0,\"end\":18,\"verdict\":\"maybe\"}\n"
	 "not json\n"
	 "[1]\n"
	 "{\"doc_hash\":\"ABC\",\"start\":0,\"end\":18,\"verdict\":\"fp\"}\n"
	 "{\"doc_hash\":\"" HA "\",\"start\":-1,\"end\":18,\"verdict\":\"fp\"}\n"
	 "{\"doc_hash\":\"" HA "\",\"start\":5,\"end\":5,\"verdict\":\"fp\"}\n"
	 "{\"id\":\"news/b.txt:1\",\"verdict\":\"fp\",\"updated\":\"yesterday\"}\n"
	 "{\"id\":\"news/b.txt:1\",\"verdict\":\"fp\",\"note\":7}\n"
	 "{\"id\":\"news/b.txt:9\",\"verdict\":\"fp\"}\n"
	 "{\"verdict\":\"fp\"}\n"
	 "{\"id\":\"news/b.txt:1\",\"verdict\":\"unsure\"}",
	 12, 2, 10,
	 "v:3: error: unknown verdict 'maybe' (confirmed, false_positive, unsure or clear)\n"
	 "v:4:3: error: '[' or '{' expected near 'not'\n"
	 "v:5: error: not a JSON object\n"
	 "v:6: error: doc_hash is not a SHA-256 (64 lowercase hex digits): 'ABC'\n"
	 "v:7: error: start must not be negative\n"
	 "v:8: error: doc_hash needs start and end (start < end)\n"
	 "v:9: error: updated 'yesterday' is not a UTC time like 2026-01-31T12:00:00Z\n"
	 "v:10: error: note: wrong JSON type\n"
	 "v:11: error: no claim 'news/b.txt:9' in this database\n"
	 "v:12: error: neither doc_hash, start, end nor id given\n"},
	{VERDICT_CSV,
	 "verdict,note,id,extra\r\n"
	 "confirmed,\"two\r\nlines\",news/a.txt:1,x\r\n"
	 "bogus,,news/a.txt:2,\n"
	 "fp,,abcdef01@62/hedge.modal\n"
	 ",,news/a.txt:2\n"
	 "unsure,\"never closed,news/a.txt:2\n",
	 5, 3, 3,
	 "v:4: error: unknown verdict 'bogus' (confirmed, false_positive, unsure or clear)\n"
	 "v:6: error: no verdict\n"
	 "v:7: error: unterminated quoted field\n"},
	{VERDICT_CSV, "id,note\nnews/a.txt:1,x\n", 0, 0, 0,
	 "v:1: error: the header row has no 'verdict' column (expected columns: id or"
	 " doc_hash,start,end,rule; verdict; note, reviewer, created, updated)\n"},
	{VERDICT_CSV, "", 0, 0, 0, ""},
};

START_TEST(import_bad_rows)
{
	store *s = filled(db_path);
	write_file(file_path, bad[_i].input);
	verdict_import_stats st;
	diags d = {0};
	int rc = import_from(store_db(s), bad[_i].fmt, file_path, &st, &d);
	ck_assert_int_eq(rc, _i == 2 ? -1 : 0);
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen);
	diags_print(&d, mem);
	fclose(mem);
	ck_assert_str_eq(out, bad[_i].diags);
	free(out);
	ck_assert_int_eq(st.rows, bad[_i].rows);
	ck_assert_int_eq(st.inserted, bad[_i].inserted);
	ck_assert_int_eq(st.failed, bad[_i].failed);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM verdicts", -1, &q, NULL);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(q, 0), bad[_i].inserted);
	sqlite3_finalize(q);
	if (_i == 1) {
		verdict_row r;
		cc_error err;
		verdict_key k = key_of(HA, 0, 18, "");
		ck_assert_int_eq(verdict_get(store_db(s), &k, &r, &err), 1);
		ck_assert_str_eq(r.note, "two\r\nlines");
		verdict_row_free(&r);
	}
	diags_free(&d);
	store_close(s);
}
END_TEST

/* ---- the queue -------------------------------------------------------------- */

static const struct {
	double min_score;
	const char *category, *document;
	const char *expect; /* doc:sentence in order */
} queues[] = {
	{0, NULL, NULL, "1:2,2:1,3:1,1:1,3:2"}, /* same scores: by key */
	{0.75, NULL, NULL, "1:2,2:1"},
	{0, "hedge", NULL, "3:1,1:1"},
	{0, "source", NULL, "1:2,3:2"},
	{0, "weasel", NULL, ""},
	{0, NULL, "copy/", "3:1,3:2"},
	{0.5, "speculation", "news", "1:2,2:1"},
};

START_TEST(queue_order)
{
	store *s = filled(db_path);
	verdict_queue q = {0};
	cc_error err;
	verdict_filter f = {queues[_i].min_score, queues[_i].category, queues[_i].document};
	ck_assert_int_eq(verdict_queue_load(store_db(s), &f, &q, &err), 0);
	strbuf b = {0};
	strbuf_puts(&b, "");
	for (size_t i = 0; i < q.items.n; i++)
		strbuf_printf(&b, "%s%lld:%ld", i ? "," : "", (long long)q.items.v[i].doc_id,
			      q.items.v[i].sentence);
	ck_assert_str_eq(b.data, queues[_i].expect);
	strbuf_free(&b);
	verdict_queue_free(&q);
	verdict_queue_free(NULL);
	store_close(s);
}
END_TEST

START_TEST(queue_resume)
{
	store *s = filled(db_path);
	sqlite3 *db = store_db(s);
	verdict_queue q = {0};
	cc_error err;
	ck_assert_int_eq(verdict_queue_load(db, NULL, &q, &err), 0);
	ck_assert_uint_eq(q.items.n, 5);
	ck_assert_uint_eq(verdict_queue_next(&q, 0), 0);

	/* a verdict on 1:2 and one on a tag of 2:1 (which does not count) */
	verdict_key k = key_of(HA, 19, 61, "");
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_CONFIRMED, 0, NULL, NULL, &err), 0);
	k = key_of(HB, 11, 22, "speculation.expected");
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_CONFIRMED, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_queue_load(db, NULL, &q, &err), 0);
	ck_assert_uint_eq(q.items.n, 5);
	ck_assert_int_eq(q.items.v[0].verdict, VERDICT_CONFIRMED);
	ck_assert_int_eq(q.items.v[1].verdict, VERDICT_NONE);
	ck_assert_int_eq(q.items.v[4].verdict, VERDICT_CONFIRMED);
	ck_assert_uint_eq(verdict_queue_next(&q, 0), 1);

	/* the same text in two documents: one verdict covers both (1:2 and 3:2
	 * above; 3:1 and 1:1 here) */
	k = key_of(HA, 0, 18, "");
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_UNSURE, 0, NULL, NULL, &err), 0);
	k = key_of(HB, 0, 28, "");
	ck_assert_int_eq(verdict_set(db, &k, VERDICT_FALSE_POSITIVE, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(verdict_queue_load(db, NULL, &q, &err), 0);
	ck_assert_int_eq(q.items.v[2].verdict, VERDICT_UNSURE);
	ck_assert_int_eq(q.items.v[3].verdict, VERDICT_UNSURE);
	ck_assert_int_eq(q.items.v[1].verdict, VERDICT_FALSE_POSITIVE);
	ck_assert_uint_eq(verdict_queue_next(&q, 0), 5);
	ck_assert_uint_eq(verdict_queue_next(&q, 9), 5);
	verdict_claim_key(&q.items.v[4], &k);
	ck_assert_str_eq(k.doc_hash, HA);
	ck_assert_int_eq(k.start, 19);
	ck_assert_int_eq(k.end, 61);
	ck_assert_str_eq(k.rule, "");
	verdict_queue_free(&q);
	store_close(s);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, parse_names, 0, (int)(sizeof names / sizeof names[0]));
	tcase_add_test(tc, names_and_ids);
	tcase_add_loop_test(tc, resolve_ids, 0, (int)(sizeof ids / sizeof ids[0]));
	tcase_add_test(tc, set_get_restore);
	tcase_add_test(tc, merge_newer_wins);
	tcase_add_test(tc, export_csv_exact);
	tcase_add_loop_test(tc, round_trip, 0, 2);
	tcase_add_test(tc, json_fields);
	tcase_add_loop_test(tc, import_bad_rows, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_loop_test(tc, queue_order, 0, (int)(sizeof queues / sizeof queues[0]));
	tcase_add_test(tc, queue_resume);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
