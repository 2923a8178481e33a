/*
 * fuzz.h — shared by the fuzz targets in tests/fuzz/ (libFuzzer entry
 * points) and by replay.c, which runs the same entry points over the seed
 * corpora and the regression inputs under `make check`.
 *
 * Reads: nothing itself. Adds: loading the shipped rules once, and checks
 * of the invariants the headers promise (normalize.h, segment.h,
 * analyze.h); a broken invariant aborts, which the fuzzer reports as a
 * crash with the input that caused it.
 */
#ifndef CLAIMCHECK_FUZZ_H
#define CLAIMCHECK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analyze.h"
#include "normalize.h"
#include "ruleset.h"
#include "segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Each target's one-time set-up (the shipped rules, libxml2 and the NFC
 * table), outside libFuzzer's per-input timeout; replay.c calls it too. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz invariant broken (%s:%d): %s: ", \
				__FILE__, __LINE__, #cond);                     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* The shipped rules (CLAIMCHECK_RULES, else the source tree's rules/),
 * loaded once per process; never freed, so never reported as a leak. */
static inline const ruleset *fuzz_rules(void)
{
	static ruleset *rs;
	if (rs) return rs;
	const char *path = getenv("CLAIMCHECK_RULES");
	if (!path || !*path) path = SRCDIR_RULES;
	diags d = {0};
	rs = ruleset_load(&path, 1, &d);
	if (!rs) {
		diags_print(&d, stderr);
		fprintf(stderr, "fuzz: cannot load the rules in %s\n", path);
		exit(2);
	}
	diags_free(&d);
	return rs;
}

/* Load the shipped rules (unless only_normalize) and run normalize once
 * over a small HTML page, so one-time initialisation happens here. */
static inline void fuzz_warm_up(int only_normalize)
{
	static const char page[] = "<p>Warm&eacute; up.</p>";
	document d = {0};
	d.raw = xstrdup(page);
	d.raw_len = sizeof page - 1;
	d.format = FMT_HTML;
	ntext nt = {0};
	cc_error err;
	if (normalize_document(&d, &nt, &err) != 0) {
		fprintf(stderr, "fuzz: warm-up failed: %s\n", err.msg);
		exit(2);
	}
	ntext_free(&nt);
	document_free(&d);
	if (!only_normalize) fuzz_rules();
}

/* Segmenter white space (segment.c's is_space). */
static inline int fuzz_is_space(int32_t c)
{
	if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
	return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* text[a, b) is white space only (text is valid UTF-8). */
static inline int fuzz_all_space(const char *text, uint32_t a, uint32_t b)
{
	while (a < b) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + a,
						      (utf8proc_ssize_t)(b - a), &cp);
		if (n <= 0 || !fuzz_is_space(cp)) return 0;
		a += (uint32_t)n;
	}
	return 1;
}

/* The sentences of block [start, end) of text, as segment.h promises:
 * in order, non-empty, on character boundaries, trimmed, and together
 * covering every non-space byte of the block. */
static inline void fuzz_check_sentences(const char *text, uint32_t start, uint32_t end,
					const span *v, size_t n)
{
	uint32_t prev = start;
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i].start < v[i].end, "sentence %zu is empty (%u, %u)", i,
			   v[i].start, v[i].end);
		FUZZ_CHECK(v[i].start >= prev && v[i].end <= end,
			   "sentence %zu [%u, %u) out of order or outside [%u, %u)", i, v[i].start,
			   v[i].end, prev, end);
		FUZZ_CHECK(((unsigned char)text[v[i].start] & 0xC0) != 0x80 &&
				   (v[i].end == end || ((unsigned char)text[v[i].end] & 0xC0) != 0x80),
			   "sentence %zu [%u, %u) splits a character", i, v[i].start, v[i].end);
		FUZZ_CHECK(fuzz_all_space(text, prev, v[i].start),
			   "non-space bytes before sentence %zu in [%u, %u)", i, prev, v[i].start);
		utf8proc_int32_t cp;
		utf8proc_iterate((const utf8proc_uint8_t *)text + v[i].start,
				 (utf8proc_ssize_t)(v[i].end - v[i].start), &cp);
		FUZZ_CHECK(!fuzz_is_space(cp), "sentence %zu starts with white space", i);
		uint32_t last = v[i].end - 1;
		while (last > v[i].start && ((unsigned char)text[last] & 0xC0) == 0x80) last--;
		utf8proc_iterate((const utf8proc_uint8_t *)text + last,
				 (utf8proc_ssize_t)(v[i].end - last), &cp);
		FUZZ_CHECK(!fuzz_is_space(cp), "sentence %zu ends with white space", i);
		prev = v[i].end;
	}
	FUZZ_CHECK(fuzz_all_space(text, prev, end), "non-space bytes after the last sentence in [%u, %u)",
		   prev, end);
}

