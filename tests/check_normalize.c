/*
 * check_normalize.c — stage 2: exact text and blocks for plain text,
 * Markdown, HTML and JSONL records; UTF-8 validation offsets; control
 * characters; NFC; deep nesting; concurrent use from several threads.
 */
#include "config.h"
#include "normalize.h"
#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

/* "[kind]text" for every block, after checking the spans: in order, and
 * exactly the text joined by "\n\n". */
static char *render(const ntext *nt)
{
	strbuf r = {0};
	size_t pos = 0;
	for (size_t i = 0; i < nt->blocks.n; i++) {
		const block *b = &nt->blocks.v[i];
		if (i > 0) {
			ck_assert_msg(b->start == pos + 2 && memcmp(nt->text.data + pos, "\n\n", 2) == 0,
				      "block %zu does not follow a \\n\\n separator", i);
		} else {
			ck_assert_uint_eq(b->start, 0);
		}
		ck_assert_uint_gt(b->end, b->start);
		const char *t = nt->text.data + b->start;
		size_t n = b->end - b->start;
		ck_assert_msg(t[0] != ' ' && t[0] != '\n' && t[n - 1] != ' ' && t[n - 1] != '\n',
			      "block %zu not trimmed", i);
		ck_assert_msg(!memmem(t, n, "\n\n", 2), "block %zu holds a blank line", i);
		strbuf_printf(&r, "[%s]", block_kind_name(b->kind));
		strbuf_append(&r, t, n);
		pos = b->end;
	}
	ck_assert_uint_eq(nt->text.len, pos);
	if (!r.data) return xstrdup("");
	return strbuf_steal(&r);
}

/* Normalize and render; on error, "ERROR: msg @offset". */
static char *norm(doc_format fmt, const char *title, const char *raw, size_t len)
{
	document d = {0};
	d.format = fmt;
	d.title = (char *)title;
	d.raw = (char *)raw;
	d.raw_len = len;
	ntext nt = {0};
	cc_error err;
	char *out;
	if (normalize_document(&d, &nt, &err) != 0) {
		ck_assert_uint_eq(nt.blocks.n, 0);
		out = xasprintf("ERROR: %s @%lld", err.msg, err.offset);
	} else {
		ck_assert(!cc_error_isset(&err));
		out = render(&nt);
		/* the title field is the title block's text */
		const char *want = NULL;
		size_t wlen = 0;
		for (size_t i = 0; i < nt.blocks.n; i++)
			if (nt.blocks.v[i].kind == BLOCK_TITLE) {
				ck_assert_ptr_null(want);
				want = nt.text.data + nt.blocks.v[i].start;
				wlen = nt.blocks.v[i].end - nt.blocks.v[i].start;
			}
		if (want) {
			ck_assert_ptr_nonnull(nt.title);
			ck_assert_uint_eq(strlen(nt.title), wlen);
			ck_assert(memcmp(nt.title, want, wlen) == 0);
		} else {
			ck_assert_ptr_null(nt.title);
		}
	}
	ntext_free(&nt);
	return out;
}

typedef struct ncase {
	doc_format fmt;
	const char *title, *in, *want;
} ncase;

static void run_case(const ncase *c)
{
	char *got = norm(c->fmt, c->title, c->in, strlen(c->in));
	ck_assert_msg(strcmp(got, c->want) == 0, "%s input:\n%s\n--- got:\n%s\n--- want:\n%s",
		      format_name(c->fmt), c->in, got, c->want);
	free(got);
}

/* ---- plain text --------------------------------------------------------------- */

