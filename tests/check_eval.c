/* check_eval.c — the eval figures: P/R/F1 conventions, string comparison,
 * cue and overlap matching, segmentation boundaries, and whole records
 * scored with a small rule file of our own. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "analyze.h"
#include "eval.h"
#include "testutil.h"

#define EPS 1e-9

/* ---- P/R/F1 ---------------------------------------------------------------- */

static const struct {
	uint64_t tp, fp, fn;
	double p, r, f;
} prf_cases[] = {
	{5, 1, 1, 5.0 / 6, 5.0 / 6, 5.0 / 6},
	{4, 1, 2, 0.8, 4.0 / 6, 2 * 0.8 * (4.0 / 6) / (0.8 + 4.0 / 6)},
	{0, 3, 2, 0, 0, 0},   /* defined and zero */
	{0, 0, 2, -1, 0, -1}, /* no predictions: precision undefined */
	{0, 2, 0, 0, -1, -1}, /* no gold items: recall undefined */
	{0, 0, 0, -1, -1, -1},
	{7, 0, 0, 1, 1, 1},
};

START_TEST(test_prf)
{
	eval_counts c = {prf_cases[_i].tp, prf_cases[_i].fp, prf_cases[_i].fn, 0};
	ck_assert_double_eq_tol(eval_precision(&c), prf_cases[_i].p, EPS);
	ck_assert_double_eq_tol(eval_recall(&c), prf_cases[_i].r, EPS);
	ck_assert_double_eq_tol(eval_f1(&c), prf_cases[_i].f, EPS);
}
END_TEST

/* ---- eval_norm ----------------------------------------------------------------- */

static const struct {
	const char *in, *out;
} norm_cases[] = {
	{"May", "may"},
	{"  Some\tSAY \n", "some say"},
	{"Either  ...   or", "either ... or"},
	{"\xc3\x89" "COLE \xc3\x96" "ffentlich", "\xc3\xa9" "cole \xc3\xb6" "ffentlich"}, /* ÉCOLE Öffentlich */
	{"a\xc2\xa0" "b", "a b"}, /* no-break space */
	{"", ""},
	{"   ", ""},
	{"bad \xff byte", "bad \xff byte"}, /* invalid UTF-8 is kept as it is */
};

START_TEST(test_norm)
{
	strbuf b = {0};
	eval_norm(norm_cases[_i].in, strlen(norm_cases[_i].in), &b);
	ck_assert_str_eq(b.data, norm_cases[_i].out);
	ck_assert_uint_eq(b.len, strlen(norm_cases[_i].out));
	strbuf_free(&b);
}
END_TEST

/* ---- cue and overlap matching ------------------------------------------------ */

static const struct {
	const char *gold, *pred;
	int match;
} cue_cases[] = {
	{"may", "may", 1},
	{"may", "may be", 0},
	{"is expected to", "expected to", 0},
	{"either ... or", "either", 1},
	{"either ... or", "either a bluff or", 1},
	{"either ... or", "either a bluff or a", 0}, /* does not end with "or" */
	{"either ... or", "eithers a or", 0},        /* "either" is not a whole word */
	{"either ... or", "either a bluffor", 0},    /* nor is "or" */
	{"either ... or", "or", 0},
	{"either ... or", "either or", 1},
	{"if ... would", "if the talks fail, prices would", 1},
	{"if ... would", "would", 0},
	{"a ... b ... c", "a", 1},
	{"a ... b ... c", "a x c", 1}, /* first and last part */
	{"...", "...", 1},             /* an ellipsis alone is not a discontinuous cue */
};

START_TEST(test_cue_match)
{
	const char *g = cue_cases[_i].gold, *p = cue_cases[_i].pred;
	ck_assert_int_eq(eval_cue_match(g, strlen(g), p, strlen(p)), cue_cases[_i].match);
}
END_TEST

