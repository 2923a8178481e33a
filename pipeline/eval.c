/*
 * eval.c — scoring the pipeline against gold records.
 *
 * Reads: one gold record (a JSON line) at a time, and the analysis of its
 * text. Adds: counts for segmentation (exact lists, boundaries),
 * sentence-level uncertainty (sentence, cue), attribution (has source,
 * cue, source), per rule and per category; and the first false positives
 * and false negatives as JSON objects for `eval --errors`. The figures are
 * defined in README.md ("eval"). Scratch buffers live in the evaluator, so
 * a warm evaluator allocates only for the JSON parse of each record.
 */
#include "config.h"
#include "eval.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- figures -------------------------------------------------------------- */

double eval_precision(const eval_counts *c)
{
	if (c->tp + c->fp == 0) return -1;
	return (double)c->tp / (double)(c->tp + c->fp);
}

double eval_recall(const eval_counts *c)
{
	if (c->tp + c->fn == 0) return -1;
	return (double)c->tp / (double)(c->tp + c->fn);
}

double eval_f1(const eval_counts *c)
{
	double p = eval_precision(c), r = eval_recall(c);
	if (p < 0 || r < 0) return -1;
	if (p + r == 0) return 0;
	return 2 * p * r / (p + r);
}

/* ---- comparing strings ---------------------------------------------------- */

static int is_space_cp(utf8proc_int32_t cp)
{
	if (cp == ' ' || (cp >= '\t' && cp <= '\r')) return 1;
	if (cp < 0x80) return 0;
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

static int is_word_cp(utf8proc_int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* Decode one code point at s[i] (n bytes left); an invalid byte decodes as
 * itself (a negative value) and is one byte long. */
static utf8proc_ssize_t next_cp(const char *s, size_t n, utf8proc_int32_t *cp)
{
	unsigned char c = (unsigned char)s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp);
	if (k <= 0) {
		*cp = -(utf8proc_int32_t)c;
		return 1;
	}
	return k;
}

void eval_norm(const char *s, size_t len, strbuf *out)
{
	size_t i = 0;
	int pending_space = 0, any = 0;
	strbuf_reserve(out, len);
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = next_cp(s + i, len - i, &cp);
		if (cp >= 0 && is_space_cp(cp)) {
			pending_space = any;
		} else {
			if (pending_space) strbuf_putc(out, ' ');
			pending_space = 0;
			any = 1;
			if (cp < 0) {
				strbuf_putc(out, s[i]);
			} else if (cp < 0x80) {
				strbuf_putc(out, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
			} else {
				utf8proc_uint8_t buf[4];
				utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), buf);
				strbuf_append(out, (const char *)buf, (size_t)m);
			}
		}
		i += (size_t)k;
	}
	if (!out->data) strbuf_reserve(out, 0);
	out->data[out->len] = '\0';
}

static const char DISC[] = " ... ";
#define DISC_LEN (sizeof DISC - 1)

static const char *find_bytes(const char *h, size_t hlen, const char *n, size_t nlen)
{
	if (nlen == 0 || hlen < nlen) return NULL;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (h[i] == n[0] && !memcmp(h + i, n, nlen)) return h + i;
	return NULL;
}

/* The code point that ends just before s + i (i > 0), for word edges. */
static utf8proc_int32_t prev_cp(const char *s, size_t i)
{
	size_t j = i - 1;
	while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && i - j < 4) j--;
	utf8proc_int32_t cp;
	next_cp(s + j, i - j, &cp);
	return cp;
}

