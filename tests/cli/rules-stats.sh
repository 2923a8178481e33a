#!/bin/sh
# rules-stats.sh — `claimcheck rules stats`: per-rule figures from a database
# (checked against SQL over the tags), reviewed precision from verdicts, gold
# precision and recall (checked against `claimcheck eval`), cues, false
# positives, formats and exit codes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3
LC_ALL=C
export LC_ALL

F="$top_srcdir/tests/fixtures/tuning"
S="$top_srcdir/corpora/sample"
DB="$T/s.db"
"$CLAIMCHECK" run -q -o "$DB" "$S"; expect_status "run" 0 $?

# json: one query over the output file
jq_() {
	sqlite3 -batch -noheader :memory: "SELECT $2 FROM json_each(CAST(readfile('$1') AS TEXT), '\$.rules') r ${3-}"
}

# ---- hits, sentences, flagged sentences: as SQL counts them ---------------------
"$CLAIMCHECK" rules stats -d "$DB" --format csv >"$T/st.csv" 2>"$T/err"; expect_status "csv" 0 $?
expect_eq "csv: nothing on stderr" "" "$(cat "$T/err")"
expect_eq "csv header" "rule,category,defined,hits,documents,sentences,flagged_sentences,flagged_share,confirmed,false_positive,unsure,reviewed_precision,gold_hits,gold_tp,gold_precision,gold_recall,below_threshold,cues" \
	"$(head -1 "$T/st.csv" | tr -d '\r')"
got=$(awk -F, 'NR > 1 && $4 > 0 { print $1 "|" $4 "|" $5 "|" $6 "|" $7 }' "$T/st.csv" | sort)
want=$(q "$DB" "SELECT t.rule, count(*), count(DISTINCT t.doc_id),
	count(DISTINCT t.doc_id || '/' || t.sentence),
	count(DISTINCT CASE WHEN s.flagged THEN t.doc_id || '/' || t.sentence END)
	FROM tags t JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
	GROUP BY t.rule" | sort)
[ -n "$want" ] || fail "the sample has tags"
expect_eq "hits, documents, sentences, flagged per rule = SQL counts" "$want" "$got"
expect_eq "every rule with hits is listed once" "$(q "$DB" "SELECT count(DISTINCT rule) FROM tags")" \
	"$(awk -F, 'NR > 1 && $4 > 0' "$T/st.csv" | wc -l | tr -d ' ')"
expect_eq "rules of the rule files without hits are listed too" \
	"$("$CLAIMCHECK" rules list | wc -l | tr -d ' ')" \
	"$(awk -F, 'NR > 1 && $3 == 1' "$T/st.csv" | wc -l | tr -d ' ')"
expect_eq "share of flagged sentences (hedge.may-might)" \
	"$(q "$DB" "SELECT printf('%.4f', 1.0 * count(DISTINCT t.doc_id || '/' || t.sentence) /
		(SELECT count(*) FROM sentences WHERE flagged = 1))
		FROM tags t JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
		WHERE t.rule = 'hedge.may-might' AND s.flagged = 1")" \
	"$(awk -F, '$1 == "hedge.may-might" { print $8 }' "$T/st.csv")"
expect_eq "no verdicts: no reviewed precision, nothing below" "" \
	"$(awk -F, 'NR > 1 && ($12 != "" || $17 != 0)' "$T/st.csv")"

"$CLAIMCHECK" rules stats -d "$DB" >"$T/st.txt"; expect_status "text" 0 $?
expect_eq "text: totals line" \
	"$DB: $(q "$DB" "SELECT count(*) FROM documents WHERE error IS NULL") documents, $(q "$DB" "SELECT count(*) FROM sentences") sentences, $(q "$DB" "SELECT count(*) FROM sentences WHERE flagged = 1") flagged, $(q "$DB" "SELECT count(*) FROM tags") tags, 0 verdicts" \
	"$(head -1 "$T/st.txt")"
expect_no_grep "text: no colour when not a TTY" "$(printf '\033')" "$T/st.txt"
expect_no_grep "text: nothing below the threshold" "Below precision" "$T/st.txt"
long=$(awk 'NR > 1 && length > 100' "$T/st.txt" | wc -l | tr -d ' ')
expect_eq "text: no line but the first over 100 columns" "0" "$long"

# ---- the most frequent cues: lower-cased, counted ---------------------------------
"$CLAIMCHECK" rules stats -d "$DB" --format json --contexts 2 >"$T/st.json"; expect_status "json" 0 $?
for rule in source.reporting-verb hedge.may-might; do
	expect_eq "cues of $rule" \
		"$(q "$DB" "SELECT group_concat(c || '=' || n, ',') FROM (SELECT lower(cue) AS c, count(*) AS n
			FROM tags WHERE rule = '$rule' GROUP BY lower(cue) ORDER BY n DESC, c LIMIT 2)")" \
		"$(jq_ "$T/st.json" "group_concat(json_extract(c.value, '\$.cue') || '=' || json_extract(c.value, '\$.count'), ',')" \
			", json_each(r.value, '\$.cues') c WHERE json_extract(r.value, '\$.rule') = '$rule'")"
done
expect_eq "json: hits add up to the tags" "$(q "$DB" "SELECT count(*) FROM tags")" \
	"$(jq_ "$T/st.json" "sum(json_extract(r.value, '\$.hits'))")"

# ---- reviewed precision from verdicts --------------------------------------------
# Two sentences whose only flagging rule is hedge.may-might are false
# positives (whole-sentence verdicts), a third sentence's may/might tag is
# confirmed, a verdict on a tag that does not exist is stale, and a source
# tag is a false positive.
ONLY_MAY="FROM sentences s JOIN documents d ON d.id = s.doc_id
	WHERE EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = s.doc_id AND t.sentence = s.idx AND t.rule = 'hedge.may-might')
	AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = s.doc_id AND t.sentence = s.idx
		AND t.category <> 'source' AND t.rule <> 'hedge.may-might')
	ORDER BY s.checkworthy DESC, d.key, s.idx"
