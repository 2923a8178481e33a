#!/bin/sh
# stream-identity.sh — `claimcheck stream` writes its result lines itself,
# not through a jansson tree; they must be the bytes jansson gives for the
# explain JSON (CLAIMCHECK_STREAM_JANSSON=1 makes stream use that path):
# over the sample corpus as records, records with every kind of escape,
# non-ASCII text, integer ids, metadata, every kind of bad record, a record
# over --max-bytes, a rule that hits the match limit (a "warning"), a rule
# whose weight prints with an exponent, and with -j 2.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# the sample corpus as JSONL records (sqlite3 writes the JSON)
for f in "$top_srcdir"/corpora/sample/*/*; do
	sqlite3 -batch -noheader :memory: \
		"SELECT json_object('id', '$(basename "$f")', 'title', 'Sample: ' || '$(basename "$f")', 'text', CAST(readfile('$f') AS TEXT))"
done >"$T/in.jsonl"
cat "$top_srcdir/corpora/sample/briefs.jsonl" "$top_srcdir/tests/fixtures/input/records.jsonl" >>"$T/in.jsonl"
as=$(head -c 3000 /dev/zero | tr '\0' a)
{
	printf '{"id": "q1", "text": "She said \\"it may\\" fail; a back\\\\slash, a /slash/, a\\ttab and a \\"quote\\"."}\n'
	printf '{"id": "u1", "title": "Caf\\u00e9 \\u201cnews\\u201d", "text": "Na\\u00efve r\\u00e9sum\\u00e9s could \\u2028 appear \\ud83d\\ude00 here, officials said."}\n'
	printf '{"id": "u2", "text": "Ünïcödé written raw: «perhaps», 東京 might, 😀 reportedly."}\n'
	printf '{"id": 7, "text": "An integer id. It is likely.", "url": "http://example.org/a?b=\\"c\\"", "published": "2025-01-02"}\n'
	printf '{"id": -12, "text": "A negative id."}\n'
	printf '{"id": "lines", "text": "First paragraph.\\r\\n\\r\\nSecond one\\nwith a break.\\n\\n- an item\\n# A heading\\nMore."}\n'
	printf '{"id": "ctl", "text": "A bell \\u0007 here."}\n'
	# control characters are refused in the text and title, not in the
	# metadata: every one of them, escaped on the way out
	ctl=$(awk 'BEGIN { for (c = 1; c < 32; c++) printf "\\u%04x", c }')
	printf '{"id": "ctl-%s\\u007f", "text": "Fine.", "url": "u%s", "published": "p\\b\\f\\u001b"}\n' "$ctl" "$ctl"
	printf '{"id": "bad-utf8", "text": "\377\376"}\n'
	printf '\377 not JSON\n'
	printf '{"id": "open", "text": "no end\n'
	printf '[1, 2]\n'
	printf '{"id": "dup", "id": "again", "text": "Twice."}\n'
	printf '{"id": "", "text": "Empty id."}\n'
	printf '{"id": "empty", "text": ""}\n'
	printf '{"id": "blank", "text": "   "}\n'
	printf '{"id": "tid", "text": true}\n'
	printf '{"text": "No id at all."}\n'
	printf '{"id": "long", "text": "%s might be long, analysts said."}\n' "$as"
	printf '{"id": "evil", "text": "Try %s? It might work."}\n' "$as"
} >>"$T/in.jsonl"

# stream ARGS...: both writers over $T/in.jsonl, the same bytes, status and stderr
n=0
same() {
	n=$((n + 1))
	"$CLAIMCHECK" stream "$@" <"$T/in.jsonl" >"$T/fast$n.jsonl" 2>"$T/fast$n.err"
	fs=$?
	CLAIMCHECK_STREAM_JANSSON=1 "$CLAIMCHECK" stream "$@" <"$T/in.jsonl" >"$T/ref$n.jsonl" 2>"$T/ref$n.err"
	rs=$?
	expect_eq "stream $*: exit status" "$rs" "$fs"
	cmp -s "$T/ref$n.jsonl" "$T/fast$n.jsonl" || fail "stream $*: the result lines differ from jansson's ($T/ref$n.jsonl, $T/fast$n.jsonl)"
	cmp -s "$T/ref$n.err" "$T/fast$n.err" || fail "stream $*: standard error differs"
}

same
expect_status "bad records: exit 1" 1 "$fs"
expect_eq "one result per record" "$(grep -c . "$T/in.jsonl")" "$(grep -c . "$T/fast1.jsonl")"
expect_grep "escaped quotes, backslash and tab" 'She said \"it may\" fail; a back\\slash, a /slash/, a\ttab' "$T/fast1.jsonl"
expect_grep "non-ASCII as it is" 'Naïve résumés could' "$T/fast1.jsonl"
expect_grep "line ends escaped" '"text":"First paragraph.\n\nSecond one\nwith a break.' "$T/fast1.jsonl"
expect_grep "control characters escaped as jansson does" '"id":"ctl-\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E' "$T/fast1.jsonl"
expect_grep "an integer id as text" '{"id":"7","line":' "$T/fast1.jsonl"
expect_grep "an error object" '"error":{"message":"invalid JSON at column' "$T/fast1.jsonl"
expect_grep "a real with a fraction" '"weight":0.' "$T/fast1.jsonl"

same --max-bytes 2000
expect_grep "the long record refused" 'record longer than the limit of 2000 bytes' "$T/fast2.jsonl"

# a rule that hits PCRE2's match limit (the result's "warning"), and one
# whose weight prints with an exponent
printf '[rule hedge.hostile]\ncategory = hedge\nweight = 0.5\npattern = (a+)+$\n' >"$T/hostile.rules"
printf '[rule weasel.faint]\ncategory = weasel\nweight = 0.00001\nmatch = analysts\n' >"$T/faint.rules"
same -r "$RULES" -r "$T/hostile.rules" -r "$T/faint.rules"
expect_grep "a warning" '"warning":"rule `hedge.hostile`: a pattern hit the PCRE2 match limit' "$T/fast3.jsonl"
expect_grep "an exponent" '"rule":"weasel.faint","category":"weasel","weight":1.0000000000000001e-5,' "$T/fast3.jsonl"

same -j 2 -q
cmp -s "$T/fast1.jsonl" "$T/fast4.jsonl" || fail "stream -j 2 differs from -j 1"

finish
