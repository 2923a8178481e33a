/*
 * fuzz_markdown.c — libFuzzer target for Markdown (and plain text)
 * documents: normalize then segment.
 *
 * Reads: arbitrary bytes, as a Markdown document and again as plain text.
 * Adds: the normalize.h and segment.h invariants, checked (fuzz.h).
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
	fuzz_normalize(data, size, FMT_MD, NULL);
	fuzz_normalize(data, size, FMT_TXT, NULL);
	return 0;
}
