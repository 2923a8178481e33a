/*
 * run.c — the run loop: reader -> workers -> one writer.
 *
 * Reads: paths on the command line. The calling thread walks them
 * (read_walk) and splits JSONL files into records; each file or record
 * becomes a job on a bounded queue. Worker threads read the file, ask
 * their read-only store whether the document is already current (same
 * bytes, same rule set) and otherwise analyse it; results go through a
 * second bounded queue to the writer thread, which owns the read-write
 * store. Result buffers circulate through a free list; the queues bound
 * both the number of jobs and results in flight and the bytes they hold
 * (queue.h, RUN_JOBS_BYTES and RUN_RESULTS_BYTES in run.h), and a result
 * back in the pool keeps at most RUN_RESULT_KEEP bytes of buffers: memory
 * stays bounded whatever the corpus size.
 *
 * Unchanged files are skipped unread: the reader stats every file and
 * asks its own read-only store whether the file's stamp (size, times,
 * inode), format and rule set are those recorded when all its documents
 * were last stored (store_file_is_current). Otherwise a file_track follows
 * the file's documents to the writer, which records the file
 * (store_file_done) once all of them are stored without error.
 */
#include "config.h"
#include "run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "queue.h"

/* ---- SIGINT and SIGTERM ------------------------------------------------- */

/* The first SIGINT or SIGTERM only sets stop_signal: the reader stops
 * walking, the workers drop the jobs not yet started, and the writer
 * commits what is done. A second one ends the process at once (SQLite's
 * journal keeps the database consistent: the open batch is lost). */
static atomic_int stop_signal; /* lock-free: safe in a signal handler */

static void on_signal(int sig)
{
	if (atomic_exchange(&stop_signal, sig) != 0) {
		static const char msg[] = "\nclaimcheck: second signal: stopping now, without "
					  "committing the open batch\n";
		ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
		(void)w;
		_exit(128 + sig);
	}
}

static int stopping(void)
{
	return atomic_load_explicit(&stop_signal, memory_order_relaxed) != 0;
}

/* ---- jobs and results --------------------------------------------------- */

enum job_kind {
	JOB_FILE,      /* read and analyse a file */
	JOB_RECORD,    /* analyse a JSONL record */
	JOB_BAD,       /* record an error */
	JOB_UNCHANGED, /* a whole file is current: mark it seen */
	JOB_END        /* all the records of a JSONL file have been queued */
};

/* One input file on its way through the pipeline: the writer records it
 * as current once every one of its documents is stored without error. Only
 * the writer touches it after creation, except `queued`, which the reader
 * sets before queueing JOB_END (the queue orders the two). */
typedef struct file_track {
	char *path;
	file_stamp fs;
	doc_format fmt;
	int trusted;      /* the stamp can vouch for the content (not modified just before) */
	uint64_t queued;  /* documents queued (final once `ended`) */
	uint64_t done;    /* documents the writer has handled */
	int ended, bad;
} file_track;

typedef struct job {
	enum job_kind kind;
	char *path;
	doc_format fmt;
	long lineno;       /* JOB_RECORD */
	strbuf line;       /* JOB_RECORD: the record; JOB_BAD: the message */
	file_track *ft;    /* JOB_FILE, JOB_RECORD, JOB_END; NULL for others */
	uint64_t ndocs;    /* JOB_UNCHANGED: documents in the file */
	uint64_t in_bytes; /* input bytes this job stands for (progress) */
} job;

typedef struct result {
	analysis a;
	enum job_kind kind;
	int skipped;       /* current in the database: only touch it */
	int outside;       /* a JSONL record of another shard: nothing to write */
	int dropped;       /* not started before a stop signal: nothing to write */
	file_track *ft;
	uint64_t ndocs;
	uint64_t in_bytes;
} result;

typedef struct runner {
	const ruleset *rs;
	const run_options *opt;
	queue jobs, results, free_results;
	run_totals totals;
	store *ro;         /* the reader's read-only handle, for unchanged files; may be NULL */
	uint64_t in_bytes; /* input bytes handled (writer) */
	pthread_mutex_t size_mu;
	uint64_t total_bytes; /* input size, once the sizing walk is over (0 before) */
	int64_t run_id;
	store *st;
	int fatal;         /* the writer hit a database error: stop */
	char fatal_msg[600];
	int db_existed;
	double started;
	int progress;
} runner;

