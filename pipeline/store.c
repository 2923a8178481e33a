/*
 * store.c — stage 7: analyses -> SQLite rows.
 *
 * Reads: analyses (analyze.h) and the ruleset they were made with.
 * Adds: the database file: schema migrations (pipeline/schema.sql, in
 * numbered sections) and report views (reports/views.sql), both embedded
 * as sql_schema[] and sql_views[]; run rows; document, sentence and tag
 * rows, written in batched transactions with statements prepared
 * once at open. SQLite failures come back as cc_error values naming the
 * database file; a failed batch is rolled back.
 */
#include "config.h"
#include "store.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

extern const char sql_schema[];
extern const char sql_views[];

#define STORE_DEFAULT_BATCH 2000
#define STORE_BUSY_MS 10000
/* WAL pages (16 KiB) after a commit from which the checkpoints run (as
 * wal_autocheckpoint is set at open; store_checkpoint_in_background's
 * default). */
#define CKPT_PAGES 4096
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

enum stmt_id {
	ST_IS_CURRENT,
	ST_FILE_CURRENT,  /* may be missing in read mode (a database before migration 2) */
	/* write mode only from here */
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_DOC_ID,
	ST_DEL_TAGS,
	ST_DEL_SENTS,
	ST_DEL_DOC,
	ST_INS_DOC,
	ST_TOUCH,
	ST_RUN_BEGIN,
	ST_RUN_END,
	ST_FILE_DONE,
	ST_FILE_TOUCH,
	ST_FILE_DROP,
	ST_INS_DOC_NEW,
	ST_DATA_VERSION,
	ST__COUNT
};

#define DOC_INSERT \
	" INTO documents (key, path, ext_id, line, title, url, published, format, raw_hash," \
	" text_hash, bytes, ruleset_hash, run_id, seen_run, n_sentences, n_flagged, n_hedged," \
	" n_speculative, n_weasel, n_sourced, n_tags, hedge_density, speculation_density," \
	" weasel_density, sourced_share, checkworthy_max, checkworthy_mean, error, error_offset," \
	" error_line, warning, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12," \
	" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29," \
	" ?30, ?31, ?32)"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_IS_CURRENT] = "SELECT 1 FROM documents WHERE key = ?1 AND raw_hash = ?2"
			  " AND ruleset_hash = ?3 AND error IS NULL",
	[ST_FILE_CURRENT] = "SELECT documents FROM files WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3"
			    " AND ctime_ns = ?4 AND inode = ?5 AND format = ?6 AND ruleset_hash = ?7",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_DOC_ID] = "SELECT id FROM documents WHERE key = ?1",
	[ST_DEL_TAGS] = "DELETE FROM tags WHERE doc_id = ?1",
	[ST_DEL_SENTS] = "DELETE FROM sentences WHERE doc_id = ?1",
	[ST_DEL_DOC] = "DELETE FROM documents WHERE id = ?1",
	[ST_INS_DOC] = "INSERT OR ROLLBACK" DOC_INSERT,
	[ST_TOUCH] = "UPDATE documents SET seen_run = ?2 WHERE key = ?1",
	[ST_RUN_BEGIN] = "INSERT INTO runs (started, tool_version, ruleset_hash, args)"
			 " VALUES (" NOW_SQL ", ?1, ?2, ?3)",
	[ST_RUN_END] = "UPDATE runs SET finished = " NOW_SQL ", documents = ?2, skipped = ?3,"
		       " failed = ?4, sentences = ?5, flagged = ?6, tags = ?7, bytes = ?8,"
		       " hedge_tags = ?9, speculation_tags = ?10, weasel_tags = ?11,"
		       " source_tags = ?12, status = ?13 WHERE id = ?1",
	[ST_FILE_DONE] = "INSERT OR REPLACE INTO files (path, size, mtime_ns, ctime_ns, inode, format,"
			 " ruleset_hash, documents, run_id, seen_run)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
	[ST_FILE_TOUCH] = "UPDATE files SET seen_run = ?2 WHERE path = ?1",
	[ST_FILE_DROP] = "DELETE FROM files WHERE path = ?1",
	/* a document whose key is believed new: a key that exists after all
	 * leaves the old row alone (no change) instead of ending the
	 * transaction, and the writer replaces it the usual way */
	[ST_INS_DOC_NEW] = "INSERT OR IGNORE" DOC_INSERT,
	[ST_DATA_VERSION] = "PRAGMA data_version",
};

/* Sentences and tags go in with one INSERT ... SELECT per document and
 * table, reading the rows straight out of the analysis through two
 * eponymous virtual tables of the write connection (cc_sentence_rows,
 * cc_tag_rows; see "rows as virtual tables" below). Each value costs SQLite
 * one xColumn call instead of a bind plus a copy of the parameter, the
 * statement is the same whatever the number of rows (one prepared
 * statement per table, not one per row count), and within it the cursors
 * stay on the last page of the tables they append to. */
enum { ROWS_SENTENCES, ROWS_TAGS };
static const struct {
	const char *table, *vtab, *columns; /* columns: the virtual table's, in this order */
} row_tables[2] = {
	[ROWS_SENTENCES] = {"sentences", "cc_sentence_rows",
			    "doc_id, idx, start, end, kind, ntokens, hedge, speculation, weasel,"
			    " uncertainty, factual, checkworthy, sourced, flagged"},
	[ROWS_TAGS] = {"tags", "cc_tag_rows",
		       "doc_id, sentence, idx, rule, category, weight, start, end, cue_start, cue_end,"
		       " cue, source, role, anonymous, source_start, source_end"},
};

/* The document whose sentences and tags the virtual tables show (one of
 * s->docs), and a tag to store. */
typedef struct rowctx {
	int64_t doc;
	const analysis *a;
	const ruleset *rs;
} rowctx;

