# lib.sh — shared helpers for the CLI tests (sourced; POSIX sh).
# Each test runs the real binary ($CLAIMCHECK) on real files in a scratch
# folder under the build tree and checks output, exit codes and the
# database (with the sqlite3 command).
set -u

: "${CLAIMCHECK:?run through make check, or set CLAIMCHECK=path/to/claimcheck}"
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
RULES="$top_srcdir/rules"
CLAIMCHECK_RULES="$RULES"
export CLAIMCHECK_RULES

name=$(basename "$0" .sh)
T="$top_builddir/tests/tmp/cli-$name"
rm -rf "$T"
mkdir -p "$T"
failures=0

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected [$2], got [$3]"
	fi
}

# expect_status WHAT EXPECTED ACTUAL
expect_status() {
	expect_eq "$1 (exit status)" "$2" "$3"
}

# expect_grep WHAT PATTERN FILE: the file has a line matching PATTERN (fixed string)
expect_grep() {
	if ! grep -qF -- "$2" "$3"; then
		fail "$1: [$2] not found in $3:"
		sed 's/^/    /' "$3" >&2
	fi
}

expect_no_grep() {
	if grep -qF -- "$2" "$3"; then
		fail "$1: [$2] unexpectedly found in $3"
	fi
}

# expect_re WHAT ERE FILE: the file has a line matching the extended regex
expect_re() {
	grep -qE -- "$2" "$3" || { fail "$1: /$2/ not found in $3:"; sed 's/^/    /' "$3" >&2; }
}

# q DB SQL: one query, list mode, '|' separated
q() {
	sqlite3 -batch -noheader "$1" "$2"
}

# sample_corpus DIR N: a bigger corpus, the sample copied into N folders
# DIR/copy1 ... DIR/copyN (each copy about 33 KB in 20 documents)
sample_corpus() {
	mkdir -p "$1"
	_i=1
	while [ $_i -le "$2" ]; do
		cp -r "$top_srcdir/corpora/sample" "$1/copy$_i"
		_i=$((_i + 1))
	done
}

# peak_kb OUT CMD...: run CMD; its peak resident set (KiB) goes to OUT.
# /usr/bin/time if installed, else VmHWM sampled from /proc while it runs.
peak_kb() {
	out=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$out" "$@"
		return $?
	fi
	"$@" &
	p=$!
	max=0
	while kill -0 $p 2>/dev/null; do
		v=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' /proc/$p/status 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
		sleep 0.02
	done
	wait $p
	r=$?
	echo "$max" >"$out"
	return $r
}

need_sqlite3() {
	if ! command -v sqlite3 >/dev/null 2>&1; then
		echo "sqlite3 command not found: install the Debian package sqlite3" >&2
		exit 99 # a hard error, not a skip: the tests need it
	fi
}

finish() {
	if [ "$failures" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$name" "$failures" >&2
		exit 1
	fi
	printf '%s: all checks passed\n' "$name"
	exit 0
}
