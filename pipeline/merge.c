/*
 * merge.c — claimcheck databases merged into one (rules in merge.h).
 *
 * Reads: input databases, each checked on a read-only connection of its
 * own (meta.schema_version, the ruleset hashes of its documents), then
 * ATTACHed as "src" to the output's connection. Adds: the output's rows,
 * copied table by table with INSERT ... SELECT (a handful of statements
 * per input, none per row), in one transaction per input. Temporary
 * tables map the input's run ids and document ids to the output's. The
 * columns copied are those the two schemas share, so a future migration
 * that adds a column needs no change here.
 */
#include "config.h"
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

struct merger {
	store *st;
	sqlite3 *db;
	char *path;
	int force;
	int version;      /* the output's schema version */
	char *rules;      /* reference rule set (sorted, comma-separated hashes), NULL: none yet */
	char *rules_from; /* the database it was taken from */
	char msg[512];    /* SQLite's message for the last failure */
};

typedef VEC(char *) namevec;

/* ---- small helpers ------------------------------------------------------- */

static int exec_sql(merger *m, const char *sql)
{
	char *e = NULL;
	int rc = sqlite3_exec(m->db, sql, NULL, NULL, &e);
	if (rc != SQLITE_OK) snprintf(m->msg, sizeof m->msg, "%s", e ? e : sqlite3_errstr(rc));
	sqlite3_free(e);
	return rc;
}

/* The first column of the first row as a new string (NULL for no row or
 * NULL); *rc gets the SQLite result. */
static char *query_text(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *st;
	char *out = NULL;
	*rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK) return NULL;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		out = v ? xstrdup((const char *)v) : NULL;
		*rc = SQLITE_OK;
	} else if (*rc == SQLITE_DONE) {
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return out;
}

/* The rule set of the database schema `db_name` on db: its documents'
 * ruleset hashes, sorted and comma-separated; or its last run's; NULL
 * when it has neither. */
static char *rules_of(sqlite3 *db, const char *db_name, int *rc)
{
	char *sql = sqlite3_mprintf("SELECT group_concat(h, ',') FROM (SELECT DISTINCT ruleset_hash AS h"
				    " FROM \"%w\".documents WHERE ruleset_hash IS NOT NULL ORDER BY h)",
				    db_name);
	char *r = query_text(db, sql, rc);
	sqlite3_free(sql);
	if (r || *rc != SQLITE_OK) return r;
	sql = sqlite3_mprintf("SELECT ruleset_hash FROM \"%w\".runs WHERE ruleset_hash IS NOT NULL"
			      " ORDER BY id DESC LIMIT 1", db_name);
	r = query_text(db, sql, rc);
	sqlite3_free(sql);
	return r;
}

static void free_names(namevec *v)
{
	for (size_t i = 0; i < v->n; i++) free(v->v[i]);
	VEC_FREE(v);
}

/* The columns of `table` that both main and src have, in main's order. */
static int common_columns(merger *m, const char *table, namevec *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(m->db, "SELECT name FROM pragma_table_info(?1, 'main') WHERE name IN"
				    " (SELECT name FROM pragma_table_info(?1, 'src')) ORDER BY cid",
				    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(m->msg, sizeof m->msg, "%s", sqlite3_errmsg(m->db));
		return rc;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		VEC_PUSH(out, xstrdup((const char *)sqlite3_column_text(st, 0)));
	if (rc != SQLITE_DONE) snprintf(m->msg, sizeof m->msg, "%s", sqlite3_errmsg(m->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int has(const namevec *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], name)) return 1;
	return 0;
}

/* Run an INSERT/UPDATE/DELETE; *changes (if given) gets its row count. */
static int run_sql(merger *m, const char *sql, uint64_t *changes)
{
	int rc = exec_sql(m, sql);
	if (rc == SQLITE_OK && changes) *changes = (uint64_t)sqlite3_changes64(m->db);
	return rc;
}

/* ---- open / check -------------------------------------------------------- */

merger *merge_open(const char *out_path, int force, cc_error *err)
{
	cc_error_clear(err);
	store *s = store_open(out_path, STORE_WRITE, err);
	if (!s) return NULL;
	merger *m = xcalloc(1, sizeof *m);
	m->st = s;
	m->db = store_db(s);
	m->path = xstrdup(out_path);
	m->force = force;
	int rc;
	char *v = query_text(m->db, "SELECT value FROM main.meta WHERE key = 'schema_version'", &rc);
	m->version = v ? atoi(v) : STORE_SCHEMA_VERSION;
	free(v);
	/* spill the id maps of a large merge to a file, not to memory */
	if (rc == SQLITE_OK) rc = exec_sql(m, "PRAGMA temp_store = FILE");
	if (rc == SQLITE_OK) m->rules = rules_of(m->db, "main", &rc);
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot read the database: %s", out_path,
			     rc == SQLITE_OK ? "" : m->msg[0] ? m->msg : sqlite3_errmsg(m->db));
		merge_close(m);
		return NULL;
	}
	if (m->rules) m->rules_from = xstrdup(out_path);
	return m;
}