q "$DB" "INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, s.start, s.end, '', 'false_positive' $ONLY_MAY LIMIT 2;
INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, t.start, t.end, t.rule, 'confirmed' FROM tags t JOIN documents d ON d.id = t.doc_id
	WHERE t.rule = 'hedge.may-might' AND (t.doc_id, t.sentence) IN (SELECT s.doc_id, s.idx $ONLY_MAY LIMIT 1 OFFSET 2);
INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT text_hash, 0, 1, 'hedge.may-might', 'confirmed' FROM documents ORDER BY key LIMIT 1;
INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, t.start, t.end, t.rule, 'false_positive' FROM tags t JOIN documents d ON d.id = t.doc_id
	WHERE t.rule = 'source.reporting-verb' ORDER BY d.key, t.sentence LIMIT 1;"
expect_eq "verdicts inserted" "5" "$(q "$DB" "SELECT count(*) FROM verdicts")"
worst=$(q "$DB" "SELECT CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT) $ONLY_MAY LIMIT 1")
second=$(q "$DB" "SELECT CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT) $ONLY_MAY LIMIT 1 OFFSET 1")

"$CLAIMCHECK" rules stats -d "$DB" --format json --examples 1 >"$T/v.json"; expect_status "json with verdicts" 0 $?
expect_eq "hedge.may-might: 1 confirmed, 2 false positives, precision 1/3" "1|2|0|0.3333|1" \
	"$(jq_ "$T/v.json" "json_extract(r.value, '\$.reviewed.confirmed'), json_extract(r.value, '\$.reviewed.false_positive'),
		json_extract(r.value, '\$.reviewed.unsure'), round(json_extract(r.value, '\$.reviewed.precision'), 4),
		json_extract(r.value, '\$.below_threshold')" "WHERE json_extract(r.value, '\$.rule') = 'hedge.may-might'")"
expect_eq "below the threshold first, worst precision first" "source.reporting-verb|1
hedge.may-might|1
0" "$(jq_ "$T/v.json" "json_extract(r.value, '\$.rule'), json_extract(r.value, '\$.below_threshold')" "WHERE r.key < 2")
$(jq_ "$T/v.json" "json_extract(r.value, '\$.below_threshold')" "WHERE r.key = 2")"
expect_eq "the worst false positive (highest check-worthiness) is shown" "1|verdict|$worst" \
	"$(jq_ "$T/v.json" "json_array_length(r.value, '\$.false_positives'), json_extract(r.value, '\$.false_positives[0].kind'),
		json_extract(r.value, '\$.false_positives[0].text')" "WHERE json_extract(r.value, '\$.rule') = 'hedge.may-might'")"
