/*
 * check_tag.c — tagging one sentence: word, phrase and list items, the
 * case rule for names, patterns with captures, exceptions, overlaps,
 * anonymous sources, disabled rules, the PCRE2 match limit and JIT
 * compilation on a pattern's first use (also by threads at once). Tokens come
 * from stem_tokenize on a sentence span; no segmenter involved.
 */
#include "config.h"
#include "testutil.h"
#include "tag.h"
#include "ruleset-int.h"

#include <pthread.h>
#include <string.h>

static const char rules_text[] =
	"[list role]\n"
	"items = analyst | economist | chief economist | Spokeswoman\n"
	"[list verb]\n"
	"items = suggest | indicate\n"
	"[rule h.stem]\ncategory = hedge\nmatch = suggest\n"
	"[rule h.exact]\ncategory = hedge\nmatch = =may\n"
	"[rule h.prefix]\ncategory = hedge\nmatch = specul*\n"
	"[rule h.any]\ncategory = hedge\nmatch = is _ to\n"
	"[rule h.list]\ncategory = hedge\nmatch = @verb that\n"
	"[rule h.phrase]\ncategory = hedge\nmatch = appear to be\n"
	"[rule h.name]\ncategory = hedge\nmatch = =Hope\n"
	"[rule s.per]\ncategory = source\nsource = auto\n"
	"pattern = \\b(?<cue>[Pp]er) (?<role>%{role}) (?<source>\\p{Lu}\\w+(?: \\p{Lu}\\w+)*)\n"
	"[rule s.acc]\ncategory = source\nsource = auto\n"
	"pattern = (?i)\\baccording to (?<source>[\\w ]+?)(?=,|\\.|$)\n"
	"[rule s.anon]\ncategory = source\nsource = anonymous\n"
	"match = people familiar with the matter\n"
	"[rule w.except]\ncategory = weasel\nmatch = some say\nexcept = =some =say =hello\n"
	"[rule w.xpat]\ncategory = weasel\nmatch = critics argue\n"
	"except-pattern = (?i)\\bcritics argue that\\b\n"
	"[rule sp.overlap]\ncategory = speculation\nmatch = could | could be | be\n";

typedef struct env {
	ruleset *rs;
	stemmer *st;
	tagger *tg;
	tokens toks;
	tagvec tags;
	strbuf doc;
	span sent;
	cc_error err;
	int rc;
} env;

static ruleset *load_text(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", test_tmpdir(), name);
	FILE *fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	diags d = {0};
	const char *paths[1] = {p};
	ruleset *rs = ruleset_load(paths, 1, &d);
	if (!rs || d.errors) diags_print(&d, stderr);
	ck_assert_ptr_nonnull(rs);
	diags_free(&d);
	free(p);
	return rs;
}

static void env_init(env *e, const char *name, const char *text)
{
	memset(e, 0, sizeof *e);
	e->rs = load_text(name, text);
	e->st = stemmer_new();
	e->tg = tagger_new(e->rs);
}

static void env_free(env *e)
{
	tagger_free(e->tg);
	stemmer_free(e->st);
	ruleset_free(e->rs);
	tokens_free(&e->toks);
	VEC_FREE(&e->tags);
	strbuf_free(&e->doc);
}

static void app(strbuf *b, const char *what, const env *e, span s)
{
	if (s.start == s.end) return;
	strbuf_printf(b, " %s=[%.*s]", what, (int)(s.end - s.start), e->doc.data + s.start);
}

/* Tag sentence (inside a document, after a lead-in) and describe the tags:
 * "rule[text] cue=[..] source=[..] role=[..] anon supp; ..." (cue only
 * when it differs from the whole match). */
static char *run(env *e, const char *sentence)
{
	strbuf_reset(&e->doc);
	strbuf_puts(&e->doc, "Lead-in text. ");
	e->sent.start = (uint32_t)e->doc.len;
	strbuf_puts(&e->doc, sentence);
	e->sent.end = (uint32_t)e->doc.len;
	strbuf_puts(&e->doc, " Trailing text.");
	stem_tokenize(e->st, e->doc.data, e->sent.start, e->sent.end, &e->toks);
	e->tags.n = 0;
	cc_error_clear(&e->err);
	e->rc = tag_sentence(e->tg, e->doc.data, e->sent, &e->toks, &e->tags, &e->err);
	strbuf b = {0};
	strbuf_puts(&b, "");
	for (size_t i = 0; i < e->tags.n; i++) {
		const tag *t = &e->tags.v[i];
		const rule_info *r = ruleset_rule(e->rs, t->rule);
		ck_assert_int_eq(t->category, r->cat);
		ck_assert_uint_ge(t->start, e->sent.start);
		ck_assert_uint_le(t->end, e->sent.end);
		if (i) {
			const tag *p = &e->tags.v[i - 1];
			ck_assert(p->start < t->start || (p->start == t->start && p->rule <= t->rule));
		}
		if (i) strbuf_puts(&b, "; ");
		strbuf_printf(&b, "%s[%.*s]", r->id, (int)(t->end - t->start), e->doc.data + t->start);
		if (t->cue.start != t->start || t->cue.end != t->end) app(&b, "cue", e, t->cue);
		app(&b, "source", e, t->source);
		app(&b, "role", e, t->role);
		if (t->anonymous) strbuf_puts(&b, " anon");
		if (t->suppressed) strbuf_puts(&b, " supp");
	}
	return strbuf_steal(&b);
}

/* Add rules a.N and b.N for pattern: a.N runs it as written, b.N as
 * pre + pattern + post (a wrapper that turns off the mechanism under test,
 * or nothing, when the test turns it off otherwise). */
static void add_pair(strbuf *rules, size_t n, const char *pattern, const char *pre, const char *post)
{
	strbuf_printf(rules, "[rule a.%zu]\ncategory = hedge\npattern = %s\n", n, pattern);
	strbuf_printf(rules, "[rule b.%zu]\ncategory = hedge\npattern = %s%s%s\n", n, pre, pattern, post);
}

/* Tag the sentence with pairs of rules a.N and b.N (the same pattern, run
 * two ways) and check that each pair found the same tags: spans, cues and
 * sources. Returns how many tags the a rules found. */
