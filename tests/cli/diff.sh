#!/bin/sh
# diff.sh — `claimcheck diff A.db B.db`: the tuning loop. A rule is deleted
# from a copy of the rules, the sample corpus is re-run into a copy of the
# database, and diff must show exactly the sentences that rule flagged as
# unflagged, counts that match SQL over both databases, and reviewed cases
# fixed and broken; plus documents only on one side, formats, exit codes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3
LC_ALL=C
export LC_ALL

# csvq FILE SQL: query a CSV file (with its header) as table t
csvq() {
	sqlite3 -batch -noheader :memory: ".import --csv $1 t" "$2"
}

S="$top_srcdir/corpora/sample"
R="$T/rules"
cp -R "$RULES" "$R"
chmod -R u+w "$R"
RULE=hedge.may-might
"$CLAIMCHECK" run -q -r "$R" -o "$T/a.db" "$S"; expect_status "run A" 0 $?

"$CLAIMCHECK" diff "$T/a.db" "$T/a.db" >"$T/same.txt" 2>"$T/err"; expect_status "a database against itself" 0 $?
expect_grep "same: nothing changed" "0 changed: +0 flagged, -0 unflagged" "$T/same.txt"
expect_eq "same: nothing on stderr" "" "$(cat "$T/err")"
cp "$T/a.db" "$T/copy.db"
"$CLAIMCHECK" diff -f json "$T/a.db" "$T/copy.db" >"$T/same.json"; expect_status "a copy" 0 $?

# ---- delete one rule, re-run into a copy ---------------------------------------------
awk -v r="[rule $RULE]" '/^\[/ { skip = ($0 == r) } !skip' "$R/hedges.rules" >"$T/h" && mv "$T/h" "$R/hedges.rules"
"$CLAIMCHECK" rules list -r "$R" --rule "$RULE" >/dev/null 2>&1
expect_status "the rule is gone from the copy" 2 $?
cp "$T/a.db" "$T/b.db"
# verdicts given before the edit (in A only): the highest-ranked sentence
# that only this rule flagged is a false positive, the next one a confirmed
# claim; a third is a false positive in B only
ONLY="FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE s.flagged = 1
	AND EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = s.doc_id AND t.sentence = s.idx AND t.rule = '$RULE')
	AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = s.doc_id AND t.sentence = s.idx
		AND t.category <> 'source' AND t.rule <> '$RULE')
	AND s.checkworthy < 0.6 ORDER BY s.checkworthy DESC, d.key, s.idx"
q "$T/a.db" "INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, s.start, s.end, '', 'false_positive' $ONLY LIMIT 1;
INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, s.start, s.end, '', 'confirmed' $ONLY LIMIT 1 OFFSET 1;"
fp_key=$(q "$T/a.db" "SELECT d.key || ', sentence ' || s.idx $ONLY LIMIT 1")
ok_key=$(q "$T/a.db" "SELECT d.key || ', sentence ' || s.idx $ONLY LIMIT 1 OFFSET 1")
[ -n "$fp_key" ] && [ -n "$ok_key" ] || fail "the sample has two sentences flagged by $RULE alone"
"$CLAIMCHECK" run -q -r "$R" -o "$T/b.db" "$S"; expect_status "run B" 0 $?
expect_eq "B has no tag of the rule" "0" "$(q "$T/b.db" "SELECT count(*) FROM tags WHERE rule = '$RULE'")"

"$CLAIMCHECK" diff "$T/a.db" "$T/b.db" >"$T/d.txt" 2>"$T/err"; expect_status "diff after the edit" 1 $?
expect_eq "diff: nothing on stderr" "" "$(cat "$T/err")"
"$CLAIMCHECK" diff -f csv "$T/a.db" "$T/b.db" >"$T/d.csv"; expect_status "csv" 1 $?
"$CLAIMCHECK" diff -f json "$T/a.db" "$T/b.db" >"$T/d.json"; expect_status "json" 1 $?

# SQL over both databases: what lost its flag, what changed
BOTH="ATTACH '$T/b.db' AS b;"
JOIN="FROM main.sentences sa JOIN main.documents da ON da.id = sa.doc_id
	JOIN b.documents db ON db.key = da.key AND db.text_hash = da.text_hash
	JOIN b.sentences sb ON sb.doc_id = db.id AND sb.start = sa.start AND sb.end = sa.end"
unflagged=$(q "$T/a.db" "$BOTH SELECT da.key || ',' || sa.idx $JOIN WHERE sa.flagged = 1 AND sb.flagged = 0 ORDER BY da.key, sa.idx")
# (the CSV is parsed by sqlite3: sentence texts hold line breaks)
[ -n "$unflagged" ] || fail "deleting $RULE unflags sentences"
expect_eq "unflagged sentences = SQL" "$unflagged" \
	"$(csvq "$T/d.csv" "SELECT document || ',' || sentence_a FROM t WHERE change = 'unflagged' ORDER BY document, 0 + sentence_a")"
