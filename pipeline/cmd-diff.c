/*
 * cmd-diff.c — `claimcheck diff A.db B.db`: what changed between two
 * databases, e.g. a copy taken before a rule edit and the database
 * re-run after it.
 *
 * Reads: both databases (read-only): documents matched by key and text
 * hash, their sentences matched by span, the rule ids of each sentence's
 * tags, flags and scores; and the verdicts (B's, else A's, per verdict
 * key). Adds: a summary (sentences newly flagged and unflagged, score
 * changes, tags added and removed per rule, reviewed cases fixed and
 * broken) and the changed sentences, as text (colour on a TTY), Markdown,
 * CSV or JSON, on stdout.
 *
 * A database keeps only the latest analysis of each document, so two runs
 * of one database cannot be compared: copy the database before re-running.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "store.h"

#define DIFF_DEFAULT_MIN_DELTA 0.01
#define DIFF_DIFFERENT 1
#define DIFF_ERROR 3

static const char usage[] =
	"Usage: claimcheck diff [OPTION]... A.db B.db\n"
	"Compare two claimcheck databases: the sentences whose flag, tags (rule ids) or\n"
	"scores changed from A to B, e.g. before and after a rule edit:\n"
	"\n"
	"  cp claims.db before.db; (edit a rule); claimcheck run -o claims.db PATH...\n"
	"  claimcheck diff before.db claims.db\n"
	"\n"
	"Documents are matched by key and text hash (documents whose text changed are\n"
	"counted, not compared), sentences by their span. Where verdicts exist (in B,\n"
	"else in A) a change says whether it fixed a reviewed case (a false positive no\n"
	"longer flagged, a confirmed claim newly flagged) or broke one (a confirmed claim\n"
	"lost its flag, a false positive flagged again).\n"
	"\n"
	"  -f, --format FMT     text (default), md, csv (one row per changed sentence)\n"
	"                       or json\n"
	"      --min-delta X    report score changes larger than X (default 0.01)\n"
	"  -n, --limit N        list at most N changed sentences (the summary counts all)\n"
	"      --color WHEN     auto (default: on a terminal, unless NO_COLOR is set),\n"
	"                       always or never\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"A database keeps only the latest analysis of each document, so two runs of one\n"
	"database cannot be compared; compare a copy taken before the re-run.\n"
	"Exit status (as diff(1)): 0 no differences, 1 differences, 2 bad invocation or\n"
	"a file that is not a claimcheck database, 3 a database or output error.\n";

enum diff_format { DF_TEXT, DF_MD, DF_CSV, DF_JSON };

/* ---- what is loaded per document ----------------------------------------- */

typedef struct dsent {
	int idx;
	uint32_t start, end;
	int flagged;
	double checkworthy, uncertainty;
	size_t tag_first, tag_count; /* slice of the side's tags */
} dsent;

typedef struct dtag {
	size_t rule;     /* offset in the side's strings */
	int source;      /* category source */
	uint32_t start, end;
} dtag;

typedef struct dside {
	sqlite3 *db;
	sqlite3_stmt *docs, *sents, *tags, *text, *verdicts;
	const char *path;
	VEC(dsent) s;
	VEC(dtag) t;
	strbuf str;
} dside;

typedef struct dverdict {
	uint32_t start, end;
	char rule[128];
	char verdict[16];
} dverdict;

/* Per rule in the summary. */
typedef struct drule {
	char *id;
	uint64_t tags_added, tags_removed, flagged, unflagged;
} drule;

typedef struct differ {
	dside a, b;
	enum diff_format fmt;
	double min_delta;
	long limit;
	int color;
	/* summary */
	uint64_t docs_compared, docs_only_a, docs_only_b, docs_text_changed;
	uint64_t sents_compared, sents_only_a, sents_only_b, changed, flagged, unflagged, score_changed;
	uint64_t tags_added, tags_removed, fixed, broke, listed;
	VEC(drule) rules;
	json_t *only_a, *only_b, *text_changed; /* document keys */
	/* the changed sentences, rendered (text, md, csv) or as JSON */
	strbuf out;
	json_t *changes;
	/* scratch */
	VEC(dverdict) verdicts;
	VEC(size_t) added, removed; /* tag indexes (in b, in a) */
	strbuf line, notes;
	json_t *jnotes;
	int nfixed, nbroke;
} differ;

static int sql_fail(differ *d, sqlite3 *db, const char *what)
{
	(void)d;
	fprintf(stderr, "claimcheck diff: %s: %s\n", what, sqlite3_errmsg(db));
	return -1;
}

static int side_prepare(differ *d, dside *s)
{
	static const char *const sql[] = {
		"SELECT id, key, text_hash, error IS NOT NULL FROM documents ORDER BY key",
		"SELECT idx, start, end, flagged, checkworthy, uncertainty FROM sentences"
		" WHERE doc_id = ?1 ORDER BY idx",
		"SELECT sentence, rule, category = 'source', start, end FROM tags WHERE doc_id = ?1"
		" ORDER BY sentence, idx",
		"SELECT CAST(substr(CAST(text AS BLOB), ?2 + 1, ?3 - ?2) AS TEXT) FROM documents"
		" WHERE id = ?1",
		"SELECT start, end, rule, verdict FROM verdicts WHERE doc_hash = ?1"};
	sqlite3_stmt **st[] = {&s->docs, &s->sents, &s->tags, &s->text, &s->verdicts};
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, st[i], NULL) != SQLITE_OK)
			return sql_fail(d, s->db, s->path);
	return 0;
}

