#!/bin/sh
# profile.sh — where `claimcheck run -j1` spends its instructions, per
# thread (not part of `make check`; needs valgrind).
#
# Runs `claimcheck run -q -j1` over the given inputs under callgrind with
# one profile per thread and prints, for each thread, its instructions in
# all and per MB of input, and its costliest functions (inclusive). The
# threads are: the main thread (loading and compiling the rules, then
# reading the inputs), the worker (normalise, segment, stem, tag, score),
# the writer (SQLite) and ckpt (the store's thread that copies the WAL
# into the database file: idle until the WAL holds 64 MiB). Instruction counts do not depend on the
# machine's load, so two builds or two rule sets can be compared on a busy
# machine; valgrind runs SHA-256 in software (it lacks the CPU's SHA
# instructions), which the figures include. For time per rule use
# `claimcheck rules profile`.
#
# Usage: tests/bench/profile.sh [--claimcheck BINARY] [-r RULES] [--top N] FILE|DIR...
set -eu

me=$(basename "$0")
bin=
rules=
top=8
while [ $# -gt 0 ]; do
	case $1 in
	--claimcheck) bin=$2; shift 2 ;;
	-r|--rules) rules=$2; shift 2 ;;
	--top) top=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $me [--claimcheck BINARY] [-r RULES] [--top N] FILE|DIR..." >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || { echo "$me: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
if [ -z "$bin" ]; then
	if [ -x ./claimcheck ]; then bin=./claimcheck
	elif [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/claimcheck" ]; then bin=$top_builddir/claimcheck
	else bin=$(command -v claimcheck || true)
	fi
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "$me: no claimcheck binary (build it, or pass --claimcheck)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/claimcheck-profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

bytes=$(find "$@" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
set -- "$bin" run -q -j1 -o "$tmp/p.db" ${rules:+-r "$rules"} "$@"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg.out" "$@" \
	>"$tmp/run.out" 2>"$tmp/valgrind.err" || {
	echo "$me: the run failed:" >&2
	tail -n 20 "$tmp/valgrind.err" >&2
	exit 1
}

printf '%.2f MB of input; instructions per thread (callgrind):\n\n' "$(echo "$bytes" | awk '{ print $1 / 1e6 }')"
for f in "$tmp"/cg.out-*; do
	n=$(sed -n 's/^summary: //p' "$f")
	# name the thread by the function that runs most of it
	callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null >"$tmp/annot"
	name=$(awk '/\([ 0-9.]+%\)/ {
		pct = $2; gsub(/[()%]/, "", pct)
		if (pct + 0 < 50) exit
		if ($0 ~ /run\.c:writer_main/) { print "writer"; exit }
		if ($0 ~ /run\.c:worker_main/) { print "worker"; exit }
		if ($0 ~ /run\.c:sizer_main/) { print "sizer"; exit }
		if ($0 ~ /store\.c:checkpointer_main/) { print "ckpt"; exit }
	}' "$tmp/annot")
	[ -n "$name" ] || name=main
	[ "$name" = main ] && per="(loading the rules, once; then reading)" || per=
	printf '%-7s %14s instructions  %8.1f M per MB %s\n' "$name" \
		"$(echo "$n" | awk '{ printf "%\047.0f", $1 }')" "$(echo "$n $bytes" | awk '{ print $1 / 1e6 / ($2 / 1e6) }')" "$per"
	# what follows the wall clock or the machine rather than the input:
	# the writer's commits (one a second, so about fifty times as many
	# under valgrind), the one-off JIT compilation and SHA-256 in software
	# (valgrind hides the CPU's SHA instructions)
	awk -v name="$name" -v n="$n" -v bytes="$bytes" '
		function cnt(line) { split(line, f, " "); gsub(/,/, "", f[1]); return f[1] + 0 }
		/^ *[0-9,]+ +\(/ && /store\.c:store_flush( |$)/ && !flush { flush = cnt($0) }
		/^ *[0-9,]+ +\(/ && /ruleset\.c:ruleset_jit_compile( |$)/ && !jit { jit = cnt($0) }
		/^ *[0-9,]+ +\(/ && /util\.c:sha256_block_sw( |$)/ && !sha { sha = cnt($0) }
		END {
			if (name == "writer" && flush)
				printf "        %14s without the commits (store_flush)  %8.1f M per MB\n",
				       sprintf("%\047.0f", n - flush), (n - flush) / bytes
			if (name == "worker" && (jit || sha))
				printf "        %14s without the JIT compilation and the software SHA-256  %8.1f M per MB\n",
				       sprintf("%\047.0f", n - jit - sha), (n - jit - sha) / bytes
		}' "$tmp/annot"
	# its costliest functions, inclusive, leaving out the thread's and
	# the C library's entry points and unnamed code
	awk -v top="$top" '
		/^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]/ && !/PROGRAM TOTALS/ {
			sub(/ \[[^]]*\]$/, "")
			if ($0 ~ /\?\?\?:0x|below main|libc-start|libc_start_call_main|start_thread|clone|pthread_create\.c|main\.c:main$|cmd-run\.c:cmd_run$|run\.c:(worker|writer|sizer)_main$|store\.c:checkpointer_main$/) next
			if ($0 ~ /\047[0-9]+$/) next # a recursive call, counted again
			if (shown++ < top) printf "          %s\n", $0
		}' "$tmp/annot"
	echo
done
