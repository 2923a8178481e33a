/*
 * run.c — the run loop: reader -> workers -> one writer.
 *
 * Reads: paths on the command line. The calling thread walks them
 * (read_walk) and splits JSONL files into records; each file or record
 * becomes a job on a bounded queue. Worker threads read the file, ask
 * their read-only store whether the document is already current (same
 * bytes, same rule set) and otherwise analyse it; results go through a
 * second bounded queue to the writer thread, which owns the read-write
 * store. Result buffers circulate through a free list, so the number of
 * documents in memory at once is fixed: memory stays bounded whatever the
 * corpus size.
 */
#include "config.h"
#include "run.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"

/* ---- a bounded blocking queue of pointers ------------------------------ */

typedef struct queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	void **items;
	size_t cap, head, len;
	int closed;
} queue;

static void queue_init(queue *q, size_t cap)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	q->items = xcalloc(cap, sizeof *q->items);
	q->cap = cap;
	q->head = q->len = 0;
	q->closed = 0;
}

static void queue_destroy(queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->items);
}

static void queue_push(queue *q, void *item)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == q->cap) pthread_cond_wait(&q->not_full, &q->mu);
	q->items[(q->head + q->len) % q->cap] = item;
	q->len++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* NULL once the queue is closed and drained. */
static void *queue_pop(queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == 0 && !q->closed) pthread_cond_wait(&q->not_empty, &q->mu);
	void *item = NULL;
	if (q->len) {
		item = q->items[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->mu);
	return item;
}

