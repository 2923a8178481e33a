/*
 * cmd-explain.c — `claimcheck explain TEXT|FILE|-`: why each sentence got
 * its tags and scores.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze.h"
#include "cli.h"
#include "explain.h"

static void explain_help(void)
{
	printf("Usage: claimcheck explain [OPTIONS] TEXT|FILE|-\n\n"
	       "Analyse one text (an argument, a file, or standard input with '-') and show its\n"
	       "sentences, every tag with the rule that made it and its span, sources and scores.\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "      --format F        text (default) or json (stable, documented in README)\n"
	       "      --rule ID         show only the tags of this rule (repeatable)\n"
	       "  -a, --all             also show matches that an exception suppressed\n"
	       "  -h, --help            show this help\n",
	       cli_default_rules());
}

static int read_stdin(strbuf *b)
{
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) strbuf_append(b, buf, n);
	return ferror(stdin) ? -1 : 0;
}

/* Keep only the tags of the selected rules, fixing each sentence's slice. */
static void filter_rules(analysis *a, const ruleset *rs, const char **ids, size_t nids)
{
	size_t w = 0;
	for (size_t i = 0; i < a->sents.n; i++) {
		sentence_rec *r = &a->sents.v[i];
		uint32_t first = (uint32_t)w;
		for (uint32_t k = 0; k < r->tag_count; k++) {
			tag t = a->tags.v[r->tag_first + k];
			const char *id = ruleset_rule(rs, t.rule)->id;
			for (size_t j = 0; j < nids; j++)
				if (!strcmp(id, ids[j])) {
					a->tags.v[w++] = t;
					break;
				}
		}
		r->tag_first = first;
		r->tag_count = (uint32_t)(w - first);
	}
	a->tags.n = w;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'F'},
		{"rule", required_argument, NULL, 'R'},  {"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	VEC(const char *) only = {0};
	int json = 0, all = 0, c, status = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'R': VEC_PUSH(&only, optarg); break;
		case 'a': all = 1; break;
		case 'F':
			if (!strcmp(optarg, "json")) json = 1;
			else if (!strcmp(optarg, "text")) json = 0;
			else {
				cli_usage_error("explain", "unknown format '%s' (text, json)", optarg);
				goto out;
			}
			break;
		case 'h':
			explain_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("explain", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("explain", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind != argc - 1) {
		cli_usage_error("explain", "give exactly one TEXT, FILE or '-'");
		goto out;
	}
	ruleset *rs = cli_load_rules(rules.v, rules.n);
	if (!rs) goto out;
	for (size_t i = 0; i < only.n; i++)
		if (ruleset_find(rs, only.v[i]) < 0) {
			cli_usage_error("explain", "no rule with id '%s'", only.v[i]);
			ruleset_free(rs);
			goto out;
		}

	analyzer *az = analyzer_new(rs);
	tagger_keep_suppressed(analyzer_tagger(az), all);
	analysis a;
	memset(&a, 0, sizeof a);
	cc_error_clear(&a.err);
	const char *arg = argv[optind];
	struct stat st;
	status = EXIT_OK;
	if (!strcmp(arg, "-")) {
		strbuf in = {0};
		if (read_stdin(&in) != 0) {
			fprintf(stderr, "claimcheck explain: error reading standard input\n");
			status = EXIT_PARTIAL;
		}
		analyze_text(az, in.data ? in.data : "", in.len, &a);
		strbuf_free(&in);
	} else if (stat(arg, &st) == 0) {
		if (read_file(arg, FMT_AUTO, READ_DEFAULT_MAX_BYTES, &a.doc, &a.err) != 0) {
			a.failed = 1;
		} else if (a.doc.format == FMT_JSONL) {
			a.failed = 1;
			cc_error_set(&a.err, -1, "a JSONL file holds many documents: use 'claimcheck run' on it");
		} else {
			analyze_document(az, &a);
		}
	} else {
		analyze_text(az, arg, strlen(arg), &a);
	}
	if (only.n) filter_rules(&a, rs, only.v, only.n);
	if (json) {
		json_t *o = explain_json(&a, rs);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		explain_text(&a, rs, cli_use_color(stdout), stdout);
	}
	if (a.failed) {
		fprintf(stderr, "claimcheck explain: %s: %s\n", a.doc.key ? a.doc.key : arg, a.err.msg);
		status = EXIT_PARTIAL;
	}
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
out:
	VEC_FREE(&rules);
	VEC_FREE(&only);
	return status;
}
