/*
 * read.c — stage 1: files, folders and JSONL records -> documents.
 *
 * Reads paths from the command line: walks folders in sorted order
 * (skipping hidden entries, symlink loops and non-regular files), reads
 * each file whole under a size limit, detects its format from the
 * extension or the first bytes, and parses JSONL records with jansson.
 * Adds: a `document` with the raw bytes, format, metadata and the SHA-256
 * of the raw bytes. Bad input is an error value, never a crash.
 */
#include "config.h"
#include "read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bytes looked at for sniffing and for the binary check. */
#define SNIFF_BYTES 8192
/* Folder nesting beyond this is reported rather than followed. */
#define WALK_MAX_DEPTH 512

static const char *const format_names[] = {
	[FMT_AUTO] = "auto", [FMT_TXT] = "txt", [FMT_MD] = "md",
	[FMT_HTML] = "html", [FMT_JSONL] = "jsonl",
};

const char *format_name(doc_format f)
{
	if ((unsigned)f < sizeof format_names / sizeof *format_names)
		return format_names[f];
	return "unknown";
}

doc_format format_from_name(const char *s)
{
	if (!s) return FMT_AUTO;
	for (int f = FMT_TXT; f <= FMT_JSONL; f++)
		if (strcasecmp(s, format_names[f]) == 0) return (doc_format)f;
	if (strcasecmp(s, "text") == 0) return FMT_TXT;
	if (strcasecmp(s, "markdown") == 0) return FMT_MD;
	if (strcasecmp(s, "htm") == 0) return FMT_HTML;
	if (strcasecmp(s, "ndjson") == 0) return FMT_JSONL;
	return FMT_AUTO;
}

void document_free(document *d)
{
	if (!d) return;
	free(d->key);
	free(d->path);
	free(d->id);
	free(d->title);
	free(d->url);
	free(d->published);
	free(d->raw);
	memset(d, 0, sizeof *d);
}

/* ---- format detection --------------------------------------------------- */

static const struct {
	const char *ext;
	doc_format fmt;
} extensions[] = {
	{"txt", FMT_TXT},   {"text", FMT_TXT},      {"md", FMT_MD},
	{"markdown", FMT_MD}, {"html", FMT_HTML},   {"htm", FMT_HTML},
	{"xhtml", FMT_HTML}, {"jsonl", FMT_JSONL},  {"ndjson", FMT_JSONL},
};

static doc_format format_from_extension(const char *path)
{
	if (!path) return FMT_AUTO;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base) return FMT_AUTO;
	for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++)
		if (strcasecmp(dot + 1, extensions[i].ext) == 0) return extensions[i].fmt;
	return FMT_AUTO;
}

static int is_ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_ascii_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first line of head parses as a JSON object (or is cut off by the
 * end of head, which is all a sniff can see). */
static int looks_like_jsonl(const char *s, size_t n, int truncated)
{
	const char *nl = memchr(s, '\n', n);
	if (!nl) return truncated;
	json_error_t jerr;
	json_t *j = json_loadb(s, (size_t)(nl - s), JSON_ALLOW_NUL, &jerr);
	int ok = j && json_is_object(j);
	json_decref(j);
	return ok;
}

doc_format read_detect_format(const char *path, const char *head, size_t n)
{
	doc_format f = format_from_extension(path);
	if (f != FMT_AUTO) return f;
	if (!head) return FMT_TXT;

	const unsigned char *s = (const unsigned char *)head;
	size_t i = 0;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
	while (i < n && is_ascii_space(s[i])) i++;
	if (i == n) return FMT_TXT;

	if (s[i] == '<' && i + 1 < n) {
		unsigned char c = s[i + 1];
		if (c == '!' || c == '?' || is_ascii_alpha(c)) return FMT_HTML;
	}
	if (s[i] == '{')
		return looks_like_jsonl(head + i, n - i, n >= SNIFF_BYTES) ? FMT_JSONL : FMT_TXT;
	if (s[i] == '#') {
		size_t j = i;
		while (j < n && j - i < 6 && s[j] == '#') j++;
		if (j < n && (s[j] == ' ' || s[j] == '\t')) return FMT_MD;
	}
	return FMT_TXT;
}

