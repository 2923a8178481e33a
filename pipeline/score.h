/*
 * score.h — stage 6: tags and tokens -> sentence and document scores.
 *
 * Reads: a sentence's tokens and tags. Produces: hedge, speculation and
 * weasel scores (noisy-or of the matching tags' weights), whether the
 * sentence cites a source, and a check-worthiness score for claims that
 * look factual (numbers, percentages, money, dates, names) and are not
 * sourced. The weights come from the [scoring] section of the rule files;
 * the formula is documented in rules/README.md.
 *
 * Ownership: plain values, nothing allocated.
 */
#ifndef CLAIMCHECK_SCORE_H
#define CLAIMCHECK_SCORE_H

#include <stddef.h>
#include "util.h"

struct tag;
struct tokens;
struct ruleset;

typedef struct score_weights {
	double number;          /* a number other than a year */
	double percent;         /* a percentage */
	double money;           /* a currency amount */
	double date;            /* a year, month or weekday */
	double name;            /* a capitalized word inside the sentence */
	double compare;         /* comparative or superlative wording ("largest", "more than") */
	double uncertain;       /* weight of the hedge/speculation/weasel signal in check-worthiness */
	double sourced_discount; /* how much citing a source lowers check-worthiness (0..1) */
	double short_factor;    /* multiplier for sentences of fewer than min_tokens tokens */
	double heading_factor;  /* multiplier for titles and headings */
	double flag_threshold;  /* check-worthiness at or above this flags the sentence */
	double min_tokens;
} score_weights;

void score_weights_default(score_weights *w);
/* Set one [scoring] key; returns 0, or -1 if the key is unknown or the
 * value out of range (message in err). */
int score_weights_set(score_weights *w, const char *key, double value, cc_error *err);

typedef struct sentence_scores {
	double hedge, speculation, weasel;
	double uncertainty;   /* noisy-or of the three above */
	double factual;       /* the factual-claim signal, before sourcing */
	double checkworthy;
	int sourced;          /* a source tag is present */
	int flagged;          /* uncertain, or check-worthy at or above the threshold */
} sentence_scores;

/* Score one sentence. text is the document text the tokens and tags point
 * into; rs gives each tag's rule weight; is_heading: the sentence is a
 * title or heading block. Suppressed tags are ignored. */
void score_sentence(const score_weights *w, const struct ruleset *rs, const char *text,
		    const struct tokens *toks, const struct tag *tags, size_t ntags, int is_heading,
		    sentence_scores *out);

typedef struct doc_scores {
	uint32_t sentences, flagged, hedged, speculative, weasel, sourced;
	double hedge_density;       /* hedged sentences / sentences */
	double speculation_density;
	double weasel_density;
	double sourced_share;       /* sourced / sentences */
	double checkworthy_max, checkworthy_mean;
} doc_scores;

void doc_scores_reset(doc_scores *d);
void doc_scores_add(doc_scores *d, const sentence_scores *s);
void doc_scores_finish(doc_scores *d);

#endif
