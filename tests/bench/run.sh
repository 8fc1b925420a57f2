#!/bin/sh
# make bench: run every benchmark built in BUILD_DIR/bench.
set -u
dir=${1:-build/release}
status=0
for b in "$dir"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || status=1
done
exit $status