expect_eq "totals: 5 verdicts, 4 on current tags or sentences" "5|4" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$T/v.json') AS TEXT), '\$.totals.verdicts'),
		json_extract(CAST(readfile('$T/v.json') AS TEXT), '\$.totals.verdicts_current')")"
expect_eq "rules without verdicts have no reviewed precision" "" \
	"$(jq_ "$T/v.json" "json_extract(r.value, '\$.rule')" "WHERE json_extract(r.value, '\$.reviewed.precision') IS NOT NULL
		AND json_extract(r.value, '\$.rule') NOT IN ('hedge.may-might', 'source.reporting-verb')")"

"$CLAIMCHECK" rules stats -d "$DB" --examples 2 >"$T/v.txt"; expect_status "text with verdicts" 0 $?
expect_eq "text: the threshold section comes first" "Below precision 0.50:" "$(sed -n 4p "$T/v.txt")"
expect_eq "text: then the worst rule" "source.reporting-verb" "$(sed -n 5p "$T/v.txt" | awk '{ print $1 }')"
expect_grep "text: reviewed precision with counts" "0.33 1/3" "$T/v.txt"
expect_eq "text: two false positives of hedge.may-might and one of the source rule" "3" \
	"$(grep -c '^      false positive (' "$T/v.txt")"
"$CLAIMCHECK" rules stats -d "$DB" --min-precision 0.2 --format csv >"$T/v.csv"
expect_eq "--min-precision 0.2: only the source rule is below" "source.reporting-verb" \
	"$(awk -F, 'NR > 1 && $17 == 1 { print $1 }' "$T/v.csv")"
"$CLAIMCHECK" rules stats -d "$DB" --rule hedge.may-might --format csv >"$T/one.csv"
expect_eq "--rule: one row" "2" "$(wc -l <"$T/one.csv" | tr -d ' ')"
"$CLAIMCHECK" rules stats -d "$DB" --format md >"$T/v.md"; expect_status "md" 0 $?
expect_grep "md: table header" "| rule | category | hits |" "$T/v.md"
expect_grep "md: false positives section" "## False positives of rules below precision 0.50" "$T/v.md"

