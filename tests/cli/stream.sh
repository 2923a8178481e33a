#!/bin/sh
# stream.sh — `claimcheck stream`: JSONL records in, one result line per
# record out, in order; bad records give an error object with their line;
# each result is the explain JSON of the record's text, plus id and line;
# -j N gives the same bytes as -j 1.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# jx FILE PATH: a JSON value from a file, through SQLite's JSON functions
jx() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}

T1='Per analyst Dana Whitfield, the merger may collapse. Sales rose 12% to $4 billion in 2025.'
T2='Critics argue the plan is expected to fail, people familiar with the matter said.'
T3='The bridge reopened on Monday.'
{
	printf '{"id": "r1", "text": "%s"}\n' "$T1"
	printf '{"id": 2, "text": "%s"}\n' "$T2"
	printf 'this is not JSON\n'
	printf '\n'
	printf '{"id": "no-text", "title": "Nothing"}\n'
	printf '{"id": "r6", "title": "Bridge", "text": "%s"}\r\n' "$T3"
	printf '{"id": "r7", "text": "%s"}' "$T3" # no final newline
} >"$T/in.jsonl"

"$CLAIMCHECK" stream <"$T/in.jsonl" >"$T/out.jsonl" 2>"$T/err"; expect_status "stream with bad records" 1 $?
expect_eq "one line per non-blank input line" "6" "$(wc -l <"$T/out.jsonl" | tr -d ' ')"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s\n' "$line" >"$T/r$i.json"
done <"$T/out.jsonl"
expect_eq "ids in order" "r1|2||no-text|r6|r7" "$(jx "$T/r1.json" '$.id')|$(jx "$T/r2.json" '$.id')|$(jx "$T/r3.json" '$.id')|$(jx "$T/r4.json" '$.id')|$(jx "$T/r5.json" '$.id')|$(jx "$T/r6.json" '$.id')"
expect_eq "input line numbers" "1 2 3 5 6 7" "$(for k in 1 2 3 4 5 6; do jx "$T/r$k.json" '$.line'; done | tr '\n' ' ' | sed 's/ $//')"
expect_eq "good records have no error" "||" "$(jx "$T/r1.json" '$.error')|$(jx "$T/r2.json" '$.error')|$(jx "$T/r6.json" '$.error')"
expect_eq "malformed line: error with its line" "3" "$(jx "$T/r3.json" '$.error.line')"
expect_eq "malformed line: no sentences" "0" "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(CAST(readfile('$T/r3.json') AS TEXT), '\$.sentences'))")"
expect_eq "record without text: error" "5|missing \"text\"" "$(jx "$T/r4.json" '$.error.line')|$(jx "$T/r4.json" '$.error.message')"
expect_eq "record without text: its id" "no-text" "$(jx "$T/r4.json" '$.document.id')"
expect_eq "id as text" "text" "$(sqlite3 -batch -noheader :memory: "SELECT json_type(CAST(readfile('$T/r2.json') AS TEXT), '\$.id')")"
expect_grep "bad line reported on stderr" "line 3:" "$T/err"
expect_grep "record without text reported" "line 5: missing \"text\"" "$T/err"
expect_eq "the title is the first sentence" "title|Bridge" "$(jx "$T/r5.json" '$.sentences[0].kind')|$(jx "$T/r5.json" '$.sentences[0].text')"
expect_eq "last line without a newline" "r7|1" "$(jx "$T/r6.json" '$.id')|$(jx "$T/r6.json" '$.scores.sentences')"

# each result is the explain JSON of the same text
n=0
for pair in "1:$T1" "2:$T2" "6:$T3"; do
	k=${pair%%:*}
	text=${pair#*:}
	n=$((n + 1))
	"$CLAIMCHECK" explain --format json "$text" >"$T/e$n.json" 2>"$T/err"; expect_status "explain $k" 0 $?
	for path in '$.version' '$.ruleset' '$.text' '$.document.text_hash' '$.sentences' '$.scores'; do
		expect_eq "line $k: $path as explain" "$(jx "$T/e$n.json" "$path")" "$(jx "$T/r$k.json" "$path")"
	done
done
expect_eq "a source in the first result" "Dana Whitfield" "$(sqlite3 -batch -noheader :memory: "SELECT json_extract(t.value, '\$.source.text') FROM json_each(json_extract(CAST(readfile('$T/r1.json') AS TEXT), '\$.sentences[0].tags')) t WHERE json_extract(t.value, '\$.category') = 'source'")"

# -j 2 (and a batch larger than the input, and one smaller): the same bytes
"$CLAIMCHECK" stream -j 2 -q <"$T/in.jsonl" >"$T/out2.jsonl" 2>"$T/err2"; expect_status "stream -j 2" 1 $?
cmp -s "$T/out.jsonl" "$T/out2.jsonl" || fail "stream -j 2 differs from -j 1"
expect_eq "-q: nothing on stderr" "" "$(cat "$T/err2")"
awk 'BEGIN { for (k = 1; k <= 150; k++) printf "{\"id\": \"m%d\", \"text\": \"Record %d may be late, officials said.\"}\n", k, k }' >"$T/many.jsonl"
"$CLAIMCHECK" stream <"$T/many.jsonl" >"$T/many1.jsonl" 2>"$T/err"; expect_status "stream many" 0 $?
"$CLAIMCHECK" stream -j 3 <"$T/many.jsonl" >"$T/many3.jsonl" 2>"$T/err"; expect_status "stream many -j 3" 0 $?
expect_eq "many: one line each" "150" "$(wc -l <"$T/many1.jsonl" | tr -d ' ')"
cmp -s "$T/many1.jsonl" "$T/many3.jsonl" || fail "stream -j 3 differs from -j 1"
expect_eq "many: last id" "m150" "$(tail -n 1 "$T/many3.jsonl" >"$T/last.json"; jx "$T/last.json" '$.id')"

# a record over --max-bytes: an error for it, the next one still analysed
printf '{"id": "big", "text": "%s"}\n{"id": "small", "text": "Fine."}\n' "$T1" >"$T/big.jsonl"
"$CLAIMCHECK" stream --max-bytes 60 <"$T/big.jsonl" >"$T/big.out" 2>"$T/err"; expect_status "stream --max-bytes" 1 $?
head -n 1 "$T/big.out" >"$T/b1.json"
tail -n 1 "$T/big.out" >"$T/b2.json"
expect_eq "too long: error on line 1" "1" "$(jx "$T/b1.json" '$.error.line')"
expect_eq "next record fine" "small|" "$(jx "$T/b2.json" '$.id')|$(jx "$T/b2.json" '$.error')"

# empty input: no output, success; usage errors
"$CLAIMCHECK" stream </dev/null >"$T/empty.out" 2>"$T/err"; expect_status "stream empty" 0 $?
expect_eq "empty: no output" "0" "$(wc -c <"$T/empty.out" | tr -d ' ')"
"$CLAIMCHECK" stream some-file >/dev/null 2>"$T/err"; expect_status "stream with an argument" 2 $?
"$CLAIMCHECK" stream -j 0 </dev/null >/dev/null 2>"$T/err"; expect_status "stream -j 0" 2 $?
"$CLAIMCHECK" stream --help >"$T/help" 2>"$T/err"; expect_status "stream --help" 0 $?
expect_grep "help" "Usage: claimcheck stream" "$T/help"

finish
