/*
 * The HTTP service: the world being served and its reload, the dispatch of
 * a request (the API's paths, then the configured routes, then 404), the
 * API (POST /v1/check, GET /v1/status, /healthz, /metrics), neutral pages,
 * and the log: one line per request and one per decision, on stderr.
 *
 * Routing reads the request-target only, never the Host header, and only
 * in origin form ("/path?query"): an absolute URI is refused, so no request
 * can name the host it is forwarded to.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "purdah/alloc.h"
#include "server/server.h"

#define MAX_TARGET 4096

void srv_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	memcpy(line, "purdah: ", 8);
	va_start(ap, fmt);
	n = vsnprintf(line + 8, sizeof(line) - 9, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = n + 8 > (int)sizeof(line) - 2 ? (int)sizeof(line) - 2 : n + 8;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr); /* one write: lines stay whole */
}

/* `s` for a log line: at most 200 bytes, anything but printable ASCII (and
 * '"', '\\') as \xNN. */
static void log_escape(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 5 < n && o < 200; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = 0;
}

pd_rc srv_html_escape(pd_buf *b, const char *s)
{
	pd_rc rc = PD_OK;

	for (; s && *s && rc == PD_OK; s++) {
		switch (*s) {
		case '&': rc = pd_buf_puts(b, "&amp;"); break;
		case '<': rc = pd_buf_puts(b, "&lt;"); break;
		case '>': rc = pd_buf_puts(b, "&gt;"); break;
		case '"': rc = pd_buf_puts(b, "&quot;"); break;
		case '\'': rc = pd_buf_puts(b, "&#39;"); break;
		default: rc = pd_buf_putc(b, *s);
		}
	}
	return rc;
}

void srv_page(pd_http_response *rs, int status, const char *title,
              const char *text)
{
	pd_buf *b = &rs->body;

	rs->status = status;
	pd_buf_clear(b);
	if (pd_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	                   "charset=\"utf-8\"><title>") < 0 ||
	    srv_html_escape(b, title) < 0 ||
	    pd_buf_puts(b, "</title></head>\n<body>\n<h1>") < 0 ||
	    srv_html_escape(b, title) < 0 || pd_buf_puts(b, "</h1>\n<p>") < 0 ||
	    srv_html_escape(b, text) < 0 ||
	    pd_buf_puts(b, "</p>\n</body></html>\n") < 0)
		pd_buf_clear(b);
	pd_http_add_header(rs, "Content-Type", "text/html; charset=utf-8");
	pd_http_add_header(rs, "Cache-Control", "no-store");
	pd_http_add_header(rs, "X-Content-Type-Options", "nosniff");
}

static void reply_text(pd_http_response *rs, int status, const char *ctype,
                       const char *text, size_t len)
{
	rs->status = status;
	pd_buf_clear(&rs->body);
	if (pd_buf_put(&rs->body, text, len) < 0)
		rs->status = 500;
	pd_http_add_header(rs, "Content-Type", ctype);
	pd_http_add_header(rs, "Cache-Control", "no-store");
	pd_http_add_header(rs, "X-Content-Type-Options", "nosniff");
}

static void reply_json(pd_http_response *rs, int status, pd_json *j)
{
	pd_buf b = PD_BUF_INIT((size_t)1 << 30);

	if (!j || pd_json_dump(&b, j, false) < 0 || pd_buf_putc(&b, '\n') < 0)
		reply_text(rs, 500, "application/json",
		           "{\"error\": \"out of memory\"}\n", 27);
	else
		reply_text(rs, status, "application/json", b.ptr, b.len);
	pd_json_free(j);
	pd_buf_dispose(&b);
}

static void reply_error(pd_http_response *rs, int status, const char *msg)
{
	pd_json *j = pd_json_object();

	if (j && pd_json_set_str(j, "error", msg) < 0) {
		pd_json_free(j);
		j = NULL;
	}
	reply_json(rs, status, j);
}

static void reply_405(pd_http_response *rs, const char *allow)
{
	srv_page(rs, 405, "Method not allowed",
	         "This address does not accept that method.");
	pd_http_add_header(rs, "Allow", allow);
}

/* ------------------------------------------------------------------------ */
/* Worlds                                                                   */

static void world_release(srv_world *w)
{
	if (!w || atomic_fetch_sub(&w->refs, 1) != 1)
		return;
	pd_world_free(w->w);
	pd_free(w->routes);
	pd_free(w);
}

static srv_world *world_acquire(pd_server *s)
{
	srv_world *w;

	pthread_mutex_lock(&s->mu);
	w = s->world;
	atomic_fetch_add(&w->refs, 1);
	pthread_mutex_unlock(&s->mu);
	return w;
}

