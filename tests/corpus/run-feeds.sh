#!/bin/sh
# `purdah filter` over the shared feed corpus: every file of
# ../shared/corpora/feeds (feedparser's test feeds, with index.tsv saying
# which ones libxml2 2.9.14 finds well-formed) goes through BUILD_DIR's purdah
# twice, with a test calendar holding one election period:
#
#   purdah filter --class councillor-feed --at 2027-04-20 FILE  (suspended)
#   purdah filter --class council-post    --at 2027-04-20 FILE  (item by item)
#
# and must neither crash nor hang (nor, in the ASan build or under $VG,
# touch bad memory or leak): the exit status is 0 or 65, nothing else.
# Verdicts (index.tsv column 4, except the files refused by design listed in
# `refused` below):
#   yes                       accepted (exit 0) by both runs
#   no, yes-but-namespace-error
#                             rejected (exit 65) with "FILE:LINE:" on stderr
# The output of an accepted file must be well-formed XML (xmllint --noout
# --nonet, when libxml2-utils is installed), the same on a second run (not
# under $VG: too slow), and every suspended output must be read by Debian's
# feedparser (/usr/bin/python3, python3-feedparser) without its bozo flag,
# with exactly the one notice entry. Prints `ok`/`FAIL` lines and ends with
# `feeds: N passed, M failed`.
#
#   tests/corpus/run-feeds.sh build/asan
#   VG="valgrind ..." tests/corpus/run-feeds.sh build/release  (~1.5 s a run)
# Under $VG one file in FEEDS_VG_EVERY (default 10; 1: all of them, about
# 35 minutes) is run, every kind of file still among them: the ASan build
# runs them all.
corpus_name=feeds
# shellcheck source=tests/corpus/common.sh
. "$(dirname "$0")/common.sh"

feeds=$root/../shared/corpora/feeds
if [ ! -f "$feeds/index.tsv" ]; then
	fail "feeds: $feeds/index.tsv is missing"
	printf 'feeds: %d passed, %d failed\n' "$passed" "$failed"
	exit 1
fi
feeds=$(cd "$feeds" && pwd)

# Refused by design although well-formed: FILE (or a directory prefix
# ending in /) TAB the message expected on stderr.
refused='wellformed/cdf/	not an RSS or Atom feed (root element <CHANNEL>)
wellformed/rss/entity_in_doctype.xml	entity declarations are not accepted
wellformed/rdf/doctype_contains_entity_decl.xml	entity declarations are not accepted'

refused_why() { # FILE: prints the expected message, or nothing
	printf '%s\n' "$refused" | while IFS='	' read -r pat msg; do
		case $1 in
		"$pat" | "$pat"*)
			case $pat in
			*/ | "$1") printf '%s\n' "$msg" ;;
			esac
			;;
		esac
	done | head -n 1
}

cat >"$tmp/periods.ics" <<'ICS' || exit 70
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//purdah//feed corpus//EN
BEGIN:VEVENT
UID:feeds-2027@purdah.test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20270331
DTEND;VALUE=DATE:20270507
SUMMARY:Test & <Elections> 2027
CATEGORIES:ELECTION
END:VEVENT
END:VCALENDAR
ICS
printf 'calendars: [%s/periods.ics]\nlexicons: [%s/lexicons]\n' \
	"$tmp" "$root" >>"$tmp/purdah.yaml" || exit 70

if command -v xmllint >/dev/null 2>&1; then
	xmllint=xmllint
else
	xmllint=""
	printf 'note: xmllint (libxml2-utils) not installed: outputs are not checked for well-formedness\n'
fi

run_filter() { # CLASS FILE OUT ERR
	# shellcheck disable=SC2086 # $VG is a command prefix: split it
	timeout -k 5 "$limit" $VG "$purdah" --config "$tmp/purdah.yaml" \
		filter --class "$1" --at 2027-04-20 "$2" >"$3" 2>"$4"
}

# The first "purdah: FILE:LINE:" line number on stderr, or nothing.
err_line() {
	sed -n "s|^purdah: $(printf '%s' "$2" | sed 's/[.[\*^$|]/\\&/g'):\([0-9][0-9]*\):.*|\1|p" "$1" | head -n 1
}

