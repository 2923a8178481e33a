/*
 * cmd-import.c — `claimcheck import` (being written; see issue tracker).
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "claimcheck import: not implemented yet\n");
	return EXIT_USAGE;
}
