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

/* Cost counters for `claimcheck rules profile`. Off by default: a tagger
 * that does not profile pays one test per pattern run. */
typedef struct tag_cost {
	uint64_t sentences; /* sentences in which it ran (past the literal prefilter) */
	uint64_t calls;     /* pcre2 match calls (one more than its matches per sentence) */
	uint64_t matches;   /* non-empty matches, before exceptions and overlaps */
	uint64_t ns;        /* time spent running it */
} tag_cost;

typedef struct tag_profile {
	uint64_t sentences;   /* sentences tagged */
	uint64_t items_ns;    /* word and phrase items (all rules together) */
	uint64_t prefilter_ns; /* the literal prefilter */
	uint64_t patterns_ns; /* all patterns and except-patterns */
	size_t npatterns;     /* entries in patterns: every pattern, then every except-pattern */
	const tag_cost *patterns;
	const uint32_t *rule;     /* entry -> rule index */
	const uint32_t *index;    /* entry -> its number among the rule's (except-)patterns, from 0 */
	const uint8_t *except;    /* entry -> 1 for an except-pattern */
	const tag_cost *rules;    /* per rule (ruleset_size entries): sentences in which any of
				   * its (except-)patterns ran; calls and ns of them all summed;
				   * matches of its patterns (not except-patterns) */
} tag_profile;

/* Switch profiling on (the counters restart from zero) or off. Times come
 * from the CPU's time-stamp counter where there is one (x86), calibrated
 * against CLOCK_MONOTONIC, else from CLOCK_MONOTONIC. */
void tagger_set_profile(tagger *t, int on);

/* The counters since profiling was switched on, or NULL if it is off.
 * Borrowed: valid until the next tag_sentence or tagger_set_profile. */
const tag_profile *tagger_profile(tagger *t);

#endif
