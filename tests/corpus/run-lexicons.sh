#!/bin/sh
# Robustness of the lexicon, scan and people code against whole files:
# nothing may crash, hang, or (in the ASan build or under valgrind) touch
# bad memory or leak, and every refusal must say where. Prints one
# `ok ...`/`FAIL ...` line per check and ends with
# `lexicons: N passed, M failed`; exits non-zero when anything failed.
#
#   tests/corpus/run-lexicons.sh build/asan
#   VG="valgrind ..." tests/corpus/run-lexicons.sh build/release
#
# Checks:
#  a. ../shared/corpora/yaml/*.yaml (the YAML test suite) through
#     `purdah lexicon check FILE`: exit 0 or 78, never a signal or another
#     status; on 78 standard error names FILE:LINE. (None of them is a
#     lexicon, so in practice each is refused.) The output must be the same
#     on a second run (not under valgrind: too slow).
#  b. every file in tests/fuzz/corpus/{lexicon,scan,people}/ through
#     BUILD_DIR/replay/replay_<name> (run from the repository root, where
#     replay_scan finds ./lexicons): exit 0.
#  c. the same seeds through purdah itself, with the verdict their name
#     states:
#       lexicon  valid-*, warn-*, shipped-*, crash-valid-*: `lexicon check`
#                exits 0; broken-*, empty*, crash-broken-*: 78 naming
#                FILE:LINE;
#       people   valid-*, shipped-*, crash-valid-*: `lexicon import` exits 0
#                (as candidates and as councillors) and its output passes
#                `lexicon check`; broken-*, empty*, crash-broken-*: 65
#                naming FILE:;
#       scan     every seed: `scan` and `scan --html` with the shipped
#                lexicons exit 0.
#     Other names (crash-* reproducers of other faults, inputs of no
#     settled verdict) are replayed only.
# Time limits: 10 s for a seed (libFuzzer's -timeout in tests/fuzz/run.sh),
# 60 s for a shared file, 180 s for either under valgrind.
corpus_name=lexicons
# shellcheck source=tests/corpus/common.sh
. "$(dirname "$0")/common.sh"

# names_line FILE NAME: does FILE hold NAME followed by ':' and a line
# number (NAME:12)?
names_line() {
	awk -v n="$2:" '{
		i = index($0, n)
		if (i && substr($0, i + length(n)) ~ /^[0-9]+/)
			found = 1
	} END { exit !found }' "$1"
}

# run LIMIT OUT ERR ARGS...: purdah with our configuration.
run() {
	t=$1
	o=$2
	e=$3
	shift 3
	# shellcheck disable=SC2086 # $VG is a command prefix: split it
	timeout -k 5 "$t" $VG "$purdah" --config "$tmp/purdah.yaml" "$@" \
		>"$o" 2>"$e"
}

# check_lexicon PATH LIMIT LABEL WANT: `lexicon check PATH` exits WANT
# (0, 78, or "0|78"); a 78 names PATH:LINE.
check_lexicon() {
	run "$2" "$tmp/out" "$tmp/err" lexicon check "$1"
	rc=$?
	case "|$4|" in
	*"|$rc|"*) ;;
	*)
		fail "$3: $(status_text "$rc"), expected $4: $(why "$tmp/err")"
		return
		;;
	esac
	if [ "$rc" -eq 78 ] && ! names_line "$tmp/err" "$1"; then
		fail "$3: exit 78 but no '$(basename "$1"):LINE' on stderr: $(head -c 200 "$tmp/err")"
		return
	fi
	if [ -z "$VG" ]; then
		run "$2" "$tmp/out2" "$tmp/err2" lexicon check "$1"
		rc2=$?
		if [ "$rc2" -ne "$rc" ] || ! cmp -s "$tmp/out" "$tmp/out2" ||
			! cmp -s "$tmp/err" "$tmp/err2"; then
			fail "$3: a second run gave different output (exit $rc2)"
			return
		fi
	fi
	ok "$3 (exit $rc)"
}

# import FILE LABEL WANT: `lexicon import` as both kinds exits WANT; a
# success must load, a 65 must name FILE.
import() {
	for kind in candidates councillors; do
		run "$seed_limit" "$tmp/import.yaml" "$tmp/err" lexicon import \
			--kind "$kind" "$1"
		rc=$?
		if [ "$rc" -ne "$3" ]; then
			fail "$2 ($kind): $(status_text "$rc"), expected $3: $(why "$tmp/err")"
			return
		fi
		if [ "$rc" -eq 65 ] && ! grep -q -F "$1:" "$tmp/err"; then
			fail "$2 ($kind): exit 65 but no '$(basename "$1"):' on stderr"
			return
		fi
		if [ "$rc" -eq 0 ]; then
			run "$seed_limit" "$tmp/out" "$tmp/err" lexicon check \
				"$tmp/import.yaml"
			rc=$?
			if [ "$rc" -ne 0 ]; then
				fail "$2 ($kind): its lexicon fails lexicon check ($(status_text "$rc")): $(why "$tmp/err")"
				return
			fi
		fi
	done
	ok "$2 (exit $3)"
}

# scan FILE LABEL: `scan` and `scan --html` with the shipped lexicons.
scan() {
	for html in "" --html; do
		# shellcheck disable=SC2086 # $html is empty or one word
		run "$seed_limit" "$tmp/out" "$tmp/err" \
			--lexicons "$root/lexicons" scan $html "$1"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			fail "$2${html:+ $html}: $(status_text "$rc"): $(why "$tmp/err")"
			return
		fi
	done
	ok "$2"
}

# --- a. the YAML test suite through lexicon check ---------------------------

shared=$root/../shared/corpora/yaml
if [ -d "$shared" ]; then
	shared=$(cd "$shared" && pwd)
	n=0
	for path in "$shared"/*.yaml; do
		[ -f "$path" ] || continue
		n=$((n + 1))
		check_lexicon "$path" "$limit" "yaml/check $(basename "$path")" "0|78"
	done
	[ "$n" -gt 0 ] || fail "shared corpora: no *.yaml in $shared"
else
	fail "shared corpora: $shared is missing"
fi

# --- b and c. the seeds ------------------------------------------------------

for name in lexicon scan people; do
	dir=tests/fuzz/corpus/$name
	if [ ! -d "$dir" ]; then
		fail "$dir is missing"
		continue
	fi
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		path=$root/$f
		base=$(basename "$f")
		replay "$name" "$path" "$seed_limit" "$(basename "$path")"
		case $name:$base in
		lexicon:valid-* | lexicon:warn-* | lexicon:shipped-* | \
			lexicon:crash-valid-*)
			check_lexicon "$path" "$seed_limit" "lexicon/check $base" 0
			;;
		lexicon:broken-* | lexicon:empty* | lexicon:crash-broken-*)
			check_lexicon "$path" "$seed_limit" "lexicon/check $base" 78
			;;
		people:valid-* | people:shipped-* | people:crash-valid-*)
			import "$path" "people/import $base" 0
			;;
		people:broken-* | people:empty* | people:crash-broken-*)
			import "$path" "people/import $base" 65
			;;
		scan:*)
			scan "$path" "scan/purdah $base"
			;;
		esac
	done
done

printf 'lexicons: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
