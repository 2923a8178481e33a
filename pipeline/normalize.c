/*
 * normalize.c — stage 2: raw document bytes -> NFC UTF-8 text in blocks.
 *
 * Reads a document's raw bytes (read.c). Rejects invalid UTF-8, NUL and
 * other C0 controls with their byte offset; drops a BOM; turns CRLF and CR
 * into LF and form feeds into paragraph breaks. Then one converter per
 * format finds the blocks: plain text (blank lines, list markers, indented
 * paragraph starts, a headline), Markdown (line-based: headings, lists,
 * quotes, fences, inline markup) and HTML (libxml2's recovering parser in
 * SAX mode: no tree, no recursion here). Adds: ntext.text, blocks joined
 * by "\n\n", each block trimmed and in NFC (utf8proc), and the block list.
 *
 * Thread safety: no mutable globals after a pthread_once initialisation
 * (libxml2's parser and the NFC quick-check table).
 */
#include "config.h"
#include "normalize.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* A single-line first paragraph shorter than this may be a headline. */
#define TXT_TITLE_MAX 150

const char *block_kind_name(block_kind k)
{
	switch (k) {
	case BLOCK_PARA: return "para";
	case BLOCK_TITLE: return "title";
	case BLOCK_HEADING: return "heading";
	case BLOCK_ITEM: return "item";
	}
	return "unknown";
}

void ntext_reset(ntext *t)
{
	strbuf_reset(&t->text);
	t->blocks.n = 0;
	free(t->title);
	t->title = NULL;
}

void ntext_free(ntext *t)
{
	strbuf_free(&t->text);
	VEC_FREE(&t->blocks);
	free(t->title);
	t->title = NULL;
}

/* ---- one-time set-up ------------------------------------------------------ */

/* Bit set for a BMP code point that is NFC-stable on its own and never
 * combines with what precedes it (canonical class 0, quick check "Yes"). A
 * string of such characters is already in NFC, so utf8proc is skipped. */
static unsigned char nfc_safe[0x10000 / 8];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* cp decomposes to itself: no decomposition mapping, and not a Hangul
 * syllable (which utf8proc decomposes by rule). Such code points are
 * skipped when looking for second characters, and are NFC-stable on
 * their own, so the table is built without calling utf8proc for them. */
static int decomposes_to_itself(utf8proc_int32_t cp)
{
	return utf8proc_get_property(cp)->decomp_seqindex == UINT16_MAX &&
	       !(cp >= 0xAC00 && cp <= 0xD7A3);
}

static void init_nfc_table(void)
{
	static unsigned char second[0x10000 / 8];
	utf8proc_int32_t buf[32];
	int bc = 0;

	/* Every character after the first in a canonical decomposition may
	 * combine with what precedes it. */
	for (utf8proc_int32_t cp = 0; cp < 0x30000; cp++) {
		if (cp >= 0xD800 && cp < 0xE000) continue;
		if (decomposes_to_itself(cp)) continue;
		utf8proc_ssize_t n = utf8proc_decompose_char(cp, buf, 32, UTF8PROC_DECOMPOSE, &bc);
		for (utf8proc_ssize_t i = 1; i < n && i < 32; i++)
			if (buf[i] >= 0 && buf[i] < 0x10000)
				second[buf[i] >> 3] |= (unsigned char)(1u << (buf[i] & 7));
	}
	for (utf8proc_int32_t cp = 0; cp < 0x10000; cp++) {
		if (cp >= 0xD800 && cp < 0xE000) continue;
		if (second[cp >> 3] & (1u << (cp & 7))) continue;
		if (utf8proc_get_property(cp)->combining_class != 0) continue;
		if (decomposes_to_itself(cp)) {
			nfc_safe[cp >> 3] |= (unsigned char)(1u << (cp & 7));
			continue;
		}
		utf8proc_ssize_t n = utf8proc_decompose_char(cp, buf, 32, UTF8PROC_DECOMPOSE, &bc);
		if (n <= 0 || n > 32) continue;
		n = utf8proc_normalize_utf32(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		if (n == 1 && buf[0] == cp) nfc_safe[cp >> 3] |= (unsigned char)(1u << (cp & 7));
	}
}

static void init_once_fn(void)
{
	xmlInitParser();
	init_nfc_table();
}

/* ---- UTF-8 validation ------------------------------------------------------ */

enum {
	SCAN_NONASCII = 1,
	SCAN_CR = 2,
	SCAN_FF = 4
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80) return 1;
	if (c < 0xC2) return 0;
	if (c < 0xE0) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (n < 3 || (s[2] & 0xC0) != 0x80) return 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xE0) lo = 0xA0;
		else if (c == 0xED) hi = 0x9F;
		return s[1] >= lo && s[1] <= hi ? 3 : 0;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c == 0xF0) lo = 0x90;
		else if (c == 0xF4) hi = 0x8F;
		return s[1] >= lo && s[1] <= hi ? 4 : 0;
	}
	return 0;
}

/* Scan s: returns -1 if all is well, else the offset of the first invalid
 * UTF-8 sequence (*ctl = -1) or, if check_ctl, of the first forbidden
 * control character (*ctl = its value). *flags gets SCAN_* bits. */
static long long scan_utf8(const char *str, size_t n, int check_ctl, unsigned *flags, int *ctl)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned f = 0;
	size_t i = 0;
	*ctl = -1;
	while (i < n) {
#ifdef __SSE2__
		/* sixteen bytes at a time while they are printable ASCII, \n
		 * or \t (signed, the bytes from 0x80 are below 0x20 too) */
		const __m128i sp = _mm_set1_epi8(0x20), nl = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
		while (n - i >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
			__m128i ok = _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, tab));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(ok, _mm_cmplt_epi8(v, sp)));
			if (m) {
				i += (unsigned)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
		if (i >= n) break;
#endif
		if (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			/* eight ASCII bytes, none below 0x20 */
			if (!(w & HIGHS) && !((w - ONES * 0x20) & ~w & HIGHS)) {
				i += 8;
				continue;
			}
		}
		size_t end = i + 8 < n ? i + 8 : n;
		while (i < end) {
			unsigned char c = s[i];
			if (c >= 0x20 && c < 0x80) {
				i++;
			} else if (c < 0x20) {
				if (c == '\n' || c == '\t') {
				} else if (c == '\r') {
					f |= SCAN_CR;
				} else if (c == '\f') {
					f |= SCAN_FF;
				} else if (check_ctl) {
					*flags = f;
					*ctl = c;
					return (long long)i;
				}
				i++;
			} else {
				size_t k = utf8_seq(s + i, n - i);
				if (!k) {
					*flags = f;
					return (long long)i;
				}
				f |= SCAN_NONASCII;
				i += k;
			}
		}
	}
	*flags = f;
	return -1;
}