static size_t expect_same_pairs(env *e, const char *sentence)
{
	char *got = run(e, sentence);
	strbuf a = {0}, b = {0};
	size_t n = 0;
	strbuf_puts(&a, "");
	strbuf_puts(&b, "");
	for (size_t i = 0; i < e->tags.n; i++) {
		const tag *t = &e->tags.v[i];
		const char *id = ruleset_rule(e->rs, t->rule)->id;
		strbuf_printf(id[0] == 'a' ? &a : &b, "%s[%u,%u,%u,%u,%u,%u] ", id + 2, t->start, t->end,
			      t->cue.start, t->cue.end, t->source.start, t->source.end);
		n += id[0] == 'a';
	}
	ck_assert_msg(strcmp(a.data, b.data) == 0, "%s: %s / %s (%s)", sentence, a.data, b.data, got);
	strbuf_free(&a);
	strbuf_free(&b);
	free(got);
	return n;
}

static const struct {
	const char *sentence, *want;
} cases[] = {
	/* stemmed, exact, prefix, `_`, @list, phrases */
	{"Analysts suggested a cut.", "h.stem[suggested]"},
	{"They suggest it.", "h.stem[suggest]"},
	{"Prices may rise.", "h.exact[may]"},
	{"Mayors met.", ""},
	{"Speculation grew about speculative bets.", "h.prefix[Speculation]; h.prefix[speculative]"},
	{"Growth is likely to slow.", "h.any[is likely to]"},
	{"Growth is, likely to slow.", ""},
	{"Data indicates that rates rise.", "h.list[indicates that]"},
	{"Data indicates, that is all.", ""},
	{"It would appear to be over.", "h.phrase[appear to be]; sp.overlap[be]"},
	{"It would appear to - be over.", "h.phrase[appear to - be]; sp.overlap[be]"},
	{"It would appear to, be over.", "sp.overlap[be]"},
	{"It would appear (to be) over.", "sp.overlap[be]"},
	{"It would appear", ""},
	{"Growth is", ""},
	/* lower-case items skip capitalized words inside a sentence */
	{"Shares fell in May, it said.", ""},
	{"May I ask?", "h.exact[May]"},
	{"The MAY report.", "h.exact[MAY]"},
	{"He said: May be.", "h.exact[May]; sp.overlap[be]"},
	{"Bob Hope came, with hope.", "h.name[Hope]; h.name[hope]"},
	/* patterns with captures */
	{"Per analyst Dana Whitfield, the deal is done.",
	 "s.per[Per analyst Dana Whitfield] cue=[Per] source=[Dana Whitfield] role=[analyst]"},
	{"per chief economist José Núñez, rates rise.",
	 "s.per[per chief economist José Núñez] cue=[per] source=[José Núñez] role=[chief economist]"},
	{"It grew 5 per cent.", ""},
	{"According to people familiar with the matter, it closed.",
	 "s.acc[According to people familiar with the matter] source=[people familiar with the matter] "
	 "anon; s.anon[people familiar with the matter] anon"},
	{"according to Reuters.", "s.acc[according to Reuters] source=[Reuters]"},
	{"ACCORDING TO REUTERS.", "s.acc[ACCORDING TO REUTERS] source=[REUTERS]"},
	/* exceptions */
	{"Some say prices will rise.", "w.except[Some say]"},
	{"Some say hello to prices.", ""},
	{"Critics argue that it fails.", ""},
	{"Critics argue it fails.", "w.xpat[Critics argue]"},
	/* overlapping matches of one rule: the first, longest wins */
	{"It could be true.", "sp.overlap[could be]"},
	{"It could, be true.", "sp.overlap[could]; sp.overlap[be]"},
	/* order: by start, then rule */
	{"It may suggest that it could.",
	 "h.exact[may]; h.stem[suggest]; h.list[suggest that]; sp.overlap[could]"},
	{"", ""},
};

START_TEST(test_tag_table)
{
	env e;
	env_init(&e, "tag-table.rules", rules_text);
	char *got = run(&e, cases[_i].sentence);
	ck_assert_str_eq(got, cases[_i].want);
	ck_assert_int_eq(e.rc, 0);
	ck_assert(!cc_error_isset(&e.err));
	free(got);
	env_free(&e);
}
END_TEST

START_TEST(test_offsets_are_document_offsets)
{
	env e;
	env_init(&e, "tag-offsets.rules", rules_text);
	free(run(&e, "Per analyst Dana Whitfield, it may."));
	ck_assert_uint_eq(e.tags.n, 2);
	const tag *t = &e.tags.v[0];
	ck_assert_uint_eq(t->start, 14);
	ck_assert_uint_eq(t->end, 40);
	ck_assert_uint_eq(t->cue.start, 14);
	ck_assert_uint_eq(t->cue.end, 17);
	ck_assert_uint_eq(t->role.start, 18);
	ck_assert_uint_eq(t->role.end, 25);
	ck_assert_uint_eq(t->source.start, 26);
	ck_assert_uint_eq(t->source.end, 40);
	ck_assert_int_eq(t->anonymous, 0);
	ck_assert_int_eq(t->category, CAT_SOURCE);
	t = &e.tags.v[1];
	ck_assert_uint_eq(t->start, 45);
	ck_assert_uint_eq(t->end, 48);
	ck_assert_uint_eq(t->source.start, t->source.end);
	ck_assert_uint_eq(t->role.start, t->role.end);
	env_free(&e);
}
END_TEST

START_TEST(test_keep_suppressed)
{
	env e;
	env_init(&e, "tag-supp.rules", rules_text);
	tagger_keep_suppressed(e.tg, 1);
	char *got = run(&e, "Some say hello to prices, critics argue that.");
	ck_assert_str_eq(got, "w.except[Some say] supp; w.xpat[critics argue] supp");
	free(got);
	tagger_keep_suppressed(e.tg, 0);
	got = run(&e, "Some say hello to prices, critics argue that.");
	ck_assert_str_eq(got, "");
	free(got);
	env_free(&e);
}
END_TEST

START_TEST(test_disabled_rules)
{
	env e;
	env_init(&e, "tag-disabled.rules", rules_text);
	long i = ruleset_find(e.rs, "h.exact"), j = ruleset_find(e.rs, "s.per");
	ck_assert_int_ge(i, 0);
	ruleset_set_enabled(e.rs, (size_t)i, 0);
	ruleset_set_enabled(e.rs, (size_t)j, 0);
	char *got = run(&e, "Per analyst Dana Whitfield, prices may suggest a rise.");
	ck_assert_str_eq(got, "h.stem[suggest]");
	free(got);
	ruleset_set_enabled(e.rs, (size_t)i, 1);
	got = run(&e, "Prices may rise.");
	ck_assert_str_eq(got, "h.exact[may]");
	free(got);
	env_free(&e);
}
END_TEST

