#!/bin/sh
# merge.sh — `claimcheck merge`: three shard runs (--shard K/3) over the
# sample corpus merged equal one run row for row (ids and times aside);
# merging again changes nothing; inputs made with other rules are refused
# (exit 2, nothing merged) unless --force; verdicts of all shards survive
# and the newer of two wins; a document in two inputs keeps the copy
# analysed last; OUT cannot be an input; unreadable inputs give exit 1.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/fixtures/dbdump.sh"
need_sqlite3
# a copy of the rules, so every run of this test uses the same rule set
# even while the rule files are being edited
cp -R "$RULES" "$T/rules" && chmod -R u+w "$T/rules" # (a read-only source tree under distcheck)
RULES="$T/rules"
CLAIMCHECK_RULES="$RULES"

S="$top_srcdir/corpora/sample"

"$CLAIMCHECK" run -q -o "$T/one.db" "$S"; expect_status "single run" 0 $?
for k in 1 2 3; do
	"$CLAIMCHECK" run -q --shard "$k/3" -o "$T/shard-$k.db" "$S"; expect_status "shard $k/3" 0 $?
done
n1=$(q "$T/shard-1.db" "SELECT count(*) FROM documents")
n2=$(q "$T/shard-2.db" "SELECT count(*) FROM documents")
n3=$(q "$T/shard-3.db" "SELECT count(*) FROM documents")
total=$(q "$T/one.db" "SELECT count(*) FROM documents")
expect_eq "the shards partition the documents" "$total" "$((n1 + n2 + n3))"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ "$n3" -gt 0 ] || fail "a shard is empty ($n1, $n2, $n3)"

"$CLAIMCHECK" merge "$T/merged.db" "$T/shard-1.db" "$T/shard-2.db" "$T/shard-3.db" >"$T/out" 2>"$T/err"
expect_status "merge" 0 $?
expect_grep "summary" "merged 3 databases into $T/merged.db: $total documents added, 0 replaced, 0 kept" "$T/out"
expect_eq "no messages" "" "$(cat "$T/err")"

# row for row: documents (all content columns), sentences, tags, the
# sources view and verdicts keyed by document key, and file records. JSONL
# files are split per record by --shard, so no shard records them whole:
# their file record is the one expected difference.
db_dump "$T/one.db" >"$T/one.dump"
db_dump "$T/merged.db" >"$T/merged.dump"
grep -v '|jsonl|' "$T/one.dump" >"$T/one-nojsonl.dump"
cmp -s "$T/one-nojsonl.dump" "$T/merged.dump" || {
	fail "merged shards differ from the single run:"
	diff "$T/one-nojsonl.dump" "$T/merged.dump" | head -20 >&2
}
expect_eq "same number of sentences" "$(q "$T/one.db" "SELECT count(*) FROM sentences")" "$(q "$T/merged.db" "SELECT count(*) FROM sentences")"
expect_eq "same number of tags" "$(q "$T/one.db" "SELECT count(*) FROM tags")" "$(q "$T/merged.db" "SELECT count(*) FROM tags")"
[ "$(q "$T/merged.db" "SELECT count(*) FROM tags")" -gt 100 ] || fail "too few tags to compare"
expect_eq "three runs" "3" "$(q "$T/merged.db" "SELECT count(*) FROM runs")"
expect_eq "run ids remapped" "0" "$(q "$T/merged.db" "SELECT count(*) FROM documents WHERE run_id NOT IN (SELECT id FROM runs) OR seen_run NOT IN (SELECT id FROM runs)")"
expect_eq "each run's documents" "$n1,$n2,$n3" "$(q "$T/merged.db" "SELECT group_concat(n, ',') FROM (SELECT count(*) AS n FROM documents GROUP BY run_id ORDER BY run_id)")"
expect_eq "integrity" "ok" "$(q "$T/merged.db" "PRAGMA integrity_check")"
expect_eq "foreign keys" "" "$(q "$T/merged.db" "PRAGMA foreign_key_check")"
expect_eq "views work" "$(q "$T/one.db" "SELECT count(*) FROM flagged_claims")" "$(q "$T/merged.db" "SELECT count(*) FROM flagged_claims")"

