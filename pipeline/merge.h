/*
 * merge.h — merge claimcheck databases (shards) into one.
 *
 * Reads: input databases written by `claimcheck run` (or merge, import).
 * Adds to the output database: their runs, documents with their sentences
 * and tags (so the sources view), files records and verdicts. Each input
 * is ATTACHed to the output's connection and copied with INSERT ... SELECT
 * statements inside one transaction per input; document ids are
 * renumbered, run ids remapped.
 *
 * Rules (documented in `claimcheck merge --help` and doc/distributed.md):
 *  - runs: a run row equal in every column but its id to one already in
 *    the output is the same run and is not copied again;
 *  - documents: by key; when the output already has the key, the copy
 *    analysed most recently (the start time of the run that analysed it)
 *    wins, and on a tie the output's copy stays;
 *  - files: an input's record of a file is copied when every document of
 *    that path in the output came from that input in this merge;
 *  - verdicts: by (doc_hash, start, end, rule); the newer `updated` wins.
 * So merging the same input twice changes nothing.
 *
 * An input is refused (MERGE_REFUSED) when its schema version or its
 * rule set differs from the output's (or, for a new output, the first
 * input's), unless `force` is set. A database's rule set is the set of
 * ruleset hashes of its documents (of its last run if it has none).
 *
 * Ownership: merge_open returns a caller-owned handle (merge_close).
 */
#ifndef CLAIMCHECK_MERGE_H
#define CLAIMCHECK_MERGE_H

#include <stdint.h>
#include "util.h"

typedef struct merger merger;

typedef struct merge_stats {
	uint64_t runs;             /* run rows added */
	uint64_t docs_added;       /* keys new to the output */
	uint64_t docs_replaced;    /* keys whose input copy was newer */
	uint64_t docs_kept;        /* keys whose output copy was as new or newer */
	uint64_t sentences, tags;  /* rows added */
	uint64_t files;            /* file records copied */
	uint64_t verdicts;         /* verdicts added or updated */
} merge_stats;

enum merge_check_result {
	MERGE_OK = 0,
	MERGE_UNREADABLE = 1, /* not a readable claimcheck database: skip it */
	MERGE_REFUSED = 2     /* other schema version or rule set (force merges anyway) */
};

/* Open (create or migrate) the output database. NULL with err set on
 * failure. */
merger *merge_open(const char *out_path, int force, cc_error *err);
void merge_close(merger *m); /* NULL is fine */

/* Check an input before anything is merged. The first input accepted
 * fixes the rule set when the output has none. With force, a mismatch
 * returns MERGE_OK and leaves a warning in err (cc_error_isset). */
enum merge_check_result merge_check(merger *m, const char *in_path, cc_error *err);

/* Merge one checked input, in one transaction. Adds to *st. Returns 0, or
 * -1 with err set (the input's transaction is rolled back). */
int merge_input(merger *m, const char *in_path, merge_stats *st, cc_error *err);

#endif
