#!/bin/sh
# bad-input-html.sh — hostile HTML: scripts, styles and entities (script
# content never becomes text), 100,000 levels of nesting, unclosed tags,
# and HTML that is not UTF-8 text. Each page is analysed or gets an error
# row naming the byte; the batch goes on.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C"
cat >"$C/a-scripts.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>Ferry fares may rise &amp; routes shrink</title>
<style>p { color: red } p::before { content: "STYLE-LEAK" }</style>
<script>var s = "<p>SCRIPT-LEAK one</p>"; if (a < b && b > c) { s += "</div>"; }</script>
<script type="text/javascript"><!-- document.write("<p>SCRIPT-LEAK two</p>") // --></script>
</head><body>
<noscript><p>NOSCRIPT-LEAK</p></noscript>
<p>The operator said fares could rise by &euro;4 &ndash; or 12&#37; &#x2014; next spring.</p>
<p>Caf&eacute; owners &lt;worried&gt; say &quot;it&apos;s unfair&quot;&nbsp;now.</p>
<p>Odd references: &#0; &#xD800; &#x110000; &nosuchentity; &amp</p>
<template><p>TEMPLATE-LEAK</p></template><svg><text>SVG-LEAK</text></svg>
<p>Last paragraph.</p>
<script>var unclosed = "SCRIPT-LEAK three </p><p> still script
HTML

# 100,000 levels of nesting, closed, and 50,000 left open
{ printf '<html><body>'; yes '<div>' | head -n 100000 | tr -d '\n'
  printf '<p>Deep inside, the plan may fail.</p>'; yes '</div>' | head -n 100000 | tr -d '\n'
  printf '</body></html>\n'; } >"$C/b-deep.html"
{ printf '<html><body>'; yes '<div><span><b>' | head -n 50000 | tr -d '\n'
  printf 'Never closed, the talks reportedly stalled.'; } >"$C/c-deep-unclosed.html"
printf '<p>Unclosed <b>bold <i>italic <a href="x">link and <table><tr><td>cell\n' >"$C/d-unclosed.html"
printf '<html><body><p>Latin-1 bytes: caf\351 au lait.</p></body></html>\n' >"$C/e-latin1.html"
printf '<p>A NUL\000 in markup.</p>\n' >"$C/f-nul.htm"
printf '<p>A bell \007 in markup.</p>\n' >"$C/g-control.html"

(ulimit -t 120 2>/dev/null; exec "$CLAIMCHECK" run -o "$T/h.db" "$C") >"$T/out" 2>"$T/err"
expect_status "run over hostile HTML" 1 $?

expect_eq "pages analysed" "4" "$(q "$T/h.db" "SELECT count(*) FROM documents WHERE error IS NULL")"
expect_eq "pages failed" "3" "$(q "$T/h.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_eq "no script, style, noscript, template or svg text" "0" \
	"$(q "$T/h.db" "SELECT count(*) FROM documents WHERE text LIKE '%LEAK%'")"
expect_eq "entities decoded" "1" \
	"$(q "$T/h.db" "SELECT count(*) FROM documents WHERE key LIKE '%a-scripts.html' AND text LIKE '%fares could rise by €4 – or 12% — next spring.%' AND text LIKE '%Café owners <worried> say \"it''s unfair\" now.%'")"
expect_eq "title from <title>, entity decoded" "Ferry fares may rise & routes shrink" \
	"$(q "$T/h.db" "SELECT title FROM documents WHERE key LIKE '%a-scripts.html'")"
expect_eq "text after the scripts kept" "1" \
	"$(q "$T/h.db" "SELECT count(*) FROM documents WHERE key LIKE '%a-scripts.html' AND text LIKE '%Last paragraph.'")"
expect_eq "deep page's text" "Deep inside, the plan may fail." \
	"$(q "$T/h.db" "SELECT text FROM documents WHERE key LIKE '%b-deep.html'")"
expect_eq "deep unclosed page's text" "Never closed, the talks reportedly stalled." \
	"$(q "$T/h.db" "SELECT text FROM documents WHERE key LIKE '%c-deep-unclosed.html'")"
expect_eq "unclosed tags' text" "1" \
	"$(q "$T/h.db" "SELECT count(*) FROM documents WHERE key LIKE '%d-unclosed.html' AND text LIKE 'Unclosed bold italic link and%cell'")"
expect_eq "deep page has its sentence" "1" \
	"$(q "$T/h.db" "SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.key LIKE '%b-deep.html'")"

# not UTF-8 text: named with the byte
expect_grep "Latin-1 byte named" "e-latin1.html: byte 33: invalid UTF-8 at byte 33" "$T/err"
expect_eq "Latin-1 offset recorded" "33" "$(q "$T/h.db" "SELECT error_offset FROM documents WHERE key LIKE '%e-latin1.html'")"
expect_grep "NUL named" "f-nul.htm: byte 8: binary file (NUL byte at offset 8)" "$T/err"
expect_grep "control character named" "g-control.html: byte 10: control character U+0007 at byte 10" "$T/err"
expect_eq "database is intact" "ok" "$(q "$T/h.db" "PRAGMA integrity_check")"

finish
