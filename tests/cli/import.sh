#!/bin/sh
# import.sh — `claimcheck stream < records.jsonl | claimcheck import` gives
# the same database content as `claimcheck run records.jsonl`: documents
# (metadata, text, counts, scores), flagged sentences, tags, sources and
# error rows for bad records; results made with other rules are refused;
# lines that are not results are skipped and reported; -j changes nothing
# in the database.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/fixtures/dbdump.sh"
need_sqlite3
# a copy of the rules, so every run of this test uses the same rule set
# even while the rule files are being edited
cp -R "$RULES" "$T/rules" && chmod -R u+w "$T/rules" # (a read-only source tree under distcheck)
RULES="$T/rules"
CLAIMCHECK_RULES="$RULES"

S="$top_srcdir/corpora/sample"
R="$T/records.jsonl"
# records: the sample's JSONL briefs, every sample text and Markdown file as
# a record, metadata, and bad records
cat "$S/briefs.jsonl" >"$R"
n=0
for f in $(find "$S" -name '*.txt' -o -name '*.md' | sort); do
	n=$((n + 1))
	sqlite3 -batch -noheader :memory: "SELECT json_object('id', 'file-$n', 'title', 'File $n', 'text', CAST(readfile('$f') AS TEXT))" >>"$R"
done
[ "$n" -ge 10 ] || fail "expected at least 10 sample files, found $n"
{
	printf '{"id": 77, "url": "https://news.example/a", "published": "2026-02-03", "title": "Ports", "text": "Port traffic could double by 2030, according to the harbour board. Experts say the cranes are too old."}\n'
	printf 'this is not JSON\n'
	printf '{"id": "no-text", "title": "Nothing"}\n'
	printf '\n'
	printf '{"id": "last", "text": "The ferry may resume on Friday, a spokesperson said."}\n'
} >>"$R"

"$CLAIMCHECK" run -q -o "$T/run.db" "$R"; expect_status "run over the records" 1 $?
"$CLAIMCHECK" stream -q <"$R" >"$T/results.jsonl"; expect_status "stream" 1 $?
"$CLAIMCHECK" import -d "$T/imp.db" --path "$R" "$T/results.jsonl" >"$T/out" 2>"$T/err"
expect_status "import (two error results)" 1 $?
docs=$(q "$T/run.db" "SELECT count(*) FROM documents WHERE error IS NULL")
expect_grep "summary" "$docs imported, 2 error results, 0 lines skipped" "$T/out"
expect_grep "error results reported" "$R#line:" "$T/err"

db_dump "$T/run.db" nofiles >"$T/run.dump"
db_dump "$T/imp.db" nofiles >"$T/imp.dump"
cmp -s "$T/run.dump" "$T/imp.dump" || {
	fail "stream | import differs from run:"
	diff "$T/run.dump" "$T/imp.dump" | head -20 >&2
}
[ "$(q "$T/imp.db" "SELECT count(*) FROM tags")" -gt 100 ] || fail "too few tags to compare"
claims="SELECT doc_key, sentence, kind, checkworthy, uncertainty, categories, rules, cues, sources, text FROM flagged_claims ORDER BY doc_key, sentence"
expect_eq "flagged claims as run's" "$(q "$T/run.db" "$claims")" "$(q "$T/imp.db" "$claims")"
[ "$(q "$T/imp.db" "SELECT count(*) FROM flagged_claims")" -gt 20 ] || fail "too few flagged claims"
expect_eq "a named source with its role" "Dana Whitfield|analyst" "$(q "$T/imp.db" "SELECT DISTINCT name, role FROM sources WHERE name = 'Dana Whitfield'")"
expect_eq "error rows as run's" "$R#line:$((n + 6))|$((n + 6))|$R#line:$((n + 7))|missing \"text\"" \
	"$(q "$T/imp.db" "SELECT key, error_line FROM documents WHERE error IS NOT NULL AND error NOT LIKE 'missing%'")|$(q "$T/imp.db" "SELECT key, error FROM documents WHERE error LIKE 'missing%'")"
expect_eq "metadata" "77|$R#77|https://news.example/a|2026-02-03|Ports|$((n + 5))" \
	"$(q "$T/imp.db" "SELECT ext_id, key, url, published, title, line FROM documents WHERE ext_id = '77'")"
expect_eq "one import run row" "1|$docs|2" "$(q "$T/imp.db" "SELECT count(*), documents, failed FROM runs")"
expect_grep "the run row says import" "claimcheck import" "$(q "$T/imp.db" "SELECT args FROM runs" >"$T/args"; echo "$T/args")"

# a later run over the same records finds the imported documents current
"$CLAIMCHECK" run -q -o "$T/imp.db" "$R"; expect_status "run after import" 1 $?
expect_eq "run after import: only the failed ones redone" "2|$docs" "$(q "$T/imp.db" "SELECT documents + failed, skipped FROM runs WHERE id = 2")"

# stream -j 2, from standard input, without --path: keys "-#ID"
"$CLAIMCHECK" stream -q -j 2 <"$R" | "$CLAIMCHECK" import -q -d "$T/pipe.db" -; expect_status "stream -j 2 | import -" 1 $?
expect_eq "keys without --path" "-#77|-" "$(q "$T/pipe.db" "SELECT key, path FROM documents WHERE ext_id = '77'")"
pipeq="SELECT ext_id, text_hash, n_sentences, n_flagged, n_tags, checkworthy_max FROM documents ORDER BY ext_id"
expect_eq "stream -j 2 | import: same documents" "$(q "$T/run.db" "$pipeq")" "$(q "$T/pipe.db" "$pipeq")"
tagq="SELECT d.ext_id, t.sentence, t.idx, t.rule, t.start, t.\"end\", t.cue, t.source, t.role FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY 1, 2, 3"
expect_eq "stream -j 2 | import: same tags" "$(q "$T/run.db" "$tagq")" "$(q "$T/pipe.db" "$tagq")"

