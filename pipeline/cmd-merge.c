/*
 * cmd-merge.c — `claimcheck merge OUT.db IN.db...`: shard databases into
 * one (the rules are in merge.h).
 *
 * Reads: the input databases (read-only). Adds: their rows to OUT, which
 * is created when missing. Every input is checked before anything is
 * merged, so a refused input (other rules or schema) leaves OUT as it was.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "merge.h"

static void merge_help(void)
{
	printf("Usage: claimcheck merge [OPTIONS] OUT.db IN.db...\n\n"
	       "Merge claimcheck databases (e.g. the shards of 'run --shard K/N') into OUT.db,\n"
	       "which is created if it does not exist. Copied: runs, documents with their\n"
	       "sentences, tags and sources, file records and verdicts; document ids are\n"
	       "renumbered. Merging the same input again changes nothing.\n\n"
	       "  - A document key found in several databases: the copy analysed most\n"
	       "    recently (start time of its run) is kept; on a tie, OUT's copy stays.\n"
	       "  - Verdicts: by document text hash, span and rule; the newer 'updated' wins.\n"
	       "  - A run equal in every column but its id to one in OUT is not copied again.\n"
	       "  - Inputs analysed with another rule set (ruleset hashes of their documents)\n"
	       "    or with another schema version than OUT (or, for a new OUT, than the first\n"
	       "    input) are refused, and nothing is merged, unless --force.\n\n"
	       "Options:\n"
	       "  -f, --force           merge inputs made with other rules or schema versions\n"
	       "  -q, --quiet           no summary\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 all inputs merged, 1 some inputs could not be read (the others\n"
	       "were merged), 2 usage errors or refused inputs (nothing merged), 3 database\n"
	       "errors.\n");
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int c, force = 0, quiet = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case 'h': merge_help(); return cli_close_stdout();
		case ':': return cli_usage_error("merge", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("merge", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("merge", "give the output database and at least one input");
	const char *out = argv[optind];
	char **in = argv + optind + 1;
	int nin = argc - optind - 1;

	/* the inputs must exist and not be OUT, before OUT is created */
	struct stat ost, ist;
	int out_exists = stat(out, &ost) == 0;
	int *ok = xcalloc((size_t)nin, sizeof *ok);
	int status = EXIT_OK, nok = 0;
	for (int i = 0; i < nin; i++) {
		if (stat(in[i], &ist) != 0) {
			fprintf(stderr, "claimcheck merge: %s: cannot read: %s\n", in[i], strerror(errno));
			status = EXIT_PARTIAL;
			continue;
		}
		if (!S_ISREG(ist.st_mode)) {
			fprintf(stderr, "claimcheck merge: %s: not a regular file\n", in[i]);
			status = EXIT_PARTIAL;
			continue;
		}
		if ((out_exists && same_file(&ost, &ist)) || !strcmp(out, in[i])) {
			free(ok);
			return cli_usage_error("merge", "the output %s is also an input (%s)", out, in[i]);
		}
		ok[i] = 1;
	}

	cc_error err;
	merger *m = merge_open(out, force, &err);
	if (!m) {
		fprintf(stderr, "claimcheck merge: %s\n", err.msg);
		free(ok);
		return 3;
	}
	int refused = 0;
	for (int i = 0; i < nin; i++) {
		if (!ok[i]) continue;
		enum merge_check_result r = merge_check(m, in[i], &err);
		if (r == MERGE_REFUSED) {
			fprintf(stderr, "claimcheck merge: refused: %s\n", err.msg);
			refused = 1;
			ok[i] = 0;
		} else if (r == MERGE_UNREADABLE) {
			fprintf(stderr, "claimcheck merge: %s\n", err.msg);
			status = EXIT_PARTIAL;
			ok[i] = 0;
		} else {
			if (cc_error_isset(&err)) fprintf(stderr, "claimcheck merge: warning: %s\n", err.msg);
			nok++;
		}
	}
	if (refused) {
		fprintf(stderr, "claimcheck merge: nothing merged\n");
		merge_close(m);
		if (!out_exists) {
			/* leave no empty database behind */
			unlink(out);
		}
		free(ok);
		return EXIT_USAGE;
	}

	merge_stats total = {0};
	for (int i = 0; i < nin; i++) {
		if (!ok[i]) continue;
		merge_stats st = {0};
		if (merge_input(m, in[i], &st, &err) < 0) {
			fprintf(stderr, "claimcheck merge: %s\n", err.msg);
			status = 3;
			break;
		}
		if (!quiet)
			printf("%s: %llu documents added, %llu replaced by newer, %llu kept; "
			       "%llu sentences, %llu tags, %llu runs, %llu verdicts\n",
			       in[i], (unsigned long long)st.docs_added,
			       (unsigned long long)st.docs_replaced, (unsigned long long)st.docs_kept,
			       (unsigned long long)st.sentences, (unsigned long long)st.tags,
			       (unsigned long long)st.runs, (unsigned long long)st.verdicts);
		total.docs_added += st.docs_added;
		total.docs_replaced += st.docs_replaced;
		total.docs_kept += st.docs_kept;
	}
	merge_close(m);
	if (!quiet && status != 3) {
		printf("claimcheck: merged %d database%s into %s: %llu documents added, %llu replaced, "
		       "%llu kept\n",
		       nok, nok == 1 ? "" : "s", out, (unsigned long long)total.docs_added,
		       (unsigned long long)total.docs_replaced, (unsigned long long)total.docs_kept);
		int w = cli_close_stdout();
		if (w != EXIT_OK) status = w;
	}
	free(ok);
	return status;
}
