/*
 * stem.c — stage 4: a sentence span -> word tokens, each with its span,
 * flags, lower-cased form and Snowball English stem.
 *
 * Reads: normalized UTF-8 text (invalid bytes are tolerated and treated as
 * punctuation). Adds: tokens (stem.h). A token is a run of letters, marks
 * and digits; it keeps inside it an apostrophe between two word
 * characters (don't, company's), a period between two digits (3.5, 1.2.3),
 * a comma before exactly three digits after a digit (1,000,000), and the
 * periods of letter-dot abbreviations (U.S., e.g., a.m. — a period after a
 * single letter that is followed by a letter, plus the final period).
 * Hyphens split words. The lower-cased form maps U+2019 to an ASCII
 * apostrophe so that rules written with ' match typographic text. Words
 * longer than TOKEN_MAX bytes are split.
 *
 * Stems come from libstemmer ("english"), through a bounded per-stemmer
 * cache (set-associative, fixed size), so steady-state tokenizing does no
 * allocation and rarely calls the stemmer. A token without letters (a
 * number) is its own stem, as Snowball would leave it, and skips both.
 */
#include "config.h"
#include "stem.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

#define TOKEN_MAX 1024   /* longer words are split (lengths fit uint16_t) */

/* ---- character classes -------------------------------------------------- */

enum cclass {
	C_SPACE,  /* white space, format characters: nothing */
	C_WORD,   /* letters, marks, digits */
	C_PUNCT,  /* punctuation: breaks phrases */
	C_HYPHEN, /* hyphens: split words, do not break phrases */
	C_APOS,   /* apostrophes: do not break phrases */
	C_SYMBOL  /* symbols ($, +, ...): neither words nor phrase breaks */
};

static unsigned char ascii_class[128];
static unsigned char ascii_lower[128];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	for (int c = 0; c < 128; c++) {
		unsigned char k;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			k = C_WORD;
		else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			k = C_SPACE;
		else if (c < 32 || c == 127)
			k = C_SPACE;
		else if (c == '-')
			k = C_HYPHEN;
		else if (c == '\'')
			k = C_APOS;
		else if (strchr("$+<=>^`|~", c))
			k = C_SYMBOL;
		else
			k = C_PUNCT;
		ascii_class[c] = k;
		ascii_lower[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
}

static void init_tables(void)
{
	pthread_once(&tables_once, build_tables);
}

/* class_of for cp >= 128 */
static enum cclass class_of_wide(int32_t cp)
{
	if (cp == 0x2019 || cp == 0x02BC) return C_APOS;
	if (cp == 0x2010 || cp == 0x2011) return C_HYPHEN;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return C_WORD;
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
		return C_PUNCT;
	case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
	case UTF8PROC_CATEGORY_SO:
		return C_SYMBOL;
	case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
		return C_SPACE;
	default:
		return C_PUNCT; /* unassigned, private use */
	}
}

static inline enum cclass class_of(int32_t cp)
{
	return cp < 128 ? (enum cclass)ascii_class[cp] : class_of_wide(cp);
}

