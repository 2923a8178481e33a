/*
 * cmd-rules.c — `claimcheck rules check|test|list|stats`: lint the rule
 * files, run every rule's inline examples through the full pipeline, list
 * rules, and measure them.
 *
 * stats reads a claimcheck database (read-only: tags, sentences, verdicts)
 * and optionally a gold file (analysed with the rule files, scored as
 * `claimcheck eval` does, eval.h). Adds, per rule: hits, sentences, the
 * share of flagged sentences that carry it, reviewed precision from the
 * verdicts, gold precision and recall, the most frequent cues, and for
 * rules below a precision threshold their worst false positives.
 *
 * profile analyses input files (no database) with a profiling tagger
 * (tag.h) and adds, per rule and per pattern: the sentences it ran in,
 * its PCRE2 calls, matches, tags, and the time it took, costliest first.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyze.h"
#include "cli.h"
#include "eval.h"
#include "store.h"

static int selected(const rule_info *ri, const char **ids, size_t n)
{
	if (!n) return 1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ri->id, ids[i])) return 1;
	return 0;
}

static int span_is(const char *text, span s, const char *want)
{
	size_t n = s.end - s.start;
	return strlen(want) == n && memcmp(text + s.start, want, n) == 0;
}

/* Does the analysis hold an unsuppressed tag of rule `idx` that meets the
 * example's capture expectations? On a capture mismatch, describes what
 * was captured in `why`. */
static int example_tagged(const analysis *a, size_t idx, const rule_example *ex, strbuf *why)
{
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	int any = 0;
	for (size_t i = 0; i < a->tags.n; i++) {
		const tag *t = &a->tags.v[i];
		if (t->rule != idx || t->suppressed) continue;
		any = 1;
		if (ex->expect_source && !span_is(text, t->source, ex->expect_source)) goto mismatch;
		if (ex->expect_role && !span_is(text, t->role, ex->expect_role)) goto mismatch;
		if (ex->expect_cue) {
			span c = t->cue.start != t->cue.end ? t->cue : (span){t->start, t->end};
			if (!span_is(text, c, ex->expect_cue)) goto mismatch;
		}
		return 1;
	mismatch:
		strbuf_printf(why, " [got source \"%.*s\", role \"%.*s\", cue \"%.*s\"]",
			      (int)(t->source.end - t->source.start), text + t->source.start,
			      (int)(t->role.end - t->role.start), text + t->role.start,
			      (int)(t->cue.end - t->cue.start), text + t->cue.start);
	}
	(void)any;
	return 0;
}

static int rules_test(const ruleset *rs, const char **ids, size_t nids, int verbose)
{
	analyzer *az = analyzer_new(rs);
	analysis a;
	memset(&a, 0, sizeof a);
	cc_error_clear(&a.err);
	size_t passed = 0, failed = 0;
	strbuf why = {0};
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		if (!selected(ri, ids, nids)) continue;
		for (size_t k = 0; k < ri->examples.n; k++) {
			const rule_example *ex = &ri->examples.v[k];
			strbuf_reset(&why);
			analyze_text(az, ex->text, strlen(ex->text), &a);
			int tagged = !a.failed && example_tagged(&a, i, ex, &why);
			int ok = ex->should_flag ? tagged : !tagged;
			if (!ex->should_flag && !tagged) strbuf_reset(&why);
			if (ok) passed++;
			else failed++;
			if (!ok || verbose)
				printf("%s:%d: %s: %s example %s: %s%s\n", ri->file, ex->line, ri->id,
				       ex->should_flag ? "flag" : "pass", ok ? "ok" : "FAILED", ex->text,
				       why.data && !ok ? why.data : "");
		}
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	strbuf_free(&why);
	analysis_free(&a);
	analyzer_free(az);
	return failed ? EXIT_PARTIAL : EXIT_OK;
}

static void rules_list(const ruleset *rs, const char **ids, size_t nids)
{
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		if (!selected(ri, ids, nids)) continue;
		printf("%-32s %-11s %.2f  %2zu examples  %s:%d\n", ri->id, category_name(ri->cat),
		       ri->weight, ri->examples.n, ri->file, ri->line);
	}
}

/* ---- stats ---------------------------------------------------------------- */

#define STATS_DEFAULT_MIN_PRECISION 0.5
#define STATS_DEFAULT_CONTEXTS 3
#define STATS_DEFAULT_EXAMPLES 3

enum stats_format { ST_TEXT, ST_MD, ST_CSV, ST_JSON };

typedef struct stats_options {
	const char *db;
	const char *gold;
	double min_precision;
	long contexts, examples;
	enum stats_format format;
	const char **only;
	size_t nonly;
} stats_options;

/* A false positive shown under a rule: a sentence with a false_positive
 * verdict, or a gold record the rule fired on that the gold marks
 * negative. Worst = highest check-worthiness (it would be reviewed
 * first). */
typedef struct stat_fp {
	char *where; /* "doc_key, sentence N" or "gold line N" */
	char *text;
	double score;
} stat_fp;
typedef VEC(stat_fp) fpvec;

typedef struct stat_ctx {
	char *cue; /* eval_norm form */
	uint64_t n;
} stat_ctx;

typedef struct rule_stat {
	char *id;
	char *category;
	int defined; /* in the rule files */
	uint64_t hits, documents, sentences, flagged;
	uint64_t confirmed, false_positive, unsure;
	eval_hits gold;       /* records it fired in, and the gold-positive ones */
	uint64_t gold_pos;    /* gold-positive records of its section */
	int gold_section;     /* the gold file has records of its section */
	VEC(stat_ctx) ctx;
	fpvec fp_verdict, fp_gold;
	double worst;         /* lowest defined precision, or 2 */
	int below;
} rule_stat;
typedef VEC(rule_stat) rstatvec;

typedef struct stats_totals {
	uint64_t documents, sentences, flagged, tags, verdicts, verdicts_used;
	uint64_t gold_records, gold_skipped;
	int has_gold;
} stats_totals;

static rule_stat *rstat_get(rstatvec *v, const char *id, const char *cat)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i].id, id)) return &v->v[i];
	rule_stat r;
	memset(&r, 0, sizeof r);
	r.id = xstrdup(id);
	r.category = xstrdup(cat ? cat : "");
	VEC_PUSH(v, r);
	return &v->v[v->n - 1];
}

static void fp_free(fpvec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].where);
		free(v->v[i].text);
	}
	VEC_FREE(v);
}

static void rstat_clear(rule_stat *r)
{
	free(r->id);
	free(r->category);
	for (size_t k = 0; k < r->ctx.n; k++) free(r->ctx.v[k].cue);
	VEC_FREE(&r->ctx);
	fp_free(&r->fp_verdict);
	fp_free(&r->fp_gold);
}

static void rstat_free(rstatvec *v)
{
	for (size_t i = 0; i < v->n; i++) rstat_clear(&v->v[i]);
	VEC_FREE(v);
}

