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

finish
