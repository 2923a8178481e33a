/*
 * cmd-run.c — `claimcheck run PATH...`: process a corpus into the database
 * and print a one-screen summary.
 */
#include "config.h"

#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"

static void run_help(void)
{
	printf("Usage: claimcheck run [OPTIONS] PATH...\n\n"
	       "Analyse files, folders (recursively) and JSONL files into a SQLite database.\n"
	       "Documents already in the database with the same bytes and the same rule set are\n"
	       "skipped; bad documents are reported, recorded with their error, and the run goes on.\n\n"
	       "Options:\n"
	       "  -o, --output DB       database to write (default: claims.db)\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "  -j, --jobs N          worker threads (default: the number of cores)\n"
	       "      --max-bytes N     refuse documents larger than N bytes (default: %u)\n"
	       "      --format F        treat every input as F: txt, md, html or jsonl\n"
	       "      --force           re-analyse documents even when they are current\n"
	       "      --rule ID         run only this rule (repeatable; wildcards: --rule 'hedge.*')\n"
	       "      --category C      run only the rules of category C: hedge, speculation,\n"
	       "                        weasel or source (repeatable; adds to --rule)\n"
	       "      --skip-rule ID    leave this rule out (repeatable; wildcards allowed)\n"
	       "                        A subset changes the rule-set hash: documents analysed\n"
	       "                        with another subset are analysed again.\n"
	       "      --shard K/N       process only shard K of N (1 <= K <= N): the documents whose\n"
	       "                        key hashes to K (FNV-1a 64 of the key with a final mix,\n"
	       "                        modulo N, plus 1), so the N shard runs over the same\n"
	       "                        inputs split them exactly\n"
	       "  -q, --quiet           no per-document messages, no progress bar and no summary\n"
	       "                        (the progress bar is drawn only when stderr is a terminal)\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 all documents analysed (a document may carry a warning, such as\n"
	       "a rule stopped by its PCRE2 match limit in a sentence: its other tags are kept),\n"
	       "1 some documents failed, 2 usage or rule errors, 3 database errors (disk full,\n"
	       "read-only database: what was committed before stays), 130 or 143 stopped by\n"
	       "SIGINT or SIGTERM. The first SIGINT or SIGTERM stops reading input, commits the\n"
	       "documents already analysed, records the run's totals and exits 128 + the signal\n"
	       "number; a second one exits at once, losing only the uncommitted batch.\n",
	       cli_default_rules(), READ_DEFAULT_MAX_BYTES);
}

static char *join_args(int argc, char **argv)
{
	strbuf b = {0};
	strbuf_puts(&b, "claimcheck");
	for (int i = 0; i < argc; i++) {
		strbuf_putc(&b, ' ');
		strbuf_puts(&b, argv[i]);
	}
	return strbuf_steal(&b);
}

/* "K/N" with 1 <= K <= N <= 2^31: plain decimal digits only. */
static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || slash - s > 10) return -1;
	char head[16];
	memcpy(head, s, (size_t)(slash - s));
	head[slash - s] = '\0';
	if (strspn(head, "0123456789") != strlen(head) ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return -1;
	long kv = cli_parse_long(head), nv = cli_parse_long(slash + 1);
	if (kv < 1 || nv < 1 || kv > nv || nv > 0x7fffffffL) return -1;
	*k = (unsigned)kv;
	*n = (unsigned)nv;
	return 0;
}

/* Whether pattern (an id, or shell wildcards such as "hedge.*") names
 * the rule with this id. */
static int pattern_matches(const char *pat, const char *id)
{
	return strcmp(pat, id) == 0 || fnmatch(pat, id, 0) == 0;
}

/* Apply --rule, --category and --skip-rule: with any --rule or
 * --category, only the rules they name run, less the skipped ones. A
 * pattern that names no rule is a usage error (all are listed), and so
 * is a selection that leaves no rule. */
