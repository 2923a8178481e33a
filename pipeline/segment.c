/*
 * segment.c — stage 3: one block of NFC UTF-8 text -> sentence spans.
 *
 * Reads: a block of normalized text and the [abbreviations] entries of the
 * rule files (kept in one read-only hash set). Adds: sentence spans
 * [start, end), trimmed of white space, covering every non-space byte.
 *
 * One pass over the block, token by token (a token is a run of non-space
 * characters). Decisions are made
 *  - before a token: a paragraph break, a bullet, the next item of an
 *    inline list ("1) … 2) …"), and at a line start a list marker, a line
 *    of a list of short lines, a deeper-indented line (a new paragraph in
 *    hard-wrapped text such as Reuters) or a line after an ALL-CAPS heading;
 *    otherwise a single newline is plain white space;
 *  - at a run of . ? ! … inside or at the end of a token: decimals, versions,
 *    e-mails and URLs never split; "word.Next" does; ellipses follow the
 *    typographic conventions (spaced ". . ." is an omission, a fourth dot
 *    ends the sentence); after the run, closing quotes and brackets belong
 *    to the sentence; the word before a period is looked up as title,
 *    mid-sentence abbreviation, abbreviation or before-number word, and the
 *    next word as sentence starter.
 * Inside a sentence, a run of plain tokens (printable ASCII without . ? !
 * and ')') after spaces can hold none of these: it is only counted, sixteen
 * bytes at a time, and the token scan resumes before the next other token.
 * The only allocations are the caller's output vector.
 */
#include "config.h"
#include "segment.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- the abbreviation set ------------------------------------------------ */

enum {
	AB_TITLE = 1,         /* before a name; never ends a sentence */
	AB_MID = 2,           /* never ends a sentence (e.g, vs) */
	AB_ABBREV = 4,        /* ends one only before a clear sentence start */
	AB_BEFORE_NUMBER = 8, /* never ends a sentence before a number */
	AB_STARTER = 16       /* a word that starts sentences */
};

static const struct {
	const char *key;
	unsigned flag;
} ab_keys[] = {
	{"title", AB_TITLE},
	{"mid-sentence", AB_MID},
	{"abbrev", AB_ABBREV},
	{"before-number", AB_BEFORE_NUMBER},
	{"starter", AB_STARTER},
};

#define AB_MAXLEN 48 /* longest item (bytes); longer words are never looked up */

typedef struct ab_entry {
	uint32_t hash;
	uint32_t off; /* into pool */
	uint8_t len;  /* 0: empty slot */
	uint8_t flags;
} ab_entry;

struct segmenter {
	ab_entry *tab;
	size_t cap, n; /* cap is a power of two */
	strbuf pool;
};

static uint32_t ab_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static ab_entry *ab_slot(ab_entry *tab, size_t cap, const char *pool, const char *s, size_t n,
			 uint32_t h)
{
	size_t i = h & (cap - 1);
	for (;;) {
		ab_entry *e = &tab[i];
		if (e->len == 0) return e;
		if (e->hash == h && e->len == n && memcmp(pool + e->off, s, n) == 0) return e;
		i = (i + 1) & (cap - 1);
	}
}

static unsigned ab_flags(const segmenter *s, const char *w, size_t n)
{
	if (!s || s->n == 0 || n == 0 || n > AB_MAXLEN) return 0;
	uint32_t h = ab_hash(w, n);
	const ab_entry *e = ab_slot(s->tab, s->cap, s->pool.data, w, n, h);
	return e->len ? e->flags : 0;
}

static void ab_grow(segmenter *s)
{
	size_t nc = s->cap ? s->cap * 2 : 256;
	ab_entry *nt = xcalloc(nc, sizeof *nt);
	for (size_t i = 0; i < s->cap; i++) {
		ab_entry *e = &s->tab[i];
		if (!e->len) continue;
		*ab_slot(nt, nc, s->pool.data, s->pool.data + e->off, e->len, e->hash) = *e;
	}
	free(s->tab);
	s->tab = nt;
	s->cap = nc;
}

segmenter *segmenter_new(void)
{
	segmenter *s = xcalloc(1, sizeof *s);
	ab_grow(s);
	return s;
}

void segmenter_free(segmenter *s)
{
	if (!s) return;
	free(s->tab);
	strbuf_free(&s->pool);
	free(s);
}

int segmenter_has_key(const char *key)
{
	if (!key) return 0;
	for (size_t i = 0; i < sizeof ab_keys / sizeof ab_keys[0]; i++)
		if (strcmp(key, ab_keys[i].key) == 0) return 1;
	return 0;
}

int segmenter_add(segmenter *s, const char *key, const char *item, cc_error *err)
{
	unsigned flag = 0;
	for (size_t i = 0; i < sizeof ab_keys / sizeof ab_keys[0]; i++)
		if (key && strcmp(key, ab_keys[i].key) == 0) flag = ab_keys[i].flag;
	if (!flag) {
		cc_error_set(err, -1, "unknown key `%s` in [abbreviations] (expected title, "
			     "mid-sentence, abbrev, before-number or starter)", key ? key : "");
		return -1;
	}
	size_t n = item ? strlen(item) : 0;
	if (n == 0) {
		cc_error_set(err, -1, "empty `%s` item", key);
		return -1;
	}
	if (n > AB_MAXLEN) {
		cc_error_set(err, -1, "`%s` item `%.20s…` is too long (at most %d bytes)", key, item,
			     AB_MAXLEN);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)item[i];
		if (c <= ' ' || c == 0x7f) {
			cc_error_set(err, -1, "`%s` item `%s` contains white space or a control "
				     "character (one word per item)", key, item);
			return -1;
		}
	}
	if (item[n - 1] == '.') {
		cc_error_set(err, -1, "write `%s` item `%s` without the final period", key, item);
		return -1;
	}
	uint32_t h = ab_hash(item, n);
	ab_entry *e = ab_slot(s->tab, s->cap, s->pool.data, item, n, h);
	if (e->len) {
		e->flags |= flag;
		return 0;
	}
	if ((s->n + 1) * 2 > s->cap) {
		ab_grow(s);
		e = ab_slot(s->tab, s->cap, s->pool.data, item, n, h);
	}
	if (s->pool.len + n >= UINT32_MAX) die("abbreviation pool too large");
	e->hash = h;
	e->off = (uint32_t)s->pool.len;
	e->len = (uint8_t)n;
	e->flags = (uint8_t)flag;
	strbuf_append(&s->pool, item, n);
	s->n++;
	return 0;
}

