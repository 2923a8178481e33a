/*
 * cmd-stream.c — `claimcheck stream`: JSONL records on standard input, one
 * JSON result per record on standard output, in input order.
 *
 * Reads: lines of standard input, each a record {"id", "text", "title", …}
 * parsed by read_jsonl_record (the same as `run`). Adds: for each
 * non-blank line, the explain JSON object (explain.h) with "id" and "line"
 * in front, compact, on one line (written directly, byte for byte what
 * jansson would print for it); a bad record gets the same object with
 * its "error" set, and the stream goes on. With -j N, batches of records
 * are analysed by N threads (the calling thread is one of them) and
 * written in input order. Output is buffered, and flushed whenever the
 * input has no more data ready, so the command also works interactively.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "explain.h"

#define READ_CHUNK (1u << 16)
#define RECORDS_PER_THREAD 32
#define BATCH_BYTES (8u << 20) /* stop filling a batch past this many input bytes */

static void stream_help(void)
{
	printf("Usage: claimcheck stream [OPTIONS] < records.jsonl > results.jsonl\n\n"
	       "Read JSONL records ({\"id\", \"text\", optional \"title\", \"url\", \"published\"}) on\n"
	       "standard input and write one JSON result per record, on one line, in input order:\n"
	       "the 'explain --format json' object with \"id\" and \"line\" added. A bad record\n"
	       "gets a result with \"error\" set ({\"message\", \"line\"}); blank lines are skipped.\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "  -j, --jobs N          analysis threads (default 1); output stays in input order\n"
	       "      --max-bytes N     refuse records longer than N bytes (default: %u)\n"
	       "  -q, --quiet           do not report bad records on standard error\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 all records analysed, 1 some records failed, 2 usage or rule errors,\n"
	       "3 standard output could not be written.\n",
	       cli_default_rules(), READ_DEFAULT_MAX_BYTES);
}

/* ---- reading lines ----------------------------------------------------------- */

typedef struct slot {
	strbuf line;
	long lineno;
	int too_long;
	strbuf out;  /* the result line */
	int failed;
	char msg[600]; /* the error, for standard error */
} slot;

typedef struct linereader {
	int fd;
	char *buf;
	size_t pos, len;
	int eof, drained; /* drained: the last read returned less than asked */
	long lineno;
	size_t max;
} linereader;

enum { LR_EOF = 0, LR_LINE = 1, LR_WOULD_WAIT = 2, LR_ERROR = -1 };

static int lr_fill(linereader *r)
{
	for (;;) {
		ssize_t n = read(r->fd, r->buf, READ_CHUNK);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) return -1;
		r->pos = 0;
		r->len = (size_t)n;
		r->drained = (size_t)n < READ_CHUNK;
		if (n == 0) r->eof = 1;
		return 0;
	}
}

/* The next non-blank line into s. At the start of a line, if the input has
 * nothing buffered and the last read came up short (a pipe or terminal
 * with no more data ready), returns LR_WOULD_WAIT unless may_wait, so the
 * caller can write what it has before blocking. */
static int lr_next(linereader *r, slot *s, int may_wait)
{
	for (;;) {
		int started = 0;
		s->line.len = 0;
		s->too_long = 0;
		for (;;) {
			if (r->pos == r->len) {
				if (r->eof) break;
				if (!started && r->drained && !may_wait) return LR_WOULD_WAIT;
				if (lr_fill(r) != 0) return LR_ERROR;
				if (r->eof) break;
			}
			if (!started) {
				started = 1;
				s->lineno = ++r->lineno;
			}
			char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
			size_t take = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
			if (!s->too_long) {
				if (s->line.len + take > r->max) {
					s->too_long = 1;
					s->line.len = 0;
				} else {
					strbuf_append(&s->line, r->buf + r->pos, take);
				}
			}
			r->pos += take;
			if (nl) {
				r->pos++;
				break;
			}
		}
		if (!started) return LR_EOF;
		if (s->too_long) return LR_LINE;
		size_t len = s->line.len;
		if (len && s->line.data[len - 1] == '\r') s->line.data[s->line.len = --len] = '\0';
		if (len && strspn(s->line.data, " \t\r") < len) return LR_LINE;
		/* a blank line: read on; after it the caller may still flush */
		if (r->pos == r->len && r->drained && !r->eof && !may_wait) {
			s->line.len = 0;
			return LR_WOULD_WAIT;
		}
	}
}