static int is_digit_cp(int32_t cp)
{
	if (cp < 128) return cp >= '0' && cp <= '9';
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static int is_letter_cp(int32_t cp)
{
	if (cp < 128) return (cp | 32) >= 'a' && (cp | 32) <= 'z';
	utf8proc_category_t c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int is_upper_cp(int32_t cp)
{
	if (cp < 128) return cp >= 'A' && cp <= 'Z';
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* Decode the code point at p (p < e). Invalid bytes decode as U+FFFD with
 * length 1 (classed as punctuation by the caller). */
static int32_t decode(const unsigned char *p, const unsigned char *e, int *len)
{
	if (*p < 0x80) {
		*len = 1;
		return *p;
	}
	int32_t cp;
	utf8proc_ssize_t n = utf8proc_iterate(p, e - p, &cp);
	if (n <= 0) {
		*len = 1;
		return -1;
	}
	*len = (int)n;
	return cp;
}

static inline enum cclass class_at(const unsigned char *p, const unsigned char *e, int32_t *cp,
				   int *len)
{
	if (*p < 0x80) {
		*cp = *p;
		*len = 1;
		return (enum cclass)ascii_class[*p];
	}
	*cp = decode(p, e, len);
	return *cp < 0 ? C_PUNCT : class_of(*cp);
}

/* ---- lower-casing ------------------------------------------------------- */

/* stem_lower without the table set-up (done by stemmer_new). */
static void lower_into(const char *s, size_t len, strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	strbuf_reserve(out, len);
	while (p < e) {
		if (*p < 0x80) {
			out->data[out->len++] = (char)ascii_lower[*p++];
			continue;
		}
		int n;
		int32_t cp = decode(p, e, &n);
		if (cp < 0) {
			out->data[out->len++] = (char)*p++;
			continue;
		}
		if (cp == 0x2019 || cp == 0x02BC) {
			out->data[out->len++] = '\'';
			p += n;
			continue;
		}
		int32_t lc = utf8proc_tolower(cp);
		unsigned char buf[4];
		utf8proc_ssize_t m = utf8proc_encode_char(lc, buf);
		/* A lower-case form may be longer than its capital (rare). */
		strbuf_reserve(out, (size_t)m + (size_t)(e - p));
		memcpy(out->data + out->len, buf, (size_t)m);
		out->len += (size_t)m;
		p += n;
	}
	out->data[out->len] = '\0';
}

void stem_lower(const char *s, size_t len, strbuf *out)
{
	init_tables();
	lower_into(s, len, out);
}

/* ---- the stemmer and its cache ------------------------------------------ */

/* The cache is set-associative: CACHE_WAYS entries a set. The tags of a
 * set (16 bits of the hash; 0: empty) are 16 bytes apart from its entries,
 * so all the tags, 128 KiB, stay in the CPU's caches: a lookup reads one
 * line of tags and, on a tag match, the entry's own line. Tags that
 * collide cost a key comparison, never a wrong stem. The entries sit on
 * 2 MiB pages where the kernel grants them: reading them at random does
 * not miss the TLB. Full sets replace round-robin. */
#define CACHE_WAYS 8
#define CACHE_SETS 8192          /* 65536 entries x 64 bytes = 4 MiB: a news vocabulary fits */
#define CACHE_STR 31             /* longest word (and stem) cached */

typedef struct cache_entry {
	uint8_t klen, slen;
	char key[CACHE_STR];
	char stem[CACHE_STR];
} cache_entry;

struct stemmer {
	struct sb_stemmer *sb;
	uint16_t (*tags)[CACHE_WAYS]; /* CACHE_SETS */
	cache_entry *cache;           /* CACHE_SETS x CACHE_WAYS */
	unsigned victim;
};

static void *huge_alloc(size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, (size_t)2 << 20, n) != 0) die("out of memory");
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

stemmer *stemmer_new(void)
{
	init_tables();
	stemmer *s = xcalloc(1, sizeof *s);
	s->sb = sb_stemmer_new("english", NULL);
	if (!s->sb) die("libstemmer has no English stemmer");
	s->tags = xcalloc(CACHE_SETS, sizeof *s->tags);
	s->cache = huge_alloc((size_t)CACHE_SETS * CACHE_WAYS * sizeof *s->cache);
	return s;
}

void stemmer_free(stemmer *s)
{
	if (!s) return;
	sb_stemmer_delete(s->sb);
	free(s->tags);
	free(s->cache);
	free(s);
}

/* A hash of a word of 3..CACHE_STR bytes from at most four loads: its
 * first and last eight (or four) bytes, and its length. */
static HOT_INLINE uint64_t word_hash(const char *p, size_t n)
{
	uint64_t a, b;
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		a = x;
		b = y;
	} else {
		a = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
		    (uint64_t)(unsigned char)p[n - 1] << 16;
		b = 0;
	}
	uint64_t h = (a ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	h ^= (b + n) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

/* The n bytes at a and b are the same (3 <= n <= CACHE_STR): a few
 * overlapping loads instead of a call to memcmp. */
static HOT_INLINE int same_word(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		uint64_t x, y;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y) return 0;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		uint32_t x, y, u, v;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return x == y && u == v;
	}
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/* A word the cache does not hold: ask libstemmer, and keep the answer in
 * the set's free way (or its round-robin victim) when tag is not 0. */
static const char *stem_miss(stemmer *s, const char *lower, size_t len, size_t set, uint16_t tag,
			     size_t *outlen, int *same)
{
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)lower, (int)len);
	if (!r) die("out of memory (stemmer)");
	size_t rl = (size_t)sb_stemmer_length(s->sb);
	*outlen = rl;
	*same = rl == len && memcmp(r, lower, len) == 0;
	if (tag && rl <= CACHE_STR) {
		uint16_t *tg = s->tags[set];
		int w = 0;
		while (w < CACHE_WAYS && tg[w]) w++;
		if (w == CACHE_WAYS) w = (int)(s->victim++ % CACHE_WAYS);
		cache_entry *c = &s->cache[set * CACHE_WAYS + (size_t)w];
		tg[w] = tag;
		c->klen = (uint8_t)len;
		c->slen = (uint8_t)(rl | (size_t)*same << 7);
		memcpy(c->key, lower, len);
		memcpy(c->stem, r, rl);
		memset(c->stem + rl, 0, CACHE_STR - rl); /* add_token copies the whole field */
		return c->stem;
	}
	return (const char *)r;
}

