/*
 * cmd-merge.c — `claimcheck merge` (being written; see issue tracker).
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_merge(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "claimcheck merge: not implemented yet\n");
	return EXIT_USAGE;
}