/* ---- writing a result ------------------------------------------------------- */

/*
 * The result line is written straight into the slot's buffer, not built as
 * a jansson tree and dumped: building, dumping and freeing the tree cost
 * more than the analysis itself. The bytes are those json_dump_callback
 * (JSON_COMPACT | JSON_PRESERVE_ORDER) gives for explain_json() with "id"
 * and "line" in front (tests/cli/stream-identity.sh compares the two):
 * keys in explain.c's order; strings with only '"', '\\' and the control
 * characters escaped (\b \f \n \r \t, else \u00XX in capitals); integers
 * in decimal; reals as jansson prints them (%.17g, ".0" added when there
 * is neither a '.' nor an 'e', the exponent without '+' or leading zeros).
 * Where jansson would refuse a value (a string that is not UTF-8, a NULL
 * string, a real that is not finite), the writer gives up and the result
 * is made through explain_json(), so even those lines stay the same.
 * CLAIMCHECK_STREAM_JANSSON=1 in the environment makes every result go
 * that way (for the identity test).
 */

/* what the result lines share: made once, read by every thread */
typedef struct writer {
	strbuf head;         /* "version":1,"tool":…,"ruleset":…,"document":{ */
	strbuf *rule_head;   /* per rule: {"rule":"ID","category": */
	strbuf *rule_weight; /* per rule: ,"weight":W,"start": */
	unsigned char *rule_ok; /* 0: its id or weight is not writable */
	size_t nrules;
	int jansson;         /* always go through explain_json */
} writer;

#define FCACHE_BITS 10
#define FCACHE_EMPTY 0x7ff8000000000001ull /* a NaN: never stored */

/* a thread's cache of printed reals (the scores repeat a few values) */
typedef struct realcache {
	struct {
		uint64_t bits;
		unsigned char len;
		char s[31];
	} e[1u << FCACHE_BITS];
} realcache;

static void realcache_init(realcache *c)
{
	for (size_t i = 0; i < sizeof c->e / sizeof *c->e; i++) c->e[i].bits = FCACHE_EMPTY;
}

static inline void sb_need(strbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) strbuf_reserve(b, n);
}

static inline void sb_lit(strbuf *b, const char *s, size_t n)
{
	sb_need(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

#define PUT(b, lit) sb_lit(b, lit, sizeof lit - 1)

/* the strbuf's NUL (sb_need keeps room for it) */
static inline void sb_end(strbuf *b)
{
	if (b->data) b->data[b->len] = '\0';
}

static inline void sb_sb(strbuf *b, const strbuf *s)
{
	sb_lit(b, s->data, s->len);
}

static void put_int(strbuf *b, long long v)
{
	char tmp[24], *e = tmp + sizeof tmp, *p = e;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do *--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0) *--p = '-';
	sb_lit(b, p, (size_t)(e - p));
}

/* jansson's jsonp_dtostr with the default precision (17), in the C locale
 * (claimcheck never calls setlocale) */
static size_t real_text(double v, char *buf, size_t size)
{
	int ret = snprintf(buf, size, "%.17g", v);
	if (ret < 0 || (size_t)ret + 3 >= size) return 0;
	size_t length = (size_t)ret;
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		buf[length++] = '.';
		buf[length++] = '0';
		buf[length] = '\0';
	}
	char *start = strchr(buf, 'e');
	if (start) {
		start++;
		char *end = start + 1;
		if (*start == '-') start++;
		while (*end == '0') end++;
		if (end != start) {
			memmove(start, end, length - (size_t)(end - buf));
			length -= (size_t)(end - start);
		}
	}
	return length;
}

static int put_real(strbuf *b, realcache *c, double v)
{
	uint64_t bits;
	if (!isfinite(v)) return -1; /* json_real refuses it */
	memcpy(&bits, &v, sizeof bits);
	size_t h = (size_t)((bits * 0x9e3779b97f4a7c15ull) >> (64 - FCACHE_BITS));
	if (c->e[h].bits != bits) {
		size_t n = real_text(v, c->e[h].s, sizeof c->e[h].s);
		if (!n) return -1;
		c->e[h].bits = bits;
		c->e[h].len = (unsigned char)n;
	}
	sb_lit(b, c->e[h].s, c->e[h].len);
	return 0;
}

/* 0: copied as it is; 1: escaped; 2: the lead byte of a UTF-8 sequence
 * (checked, then copied); 3: never valid in UTF-8 */