static const ncase txt_cases[] = {
	{FMT_TXT, NULL, "Headline here\n\nBody text one.\nstill body.\n",
	 "[title]Headline here[para]Body text one.\nstill body."},
	{FMT_TXT, NULL, "Not a title.\n\nBody.", "[para]Not a title.[para]Body."},
	{FMT_TXT, NULL, "Will rates rise?\n\nBody", "[para]Will rates rise?[para]Body"},
	{FMT_TXT, NULL, "Just one line", "[para]Just one line"},
	{FMT_TXT, NULL, "Two\nlines\n\nBody", "[para]Two\nlines[para]Body"},
	{FMT_TXT, NULL, "- an item first\n\nBody", "[item]- an item first[para]Body"},
	{FMT_TXT, NULL,
	 "A first line that runs on for far too long to be any sort of headline at all, "
	 "since headlines are short and this one keeps going on and on well past the limit\n\nBody",
	 "[para]A first line that runs on for far too long to be any sort of headline at all, "
	 "since headlines are short and this one keeps going on and on well past the limit[para]Body"},
	/* BOM dropped, CRLF and lone CR become LF */
	{FMT_TXT, NULL, "\xEF\xBB\xBFTitle\r\n\r\nLine one\r\nline two.\r\n",
	 "[title]Title[para]Line one\nline two."},
	{FMT_TXT, NULL, "a\rb\r\rc", "[para]a\nb[para]c"},
	/* a form feed is a paragraph break */
	{FMT_TXT, NULL, "one\ftwo\f\fthree", "[para]one[para]two[para]three"},
	/* indented paragraph starts after a sentence end */
	{FMT_TXT, NULL, "The rains came in\nlate March.\n    The dry period ended.\n continuing line\n",
	 "[para]The rains came in\nlate March.[para]The dry period ended.\ncontinuing line"},
	{FMT_TXT, NULL, "He said \"no.\"\n    New para.\n    Same para.",
	 "[para]He said \"no.\"[para]New para.\nSame para."},
	{FMT_TXT, NULL, "Ends with a comma,\n    indented continuation.",
	 "[para]Ends with a comma,\nindented continuation."},
	/* list items */
	{FMT_TXT, NULL, "Points:\n- one\n- two\n* three\n\xE2\x80\xA2 four\n1. five\n12) six.\nAfter list.\n",
	 "[para]Points:[item]- one[item]- two[item]* three[item]\xE2\x80\xA2 four[item]1. five[item]12) six.[para]After list."},
	{FMT_TXT, NULL, "Intro line.\n- item one\n  continued\n- item two",
	 "[para]Intro line.[item]- item one\ncontinued[item]- item two"},
	{FMT_TXT, NULL, "The cost rose\n- sharply - last year", "[para]The cost rose\n- sharply - last year"},
	{FMT_TXT, NULL, "1999. A year.\n\n1234. Not an item", "[para]1999. A year.[para]1234. Not an item"},
	/* white space */
	{FMT_TXT, NULL, "  Indented start   \nnext line\t \n\n \n\t\n\nLast  ", "[para]Indented start\nnext line[para]Last"},
	{FMT_TXT, NULL, "a\tb  c", "[para]a\tb  c"},
	{FMT_TXT, NULL, "  \n\t\n", ""},
	{FMT_TXT, NULL, "Part one.\n\n* * *\n\nPart two.\n-----\nPart three.", "[para]Part one.[para]Part two.[para]Part three."},
	/* NFC */
	{FMT_TXT, NULL, "Cafe\xCC\x81 au lait", "[para]Caf\xC3\xA9 au lait"},
	{FMT_TXT, NULL, "\xE1\x84\x80\xE1\x85\xA1", "[para]\xEA\xB0\x80"},   /* Hangul L+V */
	{FMT_TXT, NULL, "\xE2\x84\xAB", "[para]\xC3\x85"},                   /* Angstrom sign */
	{FMT_TXT, NULL, "\xEF\xAC\x81 stays", "[para]\xEF\xAC\x81 stays"},   /* no compatibility folding */
	/* JSONL records: the given title, then text without the headline guess */
	{FMT_TXT, "Port traffic dips", "Short line\n\nBody.", "[title]Port traffic dips[para]Short line[para]Body."},
	{FMT_TXT, " A \n\ttitle  ", "Body.", "[title]A title[para]Body."},
	{FMT_TXT, "\f\r Two  words\rthree\f", "Body.", "[title]Two words three[para]Body."},
	{FMT_TXT, "a b  c", "Body.", "[title]a b c[para]Body."},
	{FMT_TXT, " \t ", "Head\n\nBody.", "[para]Head[para]Body."},
	{FMT_TXT, "Cafe\xCC\x81", "x", "[title]Caf\xC3\xA9[para]x"},
	{FMT_TXT, "", "Head\n\nBody.", "[title]Head[para]Body."},
	{FMT_JSONL, NULL, "Head\n\nBody.", "[title]Head[para]Body."},
};

START_TEST(test_txt)
{
	run_case(&txt_cases[_i]);
}
END_TEST

