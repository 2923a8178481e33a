/*
 * score.c — stage 6: turn a sentence's tags and tokens into scores.
 *
 * Reads: tokens (stem.h) and tags (tag.h) of one sentence, and the
 * weights of the [scoring] section. Adds: hedge / speculation / weasel
 * scores, the uncertainty signal, whether a source is cited, the factual
 * signal and the check-worthiness score; and document-level densities.
 *
 * The formula (also in README.md, "Scoring"):
 *   cat(c)      = 1 - prod(1 - weight(t))  over unsuppressed tags t of category c
 *   uncertainty = 1 - (1 - hedge)(1 - speculation)(1 - weasel)
 *   factual     = 1 - prod(1 - w_s)        over factual signals s present
 *                 (number, percent, money, date, name, compare)
 *   checkworthy = (1 - sourced_discount * sourced)
 *               * (1 - (1 - factual)(1 - uncertain * uncertainty))
 *               * short_factor   if the sentence has fewer than min_tokens tokens
 *               * heading_factor if it is a title or heading
 *   flagged     = uncertainty > 0  or  checkworthy >= flag_threshold
 */
#include "config.h"
#include "score.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stem.h"
#include "tag.h"
#include "ruleset.h"

void score_weights_default(score_weights *w)
{
	w->number = 0.35;
	w->percent = 0.45;
	w->money = 0.45;
	w->date = 0.2;
	w->name = 0.15;
	w->compare = 0.3;
	w->uncertain = 0.5;
	w->sourced_discount = 0.5;
	w->short_factor = 0.5;
	w->heading_factor = 0.3;
	w->flag_threshold = 0.6;
	w->min_tokens = 5;
}

static const struct {
	const char *key;
	size_t off;
	double max;
} weight_keys[] = {
	{"number", offsetof(score_weights, number), 1},
	{"percent", offsetof(score_weights, percent), 1},
	{"money", offsetof(score_weights, money), 1},
	{"date", offsetof(score_weights, date), 1},
	{"name", offsetof(score_weights, name), 1},
	{"compare", offsetof(score_weights, compare), 1},
	{"uncertain", offsetof(score_weights, uncertain), 1},
	{"sourced_discount", offsetof(score_weights, sourced_discount), 1},
	{"short_factor", offsetof(score_weights, short_factor), 1},
	{"heading_factor", offsetof(score_weights, heading_factor), 1},
	{"flag_threshold", offsetof(score_weights, flag_threshold), 1},
	{"min_tokens", offsetof(score_weights, min_tokens), 1000},
};

int score_weights_set(score_weights *w, const char *key, double value, cc_error *err)
{
	for (size_t i = 0; i < sizeof weight_keys / sizeof weight_keys[0]; i++) {
		if (strcmp(key, weight_keys[i].key) != 0) continue;
		if (!(value >= 0 && value <= weight_keys[i].max)) {
			cc_error_set(err, -1, "scoring key '%s' must be between 0 and %g", key,
				     weight_keys[i].max);
			return -1;
		}
		*(double *)((char *)w + weight_keys[i].off) = value;
		return 0;
	}
	strbuf known = {0};
	for (size_t i = 0; i < sizeof weight_keys / sizeof weight_keys[0]; i++)
		strbuf_printf(&known, "%s%s", i ? ", " : "", weight_keys[i].key);
	cc_error_set(err, -1, "unknown scoring key '%s' (known: %s)", key, known.data);
	strbuf_free(&known);
	return -1;
}

/* The words the factual signals look for, with what they signal (tokens
 * are lower-cased). Looked up once per token through a small hash table
 * built on first use: a linear strcmp over each list for every token was
 * the largest single cost of scoring. */
