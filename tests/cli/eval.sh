#!/bin/sh
# eval.sh — `claimcheck eval` on small gold files of each format, with a
# small rule set (tests/fixtures/eval/eval.rules), so every figure below is
# known exactly (worked out by hand; the README defines them): table, JSON
# and TSV forms, --errors, rule selection, malformed records, usage errors;
# and the project's own gold files (record counts only: the shipped rules
# change).
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

F="$top_srcdir/tests/fixtures/eval"
R="$F/eval.rules"

# jx FILE PATH: a JSON value from a file, through SQLite's JSON functions
jx() {
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}

# ---- uncertainty -------------------------------------------------------------
# u1..u8: predicted uncertain u1 u2 u3 u4 u5 u7, gold uncertain u1 u2 u3 u4 u7 u8
#   sentence tp 5 fp 1 (u5) fn 1 (u8): P = R = F1 = 5/6
# gold cues may, is expected to, Some say, might, Either ... or, Critics argue, think (7)
# predicted may, expected to, Some say, might, "Either the board resigns or", may (u5), Critics argue (7)
#   exact: 5 (all but "is expected to"/"expected to" and think/may): 5/7
#   overlap: also "is expected to"/"expected to": 6/7
"$CLAIMCHECK" eval -r "$R" "$F/uncertainty.jsonl" >"$T/u.txt" 2>"$T/err"; expect_status "eval uncertainty" 0 $?
expect_grep "records" "uncertainty.jsonl: 8 records scored" "$T/u.txt"
expect_grep "uncertain count" "Uncertainty: 8 records, 6 uncertain" "$T/u.txt"
expect_grep "sentence row" "  sentence                     5       1       1     0.833   0.833   0.833" "$T/u.txt"
expect_grep "cue exact row" "  cue (exact)                  5       2       2     0.714   0.714   0.714" "$T/u.txt"
expect_grep "cue overlap row" "  cue (overlap)                6       1       1     0.857   0.857   0.857" "$T/u.txt"
# calibration: u3 scores 0.84 (might 0.6, some say 0.6), the others 0.6 or 0.5 or 0
expect_grep "score 0.5 row" "  score >= 0.5                 5       1       1     0.833   0.833   0.833" "$T/u.txt"
expect_grep "score 0.9 row" "  score >= 0.9                 0       0       6         -   0.000       -" "$T/u.txt"
expect_no_grep "no attribution section" "Attribution" "$T/u.txt"
# rules under the default --min-hits 5 are listed on one line, with hits/tp
expect_grep "few-hit rules" "fewer than 5 hits (hits/tp): hedge.may 3/2, weasel.vague 2/2, spec.either-or 1/1, spec.expected 1/1" "$T/u.txt"
expect_grep "category row" "  (any hedge rule)         hedge              3       2     0.667" "$T/u.txt"
# --min-hits 1: ranked, worst precision first, then more hits first
"$CLAIMCHECK" eval -r "$R" --min-hits 1 "$F/uncertainty.jsonl" >"$T/u1.txt" 2>"$T/err"; expect_status "eval --min-hits" 0 $?
expect_eq "rule order" "hedge.may weasel.vague spec.either-or spec.expected" \
	"$(sed -n '/^  rule /,/^  (any/p' "$T/u1.txt" | awk 'NR > 1 && $1 !~ /^\(/ { printf "%s%s", s, $1; s = " " }')"
expect_grep "hedge.may row" "  hedge.may                hedge              3       2     0.667" "$T/u1.txt"