typedef struct tagrow {
	uint32_t doc;  /* s->docs.v[doc] */
	uint32_t tag;  /* its index in the analysis' tags */
	uint32_t sent; /* its sentence's number (1-based) */
	uint32_t idx;  /* its number in the document (1-based) */
} tagrow;

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	unsigned batch;   /* documents per transaction */
	unsigned pending; /* documents written in the open transaction */
	int in_tx;
	sqlite3_stmt *st[ST__COUNT];
	sqlite3_stmt *ins_rows[2]; /* [ROWS_SENTENCES], [ROWS_TAGS]: INSERT ... SELECT */
	/* The documents of one store_write_many call whose document rows are
	 * in and whose sentences and tags wait for the next insert_pending,
	 * their tags to store, and their sentences in all. The virtual tables
	 * show these rows while an ins_rows statement runs (`showing`) and
	 * none otherwise. */
	VEC(rowctx) docs;
	VEC(tagrow) tagrows;
	size_t nsents;
	int showing;
	/* Write mode: `fresh` while no document or file row can exist but the
	 * ones this connection wrote: the database had none at open and no
	 * other connection has committed since (PRAGMA data_version, checked
	 * at the start of every transaction). Then a new document needs no
	 * look-up of an old row, and a file row needs dropping only if
	 * store_file_done may have written it: `filebits` is a Bloom filter
	 * of those paths (false positives only cost a needless DELETE). */
	int fresh;
	long long data_version;
	uint8_t *filebits;
	strbuf dropped;   /* path whose file row is known absent in the open transaction, */
	int have_dropped; /* if this is set */
	char msg[256];    /* SQLite's message for the last failed step */
	struct checkpointer *ckpt; /* store_checkpoint_in_background, or NULL */
};

#define FILEBITS_LOG2 20 /* 2^20 bits: 128 KiB */

/* ---- small helpers ----------------------------------------------------- */

/* Explain the SQLite failures users can do something about. */
static const char *rc_hint(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return " (no space left on the device that holds it)";
	case SQLITE_READONLY: return " (the database file or its folder is not writable)";
	case SQLITE_CANTOPEN: return " (its folder does not exist or is not writable)";
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return " (another process is writing to it)";
	case SQLITE_NOTADB: return " (it is not an SQLite database)";
	case SQLITE_CORRUPT: return " (the database is damaged)";
	default: return "";
	}
}

static void fail(store *s, cc_error *err, int rc, const char *what)
{
	cc_error_set(err, -1, "%s: %s: %s%s", s->path, what, s->msg, rc_hint(rc));
}

/* Step a statement that returns no rows (or whose rows are ignored) and
 * reset it. Keeps SQLite's message in s->msg. */
static int step_keep(store *s, sqlite3_stmt *st)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The same, then drop the bindings: parameters left unbound next time are
 * NULL, and no pointer into a freed analysis stays behind. */
static int step(store *s, sqlite3_stmt *st)
{
	int rc = step_keep(s, st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int exec(store *s, const char *sql)
{
	char *m = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &m);
	if (rc != SQLITE_OK)
		snprintf(s->msg, sizeof s->msg, "%s", m ? m : sqlite3_errstr(rc));
	sqlite3_free(m);
	return rc;
}

/* A C string with its length: SQLite's own count of -1's bytes is a
 * byte-at-a-time loop. */
static void bind_cstr(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, (int)strlen(v), SQLITE_STATIC);
}

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v) bind_cstr(st, i, v);
	else sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	if (v > 0) sqlite3_bind_int64(st, i, v);
	else sqlite3_bind_null(st, i);
}

/* PRAGMA data_version: changes when another connection commits. */
static int data_version(store *s, long long *out)
{
	sqlite3_stmt *st = s->st[ST_DATA_VERSION];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
	else snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* The two bits of path in the filebits Bloom filter (FNV-1a 64). */
static void file_bits(const char *path, uint32_t bit[2])
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	bit[0] = (uint32_t)h & ((1u << FILEBITS_LOG2) - 1);
	bit[1] = (uint32_t)(h >> 40) & ((1u << FILEBITS_LOG2) - 1);
}

static int file_maybe_recorded(const store *s, const char *path)
{
	uint32_t b[2];
	file_bits(path, b);
	return (s->filebits[b[0] >> 3] >> (b[0] & 7) & 1) && (s->filebits[b[1] >> 3] >> (b[1] & 7) & 1);
}

static int get_int(store *s, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = -1;
		rc = SQLITE_OK;
	} else {
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	return rc;
}

static int get_text(store *s, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *st;
	out[0] = '\0';
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		snprintf(out, outsz, "%s", v ? (const char *)v : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	} else {
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	return rc;
}

static void views_hash(char out[65])
{
	sha256_hex(sql_views, strlen(sql_views), out);
}

/* ---- schema ------------------------------------------------------------ */

/* Find the "-- migration N" section of sql_schema; dies if it is missing
 * (the embedded schema and STORE_SCHEMA_VERSION disagree: a build bug). */
static char *migration_sql(int n)
{
	char marker[32];
	int ml = snprintf(marker, sizeof marker, "-- migration %d\n", n);
	const char *p = sql_schema, *start = NULL;
	for (;;) {
		if (strncmp(p, marker, (size_t)ml) == 0) {
			start = p + ml;
			break;
		}
		p = strchr(p, '\n');
		if (!p) die("store: the embedded schema has no migration %d", n);
		p++;
	}
	const char *end = start;
	while (*end && strncmp(end, "-- migration ", 13) != 0) {
		const char *nl = strchr(end, '\n');
		end = nl ? nl + 1 : end + strlen(end);
	}
	return xstrndup(start, (size_t)(end - start));
}

/* Schema version of the open database: 0 for an empty database, -1 (with
 * err set) if it is some other database. */
static int schema_version(store *s, cc_error *err)
{
	long long n, v;
	int rc = get_int(s, "SELECT count(*) FROM sqlite_master"
			    " WHERE type = 'table' AND name = 'meta'", &n);
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot read the database");
		return -1;
	}
	if (n == 0) {
		rc = get_int(s, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", &n);
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot read the database");
			return -1;
		}
		if (n == 0) return 0;
		cc_error_set(err, -1, "%s: not a claimcheck database (it has tables but no meta "
			     "table)", s->path);
		return -1;
	}
	rc = get_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", &v);
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot read the schema version");
		return -1;
	}
	if (v < 1) {
		cc_error_set(err, -1, "%s: not a claimcheck database (no schema_version in its "
			     "meta table)", s->path);
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		cc_error_set(err, -1,
			     "%s: the database has schema version %lld, newer than this claimcheck "
			     "knows (%d); use a newer claimcheck", s->path, v, STORE_SCHEMA_VERSION);
		return -1;
	}
	return (int)v;
}

static int drop_views(store *s)
{
	sqlite3_stmt *st;
	strbuf sql = {0};
	int rc = sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_master WHERE type = 'view'", -1,
				    &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		char *q = sqlite3_mprintf("DROP VIEW \"%w\";", (const char *)sqlite3_column_text(st, 0));
		strbuf_puts(&sql, q);
		sqlite3_free(q);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK && sql.len) rc = exec(s, sql.data);
	else if (rc != SQLITE_OK) snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	strbuf_free(&sql);
	return rc;
}

/* Write mode: bring the schema and the views up to date, in one
 * transaction. */
