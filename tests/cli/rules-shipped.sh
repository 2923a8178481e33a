#!/bin/sh
# rules-shipped.sh — the shipped rule files lint clean and every inline
# example passes, through the same commands users run.
. "$top_srcdir/tests/cli/lib.sh"

"$CLAIMCHECK" rules check -r "$RULES" >"$T/out" 2>"$T/err"; expect_status "rules check" 0 $?
if grep -q ': error: ' "$T/err"; then fail "rules check printed errors"; cat "$T/err" >&2; fi
# nor warnings: a shipped pattern PCRE2 tries at every byte slows every run
if grep -q ': warning: ' "$T/err"; then fail "rules check printed warnings"; cat "$T/err" >&2; fi
expect_grep "rules check summary" " 0 errors, 0 warnings" "$T/out"
cat "$T/out"

"$CLAIMCHECK" rules test -r "$RULES" >"$T/out" 2>"$T/err"; expect_status "rules test" 0 $?
grep FAILED "$T/out" >&2
expect_grep "rules test summary" " passed, 0 failed" "$T/out"
passed=$(sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p' "$T/out")
[ "${passed:-0}" -ge 50 ] || fail "expected at least 50 examples in the shipped rules, got ${passed:-0}"

# the optional rule files load beside the default set and their examples pass
for opt in "$RULES"/optional/*.rules; do
	"$CLAIMCHECK" rules test -r "$RULES" -r "$opt" >"$T/opt" 2>"$T/err"; expect_status "rules test with $(basename "$opt")" 0 $?
	expect_grep "$(basename "$opt") examples pass" " passed, 0 failed" "$T/opt"
done

# every category has rules, and every rule has examples of both kinds
"$CLAIMCHECK" rules list -r "$RULES" >"$T/list" 2>"$T/err"; expect_status "rules list" 0 $?
for cat in hedge speculation weasel source; do
	grep -q " $cat " "$T/list" || fail "no $cat rules shipped"
done
if grep -q '  0 examples' "$T/list"; then fail "rules without examples:"; grep '  0 examples' "$T/list" >&2; fi

finish