int eval_cue_match(const char *gold, size_t glen, const char *pred, size_t plen)
{
	const char *sep = find_bytes(gold, glen, DISC, DISC_LEN);
	if (!sep) return glen == plen && !memcmp(gold, pred, glen);
	size_t alen = (size_t)(sep - gold);
	const char *b = sep + DISC_LEN, *nx;
	while ((nx = find_bytes(b, glen - (size_t)(b - gold), DISC, DISC_LEN)) != NULL) b = nx + DISC_LEN;
	size_t blen = glen - (size_t)(b - gold);
	if (plen == alen && !memcmp(pred, gold, alen)) return 1;
	if (alen == 0 || blen == 0 || plen <= alen + blen) return 0;
	if (memcmp(pred, gold, alen) || memcmp(pred + plen - blen, b, blen)) return 0;
	/* whole words at both ends */
	utf8proc_int32_t after_a, before_b;
	next_cp(pred + alen, plen - alen, &after_a);
	before_b = prev_cp(pred, plen - blen);
	if (after_a >= 0 && is_word_cp(after_a)) return 0;
	if (before_b >= 0 && is_word_cp(before_b)) return 0;
	return 1;
}

static int is_stopword(const char *w, size_t n)
{
	static const char *const stop[] = {"a", "an", "the", "of", "and", "or", "to", "in",
					   "on", "at", "for", "by", "with", "from", "s"};
	for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
		if (strlen(stop[i]) == n && !memcmp(stop[i], w, n)) return 1;
	return 0;
}

/* The next word of s at or after *pos: returns its start and sets *wlen;
 * NULL at the end. */
static const char *next_word(const char *s, size_t len, size_t *pos, size_t *wlen)
{
	size_t i = *pos;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = next_cp(s + i, len - i, &cp);
		if (cp >= 0 && is_word_cp(cp)) break;
		i += (size_t)k;
	}
	if (i >= len) {
		*pos = len;
		return NULL;
	}
	size_t start = i;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = next_cp(s + i, len - i, &cp);
		if (cp < 0 || !is_word_cp(cp)) break;
		i += (size_t)k;
	}
	*pos = i;
	*wlen = i - start;
	return s + start;
}

int eval_overlap(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen && !memcmp(a, b, alen)) return 1;
	size_t pa = 0, na;
	const char *wa;
	while ((wa = next_word(a, alen, &pa, &na)) != NULL) {
		if (is_stopword(wa, na)) continue;
		size_t pb = 0, nb;
		const char *wb;
		while ((wb = next_word(b, blen, &pb, &nb)) != NULL)
			if (na == nb && !memcmp(wa, wb, na)) return 1;
	}
	return 0;
}

static int match_one(eval_mode mode, const eval_str *g, const eval_str *p)
{
	switch (mode) {
	case EVAL_EXACT: return g->len == p->len && !memcmp(g->s, p->s, g->len);
	case EVAL_CUE: return eval_cue_match(g->s, g->len, p->s, p->len);
	case EVAL_OVERLAP: return eval_overlap(g->s, g->len, p->s, p->len);
	}
	return 0;
}

static size_t match_pass(const eval_str *gold, size_t ngold, const eval_str *pred, size_t npred,
			 eval_mode mode, uint8_t *gh, uint8_t *ph)
{
	size_t m = 0;
	for (size_t i = 0; i < ngold; i++) {
		if (gh[i]) continue;
		for (size_t j = 0; j < npred; j++)
			if (!ph[j] && match_one(mode, &gold[i], &pred[j])) {
				gh[i] = ph[j] = 1;
				m++;
				break;
			}
	}
	return m;
}

size_t eval_match(const eval_str *gold, size_t ngold, const eval_str *pred, size_t npred,
		  eval_mode mode, uint8_t *gold_hit, uint8_t *pred_hit, eval_counts *c)
{
	uint8_t gsmall[64], psmall[64];
	uint8_t *gh = gold_hit ? gold_hit : ngold <= sizeof gsmall ? gsmall : xmalloc(ngold);
	uint8_t *ph = pred_hit ? pred_hit : npred <= sizeof psmall ? psmall : xmalloc(npred);
	memset(gh, 0, ngold);
	memset(ph, 0, npred);
	size_t m;
	if (mode == EVAL_OVERLAP) {
		m = match_pass(gold, ngold, pred, npred, EVAL_CUE, gh, ph);
		m += match_pass(gold, ngold, pred, npred, EVAL_OVERLAP, gh, ph);
	} else {
		m = match_pass(gold, ngold, pred, npred, mode, gh, ph);
	}
	if (gh != gold_hit && gh != gsmall) free(gh);
	if (ph != pred_hit && ph != psmall) free(ph);
	if (c) {
		c->tp += m;
		c->fp += npred - m;
		c->fn += ngold - m;
	}
	return m;
}

