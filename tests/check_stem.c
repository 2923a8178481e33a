/*
 * check_stem.c — tokenizer spans and flags, lower-casing, Snowball stems
 * and the stem cache.
 */
#include "config.h"
#include "testutil.h"
#include "stem.h"

#include <libstemmer.h>
#include <string.h>

/* "text/lower/stem/flags" for every token, joined by spaces. Flags: C cap,
 * U upper, D digit, P punct before, F first. */
static char *describe_with(stemmer *s, const char *text, uint32_t start, uint32_t end)
{
	tokens ts = {0};
	strbuf b = {0};
	stem_tokenize(s, text, start, end, &ts);
	for (size_t i = 0; i < ts.t.n; i++) {
		const token *t = &ts.t.v[i];
		if (i) strbuf_putc(&b, ' ');
		strbuf_printf(&b, "%.*s/%s/%s/", (int)(t->end - t->start), text + t->start,
			      token_lower(&ts, t), token_stem(&ts, t));
		if (t->flags & TOK_CAP) strbuf_putc(&b, 'C');
		if (t->flags & TOK_UPPER) strbuf_putc(&b, 'U');
		if (t->flags & TOK_DIGIT) strbuf_putc(&b, 'D');
		if (t->flags & TOK_PUNCT_BEFORE) strbuf_putc(&b, 'P');
		if (t->flags & TOK_FIRST) strbuf_putc(&b, 'F');
		ck_assert_uint_eq(t->lower_len, strlen(token_lower(&ts, t)));
		ck_assert_uint_eq(t->stem_len, strlen(token_stem(&ts, t)));
	}
	tokens_free(&ts);
	return b.data ? strbuf_steal(&b) : xstrdup("");
}

static char *describe(const char *text, uint32_t start, uint32_t end)
{
	stemmer *s = stemmer_new();
	char *d = describe_with(s, text, start, end);
	stemmer_free(s);
	return d;
}

static const struct {
	const char *text, *want;
} tok_cases[] = {
	{"Shares may fall.", "Shares/shares/share/CF may/may/may/ fall/fall/fall/"},
	{"The U.S. economy", "The/the/the/CF U.S./u.s./u.s./CU economy/economy/economi/"},
	{"grew 3.5% to $1,000,000 in Q2",
	 "grew/grew/grew/F 3.5/3.5/3.5/D to/to/to/P 1,000,000/1,000,000/1,000,000/D in/in/in/ "
	 "Q2/q2/q2/CD"},
	{"don't, it’s", "don't/don't/don't/F it’s/it's/it/P"},
	{"well-known e.g. rates", "well/well/well/F known/known/known/ e.g./e.g./e.g./ rates/rates/rate/"},
	{"analysts' views", "analysts/analysts/analyst/F views/views/view/"},
	{"\"Maybe,\" he said — or not.",
	 "Maybe/maybe/mayb/CF he/he/he/P said/said/said/ or/or/or/P not/not/not/"},
	{"NATO and ÉCOLE naïve", "NATO/nato/nato/CUF and/and/and/ ÉCOLE/école/école/CU naïve/naïve/naïv/"},
	{"1,0000 v2.0.", "1/1/1/DF 0000/0000/0000/DP v2.0/v2.0/v2.0/D"},
	{"a $5 bill", "a/a/a/F 5/5/5/D bill/bill/bill/"},
	{"(see: above)", "see/see/see/F above/above/abov/P"},
	{"  \t ", ""},
	{"", ""},
	/* the ASCII fast path hands the token to the full scan at ' (always),
	 * at . or , after a digit and at . after a single character, and at a
	 * byte >= 0x80; everywhere else it ends the token itself */
	{"A. Smith met J.R. Ewing at 3.",
	 "A/a/a/CF Smith/smith/smith/CP met/met/met/ J.R./j.r./j.r./CU Ewing/ewing/ewe/C at/at/at/ 3/3/3/D"},
	{"Hi.There x,y 12,345,6 ok. a.b",
	 "Hi/hi/hi/CF There/there/there/CP x/x/x/ y/y/y/P 12,345/12,345/12,345/D 6/6/6/DP ok/ok/ok/ "
	 "a.b/a.b/a.b/P"},
	{"MP3s ABC's AbC q1 Z 7",
	 "MP3s/mp3s/mp3s/CDF ABC's/abc's/abc/C AbC/abc/abc/C q1/q1/q1/D Z/z/z/C 7/7/7/D"},
	{"word, 4,5 x'y café's Straße",
	 "word/word/word/F 4/4/4/DP 5/5/5/DP x'y/x'y/x'i/ café's/café's/café/ Straße/straße/straße/C"},
	{"IBM'S 1990s rates.", "IBM'S/ibm's/ibm/CUF 1990s/1990s/1990s/D rates/rates/rate/"},
};