# JSON: the same figures, four significant digits
"$CLAIMCHECK" eval -r "$R" --format json "$F/uncertainty.jsonl" >"$T/u.json" 2>"$T/err"; expect_status "eval json" 0 $?
expect_eq "json version" "1" "$(jx "$T/u.json" '$.version')"
expect_eq "json records" "8|0" "$(jx "$T/u.json" '$.records')|$(jx "$T/u.json" '$.skipped')"
expect_eq "json sentence counts" "5 1 1 1" "$(jx "$T/u.json" '$.uncertainty.sentence.tp') $(jx "$T/u.json" '$.uncertainty.sentence.fp') $(jx "$T/u.json" '$.uncertainty.sentence.fn') $(jx "$T/u.json" '$.uncertainty.sentence.tn')"
expect_eq "json sentence f1" "0.8333" "$(jx "$T/u.json" '$.uncertainty.sentence.f1')"
expect_eq "json cue exact" "5|0.7143" "$(jx "$T/u.json" '$.uncertainty.cue_exact.tp')|$(jx "$T/u.json" '$.uncertainty.cue_exact.precision')"
expect_eq "json score50" "5|1|0.8333" "$(jx "$T/u.json" '$.uncertainty.score50.tp')|$(jx "$T/u.json" '$.uncertainty.score50.tn')|$(jx "$T/u.json" '$.uncertainty.score50.precision')"
expect_eq "json cue overlap" "0.8571" "$(jx "$T/u.json" '$.uncertainty.cue_overlap.recall')"
expect_eq "json no attribution" "" "$(jx "$T/u.json" '$.attribution')"
expect_eq "json worst rule first" "hedge.may|3|2|0.6667" "$(jx "$T/u.json" '$.rules[0].rule')|$(jx "$T/u.json" '$.rules[0].hits')|$(jx "$T/u.json" '$.rules[0].tp')|$(jx "$T/u.json" '$.rules[0].precision')"
expect_eq "json rules listed" "4" "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(CAST(readfile('$T/u.json') AS TEXT), '\$.rules'))")"
expect_eq "json no errors unless asked" "" "$(jx "$T/u.json" '$.errors')"

# TSV
"$CLAIMCHECK" eval -r "$R" --format tsv "$F/uncertainty.jsonl" >"$T/u.tsv" 2>"$T/err"; expect_status "eval tsv" 0 $?
expect_eq "tsv sentence f1" "0.8333" "$(awk -F '\t' '$1 == "uncertainty" && $2 == "sentence.f1" { print $3 }' "$T/u.tsv")"
expect_eq "tsv cue tp" "6" "$(awk -F '\t' '$1 == "uncertainty" && $2 == "cue_overlap.tp" { print $3 }' "$T/u.tsv")"
expect_eq "tsv rule precision" "0.6667" "$(awk -F '\t' '$1 == "rules" && $2 == "hedge.may.precision" { print $3 }' "$T/u.tsv")"

# --errors: the false positive u5 (with its rule) and the false negative u8
"$CLAIMCHECK" eval -r "$R" --errors 5 "$F/uncertainty.jsonl" >"$T/ue.txt" 2>"$T/err"; expect_status "eval --errors" 0 $?
expect_grep "fp heading" "uncertainty false positive, line 5, id u5:" "$T/ue.txt"
expect_grep "fp cue and rule" "  predicted: \"may\" (hedge.may)" "$T/ue.txt"
expect_grep "fn heading" "uncertainty false negative, line 8, id u8:" "$T/ue.txt"
expect_grep "fn gold cues" "  gold cues: \"think\"" "$T/ue.txt"
expect_eq "one fp, one fn" "2" "$(grep -c '^uncertainty false' "$T/ue.txt")"
"$CLAIMCHECK" eval -r "$R" --format json --errors 1 "$F/uncertainty.jsonl" >"$T/ue.json" 2>"$T/err"; expect_status "eval json --errors" 0 $?
expect_eq "json fp" "u5|may|hedge.may" "$(jx "$T/ue.json" '$.errors.uncertainty.false_positives[0].id')|$(jx "$T/ue.json" '$.errors.uncertainty.false_positives[0].predicted[0].cue')|$(jx "$T/ue.json" '$.errors.uncertainty.false_positives[0].predicted[0].rules[0]')"
expect_eq "json fn" "8|think" "$(jx "$T/ue.json" '$.errors.uncertainty.false_negatives[0].line')|$(jx "$T/ue.json" '$.errors.uncertainty.false_negatives[0].gold[0]')"

# --rule / --skip-rule: with hedge.may alone, u1 u3 u5 are predicted
"$CLAIMCHECK" eval -r "$R" --format tsv --rule hedge.may "$F/uncertainty.jsonl" >"$T/ur.tsv" 2>"$T/err"; expect_status "eval --rule" 0 $?
expect_eq "--rule counts" "2 1 4" "$(awk -F '\t' '$2 ~ /^sentence\.(tp|fp|fn)$/ { printf "%s%s", s, $3; s = " " }' "$T/ur.tsv")"
"$CLAIMCHECK" eval -r "$R" --format tsv --skip-rule hedge.may "$F/uncertainty.jsonl" >"$T/us.tsv" 2>"$T/err"; expect_status "eval --skip-rule" 0 $?
expect_eq "--skip-rule counts" "4 0 2" "$(awk -F '\t' '$2 ~ /^sentence\.(tp|fp|fn)$/ { printf "%s%s", s, $3; s = " " }' "$T/us.tsv")"

