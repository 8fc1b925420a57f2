#!/bin/sh
# Crash test of the store: a writer (test_store --crash-writer) records
# items in a loop, printing each id after its transaction commits; it is
# killed with SIGKILL after a random short time, several rounds on the same
# database. After each round: every acknowledged id is in the database,
# PRAGMA integrity_check says ok (the sqlite3 CLI), and the audit chain
# verifies with one entry per record and approval (test_store
# --crash-verify).
#
#   tests/store/crash.sh BUILD_DIR      prints "crash: N passed, M failed"
set -u
dir=${1:-build/release}
rounds=${CRASH_ROUNDS:-6}
cd "$(dirname "$0")/../.." || exit 70
bin=$dir/tests/test_store
work=$(mktemp -d /tmp/purdah-crash-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
db=$work/purdah.db
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

if [ ! -x "$bin" ] || ! command -v sqlite3 >/dev/null 2>&1; then
	echo "crash: needs $bin and the sqlite3 CLI" >&2
	echo "crash: 0 passed, 1 failed"
	exit 1
fi

: > "$work/acked"
r=1
while [ "$r" -le "$rounds" ]; do
	"$bin" --crash-writer "$db" > "$work/out.$r" 2> "$work/err.$r" &
	pid=$!
	# 100 to 600 ms, different each round.
	ms=$(( ($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 500) + 100 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# A line cut short by the kill was never acknowledged.
	grep -E '^[0-9]+$' "$work/out.$r" >> "$work/acked"
	n=$(grep -cE '^[0-9]+$' "$work/out.$r")
	if [ "$n" -gt 0 ] && [ ! -s "$work/err.$r" ]; then
		ok "round $r: the writer acknowledged $n items in ${ms} ms"
	else
		bad "round $r: the writer acknowledged $n items: $(head -c 300 "$work/err.$r")"
	fi

	sqlite3 "$db" 'SELECT id FROM items' | sort > "$work/ids"
	sort -u "$work/acked" > "$work/acked.sorted"
	lost=$(comm -23 "$work/acked.sorted" "$work/ids" | wc -l)
	if [ "$lost" -eq 0 ]; then
		ok "round $r: all $(wc -l < "$work/acked.sorted") acknowledged items are stored"
	else
		bad "round $r: $lost acknowledged items are missing: $(comm -23 "$work/acked.sorted" "$work/ids" | head -n 5 | tr '\n' ' ')"
	fi

	integrity=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
	if [ "$integrity" = "ok" ]; then
		ok "round $r: integrity_check ok"
	else
		bad "round $r: integrity_check: $(printf '%s' "$integrity" | head -n 3)"
	fi

	if out=$("$bin" --crash-verify "$db" 2>&1); then
		ok "round $r: $out"
	else
		bad "round $r: $out"
	fi
	r=$((r + 1))
done
echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