void merge_close(merger *m)
{
	if (!m) return;
	store_close(m->st);
	free(m->path);
	free(m->rules);
	free(m->rules_from);
	free(m);
}

enum merge_check_result merge_check(merger *m, const char *in_path, cc_error *err)
{
	cc_error_clear(err);
	sqlite3 *db = NULL;
	enum merge_check_result res = MERGE_UNREADABLE;
	int rc = sqlite3_open_v2(in_path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot open: %s", in_path,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	char *v = query_text(db, "SELECT value FROM meta WHERE key = 'schema_version'", &rc);
	if (rc != SQLITE_OK || !v || atoi(v) < 1) {
		cc_error_set(err, -1, "%s: not a claimcheck database (%s)", in_path,
			     rc != SQLITE_OK ? sqlite3_errmsg(db) : "no schema_version in its meta table");
		free(v);
		goto out;
	}
	int version = atoi(v);
	free(v);
	char *rules = rules_of(db, "main", &rc);
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot read its documents: %s", in_path, sqlite3_errmsg(db));
		free(rules);
		goto out;
	}

	res = MERGE_OK;
	if (version != m->version) {
		cc_error_set(err, -1, "%s has schema version %d but %s has %d; %s", in_path, version,
			     m->path, m->version,
			     m->force ? "merging the columns they share (--force)"
				      : "use --force to merge the columns they share");
		res = MERGE_REFUSED;
	} else if (rules && !m->rules) {
		m->rules = rules;
		m->rules_from = xstrdup(in_path);
		rules = NULL;
	} else if (rules && strcmp(rules, m->rules) != 0) {
		cc_error_set(err, -1, "%s was analysed with rule set %s but %s with rule set %s; "
			     "%s", in_path, rules, m->rules_from, m->rules,
			     m->force ? "merging anyway (--force)"
				      : "merging them would mix results of different rules "
					"(use --force to merge anyway)");
		res = MERGE_REFUSED;
	}
	free(rules);
	if (res == MERGE_REFUSED && m->force) res = MERGE_OK; /* err holds the warning */
out:
	sqlite3_close(db);
	return res;
}

/* ---- merging ------------------------------------------------------------- */

/* "a.c, b.c, ..." of cols (alias may be NULL), with run ids of the
 * columns in `runcols` mapped through merge_runmap and `doc_id` replaced
 * by docexpr. */
static void col_list(strbuf *b, const namevec *cols, const char *alias, const char *docexpr)
{
	for (size_t i = 0; i < cols->n; i++) {
		const char *c = cols->v[i];
		if (i) strbuf_puts(b, ", ");
		if (!alias) {
			strbuf_printf(b, "\"%s\"", c);
		} else if (docexpr && !strcmp(c, "doc_id")) {
			strbuf_puts(b, docexpr);
		} else if (!strcmp(c, "run_id") || !strcmp(c, "seen_run")) {
			strbuf_printf(b, "(SELECT dst FROM temp.merge_runmap WHERE src = %s.\"%s\")", alias, c);
		} else {
			strbuf_printf(b, "%s.\"%s\"", alias, c);
		}
	}
}

static void drop_name(namevec *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], name)) {
			free(v->v[i]);
			memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof *v->v);
			v->n--;
			return;
		}
}