# ---- gold precision and recall ----------------------------------------------------
# tuning.rules on gold.jsonl: tuning.may fires in records 1, 2, 3 and 8, of
# which 1 and 3 are uncertain (precision 2/4); 6 records are uncertain
# (recall 2/6); tuning.said finds the one attributed record.
"$CLAIMCHECK" run -q -r "$F/rules" -o "$T/t.db" "$S"; expect_status "run with tuning.rules" 0 $?
"$CLAIMCHECK" rules stats -d "$T/t.db" -r "$F/rules" --gold "$F/gold.jsonl" --examples 2 --format json >"$T/g.json"
expect_status "gold" 0 $?
expect_eq "gold figures of tuning.rules" "tuning.could|1|1|1.0|0.1667
tuning.may|4|2|0.5|0.3333
tuning.said|1|1|1.0|1.0
tuning.some-say|1|1|1.0|0.1667" \
	"$(jq_ "$T/g.json" "json_extract(r.value, '\$.rule'), json_extract(r.value, '\$.gold.hits'), json_extract(r.value, '\$.gold.tp'),
		round(json_extract(r.value, '\$.gold.precision'), 4), round(json_extract(r.value, '\$.gold.recall'), 4)" "ORDER BY 1")"
expect_eq "gold false positives of tuning.may: lines 2 and 8" "gold line 2|gold line 8" \
	"$(sqlite3 -batch -noheader :memory: "SELECT group_concat(w, '|') FROM (SELECT json_extract(f.value, '\$.where') AS w
		FROM json_each(CAST(readfile('$T/g.json') AS TEXT), '\$.rules') r, json_each(r.value, '\$.false_positives') f
		WHERE json_extract(r.value, '\$.rule') = 'tuning.may' ORDER BY w)")"
expect_eq "gold record counts" "11|0" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$T/g.json') AS TEXT), '\$.gold.records'),
		json_extract(CAST(readfile('$T/g.json') AS TEXT), '\$.gold.skipped')")"
"$CLAIMCHECK" rules stats -d "$T/t.db" -r "$F/rules" --gold "$F/gold.jsonl" --min-precision 0.6 >"$T/g.txt"
expect_status "gold, text" 0 $?
expect_eq "gold text: tuning.may below 0.60" "Below precision 0.60:
tuning.may" "$(sed -n 5p "$T/g.txt")
$(sed -n 6p "$T/g.txt" | awk '{ print $1 }')"
expect_grep "gold text: a gold false positive" "false positive (gold line" "$T/g.txt"
expect_grep "gold text: its record" "may park in the east lot" "$T/g.txt"

# the shipped rules: per-rule gold hits and true positives as `claimcheck eval` counts them
"$CLAIMCHECK" eval --format json --min-hits 0 "$F/gold.jsonl" >"$T/eval.json"; expect_status "eval" 0 $?
"$CLAIMCHECK" rules stats -d "$DB" --gold "$F/gold.jsonl" --format json >"$T/g2.json"; expect_status "gold, shipped rules" 0 $?
want=$(jq_ "$T/eval.json" "json_extract(r.value, '\$.rule') || '|' || json_extract(r.value, '\$.hits') || '|' || json_extract(r.value, '\$.tp')" "ORDER BY 1")
[ -n "$want" ] || fail "eval: some rule fires on the gold file"
expect_eq "gold hits and tp = eval's" "$want" \
	"$(jq_ "$T/g2.json" "json_extract(r.value, '\$.rule') || '|' || json_extract(r.value, '\$.gold.hits') || '|' || json_extract(r.value, '\$.gold.tp')" \
		"WHERE json_extract(r.value, '\$.gold.hits') > 0 ORDER BY 1")"

# a malformed gold record is skipped: exit 1
{ cat "$F/gold.jsonl"; echo '{"text": 5}'; } >"$T/bad.jsonl"
"$CLAIMCHECK" rules stats -d "$DB" --gold "$T/bad.jsonl" --format csv >"$T/out" 2>"$T/err"
expect_status "malformed gold record" 1 $?
expect_grep "malformed record named" "bad.jsonl:12" "$T/err"

# rules that the database has but the rule files do not: listed, noted
"$CLAIMCHECK" rules stats -d "$DB" -r "$F/rules" --format csv >"$T/out" 2>"$T/err"; expect_status "other rules" 0 $?
expect_grep "note: other rule set" "re-run to update the hits" "$T/err"
expect_eq "database rules not in the files: defined=0" "$(q "$DB" "SELECT count(DISTINCT rule) FROM tags")" \
	"$(awk -F, 'NR > 1 && $3 == 0' "$T/out" | wc -l | tr -d ' ')"

# ---- usage and errors -------------------------------------------------------------
"$CLAIMCHECK" rules stats -d "$T/none.db" >"$T/out" 2>"$T/err"; expect_status "missing database" 2 $?
expect_grep "missing database named" "none.db" "$T/err"
[ ! -e "$T/none.db" ] || fail "stats created a database"
"$CLAIMCHECK" rules stats -d "$DB" --gold "$T/none.jsonl" >"$T/out" 2>"$T/err"; expect_status "missing gold file" 2 $?
"$CLAIMCHECK" rules stats -d "$DB" --format xml >"$T/out" 2>"$T/err"; expect_status "bad format" 2 $?
"$CLAIMCHECK" rules stats -d "$DB" --min-precision 1.5 >"$T/out" 2>"$T/err"; expect_status "bad precision" 2 $?
"$CLAIMCHECK" rules stats -d "$DB" --contexts x >"$T/out" 2>"$T/err"; expect_status "bad --contexts" 2 $?
"$CLAIMCHECK" rules list --gold "$F/gold.jsonl" >"$T/out" 2>"$T/err"; expect_status "--gold with list" 2 $?
expect_grep "--gold belongs to stats" "an option of \`rules stats\`" "$T/err"
if [ -w /dev/full ]; then
	"$CLAIMCHECK" rules stats -d "$DB" >/dev/full 2>"$T/err"; expect_status "stats to a full disk" 3 $?
fi
finish
