#!/bin/sh
# The corpus replay of `make check`: every saved fuzz input and every shared
# robustness file goes through BUILD_DIR's binaries, which must neither crash
# nor hang (nor, in the ASan build or under valgrind, touch bad memory or
# leak). Prints one `ok ...`/`FAIL ...` line per check and ends with
# `corpus: N passed, M failed`; exits non-zero when anything failed.
#
#   tests/corpus/run.sh build/asan
#   VG="valgrind ..." tests/corpus/run.sh build/release   (as tests/run.sh does)
#
# Checks:
#  a. tests/fuzz/corpus/<name>/* through BUILD_DIR/replay/replay_<name>.
#     The iCalendar seeds also go through `purdah calendar check`, with the
#     verdict their name states: valid-* and crash-valid-* accepted;
#     broken-*, empty* and crash-broken-* rejected. Other crash-* files
#     (crashes, hangs) are replayed only.
#  b. ../shared/corpora/ics/*.ics through replay_ics, and through
#     `purdah calendar check FILE`, whose verdict must match the expectation:
#     tests/corpus/ics-expect.tsv when it names the file, else index.tsv's
#     libical columns (invalid = libical returned NULL, a root other than
#     VCALENDAR/XROOT, or any X-LIC-ERROR).
#  c. ../shared/corpora/yaml/*.yaml through replay_yaml.
# Accepted means exit 0 and a "FILE: ok" line; rejected means exit 78 and a
# message naming FILE:LINE on stderr. purdah's output must also be the same on
# a second run (not under valgrind: too slow). Time limits: 10 s for a seed
# (libFuzzer's -timeout in tests/fuzz/run.sh), 60 s for a shared file, 180 s
# for either under valgrind; the two libical fuzz files that take libical
# itself seconds get 180 s, and are skipped under valgrind (over a minute
# each).
corpus_name=corpus
# shellcheck source=tests/corpus/common.sh
. "$(dirname "$0")/common.sh"
overrides=tests/corpus/ics-expect.tsv
[ -f "$overrides" ] || overrides=/dev/null

# purdah runs from here (so $VG's relative paths hold) with an empty
# calendar directory.
mkdir "$tmp/calendars" || exit 70

slow_limit=180
slow_files="libical-fuzz42517512.ics libical-fuzz42521679.ics"

is_slow() {
	for s in $slow_files; do
		[ "$1" = "$s" ] && return 0
	done
	return 1
}

# The line number in the first line of FILE naming NAME:LINE:, or nothing.
file_line() {
	awk -v n="$2:" '{
		i = index($0, n)
		if (i) {
			r = substr($0, i + length(n))
			if (match(r, /^[0-9]+:/)) {
				print substr(r, 1, RLENGTH - 1)
				exit
			}
		}
	}' "$1"
}

run_purdah() { # FILE LIMIT OUT ERR
	# shellcheck disable=SC2086
	timeout -k 5 "$2" $VG "$purdah" --config "$tmp/purdah.yaml" \
		--calendars "$tmp/calendars" calendar check "$1" >"$3" 2>"$4"
}

# verdict PATH LIMIT WANT REASON LABEL: purdah's verdict on one file.
verdict() {
	run_purdah "$1" "$2" "$tmp/out" "$tmp/err"
	rc=$?
	got=""
	line=""
	if [ "$rc" -ne "$3" ]; then
		got="$(status_text "$rc"), expected $3 ($4):"
		got="$got $(grep -a -m 1 'purdah:\|ERROR\|runtime error' "$tmp/err" | cut -c 1-200)"
	elif [ "$3" -eq 0 ]; then
		head -n 1 "$tmp/out" | grep -q -F "$1: ok" ||
			got="exit 0 but no '$(basename "$1"): ok' line"
	else
		line=$(file_line "$tmp/err" "$1")
		[ -n "$line" ] ||
			got="exit $rc but no '$(basename "$1"):LINE:' message on stderr"
	fi
	if [ -z "$got" ] && [ -z "$VG" ]; then
		run_purdah "$1" "$2" "$tmp/out2" "$tmp/err2"
		rc2=$?
		if [ "$rc2" -ne "$rc" ] || ! cmp -s "$tmp/out" "$tmp/out2" ||
			! cmp -s "$tmp/err" "$tmp/err2"; then
			got="a second run gave different output (exit $rc2)"
		fi
	fi
	if [ -n "$got" ]; then
		fail "$5: $got"
	elif [ "$3" -eq 0 ]; then
		ok "$5 (accepted: $4)"
	else
		ok "$5 (rejected at line $line: $4)"
	fi
}