static const struct {
	const char *a, *b;
	int match;
} overlap_cases[] = {
	{"dana whitfield", "analyst dana whitfield", 1},
	{"the company", "the treasury", 0}, /* "the" does not count */
	{"minister of finance", "head of state", 0},
	{"he", "he", 1},
	{"of", "of", 1}, /* equal strings always match */
	{"obama's team", "s", 0},
	{"obama's team", "obama", 1},
	{"\xc3\xa9mile", "\xc3\xa9mile zola", 1},
	{"", "anything", 0},
	{"x", "", 0},
};

START_TEST(test_overlap)
{
	const char *a = overlap_cases[_i].a, *b = overlap_cases[_i].b;
	ck_assert_int_eq(eval_overlap(a, strlen(a), b, strlen(b)), overlap_cases[_i].match);
	ck_assert_int_eq(eval_overlap(b, strlen(b), a, strlen(a)), overlap_cases[_i].match);
}
END_TEST

static eval_str S(const char *s)
{
	return (eval_str){s, strlen(s)};
}

START_TEST(test_match_one_to_one)
{
	eval_str gold[] = {S("may"), S("could")};
	eval_str pred[] = {S("could"), S("may"), S("may")};
	uint8_t gh[2], ph[3];
	eval_counts c = {0};
	ck_assert_uint_eq(eval_match(gold, 2, pred, 3, EVAL_CUE, gh, ph, &c), 2);
	ck_assert_uint_eq(c.tp, 2);
	ck_assert_uint_eq(c.fp, 1);
	ck_assert_uint_eq(c.fn, 0);
	ck_assert(gh[0] && gh[1]);
	ck_assert(ph[0] && ph[1] && !ph[2]); /* the first "may" is taken */
}
END_TEST

START_TEST(test_match_overlap_exact_first)
{
	/* by overlap alone, greedily, "john smith" would take "smith" and
	 * leave "smith" nothing; exact matches go first */
	eval_str gold[] = {S("john smith"), S("smith")};
	eval_str pred[] = {S("smith"), S("john")};
	eval_counts c = {0};
	ck_assert_uint_eq(eval_match(gold, 2, pred, 2, EVAL_OVERLAP, NULL, NULL, &c), 2);
	eval_counts e = {0};
	ck_assert_uint_eq(eval_match(gold, 2, pred, 2, EVAL_EXACT, NULL, NULL, &e), 1);
	ck_assert_uint_eq(e.fp, 1);
	ck_assert_uint_eq(e.fn, 1);
	/* a discontinuous gold cue: exact by its first part, overlap by any word */
	eval_str g2[] = {S("if ... would")};
	eval_str p2[] = {S("would")};
	eval_counts x = {0}, o = {0};
	ck_assert_uint_eq(eval_match(g2, 1, p2, 1, EVAL_CUE, NULL, NULL, &x), 0);
	ck_assert_uint_eq(eval_match(g2, 1, p2, 1, EVAL_OVERLAP, NULL, NULL, &o), 1);
	/* empty lists */
	eval_counts z = {0};
	ck_assert_uint_eq(eval_match(NULL, 0, pred, 2, EVAL_EXACT, NULL, NULL, &z), 0);
	ck_assert_uint_eq(z.fp, 2);
}
END_TEST

/* ---- segmentation ---------------------------------------------------------------- */

