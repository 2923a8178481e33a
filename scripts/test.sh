#!/bin/sh
# test.sh — the second README command: build and run the whole test suite
# (Check suites, CLI tests, the shipped rules' own examples).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" "$@"
cd "$top/build"
if ! make -s -j"$(nproc 2>/dev/null || echo 2)" check; then
	for f in $(find tests -name '*.log' ! -name test-suite.log); do
		grep -lq -e '^FAIL' -e '^not ok' -e '^ERROR' "$f" && { echo "==== $f"; tail -n 40 "$f"; }
	done
	exit 1
fi