long long utf8_invalid_offset(const char *s, size_t len)
{
	unsigned flags;
	int ctl;
	return scan_utf8(s, len, 0, &flags, &ctl);
}

/* Decode the (valid) UTF-8 sequence at s; returns its length. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) { *cp = s[0]; return 1; }
	if (s[0] < 0xE0) { *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F); return 2; }
	if (s[0] < 0xF0) {
		*cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		return 3;
	}
	*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
	      (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
	return 4;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) { out[0] = (char)cp; return 1; }
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Valid UTF-8 s is already in NFC by the quick check. */
static int nfc_quick_yes(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		if (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (!(w & HIGHS)) { /* eight ASCII bytes */
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		i += utf8_decode(s + i, &cp);
		if (cp > 0xFFFF || !(nfc_safe[cp >> 3] & (1u << (cp & 7)))) return 0;
	}
	return 1;
}

/* ---- the block emitter ---------------------------------------------------- */

/* Converters write block text straight into out->text; emit_flush trims
 * it, composes it to NFC where needed and records the block. */
typedef struct emit {
	ntext *out;
	size_t sep_at;     /* text length before the open block's separator */
	size_t bstart;     /* start of the open block's text */
	int open;
	block_kind kind;   /* kind of the open block */
	int ascii;         /* the whole input is ASCII: no NFC needed */
	int title_ok;      /* a TITLE block may still be made by the converter */
	int tidy;          /* clean up line breaks in emit_flush (Markdown) */
	int failed;
	cc_error *err;
} emit;

static void emit_open(emit *e)
{
	if (e->open) return;
	strbuf *t = &e->out->text;
	e->sep_at = t->len;
	if (e->out->blocks.n > 0) strbuf_append(t, "\n\n", 2);
	e->bstart = t->len;
	e->open = 1;
}

static void emit_bytes(emit *e, const char *s, size_t n)
{
	emit_open(e);
	strbuf_append(&e->out->text, s, n);
}

static void emit_char(emit *e, char c)
{
	emit_open(e);
	strbuf_putc(&e->out->text, c);
}

/* Bytes written to the open block so far. */
static size_t emit_len(const emit *e)
{
	return e->open ? e->out->text.len - e->bstart : 0;
}

static char emit_last(const emit *e)
{
	return emit_len(e) ? e->out->text.data[e->out->text.len - 1] : '\0';
}

/* Drop trailing spaces and tabs of the open block's current line. */
static void emit_trim_line(emit *e)
{
	strbuf *t = &e->out->text;
	while (t->len > e->bstart && (t->data[t->len - 1] == ' ' || t->data[t->len - 1] == '\t'))
		t->len--;
	if (t->data) t->data[t->len] = '\0';
}

/* A line break inside the open block (never two in a row, never first). */
static void emit_newline(emit *e)
{
	if (!emit_len(e)) return;
	emit_trim_line(e);
	if (emit_len(e) && emit_last(e) != '\n') emit_char(e, '\n');
}

static void emit_discard(emit *e)
{
	if (!e->open) return;
	strbuf *t = &e->out->text;
	t->len = e->sep_at;
	if (t->data) t->data[t->len] = '\0';
	e->open = 0;
	e->kind = BLOCK_PARA;
}

/* Inline markup removed from a line can leave white space around line
 * breaks, or an empty line: drop those spaces, keep one line break. */
static void emit_tidy(emit *e)
{
	strbuf *t = &e->out->text;
	char *d = t->data;
	size_t w = e->bstart;
	for (size_t r = e->bstart; r < t->len; r++) {
		char c = d[r];
		if (c == '\n') {
			while (w > e->bstart && (d[w - 1] == ' ' || d[w - 1] == '\t')) w--;
			if (w > e->bstart && d[w - 1] == '\n') continue;
			d[w++] = c;
		} else if ((c == ' ' || c == '\t') && w > e->bstart && d[w - 1] == '\n') {
			continue;
		} else {
			d[w++] = c;
		}
	}
	t->len = w;
}

static void emit_flush(emit *e)
{
	if (!e->open) {
		e->kind = BLOCK_PARA;
		return;
	}
	strbuf *t = &e->out->text;
	while (t->len > e->bstart) {
		char c = t->data[t->len - 1];
		if (c != ' ' && c != '\t' && c != '\n') break;
		t->len--;
	}
	if (e->tidy) emit_tidy(e);
	size_t lead = e->bstart;
	while (lead < t->len && (t->data[lead] == ' ' || t->data[lead] == '\t' || t->data[lead] == '\n'))
		lead++;
	if (lead > e->bstart) {
		memmove(t->data + e->bstart, t->data + lead, t->len - lead);
		t->len -= lead - e->bstart;
	}
	t->data[t->len] = '\0';
	if (t->len == e->bstart) {
		emit_discard(e);
		return;
	}
	if (!e->ascii && !nfc_quick_yes(t->data + e->bstart, t->len - e->bstart)) {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)t->data + e->bstart,
						  (utf8proc_ssize_t)(t->len - e->bstart), &nfc,
						  UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		if (r < 0) {
			if (r == UTF8PROC_ERROR_NOMEM) die("out of memory (NFC)");
			if (!e->failed)
				cc_error_set(e->err, -1, "NFC normalization failed: %s", utf8proc_errmsg(r));
			e->failed = 1;
			emit_discard(e);
			return;
		}
		t->len = e->bstart;
		strbuf_append(t, (const char *)nfc, (size_t)r);
		free(nfc);
	}
	if (t->len > UINT32_MAX) {
		if (!e->failed) cc_error_set(e->err, -1, "normalized text too large (over 4 GiB)");
		e->failed = 1;
		emit_discard(e);
		return;
	}
	block_kind k = e->kind;
	if (k == BLOCK_TITLE) {
		if (e->out->title) {
			k = BLOCK_HEADING;
		} else {
			e->out->title = xstrndup(t->data + e->bstart, t->len - e->bstart);
		}
	}
	block b = {(uint32_t)e->bstart, (uint32_t)t->len, k};
	VEC_PUSH(&e->out->blocks, b);
	e->open = 0;
	e->kind = BLOCK_PARA;
}