START_TEST(test_segmentation)
{
	int passed;
	eval_counts c = {0};
	const char *t1 = "A b. C d. E f.";
	eval_str g1[] = {S("A b."), S("C d. E f.")};
	span p1[] = {{0, 4}, {5, 9}, {10, 14}};
	eval_segmentation(t1, strlen(t1), g1, 2, p1, 3, &passed, &c);
	ck_assert_int_eq(passed, 0);
	ck_assert_uint_eq(c.tp, 2);
	ck_assert_uint_eq(c.fp, 1);
	ck_assert_uint_eq(c.fn, 0);

	/* a line break in the text against a space in the gold */
	memset(&c, 0, sizeof c);
	const char *t2 = "It was a cold \nnight.";
	eval_str g2[] = {S("It was a cold night.")};
	span p2[] = {{0, (uint32_t)strlen(t2)}};
	eval_segmentation(t2, strlen(t2), g2, 1, p2, 1, &passed, &c);
	ck_assert_int_eq(passed, 1);
	ck_assert_uint_eq(c.tp, 1);
	ck_assert_uint_eq(c.fp + c.fn, 0);

	/* a gold sentence missing from the text: a missed boundary */
	memset(&c, 0, sizeof c);
	const char *t3 = "One. Two.";
	eval_str g3[] = {S("One."), S("Three.")};
	span p3[] = {{0, 4}, {5, 9}};
	eval_segmentation(t3, strlen(t3), g3, 2, p3, 2, &passed, &c);
	ck_assert_int_eq(passed, 0);
	ck_assert_uint_eq(c.tp, 1);
	ck_assert_uint_eq(c.fp, 1);
	ck_assert_uint_eq(c.fn, 1);

	/* repeated sentences are found in order */
	memset(&c, 0, sizeof c);
	const char *t4 = "Yes. Yes. No.";
	eval_str g4[] = {S("Yes."), S("Yes. No.")};
	span p4[] = {{0, 4}, {5, 9}, {10, 13}};
	eval_segmentation(t4, strlen(t4), g4, 2, p4, 3, &passed, &c);
	ck_assert_int_eq(passed, 0);
	ck_assert_uint_eq(c.tp, 2);
	ck_assert_uint_eq(c.fp, 1);
	ck_assert_uint_eq(c.fn, 0);

	/* no whitespace between sentences; exact lists pass */
	memset(&c, 0, sizeof c);
	const char *t5 = "Hi.Bye.";
	eval_str g5[] = {S("Hi."), S("Bye.")};
	span p5[] = {{0, 3}, {3, 7}};
	eval_segmentation(t5, strlen(t5), g5, 2, p5, 2, &passed, &c);
	ck_assert_int_eq(passed, 1);
	ck_assert_uint_eq(c.tp, 2);
}
END_TEST

/* ---- whole records ------------------------------------------------------------- */

static ruleset *rs;
static analyzer *az;
static analysis an;

static void setup(void)
{
	diags d = {0};
	const char *p = test_path("tests/fixtures/eval/eval.rules");
	rs = ruleset_load(&p, 1, &d);
	diags_print(&d, stderr);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	az = analyzer_new(rs);
	memset(&an, 0, sizeof an);
}

static void teardown(void)
{
	analysis_free(&an);
	analyzer_free(az);
	ruleset_free(rs);
}

static int add(evaluator *e, long line, const char *json)
{
	cc_error err;
	int rc = eval_add_line(e, az, &an, line, json, strlen(json), &err);
	if (rc == 0) ck_assert(!cc_error_isset(&err));
	else ck_assert_int_eq(err.line, line);
	return rc;
}

