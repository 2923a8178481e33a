/*
 * check_merge.c — merging claimcheck databases (merge.h).
 *
 * Writes small databases with the store (texts analysed with a three-rule
 * rule set), then checks what merge_check says about good, foreign and
 * mismatched inputs, and what merge_input copies: documents renumbered
 * with their sentences and tags, run ids remapped, nothing copied twice,
 * the newer copy of a document winning whatever the order (table-driven
 * over run start times), verdicts by key with the newer `updated`, and
 * file records.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "store.h"
#include "testutil.h"

static const char RULES_A[] = "[rule hedge.modal]\ncategory = hedge\nweight = 0.6\nmatch = may | might\n"
			      "\n[rule source.said]\ncategory = source\nweight = 0.8\n"
			      "pattern = (?<source>[A-Z]\\w+) (?<cue>said)\n";
/* the same with another weight: another rule set */
static const char RULES_B[] = "[rule hedge.modal]\ncategory = hedge\nweight = 0.5\nmatch = may | might\n"
			      "\n[rule source.said]\ncategory = source\nweight = 0.8\n"
			      "pattern = (?<source>[A-Z]\\w+) (?<cue>said)\n";

static ruleset *rs_a, *rs_b;
static char dir[4200];
static int ndb;

static ruleset *load_rules(const char *text)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/rules-%d.rules", dir, (int)getpid());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	diags d = {0};
	const char *paths[] = {path};
	ruleset *rs = ruleset_load(paths, 1, &d);
	if (!rs) diags_print(&d, stderr);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	unlink(path);
	return rs;
}

static void rm_db(const char *p)
{
	char tmp[4500];
	unlink(p);
	snprintf(tmp, sizeof tmp, "%s-wal", p);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s-shm", p);
	unlink(tmp);
}

/* A fresh database path (removed at teardown by its number). */
static const char *db_name(char *buf, size_t n)
{
	snprintf(buf, n, "%s/merge-%d-%d.db", dir, (int)getpid(), ndb++);
	rm_db(buf);
	return buf;
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", test_tmpdir());
	ndb = 0;
	rs_a = load_rules(RULES_A);
	rs_b = load_rules(RULES_B);
}

static void teardown(void)
{
	ruleset_free(rs_a);
	ruleset_free(rs_b);
	char p[4400];
	for (int i = 0; i < ndb; i++) {
		snprintf(p, sizeof p, "%s/merge-%d-%d.db", dir, (int)getpid(), i);
		rm_db(p);
	}
}

/* Write one run into path: documents keys[i] with texts[i]; the run's
 * start time is set to `started` (NULL: now). */
static void write_db(const char *path, const ruleset *rs, const char *started, size_t n,
		     const char *const *keys, const char *const *texts)
{
	cc_error err;
	store *s = store_open(path, STORE_WRITE, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	int64_t run = store_run_begin(s, "test", rs, "test run");
	ck_assert_int_gt(run, 0);
	analyzer *az = analyzer_new(rs);
	analysis a;
	memset(&a, 0, sizeof a);
	run_totals t = {0};
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(analyze_text(az, texts[i], strlen(texts[i]), &a), 0);
		free(a.doc.key);
		a.doc.key = xstrdup(keys[i]);
		free(a.doc.path);
		a.doc.path = xstrdup(keys[i]);
		ck_assert_msg(store_write(s, run, &a, rs, &err) == 0, "%s", err.msg);
		t.documents++;
	}
	store_run_end(s, run, &t);
	if (started) {
		char *sql = sqlite3_mprintf("UPDATE runs SET started = %Q WHERE id = %lld", started,
					    (long long)run);
		ck_assert_int_eq(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
	}
	analysis_free(&a);
	analyzer_free(az);
	store_close(s);
}

static void exec_on(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	char *e = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, e ? e : "");
	sqlite3_free(e);
	sqlite3_close(db);
}

