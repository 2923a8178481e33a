/*
 * check_segment.c — the sentence segmenter: a table of texts and the
 * sentences they must split into (with the shipped rules/abbreviations.rules),
 * the meaning of each [abbreviations] key, entry errors, spans and coverage,
 * linear time on large blocks, and sharing one segmenter between threads.
 */
#include "config.h"
#include "segment.h"
#include "testutil.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

/* ---- the shipped abbreviation list ---------------------------------------- */

static segmenter *shipped;

/* A small reader for the [abbreviations] section (the real loader is
 * ruleset.c; this keeps the suite independent of it). */
static segmenter *load_abbreviations(const char *path)
{
	segmenter *s = segmenter_new();
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char line[4096];
	int in = 0, ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		char *p = line;
		while (isspace((unsigned char)*p)) p++;
		if (*p == '#' || !*p) continue;
		if (*p == '[') {
			in = strncmp(p, "[abbreviations]", 15) == 0;
			continue;
		}
		char *eq = strchr(p, '=');
		if (!in || !eq) continue;
		*eq = '\0';
		char key[64];
		ck_assert_int_eq(sscanf(p, "%63s", key), 1);
		char *v = eq + 1, *item;
		while ((item = strsep(&v, "|"))) {
			while (isspace((unsigned char)*item)) item++;
			char *e = item + strlen(item);
			while (e > item && isspace((unsigned char)e[-1])) *--e = '\0';
			cc_error err;
			cc_error_clear(&err);
			ck_assert_msg(segmenter_add(s, key, item, &err) == 0, "%s:%d: %s", path, ln,
				      err.msg);
		}
	}
	fclose(f);
	return s;
}

static void setup_shipped(void)
{
	shipped = load_abbreviations(test_path("rules/abbreviations.rules"));
}

static void teardown_shipped(void)
{
	segmenter_free(shipped);
	shipped = NULL;
}

/* ---- helpers ----------------------------------------------------------------- */

/* Segment text and render the sentences as "[a] [b] …" for messages. */
static char *render(const char *text, const spanvec *sv)
{
	strbuf b = {0};
	for (size_t i = 0; i < sv->n; i++)
		strbuf_printf(&b, "%s[%.*s]", i ? " " : "", (int)(sv->v[i].end - sv->v[i].start),
			      text + sv->v[i].start);
	return strbuf_steal(&b);
}

static void expect_sentences(const segmenter *s, const char *name, const char *text,
			     const char *const *want)
{
	spanvec sv = {0};
	segment_block(s, text, 0, (uint32_t)strlen(text), &sv);
	size_t n = 0;
	while (want[n]) n++;
	char *got = render(text, &sv);
	ck_assert_msg(sv.n == n, "%s: %zu sentences, want %zu: %s", name, sv.n, n, got);
	for (size_t i = 0; i < n; i++) {
		size_t len = sv.v[i].end - sv.v[i].start;
		ck_assert_msg(len == strlen(want[i]) && memcmp(text + sv.v[i].start, want[i], len) == 0,
			      "%s: sentence %zu is [%.*s], want [%s]; all: %s", name, i + 1, (int)len,
			      text + sv.v[i].start, want[i], got);
	}
	free(got);
	VEC_FREE(&sv);
}

/* Spans are in order, trimmed, and cover every non-space byte of [start, end). */
static void check_cover(const char *text, uint32_t start, uint32_t end, const spanvec *sv)
{
	uint32_t p = start;
	for (size_t i = 0; i < sv->n; i++) {
		span s = sv->v[i];
		ck_assert_msg(s.start >= p && s.start < s.end && s.end <= end,
			      "span %zu [%u,%u) out of order (after %u, block end %u)", i, s.start,
			      s.end, p, end);
		ck_assert_msg(!isspace((unsigned char)text[s.start]) &&
				      !isspace((unsigned char)text[s.end - 1]),
			      "span %zu is not trimmed", i);
		for (; p < s.start; p++)
			ck_assert_msg(isspace((unsigned char)text[p]) ||
					      (unsigned char)text[p] == 0xC2 || (unsigned char)text[p] == 0xA0,
				      "byte %u (%c) is in no sentence", p, text[p]);
		p = s.end;
	}
	for (; p < end; p++)
		ck_assert_msg(isspace((unsigned char)text[p]) || (unsigned char)text[p] == 0xC2 ||
				      (unsigned char)text[p] == 0xA0,
			      "byte %u (%c) after the last sentence is in none", p, text[p]);
}