static void queue_close(queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* ---- jobs and results --------------------------------------------------- */

enum job_kind { JOB_FILE, JOB_RECORD, JOB_BAD };

typedef struct job {
	enum job_kind kind;
	char *path;
	doc_format fmt;
	long lineno;  /* JOB_RECORD */
	strbuf line;  /* JOB_RECORD: the record; JOB_BAD: the message */
} job;

typedef struct result {
	analysis a;
	int skipped; /* current in the database: only touch it */
} result;

typedef struct runner {
	const ruleset *rs;
	const run_options *opt;
	queue jobs, results, free_results;
	run_totals totals;
	int64_t run_id;
	store *st;
	int fatal;         /* the writer hit a database error: stop */
	char fatal_msg[600];
	int db_existed;
	double started;
	int progress;
} runner;

static void job_free(job *j)
{
	if (!j) return;
	free(j->path);
	strbuf_free(&j->line);
	free(j);
}

/* The worker's part: job -> result. */
static void process_job(runner *r, analyzer *az, store *ro, job *j, result *res)
{
	analysis *a = &res->a;
	analysis_reset(a);
	res->skipped = 0;
	int rc = 0;
	switch (j->kind) {
	case JOB_FILE:
		rc = read_file(j->path, j->fmt, r->opt->max_bytes, &a->doc, &a->err);
		break;
	case JOB_RECORD:
		rc = read_jsonl_record(j->path, j->lineno, j->line.data ? j->line.data : "", j->line.len,
				       &a->doc, &a->err);
		break;
	case JOB_BAD:
		a->doc.key = xstrdup(j->path);
		a->doc.path = xstrdup(j->path);
		cc_error_set(&a->err, -1, "%s", j->line.data ? j->line.data : "unreadable");
		rc = -1;
		break;
	}
	if (rc != 0) {
		a->failed = 1;
		if (!a->doc.key) a->doc.key = xstrdup(j->path);
		if (!a->doc.path) a->doc.path = xstrdup(j->path);
		return;
	}
	if (ro && !r->opt->force &&
	    store_is_current(ro, a->doc.key, a->doc.raw_hash, ruleset_hash(r->rs))) {
		res->skipped = 1;
		return;
	}
	analyze_document(az, a);
}

static void *worker_main(void *arg)
{
	runner *r = arg;
	analyzer *az = analyzer_new(r->rs);
	store *ro = NULL;
	if (r->db_existed) {
		cc_error e;
		cc_error_clear(&e);
		ro = store_open(r->opt->db_path, STORE_READ, &e); /* NULL: analyse everything */
	}
	job *j;
	while ((j = queue_pop(&r->jobs)) != NULL) {
		result *res = queue_pop(&r->free_results);
		process_job(r, az, ro, j, res);
		job_free(j);
		queue_push(&r->results, res);
	}
	store_close(ro);
	analyzer_free(az);
	return NULL;
}

static void report_failure(const analysis *a)
{
	const cc_error *e = &a->err;
	const char *where = a->doc.path ? a->doc.path : a->doc.key;
	if (e->line > 0 && e->offset >= 0)
		fprintf(stderr, "claimcheck: %s:%ld:%lld: %s\n", where, e->line, e->offset, e->msg);
	else if (e->line > 0)
		fprintf(stderr, "claimcheck: %s:%ld: %s\n", where, e->line, e->msg);
	else if (e->offset >= 0)
		fprintf(stderr, "claimcheck: %s: byte %lld: %s\n", where, e->offset, e->msg);
	else
		fprintf(stderr, "claimcheck: %s: %s\n", where, e->msg);
}

static void progress_line(runner *r, int final)
{
	double el = now_seconds() - r->started;
	double mb = r->totals.bytes / 1e6;
	uint64_t docs = r->totals.documents + r->totals.skipped + r->totals.failed;
	fprintf(stderr, "\r%llu documents  %.1f MB  %.1f MB/s  %llu failed%s",
		(unsigned long long)docs, mb, el > 0 ? mb / el : 0.0,
		(unsigned long long)r->totals.failed, final ? "\n" : "   ");
}

static void *writer_main(void *arg)
{
	runner *r = arg;
	result *res;
	double last = now_seconds();
	while ((res = queue_pop(&r->results)) != NULL) {
		analysis *a = &res->a;
		cc_error e;
		cc_error_clear(&e);
		if (!r->fatal) {
			int rc;
			if (res->skipped) {
				rc = store_touch(r->st, r->run_id, a->doc.key, &e);
				r->totals.skipped++;
			} else {
				rc = store_write(r->st, r->run_id, a, r->rs, &e);
				if (a->failed) {
					r->totals.failed++;
					if (!r->opt->quiet) report_failure(a);
				} else {
					r->totals.documents++;
					r->totals.bytes += a->doc.raw_len;
					r->totals.sentences += a->sents.n;
					r->totals.flagged += a->ds.flagged;
					r->totals.tags += a->tags.n;
					for (size_t i = 0; i < a->tags.n; i++)
						if (!a->tags.v[i].suppressed && a->tags.v[i].category < CAT__COUNT)
							r->totals.by_category[a->tags.v[i].category]++;
					if (a->warning && !r->opt->quiet)
						fprintf(stderr, "claimcheck: %s: warning: %s\n", a->doc.key,
							a->warning);
				}
			}
			if (rc != 0) {
				r->fatal = 1;
				snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", e.msg);
			}
		}
		analysis_reset(a);
		queue_push(&r->free_results, res);
		if (r->progress) {
			double now = now_seconds();
			if (now - last > 0.25) {
				progress_line(r, 0);
				last = now;
			}
		}
	}
	return NULL;
}

/* ---- the reader (calling thread) ---------------------------------------- */

static job *job_new(enum job_kind kind, const char *path, doc_format fmt)
{
	job *j = xcalloc(1, sizeof *j);
	j->kind = kind;
	j->path = xstrdup(path);
	j->fmt = fmt;
	return j;
}

static void push_bad(runner *r, const char *path, const char *msg)
{
	job *j = job_new(JOB_BAD, path, FMT_AUTO);
	strbuf_puts(&j->line, msg);
	queue_push(&r->jobs, j);
}

/* Split a JSONL file into record jobs, reading it in blocks; a line longer
 * than max_bytes becomes an error record without being held in memory. */
static void queue_jsonl(runner *r, const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		push_bad(r, path, strerror(errno));
		return;
	}
	char buf[65536];
	job *cur = NULL;
	long lineno = 1;
	int too_long = 0;
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		size_t pos = 0;
		while (pos < n) {
			char *nl = memchr(buf + pos, '\n', n - pos);
			size_t take = nl ? (size_t)(nl - (buf + pos)) : n - pos;
			if (!cur) {
				cur = job_new(JOB_RECORD, path, FMT_TXT);
				cur->lineno = lineno;
				too_long = 0;
			}
			if (!too_long) {
				if (cur->line.len + take > r->opt->max_bytes) {
					too_long = 1;
					strbuf_free(&cur->line);
				} else {
					strbuf_append(&cur->line, buf + pos, take);
				}
			}
			pos += take;
			if (!nl) break;
			pos++; /* the newline */
			if (too_long) {
				char msg[200];
				snprintf(msg, sizeof msg, "line %ld: record larger than the limit of %zu bytes",
					 lineno, r->opt->max_bytes);
				free(cur->path);
				cur->path = xasprintf("%s#line:%ld", path, lineno);
				cur->kind = JOB_BAD;
				strbuf_puts(&cur->line, msg);
				queue_push(&r->jobs, cur);
			} else if (cur->line.len == 0 ||
				   strspn(cur->line.data, " \t\r") == cur->line.len) {
				job_free(cur); /* blank line */
			} else {
				queue_push(&r->jobs, cur);
			}
			cur = NULL;
			lineno++;
		}
	}
	if (ferror(fp)) push_bad(r, path, strerror(errno));
	if (cur) {
		if (too_long || cur->line.len == 0) job_free(cur);
		else queue_push(&r->jobs, cur);
	}
	fclose(fp);
}

