/*
 * cmd-review.c — `claimcheck review` (being written; see issue tracker).
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_review(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "claimcheck review: not implemented yet\n");
	return EXIT_USAGE;
}