/* stemmer_stem; *same is set when the stem is the word itself (kept in
 * the top bit of an entry's slen, so a hit needs no second comparison).
 * Inline: it runs once a token, and nearly always hits. */
static HOT_INLINE const char *stem_cached(stemmer *s, const char *lower, size_t len, size_t *outlen,
					  int *same)
{
	/* Snowball English leaves words of one or two letters as they are. */
	if (len <= 2) {
		*outlen = len;
		*same = 1;
		return lower;
	}
	if (len > CACHE_STR) return stem_miss(s, lower, len, 0, 0, outlen, same);
	uint64_t h = word_hash(lower, len);
	size_t set = (size_t)(h & (CACHE_SETS - 1));
	uint16_t tag = (uint16_t)(h >> 48 | 1); /* never 0 */
	const uint16_t *tg = s->tags[set];
#if defined(__SSE2__) && CACHE_WAYS == 8
	/* the set's eight tags compared at once: bit 2w of hits for way w */
	__m128i tags = _mm_loadu_si128((const __m128i *)tg);
	unsigned hits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(tags, _mm_set1_epi16((short)tag)));
	hits &= 0x5555;
	while (hits) {
		int w = __builtin_ctz(hits) >> 1;
		hits &= hits - 1;
#else
	for (int w = 0; w < CACHE_WAYS; w++) {
		if (tg[w] != tag) continue;
#endif
		const cache_entry *c = &s->cache[set * CACHE_WAYS + (size_t)w];
		if (c->klen == len && same_word(c->key, lower, len)) {
			*outlen = c->slen & 0x7f;
			*same = c->slen >> 7;
			return c->stem;
		}
	}
	return stem_miss(s, lower, len, set, tag, outlen, same);
}

const char *stemmer_stem(stemmer *s, const char *lower, size_t len, size_t *outlen)
{
	int same;
	return stem_cached(s, lower, len, outlen, &same);
}

/* ---- tokens ------------------------------------------------------------- */

void tokens_reset(tokens *ts)
{
	ts->t.n = 0;
	strbuf_reset(&ts->arena);
}

void tokens_free(tokens *ts)
{
	VEC_FREE(&ts->t);
	strbuf_free(&ts->arena);
}

/* Store text[a, b) as a new token with its lower form and stem; ascii:
 * the span has no byte >= 0x80 and scan_word has already written its lower
 * form at the arena's end (the arena has room for it and a NUL). */
