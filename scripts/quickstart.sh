#!/bin/sh
# quickstart.sh — the first README command: install what is missing, build,
# analyse the bundled sample corpus, and show where the results are and
# the top flagged claims.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
cd "$top"
mkdir -p out
CC=build/claimcheck
status=0
$CC run -r rules -o out/claims.db corpora/sample || status=$?
echo
echo "Results: $top/out/claims.db   (try: sqlite3 out/claims.db 'SELECT * FROM flagged_claims LIMIT 5')"
echo
echo "Top flagged claims:"
$CC report -d out/claims.db --limit 8
exit $status
