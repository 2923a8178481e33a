/*
 * cmd-eval.c — `claimcheck eval GOLD.jsonl`: how well the rules do against
 * an annotated gold file. Reads the file a line at a time, scores each
 * record (eval.h), and prints the figures as a table, JSON or TSV, with
 * the per-rule precision table and optionally the first errors.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"
#include "eval.h"

#define DEFAULT_MIN_HITS 5

static void eval_help(void)
{
	printf("Usage: claimcheck eval [OPTIONS] GOLD.jsonl\n\n"
	       "Score the rules against an annotated gold file (JSONL, '-' for standard input).\n"
	       "Each record's \"text\" is analysed as one document; the gold format is recognised\n"
	       "by the record's fields:\n"
	       "  \"sentences\"                   segmentation: exact lists passed, boundary P/R/F1\n"
	       "  \"uncertain\" (and \"cues\")      hedged or speculative sentence P/R/F1, cue P/R/F1\n"
	       "  \"sources\": [{source, cue}]    has-source P/R/F1, cue and source P/R/F1\n"
	       "plus, per rule, the records where it fired and how many of them are gold-positive.\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "      --format F        table (default), json or tsv (section, name, value)\n"
	       "  -e, --errors N        also show the first N false positives and N false\n"
	       "                        negatives (and failed segmentation records)\n"
	       "      --min-hits N      rank rules with at least N hits (default %d)\n"
	       "      --rule ID         use only this rule (repeatable)\n"
	       "      --skip-rule ID    leave this rule out (repeatable)\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 scored, 1 some gold records were malformed (skipped), 2 usage or\n"
	       "rule errors or an unreadable gold file, 3 standard output could not be written.\n",
	       cli_default_rules(), DEFAULT_MIN_HITS);
}

enum out_format { OUT_TABLE, OUT_JSON, OUT_TSV };

/* ---- table ---------------------------------------------------------------- */

static void fig(FILE *out, double x, int width)
{
	if (x < 0) fprintf(out, " %*s", width, "-");
	else fprintf(out, " %*.3f", width, x);
}

static void table_head(FILE *out)
{
	fprintf(out, "  %-22s %7s %7s %7s %9s %7s %7s\n", "metric", "tp", "fp", "fn", "precision",
		"recall", "F1");
}

static void table_row(FILE *out, const char *name, const eval_counts *c)
{
	fprintf(out, "  %-22s %7llu %7llu %7llu", name, (unsigned long long)c->tp,
		(unsigned long long)c->fp, (unsigned long long)c->fn);
	fig(out, eval_precision(c), 9);
	fig(out, eval_recall(c), 7);
	fig(out, eval_f1(c), 7);
	fputc('\n', out);
}

static double hit_precision(const eval_hits *h)
{
	return h->hits ? (double)h->tp / (double)h->hits : -1;
}

typedef struct rule_row {
	size_t idx;
	const eval_hits *h;
} rule_row;

static const ruleset *sort_rs;

/* Worst precision first; then more hits first; then by id. */
static int cmp_rule_rows(const void *pa, const void *pb)
{
	const rule_row *a = pa, *b = pb;
	double x = hit_precision(a->h), y = hit_precision(b->h);
	if (x != y) return x < y ? -1 : 1;
	if (a->h->hits != b->h->hits) return a->h->hits > b->h->hits ? -1 : 1;
	return strcmp(ruleset_rule(sort_rs, a->idx)->id, ruleset_rule(sort_rs, b->idx)->id);
}

/* Rules that fired, in report order: those with >= min_hits first (worst
 * precision first), then the others (same order). *nranked gets the
 * number of the first group. */
static size_t rule_rows(const ruleset *rs, const eval_result *r, uint64_t min_hits, rule_row **out,
			size_t *nranked)
{
	rule_row *rows = xcalloc(r->nrules ? r->nrules : 1, sizeof *rows);
	size_t n = 0, k;
	for (size_t pass = 0; pass < 2; pass++) {
		size_t first = n;
		for (size_t i = 0; i < r->nrules; i++) {
			const eval_hits *h = &r->rule_hits[i];
			if (h->hits == 0 || (h->hits >= min_hits) != (pass == 0)) continue;
			rows[n++] = (rule_row){i, h};
		}
		sort_rs = rs;
		qsort(rows + first, n - first, sizeof *rows, cmp_rule_rows);
		if (pass == 0) k = n;
	}
	*nranked = k;
	*out = rows;
	return n;
}

