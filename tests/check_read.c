/*
 * check_read.c — stage 1: format detection, whole files (limits, empty,
 * binary, non-regular), JSONL records (good and bad, exact messages), and
 * folder walks (order, hidden entries, symlink loops, non-regular files).
 */
#include "config.h"
#include "read.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define FIXTURE(name) test_path("tests/fixtures/input/" name)

/* ---- detection ------------------------------------------------------------ */

static const struct {
	const char *path, *head;
	doc_format want;
} detect_cases[] = {
	{"a/b.txt", "<html>", FMT_TXT},            /* the extension wins */
	{"a/b.TEXT", "", FMT_TXT},
	{"x.md", "", FMT_MD},
	{"x.Markdown", "", FMT_MD},
	{"x.html", "plain", FMT_HTML},
	{"x.htm", "", FMT_HTML},
	{"x.xhtml", "", FMT_HTML},
	{"x.jsonl", "not json", FMT_JSONL},
	{"x.ndjson", "", FMT_JSONL},
	{"dir.md/file", "just words", FMT_TXT},    /* a dot in a folder name is no extension */
	{".hidden", "just words", FMT_TXT},
	{"noext", "<!DOCTYPE html><html>", FMT_HTML},
	{"noext", "\xEF\xBB\xBF  \n<html lang=en>", FMT_HTML},
	{"noext", "<p>para", FMT_HTML},
	{"noext", "<!-- c -->", FMT_HTML},
	{"noext", "< not a tag", FMT_TXT},
	{"noext", "{\"id\":1,\"text\":\"x\"}\n{\"id\":2}", FMT_JSONL},
	{"noext", "  {\"id\":1}\n", FMT_JSONL},
	{"noext", "{ this is prose }\nmore", FMT_TXT},
	{"noext", "{\n  \"pretty\": true\n}\n", FMT_TXT},
	{"noext", "# Heading\n\ntext", FMT_MD},
	{"noext", "###### six", FMT_MD},
	{"noext", "####### seven", FMT_TXT},
	{"noext", "#hashtag", FMT_TXT},
	{"noext", "Plain words.", FMT_TXT},
	{"noext", "", FMT_TXT},
	{"x.pdf", "%PDF-1.4", FMT_TXT},
};

START_TEST(test_detect)
{
	const char *h = detect_cases[_i].head;
	doc_format got = read_detect_format(detect_cases[_i].path, h, strlen(h));
	ck_assert_msg(got == detect_cases[_i].want, "%s / %s: got %s, want %s", detect_cases[_i].path,
		      h, format_name(got), format_name(detect_cases[_i].want));
}
END_TEST

START_TEST(test_format_names)
{
	ck_assert_str_eq(format_name(FMT_TXT), "txt");
	ck_assert_str_eq(format_name(FMT_MD), "md");
	ck_assert_str_eq(format_name(FMT_HTML), "html");
	ck_assert_str_eq(format_name(FMT_JSONL), "jsonl");
	ck_assert_int_eq(format_from_name("txt"), FMT_TXT);
	ck_assert_int_eq(format_from_name("markdown"), FMT_MD);
	ck_assert_int_eq(format_from_name("HTML"), FMT_HTML);
	ck_assert_int_eq(format_from_name("jsonl"), FMT_JSONL);
	ck_assert_int_eq(format_from_name("pdf"), FMT_AUTO);
	ck_assert_int_eq(format_from_name(NULL), FMT_AUTO);
}
END_TEST

/* ---- whole files ------------------------------------------------------------ */