/* ---- characters ------------------------------------------------------------ */

/* Decode the code point at t[i] (i < end); *len gets its length. Invalid
 * bytes decode as U+FFFD of length 1. */
static int32_t u8_at(const char *t, uint32_t i, uint32_t end, int *len)
{
	const unsigned char *s = (const unsigned char *)t + i;
	unsigned char c = s[0];
	if (c < 0x80) {
		*len = 1;
		return c;
	}
	utf8proc_int32_t cp;
	utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)(end - i), &cp);
	if (n <= 0) {
		*len = 1;
		return 0xFFFD;
	}
	*len = (int)n;
	return cp;
}

/* The code point that ends just before t[i] (i > start). */
static int32_t u8_before(const char *t, uint32_t start, uint32_t i, int *len)
{
	uint32_t j = i - 1;
	while (j > start && i - j < 4 && ((unsigned char)t[j] & 0xC0) == 0x80) j--;
	int n;
	int32_t cp = u8_at(t, j, i, &n);
	if (j + (uint32_t)n != i) {
		*len = 1;
		return 0xFFFD;
	}
	*len = n;
	return cp;
}

static int is_space(int32_t c)
{
	if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
	return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static int is_closer(int32_t c)
{
	switch (c) {
	case ')': case ']': case '}': case '"': case '\'':
	case 0x2019: /* ’ */ case 0x201D: /* ” */ case 0xBB: /* » */ case 0x203A: /* › */
		return 1;
	}
	return 0;
}

static int is_opener(int32_t c)
{
	switch (c) {
	case '(': case '[': case '{': case '"': case '\'':
	case 0x2018: /* ‘ */ case 0x201C: /* “ */ case 0x201E: /* „ */ case 0x201A: /* ‚ */
	case 0xAB: /* « */ case 0x2039: /* ‹ */ case 0xBF: /* ¿ */ case 0xA1: /* ¡ */
		return 1;
	}
	return 0;
}

static int is_bullet(int32_t c)
{
	switch (c) {
	case 0x2022: case 0x2023: case 0x2043: case 0x2219: case 0x25A0: case 0x25A1:
	case 0x25AA: case 0x25AB: case 0x25B8: case 0x25BA: case 0x25C6: case 0x25C7:
	case 0x25CB: case 0x25CF: case 0x25E6: case 0x2713: case 0x2714: case 0x2756:
	case 0x27A2: case 0x27A4:
		return 1;
	}
	return 0;
}

static int is_currency(int32_t c)
{
	return c == '$' || c == 0xA3 || c == 0xA5 || c == 0x20AC || c == 0xA2 || c == 0x20B9;
}

enum { CC_OTHER, CC_UPPER, CC_LOWER, CC_CASELESS, CC_DIGIT, CC_MARK };

static int char_class(int32_t c)
{
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z') return CC_UPPER;
		if (c >= 'a' && c <= 'z') return CC_LOWER;
		if (c >= '0' && c <= '9') return CC_DIGIT;
		return CC_OTHER;
	}
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return CC_UPPER;
	case UTF8PROC_CATEGORY_LL: return CC_LOWER;
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: return CC_CASELESS;
	case UTF8PROC_CATEGORY_ND: return CC_DIGIT;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: return CC_MARK;
	default: return CC_OTHER;
	}
}

static int is_letter(int32_t c)
{
	int k = char_class(c);
	return k == CC_UPPER || k == CC_LOWER || k == CC_CASELESS || k == CC_MARK;
}

static int is_alnum(int32_t c)
{
	return is_letter(c) || char_class(c) == CC_DIGIT;
}

/* A terminal: . ? ! or … ; its dot count (… is three) goes to *dots. */
static int terminal_at(const char *t, uint32_t i, uint32_t end, int *len, int *dots, int *qe)
{
	unsigned char c = (unsigned char)t[i];
	*dots = *qe = 0;
	*len = 1;
	if (c == '.') *dots = 1;
	else if (c == '?' || c == '!') *qe = 1;
	else if (c == 0xE2 && i + 2 < end && (unsigned char)t[i + 1] == 0x80 &&
		 (unsigned char)t[i + 2] == 0xA6) {
		*dots = 3;
		*len = 3;
	} else
		return 0;
	return 1;
}

/* ---- the pass ------------------------------------------------------------- */

#define NONE UINT32_MAX

enum { NX_END, NX_UPPER, NX_LOWER, NX_CASELESS, NX_DIGIT, NX_BULLET, NX_OTHER };

typedef struct nextword {
	int kind;
	uint32_t w, wend; /* the word (letters, inner apostrophes) */
	int initial;      /* a single letter followed by '.' */
} nextword;

