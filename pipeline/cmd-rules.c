/*
 * cmd-rules.c — `claimcheck rules check|test|list`: lint the rule files,
 * run every rule's inline examples through the full pipeline, list rules.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"

static void rules_help(void)
{
	printf("Usage: claimcheck rules check|test|list [OPTIONS]\n\n"
	       "  check   lint the rule files: every problem, file:line:col; exit 2 on errors\n"
	       "  test    run every rule's flag/pass examples; exit 1 if any fails\n"
	       "  list    the rules: id, category, weight, examples, where defined\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "      --rule ID         test or list only this rule (repeatable)\n"
	       "  -v, --verbose         test: print every example, not only failures\n"
	       "  -h, --help            show this help\n",
	       cli_default_rules());
}

static int selected(const rule_info *ri, const char **ids, size_t n)
{
	if (!n) return 1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ri->id, ids[i])) return 1;
	return 0;
}

static int span_is(const char *text, span s, const char *want)
{
	size_t n = s.end - s.start;
	return strlen(want) == n && memcmp(text + s.start, want, n) == 0;
}

/* Does the analysis hold an unsuppressed tag of rule `idx` that meets the
 * example's capture expectations? On a capture mismatch, describes what
 * was captured in `why`. */
static int example_tagged(const analysis *a, size_t idx, const rule_example *ex, strbuf *why)
{
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	int any = 0;
	for (size_t i = 0; i < a->tags.n; i++) {
		const tag *t = &a->tags.v[i];
		if (t->rule != idx || t->suppressed) continue;
		any = 1;
		if (ex->expect_source && !span_is(text, t->source, ex->expect_source)) goto mismatch;
		if (ex->expect_role && !span_is(text, t->role, ex->expect_role)) goto mismatch;
		if (ex->expect_cue) {
			span c = t->cue.start != t->cue.end ? t->cue : (span){t->start, t->end};
			if (!span_is(text, c, ex->expect_cue)) goto mismatch;
		}
		return 1;
	mismatch:
		strbuf_printf(why, " [got source \"%.*s\", role \"%.*s\", cue \"%.*s\"]",
			      (int)(t->source.end - t->source.start), text + t->source.start,
			      (int)(t->role.end - t->role.start), text + t->role.start,
			      (int)(t->cue.end - t->cue.start), text + t->cue.start);
	}
	(void)any;
	return 0;
}

static int rules_test(const ruleset *rs, const char **ids, size_t nids, int verbose)
{
	analyzer *az = analyzer_new(rs);
	analysis a;
	memset(&a, 0, sizeof a);
	cc_error_clear(&a.err);
	size_t passed = 0, failed = 0;
	strbuf why = {0};
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		if (!selected(ri, ids, nids)) continue;
		for (size_t k = 0; k < ri->examples.n; k++) {
			const rule_example *ex = &ri->examples.v[k];
			strbuf_reset(&why);
			analyze_text(az, ex->text, strlen(ex->text), &a);
			int tagged = !a.failed && example_tagged(&a, i, ex, &why);
			int ok = ex->should_flag ? tagged : !tagged;
			if (!ex->should_flag && !tagged) strbuf_reset(&why);
			if (ok) passed++;
			else failed++;
			if (!ok || verbose)
				printf("%s:%d: %s: %s example %s: %s%s\n", ri->file, ex->line, ri->id,
				       ex->should_flag ? "flag" : "pass", ok ? "ok" : "FAILED", ex->text,
				       why.data && !ok ? why.data : "");
		}
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	strbuf_free(&why);
	analysis_free(&a);
	analyzer_free(az);
	return failed ? EXIT_PARTIAL : EXIT_OK;
}

static void rules_list(const ruleset *rs, const char **ids, size_t nids)
{
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		if (!selected(ri, ids, nids)) continue;
		printf("%-32s %-11s %.2f  %2zu examples  %s:%d\n", ri->id, category_name(ri->cat),
		       ri->weight, ri->examples.n, ri->file, ri->line);
	}
}

int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {{"rules", required_argument, NULL, 'r'},
						 {"rule", required_argument, NULL, 'R'},
						 {"verbose", no_argument, NULL, 'v'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	VEC(const char *) only = {0};
	int verbose = 0, c, status = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'R': VEC_PUSH(&only, optarg); break;
		case 'v': verbose = 1; break;
		case 'h':
			rules_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("rules", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("rules", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind != argc - 1) {
		cli_usage_error("rules", "give one action: check, test or list");
		goto out;
	}
	const char *action = argv[optind];
	if (strcmp(action, "check") && strcmp(action, "test") && strcmp(action, "list")) {
		cli_usage_error("rules", "unknown action '%s' (check, test, list)", action);
		goto out;
	}
	const char *def = cli_default_rules();
	const char *const *paths = rules.n ? rules.v : &def;
	size_t npaths = rules.n ? rules.n : 1;
	diags d = {0};
	ruleset *rs = ruleset_load(paths, npaths, &d);
	diags_print(&d, stderr);
	if (!rs || d.errors) {
		fprintf(stderr, "claimcheck rules: %zu error%s, %zu warning%s\n", d.errors,
			d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
		ruleset_free(rs);
		diags_free(&d);
		goto out;
	}
	for (size_t i = 0; i < only.n; i++)
		if (ruleset_find(rs, only.v[i]) < 0) {
			cli_usage_error("rules", "no rule with id '%s'", only.v[i]);
			ruleset_free(rs);
			diags_free(&d);
			goto out;
		}
	if (!strcmp(action, "check")) {
		size_t nex = 0;
		for (size_t i = 0; i < ruleset_size(rs); i++) nex += ruleset_rule(rs, i)->examples.n;
		printf("%zu rules, %zu examples: 0 errors, %zu warning%s (rule set %.12s)\n",
		       ruleset_size(rs), nex, d.warnings, d.warnings == 1 ? "" : "s", ruleset_hash(rs));
		status = EXIT_OK;
	} else if (!strcmp(action, "test")) {
		status = rules_test(rs, only.v, only.n, verbose);
	} else {
		rules_list(rs, only.v, only.n);
		status = EXIT_OK;
	}
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;
	ruleset_free(rs);
	diags_free(&d);
out:
	VEC_FREE(&rules);
	VEC_FREE(&only);
	return status;
}
