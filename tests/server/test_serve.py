"""Server tests for `purdah serve`: the real binary on 127.0.0.1, talking to
a local upstream started here (http.server), with configuration and
calendars written for the run. Python 3 standard library only.

    /usr/bin/python3 tests/server/test_serve.py BUILD_DIR

Each test is a function named for what it shows; the run prints
"ok NAME" or "FAIL NAME: why" for each, then "server: N passed, M failed".
$VG (a valgrind command line) runs the server under it, with longer waits.
"""

import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import Failure, check, run_tests  # noqa: F401 (test_review uses them)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VG = os.environ.get("VG", "").split()
SLOW = 6.0 if VG else 1.0  # how much longer things take under valgrind
BOUNDARY_IN = 40 if VG else 10  # seconds from start to the Abbey period


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# The upstream

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{title}</title>
<link>https://www.northbridge.example/</link><description>d</description>
{items}</channel></rss>
"""
ITEM = """<item><title>{t}</title><guid>https://n.example/{g}</guid>
<description>{d}</description></item>
"""


def rss(title, *items):
    return RSS.format(
        title=title,
        items="".join(ITEM.format(t=t, g=i, d=d) for i, (t, d) in enumerate(items)),
    ).encode()


COUNCILLORS = rss(
    "Councillors",
    ("Surgery moves to the library", "Monthly surgery at the library."),
    ("New crossing", "Work on the new crossing starts next week."),
)
NEWS = rss(
    "News",
    ("Bin collections", "Collections move by one day after bank holidays."),
    ("Vote Labour", "Vote Labour! Only Labour will fix the roads. #VoteLabour"),
)
PLAIN = rss("Plain", ("Library hours", "The library opens at nine."))


class Upstream:
    """Serves feeds with ETag/Last-Modified and 304s, counts requests per
    path, and can be told to fail, be slow, send too much or redirect."""

    def __init__(self):
        self.docs = {
            "/councillors.rss": COUNCILLORS,
            "/boundary.rss": COUNCILLORS,
            "/news.rss": NEWS,
            "/cached.rss": PLAIN,
            "/flaky.rss": PLAIN,
            "/slow.rss": PLAIN,
            "/drain.rss": PLAIN,
            "/forum.rss": PLAIN,
            "/big.rss": rss("Big", *[("Item %d" % i, "x" * 200) for i in range(60)]),
            "/broken.rss": b"<rss version='2.0'><channel><item><title>unclosed",
            "/docs/a.txt": b"Opening hours: nine to five.\n",
            "/new.rss": PLAIN,
        }
        self.hits = {}
        self.posts = []
        self.fail = set()  # paths answered 500
        self.slow = {}  # path -> seconds
        self.lock = threading.Lock()
        up = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def send(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                path = self.path
                with up.lock:
                    up.hits[path] = up.hits.get(path, 0) + 1
                    fail = path in up.fail
                    slow = up.slow.get(path, 0)
                if slow:
                    time.sleep(slow)
                if fail:
                    return self.send(500, b"boom")
                if path == "/redirect-other":
                    return self.send(302, b"", [("Location", "http://localhost:%d/news.rss" % up.port)])
                if path == "/redirect-same":
                    return self.send(302, b"", [("Location", "/news.rss")])
                body = up.docs.get(path.split("?")[0])
                if body is None:
                    return self.send(404, b"no")
                etag = '"%x"' % (hash(body) & 0xFFFFFFFF)
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, b"", [("ETag", etag)])
                ctype = "text/plain" if path.endswith(".txt") else "application/rss+xml"
                self.send(200, body, [("Content-Type", ctype), ("ETag", etag),
                                      ("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")])

            def do_write(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with up.lock:
                    up.posts.append((self.command, self.path, body))
                self.send(201, b"thanks", [("Content-Type", "text/plain")])

            do_POST = do_PUT = do_PATCH = do_DELETE = do_write

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        # Cut-off transfers (the size and timeout tests) are expected.
        self.server.handle_error = lambda *a: None
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def total(self):
        with self.lock:
            return sum(self.hits.values())

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------
# Configuration and calendars


def ics_time(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def vevent(uid, name, kind, start, end, area):
    return (
        "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n"
        "SUMMARY:%s\r\nCATEGORIES:%s\r\n%sEND:VEVENT\r\n"
        % (uid, ics_time(start), ics_time(start), ics_time(end), name, kind,
           "X-PURDAH-AREA:%s\r\n" % area if area else "")
    )


def calendar(*events):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//purdah tests//EN\r\n"
            + "".join(events) + "END:VCALENDAR\r\n")


def route(path, up, cls, area=None, **kw):
    r = {"path": path, "upstream": up, "class": cls}
    if area:
        r["area"] = area
    r.update(kw)
    return r


def yaml_value(v):
    if isinstance(v, list):
        return "[" + ", ".join(yaml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    return str(v)


def config_text(dirname, routes, watch=1):
    lines = [
        "council:",
        "  name: Test Borough Council",
        "  areas: [Abbey, Castle, Millfield]",
        "calendars: [%s]" % json.dumps(os.path.join(dirname, "calendars")),
        "lexicons: [%s]" % json.dumps(os.path.join(REPO, "lexicons")),
        "serve:",
        "  threads: 2",
        "  watch: %s" % watch,
        "  max_body_bytes: 4096",
        "routes:",
    ]
    for r in routes:
        lines.append("  - {" + ", ".join("%s: %s" % (k, yaml_value(v)) for k, v in r.items()) + "}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The server


class Purdah:
    def __init__(self, binary, config, port):
        self.port = port
        self.log_path = config + ".log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            VG + [binary, "--config", config, "serve", "--listen", "127.0.0.1:%d" % port],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            try:
                if get(self, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
        raise RuntimeError("purdah serve did not start: " + self.text())

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, wait=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(wait * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def request(srv, method, path, headers=None, body=None, timeout=None):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout or 20 * SLOW)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def get(srv, path, headers=None):
    return request(srv, "GET", path, headers)


def raw(srv, data):
    """Send raw bytes; the status code of the answer (0: none)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10 * SLOW) as s:
        s.sendall(data)
        out = b""
        while b"\r\n" not in out:
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk
    m = re.match(rb"HTTP/1\.[01] (\d{3})", out)
    return int(m.group(1)) if m else 0


