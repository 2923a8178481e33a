/*
 * ruleset.c — load, lint and compile rule files (format: rules/README.md).
 *
 * Reads: rule files and folders of them. Adds: a compiled, read-only rule
 * set (ruleset-int.h): interned word keys and an index of word/phrase
 * items by their first word, PCRE2 patterns compiled once (with %{list}
 * expanded; JIT-compiled on first use, ruleset_jit_compile) and the
 * literal prefilter over them, the segmenter fed from [abbreviations], the scoring
 * weights from [scoring], and a SHA-256 over the files' content and the
 * rule selection.
 *
 * Loading runs in two passes so that every problem is reported: pass 1
 * parses every file (sections, keys, values, examples) and collects the
 * raw match/pattern values; pass 2, once all lists are known, compiles
 * items and patterns. Each problem becomes a diag with file:line:col
 * (columns count characters from 1).
 */
#include "config.h"
#include "ruleset-int.h"
#include "stem.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

/* ---- categories --------------------------------------------------------- */

static const char *const category_names[CAT__COUNT] = {"hedge", "speculation", "weasel", "source"};

const char *category_name(category c)
{
	return (unsigned)c < CAT__COUNT ? category_names[c] : "?";
}

int category_from_name(const char *s)
{
	for (int i = 0; i < CAT__COUNT; i++)
		if (strcmp(s, category_names[i]) == 0) return i;
	return -1;
}

/* ---- loader state ------------------------------------------------------- */

typedef struct raw_val {
	char *text;   /* trimmed value */
	int line, col; /* where text[0] is */
} raw_val;

typedef VEC(raw_val) raw_vals;

typedef struct raw_rule {
	const char *file;
	int line, col;         /* of the id in the header */
	int has_cat, has_weight, has_source, has_note;
	raw_vals match, except, pattern, xpattern;
	VEC(char *) sigs;      /* signatures of items seen, for duplicates */
} raw_rule;

/* A [fragment NAME]: a piece of pattern text that %{NAME} splices into
 * patterns (and into other fragments) at compile time. */
typedef struct raw_frag {
	char *name;
	const char *file;
	int line, col;         /* of the name in the header */
	raw_val pat;           /* text NULL until `pattern` is given */
	int has_note;
	int used;
	int state;             /* cycle check: 0 new, 1 on the stack, 2 done */
	int bad;               /* it does not compile: already reported */
} raw_frag;

enum section { SEC_NONE, SEC_SKIP, SEC_RULE, SEC_LIST, SEC_ABBREV, SEC_SCORING, SEC_FRAG };

typedef struct loader {
	ruleset *rs;
	diags *d;
	stemmer *st;
	tokens toks;
	VEC(raw_rule) raw;     /* parallel to rs->rules */
	VEC(raw_frag) frags;
	VEC(char *) files;     /* paths loaded, owned */
	enum section sec;
	const char *file;
	int line;
	strbuf tmp;
	struct list_exp *lexp; /* per list: its expansions, made once (append_list) */
	struct lmemo *memo;    /* the literal walk's results by group text (pp_group) */
	VEC(const raw_val *) ploc, xploc; /* parallel to rs->patterns, rs->xpatterns */
	VEC(const char *) pfile, xpfile;  /* the files they are in */
	int lint;              /* ruleset_load_lint: the checks only `rules check` makes */
} loader;

#define ERR(L, line, col, ...) diags_add((L)->d, DIAG_ERROR, (L)->file, line, col, __VA_ARGS__)
#define WARN(L, line, col, ...) diags_add((L)->d, DIAG_WARNING, (L)->file, line, col, __VA_ARGS__)

/* Column (1-based, in characters) of p within a line starting at base. */
static int chars_between(const char *base, const char *p)
{
	int n = 0;
	for (const char *q = base; q < p; q++)
		if (((unsigned char)*q & 0xC0) != 0x80) n++;
	return n;
}

static int val_col(const raw_val *v, size_t off)
{
	return v->col + chars_between(v->text, v->text + off);
}

/* Bytes in the UTF-8 character at p (1 for a stray byte). */
static int utf8_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	int n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	for (int i = 1; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80) return i;
	return n;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* ---- key interning ------------------------------------------------------ */

static void keys_grow(ruleset *rs)
{
	uint32_t ncap = rs->keycap ? rs->keycap * 2 : 256;
	rs_key *nk = xcalloc(ncap, sizeof *nk);
	for (uint32_t i = 0; i < rs->keycap; i++) {
		rs_key *k = &rs->keys[i];
		if (!k->id) continue;
		uint32_t j = k->hash & (ncap - 1);
		while (nk[j].id) j = (j + 1) & (ncap - 1);
		nk[j] = *k;
	}
	free(rs->keys);
	rs->keys = nk;
	rs->keycap = ncap;
}

/* Intern (ns, s[0, len)); returns its id (>= 1) and its string offset. */
static uint32_t key_intern(ruleset *rs, uint8_t ns, const char *s, size_t len, uint32_t *stroff)
{
	uint32_t id = rs_key_find(rs, ns, s, len);
	uint32_t h = rs_hash(ns, s, len);
	if (id) {
		for (uint32_t i = h & (rs->keycap - 1);; i = (i + 1) & (rs->keycap - 1))
			if (rs->keys[i].id == id) {
				if (stroff) *stroff = rs->keys[i].str;
				return id;
			}
	}
	if ((rs->nkeys + 1) * 2 > rs->keycap) keys_grow(rs);
	uint32_t i = h & (rs->keycap - 1);
	while (rs->keys[i].id) i = (i + 1) & (rs->keycap - 1);
	rs_key *k = &rs->keys[i];
	k->hash = h;
	k->id = ++rs->nkeys;
	k->ns = ns;
	k->len = (uint32_t)len;
	k->str = (uint32_t)rs->keystr.len;
	strbuf_append(&rs->keystr, s, len);
	strbuf_putc(&rs->keystr, '\0');
	if (stroff) *stroff = k->str;
	return k->id;
}

/* ---- pass 1: parsing ---------------------------------------------------- */

static raw_rule *cur_rule(loader *L)
{
	return &L->raw.v[L->raw.n - 1];
}

static rule_info *cur_info(loader *L)
{
	return &L->rs->rules.v[L->rs->rules.n - 1];
}

static void end_section(loader *L)
{
	if (L->sec == SEC_FRAG) {
		raw_frag *f = &L->frags.v[L->frags.n - 1];
		if (!f->pat.text)
			diags_add(L->d, DIAG_ERROR, f->file, f->line, f->col,
				  "fragment `%s` has no `pattern`", f->name);
	}
	if (L->sec == SEC_RULE) {
		raw_rule *r = cur_rule(L);
		rule_info *ri = cur_info(L);
		if (!r->has_cat)
			diags_add(L->d, DIAG_ERROR, r->file, r->line, r->col,
				  "rule `%s` has no `category` (hedge, speculation, weasel or source)", ri->id);
		if (!r->match.n && !r->pattern.n)
			diags_add(L->d, DIAG_ERROR, r->file, r->line, r->col,
				  "rule `%s` has no `match` or `pattern`", ri->id);
		if (r->has_source && r->has_cat && ri->cat != CAT_SOURCE)
			diags_add(L->d, DIAG_WARNING, r->file, r->line, r->col,
				  "rule `%s`: `source` only matters for category source", ri->id);
	}
	L->sec = SEC_NONE;
}

/* Check an id or list name; returns 0 or reports and returns -1. */
static int check_name(loader *L, const char *what, const char *s, const char *line, int empty_col)
{
	if (!*s) {
		ERR(L, L->line, empty_col, "%s needed", what);
		return -1;
	}
	for (const char *p = s; *p; p++)
		if (!is_id_char(*p)) {
			ERR(L, L->line, chars_between(line, p) + 1,
			    "`%.*s` is not allowed in a %s (letters, digits, '.', '_' and '-')",
			    utf8_len(p), p, what);
			return -1;
		}
	return 0;
}

static void start_section(loader *L, char *line, char *p)
{
	end_section(L);
	L->sec = SEC_SKIP;
	char *close = strrchr(p, ']');
	if (!close) {
		ERR(L, L->line, chars_between(line, p + strlen(p)) + 1,
		    "section header needs a closing `]`");
		return;
	}
	for (char *q = close + 1; *q; q++)
		if (!is_space(*q)) {
			ERR(L, L->line, chars_between(line, q) + 1, "unexpected text after section header");
			return;
		}
	*close = '\0';
	char *w = p + 1;
	while (is_space(*w)) w++;
	char *we = w;
	while (*we && !is_space(*we)) we++;
	char *arg = we;
	while (is_space(*arg)) arg++;
	char *ae = arg + strlen(arg);
	while (ae > arg && is_space(ae[-1])) ae--;
	*ae = '\0';
	size_t wl = (size_t)(we - w);
	int wcol = chars_between(line, w) + 1;
	int acol = chars_between(line, arg) + 1;

	if (wl == 4 && memcmp(w, "rule", 4) == 0) {
		if (check_name(L, "rule id", arg, line, acol) < 0) return;
		ruleset *rs = L->rs;
		for (size_t i = 0; i < rs->rules.n; i++)
			if (strcmp(rs->rules.v[i].id, arg) == 0) {
				ERR(L, L->line, acol, "duplicate rule id `%s` (first defined at %s:%d)", arg,
				    rs->rules.v[i].file, rs->rules.v[i].line);
				break;
			}
		rule_info ri = {0};
		ri.id = xstrdup(arg);
		ri.cat = CAT_HEDGE;
		ri.weight = 0.5;
		ri.skind = SOURCE_NAMED;
		ri.file = xstrdup(L->file);
		ri.line = L->line;
		ri.enabled = 1;
		VEC_PUSH(&rs->rules, ri);
		raw_rule rr = {0};
		rr.file = L->files.v[L->files.n - 1];
		rr.line = L->line;
		rr.col = acol;
		VEC_PUSH(&L->raw, rr);
		L->sec = SEC_RULE;
	} else if (wl == 4 && memcmp(w, "list", 4) == 0) {
		if (check_name(L, "list name", arg, line, acol) < 0) return;
		ruleset *rs = L->rs;
		for (size_t i = 0; i < rs->lists.n; i++)
			if (strcmp(rs->lists.v[i].name, arg) == 0) {
				ERR(L, L->line, acol, "duplicate list `%s` (first defined at %s:%d)", arg,
				    rs->lists.v[i].file, rs->lists.v[i].line);
				return;
			}
		rs_list li = {0};
		li.name = xstrdup(arg);
		li.file = xstrdup(L->file);
		li.line = L->line;
		VEC_PUSH(&rs->lists, li);
		L->sec = SEC_LIST;
	} else if (wl == 8 && memcmp(w, "fragment", 8) == 0) {
		if (check_name(L, "fragment name", arg, line, acol) < 0) return;
		for (size_t i = 0; i < L->frags.n; i++)
			if (strcmp(L->frags.v[i].name, arg) == 0) {
				ERR(L, L->line, acol, "duplicate fragment `%s` (first defined at %s:%d)", arg,
				    L->frags.v[i].file, L->frags.v[i].line);
				return;
			}
		raw_frag f = {0};
		f.name = xstrdup(arg);
		f.file = L->files.v[L->files.n - 1];
		f.line = L->line;
		f.col = acol;
		VEC_PUSH(&L->frags, f);
		L->sec = SEC_FRAG;
	} else if ((wl == 13 && memcmp(w, "abbreviations", 13) == 0) ||
		   (wl == 7 && memcmp(w, "scoring", 7) == 0)) {
		if (*arg) {
			ERR(L, L->line, acol, "[%.*s] takes no name", (int)wl, w);
			return;
		}
		L->sec = wl == 7 ? SEC_SCORING : SEC_ABBREV;
	} else {
		ERR(L, L->line, wcol,
		    "unknown section `[%.*s]` (expected [rule ID], [list NAME], [fragment NAME], "
		    "[abbreviations] or [scoring])",
		    (int)wl, w);
	}
}

static int parse_number(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v)) return -1;
	*out = v;
	return 0;
}

/* Split "a | b | c" at '|'; calls fn for each trimmed item with its offset. */
typedef void (*item_fn)(loader *L, void *ctx, const raw_val *v, size_t a, size_t b);

static void split_items(loader *L, void *ctx, const raw_val *v, item_fn fn)
{
	const char *s = v->text;
	size_t n = strlen(s), i = 0;
	for (;;) {
		size_t a = i;
		while (i < n && s[i] != '|') i++;
		size_t b = i;
		while (a < b && is_space(s[a])) a++;
		while (b > a && is_space(s[b - 1])) b--;
		if (a == b)
			ERR(L, v->line, val_col(v, a < n ? a : n), "empty item");
		else
			fn(L, ctx, v, a, b);
		if (i >= n) break;
		i++;
	}
}

static void list_item(loader *L, void *ctx, const raw_val *v, size_t a, size_t b)
{
	rs_list *li = ctx;
	char *item = xstrndup(v->text + a, b - a);
	for (size_t i = 0; i < li->items.n; i++)
		if (strcmp(li->items.v[i], item) == 0) {
			WARN(L, v->line, val_col(v, a), "item `%s` is listed twice in list `%s`", item,
			     li->name);
			free(item);
			return;
		}
	VEC_PUSH(&li->items, item);
}

static void abbrev_item(loader *L, void *ctx, const raw_val *v, size_t a, size_t b)
{
	const char *key = ctx;
	char *item = xstrndup(v->text + a, b - a);
	cc_error err;
	cc_error_clear(&err);
	if (segmenter_add(L->rs->seg, key, item, &err) < 0)
		ERR(L, v->line, val_col(v, a), "%s", err.msg[0] ? err.msg : "bad abbreviation");
	free(item);
}

/* flag/pass: "TEXT" or, for flag, "TEXT => source: X; role: Y; cue: Z". */
static void parse_example(loader *L, rule_info *ri, const raw_val *v, int should_flag)
{
	rule_example ex = {0};
	ex.should_flag = should_flag;
	ex.line = v->line;
	const char *s = v->text;
	const char *arrow = NULL;
	for (const char *p = strstr(s, "=>"); p; p = strstr(p + 1, "=>")) arrow = p;
	if (!arrow) {
		ex.text = xstrdup(s);
		VEC_PUSH(&ri->examples, ex);
		return;
	}
	int bad = 0;
	if (!should_flag) {
		ERR(L, v->line, val_col(v, (size_t)(arrow - s)),
		    "`pass` examples take no `=>` captures");
		bad = 1;
	}
	size_t tl = (size_t)(arrow - s);
	while (tl && is_space(s[tl - 1])) tl--;
	if (!tl) {
		ERR(L, v->line, v->col, "example text missing before `=>`");
		bad = 1;
	}
	ex.text = xstrndup(s, tl);
	const char *p = arrow + 2;
	int any = 0;
	while (!bad) {
		while (is_space(*p)) p++;
		const char *part = p;
		while (*p && *p != ';') p++;
		const char *pe = p;
		while (pe > part && is_space(pe[-1])) pe--;
		int col = val_col(v, (size_t)(part - s));
		if (pe == part) {
			if (*p == ';' || !any) {
				ERR(L, v->line, col, "expected `source: TEXT`, `role: TEXT` or `cue: TEXT` after `=>`");
				bad = 1;
			}
			break;
		}
		const char *colon = memchr(part, ':', (size_t)(pe - part));
		char **dst = NULL;
		size_t kl = colon ? (size_t)(colon - part) : 0;
		while (kl && is_space(part[kl - 1])) kl--;
		if (colon && kl == 6 && memcmp(part, "source", 6) == 0) dst = &ex.expect_source;
		else if (colon && kl == 4 && memcmp(part, "role", 4) == 0) dst = &ex.expect_role;
		else if (colon && kl == 3 && memcmp(part, "cue", 3) == 0) dst = &ex.expect_cue;
		if (!dst) {
			ERR(L, v->line, col, "expected `source: TEXT`, `role: TEXT` or `cue: TEXT` after `=>`, not `%.*s`",
			    (int)(pe - part), part);
			bad = 1;
			break;
		}
		const char *val = colon + 1;
		while (val < pe && is_space(*val)) val++;
		if (val == pe) {
			ERR(L, v->line, val_col(v, (size_t)(colon - s)) + 1, "`%.*s:` needs a text", (int)kl, part);
			bad = 1;
			break;
		}
		if (*dst) {
			ERR(L, v->line, col, "`%.*s:` given twice", (int)kl, part);
			bad = 1;
			break;
		}
		*dst = xstrndup(val, (size_t)(pe - val));
		any = 1;
		if (!*p) break;
		p++;
	}
	VEC_PUSH(&ri->examples, ex);
}

