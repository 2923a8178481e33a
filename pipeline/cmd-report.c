/*
 * cmd-report.c — `claimcheck report`: the flagged claims of a database.
 *
 * Reads: the command line and the database (opened read-only, so a report
 * can run while `claimcheck run` writes). Adds: nothing; the report goes to
 * stdout or to the file of -o (report.h), errors to stderr.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"
#include "ruleset.h"
#include "store.h"

static const char usage[] =
	"Usage: claimcheck report [OPTION]...\n"
	"Show the flagged claims of a claimcheck database, most check-worthy first.\n"
	"\n"
	"  -d, --db DB          the database (default: claims.db)\n"
	"  -f, --format FMT     text (default), md, csv, json or html (one\n"
	"                       self-contained page to open in a browser)\n"
	"  -o, --output FILE    write the report to FILE instead of standard output\n"
	"  -c, --category CAT   only claims with a tag of category CAT\n"
	"                       (hedge, speculation, weasel, source)\n"
	"  -s, --min-score X    only claims with check-worthiness >= X (0 to 1)\n"
	"  -D, --document D     only documents whose key, path or id contains D\n"
	"  -n, --limit N        at most N claims (default: all)\n"
	"      --color WHEN     highlight cues with colour: auto (default: on a\n"
	"                       terminal, unless NO_COLOR is set), always, never\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Text output marks cue words [[like this]] (or in colour); Markdown in bold.\n"
	"Exit status: 0 ok, 2 bad invocation or no usable database, 3 failure while\n"
	"writing the report.\n";

enum { OPT_COLOR = 256 };

static const struct option longopts[] = {
	{"db", required_argument, NULL, 'd'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"category", required_argument, NULL, 'c'},
	{"min-score", required_argument, NULL, 's'},
	{"document", required_argument, NULL, 'D'},
	{"limit", required_argument, NULL, 'n'},
	{"color", required_argument, NULL, OPT_COLOR},
	{"colour", required_argument, NULL, OPT_COLOR},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse_format(const char *s, report_format *out)
{
	static const struct { const char *name; report_format f; } fmts[] = {
		{"text", REPORT_TEXT}, {"md", REPORT_MD}, {"markdown", REPORT_MD},
		{"csv", REPORT_CSV}, {"json", REPORT_JSON}, {"html", REPORT_HTML},
	};
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
		if (strcmp(s, fmts[i].name) == 0) {
			*out = fmts[i].f;
			return 0;
		}
	return -1;
}

int cmd_report(int argc, char **argv)
{
	const char *db_path = "claims.db";
	const char *output = NULL;
	report_options o = {.format = REPORT_TEXT};
	int color = -1; /* auto */
	int c;

	optind = 0; /* glibc and musl: restart scanning, argv[0] is "report" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:f:o:c:s:D:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_path = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &o.format) < 0)
				return cli_usage_error("report", "unknown format '%s' "
						       "(use text, md, csv, json or html)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			if (category_from_name(optarg) < 0)
				return cli_usage_error("report", "unknown category '%s' (use hedge, "
						       "speculation, weasel or source)", optarg);
			o.category = optarg;
			break;
		case 's': {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(v) || v < 0 || v > 1)
				return cli_usage_error("report", "--min-score wants a number from 0 "
						       "to 1, not '%s'", optarg);
			o.min_score = v;
			break;
		}
		case 'D':
			o.document = optarg;
			break;
		case 'n':
			o.limit = cli_parse_long(optarg);
			if (o.limit < 0)
				return cli_usage_error("report", "--limit wants a number, not '%s'", optarg);
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0) color = -1;
			else if (strcmp(optarg, "always") == 0) color = 1;
			else if (strcmp(optarg, "never") == 0) color = 0;
			else
				return cli_usage_error("report", "--color wants auto, always or never, "
						       "not '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return cli_close_stdout();
		case ':':
			return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);

	struct stat st;
	if (stat(db_path, &st) != 0) {
		fprintf(stderr, "claimcheck report: no database '%s' (create it with "
			"`claimcheck run PATH...`, or name another with -d DB)\n", db_path);
		return EXIT_USAGE;
	}
	cc_error err;
	store *s = store_open(db_path, STORE_READ, &err);
	if (!s) {
		fprintf(stderr, "claimcheck report: %s\n", err.msg);
		return EXIT_USAGE;
	}
	FILE *out = stdout;
	int regular = 0; /* only a regular file is removed after a failure */
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			fprintf(stderr, "claimcheck report: cannot write '%s': %s\n", output,
				strerror(errno));
			store_close(s);
			return 3;
		}
		regular = fstat(fileno(out), &st) == 0 && S_ISREG(st.st_mode);
	}
	o.color = color < 0 ? (output ? 0 : cli_use_color(stdout)) : color;
	int rc = report_claims(store_db(s), &o, out);
	store_close(s);
	if (output) {
		if (fclose(out) != 0 && rc == 0) {
			fprintf(stderr, "claimcheck report: cannot write '%s': %s\n", output,
				strerror(errno));
			rc = -1;
		}
		if (rc < 0 && regular) remove(output); /* no half-written report */
	}
	if (rc < 0) return 3;
	return cli_close_stdout();
}
