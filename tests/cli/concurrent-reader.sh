#!/bin/sh
# concurrent-reader.sh — the database is usable while `claimcheck run`
# writes to it: `claimcheck report`, `claimcheck review --status` and
# sqlite3 queries succeed (never
# SQLITE_BUSY) and see the run's progress, since the writer commits at
# least once a second; `claimcheck review --set` gets the write lock while
# the run goes on, and a verdict inserted by sqlite3 with SQLite's own busy
# timeout gets it too (perhaps only at the end of the run).
#
# The sqlite3 shell has no busy timeout by default; a reader that opens the
# database at the very moment another process is the first to open it (and
# rebuilds SQLite's shared WAL index) gets "database is locked" at once
# without one, so the queries here set one, as any client should.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# a corpus of ~10 MB (the sample, copied into 300 folders), so that a run
# lasts long enough for the checks below even on a fast, idle machine
C="$T/corpus"
sample_corpus "$C" 300
db="$T/c.db"
n=0
qr() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$1" "$2"
}

# readers against a database that a run fills, and then rewrites (--force)
for pass in fill rewrite; do
	extra=
	[ $pass = rewrite ] && extra=--force
	if [ $pass = fill ]; then
		# the database exists (schema, the sample) before the readers start
		"$CLAIMCHECK" run -q -o "$db" "$top_srcdir/corpora/sample"; expect_status "$pass: first run" 0 $?
		claim=$("$CLAIMCHECK" review -d "$db" --list | head -n 1 | cut -f 1)
		[ -n "$claim" ] || fail "no claim id from review --list"
	fi
	t0=$(date +%s%N | cut -c1-13)
	"$CLAIMCHECK" run -q -j1 $extra -o "$db" "$C" 2>"$T/run.$pass.err" &
	pid=$!
	n=$((n + 1))
	reads=0 bad=0 verdict=0 wpid=
	: >"$T/counts.$pass"
	while kill -0 $pid 2>/dev/null; do
		if ! "$CLAIMCHECK" report -d "$db" --format csv --limit 20 >"$T/report.out" 2>"$T/report.err"; then
			bad=$((bad + 1))
			sed 's/^/    report: /' "$T/report.err" >&2
		fi
		if ! qr "$db" "SELECT count(*) FROM documents WHERE run_id = (SELECT max(id) FROM runs)" >>"$T/counts.$pass" 2>"$T/q.err"; then
			bad=$((bad + 1))
			sed 's/^/    sqlite3: /' "$T/q.err" >&2
		fi
		if ! "$CLAIMCHECK" review -d "$db" --status >/dev/null 2>"$T/review.err"; then
			bad=$((bad + 1))
			sed 's/^/    review --status: /' "$T/review.err" >&2
		fi
		if ! qr "$db" "SELECT count(*) FROM sentences WHERE flagged = 1" >/dev/null 2>"$T/q.err"; then
			bad=$((bad + 1))
			sed 's/^/    sqlite3: /' "$T/q.err" >&2
		fi
		if [ $verdict = 0 ]; then
			# a second writer: claimcheck's busy handler retries every
			# millisecond, so it gets the lock in the short pause after
			# one of the run's commits, while the run goes on
			if "$CLAIMCHECK" review -d "$db" --set "$claim=unsure" --note "during the $pass run" >/dev/null 2>"$T/review.err"; then
				kill -0 $pid 2>/dev/null && verdict=1 || verdict=2
			else
				bad=$((bad + 1))
				sed 's/^/    review --set: /' "$T/review.err" >&2
				verdict=3
			fi
			# another, in the background, with SQLite's own busy timeout
			# (as the sqlite3 shell and most clients have): it polls
			# every 100 ms and may miss those pauses, so it may have to
			# wait for the end of the run, but it must not fail
			sqlite3 -batch -cmd ".timeout 120000" "$db" "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict)
				SELECT text_hash, $n, 10, '', 'unsure' FROM documents WHERE text_hash IS NOT NULL ORDER BY id LIMIT 1" 2>"$T/w.err" &
			wpid=$!
		fi
		reads=$((reads + 1))
		sleep 0.05
	done
	wait $pid
	expect_status "$pass: the run" 0 $?
	ms=$(($(date +%s%N | cut -c1-13) - t0))
	if [ -n "$wpid" ]; then
		wait $wpid
		expect_status "$pass: sqlite3's verdict insert" 0 $?
		sed 's/^/    sqlite3 insert: /' "$T/w.err" >&2
	fi
	expect_eq "$pass: failed reads" "0" "$bad"
	# commits come at least once a second: a run of 2.5 s read 4 times
	# shows one between the first and the last
	final=$(q "$db" "SELECT count(*) FROM documents WHERE run_id = (SELECT max(id) FROM runs)")
	progress=$(sort -un "$T/counts.$pass" | awk -v f="$final" '$1 > 0 && $1 < f' | wc -l)
	if [ $ms -ge 2500 ] && [ $reads -ge 4 ]; then
		[ "$progress" -ge 1 ] || fail "$pass: the readers saw no commit during the run ($reads reads in $ms ms)"
	else
		echo "concurrent-reader: $pass: $reads reads in $ms ms: progress not checked"
	fi
	if [ $verdict = 3 ] || { [ $verdict != 1 ] && [ $ms -ge 2500 ]; }; then
		fail "$pass: review --set did not write its verdict during the run ($verdict)"
	fi
	echo "concurrent-reader: $pass: $reads rounds of reads in $ms ms, $progress counts seen between the first and the last"
done
expect_eq "the verdicts written during the runs are there" "3" "$(q "$db" "SELECT count(*) FROM verdicts")"
expect_eq "review --set's verdict, set again in the second run" "unsure|during the rewrite run" \
	"$(q "$db" "SELECT verdict, note FROM verdicts WHERE note LIKE 'during%'")"
expect_eq "integrity" "ok" "$(q "$db" "PRAGMA integrity_check")"

finish
