/*
 * cmd-import.c — `claimcheck import [-d DB] FILE.jsonl|-...`: `claimcheck
 * stream` results loaded into a database, as if `run` had analysed the
 * records (the reduce side of a Spark or Hadoop job whose map step is
 * `stream`).
 *
 * Reads: result lines (explain JSON, version 1, with "id" and "line"),
 * and the rule files the results were made with: their hash must equal
 * each result's "ruleset" (rule ids are resolved against them, and the
 * store records the hash, so a later `run` over the same records finds
 * them current). Adds: a run row ("claimcheck import ..."), and for each
 * result an analysis rebuilt from the JSON (document, normalized text,
 * sentences with scores, tags with spans, captures and document scores)
 * written with store_write_many, the same writer `run` uses; an error
 * result becomes a document error row.
 *
 * Parsing the JSON is nearly all the work, so it runs on -j threads of
 * its own, a bank of lines at a time, while the main thread reads the
 * lines and stores the results of the bank parsed before, in input order:
 * the database is the same whatever -j.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "explain.h"
#include "run.h"
#include "store.h"

static void import_help(void)
{
	printf("Usage: claimcheck import [OPTIONS] RESULTS.jsonl|-...\n\n"
	       "Load the results of 'claimcheck stream' (one JSON object per line) into a\n"
	       "database: documents, sentences, tags and sources, as 'run' writes them, plus\n"
	       "one run row for the import. A result with \"error\" set becomes a document\n"
	       "error row. The rules must be those the results were made with (the same\n"
	       "ruleset hash); rule ids and weights are taken from them.\n\n"
	       "Stream reads standard input, so its document keys are \"-#ID\". --path NAME\n"
	       "stores them as \"NAME#ID\" (path NAME), the keys 'run NAME' gives the same\n"
	       "records; then a later 'run NAME' finds them current.\n\n"
	       "Options:\n"
	       "  -d, --db DB           database to write (default: claims.db; -o is the same)\n"
	       "  -r, --rules PATH      rule file or folder the results were made with\n"
	       "                        (repeatable; default: %s)\n"
	       "      --path NAME       store the records as read from the file NAME\n"
	       "  -j, --jobs N          threads parsing the results (default: the number of\n"
	       "                        cores); the database is the same whatever N\n"
	       "  -q, --quiet           no per-record messages and no summary\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 all results imported, 1 some lines were not results or were\n"
	       "error results, 2 usage or rule errors, or results made with other rules\n"
	       "(nothing after them is imported), 3 database errors.\n",
	       cli_default_rules());
}

typedef struct importer {
	store *st;
	const ruleset *rs;
	const char *path; /* --path, or NULL */
	const char *args; /* the command line, for the run row */
	int64_t run;      /* 0 until the first result is written */
	int quiet;
	run_totals t;
	uint64_t bad_lines;  /* not results */
	int other_rules;     /* a result made with other rules: stop */
	int fatal;           /* a database error: stop */
} importer;

/* ---- JSON -> analysis ------------------------------------------------------ */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A non-negative integer field below 2^32; -1 if missing or out of range. */
static long long juint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v)) return -1;
	json_int_t n = json_integer_value(v);
	return n < 0 || n > 0xffffffffLL ? -1 : (long long)n;
}

