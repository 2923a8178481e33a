/*
 * tag.c — stage 5: a sentence and its tokens -> tags.
 *
 * Reads: the sentence span, its tokens (stem.c) and the compiled rule set
 * (ruleset-int.h). Adds: one tag per rule match. Word and phrase items are
 * found through the rule set's index (each token's stem and lower form
 * are looked up once; a phrase never continues across a token with
 * TOK_PUNCT_BEFORE), so the cost grows with the number of tokens, not with
 * the number of rules. PCRE2 patterns run on the sentence text, all
 * non-overlapping matches (a pattern whose matches all start with one of
 * a set of literals is tried only where the prefilter saw one start),
 * under a match limit so that a catastrophic pattern fails alone. Then,
 * per rule: matches overlapping an exception are dropped (or kept
 * flagged, for explain), and of overlapping matches the one starting
 * first (then the longest) is kept.
 *
 * `source = auto` decides anonymity from the captured source (or the
 * whole match) with the heuristic in source_is_anonymous() below.
 */
#include "config.h"
#include "tag.h"
#include "ruleset-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* Limits for one pcre2_match call (see rules/README.md). */
#define MATCH_LIMIT 2000000
#define DEPTH_LIMIT 10000
#define JIT_STACK_MAX (1024 * 1024)

/* A pattern compiled without PCRE2_USE_OFFSET_LIMIT, or not gated by the
 * prefilter, is searched from every start offset. */
#define NO_LIMIT UINT32_MAX

typedef struct xspan {
	uint32_t rule, start, end;
} xspan;

/* Where the prefilter saw a lead string of a pattern start; the hits of
 * one pattern are chained, last first. */
typedef struct lead_hit {
	uint32_t start, next; /* next: index + 1 in hits, 0 at the end */
} lead_hit;

/* The rule-set keys of a word (lower-cased form): its NS_STEM and NS_EXACT
 * ids and the ids of its prefixes that are keys, in prefix-length order.
 * Words repeat, so a direct-mapped cache of them saves the 2 + (number of
 * prefix lengths) hash-table probes per token. */
#define WC_SLOTS 65536  /* 3 MiB: misses fall from 13.5% to 4.5% of tokens on news */
#define WC_STR 22
#define WC_PRE 3
typedef struct word_keys {
	uint32_t hash;
	uint8_t len;            /* 0: empty slot */
	uint8_t npre;
	char s[WC_STR];
	uint32_t stem_id, lower_id;
	uint32_t pre[WC_PRE];
} word_keys;

/* For entry j of the rule set's item index (rs->index_items[j]): what a
 * match needs of the next token, tested before try_item: items that share
 * a common first word ("the", "to", ...) mostly fail on their second. */
enum { HINT_NONE, HINT_STEM, HINT_EXACT };
typedef struct item_hint {
	uint32_t id1;      /* HINT_STEM, HINT_EXACT: the next token's key id */
	uint16_t nelem;
	uint8_t next;      /* HINT_* */
} item_hint;

/* For a key of the item index: what its entries need of the next token,
 * in all, so that match_items can skip a key none of whose entries can
 * match there (most tokens after "the" are none of the words that its
 * phrases go on with). */
typedef struct key_hint {
	uint64_t stem, exact;  /* bit (id1 * KH_MUL) >> 58 of each HINT_STEM, HINT_EXACT id1 */
	uint8_t any;           /* an entry of one element or of HINT_NONE: always try */
} key_hint;
#define KH_MUL 0x9E3779B97F4A7C15u

static inline uint64_t kh_bit(uint32_t id)
{
	return (uint64_t)1 << (((uint64_t)id * KH_MUL) >> 58);
}

/* Profiling (tagger_set_profile): costs in ticks, converted to ns when read. */
typedef struct prof_state {
	tag_profile pub;
	tag_cost *pat, *rule;          /* in ticks */
	tag_cost *pat_out, *rule_out;  /* in ns, for tagger_profile */
	uint32_t *rule_of, *index_of;
	uint8_t *except_of;
	uint32_t *rule_gen;            /* rule -> generation in which its sentence was counted */
	uint64_t items, prefilter;
	uint64_t tick0, ns0;           /* calibration: ticks and CLOCK_MONOTONIC at the start */
} prof_state;

struct tagger {
	const ruleset *rs;
	prof_state *prof;        /* NULL unless profiling */
	uint64_t ncalls;         /* pcre2 match calls, for the profile */
	int keep_suppressed;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	VEC(uint32_t) stem_id;   /* per token: NS_STEM key id (0: no rule uses it) */
	VEC(uint32_t) lower_id;  /* per token: NS_EXACT key id */
	VEC(tag) cands;          /* this sentence's matches, before exceptions */
	VEC(xspan) xspans;       /* this sentence's exception matches */
	uint32_t *rule_mark;     /* rule -> generation in which it has a candidate */
	uint32_t *gate_mark;     /* gate -> generation in which the prefilter saw one of its
				  * literals; gate_end: the end of the last one. Of gates
				  * with the same strings, only the first's (rs->gate_id) */
	uint32_t *gate_end;
	uint32_t *pat_end;       /* pattern -> least gate_end of its gates (set by may_run) */
	uint32_t *pat_slack;     /* pattern -> bytes a match may start after that end, or NO_LIMIT */
	uint8_t (*first)[32];    /* pattern -> bytes a match may start with (PCRE2's start bitmap) */
	uint8_t *has_first;      /* pattern -> first[] holds something */
	uint8_t *use_starts;     /* pattern -> run_starts, not one search (see tagger_new) */
	uint8_t *req;            /* pattern -> an ASCII byte every match contains (PCRE2's
				  * last code unit; a letter in either case), or 0 */
	uint8_t *req_limit;      /* pattern -> the offset limit may end its search at the
				  * last req byte (compiled with PCRE2_USE_OFFSET_LIMIT) */
	VEC(uint32_t) starts;    /* this sentence's positions not inside a character nor
				  * right after an ASCII letter (for run_starts) */
	uint32_t starts_gen;     /* generation in which starts was computed */
	VEC(lead_hit) hits;      /* this sentence's lead strings (prefilter) */
	uint32_t *lead_head;     /* pattern -> its last hit (index + 1), if lead_gen is gen; of
				  * patterns with the same lead set, only the first's
				  * (rs->lead_chain) */
	uint32_t *lead_gen;
	VEC(uint32_t) cand;      /* the start offsets run_leads tries */
	int odd_fold;            /* the sentence has a Kelvin sign or a long s (prefilter) */
	uint64_t *gate_bits;     /* gate -> the patterns with a gate of its strings, nbits
				  * words (for the first gate of those strings) */
	uint32_t *gate_one;      /* gate -> the one pattern with its strings, UINT32_MAX if
				  * there are several */
	uint64_t *free_bits;     /* the patterns without gates, one bit each */
	uint64_t *run_bits;      /* this sentence's: those and the ones with a gate seen
				  * (prefilter); a superset of the ones may_run allows */
	size_t nbits;            /* words in free_bits, run_bits */
	uint32_t gen;
	VEC(uint32_t) marked;    /* rules with candidates in this sentence */
	word_keys *wc;           /* WC_SLOTS */
	VEC(uint32_t) pre_id;    /* per token: its prefix key ids ... */
	VEC(uint32_t) pre_off;   /* ... pre_id[pre_off[i] .. pre_off[i + 1]) */
	item_hint *hint;         /* parallel to rs->index_items */
	key_hint *khint;         /* key id -> summary of its entries' hints */
};