START_TEST(test_tokenize_table)
{
	const char *text = tok_cases[_i].text;
	char *got = describe(text, 0, (uint32_t)strlen(text));
	ck_assert_str_eq(got, tok_cases[_i].want);
	free(got);
}
END_TEST

START_TEST(test_tokenize_spans_in_document)
{
	/* offsets are document offsets; only the span is read */
	const char *doc = "First one. Second sentence here. Third.";
	stemmer *s = stemmer_new();
	tokens ts = {0};
	stem_tokenize(s, doc, 11, 32, &ts);
	ck_assert_uint_eq(ts.t.n, 3);
	ck_assert_uint_eq(ts.t.v[0].start, 11);
	ck_assert_uint_eq(ts.t.v[0].end, 17);
	ck_assert_uint_eq(ts.t.v[2].start, 27);
	ck_assert_uint_eq(ts.t.v[2].end, 31);
	ck_assert_uint_eq(ts.t.v[0].flags, TOK_CAP | TOK_FIRST);
	ck_assert_str_eq(token_stem(&ts, &ts.t.v[0]), "second");
	ck_assert_str_eq(token_stem(&ts, &ts.t.v[1]), "sentenc");
	/* reuse: reset on every call */
	stem_tokenize(s, doc, 0, 9, &ts);
	ck_assert_uint_eq(ts.t.n, 2);
	ck_assert_str_eq(token_lower(&ts, &ts.t.v[0]), "first");
	tokens_free(&ts);
	stemmer_free(s);
}
END_TEST

START_TEST(test_tokenize_long_word_split)
{
	char *w = xmalloc(3001);
	memset(w, 'a', 3000);
	w[3000] = '\0';
	stemmer *s = stemmer_new();
	tokens ts = {0};
	stem_tokenize(s, w, 0, 3000, &ts);
	ck_assert_uint_eq(ts.t.n, 3);
	ck_assert_uint_eq(ts.t.v[0].end, 1024);
	ck_assert_uint_eq(ts.t.v[2].end, 3000);
	ck_assert_uint_eq(ts.t.v[1].flags & TOK_PUNCT_BEFORE, 0);
	tokens_free(&ts);
	stemmer_free(s);
	free(w);
}
END_TEST

/* Every token's lower form is stem_lower of its span: words of every
 * length up to past two eight-byte chunks, with capitals at every place,
 * joined periods, apostrophes and commas, and non-ASCII letters. */
