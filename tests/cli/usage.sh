#!/bin/sh
# usage.sh — help, version, unknown commands and bad options: streams and exit codes.
. "$top_srcdir/tests/cli/lib.sh"

"$CLAIMCHECK" --help >"$T/out" 2>"$T/err"; expect_status "--help" 0 $?
expect_grep "--help lists run" "  run " "$T/out"
expect_grep "--help lists explain" "  explain " "$T/out"
expect_eq "--help writes nothing to stderr" "" "$(cat "$T/err")"

"$CLAIMCHECK" --version >"$T/out" 2>&1; expect_status "--version" 0 $?
expect_grep "--version names the tool" "claimcheck " "$T/out"
expect_grep "--version names PCRE2" "PCRE2 " "$T/out"
expect_grep "--version names SQLite" "SQLite " "$T/out"

"$CLAIMCHECK" >"$T/out" 2>"$T/err"; expect_status "no command" 2 $?
expect_eq "no command: nothing on stdout" "" "$(cat "$T/out")"

"$CLAIMCHECK" frobnicate >"$T/out" 2>"$T/err"; expect_status "unknown command" 2 $?
expect_grep "unknown command named" "unknown command 'frobnicate'" "$T/err"

for cmd in run report explain rules; do
	"$CLAIMCHECK" "$cmd" --help >"$T/out" 2>"$T/err"; expect_status "$cmd --help" 0 $?
	expect_grep "$cmd --help usage line" "Usage: claimcheck $cmd" "$T/out"
	"$CLAIMCHECK" help "$cmd" >"$T/out2" 2>&1; expect_status "help $cmd" 0 $?
	cmp -s "$T/out" "$T/out2" || fail "help $cmd differs from $cmd --help"
	"$CLAIMCHECK" "$cmd" --no-such-option >"$T/out" 2>"$T/err"; expect_status "$cmd bad option" 2 $?
	expect_grep "$cmd bad option named" "--no-such-option" "$T/err"
done

"$CLAIMCHECK" run >"$T/out" 2>"$T/err"; expect_status "run without paths" 2 $?
expect_grep "run without paths says so" "no input" "$T/err"
"$CLAIMCHECK" run -j 0 x >"$T/out" 2>"$T/err"; expect_status "run -j 0" 2 $?
"$CLAIMCHECK" run --format pdf x >"$T/out" 2>"$T/err"; expect_status "run --format pdf" 2 $?
"$CLAIMCHECK" rules frob >"$T/out" 2>"$T/err"; expect_status "rules frob" 2 $?
"$CLAIMCHECK" explain >"$T/out" 2>"$T/err"; expect_status "explain without text" 2 $?
"$CLAIMCHECK" explain --rule no.such.rule "Text." >"$T/out" 2>"$T/err"; expect_status "explain unknown rule" 2 $?

# a failed write to stdout is an error, not silence
if [ -w /dev/full ]; then
	"$CLAIMCHECK" --help >/dev/full 2>"$T/err"; expect_status "--help to a full disk" 3 $?
	expect_grep "write error reported" "error writing to standard output" "$T/err"
fi

finish