static const struct {
	const char *source;
	int anonymous;
} anon_cases[] = {
	{"Dana Whitfield", 0},
	{"Reuters", 0},
	{"The Wall Street Journal", 0},
	{"analyst Dana Whitfield", 0},
	{"Goldman Sachs analyst Jane Roe", 0},
	{"sources close to the talks", 1},
	{"people familiar with the plans", 1},
	{"two Western diplomats", 1},
	{"Fed officials", 1},
	{"officials at the Fed", 1},
	{"a senior White House official", 1},
	{"someone", 1},
	{"Several People", 1},
	{"the company", 1},
};

START_TEST(test_auto_source)
{
	env e;
	env_init(&e, "tag-anon.rules", rules_text);
	char sentence[256];
	snprintf(sentence, sizeof sentence, "Prices rose, according to %s, in March.", anon_cases[_i].source);
	char *got = run(&e, sentence);
	char want[512];
	snprintf(want, sizeof want, "s.acc[according to %s] source=[%s]%s", anon_cases[_i].source,
		 anon_cases[_i].source, anon_cases[_i].anonymous ? " anon" : "");
	ck_assert_str_eq(got, want);
	free(got);
	env_free(&e);
}
END_TEST

START_TEST(test_match_limit)
{
	env e;
	env_init(&e, "tag-limit.rules",
		 "[rule bad.nested]\ncategory = hedge\npattern = (a+)+$\n"
		 "[rule good.words]\ncategory = hedge\nmatch = maybe\n"
		 "[rule good.pattern]\ncategory = weasel\npattern = \\bsome say\\b\n");
	char s[200];
	memset(s, 'a', 60);
	strcpy(s + 60, "b maybe, some say.");
	char *got = run(&e, s);
	ck_assert_int_eq(e.rc, -1);
	ck_assert(cc_error_isset(&e.err));
	ck_assert_ptr_nonnull(strstr(e.err.msg, "bad.nested"));
	ck_assert_ptr_nonnull(strstr(e.err.msg, "match limit"));
	ck_assert_str_eq(got, "good.words[maybe]; good.pattern[some say]");
	free(got);
	/* the next sentence is fine again */
	got = run(&e, "aaaa");
	ck_assert_int_eq(e.rc, 0);
	ck_assert_str_eq(got, "bad.nested[aaaa]");
	free(got);
	env_free(&e);
}
END_TEST

START_TEST(test_prefilter_and_empty_matches)
{
	/* literals inside alternations, classes and case-insensitive text */
	env e;
	env_init(&e, "tag-prefilter.rules",
		 "[list verb]\nitems = said | told | stated\n"
		 "[rule p.alt]\ncategory = speculation\npattern = (?i)\\b(?:is|are|was) (?:widely )?"
		 "(?<cue>expect(?:ed|s)?|characteri[sz]ed) to\\b\n"
		 "[rule p.list]\ncategory = source\npattern = \\b(?<source>[A-Z]\\w+) %{verb}\\b\n"
		 "[rule p.empty]\ncategory = hedge\npattern = x*\n");
	char *got = run(&e, "Growth IS WIDELY EXPECTED TO slow, Ann told.");
	ck_assert_str_eq(got, "p.alt[IS WIDELY EXPECTED TO] cue=[EXPECTED]; p.list[Ann told] source=[Ann]");
	free(got);
	got = run(&e, "It was characterised to be, it was characterized to.");
	ck_assert_str_eq(got, "p.alt[was characterised to] cue=[characterised]; "
			      "p.alt[was characterized to] cue=[characterized]");
	free(got);
	got = run(&e, "Nothing to see: xx.");
	ck_assert_str_eq(got, "p.empty[xx]");
	free(got);
	env_free(&e);
}
END_TEST

/* The profile counts what ran: per pattern and per rule, sentences,
 * calls, matches; an ungated-by-literal pattern never runs; switching
 * profiling off and on restarts the counters; tags are unchanged. */
START_TEST(test_profile_counts)
{
	env e;
	env_init(&e, "tag-profile.rules",
		 "[rule f.said]\ncategory = source\npattern = \\bsaid\\b\npattern = \\btold\\b\n"
		 "except-pattern = \\bsaid to\\b\n"
		 "[rule f.never]\ncategory = hedge\npattern = \\bzyzzyva\\b\n"
		 "[rule f.may]\ncategory = hedge\nmatch = may\n");
	ck_assert_ptr_null(tagger_profile(e.tg));
	tagger_set_profile(e.tg, 1);
	const char *sents[] = {"Ann said so, and said it twice.", "Bo told me.", "It may rain.",
			       "It is said to rain."};
	const char *want[] = {"f.said[said]; f.said[said]", "f.said[told]", "f.may[may]", ""};
	for (size_t i = 0; i < 4; i++) {
		char *got = run(&e, sents[i]);
		ck_assert_str_eq(got, want[i]);
		free(got);
	}
	const tag_profile *p = tagger_profile(e.tg);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->sentences, 4);
	ck_assert_uint_eq(p->npatterns, 4);
	/* f.said pattern 1: 2 sentences, 3 matches, one call where each
	 * "said" starts (its matches all start with it) */
	ck_assert_uint_eq(p->rule[0], 0);
	ck_assert_uint_eq(p->index[0], 0);
	ck_assert_uint_eq(p->patterns[0].sentences, 2);
	ck_assert_uint_eq(p->patterns[0].matches, 3);
	ck_assert_uint_eq(p->patterns[0].calls, 3);
	ck_assert_uint_eq(p->index[1], 1);
	ck_assert_uint_eq(p->patterns[1].sentences, 1);
	ck_assert_uint_eq(p->patterns[1].matches, 1);
	/* f.never: never ran */
	ck_assert_uint_eq(p->rule[2], 1);
	ck_assert_uint_eq(p->patterns[2].sentences, 0);
	ck_assert_uint_eq(p->patterns[2].calls, 0);
	ck_assert_uint_eq(p->patterns[2].ns, 0);
	/* the except-pattern: only where the rule matched and "said" and "to" occur */
	ck_assert_uint_eq(p->except[3], 1);
	ck_assert_uint_eq(p->index[3], 0);
	ck_assert_uint_eq(p->patterns[3].sentences, 1);
	ck_assert_uint_eq(p->patterns[3].matches, 1);
	/* the rule: 3 sentences, its patterns' matches only */
	ck_assert_uint_eq(p->rules[0].sentences, 3);
	ck_assert_uint_eq(p->rules[0].matches, 4);
	ck_assert_uint_eq(p->rules[0].ns, p->patterns[0].ns + p->patterns[1].ns + p->patterns[3].ns);
	ck_assert_uint_gt(p->rules[0].ns, 0);
	ck_assert_uint_eq(p->rules[2].sentences, 0);
	tagger_set_profile(e.tg, 0);
	ck_assert_ptr_null(tagger_profile(e.tg));
	tagger_set_profile(e.tg, 1);
	p = tagger_profile(e.tg);
	ck_assert_uint_eq(p->sentences, 0);
	ck_assert_uint_eq(p->patterns[0].calls, 0);
	env_free(&e);
}
END_TEST

