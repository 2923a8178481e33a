/*
 * eval.h — scoring the pipeline against annotated gold records.
 *
 * Reads: gold records (one JSON object per line) in three formats,
 * recognised by their fields: segmentation (`text`, `sentences`),
 * sentence-level uncertainty (`text`, `uncertain`, optional `cues`) and
 * attribution (`text`, `sources[{source, cue}]`); one record may carry
 * several. Each record's text is analysed as one document (analyze.h).
 * Produces: counts (true/false positives, false negatives), precision,
 * recall and F1 per metric, per-rule and per-category hit counts, and the
 * first N false positives and false negatives as JSON objects. The exact
 * definitions are in README.md ("eval").
 *
 * The text helpers (eval_norm, eval_cue_match, eval_overlap, eval_match,
 * eval_segmentation) are pure functions, usable on their own.
 *
 * Ownership: eval_new returns a caller-owned evaluator (eval_free). The
 * ruleset and analyzer are borrowed. The JSON objects in the error lists
 * belong to the evaluator.
 */
#ifndef CLAIMCHECK_EVAL_H
#define CLAIMCHECK_EVAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "util.h"

/* ---- counts and figures ------------------------------------------------- */

typedef struct eval_counts {
	uint64_t tp, fp, fn, tn; /* tn only for sentence-level decisions */
} eval_counts;

/* precision = tp / (tp + fp), recall = tp / (tp + fn), F1 their harmonic
 * mean. Each is -1 when undefined: no predictions (precision), no gold
 * items (recall), either undefined (F1). F1 is 0 when tp is 0 and both
 * precision and recall are defined. */
double eval_precision(const eval_counts *c);
double eval_recall(const eval_counts *c);
double eval_f1(const eval_counts *c);

/* ---- comparing strings --------------------------------------------------- */

/* Append the comparison form of s to out: lower-cased (Unicode), every run
 * of white space made one space, leading and trailing white space
 * dropped. */
void eval_norm(const char *s, size_t len, strbuf *out);

/* True if a predicted cue matches a gold cue; both in eval_norm form. A
 * gold cue "A ... B" (a discontinuous cue, parts joined by " ... ")
 * matches a predicted cue equal to its first part A, or one that starts
 * with the word(s) A and ends with the word(s) B; any other gold cue
 * matches an equal predicted cue. */
int eval_cue_match(const char *gold, size_t glen, const char *pred, size_t plen);

/* True if the two strings (eval_norm form) are equal or share a word: a
 * run of Unicode letters and digits, other than a, an, the, of, and, or,
 * to, in, on, at, for, by, with, from and s. */
int eval_overlap(const char *a, size_t alen, const char *b, size_t blen);

/* A string slice. */
typedef struct eval_str {
	const char *s;
	size_t len;
} eval_str;

typedef enum eval_mode {
	EVAL_EXACT,   /* equal strings */
	EVAL_CUE,     /* eval_cue_match(gold, pred) */
	EVAL_OVERLAP  /* exact or cue-equal first, then eval_overlap on what is left */
} eval_mode;

/* Match gold items to predicted items one to one, greedily: each gold item
 * in order takes the first unmatched predicted item that matches it.
 * gold_hit and pred_hit (may be NULL) receive 1 for matched items. Adds
 * matches to c->tp, unmatched predictions to c->fp and unmatched gold
 * items to c->fn; returns the number of matches. */
size_t eval_match(const eval_str *gold, size_t ngold, const eval_str *pred, size_t npred,
		  eval_mode mode, uint8_t *gold_hit, uint8_t *pred_hit, eval_counts *c);

/* Compare a predicted split of text (sentence spans, in order) with the
 * gold sentences. *passed: the two lists are equal, sentence by sentence,
 * once each run of white space is made one space. Boundaries: the end
 * offsets of the predicted spans against the end offsets of the gold
 * sentences, found by a sequential search in text in which a run of white
 * space in a gold sentence matches any run of white space in the text; a
 * gold sentence that is not found counts as a missed boundary. Adds to
 * *boundaries. */
void eval_segmentation(const char *text, size_t len, const eval_str *gold, size_t ngold,
		       const span *pred, size_t npred, int *passed, eval_counts *boundaries);

/* ---- the evaluator ------------------------------------------------------- */

/* Per rule (and per category): in how many records it fired, and in how
 * many of those the gold label is positive (uncertain, has a source). */
typedef struct eval_hits {
	uint64_t hits, tp;
} eval_hits;

typedef struct eval_errors {
	json_t *fp, *fn; /* arrays of at most max_errors record objects */
} eval_errors;

typedef struct eval_result {
	uint64_t records; /* gold records scored */
	uint64_t skipped; /* bad records (not scored) */

	/* segmentation */
	uint64_t seg_records, seg_passed;
	eval_counts seg_boundaries;
	json_t *seg_failed; /* at most max_errors failed records */

	/* sentence-level uncertainty */
	uint64_t unc_records, unc_positive;
	eval_counts unc_sentence;
	int unc_has_cues;          /* some record lists a cue: the cue figures mean something */
	eval_counts unc_cue_exact, unc_cue_overlap;
	eval_errors unc_errors;

	/* attribution */
	uint64_t att_records, att_positive;
	eval_counts att_has_source;
	eval_counts att_cue_exact, att_cue_overlap;
	eval_counts att_source_exact, att_source_overlap;
	eval_errors att_errors;

	/* per category: hits as for rules; and, over the records that have a
	 * "categories" list, the category's presence against that list */
	eval_hits cat_hits[CAT__COUNT];
	uint64_t cat_records;
	eval_counts cat[CAT__COUNT];

	/* per rule, indexed like the ruleset; each rule counts in the
	 * section of its category (source: attribution, else uncertainty) */
	eval_hits *rule_hits;
	size_t nrules;

	/* calibration, over the uncertainty records: a record counts as
	 * predicted uncertain at threshold 0.5 (0.9) when the highest
	 * uncertainty score of its sentences (score.h) is at least 0.5 (0.9);
	 * tp, fp, fn and tn against the gold label */
	eval_counts unc_score50, unc_score90;
} eval_result;

typedef struct evaluator evaluator;

/* max_errors: how many false positives and false negatives (and failed
 * segmentation records) to keep per section. */
evaluator *eval_new(const ruleset *rs, size_t max_errors);
void eval_free(evaluator *e); /* NULL is fine */

/* Score one gold line (JSON, without its newline; lineno 1-based): parse
 * it, analyse its text with az into a (reused), add to the totals.
 * Returns 0; or -1 with err set (err->line = lineno) for a record that is
 * not valid JSON, has no string "text", has none of the gold fields, has a
 * field of the wrong type, or whose text cannot be analysed — it is
 * counted as skipped. */
int eval_add_line(evaluator *e, analyzer *az, analysis *a, long lineno, const char *line,
		  size_t len, cc_error *err);

/* The totals so far (borrowed; valid until the next eval_add_line). */
const eval_result *eval_result_get(const evaluator *e);

#endif
