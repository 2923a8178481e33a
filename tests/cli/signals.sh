#!/bin/sh
# signals.sh — the first SIGINT or SIGTERM stops `claimcheck run` cleanly:
# it stops reading, commits what is done, finishes the run row, says so on
# stderr and exits 130 or 143; a re-run does the rest, and the result
# equals an uninterrupted run. A second signal exits at once and the
# database stays intact.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# a corpus of ~3 MB: the sample, copied into 100 folders
C="$T/corpus"
sample_corpus "$C" 100

content() {
	q "$1" "SELECT key, raw_hash, text_hash, ruleset_hash, n_sentences, n_tags FROM documents ORDER BY key;
		SELECT d.key, s.idx, s.start, s.\"end\", s.flagged FROM sentences s JOIN documents d ON d.id = s.doc_id ORDER BY 1, 2;
		SELECT d.key, t.idx, t.rule, t.start, t.\"end\", coalesce(t.source, ''), coalesce(t.role, '') FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY 1, 2;" | md5sum
}

"$CLAIMCHECK" run -q -j2 -o "$T/ref.db" "$C"; expect_status "uninterrupted run" 0 $?
total=$(q "$T/ref.db" "SELECT count(*) FROM documents")
ref=$(content "$T/ref.db")

# A job started in the background by a script ignores SIGINT, and so does
# claimcheck then (as a program should): start the runs with the default
# action, as an interactive shell would.
# (env execs claimcheck, so $! is claimcheck's pid)

# wait_read PID BYTES: until the process has read BYTES (or has ended)
wait_read() {
	while kill -0 "$1" 2>/dev/null; do
		r=$(sed -n 's/^rchar: //p' "/proc/$1/io" 2>/dev/null)
		[ -n "$r" ] && [ "$r" -ge "$2" ] && return 0
		sleep 0.02
	done
}

# stop_once SIG STATUS NAME
stop_once() {
	db="$T/$1.db"
	env --default-signal=INT "$CLAIMCHECK" run -j2 -o "$db" "$C" >"$T/$1.out" 2>"$T/$1.err" &
	pid=$!
	wait_read $pid 1500000
	kill -"$1" $pid
	wait $pid
	expect_status "$1: stopped" "$2" $?
	expect_grep "$1: says so" "claimcheck: interrupted by $3: stopped reading input" "$T/$1.err"
	expect_grep "$1: the summary says it is partial" "(interrupted: only part of the input)" "$T/$1.out"
	expect_eq "$1: database intact" "ok" "$(q "$db" "PRAGMA integrity_check")"
	done_docs=$(q "$db" "SELECT count(*) FROM documents")
	if [ "$done_docs" -le 0 ] || [ "$done_docs" -ge "$total" ]; then
		fail "$1: $done_docs of $total documents committed (expected some, not all)"
	fi
	expect_eq "$1: the run row is finished with the committed totals" "1|$done_docs|interrupted" \
		"$(q "$db" "SELECT finished IS NOT NULL, documents, status FROM runs WHERE id = 1")"
	expect_grep "$1: the message counts them" "the $done_docs documents handled before are committed" "$T/$1.err"
	"$CLAIMCHECK" run -q -j2 -o "$db" "$C"; expect_status "$1: re-run" 0 $?
	expect_eq "$1: the re-run does the rest" "$((total - done_docs))|$done_docs|complete" \
		"$(q "$db" "SELECT documents, skipped, status FROM runs WHERE id = 2")"
	expect_eq "$1: same content as an uninterrupted run" "$ref" "$(content "$db")"
}
stop_once INT 130 SIGINT
stop_once TERM 143 SIGTERM

# two signals: the second one exits at once. Both are sent while the
# process is stopped, so they arrive together.
db="$T/twice.db"
env --default-signal=INT "$CLAIMCHECK" run -q -j2 -o "$db" "$C" 2>"$T/twice.err" &
pid=$!
wait_read $pid 1500000
kill -STOP $pid
kill -INT $pid
kill -TERM $pid
kill -CONT $pid
wait $pid
st=$?
# which of the two is handled first is the kernel's choice
if [ "$st" != 130 ] && [ "$st" != 143 ]; then fail "two signals: exit status $st, not 130 or 143"; fi
expect_grep "two signals: says so" "second signal: stopping now" "$T/twice.err"
if [ -e "$db" ]; then
	expect_eq "two signals: database intact" "ok" "$(q "$db" "PRAGMA integrity_check")"
fi
"$CLAIMCHECK" run -q -j2 -o "$db" "$C"; expect_status "two signals: re-run" 0 $?
expect_eq "two signals: same content as an uninterrupted run" "$ref" "$(content "$db")"

# an ignored SIGINT stays ignored
db="$T/ignored.db"
"$CLAIMCHECK" run -q -j2 -o "$db" "$C" 2>"$T/ignored.err" &
pid=$!
wait_read $pid 1500000
kill -INT $pid
wait $pid
expect_status "SIGINT ignored by the caller" 0 $?
expect_eq "SIGINT ignored: all done" "$total" "$(q "$db" "SELECT documents FROM runs WHERE id = 1")"

"$CLAIMCHECK" run --help >"$T/help"
expect_grep "--help documents the signal exit status" "130 or 143 stopped by" "$T/help"

finish