/* ---- the table --------------------------------------------------------------- */

#define S(...) {__VA_ARGS__, NULL}

static const struct seg_case {
	const char *name;
	const char *text;
	const char *want[10];
} cases[] = {
	/* plain terminals */
	{"period", "The mill reopened. Workers returned on Monday.",
	 S("The mill reopened.", "Workers returned on Monday.")},
	{"question", "Who paid for the bridge? Nobody knows yet.",
	 S("Who paid for the bridge?", "Nobody knows yet.")},
	{"exclamation", "The dam held! Villagers cheered.", S("The dam held!", "Villagers cheered.")},
	{"no final punctuation", "Rain is expected later", S("Rain is expected later")},
	{"lower case after period is no start", "The fee is approx. ten euros a month.",
	 S("The fee is approx. ten euros a month.")},
	/* ?! runs */
	{"?! run", "Did the board approve it?! Nobody expected that.",
	 S("Did the board approve it?!", "Nobody expected that.")},
	{"!! run", "Stop!! The road is closed.", S("Stop!!", "The road is closed.")},
	{"??? run", "Seriously??? Fine, we go.", S("Seriously???", "Fine, we go.")},
	{"! inside a name", "She trades at Yippee! in the morning.",
	 S("She trades at Yippee! in the morning.")},
	/* titles and abbreviations */
	{"titles", "Mr. Okafor met Dr. Lindqvist and Prof. Haas.",
	 S("Mr. Okafor met Dr. Lindqvist and Prof. Haas.")},
	{"ranks and political titles", "Gen. Ruiz briefed Sen. Moreau and Lt. Col. Abara.",
	 S("Gen. Ruiz briefed Sen. Moreau and Lt. Col. Abara.")},
	{"company suffix mid-sentence", "Brightwater Corp. shares fell sharply.",
	 S("Brightwater Corp. shares fell sharply.")},
	{"company suffix ends a sentence", "The deal went to Halden & Co. It closed in May.",
	 S("The deal went to Halden & Co.", "It closed in May.")},
	{"lower-case co", "We asked Priya and co. They did not reply.",
	 S("We asked Priya and co.", "They did not reply.")},
	{"U.S. before a proper noun", "The U.S. Treasury sold bonds.",
	 S("The U.S. Treasury sold bonds.")},
	{"U.S. before a number", "She has worked in the U.S. for nine years.",
	 S("She has worked in the U.S. for nine years.")},
	{"U.S. ends a sentence", "They moved to the U.S. Their son stayed behind.",
	 S("They moved to the U.S.", "Their son stayed behind.")},
	{"month abbreviation", "Talks resume on Feb. 12 in Oslo.", S("Talks resume on Feb. 12 in Oslo.")},
	{"month abbreviation ends", "The law took effect in Oct. The courts were busy.",
	 S("The law took effect in Oct.", "The courts were busy.")},
	{"state abbreviation", "The plant in Dayton, Ohio, and one in Tulsa, Okla. will close.",
	 S("The plant in Dayton, Ohio, and one in Tulsa, Okla. will close.")},
	{"a.m. before a title, short opening", "By 7 a.m. Mrs. Tan had left the office.",
	 S("By 7 a.m. Mrs. Tan had left the office.")},
	{"P.M. before a title, long sentence", "The polls closed at 8 P.M. Mrs. Tan conceded soon after.",
	 S("The polls closed at 8 P.M.", "Mrs. Tan conceded soon after.")},
	{"before-number", "The rule is in Vol. 3, see p. 41 and No. 9.",
	 S("The rule is in Vol. 3, see p. 41 and No. 9.")},
	{"unit before a number", "He stands 6 ft. 1 in. tall.", S("He stands 6 ft. 1 in. tall.")},
	{"unit at the end", "She won in 9.87 secs. Kenya took silver.",
	 S("She won in 9.87 secs.", "Kenya took silver.")},
	{"Latin", "Bring fruit, e.g. Pears, and tools, i.e. Knives, etc. and water.",
	 S("Bring fruit, e.g. Pears, and tools, i.e. Knives, etc. and water.")},
	{"case name", "Brown v. Board remains a landmark.", S("Brown v. Board remains a landmark.")},
	{"possessive after abbreviation", "That was Harlan Jr.'s idea.",
	 S("That was Harlan Jr.'s idea.")},
	{"starter in all caps", "SHIPMENTS LEFT THE U.S. THE PORT THEN CLOSED.",
	 S("SHIPMENTS LEFT THE U.S.", "THE PORT THEN CLOSED.")},
	/* initials */
	{"middle initial", "Ask Marta K. Olsen about it.", S("Ask Marta K. Olsen about it.")},
	{"several initials", "The novel is by C. S. P. Harrow.", S("The novel is by C. S. P. Harrow.")},
	{"joined initials", "T.J. Boyle spoke first.", S("T.J. Boyle spoke first.")},
	{"I as a sentence end", "Nobody came but I. Then it rained.",
	 S("Nobody came but I.", "Then it rained.")},
	{"initial then initial", "Songs by Ada B. A. Quist were played.",
	 S("Songs by Ada B. A. Quist were played.")},
	/* numbers */
	{"decimal", "Pi is about 3.14159 in most tables.", S("Pi is about 3.14159 in most tables.")},
	{"money at the end", "Lunch cost $12.50. Dinner was free.",
	 S("Lunch cost $12.50.", "Dinner was free.")},
	{"version", "Release v4.2.1 fixed the leak. Users upgraded.",
	 S("Release v4.2.1 fixed the leak.", "Users upgraded.")},
	{"quantity", "Output rose to 2.5 mln barrels.", S("Output rose to 2.5 mln barrels.")},
	{"year ends a sentence", "The bridge opened in 1932. Traffic grew.",
	 S("The bridge opened in 1932.", "Traffic grew.")},
	{"no space after period", "It was late.Everyone went home.Ms. Bell stayed.",
	 S("It was late.", "Everyone went home.", "Ms. Bell stayed.")},
	/* e-mail and URLs */
	{"e-mail", "Write to Anna.Berg@news.example.org. She answers daily.",
	 S("Write to Anna.Berg@news.example.org.", "She answers daily.")},
	{"URL", "Details: https://data.example.net/v1.2/report.html. Read them.",
	 S("Details: https://data.example.net/v1.2/report.html.", "Read them.")},
	{"www", "Visit www.example.com. It is free.", S("Visit www.example.com.", "It is free.")},
	/* ellipses */
	{"three dots inside", "We waited ... and waited.", S("We waited ... and waited.")},
	{"glued dots inside", "It was fine...mostly.", S("It was fine...mostly.")},
	{"trailing off", "I wonder... Maybe not.", S("I wonder...", "Maybe not.")},
	{"ellipsis character", "He paused\xE2\x80\xA6 Then he spoke.",
	 S("He paused\xE2\x80\xA6", "Then he spoke.")},
	{"spaced ellipsis is an omission", "The text says . . . We never learned more.",
	 S("The text says . . . We never learned more.")},
	{"four spaced dots end", "Words were lost . . . . Nothing followed.",
	 S("Words were lost . . . .", "Nothing followed.")},
	{"period then spaced ellipsis", "It ended there. . . . Much later it resumed.",
	 S("It ended there.", ". . . Much later it resumed.")},
	{"four glued dots", "She knew.... Everyone knew.", S("She knew....", "Everyone knew.")},
	{"bracketed omission", "\"Taxes [...] will rise [...]\" (Lee 12).",
	 S("\"Taxes [...] will rise [...]\" (Lee 12).")},
	/* quotes and brackets */
	{"straight quote after period", "He called it \"absurd.\" Then he left.",
	 S("He called it \"absurd.\"", "Then he left.")},
	{"curly quote after period", "She said, \xE2\x80\x9CWe are done.\xE2\x80\x9D The room went quiet.",
	 S("She said, \xE2\x80\x9CWe are done.\xE2\x80\x9D", "The room went quiet.")},
	{"quote then lower case", "\"We are done.\" she said.", S("\"We are done.\" she said.")},
	{"single quotes", "He wrote 'Enough.' and left.", S("He wrote 'Enough.' and left.")},
	{"question in quotes", "\"Why now?\" asked Vega.", S("\"Why now?\" asked Vega.")},
	{"bracket after period", "It rained (as forecast.) and stopped. (The sun came out.) Good.",
	 S("It rained (as forecast.) and stopped.", "(The sun came out.)", "Good.")},
	{"opening quote starts", "It ended. \"Nobody won,\" he said.",
	 S("It ended.", "\"Nobody won,\" he said.")},
	/* dashes */
	{"em dashes", "The plan\xE2\x80\x94" "approved on Jan. 3\xE2\x80\x94" "failed. Critics smiled.",
	 S("The plan\xE2\x80\x94" "approved on Jan. 3\xE2\x80\x94" "failed.", "Critics smiled.")},
	{"en dash score", "The final was 3\xE2\x80\x93" "1. Fans left early.",
	 S("The final was 3\xE2\x80\x93" "1.", "Fans left early.")},
	{"dash after question", "Who knew?\xE2\x80\x94nobody did.", S("Who knew?\xE2\x80\x94nobody did.")},
	{"dateline", "LAGOS \xE2\x80\x94 Fuel prices rose. Queues formed.",
	 S("LAGOS \xE2\x80\x94 Fuel prices rose.", "Queues formed.")},
	/* lists */
	{"inline numbered list", "1. Mix the flour 2. Add water 3. Bake it",
	 S("1. Mix the flour", "2. Add water", "3. Bake it")},
	{"inline list with periods", "1) Mix the flour. 2) Add water.",
	 S("1) Mix the flour.", "2) Add water.")},
	{"inline list 1.)", "1.) Sign here 2.) Date it", S("1.) Sign here", "2.) Date it")},
	{"inline letter list", "a. Red apples b. Green pears", S("a. Red apples", "b. Green pears")},
	{"bullets inline", "\xE2\x80\xA2 Fast delivery \xE2\x80\xA2 Free returns",
	 S("\xE2\x80\xA2 Fast delivery", "\xE2\x80\xA2 Free returns")},
	{"bullet and number", "\xE2\x80\xA2 4. North wing \xE2\x80\xA2 5. South wing",
	 S("\xE2\x80\xA2 4. North wing", "\xE2\x80\xA2 5. South wing")},
	{"list lines", "Agenda:\n1. Budget\n2. Hiring plans for the\nnew office\n- Any other business",
	 S("Agenda:", "1. Budget", "2. Hiring plans for the\nnew office", "- Any other business")},
	{"list marker in prose is not a list", "He gave two reasons: 1) cost and 2) time.",
	 S("He gave two reasons: 1) cost and 2) time.")},
	{"initial at a line start", "The report was written by\nA. Quist in 1998.",
	 S("The report was written by\nA. Quist in 1998.")},
	{"list of short lines", "home\nabout us\ncareers, press\n",
	 S("home", "about us", "careers, press")},
	/* newlines, headings, paragraphs */
	{"hard-wrapped sentence", "The council said on Friday that\nthe new tram line would open\nin June.",
	 S("The council said on Friday that\nthe new tram line would open\nin June.")},
	{"wrapped after a space", "It was a long \nwinter. Spring came late.",
	 S("It was a long \nwinter.", "Spring came late.")},
	{"caps heading", "WEATHER OUTLOOK\nShowers will spread east tonight.",
	 S("WEATHER OUTLOOK", "Showers will spread east tonight.")},
	{"blank line", "Quarterly results\n\nProfits rose.", S("Quarterly results", "Profits rose.")},
	{"indented paragraphs",
	 "Grain exports to Asian buyers rose sharply in March, the\nministry said on Friday\n"
	 "    Imports fell",
	 S("Grain exports to Asian buyers rose sharply in March, the\nministry said on Friday",
	   "Imports fell")},
	{"table rows", "Results were as follows\n Net      1.2 mln\n Sales    9.9 mln",
	 S("Results were as follows", "Net      1.2 mln", "Sales    9.9 mln")},
	/* white space */
	{"surrounding white space", "  \n Rates held steady.  \n ", S("Rates held steady.")},
	{"no-break spaces", "Mr.\xC2\xA0" "Diaz left.\xC2\xA0Then we ate.\xC2\xA0",
	 S("Mr.\xC2\xA0" "Diaz left.", "Then we ate.")},
	{"tabs", "One.\tTwo.", S("One.", "Two.")},
};