static HOT_INLINE void add_token(stemmer *s, tokens *ts, const char *text, uint32_t a, uint32_t b,
				 uint16_t flags, int ascii, int letters)
{
	if (ts->t.n == ts->t.cap) VEC_RESERVE(&ts->t, 1);
	token *t = &ts->t.v[ts->t.n++];
	t->start = a;
	t->end = b;
	t->flags = flags;
	strbuf *ar = &ts->arena;
	size_t lo = ar->len, ll;
	if (ascii) {
		ll = b - a;
		ar->data[lo + ll] = '\0';
		ar->len += ll + 1;
		ar->data[ar->len] = '\0';
	} else {
		lower_into(text + a, b - a, ar);
		ll = ar->len - lo;
		strbuf_putc(ar, '\0');
	}
	t->lower = (uint32_t)lo;
	t->lower_len = (uint16_t)ll;

	size_t sl;
	int same;
	/* Snowball English changes only words with letters, or with an
	 * apostrophe at an end (a word split at TOKEN_MAX can end in one):
	 * a number keeps its form without a look in the cache, where unique
	 * figures would miss */
	const char *st = ar->data + lo;
	if (letters || st[ll - 1] == '\'') {
		st = stem_cached(s, st, ll, &sl, &same);
	} else {
		sl = ll;
		same = 1;
	}
	if (same) {
		t->stem = t->lower;
	} else {
		/* st is in the cache or libstemmer's buffer, never in the arena */
		t->stem = (uint32_t)ar->len;
		uintptr_t at = (uintptr_t)st, c0 = (uintptr_t)s->cache;
		if (at >= c0 && at < c0 + (size_t)CACHE_SETS * CACHE_WAYS * sizeof *s->cache) {
			/* a cached stem: its whole field in two loads, no call */
			if (ar->cap - ar->len < CACHE_STR + 3) strbuf_reserve(ar, CACHE_STR + 2);
			char *d = ar->data + ar->len;
			memcpy(d, st, 16);
			memcpy(d + CACHE_STR - 16, st + CACHE_STR - 16, 16);
		} else {
			strbuf_reserve(ar, sl + 1);
			memcpy(ar->data + ar->len, st, sl);
		}
		ar->len += sl;
		ar->data[ar->len++] = '\0';
		ar->data[ar->len] = '\0';
	}
	t->stem_len = (uint16_t)sl;
}

/* The end of the run of lower-case ASCII letters base[q, lim), copied to
 * d (which may get up to seven bytes after the run too). Eight bytes at
 * a time where the byte order allows. */
static inline uint32_t lower_run(const unsigned char *base, uint32_t q, uint32_t lim, char *d)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t H = 0x8080808080808080ULL, L = 0x0101010101010101ULL;
	while (q + 8 <= lim) {
		uint64_t w;
		memcpy(&w, base + q, 8);
		memcpy(d, &w, 8);
		/* with the top bit set no byte borrows from the next: a byte's
		 * top bit then says (b & 0x7f) >= 'a', resp. > 'z' */
		uint64_t x = w | H;
		uint64_t lower = (x - L * 'a') & ~(x - L * ('z' + 1)) & ~w & H;
		if (lower != H) return q + (uint32_t)(__builtin_ctzll(lower ^ H) >> 3);
		q += 8;
		d += 8;
	}
#endif
	while (q < lim && base[q] >= 'a' && base[q] <= 'z') *d++ = (char)base[q++];
	return q;
}

/* The token whose first word character is at pos: returns its end and
 * sets *flags (TOK_CAP, TOK_UPPER, TOK_DIGIT). While *ascii stays 1, the
 * token's lower form is written to dst[0, end - pos), which must have
 * room for min(end - pos, TOKEN_MAX) + 8 bytes. */