/* Keep the max worst examples (highest score; the earlier one on a tie). */
static void fp_offer(fpvec *v, size_t max, const char *where, const char *text, size_t tlen,
		     double score)
{
	if (max == 0) return;
	size_t at = v->n;
	while (at > 0 && v->v[at - 1].score < score) at--;
	if (at >= max) return;
	if (v->n == max) {
		free(v->v[v->n - 1].where);
		free(v->v[v->n - 1].text);
		v->n--;
	}
	VEC_RESERVE(v, 1);
	memmove(&v->v[at + 1], &v->v[at], (v->n - at) * sizeof *v->v);
	v->v[at] = (stat_fp){xstrdup(where), xstrndup(text, tlen), score};
	v->n++;
}

static int stats_sql_error(sqlite3 *db, const char *what)
{
	fprintf(stderr, "claimcheck rules stats: %s: %s\n", what, sqlite3_errmsg(db));
	return -1;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* Per rule from the rule_stats view, and the totals. */
static int stats_db_counts(sqlite3 *db, rstatvec *v, stats_totals *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT (SELECT count(*) FROM documents WHERE error IS NULL),"
			       " (SELECT count(*) FROM sentences),"
			       " (SELECT count(*) FROM sentences WHERE flagged = 1),"
			       " (SELECT count(*) FROM tags), (SELECT count(*) FROM verdicts)",
			       -1, &st, NULL) != SQLITE_OK)
		return stats_sql_error(db, "cannot read the totals");
	if (sqlite3_step(st) == SQLITE_ROW) {
		t->documents = (uint64_t)sqlite3_column_int64(st, 0);
		t->sentences = (uint64_t)sqlite3_column_int64(st, 1);
		t->flagged = (uint64_t)sqlite3_column_int64(st, 2);
		t->tags = (uint64_t)sqlite3_column_int64(st, 3);
		t->verdicts = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db,
			       "SELECT rule, category, hits, documents, sentences, flagged_sentences"
			       " FROM rule_stats ORDER BY rule",
			       -1, &st, NULL) != SQLITE_OK)
		return stats_sql_error(db, "cannot read rule_stats");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rule_stat *r = rstat_get(v, col_text(st, 0), col_text(st, 1));
		r->hits = (uint64_t)sqlite3_column_int64(st, 2);
		r->documents = (uint64_t)sqlite3_column_int64(st, 3);
		r->sentences = (uint64_t)sqlite3_column_int64(st, 4);
		r->flagged = (uint64_t)sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : stats_sql_error(db, "cannot read rule_stats");
}

/* Verdicts on the rules' current tags. A verdict with a rule id counts for
 * that rule when its tag (same span and rule) is still in the database; a
 * whole-sentence verdict (rule '') counts for every hedge, speculation and
 * weasel rule that tags that sentence now (source rules do not flag). A
 * document text held by several documents counts once. */
static const char sql_rule_verdicts[] =
	"WITH vd AS ("
	"  SELECT v.doc_hash AS doc_hash, v.start AS start, v.end AS end, v.rule AS vrule,"
	"   v.verdict AS verdict,"
	"   (SELECT d.id FROM documents d WHERE d.text_hash = v.doc_hash AND d.error IS NULL"
	"    ORDER BY d.id LIMIT 1) AS doc_id"
	"  FROM verdicts v)"
	" SELECT DISTINCT t.rule, t.category, vd.verdict, vd.doc_hash, vd.start, vd.end, vd.vrule,"
	"  d.key, s.idx, s.checkworthy,"
	"  CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT)"
	" FROM vd"
	" JOIN documents d ON d.id = vd.doc_id"
	" JOIN sentences s ON s.doc_id = vd.doc_id AND s.start <= vd.start AND vd.end <= s.end"
	"  AND (vd.vrule <> '' OR (s.start = vd.start AND s.end = vd.end))"
	" JOIN tags t ON t.doc_id = s.doc_id AND t.sentence = s.idx"
	"  AND (CASE WHEN vd.vrule = '' THEN t.category <> 'source'"
	"       ELSE t.rule = vd.vrule AND t.start = vd.start AND t.end = vd.end END)"
	" ORDER BY t.rule, s.checkworthy DESC, d.key, s.idx";

static int stats_db_verdicts(sqlite3 *db, rstatvec *v, stats_totals *t, size_t examples)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql_rule_verdicts, -1, &st, NULL) != SQLITE_OK)
		return stats_sql_error(db, "cannot read the verdicts");
	int rc;
	strbuf where = {0};
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rule_stat *r = rstat_get(v, col_text(st, 0), col_text(st, 1));
		const char *verdict = col_text(st, 2);
		if (!strcmp(verdict, "confirmed")) {
			r->confirmed++;
		} else if (!strcmp(verdict, "false_positive")) {
			r->false_positive++;
			strbuf_reset(&where);
			strbuf_printf(&where, "%s, sentence %d%s", col_text(st, 7), sqlite3_column_int(st, 8),
				      *col_text(st, 6) ? "" : " (whole sentence)");
			const char *text = col_text(st, 10);
			fp_offer(&r->fp_verdict, examples, where.data, text, strlen(text),
				 sqlite3_column_double(st, 9));
		} else {
			r->unsure++;
		}
	}
	sqlite3_finalize(st);
	strbuf_free(&where);
	if (rc != SQLITE_DONE) return stats_sql_error(db, "cannot read the verdicts");
	/* how many verdicts reached a current tag or sentence at all */
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM verdict_tags WHERE current = 1"
			       " GROUP BY doc_hash, start, end, rule",
			       -1, &st, NULL) != SQLITE_OK)
		return stats_sql_error(db, "cannot read the verdicts");
	t->verdicts_used = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) t->verdicts_used++;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : stats_sql_error(db, "cannot read the verdicts");
}

static int cmp_ctx(const void *pa, const void *pb)
{
	const stat_ctx *a = pa, *b = pb;
	if (a->n != b->n) return a->n > b->n ? -1 : 1;
	return strcmp(a->cue, b->cue);
}

/* The most frequent cues of each rule, lower-cased (eval_norm). */
static int stats_db_contexts(sqlite3 *db, rstatvec *v, size_t max)
{
	if (max == 0) return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT rule, category, cue, count(*) FROM tags WHERE cue IS NOT NULL"
			       " GROUP BY rule, cue ORDER BY rule",
			       -1, &st, NULL) != SQLITE_OK)
		return stats_sql_error(db, "cannot read the cues");
	strbuf norm = {0};
	rule_stat *r = NULL;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_text(st, 0);
		if (!r || strcmp(r->id, id)) r = rstat_get(v, id, col_text(st, 1));
		strbuf_reset(&norm);
		eval_norm((const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2),
			  &norm);
		if (!norm.len) continue;
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 3);
		size_t k;
		for (k = 0; k < r->ctx.n; k++)
			if (!strcmp(r->ctx.v[k].cue, norm.data)) break;
		if (k < r->ctx.n) r->ctx.v[k].n += n;
		else VEC_PUSH(&r->ctx, ((stat_ctx){xstrdup(norm.data), n}));
	}
	sqlite3_finalize(st);
	strbuf_free(&norm);
	for (size_t i = 0; i < v->n; i++) {
		rule_stat *x = &v->v[i];
		if (x->ctx.n > 1) qsort(x->ctx.v, x->ctx.n, sizeof *x->ctx.v, cmp_ctx);
		while (x->ctx.n > max) free(x->ctx.v[--x->ctx.n].cue);
	}
	return rc == SQLITE_DONE ? 0 : stats_sql_error(db, "cannot read the cues");
}

