/*
 * check_store.c — the SQLite store and the flagged-claims report.
 *
 * Builds analyses by hand (text with multi-byte characters, two
 * sentences, a hedge, a speculation and a source tag with captures), writes
 * them with store_write and checks the rows, the views and the reports
 * exactly; then re-writes, failures, batches, read-only opens, schema
 * versions and migrations, the unchanged-file records (files table), and
 * SQLite errors (full, locked).
 */
#include "config.h"

#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "store.h"
#include "testutil.h"

/* Sentence 1 has "é" before its cue, sentence 2 an em dash: byte offsets
 * and character offsets differ, as they do in real text. */
static const char TEXT[] = "Café Noir may cut 300 jobs next year.\n\n"
			   "Per analyst Dana Whitfield — the plan is expected to save $40 million.";
static const char RAW_HASH[] = "aaaa000000000000000000000000000000000000000000000000000000000001";

extern const char sql_views[];

static ruleset *rs;
static char db_path[4200];

/* ---- helpers ----------------------------------------------------------- */

static span find(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	ck_assert_msg(p != NULL, "'%s' not in the text", needle);
	return (span){(uint32_t)(p - text), (uint32_t)(p - text + strlen(needle))};
}

static uint32_t rule_index(const char *id)
{
	long i = ruleset_find(rs, id);
	ck_assert_msg(i >= 0, "no rule %s", id);
	return (uint32_t)i;
}

static void push_tag(analysis *a, const char *rule, category cat, span whole, span cue)
{
	tag t = {0};
	t.rule = rule_index(rule);
	t.start = whole.start;
	t.end = whole.end;
	t.cue = cue;
	t.category = (uint8_t)cat;
	VEC_PUSH(&a->tags, t);
}

/* The analysis of TEXT (variant 0), or of TEXT without its speculation
 * tag and with other scores (variant 1). */
static void build(analysis *a, const char *key, int variant)
{
	memset(a, 0, sizeof *a);
	cc_error_clear(&a->err);
	a->doc.key = xstrdup(key);
	a->doc.path = xstrdup("news/cafe.txt");
	a->doc.format = FMT_TXT;
	a->doc.raw = xstrdup(TEXT);
	a->doc.raw_len = strlen(TEXT);
	strcpy(a->doc.raw_hash, RAW_HASH);
	strbuf_puts(&a->nt.text, TEXT);
	a->nt.title = xstrdup("Café Noir cuts");
	sha256_hex(TEXT, strlen(TEXT), a->text_hash);

	span s1 = {0, find(TEXT, "year.").end};
	span s2 = {find(TEXT, "Per ").start, (uint32_t)strlen(TEXT)};

	push_tag(a, "hedge.modal", CAT_HEDGE, find(TEXT, "may"), find(TEXT, "may"));
	sentence_rec r1 = {.start = s1.start, .end = s1.end, .kind = BLOCK_PARA, .tag_first = 0,
			   .tag_count = 1, .ntokens = 8};
	r1.sc = (sentence_scores){.hedge = 0.6, .uncertainty = 0.6, .factual = 0.7,
				  .checkworthy = variant ? 0.5 : 0.8, .flagged = 1};
	VEC_PUSH(&a->sents, r1);

	span whole = {s2.start, find(TEXT, "Whitfield").end};
	push_tag(a, "source.per", CAT_SOURCE, whole, find(TEXT, "Per"));
	a->tags.v[a->tags.n - 1].source = find(TEXT, "Dana Whitfield");
	a->tags.v[a->tags.n - 1].role = find(TEXT, "analyst");
	if (!variant)
		push_tag(a, "speculation.expected", CAT_SPECULATION, find(TEXT, "is expected to"),
			 find(TEXT, "is expected to"));
	sentence_rec r2 = {.start = s2.start, .end = s2.end, .kind = BLOCK_PARA, .tag_first = 1,
			   .tag_count = variant ? 1 : 2, .ntokens = 13};
	r2.sc = (sentence_scores){.speculation = variant ? 0 : 0.7, .uncertainty = variant ? 0 : 0.7,
				  .factual = 0.9, .checkworthy = 0.45, .sourced = 1,
				  .flagged = !variant};
	VEC_PUSH(&a->sents, r2);

	a->ds = (doc_scores){.sentences = 2, .flagged = variant ? 1 : 2, .hedged = 1,
			     .speculative = variant ? 0 : 1, .sourced = 1, .hedge_density = 0.5,
			     .speculation_density = variant ? 0 : 0.5, .sourced_share = 0.5,
			     .checkworthy_max = 0.8, .checkworthy_mean = 0.625};
}

/* build()'s analysis with TEXT repeated `copies` times as its text (the
 * sentences and tags stay those of the first copy): a document of
 * about `copies` * 110 bytes. */
static void build_big(analysis *a, const char *key, int copies)
{
	build(a, key, 0);
	strbuf_reset(&a->nt.text);
	for (int i = 0; i < copies; i++) strbuf_puts(&a->nt.text, TEXT);
}

static void build_failed(analysis *a, const char *key)
{
	memset(a, 0, sizeof *a);
	a->doc.key = xstrdup(key);
	a->doc.path = xstrdup("news/bad.jsonl");
	a->doc.id = xstrdup("17");
	a->doc.line = 4;
	a->doc.format = FMT_TXT;
	strcpy(a->doc.raw_hash, RAW_HASH);
	a->failed = 1;
	cc_error_set(&a->err, 12, "invalid UTF-8");
	a->err.line = 4;
}

static void drop(analysis *a)
{
	free(a->doc.key);
	free(a->doc.path);
	free(a->doc.id);
	free(a->doc.title);
	free(a->doc.url);
	free(a->doc.published);
	free(a->doc.raw);
	strbuf_free(&a->nt.text);
	free(a->nt.title);
	VEC_FREE(&a->nt.blocks);
	VEC_FREE(&a->sents);
	VEC_FREE(&a->tags);
	free(a->warning);
}

/* One value of a one-row query as text ("NULL" for NULL, "" for no row). */
static char *q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	strbuf b = {0};
	int ncol = sqlite3_column_count(st), first = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!first) strbuf_putc(&b, '\n');
		first = 0;
		for (int i = 0; i < ncol; i++) {
			if (i) strbuf_putc(&b, '|');
			const char *v = (const char *)sqlite3_column_text(st, i);
			strbuf_puts(&b, v ? v : "NULL");
		}
	}
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return strbuf_steal(&b);
}

#define ck_q(db, sql, expected)                                                     \
	do {                                                                        \
		char *got_ = q(db, sql);                                            \
		ck_assert_msg(strcmp(got_, expected) == 0, "%s\n  got:      [%s]\n  expected: [%s]", \
			      sql, got_, expected);                                 \
		free(got_);                                                         \
	} while (0)

static long long qi(sqlite3 *db, const char *sql)
{
	char *s = q(db, sql);
	long long v = atoll(s);
	free(s);
	return v;
}

static void setup(void)
{
	const char *dir = test_tmpdir();
	snprintf(db_path, sizeof db_path, "%s/store-%d.db", dir, (int)getpid());
	char tmp[4300];
	unlink(db_path);
	snprintf(tmp, sizeof tmp, "%s-wal", db_path);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s-shm", db_path);
	unlink(tmp);

	char rules[4300];
	snprintf(rules, sizeof rules, "%s/store-%d.rules", dir, (int)getpid());
	FILE *f = fopen(rules, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[rule hedge.modal]\n"
	      "category = hedge\n"
	      "weight = 0.6\n"
	      "match = may | might\n"
	      "flag = Prices may rise.\n"
	      "pass = Prices rose.\n"
	      "\n"
	      "[rule source.per]\n"
	      "category = source\n"
	      "weight = 0.9\n"
	      "pattern = (?<cue>\\b[Pp]er) (?<role>analyst) (?<source>[A-Z]\\w+ [A-Z]\\w+)\n"
	      "flag = Per analyst Lee Park, it rose. => source: Lee Park; role: analyst\n"
	      "pass = It rose.\n"
	      "\n"
	      "[rule speculation.expected]\n"
	      "category = speculation\n"
	      "weight = 0.7\n"
	      "match = is expected to\n"
	      "flag = The firm is expected to grow.\n"
	      "pass = The firm grew.\n", f);
	fclose(f);
	diags d = {0};
	const char *paths[] = {rules};
	rs = ruleset_load(paths, 1, &d);
	if (!rs) diags_print(&d, stderr);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	unlink(rules);
}

static void teardown(void)
{
	ruleset_free(rs);
	rs = NULL;
	char tmp[4300];
	unlink(db_path);
	snprintf(tmp, sizeof tmp, "%s-wal", db_path);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s-shm", db_path);
	unlink(tmp);
}

