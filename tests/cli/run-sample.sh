#!/bin/sh
# run-sample.sh — `claimcheck run` over the bundled sample corpus: the
# database holds the documents, sentences, tags with their rule ids,
# sources with name and role, and the scores the formula gives.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

DB="$T/sample.db"
"$CLAIMCHECK" run -j2 -o "$DB" "$top_srcdir/corpora/sample" >"$T/out" 2>"$T/err"; expect_status "run" 0 $?
expect_grep "summary names the database" "written to $DB" "$T/out"
expect_grep "summary counts documents" "20 analysed, 0 unchanged, 0 failed" "$T/out"
expect_eq "no messages on stderr" "" "$(cat "$T/err")"

# sq SQL: a query with the document key made relative to the corpus
sq() { q "$DB" "$1"; }
doc() { printf "(SELECT id FROM documents WHERE key LIKE '%%%s')" "$1"; }

expect_eq "documents by format" "html:4,jsonl-record:4,md:4,txt:8" \
	"$(sq "SELECT group_concat(f || ':' || n) FROM (SELECT CASE WHEN ext_id IS NOT NULL THEN 'jsonl-record' ELSE format END AS f, count(*) AS n FROM documents GROUP BY f ORDER BY f)")"
expect_eq "no failed documents" "0" "$(sq "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_eq "every document has sentences" "0" "$(sq "SELECT count(*) FROM documents WHERE n_sentences < 3")"
expect_eq "run row matches the table" "$(sq "SELECT count(*) FROM sentences")" "$(sq "SELECT sentences FROM runs WHERE id = 1")"

# "per analyst NAME": a source row with name and role
expect_eq "per analyst: name, role, named" "Dana Whitfield|analyst|0|source.per" \
	"$(sq "SELECT name, role, anonymous, rule FROM sources WHERE doc_id = $(doc 'briefs.jsonl#brief-102') AND cue = 'per'")"
# "according to NAME" and "data via NAME"
expect_eq "according to Reuters" "Reuters|0" \
	"$(sq "SELECT name, anonymous FROM sources WHERE doc_id = $(doc quillon-aster-launch.html) AND cue = 'according to' AND name = 'Reuters'")"
expect_eq "Data via StatWire" "StatWire|Data via" \
	"$(sq "SELECT name, cue FROM sources WHERE doc_id = $(doc retail-sales-slump.txt) AND name = 'StatWire'")"
# anonymous sources are told apart from named ones
expect_eq "people familiar with the matter: anonymous" "1" \
	"$(sq "SELECT min(anonymous) FROM sources WHERE name = 'people familiar with the matter'")"
expect_eq "a person with knowledge of the talks: anonymous" "1" \
	"$(sq "SELECT min(anonymous) FROM sources WHERE name = 'a person with knowledge of the talks'")"
n=$(sq "SELECT count(*) FROM sources WHERE anonymous = 0 AND name IS NOT NULL")
[ "$n" -ge 20 ] || fail "expected at least 20 named sources, got $n"

# hedged and speculative sentences carry tags with their rule ids
expect_eq "reportedly: hedge.reported" "hedge|reportedly" \
	"$(sq "SELECT category, cue FROM tags WHERE doc_id = $(doc 'briefs.jsonl#brief-102') AND rule = 'hedge.reported'")"
expect_eq "either a bluff or: speculation.either-or" "speculation" \
	"$(sq "SELECT category FROM tags WHERE doc_id = $(doc ostrava-trade-talks.txt) AND rule = 'speculation.either-or'")"
expect_eq "is set to: speculation.set-to" "is set to" \
	"$(sq "SELECT cue FROM tags WHERE doc_id = $(doc quillon-aster-launch.html) AND rule = 'speculation.set-to'")"
"$CLAIMCHECK" rules list >"$T/rules" 2>&1
for r in $(sq "SELECT DISTINCT rule FROM tags"); do
	grep -q "^$r " "$T/rules" || fail "tag with unknown rule id $r"
done
for c in hedge speculation weasel source; do
	n=$(sq "SELECT count(*) FROM tags WHERE category = '$c'")
	[ "$n" -ge 10 ] || fail "expected at least 10 $c tags, got $n"
