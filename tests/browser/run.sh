#!/bin/sh
# Browser test: the review pages of the real `purdah serve`, driven in
# Debian's headless Chromium (/usr/bin/chromium) by playwright-core from
# npm (tests/browser/review.mjs; the version is pinned in package.json and
# package-lock.json; it never downloads a browser of its own).
#
#   tests/browser/run.sh BUILD_DIR   (runs BUILD_DIR/purdah and purdah-serve)
#
# Sets up a store in a temporary directory (users molly, monitoring, and
# vera, viewer; held items recorded with `purdah check --record`), starts
# `purdah serve` on a free loopback port, and runs review.mjs against it.
# Screenshots go to ${BROWSER_ARTIFACTS:-BUILD_DIR/browser-artifacts}/.
# Needs Node.js, npm (once, for `npm ci` when node_modules is missing) and
# chromium: `make browser-deps` installs what is missing. CHROMIUM=PATH
# names another Chromium binary.
#
# Prints "ok NAME" or "FAIL NAME: why" per test, then
# "browser: N passed, M failed". Exits 0 only when nothing failed.
set -u
LC_ALL=C
export LC_ALL

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok %s\n' "$1"
}
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
}
finish() {
	printf 'browser: %d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
	exit
}

if [ $# -ne 1 ]; then
	printf 'usage: %s BUILD_DIR\n' "$0" >&2
	exit 64
fi
here=$(cd "$(dirname "$0")" && pwd) || exit 70
repo=$(cd "$here/../.." && pwd) || exit 70
build=$(cd "$1" 2>/dev/null && pwd) || {
	fail setup "no such build directory: $1"
	finish
}
for b in purdah purdah-serve; do
	if [ ! -x "$build/$b" ]; then
		fail setup "$build/$b is not an executable (build it first)"
		finish
	fi
done
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	fail setup "$chromium is missing (make browser-deps, or apt-get install chromium)"
	finish
fi
if ! command -v node >/dev/null 2>&1; then
	fail setup "node is missing (make browser-deps installs Node.js and npm)"
	finish
fi
for t in curl python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail setup "$t is missing (make deps)"
		finish
	fi
done
slow=1
VG=${VG:-}
if [ -n "${VG:-}" ]; then
	# The server runs from the temporary directory.
	# shellcheck source=tests/vgpath.sh
	. "$here/../vgpath.sh"
	VG=$(cd "$repo" && vg_absolute)
	slow=6
fi

# playwright-core, exactly as package-lock.json pins it.
want=$(sed -n 's/^ *"playwright-core": *"\([^"]*\)".*/\1/p' "$here/package.json" | head -n 1)
have=$(cd "$here" && node -p 'require("./node_modules/playwright-core/package.json").version' 2>/dev/null)
if [ "$have" != "$want" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		fail npm-ci "playwright-core $want is not installed and npm is missing (make browser-deps)"
		finish
	fi
	if ! out=$(cd "$here" && npm ci --no-audit --no-fund 2>&1); then
		why=$(printf '%s\n' "$out" | grep -E '^npm (error|ERR!) (code |[A-Za-z]*Error)' | head -n 2 | tr '\n' ' ')
		fail npm-ci "playwright-core $want is not installed and npm ci in tests/browser failed (is the npm registry reachable?): ${why:-$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')}"
		finish
	fi
	ok npm-ci
fi

artifacts=${BROWSER_ARTIFACTS:-$build/browser-artifacts}
mkdir -p "$artifacts" || {
	fail setup "cannot create $artifacts"
	finish
}
artifacts=$(cd "$artifacts" && pwd)
# Only what this test writes there (review.mjs names each screenshot).
for f in "$artifacts"/*.png "$artifacts"/fail-*.html "$artifacts"/server.log; do
	case ${f##*/} in
	login.png | login-error.png | queue.png | queue-filtered.png | item.png | \
		item-xss.png | item-approved.png | audit.png | queue-phone.png | \
		item-phone.png | keyboard-login.png | item-viewer.png | logout.png | \
		fail-*.png | fail-*.html | server.log) rm -f "$f" ;;
	esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/purdah-browser.XXXXXX") || exit 70
server_pid=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A by-election period in force around today, for the Castle ward alone:
# held items about Castle name it, items about Harbour name none.
TZ=Europe/London
export TZ
first=$(date -d '-7 days' +%Y%m%d)
end=$(date -d '+35 days' +%Y%m%d)
today=$(date +%F)
yesterday=$(date -d '-1 day' +%F)
period_uid=browser-test-castle@purdah
period_name="Castle ward by-election (browser test)"
cat >"$tmp/browser-test.ics" <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//purdah//browser test//EN
BEGIN:VEVENT
UID:$period_uid
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:$first
DTEND;VALUE=DATE:$end
SUMMARY:$period_name
CATEGORIES:BY-ELECTION
X-PURDAH-AREA:Castle
X-PURDAH-TYPE:local-by-election
X-PURDAH-NATION:england
END:VEVENT
END:VCALENDAR
EOF
cat >"$tmp/purdah.yaml" <<EOF
council:
  name: Northbridge Borough Council
  areas: [Abbey, Castle, Harbour, Millfield, Northgate, Riverside, "St Peter's", Westfield]