static void side_free(dside *s)
{
	sqlite3_finalize(s->docs);
	sqlite3_finalize(s->sents);
	sqlite3_finalize(s->tags);
	sqlite3_finalize(s->text);
	sqlite3_finalize(s->verdicts);
	VEC_FREE(&s->s);
	VEC_FREE(&s->t);
	strbuf_free(&s->str);
}

/* Load the sentences and tags of one document. */
static int side_load(differ *d, dside *s, sqlite3_int64 doc)
{
	s->s.n = s->t.n = 0;
	strbuf_reset(&s->str);
	int rc;
	sqlite3_bind_int64(s->sents, 1, doc);
	while ((rc = sqlite3_step(s->sents)) == SQLITE_ROW) {
		dsent x = {.idx = sqlite3_column_int(s->sents, 0),
			   .start = (uint32_t)sqlite3_column_int64(s->sents, 1),
			   .end = (uint32_t)sqlite3_column_int64(s->sents, 2),
			   .flagged = sqlite3_column_int(s->sents, 3) != 0,
			   .checkworthy = sqlite3_column_double(s->sents, 4),
			   .uncertainty = sqlite3_column_double(s->sents, 5)};
		VEC_PUSH(&s->s, x);
	}
	sqlite3_reset(s->sents);
	if (rc != SQLITE_DONE) return sql_fail(d, s->db, s->path);
	/* tags come ordered by sentence; sentences by idx: one merge */
	size_t k = 0;
	sqlite3_bind_int64(s->tags, 1, doc);
	while ((rc = sqlite3_step(s->tags)) == SQLITE_ROW) {
		int sent = sqlite3_column_int(s->tags, 0);
		while (k < s->s.n && s->s.v[k].idx < sent) k++;
		if (k == s->s.n || s->s.v[k].idx != sent) continue; /* no such sentence */
		dtag t = {.rule = s->str.len,
			  .source = sqlite3_column_int(s->tags, 2),
			  .start = (uint32_t)sqlite3_column_int64(s->tags, 3),
			  .end = (uint32_t)sqlite3_column_int64(s->tags, 4)};
		const char *r = (const char *)sqlite3_column_text(s->tags, 1);
		strbuf_puts(&s->str, r ? r : "");
		strbuf_putc(&s->str, '\0');
		if (s->s.v[k].tag_count == 0) s->s.v[k].tag_first = s->t.n;
		s->s.v[k].tag_count++;
		VEC_PUSH(&s->t, t);
	}
	sqlite3_reset(s->tags);
	if (rc != SQLITE_DONE) return sql_fail(d, s->db, s->path);
	return 0;
}

static const char *tag_rule(const dside *s, const dtag *t)
{
	return s->str.data + t->rule;
}

/* The verdicts given on a document text: B's, then A's whose key B lacks. */
static int load_verdicts(differ *d, const char *hash)
{
	d->verdicts.n = 0;
	dside *sides[2] = {&d->b, &d->a};
	for (int k = 0; k < 2; k++) {
		dside *s = sides[k];
		size_t nb = d->verdicts.n;
		sqlite3_bind_text(s->verdicts, 1, hash, -1, SQLITE_STATIC);
		int rc;
		while ((rc = sqlite3_step(s->verdicts)) == SQLITE_ROW) {
			dverdict v;
			memset(&v, 0, sizeof v);
			v.start = (uint32_t)sqlite3_column_int64(s->verdicts, 0);
			v.end = (uint32_t)sqlite3_column_int64(s->verdicts, 1);
			const char *r = (const char *)sqlite3_column_text(s->verdicts, 2);
			const char *x = (const char *)sqlite3_column_text(s->verdicts, 3);
			snprintf(v.rule, sizeof v.rule, "%s", r ? r : "");
			snprintf(v.verdict, sizeof v.verdict, "%s", x ? x : "");
			int dup = 0;
			for (size_t i = 0; i < nb && !dup; i++)
				dup = d->verdicts.v[i].start == v.start && d->verdicts.v[i].end == v.end &&
				      !strcmp(d->verdicts.v[i].rule, v.rule);
			if (!dup) VEC_PUSH(&d->verdicts, v);
		}
		sqlite3_reset(s->verdicts);
		sqlite3_clear_bindings(s->verdicts);
		if (rc != SQLITE_DONE) return sql_fail(d, s->db, s->path);
	}
	return 0;
}

static drule *rule_entry(differ *d, const char *id)
{
	for (size_t i = 0; i < d->rules.n; i++)
		if (!strcmp(d->rules.v[i].id, id)) return &d->rules.v[i];
	drule r = {xstrdup(id), 0, 0, 0, 0};
	VEC_PUSH(&d->rules, r);
	return &d->rules.v[d->rules.n - 1];
}