typedef struct seg {
	const segmenter *s;
	const char *t;
	uint32_t start, end;
	spanvec *out;
	uint32_t sent;  /* start of the current sentence, or NONE */
	unsigned ntok;  /* its tokens so far (bullets not counted) */
	/* inline list: the style and value of the next expected marker */
	int list_style;
	long list_next;
	/* block statistics, computed on the first newline */
	int stats_done;
	int unwrapped, listy;
	uint32_t min_indent;
	uint32_t tab_ls; /* table_line's last line start, and its answer */
	int tab_is;
} seg;

static void emit(seg *st, uint32_t b)
{
	if (st->sent == NONE) return;
	while (b > st->sent) {
		int n;
		int32_t c = u8_before(st->t, st->sent, b, &n);
		if (!is_space(c)) break;
		b -= (uint32_t)n;
	}
	if (b > st->sent) {
		span sp = {st->sent, b};
		VEC_PUSH(st->out, sp);
	}
	st->sent = NONE;
	st->ntok = 0;
}

static uint32_t skip_space(const seg *st, uint32_t p, int *nl)
{
	const char *t = st->t;
	int lines = 0;
	while (p < st->end) {
		unsigned char c = (unsigned char)t[p];
		if (c == '\n' || (c == '\r' && !(p + 1 < st->end && t[p + 1] == '\n'))) {
			lines++;
			p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r') {
			p++;
			continue;
		}
		if (c < 0x80) break;
		int n;
		int32_t cp = u8_at(t, p, st->end, &n);
		if (!is_space(cp)) break;
		if (cp == 0x2028) lines++;
		if (cp == 0x2029 || cp == 0x85) lines += 2;
		p += (uint32_t)n;
	}
	if (nl) *nl = lines;
	return p;
}

/* ASCII byte classes for the token scan. */
enum { BC_NONE = 0, BC_SPACE = 1, BC_TERM = 2 };
static const unsigned char ascii_class[128] = {
	['\t'] = BC_SPACE, ['\n'] = BC_SPACE, ['\v'] = BC_SPACE, ['\f'] = BC_SPACE,
	['\r'] = BC_SPACE, [' '] = BC_SPACE, ['.'] = BC_TERM, ['?'] = BC_TERM, ['!'] = BC_TERM,
};

/* Every byte's class for the token scan: the ASCII ones above, and
 * BC_LEAD for the lead bytes of the non-ASCII spaces and of … */
enum { BC_LEAD = 4 };
static const unsigned char byte_class[256] = {
	['\t'] = BC_SPACE, ['\n'] = BC_SPACE, ['\v'] = BC_SPACE, ['\f'] = BC_SPACE,
	['\r'] = BC_SPACE, [' '] = BC_SPACE, ['.'] = BC_TERM, ['?'] = BC_TERM, ['!'] = BC_TERM,
	[0xC2] = BC_LEAD, [0xE1] = BC_LEAD, [0xE2] = BC_LEAD, [0xE3] = BC_LEAD,
};

/* The first byte in [q, qe) whose byte_class is not 0, or qe. */
static inline const unsigned char *next_classed(const unsigned char *q, const unsigned char *qe)
{
#ifdef __SSE2__
	/* sixteen bytes at once: the bytes up to ' ', from 0x80 (both
	 * signed below 0x21) and the terminals are the candidates */
	const __m128i below = _mm_set1_epi8(0x21), dot = _mm_set1_epi8('.'),
		      qm = _mm_set1_epi8('?'), ex = _mm_set1_epi8('!');
	while (qe - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)q);
		__m128i c = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, dot)),
					 _mm_or_si128(_mm_cmpeq_epi8(v, qm), _mm_cmpeq_epi8(v, ex)));
		unsigned m = (unsigned)_mm_movemask_epi8(c);
		while (m) {
			const unsigned char *r = q + __builtin_ctz(m);
			if (byte_class[*r]) return r;
			m &= m - 1;
		}
		q += 16;
	}
#endif
	while (q < qe && !byte_class[*q]) q++;
	return q;
}

/* The end of the token at p; *term is set if it holds a terminal. */
static uint32_t token_end(const seg *st, uint32_t p, int *term)
{
	const unsigned char *t = (const unsigned char *)st->t;
	uint32_t end = st->end;
	int f = 0;
	for (;;) {
		const unsigned char *q = next_classed(t + p, t + end), *qe = t + end;
		p = (uint32_t)(q - t);
		if (q == qe) break;
		unsigned k = byte_class[*q];
		if (k == BC_SPACE) break;
		if (k == BC_TERM) {
			f = 1;
			p++;
			continue;
		}
		int n;
		int32_t cp = u8_at(st->t, p, end, &n);
		if (is_space(cp)) break;
		if (cp == 0x2026) f = 1;
		p += (uint32_t)n;
	}
	*term = f;
	return p;
}

/* Skip opening quotes and brackets and bullets. */
static uint32_t skip_openers(const seg *st, uint32_t p, uint32_t end)
{
	while (p < end) {
		int n;
		int32_t c = u8_at(st->t, p, end, &n);
		if (!is_opener(c) && !is_bullet(c)) break;
		p += (uint32_t)n;
	}
	return p;
}

static int starts_with(const seg *st, uint32_t p, uint32_t end, const char *s)
{
	size_t n = strlen(s);
	return end - p >= n && memcmp(st->t + p, s, n) == 0;
}