/* Patterns that start with a lookbehind for a letter class are tried
 * only at the positions where a match may start (run_starts); the same
 * pattern behind `(?:)`, where ruleset.c makes no claim, is searched by
 * PCRE2 from every position. Both must find the same matches. */
static const char *const start_patterns[] = {
	"(?<![\\p{L}\\p{N}])\\p{Lu}\\w*",
	"(?<![\\p{L}\\p{N}'’.-])(?i:an?|the)\\s+\\w+",
	"(?<![\\p{L}])\\d+",
	"(?<![\\p{L}\\p{N}])x*",
	"(?<![\\p{L}\\p{N}])(?:é\\w+|said)",
	"(?=\\p{Lu})(?<![\\p{L}\\p{N}])\\p{Lu}\\w+\\s+said",
	"(?<![\\p{L}\\p{N}])(?:(?i:the)\\s+)?(?<source>\\w+)\\s+(?<cue>said|told)",
	/* the same first bytes and lookbehind as patterns above, and the
	 * same first bytes after another lookbehind */
	"(?=\\p{Lu})(?<![\\p{L}\\p{N}])\\p{Lu}\\w+\\s+told",
	"(?<![\\p{L}\\p{N}])\\p{Lu}\\w*\\s+said",
	"(?=\\p{Lu})(?<![\\p{L}])\\p{Lu}\\w+\\s+told",
};

static const char *const start_sentences[] = {
	"Ana said the plan works.",
	"“Ana” said 3 things; 4x4 is 16, x xx axx.",
	"The élite said: éclair, café Élan said.",
	"O'Neill and the co-founder told an analyst a thing.",
	"x",
	"",
	"12 of 13 McDonald's staff said no, then Bo said yes.",
	"Rock’n’roll’s Anne-Marie Dubois said so, the officials told.",
	"Bo4 Ana told 4Cy told, 7Dee said; xEd said Flo told.",
};

START_TEST(test_start_positions)
{
	strbuf rules = {0};
	size_t np = sizeof start_patterns / sizeof *start_patterns;
	for (size_t i = 0; i < np; i++) add_pair(&rules, i, start_patterns[i], "(?:)", "");
	env e;
	env_init(&e, "tag-starts.rules", rules.data);
	for (size_t i = 0; i < np; i++) {
		ck_assert_int_eq(e.rs->patterns.v[2 * i].has_after, 1);
		ck_assert_int_eq(e.rs->patterns.v[2 * i + 1].has_after, 0);
	}
	size_t ns = sizeof start_sentences / sizeof *start_sentences, total = 0;
	for (size_t k = 0; k < ns; k++) total += expect_same_pairs(&e, start_sentences[k]);
	ck_assert_uint_ge(total, 30); /* the cases do match */
	strbuf_free(&rules);
	env_free(&e);
}
END_TEST

/* Patterns whose matches all start with a lead string (ruleset.c) are
 * tried only where one starts (run_leads). Each pattern is loaded twice;
 * the second copy's lead is switched off, so PCRE2 searches it as before:
 * both must find the same matches. The flag says whether the pattern has
 * a lead set. */
static const struct {
	const char *pattern;
	int lead;
} lead_patterns[] = {
	/* a case-folded list, one item inside another */
	{"(?i:chief economist|economist|analyst|Spokeswoman)\\s+\\p{Lu}\\w+", 1},
	/* a match may start inside a longer lead string's hit */
	{"(?:chief economist|economist|mist)\\w*", 1},
	/* overlapping candidates: "aba" and "bab" in "ababab" */
	{"(?:aba|bab|ab)\\w*", 1},
	{"(?:aba|bab)(?=b)", 1},
	{"(?:aba|bab)", 1},
	/* lookbehinds before the literal see the text before the start */
	{"(?<=the )(?:analyst|economist)\\b", 1},
	{"(?<![\\p{L}\\p{N}])(?:analyst|economist|said)", 1},
	{"(?<!chief )economist\\s+\\w+", 1},
	/* optional and {0,n} parts at the start */
	{"(?<![\\p{L}\\p{N}])(?:(?i:senior|chief)\\s+){0,2}(?i:analyst|economist)\\s+\\p{Lu}\\w+", 1},
	{"(?:the\\s+)?(?:analyst|economist)", 1},
	/* written in capitals, in a case-sensitive pattern */
	{"Said\\s+\\w+", 1},
	{"(?i)said(?:\\s+\\w+)?", 1},
	/* a caseless k or s also matches the Kelvin sign and the long s
	 * (too short for a gate, which would miss them too) */
	{"(?i:as)k?\\w*", 1},
	{"(?i:ki)\\w+", 1},
	/* a literal before a non-ASCII character; full stops */
	{"caf(?:é|e)\\s+\\w+", 1},
	{"U\\.S\\.\\s+\\w+", 1},
	/* no lead set: the old search */
	{"\\w+\\s+said", 0},
	{"said|\\p{Lu}\\w+\\s+told", 0},
	{"x*said", 0},
};

static const char *const lead_sentences[] = {
	"Analyst Ann said the chief economist Bo agreed.",
	"ababab bab abab, the analyst said; the economist Kim said so.",
	"Chief Senior ANALYST Lee said, and a senior economist Mo told.",
	"said said, Said it, SAID IT, unsaid.",
	"He aſked; the \xe2\x84\xaaing, the kinsman, the KIN asked.",
	"The café Ann and the cafe Bo; U.S. officials said.",
	"economist economist chief economist mistake",
	"",
	"x",
};