static void print_rules_table(FILE *out, const ruleset *rs, const eval_result *r, uint64_t min_hits)
{
	rule_row *rows;
	size_t nranked, n = rule_rows(rs, r, min_hits, &rows, &nranked);
	if (n == 0) {
		free(rows);
		return;
	}
	int w = 24;
	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(ruleset_rule(rs, rows[i].idx)->id);
		if (l > w) w = l;
	}
	fprintf(out, "\nRules: hits = records where the rule fired; tp = those the gold marks uncertain\n"
		     "(hedge, speculation, weasel rules) or with a source (source rules).\n"
		     "Worst precision first, rules with %llu or more hits:\n",
		(unsigned long long)min_hits);
	fprintf(out, "  %-*s %-12s %7s %7s %9s\n", w, "rule", "category", "hits", "tp", "precision");
	for (size_t i = 0; i < nranked; i++) {
		const rule_info *ri = ruleset_rule(rs, rows[i].idx);
		fprintf(out, "  %-*s %-12s %7llu %7llu", w, ri->id, category_name(ri->cat),
			(unsigned long long)rows[i].h->hits, (unsigned long long)rows[i].h->tp);
		fig(out, hit_precision(rows[i].h), 9);
		fputc('\n', out);
	}
	for (int c = 0; c < CAT__COUNT; c++) {
		const eval_hits *h = &r->cat_hits[c];
		if (!h->hits) continue;
		char name[64];
		snprintf(name, sizeof name, "(any %s rule)", category_name((category)c));
		fprintf(out, "  %-*s %-12s %7llu %7llu", w, name, category_name((category)c),
			(unsigned long long)h->hits, (unsigned long long)h->tp);
		fig(out, hit_precision(h), 9);
		fputc('\n', out);
	}
	if (n > nranked) {
		fprintf(out, "  fewer than %llu hits (hits/tp):", (unsigned long long)min_hits);
		for (size_t i = nranked; i < n; i++)
			fprintf(out, "%s %s %llu/%llu", i > nranked ? "," : "",
				ruleset_rule(rs, rows[i].idx)->id, (unsigned long long)rows[i].h->hits,
				(unsigned long long)rows[i].h->tp);
		fputc('\n', out);
	}
	free(rows);
}

/* One line of text, its newlines shown as "\n". */
static void put_oneline(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n') fputs("\\n", out);
		else fputc(*s, out);
	}
}

static void put_quoted_list(FILE *out, json_t *arr, const char *key)
{
	size_t i;
	json_t *v;
	if (json_array_size(arr) == 0) {
		fputs("(none)", out);
		return;
	}
	json_array_foreach (arr, i, v) {
		json_t *s = key ? json_object_get(v, key) : v;
		fputs(i ? ", \"" : "\"", out);
		put_oneline(out, json_is_string(s) ? json_string_value(s) : "");
		fputc('"', out);
	}
}

static void print_error_head(FILE *out, const char *what, json_t *o)
{
	json_t *id = json_object_get(o, "id");
	fprintf(out, "\n%s, line %lld", what, (long long)json_integer_value(json_object_get(o, "line")));
	if (json_is_string(id)) fprintf(out, ", id %s", json_string_value(id));
	else if (json_is_integer(id)) fprintf(out, ", id %lld", (long long)json_integer_value(id));
	fputs(":\n  text:      ", out);
	put_oneline(out, json_string_value(json_object_get(o, "text")));
	fputc('\n', out);
}

static void print_unc_errors(FILE *out, const char *what, json_t *list)
{
	size_t i, k;
	json_t *o, *p;
	json_array_foreach (list, i, o) {
		print_error_head(out, what, o);
		fputs("  predicted: ", out);
		json_t *pred = json_object_get(o, "predicted");
		if (!json_array_size(pred)) fputs("(none)", out);
		json_array_foreach (pred, k, p) {
			fprintf(out, "%s\"", k ? ", " : "");
			put_oneline(out, json_string_value(json_object_get(p, "cue")));
			fputs("\" (", out);
			size_t m;
			json_t *rid;
			json_array_foreach (json_object_get(p, "rules"), m, rid)
				fprintf(out, "%s%s", m ? " " : "", json_string_value(rid));
			fputc(')', out);
		}
		fputs("\n  gold cues: ", out);
		put_quoted_list(out, json_object_get(o, "gold"), NULL);
		fputc('\n', out);
	}
}