/* An e-mail address or URL: its inner periods never end anything. */
static int is_url(const seg *st, uint32_t ts, uint32_t te)
{
	uint32_t p = skip_openers(st, ts, te);
	if (starts_with(st, p, te, "www.")) return 1;
	int at = 0;
	for (uint32_t i = p; i < te; i++) {
		char c = st->t[i];
		if (c == '@' && i > p) at = 1;
		else if (c == '.' && at && i + 1 < te && is_alnum((unsigned char)st->t[i + 1])) return 1;
		else if (c == ':' && i + 2 < te && st->t[i + 1] == '/' && st->t[i + 2] == '/') return 1;
	}
	return 0;
}

/* Look at the word that starts at p (after white space). */
static nextword next_word(const seg *st, uint32_t p)
{
	nextword nx = {NX_END, 0, 0, 0};
	if (p >= st->end) return nx;
	int n;
	int32_t c = u8_at(st->t, p, st->end, &n);
	if (is_bullet(c)) {
		nx.kind = NX_BULLET;
		return nx;
	}
	while (is_opener(c) && p + (uint32_t)n < st->end) {
		p += (uint32_t)n;
		c = u8_at(st->t, p, st->end, &n);
	}
	if (is_currency(c) && p + (uint32_t)n < st->end) {
		int m;
		int32_t d = u8_at(st->t, p + (uint32_t)n, st->end, &m);
		nx.kind = char_class(d) == CC_DIGIT ? NX_DIGIT : NX_OTHER;
		return nx;
	}
	switch (char_class(c)) {
	case CC_UPPER: nx.kind = NX_UPPER; break;
	case CC_LOWER: nx.kind = NX_LOWER; break;
	case CC_CASELESS: nx.kind = NX_CASELESS; break;
	case CC_DIGIT: nx.kind = NX_DIGIT; return nx;
	default: nx.kind = NX_OTHER; return nx;
	}
	nx.w = p;
	uint32_t q = p;
	int letters = 0;
	while (q < st->end) {
		int m;
		int32_t d = u8_at(st->t, q, st->end, &m);
		if (is_alnum(d)) {
			letters++;
			q += (uint32_t)m;
			continue;
		}
		if ((d == '\'' || d == 0x2019) && q + (uint32_t)m < st->end) {
			int k;
			if (is_letter(u8_at(st->t, q + (uint32_t)m, st->end, &k))) {
				q += (uint32_t)m;
				continue;
			}
		}
		break;
	}
	nx.wend = q;
	nx.initial = letters == 1 && q < st->end && st->t[q] == '.';
	return nx;
}

/* Flags of the next word as a sentence starter: as written, without an
 * apostrophe suffix ("It's"), and Title-cased if it is ALL CAPS. */
static unsigned starter_flags(const seg *st, const nextword *nx)
{
	char buf[AB_MAXLEN + 1];
	size_t n = 0, apos = 0;
	int caps = 1;
	for (uint32_t i = nx->w; i < nx->wend; i++) {
		unsigned char c = (unsigned char)st->t[i];
		if (n >= AB_MAXLEN) return 0;
		if (c == 0xE2 && i + 2 < nx->wend && (unsigned char)st->t[i + 1] == 0x80 &&
		    (unsigned char)st->t[i + 2] == 0x99) { /* ’ -> ' */
			c = '\'';
			i += 2;
		}
		if (c == '\'' && !apos) apos = n;
		if (c >= 'a' && c <= 'z') caps = 0;
		buf[n++] = (char)c;
	}
	unsigned f = ab_flags(st->s, buf, n);
	if (!f && apos) f = ab_flags(st->s, buf, apos);
	if (!f && caps && n >= 2) {
		for (size_t i = 1; i < n; i++)
			if (buf[i] >= 'A' && buf[i] <= 'Z') buf[i] = (char)(buf[i] - 'A' + 'a');
		f = ab_flags(st->s, buf, n);
		if (!f && apos) f = ab_flags(st->s, buf, apos);
	}
	return f;
}

static int strong_start(const nextword *nx)
{
	return nx->kind == NX_UPPER || nx->kind == NX_DIGIT || nx->kind == NX_CASELESS ||
	       nx->kind == NX_BULLET;
}

/* After an abbreviation, does the next word clearly start a sentence? A
 * starter does, unless it is also a title (Mr, Dr: a name follows, as after a
 * fronted "At 5 a.m.") and the sentence so far is shorter than four tokens. */
static int clear_start(const seg *st, const nextword *nx)
{
	if (nx->kind == NX_BULLET) return 1;
	if (nx->kind != NX_UPPER && nx->kind != NX_CASELESS) return 0;
	if (nx->initial) return 0;
	unsigned f = starter_flags(st, nx);
	if (!(f & AB_STARTER)) return 0;
	if ((f & AB_TITLE) && st->ntok < 4) return 0;
	return 1;
}

/* ---- words before a period -------------------------------------------------- */

static int all_digits(const char *w, size_t n)
{
	if (n == 0) return 0;
	for (size_t i = 0; i < n; i++)
		if (w[i] < '0' || w[i] > '9') return 0;
	return 1;
}

static int is_roman(const char *w, size_t n)
{
	if (n == 0 || n > 4) return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ivxIVX", w[i])) return 0;
	return 1;
}

/* One letter (any script). */
static int single_letter(const char *w, size_t n)
{
	if (n == 0 || n > 4) return 0;
	int len;
	int32_t c = u8_at(w, 0, (uint32_t)n, &len);
	return (size_t)len == n && is_letter(c);
}

/* U.S, a.m, Ph.D, N.V: letter groups of one or two letters joined by periods. */
static int dotted_abbrev(const char *w, size_t n)
{
	if (n < 3 || n > 16 || !memchr(w, '.', n)) return 0;
	size_t seg_letters = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || w[i] == '.') {
			if (seg_letters == 0 || seg_letters > 2) return 0;
			seg_letters = 0;
			continue;
		}
		int len;
		int32_t c = u8_at(w, (uint32_t)i, (uint32_t)n, &len);
		if (!is_letter(c)) return 0;
		seg_letters++;
		i += (size_t)len - 1;
	}
	return 1;
}