START_TEST(test_lead_starts)
{
	strbuf rules = {0};
	size_t np = sizeof lead_patterns / sizeof *lead_patterns;
	for (size_t i = 0; i < np; i++) add_pair(&rules, i, lead_patterns[i].pattern, "", "");
	env e;
	env_init(&e, "tag-leads.rules", rules.data);
	for (size_t i = 0; i < np; i++) {
		ck_assert_msg(e.rs->lead[2 * i] == lead_patterns[i].lead, "%s", lead_patterns[i].pattern);
		ck_assert_int_eq(e.rs->lead[2 * i + 1], lead_patterns[i].lead);
		e.rs->lead[2 * i + 1] = 0;
	}
	size_t ns = sizeof lead_sentences / sizeof *lead_sentences, total = 0;
	for (int round = 0; round < 2; round++) {
		for (size_t k = 0; k < ns; k++) total += expect_same_pairs(&e, lead_sentences[k]);
	}
	ck_assert_uint_ge(total, 2 * 60); /* the cases do match */
	/* the odd case folds are found (by the old search: the automaton
	 * folds ASCII letters only) */
	char *got = run(&e, "He a\xc5\xbfked the \xe2\x84\xaaing.");
	ck_assert_str_eq(got, "a.12[a\xc5\xbfked]; b.12[a\xc5\xbfked]; a.13[\xe2\x84\xaaing]; b.13[\xe2\x84\xaaing]");
	free(got);
	strbuf_free(&rules);
	env_free(&e);
}
END_TEST

/* Patterns gated by several literal sets at once (ruleset.c): each case
 * gives the number of gates the analysis must find and what the tagger
 * must still find with them. */
static const struct {
	const char *pattern;
	uint32_t gates;
	const char *sentence, *want;
} gate_cases[] = {
	/* a role word and a reporting verb */
	{"\\b(?<role>analyst|economist|banker)\\s+\\p{Lu}\\w+\\s+(?<cue>said|told)\\b", 2,
	 "The analyst Ann said so.", "g.x[analyst Ann said] cue=[said] role=[analyst]"},
	{"\\b(?<role>analyst|economist|banker)\\s+\\p{Lu}\\w+\\s+(?<cue>said|told)\\b", 2,
	 "The analyst Ann agreed; the banker said no.", ""},
	/* the search stops after the end of the last literal of the gate
	 * whose last literal comes first: here the role word */
	{"\\b(?<role>analyst|economist|banker)\\s+\\p{Lu}\\w+\\s+(?<cue>said|told)\\b", 2,
	 "He said the economist Bob told us.", "g.x[economist Bob told] cue=[told] role=[economist]"},
	{"\\b(?<role>analyst|economist|banker)\\s+\\p{Lu}\\w+\\s+(?<cue>said|told)\\b", 2,
	 "Ann told a banker Kim said it, the analyst Lee told us.",
	 "g.x[banker Kim said] cue=[said] role=[banker]; g.x[analyst Lee told] cue=[told] role=[analyst]"},
	/* prefixes through an optional group that has no literal of its own */
	{"\\b(?<cue>call(?:ed(?:\\s+(?:for|on))?|s))\\s+\\p{Lu}\\w+", 1,
	 "They called for Reform today.", "g.x[called for Reform] cue=[called for]"},
	{"\\b(?<cue>call(?:ed(?:\\s+(?:for|on))?|s))\\s+\\p{Lu}\\w+", 1,
	 "She calls Ann.", "g.x[calls Ann] cue=[calls]"},
	/* an alternation of two conjunctions: the union of each pair */
	{"\\b(?:alpha\\s+\\w+\\s+beta|gamma\\s+\\w+\\s+delta)\\b", 4,
	 "Then alpha one beta went.", "g.x[alpha one beta]"},
	{"\\b(?:alpha\\s+\\w+\\s+beta|gamma\\s+\\w+\\s+delta)\\b", 4,
	 "Then gamma two delta went.", "g.x[gamma two delta]"},
	{"\\b(?:alpha\\s+\\w+\\s+beta|gamma\\s+\\w+\\s+delta)\\b", 4,
	 "Then alpha one delta went.", ""},
	/* a repeated group starts like the group */
	{"(?:abc)+\\s+\\w+\\s+(?<cue>said)", 2, "Xabcabc Ann said it.", "g.x[abcabc Ann said] cue=[said]"},
	/* optional parts require nothing; case does not matter */
	{"(?i)\\b(?:very\\s+)?(?<cue>likely|probable)\\s+(?:that\\s+)?\\w+\\s+will\\b", 2,
	 "It is LIKELY prices WILL rise.", "g.x[LIKELY prices WILL] cue=[LIKELY]"},
	/* a literal inside a lookbehind is not required */
	{"(?<=according to )\\p{Lu}\\w+\\s+(?<cue>data)", 1,
	 "Growth, according to Acme data, slowed.", "g.x[Acme data] cue=[data]"},
	/* a caseless s or k matches the long s or the Kelvin sign, which the
	 * automaton (ASCII folding) cannot see: such a sentence runs every
	 * gated pattern */
	{"\\p{Lu}\\w+\\s+(?<cue>(?i:asked))\\b", 1,
	 "Then Ann a\xc5\xbfked twice.", "g.x[Ann a\xc5\xbfked] cue=[a\xc5\xbfked]"},
	{"\\p{Lu}\\w+\\s+(?<cue>(?i:kept))\\b", 1,
	 "Then Ann \xe2\x84\xaa" "ept it.", "g.x[Ann \xe2\x84\xaa" "ept] cue=[\xe2\x84\xaa" "ept]"},
	{"\\p{Lu}\\w+\\s+(?<cue>(?i:kept))\\b", 1,
	 "Then Ann a\xc5\xbfked twice.", ""},
};

START_TEST(test_gates)
{
	char *rules = xasprintf("[rule g.x]\ncategory = source\npattern = %s\n", gate_cases[_i].pattern);
	env e;
	env_init(&e, "tag-gates.rules", rules);
	free(rules);
	ck_assert_uint_eq(e.rs->patterns.n, 1);
	ck_assert_int_eq(e.rs->gated[0], gate_cases[_i].gates > 0);
	ck_assert_uint_eq(e.rs->gate_off[1] - e.rs->gate_off[0], gate_cases[_i].gates);
	char *got = run(&e, gate_cases[_i].sentence);
	ck_assert_str_eq(got, gate_cases[_i].want);
	free(got);
	/* and again with the tagger's state from the first sentence */
	got = run(&e, gate_cases[_i].sentence);
	ck_assert_str_eq(got, gate_cases[_i].want);
	free(got);
	env_free(&e);
}
END_TEST

START_TEST(test_many_sentences_reuse)
{
	/* the tagger is reused across sentences without stale state */
	env e;
	env_init(&e, "tag-reuse.rules", rules_text);
	for (int k = 0; k < 3000; k++) {
		char *got = run(&e, k % 2 ? "Prices may rise." : "Critics argue it fails.");
		ck_assert_str_eq(got, k % 2 ? "h.exact[may]" : "w.xpat[Critics argue]");
		free(got);
	}
	env_free(&e);
}
END_TEST

/* Threads, each with its own stemmer and tagger, share one ruleset: each
 * tags every case `rounds` times, after waiting at `go` if there is one. */