static void rule_key(loader *L, const char *key, int kcol, raw_val *v)
{
	raw_rule *r = cur_rule(L);
	rule_info *ri = cur_info(L);
	if (strcmp(key, "category") == 0) {
		if (r->has_cat) ERR(L, L->line, kcol, "`category` given twice");
		int c = category_from_name(v->text);
		if (c < 0)
			ERR(L, L->line, v->col,
			    "unknown category `%s` (expected hedge, speculation, weasel or source)", v->text);
		else
			ri->cat = (category)c;
		r->has_cat = 1;
	} else if (strcmp(key, "weight") == 0) {
		double w;
		if (r->has_weight) ERR(L, L->line, kcol, "`weight` given twice");
		r->has_weight = 1;
		if (parse_number(v->text, &w) < 0 || w < 0 || w > 1)
			ERR(L, L->line, v->col, "weight must be a number from 0 to 1, not `%s`", v->text);
		else
			ri->weight = w;
	} else if (strcmp(key, "source") == 0) {
		if (r->has_source) ERR(L, L->line, kcol, "`source` given twice");
		r->has_source = 1;
		if (strcmp(v->text, "named") == 0) ri->skind = SOURCE_NAMED;
		else if (strcmp(v->text, "anonymous") == 0) ri->skind = SOURCE_ANONYMOUS;
		else if (strcmp(v->text, "auto") == 0) ri->skind = SOURCE_AUTO;
		else ERR(L, L->line, v->col, "`source` must be named, anonymous or auto, not `%s`", v->text);
	} else if (strcmp(key, "note") == 0) {
		if (r->has_note) ERR(L, L->line, kcol, "`note` given twice");
		r->has_note = 1;
		free(ri->note);
		ri->note = xstrdup(v->text);
	} else if (strcmp(key, "match") == 0) {
		VEC_PUSH(&r->match, *v);
		v->text = NULL;
	} else if (strcmp(key, "except") == 0) {
		VEC_PUSH(&r->except, *v);
		v->text = NULL;
	} else if (strcmp(key, "pattern") == 0) {
		VEC_PUSH(&r->pattern, *v);
		v->text = NULL;
	} else if (strcmp(key, "except-pattern") == 0) {
		VEC_PUSH(&r->xpattern, *v);
		v->text = NULL;
	} else if (strcmp(key, "flag") == 0) {
		parse_example(L, ri, v, 1);
	} else if (strcmp(key, "pass") == 0) {
		parse_example(L, ri, v, 0);
	} else {
		ERR(L, L->line, kcol,
		    "unknown key `%s` in a rule (expected category, weight, match, pattern, except, "
		    "except-pattern, source, note, flag or pass)", key);
	}
}

static void key_line(loader *L, char *line, char *p)
{
	char *eq = strchr(p, '=');
	int kcol = chars_between(line, p) + 1;
	if (!eq) {
		ERR(L, L->line, kcol, "expected `key = value`");
		return;
	}
	if (L->sec == SEC_SKIP) return;
	if (L->sec == SEC_NONE) {
		ERR(L, L->line, kcol, "`key = value` line outside a section");
		L->sec = SEC_SKIP;
		return;
	}
	char *ke = eq;
	while (ke > p && is_space(ke[-1])) ke--;
	*ke = '\0';
	if (!*p) {
		ERR(L, L->line, kcol, "missing key before `=`");
		return;
	}
	char *val = eq + 1;
	while (is_space(*val)) val++;
	char *ve = val + strlen(val);
	while (ve > val && is_space(ve[-1])) ve--;
	*ve = '\0';
	raw_val v = {val, L->line, chars_between(line, val) + 1};
	if (!*val) {
		ERR(L, L->line, chars_between(line, eq) + 2, "`%s` has no value", p);
		return;
	}

	switch (L->sec) {
	case SEC_RULE:
		v.text = xstrdup(val);
		rule_key(L, p, kcol, &v);
		free(v.text);
		break;
	case SEC_FRAG: {
		raw_frag *f = &L->frags.v[L->frags.n - 1];
		if (strcmp(p, "pattern") == 0) {
			if (f->pat.text) {
				ERR(L, L->line, kcol, "`pattern` given twice (a fragment is one line)");
				return;
			}
			f->pat = v;
			f->pat.text = xstrdup(val);
		} else if (strcmp(p, "note") == 0) {
			if (f->has_note) ERR(L, L->line, kcol, "`note` given twice");
			f->has_note = 1;
		} else {
			ERR(L, L->line, kcol, "unknown key `%s` in a fragment (expected pattern or note)", p);
		}
		break;
	}
	case SEC_LIST:
		if (strcmp(p, "items") != 0) {
			ERR(L, L->line, kcol, "unknown key `%s` in a list (expected items)", p);
			return;
		}
		split_items(L, &L->rs->lists.v[L->rs->lists.n - 1], &v, list_item);
		break;
	case SEC_ABBREV:
		if (!segmenter_has_key(p)) {
			ERR(L, L->line, kcol, "unknown key `%s` in [abbreviations] (see rules/README.md)", p);
			return;
		}
		split_items(L, p, &v, abbrev_item);
		break;
	case SEC_SCORING: {
		double x;
		cc_error err;
		if (parse_number(val, &x) < 0) {
			ERR(L, L->line, v.col, "`%s` needs a number, not `%s`", p, val);
			return;
		}
		cc_error_clear(&err);
		if (score_weights_set(&L->rs->weights, p, x, &err) < 0)
			ERR(L, L->line, kcol, "%s", err.msg[0] ? err.msg : "bad scoring key");
		break;
	}
	default:
		break;
	}
}

static void parse_text(loader *L, char *buf, size_t len)
{
	size_t i = 0;
	L->line = 0;
	L->sec = SEC_NONE;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) i = 3;
	while (i < len) {
		size_t a = i;
		while (i < len && buf[i] != '\n') i++;
		size_t b = i;
		if (i < len) i++;
		L->line++;
		if (b > a && buf[b - 1] == '\r') b--;
		strbuf_reset(&L->tmp);
		strbuf_append(&L->tmp, buf + a, b - a);
		char *line = L->tmp.data;
		if (memchr(line, '\0', b - a)) {
			ERR(L, L->line, 0, "NUL byte in rule file");
			continue;
		}
		char *p = line;
		while (is_space(*p)) p++;
		if (!*p || *p == '#') continue;
		if (*p == '[') {
			char *e = p + strlen(p);
			while (e > p && is_space(e[-1])) e--;
			*e = '\0';
			start_section(L, line, p);
		} else {
			key_line(L, line, p);
		}
	}
	end_section(L);
}

static void load_file(loader *L, const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		diags_add(L->d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	strbuf content = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) strbuf_append(&content, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		diags_add(L->d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
		strbuf_free(&content);
		return;
	}
	char head[64];
	int hl = snprintf(head, sizeof head, "file %zu\n", content.len);
	sha256_update(&L->rs->content, head, (size_t)hl);
	if (content.len) sha256_update(&L->rs->content, content.data, content.len);

	VEC_PUSH(&L->files, xstrdup(path));
	L->file = L->files.v[L->files.n - 1];
	parse_text(L, content.data ? content.data : (char *)"", content.len);
	strbuf_free(&content);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_path(loader *L, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0) {
		diags_add(L->d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		load_file(L, path);
		return;
	}
	DIR *dir = opendir(path);
	if (!dir) {
		diags_add(L->d, DIAG_ERROR, path, 0, 0, "cannot open folder: %s", strerror(errno));
		return;
	}
	VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(dir))) {
		size_t nl = strlen(de->d_name);
		if (nl > 6 && de->d_name[0] != '.' && strcmp(de->d_name + nl - 6, ".rules") == 0)
			VEC_PUSH(&names, xstrdup(de->d_name));
	}
	closedir(dir);
	if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
	if (!names.n) diags_add(L->d, DIAG_WARNING, path, 0, 0, "no *.rules files in this folder");
	size_t pl = strlen(path);
	for (size_t i = 0; i < names.n; i++) {
		char *full = xasprintf("%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", names.v[i]);
		load_file(L, full);
		free(full);
		free(names.v[i]);
	}
	VEC_FREE(&names);
}

/* ---- pass 2: lists, items, patterns ------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static long find_list(const ruleset *rs, const char *name, size_t len)
{
	for (size_t i = 0; i < rs->lists.n; i++)
		if (strlen(rs->lists.v[i].name) == len && memcmp(rs->lists.v[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

static void compile_lists(loader *L)
{
	ruleset *rs = L->rs;
	for (size_t i = 0; i < rs->lists.n; i++) {
		rs_list *li = &rs->lists.v[i];
		for (size_t j = 0; j < li->items.n; j++) {
			const char *it = li->items.v[j];
			stem_tokenize(L->st, it, 0, (uint32_t)strlen(it), &L->toks);
			if (L->toks.t.n != 1) continue;
			const token *t = &L->toks.t.v[0];
			uint32_t id = key_intern(rs, NS_STEM, token_stem(&L->toks, t), t->stem_len, NULL);
			VEC_PUSH(&li->stems, id * 2 + ((t->flags & TOK_CAP) ? 1 : 0));
		}
		if (li->stems.n) {
			/* one entry per id; capitalized wins (it matches names too) */
			qsort(li->stems.v, li->stems.n, sizeof *li->stems.v, cmp_u32);
			size_t k = 0;
			for (size_t j = 0; j < li->stems.n; j++) {
				if (k && li->stems.v[k - 1] >> 1 == li->stems.v[j] >> 1) k--;
				li->stems.v[k++] = li->stems.v[j];
			}
			li->stems.n = k;
		}
	}
}

/* Is the character at s[i] allowed in an item word (apart from the
 * = * _ @ markers)? Letters, marks, digits, apostrophes, hyphens and
 * periods are; *len gets its length in bytes. */
static int item_char_ok(const char *s, size_t i, size_t n, size_t *len)
{
	unsigned char c = (unsigned char)s[i];
	*len = 1;
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       c == '\'' || c == '-' || c == '.';
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
	if (k <= 0) return 0;
	*len = (size_t)k;
	if (cp == 0x2019 || cp == 0x02BC || cp == 0x2010 || cp == 0x2011) return 1;
	utf8proc_category_t cat = utf8proc_category(cp);
	return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

typedef struct item_ctx {
	raw_rule *rr;
	uint32_t rule;
	int except;
} item_ctx;

static void compile_item(loader *L, void *ctx, const raw_val *v, size_t a, size_t b)
{
	item_ctx *ic = ctx;
	raw_rule *rr = ic->rr;
	int except = ic->except;
	uint32_t rule = ic->rule;
	ruleset *rs = L->rs;
	const char *s = v->text;
	size_t elem0 = rs->elems.n;
	int bad = 0, words = 0;
	strbuf sig = {0};

	strbuf_printf(&sig, "%d", except); /* then each word's mode, key and case */
	size_t i = a;
	while (i < b && !bad) {
		while (i < b && is_space(s[i])) i++;
		if (i >= b) break;
		size_t wa = i;
		while (i < b && !is_space(s[i])) i++;
		size_t wb = i;
		int col = val_col(v, wa);
		rs_elem el = {0};

		if (wb - wa == 1 && s[wa] == '_') {
			el.mode = EL_ANY;
			VEC_PUSH(&rs->elems, el);
			strbuf_puts(&sig, " _");
			continue;
		}
		if (s[wa] == '@') {
			long li = wb - wa > 1 ? find_list(rs, s + wa + 1, wb - wa - 1) : -1;
			if (li < 0) {
				ERR(L, v->line, col, "unknown list `%.*s`", (int)(wb - wa), s + wa);
				bad = 1;
				break;
			}
			if (!rs->lists.v[li].stems.n) {
				ERR(L, v->line, col, "list `%s` has no single-word items for `@%s`",
				    rs->lists.v[li].name, rs->lists.v[li].name);
				bad = 1;
				break;
			}
			rs->lists.v[li].used = 1;
			el.mode = EL_LIST;
			el.id = (uint32_t)li;
			VEC_PUSH(&rs->elems, el);
			strbuf_printf(&sig, " @%ld", li);
			words++;
			continue;
		}
		int mode = EL_STEM;
		size_t ca = wa, cb = wb;
		if (s[ca] == '=') {
			mode = EL_EXACT;
			ca++;
		}
		if (cb > ca && s[cb - 1] == '*') {
			if (mode == EL_EXACT) {
				ERR(L, v->line, col, "`=` and `*` cannot be combined in `%.*s`",
				    (int)(wb - wa), s + wa);
				bad = 1;
				break;
			}
			mode = EL_PREFIX;
			cb--;
		}
		if (ca == cb) {
			ERR(L, v->line, col, "`%.*s` has no word", (int)(wb - wa), s + wa);
			bad = 1;
			break;
		}
		for (size_t k = ca; k < cb;) {
			size_t cl;
			if (!item_char_ok(s, k, cb, &cl)) {
				ERR(L, v->line, val_col(v, k),
				    "unexpected `%.*s` in an item (items are words; use `pattern` for anything else)",
				    (int)cl, s + k);
				bad = 1;
				break;
			}
			k += cl;
		}
		if (bad) break;
		stem_tokenize(L->st, s, (uint32_t)ca, (uint32_t)cb, &L->toks);
		if (L->toks.t.n == 0 || L->toks.t.v[0].start != ca ||
		    L->toks.t.v[L->toks.t.n - 1].end != cb) {
			ERR(L, v->line, col, "`%.*s` is not a word", (int)(wb - wa), s + wa);
			bad = 1;
			break;
		}
		for (size_t k = 0; k < L->toks.t.n; k++) {
			const token *t = &L->toks.t.v[k];
			int m = mode;
			if (mode == EL_PREFIX && k + 1 < L->toks.t.n) m = EL_EXACT;
			el.mode = (uint8_t)m;
			el.nocap = !(t->flags & TOK_CAP);
			if (m == EL_STEM) {
				el.id = key_intern(rs, NS_STEM, token_stem(&L->toks, t), t->stem_len, NULL);
				strbuf_printf(&sig, " s%u%s", el.id, el.nocap ? "" : "C");
			} else if (m == EL_EXACT) {
				el.id = key_intern(rs, NS_EXACT, token_lower(&L->toks, t), t->lower_len, NULL);
				strbuf_printf(&sig, " e%u%s", el.id, el.nocap ? "" : "C");
			} else {
				el.id = key_intern(rs, NS_PREFIX, token_lower(&L->toks, t), t->lower_len, &el.str);
				el.len = t->lower_len;
				strbuf_printf(&sig, " p%u%s", el.id, el.nocap ? "" : "C");
			}
			VEC_PUSH(&rs->elems, el);
			words++;
		}
	}
	size_t nelem = rs->elems.n - elem0;
	if (!bad && !words) {
		ERR(L, v->line, val_col(v, a), "an item needs a word other than `_`");
		bad = 1;
	}
	if (!bad && nelem > 64) {
		ERR(L, v->line, val_col(v, a), "item too long (more than 64 words)");
		bad = 1;
	}
	if (bad) {
		rs->elems.n = elem0;
		strbuf_free(&sig);
		return;
	}
	for (size_t k = 0; k < rr->sigs.n; k++)
		if (strcmp(rr->sigs.v[k], sig.data) == 0) {
			WARN(L, v->line, val_col(v, a),
			     "item `%.*s` matches the same words as an earlier item of rule `%s`%s",
			     (int)(b - a), s + a, rs->rules.v[rule].id,
			     memchr(s + a, '-', b - a) ? " (hyphens split words)" : "");
			rs->elems.n = elem0;
			strbuf_free(&sig);
			return;
		}
	VEC_PUSH(&rr->sigs, strbuf_steal(&sig));
	rs_item it = {rule, (uint32_t)elem0, (uint16_t)nelem, (uint8_t)except};
	VEC_PUSH(&rs->items, it);
	if (nelem > rs->max_elems) rs->max_elems = (uint32_t)nelem;
	if (except) rs->rx.v[rule].nexcept++;
}

/* Offsets in an expanded pattern -> offsets in the value as written. */
typedef struct seg_map {
	size_t exp, src;
	int literal; /* 1: copied as written; 0: a %{list} expansion */
} seg_map;
typedef VEC(seg_map) seg_maps;

static size_t map_offset(const seg_maps *m, size_t off)
{
	size_t src = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].exp > off) break;
		src = m->v[i].literal ? m->v[i].src + (off - m->v[i].exp) : m->v[i].src;
	}
	return src;
}