/* ---- shared text helpers ------------------------------------------------- */

static int is_hspace(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alnum_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One line of input: [s, s+len), without its terminator; ff is set when
 * a form feed ended it (a paragraph break). */
typedef struct line {
	const char *s;
	size_t len;
	int ff;
} line;

typedef struct liner {
	const char *s;
	size_t n, pos;
	unsigned flags;
} liner;

static int next_line(liner *L, line *out)
{
	if (L->pos >= L->n) return 0;
	const char *s = L->s + L->pos;
	size_t rest = L->n - L->pos, len;
	out->ff = 0;
	if (!(L->flags & (SCAN_CR | SCAN_FF))) {
		const char *nl = memchr(s, '\n', rest);
		len = nl ? (size_t)(nl - s) : rest;
		L->pos += len + (nl ? 1 : 0);
	} else {
		len = 0;
		while (len < rest && s[len] != '\n' && s[len] != '\r' && s[len] != '\f') len++;
		size_t adv = len;
		if (len < rest) {
			if (s[len] == '\f') out->ff = 1;
			adv++;
			if (s[len] == '\r' && len + 1 < rest && s[len + 1] == '\n') adv++;
		}
		L->pos += adv;
	}
	out->s = s;
	out->len = len;
	return 1;
}

static size_t skip_hspace(const char *s, size_t n, size_t i)
{
	while (i < n && is_hspace(s[i])) i++;
	return i;
}

static size_t rtrim_len(const char *s, size_t n)
{
	while (n > 0 && is_hspace(s[n - 1])) n--;
	return n;
}

/* Width of leading white space (a tab counts 4). */
static size_t indent_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n && is_hspace(s[i]); i++) w += s[i] == '\t' ? 4 : 1;
	return w;
}

/* The line (trimmed) ends a sentence: . ! ? or an ellipsis, possibly
 * followed by closing quotes or brackets. */
static int ends_sentence(const char *s, size_t n)
{
	for (;;) {
		if (n == 0) return 0;
		unsigned char c = (unsigned char)s[n - 1];
		if (c == '"' || c == '\'' || c == ')' || c == ']') {
			n--;
		} else if (n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80 &&
			   (c == 0x9D || c == 0x99)) { /* ” ’ */
			n -= 3;
		} else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && c == 0xBB) { /* » */
			n -= 2;
		} else {
			break;
		}
	}
	char c = s[n - 1];
	if (c == '.' || c == '!' || c == '?') return 1;
	return n >= 3 && memcmp(s + n - 3, "\xE2\x80\xA6", 3) == 0; /* … */
}

/* A list marker at s[0..n) (after indentation): "- ", "* ", "• ", "1. ",
 * "2) "; returns the offset of the item's text, or 0. */
static size_t item_marker(const char *s, size_t n, int md)
{
	size_t i = 0;
	if (n >= 1 && (s[0] == '-' || s[0] == '*' || (md && s[0] == '+'))) {
		i = 1;
	} else if (n >= 3 && memcmp(s, "\xE2\x80\xA2", 3) == 0) { /* • */
		i = 3;
	} else {
		while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9') i++;
		if (i == 0 || i > (md ? 9u : 3u) || i >= n || (s[i] != '.' && s[i] != ')')) return 0;
		i++;
	}
	if (i >= n || !is_hspace(s[i])) return 0;
	return skip_hspace(s, n, i);
}

/* A line of nothing but 3+ of - * _ = ~ # (and spaces): a separator. */
static int separator_line(const char *s, size_t n)
{
	size_t marks = 0;
	char first = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_hspace(s[i])) continue;
		if (!strchr("-*_=~#", s[i])) return 0;
		if (!first) first = s[i];
		else if (s[i] != first) return 0;
		marks++;
	}
	return marks >= 3;
}

/* ---- plain text ------------------------------------------------------------ */

static void convert_txt(emit *e, const char *s, size_t n, unsigned flags)
{
	liner L = {s, n, 0, flags};
	line ln;
	size_t lines = 0, prev_indent = 0;
	int prev_sentence = 0, prev_colon = 0;
	int title_ok = e->title_ok;

	while (next_line(&L, &ln)) {
		size_t len = rtrim_len(ln.s, ln.len);
		size_t ind = skip_hspace(ln.s, len, 0);
		if (ind == len || separator_line(ln.s, len)) {
			if (ind == len && title_ok && lines == 1 && e->kind == BLOCK_PARA &&
			    e->out->blocks.n == 0 && emit_len(e) < TXT_TITLE_MAX &&
			    !ends_sentence(e->out->text.data + e->bstart, emit_len(e)))
				e->kind = BLOCK_TITLE;
			emit_flush(e);
			if (lines) title_ok = 0;
			lines = 0;
			continue;
		}
		const char *c = ln.s + ind;
		size_t clen = len - ind;
		size_t width = indent_width(ln.s, len);
		size_t item = item_marker(c, clen, 0);

		int fresh = lines == 0;
		if (!fresh) {
			if (item && (e->kind == BLOCK_ITEM || prev_sentence || prev_colon))
				fresh = 1;
			else if (e->kind == BLOCK_PARA && width >= 3 && width > prev_indent && prev_sentence)
				fresh = 1; /* an indented paragraph start */
			else if (e->kind == BLOCK_ITEM && width == 0 && prev_sentence)
				fresh = 1; /* a paragraph right after a list */
			if (fresh) {
				emit_flush(e);
				title_ok = 0;
				lines = 0;
			}
		}
		if (fresh) {
			/* Plain text has no markup: a list marker is part of the
			 * item's text and stays (the segmenter knows markers). */
			if (item) e->kind = BLOCK_ITEM;
			emit_bytes(e, c, clen);
		} else {
			/* a line break and the line, with one reserve */
			strbuf *t = &e->out->text;
			strbuf_reserve(t, clen + 1);
			t->data[t->len++] = '\n';
			memcpy(t->data + t->len, c, clen);
			t->len += clen;
			t->data[t->len] = '\0';
		}
		lines++;
		prev_indent = width;
		prev_sentence = ends_sentence(c, clen);
		prev_colon = c[clen - 1] == ':';
		if (ln.ff) {
			emit_flush(e);
			title_ok = 0;
			lines = 0;
		}
	}
	emit_flush(e);
}