START_TEST(test_tokenize_lower_forms)
{
	static const char *const extra[] = {
		"U.S.", "e.g.", "don't", "O'Neill", "1,000,000", "3.14159", "v2.0.1",
		"ÉCOLE", "naïveTÉ", "it’s", "MixedCASEwordsHERE", "abcdefgh.", "ABCDEFGH'S",
	};
	stemmer *s = stemmer_new();
	strbuf text = {0}, want = {0};
	for (int len = 1; len <= 20; len++)
		for (int cap = -1; cap < len; cap++) {
			for (int i = 0; i < len; i++)
				strbuf_putc(&text, (char)((i == cap ? 'A' : 'a') + (i * 7 + len) % 26));
			strbuf_putc(&text, len % 3 ? ' ' : ',');
		}
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		strbuf_puts(&text, extra[i]);
		strbuf_putc(&text, ' ');
	}
	tokens ts = {0};
	stem_tokenize(s, text.data, 0, (uint32_t)text.len, &ts);
	ck_assert_uint_ge(ts.t.n, 230);
	for (size_t i = 0; i < ts.t.n; i++) {
		const token *t = &ts.t.v[i];
		strbuf_reset(&want);
		stem_lower(text.data + t->start, t->end - t->start, &want);
		ck_assert_str_eq(token_lower(&ts, t), want.data);
		ck_assert_uint_eq(t->lower_len, want.len);
		size_t sl;
		const char *st = stemmer_stem(s, want.data, want.len, &sl);
		ck_assert_uint_eq(t->stem_len, sl);
		ck_assert_int_eq(memcmp(token_stem(&ts, t), st, sl), 0);
	}
	/* the periods and commas the tokens keep */
	ck_assert_str_eq(token_lower(&ts, &ts.t.v[ts.t.n - 13]), "u.s.");
	ck_assert_str_eq(token_lower(&ts, &ts.t.v[ts.t.n - 9]), "1,000,000");
	tokens_free(&ts);
	strbuf_free(&text);
	strbuf_free(&want);
	stemmer_free(s);
}
END_TEST

/* Words the cache hashes alike (same length, first and last eight bytes)
 * keep their own stems. */
START_TEST(test_stem_cache_same_ends)
{
	static const char *const words[] = {
		"abcdefghrunningstuvwxyz", "abcdefghquicklystuvwxyz", "abcdefghxxxxxxxstuvwxyz",
		"abcdefghijklmnopqrstuvwxyzabcde", "abcdefghijklmnopqrstuvwxyzabcdf",
	};
	stemmer *s = stemmer_new();
	struct sb_stemmer *ref = sb_stemmer_new("english", NULL);
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
			size_t n = strlen(words[i]), sl;
			const char *st = stemmer_stem(s, words[i], n, &sl);
			const sb_symbol *want = sb_stemmer_stem(ref, (const sb_symbol *)words[i], (int)n);
			ck_assert_int_eq((int)sl, sb_stemmer_length(ref));
			ck_assert_int_eq(memcmp(st, want, sl), 0);
		}
	sb_stemmer_delete(ref);
	stemmer_free(s);
}
END_TEST

/* Tokens without letters skip the stemmer: their stems must still be
 * Snowball's, including a number cut at TOKEN_MAX right after an
 * apostrophe (which Snowball drops). */
START_TEST(test_stem_letterless)
{
	strbuf text = {0};
	strbuf_puts(&text, "1,000 3.14 1990 12'34 \xD9\xA1\xD9\xA2\xD9\xA3 0.5 7 ");
	for (int i = 0; i < 600; i++) strbuf_puts(&text, "1'");
	strbuf_puts(&text, "1");
	stemmer *s = stemmer_new();
	struct sb_stemmer *ref = sb_stemmer_new("english", NULL);
	tokens ts = {0};
	stem_tokenize(s, text.data, 0, (uint32_t)text.len, &ts);
	ck_assert_uint_eq(ts.t.n, 9);
	const token *cut = &ts.t.v[7];
	ck_assert_uint_eq(cut->lower_len, 1024);
	ck_assert_int_eq(token_lower(&ts, cut)[1023], '\'');
	for (size_t i = 0; i < ts.t.n; i++) {
		const token *t = &ts.t.v[i];
		const sb_symbol *want = sb_stemmer_stem(ref, (const sb_symbol *)token_lower(&ts, t),
							(int)t->lower_len);
		ck_assert_int_eq(t->stem_len, sb_stemmer_length(ref));
		ck_assert_int_eq(memcmp(token_stem(&ts, t), want, t->stem_len), 0);
	}
	ck_assert_uint_eq(cut->stem_len, 1023);
	tokens_free(&ts);
	strbuf_free(&text);
	sb_stemmer_delete(ref);
	stemmer_free(s);
}
END_TEST

