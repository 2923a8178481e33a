#!/bin/sh
# review.sh — `claimcheck review` for scripts: --set (claim ids in both
# forms, per-rule verdicts, notes, clear), --list, --status, --export and
# --import in CSV and JSONL (round trip, idempotent, the newer verdict wins,
# bad rows reported by line and skipped), and verdicts that survive a
# re-run with an edited rule file.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

S="$top_srcdir/corpora/sample"
"$CLAIMCHECK" run -q -o "$T/a.db" "$S"; expect_status "run" 0 $?
n=$(q "$T/a.db" "SELECT count(*) FROM flagged_claims")
[ "$n" -gt 5 ] || fail "the sample has flagged claims (got $n)"

# --list: one line per flagged claim, in report order, with stable ids
"$CLAIMCHECK" review -d "$T/a.db" --list >"$T/list" 2>"$T/err"; expect_status "--list" 0 $?
expect_eq "--list: a line per claim" "$n" "$(wc -l <"$T/list" | tr -d ' ')"
expect_eq "--list: nothing on stderr" "" "$(cat "$T/err")"
id1=$(sed -n 1p "$T/list" | cut -f1)
id2=$(sed -n 2p "$T/list" | cut -f1)
id3=$(sed -n 3p "$T/list" | cut -f1)
want1=$(q "$T/a.db" "SELECT substr(text_hash, 1, 8) || '@' || start FROM flagged_claims
	ORDER BY checkworthy DESC, uncertainty DESC, doc_key, sentence LIMIT 1")
expect_eq "--list: id is HASH8@START of the top claim" "$want1" "$id1"
expect_eq "--list: no verdict yet" "-" "$(sed -n 1p "$T/list" | cut -f2)"
report_first=$("$CLAIMCHECK" report -d "$T/a.db" -n 1 | sed -n '1s/^1\. \([^ ]*\) .*/\1/p')
expect_eq "--list: document:sentence as the report prints it" "$report_first" "$(sed -n 1p "$T/list" | cut -f4)"

json_first=$("$CLAIMCHECK" report -d "$T/a.db" -n 1 --format json -o "$T/r.json" &&
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$T/r.json') AS TEXT), '\$[0].id')")
expect_eq "report --format json carries the same id" "$id1" "$json_first"

# the second claim by the report's KEY:N form
key2=$(sed -n 2p "$T/list" | cut -f4)
# a claim with a hedge tag, for a per-rule verdict
rid=$(q "$T/a.db" "SELECT substr(d.text_hash, 1, 8) || '@' || s.start || '/' || t.rule
	FROM tags t JOIN sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
	JOIN documents d ON d.id = t.doc_id
	WHERE t.category = 'hedge' AND s.flagged = 1 ORDER BY d.key, t.idx LIMIT 1")
rule=${rid#*/}

"$CLAIMCHECK" review -d "$T/a.db" --reviewer ann --set "$id1=confirmed" --note 'checked, "twice"' \
	--set "$key2=fp" --set "$rid=unsure" >"$T/out" 2>"$T/err"
expect_status "--set three" 0 $?
expect_eq "--set: nothing on stderr" "" "$(cat "$T/err")"
expect_eq "--set: one line per verdict" "3" "$(wc -l <"$T/out" | tr -d ' ')"
expect_grep "--set prints the id and verdict" "$(printf '%s\tconfirmed' "$id1")" "$T/out"
expect_grep "--set prints the stable id for KEY:N" "$(printf '%s\tfalse_positive' "$id2")" "$T/out"
expect_eq "verdict rows" "3" "$(q "$T/a.db" "SELECT count(*) FROM verdicts")"
expect_eq "sentence verdict keyed by text hash + sentence span, rule ''" "confirmed|checked, \"twice\"|ann" \
	"$(q "$T/a.db" "SELECT v.verdict, v.note, v.reviewer FROM verdicts v JOIN flagged_claims f
		ON f.text_hash = v.doc_hash AND f.start = v.start AND f.\"end\" = v.\"end\"
		WHERE v.rule = '' AND substr(f.text_hash, 1, 8) || '@' || f.start = '$id1'")"
expect_eq "per-rule verdict keyed by the tag's span and rule" "unsure|$rule|1" \
	"$(q "$T/a.db" "SELECT verdict, rule, current FROM verdict_tags WHERE rule <> ''")"
expect_eq "every verdict is on a current claim or tag" "0" \
	"$(q "$T/a.db" "SELECT count(*) FROM verdict_tags WHERE current = 0")"

# a new verdict keeps the note unless --note is given; '' removes it
"$CLAIMCHECK" review -d "$T/a.db" --set "$id1=unsure" >/dev/null; expect_status "--set again" 0 $?
expect_eq "note kept" "unsure|checked, \"twice\"" \
	"$(q "$T/a.db" "SELECT verdict, note FROM verdicts WHERE note IS NOT NULL")"
"$CLAIMCHECK" review -d "$T/a.db" --set "$id1=confirmed" --note '' >/dev/null
expect_eq "note removed" "0" "$(q "$T/a.db" "SELECT count(*) FROM verdicts WHERE note IS NOT NULL")"

# bad ids: reported, the others recorded, exit 1; bad syntax: exit 2, nothing done
"$CLAIMCHECK" review -d "$T/a.db" --set "$id3=unsure" --set "deadbeef@1=fp" --set "nonsense=fp" \
	>"$T/out" 2>"$T/err"
expect_status "--set with bad ids" 1 $?
expect_grep "unknown id named" "no claim 'deadbeef@1'" "$T/err"
expect_grep "malformed id named" "'nonsense' is not a claim id" "$T/err"
expect_grep "the good one recorded" "$id3" "$T/out"
"$CLAIMCHECK" review -d "$T/a.db" --set "$id3=maybe" >"$T/out" 2>"$T/err"
expect_status "unknown verdict" 2 $?
expect_grep "unknown verdict named" "unknown verdict 'maybe'" "$T/err"
"$CLAIMCHECK" review -d "$T/a.db" --note x --set "$id3=fp" >"$T/out" 2>"$T/err"
expect_status "--note before --set" 2 $?
"$CLAIMCHECK" review -d "$T/a.db" --set "$id3=fp" --list >"$T/out" 2>"$T/err"
expect_status "two modes" 2 $?
expect_eq "nothing changed by bad invocations" "unsure" \
	"$(q "$T/a.db" "SELECT verdict FROM verdicts v WHERE substr(doc_hash, 1, 8) || '@' || start = '$id3'")"

# --status
"$CLAIMCHECK" review -d "$T/a.db" --status >"$T/status"; expect_status "--status" 0 $?
expect_grep "status: claims" "claims    $n" "$T/status"
expect_grep "status: reviewed" "reviewed  3 (confirmed 1, false_positive 1, unsure 1)" "$T/status"
expect_grep "status: left" "left      $((n - 3))" "$T/status"
expect_grep "status: verdicts" "verdicts  4 in the database, 0 no longer on a claim or tag" "$T/status"
"$CLAIMCHECK" review -d "$T/a.db" --list >"$T/list.after"
expect_grep "--list shows verdicts" "$(printf '%s\tconfirmed' "$id1")" "$T/list.after"

# clear
"$CLAIMCHECK" review -d "$T/a.db" --set "$id3=clear" >/dev/null; expect_status "clear" 0 $?
expect_eq "cleared" "3" "$(q "$T/a.db" "SELECT count(*) FROM verdicts")"
"$CLAIMCHECK" review -d "$T/a.db" --set "$id3=unsure" --note 'a note, with "quotes"
and a second line' >/dev/null

# export, import into a second database of the same corpus: identical files
"$CLAIMCHECK" review -d "$T/a.db" --export "$T/v.csv" 2>"$T/err"; expect_status "export csv" 0 $?
expect_grep "export says how many" "exported 4 verdicts" "$T/err"
"$CLAIMCHECK" review -d "$T/a.db" --export "$T/v.jsonl" 2>/dev/null; expect_status "export jsonl" 0 $?
"$CLAIMCHECK" review -d "$T/a.db" --export - >"$T/v-stdout.jsonl" 2>/dev/null; expect_status "export to stdout" 0 $?
cmp -s "$T/v.jsonl" "$T/v-stdout.jsonl" || fail "'-' exports JSONL"
expect_eq "csv: header + 4 rows (one note spans two lines)" "6" "$(wc -l <"$T/v.csv" | tr -d ' ')"
expect_eq "jsonl: 4 lines" "4" "$(wc -l <"$T/v.jsonl" | tr -d ' ')"
expect_grep "csv header" "id,doc_hash,start,end,rule,verdict,note,reviewer,created,updated,doc_key,text" "$T/v.csv"

for fmt in csv jsonl; do
	"$CLAIMCHECK" run -q -o "$T/b-$fmt.db" "$S"
	"$CLAIMCHECK" review -d "$T/b-$fmt.db" --import "$T/v.$fmt" 2>"$T/err"; expect_status "import $fmt" 0 $?
	expect_grep "import $fmt: counts" "4 rows: 4 new, 0 updated, 0 removed, 0 unchanged, 0 failed" "$T/err"
	"$CLAIMCHECK" review -d "$T/b-$fmt.db" --import "$T/v.$fmt" 2>"$T/err"; expect_status "import $fmt again" 0 $?
	expect_grep "import $fmt: idempotent" "4 rows: 0 new, 0 updated, 0 removed, 4 unchanged, 0 failed" "$T/err"
	"$CLAIMCHECK" review -d "$T/b-$fmt.db" --export "$T/back.$fmt" 2>/dev/null
	cmp -s "$T/v.$fmt" "$T/back.$fmt" || fail "$fmt round trip: the export differs"
	expect_eq "$fmt: same table" "$(q "$T/a.db" "SELECT * FROM verdicts ORDER BY 1, 2, 3, 4")" \
		"$(q "$T/b-$fmt.db" "SELECT * FROM verdicts ORDER BY 1, 2, 3, 4")"
done
# CSV in, JSONL out equals the JSONL export; stdin with the format sniffed
"$CLAIMCHECK" run -q -o "$T/c.db" "$S"
"$CLAIMCHECK" review -d "$T/c.db" --import - <"$T/v.csv" 2>/dev/null; expect_status "import csv from stdin" 0 $?
"$CLAIMCHECK" review -d "$T/c.db" --export "$T/c.jsonl" 2>/dev/null
cmp -s "$T/v.jsonl" "$T/c.jsonl" || fail "csv -> jsonl differs from the jsonl export"

# merging: the later `updated` wins, an earlier one is ignored
hash1=$(q "$T/a.db" "SELECT doc_hash FROM verdicts WHERE rule = '' ORDER BY doc_hash, start LIMIT 1")
start1=$(q "$T/a.db" "SELECT start FROM verdicts WHERE rule = '' ORDER BY doc_hash, start LIMIT 1")
end1=$(q "$T/a.db" "SELECT \"end\" FROM verdicts WHERE rule = '' ORDER BY doc_hash, start LIMIT 1")
printf '{"doc_hash":"%s","start":%s,"end":%s,"verdict":"fp","note":"later","updated":"2099-01-01T00:00:00Z"}\n' \
	"$hash1" "$start1" "$end1" >"$T/newer.jsonl"
printf 'doc_hash,start,end,verdict,updated\n%s,%s,%s,confirmed,2000-01-01T00:00:00Z\n' \
	"$hash1" "$start1" "$end1" >"$T/older.csv"
"$CLAIMCHECK" review -d "$T/c.db" --import "$T/older.csv" 2>"$T/err"; expect_status "import older" 0 $?
expect_grep "older: unchanged" "1 row: 0 new, 0 updated, 0 removed, 1 unchanged" "$T/err"
"$CLAIMCHECK" review -d "$T/c.db" --import "$T/newer.jsonl" 2>"$T/err"; expect_status "import newer" 0 $?
expect_grep "newer: updated" "1 row: 0 new, 1 updated" "$T/err"
expect_eq "newer wins" "false_positive|later|2099-01-01T00:00:00Z" \
	"$(q "$T/c.db" "SELECT verdict, note, updated FROM verdicts WHERE doc_hash = '$hash1' AND start = $start1 AND rule = ''")"
expect_eq "created kept" "$(q "$T/a.db" "SELECT created FROM verdicts WHERE doc_hash = '$hash1' AND start = $start1 AND rule = ''")" \
	"$(q "$T/c.db" "SELECT created FROM verdicts WHERE doc_hash = '$hash1' AND start = $start1 AND rule = ''")"

# bad rows: reported with their line numbers and skipped; the rest merged; exit 1
other=$(q "$T/c.db" "SELECT substr(doc_hash, 1, 8) || '@' || start FROM verdicts WHERE rule = ''
	AND NOT (doc_hash = '$hash1' AND start = $start1) AND verdict <> 'unsure' LIMIT 1")
cat >"$T/bad.csv" <<EOF
id,verdict,note
$other,unsure,"fine, this one"
$id1,sure,no
deadbeef@0,fp,
$(sed -n 5p "$T/list" | cut -f1),fp,"two
lines"
,fp,
EOF
"$CLAIMCHECK" review -d "$T/c.db" --import "$T/bad.csv" 2>"$T/err"; expect_status "import with bad rows" 1 $?
expect_grep "bad verdict at line 3" "bad.csv:3: error: unknown verdict 'sure'" "$T/err"
expect_grep "unknown id at line 4" "bad.csv:4: error: no claim 'deadbeef@0' in this database" "$T/err"
expect_grep "no id at line 7 (after a two-line row)" "bad.csv:7: error: neither doc_hash, start, end nor id given" "$T/err"
expect_grep "summary (a row without a time is newer)" "5 rows: 1 new, 1 updated, 0 removed, 0 unchanged, 3 failed" "$T/err"
expect_eq "the good rows merged" "unsure|fine, this one" \
	"$(q "$T/c.db" "SELECT verdict, note FROM verdicts WHERE substr(doc_hash, 1, 8) || '@' || start = '$other' AND rule = ''")"
printf '{"id":"%s","verdict":"unsure"}\n{"id":\n' "$id1" >"$T/bad.jsonl"
"$CLAIMCHECK" review -d "$T/c.db" --import "$T/bad.jsonl" 2>"$T/err"; expect_status "bad jsonl" 1 $?
expect_grep "bad json at line 2" "bad.jsonl:2:" "$T/err"
"$CLAIMCHECK" review -d "$T/c.db" --import "$T/none.csv" 2>"$T/err"; expect_status "missing import file" 2 $?
"$CLAIMCHECK" review -d "$T/c.db" --export "$T/v.txt" 2>"$T/err"; expect_status "export: unknown extension" 2 $?
expect_grep "asks for --format" "--format" "$T/err"
"$CLAIMCHECK" review -d "$T/c.db" --export "$T/v.txt" --format csv 2>/dev/null; expect_status "--format csv" 0 $?
expect_grep "--format csv wrote csv" "id,doc_hash," "$T/v.txt"

# not a terminal: refused, pointing to the script forms
"$CLAIMCHECK" review -d "$T/a.db" </dev/null >"$T/out" 2>"$T/err"; expect_status "no terminal" 2 $?
expect_grep "no terminal: says so" "needs a terminal" "$T/err"
expect_grep "no terminal: points to --set" "--set ID=VERDICT" "$T/err"
"$CLAIMCHECK" review -d "$T/none.db" --status >"$T/out" 2>"$T/err"; expect_status "missing database" 2 $?
[ ! -e "$T/none.db" ] || fail "review created a database"

# verdicts survive a re-run with an edited rule file
before=$(q "$T/a.db" "SELECT * FROM verdicts ORDER BY 1, 2, 3, 4")
mkdir -p "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
# edit an existing rule: another weight for the rule of the per-rule verdict
f=$(grep -l "^\[rule $rule\]" "$T/rules"/*.rules)
awk -v r="[rule $rule]" '$0 == r { inr = 1; print; print "weight = 0.41"; next }
	/^\[/ { inr = 0 } inr && /^weight[ =]/ { next } { print }' "$f" >"$f.new" && mv "$f.new" "$f"
"$CLAIMCHECK" rules check -r "$T/rules" >/dev/null 2>&1; expect_status "edited rules are valid" 0 $?
"$CLAIMCHECK" run -q -r "$T/rules" -o "$T/a.db" "$S"; expect_status "re-run with edited rules" 0 $?
expect_eq "every document re-analysed" "0" "$(q "$T/a.db" "SELECT skipped FROM runs ORDER BY id DESC LIMIT 1")"
expect_eq "the rule set changed" "2" "$(q "$T/a.db" "SELECT count(DISTINCT ruleset_hash) FROM runs")"
expect_eq "the edit took effect" "0.41" "$(q "$T/a.db" "SELECT DISTINCT weight FROM tags WHERE rule = '$rule'")"
expect_eq "verdict rows unchanged" "$before" "$(q "$T/a.db" "SELECT * FROM verdicts ORDER BY 1, 2, 3, 4")"
expect_eq "verdicts still match their claims and tags" "4|0" \
	"$(q "$T/a.db" "SELECT count(*), count(*) - sum(current) FROM verdict_tags")"
"$CLAIMCHECK" review -d "$T/a.db" --set "$id1=unsure" >"$T/out" 2>"$T/err"
expect_status "the id still resolves" 0 $?
expect_eq "and names the same row" "4" "$(q "$T/a.db" "SELECT count(*) FROM verdicts")"
expect_eq "database is intact" "ok" "$(q "$T/a.db" "PRAGMA integrity_check")"

finish
