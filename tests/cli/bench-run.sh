#!/bin/sh
# bench-run.sh — tests/bench/run.sh, the throughput benchmark of issue 5,
# end to end on a small stand-in for ../shared/corpora (a Reuters-style SGML
# file and BBC-style folders, written for this test): it builds a 1 MB
# corpus of numbered copies, times every run, and prints the table, the
# pair ratios, the targets and the stages, with counts that match the
# databases it keeps. Then it reuses the corpus, and refuses bad arguments.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3
if [ ! -x /usr/bin/time ]; then
	echo "/usr/bin/time not found: install the Debian package time (scripts/deps.sh does)" >&2
	exit 99 # a hard error, not a skip: the benchmark needs it
fi

BENCH="$top_srcdir/tests/bench/run.sh"
C="$T/corpora"
mkdir -p "$C/reuters21578" "$C/bbc_fulltext/business" "$C/bbc_fulltext/politics"

# Four wire stories, one of them without a body (skipped, as in the real files).
cat >"$C/reuters21578/reut2-000.sgm" <<'EOF'
<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="101">
<DATE>02-MAR-1987 09:14:00.00</DATE>
<TEXT>
<TITLE>HALDEN MILLS SEES LOWER GRAIN OUTPUT</TITLE>
<BODY>Halden Mills Inc said its grain output could fall by as much as 12 pct this
season after a dry spring in the northern provinces.
    The company said prices may rise if the shortfall persists, but analysts at
Brightmoor Securities said the decline was probably temporary.
    "We expect the harvest to recover next year," chief executive Dana Whitfield
told reporters. Output was 4.2 mln tonnes last year, according to the company.
    Traders said the estimate signals tighter supply in the second quarter.
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="102">
<DATE>02-MAR-1987 09:20:00.00</DATE>
<TEXT TYPE="BRIEF">
<TITLE>CORVALE RAIL TO REVIEW FARES</TITLE>
</TEXT>
</REUTERS>
<REUTERS TOPICS="YES" NEWID="103">
<DATE>02-MAR-1987 10:02:00.00</DATE>
<TEXT>
<TITLE>OSTRAVEN BANK RAISES LENDING RATE</TITLE>
<BODY>The Ostraven central bank raised its main lending rate to 6.5 pct from 6.0
pct, citing stronger than expected wage growth.
    Economists said further increases were likely before the summer, and people
familiar with the bank's thinking said a pause was not ruled out.
    The bank reportedly considered a larger move. Some observers argue the
decision is either a warning shot or the start of a long cycle.
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="YES" NEWID="104">
<DATE>02-MAR-1987 11:45:00.00</DATE>
<TEXT>
<TITLE>PELLWORTH CHEMICALS PROFIT UP</TITLE>
<BODY>Pellworth Chemicals Corp reported a net profit of 31.7 mln dlrs for the year,
up from 24.9 mln dlrs.
    Data via StatWire show sales rose in every region. The company said it might
sell its paints unit, although no buyer had been found, per analyst Tom Reyes.
&#3;</BODY></TEXT>
</REUTERS>
EOF

cat >"$C/bbc_fulltext/business/001.txt" <<'EOF'
Harbour tolls set to rise

Shipping firms could pay up to a fifth more to use the Halden harbour from next spring, officials have said.

The harbour board said the rise would probably fund a new breakwater, but some operators warned that smaller lines may move to other ports.

"It is either a bluff or a serious plan," said Maria Lopez, who runs a ferry company on the coast. Figures from the board suggest traffic has grown by 8% a year.
EOF
cat >"$C/bbc_fulltext/business/002.txt" <<'EOF'
Bakery chain plans new sites

A regional bakery chain is expected to open twelve shops this year, according to its annual report.

The firm said demand remained strong, although rising flour costs might squeeze margins. Analysts believe the plan is achievable if wages stay flat.
EOF
cat >"$C/bbc_fulltext/politics/001.txt" <<'EOF'
Council vote on bus lanes delayed

A vote on new bus lanes in Corvale has been put off until May, council leaders said on Tuesday.

Supporters say the lanes would cut journey times, while critics argue the cost is too high. The transport committee reportedly asked for a fresh study.

People close to the talks said a compromise was likely.
EOF
cat >"$C/bbc_fulltext/politics/002.txt" <<'EOF'
Minister signals tax review

The finance minister has signalled that a review of property taxes could begin next year.

In an interview, she said the current system was unfair to renters and may need to change. Opposition MPs said the review was a distraction.
EOF

S="$T/scratch"
sh "$BENCH" --size 1 --dir "$S" --corpora "$C" --claimcheck "$CLAIMCHECK" --repeat 2 --pair --stages \
	--keep >"$T/out" 2>"$T/err"
expect_status "benchmark" 0 $?

# the corpus: numbered copies of 3 JSONL records (reut2-000.jsonl) and 4 articles
copies=$(find "$S/corpus-1mb" -mindepth 1 -maxdepth 1 -type d -name 'c[0-9][0-9][0-9]' | wc -l)
expect_eq "enough copies for 1 MB" yes "$([ "$copies" -ge 100 ] && echo yes)"
expect_eq "copy 1 numbered" '{"id":"101-1","title":"1: HALDEN MILLS SEES LOWER GRAIN OUTPUT' \
	"$(head -n 1 "$S/corpus-1mb/c001/reuters/reut2-000.jsonl" | cut -d'"' -f1-8)"
