/*
 * The review pages under /review: what the monitoring officer, the comms
 * lead and viewers use (README "The review pages"). Server-rendered HTML5
 * with one stylesheet and no JavaScript; every page but the stylesheet and
 * the login form needs a session.
 *
 * Safety, in one place:
 *   - Everything that came from outside (post text, accounts, names,
 *     notes, reasons, audit details, query values) is written through
 *     pd_html_escape / pd_html_highlight; links carry percent-encoded
 *     values, escaped again as attributes.
 *   - Sessions: a random 256-bit token in the cookie purdah_session (only
 *     its SHA-256 is stored), Path=/review; HttpOnly; SameSite=Strict,
 *     Secure per review.cookie_secure, no Max-Age (gone with the browser);
 *     idle and absolute expiry in the store.
 *   - CSRF: every POST carries the session's csrf token (compared in
 *     constant time); the login form, before there is a session, a
 *     double-submit token (the cookie purdah_login and a hidden field).
 *   - Logins are rate limited per name and per client address (the TCP
 *     peer) by the store; failures and successes are audited.
 *   - Strict form parsing (form.c): a malformed body is 400, never half
 *     acted upon. Security headers on every answer (CSP with no script at
 *     all, nosniff, no referrer, no caching, no framing).
 *
 * This file has what the pages share (review_int.h: output, layout, the
 * banner, the stylesheet), sessions, login and logout, and the dispatch;
 * review_list.c the queue, the audit view and the export; review_item.c
 * the item page, decisions and freezes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dep/sodium.h"
#include "purdah/alloc.h"
#include "purdah/html.h"
#include "server/review_int.h"

#define SESSION_COOKIE "purdah_session"
#define LOGIN_COOKIE   "purdah_login"
#define CSP                                                                    \
	"default-src 'none'; style-src 'self'; img-src 'self'; form-action "   \
	"'self'; frame-ancestors 'none'; base-uri 'none'"

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

void rv_out(rv *r, const char *s)
{
	if (r->rc == PD_OK)
		r->rc = pd_buf_puts(r->b, s);
}

void rv_esc(rv *r, const char *s)
{
	if (r->rc == PD_OK)
		r->rc = pd_html_escape(r->b, s);
}

void rv_esc_n(rv *r, const char *s, size_t n)
{
	if (r->rc == PD_OK)
		r->rc = pd_html_escape_n(r->b, s, n);
}

void rv_outf(rv *r, const char *fmt, ...)
{
	va_list ap;

	if (r->rc != PD_OK)
		return;
	va_start(ap, fmt);
	r->rc = pd_buf_vprintf(r->b, fmt, ap);
	va_end(ap);
}

void rv_time(rv *r, pd_instant t)
{
	pd_civil c;
	int off;

	if (!t) {
		rv_out(r, "-");
		return;
	}
	pd_tz_instant_to_local(r->w->tz, t, &c, &off);
	rv_outf(r, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour,
	        c.min);
}

void rv_csrf(rv *r)
{
	rv_outf(r, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	        r->sess.csrf);
}

/* The headers of every answer under /review. */
static void sec_headers(pd_http_response *rs, const char *ctype)
{
	pd_http_add_header(rs, "Content-Type", ctype);
	pd_http_add_header(rs, "Content-Security-Policy", CSP);
	pd_http_add_header(rs, "X-Content-Type-Options", "nosniff");
	pd_http_add_header(rs, "Referrer-Policy", "no-referrer");
	pd_http_add_header(rs, "Cache-Control", "no-store");
	pd_http_add_header(rs, "X-Frame-Options", "DENY");
}

/* The page so far could not be written: a bare 500 instead. */
static void internal_error(rv *r)
{
	srv_log("review: %s %s: %s", r->rq->method, r->q->path,
	        pd_error_message());
	pd_buf_clear(r->b);
	r->rc = PD_OK;
	rv_out(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	          "charset=\"utf-8\"><title>Internal error</title></head>"
	          "<body><h1>Internal error</h1><p>Please try again "
	          "later.</p></body></html>\n");
	r->rs->status = 500;
}

