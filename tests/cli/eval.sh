#!/bin/sh
# eval.sh — being written
. "$top_srcdir/tests/cli/lib.sh"
finish
