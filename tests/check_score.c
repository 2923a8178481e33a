/* check_score.c — the scoring formula, term by term, and document densities. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ruleset.h"
#include "score.h"
#include "stem.h"
#include "tag.h"
#include "testutil.h"

#define EPS 1e-9

static ruleset *rs;
static stemmer *st;
static score_weights W;

static void setup(void)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/score-test.rules", test_tmpdir());
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("[rule hedge.test]\ncategory = hedge\nweight = 0.6\nmatch = may\n\n"
	      "[rule spec.test]\ncategory = speculation\nweight = 0.5\nmatch = expect\n\n"
	      "[rule src.test]\ncategory = source\nweight = 0.9\nmatch = said\n",
	      fp);
	fclose(fp);
	diags d = {0};
	const char *p = path;
	rs = ruleset_load(&p, 1, &d);
	diags_print(&d, stderr);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	st = stemmer_new();
	score_weights_default(&W);
}

static void teardown(void)
{
	ruleset_free(rs);
	stemmer_free(st);
}

/* Score text as one sentence with the given tags (rule index, category). */
static sentence_scores score_of(const char *text, const tag *tags, size_t n, int heading)
{
	tokens ts = {0};
	stem_tokenize(st, text, 0, (uint32_t)strlen(text), &ts);
	sentence_scores s;
	score_sentence(&W, rs, text, &ts, tags, n, heading, &s);
	tokens_free(&ts);
	return s;
}

START_TEST(test_weights_keys)
{
	score_weights w;
	cc_error e;
	cc_error_clear(&e);
	score_weights_default(&w);
	ck_assert_int_eq(score_weights_set(&w, "money", 0.8, &e), 0);
	ck_assert(fabs(w.money - 0.8) < EPS);
	ck_assert_int_eq(score_weights_set(&w, "min_tokens", 7, &e), 0);
	ck_assert(fabs(w.min_tokens - 7) < EPS);
	ck_assert_int_eq(score_weights_set(&w, "money", 1.5, &e), -1);
	ck_assert_str_eq(e.msg, "scoring key 'money' must be between 0 and 1");
	ck_assert_int_eq(score_weights_set(&w, "nonsense", 0.1, &e), -1);
	ck_assert(strstr(e.msg, "unknown scoring key 'nonsense'") != NULL);
}
END_TEST

START_TEST(test_plain_narrative)
{
	sentence_scores s = score_of("the committee met again and talked for hours", NULL, 0, 0);
	ck_assert(fabs(s.factual) < EPS);
	ck_assert(fabs(s.checkworthy) < EPS);
	ck_assert(fabs(s.uncertainty) < EPS);
	ck_assert_int_eq(s.flagged, 0);
	ck_assert_int_eq(s.sourced, 0);
}
END_TEST

START_TEST(test_money_and_number)
{
	sentence_scores s = score_of("the company lost $4.2 billion in the quarter", NULL, 0, 0);
	double f = 1 - (1 - W.number) * (1 - W.money);
	ck_assert(fabs(s.factual - f) < EPS);
	ck_assert(fabs(s.checkworthy - f) < EPS);
	ck_assert_int_eq(s.flagged, f >= W.flag_threshold);
}
END_TEST

START_TEST(test_percent_year_name_compare)
{
	sentence_scores s = score_of("sales at Norwick rose 12% in 2024, the biggest gain", NULL, 0, 0);
	double f = 1 - (1 - W.number) * (1 - W.percent) * (1 - W.date) * (1 - W.name) * (1 - W.compare);
	ck_assert(fabs(s.factual - f) < EPS);
	ck_assert_int_eq(s.flagged, 1);
}
END_TEST

START_TEST(test_month_only_capitalized)
{
	sentence_scores lower = score_of("prices may go up and down all year", NULL, 0, 0);
	ck_assert(fabs(lower.factual) < EPS);
	sentence_scores upper = score_of("prices went up and down all through March", NULL, 0, 0);
	ck_assert(fabs(upper.factual - W.date) < EPS); /* a month is a date, not a name */
}
END_TEST