unsigned run_shard_of(const char *key, unsigned n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	/* FNV-1a's low bits are weak (the lowest is the parity of the
	 * key's bytes): finish with MurmurHash3's 64-bit mix */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb3fe1a85ec53ULL;
	h ^= h >> 33;
	return n > 1 ? (unsigned)(h % n) + 1 : 1;
}

/* Whether the document with this key belongs to this run's shard. */
static int in_shard(const runner *r, const char *key)
{
	return r->opt->shard_n <= 1 || run_shard_of(key, r->opt->shard_n) == r->opt->shard_k;
}

/* What a job holds, for the jobs queue's weight. */
static size_t job_weight(const job *j)
{
	return sizeof *j + strlen(j->path) + 1 + j->line.cap;
}

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
	res->outside = 0;
	res->dropped = 0;
	res->kind = j->kind;
	res->ft = j->ft;
	res->ndocs = j->ndocs;
	res->in_bytes = j->in_bytes;
	int rc = 0;
	if (stopping() && j->kind != JOB_UNCHANGED && j->kind != JOB_END) {
		res->dropped = 1; /* interrupted: documents not started are left for the next run */
		return;
	}
	switch (j->kind) {
	case JOB_UNCHANGED:
	case JOB_END:
		a->doc.path = xstrdup(j->path);
		return;
	case JOB_FILE:
		rc = read_file(j->path, j->fmt, r->opt->max_bytes, &a->doc, &a->err);
		break;
	case JOB_RECORD:
		rc = read_jsonl_record(j->path, j->lineno, j->line.data ? j->line.data : "", j->line.len,
				       &a->doc, &a->err);
		/* a record's key is known only once it is parsed */
		if (a->doc.key && !in_shard(r, a->doc.key)) {
			res->outside = 1;
			return;
		}
		break;
	case JOB_BAD:
		a->doc.key = xstrdup(j->path);
		cc_error_set(&a->err, -1, "%s", j->line.data ? j->line.data : "unreadable");
		if (j->lineno > 0) { /* an over-long JSONL line, keyed FILE#line:N */
			const char *hash = strrchr(j->path, '#');
			a->doc.path = hash ? xstrndup(j->path, (size_t)(hash - j->path)) : xstrdup(j->path);
			a->err.line = j->lineno;
		} else {
			a->doc.path = xstrdup(j->path);
		}
		rc = -1;
		break;
	}
	if (rc != 0) {
		a->failed = 1;
		if (!a->doc.key) a->doc.key = xstrdup(j->path);
		if (!a->doc.path) a->doc.path = xstrdup(j->path);
		return;
	}
	if (j->kind == JOB_FILE) res->in_bytes = a->doc.raw_len;
	if (ro && !r->opt->force &&
	    store_is_current(ro, a->doc.key, a->doc.raw_hash, ruleset_hash(r->rs))) {
		res->skipped = 1;
		return;
	}
	analyze_document(az, a);
}

/* A read-only handle on the run's database, to ask what is current (the
 * reader's and each worker's own), or NULL: a database this run created
 * holds nothing current. A handle that cannot be opened costs only time
 * (what it would have skipped is analysed again), so it is a warning,
 * printed once per run. */
static store *open_reader(runner *r)
{
	static atomic_flag warned = ATOMIC_FLAG_INIT;
	if (!r->db_existed) return NULL;
	cc_error e;
	cc_error_clear(&e);
	store *ro = store_open(r->opt->db_path, STORE_READ, &e);
	if (!ro && !atomic_flag_test_and_set(&warned))
		fprintf(stderr, "claimcheck: warning: %s; documents already current are analysed again\n",
			e.msg);
	return ro;
}

static void *worker_main(void *arg)
{
	runner *r = arg;
	analyzer *az = analyzer_new(r->rs);
	store *ro = open_reader(r);
	job *j;
	while ((j = queue_pop(&r->jobs)) != NULL) {
		result *res = queue_pop(&r->free_results);
		process_job(r, az, ro, j, res);
		job_free(j);
		queue_push(&r->results, res, analysis_size(&res->a));
	}
	store_close(ro);
	analyzer_free(az);
	return NULL;
}