static int select_rules(ruleset *rs, const char **only, size_t nonly, const char **skip,
			size_t nskip, unsigned cats)
{
	size_t n = ruleset_size(rs);
	strbuf unknown = {0};
	size_t nunknown = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char **pats = pass ? skip : only;
		size_t np = pass ? nskip : nonly;
		for (size_t p = 0; p < np; p++) {
			size_t hits = 0;
			for (size_t i = 0; i < n; i++) hits += pattern_matches(pats[p], ruleset_rule(rs, i)->id);
			if (hits) continue;
			strbuf_puts(&unknown, nunknown++ ? ", '" : "'");
			strbuf_puts(&unknown, pats[p]);
			strbuf_putc(&unknown, '\'');
		}
	}
	if (nunknown) {
		cli_usage_error("run", "no rule with id %s (see claimcheck rules list)", unknown.data);
		strbuf_free(&unknown);
		return EXIT_USAGE;
	}
	int subset = nonly || cats;
	size_t left = 0;
	for (size_t i = 0; i < n; i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		int on = !subset || (cats >> ri->cat & 1u);
		for (size_t p = 0; !on && p < nonly; p++) on = pattern_matches(only[p], ri->id);
		for (size_t p = 0; on && p < nskip; p++) on = !pattern_matches(skip[p], ri->id);
		if (on != ri->enabled) ruleset_set_enabled(rs, i, on);
		left += on != 0;
	}
	if (left == 0) return cli_usage_error("run", "the rule selection leaves no rule to run");
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'}, {"rules", required_argument, NULL, 'r'},
		{"jobs", required_argument, NULL, 'j'},   {"max-bytes", required_argument, NULL, 'M'},
		{"format", required_argument, NULL, 'F'}, {"force", no_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
		{"shard", required_argument, NULL, 'S'}, {"rule", required_argument, NULL, 'R'},
		{"skip-rule", required_argument, NULL, 'K'}, {"category", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0}};
	run_options opt = {.db_path = "claims.db", .max_bytes = READ_DEFAULT_MAX_BYTES};
	VEC(const char *) rules = {0};
	VEC(const char *) only = {0};
	VEC(const char *) skip = {0};
	unsigned cats = 0; /* bit per category */
	int c;
	optind = 1;
	opterr = 0;
	char *args = join_args(argc, argv);
	int status = EXIT_USAGE;
	while ((c = getopt_long(argc, argv, ":o:r:j:qh", longopts, NULL)) != -1) {
		long v;
		switch (c) {
		case 'o': opt.db_path = optarg; break;
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'j':
			v = cli_parse_long(optarg);
			if (v < 1 || v > 256) {
				cli_usage_error("run", "--jobs wants a number from 1 to 256, not '%s'", optarg);
				goto out;
			}
			opt.jobs = (unsigned)v;
			break;
		case 'M':
			v = cli_parse_long(optarg);
			if (v < 1 || (unsigned long)v > 0xffffffffUL - 1) {
				cli_usage_error("run", "--max-bytes wants a positive number below 4 GiB, not '%s'", optarg);
				goto out;
			}
			opt.max_bytes = (size_t)v;
			break;
		case 'F':
			opt.force_format = format_from_name(optarg);
			if (opt.force_format == FMT_AUTO) {
				cli_usage_error("run", "unknown format '%s' (txt, md, html, jsonl)", optarg);
				goto out;
			}
			break;
		case 'f': opt.force = 1; break;
		case 'R': VEC_PUSH(&only, optarg); break;
		case 'K': VEC_PUSH(&skip, optarg); break;
		case 'C': {
			int cat = category_from_name(optarg);
			if (cat < 0) {
				cli_usage_error("run", "unknown category '%s' (hedge, speculation, weasel, source)",
						optarg);
				goto out;
			}
			cats |= 1u << cat;
			break;
		}
		case 'S':
			if (parse_shard(optarg, &opt.shard_k, &opt.shard_n) != 0) {
				cli_usage_error("run", "--shard wants K/N with 1 <= K <= N (such as 2/8), not '%s'",
						optarg);
				goto out;
			}
			break;
		case 'q': opt.quiet = 1; break;
		case 'h':
			run_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("run", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("run", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind >= argc) {
		cli_usage_error("run", "no input: give files or folders to analyse");
		goto out;
	}
	ruleset *rs = cli_load_rules(rules.v, rules.n);
	if (!rs) goto out;
	if (select_rules(rs, only.v, only.n, skip.v, skip.n, cats) != EXIT_OK) {
		ruleset_free(rs);
		goto out;
	}
	opt.args = args;
	run_totals t;
	int64_t run_id = 0;
	double t0 = now_seconds();
	status = run_corpus(rs, (const char *const *)argv + optind, (size_t)(argc - optind), &opt, &t,
			    &run_id);
	double el = now_seconds() - t0;
	if ((status <= EXIT_PARTIAL || status > 128) && !opt.quiet) {
		char shard[48] = "";
		if (opt.shard_n) snprintf(shard, sizeof shard, " (shard %u/%u)", opt.shard_k, opt.shard_n);
		printf("claimcheck: run %lld%s written to %s%s\n", (long long)run_id, shard, opt.db_path,
		       status > 128 ? " (interrupted: only part of the input)" : "");
		printf("  documents  %llu analysed, %llu unchanged, %llu failed\n",
		       (unsigned long long)t.documents, (unsigned long long)t.skipped,
		       (unsigned long long)t.failed);
		printf("  sentences  %llu, %llu flagged\n", (unsigned long long)t.sentences,
		       (unsigned long long)t.flagged);
		printf("  tags      ");
		for (int k = 0; k < CAT__COUNT; k++)
			printf(" %s %llu", category_name((category)k), (unsigned long long)t.by_category[k]);
		printf("\n  time       %.2f s, %.1f MB/s\n", el, el > 0 ? t.bytes / 1e6 / el : 0.0);
		if (t.failed)
			printf("  errors     %llu document%s failed (see above; SELECT key, error FROM documents WHERE error IS NOT NULL)\n",
			       (unsigned long long)t.failed, t.failed == 1 ? "" : "s");
		if (t.warnings)
			printf("  warnings   %llu document%s analysed with a warning, such as a rule stopped by its match\n"
			       "             limit (see above; SELECT key, warning FROM documents WHERE warning IS NOT NULL)\n",
			       (unsigned long long)t.warnings, t.warnings == 1 ? "" : "s");
		int w = cli_close_stdout();
		if (w != EXIT_OK && status <= EXIT_PARTIAL) status = w;
	}
	ruleset_free(rs);
out:
	free(args);
	VEC_FREE(&rules);
	VEC_FREE(&only);
	VEC_FREE(&skip);
	return status;
}
