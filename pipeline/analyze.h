/*
 * analyze.h — one document through normalize, segment, stem, tag, score.
 *
 * Reads: a document (read.h) and the shared ruleset. Produces: an
 * `analysis`: the normalized text and its hash, the sentences with their
 * block kind and scores, the tags of every sentence, and document scores.
 * A document that fails a stage carries the error and no sentences.
 *
 * Ownership: an analyzer is per thread (stemmer, tagger, scratch). An
 * analysis is caller-owned and reusable; analysis_reset frees the
 * document it holds but keeps the buffers.
 */
#ifndef CLAIMCHECK_ANALYZE_H
#define CLAIMCHECK_ANALYZE_H

#include "normalize.h"
#include "read.h"
#include "ruleset.h"
#include "score.h"
#include "stem.h"
#include "tag.h"

typedef struct sentence_rec {
	uint32_t start, end;
	block_kind kind;
	uint32_t tag_first, tag_count; /* slice of analysis.tags */
	uint32_t ntokens;
	sentence_scores sc;
} sentence_rec;

typedef struct analysis {
	document doc;
	ntext nt;
	char text_hash[65];       /* SHA-256 of nt.text: verdicts are keyed by it */
	VEC(sentence_rec) sents;
	tagvec tags;
	doc_scores ds;
	int failed;               /* 1: err says why; no sentences */
	cc_error err;
	char *warning;            /* non-fatal problem (a rule hit its match limit), or NULL */
} analysis;

void analysis_reset(analysis *a);
void analysis_free(analysis *a);

/* The bytes a holds: its document's input and the buffers it keeps for the
 * next document (their capacity, not their use). */
size_t analysis_size(const analysis *a);

/* Reset a and free its buffers if it holds more than keep bytes
 * (analysis_size): a pool of analyses reused for document after document
 * then keeps at most that much each between documents, not the size of the
 * largest one it ever held. */
void analysis_trim(analysis *a, size_t keep);

typedef struct analyzer analyzer;

analyzer *analyzer_new(const ruleset *rs);
void analyzer_free(analyzer *az);
tagger *analyzer_tagger(analyzer *az);

/* Run normalize..score over a->doc (already read). Returns 0, or -1 with
 * a->failed and a->err set. */
int analyze_document(analyzer *az, analysis *a);

/* Convenience for explain, rules test and eval: analyze a plain text. */
int analyze_text(analyzer *az, const char *text, size_t len, analysis *a);

#endif