enum { W_DATE = 1, W_COMPARE = 2, W_MONEY = 4, W_RELDAY = 8 };
static const struct word_class {
	const char *w;
	unsigned cls;
} word_classes[] = {
	/* months and weekdays */
	{"january", W_DATE}, {"february", W_DATE}, {"march", W_DATE}, {"april", W_DATE},
	{"june", W_DATE}, {"july", W_DATE}, {"august", W_DATE}, {"september", W_DATE},
	{"october", W_DATE}, {"november", W_DATE}, {"december", W_DATE}, {"jan", W_DATE},
	{"feb", W_DATE}, {"mar", W_DATE}, {"apr", W_DATE}, {"jun", W_DATE}, {"jul", W_DATE},
	{"aug", W_DATE}, {"sep", W_DATE}, {"sept", W_DATE}, {"oct", W_DATE}, {"nov", W_DATE},
	{"dec", W_DATE}, {"monday", W_DATE}, {"tuesday", W_DATE}, {"wednesday", W_DATE},
	{"thursday", W_DATE}, {"friday", W_DATE}, {"saturday", W_DATE}, {"sunday", W_DATE},
	/* relative days: dates even when not capitalized */
	{"yesterday", W_DATE | W_RELDAY}, {"today", W_DATE | W_RELDAY},
	{"tomorrow", W_DATE | W_RELDAY},
	/* comparisons */
	{"more", W_COMPARE}, {"less", W_COMPARE}, {"fewer", W_COMPARE}, {"most", W_COMPARE},
	{"least", W_COMPARE}, {"largest", W_COMPARE}, {"biggest", W_COMPARE},
	{"highest", W_COMPARE}, {"lowest", W_COMPARE}, {"smallest", W_COMPARE},
	{"fastest", W_COMPARE}, {"slowest", W_COMPARE}, {"record", W_COMPARE},
	{"doubled", W_COMPARE}, {"tripled", W_COMPARE}, {"halved", W_COMPARE},
	{"worst", W_COMPARE}, {"best", W_COMPARE}, {"greatest", W_COMPARE},
	{"steepest", W_COMPARE}, {"sharpest", W_COMPARE}, {"strongest", W_COMPARE},
	{"weakest", W_COMPARE},
	/* currencies (after a number) */
	{"dollar", W_MONEY}, {"dollars", W_MONEY}, {"euro", W_MONEY}, {"euros", W_MONEY},
	{"pound", W_MONEY}, {"pounds", W_MONEY}, {"yen", W_MONEY}, {"yuan", W_MONEY},
	{"cents", W_MONEY}, {"usd", W_MONEY}, {"eur", W_MONEY}, {"gbp", W_MONEY},
};

#define NCLASSES (sizeof word_classes / sizeof *word_classes)
#define WORD_MIN 3
#define WORD_MAX 9
#define WT_SLOTS 1024 /* a power of two, well above NCLASSES: most words miss at once */

static uint8_t word_table[WT_SLOTS]; /* slot -> index in word_classes + 1, 0: empty */
static pthread_once_t word_table_once = PTHREAD_ONCE_INIT;

/* From the length and three letters: no loop over the word. */
static inline uint32_t word_hash(const char *w, size_t n)
{
	const unsigned char *u = (const unsigned char *)w;
	return (uint32_t)u[0] * 97u + (uint32_t)u[1] * 31u + (uint32_t)u[n - 1] * 7u + (uint32_t)n;
}

static void build_word_table(void)
{
	for (size_t i = 0; i < NCLASSES; i++) {
		uint32_t k = word_hash(word_classes[i].w, strlen(word_classes[i].w)) & (WT_SLOTS - 1);
		while (word_table[k]) k = (k + 1) & (WT_SLOTS - 1);
		word_table[k] = (uint8_t)(i + 1);
	}
}

/* The W_* bits of lower-cased word w[0, n) (0 for other words). */
static inline unsigned word_class(const char *w, size_t n)
{
	if (n < WORD_MIN || n > WORD_MAX) return 0;
	uint32_t k = word_hash(w, n) & (WT_SLOTS - 1);
	for (;;) {
		unsigned e = word_table[k];
		if (!e) return 0;
		const char *c = word_classes[e - 1].w;
		if (c[0] == w[0] && strncmp(c, w, n) == 0 && c[n] == '\0')
			return word_classes[e - 1].cls; /* c may be shorter than n */
		k = (k + 1) & (WT_SLOTS - 1);
	}
}

/* A token that is a plausible year: four digits, 1800..2099. */
static int is_year(const char *w, size_t n)
{
	if (n != 4) return 0;
	for (size_t i = 0; i < 4; i++)
		if (w[i] < '0' || w[i] > '9') return 0;
	return (w[0] == '1' && w[1] >= '8') || (w[0] == '2' && w[1] == '0');
}

/* A currency sign just before byte offset `at`: $, £, ¥, € (UTF-8), with
 * an optional letter prefix such as US$ handled by the '$' itself. */
static int currency_before(const char *text, uint32_t at)
{
	const unsigned char *p = (const unsigned char *)text;
	if (at >= 1 && p[at - 1] == '$') return 1;
	if (at >= 2 && p[at - 2] == 0xc2 && (p[at - 1] == 0xa3 || p[at - 1] == 0xa5)) return 1;
	if (at >= 3 && p[at - 3] == 0xe2 && p[at - 2] == 0x82 && p[at - 1] == 0xac) return 1;
	return 0;
}