static store *open_write(void)
{
	cc_error err;
	store *s = store_open(db_path, STORE_WRITE, &err);
	ck_assert_msg(s != NULL, "store_open: %s", err.msg);
	return s;
}

/* A database holding one run and TEXT under key "k1". */
static store *filled(int64_t *run)
{
	store *s = open_write();
	*run = store_run_begin(s, "0.1.0", rs, "run news");
	ck_assert_int_gt(*run, 0);
	analysis a;
	build(&a, "k1", 0);
	cc_error err;
	ck_assert_msg(store_write(s, *run, &a, rs, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);
	return s;
}

static char *report(sqlite3 *db, const report_options *o, int *rc);

/* ---- schema ------------------------------------------------------------ */

START_TEST(schema_created)
{
	store *s = open_write();
	sqlite3 *db = store_db(s);
	ck_q(db, "SELECT value FROM meta WHERE key = 'schema_version'", "3");
	ck_q(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master"
		 " WHERE type = 'table' ORDER BY name)",
	     "documents,files,meta,runs,sentences,tags,verdicts");
	ck_q(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master"
		 " WHERE type = 'view' ORDER BY name)",
	     "doc_summary,flagged_claims,rule_stats,sources,verdict_tags");
	ck_q(db, "PRAGMA journal_mode", "wal");
	ck_q(db, "PRAGMA foreign_keys", "0"); /* the writer deletes children itself */
	ck_q(db, "PRAGMA synchronous", "1");
	ck_q(db, "PRAGMA secure_delete", "0"); /* zeroing freed bytes costs the writer 3% */
	ck_q(db, "PRAGMA page_size", "16384");
	char want[65];
	sha256_hex(sql_views, strlen(sql_views), want);
	char *got = q(db, "SELECT value FROM meta WHERE key = 'views_sha256'");
	ck_assert_str_eq(got, want);
	free(got);
	ck_q(db, "SELECT count(*) FROM meta WHERE key IN ('created', 'created_by')", "2");
	store_close(s);
}
END_TEST

#define SCHEMA_SQL "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name NOT LIKE 'sqlite%'"

START_TEST(migration_idempotent)
{
	store *s = open_write();
	char *before = q(store_db(s), SCHEMA_SQL);
	char *meta = q(store_db(s), "SELECT group_concat(key || '=' || value) FROM meta");
	store_close(s);
	for (int i = 0; i < 3; i++) {
		s = open_write();
		char *after = q(store_db(s), SCHEMA_SQL);
		char *meta2 = q(store_db(s), "SELECT group_concat(key || '=' || value) FROM meta");
		ck_assert_str_eq(after, before);
		ck_assert_str_eq(meta2, meta);
		free(after);
		free(meta2);
		store_close(s);
	}
	free(before);
	free(meta);
}
END_TEST

START_TEST(views_refreshed_on_write_open)
{
	store *s = open_write();
	sqlite3_exec(store_db(s), "DROP VIEW rule_stats; UPDATE meta SET value = 'old'"
				  " WHERE key = 'views_sha256'", NULL, NULL, NULL);
	store_close(s);
	s = open_write();
	ck_q(store_db(s), "SELECT count(*) FROM sqlite_master WHERE name = 'rule_stats'", "1");
	ck_q(store_db(s), "SELECT value != 'old' FROM meta WHERE key = 'views_sha256'", "1");
	store_close(s);
}
END_TEST

START_TEST(read_open_with_stale_views)
{
	int64_t run;
	store *s = filled(&run);
	/* as an older claimcheck would have left it: other views */
	ck_assert_int_eq(sqlite3_exec(store_db(s),
				      "DROP VIEW flagged_claims; CREATE VIEW flagged_claims AS"
				      " SELECT 1 AS old; DROP VIEW doc_summary;"
				      " UPDATE meta SET value = 'old' WHERE key = 'views_sha256'",
				      NULL, NULL, NULL), SQLITE_OK);
	store_close(s);

	cc_error err;
	s = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_q(store_db(s), "SELECT sentence, text FROM flagged_claims ORDER BY sentence",
	     "1|Café Noir may cut 300 jobs next year.\n"
	     "2|Per analyst Dana Whitfield — the plan is expected to save $40 million.");
	ck_q(store_db(s), "SELECT count(*) FROM doc_summary", "1");
	store_close(s);

	/* the file itself was not changed */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_q(db, "SELECT value FROM meta WHERE key = 'views_sha256'", "old");
	ck_q(db, "SELECT count(*) FROM sqlite_master WHERE name = 'doc_summary'", "0");
	sqlite3_close(db);
}
END_TEST

/* Schema versions a database may carry, and what opening it does. */
static const struct {
	const char *sql;   /* run on a fresh database before reopening */
	int write_ok, read_ok;
	const char *msg;   /* expected in the error */
} versions[] = {
	{"UPDATE meta SET value = '99' WHERE key = 'schema_version'", 0, 0, "schema version 99, newer"},
	{"UPDATE meta SET value = '4' WHERE key = 'schema_version'", 0, 0, "newer than this claimcheck"},
	{"DELETE FROM meta WHERE key = 'schema_version'", 0, 0, "not a claimcheck database"},
	{"UPDATE meta SET value = '3' WHERE key = 'schema_version'", 1, 1, NULL},
	/* as schema version 2 left it: no runs.status */
	{"ALTER TABLE runs DROP COLUMN status; UPDATE meta SET value = '2' WHERE key = 'schema_version'",
	 1, 1, NULL},
	/* as schema version 1 left it: no files table either */
	{"DROP TABLE files; ALTER TABLE runs DROP COLUMN status;"
	 " UPDATE meta SET value = '1' WHERE key = 'schema_version'", 1, 1, NULL},
};

START_TEST(schema_versions)
{
	store *s = open_write();
	ck_assert_int_eq(sqlite3_exec(store_db(s), versions[_i].sql, NULL, NULL, NULL), SQLITE_OK);
	store_close(s);

	for (int mode = 0; mode < 2; mode++) {
		cc_error err;
		s = store_open(db_path, mode ? STORE_WRITE : STORE_READ, &err);
		int ok = mode ? versions[_i].write_ok : versions[_i].read_ok;
		if (ok) {
			ck_assert_msg(s != NULL, "%s", err.msg);
			store_close(s);
			continue;
		}
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err.msg, versions[_i].msg) != NULL, "message: %s", err.msg);
		ck_assert_msg(strstr(err.msg, db_path) != NULL, "message names the file: %s", err.msg);
	}
}
END_TEST

START_TEST(migration_1_to_2)
{
	int64_t run;
	store *s = filled(&run);
	ck_assert_int_eq(sqlite3_exec(store_db(s), "DROP TABLE files; ALTER TABLE runs DROP COLUMN status;"
				      " UPDATE meta SET value = '1' WHERE key = 'schema_version'", NULL, NULL,
				      NULL), SQLITE_OK);
	store_close(s);

	/* a reader of a version 1 database works, without the fast path */
	cc_error err;
	file_stamp fs = {10, 20, 30, 40};
	uint64_t n = 99;
	store *ro = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(ro != NULL, "%s", err.msg);
	ck_assert_int_eq(store_file_is_current(ro, "news/cafe.txt", &fs, FMT_TXT, ruleset_hash(rs), &n), 0);
	ck_assert_int_eq(n, 99);
	store_close(ro);

	s = open_write();
	ck_q(store_db(s), "SELECT value FROM meta WHERE key = 'schema_version'", "3");
	ck_q(store_db(s), "SELECT count(*) FROM files", "0");
	ck_q(store_db(s), "SELECT key FROM documents", "k1");
	store_close(s);
}
END_TEST

/* Migration 3 adds runs.status: runs with a finish time were complete,
 * the others are left 'running' (killed, or stopped by an error). */
START_TEST(migration_2_to_3)
{
	int64_t run;
	store *s = filled(&run);
	run_totals t = {.documents = 1};
	store_run_end(s, run, &t);
	int64_t run2 = store_run_begin(s, "0.1.0", rs, "run news");
	ck_assert_int_gt(run2, run);
	ck_assert_int_eq(sqlite3_exec(store_db(s), "ALTER TABLE runs DROP COLUMN status;"
				      " UPDATE meta SET value = '2' WHERE key = 'schema_version'", NULL, NULL,
				      NULL), SQLITE_OK);
	store_close(s);
	s = open_write();
	ck_q(store_db(s), "SELECT value FROM meta WHERE key = 'schema_version'", "3");
	ck_q(store_db(s), "SELECT group_concat(status, ',') FROM (SELECT status FROM runs ORDER BY id)",
	     "complete,running");
	store_close(s);
}
END_TEST

