/*
 * html.c — the self-contained HTML report.
 *
 * Reads: a claimcheck database (the flagged claims picked and ranked as in
 * report.c, the doc_summary and rule_stats views of reports/views.sql, and
 * per document its text, sentences and tags) and the page template
 * reports/report-template.html, embedded in the binary. Adds: one HTML
 * file with no external assets: the template with the data injected as
 * JSON islands (<script type="application/json">) where the template says
 * <!--@CLAIMCHECK-DATA@-->. The page's script renders everything with DOM
 * APIs, so article text is never parsed as markup.
 *
 * Islands: "cc-data" holds the run, the documents, the rules and the
 * claims (rows as arrays; the *_columns fields name the columns); each
 * document with a claim in the report has its own "cc-doc-ID" island
 * ({"text", "cues"}), parsed only when the page shows that document.
 * Inside the JSON '<', '>' and '&' are written as \u003c, \u003e, \u0026,
 * so no text can close the script element. Offsets in the islands are
 * UTF-16 code units (JavaScript string indices), converted here from the
 * database's UTF-8 byte offsets; cues are flat [start, end, category,
 * rule] quadruples, category an index into "categories", rule an index
 * into "rules".
 */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

extern const char html_report_template[];

#define DATA_MARK "<!--@CLAIMCHECK-DATA@-->"

/* Documents without a claim in the report (and without an error) are
 * listed in the page up to this many; the rest are only counted. */
#define MAX_QUIET_DOCS 10000

/* Category indices in the page ("categories" in cc-data). */
enum { CAT_HEDGE, CAT_SPECULATION, CAT_WEASEL, CAT_SOURCE, CAT_NAME, CAT_OTHER };

static const char sql_pick[] =
	"SELECT s.doc_id, s.idx FROM sentences s JOIN documents d ON d.id = s.doc_id"
	" WHERE s.flagged = 1 AND s.checkworthy >= ?1"
	" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t"
	"      WHERE t.doc_id = s.doc_id AND t.sentence = s.idx AND t.category = ?2))"
	" AND (?3 IS NULL OR instr(d.key, ?3) > 0 OR instr(d.path, ?3) > 0"
	"      OR instr(d.ext_id, ?3) > 0)"
	" ORDER BY s.checkworthy DESC, s.uncertainty DESC, d.key, s.idx"
	" LIMIT ?4";

static const char sql_docs[] =
	"SELECT ds.doc_id, ds.doc_key, ds.title, ds.path, ds.ext_id, d.url, ds.format,"
	" ds.sentences, ds.flagged, ds.hedged, ds.speculative, ds.weasel, ds.sourced, ds.tags,"
	" ds.hedge_density, ds.speculation_density, ds.weasel_density, ds.sourced_share,"
	" ds.sourced_claims_share, ds.checkworthy_max, ds.checkworthy_mean, ds.error, ds.warning"
	" FROM doc_summary ds JOIN documents d ON d.id = ds.doc_id"
	" WHERE (?1 IS NULL OR instr(ds.doc_key, ?1) > 0 OR instr(ds.path, ?1) > 0"
	"        OR instr(ds.ext_id, ?1) > 0)"
	" ORDER BY ds.doc_id";
enum { D_ID, D_ERROR = 21, D_NCOLS = 23 };

/* The names of the columns of sql_docs, then the two the page adds. */
static const char doc_columns[] =
	"[\"id\",\"key\",\"title\",\"path\",\"ext_id\",\"url\",\"format\","
	"\"sentences\",\"flagged\",\"hedged\",\"speculative\",\"weasel\",\"sourced\",\"tags\","
	"\"hedge_density\",\"speculation_density\",\"weasel_density\",\"sourced_share\","
	"\"sourced_claims_share\",\"checkworthy_max\",\"checkworthy_mean\",\"error\",\"warning\","
	"\"claims\",\"has_text\"]";

static const char sql_text[] = "SELECT text FROM documents WHERE id = ?1";

static const char sql_sents[] =
	"SELECT idx, start, end, kind, checkworthy, uncertainty, hedge, speculation, weasel,"
	" factual, sourced FROM sentences WHERE doc_id = ?1 ORDER BY idx";