/* ---- Markdown ---------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t cp;
} named_entities[] = {
	{"amp", '&'}, {"apos", '\''}, {"bull", 0x2022}, {"copy", 0xA9}, {"eacute", 0xE9},
	{"euro", 0x20AC}, {"gt", '>'}, {"hellip", 0x2026}, {"laquo", 0xAB}, {"ldquo", 0x201C},
	{"lsquo", 0x2018}, {"lt", '<'}, {"mdash", 0x2014}, {"middot", 0xB7}, {"nbsp", 0xA0},
	{"ndash", 0x2013}, {"pound", 0xA3}, {"quot", '"'}, {"raquo", 0xBB}, {"rdquo", 0x201D},
	{"reg", 0xAE}, {"rsquo", 0x2019}, {"shy", 0xAD}, {"trade", 0x2122}, {"yen", 0xA5},
};

/* An entity at s[0]=='&': writes its UTF-8 to out, returns the bytes
 * consumed, or 0 if it is not one. */
static size_t md_entity(const char *s, size_t n, char out[4], size_t *outlen)
{
	size_t i = 1;
	uint32_t cp = 0;
	if (i < n && s[i] == '#') {
		i++;
		int hex = i < n && (s[i] == 'x' || s[i] == 'X');
		if (hex) i++;
		size_t d0 = i;
		while (i < n && i - d0 < 7) {
			char c = s[i];
			int v = c >= '0' && c <= '9' ? c - '0'
				: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
				: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (v < 0) break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
			i++;
		}
		if (i == d0 || i >= n || s[i] != ';') return 0;
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000) ||
		    (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0))
			cp = 0xFFFD;
		if (cp == '\t' || cp == '\n') cp = ' ';
	} else {
		size_t b = i;
		while (i < n && i - b < 8 && is_alnum_ascii((unsigned char)s[i])) i++;
		if (i == b || i >= n || s[i] != ';') return 0;
		size_t k;
		for (k = 0; k < sizeof named_entities / sizeof *named_entities; k++)
			if (strlen(named_entities[k].name) == i - b &&
			    memcmp(named_entities[k].name, s + b, i - b) == 0)
				break;
		if (k == sizeof named_entities / sizeof *named_entities) return 0;
		cp = named_entities[k].cp;
	}
	*outlen = utf8_encode(cp, out);
	return i + 1;
}

/* Index of the bracket closing s[i] (an opening bracket), or n. */
static size_t md_match(const char *s, size_t n, size_t i, char open, char close)
{
	int depth = 0;
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
		} else if (s[i] == open) {
			depth++;
		} else if (s[i] == close) {
			if (--depth == 0) return i;
		}
	}
	return n;
}

static int md_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\0';
}

#define MD_NONE UINT32_MAX
#define MD_MAX_TICKS 16

/* What inline conversion of one block needs to stay linear: precomputed
 * bracket pairs, and spans already known to hold no closer. */
typedef struct md_inl {
	emit *e;
	const char *base;     /* the block's Markdown source */
	const uint32_t *pair; /* offset of the bracket closing each [ and (, or MD_NONE */
	size_t tick_from[MD_MAX_TICKS + 1], tick_to[MD_MAX_TICKS + 1]; /* no run of N backticks here */
	size_t gt_from, gt_to; /* no '>' in [gt_from, gt_to) */
} md_inl;

/* The bracket closing s[i], as an index into s, or n if none within s. */
static size_t md_close(const md_inl *x, const char *s, size_t n, size_t i)
{
	size_t off = (size_t)(s - x->base);
	uint32_t p = x->pair[off + i];
	if (p == MD_NONE || p - off >= n) return n;
	return p - off;
}

/* Start of the next run of exactly `run` backticks in s[j, n), or n. */
static size_t md_ticks(md_inl *x, const char *s, size_t n, size_t j, size_t run)
{
	size_t from = (size_t)(s - x->base) + j, to = (size_t)(s - x->base) + n;
	if (from >= x->tick_from[run] && to <= x->tick_to[run]) return n;
	while (j < n) {
		const char *t = memchr(s + j, '`', n - j);
		if (!t) break;
		j = (size_t)(t - s);
		size_t m = j;
		while (m < n && s[m] == '`') m++;
		if (m - j == run) return j;
		j = m;
	}
	x->tick_from[run] = from;
	x->tick_to[run] = to;
	return n;
}

/* Inline Markdown of one block: escapes, code spans, links -> their text,
 * images and HTML tags dropped, emphasis markers stripped, entities. */
static void md_inline(md_inl *x, const char *s, size_t n, int depth)
{
	emit *e = x->e;
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && s[i + 1] != '\0' &&
		    strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i + 1])) {
			emit_char(e, s[i + 1]);
			i += 2;
		} else if (c == '`') {
			size_t k = i;
			while (k < n && s[k] == '`') k++;
			size_t run = k - i;
			size_t close = run <= MD_MAX_TICKS ? md_ticks(x, s, n, k, run) : n;
			if (close == n) {
				emit_bytes(e, s + i, run);
				i = k;
				continue;
			}
			size_t a = k, b = close;
			if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ') { a++; b--; }
			emit_bytes(e, s + a, b - a);
			i = close + run;
		} else if (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) {
			int image = c == '!';
			size_t ob = image ? i + 1 : i;
			size_t cb = md_close(x, s, n, ob);
			size_t after = cb + 1, end = n;
			if (cb < n && after < n && (s[after] == '(' || s[after] == '['))
				end = md_close(x, s, n, after);
			else if (cb < n && ob + 1 < n && s[ob + 1] == '^')
				end = cb; /* footnote reference [^1] */
			if (end == n) {
				emit_char(e, c);
				i++;
				continue;
			}
			if (!image && s[ob + 1] != '^') {
				if (depth < 4) md_inline(x, s + ob + 1, cb - ob - 1, depth + 1);
				else emit_bytes(e, s + ob + 1, cb - ob - 1);
			}
			i = end + 1;
			if (emit_last(e) == ' ') i = skip_hspace(s, n, i);
		} else if (c == '<') {
			size_t j = i + 1;
			while (j < n && s[j] != '>' && s[j] != '<' && s[j] != ' ') j++;
			const char *in = s + i + 1;
			size_t inlen = j - i - 1;
			if (j < n && s[j] == '>' && inlen > 0 &&
			    (memchr(in, ':', inlen) || memchr(in, '@', inlen)) && in[0] != '/') {
				emit_bytes(e, in, inlen); /* autolink */
				i = j + 1;
				continue;
			}
			int tag = 0;
			if (i + 1 < n) {
				char d = s[i + 1];
				tag = (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '/' || d == '!';
			}
			const char *gt = NULL;
			size_t from = (size_t)(s - x->base) + i, to = (size_t)(s - x->base) + n;
			if (tag && !(from >= x->gt_from && to <= x->gt_to)) {
				gt = memchr(s + i, '>', n - i);
				if (!gt) {
					x->gt_from = from;
					x->gt_to = to;
				}
			}
			if (gt) {
				i = (size_t)(gt - s) + 1; /* an HTML tag */
				if (emit_last(e) == ' ') i = skip_hspace(s, n, i);
			} else {
				emit_char(e, c);
				i++;
			}
		} else if (c == '&') {
			char buf[4];
			size_t blen, used = md_entity(s + i, n - i, buf, &blen);
			if (used) {
				emit_bytes(e, buf, blen);
				i += used;
			} else {
				emit_char(e, c);
				i++;
			}
		} else if (c == '*' || c == '_' || c == '~') {
			size_t k = i;
			while (k < n && s[k] == c) k++;
			char prev = i > 0 ? s[i - 1] : '\0', next = k < n ? s[k] : '\0';
			int strip;
			if (md_space(prev) && md_space(next))
				strip = 0;
			else if (c == '_')
				strip = !(is_alnum_ascii((unsigned char)prev) &&
					  is_alnum_ascii((unsigned char)next));
			else if (c == '~')
				strip = k - i == 2;
			else
				strip = !(prev >= '0' && prev <= '9' && next >= '0' && next <= '9');
			if (!strip) emit_bytes(e, s + i, k - i);
			i = k;
		} else {
			size_t j = i + 1;
			while (j < n && !strchr("\\`[!<&*_~", s[j])) j++;
			emit_bytes(e, s + i, j - i);
			i = j;
		}
	}
}

