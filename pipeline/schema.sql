-- schema.sql — the claimcheck database: tables and indexes, as numbered
-- migrations. Embedded in the binary (sql_schema[]) and applied by
-- store_open for writing, inside one transaction: every "-- migration N"
-- section above the database's meta.schema_version runs in order, then
-- schema_version becomes STORE_SCHEMA_VERSION (store.h). A database newer
-- than the binary is refused. Migrations are append-only: never edit a
-- released one, add the next number. Report views live in reports/views.sql.
--
-- Offsets (start, end) are byte offsets into documents.text, the
-- normalized NFC UTF-8 text, end exclusive. SQLite's substr() counts
-- characters on TEXT, so slice the text as a BLOB:
--   CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT)
-- Scores are REAL in 0..1; booleans are INTEGER 0/1; times are UTC
-- ISO-8601 ("2026-01-31T12:00:00Z").
--
-- meta       key/value: schema_version, views_sha256 (of the views
--            installed), created (time), created_by (tool and version).
-- runs       one row per `claimcheck run`: started, finished (NULL while
--            running or if it crashed), tool_version, ruleset_hash, args
--            (the command line), totals: documents (analysed), skipped
--            (already current), failed, sentences, flagged, tags, bytes,
--            and tags per category (hedge_tags, speculation_tags,
--            weasel_tags, source_tags).
-- documents  one row per document key (a file path, or "path#id" for a
--            JSONL record): path, ext_id (JSONL id), line (JSONL line),
--            title, url, published, format (txt, md, html), raw_hash
--            (SHA-256 of the input bytes), text_hash (SHA-256 of text),
--            bytes (input size), text (normalized), ruleset_hash (rules
--            it was analysed with), run_id (run that analysed it),
--            seen_run (last run that saw it, analysed or skipped),
--            counts n_sentences, n_flagged, n_hedged, n_speculative,
--            n_weasel, n_sourced, n_tags, scores hedge_density,
--            speculation_density, weasel_density, sourced_share,
--            checkworthy_max, checkworthy_mean; a failed document has
--            error (message), error_offset (byte in the input),
--            error_line (JSONL line), no text, scores or sentences;
--            warning holds a non-fatal problem (a rule hit its limit).
--            A document is current (skipped by the next run) when its
--            raw_hash and ruleset_hash match and error is NULL.
--            seen_run is set when a run analyses the document or checks
--            its hash; a run that skips the whole file unread (see files)
--            sets files.seen_run instead, so a document was last seen by
--            max(documents.seen_run, files.seen_run of its path).
-- sentences  doc_id and idx (its 1-based number in the document) are the
--            key; start, end, kind (para, title, heading, item), ntokens,
--            scores hedge, speculation, weasel, uncertainty, factual,
--            checkworthy, sourced (0/1), flagged (0/1).
-- tags       one per rule match: doc_id, sentence (sentences.idx) and idx
--            (its 1-based number in the document) are the key; rule (id),
--            category (hedge, speculation, weasel, source), weight (of the
--            rule when it matched), start, end (the match), cue_start,
--            cue_end, cue (its text); source tags also have source (the
--            name, NULL if not captured), role, anonymous (0/1),
--            source_start, source_end. The `sources` view (views.sql) lists
--            the source tags.
-- files      (migration 2) one row per input file whose documents are
--            all stored, current and without error: path (documents.path),
--            size, mtime_ns, ctime_ns, inode (as stat(2) saw the file
--            just before it was read), format (txt, md, html, jsonl),
--            ruleset_hash, documents (how many it holds), run_id (the run
--            that recorded it), seen_run (the last run that saw it). A run
--            skips a file without reading it when all of these match;
--            writing any document of a file deletes its row first. Files
--            modified in the two seconds before they were read are not
--            recorded (their time stamp could hide a later change).
-- verdicts   reviewers' verdicts, never touched by runs: doc_hash
--            (documents.text_hash), start, end, rule (a tag's span and
--            rule id; rule '' means the whole sentence with that span),
--            verdict (confirmed, false_positive, unsure), note, reviewer,
--            created, updated. Keyed by content, not row ids, so they
--            survive re-runs, rule changes and merges.
--
-- Re-analysing a document deletes its row (its sentences and tags go with
-- it: ON DELETE CASCADE along documents -> sentences -> tags) and inserts
-- the new rows. Sentences and tags are WITHOUT ROWID tables keyed by
-- document, so a document's rows sit together and a run writes them in
-- key order, with no secondary index but the flagged-claims one.

-- migration 1
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT
) WITHOUT ROWID;