# --------------------------------------------------------------------------
# The tests (in order: they share one server and one upstream)

T = {}  # shared state: "srv", "up", "dir", "config", "start"


def U(path):
    return "http://127.0.0.1:%d%s" % (T["up"].port, path)


def routes_v1():
    return [
        route("/feeds/councillors-castle.rss", U("/councillors.rss"), "councillor-feed", "Castle"),
        route("/feeds/councillors-millfield.rss", U("/councillors.rss"), "councillor-feed", "Millfield"),
        route("/feeds/boundary.rss", U("/boundary.rss"), "councillor-feed", "Abbey", ttl=600),
        route("/feeds/news.rss", U("/news.rss"), "council-post", "Millfield"),
        route("/feeds/cached.rss", U("/cached.rss"), "council-post", "Millfield", ttl=1),
        route("/feeds/flaky.rss", U("/flaky.rss"), "council-post", "Millfield", ttl=1, stale=3),
        route("/feeds/big.rss", U("/big.rss"), "council-post", "Millfield", max_bytes=4000),
        route("/feeds/slow.rss", U("/slow.rss"), "council-post", "Millfield", timeout=1),
        route("/feeds/drain.rss", U("/drain.rss"), "council-post", "Millfield", timeout=10 * SLOW),
        route("/feeds/broken.rss", U("/broken.rss"), "council-post", "Millfield", format="rss"),
        route("/feeds/redirect-other.rss", U("/redirect-other"), "council-post", "Millfield"),
        route("/feeds/redirect-same.rss", U("/redirect-same"), "council-post", "Millfield"),
        route("/forum/castle.rss", U("/forum.rss"), "forum", "Castle"),
        route("/forum/millfield.rss", U("/forum.rss"), "forum", "Millfield"),
        route("/docs/", U("/docs/"), "council-post", "Millfield", format="text"),
    ]