void rv_send(rv *r, int status)
{
	r->rs->status = status;
	if (r->rc < 0)
		internal_error(r);
	sec_headers(r->rs, "text/html; charset=utf-8");
}

/* The stylesheet: readable from a phone to a laptop, visible focus, AA
 * contrast (text 4.5:1 at least against its background). */
static const char style_css[] =
        ":root{color-scheme:light}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0;font:1rem/1.5 system-ui,-apple-system,\"Segoe "
        "UI\",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}\n"
        "a{color:#0b4f9c}\n"
        "a:visited{color:#5a2d82}\n"
        "a:focus,button:focus,input:focus,select:focus,textarea:focus,"
        "summary:focus{outline:3px solid #1b1b1b;outline-offset:2px;"
        "box-shadow:0 0 0 6px #ffdd00}\n"
        ".skip{position:absolute;left:-9999px;top:0}\n"
        ".skip:focus{left:1rem;top:.5rem;background:#ffdd00;color:#000;"
        "padding:.5rem 1rem;z-index:10}\n"
        "header{background:#1b1b1b;color:#fff;padding:.5rem "
        "1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;"
        "align-items:center}\n"
        "header a,header a:visited{color:#fff}\n"
        ".council{font-weight:700;margin:0}\n"
        "header nav ul{list-style:none;margin:0;padding:0;display:flex;"
        "flex-wrap:wrap;gap:.25rem 1.25rem}\n"
        ".user{margin-left:auto;display:flex;flex-wrap:wrap;gap:.5rem;"
        "align-items:center}\n"
        ".user form{margin:0}\n"
        "header button{background:#fff;color:#1b1b1b}\n"
        "#banner{background:#fff4e5;border-bottom:4px solid "
        "#b35c00;padding:.5rem 1rem}\n"
        "#banner.none{background:#eef7f1;border-color:#00703c}\n"
        "#banner ul{margin:0;padding-left:1.25rem}\n"
        "#banner p{margin:0}\n"
        "main{padding:1rem;max-width:80rem;margin:0 auto}\n"
        "h1{font-size:1.6rem;margin:.5rem 0 1rem}\n"
        "h2{font-size:1.25rem;margin:1.5rem 0 .5rem}\n"
        ".scroll{overflow-x:auto}\n"
        "table{border-collapse:collapse;width:100%}\n"
        "th,td{border-bottom:1px solid #6f777b;padding:.4rem "
        ".5rem;text-align:left;vertical-align:top}\n"
        "th{background:#f3f2f1}\n"
        "td.text{min-width:16rem}\n"
        "label{display:block;font-weight:600;margin-bottom:.2rem}\n"
        "input,select,textarea,button{font:inherit}\n"
        "input,select,textarea{border:2px solid "
        "#1b1b1b;padding:.3rem;max-width:100%;background:#fff;"
        "color:#1b1b1b}\n"
        "input[type=checkbox]{width:1.5rem;height:1.5rem}\n"
        "textarea{width:100%;min-height:4.5rem}\n"
        "button{background:#00703c;color:#fff;border:2px solid "
        "transparent;padding:.45rem 1rem;cursor:pointer}\n"
        "button[value=reject],button[value=end]{background:#a4200f}\n"
        ".fields{display:grid;grid-template-columns:repeat(auto-fit,"
        "minmax(11rem,1fr));gap:.5rem 1rem}\n"
        ".fields p,form p{margin:.25rem 0 .75rem}\n"
        ".error{color:#a4200f;font-weight:700}\n"
        ".ok{color:#00703c;font-weight:700}\n"
        "mark{background:#ffdd00;color:#000;padding:0 .1em}\n"
        "#text{border-left:4px solid #6f777b;padding:.5rem "
        "1rem;background:#f3f2f1;overflow-wrap:anywhere}\n"
        "dl.facts{display:grid;grid-template-columns:max-content 1fr;"
        "gap:.25rem 1rem}\n"
        "dl.facts dt{font-weight:600}\n"
        "dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
        "code{overflow-wrap:anywhere}\n"
        "#status{font-weight:700;font-size:1.1rem}\n"
        "#freeze{border-top:2px solid #6f777b;margin-top:2rem}\n"
        ".visually-hidden{position:absolute;width:1px;height:1px;"
        "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\n"
        "@media (max-width:40rem){header{display:block}.user{margin:.5rem "
        "0 0}dl.facts{grid-template-columns:1fr}main{padding:.5rem}}\n";