static const unsigned char byte_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

/* The length of the valid UTF-8 sequence at p (lead byte of class 2), or
 * 0: the rules of jansson's utf8_check_full (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if ((size_t)(end - p) < k) return 0;
	uint32_t cp = c & (k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80) return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
	if (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
	return k;
}

/* Whether any of the 8 bytes in x is not of class 0: a byte >= 0x80 sets
 * its top bit; with none, a byte below 0x20 (or one equal to '"' or '\\'
 * after the xor) borrows and sets it. The borrow can only mark bytes above
 * the first special one, so the answer is exact. */
static inline int special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
	return ((x | (x - ones * 0x20) | (q - ones) | (bs - ones)) & high) != 0;
}

/* s[0..n) as a JSON string; -1 if it is not UTF-8 (b is then partly
 * written: the caller starts the line again) */
static int put_str(strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	sb_need(b, n + 2);
	b->data[b->len++] = '"';
	for (;;) {
		const unsigned char *run = p;
		for (;;) {
			while (end - p >= 8) {
				uint64_t x;
				memcpy(&x, p, sizeof x);
				if (special8(x)) break;
				p += 8;
			}
			while (p < end && byte_class[*p] == 0) p++;
			if (p == end || byte_class[*p] != 2) break;
			size_t k = utf8_seq(p, end);
			if (!k) return -1;
			p += k;
		}
		memcpy(b->data + b->len, run, (size_t)(p - run));
		b->len += (size_t)(p - run);
		if (p == end) break;
		if (byte_class[*p] == 3) return -1;
		/* an escape: at most 6 bytes for the 1 reserved */
		sb_need(b, (size_t)(end - p) + 6);
		char *w = b->data + b->len;
		unsigned c = *p++;
		w[0] = '\\';
		switch (c) {
		case '\\': w[1] = '\\'; break;
		case '"': w[1] = '"'; break;
		case '\b': w[1] = 'b'; break;
		case '\f': w[1] = 'f'; break;
		case '\n': w[1] = 'n'; break;
		case '\r': w[1] = 'r'; break;
		case '\t': w[1] = 't'; break;
		default:
			memcpy(w + 1, "u00", 3);
			w[4] = hex[c >> 4];
			w[5] = hex[c & 15];
			b->len += 4;
		}
		b->len += 2;
	}
	b->data[b->len++] = '"';
	return 0;
}

static int put_cstr(strbuf *b, const char *s)
{
	return s ? put_str(b, s, strlen(s)) : -1;
}

/* json_pack's "s?": null for NULL */
static int put_cstr_or_null(strbuf *b, const char *s)
{
	if (!s) {
		PUT(b, "null");
		return 0;
	}
	return put_str(b, s, strlen(s));
}

static int put_span(strbuf *b, const char *text, size_t tlen, span s)
{
	if (s.start == s.end) {
		PUT(b, "null");
		return 0;
	}
	if (s.start > s.end || s.end > tlen) return -1;
	PUT(b, "{\"start\":");
	put_int(b, s.start);
	PUT(b, ",\"end\":");
	put_int(b, s.end);
	PUT(b, ",\"text\":");
	if (put_str(b, text + s.start, s.end - s.start)) return -1;
	sb_lit(b, "}", 1);
	return 0;
}

static int put_tag(strbuf *b, const writer *wr, const char *text, size_t tlen, const tag *t)
{
	if (t->rule >= wr->nrules || !wr->rule_ok[t->rule] || t->start > t->end || t->end > tlen)
		return -1;
	sb_sb(b, &wr->rule_head[t->rule]);
	if (put_cstr(b, category_name((category)t->category))) return -1;
	sb_sb(b, &wr->rule_weight[t->rule]);
	put_int(b, t->start);
	PUT(b, ",\"end\":");
	put_int(b, t->end);
	PUT(b, ",\"text\":");
	if (put_str(b, text + t->start, t->end - t->start)) return -1;
	PUT(b, ",\"cue\":");
	if (put_span(b, text, tlen, t->cue)) return -1;
	if (t->suppressed)
		PUT(b, ",\"suppressed\":true");
	else
		PUT(b, ",\"suppressed\":false");
	if (t->category == CAT_SOURCE) {
		PUT(b, ",\"source\":");
		if (put_span(b, text, tlen, t->source)) return -1;
		PUT(b, ",\"role\":");
		if (put_span(b, text, tlen, t->role)) return -1;
		if (t->anonymous)
			PUT(b, ",\"anonymous\":true");
		else
			PUT(b, ",\"anonymous\":false");
	}
	sb_lit(b, "}", 1);
	return 0;
}