# Hadoop Streaming's output lines (a mapper line without a tab is a key
# with an empty value) end with a tab: imported the same
awk '{ print $0 "\t" }' "$T/results.jsonl" >"$T/hadoop.out"
"$CLAIMCHECK" import -q -d "$T/hadoop.db" --path "$R" "$T/hadoop.out"; expect_status "import with tabs" 1 $?
db_dump "$T/hadoop.db" nofiles >"$T/hadoop.dump"
cmp -s "$T/run.dump" "$T/hadoop.dump" || fail "lines ending with a tab imported differently"

# importing again replaces, it does not duplicate
"$CLAIMCHECK" import -q -d "$T/imp.db" --path "$R" "$T/results.jsonl"; expect_status "import again" 1 $?
db_dump "$T/imp.db" nofiles >"$T/imp2.dump"
cmp -s "$T/run.dump" "$T/imp2.dump" || fail "importing again changed the content"

# results made with other rules: refused, naming both hashes, nothing written
"$CLAIMCHECK" import -d "$T/other.db" -r "$RULES" -r "$RULES/optional/reviews.rules" "$T/results.jsonl" >"$T/out" 2>"$T/err"
expect_status "other rules" 2 $?
expect_grep "the results' hash" "$(q "$T/run.db" "SELECT DISTINCT ruleset_hash FROM documents")" "$T/err"
expect_grep "what to do" "give the rules 'stream' used with -r" "$T/err"
expect_eq "nothing written" "0|0" "$(q "$T/other.db" "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM runs)")"

# lines that are not results
{
	head -n 1 "$T/results.jsonl"
	printf 'garbage\n'
	printf '{"id": "x", "text": "a record, not a result"}\n'
	tail -n 1 "$T/results.jsonl"
} >"$T/mixed.jsonl"
"$CLAIMCHECK" import -d "$T/mixed.db" "$T/mixed.jsonl" >"$T/out" 2>"$T/err"; expect_status "lines that are not results" 1 $?
expect_grep "not JSON reported" "mixed.jsonl:2: skipped: not JSON" "$T/err"
expect_grep "not a result reported" "mixed.jsonl:3: skipped: not a claimcheck stream result" "$T/err"
expect_eq "the results around them imported" "2" "$(q "$T/mixed.db" "SELECT count(*) FROM documents")"

# -j: the same database whatever the number of parsing threads, ids
# included, over several banks of lines (the results five times: each
# copy replaces the one before, in input order) and two files
for k in 1 2 3 4 5; do cat "$T/results.jsonl"; done >"$T/five.jsonl"
head -n 7 "$T/results.jsonl" >"$T/seven.jsonl"
for j in 1 3; do
	"$CLAIMCHECK" import -q -j $j -d "$T/j$j.db" --path "$R" "$T/five.jsonl" "$T/seven.jsonl"
	expect_status "import -j $j" 1 $?
	{
		db_dump "$T/j$j.db" nofiles
		q "$T/j$j.db" "SELECT id, key FROM documents ORDER BY id; SELECT doc_id, idx, start FROM sentences ORDER BY 1, 2"
	} >"$T/j$j.dump"
done
cmp -s "$T/j1.dump" "$T/j3.dump" || {
	fail "import -j 3 differs from import -j 1:"
	diff "$T/j1.dump" "$T/j3.dump" | head -10 >&2
}
db_dump "$T/j3.db" nofiles >"$T/j3.content"
cmp -s "$T/run.dump" "$T/j3.content" || fail "import -j 3 of five copies differs from run"
expect_eq "import -j 3: one run, every line counted" "1|$((5 * (docs + 2) + 7))" \
	"$(q "$T/j3.db" "SELECT count(*), documents + failed FROM runs")"

# a result made with other rules in the middle of a bank: what comes
# before it is imported, nothing after it
{
	head -n 5 "$T/results.jsonl"
	sed -n 6p "$T/results.jsonl" | sed 's/"ruleset":"[0-9a-f]*"/"ruleset":"0123456789abcdef"/'
	tail -n +7 "$T/results.jsonl"
} >"$T/midway.jsonl"
"$CLAIMCHECK" import -j 4 -d "$T/midway.db" "$T/midway.jsonl" >"$T/out" 2>"$T/err"
expect_status "other rules midway, -j 4" 2 $?
expect_grep "other rules midway: the line" "midway.jsonl:6: the result was made with rule set 0123456789abcdef" "$T/err"
expect_eq "other rules midway: the five before it imported" "5" "$(q "$T/midway.db" "SELECT count(*) FROM documents")"
"$CLAIMCHECK" import -j 0 -d "$T/x.db" "$T/results.jsonl" >"$T/out" 2>"$T/err"; expect_status "-j 0" 2 $?
expect_grep "-j 0 explained" "--jobs wants a number from 1 to 256" "$T/err"

"$CLAIMCHECK" import -d "$T/x.db" "$T/no-such.jsonl" >"$T/out" 2>"$T/err"; expect_status "missing file" 1 $?
expect_grep "missing file named" "no-such.jsonl: cannot open" "$T/err"
"$CLAIMCHECK" import >"$T/out" 2>"$T/err"; expect_status "no input" 2 $?
"$CLAIMCHECK" import --path - x >"$T/out" 2>"$T/err"; expect_status "--path -" 2 $?
"$CLAIMCHECK" import --help >"$T/help" 2>"$T/err"; expect_status "--help" 0 $?
expect_grep "help" "Usage: claimcheck import" "$T/help"

finish