/* The highest check-worthiness among a record's sentences. */
static double record_score(const analysis *a)
{
	double m = 0;
	for (size_t i = 0; i < a->sents.n; i++)
		if (a->sents.v[i].sc.checkworthy > m) m = a->sents.v[i].sc.checkworthy;
	return m;
}

/* Score the gold file as `claimcheck eval` does; a record that the eval
 * counts as a false positive (uncertainty, or has-source) is a false
 * positive of every rule of that section that fired in it. Returns 0, 1
 * if some records were malformed, -1 if the file cannot be read. */
static int stats_gold(const ruleset *rs, const char *path, rstatvec *v, stats_totals *t,
		      size_t examples)
{
	FILE *fp = !strcmp(path, "-") ? stdin : fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "claimcheck rules stats: %s: %s\n", path, strerror(errno));
		return -1;
	}
	analyzer *az = analyzer_new(rs);
	evaluator *ev = eval_new(rs, 0);
	analysis a;
	memset(&a, 0, sizeof a);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int status = 0;
	cc_error err;
	char where[64];
	uint8_t *fired = xcalloc(ruleset_size(rs) ? ruleset_size(rs) : 1, 1);
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
		if (strspn(line, " \t") >= len) continue;
		const eval_result *r = eval_result_get(ev);
		uint64_t ufp = r->unc_sentence.fp, afp = r->att_has_source.fp;
		if (eval_add_line(ev, az, &a, lineno, line, len, &err) != 0) {
			fprintf(stderr, "claimcheck rules stats: %s:%ld: %s (record skipped)\n", path, lineno,
				err.msg);
			status = 1;
			continue;
		}
		r = eval_result_get(ev);
		int unc_fp = r->unc_sentence.fp > ufp, att_fp = r->att_has_source.fp > afp;
		if (!unc_fp && !att_fp) continue;
		memset(fired, 0, ruleset_size(rs));
		for (size_t i = 0; i < a.tags.n; i++)
			if (!a.tags.v[i].suppressed) fired[a.tags.v[i].rule] = 1;
		snprintf(where, sizeof where, "gold line %ld", lineno);
		double score = record_score(&a);
		for (size_t i = 0; i < ruleset_size(rs); i++) {
			if (!fired[i]) continue;
			const rule_info *ri = ruleset_rule(rs, i);
			if (!((ri->cat == CAT_SOURCE && att_fp) || (ri->cat != CAT_SOURCE && unc_fp))) continue;
			rule_stat *rs_ = rstat_get(v, ri->id, category_name(ri->cat));
			fp_offer(&rs_->fp_gold, examples, where, a.nt.text.data ? a.nt.text.data : "",
				 a.nt.text.len, score);
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "claimcheck rules stats: %s: read error: %s\n", path, strerror(errno));
		status = 1;
	}
	free(line);
	free(fired);
	if (fp != stdin) fclose(fp);

	const eval_result *r = eval_result_get(ev);
	t->has_gold = 1;
	t->gold_records = r->records;
	t->gold_skipped = r->skipped;
	for (size_t i = 0; i < r->nrules; i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		int src = ri->cat == CAT_SOURCE;
		rule_stat *x = rstat_get(v, ri->id, category_name(ri->cat));
		x->gold = r->rule_hits[i];
		x->gold_pos = src ? r->att_positive : r->unc_positive;
		x->gold_section = (src ? r->att_records : r->unc_records) > 0;
	}
	eval_free(ev);
	analysis_free(&a);
	analyzer_free(az);
	return status;
}

static double reviewed_precision(const rule_stat *r)
{
	uint64_t n = r->confirmed + r->false_positive;
	return n ? (double)r->confirmed / (double)n : -1;
}

static double gold_precision(const rule_stat *r)
{
	return r->gold.hits ? (double)r->gold.tp / (double)r->gold.hits : -1;
}

static double gold_recall(const rule_stat *r)
{
	return r->gold_section && r->gold_pos ? (double)r->gold.tp / (double)r->gold_pos : -1;
}

static int rstat_active(const rule_stat *r)
{
	return r->hits || r->gold.hits || r->confirmed || r->false_positive || r->unsure;
}

/* Below the threshold first (worst precision first), then by hits (in the
 * database, then in the gold file), then by id; rules that never fired
 * last. */
