/*
 * stages.c — how fast each stage of `claimcheck run` goes alone, on one
 * thread: a benchmark, run by `tests/bench/run.sh --stages`. `make check`
 * (or `make tests/bench/stages`) builds it, and tests/cli/bench-stages.sh
 * checks that its store stage writes what `claimcheck run` writes.
 *
 * Reads every document of the inputs into memory (read: files and JSONL
 * records parsed and hashed, as run's workers read them), analyses them
 * all on this thread and keeps every analysis (analyse: normalise, segment,
 * stem, tag, score), then stores them all into a new database as run's
 * writer does (store: a run row, store_write_many over bursts of 16
 * documents, a commit once a second of wall-clock time, the WAL
 * checkpointed by the store's own thread). Each stage gets its wall-clock
 * time and the process's CPU time over it; MB/s is over the input bytes
 * (files and JSONL lines, 10^6 bytes a MB, as tests/bench/run.sh counts).
 * A file or record that cannot be read is reported and left out (run would
 * store its error row).
 *
 * Then SQLite alone (sqlite): a second new database, opened the same way,
 * gets the stored rows of the documents, sentences and tags tables copied
 * in from the first, one INSERT ... SELECT a table in one transaction.
 * Each column goes through an expression (x + 0, x || ''), which keeps
 * SQLite from copying the records whole (its transfer optimisation), so
 * every row is built and inserted as a writer's would be, with nothing to
 * bind and no analysis to read. Reading the rows back (the same
 * expressions, aggregated) is timed on its own (read back), and the row
 * `inserts`, sqlite less read back, is what SQLite itself needs to store
 * this corpus's rows, whoever computes them (if anything less: max() does
 * a little more than the copy's reading, so the figure errs on the fast
 * side).
 *
 * What it tells: `run -j1` overlaps its worker (read and analyse) and its
 * writer (store) on two threads, so it cannot go faster than the slower
 * of the two alone; and however many workers there are, one writer
 * stores, so no run goes faster than the store stage, nor than the
 * inserts of SQLite alone, however the writer did them. Memory grows with
 * the inputs (every analysis is kept, about ten times the input): give it
 * tens of MB, not the 200 MB corpus.
 *
 * Usage: stages [-r RULES]... [-o DB] FILE|DIR...
 * The database (default stages.db) is replaced.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyze.h"
#include "read.h"
#include "run.h"
#include "ruleset.h"
#include "store.h"
#include "util.h"


typedef struct clocks {
	double wall, cpu;
} clocks;

static clocks now(void)
{
	struct timespec w, c;
	clock_gettime(CLOCK_MONOTONIC, &w);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
	return (clocks){w.tv_sec + w.tv_nsec / 1e9, c.tv_sec + c.tv_nsec / 1e9};
}

static clocks since(clocks t0)
{
	clocks t = now();
	return (clocks){t.wall - t0.wall, t.cpu - t0.cpu};
}

typedef struct bench {
	VEC(analysis *) docs; /* read, then analysed */
	size_t bytes, failed_read;
	const char *path; /* the JSONL file being read */
} bench;

/* bytes: what it took in the input (a file, a JSONL line), as run.sh counts */
static void keep(bench *b, analysis *a, size_t bytes)
{
	b->bytes += bytes;
	VEC_PUSH(&b->docs, a);
}

static analysis *fresh(void)
{
	analysis *a = xmalloc(sizeof *a);
	memset(a, 0, sizeof *a);
	return a;
}

/* A JSONL record of b->path: its line is what it takes of the input. */
static void record(void *ctx, long lineno, const char *line, size_t len)
{
	bench *b = ctx;
	analysis *a = fresh();
	if (read_jsonl_record(b->path, lineno, line, len, &a->doc, &a->err) != 0) {
		fprintf(stderr, "stages: %s:%ld: %s\n", b->path, lineno, a->err.msg);
		b->failed_read++;
		analysis_free(a);
		free(a);
		return;
	}
	keep(b, a, len + 1);
}