START_TEST(test_table)
{
	const struct seg_case *c = &cases[_i];
	expect_sentences(shipped, c->name, c->text, c->want);
	spanvec sv = {0};
	segment_block(shipped, c->text, 0, (uint32_t)strlen(c->text), &sv);
	check_cover(c->text, 0, (uint32_t)strlen(c->text), &sv);
	VEC_FREE(&sv);
}
END_TEST

/* A line with a gap of three spaces (or a tab) is a table row, wherever
 * the gap sits in the line; two spaces are no gap. _i: the gap's offset. */
START_TEST(test_table_gap_anywhere)
{
	static const char first[] = "The council said on Monday that\n";
	char text[160], line[96];
	for (int gap = 2; gap <= 4; gap++) {
		memset(line, 'w', sizeof line);
		memcpy(line + _i, "    ", (size_t)gap);
		memcpy(line + _i + gap, "the plan goes ahead.", 21);
		snprintf(text, sizeof text, "%s%s", first, line);
		/* the gap is in the line after the break, then in the one before it */
		for (int before = 0; before < 2; before++) {
			if (before) snprintf(text, sizeof text, "%s\nthe plan goes ahead.", line);
			const char *w = before ? strchr(text, '\n') : text + sizeof first - 1;
			const char *want2[] = {NULL, NULL, NULL};
			char a[160], b[160];
			size_t la = (size_t)(w - text) - (before ? 0 : 1);
			memcpy(a, text, la);
			a[la] = '\0';
			snprintf(b, sizeof b, "%s", before ? w + 1 : w);
			if (gap >= 3) {
				want2[0] = a;
				want2[1] = b;
			} else {
				want2[0] = text;
			}
			char name[64];
			snprintf(name, sizeof name, "gap %d at %d%s", gap, _i, before ? " before" : "");
			expect_sentences(shipped, name, text, want2);
		}
	}
}
END_TEST

