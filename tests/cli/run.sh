#!/bin/sh
# CLI tests: run the real purdah binary, one folder per case.
#
#   tests/cli/run.sh BUILD_DIR          (runs BUILD_DIR/purdah)
#   VG="valgrind ..." tests/cli/run.sh BUILD_DIR
#
# A case is a folder tests/cli/<case>/ named for what it shows, holding:
#   cmd                   a POSIX sh script, run as `sh ./cmd` in a fresh
#                         temporary copy of the folder; it calls purdah as
#                         $PURDAH (unquoted: it may carry a $VG prefix) and
#                         may use $REPO (the repository root, absolute)
#   expected_status       the exit status of cmd (a number; required)
#   expected_stdout       optional: stdout must match it exactly (cmd
#                         normalises random UIDs and DTSTAMPs itself)
#   expected_stderr_grep  optional: each non-empty line is an extended
#                         regular expression that must match stderr
#   stdin                 optional: fed to cmd (default /dev/null)
#   any other files       inputs (calendars, purdah.yaml, JSON, ...)
#
# Prints "ok <case>" or "FAIL <case>" with the reason and a diff, then
# "cli: N passed, M failed". Exits 0 only when nothing failed.
set -u
LC_ALL=C
export LC_ALL

if [ $# -ne 1 ]; then
	printf 'usage: %s BUILD_DIR\n' "$0" >&2
	exit 64
fi

here=$(cd "$(dirname "$0")" && pwd) || exit 70
REPO=$(cd "$here/../.." && pwd) || exit 70
build=$(cd "$1" 2>/dev/null && pwd) || {
	printf 'cli: no such build directory: %s\n' "$1"
	printf 'cli: 0 passed, 1 failed\n'
	exit 1
}
bin="$build/purdah"
if [ ! -x "$bin" ]; then
	printf 'cli: %s is not an executable (build it first)\n' "$bin"
	printf 'cli: 0 passed, 1 failed\n'
	exit 1
fi
case "$bin" in
*[[:space:]]*)
	printf 'cli: the path %s contains a blank; use a build directory without one\n' "$bin"
	printf 'cli: 0 passed, 1 failed\n'
	exit 1
	;;
esac
if [ -n "${VG:-}" ]; then
	# shellcheck source=tests/vgpath.sh
	. "$here/../vgpath.sh"
	vg=$(vg_absolute)
	PURDAH="$vg $bin"
else
	PURDAH=$bin
fi
# The tests choose their own time zone (--tz or the Europe/London default)
# and never read the caller's purdah.yaml (each runs in a fresh directory).
TZ=UTC
export PURDAH REPO TZ

# A per-case time limit when timeout(1) exists: generous, for valgrind.
if command -v timeout >/dev/null 2>&1; then
	limit="timeout 600"
else
	limit=""
fi

top=$(mktemp -d "${TMPDIR:-/tmp}/purdah-cli.XXXXXX") || exit 74
trap 'rm -rf "$top"' EXIT
trap 'rm -rf "$top"; exit 130' INT TERM

passed=0
failed=0

# fail CASE REASON: report a failure (details follow on stdout).
fail() {
	printf 'FAIL %s: %s\n' "$1" "$2"
}

# show FILE LABEL: print a file indented, at most 20 lines.
show() {
	if [ -s "$1" ]; then
		printf '  %s:\n' "$2"
		sed -n '1,20s/^/    /p' "$1"
	fi
}

for dir in "$here"/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] || continue
	work=$(mktemp -d "$top/$name.XXXXXX") || exit 74
	mkdir "$work/case" || exit 74
	cp -R "$dir/." "$work/case/" || exit 74
	if [ -f "$dir/stdin" ]; then
		input="$dir/stdin"
	else
		input=/dev/null
	fi
	(cd "$work/case" && $limit sh ./cmd <"$input" >"$work/stdout" \
		2>"$work/stderr")
	status=$?
	bad=""

	if [ ! -f "$dir/expected_status" ]; then
		bad="no expected_status file"
	else
		want=$(tr -d ' \t\r\n' <"$dir/expected_status")
		if [ "$status" != "$want" ]; then
			bad="exit status $status, expected $want"
		fi
	fi
	diffout=""
	if [ -f "$dir/expected_stdout" ] &&
		! cmp -s "$dir/expected_stdout" "$work/stdout"; then
		bad="${bad:+$bad; }stdout differs"
		diffout="$work/stdout.diff"
		diff -u "$dir/expected_stdout" "$work/stdout" >"$diffout"
	fi
	missing=""
	if [ -f "$dir/expected_stderr_grep" ]; then
		while IFS= read -r pat || [ -n "$pat" ]; do
			[ -n "$pat" ] || continue
			if ! grep -E -e "$pat" "$work/stderr" >/dev/null; then
				missing="$missing
    $pat"
			fi
		done <"$dir/expected_stderr_grep"
		[ -z "$missing" ] ||
			bad="${bad:+$bad; }stderr does not match"
	fi

	if [ -z "$bad" ]; then
		printf 'ok %s\n' "$name"
		passed=$((passed + 1))
	else
		fail "$name" "$bad"
		[ -z "$diffout" ] || sed 's/^/    /' "$diffout"
		[ -z "$missing" ] ||
			printf '  stderr patterns not found:%s\n' "$missing"
		[ -n "$diffout" ] || show "$work/stdout" stdout
		show "$work/stderr" stderr
		failed=$((failed + 1))
	fi
done

printf 'cli: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