static int visit(void *ctx, const char *path, doc_format fmt)
{
	bench *b = ctx;
	if (fmt != FMT_JSONL) {
		analysis *a = fresh();
		if (read_file(path, fmt, READ_DEFAULT_MAX_BYTES, &a->doc, &a->err) != 0) {
			fprintf(stderr, "stages: %s: %s\n", path, a->err.msg);
			b->failed_read++;
			analysis_free(a);
			free(a);
			return 0;
		}
		keep(b, a, a->doc.raw_len);
		return 0;
	}
	cc_error err;
	b->path = path;
	if (read_lines(path, record, b, &err) != 0) {
		fprintf(stderr, "stages: %s: %s\n", path, err.msg);
		b->failed_read++;
	}
	return 0;
}

static void bad(void *ctx, const char *path, const char *msg)
{
	bench *b = ctx;
	fprintf(stderr, "stages: %s: %s\n", path, msg);
	b->failed_read++;
}

/* Remove the database at path and its WAL and shared-memory files. */
static void remove_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t k = 0; k < 3; k++) {
		char *p = xasprintf("%s%s", path, suffix[k]);
		if (unlink(p) != 0 && errno != ENOENT) fprintf(stderr, "stages: %s: %s\n", p, strerror(errno));
		free(p);
	}
}

static void row(const char *stage, clocks c, size_t bytes)
{
	double mb = bytes / 1e6;
	printf("%-10s %9.2f %9.2f %9.1f %9.1f\n", stage, c.wall, c.cpu, c.wall > 0 ? mb / c.wall : 0,
	       c.cpu > 0 ? mb / c.cpu : 0);
}

/* The copies: the tables, and for each column the expression that makes
 * SQLite build the value anew (number + 0, text || ''; a NULL stays NULL). */
static const char *const copied[] = {"documents", "sentences", "tags"};

static char *column_exprs(sqlite3 *db, const char *table, int aggregate)
{
	char *sql = xasprintf("SELECT name, type FROM pragma_table_info('%s', 'src')", table);
	sqlite3_stmt *st = NULL;
	strbuf b = {0};
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			const char *type = (const char *)sqlite3_column_text(st, 1);
			int num = type && (strstr(type, "INT") || strcmp(type, "REAL") == 0);
			strbuf_printf(&b, aggregate ? "%smax(\"%s\"%s)" : "%s\"%s\"%s", b.len ? ", " : "", name,
				      num ? " + 0" : " || ''");
		}
	}
	sqlite3_finalize(st);
	free(sql);
	return b.data; /* NULL: no columns */
}

/* Copy the rows of src_path's tables into a new database at path, opened
 * as run opens one; *read gets the time of reading them back. 0 or -1. */