static char *read_fixture(const char *name, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tests/fixtures/input/%s", name);
	document d = {0};
	cc_error err;
	ck_assert_msg(read_file(test_path(rel), FMT_AUTO, 0, &d, &err) == 0, "%s: %s", rel, err.msg);
	char *raw = d.raw;
	*len = d.raw_len;
	d.raw = NULL;
	document_free(&d);
	return raw;
}

static const struct {
	const char *name;
	doc_format fmt;
	const char *want;
} fixture_cases[] = {
	{"article.txt", FMT_TXT,
	 "[title]Harbour authority weighs new ferry levy"
	 "[para]The harbour authority may raise its ferry levy next spring, according to a\n"
	 "draft budget seen by local reporters."
	 "[para]Officials said the change was \"still under discussion\" and could be\ndropped."
	 "[para]The levy was last changed in 2019.\nKey points:"
	 "[item]- a higher fee for cars[item]- no change for cyclists"
	 "[item]1. First numbered point.[item]2) Second numbered point."},
	{"crlf.txt", FMT_TXT, "[para]Windows line one\nline two.[para]Second paragraph."},
	{"article.md", FMT_MD,
	 "[title]Orchard growers expect a thin harvest"
	 "[para]Growers reportedly expect a smaller crop this year, per the regional\n"
	 "co-op and data from surveys."
	 "[heading]Second heading"
	 "[para]A quoted paragraph\nover two lines."
	 "[item]first item with a link[item]second item_with_underscore[item]numbered item"
	 "[para]Fish & chips cost 2 * 3 pounds \xE2\x80\x94 or so."},
	{"article.html", FMT_HTML,
	 "[title]Bridge repairs may slip into autumn"
	 "[para]The council said on Tuesday that repairs to the old bridge could take longer than planned."
	 "[para]Caf\xC3\xA9 owners & shopkeepers \xE2\x80\x9Cworry\xE2\x80\x9D about trade.\nThey want answers."
	 "[heading]What happens next"
	 "[item]Engineers will inspect the piers.[item]A report is due in May."
	 "[para]Cell one[para]Cell two"},
	{"broken.html", FMT_HTML,
	 "[para]An unclosed paragraph with bold text[para]A div that never ends and a span"},
	{"invalid-utf8.txt", FMT_TXT, "ERROR: invalid UTF-8 at byte 14 @14"},
};

START_TEST(test_fixtures)
{
	size_t len;
	char *raw = read_fixture(fixture_cases[_i].name, &len);
	char *got = norm(fixture_cases[_i].fmt, NULL, raw, len);
	ck_assert_msg(strcmp(got, fixture_cases[_i].want) == 0, "%s: got:\n%s\n--- want:\n%s",
		      fixture_cases[_i].name, got, fixture_cases[_i].want);
	free(got);
	free(raw);
}
END_TEST

/* ---- Markdown ------------------------------------------------------------------- */