static int cmp_rstat(const void *pa, const void *pb)
{
	const rule_stat *a = pa, *b = pb;
	if (a->below != b->below) return a->below ? -1 : 1;
	if (a->below && a->worst != b->worst) return a->worst < b->worst ? -1 : 1;
	int aa = rstat_active(a), ba = rstat_active(b);
	if (aa != ba) return aa ? -1 : 1;
	if (a->hits != b->hits) return a->hits > b->hits ? -1 : 1;
	if (a->gold.hits != b->gold.hits) return a->gold.hits > b->gold.hits ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void rstat_rank(rstatvec *v, double minp)
{
	for (size_t i = 0; i < v->n; i++) {
		rule_stat *r = &v->v[i];
		double p = reviewed_precision(r), g = gold_precision(r);
		r->worst = 2;
		if (p >= 0 && p < r->worst) r->worst = p;
		if (g >= 0 && g < r->worst) r->worst = g;
		r->below = r->worst < minp;
	}
	if (v->n > 1) qsort(v->v, v->n, sizeof *v->v, cmp_rstat);
}

static double share(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

/* ---- stats output ---- */

/* Text on one line (white space runs as one space), at most max bytes, cut
 * at a UTF-8 boundary with "..." when longer. */
static void put_line_text(strbuf *b, const char *s, size_t max)
{
	size_t start = b->len;
	int sp = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			sp = b->len > start;
			continue;
		}
		if (sp) strbuf_putc(b, ' ');
		sp = 0;
		if (max && b->len - start >= max && (c & 0xC0) != 0x80) {
			strbuf_puts(b, "...");
			return;
		}
		strbuf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

static void fig3(strbuf *b, double x, int w)
{
	if (x < 0) strbuf_printf(b, " %*s", w, "-");
	else strbuf_printf(b, " %*.2f", w, x);
}

static void text_rule(strbuf *b, const rule_stat *r, const stats_totals *t, int w)
{
	char rev[40];
	if (r->confirmed + r->false_positive)
		snprintf(rev, sizeof rev, "%.2f %llu/%llu", reviewed_precision(r),
			 (unsigned long long)r->confirmed,
			 (unsigned long long)(r->confirmed + r->false_positive));
	else
		snprintf(rev, sizeof rev, "-");
	strbuf_printf(b, "  %-*s %5llu %5llu %5llu %5.1f%% %12s", w, r->id, (unsigned long long)r->hits,
		      (unsigned long long)r->sentences, (unsigned long long)r->flagged,
		      100 * share(r->flagged, t->flagged), rev);
	if (t->has_gold) {
		fig3(b, gold_precision(r), 6);
		fig3(b, gold_recall(r), 6);
	}
	strbuf_putc(b, '\n');
	if (r->ctx.n) {
		strbuf_puts(b, "      cues:");
		for (size_t k = 0; k < r->ctx.n; k++)
			strbuf_printf(b, "%s \"%s\" %llu", k ? "," : "", r->ctx.v[k].cue,
				      (unsigned long long)r->ctx.v[k].n);
		strbuf_putc(b, '\n');
	}
}

static void text_fps(strbuf *b, const fpvec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		strbuf_printf(b, "      false positive (%s, %.2f):\n        ", v->v[i].where, v->v[i].score);
		put_line_text(b, v->v[i].text, 100);
		strbuf_putc(b, '\n');
	}
}

static void stats_text(FILE *out, const stats_options *o, const rstatvec *v, const stats_totals *t)
{
	strbuf b = {0};
	strbuf_printf(&b, "%s: %llu documents, %llu sentences, %llu flagged, %llu tags, %llu verdicts",
		      o->db, (unsigned long long)t->documents, (unsigned long long)t->sentences,
		      (unsigned long long)t->flagged, (unsigned long long)t->tags,
		      (unsigned long long)t->verdicts);
	if (t->verdicts) strbuf_printf(&b, " (%llu on current tags or sentences)", (unsigned long long)t->verdicts_used);
	strbuf_putc(&b, '\n');
	if (t->has_gold) {
		strbuf_printf(&b, "gold: %s, %llu records", o->gold, (unsigned long long)t->gold_records);
		if (t->gold_skipped) strbuf_printf(&b, ", %llu skipped", (unsigned long long)t->gold_skipped);
		strbuf_putc(&b, '\n');
	}
	int w = 12;
	for (size_t i = 0; i < v->n; i++)
		if (rstat_active(&v->v[i]) && (int)strlen(v->v[i].id) > w) w = (int)strlen(v->v[i].id);
	int nbelow = 0, nactive = 0;
	for (size_t i = 0; i < v->n; i++) {
		nbelow += v->v[i].below;
		nactive += rstat_active(&v->v[i]);
	}
	strbuf_printf(&b, "\n  %-*s %5s %5s %5s %6s %12s", w, "rule", "hits", "sents", "flagd", "share",
		      "reviewed P");
	if (t->has_gold) strbuf_printf(&b, " %6s %6s", "gold P", "gold R");
	strbuf_putc(&b, '\n');
	if (nbelow) strbuf_printf(&b, "Below precision %.2f:\n", o->min_precision);
	for (size_t i = 0; i < v->n; i++) {
		const rule_stat *r = &v->v[i];
		if (!rstat_active(r)) continue;
		if (nbelow && i == (size_t)nbelow) strbuf_puts(&b, "Other rules:\n");
		text_rule(&b, r, t, w);
		if (r->below) {
			text_fps(&b, &r->fp_verdict);
			text_fps(&b, &r->fp_gold);
		}
		fwrite(b.data, 1, b.len, out);
		strbuf_reset(&b);
	}
	if (!nactive) strbuf_puts(&b, "  (no rule has hits, verdicts or gold hits)\n");
	/* the rules that never fired, wrapped at 80 columns */
	int first = 1;
	size_t col = 0;
	for (size_t i = 0; i < v->n; i++) {
		const char *id = v->v[i].id;
		if (rstat_active(&v->v[i])) continue;
		if (first) {
			strbuf_puts(&b, "\nNo hits:");
			col = 8;
		} else {
			strbuf_putc(&b, ',');
			col++;
		}
		if (col + 1 + strlen(id) > 79) {
			strbuf_puts(&b, "\n ");
			col = 1;
		}
		strbuf_printf(&b, " %s", id);
		col += 1 + strlen(id);
		first = 0;
	}
	if (!first) strbuf_putc(&b, '\n');
	strbuf_puts(&b, "\nhits: tags; sents: sentences with a tag; flagd: flagged sentences with a tag;\n"
			"share: of all flagged sentences; reviewed P: confirmed / (confirmed + false positive)\n"
			"over the verdicts on current tags and sentences");
	if (t->has_gold) strbuf_puts(&b, ";\ngold P, R: as `claimcheck eval` counts rules (records)");
	strbuf_puts(&b, ".\n");
	fwrite(b.data, 1, b.len, out);
	strbuf_free(&b);
}

static void md_text(strbuf *b, const char *s)
{
	strbuf_md_cell(b, s, strlen(s));
}

static void md_fig(strbuf *b, double x)
{
	if (x < 0) strbuf_puts(b, " - |");
	else strbuf_printf(b, " %.3f |", x);
}

static void stats_md(FILE *out, const stats_options *o, const rstatvec *v, const stats_totals *t)
{
	strbuf b = {0};
	strbuf_puts(&b, "| rule | category | hits | sentences | flagged | share | confirmed | false positive"
			" | reviewed precision | gold hits | gold precision | gold recall | below | cues |\n"
			"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
	for (size_t i = 0; i < v->n; i++) {
		const rule_stat *r = &v->v[i];
		strbuf_puts(&b, "| ");
		md_text(&b, r->id);
		strbuf_puts(&b, " | ");
		md_text(&b, r->category);
		strbuf_printf(&b, " | %llu | %llu | %llu | %.3f | %llu | %llu |", (unsigned long long)r->hits,
			      (unsigned long long)r->sentences, (unsigned long long)r->flagged,
			      share(r->flagged, t->flagged), (unsigned long long)r->confirmed,
			      (unsigned long long)r->false_positive);
		md_fig(&b, reviewed_precision(r));
		if (t->has_gold) {
			strbuf_printf(&b, " %llu |", (unsigned long long)r->gold.hits);
			md_fig(&b, gold_precision(r));
			md_fig(&b, gold_recall(r));
		} else {
			strbuf_puts(&b, " - | - | - |");
		}
		strbuf_printf(&b, " %s | ", r->below ? "yes" : "no");
		for (size_t k = 0; k < r->ctx.n; k++) {
			if (k) strbuf_puts(&b, ", ");
			md_text(&b, r->ctx.v[k].cue);
			strbuf_printf(&b, " (%llu)", (unsigned long long)r->ctx.v[k].n);
		}
		strbuf_puts(&b, " |\n");
	}
	int any = 0;
	for (size_t i = 0; i < v->n; i++) {
		const rule_stat *r = &v->v[i];
		if (!r->below || !(r->fp_verdict.n + r->fp_gold.n)) continue;
		if (!any) strbuf_printf(&b, "\n## False positives of rules below precision %.2f\n",
					o->min_precision);
		any = 1;
		strbuf_puts(&b, "\n### ");
		md_text(&b, r->id);
		strbuf_puts(&b, "\n\n");
		for (int g = 0; g < 2; g++) {
			const fpvec *f = g ? &r->fp_gold : &r->fp_verdict;
			for (size_t k = 0; k < f->n; k++) {
				strbuf_puts(&b, "- ");
				md_text(&b, f->v[k].where);
				strbuf_printf(&b, " (%.2f): ", f->v[k].score);
				md_text(&b, f->v[k].text);
				strbuf_putc(&b, '\n');
			}
		}
	}
	fwrite(b.data, 1, b.len, out);
	strbuf_free(&b);
}

static void csv_put(strbuf *b, const char *s, int first)
{
	strbuf_csv_field(b, s, s ? strlen(s) : 0, first);
}

static void csv_fig(strbuf *b, double x)
{
	if (x < 0) strbuf_putc(b, ',');
	else strbuf_printf(b, ",%.4f", x);
}

static void stats_csv(FILE *out, const rstatvec *v, const stats_totals *t)
{
	strbuf b = {0}, cues = {0};
	strbuf_puts(&b, "rule,category,defined,hits,documents,sentences,flagged_sentences,flagged_share,"
			"confirmed,false_positive,unsure,reviewed_precision,gold_hits,gold_tp,"
			"gold_precision,gold_recall,below_threshold,cues\r\n");
	for (size_t i = 0; i < v->n; i++) {
		const rule_stat *r = &v->v[i];
		csv_put(&b, r->id, 1);
		csv_put(&b, r->category, 0);
		strbuf_printf(&b, ",%d,%llu,%llu,%llu,%llu,%.4f,%llu,%llu,%llu", r->defined,
			      (unsigned long long)r->hits, (unsigned long long)r->documents,
			      (unsigned long long)r->sentences, (unsigned long long)r->flagged,
			      share(r->flagged, t->flagged), (unsigned long long)r->confirmed,
			      (unsigned long long)r->false_positive, (unsigned long long)r->unsure);
		csv_fig(&b, reviewed_precision(r));
		if (t->has_gold) strbuf_printf(&b, ",%llu,%llu", (unsigned long long)r->gold.hits,
					       (unsigned long long)r->gold.tp);
		else strbuf_puts(&b, ",,");
		csv_fig(&b, gold_precision(r));
		csv_fig(&b, gold_recall(r));
		strbuf_printf(&b, ",%d", r->below);
		strbuf_reset(&cues);
		for (size_t k = 0; k < r->ctx.n; k++)
			strbuf_printf(&cues, "%s%s=%llu", k ? "; " : "", r->ctx.v[k].cue,
				      (unsigned long long)r->ctx.v[k].n);
		csv_put(&b, cues.data ? cues.data : "", 0);
		strbuf_puts(&b, "\r\n");
	}
	fwrite(b.data, 1, b.len, out);
	strbuf_free(&b);
	strbuf_free(&cues);
}

static json_t *jnum(double x)
{
	return x < 0 ? json_null() : json_real(x);
}

static json_t *fps_json(const fpvec *v, const char *kind)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:s}", "kind", kind, "where",
						   v->v[i].where, "checkworthy", v->v[i].score, "text",
						   v->v[i].text));
	return a;
}

