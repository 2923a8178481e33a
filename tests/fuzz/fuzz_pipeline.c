/*
 * fuzz_pipeline.c — libFuzzer target for the whole document pipeline:
 * analyze_document (normalize, segment, stem, tag, score) with the
 * shipped rules.
 *
 * Reads: one format byte (txt, md, html, detected, or JSONL records), then
 * the document's bytes. Adds: checks of the analysis (analyze.h): a
 * failure has a message and no sentences; sentences lie in the text, in
 * order; tag slices lie in the tag vector; scores are finite.
 */
#include "config.h"
#include "fuzz.h"

#include <math.h>

static void check_analysis(const analysis *a)
{
	if (a->failed) {
		FUZZ_CHECK(a->err.msg[0], "failed without a message");
		FUZZ_CHECK(a->sents.n == 0 && a->tags.n == 0, "failed document has sentences or tags");
		return;
	}
	fuzz_check_ntext(&a->nt);
	FUZZ_CHECK(strlen(a->text_hash) == 64, "no text hash");
	uint32_t prev = 0;
	for (size_t i = 0; i < a->sents.n; i++) {
		const sentence_rec *s = &a->sents.v[i];
		FUZZ_CHECK(s->start < s->end && s->start >= prev && s->end <= a->nt.text.len,
			   "sentence %zu [%u, %u) (prev end %u, text %zu)", i, s->start, s->end, prev,
			   a->nt.text.len);
		FUZZ_CHECK((size_t)s->tag_first + s->tag_count <= a->tags.n,
			   "sentence %zu tags [%u +%u) past %zu", i, s->tag_first, s->tag_count,
			   a->tags.n);
		FUZZ_CHECK(isfinite(s->sc.uncertainty) && isfinite(s->sc.checkworthy), "sentence %zu scores", i);
		prev = s->end;
	}
}

static void analyze_one(analyzer *az, analysis *a)
{
	analyze_document(az, a);
	check_analysis(a);
	analysis_reset(a);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_warm_up(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static analyzer *az;
	static analysis a;
	if (!az)
		az = analyzer_new(fuzz_rules());
	if (size < 1) return 0;
	unsigned sel = data[0] % 5;
	data++;
	size--;
	if (sel == 4) { /* JSONL: every line a record */
		const char *s = (const char *)data;
		long lineno = 1;
		for (size_t pos = 0; pos < size; lineno++) {
			const char *nl = memchr(s + pos, '\n', size - pos);
			size_t len = nl ? (size_t)(nl - (s + pos)) : size - pos;
			cc_error err;
			if (read_jsonl_record("f.jsonl", lineno, s + pos, len, &a.doc, &err) == 0)
				analyze_one(az, &a);
			else
				analysis_reset(&a);
			pos += len + 1;
		}
		return 0;
	}
	static const doc_format fmts[] = {FMT_TXT, FMT_MD, FMT_HTML, FMT_AUTO};
	doc_format f = fmts[sel];
	if (f == FMT_AUTO) {
		f = read_detect_format("fuzz", (const char *)data, size < 8192 ? size : 8192);
		if (f == FMT_JSONL) f = FMT_TXT;
	}
	fuzz_document(&a.doc, data, size, f);
	analyze_one(az, &a);
	return 0;
}