static int cmp_len_desc(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	if (x != y) return x < y ? 1 : -1;
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void append_literal(strbuf *out, const char *s)
{
	int space = 0;
	for (; *s; s++) {
		if (is_space(*s)) {
			space = 1;
			continue;
		}
		if (space) {
			strbuf_puts(out, "\\s+");
			space = 0;
		}
		if (strchr("\\^$.|?*+()[]{}#/-", *s)) strbuf_putc(out, '\\');
		strbuf_putc(out, *s);
	}
}

/*
 * A list as a trie of alternatives: `(?:said|says|sank)` becomes
 * `(?:sa(?:(?:i|y)s|nk))`-like groups, so PCRE2 tests each character once
 * instead of once per item. This keeps the flat alternation's meaning:
 * items are plain literals, so at any node at most one child can match
 * the next character (children whose characters differ only in case are
 * not factored, as (?i) may be in force), and an item that ends at a node
 * comes after the longer items through it, as in the longest-first flat
 * order. Space runs are \s+ (as in append_literal). Under (?i) items are
 * lower-cased first (duplicates then match the same text). Only ASCII lists whose
 * longest-first order is also the order of their canonical lengths are
 * factored, and never inside a lookbehind, where PCRE2 needs each branch
 * to have a fixed length.
 */
#define TRIE_SPACE '\x01'

/* The item as trie units: a space run (not at the end) is TRIE_SPACE. */
static void trie_canon(const char *s, strbuf *out)
{
	int space = 0;
	strbuf_reset(out);
	for (; *s; s++) {
		if (is_space(*s)) {
			space = 1;
			continue;
		}
		if (space) strbuf_putc(out, TRIE_SPACE);
		space = 0;
		strbuf_putc(out, *s);
	}
	if (!out->data) strbuf_puts(out, "");
}

static void trie_unit(strbuf *out, char c)
{
	if (c == TRIE_SPACE) {
		strbuf_puts(out, "\\s+");
		return;
	}
	if (strchr("\\^$.|?*+()[]{}#/-", c)) strbuf_putc(out, '\\');
	strbuf_putc(out, c);
}

static int ascii_lower_c(char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Emit items it[0..n) (canonical, longest first), all equal before byte k. */
static void trie_emit(strbuf *out, char **it, size_t n, size_t k)
{
	int end = 0;
	char kids[256];
	size_t nk = 0, rest = 0;
	int clash = 0;
	for (size_t i = 0; i < n; i++) {
		char c = it[i][k];
		if (!c) {
			end = 1;
			continue;
		}
		rest++;
		size_t j = 0;
		while (j < nk && kids[j] != c) j++;
		if (j < nk) continue;
		for (size_t x = 0; x < nk; x++)
			if (ascii_lower_c(kids[x]) == ascii_lower_c(c)) clash = 1;
		kids[nk++] = c;
	}
	if (!rest) return;
	if (clash) {
		/* case variants side by side: the suffixes, flat, in list order */
		strbuf_puts(out, "(?:");
		int first = 1;
		for (size_t i = 0; i < n; i++) {
			if (!it[i][k]) continue;
			if (!first) strbuf_putc(out, '|');
			first = 0;
			for (const char *p = it[i] + k; *p; p++) trie_unit(out, *p);
		}
		strbuf_puts(out, end ? "|)" : ")");
		return;
	}
	if (nk == 1 && !end) {
		trie_unit(out, kids[0]);
		char **sub = xmalloc(n * sizeof *sub);
		for (size_t i = 0; i < n; i++) sub[i] = it[i];
		trie_emit(out, sub, n, k + 1);
		free(sub);
		return;
	}
	strbuf_puts(out, "(?:");
	char **sub = xmalloc(n * sizeof *sub);
	for (size_t x = 0; x < nk; x++) {
		if (x) strbuf_putc(out, '|');
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (it[i][k] == kids[x]) sub[m++] = it[i];
		trie_unit(out, kids[x]);
		trie_emit(out, sub, m, k + 1);
	}
	free(sub);
	strbuf_puts(out, end ? ")?" : ")");
}

/* Append the items (sorted longest first) as a trie; 0 if they do not
 * qualify (the caller then writes the flat alternation). Under (?i), the
 * items are compared in lower case (they match the same text), so
 * "CEO" and "chief" share a node. */
static int append_list_trie(strbuf *out, char *const *sorted, size_t n, int caseless)
{
	char **canon = xcalloc(n + 1, sizeof *canon);
	strbuf b = {0};
	int ok = 1;
	size_t prev = SIZE_MAX;
	for (size_t i = 0; i < n && ok; i++) {
		for (const char *p = sorted[i]; *p; p++)
			if ((unsigned char)*p >= 0x80 || *p == TRIE_SPACE) ok = 0;
		trie_canon(sorted[i], &b);
		if (caseless)
			for (size_t k = 0; k < b.len; k++) b.data[k] = (char)ascii_lower_c(b.data[k]);
		if (b.len > prev) ok = 0;
		prev = b.len;
		canon[i] = xstrdup(b.data);
	}
	if (ok) {
		strbuf_puts(out, "(?:");
		trie_emit(out, canon, n, 0);
		strbuf_putc(out, ')');
	}
	for (size_t i = 0; i < n; i++) free(canon[i]);
	free(canon);
	strbuf_free(&b);
	return ok;
}

/* Where s[at] stands: inside a lookbehind (*lb), under (?i) (*caseless).
 * A scan of the groups and option settings before it; anything it does not
 * follow counts as a lookbehind (no trie) and as case-sensitive. */
static void pattern_context(const char *s, size_t at, int *lb, int *caseless)
{
	enum { MAXD = 256 };
	unsigned char is_lb[MAXD], ci[MAXD]; /* per open group; ci[depth] is the current scope */
	size_t depth = 0, nlb = 0;
	ci[0] = 0;
	*lb = 1;
	*caseless = 0;
	for (size_t i = 0; i < at; i++) {
		char c = s[i];
		if (c == '\\') {
			if (s[i + 1] == 'Q') {
				const char *e = strstr(s + i + 2, "\\E");
				if (!e || (size_t)(e - s) >= at) return;
				i = (size_t)(e - s) + 1;
			} else if (s[i + 1]) {
				i++;
			}
			continue;
		}
		if (c == '[') {
			size_t j = i + 1;
			if (s[j] == '^') j++;
			if (s[j] == ']') j++;
			while (j < at && s[j] != ']') {
				if (s[j] == '\\' && s[j + 1]) j++;
				else if (s[j] == '[' && s[j + 1] == ':') {
					const char *e = strstr(s + j, ":]");
					if (e) j = (size_t)(e - s) + 1;
				}
				j++;
			}
			i = j;
			continue;
		}
		if (c == '(') {
			int newci = ci[depth], islb = 0;
			if (s[i + 1] == '?') {
				size_t j = i + 2;
				int on = 1, opts = 0, v = ci[depth];
				while (s[j] && strchr("imnsxJU-^", s[j])) {
					if (s[j] == '-') on = 0;
					else if (s[j] == '^') v = 0;
					else if (s[j] == 'i') v = on;
					opts = 1;
					j++;
				}
				if (opts && s[j] == ')') { /* (?i): to the end of this group */
					ci[depth] = (unsigned char)v;
					i = j;
					continue;
				}
				if (opts && s[j] == ':') newci = v;
				else if (s[i + 2] == '#') return; /* comments: not followed */
				islb = s[i + 2] == '<' && (s[i + 3] == '=' || s[i + 3] == '!');
			}
			if (depth + 1 >= MAXD) return;
			depth++;
			is_lb[depth] = (unsigned char)islb;
			ci[depth] = (unsigned char)newci;
			nlb += (size_t)islb;
		} else if (c == ')' && depth) {
			nlb -= is_lb[depth];
			depth--;
		}
	}
	*lb = nlb > 0;
	*caseless = ci[depth];
}

static long find_frag(const loader *L, const char *name, size_t len)
{
	for (size_t i = 0; i < L->frags.n; i++)
		if (strlen(L->frags.v[i].name) == len && memcmp(L->frags.v[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* A list's expansions, each made on its first use: [0] the flat
 * alternation, [1] the trie, [2] the trie under (?i); tried[k]: 1 made,
 * 2 the list does not qualify for a trie. */
typedef struct list_exp {
	char *text[3];
	uint8_t tried[3];
} list_exp;

/* Append list li to out as an alternation (or a trie, with `factor`),
 * in the context that the text already in out sets up. */
static void append_list(loader *L, long li, strbuf *out, int factor)
{
	rs_list *li_ = &L->rs->lists.v[li];
	li_->used = 1;
	if (!L->lexp) L->lexp = xcalloc(L->rs->lists.n + 1, sizeof *L->lexp);
	list_exp *x = &L->lexp[li];
	int form = 0;
	if (factor) {
		int lb, ci;
		pattern_context(out->data ? out->data : "", out->len, &lb, &ci);
		if (!lb) form = 1 + (ci != 0);
	}
	if (form && x->tried[form] == 2) form = 0;
	if (!x->tried[form]) {
		char **sorted = xmalloc((li_->items.n + 1) * sizeof *sorted);
		if (li_->items.n) {
			memcpy(sorted, li_->items.v, li_->items.n * sizeof *sorted);
			qsort(sorted, li_->items.n, sizeof *sorted, cmp_len_desc);
		}
		strbuf b = {0};
		if (form && !append_list_trie(&b, sorted, li_->items.n, form == 2)) {
			x->tried[form] = 2;
			form = 0;
		}
		if (!x->tried[form]) {
			if (!form) {
				strbuf_puts(&b, "(?:");
				for (size_t k = 0; k < li_->items.n; k++) {
					if (k) strbuf_putc(&b, '|');
					append_literal(&b, sorted[k]);
				}
				strbuf_putc(&b, ')');
			}
			x->text[form] = strbuf_steal(&b);
			x->tried[form] = 1;
		}
		strbuf_free(&b);
		free(sorted);
	}
	strbuf_puts(out, x->text[form]);
}

/* Expand the %{NAME}s of s (lists and fragments) into out. v is the value
 * s comes from, for error positions, and map (when not NULL) records where
 * the parts of out come from in it. A fragment is spliced in as (?:TEXT),
 * expanded in turn; its own errors are reported once, at its definition
 * (check_frags), so inside one this reports nothing (quiet). Returns 0, or
 * -1 if something could not be expanded. */
static int expand_text(loader *L, const raw_val *v, const char *s, strbuf *out, seg_maps *map,
		       int factor, int depth, int quiet)
{
	size_t n = strlen(s), i = 0, lit = 0;
	int bad = 0;
	if (map) {
		seg_map m0 = {out->len, 0, 1};
		VEC_PUSH(map, m0);
	}
	while (i < n) {
		if (s[i] == '\\' && i + 1 < n) {
			i += 2;
			continue;
		}
		if (s[i] != '%' || i + 1 >= n || s[i + 1] != '{') {
			i++;
			continue;
		}
		const char *close = strchr(s + i + 2, '}');
		if (!close) {
			if (!quiet) ERR(L, v->line, val_col(v, i), "`%%{` without a closing `}`");
			return -1;
		}
		size_t na = i + 2, nb = (size_t)(close - s);
		long li = find_list(L->rs, s + na, nb - na);
		long fi = li < 0 ? find_frag(L, s + na, nb - na) : -1;
		strbuf_append(out, s + lit, i - lit);
		if (map) {
			seg_map me = {out->len, i, 0};
			VEC_PUSH(map, me);
		}
		if (li >= 0) {
			append_list(L, li, out, factor);
		} else if (fi >= 0 && depth < 32 && !L->frags.v[fi].bad && L->frags.v[fi].state != 1) {
			raw_frag *f = &L->frags.v[fi];
			f->used = 1;
			f->state = 1;
			strbuf_puts(out, "(?:");
			if (expand_text(L, &f->pat, f->pat.text, out, NULL, factor, depth + 1, 1) < 0) bad = 1;
			strbuf_putc(out, ')');
			f->state = 0;
		} else {
			/* report, and go on with an empty group to find later errors */
			if (fi >= 0) L->frags.v[fi].used = 1;
			else if (!quiet)
				ERR(L, v->line, val_col(v, i),
				    "unknown list or fragment `%.*s` in `%%{%.*s}`", (int)(nb - na), s + na,
				    (int)(nb - na), s + na);
			bad = 1;
			strbuf_puts(out, "(?:)");
		}
		i = nb + 1;
		lit = i;
		if (map) {
			seg_map ml = {out->len, i, 1};
			VEC_PUSH(map, ml);
		}
	}
	strbuf_append(out, s + lit, n - lit);
	if (!out->data) strbuf_puts(out, "");
	return bad ? -1 : 0;
}

/* Expand %{NAME}; returns 0, or -1 after reporting. With `factor`, lists
 * become tries (see append_list_trie). */
static int expand_pattern(loader *L, const raw_val *v, strbuf *out, seg_maps *map, int factor)
{
	return expand_text(L, v, v->text, out, map, factor, 0, 0);
}

/* A quantifier at s[i], if any: its last byte, its minimum (0 or more),
 * whether it is unbounded, whether it is possessive. */
typedef struct quant {
	size_t last;
	int min0, unbounded, possessive;
} quant;

static int quantifier_at(const char *s, size_t n, size_t i, quant *q)
{
	if (i >= n) return 0;
	size_t j = i;
	q->min0 = q->unbounded = q->possessive = 0;
	if (s[i] == '*') {
		q->min0 = q->unbounded = 1;
	} else if (s[i] == '+') {
		q->unbounded = 1;
	} else if (s[i] == '?') {
		q->min0 = 1;
	} else if (s[i] == '{') {
		j = i + 1;
		size_t d1 = 0, d2 = 0;
		int zero = 1;
		while (j < n && s[j] >= '0' && s[j] <= '9') {
			if (s[j] != '0') zero = 0;
			j++, d1++;
		}
		int comma = j < n && s[j] == ',';
		if (comma) {
			j++;
			while (j < n && s[j] >= '0' && s[j] <= '9') j++, d2++;
		}
		if (!d1 || j >= n || s[j] != '}') return 0;
		q->min0 = zero;
		q->unbounded = comma && !d2;
	} else {
		return 0;
	}
	if (j + 1 < n && s[j + 1] == '+') {
		q->possessive = 1;
		j++;
	} else if (j + 1 < n && s[j + 1] == '?') {
		j++;
	}
	q->last = j;
	return 1;
}

/* What one alternative of a group holds so far. */
typedef struct grp {
	size_t start;
	int kind;            /* 0 plain or capturing, 1 atomic, 2 zero-width (lookaround, options) */
	int unb, fixed;      /* current alternative: a backtracking unbounded atom; a mandatory fixed atom */
	int risky;           /* some alternative is only unbounded atoms and optional parts */
	int any_unb, all_fixed;
} grp;

static void grp_end_alt(grp *g)
{
	g->risky |= g->unb && !g->fixed;
	g->any_unb |= g->unb;
	g->all_fixed &= g->fixed;
	g->unb = g->fixed = 0;
}

static void grp_atom(grp *g, int has_q, const quant *q)
{
	if (has_q && q->unbounded && !q->possessive) g->unb = 1;
	else if (!has_q || !q->min0) g->fixed = 1;
}

/*
 * Warn about a repeated group whose body is made only of unbounded atoms
 * and optional parts, like (a+)+, (\w+\s?)* or (.*)+: its iterations can
 * split a text in exponentially many ways, and a failing match backtracks
 * catastrophically. (?: \w+)* is fine: each iteration needs its space.
 */
static void lint_nested_quantifiers(loader *L, const raw_val *v)
{
	const char *s = v->text;
	size_t n = strlen(s);
	enum { MAXD = 64 };
	grp stack[MAXD + 1];
	int depth = 0;
	memset(&stack[0], 0, sizeof stack[0]);
	stack[0].all_fixed = 1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		quant q;
		int zero_width = 0;
		if (c == '\\') {
			if (i + 1 < n && s[i + 1] == 'Q') {
				const char *e = strstr(s + i + 2, "\\E");
				i = e ? (size_t)(e - s) + 1 : n;
				if (depth <= MAXD) stack[depth].fixed = 1;
				continue;
			}
			i++;
			if (i >= n) break;
			zero_width = strchr("bBAzZGK", s[i]) != NULL;
			if (i + 1 < n && strchr("pPxNgko", s[i]) && s[i + 1] == '{') {
				const char *e = strchr(s + i, '}');
				i = e ? (size_t)(e - s) : n;
			}
		} else if (c == '[') {
			i++;
			if (i < n && s[i] == '^') i++;
			if (i < n && s[i] == ']') i++;
			while (i < n && s[i] != ']') {
				if (s[i] == '\\') {
					i++;
				} else if (s[i] == '[' && i + 1 < n && s[i + 1] == ':') {
					const char *e = strstr(s + i, ":]");
					if (e) i = (size_t)(e - s) + 1;
				}
				i++;
			}
		} else if (c == '(') {
			int kind = 0;
			size_t open = i;
			if (i + 1 < n && s[i + 1] == '?') {
				char k = i + 2 < n ? s[i + 2] : 0;
				char k2 = i + 3 < n ? s[i + 3] : 0;
				if (k == '#') {
					const char *e = strchr(s + i, ')');
					i = e ? (size_t)(e - s) : n;
					continue;
				}
				size_t skip = i + 2; /* last byte of the group's prefix */
				if (k == '>' || k == ':' || k == '|' || k == '=' || k == '!') {
					kind = k == '>' ? 1 : (k == '=' || k == '!') ? 2 : 0;
				} else if (k == '<' && (k2 == '=' || k2 == '!')) {
					kind = 2;
					skip = i + 3;
				} else if (k == '<' || k == 'P' || k == '\'') {
					const char *e = strchr(s + i + 2, k == '\'' ? '\'' : '>');
					if (k == '\'' && e == s + i + 2) e = strchr(s + i + 3, '\'');
					skip = e ? (size_t)(e - s) : n - 1;
				} else {
					/* options: (?i) sets them, (?i:...) is a group */
					size_t j = i + 2;
					while (j < n && s[j] != ')' && s[j] != ':') j++;
					kind = j < n && s[j] == ':' ? 0 : 2;
					skip = j < n && s[j] == ':' ? j : i + 1;
				}
				i = skip;
			}
			depth++;
			if (depth <= MAXD) {
				memset(&stack[depth], 0, sizeof stack[depth]);
				stack[depth].start = open;
				stack[depth].kind = kind;
				stack[depth].all_fixed = 1;
			}
			continue;
		} else if (c == '|') {
			if (depth <= MAXD) grp_end_alt(&stack[depth]);
			continue;
		} else if (c == ')') {
			if (depth == 0) continue;
			depth--;
			if (depth + 1 > MAXD) continue;
			grp g = stack[depth + 1];
			grp_end_alt(&g);
			int has_q = quantifier_at(s, n, i + 1, &q);
			if (has_q) i = q.last;
			if (has_q && q.unbounded && !q.possessive && g.kind == 0 && g.risky)
				WARN(L, v->line, val_col(v, g.start),
				     "nested unbounded quantifiers (like `(a+)+`): this pattern may backtrack "
				     "catastrophically; use a possessive quantifier or an atomic group");
			grp *pg = &stack[depth];
			if (g.kind == 2) continue;
			if (has_q && q.unbounded && !q.possessive && g.kind == 0) {
				pg->unb = 1;
			} else if (!has_q || !q.min0) {
				if (g.kind == 0) pg->unb |= g.any_unb;
				if (g.all_fixed || g.kind == 1) pg->fixed = 1;
			} else if (g.kind == 0) {
				pg->unb |= g.any_unb;
			}
			continue;
		} else if (c == '^' || c == '$') {
			continue;
		}
		/* an atom ended at s[i]: is it repeated? */
		int has_q = quantifier_at(s, n, i + 1, &q);
		if (has_q) i = q.last;
		if (!zero_width && depth <= MAXD) grp_atom(&stack[depth], has_q, &q);
	}
}

/* ---- literal prefilter ---------------------------------------------------
 *
 * For each pattern, find sets of literal strings (ASCII, lower-cased)
 * such that every match contains at least one string of each set (a
 * conjunction of "gates"), by walking the pattern: literals, small
 * classes and alternations give exact sets of strings; concatenation
 * multiplies them (up to LIT_MAX_SET); anything else (\w, classes, .,
 * repeats) breaks them. A concatenation of two parts that each require
 * a set requires both sets ("a role word ... and a reporting verb"); an
 * alternation of two conjunctions requires, for each pair of their sets,
 * the union of the pair. At most LIT_MAX_CONJ sets are kept per node,
 * the most selective ones (longest shortest string, then fewest
 * strings). Anything this walk does not understand leaves the pattern
 * without a prefilter: it then runs on every sentence. The sets of all
 * patterns go into one Aho-Corasick automaton (a DFA over bytes with
 * ASCII letters folded), run once over each sentence by tag.c; a pattern
 * runs only if every one of its sets was seen.
 *
 * The same walk finds the strings every match starts with, where it can:
 * exact strings, and prefixes (of a repeat, or of a concatenation whose
 * first part is exact), up to LIT_MAX_PRE of them; an optional or {0,n}
 * part at the start adds its prefixes to those of what follows it (pinfo
 * opt). If every string of that lead set has LEAD_MIN_LEN bytes or more,
 * its strings go into the automaton too, and tag.c tries the pattern only
 * where one of them starts. The strings are lower-cased ASCII (a literal
 * next to a non-ASCII character or class ends them), so the automaton's
 * ASCII folding finds every place a match can start, except where a
 * caseless k or s matches the Kelvin sign or the long s: the automaton
 * looks for those two characters too, and tag.c runs every gated pattern
 * the old way in a sentence that has one.
 *
 * Every command pays for this walk at start, so it is kept cheap without
 * changing what it finds: its strings and sets live in a pool per pattern
 * (lpool), a run of plain characters joins an exact run at once (pp_chars),
 * and a long group's result is remembered by its text (lmemo), since the
 * same lists and fragments expand to the same groups in many patterns.
 */

#define LIT_MAX_SET 64         /* strings in an exact set */
#define LIT_MAX_PRE 512        /* strings in a set of prefixes */
#define LEAD_MIN_LEN 2         /* shortest string of a useful lead set */
#define LIT_MAX_LEN 64         /* bytes in a string of an exact set */
#define LIT_MIN_USEFUL 3       /* shorter literals match almost everywhere */
#define LIT_MAX_CONJ 4         /* required sets kept per node */
#define AC_MAX_STATES 60000

/* The result for each pattern: sets of malloc'd strings. */
typedef VEC(char *) strset;
typedef VEC(strset) strsets;
/* A pattern's gates, and its lead set: strings one of which every match
 * starts with (none if not known). */
typedef struct plits {
	strsets gates;
	strset lead;
} plits;
typedef VEC(plits) plitss;

static void set_free(strset *a)
{
	for (size_t i = 0; i < a->n; i++) free(a->v[i]);
	VEC_FREE(a);
}

static void sets_free(strsets *a)
{
	for (size_t i = 0; i < a->n; i++) set_free(&a->v[i]);
	VEC_FREE(a);
}

/*
 * The walk's own sets live in a pool made for one pattern and freed whole
 * after it: a string is written once, never changed, and shared by
 * reference between the sets that hold it (a concatenation is what makes
 * new ones); the sets' arrays are recycled through free lists by their
 * power-of-two capacity. So the walk does no malloc per string or set.
 */
typedef struct lstr {
	const char *s;
	uint32_t len;
} lstr;

typedef struct lset {
	lstr *v;
	uint32_t n, cap;
} lset;

typedef struct lsets {
	lset *v;
	uint32_t n, cap;
} lsets;

typedef struct lblock {
	struct lblock *next;
	size_t used, size;     /* the data follows the header */
} lblock;

#define LP_BLOCK 32768

typedef struct lpool {
	lblock *first, *cur;
	void *free_arr[2][32]; /* [0]: lstr arrays, [1]: lset arrays; by log2 of capacity */
	char chars[128][2];    /* the one-character strings */
} lpool;

static void lp_init(lpool *lp)
{
	memset(lp, 0, sizeof *lp);
	for (int c = 0; c < 128; c++) lp->chars[c][0] = (char)c;
}

static void lp_free(lpool *lp)
{
	for (lblock *b = lp->first, *nb; b; b = nb) {
		nb = b->next;
		free(b);
	}
}

static void *lp_alloc(lpool *lp, size_t size, size_t align)
{
	lblock *b = lp->cur;
	for (;;) {
		if (b) {
			size_t at = (b->used + align - 1) & ~(align - 1);
			if (at + size <= b->size) {
				b->used = at + size;
				lp->cur = b;
				return (char *)(b + 1) + at;
			}
		}
		size_t sz = size + align > LP_BLOCK ? size + align : LP_BLOCK;
		lblock *nb = xmalloc(sizeof *nb + sz);
		nb->next = NULL;
		nb->used = 0;
		nb->size = sz;
		if (b) b->next = nb;
		else lp->first = nb;
		b = nb;
	}
}

static void lp_release(lpool *lp, void *arr, uint32_t cap, int kind)
{
	if (!arr) return;
	int lg = __builtin_ctz(cap);
	*(void **)arr = lp->free_arr[kind][lg];
	lp->free_arr[kind][lg] = arr;
}

/* An array of at least `need` elements of esz bytes holding the n of old
 * (which goes back to the pool); *cap becomes its capacity. */
static void *lp_grow(lpool *lp, void *old, uint32_t n, uint32_t *cap, uint32_t need, size_t esz, int kind)
{
	uint32_t c = 4;
	while (c < need) c <<= 1;
	int lg = __builtin_ctz(c);
	void *nv = lp->free_arr[kind][lg];
	if (nv) lp->free_arr[kind][lg] = *(void **)nv;
	else nv = lp_alloc(lp, (size_t)c * esz, sizeof(void *));
	if (n) memcpy(nv, old, (size_t)n * esz);
	lp_release(lp, old, *cap, kind);
	*cap = c;
	return nv;
}

static lstr lp_str(lpool *lp, const char *x, size_t len)
{
	if (len == 1 && (unsigned char)x[0] < 128) {
		lstr r = {lp->chars[(unsigned char)x[0]], 1};
		return r;
	}
	char *p = lp_alloc(lp, len + 1, 1);
	memcpy(p, x, len);
	p[len] = 0;
	lstr r = {p, (uint32_t)len};
	return r;
}

static void ls_push(lpool *lp, lset *a, lstr x)
{
	if (a->n == a->cap) a->v = lp_grow(lp, a->v, a->n, &a->cap, a->n + 1, sizeof *a->v, 0);
	a->v[a->n++] = x;
}

static void ls_free(lpool *lp, lset *a)
{
	lp_release(lp, a->v, a->cap, 0);
	memset(a, 0, sizeof *a);
}

static int ls_has(const lset *a, const char *x, uint32_t len)
{
	for (uint32_t i = 0; i < a->n; i++)
		if (a->v[i].len == len && memcmp(a->v[i].s, x, len) == 0) return 1;
	return 0;
}

/* Add x unless a has it. */
static void ls_add(lpool *lp, lset *a, lstr x)
{
	if (!ls_has(a, x.s, x.len)) ls_push(lp, a, x);
}

static void lss_push(lpool *lp, lsets *r, lset x)
{
	if (r->n == r->cap) r->v = lp_grow(lp, r->v, r->n, &r->cap, r->n + 1, sizeof *r->v, 1);
	r->v[r->n++] = x;
}

static void lss_free(lpool *lp, lsets *r)
{
	for (uint32_t i = 0; i < r->n; i++) ls_free(lp, &r->v[i]);
	lp_release(lp, r->v, r->cap, 1);
	memset(r, 0, sizeof *r);
}

typedef struct pinfo {
	int exact;     /* 1: ex holds every string the node can match */
	int pre;       /* exact == 0: every match starts with one of ex */
	int opt;       /* pre: the node may match empty text (ex holds ""), and
			* its other matches start with one of the other strings
			* of ex (an optional or {0,n} repeat of a part with
			* prefixes) */
	lset ex;
	lsets req;     /* exact == 0: every match contains one string of each of
			* these sets (up to LIT_MAX_CONJ of them); no sets, no
			* prefixes: no constraint at all */
} pinfo;

typedef struct pparse {
	const char *s;
	size_t n, i;
	int fail;
	lpool *lp;
	struct lmemo *memo;
} pparse;

static pinfo pi_any(void)
{
	pinfo r = {0};
	return r;
}

static pinfo pi_str(lpool *lp, const char *x, size_t len)
{
	pinfo r = {0};
	r.exact = 1;
	ls_push(lp, &r.ex, lp_str(lp, x, len));
	return r;
}

static pinfo pi_empty(lpool *lp)
{
	pinfo r = {0};
	lstr e = {"", 0};
	r.exact = 1;
	ls_push(lp, &r.ex, e);
	return r;
}

static void pi_free(lpool *lp, pinfo *a)
{
	ls_free(lp, &a->ex);
	lss_free(lp, &a->req);
}

static size_t set_minlen(const lset *a)
{
	size_t m = SIZE_MAX;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->v[i].len < m) m = a->v[i].len;
	return a->n ? m : 0;
}

static int lstr_contains(lstr h, lstr x)
{
	return x.len == 0 || (x.len <= h.len && memmem(h.s, h.len, x.s, x.len) != NULL);
}

/* Does every string of a contain a string of b? Then requiring a
 * implies requiring b. (For large sets, only if they have the same
 * strings in the same order: a 0 only costs a redundant set.) */
static int set_implies(const lset *a, const lset *b)
{
	if ((size_t)a->n * b->n > 1024) {
		if (a->n != b->n) return 0;
		for (uint32_t i = 0; i < a->n; i++)
			if (a->v[i].len != b->v[i].len || memcmp(a->v[i].s, b->v[i].s, a->v[i].len)) return 0;
		return 1;
	}
	for (uint32_t i = 0; i < a->n; i++) {
		uint32_t j = 0;
		while (j < b->n && !lstr_contains(a->v[i], b->v[j])) j++;
		if (j == b->n) return 0;
	}
	return 1;
}

/* Is required set a at least as selective as b: longer shortest
 * string, then fewer strings? */
static int set_better(const lset *a, const lset *b)
{
	size_t sa = set_minlen(a), sb = set_minlen(b);
	return sa > sb || (sa == sb && a->n <= b->n);
}

/* Add required set x (taken over) to the conjunction r: a set implied
 * by another is left out; past LIT_MAX_CONJ sets the least selective
 * goes. */
static void req_add(lpool *lp, lsets *r, lset x)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (set_implies(&r->v[i], &x)) {
			ls_free(lp, &x);
			return;
		}
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		if (set_implies(&x, &r->v[i])) ls_free(lp, &r->v[i]);
		else r->v[kept++] = r->v[i];
	}
	r->n = kept;
	lss_push(lp, r, x);
	if (r->n <= LIT_MAX_CONJ) return;
	uint32_t worst = 0;
	for (uint32_t i = 1; i < r->n; i++)
		if (!set_better(&r->v[i], &r->v[worst])) worst = i;
	ls_free(lp, &r->v[worst]);
	r->v[worst] = r->v[--r->n];
}

/* Give up exactness and prefixes: the exact strings or prefixes become
 * a required set (if long enough to be useful). */
static void pi_to_match(lpool *lp, pinfo *a)
{
	if (!a->exact && !a->pre) return;
	a->exact = a->pre = a->opt = 0;
	lset x = a->ex;
	memset(&a->ex, 0, sizeof a->ex);
	if (!x.n || set_minlen(&x) < LIT_MIN_USEFUL) {
		ls_free(lp, &x);
		return;
	}
	req_add(lp, &a->req, x);
}

/* Like pi_to_match, but the prefixes or exact strings (if long enough)
 * go at the end of a->req, even past LIT_MAX_CONJ, and nothing is pruned.
 * Returns 1 if they were added. */
static int pi_fold(lpool *lp, pinfo *a)
{
	if (!a->exact && !a->pre) return 0;
	a->exact = a->pre = a->opt = 0;
	lset x = a->ex;
	memset(&a->ex, 0, sizeof a->ex);
	if (!x.n || set_minlen(&x) < LIT_MIN_USEFUL) {
		ls_free(lp, &x);
		return 0;
	}
	lss_push(lp, &a->req, x);
	return 1;
}

/* out = every string of a followed by one of b; 0 (and out empty) if
 * that makes too many or too long strings. */
static int set_product(lpool *lp, const lset *a, const lset *b, lset *out, size_t cap)
{
	memset(out, 0, sizeof *out);
	if ((size_t)a->n * b->n > cap) return 0;
	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t j = 0; j < b->n; j++)
			if (a->v[i].len + b->v[j].len > LIT_MAX_LEN) return 0;
	for (uint32_t i = 0; i < a->n; i++) {
		for (uint32_t j = 0; j < b->n; j++) {
			lstr x = a->v[i], y = b->v[j];
			if (!y.len) {
				ls_add(lp, out, x);
			} else if (!x.len) {
				ls_add(lp, out, y);
			} else {
				char buf[2 * LIT_MAX_LEN];
				memcpy(buf, x.s, x.len);
				memcpy(buf + x.len, y.s, y.len);
				if (!ls_has(out, buf, x.len + y.len)) ls_push(lp, out, lp_str(lp, buf, x.len + y.len));
			}
		}
	}
	return 1;
}

static void req_move_all(lpool *lp, lsets *dst, lsets *src)
{
	for (uint32_t i = 0; i < src->n; i++) req_add(lp, dst, src->v[i]);
	src->n = 0;
	lss_free(lp, src);
}

static pinfo pi_concat(lpool *lp, pinfo a, pinfo b)
{
	pinfo r = {0};
	if (a.exact && b.exact && set_product(lp, &a.ex, &b.ex, &r.ex, LIT_MAX_SET)) {
		r.exact = 1;
		pi_free(lp, &a);
		pi_free(lp, &b);
		return r;
	}
	/* the prefixes of the whole: a's, extended by b's when a is exact;
	 * those of a part that may be empty, and of what follows it */
	if (a.exact && b.pre && set_product(lp, &a.ex, &b.ex, &r.ex, LIT_MAX_PRE)) {
		r.pre = 1;
		r.opt = b.opt && ls_has(&a.ex, "", 0);
		b.pre = b.opt = 0; /* its prefixes are in r's */
		ls_free(lp, &b.ex);
	} else if (a.pre && a.opt && (b.exact || b.pre) && a.ex.n + b.ex.n <= LIT_MAX_PRE + 1) {
		r.pre = 1;
		for (uint32_t k = 0; k < a.ex.n; k++)
			if (a.ex.v[k].len) ls_push(lp, &r.ex, a.ex.v[k]);
		for (uint32_t k = 0; k < b.ex.n; k++) ls_add(lp, &r.ex, b.ex.v[k]);
		/* b empty too: so may the whole be */
		r.opt = (b.exact || b.opt) && ls_has(&b.ex, "", 0);
	} else if (a.exact || a.pre) {
		r.pre = 1;
		r.ex = a.ex;
		memset(&a.ex, 0, sizeof a.ex);
	}
	a.exact = a.pre = a.opt = 0;
	/* both parts are required: so are the sets of both */
	pi_to_match(lp, &b);
	req_move_all(lp, &r.req, &a.req);
	req_move_all(lp, &r.req, &b.req);
	pi_free(lp, &a);
	pi_free(lp, &b);
	return r;
}

static pinfo pi_alt(lpool *lp, pinfo a, pinfo b)
{
	if (a.exact && b.exact && a.ex.n + b.ex.n <= LIT_MAX_SET) {
		for (uint32_t k = 0; k < b.ex.n; k++) ls_add(lp, &a.ex, b.ex.v[k]);
		pi_free(lp, &b);
		return a;
	}
	pinfo r = {0};
	if ((a.exact || a.pre) && (b.exact || b.pre) && a.ex.n + b.ex.n <= LIT_MAX_PRE) {
		/* every match starts with a prefix of one side or the other */
		r.pre = 1;
		for (uint32_t k = 0; k < a.ex.n; k++) ls_push(lp, &r.ex, a.ex.v[k]);
		for (uint32_t k = 0; k < b.ex.n; k++) ls_add(lp, &r.ex, b.ex.v[k]);
	}
	/* the prefixes of a side may be more useful as a required set (the
	 * union of r's prefixes can have short strings): they go last */
	int fa = pi_fold(lp, &a), fb = pi_fold(lp, &b);
	/* a match of either side contains a string of a.req[i] or of
	 * b.req[j], for every i and j */
	for (uint32_t i = 0; i < a.req.n; i++) {
		for (uint32_t j = 0; j < b.req.n; j++) {
			if (r.pre && fa && fb && i == a.req.n - 1 && j == b.req.n - 1)
				continue; /* the union of the prefixes: r.ex */
			const lset *x = &a.req.v[i], *y = &b.req.v[j];
			lset u = {0};
			u.v = lp_grow(lp, NULL, 0, &u.cap, x->n + y->n, sizeof *u.v, 0);
			memcpy(u.v, x->v, x->n * sizeof *u.v);
			u.n = x->n;
			for (uint32_t k = 0; k < y->n; k++) ls_add(lp, &u, y->v[k]);
			req_add(lp, &r.req, u);
		}
	}
	pi_free(lp, &a);
	pi_free(lp, &b);
	return r;
}

/* A copy of set a in pool lp: its strings too if `strings`, else shared. */
static lset ls_copy(lpool *lp, const lset *a, int strings)
{
	lset r = {0};
	if (!a->n) return r;
	r.v = lp_grow(lp, NULL, 0, &r.cap, a->n, sizeof *r.v, 0);
	for (uint32_t k = 0; k < a->n; k++) r.v[k] = strings ? lp_str(lp, a->v[k].s, a->v[k].len) : a->v[k];
	r.n = a->n;
	return r;
}

static pinfo pi_copy(lpool *lp, const pinfo *a, int strings)
{
	pinfo r = {0};
	r.exact = a->exact;
	r.pre = a->pre;
	r.opt = a->opt;
	r.ex = ls_copy(lp, &a->ex, strings);
	for (uint32_t i = 0; i < a->req.n; i++) lss_push(lp, &r.req, ls_copy(lp, &a->req.v[i], strings));
	return r;
}

/*
 * What the walk found for a group, by the group's text: the walk of a
 * group depends on its text alone, and the same lists and fragments
 * expand to the same groups in many patterns. Kept for the whole load
 * (strings and all in the memo's own pool); short groups are not worth it.
 */
#define MEMO_MIN 64

typedef struct lmemo_ent {
	const char *text;      /* NULL: empty slot */
	uint32_t len, hash;
	pinfo pi;
} lmemo_ent;

typedef struct lmemo {
	lpool pool;
	lmemo_ent *tab;
	uint32_t cap, n;       /* cap a power of two */
} lmemo;

static lmemo *lmemo_new(void)
{
	lmemo *m = xcalloc(1, sizeof *m);
	lp_init(&m->pool);
	m->cap = 256;
	m->tab = xcalloc(m->cap, sizeof *m->tab);
	return m;
}

static void lmemo_free(lmemo *m)
{
	if (!m) return;
	lp_free(&m->pool);
	free(m->tab);
	free(m);
}

static lmemo_ent *memo_slot(lmemo *m, uint32_t h, const char *s, size_t len)
{
	for (uint32_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		lmemo_ent *e = &m->tab[i];
		if (!e->text || (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)) return e;
	}
}

static void memo_put(lmemo *m, uint32_t h, const char *s, size_t len, const pinfo *pi)
{
	if (2 * (m->n + 1) > m->cap) {
		lmemo_ent *old = m->tab;
		uint32_t oc = m->cap;
		m->cap *= 2;
		m->tab = xcalloc(m->cap, sizeof *m->tab);
		for (uint32_t i = 0; i < oc; i++)
			if (old[i].text) *memo_slot(m, old[i].hash, old[i].text, old[i].len) = old[i];
		free(old);
	}
	lmemo_ent *e = memo_slot(m, h, s, len);
	if (e->text) return;
	char *t = lp_alloc(&m->pool, len, 1);
	memcpy(t, s, len);
	e->text = t;
	e->len = (uint32_t)len;
	e->hash = h;
	e->pi = pi_copy(&m->pool, pi, 1);
	m->n++;
}

/* a? (or a{0,n} if !once): no longer required, but a match that is not
 * empty starts like one of a. */
static pinfo pi_optional(lpool *lp, pinfo a, int once)
{
	lstr e = {"", 0};
	if (once && a.exact && a.ex.n < LIT_MAX_SET) {
		ls_add(lp, &a.ex, e);
		return a;
	}
	if ((a.exact || a.pre) && !a.opt && a.ex.n && a.ex.n < LIT_MAX_PRE && !ls_has(&a.ex, "", 0)) {
		lss_free(lp, &a.req);
		a.exact = 0;
		a.pre = a.opt = 1;
		ls_push(lp, &a.ex, e);
		return a;
	}
	pi_free(lp, &a);
	return pi_any();
}

static pinfo pp_alt(pparse *P);

/* Skip to the byte after the next c; fails if there is none. */
static void pp_skip_past(pparse *P, char c)
{
	const char *e = memchr(P->s + P->i, c, P->n - P->i);
	if (!e) {
		P->fail = 1;
		P->i = P->n;
		return;
	}
	P->i = (size_t)(e - P->s) + 1;
}

static pinfo pp_class(pparse *P)
{
	const char *s = P->s;
	size_t n = P->n;
	int neg = 0, complex = 0;
	char chars[16];
	size_t nc = 0;
	P->i++;
	if (P->i < n && s[P->i] == '^') {
		neg = 1;
		P->i++;
	}
	int first = 1;
	while (P->i < n && (s[P->i] != ']' || first)) {
		unsigned char c = (unsigned char)s[P->i];
		first = 0;
		if (c == '\\') {
			if (P->i + 1 >= n) break;
			unsigned char e = (unsigned char)s[P->i + 1];
			if (e < 0x80 && !((e | 32) >= 'a' && (e | 32) <= 'z') && !(e >= '0' && e <= '9')) {
				if (nc < sizeof chars) chars[nc++] = (char)e;
				else complex = 1;
			} else {
				complex = 1;
				if ((e == 'p' || e == 'P' || e == 'x' || e == 'o') && P->i + 2 < n && s[P->i + 2] == '{') {
					P->i += 2;
					pp_skip_past(P, '}');
					continue;
				}
			}
			P->i += 2;
			continue;
		}
		if (c == '[' && P->i + 1 < n && s[P->i + 1] == ':') {
			const char *e = strstr(s + P->i, ":]");
			complex = 1;
			P->i = e ? (size_t)(e - s) + 2 : n;
			continue;
		}
		if (c == '-' && nc && P->i + 1 < n && s[P->i + 1] != ']') complex = 1;
		if (c >= 0x80) complex = 1;
		else if (nc < sizeof chars) chars[nc++] = (char)c;
		else complex = 1;
		P->i++;
	}
	if (P->i >= n) {
		P->fail = 1;
		return pi_any();
	}
	P->i++; /* ] */
	if (neg || complex || !nc) return pi_any();
	pinfo r = {0};
	r.exact = 1;
	for (size_t k = 0; k < nc; k++) {
		char c = chars[k];
		if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
		ls_add(P->lp, &r.ex, lp_str(P->lp, &c, 1));
	}
	return r;
}

static pinfo pp_escape(pparse *P)
{
	const char *s = P->s;
	size_t n = P->n;
	if (P->i + 1 >= n) {
		P->fail = 1;
		return pi_any();
	}
	unsigned char c = (unsigned char)s[P->i + 1];
	P->i += 2;
	if (c == 'Q') {
		pinfo r = pi_empty(P->lp);
		while (P->i < n && !(s[P->i] == '\\' && P->i + 1 < n && s[P->i + 1] == 'E')) {
			unsigned char b = (unsigned char)s[P->i];
			pinfo a;
			if (b >= 0x80) {
				a = pi_any();
				P->i++;
				while (P->i < n && ((unsigned char)s[P->i] & 0xC0) == 0x80) P->i++;
			} else {
				char l = (char)((b >= 'A' && b <= 'Z') ? b + 32 : b);
				a = pi_str(P->lp, &l, 1);
				P->i++;
			}
			r = pi_concat(P->lp, r, a);
		}
		if (P->i < n) P->i += 2;
		return r;
	}
	if (strchr("bBAzZGKE", c)) return pi_empty(P->lp);
	if (strchr("dDwWsShHvVRXCntrfea", c)) return pi_any();
	if (c == 'N' || c == 'p' || c == 'P' || c == 'x' || c == 'o' || c == 'g' || c == 'k') {
		if (P->i < n && s[P->i] == '{') pp_skip_past(P, '}');
		else if (P->i < n && s[P->i] == '<') pp_skip_past(P, '>');
		else if (P->i < n && s[P->i] == '\'') {
			P->i++;
			pp_skip_past(P, '\'');
		} else if (c == 'p' || c == 'P') P->i++;
		else while (P->i < n && ((s[P->i] >= '0' && s[P->i] <= '9') ||
					 ((s[P->i] | 32) >= 'a' && (s[P->i] | 32) <= 'f') || s[P->i] == '-'))
			P->i++;
		return pi_any();
	}
	if (c == 'c') {
		if (P->i < n) P->i++;
		return pi_any();
	}
	if (c >= '0' && c <= '9') {
		while (P->i < n && s[P->i] >= '0' && s[P->i] <= '9') P->i++;
		return pi_any();
	}
	if (c < 0x80 && !((c | 32) >= 'a' && (c | 32) <= 'z')) {
		char l = (char)c;
		return pi_str(P->lp, &l, 1);
	}
	P->fail = 1;
	return pi_any();
}

static pinfo pp_group(pparse *P)
{
	const char *s = P->s;
	size_t n = P->n;
	int zero_width = 0;
	P->i++;
	if (P->i < n && s[P->i] == '*') {
		P->fail = 1; /* verbs */
		return pi_any();
	}
	if (P->i < n && s[P->i] == '?') {
		char c = P->i + 1 < n ? s[P->i + 1] : 0;
		char c2 = P->i + 2 < n ? s[P->i + 2] : 0;
		if (c == '#') {
			pp_skip_past(P, ')');
			return pi_empty(P->lp);
		} else if (c == ':' || c == '|' || c == '>') {
			P->i += 2;
		} else if (c == '=' || c == '!') {
			P->i += 2;
			zero_width = 1;
		} else if (c == '<' && (c2 == '=' || c2 == '!')) {
			P->i += 3;
			zero_width = 1;
		} else if (c == '<' || (c == 'P' && c2 == '<')) {
			pp_skip_past(P, '>');
		} else if (c == '\'') {
			P->i += 2;
			pp_skip_past(P, '\'');
		} else {
			/* options: (?i) or (?i:...); no extended mode. Other
			 * letters are not options: (?R) recurses, (?C) calls out */
			size_t j = P->i + 1;
			while (j < n && s[j] && strchr("imnsUJ-^x", s[j])) {
				if (s[j] == 'x') P->fail = 1;
				j++;
			}
			if (j >= n || (s[j] != ')' && s[j] != ':') || j == P->i + 1) P->fail = 1;
			if (P->fail) return pi_any();
			P->i = j + 1;
			if (s[j] == ')') return pi_empty(P->lp);
		}
		if (P->fail) return pi_any();
	}
	pinfo r = pp_alt(P);
	if (P->i >= n || s[P->i] != ')') {
		P->fail = 1;
		return r;
	}
	P->i++;
	if (zero_width) {
		pi_free(P->lp, &r);
		return pi_empty(P->lp);
	}
	return r;
}

static size_t group_end(const char *s, size_t n, size_t i);

/* pp_group through the memo: a group of the same text seen before (in
 * this pattern or another) gives the same result. Only groups that the
 * walk itself ends where group_end says, and without failing, go in. */
static pinfo pp_group_memo(pparse *P)
{
	size_t start = P->i;
	if (!P->memo) return pp_group(P);
	size_t e = group_end(P->s, P->n, start);
	if (e >= P->n || e + 1 - start < MEMO_MIN) return pp_group(P);
	size_t len = e + 1 - start;
	uint32_t h = rs_hash(0, P->s + start, len);
	lmemo_ent *x = memo_slot(P->memo, h, P->s + start, len);
	if (x->text) {
		P->i = e + 1;
		return pi_copy(P->lp, &x->pi, 0);
	}
	pinfo r = pp_group(P);
	if (!P->fail && P->i == e + 1) memo_put(P->memo, h, P->s + start, len, &r);
	return r;
}

static pinfo pp_quant(pparse *P, pinfo a)
{
	const char *s = P->s;
	size_t n = P->n;
	if (P->i >= n) return a;
	char c = s[P->i];
	long lo, hi; /* hi < 0: unbounded */
	if (c == '?') {
		lo = 0;
		hi = 1;
		P->i++;
	} else if (c == '*') {
		lo = 0;
		hi = -1;
		P->i++;
	} else if (c == '+') {
		lo = 1;
		hi = -1;
		P->i++;
	} else if (c == '{') {
		size_t j = P->i + 1;
		if (j >= n || s[j] < '0' || s[j] > '9') return a; /* a literal { */
		lo = 0;
		while (j < n && s[j] >= '0' && s[j] <= '9') lo = lo * 10 + (s[j++] - '0');
		hi = lo;
		if (j < n && s[j] == ',') {
			j++;
			if (j < n && s[j] >= '0' && s[j] <= '9') {
				hi = 0;
				while (j < n && s[j] >= '0' && s[j] <= '9') hi = hi * 10 + (s[j++] - '0');
			} else {
				hi = -1;
			}
		}
		if (j >= n || s[j] != '}') return a;
		P->i = j + 1;
	} else {
		return a;
	}
	if (P->i < n && (s[P->i] == '?' || s[P->i] == '+')) P->i++;
	if (lo == 1 && hi == 1) return a;
	if (lo == 0 && hi == 0) {
		pi_free(P->lp, &a);
		return pi_empty(P->lp);
	}
	if (lo == 0) return pi_optional(P->lp, a, hi == 1);
	/* at least once: a match starts like a */
	if (a.exact) {
		a.exact = 0;
		a.pre = 1;
	}
	return a;
}

/* A byte that pp_seq takes as a literal character of its own. */
static int pp_plain(unsigned char c)
{
	return c && c < 0x80 && !strchr("()[\\.^$*+?{|", c);
}

/* Is s[i] a literal character not followed by a quantifier? */
static int pp_plain_at(const pparse *P, size_t i)
{
	if (i >= P->n || !pp_plain((unsigned char)P->s[i])) return 0;
	if (i + 1 >= P->n) return 1;
	char q = P->s[i + 1];
	return q != '*' && q != '+' && q != '?' && q != '{';
}

/*
 * Append the literal characters at P->i (lower-cased) to the exact run at
 * once, as many as keep its strings within LIT_MAX_LEN: the same as
 * concatenating them one by one, which is what the caller does with the
 * rest. Returns 0 if there is no room for one.
 */
static int pp_chars(pparse *P, pinfo *run)
{
	size_t longest = 0;
	for (uint32_t k = 0; k < run->ex.n; k++)
		if (run->ex.v[k].len > longest) longest = run->ex.v[k].len;
	if (longest >= LIT_MAX_LEN || run->ex.n > LIT_MAX_SET) return 0;
	char buf[LIT_MAX_LEN];
	size_t m = 0;
	while (m < LIT_MAX_LEN - longest && pp_plain_at(P, P->i)) {
		char c = P->s[P->i++];
		buf[m++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	lset chunk = {0};
	ls_push(P->lp, &chunk, lp_str(P->lp, buf, m));
	lset out;
	set_product(P->lp, &run->ex, &chunk, &out, LIT_MAX_SET); /* fits: checked above */
	ls_free(P->lp, &chunk);
	ls_free(P->lp, &run->ex);
	run->ex = out;
	return 1;
}

static pinfo pp_seq(pparse *P)
{
	const char *s = P->s;
	pinfo r = pi_empty(P->lp), run = pi_empty(P->lp);
	while (P->i < P->n && !P->fail && s[P->i] != '|' && s[P->i] != ')') {
		unsigned char c = (unsigned char)s[P->i];
		pinfo a;
		/* run is exact here: a string of plain characters joins it whole */
		if (pp_plain_at(P, P->i) && pp_chars(P, &run)) continue;
		if (c == '(') {
			a = pp_group_memo(P);
		} else if (c == '[') {
			a = pp_class(P);
		} else if (c == '\\') {
			a = pp_escape(P);
		} else if (c == '.') {
			a = pi_any();
			P->i++;
		} else if (c == '^' || c == '$') {
			a = pi_empty(P->lp);
			P->i++;
		} else if (c == '*' || c == '+' || c == '?' || c == '{') {
			P->fail = 1;
			break;
		} else if (c >= 0x80) {
			a = pi_any();
			P->i++;
			while (P->i < P->n && ((unsigned char)s[P->i] & 0xC0) == 0x80) P->i++;
		} else {
			char l = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
			a = pi_str(P->lp, &l, 1);
			P->i++;
		}
		a = pp_quant(P, a);
		if (a.exact) {
			/* pi_concat consumes a: never touch it again */
			run = pi_concat(P->lp, run, a);
			if (run.exact) continue;
			/* the run grew past exactness (too long, too many
			 * strings): fold what it requires in, start a new one */
			r = pi_concat(P->lp, r, run);
			run = pi_empty(P->lp);
			continue;
		}
		/* a run of exact atoms ended: fold it in whole, then the atom */
		r = pi_concat(P->lp, r, run);
		run = pi_empty(P->lp);
		r = pi_concat(P->lp, r, a);
	}
	return pi_concat(P->lp, r, run);
}

static pinfo pp_alt(pparse *P)
{
	pinfo r = pp_seq(P);
	while (!P->fail && P->i < P->n && P->s[P->i] == '|') {
		P->i++;
		r = pi_alt(P->lp, r, pp_seq(P));
	}
	return r;
}

/* Sets of literals such that every match of pattern s contains one
 * string of each, or no sets if none could be found; and the strings
 * every match starts with one of, if known. */
static plits pattern_literals(const char *s, size_t n, lmemo *memo)
{
	lpool lp;
	lp_init(&lp);
	pparse P = {s, n, 0, 0, &lp, memo};
	pinfo r = pp_alt(&P);
	plits res = {0};
	strsets out = {0};
	if (P.i != n) P.fail = 1;
	if (!P.fail && (r.exact || r.pre) && r.ex.n && set_minlen(&r.ex) >= LEAD_MIN_LEN) {
		VEC_RESERVE(&res.lead, r.ex.n);
		for (uint32_t k = 0; k < r.ex.n; k++)
			res.lead.v[res.lead.n++] = xstrndup(r.ex.v[k].s, r.ex.v[k].len);
	}
	pi_to_match(&lp, &r);
	if (!P.fail) {
		for (uint32_t i = 0; i < r.req.n; i++) {
			const lset *x = &r.req.v[i];
			if (set_minlen(x) < LIT_MIN_USEFUL) continue;
			strset o = {0};
			VEC_RESERVE(&o, x->n);
			for (uint32_t k = 0; k < x->n; k++) o.v[o.n++] = xstrndup(x->v[k].s, x->v[k].len);
			VEC_PUSH(&out, o);
		}
	}
	lp_free(&lp);
	res.gates = out;
	return res;
}

/* The strings the automaton holds so far: a string already there adds
 * no state (many patterns share the gates of one list, such as the
 * reporting verbs). Open addressing, by content. */
typedef struct acseen {
	const char **v;
	size_t cap, n;
} acseen;

static int seen_find(const acseen *a, const char *s, size_t *slot)
{
	size_t len = strlen(s), i = rs_hash(0, s, len) & (a->cap - 1);
	while (a->v[i]) {
		if (strcmp(a->v[i], s) == 0) return 1;
		i = (i + 1) & (a->cap - 1);
	}
	*slot = i;
	return 0;
}

static void seen_add(acseen *a, const char *s)
{
	size_t slot;
	if (2 * (a->n + 1) > a->cap) {
		acseen b = {xcalloc(a->cap ? 2 * a->cap : 1024, sizeof *b.v), a->cap ? 2 * a->cap : 1024, 0};
		for (size_t i = 0; i < a->cap; i++)
			if (a->v[i] && !seen_find(&b, a->v[i], &slot)) {
				b.v[slot] = a->v[i];
				b.n++;
			}
		free(a->v);
		*a = b;
	}
	if (seen_find(a, s, &slot)) return;
	a->v[slot] = s;
	a->n++;
}

/* Does the literal set ls fit in the automaton's budget of AC_MAX_STATES
 * states, *total of which are taken? Then it takes its share (the length
 * of its strings that are new: a bound on the states they add); otherwise
 * (or if it is empty) it is freed. */
static int ac_take(strset *ls, size_t *total, acseen *seen)
{
	size_t sum = 0, slot;
	for (size_t j = 0; j < ls->n; j++)
		if (!seen->cap || !seen_find(seen, ls->v[j], &slot)) sum += strlen(ls->v[j]);
	if (!ls->n || *total + sum > AC_MAX_STATES) {
		set_free(ls);
		return 0;
	}
	*total += sum;
	for (size_t j = 0; j < ls->n; j++) seen_add(seen, ls->v[j]);
	return 1;
}

/* The UTF-8 characters that a caseless s or k matches beyond ASCII: the
 * long s and the Kelvin sign. */
static const char *const odd_fold[] = {"\xC5\xBF", "\xE2\x84\xAA"};
#define NODD (sizeof odd_fold / sizeof *odd_fold)

/* The strings of set a, sorted (a new array of borrowed pointers), and a
 * hash of them. */
static char **set_sorted(const strset *a, uint32_t *hash)
{
	char **v = xmalloc((a->n + 1) * sizeof *v);
	if (a->n) memcpy(v, a->v, a->n * sizeof *v);
	qsort(v, a->n, sizeof *v, cmp_str);
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < a->n; i++)
		for (const unsigned char *p = (const unsigned char *)v[i];; p++) {
			h = (h ^ *p) * 16777619u; /* the NUL too: a separator */
			if (!*p) break;
		}
	*hash = h;
	return v;
}

static int sets_equal(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb) return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i])) return 0;
	return 1;
}