done
expect_eq "tag spans lie inside their sentence" "0" \
	"$(sq "SELECT count(*) FROM tags t JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence WHERE t.start < s.start OR t.end > s.end OR t.cue_start < t.start OR t.cue_end > t.end")"
expect_eq "cue text is the text at the cue span" "0" \
	"$(sq "SELECT count(*) FROM tags t JOIN documents d ON d.id = t.doc_id WHERE t.cue IS NOT CAST(substr(CAST(d.text AS BLOB), t.cue_start + 1, t.cue_end - t.cue_start) AS TEXT)")"

# scores: the unsourced claim with figures is check-worthy, exactly as the formula says
expect_eq "unsourced figures: scores" "0.8830|0.0|0|1" \
	"$(sq "SELECT printf('%.4f', checkworthy), uncertainty, sourced, flagged FROM sentences WHERE doc_id = $(doc quillon-aster-launch.html) AND idx = 5")"
expect_eq "sourced speculation: scores" "0.3453|0.6|1|1" \
	"$(sq "SELECT printf('%.4f', checkworthy), uncertainty, sourced, flagged FROM sentences WHERE doc_id = $(doc quillon-aster-launch.html) AND idx = 4")"
expect_eq "sentence flags agree with tags" "0" \
	"$(sq "SELECT count(*) FROM sentences s WHERE (s.uncertainty > 0) <> EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = s.doc_id AND t.sentence = s.idx AND t.category IN ('hedge','speculation','weasel'))")"
expect_eq "document densities agree with sentences" "0" \
	"$(sq "SELECT count(*) FROM documents d WHERE abs(d.hedge_density - (SELECT avg(s.hedge > 0) FROM sentences s WHERE s.doc_id = d.id)) > 1e-9")"

# segmentation and normalization on the sample's traps
expect_eq "no sentence ends at a title abbreviation" "0" \
	"$(sq "SELECT count(*) FROM flagged_claims WHERE text GLOB '* Mr.' OR text GLOB '* Ms.' OR text GLOB '* Dr.' OR text GLOB '* Sen.' OR text GLOB '* Gov.'")"
expect_eq "titles are their own sentences" "20" "$(sq "SELECT count(DISTINCT doc_id) FROM sentences WHERE kind = 'title'")"
expect_eq "script text never becomes text" "0" "$(sq "SELECT count(*) FROM documents WHERE text LIKE '%must never become a sentence%'")"
expect_eq "entities decoded" "1" "$(sq "SELECT count(*) FROM documents WHERE key LIKE '%quillon-aster-launch.html' AND text LIKE '%Quillon’s%'")"

# the views answer reviewers' questions
n=$(sq "SELECT count(*) FROM flagged_claims")
expect_eq "flagged_claims = flagged sentences" "$(sq "SELECT count(*) FROM sentences WHERE flagged = 1")" "$n"
expect_eq "rule_stats counts every tag" "$(sq "SELECT count(*) FROM tags")" "$(sq "SELECT sum(hits) FROM rule_stats")"
expect_eq "doc_summary has every document" "20" "$(sq "SELECT count(*) FROM doc_summary")"
expect_eq "database is intact" "ok" "$(sq "PRAGMA integrity_check")"

# -j1 gives the same results as -j2 (ids aside)
"$CLAIMCHECK" run -q -j1 -o "$T/j1.db" "$top_srcdir/corpora/sample"; expect_status "run -j1" 0 $?
dump='SELECT d.key, s.idx, s.start, s.end, s.checkworthy, t.rule, t.start, t.end FROM documents d JOIN sentences s ON s.doc_id = d.id LEFT JOIN tags t ON t.doc_id = s.doc_id AND t.sentence = s.idx ORDER BY 1, 2, 6, 7'
q "$DB" "$dump" >"$T/j2.txt"
q "$T/j1.db" "$dump" >"$T/j1.txt"
cmp -s "$T/j1.txt" "$T/j2.txt" || fail "-j1 and -j2 databases differ"

finish