typedef struct thread_job {
	const ruleset *rs;
	pthread_barrier_t *go;
	int rounds;
	int failures;
} thread_job;

static void *tag_in_thread(void *arg)
{
	thread_job *job = arg;
	env e;
	memset(&e, 0, sizeof e);
	e.rs = (ruleset *)job->rs;
	e.st = stemmer_new();
	e.tg = tagger_new(job->rs);
	if (job->go) pthread_barrier_wait(job->go);
	for (int round = 0; round < job->rounds; round++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char *got = run(&e, cases[i].sentence);
			if (strcmp(got, cases[i].want) != 0) job->failures++;
			free(got);
		}
	e.rs = NULL; /* the caller's */
	env_free(&e);
	return NULL;
}

START_TEST(test_threads_share_ruleset)
{
	ruleset *rs = load_text("tag-threads.rules", rules_text);
	thread_job jobs[2] = {{rs, NULL, 20, 0}, {rs, NULL, 20, 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, tag_in_thread, &jobs[i]), 0);
	for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
	ck_assert_int_eq(jobs[0].failures, 0);
	ck_assert_int_eq(jobs[1].failures, 0);
	ruleset_free(rs);
}
END_TEST

/* Patterns are JIT-compiled on their first use, not at load: a pattern
 * the prefilter rules out in every sentence is never compiled. */
static const char jit_rules[] =
	"[rule j.a]\ncategory = hedge\npattern = \\balpha\\w*\n"
	"[rule j.b]\ncategory = hedge\npattern = \\bbeta\\w*\n"
	"[rule j.c]\ncategory = hedge\nmatch = gamma\nexcept-pattern = (?i)\\bgamma\\s+rays\n";

START_TEST(test_lazy_jit)
{
	uint32_t have_jit = 0;
	pcre2_config(PCRE2_CONFIG_JIT, &have_jit);
	int done = have_jit ? RS_JIT_YES : RS_JIT_NO;
	env e;
	env_init(&e, "tag-jit.rules", jit_rules);
	ck_assert_uint_eq(e.rs->patterns.n, 2);
	ck_assert_uint_eq(e.rs->xpatterns.n, 1);
	ck_assert_int_eq(atomic_load(&e.rs->patterns.v[0].jit), RS_JIT_UNTRIED);
	ck_assert_int_eq(atomic_load(&e.rs->patterns.v[1].jit), RS_JIT_UNTRIED);
	ck_assert_int_eq(atomic_load(&e.rs->xpatterns.v[0].jit), RS_JIT_UNTRIED);
	char *got = run(&e, "An alphabet soup.");
	ck_assert_str_eq(got, "j.a[alphabet]");
	free(got);
	ck_assert_int_eq(atomic_load(&e.rs->patterns.v[0].jit), done);
	ck_assert_int_eq(atomic_load(&e.rs->patterns.v[1].jit), RS_JIT_UNTRIED);
	ck_assert_int_eq(atomic_load(&e.rs->xpatterns.v[0].jit), RS_JIT_UNTRIED);
	/* the except-pattern runs only where its rule matched */
	got = run(&e, "Gamma rays and a beta test.");
	ck_assert_str_eq(got, "j.b[beta]");
	free(got);
	ck_assert_int_eq(atomic_load(&e.rs->patterns.v[1].jit), done);
	ck_assert_int_eq(atomic_load(&e.rs->xpatterns.v[0].jit), done);
	/* once tried, never again */
	ck_assert_int_eq(ruleset_jit_compile(e.rs, &e.rs->patterns.v[0]), done);
	ck_assert_int_eq(rs_pattern_jit(e.rs, &e.rs->patterns.v[1]), have_jit != 0);
	got = run(&e, "Then alpha, beta and gamma.");
	ck_assert_str_eq(got, "j.a[alpha]; j.b[beta]; j.c[gamma]");
	free(got);
	env_free(&e);
}
END_TEST

/* Four threads start tagging the same sentences at once on a fresh rule
 * set: the first use of each pattern JIT-compiles it while the others
 * wait, and every thread gets the single-threaded tags. */
START_TEST(test_threads_first_use)
{
	for (int round = 0; round < 5; round++) {
		ruleset *rs = load_text("tag-race.rules", rules_text);
		pthread_barrier_t go;
		ck_assert_int_eq(pthread_barrier_init(&go, NULL, 4), 0);
		thread_job jobs[4];
		pthread_t th[4];
		for (int i = 0; i < 4; i++) {
			jobs[i] = (thread_job){rs, &go, 1, 0};
			ck_assert_int_eq(pthread_create(&th[i], NULL, tag_in_thread, &jobs[i]), 0);
		}
		for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
		for (int i = 0; i < 4; i++) ck_assert_int_eq(jobs[i].failures, 0);
		for (size_t i = 0; i < rs->patterns.n; i++)
			ck_assert_int_ne(atomic_load(&rs->patterns.v[i].jit), RS_JIT_UNTRIED);
		pthread_barrier_destroy(&go);
		ruleset_free(rs);
	}
}
END_TEST



/* Patterns that open with a lookahead for a few bytes or a few words and
 * white space (rs_pattern.has_words, ruleset.c) are tried only where one
 * of them starts. Each pattern is loaded twice; the second copy's words
 * are switched off, so it is tried at every word start as before: both
 * must find the same matches, with the words in either case, a
 * white-space character that is not ASCII after them, and in a sentence
 * with a Kelvin sign or a long s (which a caseless k or s matches). */
static const char *const word_patterns[] = {
	"(?<![\\p{L}\\p{N}'’.-])(?=(?=[A-Z\\x{80}-\\x{10ffff}])\\p{Lu}\\w*['’]|[0-9\\x{80}-\\x{10ffff}]|"
	"(?i:a|an|one|other|another|his|the)\\s)\\w+(?:['’]s)?\\s+\\w+\\s+said",
	"(?<![\\p{L}\\p{N}])(?=(?i:an?|one|another)\\s)(?i:an?|one|another)\\s+\\w+",
	"(?<![\\p{L}\\p{N}])(?=(?:The|A)\\s)\\w+\\s+\\w+",
	"(?=(?i:the)\\s)(?<![\\p{L}\\p{N}])(?i:the)\\s+\\w+",
	"(?<![\\p{L}\\p{N}])(?=(?i:ask|kin|s)\\s+)\\w+\\s+\\w+",
	"(?<![\\p{L}\\p{N}])(?=[0-9])\\w+",
};

