/*
 * report.c — the flagged-claims report.
 *
 * Reads: a claimcheck database through the flagged_claims view
 * (reports/views.sql), most check-worthy claims first, and for each claim
 * its tags and sources. Adds: the report on a stream, as text (cue words
 * highlighted, in colour on a TTY), Markdown, CSV (RFC 4180) or JSON;
 * HTML is html.c's.
 */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "verdict.h"

static const char sql_claims[] =
	"SELECT doc_id, doc_key, path, ext_id, title, sentence, start, end,"
	" checkworthy, uncertainty, hedge, speculation, weasel, factual, sourced, text_hash"
	" FROM flagged_claims fc"
	" WHERE checkworthy >= ?1"
	" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t"
	"      WHERE t.doc_id = fc.doc_id AND t.sentence = fc.sentence AND t.category = ?2))"
	" AND (?3 IS NULL OR instr(doc_key, ?3) > 0 OR instr(path, ?3) > 0"
	"      OR instr(ext_id, ?3) > 0)"
	" ORDER BY checkworthy DESC, uncertainty DESC, doc_key, sentence"
	" LIMIT ?4";

static const char sql_text[] =
	"SELECT CAST(substr(CAST(text AS BLOB), ?2 + 1, ?3 - ?2) AS TEXT)"
	" FROM documents WHERE id = ?1";

static const char sql_tags[] =
	"SELECT rule, category, start, end, cue_start, cue_end, cue, source, role, anonymous"
	" FROM tags WHERE doc_id = ?1 AND sentence = ?2 ORDER BY idx";

enum { C_DOC_ID, C_KEY, C_PATH, C_EXT_ID, C_TITLE, C_SENT, C_START, C_END,
       C_CHECKWORTHY, C_UNCERTAINTY, C_HEDGE, C_SPECULATION, C_WEASEL, C_FACTUAL, C_SOURCED,
       C_TEXT_HASH };

typedef struct rtag {
	const char *rule, *category, *cue; /* point into `strings` */
	size_t rule_off, category_off, cue_off;
	long long start, end, cue_start, cue_end;
} rtag;

typedef struct rsource {
	size_t rule_off, name_off, role_off, cue_off; /* (size_t)-1 = NULL */
	int anonymous;
} rsource;

/* One claim, its tags and sources; buffers are reused from claim to claim. */
typedef struct claim {
	strbuf text;
	strbuf strings; /* NUL-separated strings of the tags and sources */
	VEC(rtag) tags;
	VEC(rsource) sources;
	VEC(size_t) cats;   /* distinct categories (offsets into strings), in order */
	VEC(size_t) rules;  /* distinct rule ids */
	VEC(span) cues;     /* merged cue spans relative to the sentence */
	VEC(uint8_t) cuecat;
} claim;

typedef struct reporter {
	sqlite3 *db;
	sqlite3_stmt *claims, *text, *tags;
	const report_options *o;
	FILE *out;
	claim c;
	strbuf line, tmp;
	long rank;
} reporter;

#define NO_STR ((size_t)-1)

static size_t put_str(claim *c, const unsigned char *s)
{
	if (!s) return NO_STR;
	size_t off = c->strings.len;
	strbuf_puts(&c->strings, (const char *)s);
	strbuf_putc(&c->strings, '\0');
	return off;
}

static const char *str_at(const claim *c, size_t off)
{
	return off == NO_STR ? NULL : c->strings.data + off;
}

static void sql_error(reporter *r, const char *what)
{
	fprintf(stderr, "claimcheck report: %s: %s\n", what, sqlite3_errmsg(r->db));
}

/* Category index for colours: 0..3 as in ruleset.h, 4 if unknown. */
static int cat_index(const char *name)
{
	static const char *const names[] = {"hedge", "speculation", "weasel", "source"};
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0) return i;
	return 4;
}

static void add_distinct(claim *c, void *vecp, size_t off)
{
	VEC(size_t) *v = vecp;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(c->strings.data + v->v[i], c->strings.data + off) == 0) return;
	VEC_PUSH(v, off);
}

