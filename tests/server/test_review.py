"""Server tests for the review pages of `purdah serve` (/review), the review
API (GET /v1/items/ID, POST /v1/check recording) and the proxy's recording
of what it filters out: the real binary on 127.0.0.1 with a store, users and
calendars made for the run, and a local upstream. Python 3 standard
library only; the helpers of test_serve.py are reused.

    /usr/bin/python3 tests/server/test_review.py BUILD_DIR

Prints "ok NAME" or "FAIL NAME: why" per test, then
"review: N passed, M failed". $VG (a valgrind command line) runs the
server under it.
"""

import csv
import http.client
import http.server
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as ts  # noqa: E402

REPO = ts.REPO
VG = ts.VG
SLOW = ts.SLOW
check = ts.check
Failure = ts.Failure

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HELD = "Vote Labour on Thursday! Only Labour will fix the roads."
PASSWORDS = {"molly": "molly-password-1", "carla": "carla-password-1",
             "vera": "vera-password-1", "ratty": "ratty-password-1"}
ROLES = {"molly": "monitoring", "carla": "comms", "vera": "viewer", "ratty": "monitoring"}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}
LOGIN_FAILURES = 4  # review.login_failures


# --------------------------------------------------------------------------
# HTTP with every header kept (Set-Cookie repeats)

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # [(name lower, value)]
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def cookies(self):
        """{name: full Set-Cookie value}"""
        return {v.split("=", 1)[0]: v for k, v in self.headers if k == "set-cookie"}

    def text(self):
        return self.body.decode("utf-8", "replace")


def req(method, path, body=None, cookie=None, headers=None, srv=None):
    srv = srv or T["srv"]
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if isinstance(body, dict) or isinstance(body, list):
        body = urllib.parse.urlencode(body).encode()
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30 * SLOW)
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return Resp(r.status, [(k.lower(), v) for k, v in r.getheaders()], data)
    finally:
        c.close()


def api_check(rec, srv=None):
    r = req("POST", "/v1/check", json.dumps(rec).encode(), headers={"Content-Type": "application/json"},
            srv=srv)
    return r.status, (json.loads(r.body) if r.body.startswith(b"{") else None)


def item(i):
    r = req("GET", "/v1/items/%d" % i)
    check(r.status == 200, "GET /v1/items/%d: %d" % (i, r.status))
    return json.loads(r.body)


def csrf_of(page):
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text())
    check(m, "no csrf field on the page")
    return m.group(1)


class Session:
    """A logged-in user: the cookie and the csrf token of its pages."""

    def __init__(self, name, password=None, xfp=None):
        self.name = name
        r = login(name, password or PASSWORDS[name], xfp=xfp)
        check(r.status == 303 and r.header("location") == "/review",
              "login %s: %d %s" % (name, r.status, r.text()[:300]))
        self.set_cookie = r.cookies().get("purdah_session", "")
        m = re.match(r"purdah_session=([0-9a-f]{64});", self.set_cookie)
        check(m, "no session cookie: %r" % self.set_cookie)
        self.cookie = "purdah_session=" + m.group(1)
        page = self.get("/review")
        check(page.status == 200, "queue after login: %d" % page.status)
        self.csrf = csrf_of(page)

    def get(self, path):
        return req("GET", path, cookie=self.cookie)

    def post(self, path, fields, csrf=True):
        f = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf:
            f.append(("csrf", self.csrf))
        return req("POST", path, f, cookie=self.cookie)


def login(name, password, xfp=None):
    h = {"X-Forwarded-Proto": xfp} if xfp else {}
    page = req("GET", "/review/login", headers=h)
    check(page.status == 200, "login page: %d" % page.status)
    tok = re.match(r"purdah_login=([0-9a-f]{64});", page.cookies().get("purdah_login", ""))
    check(tok, "no purdah_login cookie")
    check(csrf_of(page) == tok.group(1), "the form's csrf is the cookie's")
    return req("POST", "/review/login", {"csrf": tok.group(1), "user": name, "password": password},
               cookie="purdah_login=" + tok.group(1), headers=h)


def no_markup(body, what):
    low = body.lower()
    check(b"<script" not in low and b"<img" not in low, "%s: raw markup from the payload" % what)
    check(b"onerror=alert" not in low or b"&lt;img" in low, "%s: an unescaped attribute" % what)