enum { S_IDX, S_START, S_END, S_KIND, S_CHECKWORTHY, S_FACTUAL = 9, S_SOURCED };

static const char sql_tags[] =
	"SELECT sentence, rule, category, cue_start, cue_end, cue, source, role, anonymous,"
	" source_start, source_end FROM tags WHERE doc_id = ?1 ORDER BY sentence, idx";
enum { T_SENT, T_RULE, T_CAT, T_CUE_START, T_CUE_END, T_CUE, T_SOURCE, T_ROLE, T_ANON,
       T_SRC_START, T_SRC_END };

static const char claim_columns[] =
	"[\"doc\",\"sentence\",\"rank\",\"checkworthy\",\"uncertainty\",\"hedge\","
	"\"speculation\",\"weasel\",\"factual\",\"sourced\",\"kind\",\"start\",\"text\","
	"\"cues\",\"rules\",\"sources\",\"categories\"]";

static const char sql_rules[] =
	"SELECT rule, category, hits, documents, sentences, flagged_sentences, confirmed,"
	" false_positive, unsure FROM rule_stats ORDER BY rule";
enum { R_NCOLS = 9 };
static const char rule_columns[] =
	"[\"rule\",\"category\",\"hits\",\"documents\",\"sentences\",\"flagged_sentences\","
	"\"confirmed\",\"false_positive\",\"unsure\"]";

static const char sql_totals[] =
	"SELECT (SELECT count(*) FROM documents),"
	" (SELECT count(*) FROM documents WHERE error IS NOT NULL),"
	" (SELECT coalesce(sum(n_sentences), 0) FROM documents),"
	" (SELECT count(*) FROM sentences WHERE flagged = 1),"
	" (SELECT count(*) FROM runs)";

static const char sql_run[] =
	"SELECT id, started, finished, tool_version, ruleset_hash FROM runs ORDER BY id DESC LIMIT 1";

typedef struct pick {
	long long doc, idx;
	long rank;
} pick;

typedef struct hrule {
	char *name;
	int index;
} hrule;

typedef struct html {
	sqlite3 *db;
	const report_options *o;
	FILE *out;
	sqlite3_stmt *pick, *docs, *text, *sents, *tags, *rules;
	VEC(pick) picks;
	VEC(hrule) rulemap; /* sorted by name: name -> index in "rules" */
	VEC(int) claim_rules;
	strbuf rules_json;  /* the rows of "rules" */
	strbuf docs_json;   /* the rows of "docs" */
	strbuf claims_json; /* the rows of "claims" */
	strbuf island;      /* one document's island */
	strbuf cues, sources, tmp;
	long ndocs, nclaims, quiet_docs, omitted_docs;
} html;

/* ---- JSON, safe inside <script> ---------------------------------------- */

/* Length of the UTF-8 sequence at s[0..n) and its UTF-16 length; an
 * invalid byte counts as one unit (written as U+FFFD) and *valid = 0. */
static size_t utf8_step(const unsigned char *s, size_t n, int *units, int *valid)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	*units = 1;
	*valid = 1;
	if (c < 0x80) return 1;
	if (c >= 0xc2 && c <= 0xdf) len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef) len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4) len = 4, min = 0x10000;
	else goto bad;
	if (len > n) goto bad;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) goto bad;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) goto bad;
	if (cp >= 0x10000) *units = 2;
	return len;
bad:
	*valid = 0;
	return 1;
}

/* Append s as a JSON string that is also inert inside an HTML script
 * element: '<', '>' and '&' escaped, and U+2028/9 for old parsers. */