/* ---- segmentation --------------------------------------------------------- */

static int is_space_at(const char *s, size_t n, size_t i, size_t *k)
{
	utf8proc_int32_t cp;
	*k = (size_t)next_cp(s + i, n - i, &cp);
	return cp >= 0 && is_space_cp(cp);
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	size_t k;
	while (i < n && is_space_at(s, n, i, &k)) i += k;
	return i;
}

/* Trim white space from both ends of g. */
static eval_str trim(eval_str g)
{
	size_t i = skip_space(g.s, g.len, 0);
	size_t e = g.len;
	while (e > i) {
		size_t j = e - 1;
		while (j > i && ((unsigned char)g.s[j] & 0xC0) == 0x80) j--;
		size_t k;
		if (!is_space_at(g.s, e, j, &k)) break;
		e = j;
	}
	return (eval_str){g.s + i, e - i};
}

/* Does g match text at pos, a run of white space matching any run? Sets
 * *end to the end of the match in text. */
static int ws_match_at(const char *text, size_t len, size_t pos, eval_str g, size_t *end)
{
	size_t i = 0, j = pos, k;
	while (i < g.len) {
		if (is_space_at(g.s, g.len, i, &k)) {
			if (j >= len || !is_space_at(text, len, j, &k)) return 0;
			i = skip_space(g.s, g.len, i);
			j = skip_space(text, len, j);
			continue;
		}
		if (j >= len || text[j] != g.s[i]) return 0;
		i++;
		j++;
	}
	*end = j;
	return 1;
}

/* Equal once every run of white space is one space (both trimmed). */
static int ws_equal(eval_str a, eval_str b)
{
	size_t end;
	a = trim(a);
	b = trim(b);
	return ws_match_at(b.s, b.len, 0, a, &end) && end == b.len;
}

void eval_segmentation(const char *text, size_t len, const eval_str *gold, size_t ngold,
		       const span *pred, size_t npred, int *passed, eval_counts *boundaries)
{
	int ok = ngold == npred;
	for (size_t i = 0; ok && i < ngold; i++) {
		eval_str p = {text + pred[i].start, pred[i].end - pred[i].start};
		ok = ws_equal(gold[i], p);
	}
	*passed = ok;

	/* gold ends: sequential search; predicted ends are increasing, so a
	 * merge finds the common ones */
	size_t pos = 0, j = 0, tp = 0;
	for (size_t i = 0; i < ngold; i++) {
		eval_str g = trim(gold[i]);
		if (g.len == 0) continue;
		size_t end = 0, found = 0;
		for (size_t s = pos; s < len; s++)
			if (text[s] == g.s[0] && ws_match_at(text, len, s, g, &end)) {
				found = 1;
				break;
			}
		if (!found) continue;
		pos = end;
		while (j < npred && pred[j].end < end) j++;
		if (j < npred && pred[j].end == end) {
			tp++;
			j++;
		}
	}
	if (boundaries) {
		size_t ng = 0;
		for (size_t i = 0; i < ngold; i++)
			if (trim(gold[i]).len) ng++;
		boundaries->tp += tp;
		boundaries->fp += npred - tp;
		boundaries->fn += ng - tp;
	}
}

/* ---- the evaluator -------------------------------------------------------- */

/* A predicted item of one record: a cue or source span, its category, and
 * its eval_norm form (offset and length in evaluator.norm). */
typedef struct pitem {
	span sp;
	uint8_t category;
	uint32_t off, len;
} pitem;
typedef VEC(pitem) pitemvec;

