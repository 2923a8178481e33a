#!/bin/sh
# report-html.sh — being written
. "$top_srcdir/tests/cli/lib.sh"
finish