START_TEST(test_tokenize_invalid_utf8)
{
	/* stray bytes are punctuation, not crashes */
	const char text[] = "ab\xff" "cd \xc3 ef";
	char *got = describe(text, 0, (uint32_t)strlen(text));
	ck_assert_str_eq(got, "ab/ab/ab/F cd/cd/cd/P ef/ef/ef/P");
	free(got);
}
END_TEST

static const struct {
	const char *word, *stem;
} stem_cases[] = {
	{"running", "run"},     {"suggests", "suggest"},   {"suggested", "suggest"},
	{"suggesting", "suggest"}, {"speculative", "specul"}, {"speculate", "specul"},
	{"reportedly", "report"}, {"likely", "like"},       {"analysts", "analyst"},
	{"officials", "offici"},  {"economies", "economi"},  {"possibly", "possibl"},
	{"generously", "generous"}, {"caresses", "caress"}, {"ponies", "poni"},
	{"tying", "tie"},         {"news", "news"},          {"company's", "compani"},
	{"be", "be"},             {"a", "a"},
};

START_TEST(test_stem_table)
{
	stemmer *s = stemmer_new();
	size_t n;
	const char *w = stem_cases[_i].word;
	const char *r = stemmer_stem(s, w, strlen(w), &n);
	ck_assert_uint_eq(n, strlen(stem_cases[_i].stem));
	ck_assert_int_eq(memcmp(r, stem_cases[_i].stem, n), 0);
	/* a second call comes from the cache: same answer */
	r = stemmer_stem(s, w, strlen(w), &n);
	ck_assert_uint_eq(n, strlen(stem_cases[_i].stem));
	ck_assert_int_eq(memcmp(r, stem_cases[_i].stem, n), 0);
	stemmer_free(s);
}
END_TEST

/* Pseudo-words with English endings, deterministic. */
static void make_word(unsigned k, char *buf)
{
	static const char *const stems[] = {"connect", "relat", "generat", "hop", "cry", "argu",
					    "nation", "happ", "oper", "specul", "report", "sens"};
	static const char *const ends[] = {"", "s", "ed", "ing", "ly", "ional", "ation", "ies",
					   "ness", "ful", "ive", "ement"};
	unsigned a = k % 12, b = (k / 12) % 12, c = k / 144;
	char num[16] = "";
	/* letters only, so stems vary: encode c in letters */
	for (int i = 0; c && i < 6; i++, c /= 26) num[i] = (char)('a' + c % 26);
	snprintf(buf, 64, "%s%s%s", num, stems[a], ends[b]);
}

START_TEST(test_cache_many_words)
{
	/* More distinct words than cache entries (65536), visited twice in
	 * different orders, so that full sets replace entries: every answer
	 * must equal libstemmer's own. */
	stemmer *s = stemmer_new();
	struct sb_stemmer *ref = sb_stemmer_new("english", NULL);
	ck_assert_ptr_nonnull(ref);
	const unsigned N = 150000;
	char w[64];
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < N; i++) {
			unsigned k = pass ? (i * 7919u) % N : i;
			make_word(k, w);
			size_t n, len = strlen(w);
			const char *got = stemmer_stem(s, w, len, &n);
			char copy[64];
			ck_assert_uint_lt(n, sizeof copy);
			memcpy(copy, got, n);
			const sb_symbol *want = sb_stemmer_stem(ref, (const sb_symbol *)w, (int)len);
			ck_assert_int_eq(sb_stemmer_length(ref), (int)n);
			ck_assert_int_eq(memcmp(copy, want, n), 0);
		}
	sb_stemmer_delete(ref);
	stemmer_free(s);
}
END_TEST

