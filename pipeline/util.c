/*
 * util.c — allocation wrappers, buffers, error values, diagnostics, SHA-256.
 */
#include "config.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void die(const char *fmt, ...)
{
	va_list ap;
	fputs("claimcheck: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) die("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	strbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!b.data) return xstrdup("");
	return strbuf_steal(&b);
}

void strbuf_reserve(strbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap) return;
	size_t nc = b->cap ? b->cap : 64;
	while (nc < b->len + extra + 1) nc *= 2;
	b->data = xrealloc(b->data, nc);
	b->cap = nc;
}

void strbuf_append(strbuf *b, const char *s, size_t n)
{
	strbuf_reserve(b, n);
	if (n) memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s)
{
	strbuf_append(b, s, strlen(s));
}

void strbuf_putc(strbuf *b, char c)
{
	strbuf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) die("vsnprintf failed");
	strbuf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void strbuf_csv_field(strbuf *b, const char *s, size_t n, int first)
{
	if (!first) strbuf_putc(b, ',');
	if (!s) return;
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		strbuf_append(b, s, n);
		return;
	}
	strbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"') strbuf_putc(b, '"');
		strbuf_putc(b, s[i]);
	}
	strbuf_putc(b, '"');
}

void strbuf_md_cell(strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n' || ch == '\t' || ch == '\r')
			strbuf_putc(b, ' ');
		else if (ch < 0x20 || ch == 0x7f)
			strbuf_putc(b, '?');
		else if (ch == '<')
			strbuf_puts(b, "&lt;");
		else if (ch == '>')
			strbuf_puts(b, "&gt;");
		else if (ch == '&')
			strbuf_puts(b, "&amp;");
		else {
			if (strchr("\\|*_`[]~#", ch)) strbuf_putc(b, '\\');
			strbuf_putc(b, (char)ch);
		}
	}
}

void strbuf_reset(strbuf *b)
{
	b->len = 0;
	if (b->data) b->data[0] = '\0';
}

void strbuf_free(strbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *strbuf_steal(strbuf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void cc_error_clear(cc_error *e)
{
	e->msg[0] = '\0';
	e->offset = -1;
	e->line = 0;
}

void cc_error_set(cc_error *e, long long offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->offset = offset;
}

int cc_error_isset(const cc_error *e)
{
	return e->msg[0] != '\0';
}

void diags_add(diags *d, enum diag_severity sev, const char *file, int line, int col,
	       const char *fmt, ...)
{
	strbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	diag x = {sev, xstrdup(file), line, col, strbuf_steal(&b)};
	VEC_PUSH(&d->items, x);
	if (sev == DIAG_ERROR) d->errors++;
	else d->warnings++;
}

void diags_print(const diags *d, FILE *fp)
{
	for (size_t i = 0; i < d->items.n; i++) {
		const diag *x = &d->items.v[i];
		if (x->file) {
			fputs(x->file, fp);
			if (x->line > 0) fprintf(fp, ":%d", x->line);
			if (x->col > 0) fprintf(fp, ":%d", x->col);
			fputs(": ", fp);
		} else {
			fputs("claimcheck: ", fp);
		}
		fprintf(fp, "%s: %s\n", x->severity == DIAG_ERROR ? "error" : "warning", x->msg);
	}
}

void diags_free(diags *d)
{
	for (size_t i = 0; i < d->items.n; i++) {
		free(d->items.v[i].file);
		free(d->items.v[i].msg);
	}
	VEC_FREE(&d->items);
	d->errors = d->warnings = 0;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block_sw(sha256_ctx *c, const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = h + S1 + ch + K256[i] + w[i];
		uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
		uint32_t mj = (a & b) ^ (a & cc) ^ (b & cc);
		uint32_t t2 = S0 + mj;
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/* One block with the x86 SHA extensions (about ten times the speed of the
 * portable code). The message schedule runs four words at a time:
 * group j+4 = msg2(msg1(g[j], g[j+1]) + (g[j+3]:g[j+2] >> 32), g[j+3]). */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_block_ni(sha256_ctx *c, const unsigned char *p)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&c->h[0]), 0xB1); /* CDAB */
	__m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&c->h[4]), 0x1B); /* EFGH */
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8);    /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);         /* CDGH */
	__m128i save0 = st0, save1 = st1, m[4];
	for (int i = 0; i < 4; i++)
		m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
	for (int i = 0; i < 16; i++) {
		__m128i msg = _mm_add_epi32(m[i & 3], _mm_loadu_si128((const __m128i *)&K256[4 * i]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0E));
		if (i < 12) {
			__m128i t = _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4);
			m[i & 3] = _mm_sha256msg2_epu32(
				_mm_add_epi32(_mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]), t),
				m[(i + 3) & 3]);
		}
	}
	st0 = _mm_add_epi32(st0, save0);
	st1 = _mm_add_epi32(st1, save1);
	tmp = _mm_shuffle_epi32(st0, 0x1B);            /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);            /* DCHG */
	_mm_storeu_si128((__m128i *)&c->h[0], _mm_blend_epi16(tmp, st1, 0xF0)); /* DCBA */
	_mm_storeu_si128((__m128i *)&c->h[4], _mm_alignr_epi8(st1, tmp, 8));   /* HGFE */
}