/* ---- whole files ---------------------------------------------------------- */

/* What a non-regular, non-folder file is, for messages. */
static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISSOCK(m)) return "a socket";
	if (S_ISCHR(m)) return "a character device";
	if (S_ISBLK(m)) return "a block device";
	return "not a file or folder";
}

/* Checks that make a file's bytes unusable as text at all. */
static int check_binary(const char *raw, size_t len, cc_error *err)
{
	const unsigned char *s = (const unsigned char *)raw;
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		cc_error_set(err, 0, "UTF-16 text (only UTF-8 is supported)");
		return -1;
	}
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
	const char *nul = memchr(raw, '\0', n);
	if (nul) {
		long long off = (long long)(nul - raw);
		cc_error_set(err, off, "binary file (NUL byte at offset %lld)", off);
		return -1;
	}
	return 0;
}

int read_file(const char *path, doc_format fmt, size_t max_bytes, document *out, cc_error *err)
{
	cc_error_clear(err);
	out->path = xstrdup(path);
	out->key = xstrdup(path);
	if (max_bytes == 0) max_bytes = READ_DEFAULT_MAX_BYTES;
	if (max_bytes > SIZE_MAX / 2) max_bytes = SIZE_MAX / 2;

	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		cc_error_set(err, -1, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		cc_error_set(err, -1, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		cc_error_set(err, -1, "is a directory");
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cc_error_set(err, -1, "not a regular file (%s)", special_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > max_bytes) {
		cc_error_set(err, -1, "file too large (%lld bytes; limit %zu bytes)",
			     (long long)st.st_size, max_bytes);
		close(fd);
		return -1;
	}

	/* Sized from fstat; grows only for files that lie about their size
	 * (/proc) or grow while being read, never past max_bytes. */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	if (cap < 4096) cap = 4096;
	if (cap > max_bytes + 1) cap = max_bytes + 1;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap - 1) {
			if (len >= max_bytes) {
				/* one more byte means the file is over the limit */
				char probe;
				ssize_t r = read(fd, &probe, 1);
				if (r > 0) {
					cc_error_set(err, -1,
						     "file too large (more than %zu bytes; limit %zu bytes)",
						     max_bytes, max_bytes);
					free(buf);
					close(fd);
					return -1;
				}
				break;
			}
			cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR) continue;
			cc_error_set(err, -1, "read error: %s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0) break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	out->raw = buf;
	out->raw_len = len;

	if (len == 0) {
		cc_error_set(err, -1, "empty file");
		return -1;
	}
	if (check_binary(buf, len, err) != 0) return -1;
	out->format = fmt != FMT_AUTO ? fmt
		      : read_detect_format(path, buf, len < SNIFF_BYTES ? len : SNIFF_BYTES);
	sha256_hex(buf, len, out->raw_hash);
	return 0;
}

/* ---- JSONL records ------------------------------------------------------ */

/* Fetch an optional string member into *dst. null counts as absent. */
static int get_opt_string(json_t *obj, const char *name, char **dst, cc_error *err)
{
	json_t *v = json_object_get(obj, name);
	if (!v || json_is_null(v)) return 0;
	if (!json_is_string(v)) {
		cc_error_set(err, -1, "\"%s\" is not a string", name);
		return -1;
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (memchr(s, '\0', n)) {
		cc_error_set(err, -1, "\"%s\" contains a NUL character", name);
		return -1;
	}
	*dst = xstrndup(s, n);
	return 0;
}

/* ---- a record's "text" without jansson's lexer ---------------------------
 *
 * jansson reads a string a byte at a time (about 140 instructions a byte),
 * and a record is nearly all "text". So the text is decoded here, and
 * jansson parses the line with that string's contents taken out (the
 * rest: id, title, url, published, anything else). Only text that jansson
 * would read the same way takes this path: printable bytes, strictly
 * valid UTF-8, the escapes \" \\ \/ \b \f \n \r \t and \uXXXX (a
 * surrogate only in a proper pair); anything else, and any line jansson
 * then refuses, is parsed whole by jansson as before, so errors keep their
 * messages and columns. The line without the string is valid JSON exactly
 * when the whole line is, and the member found is the top-level "text"
 * (the scan below follows JSON's structure; a second "text" is a
 * duplicate key, which jansson refuses). */

static size_t json_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
	return i;
}

/* s[i] is '"': the index after the string's closing quote, or 0. */
static size_t json_skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '"') return i + 1;
		if (s[i] == '\\') i++;
	}
	return 0;
}