static const ncase md_cases[] = {
	{FMT_MD, NULL, "Intro para\n\n# Heading\ntext", "[para]Intro para[heading]Heading[para]text"},
	{FMT_MD, NULL, "Title\n=====\n\nSub\n---\n\nBody *em* and __strong__ and snake_case and 2*3 and a * b.",
	 "[title]Title[heading]Sub[para]Body em and strong and snake_case and 2*3 and a * b."},
	{FMT_MD, NULL, "## Closing hashes ##\n#5 is no heading", "[title]Closing hashes[para]#5 is no heading"},
	{FMT_MD, NULL, "#\n\nbody", "[para]body"},
	{FMT_MD, NULL, "> quote one\n> quote two\n\nplain\n> > nested", "[para]quote one\nquote two[para]plain[para]nested"},
	{FMT_MD, NULL, "- [ ] task\n- [x] done\n+ plus\n10. ten\n   more of ten", "[item]task[item]done[item]plus[item]ten\nmore of ten"},
	{FMT_MD, NULL, "```c\nint x;\n```\nAfter fence.", "[para]After fence."},
	{FMT_MD, NULL, "~~~\ncode\n```\nstill code\n~~~~\nout", "[para]out"},
	{FMT_MD, NULL, "```\nnever closed\n\nstill code", ""},
	{FMT_MD, NULL, "Text with `code` and ``a ` b`` and \\*not em\\* and a lone ` tick.",
	 "[para]Text with code and a ` b and *not em* and a lone ` tick."},
	{FMT_MD, NULL, "A [link](http://x.org/a_(b)) and [ref][r] and <https://auto.link> and <span>tag</span>.\n\n[r]: http://x.org",
	 "[para]A link and ref and https://auto.link and tag."},
	{FMT_MD, NULL, "A [multi-line\nlink](u) and *multi\nline* emphasis.", "[para]A multi-line\nlink and multi\nline emphasis."},
	{FMT_MD, NULL, "Image ![alt](a.png) gone. [![logo](l.png)](home)", "[para]Image gone."},
	{FMT_MD, NULL, "Shortcut [text] stays, [unclosed too.", "[para]Shortcut [text] stays, [unclosed too."},
	{FMT_MD, NULL, "Footnote[^1] here.\n\n[^1]: The note.", "[para]Footnote here.[para]The note."},
	{FMT_MD, NULL, "| a | b |\n|---|:-:|\n| 1 | 2 |", "[para]| a | b |[para]| 1 | 2 |"},
	{FMT_MD, NULL, "Some &copy; &unknown; &#8217; &#x1F600; &#0; &#x41 text",
	 "[para]Some \xC2\xA9 &unknown; \xE2\x80\x99 \xF0\x9F\x98\x80 \xEF\xBF\xBD &#x41 text"},
	{FMT_MD, NULL, "a <!-- hidden --> b\n<!-- a\nlong\ncomment -->\nc", "[para]a b\nc"},
	{FMT_MD, NULL, "---\ntitle: x\n---\nBody", "[para]Body"},
	{FMT_MD, NULL, "---\nBody", "[para]Body"},
	{FMT_MD, NULL, "Hard break  \nnext\\\nlast", "[para]Hard break\nnext\nlast"},
	{FMT_MD, NULL, "~~gone~~ marks, ~5% kept, x < y > z", "[para]gone marks, ~5% kept, x < y > z"},
	{FMT_MD, NULL, "e\xCC\x81t\xC3\xA9 *\xC3\xA9t\xC3\xA9*", "[para]\xC3\xA9t\xC3\xA9 \xC3\xA9t\xC3\xA9"},
	{FMT_MD, "Given", "# Heading\nbody", "[title]Given[heading]Heading[para]body"},
};

START_TEST(test_md)
{
	run_case(&md_cases[_i]);
}
END_TEST

/* ---- HTML ---------------------------------------------------------------------- */

