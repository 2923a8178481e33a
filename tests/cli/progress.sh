#!/bin/sh
# progress.sh — `claimcheck run` shows a progress line on standard error
# when it is a terminal (a bar and a percentage once the input's size is
# known, documents, MB, MB/s, failures, and an ETA once a second has
# passed) and ends it with the final figures; a message erases it before
# it is printed; with standard error redirected, or with -q, it is silent.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

DRIVE="$top_builddir/tests/pty-drive"
if [ ! -x "$DRIVE" ]; then
	echo "progress: $DRIVE is not built (make tests/pty-drive); skipped" >&2
	exit 77
fi

# a corpus that takes a few seconds with one worker: the sample, copied
# into 300 folders (about 10 MB), plus one file that fails
C="$T/corpus"
sample_corpus "$C" 300
printf '\377\376b\000a\000d\000' >"$C/utf16.txt"
bytes=$(find "$C" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')

# On a terminal. The driver's script only waits for the first progress
# line; the driver then waits for the run to end.
cat >"$T/script" <<EOF
expect MB/s
EOF
t0=$(date +%s)
"$DRIVE" -t 300 -l "$T/tty.log" "$T/script" -- "$CLAIMCHECK" run -j1 -o "$T/tty.db" "$C" >"$T/tty.out" 2>&1
status=$?
took=$(($(date +%s) - t0))
expect_status "run on a terminal" 1 $status # one file fails
docs=$(q "$T/tty.db" "SELECT count(*) FROM documents")
expect_eq "documents in the database" 6001 "$docs"

# the log holds every line as the terminal got it: progress lines end in
# \r-separated updates; the last one ends with a newline and the totals
tr '\r' '\n' <"$T/tty.log" >"$T/lines"
grep -E '^(\[[#.]{20}\] +[0-9]+%  )?[0-9]+ documents  [0-9.]+ MB  [0-9.]+ MB/s  [0-9]+ failed' "$T/lines" |
	sed 's/^\[[#.]*\] *[0-9]*%  //' >"$T/progress"
[ -s "$T/progress" ] ||
	fail "no progress line on the terminal: $(head -c 400 "$T/tty.log")"
updates=$(wc -l <"$T/progress" | tr -d ' ')
[ "$updates" -ge 2 ] || fail "only $updates progress line(s) in a run of $took s"
expect_grep "the final line has every document and the input's size" \
	"6001 documents  $bytes MB" "$T/progress"
expect_grep "and the failure" "  1 failed" "$T/progress"
# the bar: present once the size is known, full on the last line
grep -E '^\[[#.]{20}\] +[0-9]+%  ' "$T/lines" | sed 's/  .*//' >"$T/bars"
[ -s "$T/bars" ] || fail "no progress bar: $(head -c 400 "$T/tty.log")"
expect_eq "the last bar is full" "[####################] 100%" "$(tail -n 1 "$T/bars")"
sed -n 's/^.*\] *\([0-9]*\)%$/\1/p' "$T/bars" | sort -n -c 2>/dev/null ||
	fail "the percentage went down: $(tr '\n' ' ' <"$T/bars")"
# the error message erased the progress line first, so it starts a line
esc=$(printf '\033')
grep -q "^$esc\[Kclaimcheck: .*utf16.txt: byte 0: UTF-16" "$T/lines" ||
	fail "the error message did not erase the progress line: $(grep utf16 "$T/lines" | cat -v)"
# counts only grow
sed 's/ documents.*//' "$T/progress" | sort -n -c 2>/dev/null ||
	fail "the document count went down: $(sed 's/ documents.*//' "$T/progress" | tr '\n' ' ')"
# An ETA appears once a second has passed (and the input's size is known),
# so only in a run that lasts well over a second. The corpus is sized for
# that; on a machine so fast that it is not, the check cannot be made.
if [ "$took" -ge 3 ]; then
	grep -Eq '  ETA [0-9]+:[0-9]{2}:[0-9]{2}' "$T/progress" ||
		fail "no ETA in a run of $took s: $(tail -n 3 "$T/progress")"
else
	echo "progress: the run took $took s; the ETA (shown after a second) was not checked"
fi
# the summary follows on standard output as usual
expect_grep "summary after the progress line" "documents  6000 analysed, 0 unchanged, 1 failed" "$T/lines"

# Not a terminal: nothing but the error message on standard error.
"$CLAIMCHECK" run -j1 -o "$T/file.db" "$C" >"$T/file.out" 2>"$T/file.err"
expect_status "run, standard error to a file" 1 $?
expect_no_grep "no progress line in a file" "MB/s" "$T/file.err"
if tr -d '\n' <"$T/file.err" | grep -q "$(printf '\r')"; then
	fail "a carriage return in standard error redirected to a file"
fi
expect_grep "the error is still reported" "utf16.txt" "$T/file.err"
expect_eq "only the failed file on standard error" 1 "$(wc -l <"$T/file.err" | tr -d ' ')"

# -q on a terminal: silent (no per-document messages either)
cat >"$T/script-q" <<EOF
# nothing to type: wait for the end
EOF
"$DRIVE" -t 300 -l "$T/q.log" "$T/script-q" -- "$CLAIMCHECK" run -q -j1 -o "$T/q.db" "$C" >"$T/q.out" 2>&1
expect_status "run -q on a terminal" 1 $?
expect_eq "nothing on the terminal with -q" 0 "$(wc -c <"$T/q.log" | tr -d ' ')"

finish
