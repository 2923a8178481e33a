/*
 * fuzz_rules.c — libFuzzer target for the rule-file parser and compiler
 * (ruleset.h), used as a user would: the bytes are a rule file.
 *
 * Reads: arbitrary bytes, written to a scratch file named *.rules and
 * loaded with ruleset_load. Adds: checks that a failed load says why (an
 * error in the diagnostics) and a good one is usable: every rule has an
 * id, the hash is 64 hex digits, and the rule's own flag/pass examples
 * and a fixed text go through analyze_text without crashing.
 */
#include "config.h"
#include "fuzz.h"

#include <unistd.h>

static char scratch[4096];

static void remove_scratch(void)
{
	if (scratch[0]) unlink(scratch);
}

static const char sample[] =
	"Officials said on Monday that the plan may fail, e.g. if Dr. Lee resigns. "
	"Prices could reportedly rise 4.5% in 2025, according to people familiar with "
	"the matter! Some experts believe it is likely... \"Nobody knows,\" she said.";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_warm_up(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0) {
		const char *tmp = getenv("TMPDIR");
		snprintf(scratch, sizeof scratch, "%s/claimcheck-fuzz-XXXXXX.rules",
			 tmp && *tmp ? tmp : "/tmp");
		fd = mkstemps(scratch, 6);
		if (fd < 0) {
			perror(scratch);
			exit(2);
		}
		atexit(remove_scratch);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror(scratch);
		exit(2);
	}

	diags d = {0};
	const char *path = scratch;
	ruleset *rs = ruleset_load(&path, 1, &d);
	for (size_t i = 0; i < d.items.n; i++)
		FUZZ_CHECK(d.items.v[i].msg && d.items.v[i].msg[0], "diagnostic %zu without message", i);
	if (!rs) {
		FUZZ_CHECK(d.errors > 0, "no ruleset and no error");
		diags_free(&d);
		return 0;
	}
	FUZZ_CHECK(d.errors == 0, "a ruleset despite %zu errors", d.errors);
	diags_free(&d);
	FUZZ_CHECK(strlen(ruleset_hash(rs)) == 64, "hash");
	analyzer *az = analyzer_new(rs);
	analysis a = {0};
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		FUZZ_CHECK(ri->id && ri->id[0], "rule %zu without id", i);
		FUZZ_CHECK(ruleset_find(rs, ri->id) == (long)i, "rule %s not found by id", ri->id);
		for (size_t k = 0; k < ri->examples.n; k++) {
			const char *t = ri->examples.v[k].text;
			if (!t) continue;
			analyze_text(az, t, strlen(t), &a);
			analysis_reset(&a);
		}
	}
	analyze_text(az, sample, sizeof sample - 1, &a);
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
	return 0;
}