expect_eq "every unflagged sentence had the rule in A" "0" \
	"$(q "$T/a.db" "$BOTH SELECT count(*) $JOIN WHERE sa.flagged = 1 AND sb.flagged = 0 AND NOT EXISTS
		(SELECT 1 FROM main.tags t WHERE t.doc_id = sa.doc_id AND t.sentence = sa.idx AND t.rule = '$RULE')")"
with_rule=$(q "$T/a.db" "SELECT count(DISTINCT doc_id || '/' || sentence) FROM tags WHERE rule = '$RULE'")
expect_eq "changed sentences = the sentences the rule tagged" "$with_rule" "$(csvq "$T/d.csv" "SELECT count(*) FROM t")"
expect_eq "every change removed the rule and added none" "$with_rule" \
	"$(csvq "$T/d.csv" "SELECT count(*) FROM t WHERE rules_removed = '$RULE' AND rules_added = ''")"
n_unflagged=$(printf '%s\n' "$unflagged" | wc -l | tr -d ' ')
n_tags=$(q "$T/a.db" "SELECT count(*) FROM tags WHERE rule = '$RULE'")
n_score=$(q "$T/a.db" "$BOTH SELECT count(*) $JOIN WHERE sa.flagged = sb.flagged
	AND (abs(sa.checkworthy - sb.checkworthy) > 0.01 OR abs(sa.uncertainty - sb.uncertainty) > 0.01)")
n_docs=$(q "$T/a.db" "SELECT count(*) FROM documents")
n_sents=$(q "$T/a.db" "SELECT count(*) FROM sentences")
expect_eq "text summary" "documents: $n_docs compared, 0 only in A, 0 only in B, 0 with other text (not compared)
sentences: $n_sents compared; $with_rule changed: +0 flagged, -$n_unflagged unflagged, $n_score other score changes > 0.01
tags: +0 added, -$n_tags removed
reviewed cases: 1 fixed, 1 broken" "$(sed -n 2,5p "$T/d.txt")"
expect_eq "by rule" "$RULE 0 $n_tags 0 $n_unflagged" "$(sed -n 8p "$T/d.txt" | awk '{ print $1, $2, $3, $4, $5 }')"
expect_eq "json summary = text" "$with_rule|0|$n_unflagged|$n_score|0|$n_tags|1|1" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_extract(j, '\$.summary.sentences.changed'), json_extract(j, '\$.summary.sentences.flagged'),
		json_extract(j, '\$.summary.sentences.unflagged'), json_extract(j, '\$.summary.sentences.score_changed'),
		json_extract(j, '\$.summary.tags.added'), json_extract(j, '\$.summary.tags.removed'),
		json_extract(j, '\$.summary.reviewed.fixed'), json_extract(j, '\$.summary.reviewed.broke')
		FROM (SELECT CAST(readfile('$T/d.json') AS TEXT) AS j)")"
# the reviewed cases, in the listing
grep -A3 -F "$fp_key: unflagged" "$T/d.txt" >"$T/fp.txt"
expect_grep "false positive no longer flagged: fixed" "fixed: false positive no longer flagged" "$T/fp.txt"
grep -A3 -F "$ok_key: unflagged" "$T/d.txt" >"$T/ok.txt"
expect_grep "confirmed claim lost its flag: broke" "broke: confirmed claim lost its flag" "$T/ok.txt"
expect_grep "old -> new scores" "uncertainty 0.60->0.00" "$T/fp.txt"
expect_no_grep "text: no colour when not a TTY" "$(printf '\033')" "$T/d.txt"

# B's verdicts take precedence: the confirmed case is a false positive in B
q "$T/b.db" "ATTACH '$T/a.db' AS a; INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT doc_hash, start, end, rule, 'false_positive' FROM a.verdicts WHERE verdict = 'confirmed'"
"$CLAIMCHECK" diff -f csv "$T/a.db" "$T/b.db" >"$T/d2.csv"
expect_eq "B's verdict wins: two fixed, none broken" "2|0" "$(csvq "$T/d2.csv" "SELECT sum(fixed), sum(broke) FROM t")"

# a tag-level verdict: a confirmed tag of the rule is lost (broke) even
# where the sentence keeps its flag
q "$T/b.db" "ATTACH '$T/a.db' AS a; INSERT INTO verdicts (doc_hash, start, end, rule, verdict)
	SELECT d.text_hash, t.start, t.end, t.rule, 'confirmed' FROM a.tags t JOIN a.documents d ON d.id = t.doc_id
	JOIN a.sentences s ON s.doc_id = t.doc_id AND s.idx = t.sentence
	WHERE t.rule = '$RULE' AND EXISTS (SELECT 1 FROM a.tags u WHERE u.doc_id = t.doc_id
		AND u.sentence = t.sentence AND u.category <> 'source' AND u.rule <> '$RULE')
	ORDER BY d.key, t.sentence LIMIT 1"
"$CLAIMCHECK" diff "$T/a.db" "$T/b.db" >"$T/d3.txt"
expect_grep "confirmed tag lost" "broke: confirmed tag lost ($RULE)" "$T/d3.txt"

# ---- formats and options ---------------------------------------------------------------
"$CLAIMCHECK" diff -f md "$T/a.db" "$T/b.db" >"$T/d.md"; expect_status "md" 1 $?
expect_grep "md: rule table" "| rule | tags added | tags removed | flagged | unflagged |" "$T/d.md"
expect_eq "md: one row per change" "$with_rule" "$(grep -c '^| .*| [0-9]* | \(unflagged\|changed\|flagged\) |' "$T/d.md")"
"$CLAIMCHECK" diff --limit 2 "$T/a.db" "$T/b.db" >"$T/lim.txt"
expect_grep "--limit: the rest counted" "($((with_rule - 2)) more changed sentences not listed: --limit)" "$T/lim.txt"
"$CLAIMCHECK" diff --color always "$T/a.db" "$T/b.db" >"$T/col.txt"
expect_grep "--color always: colour" "$(printf '\033[31munflagged')" "$T/col.txt"
"$CLAIMCHECK" diff --min-delta 1 -f json "$T/a.db" "$T/b.db" >"$T/md1.json"
expect_eq "--min-delta 1: no score-only changes" "0" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$T/md1.json') AS TEXT), '\$.summary.sentences.score_changed')")"

# ---- documents only on one side, or with other text ------------------------------------
C="$T/corpus"
mkdir -p "$C"
printf 'The ferry may be late tonight.\n' >"$C/a.txt"
printf 'The bridge opened in 1998.\n' >"$C/b.txt"
"$CLAIMCHECK" run -q -r "$R" -o "$T/p.db" "$C"
rm "$C/a.txt"
printf 'The bridge opened in 1999, officials said.\n' >"$C/b.txt"
printf 'Prices could rise in the spring.\n' >"$C/c.txt"
"$CLAIMCHECK" run -q -r "$R" -o "$T/q.db" "$C"
"$CLAIMCHECK" diff "$T/p.db" "$T/q.db" >"$T/pq.txt"; expect_status "documents differ" 1 $?
expect_grep "pq: summary" "documents: 0 compared, 1 only in A, 1 only in B, 1 with other text (not compared)" "$T/pq.txt"
expect_grep "pq: only in A" "only in A (1): $C/a.txt" "$T/pq.txt"
expect_grep "pq: only in B" "only in B (1): $C/c.txt" "$T/pq.txt"
expect_grep "pq: other text" "other text (1): $C/b.txt" "$T/pq.txt"

# ---- usage and errors ------------------------------------------------------------------
"$CLAIMCHECK" diff "$T/a.db" >"$T/out" 2>"$T/err"; expect_status "one database" 2 $?
"$CLAIMCHECK" diff -d "$T/a.db" 1 2 >"$T/out" 2>"$T/err"; expect_status "run ids" 2 $?
expect_grep "run ids: why not" "copy the database before re-running" "$T/err"
"$CLAIMCHECK" diff 1 2 >"$T/out" 2>"$T/err"; expect_status "numbers" 2 $?
expect_grep "numbers: run ids explained" "run ids cannot be compared" "$T/err"
"$CLAIMCHECK" diff "$T/a.db" "$T/none.db" >"$T/out" 2>"$T/err"; expect_status "missing database" 2 $?
[ ! -e "$T/none.db" ] || fail "diff created a database"
printf 'not a database at all, just some text long enough to fill a header page\n%.0s' 1 2 3 4 5 6 7 8 >"$T/text.db"
"$CLAIMCHECK" diff "$T/a.db" "$T/text.db" >"$T/out" 2>"$T/err"; expect_status "not a database" 2 $?
"$CLAIMCHECK" diff -f xml "$T/a.db" "$T/b.db" >"$T/out" 2>"$T/err"; expect_status "bad format" 2 $?
"$CLAIMCHECK" diff --min-delta x "$T/a.db" "$T/b.db" >"$T/out" 2>"$T/err"; expect_status "bad --min-delta" 2 $?
if [ -w /dev/full ]; then
	"$CLAIMCHECK" diff "$T/a.db" "$T/b.db" >/dev/full 2>"$T/err"; expect_status "diff to a full disk" 3 $?
fi
finish