/* What normalize.h promises of a successful result: NUL-free NFC UTF-8
 * without C0 controls other than \t and \n, blocks in order, non-empty,
 * separated by exactly "\n\n" and covering the text. */
static inline void fuzz_check_ntext(const ntext *nt)
{
	const char *t = nt->text.data ? nt->text.data : "";
	size_t len = nt->text.len;
	FUZZ_CHECK(len == 0 || t[len] == '\0', "text not NUL-terminated");
	FUZZ_CHECK(utf8_invalid_offset(t, len) < 0, "invalid UTF-8 at %lld in the text",
		   utf8_invalid_offset(t, len));
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)t[i] >= 0x20 || t[i] == '\n' || t[i] == '\t',
			   "control byte 0x%02X at %zu", (unsigned char)t[i], i);
	if (len) {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)t, (utf8proc_ssize_t)len,
						  &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		FUZZ_CHECK(r >= 0, "utf8proc rejects the text: %s", utf8proc_errmsg(r));
		FUZZ_CHECK((size_t)r == len && memcmp(nfc, t, len) == 0, "text is not NFC");
		free(nfc);
	}
	FUZZ_CHECK(nt->blocks.n > 0 || len == 0, "text without blocks");
	size_t prev = 0;
	for (size_t i = 0; i < nt->blocks.n; i++) {
		const block *b = &nt->blocks.v[i];
		FUZZ_CHECK(b->start < b->end && b->end <= len, "block %zu [%u, %u) bad (text %zu)", i,
			   b->start, b->end, len);
		if (i == 0)
			FUZZ_CHECK(b->start == 0, "text before the first block (%u)", b->start);
		else
			FUZZ_CHECK(b->start == prev + 2 && t[prev] == '\n' && t[prev + 1] == '\n',
				   "block %zu at %u not after \\n\\n from %zu", i, b->start, prev);
		FUZZ_CHECK(!strchr(" \t\n\r\f\v", t[b->start]) && !strchr(" \t\n\r\f\v", t[b->end - 1]),
			   "block %zu [%u, %u) not trimmed", i, b->start, b->end);
		prev = b->end;
	}
	FUZZ_CHECK(prev == len, "text after the last block (%zu of %zu)", prev, len);
}

/* A document over data (copied, NUL-terminated), as read.c makes them. */
static inline void fuzz_document(document *d, const uint8_t *data, size_t size, doc_format fmt)
{
	memset(d, 0, sizeof *d);
	d->key = xstrdup("fuzz");
	d->path = xstrdup("fuzz");
	d->raw = xmalloc(size + 1);
	if (size) memcpy(d->raw, data, size);
	d->raw[size] = '\0';
	d->raw_len = size;
	d->format = fmt;
}

/* Normalize data as fmt and check the result; then segment every block
 * with the shipped rules' segmenter and check the sentences. */
static inline void fuzz_normalize(const uint8_t *data, size_t size, doc_format fmt, const char *title)
{
	static ntext nt;
	static spanvec sv;
	document d;
	fuzz_document(&d, data, size, fmt);
	if (title) d.title = xstrdup(title);
	cc_error err;
	if (normalize_document(&d, &nt, &err) == 0) {
		fuzz_check_ntext(&nt);
		const segmenter *sg = ruleset_segmenter(fuzz_rules());
		for (size_t i = 0; i < nt.blocks.n; i++) {
			sv.n = 0;
			segment_block(sg, nt.text.data, nt.blocks.v[i].start, nt.blocks.v[i].end, &sv);
			fuzz_check_sentences(nt.text.data, nt.blocks.v[i].start, nt.blocks.v[i].end, sv.v,
					     sv.n);
		}
	} else {
		FUZZ_CHECK(err.msg[0] != '\0', "failure without a message");
		FUZZ_CHECK(err.offset < (long long)size + 1, "error offset %lld past the end (%zu)",
			   err.offset, size);
		FUZZ_CHECK(nt.text.len == 0 && nt.blocks.n == 0, "failure leaves text behind");
	}
	document_free(&d);
}

#endif
