#!/bin/sh
# build.sh — configure (once) and build claimcheck out of tree in build/.
# Extra arguments go to configure, e.g. --enable-sanitizers.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q "$@"
make -s -j"$(nproc 2>/dev/null || echo 2)"