/* rs->gate_id and rs->lead_chain (see ruleset-int.h): gate g (of the ones
 * kept, numbered as rs->gate_off says) -> the first gate with the same
 * strings; pattern k with a lead set -> the first pattern with the same
 * lead set. */
static void share_sets(ruleset *rs, plits *lits, size_t npat)
{
	uint32_t ngate = rs->gate_off[npat];
	rs->gate_id = xcalloc(ngate + 1, sizeof *rs->gate_id);
	rs->lead_chain = xcalloc(npat + 1, sizeof *rs->lead_chain);
	size_t nset = (size_t)ngate + npat;
	char ***sorted = xcalloc(nset + 1, sizeof *sorted);
	size_t *len = xcalloc(nset + 1, sizeof *len);
	uint32_t *hash = xcalloc(nset + 1, sizeof *hash);
	for (size_t k = 0; k < npat; k++) {
		for (size_t i = 0; i < lits[k].gates.n; i++) {
			uint32_t g = rs->gate_off[k] + (uint32_t)i;
			sorted[g] = set_sorted(&lits[k].gates.v[i], &hash[g]);
			len[g] = lits[k].gates.v[i].n;
			rs->gate_id[g] = g;
			for (uint32_t e = 0; e < g; e++)
				if (hash[e] == hash[g] && sets_equal(sorted[e], len[e], sorted[g], len[g])) {
					rs->gate_id[g] = e;
					break;
				}
		}
	}
	for (size_t k = 0; k < npat; k++) {
		size_t x = ngate + k;
		rs->lead_chain[k] = (uint32_t)k;
		if (!rs->lead[k]) continue;
		sorted[x] = set_sorted(&lits[k].lead, &hash[x]);
		len[x] = lits[k].lead.n;
		for (size_t e = 0; e < k; e++)
			if (rs->lead[e] && hash[ngate + e] == hash[x] &&
			    sets_equal(sorted[ngate + e], len[ngate + e], sorted[x], len[x])) {
				rs->lead_chain[k] = (uint32_t)e;
				break;
			}
	}
	for (size_t i = 0; i < nset; i++) free(sorted[i]);
	free(sorted);
	free(len);
	free(hash);
}