def test_routes_serve_filtered_feeds():
    st, h, body = get(T["srv"], "/feeds/councillors-millfield.rss")
    check(st == 200, "status %d" % st)
    check(h.get("x-purdah-decision") == "allow", "decision %r" % h.get("x-purdah-decision"))
    check(body == COUNCILLORS, "an allowed feed is passed byte for byte")
    st, h, body = get(T["srv"], "/feeds/news.rss")
    check(st == 200 and b"Vote Labour" not in body and b"Bin collections" in body,
          "the party-political item is removed")
    check(h.get("x-purdah-decision", "").startswith("hold; reason=party-political; removed=1"),
          "decision %r" % h.get("x-purdah-decision"))
    check(h.get("etag") and "max-age=" in h.get("cache-control", ""), "ETag and Cache-Control")


def test_period_suspends_councillor_feed():
    st, h, body = get(T["srv"], "/feeds/councillors-castle.rss")
    check(st == 200, "status %d" % st)
    d = h.get("x-purdah-decision", "")
    check(d.startswith("block; reason=councillor-feed-suspended"), "decision %r" % d)
    check("until=" in d, "until in %r" % d)
    check(b"Surgery" not in body and b"<item>" in body, "items replaced by one notice")


def test_unknown_paths_404():
    before = T["up"].total()
    for p in ["/", "/nope", "/feeds/", "/feeds/news.rss/", "/FEEDS/news.rss", "/v1/other",
              "/feeds/%6eews.rss"]:
        st, _, body = get(T["srv"], p)
        check(st == 404, "%s: status %d" % (p, st))
        check(b"<script" not in body, "a neutral page")
    check(T["up"].total() == before, "the upstream was not asked")


