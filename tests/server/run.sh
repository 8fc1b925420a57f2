#!/bin/sh
# Server tests: the real `purdah serve` on 127.0.0.1 with a local upstream
# started by the test (Python 3 standard library, Debian's /usr/bin/python3):
# tests/server/test_serve.py (the proxy, the API) and test_review.py (the
# review pages, the review API, the proxy's recording).
#
#   tests/server/run.sh BUILD_DIR          (runs BUILD_DIR/purdah serve)
#   VG="valgrind ..." tests/server/run.sh BUILD_DIR
#
# Prints "ok NAME" or "FAIL NAME: why" per test, each script's own
# summary, then "server: N passed, M failed" for both. Exits 0 only when
# nothing failed.
set -u
LC_ALL=C
export LC_ALL

if [ $# -ne 1 ]; then
	printf 'usage: %s BUILD_DIR\n' "$0" >&2
	exit 64
fi
here=$(cd "$(dirname "$0")" && pwd) || exit 70
build=$(cd "$1" 2>/dev/null && pwd) || {
	printf 'server: no such build directory: %s\n' "$1"
	printf 'server: 0 passed, 1 failed\n'
	exit 1
}
for b in purdah purdah-serve; do
	if [ ! -x "$build/$b" ]; then
		printf 'server: %s/%s is not an executable (build it first)\n' "$build" "$b"
		printf 'server: 0 passed, 1 failed\n'
		exit 1
	fi
done
python=/usr/bin/python3
if [ ! -x "$python" ]; then
	printf 'server: %s is missing (apt-get install python3)\n' "$python"
	printf 'server: 0 passed, 1 failed\n'
	exit 1
fi
if [ -n "${VG:-}" ]; then
	# The test runs the server from its own directory.
	# shellcheck source=tests/vgpath.sh
	. "$here/../vgpath.sh"
	VG=$(vg_absolute)
	export VG
fi
TZ=UTC
export TZ
to=""
if command -v timeout >/dev/null 2>&1; then
	to="timeout 900"
fi
passed=0
failed=0
status=0
for t in test_serve test_review; do
	out=$($to "$python" "$here/$t.py" "$build" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		printf 'FAIL %s: exit status %d\n' "$t" "$rc"
		f=1
	fi
	[ "$rc" -eq 0 ] || status=1
	passed=$((passed + p))
	failed=$((failed + f))
done
printf 'server: %d passed, %d failed\n' "$passed" "$failed"
exit "$status"