/* The cue and the source of one source tag. */
typedef struct cuesrc {
	span cue, src;
} cuesrc;

/* A rule that produced an uncertainty cue (an index in evaluator.ucues). */
typedef struct plink {
	uint32_t item, rule;
} plink;

struct evaluator {
	const ruleset *rs;
	size_t max_errors;
	eval_result r;
	uint64_t stamp;     /* record counter, for rule_seen */
	uint64_t *rule_seen; /* per rule: the stamp of the last record it fired in */
	strbuf norm;        /* eval_norm forms of this record's strings */
	pitemvec ucues;     /* predicted uncertainty cues */
	VEC(plink) ulinks;
	pitemvec acues;     /* predicted attribution cues */
	pitemvec srcs;      /* predicted sources */
	VEC(eval_str) gs, ps;
	VEC(uint32_t) goff; /* gold strings: offset, length pairs in norm */
	VEC(span) spans;
	VEC(cuesrc) acspans; /* cue and source spans of this record's source tags, before merging */
};

evaluator *eval_new(const ruleset *rs, size_t max_errors)
{
	evaluator *e = xcalloc(1, sizeof *e);
	e->rs = rs;
	e->max_errors = max_errors;
	e->r.nrules = ruleset_size(rs);
	e->r.rule_hits = xcalloc(e->r.nrules ? e->r.nrules : 1, sizeof *e->r.rule_hits);
	e->rule_seen = xcalloc(e->r.nrules ? e->r.nrules : 1, sizeof *e->rule_seen);
	e->r.seg_failed = json_array();
	e->r.unc_errors.fp = json_array();
	e->r.unc_errors.fn = json_array();
	e->r.att_errors.fp = json_array();
	e->r.att_errors.fn = json_array();
	return e;
}

void eval_free(evaluator *e)
{
	if (!e) return;
	free(e->r.rule_hits);
	free(e->rule_seen);
	json_decref(e->r.seg_failed);
	json_decref(e->r.unc_errors.fp);
	json_decref(e->r.unc_errors.fn);
	json_decref(e->r.att_errors.fp);
	json_decref(e->r.att_errors.fn);
	strbuf_free(&e->norm);
	VEC_FREE(&e->ucues);
	VEC_FREE(&e->ulinks);
	VEC_FREE(&e->acues);
	VEC_FREE(&e->srcs);
	VEC_FREE(&e->gs);
	VEC_FREE(&e->ps);
	VEC_FREE(&e->goff);
	VEC_FREE(&e->spans);
	VEC_FREE(&e->acspans);
	free(e);
}

const eval_result *eval_result_get(const evaluator *e)
{
	return &e->r;
}

static int cmp_span(const void *a, const void *b)
{
	const span *x = a, *y = b;
	if (x->start != y->start) return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : x->end > y->end ? -1 : 0;
}

static int cmp_cuesrc(const void *a, const void *b)
{
	const cuesrc *x = a, *y = b;
	int c = cmp_span(&x->cue, &y->cue);
	return c ? c : cmp_span(&x->src, &y->src);
}

static span tag_cue(const tag *t)
{
	if (t->cue.start != t->cue.end) return t->cue;
	return (span){t->start, t->end};
}

static uint32_t norm_add(evaluator *e, const char *s, size_t len, uint32_t *outlen)
{
	size_t off = e->norm.len;
	eval_norm(s, len, &e->norm);
	*outlen = (uint32_t)(e->norm.len - off);
	return (uint32_t)off;
}

/* Add a predicted item. */
static void pitem_push(evaluator *e, pitemvec *v, span sp, int cat, const char *text)
{
	pitem it = {.sp = sp, .category = (uint8_t)cat};
	it.off = norm_add(e, text + sp.start, sp.end - sp.start, &it.len);
	VEC_PUSH(v, it);
}