/* The progress line (standard error on a terminal): a bar of this many
 * cells once the input's size is known, then documents, MB, MB/s, failures
 * and an ETA. A message printed while it shows first erases it (carriage
 * return, erase to end of line); the next update draws it again. */
#define PROGRESS_WIDTH 20
#define CLEAR_LINE "\r\033[K"

static void report_failure(const runner *r, const analysis *a)
{
	if (r->progress) fputs(CLEAR_LINE, stderr);
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
	double mb = r->in_bytes / 1e6;
	double rate = el > 0 ? mb / el : 0.0;
	uint64_t docs = r->totals.documents + r->totals.skipped + r->totals.failed;
	pthread_mutex_lock(&r->size_mu);
	uint64_t total = r->total_bytes;
	pthread_mutex_unlock(&r->size_mu);
	/* the bar, once the sizing walk has the input's size */
	char bar[64] = "";
	if (total > 0) {
		double done = final || r->in_bytes >= total ? 1.0 : (double)r->in_bytes / (double)total;
		int fill = (int)(done * PROGRESS_WIDTH);
		char cells[PROGRESS_WIDTH + 1];
		for (int i = 0; i < PROGRESS_WIDTH; i++) cells[i] = i < fill ? '#' : '.';
		cells[PROGRESS_WIDTH] = '\0';
		snprintf(bar, sizeof bar, "[%s] %3d%%  ", cells, (int)(done * 100));
	}
	char eta[48] = "";
	if (!final && total > r->in_bytes && rate > 0 && el >= 1) {
		double left = (total - r->in_bytes) / 1e6 / rate;
		unsigned long sec = (unsigned long)(left + 0.5);
		snprintf(eta, sizeof eta, "  ETA %lu:%02lu:%02lu", sec / 3600, sec / 60 % 60, sec % 60);
	}
	fprintf(stderr, "\r%s%llu documents  %.1f MB  %.1f MB/s  %llu failed%s%s", bar,
		(unsigned long long)docs, mb, rate, (unsigned long long)r->totals.failed, eta,
		final ? "\n" : "   ");
}

static void set_fatal(runner *r, const cc_error *e)
{
	if (r->fatal) return;
	r->fatal = 1;
	snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", e->msg);
}

/* One more of ft's documents was handled (or its end was reached): once
 * all are, record the file if none failed, and let the track go. */
static void track_check(runner *r, file_track *ft)
{
	if (!ft->ended || ft->done < ft->queued) return;
	if (!ft->bad && ft->trusted && !r->fatal) {
		cc_error e;
		if (store_file_done(r->st, r->run_id, ft->path, &ft->fs, ft->fmt, r->rs, ft->queued, &e) != 0)
			set_fatal(r, &e);
	}
	free(ft->path);
	free(ft);
}

/* Whether the writer stores this result's document (store_write_many). */
static int to_write(const runner *r, const result *res)
{
	return !r->fatal && (res->kind == JOB_FILE || res->kind == JOB_RECORD || res->kind == JOB_BAD) &&
	       !res->outside && !res->dropped && !res->skipped;
}

/* A document's result, once written (by handle_results): count it, or
 * mark it seen. */
static void write_result(runner *r, result *res)
{
	analysis *a = &res->a;
	cc_error e;
	cc_error_clear(&e);
	if (r->fatal || res->outside || res->dropped) return;
	int rc = 0;
	if (res->skipped) {
		rc = store_touch(r->st, r->run_id, a->doc.key, &e);
		r->totals.skipped++;
	} else {
		if (a->failed) {
			r->totals.failed++;
			if (!r->opt->quiet) report_failure(r, a);
		} else {
			r->totals.documents++;
			r->totals.bytes += a->doc.raw_len;
			r->totals.sentences += a->sents.n;
			r->totals.flagged += a->ds.flagged;
			r->totals.tags += a->tags.n;
			for (size_t i = 0; i < a->tags.n; i++)
				if (!a->tags.v[i].suppressed && a->tags.v[i].category < CAT__COUNT)
					r->totals.by_category[a->tags.v[i].category]++;
			if (a->warning) {
				r->totals.warnings++;
				if (!r->opt->quiet)
					fprintf(stderr, "%sclaimcheck: %s: warning: %s\n",
						r->progress ? CLEAR_LINE : "", a->doc.key, a->warning);
			}
		}
	}
	if (rc != 0) set_fatal(r, &e);
}