static void print_att_errors(FILE *out, const char *what, json_t *list)
{
	size_t i, k;
	json_t *o, *p;
	json_array_foreach (list, i, o) {
		print_error_head(out, what, o);
		fputs("  predicted: ", out);
		json_t *pred = json_object_get(o, "predicted");
		if (!json_array_size(pred)) fputs("(none)", out);
		json_array_foreach (pred, k, p) {
			json_t *src = json_object_get(p, "source");
			fprintf(out, "%s\"", k ? ", " : "");
			put_oneline(out, json_string_value(json_object_get(p, "cue")));
			fputc('"', out);
			if (json_is_string(src)) {
				fputs(" source \"", out);
				put_oneline(out, json_string_value(src));
				fputc('"', out);
			}
			fprintf(out, " (%s)", json_string_value(json_object_get(p, "rule")));
		}
		fputs("\n  gold:      ", out);
		json_t *gold = json_object_get(o, "gold");
		if (!json_array_size(gold)) fputs("(none)", out);
		json_array_foreach (gold, k, p) {
			fprintf(out, "%s\"", k ? ", " : "");
			json_t *cue = json_object_get(p, "cue"), *src = json_object_get(p, "source");
			put_oneline(out, json_is_string(cue) ? json_string_value(cue) : "");
			fputc('"', out);
			if (json_is_string(src) && json_string_length(src)) {
				fputs(" source \"", out);
				put_oneline(out, json_string_value(src));
				fputc('"', out);
			}
		}
		fputc('\n', out);
	}
}

static void print_seg_errors(FILE *out, json_t *list)
{
	size_t i;
	json_t *o;
	json_array_foreach (list, i, o) {
		print_error_head(out, "segmentation failed", o);
		json_t *name = json_object_get(o, "name");
		if (json_is_string(name)) fprintf(out, "  name:      %s\n", json_string_value(name));
		fputs("  predicted: ", out);
		put_quoted_list(out, json_object_get(o, "predicted"), NULL);
		fputs("\n  gold:      ", out);
		put_quoted_list(out, json_object_get(o, "gold"), NULL);
		fputc('\n', out);
	}
}

static void print_table(FILE *out, const ruleset *rs, const eval_result *r, const char *gold,
			uint64_t min_hits, int errors)
{
	fprintf(out, "%s: %llu records scored", gold, (unsigned long long)r->records);
	if (r->skipped) fprintf(out, ", %llu skipped (malformed)", (unsigned long long)r->skipped);
	fputc('\n', out);
	if (r->seg_records) {
		fprintf(out, "\nSegmentation: %llu records, %llu passed (%.3f)\n",
			(unsigned long long)r->seg_records, (unsigned long long)r->seg_passed,
			(double)r->seg_passed / (double)r->seg_records);
		table_head(out);
		table_row(out, "sentence ends", &r->seg_boundaries);
	}
	if (r->unc_records) {
		fprintf(out, "\nUncertainty: %llu records, %llu uncertain\n",
			(unsigned long long)r->unc_records, (unsigned long long)r->unc_positive);
		table_head(out);
		table_row(out, "sentence", &r->unc_sentence);
		if (r->unc_has_cues) {
			table_row(out, "cue (exact)", &r->unc_cue_exact);
			table_row(out, "cue (overlap)", &r->unc_cue_overlap);
		}
		table_row(out, "score >= 0.5", &r->unc_score50);
		table_row(out, "score >= 0.9", &r->unc_score90);
	}
	if (r->att_records) {
		fprintf(out, "\nAttribution: %llu records, %llu with a source\n",
			(unsigned long long)r->att_records, (unsigned long long)r->att_positive);
		table_head(out);
		table_row(out, "has source", &r->att_has_source);
		table_row(out, "cue (exact)", &r->att_cue_exact);
		table_row(out, "cue (overlap)", &r->att_cue_overlap);
		table_row(out, "source (exact)", &r->att_source_exact);
		table_row(out, "source (overlap)", &r->att_source_overlap);
	}
	if (r->cat_records) {
		fprintf(out, "\nCategories: %llu records with a \"categories\" list\n",
			(unsigned long long)r->cat_records);
		table_head(out);
		for (int c = 0; c < CAT__COUNT; c++) table_row(out, category_name((category)c), &r->cat[c]);
	}
	print_rules_table(out, rs, r, min_hits);
	if (!errors) return;
	print_seg_errors(out, r->seg_failed);
	print_unc_errors(out, "uncertainty false positive", r->unc_errors.fp);
	print_unc_errors(out, "uncertainty false negative", r->unc_errors.fn);
	print_att_errors(out, "attribution false positive", r->att_errors.fp);
	print_att_errors(out, "attribution false negative", r->att_errors.fn);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *jfig(double x)
{
	return x < 0 ? json_null() : json_real(x);
}

static json_t *counts_json(const eval_counts *c, int with_tn)
{
	json_t *o = json_pack("{s:I,s:I,s:I}", "tp", (json_int_t)c->tp, "fp", (json_int_t)c->fp, "fn",
			      (json_int_t)c->fn);
	if (with_tn) json_object_set_new(o, "tn", json_integer((json_int_t)c->tn));
	json_object_set_new(o, "precision", jfig(eval_precision(c)));
	json_object_set_new(o, "recall", jfig(eval_recall(c)));
	json_object_set_new(o, "f1", jfig(eval_f1(c)));
	return o;
}

static json_t *rule_json(const char *id, const char *cat, const eval_hits *h)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:o}", "rule", id, "category", cat, "hits",
			 (json_int_t)h->hits, "tp", (json_int_t)h->tp, "precision",
			 jfig(hit_precision(h)));
}