def export_rows(sess, query="status="):
    r = sess.get("/review/export.csv?" + query)
    check(r.status == 200, "export: %d" % r.status)
    return list(csv.DictReader(io.StringIO(r.text())))


# --------------------------------------------------------------------------
# The upstream: one feed whose body the tests change

class Upstream:
    def __init__(self):
        self.body = ts.NEWS
        self.hits = 0
        up = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                up.hits += 1
                body = up.body
                etag = '"%x"' % (hash(body) & 0xFFFFFFFF)
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def config_text(d, store_path):
    return "\n".join([
        "council:",
        "  name: Test Borough Council",
        "  areas: [Abbey, Castle, Millfield]",
        "calendars: [%s]" % json.dumps(os.path.join(d, "calendars")),
        "freeze_file: %s" % json.dumps(os.path.join(d, "calendars", "freeze.ics")),
        "lexicons: [%s]" % json.dumps(os.path.join(REPO, "lexicons")),
        "store:",
        "  path: %s" % json.dumps(store_path),
        "review:",
        "  password_cost: min",
        "  login_failures: %d" % LOGIN_FAILURES,
        "  login_window: 900",
        "  page_size: 3",
        "serve:",
        "  threads: 2",
        "  watch: 1",
        "  max_body_bytes: 65536",
        "routes:",
        "  - {path: /feeds/news.rss, upstream: %s, class: council-post, area: Millfield, ttl: 1}"
        % json.dumps("http://127.0.0.1:%d/news.rss" % T["up"].port),
        "",
    ])


# --------------------------------------------------------------------------
# The tests (in order: they share one server)

T = {}


def test_style_is_public_and_pages_need_login():
    r = req("GET", "/review/style.css")
    check(r.status == 200 and r.header("content-type").startswith("text/css"), "style.css: %d" % r.status)
    check(b"focus" in r.body and b"@media" in r.body, "focus outlines and a narrow layout")
    for p in ["/review", "/review/items/1", "/review/audit", "/review/export.csv", "/review/nope"]:
        r = req("GET", p)
        check(r.status == 303 and r.header("location") == "/review/login", "%s: %d %r" % (p, r.status, r.header("location")))
    for p in ["/review/bulk", "/review/items/1/decide", "/review/freeze", "/review/logout"]:
        r = req("POST", p, {"action": "approve", "id": "1"})
        check(r.status == 303 and r.header("location") == "/review/login", "POST %s: %d" % (p, r.status))
    bogus = "purdah_session=" + "ab" * 32
    r = req("GET", "/review", cookie=bogus)
    check(r.status == 303, "an unknown session token: %d" % r.status)


def test_login_page_form_and_cookie():
    r = req("GET", "/review/login")
    page = r.text()
    for want in ['<form id="login" method="post" action="/review/login">',
                 '<label for="user">User name</label>', '<input id="user" name="user"',
                 '<label for="password">Password</label>', 'id="password" name="password" type="password"',
                 '<button type="submit">Log in</button>', 'href="/review/style.css"']:
        check(want in page, "missing %s" % want)
    c = r.cookies().get("purdah_login", "")
    for flag in ["Path=/review", "HttpOnly", "SameSite=Strict"]:
        check(flag in c, "purdah_login lacks %s: %r" % (flag, c))
    check("Secure" not in c, "no Secure without TLS (auto)")


def test_login_wrong_password_401():
    r = login("molly", "not-the-password")
    check(r.status == 401, "status %d" % r.status)
    check('<p class="error" role="alert">Wrong user name or password.</p>' in r.text(), "the message")
    check('<form id="login"' in r.text(), "the form again")
    check("purdah_session" not in r.cookies(), "no session")


def test_login_sets_session_cookie_flags():
    s = Session("molly")
    c = s.set_cookie
    for flag in ["Path=/review", "HttpOnly", "SameSite=Strict"]:
        check(flag in c, "session cookie lacks %s: %r" % (flag, c))
    check("Secure" not in c, "Secure without TLS: %r" % c)
    check("Max-Age" not in c and "Expires" not in c, "a session cookie (no Max-Age): %r" % c)
    T["molly"] = s
    T["carla"] = Session("carla")
    T["vera"] = Session("vera")


