#!/bin/sh
# Run every ```sh block of README.md (except `make ...` lines) against the
# built binary, from the repository root, each block with `set -e`. The
# examples write only under /tmp. Ends with "readme: N passed, M failed".
set -u
dir=$1
cd "$(dirname "$0")/../.." || exit 70
bin=$(cd "$dir" && pwd)/purdah
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Fresh /tmp outputs so `calendar add` examples start from nothing.
rm -f /tmp/purdah-demo.ics
awk -v out="$tmp/block" '
	/^```sh$/ { n++; inb = 1; f = out "-" n ".sh"; print "set -e" > f; next }
	/^```$/ { if (inb) close(f); inb = 0; next }
	inb && !/^make / { print >> f }
' README.md
passed=0
failed=0
for b in "$tmp"/block-*.sh; do
	[ -f "$b" ] || continue
	[ "$(wc -l < "$b")" -gt 1 ] || continue # only `make` lines
	sed "s#bin/purdah#${VG:+$VG }$bin#g" "$b" > "$b.run"
	if out=$(sh "$b.run" 2>&1 >/dev/null); then
		passed=$((passed + 1))
		echo "ok README $(basename "$b")"
	else
		failed=$((failed + 1))
		echo "FAIL README $(basename "$b"):"
		cat "$b"
		printf '%s\n' "$out" | tail -n 5
	fi
done
rm -f /tmp/purdah-demo.ics /tmp/gla-2028.ics /tmp/bank-holidays-*.ics
echo "readme: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
