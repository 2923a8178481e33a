/*
 * tag.h — stage 5: a sentence and its tokens -> tags.
 *
 * Reads: the normalized text, one sentence span, its tokens (stem.h), and
 * the compiled ruleset. Produces: one tag per rule match: the rule, the
 * matched span, the cue span, and for source rules the source name and
 * role spans and whether the source is anonymous. A match that overlaps a
 * match of one of the rule's exceptions is dropped (or kept with
 * `suppressed` set, for explain, when the tagger is asked to).
 *
 * Ownership: one tagger per thread (it holds PCRE2 match data and
 * scratch space); the ruleset is shared and read-only. tagvec is
 * caller-owned and reused.
 */
#ifndef CLAIMCHECK_TAG_H
#define CLAIMCHECK_TAG_H

#include "ruleset.h"
#include "stem.h"
#include "util.h"

typedef struct tag {
	uint32_t rule;       /* index in the ruleset */
	uint32_t start, end; /* the whole match */
	span cue;            /* the cue words; absent when start == end */
	span source;         /* source name (source rules); absent when start == end */
	span role;           /* source role ("analyst"); absent when start == end */
	uint8_t category;    /* category of the rule */
	uint8_t anonymous;   /* source rules: 1 if the source is unnamed */
	uint8_t suppressed;  /* 1 if an exception removed it (only with keep_suppressed) */
} tag;

typedef VEC(tag) tagvec;

typedef struct tagger tagger;

tagger *tagger_new(const ruleset *rs);
void tagger_free(tagger *t); /* NULL is fine */

/* Keep matches removed by exceptions, flagged `suppressed` (for explain). */
void tagger_keep_suppressed(tagger *t, int on);

/* Tag one sentence; tags are appended to out in order of start offset,
 * then rule index. Disabled rules are skipped. Returns 0, or -1 with err
 * set when a pattern hit the PCRE2 match/depth limit (err names the
 * rule); the other rules' tags are still appended. */
int tag_sentence(tagger *t, const char *text, span sentence, const tokens *toks, tagvec *out,
		 cc_error *err);

#endif