START_TEST(test_uncertainty_records)
{
	evaluator *e = eval_new(rs, 1);
	ck_assert_int_eq(add(e, 1, "{\"text\": \"Shares may fall.\", \"uncertain\": true, \"cues\": [\"may\"]}"), 0);
	ck_assert_int_eq(add(e, 2, "{\"text\": \"You may park here.\", \"uncertain\": false, \"cues\": []}"), 0);
	ck_assert_int_eq(add(e, 3, "{\"id\": 9, \"text\": \"Analysts think so.\", \"uncertain\": true, \"cues\": [\"think\"]}"), 0);
	ck_assert_int_eq(add(e, 4, "{\"text\": \"It is expected to open.\", \"uncertain\": true, \"cues\": [\"is expected to\"]}"), 0);
	ck_assert_int_eq(add(e, 5, "{\"text\": \"Either it ends or it does not.\", \"uncertain\": true, \"cues\": [\"Either ... or\"]}"), 0);
	ck_assert_int_eq(add(e, 6, "{\"text\": \"\", \"uncertain\": false}"), 0); /* empty: no sentences */
	const eval_result *r = eval_result_get(e);
	ck_assert_uint_eq(r->records, 6);
	ck_assert_uint_eq(r->unc_records, 6);
	ck_assert_uint_eq(r->unc_positive, 4);
	ck_assert_uint_eq(r->unc_sentence.tp, 3);
	ck_assert_uint_eq(r->unc_sentence.fp, 1);
	ck_assert_uint_eq(r->unc_sentence.fn, 1);
	ck_assert_uint_eq(r->unc_sentence.tn, 1);
	ck_assert_int_eq(r->unc_has_cues, 1);
	/* gold: may, think, is expected to, either ... or; predicted: may,
	 * may, expected to, "Either it ends or" */
	ck_assert_uint_eq(r->unc_cue_exact.tp, 2);
	ck_assert_uint_eq(r->unc_cue_exact.fp, 2);
	ck_assert_uint_eq(r->unc_cue_exact.fn, 2);
	ck_assert_uint_eq(r->unc_cue_overlap.tp, 3);
	/* calibration: scores 0.6 (may), 0.6 (may), 0, 0.6 (expected), 0.5
	 * (either-or), 0 against gold yes, no, yes, yes, yes, no */
	ck_assert_uint_eq(r->unc_score50.tp, 3);
	ck_assert_uint_eq(r->unc_score50.fp, 1);
	ck_assert_uint_eq(r->unc_score50.fn, 1);
	ck_assert_uint_eq(r->unc_score50.tn, 1);
	ck_assert_uint_eq(r->unc_score90.tp, 0);
	ck_assert_uint_eq(r->unc_score90.fp, 0);
	ck_assert_uint_eq(r->unc_score90.fn, 4);
	ck_assert_uint_eq(r->unc_score90.tn, 2);
	long may = ruleset_find(rs, "hedge.may");
	ck_assert_uint_eq(r->rule_hits[may].hits, 2);
	ck_assert_uint_eq(r->rule_hits[may].tp, 1);
	ck_assert_uint_eq(r->cat_hits[CAT_SPECULATION].hits, 2);
	ck_assert_uint_eq(r->cat_hits[CAT_SOURCE].hits, 0);
	/* one error of each kind kept, with the rule ids */
	ck_assert_uint_eq(json_array_size(r->unc_errors.fp), 1);
	json_t *fp = json_array_get(r->unc_errors.fp, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(fp, "line")), 2);
	json_t *p0 = json_array_get(json_object_get(fp, "predicted"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p0, "cue")), "may");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p0, "rules"), 0)), "hedge.may");
	ck_assert_uint_eq(json_array_size(r->unc_errors.fn), 1);
	json_t *fn = json_array_get(r->unc_errors.fn, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(fn, "id")), 9);
	eval_free(e);
}
END_TEST