static void put_bool(strbuf *b, int v)
{
	if (v)
		PUT(b, "true");
	else
		PUT(b, "false");
}

static int put_sentence(strbuf *b, const writer *wr, realcache *rc, const analysis *a,
			const char *text, size_t tlen, size_t i)
{
	const sentence_rec *r = &a->sents.v[i];
	const sentence_scores *sc = &r->sc;
	if (r->start > r->end || r->end > tlen || r->tag_first + (size_t)r->tag_count > a->tags.n)
		return -1;
	PUT(b, "{\"index\":");
	put_int(b, (long long)i);
	PUT(b, ",\"start\":");
	put_int(b, r->start);
	PUT(b, ",\"end\":");
	put_int(b, r->end);
	PUT(b, ",\"kind\":");
	if (put_cstr(b, block_kind_name(r->kind))) return -1;
	PUT(b, ",\"text\":");
	if (put_str(b, text + r->start, r->end - r->start)) return -1;
	PUT(b, ",\"tokens\":");
	put_int(b, r->ntokens);
	PUT(b, ",\"scores\":{\"hedge\":");
	if (put_real(b, rc, sc->hedge)) return -1;
	PUT(b, ",\"speculation\":");
	if (put_real(b, rc, sc->speculation)) return -1;
	PUT(b, ",\"weasel\":");
	if (put_real(b, rc, sc->weasel)) return -1;
	PUT(b, ",\"uncertainty\":");
	if (put_real(b, rc, sc->uncertainty)) return -1;
	PUT(b, ",\"factual\":");
	if (put_real(b, rc, sc->factual)) return -1;
	PUT(b, ",\"checkworthy\":");
	if (put_real(b, rc, sc->checkworthy)) return -1;
	PUT(b, ",\"sourced\":");
	put_bool(b, sc->sourced);
	PUT(b, ",\"flagged\":");
	put_bool(b, sc->flagged);
	PUT(b, "},\"tags\":[");
	for (uint32_t k = 0; k < r->tag_count; k++) {
		if (k) sb_lit(b, ",", 1);
		if (put_tag(b, wr, text, tlen, &a->tags.v[r->tag_first + k])) return -1;
	}
	PUT(b, "]}");
	return 0;
}

/* The result line of a (without its newline) appended to b, as
 * process_jansson writes it; -1 where that needs jansson. */