def test_no_open_proxy():
    srv, up = T["srv"], T["up"]
    before = up.total()
    target = "http://127.0.0.1:%d/news.rss" % up.port
    for req in [
        "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % (target, up.port),
        "GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        "CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (up.port, up.port),
        "GET //127.0.0.1:%d/news.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % up.port,
    ]:
        st = raw(srv, req.encode())
        check(st in (400, 404, 405), "%r: status %d" % (req.split("\r\n")[0], st))
    st, _, _ = get(srv, "/nope", {"Host": "127.0.0.1:%d" % up.port})
    check(st == 404, "a Host naming the upstream: status %d" % st)
    st, h, body = get(srv, "/feeds/news.rss", {"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    check(st == 200 and b"Bin collections" in body, "Host is ignored: the route still serves its own upstream")
    check(up.total() == before, "no request reached the upstream (%d)" % (up.total() - before))


def test_dot_segments_refused():
    srv, up = T["srv"], T["up"]
    st, _, body = get(srv, "/docs/a.txt")
    check(st == 200 and body == b"Opening hours: nine to five.\n", "a prefix route serves: %d %r" % (st, body))
    before = up.total()
    for p in ["/docs/../news.rss", "/docs/%2e%2e/news.rss", "/docs/%2E%2E%2Fnews.rss", "/docs/a/..%2fx",
              "/docs/.%2e/x", "/docs//etc/passwd", "/docs/a%5c..%5cx", "/docs/./a.txt", "/docs/..",
              "/docs/%00a", "/docs/a\\..\\x"]:
        st = raw(srv, ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % p).encode())
        check(st in (400, 404), "%s: status %d" % (p, st))
    check(up.total() == before, "the upstream was not asked")


def test_cache_hit_needs_no_upstream():
    srv, up = T["srv"], T["up"]
    get(srv, "/feeds/news.rss")
    n = up.count("/news.rss")
    for _ in range(5):
        st, h, _ = get(srv, "/feeds/news.rss")
        check(st == 200 and h.get("x-purdah-cache") == "hit", "cache %r" % h.get("x-purdah-cache"))
    check(up.count("/news.rss") == n, "the upstream was asked again")
    st, h, _ = get(srv, "/feeds/news.rss")
    st2, h2, body2 = get(srv, "/feeds/news.rss", {"If-None-Match": h["etag"]})
    check(st2 == 304 and body2 == b"", "If-None-Match with our ETag: %d" % st2)


def test_revalidation_with_304():
    srv, up = T["srv"], T["up"]
    st, h, _ = get(srv, "/feeds/cached.rss")
    check(st == 200 and h.get("x-purdah-cache") == "miss", "first: %r" % h.get("x-purdah-cache"))
    time.sleep(1.3)
    st, h, body = get(srv, "/feeds/cached.rss")
    check(st == 200 and h.get("x-purdah-cache") == "revalidated", "after ttl: %r" % h.get("x-purdah-cache"))
    check(body == PLAIN, "the cached body is served")
    check(up.count("/cached.rss") == 2, "two upstream requests, not %d" % up.count("/cached.rss"))


def test_stale_on_error_then_502():
    srv, up = T["srv"], T["up"]
    st, h, _ = get(srv, "/feeds/flaky.rss")
    check(st == 200, "first: %d" % st)
    up.fail.add("/flaky.rss")
    time.sleep(1.3)
    st, h, body = get(srv, "/feeds/flaky.rss")
    check(st == 200 and h.get("x-purdah-cache") == "stale", "in the stale window: %d %r" % (st, h.get("x-purdah-cache")))
    check(body == PLAIN, "the last good copy")
    time.sleep(3.2)
    st, h, body = get(srv, "/feeds/flaky.rss")
    check(st == 502, "after the stale window: %d" % st)
    check(b"temporarily unavailable" in body and b"boom" not in body, "a neutral page")
    up.fail.discard("/flaky.rss")


def test_oversized_upstream_502():
    st, _, body = get(T["srv"], "/feeds/big.rss")
    check(st == 502, "status %d" % st)
    check(b"Item 1" not in body, "nothing of the upstream's body")
    check("over 4000 bytes" in T["srv"].text(), "the log says why")


def test_slow_upstream_times_out():
    T["up"].slow["/slow.rss"] = 3
    t0 = time.time()
    st, _, _ = get(T["srv"], "/feeds/slow.rss")
    took = time.time() - t0
    check(st == 502, "status %d" % st)
    check(took < 2.5 * SLOW, "answered after %.1f s (timeout 1 s)" % took)
    del T["up"].slow["/slow.rss"]


def test_unparseable_upstream_is_never_passed():
    st, _, body = get(T["srv"], "/feeds/broken.rss")
    check(st == 502 and b"unclosed" not in body, "status %d" % st)


def test_redirect_to_other_host_not_followed():
    srv, up = T["srv"], T["up"]
    n = up.count("/news.rss")
    st, _, _ = get(srv, "/feeds/redirect-other.rss")
    check(st == 502, "status %d" % st)
    check("not followed" in srv.text(), "the log says why")
    st, _, body = get(srv, "/feeds/redirect-same.rss")
    check(st == 200 and b"Bin collections" in body, "same-host redirect followed: %d" % st)
    check(up.count("/news.rss") == n + 1, "only the same-host redirect reached /news.rss")


def test_forum_closed_in_period():
    srv, up = T["srv"], T["up"]
    st, h, _ = get(srv, "/forum/castle.rss")
    check(st == 200, "GET passes: %d" % st)
    posts = len(up.posts)
    for m in ["POST", "PUT", "PATCH", "DELETE"]:
        st, h, body = request(srv, m, "/forum/castle.rss", {"Content-Type": "text/plain"}, b"My comment")
        check(st == 403, "%s: status %d" % (m, st))
        check(b"Comments are closed" in body and b"until" in body, "%s: a notice saying why and until when" % m)
        check(h.get("x-purdah-decision", "").startswith("block; reason=forum-closed"), "decision header")
    check(len(up.posts) == posts, "nothing reached the upstream")
    st, h, _ = request(srv, "OPTIONS", "/forum/castle.rss")
    check(st == 405 and "POST" in h.get("allow", ""), "OPTIONS: %d" % st)


def test_forum_open_outside_period():
    srv, up = T["srv"], T["up"]
    st, h, body = request(srv, "POST", "/forum/millfield.rss", {"Content-Type": "text/plain"}, b"More benches")
    check(st == 201 and body == b"thanks", "status %d %r" % (st, body))
    check(up.posts and up.posts[-1] == ("POST", "/forum.rss", b"More benches"), "the upstream got the body")
    st, _, _ = request(srv, "POST", "/forum/millfield.rss", {"Content-Type": "text/plain"}, b"x" * 5000)
    check(st == 413, "a body over max_body_bytes: %d" % st)
    st, h, _ = request(srv, "POST", "/feeds/news.rss", {}, b"x")
    check(st == 405 and h.get("allow") == "GET, HEAD", "a feed route refuses writes: %d" % st)


def test_api_check():
    srv = T["srv"]
    hdr = {"Content-Type": "application/json"}
    cases = [({"id": 1, "text": "Bin collections move to Tuesday."}, "allow"),
             ({"id": "b", "text": "Vote Labour on Thursday!"}, "hold"),
             ({"id": 3, "text": "My update", "class": "councillor-feed", "area": "Castle"}, "block")]
    for rec, want in cases:
        st, h, body = request(srv, "POST", "/v1/check", hdr, json.dumps(rec).encode())
        check(st == 200, "status %d %r" % (st, body[:200]))
        j = json.loads(body)
        check(j["decision"] == want and j["id"] == rec["id"], "%r: %r" % (rec, j["decision"]))
    for bad in [b"{", b"[]", b'{"text": 1}', b'{"text": "x", "colour": "red"}',
                b'{"text": "x", "area": "Narnia"}']:
        st, _, body = request(srv, "POST", "/v1/check", hdr, bad)
        check(st == 400 and "error" in json.loads(body), "%r: status %d" % (bad, st))
    st, _, _ = request(srv, "POST", "/v1/check", {"Content-Type": "text/plain"}, b'{"text": "x"}')
    check(st == 415, "not JSON: %d" % st)
    st, _, _ = request(srv, "GET", "/v1/check")
    check(st == 405, "GET: %d" % st)
    st, _, _ = request(srv, "POST", "/v1/check", hdr, b'{"text": "' + b"a" * 5000 + b'"}')
    check(st == 413, "too big: %d" % st)


def test_api_status_and_health():
    srv = T["srv"]
    st, _, body = get(srv, "/v1/status?area=Castle")
    j = json.loads(body)
    check(st == 200 and j["area"] == "Castle" and len(j["active"]) == 1, "status: %r" % body[:200])
    st, _, body = get(srv, "/v1/status?at=2020-01-01&area=Millfield")
    j = json.loads(body)
    check(st == 200 and j["active"] == [] and j["at"].startswith("2020-01-01"), "at: %r" % body[:200])
    st, _, _ = get(srv, "/v1/status?at=yesterday")
    check(st == 400, "a bad time: %d" % st)
    st, _, _ = get(srv, "/v1/status?area=Narnia")
    check(st == 400, "an unknown area: %d" % st)
    st, _, body = get(srv, "/healthz")
    check(st == 200 and body.startswith(b"ok generation=1"), "healthz: %r" % body)


def test_metrics():
    st, h, body = get(T["srv"], "/metrics")
    text = body.decode()
    check(st == 200 and h["content-type"].startswith("text/plain"), "status %d" % st)
    for want in ['purdah_requests_total{route="/feeds/news.rss",method="GET",code="200"}',
                 'purdah_decisions_total{class="councillor-feed",decision="block"}',
                 'purdah_decisions_total{class="council-post",decision="hold"}',
                 'purdah_upstream_errors_total{route="/feeds/flaky.rss"}',
                 'purdah_upstream_latency_seconds_bucket{route="/feeds/news.rss",le="+Inf"}',
                 'purdah_cache_hits_total{route="/feeds/news.rss",kind="hit"}',
                 "# TYPE purdah_upstream_latency_seconds histogram"]:
        check(want in text, "missing %s" % want)


def test_logs_one_line_per_request_and_decision():
    text = T["srv"].text()
    check(re.search(r"^purdah: GET /feeds/news\.rss 200 \d+ [\d.]+ms cache=hit decision=hold", text, re.M),
          "a request line")
    check(re.search(r"^purdah: decision route=/feeds/news\.rss class=council-post decision=hold", text, re.M),
          "a decision line")


def test_period_boundary_not_yet():
    st, h, body = get(T["srv"], "/feeds/boundary.rss")
    check(time.time() < T["boundary"], "the period began before the test (slow start)")
    check(st == 200 and h.get("x-purdah-decision") == "allow", "before: %r" % h.get("x-purdah-decision"))
    check(body == COUNCILLORS, "the feed as it is")
    T["boundary_hits"] = T["up"].count("/boundary.rss")


def test_period_boundary_flips_without_reload():
    srv, up = T["srv"], T["up"]
    time.sleep(max(0, T["boundary"] - time.time()) + 0.05)
    st, h, body = get(srv, "/feeds/boundary.rss")
    check(h.get("x-purdah-decision", "").startswith("block; reason=councillor-feed-suspended"),
          "after: %r" % h.get("x-purdah-decision"))
    check(b"Surgery" not in body, "the feed is suspended")
    check(up.count("/boundary.rss") == T.get("boundary_hits"),
          "no new upstream request (filtered again from the cache)")
    check(get(srv, "/healthz")[2].startswith(b"ok generation=1"), "no reload happened")


def test_sighup_broken_config_keeps_serving():
    srv = T["srv"]
    with open(T["config"]) as f:
        good = f.read()
    T["good_config"] = good
    with open(T["config"], "w") as f:
        f.write(good + "routes: [this is: not valid\n")
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10 * SLOW
    while "reload refused" not in srv.text() and time.time() < deadline:
        time.sleep(0.05)
    check(re.search(r"^purdah: reload refused: .*purdah\.yaml", srv.text(), re.M), "no 'reload refused' line")
    st, h, _ = get(srv, "/feeds/news.rss")
    check(st == 200 and h.get("x-purdah-decision", "").startswith("hold"), "still serving: %d" % st)
    check(get(srv, "/healthz")[2].startswith(b"ok generation=1"), "the old world serves")


def test_sighup_good_config_adds_route():
    srv = T["srv"]
    routes = routes_v1() + [route("/feeds/new.rss", U("/new.rss"), "council-post", "Millfield")]
    with open(T["config"], "w") as f:
        f.write(config_text(T["dir"], routes))
    check(get(srv, "/feeds/new.rss")[0] == 404, "not yet")
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10 * SLOW
    st = 0
    while time.time() < deadline:
        st = get(srv, "/feeds/new.rss")[0]
        if st == 200:
            break
        time.sleep(0.05)
    check(st == 200, "the new route: %d" % st)
    check("reloaded: generation" in srv.text(), "a 'reloaded' line")


def test_freeze_file_reloads_without_signal():
    srv = T["srv"]
    now = time.time()
    with open(os.path.join(T["dir"], "calendars", "freeze.ics"), "w") as f:
        f.write(calendar(vevent("freeze-1@test", "Emergency", "FREEZE", now - 60, now + 3600, None)))
    deadline = time.time() + 10 * SLOW
    d = ""
    while time.time() < deadline:
        d = get(srv, "/feeds/councillors-millfield.rss")[1].get("x-purdah-decision", "")
        if "freeze" in d:
            break
        time.sleep(0.1)
    check(d.startswith("hold; reason=freeze"), "after the freeze file appeared: %r" % d)


def test_sigterm_drains_and_exits_0():
    srv, up = T["srv"], T["up"]
    up.slow["/drain.rss"] = 1.5
    result = {}

    def slow_request():
        try:
            result["r"] = get(srv, "/feeds/drain.rss")
        except Exception as e:  # noqa: BLE001
            result["e"] = e

    th = threading.Thread(target=slow_request)
    th.start()
    deadline = time.time() + 5 * SLOW
    while up.count("/drain.rss") == 0 and time.time() < deadline:
        time.sleep(0.02)
    code = srv.stop(signal.SIGTERM)
    th.join(10 * SLOW)
    check("r" in result and result["r"][0] == 200, "the in-flight request: %r" % result)
    check(code == 0, "exit status %s" % code)
    check("stopped" in srv.text(), "a 'stopped' line")


TESTS = [
    test_period_boundary_not_yet,
    test_routes_serve_filtered_feeds,
    test_period_suspends_councillor_feed,
    test_unknown_paths_404,
    test_no_open_proxy,
    test_dot_segments_refused,
    test_cache_hit_needs_no_upstream,
    test_revalidation_with_304,
    test_stale_on_error_then_502,
    test_oversized_upstream_502,
    test_slow_upstream_times_out,
    test_unparseable_upstream_is_never_passed,
    test_redirect_to_other_host_not_followed,
    test_forum_closed_in_period,
    test_forum_open_outside_period,
    test_api_check,
    test_api_status_and_health,
    test_metrics,
    test_logs_one_line_per_request_and_decision,
    test_period_boundary_flips_without_reload,
    test_sighup_broken_config_keeps_serving,
    test_sighup_good_config_adds_route,
    test_freeze_file_reloads_without_signal,
    test_sigterm_drains_and_exits_0,
]


def main():
    if len(sys.argv) != 2:
        print("usage: test_serve.py BUILD_DIR", file=sys.stderr)
        return 64
    # `purdah serve` execs purdah-serve from its own directory; under
    # valgrind the server itself is started, so that valgrind watches it.
    binary = os.path.join(os.path.abspath(sys.argv[1]),
                          "purdah-serve" if VG else "purdah")
    with tempfile.TemporaryDirectory(prefix="purdah-server.") as d:
        T["dir"] = d
        T["start"] = time.time()
        os.mkdir(os.path.join(d, "calendars"))
        now = T["start"]
        T["boundary"] = int(now) + BOUNDARY_IN  # a whole second, as in the file
        with open(os.path.join(d, "calendars", "elections.ics"), "w") as f:
            f.write(calendar(
                vevent("castle-1@test", "Castle ward by-election", "BY-ELECTION",
                       now - 86400, now + 30 * 86400, "Castle"),
                vevent("abbey-1@test", "Abbey ward by-election", "BY-ELECTION",
                       T["boundary"], now + 30 * 86400, "Abbey")))
        T["up"] = Upstream()
        T["config"] = os.path.join(d, "purdah.yaml")
        with open(T["config"], "w") as f:
            f.write(config_text(d, routes_v1()))
        try:
            T["srv"] = Purdah(binary, T["config"], free_port())
        except RuntimeError as e:
            print("FAIL start: %s" % e)
            print("server: 0 passed, %d failed" % len(TESTS))
            return 1
        passed, failed = run_tests(
            TESTS, T["srv"], T["up"],
            lambda code: "FAIL valgrind: exit status %s" % code if VG else None)
    print("server: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
