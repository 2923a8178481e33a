/*
 * explain.c — an analysis rendered for people (text) and for programs
 * (JSON, layout documented in README.md under "explain JSON").
 */
#include "config.h"
#include "explain.h"

#include <string.h>

static json_t *jstr_span(const char *text, uint32_t start, uint32_t end)
{
	return json_stringn(text + start, end - start);
}

static json_t *span_obj(const char *text, span s)
{
	if (s.start == s.end) return json_null();
	return json_pack("{s:I,s:I,s:o}", "start", (json_int_t)s.start, "end", (json_int_t)s.end,
			 "text", jstr_span(text, s.start, s.end));
}

static json_t *tag_json(const char *text, const tag *t, const ruleset *rs)
{
	const rule_info *ri = ruleset_rule(rs, t->rule);
	json_t *o = json_pack("{s:s,s:s,s:f,s:I,s:I,s:o,s:o,s:b}", "rule", ri->id, "category",
			      category_name((category)t->category), "weight", ri->weight, "start",
			      (json_int_t)t->start, "end", (json_int_t)t->end, "text",
			      jstr_span(text, t->start, t->end), "cue", span_obj(text, t->cue),
			      "suppressed", t->suppressed);
	if (t->category == CAT_SOURCE) {
		json_object_set_new(o, "source", span_obj(text, t->source));
		json_object_set_new(o, "role", span_obj(text, t->role));
		json_object_set_new(o, "anonymous", json_boolean(t->anonymous));
	}
	return o;
}

static json_t *scores_json(const sentence_scores *s)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:b}", "hedge", s->hedge, "speculation",
			 s->speculation, "weasel", s->weasel, "uncertainty", s->uncertainty, "factual",
			 s->factual, "checkworthy", s->checkworthy, "sourced", s->sourced, "flagged",
			 s->flagged);
}

json_t *explain_json(const analysis *a, const ruleset *rs)
{
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	json_t *doc = json_pack("{s:s?,s:s?,s:s?,s:s,s:I,s:s}", "key", a->doc.key, "path", a->doc.path,
				"title", a->nt.title ? a->nt.title : a->doc.title, "format",
				format_name(a->doc.format), "bytes", (json_int_t)a->doc.raw_len,
				"raw_hash", a->doc.raw_hash);
	if (a->doc.id) json_object_set_new(doc, "id", json_string(a->doc.id));
	/* a JSONL record's metadata, so `claimcheck import` can store it */
	if (a->doc.url) json_object_set_new(doc, "url", json_string(a->doc.url));
	if (a->doc.published) json_object_set_new(doc, "published", json_string(a->doc.published));
	json_t *o = json_pack("{s:i,s:s,s:s,s:o}", "version", EXPLAIN_JSON_VERSION, "tool",
			      PACKAGE_STRING, "ruleset", ruleset_hash(rs), "document", doc);
	if (a->failed) {
		json_t *e = json_pack("{s:s}", "message", a->err.msg);
		if (a->err.offset >= 0) json_object_set_new(e, "offset", json_integer(a->err.offset));
		if (a->err.line > 0) json_object_set_new(e, "line", json_integer(a->err.line));
		json_object_set_new(o, "error", e);
		json_object_set_new(o, "sentences", json_array());
		return o;
	}
	json_object_set_new(o, "error", json_null());
	json_object_set_new(doc, "text_hash", json_string(a->text_hash));
	json_object_set_new(o, "text", json_stringn(text, a->nt.text.len));
	json_t *sents = json_array();
	for (size_t i = 0; i < a->sents.n; i++) {
		const sentence_rec *r = &a->sents.v[i];
		json_t *tags = json_array();
		for (uint32_t k = 0; k < r->tag_count; k++)
			json_array_append_new(tags, tag_json(text, &a->tags.v[r->tag_first + k], rs));
		json_array_append_new(
			sents, json_pack("{s:I,s:I,s:I,s:s,s:o,s:I,s:o,s:o}", "index", (json_int_t)i,
					 "start", (json_int_t)r->start, "end", (json_int_t)r->end,
					 "kind", block_kind_name(r->kind), "text",
					 jstr_span(text, r->start, r->end), "tokens",
					 (json_int_t)r->ntokens, "scores", scores_json(&r->sc), "tags",
					 tags));
	}
	json_object_set_new(o, "sentences", sents);
	const doc_scores *d = &a->ds;
	json_object_set_new(
		o, "scores",
		json_pack("{s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "sentences", (json_int_t)d->sentences,
			  "flagged", (json_int_t)d->flagged, "hedge_density", d->hedge_density,
			  "speculation_density", d->speculation_density, "weasel_density",
			  d->weasel_density, "sourced_share", d->sourced_share, "checkworthy_max",
			  d->checkworthy_max, "checkworthy_mean", d->checkworthy_mean));
	if (a->warning) json_object_set_new(o, "warning", json_string(a->warning));
	return o;
}