/* Start of a fence (``` or ~~~, 3 or more) at s; returns its length. */
static size_t md_fence(const char *s, size_t n)
{
	if (n < 3 || (s[0] != '`' && s[0] != '~')) return 0;
	size_t k = 0;
	while (k < n && s[k] == s[0]) k++;
	return k >= 3 ? k : 0;
}

/* A reference definition: [label]: destination */
static int md_refdef(const char *s, size_t n)
{
	if (n < 4 || s[0] != '[' || s[1] == '^') return 0;
	size_t cb = md_match(s, n, 0, '[', ']');
	return cb < n - 1 && s[cb + 1] == ':';
}

/* A table delimiter row: |---|:--:| */
static int md_table_rule(const char *s, size_t n)
{
	int dash = 0, pipe = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-') dash = 1;
		else if (s[i] == '|') pipe = 1;
		else if (s[i] != ':' && !is_hspace(s[i])) return 0;
	}
	return dash && pipe;
}

/* Length of a front-matter block ("---" ... "---" or "...") at the start. */
static size_t md_front_matter(const char *s, size_t n, unsigned flags)
{
	liner L = {s, n, 0, flags};
	line ln;
	if (!next_line(&L, &ln) || rtrim_len(ln.s, ln.len) != 3 || memcmp(ln.s, "---", 3) != 0) return 0;
	while (next_line(&L, &ln)) {
		size_t len = rtrim_len(ln.s, ln.len);
		if (len == 3 && (memcmp(ln.s, "---", 3) == 0 || memcmp(ln.s, "...", 3) == 0)) return L.pos;
	}
	return 0;
}

typedef struct md_state {
	emit *e;
	strbuf para;     /* Markdown source of the open block, lines joined by \n */
	block_kind kind; /* its kind */
	VEC(uint32_t) pair, sq, par; /* bracket pairs; stacks of open [ and ( */
} md_state;

/* Pair every [ and ( in the block with its closer, in one pass. */
static void md_pairs(md_state *m)
{
	const char *s = m->para.data;
	size_t n = m->para.len;
	m->pair.n = m->sq.n = m->par.n = 0;
	VEC_RESERVE(&m->pair, n);
	m->pair.n = n;
	for (size_t i = 0; i < n; i++) {
		m->pair.v[i] = MD_NONE;
		switch (s[i]) {
		case '\\':
			if (i + 1 < n) m->pair.v[++i] = MD_NONE;
			break;
		case '[':
			VEC_PUSH(&m->sq, (uint32_t)i);
			break;
		case '(':
			VEC_PUSH(&m->par, (uint32_t)i);
			break;
		case ']':
			if (m->sq.n) m->pair.v[m->sq.v[--m->sq.n]] = (uint32_t)i;
			break;
		case ')':
			if (m->par.n) m->pair.v[m->par.v[--m->par.n]] = (uint32_t)i;
			break;
		}
	}
}

/* Inline-convert the open block into the output and close it. */
static void md_end(md_state *m)
{
	if (m->para.len) {
		md_inl x = {.e = m->e, .base = m->para.data};
		if (memchr(m->para.data, '[', m->para.len)) md_pairs(m);
		else m->pair.n = 0;
		x.pair = m->pair.v;
		md_inline(&x, m->para.data, m->para.len, 0);
		m->e->kind = m->kind;
		emit_flush(m->e);
	}
	strbuf_reset(&m->para);
	m->kind = BLOCK_PARA;
}

static void md_add_line(md_state *m, const char *s, size_t n)
{
	if (m->para.len) strbuf_putc(&m->para, '\n');
	strbuf_append(&m->para, s, n);
}