/* Build the automaton over the sets of pattern k, lits[k].gates.v[i] ->
 * gate rs->gate_off[k] + i, over its lead strings, lead string j ->
 * output ngate + (its number among all lead strings), and, if it has any
 * of these, over odd_fold, -> output ngate + nlead. Sets that would make
 * it too big are left out (gates first, then leads). */
static void build_prefilter(ruleset *rs, plits *lits, size_t npat)
{
	rs->gated = xcalloc(npat + 1, 1);
	rs->gate_off = xcalloc(npat + 1, sizeof *rs->gate_off);
	rs->lead = xcalloc(npat + 1, 1);
	size_t total = 1;
	uint32_t ngate = 0, nlead = 0;
	acseen seen = {0};
	for (size_t k = 0; k < npat; k++) {
		size_t kept = 0;
		strsets *g = &lits[k].gates;
		for (size_t i = 0; i < g->n; i++)
			if (ac_take(&g->v[i], &total, &seen)) g->v[kept++] = g->v[i];
		g->n = kept;
		rs->gated[k] = kept > 0;
		rs->gate_off[k] = ngate;
		ngate += (uint32_t)kept;
	}
	rs->gate_off[npat] = ngate;
	for (size_t k = 0; k < npat; k++) {
		strset *ls = &lits[k].lead;
		if (!ac_take(ls, &total, &seen)) continue;
		rs->lead[k] = 1;
		nlead += (uint32_t)ls->n;
	}
	free(seen.v); /* the strings stay in lits */
	rs->ac_ngate = ngate;
	rs->nlead = nlead;
	rs->lead_pat = xcalloc(nlead + 1, sizeof *rs->lead_pat);
	rs->lead_len = xcalloc(nlead + 1, sizeof *rs->lead_len);
	rs->lead_pat[nlead] = UINT32_MAX; /* the odd_fold output is no lead string */
	share_sets(rs, lits, npat);
	if (total == 1) return;
	for (size_t j = 0; j < NODD; j++) total += strlen(odd_fold[j]);

	/* classes: one per byte used by a literal (ASCII letters folded) */
	uint8_t used[256] = {0};
	for (size_t j = 0; j < NODD; j++)
		for (const unsigned char *p = (const unsigned char *)odd_fold[j]; *p; p++) used[*p] = 1;
	for (size_t k = 0; k < npat; k++) {
		for (size_t i = 0; i <= lits[k].gates.n; i++) {
			const strset *ls = i < lits[k].gates.n ? &lits[k].gates.v[i] : &lits[k].lead;
			for (size_t j = 0; j < ls->n; j++)
				for (const unsigned char *p = (const unsigned char *)ls->v[j]; *p; p++)
					used[*p] = 1;
		}
	}
	uint32_t nc = 1;
	uint8_t cls_of[256] = {0};
	for (int b = 0; b < 256; b++)
		if (used[b]) cls_of[b] = (uint8_t)nc++;
	for (int b = 0; b < 256; b++) {
		int f = (b >= 'A' && b <= 'Z') ? b + 32 : b;
		rs->ac_class[b] = cls_of[f];
	}
	rs->ac_nclass = nc;

	/* the trie */
	uint32_t *delta = xcalloc(total * nc, sizeof *delta);
	uint32_t *own_head = xcalloc(total, sizeof *own_head); /* 1-based into own */
	VEC(uint32_t) own_target = {0};
	VEC(uint32_t) own_next = {0};
	uint32_t ns = 1, li = 0;
	for (size_t k = 0; k < npat; k++) {
		for (size_t i = 0; i <= lits[k].gates.n; i++) {
			int is_lead = i == lits[k].gates.n;
			const strset *ls = is_lead ? &lits[k].lead : &lits[k].gates.v[i];
			for (size_t j = 0; j < ls->n; j++) {
				uint32_t st = 0, len = 0;
				for (const unsigned char *p = (const unsigned char *)ls->v[j]; *p; p++, len++) {
					uint32_t c = rs->ac_class[*p];
					if (!delta[st * nc + c]) delta[st * nc + c] = ns++;
					st = delta[st * nc + c];
				}
				if (is_lead) {
					rs->lead_pat[li] = (uint32_t)k;
					rs->lead_len[li] = len;
					VEC_PUSH(&own_target, ngate + li++);
				} else {
					VEC_PUSH(&own_target, rs->gate_off[k] + (uint32_t)i);
				}
				VEC_PUSH(&own_next, own_head[st]);
				own_head[st] = (uint32_t)own_target.n;
			}
		}
	}
	for (size_t j = 0; j < NODD; j++) {
		uint32_t st = 0;
		for (const unsigned char *p = (const unsigned char *)odd_fold[j]; *p; p++) {
			uint32_t c = rs->ac_class[*p];
			if (!delta[st * nc + c]) delta[st * nc + c] = ns++;
			st = delta[st * nc + c];
		}
		VEC_PUSH(&own_target, ngate + nlead);
		VEC_PUSH(&own_next, own_head[st]);
		own_head[st] = (uint32_t)own_target.n;
	}

	/* failure links, breadth first, completing the DFA */
	uint32_t *fail = xcalloc(ns, sizeof *fail);
	uint32_t *queue = xmalloc(ns * sizeof *queue);
	uint32_t *cnt = xcalloc(ns + 1, sizeof *cnt);
	size_t qh = 0, qt = 0;
	for (uint32_t c = 0; c < nc; c++)
		if (delta[c]) queue[qt++] = delta[c];
	while (qh < qt) {
		uint32_t r = queue[qh++];
		for (uint32_t c = 0; c < nc; c++) {
			uint32_t u = delta[r * nc + c];
			if (u) {
				fail[u] = delta[fail[r] * nc + c];
				queue[qt++] = u;
			} else {
				delta[r * nc + c] = delta[fail[r] * nc + c];
			}
		}
	}
	/* outputs: own ones plus those of the failure state */
	for (size_t q = 0; q < qt; q++) {
		uint32_t st = queue[q];
		uint32_t own = 0;
		for (uint32_t h = own_head[st]; h; h = own_next.v[h - 1]) own++;
		cnt[st] = own + cnt[fail[st]];
	}
	rs->ac_out_off = xcalloc(ns + 1, sizeof *rs->ac_out_off);
	for (uint32_t st = 0; st < ns; st++) rs->ac_out_off[st + 1] = rs->ac_out_off[st] + cnt[st];
	rs->ac_out = xmalloc(((size_t)rs->ac_out_off[ns] + 1) * sizeof *rs->ac_out);
	for (size_t q = 0; q < qt; q++) {
		uint32_t st = queue[q];
		uint32_t w = rs->ac_out_off[st];
		for (uint32_t h = own_head[st]; h; h = own_next.v[h - 1]) rs->ac_out[w++] = own_target.v[h - 1];
		uint32_t f = fail[st];
		for (uint32_t x = rs->ac_out_off[f]; x < rs->ac_out_off[f + 1]; x++) rs->ac_out[w++] = rs->ac_out[x];
	}
	/* the shared outputs: those of the first gate with the same strings
	 * and of the first pattern with the same lead set */
	rs->ac_sout_off = xcalloc(ns + 1, sizeof *rs->ac_sout_off);
	rs->ac_sout = xmalloc(((size_t)rs->ac_out_off[ns] + 1) * sizeof *rs->ac_sout);
	uint32_t w = 0;
	for (uint32_t st = 0; st < ns; st++) {
		for (uint32_t x = rs->ac_out_off[st]; x < rs->ac_out_off[st + 1]; x++) {
			uint32_t o = rs->ac_out[x];
			if (o < ngate ? rs->gate_id[o] == o
				      : o == ngate + nlead || rs->lead_chain[rs->lead_pat[o - ngate]] ==
								     rs->lead_pat[o - ngate])
				rs->ac_sout[w++] = o;
		}
		rs->ac_sout_off[st + 1] = w;
	}
	/* premultiply targets, flag those with outputs */
	for (size_t x = 0; x < (size_t)ns * nc; x++) {
		uint32_t u = delta[x];
		delta[x] = u * nc | (cnt[u] ? AC_OUT : 0);
	}
	rs->ac_delta = xrealloc(delta, (size_t)ns * nc * sizeof *delta);
	rs->ac_nstates = ns;
	free(own_head);
	VEC_FREE(&own_target);
	VEC_FREE(&own_next);
	free(fail);
	free(queue);
	free(cnt);
}