static void stats_json(FILE *out, const stats_options *o, const rstatvec *v, const stats_totals *t)
{
	json_t *root = json_pack("{s:i,s:s,s:s,s:f,s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "version", 1, "tool",
				 PACKAGE_STRING, "database", o->db, "min_precision", o->min_precision,
				 "totals", "documents", (json_int_t)t->documents, "sentences",
				 (json_int_t)t->sentences, "flagged", (json_int_t)t->flagged, "tags",
				 (json_int_t)t->tags, "verdicts", (json_int_t)t->verdicts,
				 "verdicts_current", (json_int_t)t->verdicts_used);
	if (t->has_gold)
		json_object_set_new(root, "gold", json_pack("{s:s,s:I,s:I}", "file", o->gold, "records",
							    (json_int_t)t->gold_records, "skipped",
							    (json_int_t)t->gold_skipped));
	else
		json_object_set_new(root, "gold", json_null());
	json_t *rules = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const rule_stat *r = &v->v[i];
		json_t *ctx = json_array();
		for (size_t k = 0; k < r->ctx.n; k++)
			json_array_append_new(ctx, json_pack("{s:s,s:I}", "cue", r->ctx.v[k].cue, "count",
							     (json_int_t)r->ctx.v[k].n));
		json_t *fps = fps_json(&r->fp_verdict, "verdict"), *gfps = fps_json(&r->fp_gold, "gold");
		json_array_extend(fps, gfps);
		json_decref(gfps);
		json_t *o2 = json_pack(
			"{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:f,s:{s:I,s:I,s:I,s:o},s:o,s:b,s:o}", "rule", r->id,
			"category", r->category, "defined", r->defined, "hits", (json_int_t)r->hits,
			"documents", (json_int_t)r->documents, "sentences", (json_int_t)r->sentences,
			"flagged_sentences", (json_int_t)r->flagged, "flagged_share",
			share(r->flagged, t->flagged), "reviewed", "confirmed", (json_int_t)r->confirmed,
			"false_positive", (json_int_t)r->false_positive, "unsure", (json_int_t)r->unsure,
			"precision", jnum(reviewed_precision(r)), "gold",
			t->has_gold ? json_pack("{s:I,s:I,s:o,s:o}", "hits", (json_int_t)r->gold.hits, "tp",
						(json_int_t)r->gold.tp, "precision", jnum(gold_precision(r)),
						"recall", jnum(gold_recall(r)))
				    : json_null(),
			"below_threshold", r->below, "cues", ctx);
		json_object_set_new(o2, "false_positives", fps);
		json_array_append_new(rules, o2);
	}
	json_object_set_new(root, "rules", rules);
	json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
	fputc('\n', out);
	json_decref(root);
}

static int rules_stats(const ruleset *rs, const stats_options *o)
{
	struct stat sb;
	if (stat(o->db, &sb) != 0) {
		fprintf(stderr, "claimcheck rules stats: no database '%s' (create it with "
				"`claimcheck run PATH...`, or name another with -d DB)\n", o->db);
		return EXIT_USAGE;
	}
	cc_error err;
	store *s = store_open(o->db, STORE_READ, &err);
	if (!s) {
		fprintf(stderr, "claimcheck rules stats: %s\n", err.msg);
		return EXIT_USAGE;
	}
	sqlite3 *db = store_db(s);
	rstatvec v = {0};
	stats_totals t;
	memset(&t, 0, sizeof t);
	int status = EXIT_OK;
	for (size_t i = 0; i < ruleset_size(rs); i++) {
		const rule_info *ri = ruleset_rule(rs, i);
		rstat_get(&v, ri->id, category_name(ri->cat))->defined = 1;
	}
	if (stats_db_counts(db, &v, &t) < 0 ||
	    stats_db_verdicts(db, &v, &t, (size_t)o->examples) < 0 ||
	    stats_db_contexts(db, &v, (size_t)o->contexts) < 0) {
		status = 3;
		goto out;
	}
	/* rules in the database that the rule files no longer have, or
	 * documents analysed with other rules: the hits are not the files' */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM documents WHERE error IS NULL"
				   " AND ruleset_hash IS NOT ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ruleset_hash(rs), -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
			fprintf(stderr, "claimcheck rules stats: note: %lld document%s of %s were analysed "
					"with other rules than %s (rule set %.12s); re-run to update the hits\n",
				(long long)sqlite3_column_int64(st, 0),
				sqlite3_column_int64(st, 0) == 1 ? "" : "s", o->db, "the rule files",
				ruleset_hash(rs));
		sqlite3_finalize(st);
	}
	if (o->gold) {
		int g = stats_gold(rs, o->gold, &v, &t, (size_t)o->examples);
		if (g < 0) {
			status = EXIT_USAGE;
			goto out;
		}
		if (g > 0) status = EXIT_PARTIAL;
	}
	if (o->nonly) {
		size_t w = 0;
		for (size_t i = 0; i < v.n; i++) {
			if (selected(&(rule_info){.id = v.v[i].id}, o->only, o->nonly)) {
				v.v[w++] = v.v[i];
				continue;
			}
			rstat_clear(&v.v[i]);
		}
		v.n = w;
	}
	rstat_rank(&v, o->min_precision);
	switch (o->format) {
	case ST_TEXT: stats_text(stdout, o, &v, &t); break;
	case ST_MD: stats_md(stdout, o, &v, &t); break;
	case ST_CSV: stats_csv(stdout, &v, &t); break;
	case ST_JSON: stats_json(stdout, o, &v, &t); break;
	}