/* The index after the value at s[i], or 0 (as far as a scan can tell:
 * jansson checks the value itself). */
static size_t json_skip_value(const char *s, size_t n, size_t i)
{
	if (i >= n) return 0;
	if (s[i] == '"') return json_skip_string(s, n, i);
	if (s[i] == '{' || s[i] == '[') {
		size_t depth = 0;
		while (i < n) {
			char c = s[i];
			if (c == '"') {
				i = json_skip_string(s, n, i);
				if (!i) return 0;
				continue;
			}
			if (c == '{' || c == '[') depth++;
			else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
			i++;
		}
		return 0;
	}
	size_t a = i;
	while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
	       s[i] != '\n' && s[i] != '\r' && s[i] != '"')
		i++;
	return i > a ? i : 0;
}

/* Where the top-level "text" string's contents start (after its opening
 * quote), or 0 if the scan finds none. */
static size_t json_find_text(const char *s, size_t n)
{
	size_t i = json_ws(s, n, 0);
	if (i >= n || s[i] != '{') return 0;
	i++;
	for (;;) {
		i = json_ws(s, n, i);
		if (i >= n || s[i] != '"') return 0;
		size_t k = i + 1, ke = json_skip_string(s, n, i);
		if (!ke) return 0;
		int is_text = ke - k == 5 && memcmp(s + k, "text\"", 5) == 0;
		i = json_ws(s, n, ke);
		if (i >= n || s[i] != ':') return 0;
		i = json_ws(s, n, i + 1);
		if (is_text) return i < n && s[i] == '"' ? i + 1 : 0;
		i = json_skip_value(s, n, i);
		if (!i) return 0;
		i = json_ws(s, n, i);
		if (i >= n || s[i] != ',') return 0;
		i++;
	}
}

/* Length of the strictly valid UTF-8 sequence at s[0, n) (s[0] >= 0x80),
 * or 0: no overlong forms, surrogates or code points above U+10FFFF, as
 * jansson checks. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0xC2) return 0;
	if (c < 0xE0) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0xF0) {
		if (n < 3 || (s[2] & 0xC0) != 0x80) return 0;
		if (c == 0xE0) lo = 0xA0;
		else if (c == 0xED) hi = 0x9F;
		return s[1] >= lo && s[1] <= hi ? 3 : 0;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
		if (c == 0xF0) lo = 0x90;
		else if (c == 0xF4) hi = 0x8F;
		return s[1] >= lo && s[1] <= hi ? 4 : 0;
	}
	return 0;
}

/* The value of the four hex digits at s[0, 4), or -1. */
static long hex4(const char *s)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)s[i];
		int d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
		else return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Decode the string contents at s[i, n) up to the closing quote into dst
 * (room for n - i + 1 bytes): returns the quote's index and sets *dlen,
 * or returns 0 for anything this decoder leaves to jansson. */
