#!/bin/sh
# report-html.sh — `claimcheck report --format html`: one self-contained
# page. Checks the raw file (no external assets or network, article text
# escaped inside the JSON islands, the data matching the JSON report, the
# command-line filters, -o and its errors), a 50,000-claim report (size and
# time), then opens both pages in headless Chromium (tests/browser). Without
# Chromium, node or tests/browser/node_modules the browser part is skipped
# (exit 77), except under CI=true, where that is a failure.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

FIX="$top_srcdir/tests/fixtures/report-html"
SOURCE_DATE_EPOCH=1767225600 # 2026-01-01: the same bytes from run to run
export SOURCE_DATE_EPOCH

"$CLAIMCHECK" run -q -o "$T/r.db" "$FIX" >/dev/null; expect_status "run" 0 $?
n=$(q "$T/r.db" "SELECT count(*) FROM flagged_claims")
expect_eq "the fixture's flagged claims" 6 "$n"

H="$T/report.html"
"$CLAIMCHECK" report -d "$T/r.db" --format html -o "$H" >"$T/out" 2>"$T/err"; expect_status "html -o" 0 $?
expect_eq "html -o: nothing on stdout" "" "$(cat "$T/out")"
expect_eq "html -o: nothing on stderr" "" "$(cat "$T/err")"
"$CLAIMCHECK" report -d "$T/r.db" --format html >"$T/stdout.html"; expect_status "html to stdout" 0 $?
cmp -s "$H" "$T/stdout.html" || fail "html: -o FILE and standard output differ"

# The data sits in JSON islands, one per line; the rest is the page itself.
expect_eq "one data island" 1 "$(grep -c '^<script type="application/json" id="cc-data">{' "$H")"
expect_eq "an island per document with claims" 2 \
	"$(grep -c '^<script type="application/json" id="cc-doc-[0-9]*">{"text":' "$H")"
grep -v '^<script type="application/json" id="cc-' "$H" >"$T/page.html"
expect_eq "one script with code" 1 "$(grep -c '<script' "$T/page.html")"
if grep -Ein 'https?://|<link|@import|url\(|<(img|iframe|object|embed|audio|video|source|base)[ >]|[^-]src=' \
	"$T/page.html" >"$T/refs"; then
	fail "the page refers to something outside itself:"
	cat "$T/refs" >&2
fi
expect_grep "a policy that forbids network requests" \
	"Content-Security-Policy\" content=\"default-src 'none';" "$T/page.html"

# Article text (a title and sentences with tags, a JSONL id) never appears raw.
for raw in '<script>alert' '</script><script>' '<b>bold' '<img src=x' '<i>italic'; do
	expect_no_grep "raw article markup [$raw]" "$raw" "$H"
done
expect_grep "escaped inside the JSON" 'Harbour \u003cscript\u003ealert(1)\u003c/script\u003e plans' "$H"
expect_grep "escaped sentence" 'the \u003cb\u003ebold\u003c/b\u003e north dock' "$H"

# The island is JSON, with the claims of the JSON report in its ranking.
sed -n 's/^<script type="application\/json" id="cc-data">\(.*\)<\/script>$/\1/p' "$H" >"$T/data.json"
"$CLAIMCHECK" report -d "$T/r.db" --format json >"$T/claims.json"
jq() { # jq FILE PATH: a value from a JSON file
	sqlite3 -batch -noheader :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}
expect_eq "html: valid JSON" 1 \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_valid(CAST(readfile('$T/data.json') AS TEXT))")"
claims_len=$(sqlite3 -batch -noheader :memory: \
	"SELECT json_array_length(json_extract(CAST(readfile('$T/data.json') AS TEXT), '\$.claims'))")
expect_eq "html: every claim" "$n" "$claims_len"
top_html=$(sqlite3 -batch -noheader :memory: "
	WITH d AS (SELECT CAST(readfile('$T/data.json') AS TEXT) AS j)
	SELECT json_extract(c.value, '\$[12]') FROM d, json_each(json_extract(d.j, '\$.claims')) c
	WHERE json_extract(c.value, '\$[2]') = 1")
expect_eq "html: rank 1 is the JSON report's first claim" "$(jq "$T/claims.json" '$[0].text')" "$top_html"
expect_eq "html: tool and version" "$("$CLAIMCHECK" --version | head -n 1)" "$(jq "$T/data.json" '$.tool')"
expect_eq "html: generated at SOURCE_DATE_EPOCH" "2026-01-01T00:00:00Z" "$(jq "$T/data.json" '$.generated')"
expect_eq "html: every document summarised" 3 \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(CAST(readfile('$T/data.json') AS TEXT), '\$.docs'))")"
expect_eq "html: the rules of rule_stats" "$(q "$T/r.db" "SELECT count(*) FROM rule_stats")" \
	"$(sqlite3 -batch -noheader :memory: "SELECT json_array_length(json_extract(CAST(readfile('$T/data.json') AS TEXT), '\$.rules'))")"