out:
	rstat_free(&v);
	store_close(s);
	return status;
}

/* ---- profile ------------------------------------------------------------ */

enum { PROF_TEXT, PROF_JSON };

typedef struct profiler {
	const ruleset *rs;
	analyzer *az;
	analysis a;
	const char *path; /* the JSONL file being read */
	uint64_t documents, failed, bytes;
	uint64_t *tags; /* per rule: tags kept in the output */
	int status;
} profiler;

static void profile_error(profiler *p, const char *where, long line, const char *msg)
{
	if (line > 0) fprintf(stderr, "claimcheck rules profile: %s:%ld: %s\n", where, line, msg);
	else fprintf(stderr, "claimcheck rules profile: %s: %s\n", where, msg);
	p->failed++;
	p->status = EXIT_PARTIAL;
}

static void profile_document(profiler *p)
{
	analysis *a = &p->a;
	if (analyze_document(p->az, a) != 0) {
		profile_error(p, a->doc.key ? a->doc.key : "?", a->err.line, a->err.msg);
		return;
	}
	p->documents++;
	p->bytes += a->doc.raw_len;
	if (a->warning)
		fprintf(stderr, "claimcheck rules profile: %s: %s\n", a->doc.key, a->warning);
	for (size_t i = 0; i < a->tags.n; i++)
		if (!a->tags.v[i].suppressed) p->tags[a->tags.v[i].rule]++;
}

/* One JSONL record of the file profile_visit reads (p->path). */
static void profile_line(void *ctx, long lineno, const char *line, size_t len)
{
	profiler *p = ctx;
	analysis_reset(&p->a);
	cc_error_clear(&p->a.err);
	if (read_jsonl_record(p->path, lineno, line, len, &p->a.doc, &p->a.err) != 0)
		profile_error(p, p->path, lineno, p->a.err.msg);
	else
		profile_document(p);
}

static int profile_visit(void *ctx, const char *path, doc_format fmt)
{
	profiler *p = ctx;
	if (fmt != FMT_JSONL) {
		analysis_reset(&p->a);
		cc_error_clear(&p->a.err);
		if (read_file(path, fmt, READ_DEFAULT_MAX_BYTES, &p->a.doc, &p->a.err) != 0)
			profile_error(p, path, 0, p->a.err.msg);
		else
			profile_document(p);
		return 0;
	}
	cc_error err;
	p->path = path;
	if (read_lines(path, profile_line, p, &err) != 0) profile_error(p, path, 0, err.msg);
	return 0;
}

static void profile_bad(void *ctx, const char *path, const char *msg)
{
	profile_error(ctx, path, 0, msg);
}

static int cmp_cost_desc(uint64_t ax, uint64_t bx, uint64_t ay, uint64_t by)
{
	if (ax != ay) return ax > ay ? -1 : 1;
	if (bx != by) return bx > by ? -1 : 1;
	return 0;
}

static const tag_profile *sort_prof; /* for the qsort comparators */