static json_t *result_json(const ruleset *rs, const eval_result *r, const char *gold,
			   uint64_t min_hits, int errors)
{
	json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:I,s:I}", "version", 1, "tool", PACKAGE_STRING,
			      "ruleset", ruleset_hash(rs), "gold", gold, "records",
			      (json_int_t)r->records, "skipped", (json_int_t)r->skipped);
	if (r->seg_records)
		json_object_set_new(o, "segmentation",
				    json_pack("{s:I,s:I,s:o}", "records", (json_int_t)r->seg_records,
					      "passed", (json_int_t)r->seg_passed, "boundaries",
					      counts_json(&r->seg_boundaries, 0)));
	else
		json_object_set_new(o, "segmentation", json_null());
	if (r->unc_records) {
		json_t *u = json_pack("{s:I,s:I,s:o}", "records", (json_int_t)r->unc_records, "positive",
				      (json_int_t)r->unc_positive, "sentence",
				      counts_json(&r->unc_sentence, 1));
		json_object_set_new(u, "cue_exact", r->unc_has_cues ? counts_json(&r->unc_cue_exact, 0) : json_null());
		json_object_set_new(u, "cue_overlap", r->unc_has_cues ? counts_json(&r->unc_cue_overlap, 0) : json_null());
		json_object_set_new(u, "score50", counts_json(&r->unc_score50, 1));
		json_object_set_new(u, "score90", counts_json(&r->unc_score90, 1));
		json_object_set_new(o, "uncertainty", u);
	} else {
		json_object_set_new(o, "uncertainty", json_null());
	}
	if (r->att_records)
		json_object_set_new(
			o, "attribution",
			json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "records", (json_int_t)r->att_records,
				  "positive", (json_int_t)r->att_positive, "has_source",
				  counts_json(&r->att_has_source, 1), "cue_exact",
				  counts_json(&r->att_cue_exact, 0), "cue_overlap",
				  counts_json(&r->att_cue_overlap, 0), "source_exact",
				  counts_json(&r->att_source_exact, 0), "source_overlap",
				  counts_json(&r->att_source_overlap, 0)));
	else
		json_object_set_new(o, "attribution", json_null());

	json_t *cats = json_array();
	for (int c = 0; c < CAT__COUNT; c++) {
		if (!r->cat_hits[c].hits && !r->cat_records) continue;
		const char *name = category_name((category)c);
		json_t *co = json_pack("{s:s,s:I,s:I,s:o}", "category", name, "hits",
				       (json_int_t)r->cat_hits[c].hits, "tp", (json_int_t)r->cat_hits[c].tp,
				       "precision", jfig(hit_precision(&r->cat_hits[c])));
		if (r->cat_records) json_object_set_new(co, "gold", counts_json(&r->cat[c], 1));
		json_array_append_new(cats, co);
	}
	json_object_set_new(o, "categories", cats);

	rule_row *rows;
	size_t nranked, n = rule_rows(rs, r, min_hits, &rows, &nranked);
	json_t *rules = json_array();
	for (size_t i = 0; i < n; i++) {
		const rule_info *ri = ruleset_rule(rs, rows[i].idx);
		json_array_append_new(rules, rule_json(ri->id, category_name(ri->cat), rows[i].h));
	}
	free(rows);
	json_object_set_new(o, "rules", rules);
	if (errors) {
		json_object_set_new(
			o, "errors",
			json_pack("{s:O,s:{s:O,s:O},s:{s:O,s:O}}", "segmentation", r->seg_failed,
				  "uncertainty", "false_positives", r->unc_errors.fp, "false_negatives",
				  r->unc_errors.fn, "attribution", "false_positives", r->att_errors.fp,
				  "false_negatives", r->att_errors.fn));
	}
	return o;
}