def test_secure_cookie_behind_tls_proxy():
    r = login("molly", PASSWORDS["molly"], xfp="https")
    check(r.status == 303, "status %d" % r.status)
    c = r.cookies().get("purdah_session", "")
    check("; Secure" in c and "HttpOnly" in c and "SameSite=Strict" in c, "cookie %r" % c)


def test_security_headers_on_every_review_answer():
    s = T["molly"]
    answers = {"login": req("GET", "/review/login"), "redirect": req("GET", "/review"),
               "queue": s.get("/review"), "audit": s.get("/review/audit"),
               "404": s.get("/review/nope"), "css": req("GET", "/review/style.css")}
    for name, r in answers.items():
        for k, v in SECURITY_HEADERS.items():
            check(r.header(k) == v, "%s: %s is %r" % (name, k, r.header(k)))
    check(answers["404"].status == 404, "404: %d" % answers["404"].status)
    check(b"<script" not in answers["queue"].body.lower(), "no script on the page")


def test_api_check_records_holds():
    st, j = api_check({"id": "a-1", "text": HELD, "account": "@council"})
    check(st == 200 and j["decision"] == "hold", "status %d %r" % (st, j))
    check(isinstance(j.get("item_id"), int) and j.get("item_new") is True, "item_id/item_new: %r" % j)
    T["held"] = j["item_id"]
    st, j2 = api_check({"id": "a-1", "text": HELD, "account": "@council", "at": j["at"]})
    check(j2.get("item_id") == T["held"] and j2.get("item_new") is False,
          "the same content, account and time is one item: %r" % j2)
    st, j = api_check({"id": 2, "text": "The library opens at nine."})
    check(st == 200 and j["decision"] == "allow" and "item_id" not in j, "an allow is not recorded: %r" % j)
    st, j = api_check({"id": 3, "text": "My update", "class": "councillor-feed", "area": "Castle"})
    check(st == 200 and j["decision"] == "block" and j.get("item_id"), "a block is recorded: %r" % j)
    T["blocked"] = j["item_id"]