/* Does the sentence hold a tag of this rule with this span? */
static int has_tag(const dside *s, const dsent *x, const char *rule, uint32_t start, uint32_t end)
{
	if (!x) return 0;
	for (size_t i = 0; i < x->tag_count; i++) {
		const dtag *t = &s->t.v[x->tag_first + i];
		if (t->start == start && t->end == end && !strcmp(tag_rule(s, t), rule)) return 1;
	}
	return 0;
}

/* 1 source rule, 0 another, -1 unknown (no such tag in either sentence). */
static int rule_is_source(const differ *d, const dsent *xa, const dsent *xb, const char *rule)
{
	const dside *sides[2] = {&d->a, &d->b};
	const dsent *xs[2] = {xa, xb};
	for (int k = 0; k < 2; k++) {
		if (!xs[k]) continue;
		for (size_t i = 0; i < xs[k]->tag_count; i++) {
			const dtag *t = &sides[k]->t.v[xs[k]->tag_first + i];
			if (!strcmp(tag_rule(sides[k], t), rule)) return t->source;
		}
	}
	return -1;
}

static void note(differ *d, int fixed, const char *what, const char *rule)
{
	if (fixed) d->nfixed++;
	else d->nbroke++;
	if (d->notes.len) strbuf_puts(&d->notes, "; ");
	strbuf_printf(&d->notes, "%s: %s", fixed ? "fixed" : "broke", what);
	if (rule) strbuf_printf(&d->notes, " (%s)", rule);
	json_array_append_new(d->jnotes, json_pack("{s:s,s:s,s:o}", "outcome", fixed ? "fixed" : "broke",
						    "what", what, "rule",
						    rule ? json_string(rule) : json_null()));
}

/* What the reviewed cases say about this change of one sentence (xa or xb
 * may be NULL when the span is only on one side). */
static void judge(differ *d, const dsent *xa, const dsent *xb)
{
	const dsent *x = xb ? xb : xa;
	int fa = xa && xa->flagged, fb = xb && xb->flagged;
	const char *sentence = NULL; /* the whole-sentence verdict */
	int confirmed_tag = 0, fp_tag = 0, other_tag = 0;
	d->nfixed = d->nbroke = 0;
	for (size_t i = 0; i < d->verdicts.n; i++) {
		const dverdict *v = &d->verdicts.v[i];
		if (v->start < x->start || v->end > x->end) continue;
		if (!v->rule[0]) {
			if (v->start == x->start && v->end == x->end) sentence = v->verdict;
			continue;
		}
		int ina = has_tag(&d->a, xa, v->rule, v->start, v->end);
		int inb = has_tag(&d->b, xb, v->rule, v->start, v->end);
		int fp = !strcmp(v->verdict, "false_positive"), ok = !strcmp(v->verdict, "confirmed");
		if (rule_is_source(d, xa, xb, v->rule) == 0) {
			confirmed_tag |= ok;
			fp_tag |= fp;
			other_tag |= !ok && !fp;
		}
		if (ina == inb) continue;
		if (fp) note(d, ina, ina ? "false-positive tag removed" : "false-positive tag is back",
			     v->rule);
		else if (ok) note(d, inb, inb ? "confirmed tag restored" : "confirmed tag lost", v->rule);
	}
	/* the sentence's standing: its own verdict, else its tags' verdicts */
	const char *j = sentence;
	if (!j && confirmed_tag) j = "confirmed";
	else if (!j && fp_tag && !other_tag) j = "false_positive";
	if (!j || fa == fb) return;
	if (!strcmp(j, "false_positive"))
		note(d, !fb, fb ? "false positive flagged again" : "false positive no longer flagged", NULL);
	else if (!strcmp(j, "confirmed"))
		note(d, fb, fb ? "confirmed claim newly flagged" : "confirmed claim lost its flag", NULL);
}

/* ---- rendering one change -------------------------------------------------- */

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

static void put_oneline(strbuf *b, const char *s)
{
	int sp = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			sp = 1;
			continue;
		}
		if (sp) strbuf_putc(b, ' ');
		sp = 0;
		strbuf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

static void put_md(strbuf *b, const char *s)
{
	strbuf_md_cell(b, s, strlen(s));
}

static void put_csv(strbuf *b, const char *s, int first)
{
	strbuf_csv_field(b, s, s ? strlen(s) : 0, first);
}

/* The rule ids of tag indexes, comma separated, once each. */
static void rule_list(strbuf *b, const dside *s, const size_t *idx, size_t n, const char *sep)
{
	size_t start = b->len;
	for (size_t i = 0; i < n; i++) {
		const char *r = tag_rule(s, &s->t.v[idx[i]]);
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++) seen = !strcmp(r, tag_rule(s, &s->t.v[idx[k]]));
		if (seen) continue;
		if (b->len > start) strbuf_puts(b, sep);
		strbuf_puts(b, r);
	}
}

static json_t *rule_json(const dside *s, const size_t *idx, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *r = tag_rule(s, &s->t.v[idx[i]]);
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++) seen = !strcmp(r, tag_rule(s, &s->t.v[idx[k]]));
		if (!seen) json_array_append_new(a, json_string(r));
	}
	return a;
}

static const char *change_kind(const dsent *xa, const dsent *xb)
{
	int fa = xa && xa->flagged, fb = xb && xb->flagged;
	if (fa && !fb) return "unflagged";
	if (!fa && fb) return "flagged";
	if (!xa) return "new span";
	if (!xb) return "span gone";
	return "changed";
}