static HOT_INLINE uint32_t scan_word(const char *text, uint32_t pos, uint32_t end, uint16_t *flags,
				     int *ascii, int *nletters, char *dst)
{
	const unsigned char *base = (const unsigned char *)text;
	const unsigned char *e = base + end;
	uint32_t p = pos;
	int seglen = 0;          /* word characters since the start or the last joined '.' */
	int abbr = 0;            /* joined a letter-dot-letter period */
	int prev_letter = 0, prev_digit = 0;
	int letters = 0, uppers = 0;
	int first = 1;
	uint16_t f = 0;

	uint32_t lim = end - pos > TOKEN_MAX ? pos + TOKEN_MAX : end;
	while (p < lim) {
		unsigned char b = base[p];
		if (b >= 'a' && b <= 'z') {
			/* fastest path: a run of lower-case ASCII letters */
			dst[p - pos] = (char)b;
			uint32_t q = lower_run(base, p + 1, lim, dst + (p + 1 - pos));
			letters += (int)(q - p);
			seglen += (int)(q - p);
			prev_letter = 1;
			prev_digit = 0;
			first = 0;
			p = q;
			continue;
		}
		if (b < 0x80 && ascii_class[b] == C_WORD) {
			/* fast path: ASCII letters and digits */
			dst[p - pos] = (char)ascii_lower[b];
			if (b <= '9') {
				f |= TOK_DIGIT;
				prev_letter = 0;
				prev_digit = 1;
			} else {
				letters++;
				if (b <= 'Z') {
					uppers++;
					if (first) f |= TOK_CAP;
				}
				prev_letter = 1;
				prev_digit = 0;
			}
			first = 0;
			seglen++;
			p++;
			continue;
		}
		/* an ASCII byte other than a joiner (' . ,) ends the token */
		if (b < 0x80 && b != '\'' && b != '.' && b != ',') break;
		int n;
		int32_t cp;
		if (b >= 0x80) *ascii = 0;
		enum cclass c = class_at(base + p, e, &cp, &n);
		if (c == C_WORD) {
			if (is_letter_cp(cp)) {
				letters++;
				if (is_upper_cp(cp)) {
					uppers++;
					if (first) f |= TOK_CAP;
				}
				prev_letter = 1;
				prev_digit = 0;
			} else if (is_digit_cp(cp)) {
				f |= TOK_DIGIT;
				prev_letter = 0;
				prev_digit = 1;
			} else {
				/* marks keep the previous character's kind */
				if (!prev_letter && !prev_digit) prev_letter = 1;
			}
			first = 0;
			seglen++;
			p += (uint32_t)n;
			continue;
		}
		/* a joiner needs a word character right after it; an ASCII
		 * joiner (' . ,) is its own lower form */
		if (p + (uint32_t)n >= end) break;
		int n2;
		int32_t cp2;
		enum cclass c2 = class_at(base + p + n, e, &cp2, &n2);
		if (c2 != C_WORD) break;
		if (c == C_APOS && (prev_letter || prev_digit)) {
			prev_letter = prev_digit = 0;
			dst[p - pos] = (char)b;
			p += (uint32_t)n;
			continue;
		}
		if (cp == '.' && prev_digit && is_digit_cp(cp2)) {
			prev_digit = 0;
			dst[p - pos] = '.';
			p += 1;
			continue;
		}
		if (cp == '.' && prev_letter && seglen == 1 && is_letter_cp(cp2)) {
			abbr = 1;
			seglen = 0;
			prev_letter = 0;
			dst[p - pos] = '.';
			p += 1;
			continue;
		}
		if (cp == ',' && prev_digit) {
			/* exactly three digits, then no digit */
			uint32_t q = p + 1;
			int k = 0;
			while (q < end && k < 4 && base[q] >= '0' && base[q] <= '9') {
				q++;
				k++;
			}
			if (k == 3) {
				prev_digit = 0;
				dst[p - pos] = ',';
				p += 1;
				continue;
			}
		}
		break;
	}
	/* the final period of U.S. */
	if (abbr && seglen == 1 && p < end && base[p] == '.') {
		dst[p - pos] = '.';
		p++;
	}
	if (letters >= 2 && uppers == letters) f |= TOK_UPPER;
	*nletters = letters;
	*flags = f;
	return p;
}

#define NONE UINT32_MAX

/* scan_word for the common token: ASCII letters and digits only, ended by
 * an ASCII byte that cannot join (anything but ' and the . or , that may
 * join after a digit or a single letter), the end or TOKEN_MAX. Returns
 * NONE for any other token, which scan_word then reads from its start. */
static HOT_INLINE uint32_t scan_ascii_word(const char *text, uint32_t pos, uint32_t end,
					   uint16_t *flags, int *nletters, char *dst)
{
	const unsigned char *base = (const unsigned char *)text;
	uint32_t lim = end - pos > TOKEN_MAX ? pos + TOKEN_MAX : end;
	uint32_t q = pos;
	unsigned f = 0, uppers = 0, lowers = 0;
	if (base[q] >= 'A' && base[q] <= 'Z') f = TOK_CAP;
	while (q < lim) {
		unsigned char b = base[q];
		if (b >= 'a' && b <= 'z') {
			dst[q - pos] = (char)b;
			q = lower_run(base, q + 1, lim, dst + (q + 1 - pos));
			lowers = 1;
			continue;
		}
		if (b >= 'A' && b <= 'Z') {
			dst[q - pos] = (char)(b + 32);
			uppers++;
			q++;
			continue;
		}
		if (b >= '0' && b <= '9') {
			dst[q - pos] = (char)b;
			f |= TOK_DIGIT;
			q++;
			continue;
		}
		if (b >= 0x80 || b == '\'') return NONE;
		if (b == ',' || b == '.') {
			unsigned char l = base[q - 1];
			if (l >= '0' && l <= '9') return NONE;
			if (b == '.' && q - pos == 1) return NONE;
		}
		break;
	}
	if (uppers >= 2 && !lowers) f |= TOK_UPPER;
	*nletters = uppers || lowers;
	*flags = (uint16_t)f;
	return q;
}

