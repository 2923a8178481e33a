#!/bin/sh
# segstats.sh — sentence-length statistics of the segmenter on real news.
#
# Reads the BBC articles (bbc_fulltext/*/*.txt) and the Reuters-21578 SGML
# bodies (reuters21578/reut2-*.sgm) under ../shared/corpora (research-only
# data next to the source tree, not part of the project), runs
# `claimcheck run` over them into a scratch database and prints, per
# corpus: the number of sentences, mean, median, p99 and maximum length in
# tokens and in characters, the share of sentences over 80 tokens, the
# longest sentences, and suspected errors: a sentence that ends in a word
# listed in rules/abbreviations.rules and is followed by one that starts in
# lower case or with a digit (a split after an abbreviation), and
# sentences that start with a lower-case letter.
#
# Usage: scripts/segstats.sh [-n N]   (N examples of each kind; default 5)
# Environment: CLAIMCHECK (the binary; default: claimcheck on PATH),
# CLAIMCHECK_RULES (a rules folder; default: claimcheck's own default),
# CORPORA (instead of ../shared/corpora). Needs sqlite3 and awk.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
CLAIMCHECK=${CLAIMCHECK:-claimcheck}
CORPORA=${CORPORA:-$srcdir/../shared/corpora}
n=5
if [ "${1:-}" = "-n" ] && [ -n "${2:-}" ]; then
	n=$2
fi
case "$n" in *[!0-9]*|'') echo "segstats.sh: -n needs a number" >&2; exit 2 ;; esac
command -v sqlite3 >/dev/null 2>&1 || { echo "segstats.sh: sqlite3 is needed" >&2; exit 2; }

bbc=$CORPORA/bbc_fulltext
reuters=$CORPORA/reuters21578
if [ ! -d "$bbc" ] && [ ! -f "$reuters/reut2-000.sgm" ]; then
	echo "segstats.sh: no corpora in $CORPORA (want bbc_fulltext/ or reuters21578/); nothing to do" >&2
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/claimcheck-segstats.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8

rules=
[ -n "${CLAIMCHECK_RULES:-}" ] && rules="-r $CLAIMCHECK_RULES"

# Reuters bodies as JSONL records (titles are left out of the statistics).
if [ -f "$reuters/reut2-000.sgm" ]; then
	mkdir -p "$tmp/reuters"
	for f in "$reuters"/reut2-*.sgm; do
		sh "$here/reuters-jsonl.sh" "$f" >"$tmp/reuters/$(basename "$f" .sgm).jsonl"
	done
fi

db=$tmp/seg.db
for c in bbc reuters; do
	case $c in
	bbc) [ -d "$bbc" ] || continue; in=$bbc ;;
	reuters) [ -d "$tmp/reuters" ] || continue; in=$tmp/reuters ;;
	esac
	# shellcheck disable=SC2086
	"$CLAIMCHECK" run $rules -q -o "$tmp/$c.db" "$in" >"$tmp/$c.log" 2>&1
	rc=$?
	if [ "$rc" -ge 2 ] || [ ! -f "$tmp/$c.db" ]; then
		echo "segstats.sh: claimcheck run failed on $in (exit $rc):" >&2
		sed 's/^/    /' "$tmp/$c.log" >&2
		exit 1
	fi
done