/* Add a predicted item, once per span; returns its index. */
static size_t pitem_add(evaluator *e, pitemvec *v, span sp, int cat, const char *text)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].sp.start == sp.start && v->v[i].sp.end == sp.end) return i;
	pitem it = {.sp = sp, .category = (uint8_t)cat};
	it.off = norm_add(e, text + sp.start, sp.end - sp.start, &it.len);
	VEC_PUSH(v, it);
	return v->n - 1;
}

/* Gold strings from a JSON array of strings (or of objects' `key`), in
 * eval_norm form, into e->gs; empty strings are left out. Then the
 * predicted items of v into e->ps. (Pointers are taken only once every
 * string is in e->norm, which may move while it grows.) */
static void strings_for_match(evaluator *e, json_t *arr, const char *key, const pitemvec *v)
{
	size_t i;
	json_t *x;
	e->goff.n = 0;
	json_array_foreach (arr, i, x) {
		json_t *s = key ? json_object_get(x, key) : x;
		if (!json_is_string(s) || json_string_length(s) == 0) continue;
		uint32_t len, off = norm_add(e, json_string_value(s), json_string_length(s), &len);
		if (len == 0) continue;
		VEC_PUSH(&e->goff, off);
		VEC_PUSH(&e->goff, len);
	}
	e->gs.n = 0;
	for (i = 0; i + 1 < e->goff.n; i += 2)
		VEC_PUSH(&e->gs, ((eval_str){e->norm.data + e->goff.v[i], e->goff.v[i + 1]}));
	e->ps.n = 0;
	for (i = 0; i < v->n; i++)
		VEC_PUSH(&e->ps, ((eval_str){e->norm.data + v->v[i].off, v->v[i].len}));
}

static void count_decision(eval_counts *c, int gold, int pred)
{
	if (gold && pred) c->tp++;
	else if (pred) c->fp++;
	else if (gold) c->fn++;
	else c->tn++;
}

/* The record part of an error object: line, id, text. */
static json_t *error_obj(long lineno, json_t *id, const char *text, size_t len)
{
	json_t *o = json_object();
	json_object_set_new(o, "line", json_integer(lineno));
	json_object_set(o, "id", id ? id : json_null());
	json_object_set_new(o, "text", json_stringn(text, len));
	return o;
}

static json_t *rules_of_cue(evaluator *e, size_t item)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < e->ulinks.n; k++)
		if (e->ulinks.v[k].item == item)
			json_array_append_new(arr, json_string(ruleset_rule(e->rs, e->ulinks.v[k].rule)->id));
	return arr;
}

static void keep_error(evaluator *e, json_t *list, json_t *obj)
{
	if (json_array_size(list) < e->max_errors) json_array_append_new(list, obj);
	else json_decref(obj);
}

static int check_string_array(json_t *a, const char *field, cc_error *err)
{
	size_t i;
	json_t *v;
	if (!json_is_array(a)) {
		cc_error_set(err, -1, "\"%s\" is not an array", field);
		return -1;
	}
	json_array_foreach (a, i, v)
		if (!json_is_string(v)) {
			cc_error_set(err, -1, "\"%s\"[%zu] is not a string", field, i);
			return -1;
		}
	return 0;
}

static int check_sources(json_t *a, cc_error *err)
{
	size_t i;
	json_t *v;
	if (!json_is_array(a)) {
		cc_error_set(err, -1, "\"sources\" is not an array");
		return -1;
	}
	json_array_foreach (a, i, v) {
		if (!json_is_object(v)) {
			cc_error_set(err, -1, "\"sources\"[%zu] is not an object", i);
			return -1;
		}
		static const char *const keys[] = {"source", "cue", "role"};
		for (size_t k = 0; k < 3; k++) {
			json_t *s = json_object_get(v, keys[k]);
			if (s && !json_is_null(s) && !json_is_string(s)) {
				cc_error_set(err, -1, "\"sources\"[%zu].%s is not a string", i, keys[k]);
				return -1;
			}
		}
	}
	return 0;
}

