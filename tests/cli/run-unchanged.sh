#!/bin/sh
# run-unchanged.sh — files whose stamp (size, times, inode), format and rule
# set are unchanged since all their documents were stored are skipped
# without being read; any change, a failed document, --force or other
# rules bring back the per-document path. Files modified in the two
# seconds before a run are never trusted.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
printf 'Budget talks\n\nThe deal may collapse, people familiar with the matter said.\n' >"$C/one.txt"
printf '# Chip plans\n\nThe firm is expected to announce a plant, according to Reuters.\n' >"$C/two.md"
printf '{"id": "x1", "title": "Rates", "text": "Rates could rise again in June."}\n\n{"id": "x2", "text": "Nothing to see here."}\n' >"$C/three.jsonl"
printf '{"id": "y1", "text": "Fine."}\n{"id": "y2", "text": 17}\n' >"$C/bad.jsonl"
sleep 3 # older than the two-second window

"$CLAIMCHECK" run -q -o "$T/u.db" "$C" 2>"$T/err1"; expect_status "first run" 1 $?
expect_eq "first run" "5|0|1" "$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 1")"
expect_eq "files recorded, not the one with a failure" \
	"$C/one.txt|txt|1|1|1$C/three.jsonl|jsonl|2|1|1$C/two.md|md|1|1|1" \
	"$(q "$T/u.db" "SELECT path, format, documents, run_id, seen_run FROM files ORDER BY path" | tr -d '\n')"
expect_eq "stamps as stat sees them" "$(wc -c <"$C/three.jsonl" | tr -d ' ')" \
	"$(q "$T/u.db" "SELECT size FROM files WHERE path LIKE '%three.jsonl'")"

"$CLAIMCHECK" run -o "$T/u.db" "$C" >/dev/null 2>"$T/err2"; expect_status "second run" 1 $?
expect_eq "second run skipped all good documents" "0|5|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 2")"
expect_eq "files seen by run 2" "3" "$(q "$T/u.db" "SELECT count(*) FROM files WHERE seen_run = 2")"
expect_eq "documents of skipped files keep their seen_run; the others are checked one by one" \
	"$C/bad.jsonl#y1" "$(q "$T/u.db" "SELECT key FROM documents WHERE seen_run = 2 AND error IS NULL")"
expect_grep "the bad record is reported again" "bad.jsonl" "$T/err2"

# the same size and modification time but new content: the change time
# gives it away, and the document is re-analysed
cp -p "$C/one.txt" "$T/one.orig"
printf 'Budget talks\n\nThe deal may collapse, people familiar with the matter SAID.\n' >"$C/one.txt"
touch -r "$T/one.orig" "$C/one.txt"
sleep 3
"$CLAIMCHECK" run -q -o "$T/u.db" "$C" 2>/dev/null; expect_status "third run" 1 $?
expect_eq "third run analysed the changed file" "1|4|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 3")"
expect_eq "and recorded it again" "3" "$(q "$T/u.db" "SELECT run_id FROM files WHERE path LIKE '%one.txt'")"

# a file changed just before the run is analysed but not trusted (its
# modification time is put an hour ahead, so a slow start on a loaded
# machine cannot carry the run past the two-second window)
printf 'Budget talks\n\nThe deal may collapse.\n' >"$C/one.txt"
touch -d "@$(($(date +%s) + 3600))" "$C/one.txt"
"$CLAIMCHECK" run -q -o "$T/u.db" "$C" 2>/dev/null; expect_status "fourth run" 1 $?
expect_eq "fourth run analysed it" "1|4|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 4")"
expect_eq "not recorded" "0" "$(q "$T/u.db" "SELECT count(*) FROM files WHERE path LIKE '%one.txt'")"
"$CLAIMCHECK" run -q -o "$T/u.db" "$C" 2>/dev/null; expect_status "fifth run" 1 $?
expect_eq "fifth run: checked by hash, current" "0|5|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 5")"

touch -d "@$(($(date +%s) - 3600))" "$C/one.txt" # back in the past, settled after the sleep
sleep 3
# --force reads and analyses everything
"$CLAIMCHECK" run -q --force -o "$T/u.db" "$C" 2>/dev/null; expect_status "forced run" 1 $?
expect_eq "forced: all analysed" "5|0|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 6")"

# other rules: the records do not apply
mkdir -p "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
printf '\n[rule hedge.local-test]\ncategory = hedge\nmatch = =nothing\nflag = Nothing happened.\n' >>"$T/rules/hedges.rules"
"$CLAIMCHECK" run -q -r "$T/rules" -o "$T/u.db" "$C" 2>/dev/null; expect_status "other rules" 1 $?
expect_eq "other rules: all analysed" "5|0|1" \
	"$(q "$T/u.db" "SELECT documents, skipped, failed FROM runs WHERE id = 7")"
expect_eq "files now recorded with the other rules" "3" \
	"$(q "$T/u.db" "SELECT count(*) FROM files f JOIN runs r ON r.id = 7 WHERE f.ruleset_hash = r.ruleset_hash")"

finish