static size_t json_decode_text(const char *s, size_t n, size_t i, char *dst, size_t *dlen)
{
	const unsigned char *u = (const unsigned char *)s;
	char *d = dst;
	for (;;) {
#ifdef __SSE2__
		/* sixteen bytes at a time up to the next quote, backslash,
		 * control byte or byte >= 0x80 (below 0x20 when signed) */
		const __m128i sp = _mm_set1_epi8(0x20), qt = _mm_set1_epi8('"'),
			      bs = _mm_set1_epi8('\\');
		while (n - i >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(u + i));
			__m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, sp),
						    _mm_or_si128(_mm_cmpeq_epi8(v, qt), _mm_cmpeq_epi8(v, bs)));
			unsigned m = (unsigned)_mm_movemask_epi8(stop);
			_mm_storeu_si128((__m128i *)d, v);
			if (m) {
				unsigned k = (unsigned)__builtin_ctz(m);
				i += k;
				d += k;
				break;
			}
			i += 16;
			d += 16;
		}
#endif
		while (i < n && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\') *d++ = s[i++];
		if (i >= n) return 0;
		unsigned char c = u[i];
		if (c == '"') {
			*d = '\0';
			*dlen = (size_t)(d - dst);
			return i;
		}
		if (c >= 0x80) {
			size_t k = utf8_len(u + i, n - i);
			if (!k) return 0;
			memcpy(d, s + i, k);
			d += k;
			i += k;
			continue;
		}
		if (c != '\\' || i + 1 >= n) return 0; /* a control byte */
		char e = s[i + 1];
		i += 2;
		switch (e) {
		case '"': case '\\': case '/': *d++ = e; continue;
		case 'b': *d++ = '\b'; continue;
		case 'f': *d++ = '\f'; continue;
		case 'n': *d++ = '\n'; continue;
		case 'r': *d++ = '\r'; continue;
		case 't': *d++ = '\t'; continue;
		case 'u': break;
		default: return 0;
		}
		if (n - i < 4) return 0;
		long cp = hex4(s + i);
		i += 4;
		if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return 0;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u') return 0;
			long lo = hex4(s + i + 2);
			if (lo < 0xDC00 || lo > 0xDFFF) return 0;
			i += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		if (cp < 0x80) {
			*d++ = (char)cp;
		} else if (cp < 0x800) {
			*d++ = (char)(0xC0 | cp >> 6);
			*d++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*d++ = (char)(0xE0 | cp >> 12);
			*d++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*d++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*d++ = (char)(0xF0 | cp >> 18);
			*d++ = (char)(0x80 | (cp >> 12 & 0x3F));
			*d++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*d++ = (char)(0x80 | (cp & 0x3F));
		}
	}
}

/* jansson's parse of line[0, len) with the top-level "text" decoded here
 * when it can be (*text, *tlen: the caller frees *text); else of the
 * whole line, *text NULL. */
static json_t *load_record(const char *line, size_t len, char **text, size_t *tlen,
			   json_error_t *jerr)
{
	const size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
	*text = NULL;
	size_t body = json_find_text(line, len);
	if (body) {
		char *t = xmalloc(len - body + 1);
		size_t q = json_decode_text(line, len, body, t, tlen);
		if (q) {
			/* the line with the string emptied: its other members */
			char small[1024];
			size_t rest = body + (len - q);
			char *m = rest <= sizeof small ? small : xmalloc(rest);
			memcpy(m, line, body);
			memcpy(m + body, line + q, len - q);
			json_t *j = json_loadb(m, rest, flags, jerr);
			if (m != small) free(m);
			if (j) {
				*text = t;
				return j;
			}
		}
		free(t);
	}
	return json_loadb(line, len, flags, jerr);
}