static int visit(void *ctx, const char *path, doc_format fmt)
{
	runner *r = ctx;
	if (r->fatal) return 1;
	if (r->opt->force_format != FMT_AUTO) fmt = r->opt->force_format;
	if (fmt == FMT_JSONL) queue_jsonl(r, path);
	else queue_push(&r->jobs, job_new(JOB_FILE, path, fmt));
	return 0;
}

static void bad(void *ctx, const char *path, const char *msg)
{
	push_bad(ctx, path, msg);
}

int run_corpus(const ruleset *rs, const char *const *paths, size_t npaths, const run_options *opt,
	       run_totals *totals, int64_t *run_id)
{
	runner r;
	memset(&r, 0, sizeof r);
	r.rs = rs;
	r.opt = opt;
	r.started = now_seconds();
	r.progress = isatty(STDERR_FILENO) && !opt->quiet;
	r.db_existed = access(opt->db_path, F_OK) == 0;

	cc_error e;
	cc_error_clear(&e);
	r.st = store_open(opt->db_path, STORE_WRITE, &e);
	if (!r.st) {
		fprintf(stderr, "claimcheck: %s\n", e.msg);
		return 3;
	}
	r.db_existed = 1; /* it exists now; workers may check currency */
	r.run_id = store_run_begin(r.st, PACKAGE_VERSION, rs, opt->args);
	if (r.run_id < 0) { /* the store printed why */
		store_close(r.st);
		return 3;
	}

	unsigned nworkers = opt->jobs;
	if (nworkers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nworkers = n > 0 ? (unsigned)n : 1;
	}
	size_t nres = 2 * (size_t)nworkers + 2;
	queue_init(&r.jobs, 4 * (size_t)nworkers + 4);
	queue_init(&r.results, nres);
	queue_init(&r.free_results, nres);
	result *pool = xcalloc(nres, sizeof *pool);
	for (size_t i = 0; i < nres; i++) {
		cc_error_clear(&pool[i].a.err);
		queue_push(&r.free_results, &pool[i]);
	}

	pthread_t writer, *workers = xcalloc(nworkers, sizeof *workers);
	if (pthread_create(&writer, NULL, writer_main, &r) != 0) die("cannot start a thread");
	for (unsigned i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i], NULL, worker_main, &r) != 0) die("cannot start a thread");

	read_walk(paths, npaths, visit, bad, &r);

	queue_close(&r.jobs);
	for (unsigned i = 0; i < nworkers; i++) pthread_join(workers[i], NULL);
	queue_close(&r.results);
	pthread_join(writer, NULL);
	if (r.progress) progress_line(&r, 1);

	int status = EXIT_OK;
	if (r.fatal) {
		fprintf(stderr, "claimcheck: %s\n", r.fatal_msg);
		status = 3;
	} else {
		store_run_end(r.st, r.run_id, &r.totals);
		cc_error_clear(&e);
		if (store_flush(r.st, &e) != 0) {
			fprintf(stderr, "claimcheck: %s\n", e.msg);
			status = 3;
		}
	}
	store_close(r.st);

	for (size_t i = 0; i < nres; i++) analysis_free(&pool[i].a);
	free(pool);
	free(workers);
	queue_destroy(&r.jobs);
	queue_destroy(&r.results);
	queue_destroy(&r.free_results);

	*totals = r.totals;
	*run_id = r.run_id;
	if (status == EXIT_OK && r.totals.failed) status = EXIT_PARTIAL;
	return status;
}
