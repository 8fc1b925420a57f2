# shellcheck shell=sh disable=SC2034 # the callers use these variables
# Shared by tests/corpus/run.sh and tests/corpus/run-lexicons.sh (sourced,
# never run): the BUILD_DIR argument, the counters, the time limits, the
# wording of a FAIL line and replay(). The caller sets corpus_name first
# (the name of its scratch directory) and, after sourcing, works from the
# repository root with $tmp/purdah.yaml as purdah's configuration.
set -u
LC_ALL=C
export LC_ALL

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 64
fi
case $1 in
/*) build=$1 ;;
*) build=$(pwd)/$1 ;;
esac
cd "$(dirname "$0")/../.." || exit 70
root=$(pwd)
VG=${VG:-}
purdah=$build/purdah

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok %s\n' "$*"
}
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/purdah-$corpus_name.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# purdah gets a configuration of its own, never ./purdah.yaml.
printf 'timezone: Europe/London\n' >"$tmp/purdah.yaml" || exit 70

if [ -n "$VG" ]; then
	seed_limit=180
	limit=180
else
	seed_limit=10
	limit=60
fi

# What an exit status means when it is not the expected one.
status_text() {
	case $1 in
	124 | 137) echo "timed out" ;;
	99) echo "valgrind found errors" ;;
	*) if [ "$1" -gt 128 ]; then
		echo "killed by signal $(($1 - 128))"
	else
		echo "exit $1"
	fi ;;
	esac
}

# The first lines of a tool's report, for a FAIL line.
why() {
	grep -a -m 3 -E 'ERROR|SUMMARY|runtime error|definitely|Invalid|uninitialised|invariant|replay:|purdah:' "$1" |
		tr '\n' ' ' | cut -c 1-300
}

# replay NAME FILE LIMIT LABEL: one input through replay_NAME, must exit 0.
replay() {
	bin=$build/replay/replay_$1
	label="$1/replay $4"
	if [ ! -x "$bin" ]; then
		fail "$label: $bin not built (make check-build)"
		return
	fi
	# shellcheck disable=SC2086 # $VG is a command prefix: split it
	timeout -k 5 "$3" $VG "$bin" "$2" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$label"
	else
		fail "$label: $(status_text "$rc") $(why "$tmp/out")"
	fi
}
