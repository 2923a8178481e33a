#!/bin/sh
# stream.sh — being written
. "$top_srcdir/tests/cli/lib.sh"
finish