static double jnum(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* A {start, end} capture inside text of length len; absent: {0, 0}. */
static int jspan(json_t *o, const char *k, size_t len, span *out)
{
	json_t *v = json_object_get(o, k);
	out->start = out->end = 0;
	if (!v || json_is_null(v)) return 0;
	long long s = juint(v, "start"), e = juint(v, "end");
	if (s < 0 || e < s || (size_t)e > len) return -1;
	out->start = (uint32_t)s;
	out->end = (uint32_t)e;
	return 0;
}

static int kind_from_name(const char *s)
{
	for (int k = BLOCK_PARA; k <= BLOCK_ITEM; k++)
		if (s && !strcmp(s, block_kind_name((block_kind)k))) return k;
	return -1;
}

/* The key and path of a stream document as stored: "-#ID" -> "NAME#ID"
 * with --path. */
static void set_key(const importer *im, document *d, const char *key, const char *path)
{
	if (im->path && key && key[0] == '-' && (key[1] == '#' || key[1] == '\0')) {
		d->key = xasprintf("%s%s", im->path, key + 1);
		d->path = xstrdup(im->path);
	} else {
		d->key = xstrdup(key);
		d->path = xstrdup(path);
	}
}

/* Fill a from a result; returns 0, or -1 with why set. Reads only what
 * im holds for every line (the rules, --path): it runs on any thread. */
static int rebuild(const importer *im, analysis *a, json_t *r, char *why, size_t whysz)
{
	json_t *doc = json_object_get(r, "document");
	const char *key = jstr(doc, "key");
	if (!json_is_object(doc) || !key) {
		snprintf(why, whysz, "no \"document\" with a \"key\"");
		return -1;
	}
	document *d = &a->doc;
	set_key(im, d, key, jstr(doc, "path"));
	d->id = xstrdup(jstr(doc, "id"));
	json_t *ln = json_object_get(r, "line");
	d->line = json_is_integer(ln) ? (long)json_integer_value(ln) : 0;
	d->title = xstrdup(jstr(doc, "title"));
	d->url = xstrdup(jstr(doc, "url"));
	d->published = xstrdup(jstr(doc, "published"));
	const char *fmt = jstr(doc, "format");
	d->format = fmt ? format_from_name(fmt) : FMT_AUTO;
	long long bytes = juint(doc, "bytes");
	d->raw_len = bytes > 0 ? (size_t)bytes : 0;
	snprintf(d->raw_hash, sizeof d->raw_hash, "%s", jstr(doc, "raw_hash") ? jstr(doc, "raw_hash") : "");

	json_t *e = json_object_get(r, "error");
	if (e && !json_is_null(e)) {
		a->failed = 1;
		const char *msg = jstr(e, "message");
		cc_error_set(&a->err, -1, "%s", msg ? msg : "failed");
		json_t *off = json_object_get(e, "offset");
		if (json_is_integer(off)) a->err.offset = json_integer_value(off);
		json_t *el = json_object_get(e, "line");
		if (json_is_integer(el)) a->err.line = (long)json_integer_value(el);
		return 0;
	}

	const char *text = jstr(r, "text");
	const char *th = jstr(doc, "text_hash");
	json_t *sents = json_object_get(r, "sentences");
	json_t *sc = json_object_get(r, "scores");
	if (!text || !th || !json_is_array(sents) || !json_is_object(sc)) {
		snprintf(why, whysz, "a result without error needs \"text\", \"sentences\", \"scores\" and"
				     " \"document\".\"text_hash\"");
		return -1;
	}
	size_t len = json_string_length(json_object_get(r, "text"));
	strbuf_append(&a->nt.text, text, len);
	snprintf(a->text_hash, sizeof a->text_hash, "%s", th);

	size_t i;
	json_t *s;
	json_array_foreach (sents, i, s) {
		sentence_rec rec;
		memset(&rec, 0, sizeof rec);
		long long st = juint(s, "start"), en = juint(s, "end"), nt = juint(s, "tokens");
		int kind = kind_from_name(jstr(s, "kind"));
		json_t *ss = json_object_get(s, "scores");
		json_t *tags = json_object_get(s, "tags");
		if (st < 0 || en < st || (size_t)en > len || nt < 0 || kind < 0 || !json_is_object(ss) ||
		    !json_is_array(tags)) {
			snprintf(why, whysz, "sentence %zu: bad start, end, kind, tokens, scores or tags", i);
			return -1;
		}
		rec.start = (uint32_t)st;
		rec.end = (uint32_t)en;
		rec.kind = (block_kind)kind;
		rec.ntokens = (uint32_t)nt;
		rec.sc.hedge = jnum(ss, "hedge");
		rec.sc.speculation = jnum(ss, "speculation");
		rec.sc.weasel = jnum(ss, "weasel");
		rec.sc.uncertainty = jnum(ss, "uncertainty");
		rec.sc.factual = jnum(ss, "factual");
		rec.sc.checkworthy = jnum(ss, "checkworthy");
		rec.sc.sourced = json_is_true(json_object_get(ss, "sourced"));
		rec.sc.flagged = json_is_true(json_object_get(ss, "flagged"));
		rec.tag_first = (uint32_t)a->tags.n;
		size_t k;
		json_t *tj;
		json_array_foreach (tags, k, tj) {
			tag t;
			memset(&t, 0, sizeof t);
			const char *rid = jstr(tj, "rule");
			long ri = rid ? ruleset_find(im->rs, rid) : -1;
			long long ts = juint(tj, "start"), te = juint(tj, "end");
			if (ri < 0 || ts < 0 || te < ts || (size_t)te > len || jspan(tj, "cue", len, &t.cue) ||
			    jspan(tj, "source", len, &t.source) || jspan(tj, "role", len, &t.role)) {
				snprintf(why, whysz, "sentence %zu, tag %zu: %s", i, k,
					 ri < 0 && rid ? "a rule these rules do not have" : "bad rule or span");
				return -1;
			}
			t.rule = (uint32_t)ri;
			t.category = (uint8_t)ruleset_rule(im->rs, (size_t)ri)->cat;
			t.start = (uint32_t)ts;
			t.end = (uint32_t)te;
			t.anonymous = json_is_true(json_object_get(tj, "anonymous"));
			t.suppressed = json_is_true(json_object_get(tj, "suppressed"));
			VEC_PUSH(&a->tags, t);
		}
		rec.tag_count = (uint32_t)(a->tags.n - rec.tag_first);
		VEC_PUSH(&a->sents, rec);
		doc_scores_add(&a->ds, &rec.sc);
	}
	/* the document scores as the stream computed them */
	a->ds.hedge_density = jnum(sc, "hedge_density");
	a->ds.speculation_density = jnum(sc, "speculation_density");
	a->ds.weasel_density = jnum(sc, "weasel_density");
	a->ds.sourced_share = jnum(sc, "sourced_share");
	a->ds.checkworthy_max = jnum(sc, "checkworthy_max");
	a->ds.checkworthy_mean = jnum(sc, "checkworthy_mean");
	const char *w = jstr(r, "warning");
	if (w) a->warning = xstrdup(w);
	return 0;
}

/* ---- lines ----------------------------------------------------------------- */

/* A line of a batch and what parsing made of it. */
typedef struct islot {
	const char *src; /* the file's name for messages (argv, or a literal) */
	long lineno;
	strbuf line;
	enum { LINE_RESULT, LINE_BAD, LINE_OTHER_RULES } kind;
	char why[300];   /* LINE_BAD */
	char rules[80];  /* LINE_OTHER_RULES: the result's ruleset hash, "" if none */
	analysis a;      /* LINE_RESULT */
} islot;

/* Parse a line into its slot; any thread. */
static void parse_slot(const importer *im, islot *sl)
{
	json_error_t je;
	json_t *r = json_loadb(sl->line.data, sl->line.len, JSON_REJECT_DUPLICATES, &je);
	analysis_reset(&sl->a);
	cc_error_clear(&sl->a.err);
	sl->kind = LINE_BAD;
	sl->why[0] = '\0';
	if (!json_is_object(r)) {
		snprintf(sl->why, sizeof sl->why, "not JSON: %s", r ? "not an object" : je.text);
		goto out;
	}
	json_t *v = json_object_get(r, "version");
	if (!json_is_integer(v) || json_integer_value(v) != EXPLAIN_JSON_VERSION) {
		snprintf(sl->why, sizeof sl->why, "not a claimcheck stream result (version %d)",
			 EXPLAIN_JSON_VERSION);
		goto out;
	}
	const char *rh = jstr(r, "ruleset");
	if (!rh || strcmp(rh, ruleset_hash(im->rs)) != 0) {
		sl->kind = LINE_OTHER_RULES;
		snprintf(sl->rules, sizeof sl->rules, "%s", rh ? rh : "");
		goto out;
	}
	if (rebuild(im, &sl->a, r, sl->why, sizeof sl->why) == 0) sl->kind = LINE_RESULT;
out:
	json_decref(r);
}

/* Count a stored result (and report an error result). */
static void tally(importer *im, const islot *sl)
{
	const analysis *a = &sl->a;
	im->t.bytes += a->doc.raw_len;
	if (a->failed) {
		im->t.failed++;
		if (!im->quiet)
			fprintf(stderr, "claimcheck import: %s:%ld: %s: %s\n", sl->src, sl->lineno, a->doc.key,
				a->err.msg);
		return;
	}
	im->t.documents++;
	im->t.sentences += a->sents.n;
	im->t.flagged += a->ds.flagged;
	for (size_t i = 0; i < a->tags.n; i++) {
		if (a->tags.v[i].suppressed) continue;
		im->t.tags++;
		im->t.by_category[a->tags.v[i].category]++;
	}
}

/* Store the results of slots [from, to) in one store call, then count
 * them; 0, or -1 after a database error (reported, im->fatal set). */
static int store_slots(importer *im, islot *slots, size_t from, size_t to)
{
	if (from == to) return 0;
	if (!im->run) {
		/* the run row comes with the first result, so an import refused at
		 * its first line leaves no trace */
		im->run = store_run_begin(im->st, PACKAGE_VERSION, im->rs, im->args);
		if (im->run <= 0) {
			im->fatal = 1;
			return -1;
		}
	}
	const analysis *docs[RUN_WRITE_BURST];
	size_t n = 0;
	for (size_t i = from; i < to; i++) docs[n++] = &slots[i].a;
	cc_error err;
	if (store_write_many(im->st, im->run, docs, n, im->rs, &err) != 0) {
		fprintf(stderr, "claimcheck import: %s\n", err.msg);
		im->fatal = 1;
		return -1;
	}
	for (size_t i = from; i < to; i++) tally(im, &slots[i]);
	return 0;
}

/* The parsed batch, in input order: results stored (RUN_WRITE_BURST at a
 * time), other lines reported; a result made with other rules stops the
 * import there. */
static void store_batch(importer *im, islot *slots, size_t n)
{
	size_t run_from = 0; /* the results waiting to be stored: [run_from, i) */
	for (size_t i = 0; i < n && !im->fatal; i++) {
		islot *sl = &slots[i];
		if (sl->kind == LINE_RESULT) {
			if (i + 1 - run_from == RUN_WRITE_BURST) {
				store_slots(im, slots, run_from, i + 1);
				run_from = i + 1;
			}
			continue;
		}
		if (store_slots(im, slots, run_from, i) != 0) return;
		run_from = i + 1;
		if (sl->kind == LINE_OTHER_RULES) {
			fprintf(stderr,
				"claimcheck import: %s:%ld: the result was made with rule set %s, but the "
				"rules loaded here have %s; give the rules 'stream' used with -r (nothing "
				"after this line is imported)\n",
				sl->src, sl->lineno, sl->rules[0] ? sl->rules : "(none)", ruleset_hash(im->rs));
			im->other_rules = 1;
			return;
		}
		im->bad_lines++;
		if (!im->quiet)
			fprintf(stderr, "claimcheck import: %s:%ld: skipped: %s\n", sl->src, sl->lineno, sl->why);
	}
	if (!im->fatal) store_slots(im, slots, run_from, n);
}

/* ---- the parsing threads ----------------------------------------------------- */

/*
 * Two banks of lines: while the -j helper threads parse one, the main
 * thread stores the results of the other (in input order) and then reads
 * the next lines into it. A bank holds up to LINES_PER_THREAD lines per
 * helper, or BATCH_BYTES of them.
 */
#define LINES_PER_THREAD 32
#define BATCH_BYTES (8u << 20)

typedef struct bank {
	islot *slots;
	size_t n; /* lines in it */
} bank;

typedef struct batcher {
	const importer *im;
	bank banks[2];
	size_t nslots;      /* a bank's capacity */
	int cur;            /* the bank being filled */
	int pending;        /* the other bank holds parsed lines to store */
	size_t fill_bytes;  /* of the bank being filled */
	bank *parsing;      /* the bank the helpers parse */
	atomic_size_t next; /* the next line of it to parse */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long gen; /* parse round */
	unsigned working;  /* helpers still on the round */
	unsigned nhelpers;
	pthread_t *threads;
	int quit;
} batcher;

static void *helper_main(void *arg)
{
	batcher *b = arg;
	unsigned long seen = 0;
	for (;;) {
		pthread_mutex_lock(&b->mu);
		while (b->gen == seen && !b->quit) pthread_cond_wait(&b->go, &b->mu);
		if (b->quit) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		seen = b->gen;
		bank *k = b->parsing;
		pthread_mutex_unlock(&b->mu);
		size_t i;
		while ((i = atomic_fetch_add(&b->next, 1)) < k->n) parse_slot(b->im, &k->slots[i]);
		pthread_mutex_lock(&b->mu);
		if (--b->working == 0) pthread_cond_signal(&b->done);
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

/* A slot keeps its buffers for the next line, unless a large result made
 * them large: memory stays at about a bank's worth of ordinary lines. */
#define KEEP_BYTES (1u << 20)

static void release_big(bank *k)
{
	for (size_t i = 0; i < k->n; i++) {
		islot *sl = &k->slots[i];
		if (sl->line.cap > KEEP_BYTES) strbuf_free(&sl->line);
		if (sl->a.nt.text.cap > KEEP_BYTES) analysis_free(&sl->a);
	}
}

/* Wait until the helpers have parsed the bank they were given. */
static void wait_parsed(batcher *b)
{
	pthread_mutex_lock(&b->mu);
	while (b->working > 0) pthread_cond_wait(&b->done, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

/* Hand the bank being filled to the helpers, store the other one (parsed
 * in the round before) meanwhile, and fill that one next. */
static void cycle(batcher *b, importer *im)
{
	wait_parsed(b);
	bank *k = &b->banks[b->cur];
	pthread_mutex_lock(&b->mu);
	b->parsing = k;
	atomic_store(&b->next, 0);
	b->working = b->nhelpers;
	b->gen++;
	pthread_cond_broadcast(&b->go);
	pthread_mutex_unlock(&b->mu);
	bank *other = &b->banks[!b->cur];
	if (b->pending && !im->other_rules && !im->fatal) store_batch(im, other->slots, other->n);
	release_big(other);
	other->n = 0;
	b->pending = 1;
	b->cur = !b->cur;
	b->fill_bytes = 0;
}

/* Store what is left: the bank being filled, then the last one parsed. */
static void flush_banks(batcher *b, importer *im)
{
	if (b->banks[b->cur].n) cycle(b, im);
	wait_parsed(b);
	bank *last = &b->banks[!b->cur];
	if (b->pending && !im->other_rules && !im->fatal) store_batch(im, last->slots, last->n);
	last->n = 0;
	b->pending = 0;
}

/* Two empty banks and the helper threads, waiting for a round. */
static void batcher_start(batcher *b, const importer *im, unsigned nhelpers)
{
	memset(b, 0, sizeof *b);
	b->im = im;
	b->nslots = (size_t)nhelpers * LINES_PER_THREAD;
	for (int k = 0; k < 2; k++) b->banks[k].slots = xcalloc(b->nslots, sizeof *b->banks[k].slots);
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->go, NULL);
	pthread_cond_init(&b->done, NULL);
	b->nhelpers = nhelpers;
	b->threads = xcalloc(nhelpers, sizeof *b->threads);
	for (unsigned i = 0; i < nhelpers; i++)
		if (pthread_create(&b->threads[i], NULL, helper_main, b) != 0) die("cannot start a thread");
}

/* Stop and join the helpers (after flush_banks) and free the banks. */
static void batcher_stop(batcher *b)
{
	pthread_mutex_lock(&b->mu);
	b->quit = 1;
	pthread_cond_broadcast(&b->go);
	pthread_mutex_unlock(&b->mu);
	for (unsigned i = 0; i < b->nhelpers; i++) pthread_join(b->threads[i], NULL);
	free(b->threads);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < b->nslots; i++) {
			strbuf_free(&b->banks[k].slots[i].line);
			analysis_free(&b->banks[k].slots[i].a);
		}
		free(b->banks[k].slots);
	}
	pthread_cond_destroy(&b->done);
	pthread_cond_destroy(&b->go);
	pthread_mutex_destroy(&b->mu);
}

static void import_file(batcher *b, importer *im, const char *name)
{
	FILE *fp = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	const char *src = strcmp(name, "-") ? name : "(standard input)";
	if (!fp) {
		fprintf(stderr, "claimcheck import: %s: cannot open: %s\n", name, strerror(errno));
		im->bad_lines++;
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while (!im->other_rules && !im->fatal && (n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		/* Hadoop Streaming's output may end each line with a tab */
		while (len && strchr("\n\r\t ", line[len - 1])) len--;
		if (strspn(line, " \t") >= len) continue;
		bank *k = &b->banks[b->cur];
		islot *sl = &k->slots[k->n];
		sl->src = src;
		sl->lineno = lineno;
		strbuf_reset(&sl->line);
		strbuf_append(&sl->line, line, len);
		b->fill_bytes += len;
		if (++k->n == b->nslots || b->fill_bytes >= BATCH_BYTES) cycle(b, im);
	}
	if (ferror(fp)) {
		fprintf(stderr, "claimcheck import: %s: read error: %s\n", src, strerror(errno));
		im->bad_lines++;
	}
	free(line);
	if (fp != stdin) fclose(fp);
}

static char *join_args(int argc, char **argv)
{
	strbuf b = {0};
	strbuf_puts(&b, "claimcheck");
	for (int i = 0; i < argc; i++) {
		strbuf_putc(&b, ' ');
		strbuf_puts(&b, argv[i]);
	}
	return strbuf_steal(&b);
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},    {"output", required_argument, NULL, 'o'},
		{"rules", required_argument, NULL, 'r'}, {"path", required_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'},       {"help", no_argument, NULL, 'h'},
		{"jobs", required_argument, NULL, 'j'},  {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	const char *db = "claims.db", *path = NULL;
	int c, quiet = 0, status = EXIT_USAGE;
	long jobs = 0; /* 0: the number of cores */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:o:r:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			jobs = cli_parse_long(optarg);
			if (jobs < 1 || jobs > 256) {
				cli_usage_error("import", "--jobs wants a number from 1 to 256, not '%s'", optarg);
				goto out;
			}
			break;
		case 'd':
		case 'o': db = optarg; break;
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'P':
			if (!*optarg || !strcmp(optarg, "-")) {
				cli_usage_error("import", "--path wants a file name");
				goto out;
			}
			path = optarg;
			break;
		case 'q': quiet = 1; break;
		case 'h':
			import_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("import", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("import", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind >= argc) {
		cli_usage_error("import", "give the results to import (a file, or - for standard input)");
		goto out;
	}
	ruleset *rs = cli_load_rules(rules.v, rules.n);
	if (!rs) goto out;

	importer im;
	memset(&im, 0, sizeof im);
	im.rs = rs;
	im.path = path;
	im.quiet = quiet;
	cc_error err;
	im.st = store_open(db, STORE_WRITE, &err);
	if (!im.st) {
		fprintf(stderr, "claimcheck import: %s\n", err.msg);
		ruleset_free(rs);
		status = 3;
		goto out;
	}
	/* the WAL checkpoints beside the import, not inside its commits */
	if (store_checkpoint_in_background(im.st, 0, &err) != 0)
		fprintf(stderr, "claimcheck import: warning: %s\n", err.msg);
	char *args = join_args(argc, argv);
	im.args = args;
	if (jobs == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = ncpu < 1 ? 1 : ncpu > 256 ? 256 : ncpu;
	}
	batcher b;
	batcher_start(&b, &im, (unsigned)jobs);
	/* the files are one stream of lines: a bank may hold lines of two */
	for (int i = optind; i < argc && !im.other_rules && !im.fatal; i++) import_file(&b, &im, argv[i]);
	flush_banks(&b, &im);
	batcher_stop(&b);
	if (im.run > 0) store_run_end(im.st, im.run, &im.t);
	free(args);
	if (store_flush(im.st, &err) != 0) {
		fprintf(stderr, "claimcheck import: %s\n", err.msg);
		im.fatal = 1;
	}
	store_close(im.st);
	ruleset_free(rs);

	status = im.fatal ? 3 : im.other_rules ? EXIT_USAGE : (im.t.failed || im.bad_lines) ? EXIT_PARTIAL : EXIT_OK;
	if (!quiet && !im.fatal && !im.other_rules) {
		if (im.run > 0) printf("claimcheck: import %lld written to %s\n", (long long)im.run, db);
		else printf("claimcheck: nothing to import into %s\n", db);
		printf("  documents  %llu imported, %llu error results, %llu lines skipped\n",
		       (unsigned long long)im.t.documents, (unsigned long long)im.t.failed,
		       (unsigned long long)im.bad_lines);
		printf("  sentences  %llu, %llu flagged\n", (unsigned long long)im.t.sentences,
		       (unsigned long long)im.t.flagged);
		int w = cli_close_stdout();
		if (w != EXIT_OK) status = w;
	}
out:
	VEC_FREE(&rules);
	return status;
}
