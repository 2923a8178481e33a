/*
 * cli.c — helpers shared by the subcommands: default rule location, rule
 * loading with every diagnostic shown, colour and usage errors.
 */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_default_rules(void)
{
	const char *env = getenv("CLAIMCHECK_RULES");
	if (env && *env) return env;
	struct stat st;
	if (stat(PKGDATADIR "/rules", &st) == 0 && S_ISDIR(st.st_mode)) return PKGDATADIR "/rules";
	return SRCDIR_RULES;
}

ruleset *cli_load_rules(const char *const *paths, size_t npaths)
{
	const char *def = cli_default_rules();
	if (npaths == 0) {
		paths = &def;
		npaths = 1;
	}
	diags d = {0};
	ruleset *rs = ruleset_load(paths, npaths, &d);
	diags_print(&d, stderr);
	if (!rs || d.errors) {
		fprintf(stderr, "claimcheck: %zu error%s in the rule files; nothing was run\n", d.errors,
			d.errors == 1 ? "" : "s");
		ruleset_free(rs);
		rs = NULL;
	}
	diags_free(&d);
	return rs;
}

int cli_use_color(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc) return 0;
	return isatty(fileno(fp));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "claimcheck %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'claimcheck %s --help'.\n", cmd);
	return EXIT_USAGE;
}

long cli_parse_long(const char *s)
{
	if (!s || !*s) return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0) return -1;
	return v;
}

int cli_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "claimcheck: error writing to standard output: %s\n", strerror(errno));
		return 3;
	}
	return EXIT_OK;
}
