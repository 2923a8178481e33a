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
 * What it tells: `run -j1` overlaps its worker (read and analyse) and its
 * writer (store) on two threads, so it cannot go faster than the slower
 * of the two alone; and however many workers there are, one writer
 * stores, so no run goes faster than the store stage. Memory grows with
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

static void row(const char *stage, clocks c, size_t bytes)
{
	double mb = bytes / 1e6;
	printf("%-8s %9.2f %9.2f %9.1f %9.1f\n", stage, c.wall, c.cpu, c.wall > 0 ? mb / c.wall : 0,
	       c.cpu > 0 ? mb / c.cpu : 0);
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
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t k = 0; k < 3; k++) {
		char *p = xasprintf("%s%s", db, suffix[k]);
		if (unlink(p) != 0 && errno != ENOENT) fprintf(stderr, "stages: %s: %s\n", p, strerror(errno));
		free(p);
	}
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
	printf("%-8s %9s %9s %9s %9s\n", "stage", "wall s", "CPU s", "MB/s", "MB/CPU-s");
	row("read", t_read, b.bytes);
	row("analyse", t_analyse, b.bytes);
	row("store", t_store, b.bytes);
	/* run's workers read and analyse; its writer stores */
	double mb = b.bytes / 1e6, w_rate = mb / (t_read.wall + t_analyse.wall), s_rate = mb / t_store.wall;
	printf("worker (read + analyse) %.1f MB/s, writer (store) %.1f MB/s: run -j1 cannot pass %.1f MB/s,\n"
	       "and no run, however many workers, can pass %.1f MB/s\n",
	       w_rate, s_rate, w_rate < s_rate ? w_rate : s_rate, s_rate);

	for (size_t k = 0; k < b.docs.n; k++) {
		analysis_free(b.docs.v[k]);
		free(b.docs.v[k]);
	}
	VEC_FREE(&b.docs);
	VEC_FREE(&rules);
	ruleset_free(rs);
	return 0;
}