/* A tab in the line is a gap too. */
START_TEST(test_table_tab)
{
	const char *const want[] = {"The council said on Monday that", "Net\t1.2 mln", NULL};
	expect_sentences(shipped, "tab", "The council said on Monday that\nNet\t1.2 mln", want);
}
END_TEST

/* ---- edge cases ------------------------------------------------------------- */

START_TEST(test_empty)
{
	spanvec sv = {0};
	segment_block(shipped, "", 0, 0, &sv);
	ck_assert_uint_eq(sv.n, 0);
	segment_block(shipped, " \n\t \n", 0, 5, &sv);
	ck_assert_uint_eq(sv.n, 0);
	segment_block(shipped, "abc", 2, 1, &sv); /* an empty range */
	ck_assert_uint_eq(sv.n, 0);
	segment_block(shipped, "\xC2\xA0\xE2\x80\x83", 0, 5, &sv); /* only Unicode spaces */
	ck_assert_uint_eq(sv.n, 0);
	VEC_FREE(&sv);
}
END_TEST

/* Offsets are document offsets; text outside [start, end) is never read. */
START_TEST(test_offsets)
{
	const char *doc = "Title here.\n\nFirst one. Second one!\n\nTail.";
	spanvec sv = {0};
	VEC_PUSH(&sv, ((span){1, 2})); /* segment_block appends */
	segment_block(shipped, doc, 12, 37, &sv);
	ck_assert_uint_eq(sv.n, 3);
	ck_assert_uint_eq(sv.v[1].start, 13);
	ck_assert_uint_eq(sv.v[1].end, 23);
	ck_assert_uint_eq(sv.v[2].start, 24);
	ck_assert_uint_eq(sv.v[2].end, 35);
	/* a range that cuts a word: the part in range is a sentence */
	sv.n = 0;
	segment_block(shipped, doc, 15, 20, &sv);
	ck_assert_uint_eq(sv.n, 1);
	ck_assert_uint_eq(sv.v[0].start, 15);
	ck_assert_uint_eq(sv.v[0].end, 20);
	VEC_FREE(&sv);
}
END_TEST