START_TEST(test_read_txt)
{
	document d = {0};
	cc_error err;
	const char *p = FIXTURE("article.txt");
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), 0);
	ck_assert_str_eq(d.path, p);
	ck_assert_str_eq(d.key, p);
	ck_assert_ptr_null(d.id);
	ck_assert_int_eq(d.format, FMT_TXT);
	ck_assert_uint_eq(d.raw_len, 384);
	ck_assert_int_eq(d.raw[d.raw_len], '\0');
	ck_assert(memcmp(d.raw, "Harbour authority weighs", 24) == 0);
	ck_assert_str_eq(d.raw_hash, "136227c7a3ee35ffe87085db1ecd1ad148b497904ad3cb5d10920ef7a07df2df");
	document_free(&d);
	ck_assert_ptr_null(d.raw);
	document_free(&d); /* twice is fine */

	/* a forced format is kept */
	ck_assert_int_eq(read_file(p, FMT_MD, 0, &d, &err), 0);
	ck_assert_int_eq(d.format, FMT_MD);
	document_free(&d);
}
END_TEST

START_TEST(test_read_formats)
{
	static const struct {
		const char *name;
		doc_format fmt;
	} cases[] = {
		{"article.md", FMT_MD}, {"article.html", FMT_HTML}, {"broken.html", FMT_HTML},
		{"records.jsonl", FMT_JSONL}, {"crlf.txt", FMT_TXT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "tests/fixtures/input/%s", cases[i].name);
		document d = {0};
		cc_error err;
		ck_assert_msg(read_file(test_path(rel), FMT_AUTO, 0, &d, &err) == 0, "%s: %s", rel, err.msg);
		ck_assert_int_eq(d.format, cases[i].fmt);
		document_free(&d);
	}
}
END_TEST

START_TEST(test_read_limit)
{
	document d = {0};
	cc_error err;
	ck_assert_int_eq(read_file(FIXTURE("article.txt"), FMT_AUTO, 100, &d, &err), -1);
	ck_assert_str_eq(err.msg, "file too large (384 bytes; limit 100 bytes)");
	ck_assert_str_eq(d.key, FIXTURE("article.txt"));
	ck_assert_ptr_null(d.raw);
	document_free(&d);
	/* exactly at the limit is fine */
	ck_assert_int_eq(read_file(FIXTURE("article.txt"), FMT_AUTO, 384, &d, &err), 0);
	ck_assert_uint_eq(d.raw_len, 384);
	document_free(&d);
	ck_assert_int_eq(read_file(FIXTURE("article.txt"), FMT_AUTO, 383, &d, &err), -1);
	ck_assert_str_eq(err.msg, "file too large (384 bytes; limit 383 bytes)");
	document_free(&d);
}
END_TEST

static const struct {
	const char *name, *msg;
	long long offset;
} bad_files[] = {
	{"empty.txt", "empty file", -1},
	{"image.png", "binary file (NUL byte at offset 8)", 8},
	{"nul.txt", "binary file (NUL byte at offset 15)", 15},
	{"does-not-exist.txt", "cannot open: No such file or directory", -1},
	{"", "is a directory", -1},
};

START_TEST(test_read_bad)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tests/fixtures/input/%s", bad_files[_i].name);
	char *p = xstrdup(test_path(rel));
	document d = {0};
	cc_error err;
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), -1);
	ck_assert_str_eq(err.msg, bad_files[_i].msg);
	ck_assert_int_eq(err.offset, bad_files[_i].offset);
	ck_assert_str_eq(d.key, p);
	ck_assert_str_eq(d.path, p);
	document_free(&d);
	free(p);
}
END_TEST

