/*
 * fuzz_html.c — libFuzzer target for HTML documents: normalize (libxml2's
 * recovering SAX parser, entities, blocks) then segment.
 *
 * Reads: arbitrary bytes as an HTML document. Adds: the normalize.h and
 * segment.h invariants, checked (fuzz.h).
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_warm_up(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_normalize(data, size, FMT_HTML, NULL);
	return 0;
}