static const ncase html_cases[] = {
	{FMT_HTML, NULL, "<p>a &lt;b&gt; &amp; &quot;c&quot; &#8212; &nbsp;d&eacute;&#x2019;s &bogus;</p>",
	 "[para]a <b> & \"c\" \xE2\x80\x94 d\xC3\xA9\xE2\x80\x99s &bogus;"},
	{FMT_HTML, NULL, "<p>keep<script>drop('</p>')</script> this<style>p{}</style></p><template>t</template>",
	 "[para]keep this"},
	{FMT_HTML, NULL, "<body><p>lead</p><h1>Main</h1><h1>Second</h1><h3>Small <em>one</em></h3></body>",
	 "[para]lead[title]Main[heading]Second[heading]Small one"},
	{FMT_HTML, NULL, "<title>Page</title><h1>Page</h1><p>x</p><h2>Page</h2>", "[title]Page[para]x"},
	{FMT_HTML, NULL, "<title>  </title><h1>Real</h1>", "[title]Real"},
	{FMT_HTML, NULL, "<title>Harbour fees rise again \xE2\x80\x94 The Post</title><h1>Harbour fees rise again</h1><p>x</p>",
	 "[title]Harbour fees rise again \xE2\x80\x94 The Post[para]x"},
	{FMT_HTML, NULL, "<title>The Post | Harbour fees rise again</title><h1>Harbour fees rise again</h1>",
	 "[title]The Post | Harbour fees rise again"},
	{FMT_HTML, NULL, "<title>Harbour fees rise again and again</title><h1>Harbour fees rise again</h1>",
	 "[title]Harbour fees rise again and again[heading]Harbour fees rise again"},
	{FMT_HTML, NULL, "<title>News - Site</title><h1>News</h1>", "[title]News - Site[heading]News"},
	{FMT_HTML, NULL,
	 "<div role=navigation>menu</div><p hidden>x</p><p>a<span aria-hidden=\"true\">icon</span>b"
	 "<input hidden><br hidden>c</p><div aria-hidden=false>shown</div>",
	 "[para]ab\nc[para]shown"},
	{FMT_HTML, "Given", "<title>T</title><h1>H</h1><p>x</p>", "[title]Given[heading]H[para]x"},
	{FMT_HTML, NULL, "<p>line one<br>line two<br/>\n<br>new para</p>", "[para]line one\nline two[para]new para"},
	{FMT_HTML, NULL, "<pre>code  line\nsecond\n\n\nthird</pre>", "[para]code line\nsecond[para]third"},
	{FMT_HTML, NULL, "<p>one<p>two<div>three", "[para]one[para]two[para]three"},
	{FMT_HTML, NULL, "<p><b>bold</b>text <i>it</i>\n\t <a href=x>link</a></p>", "[para]boldtext it link"},
	{FMT_HTML, NULL, "<table><tr><th>Name</th><td>Value one</td></tr></table>", "[para]Name[para]Value one"},
	{FMT_HTML, NULL,
	 "<nav>menu</nav><form><label>Name</label><input value=x><select><option>o</option></select>"
	 "<textarea>t</textarea><button>Go</button></form><iframe>f</iframe>",
	 "[para]Name"},
	{FMT_HTML, NULL, "<ol><li>one</li><li><p>two</p><p>three</p></li><li>four<ul><li>4a</li></ul></li></ol>",
	 "[item]one[item]two[item]three[item]four[item]4a"},
	{FMT_HTML, NULL, "<svg><title>icon</title><text>x</text></svg><p>after</p>", "[para]after"},
	{FMT_HTML, NULL, "<p>a<!-- c -->b<img src=x alt=pic>c</p>", "[para]abc"},
	{FMT_HTML, NULL, "<p>a&#1;b&#0;c</p>", "[para]abc"},
	{FMT_HTML, NULL, "<?xml version=\"1.0\"?><html><body><p>xhtml</p></body></html>", "[para]xhtml"},
	{FMT_HTML, NULL, "<p>Cafe\xCC\x81</p>", "[para]Caf\xC3\xA9"},
	{FMT_HTML, NULL, "<p>Cafe&#x301;</p>", "[para]Caf\xC3\xA9"},
	{FMT_HTML, NULL, "<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>", "[para]caf\xC3\xA9"},
	{FMT_HTML, NULL, "just text, no tags", "[para]just text, no tags"},
	{FMT_HTML, NULL, "<", "[para]<"},
	{FMT_HTML, NULL, "   ", ""},
	{FMT_HTML, NULL, "<p>a\x01</p>", "ERROR: control character U+0001 at byte 4 @4"},
};

START_TEST(test_html)
{
	run_case(&html_cases[_i]);
}
END_TEST

START_TEST(test_html_deep)
{
	strbuf b = {0};
	strbuf_puts(&b, "<html><body>");
	for (int i = 0; i < 10000; i++) strbuf_puts(&b, "<div>");
	strbuf_puts(&b, "deep <b>text</b>");
	for (int i = 0; i < 10000; i++) strbuf_puts(&b, "</div>");
	strbuf_puts(&b, "<p>after</p>");
	char *got = norm(FMT_HTML, NULL, b.data, b.len);
	ck_assert_str_eq(got, "[para]deep text[para]after");
	free(got);

	/* unclosed inline elements, 50000 deep */
	strbuf_reset(&b);
	strbuf_puts(&b, "<p>");
	for (int i = 0; i < 50000; i++) strbuf_puts(&b, "<span>");
	strbuf_puts(&b, "still here");
	got = norm(FMT_HTML, NULL, b.data, b.len);
	ck_assert_str_eq(got, "[para]still here");
	free(got);
	strbuf_free(&b);
}
END_TEST