/* Large blocks in linear time: one 1 MB sentence without punctuation, and
 * blocks built from the pieces that make the segmenter look around. */
START_TEST(test_large)
{
	static const char *const pieces[] = {
		"market ", "a.", "Mr. ", "Xy.", ". ", "...", "ab\n", "1. ", "\xE2\x80\xA2 ", "U.S. ",
	};
	static const size_t want[] = {1, 1, 1, 0, 1, 1, 0, 0, 1, 1}; /* 0: many */
	size_t len = 1 << 20;
	char *buf = xmalloc(len + 8);
	spanvec sv = {0};
	for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
		size_t pl = strlen(pieces[k]), n = 0;
		while (n + pl <= len) {
			memcpy(buf + n, pieces[k], pl);
			n += pl;
		}
		sv.n = 0;
		double t0 = now_seconds();
		segment_block(shipped, buf, 0, (uint32_t)n, &sv);
		double dt = now_seconds() - t0;
		if (want[k]) ck_assert_msg(sv.n == want[k], "piece %zu: %zu sentences", k, sv.n);
		else ck_assert_msg(sv.n > 1000, "piece %zu: %zu sentences", k, sv.n);
		check_cover(buf, 0, (uint32_t)n, &sv);
		ck_assert_msg(dt < 5.0, "piece %zu: %.2f s for 1 MB", k, dt);
	}
	/* one 1 MB sentence of words */
	for (size_t i = 0; i < len; i++) buf[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 5);
	sv.n = 0;
	segment_block(shipped, buf, 0, (uint32_t)len, &sv);
	ck_assert_uint_eq(sv.n, 1);
	ck_assert_uint_eq(sv.v[0].start, 0);
	free(buf);
	VEC_FREE(&sv);
}
END_TEST