/* A fresh scratch folder for one test. */
static const char *scratch(const char *name)
{
	static char dir[4200];
	snprintf(dir, sizeof dir, "%s/read-%s", test_tmpdir(), name);
	char cmd[8500];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	return dir;
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_read_special)
{
	const char *dir = scratch("special");
	char p[4400];
	document d = {0};
	cc_error err;

	snprintf(p, sizeof p, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), -1); /* does not block */
	ck_assert_str_eq(err.msg, "not a regular file (a FIFO)");
	document_free(&d);

	snprintf(p, sizeof p, "%s/utf16.txt", dir);
	write_file(p, "\xFF\xFEh\0i\0", 6);
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), -1);
	ck_assert_str_eq(err.msg, "UTF-16 text (only UTF-8 is supported)");
	document_free(&d);

	/* a NUL past the first 8 KB is left for normalize to report */
	static char big[9000];
	memset(big, 'a', sizeof big);
	big[8500] = '\0';
	snprintf(p, sizeof p, "%s/late-nul", dir);
	write_file(p, big, sizeof big);
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), 0);
	ck_assert_uint_eq(d.raw_len, sizeof big);
	ck_assert_int_eq(d.format, FMT_TXT);
	document_free(&d);

	/* files whose size fstat does not know (/proc) are read to the end, under the limit */
	if (access("/proc/self/status", R_OK) == 0) {
		ck_assert_int_eq(read_file("/proc/self/status", FMT_TXT, 0, &d, &err), 0);
		ck_assert_uint_gt(d.raw_len, 10);
		ck_assert(memcmp(d.raw, "Name:", 5) == 0);
		document_free(&d);
		ck_assert_int_eq(read_file("/proc/self/status", FMT_TXT, 10, &d, &err), -1);
		ck_assert_str_eq(err.msg, "file too large (more than 10 bytes; limit 10 bytes)");
		document_free(&d);
	}

	/* sniffed formats */
	snprintf(p, sizeof p, "%s/page", dir);
	write_file(p, "<html><p>x</p>", 14);
	ck_assert_int_eq(read_file(p, FMT_AUTO, 0, &d, &err), 0);
	ck_assert_int_eq(d.format, FMT_HTML);
	document_free(&d);
}
END_TEST

/* ---- JSONL records ---------------------------------------------------------- */

