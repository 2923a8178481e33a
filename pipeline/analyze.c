/*
 * analyze.c — one document through normalize, segment, stem, tag, score.
 *
 * Reads: a document as read (read.h). Adds: the normalized text and its
 * hash, sentences with block kinds, their tags, sentence and document
 * scores. Everything is written into a reusable `analysis`; the per-thread
 * `analyzer` holds the stemmer, the tagger and scratch buffers, so a warm
 * analyzer allocates nothing per sentence.
 */
#include "config.h"
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

struct analyzer {
	const ruleset *rs;
	stemmer *st;
	tagger *tg;
	tokens toks;
	spanvec spans;
};

analyzer *analyzer_new(const ruleset *rs)
{
	analyzer *az = xcalloc(1, sizeof *az);
	az->rs = rs;
	az->st = stemmer_new();
	az->tg = tagger_new(rs);
	return az;
}

void analyzer_free(analyzer *az)
{
	if (!az) return;
	stemmer_free(az->st);
	tagger_free(az->tg);
	tokens_free(&az->toks);
	VEC_FREE(&az->spans);
	free(az);
}

tagger *analyzer_tagger(analyzer *az)
{
	return az->tg;
}

void analysis_reset(analysis *a)
{
	document_free(&a->doc);
	memset(&a->doc, 0, sizeof a->doc);
	ntext_reset(&a->nt);
	a->text_hash[0] = '\0';
	a->sents.n = 0;
	a->tags.n = 0;
	doc_scores_reset(&a->ds);
	a->failed = 0;
	cc_error_clear(&a->err);
	free(a->warning);
	a->warning = NULL;
}

void analysis_free(analysis *a)
{
	if (!a) return;
	analysis_reset(a);
	ntext_free(&a->nt);
	VEC_FREE(&a->sents);
	VEC_FREE(&a->tags);
}

size_t analysis_size(const analysis *a)
{
	return sizeof *a + a->doc.raw_len + a->nt.text.cap + a->nt.blocks.cap * sizeof *a->nt.blocks.v +
	       a->sents.cap * sizeof *a->sents.v + a->tags.cap * sizeof *a->tags.v;
}

void analysis_trim(analysis *a, size_t keep)
{
	if (analysis_size(a) <= keep) return;
	analysis_reset(a);
	ntext_free(&a->nt);
	VEC_FREE(&a->sents);
	VEC_FREE(&a->tags);
}

static void add_warning(analysis *a, const char *msg)
{
	if (a->warning) return; /* the first one says enough */
	a->warning = xstrdup(msg);
}

int analyze_document(analyzer *az, analysis *a)
{
	const char *text;
	a->sents.n = 0;
	a->tags.n = 0;
	doc_scores_reset(&a->ds);
	if (normalize_document(&a->doc, &a->nt, &a->err) != 0) {
		a->failed = 1;
		return -1;
	}
	text = a->nt.text.data ? a->nt.text.data : "";
	sha256_hex(text, a->nt.text.len, a->text_hash);

	const segmenter *seg = ruleset_segmenter(az->rs);
	const score_weights *w = ruleset_weights(az->rs);
	cc_error terr;
	for (size_t b = 0; b < a->nt.blocks.n; b++) {
		const block *bl = &a->nt.blocks.v[b];
		az->spans.n = 0;
		segment_block(seg, text, bl->start, bl->end, &az->spans);
		for (size_t i = 0; i < az->spans.n; i++) {
			span s = az->spans.v[i];
			sentence_rec r = {0};
			r.start = s.start;
			r.end = s.end;
			r.kind = bl->kind;
			r.tag_first = (uint32_t)a->tags.n;
			stem_tokenize(az->st, text, s.start, s.end, &az->toks);
			cc_error_clear(&terr);
			if (tag_sentence(az->tg, text, s, &az->toks, &a->tags, &terr) != 0)
				add_warning(a, terr.msg);
			r.tag_count = (uint32_t)(a->tags.n - r.tag_first);
			r.ntokens = (uint32_t)az->toks.t.n;
			score_sentence(w, az->rs, text, &az->toks,
				       a->tags.v ? a->tags.v + r.tag_first : NULL, r.tag_count,
				       bl->kind == BLOCK_TITLE || bl->kind == BLOCK_HEADING, &r.sc);
			doc_scores_add(&a->ds, &r.sc);
			VEC_PUSH(&a->sents, r);
		}
	}
	doc_scores_finish(&a->ds);
	return 0;
}

int analyze_text(analyzer *az, const char *text, size_t len, analysis *a)
{
	analysis_reset(a);
	a->doc.key = xstrdup("-");
	a->doc.path = xstrdup("-");
	a->doc.format = FMT_TXT;
	a->doc.raw = xstrndup(text, len);
	a->doc.raw_len = len;
	sha256_hex(text, len, a->doc.raw_hash);
	return analyze_document(az, a);
}
