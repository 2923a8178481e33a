#!/bin/sh
# review-tty.sh — the interactive `claimcheck review`, driven through a
# pseudo-terminal by tests/pty-drive: keys c, f, z (undo), u, n + a note, q
# record the expected verdicts; a second session resumes at the first claim
# without a verdict and redraws on a window resize; ^C and SIGTERM end a
# session with the terminal restored and the verdicts kept.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

DRIVE="$top_builddir/tests/pty-drive"
if [ ! -x "$DRIVE" ]; then
	echo "review-tty: $DRIVE is not built (make tests/pty-drive); skipped" >&2
	exit 77
fi

"$CLAIMCHECK" run -q -o "$T/r.db" "$top_srcdir/corpora/sample"; expect_status "run" 0 $?
"$CLAIMCHECK" review -d "$T/r.db" --list >"$T/list"; expect_status "--list" 0 $?
i1=$(sed -n 1p "$T/list" | cut -f1)
i2=$(sed -n 2p "$T/list" | cut -f1)
i3=$(sed -n 3p "$T/list" | cut -f1)
i4=$(sed -n 4p "$T/list" | cut -f1)
i5=$(sed -n 5p "$T/list" | cut -f1)
i6=$(sed -n 6p "$T/list" | cut -f1)
total=$(wc -l <"$T/list" | tr -d ' ')

# verdict of a claim id, from the database
v() {
	q "$T/r.db" "SELECT verdict || '|' || coalesce(note, '') || '|' || coalesce(reviewer, '')
		FROM verdicts WHERE rule = '' AND substr(doc_hash, 1, 8) || '@' || start = '$1'"
}

# session 1: c, f, z, u, n + note, c, q
cat >"$T/s1" <<EOF
expect $i1
expect check-worthiness
send c
expect $i2
send f
expect $i3
send z
expect $i2
expect Undone: false_positive
send u
expect $i3
send n
expect note:
send hello from the test\r
expect Note kept
send c
expect $i4
send ?
expect Keys
send x
expect $i4
send q
EOF
"$DRIVE" -t 20 -l "$T/s1.log" "$T/s1" -- "$CLAIMCHECK" review -d "$T/r.db" --reviewer tester \
	>"$T/s1.out" 2>&1
expect_status "session 1" 0 $?
cat "$T/s1.out" >&2
expect_grep "session 1 says what it saved" "3 changes saved this session; 3 of $total claims have a verdict; next: $i4." "$T/s1.log"
expect_eq "c on claim 1" "confirmed||tester" "$(v "$i1")"
expect_eq "f then z then u on claim 2" "unsure||tester" "$(v "$i2")"
expect_eq "n + note, then c on claim 3" "confirmed|hello from the test|tester" "$(v "$i3")"
expect_eq "three verdicts" "3" "$(q "$T/r.db" "SELECT count(*) FROM verdicts")"
expect_grep "the alternate screen is left" "$(printf '\033[?1049l')" "$T/s1.log"

# session 2: resumes at claim 4; a resize redraws; s skips it, f on claim 5
cat >"$T/s2" <<EOF
expect Resuming at claim 4
resize 30 60
expect $i4
send s
expect $i5
send f
expect $i6
send q
EOF
"$DRIVE" -t 20 -l "$T/s2.log" "$T/s2" -- "$CLAIMCHECK" review -d "$T/r.db" --reviewer tester \
	>"$T/s2.out" 2>&1
expect_status "session 2" 0 $?
cat "$T/s2.out" >&2
first=$(grep -o '[0-9a-f]\{8\}@[0-9]*' "$T/s2.log" | head -1)
expect_eq "session 2 opens at the first claim without a verdict" "$i4" "$first"
expect_eq "skipped claim 4 has no verdict" "" "$(v "$i4")"
expect_eq "f on claim 5" "false_positive||tester" "$(v "$i5")"

# session 3: ^C ends it; the terminal is back in its normal mode
cat >"$T/s3" <<EOF
expect Resuming at claim 4
send c
expect $i6
send \x03
expect status=130
EOF
"$DRIVE" -t 20 -l "$T/s3.log" "$T/s3" -- sh -c 'trap "" INT; "$@"; echo "status=$?"; stty -a' sh \
	"$CLAIMCHECK" review -d "$T/r.db" >"$T/s3.out" 2>&1
expect_status "session 3" 0 $?
cat "$T/s3.out" >&2
expect_grep "^C reported" "interrupted" "$T/s3.log"
expect_grep "stty after ^C: canonical mode" "icanon" "$T/s3.log"
expect_no_grep "stty after ^C: not raw" "-icanon" "$T/s3.log"
if grep -qw -- '-echo' "$T/s3.log"; then fail "stty after ^C: echo is off"; fi
expect_eq "the verdict before ^C is kept" "confirmed" "$(v "$i4" | cut -d'|' -f1)"

# session 4: SIGTERM
cat >"$T/s4" <<EOF
expect $i6
signal TERM
EOF
"$DRIVE" -t 20 -l "$T/s4.log" "$T/s4" -- "$CLAIMCHECK" review -d "$T/r.db" >"$T/s4.out" 2>&1
expect_status "SIGTERM" 143 $?
expect_grep "SIGTERM: the alternate screen is left" "$(printf '\033[?1049l')" "$T/s4.log"
expect_eq "five verdicts in all" "5" "$(q "$T/r.db" "SELECT count(*) FROM verdicts")"

# the verdicts of these sessions survive a re-run with edited rules: every
# hedge weight changed (so every document is analysed again), one rule gone
before=$(q "$T/r.db" "SELECT doc_hash, start, \"end\", rule, verdict, coalesce(note, ''), updated FROM verdicts ORDER BY 1, 2, 3, 4")
mkdir -p "$T/rules-edited"
cp "$top_srcdir"/rules/*.rules "$T/rules-edited/"
sed 's/^weight *= *0\.[0-9]*/weight   = 0.45/' "$top_srcdir/rules/hedges.rules" >"$T/rules-edited/hedges.rules"
"$CLAIMCHECK" run -q -r "$T/rules-edited" --skip-rule hedge.adverb -o "$T/r.db" "$top_srcdir/corpora/sample"
expect_status "re-run with edited rules" 0 $?
expect_eq "every document analysed again" "$(q "$T/r.db" "SELECT count(*) FROM documents")" \
	"$(q "$T/r.db" "SELECT documents FROM runs ORDER BY id DESC LIMIT 1")"
expect_eq "no hedge.adverb tags any more" "0" "$(q "$T/r.db" "SELECT count(*) FROM tags WHERE rule = 'hedge.adverb'")"
expect_eq "the verdict rows unchanged" "$before" \
	"$(q "$T/r.db" "SELECT doc_hash, start, \"end\", rule, verdict, coalesce(note, ''), updated FROM verdicts ORDER BY 1, 2, 3, 4")"
expect_eq "each still on its sentence" "5" "$(q "$T/r.db" "SELECT count(*) FROM verdicts v WHERE EXISTS (
	SELECT 1 FROM sentences s JOIN documents d ON d.id = s.doc_id
	WHERE d.text_hash = v.doc_hash AND s.start = v.start AND s.\"end\" = v.\"end\")")"
"$CLAIMCHECK" review -d "$T/r.db" --status >"$T/status" 2>&1
expect_grep "review --status: all five on a claim" "verdicts  5 in the database, 0 no longer on a claim" "$T/status"

finish