static int migrate(store *s, cc_error *err)
{
	int rc = exec(s, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot start a transaction");
		return -1;
	}
	int v = schema_version(s, err);
	if (v < 0) goto rollback;

	/* Views may name columns a migration changes: drop them first; they
	 * are reinstalled below. */
	int reinstall = 0;
	if (v > 0 && v < STORE_SCHEMA_VERSION) {
		rc = drop_views(s);
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot drop the old report views");
			goto rollback;
		}
		reinstall = 1;
	}
	for (int n = v + 1; n <= STORE_SCHEMA_VERSION; n++) {
		char *sql = migration_sql(n);
		rc = exec(s, sql);
		free(sql);
		if (rc != SQLITE_OK) {
			char what[64];
			snprintf(what, sizeof what, "schema migration %d failed", n);
			fail(s, err, rc, what);
			goto rollback;
		}
	}
	if (v < STORE_SCHEMA_VERSION) {
		char *sql = xasprintf("INSERT OR REPLACE INTO meta (key, value) VALUES"
				      " ('schema_version', '%d')%s",
				      STORE_SCHEMA_VERSION,
				      v == 0 ? ", ('created', " NOW_SQL "), ('created_by', '"
					       PACKAGE_NAME " " PACKAGE_VERSION "')" : "");
		rc = exec(s, sql);
		free(sql);
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot record the schema version");
			goto rollback;
		}
	}

	char want[65], have[80];
	views_hash(want);
	rc = get_text(s, "SELECT value FROM meta WHERE key = 'views_sha256'", have, sizeof have);
	if (rc == SQLITE_OK && (reinstall || strcmp(want, have) != 0)) {
		rc = exec(s, sql_views);
		if (rc == SQLITE_OK) {
			char *sql = xasprintf("INSERT OR REPLACE INTO meta (key, value) VALUES"
					      " ('views_sha256', '%s')", want);
			rc = exec(s, sql);
			free(sql);
		}
	}
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot install the report views");
		goto rollback;
	}

	rc = exec(s, "COMMIT");
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot commit the schema");
		goto rollback;
	}
	return 0;

rollback:
	if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Read mode: when the database's views are not this build's (an older or
 * newer claimcheck installed them), create this build's as TEMP views,
 * which shadow them on this connection without writing to the file. */
static int temp_views(store *s, cc_error *err)
{
	char want[65], have[80];
	views_hash(want);
	int rc = get_text(s, "SELECT value FROM meta WHERE key = 'views_sha256'", have, sizeof have);
	if (rc == SQLITE_OK && strcmp(want, have) == 0) return 0;

	strbuf stmt = {0};
	const char *p = sql_views;
	rc = SQLITE_OK;
	while (*p && rc == SQLITE_OK) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (!(stmt.len == 0 && strncmp(p, "--", 2) == 0))
			strbuf_append(&stmt, p, n);
		p += n;
		if (stmt.len == 0 || !sqlite3_complete(stmt.data)) continue;
		size_t skip = strspn(stmt.data, " \t\r\n");
		if (strncmp(stmt.data + skip, "CREATE VIEW ", 12) == 0) {
			char *sql = xasprintf("CREATE TEMP VIEW %s", stmt.data + skip + 12);
			rc = exec(s, sql);
			free(sql);
		}
		strbuf_reset(&stmt);
	}
	strbuf_free(&stmt);
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot create the report views (open it once for writing, "
				 "with `claimcheck run`, to upgrade it)");
		return -1;
	}
	return 0;
}

/* ---- open / close ------------------------------------------------------ */

static int rows_setup(store *s);

/* Busy handler: retry every millisecond for up to STORE_BUSY_MS. SQLite's
 * own busy timeout sleeps up to 100 ms between tries, so it seldom lands
 * in the short gaps a running `claimcheck run` leaves between its
 * transactions; this one does (a verdict recorded during a run). */
static int busy_wait(void *ctx, int tries)
{
	(void)ctx;
	if (tries >= STORE_BUSY_MS) return 0;
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
	return 1;
}

/* A WAL database can be read only where SQLite can create its shared
 * memory file (path-shm) or finds one. On a read-only file system without
 * one, and with no WAL content to miss, the file cannot change under the
 * reader: open it as immutable. Returns that URI, or NULL to open path
 * as usual. */
static char *immutable_uri(const char *path)
{
	struct statvfs vfs;
	if (statvfs(path, &vfs) != 0 || !(vfs.f_flag & ST_RDONLY)) return NULL;
	char *side = xasprintf("%s-shm", path);
	struct stat st;
	int has_shm = stat(side, &st) == 0;
	free(side);
	side = xasprintf("%s-wal", path);
	int wal_content = stat(side, &st) == 0 && st.st_size > 0;
	free(side);
	if (has_shm || wal_content) return NULL;
	strbuf b = {0};
	strbuf_puts(&b, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#') {
			char esc[4];
			snprintf(esc, sizeof esc, "%%%02X", (unsigned char)*p);
			strbuf_puts(&b, esc);
		} else {
			strbuf_putc(&b, *p);
		}
	}
	strbuf_puts(&b, "?immutable=1");
	return strbuf_steal(&b);
}

