/*
 * The HTTP service: the world being served and its reload, the dispatch of
 * a request (the API's paths, the review pages, then the configured
 * routes, then 404), the API (POST /v1/check, GET /v1/status, /healthz,
 * /metrics; GET /v1/items/ID is review.c's), the pool of review store
 * connections, neutral pages, and the log: one line per request and one
 * per decision, on stderr.
 *
 * POST /v1/check records what it holds or blocks in the review store
 * (source "api") and answers its item id; when the store fails, the
 * answer is 503 and claims nothing (fail closed): a hold is only ever
 * answered once it is in the queue.
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

void srv_reply_json(pd_http_response *rs, int status, pd_json *j)
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

void srv_reply_error(pd_http_response *rs, int status, const char *msg)
{
	pd_json *j = pd_json_object();

	if (j && pd_json_set_str(j, "error", msg) < 0) {
		pd_json_free(j);
		j = NULL;
	}
	srv_reply_json(rs, status, j);
}

static void reply_405(pd_http_response *rs, const char *allow)
{
	srv_page(rs, 405, "Method not allowed",
	         "This address does not accept that method.");
	pd_http_add_header(rs, "Allow", allow);
}

/* ------------------------------------------------------------------------ */
/* The store pool                                                           */

pd_rc srv_store_take(pd_server *s, pd_store **out)
{
	pd_store_opts o;

	*out = NULL;
	pthread_mutex_lock(&s->store_mu);
	if (s->nidle)
		*out = s->idle[--s->nidle];
	pthread_mutex_unlock(&s->store_mu);
	if (*out)
		return PD_OK;
	memset(&o, 0, sizeof(o));
	o.sync_full = s->db_sync_full;
	o.create = true;
	return pd_store_open(out, s->db, &o);
}