/* ---- validation ---------------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len;
	long long want;
} utf8_cases[] = {
#define U(lit, off) {lit, sizeof lit - 1, off}
	U("", -1),
	U("plain ascii", -1),
	U("\xC3\xA9\xE2\x80\x94\xF0\x9F\x98\x80", -1),
	U("\xEF\xBF\xBF\xF4\x8F\xBF\xBF", -1),  /* U+FFFF, U+10FFFF */
	U("\xED\x9F\xBF\xEE\x80\x80", -1),      /* U+D7FF, U+E000 */
	U("abc\x80", 3),                        /* lone continuation byte */
	U("\xC0\xAF", 0),                       /* overlong '/' */
	U("\xC1\xBF", 0),
	U("a\xE0\x80\xAF", 1),                  /* overlong, 3 bytes */
	U("ab\xF0\x80\x80\xAF", 2),             /* overlong, 4 bytes */
	U("\xED\xA0\x80", 0),                   /* surrogate U+D800 */
	U("x\xED\xBF\xBF", 1),                  /* surrogate U+DFFF */
	U("\xF4\x90\x80\x80", 0),               /* U+110000 */
	U("\xF5\x80\x80\x80", 0),
	U("\xFF", 0),
	U("ok\xC3", 2),                         /* truncated */
	U("\xE2\x82", 0),
	U("\xE2\x82(", 0),
	U("12345678\xFF", 8),                   /* after a fast 8-byte run */
	U("1234567890123456\xC3\xA9\xC3", 18),
	U("\xF0\x9F\x98\x80x\xC3\xA9\xC3", 7),
	U("nul \0 is valid UTF-8", -1),
#undef U
};

START_TEST(test_utf8_offsets)
{
	ck_assert_int_eq(utf8_invalid_offset(utf8_cases[_i].s, utf8_cases[_i].len), utf8_cases[_i].want);
	char *got = norm(FMT_TXT, NULL, utf8_cases[_i].s, utf8_cases[_i].len);
	if (utf8_cases[_i].want >= 0) {
		char want[128];
		snprintf(want, sizeof want, "ERROR: invalid UTF-8 at byte %lld @%lld", utf8_cases[_i].want,
			 utf8_cases[_i].want);
		ck_assert_str_eq(got, want);
	} else {
		ck_assert(strncmp(got, "ERROR: invalid", 14) != 0);
	}
	free(got);
}
END_TEST

static const struct {
	const char *s;
	size_t len;
	const char *want;
} ctl_cases[] = {
#define C(lit, msg) {lit, sizeof lit - 1, msg}
	C("before\0after", "ERROR: NUL character at byte 6 @6"),
	C("a\x01" "b", "ERROR: control character U+0001 at byte 1 @1"),
	C("\x1B[0m colour", "ERROR: control character U+001B at byte 0 @0"),
	C("vertical\vtab", "ERROR: control character U+000B at byte 8 @8"),
	C("\xC3\xA9t\xC3\xA9\x7F ok", "[para]\xC3\xA9t\xC3\xA9\x7F ok"),  /* DEL is not C0 */
	C("tab\there", "[para]tab\there"),
#undef C
};

START_TEST(test_controls)
{
	char *got = norm(FMT_TXT, NULL, ctl_cases[_i].s, ctl_cases[_i].len);
	ck_assert_str_eq(got, ctl_cases[_i].want);
	free(got);
	got = norm(FMT_MD, NULL, ctl_cases[_i].s, ctl_cases[_i].len);
	if (strncmp(ctl_cases[_i].want, "ERROR", 5) == 0) ck_assert_str_eq(got, ctl_cases[_i].want);
	free(got);
}
END_TEST

/* The first scan reads sixteen bytes at a time while they are printable
 * ASCII, newlines or tabs: whatever else comes, at any offset (before,
 * at and after the sixteen-byte steps), is still seen. A control byte and
 * an invalid byte are errors at their offset, a CR before a newline is
 * dropped, a combining accent is composed. */