/* Check fragment fi's references: each %{NAME} a list or a fragment, no
 * fragment that uses itself. Returns -1 if there is a problem in it or in
 * a fragment it uses (reported at the fragment's own definition). */
static int check_frag_refs(loader *L, size_t fi)
{
	raw_frag *f = &L->frags.v[fi];
	if (f->state == 2) return f->bad ? -1 : 0;
	f->state = 1;
	const raw_val *v = &f->pat;
	const char *s = v->text;
	size_t n = strlen(s);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] != '%' || s[i + 1] != '{') continue;
		const char *close = strchr(s + i + 2, '}');
		L->file = f->file;
		if (!close) {
			ERR(L, v->line, val_col(v, i), "`%%{` without a closing `}`");
			bad = 1;
			break;
		}
		size_t na = i + 2, nb = (size_t)(close - s);
		long gi;
		if (find_list(L->rs, s + na, nb - na) >= 0) {
			/* a list: fine */
		} else if ((gi = find_frag(L, s + na, nb - na)) < 0) {
			ERR(L, v->line, val_col(v, i), "unknown list or fragment `%.*s` in `%%{%.*s}`",
			    (int)(nb - na), s + na, (int)(nb - na), s + na);
			bad = 1;
		} else if (L->frags.v[gi].state == 1) {
			ERR(L, v->line, val_col(v, i), "fragment `%s` uses itself (through `%%{%.*s}`)",
			    f->name, (int)(nb - na), s + na);
			bad = 1;
		} else if (check_frag_refs(L, (size_t)gi) < 0) {
			bad = 1;
		}
		i = nb;
	}
	f = &L->frags.v[fi];
	f->state = 2;
	if (bad) f->bad = 1;
	return bad ? -1 : 0;
}

