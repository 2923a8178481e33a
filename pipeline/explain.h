/*
 * explain.h — an analysis as a JSON object (jansson): the stable,
 * documented form other tools read (`explain --format json`, and later
 * `stream`). The layout is documented in README.md ("explain JSON").
 * `stream` writes the same layout directly, without a jansson tree
 * (put_result in cmd-stream.c): a change to the layout goes into both,
 * and tests/cli/stream-identity.sh fails when they drift apart.
 *
 * Ownership: explain_json returns a new reference (json_decref).
 */
#ifndef CLAIMCHECK_EXPLAIN_H
#define CLAIMCHECK_EXPLAIN_H

#include <jansson.h>
#include "analyze.h"

#define EXPLAIN_JSON_VERSION 1

json_t *explain_json(const analysis *a, const ruleset *rs);

/* Human-readable form of the same: sentences, tags with rule ids and
 * spans, sources, scores. `color` adds ANSI highlights. */
void explain_text(const analysis *a, const ruleset *rs, int color, FILE *out);

#endif
