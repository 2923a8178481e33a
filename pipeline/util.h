/*
 * util.h — small shared helpers: allocation that dies on out-of-memory,
 * growable byte buffers and vectors, error values, diagnostics lists,
 * SHA-256.
 *
 * Ownership: x*alloc return caller-owned memory. A strbuf/vector owns its
 * storage until *_free; *_reset keeps the storage for reuse (no allocation
 * on the hot path once warm).
 */
#ifndef CLAIMCHECK_UTIL_H
#define CLAIMCHECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CC_PRINTF(f, a)
#endif

/* Exit codes, documented in README and the man page. */
enum {
	EXIT_OK = 0,      /* success */
	EXIT_PARTIAL = 1, /* ran, but some documents failed (or tests/examples failed) */
	EXIT_USAGE = 2    /* bad invocation or bad rule files: nothing was run */
};

/* Print "claimcheck: MESSAGE" to stderr and exit(3). For out-of-memory and
 * broken invariants only; bad input is never a reason to die. */
_Noreturn void die(const char *fmt, ...) CC_PRINTF(1, 2);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) CC_PRINTF(1, 2);

/* A growable byte buffer; data is always NUL-terminated once non-empty. */
typedef struct strbuf {
	char *data;
	size_t len, cap;
} strbuf;

void strbuf_reserve(strbuf *b, size_t extra);
void strbuf_append(strbuf *b, const char *s, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_putc(strbuf *b, char c);
void strbuf_printf(strbuf *b, const char *fmt, ...) CC_PRINTF(2, 3);
void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap);
/* Append one CSV field (RFC 4180) of s[0, n), after a comma unless first:
 * quoted when it holds a comma, quote, CR or LF, or starts or ends with a
 * space; quotes doubled. s == NULL is an empty field. */
void strbuf_csv_field(strbuf *b, const char *s, size_t n, int first);
/* Append s[0, n) for a Markdown table cell: line breaks and tabs become
 * spaces, other control characters '?', <, > and & entities, and the
 * markup characters \ | * _ ` [ ] ~ # are backslash-escaped. */
void strbuf_md_cell(strbuf *b, const char *s, size_t n);
void strbuf_reset(strbuf *b);  /* len = 0, keeps storage */
void strbuf_free(strbuf *b);   /* frees storage, leaves an empty buffer */
char *strbuf_steal(strbuf *b); /* returns data (caller frees), leaves an empty buffer */

/* A typed growable array: VEC(int) v = {0}; VEC_PUSH(&v, 3); free(v.v). */
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_RESERVE(vec, extra)                                                  \
	do {                                                                     \
		if ((vec)->n + (extra) > (vec)->cap) {                           \
			size_t nc_ = (vec)->cap ? (vec)->cap : 16;               \
			while (nc_ < (vec)->n + (extra)) nc_ *= 2;              \
			(vec)->v = xrealloc((vec)->v, nc_ * sizeof *(vec)->v);   \
			(vec)->cap = nc_;                                        \
		}                                                                \
	} while (0)
#define VEC_PUSH(vec, x)                                                         \
	do {                                                                     \
		VEC_RESERVE(vec, 1);                                             \
		(vec)->v[(vec)->n++] = (x);                                      \
	} while (0)
#define VEC_FREE(vec) do { free((vec)->v); (vec)->v = NULL; (vec)->n = (vec)->cap = 0; } while (0)

/* A byte span [start, end) in a document's normalized text. */
typedef struct span {
	uint32_t start, end;
} span;
typedef VEC(span) spanvec;

/* An error value for one document (or one record): a message and, where it
 * applies, the byte offset or line at which the problem was found. */
typedef struct cc_error {
	char msg[512];
	long long offset; /* byte offset in the input, or -1 */
	long line;        /* 1-based line (JSONL record, rule file), or 0 */
} cc_error;

void cc_error_clear(cc_error *e);
void cc_error_set(cc_error *e, long long offset, const char *fmt, ...) CC_PRINTF(3, 4);
int cc_error_isset(const cc_error *e);

/* Diagnostics collected across files (rule files, invocations): every
 * problem is kept so all of them can be shown before exiting 2. */
enum diag_severity { DIAG_WARNING, DIAG_ERROR };
typedef struct diag {
	enum diag_severity severity;
	char *file; /* may be NULL */
	int line, col;  /* 1-based; 0 = unknown */
	char *msg;
} diag;
typedef struct diags {
	VEC(diag) items;
	size_t errors, warnings;
} diags;

void diags_add(diags *d, enum diag_severity sev, const char *file, int line, int col,
	       const char *fmt, ...) CC_PRINTF(6, 7);
/* Prints "file:line:col: error: msg" lines to fp. */
void diags_print(const diags *d, FILE *fp);
void diags_free(diags *d);

/* SHA-256 of data, as 64 lowercase hex digits plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

typedef struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;
	unsigned char buf[64];
	size_t buflen;
} sha256_ctx;
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final_hex(sha256_ctx *c, char out[65]);
/* Use the CPU's SHA instructions where it has them (on, the default) or
 * the portable code (0), for tests and comparisons; returns 1 if the
 * accelerated code is now in use. Both give the same digests. */
int sha256_set_accel(int on);

/* Monotonic seconds, for progress and summaries. */
double now_seconds(void);

#endif
