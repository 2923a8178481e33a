#!/bin/sh
# bad-input-jsonl.sh — malformed JSONL lines and huge JSON values: every bad
# line is an error row naming the file, the line and (for syntax errors)
# the column; good records around them are analysed; memory and time stay
# bounded; --max-bytes limits a record.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
J="$C/feed.jsonl"
{
	echo '{"id": "ok1", "title": "Fares", "text": "Ferry fares may rise next spring, the operator said."}'
	# line 2: 100,000 nested arrays
	printf '{"id": "deep", "text": "x", "extra": '; yes '[' | head -n 100000 | tr -d '\n'
	yes ']' | head -n 100000 | tr -d '\n'; echo '}'
	echo '{"id": "bignum", "text": "Numbers are fine.", "n": 1e999999}'
	echo '{"id": 123456789012345678901234567890, "text": "integer overflow"}'
	echo '{"id": "surrogate", "text": "a lone \ud800 half"}'
	echo '{"id": "trailing", "text": "junk after the object"} junk'
	# line 7: a 4 MB text value: a record like any other
	printf '{"id": "huge", "text": "'; yes 'The council might delay the vote again.' | head -n 100000 | tr '\n' ' '; echo '"}'
	# line 8: a 2 MB key
	printf '{"id": "hugekey", "text": "A short text.", "'; yes k | head -n 2000000 | tr -d '\n'; echo '": 1}'
	echo '   '
	printf '{"id": "crlf", "text": "A line ending in CRLF."}\r\n'
	echo '{"id": "ctl", "text": "a bell \u0007 inside"}'
	printf '\001\000binary junk\n'
	echo '{"id": "notext", "title": "No text"}'
	echo '[1, 2, 3]'
	echo '{"id": "ok2", "text": "The last good record, according to sources."}'
} >"$J"

(ulimit -t 120 2>/dev/null; exec "$CLAIMCHECK" run -o "$T/j.db" "$C") >"$T/out" 2>"$T/err"
expect_status "run over malformed JSONL" 1 $?

# messages: file:line:column for syntax errors, file:line otherwise
expect_grep "nesting named" "feed.jsonl:2:" "$T/err"
expect_grep "nesting explained" "maximum parsing depth reached" "$T/err"
expect_grep "number overflow" "feed.jsonl:3:59: invalid JSON at column 59: real number overflow" "$T/err"
expect_grep "integer overflow" "feed.jsonl:4:" "$T/err"
expect_grep "lone surrogate" "feed.jsonl:5:" "$T/err"
expect_grep "trailing junk" "feed.jsonl:6:56: invalid JSON at column 56: end of file expected near 'junk'" "$T/err"
expect_grep "control character in a record's text named with its line" \
	"feed.jsonl:11:7: control character U+0007 at byte 7 of the record's text" "$T/err"
expect_grep "binary line" "feed.jsonl:12:2: NUL byte at column 2 (binary data, not JSON)" "$T/err"
expect_grep "record without text" "feed.jsonl:13: missing \"text\"" "$T/err"
expect_grep "not an object" "feed.jsonl:14: record is not a JSON object" "$T/err"

expect_eq "good records analysed" "crlf|huge|hugekey|ok1|ok2" \
	"$(q "$T/j.db" "SELECT group_concat(k, '|') FROM (SELECT substr(key, instr(key, '#') + 1) AS k FROM documents WHERE error IS NULL ORDER BY k)")"
expect_eq "bad lines recorded with their line" "2|3|4|5|6|11|12|13|14" \
	"$(q "$T/j.db" "SELECT group_concat(error_line, '|') FROM (SELECT error_line FROM documents WHERE error IS NOT NULL ORDER BY error_line)")"
expect_eq "huge value analysed whole" "4000000" \
	"$(q "$T/j.db" "SELECT length(text) + 1 FROM documents WHERE key LIKE '%#huge'")"
expect_eq "huge value's sentences" "100000" \
	"$(q "$T/j.db" "SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.key LIKE '%#huge'")"
expect_eq "run row" "5|9" "$(q "$T/j.db" "SELECT documents, failed FROM runs")"
expect_eq "database is intact" "ok" "$(q "$T/j.db" "PRAGMA integrity_check")"

# a record over --max-bytes is refused by line; the others still run
"$CLAIMCHECK" run -o "$T/k.db" --max-bytes 100000 "$J" >"$T/out" 2>"$T/err"
expect_status "records over the limit" 1 $?
expect_grep "huge record refused by line" "feed.jsonl:7: record larger than the limit of 100000 bytes" "$T/err"
expect_eq "the three long lines refused" "3" \
	"$(q "$T/k.db" "SELECT count(*) FROM documents WHERE error LIKE '%larger than the limit%'")"
expect_eq "small records still analysed" "3" "$(q "$T/k.db" "SELECT count(*) FROM documents WHERE error IS NULL")"

finish
