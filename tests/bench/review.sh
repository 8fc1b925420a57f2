#!/bin/sh
# make bench: the review queue page's server time with 1,000,000 items
# (issue #6 section 6), on the store bench_store built.
#
#   tests/bench/review.sh BUILD_DIR WORKDIR DB
#
# Starts `purdah serve` on DB (a copy of nothing: the file bench_store
# kept) with the shipped calendars and lexicons, adds a monitoring user,
# logs in with curl, then asks for each page RUNS times and reads the
# server's own time for each request from its log line ("... 200 BYTES
# 12.3ms ..."): the time from the request line to the response, page
# rendering and every query included, network excluded. Printed: the
# median and the maximum per page, and the ratio of the filtered first
# page to the baseline, the stylesheet served by the same server (routing,
# session-free, no store). Target: the filtered first page (status pending,
# class council-post; and with a period) median <= 100 ms.
#
#   BENCH_REVIEW_RUNS   requests per page (default 21)
set -u
if [ $# -ne 3 ]; then
	echo "usage: tests/bench/review.sh BUILD_DIR WORKDIR DB" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd) || exit 70
build=$(cd "$1" && pwd) || exit 70
mkdir -p "$2" || exit 70
work=$(cd "$2" && pwd) || exit 70
db=$3
runs=${BENCH_REVIEW_RUNS:-21}
status=0
pid=""

if [ ! -f "$db" ]; then
	echo "  FAIL: no store at $db (bench_store builds it)"
	exit 1
fi
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/purdah.yaml" <<EOF
council: {name: Bench Borough Council}
calendars: ["$repo/calendars"]
lexicons: ["$repo/lexicons"]
store: {path: "$db"}
review: {password_cost: min}
serve: {listen: "127.0.0.1:$port", watch: 0}
EOF
purdah="$build/purdah --config $work/purdah.yaml"
printf 'bench-password\n' | $purdah user add bench --role monitoring \
	>/dev/null 2>"$work/user.err" ||
	grep -q 'taken\|exists' "$work/user.err" || {
	echo "  FAIL: user add: $(cat "$work/user.err")"
	exit 1
}
$purdah serve 2>"$work/serve.log" &
pid=$!
base=http://127.0.0.1:$port
i=0
until curl -fs "$base/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "  FAIL: purdah serve did not start: $(tail -n 3 "$work/serve.log")"
		exit 1
	fi
	sleep 0.1
done

jar=$work/cookies
rm -f "$jar"
csrf=$(curl -fs -c "$jar" "$base/review/login" |
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
	--data-urlencode "csrf=$csrf" --data-urlencode user=bench \
	--data-urlencode password=bench-password "$base/review/login")
if [ "$code" != 303 ]; then
	echo "  FAIL: login answered $code"
	exit 1
fi

# page LABEL PATH: RUNS requests; prints "median max" (ms, server side).
page() {
	: >"$work/times"
	n=0
	while [ "$n" -lt "$runs" ]; do
		before=$(wc -l <"$work/serve.log")
		code=$(curl -s -o "$work/page.html" -w '%{http_code}' -b "$jar" \
			"$base$2")
		if [ "$code" != 200 ]; then
			echo "  FAIL: $1: $2 answered $code" >&2
			return 1
		fi
		# The request's own log line (the server logs after replying).
		t=""
		k=0
		while [ -z "$t" ] && [ "$k" -lt 50 ]; do
			t=$(tail -n +"$((before + 1))" "$work/serve.log" |
				grep -F " $2 200 " | head -n 1 |
				sed -n 's/.* \([0-9.]*\)ms .*/\1/p')
			[ -n "$t" ] || sleep 0.02
			k=$((k + 1))
		done
		[ -n "$t" ] || { echo "  FAIL: $1: no log line" >&2; return 1; }
		echo "$t" >>"$work/times"
		n=$((n + 1))
	done
	sort -n "$work/times" | awk '{ v[NR] = $1 } END {
		printf "%s %s\n", v[int((NR + 1) / 2)], v[NR] }'
}

report() { # label result target-or-empty
	med=${2% *}
	max=${2#* }
	line=$(printf '  %-46s median %7.2f ms  max %7.2f ms' "$1" "$med" "$max")
	if [ -n "$3" ]; then
		ok=$(awk -v m="$med" -v t="$3" 'BEGIN { print (m <= t) }')
		if [ "$ok" = 1 ]; then
			line="$line  target <= $3 ms  PASS"
		else
			line="$line  target <= $3 ms  FAIL"
			status=1
		fi
	fi
	echo "$line"
}

items=$(sqlite3 "$db" 'SELECT count(*) FROM items' 2>/dev/null)
echo "  store: $db, ${items:-?} items"
rows() { grep -c '<tr data-id=' "$work/page.html"; }
base_r=$(page baseline "/review?status=") || exit 1
report "baseline: everything, newest first ($(rows) rows)" "$base_r" ""
for spec in \
	"pending council posts|/review?status=pending&class=council-post" \
	"pending council posts in a period|/review?status=pending&class=council-post&period=bench-election-2027" \
	"pending forum posts in the by-election|/review?status=pending&class=forum&period=bench-by-abbey" \
	"created on one day (any status)|/review?status=&from=2027-01-20&to=2027-01-20" \
	"text search, pending (scans the texts)|/review?status=pending&q=library"; do
	label=${spec%%|*}
	path=${spec#*|}
	r=$(page "$label" "$path") || { status=1; continue; }
	case $label in
	pending*) report "$label ($(rows) rows)" "$r" 100 ;;
	*) report "$label ($(rows) rows)" "$r" "" ;;
	esac
	if [ "$label" = "pending council posts" ]; then
		ratio=$(awk -v a="${r% *}" -v b="${base_r% *}" \
			'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
		echo "  (the filtered first page takes ${ratio}x the unfiltered one)"
	fi
done
exit $status