def test_concurrent_checks_use_the_pool():
    """Many holds at once: each worker takes its own store connection."""
    results = {}

    def one(i):
        try:
            results[i] = api_check({"id": "c-%d" % i, "text": "Vote Labour! Concurrent item %d" % i})
        except Exception as e:  # noqa: BLE001
            results[i] = (0, str(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60 * SLOW)
    ids = set()
    for i in range(24):
        st, j = results.get(i, (0, None))
        check(st == 200 and isinstance(j, dict) and j.get("item_new") is True, "request %d: %r %r" % (i, st, j))
        ids.add(j["item_id"])
    check(len(ids) == 24, "24 distinct items: %d" % len(ids))


def test_api_items():
    j = item(T["held"])
    check(j["id"] == T["held"] and j["status"] == "pending" and j["source"] == "api", "%r" % j)
    check(j["origin"] == "a-1" and j["account"] == "@council" and j["text"] == HELD, "%r" % j)
    r = req("GET", "/v1/items/999999")
    check(r.status == 404 and "error" in json.loads(r.body), "none: %d" % r.status)
    for bad in ["0", "x", "-1", "01", "1.5", "99999999999999999999999"]:
        r = req("GET", "/v1/items/" + bad)
        check(r.status == 400 and "error" in json.loads(r.body), "%s: %d" % (bad, r.status))
    r = req("POST", "/v1/items/1")
    check(r.status == 405, "POST: %d" % r.status)


def test_queue_lists_and_filters():
    s = T["molly"]
    page = s.get("/review").text()
    check('<form id="filters" method="get" action="/review">' in page, "the filter form")
    check('<tr data-id="%d">' % T["held"] in page, "the held item is listed")
    check('<a href="/review/items/%d">#%d</a>' % (T["held"], T["held"]) in page, "its link")
    check('aria-label="Select item %d"' % T["held"] in page, "a checkbox for monitoring")
    check('<form id="bulk" method="post" action="/review/bulk">' in page, "the bulk form")
    page = s.get("/review?status=&class=councillor-feed").text()
    check('data-id="%d"' % T["blocked"] in page and 'data-id="%d"' % T["held"] not in page, "class filter")
    page = s.get("/review?status=&q=fix+the+roads").text()
    check('data-id="%d"' % T["held"] in page and 'data-id="%d"' % T["blocked"] not in page, "text search")
    page = s.get("/review?status=approved").text()
    check('<p id="empty">No items match.</p>' in page, "an empty result")
    page = T["vera"].get("/review").text()
    check('data-id="%d"' % T["held"] in page, "viewers read the queue")
    check('form="bulk"' not in page and 'id="bulk"' not in page, "no bulk controls for viewers")
    for bad in ["status=bogus", "class=nope", "from=2026-13-01", "before=x", "q=%zz"]:
        r = s.get("/review?" + bad)
        check(r.status == 400, "%s: %d" % (bad, r.status))


def test_queue_paging():
    s = T["molly"]
    ids = []
    for i in range(4):
        st, j = api_check({"id": "p-%d" % i, "text": "Vote Labour! Page item %d" % i})
        ids.append(j["item_id"])
    page = s.get("/review?q=Page+item").text()
    first = [int(x) for x in re.findall(r'<tr data-id="(\d+)"', page)]
    check(first == sorted(ids, reverse=True)[:3], "the first page (size 3), newest first: %r" % first)
    m = re.search(r'<a rel="next" href="([^"]+)">Older items</a>', page)
    check(m, "a link to older items")
    nxt = s.get(m.group(1).replace("&amp;", "&")).text()
    rest = [int(x) for x in re.findall(r'<tr data-id="(\d+)"', nxt)]
    check(rest == sorted(ids, reverse=True)[3:], "the next page: %r" % rest)
    check('rel="next"' not in nxt, "no more pages")
    T["paging"] = ids


def test_xss_payload_renders_inert():
    st, j = api_check({"id": XSS, "text": "Vote Labour on Thursday! " + XSS, "account": XSS})
    check(st == 200 and j.get("item_id"), "recorded: %r" % j)
    i = T["xss"] = j["item_id"]
    s = T["molly"]
    for what, path in [("queue", "/review?status=&q=onerror"), ("item", "/review/items/%d" % i),
                       ("audit", "/review/audit")]:
        r = s.get(path)
        check(r.status == 200, "%s: %d" % (what, r.status))
        no_markup(r.body, what)
        check(b"&lt;script&gt;alert(1)&lt;/script&gt;" in r.body, "%s: the payload shown escaped" % what)
    r = s.get("/review/export.csv?status=&q=onerror")
    check(r.status == 200 and r.header("content-type").startswith("text/csv"), "export: %r" % r.header("content-type"))
    check(r.header("content-disposition", ).startswith("attachment"), "an attachment")
    check(r.header("x-content-type-options") == "nosniff", "nosniff")
    rows = list(csv.DictReader(io.StringIO(r.text())))
    check(len(rows) == 1 and rows[0]["account"] == XSS and rows[0]["text"].endswith(XSS),
          "the CSV keeps the data as data: %r" % rows)


def test_csrf_refused_and_nothing_changed():
    s, i = T["molly"], T["held"]
    r = s.post("/review/items/%d/decide" % i, {"action": "approve", "note": "x"}, csrf=False)
    check(r.status == 403, "no token: %d" % r.status)
    r = s.post("/review/items/%d/decide" % i, [("action", "approve"), ("csrf", "00" * 32)], csrf=False)
    check(r.status == 403, "a wrong token: %d" % r.status)
    r = req("POST", "/review/items/%d/decide" % i, [("action", "approve"), ("csrf", T["vera"].csrf)],
            cookie=s.cookie)
    check(r.status == 403, "another session's token: %d" % r.status)
    r = s.post("/review/bulk", [("action", "approve"), ("id", str(i))], csrf=False)
    check(r.status == 403, "bulk without a token: %d" % r.status)
    r = s.post("/review/logout", {}, csrf=False)
    check(r.status == 403, "logout without a token: %d" % r.status)
    check(item(i)["status"] == "pending", "still pending")
    check(s.get("/review").status == 200, "still logged in")
    page = req("GET", "/review/login")
    tok = re.match(r"purdah_login=([0-9a-f]{64});", page.cookies()["purdah_login"]).group(1)
    r = req("POST", "/review/login", {"csrf": "11" * 32, "user": "molly", "password": PASSWORDS["molly"]},
            cookie="purdah_login=" + tok)
    check(r.status == 403 and "purdah_session" not in r.cookies(), "login with a wrong token: %d" % r.status)
    r = req("POST", "/review/login", {"csrf": tok, "user": "molly", "password": PASSWORDS["molly"]})
    check(r.status == 403, "login without the cookie: %d" % r.status)


def test_viewer_and_comms_cannot_decide():
    i = T["held"]
    for who in ["vera", "carla"]:
        s = T[who]
        r = s.post("/review/items/%d/decide" % i, {"action": "approve", "note": "ok"})
        check(r.status == 403, "%s approve: %d" % (who, r.status))
        r = s.post("/review/bulk", [("action", "reject"), ("note", "no"), ("id", str(i))])
        check(r.status == 403, "%s bulk: %d" % (who, r.status))
        page = s.get("/review/items/%d" % i).text()
        check('id="decide"' not in page, "%s sees no decide form" % who)
    check(item(i)["status"] == "pending", "still pending")


def test_reject_needs_a_note():
    s, i = T["molly"], T["held"]
    for note in [None, "", "   \r\n "]:
        f = {"action": "reject"}
        if note is not None:
            f["note"] = note
        r = s.post("/review/items/%d/decide" % i, f)
        check(r.status == 400 and b"note is required" in r.body, "note %r: %d" % (note, r.status))
    r = s.post("/review/items/%d/decide" % i, {"action": "delete"})
    check(r.status == 400, "an unknown action: %d" % r.status)
    check(item(i)["status"] == "pending", "still pending")


def test_item_page_shows_the_item():
    s, i = T["molly"], T["held"]
    page = s.get("/review/items/%d" % i).text()
    for want in ["<h1>Item #%d</h1>" % i, '<p id="status" class="status-pending">pending</p>',
                 '<div id="text">', "<mark", '<ul id="reasons">', "party-political",
                 '<table id="history">', "<td>record</td>",
                 '<form id="decide" method="post" action="/review/items/%d/decide">' % i,
                 '<label for="note">Note</label>', 'value="approve">Approve</button>',
                 'value="reject">Reject</button>', '<section id="banner"', "Castle ward by-election",
                 "days left", '<a href="/review/audit">Audit</a>', "Log out</button>"]:
        check(want in page, "missing %s" % want)
    r = s.get("/review/items/999999")
    check(r.status == 404, "no such item: %d" % r.status)


def test_monitoring_approves_with_note():
    s, i = T["molly"], T["held"]
    note = "Checked: factual <b>notice</b>, it's fine; DROP TABLE items; --"
    r = s.post("/review/items/%d/decide" % i, {"action": "approve", "note": note})
    check(r.status == 303 and r.header("location") == "/review/items/%d" % i, "status %d" % r.status)
    j = item(i)
    check(j["status"] == "approved" and j["reviewer"] == "molly" and j["note"] == note, "%r" % j)
    page = s.get("/review/items/%d" % i).text()
    check('<p id="status" class="status-approved">approved</p>' in page, "the page says approved")
    check("<td>approve</td>" in page and "Checked: factual &lt;b&gt;notice&lt;/b&gt;" in page,
          "the history has the approval and its note, escaped")
    check('id="decide"' not in page, "no decide form once decided")
    r = s.post("/review/items/%d/decide" % i, {"action": "reject", "note": "changed my mind"})
    check(r.status == 409, "deciding twice: %d" % r.status)
    check(item(i)["status"] == "approved", "still approved")
    audit = s.get("/review/audit").text()
    check(re.search(r"<td>molly</td><td>approve</td><td><a href=\"/review/items/%d\">" % i, audit),
          "an audit entry for the approval")


def test_bulk_approve_two_items():
    s = T["molly"]
    a, b = T["paging"][0], T["paging"][1]
    r = s.post("/review/bulk", [("action", "approve"), ("note", "bulk ok"), ("id", str(a)), ("id", str(b))])
    check(r.status == 200, "status %d" % r.status)
    for x in (a, b):
        check(re.search(r'<li data-id="%d">.*approved' % x, r.text()), "result for %d" % x)
        j = item(x)
        check(j["status"] == "approved" and j["note"] == "bulk ok", "%d: %r" % (x, j))
    r = s.post("/review/bulk", [("action", "reject"), ("id", str(T["paging"][2]))])
    check(r.status == 400, "bulk reject without a note: %d" % r.status)
    check(item(T["paging"][2])["status"] == "pending", "not rejected")
    r = s.post("/review/bulk", [("action", "approve")])
    check(r.status == 400, "nothing selected: %d" % r.status)
    r = s.post("/review/bulk", [("action", "approve"), ("id", "1 OR 1=1")])
    check(r.status == 400, "a bad id: %d" % r.status)


def test_sql_metacharacters_are_harmless():
    s = T["molly"]
    for q in ["' OR '1'='1", "%'; DELETE FROM items; --", "\" OR 1=1 --", "_", "%"]:
        r = s.get("/review?" + urllib.parse.urlencode({"status": "", "q": q}))
        check(r.status == 200, "q=%r: %d" % (q, r.status))
        check('<p id="empty">No items match.</p>' in r.text(), "q=%r matched something" % q)
    r = s.get("/review?" + urllib.parse.urlencode({"status": "", "period": "' OR 1=1 --"}))
    check(r.status == 200 and '<p id="empty">' in r.text(), "period: %d" % r.status)
    r = login("x' OR '1'='1' --", "' OR 1=1 --")
    check(r.status == 401, "user name with SQL: %d" % r.status)
    check(item(T["xss"])["status"] == "pending" and s.get("/review").status == 200, "the store is intact")


def test_bad_form_encoding_400():
    s = T["molly"]
    for body in [b"csrf=%zz&action=approve", b"action=approve&note=%ff%fe", b"note=a%00b",
                 b"action=approve&note=\x01"]:
        r = req("POST", "/review/items/%d/decide" % T["blocked"], body + b"&csrf=" + s.csrf.encode(),
                cookie=s.cookie, headers={"Content-Type": "application/x-www-form-urlencoded"})
        check(r.status == 400, "%r: %d" % (body, r.status))
    r = req("POST", "/review/items/%d/decide" % T["blocked"], b'{"action":"approve"}', cookie=s.cookie,
            headers={"Content-Type": "application/json"})
    check(r.status == 415, "JSON: %d" % r.status)
    check(item(T["blocked"])["status"] == "pending", "nothing changed")


def test_export_csv():
    rows = export_rows(T["molly"])
    ids = {int(r["id"]) for r in rows}
    check({T["held"], T["blocked"], T["xss"]} <= ids, "every item: %r" % sorted(ids))
    held = [r for r in rows if int(r["id"]) == T["held"]][0]
    # '@' (like = + -) starts a formula in spreadsheets: free text gets an apostrophe.
    check(held["status"] == "approved" and held["reviewer"] == "molly" and held["account"] == "'@council",
          "%r" % held)
    check(held["note"].startswith("Checked: factual"), "the note: %r" % held["note"])
    rows = export_rows(T["molly"], "status=pending&class=councillor-feed")
    check([int(r["id"]) for r in rows] == [T["blocked"]], "filtered: %r" % rows)
    st, j = api_check({"text": '=HYPERLINK("http://evil.example/","Vote Labour")', "account": "+44 1234"})
    rows = export_rows(T["molly"], "q=HYPERLINK")
    check(len(rows) == 1 and rows[0]["text"].startswith("'=HYPERLINK(") and rows[0]["account"] == "'+44 1234",
          "formulas are neutralised: %r" % rows)


def test_audit_view_and_chain():
    page = T["vera"].get("/review/audit").text()
    m = re.search(r'<p id="chain"[^>]*>Audit chain intact: (\d+) entries, head <code>([0-9a-f]{64})</code>', page)
    check(m, "the chain status: %r" % re.findall(r'<p id="chain".*', page))
    check('<table id="audit">' in page, "the table")
    seqs = [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", page)]
    check(seqs and seqs == sorted(seqs, reverse=True), "newest first: %r" % seqs[:10])
    check("<td>load</td>" in page and "<td>login</td>" in page and "<td>login-failed</td>" in page,
          "load, login and login-failed entries")


def test_proxy_records_held_item_once():
    srv, up = T["srv"], T["up"]
    r = req("GET", "/feeds/news.rss")
    check(r.status == 200 and b"Vote Labour" not in r.body, "filtered: %d" % r.status)
    r = req("GET", "/feeds/news.rss")
    check(r.header("x-purdah-cache") == "hit", "a cache hit: %r" % r.header("x-purdah-cache"))
    up.body = ts.NEWS.replace(b"</channel>", b"<item><title>Road works</title><guid>https://n.example/9</guid>"
                                             b"<description>Resurfacing.</description></item></channel>")
    time.sleep(1.3)
    r = req("GET", "/feeds/news.rss")
    check(r.status == 200 and b"Road works" in r.body and b"Vote Labour" not in r.body,
          "refreshed and filtered again: %r" % r.header("x-purdah-cache"))
    rows = [x for x in export_rows(T["molly"], "status=&q=Only+Labour+will+fix") if x["source"] == "proxy"]
    check(len(rows) == 1, "one review item across two refreshes: %r" % rows)
    x = rows[0]
    check(x["account"] == "/feeds/news.rss" and x["origin"] == "https://n.example/1" and x["published"] == ""
          and x["class"] == "council-post" and x["decision"] == "hold" and x["reason"] == "party-political"
          and x["areas"] == '["Millfield"]', "%r" % x)
    check(len(re.findall(r"review: route=/feeds/news\.rss 1 item recorded", srv.text())) == 1, "logged once")


def test_freeze_by_comms():
    carla, molly = T["carla"], T["molly"]
    page = carla.get("/review").text()
    check('<section id="freeze"' in page and '<a href="/review#freeze">Freeze</a>' in page, "the freeze form")
    check('<section id="freeze"' not in molly.get("/review").text(), "only comms leads see it")
    r = molly.post("/review/freeze", {"action": "start", "reason": "Flood"})
    check(r.status == 403, "monitoring cannot freeze: %d" % r.status)
    r = carla.post("/review/freeze", {"action": "start", "reason": "Flood <response>"}, csrf=False)
    check(r.status == 403, "no csrf: %d" % r.status)
    r = carla.post("/review/freeze", {"action": "start", "reason": "  "})
    check(r.status == 400, "no reason: %d" % r.status)
    r = carla.post("/review/freeze", {"action": "start", "reason": "Flood <response>"})
    check(r.status == 303 and r.header("location") == "/review", "start: %d %s" % (r.status, r.text()[:300]))
    page = carla.get("/review").text()
    check("Freeze in force" in page and "Flood &lt;response&gt;" in page, "the banner shows the freeze at once")
    r = carla.post("/review/freeze", {"action": "start", "reason": "Again"})
    check(r.status == 409, "a second freeze: %d" % r.status)
    st, j = api_check({"text": "Library opening hours change on Monday."})
    check(j["decision"] == "hold" and j["reasons"][0]["code"] == "freeze", "the gate holds: %r" % j["decision"])
    r = carla.post("/review/freeze", {"action": "end"})
    check(r.status == 303, "end: %d" % r.status)
    check("Freeze in force" not in carla.get("/review").text(), "the banner no longer shows it")
    audit = carla.get("/review/audit").text()
    check("<td>carla</td><td>freeze-start</td>" in audit and "<td>carla</td><td>freeze-end</td>" in audit,
          "audited")
    with open(os.path.join(T["dir"], "calendars", "freeze.ics")) as f:
        ics = f.read()
    check("X-PURDAH-BY:carla" in ics and "Flood <response>" in ics, "written like purdah freeze")


def test_logout_ends_session():
    s = Session("vera")
    r = s.post("/review/logout", {})
    check(r.status == 303 and r.header("location") == "/review/login", "logout: %d" % r.status)
    c = r.cookies().get("purdah_session", "")
    check("Max-Age=0" in c, "the cookie is cleared: %r" % c)
    r = s.get("/review")
    check(r.status == 303 and r.header("location") == "/review/login", "the old cookie: %d" % r.status)
    check(T["vera"].get("/review").status == 200, "other sessions live on")


def test_login_rate_limited():
    # Failures so far from this address: wrong password and the SQL user name.
    seen = []
    for _ in range(LOGIN_FAILURES):
        r = login("ratty", "wrong-password")
        seen.append(r.status)
        if r.status == 429:
            break
    check(seen[0] == 401 and seen[-1] == 429, "401s then 429: %r" % seen)
    check("Too many failed logins; try again later." in r.text(), "the message")
    r = login("ratty", PASSWORDS["ratty"])
    check(r.status == 429 and "purdah_session" not in r.cookies(), "even the right password: %d" % r.status)


def test_metrics_and_log():
    r = req("GET", "/metrics")
    check(b'purdah_requests_total{route="/review"' in r.body, "review requests counted")
    check(b'route="/v1/items"' in r.body, "item requests counted")


def test_store_failure_fails_closed():
    """A second server whose store cannot be created: holds are 503 and
    claim no recording; the proxy still serves its filtered copy."""
    d = T["dir"]
    blocker = os.path.join(d, "not-a-directory")
    with open(blocker, "w") as f:
        f.write("x")
    cfg = os.path.join(d, "broken.yaml")
    with open(cfg, "w") as f:
        f.write(config_text(d, os.path.join(blocker, "review.db")))
    srv = ts.Purdah(T["binary"], cfg, ts.free_port())
    try:
        st, j = api_check({"id": 1, "text": HELD}, srv=srv)
        check(st == 503 and j and "error" in j and "item_id" not in j and "decision" not in j,
              "a hold without a store: %d %r" % (st, j))
        st, j = api_check({"id": 2, "text": "The library opens at nine."}, srv=srv)
        check(st == 200 and j["decision"] == "allow", "an allow still answers: %d" % st)
        r = req("GET", "/feeds/news.rss", srv=srv)
        check(r.status == 200 and b"Vote Labour" not in r.body and b"Bin collections" in r.body,
              "the proxy serves the filtered copy: %d" % r.status)
        r = req("GET", "/review/login", srv=srv)
        check(r.status == 503, "the review pages: %d" % r.status)
        m = req("GET", "/metrics", srv=srv).body
        check(b'purdah_store_errors_total{where="proxy"}' in m and b'purdah_store_errors_total{where="api"}' in m,
              "store errors counted")
    finally:
        code = srv.stop()
    check(code == 0, "exit status %s" % code)


TESTS = [
    test_style_is_public_and_pages_need_login,
    test_login_page_form_and_cookie,
    test_login_wrong_password_401,
    test_login_sets_session_cookie_flags,
    test_secure_cookie_behind_tls_proxy,
    test_security_headers_on_every_review_answer,
    test_api_check_records_holds,
    test_api_items,
    test_queue_lists_and_filters,
    test_queue_paging,
    test_xss_payload_renders_inert,
    test_csrf_refused_and_nothing_changed,
    test_viewer_and_comms_cannot_decide,
    test_reject_needs_a_note,
    test_item_page_shows_the_item,
    test_monitoring_approves_with_note,
    test_bulk_approve_two_items,
    test_sql_metacharacters_are_harmless,
    test_bad_form_encoding_400,
    test_export_csv,
    test_audit_view_and_chain,
    test_concurrent_checks_use_the_pool,
    test_proxy_records_held_item_once,
    test_freeze_by_comms,
    test_logout_ends_session,
    test_login_rate_limited,
    test_metrics_and_log,
    test_store_failure_fails_closed,
]


def add_users(purdah_bin, cfg):
    for name, role in ROLES.items():
        p = subprocess.run([purdah_bin, "--config", cfg, "user", "add", name, "--role", role, "--by", "test"],
                           input=(PASSWORDS[name] + "\n").encode(), capture_output=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("user add %s: exit %d: %s" % (name, p.returncode, p.stderr.decode()))


def main():
    if len(sys.argv) != 2:
        print("usage: test_review.py BUILD_DIR", file=sys.stderr)
        return 64
    build = os.path.abspath(sys.argv[1])
    purdah_bin = os.path.join(build, "purdah")
    T["binary"] = os.path.join(build, "purdah-serve" if VG else "purdah")
    with tempfile.TemporaryDirectory(prefix="purdah-review.") as d:
        T["dir"] = d
        os.mkdir(os.path.join(d, "calendars"))
        now = time.time()
        with open(os.path.join(d, "calendars", "elections.ics"), "w") as f:
            f.write(ts.calendar(ts.vevent("castle-1@test", "Castle ward by-election", "BY-ELECTION",
                                          now - 86400, now + 30 * 86400, "Castle")))
        T["up"] = Upstream()
        T["config"] = os.path.join(d, "purdah.yaml")
        with open(T["config"], "w") as f:
            f.write(config_text(d, os.path.join(d, "var", "review.db")))
        try:
            add_users(purdah_bin, T["config"])
            T["srv"] = ts.Purdah(T["binary"], T["config"], ts.free_port())
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print("FAIL start: %s" % e)
            print("review: 0 passed, %d failed" % len(TESTS))
            return 1
        passed, failed = ts.run_tests(
            TESTS, T["srv"], T["up"],
            lambda code: "FAIL exit: status %s%s" % (code, " (valgrind)" if VG else ""))
    print("review: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
