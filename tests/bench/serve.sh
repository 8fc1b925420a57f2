#!/bin/sh
# make bench: `purdah serve` under load (issue #5 section 4), with nginx as
# the baseline in the same run.
#
#   tests/bench/serve.sh BUILD_DIR WORKDIR
#
# A local origin (Debian's python3, http.server) serves a council feed
# generated into WORKDIR (RSS 2.0, 20 items, ~10 KB: 18 service posts and 2
# party-political ones from tests/corpus/posts). nginx (Debian's, not
# daemonised, everything under WORKDIR/nginx) is a caching reverse proxy
# for it: proxy_cache valid for an hour, one worker per core, access_log
# off, keep-alive without a request limit. `purdah serve` has one route to
# the same origin (class council-post, ttl 3600) with the shipped calendars
# and lexicons. Both caches are warmed and checked (200, an RSS document)
# and then, with wrk on the same machine (-t2 -c64 --latency):
#
# 1. the cached feed route, nginx and purdah alternately, ROUNDS runs each
#    of DURATION seconds; the best requests/s of each (and the p99 latency
#    of that run), and purdah/nginx. Targets: >= 10,000 req/s, >= 0.5.
# 2. POST /v1/check with one council post (a wrk Lua script), after one
#    request checked to answer a JSON decision: best of ROUNDS. Target:
#    >= 5,000 checks/s.
# 3. memory: the cached route for SECONDS seconds while purdah's VmRSS is
#    read every 5 s (from 0 to SECONDS, all under load). Rule: PASS when the highest sample from 10 s on is at
#    most max(2 MB, 5% of the 10 s sample) above the 10 s sample.
#
# A run with non-2xx answers or socket errors fails, and so does one in
# which the origin was asked for the feed again (a cache that did not hold).
# Every process started here is stopped at the end (or on a signal), and
# the ports are checked to be free again. Exit 0 only when every target is
# met.
#
#   BENCH_SERVE_SECONDS   the memory run (default 60)
#   BENCH_SERVE_DURATION  each throughput run (default 10)
#   BENCH_SERVE_ROUNDS    throughput runs per server (default 3)
#   BENCH_SERVE_THREADS   serve.threads for purdah (default: nproc)
#   BENCH_SERVE_WRK       wrk's load options (default "-t2 -c64")
set -u
PATH=$PATH:/usr/sbin:/sbin # nginx and runuser, for a user without them
export PATH

if [ $# -ne 2 ]; then
	echo "usage: tests/bench/serve.sh BUILD_DIR WORKDIR" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd) || exit 70
purdah=$(cd "$1" 2>/dev/null && pwd)/purdah
mkdir -p "$2" || exit 70
work=$(cd "$2" && pwd) || exit 70

seconds=${BENCH_SERVE_SECONDS:-60}
duration=${BENCH_SERVE_DURATION:-10}
rounds=${BENCH_SERVE_ROUNDS:-3}
cores=$(nproc)
threads=${BENCH_SERVE_THREADS:-$cores}
load=${BENCH_SERVE_WRK:--t2 -c64}
feed_path=/feeds/news.xml
status=0
pids=""
origin_pid=""
nginx_pid=""
purdah_pid=""
purdah_up=0
ports=""

say() { printf '%s\n' "$*"; }
fail() { # message: print it and remember the failure
	say "  FAIL: $*"
	status=1
}
verdict() { # ok (1 or 0): PASS or FAIL
	if [ "$1" -eq 1 ]; then echo PASS; else echo FAIL; fi
}

# --- processes ------------------------------------------------------------