/* Before SQLite's first use: no memory statistics. With them, every
 * allocation and free takes a global mutex (shared by the writer and the
 * workers' read-only handles) to count bytes nobody reads. Too late (SQLite
 * already initialised by another caller) is harmless: it stays on. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

store *store_open(const char *path, enum store_mode mode, cc_error *err)
{
	pthread_once(&sqlite_once, sqlite_setup);
	cc_error_clear(err);
	store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->mode = mode;
	s->batch = STORE_DEFAULT_BATCH;

	int flags = mode == STORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
					: SQLITE_OPEN_READONLY;
	char *uri = mode == STORE_READ ? immutable_uri(path) : NULL;
	int rc = sqlite3_open_v2(uri ? uri : path, &s->db,
				 flags | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		snprintf(s->msg, sizeof s->msg, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		fail(s, err, rc, "cannot open the database");
		goto fail;
	}
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	/* no checkpoint (under an exclusive lock) at close: see store_close */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	if (mode == STORE_WRITE && sqlite3_db_readonly(s->db, "main") == 1) {
		cc_error_set(err, -1, "%s: cannot open the database for writing (the file, its folder or its file system is read-only)", path);
		goto fail;
	}

	if (mode == STORE_WRITE) {
		/* page_size only applies to a new database; 16 KiB pages take
		 * a quarter fewer writer cycles than 4 KiB ones on bulk loads.
		 * A 64 MiB WAL between checkpoints: fewer, larger syncs. No
		 * secure_delete (Debian builds SQLite with it on): it zeroes
		 * every byte a b-tree page frees, and the page splits of the
		 * writer's appends free many (3% of the writer's instructions);
		 * freed space keeps its old bytes until reused, as by default. */
		rc = exec(s, "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
			     " PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 4096;"
			     " PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536;"
			     " PRAGMA temp_store = MEMORY; PRAGMA secure_delete = OFF;");
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot set up the database");
			goto fail;
		}
		if (migrate(s, err) < 0) goto fail;
	} else {
		rc = exec(s, "PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;");
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot read the database");
			goto fail;
		}
		int v = schema_version(s, err);
		if (v < 0) goto fail;
		if (v == 0) {
			cc_error_set(err, -1, "%s: the database is empty (not a claimcheck database)", path);
			goto fail;
		}
		if (temp_views(s, err) < 0) goto fail;
		exec(s, "PRAGMA query_only = ON");
	}

	int last = mode == STORE_WRITE ? ST__COUNT : ST_FILE_CURRENT + 1;
	for (int i = 0; i < last; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK && mode == STORE_READ && i == ST_FILE_CURRENT) {
			s->st[i] = NULL; /* schema version 1: no files table, no fast path */
			continue;
		}
		if (rc != SQLITE_OK) {
			snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
			fail(s, err, rc, "cannot prepare a statement");
			goto fail;
		}
	}
	if (mode == STORE_WRITE) {
		rc = rows_setup(s);
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot prepare a statement");
			goto fail;
		}
		/* the version first: a commit by another connection after it
		 * shows at the first transaction, and ends `fresh` */
		long long any = 1;
		rc = data_version(s, &s->data_version);
		if (rc == SQLITE_OK)
			rc = get_int(s, "SELECT EXISTS (SELECT 1 FROM documents)"
				     " OR EXISTS (SELECT 1 FROM files)", &any);
		if (rc != SQLITE_OK) {
			fail(s, err, rc, "cannot read the database");
			goto fail;
		}
		if (any == 0) {
			s->fresh = 1;
			s->filebits = xcalloc(1, (size_t)1 << (FILEBITS_LOG2 - 3));
		}
	}
	return s;

fail:
	store_close(s);
	return NULL;
}

static int commit_batch(store *s, cc_error *err);

/* ---- checkpoints off the writer's thread --------------------------------- */

typedef struct checkpointer {
	sqlite3 *db; /* the thread's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want, busy, stop;
	int pages; /* from this many WAL pages the thread checkpoints, */
	int restart_pages; /* from this many the writer (and the WAL restarts) */
} checkpointer;

static void *checkpointer_main(void *arg)
{
	checkpointer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->want && !c->stop) pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop) break;
		c->want = 0;
		c->busy = 1;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: copies the frames no reader still needs, without
		 * taking the write lock or waiting; what it leaves, a later
		 * one (or the writer's, or the one at close) copies. A
		 * failure (disk full) leaves the pages in the WAL, where
		 * readers find them: nothing is lost. */
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		c->busy = 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The writer's WAL hook, after each commit (the write lock released):
 * pages is the number of frames in the WAL. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	checkpointer *c = arg;
	(void)name;
	if (pages < c->pages) return SQLITE_OK;
	pthread_mutex_lock(&c->mu);
	if (pages >= c->restart_pages) {
		/* The WAL starts again only at a transaction that begins
		 * with every frame copied, which the thread, always a commit
		 * behind, never sees: wait for it, copy the last commit's
		 * frames here, and the next transaction restarts the WAL. */
		while (c->busy || c->want) pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	c->want = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

int store_checkpoint_in_background(store *s, unsigned pages, cc_error *err)
{
	if (s->mode != STORE_WRITE || s->ckpt) return 0;
	if (pages == 0) pages = CKPT_PAGES;
	if (pages > INT_MAX / 4) pages = INT_MAX / 4;
	checkpointer *c = xcalloc(1, sizeof *c);
	c->pages = (int)pages;
	c->restart_pages = 4 * (int)pages;
	int rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) rc = sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot open a connection for the checkpoints: %s", s->path,
			     c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) die("cannot start a thread");
	s->ckpt = c;
	sqlite3_wal_hook(s->db, wal_hook, c); /* replaces the automatic checkpoints */
	return 0;
}

static void checkpointer_stop(store *s)
{
	checkpointer *c = s->ckpt;
	if (!c) return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	sqlite3_wal_autocheckpoint(s->db, CKPT_PAGES); /* the hook goes */
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
	s->ckpt = NULL;
}

void store_close(store *s)
{
	if (!s) return;
	if (s->in_tx) {
		cc_error e;
		cc_error_clear(&e);
		if (commit_batch(s, &e) < 0) fprintf(stderr, "claimcheck: %s\n", e.msg);
	}
	checkpointer_stop(s);
	for (int i = 0; i < ST__COUNT; i++) sqlite3_finalize(s->st[i]);
	sqlite3_finalize(s->ins_rows[ROWS_SENTENCES]);
	sqlite3_finalize(s->ins_rows[ROWS_TAGS]);
	VEC_FREE(&s->docs);
	VEC_FREE(&s->tagrows);
	free(s->filebits);
	strbuf_free(&s->dropped);
	if (s->db) {
		if (s->mode == STORE_WRITE && !sqlite3_db_readonly(s->db, "main")) {
			sqlite3_exec(s->db, "PRAGMA analysis_limit = 400; PRAGMA optimize", NULL, NULL,
				     NULL);
			/* Empty the WAL into the database file here, where readers
			 * can go on reading, instead of at close, where SQLite
			 * locks the file exclusively to do it and a reader without
			 * a busy timeout (the sqlite3 shell) gets "database is
			 * locked". A reader on an old snapshot keeps the rest in
			 * the WAL until the next writer's checkpoint. */
			sqlite3_busy_timeout(s->db, 200);
			sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		}
		sqlite3_close(s->db);
	}
	free(s->path);
	free(s);
}

sqlite3 *store_db(store *s)
{
	return s->db;
}

/* ---- transactions ------------------------------------------------------ */

static int begin_batch(store *s, cc_error *err)
{
	if (s->in_tx) return 0;
	int rc = step(s, s->st[ST_BEGIN]);
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot start a transaction");
		return -1;
	}
	s->in_tx = 1;
	s->pending = 0;
	long long v;
	if (s->fresh && (data_version(s, &v) != SQLITE_OK || v != s->data_version))
		s->fresh = 0; /* another connection wrote: rows may exist */
	return 0;
}

