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
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
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
	size_t n = json_string_length(text);
	if (n == 0) {
		cc_error_set(err, -1, "empty \"text\"");
		goto out;
	}
	out->raw = xstrndup(json_string_value(text), n);
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

int read_lines(const char *path, read_line_fn fn, void *ctx, cc_error *err)
{
	cc_error_clear(err);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		cc_error_set(err, -1, "cannot open: %s", strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
		if (strspn(line, " \t") >= len) continue;
		fn(ctx, lineno, line, len);
	}
	int rc = 0;
	if (ferror(fp)) {
		cc_error_set(err, -1, "read error: %s", strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
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