START_TEST(test_tokenize_stems_match_libstemmer)
{
	/* Words through stem_tokenize (table lower-casing, cache, stems kept
	 * apart or shared with the lower form), twice: each token's lower
	 * form and stem equal libstemmer's stem of the word lower-cased. */
	stemmer *s = stemmer_new();
	struct sb_stemmer *ref = sb_stemmer_new("english", NULL);
	ck_assert_ptr_nonnull(ref);
	strbuf text = {0};
	char w[64];
	for (unsigned i = 0; i < 3000; i++) {
		make_word(i * 37u, w);
		if (i % 3 == 0) w[0] = (char)(w[0] - 32); /* Capitalised */
		strbuf_printf(&text, "%s%s", i ? (i % 7 ? " " : ", ") : "", w);
	}
	tokens ts = {0};
	for (int pass = 0; pass < 2; pass++) {
		stem_tokenize(s, text.data, 0, (uint32_t)text.len, &ts);
		ck_assert_uint_eq(ts.t.n, 3000);
		for (size_t i = 0; i < ts.t.n; i++) {
			const token *t = &ts.t.v[i];
			make_word((unsigned)i * 37u, w);
			ck_assert_str_eq(token_lower(&ts, t), w);
			ck_assert_uint_eq(t->lower_len, strlen(w));
			const sb_symbol *want = sb_stemmer_stem(ref, (const sb_symbol *)w, (int)strlen(w));
			int wl = sb_stemmer_length(ref);
			ck_assert_int_eq(t->stem_len, wl);
			ck_assert_int_eq(memcmp(token_stem(&ts, t), want, (size_t)wl), 0);
			ck_assert_int_eq(token_stem(&ts, t)[wl], '\0');
			if (wl == (int)strlen(w) && memcmp(want, w, (size_t)wl) == 0)
				ck_assert_uint_eq(t->stem, t->lower); /* shared */
			else
				ck_assert_uint_ne(t->stem, t->lower);
		}
	}
	tokens_free(&ts);
	strbuf_free(&text);
	sb_stemmer_delete(ref);
	stemmer_free(s);
}
END_TEST

START_TEST(test_stem_long_word_uncached)
{
	stemmer *s = stemmer_new();
	const char *w = "internationalizationalizationsinternationalization"; /* longer than a cache entry */
	size_t n;
	const char *r = stemmer_stem(s, w, strlen(w), &n);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, strlen(w));
	ck_assert_int_eq(memcmp(r, w, 10), 0);
	stemmer_free(s);
}
END_TEST

static const struct {
	const char *in, *out;
} lower_cases[] = {
	{"HELLO World", "hello world"},
	{"ÀÉÎÕÜ", "àéîõü"},
	{"Straße", "straße"},
	{"ΑΘΗΝΑ", "αθηνα"},
	{"ДЕНЬГИ", "деньги"},
	{"don’t", "don't"},
	{"abc123", "abc123"},
	{"", ""},
};

START_TEST(test_lower_table)
{
	strbuf b = {0};
	strbuf_puts(&b, "x:");
	stem_lower(lower_cases[_i].in, strlen(lower_cases[_i].in), &b);
	char want[128];
	snprintf(want, sizeof want, "x:%s", lower_cases[_i].out);
	ck_assert_str_eq(b.data, want);
	strbuf_free(&b);
}
END_TEST

START_TEST(test_arena_reuse_no_growth)
{
	/* steady state: tokenizing the same sentence again does not grow buffers */
	const char *text = "Officials said the deal may close by Friday, people familiar said.";
	stemmer *s = stemmer_new();
	tokens ts = {0};
	stem_tokenize(s, text, 0, (uint32_t)strlen(text), &ts);
	size_t cap_t = ts.t.cap, cap_a = ts.arena.cap;
	void *pt = ts.t.v, *pa = ts.arena.data;
	for (int i = 0; i < 100; i++) stem_tokenize(s, text, 0, (uint32_t)strlen(text), &ts);
	ck_assert_uint_eq(ts.t.cap, cap_t);
	ck_assert_uint_eq(ts.arena.cap, cap_a);
	ck_assert_ptr_eq(ts.t.v, pt);
	ck_assert_ptr_eq(ts.arena.data, pa);
	ck_assert_uint_eq(ts.t.n, 11);
	tokens_free(&ts);
	stemmer_free(s);
}
END_TEST