timezone: Europe/London
calendars:
  - $tmp/browser-test.ics
  - $repo/calendars/bank-holidays-england-and-wales.ics
lexicons:
  - $repo/lexicons
calendar_file: $tmp/browser-test.ics
freeze_file: $tmp/freeze.ics
serve:
  threads: 2
  watch: 0
store:
  path: $tmp/purdah.db
review:
  password_cost: min
EOF
pd() {
	(cd "$tmp" && $VG "$build/purdah" --config "$tmp/purdah.yaml" "$@")
}

molly_pw="molly's test password 1"
vera_pw="vera's test password 2"
if out=$(printf '%s\n' "$molly_pw" | pd user add molly --role monitoring 2>&1) &&
	out=$(printf '%s\n' "$vera_pw" | pd user add vera --role viewer 2>&1); then
	ok setup-users
else
	fail setup-users "purdah user add: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
	finish
fi

# record NAME TEXT CHECK-OPTIONS...: a held item; sets $id.
record() {
	name=$1
	text=$2
	shift 2
	out=$(printf '%s\n' "$text" | pd check --record "$@" 2>&1)
	rc=$?
	id=$(printf '%s\n' "$out" | sed -n 's/^item: \([0-9][0-9]*\)$/\1/p' | head -n 1)
	if [ "$rc" -ne 1 ] || [ -z "$id" ]; then
		fail "record-$name" "exit $rc (want 1, a hold) and no 'item: ID' line: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
		finish
	fi
}
record labour "Vote Labour on Thursday" \
	--area Harbour --account @northbridge-news
id_labour=$id
record library "Cllr Mark Green opens the new library on Castle Street" \
	--area Castle --account @northbridge-libraries
id_library=$id
xss_text='<script>alert(1)</script><img src=x onerror=alert(2)> Vote Conservative on Thursday & "more"'
record xss "$xss_text" \
	--area Harbour --class third-party --account @partner-forum
id_xss=$id
record green "Vote Green for a cleaner Harbour" \
	--area Harbour --account @harbour-team
id_green=$id
ok record-items

port=""
for _ in 1 2 3; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	(cd "$tmp" && exec $VG "$build/purdah" --config "$tmp/purdah.yaml" serve \
		--listen "127.0.0.1:$port") >"$tmp/server.log" 2>&1 &
	server_pid=$!
	n=0
	while [ $n -lt $((100 * slow)) ]; do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
			break 2
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
		n=$((n + 1))
	done
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=""
done
if [ -z "$server_pid" ]; then
	fail server-start "purdah serve did not answer /healthz: $(tail -n 5 "$tmp/server.log" | tr '\n' ' ')"
	cp "$tmp/server.log" "$artifacts/server.log"
	finish
fi
ok server-start

export BASE_URL="http://127.0.0.1:$port"
export CHROMIUM="$chromium"
export ARTIFACTS="$artifacts"
export SLOW="$slow"
export MOLLY_PASSWORD="$molly_pw" VERA_PASSWORD="$vera_pw"
export ID_LABOUR="$id_labour" ID_LIBRARY="$id_library" ID_XSS="$id_xss" ID_GREEN="$id_green"
export XSS_TEXT="$xss_text" PERIOD_UID="$period_uid" PERIOD_NAME="$period_name"
export TODAY="$today" YESTERDAY="$yesterday"
limit=$((240 * slow))
if command -v timeout >/dev/null 2>&1; then
	out=$(cd "$here" && timeout "$limit" node review.mjs 2>&1)
else
	out=$(cd "$here" && node review.mjs 2>&1)
fi
rc=$?
printf '%s\n' "$out" | grep -v -E '^(ok|FAIL) ' | sed 's/^/# /'
p=$(printf '%s\n' "$out" | grep -c '^ok ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
printf '%s\n' "$out" | grep -E '^(ok|FAIL) '
passed=$((passed + p))
failed=$((failed + f))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	fail review.mjs "exit $rc$([ "$rc" -eq 124 ] && printf ' (timed out after %ss)' "$limit")"
fi
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
	fail review.mjs "ran no test"
fi

# The server stops cleanly on SIGTERM (under ASan: no error, no leak).
kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid"
rc=$?
server_pid=""
cp "$tmp/server.log" "$artifacts/server.log"
if [ "$rc" -ne 0 ]; then
	fail server-exit "purdah serve exited $rc on SIGTERM: $(grep -m 3 -E 'ERROR|Sanitizer|runtime error|purdah' "$tmp/server.log" | tr '\n' ' ')"
elif grep -q -E 'Sanitizer|runtime error' "$tmp/server.log"; then
	fail server-exit "sanitizer report in the server log (see $artifacts/server.log)"
else
	ok server-exit
fi

# What the browser did went into the audit trail, and the chain holds.
if out=$(pd audit verify 2>&1); then
	ok audit-verify
else
	fail audit-verify "purdah audit verify: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
fi
finish