/* Flags of the word before a period; "D-Conn" and "ex-Gov" fall back on the
 * part after the last hyphen or slash. */
static unsigned word_flags(const seg *st, const char *w, size_t n)
{
	unsigned f = ab_flags(st->s, w, n);
	if (f || n > AB_MAXLEN) return f;
	for (size_t i = n; i > 0; i--)
		if (w[i - 1] == '-' || w[i - 1] == '/') return ab_flags(st->s, w + i, n - i);
	return 0;
}

/* A list marker at a sentence start: 1-3 digits, one letter, a roman numeral. */
static int marker_word(const char *w, size_t n)
{
	return (n <= 3 && all_digits(w, n)) || single_letter(w, n) || is_roman(w, n);
}

/* ---- list markers -------------------------------------------------------- */

enum { LM_DOT = 1, LM_PAREN = 2, LM_DOTPAREN = 3, LM_BOTH = 4, LM_LETTER = 8, LM_UPPER = 16 };

/* "1." "1)" "1.)" "(1)" "a." "a)" "(a)": returns the style (0 if none) and
 * the value in *val. */
static int list_marker(const seg *st, uint32_t ts, uint32_t te, long *val)
{
	const char *t = st->t;
	uint32_t p = ts;
	int open = 0, style = 0;
	if (p < te && t[p] == '(') {
		open = 1;
		p++;
	}
	uint32_t b = p;
	long v = 0;
	while (p < te && t[p] >= '0' && t[p] <= '9' && p - b < 2) v = v * 10 + (t[p++] - '0');
	if (p == b) {
		if (p < te && ((t[p] >= 'a' && t[p] <= 'z') || (t[p] >= 'A' && t[p] <= 'Z'))) {
			style |= LM_LETTER;
			if (t[p] <= 'Z') {
				style |= LM_UPPER;
				v = t[p] - 'A' + 1;
			} else
				v = t[p] - 'a' + 1;
			p++;
		} else
			return 0;
	}
	if (open) {
		if (p + 1 != te || t[p] != ')') return 0;
		style |= LM_BOTH;
	} else if (p + 1 == te && t[p] == '.')
		style |= LM_DOT;
	else if (p + 1 == te && t[p] == ')')
		style |= LM_PAREN;
	else if (p + 2 == te && t[p] == '.' && t[p + 1] == ')')
		style |= LM_DOTPAREN;
	else
		return 0;
	*val = v;
	return style;
}

/* A token that clearly starts a list item at the start of a line. */
static int line_marker(const seg *st, uint32_t ts, uint32_t te)
{
	const char *t = st->t;
	int n;
	int32_t c = u8_at(t, ts, te, &n);
	if (is_bullet(c)) return 1;
	if (te - ts == 1 && (c == '-' || c == '*' || c == '+')) return 1;
	long v;
	int style = list_marker(st, ts, te, &v);
	if (style) {
		/* "A." at a line start is as likely an initial */
		if ((style & LM_LETTER) && (style & 7) == LM_DOT && (style & LM_UPPER)) return 0;
		return 1;
	}
	/* roman numerals: "iv." "ii)" */
	uint32_t p = ts;
	if (p < te && t[p] == '(') p++;
	uint32_t b = p;
	while (p < te && strchr("ivx", t[p]) && t[p]) p++;
	if (p > b && p - b <= 4 && p + 1 == te && (t[p] == '.' || t[p] == ')')) return 1;
	return 0;
}

/* ---- lines ------------------------------------------------------------------ */

static uint32_t indent_at(const seg *st, uint32_t p, uint32_t *content)
{
	uint32_t ind = 0;
	while (p < st->end && (st->t[p] == ' ' || st->t[p] == '\t')) {
		ind += st->t[p] == '\t' ? 4 : 1;
		p++;
	}
	*content = p;
	return ind;
}

/* Does the line [ls, le) end with punctuation (skipping closers)? */
static int line_ends_punct(const seg *st, uint32_t ls, uint32_t le)
{
	while (le > ls) {
		int n;
		int32_t c = u8_before(st->t, ls, le, &n);
		if (is_space(c) || is_closer(c)) {
			le -= (uint32_t)n;
			continue;
		}
		return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
		       c == 0x2026 || c == '-' || c == 0x2014 || c == 0x2013;
	}
	return 0;
}

/* One linear look at the block's lines, on its first newline: is it a list
 * of short lines, is it made of long unwrapped lines (one paragraph a
 * line), and the smallest indentation of lines after the first. */
static void block_stats(seg *st)
{
	uint32_t p = st->start, nlines = 0, maxlen = 0;
	int listy = 1, first = 1;
	st->min_indent = NONE;
	while (p < st->end) {
		const char *nlp = memchr(st->t + p, '\n', st->end - p);
		uint32_t le = nlp ? (uint32_t)(nlp - st->t) : st->end;
		uint32_t cs;
		uint32_t ind = indent_at(st, p, &cs);
		uint32_t e = le;
		while (e > cs && (st->t[e - 1] == ' ' || st->t[e - 1] == '\t' || st->t[e - 1] == '\r'))
			e--;
		if (e > cs) {
			nlines++;
			if (e - cs > maxlen) maxlen = e - cs;
			if (!first && ind < st->min_indent) st->min_indent = ind;
			if (e - cs > 40 || line_ends_punct(st, cs, e)) listy = 0;
		}
		first = 0;
		p = le + 1;
	}
	st->listy = listy && nlines >= 3;
	st->unwrapped = maxlen > 150;
	st->stats_done = 1;
}