static void j_str(strbuf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	strbuf_reserve(b, n + 2);
	strbuf_putc(b, '"');
	while (i < n) {
		unsigned c = s[i];
		const char *esc = NULL;
		char u[7];
		size_t len = 1;
		if (c >= 0x80) {
			int units, valid;
			len = utf8_step(s + i, n - i, &units, &valid);
			if (!valid) esc = "\\ufffd";
			else if (len == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
				esc = s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
		} else if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c == '\t') {
			esc = "\\t";
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		if (esc) {
			strbuf_append(b, str + i - run, run);
			run = 0;
			strbuf_puts(b, esc);
		} else {
			run += len;
		}
		i += len;
	}
	strbuf_append(b, str + i - run, run);
	strbuf_putc(b, '"');
}

static void j_strz(strbuf *b, const char *s)
{
	if (s) j_str(b, s, strlen(s));
	else strbuf_puts(b, "null");
}

static void j_num(strbuf *b, double v)
{
	if (!isfinite(v)) {
		strbuf_puts(b, "null");
		return;
	}
	/* four decimals are plenty for a score; keep integers short */
	double r = round(v * 10000) / 10000;
	if (r == 0) r = 0; /* no "-0" */
	strbuf_printf(b, "%.10g", r);
}

/* Append a column as JSON: null, a number or a string. */
static void j_col(strbuf *b, sqlite3_stmt *st, int col)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		strbuf_puts(b, "null");
		break;
	case SQLITE_INTEGER:
		strbuf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
		break;
	case SQLITE_FLOAT:
		j_num(b, sqlite3_column_double(st, col));
		break;
	default: {
		const char *s = (const char *)sqlite3_column_text(st, col);
		j_str(b, s ? s : "", s ? (size_t)sqlite3_column_bytes(st, col) : 0);
	}
	}
}

/* ---- byte offsets to UTF-16 offsets ------------------------------------ */

/* A position in a text: byte offset b, UTF-16 offset u. */
typedef struct u16pos {
	size_t b;
	long long u;
} u16pos;

/* Advance p to byte offset `to` (clamped to n); a target inside a
 * character lands after it. Never moves backwards. */
static void u16_advance(const unsigned char *s, size_t n, u16pos *p, size_t to)
{
	if (to > n) to = n;
	while (p->b < to) {
		if (s[p->b] < 0x80) {
			p->b++;
			p->u++;
			continue;
		}
		int units, valid;
		p->b += utf8_step(s + p->b, n - p->b, &units, &valid);
		p->u += units;
	}
}

/* The UTF-16 offset of byte `to`, walking from `from` (or from the start
 * of the text when `to` lies before it). */
static long long u16_at(const unsigned char *s, size_t n, u16pos from, long long to)
{
	if (to < 0) to = 0;
	if ((size_t)to < from.b) from = (u16pos){0, 0};
	u16_advance(s, n, &from, (size_t)to);
	return from.u;
}

/* ---- rules ------------------------------------------------------------- */

static int hrule_cmp(const void *a, const void *b)
{
	return strcmp(((const hrule *)a)->name, ((const hrule *)b)->name);
}

/* Index of a rule id in "rules"; a rule that rule_stats did not list
 * (none should) is added with zero counts. */
static int rule_index(html *h, const char *name)
{
	if (!name) name = "";
	hrule key = {(char *)name, 0};
	hrule *found = h->rulemap.n ? bsearch(&key, h->rulemap.v, h->rulemap.n, sizeof key,
					      hrule_cmp) : NULL;
	if (found) return found->index;
	hrule r = {xstrdup(name), (int)h->rulemap.n};
	VEC_PUSH(&h->rulemap, r);
	qsort(h->rulemap.v, h->rulemap.n, sizeof *h->rulemap.v, hrule_cmp);
	strbuf *b = &h->rules_json;
	if (b->len) strbuf_putc(b, ',');
	strbuf_putc(b, '[');
	j_strz(b, name);
	strbuf_puts(b, ",null,0,0,0,0,0,0,0]");
	return r.index;
}