static void convert_md(emit *e, const char *s, size_t n, unsigned flags)
{
	size_t fm = md_front_matter(s, n, flags);
	liner L = {s + fm, n - fm, 0, flags};
	line ln;
	md_state m = {.e = e, .kind = BLOCK_PARA};
	e->tidy = 1;
	strbuf buf = {0}; /* the current line without HTML comments */
	char fence = 0;
	size_t fence_len = 0;
	int in_comment = 0, prev_quote = 0;

	while (next_line(&L, &ln)) {
		const char *p = ln.s;
		size_t len = ln.len;

		if (fence) {
			size_t ind = skip_hspace(p, len, 0);
			size_t k = md_fence(p + ind, len - ind);
			if (k >= fence_len && p[ind] == fence && skip_hspace(p, len, ind + k) == len)
				fence = 0;
			continue;
		}
		/* cut out HTML comments, which may span lines */
		if (in_comment || memmem(p, len, "<!--", 4)) {
			strbuf_reset(&buf);
			size_t i = 0;
			while (i < len) {
				if (in_comment) {
					const char *end = memmem(p + i, len - i, "-->", 3);
					if (!end) break;
					i = (size_t)(end - p) + 3;
					in_comment = 0;
					if (buf.len && buf.data[buf.len - 1] == ' ')
						i = skip_hspace(p, len, i);
				} else {
					const char *start = memmem(p + i, len - i, "<!--", 4);
					size_t stop = start ? (size_t)(start - p) : len;
					strbuf_append(&buf, p + i, stop - i);
					i = stop;
					if (start) {
						in_comment = 1;
						i += 4;
					}
				}
			}
			if (!buf.len && !ln.ff) continue;
			p = buf.data ? buf.data : "";
			len = buf.len;
		}
		len = rtrim_len(p, len);
		if (len > 0 && p[len - 1] == '\\') len--; /* a hard line break */

		/* block quotes */
		size_t i = skip_hspace(p, len, 0);
		int quote = 0;
		while (i < len && p[i] == '>') {
			quote++;
			i = skip_hspace(p, len, i + 1);
		}
		if (quote != prev_quote) md_end(&m);
		prev_quote = quote;
		const char *c = p + i;
		size_t clen = len - i;

		if (clen == 0 || ln.ff) {
			if (clen) md_add_line(&m, c, clen);
			md_end(&m);
			continue;
		}
		size_t fk = md_fence(c, clen);
		if (fk && !(c[0] == '`' && memchr(c + fk, '`', clen - fk))) {
			md_end(&m);
			fence = c[0];
			fence_len = fk;
			continue;
		}
		/* a setext underline turns the paragraph above into a heading */
		if (m.para.len && m.kind == BLOCK_PARA && (c[0] == '=' || c[0] == '-')) {
			size_t k = 0;
			while (k < clen && c[k] == c[0]) k++;
			if (k == clen && (c[0] == '=' || k >= 2)) {
				m.kind = e->title_ok && e->out->blocks.n == 0 ? BLOCK_TITLE : BLOCK_HEADING;
				md_end(&m);
				continue;
			}
		}
		if (separator_line(c, clen)) {
			md_end(&m);
			continue;
		}
		if (c[0] == '#') {
			size_t k = 0;
			while (k < clen && c[k] == '#') k++;
			if (k <= 6 && (k == clen || is_hspace(c[k]))) {
				md_end(&m);
				size_t a = skip_hspace(c, clen, k), b = clen;
				size_t h = b; /* closing #s */
				while (h > a && c[h - 1] == '#') h--;
				if (h == a || is_hspace(c[h - 1])) b = rtrim_len(c, h);
				if (b < a) b = a;
				m.kind = e->title_ok && e->out->blocks.n == 0 ? BLOCK_TITLE : BLOCK_HEADING;
				md_add_line(&m, c + a, b - a);
				md_end(&m);
				continue;
			}
		}
		if (!m.para.len && md_refdef(c, clen)) continue;
		if (clen > 3 && c[0] == '[' && c[1] == '^') { /* a footnote: [^1]: text */
			size_t cb = md_match(c, clen, 0, '[', ']');
			if (cb + 1 < clen && c[cb + 1] == ':') {
				md_end(&m);
				size_t t = skip_hspace(c, clen, cb + 2);
				c += t;
				clen -= t;
			}
		}
		if (md_table_rule(c, clen)) continue;
		size_t item = item_marker(c, clen, 1);
		if (item) {
			md_end(&m);
			m.kind = BLOCK_ITEM;
			c += item;
			clen -= item;
			if (clen >= 3 && c[0] == '[' && c[2] == ']' && strchr(" xX", c[1])) {
				size_t t = skip_hspace(c, clen, 3);
				c += t;
				clen -= t;
			}
		} else if (m.para.len && c[0] == '|') {
			md_end(&m); /* one block per table row */
		}
		md_add_line(&m, c, clen);
	}
	md_end(&m);
	strbuf_free(&m.para);
	VEC_FREE(&m.pair);
	VEC_FREE(&m.sq);
	VEC_FREE(&m.par);
	strbuf_free(&buf);
}

/* ---- HTML ------------------------------------------------------------------ */

enum html_class {
	H_INLINE = 0,
	H_BLOCK,
	H_DROP,
	H_BR,
	H_ITEM,
	H_HEAD1, /* h1 */
	H_HEADN, /* h2-h6 */
	H_PRE,
	H_TITLE
};

typedef struct html_tag {
	const char *name;
	enum html_class cls;
} html_tag;

static const html_tag html_tags[] = { /* sorted by name for bsearch */
	{"address", H_BLOCK}, {"applet", H_DROP}, {"area", H_DROP}, {"article", H_BLOCK},
	{"aside", H_BLOCK}, {"audio", H_DROP}, {"blockquote", H_BLOCK}, {"body", H_BLOCK},
	{"br", H_BR}, {"button", H_DROP}, {"canvas", H_DROP}, {"caption", H_BLOCK},
	{"center", H_BLOCK}, {"datalist", H_DROP}, {"dd", H_BLOCK}, {"details", H_BLOCK},
	{"dialog", H_BLOCK}, {"dir", H_BLOCK}, {"div", H_BLOCK}, {"dl", H_BLOCK},
	{"dt", H_BLOCK}, {"embed", H_DROP}, {"fieldset", H_BLOCK}, {"figcaption", H_BLOCK},
	{"figure", H_BLOCK}, {"footer", H_BLOCK}, {"form", H_BLOCK}, {"frameset", H_DROP},
	{"h1", H_HEAD1}, {"h2", H_HEADN}, {"h3", H_HEADN}, {"h4", H_HEADN},
	{"h5", H_HEADN}, {"h6", H_HEADN}, {"head", H_BLOCK}, {"header", H_BLOCK},
	{"hgroup", H_BLOCK}, {"hr", H_BLOCK}, {"html", H_BLOCK}, {"iframe", H_DROP},
	{"input", H_DROP}, {"legend", H_BLOCK}, {"li", H_ITEM}, {"main", H_BLOCK},
	{"map", H_DROP}, {"math", H_DROP}, {"menu", H_BLOCK}, {"nav", H_DROP},
	{"noembed", H_DROP}, {"noframes", H_DROP}, {"noscript", H_DROP}, {"object", H_DROP},
	{"ol", H_BLOCK}, {"optgroup", H_DROP}, {"option", H_DROP}, {"p", H_BLOCK},
	{"param", H_DROP}, {"pre", H_PRE}, {"script", H_DROP}, {"section", H_BLOCK},
	{"select", H_DROP}, {"source", H_DROP}, {"style", H_DROP}, {"summary", H_BLOCK},
	{"svg", H_DROP}, {"table", H_BLOCK}, {"tbody", H_BLOCK}, {"td", H_BLOCK},
	{"template", H_DROP}, {"textarea", H_DROP}, {"tfoot", H_BLOCK}, {"th", H_BLOCK},
	{"thead", H_BLOCK}, {"title", H_TITLE}, {"tr", H_BLOCK}, {"track", H_DROP},
	{"ul", H_BLOCK}, {"video", H_DROP},
};