static void rollback_batch(store *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_reset(s->st[ST_ROLLBACK]);
		sqlite3_step(s->st[ST_ROLLBACK]);
		sqlite3_reset(s->st[ST_ROLLBACK]);
	}
	s->in_tx = 0;
	s->pending = 0;
	s->have_dropped = 0;
}

static int commit_batch(store *s, cc_error *err)
{
	if (!s->in_tx) return 0;
	unsigned n = s->pending;
	int rc = step(s, s->st[ST_COMMIT]);
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot commit %u document%s: %s%s; %s", s->path, n,
			     n == 1 ? "" : "s", s->msg, rc_hint(rc),
			     "they were rolled back");
		rollback_batch(s);
		return -1;
	}
	s->in_tx = 0;
	s->pending = 0;
	s->have_dropped = 0; /* another connection may write before the next one */
	return 0;
}

int store_flush(store *s, cc_error *err)
{
	cc_error_clear(err);
	return commit_batch(s, err);
}

void store_set_batch(store *s, unsigned docs)
{
	s->batch = docs ? docs : 1;
}

/* ---- runs -------------------------------------------------------------- */

int64_t store_run_begin(store *s, const char *tool_version, const ruleset *rs, const char *args)
{
	cc_error err;
	cc_error_clear(&err);
	if (s->mode != STORE_WRITE) {
		fprintf(stderr, "claimcheck: %s: opened read-only, cannot start a run\n", s->path);
		return -1;
	}
	if (commit_batch(s, &err) < 0) goto fail;
	sqlite3_stmt *st = s->st[ST_RUN_BEGIN];
	bind_str(st, 1, tool_version);
	bind_str(st, 2, rs ? ruleset_hash(rs) : NULL);
	bind_str(st, 3, args);
	int rc = step(s, st);
	if (rc != SQLITE_OK) {
		fail(s, &err, rc, "cannot record the run");
		goto fail;
	}
	return sqlite3_last_insert_rowid(s->db);
fail:
	fprintf(stderr, "claimcheck: %s\n", err.msg);
	return -1;
}

void store_run_end(store *s, int64_t run, const run_totals *t)
{
	cc_error err;
	if (store_run_finish(s, run, t, RUN_COMPLETE, &err) != 0)
		fprintf(stderr, "claimcheck: %s\n", err.msg);
}

int store_run_finish(store *s, int64_t run, const run_totals *t, run_status status, cc_error *err)
{
	static const char *const names[] = {"complete", "interrupted", "failed"};
	cc_error_clear(err);
	if (s->mode != STORE_WRITE || run <= 0) return 0;
	if (status == RUN_FAILED) rollback_batch(s);
	else if (commit_batch(s, err) < 0) return -1;
	sqlite3_stmt *st = s->st[ST_RUN_END];
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)t->documents);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t->skipped);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)t->failed);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)t->sentences);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)t->flagged);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)t->tags);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)t->bytes);
	for (int c = 0; c < CAT__COUNT && c < 4; c++)
		sqlite3_bind_int64(st, 9 + c, (sqlite3_int64)t->by_category[c]);
	sqlite3_bind_text(st, 13, names[status], -1, SQLITE_STATIC);
	int rc = step(s, st);
	if (rc != SQLITE_OK) {
		fail(s, err, rc, "cannot record the end of the run");
		return -1;
	}
	return 0;
}

/* ---- documents --------------------------------------------------------- */

int store_is_current(store *s, const char *key, const char *raw_hash, const char *ruleset_hash)
{
	sqlite3_stmt *st = s->st[ST_IS_CURRENT];
	if (!key || !raw_hash || !*raw_hash || !ruleset_hash) return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, raw_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ruleset_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st); /* at once: do not hold a read snapshot */
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW;
}

static int count_tags(const analysis *a)
{
	int n = 0;
	for (size_t i = 0; i < a->tags.n; i++) n += !a->tags.v[i].suppressed;
	return n;
}

/* Insert the documents row with st (ST_INS_DOC or ST_INS_DOC_NEW); *id
 * gets its rowid, or 0 if none was inserted (OR IGNORE: the key exists). */
static int insert_document(store *s, sqlite3_stmt *st, int64_t run, const analysis *a,
			   const ruleset *rs, int64_t *id)
{
	const document *d = &a->doc;
	int ok = !a->failed;

	bind_str(st, 1, d->key);
	bind_str(st, 2, d->path);
	bind_str(st, 3, d->id);
	if (d->line > 0) sqlite3_bind_int64(st, 4, d->line);
	bind_str(st, 5, d->title ? d->title : ok ? a->nt.title : NULL);
	bind_str(st, 6, d->url);
	bind_str(st, 7, d->published);
	bind_str(st, 8, d->format != FMT_AUTO ? format_name(d->format) : NULL);
	bind_str(st, 9, d->raw_hash);
	if (ok) bind_str(st, 10, a->text_hash);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)d->raw_len);
	bind_str(st, 12, rs ? ruleset_hash(rs) : NULL);
	bind_id(st, 13, run);
	bind_id(st, 14, run);
	if (ok) {
		const doc_scores *ds = &a->ds;
		sqlite3_bind_int64(st, 15, (sqlite3_int64)a->sents.n);
		sqlite3_bind_int64(st, 16, ds->flagged);
		sqlite3_bind_int64(st, 17, ds->hedged);
		sqlite3_bind_int64(st, 18, ds->speculative);
		sqlite3_bind_int64(st, 19, ds->weasel);
		sqlite3_bind_int64(st, 20, ds->sourced);
		sqlite3_bind_int64(st, 21, count_tags(a));
		sqlite3_bind_double(st, 22, ds->hedge_density);
		sqlite3_bind_double(st, 23, ds->speculation_density);
		sqlite3_bind_double(st, 24, ds->weasel_density);
		sqlite3_bind_double(st, 25, ds->sourced_share);
		sqlite3_bind_double(st, 26, ds->checkworthy_max);
		sqlite3_bind_double(st, 27, ds->checkworthy_mean);
		sqlite3_bind_text(st, 32, a->nt.text.data ? a->nt.text.data : "",
				  (int)a->nt.text.len, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 28, cc_error_isset(&a->err) ? a->err.msg : "failed", -1,
				  SQLITE_STATIC);
		if (a->err.offset >= 0) sqlite3_bind_int64(st, 29, a->err.offset);
		if (a->err.line > 0) sqlite3_bind_int64(st, 30, a->err.line);
	}
	bind_str(st, 31, a->warning);
	int rc = step(s, st);
	*id = rc == SQLITE_OK && sqlite3_changes(s->db) > 0 ? sqlite3_last_insert_rowid(s->db) : 0;
	return rc;
}