static void put_score(strbuf *b, const char *name, double a, double bb, int has_a, int has_b)
{
	if (*name) strbuf_printf(b, "%s ", name);
	if (has_a) strbuf_printf(b, "%.2f", a);
	else strbuf_puts(b, "-");
	strbuf_puts(b, "->");
	if (has_b) strbuf_printf(b, "%.2f", bb);
	else strbuf_puts(b, "-");
}

static void render(differ *d, const char *key, const dsent *xa, const dsent *xb, const char *text)
{
	const dsent *x = xb ? xb : xa;
	const char *kind = change_kind(xa, xb);
	strbuf *b = &d->out, *l = &d->line;
	int col = d->color;
	switch (d->fmt) {
	case DF_TEXT:
		strbuf_reset(l);
		if (col) strbuf_puts(l, C_BOLD);
		strbuf_printf(l, "%s, sentence %d", key, x->idx);
		if (col) strbuf_puts(l, C_OFF);
		strbuf_puts(l, ": ");
		if (col && !strcmp(kind, "unflagged")) strbuf_puts(l, C_RED);
		if (col && !strcmp(kind, "flagged")) strbuf_puts(l, C_GREEN);
		strbuf_puts(l, kind);
		if (col && (!strcmp(kind, "unflagged") || !strcmp(kind, "flagged"))) strbuf_puts(l, C_OFF);
		if (d->removed.n) {
			strbuf_puts(l, col ? "  " C_RED "-" : "  -");
			rule_list(l, &d->a, d->removed.v, d->removed.n, " -");
			if (col) strbuf_puts(l, C_OFF);
		}
		if (d->added.n) {
			strbuf_puts(l, col ? "  " C_GREEN "+" : "  +");
			rule_list(l, &d->b, d->added.v, d->added.n, " +");
			if (col) strbuf_puts(l, C_OFF);
		}
		strbuf_puts(l, "\n    ");
		put_score(l, "score", xa ? xa->checkworthy : 0, xb ? xb->checkworthy : 0, !!xa, !!xb);
		strbuf_puts(l, ", ");
		put_score(l, "uncertainty", xa ? xa->uncertainty : 0, xb ? xb->uncertainty : 0, !!xa, !!xb);
		if (d->notes.len) strbuf_printf(l, "\n    %s", d->notes.data);
		strbuf_puts(l, "\n    ");
		put_oneline(l, text);
		strbuf_puts(l, "\n");
		strbuf_append(b, l->data, l->len);
		break;
	case DF_MD:
		strbuf_puts(b, "| ");
		put_md(b, key);
		strbuf_printf(b, " | %d | %s | ", x->idx, kind);
		rule_list(b, &d->a, d->removed.v, d->removed.n, ", ");
		strbuf_puts(b, " | ");
		rule_list(b, &d->b, d->added.v, d->added.n, ", ");
		strbuf_puts(b, " | ");
		put_score(b, "", xa ? xa->checkworthy : 0, xb ? xb->checkworthy : 0, !!xa, !!xb);
		strbuf_puts(b, " | ");
		put_score(b, "", xa ? xa->uncertainty : 0, xb ? xb->uncertainty : 0, !!xa, !!xb);
		strbuf_puts(b, " | ");
		put_md(b, d->notes.len ? d->notes.data : "");
		strbuf_puts(b, " | ");
		put_md(b, text);
		strbuf_puts(b, " |\n");
		break;
	case DF_CSV: {
		strbuf_reset(l);
		put_csv(b, key, 1);
		strbuf_printf(b, ",%d,%d,%u,%u,%s", xa ? xa->idx : 0, xb ? xb->idx : 0, x->start, x->end,
			      kind);
		if (xa) strbuf_printf(b, ",%d,%.4f,%.4f", xa->flagged, xa->checkworthy, xa->uncertainty);
		else strbuf_puts(b, ",,,");
		if (xb) strbuf_printf(b, ",%d,%.4f,%.4f", xb->flagged, xb->checkworthy, xb->uncertainty);
		else strbuf_puts(b, ",,,");
		rule_list(l, &d->b, d->added.v, d->added.n, " ");
		put_csv(b, l->data ? l->data : "", 0);
		strbuf_reset(l);
		rule_list(l, &d->a, d->removed.v, d->removed.n, " ");
		put_csv(b, l->data ? l->data : "", 0);
		strbuf_printf(b, ",%d,%d", d->nfixed, d->nbroke);
		put_csv(b, d->notes.len ? d->notes.data : "", 0);
		put_csv(b, text, 0);
		strbuf_puts(b, "\r\n");
		break;
	}
	case DF_JSON: {
		json_t *o = json_pack("{s:s,s:o,s:o,s:i,s:i,s:s}", "document", key, "sentence_a",
				      xa ? json_integer(xa->idx) : json_null(), "sentence_b",
				      xb ? json_integer(xb->idx) : json_null(), "start", (int)x->start, "end",
				      (int)x->end, "change", kind);
		json_object_set_new(o, "flagged", json_pack("[o,o]", xa ? json_boolean(xa->flagged) : json_null(),
							     xb ? json_boolean(xb->flagged) : json_null()));
		json_object_set_new(o, "checkworthy",
				    json_pack("[o,o]", xa ? json_real(xa->checkworthy) : json_null(),
					      xb ? json_real(xb->checkworthy) : json_null()));
		json_object_set_new(o, "uncertainty",
				    json_pack("[o,o]", xa ? json_real(xa->uncertainty) : json_null(),
					      xb ? json_real(xb->uncertainty) : json_null()));
		json_object_set_new(o, "rules_added", rule_json(&d->b, d->added.v, d->added.n));
		json_object_set_new(o, "rules_removed", rule_json(&d->a, d->removed.v, d->removed.n));
		json_object_set_new(o, "reviewed", json_copy(d->jnotes));
		json_object_set_new(o, "text", json_string(text));
		json_array_append_new(d->changes, o);
		break;
	}
	}
}