/* Random mixes of tricky pieces: spans stay ordered, trimmed and covering. */
START_TEST(test_random_cover)
{
	static const char *const pieces[] = {
		"The", "word", "Mr.", "U.S.", "e.g.", "1.", "2)", "a.", "(b)", ". ", "...", ". . .",
		"\xE2\x80\xA6", "?!", "!", "\"", "\xE2\x80\x9D", "\xE2\x80\x9C", "(", ")", "[", "]",
		"\n", "\n\n", "   ", "\t", "\xC2\xA0", "\xE2\x80\xA2", "-", "x@y.z", "http://a.b/c.",
		"3.5", "Z.", "I", "It", "\xE2\x80\x94", ".", "'s", "DONE", "\xC3\x89t\xC3\xA9.",
	};
	unsigned long r = 12345;
	strbuf b = {0};
	spanvec sv = {0};
	for (int round = 0; round < 3000; round++) {
		strbuf_reset(&b);
		int n = (int)(r % 40);
		for (int i = 0; i < n; i++) {
			r = r * 6364136223846793005ul + 1442695040888963407ul;
			strbuf_puts(&b, pieces[(r >> 33) % (sizeof pieces / sizeof pieces[0])]);
			if ((r >> 20) & 1) strbuf_putc(&b, ' ');
		}
		r = r * 6364136223846793005ul + 1442695040888963407ul;
		if (!b.data) continue;
		sv.n = 0;
		segment_block(shipped, b.data, 0, (uint32_t)b.len, &sv);
		check_cover(b.data, 0, (uint32_t)b.len, &sv);
	}
	strbuf_free(&b);
	VEC_FREE(&sv);
}
END_TEST

/* ---- the keys ---------------------------------------------------------------- */

static segmenter *with(const char *const *kv)
{
	segmenter *s = segmenter_new();
	for (size_t i = 0; kv[i]; i += 2) {
		cc_error err;
		cc_error_clear(&err);
		ck_assert_msg(segmenter_add(s, kv[i], kv[i + 1], &err) == 0, "%s", err.msg);
	}
	return s;
}