/* When the writer commits: RUN_COMMIT_SECONDS and RUN_BATCH_DOCS (run.h).
 * The store's own default, 2000 documents, is a third of a second of
 * `run -j2`. */

/* One result, its document written if it had one to write. */
static void handle_result(runner *r, result *res)
{
	cc_error e;
	switch (res->kind) {
	case JOB_UNCHANGED:
		r->totals.skipped += res->ndocs;
		if (!r->fatal && store_file_touch(r->st, r->run_id, res->a.doc.path, &e) != 0)
			set_fatal(r, &e);
		break;
	case JOB_END:
		res->ft->ended = 1;
		track_check(r, res->ft);
		break;
	default:
		write_result(r, res);
		if (res->ft) {
			res->ft->done++;
			if (res->a.failed || res->dropped) res->ft->bad = 1;
			track_check(r, res->ft);
		}
		break;
	}
	r->in_bytes += res->in_bytes;
	/* the worker that takes it next resets it (off this thread), unless it
	 * holds a large document, which is freed now */
	analysis_trim(&res->a, RUN_RESULT_KEEP);
	queue_push(&r->free_results, res, 0);
}

/* The writer takes at most RUN_WRITE_BURST results at once (run.h), only
 * what is waiting; the queue hands results over in bursts (queue_init's
 * `high`). */

/* Write the documents of res[0..n) with one store call, then handle each
 * result in order: count it, touch what is current, record the files
 * whose documents are all stored (after their documents, whose writing
 * forgets the file's record). */
static void handle_results(runner *r, result **res, size_t n)
{
	const analysis *docs[RUN_WRITE_BURST];
	size_t nd = 0;
	cc_error e;
	for (size_t i = 0; i < n; i++)
		if (to_write(r, res[i])) docs[nd++] = &res[i]->a;
	if (nd && store_write_many(r->st, r->run_id, docs, nd, r->rs, &e) != 0) set_fatal(r, &e);
	for (size_t i = 0; i < n; i++) handle_result(r, res[i]);
}

static void *writer_main(void *arg)
{
	runner *r = arg;
	result *burst[RUN_WRITE_BURST];
	double last = now_seconds(), last_commit = last;
	while ((burst[0] = queue_pop(&r->results)) != NULL) {
		size_t n = 1;
		while (n < RUN_WRITE_BURST && (burst[n] = queue_try_pop(&r->results)) != NULL) n++;
		handle_results(r, burst, n);
		cc_error e;
		double now = now_seconds();
		if (now - last_commit >= RUN_COMMIT_SECONDS) {
			if (!r->fatal && store_flush(r->st, &e) != 0) set_fatal(r, &e);
			/* a moment without the write lock, for another writer
			 * waiting on it (a reviewer's verdict): 0.5% of the time */
			struct timespec pause = {0, 5000000};
			nanosleep(&pause, NULL);
			last_commit = now_seconds();
		}
		if (r->progress && now - last > 0.25) {
			progress_line(r, 0);
			last = now;
		}
	}
	return NULL;
}

/* ---- sizing the input, for the progress line's ETA ---------------------- */

typedef struct sizer {
	runner *r;
	const char *const *paths;
	size_t npaths;
	uint64_t total;
} sizer;

static int size_visit(void *ctx, const char *path, doc_format fmt)
{
	sizer *z = ctx;
	struct stat st;
	if (stopping()) return 1;
	if (z->r->opt->force_format != FMT_AUTO) fmt = z->r->opt->force_format;
	if (fmt != FMT_JSONL && !in_shard(z->r, path)) return 0;
	if (stat(path, &st) == 0) z->total += (uint64_t)st.st_size;
	return 0;
}