/* ---- rows as virtual tables -------------------------------------------- */

/* cc_sentence_rows and cc_tag_rows: eponymous-only virtual tables (no
 * CREATE VIRTUAL TABLE; they exist on the write connection only, nothing
 * of them is written to the file) whose rows are those of the documents
 * in s->docs while an ins_rows statement runs: their sentences, document
 * by document, or their tags to store (s->tagrows). Column by column they
 * hold what the table stores: doc_id, the 1-based idx, the spans, the
 * texts (not copied: SQLite copies them into the record), NULL for what is
 * absent. */
typedef struct rows_vtab {
	sqlite3_vtab base;
	store *s;
	int kind; /* ROWS_SENTENCES or ROWS_TAGS */
} rows_vtab;

typedef struct rows_cursor {
	sqlite3_vtab_cursor base;
	const store *s;
	size_t k;   /* sentences: the document (s->docs.v[k]) */
	size_t i;   /* sentences: the sentence in it; tags: the row of s->tagrows */
	size_t row; /* rows before this one */
	int eof;
	/* the row, looked up once rather than for every column */
	const rowctx *cx;
	const sentence_rec *sent;
	const tagrow *tr;
	const tag *tag;
	const rule_info *rule;
	span cue;
} rows_cursor;

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **errmsg)
{
	(void)argc;
	(void)errmsg;
	/* argv[0] is the module's name, which says which table this is */
	int kind = strcmp(argv[0], row_tables[ROWS_TAGS].vtab) == 0 ? ROWS_TAGS : ROWS_SENTENCES;
	char *decl = xasprintf("CREATE TABLE x(%s)", row_tables[kind].columns);
	int rc = sqlite3_declare_vtab(db, decl);
	free(decl);
	if (rc != SQLITE_OK) return rc;
#ifdef SQLITE_VTAB_DIRECTONLY
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY); /* not from triggers or views */
#endif
	rows_vtab *v = sqlite3_malloc(sizeof *v);
	if (!v) return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	v->s = aux;
	v->kind = kind;
	*out = &v->base;
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void)vt;
	info->estimatedCost = 100;
	info->estimatedRows = 100;
	return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	(void)vt;
	rows_cursor *c = sqlite3_malloc(sizeof *c);
	if (!c) return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static void rows_load(rows_cursor *c)
{
	const store *s = c->s;
	if (((rows_vtab *)c->base.pVtab)->kind == ROWS_SENTENCES) {
		while (c->k < s->docs.n && c->i >= s->docs.v[c->k].a->sents.n) {
			c->k++;
			c->i = 0;
		}
		c->eof = c->k >= s->docs.n;
		if (c->eof) return;
		c->cx = &s->docs.v[c->k];
		c->sent = &c->cx->a->sents.v[c->i];
		return;
	}
	c->eof = c->i >= s->tagrows.n;
	if (c->eof) return;
	c->tr = &s->tagrows.v[c->i];
	c->cx = &s->docs.v[c->tr->doc];
	const tag *t = &c->cx->a->tags.v[c->tr->tag];
	c->tag = t;
	c->rule = ruleset_rule(c->cx->rs, t->rule);
	c->cue = t->cue.start < t->cue.end ? t->cue : (span){t->start, t->end};
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idxnum, const char *idxstr, int argc,
		       sqlite3_value **argv)
{
	(void)idxnum;
	(void)idxstr;
	(void)argc;
	(void)argv;
	rows_cursor *c = (rows_cursor *)cur;
	c->s = ((rows_vtab *)cur->pVtab)->s;
	c->k = c->i = c->row = 0;
	c->eof = !c->s->showing;
	if (!c->eof) rows_load(c);
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
	rows_cursor *c = (rows_cursor *)cur;
	c->i++;
	c->row++;
	rows_load(c);
	return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
	return ((const rows_cursor *)cur)->eof;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((const rows_cursor *)cur)->row + 1;
	return SQLITE_OK;
}

static void result_cstr(sqlite3_context *ctx, const char *v)
{
	sqlite3_result_text(ctx, v, (int)strlen(v), SQLITE_STATIC);
}

/* text[sp), or NULL (nothing) if the span is empty or out of range */
static void result_span(sqlite3_context *ctx, const strbuf *text, span sp)
{
	if (sp.start < sp.end && sp.end <= text->len)
		sqlite3_result_text(ctx, text->data + sp.start, (int)(sp.end - sp.start), SQLITE_STATIC);
}

static int sentence_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const rows_cursor *c = (const rows_cursor *)cur;
	const sentence_rec *r = c->sent;
	switch (col) {
	case 0: sqlite3_result_int64(ctx, c->cx->doc); break;
	case 1: sqlite3_result_int64(ctx, (sqlite3_int64)c->i + 1); break;
	case 2: sqlite3_result_int64(ctx, r->start); break;
	case 3: sqlite3_result_int64(ctx, r->end); break;
	case 4: result_cstr(ctx, block_kind_name(r->kind)); break;
	case 5: sqlite3_result_int64(ctx, r->ntokens); break;
	case 6: sqlite3_result_double(ctx, r->sc.hedge); break;
	case 7: sqlite3_result_double(ctx, r->sc.speculation); break;
	case 8: sqlite3_result_double(ctx, r->sc.weasel); break;
	case 9: sqlite3_result_double(ctx, r->sc.uncertainty); break;
	case 10: sqlite3_result_double(ctx, r->sc.factual); break;
	case 11: sqlite3_result_double(ctx, r->sc.checkworthy); break;
	case 12: sqlite3_result_int(ctx, r->sc.sourced != 0); break;
	case 13: sqlite3_result_int(ctx, r->sc.flagged != 0); break;
	}
	return SQLITE_OK;
}

/* A tag's row; source, role, anonymous and the source span only for
 * source tags. */