START_TEST(test_scan_offsets)
{
	static const char plain[] = "Rates\trose in\nMay and June, a b c d e f g h i j k l.\nok";
	strbuf a = {0}, b = {0};
	for (int k = 0; k <= 40; k++) {
		char want[128];
		strbuf_reset(&a);
		strbuf_printf(&a, "%.*s\x01 tail", k, plain);
		char *got = norm(FMT_TXT, NULL, a.data, a.len);
		snprintf(want, sizeof want, "ERROR: control character U+0001 at byte %d @%d", k, k);
		ck_assert_str_eq(got, want);
		free(got);

		strbuf_reset(&a);
		strbuf_printf(&a, "%.*s\xFF tail", k, plain);
		ck_assert_int_eq(utf8_invalid_offset(a.data, a.len), k);
		got = norm(FMT_TXT, NULL, a.data, a.len);
		snprintf(want, sizeof want, "ERROR: invalid UTF-8 at byte %d @%d", k, k);
		ck_assert_str_eq(got, want);
		free(got);

		strbuf_reset(&a);
		strbuf_reset(&b);
		strbuf_printf(&a, "%.*s\r\nnext line of text here", k, plain);
		strbuf_printf(&b, "%.*s\nnext line of text here", k, plain);
		got = norm(FMT_TXT, NULL, a.data, a.len);
		char *ref = norm(FMT_TXT, NULL, b.data, b.len);
		ck_assert_str_eq(got, ref);
		free(got);
		free(ref);

		strbuf_reset(&a);
		strbuf_reset(&b);
		strbuf_printf(&a, "%.*se\xCC\x81t\xC3\xA9 and more words", k, plain);
		strbuf_printf(&b, "%.*s\xC3\xA9t\xC3\xA9 and more words", k, plain);
		got = norm(FMT_TXT, NULL, a.data, a.len);
		ref = norm(FMT_TXT, NULL, b.data, b.len);
		ck_assert_str_eq(got, ref);
		free(got);
		free(ref);
	}
	strbuf_free(&a);
	strbuf_free(&b);
}
END_TEST

START_TEST(test_jsonl_record)
{
	const char *line = "{\"id\":\"n\",\"title\":\"T\",\"text\":\"before\\u0000after\"}";
	document d = {0};
	cc_error err;
	ck_assert_int_eq(read_jsonl_record("r.jsonl", 3, line, strlen(line), &d, &err), 0);
	ntext nt = {0};
	ck_assert_int_eq(normalize_document(&d, &nt, &err), -1);
	ck_assert_str_eq(err.msg, "NUL character at byte 6 of the record's text");
	ck_assert_int_eq(err.offset, 6);
	ck_assert_int_eq(err.line, 3);
	document_free(&d);

	line = "{\"id\":\"n\",\"title\":\"Rates \\u0007 rise\",\"text\":\"x\"}";
	ck_assert_int_eq(read_jsonl_record("r.jsonl", 4, line, strlen(line), &d, &err), 0);
	ck_assert_int_eq(normalize_document(&d, &nt, &err), -1);
	ck_assert_str_eq(err.msg, "control character U+0007 in the title");
	ck_assert_int_eq(err.line, 4);
	ck_assert_uint_eq(nt.text.len, 0);
	document_free(&d);
	ntext_free(&nt);
}
END_TEST

/* The NFC shortcut (a quick-check table) must agree with utf8proc for every
 * BMP character alone and after a few bases that compose. */
START_TEST(test_nfc_quick_check)
{
	static const char *const bases[] = {"", "e", "\xE1\x84\x80", "\xEA\xB0\x80", "\xE0\xA4\x95", "\xE0\xAD\x87"};
	ntext nt = {0};
	cc_error err;
	for (uint32_t cp = 0x21; cp < 0x10000; cp++) {
		if (cp >= 0xD800 && cp < 0xE000) continue;
		if (cp == 0x7F) continue;
		/* utf8proc 2.6 composes LV + U+11A7 (TBase itself, not a T jamo) and
		 * loses it; Unicode leaves the pair alone, and so do we */
		if (cp == 0x11A7) continue;
		char one[8];
		size_t ol = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)one);
		for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
			char in[16];
			size_t bl = strlen(bases[b]);
			memcpy(in, bases[b], bl);
			memcpy(in + bl, one, ol);
			in[bl + ol] = '\0';
			utf8proc_uint8_t *want = NULL;
			utf8proc_ssize_t wl = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)(bl + ol),
							   &want, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
			ck_assert_int_ge(wl, 1);
			document d = {.format = FMT_TXT, .raw = in, .raw_len = bl + ol};
			ck_assert_int_eq(normalize_document(&d, &nt, &err), 0);
			if (cp == 0xFEFF && bl == 0) { /* a leading BOM is dropped */
				ck_assert_uint_eq(nt.text.len, 0);
			} else {
				ck_assert_msg(nt.text.len == (size_t)wl && memcmp(nt.text.data, want, (size_t)wl) == 0,
					      "U+%04X after base %zu", (unsigned)cp, b);
			}
			free(want);
		}
	}
	ntext_free(&nt);
}
END_TEST