/* The bytes a match of code may start with, from PCRE2's start-of-match
 * data: a fixed first code unit (both cases of an ASCII letter, as it may
 * be caseless; any byte of a non-ASCII character) or the start bitmap.
 * *has is 0 when PCRE2 knows nothing. */
static void first_bytes(const pcre2_code *code, uint8_t bits[32], uint8_t *has)
{
	uint32_t type = 0, cu = 0;
	const uint8_t *map = NULL;
	*has = 0;
	memset(bits, 0, 32);
	pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type);
	if (type == 1) {
		pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
		if (cu >= 0x80) return;
		bits[cu >> 3] |= (uint8_t)(1u << (cu & 7));
		if ((cu | 0x20) >= 'a' && (cu | 0x20) <= 'z') {
			uint32_t o = cu ^ 0x20;
			bits[o >> 3] |= (uint8_t)(1u << (o & 7));
		}
		/* caseless k and s also match the Kelvin sign and the long s */
		if ((cu | 0x20) == 'k' || (cu | 0x20) == 's') {
			bits[0xC5 >> 3] |= (uint8_t)(1u << (0xC5 & 7));
			bits[0xE2 >> 3] |= (uint8_t)(1u << (0xE2 & 7));
		}
		*has = 1;
	} else if (type == 0 && pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 && map) {
		memcpy(bits, map, 32);
		*has = 1;
	}
}

tagger *tagger_new(const ruleset *rs)
{
	tagger *t = xcalloc(1, sizeof *t);
	t->rs = rs;
	t->md = pcre2_match_data_create(rs->max_groups + 1, NULL);
	t->mctx = pcre2_match_context_create(NULL);
	t->jstack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (!t->md || !t->mctx || !t->jstack) die("out of memory (PCRE2)");
	pcre2_set_match_limit(t->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(t->mctx, DEPTH_LIMIT);
	pcre2_jit_stack_assign(t->mctx, NULL, t->jstack);
	t->rule_mark = xcalloc(rs->rules.n + 1, sizeof *t->rule_mark);
	size_t ngate = rs->gate_off ? rs->gate_off[rs->patterns.n + rs->xpatterns.n] : 0;
	t->gate_mark = xcalloc(ngate + 1, sizeof *t->gate_mark);
	t->gate_end = xcalloc(ngate + 1, sizeof *t->gate_end);
	t->wc = xcalloc(WC_SLOTS, sizeof *t->wc);
	size_t nidx = rs->index_off ? rs->index_off[rs->nkeys + 1] : 0;
	t->hint = xcalloc(nidx + 1, sizeof *t->hint);
	for (size_t j = 0; j < nidx; j++) {
		const rs_item *it = &rs->items.v[rs->index_items[j]];
		item_hint *h = &t->hint[j];
		h->nelem = it->nelem;
		h->next = HINT_NONE;
		if (it->nelem < 2) continue;
		const rs_elem *e1 = &rs->elems.v[it->elem + 1];
		if (e1->mode == EL_STEM) h->next = HINT_STEM;
		else if (e1->mode == EL_EXACT) h->next = HINT_EXACT;
		h->id1 = e1->id;
	}
	t->khint = xcalloc((size_t)rs->nkeys + 2, sizeof *t->khint);
	for (uint32_t k = 0; nidx && k <= rs->nkeys; k++) {
		key_hint *kh = &t->khint[k];
		for (uint32_t j = rs->index_off[k]; j < rs->index_off[k + 1]; j++) {
			const item_hint *h = &t->hint[j];
			if (h->nelem < 2 || h->next == HINT_NONE) kh->any = 1;
			else if (h->next == HINT_STEM) kh->stem |= kh_bit(h->id1);
			else kh->exact |= kh_bit(h->id1);
		}
	}
	size_t np = rs->patterns.n + rs->xpatterns.n;
	t->pat_end = xcalloc(np + 1, sizeof *t->pat_end);
	t->pat_slack = xcalloc(np + 1, sizeof *t->pat_slack);
	t->first = xcalloc(np + 1, sizeof *t->first);
	t->has_first = xcalloc(np + 1, 1);
	t->use_starts = xcalloc(np + 1, 1);
	t->req = xcalloc(np + 1, 1);
	t->req_limit = xcalloc(np + 1, 1);
	t->lead_head = xcalloc(np + 1, sizeof *t->lead_head);
	t->lead_gen = xcalloc(np + 1, sizeof *t->lead_gen);
	t->nbits = np / 64 + 1;
	t->gate_bits = xcalloc((ngate + 1) * t->nbits, sizeof *t->gate_bits);
	t->free_bits = xcalloc(t->nbits, sizeof *t->free_bits);
	t->run_bits = xcalloc(t->nbits, sizeof *t->run_bits);
	t->gate_one = xmalloc((ngate + 1) * sizeof *t->gate_one);
	for (size_t g = 0; g <= ngate; g++) t->gate_one[g] = UINT32_MAX - 1; /* none yet */
	for (size_t i = 0; i < np; i++) {
		if (!rs->gated[i]) t->free_bits[i / 64] |= (uint64_t)1 << (i % 64);
		for (uint32_t g = rs->gate_off[i]; g < rs->gate_off[i + 1]; g++) {
			uint32_t id = rs->gate_id[g];
			t->gate_bits[id * t->nbits + i / 64] |= (uint64_t)1 << (i % 64);
			t->gate_one[id] = t->gate_one[id] == UINT32_MAX - 1 || t->gate_one[id] == i
						  ? (uint32_t)i
						  : UINT32_MAX;
		}
	}
	for (size_t i = 0; i < np; i++) {
		const rs_pattern *p = i < rs->patterns.n ? &rs->patterns.v[i]
							  : &rs->xpatterns.v[i - rs->patterns.n];
		uint32_t type = 0;
		first_bytes(p->code, t->first[i], &t->has_first[i]);
		/* where PCRE2 knows the first code unit, its own search for it
		 * is cheaper than a call per start position */
		pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTCODETYPE, &type);
		t->use_starts[i] = p->has_after && type != 1;
		uint32_t opts = 0, lb = 0;
		pcre2_pattern_info(p->code, PCRE2_INFO_ARGOPTIONS, &opts);
		pcre2_pattern_info(p->code, PCRE2_INFO_MAXLOOKBEHIND, &lb);
		/* a literal inside a lookbehind may end up to lb characters
		 * (4 bytes each) before the match starts */
		t->pat_slack[i] = rs->gated[i] && (opts & PCRE2_USE_OFFSET_LIMIT) ? 4 * lb : NO_LIMIT;
		/* a code unit every match contains, after its start: none in
		 * the sentence from a start on, no match from there (as
		 * PCRE2's own search for it, which a search per candidate
		 * start repeats every time). ASCII punctuation only: a letter
		 * is in nearly every sentence, near its end */
		uint32_t lt = 0, lu = 0;
		pcre2_pattern_info(p->code, PCRE2_INFO_LASTCODETYPE, &lt);
		pcre2_pattern_info(p->code, PCRE2_INFO_LASTCODEUNIT, &lu);
		if (lt == 1 && lu > ' ' && lu < 0x7f && !((lu | 0x20) >= 'a' && (lu | 0x20) <= 'z') &&
		    !(lu >= '0' && lu <= '9')) {
			t->req[i] = (uint8_t)lu;
			t->req_limit[i] = (opts & PCRE2_USE_OFFSET_LIMIT) != 0;
		}
	}
	return t;
}