CREATE TABLE runs (
	id               INTEGER PRIMARY KEY,
	started          TEXT NOT NULL,
	finished         TEXT,
	tool_version     TEXT,
	ruleset_hash     TEXT,
	args             TEXT,
	documents        INTEGER NOT NULL DEFAULT 0,
	skipped          INTEGER NOT NULL DEFAULT 0,
	failed           INTEGER NOT NULL DEFAULT 0,
	sentences        INTEGER NOT NULL DEFAULT 0,
	flagged          INTEGER NOT NULL DEFAULT 0,
	tags             INTEGER NOT NULL DEFAULT 0,
	bytes            INTEGER NOT NULL DEFAULT 0,
	hedge_tags       INTEGER NOT NULL DEFAULT 0,
	speculation_tags INTEGER NOT NULL DEFAULT 0,
	weasel_tags      INTEGER NOT NULL DEFAULT 0,
	source_tags      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE documents (
	id                  INTEGER PRIMARY KEY,
	key                 TEXT NOT NULL UNIQUE,
	path                TEXT,
	ext_id              TEXT,
	line                INTEGER,
	title               TEXT,
	url                 TEXT,
	published           TEXT,
	format              TEXT,
	raw_hash            TEXT,
	text_hash           TEXT,
	bytes               INTEGER,
	ruleset_hash        TEXT,
	run_id              INTEGER REFERENCES runs(id),
	seen_run            INTEGER REFERENCES runs(id),
	n_sentences         INTEGER,
	n_flagged           INTEGER,
	n_hedged            INTEGER,
	n_speculative       INTEGER,
	n_weasel            INTEGER,
	n_sourced           INTEGER,
	n_tags              INTEGER,
	hedge_density       REAL,
	speculation_density REAL,
	weasel_density      REAL,
	sourced_share       REAL,
	checkworthy_max     REAL,
	checkworthy_mean    REAL,
	error               TEXT,
	error_offset        INTEGER,
	error_line          INTEGER,
	warning             TEXT,
	text                TEXT
);
CREATE INDEX documents_text_hash ON documents(text_hash);

CREATE TABLE sentences (
	doc_id      INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	idx         INTEGER NOT NULL,
	start       INTEGER NOT NULL,
	end         INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	ntokens     INTEGER NOT NULL,
	hedge       REAL NOT NULL,
	speculation REAL NOT NULL,
	weasel      REAL NOT NULL,
	uncertainty REAL NOT NULL,
	factual     REAL NOT NULL,
	checkworthy REAL NOT NULL,
	sourced     INTEGER NOT NULL,
	flagged     INTEGER NOT NULL,
	PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
-- The flagged-claims report reads flagged sentences most check-worthy first.
CREATE INDEX sentences_flagged ON sentences(checkworthy DESC, uncertainty DESC)
	WHERE flagged = 1;

CREATE TABLE tags (
	doc_id       INTEGER NOT NULL,
	sentence     INTEGER NOT NULL,
	idx          INTEGER NOT NULL,
	rule         TEXT NOT NULL,
	category     TEXT NOT NULL,
	weight       REAL,
	start        INTEGER NOT NULL,
	end          INTEGER NOT NULL,
	cue_start    INTEGER NOT NULL,
	cue_end      INTEGER NOT NULL,
	cue          TEXT,
	source       TEXT,
	role         TEXT,
	anonymous    INTEGER,
	source_start INTEGER,
	source_end   INTEGER,
	PRIMARY KEY (doc_id, sentence, idx),
	FOREIGN KEY (doc_id, sentence) REFERENCES sentences(doc_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE verdicts (
	doc_hash TEXT NOT NULL,
	start    INTEGER NOT NULL,
	end      INTEGER NOT NULL,
	rule     TEXT NOT NULL DEFAULT '',
	verdict  TEXT NOT NULL CHECK (verdict IN ('confirmed', 'false_positive', 'unsure')),
	note     TEXT,
	reviewer TEXT,
	created  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	PRIMARY KEY (doc_hash, start, end, rule)
) WITHOUT ROWID;

-- migration 2
CREATE TABLE files (
	path         TEXT PRIMARY KEY,
	size         INTEGER NOT NULL,
	mtime_ns     INTEGER NOT NULL,
	ctime_ns     INTEGER NOT NULL,
	inode        INTEGER NOT NULL,
	format       TEXT NOT NULL,
	ruleset_hash TEXT NOT NULL,
	documents    INTEGER NOT NULL,
	run_id       INTEGER REFERENCES runs(id),
	seen_run     INTEGER REFERENCES runs(id)
) WITHOUT ROWID;

-- migration 3
-- How each run ended: 'running' while it goes (and after it was killed, or
-- stopped by an error it could not record), 'complete', 'interrupted'
-- (SIGINT or SIGTERM: it stopped reading input; what it had handled is
-- committed and a re-run does the rest) or 'failed' (an error stopped it,
-- such as a full disk; what was committed before is kept). Runs recorded
-- before this column existed are 'complete' if they have a finish time.
ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
UPDATE runs SET status = 'complete' WHERE finished IS NOT NULL;
