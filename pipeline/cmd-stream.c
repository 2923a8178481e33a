/*
 * cmd-stream.c — `claimcheck stream`: JSONL records on standard input, one
 * JSON result per record on standard output, in input order.
 *
 * Reads: lines of standard input, each a record {"id", "text", "title", …}
 * parsed by read_jsonl_record (the same as `run`). Adds: for each
 * non-blank line, the explain JSON object (explain.h) with "id" and "line"
 * in front, compact, on one line; a bad record gets the same object with
 * its "error" set, and the stream goes on. With -j N, batches of records
 * are analysed by N threads (the calling thread is one of them) and
 * written in input order. Output is buffered, and flushed whenever the
 * input has no more data ready, so the command also works interactively.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "explain.h"

#define READ_CHUNK (1u << 16)
#define RECORDS_PER_THREAD 32
#define BATCH_BYTES (8u << 20) /* stop filling a batch past this many input bytes */

static void stream_help(void)
{
	printf("Usage: claimcheck stream [OPTIONS] < records.jsonl > results.jsonl\n\n"
	       "Read JSONL records ({\"id\", \"text\", optional \"title\", \"url\", \"published\"}) on\n"
	       "standard input and write one JSON result per record, on one line, in input order:\n"
	       "the 'explain --format json' object with \"id\" and \"line\" added. A bad record\n"
	       "gets a result with \"error\" set ({\"message\", \"line\"}); blank lines are skipped.\n\n"
	       "Options:\n"
	       "  -r, --rules PATH      rule file or folder (repeatable; default: %s)\n"
	       "  -j, --jobs N          analysis threads (default 1); output stays in input order\n"
	       "      --max-bytes N     refuse records longer than N bytes (default: %u)\n"
	       "  -q, --quiet           do not report bad records on standard error\n"
	       "  -h, --help            show this help\n\n"
	       "Exit status: 0 all records analysed, 1 some records failed, 2 usage or rule errors,\n"
	       "3 standard output could not be written.\n",
	       cli_default_rules(), READ_DEFAULT_MAX_BYTES);
}

/* ---- reading lines ----------------------------------------------------------- */

typedef struct slot {
	strbuf line;
	long lineno;
	int too_long;
	strbuf out;  /* the result line */
	int failed;
	char msg[600]; /* the error, for standard error */
} slot;

typedef struct linereader {
	int fd;
	char *buf;
	size_t pos, len;
	int eof, drained; /* drained: the last read returned less than asked */
	long lineno;
	size_t max;
} linereader;

enum { LR_EOF = 0, LR_LINE = 1, LR_WOULD_WAIT = 2, LR_ERROR = -1 };

static int lr_fill(linereader *r)
{
	for (;;) {
		ssize_t n = read(r->fd, r->buf, READ_CHUNK);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) return -1;
		r->pos = 0;
		r->len = (size_t)n;
		r->drained = (size_t)n < READ_CHUNK;
		if (n == 0) r->eof = 1;
		return 0;
	}
}

/* The next non-blank line into s. At the start of a line, if the input has
 * nothing buffered and the last read came up short (a pipe or terminal
 * with no more data ready), returns LR_WOULD_WAIT unless may_wait, so the
 * caller can write what it has before blocking. */
static int lr_next(linereader *r, slot *s, int may_wait)
{
	for (;;) {
		int started = 0;
		s->line.len = 0;
		s->too_long = 0;
		for (;;) {
			if (r->pos == r->len) {
				if (r->eof) break;
				if (!started && r->drained && !may_wait) return LR_WOULD_WAIT;
				if (lr_fill(r) != 0) return LR_ERROR;
				if (r->eof) break;
			}
			if (!started) {
				started = 1;
				s->lineno = ++r->lineno;
			}
			char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
			size_t take = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
			if (!s->too_long) {
				if (s->line.len + take > r->max) {
					s->too_long = 1;
					s->line.len = 0;
				} else {
					strbuf_append(&s->line, r->buf + r->pos, take);
				}
			}
			r->pos += take;
			if (nl) {
				r->pos++;
				break;
			}
		}
		if (!started) return LR_EOF;
		if (s->too_long) return LR_LINE;
		size_t len = s->line.len;
		if (len && s->line.data[len - 1] == '\r') s->line.data[s->line.len = --len] = '\0';
		if (len && strspn(s->line.data, " \t\r") < len) return LR_LINE;
		/* a blank line: read on; after it the caller may still flush */
		if (r->pos == r->len && r->drained && !r->eof && !may_wait) {
			s->line.len = 0;
			return LR_WOULD_WAIT;
		}
	}
}