/* A second walk that only adds up file sizes (only when the progress line
 * is shown); the total is published at its end: no ETA until then. */
static void *sizer_main(void *arg)
{
	sizer *z = arg;
	read_walk(z->paths, z->npaths, size_visit, NULL, z);
	pthread_mutex_lock(&z->r->size_mu);
	z->r->total_bytes = z->total;
	pthread_mutex_unlock(&z->r->size_mu);
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
	if (!in_shard(r, path)) return; /* the error is another shard's document */
	job *j = job_new(JOB_BAD, path, FMT_AUTO);
	strbuf_puts(&j->line, msg);
	queue_push(&r->jobs, j, job_weight(j));
}

/* A file modified this close to the moment it was stat'ed may change again
 * within the file system's time stamp granularity without its stamp
 * changing: such a file is analysed but not recorded as unchanged. */
#define SETTLE_NS 2000000000LL

/* Stat path before it is read. Returns 0 if it cannot be stamped. */
static int stamp_file(const char *path, file_stamp *fs, int *trusted)
{
	struct timespec now;
	struct stat st;
	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
	fs->size = (int64_t)st.st_size;
	fs->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	fs->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	fs->inode = (int64_t)st.st_ino;
	int64_t settled = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - SETTLE_NS;
	*trusted = fs->mtime_ns < settled && fs->ctime_ns < settled;
	return 1;
}

/* Split a JSONL file into record jobs, reading it in blocks; a line longer
 * than max_bytes becomes an error record without being held in memory.
 * ft (may be NULL) follows the records; JOB_END closes it. */
/* A JSONL line is complete (at its newline, or at the end of the file):
 * queue it as a record, as an error if it was over the limit, or drop it
 * if blank. Takes cur. */
static void queue_line(runner *r, const char *path, job *cur, long lineno, int too_long,
		       uint64_t *carry, uint64_t *queued)
{
	if (too_long) {
		char msg[200];
		snprintf(msg, sizeof msg, "record larger than the limit of %zu bytes", r->opt->max_bytes);
		free(cur->path);
		cur->path = xasprintf("%s#line:%ld", path, lineno);
		cur->kind = JOB_BAD;
		strbuf_puts(&cur->line, msg);
		cur->in_bytes += *carry;
		*carry = 0;
		if (in_shard(r, cur->path)) {
			queue_push(&r->jobs, cur, job_weight(cur));
			(*queued)++;
		} else {
			job_free(cur);
		}
	} else if (cur->line.len == 0 || strspn(cur->line.data, " \t\r") == cur->line.len) {
		*carry += cur->in_bytes;
		job_free(cur); /* blank line */
	} else {
		cur->in_bytes += *carry;
		*carry = 0;
		queue_push(&r->jobs, cur, job_weight(cur));
		(*queued)++;
	}
}

static void queue_jsonl(runner *r, const char *path, file_track *ft)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		char msg[300];
		snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
		push_bad(r, path, msg);
		if (ft) {
			free(ft->path);
			free(ft);
		}
		return;
	}
	char buf[65536];
	job *cur = NULL;
	long lineno = 1;
	int too_long = 0;
	uint64_t queued = 0, carry = 0; /* carry: bytes of blank lines, for progress */
	size_t n;
	while (!stopping() && (n = fread(buf, 1, sizeof buf, fp)) > 0) {
		size_t pos = 0;
		while (pos < n) {
			char *nl = memchr(buf + pos, '\n', n - pos);
			size_t take = nl ? (size_t)(nl - (buf + pos)) : n - pos;
			if (!cur) {
				cur = job_new(JOB_RECORD, path, FMT_TXT);
				cur->lineno = lineno;
				cur->ft = ft;
				too_long = 0;
			}
			cur->in_bytes += take + (nl != NULL);
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
			queue_line(r, path, cur, lineno, too_long, &carry, &queued);
			cur = NULL;
			lineno++;
		}
	}
	if (ferror(fp)) {
		char msg[300];
		snprintf(msg, sizeof msg, "read error after line %ld: %s", lineno - 1, strerror(errno));
		push_bad(r, path, msg);
		if (ft) ft->trusted = 0;
	}
	if (stopping()) { /* a part of the file was left unread: never record it */
		if (ft) ft->trusted = 0;
		job_free(cur);
		cur = NULL;
	}
	if (cur) /* the last line, without a newline */
		queue_line(r, path, cur, lineno, too_long, &carry, &queued);
	fclose(fp);
	if (ft) {
		ft->queued = queued; /* read by the writer only after it pops JOB_END */
		job *end = job_new(JOB_END, path, FMT_JSONL);
		end->ft = ft;
		end->in_bytes = carry;
		queue_push(&r->jobs, end, job_weight(end));
	}
}