/* ---- comparing ------------------------------------------------------------ */

static int cmp_rule_idx(const dside *s, size_t i, const char *rule)
{
	return strcmp(tag_rule(s, &s->t.v[i]), rule);
}

/* Tags of xb's rules beyond their count in xa are added; the reverse
 * removed (rule ids as a multiset; a sentence missing on one side has no
 * tags there). */
static void tag_delta(differ *d, const dsent *xa, const dsent *xb)
{
	d->added.n = d->removed.n = 0;
	for (int side = 0; side < 2; side++) {
		const dsent *x = side ? xb : xa, *y = side ? xa : xb;
		const dside *sx = side ? &d->b : &d->a, *sy = side ? &d->a : &d->b;
		if (!x) continue;
		for (size_t i = 0; i < x->tag_count; i++) {
			size_t ti = x->tag_first + i;
			const char *r = tag_rule(sx, &sx->t.v[ti]);
			size_t nx = 0, ny = 0, before = 0;
			for (size_t k = 0; k < x->tag_count; k++)
				if (!cmp_rule_idx(sx, x->tag_first + k, r)) {
					nx++;
					if (k < i) before++;
				}
			for (size_t k = 0; y && k < y->tag_count; k++)
				if (!cmp_rule_idx(sy, y->tag_first + k, r)) ny++;
			(void)nx;
			if (before >= ny) VEC_PUSH(side ? &d->added : &d->removed, ti);
		}
	}
}

static int fetch_text(dside *s, sqlite3_int64 doc, const dsent *x, strbuf *out)
{
	strbuf_reset(out);
	sqlite3_bind_int64(s->text, 1, doc);
	sqlite3_bind_int64(s->text, 2, x->start);
	sqlite3_bind_int64(s->text, 3, x->end);
	int rc = sqlite3_step(s->text);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s->text, 0);
		if (t) strbuf_append(out, t, (size_t)sqlite3_column_bytes(s->text, 0));
	}
	sqlite3_reset(s->text);
	if (!out->data) strbuf_puts(out, "");
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int sentence(differ *d, const char *key, sqlite3_int64 ida, sqlite3_int64 idb, const dsent *xa,
		    const dsent *xb, strbuf *text)
{
	if (xa && xb) d->sents_compared++;
	else if (xa) d->sents_only_a++;
	else d->sents_only_b++;
	int fa = xa && xa->flagged, fb = xb && xb->flagged;
	tag_delta(d, xa, xb);
	int score = xa && xb &&
		    (fabs(xa->checkworthy - xb->checkworthy) > d->min_delta ||
		     fabs(xa->uncertainty - xb->uncertainty) > d->min_delta);
	if (xa && xb && fa == fb && !d->added.n && !d->removed.n && !score) return 0;
	d->changed++;
	if (fa && !fb) d->unflagged++;
	if (!fa && fb) d->flagged++;
	if (fa == fb && score) d->score_changed++;
	d->tags_added += d->added.n;
	d->tags_removed += d->removed.n;
	for (size_t i = 0; i < d->added.n; i++) {
		drule *r = rule_entry(d, tag_rule(&d->b, &d->b.t.v[d->added.v[i]]));
		r->tags_added++;
	}
	for (size_t i = 0; i < d->removed.n; i++) {
		drule *r = rule_entry(d, tag_rule(&d->a, &d->a.t.v[d->removed.v[i]]));
		r->tags_removed++;
	}
	/* flags by rule: a sentence newly flagged counts for the rules it
	 * gained, one unflagged for the rules it lost (each rule once) */
	if (fa != fb) {
		const dside *s = fb ? &d->b : &d->a;
		const size_t *v = fb ? d->added.v : d->removed.v;
		size_t n = fb ? d->added.n : d->removed.n;
		for (size_t i = 0; i < n; i++) {
			const char *r = tag_rule(s, &s->t.v[v[i]]);
			int seen = 0;
			for (size_t k = 0; k < i && !seen; k++) seen = !strcmp(r, tag_rule(s, &s->t.v[v[k]]));
			if (seen) continue;
			drule *e = rule_entry(d, r);
			if (fb) e->flagged++;
			else e->unflagged++;
		}
	}
	strbuf_reset(&d->notes);
	json_array_clear(d->jnotes);
	judge(d, xa, xb);
	if (d->nfixed) d->fixed++;
	if (d->nbroke) d->broke++;
	if (d->limit >= 0 && (long)d->listed >= d->limit) return 0;
	d->listed++;
	int rc = xb ? fetch_text(&d->b, idb, xb, text) : fetch_text(&d->a, ida, xa, text);
	if (rc < 0) return sql_fail(d, xb ? d->b.db : d->a.db, xb ? d->b.path : d->a.path);
	render(d, key, xa, xb, text->data);
	return 0;
}

