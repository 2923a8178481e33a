#!/bin/sh
# bench-stages.sh — tests/bench/stages (the benchmark of each stage of run
# alone) prints its three stages and its two ceilings, and its store stage
# fills the database as `claimcheck run` does: every document, sentence and
# tag row equal, column for column, but for ids and run ids.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

STAGES="$top_builddir/tests/bench/stages"
[ -x "$STAGES" ] || { fail "$STAGES is not built"; finish; }

C="$T/corpus"
mkdir -p "$C"
cp -r "$top_srcdir/corpora/sample" "$C/sample"
printf '{"id": "r1", "text": "Prices could rise 4%% next year, according to Reuters."}\n{"id": "r2", "text": "The vote may slip to May, aides said."}\n' >"$C/recs.jsonl"

"$STAGES" -r "$top_srcdir/rules" -o "$T/stages.db" "$C" >"$T/out" 2>"$T/err"
expect_status "stages" 0 $?
expect_re "documents counted" '^0\.[0-9] MB, 22 documents \(0 failed to read, 0 to analyse\)' "$T/out"
for stage in read analyse store sqlite 'read back' inserts; do
	expect_re "stage $stage" "^$stage +-?[0-9]+\.[0-9]{2} +-?[0-9]+\.[0-9]{2} +-?[0-9]+\.[0-9] +-?[0-9]+\.[0-9]\$" "$T/out"
done
expect_re "the ceilings" '^worker \(read \+ analyse\) [0-9.]+ MB/s, writer \(store\) [0-9.]+ MB/s' "$T/out"
expect_re "SQLite's own floor" '^SQLite alone inserts these rows at [0-9.]+ MB/s' "$T/out"
expect_eq "the copy's database removed" "" "$(ls "$T" | grep 'stages\.db-sqlite')"
expect_eq "nothing on stderr" "" "$(cat "$T/err")"

"$CLAIMCHECK" run -q -j1 -r "$top_srcdir/rules" -o "$T/run.db" "$C"
expect_status "run" 0 $?

content() {
	q "$1" "SELECT key, path, ext_id, line, title, url, published, format, raw_hash, text_hash, bytes,
			ruleset_hash, n_sentences, n_flagged, n_hedged, n_speculative, n_weasel, n_sourced, n_tags,
			hedge_density, speculation_density, weasel_density, sourced_share, checkworthy_max,
			checkworthy_mean, error, error_offset, error_line, warning, text
		FROM documents ORDER BY key;
		SELECT d.key, s.idx, s.start, s.\"end\", s.kind, s.ntokens, s.hedge, s.speculation, s.weasel,
			s.uncertainty, s.factual, s.checkworthy, s.sourced, s.flagged
		FROM sentences s JOIN documents d ON d.id = s.doc_id ORDER BY d.key, s.idx;
		SELECT d.key, t.sentence, t.idx, t.rule, t.category, t.weight, t.start, t.\"end\", t.cue_start,
			t.cue_end, t.cue, t.source, t.role, t.anonymous, t.source_start, t.source_end
		FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY d.key, t.sentence, t.idx;"
}
content "$T/run.db" >"$T/run.rows"
content "$T/stages.db" >"$T/stages.rows"
expect_eq "rows from run" "yes" "$([ -s "$T/run.rows" ] && echo yes)"
if ! cmp -s "$T/run.rows" "$T/stages.rows"; then
	fail "the store stage's rows differ from run's:"
	diff "$T/run.rows" "$T/stages.rows" | head -10 >&2
fi
expect_eq "tags stored" "$(q "$T/run.db" "SELECT count(*) FROM tags")" \
	"$(q "$T/stages.db" "SELECT count(*) FROM tags")"
expect_eq "one complete run row" "1|complete|22" \
	"$(q "$T/stages.db" "SELECT count(*), max(status), max(documents) FROM runs")"

"$STAGES" -o "$T/x.db" >/dev/null 2>&1
expect_status "no inputs: usage" 2 $?
"$STAGES" --bogus "$C" >/dev/null 2>&1
expect_status "unknown option: usage" 2 $?

finish