static const char *cat_color(int cat)
{
	switch (cat) {
	case CAT_HEDGE: return "\033[1;33m";       /* yellow */
	case CAT_SPECULATION: return "\033[1;35m"; /* magenta */
	case CAT_WEASEL: return "\033[1;31m";      /* red */
	case CAT_SOURCE: return "\033[1;36m";      /* cyan */
	default: return "\033[1m";
	}
}

/* The sentence with its cue spans marked: colour, or [[...]] without it. */
static void print_marked(FILE *out, const char *text, const sentence_rec *r, const tag *tags,
			 int color)
{
	uint32_t pos = r->start;
	for (uint32_t k = 0; k < r->tag_count; k++) {
		const tag *t = &tags[r->tag_first + k];
		if (t->suppressed) continue;
		span c = t->cue.start != t->cue.end ? t->cue : (span){t->start, t->end};
		if (c.start < pos || c.end > r->end) continue; /* overlaps one already shown */
		fwrite(text + pos, 1, c.start - pos, out);
		fputs(color ? cat_color(t->category) : "[[", out);
		fwrite(text + c.start, 1, c.end - c.start, out);
		fputs(color ? "\033[0m" : "]]", out);
		pos = c.end;
	}
	fwrite(text + pos, 1, r->end - pos, out);
}

void explain_text(const analysis *a, const ruleset *rs, int color, FILE *out)
{
	if (a->failed) {
		fprintf(out, "%s: error: %s\n", a->doc.key ? a->doc.key : "-", a->err.msg);
		return;
	}
	const char *text = a->nt.text.data ? a->nt.text.data : "";
	for (size_t i = 0; i < a->sents.n; i++) {
		const sentence_rec *r = &a->sents.v[i];
		const sentence_scores *s = &r->sc;
		fprintf(out, "%s[%zu]%s %s%s %u-%u  ", color ? "\033[1m" : "", i + 1, color ? "\033[0m" : "",
			block_kind_name(r->kind), s->flagged ? " FLAGGED" : "", r->start, r->end);
		fprintf(out, "checkworthy %.2f  hedge %.2f  speculation %.2f  weasel %.2f  %s\n",
			s->checkworthy, s->hedge, s->speculation, s->weasel,
			s->sourced ? "sourced" : "unsourced");
		fputs("    ", out);
		print_marked(out, text, r, a->tags.v, color);
		fputc('\n', out);
		for (uint32_t k = 0; k < r->tag_count; k++) {
			const tag *t = &a->tags.v[r->tag_first + k];
			const rule_info *ri = ruleset_rule(rs, t->rule);
			fprintf(out, "    %-11s %-28s %u-%u \"%.*s\"%s", category_name((category)t->category),
				ri->id, t->start, t->end, (int)(t->end - t->start), text + t->start,
				t->suppressed ? " (suppressed by an exception)" : "");
			if (t->category == CAT_SOURCE) {
				fprintf(out, "  source: %s", t->anonymous ? "anonymous" : "named");
				if (t->source.end > t->source.start)
					fprintf(out, " \"%.*s\"", (int)(t->source.end - t->source.start),
						text + t->source.start);
				if (t->role.end > t->role.start)
					fprintf(out, ", role \"%.*s\"", (int)(t->role.end - t->role.start),
						text + t->role.start);
			}
			fputc('\n', out);
		}
	}
	const doc_scores *d = &a->ds;
	fprintf(out, "\n%u sentences, %u flagged; hedge density %.2f, speculation %.2f, weasel %.2f, sourced share %.2f\n",
		d->sentences, d->flagged, d->hedge_density, d->speculation_density, d->weasel_density,
		d->sourced_share);
	if (a->warning) fprintf(out, "warning: %s\n", a->warning);
}
