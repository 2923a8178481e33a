#!/bin/sh
# run-memory.sh — run's memory is bounded by its queues' byte budgets
# (RUN_JOBS_BYTES and RUN_RESULTS_BYTES in pipeline/run.h), not by how many
# documents they may hold.
#
# 96 documents of 1 MB each (4,000 sentences of 240 bytes) go through
# `run -j2` twice: as records of one JSONL file, whose lines the reader
# reads far faster than the workers analyse them (the jobs queue would
# take 256 of them at -j2), and as text files, whose results the workers
# hand over faster than the writer stores them (the results queue would
# take 1,024). The text is plain and cheap to analyse, so that both queues
# fill. Peak memory is compared with that of the same run over one small
# document: above it are SQLite's page cache (64 MiB at most), the two
# budgets (8 and 16 MiB), the documents being analysed and, in a sanitizer
# build, its shadow memory. Measured where this was written: 104-122 MB
# above it with the budgets (128-129 MB under ASan); without the results
# budget 168 MB (files) and 177 MB (records), without the jobs budget
# 182 MB (records). The limit, 150 MB, lies between.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# a small ASan quarantine, so that freed memory is counted as freed (the
# default holds up to 256 MB of it); other builds ignore the variable
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
export ASAN_OPTIONS

N=96
LIMIT_KB=150000

# one document's text: sentences of five clauses, about 1 MB, one line
clause='the board met and the plan went ahead on time'
awk -v c="$clause" -v K=5 'BEGIN {
	s = "The " substr(c, 5); for (i = 1; i < K; i++) s = s " " c; s = s ". ";
	t = ""; while (length(t) < 1000000) t = t s;
	printf "%s", t
}' >"$T/text"
bytes=$(($(wc -c <"$T/text") - 1)) # the final space is not stored
sentences=$(($(tr -cd . <"$T/text" | wc -c)))
[ "$bytes" -ge 1000000 ] && [ "$sentences" -gt 4000 ] || fail "text made: $bytes bytes, $sentences sentences"

# the baseline: the same run over one small document
mkdir -p "$T/small"
printf 'The board met and the plan went ahead.\n' >"$T/small/a.txt"
peak_kb "$T/rss0" "$CLAIMCHECK" run -q -j2 -o "$T/small.db" "$T/small" >/dev/null 2>"$T/err"
expect_status "baseline run" 0 $?
rss0=$(tail -1 "$T/rss0")

# check WHAT DB: every document stored whole, with all its sentences
check() {
	expect_eq "$1: documents" "$N|0|$bytes|$bytes" \
		"$(q "$2" "SELECT count(*), count(error), min(length(text)), max(length(text)) FROM documents")"
	expect_eq "$1: sentences" "$((N * sentences))" "$(q "$2" "SELECT count(*) FROM sentences")"
	expect_eq "$1: the run" "complete|$N|0" "$(q "$2" "SELECT status, documents, failed FROM runs")"
}

# within WHAT: the peak in $T/rss is less than LIMIT_KB above the baseline
within() {
	rss=$(tail -1 "$T/rss")
	[ "${rss:-0}" -gt 0 ] && [ "${rss0:-0}" -gt 0 ] && [ "$rss" -lt $((rss0 + LIMIT_KB)) ] ||
		fail "$1: peak memory ${rss:-?} KiB, ${rss0:-?} KiB over one small document (expected less than $LIMIT_KB KiB more)"
	echo "$1: peak $rss KiB, baseline $rss0 KiB"
}

# ---- records of one JSONL file: the jobs queue's budget -----------------------
awk -v n=$N 'NR == 1 { for (i = 1; i <= n; i++) printf "{\"id\":\"r%03d\",\"text\":\"%s\"}\n", i, $0 }' \
	"$T/text" >"$T/big.jsonl"
expect_eq "JSONL made" "$N" "$(wc -l <"$T/big.jsonl" | tr -d ' ')"
peak_kb "$T/rss" "$CLAIMCHECK" run -q -j2 -o "$T/jsonl.db" "$T/big.jsonl" >/dev/null 2>"$T/err"
expect_status "run over $N records of 1 MB" 0 $?
check "records" "$T/jsonl.db"
within "records"
rm -f "$T/big.jsonl" "$T/jsonl.db" "$T/jsonl.db-wal" "$T/jsonl.db-shm"

# ---- text files: the results queue's budget ------------------------------------
mkdir -p "$T/files"
i=1
while [ $i -le $N ]; do
	cp "$T/text" "$T/files/d$i.txt"
	i=$((i + 1))
done
peak_kb "$T/rss" "$CLAIMCHECK" run -q -j2 -o "$T/files.db" "$T/files" >/dev/null 2>"$T/err"
expect_status "run over $N files of 1 MB" 0 $?
check "files" "$T/files.db"
within "files"
rm -rf "$T/files" "$T/files.db" "$T/files.db-wal" "$T/files.db-shm"

finish