/* ------------------------------------------------------------------------ */
/* Layout                                                                   */

/* "30 days left" for a period whose last local day is `last`. */
static void days_left(rv *r, pd_date last)
{
	int64_t d = pd_date_to_days(last) -
	            pd_date_to_days(pd_tz_date_of(r->w->tz, r->now));

	if (d <= 0)
		rv_out(r, "last day today");
	else
		rv_outf(r, "%lld day%s left", (long long)d, d == 1 ? "" : "s");
}

static void areas_text(rv *r, const pd_period *p)
{
	if (!p->nareas) {
		rv_out(r, "whole council");
		return;
	}
	for (size_t i = 0; i < p->nareas; i++) {
		rv_out(r, i ? ", " : "");
		rv_esc(r, p->areas[i]);
	}
}

/* The status banner: the periods in force now and any freeze. */
static void banner(rv *r)
{
	const pd_calendar *cal = r->w->cal;
	size_t n = pd_calendar_active(cal, r->now, NULL, NULL, 0), nfz = 0;
	const pd_period **v = pd_calloc(n ? n : 1, sizeof(*v));
	char day[32];

	if (!v) {
		r->rc = pd_error_set(PD_ENOMEM, "out of memory");
		return;
	}
	n = pd_calendar_active(cal, r->now, NULL, v, n);
	for (size_t i = 0; i < n; i++)
		nfz += v[i]->kind == PD_PERIOD_FREEZE;
	rv_outf(r,
	        "<section id=\"banner\"%s aria-label=\"Periods in force\">\n",
	        n ? "" : " class=\"none\"");
	if (n == nfz)
		rv_out(r, "<p>No election or referendum period is in "
		          "force.</p>\n");
	if (n)
		rv_out(r, "<ul>\n");
	for (size_t i = 0; i < n; i++) {
		const pd_period *p = v[i];
		if (p->kind == PD_PERIOD_FREEZE) {
			rv_out(r, "<li class=\"freeze\"><strong>Freeze in "
			          "force: ");
			rv_esc(r, p->name);
			rv_out(r, "</strong> (");
			areas_text(r, p);
			rv_out(r, "): all scheduled output except emergency "
			          "messages is held ");
			if (p->open_ended) {
				rv_out(r, "until the freeze is ended");
			} else {
				rv_out(r, "until ");
				rv_time(r, p->end);
			}
			if (p->description) {
				rv_out(r, ". Reason: ");
				rv_esc(r, p->description);
			}
			rv_out(r, ".</li>\n");
			continue;
		}
		pd_date_format_human(day, sizeof(day), p->last_day);
		rv_out(r, "<li class=\"period\"><strong>");
		rv_esc(r, p->name);
		rv_out(r, "</strong> (");
		areas_text(r, p);
		rv_outf(r, "): %s until %s, ", pd_period_kind_phrase(p->kind),
		        day);
		days_left(r, p->last_day);
		rv_out(r, "</li>\n");
	}
	if (n)
		rv_out(r, "</ul>\n");
	rv_out(r, "</section>\n");
	pd_free(v);
}

