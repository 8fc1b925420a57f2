# Sourced by test runners whose cases run in other directories: prints $VG
# with relative paths in its options (--suppressions=tests/valgrind.supp,
# as tests/run.sh passes them) made absolute, from the current directory.
vg_absolute() {
	vg=""
	set -f
	for word in $VG; do
		case "$word" in
		--*=/*) ;;
		--*=*)
			value=${word#*=}
			if [ -e "$value" ]; then
				word="${word%%=*}=$(pwd)/$value"
			fi
			;;
		esac
		vg="${vg:+$vg }$word"
	done
	set +f
	printf '%s\n' "$vg"
}