static int score_has_source(const tag *tags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!tags[i].suppressed && tags[i].category == CAT_SOURCE) return 1;
	return 0;
}

void score_sentence(const score_weights *w, const struct ruleset *rs, const char *text,
		    const struct tokens *toks, const struct tag *tags, size_t ntags, int is_heading,
		    sentence_scores *out)
{
	double keep[CAT__COUNT];
	for (int c = 0; c < CAT__COUNT; c++) keep[c] = 1;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < ntags; i++) {
		const tag *t = &tags[i];
		if (t->suppressed || t->category >= CAT__COUNT) continue;
		keep[t->category] *= 1 - ruleset_rule(rs, t->rule)->weight;
	}
	out->hedge = 1 - keep[CAT_HEDGE];
	out->speculation = 1 - keep[CAT_SPECULATION];
	out->weasel = 1 - keep[CAT_WEASEL];
	out->sourced = score_has_source(tags, ntags);
	out->uncertainty = 1 - keep[CAT_HEDGE] * keep[CAT_SPECULATION] * keep[CAT_WEASEL];

	int has_number = 0, has_percent = 0, has_money = 0, has_date = 0, has_name = 0,
	    has_compare = 0;
	size_t n = toks->t.n;
	pthread_once(&word_table_once, build_word_table);
	for (size_t i = 0; i < n; i++) {
		const token *tk = &toks->t.v[i];
		const char *lw = token_lower(toks, tk);
		if (tk->flags & TOK_DIGIT) {
			if (is_year(lw, tk->lower_len)) {
				has_date = 1;
				continue;
			}
			has_number = 1;
			const token *nt = i + 1 < n ? &toks->t.v[i + 1] : NULL;
			const char *next = nt ? token_lower(toks, nt) : "";
			if (text[tk->end] == '%' || strcmp(next, "percent") == 0 ||
			    strcmp(next, "pct") == 0)
				has_percent = 1;
			if (currency_before(text, tk->start) ||
			    (nt && (word_class(next, nt->lower_len) & W_MONEY)))
				has_money = 1;
			continue;
		}
		unsigned wc = word_class(lw, tk->lower_len);
		if (wc & W_DATE) {
			/* "may", "march" and "sun" are ordinary words too: only capitalized */
			if ((tk->flags & TOK_CAP) || (wc & W_RELDAY)) has_date = 1;
			continue;
		}
		if (wc & W_COMPARE) has_compare = 1;
		if ((tk->flags & TOK_CAP) && !(tk->flags & TOK_FIRST) && tk->lower_len > 1) has_name = 1;
	}
	double f = 1;
	if (has_number) f *= 1 - w->number;
	if (has_percent) f *= 1 - w->percent;
	if (has_money) f *= 1 - w->money;
	if (has_date) f *= 1 - w->date;
	if (has_name) f *= 1 - w->name;
	if (has_compare) f *= 1 - w->compare;
	out->factual = 1 - f;

	double cw = 1 - (1 - out->factual) * (1 - w->uncertain * out->uncertainty);
	if (out->sourced) cw *= 1 - w->sourced_discount;
	if ((double)n < w->min_tokens) cw *= w->short_factor;
	if (is_heading) cw *= w->heading_factor;
	out->checkworthy = cw;
	out->flagged = out->uncertainty > 0 || cw >= w->flag_threshold;
}

void doc_scores_reset(doc_scores *d)
{
	memset(d, 0, sizeof *d);
}

void doc_scores_add(doc_scores *d, const sentence_scores *s)
{
	d->sentences++;
	d->flagged += s->flagged != 0;
	d->hedged += s->hedge > 0;
	d->speculative += s->speculation > 0;
	d->weasel += s->weasel > 0;
	d->sourced += s->sourced != 0;
	if (s->checkworthy > d->checkworthy_max) d->checkworthy_max = s->checkworthy;
	d->checkworthy_mean += s->checkworthy; /* a sum until doc_scores_finish */
}

void doc_scores_finish(doc_scores *d)
{
	if (!d->sentences) return;
	double n = d->sentences;
	d->hedge_density = d->hedged / n;
	d->speculation_density = d->speculative / n;
	d->weasel_density = d->weasel / n;
	d->sourced_share = d->sourced / n;
	d->checkworthy_mean /= n;
}
