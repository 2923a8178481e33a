/*
 * store.h — stage 7: analyses -> SQLite.
 *
 * The schema (documented in README.md, created and migrated here) holds
 * runs, documents (with normalized text, hashes, scores, and any error),
 * sentences, tags, sources, and verdicts. Verdicts are keyed by the
 * document text hash + span + rule id, so they survive re-runs, rule
 * changes and merges. Report views come from reports/views.sql.
 *
 * One writer: the run loop's writer thread owns the read-write store and
 * writes analyses in large transactions with prepared statements. Worker
 * threads may open their own read-only store to ask whether a document is
 * already current (WAL mode allows this while the writer writes).
 *
 * Ownership: store_open returns a caller-owned handle (store_close).
 */
#ifndef CLAIMCHECK_STORE_H
#define CLAIMCHECK_STORE_H

#include <sqlite3.h>
#include <stdint.h>
#include "analyze.h"
#include "ruleset.h"

#define STORE_SCHEMA_VERSION 3

typedef struct store store;

enum store_mode { STORE_READ = 0, STORE_WRITE = 1 };

/* Open (and for STORE_WRITE create and migrate) the database at path.
 * Returns NULL with err set on failure. */
store *store_open(const char *path, enum store_mode mode, cc_error *err);
void store_close(store *s); /* commits an open transaction; NULL is fine */
sqlite3 *store_db(store *s);

typedef struct run_totals {
	uint64_t documents, skipped, failed, sentences, flagged, tags, bytes;
	uint64_t by_category[CAT__COUNT];
	uint64_t warnings; /* analysed documents with a warning (not stored in runs) */
} run_totals;

/* Start a run row; returns its id. */
int64_t store_run_begin(store *s, const char *tool_version, const ruleset *rs, const char *args);
/* How a run ended (runs.status). */
typedef enum run_status { RUN_COMPLETE, RUN_INTERRUPTED, RUN_FAILED } run_status;

/* Finish the run row with its totals, status 'complete' (and commit). */
void store_run_end(store *s, int64_t run, const run_totals *t);
/* The same with the given status, but a failure (the open batch cannot be
 * committed: disk full, read-only database...) comes back as -1 with err
 * set, nothing printed; 0 on success. RUN_FAILED records only the status
 * (with the totals and the finish time), after rolling back the open
 * batch: the caller met an error that stops the run. */
int store_run_finish(store *s, int64_t run, const run_totals *t, run_status status, cc_error *err);

/* 1 if a document with this key exists with this raw hash and was analysed
 * with this ruleset hash and without error; 0 otherwise. */
int store_is_current(store *s, const char *key, const char *raw_hash, const char *ruleset_hash);

/* Replace the rows of a->doc.key with this analysis (document row,
 * sentences, tags, sources; or the document row with its error). Runs
 * inside the store's current batch transaction, which is committed every
 * `batch` documents (store_set_batch) and at store_flush/close. Returns 0
 * or -1 with err set (disk full, read-only database...). */
int store_write(store *s, int64_t run, const analysis *a, const ruleset *rs, cc_error *err);
/* store_write for n analyses, in order, in the same batch: their document
 * rows one by one, then the sentences of all n with one statement and
 * their tags with another (each statement run costs SQLite more than a
 * few rows). On failure (-1, err set, naming the document or the first of
 * the n) the open batch is rolled back, these n with it. */
int store_write_many(store *s, int64_t run, const analysis *const *a, size_t n, const ruleset *rs,
		     cc_error *err);
/* Mark a skipped (current) document as seen by this run. */
int store_touch(store *s, int64_t run, const char *key, cc_error *err);

/* An input file as stat(2) saw it before it was read. A file whose stamp,
 * format and rule set are unchanged since every one of its documents was
 * stored without error is skipped without being read (the `files` table). */
typedef struct file_stamp {
	int64_t size, mtime_ns, ctime_ns, inode;
} file_stamp;

/* 1 if path is recorded (store_file_done) with this stamp, format and
 * ruleset hash; *ndocs then gets its number of documents. 0 otherwise
 * (also on a database without the files table). */
int store_file_is_current(store *s, const char *path, const file_stamp *fs, doc_format fmt,
			  const char *ruleset_hash, uint64_t *ndocs);
/* Record that all ndocs documents read from path (with stamp fs) are
 * stored and current, none failed. store_write forgets a file's record as
 * soon as it writes one of its documents, so a file whose documents were
 * only partly rewritten (an interrupted run) is never trusted. */
int store_file_done(store *s, int64_t run, const char *path, const file_stamp *fs, doc_format fmt,
		    const ruleset *rs, uint64_t ndocs, cc_error *err);
/* Mark a current file as seen by this run (files.seen_run; its documents'
 * seen_run is left as it was). */
int store_file_touch(store *s, int64_t run, const char *path, cc_error *err);
void store_set_batch(store *s, unsigned docs);
int store_flush(store *s, cc_error *err);

/* Write mode: move the WAL checkpoints off the calling thread. By
 * default SQLite copies the WAL into the database file inside the commit
 * that takes it past 4096 pages (64 MiB), and syncs both files there: a
 * fifth of a second in which the writer, and the workers waiting on it,
 * stand still. After this call a thread of the store, on a connection of
 * its own, does those checkpoints (from `pages` WAL pages, 0 for 4096)
 * while the writer goes on. Once the WAL has grown to four times that,
 * the writer copies what its last commit added itself, so that the next
 * transaction starts the WAL again from the beginning: the WAL file stays
 * at about 4 * pages pages plus a commit's (more when a reader on an old
 * snapshot makes the restart wait). store_close stops the thread. Returns 0,
 * or -1 with err set if the thread's connection cannot be opened (the
 * checkpoints then stay as they were). */
int store_checkpoint_in_background(store *s, unsigned pages, cc_error *err);

#endif
