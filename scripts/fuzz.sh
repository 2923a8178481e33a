#!/bin/sh
# fuzz.sh — build the libFuzzer targets in tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) and run each for FUZZ_SECONDS.
# Called by `make fuzz` (tests/fuzz/fuzz.am), which passes the flags
# configure found; see doc/fuzzing.md.
#
# Environment (set by make; override on the make command line):
#   FUZZ_CC          clang (default: clang)
#   FUZZ_SECONDS     seconds per target (default 60; 0 = build only)
#   FUZZ_TARGETS     targets to run (default: all)
#   FUZZ_MAX_LEN     libFuzzer -max_len (default 16384)
#   FUZZ_TIMEOUT     libFuzzer -timeout: seconds for one input (default 25)
#   FUZZ_FLAGS       more libFuzzer flags (e.g. -jobs=2)
#   FUZZ_SRCDIR, FUZZ_BUILDDIR, FUZZ_DEP_CFLAGS, FUZZ_LIBS, FUZZ_STD,
#   FUZZ_LIB_SOURCES (the library's sources, relative to FUZZ_SRCDIR)
# Output in $FUZZ_BUILDDIR/tests/fuzz/: bin/ (the fuzzers), corpus/<target>
# (the growing corpus, started from the seeds), artifacts/<target>/ (crash-,
# timeout- and oom- files), fuzz-<target>.log (the last run's output) and
# fuzz-log.tsv (one line per run: date, target, CPU seconds -- wall seconds
# without /usr/bin/time --, executions, artifacts).
set -u

CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-60}
SRC=${FUZZ_SRCDIR:?run through make fuzz}
BLD=${FUZZ_BUILDDIR:?run through make fuzz}
ALL="segment rules html markdown jsonl pipeline"
TARGETS=${FUZZ_TARGETS:-$ALL}
MAXLEN=${FUZZ_MAX_LEN:-16384}
OUT="$BLD/tests/fuzz"
BIN="$OUT/bin"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

mkdir -p "$BIN/obj" || exit 1

# clang with libFuzzer, or a clear message (the rest of the build does not
# need either).
probe="$BIN/probe.c"
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe"
if ! command -v "$CC" >/dev/null 2>&1 ||
   ! "$CC" -fsanitize=fuzzer,address,undefined -o "$BIN/probe" "$probe" >"$BIN/probe.log" 2>&1; then
	echo "make fuzz: '$CC' cannot build libFuzzer targets (Debian: apt-get install clang libclang-rt-14-dev," >&2
	echo "           or make fuzz FUZZ_CC=/path/to/clang); nothing was fuzzed." >&2
	[ -s "$BIN/probe.log" ] && sed 's/^/    /' "$BIN/probe.log" | head -5 >&2
	exit 1
fi

CFLAGS="${FUZZ_STD:-} -g -O1 $SAN -DHAVE_CONFIG_H -I$BLD -I$SRC/pipeline -I$SRC/reports -I$SRC/tests/fuzz"
CFLAGS="$CFLAGS -DPKGDATADIR=\"$SRC/rules\" -DSRCDIR_RULES=\"$SRC/rules\" -pthread ${FUZZ_DEP_CFLAGS:-}"

# The library, instrumented for coverage (fuzzer-no-link).
echo "fuzz: building the library with $CC"
objs=""
for f in ${FUZZ_LIB_SOURCES:-}; do
	case $f in *.c) ;; *) continue ;; esac
	src="$SRC/$f"
	[ -f "$src" ] || src="$BLD/$f" # generated (sql-embed.c)
	o="$BIN/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find "$SRC/pipeline" "$SRC/reports" -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
		# shellcheck disable=SC2086
		"$CC" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$o" || exit 1
	fi
	objs="$objs $o"
done
rm -f "$BIN/libclaimcheck-fuzz.a"
# shellcheck disable=SC2086
ar cr "$BIN/libclaimcheck-fuzz.a" $objs || exit 1

for t in $TARGETS; do
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -fsanitize=fuzzer -o "$BIN/fuzz-$t" "$SRC/tests/fuzz/fuzz_$t.c" \
		"$BIN/libclaimcheck-fuzz.a" ${FUZZ_LIBS:-} -lm || exit 1
done
echo "fuzz: built $(for t in $TARGETS; do printf '%s ' "fuzz-$t"; done)in $BIN"
[ "$SECONDS_EACH" -gt 0 ] 2>/dev/null || exit 0

found=0
for t in $TARGETS; do
	corpus="$OUT/corpus/$t"
	art="$OUT/artifacts/$t"
	mkdir -p "$corpus" "$art"
	log="$OUT/fuzz-$t.log"
	echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)"
	# the seeds and the regression inputs start the corpus; new units go
	# to the build tree's corpus only
	t0=$(date +%s)
	timer=""
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $OUT/fuzz-$t.cpu"
	# shellcheck disable=SC2086
	$timer "$BIN/fuzz-$t" -max_total_time="$SECONDS_EACH" -timeout=${FUZZ_TIMEOUT:-25} -rss_limit_mb=2048 \
		-max_len="$MAXLEN" -print_final_stats=1 -artifact_prefix="$art/" \
		${FUZZ_FLAGS:-} "$corpus" "$SRC/tests/fuzz/$t" "$SRC/tests/fuzz/regress/$t" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	# CPU seconds (user + system) when /usr/bin/time is there, else wall
	secs=""
	if [ -n "$timer" ] && [ -s "$OUT/fuzz-$t.cpu" ]; then
		secs=$(tail -1 "$OUT/fuzz-$t.cpu" | awk -F+ '$1 ~ /^[0-9.]+$/ { printf "%.0f", $1 + $2 }')
	fi
	[ -n "$secs" ] || secs=$((t1 - t0))
	crashes=$(find "$art" -type f | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "${secs:-?}" "${execs:-?}" \
		"$crashes" >>"$OUT/fuzz-log.tsv"
	echo "fuzz: $t: ${secs:-?} s, ${execs:-?} executions, exit $rc, $crashes artifact(s) in $art"
	if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
		found=1
		grep -E 'ERROR|runtime error|fuzz invariant|SUMMARY' "$log" | head -5 | sed 's/^/    /'
	fi
done
if [ "$found" -ne 0 ]; then
	echo "fuzz: crashes or slow inputs found: copy each into tests/fuzz/regress/<target>/ after fixing it" >&2
	exit 1
fi
exit 0