void rv_page_start(rv *r, const char *title)
{
	pd_buf_clear(r->b);
	rv_out(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	          "charset=\"utf-8\">\n<meta name=\"viewport\" "
	          "content=\"width=device-width, initial-scale=1\">\n<title>");
	rv_esc(r, title);
	rv_out(r, " - purdah review</title>\n<link rel=\"stylesheet\" "
	          "href=\"/review/style.css\">\n</head>\n<body>\n<a "
	          "class=\"skip\" href=\"#main\">Skip to main content</a>\n"
	          "<header>\n<p class=\"council\">");
	rv_esc(r, r->w->cfg->council_name);
	rv_out(r, "</p>\n");
	if (r->logged) {
		rv_out(r, "<nav aria-label=\"Review\"><ul>\n<li><a "
		          "href=\"/review\">Queue</a></li>\n<li><a "
		          "href=\"/review/audit\">Audit</a></li>\n<li><a "
		          "href=\"/review/export.csv\">Export CSV</a></li>\n");
		if (r->sess.role == PD_ROLE_COMMS)
			rv_out(r, "<li><a href=\"/review#freeze\">Freeze</a>"
			          "</li>\n");
		rv_out(r, "</ul></nav>\n<div class=\"user\"><span>");
		rv_esc(r, r->sess.user);
		rv_outf(r,
		        " (%s)</span>\n<form method=\"post\" "
		        "action=\"/review/logout\">\n",
		        pd_role_name(r->sess.role));
		rv_csrf(r);
		rv_out(r, "<button type=\"submit\">Log out</button></form>"
		          "</div>\n");
	}
	rv_out(r, "</header>\n");
	if (r->logged)
		banner(r);
	rv_out(r, "<main id=\"main\">\n");
}

void rv_page_end(rv *r)
{
	rv_out(r, "</main>\n</body>\n</html>\n");
}

void rv_error(rv *r, int status, const char *title, const char *text)
{
	r->rc = PD_OK;
	rv_page_start(r, title);
	rv_out(r, "<h1>");
	rv_esc(r, title);
	rv_out(r, "</h1>\n<p class=\"error\" role=\"alert\">");
	rv_esc(r, text);
	rv_out(r, "</p>\n<p><a href=\"/review\">Back to the queue</a></p>\n");
	rv_page_end(r);
	rv_send(r, status);
}

void rv_redirect(rv *r, const char *location)
{
	pd_buf_clear(r->b);
	rv_out(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	          "charset=\"utf-8\"><title>See other</title></head><body><p>"
	          "<a href=\"");
	rv_esc(r, location);
	rv_out(r, "\">Continue</a></p></body></html>\n");
	rv_send(r, 303);
	pd_http_add_header(r->rs, "Location", location);
}

void rv_store_error(rv *r, pd_rc rc)
{
	srv_store_failed(r->q->s, "review");
	r->broken |= rc == PD_EIO || rc == PD_EDEP || rc == PD_EINTERNAL;
	rv_error(r, 503, "Unavailable",
	         "The review store cannot be read or written just now. "
	         "Please try again later.");
	pd_http_add_header(r->rs, "Retry-After", "30");
}

/* ------------------------------------------------------------------------ */
/* Sessions and cookies                                                     */

static pd_session_limits limits(const rv *r)
{
	const pd_review_config *c = &r->w->cfg->review;
	pd_session_limits l;

	l.idle = c->session_idle;
	l.absolute = c->session_max;
	l.max_failures = c->login_failures;
	l.window = c->login_window;
	return l;
}

/* Secure cookies: review.cookie_secure always, never, or (auto) when the
 * request came over TLS through a proxy that says so. */
static bool cookie_secure(const rv *r)
{
	const char *p;

	switch (r->w->cfg->review.cookie_secure) {
	case 1: return true;
	case 2: return false;
	default: break;
	}
	p = pd_http_header(r->rq, "X-Forwarded-Proto");
	while (p && (*p == ' ' || *p == '\t'))
		p++;
	return p && !strncasecmp(p, "https", 5) &&
	       (!p[5] || p[5] == ',' || p[5] == ' ');
}

