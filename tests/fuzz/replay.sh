#!/bin/sh
# replay.sh — every seed and every regression input of every fuzz target
# goes through the target's entry point again (replay-<target>, built with
# the normal compiler, or with ASan/UBSan under --enable-sanitizers). A
# crash, a sanitizer report or a broken invariant fails the test and names
# the input. A target's replay is limited to REPLAY_CPU_SECONDS of CPU (ulimit
# -t; default 120, for the sanitizer build), so an input that turns slow again
# fails too.
. "$top_srcdir/tests/cli/lib.sh"

cpu=${REPLAY_CPU_SECONDS:-120}
for t in segment rules html markdown jsonl pipeline; do
	prog="$top_builddir/tests/fuzz/replay-$t"
	if [ ! -x "$prog" ]; then
		fail "$prog not built"
		continue
	fi
	set -- "$top_srcdir/tests/fuzz/$t"
	[ -d "$top_srcdir/tests/fuzz/regress/$t" ] && set -- "$@" "$top_srcdir/tests/fuzz/regress/$t"
	n_in=$(find "$@" -type f ! -name '.*' | wc -l)
	[ "$n_in" -gt 0 ] || fail "$t: no seeds in $top_srcdir/tests/fuzz/$t"
	(ulimit -t "$cpu" 2>/dev/null; exec "$prog" "$@") >"$T/$t.tap" 2>"$T/$t.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$t: replay exited with $rc after $(tail -1 "$T/$t.err")"
		grep -E 'ERROR|runtime error|invariant|SUMMARY|not ok' "$T/$t.err" "$T/$t.tap" | head -10 | sed 's/^/    /' >&2
		continue
	fi
	expect_eq "$t: inputs replayed" "1..$n_in" "$(tail -1 "$T/$t.tap")"
done
finish