static void prof_free(prof_state *p)
{
	if (!p) return;
	free(p->pat);
	free(p->rule);
	free(p->pat_out);
	free(p->rule_out);
	free(p->rule_of);
	free(p->index_of);
	free(p->except_of);
	free(p->rule_gen);
	free(p);
}

void tagger_free(tagger *t)
{
	if (!t) return;
	prof_free(t->prof);
	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mctx);
	pcre2_jit_stack_free(t->jstack);
	VEC_FREE(&t->stem_id);
	VEC_FREE(&t->lower_id);
	VEC_FREE(&t->cands);
	VEC_FREE(&t->xspans);
	VEC_FREE(&t->marked);
	VEC_FREE(&t->pre_id);
	VEC_FREE(&t->pre_off);
	VEC_FREE(&t->starts);
	VEC_FREE(&t->hits);
	VEC_FREE(&t->cand);
	free(t->lead_head);
	free(t->lead_gen);
	free(t->gate_bits);
	free(t->gate_one);
	free(t->free_bits);
	free(t->run_bits);
	free(t->wc);
	free(t->rule_mark);
	free(t->gate_mark);
	free(t->gate_end);
	free(t->pat_end);
	free(t->pat_slack);
	free(t->first);
	free(t->has_first);
	free(t->use_starts);
	free(t->req);
	free(t->req_limit);
	free(t->hint);
	free(t->khint);
	free(t);
}

void tagger_keep_suppressed(tagger *t, int on)
{
	t->keep_suppressed = on;
}

/* ---- profiling ---------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t prof_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return mono_ns();
#endif
}

void tagger_set_profile(tagger *t, int on)
{
	prof_free(t->prof);
	t->prof = NULL;
	if (!on) return;
	const ruleset *rs = t->rs;
	size_t np = rs->patterns.n + rs->xpatterns.n, nr = rs->rules.n;
	prof_state *p = xcalloc(1, sizeof *p);
	p->pat = xcalloc(np + 1, sizeof *p->pat);
	p->pat_out = xcalloc(np + 1, sizeof *p->pat_out);
	p->rule = xcalloc(nr + 1, sizeof *p->rule);
	p->rule_out = xcalloc(nr + 1, sizeof *p->rule_out);
	p->rule_of = xcalloc(np + 1, sizeof *p->rule_of);
	p->index_of = xcalloc(np + 1, sizeof *p->index_of);
	p->except_of = xcalloc(np + 1, 1);
	p->rule_gen = xcalloc(nr + 1, sizeof *p->rule_gen);
	for (size_t i = 0; i < np; i++) {
		int x = i >= rs->patterns.n;
		const rs_pattern *pp = x ? &rs->xpatterns.v[i - rs->patterns.n] : &rs->patterns.v[i];
		const rs_rulex *rx = &rs->rx.v[pp->rule];
		p->rule_of[i] = pp->rule;
		p->except_of[i] = (uint8_t)x;
		p->index_of[i] = x ? (uint32_t)(i - rs->patterns.n) - rx->xpat : (uint32_t)i - rx->pat;
	}
	p->tick0 = prof_ticks();
	p->ns0 = mono_ns();
	t->prof = p;
}

static void cost_scale(tag_cost *out, const tag_cost *in, double f)
{
	*out = *in;
	out->ns = (uint64_t)((double)in->ns * f + 0.5);
}

const tag_profile *tagger_profile(tagger *t)
{
	prof_state *p = t->prof;
	if (!p) return NULL;
	const ruleset *rs = t->rs;
	size_t np = rs->patterns.n + rs->xpatterns.n;
	uint64_t ticks = prof_ticks() - p->tick0, ns = mono_ns() - p->ns0;
	double f = ticks ? (double)ns / (double)ticks : 1.0;
	for (size_t i = 0; i < np; i++) cost_scale(&p->pat_out[i], &p->pat[i], f);
	for (size_t i = 0; i < rs->rules.n; i++) {
		cost_scale(&p->rule_out[i], &p->rule[i], f);
		p->rule_out[i].ns = 0; /* the sum of its patterns', as they are rounded */
	}
	for (size_t i = 0; i < np; i++) p->rule_out[p->rule_of[i]].ns += p->pat_out[i].ns;
	p->pub.items_ns = (uint64_t)((double)p->items * f + 0.5);
	p->pub.prefilter_ns = (uint64_t)((double)p->prefilter * f + 0.5);
	p->pub.patterns_ns = 0; /* the sum of the patterns' times, as they are rounded */
	for (size_t i = 0; i < np; i++) p->pub.patterns_ns += p->pat_out[i].ns;
	p->pub.npatterns = np;
	p->pub.patterns = p->pat_out;
	p->pub.rules = p->rule_out;
	p->pub.rule = p->rule_of;
	p->pub.index = p->index_of;
	p->pub.except = p->except_of;
	return &p->pub;
}

static void mark_rule(tagger *t, uint32_t rule)
{
	if (t->rule_mark[rule] != t->gen) {
		t->rule_mark[rule] = t->gen;
		VEC_PUSH(&t->marked, rule);
	}
}

/* ---- word and phrase items ---------------------------------------------- */