static int put_result(strbuf *b, const writer *wr, realcache *rc, const analysis *a, long lineno)
{
	const document *d = &a->doc;
	PUT(b, "{\"id\":");
	if (put_cstr_or_null(b, d->id)) return -1;
	PUT(b, ",\"line\":");
	put_int(b, lineno);
	sb_lit(b, ",", 1);
	sb_sb(b, &wr->head);
	PUT(b, "\"key\":");
	if (put_cstr_or_null(b, d->key)) return -1;
	PUT(b, ",\"path\":");
	if (put_cstr_or_null(b, d->path)) return -1;
	PUT(b, ",\"title\":");
	if (put_cstr_or_null(b, a->nt.title ? a->nt.title : d->title)) return -1;
	PUT(b, ",\"format\":");
	if (put_cstr(b, format_name(d->format))) return -1;
	PUT(b, ",\"bytes\":");
	put_int(b, (long long)d->raw_len);
	PUT(b, ",\"raw_hash\":");
	if (put_cstr(b, d->raw_hash)) return -1;
	if (d->id) {
		PUT(b, ",\"id\":");
		if (put_cstr(b, d->id)) return -1;
	}
	if (d->url) {
		PUT(b, ",\"url\":");
		if (put_cstr(b, d->url)) return -1;
	}
	if (d->published) {
		PUT(b, ",\"published\":");
		if (put_cstr(b, d->published)) return -1;
	}
	if (a->failed) {
		PUT(b, "},\"error\":{\"message\":");
		if (put_cstr(b, a->err.msg)) return -1;
		if (a->err.offset >= 0) {
			PUT(b, ",\"offset\":");
			put_int(b, a->err.offset);
		}
		if (a->err.line > 0) {
			PUT(b, ",\"line\":");
			put_int(b, a->err.line);
		}
		PUT(b, "},\"sentences\":[]}");
		return 0;
	}
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	size_t tlen = a->nt.text.len;
	PUT(b, ",\"text_hash\":");
	if (put_cstr(b, a->text_hash)) return -1;
	PUT(b, "},\"error\":null,\"text\":");
	if (put_str(b, text, tlen)) return -1;
	PUT(b, ",\"sentences\":[");
	for (size_t i = 0; i < a->sents.n; i++) {
		if (i) sb_lit(b, ",", 1);
		if (put_sentence(b, wr, rc, a, text, tlen, i)) return -1;
	}
	const doc_scores *ds = &a->ds;
	PUT(b, "],\"scores\":{\"sentences\":");
	put_int(b, ds->sentences);
	PUT(b, ",\"flagged\":");
	put_int(b, ds->flagged);
	PUT(b, ",\"hedge_density\":");
	if (put_real(b, rc, ds->hedge_density)) return -1;
	PUT(b, ",\"speculation_density\":");
	if (put_real(b, rc, ds->speculation_density)) return -1;
	PUT(b, ",\"weasel_density\":");
	if (put_real(b, rc, ds->weasel_density)) return -1;
	PUT(b, ",\"sourced_share\":");
	if (put_real(b, rc, ds->sourced_share)) return -1;
	PUT(b, ",\"checkworthy_max\":");
	if (put_real(b, rc, ds->checkworthy_max)) return -1;
	PUT(b, ",\"checkworthy_mean\":");
	if (put_real(b, rc, ds->checkworthy_mean)) return -1;
	sb_lit(b, "}", 1);
	if (a->warning) {
		PUT(b, ",\"warning\":");
		if (put_cstr(b, a->warning)) return -1;
	}
	sb_lit(b, "}", 1);
	return 0;
}

static void writer_init(writer *wr, const ruleset *rs)
{
	memset(wr, 0, sizeof *wr);
	const char *j = getenv("CLAIMCHECK_STREAM_JANSSON");
	wr->jansson = j && *j && strcmp(j, "0") != 0;
	PUT(&wr->head, "\"version\":");
	put_int(&wr->head, EXPLAIN_JSON_VERSION);
	PUT(&wr->head, ",\"tool\":");
	int ok = put_cstr(&wr->head, PACKAGE_STRING) == 0;
	PUT(&wr->head, ",\"ruleset\":");
	ok = ok && put_cstr(&wr->head, ruleset_hash(rs)) == 0;
	PUT(&wr->head, ",\"document\":{");
	sb_end(&wr->head);
	if (!ok) wr->jansson = 1;
	wr->nrules = ruleset_size(rs);
	wr->rule_head = xcalloc(wr->nrules ? wr->nrules : 1, sizeof *wr->rule_head);
	wr->rule_weight = xcalloc(wr->nrules ? wr->nrules : 1, sizeof *wr->rule_weight);
	wr->rule_ok = xcalloc(wr->nrules ? wr->nrules : 1, 1);
	realcache *rc = xmalloc(sizeof *rc);
	realcache_init(rc);
	for (size_t i = 0; i < wr->nrules; i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		PUT(&wr->rule_head[i], "{\"rule\":");
		ok = put_cstr(&wr->rule_head[i], ri->id) == 0;
		PUT(&wr->rule_head[i], ",\"category\":");
		PUT(&wr->rule_weight[i], ",\"weight\":");
		ok = ok && put_real(&wr->rule_weight[i], rc, ri->weight) == 0;
		PUT(&wr->rule_weight[i], ",\"start\":");
		wr->rule_ok[i] = (unsigned char)ok;
		sb_end(&wr->rule_head[i]);
		sb_end(&wr->rule_weight[i]);
	}
	free(rc);
}

static void writer_free(writer *wr)
{
	for (size_t i = 0; i < wr->nrules; i++) {
		strbuf_free(&wr->rule_head[i]);
		strbuf_free(&wr->rule_weight[i]);
	}
	free(wr->rule_head);
	free(wr->rule_weight);
	free(wr->rule_ok);
	strbuf_free(&wr->head);
}

/* ---- analysing ------------------------------------------------------------- */

static int dump_to_strbuf(const char *buf, size_t size, void *data)
{
	strbuf_append(data, buf, size);
	return 0;
}

/* The result line of a through explain_json and jansson's dump (the
 * reference the direct writer reproduces). */