static void score_segmentation(evaluator *e, const analysis *a, json_t *rec, json_t *sentences,
			       long lineno, json_t *id)
{
	eval_result *r = &e->r;
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	size_t i;
	json_t *v;
	e->gs.n = 0;
	json_array_foreach (sentences, i, v)
		VEC_PUSH(&e->gs, ((eval_str){json_string_value(v), json_string_length(v)}));
	e->spans.n = 0;
	for (i = 0; i < a->sents.n; i++)
		VEC_PUSH(&e->spans, ((span){a->sents.v[i].start, a->sents.v[i].end}));
	int passed;
	eval_segmentation(text, a->nt.text.len, e->gs.v, e->gs.n, e->spans.v, e->spans.n, &passed,
			  &r->seg_boundaries);
	r->seg_records++;
	if (passed) {
		r->seg_passed++;
		return;
	}
	if (json_array_size(r->seg_failed) >= e->max_errors) return;
	json_t *o = error_obj(lineno, id, text, a->nt.text.len);
	json_t *name = json_object_get(rec, "name");
	if (json_is_string(name)) json_object_set(o, "name", name);
	json_t *pred = json_array();
	for (i = 0; i < e->spans.n; i++)
		json_array_append_new(pred, json_stringn(text + e->spans.v[i].start,
							 e->spans.v[i].end - e->spans.v[i].start));
	json_object_set_new(o, "predicted", pred);
	json_object_set(o, "gold", sentences);
	json_array_append_new(r->seg_failed, o);
}

/* Count the rules (of the section: source or not) and categories that
 * fired in this record. */
static void count_hits(evaluator *e, int source_section, int gold_pos)
{
	eval_result *r = &e->r;
	int seen_cat[CAT__COUNT] = {0};
	for (size_t i = 0; i < r->nrules; i++) {
		if (e->rule_seen[i] != e->stamp) continue;
		int cat = (int)ruleset_rule(e->rs, i)->cat;
		if ((cat == CAT_SOURCE) != source_section) continue;
		r->rule_hits[i].hits++;
		if (gold_pos) r->rule_hits[i].tp++;
		seen_cat[cat] = 1;
	}
	for (int c = 0; c < CAT__COUNT; c++)
		if (seen_cat[c]) {
			r->cat_hits[c].hits++;
			if (gold_pos) r->cat_hits[c].tp++;
		}
}

static void score_uncertainty(evaluator *e, const analysis *a, int gold_pos, json_t *cues,
			      long lineno, json_t *id)
{
	eval_result *r = &e->r;
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	int pred_pos = e->ucues.n > 0;
	r->unc_records++;
	if (gold_pos) r->unc_positive++;
	count_decision(&r->unc_sentence, gold_pos, pred_pos);
	double top = 0;
	for (size_t i = 0; i < a->sents.n; i++)
		if (a->sents.v[i].sc.uncertainty > top) top = a->sents.v[i].sc.uncertainty;
	count_decision(&r->unc_score50, gold_pos, top >= 0.5);
	count_decision(&r->unc_score90, gold_pos, top >= 0.9);
	count_hits(e, 0, gold_pos);
	if (cues) {
		strings_for_match(e, cues, NULL, &e->ucues);
		if (e->gs.n) r->unc_has_cues = 1;
		eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_CUE, NULL, NULL, &r->unc_cue_exact);
		eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_OVERLAP, NULL, NULL,
			   &r->unc_cue_overlap);
	}
	if (gold_pos == pred_pos) return;
	json_t *list = pred_pos ? r->unc_errors.fp : r->unc_errors.fn;
	if (json_array_size(list) >= e->max_errors) return;
	json_t *o = error_obj(lineno, id, text, a->nt.text.len);
	json_t *pred = json_array();
	for (size_t i = 0; i < e->ucues.n; i++) {
		const pitem *it = &e->ucues.v[i];
		json_array_append_new(
			pred, json_pack("{s:s%,s:s,s:o}", "cue", text + it->sp.start,
					(size_t)(it->sp.end - it->sp.start), "category",
					category_name((category)it->category), "rules", rules_of_cue(e, i)));
	}
	json_object_set_new(o, "predicted", pred);
	json_object_set_new(o, "gold", cues ? json_incref(cues) : json_array());
	keep_error(e, list, o);
}