static int merge_runs(merger *m, merge_stats *st)
{
	namevec cols = {0};
	strbuf sql = {0}, eq = {0};
	int rc = common_columns(m, "runs", &cols);
	if (rc != SQLITE_OK) goto out;
	drop_name(&cols, "id");
	for (size_t i = 0; i < cols.n; i++)
		strbuf_printf(&eq, "%sm.\"%s\" IS r.\"%s\"", i ? " AND " : "", cols.v[i], cols.v[i]);
	if (!cols.n) strbuf_puts(&eq, "0");

	strbuf_puts(&sql, "INSERT INTO main.runs (");
	col_list(&sql, &cols, NULL, NULL);
	strbuf_puts(&sql, ") SELECT ");
	for (size_t i = 0; i < cols.n; i++) strbuf_printf(&sql, "%sr.\"%s\"", i ? ", " : "", cols.v[i]);
	strbuf_printf(&sql, " FROM src.runs r WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE %s)"
		      " ORDER BY r.id", eq.data);
	uint64_t n = 0;
	rc = run_sql(m, sql.data, &n);
	if (rc != SQLITE_OK) goto out;
	st->runs += n;

	strbuf_reset(&sql);
	strbuf_printf(&sql, "INSERT INTO temp.merge_runmap (src, dst) SELECT r.id,"
		      " (SELECT min(m.id) FROM main.runs m WHERE %s) FROM src.runs r", eq.data);
	rc = run_sql(m, sql.data, NULL);
out:
	free_names(&cols);
	strbuf_free(&sql);
	strbuf_free(&eq);
	return rc;
}

/* Copy the rows of a per-document table (sentences, tags) of the chosen
 * documents. CROSS JOIN keeps SQLite's planner from scanning the input's
 * table and sorting all its rows (a temporary B-tree) for the ORDER BY: it
 * knows nothing of the size of temp.merge_docs, and took the big table as
 * the outer loop. merge_docs scanned by src (its rowid), each document's
 * rows found by the primary key's doc_id: the rows come in the order the
 * output's primary key wants, with no sort. */
static int merge_doc_rows(merger *m, const char *table, uint64_t *count)
{
	namevec cols = {0};
	strbuf sql = {0};
	int rc = common_columns(m, table, &cols);
	if (rc != SQLITE_OK || !cols.n || !has(&cols, "doc_id")) goto out;
	strbuf_printf(&sql, "INSERT INTO main.\"%s\" (", table);
	col_list(&sql, &cols, NULL, NULL);
	strbuf_puts(&sql, ") SELECT ");
	col_list(&sql, &cols, "s", "i.dst");
	strbuf_printf(&sql, " FROM temp.merge_docs i CROSS JOIN src.\"%s\" s ON s.doc_id = i.src"
		      " WHERE i.action > 0 ORDER BY i.src", table);
	rc = run_sql(m, sql.data, count);
out:
	free_names(&cols);
	strbuf_free(&sql);
	return rc;
}