/* Does the list hold stem id for a token with these flags? */
static int list_has(const rs_list *li, uint32_t id, unsigned flags)
{
	size_t lo = 0, hi = li->stems.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (li->stems.v[mid] >> 1 < id) lo = mid + 1;
		else hi = mid;
	}
	if (lo >= li->stems.n || li->stems.v[lo] >> 1 != id) return 0;
	return (li->stems.v[lo] & 1) || !rs_name_like(flags);
}

static int elem_matches(const tagger *t, const rs_elem *e, const tokens *toks, size_t k)
{
	const ruleset *rs = t->rs;
	const token *tk = &toks->t.v[k];
	if (e->nocap && e->mode != EL_LIST && rs_name_like(tk->flags)) return 0;
	switch (e->mode) {
	case EL_STEM:
		return t->stem_id.v[k] == e->id;
	case EL_EXACT:
		return t->lower_id.v[k] == e->id;
	case EL_PREFIX:
		return tk->lower_len >= e->len &&
		       memcmp(token_lower(toks, tk), rs->keystr.data + e->str, e->len) == 0;
	case EL_ANY:
		return 1;
	case EL_LIST:
		return t->stem_id.v[k] && list_has(&rs->lists.v[e->id], t->stem_id.v[k], tk->flags);
	}
	return 0;
}

/* Try item it at token i (its first element is known to match). */
static void try_item(tagger *t, uint32_t item, const tokens *toks, size_t i)
{
	const ruleset *rs = t->rs;
	const rs_item *it = &rs->items.v[item];
	if (!rs->rules.v[it->rule].enabled) return;
	size_t n = toks->t.n;
	if (i + it->nelem > n) return;
	const rs_elem *el = &rs->elems.v[it->elem];
	if (el[0].mode != EL_ANY && !elem_matches(t, &el[0], toks, i)) return; /* case, list */
	for (size_t k = 1; k < it->nelem; k++) {
		if (toks->t.v[i + k].flags & TOK_PUNCT_BEFORE) return;
		if (!elem_matches(t, &el[k], toks, i + k)) return;
	}
	uint32_t s = toks->t.v[i].start, e = toks->t.v[i + it->nelem - 1].end;
	if (it->except) {
		xspan x = {it->rule, s, e};
		VEC_PUSH(&t->xspans, x);
		return;
	}
	tag tg = {0};
	tg.rule = it->rule;
	tg.start = s;
	tg.end = e;
	tg.cue.start = s;
	tg.cue.end = e;
	VEC_PUSH(&t->cands, tg);
	mark_rule(t, it->rule);
}

/* May an entry of key match at token i? Not if every entry has two
 * elements or more and none wants the next token (its key_hint). */
static inline int key_may_match(const tagger *t, uint32_t key, const tokens *toks, size_t i)
{
	const key_hint *kh = &t->khint[key];
	if (kh->any) return 1;
	if (i + 1 >= toks->t.n || (toks->t.v[i + 1].flags & TOK_PUNCT_BEFORE)) return 0;
	return (kh->stem & kh_bit(t->stem_id.v[i + 1])) || (kh->exact & kh_bit(t->lower_id.v[i + 1]));
}

static void try_items(tagger *t, uint32_t key, const tokens *toks, size_t i)
{
	const ruleset *rs = t->rs;
	size_t n = toks->t.n;
	for (uint32_t j = rs->index_off[key]; j < rs->index_off[key + 1]; j++) {
		/* the cheap necessary conditions of try_item first */
		const item_hint *h = &t->hint[j];
		if (i + h->nelem > n) continue;
		if (h->nelem >= 2) {
			if (toks->t.v[i + 1].flags & TOK_PUNCT_BEFORE) continue;
			if (h->next == HINT_STEM && t->stem_id.v[i + 1] != h->id1) continue;
			if (h->next == HINT_EXACT && t->lower_id.v[i + 1] != h->id1) continue;
		}
		try_item(t, rs->index_items[j], toks, i);
	}
}

/* Look up the keys of token k (stem, lower form, prefixes), through the
 * word cache. */
static void token_keys(tagger *t, const tokens *toks, size_t k)
{
	const ruleset *rs = t->rs;
	const token *tk = &toks->t.v[k];
	const char *lw = token_lower(toks, tk);
	size_t len = tk->lower_len;
	word_keys *w = NULL;
	uint32_t h = 0;
	if (len > 0 && len <= WC_STR) {
		h = rs_hash(0, lw, len);
		w = &t->wc[h & (WC_SLOTS - 1)];
		if (w->hash == h && w->len == len && memcmp(w->s, lw, len) == 0) {
			t->stem_id.v[k] = w->stem_id;
			t->lower_id.v[k] = w->lower_id;
			for (uint32_t i = 0; i < w->npre; i++) VEC_PUSH(&t->pre_id, w->pre[i]);
			return;
		}
	}
	uint32_t sid = rs_key_find(rs, NS_STEM, token_stem(toks, tk), tk->stem_len);
	uint32_t lid = rs_key_find(rs, NS_EXACT, lw, len);
	size_t first = t->pre_id.n;
	for (size_t p = 0; p < rs->prefix_lens.n && rs->prefix_lens.v[p] <= len; p++) {
		uint32_t id = rs_key_find(rs, NS_PREFIX, lw, rs->prefix_lens.v[p]);
		if (id) VEC_PUSH(&t->pre_id, id);
	}
	t->stem_id.v[k] = sid;
	t->lower_id.v[k] = lid;
	size_t npre = t->pre_id.n - first;
	if (w && npre <= WC_PRE) {
		w->hash = h;
		w->len = (uint8_t)len;
		memcpy(w->s, lw, len);
		w->stem_id = sid;
		w->lower_id = lid;
		w->npre = (uint8_t)npre;
		if (npre) memcpy(w->pre, t->pre_id.v + first, npre * sizeof *w->pre);
	}
}

static void match_items(tagger *t, const tokens *toks)
{
	const ruleset *rs = t->rs;
	size_t n = toks->t.n;
	VEC_RESERVE(&t->stem_id, n);
	VEC_RESERVE(&t->lower_id, n);
	VEC_RESERVE(&t->pre_off, n + 1);
	t->pre_id.n = 0;
	for (size_t i = 0; i < n; i++) {
		t->pre_off.v[i] = (uint32_t)t->pre_id.n;
		token_keys(t, toks, i);
	}
	t->pre_off.v[n] = (uint32_t)t->pre_id.n;
	if (!rs->items.n) return;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = t->stem_id.v[i];
		if (k && key_may_match(t, k, toks, i)) try_items(t, k, toks, i);
		k = t->lower_id.v[i];
		if (k && key_may_match(t, k, toks, i)) try_items(t, k, toks, i);
		for (uint32_t p = t->pre_off.v[i]; p < t->pre_off.v[i + 1]; p++)
			if (key_may_match(t, t->pre_id.v[p], toks, i)) try_items(t, t->pre_id.v[p], toks, i);
		for (size_t a = 0; a < rs->any_items.n; a++) try_item(t, rs->any_items.v[a], toks, i);
	}
}

