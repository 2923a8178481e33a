#!/bin/sh
# explain.sh — explain shows the sentences, every tag with its rule id and
# span, the sources and the scores; the JSON form is what README documents.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# jx FILE PATH: a JSON value from a file, through SQLite's JSON functions
jx() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}

TEXT='Per analyst Dana Whitfield, the merger may collapse. Sales rose 12% to $4 billion in 2025.'
"$CLAIMCHECK" explain --format json "$TEXT" >"$T/e.json" 2>"$T/err"; expect_status "explain json" 0 $?
expect_eq "version" "1" "$(jx "$T/e.json" '$.version')"
expect_eq "no error" "" "$(jx "$T/e.json" '$.error')"
expect_eq "two sentences" "2" "$(jx "$T/e.json" '$.scores.sentences')"
expect_eq "first sentence text" "Per analyst Dana Whitfield, the merger may collapse." "$(jx "$T/e.json" '$.sentences[0].text')"
expect_eq "first sentence span" "0|52" "$(jx "$T/e.json" '$.sentences[0].start')|$(jx "$T/e.json" '$.sentences[0].end')"
expect_eq "second sentence span" "53|90" "$(jx "$T/e.json" '$.sentences[1].start')|$(jx "$T/e.json" '$.sentences[1].end')"

# the source tag: rule id, name, role, named
sqlite3 -batch -noheader :memory: "SELECT json_extract(t.value, '$.rule'), json_extract(t.value, '$.source.text'),
	json_extract(t.value, '$.role.text'), json_extract(t.value, '$.anonymous')
	FROM json_each(json_extract(CAST(readfile('$T/e.json') AS TEXT), '$.sentences[0].tags')) t
	WHERE json_extract(t.value, '$.category') = 'source'" >"$T/src"
expect_grep "source captured with name and role" "|Dana Whitfield|analyst|0" "$T/src"
# the hedge tag on "may", with its byte span
sqlite3 -batch -noheader :memory: "SELECT json_extract(t.value, '$.start') || '-' || json_extract(t.value, '$.end') || ' ' || json_extract(t.value, '$.cue.text')
	FROM json_each(json_extract(CAST(readfile('$T/e.json') AS TEXT), '$.sentences[0].tags')) t
	WHERE json_extract(t.value, '$.category') = 'hedge'" >"$T/hedge"
expect_grep "hedge on may at 39-42" "39-42 may" "$T/hedge"
expect_eq "first sentence sourced" "1" "$(jx "$T/e.json" '$.sentences[0].scores.sourced')"
expect_eq "first sentence flagged" "1" "$(jx "$T/e.json" '$.sentences[0].scores.flagged')"
expect_eq "second sentence unsourced" "0" "$(jx "$T/e.json" '$.sentences[1].scores.sourced')"
cw=$(jx "$T/e.json" '$.sentences[1].scores.checkworthy')
awk -v x="$cw" 'BEGIN { exit !(x >= 0.6) }' || fail "unsourced figures should be check-worthy (>= 0.6), got $cw"

# text form: rule ids and spans, [[cue]] marks without colour
"$CLAIMCHECK" explain "$TEXT" >"$T/e.txt" 2>"$T/err"; expect_status "explain text" 0 $?
expect_grep "cue marked" "the merger [[may]] collapse." "$T/e.txt"
expect_grep "hedge tag line with span" "39-42 \"may\"" "$T/e.txt"
expect_grep "source line" "source: named \"Dana Whitfield\", role \"analyst\"" "$T/e.txt"
expect_grep "document summary" "2 sentences" "$T/e.txt"

# from a file and from standard input, the same analysis
printf '%s' "$TEXT" >"$T/in.txt"
"$CLAIMCHECK" explain --format json - <"$T/in.txt" >"$T/stdin.json"; expect_status "explain -" 0 $?
expect_eq "stdin: same sentences" "$(jx "$T/e.json" '$.sentences')" "$(jx "$T/stdin.json" '$.sentences')"
"$CLAIMCHECK" explain --format json "$T/in.txt" >"$T/file.json"; expect_status "explain FILE" 0 $?
expect_eq "file: same sentences" "$(jx "$T/e.json" '$.sentences')" "$(jx "$T/file.json" '$.sentences')"

# --rule keeps one rule's tags
rule=$(sqlite3 -batch -noheader :memory: "SELECT json_extract(t.value, '$.rule') FROM json_each(json_extract(CAST(readfile('$T/e.json') AS TEXT), '$.sentences[0].tags')) t WHERE json_extract(t.value, '$.category') = 'hedge' LIMIT 1")
"$CLAIMCHECK" explain --format json --rule "$rule" "$TEXT" >"$T/r.json"; expect_status "explain --rule" 0 $?
expect_eq "--rule: only that rule" "$rule" "$(sqlite3 -batch -noheader :memory: "SELECT group_concat(DISTINCT json_extract(t.value, '$.rule')) FROM json_each(json_extract(CAST(readfile('$T/r.json') AS TEXT), '$.sentences[0].tags')) t")"

# a bad file: error in JSON, exit 1
printf 'bad \377 byte\n' >"$T/bad.txt"
"$CLAIMCHECK" explain --format json "$T/bad.txt" >"$T/bad.json" 2>"$T/err"; expect_status "explain bad file" 1 $?
expect_eq "error offset" "4" "$(jx "$T/bad.json" '$.error.offset')"
expect_grep "error names the file" "bad.txt" "$T/err"

finish