/* Is the line [ls, le) an ALL-CAPS heading (short, two letters or more, no
 * lower case, not ending in . , ;)? */
static int caps_line(const seg *st, uint32_t ls, uint32_t le, int want_heading)
{
	int upper = 0;
	uint32_t p = ls;
	while (p < le) {
		int n;
		int32_t c = u8_at(st->t, p, le, &n);
		int k = char_class(c);
		if (k == CC_LOWER) return 0;
		if (k == CC_UPPER) upper++;
		p += (uint32_t)n;
	}
	if (upper < 2) return 0;
	if (want_heading) {
		uint32_t e = le;
		while (e > ls && (st->t[e - 1] == ' ' || st->t[e - 1] == '\t' || st->t[e - 1] == '\r')) e--;
		char last = e > ls ? st->t[e - 1] : 0;
		if (last == '.' || last == ',' || last == ';') return 0;
	}
	return 1;
}

/* Does t[a, b) hold three spaces in a row? Any three bytes in a row hold
 * one of a + 2, a + 5, ...: only those are compared with a space. */
static int three_spaces(const char *t, uint32_t a, uint32_t b)
{
	for (uint32_t i = a + 2; i < b; i += 3) {
		if (t[i] != ' ') continue;
		if (t[i - 1] == ' ' && (t[i - 2] == ' ' || (i + 1 < b && t[i + 1] == ' '))) return 1;
		if (i + 2 < b && t[i + 1] == ' ' && t[i + 2] == ' ') return 1;
	}
	return 0;
}

/* Does t[a, b) hold three spaces in a row or a tab? */
static int table_gap(const char *t, uint32_t a, uint32_t b)
{
#ifdef __SSE2__
	/* sixteen bytes at once; carry: the spaces among the two bytes before */
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
	unsigned carry = 0;
	uint32_t i = a;
	while (b - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(t + i));
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab))) return 1;
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
		unsigned x = m << 2 | carry; /* bit k + 2: a space at i + k */
		if (x & x >> 1 & x >> 2) return 1;
		carry = m >> 14;
		i += 16;
	}
	if (i - a >= 2) a = i - 2; /* the rest, with the two bytes before it */
#endif
	return three_spaces(t, a, b) || memchr(t + a, '\t', b - a);
}

/* A table row: a gap of three spaces or a tab between two words (in the
 * first 400 bytes of the line). The last answer is cached, as the line after
 * one newline is the line before the next. */
static int table_line(seg *st, uint32_t ls, uint32_t le)
{
	if (ls == st->tab_ls) return st->tab_is;
	uint32_t a = ls, b = le - ls > 400 ? ls + 400 : le;
	while (a < b && (st->t[a] == ' ' || st->t[a] == '\t')) a++;
	while (b > a && (st->t[b - 1] == ' ' || st->t[b - 1] == '\t' || st->t[b - 1] == '\r')) b--;
	int is = b > a && table_gap(st->t, a, b);
	st->tab_ls = ls;
	st->tab_is = is;
	return is;
}

/* At a token that follows exactly one newline: does a new sentence start? */
static int line_break_before(seg *st, uint32_t ws, uint32_t ts, uint32_t te)
{
	if (line_marker(st, ts, te)) return 1;
	if (!st->stats_done) block_stats(st);
	if (st->unwrapped || st->listy) return 1;
	/* the newline that precedes the token */
	uint32_t nlpos = ts;
	while (nlpos > ws && st->t[nlpos - 1] != '\n') nlpos--;
	uint32_t cs;
	uint32_t ind = indent_at(st, nlpos, &cs);
	if (st->min_indent != NONE && ind >= st->min_indent + 2) return 1;
	if (nlpos == 0 || nlpos - 1 <= st->start) return 0;
	const char *nlp = memchr(st->t + ts, '\n', st->end - ts);
	uint32_t ne = nlp ? (uint32_t)(nlp - st->t) : st->end;
	if (ne - ts > 400) ne = ts + 400;
	/* the previous line (its last 400 bytes at most) */
	uint32_t le = nlpos - 1, ls = le;
	uint32_t lb = le - st->start > 400 ? le - 400 : st->start;
	const char *pnl = memrchr(st->t + lb, '\n', le - lb);
	ls = pnl ? (uint32_t)(pnl - st->t) + 1 : lb;
	if (table_line(st, ls, le) || table_line(st, nlpos, ne)) return 1;
	/* an ALL-CAPS heading (short, whole) before a normal line */
	if (le - ls > 80 || (ls > st->start && st->t[ls - 1] != '\n')) return 0;
	return caps_line(st, ls, le, 1) && !caps_line(st, ts, ne, 0);
}

/* ---- terminal runs ------------------------------------------------------- */

/* Count a spaced ellipsis ". . ." whose first dot is at i: the number of
 * dots, and in *last the position after the last dot and its closers, which
 * must be followed by white space or the block end. 0 if not a chain of at
 * least three. */
static int spaced_chain(const seg *st, uint32_t i, uint32_t *last)
{
	const char *t = st->t;
	int dots = 1;
	uint32_t p = i;
	while (p + 2 < st->end && t[p + 1] == ' ' && t[p + 2] == '.') {
		p += 2;
		dots++;
	}
	if (dots < 3) return 0;
	uint32_t q = p + 1;
	while (q < st->end) {
		int n;
		int32_t c = u8_at(t, q, st->end, &n);
		if (!is_closer(c)) break;
		q += (uint32_t)n;
	}
	if (q < st->end) {
		int n;
		if (!is_space(u8_at(t, q, st->end, &n))) return 0;
	}
	*last = q;
	return dots;
}