/* ---- TSV ------------------------------------------------------------------- */

static void tsv_num(FILE *out, const char *sec, const char *name, uint64_t v)
{
	fprintf(out, "%s\t%s\t%llu\n", sec, name, (unsigned long long)v);
}

static void tsv_fig(FILE *out, const char *sec, const char *name, const char *what, double x)
{
	if (x < 0) fprintf(out, "%s\t%s.%s\t-\n", sec, name, what);
	else fprintf(out, "%s\t%s.%s\t%.4f\n", sec, name, what, x);
}

static void tsv_counts(FILE *out, const char *sec, const char *name, const eval_counts *c)
{
	char k[96];
	snprintf(k, sizeof k, "%s.tp", name);
	tsv_num(out, sec, k, c->tp);
	snprintf(k, sizeof k, "%s.fp", name);
	tsv_num(out, sec, k, c->fp);
	snprintf(k, sizeof k, "%s.fn", name);
	tsv_num(out, sec, k, c->fn);
	tsv_fig(out, sec, name, "precision", eval_precision(c));
	tsv_fig(out, sec, name, "recall", eval_recall(c));
	tsv_fig(out, sec, name, "f1", eval_f1(c));
}

static void print_tsv(FILE *out, const ruleset *rs, const eval_result *r, uint64_t min_hits)
{
	tsv_num(out, "all", "records", r->records);
	tsv_num(out, "all", "skipped", r->skipped);
	if (r->seg_records) {
		tsv_num(out, "segmentation", "records", r->seg_records);
		tsv_num(out, "segmentation", "passed", r->seg_passed);
		tsv_counts(out, "segmentation", "boundaries", &r->seg_boundaries);
	}
	if (r->unc_records) {
		tsv_num(out, "uncertainty", "records", r->unc_records);
		tsv_num(out, "uncertainty", "positive", r->unc_positive);
		tsv_counts(out, "uncertainty", "sentence", &r->unc_sentence);
		if (r->unc_has_cues) {
			tsv_counts(out, "uncertainty", "cue_exact", &r->unc_cue_exact);
			tsv_counts(out, "uncertainty", "cue_overlap", &r->unc_cue_overlap);
		}
		tsv_counts(out, "uncertainty", "score50", &r->unc_score50);
		tsv_counts(out, "uncertainty", "score90", &r->unc_score90);
	}
	if (r->att_records) {
		tsv_num(out, "attribution", "records", r->att_records);
		tsv_num(out, "attribution", "positive", r->att_positive);
		tsv_counts(out, "attribution", "has_source", &r->att_has_source);
		tsv_counts(out, "attribution", "cue_exact", &r->att_cue_exact);
		tsv_counts(out, "attribution", "cue_overlap", &r->att_cue_overlap);
		tsv_counts(out, "attribution", "source_exact", &r->att_source_exact);
		tsv_counts(out, "attribution", "source_overlap", &r->att_source_overlap);
	}
	for (int c = 0; r->cat_records && c < CAT__COUNT; c++)
		tsv_counts(out, "categories", category_name((category)c), &r->cat[c]);
	rule_row *rows;
	size_t nranked, n = rule_rows(rs, r, min_hits, &rows, &nranked);
	for (size_t i = 0; i < n; i++) {
		char k[300];
		const char *id = ruleset_rule(rs, rows[i].idx)->id;
		snprintf(k, sizeof k, "%s.hits", id);
		tsv_num(out, "rules", k, rows[i].h->hits);
		snprintf(k, sizeof k, "%s.tp", id);
		tsv_num(out, "rules", k, rows[i].h->tp);
		tsv_fig(out, "rules", id, "precision", hit_precision(rows[i].h));
	}
	free(rows);
}

/* ---- the command ------------------------------------------------------------ */

