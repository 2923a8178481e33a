#!/bin/sh
# run-subset.sh — `run --rule ID`, `--category C` and `--skip-rule ID`
# (repeatable, shell wildcards) run a subset of the rules: the database
# holds only their tags; the subset is part of the rule-set hash, so a
# re-run with another subset analyses the documents again and one with
# the same subset (in any order) skips them; unknown ids and categories are
# usage errors naming them.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$top_srcdir/corpora/sample"
ndocs=20

"$CLAIMCHECK" run -q -o "$T/full.db" "$C"; expect_status "full run" 0 $?
full_hash=$(q "$T/full.db" "SELECT ruleset_hash FROM runs WHERE id = 1")

# --rule with a wildcard, less one --skip-rule
"$CLAIMCHECK" run -q -o "$T/h.db" --rule 'hedge.*' --skip-rule hedge.may-might "$C"
expect_status "--rule 'hedge.*' --skip-rule hedge.may-might" 0 $?
expect_eq "only hedge tags" "hedge" "$(q "$T/h.db" "SELECT group_concat(DISTINCT category) FROM tags")"
expect_eq "no skipped-rule tag" "0" "$(q "$T/h.db" "SELECT count(*) FROM tags WHERE rule = 'hedge.may-might'")"
expect_eq "the other hedge rules tag as in the full run" \
	"$(q "$T/full.db" "SELECT count(*) FROM tags WHERE category = 'hedge' AND rule <> 'hedge.may-might'")" \
	"$(q "$T/h.db" "SELECT count(*) FROM tags")"
n=$(q "$T/h.db" "SELECT count(DISTINCT rule) FROM tags")
[ "$n" -ge 5 ] || fail "only $n hedge rules tagged"
subset_hash=$(q "$T/h.db" "SELECT ruleset_hash FROM runs WHERE id = 1")
[ "$subset_hash" != "$full_hash" ] || fail "a subset has the full rule set's hash"
expect_eq "documents carry the subset's hash" "$ndocs" \
	"$(q "$T/h.db" "SELECT count(*) FROM documents WHERE ruleset_hash = '$subset_hash'")"

# --category (repeatable) and --rule add up
"$CLAIMCHECK" run -q -o "$T/c.db" --category weasel --category source --rule speculation.could "$C"
expect_status "--category weasel --category source --rule speculation.could" 0 $?
expect_eq "categories" "source,speculation,weasel" \
	"$(q "$T/c.db" "SELECT group_concat(category) FROM (SELECT DISTINCT category FROM tags ORDER BY 1)")"
expect_eq "the one speculation rule" "speculation.could" \
	"$(q "$T/c.db" "SELECT group_concat(DISTINCT rule) FROM tags WHERE category = 'speculation'")"
expect_eq "weasel and source tags as in the full run" \
	"$(q "$T/full.db" "SELECT count(*) FROM tags WHERE category IN ('weasel', 'source') OR rule = 'speculation.could'")" \
	"$(q "$T/c.db" "SELECT count(*) FROM tags")"

# incremental: another subset re-analyses, the same one (any order) skips
"$CLAIMCHECK" run -q -o "$T/i.db" "$C"; expect_status "incremental: full" 0 $?
"$CLAIMCHECK" run -q -o "$T/i.db" --skip-rule hedge.may-might --rule 'hedge.*' "$C"
expect_status "incremental: subset" 0 $?
expect_eq "another subset: all analysed again" "$ndocs|0" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 2")"
expect_eq "the same hash as the same subset in another order" "$subset_hash" \
	"$(q "$T/i.db" "SELECT ruleset_hash FROM runs WHERE id = 2")"
expect_eq "only the subset's tags are left" "0" \
	"$(q "$T/i.db" "SELECT count(*) FROM tags WHERE category <> 'hedge' OR rule = 'hedge.may-might'")"
"$CLAIMCHECK" run -q -o "$T/i.db" --rule 'hedge.*' --skip-rule 'hedge.may-*' "$C"
expect_status "incremental: same subset" 0 $?
expect_eq "the same subset: nothing redone" "0|$ndocs" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 3")"
"$CLAIMCHECK" run -q -o "$T/i.db" "$C"; expect_status "incremental: full again" 0 $?
expect_eq "back to all rules: all analysed" "$ndocs|0" "$(q "$T/i.db" "SELECT documents, skipped FROM runs WHERE id = 4")"
expect_eq "the full rule set's hash again" "$full_hash" "$(q "$T/i.db" "SELECT ruleset_hash FROM runs WHERE id = 4")"
expect_eq "all tags back" "$(q "$T/full.db" "SELECT count(*) FROM tags")" "$(q "$T/i.db" "SELECT count(*) FROM tags")"
expect_eq "the selection is in runs.args" "1" \
	"$(q "$T/i.db" "SELECT count(*) FROM runs WHERE args LIKE '%--skip-rule hedge.may-might --rule hedge.* %'")"

# usage errors: unknown ids (all named), unknown category, nothing left
"$CLAIMCHECK" run -q -o "$T/bad.db" --rule hedge.nope --rule 'hedge.*' --skip-rule 'zz.*' "$C" 2>"$T/err1"
expect_status "unknown ids" 2 $?
expect_grep "names the unknown ids" "no rule with id 'hedge.nope', 'zz.*'" "$T/err1"
"$CLAIMCHECK" run -q -o "$T/bad.db" --category rumour "$C" 2>"$T/err2"
expect_status "unknown category" 2 $?
expect_grep "names the category" "unknown category 'rumour'" "$T/err2"
"$CLAIMCHECK" run -q -o "$T/bad.db" --rule hedge.may-might --skip-rule 'hedge.*' "$C" 2>"$T/err3"
expect_status "nothing left" 2 $?
expect_grep "says nothing is left" "leaves no rule" "$T/err3"
[ -e "$T/bad.db" ] && fail "a usage error created the database"

finish