/* ---- patterns ----------------------------------------------------------- */

static int limit_error(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static span group_span(const PCRE2_SIZE *ov, int rc, int g, uint32_t base)
{
	span sp = {0, 0};
	if (g < 0 || g >= rc || ov[2 * g] == PCRE2_UNSET) return sp;
	sp.start = base + (uint32_t)ov[2 * g];
	sp.end = base + (uint32_t)ov[2 * g + 1];
	return sp;
}

/* Run pattern number pi (patterns, then except-patterns) over the
 * sentence; each non-empty match becomes a candidate (or, for
 * except-patterns, an exception span). Returns 0, or the PCRE2 error code.
 *
 * Every match of a gated pattern contains one literal of each of its
 * gates (ruleset.c), so no match starts after the end of the last literal
 * the prefilter saw of any gate (plus the pattern's longest lookbehind):
 * when the pattern allows it, PCRE2's offset limit stops the search there
 * instead of trying every later start. */
static void add_match(tagger *t, const rs_pattern *p, int except, int rc, span sent)
{
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
	PCRE2_SIZE s = ov[0], e = ov[1];
	if (except) {
		xspan x = {p->rule, sent.start + (uint32_t)s, sent.start + (uint32_t)e};
		VEC_PUSH(&t->xspans, x);
		return;
	}
	tag tg = {0};
	tg.rule = p->rule;
	tg.start = sent.start + (uint32_t)s;
	tg.end = sent.start + (uint32_t)e;
	tg.cue = group_span(ov, rc, p->g_cue, sent.start);
	if (tg.cue.start == tg.cue.end) {
		tg.cue.start = tg.start;
		tg.cue.end = tg.end;
	}
	tg.source = group_span(ov, rc, p->g_source, sent.start);
	tg.role = group_span(ov, rc, p->g_role, sent.start);
	VEC_PUSH(&t->cands, tg);
	mark_rule(t, p->rule);
}

/* One PCRE2 search for pattern p from offset `at` (under the offset limit
 * the caller set). Returns PCRE2_ERROR_NOMATCH or another negative PCRE2
 * code, or 0: a non-empty match became a candidate (or an exception span)
 * and *next is where the search goes on (past an empty match, the next
 * character). */
static int search_from(tagger *t, const rs_pattern *p, int except, PCRE2_SPTR subj,
		       PCRE2_SIZE len, PCRE2_SIZE at, uint32_t *opts, span sent, PCRE2_SIZE *next)
{
	/* pcre2_jit_match skips pcre2_match's checks; the text is valid
	 * UTF-8 (normalize.c) and the patterns allow invalid UTF anyway */
	t->ncalls++;
	int rc = rs_pattern_jit(t->rs, p)
			 ? pcre2_jit_match(p->code, subj, len, at, *opts, t->md, t->mctx)
			 : pcre2_match(p->code, subj, len, at, *opts, t->md, t->mctx);
	if (rc < 0) return rc;
	*opts = PCRE2_NO_UTF_CHECK; /* the subject was checked by the first call */
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
	PCRE2_SIZE s = ov[0], e = ov[1];
	if (e <= s) {
		/* ignore empty matches; step over one character */
		*next = (e > at ? e : at) + 1;
		while (*next < len && (subj[*next] & 0xC0) == 0x80) (*next)++;
		return 0;
	}
	add_match(t, p, except, rc, sent);
	*next = e;
	return 0;
}

static int bit_set(const uint8_t *bits, unsigned c)
{
	return bits[c >> 3] & (1u << (c & 7));
}

/*
 * run_pattern for a pattern whose matches start only at the start of the
 * subject or after certain characters (p->has_after, ruleset.c), and only
 * with certain bytes (PCRE2's start data): PCRE2 would try every other
 * position too and fail in the pattern's first lookbehind, which in a
 * sentence is most positions (the letters inside words). This finds the
 * positions where a match may start and has PCRE2 try each of them alone
 * (the offset limit set to it): the same matches, found in the same order.
 */
static void find_starts(tagger *t, PCRE2_SPTR subj, PCRE2_SIZE len)
{
	t->starts.n = 0;
	VEC_RESERVE(&t->starts, len + 1);
	unsigned prev = ' ';
	for (PCRE2_SIZE q = 0; q < len; q++) {
		unsigned c = subj[q];
		if ((c & 0xC0) != 0x80 && ((prev | 0x20) < 'a' || (prev | 0x20) > 'z'))
			t->starts.v[t->starts.n++] = (uint32_t)q;
		prev = c;
	}
	if ((prev | 0x20) < 'a' || (prev | 0x20) > 'z') t->starts.v[t->starts.n++] = (uint32_t)len;
	t->starts_gen = t->gen;
}

/* May a match of pattern p (has_words) start at q: a byte of its
 * word_first there, or one of its words (ASCII letters in either case)
 * and a white-space character (ASCII or, as \s under UCP may be, not
 * ASCII)? */
static int word_start(const rs_pattern *p, PCRE2_SPTR subj, PCRE2_SIZE len, PCRE2_SIZE q)
{
	if (q >= len) return 0;
	unsigned c = subj[q];
	if (bit_set(p->word_first, c)) return 1;
	unsigned lc = (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? c | 0x20 : c;
	for (uint32_t k = p->word_at[lc]; k < p->word_at[lc + 1]; k++) {
		const char *w = p->words[k];
		PCRE2_SIZE j = 1;
		for (; w[j]; j++) {
			if (q + j >= len) break;
			unsigned x = subj[q + j];
			if ((x | 0x20) >= 'a' && (x | 0x20) <= 'z') x |= 0x20;
			if (x != (unsigned char)w[j]) break;
		}
		if (w[j] || q + j >= len) continue;
		unsigned nx = subj[q + j];
		if (nx == ' ' || (nx >= '\t' && nx <= '\r') || nx >= 0x80) return 1;
	}
	return 0;
}

/* Try pattern p at the candidate start offsets c[0..n) (ascending; a
 * repeated one counts once), each alone (the offset limit set to it): the
 * ones its first-byte bitmap and its lookbehind (no_start_after) allow,
 * and none inside a match found before. The same matches, in the same
 * order, as PCRE2's own search from every offset. */
static int run_cands(tagger *t, size_t pi, const rs_pattern *p, int except, PCRE2_SPTR subj,
		     PCRE2_SIZE len, PCRE2_SIZE limit, span sent, const uint32_t *c, size_t n)
{
	const uint8_t *first = t->has_first[pi] ? t->first[pi] : NULL;
	PCRE2_SIZE last = limit < len ? limit : len, off = 0;
	uint32_t opts = 0;
	for (size_t i = 0; i < n; i++) {
		PCRE2_SIZE q = c[i];
		if (q < off || (i > 0 && c[i - 1] == q)) continue;
		if (q > last) return 0;
		if (q < len ? first && !bit_set(first, subj[q]) : first != NULL) continue;
		if (p->has_after && q > 0 && subj[q - 1] < 0x80 && bit_set(p->no_start_after, subj[q - 1]))
			continue;
		/* odd_fold is known only where the automaton ran */
		if (p->has_words && t->rs->ac_nstates && !t->odd_fold && !word_start(p, subj, len, q))
			continue;
		pcre2_set_offset_limit(t->mctx, q);
		int rc = search_from(t, p, except, subj, len, q, &opts, sent, &off);
		if (rc == PCRE2_ERROR_NOMATCH) {
			off = q + 1;
			continue;
		}
		if (rc < 0) return rc;
	}
	return 0;
}

/* run_pattern for a pattern that can start only at a word start
 * (has_after): the sentence's word starts are the candidates. */
static int run_starts(tagger *t, size_t pi, const rs_pattern *p, int except, PCRE2_SPTR subj,
		      PCRE2_SIZE len, PCRE2_SIZE limit, span sent)
{
	if (t->starts_gen != t->gen) find_starts(t, subj, len);
	return run_cands(t, pi, p, except, subj, len, limit, sent, t->starts.v, t->starts.n);
}

/*
 * run_pattern for a pattern whose matches all start with one of its lead
 * strings (rs->lead, ruleset.c): the candidates are where the prefilter
 * saw one start. The automaton folds ASCII letters only, and a caseless k
 * or s also matches the Kelvin sign or the long s; run_pattern does not
 * come here for a sentence with either.
 */
static int run_leads(tagger *t, size_t pi, const rs_pattern *p, int except, PCRE2_SPTR subj,
		     PCRE2_SIZE len, PCRE2_SIZE limit, span sent)
{
	uint32_t chain = t->rs->lead_chain[pi];
	if (t->lead_gen[chain] != t->gen) return 0;
	t->cand.n = 0;
	for (uint32_t h = t->lead_head[chain]; h; h = t->hits.v[h - 1].next)
		VEC_PUSH(&t->cand, t->hits.v[h - 1].start);
	/* the chain runs by end, last first: reversed, nearly sorted by start */
	uint32_t *c = t->cand.v;
	size_t n = t->cand.n;
	for (size_t i = 0, j = n - 1; i < j; i++, j--) {
		uint32_t x = c[i];
		c[i] = c[j];
		c[j] = x;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = c[i];
		size_t j = i;
		while (j > 0 && c[j - 1] > x) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = x;
	}
	return run_cands(t, pi, p, except, subj, len, limit, sent, c, n);
}

/* Where the last byte c is in s[0, len), plus one; 0 if it is not there. */
static PCRE2_SIZE last_byte(PCRE2_SPTR s, PCRE2_SIZE len, unsigned c)
{
	const unsigned char *r = memrchr(s, (int)c, len);
	return r ? (PCRE2_SIZE)(r - s) + 1 : 0;
}

static int run_pattern(tagger *t, size_t pi, int except, const char *text, span sent)
{
	const rs_pattern *p = except ? &t->rs->xpatterns.v[pi - t->rs->patterns.n] : &t->rs->patterns.v[pi];
	PCRE2_SPTR subj = (PCRE2_SPTR)text + sent.start;
	PCRE2_SIZE len = sent.end - sent.start, off = 0;
	uint32_t opts = 0;
	PCRE2_SIZE limit = t->pat_slack[pi] == NO_LIMIT ? PCRE2_UNSET
							: (PCRE2_SIZE)t->pat_end[pi] + t->pat_slack[pi];
	/* the required byte */
	if (t->req[pi]) {
		PCRE2_SIZE r = last_byte(subj, len, t->req[pi]);
		if (!r) return 0;
		/* a match starts at or before the byte */
		if (t->req_limit[pi] && (limit == PCRE2_UNSET || limit > r - 1)) limit = r - 1;
	}
	if (t->rs->lead[pi] && !t->odd_fold)
		return run_leads(t, pi, p, except, subj, len, limit, sent);
	if (t->use_starts[pi]) return run_starts(t, pi, p, except, subj, len, limit, sent);
	pcre2_set_offset_limit(t->mctx, limit);
	while (off <= len) {
		int rc = search_from(t, p, except, subj, len, off, &opts, sent, &off);
		if (rc == PCRE2_ERROR_NOMATCH) return 0;
		if (rc < 0) return rc;
	}
	return 0;
}

/* run_pattern, counted and timed for the profile. */
static int run_pattern_prof(tagger *t, size_t pi, int except, const char *text, span sent)
{
	prof_state *p = t->prof;
	size_t before = except ? t->xspans.n : t->cands.n;
	t->ncalls = 0;
	/* the first use JIT-compiles the pattern: not part of its time */
	rs_pattern_jit(t->rs, except ? &t->rs->xpatterns.v[pi - t->rs->patterns.n] : &t->rs->patterns.v[pi]);
	uint64_t c0 = prof_ticks();
	int rc = run_pattern(t, pi, except, text, sent);
	uint64_t d = prof_ticks() - c0;
	uint64_t found = (except ? t->xspans.n : t->cands.n) - before;
	tag_cost *c = &p->pat[pi], *r = &p->rule[p->rule_of[pi]];
	c->sentences++;
	c->calls += t->ncalls;
	c->matches += found;
	c->ns += d;
	if (p->rule_gen[p->rule_of[pi]] != t->gen) {
		p->rule_gen[p->rule_of[pi]] = t->gen;
		r->sentences++;
	}
	r->calls += t->ncalls;
	if (!except) r->matches += found;
	r->ns += d;
	return rc;
}

/* Run the literal automaton over the sentence: mark the gates whose
 * literals occur in it, note where lead strings start and whether a long
 * s or a Kelvin sign occurs (odd_fold), and set run_bits: the patterns
 * without gates and those with a gate seen (all, with odd_fold). Through
 * the shared outputs (rs->ac_sout): a gate that twenty patterns have (the
 * reporting verbs) is marked once per occurrence, not twenty times. */
static void prefilter(tagger *t, const char *text, span sent)
{
	const ruleset *rs = t->rs;
	memcpy(t->run_bits, t->free_bits, t->nbits * sizeof *t->run_bits);
	t->odd_fold = 0;
	if (!rs->ac_nstates) return;
	const uint32_t *delta = rs->ac_delta;
	const uint8_t *cls = rs->ac_class;
	const uint32_t *sout_off = rs->ac_sout_off, *sout = rs->ac_sout;
	const uint32_t *lead_pat = rs->lead_pat, *lead_len = rs->lead_len;
	const unsigned char *b = (const unsigned char *)text + sent.start;
	const unsigned char *p = b;
	const unsigned char *e = (const unsigned char *)text + sent.end;
	uint32_t st = 0, nc = rs->ac_nclass, ngate = rs->ac_ngate, odd = ngate + rs->nlead;
	uint32_t gen = t->gen, *gate_mark = t->gate_mark, *gate_end = t->gate_end;
	uint32_t *lead_gen = t->lead_gen, *lead_head = t->lead_head;
	const uint32_t *gate_one = t->gate_one;
	const uint64_t *gate_bits = t->gate_bits;
	uint64_t *run_bits = t->run_bits;
	size_t nbits = t->nbits;
	t->hits.n = 0;
	for (; p < e; p++) {
		uint32_t x = delta[st + cls[*p]];
		st = x & ~AC_OUT;
		if (!(x & AC_OUT)) continue;
		uint32_t s = st / nc;
		uint32_t end = (uint32_t)(p + 1 - b);
		for (uint32_t k = sout_off[s]; k < sout_off[s + 1]; k++) {
			uint32_t o = sout[k];
			if (o < ngate) {
				if (gate_mark[o] != gen) {
					gate_mark[o] = gen;
					uint32_t one = gate_one[o];
					if (one != UINT32_MAX) {
						run_bits[one / 64] |= (uint64_t)1 << (one % 64);
					} else {
						const uint64_t *gb = gate_bits + (size_t)o * nbits;
						for (size_t w = 0; w < nbits; w++) run_bits[w] |= gb[w];
					}
				}
				gate_end[o] = end;
				continue;
			}
			if (o == odd) {
				t->odd_fold = 1;
				continue;
			}
			/* a lead string: where it starts */
			uint32_t pat = lead_pat[o - ngate];
			if (lead_gen[pat] != gen) {
				lead_gen[pat] = gen;
				lead_head[pat] = 0;
			}
			lead_hit h = {end - lead_len[o - ngate], lead_head[pat]};
			VEC_PUSH(&t->hits, h);
			lead_head[pat] = (uint32_t)t->hits.n;
		}
	}
	if (t->odd_fold) memset(t->run_bits, 0xff, t->nbits * sizeof *t->run_bits);
}

/* May pattern p match in this sentence: did the prefilter see a literal
 * of each of its gates? Sets pat_end[p] for run_pattern. In a sentence
 * with a Kelvin sign or a long s (odd_len, its length, is then nonzero)
 * every gated pattern may: a caseless k or s matches them, and the
 * automaton, which folds ASCII letters only, cannot see it. */
static int may_run(tagger *t, size_t p, uint32_t odd_len)
{
	const ruleset *rs = t->rs;
	if (!rs->gated[p]) return 1;
	if (odd_len) {
		t->pat_end[p] = odd_len; /* no offset limit before the end */
		return 1;
	}
	uint32_t end = UINT32_MAX;
	for (uint32_t g = rs->gate_off[p]; g < rs->gate_off[p + 1]; g++) {
		uint32_t id = rs->gate_id[g];
		if (t->gate_mark[id] != t->gen) return 0;
		if (t->gate_end[id] < end) end = t->gate_end[id];
	}
	t->pat_end[p] = end;
	return 1;
}

static void pattern_failed(const ruleset *rs, const rs_pattern *p, int rc, cc_error *err,
			   uint32_t at)
{
	if (!err || cc_error_isset(err)) return;
	if (limit_error(rc)) {
		cc_error_set(err, at, "rule `%s`: a pattern hit the PCRE2 match limit (catastrophic "
			     "backtracking?); its matches in this sentence are incomplete",
			     rs->rules.v[p->rule].id);
	} else {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof msg);
		cc_error_set(err, at, "rule `%s`: pattern failed: %s", rs->rules.v[p->rule].id,
			     (const char *)msg);
	}
}

/* ---- anonymous sources -------------------------------------------------- */

static int in_sorted(const char *const *words, size_t n, const char *w)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(words[mid], w);
		if (c == 0) return 1;
		if (c < 0) lo = mid + 1;
		else hi = mid;
	}
	return 0;
}

