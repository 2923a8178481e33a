/*
 * cli.h — what the subcommands share: the command table entry, option
 * parsing helpers, rule loading with collected diagnostics, and TTY/colour
 * decisions.
 */
#ifndef CLAIMCHECK_CLI_H
#define CLAIMCHECK_CLI_H

#include <stdio.h>
#include "ruleset.h"

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

int cmd_run(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* The default rule path: $CLAIMCHECK_RULES, else the installed rules,
 * else the source tree's rules/ (for an uninstalled build). */
const char *cli_default_rules(void);

/* Load rules from paths (or the default if npaths == 0); prints every
 * diagnostic; returns NULL if any error (the caller exits 2). */
ruleset *cli_load_rules(const char *const *paths, size_t npaths);

/* Colour on stdout: a TTY and NO_COLOR unset or empty. */
int cli_use_color(FILE *fp);

/* "claimcheck CMD: message" on stderr plus a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CC_PRINTF(2, 3);

/* Parse a non-negative number; -1 on error. */
long cli_parse_long(const char *s);

/* Check a stream for write errors (stdout to a full disk or closed pipe);
 * returns EXIT_OK or 3 with a message. */
int cli_close_stdout(void);

#endif