static const char *const word_sentences[] = {
	"An analyst said the plan works, and a trader said no.",
	"His aides said so; Ana’s aide said yes, 12 people said maybe, ’twas said.",
	"Another one said: the other one said, a man an apple anothers said.",
	"The Cat and A dog, THE END; the\tend, a\xc2\xa0" "cat, an\xc2\xa0" "analyst said, an",
	"He a\xc5\xbfked the \xe2\x84\xaaing; ask kin, Ask KIN s x, \xe2\x84\xaain said.",
	"One2 said, one said; an\n said, theme said, then the",
	"a",
	"",
	"x a",
};

START_TEST(test_start_words)
{
	strbuf rules = {0};
	size_t np = sizeof word_patterns / sizeof *word_patterns;
	for (size_t i = 0; i < np; i++) add_pair(&rules, i, word_patterns[i], "", "");
	env e;
	env_init(&e, "tag-words.rules", rules.data);
	for (size_t i = 0; i < np; i++) {
		rs_pattern *pa = &e.rs->patterns.v[2 * i], *pb = &e.rs->patterns.v[2 * i + 1];
		ck_assert_msg(pa->has_words && pb->has_words, "%s", word_patterns[i]);
		pb->has_words = 0;
	}
	ck_assert_uint_eq(e.rs->patterns.v[0].nwords, 7);
	ck_assert_str_eq(e.rs->patterns.v[0].words[0], "a");
	ck_assert_uint_eq(e.rs->patterns.v[2 * 2].nwords, 2); /* "a", "the" */
	ck_assert_uint_eq(e.rs->patterns.v[2 * 5].nwords, 0);
	size_t ns = sizeof word_sentences / sizeof *word_sentences, total = 0;
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < ns; k++) total += expect_same_pairs(&e, word_sentences[k]);
	ck_assert_uint_ge(total, 2 * 30); /* the cases do match */
	/* a lookahead that does not say what a match starts with: no words */
	strbuf_reset(&rules);
	strbuf_puts(&rules, "[rule a.0]\ncategory = hedge\npattern = (?<![\\p{L}])(?=\\w+\\s)\\w+\n"
			    "[rule a.1]\ncategory = hedge\npattern = (?<![\\p{L}])(?=(?i:a|the)\\s*)\\w+\n"
			    "[rule a.2]\ncategory = hedge\npattern = (?<![\\p{L}])(?=(?i:a|the\\w+)\\s)\\w+\n"
			    "[rule a.3]\ncategory = hedge\npattern = (?<![\\p{L}])(?=(?i:a|the)\\s)\\w+|x\n"
			    "[rule a.4]\ncategory = hedge\npattern = (?i)(?<![\\p{L}])(?=[A-Z])\\w+\n"
			    "[rule a.5]\ncategory = hedge\npattern = (?<![\\p{L}])(?=[^a-z])\\w+\n"
			    "[rule a.6]\ncategory = hedge\npattern = (?<![\\p{L}])[a]\\w|(?:y)z\n");
	env f;
	env_init(&f, "tag-words-no.rules", rules.data);
	for (size_t i = 0; i < f.rs->patterns.n; i++)
		ck_assert_msg(!f.rs->patterns.v[i].has_words, "pattern %zu", i);
	/* a top-level '|' after a class: no start claims at all, so "yz"
	 * inside a word is found */
	ck_assert_int_eq(f.rs->patterns.v[6].has_after, 0);
	char *got = run(&f, "Bayz.");
	ck_assert_str_eq(got, "a.4[Bayz]; a.5[Bayz]; a.6[yz]");
	free(got);
	env_free(&f);
	/* without gates or lead strings there is no automaton to see a Kelvin
	 * sign: the words are not used */
	strbuf_reset(&rules);
	strbuf_puts(&rules, "[rule a.0]\ncategory = hedge\npattern = (?<![\\p{L}])(?=(?i:ki)\\s)\\w+\n"
			    "[rule b.0]\ncategory = hedge\npattern = (?<![\\p{L}])(?=(?i:ki)\\s)\\w+\n");
	env_init(&f, "tag-words-odd.rules", rules.data);
	ck_assert_uint_eq(f.rs->ac_nstates, 0);
	ck_assert(f.rs->patterns.v[0].has_words);
	f.rs->patterns.v[1].has_words = 0;
	ck_assert_uint_eq(expect_same_pairs(&f, "Ki said, \xe2\x84\xaai said."), 2);
	env_free(&f);
	strbuf_free(&rules);
	env_free(&e);
}
END_TEST

/* Patterns with the same gate (the same literal set) or the same lead set
 * share the prefilter's work (ruleset-int.h: gate_id, lead_chain): the
 * automaton marks the first such gate and notes the first pattern's lead
 * strings, and the others read those. Each pattern a.N is loaded again as
 * b.N behind (*FAIL), which the literal walk does not follow: b.N runs
 * without gates or lead strings, on every sentence, from every offset.
 * Both must find the same matches. */
static const char *const share_patterns[] = {
	"(?<![\\p{L}\\p{N}])\\p{Lu}\\w+\\s+(?:said|told|wrote)\\b",
	"(?<![\\p{L}\\p{N}])(?:the|a)\\s+\\w+\\s+(?:said|told|wrote)\\b",
	"(?:told|wrote|said)\\s+\\p{Lu}\\w+",        /* the verbs as a lead set too */
	"(?:said|told|wrote)\\s+(?:the\\s+)?\\w+",   /* the same lead set as the one before */
	"(?:analyst|economist)\\s+\\p{Lu}\\w+\\s+(?:said|told|wrote)",
	"(?i:economist|analyst)\\s+\\w+",            /* its lead set again, caseless */
	"(?:said|told)\\s+\\w+",                     /* a set of its own */
	"(?:sai|tol)d\\s+\\p{Lu}\\w+",               /* the same set, written otherwise */
};

static const char *const share_sentences[] = {
	"Ana said the analyst Bo told Cy, and the economist Di wrote.",
	"the analyst said so; a trader told Ed, said Flo, wrote Gus.",
	"Economist Hal said, ANALYST Ida told the ECONOMIST Jo.",
	"Nobody told; said; wrote.",
	"He a\xc5\xbfked the \xe2\x84\xaaing, who said Kim told the analyst Lu.",
	"No verb here at all.",
	"",
};