# abbreviations (all kinds) from the rule files: the words a sentence
# should not end in when the next one starts in lower case or with a number
abbr=$tmp/abbr.txt
rdir=${CLAIMCHECK_RULES:-$srcdir/rules}
cat "$rdir"/*.rules 2>/dev/null | awk '
	/^[ \t]*\[/ { sec = $0; next }
	sec ~ /\[abbreviations\]/ && /=/ {
		k = $0; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
		if (k == "starter") next
		v = $0; sub(/^[^=]*=/, "", v)
		m = split(v, a, "|")
		for (i = 1; i <= m; i++) { w = a[i]; gsub(/^[ \t]+|[ \t]+$/, "", w); if (w != "") print w }
	}' | sort -u >"$abbr"

for c in bbc reuters; do
	[ -f "$tmp/$c.db" ] || continue
	d=$tmp/$c.db
	# one line per sentence, in document order: ntokens, chars, text
	# (newlines made spaces), document id
	sqlite3 -separator '	' "$d" "
		SELECT s.ntokens, s.end - s.start,
		       replace(replace(CAST(substr(CAST(d.text AS BLOB), s.start + 1, s.end - s.start) AS TEXT),
				char(10), ' '), char(9), ' '), s.doc_id
		FROM sentences s JOIN documents d ON d.id = s.doc_id
		WHERE s.kind != 'title' ORDER BY s.doc_id, s.idx" >"$tmp/$c.tsv"
	docs=$(sqlite3 "$d" "SELECT count(*) FROM documents WHERE error IS NULL" 2>/dev/null ||
		sqlite3 "$d" "SELECT count(*) FROM documents")
	echo
	echo "== $c: $docs documents"
	awk -F '\t' -v n="$n" -v abbrf="$abbr" '
	function pct(sorted, cnt, p,   i) { i = int(p * cnt + 0.999999); if (i < 1) i = 1; return sorted[i] }
	function isort(a, cnt,   i, j, t) {   # insertion sort would be O(n^2): use a counting sort on ints
		delete hist; mx = 0
		for (i = 1; i <= cnt; i++) { hist[a[i]]++; if (a[i] > mx) mx = a[i] }
		j = 0
		for (i = 0; i <= mx; i++) while (hist[i]-- > 0) a[++j] = i
	}
	BEGIN { while ((getline w < abbrf) > 0) ab[w] = 1 }
	{
		cnt++; tok[cnt] = $1 + 0; chr[cnt] = $2 + 0; st += $1; sc += $2
		if ($1 > 80) over++
		txt[cnt] = $3
		t = $3; sub(/[ \t]+$/, "", t)
		# a split after an abbreviation: this sentence starts in lower case
		# or with a digit and the one before it, in the same document,
		# ends in a listed abbreviation and a period
		if ($4 == pdoc && pabbr && t ~ /^[a-z0-9]/) {
			abtot++
			if (nab < n) abx[++nab] = substr(ptxt, length(ptxt) > 60 ? length(ptxt) - 59 : 1) " | " substr(t, 1, 60)
		}
		if (t ~ /^[a-z]/) { lctot++; if (nlc < n) lcx[++nlc] = t }
		w = t; pabbr = 0
		if (w ~ /\.$/) { sub(/\.$/, "", w); sub(/.*[ (\[{"“]/, "", w); pabbr = (w in ab) }
		pdoc = $4; ptxt = t
	}
	END {
		if (!cnt) { print "  no sentences"; exit }
		for (i = 1; i <= cnt; i++) { ts[i] = tok[i]; cs[i] = chr[i] }
		isort(ts, cnt); isort(cs, cnt)
		printf "  sentences      %d\n", cnt
		printf "  tokens         mean %.1f  median %d  p99 %d  max %d\n", st / cnt, pct(ts, cnt, 0.5), pct(ts, cnt, 0.99), ts[cnt]
		printf "  characters     mean %.1f  median %d  p99 %d  max %d\n", sc / cnt, pct(cs, cnt, 0.5), pct(cs, cnt, 0.99), cs[cnt]
		printf "  over 80 tokens %d (%.3f%%)\n", over, 100 * over / cnt
		printf "  split after an abbreviation (next starts lower-case/digit): %d; starting in lower case: %d\n", abtot, lctot
		print "  longest:"
		for (k = 1; k <= n && k <= cnt; k++) {
			best = 0
			for (i = 1; i <= cnt; i++) if (!(i in used) && (best == 0 || tok[i] > tok[best])) best = i
			used[best] = 1
			s = txt[best]; if (length(s) > 160) s = substr(s, 1, 157) "..."
			printf "    %4d tokens: %s\n", tok[best], s
		}
		if (nab) { print "  split after an abbreviation? (end of one sentence | start of the next):"; for (k = 1; k <= nab; k++) printf "    %s\n", abx[k] }
		if (nlc) { print "  starting in lower case (the rest of a split sentence?):"; for (k = 1; k <= nlc; k++) printf "    %s\n", substr(lcx[k], 1, 100) }
	}' "$tmp/$c.tsv"
done