# purdah must at least start before its verdicts mean anything.
purdah_ok=0
# shellcheck disable=SC2086
timeout -k 5 "$limit" $VG "$purdah" --config "$tmp/purdah.yaml" \
	--calendars "$tmp/calendars" version >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	purdah_ok=1
else
	fail "purdah: '$purdah --calendars DIR version' fails" \
		"($(status_text "$rc")): $(head -n 1 "$tmp/out" | cut -c 1-200);" \
		"no iCalendar verdicts are checked"
fi

# --- a. the fuzz seeds and saved reproducers -------------------------------

for dir in tests/fuzz/corpus/*/; do
	[ -d "$dir" ] || continue
	name=$(basename "$dir")
	for f in "$dir"*; do
		[ -f "$f" ] || continue
		replay "$name" "$root/$f" "$seed_limit" "$f"
		if [ "$name" != ics ] || [ "$purdah_ok" -ne 1 ]; then
			continue
		fi
		case $(basename "$f") in
		valid-* | crash-valid-*) want=0 ;;
		broken-* | empty* | crash-broken-*) want=78 ;;
		*) continue ;;
		esac
		verdict "$root/$f" "$seed_limit" "$want" "as its name says" \
			"ics/purdah $f"
	done
done

# --- b. iCalendar ------------------------------------------------------------

shared=$root/../shared/corpora
if [ -d "$shared" ]; then
	shared=$(cd "$shared" && pwd)
else
	fail "shared corpora: $shared is missing"
fi
ics=$shared/ics
index=$ics/index.tsv

# expect FILE: prints "STATUS<TAB>why" or nothing when the file is unknown.
expect() {
	awk -F '\t' -v f="$1" '
		/^#/ { next }
		FILENAME == ARGV[1] && $1 == f { print $2 "\t" $3; exit }
		FILENAME == ARGV[2] && $1 == f {
			if ($5 == "NULL")
				print "78\tlibical returned NULL"
			else if ($6 != "VCALENDAR" && $6 != "XROOT")
				print "78\tlibical root " $6
			else if ($7 + 0 > 0)
				print "78\tlibical inserted " $7 " X-LIC-ERROR"
			else
				print "0\tlibical parses it cleanly"
			exit
		}' "$overrides" "$index"
}

if [ -d "$ics" ]; then
	# An override for a file that is not there is a stale expectation.
	while IFS='	' read -r f st _; do
		case $f in '#'* | '') continue ;; esac
		case $st in
		'' | *[!0-9]*) fail "ics/expect $f: bad status '$st' in $overrides" ;;
		*) [ -f "$ics/$f" ] || fail "ics/expect $f: no such file in $ics" ;;
		esac
	done <"$overrides"
fi

for path in "$ics"/*.ics; do
	[ -f "$path" ] || continue
	f=$(basename "$path")
	t=$limit
	if is_slow "$f"; then
		if [ -n "$VG" ]; then
			printf 'skip ics %s: too slow under valgrind\n' "$f"
			continue
		fi
		t=$slow_limit
	fi
	replay ics "$path" "$t" "$f"
	[ "$purdah_ok" -eq 1 ] || continue
	exp=$(expect "$f")
	if [ -z "$exp" ]; then
		fail "ics/purdah $f: not in index.tsv"
		continue
	fi
	verdict "$path" "$t" "${exp%%"	"*}" "${exp#*"	"}" "ics/purdah $f"
done

# --- c. YAML -----------------------------------------------------------------

for path in "$shared"/yaml/*.yaml; do
	[ -f "$path" ] || continue
	replay yaml "$path" "$limit" "$(basename "$path")"
done

printf 'corpus: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