static int parse_record(const char *line, size_t len, document *out, cc_error *err)
{
	int bom = 0;
	if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
		bom = 1;
	}
	/* jansson reads a raw NUL as the end of the input ("near end of file") */
	const char *nul = memchr(line, '\0', len);
	if (nul) {
		int col = (int)(nul - line) + 1 + bom;
		cc_error_set(err, col, "NUL byte at column %d (binary data, not JSON)", col);
		return -1;
	}
	json_error_t jerr;
	char *tdec;
	size_t tdec_len;
	json_t *j = load_record(line, len, &tdec, &tdec_len, &jerr);
	if (!j) {
		int col = jerr.column > 0 ? jerr.column + bom : 1;
		cc_error_set(err, col, "invalid JSON at column %d: %s", col, jerr.text);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(j)) {
		cc_error_set(err, -1, "record is not a JSON object");
		goto out;
	}

	json_t *id = json_object_get(j, "id");
	if (!id || json_is_null(id)) {
		cc_error_set(err, -1, "missing \"id\"");
		goto out;
	}
	if (json_is_integer(id)) {
		out->id = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
	} else if (json_is_string(id)) {
		size_t n = json_string_length(id);
		const char *s = json_string_value(id);
		if (n == 0) {
			cc_error_set(err, -1, "\"id\" is empty");
			goto out;
		}
		if (memchr(s, '\0', n)) {
			cc_error_set(err, -1, "\"id\" contains a NUL character");
			goto out;
		}
		out->id = xstrndup(s, n);
	} else {
		cc_error_set(err, -1, "\"id\" is not a string or an integer");
		goto out;
	}

	json_t *text = json_object_get(j, "text");
	if (!text || json_is_null(text)) {
		cc_error_set(err, -1, "missing \"text\"");
		goto out;
	}
	if (!json_is_string(text)) {
		cc_error_set(err, -1, "\"text\" is not a string");
		goto out;
	}
	if (get_opt_string(j, "title", &out->title, err) ||
	    get_opt_string(j, "url", &out->url, err) ||
	    get_opt_string(j, "published", &out->published, err))
		goto out;

	/* NULs in the text stay: normalize reports them with their offset. */
	size_t n = tdec ? tdec_len : json_string_length(text);
	if (n == 0) {
		cc_error_set(err, -1, "empty \"text\"");
		goto out;
	}
	if (tdec) {
		out->raw = tdec;
		tdec = NULL;
	} else {
		out->raw = xstrndup(json_string_value(text), n);
	}
	out->raw_len = n;
	out->format = FMT_TXT;

	sha256_ctx c;
	sha256_init(&c);
	if (out->title) sha256_update(&c, out->title, strlen(out->title));
	sha256_update(&c, "", 1);
	sha256_update(&c, out->raw, out->raw_len);
	sha256_final_hex(&c, out->raw_hash);
	rc = 0;
out:
	free(tdec);
	json_decref(j);
	return rc;
}

/* "path#id", without a trip through printf (once a record). */
static char *record_key(const char *path, const char *id)
{
	size_t a = strlen(path), b = strlen(id);
	char *k = xmalloc(a + b + 2);
	memcpy(k, path, a);
	k[a] = '#';
	memcpy(k + a + 1, id, b + 1);
	return k;
}

int read_jsonl_record(const char *path, long lineno, const char *line, size_t len,
		      document *out, cc_error *err)
{
	cc_error_clear(err);
	out->path = xstrdup(path);
	out->line = lineno;
	if (parse_record(line, len, out, err) == 0) {
		out->key = record_key(path, out->id);
		return 0;
	}
	err->line = lineno;
	out->key = xasprintf("%s#line:%ld", path, lineno);
	return -1;
}

/* ---- walking folders ---------------------------------------------------- */

struct dirid {
	dev_t dev;
	ino_t ino;
};

typedef struct walker {
	read_visit_fn visit;
	read_bad_fn bad;
	void *ctx;
	size_t visited;
	int stop;
	VEC(struct dirid) stack; /* folders on the current path */
	strbuf path;
} walker;

static void walk_bad(walker *w, const char *path, const char *fmt, ...) CC_PRINTF(3, 4);

static void walk_bad(walker *w, const char *path, const char *fmt, ...)
{
	if (!w->bad) return;
	strbuf m = {0};
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&m, fmt, ap);
	va_end(ap);
	w->bad(w->ctx, path, m.data);
	strbuf_free(&m);
}

/* Format from the extension, else from the first bytes of the file. An
 * unreadable file gets FMT_AUTO; read_file then reports why. */