static void score_attribution(evaluator *e, const analysis *a, json_t *sources, long lineno,
			      json_t *id)
{
	eval_result *r = &e->r;
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	int gold_pos = json_array_size(sources) > 0;
	int pred_pos = e->acues.n > 0;
	r->att_records++;
	if (gold_pos) r->att_positive++;
	count_decision(&r->att_has_source, gold_pos, pred_pos);
	count_hits(e, 1, gold_pos);

	strings_for_match(e, sources, "cue", &e->acues);
	eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_CUE, NULL, NULL, &r->att_cue_exact);
	eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_OVERLAP, NULL, NULL, &r->att_cue_overlap);
	strings_for_match(e, sources, "source", &e->srcs);
	eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_EXACT, NULL, NULL, &r->att_source_exact);
	eval_match(e->gs.v, e->gs.n, e->ps.v, e->ps.n, EVAL_OVERLAP, NULL, NULL,
		   &r->att_source_overlap);

	if (gold_pos == pred_pos) return;
	json_t *list = pred_pos ? r->att_errors.fp : r->att_errors.fn;
	if (json_array_size(list) >= e->max_errors) return;
	json_t *o = error_obj(lineno, id, text, a->nt.text.len);
	json_t *pred = json_array();
	for (size_t i = 0; i < a->tags.n; i++) {
		const tag *t = &a->tags.v[i];
		if (t->suppressed || t->category != CAT_SOURCE) continue;
		span c = tag_cue(t);
		json_t *p = json_pack("{s:s%,s:o,s:s}", "cue", text + c.start, (size_t)(c.end - c.start),
				      "source",
				      t->source.start != t->source.end
					      ? json_stringn(text + t->source.start,
							     t->source.end - t->source.start)
					      : json_null(),
				      "rule", ruleset_rule(e->rs, t->rule)->id);
		json_array_append_new(pred, p);
	}
	json_object_set_new(o, "predicted", pred);
	json_object_set(o, "gold", sources);
	keep_error(e, list, o);
}

static void score_categories(evaluator *e, const analysis *a, json_t *cats)
{
	eval_result *r = &e->r;
	int gold[CAT__COUNT] = {0}, pred[CAT__COUNT] = {0};
	size_t i;
	json_t *v;
	json_array_foreach (cats, i, v) {
		int c = category_from_name(json_string_value(v));
		if (c >= 0) gold[c] = 1;
	}
	for (i = 0; i < a->tags.n; i++)
		if (!a->tags.v[i].suppressed) pred[a->tags.v[i].category] = 1;
	r->cat_records++;
	for (int c = 0; c < CAT__COUNT; c++) count_decision(&r->cat[c], gold[c], pred[c]);
}