/* Words that stand for an unnamed person or group (sorted). */
static const char *const generic_words[] = {
	"adviser", "advisers", "advisor", "advisors", "aide", "aides", "analyst", "analysts",
	"banker", "bankers", "colleague", "colleagues", "consultant", "consultants", "critic",
	"critics", "diplomat", "diplomats", "economist", "economists", "employee", "employees",
	"executive", "executives", "expert", "experts", "friend", "friends", "informant",
	"informants", "insider", "insiders", "investor", "investors", "lawmaker", "lawmakers",
	"manager", "managers", "member", "members", "observer", "observers", "official",
	"officials", "participant", "participants", "people", "person", "persons",
	"representative", "representatives", "researcher", "researchers", "resident", "residents",
	"scientist", "scientists", "somebody", "someone", "source", "sources", "spokesman",
	"spokespeople", "spokesperson", "spokeswoman", "staff", "staffer", "staffers",
	"strategist", "strategists", "trader", "traders", "witness", "witnesses", "worker",
	"workers",
};

/* Capitalized words that do not make a name: determiners, numbers (sorted). */
static const char *const function_words[] = {
	"a", "all", "an", "another", "any", "both", "dozens", "eight", "five", "four", "her",
	"his", "its", "many", "more", "most", "multiple", "nine", "numerous", "one", "other",
	"our", "seven", "several", "six", "some", "ten", "that", "the", "their", "these",
	"this", "those", "three", "two", "various",
};