static void process_jansson(const ruleset *rs, const analysis *a, long lineno, strbuf *out)
{
	json_t *o = explain_json(a, rs);
	json_t *r = json_pack("{s:o,s:I}", "id", a->doc.id ? json_string(a->doc.id) : json_null(),
			      "line", (json_int_t)lineno);
	const char *key;
	json_t *v;
	json_object_foreach (o, key, v) json_object_set(r, key, v);
	json_decref(o);
	if (json_dump_callback(r, dump_to_strbuf, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		die("cannot serialise the result of line %ld", lineno);
	json_decref(r);
}

/* One record -> its result line in s->out. */
static void process(const ruleset *rs, const writer *wr, realcache *rc, size_t max_bytes,
		    analyzer *az, analysis *a, slot *s)
{
	analysis_reset(a);
	s->failed = 0;
	s->out.len = 0;
	if (s->too_long) {
		a->doc.path = xstrdup("-");
		a->doc.key = xasprintf("-#line:%ld", s->lineno);
		a->failed = 1;
		cc_error_set(&a->err, -1, "record longer than the limit of %zu bytes", max_bytes);
		a->err.line = s->lineno;
	} else if (read_jsonl_record("-", s->lineno, s->line.data, s->line.len, &a->doc, &a->err) != 0) {
		a->failed = 1;
	} else {
		analyze_document(az, a);
	}
	if (wr->jansson || put_result(&s->out, wr, rc, a, s->lineno) != 0) {
		s->out.len = 0;
		process_jansson(rs, a, s->lineno, &s->out);
	}
	sb_end(&s->out);
	strbuf_putc(&s->out, '\n');
	if (a->failed) {
		s->failed = 1;
		snprintf(s->msg, sizeof s->msg, "%s", a->err.msg);
	}
}

/* ---- the batch workers ------------------------------------------------------ */

typedef struct streamer {
	const ruleset *rs;
	const writer *wr;
	size_t max_bytes;
	slot *slots;
	size_t nslots, n;  /* capacity; records in the current batch */
	atomic_size_t next; /* the next record to take */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long gen; /* batch number */
	unsigned working;  /* helper threads still on the batch */
	int quit;
} streamer;

static void work_batch(streamer *st, realcache *rc, analyzer *az, analysis *a)
{
	size_t i;
	while ((i = atomic_fetch_add(&st->next, 1)) < st->n)
		process(st->rs, st->wr, rc, st->max_bytes, az, a, &st->slots[i]);
}

static void *helper_main(void *arg)
{
	streamer *st = arg;
	analyzer *az = analyzer_new(st->rs);
	analysis a;
	memset(&a, 0, sizeof a);
	realcache *rc = xmalloc(sizeof *rc);
	realcache_init(rc);
	unsigned long seen = 0;
	for (;;) {
		pthread_mutex_lock(&st->mu);
		while (st->gen == seen && !st->quit) pthread_cond_wait(&st->go, &st->mu);
		if (st->quit) {
			pthread_mutex_unlock(&st->mu);
			break;
		}
		seen = st->gen;
		pthread_mutex_unlock(&st->mu);
		work_batch(st, rc, az, &a);
		pthread_mutex_lock(&st->mu);
		if (--st->working == 0) pthread_cond_signal(&st->done);
		pthread_mutex_unlock(&st->mu);
	}
	free(rc);
	analysis_free(&a);
	analyzer_free(az);
	return NULL;
}

/* Analyse the current batch (on every thread) and write it in order.
 * Returns the number of failed records. */
static size_t run_batch(streamer *st, unsigned nhelpers, realcache *rc, analyzer *az, analysis *a,
			int quiet)
{
	atomic_store(&st->next, 0);
	if (nhelpers) {
		pthread_mutex_lock(&st->mu);
		st->working = nhelpers;
		st->gen++;
		pthread_cond_broadcast(&st->go);
		pthread_mutex_unlock(&st->mu);
	}
	work_batch(st, rc, az, a);
	if (nhelpers) {
		pthread_mutex_lock(&st->mu);
		while (st->working > 0) pthread_cond_wait(&st->done, &st->mu);
		pthread_mutex_unlock(&st->mu);
	}
	size_t failed = 0;
	for (size_t i = 0; i < st->n; i++) {
		slot *s = &st->slots[i];
		fwrite(s->out.data, 1, s->out.len, stdout);
		if (s->failed) {
			failed++;
			if (!quiet) fprintf(stderr, "claimcheck stream: line %ld: %s\n", s->lineno, s->msg);
		}
	}
	st->n = 0;
	return failed;
}

int cmd_stream(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'}, {"jobs", required_argument, NULL, 'j'},
		{"max-bytes", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	long jobs = 1, max_bytes = READ_DEFAULT_MAX_BYTES;
	int c, quiet = 0, status = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'j':
			jobs = cli_parse_long(optarg);
			if (jobs < 1 || jobs > 256) {
				cli_usage_error("stream", "--jobs wants a number from 1 to 256, not '%s'", optarg);
				goto out;
			}
			break;
		case 'M':
			max_bytes = cli_parse_long(optarg);
			if (max_bytes < 1 || (unsigned long)max_bytes > 0xffffffffUL - 1) {
				cli_usage_error("stream", "--max-bytes wants a positive number below 4 GiB, not '%s'", optarg);
				goto out;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h':
			stream_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("stream", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("stream", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind != argc) {
		cli_usage_error("stream", "records are read from standard input; no arguments expected");
		goto out;
	}
	ruleset *rs = cli_load_rules(rules.v, rules.n);
	if (!rs) goto out;

	static char outbuf[1u << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	streamer st;
	memset(&st, 0, sizeof st);
	writer wr;
	writer_init(&wr, rs);
	st.rs = rs;
	st.wr = &wr;
	st.max_bytes = (size_t)max_bytes;
	st.nslots = jobs == 1 ? 1 : (size_t)jobs * RECORDS_PER_THREAD;
	st.slots = xcalloc(st.nslots, sizeof *st.slots);
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.go, NULL);
	pthread_cond_init(&st.done, NULL);
	unsigned nhelpers = (unsigned)jobs - 1;
	pthread_t *th = xcalloc(nhelpers ? nhelpers : 1, sizeof *th);
	for (unsigned i = 0; i < nhelpers; i++)
		if (pthread_create(&th[i], NULL, helper_main, &st) != 0) die("cannot start a thread");

	analyzer *az = analyzer_new(rs);
	analysis a;
	memset(&a, 0, sizeof a);
	realcache *reals = xmalloc(sizeof *reals);
	realcache_init(reals);
	linereader lr = {.fd = STDIN_FILENO, .buf = xmalloc(READ_CHUNK), .max = (size_t)max_bytes};
	size_t failed = 0, batch_bytes = 0;
	int rc, read_error = 0;
	status = EXIT_OK;
	for (;;) {
		rc = lr_next(&lr, &st.slots[st.n], 0);
		if (rc == LR_WOULD_WAIT) {
			/* no more input ready: write what we have, then wait */
			if (st.n) failed += run_batch(&st, nhelpers, reals, az, &a, quiet);
			batch_bytes = 0;
			fflush(stdout);
			rc = lr_next(&lr, &st.slots[st.n], 1);
		}
		if (rc == LR_LINE) {
			batch_bytes += st.slots[st.n].line.len;
			if (++st.n == st.nslots || batch_bytes >= BATCH_BYTES) {
				failed += run_batch(&st, nhelpers, reals, az, &a, quiet);
				batch_bytes = 0;
			}
			if (ferror(stdout)) break;
			continue;
		}
		if (rc == LR_ERROR) read_error = 1;
		break;
	}
	if (st.n && !ferror(stdout)) failed += run_batch(&st, nhelpers, reals, az, &a, quiet);
	if (read_error) {
		fprintf(stderr, "claimcheck stream: error reading standard input: %s\n", strerror(errno));
		status = EXIT_PARTIAL;
	}
	if (failed) status = EXIT_PARTIAL;
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;

	pthread_mutex_lock(&st.mu);
	st.quit = 1;
	pthread_cond_broadcast(&st.go);
	pthread_mutex_unlock(&st.mu);
	for (unsigned i = 0; i < nhelpers; i++) pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&st.mu);
	pthread_cond_destroy(&st.go);
	pthread_cond_destroy(&st.done);
	for (size_t i = 0; i < st.nslots; i++) {
		strbuf_free(&st.slots[i].line);
		strbuf_free(&st.slots[i].out);
	}
	free(st.slots);
	free(lr.buf);
	free(reals);
	writer_free(&wr);
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
out:
	VEC_FREE(&rules);
	return status;
}