START_TEST(test_keys)
{
	static const char *const kv[] = {
		"abbrev", "Blv", "starter", "Then", "title", "Capn", "before-number", "Nm",
		"mid-sentence", "zb", "starter", "Capn", NULL, NULL,
	};
	segmenter *s = with(kv);
	/* abbrev: ends a sentence only before a starter */
	expect_sentences(s, "abbrev+starter", "Meet at Oak Blv. Then walk.",
			 (const char *const[]){"Meet at Oak Blv.", "Then walk.", NULL});
	expect_sentences(s, "abbrev+name", "Meet at Oak Blv. Ruth will wait.",
			 (const char *const[]){"Meet at Oak Blv. Ruth will wait.", NULL});
	/* title: never */
	expect_sentences(s, "title", "Ask Capn. Then he sails.",
			 (const char *const[]){"Ask Capn. Then he sails.", NULL});
	/* a title that is a starter, after an abbrev, from the fourth word on */
	expect_sentences(s, "title-starter late", "We met on Oak Blv. Capn. Vos came.",
			 (const char *const[]){"We met on Oak Blv.", "Capn. Vos came.", NULL});
	expect_sentences(s, "title-starter early", "Oak Blv. Capn. Vos came.",
			 (const char *const[]){"Oak Blv. Capn. Vos came.", NULL});
	/* before-number: not before a number, otherwise an ordinary word */
	expect_sentences(s, "before-number+digit", "Take Nm. 4 now.",
			 (const char *const[]){"Take Nm. 4 now.", NULL});
	expect_sentences(s, "before-number+word", "Take Nm. Ruth will wait.",
			 (const char *const[]){"Take Nm.", "Ruth will wait.", NULL});
	/* mid-sentence: never */
	expect_sentences(s, "mid-sentence", "Fruit, zb. Then apples.",
			 (const char *const[]){"Fruit, zb. Then apples.", NULL});
	/* an unknown word ends a sentence before any capital */
	expect_sentences(s, "unknown", "Meet at Oak Hill. Ruth will wait.",
			 (const char *const[]){"Meet at Oak Hill.", "Ruth will wait.", NULL});
	/* hyphenated: the part after the hyphen is looked up */
	expect_sentences(s, "hyphen", "See ex-Capn. Vos today.",
			 (const char *const[]){"See ex-Capn. Vos today.", NULL});
	segmenter_free(s);

	/* with no entries at all, initials and dotted abbreviations still hold */
	s = segmenter_new();
	expect_sentences(s, "empty set", "Dr. Oz met J. K. Lee in the U.S. Army.",
			 (const char *const[]){"Dr.", "Oz met J. K. Lee in the U.S. Army.", NULL});
	segmenter_free(s);
}
END_TEST

START_TEST(test_add_errors)
{
	segmenter *s = segmenter_new();
	cc_error err;
	static const char *const bad[][2] = {
		{"titles", "Mr"},          /* unknown key */
		{"title", ""},             /* empty */
		{"title", "Mr."},          /* final period */
		{"abbrev", "New York"},    /* white space */
		{"abbrev", "a\tb"},        /* control */
		{"starter", "Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"}, /* too long */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cc_error_clear(&err);
		ck_assert_msg(segmenter_add(s, bad[i][0], bad[i][1], &err) == -1, "case %zu accepted", i);
		ck_assert_msg(cc_error_isset(&err), "case %zu: no message", i);
	}
	cc_error_clear(&err);
	ck_assert_int_eq(segmenter_add(s, "title", "Mr.", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "without the final period"));
	/* the same item under two keys, and many items (the table grows) */
	cc_error_clear(&err);
	ck_assert_int_eq(segmenter_add(s, "abbrev", "Qx", &err), 0);
	ck_assert_int_eq(segmenter_add(s, "abbrev", "Qx", &err), 0);
	ck_assert_int_eq(segmenter_add(s, "starter", "Qx", &err), 0);
	for (int i = 0; i < 5000; i++) {
		char item[16];
		snprintf(item, sizeof item, "W%d", i);
		ck_assert_int_eq(segmenter_add(s, "starter", item, &err), 0);
	}
	expect_sentences(s, "after growth", "Go to Qx. W4999 follows.",
			 (const char *const[]){"Go to Qx.", "W4999 follows.", NULL});
	ck_assert_int_eq(segmenter_add(s, "abbrev", "\xC3\x89" "d", &err), 0); /* non-ASCII */
	segmenter_free(s);
	segmenter_free(NULL);

	ck_assert(segmenter_has_key("title"));
	ck_assert(segmenter_has_key("mid-sentence"));
	ck_assert(segmenter_has_key("abbrev"));
	ck_assert(segmenter_has_key("before-number"));
	ck_assert(segmenter_has_key("starter"));
	ck_assert(!segmenter_has_key("titles"));
	ck_assert(!segmenter_has_key(""));
	ck_assert(!segmenter_has_key(NULL));
}
END_TEST

/* ---- threads ----------------------------------------------------------------- */

static const char thread_text[] =
	"Acme Inc. said on Jan. 4 that Mr. Ode would leave. He denied it... "
	"Analysts were unsure?! \xE2\x80\x9CWe will see.\xE2\x80\x9D The U.S. unit grew 3.5 pct.\n"
	"1. Costs\n2. Sales\n\nNew paragraph";

