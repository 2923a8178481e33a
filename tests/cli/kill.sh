#!/bin/sh
# kill.sh — SIGKILL at random points never costs more than the uncommitted
# batch: `claimcheck run` is killed at least 20 times (random delays over
# runs that rewrite documents with other rule selections, or --force);
# each time the database passes PRAGMA integrity_check and a re-run
# completes; in the end documents, sentences, tags and sources equal those
# of an uninterrupted run into a fresh database, and the verdicts made
# before the kills are all there.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

# a corpus of ~1 MB: the sample, copied into 30 folders
C="$T/corpus"
sample_corpus "$C" 30

content() {
	q "$1" "SELECT key, raw_hash, coalesce(text_hash, ''), ruleset_hash, coalesce(error, ''), n_sentences, n_tags FROM documents ORDER BY key;
		SELECT d.key, s.idx, s.start, s.\"end\", s.kind, s.checkworthy, s.flagged FROM sentences s JOIN documents d ON d.id = s.doc_id ORDER BY 1, 2;
		SELECT d.key, t.sentence, t.idx, t.rule, t.start, t.\"end\", coalesce(t.cue, ''), coalesce(t.source, ''), coalesce(t.role, ''), coalesce(t.anonymous, '') FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY 1, 2, 3;" | md5sum
}

ms() { date +%s%N | cut -c1-13; }

t0=$(ms)
"$CLAIMCHECK" run -q -j2 -o "$T/ref.db" "$C"; expect_status "uninterrupted run" 0 $?
span=$(($(ms) - t0)) # how long a full run takes here, in ms
ref=$(content "$T/ref.db")
total=$(q "$T/ref.db" "SELECT count(*) FROM documents")

seed=${KILL_SEED:-$(($$ + $(date +%s)))}
echo "kill.sh: seed $seed (KILL_SEED=$seed to repeat), a full run takes $span ms"
# delay N: the N-th pseudo-random delay in seconds, 0 to $span ms
delay() {
	awk -v s="$seed" -v n="$1" -v span="$span" 'BEGIN { srand(s + n); printf "%.3f\n", rand() * span / 1000 }'
}

db="$T/k.db"
kills=0
# killed_run N ARGS...: start a run, SIGKILL it after delay N; counts real kills
killed_run() {
	n=$1
	shift
	"$CLAIMCHECK" run -q -j2 -o "$db" "$@" "$C" 2>>"$T/killed.err" &
	pid=$!
	sleep "$(delay "$n")"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null # no "Killed" notice from the shell
	st=$?
	if [ $st = 137 ]; then
		kills=$((kills + 1))
	elif [ $st != 0 ]; then
		fail "run $n ended with status $st before it was killed"
	fi
	if [ -e "$db" ]; then
		expect_eq "kill $n: integrity" "ok" "$(q "$db" "PRAGMA integrity_check")"
	fi
}

# the first kills hit a database being created (schema, first batch)
killed_run 1
sleep 0.05
killed_run 2

"$CLAIMCHECK" run -q -j2 -o "$db" "$C"; expect_status "run after the first kills" 0 $?
# reviewers' work: verdicts on three tags and one sentence
q "$db" "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict, note)
	SELECT d.text_hash, t.start, t.\"end\", t.rule, 'confirmed', 'kept through kills'
	FROM tags t JOIN documents d ON d.id = t.doc_id WHERE d.key LIKE '%/copy7/%' ORDER BY d.key, t.idx LIMIT 3;
	INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict)
	SELECT d.text_hash, s.start, s.\"end\", '', 'false_positive'
	FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.key LIKE '%/copy9/%' AND s.flagged = 1 ORDER BY d.key, s.idx LIMIT 1"
verdicts=$(q "$db" "SELECT doc_hash, start, \"end\", rule, verdict, coalesce(note, '') FROM verdicts ORDER BY 1, 2, 3, 4" | md5sum)
expect_eq "verdicts recorded" "4" "$(q "$db" "SELECT count(*) FROM verdicts")"
on_current=$(q "$db" "SELECT count(*) FROM verdict_tags WHERE current = 1")
[ "$on_current" -ge 3 ] || fail "the verdicts match $on_current current tags"

n=3
while [ $kills -lt 22 ] && [ $n -le 60 ]; do
	# runs that rewrite documents: another rule selection (the re-run must
	# then redo what they wrote) or --force
	case $((n % 3)) in
	0) killed_run $n --skip-rule hedge.may-might ;;
	1) killed_run $n --force ;;
	2) killed_run $n --category hedge ;;
	esac
	# every third time the completing run is killed too, once
	if [ $((n % 3)) = 0 ]; then
		n=$((n + 1))
		killed_run $n
	fi
	"$CLAIMCHECK" run -q -j2 -o "$db" "$C" 2>"$T/rerun.err"
	expect_status "re-run after kill $n" 0 $?
	expect_eq "re-run after kill $n: all current" "$total" \
		"$(q "$db" "SELECT count(*) FROM documents d JOIN runs r ON r.id = (SELECT max(id) FROM runs) WHERE d.ruleset_hash = r.ruleset_hash AND d.error IS NULL")"
	n=$((n + 1))
done
echo "kill.sh: $kills runs killed with SIGKILL in $((n - 1)) tries"
[ $kills -ge 20 ] || fail "only $kills runs were killed (at least 20 wanted)"

expect_eq "integrity at the end" "ok" "$(q "$db" "PRAGMA integrity_check")"
expect_eq "content equals an uninterrupted run's" "$ref" "$(content "$db")"
expect_eq "verdicts unchanged" "$verdicts" \
	"$(q "$db" "SELECT doc_hash, start, \"end\", rule, verdict, coalesce(note, '') FROM verdicts ORDER BY 1, 2, 3, 4" | md5sum)"
expect_eq "verdicts still on the same current tags" "$on_current" "$(q "$db" "SELECT count(*) FROM verdict_tags WHERE current = 1")"
unfinished=$(q "$db" "SELECT count(*) FROM runs WHERE finished IS NULL")
[ "$unfinished" -ge 1 ] || fail "no run row left unfinished: were the runs really killed?"
expect_eq "a killed run stays 'running', a finished one is 'complete'" "0" \
	"$(q "$db" "SELECT count(*) FROM runs WHERE status <> CASE WHEN finished IS NULL THEN 'running' ELSE 'complete' END")"

finish