/* Fragments: a name that is not also a list's, references that resolve,
 * and a text that compiles as a regular expression by itself (errors
 * point into the fragment as written). */
static void check_frags(loader *L)
{
	for (size_t i = 0; i < L->frags.n; i++) {
		raw_frag *f = &L->frags.v[i];
		long li = find_list(L->rs, f->name, strlen(f->name));
		L->file = f->file;
		if (li >= 0) {
			ERR(L, f->line, f->col, "`%s` is both a list (%s:%d) and a fragment", f->name,
			    L->rs->lists.v[li].file, L->rs->lists.v[li].line);
			f->bad = 1;
		}
		if (!f->pat.text) f->bad = 1;
	}
	for (size_t i = 0; i < L->frags.n; i++) {
		raw_frag *f = &L->frags.v[i];
		if (!f->pat.text || check_frag_refs(L, i) < 0) continue;
		strbuf exp = {0};
		seg_maps map = {0};
		f->state = 1;
		int rc = expand_text(L, &f->pat, f->pat.text, &exp, &map, 0, 0, 1);
		f = &L->frags.v[i];
		f->state = 2;
		if (rc == 0) {
			int errcode;
			PCRE2_SIZE erroff;
			pcre2_code *code = pcre2_compile((PCRE2_SPTR)exp.data, exp.len, PCRE2_UTF | PCRE2_UCP,
							 &errcode, &erroff, NULL);
			if (!code) {
				PCRE2_UCHAR msg[256];
				pcre2_get_error_message(errcode, msg, sizeof msg);
				L->file = f->file;
				ERR(L, f->pat.line, val_col(&f->pat, map_offset(&map, erroff)),
				    "bad pattern in fragment `%s`: %s", f->name, (const char *)msg);
				f->bad = 1;
			}
			pcre2_code_free(code);
			L->file = f->file;
			lint_nested_quantifiers(L, &f->pat);
		} else {
			f->bad = 1;
		}
		strbuf_free(&exp);
		VEC_FREE(&map);
	}
	/* only uses by rules count */
	for (size_t i = 0; i < L->frags.n; i++) {
		L->frags.v[i].used = 0;
		L->frags.v[i].state = 0;
	}
}

/* The index of the ']' that ends the class that opens at s[i] (n if none). */
static size_t class_end(const char *s, size_t n, size_t i)
{
	i++;
	if (i < n && s[i] == '^') i++;
	if (i < n && s[i] == ']') i++;
	while (i < n && s[i] != ']') {
		if (s[i] == '\\') i++;
		else if (s[i] == '[' && i + 1 < n && s[i + 1] == ':') {
			const char *e = strstr(s + i, ":]");
			if (e) i = (size_t)(e - s) + 1;
		}
		i++;
	}
	return i < n ? i : n;
}

/* The end of the group that opens at s[i] (the index of its ')'), or n. */
static size_t group_end(const char *s, size_t n, size_t i)
{
	size_t depth = 0;
	for (; i < n; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == '[') {
			i = class_end(s, n, i);
		} else if (s[i] == '(') {
			depth++;
		} else if (s[i] == ')') {
			if (--depth == 0) return i;
		}
	}
	return n;
}

/* Does the pattern have a '|' outside all groups? */
static int top_level_alt(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\') i++;
		else if (s[i] == '(') i = group_end(s, n, i);
		else if (s[i] == '[') i = class_end(s, n, i);
		else if (s[i] == '|') return 1;
	}
	return 0;
}

/*
 * Where may a match of the expanded pattern s start? If the pattern opens
 * (after lookaheads, other lookbehinds and option settings, with no
 * top-level alternative) with a negative lookbehind for one character of
 * a class holding \p{L} (or \w), no match starts right after an ASCII
 * letter (or another ASCII character of the class): set those bits of
 * out->no_start_after. Anything not understood: no claim. Patterns with
 * backtracking verbs or \G, whose outcome can depend on where a search
 * starts, are left alone.
 */
static void find_start_class(const char *s, rs_pattern *out)
{
	size_t n = strlen(s), i = 0;
	out->has_after = 0;
	if (strstr(s, "(*") || strstr(s, "\\G") || top_level_alt(s, n)) return;
	while (i + 3 < n && s[i] == '(' && s[i + 1] == '?') {
		if (s[i + 2] == '<' && s[i + 3] == '!' && i + 4 < n && s[i + 4] == '[') {
			uint8_t bits[16] = {0};
			int letters = 0, ok = 1;
			size_t j = i + 5;
			if (j < n && s[j] == '^') ok = 0;
			for (; ok && j < n && s[j] != ']'; j++) {
				unsigned char c = (unsigned char)s[j];
				if (c == '\\' && j + 1 < n) {
					char e = s[++j];
					if ((e == 'p' && j + 3 < n && s[j + 1] == '{' && s[j + 3] == '}' &&
					     (s[j + 2] == 'L' || s[j + 2] == 'N'))) {
						if (s[j + 2] == 'L') {
							for (int b = 'a'; b <= 'z'; b++) bits[b >> 3] |= (uint8_t)(1u << (b & 7));
							for (int b = 'A'; b <= 'Z'; b++) bits[b >> 3] |= (uint8_t)(1u << (b & 7));
							letters = 1;
						} else {
							for (int b = '0'; b <= '9'; b++) bits[b >> 3] |= (uint8_t)(1u << (b & 7));
						}
						j += 3;
					} else if (e == 'p' || e == 'P' || e == 'x' || e == 'Q' || e == 'E' ||
						   (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
						   (e >= '0' && e <= '9')) {
						/* other escapes (\pL, \s, \x{..}, ...): only what is known */
						if (e == 'p' || e == 'P' || e == 'x' || e == 'Q' || e == 'E') ok = 0;
					} else {
						bits[(unsigned char)e >> 3] |= (uint8_t)(1u << (e & 7));
					}
				} else if (c == '-' && j + 1 < n && s[j + 1] != ']') {
					ok = 0; /* a range */
				} else if (c == '[') {
					ok = 0; /* [:alpha:] and the like */
				} else if (c < 0x80) {
					bits[c >> 3] |= (uint8_t)(1u << (c & 7));
				}
				/* bytes of non-ASCII characters: no claim about them */
			}
			if (ok && letters && j + 1 < n && s[j] == ']' && s[j + 1] == ')') {
				memcpy(out->no_start_after, bits, sizeof bits);
				out->has_after = 1;
			}
			return;
		}
		if (s[i + 2] == '=' || s[i + 2] == '!' ||
		    (s[i + 2] == '<' && (s[i + 3] == '=' || s[i + 3] == '!'))) {
			i = group_end(s, n, i) + 1; /* zero-width: the start stays */
			continue;
		}
		size_t j = i + 2; /* option settings (?i) */
		while (j < n && strchr("imnsU-", s[j])) j++;
		if (j == i + 2 || j >= n || s[j] != ')') return;
		i = j + 1;
	}
}

/* The bytes a class [..] at s[i] (ending at e, its ']') may start with,
 * into bits: ASCII characters and ranges, and \x{80}-\x{10ffff} (every
 * byte from 0x80). 0 if it holds anything else. */
static int class_first_bytes(const char *s, size_t i, size_t e, uint8_t bits[32])
{
	size_t j = i + 1;
	if (j < e && s[j] == '^') return 0;
	while (j < e) {
		static const char wide[] = "\\x{80}-\\x{10ffff}";
		unsigned lo, hi;
		if (strncmp(s + j, wide, sizeof wide - 1) == 0 && j + sizeof wide - 1 <= e) {
			for (unsigned b = 0x80; b < 256; b++) bits[b >> 3] |= (uint8_t)(1u << (b & 7));
			j += sizeof wide - 1;
			continue;
		}
		if (s[j] == '\\') {
			char c = s[j + 1];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == 0)
				return 0;
			lo = (unsigned char)c;
			j += 2;
		} else {
			lo = (unsigned char)s[j];
			if (lo >= 0x80 || lo == '[') return 0;
			j++;
		}
		hi = lo;
		if (j + 1 < e && s[j] == '-') {
			hi = (unsigned char)s[j + 1];
			if (hi >= 0x80 || hi == '\\' || hi == '[' || hi < lo) return 0;
			j += 2;
		}
		for (unsigned b = lo; b <= hi; b++) bits[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
	return 1;
}

/* The words of a group s[0, n) that matches exactly a set of strings (the
 * literal walk's exact set), appended to out; 0 if it is not such a group
 * or one of them is empty. */
static int exact_words(const char *s, size_t n, strset *out)
{
	lpool lp;
	lp_init(&lp);
	pparse P = {s, n, 0, 0, &lp, NULL};
	pinfo r = pp_alt(&P);
	int ok = !P.fail && P.i == n && r.exact && r.ex.n;
	for (uint32_t k = 0; ok && k < r.ex.n; k++)
		if (!r.ex.v[k].len) ok = 0;
	for (uint32_t k = 0; ok && k < r.ex.n; k++) VEC_PUSH(out, xstrndup(r.ex.v[k].s, r.ex.v[k].len));
	lp_free(&lp);
	return ok;
}

/* The alternatives of the lookahead s[a, b) (its content): each a class, a
 * lookahead for a class, or a group of exact words and \s. */
static int lookahead_words(const char *s, size_t a, size_t b, rs_pattern *out, strset *words)
{
	size_t i = a;
	while (i <= b) {
		/* this alternative: up to the next '|' at depth 0 */
		size_t e = i;
		while (e < b && s[e] != '|') {
			if (s[e] == '\\') e += 2;
			else if (s[e] == '(') e = group_end(s, b, e) + 1;
			else if (s[e] == '[') e = class_end(s, b, e) + 1;
			else e++;
		}
		if (e > b) return 0;
		size_t k = i;
		if (k + 3 < e && strncmp(s + k, "(?=[", 4) == 0) {
			size_t ce = class_end(s, e, k + 3);
			if (ce + 1 >= e || s[ce + 1] != ')' || !class_first_bytes(s, k + 3, ce, out->word_first))
				return 0;
		} else if (s[k] == '[') {
			size_t ce = class_end(s, e, k);
			if (ce >= e || !class_first_bytes(s, k, ce, out->word_first)) return 0;
		} else if (s[k] == '(') {
			size_t ge = group_end(s, e, k);
			if (ge >= e || e - ge - 1 < 2 || strncmp(s + ge + 1, "\\s", 2) != 0) return 0;
			if (ge + 3 < e && strchr("*?{", s[ge + 3])) return 0; /* \s* may match nothing */
			if (!exact_words(s + k, ge + 1 - k, words)) return 0;
		} else {
			return 0;
		}
		i = e + 1;
	}
	return 1;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Does every match of the expanded pattern s start with a byte of a small
 * set or with one of a set of words and white space (rs_pattern.has_words)?
 * Only for a pattern that opens, with no top-level alternative, with
 * zero-width groups one of which is a lookahead of the forms that
 * lookahead_words reads, as source.np-said's "(?=[A-Z...]...|[0-9...]|
 * (?i:a|an|...)\s)" and source.role-indefinite's "(?=(?i:an?|one|another)\s)".
 * Anything else, option settings before it included: no claim.
 */
static void find_start_words(const char *s, rs_pattern *out)
{
	size_t n = strlen(s), i = 0;
	out->has_words = 0;
	if (strstr(s, "(*") || strstr(s, "\\G") || top_level_alt(s, n)) return;
	while (i + 2 < n && s[i] == '(' && s[i + 1] == '?') {
		int la = s[i + 2] == '=';
		if (!la && s[i + 2] != '!' && !(s[i + 2] == '<' && (s[i + 3] == '=' || s[i + 3] == '!'))) return;
		size_t e = group_end(s, n, i);
		if (e >= n) return;
		if (la) {
			strset w = {0};
			uint8_t keep[32];
			memcpy(keep, out->word_first, 32);
			memset(out->word_first, 0, 32);
			if (lookahead_words(s, i + 3, e, out, &w)) {
				if (w.n) qsort(w.v, w.n, sizeof *w.v, cmp_strp); /* w.v is NULL without words */
				out->words = w.v;
				out->nwords = (uint32_t)w.n;
				out->word_at = xcalloc(257, sizeof *out->word_at);
				for (size_t k = 0; k < w.n; k++) out->word_at[(unsigned char)w.v[k][0] + 1]++;
				for (int b = 0; b < 256; b++) out->word_at[b + 1] += out->word_at[b];
				out->has_words = 1;
				return;
			}
			set_free(&w);
			memcpy(out->word_first, keep, 32);
		}
		i = e + 1;
	}
}

static int compile_pattern(loader *L, const raw_val *v, uint32_t rule, rs_pattern *out,
			   plits *lits)
{
	strbuf exp = {0};
	seg_maps map = {0};
	int rc = -1;
	int bad = expand_pattern(L, v, &exp, &map, 1) < 0;

	int errcode;
	PCRE2_SIZE erroff;
	/* PCRE2_USE_OFFSET_LIMIT lets tag.c stop a gated pattern's search
	 * after the last place its required literal occurs */
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_USE_OFFSET_LIMIT;
#ifdef PCRE2_MATCH_INVALID_UTF
	opts |= PCRE2_MATCH_INVALID_UTF;
#endif
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)exp.data, exp.len, opts, &errcode, &erroff, NULL);
	if (!code && !bad) {
		/* in case a list's trie form is what PCRE2 refuses: the flat form */
		strbuf_reset(&exp);
		map.n = 0;
		expand_pattern(L, v, &exp, &map, 0);
		code = pcre2_compile((PCRE2_SPTR)exp.data, exp.len, opts, &errcode, &erroff, NULL);
	}
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		size_t src = map_offset(&map, erroff);
		ERR(L, v->line, val_col(v, src), "bad pattern: %s", (const char *)msg);
		goto done;
	}
	if (bad) {
		pcre2_code_free(code);
		goto done;
	}
	/* JIT-compiled on first use (ruleset_jit_compile) */
	atomic_init(&out->jit, RS_JIT_UNTRIED);
	find_start_class(exp.data, out);
	memset(out->word_first, 0, sizeof out->word_first);
	out->words = NULL;
	out->word_at = NULL;
	out->nwords = 0;
	find_start_words(exp.data, out);

	uint32_t count = 0, esize = 0, capt = 0, minlen = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &capt);
	pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen);
	for (uint32_t k = 0; k < count; k++) {
		const char *name = (const char *)table + k * esize + 2;
		if (strcmp(name, "cue") && strcmp(name, "source") && strcmp(name, "role"))
			WARN(L, v->line, v->col, "group `%s` has no meaning here (named groups: cue, source, role)",
			     name);
	}
	if (minlen == 0)
		WARN(L, v->line, v->col, "this pattern can match empty text (empty matches are ignored)");
	lint_nested_quantifiers(L, v);

	if (!L->memo) L->memo = lmemo_new();
	*lits = pattern_literals(exp.data, exp.len, L->memo);
	/* a search that tries only where a lead string occurs finds the same
	 * matches unless where the search starts matters (verbs, \G) */
	if (strstr(exp.data, "(*") || strstr(exp.data, "\\G")) set_free(&lits->lead);
	out->code = code;
	out->rule = rule;
	out->g_cue = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "cue");
	out->g_source = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "source");
	out->g_role = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "role");
	if (out->g_cue < 0) out->g_cue = -1;
	if (out->g_source < 0) out->g_source = -1;
	if (out->g_role < 0) out->g_role = -1;
	if (capt > L->rs->max_groups) L->rs->max_groups = capt;
	rc = 0;