static void set_cookie(rv *r, const char *name, const char *value, bool clear)
{
	char c[256];

	snprintf(c, sizeof(c),
	         "%s=%s; Path=/review; HttpOnly; SameSite=Strict%s%s", name,
	         value, clear ? "; Max-Age=0" : "",
	         cookie_secure(r) ? "; Secure" : "");
	pd_http_add_header(r->rs, "Set-Cookie", c);
}

/* 64 hex digits of the cookie `name`, or false. */
static bool cookie_token(const rv *r, const char *name, char tok[65])
{
	const char *h = pd_http_header(r->rq, "Cookie");

	if (!srv_cookie_get(h, name, tok, 65) || strlen(tok) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((tok[i] >= '0' && tok[i] <= '9') ||
		      (tok[i] >= 'a' && tok[i] <= 'f')))
			return false;
	return true;
}

/* r->logged and r->sess from the session cookie. */
static pd_rc load_session(rv *r)
{
	pd_session_limits lim = limits(r);
	char tok[65];
	pd_rc rc;

	r->logged = false;
	if (!cookie_token(r, SESSION_COOKIE, tok))
		return PD_OK;
	rc = pd_session_get(r->st, tok, &lim, r->now, &r->sess);
	if (rc == PD_ENOTFOUND) {
		pd_error_clear();
		return PD_OK;
	}
	if (rc == PD_OK)
		r->logged = true;
	return rc;
}

bool rv_csrf_ok(const rv *r)
{
	const char *v = srv_form_get(&r->form, "csrf");

	return r->logged && v && pd_token_equal(v, r->sess.csrf);
}

/* ------------------------------------------------------------------------ */
/* Login and logout                                                         */

static void login_form(rv *r, int status, const char *token, const char *user,
                       const char *error)
{
	rv_page_start(r, "Log in");
	rv_out(r, "<h1>Log in to the review pages</h1>\n");
	if (error) {
		rv_out(r, "<p class=\"error\" role=\"alert\">");
		rv_esc(r, error);
		rv_out(r, "</p>\n");
	}
	rv_out(r, "<form id=\"login\" method=\"post\" "
	          "action=\"/review/login\">\n<input type=\"hidden\" "
	          "name=\"csrf\" value=\"");
	rv_esc(r, token);
	rv_out(r, "\">\n<p><label for=\"user\">User name</label><input "
	          "id=\"user\" name=\"user\" autocomplete=\"username\" "
	          "autocapitalize=\"none\" spellcheck=\"false\" value=\"");
	rv_esc(r, user ? user : "");
	rv_out(r, "\"></p>\n<p><label for=\"password\">Password</label><input "
	          "id=\"password\" name=\"password\" type=\"password\" "
	          "autocomplete=\"current-password\"></p>\n<p><button "
	          "type=\"submit\">Log in</button></p>\n</form>\n");
	rv_page_end(r);
	rv_send(r, status);
}

static void login_get(rv *r)
{
	char tok[65];

	if (!cookie_token(r, LOGIN_COOKIE, tok) && pd_random_hex(tok, 32) < 0) {
		internal_error(r);
		sec_headers(r->rs, "text/html; charset=utf-8");
		return;
	}
	login_form(r, 200, tok, NULL, NULL);
	set_cookie(r, LOGIN_COOKIE, tok, false);
}