static int cmp_prof_rule(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const tag_cost *x = &sort_prof->rules[a], *y = &sort_prof->rules[b];
	int c = cmp_cost_desc(x->ns, x->calls, y->ns, y->calls);
	return c ? c : (a < b ? -1 : a > b);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static double per(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void profile_text(FILE *out, const profiler *p, const tag_profile *tp, uint64_t cpu_ns,
			 const uint32_t *order, size_t n)
{
	const ruleset *rs = p->rs;
	if (p->bytes >= 100000)
		fprintf(out, "%" PRIu64 " documents (%.1f MB)", p->documents, (double)p->bytes / 1e6);
	else
		fprintf(out, "%" PRIu64 " documents (%" PRIu64 " bytes)", p->documents, p->bytes);
	fprintf(out, ", %" PRIu64 " sentences, %.3f s CPU in all\n", tp->sentences, (double)cpu_ns / 1e9);
	fprintf(out, "patterns %.3f s (%.1f%%), word and phrase items %.3f s (%.1f%%), "
		"prefilter %.3f s (%.1f%%)\n\n",
		(double)tp->patterns_ns / 1e9, pct(tp->patterns_ns, cpu_ns),
		(double)tp->items_ns / 1e9, pct(tp->items_ns, cpu_ns),
		(double)tp->prefilter_ns / 1e9, pct(tp->prefilter_ns, cpu_ns));
	fprintf(out, "%6s %10s %9s %9s %9s %8s %7s  %s\n", "share", "time ms", "ns/sent", "sentences",
		"calls", "matches", "tags", "rule / pattern");
	for (size_t k = 0; k < n; k++) {
		uint32_t r = order[k];
		const tag_cost *c = &tp->rules[r];
		fprintf(out, "%5.1f%% %10.2f %9.0f %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %7" PRIu64 "  %s\n",
			pct(c->ns, tp->patterns_ns), (double)c->ns / 1e6, per(c->ns, c->sentences),
			c->sentences, c->calls, c->matches, p->tags[r], ruleset_rule(rs, r)->id);
		size_t npat = 0;
		for (size_t i = 0; i < tp->npatterns; i++) npat += tp->rule[i] == r;
		if (npat < 2) continue; /* the rule's line says it all */
		for (size_t i = 0; i < tp->npatterns; i++) {
			if (tp->rule[i] != r) continue;
			const tag_cost *pc = &tp->patterns[i];
			fprintf(out, "%5.1f%% %10.2f %9.0f %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %7s    %s %u\n",
				pct(pc->ns, tp->patterns_ns), (double)pc->ns / 1e6, per(pc->ns, pc->sentences),
				pc->sentences, pc->calls, pc->matches, "", tp->except[i] ? "except-pattern" : "pattern",
				tp->index[i] + 1);
		}
	}
}

static json_t *cost_json(const tag_cost *c, uint64_t total)
{
	return json_pack("{s:f, s:I, s:I, s:I, s:I}", "share", pct(c->ns, total) / 100.0, "ns",
			 (json_int_t)c->ns, "sentences", (json_int_t)c->sentences, "calls",
			 (json_int_t)c->calls, "matches", (json_int_t)c->matches);
}

static void profile_json(FILE *out, const profiler *p, const tag_profile *tp, uint64_t cpu_ns,
			 const uint32_t *order, size_t n)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "documents",
			      (json_int_t)p->documents, "failed", (json_int_t)p->failed, "bytes",
			      (json_int_t)p->bytes, "sentences", (json_int_t)tp->sentences, "cpu_ns",
			      (json_int_t)cpu_ns, "patterns_ns", (json_int_t)tp->patterns_ns, "items_ns",
			      (json_int_t)tp->items_ns, "prefilter_ns", (json_int_t)tp->prefilter_ns);
	json_t *rules = json_array();
	for (size_t k = 0; k < n; k++) {
		uint32_t r = order[k];
		const rule_info *ri = ruleset_rule(p->rs, r);
		json_t *jr = json_pack("{s:s, s:s}", "rule", ri->id, "category", category_name(ri->cat));
		json_t *c = cost_json(&tp->rules[r], tp->patterns_ns);
		json_object_update(jr, c);
		json_decref(c);
		json_object_set_new(jr, "tags", json_integer((json_int_t)p->tags[r]));
		json_t *pats = json_array();
		for (size_t i = 0; i < tp->npatterns; i++) {
			if (tp->rule[i] != r) continue;
			json_t *jp = cost_json(&tp->patterns[i], tp->patterns_ns);
			json_object_set_new(jp, "pattern", json_integer(tp->index[i] + 1));
			json_object_set_new(jp, "except", json_boolean(tp->except[i]));
			json_array_append_new(pats, jp);
		}
		json_object_set_new(jr, "patterns", pats);
		json_array_append_new(rules, jr);
	}
	json_object_set_new(o, "rules", rules);
	json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

static uint64_t cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int rules_profile(ruleset *rs, const char *const *inputs, size_t ninputs, const char **ids,
			 size_t nids, long top, int format)
{
	for (size_t i = 0; i < ruleset_size(rs); i++)
		if (!selected(ruleset_rule(rs, i), ids, nids)) ruleset_set_enabled(rs, i, 0);
	profiler p = {.rs = rs, .status = EXIT_OK};
	p.az = analyzer_new(rs);
	p.tags = xcalloc(ruleset_size(rs) + 1, sizeof *p.tags);
	tagger *tg = analyzer_tagger(p.az);
	tagger_set_profile(tg, 1);
	uint64_t cpu0 = cpu_now();
	read_walk(inputs, ninputs, profile_visit, profile_bad, &p);
	uint64_t cpu_ns = cpu_now() - cpu0;
	const tag_profile *tp = tagger_profile(tg);

	uint32_t *order = xcalloc(ruleset_size(rs) + 1, sizeof *order);
	size_t n = 0;
	for (size_t i = 0; i < ruleset_size(rs); i++)
		if (ruleset_rule(rs, i)->enabled) order[n++] = (uint32_t)i;
	sort_prof = tp;
	qsort(order, n, sizeof *order, cmp_prof_rule);
	if (top > 0 && (size_t)top < n) n = (size_t)top;
	if (format == PROF_JSON) profile_json(stdout, &p, tp, cpu_ns, order, n);
	else profile_text(stdout, &p, tp, cpu_ns, order, n);
	free(order);
	free(p.tags);
	analysis_free(&p.a);
	analyzer_free(p.az);
	return p.status;
}

static void rules_help(void)
{
	printf("Usage: claimcheck rules check|test|list|stats [OPTIONS]\n"
	       "       claimcheck rules profile [OPTIONS] FILE|DIR...\n\n"
	       "  check   lint the rule files: every problem, file:line:col; exit 2 on errors\n"
	       "  test    run every rule's flag/pass examples; exit 1 if any fails\n"
	       "  list    the rules: id, category, weight, examples, where defined\n"
	       "  stats   per rule, from a database: hits, sentences, flagged sentences and their\n"
	       "          share of all flagged ones, reviewed precision from the verdicts,\n"
	       "          precision and recall against a gold file, the most frequent cues;\n"
	       "          rules below --min-precision first, with their worst false positives\n"
	       "  profile analyse the inputs (text, Markdown, HTML, JSONL; no database) and\n"
	       "          show what each rule costs, costliest first\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "      --rule ID         test, list or show only this rule (repeatable)\n"
	       "  -v, --verbose         test: print every example, not only failures\n"
	       "  -h, --help            show this help\n\n"
	       "Options of stats:\n"
	       "  -d, --db DB           the database (default: claims.db)\n"
	       "      --gold FILE       also score the rules against a gold file (JSONL, as\n"
	       "                        `claimcheck eval` reads it; '-' for standard input)\n"
	       "      --min-precision P list rules whose reviewed or gold precision is below P\n"
	       "                        first (default %.2f)\n"
	       "      --contexts N      the N most frequent cues of each rule (default %d)\n"
	       "      --examples N      the N worst false positives of a rule below the\n"
	       "                        threshold, from the verdicts and from the gold file\n"
	       "                        (default %d)\n"
	       "      --format F        text (default), md, csv or json\n\n"
	       "Options of profile:\n"
	       "      --top N           only the N costliest rules (default: all)\n"
	       "      --format F        text (default) or json\n"
	       "      --rule ID         run and show only this rule (repeatable)\n\n"
	       "profile shows per rule, and under it per pattern (numbered from 1 in the\n"
	       "order of the rule's `pattern` lines, then its `except-pattern` lines):\n"
	       "  share      its part of the time spent in all patterns\n"
	       "  time ms    the time spent running it\n"
	       "  ns/sent    that time per sentence it ran in\n"
	       "  sentences  sentences it ran in: a pattern runs only where its required\n"
	       "             literals occur (the prefilter), an except-pattern only where its\n"
	       "             rule matched\n"
	       "  calls      PCRE2 match calls: one per match plus one per sentence, or,\n"
	       "             for a pattern that opens with a lookbehind for a letter class\n"
	       "             such as (?<![\\p{L}\\p{N}]), one per position where it may start\n"
	       "  matches    matches found, before exceptions and overlaps\n"
	       "  tags       the rule's tags in the output\n"
	       "The heading gives the documents, sentences, the CPU time of the whole\n"
	       "analysis and how much of it went to patterns, word and phrase items (all\n"
	       "rules together) and the literal prefilter. Times are elapsed time, from the\n"
	       "CPU's time-stamp counter (or the monotonic clock), and include the timer's\n"
	       "own cost (some tens of ns per call): on a busy machine they also include\n"
	       "the time the process waited for a CPU, so profile on an idle one and\n"
	       "compare the best of a few runs. The counts do not vary.\n\n"
	       "Reviewed precision counts the verdicts on tags that are still in the database:\n"
	       "a verdict given on a tag counts for its rule; a verdict on a whole sentence\n"
	       "counts for every hedge, speculation and weasel rule that tags the sentence.\n"
	       "Gold figures: a rule's hits are the records it fired in; precision is the share\n"
	       "of them the gold marks positive, recall the share of the positive records.\n\n"
	       "Exit status: 0 ok; 1 rule examples failed (test) or malformed gold records\n"
	       "(stats), or unreadable inputs (profile); 2 usage, rule errors, no database\n"
	       "or gold file; 3 database or output errors.\n",
	       cli_default_rules(), STATS_DEFAULT_MIN_PRECISION, STATS_DEFAULT_CONTEXTS,
	       STATS_DEFAULT_EXAMPLES);
}

int cmd_rules(int argc, char **argv)
{
	enum { OPT_GOLD = 256, OPT_MINP, OPT_CONTEXTS, OPT_EXAMPLES, OPT_FORMAT, OPT_TOP };
	static const struct option longopts[] = {{"rules", required_argument, NULL, 'r'},
						 {"rule", required_argument, NULL, 'R'},
						 {"verbose", no_argument, NULL, 'v'},
						 {"db", required_argument, NULL, 'd'},
						 {"gold", required_argument, NULL, OPT_GOLD},
						 {"min-precision", required_argument, NULL, OPT_MINP},
						 {"contexts", required_argument, NULL, OPT_CONTEXTS},
						 {"examples", required_argument, NULL, OPT_EXAMPLES},
						 {"format", required_argument, NULL, OPT_FORMAT},
						 {"top", required_argument, NULL, OPT_TOP},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	VEC(const char *) only = {0};
	stats_options so = {.db = "claims.db",
			    .min_precision = STATS_DEFAULT_MIN_PRECISION,
			    .contexts = STATS_DEFAULT_CONTEXTS,
			    .examples = STATS_DEFAULT_EXAMPLES,
			    .format = ST_TEXT};
	const char *stats_opt = NULL; /* a stats option, refused with the other actions */
	const char *format_arg = NULL, *top_arg = NULL;
	long top = 0;
	int verbose = 0, c, status = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:vhd:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'R': VEC_PUSH(&only, optarg); break;
		case 'v': verbose = 1; break;
		case 'd':
			so.db = optarg;
			stats_opt = "--db";
			break;
		case OPT_GOLD:
			so.gold = optarg;
			stats_opt = "--gold";
			break;
		case OPT_MINP: {
			char *end;
			errno = 0;
			double p = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(p) || p < 0 || p > 1) {
				cli_usage_error("rules", "--min-precision wants a number from 0 to 1, not '%s'",
						optarg);
				goto out;
			}
			so.min_precision = p;
			stats_opt = "--min-precision";
			break;
		}
		case OPT_CONTEXTS:
		case OPT_EXAMPLES: {
			long n = cli_parse_long(optarg);
			if (n < 0 || n > 1000) {
				cli_usage_error("rules", "%s wants a number from 0 to 1000, not '%s'",
						c == OPT_CONTEXTS ? "--contexts" : "--examples", optarg);
				goto out;
			}
			if (c == OPT_CONTEXTS) so.contexts = n;
			else so.examples = n;
			stats_opt = c == OPT_CONTEXTS ? "--contexts" : "--examples";
			break;
		}
		case OPT_FORMAT:
			if (!strcmp(optarg, "text")) so.format = ST_TEXT;
			else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown")) so.format = ST_MD;
			else if (!strcmp(optarg, "csv")) so.format = ST_CSV;
			else if (!strcmp(optarg, "json")) so.format = ST_JSON;
			else {
				cli_usage_error("rules", "unknown format '%s' (text, md, csv, json)", optarg);
				goto out;
			}
			format_arg = optarg;
			break;
		case OPT_TOP:
			top = cli_parse_long(optarg);
			if (top < 1) {
				cli_usage_error("rules", "--top wants a positive number, not '%s'", optarg);
				goto out;
			}
			top_arg = "--top";
			break;
		case 'h':
			rules_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("rules", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("rules", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind >= argc) {
		cli_usage_error("rules", "give one action: check, test, list, stats or profile");
		goto out;
	}
	const char *action = argv[optind];
	int profile = !strcmp(action, "profile");
	if (strcmp(action, "check") && strcmp(action, "test") && strcmp(action, "list") &&
	    strcmp(action, "stats") && !profile) {
		cli_usage_error("rules", "unknown action '%s' (check, test, list, stats, profile)", action);
		goto out;
	}
	if (profile && optind == argc - 1) {
		cli_usage_error("rules", "profile needs input files or folders");
		goto out;
	}
	if (!profile && optind != argc - 1) {
		cli_usage_error("rules", "give one action: check, test, list, stats or profile");
		goto out;
	}
	if (stats_opt && strcmp(action, "stats")) {
		cli_usage_error("rules", "%s is an option of `rules stats`", stats_opt);
		goto out;
	}
	if (top_arg && !profile) {
		cli_usage_error("rules", "--top is an option of `rules profile`");
		goto out;
	}
	if (format_arg && strcmp(action, "stats") &&
	    !(profile && (so.format == ST_TEXT || so.format == ST_JSON))) {
		if (profile) cli_usage_error("rules", "profile writes text or json, not '%s'", format_arg);
		else cli_usage_error("rules", "--format is an option of `rules stats` and `rules profile`");
		goto out;
	}
	const char *def = cli_default_rules();
	const char *const *paths = rules.n ? rules.v : &def;
	size_t npaths = rules.n ? rules.n : 1;
	diags d = {0};
	ruleset *rs = !strcmp(action, "check") ? ruleset_load_lint(paths, npaths, &d)
					       : ruleset_load(paths, npaths, &d);
	diags_print(&d, stderr);
	if (!rs || d.errors) {
		fprintf(stderr, "claimcheck rules: %zu error%s, %zu warning%s\n", d.errors,
			d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
		ruleset_free(rs);
		diags_free(&d);
		goto out;
	}
	for (size_t i = 0; i < only.n; i++)
		if (ruleset_find(rs, only.v[i]) < 0 && strcmp(action, "stats")) {
			cli_usage_error("rules", "no rule with id '%s'", only.v[i]);
			ruleset_free(rs);
			diags_free(&d);
			goto out;
		}
	if (!strcmp(action, "check")) {
		size_t nex = 0;
		for (size_t i = 0; i < ruleset_size(rs); i++) nex += ruleset_rule(rs, i)->examples.n;
		printf("%zu rules, %zu examples: 0 errors, %zu warning%s (rule set %.12s)\n",
		       ruleset_size(rs), nex, d.warnings, d.warnings == 1 ? "" : "s", ruleset_hash(rs));
		status = EXIT_OK;
	} else if (!strcmp(action, "test")) {
		status = rules_test(rs, only.v, only.n, verbose);
	} else if (profile) {
		status = rules_profile(rs, (const char *const *)argv + optind + 1,
				       (size_t)(argc - optind - 1), only.v, only.n, top,
				       so.format == ST_JSON ? PROF_JSON : PROF_TEXT);
	} else if (!strcmp(action, "stats")) {
		so.only = only.v;
		so.nonly = only.n;
		status = rules_stats(rs, &so);
	} else {
		rules_list(rs, only.v, only.n);
		status = EXIT_OK;
	}
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;
	ruleset_free(rs);
	diags_free(&d);
out:
	VEC_FREE(&rules);
	VEC_FREE(&only);
	return status;
}
