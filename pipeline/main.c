/*
 * main.c — the claimcheck command: dispatch to a subcommand from a table.
 */
#include "config.h"

#include <jansson.h>
#include <libxml/xmlversion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cli.h"

static const cli_command commands[] = {
	{"run", "analyse files, folders and JSONL into the database", cmd_run},
	{"report", "flagged claims, most check-worthy first (text, md, csv, json)", cmd_report},
	{"explain", "show sentences, tags with their rules, and scores for a text", cmd_explain},
	{"rules", "check the rule files, run their examples, list rules", cmd_rules},
	{"eval", "precision, recall and F1 against an annotated gold file", cmd_eval},
	{"stream", "JSONL records on stdin -> one explain JSON result per line on stdout", cmd_stream},
	{"review", "review flagged claims interactively; set, import and export verdicts", cmd_review},
	{"diff", "sentences whose flags, tags or scores changed between two databases", cmd_diff},
	{"merge", "merge shard databases into one", cmd_merge},
	{"import", "load 'stream' JSONL results into a database", cmd_import},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: claimcheck COMMAND [OPTIONS] [ARGS]\n\n"
		    "Tags hedged and speculative claims and the sources cited for them in news text,\n"
		    "scores every sentence and writes the results to SQLite.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\n'claimcheck COMMAND --help' describes a command. '--version' prints the version.\n"
		    "Exit status: 0 success, 1 some documents or examples failed, 2 usage or rule-file\n"
		    "errors (nothing run), 3 fatal errors (database, out of memory).\n");
}

static void version(void)
{
	char pcre[64] = "";
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	uint32_t jit = 0;
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	printf("claimcheck %s\n", PACKAGE_VERSION);
	printf("  PCRE2 %s (JIT %s)\n", pcre, jit ? "yes" : "no");
	printf("  SQLite %s\n", sqlite3_libversion());
	printf("  jansson %s\n", jansson_version_str());
	printf("  libxml2 %s\n", LIBXML_DOTTED_VERSION);
	printf("  utf8proc %s\n", utf8proc_version());
	printf("  libstemmer (Snowball English)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return cli_close_stdout();
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		version();
		return cli_close_stdout();
	}
	if (!strcmp(name, "help") && argc >= 3) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (!strcmp(argv[2], commands[i].name)) {
				char *av[] = {argv[2], "--help", NULL};
				return commands[i].fn(2, av);
			}
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "claimcheck: unknown command '%s'\n\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