static int sqlite_alone(const char *path, const char *src_path, clocks *copy, clocks *read)
{
	cc_error e;
	cc_error_clear(&e);
	remove_db(path);
	clocks t0 = now();
	store *st = store_open(path, STORE_WRITE, &e);
	if (!st) {
		fprintf(stderr, "stages: %s\n", e.msg);
		return -1;
	}
	if (store_checkpoint_in_background(st, 0, &e) != 0) fprintf(stderr, "stages: warning: %s\n", e.msg);
	sqlite3 *db = store_db(st);
	char *attach = sqlite3_mprintf("ATTACH %Q AS src", src_path);
	int rc = sqlite3_exec(db, attach, NULL, NULL, NULL);
	sqlite3_free(attach);
	if (rc == SQLITE_OK) rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (size_t k = 0; rc == SQLITE_OK && k < sizeof copied / sizeof *copied; k++) {
		char *cols = column_exprs(db, copied[k], 0);
		char *sql = xasprintf("INSERT INTO main.%s SELECT %s FROM src.%s", copied[k], cols ? cols : "*",
				      copied[k]);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		free(sql);
		free(cols);
	}
	if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "stages: %s: %s\n", path, sqlite3_errmsg(db));
		store_close(st);
		return -1;
	}
	/* the copy, as the store stage: with the final checkpoint */
	store_close(st);
	*copy = since(t0);

	/* reading back: the same expressions, aggregated, nothing written */
	sqlite3 *rd = NULL;
	rc = sqlite3_open_v2(":memory:", &rd, SQLITE_OPEN_READWRITE, NULL);
	attach = sqlite3_mprintf("ATTACH %Q AS src; ATTACH %Q AS main2", src_path, path);
	if (rc == SQLITE_OK) rc = sqlite3_exec(rd, attach, NULL, NULL, NULL);
	sqlite3_free(attach);
	/* every row copied (the rows printed say so) */
	for (size_t k = 0; rc == SQLITE_OK && k < sizeof copied / sizeof *copied; k++) {
		char *sql = xasprintf("SELECT (SELECT count(*) FROM main2.%s) = (SELECT count(*) FROM src.%s)",
				      copied[k], copied[k]);
		sqlite3_stmt *q = NULL;
		rc = sqlite3_prepare_v2(rd, sql, -1, &q, NULL);
		if (rc == SQLITE_OK && (sqlite3_step(q) != SQLITE_ROW || !sqlite3_column_int(q, 0))) {
			fprintf(stderr, "stages: %s: the copy of %s lacks rows\n", path, copied[k]);
			rc = SQLITE_ERROR;
		}
		sqlite3_finalize(q);
		free(sql);
	}
	if (rc == SQLITE_OK) rc = sqlite3_exec(rd, "DETACH main2", NULL, NULL, NULL);
	t0 = now();
	for (size_t k = 0; rc == SQLITE_OK && k < sizeof copied / sizeof *copied; k++) {
		char *cols = column_exprs(rd, copied[k], 1);
		char *sql = xasprintf("SELECT %s FROM src.%s", cols ? cols : "count(*)", copied[k]);
		rc = sqlite3_exec(rd, sql, NULL, NULL, NULL);
		free(sql);
		free(cols);
	}
	*read = since(t0);
	if (rc != SQLITE_OK) fprintf(stderr, "stages: %s: %s\n", src_path, sqlite3_errmsg(rd));
	sqlite3_close(rd);
	return rc == SQLITE_OK ? 0 : -1;
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: stages [-r RULES]... [-o DB] FILE|DIR...\n");
}