# ---- attribution ---------------------------------------------------------------
# a1..a8: predicted a1 a2 a3 a5 a7; gold a1 a2 a3 a4 a7 a8 -> has source tp 4 fp 1 fn 2
# cues: gold 7 (a8's "said" counts), predicted 6, 5 equal -> P 5/6, R 5/7, F1 10/13
# sources: gold 6 (a8 has none), predicted 6 (Plan from a5); exact 4, overlap 5 (Tom Reyes)
"$CLAIMCHECK" eval -r "$R" "$F/attribution.jsonl" >"$T/a.txt" 2>"$T/err"; expect_status "eval attribution" 0 $?
expect_grep "attribution heading" "Attribution: 8 records, 6 with a source" "$T/a.txt"
expect_grep "has source row" "  has source                   4       1       2     0.800   0.667   0.727" "$T/a.txt"
expect_grep "cue exact row" "  cue (exact)                  5       1       2     0.833   0.714   0.769" "$T/a.txt"
expect_grep "cue overlap row" "  cue (overlap)                5       1       2     0.833   0.714   0.769" "$T/a.txt"
expect_grep "source exact row" "  source (exact)               4       2       2     0.667   0.667   0.667" "$T/a.txt"
expect_grep "source overlap row" "  source (overlap)             5       1       1     0.833   0.833   0.833" "$T/a.txt"
expect_no_grep "no uncertainty section" "Uncertainty" "$T/a.txt"
"$CLAIMCHECK" eval -r "$R" --format json --errors 5 "$F/attribution.jsonl" >"$T/a.json" 2>"$T/err"; expect_status "eval attribution json" 0 $?
expect_eq "json has_source" "4|1|2|1|0.8|0.6667|0.7273" "$(jx "$T/a.json" '$.attribution.has_source.tp')|$(jx "$T/a.json" '$.attribution.has_source.fp')|$(jx "$T/a.json" '$.attribution.has_source.fn')|$(jx "$T/a.json" '$.attribution.has_source.tn')|$(jx "$T/a.json" '$.attribution.has_source.precision')|$(jx "$T/a.json" '$.attribution.has_source.recall')|$(jx "$T/a.json" '$.attribution.has_source.f1')"
expect_eq "json cue f1" "0.7692" "$(jx "$T/a.json" '$.attribution.cue_exact.f1')"
expect_eq "json source" "0.6667|0.8333" "$(jx "$T/a.json" '$.attribution.source_exact.f1')|$(jx "$T/a.json" '$.attribution.source_overlap.f1')"
expect_eq "json source rule" "source.according-to|3|2" "$(jx "$T/a.json" '$.rules[0].rule')|$(jx "$T/a.json" '$.rules[0].hits')|$(jx "$T/a.json" '$.rules[0].tp')"
expect_eq "json attribution fp" "a5|According to|Plan|source.according-to" "$(jx "$T/a.json" '$.errors.attribution.false_positives[0].id')|$(jx "$T/a.json" '$.errors.attribution.false_positives[0].predicted[0].cue')|$(jx "$T/a.json" '$.errors.attribution.false_positives[0].predicted[0].source')|$(jx "$T/a.json" '$.errors.attribution.false_positives[0].predicted[0].rule')"
expect_eq "json attribution fns" "a4 a8" "$(jx "$T/a.json" '$.errors.attribution.false_negatives[0].id') $(jx "$T/a.json" '$.errors.attribution.false_negatives[1].id')"
"$CLAIMCHECK" eval -r "$R" --errors 1 "$F/attribution.jsonl" >"$T/ae.txt" 2>"$T/err"
expect_grep "table attribution fp" "  predicted: \"According to\" source \"Plan\" (source.according-to)" "$T/ae.txt"
expect_grep "table attribution fn" "  gold:      \"told\" source \"Officials\"" "$T/ae.txt"