/* How a run ended: complete, interrupted (its totals committed), or failed
 * (the open batch rolled back, the status and totals recorded). */
START_TEST(run_status_recorded)
{
	int64_t run;
	store *s = filled(&run);
	cc_error err;
	run_totals t = {.documents = 1};
	ck_assert_int_eq(store_run_finish(s, run, &t, RUN_INTERRUPTED, &err), 0);
	ck_q(store_db(s), "SELECT status, documents, finished IS NOT NULL FROM runs", "interrupted|1|1");

	int64_t run2 = store_run_begin(s, "0.1.0", rs, "run news");
	analysis a;
	build(&a, "k2", 0);
	ck_assert_int_eq(store_write(s, run2, &a, rs, &err), 0); /* in the open batch */
	drop(&a);
	t.documents = 0;
	ck_assert_int_eq(store_run_finish(s, run2, &t, RUN_FAILED, &err), 0);
	ck_q(store_db(s), "SELECT group_concat(status, ',') FROM (SELECT status FROM runs ORDER BY id)",
	     "interrupted,failed");
	ck_q(store_db(s), "SELECT group_concat(key, ',') FROM documents", "k1");
	store_close(s);
}
END_TEST

START_TEST(not_claimcheck)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE recipes (name TEXT)", NULL, NULL, NULL);
	sqlite3_close(db);
	cc_error err;
	ck_assert_ptr_null(store_open(db_path, STORE_WRITE, &err));
	ck_assert_msg(strstr(err.msg, "not a claimcheck database"), "%s", err.msg);
	ck_assert_ptr_null(store_open(db_path, STORE_READ, &err));
	ck_assert_msg(strstr(err.msg, "not a claimcheck database"), "%s", err.msg);

	FILE *f = fopen(db_path, "w");
	for (int i = 0; i < 40; i++)
		fputs("this is a text file, not a database; it is long enough to have a header\n", f);
	fclose(f);
	ck_assert_ptr_null(store_open(db_path, STORE_WRITE, &err));
	ck_assert_msg(strstr(err.msg, db_path) && strstr(err.msg, "not an SQLite database"), "%s",
		      err.msg);
	ck_assert_ptr_null(store_open(db_path, STORE_READ, &err));
	ck_assert_msg(strstr(err.msg, "not an SQLite database"), "%s", err.msg);

	unlink(db_path);
	ck_assert_ptr_null(store_open(db_path, STORE_READ, &err));
	ck_assert_msg(strstr(err.msg, db_path) && strstr(err.msg, "cannot open"), "%s", err.msg);
	ck_assert_int_ne(access(db_path, F_OK), 0); /* a read open creates nothing */
}
END_TEST

/* ---- rows -------------------------------------------------------------- */

START_TEST(rows_written)
{
	int64_t run;
	store *s = filled(&run);
	sqlite3 *db = store_db(s);
	char want[2048], hash[65];
	sha256_hex(TEXT, strlen(TEXT), hash);

	snprintf(want, sizeof want,
		 "k1|news/cafe.txt|NULL|NULL|Café Noir cuts|txt|%s|%s|%zu|%s|%lld|%lld|2|2|1|1|0|1|3"
		 "|0.5|0.5|0.0|0.5|0.8|0.625|NULL|NULL|NULL|NULL",
		 RAW_HASH, hash, strlen(TEXT), ruleset_hash(rs), (long long)run, (long long)run);
	ck_q(db, "SELECT key, path, ext_id, line, title, format, raw_hash, text_hash, bytes,"
		 " ruleset_hash, run_id, seen_run, n_sentences, n_flagged, n_hedged, n_speculative,"
		 " n_weasel, n_sourced, n_tags, hedge_density, speculation_density, weasel_density,"
		 " sourced_share, checkworthy_max, checkworthy_mean, error, error_offset, error_line,"
		 " warning FROM documents", want);
	ck_q(db, "SELECT text = '" "Café Noir may cut 300 jobs next year.\n\n"
		 "Per analyst Dana Whitfield — the plan is expected to save $40 million.' FROM documents",
	     "1");

	span s2 = find(TEXT, "Per ");
	snprintf(want, sizeof want,
		 "1|0|%u|para|8|0.6|0.0|0.0|0.6|0.7|0.8|0|1\n"
		 "2|%u|%zu|para|13|0.0|0.7|0.0|0.7|0.9|0.45|1|1",
		 find(TEXT, "year.").end, s2.start, strlen(TEXT));
	ck_q(db, "SELECT idx, start, end, kind, ntokens, hedge, speculation, weasel, uncertainty,"
		 " factual, checkworthy, sourced, flagged FROM sentences ORDER BY idx", want);

	span may = find(TEXT, "may"), per = find(TEXT, "Per"), whit = find(TEXT, "Whitfield");
	span exp = find(TEXT, "is expected to");
	span dana = find(TEXT, "Dana Whitfield");
	snprintf(want, sizeof want,
		 "1|1|hedge.modal|hedge|0.6|%u|%u|%u|%u|may|NULL|NULL|NULL|NULL|NULL\n"
		 "2|2|source.per|source|0.9|%u|%u|%u|%u|Per|Dana Whitfield|analyst|0|%u|%u\n"
		 "2|3|speculation.expected|speculation|0.7|%u|%u|%u|%u|is expected to|NULL|NULL|NULL"
		 "|NULL|NULL",
		 may.start, may.end, may.start, may.end, per.start, whit.end, per.start, per.end,
		 dana.start, dana.end, exp.start, exp.end, exp.start, exp.end);
	ck_q(db, "SELECT sentence, idx, rule, category, weight, start, end, cue_start, cue_end, cue,"
		 " source, role, anonymous, source_start, source_end FROM tags"
		 " WHERE doc_id = (SELECT id FROM documents) ORDER BY idx", want);

	snprintf(want, sizeof want, "2|2|source.per|Dana Whitfield|analyst|Per|0|%u|%u",
		 dana.start, dana.end);
	ck_q(db, "SELECT sentence, tag, rule, name, role, cue, anonymous, start, end FROM sources",
	     want);

	snprintf(want, sizeof want, "0.1.0|%s|run news|1|1", ruleset_hash(rs));
	ck_q(db, "SELECT tool_version, ruleset_hash, args, finished IS NULL,"
		 " started GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
		 "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' FROM runs", want);
	store_close(s);
}
END_TEST

/* Documents of 1 to 1000 sentences, one tag each, a suppressed one more in
 * every third and a source tag more in every fourth: every row lands once,
 * in order, the stored tags numbered 1.. without gaps, whatever the number
 * of rows the INSERT ... SELECT from the row virtual tables takes (the
 * counts around 32 and 64 were the sizes of the multi-row statements
 * before them). */
static const unsigned row_counts[] = {1, 2, 3, 31, 32, 33, 63, 64, 65, 100, 1000};

START_TEST(many_rows)
{
	store *s = open_write();
	cc_error err;
	for (size_t k = 0; k < sizeof row_counts / sizeof *row_counts; k++) {
		unsigned n = row_counts[k];
		analysis a;
		char key[16];
		snprintf(key, sizeof key, "m%u", n);
		build(&a, key, 0);
		a.sents.n = a.tags.n = 0;
		span may = find(TEXT, "may"), per = find(TEXT, "Per");
		span dana = find(TEXT, "Dana Whitfield");
		for (unsigned i = 0; i < n; i++) {
			sentence_rec r = {.start = i, .end = i + 1, .kind = BLOCK_PARA,
					  .tag_first = (uint32_t)a.tags.n, .ntokens = i + 2};
			push_tag(&a, "hedge.modal", CAT_HEDGE, may, may);
			if (i % 3 == 1) {
				push_tag(&a, "hedge.modal", CAT_HEDGE, per, per);
				a.tags.v[a.tags.n - 1].suppressed = 1;
			}
			if (i % 4 == 2) {
				push_tag(&a, "source.per", CAT_SOURCE, per, per);
				a.tags.v[a.tags.n - 1].source = dana;
			}
			r.tag_count = (uint32_t)(a.tags.n - r.tag_first);
			VEC_PUSH(&a.sents, r);
		}
		ck_assert_msg(store_write(s, 0, &a, rs, &err) == 0, "%s", err.msg);
		drop(&a);
	}
	ck_assert_int_eq(store_flush(s, &err), 0);
	sqlite3 *db = store_db(s);
	for (size_t k = 0; k < sizeof row_counts / sizeof *row_counts; k++) {
		unsigned n = row_counts[k];
		char sql[512], want[128];
		snprintf(sql, sizeof sql,
			 "SELECT count(*), min(idx), max(idx), sum(idx = start + 1), sum(ntokens = idx + 1)"
			 " FROM sentences WHERE doc_id = (SELECT id FROM documents WHERE key = 'm%u')", n);
		snprintf(want, sizeof want, "%u|1|%u|%u|%u", n, n, n, n);
		ck_q(db, sql, want);
		unsigned src = (n + 1) / 4, m = n + src;
		snprintf(sql, sizeof sql,
			 "SELECT count(*), count(DISTINCT idx), min(idx), max(idx), sum(cue = 'may'),"
			 " sum(rule = 'source.per' AND sentence %% 4 = 3 AND source = 'Dana Whitfield'),"
			 " count(DISTINCT sentence) FROM tags"
			 " WHERE doc_id = (SELECT id FROM documents WHERE key = 'm%u')", n);
		snprintf(want, sizeof want, "%u|%u|1|%u|%u|%u|%u", m, m, m, n, src, n);
		ck_q(db, sql, want);
		/* numbered in sentence order, the source tag after the hedge */
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM tags a JOIN tags b ON a.doc_id = b.doc_id"
			 " AND b.idx = a.idx + 1 WHERE a.doc_id = (SELECT id FROM documents"
			 " WHERE key = 'm%u') AND (b.sentence != a.sentence + (a.rule = 'source.per'"
			 " OR a.sentence %% 4 != 3) OR b.rule != (CASE WHEN b.sentence = a.sentence"
			 " THEN 'source.per' ELSE 'hedge.modal' END))", n);
		ck_q(db, sql, "0");
	}
	store_close(s);
}
END_TEST

