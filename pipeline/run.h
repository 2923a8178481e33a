/*
 * run.h — the run loop: walk inputs, analyse documents on a worker pool,
 * write them through one writer thread.
 *
 * Reads: paths (files, folders, JSONL files). A reader (the calling
 * thread) walks them and queues jobs; N worker threads each own an
 * analyzer (stemmer, tagger) and a read-only store handle to skip
 * documents that are already current; one writer thread owns the
 * read-write store and writes analyses in batched transactions. Queues are
 * bounded, so memory stays bounded however large the corpus is.
 *
 * Bad documents are recorded (message on stderr naming the file and
 * position, error row in the database) and the batch goes on.
 */
#ifndef CLAIMCHECK_RUN_H
#define CLAIMCHECK_RUN_H

#include "read.h"
#include "ruleset.h"
#include "store.h"

typedef struct run_options {
	const char *db_path;
	unsigned jobs;          /* worker threads; 0 = number of cores */
	size_t max_bytes;       /* per-document size limit */
	doc_format force_format; /* FMT_AUTO unless --format */
	int quiet;              /* no per-document messages */
	int force;              /* re-analyse even current documents */
	const char *args;       /* the command line, recorded in the run row */
	unsigned shard_k, shard_n; /* --shard K/N: only documents with run_shard_of(key, N) == K;
				    * shard_n 0 or 1 = all documents */
} run_options;

/* The shard (1..n) of a document key: FNV-1a 64 of the key's bytes, mixed
 * by MurmurHash3's 64-bit finalizer, modulo n, plus one. Depends only on the key, so N runs with --shard 1/N ...
 * N/N over the same inputs partition their documents exactly, on any
 * machine and with any -j. n == 0 is taken as 1. */
unsigned run_shard_of(const char *key, unsigned n);

/* How run's writer stores (tests/bench/stages and `import` store the same
 * way). It commits its batch at least every RUN_COMMIT_SECONDS, so readers
 * see progress, another writer (a reviewer's verdict) waits at most about
 * that long for the lock, and a crash loses at most that much work; and
 * not more often by count of documents (store_set_batch RUN_BATCH_DOCS):
 * every commit writes again the pages changed since the last one, and the
 * indexes filled in random order (documents.text_hash, the flagged
 * sentences) change pages all over. It hands the store up to
 * RUN_WRITE_BURST documents at once (store_write_many: one statement for
 * all their sentences, one for their tags). */
#define RUN_COMMIT_SECONDS 1.0
#define RUN_BATCH_DOCS 1000000
#define RUN_WRITE_BURST 16

/* The queues between run's threads. The reader queues up to
 * RUN_JOBS_PER_WORKER jobs per worker, holding at most about
 * RUN_JOBS_BYTES of input; the workers hand the writer up to
 * RUN_RESULTS_PER_WORKER results each, holding at most about
 * RUN_RESULTS_BYTES, so a worker goes on while the writer commits (a tenth
 * of a second and more, hundreds of documents); the writer sleeps until
 * RUN_WAKE_BURST results wait (or a worker has to wait for it), not
 * woken for every few documents. A result back in the pool keeps its
 * buffers for the next document only if they hold at most
 * RUN_RESULT_KEEP bytes: the pool's memory does not grow with the largest
 * documents. Memory in flight is bounded by these, whatever the corpus. */
#define RUN_JOBS_PER_WORKER 128
#define RUN_JOBS_BYTES (8u << 20)
#define RUN_RESULTS_PER_WORKER 512
#define RUN_RESULTS_BYTES (16u << 20)
#define RUN_WAKE_BURST 32
#define RUN_RESULT_KEEP (64u << 10)

/* Process paths into the database. Fills totals; returns EXIT_OK,
 * EXIT_PARTIAL (some documents failed) or EXIT_USAGE/3 on fatal errors. */
int run_corpus(const ruleset *rs, const char *const *paths, size_t npaths,
	       const run_options *opt, run_totals *totals, int64_t *run_id);

#endif
