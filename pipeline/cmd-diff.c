/*
 * cmd-diff.c — `claimcheck diff` (being written; see issue tracker).
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "claimcheck diff: not implemented yet\n");
	return EXIT_USAGE;
}