/* ---- analysing ------------------------------------------------------------- */

static int dump_to_strbuf(const char *buf, size_t size, void *data)
{
	strbuf_append(data, buf, size);
	return 0;
}

/* One record -> its result line in s->out. */
static void process(const ruleset *rs, size_t max_bytes, analyzer *az, analysis *a, slot *s)
{
	analysis_reset(a);
	s->failed = 0;
	s->out.len = 0;
	if (s->too_long) {
		a->doc.path = xstrdup("-");
		a->doc.key = xasprintf("-#line:%ld", s->lineno);
		a->failed = 1;
		cc_error_set(&a->err, -1, "record longer than the limit of %zu bytes", max_bytes);
		a->err.line = s->lineno;
	} else if (read_jsonl_record("-", s->lineno, s->line.data, s->line.len, &a->doc, &a->err) != 0) {
		a->failed = 1;
	} else {
		analyze_document(az, a);
	}
	json_t *o = explain_json(a, rs);
	json_t *r = json_pack("{s:o,s:I}", "id", a->doc.id ? json_string(a->doc.id) : json_null(),
			      "line", (json_int_t)s->lineno);
	const char *key;
	json_t *v;
	json_object_foreach (o, key, v) json_object_set(r, key, v);
	json_decref(o);
	if (json_dump_callback(r, dump_to_strbuf, &s->out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		die("cannot serialise the result of line %ld", s->lineno);
	json_decref(r);
	strbuf_putc(&s->out, '\n');
	if (a->failed) {
		s->failed = 1;
		snprintf(s->msg, sizeof s->msg, "%s", a->err.msg);
	}
}

/* ---- the batch workers ------------------------------------------------------ */

typedef struct streamer {
	const ruleset *rs;
	size_t max_bytes;
	slot *slots;
	size_t nslots, n;  /* capacity; records in the current batch */
	atomic_size_t next; /* the next record to take */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long gen; /* batch number */
	unsigned working;  /* helper threads still on the batch */
	int quit;
} streamer;

static void work_batch(streamer *st, analyzer *az, analysis *a)
{
	size_t i;
	while ((i = atomic_fetch_add(&st->next, 1)) < st->n) process(st->rs, st->max_bytes, az, a, &st->slots[i]);
}

static void *helper_main(void *arg)
{
	streamer *st = arg;
	analyzer *az = analyzer_new(st->rs);
	analysis a;
	memset(&a, 0, sizeof a);
	unsigned long seen = 0;
	for (;;) {
		pthread_mutex_lock(&st->mu);
		while (st->gen == seen && !st->quit) pthread_cond_wait(&st->go, &st->mu);
		if (st->quit) {
			pthread_mutex_unlock(&st->mu);
			break;
		}
		seen = st->gen;
		pthread_mutex_unlock(&st->mu);
		work_batch(st, az, &a);
		pthread_mutex_lock(&st->mu);
		if (--st->working == 0) pthread_cond_signal(&st->done);
		pthread_mutex_unlock(&st->mu);
	}
	analysis_free(&a);
	analyzer_free(az);
	return NULL;
}

/* Analyse the current batch (on every thread) and write it in order.
 * Returns the number of failed records. */
static size_t run_batch(streamer *st, unsigned nhelpers, analyzer *az, analysis *a, int quiet)
{
	atomic_store(&st->next, 0);
	if (nhelpers) {
		pthread_mutex_lock(&st->mu);
		st->working = nhelpers;
		st->gen++;
		pthread_cond_broadcast(&st->go);
		pthread_mutex_unlock(&st->mu);
	}
	work_batch(st, az, a);
	if (nhelpers) {
		pthread_mutex_lock(&st->mu);
		while (st->working > 0) pthread_cond_wait(&st->done, &st->mu);
		pthread_mutex_unlock(&st->mu);
	}
	size_t failed = 0;
	for (size_t i = 0; i < st->n; i++) {
		slot *s = &st->slots[i];
		fwrite(s->out.data, 1, s->out.len, stdout);
		if (s->failed) {
			failed++;
			if (!quiet) fprintf(stderr, "claimcheck stream: line %ld: %s\n", s->lineno, s->msg);
		}
	}
	st->n = 0;
	return failed;
}

int cmd_stream(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'}, {"jobs", required_argument, NULL, 'j'},
		{"max-bytes", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	VEC(const char *) rules = {0};
	long jobs = 1, max_bytes = READ_DEFAULT_MAX_BYTES;
	int c, quiet = 0, status = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': VEC_PUSH(&rules, optarg); break;
		case 'j':
			jobs = cli_parse_long(optarg);
			if (jobs < 1 || jobs > 256) {
				cli_usage_error("stream", "--jobs wants a number from 1 to 256, not '%s'", optarg);
				goto out;
			}
			break;
		case 'M':
			max_bytes = cli_parse_long(optarg);
			if (max_bytes < 1 || (unsigned long)max_bytes > 0xffffffffUL - 1) {
				cli_usage_error("stream", "--max-bytes wants a positive number below 4 GiB, not '%s'", optarg);
				goto out;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h':
			stream_help();
			status = cli_close_stdout();
			goto out;
		case ':': cli_usage_error("stream", "option '%s' needs a value", argv[optind - 1]); goto out;
		default: cli_usage_error("stream", "unknown option '%s'", argv[optind - 1]); goto out;
		}
	}
	if (optind != argc) {
		cli_usage_error("stream", "records are read from standard input; no arguments expected");
		goto out;
	}
	ruleset *rs = cli_load_rules(rules.v, rules.n);
	if (!rs) goto out;

	static char outbuf[1u << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	streamer st;
	memset(&st, 0, sizeof st);
	st.rs = rs;
	st.max_bytes = (size_t)max_bytes;
	st.nslots = jobs == 1 ? 1 : (size_t)jobs * RECORDS_PER_THREAD;
	st.slots = xcalloc(st.nslots, sizeof *st.slots);
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.go, NULL);
	pthread_cond_init(&st.done, NULL);
	unsigned nhelpers = (unsigned)jobs - 1;
	pthread_t *th = xcalloc(nhelpers ? nhelpers : 1, sizeof *th);
	for (unsigned i = 0; i < nhelpers; i++)
		if (pthread_create(&th[i], NULL, helper_main, &st) != 0) die("cannot start a thread");

	analyzer *az = analyzer_new(rs);
	analysis a;
	memset(&a, 0, sizeof a);
	linereader lr = {.fd = STDIN_FILENO, .buf = xmalloc(READ_CHUNK), .max = (size_t)max_bytes};
	size_t failed = 0, batch_bytes = 0;
	int rc, read_error = 0;
	status = EXIT_OK;
	for (;;) {
		rc = lr_next(&lr, &st.slots[st.n], 0);
		if (rc == LR_WOULD_WAIT) {
			/* no more input ready: write what we have, then wait */
			if (st.n) failed += run_batch(&st, nhelpers, az, &a, quiet);
			batch_bytes = 0;
			fflush(stdout);
			rc = lr_next(&lr, &st.slots[st.n], 1);
		}
		if (rc == LR_LINE) {
			batch_bytes += st.slots[st.n].line.len;
			if (++st.n == st.nslots || batch_bytes >= BATCH_BYTES) {
				failed += run_batch(&st, nhelpers, az, &a, quiet);
				batch_bytes = 0;
			}
			if (ferror(stdout)) break;
			continue;
		}
		if (rc == LR_ERROR) read_error = 1;
		break;
	}
	if (st.n && !ferror(stdout)) failed += run_batch(&st, nhelpers, az, &a, quiet);
	if (read_error) {
		fprintf(stderr, "claimcheck stream: error reading standard input: %s\n", strerror(errno));
		status = EXIT_PARTIAL;
	}
	if (failed) status = EXIT_PARTIAL;
	int w = cli_close_stdout();
	if (w != EXIT_OK) status = w;

	pthread_mutex_lock(&st.mu);
	st.quit = 1;
	pthread_cond_broadcast(&st.go);
	pthread_mutex_unlock(&st.mu);
	for (unsigned i = 0; i < nhelpers; i++) pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&st.mu);
	pthread_cond_destroy(&st.go);
	pthread_cond_destroy(&st.done);
	for (size_t i = 0; i < st.nslots; i++) {
		strbuf_free(&st.slots[i].line);
		strbuf_free(&st.slots[i].out);
	}
	free(st.slots);
	free(lr.buf);
	analysis_free(&a);
	analyzer_free(az);
	ruleset_free(rs);
out:
	VEC_FREE(&rules);
	return status;
}
