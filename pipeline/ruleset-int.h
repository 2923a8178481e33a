/*
 * ruleset-int.h — the compiled form of a rule set, shared by ruleset.c
 * (which builds it) and tag.c (which reads it). Not a public interface:
 * other modules use ruleset.h.
 *
 * Word and phrase items are sequences of elements. Every key an element
 * compares with (a stem, an exact lower-cased form, a prefix) is interned
 * in one hash table with a namespace, so a token is looked up once per
 * namespace and elements compare integer ids. Items are indexed by their
 * first element: key id -> items (a CSR table); items whose first element
 * is `_` are kept apart, and first-element prefixes are found by looking
 * up each distinct prefix length.
 */
#ifndef CLAIMCHECK_RULESET_INT_H
#define CLAIMCHECK_RULESET_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "ruleset.h"
#include "stem.h"

#define AC_OUT 0x80000000u

enum key_ns { NS_STEM = 1, NS_EXACT = 2, NS_PREFIX = 3 };

enum elem_mode { EL_STEM, EL_EXACT, EL_PREFIX, EL_ANY, EL_LIST };

typedef struct rs_elem {
	uint8_t mode;
	uint8_t nocap;     /* written in lower case: skips capitalized words inside a sentence */
	uint32_t id;       /* key id (EL_STEM, EL_EXACT, EL_PREFIX) or list index (EL_LIST) */
	uint32_t str, len; /* EL_PREFIX: the prefix, at rs->keystr.data + str */
} rs_elem;

typedef struct rs_item {
	uint32_t rule;
	uint32_t elem;     /* first element in rs->elems */
	uint16_t nelem;
	uint8_t except;    /* an `except` item */
} rs_item;

typedef struct rs_pattern {
	pcre2_code *code;
	uint32_t rule;
	int g_cue, g_source, g_role; /* capture group numbers, or -1 */
	/* RS_JIT_*: patterns are JIT-compiled on their first use (most never
	 * run in a short job: the literal prefilter rules them out), by
	 * rs_pattern_jit; until then, and while it runs, no thread matches
	 * with the code */
	_Atomic int jit;
	/* has_after: every match starts at the start of the subject or right
	 * after a character that is not an ASCII byte b with bit b of
	 * no_start_after set (the pattern begins with a lookbehind such as
	 * (?<![\p{L}\p{N}])), so tag.c tries only those start positions */
	uint8_t has_after;
	uint8_t no_start_after[16];
	/* has_words: the pattern begins (after other zero-width groups, with
	 * no top-level alternative) with a lookahead each of whose
	 * alternatives starts with a byte of word_first (a class of ASCII
	 * characters and perhaps all of \x{80}-\x{10ffff}) or is a group
	 * that matches one of a set of words, then \s: every match starts
	 * with such a byte or with one of the words (ASCII, lower case;
	 * nwords of them, sorted, those that start with byte b at
	 * words[word_at[b] .. word_at[b+1])) and a white-space character.
	 * tag.c tries such a pattern only where one of them is (comparing
	 * ASCII letters caselessly, and not in a sentence with a Kelvin sign
	 * or a long s). */
	uint8_t has_words;
	uint8_t word_first[32];
	uint32_t nwords;
	char **words;
	uint16_t *word_at;     /* 257 entries */
} rs_pattern;

enum rs_jit { RS_JIT_UNTRIED = 0, RS_JIT_YES, RS_JIT_NO };

typedef struct rs_list {
	char *name;
	char *file;
	int line;
	VEC(char *) items;     /* as written */
	int used;              /* by @NAME or %{NAME} */
	VEC(uint32_t) stems;   /* single-word items: NS_STEM key id * 2 + 1 if written
				* capitalized, sorted, one per id */
} rs_list;

/* Per-rule compiled data, parallel to rules. */
typedef struct rs_rulex {
	uint32_t pat, npat;    /* patterns in rs->patterns */
	uint32_t xpat, nxpat;  /* except-patterns in rs->xpatterns */
	uint32_t nexcept;      /* number of `except` items */
} rs_rulex;

typedef struct rs_key {
	uint32_t hash;
	uint32_t id;           /* 0: empty slot */
	uint32_t str, len;     /* in keystr */
	uint8_t ns;
} rs_key;

struct ruleset {
	VEC(rule_info) rules;
	VEC(rs_rulex) rx;
	VEC(rs_item) items;
	VEC(rs_elem) elems;
	VEC(rs_pattern) patterns;
	VEC(rs_pattern) xpatterns;
	VEC(rs_list) lists;

	rs_key *keys;          /* open addressing, keycap a power of two */
	uint32_t keycap, nkeys;
	strbuf keystr;