static void login_post(rv *r)
{
	pd_session_limits lim = limits(r);
	const char *user = srv_form_get(&r->form, "user");
	const char *csrf = srv_form_get(&r->form, "csrf");
	const srv_field *pw = NULL;
	pd_login_result res = PD_LOGIN_BAD;
	pd_session s;
	char tok[65];
	pd_rc rc;

	for (size_t i = 0; i < r->form.n && !pw; i++)
		if (!strcmp(r->form.fields[i].name, "password"))
			pw = &r->form.fields[i];
	if (!cookie_token(r, LOGIN_COOKIE, tok) || !csrf ||
	    !pd_token_equal(csrf, tok)) {
		rv_error(r, 403, "Form expired",
		         "The login form has expired or did not come from "
		         "this site (cookies must be allowed). Open the login "
		         "page again and log in.");
		return;
	}
	rc = pd_login(r->st, user ? user : "", pw ? pw->value : "",
	              pw ? pw->vlen : 0,
	              r->rq->client && r->rq->client[0] ? r->rq->client : "-",
	              &lim, r->now, &res, &s);
	if (rc < 0) {
		rv_store_error(r, rc);
		return;
	}
	if (res == PD_LOGIN_LIMITED) {
		login_form(r, 429, tok, user,
		           "Too many failed logins; try again later.");
		pd_http_add_header(r->rs, "Retry-After", "60");
		return;
	}
	if (res != PD_LOGIN_OK) {
		login_form(r, 401, tok, user, "Wrong user name or password.");
		return;
	}
	rv_redirect(r, "/review");
	set_cookie(r, SESSION_COOKIE, s.token, false);
	set_cookie(r, LOGIN_COOKIE, "", true);
	memset(&s, 0, sizeof(s));
}

static void logout(rv *r)
{
	char tok[65];
	pd_rc rc;

	if (!rv_csrf_ok(r)) {
		rv_error(r, 403, "Forbidden",
		         "The form has expired or did not come from this "
		         "site. Reload the page and try again.");
		return;
	}
	if (cookie_token(r, SESSION_COOKIE, tok) &&
	    (rc = pd_session_end(r->st, tok, r->now)) < 0 &&
	    rc != PD_ENOTFOUND) {
		rv_store_error(r, rc);
		return;
	}
	r->logged = false;
	rv_redirect(r, "/review/login");
	set_cookie(r, SESSION_COOKIE, "", true);
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */

pd_http_next srv_review_fast(srv_req *q, pd_http_request *rq,
                             pd_http_response *rs)
{
	if (strcmp(q->path, "/review/style.css")) {
		q->slow = SRV_SLOW_REVIEW;
		return PD_HTTP_SLOW;
	}
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		srv_page(rs, 405, "Method not allowed",
		         "This address does not accept that method.");
		pd_http_add_header(rs, "Allow", "GET, HEAD");
		return PD_HTTP_DONE;
	}
	rs->status = 200;
	pd_http_borrow_body(rs, style_css, sizeof(style_css) - 1, NULL, NULL);
	sec_headers(rs, "text/css; charset=utf-8");
	return PD_HTTP_DONE;
}