int eval_add_line(evaluator *e, analyzer *az, analysis *a, long lineno, const char *line,
		  size_t len, cc_error *err)
{
	cc_error_clear(err);
	json_error_t je;
	json_t *rec = json_loadb(line, len, 0, &je);
	int rc = -1;
	if (!rec) {
		cc_error_set(err, je.column > 0 ? je.column - 1 : -1, "not valid JSON: %s", je.text);
		goto out;
	}
	if (!json_is_object(rec)) {
		cc_error_set(err, -1, "not a JSON object");
		goto out;
	}
	json_t *text = json_object_get(rec, "text");
	if (!json_is_string(text)) {
		cc_error_set(err, -1, text ? "\"text\" is not a string" : "missing \"text\"");
		goto out;
	}
	json_t *id = json_object_get(rec, "id");
	json_t *sentences = json_object_get(rec, "sentences");
	json_t *uncertain = json_object_get(rec, "uncertain");
	json_t *cues = json_object_get(rec, "cues");
	json_t *sources = json_object_get(rec, "sources");
	json_t *cats = json_object_get(rec, "categories");
	if (!sentences && !uncertain && !sources) {
		cc_error_set(err, -1, "none of the gold fields \"sentences\", \"uncertain\", \"sources\"");
		goto out;
	}
	if (sentences && check_string_array(sentences, "sentences", err)) goto out;
	if (uncertain && !json_is_boolean(uncertain)) {
		cc_error_set(err, -1, "\"uncertain\" is not true or false");
		goto out;
	}
	if (cues && !json_is_null(cues) && check_string_array(cues, "cues", err)) goto out;
	if (cues && json_is_null(cues)) cues = NULL;
	if (sources && check_sources(sources, err)) goto out;
	if (cats && check_string_array(cats, "categories", err)) goto out;

	/* an empty text is a record with no sentences (normalize refuses it) */
	if (json_string_length(text) == 0) {
		analysis_reset(a);
	} else if (analyze_text(az, json_string_value(text), json_string_length(text), a) != 0) {
		cc_error_set(err, a->err.offset, "the text cannot be analysed: %s", a->err.msg);
		goto out;
	}

	/* what fired: rules, cues (once per span) and sources */
	e->stamp++;
	e->norm.len = 0;
	e->ucues.n = 0;
	e->ulinks.n = 0;
	e->acues.n = 0;
	e->acspans.n = 0;
	e->srcs.n = 0;
	const char *t = a->nt.text.data ? a->nt.text.data : "";
	for (size_t i = 0; i < a->tags.n; i++) {
		const tag *tg = &a->tags.v[i];
		if (tg->suppressed) continue;
		e->rule_seen[tg->rule] = e->stamp;
		if (tg->category == CAT_SOURCE) {
			VEC_PUSH(&e->acspans, ((cuesrc){tag_cue(tg), tg->source}));
		} else {
			size_t k = pitem_add(e, &e->ucues, tag_cue(tg), tg->category, t);
			VEC_PUSH(&e->ulinks, ((plink){(uint32_t)k, tg->rule}));
		}
	}

	/* one attribution, one cue: overlapping cues of source tags ("said"
	 * from one rule, "has said" from another) count as their union, and
	 * its sources once each. Sources count per attribution, as the gold
	 * lists them: a speaker with two cues ("Okafor said ... and added")
	 * is two sources, two rules on one cue name it once. */
	if (e->acspans.n > 1)
		qsort(e->acspans.v, e->acspans.n, sizeof *e->acspans.v, cmp_cuesrc);
	for (size_t i = 0; i < e->acspans.n;) {
		size_t first = i;
		span u = e->acspans.v[i++].cue;
		while (i < e->acspans.n && e->acspans.v[i].cue.start < u.end) {
			if (e->acspans.v[i].cue.end > u.end) u.end = e->acspans.v[i].cue.end;
			i++;
		}
		pitem_add(e, &e->acues, u, CAT_SOURCE, t);
		for (size_t j = first; j < i; j++) {
			span sp = e->acspans.v[j].src;
			int seen = sp.start == sp.end;
			for (size_t k = first; k < j && !seen; k++)
				seen = e->acspans.v[k].src.start == sp.start &&
				       e->acspans.v[k].src.end == sp.end;
			if (!seen) pitem_push(e, &e->srcs, sp, CAT_SOURCE, t);
		}
	}

	e->r.records++;
	if (sentences) score_segmentation(e, a, rec, sentences, lineno, id);
	if (uncertain) score_uncertainty(e, a, json_is_true(uncertain), cues, lineno, id);
	if (sources) score_attribution(e, a, sources, lineno, id);
	if (cats && (uncertain || sources)) score_categories(e, a, cats);
	rc = 0;
out:
	if (rc != 0) {
		err->line = lineno;
		e->r.skipped++;
	}
	json_decref(rec);
	return rc;
}
