#!/bin/sh
# bad-input-huge.sh — size: a 200 MB file with no newline is refused above
# the per-document limit (default 64 MiB, `run --max-bytes`), naming the
# file and both sizes, without reading it into memory; a document of one
# 20 MB sentence is analysed in bounded time and memory, or refused by a
# lower --max-bytes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
printf 'Shares may fall further, analysts said.\n' >"$C/a-good.txt"
# 200 MB, no newline (sparse: costs no disk)
truncate -s 200M "$C/b-huge.txt" 2>/dev/null || dd if=/dev/zero of="$C/b-huge.txt" bs=1 count=0 seek=200M 2>/dev/null
expect_eq "200 MB file made" "209715200" "$(wc -c <"$C/b-huge.txt" | tr -d ' ')"

peak_kb "$T/rss" "$CLAIMCHECK" run -o "$T/h.db" "$C" >"$T/out" 2>"$T/err"
expect_status "run with a 200 MB file" 1 $?
expect_grep "refusal names the file and the limit" \
	"b-huge.txt: file too large (209715200 bytes; limit 67108864 bytes)" "$T/err"
expect_eq "error row" "file too large (209715200 bytes; limit 67108864 bytes)" \
	"$(q "$T/h.db" "SELECT error FROM documents WHERE key LIKE '%b-huge.txt'")"
expect_eq "the other file analysed" "1" "$(q "$T/h.db" "SELECT count(*) FROM documents WHERE error IS NULL")"
rss=$(tail -1 "$T/rss")
# against the same run without the huge file: a sanitizer build's shadow
# memory and the per-thread caches are in both, a file read whole is not
mkdir -p "$T/small"
cp "$C/a-good.txt" "$T/small/"
peak_kb "$T/rss0" "$CLAIMCHECK" run -o "$T/h0.db" "$T/small" >/dev/null 2>&1
rss0=$(tail -1 "$T/rss0")
[ "${rss:-0}" -gt 0 ] && [ "${rss0:-0}" -gt 0 ] && [ "$rss" -lt $((rss0 + 50000)) ] ||
	fail "peak memory ${rss:-?} KiB with a 200 MB file, ${rss0:-?} KiB without (not read: expected less than 50 MB more)"

# the limit is configurable: above it the refusal says so
peak_kb "$T/rss" "$CLAIMCHECK" run -o "$T/h2.db" --max-bytes 300000000 "$C/b-huge.txt" >"$T/out" 2>"$T/err"
expect_status "200 MB under a 300 MB limit" 1 $?
expect_grep "read, then refused as binary" "b-huge.txt: byte 0: binary file (NUL byte at offset 0)" "$T/err"

# ---- one sentence of 20 MB ---------------------------------------------------
S="$T/sentence"
mkdir -p "$S"
yes 'the board met and the plan went ahead' | head -c 20000000 | tr '\n' ' ' >"$S/one.txt"
printf '.\n' >>"$S/one.txt"
(ulimit -t 300 2>/dev/null; exec "$CLAIMCHECK" run -q -o "$T/s.db" "$S") >"$T/out" 2>"$T/err"
expect_status "20 MB sentence" 0 $?
expect_eq "one sentence of 20 MB" "1|20000001" \
	"$(q "$T/s.db" "SELECT count(*), max(s."end" - s.start) FROM sentences s")"
"$CLAIMCHECK" run -o "$T/s2.db" --max-bytes 10000000 "$S" >"$T/out" 2>"$T/err"
expect_status "20 MB sentence over a 10 MB limit" 1 $?
expect_grep "refused clearly" "one.txt: file too large (20000002 bytes; limit 10000000 bytes)" "$T/err"

finish