START_TEST(test_uncertainty_and_source)
{
	const char *text = "the board may expect more, an aide said on Friday";
	tag tags[3];
	memset(tags, 0, sizeof tags);
	tags[0].rule = (uint32_t)ruleset_find(rs, "hedge.test");
	tags[0].category = CAT_HEDGE;
	tags[1].rule = (uint32_t)ruleset_find(rs, "spec.test");
	tags[1].category = CAT_SPECULATION;
	tags[2].rule = (uint32_t)ruleset_find(rs, "src.test");
	tags[2].category = CAT_SOURCE;
	sentence_scores s = score_of(text, tags, 3, 0);
	ck_assert(fabs(s.hedge - 0.6) < EPS);
	ck_assert(fabs(s.speculation - 0.5) < EPS);
	ck_assert(fabs(s.uncertainty - (1 - 0.4 * 0.5)) < EPS);
	ck_assert_int_eq(s.sourced, 1);
	double f = 1 - (1 - W.date) * (1 - W.compare); /* Friday, more */
	ck_assert(fabs(s.factual - f) < EPS);
	double cw = (1 - (1 - f) * (1 - W.uncertain * s.uncertainty)) * (1 - W.sourced_discount);
	ck_assert(fabs(s.checkworthy - cw) < EPS);
	ck_assert_int_eq(s.flagged, 1);

	/* a suppressed tag counts for nothing */
	tags[0].suppressed = 1;
	s = score_of(text, tags, 1, 0);
	ck_assert(fabs(s.hedge) < EPS);
	ck_assert_int_eq(s.flagged, f >= W.flag_threshold);
}
END_TEST

START_TEST(test_short_and_heading)
{
	sentence_scores s = score_of("Profits hit $5 billion", NULL, 0, 0);
	double f = 1 - (1 - W.number) * (1 - W.money);
	ck_assert(fabs(s.checkworthy - f * W.short_factor) < EPS);
	s = score_of("the firm booked profits of $5 billion last year", NULL, 0, 1);
	ck_assert(fabs(s.checkworthy - f * W.heading_factor) < EPS);
}
END_TEST

START_TEST(test_doc_scores)
{
	doc_scores d;
	doc_scores_reset(&d);
	sentence_scores a = {.hedge = 0.5, .uncertainty = 0.5, .checkworthy = 0.8, .flagged = 1};
	sentence_scores b = {.sourced = 1, .checkworthy = 0.2};
	sentence_scores c = {.speculation = 0.3, .weasel = 0.2, .checkworthy = 0.5, .flagged = 1};
	doc_scores_add(&d, &a);
	doc_scores_add(&d, &b);
	doc_scores_add(&d, &c);
	doc_scores_add(&d, &b);
	doc_scores_finish(&d);
	ck_assert_uint_eq(d.sentences, 4);
	ck_assert_uint_eq(d.flagged, 2);
	ck_assert(fabs(d.hedge_density - 0.25) < EPS);
	ck_assert(fabs(d.speculation_density - 0.25) < EPS);
	ck_assert(fabs(d.weasel_density - 0.25) < EPS);
	ck_assert(fabs(d.sourced_share - 0.5) < EPS);
	ck_assert(fabs(d.checkworthy_max - 0.8) < EPS);
	ck_assert(fabs(d.checkworthy_mean - 0.425) < EPS);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("score");
	TCase *tc = tcase_create("score");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_weights_keys);
	tcase_add_test(tc, test_plain_narrative);
	tcase_add_test(tc, test_money_and_number);
	tcase_add_test(tc, test_percent_year_name_compare);
	tcase_add_test(tc, test_month_only_capitalized);
	tcase_add_test(tc, test_uncertainty_and_source);
	tcase_add_test(tc, test_short_and_heading);
	tcase_add_test(tc, test_doc_scores);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