START_TEST(test_attribution_records)
{
	evaluator *e = eval_new(rs, 0);
	ck_assert_int_eq(add(e, 1, "{\"text\": \"The minister Tom Reyes said no.\", \"sources\": "
				   "[{\"source\": \"minister Tom Reyes\", \"cue\": \"said\"}]}"), 0);
	ck_assert_int_eq(add(e, 2, "{\"text\": \"It was said to be over.\", \"sources\": "
				   "[{\"source\": \"\", \"cue\": \"said\"}]}"), 0);
	ck_assert_int_eq(add(e, 3, "{\"text\": \"According to Plan B, we left.\", \"sources\": []}"), 0);
	const eval_result *r = eval_result_get(e);
	ck_assert_uint_eq(r->att_records, 3);
	ck_assert_uint_eq(r->att_positive, 2);
	ck_assert_uint_eq(r->att_has_source.tp, 1);
	ck_assert_uint_eq(r->att_has_source.fp, 1);
	ck_assert_uint_eq(r->att_has_source.fn, 1);
	ck_assert_uint_eq(r->att_cue_exact.tp, 1);
	ck_assert_uint_eq(r->att_cue_exact.fp, 1);
	ck_assert_uint_eq(r->att_cue_exact.fn, 1);
	/* the empty gold source is not a gold item */
	ck_assert_uint_eq(r->att_source_exact.tp, 0);
	ck_assert_uint_eq(r->att_source_exact.fp, 2);
	ck_assert_uint_eq(r->att_source_exact.fn, 1);
	ck_assert_uint_eq(r->att_source_overlap.tp, 1);
	ck_assert_uint_eq(r->unc_records, 0);
	ck_assert_uint_eq(json_array_size(r->att_errors.fp), 0); /* max_errors 0 */
	eval_free(e);
}
END_TEST

START_TEST(test_attribution_nested_cues)
{
	/* "has said" (one rule) and "said" (another) are one predicted cue */
	evaluator *e = eval_new(rs, 0);
	ck_assert_int_eq(add(e, 1, "{\"text\": \"Nobody has said so.\", \"sources\": "
				   "[{\"source\": \"Nobody\", \"cue\": \"has said\"}]}"), 0);
	const eval_result *r = eval_result_get(e);
	ck_assert_uint_eq(r->att_cue_exact.tp, 1);
	ck_assert_uint_eq(r->att_cue_exact.fp, 0);
	ck_assert_uint_eq(r->att_cue_exact.fn, 0);
	eval_free(e);
}
END_TEST

static void expect_counts(const eval_counts *c, uint64_t tp, uint64_t fp, uint64_t fn)
{
	ck_assert_uint_eq(c->tp, tp);
	ck_assert_uint_eq(c->fp, fp);
	ck_assert_uint_eq(c->fn, fn);
}

START_TEST(test_attribution_per_cue)
{
	/* one speaker with two cues is two attributions, as in the gold; the
	 * two rules that name him for "said" count once */
	evaluator *e = eval_new(rs, 0);
	ck_assert_int_eq(add(e, 1, "{\"text\": \"Tom Reyes said no and added that he was tired.\", "
				   "\"sources\": [{\"source\": \"Tom Reyes\", \"cue\": \"said\"}, "
				   "{\"source\": \"Tom Reyes\", \"cue\": \"added\"}]}"), 0);
	ck_assert_int_eq(add(e, 2, "{\"text\": \"Maria Lopez said no.\", \"sources\": "
				   "[{\"source\": \"Maria Lopez\", \"cue\": \"said\"}]}"), 0);
	const eval_result *r = eval_result_get(e);
	expect_counts(&r->att_cue_exact, 3, 0, 0);
	expect_counts(&r->att_source_exact, 3, 0, 0);
	eval_free(e);
}
END_TEST

