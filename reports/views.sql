-- views.sql — ready-made queries over the claimcheck database (tables in
-- pipeline/schema.sql). Embedded in the binary (sql_views[]) and
-- reinstalled by every read-write open whose installed views differ
-- (meta.views_sha256), so upgrades refresh them; a read-only open of a
-- database with other views creates them as TEMP views instead. Each
-- statement is either DROP VIEW IF EXISTS or CREATE VIEW.
--
-- sources         one row per source tag: doc_id, sentence, tag (tags.idx),
--                 rule, name, role, cue, anonymous, start, end (of the
--                 name).
-- flagged_claims  one row per flagged sentence: the document (doc_id,
--                 doc_key, path, ext_id, title, text_hash), the sentence
--                 (sentence = its 1-based number, start, end, kind, text),
--                 its scores, and comma-separated categories, rules, cues
--                 and sources ("name (role)"; anonymous sources are marked
--                 "[anonymous]").
-- doc_summary     one row per document: counts, densities, the share of
--                 its flagged claims that cite a source, errors.
-- rule_stats      one row per rule that matched: hits, documents,
--                 sentences, flagged sentences, and the verdicts recorded
--                 on its tags.
-- verdict_tags    every verdict with the document(s) whose text it was
--                 given on, the sentence holding the span and, when the
--                 tag still exists there, its number (tag) and category;
--                 `current` is 0 for verdicts whose tag (or, for rule '',
--                 sentence) has gone, e.g. after the rules changed.

DROP VIEW IF EXISTS sources;
CREATE VIEW sources AS
SELECT
	t.doc_id AS doc_id,
	t.sentence AS sentence,
	t.idx AS tag,
	t.rule AS rule,
	t.source AS name,
	t.role AS role,
	t.cue AS cue,
	t.anonymous AS anonymous,
	t.source_start AS start,
	t.source_end AS end
FROM tags t
WHERE t.category = 'source';

DROP VIEW IF EXISTS flagged_claims;
CREATE VIEW flagged_claims AS
SELECT
	d.id AS doc_id,
	d.key AS doc_key,
	d.path AS path,
	d.ext_id AS ext_id,
	d.title AS title,
	d.text_hash AS text_hash,
	s.idx AS sentence,
	s.start AS start,
	s.end AS end,
	s.kind AS kind,
	CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT) AS text,
	s.checkworthy AS checkworthy,
	s.uncertainty AS uncertainty,
	s.hedge AS hedge,
	s.speculation AS speculation,
	s.weasel AS weasel,
	s.factual AS factual,
	s.sourced AS sourced,
	(SELECT group_concat(category, ',') FROM
		(SELECT DISTINCT t.category FROM tags t
		 WHERE t.doc_id = s.doc_id AND t.sentence = s.idx
		 ORDER BY t.category)) AS categories,
	(SELECT group_concat(rule, ',') FROM
		(SELECT DISTINCT t.rule FROM tags t
		 WHERE t.doc_id = s.doc_id AND t.sentence = s.idx
		 ORDER BY t.rule)) AS rules,
	(SELECT group_concat(t.cue, ',') FROM tags t
	 WHERE t.doc_id = s.doc_id AND t.sentence = s.idx) AS cues,
	(SELECT group_concat(coalesce(t.source, '?')
			     || coalesce(' (' || t.role || ')', '')
			     || CASE WHEN t.anonymous THEN ' [anonymous]' ELSE '' END, ', ')
	 FROM tags t
	 WHERE t.doc_id = s.doc_id AND t.sentence = s.idx
	       AND t.category = 'source') AS sources
FROM sentences s
JOIN documents d ON d.id = s.doc_id
WHERE s.flagged = 1;

DROP VIEW IF EXISTS doc_summary;
CREATE VIEW doc_summary AS
SELECT
	d.id AS doc_id,
	d.key AS doc_key,
	d.path AS path,
	d.ext_id AS ext_id,
	d.title AS title,
	d.format AS format,
	d.bytes AS bytes,
	d.n_sentences AS sentences,
	d.n_flagged AS flagged,
	d.n_hedged AS hedged,
	d.n_speculative AS speculative,
	d.n_weasel AS weasel,
	d.n_sourced AS sourced,
	d.n_tags AS tags,
	d.hedge_density AS hedge_density,
	d.speculation_density AS speculation_density,
	d.weasel_density AS weasel_density,
	d.sourced_share AS sourced_share,
	(SELECT avg(s.sourced) FROM sentences s
	 WHERE s.doc_id = d.id AND s.flagged = 1) AS sourced_claims_share,
	d.checkworthy_max AS checkworthy_max,
	d.checkworthy_mean AS checkworthy_mean,
	d.error AS error,
	d.error_offset AS error_offset,
	d.error_line AS error_line,
	d.warning AS warning,
	d.run_id AS run_id,
	d.seen_run AS seen_run
FROM documents d;

DROP VIEW IF EXISTS rule_stats;
CREATE VIEW rule_stats AS
WITH per_sentence AS (
	SELECT t.rule AS rule, min(t.category) AS category, t.doc_id AS doc_id,
	       count(*) AS hits, max(s.flagged) AS flagged
	FROM tags t
	JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
	GROUP BY t.rule, t.doc_id, t.sentence
)
SELECT
	p.rule AS rule,
	min(p.category) AS category,
	sum(p.hits) AS hits,
	count(DISTINCT p.doc_id) AS documents,
	count(*) AS sentences,
	sum(p.flagged) AS flagged_sentences,
	(SELECT count(*) FROM verdicts v
	 WHERE v.rule = p.rule AND v.verdict = 'confirmed') AS confirmed,
	(SELECT count(*) FROM verdicts v
	 WHERE v.rule = p.rule AND v.verdict = 'false_positive') AS false_positive,
	(SELECT count(*) FROM verdicts v
	 WHERE v.rule = p.rule AND v.verdict = 'unsure') AS unsure
FROM per_sentence p
GROUP BY p.rule;

DROP VIEW IF EXISTS verdict_tags;
CREATE VIEW verdict_tags AS
SELECT
	v.doc_hash AS doc_hash,
	v.start AS start,
	v.end AS end,
	v.rule AS rule,
	v.verdict AS verdict,
	v.note AS note,
	v.reviewer AS reviewer,
	v.created AS created,
	v.updated AS updated,
	d.id AS doc_id,
	d.key AS doc_key,
	CAST(substr(CAST(d.text AS BLOB), v.start + 1, v.end - v.start) AS TEXT) AS text,
	s.idx AS sentence,
	t.idx AS tag,
	t.category AS category,
	(t.idx IS NOT NULL OR (v.rule = '' AND s.idx IS NOT NULL)) AS current
FROM verdicts v
LEFT JOIN documents d ON d.text_hash = v.doc_hash
LEFT JOIN sentences s ON s.doc_id = d.id
	AND (CASE WHEN v.rule = '' THEN s.start = v.start AND s.end = v.end
		  ELSE s.start <= v.start AND v.end <= s.end END)
LEFT JOIN tags t ON v.rule <> '' AND t.doc_id = s.doc_id AND t.sentence = s.idx
	AND t.start = v.start AND t.end = v.end AND t.rule = v.rule;
