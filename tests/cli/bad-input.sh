#!/bin/sh
# bad-input.sh — bad documents get a clear error naming the file and
# position, an error row in the database, and the batch goes on; nothing
# already written is lost.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
printf 'Good news\n\nThe council may approve the budget on Friday, officials said.\n' >"$C/a-good.txt"
printf 'Caf\303\251 owners say prices could rise by 4%% next year.\nBad byte here: \377 oops.\n' >"$C/b-invalid-utf8.txt"
printf 'Zero\000byte inside.\n' >"$C/c-nul.txt"
: >"$C/d-empty.txt"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001' >"$C/e-image.png"
printf '<html><head><title>Broken page</title></head><body><p>Shares may fall further, analysts said.<div><p>Unclosed <b>tags everywhere' >"$C/f-broken.html"
cat >"$C/g-records.jsonl" <<'JSONL'
{"id": "r1", "title": "First record", "text": "The regulator is expected to rule in March."}
{"id": "r2", "text": "this line is not valid JSON
{"id": "r3", "title": "No text field"}
{"id": 4, "text": "Revenue reportedly doubled to $3 billion, per analyst Dana Whitfield."}
JSONL

"$CLAIMCHECK" run -j2 -o "$T/c.db" "$C" >"$T/out" 2>"$T/err"; expect_status "run over bad input" 1 $?

# clear messages naming the file and the position
expect_grep "invalid UTF-8 named with its offset" "b-invalid-utf8.txt: byte 67" "$T/err"
expect_grep "NUL named" "c-nul.txt" "$T/err"
expect_grep "empty file named" "d-empty.txt" "$T/err"
expect_grep "binary file named" "e-image.png" "$T/err"
expect_grep "bad JSONL line named with its line" "g-records.jsonl:2" "$T/err"
expect_grep "JSONL record without text named" "g-records.jsonl:3" "$T/err"
expect_no_grep "broken HTML is not an error" "f-broken.html" "$T/err"

# the good documents are in, the bad ones recorded with their error
expect_eq "documents analysed" "4" "$(q "$T/c.db" "SELECT count(*) FROM documents WHERE error IS NULL")"
expect_eq "documents failed" "6" "$(q "$T/c.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_eq "invalid UTF-8 offset recorded" "67" "$(q "$T/c.db" "SELECT error_offset FROM documents WHERE key LIKE '%b-invalid-utf8.txt'")"
expect_eq "bad JSONL line recorded" "2" "$(q "$T/c.db" "SELECT error_line FROM documents WHERE key LIKE '%g-records.jsonl#line:2'")"
expect_eq "failed documents have no sentences" "0" "$(q "$T/c.db" "SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.error IS NOT NULL")"
expect_eq "broken HTML text recovered" "1" "$(q "$T/c.db" "SELECT count(*) FROM documents WHERE key LIKE '%f-broken.html' AND text LIKE '%Unclosed tags everywhere%'")"
expect_eq "run row counts the failures" "4|6" "$(q "$T/c.db" "SELECT documents, failed FROM runs")"
expect_eq "database is intact" "ok" "$(q "$T/c.db" "PRAGMA integrity_check")"

# a re-run skips the good documents and still reports the bad ones
"$CLAIMCHECK" run -o "$T/c.db" "$C" >"$T/out" 2>"$T/err"; expect_status "re-run over bad input" 1 $?
expect_eq "second run: nothing re-analysed" "0|4|6" "$(q "$T/c.db" "SELECT documents, skipped, failed FROM runs WHERE id = 2")"

# fixing a file replaces its error row
printf 'Cafe owners say prices could rise by 4%% next year.\n' >"$C/b-invalid-utf8.txt"
"$CLAIMCHECK" run -q -o "$T/c.db" "$C" 2>"$T/err"; expect_status "re-run after a fix" 1 $?
expect_eq "fixed document now good" "" "$(q "$T/c.db" "SELECT error FROM documents WHERE key LIKE '%b-invalid-utf8.txt'")"

# a path that does not exist is reported and recorded, the rest still runs
"$CLAIMCHECK" run -o "$T/d.db" "$C/a-good.txt" "$T/no-such-file.txt" >"$T/out" 2>"$T/err"; expect_status "missing path" 1 $?
expect_grep "missing path named" "no-such-file.txt" "$T/err"
expect_eq "good file still analysed" "1" "$(q "$T/d.db" "SELECT count(*) FROM documents WHERE error IS NULL")"

# a document above --max-bytes is refused clearly
"$CLAIMCHECK" run -o "$T/e.db" --max-bytes 20 "$C/a-good.txt" >"$T/out" 2>"$T/err"; expect_status "over the size limit" 1 $?
expect_grep "size limit named" "a-good.txt" "$T/err"

# an unwritable database location is a fatal error, not a crash
"$CLAIMCHECK" run -o "$T/no/such/dir/x.db" "$C/a-good.txt" >"$T/out" 2>"$T/err"; expect_status "unwritable database" 3 $?
expect_grep "database path named" "no/such/dir/x.db" "$T/err"

# encodings: every kind of invalid UTF-8 is named with its byte; CRLF and
# a lone BOM are fine (the BOM-only and blank files have no sentences)
E="$T/encodings"
mkdir -p "$E"
printf '\377\376H\000i\000' >"$E/utf16.txt"
printf 'Overlong \300\257 slash.' >"$E/overlong.txt"
printf 'Surrogate \355\240\200 here.' >"$E/surrogate.txt"
printf 'Beyond U+10FFFF: \364\220\200\200.' >"$E/too-big.txt"
printf 'Cut short at the end \342\200' >"$E/truncated.txt"
printf 'A stray continuation \200 byte.' >"$E/continuation.txt"
printf 'Vertical\vtab.' >"$E/vtab.txt"
printf '\177ELF\002\001\001\000\000\000' >"$E/program"
printf 'Line one may end.\r\nLine two could too.\r\n' >"$E/crlf.txt"
printf '\357\273\277' >"$E/bom-only.txt"
printf '  \n\t\n\r\n' >"$E/blank.txt"
"$CLAIMCHECK" run -o "$T/e2.db" "$E" >"$T/out" 2>"$T/err"; expect_status "run over bad encodings" 1 $?
expect_grep "UTF-16" "utf16.txt: byte 0: UTF-16 text (only UTF-8 is supported)" "$T/err"
expect_grep "overlong" "overlong.txt: byte 9: invalid UTF-8 at byte 9" "$T/err"
expect_grep "surrogate" "surrogate.txt: byte 10: invalid UTF-8 at byte 10" "$T/err"
expect_grep "above U+10FFFF" "too-big.txt: byte 17: invalid UTF-8 at byte 17" "$T/err"
expect_grep "truncated" "truncated.txt: byte 21: invalid UTF-8 at byte 21" "$T/err"
expect_grep "stray continuation" "continuation.txt: byte 21: invalid UTF-8 at byte 21" "$T/err"
expect_grep "control character" "vtab.txt: byte 8: control character U+000B at byte 8" "$T/err"
expect_grep "binary program" "program: byte 7: binary file (NUL byte at offset 7)" "$T/err"
expect_eq "failed" "8" "$(q "$T/e2.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_eq "CRLF text" "Line one may end.
Line two could too." "$(q "$T/e2.db" "SELECT text FROM documents WHERE key LIKE '%crlf.txt'")"
expect_eq "BOM-only and blank files: no sentences, no error" "0|0" \
	"$(q "$T/e2.db" "SELECT count(*), (SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.key LIKE '%bom-only.txt' OR d.key LIKE '%blank.txt') FROM documents WHERE (key LIKE '%bom-only.txt' OR key LIKE '%blank.txt') AND error IS NOT NULL")"

finish