/* Prepositions that attach what follows to a generic word (sorted). */
static const char *const prepositions[] = {
	"about", "across", "among", "around", "at", "by", "close", "for", "from", "in",
	"inside", "near", "of", "on", "to", "with", "within",
};

#define NWORDS(a) (sizeof(a) / sizeof *(a))

/*
 * Is the source text src anonymous? Only the first chunk counts (up to
 * punctuation: "Dana Whitfield, an analyst at ..." looks at "Dana
 * Whitfield"). Walking it, a capitalized word (not a determiner or
 * number) is a name; a generic word (sources, officials, people, analyst,
 * someone, ...) cancels the names before it, as it is their head ("Fed
 * officials", "two Western diplomats"); a name right after a generic word
 * is its apposition and counts ("analyst Dana Whitfield"), but not one
 * inside a prepositional phrase after it ("officials at the Fed",
 * "people familiar with Acme's plans"). Named if a name counts at the end.
 */
static int source_is_anonymous(const tokens *toks, span src)
{
	size_t n = toks->t.n, lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (toks->t.v[mid].end <= src.start) lo = mid + 1;
		else hi = mid;
	}
	int named = 0, generic = 0, in_pp = 0;
	for (size_t k = lo; k < n && toks->t.v[k].start < src.end; k++) {
		const token *tk = &toks->t.v[k];
		if (k > lo && (tk->flags & TOK_PUNCT_BEFORE)) break;
		const char *w = token_lower(toks, tk);
		if (in_sorted(function_words, NWORDS(function_words), w)) continue;
		if (in_sorted(prepositions, NWORDS(prepositions), w)) {
			if (generic) in_pp = 1;
			continue;
		}
		if (in_sorted(generic_words, NWORDS(generic_words), w)) {
			generic = 1;
			in_pp = 0;
			named = 0;
			continue;
		}
		if ((tk->flags & (TOK_CAP | TOK_UPPER)) && !in_pp) named = 1;
	}
	return !named;
}