static void *thread_run(void *arg)
{
	spanvec *sv = arg;
	for (int i = 0; i < 2000; i++) {
		sv->n = 0;
		segment_block(shipped, thread_text, 0, (uint32_t)strlen(thread_text), sv);
	}
	return NULL;
}

START_TEST(test_threads)
{
	enum { NT = 4 };
	pthread_t th[NT];
	spanvec sv[NT + 1];
	memset(sv, 0, sizeof sv);
	thread_run(&sv[NT]);
	ck_assert_uint_eq(sv[NT].n, 8);
	for (int i = 0; i < NT; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, thread_run, &sv[i]), 0);
	for (int i = 0; i < NT; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_uint_eq(sv[i].n, sv[NT].n);
		ck_assert_int_eq(memcmp(sv[i].v, sv[NT].v, sv[NT].n * sizeof(span)), 0);
	}
	for (int i = 0; i <= NT; i++) VEC_FREE(&sv[i]);
}
END_TEST

/* Inside a sentence, plain tokens (printable ASCII without . ? ! or ')')
 * are skipped sixteen bytes at a time and only counted; the scan resumes at
 * the white space before the first other token. _i: the length of the
 * plain run, so that the token that ends it falls at every offset of
 * those sixteen bytes, and before a period, a newline, a list marker, a
 * bullet, a tab or the end of the block. */
START_TEST(test_plain_runs)
{
	static const char *const words[] = {"ab", "c", "def", "gh,", "\"ij\"", "k-l", "mnop", "q's"};
	strbuf run = {0};
	strbuf_reserve(&run, (size_t)_i + 16);
	run.data[0] = '\0';
	for (size_t w = 0; run.len < (size_t)_i; w++)
		strbuf_printf(&run, " %s", words[w % 8]);
	run.len = (size_t)_i; /* cut inside a word: still plain */
	run.data[run.len] = '\0';
	while (run.len && run.data[run.len - 1] == ' ') run.data[--run.len] = '\0';
	strbuf t = {0}, a = {0};
	strbuf_printf(&a, "Go%s end.", run.data);

	strbuf_printf(&t, "Go%s end. Next part 2. Then 3.", run.data);
	expect_sentences(shipped, "period", t.data, (const char *[]){a.data, "Next part 2.", "Then 3.", NULL});
	strbuf_reset(&t);
	strbuf_printf(&t, "Go%s end.\n\nMore here", run.data);
	expect_sentences(shipped, "paragraph", t.data, (const char *[]){a.data, "More here", NULL});
	strbuf_reset(&t);
	strbuf_printf(&t, "Go%s end \n- one\n- two", run.data);
	strbuf_reset(&a);
	strbuf_printf(&a, "Go%s end", run.data);
	expect_sentences(shipped, "dash items", t.data, (const char *[]){a.data, "- one", "- two", NULL});
	strbuf_reset(&t);
	strbuf_printf(&t, "Go%s end \xE2\x80\xA2 one", run.data);
	expect_sentences(shipped, "bullet", t.data, (const char *[]){a.data, "\xE2\x80\xA2 one", NULL});
	strbuf_reset(&t);
	strbuf_printf(&t, "Go%s\tend    here", run.data);
	strbuf_reset(&a);
	strbuf_printf(&a, "Go%s\tend    here", run.data);
	expect_sentences(shipped, "tab", t.data, (const char *[]){a.data, NULL});
	strbuf_reset(&t);
	strbuf_printf(&t, "Go%s", run.data);
	expect_sentences(shipped, "block end", t.data, (const char *[]){t.data, NULL});
	strbuf_free(&t);
	strbuf_free(&a);
	strbuf_free(&run);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *su = suite_create("segment");
	TCase *tc = tcase_create("table");
	tcase_add_unchecked_fixture(tc, setup_shipped, teardown_shipped);
	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_loop_test(tc, test_table_gap_anywhere, 1, 9);
	tcase_add_test(tc, test_table_tab);
	suite_add_tcase(su, tc);

	tc = tcase_create("edges");
	tcase_add_unchecked_fixture(tc, setup_shipped, teardown_shipped);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_offsets);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_random_cover);
	tcase_add_loop_test(tc, test_plain_runs, 0, 48);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(su, tc);

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_add_errors);
	suite_add_tcase(su, tc);
	return su;
}

TEST_MAIN(make_suite)