static int load_rules(html *h)
{
	int rc;
	strbuf *b = &h->rules_json;
	while ((rc = sqlite3_step(h->rules)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(h->rules, 0);
		hrule r = {xstrdup(name ? name : ""), (int)h->rulemap.n};
		VEC_PUSH(&h->rulemap, r);
		if (b->len) strbuf_putc(b, ',');
		strbuf_putc(b, '[');
		for (int c = 0; c < R_NCOLS; c++) {
			if (c) strbuf_putc(b, ',');
			j_col(b, h->rules, c);
		}
		strbuf_putc(b, ']');
	}
	sqlite3_reset(h->rules);
	if (h->rulemap.n) qsort(h->rulemap.v, h->rulemap.n, sizeof *h->rulemap.v, hrule_cmp);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- claims ------------------------------------------------------------ */

static int pick_cmp(const void *a, const void *b)
{
	const pick *x = a, *y = b;
	if (x->doc != y->doc) return x->doc < y->doc ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The claims of the report, ranked as report.c ranks them, then sorted by
 * (document, sentence) for the pass over the documents. */
static int load_picks(html *h)
{
	const report_options *o = h->o;
	int rc;
	sqlite3_bind_double(h->pick, 1, o->min_score);
	if (o->category) sqlite3_bind_text(h->pick, 2, o->category, -1, SQLITE_STATIC);
	if (o->document) sqlite3_bind_text(h->pick, 3, o->document, -1, SQLITE_STATIC);
	sqlite3_bind_int64(h->pick, 4, o->limit > 0 ? o->limit : -1);
	while ((rc = sqlite3_step(h->pick)) == SQLITE_ROW) {
		pick p = {sqlite3_column_int64(h->pick, 0), sqlite3_column_int64(h->pick, 1),
			  (long)h->picks.n + 1};
		VEC_PUSH(&h->picks, p);
	}
	sqlite3_reset(h->pick);
	if (h->picks.n) qsort(h->picks.v, h->picks.n, sizeof *h->picks.v, pick_cmp);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int cat_index(const char *name)
{
	static const char *const names[] = {"hedge", "speculation", "weasel", "source"};
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0) return i;
	return CAT_OTHER;
}

static void put_quad(strbuf *b, long long a, long long e, int cat, int rule)
{
	if (b->len) strbuf_putc(b, ',');
	strbuf_printf(b, "%lld,%lld,%d,%d", a, e, cat, rule);
}

/* One document with claims: its island goes to the output, its claims to
 * claims_json. `first` is its first pick; returns the pick after its last,
 * or (size_t)-1 on a database error. */
static size_t emit_document(html *h, long long doc, size_t first, long docix)
{
	sqlite3_stmt *ts = h->text, *ss = h->sents, *gs = h->tags;
	size_t p = first;
	int rc;

	sqlite3_bind_int64(ts, 1, doc);
	rc = sqlite3_step(ts);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto fail;
	const unsigned char *text = rc == SQLITE_ROW ? sqlite3_column_text(ts, 0) : NULL;
	size_t tlen = text ? (size_t)sqlite3_column_bytes(ts, 0) : 0;
	if (!text) text = (const unsigned char *)"";

	strbuf *is = &h->island;
	strbuf_reset(is);
	strbuf_printf(is, "<script type=\"application/json\" id=\"cc-doc-%lld\">{\"text\":", doc);
	j_str(is, (const char *)text, tlen);
	strbuf_puts(is, ",\"cues\":[");
	size_t cues_at = is->len;

	sqlite3_bind_int64(ss, 1, doc);
	sqlite3_bind_int64(gs, 1, doc);
	int tag_rc = sqlite3_step(gs);
	u16pos dpos = {0, 0}; /* at the current sentence's start */
	while ((rc = sqlite3_step(ss)) == SQLITE_ROW) {
		long long idx = sqlite3_column_int64(ss, S_IDX);
		long long start = sqlite3_column_int64(ss, S_START);
		long long end = sqlite3_column_int64(ss, S_END);
		if (start < 0) start = 0;
		if ((size_t)start > tlen) start = (long long)tlen;
		if (end < start) end = start;
		if ((size_t)end > tlen) end = (long long)tlen;
		if ((size_t)start < dpos.b) dpos = (u16pos){0, 0};
		u16_advance(text, tlen, &dpos, (size_t)start);

		while (p < h->picks.n && h->picks.v[p].doc == doc && h->picks.v[p].idx < idx) p++;
		int picked = p < h->picks.n && h->picks.v[p].doc == doc && h->picks.v[p].idx == idx;
		long long slen16 = 0;
		unsigned mask = 0;
		if (picked) {
			slen16 = u16_at(text, tlen, dpos, end) - dpos.u;
			strbuf_reset(&h->cues);
			strbuf_reset(&h->sources);
			h->claim_rules.n = 0;
		}

		/* the sentence's tags (skipping any of a sentence not listed) */
		while (tag_rc == SQLITE_ROW && sqlite3_column_int64(gs, T_SENT) <= idx) {
			if (sqlite3_column_int64(gs, T_SENT) < idx) {
				tag_rc = sqlite3_step(gs);
				continue;
			}
			const char *cat = (const char *)sqlite3_column_text(gs, T_CAT);
			int ci = cat_index(cat);
			int ri = rule_index(h, (const char *)sqlite3_column_text(gs, T_RULE));
			long long a = u16_at(text, tlen, dpos, sqlite3_column_int64(gs, T_CUE_START));
			long long e = u16_at(text, tlen, dpos, sqlite3_column_int64(gs, T_CUE_END));
			long long na = 0, ne = 0;
			int has_name = ci == CAT_SOURCE && sqlite3_column_type(gs, T_SRC_START) != SQLITE_NULL;
			if (has_name) {
				na = u16_at(text, tlen, dpos, sqlite3_column_int64(gs, T_SRC_START));
				ne = u16_at(text, tlen, dpos, sqlite3_column_int64(gs, T_SRC_END));
			}
			strbuf_reset(&h->tmp);
			if (a < e) put_quad(&h->tmp, a, e, ci, ri);
			if (has_name && na < ne) put_quad(&h->tmp, na, ne, CAT_NAME, ri);
			if (h->tmp.len) {
				if (is->len > cues_at) strbuf_putc(is, ',');
				strbuf_append(is, h->tmp.data, h->tmp.len);
			}
			if (picked) {
				mask |= 1u << ci;
				size_t k;
				for (k = 0; k < h->claim_rules.n && h->claim_rules.v[k] != ri; k++)
					;
				if (k == h->claim_rules.n) VEC_PUSH(&h->claim_rules, ri);
				long long s16 = dpos.u;
				if (a < e && a >= s16 && e - s16 <= slen16)
					put_quad(&h->cues, a - s16, e - s16, ci, ri);
				if (has_name && na < ne && na >= s16 && ne - s16 <= slen16)
					put_quad(&h->cues, na - s16, ne - s16, CAT_NAME, ri);
				if (ci == CAT_SOURCE) {
					strbuf *sb = &h->sources;
					if (sb->len) strbuf_putc(sb, ',');
					strbuf_putc(sb, '[');
					j_col(sb, gs, T_SOURCE);
					strbuf_putc(sb, ',');
					j_col(sb, gs, T_ROLE);
					strbuf_putc(sb, ',');
					j_col(sb, gs, T_CUE);
					strbuf_printf(sb, ",%d,%d]", sqlite3_column_int(gs, T_ANON) ? 1 : 0, ri);
				}
			}
			tag_rc = sqlite3_step(gs);
		}
		if (tag_rc != SQLITE_ROW && tag_rc != SQLITE_DONE) goto fail;
		if (!picked) continue;

		/* [doc, sentence, rank, scores..., sourced, kind, start, text,
		 *  cues, rules, sources, categories] */
		strbuf *b = &h->claims_json;
		if (b->len) strbuf_putc(b, ',');
		strbuf_printf(b, "[%ld,%lld,%ld", docix, idx, h->picks.v[p].rank);
		for (int c = S_CHECKWORTHY; c <= S_FACTUAL; c++) {
			strbuf_putc(b, ',');
			j_num(b, sqlite3_column_double(ss, c));
		}
		strbuf_printf(b, ",%d,", sqlite3_column_int(ss, S_SOURCED) ? 1 : 0);
		j_col(b, ss, S_KIND);
		strbuf_printf(b, ",%lld,", dpos.u);
		j_str(b, (const char *)text + start, (size_t)(end - start));
		strbuf_puts(b, ",[");
		if (h->cues.len) strbuf_append(b, h->cues.data, h->cues.len);
		strbuf_puts(b, "],[");
		for (size_t k = 0; k < h->claim_rules.n; k++)
			strbuf_printf(b, k ? ",%d" : "%d", h->claim_rules.v[k]);
		strbuf_puts(b, "],[");
		if (h->sources.len) strbuf_append(b, h->sources.data, h->sources.len);
		strbuf_printf(b, "],%u]", mask);
		h->nclaims++;
		p++;
	}
	if (rc != SQLITE_DONE) goto fail;

	strbuf_puts(is, "]}</script>\n");
	fwrite(is->data, 1, is->len, h->out);
	sqlite3_reset(ts);
	sqlite3_reset(ss);
	sqlite3_reset(gs);
	/* picks of sentences that vanished are skipped */
	while (p < h->picks.n && h->picks.v[p].doc == doc) p++;
	return p;

fail:
	sqlite3_reset(ts);
	sqlite3_reset(ss);
	sqlite3_reset(gs);
	return (size_t)-1;
}

/* The pass over the documents: each listed document's summary row, and
 * for a document with claims its island and its claims. */
static int emit_documents(html *h)
{
	sqlite3_stmt *st = h->docs;
	size_t p = 0;
	int rc;

	if (h->o->document) sqlite3_bind_text(st, 1, h->o->document, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, D_ID);
		while (p < h->picks.n && h->picks.v[p].doc < id) p++; /* cannot happen */
		size_t next = p;
		long before = h->nclaims;
		if (p < h->picks.n && h->picks.v[p].doc == id) {
			next = emit_document(h, id, p, h->ndocs);
			if (next == (size_t)-1) return -1;
			if (ferror(h->out)) return -2;
		} else if (sqlite3_column_type(st, D_ERROR) == SQLITE_NULL) {
			if (h->quiet_docs >= MAX_QUIET_DOCS) {
				h->omitted_docs++;
				continue;
			}
			h->quiet_docs++;
		}
		long nclaims = h->nclaims - before;
		strbuf *b = &h->docs_json;
		if (b->len) strbuf_putc(b, ',');
		strbuf_putc(b, '[');
		for (int c = 0; c < D_NCOLS; c++) {
			if (c) strbuf_putc(b, ',');
			j_col(b, st, c);
		}
		strbuf_printf(b, ",%ld,%d]", nclaims, next > p ? 1 : 0);
		h->ndocs++;
		p = next;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the page ---------------------------------------------------------- */

static void iso_time(char out[32])
{
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH"); /* reproducible builds */
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0) t = (time_t)v;
	}
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "");
}

/* The "cc-data" island: everything but the documents' texts. */
static int emit_data(html *h)
{
	const report_options *o = h->o;
	strbuf *b = &h->tmp;
	sqlite3_stmt *st = NULL;
	char when[32];
	int rc;

	strbuf_reset(b);
	iso_time(when);
	strbuf_puts(b, "<script type=\"application/json\" id=\"cc-data\">{\"version\":1,\"tool\":");
	j_strz(b, PACKAGE_NAME " " PACKAGE_VERSION);
	strbuf_puts(b, ",\"generated\":");
	j_strz(b, when);
	strbuf_puts(b, ",\"database\":");
	j_strz(b, sqlite3_db_filename(h->db, "main"));
	strbuf_puts(b, ",\"options\":{\"category\":");
	j_strz(b, o->category);
	strbuf_puts(b, ",\"min_score\":");
	j_num(b, o->min_score);
	strbuf_puts(b, ",\"document\":");
	j_strz(b, o->document);
	strbuf_printf(b, ",\"limit\":%ld},\"totals\":", o->limit);

	if (sqlite3_prepare_v2(h->db, sql_totals, -1, &st, NULL) != SQLITE_OK) return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		static const char *const names[] = {"documents", "failed", "sentences", "flagged", "runs"};
		for (int c = 0; c < 5; c++) {
			strbuf_printf(b, "%s\"%s\":", c ? "," : "{", names[c]);
			j_col(b, st, c);
		}
		strbuf_putc(b, '}');
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) return -1;

	strbuf_puts(b, ",\"run\":");
	if (sqlite3_prepare_v2(h->db, sql_run, -1, &st, NULL) != SQLITE_OK) return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		static const char *const names[] = {"id", "started", "finished", "tool_version",
						    "ruleset"};
		for (int c = 0; c < 5; c++) {
			strbuf_printf(b, "%s\"%s\":", c ? "," : "{", names[c]);
			j_col(b, st, c);
		}
		strbuf_putc(b, '}');
	} else {
		strbuf_puts(b, "null");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -1;

	strbuf_puts(b, ",\"categories\":[\"hedge\",\"speculation\",\"weasel\",\"source\","
		    "\"name\",\"other\"]");
	strbuf_printf(b, ",\"doc_columns\":%s,\"docs_omitted\":%ld,\"docs\":[", doc_columns,
		      h->omitted_docs);
	fwrite(b->data, 1, b->len, h->out);
	fwrite(h->docs_json.data ? h->docs_json.data : "", 1, h->docs_json.len, h->out);
	fprintf(h->out, "],\"rule_columns\":%s,\"rules\":[", rule_columns);
	fwrite(h->rules_json.data ? h->rules_json.data : "", 1, h->rules_json.len, h->out);
	fprintf(h->out, "],\"claim_columns\":%s,\"claims\":[", claim_columns);
	fwrite(h->claims_json.data ? h->claims_json.data : "", 1, h->claims_json.len, h->out);
	fputs("]}</script>\n", h->out);
	return 0;
}

