#!/bin/sh
# Run every libFuzzer target FUZZ_BUILD_DIR/fuzz_<name> for SECONDS, from its
# seed corpus tests/fuzz/corpus/<name>/ plus, for ics and yaml, the shared
# robustness corpus ../shared/corpora/<name>/ as extra read-only seeds. New
# inputs go to the scratch corpus FUZZ_BUILD_DIR/corpus/<name>/ (libFuzzer
# writes only to the first directory), crash/leak/timeout reproducers to
# FUZZ_BUILD_DIR/artifacts/<name>/. Exits non-zero when any target fails.
#
#   tests/fuzz/run.sh build/fuzz 60        (what `make fuzz` runs)
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FUZZ_BUILD_DIR SECONDS" >&2
	exit 64
fi
case $1 in
/*) out=$1 ;;
*) out=$(pwd)/$1 ;;
esac
secs=$2
cd "$(dirname "$0")/../.." || exit 70
shared=../shared/corpora
status=0
ran=0

for bin in "$out"/fuzz_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	scratch=$out/corpus/$name
	artifacts=$out/artifacts/$name
	log=$out/fuzz_$name.log
	mkdir -p "$scratch" "$artifacts" || exit 70
	set -- "$scratch"
	[ -d "$seeds" ] && set -- "$@" "$seeds"
	case $name in
	ics | yaml) [ -d "$shared/$name" ] && set -- "$@" "$shared/$name" ;;
	esac
	echo "fuzz_$name: ${secs}s from $*"
	"$bin" -max_len=1048576 -timeout=10 -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$@" >"$log" 2>&1
	rc=$?
	ran=$((ran + 1))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	if [ "$rc" -eq 0 ]; then
		echo "ok fuzz_$name: ${execs:-?} runs, ${speed:-?} exec/s, cov ${cov:-?}"
	else
		status=1
		echo "FAIL fuzz_$name: exit $rc after ${execs:-?} runs (log $log)"
		grep -a -E 'ERROR|SUMMARY|runtime error|Test unit written|ALARM|#[0-9]+ +in ' \
			"$log" | head -n 25
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "no fuzz targets in $out (make fuzz builds them)" >&2
	exit 1
fi
exit "$status"