/* Decide at a single period that ends a token, after the word [ws, i). */
static int period_breaks(seg *st, uint32_t ws, uint32_t i, const nextword *nx)
{
	const char *w = st->t + ws;
	size_t n = i - ws;
	/* a closing bracket or quote before the period is not part of the word */
	while (n > 0) {
		int len;
		int32_t c = u8_before(w, 0, (uint32_t)n, &len);
		if (!is_closer(c)) break;
		n -= (size_t)len;
	}
	if (n == 0) return strong_start(nx);
	if (st->ntok == 1 && marker_word(w, n)) return 0;
	unsigned f = n <= AB_MAXLEN ? word_flags(st, w, n) : 0;
	if (f & (AB_TITLE | AB_MID)) return 0;
	if ((f & AB_BEFORE_NUMBER) && nx->kind == NX_DIGIT) return 0;
	if ((f & AB_ABBREV) || single_letter(w, n) || dotted_abbrev(w, n)) return clear_start(st, nx);
	return strong_start(nx);
}

/* "world.Today": a period (or ?!) between a lower-case letter or digit and a
 * capitalized word, after a word that is no abbreviation. */
static int glued_breaks(seg *st, uint32_t ws, uint32_t i, uint32_t j, uint32_t te)
{
	const char *t = st->t;
	if (i <= ws || j + 1 >= te) return 0;
	int n;
	int k = char_class(u8_before(t, ws, i, &n));
	if (k != CC_LOWER && k != CC_DIGIT) return 0;
	int32_t c1 = u8_at(t, j, te, &n);
	if (char_class(c1) != CC_UPPER) return 0;
	int m;
	if (j + (uint32_t)n >= te) return 0;
	int32_t c2 = u8_at(t, j + (uint32_t)n, te, &m);
	if (char_class(c2) != CC_LOWER) return 0;
	if (t[i] != '.') return 1;
	size_t wn = i - ws;
	if (wn > AB_MAXLEN) return 1;
	if (single_letter(t + ws, wn) || memchr(t + ws, '.', wn)) return 0;
	return word_flags(st, t + ws, wn) == 0;
}

/* Process the token [ts, te): split inside it where needed and decide
 * whether the sentence ends after it. Returns where the scan goes on (after
 * te when a spaced ellipsis was consumed). */
static uint32_t process_token(seg *st, uint32_t ts, uint32_t te, int term)
{
	const char *t = st->t;
	int url = -1;
	unsigned char c0 = (unsigned char)t[ts];
	/* bullets are not counted as words of the sentence */
	if (c0 >= 0x80) {
		int n;
		if (!is_bullet(u8_at(t, ts, te, &n)) || skip_openers(st, ts, te) != te) st->ntok++;
	} else if (!(te - ts == 1 && (c0 == '-' || c0 == '*' || c0 == '+') && st->sent == ts)) {
		st->ntok++;
	}
	if (!term) return te;
	uint32_t ws = skip_openers(st, ts, te); /* start of the current word */
	uint32_t i = ws;
	while (i < te) {
		int len, dots, qe;
		unsigned char b = (unsigned char)t[i];
		if (b < 0x80 ? ascii_class[b] != BC_TERM : b != 0xE2) {
			i++;
			continue;
		}
		if (!terminal_at(t, i, te, &len, &dots, &qe)) {
			i++;
			continue;
		}
		/* the run of terminals and closers */
		uint32_t j = i + (uint32_t)len, k;
		int tdots = dots, tqe = qe, closers = 0;
		for (;;) {
			while (j < te && terminal_at(t, j, te, &len, &dots, &qe)) {
				tdots += dots;
				tqe += qe;
				j += (uint32_t)len;
			}
			k = j;
			while (k < te) {
				int n;
				int32_t c = u8_at(t, k, te, &n);
				if (!is_closer(c)) break;
				k += (uint32_t)n;
				closers = 1;
			}
			if (k < te && k > j && terminal_at(t, k, te, &len, &dots, &qe)) {
				j = k;
				continue;
			}
			break;
		}
		if (url < 0) url = is_url(st, ts, te);
		if (k < te) {
			/* inside the token: "3.14", "Jr.'s", "U.S.-based", "world.Today" */
			int n;
			int32_t c = u8_at(t, k, te, &n);
			if (!url && !closers && tdots + tqe == 1 && is_alnum(c) &&
			    glued_breaks(st, ws, i, k, te)) {
				emit(st, k);
				st->sent = k;
				st->ntok = 1;
				ws = k;
			}
			i = k;
			continue;
		}
		/* the run ends the token */
		int nl;
		uint32_t q = skip_space(st, te, &nl);
		if (q >= st->end) return te;
		nextword nx = next_word(st, q);
		int attached = i > ws;
		if (tdots == 1 && !tqe && !closers) {
			uint32_t last;
			int chain = spaced_chain(st, i, &last);
			if (chain) {
				/* ". . ." spans tokens: consume them */
				for (uint32_t p = i + 1; p < last; p++)
					if (t[p] == '.') st->ntok++;
				q = skip_space(st, last, &nl);
				nx = next_word(st, q);
				if (attached && chain >= 4) {
					/* "word. . . . Next": the period ends, the ellipsis leads on */
					if (q < st->end && strong_start(&nx)) {
						emit(st, i + 1);
						st->sent = i + 2;
						st->ntok = (unsigned)chain - 1;
					}
				} else if (attached || chain >= 4) {
					if (q < st->end && strong_start(&nx)) emit(st, last);
				}
				return last;
			}
		}
		if (tdots >= 2) {
			/* an ellipsis: "[...]" is an omission; a spaced "..." too */
			int bracketed = i > ts && (t[i - 1] == '[' || t[i - 1] == '(') && closers;
			if (bracketed) return te;
			if ((tdots >= 4 || attached || tqe) && strong_start(&nx)) emit(st, te);
			return te;
		}
		if (tqe) {
			if (strong_start(&nx)) emit(st, te);
			return te;
		}
		if (period_breaks(st, ws, i, &nx)) emit(st, te);
		return te;
	}
	return te;
}