/* The fixture's lines, by number (1-based), without the newline. */
static char *fixture_line(const char *name, long want, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tests/fixtures/input/%s", name);
	FILE *f = fopen(test_path(rel), "rb");
	ck_assert_ptr_nonnull(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = 0;
	for (long i = 1; i <= want; i++) {
		n = getline(&line, &cap, f);
		ck_assert_int_ge(n, 1);
	}
	fclose(f);
	if (line[n - 1] == '\n') line[--n] = '\0';
	*len = (size_t)n;
	return line;
}

START_TEST(test_jsonl_good)
{
	size_t len;
	char *line = fixture_line("records.jsonl", 1, &len);
	document d = {0};
	cc_error err;
	ck_assert_int_eq(read_jsonl_record("in/records.jsonl", 1, line, len, &d, &err), 0);
	ck_assert_str_eq(d.key, "in/records.jsonl#a1");
	ck_assert_str_eq(d.path, "in/records.jsonl");
	ck_assert_str_eq(d.id, "a1");
	ck_assert_int_eq(d.line, 1);
	ck_assert_str_eq(d.title, "Port traffic dips");
	ck_assert_str_eq(d.url, "https://example.org/a1");
	ck_assert_str_eq(d.published, "2024-03-02");
	ck_assert_int_eq(d.format, FMT_TXT);
	ck_assert_str_eq(d.raw, "Port traffic fell in March, officials said.\n\nA recovery is expected.");
	ck_assert_uint_eq(d.raw_len, strlen(d.raw));
	/* SHA-256 of title "\0" text */
	ck_assert_str_eq(d.raw_hash, "d1027b7d4860851f8a34da33c5722e5dc92a3e1f33cc41adcc14ee9590b61123");
	document_free(&d);
	free(line);

	line = fixture_line("records.jsonl", 2, &len);
	ck_assert_int_eq(read_jsonl_record("r.jsonl", 2, line, len, &d, &err), 0);
	ck_assert_str_eq(d.key, "r.jsonl#42");
	ck_assert_str_eq(d.id, "42");
	ck_assert_ptr_null(d.title);
	ck_assert_ptr_null(d.url);
	ck_assert_str_eq(d.raw, "An integer id is fine.");
	document_free(&d);
	free(line);

	/* NUL inside the text is kept (normalize reports it with its offset) */
	line = fixture_line("records.jsonl", 5, &len);
	ck_assert_int_eq(read_jsonl_record("r.jsonl", 5, line, len, &d, &err), 0);
	ck_assert_uint_eq(d.raw_len, 12);
	ck_assert(memcmp(d.raw, "before\0after", 12) == 0);
	document_free(&d);
	free(line);
}
END_TEST

static const struct {
	const char *line, *msg;
	long long offset;
	const char *key;
} jsonl_bad[] = {
	{"{\"id\": \"bad\", \"text\": \"missing brace\"", "invalid JSON at column 37: '}' expected near end of file", 37, "f.jsonl#line:7"},
	{"{\"id\": \"nt\", \"title\": \"No text here\"}", "missing \"text\"", -1, "f.jsonl#line:7"},
	{"{\"text\": \"no id\"}", "missing \"id\"", -1, "f.jsonl#line:7"},
	{"[1]", "record is not a JSON object", -1, "f.jsonl#line:7"},
	{"{\"id\":1.5,\"text\":\"x\"}", "\"id\" is not a string or an integer", -1, "f.jsonl#line:7"},
	{"{\"id\":\"\",\"text\":\"x\"}", "\"id\" is empty", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":7}", "\"text\" is not a string", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"\"}", "empty \"text\"", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"x\",\"title\":3}", "\"title\" is not a string", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"x\",\"url\":[]}", "\"url\" is not a string", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"x\",\"title\":\"a\\u0000b\"}", "\"title\" contains a NUL character", -1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"id\":\"b\",\"text\":\"x\"}", "invalid JSON at column 14: duplicate object key near '\"id\"'", 14, "f.jsonl#line:7"},
	{"{\"id\":\"x\",\"text\":\"ab\"} junk", "invalid JSON at column 27: end of file expected near 'junk'", 27, "f.jsonl#line:7"},
	{"{\"id\":\"x\",\"text\":\"caf\xC3\"}", "invalid JSON at column 21: unable to decode byte 0xc3 near '\"caf'", 21, "f.jsonl#line:7"},
	{"", "invalid JSON at column 1: '[' or '{' expected near end of file", 1, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"x\",\"n\":1e999999}", "invalid JSON at column 33: real number overflow near '1e999999'", 33, "f.jsonl#line:7"},
	{"{\"id\":123456789012345678901234567890,\"text\":\"x\"}", "invalid JSON at column 36: too big integer", 36, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"lone \\ud800 half\"}", "invalid JSON at column 35: invalid Unicode '\\uD800' near '\"lone \\ud800 half\"'", 35, "f.jsonl#line:7"},
	{"{\"id\":\"a\",\"text\":\"raw\ttab\"}", "invalid JSON at column 21: control character 0x9 near '\"raw'", 21, "f.jsonl#line:7"},
};

START_TEST(test_jsonl_bad)
{
	document d = {0};
	cc_error err;
	const char *l = jsonl_bad[_i].line;
	ck_assert_int_eq(read_jsonl_record("f.jsonl", 7, l, strlen(l), &d, &err), -1);
	ck_assert_str_eq(err.msg, jsonl_bad[_i].msg);
	ck_assert_int_eq(err.offset, jsonl_bad[_i].offset);
	ck_assert_int_eq(err.line, 7);
	ck_assert_str_eq(d.key, jsonl_bad[_i].key);
	ck_assert_int_eq(d.line, 7);
	document_free(&d);
}
END_TEST

/* Binary data, absurd nesting and a huge value: errors or records, fast. */
START_TEST(test_jsonl_hostile)
{
	document d = {0};
	cc_error err;
	static const char nul[] = "\x01\x00\x7F{\"id\":1}";
	ck_assert_int_eq(read_jsonl_record("f.jsonl", 2, nul, sizeof nul - 1, &d, &err), -1);
	ck_assert_str_eq(err.msg, "NUL byte at column 2 (binary data, not JSON)");
	ck_assert_int_eq(err.offset, 2);
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(d.key, "f.jsonl#line:2");
	document_free(&d);

	/* 100,000 nested arrays: jansson's depth limit, not a stack overflow */
	strbuf b = {0};
	strbuf_puts(&b, "{\"id\":\"deep\",\"text\":\"x\",\"a\":");
	for (int i = 0; i < 100000; i++) strbuf_putc(&b, '[');
	for (int i = 0; i < 100000; i++) strbuf_putc(&b, ']');
	strbuf_putc(&b, '}');
	ck_assert_int_eq(read_jsonl_record("f.jsonl", 3, b.data, b.len, &d, &err), -1);
	ck_assert_msg(strstr(err.msg, "maximum parsing depth reached") != NULL, "%s", err.msg);
	ck_assert_int_eq(err.line, 3);
	document_free(&d);

	/* an 8 MB text value is a record like any other */
	strbuf_reset(&b);
	strbuf_puts(&b, "{\"id\":\"big\",\"text\":\"");
	for (int i = 0; i < 1000000; i++) strbuf_puts(&b, "Rates go ");
	strbuf_puts(&b, "\"}");
	ck_assert_int_eq(read_jsonl_record("f.jsonl", 4, b.data, b.len, &d, &err), 0);
	ck_assert_uint_eq(d.raw_len, 9000000);
	ck_assert_str_eq(d.key, "f.jsonl#big");
	document_free(&d);
	strbuf_free(&b);
}
END_TEST

START_TEST(test_jsonl_misc)
{
	document d = {0};
	cc_error err;
	/* a BOM on the first line, a CR before the newline, null optionals */
	const char *l = "\xEF\xBB\xBF{\"id\":\"b\",\"text\":\"x\",\"title\":null}\r";
	ck_assert_int_eq(read_jsonl_record("f", 1, l, strlen(l), &d, &err), 0);
	ck_assert_str_eq(d.key, "f#b");
	ck_assert_ptr_null(d.title);
	/* no title hashes as "" "\0" text */
	char want[65];
	sha256_hex("\0x", 2, want);
	ck_assert_str_eq(d.raw_hash, want);
	document_free(&d);

	/* negative and large integer ids; the line is not NUL-terminated */
	const char *two = "{\"id\":-9007199254740993,\"text\":\"y\"}XXXX";
	ck_assert_int_eq(read_jsonl_record("f", 2, two, strlen(two) - 4, &d, &err), 0);
	ck_assert_str_eq(d.key, "f#-9007199254740993");
	document_free(&d);
}
END_TEST

/* read_lines: each line "lineno:text|" */
static void log_line(void *ctx, long lineno, const char *line, size_t len)
{
	strbuf *log = ctx;
	strbuf_printf(log, "%ld:", lineno);
	strbuf_append(log, line, len);
	strbuf_putc(log, '|');
}

START_TEST(test_read_lines)
{
	const char *dir = scratch("lines");
	char p[4400];
	strbuf log = {0};
	cc_error err;
	/* blank lines (spaces and tabs too) skipped but counted; \r\n and a
	 * last line without a newline; a NUL inside a line is kept */
	snprintf(p, sizeof p, "%s/a.jsonl", dir);
	static const char text[] = "a\n\n \t\nb b\r\nc\0d\n\r\ne";
	static const char want[] = "1:a|4:b b|5:c\0d|7:e|";
	write_file(p, text, sizeof text - 1);
	ck_assert_int_eq(read_lines(p, log_line, &log, &err), 0);
	ck_assert_uint_eq(log.len, sizeof want - 1);
	ck_assert_int_eq(memcmp(log.data, want, sizeof want - 1), 0);
	/* an empty file: no line */
	strbuf_reset(&log);
	snprintf(p, sizeof p, "%s/empty.jsonl", dir);
	write_file(p, "", 0);
	ck_assert_int_eq(read_lines(p, log_line, &log, &err), 0);
	ck_assert_uint_eq(log.len, 0);
	/* a missing file: the reason, not the name (the caller has it) */
	snprintf(p, sizeof p, "%s/missing.jsonl", dir);
	ck_assert_int_eq(read_lines(p, log_line, &log, &err), -1);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
	ck_assert_uint_eq(log.len, 0);
	/* a folder opens but cannot be read */
	ck_assert_int_eq(read_lines(dir, log_line, &log, &err), -1);
	ck_assert_str_eq(err.msg, "read error: Is a directory");
	strbuf_free(&log);
}
END_TEST

/* ---- walking ---------------------------------------------------------------- */

typedef struct walk_log {
	strbuf log;
	size_t stop_after; /* 0 = never */
	size_t seen;
	size_t prefix;     /* bytes of the scratch path to cut from logged paths */
} walk_log;

static int log_visit(void *ctx, const char *path, doc_format fmt)
{
	walk_log *w = ctx;
	strbuf_printf(&w->log, "V %s %s\n", path + w->prefix, format_name(fmt));
	return w->stop_after && ++w->seen >= w->stop_after;
}

static void log_bad(void *ctx, const char *path, const char *msg)
{
	walk_log *w = ctx;
	strbuf_printf(&w->log, "B %s: %s\n", path + w->prefix, msg);
}

static const char *make_tree(void)
{
	const char *dir = scratch("walk");
	static char root[4400];
	snprintf(root, sizeof root, "%s", dir);
	static const char *const files[][2] = {
		{"b.txt", "bee"}, {"a.md", "# a"}, {"Z.txt", "zed"}, {".hidden.txt", "no"},
		{".git/config", "no"}, {"sub/c.html", "<p>c</p>"}, {"sub/noext", "<p>sniffed</p>"},
		{"sub/deeper/d.jsonl", "{}"}, {"sub/data", "{\"id\":1,\"text\":\"t\"}\n"},
	};
	char p[4600];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i][0]);
		char *slash = strrchr(p, '/');
		*slash = '\0';
		mkdir(p, 0700);
		*slash = '/';
		write_file(p, files[i][1], strlen(files[i][1]));
	}
	snprintf(p, sizeof p, "%s/sub/loop", root);
	ck_assert_int_eq(symlink("..", p), 0);
	snprintf(p, sizeof p, "%s/self", root);
	ck_assert_int_eq(symlink("self", p), 0);
	snprintf(p, sizeof p, "%s/dangling", root);
	ck_assert_int_eq(symlink("nowhere", p), 0);
	snprintf(p, sizeof p, "%s/fifo", root);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	snprintf(p, sizeof p, "%s/link.txt", root);
	ck_assert_int_eq(symlink("b.txt", p), 0);
	return root;
}

