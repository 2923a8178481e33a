/*
 * normalize.h — stage 2: raw document bytes -> clean NFC UTF-8 text in blocks.
 *
 * Reads: a document (read.h). Validates UTF-8 (an invalid sequence is an
 * error for that document, with its byte offset), strips markup (HTML via
 * libxml2's recovering parser with no network access; Markdown syntax),
 * decodes entities, normalizes to NFC (utf8proc), and produces the text
 * every later stage points into.
 *
 * Produces: ntext.text, paragraphs separated by "\n\n"; and ntext.blocks,
 * one per title, heading, paragraph or list item, in order, each a span of
 * ntext.text. Titles and headings are their own blocks, so no sentence
 * spans a heading and the body. Single newlines inside a block are kept.
 * NUL bytes and other C0 controls are errors, except \t, \n, \r (CR and
 * CRLF become \n) and \f (a paragraph break).
 *
 * Ownership: ntext is caller-owned and reusable: ntext_reset keeps storage.
 */
#ifndef CLAIMCHECK_NORMALIZE_H
#define CLAIMCHECK_NORMALIZE_H

#include "read.h"
#include "util.h"

typedef enum block_kind {
	BLOCK_PARA = 0,
	BLOCK_TITLE,   /* document title (JSONL title, HTML <title>/first <h1>, leading Markdown "# ") */
	BLOCK_HEADING, /* other headings */
	BLOCK_ITEM     /* list item */
} block_kind;

const char *block_kind_name(block_kind k); /* "para", "title", "heading", "item" */

typedef struct block {
	uint32_t start, end;
	block_kind kind;
} block;

typedef struct ntext {
	strbuf text;
	VEC(block) blocks;
	char *title; /* the title block's text if any (owned), for the documents table */
} ntext;

void ntext_reset(ntext *t);
void ntext_free(ntext *t);

/* Normalize doc into out (reset first). Returns 0, or -1 with err set
 * (err->offset = byte offset into doc->raw where it applies). */
int normalize_document(const document *doc, ntext *out, cc_error *err);

/* Validate UTF-8; returns -1 if valid, else the byte offset of the first
 * invalid sequence. */
long long utf8_invalid_offset(const char *s, size_t len);

#endif