/* A token that starts sixteen bytes or more before the span's end is read
 * by a sixteen-byte scan when it is plain ASCII; one nearer the end by the
 * byte loop. Each word below, followed by each ending, is tokenized alone
 * (the byte loop) and then with a space and 0..20 more bytes after it
 * (the sixteen-byte scan once the span is long enough): the tokens of the
 * first must open the second, with the same spans, forms, stems and flags. */
static const char *const edge_words[] = {
	"a", "I", "ab", "AB", "Ab", "aB", "abc", "ABC", "A1", "1a", "12", "x7y", "Q2", "MixedCase",
	"UPPERCASE", "lowercaseword", "abcdefghijklmno", "abcdefghijklmnop", "ABCDEFGHIJKLMNOPQ",
	"abcdefghijklmnopqrst", "123456789012345", "1234567890123456", "Zzzzzzzzzzzzzzz9",
};
static const char *const edge_ends[] = {
	"", ".", ",", "'", "'s", ".5", ",000", ",00", ",0000", ".b", ".B.", "-x", "\xC3\xA9", "\xC3",
	"\xE2\x80\x99s", "!", ")", "\"", ":", "@", "$", "~", "\x7F", "\t", "\n", "[", "_", "`", "{",
	"/", "\\", "0", "Z",
};

START_TEST(test_tokenize_ascii_edges)
{
	static const char filler[] = "sixteen more bytes";
	stemmer *s = stemmer_new(); /* one for all: a new one is 4 MiB to clear */
	strbuf t = {0};
	for (size_t e = 0; e < sizeof edge_ends / sizeof *edge_ends; e++) {
		strbuf_reset(&t);
		strbuf_printf(&t, "%s%s", edge_words[_i], edge_ends[e]);
		char *alone = describe_with(s, t.data, 0, (uint32_t)t.len);
		size_t n = strlen(alone);
		ck_assert_uint_gt(n, 0);
		for (int f = 0; f <= 20; f++) {
			strbuf_reset(&t);
			strbuf_printf(&t, "%s%s %.*s", edge_words[_i], edge_ends[e], f, filler);
			char *more = describe_with(s, t.data, 0, (uint32_t)t.len);
			ck_assert_msg(strncmp(more, alone, n) == 0 && (more[n] == ' ' || more[n] == '\0'),
				      "'%s': %s, alone: %s", t.data, more, alone);
			free(more);
		}
		free(alone);
	}
	strbuf_free(&t);
	stemmer_free(s);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("stem");
	TCase *tc = tcase_create("tokenize");
	tcase_add_loop_test(tc, test_tokenize_table, 0, sizeof tok_cases / sizeof tok_cases[0]);
	tcase_add_test(tc, test_tokenize_spans_in_document);
	tcase_add_test(tc, test_tokenize_long_word_split);
	tcase_add_test(tc, test_tokenize_invalid_utf8);
	tcase_add_test(tc, test_tokenize_lower_forms);
	tcase_add_test(tc, test_stem_cache_same_ends);
	tcase_add_test(tc, test_stem_letterless);
	tcase_add_test(tc, test_arena_reuse_no_growth);
	tcase_add_loop_test(tc, test_tokenize_ascii_edges, 0, sizeof edge_words / sizeof *edge_words);
	suite_add_tcase(s, tc);
	tc = tcase_create("stem");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_stem_table, 0, sizeof stem_cases / sizeof stem_cases[0]);
	tcase_add_test(tc, test_cache_many_words);
	tcase_add_test(tc, test_tokenize_stems_match_libstemmer);
	tcase_add_test(tc, test_stem_long_word_uncached);
	suite_add_tcase(s, tc);
	tc = tcase_create("lower");
	tcase_add_loop_test(tc, test_lower_table, 0, sizeof lower_cases / sizeof lower_cases[0]);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
