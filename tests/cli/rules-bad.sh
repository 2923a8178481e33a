#!/bin/sh
# rules-bad.sh — a broken rule file: every problem reported with
# file:line:col, exit 2, and no command runs on a broken rule set.
. "$top_srcdir/tests/cli/lib.sh"

BAD="$top_srcdir/tests/fixtures/rules-broken/broken.rules"

"$CLAIMCHECK" rules check -r "$BAD" >"$T/out" 2>"$T/err"; expect_status "rules check" 2 $?
expect_grep "bad weight at its line" "broken.rules:11:" "$T/err"
expect_grep "missing category at the rule header" "broken.rules:14:" "$T/err"
expect_grep "bad pattern at its line" "broken.rules:19:" "$T/err"
expect_grep "duplicate id at its header" "broken.rules:21:" "$T/err"
expect_grep "unknown section at its header" "broken.rules:25:" "$T/err"
n=$(grep -c ': error: ' "$T/err")
[ "$n" -ge 5 ] || fail "expected at least 5 errors, got $n"

# nothing runs on a broken rule set; nothing is written
echo "Prices may rise." >"$T/a.txt"
"$CLAIMCHECK" run -q -r "$BAD" -o "$T/x.db" "$T/a.txt" >"$T/out" 2>"$T/err"; expect_status "run with bad rules" 2 $?
[ ! -e "$T/x.db" ] || fail "run with bad rules created a database"
"$CLAIMCHECK" explain -r "$BAD" "Prices may rise." >"$T/out" 2>"$T/err"; expect_status "explain with bad rules" 2 $?

# a missing rule path is an error too
"$CLAIMCHECK" rules check -r "$T/does-not-exist.rules" >"$T/out" 2>"$T/err"; expect_status "missing rule file" 2 $?
expect_grep "missing rule file named" "does-not-exist.rules" "$T/err"

# a pattern tried at every byte of a sentence: a warning from `rules check`
# only, at its file:line:col, with exit status 0
SLOW="$top_srcdir/tests/fixtures/rules-bad/every-byte.rules"
"$CLAIMCHECK" rules check -r "$SLOW" >"$T/out" 2>"$T/err"; expect_status "rules check with warnings" 0 $?
expect_grep "every-byte warning at the pattern" "every-byte.rules:4:11: warning: pattern is tried at every byte" "$T/err"
expect_grep "every-byte warning for an except-pattern" "every-byte.rules:9:18: warning: pattern is tried at every byte" "$T/err"
expect_grep "warnings counted" "0 errors, 4 warnings" "$T/out"
"$CLAIMCHECK" rules check -r "$top_srcdir/tests/fixtures/rules-bad/every-byte-ok.rules" >"$T/out" 2>"$T/err"
expect_status "rules check, narrowed patterns" 0 $?
expect_eq "narrowed patterns: no warning" "" "$(cat "$T/err")"
"$CLAIMCHECK" rules list -r "$SLOW" >"$T/out" 2>"$T/err"; expect_status "rules list" 0 $?
expect_eq "other commands do not warn" "" "$(cat "$T/err")"

finish