/* Load the text, tags and sources of the claim in the current row. */
static int load_claim(reporter *r)
{
	claim *c = &r->c;
	sqlite3_stmt *row = r->claims;
	long long sstart = sqlite3_column_int64(row, C_START);
	long long send = sqlite3_column_int64(row, C_END);
	int rc;

	strbuf_reset(&c->text);
	strbuf_reset(&c->strings);
	c->tags.n = c->sources.n = c->cats.n = c->rules.n = c->cues.n = c->cuecat.n = 0;

	sqlite3_int64 doc = sqlite3_column_int64(row, C_DOC_ID);
	sqlite3_bind_int64(r->text, 1, doc);
	sqlite3_bind_int64(r->text, 2, sstart);
	sqlite3_bind_int64(r->text, 3, send);
	rc = sqlite3_step(r->text);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(r->text, 0);
		if (t) strbuf_append(&c->text, (const char *)t, (size_t)sqlite3_column_bytes(r->text, 0));
	}
	sqlite3_reset(r->text);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto fail;
	if (!c->text.data) strbuf_puts(&c->text, "");

	sqlite3_bind_int64(r->tags, 1, doc);
	sqlite3_bind_int64(r->tags, 2, sqlite3_column_int64(row, C_SENT));
	while ((rc = sqlite3_step(r->tags)) == SQLITE_ROW) {
		rtag t;
		t.rule_off = put_str(c, sqlite3_column_text(r->tags, 0));
		t.category_off = put_str(c, sqlite3_column_text(r->tags, 1));
		t.cue_off = put_str(c, sqlite3_column_text(r->tags, 6));
		t.start = sqlite3_column_int64(r->tags, 2);
		t.end = sqlite3_column_int64(r->tags, 3);
		t.cue_start = sqlite3_column_int64(r->tags, 4);
		t.cue_end = sqlite3_column_int64(r->tags, 5);
		VEC_PUSH(&c->tags, t);
		if (t.category_off != NO_STR && strcmp(str_at(c, t.category_off), "source") == 0) {
			rsource s = {t.rule_off, put_str(c, sqlite3_column_text(r->tags, 7)),
				     put_str(c, sqlite3_column_text(r->tags, 8)), t.cue_off,
				     sqlite3_column_int(r->tags, 9)};
			VEC_PUSH(&c->sources, s);
		}
	}
	sqlite3_reset(r->tags);
	if (rc != SQLITE_DONE) goto fail;

	/* The strings are in place: resolve pointers, collect distinct
	 * categories and rules, and merge the cue spans (relative to the
	 * sentence, clipped to it) for highlighting. */
	for (size_t i = 0; i < c->tags.n; i++) {
		rtag *t = &c->tags.v[i];
		t->rule = str_at(c, t->rule_off);
		t->category = str_at(c, t->category_off);
		t->cue = str_at(c, t->cue_off);
		if (t->category_off != NO_STR) add_distinct(c, &c->cats, t->category_off);
		if (t->rule_off != NO_STR) add_distinct(c, &c->rules, t->rule_off);

		long long a = t->cue_start - sstart, b = t->cue_end - sstart;
		if (a < 0) a = 0;
		if (b > (long long)c->text.len) b = (long long)c->text.len;
		if (a >= b) continue;
		/* tags come ordered by start; cue spans nearly so: insert sorted */
		size_t k = c->cues.n;
		VEC_RESERVE(&c->cues, 1);
		VEC_RESERVE(&c->cuecat, 1);
		while (k > 0 && c->cues.v[k - 1].start > a) {
			c->cues.v[k] = c->cues.v[k - 1];
			c->cuecat.v[k] = c->cuecat.v[k - 1];
			k--;
		}
		c->cues.v[k] = (span){(uint32_t)a, (uint32_t)b};
		c->cuecat.v[k] = (uint8_t)cat_index(t->category);
		c->cues.n++;
		c->cuecat.n++;
	}
	size_t w = 0;
	for (size_t i = 0; i < c->cues.n; i++) {
		if (w > 0 && c->cues.v[i].start <= c->cues.v[w - 1].end) {
			if (c->cues.v[i].end > c->cues.v[w - 1].end) c->cues.v[w - 1].end = c->cues.v[i].end;
			continue;
		}
		c->cues.v[w] = c->cues.v[i];
		c->cuecat.v[w] = c->cuecat.v[i];
		w++;
	}
	c->cues.n = c->cuecat.n = w;
	return 0;