int main(int argc, char **argv)
{
	VEC(const char *) rules = {0};
	const char *db = "stages.db";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "--rules") == 0) && i + 1 < argc) {
			VEC_PUSH(&rules, argv[++i]);
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!rules.n) VEC_PUSH(&rules, SRCDIR_RULES);

	diags d = {0};
	ruleset *rs = ruleset_load(rules.v, rules.n, &d);
	diags_print(&d, stderr);
	diags_free(&d);
	if (!rs) return 2;

	bench b = {0};
	clocks t0 = now();
	read_walk((const char *const *)argv + i, (size_t)(argc - i), visit, bad, &b);
	clocks t_read = since(t0);
	if (!b.docs.n) {
		fprintf(stderr, "stages: no documents\n");
		return 1;
	}

	/* analyse: one analyzer, as one worker */
	analyzer *az = analyzer_new(rs);
	size_t sentences = 0, tags = 0, failed = 0;
	t0 = now();
	for (size_t k = 0; k < b.docs.n; k++) {
		analysis *a = b.docs.v[k];
		if (analyze_document(az, a) != 0) failed++;
		sentences += a->sents.n;
		for (size_t j = 0; j < a->tags.n; j++) tags += !a->tags.v[j].suppressed;
	}
	clocks t_analyse = since(t0);
	analyzer_free(az);

	/* store: a new database, as run's writer fills it */
	remove_db(db);
	cc_error e;
	cc_error_clear(&e);
	t0 = now();
	store *st = store_open(db, STORE_WRITE, &e);
	if (!st) {
		fprintf(stderr, "stages: %s\n", e.msg);
		return 3;
	}
	store_set_batch(st, RUN_BATCH_DOCS);
	if (store_checkpoint_in_background(st, 0, &e) != 0) fprintf(stderr, "stages: warning: %s\n", e.msg);
	int64_t run = store_run_begin(st, PACKAGE_VERSION, rs, "stages");
	if (run < 0) { /* the store said why */
		store_close(st);
		return 3;
	}
	run_totals tot = {0};
	double last_commit = now().wall;
	for (size_t k = 0; k < b.docs.n; k += RUN_WRITE_BURST) {
		size_t n = b.docs.n - k < RUN_WRITE_BURST ? b.docs.n - k : RUN_WRITE_BURST;
		if (store_write_many(st, run, (const analysis *const *)b.docs.v + k, n, rs, &e) != 0) {
			fprintf(stderr, "stages: %s\n", e.msg);
			return 3;
		}
		if (now().wall - last_commit >= RUN_COMMIT_SECONDS) {
			if (store_flush(st, &e) != 0) {
				fprintf(stderr, "stages: %s\n", e.msg);
				return 3;
			}
			last_commit = now().wall;
		}
	}
	tot.documents = b.docs.n - failed;
	tot.failed = failed;
	tot.sentences = sentences;
	tot.tags = tags;
	tot.bytes = b.bytes;
	if (store_run_finish(st, run, &tot, RUN_COMPLETE, &e) != 0) {
		fprintf(stderr, "stages: %s\n", e.msg);
		return 3;
	}
	store_close(st); /* the final checkpoint: part of what a run pays */
	clocks t_store = since(t0);

	printf("%.1f MB, %zu documents (%zu failed to read, %zu to analyse), %zu sentences, %zu tags\n",
	       b.bytes / 1e6, b.docs.n + b.failed_read, b.failed_read, failed, sentences, tags);
	printf("%-10s %9s %9s %9s %9s\n", "stage", "wall s", "CPU s", "MB/s", "MB/CPU-s");
	row("read", t_read, b.bytes);
	row("analyse", t_analyse, b.bytes);
	row("store", t_store, b.bytes);
	clocks t_copy = {0}, t_back = {0};
	char *floor_db = xasprintf("%s-sqlite", db);
	int floor_ok = sqlite_alone(floor_db, db, &t_copy, &t_back) == 0;
	remove_db(floor_db);
	free(floor_db);
	if (floor_ok) {
		row("sqlite", t_copy, b.bytes);
		row("read back", t_back, b.bytes);
		row("inserts", (clocks){t_copy.wall - t_back.wall, t_copy.cpu - t_back.cpu}, b.bytes);
	}
	/* run's workers read and analyse; its writer stores */
	double mb = b.bytes / 1e6, w_rate = mb / (t_read.wall + t_analyse.wall), s_rate = mb / t_store.wall;
	printf("worker (read + analyse) %.1f MB/s, writer (store) %.1f MB/s: run -j1 cannot pass %.1f MB/s,\n"
	       "and no run, however many workers, can pass %.1f MB/s\n",
	       w_rate, s_rate, w_rate < s_rate ? w_rate : s_rate, s_rate);
	if (floor_ok && t_copy.wall > t_back.wall)
		printf("SQLite alone inserts these rows at %.1f MB/s (%.1f MB/CPU-s): no writer of them can pass that\n",
		       mb / (t_copy.wall - t_back.wall),
		       t_copy.cpu > t_back.cpu ? mb / (t_copy.cpu - t_back.cpu) : 0.0);

	for (size_t k = 0; k < b.docs.n; k++) {
		analysis_free(b.docs.v[k]);
		free(b.docs.v[k]);
	}
	VEC_FREE(&b.docs);
	VEC_FREE(&rules);
	ruleset_free(rs);
	return 0;
}