START_TEST(test_walk)
{
	const char *root = make_tree();
	walk_log w = {.prefix = strlen(root) - strlen("walk")};
	const char *paths[] = {root};
	size_t n = read_walk(paths, 1, log_visit, log_bad, &w);
	ck_assert_str_eq(w.log.data,
			 "V walk/Z.txt txt\n"
			 "V walk/a.md md\n"
			 "V walk/b.txt txt\n"
			 "B walk/dangling: broken symlink: its target does not exist (skipped)\n"
			 "B walk/fifo: not a regular file (a FIFO; skipped)\n"
			 "V walk/link.txt txt\n"
			 "B walk/self: symlink loop (skipped)\n"
			 "V walk/sub/c.html html\n"
			 "V walk/sub/data jsonl\n"
			 "V walk/sub/deeper/d.jsonl jsonl\n"
			 "B walk/sub/loop: symlink loop (folder already being walked; skipped)\n"
			 "V walk/sub/noext html\n");
	ck_assert_uint_eq(n, 8);
	strbuf_free(&w.log);
}
END_TEST

START_TEST(test_walk_args)
{
	const char *root = make_tree();
	char slash[4500], hidden[4500], missing[4500];
	snprintf(slash, sizeof slash, "%s/sub/", root);
	snprintf(hidden, sizeof hidden, "%s/.hidden.txt", root);
	snprintf(missing, sizeof missing, "%s/missing", root);
	walk_log w = {.prefix = strlen(root) - strlen("walk")};
	const char *paths[] = {hidden, missing, slash};
	size_t n = read_walk(paths, 3, log_visit, log_bad, &w);
	ck_assert_str_eq(w.log.data,
			 "V walk/.hidden.txt txt\n" /* named explicitly: not skipped */
			 "B walk/missing: cannot stat: No such file or directory\n"
			 "V walk/sub/c.html html\n"
			 "V walk/sub/data jsonl\n"
			 "V walk/sub/deeper/d.jsonl jsonl\n"
			 /* sub/loop is the parent, not yet being walked: one round */
			 "V walk/sub/loop/Z.txt txt\n"
			 "V walk/sub/loop/a.md md\n"
			 "V walk/sub/loop/b.txt txt\n"
			 "B walk/sub/loop/dangling: broken symlink: its target does not exist (skipped)\n"
			 "B walk/sub/loop/fifo: not a regular file (a FIFO; skipped)\n"
			 "V walk/sub/loop/link.txt txt\n"
			 "B walk/sub/loop/self: symlink loop (skipped)\n"
			 "B walk/sub/loop/sub: symlink loop (folder already being walked; skipped)\n"
			 "V walk/sub/noext html\n");
	ck_assert_uint_eq(n, 9);
	strbuf_free(&w.log);

	/* stopping early */
	walk_log s = {.prefix = w.prefix, .stop_after = 2};
	const char *all[] = {root, root};
	ck_assert_uint_eq(read_walk(all, 2, log_visit, NULL, &s), 2);
	ck_assert_str_eq(s.log.data, "V walk/Z.txt txt\nV walk/a.md md\n");
	strbuf_free(&s.log);
}
END_TEST