fail:
	sql_error(r, "cannot read a claim");
	return -1;
}

/* ---- text -------------------------------------------------------------- */

static const char *const cat_color[] = {
	"\033[1;33m", /* hedge: yellow */
	"\033[1;35m", /* speculation: magenta */
	"\033[1;31m", /* weasel: red */
	"\033[1;36m", /* source: cyan */
	"\033[1m",
};
#define RESET "\033[0m"

/* Append text for a terminal: white space as spaces, no control bytes. */
static void put_plain(strbuf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != 0x7f) j++;
		strbuf_append(b, s + i, j - i);
		if (j == n) break;
		strbuf_putc(b, s[j] == '\n' || s[j] == '\t' || s[j] == '\r' ? ' ' : '?');
		i = j + 1;
	}
}

typedef void (*put_fn)(strbuf *b, const char *s, size_t n);

/* The sentence with its cues between open/close markers (per category
 * when `open` has one entry per category). */
static void put_highlighted(strbuf *b, const claim *c, put_fn put, const char *const *open,
			    int per_cat, const char *close)
{
	size_t at = 0;
	for (size_t i = 0; i < c->cues.n; i++) {
		span sp = c->cues.v[i];
		put(b, c->text.data + at, sp.start - at);
		strbuf_puts(b, open[per_cat ? c->cuecat.v[i] : 0]);
		put(b, c->text.data + sp.start, sp.end - sp.start);
		strbuf_puts(b, close);
		at = sp.end;
	}
	put(b, c->text.data + at, c->text.len - at);
}

static void put_list(strbuf *b, const claim *c, const void *vecp, const char *sep, put_fn put)
{
	const VEC(size_t) *v = vecp;
	for (size_t i = 0; i < v->n; i++) {
		if (i) strbuf_puts(b, sep);
		const char *s = c->strings.data + v->v[i];
		put(b, s, strlen(s));
	}
}

/* "name (role), cue; anonymous" */
static void put_source(strbuf *b, const claim *c, const rsource *s, put_fn put)
{
	const char *name = str_at(c, s->name_off), *role = str_at(c, s->role_off);
	const char *cue = str_at(c, s->cue_off);
	if (name) put(b, name, strlen(name));
	else strbuf_puts(b, "(unnamed)");
	if (role) {
		strbuf_puts(b, " (");
		put(b, role, strlen(role));
		strbuf_putc(b, ')');
	}
	if (cue) {
		strbuf_puts(b, ", ");
		put(b, cue, strlen(cue));
	}
	strbuf_puts(b, s->anonymous ? "; anonymous" : "; named");
}

static void put_sources(strbuf *b, const claim *c, const char *sep, put_fn put)
{
	for (size_t i = 0; i < c->sources.n; i++) {
		if (i) strbuf_puts(b, sep);
		put_source(b, c, &c->sources.v[i], put);
	}
}

static void emit_text(reporter *r)
{
	sqlite3_stmt *row = r->claims;
	const claim *c = &r->c;
	strbuf *b = &r->line;
	int color = r->o->color;
	const char *key = (const char *)sqlite3_column_text(row, C_KEY);

	strbuf_reset(b);
	if (r->rank > 1) strbuf_putc(b, '\n');
	if (color) strbuf_puts(b, "\033[1m");
	strbuf_printf(b, "%ld. ", r->rank);
	put_plain(b, key ? key : "?", key ? strlen(key) : 1);
	strbuf_printf(b, ":%d", sqlite3_column_int(row, C_SENT));
	if (color) strbuf_puts(b, RESET);
	strbuf_printf(b, "  check-worthiness %.2f  uncertainty %.2f\n   ",
		      sqlite3_column_double(row, C_CHECKWORTHY),
		      sqlite3_column_double(row, C_UNCERTAINTY));
	if (color) put_highlighted(b, c, put_plain, cat_color, 1, RESET);
	else put_highlighted(b, c, put_plain, (const char *const[]){"[["}, 0, "]]");
	strbuf_putc(b, '\n');
	if (c->cats.n) {
		strbuf_puts(b, "   categories: ");
		put_list(b, c, &c->cats, ", ", put_plain);
		strbuf_putc(b, '\n');
	}
	if (c->rules.n) {
		strbuf_puts(b, "   rules: ");
		put_list(b, c, &c->rules, ", ", put_plain);
		strbuf_putc(b, '\n');
	}
	for (size_t i = 0; i < c->sources.n; i++) {
		strbuf_puts(b, "   source: ");
		put_source(b, c, &c->sources.v[i], put_plain);
		strbuf_putc(b, '\n');
	}
	fwrite(b->data, 1, b->len, r->out);
}

