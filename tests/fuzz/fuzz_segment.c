/*
 * fuzz_segment.c — libFuzzer target for the segmenter (segment.h).
 *
 * Reads: arbitrary bytes; those that could be normalized text (valid
 * UTF-8 without NUL or C0 controls other than \t and \n) are segmented
 * as one block with the shipped rules' abbreviations, and as the block
 * that starts after the first byte. Adds: the segment.h invariants,
 * checked (fuzz.h).
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
	static spanvec sv;
	const char *text = (const char *)data;
	if (size == 0 || size > UINT32_MAX / 2) return 0;
	if (utf8_invalid_offset(text, size) >= 0) return 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n') return 0;
	const segmenter *sg = ruleset_segmenter(fuzz_rules());

	sv.n = 0;
	segment_block(sg, text, 0, (uint32_t)size, &sv);
	fuzz_check_sentences(text, 0, (uint32_t)size, sv.v, sv.n);

	/* the same text as a block that does not start at offset 0 */
	uint32_t from = 1;
	while (from < size && (data[from] & 0xC0) == 0x80) from++;
	if (from < size) {
		sv.n = 0;
		segment_block(sg, text, from, (uint32_t)size, &sv);
		fuzz_check_sentences(text, from, (uint32_t)size, sv.v, sv.n);
	}
	return 0;
}
