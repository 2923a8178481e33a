#!/bin/sh
# run.sh — the single-machine throughput benchmark (not part of `make check`;
# tests/cli/bench-run.sh runs it there on a 1 MB stand-in for the corpora).
#
# Builds a corpus of at least --size MB (default 200) from the research
# corpora in ../shared/corpora next to the source tree: the Reuters-21578
# <TITLE>/<BODY> texts as JSONL records (one file per SGML file) and the BBC
# articles as .txt files, repeated as separate documents (every copy has its
# own ids and a numbered title, so keys and content hashes differ). Then,
# in one go and with `/usr/bin/time -v`, it times:
#
#   wc -w          over the same files (the reference: reading the text once)
#   run -j1        a fresh database, one worker
#   run -j2        a fresh database, two workers
#   re-run         -j2 again over the unchanged corpus (everything is current)
#   stream         `claimcheck stream` over the JSONL records, one worker
#   stream -j2     the same with two workers (output in input order)
#   pair (--pair)  two independent run -j1 processes side by side, each over
#                  the whole corpus into its own database: what two cores
#                  give for twice the work without any sharing between the
#                  workers (each -j1 keeps more than one core busy, as its
#                  writer runs beside its worker, so the two contend)
#   stream pair    (--pair) two `stream` processes side by side over the
#                  JSONL records: one-thread work, no contention for
#                  cores: what the second core gives on this machine
#   stages         (--stages) tests/bench/stages over the corpus's first
#                  copy (c001): reading, analysing and storing each alone on
#                  one thread, every analysis kept in memory before the
#                  store stage: the worker's ceiling and the writer's, which
#                  bound run -j1 (the slower of the two) and any run (the
#                  writer's: there is one); `make check` or
#                  `make tests/bench/stages` builds it
#
# and prints MB/s, documents/s, sentences/s, peak RSS, and each run's time
# per MB as a multiple of wc -w's. MB are 10^6 bytes of input files;
# documents and sentences are those of the corpus (as counted by the -j1
# run), so every row is the same work; the stream row counts only the
# JSONL records it reads. The corpus is kept in the scratch folder
# (corpus-<size>mb) and reused; the databases are removed at the end unless
# --keep. The machine should be otherwise idle: other processes on the
# cores show up in every figure, most of all in -j2.
#
# Usage: tests/bench/run.sh [--size MB | --quick] [--dir SCRATCH]
#                           [--claimcheck BINARY] [--corpora DIR] [--pair] [--repeat N]
#                           [--stages] [--keep]
set -eu

me=$(basename "$0")
src=$(cd "$(dirname "$0")/../.." && pwd)
size=200
dir=
bin=
corpora=
keep=0
pair=0
repeat=1
stages=0