START_TEST(test_segmentation_and_categories)
{
	evaluator *e = eval_new(rs, 5);
	ck_assert_int_eq(add(e, 1, "{\"text\": \"Prices rose. Wages did not.\", \"sentences\": "
				   "[\"Prices rose.\", \"Wages did not.\"]}"), 0);
	ck_assert_int_eq(add(e, 2, "{\"text\": \"Prices rose. Wages did not.\", \"sentences\": "
				   "[\"Prices rose. Wages did not.\"]}"), 0);
	ck_assert_int_eq(add(e, 3, "{\"text\": \"Maria Lopez said it may rain.\", \"uncertain\": true, "
				   "\"sources\": [{\"source\": \"Maria Lopez\", \"cue\": \"said\"}], "
				   "\"categories\": [\"hedge\", \"source\"]}"), 0);
	ck_assert_int_eq(add(e, 4, "{\"text\": \"Some say it ends.\", \"uncertain\": true, "
				   "\"categories\": [\"speculation\"]}"), 0);
	const eval_result *r = eval_result_get(e);
	ck_assert_uint_eq(r->seg_records, 2);
	ck_assert_uint_eq(r->seg_passed, 1);
	ck_assert_uint_eq(r->seg_boundaries.tp, 3);
	ck_assert_uint_eq(r->seg_boundaries.fp, 1);
	ck_assert_uint_eq(r->seg_boundaries.fn, 0);
	ck_assert_uint_eq(json_array_size(r->seg_failed), 1);
	ck_assert_uint_eq(r->cat_records, 2);
	ck_assert_uint_eq(r->cat[CAT_HEDGE].tp, 1);
	ck_assert_uint_eq(r->cat[CAT_SOURCE].tp, 1);
	ck_assert_uint_eq(r->cat[CAT_WEASEL].fp, 1);
	ck_assert_uint_eq(r->cat[CAT_SPECULATION].fn, 1);
	ck_assert_uint_eq(r->cat[CAT_SPECULATION].tn, 1);
	/* a record with uncertain but no cues list does not make cue figures */
	ck_assert_uint_eq(r->unc_cue_exact.tp + r->unc_cue_exact.fp + r->unc_cue_exact.fn, 0);
	ck_assert_int_eq(r->unc_has_cues, 0);
	eval_free(e);
}
END_TEST

static const char *const bad_records[] = {
	"not json",
	"[1, 2]",
	"{\"uncertain\": true}",
	"{\"text\": 5, \"uncertain\": true}",
	"{\"text\": \"A.\"}",
	"{\"text\": \"A.\", \"uncertain\": \"yes\"}",
	"{\"text\": \"A.\", \"uncertain\": true, \"cues\": [1]}",
	"{\"text\": \"A.\", \"sentences\": \"A.\"}",
	"{\"text\": \"A.\", \"sources\": [\"Reuters\"]}",
	"{\"text\": \"A.\", \"sources\": [{\"source\": 3}]}",
	"{\"text\": \"A.\", \"uncertain\": true, \"categories\": \"hedge\"}",
	"{\"text\": \"bad \\u0001 control\", \"uncertain\": true}",
};

START_TEST(test_bad_records)
{
	evaluator *e = eval_new(rs, 5);
	ck_assert_int_eq(add(e, 7, bad_records[_i]), -1);
	const eval_result *r = eval_result_get(e);
	ck_assert_uint_eq(r->records, 0);
	ck_assert_uint_eq(r->skipped, 1);
	ck_assert_uint_eq(r->unc_records + r->seg_records + r->att_records, 0);
	eval_free(e);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("eval");
	TCase *tc = tcase_create("figures");
	tcase_add_loop_test(tc, test_prf, 0, sizeof prf_cases / sizeof *prf_cases);
	tcase_add_loop_test(tc, test_norm, 0, sizeof norm_cases / sizeof *norm_cases);
	tcase_add_loop_test(tc, test_cue_match, 0, sizeof cue_cases / sizeof *cue_cases);
	tcase_add_loop_test(tc, test_overlap, 0, sizeof overlap_cases / sizeof *overlap_cases);
	tcase_add_test(tc, test_match_one_to_one);
	tcase_add_test(tc, test_match_overlap_exact_first);
	tcase_add_test(tc, test_segmentation);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("records");
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, test_uncertainty_records);
	tcase_add_test(tr, test_attribution_records);
	tcase_add_test(tr, test_attribution_nested_cues);
	tcase_add_test(tr, test_attribution_per_cue);
	tcase_add_test(tr, test_segmentation_and_categories);
	tcase_add_loop_test(tr, test_bad_records, 0, sizeof bad_records / sizeof *bad_records);
	suite_add_tcase(s, tr);
	return s;
}

TEST_MAIN(make_suite)
