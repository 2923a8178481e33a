/*
 * read.h — stage 1: files, folders and JSONL records -> documents.
 *
 * Reads: paths given on the command line (files or folders, recursively).
 * Produces: `document` values holding the raw bytes, the format (by
 * extension, else by sniffing the first bytes), metadata, and a SHA-256
 * of the raw bytes. Nothing here interprets the text; see normalize.h.
 *
 * Ownership: a document owns every pointer in it; document_free() frees
 * them (and is safe on a zeroed document). Errors never abort: they come
 * back as a cc_error naming the offset or line.
 */
#ifndef CLAIMCHECK_READ_H
#define CLAIMCHECK_READ_H

#include <stddef.h>
#include "util.h"

typedef enum doc_format {
	FMT_AUTO = 0, /* detect */
	FMT_TXT,
	FMT_MD,
	FMT_HTML,
	FMT_JSONL /* a file of records; each record becomes a FMT_TXT document */
} doc_format;

const char *format_name(doc_format f);      /* "txt", "md", "html", "jsonl" */
doc_format format_from_name(const char *s); /* FMT_AUTO if unknown */

/* Default per-document size limit (bytes); `run --max-bytes` changes it. */
#define READ_DEFAULT_MAX_BYTES (64u * 1024 * 1024)

typedef struct document {
	char *key;       /* unique key in the database: path, or "path#id" for a JSONL record */
	char *path;      /* the file it came from */
	char *id;        /* JSONL "id" (as text), else NULL */
	long line;       /* JSONL line number (1-based), else 0 */
	char *title;     /* JSONL "title", else NULL (normalize finds HTML/Markdown titles) */
	char *url;       /* JSONL "url", else NULL */
	char *published; /* JSONL "published", else NULL */
	doc_format format; /* format of raw: FMT_TXT, FMT_MD or FMT_HTML */
	char *raw;       /* the bytes (NUL-terminated for convenience; may contain NULs) */
	size_t raw_len;
	char raw_hash[65]; /* SHA-256 hex of raw (plus title for JSONL records) */
} document;

void document_free(document *d);

/* Format from the file name's extension (.txt .text .md .markdown .html
 * .htm .xhtml .jsonl .ndjson), else from the first bytes (head, n). */
doc_format read_detect_format(const char *path, const char *head, size_t n);

/* Read a whole regular file into `out` (zeroed by the caller), with
 * format detection unless `fmt` is given. A file larger than max_bytes is
 * refused. Returns 0, or -1 with `err` set (out->path and out->key are set
 * even on error, so the failure can be recorded for that document). */
int read_file(const char *path, doc_format fmt, size_t max_bytes, document *out, cc_error *err);

/* Parse one JSONL line (without its newline) into `out` (zeroed by the
 * caller): requires a string "text" and an "id" (string or integer);
 * optional "title", "url", "published" strings. Returns 0, or -1 with
 * err set (err->line = lineno, err->offset = column of a JSON syntax
 * error); out->key is then "path#line:N" so the failure can be recorded. */
int read_jsonl_record(const char *path, long lineno, const char *line, size_t len,
		      document *out, cc_error *err);

/* Read a JSONL file line by line: calls fn(ctx, lineno, line, len) for
 * every line that is not blank (only spaces and tabs), without its line
 * end (\n, \r\n); lineno counts from 1, blank lines included. Returns 0,
 * or -1 with err set (why; as read_file, without the name) if the file
 * cannot be opened or read; the lines before a read error were passed on. */
typedef void (*read_line_fn)(void *ctx, long lineno, const char *line, size_t len);
int read_lines(const char *path, read_line_fn fn, void *ctx, cc_error *err);

/* Walk paths (files and folders, recursively, in sorted order; symlink
 * loops and non-regular files are skipped with a message). For every file
 * found, calls visit(ctx, path, format). A path that cannot be read is
 * reported through bad(ctx, path, message). Returns the number of files
 * visited; stops early if visit returns non-zero. */
typedef int (*read_visit_fn)(void *ctx, const char *path, doc_format fmt);
typedef void (*read_bad_fn)(void *ctx, const char *path, const char *msg);
size_t read_walk(const char *const *paths, size_t npaths, read_visit_fn visit, read_bad_fn bad, void *ctx);

#endif