# idempotent: the same inputs again (and one twice) change nothing
"$CLAIMCHECK" merge -q "$T/merged.db" "$T/shard-2.db" "$T/shard-1.db" "$T/shard-3.db" "$T/shard-1.db" >"$T/out" 2>"$T/err"
expect_status "merge again" 0 $?
expect_eq "-q: no summary" "" "$(cat "$T/out")"
db_dump "$T/merged.db" >"$T/merged2.dump"
cmp -s "$T/merged.dump" "$T/merged2.dump" || fail "merging again changed the content"
expect_eq "no run added" "3" "$(q "$T/merged.db" "SELECT count(*) FROM runs")"
expect_eq "no document rewritten" "$total|$total" "$(q "$T/merged.db" "SELECT count(*), max(id) FROM documents")"
"$CLAIMCHECK" merge "$T/merged.db" "$T/shard-1.db" >"$T/out" 2>"$T/err"; expect_status "merge again, verbose" 0 $?
expect_grep "all kept" "shard-1.db: 0 documents added, 0 replaced by newer, $n1 kept; 0 sentences, 0 tags, 0 runs, 0 verdicts" "$T/out"

# merging into a database that already has documents (OUT = a run's database)
cp "$T/shard-1.db" "$T/grow.db"
"$CLAIMCHECK" merge -q "$T/grow.db" "$T/shard-2.db" "$T/shard-3.db"; expect_status "merge into a shard" 0 $?
db_dump "$T/grow.db" | grep -v '|jsonl|' >"$T/grow.dump"
cmp -s "$T/one-nojsonl.dump" "$T/grow.dump" || fail "merging into shard 1 differs from the single run"

# other rules: refused with both hashes named, nothing merged; --force merges
"$CLAIMCHECK" run -q -r "$RULES" -r "$RULES/optional/reviews.rules" -o "$T/other.db" "$S/tech"
expect_status "run with other rules" 0 $?
h1=$(q "$T/one.db" "SELECT DISTINCT ruleset_hash FROM documents")
h2=$(q "$T/other.db" "SELECT DISTINCT ruleset_hash FROM documents")
[ -n "$h2" ] && [ "$h1" != "$h2" ] || fail "the other rules should have another hash"
cp "$T/merged.db" "$T/before.db"
"$CLAIMCHECK" merge "$T/merged.db" "$T/other.db" >"$T/out" 2>"$T/err"; expect_status "other rules refused" 2 $?
expect_grep "names the input's hash" "$h2" "$T/err"
expect_grep "names the output's hash" "$h1" "$T/err"
expect_grep "says how to override" "--force" "$T/err"
expect_grep "nothing merged" "nothing merged" "$T/err"
db_dump "$T/merged.db" >"$T/after.dump"
cmp -s "$T/merged.dump" "$T/after.dump" || fail "a refused merge changed the output"
"$CLAIMCHECK" merge "$T/new.db" "$T/shard-1.db" "$T/other.db" >"$T/out" 2>"$T/err"; expect_status "other rules vs the first input" 2 $?
expect_grep "first input named" "shard-1.db with rule set $h1" "$T/err"
[ -e "$T/new.db" ] && fail "a refused merge left a new output behind"
# the other run is the newer one, so its documents replace shard 1's: runs
# record their start to the second, and on a fast machine both started in
# the same second, when merge keeps what it has (seen under distcheck)
q "$T/other.db" "UPDATE runs SET started = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 hour')"
nother=$(q "$T/other.db" "SELECT count(*) FROM documents")
both=$(q "$T/shard-1.db" "ATTACH '$T/other.db' AS o; SELECT count(*) FROM documents d JOIN o.documents x ON x.key = d.key")
"$CLAIMCHECK" merge --force "$T/forced.db" "$T/shard-1.db" "$T/other.db" >"$T/out" 2>"$T/err"; expect_status "--force" 0 $?
expect_grep "--force warns" "warning:" "$T/err"
expect_grep "--force: the newer run's documents replace" \
	"other.db: $((nother - both)) documents added, $both replaced by newer, 0 kept" "$T/out"
