#!/bin/sh
# bad-input-lastline.sh — a JSONL file whose last line has no newline and is
# over --max-bytes (e.g. 200 MB of one line) must be refused like any other
# over-long line: a message naming the file and line, an error row with
# error_line, exit 1. (Once a bug in run.c's queue_jsonl dropped
# that line silently.)
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
printf '{"id": "a", "text": "Short and fine."}\n{"id": "b", "text": "This record is longer than the limit."}' >"$C/last.jsonl"
"$CLAIMCHECK" run -o "$T/a.db" --max-bytes 40 "$C" >"$T/out" 2>"$T/err"
expect_status "last line over the limit" 1 $?
expect_grep "named with its line" "last.jsonl:2: record larger than the limit of 40 bytes" "$T/err"
expect_eq "error row with its line" "2" "$(q "$T/a.db" "SELECT error_line FROM documents WHERE key LIKE '%last.jsonl#line:2'")"

# 200 MB in one line without a newline (sparse), default limit
truncate -s 200M "$C/huge.jsonl"
"$CLAIMCHECK" run -o "$T/b.db" "$C/huge.jsonl" >"$T/out" 2>"$T/err"
expect_status "200 MB JSONL line" 1 $?
expect_grep "huge line named" "huge.jsonl:1: record larger than the limit of 67108864 bytes" "$T/err"
finish
