#!/bin/sh
# report.sh — `claimcheck report`: formats, filters, streams and exit codes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
printf 'Harbour plans\n\nThe port may close its north dock next year, according to Lena Ortiz.\n\nTraffic is expected to fall by 8%% in 2026.\n\nThe quay is 300 metres long.\n' >"$C/port.txt"
printf 'Birds sing in the park.\n' >"$C/calm.txt"
"$CLAIMCHECK" run -q -o "$T/r.db" "$C"; expect_status "run" 0 $?
n=$(q "$T/r.db" "SELECT count(*) FROM flagged_claims")
[ "$n" -gt 0 ] || fail "the corpus has flagged claims (got $n)"

"$CLAIMCHECK" report -d "$T/r.db" >"$T/out" 2>"$T/err"; expect_status "text report" 0 $?
expect_grep "text: rank and document" "1. " "$T/out"
expect_grep "text: cue marked" "[[may]]" "$T/out"
expect_eq "text: nothing on stderr" "" "$(cat "$T/err")"
expect_no_grep "no colour when not a TTY" "$(printf '\033')" "$T/out"

"$CLAIMCHECK" report -d "$T/r.db" --format csv >"$T/out.csv"; expect_status "csv" 0 $?
expect_eq "csv: a header and one row per claim" "$((n + 1))" "$(grep -c "$(printf '\r')\$" "$T/out.csv")"
"$CLAIMCHECK" report -d "$T/r.db" --format json >"$T/out.json"; expect_status "json" 0 $?
expect_eq "json: one object per claim" "$n" "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(CAST(readfile('$T/out.json') AS TEXT))")"
"$CLAIMCHECK" report -d "$T/r.db" --format md >"$T/out.md"; expect_status "md" 0 $?
expect_grep "md: table header" "| # | check-worthiness |" "$T/out.md"

"$CLAIMCHECK" report -d "$T/r.db" --limit 1 --format csv >"$T/one.csv"
expect_eq "--limit 1" "2" "$(grep -c "$(printf '\r')\$" "$T/one.csv")"
"$CLAIMCHECK" report -d "$T/r.db" --document calm.txt >"$T/out"; expect_status "--document" 0 $?
expect_grep "--document with no claims" "No flagged claims." "$T/out"
"$CLAIMCHECK" report -d "$T/r.db" --min-score 1 --format json >"$T/out"
expect_eq "--min-score 1: none" "[]" "$(cat "$T/out")"

"$CLAIMCHECK" report -d "$T/none.db" >"$T/out" 2>"$T/err"; expect_status "missing database" 2 $?
expect_grep "missing database named" "none.db" "$T/err"
[ ! -e "$T/none.db" ] || fail "report created a database"
"$CLAIMCHECK" report -d "$T/r.db" --format xml >"$T/out" 2>"$T/err"; expect_status "bad format" 2 $?
"$CLAIMCHECK" report -d "$T/r.db" --category maybe >"$T/out" 2>"$T/err"; expect_status "bad category" 2 $?
"$CLAIMCHECK" report -d "$T/r.db" --min-score 2 >"$T/out" 2>"$T/err"; expect_status "bad score" 2 $?
"$CLAIMCHECK" report -d "$T/r.db" --limit x >"$T/out" 2>"$T/err"; expect_status "bad limit" 2 $?
"$CLAIMCHECK" report -d "$T/r.db" extra >"$T/out" 2>"$T/err"; expect_status "stray argument" 2 $?
printf 'not a database at all, just some text long enough to fill a header page\n%.0s' 1 2 3 4 5 6 7 8 >"$T/text.db"
"$CLAIMCHECK" report -d "$T/text.db" >"$T/out" 2>"$T/err"; expect_status "not a database" 2 $?
expect_grep "not a database named" "text.db" "$T/err"

# a read-only database file still reports
chmod a-w "$T/r.db"
"$CLAIMCHECK" report -d "$T/r.db" --limit 1 >"$T/out" 2>"$T/err"; expect_status "read-only file" 0 $?
chmod u+w "$T/r.db"

if [ -w /dev/full ]; then
	"$CLAIMCHECK" report -d "$T/r.db" >/dev/full 2>"$T/err"; expect_status "report to a full disk" 3 $?
fi
finish
