#!/bin/sh
echo "bench: being written" >&2
exit 1