expect_eq "--force: both rule sets" "2" "$(q "$T/forced.db" "SELECT count(DISTINCT ruleset_hash) FROM documents")"
# a run that started in the same second is not newer: what is there stays
cp "$T/other.db" "$T/same-second.db"
q "$T/same-second.db" "UPDATE runs SET started = '$(q "$T/shard-1.db" "SELECT max(started) FROM runs")'"
"$CLAIMCHECK" merge --force "$T/tie.db" "$T/shard-1.db" "$T/same-second.db" >"$T/out" 2>"$T/err"
expect_status "--force, same second" 0 $?
expect_grep "same second: shard 1's documents kept" \
	"same-second.db: $((nother - both)) documents added, 0 replaced by newer, $both kept" "$T/out"

# another schema version (here: a shard made before the files table)
cp "$T/shard-2.db" "$T/v1schema.db"
q "$T/v1schema.db" "DROP TABLE files; UPDATE meta SET value = '1' WHERE key = 'schema_version'"
"$CLAIMCHECK" merge "$T/sv.db" "$T/shard-1.db" "$T/v1schema.db" >"$T/out" 2>"$T/err"; expect_status "other schema version refused" 2 $?
expect_grep "schema versions named" "v1schema.db has schema version 1 but $T/sv.db has" "$T/err"
"$CLAIMCHECK" merge -q --force "$T/sv.db" "$T/shard-1.db" "$T/v1schema.db" >"$T/out" 2>"$T/err"; expect_status "other schema version, --force" 0 $?
expect_eq "--force: the shared columns merged" "$((n1 + n2))|$(q "$T/shard-1.db" "SELECT count(*) FROM files")" "$(q "$T/sv.db" "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM files)")"

# verdicts from two shards both survive; of two on the same span the newer wins
cp "$T/shard-1.db" "$T/v1.db"
cp "$T/shard-2.db" "$T/v2.db"
addv() { # DB VERDICT UPDATED WHICH(first|last tag)
	q "$1" "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict, note, created, updated)
		SELECT d.text_hash, t.start, t.\"end\", t.rule, '$2', 'from $(basename "$1")', '$3', '$3'
		FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY d.key $4, t.sentence, t.idx LIMIT 1"
}
addv "$T/v1.db" confirmed 2026-01-01T00:00:00Z ASC
addv "$T/v2.db" unsure 2026-01-02T00:00:00Z DESC
# the same span as v1's verdict, given later in v2: it wins whichever order
q "$T/v2.db" "ATTACH '$T/v1.db' AS o; INSERT INTO verdicts SELECT doc_hash, start, \"end\", rule, 'false_positive', 'second look', reviewer, created, '2026-03-01T00:00:00Z' FROM o.verdicts"
"$CLAIMCHECK" merge -q "$T/mv.db" "$T/v1.db" "$T/v2.db"; expect_status "merge with verdicts" 0 $?
"$CLAIMCHECK" merge -q "$T/mv2.db" "$T/v2.db" "$T/v1.db"; expect_status "merge with verdicts, reversed" 0 $?
for db in mv mv2; do
	expect_eq "$db: both shards' verdicts" "false_positive|second look|2026-03-01T00:00:00Z
unsure|from v2.db|2026-01-02T00:00:00Z" "$(q "$T/$db.db" "SELECT verdict, note, updated FROM verdicts ORDER BY verdict")"
	expect_eq "$db: verdicts on current tags" "2" "$(q "$T/$db.db" "SELECT count(*) FROM verdict_tags WHERE current = 1")"