static int merge_documents(merger *m, merge_stats *st)
{
	namevec cols = {0};
	strbuf sql = {0};
	uint64_t n;
	int rc = run_sql(m, "INSERT INTO temp.merge_docs (src, key, action, old)"
			    " SELECT s.id, s.key,"
			    "  CASE WHEN d.id IS NULL THEN 1"
			    "   WHEN coalesce(rs.started, '') > coalesce(rd.started, '') THEN 2"
			    "   ELSE 0 END, d.id"
			    " FROM src.documents s"
			    " LEFT JOIN src.runs rs ON rs.id = s.run_id"
			    " LEFT JOIN main.documents d ON d.key = s.key"
			    " LEFT JOIN main.runs rd ON rd.id = d.run_id"
			    " ORDER BY s.id", &n);
	if (rc != SQLITE_OK) goto out;
	static const char *const del[] = {
		"DELETE FROM main.tags WHERE doc_id IN (SELECT old FROM temp.merge_docs WHERE action = 2)",
		"DELETE FROM main.sentences WHERE doc_id IN (SELECT old FROM temp.merge_docs WHERE action = 2)",
		"DELETE FROM main.documents WHERE id IN (SELECT old FROM temp.merge_docs WHERE action = 2)",
	};
	uint64_t replaced = 0;
	for (size_t k = 0; k < sizeof del / sizeof del[0]; k++) {
		rc = run_sql(m, del[k], k == 2 ? &replaced : NULL);
		if (rc != SQLITE_OK) goto out;
	}
	st->docs_replaced += replaced;

	rc = common_columns(m, "documents", &cols);
	if (rc != SQLITE_OK) goto out;
	drop_name(&cols, "id");
	strbuf_puts(&sql, "INSERT INTO main.documents (");
	col_list(&sql, &cols, NULL, NULL);
	strbuf_puts(&sql, ") SELECT ");
	col_list(&sql, &cols, "s", NULL);
	strbuf_puts(&sql, " FROM temp.merge_docs i JOIN src.documents s ON s.id = i.src"
			  " WHERE i.action > 0 ORDER BY i.src");
	rc = run_sql(m, sql.data, &n);
	if (rc != SQLITE_OK) goto out;
	st->docs_added += n - replaced;
	rc = run_sql(m, "UPDATE temp.merge_docs SET dst = (SELECT d.id FROM main.documents d"
			" WHERE d.key = merge_docs.key) WHERE action > 0", NULL);
	if (rc != SQLITE_OK) goto out;
	char *kept = query_text(m->db, "SELECT count(*) FROM temp.merge_docs WHERE action = 0", &rc);
	if (kept) st->docs_kept += strtoull(kept, NULL, 10);
	free(kept);
	if (rc != SQLITE_OK) {
		snprintf(m->msg, sizeof m->msg, "%s", sqlite3_errmsg(m->db));
		goto out;
	}

	rc = merge_doc_rows(m, "sentences", &n);
	if (rc != SQLITE_OK) goto out;
	st->sentences += n;
	rc = merge_doc_rows(m, "tags", &n);
	if (rc != SQLITE_OK) goto out;
	st->tags += n;
out:
	free_names(&cols);
	strbuf_free(&sql);
	return rc;
}

/* Documents of path P have the key P, or P#id for JSONL records: the key
 * range ("P#", "P$") holds the latter. */
#define KEYS_OF(tbl, p)                                                                    \
	"((SELECT count(*) FROM " tbl " WHERE key = " p ") + (SELECT count(*) FROM " tbl  \
	" WHERE key > " p " || '#' AND key < " p " || '$'))"

static int merge_files(merger *m, merge_stats *st)
{
	namevec cols = {0};
	strbuf sql = {0};
	int rc = common_columns(m, "files", &cols);
	if (rc != SQLITE_OK || !cols.n || !has(&cols, "path") || !has(&cols, "documents")) goto out;
	/* as store_write does: writing a document forgets its file's record */
	rc = run_sql(m, "DELETE FROM main.files WHERE path IN (SELECT s.path FROM temp.merge_docs i"
			" JOIN src.documents s ON s.id = i.src WHERE i.action > 0 AND s.path IS NOT NULL)",
		     NULL);
	if (rc != SQLITE_OK) goto out;
	strbuf_puts(&sql, "INSERT OR REPLACE INTO main.files (");
	col_list(&sql, &cols, NULL, NULL);
	strbuf_puts(&sql, ") SELECT ");
	col_list(&sql, &cols, "f", NULL);
	strbuf_puts(&sql, " FROM src.files f WHERE f.documents = "
		    KEYS_OF("(SELECT key FROM temp.merge_docs WHERE action > 0)", "f.path")
		    " AND f.documents = " KEYS_OF("main.documents", "f.path"));
	uint64_t n = 0;
	rc = run_sql(m, sql.data, &n);
	st->files += n;
out:
	free_names(&cols);
	strbuf_free(&sql);
	return rc;
}