# ---- segmentation -----------------------------------------------------------------
# 1 passes (2 ends); 2 fails (gold 1 end, predicted 2); 3 passes (line break = space);
# 4 fails ("Three." is not in the text: a missed end; "Two." a spurious one)
# ends: tp 5, fp 2, fn 1 -> P 5/7, R 5/6, F1 10/13
"$CLAIMCHECK" eval -r "$R" "$F/segmentation.jsonl" >"$T/s.txt" 2>"$T/err"; expect_status "eval segmentation" 0 $?
expect_grep "passed" "Segmentation: 4 records, 2 passed (0.500)" "$T/s.txt"
expect_grep "ends row" "  sentence ends                5       2       1     0.714   0.833   0.769" "$T/s.txt"
"$CLAIMCHECK" eval -r "$R" --format json --errors 5 "$F/segmentation.jsonl" >"$T/s.json" 2>"$T/err"; expect_status "eval segmentation json" 0 $?
expect_eq "json passed" "4|2|0.7692" "$(jx "$T/s.json" '$.segmentation.records')|$(jx "$T/s.json" '$.segmentation.passed')|$(jx "$T/s.json" '$.segmentation.boundaries.f1')"
expect_eq "json failed records" "2 4" "$(jx "$T/s.json" '$.errors.segmentation[0].id') $(jx "$T/s.json" '$.errors.segmentation[1].id')"
expect_eq "json failed split" "Prices rose.|Wages did not." "$(jx "$T/s.json" '$.errors.segmentation[0].predicted[0]')|$(jx "$T/s.json" '$.errors.segmentation[0].predicted[1]')"
"$CLAIMCHECK" eval -r "$R" --errors 1 "$F/segmentation.jsonl" >"$T/se.txt" 2>"$T/err"
expect_grep "table failed record" "segmentation failed, line 2, id 2:" "$T/se.txt"
expect_grep "table predicted split" "  predicted: \"Prices rose.\", \"Wages did not.\"" "$T/se.txt"
expect_no_grep "only one" "line 4" "$T/se.txt"

# ---- malformed records, standard input ----------------------------------------------
{
	head -n 2 "$F/uncertainty.jsonl"
	echo 'not json'
	echo
	echo '{"id": "x", "text": "No gold here."}'
	tail -n 1 "$F/uncertainty.jsonl"
} >"$T/mixed.jsonl"
"$CLAIMCHECK" eval -r "$R" --format tsv - <"$T/mixed.jsonl" >"$T/m.tsv" 2>"$T/m.err"; expect_status "eval with bad records" 1 $?
expect_eq "scored and skipped" "3 2" "$(awk -F '\t' '$1 == "all" { printf "%s%s", s, $3; s = " " }' "$T/m.tsv")"
expect_grep "bad JSON named with its line" "-:3:" "$T/m.err"
expect_grep "no gold fields named with its line" "-:5: none of the gold fields" "$T/m.err"

# ---- usage errors --------------------------------------------------------------------
"$CLAIMCHECK" eval -r "$R" "$T/missing.jsonl" >/dev/null 2>"$T/err"; expect_status "missing gold file" 2 $?
expect_grep "missing file named" "missing.jsonl" "$T/err"
"$CLAIMCHECK" eval -r "$R" --format xml "$F/uncertainty.jsonl" >/dev/null 2>"$T/err"; expect_status "bad format" 2 $?
"$CLAIMCHECK" eval -r "$R" --rule no.such "$F/uncertainty.jsonl" >/dev/null 2>"$T/err"; expect_status "unknown rule" 2 $?
expect_grep "unknown rule named" "no.such" "$T/err"
"$CLAIMCHECK" eval -r "$R" >/dev/null 2>"$T/err"; expect_status "no gold file" 2 $?
"$CLAIMCHECK" eval --help >"$T/help" 2>"$T/err"; expect_status "eval --help" 0 $?
expect_grep "help" "Usage: claimcheck eval" "$T/help"

# ---- the project's gold files, with the shipped rules -------------------------------
"$CLAIMCHECK" eval --format json "$top_srcdir/corpora/gold/sample-gold.jsonl" >"$T/g.json" 2>"$T/err"; expect_status "sample gold" 0 $?
expect_eq "sample gold records" "159|0|79|61" "$(jx "$T/g.json" '$.records')|$(jx "$T/g.json" '$.skipped')|$(jx "$T/g.json" '$.uncertainty.positive')|$(jx "$T/g.json" '$.attribution.positive')"
expect_eq "sample gold categories" "4" "$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(CAST(readfile('$T/g.json') AS TEXT), '\$.categories'))")"
"$CLAIMCHECK" eval --format tsv "$top_srcdir/corpora/gold/segmentation-gold.jsonl" >"$T/sg.tsv" 2>"$T/err"; expect_status "segmentation gold" 0 $?
expect_eq "segmentation gold records" "42" "$(awk -F '\t' '$1 == "segmentation" && $2 == "records" { print $3 }' "$T/sg.tsv")"

finish