static int cpu_has_sha(void)
{
	unsigned a, b, cx, d;
	if (!__get_cpuid(1, &a, &b, &cx, &d) || !(cx & bit_SSE4_1) || !(cx & bit_SSSE3)) return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &cx, &d)) return 0;
	return (b >> 29) & 1;
}

/* -1: not probed yet; a benign once-only probe (the same answer every time) */
static int sha_have = -1;
static int sha_allow = 1;

static int sha_accel(void)
{
	int h = __atomic_load_n(&sha_have, __ATOMIC_RELAXED);
	if (h < 0) {
		h = cpu_has_sha();
		__atomic_store_n(&sha_have, h, __ATOMIC_RELAXED);
	}
	return h && __atomic_load_n(&sha_allow, __ATOMIC_RELAXED);
}

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
	if (sha_accel()) sha256_block_ni(c, p);
	else sha256_block_sw(c, p);
}

int sha256_set_accel(int on)
{
	__atomic_store_n(&sha_allow, on != 0, __ATOMIC_RELAXED);
	return sha_accel();
}
#else
#define sha256_block sha256_block_sw

int sha256_set_accel(int on)
{
	(void)on;
	return 0;
}
#endif

void sha256_init(sha256_ctx *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->buflen = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->total += len;
	if (c->buflen) {
		size_t take = 64 - c->buflen < len ? 64 - c->buflen : len;
		memcpy(c->buf + c->buflen, p, take);
		c->buflen += take; p += take; len -= take;
		if (c->buflen < 64) return;
		sha256_block(c, c->buf);
		c->buflen = 0;
	}
	while (len >= 64) {
		sha256_block(c, p);
		p += 64; len -= 64;
	}
	memcpy(c->buf, p, len);
	c->buflen = len;
}

void sha256_final_hex(sha256_ctx *c, char out[65])
{
	/* 0x80, zeros to 56 bytes into a block, the length in bits (a
	 * block of its own when the 0x80 lands past byte 55) */
	uint64_t bits = c->total * 8;
	c->buf[c->buflen++] = 0x80;
	if (c->buflen > 56) {
		memset(c->buf + c->buflen, 0, 64 - c->buflen);
		sha256_block(c, c->buf);
		c->buflen = 0;
	}
	memset(c->buf + c->buflen, 0, 56 - c->buflen);
	for (int i = 0; i < 8; i++) c->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_block(c, c->buf);
	c->buflen = 0;
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++) {
			unsigned v = (c->h[i] >> (24 - 8 * j)) & 0xff;
			out[8 * i + 2 * j] = hex[v >> 4];
			out[8 * i + 2 * j + 1] = hex[v & 15];
		}
	out[64] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final_hex(&c, out);
}