/* ---- Markdown ---------------------------------------------------------- */

static void md_header(reporter *r)
{
	fputs("| # | check-worthiness | uncertainty | document | sentence | claim | categories "
	      "| rules | sources |\n"
	      "|---:|---:|---:|---|---:|---|---|---|---|\n", r->out);
}

static void emit_md(reporter *r)
{
	sqlite3_stmt *row = r->claims;
	const claim *c = &r->c;
	strbuf *b = &r->line;
	const char *key = (const char *)sqlite3_column_text(row, C_KEY);

	strbuf_reset(b);
	strbuf_printf(b, "| %ld | %.2f | %.2f | ", r->rank,
		      sqlite3_column_double(row, C_CHECKWORTHY),
		      sqlite3_column_double(row, C_UNCERTAINTY));
	if (key) strbuf_md_cell(b, key, strlen(key));
	strbuf_printf(b, " | %d | ", sqlite3_column_int(row, C_SENT));
	put_highlighted(b, c, strbuf_md_cell, (const char *const[]){"**"}, 0, "**");
	strbuf_puts(b, " | ");
	put_list(b, c, &c->cats, ", ", strbuf_md_cell);
	strbuf_puts(b, " | ");
	put_list(b, c, &c->rules, ", ", strbuf_md_cell);
	strbuf_puts(b, " | ");
	put_sources(b, c, "<br>", strbuf_md_cell);
	strbuf_puts(b, " |\n");
	fwrite(b->data, 1, b->len, r->out);
}

/* ---- CSV --------------------------------------------------------------- */

static void put_raw(strbuf *b, const char *s, size_t n)
{
	strbuf_append(b, s, n);
}

static void csv_col(strbuf *b, sqlite3_stmt *row, int col)
{
	const char *s = (const char *)sqlite3_column_text(row, col);
	strbuf_csv_field(b, s, s ? (size_t)sqlite3_column_bytes(row, col) : 0, 0);
}

static void csv_num(strbuf *b, double v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%.4f", v);
	strbuf_csv_field(b, tmp, strlen(tmp), 0);
}

static void csv_header(reporter *r)
{
	fputs("rank,document,path,ext_id,title,sentence,start,end,checkworthy,uncertainty,"
	      "hedge,speculation,weasel,factual,sourced,categories,rules,cues,sources,text\r\n",
	      r->out);
}