static void html_free(html *h)
{
	sqlite3_finalize(h->pick);
	sqlite3_finalize(h->docs);
	sqlite3_finalize(h->text);
	sqlite3_finalize(h->sents);
	sqlite3_finalize(h->tags);
	sqlite3_finalize(h->rules);
	for (size_t i = 0; i < h->rulemap.n; i++) free(h->rulemap.v[i].name);
	VEC_FREE(&h->rulemap);
	VEC_FREE(&h->picks);
	VEC_FREE(&h->claim_rules);
	strbuf_free(&h->rules_json);
	strbuf_free(&h->docs_json);
	strbuf_free(&h->claims_json);
	strbuf_free(&h->island);
	strbuf_free(&h->cues);
	strbuf_free(&h->sources);
	strbuf_free(&h->tmp);
}

int report_html(sqlite3 *db, const report_options *o, FILE *out)
{
	html h = {.db = db, .o = o, .out = out};
	int ret = -1, in_txn = 0, rc;
	const char *mark = strstr(html_report_template, DATA_MARK);

	if (!mark) {
		fputs("claimcheck report: the HTML template has no data mark\n", stderr);
		return -1;
	}
	if (sqlite3_prepare_v2(db, sql_pick, -1, &h.pick, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_docs, -1, &h.docs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_text, -1, &h.text, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_sents, -1, &h.sents, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_tags, -1, &h.tags, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_rules, -1, &h.rules, NULL) != SQLITE_OK)
		goto sql_fail;
	/* one read transaction: a consistent snapshot while a run writes */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sql_fail;
	in_txn = 1;
	if (load_picks(&h) < 0 || load_rules(&h) < 0) goto sql_fail;

	fwrite(html_report_template, 1, (size_t)(mark - html_report_template), out);
	rc = emit_documents(&h);
	if (rc == -2) goto write_fail;
	if (rc < 0) goto sql_fail;
	if (emit_data(&h) < 0) goto sql_fail;
	fputs(mark + strlen(DATA_MARK), out);
	if (fflush(out) != 0 || ferror(out)) goto write_fail;
	ret = 0;
	goto done;

sql_fail:
	fprintf(stderr, "claimcheck report: cannot read the database: %s\n", sqlite3_errmsg(db));
	goto done;
write_fail:
	fprintf(stderr, "claimcheck report: cannot write the report: %s\n",
		errno ? strerror(errno) : "write error");
done:
	if (in_txn) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	html_free(&h);
	return ret;
}