static int visit(void *ctx, const char *path, doc_format fmt)
{
	runner *r = ctx;
	if (r->fatal || stopping()) return 1;
	if (r->opt->force_format != FMT_AUTO) fmt = r->opt->force_format;
	/* A file is one document keyed by its path: one of another shard is
	 * not even opened. A JSONL file holds documents of every shard: its
	 * records are split by key after parsing, and the file is neither
	 * skipped nor recorded whole (the files table speaks for all its
	 * records, and a shard run sees only some). */
	int sharded = r->opt->shard_n > 1;
	if (sharded && fmt != FMT_JSONL && !in_shard(r, path)) return 0;
	file_stamp fs;
	int trusted = 0;
	file_track *ft = NULL;
	if (!(sharded && fmt == FMT_JSONL) && stamp_file(path, &fs, &trusted)) {
		uint64_t ndocs;
		if (r->ro && !r->opt->force &&
		    store_file_is_current(r->ro, path, &fs, fmt, ruleset_hash(r->rs), &ndocs)) {
			job *j = job_new(JOB_UNCHANGED, path, fmt);
			j->ndocs = ndocs;
			j->in_bytes = (uint64_t)fs.size;
			queue_push(&r->jobs, j, job_weight(j));
			return 0;
		}
		ft = xcalloc(1, sizeof *ft);
		ft->path = xstrdup(path);
		ft->fs = fs;
		ft->fmt = fmt;
		ft->trusted = trusted;
	}
	if (fmt == FMT_JSONL) {
		queue_jsonl(r, path, ft);
		return 0;
	}
	job *j = job_new(JOB_FILE, path, fmt);
	if (ft) {
		ft->queued = 1;
		ft->ended = 1;
		j->ft = ft;
	}
	queue_push(&r->jobs, j, job_weight(j));
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
	pthread_mutex_init(&r.size_mu, NULL);

	cc_error e;
	cc_error_clear(&e);
	r.st = store_open(opt->db_path, STORE_WRITE, &e);
	if (!r.st) {
		fprintf(stderr, "claimcheck: %s\n", e.msg);
		pthread_mutex_destroy(&r.size_mu);
		return 3;
	}
	store_set_batch(r.st, RUN_BATCH_DOCS);
	/* the WAL checkpoints beside the writer, not inside its commits */
	if (store_checkpoint_in_background(r.st, 0, &e) != 0) {
		fprintf(stderr, "claimcheck: warning: %s\n", e.msg);
		cc_error_clear(&e);
	}
	/* a database that existed may know unchanged files (NULL: read them all) */
	/* A database created by this run holds nothing current: then neither
	 * the reader nor the workers ask it (nor with --force). */
	if (opt->force) r.db_existed = 0;
	r.ro = open_reader(&r);
	r.run_id = store_run_begin(r.st, PACKAGE_VERSION, rs, opt->args);
	if (r.run_id < 0) { /* the store printed why */
		store_close(r.ro);
		store_close(r.st);
		pthread_mutex_destroy(&r.size_mu);
		return 3;
	}

	/* From here on, the first SIGINT/SIGTERM stops the run cleanly. A
	 * signal the caller ignores (SIGINT for a job that a script started
	 * in the background) stays ignored. */
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* reads and SQLite calls go on; the flag is polled */
	atomic_store(&stop_signal, 0);
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	if (old_int.sa_handler != SIG_IGN) sigaction(SIGINT, &sa, NULL);
	if (old_term.sa_handler != SIG_IGN) sigaction(SIGTERM, &sa, NULL);

	unsigned nworkers = opt->jobs;
	if (nworkers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nworkers = n > 0 ? (unsigned)n : 1;
	}
	/* Results in flight (RUN_RESULTS_PER_WORKER, run.h): enough that the
	 * workers go on analysing while the writer commits, and that the
	 * writer, woken once `burst` results wait, is woken rarely. When the
	 * free list is empty at least nres - nworkers of them wait for the
	 * writer, more than `burst`; when their weight (the memory they hold)
	 * stops a worker, the queue wakes the writer (queue_push). */
	size_t nres = RUN_RESULTS_PER_WORKER * (size_t)nworkers;
	size_t burst = RUN_WAKE_BURST < (nres - nworkers) / 2 ? RUN_WAKE_BURST : (nres - nworkers) / 2;
	queue_init(&r.jobs, RUN_JOBS_PER_WORKER * (size_t)nworkers, 1, RUN_JOBS_BYTES);
	queue_init(&r.results, nres, burst, RUN_RESULTS_BYTES);
	queue_init(&r.free_results, nres, 1, 0);
	result *pool = xcalloc(nres, sizeof *pool);
	for (size_t i = 0; i < nres; i++) {
		cc_error_clear(&pool[i].a.err);
		queue_push(&r.free_results, &pool[i], 0);
	}

	pthread_t writer, *workers = xcalloc(nworkers, sizeof *workers);
	if (pthread_create(&writer, NULL, writer_main, &r) != 0) die("cannot start a thread");
	for (unsigned i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i], NULL, worker_main, &r) != 0) die("cannot start a thread");

	sizer z = {&r, paths, npaths, 0};
	pthread_t sizer_thread;
	int sizing = r.progress && pthread_create(&sizer_thread, NULL, sizer_main, &z) == 0;

	read_walk(paths, npaths, visit, bad, &r);

	queue_close(&r.jobs);
	for (unsigned i = 0; i < nworkers; i++) pthread_join(workers[i], NULL);
	queue_close(&r.results);
	pthread_join(writer, NULL);
	if (sizing) pthread_join(sizer_thread, NULL);
	if (r.progress) progress_line(&r, 1);
	store_close(r.ro);

	int status = EXIT_OK;
	int sig = atomic_load(&stop_signal);
	if (!r.fatal && store_run_finish(r.st, r.run_id, &r.totals, sig ? RUN_INTERRUPTED : RUN_COMPLETE,
					 &e) != 0)
		set_fatal(&r, &e);
	if (r.fatal) {
		/* the row says so if the database still takes a write */
		int recorded = store_run_finish(r.st, r.run_id, &r.totals, RUN_FAILED, &e) == 0;
		fprintf(stderr, "claimcheck: %s\n", r.fatal_msg);
		fprintf(stderr, "claimcheck: run %lld stopped; what was committed before is kept in %s "
			"(%s); fix the problem and run again to do the rest\n", (long long)r.run_id,
			opt->db_path, recorded ? "the run's status is 'failed'" : "the run's row is left unfinished");
		status = 3;
	}
	store_close(r.st);
	if (sig) {
		if (status == EXIT_OK)
			fprintf(stderr, "claimcheck: interrupted by %s: stopped reading input; the %llu "
				"document%s handled before are committed to %s (run %lld); run the same "
				"command again to do the rest\n", sig == SIGINT ? "SIGINT" : "SIGTERM",
				(unsigned long long)(r.totals.documents + r.totals.failed + r.totals.skipped),
				r.totals.documents + r.totals.failed + r.totals.skipped == 1 ? "" : "s",
				opt->db_path, (long long)r.run_id);
		else
			fprintf(stderr, "claimcheck: interrupted by %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	for (size_t i = 0; i < nres; i++) analysis_free(&pool[i].a);
	free(pool);
	free(workers);
	queue_destroy(&r.jobs);
	queue_destroy(&r.results);
	queue_destroy(&r.free_results);
	pthread_mutex_destroy(&r.size_mu);

	*totals = r.totals;
	*run_id = r.run_id;
	if (status == EXIT_OK && sig) status = 128 + sig;
	if (status == EXIT_OK && r.totals.failed) status = EXIT_PARTIAL;
	return status;
}