	uint32_t *index_off;   /* key id -> items: index_items[index_off[id] .. index_off[id+1]) */
	uint32_t *index_items;
	VEC(uint32_t) any_items;   /* items whose first element is `_` */
	VEC(uint32_t) prefix_lens; /* distinct byte lengths of first-element prefixes, ascending */

	/* Literal prefilter (ruleset.c): a DFA over ASCII-folded bytes that
	 * finds, in one pass over a sentence, which patterns can match there.
	 * Pattern p (patterns first, then xpatterns numbered after them) has
	 * the gates gate_off[p] .. gate_off[p+1], each a set of literals every
	 * match contains one of; it runs only if gated[p] is 0 or the DFA
	 * reached a literal of each of its gates. */
	uint8_t ac_class[256];
	uint32_t ac_nclass, ac_nstates;
	uint32_t *ac_delta;    /* state * ac_nclass + class -> state | AC_OUT if it has outputs */
	uint32_t *ac_out_off;  /* state -> ac_out[ac_out_off[s] .. ac_out_off[s+1]) */
	uint32_t *ac_out;      /* gate numbers */
	uint8_t *gated;        /* pattern -> it has gates */
	uint32_t *gate_off;    /* pattern -> its first gate (npat + 1 entries) */
	/* Lead strings: for a pattern p with lead[p] set, every match starts
	 * with one of a set of literals (ASCII-folded, as the gates), which
	 * are in the automaton too, as outputs ac_ngate + j: lead string j
	 * belongs to pattern lead_pat[j] and is lead_len[j] bytes long. tag.c
	 * tries such a pattern only where one of them starts. The automaton
	 * (if it has any state) also finds the long s and the Kelvin sign,
	 * which a caseless s or k matches but its ASCII folding cannot see:
	 * output ac_ngate + nlead (lead_pat[nlead] is UINT32_MAX). */
	uint32_t ac_ngate, nlead;
	uint8_t *lead;
	uint32_t *lead_pat, *lead_len;
	/* Shared work: many patterns have the same gate (the reporting verbs)
	 * or the same lead set. gate_id[g] is the first gate with the same
	 * strings as gate g, lead_chain[p] the first pattern with the same
	 * lead set as p (itself if none before; p if lead[p] is 0). The
	 * automaton's outputs without the others (of each such gate and
	 * lead set, only the first's) are ac_sout[ac_sout_off[s] ..
	 * ac_sout_off[s+1]): tag.c marks only the first gate and notes lead
	 * strings for the first pattern, and the others read those. */
	uint32_t *gate_id;
	uint32_t *lead_chain;
	uint32_t *ac_sout_off, *ac_sout;

	uint32_t max_groups;   /* most capture groups in any pattern */
	uint32_t max_elems;    /* longest item */

	pthread_mutex_t jit_lock; /* held while a pattern is JIT-compiled */

	segmenter *seg;
	score_weights weights;
	sha256_ctx content;    /* over the files' content, before the selection */
	char hash[65];
};

static inline uint32_t rs_hash(uint8_t ns, const char *s, size_t len)
{
	uint32_t h = 2166136261u ^ ns;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

/* JIT-compile pattern p unless that was tried already; returns its
 * RS_JIT_YES or RS_JIT_NO (ruleset.c). Thread-safe: the one change a
 * loaded rule set undergoes, under rs->jit_lock. */
int ruleset_jit_compile(const struct ruleset *rs, const rs_pattern *p);

/* Whether pattern p runs with pcre2_jit_match (else pcre2_match): JIT
 * compilation happens here, on the first call for p. Call it before
 * every match with p->code. */
static inline int rs_pattern_jit(const struct ruleset *rs, const rs_pattern *p)
{
	int s = atomic_load_explicit(&p->jit, memory_order_acquire);
	if (s == RS_JIT_UNTRIED) s = ruleset_jit_compile(rs, p);
	return s == RS_JIT_YES;
}

/* A token that looks like a name: capitalized inside a sentence, not after
 * punctuation, not all capitals. Lower-case item words skip it. */
static inline int rs_name_like(unsigned flags)
{
	return (flags & (TOK_CAP | TOK_UPPER | TOK_FIRST | TOK_PUNCT_BEFORE)) == TOK_CAP;
}

/* The id of key (ns, s[0, len)), or 0 if no rule uses it. */
static inline uint32_t rs_key_find(const struct ruleset *rs, uint8_t ns, const char *s, size_t len)
{
	if (!rs->nkeys) return 0;
	uint32_t h = rs_hash(ns, s, len);
	uint32_t mask = rs->keycap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		const rs_key *k = &rs->keys[i];
		if (!k->id) return 0;
		if (k->hash == h && k->ns == ns && k->len == len &&
		    memcmp(rs->keystr.data + k->str, s, len) == 0)
			return k->id;
	}
}

#endif
