/*
 * stem.h — stage 4: a sentence -> tokens with lower-cased form and stem.
 *
 * Reads: a span of normalized text. Produces: word tokens (letters and
 * digits, with inner apostrophes, periods in abbreviations like "U.S." and
 * decimal points kept inside the token; hyphens split words), each with its
 * byte span, its lower-cased form (Unicode-aware) and its Snowball English
 * stem. Punctuation is not a token, but a token records whether
 * punctuation (other than a hyphen or apostrophe) separates it from the
 * previous token, so phrase rules do not match across commas or quotes.
 *
 * Ownership: one stemmer per thread (libstemmer is not thread-safe; its
 * returned stem is borrowed and dies at the next call, so stem copies it
 * into the tokens' arena). tokens is caller-owned and reusable.
 */
#ifndef CLAIMCHECK_STEM_H
#define CLAIMCHECK_STEM_H

#include "util.h"

enum token_flags {
	TOK_CAP = 1 << 0,      /* starts with an upper-case letter */
	TOK_UPPER = 1 << 1,    /* all letters upper-case (and >= 2 letters) */
	TOK_DIGIT = 1 << 2,    /* contains a digit */
	TOK_PUNCT_BEFORE = 1 << 3, /* punctuation separates it from the previous token */
	TOK_FIRST = 1 << 4     /* first token of the sentence */
};

typedef struct token {
	uint32_t start, end;      /* span in the document text */
	uint32_t lower, stem;     /* offsets into tokens.arena (NUL-terminated strings) */
	uint16_t lower_len, stem_len;
	uint16_t flags;
} token;

typedef struct tokens {
	VEC(token) t;
	strbuf arena;
} tokens;

static inline const char *token_lower(const tokens *ts, const token *t) { return ts->arena.data + t->lower; }
static inline const char *token_stem(const tokens *ts, const token *t) { return ts->arena.data + t->stem; }

void tokens_reset(tokens *ts);
void tokens_free(tokens *ts);

typedef struct stemmer stemmer;

stemmer *stemmer_new(void); /* dies if libstemmer has no English */
void stemmer_free(stemmer *s);

/* Stem one lower-cased word (cached). The result is borrowed: valid until
 * the next call on this stemmer. *outlen gets its length. */
const char *stemmer_stem(stemmer *s, const char *lower, size_t len, size_t *outlen);

/* Tokenize text[start, end) into ts (reset first). */
void stem_tokenize(stemmer *s, const char *text, uint32_t start, uint32_t end, tokens *ts);

/* Lower-case a UTF-8 word into out (appended). */
void stem_lower(const char *s, size_t len, strbuf *out);

#endif
