/* check_util.c — buffers, vectors, diagnostics, SHA-256 test vectors. */
#include "config.h"

#include <string.h>

#include "testutil.h"
#include "util.h"

static const struct {
	const char *in;
	const char *hex;
} sha_cases[] = {
	{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

START_TEST(test_sha256_vectors)
{
	char out[65];
	sha256_hex(sha_cases[_i].in, strlen(sha_cases[_i].in), out);
	ck_assert_str_eq(out, sha_cases[_i].hex);
}
END_TEST

/* n bytes of 'a' around the padding's edges: the 0x80 and the length in
 * the last block, or the length in a block of its own (from 56 bytes into
 * a block); digests from another implementation. */
static const struct {
	size_t n;
	const char *hex;
} sha_pad_cases[] = {
	{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	{57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
	{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	{65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
	{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
	{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	{127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
	{128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
};

START_TEST(test_sha256_padding)
{
	char a[128], out[65];
	memset(a, 'a', sizeof a);
	for (int accel = 0; accel <= 1; accel++) {
		sha256_set_accel(accel);
		sha256_hex(a, sha_pad_cases[_i].n, out);
		ck_assert_str_eq(out, sha_pad_cases[_i].hex);
		/* the same bytes in two pieces, the second ending the block */
		sha256_ctx c;
		sha256_init(&c);
		sha256_update(&c, a, sha_pad_cases[_i].n / 3);
		sha256_update(&c, a, sha_pad_cases[_i].n - sha_pad_cases[_i].n / 3);
		sha256_final_hex(&c, out);
		ck_assert_str_eq(out, sha_pad_cases[_i].hex);
	}
	sha256_set_accel(1);
}
END_TEST

START_TEST(test_sha256_incremental)
{
	/* one million 'a' fed in odd-sized pieces */
	static char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	sha256_ctx c;
	sha256_init(&c);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof chunk ? left : sizeof chunk;
		sha256_update(&c, chunk, n);
		left -= n;
	}
	char out[65];
	sha256_final_hex(&c, out);
	ck_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* The accelerated and the portable block functions agree on every length
 * around the block and padding boundaries, and on the vectors. */
START_TEST(test_sha256_accel_portable)
{
	static unsigned char buf[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	static const size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129,
				      1000, 4095, 4096};
	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
		char a[65], b[65];
		sha256_set_accel(1);
		sha256_hex(buf, lens[k], a);
		ck_assert_int_eq(sha256_set_accel(0), 0);
		sha256_hex(buf, lens[k], b);
		sha256_set_accel(1);
		ck_assert_msg(strcmp(a, b) == 0, "length %zu: %s != %s", lens[k], a, b);
	}
	for (int accel = 0; accel <= 1; accel++) {
		sha256_set_accel(accel);
		for (size_t i = 0; i < sizeof sha_cases / sizeof *sha_cases; i++) {
			char out[65];
			sha256_hex(sha_cases[i].in, strlen(sha_cases[i].in), out);
			ck_assert_str_eq(out, sha_cases[i].hex);
		}
	}
	sha256_set_accel(1);
}
END_TEST

START_TEST(test_strbuf)
{
	strbuf b = {0};
	strbuf_puts(&b, "hello");
	strbuf_putc(&b, ' ');
	strbuf_printf(&b, "%d-%s", 42, "x");
	ck_assert_str_eq(b.data, "hello 42-x");
	ck_assert_uint_eq(b.len, 10);
	strbuf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	for (int i = 0; i < 10000; i++) strbuf_putc(&b, 'z');
	ck_assert_uint_eq(b.len, 10000);
	char *s = strbuf_steal(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(strlen(s), 10000);
	free(s);
	char *f = xasprintf("%s:%d", "a", 7);
	ck_assert_str_eq(f, "a:7");
	free(f);
}
END_TEST

static const struct {
	const char *in, *out;
} csv_cases[] = {
	{"plain", "plain"},
	{"", ""},
	{"a,b", "\"a,b\""},
	{"say \"may\"", "\"say \"\"may\"\"\""},
	{"two\nlines", "\"two\nlines\""},
	{" padded", "\" padded\""},
	{"inner space", "inner space"},
};

START_TEST(test_csv_field)
{
	strbuf b = {0};
	strbuf_csv_field(&b, csv_cases[_i].in, strlen(csv_cases[_i].in), 1);
	ck_assert_str_eq(b.data ? b.data : "", csv_cases[_i].out);
	strbuf_reset(&b);
	strbuf_csv_field(&b, csv_cases[_i].in, strlen(csv_cases[_i].in), 0);
	ck_assert_uint_eq(b.len, strlen(csv_cases[_i].out) + 1);
	ck_assert_int_eq(b.data[0], ',');
	strbuf_reset(&b);
	strbuf_csv_field(&b, NULL, 0, 0);
	ck_assert_str_eq(b.data, ",");
	strbuf_free(&b);
}
END_TEST

static const struct {
	const char *in, *out;
} md_cases[] = {
	{"plain words", "plain words"},
	{"a | b", "a \\| b"},
	{"*bold* _it_ `code` [link] ~x~ #tag \\", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\] \\~x\\~ \\#tag \\\\"},
	{"<script>&", "&lt;script&gt;&amp;"},
	{"two\nlines\tand\rcr", "two lines and cr"},
	{"bell\a", "bell?"},
};

START_TEST(test_md_cell)
{
	strbuf b = {0};
	strbuf_puts(&b, "");
	strbuf_md_cell(&b, md_cases[_i].in, strlen(md_cases[_i].in));
	ck_assert_str_eq(b.data, md_cases[_i].out);
	strbuf_free(&b);
}
END_TEST

START_TEST(test_vec)
{
	VEC(int) v = {0};
	for (int i = 0; i < 1000; i++) VEC_PUSH(&v, i * 2);
	ck_assert_uint_eq(v.n, 1000);
	ck_assert_int_eq(v.v[999], 1998);
	VEC_FREE(&v);
	ck_assert_uint_eq(v.n, 0);
}
END_TEST

START_TEST(test_diags)
{
	diags d = {0};
	diags_add(&d, DIAG_ERROR, "a.rules", 3, 7, "bad %s", "weight");
	diags_add(&d, DIAG_WARNING, "b.rules", 1, 0, "odd");
	diags_add(&d, DIAG_ERROR, NULL, 0, 0, "no file");
	ck_assert_uint_eq(d.errors, 2);
	ck_assert_uint_eq(d.warnings, 1);
	char buf[512] = {0};
	FILE *fp = fmemopen(buf, sizeof buf - 1, "w");
	diags_print(&d, fp);
	fclose(fp);
	ck_assert_str_eq(buf, "a.rules:3:7: error: bad weight\n"
			      "b.rules:1: warning: odd\n"
			      "claimcheck: error: no file\n");
	diags_free(&d);
	ck_assert_uint_eq(d.items.n, 0);
}
END_TEST

START_TEST(test_error)
{
	cc_error e;
	cc_error_clear(&e);
	ck_assert(!cc_error_isset(&e));
	ck_assert_int_eq(e.offset, -1);
	cc_error_set(&e, 12, "invalid byte 0x%02x", 0xff);
	ck_assert(cc_error_isset(&e));
	ck_assert_str_eq(e.msg, "invalid byte 0xff");
	ck_assert_int_eq(e.offset, 12);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_loop_test(tc, test_sha256_vectors, 0, sizeof sha_cases / sizeof sha_cases[0]);
	tcase_add_loop_test(tc, test_sha256_padding, 0, sizeof sha_pad_cases / sizeof *sha_pad_cases);
	tcase_add_test(tc, test_sha256_incremental);
	tcase_add_test(tc, test_sha256_accel_portable);
	tcase_add_test(tc, test_strbuf);
	tcase_add_loop_test(tc, test_csv_field, 0, sizeof csv_cases / sizeof csv_cases[0]);
	tcase_add_loop_test(tc, test_md_cell, 0, sizeof md_cases / sizeof md_cases[0]);
	tcase_add_test(tc, test_vec);
	tcase_add_test(tc, test_diags);
	tcase_add_test(tc, test_error);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