START_TEST(test_shared_prefilter)
{
	strbuf rules = {0};
	size_t np = sizeof share_patterns / sizeof *share_patterns;
	for (size_t i = 0; i < np; i++) add_pair(&rules, i, share_patterns[i], "(?:", ")|(*FAIL)");
	env e;
	env_init(&e, "tag-share.rules", rules.data);
	const ruleset *rs = e.rs;
	size_t shared = 0;
	for (size_t i = 0; i < np; i++) {
		ck_assert_msg(rs->gated[2 * i], "%s", share_patterns[i]);
		ck_assert_int_eq(rs->gated[2 * i + 1], 0);
		ck_assert_int_eq(rs->lead[2 * i + 1], 0);
		for (uint32_t g = rs->gate_off[2 * i]; g < rs->gate_off[2 * i + 1]; g++) {
			ck_assert_uint_le(rs->gate_id[g], g);
			shared += rs->gate_id[g] != g;
		}
	}
	/* the verbs of a.1, a.2, a.3 and a.4 are a.0's gate, a.5's words a.4's
	 * other gate, a.7's verbs a.6's */
	ck_assert_uint_eq(shared, 6);
	ck_assert_uint_eq(rs->gate_id[rs->gate_off[2 * 7]], rs->gate_off[2 * 6]);
	ck_assert(rs->lead[2 * 2] && rs->lead[2 * 3] && rs->lead[2 * 4] && rs->lead[2 * 5]);
	ck_assert_uint_eq(rs->lead_chain[2 * 2], 2 * 2);
	ck_assert_uint_eq(rs->lead_chain[2 * 3], 2 * 2);
	ck_assert_uint_eq(rs->lead_chain[2 * 4], 2 * 4);
	ck_assert_uint_eq(rs->lead_chain[2 * 5], 2 * 4);
	size_t ns = sizeof share_sentences / sizeof *share_sentences, total = 0;
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < ns; k++) total += expect_same_pairs(&e, share_sentences[k]);
	ck_assert_uint_ge(total, 2 * 20); /* the cases do match */
	strbuf_free(&rules);
	env_free(&e);
}
END_TEST

/* A pattern whose every match contains an ASCII punctuation byte (PCRE2's
 * last code unit) is not run in a sentence without it, and not tried
 * after its last one. Each pattern is loaded twice, the second time with
 * an alternative `(*FAIL)` that takes PCRE2's required byte away (and the
 * word starts and lead strings: PCRE2 searches it from every position):
 * both must find the same matches, and the first makes no PCRE2 call in
 * a sentence without the byte. */
static const char *const req_patterns[] = {
	"(?<![\\p{L}\\p{N}])\\p{Lu}\\w*,\\s+\\w+",
	"\\A\\p{Lu}\\w*(?:\\s+\\p{Lu}\\w*)*:",
	"(?i)said:?\\s+\\w+;",
	"\\w+\\s+\\(\\w+\\)",
	"(?<![\\p{L}\\p{N}])(?:Mr|Ms)\\.\\s+\\w+",
	"(?<![\\p{L}\\p{N}])\\w,\\w+", /* starts right before its last comma */
};

static const char *const req_sentences[] = {
	"Ana Ruiz, the mayor, said so, and Bo, too.",
	"Ana Ruiz said so and Bo did too",
	"ANA RUIZ: We will see; said Bo: maybe; SAID: no;",
	"Okafor (HFA) said (twice) it, Ms. Lind and Mr. Bo",
	"Mr Bo said; so: ,",
	",",
	"",
	"Ruiz,x said",
	"The Bank (of) Halden, Ms.Lind",
	"x,yz b,c",
};

START_TEST(test_required_byte)
{
	strbuf rules = {0};
	size_t np = sizeof req_patterns / sizeof *req_patterns;
	for (size_t i = 0; i < np; i++) add_pair(&rules, i, req_patterns[i], "(?:", ")|(*FAIL)");
	env e;
	env_init(&e, "tag-req.rules", rules.data);
	for (size_t i = 0; i < np; i++) {
		uint32_t ta = 0, tb = 0;
		pcre2_pattern_info(e.rs->patterns.v[2 * i].code, PCRE2_INFO_LASTCODETYPE, &ta);
		pcre2_pattern_info(e.rs->patterns.v[2 * i + 1].code, PCRE2_INFO_LASTCODETYPE, &tb);
		ck_assert_msg(ta == 1 && tb == 0, "%s: %u %u", req_patterns[i], ta, tb);
	}
	tagger_set_profile(e.tg, 1);
	size_t ns = sizeof req_sentences / sizeof *req_sentences, total = 0;
	for (size_t k = 0; k < ns; k++) total += expect_same_pairs(&e, req_sentences[k]);
	ck_assert_uint_eq(total, 12); /* the cases do match */
	/* no call in a sentence without the byte: pattern 0 needs a comma */
	tagger_set_profile(e.tg, 1);
	char *got = run(&e, "Ana Ruiz said so and Bo did too");
	ck_assert_str_eq(got, "");
	free(got);
	const tag_profile *p = tagger_profile(e.tg);
	ck_assert_uint_eq(p->patterns[0].calls, 0);
	ck_assert_uint_gt(p->patterns[1].calls, 0);
	/* nor after the last one: "Bo" comes after the only comma */
	tagger_set_profile(e.tg, 1);
	got = run(&e, "Ana, Ruiz Bo");
	ck_assert_str_eq(got, "a.0[Ana, Ruiz]; b.0[Ana, Ruiz]");
	free(got);
	p = tagger_profile(e.tg);
	ck_assert_uint_eq(p->patterns[0].calls, 1);
	strbuf_free(&rules);
	env_free(&e);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tag");
	TCase *tc = tcase_create("tag");
	tcase_add_loop_test(tc, test_tag_table, 0, sizeof cases / sizeof cases[0]);
	tcase_add_test(tc, test_offsets_are_document_offsets);
	tcase_add_test(tc, test_keep_suppressed);
	tcase_add_test(tc, test_disabled_rules);
	tcase_add_loop_test(tc, test_auto_source, 0, sizeof anon_cases / sizeof anon_cases[0]);
	tcase_add_test(tc, test_match_limit);
	tcase_add_test(tc, test_prefilter_and_empty_matches);
	tcase_add_test(tc, test_profile_counts);
	tcase_add_test(tc, test_start_positions);
	tcase_add_test(tc, test_lead_starts);
	tcase_add_loop_test(tc, test_gates, 0, sizeof gate_cases / sizeof gate_cases[0]);
	tcase_add_test(tc, test_many_sentences_reuse);
	tcase_add_test(tc, test_threads_share_ruleset);
	tcase_add_test(tc, test_lazy_jit);
	tcase_add_test(tc, test_threads_first_use);
	tcase_add_test(tc, test_required_byte);
	tcase_add_test(tc, test_shared_prefilter);
	tcase_add_test(tc, test_start_words);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