static int merge_verdicts(merger *m, merge_stats *st)
{
	namevec cols = {0};
	strbuf sql = {0};
	int rc = common_columns(m, "verdicts", &cols);
	static const char *const keycols[] = {"doc_hash", "start", "end", "rule"};
	if (rc != SQLITE_OK || !has(&cols, "updated")) goto out;
	for (size_t k = 0; k < 4; k++)
		if (!has(&cols, keycols[k])) goto out;
	strbuf_puts(&sql, "INSERT INTO main.verdicts (");
	col_list(&sql, &cols, NULL, NULL);
	strbuf_puts(&sql, ") SELECT ");
	col_list(&sql, &cols, "v", NULL);
	strbuf_puts(&sql, " FROM src.verdicts v WHERE 1 ON CONFLICT (doc_hash, start, end, rule)"
			  " DO UPDATE SET ");
	int first = 1;
	for (size_t i = 0; i < cols.n; i++) {
		const char *c = cols.v[i];
		if (!strcmp(c, "doc_hash") || !strcmp(c, "start") || !strcmp(c, "end") || !strcmp(c, "rule"))
			continue;
		strbuf_printf(&sql, "%s\"%s\" = excluded.\"%s\"", first ? "" : ", ", c, c);
		first = 0;
	}
	strbuf_puts(&sql, " WHERE excluded.updated > verdicts.updated");
	uint64_t n = 0;
	rc = run_sql(m, sql.data, &n);
	st->verdicts += n;
out:
	free_names(&cols);
	strbuf_free(&sql);
	return rc;
}

static int table_exists(merger *m, const char *db_name, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".sqlite_master WHERE type = 'table'"
				    " AND name = %Q", db_name, table);
	int rc;
	char *v = query_text(m->db, sql, &rc);
	sqlite3_free(sql);
	int yes = v && atoi(v) > 0;
	free(v);
	return yes;
}

int merge_input(merger *m, const char *in_path, merge_stats *st, cc_error *err)
{
	cc_error_clear(err);
	m->msg[0] = '\0';
	sqlite3_stmt *at;
	int rc = sqlite3_prepare_v2(m->db, "ATTACH DATABASE ?1 AS src", -1, &at, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(at, 1, in_path, -1, SQLITE_STATIC);
		rc = sqlite3_step(at);
		if (rc == SQLITE_DONE) rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		cc_error_set(err, -1, "%s: cannot attach it to %s: %s", in_path, m->path,
			     sqlite3_errmsg(m->db));
		sqlite3_finalize(at);
		return -1;
	}
	sqlite3_finalize(at);

	merge_stats add = {0};
	const char *what = "start a transaction";
	rc = exec_sql(m, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK) goto fail;
	what = "prepare the id maps";
	rc = exec_sql(m, "CREATE TEMP TABLE IF NOT EXISTS merge_runmap (src INTEGER PRIMARY KEY, dst INTEGER);"
			 " CREATE TEMP TABLE IF NOT EXISTS merge_docs (src INTEGER PRIMARY KEY,"
			 "  key TEXT NOT NULL, action INTEGER NOT NULL, old INTEGER, dst INTEGER);"
			 " CREATE INDEX IF NOT EXISTS temp.merge_docs_key ON merge_docs(key);"
			 " DELETE FROM temp.merge_runmap; DELETE FROM temp.merge_docs;");
	if (rc != SQLITE_OK) goto fail;
	if (table_exists(m, "src", "runs")) {
		what = "copy the runs";
		rc = merge_runs(m, &add);
		if (rc != SQLITE_OK) goto fail;
	}
	if (table_exists(m, "src", "documents")) {
		what = "copy the documents";
		rc = merge_documents(m, &add);
		if (rc != SQLITE_OK) goto fail;
	}
	if (table_exists(m, "src", "files")) {
		what = "copy the file records";
		rc = merge_files(m, &add);
		if (rc != SQLITE_OK) goto fail;
	}
	if (table_exists(m, "src", "verdicts")) {
		what = "copy the verdicts";
		rc = merge_verdicts(m, &add);
		if (rc != SQLITE_OK) goto fail;
	}
	what = "commit";
	rc = exec_sql(m, "DELETE FROM temp.merge_runmap; DELETE FROM temp.merge_docs; COMMIT");
	if (rc != SQLITE_OK) goto fail;
	exec_sql(m, "DETACH DATABASE src");
	st->runs += add.runs;
	st->docs_added += add.docs_added;
	st->docs_replaced += add.docs_replaced;
	st->docs_kept += add.docs_kept;
	st->sentences += add.sentences;
	st->tags += add.tags;
	st->files += add.files;
	st->verdicts += add.verdicts;
	return 0;

fail:
	cc_error_set(err, -1, "%s: cannot %s from %s: %s; nothing of it was merged", m->path, what,
		     in_path, m->msg[0] ? m->msg : sqlite3_errmsg(m->db));
	if (!sqlite3_get_autocommit(m->db)) sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(m->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return -1;
}