void srv_store_give(pd_server *s, pd_store *st, bool broken)
{
	if (!st)
		return;
	pthread_mutex_lock(&s->store_mu);
	if (!broken && s->nidle < SRV_STORE_IDLE) {
		s->idle[s->nidle++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&s->store_mu);
	pd_store_close(st);
}

void srv_store_failed(pd_server *s, const char *where)
{
	const char *labels[] = {"where", where};

	srv_metrics_add(s->metrics, "purdah_store_errors_total", 1, 1, labels);
	srv_log("store (%s): %s", where, pd_error_message());
}

/* Is a failure of this kind one that may leave a connection unusable? */
static bool store_broken(pd_rc rc)
{
	return rc == PD_EIO || rc == PD_EDEP || rc == PD_EINTERNAL;
}

/* The "load" audit entry for the world being served (main thread). */
static void note_load(pd_server *s, const pd_world *w)
{
	pd_store *st = NULL;
	pd_rc rc;

	if ((rc = srv_store_take(s, &st)) == PD_OK)
		rc = pd_audit_note_load(st, pd_time_now(), "purdah", w->gate);
	if (rc < 0)
		srv_store_failed(s, "load");
	srv_store_give(s, st, rc < 0 && store_broken(rc));
}

void pd_server_expire(pd_server *s)
{
	pd_store *st = NULL;
	size_t n = 0;
	pd_rc rc;

	if ((rc = srv_store_take(s, &st)) == PD_OK)
		rc = pd_store_expire(st, pd_time_now(), &n);
	if (rc < 0)
		srv_store_failed(s, "expire");
	else if (n)
		srv_log("review: %zu pending item%s expired", n,
		        n == 1 ? "" : "s");
	srv_store_give(s, st, rc < 0 && store_broken(rc));
}

void pd_server_set_reload(pd_server *s, pd_server_reload_fn fn, void *ctx)
{
	pthread_mutex_lock(&s->mu);
	s->reload = fn;
	s->reload_ctx = ctx;
	pthread_mutex_unlock(&s->mu);
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
	atomic_fetch_add(&w->refs, 1); /* ours until the end */
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
	note_load(s, w->w);
	world_release(w);
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

static bool is_get(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

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
		srv_reply_error(rs, 400, pd_error_message());
		return;
	}
	if (has_area && (!area[0] || pd_config_check_area(w->cfg, area) < 0)) {
		srv_reply_error(rs, 400,
		                area[0] ? pd_error_message() : "area: empty");
		return;
	}
	srv_reply_json(
	        rs, 200,
	        pd_status_json(w->cal, w->tz, at, has_area ? area : NULL));
}

static void count_decision(srv_req *q, pd_class cls, pd_decision d)
{
	const char *labels[] = {"class", pd_class_name(cls), "decision",
	                        pd_decision_name(d)};

	srv_metrics_add(q->s->metrics, "purdah_decisions_total", 1, 2, labels);
	q->decision = pd_decision_name(d);
}

/* Answer the decision of q->chk (q->verdict): its JSON, with "item_id"
 * and "item_new" when `id` > 0. */
static void check_answer(srv_req *q, pd_http_response *rs, int64_t id,
                         bool created)
{
	const pd_world *w = q->w->w;
	pd_check_request *req = q->chk;
	pd_json *j = pd_verdict_json(w->gate, &req->item, q->verdict,
	                             req->id ? pd_json_ref(req->id) : NULL);

	if (j && id > 0 &&
	    (pd_json_set_int(j, "item_id", id) < 0 ||
	     pd_json_set_bool(j, "item_new", created) < 0)) {
		pd_json_free(j);
		j = NULL;
	}
	srv_reply_json(rs, 200, j);
	pd_http_add_header(rs, "X-Purdah-Decision",
	                   pd_decision_name(q->verdict->decision));
}

static void check_free(srv_req *q)
{
	if (q->chk)
		pd_check_request_dispose(q->chk);
	pd_free(q->chk);
	q->chk = NULL;
	if (q->verdict)
		pd_verdict_dispose(q->verdict);
	pd_free(q->verdict);
	q->verdict = NULL;
}

/* POST /v1/check: decided here; a hold or a block is recorded in the
 * review store on a worker (check_slow). */
static pd_http_next api_check(srv_req *q, pd_http_request *rq,
                              pd_http_response *rs)
{
	const pd_world *w = q->w->w;
	const char *ct = pd_http_header(rq, "Content-Type");
	pd_check_request *req;
	pd_item defaults;

	if (strcmp(rq->method, "POST")) {
		reply_405(rs, "POST");
		return PD_HTTP_DONE;
	}
	if (rq->body_too_big) {
		srv_reply_error(rs, 413, "the request body is too big");
		return PD_HTTP_DONE;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		srv_reply_error(rs, 415, "the body must be application/json");
		return PD_HTTP_DONE;
	}
	if (!(q->chk = req = pd_calloc(1, sizeof(*req))) ||
	    !(q->verdict = pd_malloc(sizeof(*q->verdict)))) {
		srv_reply_error(rs, 503, "out of memory");
		return PD_HTTP_DONE;
	}
	*q->verdict = (pd_verdict)PD_VERDICT_INIT;
	memset(&defaults, 0, sizeof(defaults));
	defaults.cls = PD_CLASS_COUNCIL_POST;
	defaults.at = pd_time_now();
	if (pd_check_request_parse(req, "request", 1, rq->body, rq->body_len,
	                           &defaults, w->cfg, w->tz) < 0) {
		srv_reply_error(rs, 400, pd_error_message());
		return PD_HTTP_DONE;
	}
	memcpy(q->logid, "-", 2);
	if (req->id) {
		pd_buf b = PD_BUF_INIT(4096);
		if (pd_json_dump(&b, req->id, false) == PD_OK)
			log_escape(q->logid, sizeof(q->logid), b.ptr);
		pd_buf_dispose(&b);
	}
	if (pd_gate_decide(w->gate, &req->item, q->verdict) < 0) {
		/* Fail closed: never an allow. */
		srv_log("decision check id=%s failed: %s", q->logid,
		        pd_error_message());
		srv_reply_error(rs, 500, pd_error_message());
		return PD_HTTP_DONE;
	}
	count_decision(q, req->item.cls, q->verdict->decision);
	srv_log("decision check id=%s class=%s decision=%s reason=%s", q->logid,
	        pd_class_name(req->item.cls),
	        pd_decision_name(q->verdict->decision),
	        q->verdict->nreasons ? q->verdict->reasons[0].code : "-");
	if (q->verdict->decision == PD_ALLOW) {
		check_answer(q, rs, 0, false);
		return PD_HTTP_DONE;
	}
	q->slow = SRV_SLOW_CHECK;
	return PD_HTTP_SLOW;
}

/*
 * Record a held or blocked check (source "api", origin the request's id)
 * and answer with its item id. When the store fails the answer is 503 and
 * claims no recording (fail closed: a caller told "hold" must be able to
 * rely on the item being in the queue).
 */
static void check_slow(srv_req *q, pd_http_response *rs)
{
	const pd_world *w = q->w->w;
	pd_buf strings = PD_BUF_INIT((size_t)1 << 26);
	pd_review_new n;
	pd_store *st = NULL;
	char origin[96];
	const char *org = NULL;
	int64_t id = 0;
	bool created = false;
	pd_rc rc;

	if (q->chk->id && pd_json_is_string(q->chk->id)) {
		org = pd_json_str(q->chk->id);
	} else if (q->chk->id && pd_json_is_integer(q->chk->id)) {
		snprintf(origin, sizeof(origin), "%lld",
		         (long long)pd_json_integer(q->chk->id));
		org = origin;
	}
	if ((rc = srv_store_take(q->s, &st)) == PD_OK &&
	    (rc = pd_review_new_from_verdict(&n, &strings, w->gate,
	                                     &q->chk->item, q->verdict, "api",
	                                     org)) == PD_OK)
		rc = pd_store_record(st, &n, pd_time_now(),
		                     w->cfg->review.hold_for, &id, &created);
	if (rc < 0) {
		srv_store_failed(q->s, "api");
		srv_reply_error(rs, 503,
		                "the review queue is unavailable: the item was "
		                "not recorded; try again later");
		pd_http_add_header(rs, "Retry-After", "30");
	} else {
		srv_log("review: check id=%s item %lld%s", q->logid,
		        (long long)id, created ? " recorded" : " (known)");
		check_answer(q, rs, id, created);
	}
	srv_store_give(q->s, st, rc < 0 && store_broken(rc));
	pd_buf_dispose(&strings);
}

/* GET /v1/items/ID: the id checked here, the item read on a worker. */
static pd_http_next api_item(srv_req *q, pd_http_request *rq,
                             pd_http_response *rs, const char *id)
{
	int64_t v = 0;

	if (!is_get(rq->method)) {
		reply_405(rs, "GET, HEAD");
		return PD_HTTP_DONE;
	}
	for (const char *p = id; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10) {
			v = 0;
			break;
		}
		v = v * 10 + (*p - '0');
	}
	if (v <= 0 || id[0] == '0') {
		srv_reply_error(rs, 400,
		                "the item id must be a positive integer");
		return PD_HTTP_DONE;
	}
	q->item = v;
	q->slow = SRV_SLOW_ITEM;
	return PD_HTTP_SLOW;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */

static void req_free(void *p)
{
	srv_req *q = p;

	check_free(q);
	world_release(q->w);
	pd_free(q->path);
	pd_free(q->query);
	pd_free(q->url);
	pd_free(q->key);
	pd_free(q->inm);
	pd_free(q->ctype);
	pd_free(q);
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
		return api_check(q, rq, rs);
	}
	if (!strncmp(q->path, "/v1/items/", 10)) {
		q->label = "/v1/items";
		return api_item(q, rq, rs, q->path + 10);
	}
	if (!strcmp(q->path, "/review") || !strncmp(q->path, "/review/", 8)) {
		q->label = "/review";
		return srv_review_fast(q, rq, rs);
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
	switch (q->slow) {
	case SRV_SLOW_CHECK: check_slow(q, rs); break;
	case SRV_SLOW_ITEM: srv_item_slow(q, rs); break;
	case SRV_SLOW_REVIEW: srv_review_slow(q, rq, rs); break;
	default: srv_proxy_slow(q, rq, rs);
	}
	finish(q, rq, rs);
}

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

/* The store pool and the review pages' locks. */
static void review_dispose(pd_server *s)
{
	while (s->nidle)
		pd_store_close(s->idle[--s->nidle]);
	pd_free(s->db);
	s->db = NULL;
	pthread_mutex_destroy(&s->store_mu);
	pthread_mutex_destroy(&s->freeze_mu);
}

pd_rc pd_server_start(pd_server **out, pd_world *pw, const char *listen)
{
	return pd_server_start_db(out, pw, listen, NULL);
}

pd_rc pd_server_start_db(pd_server **out, pd_world *pw, const char *listen,
                         const char *db)
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
	pthread_mutex_init(&s->store_mu, NULL);
	pthread_mutex_init(&s->freeze_mu, NULL);
	s->db_sync_full = pw->cfg->review.sync_full;
	if (!(s->db = pd_strdup(db ? db : pw->cfg->review.db))) {
		pd_world_free(pw);
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto fail;
	}
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
	note_load(s, s->world->w);
	if ((rc = pd_http_start(&s->http, &ho)) < 0)
		goto fail;
	*out = s;
	return PD_OK;
fail:
	world_release(s->world);
	review_dispose(s);
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
	review_dispose(s);
	srv_metrics_free(s->metrics);
	srv_cache_dispose(&s->cache);
	pthread_mutex_destroy(&s->mu);
	pd_free(s);
	return left;
}