static int compare_doc(differ *d, const char *key, const char *hash, sqlite3_int64 ida,
		       sqlite3_int64 idb, strbuf *text)
{
	if (side_load(d, &d->a, ida) < 0 || side_load(d, &d->b, idb) < 0 || load_verdicts(d, hash) < 0)
		return -1;
	d->docs_compared++;
	size_t i = 0, j = 0;
	while (i < d->a.s.n || j < d->b.s.n) {
		const dsent *xa = i < d->a.s.n ? &d->a.s.v[i] : NULL;
		const dsent *xb = j < d->b.s.n ? &d->b.s.v[j] : NULL;
		int c;
		if (!xa) c = 1;
		else if (!xb) c = -1;
		else if (xa->start != xb->start) c = xa->start < xb->start ? -1 : 1;
		else c = xa->end == xb->end ? 0 : xa->end < xb->end ? -1 : 1;
		int rc = sentence(d, key, ida, idb, c <= 0 ? xa : NULL, c >= 0 ? xb : NULL, text);
		if (rc < 0) return -1;
		if (c <= 0) i++;
		if (c >= 0) j++;
	}
	return 0;
}

typedef struct drow {
	sqlite3_int64 id;
	const char *key, *hash;
	int error;
} drow;

static int next_doc(differ *d, dside *s, drow *r)
{
	int rc = sqlite3_step(s->docs);
	if (rc == SQLITE_DONE) return 0;
	if (rc != SQLITE_ROW) return sql_fail(d, s->db, s->path);
	r->id = sqlite3_column_int64(s->docs, 0);
	r->key = (const char *)sqlite3_column_text(s->docs, 1);
	r->hash = (const char *)sqlite3_column_text(s->docs, 2);
	r->error = sqlite3_column_int(s->docs, 3);
	if (!r->key) r->key = "";
	return 1;
}

static int compare(differ *d)
{
	drow ra, rb;
	strbuf text = {0}, keycopy = {0};
	int ha = next_doc(d, &d->a, &ra), hb = next_doc(d, &d->b, &rb), rc = 0;
	while (ha > 0 || hb > 0) {
		int c = ha <= 0 ? 1 : hb <= 0 ? -1 : strcmp(ra.key, rb.key);
		if (c < 0) {
			d->docs_only_a++;
			json_array_append_new(d->only_a, json_string(ra.key));
		} else if (c > 0) {
			d->docs_only_b++;
			json_array_append_new(d->only_b, json_string(rb.key));
		} else if (ra.error || rb.error || !ra.hash || !rb.hash || strcmp(ra.hash, rb.hash)) {
			d->docs_text_changed++;
			json_array_append_new(d->text_changed, json_string(ra.key));
		} else {
			/* the row's strings live until the next step of docs */
			strbuf_reset(&keycopy);
			strbuf_puts(&keycopy, ra.key);
			strbuf_putc(&keycopy, '\0');
			strbuf_puts(&keycopy, ra.hash);
			const char *hash = keycopy.data + strlen(keycopy.data) + 1;
			if (compare_doc(d, keycopy.data, hash, ra.id, rb.id, &text) < 0) {
				rc = -1;
				break;
			}
		}
		if (c <= 0) ha = next_doc(d, &d->a, &ra);
		if (c >= 0) hb = next_doc(d, &d->b, &rb);
		if (ha < 0 || hb < 0) {
			rc = -1;
			break;
		}
	}
	strbuf_free(&text);
	strbuf_free(&keycopy);
	return rc;
}

/* ---- output ---------------------------------------------------------------- */

