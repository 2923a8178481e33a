#!/bin/sh
# run-incremental.sh — re-running over unchanged documents with unchanged
# rules does no work; a changed document or rule set is re-analysed;
# verdicts survive re-runs.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C/sub"
printf 'Budget talks\n\nThe deal may collapse, people familiar with the matter said.\n\nSales rose 12%% to $4 billion in 2025.\n' >"$C/one.txt"
printf '# Chip plans\n\nThe firm is expected to announce a new plant, according to Reuters.\n' >"$C/sub/two.md"
printf '{"id": "x1", "title": "Rates", "text": "Rates could rise again in June."}\n{"id": "x2", "text": "Nothing to see here."}\n' >"$C/three.jsonl"

"$CLAIMCHECK" run -q -o "$T/i.db" -j1 "$C"; expect_status "first run" 0 $?
expect_eq "first run analysed all" "4|0|0" "$(q "$T/i.db" "SELECT documents, skipped, failed FROM runs WHERE id = 1")"
before=$(q "$T/i.db" "SELECT group_concat(key || ':' || run_id, ',') FROM (SELECT key, run_id FROM documents ORDER BY key)")

# record a verdict on a tag
q "$T/i.db" "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict, note, created, updated)
	SELECT d.text_hash, t.start, t.\"end\", t.rule, 'confirmed', 'checked by hand', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
	FROM tags t JOIN documents d ON d.id = t.doc_id WHERE d.key LIKE '%two.md' AND t.category = 'speculation' LIMIT 1"
expect_eq "verdict recorded" "1" "$(q "$T/i.db" "SELECT count(*) FROM verdicts")"

"$CLAIMCHECK" run -q -o "$T/i.db" -j2 "$C"; expect_status "second run" 0 $?
expect_eq "second run skipped all" "0|4|0" "$(q "$T/i.db" "SELECT documents, skipped, failed FROM runs WHERE id = 2")"
after=$(q "$T/i.db" "SELECT group_concat(key || ':' || run_id, ',') FROM (SELECT key, run_id FROM documents ORDER BY key)")
expect_eq "no document rewritten" "$before" "$after"
# a file older than its first run is skipped unread and only its files row
# records the sighting; a younger one is read and its documents record it
expect_eq "documents seen by run 2" "4" "$(q "$T/i.db" "SELECT count(*) FROM documents d LEFT JOIN files f ON f.path = d.path
	WHERE max(d.seen_run, coalesce(f.seen_run, 0)) = 2")"

# change one document: only it is re-analysed
printf 'Budget talks\n\nThe deal may collapse, people familiar with the matter said.\n\nSales rose 15%% to $5 billion in 2025.\n' >"$C/one.txt"
"$CLAIMCHECK" run -q -o "$T/i.db" "$C"; expect_status "third run" 0 $?
expect_eq "third run analysed one" "1|3" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 3")"
expect_eq "its sentences replaced, not duplicated" "3" "$(q "$T/i.db" "SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.key LIKE '%one.txt'")"
expect_eq "verdict still on its current tag" "1" "$(q "$T/i.db" "SELECT count(*) FROM verdict_tags WHERE current = 1")"
expect_eq "verdicts never deleted" "1" "$(q "$T/i.db" "SELECT count(*) FROM verdicts")"

# a different rule set re-analyses everything
mkdir -p "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
printf '\n# a local addition\n[rule hedge.local-test]\ncategory = hedge\nmatch = =nothing\nflag = Nothing happened.\n' >>"$T/rules/hedges.rules"
"$CLAIMCHECK" run -q -r "$T/rules" -o "$T/i.db" "$C"; expect_status "run with changed rules" 0 $?
expect_eq "changed rules: all re-analysed" "4|0" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 4")"
expect_eq "new rule tagged" "1" "$(q "$T/i.db" "SELECT count(*) FROM tags WHERE rule = 'hedge.local-test'")"
expect_eq "run rows keep the rule-set hash" "2" "$(q "$T/i.db" "SELECT count(DISTINCT ruleset_hash) FROM runs")"

# --force re-analyses even when current
"$CLAIMCHECK" run -q --force -r "$T/rules" -o "$T/i.db" "$C"; expect_status "forced run" 0 $?
expect_eq "forced: all re-analysed" "4|0" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 5")"
expect_eq "verdict survives re-runs with other rules" "1|confirmed" "$(q "$T/i.db" "SELECT count(*), min(verdict) FROM verdict_tags WHERE current = 1")"
expect_eq "database is intact" "ok" "$(q "$T/i.db" "PRAGMA integrity_check")"

finish
