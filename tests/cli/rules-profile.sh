#!/bin/sh
# rules-profile.sh — `claimcheck rules profile`: per-rule and per-pattern
# sentences, calls, matches and tags, checked against hand counts on a small
# rule set and against `run` on the sample; json that parses; --top, --rule;
# exit codes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3
LC_ALL=C
export LC_ALL

F="$top_srcdir/tests/fixtures/profile"
S="$top_srcdir/corpora/sample"

# jv FILE PATH: one value of a json file (sqlite's json_extract)
jv() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}

# ---- hand counts on the small rule set ------------------------------------------
# a.txt: 5 sentences, "said" in 3 of them (4 times), "told" in 1; b.jsonl: 2 records,
# 3 sentences, "said" once. "said to" is an exception.
"$CLAIMCHECK" rules profile -r "$F/profile.rules" --format json "$F/a.txt" "$F/b.jsonl" \
	>"$T/p.json" 2>"$T/err"; expect_status "profile json" 0 $?
expect_eq "json: nothing on stderr" "" "$(cat "$T/err")"
expect_eq "json is valid" 1 "$(sqlite3 -batch -noheader :memory: "SELECT json_valid(CAST(readfile('$T/p.json') AS TEXT))")"
expect_eq "documents (a file and two records)" 3 "$(jv "$T/p.json" '$.documents')"
expect_eq "sentences" 8 "$(jv "$T/p.json" '$.sentences')"
expect_eq "failed" 0 "$(jv "$T/p.json" '$.failed')"
expect_eq "costliest rule first" t.said "$(jv "$T/p.json" '$.rules[0].rule')"
expect_eq "t.said: sentences its patterns ran in" 5 "$(jv "$T/p.json" '$.rules[0].sentences')"
expect_eq "t.said: matches of its patterns" 6 "$(jv "$T/p.json" '$.rules[0].matches')"
expect_eq "t.said: tags (one match is an exception)" 5 "$(jv "$T/p.json" '$.rules[0].tags')"
# Pattern 1's matches all start with "said": one call where each "said" starts.
expect_eq "t.said pattern 1: sentences, calls, matches" "4|5|5" \
	"$(jv "$T/p.json" '$.rules[0].patterns[0].sentences')|$(jv "$T/p.json" '$.rules[0].patterns[0].calls')|$(jv "$T/p.json" '$.rules[0].patterns[0].matches')"
expect_eq "t.said pattern 2 (told): sentences, matches" "1|1" \
	"$(jv "$T/p.json" '$.rules[0].patterns[1].sentences')|$(jv "$T/p.json" '$.rules[0].patterns[1].matches')"
expect_eq "t.said except-pattern 1: numbered, marked, one match" "1|1|1" \
	"$(jv "$T/p.json" '$.rules[0].patterns[2].pattern')|$(jv "$T/p.json" '$.rules[0].patterns[2].except')|$(jv "$T/p.json" '$.rules[0].patterns[2].matches')"
[ "$(jv "$T/p.json" '$.rules[0].ns')" -gt 0 ] || fail "t.said took no time"
expect_eq "t.said holds all the pattern time" 1.0 "$(jv "$T/p.json" '$.rules[0].share')"
expect_eq "rule time = sum of its patterns' times" "$(jv "$T/p.json" '$.rules[0].ns')" \
	"$(sqlite3 -batch -noheader :memory: "SELECT sum(json_extract(value, '\$.ns')) FROM json_each(CAST(readfile('$T/p.json') AS TEXT), '\$.rules[0].patterns')")"
# t.never's literal occurs nowhere: the prefilter never lets it run
n=$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value, '\$.sentences') || '|' || json_extract(value, '\$.calls') || '|' || json_extract(value, '\$.ns') FROM json_each(CAST(readfile('$T/p.json') AS TEXT), '\$.rules') WHERE json_extract(value, '\$.rule') = 't.never'")
expect_eq "t.never: never ran" "0|0|0" "$n"
n=$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value, '\$.tags') || '|' || json_array_length(value, '\$.patterns') FROM json_each(CAST(readfile('$T/p.json') AS TEXT), '\$.rules') WHERE json_extract(value, '\$.rule') = 't.maybe'")
expect_eq "t.maybe (word items): tags, no patterns" "2|0" "$n"

# text: the same figures in columns
"$CLAIMCHECK" rules profile -r "$F/profile.rules" "$F/a.txt" "$F/b.jsonl" >"$T/p.txt" 2>"$T/err"
expect_status "profile text" 0 $?
expect_grep "text heading" "3 documents" "$T/p.txt"
expect_grep "text heading: sentences" "8 sentences" "$T/p.txt"
expect_eq "text: t.said sentences calls matches tags" "5 11 6 5" \
	"$(awk '$NF == "t.said" { print $4, $5, $6, $7 }' "$T/p.txt")"
expect_eq "text: t.never" "0 0 0 0" "$(awk '$NF == "t.never" { print $4, $5, $6, $7 }' "$T/p.txt")"
expect_eq "text: per-pattern lines under t.said" "pattern 1|pattern 2|except-pattern 1" \
	"$(awk 'NF > 1 && $(NF-1) ~ /pattern$/ { printf "%s%s %s", sep, $(NF-1), $NF; sep = "|" }' "$T/p.txt")"