usage() {
	cat <<EOF
Usage: $me [--size MB | --quick] [--dir SCRATCH] [--claimcheck BINARY] [--corpora DIR] [--pair]
       [--repeat N] [--stages] [--keep]

  --size MB        corpus size in MB (default 200)
  --quick          a 20 MB corpus, for trying things
  --dir SCRATCH    where the corpus and the databases go (default: bench-scratch
                   next to the binary, else \$TMPDIR/claimcheck-bench)
  --claimcheck B   the binary (default: ./claimcheck, \$top_builddir/claimcheck,
                   or claimcheck on PATH)
  --corpora DIR    the research corpora (default: $src/../shared/corpora)
  --pair           also time two run -j1 processes side by side (twice the
                   work), and two stream processes side by side: what the
                   second core gives without sharing
  --repeat N       time run -j1 and run -j2 N times, alternating, each into a
                   fresh database: the table shows the medians, and each
                   pair's -j2 ratio is printed (the machine's speed drifts
                   by tens of percent within minutes)
  --stages         also run tests/bench/stages (next to the binary; \`make check\`
                   or \`make tests/bench/stages\` builds it) over the first copy of
                   the corpus: the worker's and the writer's work each alone
                   on one thread, their ceilings
  --keep           keep the databases
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--size) [ $# -ge 2 ] || { usage >&2; exit 2; }; size=$2; shift 2 ;;
	--size=*) size=${1#--size=}; shift ;;
	--quick) size=20; shift ;;
	--dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir=$2; shift 2 ;;
	--claimcheck) [ $# -ge 2 ] || { usage >&2; exit 2; }; bin=$2; shift 2 ;;
	--corpora) [ $# -ge 2 ] || { usage >&2; exit 2; }; corpora=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--pair) pair=1; shift ;;
	--stages) stages=1; shift ;;
	--repeat) [ $# -ge 2 ] || { usage >&2; exit 2; }; repeat=$2; shift 2 ;;
	--repeat=*) repeat=${1#--repeat=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "$me: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case $size in
''|*[!0-9]*|0) echo "$me: --size wants a whole number of MB, not '$size'" >&2; exit 2 ;;
esac
case $repeat in
''|*[!0-9]*|0) echo "$me: --repeat wants a whole number of runs, not '$repeat'" >&2; exit 2 ;;
esac

if [ ! -x /usr/bin/time ]; then
	echo "$me: /usr/bin/time is missing: install the Debian package 'time' (apt-get install time)" >&2
	exit 2
fi
for tool in sqlite3 awk sed wc find; do
	command -v $tool >/dev/null 2>&1 || { echo "$me: '$tool' is missing" >&2; exit 2; }
done

if [ -z "$bin" ]; then
	if [ -x ./claimcheck ]; then bin=./claimcheck
	elif [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/claimcheck" ]; then bin=$top_builddir/claimcheck
	else bin=$(command -v claimcheck || true)
	fi
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "$me: no claimcheck binary (build it, or pass --claimcheck)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
stages_bin=$(dirname "$bin")/tests/bench/stages
if [ $stages = 1 ] && [ ! -x "$stages_bin" ]; then
	echo "$me: --stages: $stages_bin is missing (make tests/bench/stages in the build folder)" >&2
	exit 2
fi

[ -n "$corpora" ] || corpora=$src/../shared/corpora
reuters=$corpora/reuters21578
bbc=$corpora/bbc_fulltext
[ -f "$reuters/reut2-000.sgm" ] && [ -d "$bbc/business" ] ||
	{ echo "$me: the corpora are not in $corpora (want reuters21578/*.sgm and bbc_fulltext/*/)" >&2; exit 2; }

if [ -z "$dir" ]; then
	dir=$(dirname "$bin")/bench-scratch
	mkdir -p "$dir" 2>/dev/null || dir=${TMPDIR:-/tmp}/claimcheck-bench
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rules=${CLAIMCHECK_RULES:-$src/rules}
export LC_ALL=C.UTF-8

# ---- the corpus ------------------------------------------------------------

# Copy n of the BBC articles into $2: the headline (line 1) gets "n: ".
bbc_copy() {
	n=$1 out=$2
	for cat in "$bbc"/*/; do
		c=$(basename "$cat")
		mkdir -p "$out/$c"
		LC_ALL=C awk -v n="$n" -v dst="$out/$c" '
		FNR == 1 {
			if (f) close(f)
			f = FILENAME; sub(/.*\//, "", f); f = dst "/" f
			print n ": " $0 > f
			next
		}
		{ print > f }' "$cat"*.txt
	done
}

corpus=$dir/corpus-${size}mb
stamp="size=$size v1"
if [ -f "$corpus/.stamp" ] && [ "$(cat "$corpus/.stamp")" = "$stamp" ]; then
	echo "corpus: reusing $corpus"
else
	echo "corpus: building $size MB in $corpus ..."
	rm -rf "$corpus" "$dir/base"
	mkdir -p "$dir/base" "$corpus"
	for f in "$reuters"/reut2-*.sgm; do
		# "@@" stands for the copy number (in the id and at the start of the title)
		sh "$src/scripts/reuters-jsonl.sh" --copy-marker "$f" >"$dir/base/$(basename "$f" .sgm).jsonl"
	done
	base=$(cat "$dir"/base/*.jsonl | wc -c)
	base=$((base + $(cat "$bbc"/*/*.txt | wc -c)))
	total=0 n=0
	while [ $total -lt $((size * 1000000)) ]; do
		n=$((n + 1))
		c=$(printf 'c%03d' $n)
		mkdir -p "$corpus/$c/reuters"
		for f in "$dir"/base/*.jsonl; do
			sed "s/@@/$n/; s/@@/$n/" "$f" >"$corpus/$c/reuters/$(basename "$f")"
		done
		bbc_copy $n "$corpus/$c/bbc"
		total=$((total + base))
	done
	rm -rf "$dir/base"
	echo "$stamp" >"$corpus/.stamp"
fi

find "$corpus" -type f ! -name '.*' -print0 | sort -z >"$dir/files0"
find "$corpus" -type f -name '*.jsonl' -print0 | sort -z >"$dir/jsonl0"
bytes=$(find "$corpus" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s }')
jbytes=$(find "$corpus" -type f -name '*.jsonl' -printf '%s\n' | awk '{ s += $1 } END { print s }')
jdocs=$(find "$corpus" -type f -name '*.jsonl' -exec cat {} + | grep -c .)
echo "corpus: $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB in $(tr -cd '\0' <"$dir/files0" | wc -c) files, $jdocs of its documents JSONL records"

# ---- the runs ------------------------------------------------------------------

results=$dir/results
: >"$results"

# timed NAME CMD...: run under /usr/bin/time -v; records "NAME seconds rss_kb status cpu_seconds"
# (user + system time of the command and its children).
timed() {
	name=$1
	shift
	set +e
	/usr/bin/time -v -o "$dir/time.$name" "$@"
	status=$?
	set -e
	awk -v name="$name" -v st="$status" '
	/Elapsed \(wall clock\)/ {
		n = split($NF, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
	}
	/Maximum resident set size/ { rss = $NF }
	/User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
	END { print name, s, rss, st, cpu + 0 }' "$dir/time.$name" >>"$results"
	echo "  $name: exit $status, $(tail -n 1 "$results" | awk '{ printf "%.2f s (%.2f s CPU), %.0f MB peak RSS", $2, $5, $3 / 1024 }')" >&2
}

echo "runs (binary $bin, rules $rules):"
timed wc sh -c 'wc -w --files0-from="$1" >/dev/null' sh "$dir/files0"

db1=$dir/bench-j1.db
db2=$dir/bench-j2.db
rm -f "$db1" "$db1-wal" "$db1-shm" "$db2" "$db2-wal" "$db2-shm"
# the paths as arguments: one folder (the reader walks and sorts it)
timed j1 "$bin" run -q -r "$rules" -j1 -o "$db1" "$corpus" >"$dir/out.j1"
timed j2 "$bin" run -q -r "$rules" -j2 -o "$db2" "$corpus" >"$dir/out.j2"
timed rerun "$bin" run -q -r "$rules" -j2 -o "$db2" "$corpus" >"$dir/out.rerun"
k=2
while [ $k -le "$repeat" ]; do
	dbk=$dir/bench-repeat.db
	for j in 1 2; do
		rm -f "$dbk" "$dbk-wal" "$dbk-shm"
		timed "j$j.$k" "$bin" run -q -r "$rules" -j$j -o "$dbk" "$corpus" >/dev/null
	done
	rm -f "$dbk" "$dbk-wal" "$dbk-shm"
	k=$((k + 1))
done

if [ $pair = 1 ]; then
	pa=$dir/bench-pa.db pb=$dir/bench-pb.db
	rm -f "$pa" "$pa-wal" "$pa-shm" "$pb" "$pb-wal" "$pb-shm"
	timed pair sh -c '"$1" run -q -r "$2" -j1 -o "$3" "$5" >/dev/null & a=$!
		"$1" run -q -r "$2" -j1 -o "$4" "$5" >/dev/null; b=$?; wait $a || exit 1; exit $b' \
		sh "$bin" "$rules" "$pa" "$pb" "$corpus"
	rm -f "$pa" "$pa-wal" "$pa-shm" "$pb" "$pb-wal" "$pb-shm"
fi

if [ $stages = 1 ]; then
	echo "  stages: $stages_bin over $corpus/c001 ..." >&2
	"$stages_bin" -r "$rules" -o "$dir/bench-stages.db" "$corpus/c001" >"$dir/out.stages"
	rm -f "$dir/bench-stages.db" "$dir/bench-stages.db-wal" "$dir/bench-stages.db-shm"
fi

stream_na=0
if "$bin" stream --help >/dev/null 2>&1; then
	timed stream sh -c 'xargs -0 cat <"$1" | "$2" stream -r "$3" >/dev/null' sh "$dir/jsonl0" "$bin" "$rules"
	timed stream2 sh -c 'xargs -0 cat <"$1" | "$2" stream -j2 -r "$3" >/dev/null' sh "$dir/jsonl0" "$bin" "$rules"
	if [ $pair = 1 ]; then
		# one-thread work side by side: what the second core adds when
		# nothing is shared and neither process needs more than one core
		timed spair sh -c 'xargs -0 cat <"$1" | "$2" stream -r "$3" >/dev/null & a=$!
			xargs -0 cat <"$1" | "$2" stream -r "$3" >/dev/null; b=$?; wait $a || exit 1; exit $b' \
			sh "$dir/jsonl0" "$bin" "$rules"
	fi
	[ "$(awk '$1 ~ /^s(tream|pair)/ && $4 != 0' "$results")" = "" ] || stream_na=1
else
	stream_na=1
fi

docs=$(sqlite3 "$db1" "SELECT documents + failed FROM runs ORDER BY id DESC LIMIT 1")
failed=$(sqlite3 "$db1" "SELECT failed FROM runs ORDER BY id DESC LIMIT 1")
sents=$(sqlite3 "$db1" "SELECT sentences FROM runs ORDER BY id DESC LIMIT 1")
jsents=$(sqlite3 "$db1" "SELECT coalesce(sum(n_sentences), 0) FROM documents WHERE ext_id IS NOT NULL")
skipped=$(sqlite3 "$db2" "SELECT skipped FROM runs ORDER BY id DESC LIMIT 1")
dbmb=$(du -k "$db2" | awk '{ printf "%.0f", $1 / 1024 }')
[ "$failed" = 0 ] || echo "note: $failed documents failed (SELECT key, error FROM documents WHERE error IS NOT NULL)"
[ "$skipped" = "$docs" ] || echo "note: the re-run skipped $skipped of $docs documents"

# ---- the table -------------------------------------------------------------------

echo
awk -v bytes="$bytes" -v docs="$docs" -v sents="$sents" -v jbytes="$jbytes" -v jdocs="$jdocs" \
    -v jsents="$jsents" -v stream_na="$stream_na" -v dbmb="$dbmb" '
function row(label, s, rss, b, d, n, cpu) {
	if (s <= 0) s = 0.005
	printf "%-22s %8.2f %8.2f %6.2f %9.1f %11.0f %12.0f %9.0f %8.1fx\n", label, s, cpu, cpu / s,
	       b / 1e6 / s, d / s, n / s, rss / 1024, (s / b) / (wc_s / bytes)
}
function median(a, n,    i, j, x, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) { x = b[i]; for (j = i - 1; j >= 1 && b[j] > x; j--) b[j + 1] = b[j]; b[j + 1] = x }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
{ t[$1] = $2; r[$1] = $3; c[$1] = $5 }
END {
	# with --repeat: each -j1/-j2 pair, and the medians in the table
	n = 1; t1[1] = t["j1"]; t2[1] = t["j2"]; c1[1] = c["j1"]; c2[1] = c["j2"]
	while (("j1." (n + 1)) in t && ("j2." (n + 1)) in t) {
		n++; t1[n] = t["j1." n]; t2[n] = t["j2." n]; c1[n] = c["j1." n]; c2[n] = c["j2." n]
		if (r["j1." n] > r["j1"]) r["j1"] = r["j1." n]
		if (r["j2." n] > r["j2"]) r["j2"] = r["j2." n]
	}
	if (n > 1) {
		for (i = 1; i <= n; i++) ratio[i] = t1[i] / t2[i]
		t["j1"] = median(t1, n); t["j2"] = median(t2, n); c["j1"] = median(c1, n); c["j2"] = median(c2, n)
		mratio = median(ratio, n)
	}
	wc_s = t["wc"] > 0 ? t["wc"] : 0.005
	printf "%-22s %8s %8s %6s %9s %11s %12s %9s %9s\n", "", "time s", "CPU s", "cores", "MB/s",
	       "docs/s", "sentences/s", "RSS MB", "x wc -w"
	row("wc -w", t["wc"], r["wc"], bytes, docs, sents, c["wc"])
	row("run -j1", t["j1"], r["j1"], bytes, docs, sents, c["j1"])
	row("run -j2", t["j2"], r["j2"], bytes, docs, sents, c["j2"])
	row("re-run (unchanged)", t["rerun"], r["rerun"], bytes, docs, sents, c["rerun"])
	if (stream_na) printf "%-22s %8s %8s %6s %9s %11s %12s %9s %9s\n", "stream (JSONL)", "n/a",
			      "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"
	else {
		row("stream (JSONL)", t["stream"], r["stream"], jbytes, jdocs, jsents, c["stream"])
		row("stream -j2 (JSONL)", t["stream2"], r["stream2"], jbytes, jdocs, jsents, c["stream2"])
	}
	if ("pair" in t) row("2 x run -j1 (--pair)", t["pair"], r["pair"], 2 * bytes, 2 * docs, 2 * sents, c["pair"])
	if ("spair" in t && !stream_na)
		row("2 x stream (--pair)", t["spair"], r["spair"], 2 * jbytes, 2 * jdocs, 2 * jsents, c["spair"])
	printf "\n%.1f MB, %d documents, %d sentences; database %d MB\n", bytes / 1e6, docs, sents, dbmb
	if (n > 1) {
		printf "\nrun -j1 and run -j2, %d times alternating (the table shows the medians, peak RSS the highest):\n", n
		for (i = 1; i <= n; i++)
			printf "  %d: -j1 %.2f s (%.1f MB/s), -j2 %.2f s: %.2fx\n", i, t1[i], bytes / 1e6 / t1[i], t2[i], ratio[i]
	}
	j1 = bytes / 1e6 / t["j1"]; sp = n > 1 ? mratio : t["j1"] / t["j2"]; re = t["rerun"] / t["j2"]
	rss = r["j1"] > r["j2"] ? r["j1"] : r["j2"]; if (r["rerun"] > rss) rss = r["rerun"]
	printf "\ntargets:\n"
	printf "  -j1 >= 30 MB/s           %6.1f MB/s   %s\n", j1, (j1 >= 30 ? "ok" : "MISSED")
	printf "  -j2 >= 1.7x -j1          %6.2fx       %s%s\n", sp, (sp >= 1.7 ? "ok" : "MISSED"),
	       (n > 1 ? " (the median of the pair ratios)" : "")
	if ("pair" in t) printf "    (two -j1 processes side by side: %.2fx the work of one per unit of time)\n", 2 * t["j1"] / t["pair"]
	if ("spair" in t && !stream_na)
		printf "    (two stream processes, one core each, side by side: %.2fx one: what the second core gives)\n",
		       2 * t["stream"] / t["spair"]
	if (c["j1"] > t["j1"] && t["j1"] > 0)
		printf "    (-j1 keeps %.2f cores busy: %.0f%% of its CPU time is beside the worker, mostly the writer)\n",
		       c["j1"] / t["j1"], 100 * (1 - t["j1"] / c["j1"])
	if (c["j1"] > 0 && c["j2"] > 0)
		printf "    (CPU time: -j1 %.2f s on %.2f cores, -j2 %.2f s on %.2f cores, %+.0f%% for the same work)\n",
		       c["j1"], c["j1"] / t["j1"], c["j2"], c["j2"] / t["j2"], 100 * (c["j2"] / c["j1"] - 1)
	printf "  peak RSS <= 200 MB       %6.0f MB     %s\n", rss / 1024, (rss <= 200 * 1024 ? "ok" : "MISSED")
	printf "  re-run <= 5%% of -j2 run  %6.1f%%       %s\n", 100 * re, (re <= 0.05 ? "ok" : "MISSED")
}' "$results"

if [ $stages = 1 ]; then
	echo
	echo "each stage alone, on one thread, over the first copy of the corpus (tests/bench/stages):"
	sed 's/^/  /' "$dir/out.stages"
	# the two speed targets together, against what SQLite alone can store
	floor=$(sed -n 's/^SQLite alone inserts these rows at \([0-9.]*\) MB\/s.*/\1/p' "$dir/out.stages")
	[ -n "$floor" ] && awk -v f="$floor" 'BEGIN {
		printf "  the two speed targets together: -j2 at 1.7 x 30 = 51 MB/s, all of it through the one\n"
		printf "  writer; SQLite alone inserts %.1f MB/s of these rows (%.0f%% of 51)\n", f, 100 * f / 51
	}'
fi

if [ $keep = 0 ]; then
	rm -f "$db1" "$db1-wal" "$db1-shm" "$db2" "$db2-wal" "$db2-shm"
fi