static int tag_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const rows_cursor *c = (const rows_cursor *)cur;
	const tag *t = c->tag;
	const strbuf *text = &c->cx->a->nt.text;
	switch (col) {
	case 0: sqlite3_result_int64(ctx, c->cx->doc); break;
	case 1: sqlite3_result_int64(ctx, c->tr->sent); break;
	case 2: sqlite3_result_int64(ctx, c->tr->idx); break;
	case 3: result_cstr(ctx, c->rule->id); break;
	case 4: result_cstr(ctx, category_name((category)t->category)); break;
	case 5: sqlite3_result_double(ctx, c->rule->weight); break;
	case 6: sqlite3_result_int64(ctx, t->start); break;
	case 7: sqlite3_result_int64(ctx, t->end); break;
	case 8: sqlite3_result_int64(ctx, c->cue.start); break;
	case 9: sqlite3_result_int64(ctx, c->cue.end); break;
	case 10: result_span(ctx, text, c->cue); break;
	default:
		if (t->category != CAT_SOURCE) break;
		switch (col) {
		case 11: result_span(ctx, text, t->source); break;
		case 12: result_span(ctx, text, t->role); break;
		case 13: sqlite3_result_int(ctx, t->anonymous != 0); break;
		case 14:
			if (t->source.start < t->source.end) sqlite3_result_int64(ctx, t->source.start);
			break;
		case 15:
			if (t->source.start < t->source.end) sqlite3_result_int64(ctx, t->source.end);
			break;
		}
	}
	return SQLITE_OK;
}

/* No xCreate: eponymous only. */
#define ROWS_MODULE(column) {                                              \
		.iVersion = 1, .xConnect = rows_connect, .xBestIndex = rows_best_index, \
		.xDisconnect = rows_disconnect, .xOpen = rows_open, .xClose = rows_close, \
		.xFilter = rows_filter, .xNext = rows_next, .xEof = rows_eof,      \
		.xColumn = column, .xRowid = rows_rowid,                           \
	}
static const sqlite3_module rows_modules[2] = {
	[ROWS_SENTENCES] = ROWS_MODULE(sentence_column),
	[ROWS_TAGS] = ROWS_MODULE(tag_column),
};

/* Write mode: the two virtual tables and their INSERT ... SELECT (s->msg
 * set on failure; a schema problem shows here, at open). */
static int rows_setup(store *s)
{
	for (int k = ROWS_SENTENCES; k <= ROWS_TAGS; k++) {
		int rc = sqlite3_create_module_v2(s->db, row_tables[k].vtab, &rows_modules[k], s, NULL);
		if (rc == SQLITE_OK) {
			char *sql = xasprintf("INSERT OR ROLLBACK INTO %s (%s) SELECT %s FROM %s",
					      row_tables[k].table, row_tables[k].columns,
					      row_tables[k].columns, row_tables[k].vtab);
			rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
						&s->ins_rows[k], NULL);
			free(sql);
		}
		if (rc != SQLITE_OK) {
			snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
			return rc;
		}
	}
	return SQLITE_OK;
}

/* Insert the sentences and tags of the documents in s->docs, one
 * statement per table for all of them, and forget them. */
static int insert_pending(store *s)
{
	int rc = SQLITE_OK;
	s->showing = 1;
	if (s->nsents) rc = step_keep(s, s->ins_rows[ROWS_SENTENCES]);
	if (rc == SQLITE_OK && s->tagrows.n) rc = step_keep(s, s->ins_rows[ROWS_TAGS]);
	s->showing = 0; /* no pointer into the analyses is followed after this */
	s->docs.n = s->tagrows.n = s->nsents = 0;
	return rc;
}