# --top and --rule
"$CLAIMCHECK" rules profile -r "$F/profile.rules" --top 1 --format json "$F/a.txt" >"$T/top.json"
expect_status "--top 1" 0 $?
expect_eq "--top 1: one rule" 1 "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(CAST(readfile('$T/top.json') AS TEXT), '\$.rules')")"
"$CLAIMCHECK" rules profile -r "$F/profile.rules" --rule t.maybe --format json "$F/a.txt" >"$T/one.json"
expect_status "--rule" 0 $?
expect_eq "--rule: only that rule" "t.maybe|1" \
	"$(jv "$T/one.json" '$.rules[0].rule')|$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(CAST(readfile('$T/one.json') AS TEXT), '\$.rules')")"
expect_eq "--rule: other rules did not run" 0 "$(jv "$T/one.json" '$.patterns_ns')"

# ---- the shipped rules on the sample: tags as `run` stores them -----------------
"$CLAIMCHECK" run -q -o "$T/s.db" "$S"; expect_status "run" 0 $?
"$CLAIMCHECK" rules profile --format json "$S" >"$T/s.json" 2>"$T/err"; expect_status "profile sample" 0 $?
expect_eq "sample: documents as run" "$(q "$T/s.db" "SELECT count(*) FROM documents")" "$(jv "$T/s.json" '$.documents')"
expect_eq "sample: sentences as run" "$(q "$T/s.db" "SELECT count(*) FROM sentences")" "$(jv "$T/s.json" '$.sentences')"
got=$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value, '\$.rule') || '|' || json_extract(value, '\$.tags') FROM json_each(CAST(readfile('$T/s.json') AS TEXT), '\$.rules') WHERE json_extract(value, '\$.tags') > 0" | sort)
want=$(q "$T/s.db" "SELECT rule || '|' || count(*) FROM tags GROUP BY rule" | sort)
[ -n "$want" ] || fail "the sample has tags"
expect_eq "sample: tags per rule = run's tags" "$want" "$got"
expect_eq "sample: every rule listed" "$("$CLAIMCHECK" rules list | wc -l | tr -d ' ')" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(CAST(readfile('$T/s.json') AS TEXT), '\$.rules')")"
n=$(sqlite3 -batch -noheader :memory: "SELECT count(*) FROM json_each(CAST(readfile('$T/s.json') AS TEXT), '\$.rules') r, json_each(r.value, '\$.patterns') p WHERE json_extract(p.value, '\$.calls') < json_extract(p.value, '\$.matches')")
expect_eq "sample: a pattern's calls >= its matches" 0 "$n"
n=$(sqlite3 -batch -noheader :memory: "SELECT count(*) FROM json_each(CAST(readfile('$T/s.json') AS TEXT), '\$.rules') a, json_each(CAST(readfile('$T/s.json') AS TEXT), '\$.rules') b WHERE a.key + 1 = b.key AND json_extract(a.value, '\$.ns') < json_extract(b.value, '\$.ns')")
expect_eq "sample: costliest first" 0 "$n"

# ---- errors -------------------------------------------------------------------------
"$CLAIMCHECK" rules profile >"$T/out" 2>"$T/err"; expect_status "no inputs" 2 $?
expect_grep "no inputs: says so" "needs input files" "$T/err"
"$CLAIMCHECK" rules profile --format csv "$F/a.txt" >"$T/out" 2>"$T/err"; expect_status "csv" 2 $?
"$CLAIMCHECK" rules profile --top 0 "$F/a.txt" >"$T/out" 2>"$T/err"; expect_status "--top 0" 2 $?
"$CLAIMCHECK" rules list --top 3 >"$T/out" 2>"$T/err"; expect_status "--top with list" 2 $?
"$CLAIMCHECK" rules profile -r "$F/profile.rules" --format json "$F/a.txt" "$T/missing.txt" >"$T/m.json" 2>"$T/err"
expect_status "a missing input" 1 $?
expect_grep "a missing input: named" "missing.txt" "$T/err"
expect_eq "a missing input: the others are profiled" 1 "$(jv "$T/m.json" '$.documents')"
printf '{"id":1,"text":"Lee said so."}\n{"id":2,\n' >"$T/bad.jsonl"
"$CLAIMCHECK" rules profile -r "$F/profile.rules" --format json "$T/bad.jsonl" >"$T/b.json" 2>"$T/err"
expect_status "a bad JSONL record" 1 $?
expect_grep "a bad JSONL record: FILE:LINE" "bad.jsonl:2:" "$T/err"
expect_eq "a bad JSONL record: failed, the good one profiled" "1|1" \
	"$(jv "$T/b.json" '$.failed')|$(jv "$T/b.json" '$.documents')"
"$CLAIMCHECK" rules --help >"$T/help"; expect_status "help" 0 $?
expect_grep "help: profile" "rules profile [OPTIONS] FILE|DIR..." "$T/help"

finish
