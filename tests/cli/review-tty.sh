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

# session 5, in a database of its own: verdicts on single rules. r selects
# the claim's next rule and c, f, u then judge that rule's tags (one row per
# tag span, rule set) while the claim stays; n then notes the rule's
# verdict (it needs one first); z takes a rule verdict back;
# after the last rule, or with Esc, verdicts go to the claim again
"$CLAIMCHECK" run -q -o "$T/rr.db" "$top_srcdir/corpora/sample"; expect_status "run 2" 0 $?
"$CLAIMCHECK" review -d "$T/rr.db" -c hedge --list >"$T/hlist"
h1=$(sed -n 1p "$T/hlist" | cut -f1)
h2=$(sed -n 2p "$T/hlist" | cut -f1)
h3=$(sed -n 3p "$T/hlist" | cut -f1)
# the rules of a claim, distinct, in tag order
rules_of() {
	q "$T/rr.db" "SELECT t.rule FROM tags t JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
		JOIN documents d ON d.id = s.doc_id WHERE substr(d.text_hash, 1, 8) || '@' || s.start = '$1'
		GROUP BY t.rule ORDER BY min(t.idx)"
}
r1a=$(rules_of "$h1" | sed -n 1p)
r1b=$(rules_of "$h1" | sed -n 2p)
r2a=$(rules_of "$h2" | sed -n 1p)
[ -n "$r1a" ] && [ -n "$r1b" ] && [ -n "$r2a" ] || fail "the first hedge claims have too few rules for session 5"
cat >"$T/s5" <<EOF
expect $h1
send r
expect verdicts on rule $r1a
send f
expect $h1/$r1a: false_positive
send n
expect note:
send sense of the word differs\r
expect Note saved on rule $r1a
send r
expect verdicts on rule $r1b
send n
expect Give rule $r1b a verdict first
send u
expect $h1/$r1b: unsure
send z
expect Undone: unsure on a rule
send r
expect Verdicts go to the claim again
send c
expect $h2
send r
expect verdicts on rule $r2a
send c
expect $h2/$r2a: confirmed
send \x1b
expect Verdicts go to the claim again
send f
expect $h3
send q
EOF
"$DRIVE" -t 20 -l "$T/s5.log" "$T/s5" -- "$CLAIMCHECK" review -d "$T/rr.db" -c hedge --reviewer tester \
	>"$T/s5.out" 2>&1
expect_status "session 5" 0 $?
cat "$T/s5.out" >&2
# the verdicts on a rule's tags in the sentence with this claim id
vr() {
	q "$T/rr.db" "SELECT group_concat(v.verdict || '|' || coalesce(v.reviewer, ''), ',') FROM verdicts v
		JOIN documents d ON d.text_hash = v.doc_hash JOIN sentences s ON s.doc_id = d.id
		WHERE v.rule = '$2' AND substr(d.text_hash, 1, 8) || '@' || s.start = '$1'
		AND v.start >= s.start AND v.\"end\" <= s.\"end\""
}
n1a=$(q "$T/rr.db" "SELECT count(DISTINCT t.start || ',' || t.\"end\") FROM tags t JOIN sentences s
	ON s.doc_id = t.doc_id AND s.idx = t.sentence JOIN documents d ON d.id = s.doc_id
	WHERE substr(d.text_hash, 1, 8) || '@' || s.start = '$h1' AND t.rule = '$r1a'")
expect_eq "f on rule $r1a: one row per tag span" "$n1a" \
	"$(q "$T/rr.db" "SELECT count(*) FROM verdicts WHERE rule = '$r1a' AND verdict = 'false_positive'")"
expect_eq "a rule verdict is keyed by its tag's span" "$n1a" "$(q "$T/rr.db" "SELECT count(*) FROM verdicts v
	JOIN documents d ON d.text_hash = v.doc_hash JOIN tags t ON t.doc_id = d.id AND t.rule = v.rule
	AND t.start = v.start AND t.\"end\" = v.\"end\" WHERE v.rule = '$r1a'")"
expect_eq "u on rule $r1b, undone" "" "$(vr "$h1" "$r1b")"
expect_eq "c on claim 1 after its rules" "confirmed|tester" "$(q "$T/rr.db" "SELECT verdict || '|' || reviewer
	FROM verdicts WHERE rule = '' AND substr(doc_hash, 1, 8) || '@' || start = '$h1'")"
expect_eq "c on rule $r2a of claim 2" "confirmed|tester" "$(vr "$h2" "$r2a" | cut -d, -f1)"
expect_eq "Esc, then f on claim 2" "false_positive" "$(q "$T/rr.db" "SELECT verdict FROM verdicts
	WHERE rule = '' AND substr(doc_hash, 1, 8) || '@' || start = '$h2'")"
expect_grep "the session counts its changes" "5 changes saved this session" "$T/s5.log"
expect_eq "n on rule $r1a: the note on each of its rows" "$n1a" \
	"$(q "$T/rr.db" "SELECT count(*) FROM verdicts WHERE rule = '$r1a' AND note = 'sense of the word differs'")"

finish