: >"$tmp/suspended.list"
n=0
awk -F '\t' '!/^#/ && NF >= 4 { print $1 "\t" $4 }' "$feeds/index.tsv" >"$tmp/index" || exit 70
every=1
[ -n "$VG" ] && every=${FEEDS_VG_EVERY:-10}
while IFS='	' read -r f wf; do
	n=$((n + 1))
	[ $((n % every)) -eq 0 ] || [ "$every" -eq 1 ] || continue
	path=$feeds/$f
	label="feeds $f"
	if [ ! -f "$path" ]; then
		fail "$label: listed in index.tsv but missing"
		continue
	fi
	why=$(refused_why "$f")
	case $wf in
	yes) if [ -n "$why" ]; then want=65; else want=0; fi ;;
	no | yes-but-namespace-error) want=65 ;;
	*)
		fail "$label: unknown index value '$wf'"
		continue
		;;
	esac
	out=$tmp/out.$n
	bad=""
	for cls in councillor-feed council-post; do
		run_filter "$cls" "$path" "$out.$cls" "$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 65 ]; then
			bad="$cls: $(status_text "$rc") $(why "$tmp/err")"
			break
		fi
		if [ "$rc" -ne "$want" ]; then
			bad="$cls: exit $rc, expected $want ($wf${why:+, refused by design}): $(head -c 200 "$tmp/err")"
			break
		fi
		if [ "$rc" -eq 65 ]; then
			if [ -s "$out.$cls" ]; then
				bad="$cls: exit 65 but something was written"
			elif [ -n "$why" ]; then
				grep -q -F -e "$why" "$tmp/err" ||
					bad="$cls: refused, but not with '$why': $(head -c 200 "$tmp/err")"
			elif [ "$wf" != yes ] && [ -z "$(err_line "$tmp/err" "$path")" ]; then
				bad="$cls: no '$f:LINE:' message: $(head -c 200 "$tmp/err")"
			fi
			[ -z "$bad" ] || break
			continue
		fi
		if [ -n "$xmllint" ] &&
			! xmllint --noout --nonet "$out.$cls" >"$tmp/lint" 2>&1; then
			bad="$cls: the output is not well-formed: $(head -n 1 "$tmp/lint" | cut -c 1-200)"
			break
		fi
		if [ -z "$VG" ]; then
			run_filter "$cls" "$path" "$out.again" "$tmp/err2"
			rc2=$?
			if [ "$rc2" -ne "$rc" ] || ! cmp -s "$out.$cls" "$out.again"; then
				bad="$cls: a second run gave a different output (exit $rc2)"
				break
			fi
		fi
	done
	if [ -n "$bad" ]; then
		fail "$label: $bad"
	elif [ "$want" -eq 0 ]; then
		ok "$label (accepted)"
		printf '%s\t%s\n' "$out.councillor-feed" "$f" >>"$tmp/suspended.list"
		rm -f "$out.council-post" "$out.again"
	else
		ok "$label (rejected: ${why:-$wf})"
	fi
done <"$tmp/index"

# Files in the corpus that index.tsv does not list.
(cd "$feeds" && find . -name '*.xml' | sed 's|^\./||' | sort) >"$tmp/files"
cut -f 1 "$tmp/index" | sort >"$tmp/listed"
comm -23 "$tmp/files" "$tmp/listed" | while IFS= read -r f; do
	printf 'FAIL feeds %s: not in index.tsv\n' "$f"
done >"$tmp/unlisted"
if [ -s "$tmp/unlisted" ]; then
	cat "$tmp/unlisted"
	failed=$((failed + $(wc -l <"$tmp/unlisted")))
fi

# A real feed reader accepts every suspended feed: Debian's feedparser, run
# by Debian's python (not another one on the PATH), in one process.
if [ ! -x /usr/bin/python3 ] ||
	! /usr/bin/python3 -c 'import feedparser' >/dev/null 2>&1; then
	fail "feeds/feedparser: /usr/bin/python3 with python3-feedparser is needed"
elif [ -s "$tmp/suspended.list" ]; then
	/usr/bin/python3 - "$tmp/suspended.list" >"$tmp/fp" 2>&1 <<'PY'
import sys
import feedparser

for line in open(sys.argv[1], encoding="utf-8"):
    path, name = line.rstrip("\n").split("\t")
    with open(path, "rb") as f:
        d = feedparser.parse(f.read())
    problem = None
    if d.bozo:
        problem = "bozo: %r" % (d.get("bozo_exception"),)
    elif len(d.entries) != 1:
        problem = "%d entries, expected the one notice" % len(d.entries)
    else:
        e = d.entries[0]
        text = (e.get("summary") or e.get("description") or "")
        if "Councillors' updates are paused" not in text:
            problem = "the entry is not the notice: %r" % text[:100]
        elif "urn:purdah:notice:" not in (e.get("id") or e.get("link") or ""):
            problem = "the notice has no stable id: %r" % e.get("id")
    if problem:
        print("FAIL feeds/feedparser %s: %s" % (name, problem))
    else:
        print("ok feeds/feedparser %s" % name)
PY
	rc=$?
	cat "$tmp/fp"
	passed=$((passed + $(grep -c '^ok ' "$tmp/fp")))
	failed=$((failed + $(grep -c '^FAIL ' "$tmp/fp")))
	if [ "$rc" -ne 0 ]; then
		fail "feeds/feedparser: python exited $rc"
	fi
fi

printf 'feeds: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