stop() { # pid...: TERM, up to 5 s, then KILL; reap
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		n=0
		while kill -0 "$p" 2>/dev/null && [ "$n" -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

cleanup() {
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	stop $pids
	pids=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# N ports free on 127.0.0.1 now (held together while chosen, so that they
# differ).
free_ports() { # n
	/usr/bin/python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Wait until URL answers (any HTTP status) or PID is gone; 0 when up.
wait_up() { # pid url seconds
	n=0
	while [ "$n" -lt $(($3 * 10)) ]; do
		kill -0 "$1" 2>/dev/null || return 1
		curl -s -o /dev/null --max-time 1 "$2" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

rss_kb() { # pid
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# --- wrk ------------------------------------------------------------------

# wrk with the load options and the remaining arguments, output to FILE,
# in the background so that a signal stops the run at once; wrk_rc.
wrk_to() { # file args...
	out=$1
	shift
	# shellcheck disable=SC2086
	wrk $load "$@" > "$out" 2>&1 &
	wrk_pid=$!
	pids="$pids $wrk_pid"
	wait "$wrk_pid"
	wrk_rc=$?
	# shellcheck disable=SC2086
	pids=$(printf '%s\n' $pids | grep -vx "$wrk_pid" | tr '\n' ' ')
	[ "$purdah_up" -ne 1 ] || trim_log
}

# Run wrk with the remaining arguments; output in $work/wrk.out. Sets
# rps (requests/s), p99 (ms), errs (a description, "" when none).
run_wrk() {
	wrk_to "$work/wrk.out" --latency "$@"
	parse_wrk "$work/wrk.out"
	if [ "$wrk_rc" -ne 0 ]; then
		errs="wrk exited $wrk_rc${errs:+; $errs}"
	fi
}

parse_wrk() { # file
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
	p99=$(awk '$1 == "99%" {
		v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		f = -1
		if (u == "us") f = 0.001
		else if (u == "ms") f = 1
		else if (u == "s") f = 1000
		else if (u == "m") f = 60000
		if (f > 0) printf "%.2f", v * f
	}' "$1")
	errs=$(awk '
		/Non-2xx or 3xx responses:/ { printf "%s non-2xx; ", $NF }
		/Socket errors:/ { sub(/^ *Socket errors: */, ""); printf "socket errors: %s; ", $0 }
	' "$1")
	errs=${errs%; }
	rps=${rps:-0}
	p99=${p99:-?}
	if [ "$rps" = 0 ]; then
		errs="no Requests/sec in wrk's output${errs:+; $errs}"
	fi
}

origin_hits() {
	awk '/"GET / { n++ } END { print n + 0 }' "$work/origin.log" 2>/dev/null
}

# --- the machine ----------------------------------------------------------

for tool in wrk nginx curl /usr/bin/python3; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		say "  FAIL: $tool is not installed (Debian packages wrk, nginx-light, curl, python3)"
		exit 1
	fi
done
say "  machine: $cores cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), Linux $(uname -r)"
say "  $(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//'); $(nginx -v 2>&1); $(/usr/bin/python3 --version 2>&1) (origin)"
say "  load: wrk $load --latency; ${rounds} x ${duration} s per server, best kept; memory run ${seconds} s; purdah serve.threads $threads"

# shellcheck disable=SC2046
set -- $(free_ports 3)
if [ $# -ne 3 ]; then
	say "  FAIL: no free ports on 127.0.0.1"
	exit 1
fi
nginx_port=$1
purdah_port=$2
origin_port=$3

# --- the origin: a council feed -------------------------------------------

rm -rf "$work/origin" "$work/nginx"
mkdir -p "$work/origin/feeds" "$work/nginx/tmp" || exit 70

# 20 items: the first 18 service posts without a label and two
# party-political posts (items 6 and 13), dated a day apart.
/usr/bin/python3 - "$repo/tests/corpus/posts" "$work/origin$feed_path" <<'EOF' || exit 70
import json, sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

def load(name):
    with open(f"{sys.argv[1]}/{name}", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]

service = [p for p in load("service.jsonl") if not p["labels"]][:18]
party = [p for p in load("party.jsonl") if p["labels"] == ["party"]][:2]
posts = service[:5] + party[:1] + service[5:11] + party[1:] + service[11:]
t = datetime(2027, 4, 20, 9, 30, tzinfo=timezone.utc)
items = []
for i, p in enumerate(posts):
    words = p["text"].split()
    title = " ".join(words[:9]) + (" ..." if len(words) > 9 else "")
    link = f"https://www.northbridge.gov.uk/news/2027/{p['id']}"
    items.append(f"""    <item>
      <title>{escape(title)}</title>
      <link>{link}</link>
      <guid isPermaLink="true">{link}</guid>
      <pubDate>{format_datetime(t - timedelta(days=i, hours=i % 5))}</pubDate>
      <category>News</category>
      <description>{escape("<p>" + escape(p["text"]) + "</p>")}</description>
    </item>
""")
doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Northbridge Borough Council: news</title>
    <link>https://www.northbridge.gov.uk/news</link>
    <atom:link href="https://www.northbridge.gov.uk/news/feed.xml" rel="self" type="application/rss+xml"/>
    <description>News and service updates from Northbridge Borough Council</description>
    <language>en-gb</language>
    <lastBuildDate>{format_datetime(t)}</lastBuildDate>
    <ttl>15</ttl>
{"".join(items)}  </channel>
</rss>
"""
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(doc)
EOF
feed_bytes=$(wc -c < "$work/origin$feed_path")
feed_items=$(grep -c '<item>' "$work/origin$feed_path")

cat > "$work/origin.py" <<'EOF'
# The benchmark's origin: WORKDIR/origin over HTTP/1.1 on 127.0.0.1:PORT,
# one line per request on stderr.
import functools, http.server, sys

class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".xml": "application/rss+xml"}

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))
        sys.stderr.flush()

http.server.ThreadingHTTPServer.daemon_threads = True
srv = http.server.ThreadingHTTPServer(
    ("127.0.0.1", int(sys.argv[2])),
    functools.partial(Handler, directory=sys.argv[1]))
srv.serve_forever()
EOF
/usr/bin/python3 "$work/origin.py" "$work/origin" "$origin_port" \
	> /dev/null 2> "$work/origin.log" &
origin_pid=$!
pids="$pids $origin_pid"
origin_url=http://127.0.0.1:$origin_port$feed_path
if ! wait_up "$origin_pid" "$origin_url" 10; then
	say "  FAIL: the origin (python3 http.server) did not start:"
	sed 's/^/    /' "$work/origin.log"
	exit 1
fi
ports="$ports $origin_port"
say "  origin: python3 http.server on 127.0.0.1:$origin_port, $feed_path: RSS 2.0, $feed_items items, $feed_bytes bytes"

# --- nginx: the baseline --------------------------------------------------

ng=$work/nginx
user_line=""
if [ "$(id -u)" -eq 0 ]; then
	# Workers drop to nobody: it must be able to reach and write the
	# cache and temporary directories (nginx chowns the ones it makes).
	chmod 755 "$work" "$ng"
	ngroup=$(id -gn nobody 2>/dev/null || echo nogroup)
	if runuser -u nobody -- test -x "$ng" 2>/dev/null; then
		chown nobody:"$ngroup" "$ng/tmp"
		user_line="user nobody $ngroup;"
	else
		# A WORKDIR nobody cannot reach (under /root, say).
		user_line="user root root;"
	fi
fi
cat > "$ng/nginx.conf" <<EOF
# The benchmark's baseline: a caching reverse proxy for the origin.
$user_line
worker_processes $cores;
daemon off;
master_process on;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $ng/tmp/body;
	proxy_temp_path $ng/tmp/proxy;
	fastcgi_temp_path $ng/tmp/fastcgi;
	uwsgi_temp_path $ng/tmp/uwsgi;
	scgi_temp_path $ng/tmp/scgi;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000000;
	keepalive_timeout 65s;
	proxy_cache_path $ng/cache levels=1:2 keys_zone=feeds:10m
		max_size=100m inactive=1d use_temp_path=off;
	server {
		listen 127.0.0.1:$nginx_port;
		location = /healthz {
			return 200 "ok\\n";
		}
		location / {
			proxy_pass http://127.0.0.1:$origin_port;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_cache feeds;
			proxy_cache_valid 200 1h;
			proxy_cache_lock on;
			proxy_cache_use_stale error timeout updating;
			add_header X-Cache-Status \$upstream_cache_status always;
		}
	}
}
EOF
nginx -p "$ng/" -c "$ng/nginx.conf" -e "$ng/error.log" &
nginx_pid=$!
pids="$pids $nginx_pid"
nginx_url=http://127.0.0.1:$nginx_port$feed_path
if ! wait_up "$nginx_pid" "http://127.0.0.1:$nginx_port/healthz" 10; then
	say "  FAIL: nginx did not start:"
	sed 's/^/    /' "$ng/error.log"
	exit 1
fi
ports="$ports $nginx_port"

# --- purdah serve ---------------------------------------------------------

cat > "$work/purdah.yaml" <<EOF
# purdah serve for tests/bench/serve.sh: the shipped calendars and
# lexicons, one cached feed route to the benchmark's origin.
council:
  name: Northbridge Borough Council
timezone: Europe/London
calendars: ['$repo/calendars']
lexicons: ['$repo/lexicons']
calendar_file: '$repo/calendars/elections.ics'
freeze_file: '$repo/calendars/freeze.ics'
serve:
  threads: $threads
routes:
  - path: $feed_path
    upstream: $origin_url
    class: council-post
    format: rss
    ttl: 3600
EOF
purdah_url=http://127.0.0.1:$purdah_port$feed_path
purdah_log=$work/purdah.log
check_url=http://127.0.0.1:$purdah_port/v1/check
purdah_up=0
if ! [ -x "$purdah" ]; then
	fail "no $purdah (make V=release)"
elif ! "$purdah" serve --help > /dev/null 2>&1; then
	fail "$purdah has no working 'serve' ($("$purdah" serve --help 2>&1 | head -n 1))"
else
	# The service logs a line per request on stderr: appended to
	# purdah.log, which trim_log empties after every run (a 60 s run
	# would write ~0.5 GB); the start-up lines are kept in
	# purdah-start.log.
	: > "$purdah_log"
	"$purdah" serve --config "$work/purdah.yaml" \
		--listen "127.0.0.1:$purdah_port" >> "$purdah_log" 2>&1 &
	purdah_pid=$!
	pids="$pids $purdah_pid"
	if wait_up "$purdah_pid" "http://127.0.0.1:$purdah_port/healthz" 15; then
		purdah_up=1
		ports="$ports $purdah_port"
		say "  purdah serve: pid $purdah_pid on 127.0.0.1:$purdah_port, RSS $(rss_kb "$purdah_pid") kB after start"
	else
		fail "purdah serve did not start:"
		sed 's/^/    /' "$purdah_log"
	fi
fi

trim_log() {
	[ -f "$work/purdah-start.log" ] ||
		head -n 50 "$purdah_log" > "$work/purdah-start.log"
	: > "$purdah_log"
}

# --- warm both caches and check the answers -------------------------------

# Warm a cache (two GETs), then one more GET: 0 when it is 200 and an RSS
# document. Sets code, items, bytes, fetched (origin requests meanwhile);
# headers and body in $work/NAME.*.
get_feed() { # name url
	fetched=$(origin_hits)
	curl -s -o /dev/null --max-time 10 "$2"
	curl -s -o /dev/null --max-time 10 "$2"
	code=$(curl -s -D "$work/$1.headers" -o "$work/$1.body" \
		-w '%{http_code}' --max-time 10 "$2")
	fetched=$(($(origin_hits) - fetched))
	items=$(grep -c '<item>' "$work/$1.body" 2>/dev/null)
	bytes=$(wc -c < "$work/$1.body" 2>/dev/null)
	[ "$code" = 200 ] && grep -q '<rss' "$work/$1.body" &&
		grep -q '</rss>' "$work/$1.body"
}

header() { # name field: its value in $work/NAME.headers
	tr -d '\r' < "$work/$1.headers" | sed -n "s/^$2: //ip" | head -n 1
}

nginx_ok=0
if get_feed nginx "$nginx_url"; then
	cache=$(header nginx X-Cache-Status)
	say "  nginx : 200, RSS with $items items, $bytes bytes; origin asked $fetched time(s); 3rd GET: cache ${cache:-?}"
	if [ "$cache" = HIT ]; then
		nginx_ok=1
	else
		fail "nginx: the third request was not a cache HIT (${cache:-no X-Cache-Status})"
	fi
else
	fail "nginx: $nginx_url answered $code, not the feed (see $work/nginx.body)"
fi
purdah_ok=0
if [ "$purdah_up" -eq 1 ]; then
	if get_feed purdah "$purdah_url"; then
		cache=$(header purdah X-Purdah-Cache)
		say "  purdah: 200, RSS with $items items, $bytes bytes; origin asked $fetched time(s); 3rd GET: cache ${cache:-?}; X-Purdah-Decision: $(header purdah X-Purdah-Decision)"
		if [ -z "$cache" ] || [ "$cache" = hit ]; then
			purdah_ok=1
		else
			fail "purdah: the third request was not a cache hit (X-Purdah-Cache: $cache)"
		fi
	else
		fail "purdah: $purdah_url answered $code, not the feed (see $work/purdah.body)"
	fi
	trim_log
fi

# --- 1. the cached feed route ---------------------------------------------

best() { # current candidate: the larger requests/s
	awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0) ? b : a }'
}

say "  -- cached feed route ($feed_path)"
n_rps=0
n_p99='?'
p_rps=0
p_p99='?'
# a short run each first: connections, page cache, branch predictors
[ "$nginx_ok" -eq 1 ] && wrk_to /dev/null -d2s "$nginx_url"
[ "$purdah_ok" -eq 1 ] && wrk_to /dev/null -d2s "$purdah_url"
before=$(origin_hits)
r=1
while [ "$r" -le "$rounds" ]; do
	if [ "$nginx_ok" -eq 1 ]; then
		run_wrk -d"${duration}s" "$nginx_url"
		say "  round $r nginx : $rps req/s, p99 $p99 ms${errs:+  ($errs)}"
		if [ -n "$errs" ]; then
			fail "nginx: $errs"
		elif [ "$(best "$n_rps" "$rps")" != "$n_rps" ]; then
			n_rps=$rps
			n_p99=$p99
		fi
	fi
	if [ "$purdah_ok" -eq 1 ]; then
		run_wrk -d"${duration}s" "$purdah_url"
		say "  round $r purdah: $rps req/s, p99 $p99 ms${errs:+  ($errs)}"
		if [ -n "$errs" ]; then
			fail "purdah: $errs"
		elif [ "$(best "$p_rps" "$rps")" != "$p_rps" ]; then
			p_rps=$rps
			p_p99=$p99
		fi
	fi
	r=$((r + 1))
done
after=$(origin_hits)
if [ "$after" -ne "$before" ]; then
	fail "the origin was asked $((after - before)) times during the runs: a cache did not hold"
fi

if [ "$nginx_ok" -eq 1 ]; then
	say "  baseline: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') proxy_cache: $n_rps req/s, p99 $n_p99 ms"
else
	fail "no nginx baseline"
fi
if [ "$purdah_ok" -eq 1 ]; then
	ok=$(awk -v r="$p_rps" 'BEGIN { print (r >= 10000) ? 1 : 0 }')
	[ "$ok" -eq 1 ] || status=1
	say "  purdah cached route: $p_rps req/s, p99 $p_p99 ms      target >= 10,000 req/s  $(verdict "$ok")"
	if [ "$nginx_ok" -eq 1 ]; then
		ratio=$(awk -v a="$p_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
		ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5) ? 1 : 0 }')
		[ "$ok" -eq 1 ] || status=1
		say "  purdah/nginx: ${ratio}x                           target >= 0.5 (within 2x)  $(verdict "$ok")"
	fi
else
	fail "purdah cached route: not measured"
fi

# --- 2. POST /v1/check ----------------------------------------------------

say "  -- POST /v1/check"
post='{"id":"bench-1","text":"Bin collections move by one day after the bank holiday: Monday'"'"'s round is on Tuesday, and so on to Saturday. Check your day at northbridge.gov.uk/bins.","class":"council-post","at":"2027-04-20T10:00:00Z"}'
printf '%s' "$post" > "$work/check.json"
/usr/bin/python3 - "$work/check.json" "$work/check.lua" <<'EOF' || exit 70
import json, sys
body = open(sys.argv[1], encoding="utf-8").read()
json.loads(body)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("-- POST /v1/check with one council post (tests/bench/serve.sh)\n")
    f.write('wrk.method = "POST"\n')
    f.write("wrk.body = %s\n" % json.dumps(body))
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
EOF
check_ok=0
if [ "$purdah_up" -eq 1 ]; then
	code=$(curl -s -o "$work/check.answer" -w '%{http_code}' --max-time 10 \
		-H 'Content-Type: application/json' \
		--data-binary "@$work/check.json" "$check_url")
	decision=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
if d.get("decision") in ("allow", "hold", "block"):
    print(d["decision"])
' "$work/check.answer" 2>/dev/null)
	if [ "$code" = 200 ] && [ -n "$decision" ]; then
		check_ok=1
		say "  one POST: 200, decision \"$decision\" ($(wc -c < "$work/check.answer") bytes of JSON)"
	else
		fail "POST /v1/check answered $code, not a JSON decision: $(head -c 300 "$work/check.answer" 2>/dev/null)"
	fi
fi
if [ "$check_ok" -eq 1 ]; then
	rss0=$(rss_kb "$purdah_pid")
	c_rps=0
	c_p99='?'
	r=1
	while [ "$r" -le "$rounds" ]; do
		run_wrk -d"${duration}s" -s "$work/check.lua" "$check_url"
		say "  round $r: $rps checks/s, p99 $p99 ms${errs:+  ($errs)}"
		if [ -n "$errs" ]; then
			fail "POST /v1/check: $errs"
		elif [ "$(best "$c_rps" "$rps")" != "$c_rps" ]; then
			c_rps=$rps
			c_p99=$p99
		fi
		r=$((r + 1))
	done
	ok=$(awk -v r="$c_rps" 'BEGIN { print (r >= 5000) ? 1 : 0 }')
	[ "$ok" -eq 1 ] || status=1
	say "  purdah POST /v1/check: $c_rps checks/s, p99 $c_p99 ms   target >= 5,000/s  $(verdict "$ok")"
	say "  purdah RSS: $rss0 kB before the check runs, $(rss_kb "$purdah_pid") kB after"
else
	fail "POST /v1/check: not measured"
fi

# --- 3. memory over a long run --------------------------------------------

say "  -- memory: cached route for $seconds s, purdah's VmRSS every 5 s"
if [ "$purdah_ok" -eq 1 ]; then
	# 2 s longer than the sampling, so that every sample is under load
	# shellcheck disable=SC2086
	wrk $load --latency -d"$((seconds + 2))s" "$purdah_url" \
		> "$work/wrk-memory.out" 2>&1 &
	wrk_pid=$!
	pids="$pids $wrk_pid"
	samples=""
	t=0
	while :; do
		samples="$samples $t:$(rss_kb "$purdah_pid")"
		trim_log
		[ "$t" -ge "$seconds" ] && break
		step=5
		[ $((seconds - t)) -ge 5 ] || step=$((seconds - t))
		sleep "$step"
		t=$((t + step))
	done
	wait "$wrk_pid"
	# shellcheck disable=SC2086
	pids=$(printf '%s\n' $pids | grep -vx "$wrk_pid" | tr '\n' ' ')
	trim_log
	parse_wrk "$work/wrk-memory.out"
	say "  samples (s:kB):$samples"
	say "  $rps req/s over the run, p99 $p99 ms${errs:+  ($errs)}"
	[ -z "$errs" ] || fail "memory run: $errs"
	if ! kill -0 "$purdah_pid" 2>/dev/null; then
		fail "purdah serve died during the memory run:"
		tail -n 20 "$purdah_log" | sed 's/^/    /'
	fi
	# shellcheck disable=SC2086
	# (a shorter run, while developing: from 5 s, or the first sample)
	warm=10
	[ "$seconds" -ge 15 ] || warm=5
	[ "$seconds" -ge 5 ] || warm=0
	# shellcheck disable=SC2086
	line=$(printf '%s\n' $samples | awk -F: -v warm="$warm" '
		NR == 1 { first = $2 }
		{ last = $2 }
		$1 >= warm && base == "" { base = $2 }
		$1 >= warm && $2 > peak { peak = $2 }
		END {
			if (base == "" || first == "") { print "0 no samples"; exit }
			g = peak - base
			lim = base * 0.05; if (lim < 2048) lim = 2048
			printf "%d first %d kB, %d s %d kB, last %d kB, peak from %d s %d kB: growth %+d kB (limit %d kB)\n",
				(g <= lim), first, warm, base, last, warm, peak, g, lim
		}')
	ok=${line%% *}
	[ "$ok" -eq 1 ] || status=1
	say "  purdah RSS: ${line#* }  $(verdict "$ok")"
else
	fail "memory: not measured"
fi

# --- stop everything; nothing left listening ------------------------------

cleanup
left=""
for p in $ports; do
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		left="$left $p"
	fi
done
if [ -n "$left" ]; then
	fail "still listening after the stop:$left"
else
	say "  stopped origin, nginx and purdah; nothing left listening on$ports"
fi
exit $status