static void emit_csv(reporter *r)
{
	sqlite3_stmt *row = r->claims;
	const claim *c = &r->c;
	strbuf *b = &r->line, *tmp = &r->tmp;
	char num[32];

	strbuf_reset(b);
	snprintf(num, sizeof num, "%ld", r->rank);
	strbuf_csv_field(b, num, strlen(num), 1);
	csv_col(b, row, C_KEY);
	csv_col(b, row, C_PATH);
	csv_col(b, row, C_EXT_ID);
	csv_col(b, row, C_TITLE);
	csv_col(b, row, C_SENT);
	csv_col(b, row, C_START);
	csv_col(b, row, C_END);
	for (int col = C_CHECKWORTHY; col <= C_FACTUAL; col++)
		csv_num(b, sqlite3_column_double(row, col));
	csv_col(b, row, C_SOURCED);

	strbuf_reset(tmp);
	put_list(tmp, c, &c->cats, ",", put_raw);
	strbuf_csv_field(b, tmp->data, tmp->len, 0);
	strbuf_reset(tmp);
	put_list(tmp, c, &c->rules, ",", put_raw);
	strbuf_csv_field(b, tmp->data, tmp->len, 0);
	strbuf_reset(tmp);
	for (size_t i = 0; i < c->tags.n; i++) {
		if (!c->tags.v[i].cue) continue;
		if (tmp->len) strbuf_puts(tmp, " | ");
		strbuf_puts(tmp, c->tags.v[i].cue);
	}
	strbuf_csv_field(b, tmp->data, tmp->len, 0);
	strbuf_reset(tmp);
	put_sources(tmp, c, " | ", put_raw);
	strbuf_csv_field(b, tmp->data, tmp->len, 0);
	strbuf_csv_field(b, c->text.data, c->text.len, 0);
	strbuf_puts(b, "\r\n");
	fwrite(b->data, 1, b->len, r->out);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *jstr(const char *s, size_t n)
{
	if (!s) return json_null();
	json_t *j = json_stringn(s, n);
	return j ? j : json_string("\xef\xbf\xbd"); /* invalid UTF-8: U+FFFD */
}

static json_t *jcol(sqlite3_stmt *row, int col)
{
	const char *s = (const char *)sqlite3_column_text(row, col);
	return jstr(s, s ? (size_t)sqlite3_column_bytes(row, col) : 0);
}

static json_t *jopt(const char *s)
{
	return s ? jstr(s, strlen(s)) : json_null();
}

static int emit_json(reporter *r)
{
	sqlite3_stmt *row = r->claims;
	const claim *c = &r->c;
	long long sstart = sqlite3_column_int64(row, C_START);

	json_t *doc = json_object();
	json_object_set_new(doc, "id", json_integer(sqlite3_column_int64(row, C_DOC_ID)));
	json_object_set_new(doc, "key", jcol(row, C_KEY));
	json_object_set_new(doc, "path", jcol(row, C_PATH));
	json_object_set_new(doc, "ext_id", jcol(row, C_EXT_ID));
	json_object_set_new(doc, "title", jcol(row, C_TITLE));

	json_t *scores = json_object();
	static const char *const names[] = {"checkworthy", "uncertainty", "hedge", "speculation",
					    "weasel", "factual"};
	for (int col = C_CHECKWORTHY; col <= C_FACTUAL; col++)
		json_object_set_new(scores, names[col - C_CHECKWORTHY],
				    json_real(sqlite3_column_double(row, col)));
	json_object_set_new(scores, "sourced", json_boolean(sqlite3_column_int(row, C_SOURCED)));

	json_t *cats = json_array(), *rules = json_array(), *tags = json_array(), *srcs = json_array();
	for (size_t i = 0; i < c->cats.n; i++)
		json_array_append_new(cats, jopt(c->strings.data + c->cats.v[i]));
	for (size_t i = 0; i < c->rules.n; i++)
		json_array_append_new(rules, jopt(c->strings.data + c->rules.v[i]));
	for (size_t i = 0; i < c->tags.n; i++) {
		const rtag *t = &c->tags.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", jopt(t->rule));
		json_object_set_new(o, "category", jopt(t->category));
		json_object_set_new(o, "start", json_integer(t->start - sstart));
		json_object_set_new(o, "end", json_integer(t->end - sstart));
		json_object_set_new(o, "doc_start", json_integer(t->start));
		json_object_set_new(o, "doc_end", json_integer(t->end));
		json_object_set_new(o, "cue", jopt(t->cue));
		json_object_set_new(o, "cue_start", json_integer(t->cue_start - sstart));
		json_object_set_new(o, "cue_end", json_integer(t->cue_end - sstart));
		json_array_append_new(tags, o);
	}
	for (size_t i = 0; i < c->sources.n; i++) {
		const rsource *s = &c->sources.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", jopt(str_at(c, s->rule_off)));
		json_object_set_new(o, "name", jopt(str_at(c, s->name_off)));
		json_object_set_new(o, "role", jopt(str_at(c, s->role_off)));
		json_object_set_new(o, "cue", jopt(str_at(c, s->cue_off)));
		json_object_set_new(o, "anonymous", json_boolean(s->anonymous));
		json_array_append_new(srcs, o);
	}

	json_t *o = json_object();
	json_object_set_new(o, "rank", json_integer(r->rank));
	/* the claim id `claimcheck review` takes (verdict.h) */
	const char *hash = (const char *)sqlite3_column_text(row, C_TEXT_HASH);
	strbuf_reset(&r->tmp);
	verdict_claim_id(&r->tmp, hash ? hash : "", sstart, NULL);
	json_object_set_new(o, "id", jstr(r->tmp.data, r->tmp.len));
	json_object_set_new(o, "doc", doc);
	json_object_set_new(o, "sentence", json_integer(sqlite3_column_int64(row, C_SENT)));
	json_object_set_new(o, "start", json_integer(sstart));
	json_object_set_new(o, "end", json_integer(sqlite3_column_int64(row, C_END)));
	json_object_set_new(o, "text", jstr(c->text.data, c->text.len));
	json_object_set_new(o, "scores", scores);
	json_object_set_new(o, "categories", cats);
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "sources", srcs);

	fputs(r->rank > 1 ? ",\n" : "\n", r->out);
	int rc = json_dumpf(o, r->out, JSON_REAL_PRECISION(6));
	json_decref(o);
	return rc;
}

