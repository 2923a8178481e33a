#!/bin/sh
# reuters-jsonl.sh — one Reuters-21578 SGML file -> JSONL records
# {"id", "title", "text"} on standard output, one per <REUTERS> element that
# has a <BODY> (used by tests/bench/run.sh and scripts/segstats.sh).
#
# The id is the element's NEWID (its position when it has none). Entities
# are decoded, the &#N; character references dropped, bytes outside
# printable ASCII (but tab, newline, return) dropped, JSON escaped.
# With --copy-marker, the id ends in "-@@" and the title starts with "@@: ",
# for the benchmark to replace @@ with the number of a copy.
#
# Usage: scripts/reuters-jsonl.sh [--copy-marker] FILE.sgm
set -eu
marker=0
if [ "${1:-}" = "--copy-marker" ]; then
	marker=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: reuters-jsonl.sh [--copy-marker] FILE.sgm" >&2; exit 2; }
LC_ALL=C tr -d '\000-\010\013\014\016-\037\177-\377' <"$1" | LC_ALL=C awk -v marker="$marker" '
function ent(s) {
	gsub(/&#[0-9]+;/, "", s)
	gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s)
	return s
}
function js(s) {
	gsub(/\\/, "\\\\\\\\", s); gsub(/"/, "\\\"", s)
	gsub(/\t/, "\\t", s); gsub(/\r/, "", s); gsub(/\n/, "\\n", s)
	return s
}
BEGIN { RS = "</REUTERS>" }
{
	b = index($0, "<BODY>"); e = index($0, "</BODY>")
	if (!b || e <= b) next
	body = substr($0, b + 6, e - b - 6)
	id = NR
	if (match($0, /NEWID="[0-9]+"/)) id = substr($0, RSTART + 7, RLENGTH - 8)
	title = ""
	t = index($0, "<TITLE>"); te = index($0, "</TITLE>")
	if (t && te > t) title = substr($0, t + 7, te - t - 7)
	if (marker) { id = id "-@@"; title = "@@: " title }
	print "{\"id\":\"" id "\",\"title\":\"" js(ent(title)) "\",\"text\":\"" js(ent(body)) "\"}"
}'
