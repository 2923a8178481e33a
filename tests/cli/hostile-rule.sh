#!/bin/sh
# hostile-rule.sh — a user rule that backtracks catastrophically, `(a+)+$`,
# given with an extra --rules file: `rules check` warns about it; on text
# with a long run of 'a's that does not end the sentence PCRE2's match limit
# stops it quickly; the warning names the rule and the document, on stderr
# and in the document's row; the document keeps its other tags, the rest of
# the batch is untouched, and the run exits 0 (documented: warnings do not
# fail a run). --skip-rule leaves it out.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

printf '[rule hedge.hostile]\ncategory = hedge\nweight = 0.5\npattern = (a+)+$\n' >"$T/hostile.rules"
C="$T/corpus"
mkdir -p "$C"
as=$(head -c 30000 /dev/zero | tr '\0' a)
printf 'Sales may slip this year, officials said.\n\nThe code read %s! Nobody knows why.\n\nIt could rain, per analyst Tom Reyes.\n' "$as" >"$C/adversarial.txt"
printf 'Prices could rise next year, according to Reuters.\n' >"$C/fine.txt"
printf '{"id": "calm", "text": "Output will probably grow, people familiar with the matter said."}\n{"id": "evil", "text": "Try %s? It might work."}\n' "$as" >"$C/feed.jsonl"

"$CLAIMCHECK" rules check -r "$RULES" -r "$T/hostile.rules" >"$T/check.out" 2>&1
expect_status "rules check" 0 $?
expect_grep "rules check warns where the pattern is" "hostile.rules:4:11: warning: nested unbounded quantifiers" "$T/check.out"

start=$(date +%s)
"$CLAIMCHECK" run -j2 -o "$T/h.db" -r "$RULES" -r "$T/hostile.rules" "$C" >"$T/run.out" 2>"$T/run.err"
expect_status "run with the hostile rule" 0 $?
took=$(($(date +%s) - start))
[ $took -le 20 ] || fail "the run took $took s: the match limit did not stop the rule in time"
expect_grep "stderr names the document and the rule" \
	"$C/adversarial.txt: warning: rule \`hedge.hostile\`: a pattern hit the PCRE2 match limit" "$T/run.err"
expect_grep "stderr names the JSONL record" "$C/feed.jsonl#evil: warning: rule \`hedge.hostile\`" "$T/run.err"
expect_grep "the summary counts the warnings" "warnings   2 documents analysed with a warning" "$T/run.out"
expect_eq "the warnings are in the documents' rows" \
	"$C/adversarial.txt|1|1$C/feed.jsonl#evil|1|1" \
	"$(q "$T/h.db" "SELECT key, error IS NULL, warning LIKE '%hedge.hostile%match limit%' FROM documents WHERE warning IS NOT NULL ORDER BY key" | tr -d '\n')"
expect_eq "no document failed" "4|0" "$(q "$T/h.db" "SELECT count(*), count(error) FROM documents")"

# everything but the hostile rule's tags is as without it
"$CLAIMCHECK" run -q -j2 -o "$T/ref.db" -r "$RULES" "$C"; expect_status "run without it" 0 $?
tags() {
	q "$1" "SELECT d.key, t.rule, t.start, t.\"end\", coalesce(t.source, '') FROM tags t JOIN documents d ON d.id = t.doc_id WHERE t.rule <> 'hedge.hostile' ORDER BY 1, 3, 2"
}
expect_eq "the other rules' tags are all kept" "$(tags "$T/ref.db")" "$(tags "$T/h.db")"
n=$(q "$T/h.db" "SELECT count(*) FROM tags t JOIN documents d ON d.id = t.doc_id WHERE d.key LIKE '%adversarial.txt' AND t.rule IN ('hedge.may-might', 'speculation.could', 'source.per')")
expect_eq "the adversarial document's sentences are tagged by the others" "3" "$n"
expect_eq "no sentence here ends in a run of a's: no hostile tag" "0" \
	"$(q "$T/h.db" "SELECT count(*) FROM tags WHERE rule = 'hedge.hostile'")"

# where it matches quickly it tags
printf 'The answer was aaaa\n' >"$C/short.txt"
"$CLAIMCHECK" run -q -o "$T/h.db" -r "$RULES" -r "$T/hostile.rules" "$C" 2>/dev/null; expect_status "re-run" 0 $?
expect_eq "a quick match is a tag" "aaaa" "$(q "$T/h.db" "SELECT cue FROM tags WHERE rule = 'hedge.hostile'")"

# --skip-rule leaves it out: no warning
"$CLAIMCHECK" run -o "$T/s.db" -r "$RULES" -r "$T/hostile.rules" --skip-rule hedge.hostile "$C" >"$T/skip.out" 2>"$T/skip.err"
expect_status "run with --skip-rule hedge.hostile" 0 $?
expect_no_grep "no match-limit warning" "match limit" "$T/skip.err"
expect_eq "no warning in the database" "0" "$(q "$T/s.db" "SELECT count(warning) FROM documents")"

finish