static bool is_form(const char *ct)
{
	static const char t[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(t) - 1;

	return ct && !strncasecmp(ct, t, n) &&
	       (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

/* Parse the query and, for a POST, the body; false when a page was sent. */
static bool read_input(rv *r, bool post)
{
	const char *qs = r->q->query ? r->q->query : "";

	if (srv_form_parse(&r->query, qs, strlen(qs)) < 0) {
		rv_error(r, 400, "Bad request", pd_error_message());
		return false;
	}
	if (!post)
		return true;
	if (r->rq->body_too_big) {
		rv_error(r, 413, "Too big", "The form is too big.");
		return false;
	}
	if (!is_form(pd_http_header(r->rq, "Content-Type"))) {
		rv_error(r, 415, "Unsupported form",
		         "The form must be sent as "
		         "application/x-www-form-urlencoded.");
		return false;
	}
	if (srv_form_parse(&r->form, r->rq->body, r->rq->body_len) < 0) {
		rv_error(r, 400, "Bad request", pd_error_message());
		return false;
	}
	return true;
}

static void method_not_allowed(rv *r, const char *allow)
{
	rv_error(r, 405, "Method not allowed",
	         "This address does not accept that method.");
	pd_http_add_header(r->rs, "Allow", allow);
}

/* The pages that need a session. */
static void dispatch(rv *r, bool get, bool post)
{
	const char *p = r->q->path;
	int64_t id;

	if (!strcmp(p, "/review")) {
		if (get)
			rv_queue(r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (!strcmp(p, "/review/audit")) {
		if (get)
			rv_audit(r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (!strcmp(p, "/review/export.csv")) {
		if (get)
			rv_export(r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (!strcmp(p, "/review/bulk")) {
		if (post)
			rv_bulk(r);
		else
			method_not_allowed(r, "POST");
	} else if (!strcmp(p, "/review/freeze")) {
		if (post)
			rv_freeze(r);
		else
			method_not_allowed(r, "POST");
	} else if (!strcmp(p, "/review/logout")) {
		if (post)
			logout(r);
		else
			method_not_allowed(r, "POST");
	} else if (!strncmp(p, "/review/items/", 14)) {
		const char *s = p + 14, *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);
		if (!(id = rv_parse_id(s, len)) ||
		    (slash && strcmp(slash, "/decide")))
			rv_error(r, 404, "Not found",
			         "There is nothing at this address.");
		else if (!slash && get)
			rv_item(r, id);
		else if (slash && post)
			rv_decide(r, id);
		else
			method_not_allowed(r, slash ? "POST" : "GET, HEAD");
	} else if (!strcmp(p, "/review/")) {
		rv_redirect(r, "/review");
	} else {
		rv_error(r, 404, "Not found",
		         "There is nothing at this address.");
	}
}

void srv_review_slow(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	bool get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
	bool post = !strcmp(rq->method, "POST");
	rv r;
	pd_rc rc;

	memset(&r, 0, sizeof(r));
	r.q = q;
	r.rq = rq;
	r.rs = rs;
	r.w = q->w->w;
	r.b = &rs->body;
	r.now = pd_time_now();
	if (!get && !post) {
		method_not_allowed(&r, "GET, HEAD, POST");
		return;
	}
	if (!read_input(&r, post))
		goto done;
	if ((rc = srv_store_take(q->s, &r.st)) < 0) {
		rv_store_error(&r, rc);
		goto done;
	}
	if (!strcmp(q->path, "/review/login")) {
		if (get)
			login_get(&r);
		else
			login_post(&r);
		goto done;
	}
	if ((rc = load_session(&r)) < 0) {
		rv_store_error(&r, rc);
		goto done;
	}
	if (!r.logged) {
		rv_redirect(&r, "/review/login");
		goto done;
	}
	dispatch(&r, get, post);
done:
	memset(&r.sess, 0, sizeof(r.sess));
	srv_form_dispose(&r.form);
	srv_form_dispose(&r.query);
	srv_store_give(q->s, r.st, r.broken);
}

/* ------------------------------------------------------------------------ */
/* GET /v1/items/ID                                                         */

void srv_item_slow(srv_req *q, pd_http_response *rs)
{
	pd_store *st = NULL;
	pd_review_item it;
	char msg[64];
	pd_rc rc;

	memset(&it, 0, sizeof(it));
	if ((rc = srv_store_take(q->s, &st)) == PD_OK &&
	    (rc = pd_store_expire(st, pd_time_now(), NULL)) == PD_OK)
		rc = pd_store_get(st, q->item, &it);
	if (rc == PD_ENOTFOUND) {
		snprintf(msg, sizeof(msg), "item %lld: no such item",
		         (long long)q->item);
		srv_reply_error(rs, 404, msg);
	} else if (rc < 0) {
		srv_store_failed(q->s, "api");
		srv_reply_error(rs, 503, "the review store is unavailable");
		pd_http_add_header(rs, "Retry-After", "30");
	} else {
		srv_reply_json(rs, 200, pd_review_item_json(&it, q->w->w->tz));
	}
	pd_review_item_dispose(&it);
	srv_store_give(q->s, st,
	               rc == PD_EIO || rc == PD_EDEP || rc == PD_EINTERNAL);
}