START_TEST(test_reuse_and_names)
{
	ck_assert_str_eq(block_kind_name(BLOCK_PARA), "para");
	ck_assert_str_eq(block_kind_name(BLOCK_TITLE), "title");
	ck_assert_str_eq(block_kind_name(BLOCK_HEADING), "heading");
	ck_assert_str_eq(block_kind_name(BLOCK_ITEM), "item");

	ntext nt = {0};
	cc_error err;
	document a = {.format = FMT_TXT, .raw = "Title\n\nBody one.", .raw_len = 16};
	document b = {.format = FMT_TXT, .raw = "no title", .raw_len = 8};
	ck_assert_int_eq(normalize_document(&a, &nt, &err), 0);
	ck_assert_str_eq(nt.title, "Title");
	ck_assert_uint_eq(nt.blocks.n, 2);
	ck_assert_int_eq(normalize_document(&b, &nt, &err), 0);
	ck_assert_ptr_null(nt.title);
	ck_assert_uint_eq(nt.blocks.n, 1);
	ck_assert_str_eq(nt.text.data, "no title");
	ntext_reset(&nt);
	ck_assert_uint_eq(nt.text.len, 0);
	ntext_free(&nt);
	ntext_free(&nt);

	/* an empty document has no blocks and no error */
	document e = {.format = FMT_HTML};
	ck_assert_int_eq(normalize_document(&e, &nt, &err), 0);
	ck_assert_uint_eq(nt.blocks.n, 0);
	ntext_free(&nt);
}
END_TEST

/* ---- threads ------------------------------------------------------------------- */

static const char *const thread_docs[][2] = {
	{"<title>T</title><p>One &amp; two.</p><ul><li>a</li></ul>", "[title]T[para]One & two.[item]a"},
	{"# H\n\nSome *md* [x](y).", "[title]H[para]Some md x."},
	{"Head\n\nCafe\xCC\x81 body.", "[title]Head[para]Caf\xC3\xA9 body."},
};

static void *thread_main(void *arg)
{
	size_t k = (size_t)(uintptr_t)arg;
	ntext nt = {0};
	cc_error err;
	for (int i = 0; i < 300; i++) {
		size_t j = (k + (size_t)i) % 3;
		document d = {.format = j == 0 ? FMT_HTML : j == 1 ? FMT_MD : FMT_TXT,
			      .raw = (char *)thread_docs[j][0], .raw_len = strlen(thread_docs[j][0])};
		if (normalize_document(&d, &nt, &err) != 0) return (void *)1;
		strbuf r = {0};
		for (size_t b = 0; b < nt.blocks.n; b++) {
			strbuf_printf(&r, "[%s]", block_kind_name(nt.blocks.v[b].kind));
			strbuf_append(&r, nt.text.data + nt.blocks.v[b].start, nt.blocks.v[b].end - nt.blocks.v[b].start);
		}
		int bad = !r.data || strcmp(r.data, thread_docs[j][1]) != 0;
		strbuf_free(&r);
		if (bad) return (void *)1;
	}
	ntext_free(&nt);
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	for (size_t i = 0; i < 4; i++) ck_assert_int_eq(pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)i), 0);
	for (size_t i = 0; i < 4; i++) {
		void *rv;
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("normalize");
	TCase *tc = tcase_create("txt");
	tcase_add_loop_test(tc, test_txt, 0, sizeof txt_cases / sizeof *txt_cases);
	tcase_add_loop_test(tc, test_fixtures, 0, sizeof fixture_cases / sizeof *fixture_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("md");
	tcase_add_loop_test(tc, test_md, 0, sizeof md_cases / sizeof *md_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("html");
	tcase_add_loop_test(tc, test_html, 0, sizeof html_cases / sizeof *html_cases);
	tcase_add_test(tc, test_html_deep);
	suite_add_tcase(s, tc);

	tc = tcase_create("validate");
	tcase_add_loop_test(tc, test_utf8_offsets, 0, sizeof utf8_cases / sizeof *utf8_cases);
	tcase_add_loop_test(tc, test_controls, 0, sizeof ctl_cases / sizeof *ctl_cases);
	tcase_add_test(tc, test_scan_offsets);
	tcase_add_test(tc, test_jsonl_record);
	tcase_add_test(tc, test_nfc_quick_check);
	tcase_add_test(tc, test_reuse_and_names);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