# The command line's filters apply to the page too.
count_claims() { # count_claims HTML: the number of claims in its data island
	sed -n 's/^<script type="application\/json" id="cc-data">\(.*\)<\/script>$/\1/p' "$1" >"$1.json"
	sqlite3 -batch -noheader :memory: \
		"SELECT json_array_length(json_extract(CAST(readfile('$1.json') AS TEXT), '\$.claims'))"
}
"$CLAIMCHECK" report -d "$T/r.db" --format html --category weasel -o "$T/weasel.html"
expect_eq "--category weasel" 1 "$(count_claims "$T/weasel.html")"
"$CLAIMCHECK" report -d "$T/r.db" --format html --limit 2 -o "$T/two.html"
expect_eq "--limit 2" 2 "$(count_claims "$T/two.html")"
"$CLAIMCHECK" report -d "$T/r.db" --format html --min-score 0.5 -o "$T/half.html"
expect_eq "--min-score 0.5" 3 "$(count_claims "$T/half.html")"
"$CLAIMCHECK" report -d "$T/r.db" --format html --document calm -o "$T/calm.html"; expect_status "no claims" 0 $?
expect_eq "--document calm: no claims" 0 "$(count_claims "$T/calm.html")"
expect_grep "--document calm: still a page" '</html>' "$T/calm.html"

# -o and its errors
"$CLAIMCHECK" report -d "$T/r.db" --format html -o "$T/no/such/dir/r.html" >"$T/out" 2>"$T/err"
expect_status "-o into a missing folder" 3 $?
expect_grep "-o error names the file" "no/such/dir/r.html" "$T/err"
"$CLAIMCHECK" report -d "$T/none.db" --format html -o "$T/none.html" >"$T/out" 2>"$T/err"
expect_status "missing database" 2 $?
[ ! -e "$T/none.html" ] || fail "a missing database still created the output file"
"$CLAIMCHECK" report -d "$T/r.db" --format csv -o "$T/r.csv"; expect_status "-o with csv" 0 $?
"$CLAIMCHECK" report -d "$T/r.db" --format csv >"$T/r2.csv"
cmp -s "$T/r.csv" "$T/r2.csv" || fail "csv: -o FILE and standard output differ"
if [ -w /dev/full ]; then
	"$CLAIMCHECK" report -d "$T/r.db" --format html >/dev/full 2>"$T/err"
	expect_status "html to a full disk" 3 $?
	"$CLAIMCHECK" report -d "$T/r.db" --format html -o /dev/full 2>"$T/err"
	expect_status "html -o a full disk" 3 $?
	[ -e /dev/full ] || fail "a failed -o removed a device"
fi

# 50,000 flagged claims: 500 JSONL articles of 100 short hedged sentences.
NBIG=50000
awk 'BEGIN {
	split("may close|might reopen|could be sold|is expected to shut|will likely expand|reportedly plans to move", v, "|");
	for (d = 1; d <= 500; d++) {
		printf "{\"id\": \"d%d\", \"title\": \"Harbour digest %d\", \"text\": \"", d, d;
		for (s = 0; s < 100; s++) {
			n = d * 100 + s;
			printf "%sDock %d %s before week %d.", (s ? (s % 5 ? " " : "\\n\\n") : ""), n, v[n % 6 + 1], n % 52 + 1;
		}
		printf "\"}\n";
	}
}' >"$T/big.jsonl"
"$CLAIMCHECK" run -q -o "$T/big.db" "$T/big.jsonl" >/dev/null; expect_status "run (big)" 0 $?
expect_eq "big: flagged claims" "$NBIG" "$(q "$T/big.db" "SELECT count(*) FROM flagged_claims")"
t0=$(date +%s)
"$CLAIMCHECK" report -d "$T/big.db" --format html -o "$T/big.html"; expect_status "html (big)" 0 $?
t1=$(date +%s)
size=$(wc -c <"$T/big.html")
echo "big: $NBIG claims, $size bytes of HTML, written in $((t1 - t0)) s"
[ "$size" -lt $((30 * 1024 * 1024)) ] || fail "big: the page is too large ($size bytes)"
[ "$((t1 - t0))" -lt 60 ] || fail "big: the report took $((t1 - t0)) s"
expect_eq "big: every claim in the page" "$NBIG" "$(count_claims "$T/big.html")"
expect_eq "big: an island per document" 500 "$(grep -c '^<script type="application/json" id="cc-doc-' "$T/big.html")"

# The browser test.
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
NM=${CC_NODE_MODULES:-$top_srcdir/tests/browser/node_modules}
missing=""
[ -x "$CHROMIUM" ] || missing="$missing chromium ($CHROMIUM; apt-get install chromium chromium-driver)"
command -v node >/dev/null 2>&1 || missing="$missing node (apt-get install nodejs npm)"
[ -d "$NM/playwright-core" ] || missing="$missing playwright-core (cd tests/browser && npm ci)"
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		fail "the browser test cannot run under CI, missing:$missing"
		finish
	fi
	[ "$failures" -ne 0 ] && finish
	echo "skipped: chromium not installed; the browser test needs:$missing"
	exit 77
fi
CHROMIUM="$CHROMIUM" CC_NODE_MODULES="$NM" node "$top_srcdir/tests/browser/report.test.mjs" \
	--report "$H" --big "$T/big.html" --big-claims "$NBIG" --out "$T/browser" >"$T/browser.log" 2>&1
rc=$?
cat "$T/browser.log"
expect_status "browser test (log: $T/browser.log)" 0 $rc
grep '^# screenshot: ' "$T/browser.log" | sed 's/^# //'
finish