/* ---- plain runs ---------------------------------------------------------- */

/* Bytes of a plain token: printable ASCII but the terminals . ? ! and ')'
 * (list markers end in '.' or ')'). A token of them, after single-line
 * white space of spaces, inside a sentence, only counts: no break comes
 * before it (no newline, bullet or list marker) and none inside or after
 * it (no terminal). */
static inline int plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '.' && c != '?' && c != '!' && c != ')';
}

static inline unsigned popcount16(unsigned x)
{
	x = x - ((x >> 1) & 0x5555);
	x = (x & 0x3333) + ((x >> 2) & 0x3333);
	x = (x + (x >> 4)) & 0x0F0F;
	return (x + (x >> 8)) & 0x1F;
}

/* Inside a sentence, at the space p after a token: skip the plain tokens
 * that follow (adding them to st->ntok) up to the white space before the
 * first token that is not plain, where the token-by-token scan resumes;
 * returns that position (p itself if there is nothing to skip). */
static uint32_t skip_plain(seg *st, uint32_t p)
{
	const unsigned char *t = (const unsigned char *)st->t;
	uint32_t end = st->end;
	if (p >= end || t[p] != ' ') return p;
	unsigned n = 0; /* token starts in [p, x): a byte not a space after a space */
	uint32_t q = p;
#ifdef __SSE2__
	const __m128i lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F), dot = _mm_set1_epi8('.'),
		      qm = _mm_set1_epi8('?'), ex = _mm_set1_epi8('!'), cp = _mm_set1_epi8(')'),
		      sp = _mm_set1_epi8(' ');
	unsigned prev = 0; /* t[q - 1] is a space (t[p] is, but is no token start) */
	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(t + q));
		/* signed: the bytes from 0x80 are below 0x20 too */
		__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, lo), _mm_cmpeq_epi8(v, del)),
					   _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, qm)),
							_mm_or_si128(_mm_cmpeq_epi8(v, ex), _mm_cmpeq_epi8(v, cp))));
		unsigned b = (unsigned)_mm_movemask_epi8(bad);
		unsigned s = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
		unsigned starts = ~s & (s << 1 | prev) & 0xFFFF;
		if (b) {
			unsigned k = (unsigned)__builtin_ctz(b);
			n += popcount16(starts & ((1u << k) - 1));
			q += k;
			goto found;
		}
		n += popcount16(starts);
		prev = s >> 15;
		q += 16;
	}
#endif
	for (; q < end && plain_byte(t[q]); q++)
		if (q > p && t[q] != ' ' && t[q - 1] == ' ') n++;
#ifdef __SSE2__
found:
#endif
	/* q: the first byte that is not plain (or the end); its token, or
	 * the token it ends, is left to the scan, with the spaces before it */
	uint32_t x = q;
	while (q > p && t[q - 1] != ' ') q--;
	if (q < x) n--; /* that token's start was counted */
	while (q > p && t[q - 1] == ' ') q--;
	st->ntok += n;
	return q;
}

/* ---- the block ------------------------------------------------------------ */

void segment_block(const segmenter *s, const char *text, uint32_t start, uint32_t end, spanvec *out)
{
	if (!text || end <= start) return;
	seg st = {0};
	st.s = s;
	st.t = text;
	st.start = start;
	st.end = end;
	st.out = out;
	st.sent = NONE;
	st.tab_ls = NONE;
	uint32_t p = start;
	for (;;) {
		if (st.sent != NONE) p = skip_plain(&st, p);
		uint32_t ws = p;
		int nl = 0;
		/* most tokens follow one space */
		if (p + 1 < end && text[p] == ' ' && (unsigned char)text[p + 1] > ' ' &&
		    (unsigned char)text[p + 1] < 0x80)
			p++;
		else
			p = skip_space(&st, p, &nl);
		if (p >= end) break;
		int term;
		uint32_t ts = p, te = token_end(&st, p, &term);
		unsigned char c0 = (unsigned char)text[ts];
		long val = 0;
		int style = 0;
		/* a list marker ends in '.' or ')' */
		if (te - ts <= 5 && (text[te - 1] == '.' || text[te - 1] == ')') &&
		    (c0 == '(' || (c0 >= '0' && c0 <= '9') || ((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z')))
			style = list_marker(&st, ts, te, &val);
		if (st.sent != NONE && st.ntok > 0) {
			int brk = 0, n;
			if (nl >= 2) brk = 1;
			else if (c0 >= 0x80 && is_bullet(u8_at(text, ts, te, &n))) brk = 1;
			else if (st.list_style && style == st.list_style && val == st.list_next) brk = 1;
			else if (nl == 1) brk = line_break_before(&st, ws, ts, te);
			if (brk) emit(&st, ws);
		}
		if (nl >= 2) st.list_style = 0;
		if (st.sent == NONE) {
			st.sent = ts;
			st.ntok = 0;
		}
		if (style && st.ntok == 0) {
			st.list_style = style;
			st.list_next = val + 1;
		}
		p = process_token(&st, ts, te, term);
	}
	emit(&st, end);
}
