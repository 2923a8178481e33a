/*
 * fuzz_jsonl.c — libFuzzer target for JSONL files: format sniffing, each
 * line through read_jsonl_record, each record through normalize and
 * segment.
 *
 * Reads: arbitrary bytes as the content of a .jsonl file. Adds: checks
 * that a record either parses with a key, an id and text, or fails with a
 * message and its line; then the normalize.h and segment.h invariants.
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_warm_up(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	doc_format f = read_detect_format("fuzz", s, size < 8192 ? size : 8192);
	FUZZ_CHECK(f >= FMT_TXT && f <= FMT_JSONL, "format %d", (int)f);

	long lineno = 1;
	size_t pos = 0;
	while (pos < size) {
		const char *nl = memchr(s + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (s + pos)) : size - pos;
		document d = {0};
		cc_error err;
		if (read_jsonl_record("f.jsonl", lineno, s + pos, len, &d, &err) == 0) {
			FUZZ_CHECK(d.key && d.id && d.raw && d.raw_len > 0 && d.format == FMT_TXT,
				   "record %ld incomplete", lineno);
			FUZZ_CHECK(strlen(d.raw_hash) == 64, "record %ld without hash", lineno);
			fuzz_normalize((const uint8_t *)d.raw, d.raw_len, FMT_TXT, d.title);
		} else {
			FUZZ_CHECK(err.msg[0] && err.line == lineno, "record %ld: error without message/line",
				   lineno);
			FUZZ_CHECK(d.key && strstr(d.key, "#line:"), "record %ld: error without key", lineno);
		}
		document_free(&d);
		pos += len + 1;
		lineno++;
	}
	return 0;
}