static int html_tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const html_tag *)elem)->name);
}

static enum html_class html_classify(const char *name)
{
	if (!name) return H_INLINE;
	const void *hit = bsearch(name, html_tags, sizeof html_tags / sizeof *html_tags,
				  sizeof *html_tags, html_tag_cmp);
	return hit ? ((const html_tag *)hit)->cls : H_INLINE;
}

typedef struct html_state {
	emit *e;
	int title_ok;      /* <title>, else the first h1, may become TITLE */
	int space;         /* white space pending before the next word */
	int newlines;      /* line breaks pending (<br>, newlines in <pre>) */
	unsigned drop;     /* depth inside a dropped element (script, nav, ...) */
	unsigned li, heading, pre;
	block_kind heading_kind;
} html_state;

/* One of - – — | : · • */
static int title_separator(const char *s, size_t n)
{
	static const char *const seps[] = {
		"-", "|", ":", "\xE2\x80\x93", "\xE2\x80\x94", "\xC2\xB7", "\xE2\x80\xA2",
	};
	for (size_t i = 0; i < sizeof seps / sizeof *seps; i++)
		if (strlen(seps[i]) == n && memcmp(s, seps[i], n) == 0) return 1;
	return 0;
}

/* The heading h repeats the page title: equal to it, or the title is the
 * heading plus the site's name ("Headline — Site", "Site | Headline"). */
static int title_repeats(const char *title, const char *h, size_t hn)
{
	size_t tn = strlen(title);
	if (hn == tn) return memcmp(title, h, hn) == 0;
	if (hn < 12 || hn + 3 > tn) return 0;
	if (memcmp(title, h, hn) == 0 && title[hn] == ' ') {
		const char *sep = title + hn + 1, *end = memchr(sep, ' ', tn - hn - 1);
		return end && title_separator(sep, (size_t)(end - sep));
	}
	if (memcmp(title + tn - hn, h, hn) == 0 && title[tn - hn - 1] == ' ') {
		size_t k = tn - hn - 1;
		size_t j = k;
		while (j > 0 && title[j - 1] != ' ') j--;
		return j > 0 && title_separator(title + j, k - j);
	}
	return 0;
}

/* Close the open block, giving it the kind of the elements around it. A
 * heading that repeats the page's title is dropped. */
static void html_flush(html_state *h)
{
	emit *e = h->e;
	ntext *o = e->out;
	if (h->heading) e->kind = h->heading_kind;
	else if (h->li) e->kind = BLOCK_ITEM;
	else e->kind = BLOCK_PARA;
	size_t nb = o->blocks.n;
	emit_flush(e);
	if (o->blocks.n > nb && o->title && o->blocks.v[nb].kind == BLOCK_HEADING) {
		const block *b = &o->blocks.v[nb];
		if (title_repeats(o->title, o->text.data + b->start, b->end - b->start)) {
			o->text.len = nb > 0 ? b->start - 2 : 0;
			o->text.data[o->text.len] = '\0';
			o->blocks.n = nb;
		}
	}
	h->space = 0;
	h->newlines = 0;
}

/* Text: runs of white space collapse to one space (outside <pre>). */
static void html_text(html_state *h, const char *str, size_t n)
{
	emit *e = h->e;
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	if (h->drop) return;
	while (i < n) {
		unsigned char c = s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n') {
			if (c == '\n' && h->pre) h->newlines++;
			else h->space = 1;
			i++;
			continue;
		}
		if (c == 0xC2 && i + 1 < n && s[i + 1] == 0xA0) { /* no-break space */
			h->space = 1;
			i += 2;
			continue;
		}
		if (c < 0x20 || c == 0x7F) { /* a control from a character reference */
			i++;
			continue;
		}
		if (h->newlines) {
			if (h->newlines >= 2) html_flush(h);
			else emit_newline(e);
			h->newlines = 0;
			h->space = 0;
		}
		if (h->space) {
			char last = emit_last(e);
			if (emit_len(e) && last != ' ' && last != '\n') emit_char(e, ' ');
			h->space = 0;
		}
		/* a run of words separated by single spaces */
		size_t j = i + 1;
		for (;;) {
			while (j < n && s[j] > ' ' && s[j] != 0x7F && s[j] != 0xC2) j++;
			if (j + 1 < n && s[j] == ' ' && s[j + 1] > ' ' && s[j + 1] != 0x7F &&
			    s[j + 1] != 0xC2)
				j += 2;
			else
				break;
		}
		emit_bytes(e, str + i, j - i);
		i = j;
	}
}

static void html_sax_text(void *ctx, const xmlChar *s, int len)
{
	if (len > 0) html_text(ctx, (const char *)s, (size_t)len);
}

/* Hidden or navigation elements: hidden, aria-hidden="true",
 * role="navigation". */
static int html_hidden(const xmlChar **atts)
{
	if (!atts) return 0;
	for (size_t i = 0; atts[i]; i += 2) {
		const char *k = (const char *)atts[i], *v = (const char *)atts[i + 1];
		if (strcmp(k, "hidden") == 0) return 1;
		if (v && strcmp(k, "aria-hidden") == 0 && strcmp(v, "true") == 0) return 1;
		if (v && strcmp(k, "role") == 0 && strcmp(v, "navigation") == 0) return 1;
	}
	return 0;
}