/* Sockets, devices, vanished entries: named for what they are. */
START_TEST(test_walk_special)
{
	const char *dir = scratch("special-walk");
	char sock[4400], gone[4400];
	snprintf(sock, sizeof sock, "%s/sock", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int have_sock = strlen(sock) < sizeof sa.sun_path;
	if (have_sock) {
		memcpy(sa.sun_path, sock, strlen(sock) + 1);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	}
	close(fd);
	snprintf(gone, sizeof gone, "%s/gone.txt", dir);

	document d = {0};
	cc_error err;
	ck_assert_int_eq(read_file("/dev/null", FMT_AUTO, 0, &d, &err), -1);
	ck_assert_str_eq(err.msg, "not a regular file (a character device)");
	ck_assert_str_eq(d.key, "/dev/null");
	document_free(&d);
	ck_assert_int_eq(read_file(gone, FMT_AUTO, 0, &d, &err), -1);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
	document_free(&d);

	walk_log w = {.prefix = 0};
	const char *paths[] = {"/dev/null", have_sock ? sock : "/dev/null"};
	ck_assert_uint_eq(read_walk(paths, 2, log_visit, log_bad, &w), 0);
	strbuf want = {0};
	strbuf_puts(&want, "B /dev/null: not a regular file (a character device; skipped)\n");
	if (have_sock) strbuf_printf(&want, "B %s: not a regular file (a socket; skipped)\n", sock);
	else strbuf_puts(&want, "B /dev/null: not a regular file (a character device; skipped)\n");
	ck_assert_str_eq(w.log.data, want.data);
	strbuf_free(&w.log);
	strbuf_free(&want);
	if (have_sock) unlink(sock);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("read");
	TCase *tc = tcase_create("detect");
	tcase_add_loop_test(tc, test_detect, 0, sizeof detect_cases / sizeof *detect_cases);
	tcase_add_test(tc, test_format_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, test_read_txt);
	tcase_add_test(tc, test_read_formats);
	tcase_add_test(tc, test_read_limit);
	tcase_add_loop_test(tc, test_read_bad, 0, sizeof bad_files / sizeof *bad_files);
	tcase_add_test(tc, test_read_special);
	suite_add_tcase(s, tc);

	tc = tcase_create("jsonl");
	tcase_add_test(tc, test_jsonl_good);
	tcase_add_loop_test(tc, test_jsonl_bad, 0, sizeof jsonl_bad / sizeof *jsonl_bad);
	tcase_add_test(tc, test_jsonl_misc);
	tcase_add_test(tc, test_jsonl_hostile);
	tcase_add_test(tc, test_read_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_walk_args);
	tcase_add_test(tc, test_walk_special);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