static int select_rules(ruleset *rs, const char **only, size_t nonly, const char **skip, size_t nskip)
{
	for (size_t i = 0; i < nonly; i++)
		if (ruleset_find(rs, only[i]) < 0)
			return cli_usage_error("eval", "no rule with id '%s'", only[i]);
	for (size_t i = 0; i < nskip; i++)
		if (ruleset_find(rs, skip[i]) < 0)
			return cli_usage_error("eval", "no rule with id '%s'", skip[i]);
	if (nonly)
		for (size_t i = 0; i < ruleset_size(rs); i++) ruleset_set_enabled(rs, i, 0);
	for (size_t i = 0; i < nonly; i++) ruleset_set_enabled(rs, (size_t)ruleset_find(rs, only[i]), 1);
	for (size_t i = 0; i < nskip; i++) ruleset_set_enabled(rs, (size_t)ruleset_find(rs, skip[i]), 0);
	return EXIT_OK;
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'},     {"format", required_argument, NULL, 'F'},
		{"errors", required_argument, NULL, 'e'},    {"min-hits", required_argument, NULL, 'm'},
		{"rule", required_argument, NULL, 'R'},      {"skip-rule", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	VEC(const char *) only = {0};
	VEC(const char *) skip = {0};
	enum out_format fmt = OUT_TABLE;
	long nerrors = 0, min_hits = DEFAULT_MIN_HITS;
	int c, status = EXIT_USAGE;
	ruleset *rs = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'R': VEC_PUSH(&only, optarg); break;
		case 'S': VEC_PUSH(&skip, optarg); break;
		case 'F':
			if (!strcmp(optarg, "table")) fmt = OUT_TABLE;
			else if (!strcmp(optarg, "json")) fmt = OUT_JSON;
			else if (!strcmp(optarg, "tsv")) fmt = OUT_TSV;
			else {
				cli_usage_error("eval", "unknown format '%s' (table, json, tsv)", optarg);
				goto out;
			}
			break;
		case 'e':
			nerrors = cli_parse_long(optarg);
			if (nerrors < 0 || nerrors > 1000000) {
				cli_usage_error("eval", "--errors wants a number from 0 to 1000000, not '%s'", optarg);
				goto out;
			}
			break;
		case 'm':
			min_hits = cli_parse_long(optarg);
			if (min_hits < 0) {
				cli_usage_error("eval", "--min-hits wants a number, not '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			eval_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("eval", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("eval", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind != argc - 1) {
		cli_usage_error("eval", "give exactly one gold file (JSONL) or '-'");
		goto out;
	}
	const char *gold = argv[optind];
	FILE *fp = !strcmp(gold, "-") ? stdin : fopen(gold, "rb");
	if (!fp) {
		fprintf(stderr, "claimcheck eval: %s: %s\n", gold, strerror(errno));
		goto out;
	}
	rs = cli_load_rules(rules.v, rules.n);
	if (!rs || select_rules(rs, only.v, only.n, skip.v, skip.n) != EXIT_OK) {
		if (fp != stdin) fclose(fp);
		goto out;
	}

	analyzer *az = analyzer_new(rs);
	evaluator *ev = eval_new(rs, (size_t)nerrors);
	analysis a;
	memset(&a, 0, sizeof a);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	cc_error err;
	status = EXIT_OK;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
		if (strspn(line, " \t") >= len) continue; /* blank */
		if (eval_add_line(ev, az, &a, lineno, line, len, &err) != 0) {
			if (err.offset >= 0)
				fprintf(stderr, "claimcheck eval: %s:%ld:%lld: %s (record skipped)\n", gold,
					lineno, err.offset + 1, err.msg);
			else
				fprintf(stderr, "claimcheck eval: %s:%ld: %s (record skipped)\n", gold, lineno,
					err.msg);
			status = EXIT_PARTIAL;
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "claimcheck eval: %s: read error: %s\n", gold, strerror(errno));
		status = EXIT_PARTIAL;
	}
	free(line);
	if (fp != stdin) fclose(fp);

	const eval_result *r = eval_result_get(ev);
	if (fmt == OUT_JSON) {
		json_t *o = result_json(rs, r, gold, (uint64_t)min_hits, nerrors > 0);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
		fputc('\n', stdout);
		json_decref(o);
	} else if (fmt == OUT_TSV) {
		print_tsv(stdout, rs, r, (uint64_t)min_hits);
	} else {
		print_table(stdout, rs, r, gold, (uint64_t)min_hits, nerrors > 0);
	}
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;
	eval_free(ev);
	analysis_free(&a);
	analyzer_free(az);
out:
	ruleset_free(rs);
	VEC_FREE(&rules);
	VEC_FREE(&only);
	VEC_FREE(&skip);
	return status;
}