/* The rowid of the document with this key, or 0. */
static int find_document(store *s, const char *key, int64_t *id)
{
	sqlite3_stmt *st = s->st[ST_DOC_ID];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		snprintf(s->msg, sizeof s->msg, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Delete the rows of the document with the key, if it has any. Foreign
 * keys are not enforced on this connection (enforcing them costs a third
 * of the write time), so the children are deleted here rather than by ON
 * DELETE CASCADE. A document of this call whose sentences and tags are
 * still pending (the key came twice) gets them first, so none is left
 * behind. */
static int delete_document(store *s, const char *key)
{
	int64_t old;
	int rc = find_document(s, key, &old);
	if (rc != SQLITE_OK || old <= 0) return rc;
	for (size_t k = 0; k < s->docs.n; k++) {
		if (s->docs.v[k].doc == old) {
			rc = insert_pending(s);
			if (rc != SQLITE_OK) return rc;
			break;
		}
	}
	for (int i = ST_DEL_TAGS; i <= ST_DEL_DOC; i++) {
		sqlite3_bind_int64(s->st[i], 1, old);
		rc = step(s, s->st[i]);
		if (rc != SQLITE_OK) return rc;
	}
	return SQLITE_OK;
}

/* The file of a document being written: its fast-path record no longer
 * holds for all its documents. Once per path and transaction (the records
 * of a JSONL file), and not at all while `fresh` says no row can exist. */
static int drop_file(store *s, const char *path)
{
	if (s->have_dropped && strcmp(s->dropped.data, path) == 0) return SQLITE_OK;
	if (!s->fresh || file_maybe_recorded(s, path)) {
		sqlite3_bind_text(s->st[ST_FILE_DROP], 1, path, -1, SQLITE_STATIC);
		int rc = step(s, s->st[ST_FILE_DROP]);
		if (rc != SQLITE_OK) return rc;
	}
	strbuf_reset(&s->dropped);
	strbuf_puts(&s->dropped, path);
	s->have_dropped = 1;
	return SQLITE_OK;
}

/* The document row of a, with its sentences and tags queued in s->docs
 * for insert_pending; returns an SQLite code (s->msg set). */
static int write_document(store *s, int64_t run, const analysis *a, const ruleset *rs)
{
	rowctx cx = {0, a, rs};
	int rc;
	/* The old rows of this key go first; while `fresh`, there are none
	 * unless the key comes twice in this run (a JSONL id repeated, a path
	 * given twice): then the new-key insert changes nothing. */
	if (s->fresh) {
		rc = insert_document(s, s->st[ST_INS_DOC_NEW], run, a, rs, &cx.doc);
		if (rc != SQLITE_OK) return rc;
	}
	if (!cx.doc) {
		rc = delete_document(s, a->doc.key);
		if (rc != SQLITE_OK) return rc;
	}
	if (a->doc.path) {
		rc = drop_file(s, a->doc.path);
		if (rc != SQLITE_OK) return rc;
	}
	if (!cx.doc) {
		rc = insert_document(s, s->st[ST_INS_DOC], run, a, rs, &cx.doc);
		if (rc != SQLITE_OK) return rc;
	}
	if (a->failed) return SQLITE_OK;

	uint32_t n = 0;
	for (size_t i = 0; i < a->sents.n; i++) {
		const sentence_rec *r = &a->sents.v[i];
		size_t end = (size_t)r->tag_first + r->tag_count;
		if (end > a->tags.n)
			die("store: sentence %zu of '%s' has tags past the end", i + 1, a->doc.key);
		for (size_t j = r->tag_first; j < end; j++) {
			const tag *t = &a->tags.v[j];
			if (t->suppressed) continue;
			if (!rs || t->rule >= ruleset_size(rs))
				die("store: a tag of '%s' names rule %u, outside the ruleset",
				    a->doc.key, t->rule);
			tagrow tr = {(uint32_t)s->docs.n, (uint32_t)j, (uint32_t)(i + 1), ++n};
			VEC_PUSH(&s->tagrows, tr);
		}
	}
	VEC_PUSH(&s->docs, cx);
	s->nsents += a->sents.n;
	return SQLITE_OK;
}

int store_write(store *s, int64_t run, const analysis *a, const ruleset *rs, cc_error *err)
{
	return store_write_many(s, run, &a, 1, rs, err);
}

int store_write_many(store *s, int64_t run, const analysis *const *a, size_t n, const ruleset *rs,
		     cc_error *err)
{
	cc_error_clear(err);
	if (s->mode != STORE_WRITE) {
		cc_error_set(err, -1, "%s: opened read-only, cannot write", s->path);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		if (!a[k]->doc.key) {
			cc_error_set(err, -1, "%s: cannot store a document without a key", s->path);
			return -1;
		}
	}
	if (n == 0) return 0;
	if (begin_batch(s, err) < 0) return -1;
	int rc = SQLITE_OK, rows_failed = 0;
	size_t k;
	for (k = 0; k < n && rc == SQLITE_OK; k++) rc = write_document(s, run, a[k], rs);
	if (rc != SQLITE_OK) {
		k--; /* the one that failed */
	} else {
		rc = insert_pending(s);
		rows_failed = 1;
		k = 0; /* the statements held the rows of all n */
	}
	if (rc != SQLITE_OK) {
		unsigned lost = s->pending + (unsigned)k;
		s->docs.n = s->tagrows.n = s->nsents = 0;
		if (rows_failed && n > 1)
			cc_error_set(err, -1, "%s: cannot write '%s' and the %zu document%s after it: "
				     "%s%s; rolled back %u earlier document%s of this batch", s->path,
				     a[0]->doc.key, n - 1, n == 2 ? "" : "s", s->msg, rc_hint(rc), lost,
				     lost == 1 ? "" : "s");
		else
			cc_error_set(err, -1, "%s: cannot write '%s': %s%s; rolled back %u earlier "
				     "document%s of this batch", s->path, a[k]->doc.key, s->msg,
				     rc_hint(rc), lost, lost == 1 ? "" : "s");
		rollback_batch(s);
		return -1;
	}
	s->pending += (unsigned)n;
	if (s->pending >= s->batch) return commit_batch(s, err);
	return 0;
}

int store_touch(store *s, int64_t run, const char *key, cc_error *err)
{
	cc_error_clear(err);
	if (s->mode != STORE_WRITE) {
		cc_error_set(err, -1, "%s: opened read-only, cannot write", s->path);
		return -1;
	}
	if (begin_batch(s, err) < 0) return -1;
	sqlite3_stmt *st = s->st[ST_TOUCH];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	bind_id(st, 2, run);
	int rc = step(s, st);
	if (rc != SQLITE_OK) {
		unsigned lost = s->pending;
		cc_error_set(err, -1, "%s: cannot mark '%s' as seen: %s%s; rolled back %u "
			     "document%s of this batch", s->path, key, s->msg, rc_hint(rc),
			     lost, lost == 1 ? "" : "s");
		rollback_batch(s);
		return -1;
	}
	if (++s->pending >= s->batch) return commit_batch(s, err);
	return 0;
}

/* ---- files ------------------------------------------------------------- */

int store_file_is_current(store *s, const char *path, const file_stamp *fs, doc_format fmt,
			  const char *ruleset_hash, uint64_t *ndocs)
{
	sqlite3_stmt *st = s->st[ST_FILE_CURRENT];
	if (!st || !path || !ruleset_hash || fmt == FMT_AUTO) return 0;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, fs->size);
	sqlite3_bind_int64(st, 3, fs->mtime_ns);
	sqlite3_bind_int64(st, 4, fs->ctime_ns);
	sqlite3_bind_int64(st, 5, fs->inode);
	sqlite3_bind_text(st, 6, format_name(fmt), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ruleset_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) *ndocs = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st); /* at once: do not hold a read snapshot */
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW;
}

/* Run one write statement on a file row inside the batch transaction. */
static int file_step(store *s, sqlite3_stmt *st, const char *path, const char *what, cc_error *err)
{
	int rc = step(s, st);
	if (rc != SQLITE_OK) {
		unsigned lost = s->pending;
		cc_error_set(err, -1, "%s: cannot %s '%s': %s%s; rolled back %u document%s of this "
			     "batch", s->path, what, path, s->msg, rc_hint(rc), lost, lost == 1 ? "" : "s");
		rollback_batch(s);
		return -1;
	}
	return 0;
}

int store_file_done(store *s, int64_t run, const char *path, const file_stamp *fs, doc_format fmt,
		    const ruleset *rs, uint64_t ndocs, cc_error *err)
{
	cc_error_clear(err);
	if (s->mode != STORE_WRITE) {
		cc_error_set(err, -1, "%s: opened read-only, cannot write", s->path);
		return -1;
	}
	if (!path || fmt == FMT_AUTO || !rs) return 0;
	if (begin_batch(s, err) < 0) return -1;
	sqlite3_stmt *st = s->st[ST_FILE_DONE];
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, fs->size);
	sqlite3_bind_int64(st, 3, fs->mtime_ns);
	sqlite3_bind_int64(st, 4, fs->ctime_ns);
	sqlite3_bind_int64(st, 5, fs->inode);
	sqlite3_bind_text(st, 6, format_name(fmt), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ruleset_hash(rs), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)ndocs);
	bind_id(st, 9, run);
	if (s->filebits) {
		uint32_t b[2];
		file_bits(path, b);
		s->filebits[b[0] >> 3] |= (uint8_t)(1u << (b[0] & 7));
		s->filebits[b[1] >> 3] |= (uint8_t)(1u << (b[1] & 7));
	}
	if (s->have_dropped && strcmp(s->dropped.data, path) == 0) s->have_dropped = 0;
	return file_step(s, st, path, "record the file", err);
}

int store_file_touch(store *s, int64_t run, const char *path, cc_error *err)
{
	cc_error_clear(err);
	if (s->mode != STORE_WRITE) {
		cc_error_set(err, -1, "%s: opened read-only, cannot write", s->path);
		return -1;
	}
	if (begin_batch(s, err) < 0) return -1;
	sqlite3_stmt *st = s->st[ST_FILE_TOUCH];
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	bind_id(st, 2, run);
	return file_step(s, st, path, "mark as seen", err);
}
