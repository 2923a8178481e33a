/*
 * segment.h — stage 3: a block of normalized text -> sentence spans.
 *
 * Reads: one block (normalize.h) of NFC UTF-8 text.
 * Produces: sentence spans [start, end) in document byte offsets, trimmed
 * of surrounding white space, in order, covering every non-space byte of
 * the block. Handles abbreviations and titles (from the rule files'
 * [abbreviations] section, never hard-coded here), initials, decimals and
 * versions, ellipses, closing quotes and brackets after the final
 * punctuation, ?! runs, dashes, and list items.
 *
 * Ownership: a segmenter is built once (ruleset.c feeds it the
 * [abbreviations] entries), then is read-only and safe to share between
 * threads.
 */
#ifndef CLAIMCHECK_SEGMENT_H
#define CLAIMCHECK_SEGMENT_H

#include "util.h"

typedef struct segmenter segmenter;

segmenter *segmenter_new(void);
void segmenter_free(segmenter *s); /* NULL is fine */

/* Add one entry from an [abbreviations] section: `key` is the entry kind
 * (documented in rules/README.md, e.g. "title", "abbrev"), `item` one
 * abbreviation as written. Returns 0, or -1 with err->msg set (unknown
 * key, malformed item); the caller adds file:line:col. */
int segmenter_add(segmenter *s, const char *key, const char *item, cc_error *err);

/* True if the segmenter has the key (for rule-file linting). */
int segmenter_has_key(const char *key);

/* Append the sentences of text[start, end) to out. */
void segment_block(const segmenter *s, const char *text, uint32_t start, uint32_t end, spanvec *out);

#endif