/* The first column of the first row, as text ("" for none). */
static char *query(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	char *out = xstrdup("");
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		free(out);
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

#define ck_query(path, sql, want)                                                          \
	do {                                                                               \
		char *got_ = query(path, sql);                                             \
		ck_assert_msg(strcmp(got_, want) == 0, "%s: expected [%s], got [%s]", sql, \
			      want, got_);                                                 \
		free(got_);                                                                \
	} while (0)

static const char *const K1[] = {"a.txt", "b.txt"};
static const char *const T1[] = {"Prices may rise. Lee said so.", "Nothing happened."};
static const char *const K2[] = {"c.txt"};
static const char *const T2[] = {"Kim said it might rain."};

/* ---- checks ---------------------------------------------------------------- */

START_TEST(check_inputs)
{
	char out[4400], good[4400], other[4400], text[4400], plain[4400];
	write_db(db_name(good, sizeof good), rs_a, NULL, 2, K1, T1);
	write_db(db_name(other, sizeof other), rs_b, NULL, 1, K2, T2);
	db_name(text, sizeof text);
	FILE *f = fopen(text, "w");
	fputs("just text, long enough to be a header of sorts............................\n"
	      "...............................................................................\n", f);
	fclose(f);
	exec_on(db_name(plain, sizeof plain), "CREATE TABLE t (x)");

	cc_error err;
	merger *m = merge_open(db_name(out, sizeof out), 0, &err);
	ck_assert_msg(m != NULL, "%s", err.msg);
	ck_assert_int_eq(merge_check(m, text, &err), MERGE_UNREADABLE);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a claimcheck database"));
	ck_assert_int_eq(merge_check(m, plain, &err), MERGE_UNREADABLE);
	ck_assert_int_eq(merge_check(m, good, &err), MERGE_OK);
	ck_assert(!cc_error_isset(&err));
	/* the first input fixed the rule set */
	ck_assert_int_eq(merge_check(m, other, &err), MERGE_REFUSED);
	ck_assert_ptr_nonnull(strstr(err.msg, ruleset_hash(rs_a)));
	ck_assert_ptr_nonnull(strstr(err.msg, ruleset_hash(rs_b)));
	ck_assert_ptr_nonnull(strstr(err.msg, "--force"));
	merge_close(m);

	m = merge_open(out, 1, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(merge_check(m, good, &err), MERGE_OK);
	ck_assert_int_eq(merge_check(m, other, &err), MERGE_OK);
	ck_assert(cc_error_isset(&err)); /* the warning */
	merge_close(m);
}
END_TEST

START_TEST(copy_and_idempotent)
{
	char out[4400], in1[4400], in2[4400];
	write_db(db_name(in1, sizeof in1), rs_a, "2026-01-01T00:00:00Z", 2, K1, T1);
	write_db(db_name(in2, sizeof in2), rs_a, "2026-01-02T00:00:00Z", 1, K2, T2);
	cc_error err;
	merger *m = merge_open(db_name(out, sizeof out), 0, &err);
	ck_assert_ptr_nonnull(m);
	merge_stats st = {0};
	ck_assert_int_eq(merge_check(m, in2, &err), MERGE_OK);
	ck_assert_int_eq(merge_check(m, in1, &err), MERGE_OK);
	ck_assert_msg(merge_input(m, in2, &st, &err) == 0, "%s", err.msg);
	ck_assert_msg(merge_input(m, in1, &st, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(st.runs, 2);
	ck_assert_uint_eq(st.docs_added, 3);
	ck_assert_uint_eq(st.docs_replaced + st.docs_kept, 0);
	ck_assert_uint_eq(st.sentences, 4); /* 2 + 1 + 1 */
	ck_assert_uint_eq(st.tags, 4);      /* may, Lee said; Kim said, might */
	merge_close(m);

	ck_query(out, "SELECT group_concat(key || ':' || id || ':' || run_id, ',') FROM"
		      " (SELECT * FROM documents ORDER BY id)", "c.txt:1:1,a.txt:2:2,b.txt:3:2");
	ck_query(out, "SELECT group_concat(started, ',') FROM (SELECT started FROM runs ORDER BY id)",
		 "2026-01-02T00:00:00Z,2026-01-01T00:00:00Z");
	ck_query(out, "SELECT group_concat(d.key || '/' || t.sentence || '/' || t.rule || '/' || t.cue, ',')"
		      " FROM (SELECT * FROM tags ORDER BY doc_id, sentence, idx) t JOIN documents d ON d.id = t.doc_id",
		 "c.txt/1/source.said/said,c.txt/1/hedge.modal/might,a.txt/1/hedge.modal/may,a.txt/2/source.said/said");
	ck_query(out, "SELECT group_concat(name, ',') FROM sources", "Kim,Lee");

	/* again, both: nothing changes */
	m = merge_open(out, 0, &err);
	memset(&st, 0, sizeof st);
	ck_assert_int_eq(merge_input(m, in1, &st, &err), 0);
	ck_assert_int_eq(merge_input(m, in2, &st, &err), 0);
	ck_assert_uint_eq(st.runs + st.docs_added + st.docs_replaced + st.sentences + st.tags, 0);
	ck_assert_uint_eq(st.docs_kept, 3);
	merge_close(m);
	ck_query(out, "SELECT count(*) || '/' || max(id) FROM documents", "3/3");
	ck_query(out, "SELECT count(*) FROM runs", "2");
}
END_TEST

/* One key in OUT and in the input, analysed at these run start times. */
static const struct newer_case {
	const char *out_started, *in_started;
	int replaced;
} newer_cases[] = {
	{"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", 1},
	{"2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", 0},
	{"2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 0}, /* a tie: OUT's stays */
	{"2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z", 1},
};

START_TEST(newer_copy_wins)
{
	const struct newer_case *c = &newer_cases[_i];
	char out[4400], in[4400];
	static const char *const key[] = {"a.txt"};
	static const char *const t_out[] = {"Prices may rise. Lee said so."};
	static const char *const t_in[] = {"Prices rose."};
	write_db(db_name(out, sizeof out), rs_a, c->out_started, 1, key, t_out);
	write_db(db_name(in, sizeof in), rs_a, c->in_started, 1, key, t_in);
	cc_error err;
	merger *m = merge_open(out, 0, &err);
	merge_stats st = {0};
	ck_assert_int_eq(merge_check(m, in, &err), MERGE_OK);
	ck_assert_int_eq(merge_input(m, in, &st, &err), 0);
	merge_close(m);
	ck_assert_uint_eq(st.docs_replaced, (unsigned)c->replaced);
	ck_assert_uint_eq(st.docs_kept, (unsigned)!c->replaced);
	ck_query(out, "SELECT text FROM documents", c->replaced ? t_in[0] : t_out[0]);
	ck_query(out, "SELECT count(*) FROM sentences", c->replaced ? "1" : "2");
	ck_query(out, "SELECT count(*) FROM tags", c->replaced ? "0" : "2");
	/* whichever copy stays, it is the one analysed last */
	ck_query(out, "SELECT count(*) FROM documents d JOIN runs r ON r.id = d.run_id"
		      " WHERE r.started = (SELECT max(started) FROM runs)", "1");
}
END_TEST

START_TEST(verdicts_newer_updated)
{
	char out[4400], in[4400];
	write_db(db_name(out, sizeof out), rs_a, NULL, 2, K1, T1);
	write_db(db_name(in, sizeof in), rs_a, NULL, 1, K2, T2);
	exec_on(out, "INSERT INTO verdicts (doc_hash, start, end, rule, verdict, created, updated) VALUES"
		     " ('h1', 0, 5, 'hedge.modal', 'confirmed', '2026-01-01', '2026-01-05'),"
		     " ('h2', 0, 5, '', 'unsure', '2026-01-01', '2026-01-01')");
	exec_on(in, "INSERT INTO verdicts (doc_hash, start, end, rule, verdict, note, created, updated) VALUES"
		    " ('h1', 0, 5, 'hedge.modal', 'false_positive', 'old', '2026-01-01', '2026-01-02'),"
		    " ('h2', 0, 5, '', 'confirmed', 'new', '2026-01-01', '2026-01-03'),"
		    " ('h3', 1, 2, 'source.said', 'confirmed', NULL, '2026-01-01', '2026-01-01')");
	cc_error err;
	merger *m = merge_open(out, 0, &err);
	merge_stats st = {0};
	ck_assert_int_eq(merge_input(m, in, &st, &err), 0);
	ck_assert_uint_eq(st.verdicts, 2); /* h2 updated, h3 added */
	memset(&st, 0, sizeof st);
	ck_assert_int_eq(merge_input(m, in, &st, &err), 0);
	ck_assert_uint_eq(st.verdicts, 0);
	merge_close(m);
	ck_query(out, "SELECT group_concat(doc_hash || ':' || verdict || ':' || coalesce(note, '-'), ',')"
		      " FROM (SELECT * FROM verdicts ORDER BY doc_hash)",
		 "h1:confirmed:-,h2:confirmed:new,h3:confirmed:-");
}
END_TEST

START_TEST(file_records)
{
	char out[4400], in[4400];
	write_db(db_name(out, sizeof out), rs_a, "2026-01-01T00:00:00Z", 2, K1, T1);
	write_db(db_name(in, sizeof in), rs_a, "2026-01-02T00:00:00Z", 1, K2, T2);
	/* records for a.txt in OUT, and for c.txt and a.txt (a file whose
	 * document OUT keeps) in the input */
	const char *rec = "INSERT INTO files VALUES ('%s', 1, 2, 3, 4, 'txt', '%s', 1, 1, 1)";
	char sql[600];
	snprintf(sql, sizeof sql, rec, "a.txt", ruleset_hash(rs_a));
	exec_on(out, sql);
	snprintf(sql, sizeof sql, rec, "c.txt", ruleset_hash(rs_a));
	exec_on(in, sql);
	exec_on(in, "INSERT INTO files VALUES ('a.txt', 9, 9, 9, 9, 'txt', 'x', 1, 1, 1)");
	cc_error err;
	merger *m = merge_open(out, 0, &err);
	merge_stats st = {0};
	ck_assert_int_eq(merge_input(m, in, &st, &err), 0);
	merge_close(m);
	ck_assert_uint_eq(st.files, 1);
	ck_query(out, "SELECT group_concat(path || ':' || size, ',') FROM (SELECT * FROM files ORDER BY path)",
		 "a.txt:1,c.txt:1");
	ck_query(out, "SELECT count(*) FROM files f JOIN runs r ON r.id = f.run_id WHERE f.path = 'c.txt'"
		      " AND r.started = '2026-01-02T00:00:00Z'", "1");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("merge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, check_inputs);
	tcase_add_test(tc, copy_and_idempotent);
	tcase_add_loop_test(tc, newer_copy_wins, 0, (int)(sizeof newer_cases / sizeof newer_cases[0]));
	tcase_add_test(tc, verdicts_newer_updated);
	tcase_add_test(tc, file_records);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