/* A srv_world for `pw` (taken). */
static pd_rc world_new(srv_world **out, pd_world *pw)
{
	const pd_config *cfg = pw->cfg;
	srv_world *w = pd_calloc(1, sizeof(*w));
	pd_rc rc = PD_OK;

	if (!w || !(w->routes = pd_calloc(cfg->nroutes ? cfg->nroutes : 1,
	                                  sizeof(*w->routes)))) {
		pd_free(w);
		pd_world_free(pw);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	atomic_init(&w->refs, 1);
	w->w = pw;
	w->loaded = pd_time_now();
	for (size_t i = 0; rc == PD_OK && i < cfg->nroutes; i++) {
		const pd_route *r = &cfg->routes[i];
		srv_route *sr = &w->routes[w->nroutes++];
		sr->r = r;
		sr->plen = strlen(r->path);
		sr->prefix = sr->plen && r->path[sr->plen - 1] == '/';
		sr->format = PD_FORMAT_AUTO;
		if ((rc = pd_class_parse(&sr->cls, r->cls)) == PD_OK &&
		    r->format)
			rc = pd_format_parse(&sr->format, r->format);
		if (r->area) {
			sr->areas[0] = r->area;
			sr->nareas = 1;
		}
	}
	if (rc < 0) {
		pd_error_prefix("route");
		world_release(w);
		return rc;
	}
	*out = w;
	return PD_OK;
}

pd_rc pd_server_set_world(pd_server *s, pd_world *pw)
{
	srv_world *w, *old;
	const char *labels[] = {"result", "ok"};
	pd_rc rc;

	if ((rc = world_new(&w, pw)) < 0) {
		pd_server_reload_refused(s);
		return rc;
	}
	pthread_mutex_lock(&s->mu);
	w->gen = ++s->gen;
	old = s->world;
	s->world = w;
	pthread_mutex_unlock(&s->mu);
	world_release(old);
	srv_metrics_add(s->metrics, "purdah_reloads_total", 1, 1, labels);
	srv_log("reloaded: generation %llu, %zu route%s",
	        (unsigned long long)w->gen, w->nroutes,
	        w->nroutes == 1 ? "" : "s");
	return PD_OK;
}

void pd_server_reload_refused(pd_server *s)
{
	const char *labels[] = {"result", "refused"};

	srv_metrics_add(s->metrics, "purdah_reloads_total", 1, 1, labels);
	srv_log("reload refused: %s", pd_error_message());
}

uint64_t pd_server_stamp(pd_server *s)
{
	uint64_t st;

	pthread_mutex_lock(&s->mu);
	st = s->world->w->stamp;
	pthread_mutex_unlock(&s->mu);
	return st;
}

unsigned pd_server_port(const pd_server *s)
{
	return pd_http_port(s->http);
}

/* ------------------------------------------------------------------------ */
/* The API                                                                  */

static void api_health(srv_req *q, pd_http_response *rs)
{
	char when[64], text[160];
	int n;

	pd_time_format_utc(when, sizeof(when), q->w->loaded);
	n = snprintf(text, sizeof(text), "ok generation=%llu loaded=%s\n",
	             (unsigned long long)q->w->gen, when);
	reply_text(rs, 200, "text/plain; charset=utf-8", text, (size_t)n);
}

static void api_metrics(srv_req *q, pd_http_response *rs)
{
	pd_buf b = PD_BUF_INIT((size_t)64 << 20);

	if (srv_metrics_render(q->s->metrics, &b) < 0)
		srv_page(rs, 500, "Internal error", "Please try again later.");
	else
		reply_text(rs, 200, "text/plain; version=0.0.4; charset=utf-8",
		           b.ptr ? b.ptr : "", b.len);
	pd_buf_dispose(&b);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of `name` in the query (form-decoded) into out, or false. */
static bool query_param(const char *query, const char *name, char *out,
                        size_t n)
{
	size_t nl = strlen(name);

	for (const char *p = query; p && *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p), o = 0;
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			for (size_t i = nl + 1; i < len && o + 1 < n; i++) {
				int hi, lo;
				if (p[i] == '+') {
					out[o++] = ' ';
				} else if (p[i] == '%' && i + 2 < len + 1 &&
				           (hi = hexval(p[i + 1])) >= 0 &&
				           (lo = hexval(p[i + 2])) >= 0 &&
				           (hi || lo)) {
					out[o++] = (char)(hi * 16 + lo);
					i += 2;
				} else {
					out[o++] = p[i];
				}
			}
			out[o] = 0;
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void api_status(srv_req *q, pd_http_response *rs)
{
	const pd_world *w = q->w->w;
	char at_s[128], area[256];
	bool has_area = query_param(q->query, "area", area, sizeof(area));
	pd_instant at = pd_time_now();

	if (query_param(q->query, "at", at_s, sizeof(at_s)) &&
	    pd_time_parse(&at, at_s, w->tz, "at") < 0) {
		reply_error(rs, 400, pd_error_message());
		return;
	}
	if (has_area && (!area[0] || pd_config_check_area(w->cfg, area) < 0)) {
		reply_error(rs, 400,
		            area[0] ? pd_error_message() : "area: empty");
		return;
	}
	reply_json(rs, 200,
	           pd_status_json(w->cal, w->tz, at, has_area ? area : NULL));
}

static void count_decision(srv_req *q, pd_class cls, pd_decision d)
{
	const char *labels[] = {"class", pd_class_name(cls), "decision",
	                        pd_decision_name(d)};

	srv_metrics_add(q->s->metrics, "purdah_decisions_total", 1, 2, labels);
	q->decision = pd_decision_name(d);
}

static void api_check(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	const pd_world *w = q->w->w;
	const char *ct = pd_http_header(rq, "Content-Type");
	pd_verdict v = PD_VERDICT_INIT;
	pd_check_request req;
	pd_item defaults;
	char id[96] = "-";

	if (strcmp(rq->method, "POST")) {
		reply_405(rs, "POST");
		return;
	}
	if (rq->body_too_big) {
		reply_error(rs, 413, "the request body is too big");
		return;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		reply_error(rs, 415, "the body must be application/json");
		return;
	}
	memset(&defaults, 0, sizeof(defaults));
	defaults.cls = PD_CLASS_COUNCIL_POST;
	defaults.at = pd_time_now();
	if (pd_check_request_parse(&req, "request", 1, rq->body, rq->body_len,
	                           &defaults, w->cfg, w->tz) < 0) {
		reply_error(rs, 400, pd_error_message());
		pd_check_request_dispose(&req);
		return;
	}
	if (req.id) {
		pd_buf b = PD_BUF_INIT(4096);
		if (pd_json_dump(&b, req.id, false) == PD_OK)
			log_escape(id, sizeof(id), b.ptr);
		pd_buf_dispose(&b);
	}
	if (pd_gate_decide(w->gate, &req.item, &v) < 0) {
		/* Fail closed: never an allow. */
		srv_log("decision check id=%s failed: %s", id,
		        pd_error_message());
		reply_error(rs, 500, pd_error_message());
	} else {
		count_decision(q, req.item.cls, v.decision);
		srv_log("decision check id=%s class=%s decision=%s reason=%s",
		        id, pd_class_name(req.item.cls),
		        pd_decision_name(v.decision),
		        v.nreasons ? v.reasons[0].code : "-");
		reply_json(
		        rs, 200,
		        pd_verdict_json(w->gate, &req.item, &v,
		                        req.id ? pd_json_ref(req.id) : NULL));
		pd_http_add_header(rs, "X-Purdah-Decision",
		                   pd_decision_name(v.decision));
	}
	pd_verdict_dispose(&v);
	pd_check_request_dispose(&req);
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */

static void req_free(void *p)
{
	srv_req *q = p;

	world_release(q->w);
	pd_free(q->path);
	pd_free(q->query);
	pd_free(q->url);
	pd_free(q->key);
	pd_free(q->inm);
	pd_free(q->ctype);
	pd_free(q);
}

static bool is_get(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static pd_http_next route(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	const char *t = rq->target, *qm;
	size_t len = strlen(t);

	if (t[0] != '/') {
		/* An absolute URI or "*": this is no proxy for any host. */
		srv_page(rs, 400, "Bad request",
		         "The request must name a path on this server.");
		return PD_HTTP_DONE;
	}
	if (len > MAX_TARGET) {
		srv_page(rs, 414, "Address too long",
		         "The address is too long.");
		return PD_HTTP_DONE;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e ||
		    t[i] == '#') {
			srv_page(rs, 400, "Bad request",
			         "The address is not valid.");
			return PD_HTTP_DONE;
		}
	qm = strchr(t, '?');
	q->path = pd_strndup(t, qm ? (size_t)(qm - t) : len);
	q->query = qm ? pd_strdup(qm + 1) : NULL;
	if (!q->path || (qm && !q->query)) {
		srv_page(rs, 500, "Internal error", "Please try again later.");
		return PD_HTTP_DONE;
	}
	if (!strcmp(q->path, "/healthz") || !strcmp(q->path, "/metrics") ||
	    !strcmp(q->path, "/v1/status")) {
		q->label = q->path[1] == 'h'   ? "/healthz"
		           : q->path[1] == 'm' ? "/metrics"
		                               : "/v1/status";
		if (!is_get(rq->method))
			reply_405(rs, "GET, HEAD");
		else if (q->path[1] == 'h')
			api_health(q, rs);
		else if (q->path[1] == 'm')
			api_metrics(q, rs);
		else
			api_status(q, rs);
		return PD_HTTP_DONE;
	}
	if (!strcmp(q->path, "/v1/check")) {
		q->label = "/v1/check";
		api_check(q, rq, rs);
		return PD_HTTP_DONE;
	}
	if (strncmp(q->path, "/v1/", 4) &&
	    (q->route = srv_route_find(q->w, q->path, &q->rest))) {
		q->label = q->route->r->path;
		return srv_proxy_fast(q, rq, rs);
	}
	srv_page(rs, 404, "Not found", "There is nothing at this address.");
	return PD_HTTP_DONE;
}

static const char *method_label(const char *m)
{
	static const char *const known[] = {"GET",   "HEAD",   "POST",   "PUT",
	                                    "PATCH", "DELETE", "OPTIONS"};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return known[i];
	return "other";
}

/* The request's log line and count. */
static void finish(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	char method[64], target[256], code[8];
	const char *labels[6];
	int status = rs->status ? rs->status : 500;
	size_t bytes = rs->data ? rs->len : rs->body.len;

	snprintf(code, sizeof(code), "%d", status);
	labels[0] = "route", labels[1] = q->label;
	labels[2] = "method", labels[3] = method_label(rq->method);
	labels[4] = "code", labels[5] = code;
	srv_metrics_add(q->s->metrics, "purdah_requests_total", 1, 3, labels);
	log_escape(method, sizeof(method), rq->method);
	log_escape(target, sizeof(target), rq->target);
	srv_log("%s %s %d %zu %.1fms cache=%s decision=%s", method, target,
	        status, bytes, (pd_http_clock() - rq->started) * 1000,
	        q->cache ? q->cache : "-", q->decision ? q->decision : "-");
}

static pd_http_next on_fast(void *ctx, pd_http_request *rq,
                            pd_http_response *rs)
{
	pd_server *s = ctx;
	srv_req *q = pd_calloc(1, sizeof(*q));
	pd_http_next next;

	if (!q) {
		rs->status = 503;
		return PD_HTTP_DONE;
	}
	rq->user = q;
	rq->user_free = req_free;
	q->s = s;
	q->w = world_acquire(s);
	q->label = "none";
	next = route(q, rq, rs);
	if (next == PD_HTTP_DONE)
		finish(q, rq, rs);
	return next;
}

static void on_slow(void *ctx, pd_http_request *rq, pd_http_response *rs)
{
	srv_req *q = rq->user;

	(void)ctx;
	srv_proxy_slow(q, rq, rs);
	finish(q, rq, rs);
}

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

pd_rc pd_server_start(pd_server **out, pd_world *pw, const char *listen)
{
	const pd_serve_config *sc = &pw->cfg->serve;
	pd_server *s = pd_calloc(1, sizeof(*s));
	pd_http_opts ho;
	pd_rc rc;

	*out = NULL;
	if (!s) {
		pd_world_free(pw);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&s->mu, NULL);
	if ((rc = srv_cache_init(&s->cache, sc->cache_entries)) < 0 ||
	    (rc = srv_metrics_new(&s->metrics)) < 0) {
		pd_world_free(pw);
		goto fail;
	}
	if ((rc = world_new(&s->world, pw)) < 0) /* takes pw */
		goto fail;
	s->world->gen = s->gen = 1;
	memset(&ho, 0, sizeof(ho));
	ho.listen = listen;
	ho.threads = sc->threads;
	ho.workers = sc->threads * 4 < 16 ? 16 : sc->threads * 4;
	ho.max_body = sc->max_body_bytes;
	ho.fast = on_fast;
	ho.slow = on_slow;
	ho.ctx = s;
	if ((rc = pd_http_start(&s->http, &ho)) < 0)
		goto fail;
	*out = s;
	return PD_OK;
fail:
	world_release(s->world);
	srv_metrics_free(s->metrics);
	srv_cache_dispose(&s->cache);
	pthread_mutex_destroy(&s->mu);
	pd_free(s);
	return rc;
}

size_t pd_server_stop(pd_server *s, double drain)
{
	size_t left;

	if (!s)
		return 0;
	left = pd_http_stop(s->http, drain);
	world_release(s->world);
	srv_metrics_free(s->metrics);
	srv_cache_dispose(&s->cache);
	pthread_mutex_destroy(&s->mu);
	pd_free(s);
	return left;
}