/* ---- the report -------------------------------------------------------- */

static void reporter_free(reporter *r)
{
	sqlite3_finalize(r->claims);
	sqlite3_finalize(r->text);
	sqlite3_finalize(r->tags);
	strbuf_free(&r->c.text);
	strbuf_free(&r->c.strings);
	VEC_FREE(&r->c.tags);
	VEC_FREE(&r->c.sources);
	VEC_FREE(&r->c.cats);
	VEC_FREE(&r->c.rules);
	VEC_FREE(&r->c.cues);
	VEC_FREE(&r->c.cuecat);
	strbuf_free(&r->line);
	strbuf_free(&r->tmp);
}

int report_claims(sqlite3 *db, const report_options *o, FILE *out)
{
	reporter r = {.db = db, .o = o, .out = out};
	int ret = -1, rc;

	if (o->format == REPORT_HTML) return report_html(db, o, out);

	if (sqlite3_prepare_v2(db, sql_claims, -1, &r.claims, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_text, -1, &r.text, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_tags, -1, &r.tags, NULL) != SQLITE_OK) {
		sql_error(&r, "cannot query the database");
		goto done;
	}
	sqlite3_bind_double(r.claims, 1, o->min_score);
	if (o->category) sqlite3_bind_text(r.claims, 2, o->category, -1, SQLITE_STATIC);
	if (o->document) sqlite3_bind_text(r.claims, 3, o->document, -1, SQLITE_STATIC);
	sqlite3_bind_int64(r.claims, 4, o->limit > 0 ? o->limit : -1);

	if (o->format == REPORT_MD) md_header(&r);
	else if (o->format == REPORT_CSV) csv_header(&r);
	else if (o->format == REPORT_JSON) fputc('[', out);

	while ((rc = sqlite3_step(r.claims)) == SQLITE_ROW) {
		r.rank++;
		if (load_claim(&r) < 0) goto done;
		switch (o->format) {
		case REPORT_TEXT: emit_text(&r); break;
		case REPORT_MD: emit_md(&r); break;
		case REPORT_CSV: emit_csv(&r); break;
		case REPORT_JSON:
			if (emit_json(&r) < 0) goto write_error;
			break;
		case REPORT_HTML: break;
		}
		if (ferror(out)) goto write_error;
	}
	if (rc != SQLITE_DONE) {
		sql_error(&r, "cannot read the flagged claims");
		goto done;
	}

	if (o->format == REPORT_JSON) fputs(r.rank ? "\n]\n" : "]\n", out);
	else if (o->format == REPORT_TEXT && r.rank == 0) fputs("No flagged claims.\n", out);
	if (fflush(out) != 0 || ferror(out)) goto write_error;
	ret = 0;
	goto done;

write_error:
	fprintf(stderr, "claimcheck report: cannot write the report: %s\n",
		errno ? strerror(errno) : "write error");
done:
	reporter_free(&r);
	return ret;
}