/* ---- putting it together ------------------------------------------------ */

static int cmp_rule_start(const void *a, const void *b)
{
	const tag *x = a, *y = b;
	if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
	if (x->suppressed != y->suppressed) return x->suppressed < y->suppressed ? -1 : 1;
	if (x->start != y->start) return x->start < y->start ? -1 : 1;
	if (x->end != y->end) return x->end > y->end ? -1 : 1;
	return 0;
}

static int cmp_start_rule(const void *a, const void *b)
{
	const tag *x = a, *y = b;
	if (x->start != y->start) return x->start < y->start ? -1 : 1;
	if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
	if (x->end != y->end) return x->end < y->end ? -1 : 1;
	return 0;
}

int tag_sentence(tagger *t, const char *text, span sentence, const tokens *toks, tagvec *out,
		 cc_error *err)
{
	const ruleset *rs = t->rs;
	int ret = 0;
	t->cands.n = 0;
	t->xspans.n = 0;
	t->marked.n = 0;
	if (++t->gen == 0) {
		memset(t->rule_mark, 0, (rs->rules.n + 1) * sizeof *t->rule_mark);
		memset(t->gate_mark, 0,
		       ((rs->gate_off ? rs->gate_off[rs->patterns.n + rs->xpatterns.n] : 0) + 1) *
			       sizeof *t->gate_mark);
		if (t->prof) memset(t->prof->rule_gen, 0, (rs->rules.n + 1) * sizeof *t->prof->rule_gen);
		memset(t->lead_gen, 0, (rs->patterns.n + rs->xpatterns.n + 1) * sizeof *t->lead_gen);
		t->starts_gen = 0;
		t->gen = 1;
	}
	if (sentence.end <= sentence.start) return 0;

	if (t->prof) {
		uint64_t c0 = prof_ticks();
		t->prof->pub.sentences++;
		match_items(t, toks);
		uint64_t c1 = prof_ticks();
		prefilter(t, text, sentence);
		t->prof->items += c1 - c0;
		t->prof->prefilter += prof_ticks() - c1;
	} else {
		match_items(t, toks);
		prefilter(t, text, sentence);
	}
	uint32_t odd_len = t->odd_fold ? (uint32_t)(sentence.end - sentence.start) : 0;
	/* the patterns in order, as run_bits has them */
	for (size_t w = 0; w * 64 < rs->patterns.n; w++) {
		for (uint64_t bits = t->run_bits[w]; bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			if (i >= rs->patterns.n) break;
			const rs_pattern *p = &rs->patterns.v[i];
			if (!rs->rules.v[p->rule].enabled || !may_run(t, i, odd_len)) continue;
			int rc = t->prof ? run_pattern_prof(t, i, 0, text, sentence)
					 : run_pattern(t, i, 0, text, sentence);
			if (rc < 0) {
				pattern_failed(rs, p, rc, err, sentence.start);
				ret = -1;
			}
		}
	}
	if (!t->cands.n) return ret;

	/* exception patterns, only for rules that matched */
	for (size_t m = 0; m < t->marked.n; m++) {
		const rs_rulex *x = &rs->rx.v[t->marked.v[m]];
		for (uint32_t k = 0; k < x->nxpat; k++) {
			size_t pi = rs->patterns.n + x->xpat + k;
			if (!may_run(t, pi, odd_len)) continue;
			const rs_pattern *p = &rs->xpatterns.v[x->xpat + k];
			int rc = t->prof ? run_pattern_prof(t, pi, 1, text, sentence)
					 : run_pattern(t, pi, 1, text, sentence);
			if (rc < 0) {
				pattern_failed(rs, p, rc, err, sentence.start);
				ret = -1;
			}
		}
	}

	/* exceptions */
	size_t kept = 0;
	for (size_t i = 0; i < t->cands.n; i++) {
		tag *c = &t->cands.v[i];
		for (size_t k = 0; k < t->xspans.n; k++) {
			const xspan *x = &t->xspans.v[k];
			if (x->rule == c->rule && x->start < c->end && c->start < x->end) {
				c->suppressed = 1;
				break;
			}
		}
		if (c->suppressed && !t->keep_suppressed) continue;
		t->cands.v[kept++] = *c;
	}
	t->cands.n = kept;

	/* per rule (and suppressed state): keep the first, longest of overlapping matches */
	if (kept > 1) qsort(t->cands.v, kept, sizeof *t->cands.v, cmp_rule_start);
	size_t base = out->n;
	uint32_t last_rule = UINT32_MAX, last_end = 0;
	uint8_t last_supp = 0;
	for (size_t i = 0; i < kept; i++) {
		tag c = t->cands.v[i];
		if (c.rule == last_rule && c.suppressed == last_supp && c.start < last_end) continue;
		last_rule = c.rule;
		last_supp = c.suppressed;
		last_end = c.end;
		const rule_info *ri = &rs->rules.v[c.rule];
		c.category = (uint8_t)ri->cat;
		c.anonymous = 0;
		if (ri->cat == CAT_SOURCE) {
			if (ri->skind == SOURCE_ANONYMOUS) {
				c.anonymous = 1;
			} else if (ri->skind == SOURCE_AUTO) {
				span src = c.source;
				if (src.start == src.end) {
					src.start = c.start;
					src.end = c.end;
				}
				c.anonymous = (uint8_t)source_is_anonymous(toks, src);
			}
		}
		VEC_PUSH(out, c);
	}
	if (out->n - base > 1)
		qsort(out->v + base, out->n - base, sizeof *out->v, cmp_start_rule);
	return ret;
}