static int cmp_drule(const void *pa, const void *pb)
{
	const drule *a = pa, *b = pb;
	uint64_t x = a->tags_added + a->tags_removed, y = b->tags_added + b->tags_removed;
	if (x != y) return x > y ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int differs(const differ *d)
{
	return d->changed || d->docs_only_a || d->docs_only_b || d->docs_text_changed;
}

static void key_list(FILE *out, const char *what, json_t *keys, int md)
{
	size_t i, n = json_array_size(keys);
	json_t *k;
	if (!n) return;
	fprintf(out, "%s%s (%zu):", md ? "- " : "", what, n);
	json_array_foreach (keys, i, k) {
		if (i == 10) {
			fprintf(out, " ... (%zu more)", n - 10);
			break;
		}
		fprintf(out, "%s %s", i ? "," : "", json_string_value(k));
	}
	fputc('\n', out);
}

static void print_summary(differ *d, FILE *out)
{
	int md = d->fmt == DF_MD;
	const char *p = md ? "- " : "";
	if (md) fprintf(out, "## claimcheck diff %s %s\n\n", d->a.path, d->b.path);
	else fprintf(out, "claimcheck diff %s %s\n", d->a.path, d->b.path);
	fprintf(out, "%sdocuments: %llu compared, %llu only in A, %llu only in B, %llu with other text"
		     " (not compared)\n",
		p, (unsigned long long)d->docs_compared, (unsigned long long)d->docs_only_a,
		(unsigned long long)d->docs_only_b, (unsigned long long)d->docs_text_changed);
	fprintf(out, "%ssentences: %llu compared", p, (unsigned long long)d->sents_compared);
	if (d->sents_only_a || d->sents_only_b)
		fprintf(out, ", %llu spans only in A, %llu only in B (segmentation changed)",
			(unsigned long long)d->sents_only_a, (unsigned long long)d->sents_only_b);
	fprintf(out, "; %llu changed: +%llu flagged, -%llu unflagged, %llu other score change%s > %g\n",
		(unsigned long long)d->changed, (unsigned long long)d->flagged,
		(unsigned long long)d->unflagged, (unsigned long long)d->score_changed,
		d->score_changed == 1 ? "" : "s", d->min_delta);
	fprintf(out, "%stags: +%llu added, -%llu removed\n", p, (unsigned long long)d->tags_added,
		(unsigned long long)d->tags_removed);
	fprintf(out, "%sreviewed cases: %llu fixed, %llu broken\n", p, (unsigned long long)d->fixed,
		(unsigned long long)d->broke);
	key_list(out, "only in A", d->only_a, md);
	key_list(out, "only in B", d->only_b, md);
	key_list(out, "other text", d->text_changed, md);
	if (d->rules.n) {
		if (md)
			fputs("\n| rule | tags added | tags removed | flagged | unflagged |\n"
			      "|---|---:|---:|---:|---:|\n", out);
		else
			fprintf(out, "\n  %-32s %6s %6s %8s %9s\n", "by rule", "+tags", "-tags", "+flagged",
				"-flagged");
		for (size_t i = 0; i < d->rules.n; i++) {
			const drule *r = &d->rules.v[i];
			if (md) {
				strbuf b = {0};
				put_md(&b, r->id);
				fprintf(out, "| %s | %llu | %llu | %llu | %llu |\n", b.data,
					(unsigned long long)r->tags_added, (unsigned long long)r->tags_removed,
					(unsigned long long)r->flagged, (unsigned long long)r->unflagged);
				strbuf_free(&b);
			} else {
				fprintf(out, "  %-32s %6llu %6llu %8llu %9llu\n", r->id,
					(unsigned long long)r->tags_added, (unsigned long long)r->tags_removed,
					(unsigned long long)r->flagged, (unsigned long long)r->unflagged);
			}
		}
	}
	if (!d->listed) return;
	if (md)
		fputs("\n| document | sentence | change | rules removed | rules added | score | uncertainty"
		      " | reviewed | text |\n|---|---:|---|---|---|---|---|---|---|\n",
		      out);
	else
		fputs("\n", out);
}

static json_t *summary_json(differ *d)
{
	json_t *rules = json_array();
	for (size_t i = 0; i < d->rules.n; i++) {
		const drule *r = &d->rules.v[i];
		json_array_append_new(rules, json_pack("{s:s,s:I,s:I,s:I,s:I}", "rule", r->id, "tags_added",
						       (json_int_t)r->tags_added, "tags_removed",
						       (json_int_t)r->tags_removed, "flagged",
						       (json_int_t)r->flagged, "unflagged",
						       (json_int_t)r->unflagged));
	}
	return json_pack("{s:{s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I},"
			 "s:{s:I,s:I},s:o}",
			 "documents", "compared", (json_int_t)d->docs_compared, "only_a",
			 (json_int_t)d->docs_only_a, "only_b", (json_int_t)d->docs_only_b, "text_changed",
			 (json_int_t)d->docs_text_changed, "sentences", "compared",
			 (json_int_t)d->sents_compared, "only_a", (json_int_t)d->sents_only_a, "only_b",
			 (json_int_t)d->sents_only_b, "changed", (json_int_t)d->changed, "flagged",
			 (json_int_t)d->flagged, "unflagged", (json_int_t)d->unflagged, "score_changed",
			 (json_int_t)d->score_changed, "tags", "added", (json_int_t)d->tags_added,
			 "removed", (json_int_t)d->tags_removed, "reviewed", "fixed",
			 (json_int_t)d->fixed, "broke", (json_int_t)d->broke, "rules", rules);
}

static void output(differ *d, FILE *out)
{
	if (d->rules.n > 1) qsort(d->rules.v, d->rules.n, sizeof *d->rules.v, cmp_drule);
	switch (d->fmt) {
	case DF_TEXT:
	case DF_MD:
		print_summary(d, out);
		if (d->out.len) fwrite(d->out.data, 1, d->out.len, out);
		if (d->listed < d->changed)
			fprintf(out, "%s(%llu more changed sentences not listed: --limit)\n",
				d->fmt == DF_MD ? "\n" : "",
				(unsigned long long)(d->changed - d->listed));
		break;
	case DF_CSV:
		fputs("document,sentence_a,sentence_b,start,end,change,flagged_a,checkworthy_a,"
		      "uncertainty_a,flagged_b,checkworthy_b,uncertainty_b,rules_added,rules_removed,"
		      "fixed,broke,reviewed,text\r\n",
		      out);
		if (d->out.len) fwrite(d->out.data, 1, d->out.len, out);
		break;
	case DF_JSON: {
		json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:f,s:b,s:o,s:O,s:O,s:O,s:O}", "version", 1, "tool",
				      PACKAGE_STRING, "a", d->a.path, "b", d->b.path, "min_delta",
				      d->min_delta, "different", differs(d), "summary", summary_json(d),
				      "documents_only_a", d->only_a, "documents_only_b", d->only_b,
				      "documents_text_changed", d->text_changed, "changes", d->changes);
		json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
		fputc('\n', out);
		json_decref(o);
		break;
	}
	}
}