static doc_format walk_format(const char *path)
{
	doc_format f = format_from_extension(path);
	if (f != FMT_AUTO) return f;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) return FMT_AUTO;
	char head[SNIFF_BYTES];
	size_t n = 0;
	while (n < sizeof head) {
		ssize_t r = read(fd, head + n, sizeof head - n);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) break;
		n += (size_t)r;
	}
	close(fd);
	return read_detect_format(path, head, n);
}

static void walk_file(walker *w, const char *path)
{
	w->visited++;
	if (w->visit(w->ctx, path, walk_format(path)) != 0) w->stop = 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(walker *w, const struct stat *dst);

/* stat(path) failed with error e: say why in the user's terms. */
static void walk_stat_failed(walker *w, const char *path, int e)
{
	struct stat lst;
	if (e == ELOOP)
		walk_bad(w, path, "symlink loop (skipped)");
	else if (e == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
		walk_bad(w, path, "broken symlink: its target does not exist (skipped)");
	else if (e == ENOENT)
		walk_bad(w, path, "vanished during the run (skipped)");
	else
		walk_bad(w, path, "cannot stat: %s", strerror(e));
}

/* w->path holds the entry's path; st is what it resolves to. */
static void walk_entry(walker *w, const struct stat *st)
{
	if (S_ISDIR(st->st_mode)) {
		walk_dir(w, st);
	} else if (S_ISREG(st->st_mode)) {
		walk_file(w, w->path.data);
	} else {
		walk_bad(w, w->path.data, "not a regular file (%s; skipped)", special_kind(st->st_mode));
	}
}

static void walk_dir(walker *w, const struct stat *dst)
{
	const char *path = w->path.data;
	for (size_t i = 0; i < w->stack.n; i++)
		if (w->stack.v[i].dev == dst->st_dev && w->stack.v[i].ino == dst->st_ino) {
			walk_bad(w, path, "symlink loop (folder already being walked; skipped)");
			return;
		}
	if (w->stack.n >= WALK_MAX_DEPTH) {
		walk_bad(w, path, "folders nested too deeply (more than %d; skipped)", WALK_MAX_DEPTH);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		walk_bad(w, path, "cannot open folder: %s", strerror(errno));
		return;
	}
	VEC(char *) names = {0};
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') continue; /* hidden, ".", ".." */
		VEC_PUSH(&names, xstrdup(de->d_name));
	}
	if (errno != 0) walk_bad(w, path, "cannot read folder: %s", strerror(errno));
	closedir(d);
	if (names.n > 1) qsort(names.v, names.n, sizeof *names.v, cmp_names);

	struct dirid id = {dst->st_dev, dst->st_ino};
	VEC_PUSH(&w->stack, id);
	size_t base = w->path.len;
	int slash = base > 0 && w->path.data[base - 1] == '/';
	for (size_t i = 0; i < names.n && !w->stop; i++) {
		w->path.len = base;
		if (!slash) strbuf_putc(&w->path, '/');
		strbuf_puts(&w->path, names.v[i]);
		struct stat st;
		if (stat(w->path.data, &st) != 0) {
			walk_stat_failed(w, w->path.data, errno);
			continue;
		}
		walk_entry(w, &st);
	}
	w->stack.n--;
	w->path.len = base;
	w->path.data[base] = '\0';
	for (size_t i = 0; i < names.n; i++) free(names.v[i]);
	VEC_FREE(&names);
}

size_t read_walk(const char *const *paths, size_t npaths, read_visit_fn visit, read_bad_fn bad, void *ctx)
{
	walker w = {.visit = visit, .bad = bad, .ctx = ctx};
	for (size_t i = 0; i < npaths && !w.stop; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			int e = errno;
			struct stat lst;
			if (e == ELOOP || (e == ENOENT && lstat(paths[i], &lst) == 0))
				walk_stat_failed(&w, paths[i], e);
			else
				walk_bad(&w, paths[i], "cannot stat: %s", strerror(e));
			continue;
		}
		strbuf_reset(&w.path);
		strbuf_puts(&w.path, paths[i]);
		walk_entry(&w, &st);
	}
	strbuf_free(&w.path);
	VEC_FREE(&w.stack);
	return w.visited;
}
