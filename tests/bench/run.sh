#!/bin/sh
# make bench: every benchmark, with its baseline in the same run.
#   tests/bench/run.sh BUILD_DIR
set -u
dir=${1:-build/release}
status=0
work=build/bench
mkdir -p "$work"

echo "== bench_calendar"
"$dir/bench/bench_calendar" || status=1

echo "== bench_check"
"$dir/bench/bench_check" "$dir/purdah" "$work" || status=1

# >= 50 MB of English text: Debian changelogs, decompressed once.
text=$work/text
if [ ! -f "$text/.done" ]; then
	rm -rf "$text"
	mkdir -p "$text"
	total=0
	for f in $(find /usr/share/doc -name 'changelog*.gz' | sort); do
		out=$text/$(echo "$f" | tr '/' '_' | sed 's/\.gz$//')
		zcat "$f" > "$out" 2>/dev/null || continue
		total=$((total + $(wc -c < "$out")))
		[ "$total" -ge 60000000 ] && break
	done
	if [ "$total" -lt 50000000 ]; then
		echo "bench: only $total bytes of changelogs under /usr/share/doc" >&2
		exit 1
	fi
	touch "$text/.done"
fi

echo "== bench_match"
out=$("$dir/bench/bench_match" "$text" "$work/names.txt") || status=1
printf '%s\n' "$out" | grep -v '^PURDAH_MBPS='
ours=$(printf '%s\n' "$out" | sed -n 's/^PURDAH_MBPS=//p')
if command -v rg >/dev/null 2>&1 && [ -n "$ours" ]; then
	bytes=$(cat "$text"/* | wc -c)
	start=$(date +%s%N)
	rg -F -i -w -c -f "$work/names.txt" "$text" > /dev/null
	end=$(date +%s%N)
	ms=$(( (end - start) / 1000000 ))
	[ "$ms" -gt 0 ] || ms=1
	rgmbps=$(awk -v b="$bytes" -v ms="$ms" 'BEGIN { printf "%.1f", b / 1000 / ms }')
	ratio=$(awk -v a="$ours" -v b="$rgmbps" 'BEGIN { printf "%.1f", a / b }')
	echo "  baseline: rg -F -i -w -f (20,000 names): $rgmbps MB/s in ${ms} ms"
	echo "  purdah is ${ratio}x ripgrep      target >= 10x     $(awk -v r="$ratio" 'BEGIN { print (r >= 10 ? "PASS" : "FAIL") }')"
else
	echo "  baseline: ripgrep not installed (make deps installs it)"
	status=1
fi

echo "== bench_store (1,000,000 items; the database is kept in $work)"
"$dir/bench/bench_store" "$work/store.db" || status=1

echo "== review pages (purdah serve on that store; server time per page)"
sh tests/bench/review.sh "$dir" "$work/review" "$work/store.db" || status=1

echo "== serve (wrk; nginx proxy_cache as the baseline)"
sh tests/bench/serve.sh "$dir" "$work/serve" || status=1
exit $status
