#!/bin/sh
# Run every test suite against one or more build directories (each holding
# purdah, tests/test_* and replay/replay_*) and print one closing line
# "N passed, N failed". Exit 0 only when nothing failed.
#
#   tests/run.sh build/release build/asan
#   VALGRIND=1 tests/run.sh build/release    (everything under valgrind)
set -u
cd "$(dirname "$0")/.." || exit 70
passed=0
failed=0
failures=""

note() { printf '%s\n' "$*"; }
count() { # suite-name passed failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -eq 0 ] || failures="$failures $1"
}

if [ -n "${VALGRIND:-}" ]; then
	VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp"
else
	VG=""
fi
export VG

for dir in "$@"; do
	v=$(basename "$dir")
	note "== $v: unit tests"
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$($VG "$t" 2>&1)
		rc=$?
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$f" -ne 0 ]; then
			printf '%s\n' "$out" | grep -E 'FAIL|ERROR|error|Sanitizer|runtime error' | head -n 40
		fi
		note "$v $(basename "$t"): $p passed, $f failed"
		count "$v/$(basename "$t")" "$p" "$f"
	done
	for s in tests/cli/run.sh tests/corpus/run.sh tests/corpus/run-lexicons.sh tests/corpus/run-feeds.sh tests/readme/run.sh tests/server/run.sh tests/store/crash.sh \
		tests/browser/run.sh; do
		[ -x "$s" ] || continue
		note "== $v: $s"
		out=$("$s" "$dir" 2>&1)
		rc=$?
		printf '%s\n' "$out" | grep -v '^ok ' | tail -n 60
		p=$(printf '%s\n' "$out" | sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -n 1)
		f=$(printf '%s\n' "$out" | sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		count "$v/$s" "$p" "$f"
	done
done
[ -z "$failures" ] || note "failed suites:$failures"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
