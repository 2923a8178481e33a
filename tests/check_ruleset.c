/*
 * check_ruleset.c — rule-file parsing, linting (every problem at its
 * file:line:col), lists, folders and the rule-set hash.
 */
#include "config.h"
#include "testutil.h"
#include "analyze.h"
#include "ruleset.h"
#include "ruleset-int.h"

#include <string.h>

#define BAD(f) "tests/fixtures/rules-bad/" f
#define GOOD "tests/fixtures/rules-good"

static ruleset *load1(const char *rel, diags *d)
{
	char *p = xstrdup(test_path(rel));
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, d);
	free(p);
	return rs;
}

/* load1 with the lint of `rules check` (ruleset_load_lint) */
static ruleset *lint1(const char *rel, diags *d)
{
	char *p = xstrdup(test_path(rel));
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load_lint(paths, 1, d);
	free(p);
	return rs;
}

/* Index of the diag at line:col whose message contains sub, or -1. */
static long find_diag(const diags *d, const char *file_suffix, int line, int col, const char *sub)
{
	for (size_t i = 0; i < d->items.n; i++) {
		const diag *x = &d->items.v[i];
		size_t fl = x->file ? strlen(x->file) : 0, sl = strlen(file_suffix);
		if (fl < sl || strcmp(x->file + fl - sl, file_suffix) != 0) continue;
		if (x->line == line && x->col == col && strstr(x->msg, sub)) return (long)i;
	}
	return -1;
}

static void dump(const diags *d)
{
	diags_print(d, stderr);
}

static const struct {
	int line, col;
	const char *sub;
} error_cases[] = {
	{2, 1, "outside a section"},
	{3, 7, "rule `bad.nocat` has no `category`"},
	{7, 10, "weight must be a number from 0 to 1, not `1.5`"},
	{11, 1, "unknown key `colour`"},
	{14, 12, "unknown category `opinion`"},
	{16, 7, "rule `bad.nomatch` has no `match` or `pattern`"},
	{20, 15, "empty item"},
	{20, 17, "`=` and `*` cannot be combined"},
	{20, 27, "unknown list `@nolist`"},
	{20, 38, "unexpected `,` in an item"},
	{23, 24, "bad pattern: missing closing parenthesis"},
	{24, 11, "unknown list or fragment `nolist`"},
	{24, 36, "bad pattern: missing terminating ]"},
	{28, 23, "not `speaker: Ann`"},
	{29, 22, "`pass` examples take no `=>` captures"},
	{30, 2, "unknown section `[opinions]`"},
	{32, 10, "is not allowed in a rule id"},
	{34, 1, "nosuchweight"},
	{36, 1, "unknown key `shorthand` in [abbreviations]"},
	{37, 9, "Mr."},
	{40, 10, "`source` must be named, anonymous or auto"},
	{42, 7, "duplicate rule id `bad.weight` (first defined at "},
	{45, 10, "not `lots`"},
	{48, 7, "duplicate list `role`"},
	{50, 1, "expected `key = value`"},
	{53, 26, "bad pattern: numbers out of order"},
};

START_TEST(test_every_error_reported)
{
	diags d = {0};
	ruleset *rs = load1(BAD("errors.rules"), &d);
	ck_assert_ptr_null(rs);
	long i = find_diag(&d, "errors.rules", error_cases[_i].line, error_cases[_i].col,
			   error_cases[_i].sub);
	if (i < 0) dump(&d);
	ck_assert_msg(i >= 0, "no error at %d:%d with \"%s\"", error_cases[_i].line,
		      error_cases[_i].col, error_cases[_i].sub);
	ck_assert_int_eq(d.items.v[i].severity, DIAG_ERROR);
	diags_free(&d);
}
END_TEST

START_TEST(test_error_count_exact)
{
	/* all of them, and nothing else */
	diags d = {0};
	ruleset *rs = load1(BAD("errors.rules"), &d);
	ck_assert_ptr_null(rs);
	if (d.errors != sizeof error_cases / sizeof error_cases[0]) dump(&d);
	ck_assert_uint_eq(d.errors, sizeof error_cases / sizeof error_cases[0]);
	ck_assert_uint_eq(d.warnings, 0);
	diags_free(&d);
}
END_TEST

START_TEST(test_duplicate_id_across_files)
{
	diags d = {0};
	char *a = xstrdup(test_path(BAD("dup-a.rules")));
	char *b = xstrdup(test_path(BAD("dup-b.rules")));
	const char *paths[2] = {a, b};
	ruleset *rs = ruleset_load(paths, 2, &d);
	ck_assert_ptr_null(rs);
	ck_assert_uint_eq(d.errors, 1);
	long i = find_diag(&d, "dup-b.rules", 3, 9, "duplicate rule id `hedge.dup`");
	if (i < 0) dump(&d);
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(d.items.v[i].msg, "dup-a.rules:2)"));
	/* each alone is fine */
	diags_free(&d);
	rs = ruleset_load(paths + 1, 1, &d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(d.items.n, 0);
	ruleset_free(rs);
	diags_free(&d);
	free(a);
	free(b);
}
END_TEST

static const struct {
	int line, col;
	const char *sub;
} warning_cases[] = {
	{2, 0, "list `unused` is not used"},
	{3, 24, "item `alpha` is listed twice in list `unused`"},
	{5, 7, "`source` only matters for category source"},
	{7, 13, "nested unbounded quantifiers"},
	{12, 44, "item `=worst-case` matches the same words as an earlier item of rule `hedge.twice` (hyphens split words)"},
	{12, 58, "item `maybe` matches the same words"},
	{13, 11, "group `speaker` has no meaning here"},
	{13, 11, "can match empty text"},
};

