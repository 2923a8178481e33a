#!/bin/sh
# eval.sh — accuracy on the annotated evaluation sets (run by `make eval`).
#
# Runs `claimcheck eval --format tsv` over every *.jsonl set in ../shared/eval
# (next to the source tree: research-only data, not part of the project; when
# the folder is missing this says so and goes on) and over the project's own
# gold files in corpora/gold, and prints one summary table: set, metric,
# figure, target. Each set also goes through `claimcheck stream` (the row
# "stream round trip": one result per record, refused records as error
# objects). A figure below its target is marked; the exit status is 0
# unless claimcheck itself failed on a set (or stream lost a record).
#
# Environment: CLAIMCHECK (the binary; default: claimcheck on PATH),
# CLAIMCHECK_RULES (the rules; default: claimcheck's own default),
# EVAL_DIR (instead of ../shared/eval).
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
CLAIMCHECK=${CLAIMCHECK:-claimcheck}
EVAL_DIR=${EVAL_DIR:-$srcdir/../shared/eval}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/claimcheck-eval.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

sets=
if [ -d "$EVAL_DIR" ]; then
	EVAL_DIR=$(cd "$EVAL_DIR" && pwd)
	for f in "$EVAL_DIR"/*.jsonl; do
		[ -f "$f" ] && sets="$sets $f"
	done
	[ -n "$sets" ] || echo "eval.sh: no *.jsonl sets in $EVAL_DIR" >&2
else
	echo "eval.sh: $EVAL_DIR not found: the research evaluation sets are not" >&2
	echo "         installed here; scoring only the project's own gold files." >&2
fi
for f in "$srcdir"/corpora/gold/*.jsonl; do
	[ -f "$f" ] && sets="$sets $f"
done

# target SET METRIC: the figure to reach, or "-"
target() {
	case "$1:$2" in
	golden_rules_en:passed) echo "48/48" ;;
	golden_rules_en_ps52:passed) echo "52/52" ;;
	bioscope*:"sentence F1") echo "0.85" ;;
	sfu_review_spec_dev*:"sentence F1") echo "0.80" ;;
	wikiweasel*:"sentence F1") echo "0.68" ;;
	polnear*:"has-source F1") echo "0.85" ;;
	polnear*:"attribution cue F1 (exact)") echo "0.75" ;;
	polnear*:"source F1 (overlap)") echo "0.65" ;;
	*) echo "-" ;;
	esac
}

# met FIGURE TARGET: "ok", "BELOW" or "" (no target)
met() {
	case "$2" in
	-) echo "" ;;
	*/*) [ "$1" = "$2" ] && echo "ok" || echo "BELOW" ;;
	*) awk -v x="$1" -v t="$2" 'BEGIN { print (x != "-" && x + 0 >= t + 0) ? "ok" : "BELOW" }' ;;
	esac
}

rows="$tmp/rows"
: >"$rows"
failed=0
ntargets=0
nmet=0

# row SET METRIC FIGURE
row() {
	t=$(target "$1" "$2")
	m=$(met "$3" "$t")
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$t" "$m" >>"$rows"
	if [ "$t" != "-" ]; then
		ntargets=$((ntargets + 1))
		[ "$m" = "ok" ] && nmet=$((nmet + 1))
	fi
}

for f in $sets; do
	name=$(basename "$f" .jsonl)
	"$CLAIMCHECK" eval --format tsv "$f" >"$tmp/out.tsv" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ge 2 ]; then
		echo "eval.sh: claimcheck eval failed on $f (exit $rc):" >&2
		sed 's/^/    /' "$tmp/err" >&2
		failed=1
		continue
	fi
	# v SECTION NAME: one figure from the TSV
	v() { awk -F '\t' -v s="$1" -v n="$2" '$1 == s && $2 == n { print $3 }' "$tmp/out.tsv"; }
	recs=$(v all records)
	skipped=$(v all skipped)
	if [ "${skipped:-0}" -gt 0 ]; then
		row "$name" records "$recs (+$skipped skipped)"
	else
		row "$name" records "$recs"
	fi
	if [ -n "$(v segmentation records)" ]; then
		row "$name" passed "$(v segmentation passed)/$(v segmentation records)"
		row "$name" "sentence-end F1" "$(v segmentation boundaries.f1)"
	fi
	if [ -n "$(v uncertainty records)" ]; then
		row "$name" "sentence F1" "$(v uncertainty sentence.f1)"
		row "$name" "sentence P / R" "$(v uncertainty sentence.precision) / $(v uncertainty sentence.recall)"
		[ -n "$(v uncertainty cue_exact.f1)" ] && row "$name" "cue F1 (exact)" "$(v uncertainty cue_exact.f1)"
		row "$name" "precision at score >= 0.5 / 0.9" "$(v uncertainty score50.precision) / $(v uncertainty score90.precision)"
	fi
	# the same records through `claimcheck stream`: one result per record,
	# in order, errors as objects (a record the analysis refuses)
	nin=$(grep -c . "$f")
	"$CLAIMCHECK" stream -q <"$f" >"$tmp/stream.jsonl" 2>"$tmp/err"
	src=$?
	nout=$(grep -c . "$tmp/stream.jsonl")
	nerr=$(grep -c '"error":{' "$tmp/stream.jsonl")
	if [ "$src" -ge 2 ] || [ "$nout" != "$nin" ]; then
		echo "eval.sh: claimcheck stream on $f: exit $src, $nout results for $nin records" >&2
		failed=1
	fi
	row "$name" "stream round trip" "$nout/$nin results, $nerr error objects"
	if [ -n "$(v attribution records)" ]; then
		row "$name" "has-source F1" "$(v attribution has_source.f1)"
		row "$name" "has-source P / R" "$(v attribution has_source.precision) / $(v attribution has_source.recall)"
		row "$name" "attribution cue F1 (exact)" "$(v attribution cue_exact.f1)"
		row "$name" "source F1 (exact)" "$(v attribution source_exact.f1)"
		row "$name" "source F1 (overlap)" "$(v attribution source_overlap.f1)"
	fi
done

echo
awk -F '\t' '
	{ for (i = 1; i <= 5; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		h[1] = "set"; h[2] = "metric"; h[3] = "figure"; h[4] = "target"; h[5] = ""
		for (i = 1; i <= 4; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
		fmt = "%-" w[1] "s  %-" w[2] "s  %-" w[3] "s  %-" w[4] "s  %s\n"
		printf fmt, h[1], h[2], h[3], h[4], h[5]
		for (r = 1; r <= NR; r++) {
			if (r > 1 && c[r, 1] != c[r - 1, 1]) print ""
			printf fmt, c[r, 1], c[r, 2], c[r, 3], c[r, 4], c[r, 5]
		}
	}' "$rows" | sed 's/ *$//'
echo
echo "$nmet of $ntargets targets met."
exit "$failed"
