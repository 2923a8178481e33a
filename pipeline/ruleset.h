/*
 * ruleset.h — the rule files: parse, lint, compile once, share read-only.
 *
 * Reads: rule files (rules/README.md documents the format): [rule ID]
 * sections (category, weight, match items, PCRE2 patterns, exceptions,
 * inline flag/pass examples), [list NAME] sections, the [abbreviations]
 * section (handed to the segmenter) and the [scoring] section (handed to
 * score.h). Every problem in every file is collected in a diags list with
 * file:line:col; if any is an error, no ruleset is returned.
 *
 * Produces: a compiled ruleset: word/phrase matchers keyed by stem,
 * PCRE2 patterns compiled once (JIT on first use), the segmenter, the scoring
 * weights, and a SHA-256 over everything that affects results, so runs
 * can tell whether stored results are current.
 *
 * Ownership: ruleset_load returns a caller-owned ruleset (ruleset_free);
 * after loading it is read-only and shared by all worker threads (but for
 * each pattern's JIT compilation on its first use, made under a lock).
 */
#ifndef CLAIMCHECK_RULESET_H
#define CLAIMCHECK_RULESET_H

#include <stddef.h>
#include "util.h"
#include "segment.h"
#include "score.h"

typedef enum category {
	CAT_HEDGE = 0,
	CAT_SPECULATION,
	CAT_WEASEL,
	CAT_SOURCE,
	CAT__COUNT
} category;

const char *category_name(category c); /* "hedge", "speculation", "weasel", "source" */
int category_from_name(const char *s); /* -1 if unknown */

typedef enum source_kind {
	SOURCE_NAMED = 0, /* the rule cites a named source */
	SOURCE_ANONYMOUS, /* the rule cites an unnamed one ("people familiar with the matter") */
	SOURCE_AUTO       /* decide from the captured source text */
} source_kind;

typedef struct rule_example {
	char *text;
	int should_flag;      /* 1: `flag =`, 0: `pass =` */
	char *expect_source;  /* from "=> source: X; role: Y; cue: Z", else NULL */
	char *expect_role;
	char *expect_cue;
	int line;
} rule_example;

typedef struct rule_info {
	char *id;
	category cat;
	double weight;  /* 0..1 */
	source_kind skind;
	char *note;     /* free text, may be NULL */
	char *file;     /* where it was defined */
	int line;
	int enabled;    /* 1 unless deselected (ruleset_select) */
	VEC(rule_example) examples;
} rule_info;

typedef struct ruleset ruleset;

/* Load rule files: each path is a file or a folder (its *.rules files, in
 * name order). Returns NULL if any error was found; all problems (errors
 * and warnings) are appended to d. */
ruleset *ruleset_load(const char *const *paths, size_t npaths, diags *d);
/* ruleset_load plus the lint that only `rules check` reports: a warning
 * for each pattern the tagger tries at every byte of the sentences it runs
 * in (PCRE2 finds no start set, and no \A, word-start lookbehind or
 * leading literal narrows it). */
ruleset *ruleset_load_lint(const char *const *paths, size_t npaths, diags *d);
void ruleset_free(ruleset *rs); /* NULL is fine */

size_t ruleset_size(const ruleset *rs);
const rule_info *ruleset_rule(const ruleset *rs, size_t i);
long ruleset_find(const ruleset *rs, const char *id); /* index or -1 */
const char *ruleset_hash(const ruleset *rs);         /* 64 hex digits */
const segmenter *ruleset_segmenter(const ruleset *rs);
const score_weights *ruleset_weights(const ruleset *rs);

/* Enable or disable one rule (for --rule/--skip-rule/--category); the
 * hash changes with the selection. */
void ruleset_set_enabled(ruleset *rs, size_t i, int on);

#endif