static void html_sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	html_state *h = ctx;
	if (h->drop) {
		h->drop++;
		return;
	}
	enum html_class cls = html_classify((const char *)name);
	if (cls != H_BR && html_hidden(atts)) {
		h->drop = 1;
		return;
	}
	switch (cls) {
	case H_INLINE:
		return;
	case H_DROP:
		h->drop = 1;
		return;
	case H_BR:
		h->newlines++;
		h->space = 0;
		return;
	case H_TITLE:
		if (!h->title_ok || h->heading) {
			h->drop = 1;
			return;
		}
		html_flush(h);
		h->title_ok = 0;
		h->heading++;
		h->heading_kind = BLOCK_TITLE;
		return;
	case H_HEAD1:
	case H_HEADN:
		html_flush(h);
		if (h->heading++ == 0) {
			h->heading_kind = BLOCK_HEADING;
			if (cls == H_HEAD1 && h->title_ok && !h->e->out->title) {
				h->heading_kind = BLOCK_TITLE;
				h->title_ok = 0;
			}
		}
		return;
	case H_ITEM:
		html_flush(h);
		h->li++;
		return;
	case H_PRE:
		html_flush(h);
		h->pre++;
		return;
	case H_BLOCK:
		html_flush(h);
		return;
	}
}

static void html_sax_end(void *ctx, const xmlChar *name)
{
	html_state *h = ctx;
	if (h->drop) {
		h->drop--;
		return;
	}
	switch (html_classify((const char *)name)) {
	case H_INLINE:
	case H_DROP:
	case H_BR:
		return;
	case H_TITLE:
	case H_HEAD1:
	case H_HEADN:
		html_flush(h);
		if (h->heading) h->heading--;
		/* an empty <title> leaves the title to the first h1 */
		if (h->heading == 0 && !h->e->out->title && h->heading_kind == BLOCK_TITLE) h->title_ok = 1;
		return;
	case H_ITEM:
		html_flush(h);
		if (h->li) h->li--;
		return;
	case H_PRE:
		html_flush(h);
		if (h->pre) h->pre--;
		return;
	case H_BLOCK:
		html_flush(h);
		return;
	}
}

/* libxml2's recovering HTML parser in SAX mode: no tree is built, so
 * memory stays small and nesting depth costs nothing here. */
static void convert_html(emit *e, const char *s, size_t n)
{
	if (n == 0) return;
	if (n > INT32_MAX) {
		cc_error_set(e->err, -1, "HTML document too large for the parser");
		e->failed = 1;
		return;
	}
	htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(s, (int)n);
	if (!ctxt) die("out of memory (HTML parser)");
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = html_sax_start;
	sax.endElement = html_sax_end;
	sax.characters = html_sax_text;
	sax.ignorableWhitespace = html_sax_text;
	sax.cdataBlock = html_sax_text;
	sax.initialized = 1;
	memcpy(ctxt->sax, &sax, sizeof sax);
	html_state h = {.e = e, .title_ok = e->title_ok};
	ctxt->userData = &h;
	xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
	if (utf8) xmlSwitchToEncoding(ctxt, utf8);
	/* XML_PARSE_HUGE lifts the nesting limit (256) past which libxml2
	 * would silently drop the rest of the page; size is bounded by
	 * read.c's limit. */
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
				 HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE);
	htmlParseDocument(ctxt);
	html_flush(&h);
	if (ctxt->myDoc) xmlFreeDoc(ctxt->myDoc);
	htmlFreeParserCtxt(ctxt);
}

/* ---- the stage ----------------------------------------------------------- */

static int title_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* doc->title (JSONL) as the TITLE block: white space collapsed. */
static int emit_given_title(emit *e, const char *title)
{
	size_t n = strlen(title);
	unsigned flags;
	int ctl;
	long long bad = scan_utf8(title, n, 1, &flags, &ctl);
	if (bad >= 0) {
		if (ctl >= 0)
			cc_error_set(e->err, -1, "control character U+%04X in the title", (unsigned)ctl);
		else
			cc_error_set(e->err, -1, "invalid UTF-8 in the title at byte %lld", bad);
		return -1;
	}
	if (flags & SCAN_NONASCII) e->ascii = 0;
	int space = 0;
	for (size_t i = 0; i < n;) {
		if (title_space(title[i])) {
			space = 1;
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < n && !title_space(title[j])) j++;
		if (space && emit_len(e)) emit_char(e, ' ');
		space = 0;
		emit_bytes(e, title + i, j - i);
		i = j;
	}
	e->kind = BLOCK_TITLE;
	emit_flush(e);
	return 0;
}

int normalize_document(const document *doc, ntext *out, cc_error *err)
{
	pthread_once(&init_once, init_once_fn);
	ntext_reset(out);
	cc_error_clear(err);

	const char *s = doc->raw ? doc->raw : "";
	size_t n = doc->raw ? doc->raw_len : 0;
	if (n > UINT32_MAX) {
		cc_error_set(err, -1, "document too large (%zu bytes; at most 4 GiB)", n);
		return -1;
	}
	unsigned flags;
	int ctl;
	long long bad = scan_utf8(s, n, 1, &flags, &ctl);
	if (bad >= 0) {
		/* a JSONL record: the offset is into its "text", the line the file's */
		const char *of = doc->line > 0 ? " of the record's text" : "";
		if (ctl == 0)
			cc_error_set(err, bad, "NUL character at byte %lld%s", bad, of);
		else if (ctl > 0)
			cc_error_set(err, bad, "control character U+%04X at byte %lld%s", (unsigned)ctl, bad, of);
		else
			cc_error_set(err, bad, "invalid UTF-8 at byte %lld%s", bad, of);
		err->line = doc->line > 0 ? doc->line : 0;
		return -1;
	}
	size_t skip = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

	emit e = {.out = out, .err = err, .ascii = !(flags & SCAN_NONASCII), .title_ok = 1};
	/* character references can bring in anything */
	if (doc->format == FMT_MD || doc->format == FMT_HTML)
		e.ascii = e.ascii && !memchr(s, '&', n);
	if (doc->title && doc->title[0]) {
		if (emit_given_title(&e, doc->title) != 0) {
			err->line = doc->line > 0 ? doc->line : 0;
			ntext_reset(out);
			return -1;
		}
		e.title_ok = 0;
	}
	switch (doc->format) {
	case FMT_MD:
		convert_md(&e, s + skip, n - skip, flags);
		break;
	case FMT_HTML:
		convert_html(&e, s + skip, n - skip);
		break;
	default:
		convert_txt(&e, s + skip, n - skip, flags);
		break;
	}
	if (e.failed) {
		ntext_reset(out);
		return -1;
	}
	return 0;
}