done
"$CLAIMCHECK" merge -q "$T/mv.db" "$T/v1.db"; expect_status "older verdict again" 0 $?
expect_eq "the older verdict does not come back" "false_positive" "$(q "$T/mv.db" "SELECT verdict FROM verdicts WHERE note = 'second look' OR note LIKE 'from v1%'")"

# one document in two inputs: the copy analysed last wins, in either order
mkdir -p "$T/c"
printf 'The plant may close next year, officials said.\n' >"$T/c/doc.txt"
"$CLAIMCHECK" run -q -o "$T/old.db" "$T/c"; expect_status "old copy" 0 $?
sleep 1 # runs are stamped to the second
printf 'The plant closed last year.\n' >"$T/c/doc.txt"
"$CLAIMCHECK" run -q -o "$T/newer.db" "$T/c"; expect_status "new copy" 0 $?
"$CLAIMCHECK" merge "$T/d1.db" "$T/newer.db" "$T/old.db" >"$T/out" 2>&1; expect_status "newer first" 0 $?
expect_grep "old one kept out" "old.db: 0 documents added, 0 replaced by newer, 1 kept" "$T/out"
"$CLAIMCHECK" merge "$T/d2.db" "$T/old.db" "$T/newer.db" >"$T/out" 2>&1; expect_status "older first" 0 $?
expect_grep "replaced by the newer" "newer.db: 0 documents added, 1 replaced by newer, 0 kept" "$T/out"
for db in d1 d2; do
	expect_eq "$db: the newer text" "The plant closed last year.|1" "$(q "$T/$db.db" "SELECT text, n_sentences FROM documents")"
	expect_eq "$db: its sentences only" "1|0" "$(q "$T/$db.db" "SELECT count(*), sum(flagged) FROM sentences")"
	expect_eq "$db: no tags of the old copy" "0" "$(q "$T/$db.db" "SELECT count(*) FROM tags")"
done

# refusals and bad inputs
"$CLAIMCHECK" merge "$T/merged.db" "$T/shard-1.db" "$T/merged.db" >"$T/out" 2>"$T/err"; expect_status "OUT as an input" 2 $?
expect_grep "OUT as an input: message" "is also an input" "$T/err"
ln -s merged.db "$T/alias.db"
"$CLAIMCHECK" merge "$T/merged.db" "$T/alias.db" >"$T/out" 2>"$T/err"; expect_status "OUT as an input by another name" 2 $?
printf 'not a database\n' >"$T/text.db"
"$CLAIMCHECK" merge -q "$T/part.db" "$T/missing.db" "$T/text.db" "$T/shard-1.db" >"$T/out" 2>"$T/err"; expect_status "unreadable inputs" 1 $?
expect_grep "missing input named" "missing.db: cannot read" "$T/err"
expect_grep "not a database named" "text.db: not a claimcheck database" "$T/err"
expect_eq "the readable input merged" "$n1" "$(q "$T/part.db" "SELECT count(*) FROM documents")"
q "$T/plain.db" "CREATE TABLE t (x)"
"$CLAIMCHECK" merge -q "$T/part.db" "$T/plain.db" >"$T/out" 2>"$T/err"; expect_status "a foreign SQLite database" 1 $?
expect_grep "foreign database named" "plain.db: not a claimcheck database" "$T/err"
"$CLAIMCHECK" merge "$T/x.db" >"$T/out" 2>"$T/err"; expect_status "no input" 2 $?
"$CLAIMCHECK" merge --bogus "$T/x.db" "$T/shard-1.db" >"$T/out" 2>"$T/err"; expect_status "unknown option" 2 $?
"$CLAIMCHECK" merge --help >"$T/help" 2>"$T/err"; expect_status "--help" 0 $?
expect_grep "help" "Usage: claimcheck merge" "$T/help"
expect_grep "help: newest copy" "analysed most" "$T/help"

finish