START_TEST(test_warnings)
{
	diags d = {0};
	ruleset *rs = load1(BAD("warnings.rules"), &d);
	if (!rs || d.warnings != sizeof warning_cases / sizeof warning_cases[0]) dump(&d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(d.warnings, sizeof warning_cases / sizeof warning_cases[0]);
	for (size_t k = 0; k < sizeof warning_cases / sizeof warning_cases[0]; k++) {
		long i = find_diag(&d, "warnings.rules", warning_cases[k].line, warning_cases[k].col,
				   warning_cases[k].sub);
		ck_assert_msg(i >= 0, "no warning at %d:%d with \"%s\"", warning_cases[k].line,
			      warning_cases[k].col, warning_cases[k].sub);
		ck_assert_int_eq(d.items.v[i].severity, DIAG_WARNING);
	}
	/* `May` is not a duplicate of `may`: it also matches names */
	ck_assert_int_lt(find_diag(&d, "warnings.rules", 12, 38, "`May`"), 0);
	ruleset_free(rs);
	diags_free(&d);
}
END_TEST

START_TEST(test_good_folder)
{
	diags d = {0};
	ruleset *rs = load1(GOOD, &d);
	if (d.items.n) dump(&d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(d.items.n, 0);
	ck_assert_uint_eq(ruleset_size(rs), 3);

	const rule_info *r = ruleset_rule(rs, 0);
	ck_assert_str_eq(r->id, "hedge.modal");
	ck_assert_int_eq(r->cat, CAT_HEDGE);
	ck_assert(r->weight == 0.6);
	ck_assert_str_eq(r->note, "modal verbs of possibility");
	ck_assert_int_eq(r->line, 3);
	ck_assert_ptr_nonnull(strstr(r->file, "rules-good/20-rules.rules"));
	ck_assert_int_eq(r->enabled, 1);
	ck_assert_uint_eq(r->examples.n, 3);
	ck_assert_str_eq(r->examples.v[0].text, "Shares may fall further next week.");
	ck_assert_int_eq(r->examples.v[0].should_flag, 1);
	ck_assert_int_eq(r->examples.v[1].should_flag, 0);
	ck_assert_int_eq(r->examples.v[1].line, 10);

	r = ruleset_rule(rs, 1);
	ck_assert_str_eq(r->id, "speculation.cue-verb");
	ck_assert(r->weight == 0.4);
	ck_assert_ptr_null(r->note);

	r = ruleset_rule(rs, 2);
	ck_assert_str_eq(r->id, "source.per-role");
	ck_assert_int_eq(r->cat, CAT_SOURCE);
	ck_assert_int_eq(r->skind, SOURCE_AUTO);
	ck_assert(r->weight == 0.5);
	ck_assert_uint_eq(r->examples.n, 2);
	ck_assert_str_eq(r->examples.v[0].text, "Per analyst Dana Whitfield, the deal is done.");
	ck_assert_str_eq(r->examples.v[0].expect_source, "Dana Whitfield");
	ck_assert_str_eq(r->examples.v[0].expect_role, "analyst");
	ck_assert_ptr_null(r->examples.v[0].expect_cue);
	ck_assert_ptr_null(r->examples.v[1].expect_source);

	ck_assert_int_eq(ruleset_find(rs, "source.per-role"), 2);
	ck_assert_int_eq(ruleset_find(rs, "nope"), -1);
	ck_assert_ptr_null(ruleset_rule(rs, 3));
	ck_assert(ruleset_weights(rs)->flag_threshold == 0.55);
	ck_assert_ptr_nonnull(ruleset_segmenter(rs));
	const char *h = ruleset_hash(rs);
	ck_assert_uint_eq(strlen(h), 64);
	ck_assert_uint_eq(strspn(h, "0123456789abcdef"), 64);
	ruleset_free(rs);
	diags_free(&d);
}
END_TEST

/* Patterns the tagger would try at every byte of a sentence warn, at
 * their file:line:col; the same shapes narrowed by a start bitmap, a
 * word-start lookbehind, \A or a first code unit do not. A gate and a
 * required comma do not narrow the positions: comma-said still warns. */
static const struct {
	int line, col;
} every_byte_cases[] = {
	{4, 11},  /* \d first */
	{8, 11},  /* a lookahead, then \p{Lu} */
	{9, 18},  /* an except-pattern */
	{15, 11}, /* gated by "said", a comma required */
};

START_TEST(test_every_byte)
{
	diags d = {0};
	size_t n = sizeof every_byte_cases / sizeof every_byte_cases[0];
	ruleset *rs = lint1(BAD("every-byte.rules"), &d);
	if (!rs || d.warnings != n) dump(&d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(d.warnings, n);
	for (size_t k = 0; k < n; k++) {
		long i = find_diag(&d, "every-byte.rules", every_byte_cases[k].line, every_byte_cases[k].col,
				   "pattern is tried at every byte: PCRE2 finds no start set");
		ck_assert_msg(i >= 0, "no every-byte warning at %d:%d", every_byte_cases[k].line,
			      every_byte_cases[k].col);
		ck_assert_int_eq(d.items.v[i].severity, DIAG_WARNING);
		ck_assert_ptr_nonnull(strstr(d.items.v[i].msg, "(?=[0-9\\x{80}-\\x{10ffff}])"));
	}
	/* the gate is there, and does not silence the warning */
	ck_assert_uint_eq(rs->patterns.n, 3);
	ck_assert_int_eq(rs->gated[2], 1);
	ruleset_free(rs);
	diags_free(&d);

	/* a cost, not a fault: commands other than `rules check` keep quiet */
	diags quiet = {0};
	rs = load1(BAD("every-byte.rules"), &quiet);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(quiet.errors + quiet.warnings, 0);
	ruleset_free(rs);
	diags_free(&quiet);

	diags ok = {0};
	rs = lint1(BAD("every-byte-ok.rules"), &ok);
	if (!rs || ok.warnings) dump(&ok);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(ok.errors, 0);
	ck_assert_uint_eq(ok.warnings, 0);
	ck_assert_uint_eq(rs->patterns.n, 4);
	ck_assert_int_eq(rs->patterns.v[1].has_after, 1);
	ruleset_free(rs);
	diags_free(&ok);
}
END_TEST

START_TEST(test_missing_paths)
{
	diags d = {0};
	ck_assert_ptr_null(ruleset_load(NULL, 0, &d));
	ck_assert_uint_eq(d.errors, 1);
	diags_free(&d);
	ck_assert_ptr_null(load1("tests/fixtures/no-such.rules", &d));
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_ptr_nonnull(strstr(d.items.v[0].file, "no-such.rules"));
	ck_assert_ptr_nonnull(strstr(d.items.v[0].msg, "cannot open"));
	diags_free(&d);
	ruleset_free(NULL);
}
END_TEST

static char *write_tmp(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", test_tmpdir(), name);
	FILE *fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* The rule set of one file holding text (written as name in the test's
 * scratch folder); it must load without errors. */
static ruleset *load_ok(const char *name, const char *text)
{
	char *p = write_tmp(name, text);
	diags d = {0};
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	if (!rs) dump(&d);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	free(p);
	return rs;
}

static const char rules_a[] = "[rule hedge.a]\ncategory = hedge\nmatch = maybe\n";
static const char rules_b[] = "[rule hedge.b]\ncategory = hedge\nmatch = perhaps\n";

START_TEST(test_hash)
{
	diags d = {0};
	char *a = write_tmp("hash-a.rules", rules_a);
	char *b = write_tmp("hash-b.rules", rules_b);
	const char *paths[2] = {a, b};
	ruleset *rs = ruleset_load(paths, 2, &d);
	ck_assert_ptr_nonnull(rs);
	char h1[65];
	strcpy(h1, ruleset_hash(rs));

	/* same content: same hash */
	ruleset *rs2 = ruleset_load(paths, 2, &d);
	ck_assert_str_eq(ruleset_hash(rs2), h1);
	ruleset_free(rs2);

	/* selection */
	ruleset_set_enabled(rs, 1, 0);
	ck_assert_int_eq(ruleset_rule(rs, 1)->enabled, 0);
	char h2[65];
	strcpy(h2, ruleset_hash(rs));
	ck_assert_str_ne(h2, h1);
	ruleset_set_enabled(rs, 0, 0);
	ck_assert_str_ne(ruleset_hash(rs), h2);
	ruleset_set_enabled(rs, 0, 1);
	ruleset_set_enabled(rs, 1, 1);
	ck_assert_str_eq(ruleset_hash(rs), h1);
	ruleset_free(rs);

	/* load order matters */
	const char *rev[2] = {b, a};
	rs = ruleset_load(rev, 2, &d);
	ck_assert_str_ne(ruleset_hash(rs), h1);
	ruleset_free(rs);

	/* one changed byte */
	free(write_tmp("hash-b.rules", "[rule hedge.b]\ncategory = hedge\nmatch = perhapz\n"));
	rs = ruleset_load(paths, 2, &d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_ne(ruleset_hash(rs), h1);
	ruleset_free(rs);

	ck_assert_uint_eq(d.items.n, 0);
	diags_free(&d);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_folder_equals_files_in_name_order)
{
	diags d = {0};
	ruleset *dir = load1(GOOD, &d);
	char *f1 = xstrdup(test_path(GOOD "/10-lists.rules"));
	char *f2 = xstrdup(test_path(GOOD "/20-rules.rules"));
	const char *paths[2] = {f1, f2};
	ruleset *files = ruleset_load(paths, 2, &d);
	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(files);
	ck_assert_str_eq(ruleset_hash(dir), ruleset_hash(files));
	ruleset_free(dir);
	ruleset_free(files);
	diags_free(&d);
	free(f1);
	free(f2);
}
END_TEST

START_TEST(test_list_lint)
{
	diags d = {0};
	char *p = write_tmp("lists.rules",
			    "[list phrases]\nitems = chief executive | board member\n"
			    "[list empty]\n"
			    "[rule weasel.x]\ncategory = weasel\nmatch = some @phrases\n"
			    "pattern = (?i)\\b%{phrases}\\b\n");
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	ck_assert_ptr_null(rs);
	if (d.errors != 1) dump(&d);
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_int_ge(find_diag(&d, "lists.rules", 6, 14, "list `phrases` has no single-word items"), 0);
	ck_assert_int_ge(find_diag(&d, "lists.rules", 3, 0, "list `empty` has no items"), 0);
	diags_free(&d);
	free(p);
}
END_TEST

static const struct {
	int line, col;
	const char *sub;
} frag_cases[] = {
	{6, 12, "fragment `LOOP-B` uses itself (through `%{LOOP-A}`)"},
	{9, 16, "bad pattern in fragment `BROKEN`: missing closing parenthesis"},
	{12, 12, "unknown list or fragment `nosuch` in `%{nosuch}`"},
	{14, 11, "`clash` is both a list ("},
	{20, 11, "fragment `EMPTY` has no `pattern`"},
	{24, 1, "`pattern` given twice"},
	{25, 1, "unknown key `colour` in a fragment"},
	{29, 38, "unknown list or fragment `absent` in `%{absent}`"},
};

START_TEST(test_fragment_errors)
{
	diags d = {0};
	ruleset *rs = load1(BAD("fragments.rules"), &d);
	ck_assert_ptr_null(rs);
	long i = find_diag(&d, "fragments.rules", frag_cases[_i].line, frag_cases[_i].col,
			   frag_cases[_i].sub);
	if (i < 0) dump(&d);
	ck_assert_msg(i >= 0, "no error at %d:%d with \"%s\"", frag_cases[_i].line, frag_cases[_i].col,
		      frag_cases[_i].sub);
	ck_assert_int_eq(d.items.v[i].severity, DIAG_ERROR);
	/* nothing else: a use of a bad fragment is not reported again */
	if (d.errors != sizeof frag_cases / sizeof frag_cases[0]) dump(&d);
	ck_assert_uint_eq(d.errors, sizeof frag_cases / sizeof frag_cases[0]);
	diags_free(&d);
}
END_TEST

/* Fragments expand where they are used, nested, with the lists inside them
 * taking the context (case, lookbehind) of the place of use. */
START_TEST(test_fragments_expand)
{
	diags d = {0};
	char *p = write_tmp("frag.rules",
			    "[fragment WHO]\npattern = (?:%{titles}\\s+)?\\p{Lu}\\p{Ll}+\n"
			    "[fragment SAID]\npattern = (?<source>%{WHO})\\s+(?<cue>said)\n"
			    "[fragment UNUSED]\npattern = nothing\n"
			    "[list titles]\nitems = Dr | Prof\n"
			    "[list two]\nitems = Dr | Mr\n"
			    "[rule source.x]\ncategory = source\npattern = (?i:on\\s+%{titles}\\s+day)|%{SAID}\n"
			    "[rule source.y]\ncategory = source\npattern = (?<=%{two}\\s)\\p{Lu}\\p{Ll}+\n");
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	if (!rs || d.warnings != 1) dump(&d);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_int_ge(find_diag(&d, "frag.rules", 5, 0, "fragment `UNUSED` is not used by any rule"), 0);

	analyzer *az = analyzer_new(rs);
	analysis a = {0};
	const char *text = "Then Prof Okafor said so on DR day, and Mr Lind agreed.";
	ck_assert_int_eq(analyze_text(az, text, strlen(text), &a), 0);
	int x = 0, y = 0;
	for (size_t i = 0; i < a.tags.n; i++) {
		const tag *t = &a.tags.v[i];
		const char *id = ruleset_rule(rs, t->rule)->id;
		if (!strcmp(id, "source.x") && t->source.start != t->source.end) {
			ck_assert_int_eq(t->source.start, 5);
			ck_assert_int_eq(t->source.end, 16); /* "Prof Okafor" */
			ck_assert_int_eq(t->cue.start, 17);
			x++;
		} else if (!strcmp(id, "source.x")) {
			ck_assert_int_eq(t->start, 25); /* "on DR day": the list is caseless there */
			x++;
		} else if (!strcmp(id, "source.y")) {
			ck_assert_int_eq(t->start, 43); /* "Lind" */
			y++;
		}
	}
	ck_assert_int_eq(x, 2);
	ck_assert_int_eq(y, 1);
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
	diags_free(&d);
	free(p);
}
END_TEST

/* analysis_size counts what an analysis holds, its input and the
 * capacity of its buffers; analysis_trim frees them only past the limit,
 * and the analysis is as good as new afterwards (run's result pool). */
START_TEST(test_analysis_trim)
{
	diags d = {0};
	char *p = write_tmp("trim.rules", "[rule hedge.may]\ncategory = hedge\npattern = \\bmay\\b\n");
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	ck_assert_ptr_nonnull(rs);
	analyzer *az = analyzer_new(rs);
	analysis a = {0};
	strbuf big = {0};
	for (int i = 0; i < 2000; i++) strbuf_puts(&big, "The rate may rise next year. ");
	ck_assert_int_eq(analyze_text(az, big.data, big.len, &a), 0);
	ck_assert_uint_eq(a.sents.n, 2000);
	ck_assert_uint_eq(a.tags.n, 2000);
	size_t size = analysis_size(&a);
	ck_assert_uint_ge(size, 2 * big.len + a.sents.n * sizeof *a.sents.v + a.tags.n * sizeof *a.tags.v);

	analysis_trim(&a, size); /* at the limit: kept as it is */
	ck_assert_uint_eq(a.tags.n, 2000);
	ck_assert_ptr_nonnull(a.sents.v);
	ck_assert_uint_eq(analysis_size(&a), size);

	analysis_trim(&a, 64 << 10); /* past it: reset and freed */
	ck_assert_ptr_null(a.sents.v);
	ck_assert_ptr_null(a.tags.v);
	ck_assert_ptr_null(a.nt.text.data);
	ck_assert_ptr_null(a.doc.raw);
	ck_assert_uint_eq(analysis_size(&a), sizeof a);

	const char *small = "Prices may fall.";
	ck_assert_int_eq(analyze_text(az, small, strlen(small), &a), 0);
	ck_assert_uint_eq(a.sents.n, 1);
	ck_assert_uint_eq(a.tags.n, 1);
	ck_assert_uint_eq(a.tags.v[0].start, 7);
	size = analysis_size(&a);
	ck_assert_uint_lt(size, 64 << 10);
	analysis_trim(&a, 64 << 10); /* small: the buffers stay for the next one */
	ck_assert_ptr_nonnull(a.sents.v);
	ck_assert_uint_eq(analysis_size(&a), size);

	strbuf_free(&big);
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
	diags_free(&d);
	free(p);
}
END_TEST

START_TEST(test_example_syntax)
{
	diags d = {0};
	char *p = write_tmp("examples.rules",
			    "[rule source.x]\ncategory = source\nmatch = said\n"
			    "flag = Ann said so. => source: Ann; role: analyst; cue: said\n"
			    "flag = Ann said so. =>\n"
			    "flag = => source: Ann\n"
			    "flag = Ann said so. => source:\n"
			    "flag = Ann said so. => source: Ann; source: Bob\n"
			    "flag = a => b => source: Ann\n");
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	ck_assert_ptr_null(rs);
	if (d.errors != 4) dump(&d);
	ck_assert_uint_eq(d.errors, 4);
	ck_assert_int_ge(find_diag(&d, "examples.rules", 5, 23, "expected `source: TEXT`"), 0);
	ck_assert_int_ge(find_diag(&d, "examples.rules", 6, 8, "example text missing"), 0);
	ck_assert_int_ge(find_diag(&d, "examples.rules", 7, 31, "`source:` needs a text"), 0);
	ck_assert_int_ge(find_diag(&d, "examples.rules", 8, 37, "`source:` given twice"), 0);
	diags_free(&d);

	/* the valid ones alone */
	free(write_tmp("examples.rules",
		       "[rule source.x]\ncategory = source\nmatch = said\n"
		       "flag = Ann said so. => source: Ann; role: analyst; cue: said\n"
		       "flag = a => b => source: Ann\n"));
	rs = ruleset_load(paths, 1, &d);
	ck_assert_ptr_nonnull(rs);
	const rule_info *r = ruleset_rule(rs, 0);
	ck_assert_str_eq(r->examples.v[0].text, "Ann said so.");
	ck_assert_str_eq(r->examples.v[0].expect_source, "Ann");
	ck_assert_str_eq(r->examples.v[0].expect_role, "analyst");
	ck_assert_str_eq(r->examples.v[0].expect_cue, "said");
	ck_assert_str_eq(r->examples.v[1].text, "a => b"); /* the last => starts the captures */
	ck_assert_str_eq(r->examples.v[1].expect_source, "Ann");
	ruleset_free(rs);
	diags_free(&d);
	free(p);
}
END_TEST

/* The prefilter's analysis of patterns (ruleset.c): how many literal sets
 * ("gates") every match of the pattern must hit. The lists below are
 * written as tries by the rule compiler. */
static const struct {
	const char *pattern;
	uint32_t gates;
} gate_cases[] = {
	{"plain", 1},
	{"(?<cue>%{verb})\\b", 1},
	/* a list, a name, a list: both lists are required; the role list
	 * counts twice, by its words' starts (analyst, economist, chief)
	 * and by another word each must contain (analyst, economist,
	 * executive) */
	{"\\b%{role}\\s+\\p{Lu}\\w+\\s+%{verb}\\b", 3},
	{"\\b(?:analyst|economist)\\s+\\p{Lu}\\w+\\s+%{verb}\\b", 2},
	/* "called for" and "called on" have an optional part with no exact
	 * strings: the prefixes "called"/"calls" still count */
	{"(?:called(?:\\s+(?:for|on))?|calls)\\s+\\w+", 1},
	/* a set with a string under three bytes is useless: "MP" */
	{"\\b(?:MP|minister)\\s+\\p{Lu}\\w+\\s+%{verb}\\b", 1},
	/* at most four sets, the most selective ones */
	{"alpha\\s+beta\\s+gamma\\s+delta\\s+epsilon\\s+zeta", 4},
	/* a set implied by another one is left out */
	{"said\\s+\\w+\\s+said", 1},
	{"(?:said|told)\\s+\\w+\\s+said", 1},
	{"said\\s+\\w+\\s+(?:said|told)", 1},
	/* alternatives of conjunctions: the union of each pair */
	{"(?:one\\w\\s+two\\w|three\\w\\s+four\\w)", 4},
	{"(?:alpha\\s+beta|gamma)", 2},
	/* nothing required */
	{"(?:alpha)?\\s+\\w+", 0},
	{"\\p{Lu}\\w+", 0},
	{"alpha|\\w+", 0},
	/* what the walk does not understand: no gates */
	{"(*UTF)alpha", 0},
	{"(?x)alpha beta", 0},
	{"alpha(?R)?beta", 0},
	{"(?i)alpha(?-i:beta)", 1},
	/* lookarounds require nothing; repeats start like their body */
	{"(?<=alpha )\\w+\\s+(?!beta)gamma", 1},
	{"(?:abc)+\\s+said", 2},
	{"(?:abc)*\\s+said", 1},
};

START_TEST(test_gates)
{
	char *text = xasprintf("[list verb]\nitems = said | says | told | called for | called on | noted\n"
			       "[list role]\nitems = analyst | economist | chief executive | chief economist\n"
			       "[rule s.x]\ncategory = source\npattern = %s\n", gate_cases[_i].pattern);
	ruleset *rs = load_ok("gates.rules", text);
	ck_assert_uint_eq(rs->patterns.n, 1);
	ck_assert_uint_eq(rs->gate_off[1] - rs->gate_off[0], gate_cases[_i].gates);
	ck_assert_int_eq(rs->gated[0], gate_cases[_i].gates > 0);
	ruleset_free(rs);
	free(text);
}
END_TEST

/* How many of pattern pi's gates the literal automaton sees in text, run
 * as tag.c runs it. */
static uint32_t gates_seen(const ruleset *rs, size_t pi, const char *text)
{
	uint32_t g0 = rs->gate_off[pi], g1 = rs->gate_off[pi + 1], n = 0;
	uint8_t seen[64] = {0};
	ck_assert_uint_le(g1 - g0, sizeof seen);
	if (!rs->ac_nstates) return 0;
	uint32_t st = 0, nc = rs->ac_nclass;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		uint32_t x = rs->ac_delta[st + rs->ac_class[*p]];
		st = x & ~AC_OUT;
		if (!(x & AC_OUT)) continue;
		uint32_t s = st / nc;
		for (uint32_t k = rs->ac_out_off[s]; k < rs->ac_out_off[s + 1]; k++) {
			uint32_t g = rs->ac_out[k];
			if (g >= g0 && g < g1 && !seen[g - g0]) {
				seen[g - g0] = 1;
				n++;
			}
		}
	}
	return n;
}

#define L70 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
#define VERBS "(?:said|says|told|tells|added|argued|explained|insisted|warned|noted|wrote)"

/* The literals themselves, probed through the automaton: the pattern, a
 * text, how many of the pattern's gates it has, how many the text hits. */
static const struct {
	const char *pattern, *text;
	uint32_t gates, seen;
} literal_cases[] = {
	{"(?:alpha|beta)\\s+\\w+\\s+(?:gamma|delta)", "beta and delta", 2, 2},
	{"(?:alpha|beta)\\s+\\w+\\s+(?:gamma|delta)", "ALPHA", 2, 1},
	{"(?:alpha|beta)\\s+\\w+\\s+(?:gamma|delta)", "alph bet gamm", 2, 0},
	/* exact strings stop at 64 bytes: the first 64 of 70 letters are the
	 * prefix; the 65th ends the run and the last five ("fghij") are in it */
	{L70, L70, 1, 1},
	{L70, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", 1, 1},
	{L70, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", 1, 0},
	/* optional and repeated letters end a run of literal characters */
	{"\\bsaidx?\\s+\\w+", "said", 1, 1},
	{"\\bsai+d\\s+\\w+", "saiiid", 1, 1},
	{"\\bsai+d\\s+\\w+", "sad", 1, 0},
	/* the same (long) group twice: one set */
	{VERBS "\\s+\\p{Lu}\\w+\\s+" VERBS, "Kim wrote", 1, 1},
	{VERBS "\\s+\\p{Lu}\\w+\\s+" VERBS, "Kim wrot", 1, 0},
	/* a list (a trie of more than 64 bytes) in two patterns: the same set */
	{"(?<cue>%{verb})\\s+\\p{Lu}\\w+", "Kim noted", 1, 1},
	{"(?<cue>%{verb})\\s+\\p{Lu}\\w+", "Kim note", 1, 0},
};

START_TEST(test_literals)
{
	/* the pattern twice: the second time, its long groups are found in
	 * the walk's memo */
	char *text = xasprintf("[list verb]\nitems = said | says | told | tells | added | argued | explained | "
			       "insisted | warned | noted | wrote\n"
			       "[rule s.x]\ncategory = source\npattern = %s\n"
			       "[rule s.y]\ncategory = source\npattern = %s\n",
			       literal_cases[_i].pattern, literal_cases[_i].pattern);
	ruleset *rs = load_ok("literals.rules", text);
	ck_assert_uint_eq(rs->patterns.n, 2);
	ck_assert_uint_eq(rs->gate_off[1] - rs->gate_off[0], literal_cases[_i].gates);
	ck_assert_uint_eq(gates_seen(rs, 0, literal_cases[_i].text), literal_cases[_i].seen);
	ck_assert_uint_eq(rs->gate_off[2] - rs->gate_off[1], literal_cases[_i].gates);
	ck_assert_uint_eq(gates_seen(rs, 1, literal_cases[_i].text), literal_cases[_i].seen);
	ruleset_free(rs);
	free(text);
}
END_TEST

/* The start offsets (ascending, comma-separated) at which the automaton,
 * run as tag.c runs it, sees a lead string of pattern pi in text. */
static char *lead_starts(const ruleset *rs, size_t pi, const char *text)
{
	uint8_t at[256] = {0};
	size_t n = strlen(text);
	ck_assert_uint_lt(n, sizeof at);
	uint32_t st = 0, nc = rs->ac_nclass;
	for (size_t i = 0; rs->ac_nstates && i < n; i++) {
		uint32_t x = rs->ac_delta[st + rs->ac_class[(unsigned char)text[i]]];
		st = x & ~AC_OUT;
		if (!(x & AC_OUT)) continue;
		uint32_t s = st / nc;
		for (uint32_t k = rs->ac_out_off[s]; k < rs->ac_out_off[s + 1]; k++) {
			uint32_t o = rs->ac_out[k];
			if (o >= rs->ac_ngate && o < rs->ac_ngate + rs->nlead &&
			    rs->lead_pat[o - rs->ac_ngate] == pi)
				at[i + 1 - rs->lead_len[o - rs->ac_ngate]] = 1;
		}
	}
	strbuf b = {0};
	strbuf_puts(&b, "");
	for (size_t i = 0; i < n; i++)
		if (at[i]) strbuf_printf(&b, "%s%zu", b.len ? "," : "", i);
	return strbuf_steal(&b);
}

/* Lead sets (every match starts with one of them): the pattern, how many
 * strings, a text and where the automaton sees them start in it. */
static const struct {
	const char *pattern;
	uint32_t nlead;
	const char *text, *starts;
} lead_cases[] = {
	{"(?i:chief economist|economist|Analyst)\\s+\\p{Lu}", 3, "The CHIEF Economist, an analyst", "4,10,24"},
	{"(?<![\\p{L}\\p{N}])(?<cue>said|told)\\s+\\w+", 2, "said, unsaid; TOLD", "0,8,14"},
	/* optional and {0,n} parts at the start: their strings or what follows
	 * (a list item's words are joined by \s+: "chief economist" gives
	 * "chief", which is there already) */
	{"(?:the\\s+)?(?:analyst|economist)", 3, "the analyst", "0,4"},
	{"(?:(?i:senior|chief)\\s+){0,2}(?i:%{role})\\b", 5, "a chief economist", "2,8"},
	{"(?:abc){0,3}(?:de)?fgh", 3, "abcdefgh", "0,3,5"},
	/* a list of more than 64 items: all of them */
	{"(?<![\\p{L}\\p{N}])(?i:%{many})\\s+said", 101, "kab, ZZZ and kdv said", "0,5,13"},
	/* the prefixes of a repeat */
	{"(?:said|told)+\\s+\\w+", 2, "saidtold", "0,4"},
	/* nothing usable: a string too short, no prefix, verbs and \G */
	{"x*said", 0, "said", ""},
	{"(?:a|said)\\w+", 0, "said", ""},
	{"\\w+\\s+said", 0, "said", ""},
	{"said|\\p{Lu}\\w+\\s+told", 0, "said", ""},
	{"(*COMMIT)said", 0, "said", ""},
	{"\\Gsaid", 0, "said", ""},
	{"(?:said)?", 0, "said", ""},
};

START_TEST(test_leads)
{
	strbuf many = {0};
	for (int i = 0; i < 100; i++)
		strbuf_printf(&many, "%sk%c%c", i ? " | " : "", 'a' + i / 26, 'a' + i % 26);
	strbuf_puts(&many, " | zzz");
	char *text = xasprintf("[list role]\nitems = analyst | economist | chief economist | spokeswoman\n"
			       "[list many]\nitems = %s\n"
			       "[rule s.x]\ncategory = source\npattern = %s\n",
			       many.data, lead_cases[_i].pattern);
	ruleset *rs = load_ok("leads.rules", text);
	ck_assert_uint_eq(rs->patterns.n, 1);
	ck_assert_int_eq(rs->lead[0], lead_cases[_i].nlead > 0);
	ck_assert_uint_eq(rs->nlead, lead_cases[_i].nlead);
	char *got = lead_starts(rs, 0, lead_cases[_i].text);
	ck_assert_str_eq(got, lead_cases[_i].starts);
	free(got);
	ruleset_free(rs);
	strbuf_free(&many);
	free(text);
}
END_TEST

/* The ends (comma-separated) of the long s and Kelvin signs the
 * automaton, run as tag.c runs it, reports in text. */
static char *odd_ends(const ruleset *rs, const char *text)
{
	strbuf b = {0};
	strbuf_puts(&b, "");
	uint32_t st = 0, nc = rs->ac_nclass;
	for (size_t i = 0; rs->ac_nstates && text[i]; i++) {
		uint32_t x = rs->ac_delta[st + rs->ac_class[(unsigned char)text[i]]];
		st = x & ~AC_OUT;
		if (!(x & AC_OUT)) continue;
		uint32_t s = st / nc;
		for (uint32_t k = rs->ac_out_off[s]; k < rs->ac_out_off[s + 1]; k++)
			if (rs->ac_out[k] == rs->ac_ngate + rs->nlead)
				strbuf_printf(&b, "%s%zu", b.len ? "," : "", i + 1);
	}
	return strbuf_steal(&b);
}

/* The automaton finds the long s and the Kelvin sign (a caseless s or k
 * matches them, its ASCII folding does not), next to literals and in the
 * middle of one, and not other characters that share bytes with them
 * (Ş C5 9E, € E2 82 AC, K itself split by another byte); a rule set
 * without literals has no automaton. */
START_TEST(test_odd_fold)
{
	ruleset *rs = load_ok("odd.rules", "[rule h.x]\ncategory = hedge\npattern = (?i)\\bseek\\b\n"
				       "[rule h.y]\ncategory = hedge\npattern = (?i)asked\\s+\\w+\n");
	ck_assert_uint_gt(rs->ac_nstates, 0);
	ck_assert_uint_eq(rs->lead_pat[rs->nlead], UINT32_MAX);
	const char *text = "\xC5\xBF\xE2\x84\xAA se\xC5\xBF""ek \xC5\x9E \xE2\x82\xAC \xE2\x84 \xAA as\xC5\xBF""ked "
			   "\xE2\x84\xAA";
	char *got = odd_ends(rs, text);
	ck_assert_str_eq(got, "2,5,10,29,36");
	free(got);
	got = odd_ends(rs, "seek asked");
	ck_assert_str_eq(got, "");
	free(got);
	ruleset_free(rs);
	rs = load_ok("odd2.rules", "[rule h.x]\ncategory = hedge\npattern = \\w+\n");
	ck_assert_uint_eq(rs->ac_nstates, 0);
	ruleset_free(rs);
}
END_TEST

/* A long list shared by many patterns costs the automaton's budget once:
 * 400 verbs of 12 letters (4,800 bytes) in 20 patterns (96,000 bytes if
 * counted per pattern, over the budget of 60,000) are all gates, and the
 * automaton has no more states than one copy of the list needs. */
START_TEST(test_gates_shared_list)
{
	strbuf b = {0};
	strbuf_puts(&b, "[list verb]\n");
	for (int i = 0; i < 400; i++)
		strbuf_printf(&b, "items = verb%c%c%cwords\n", 'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676);
	for (int r = 0; r < 20; r++)
		strbuf_printf(&b, "[rule s.r%d]\ncategory = source\npattern = \\b(?:%%{verb})\\s+\\d{%d}\n", r, r + 1);
	ruleset *rs = load_ok("shared.rules", b.data);
	ck_assert_uint_eq(rs->patterns.n, 20);
	for (size_t k = 0; k < 20; k++) ck_assert_msg(rs->gated[k], "pattern %zu has no gate", k);
	ck_assert_uint_le(rs->ac_nstates, 400 * 12 + 16);
	ruleset_free(rs);
	strbuf_free(&b);
}
END_TEST

/* Where a pattern's matches may start (find_start_class): the pattern,
 * whether it makes a claim, and the characters after which (it claims)
 * no match starts, among "a Z 0 ' - . _ (". */
static const struct {
	const char *pattern;
	int has;
	const char *no_start_after;
} start_cases[] = {
	{"(?<![\\p{L}\\p{N}])said", 1, "aZ0"},
	{"(?<![\\p{L}\\p{N}'’.-])(?i:the)\\s+\\w+", 1, "aZ0'.-"},
	{"(?<![\\p{L}])said", 1, "aZ"},
	/* lookaheads, other lookbehinds and option settings before it */
	{"(?=[A-Z])(?=\\p{Lu})(?<![\\p{L}\\p{N}])\\p{Lu}\\w+", 1, "aZ0"},
	{"(?i)(?<!either\\s)(?<![\\p{L}\\p{N}_])two", 1, "aZ0_"},
	{"(?<!\\bof\\s)(?<![\\p{L}\\p{N}])said", 1, "aZ0"},
	/* no claim */
	{"said", 0, ""},
	{"\\bsaid", 0, ""},
	{"(?:(?<![\\p{L}\\p{N}])said)", 0, ""},        /* inside a group */
	{"(?<![\\p{L}\\p{N}])said|told", 0, ""},       /* a top-level alternative */
	{"(?<![\\p{N}])said", 0, ""},                   /* no letters in the class */
	{"(?<![^\\p{L}])said", 0, ""},                  /* a negated class */
	{"(?<![a-z\\p{L}])said", 0, ""},                /* a range */
	{"(?<![\\p{Lu}\\p{N}])said", 0, ""},           /* only some letters */
	{"(?<![\\p{L}\\p{N}])(*COMMIT)said", 0, ""},  /* a verb */
	{"(?<![\\p{L}\\p{N}])\\Gsaid", 0, ""},       /* \G */
	{"(?<![\\p{L}\\p{N}]|x)said", 0, ""},          /* alternatives in the lookbehind */
};

START_TEST(test_start_class)
{
	char *text = xasprintf("[rule s.x]\ncategory = source\npattern = %s\n", start_cases[_i].pattern);
	ruleset *rs = load_ok("start.rules", text);
	const rs_pattern *pt = &rs->patterns.v[0];
	ck_assert_int_eq(pt->has_after, start_cases[_i].has);
	const char *probe = "aZ0'-._(";
	for (const char *c = probe; *c; c++) {
		int bit = pt->has_after && (pt->no_start_after[(unsigned char)*c >> 3] >> (*c & 7) & 1);
		ck_assert_msg(bit == (strchr(start_cases[_i].no_start_after, *c) != NULL),
			      "%s: character '%c'", start_cases[_i].pattern, *c);
	}
	ruleset_free(rs);
	free(text);
}
END_TEST

START_TEST(test_categories)
{
	ck_assert_str_eq(category_name(CAT_HEDGE), "hedge");
	ck_assert_str_eq(category_name(CAT_SPECULATION), "speculation");
	ck_assert_str_eq(category_name(CAT_WEASEL), "weasel");
	ck_assert_str_eq(category_name(CAT_SOURCE), "source");
	ck_assert_int_eq(category_from_name("weasel"), CAT_WEASEL);
	ck_assert_int_eq(category_from_name("Weasel"), -1);
	ck_assert_int_eq(category_from_name(""), -1);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ruleset");
	TCase *tc = tcase_create("lint");
	tcase_add_loop_test(tc, test_every_error_reported, 0, sizeof error_cases / sizeof error_cases[0]);
	tcase_add_test(tc, test_error_count_exact);
	tcase_add_test(tc, test_duplicate_id_across_files);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_missing_paths);
	tcase_add_test(tc, test_list_lint);
	tcase_add_loop_test(tc, test_fragment_errors, 0, sizeof frag_cases / sizeof frag_cases[0]);
	tcase_add_test(tc, test_fragments_expand);
	tcase_add_test(tc, test_analysis_trim);
	tcase_add_test(tc, test_example_syntax);
	suite_add_tcase(s, tc);
	tc = tcase_create("load");
	tcase_add_test(tc, test_good_folder);
	tcase_add_test(tc, test_folder_equals_files_in_name_order);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_categories);
	tcase_add_loop_test(tc, test_gates, 0, sizeof gate_cases / sizeof gate_cases[0]);
	tcase_add_loop_test(tc, test_literals, 0, sizeof literal_cases / sizeof literal_cases[0]);
	tcase_add_loop_test(tc, test_start_class, 0, sizeof start_cases / sizeof start_cases[0]);
	tcase_add_loop_test(tc, test_leads, 0, sizeof lead_cases / sizeof lead_cases[0]);
	tcase_add_test(tc, test_odd_fold);
	tcase_add_test(tc, test_gates_shared_list);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