#define LONG (UINT32_MAX - 1)

#ifdef __SSE2__
/* scan_ascii_word for a token that starts sixteen bytes or more before
 * the end and is shorter than sixteen: its bytes classed at once, its
 * lower form written with one store (dst needs room for sixteen bytes).
 * Returns what scan_ascii_word returns, or LONG for a token that runs
 * through all sixteen bytes. */
static HOT_INLINE uint32_t scan_ascii_word16(const unsigned char *base, uint32_t pos,
					     uint16_t *flags, int *nletters, char *dst)
{
	/* signed compares: bytes >= 0x80 are in none of the ranges; a
	 * letter's case is its bit 5, which a shift by two moves to the top */
	const __m128i v = _mm_loadu_si128((const __m128i *)(base + pos));
	const __m128i f = _mm_or_si128(v, _mm_set1_epi8(0x20));
	const __m128i al = _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)),
					 _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
	const __m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
					 _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	unsigned ma = (unsigned)_mm_movemask_epi8(al), md = (unsigned)_mm_movemask_epi8(dg),
		 b5 = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 2));
	unsigned ml = ma & b5, mu = ma & ~b5;
	unsigned stop = ~(ma | md) & 0xFFFF;
	if (!stop) return LONG;
	unsigned k = (unsigned)__builtin_ctz(stop); /* >= 1: base[pos] is a letter or digit */
	unsigned char b = base[pos + k];
	if (b >= 0x80 || b == '\'') return NONE;
	if (b == ',' || b == '.') {
		if (md >> (k - 1) & 1) return NONE;
		if (b == '.' && k == 1) return NONE;
	}
	/* letters get bit 5 (lower case), other bytes stay */
	_mm_storeu_si128((__m128i *)dst, _mm_or_si128(v, _mm_and_si128(al, _mm_set1_epi8(0x20))));
	unsigned m = (1u << k) - 1, u = mu & m;
	unsigned fl = mu & 1 ? TOK_CAP : 0;
	if (md & m) fl |= TOK_DIGIT;
	if ((u & (u - 1)) && !(ml & m)) fl |= TOK_UPPER; /* two capitals or more, no small letter */
	*nletters = (ma & m) != 0;
	*flags = (uint16_t)fl;
	return pos + k;
}
#endif

void stem_tokenize(stemmer *s, const char *text, uint32_t start, uint32_t end, tokens *ts)
{
	const unsigned char *base = (const unsigned char *)text;
	const unsigned char *e = base + end;
	uint32_t p = start;
	int punct = 0;

	tokens_reset(ts);
	strbuf *ar = &ts->arena;
	while (p < end) {
		/* fast skip of ASCII non-word bytes */
		unsigned char b = base[p];
		if (b < 0x80 && ascii_class[b] != C_WORD) {
			if (ascii_class[b] == C_PUNCT) punct = 1;
			p++;
			continue;
		}
		int n;
		int32_t cp;
		enum cclass c = class_at(base + p, e, &cp, &n);
		if (c != C_WORD) {
			if (c == C_PUNCT) punct = 1;
			p += (uint32_t)n;
			continue;
		}
		/* room for scan_word's lower form (the final period of an
		 * abbreviation may follow the TOKEN_MAX bytes), then a NUL and
		 * the arena's own NUL */
		if (ar->cap - ar->len < TOKEN_MAX + 17) strbuf_reserve(ar, TOKEN_MAX + 16);
		uint16_t flags;
		int ascii = 1;
		int letters;
		char *dst = ar->data + ar->len;
		uint32_t q = NONE;
		if (b < 0x80) {
#ifdef __SSE2__
			q = end - p >= 16 ? scan_ascii_word16(base, p, &flags, &letters, dst) : LONG;
			if (q == LONG)
#endif
				q = scan_ascii_word(text, p, end, &flags, &letters, dst);
		}
		if (q == NONE) q = scan_word(text, p, end, &flags, &ascii, &letters, dst);
		if (ts->t.n == 0) flags |= TOK_FIRST;
		else if (punct) flags |= TOK_PUNCT_BEFORE;
		add_token(s, ts, text, p, q, flags, ascii, letters);
		punct = 0;
		p = q;
	}
}