/* ---- the command ------------------------------------------------------------- */

static int is_number(const char *s)
{
	if (!*s) return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9') return 0;
	return 1;
}

static store *open_side(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (is_number(path))
			fprintf(stderr, "claimcheck diff: '%s' is not a database; run ids cannot be compared "
					"(a database keeps only the latest analysis of each document): copy the "
					"database before re-running and diff the two files\n", path);
		else
			fprintf(stderr, "claimcheck diff: no database '%s'\n", path);
		return NULL;
	}
	cc_error err;
	store *s = store_open(path, STORE_READ, &err);
	if (!s) fprintf(stderr, "claimcheck diff: %s\n", err.msg);
	return s;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_COLOR = 256, OPT_MIN_DELTA };
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"min-delta", required_argument, NULL, OPT_MIN_DELTA},
		{"limit", required_argument, NULL, 'n'},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	differ d;
	memset(&d, 0, sizeof d);
	d.min_delta = DIFF_DEFAULT_MIN_DELTA;
	d.limit = -1;
	int color = -1, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:n:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text")) d.fmt = DF_TEXT;
			else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown")) d.fmt = DF_MD;
			else if (!strcmp(optarg, "csv")) d.fmt = DF_CSV;
			else if (!strcmp(optarg, "json")) d.fmt = DF_JSON;
			else return cli_usage_error("diff", "unknown format '%s' (text, md, csv, json)", optarg);
			break;
		case OPT_MIN_DELTA: {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(v) || v < 0 || v > 1)
				return cli_usage_error("diff", "--min-delta wants a number from 0 to 1, not '%s'",
						       optarg);
			d.min_delta = v;
			break;
		}
		case 'n':
			d.limit = cli_parse_long(optarg);
			if (d.limit < 0) return cli_usage_error("diff", "--limit wants a number, not '%s'", optarg);
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto")) color = -1;
			else if (!strcmp(optarg, "always")) color = 1;
			else if (!strcmp(optarg, "never")) color = 0;
			else return cli_usage_error("diff", "--color wants auto, always or never, not '%s'", optarg);
			break;
		case 'd':
			return cli_usage_error("diff", "two runs of one database cannot be compared (a "
					       "database keeps only the latest analysis of each document); "
					       "copy the database before re-running and give both files");
		case 'h':
			fputs(usage, stdout);
			return cli_close_stdout();
		case ':': return cli_usage_error("diff", "option '%s' needs a value", argv[optind - 1]);
		default: return cli_usage_error("diff", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2) return cli_usage_error("diff", "give two databases, A and B");
	d.a.path = argv[optind];
	d.b.path = argv[optind + 1];
	d.color = d.fmt == DF_TEXT && (color < 0 ? cli_use_color(stdout) : color);

	int status = EXIT_USAGE;
	store *sa = open_side(d.a.path), *sb = sa ? open_side(d.b.path) : NULL;
	if (!sa || !sb) goto out;
	d.a.db = store_db(sa);
	d.b.db = store_db(sb);
	status = DIFF_ERROR;
	if (side_prepare(&d, &d.a) < 0 || side_prepare(&d, &d.b) < 0) goto out;
	d.only_a = json_array();
	d.only_b = json_array();
	d.text_changed = json_array();
	d.changes = json_array();
	d.jnotes = json_array();
	/* both sides read in one transaction each: a consistent picture even
	 * while a run writes */
	sqlite3_exec(d.a.db, "BEGIN", NULL, NULL, NULL);
	sqlite3_exec(d.b.db, "BEGIN", NULL, NULL, NULL);
	if (compare(&d) < 0) goto out;
	output(&d, stdout);
	status = cli_close_stdout();
	if (status == EXIT_OK && differs(&d)) status = DIFF_DIFFERENT;
out:
	side_free(&d.a);
	side_free(&d.b);
	if (d.a.db) sqlite3_exec(d.a.db, "COMMIT", NULL, NULL, NULL);
	if (d.b.db) sqlite3_exec(d.b.db, "COMMIT", NULL, NULL, NULL);
	store_close(sa);
	store_close(sb);
	for (size_t i = 0; i < d.rules.n; i++) free(d.rules.v[i].id);
	VEC_FREE(&d.rules);
	VEC_FREE(&d.verdicts);
	VEC_FREE(&d.added);
	VEC_FREE(&d.removed);
	strbuf_free(&d.out);
	strbuf_free(&d.line);
	strbuf_free(&d.notes);
	json_decref(d.only_a);
	json_decref(d.only_b);
	json_decref(d.text_changed);
	json_decref(d.changes);
	json_decref(d.jnotes);
	return status;
}