expect_eq "copy 2's headline" "2: Harbour tolls set to rise" \
	"$(head -n 1 "$S/corpus-1mb/c002/bbc/business/001.txt")"
expect_grep "corpus line" "MB in $((copies * 5)) files, $((copies * 3)) of its documents JSONL records" "$T/out"

# every run of the table, with figures
for label in 'wc -w' 'run -j1' 'run -j2' 're-run \(unchanged\)' 'stream \(JSONL\)' 'stream -j2 \(JSONL\)' \
	'2 x run -j1 \(--pair\)' '2 x stream \(--pair\)'; do
	expect_re "row $label" "^$label +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9] " "$T/out"
done

# the counts are those of the -j1 database it kept
docs=$(q "$S/bench-j1.db" "SELECT count(*) FROM documents")
sents=$(q "$S/bench-j1.db" "SELECT count(*) FROM sentences")
expect_eq "documents analysed" "$((copies * 7))" "$docs"
expect_eq "none failed" 0 "$(q "$S/bench-j1.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_re "totals line" "^1\.[0-9] MB, $docs documents, $sents sentences; database [0-9]+ MB\$" "$T/out"
expect_eq "the -j2 database holds the same" "$docs|$sents" \
	"$(q "$S/bench-j2.db" "SELECT count(*), (SELECT count(*) FROM sentences) FROM documents")"
expect_eq "the re-run skipped them all" "$docs" \
	"$(q "$S/bench-j2.db" "SELECT skipped FROM runs ORDER BY id DESC LIMIT 1")"
expect_no_grep "no note on the re-run" "note: the re-run skipped" "$T/out"

# two alternating pairs, the targets, the stages
expect_re "pair 1" '^  1: -j1 [0-9.]+ s \([0-9.]+ MB/s\), -j2 [0-9.]+ s: [0-9.]+x$' "$T/out"
expect_re "pair 2" '^  2: -j1 [0-9.]+ s \([0-9.]+ MB/s\), -j2 [0-9.]+ s: [0-9.]+x$' "$T/out"
expect_re "-j1 target" '^  -j1 >= 30 MB/s +[0-9.]+ MB/s +(ok|MISSED)$' "$T/out"
expect_re "-j2 target" '^  -j2 >= 1\.7x -j1 +[0-9.]+x +(ok|MISSED) \(the median of the pair ratios\)$' "$T/out"
expect_re "RSS target" '^  peak RSS <= 200 MB +[0-9]+ MB +(ok|MISSED)$' "$T/out"
expect_re "re-run target" '^  re-run <= 5% of -j2 run +[0-9.]+% +(ok|MISSED)$' "$T/out"
expect_re "second core" '^    \(two stream processes, one core each, side by side: [0-9.]+x one' "$T/out"
expect_re "stages" "^  0\.[0-9] MB, $((docs / copies)) documents \(0 failed to read, 0 to analyse\)" "$T/out"
expect_re "ceilings" '^  worker \(read \+ analyse\) [0-9.]+ MB/s, writer \(store\) [0-9.]+ MB/s' "$T/out"
expect_re "SQLite's floor" '^  SQLite alone inserts these rows at [0-9.]+ MB/s' "$T/out"
expect_re "the two targets against it" '^  writer; SQLite alone inserts [0-9.]+ MB/s of these rows \([0-9]+% of 51\)$' "$T/out"
for run in j1 j2 rerun j1.2 j2.2 pair stream stream2 spair; do
	expect_re "progress of $run" "^  $run: exit 0, " "$T/err"
done

# a second benchmark reuses the corpus, and without --keep leaves no database
sh "$BENCH" --size 1 --dir "$S" --corpora "$C" --claimcheck "$CLAIMCHECK" >"$T/out2" 2>"$T/err2"
expect_status "second benchmark" 0 $?
expect_grep "corpus reused" "corpus: reusing $S/corpus-1mb" "$T/out2"
expect_eq "databases removed" "" "$(ls "$S"/bench-*.db 2>/dev/null)"

# bad arguments: a message and exit 2, before any work
sh "$BENCH" --size 0 --dir "$S" --corpora "$C" --claimcheck "$CLAIMCHECK" >"$T/o3" 2>"$T/e3"
expect_status "--size 0" 2 $?
expect_grep "--size 0 message" "--size wants a whole number of MB, not '0'" "$T/e3"
sh "$BENCH" --size 1 --dir "$S" --corpora "$T/nowhere" --claimcheck "$CLAIMCHECK" >"$T/o4" 2>"$T/e4"
expect_status "no corpora" 2 $?
expect_grep "no corpora message" "the corpora are not in $T/nowhere" "$T/e4"
sh "$BENCH" --repeat x --corpora "$C" --claimcheck "$CLAIMCHECK" >"$T/o5" 2>"$T/e5"
expect_status "--repeat x" 2 $?

finish