done:
	strbuf_free(&exp);
	VEC_FREE(&map);
	return rc;
}

static void compile_rules(loader *L, plitss *lits, plitss *xlits)
{
	ruleset *rs = L->rs;
	for (size_t r = 0; r < L->raw.n; r++) {
		raw_rule *rr = &L->raw.v[r];
		rs_rulex *x = &rs->rx.v[r];
		L->file = rr->file;
		item_ctx ic = {rr, (uint32_t)r, 0};
		for (size_t k = 0; k < rr->match.n; k++) split_items(L, &ic, &rr->match.v[k], compile_item);
		ic.except = 1;
		for (size_t k = 0; k < rr->except.n; k++) split_items(L, &ic, &rr->except.v[k], compile_item);
		x->pat = (uint32_t)rs->patterns.n;
		for (size_t k = 0; k < rr->pattern.n; k++) {
			rs_pattern p;
			plits ls;
			if (compile_pattern(L, &rr->pattern.v[k], (uint32_t)r, &p, &ls) == 0) {
				VEC_PUSH(&rs->patterns, p);
				VEC_PUSH(lits, ls);
				VEC_PUSH(&L->ploc, &rr->pattern.v[k]);
				VEC_PUSH(&L->pfile, rr->file);
			}
		}
		x->npat = (uint32_t)rs->patterns.n - x->pat;
		x->xpat = (uint32_t)rs->xpatterns.n;
		for (size_t k = 0; k < rr->xpattern.n; k++) {
			rs_pattern p;
			plits ls;
			if (compile_pattern(L, &rr->xpattern.v[k], (uint32_t)r, &p, &ls) == 0) {
				VEC_PUSH(&rs->xpatterns, p);
				VEC_PUSH(xlits, ls);
				VEC_PUSH(&L->xploc, &rr->xpattern.v[k]);
				VEC_PUSH(&L->xpfile, rr->file);
			}
		}
		x->nxpat = (uint32_t)rs->xpatterns.n - x->xpat;
	}
}

/*
 * Warn about each pattern the tagger tries at every byte of the sentences
 * it runs in (tag.c): PCRE2 knows neither a first code unit nor a start
 * bitmap, it is not anchored, it has no lead strings (rs->lead: tried only
 * where one occurs) and no word-start lookbehind (has_after: tried only at
 * word starts). Gates and a required byte choose the sentences, not the
 * positions in them, so they do not count. Run after build_prefilter, for
 * ruleset_load_lint only: a cost, not a fault, so other commands keep quiet.
 */
static void lint_every_byte(loader *L)
{
	const ruleset *rs = L->rs;
	size_t np = rs->patterns.n, n = np + rs->xpatterns.n;
	for (size_t k = 0; k < n; k++) {
		const rs_pattern *p = k < np ? &rs->patterns.v[k] : &rs->xpatterns.v[k - np];
		const raw_val *v = k < np ? L->ploc.v[k] : L->xploc.v[k - np];
		const char *file = k < np ? L->pfile.v[k] : L->xpfile.v[k - np];
		uint32_t type = 0, all = 0;
		const uint8_t *map = NULL;
		if (rs->lead[k] || p->has_after) continue;
		pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTCODETYPE, &type);
		if (type != 0) continue;
		if (pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 && map) continue;
		pcre2_pattern_info(p->code, PCRE2_INFO_ALLOPTIONS, &all);
		if (all & PCRE2_ANCHORED) continue;
		diags_add(L->d, DIAG_WARNING, file, v->line, v->col,
			  "pattern is tried at every byte: PCRE2 finds no start set (a leading \\d or \\p{..} in "
			  "Unicode mode gives none); start it with a lookahead for the bytes a match can start "
			  "with, such as (?=[0-9\\x{80}-\\x{10ffff}]), or at a word start with (?<![\\p{L}\\p{N}])");
	}
}

/* Index items by their first element. */
static void build_index(ruleset *rs)
{
	uint32_t nk = rs->nkeys;
	rs->index_off = xcalloc((size_t)nk + 2, sizeof *rs->index_off);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *fill = NULL;
		if (pass == 1) {
			for (uint32_t k = 1; k <= nk + 1; k++) rs->index_off[k] += rs->index_off[k - 1];
			rs->index_items = xmalloc(((size_t)rs->index_off[nk + 1] + 1) * sizeof *rs->index_items);
			fill = xmalloc(((size_t)nk + 1) * sizeof *fill);
			memcpy(fill, rs->index_off, ((size_t)nk + 1) * sizeof *fill);
		}
		for (size_t i = 0; i < rs->items.n; i++) {
			const rs_elem *e = &rs->elems.v[rs->items.v[i].elem];
			const uint32_t *ids = &e->id;
			size_t nids = 1, shift = 0;
			if (e->mode == EL_ANY) {
				if (pass == 0) VEC_PUSH(&rs->any_items, (uint32_t)i);
				continue;
			}
			if (e->mode == EL_LIST) {
				ids = rs->lists.v[e->id].stems.v;
				nids = rs->lists.v[e->id].stems.n;
				shift = 1;
			}
			if (e->mode == EL_PREFIX && pass == 0) {
				size_t k = 0;
				while (k < rs->prefix_lens.n && rs->prefix_lens.v[k] != e->len) k++;
				if (k == rs->prefix_lens.n) VEC_PUSH(&rs->prefix_lens, e->len);
			}
			for (size_t k = 0; k < nids; k++) {
				uint32_t id = ids[k] >> shift;
				if (pass == 0) rs->index_off[id + 1]++;
				else rs->index_items[fill[id]++] = (uint32_t)i;
			}
		}
		free(fill);
	}
	if (rs->prefix_lens.n)
		qsort(rs->prefix_lens.v, rs->prefix_lens.n, sizeof *rs->prefix_lens.v, cmp_u32);
}

/* ---- hash --------------------------------------------------------------- */

static void update_hash(ruleset *rs)
{
	sha256_ctx c = rs->content;
	sha256_update(&c, "selection\n", 10);
	for (size_t i = 0; i < rs->rules.n; i++) {
		if (rs->rules.v[i].enabled) continue;
		sha256_update(&c, "-", 1);
		sha256_update(&c, rs->rules.v[i].id, strlen(rs->rules.v[i].id));
		sha256_update(&c, "\n", 1);
	}
	sha256_final_hex(&c, rs->hash);
}

/* ---- public ------------------------------------------------------------- */

static void raw_vals_free(raw_vals *v)
{
	for (size_t i = 0; i < v->n; i++) free(v->v[i].text);
	VEC_FREE(v);
}

static void loader_free(loader *L)
{
	for (size_t i = 0; i < L->raw.n; i++) {
		raw_rule *r = &L->raw.v[i];
		raw_vals_free(&r->match);
		raw_vals_free(&r->except);
		raw_vals_free(&r->pattern);
		raw_vals_free(&r->xpattern);
		for (size_t k = 0; k < r->sigs.n; k++) free(r->sigs.v[k]);
		VEC_FREE(&r->sigs);
	}
	VEC_FREE(&L->raw);
	for (size_t i = 0; i < L->frags.n; i++) {
		free(L->frags.v[i].name);
		free(L->frags.v[i].pat.text);
	}
	VEC_FREE(&L->frags);
	for (size_t i = 0; i < L->files.n; i++) free(L->files.v[i]);
	VEC_FREE(&L->files);
	tokens_free(&L->toks);
	stemmer_free(L->st);
	strbuf_free(&L->tmp);
	if (L->lexp)
		for (size_t i = 0; i < L->rs->lists.n; i++)
			for (int k = 0; k < 3; k++) free(L->lexp[i].text[k]);
	free(L->lexp);
	lmemo_free(L->memo);
	VEC_FREE(&L->ploc);
	VEC_FREE(&L->xploc);
	VEC_FREE(&L->pfile);
	VEC_FREE(&L->xpfile);
}

int ruleset_jit_compile(const ruleset *rs, const rs_pattern *p)
{
	/* rs and p are not const objects: this is the one change a loaded
	 * rule set undergoes, made once per pattern under the lock */
	ruleset *w = (ruleset *)rs;
	rs_pattern *wp = (rs_pattern *)p;
	if (pthread_mutex_lock(&w->jit_lock)) die("pthread_mutex_lock failed");
	int s = atomic_load_explicit(&wp->jit, memory_order_relaxed);
	if (s == RS_JIT_UNTRIED) {
		/* without JIT, the interpreter runs it */
		s = pcre2_jit_compile(wp->code, PCRE2_JIT_COMPLETE) == 0 ? RS_JIT_YES : RS_JIT_NO;
		atomic_store_explicit(&wp->jit, s, memory_order_release);
	}
	pthread_mutex_unlock(&w->jit_lock);
	return s;
}

static ruleset *load(const char *const *paths, size_t npaths, diags *d, int lint)
{
	ruleset *rs = xcalloc(1, sizeof *rs);
	if (pthread_mutex_init(&rs->jit_lock, NULL)) die("pthread_mutex_init failed");
	loader L = {0};
	size_t errors0 = d->errors;
	L.rs = rs;
	L.d = d;
	L.lint = lint;
	L.st = stemmer_new();
	rs->seg = segmenter_new();
	score_weights_default(&rs->weights);
	sha256_init(&rs->content);

	if (!npaths) diags_add(d, DIAG_ERROR, NULL, 0, 0, "no rule files given");
	for (size_t i = 0; i < npaths; i++) load_path(&L, paths[i]);

	if (rs->rules.n) {
		VEC_RESERVE(&rs->rx, rs->rules.n);
		memset(rs->rx.v, 0, rs->rules.n * sizeof *rs->rx.v);
		rs->rx.n = rs->rules.n;
	}
	compile_lists(&L);
	check_frags(&L);
	plitss lits = {0}, xlits = {0};
	compile_rules(&L, &lits, &xlits);
	for (size_t i = 0; i < L.frags.n; i++) {
		const raw_frag *f = &L.frags.v[i];
		if (!f->used && !f->bad)
			diags_add(d, DIAG_WARNING, f->file, f->line, 0, "fragment `%s` is not used by any rule",
				  f->name);
	}
	for (size_t i = 0; i < xlits.n; i++) VEC_PUSH(&lits, xlits.v[i]);
	build_prefilter(rs, lits.v, lits.n);
	if (L.lint) lint_every_byte(&L);
	for (size_t i = 0; i < lits.n; i++) {
		sets_free(&lits.v[i].gates);
		set_free(&lits.v[i].lead);
	}
	VEC_FREE(&lits);
	VEC_FREE(&xlits);
	for (size_t i = 0; i < rs->lists.n; i++) {
		rs_list *li = &rs->lists.v[i];
		if (!li->items.n)
			diags_add(d, DIAG_WARNING, li->file, li->line, 0, "list `%s` has no items", li->name);
		else if (!li->used)
			diags_add(d, DIAG_WARNING, li->file, li->line, 0, "list `%s` is not used by any rule",
				  li->name);
	}
	build_index(rs);
	update_hash(rs);
	loader_free(&L);

	if (d->errors > errors0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

ruleset *ruleset_load(const char *const *paths, size_t npaths, diags *d)
{
	return load(paths, npaths, d, 0);
}

ruleset *ruleset_load_lint(const char *const *paths, size_t npaths, diags *d)
{
	return load(paths, npaths, d, 1);
}

void ruleset_free(ruleset *rs)
{
	if (!rs) return;
	for (size_t i = 0; i < rs->rules.n; i++) {
		rule_info *r = &rs->rules.v[i];
		free(r->id);
		free(r->note);
		free(r->file);
		for (size_t k = 0; k < r->examples.n; k++) {
			rule_example *e = &r->examples.v[k];
			free(e->text);
			free(e->expect_source);
			free(e->expect_role);
			free(e->expect_cue);
		}
		VEC_FREE(&r->examples);
	}
	VEC_FREE(&rs->rules);
	VEC_FREE(&rs->rx);
	VEC_FREE(&rs->items);
	VEC_FREE(&rs->elems);
	for (size_t i = 0; i < rs->patterns.n + rs->xpatterns.n; i++) {
		rs_pattern *p = i < rs->patterns.n ? &rs->patterns.v[i] : &rs->xpatterns.v[i - rs->patterns.n];
		pcre2_code_free(p->code);
		for (uint32_t k = 0; k < p->nwords; k++) free(p->words[k]);
		free(p->words);
		free(p->word_at);
	}
	VEC_FREE(&rs->patterns);
	VEC_FREE(&rs->xpatterns);
	for (size_t i = 0; i < rs->lists.n; i++) {
		rs_list *li = &rs->lists.v[i];
		free(li->name);
		free(li->file);
		for (size_t k = 0; k < li->items.n; k++) free(li->items.v[k]);
		VEC_FREE(&li->items);
		VEC_FREE(&li->stems);
	}
	VEC_FREE(&rs->lists);
	free(rs->keys);
	strbuf_free(&rs->keystr);
	free(rs->index_off);
	free(rs->index_items);
	VEC_FREE(&rs->any_items);
	VEC_FREE(&rs->prefix_lens);
	free(rs->ac_delta);
	free(rs->ac_out_off);
	free(rs->ac_out);
	free(rs->ac_sout_off);
	free(rs->ac_sout);
	free(rs->gate_id);
	free(rs->lead_chain);
	free(rs->gated);
	free(rs->gate_off);
	free(rs->lead);
	free(rs->lead_pat);
	free(rs->lead_len);
	segmenter_free(rs->seg);
	pthread_mutex_destroy(&rs->jit_lock);
	free(rs);
}

size_t ruleset_size(const ruleset *rs)
{
	return rs->rules.n;
}

const rule_info *ruleset_rule(const ruleset *rs, size_t i)
{
	return i < rs->rules.n ? &rs->rules.v[i] : NULL;
}

long ruleset_find(const ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->rules.n; i++)
		if (strcmp(rs->rules.v[i].id, id) == 0) return (long)i;
	return -1;
}

const char *ruleset_hash(const ruleset *rs)
{
	return rs->hash;
}

const segmenter *ruleset_segmenter(const ruleset *rs)
{
	return rs->seg;
}

const score_weights *ruleset_weights(const ruleset *rs)
{
	return &rs->weights;
}

void ruleset_set_enabled(ruleset *rs, size_t i, int on)
{
	if (i >= rs->rules.n) return;
	rs->rules.v[i].enabled = on ? 1 : 0;
	update_hash(rs);
}