/* Several documents in one call: the same rows as one by one, a key that
 * comes twice keeps its last analysis (and nothing of the first), a failed
 * document gets its error row; a failure rolls back and names the
 * document. */
START_TEST(write_many)
{
	store *s = open_write();
	sqlite3 *db = store_db(s);
	analysis a[5];
	build(&a[0], "k1", 0);
	build(&a[1], "k2", 1);
	build(&a[2], "k1", 1);
	build_failed(&a[3], "bad");
	build(&a[4], "k3", 0);
	const analysis *p[5] = {&a[0], &a[1], &a[2], &a[3], &a[4]};
	cc_error err;
	ck_assert_msg(store_write_many(s, 0, p, 5, rs, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_write_many(s, 0, p, 0, rs, &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	for (int i = 0; i < 5; i++) drop(&a[i]);
	ck_q(db, "SELECT key, n_flagged, n_tags, error IS NOT NULL FROM documents ORDER BY key",
	     "bad|NULL|NULL|1\nk1|1|2|0\nk2|1|2|0\nk3|2|3|0");
	ck_q(db, "SELECT d.key, group_concat(s.idx || ':' || s.start || '-' || s.end || ':' ||"
		 " s.checkworthy || ':' || s.flagged, ' ') FROM sentences s JOIN documents d"
		 " ON d.id = s.doc_id GROUP BY d.key ORDER BY d.key",
	     "k1|1:0-38:0.5:1 2:40-112:0.45:0\nk2|1:0-38:0.5:1 2:40-112:0.45:0\n"
	     "k3|1:0-38:0.8:1 2:40-112:0.45:1");
	ck_q(db, "SELECT d.key, group_concat(t.sentence || '.' || t.idx || ':' || t.rule || ':' ||"
		 " t.cue || ':' || ifnull(t.source, '-'), ' ') FROM tags t JOIN documents d"
		 " ON d.id = t.doc_id GROUP BY d.key ORDER BY d.key",
	     "k1|1.1:hedge.modal:may:- 2.2:source.per:Per:Dana Whitfield\n"
	     "k2|1.1:hedge.modal:may:- 2.2:source.per:Per:Dana Whitfield\n"
	     "k3|1.1:hedge.modal:may:- 2.2:source.per:Per:Dana Whitfield"
	     " 2.3:speculation.expected:is expected to:-");
	ck_q(db, "SELECT (SELECT count(*) FROM sentences WHERE doc_id NOT IN (SELECT id FROM documents))"
		 " + (SELECT count(*) FROM tags WHERE doc_id NOT IN (SELECT id FROM documents))", "0");
	ck_q(db, "SELECT count(*) FROM cc_sentence_rows", "0");
	ck_q(db, "SELECT count(*) FROM cc_tag_rows", "0");

	/* a full disk in the middle of a call */
	build(&a[0], "small", 0);
	ck_assert_int_eq(store_write(s, 0, &a[0], rs, &err), 0);
	drop(&a[0]);
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", qi(db, "PRAGMA page_count") + 2);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	build(&a[0], "k4", 0);
	build_big(&a[1], "big", 2000);
	build(&a[2], "k5", 0);
	ck_assert_int_eq(store_write_many(s, 0, p, 3, rs, &err), -1);
	for (int i = 0; i < 3; i++) drop(&a[i]);
	ck_assert_msg(strstr(err.msg, "full") && strstr(err.msg, "'big'") &&
		      strstr(err.msg, "rolled back 2 earlier documents"), "message: %s", err.msg);
	ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
	ck_q(db, "SELECT group_concat(key) FROM (SELECT key FROM documents ORDER BY key)", "bad,k1,k2,k3");
	ck_q(db, "SELECT count(*) FROM sentences", "6");
	/* the first one fails: it is the one named */
	build_big(&a[0], "big", 2000);
	build(&a[1], "k6", 0);
	ck_assert_int_eq(store_write_many(s, 0, p, 2, rs, &err), -1);
	for (int i = 0; i < 2; i++) drop(&a[i]);
	ck_assert_msg(strstr(err.msg, "cannot write 'big': ") && !strstr(err.msg, "after it") &&
		      strstr(err.msg, "rolled back 0 earlier documents"), "message: %s", err.msg);
	ck_q(db, "SELECT count(*) FROM documents", "4");
	store_close(s);
}
END_TEST

/* The virtual tables the writer inserts sentences and tags from
 * (cc_sentence_rows, cc_tag_rows) exist on the write connection only, show
 * no rows between writes (no pointer into a finished analysis is read),
 * leave nothing in the file, and cannot be read through a view or a
 * trigger of the database. */
START_TEST(row_tables_private)
{
	int64_t run;
	store *s = filled(&run);
	sqlite3 *db = store_db(s);
	ck_q(db, "SELECT count(*) FROM sentences", "2");
	ck_q(db, "SELECT count(*) FROM cc_sentence_rows", "0");
	ck_q(db, "SELECT count(*) FROM cc_tag_rows", "0");
	ck_q(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'cc%'", "0");
	ck_assert_int_ne(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING cc_tag_rows", NULL, NULL, NULL),
			 SQLITE_OK);
#ifdef SQLITE_VTAB_DIRECTONLY
	/* (a view in the file: a TEMP one is the connection's own) */
	ck_assert_int_eq(sqlite3_exec(db, "CREATE VIEW v AS SELECT * FROM cc_tag_rows", NULL,
				      NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "SELECT * FROM v", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP VIEW v", NULL, NULL, NULL), SQLITE_OK);
#endif
	store_close(s);

	cc_error err;
	s = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	sqlite3_stmt *st = NULL;
	ck_assert_int_ne(sqlite3_prepare_v2(store_db(s), "SELECT * FROM cc_tag_rows", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_finalize(st);
	store_close(s);
}
END_TEST

START_TEST(rewrite_replaces)
{
	int64_t run;
	store *s = filled(&run);
	sqlite3 *db = store_db(s);
	analysis a;
	cc_error err;
	build(&a, "k2", 0);
	ck_assert_int_eq(store_write(s, run, &a, rs, &err), 0);
	drop(&a);

	int64_t run2 = store_run_begin(s, "0.1.0", rs, "again");
	build(&a, "k1", 1);
	ck_assert_msg(store_write(s, run2, &a, rs, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);

	char want[64];
	snprintf(want, sizeof want, "k1|%lld|1|2\nk2|%lld|2|3", (long long)run2, (long long)run);
	ck_q(db, "SELECT key, run_id, n_flagged, n_tags FROM documents ORDER BY key", want);
	ck_q(db, "SELECT d.key, count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id"
		 " GROUP BY d.key ORDER BY d.key", "k1|2\nk2|2");
	ck_q(db, "SELECT d.key, group_concat(t.rule) FROM tags t JOIN documents d ON d.id = t.doc_id"
		 " GROUP BY d.key ORDER BY d.key",
	     "k1|hedge.modal,source.per\nk2|hedge.modal,source.per,speculation.expected");
	ck_q(db, "SELECT count(*) FROM sources", "2");
	/* nothing left behind */
	ck_q(db, "SELECT (SELECT count(*) FROM sentences WHERE doc_id NOT IN (SELECT id FROM documents))"
		 " + (SELECT count(*) FROM tags WHERE doc_id NOT IN (SELECT id FROM documents))", "0");
	ck_q(db, "PRAGMA foreign_key_check", "");
	store_close(s);
}
END_TEST

static const struct {
	const char *key, *raw_hash, *rules_hash;
	int current;
} currency[] = {
	{"k1", RAW_HASH, NULL, 1},
	{"k1", "bbbb000000000000000000000000000000000000000000000000000000000002", NULL, 0},
	{"k1", RAW_HASH, "2222222222222222222222222222222222222222222222222222222222222222", 0},
	{"k9", RAW_HASH, NULL, 0},
	{"bad", RAW_HASH, NULL, 0},
	{"k1", "", NULL, 0},
};

START_TEST(is_current)
{
	int64_t run;
	store *s = filled(&run);
	analysis a;
	cc_error err;
	build_failed(&a, "bad");
	ck_assert_int_eq(store_write(s, run, &a, rs, &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);

	const char *rh = currency[_i].rules_hash ? currency[_i].rules_hash : ruleset_hash(rs);
	/* the writer's handle and a reader's agree */
	ck_assert_int_eq(store_is_current(s, currency[_i].key, currency[_i].raw_hash, rh),
			 currency[_i].current);
	store *ro = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(ro != NULL, "%s", err.msg);
	ck_assert_int_eq(store_is_current(ro, currency[_i].key, currency[_i].raw_hash, rh),
			 currency[_i].current);
	store_close(ro);
	store_close(s);
}
END_TEST

START_TEST(touch_sets_seen_run)
{
	int64_t run;
	store *s = filled(&run);
	int64_t run2 = store_run_begin(s, "0.1.0", rs, NULL);
	cc_error err;
	ck_assert_int_eq(store_touch(s, run2, "k1", &err), 0);
	ck_assert_int_eq(store_touch(s, run2, "nothing-here", &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	char want[64];
	snprintf(want, sizeof want, "%lld|%lld", (long long)run, (long long)run2);
	ck_q(store_db(s), "SELECT run_id, seen_run FROM documents", want);

	run_totals t = {.documents = 3, .skipped = 1, .failed = 2, .sentences = 40, .flagged = 7,
			.tags = 9, .bytes = 12345, .by_category = {4, 3, 1, 1}};
	store_run_end(s, run2, &t);
	ck_q(store_db(s), "SELECT documents, skipped, failed, sentences, flagged, tags, bytes,"
			  " hedge_tags, speculation_tags, weasel_tags, source_tags, args,"
			  " finished >= started FROM runs ORDER BY id DESC LIMIT 1",
	     "3|1|2|40|7|9|12345|4|3|1|1|NULL|1");
	store_close(s);
}
END_TEST

/* A stamp and what differs from it (or nothing). */
static const struct {
	file_stamp fs;
	const char *path, *rules_hash;
	doc_format fmt;
	int current;
} stamps[] = {
	{{1000, 2000000000123, 2000000000456, 77}, "news/cafe.txt", NULL, FMT_TXT, 1},
	{{1001, 2000000000123, 2000000000456, 77}, "news/cafe.txt", NULL, FMT_TXT, 0},
	{{1000, 2000000000124, 2000000000456, 77}, "news/cafe.txt", NULL, FMT_TXT, 0},
	{{1000, 2000000000123, 2000000000457, 77}, "news/cafe.txt", NULL, FMT_TXT, 0},
	{{1000, 2000000000123, 2000000000456, 78}, "news/cafe.txt", NULL, FMT_TXT, 0},
	{{1000, 2000000000123, 2000000000456, 77}, "news/cafe.md", NULL, FMT_TXT, 0},
	{{1000, 2000000000123, 2000000000456, 77}, "news/cafe.txt", NULL, FMT_MD, 0},
	{{1000, 2000000000123, 2000000000456, 77}, "news/cafe.txt",
	 "2222222222222222222222222222222222222222222222222222222222222222", FMT_TXT, 0},
};

START_TEST(file_fast_path)
{
	int64_t run;
	store *s = filled(&run);
	cc_error err;
	const file_stamp fs = stamps[0].fs;
	ck_assert_int_eq(store_file_done(s, run, "news/cafe.txt", &fs, FMT_TXT, rs, 1, &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	char want[200];
	snprintf(want, sizeof want, "news/cafe.txt|1000|2000000000123|2000000000456|77|txt|1|%lld|%lld|1",
		 (long long)run, (long long)run);
	ck_q(store_db(s), "SELECT path, size, mtime_ns, ctime_ns, inode, format, documents, run_id,"
			  " seen_run, ruleset_hash = (SELECT ruleset_hash FROM runs) FROM files", want);

	const char *rh = stamps[_i].rules_hash ? stamps[_i].rules_hash : ruleset_hash(rs);
	uint64_t n = 0;
	/* the writer's handle and a reader's agree */
	ck_assert_int_eq(store_file_is_current(s, stamps[_i].path, &stamps[_i].fs, stamps[_i].fmt, rh, &n),
			 stamps[_i].current);
	store *ro = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(ro != NULL, "%s", err.msg);
	n = 0;
	ck_assert_int_eq(store_file_is_current(ro, stamps[_i].path, &stamps[_i].fs, stamps[_i].fmt, rh, &n),
			 stamps[_i].current);
	ck_assert_int_eq(n, stamps[_i].current ? 1 : 0);
	store_close(ro);
	store_close(s);
}
END_TEST

START_TEST(file_touch_and_forget)
{
	int64_t run;
	store *s = filled(&run);
	cc_error err;
	file_stamp fs = {1000, 5, 6, 7};
	uint64_t n = 0;
	ck_assert_int_eq(store_file_done(s, run, "news/cafe.txt", &fs, FMT_TXT, rs, 1, &err), 0);
	ck_assert_int_eq(store_file_done(s, run, "news/other.jsonl", &fs, FMT_JSONL, rs, 3, &err), 0);
	int64_t run2 = store_run_begin(s, "0.1.0", rs, NULL);
	ck_assert_int_eq(store_file_touch(s, run2, "news/other.jsonl", &err), 0);
	ck_assert_int_eq(store_file_touch(s, run2, "nothing-here", &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	char want[200];
	snprintf(want, sizeof want, "news/cafe.txt|%lld|%lld\nnews/other.jsonl|%lld|%lld",
		 (long long)run, (long long)run, (long long)run, (long long)run2);
	ck_q(store_db(s), "SELECT path, run_id, seen_run FROM files ORDER BY path", want);
	ck_assert_int_eq(store_file_is_current(s, "news/other.jsonl", &fs, FMT_JSONL, ruleset_hash(rs), &n), 1);
	ck_assert_int_eq(n, 3);

	/* writing a document of a file (here a failure) forgets the file */
	analysis a;
	build_failed(&a, "k2");
	free(a.doc.path);
	a.doc.path = xstrdup("news/other.jsonl");
	ck_assert_int_eq(store_write(s, run2, &a, rs, &err), 0);
	drop(&a);
	ck_assert_int_eq(store_file_is_current(s, "news/other.jsonl", &fs, FMT_JSONL, ruleset_hash(rs), &n), 0);
	build(&a, "k1", 1); /* path news/cafe.txt */
	ck_assert_int_eq(store_write(s, run2, &a, rs, &err), 0);
	drop(&a);
	ck_assert_int_eq(store_flush(s, &err), 0);
	ck_q(store_db(s), "SELECT count(*) FROM files", "0");

	/* read-only handles cannot record */
	store *ro = store_open(db_path, STORE_READ, &err);
	ck_assert_int_eq(store_file_done(ro, run, "x", &fs, FMT_TXT, rs, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "read-only") != NULL, "%s", err.msg);
	ck_assert_int_eq(store_file_touch(ro, run, "x", &err), -1);
	store_close(ro);
	store_close(s);
}
END_TEST

START_TEST(failed_document)
{
	int64_t run;
	store *s = filled(&run);
	analysis a;
	cc_error err;
	build_failed(&a, "k1"); /* the good document went bad */
	ck_assert_int_eq(store_write(s, run, &a, rs, &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);
	ck_q(store_db(s), "SELECT key, path, ext_id, line, error, error_offset, error_line, text,"
			  " text_hash, n_sentences, hedge_density, raw_hash IS NOT NULL FROM documents",
	     "k1|news/bad.jsonl|17|4|invalid UTF-8|12|4|NULL|NULL|NULL|NULL|1");
	ck_q(store_db(s), "SELECT (SELECT count(*) FROM sentences) + (SELECT count(*) FROM tags)",
	     "0");
	ck_q(store_db(s), "SELECT error FROM doc_summary", "invalid UTF-8");
	store_close(s);
}
END_TEST

START_TEST(verdicts_survive)
{
	int64_t run;
	store *s = filled(&run);
	sqlite3 *db = store_db(s);
	span may = find(TEXT, "may"), exp = find(TEXT, "is expected to");
	char hash[65], sql[1024];
	sha256_hex(TEXT, strlen(TEXT), hash);
	snprintf(sql, sizeof sql,
		 "INSERT INTO verdicts (doc_hash, start, end, rule, verdict, reviewer) VALUES"
		 " ('%s', %u, %u, 'hedge.modal', 'confirmed', 'ana'),"
		 " ('%s', %u, %u, 'speculation.expected', 'false_positive', 'ana'),"
		 " ('%s', 0, %u, '', 'unsure', 'bo')",
		 hash, may.start, may.end, hash, exp.start, exp.end, hash, find(TEXT, "year.").end);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO verdicts (doc_hash, start, end, rule, verdict)"
				      " VALUES ('x', 1, 2, 'r', 'maybe')", NULL, NULL, NULL),
			 SQLITE_OK);

	/* the same text again, then without the speculation tag */
	for (int variant = 0; variant < 2; variant++) {
		analysis a;
		cc_error err;
		build(&a, "k1", variant);
		ck_assert_int_eq(store_write(s, run, &a, rs, &err), 0);
		ck_assert_int_eq(store_flush(s, &err), 0);
		drop(&a);
		ck_q(db, "SELECT count(*) FROM verdicts", "3");
		ck_q(db, "SELECT rule, verdict, doc_key, text, sentence, tag, category, current"
			 " FROM verdict_tags ORDER BY start",
		     variant == 0
			     ? "|unsure|k1|Café Noir may cut 300 jobs next year.|1|NULL|NULL|1\n"
			       "hedge.modal|confirmed|k1|may|1|1|hedge|1\n"
			       "speculation.expected|false_positive|k1|is expected to|2|3|speculation|1"
			     : "|unsure|k1|Café Noir may cut 300 jobs next year.|1|NULL|NULL|1\n"
			       "hedge.modal|confirmed|k1|may|1|1|hedge|1\n"
			       "speculation.expected|false_positive|k1|is expected to|2|NULL|NULL|0");
	}
	ck_q(db, "SELECT rule, hits, documents, sentences, flagged_sentences, confirmed,"
		 " false_positive, unsure FROM rule_stats ORDER BY rule",
	     "hedge.modal|1|1|1|1|1|0|0\nsource.per|1|1|1|0|0|0|0");
	store_close(s);
}
END_TEST

START_TEST(suppressed_anonymous_warning)
{
	store *s = open_write();
	analysis a;
	cc_error err;
	build(&a, "k1", 1);
	/* a suppressed match is not stored; an unnamed source is marked */
	push_tag(&a, "hedge.modal", CAT_HEDGE, find(TEXT, "cut"), find(TEXT, "cut"));
	a.tags.v[a.tags.n - 1].suppressed = 1;
	/* sentence 1 gets tags 0 and 1 (the suppressed one), sentence 2 tag 2 */
	tag sup = a.tags.v[2];
	a.tags.v[2] = a.tags.v[1];
	a.tags.v[1] = sup;
	a.sents.v[0].tag_count = 2;
	a.sents.v[1].tag_first = 2;
	a.tags.v[2].anonymous = 1;
	a.tags.v[2].source = (span){0, 0};
	a.tags.v[2].role = (span){0, 0};
	a.sents.v[1].sc.flagged = 1;
	a.warning = xstrdup("rule x hit its match limit");
	ck_assert_msg(store_write(s, 0, &a, rs, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);

	sqlite3 *db = store_db(s);
	ck_q(db, "SELECT sentence, idx, rule, cue FROM tags ORDER BY idx",
	     "1|1|hedge.modal|may\n2|2|source.per|Per");
	ck_q(db, "SELECT n_tags, warning FROM documents", "2|rule x hit its match limit");
	ck_q(db, "SELECT name, role, anonymous, start, end FROM sources", "NULL|NULL|1|NULL|NULL");
	ck_q(db, "SELECT sources FROM flagged_claims WHERE sentence = 2", "? [anonymous]");

	report_options o = {.format = REPORT_TEXT, .category = "source"};
	int rc;
	char *out = report(db, &o, &rc);
	ck_assert_msg(strstr(out, "   source: (unnamed), Per; anonymous\n") != NULL, "%s", out);
	free(out);
	store_close(s);
}
END_TEST

/* ---- views ------------------------------------------------------------- */

START_TEST(views_rows)
{
	int64_t run;
	store *s = filled(&run);
	sqlite3 *db = store_db(s);
	ck_q(db, "SELECT doc_key, title, sentence, kind, text, checkworthy, uncertainty,"
		 " categories, rules, cues, sources FROM flagged_claims ORDER BY checkworthy DESC",
	     "k1|Café Noir cuts|1|para|Café Noir may cut 300 jobs next year.|0.8|0.6|hedge|"
	     "hedge.modal|may|NULL\n"
	     "k1|Café Noir cuts|2|para|Per analyst Dana Whitfield — the plan is expected to save"
	     " $40 million.|0.45|0.7|source,speculation|source.per,speculation.expected|"
	     "Per,is expected to|Dana Whitfield (analyst)");
	ck_q(db, "SELECT doc_key, sentences, flagged, hedged, speculative, sourced, tags,"
		 " hedge_density, sourced_claims_share, checkworthy_max, error FROM doc_summary",
	     "k1|2|2|1|1|1|3|0.5|0.5|0.8|NULL");
	ck_q(db, "SELECT rule, category, hits, documents, sentences, flagged_sentences"
		 " FROM rule_stats ORDER BY rule",
	     "hedge.modal|hedge|1|1|1|1\nsource.per|source|1|1|1|1\n"
	     "speculation.expected|speculation|1|1|1|1");
	/* the report query walks the partial index */
	ck_q(db, "SELECT count(*) FROM sentences INDEXED BY sentences_flagged WHERE flagged = 1",
	     "2");
	store_close(s);
}
END_TEST

/* ---- batches and failures ---------------------------------------------- */

START_TEST(batch_commits)
{
	store *s = open_write();
	store_set_batch(s, 2);
	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cc_error err;
	const char *keys[] = {"a", "b", "c"};
	long long seen[3];
	for (int i = 0; i < 3; i++) {
		analysis a;
		build(&a, keys[i], 0);
		ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
		drop(&a);
		seen[i] = qi(other, "SELECT count(*) FROM documents");
	}
	ck_assert_int_eq(seen[0], 0);
	ck_assert_int_eq(seen[1], 2);
	ck_assert_int_eq(seen[2], 2);
	ck_assert_int_eq(store_flush(s, &err), 0);
	ck_assert_int_eq(qi(other, "SELECT count(*) FROM documents"), 3);
	ck_assert_int_eq(qi(other, "SELECT count(*) FROM documents WHERE run_id IS NULL"), 3);

	analysis a;
	build(&a, "d", 0);
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
	drop(&a);
	store_close(s); /* commits */
	ck_assert_int_eq(qi(other, "SELECT count(*) FROM documents"), 4);
	sqlite3_close(other);
}
END_TEST

/* Write one document of about 55 KB (four overflow pages of text) in a
 * commit of its own. */
static void write_big(store *s, const char *key)
{
	analysis a;
	build_big(&a, key, 500);
	cc_error err;
	ck_assert_msg(store_write(s, 0, &a, rs, &err) == 0, "%s", err.msg);
	drop(&a);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The checkpoints of store_checkpoint_in_background: the thread copies
 * the WAL into the database file (from 4 pages here; SQLite's own
 * checkpoint would wait for 4096) after a commit of fewer than 16 pages,
 * where the writer copies nothing itself; from 16 pages the writer
 * restarts the WAL, which stays small over 200 commits that add 5 to 10
 * pages each (without the restarts it would grow to 1000 pages or more). */
START_TEST(background_checkpoints)
{
	store *s = open_write();
	store_set_batch(s, 1);
	cc_error err;
	ck_assert_msg(store_checkpoint_in_background(s, 4, &err) == 0, "%s", err.msg);
	char wal[4300];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	const long long frame = 16384 + 24;

	write_big(s, "first"); /* the schema's pages too: the writer copies them */
	long long db0 = file_size(db_path);
	write_big(s, "second"); /* four new overflow pages, among 5 to 10 */
	long long db1 = file_size(db_path);
	for (int i = 0; i < 300 && db1 <= db0; i++) {
		struct timespec ms10 = {0, 10000000};
		nanosleep(&ms10, NULL);
		db1 = file_size(db_path);
	}
	ck_assert_msg(db1 > db0, "the database file stayed at %lld bytes", db1);

	long long most = 0;
	for (int i = 0; i < 200; i++) {
		char key[32];
		snprintf(key, sizeof key, "k%d", i);
		write_big(s, key);
		long long w = file_size(wal);
		if (w > most) most = w;
	}
	ck_assert_msg((most - 32) / frame < 40, "the WAL grew to %lld frames", (most - 32) / frame);
	store_close(s);
	ck_assert_int_eq(file_size(wal), 0);

	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM documents"), 202);
	ck_assert_int_eq(qi(db, "SELECT count(*) FROM sentences"), 404);
	ck_q(db, "PRAGMA integrity_check", "ok");
	sqlite3_close(db);
}
END_TEST

START_TEST(disk_full)
{
	store *s = open_write();
	cc_error err;
	analysis a;
	build(&a, "small", 0);
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
	drop(&a);
	long long pages = qi(store_db(s), "PRAGMA page_count");
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages + 2);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);

	/* a document far larger than the pages left */
	build_big(&a, "big", 2000);
	int rc = store_write(s, 0, &a, rs, &err);
	drop(&a);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err.msg, db_path) && strstr(err.msg, "full") &&
		      strstr(err.msg, "'big'") && strstr(err.msg, "rolled back 1 earlier document"),
		      "message: %s", err.msg);
	ck_assert_int_eq(sqlite3_get_autocommit(store_db(s)), 1);
	ck_assert_int_eq(qi(store_db(s), "SELECT count(*) FROM documents"), 0);

	/* the store goes on working once there is room */
	sqlite3_exec(store_db(s), "PRAGMA max_page_count = 1000000", NULL, NULL, NULL);
	build(&a, "after", 0);
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
	drop(&a);
	ck_assert_int_eq(store_flush(s, &err), 0);
	ck_q(store_db(s), "SELECT key FROM documents", "after");
	store_close(s);
}
END_TEST

/* store_run_finish reports what store_run_end only prints. */
START_TEST(run_finish_failure)
{
	store *s = open_write();
	sqlite3_busy_timeout(store_db(s), 20);
	int64_t run = store_run_begin(s, "0.1.0", rs, "claimcheck run x");
	ck_assert_int_gt(run, 0);
	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open(db_path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	run_totals t = {.documents = 2};
	cc_error err;
	ck_assert_int_eq(store_run_finish(s, run, &t, RUN_COMPLETE, &err), -1);
	ck_assert_msg(strstr(err.msg, db_path) && strstr(err.msg, "cannot record the end of the run") &&
		      strstr(err.msg, "another process is writing to it"), "message: %s", err.msg);
	ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	ck_q(store_db(s), "SELECT status, finished IS NULL FROM runs", "running|1");
	ck_assert_int_eq(store_run_finish(s, run, &t, RUN_COMPLETE, &err), 0);
	ck_assert(!cc_error_isset(&err));
	ck_q(store_db(s), "SELECT documents, finished IS NOT NULL, status FROM runs", "2|1|complete");
	store_close(s);
}
END_TEST

START_TEST(locked)
{
	store *s = open_write();
	sqlite3_busy_timeout(store_db(s), 20);
	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open(db_path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	cc_error err;
	analysis a;
	build(&a, "k1", 0);
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), -1);
	ck_assert_msg(strstr(err.msg, db_path) && strstr(err.msg, "another process"), "%s", err.msg);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
	drop(&a);
	ck_assert_int_eq(store_flush(s, &err), 0);
	sqlite3_close(other);
	store_close(s);
}
END_TEST

START_TEST(read_only_open)
{
	int64_t run;
	store *s = filled(&run);
	store_close(s);
	cc_error err;
	s = store_open(db_path, STORE_READ, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(store_is_current(s, "k1", RAW_HASH, ruleset_hash(rs)), 1);
	analysis a;
	build(&a, "k2", 0);
	ck_assert_int_eq(store_write(s, run, &a, rs, &err), -1);
	ck_assert_msg(strstr(err.msg, "read-only"), "%s", err.msg);
	ck_assert_int_eq(store_touch(s, run, "k1", &err), -1);
	drop(&a);
	ck_q(store_db(s), "SELECT count(*) FROM flagged_claims", "2");
	ck_assert_int_ne(sqlite3_exec(store_db(s), "DELETE FROM documents", NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(s);
}
END_TEST

/* ---- reports ----------------------------------------------------------- */

static char *report(sqlite3 *db, const report_options *o, int *rc)
{
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	*rc = report_claims(db, o, f);
	rewind(f);
	strbuf b = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) strbuf_append(&b, buf, n);
	fclose(f);
	return strbuf_steal(&b);
}

START_TEST(report_text)
{
	int64_t run;
	store *s = filled(&run);
	report_options o = {.format = REPORT_TEXT};
	int rc;
	char *out = report(store_db(s), &o, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out,
		"1. k1:1  check-worthiness 0.80  uncertainty 0.60\n"
		"   Café Noir [[may]] cut 300 jobs next year.\n"
		"   categories: hedge\n"
		"   rules: hedge.modal\n"
		"\n"
		"2. k1:2  check-worthiness 0.45  uncertainty 0.70\n"
		"   [[Per]] analyst Dana Whitfield — the plan [[is expected to]] save $40 million.\n"
		"   categories: source, speculation\n"
		"   rules: source.per, speculation.expected\n"
		"   source: Dana Whitfield (analyst), Per; named\n");
	free(out);

	o.color = 1;
	o.limit = 1;
	out = report(store_db(s), &o, &rc);
	ck_assert_str_eq(out,
		"\033[1m1. k1:1\033[0m  check-worthiness 0.80  uncertainty 0.60\n"
		"   Café Noir \033[1;33mmay\033[0m cut 300 jobs next year.\n"
		"   categories: hedge\n"
		"   rules: hedge.modal\n");
	free(out);
	store_close(s);
}
END_TEST

/* Filters: which sentences come out. */
static const struct {
	const char *category, *document;
	double min_score;
	long limit;
	const char *expect; /* sentence numbers, in order */
} filters[] = {
	{NULL, NULL, 0, 0, "1,2"},
	{"source", NULL, 0, 0, "2"},
	{"hedge", NULL, 0, 0, "1"},
	{"weasel", NULL, 0, 0, ""},
	{NULL, NULL, 0.5, 0, "1"},
	{NULL, NULL, 0.45, 0, "1,2"},
	{NULL, NULL, 0.9, 0, ""},
	{NULL, "k1", 0, 0, "1,2"},
	{NULL, "cafe.txt", 0, 0, "1,2"},
	{NULL, "elsewhere", 0, 0, ""},
	{NULL, NULL, 0, 1, "1"},
	{"speculation", "news/", 0.4, 5, "2"},
};

START_TEST(report_filters)
{
	int64_t run;
	store *s = filled(&run);
	report_options o = {.format = REPORT_CSV, .category = filters[_i].category,
			    .document = filters[_i].document, .min_score = filters[_i].min_score,
			    .limit = filters[_i].limit};
	int rc;
	char *out = report(store_db(s), &o, &rc);
	ck_assert_int_eq(rc, 0);
	/* the sentence number is the 6th field; no field before it is quoted */
	strbuf got = {0};
	char *line = strstr(out, "\r\n") + 2;
	while (*line) {
		char *p = line;
		for (int f = 0; f < 5; f++) p = strchr(p, ',') + 1;
		if (got.len) strbuf_putc(&got, ',');
		strbuf_append(&got, p, strcspn(p, ","));
		line = strstr(line, "\r\n") + 2;
	}
	ck_assert_str_eq(got.data ? got.data : "", filters[_i].expect);
	strbuf_free(&got);
	free(out);
	store_close(s);
}
END_TEST

START_TEST(report_csv_md)
{
	int64_t run;
	store *s = filled(&run);
	report_options o = {.format = REPORT_CSV, .category = "source"};
	int rc;
	char *out = report(store_db(s), &o, &rc);
	char want[2048];
	span s2 = find(TEXT, "Per ");
	snprintf(want, sizeof want,
		 "rank,document,path,ext_id,title,sentence,start,end,checkworthy,uncertainty,hedge,"
		 "speculation,weasel,factual,sourced,categories,rules,cues,sources,text\r\n"
		 "1,k1,news/cafe.txt,,Café Noir cuts,2,%u,%zu,0.4500,0.7000,0.0000,0.7000,0.0000,"
		 "0.9000,1,\"source,speculation\",\"source.per,speculation.expected\","
		 "Per | is expected to,\"Dana Whitfield (analyst), Per; named\","
		 "Per analyst Dana Whitfield — the plan is expected to save $40 million.\r\n",
		 s2.start, strlen(TEXT));
	ck_assert_str_eq(out, want);
	free(out);

	o.format = REPORT_MD;
	out = report(store_db(s), &o, &rc);
	ck_assert_str_eq(out,
		"| # | check-worthiness | uncertainty | document | sentence | claim | categories "
		"| rules | sources |\n"
		"|---:|---:|---:|---|---:|---|---|---|---|\n"
		"| 1 | 0.45 | 0.70 | k1 | 2 | **Per** analyst Dana Whitfield — the plan **is expected"
		" to** save $40 million. | source, speculation | source.per, speculation.expected "
		"| Dana Whitfield (analyst), Per; named |\n");
	free(out);
	store_close(s);
}
END_TEST

START_TEST(report_escaping)
{
	/* quotes, pipes, a newline and markup characters in a sentence */
	static const char text[] = "He said \"a|b\" may be *so*,\nor <not>.";
	store *s = open_write();
	analysis a;
	memset(&a, 0, sizeof a);
	a.doc.key = xstrdup("q");
	strcpy(a.doc.raw_hash, RAW_HASH);
	strbuf_puts(&a.nt.text, text);
	sha256_hex(text, strlen(text), a.text_hash);
	push_tag(&a, "hedge.modal", CAT_HEDGE, find(text, "may"), find(text, "may"));
	sentence_rec r = {.start = 0, .end = (uint32_t)strlen(text), .tag_count = 1};
	r.sc = (sentence_scores){.hedge = 0.6, .uncertainty = 0.6, .checkworthy = 0.3, .flagged = 1};
	VEC_PUSH(&a.sents, r);
	cc_error err;
	ck_assert_int_eq(store_write(s, 0, &a, rs, &err), 0);
	ck_assert_int_eq(store_flush(s, &err), 0);
	drop(&a);

	report_options o = {.format = REPORT_CSV};
	int rc;
	char *out = report(store_db(s), &o, &rc);
	ck_assert_msg(strstr(out, ",\"He said \"\"a|b\"\" may be *so*,\nor <not>.\"\r\n") != NULL,
		      "%s", out);
	free(out);
	o.format = REPORT_MD;
	out = report(store_db(s), &o, &rc);
	ck_assert_msg(strstr(out, "| He said \"a\\|b\" **may** be \\*so\\*, or &lt;not&gt;. |") != NULL,
		      "%s", out);
	free(out);
	o.format = REPORT_TEXT;
	out = report(store_db(s), &o, &rc);
	ck_assert_msg(strstr(out, "   He said \"a|b\" [[may]] be *so*, or <not>.\n") != NULL, "%s", out);
	free(out);
	store_close(s);
}
END_TEST

START_TEST(report_json)
{
	int64_t run;
	store *s = filled(&run);
	report_options o = {.format = REPORT_JSON};
	int rc;
	char *out = report(store_db(s), &o, &rc);
	ck_assert_int_eq(rc, 0);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", je.text, out);
	ck_assert_int_eq(json_array_size(j), 2);

	json_t *c = json_array_get(j, 1);
	span s2 = find(TEXT, "Per "), exp = find(TEXT, "is expected to");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "rank")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "doc"), "key")), "k1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "doc"), "path")),
			 "news/cafe.txt");
	ck_assert(json_is_null(json_object_get(json_object_get(c, "doc"), "ext_id")));
	ck_assert_int_eq(json_integer_value(json_object_get(c, "sentence")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "start")), s2.start);
	ck_assert_str_eq(json_string_value(json_object_get(c, "text")),
			 "Per analyst Dana Whitfield — the plan is expected to save $40 million.");
	json_t *sc = json_object_get(c, "scores");
	ck_assert_double_eq_tol(json_real_value(json_object_get(sc, "checkworthy")), 0.45, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(sc, "speculation")), 0.7, 1e-9);
	ck_assert(json_is_true(json_object_get(sc, "sourced")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "categories"), 1)),
			 "speculation");

	json_t *tags = json_object_get(c, "tags");
	ck_assert_int_eq(json_array_size(tags), 2);
	json_t *t = json_array_get(tags, 1);
	ck_assert_str_eq(json_string_value(json_object_get(t, "rule")), "speculation.expected");
	ck_assert_str_eq(json_string_value(json_object_get(t, "category")), "speculation");
	ck_assert_str_eq(json_string_value(json_object_get(t, "cue")), "is expected to");
	ck_assert_int_eq(json_integer_value(json_object_get(t, "start")), exp.start - s2.start);
	ck_assert_int_eq(json_integer_value(json_object_get(t, "end")), exp.end - s2.start);
	ck_assert_int_eq(json_integer_value(json_object_get(t, "doc_start")), exp.start);
	ck_assert_int_eq(json_integer_value(json_object_get(t, "doc_end")), exp.end);
	/* the sentence-relative span slices the sentence text in bytes */
	const char *stext = json_string_value(json_object_get(c, "text"));
	ck_assert_int_eq(strncmp(stext + json_integer_value(json_object_get(t, "start")),
				 "is expected to", 14), 0);

	json_t *src = json_array_get(json_object_get(c, "sources"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(src, "name")), "Dana Whitfield");
	ck_assert_str_eq(json_string_value(json_object_get(src, "role")), "analyst");
	ck_assert_str_eq(json_string_value(json_object_get(src, "cue")), "Per");
	ck_assert_str_eq(json_string_value(json_object_get(src, "rule")), "source.per");
	ck_assert(json_is_false(json_object_get(src, "anonymous")));
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, 0), "sources")), 0);
	json_decref(j);
	free(out);

	o.category = "weasel";
	out = report(store_db(s), &o, &rc);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	store_close(s);
}
END_TEST

START_TEST(report_write_error)
{
	int64_t run;
	store *s = filled(&run);
	FILE *f = fopen("/dev/full", "w");
	if (!f) {
		store_close(s);
		return; /* no /dev/full here */
	}
	report_options o = {.format = REPORT_TEXT};
	ck_assert_int_eq(report_claims(store_db(s), &o, f), -1);
	fclose(f);
	store_close(s);
}
END_TEST

START_TEST(report_empty)
{
	store *s = open_write();
	int rc;
	report_options o = {.format = REPORT_TEXT};
	char *out = report(store_db(s), &o, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, "No flagged claims.\n");
	free(out);
	o.format = REPORT_CSV;
	out = report(store_db(s), &o, &rc);
	ck_assert_str_eq(out, "rank,document,path,ext_id,title,sentence,start,end,checkworthy,"
			      "uncertainty,hedge,speculation,weasel,factual,sourced,categories,rules,"
			      "cues,sources,text\r\n");
	free(out);
	store_close(s);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("schema");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, schema_created);
	tcase_add_test(tc, migration_idempotent);
	tcase_add_test(tc, views_refreshed_on_write_open);
	tcase_add_test(tc, read_open_with_stale_views);
	tcase_add_loop_test(tc, schema_versions, 0, sizeof versions / sizeof versions[0]);
	tcase_add_test(tc, migration_1_to_2);
	tcase_add_test(tc, migration_2_to_3);
	tcase_add_test(tc, run_status_recorded);
	tcase_add_test(tc, not_claimcheck);
	suite_add_tcase(s, tc);

	tc = tcase_create("rows");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rows_written);
	tcase_add_test(tc, rewrite_replaces);
	tcase_add_test(tc, many_rows);
	tcase_add_test(tc, write_many);
	tcase_add_test(tc, row_tables_private);
	tcase_add_loop_test(tc, is_current, 0, sizeof currency / sizeof currency[0]);
	tcase_add_test(tc, touch_sets_seen_run);
	tcase_add_loop_test(tc, file_fast_path, 0, sizeof stamps / sizeof stamps[0]);
	tcase_add_test(tc, file_touch_and_forget);
	tcase_add_test(tc, failed_document);
	tcase_add_test(tc, suppressed_anonymous_warning);
	tcase_add_test(tc, verdicts_survive);
	tcase_add_test(tc, views_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_set_timeout(tc, 60); /* background_checkpoints: 200 commits, fsyncs */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, batch_commits);
	tcase_add_test(tc, background_checkpoints);
	tcase_add_test(tc, disk_full);
	tcase_add_test(tc, run_finish_failure);
	tcase_add_test(tc, locked);
	tcase_add_test(tc, read_only_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("report");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, report_text);
	tcase_add_loop_test(tc, report_filters, 0, sizeof filters / sizeof filters[0]);
	tcase_add_test(tc, report_csv_md);
	tcase_add_test(tc, report_escaping);
	tcase_add_test(tc, report_json);
	tcase_add_test(tc, report_write_error);
	tcase_add_test(tc, report_empty);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
