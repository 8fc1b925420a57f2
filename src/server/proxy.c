/*
 * The filtering proxy: a route maps a path to one upstream URL; what comes
 * back is filtered for the route's class and area as the periods in force
 * make it (pd_filter_run), cached, and served with X-Purdah-Decision.
 *
 *   - A fresh filtered copy is served from memory (no upstream). It is
 *     fresh while the upstream body is within the route's ttl, the world
 *     that filtered it is still served, and the filter's valid_until (the
 *     next period boundary) has not come: a cached answer never outlives a
 *     period starting or ending.
 *   - An expired body is revalidated (If-None-Match, If-Modified-Since); a
 *     304 keeps it, a 200 replaces it.
 *   - When the upstream fails (connection, timeout, size, a redirect to
 *     another host, a 5xx, content the filter cannot read), the last good
 *     body is filtered again and served as stale within ttl + stale;
 *     after that, 502 with a neutral page. Nothing is ever passed through
 *     unfiltered.
 *   - Forum routes: reads as above; writes (POST, PUT, PATCH, DELETE) are
 *     refused with 403 and a notice while the gate blocks forum posts for
 *     the route's area, and passed to the upstream otherwise.
 *   - Each item a newly filtered copy removes becomes a review item
 *     (source "proxy", account the route's path, origin the item's id, no
 *     publication time: the same item on the next refresh is the same
 *     review item). Filtering therefore runs on worker threads only (a
 *     cached copy that is out of date sends the request to one), and a
 *     store that fails is logged and counted but never stops the filtered
 *     copy from being served.
 */
#include <stdio.h>
#include <string.h>

#include "dep/curl.h"
#include "purdah/alloc.h"
#include "server/server.h"

#define MAX_MAX_AGE (365L * 24 * 3600)

const srv_route *srv_route_find(const srv_world *w, const char *path,
                                const char **rest)
{
	const srv_route *best = NULL;

	for (size_t i = 0; i < w->nroutes; i++) {
		const srv_route *r = &w->routes[i];
		if (!r->prefix && !strcmp(path, r->r->path)) {
			*rest = "";
			return r;
		}
		if (r->prefix && !strncmp(path, r->r->path, r->plen) &&
		    (!best || r->plen > best->plen))
			best = r;
	}
	if (best)
		*rest = path + best->plen;
	return best;
}

static int hexv(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static bool hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * May `s` (the rest of a path after a prefix route, or a query when
 * `query`) be appended to an upstream URL? Only RFC 3986 path characters
 * (and '?' in a query); percent escapes of two hex digits that do not
 * decode to a control character nor, in a path, to '.', '/', '\\' or '%';
 * in a path, no "." or ".." segment and no empty one ("//").
 */
static bool safe_suffix(const char *s, bool query)
{
	static const char ok[] = "-._~!$&'()*+,;=:@/";
	size_t seg = 0; /* length of the current segment */
	bool dots = true;

	for (const char *p = s;; p++) {
		if (!query && (*p == '/' || !*p)) {
			if ((seg == 0 && *p == '/') ||
			    (dots && seg && seg <= 2))
				return false;
			if (!*p)
				return true;
			seg = 0;
			dots = true;
			continue;
		}
		if (!*p)
			return true;
		if (*p == '%') {
			int v;
			if (!hex(p[1]) || !hex(p[2]))
				return false;
			v = hexv(p[1]) * 16 + hexv(p[2]);
			if (v < 0x20 || v == 0x7f ||
			    (!query &&
			     (v == '.' || v == '/' || v == '\\' || v == '%')))
				return false;
			p += 2;
			seg += 3;
			dots = false;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(ok, *p) ||
		      (query && *p == '?')))
			return false;
		if (*p != '.')
			dots = false;
		seg++;
	}
}

static const char *format_type(pd_format f)
{
	switch (f) {
	case PD_FORMAT_RSS: return "application/rss+xml";
	case PD_FORMAT_ATOM: return "application/atom+xml";
	case PD_FORMAT_HTML: return "text/html";
	default: return "text/plain";
	}
}

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static void count(srv_req *q, const char *family, const char *k, const char *v)
{
	const char *labels[] = {"route", q->label, k, v};

	srv_metrics_add(q->s->metrics, family, 1, k ? 2 : 1, labels);
}

/* Record what a new filtered copy removed in the review queue. */
static void record_removed(srv_req *q, const pd_filter_result *r)
{
	pd_buf sb = PD_BUF_INIT((size_t)1 << 24);
	pd_store *st = NULL;
	size_t added = 0;
	pd_rc rc = PD_OK;

	if (!r->nremoved_items)
		return;
	if ((rc = srv_store_take(q->s, &st)) < 0) {
		srv_store_failed(q->s, "proxy");
		return;
	}
	for (size_t i = 0; i < r->nremoved_items && rc == PD_OK; i++) {
		pd_review_new n;
		int64_t id;
		bool created = false;
		if ((rc = pd_review_new_from_removed(
		             &n, &sb, q->w->w->gate, &r->removed_items[i],
		             q->route->cls, q->route->areas, q->route->nareas,
		             "proxy", q->route->r->path, NULL)) == PD_OK)
			rc = pd_store_record(st, &n, pd_time_now(),
			                     q->w->w->cfg->review.hold_for, &id,
			                     &created);
		added += created;
	}
	if (rc < 0)
		srv_store_failed(q->s, "proxy");
	else if (added)
		srv_log("review: route=%s %zu item%s recorded",
		        q->route->r->path, added, added == 1 ? "" : "s");
	srv_store_give(q->s, st, rc == PD_EIO || rc == PD_EDEP);
	pd_buf_dispose(&sb);
}

/* Filter `raw` now for q's route: a new "out" document (one reference). */
static pd_rc filter(srv_req *q, const srv_doc *raw, srv_doc **out)
{
	const srv_route *rt = q->route;
	const pd_world *w = q->w->w;
	pd_filter_result r = PD_FILTER_RESULT_INIT;
	pd_filter_opts o;
	char etag[40], until[16] = "", dec[192];
	size_t len;
	char *data;
	uint64_t h;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	o.cls = rt->cls;
	o.at = pd_time_now();
	o.areas = rt->areas;
	o.nareas = rt->nareas;
	o.format = rt->format;
	o.content_type = raw->content_type;
	o.max_bytes = w->cfg->filter_max_bytes;
	if ((rc = pd_filter_run(w->gate, &o, rt->r->path, raw->data, raw->len,
	                        &r)) < 0) {
		srv_log("filter %s: %s", rt->r->path, pd_error_message());
		goto done;
	}
	if (r.period && r.decision == PD_BLOCK)
		pd_date_format(until, sizeof(until), r.period->last_day);
	snprintf(dec, sizeof(dec), "%s%s%s", pd_decision_name(r.decision),
	         r.reason ? "; reason=" : "", r.reason ? r.reason : "");
	if (r.removed)
		snprintf(dec + strlen(dec), sizeof(dec) - strlen(dec),
		         "; removed=%zu", r.removed);
	if (until[0])
		snprintf(dec + strlen(dec), sizeof(dec) - strlen(dec),
		         "; until=%s", until);
	len = r.out.len;
	data = len ? pd_buf_detach(&r.out) : pd_strdup("");
	h = fnv(fnv(1469598103934665603ULL, data ? data : "", len), dec,
	        strlen(dec));
	snprintf(etag, sizeof(etag), "\"pd-%016llx\"", (unsigned long long)h);
	if (!data ||
	    !(*out = srv_doc_new(data, len,
	                         raw->content_type ? raw->content_type
	                                           : format_type(r.format),
	                         etag, NULL)) ||
	    !((*out)->decision = pd_strdup(dec))) {
		if (data && *out)
			srv_doc_unref(*out);
		*out = NULL;
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	(*out)->until = r.valid_until;
	(*out)->gen = q->w->gen;
	{
		const char *labels[] = {"class", pd_class_name(rt->cls),
		                        "decision",
		                        pd_decision_name(r.decision)};
		srv_metrics_add(q->s->metrics, "purdah_decisions_total", 1, 2,
		                labels);
	}
	srv_log("decision route=%s class=%s decision=%s reason=%s items=%zu "
	        "removed=%zu",
	        rt->r->path, pd_class_name(rt->cls),
	        pd_decision_name(r.decision), r.reason ? r.reason : "-",
	        r.items, r.removed);
	record_removed(q, &r);
done:
	pd_filter_result_dispose(&r);
	return rc;
}

static bool out_valid(const srv_req *q, const srv_doc *out)
{
	return out && out->gen == q->w->gen && pd_time_now() < out->until;
}

static bool etag_match(const char *inm, const char *etag)
{
	return inm && etag && (strstr(inm, etag) || !strcmp(inm, "*"));
}

/* Send `out`: fresh until `fresh` (pd_http_clock) at most. */
static void send_out(srv_req *q, pd_http_response *rs, srv_doc *out,
                     const char *kind, double fresh)
{
	double age = fresh - pd_http_clock();
	double wall = (double)(out->until - pd_time_now());
	char cc[48];

	if (wall < age)
		age = wall;
	if (age < 0 || !strcmp(kind, "stale"))
		age = 0;
	if (age > MAX_MAX_AGE)
		age = MAX_MAX_AGE;
	snprintf(cc, sizeof(cc), "max-age=%ld", (long)age);
	q->cache = kind;
	q->decision = out->decision;
	rs->status = etag_match(q->inm, out->etag) ? 304 : 200;
	pd_http_add_header(rs, "Content-Type", out->content_type);
	pd_http_add_header(rs, "ETag", out->etag);
	pd_http_add_header(rs, "Cache-Control", cc);
	pd_http_add_header(rs, "X-Purdah-Decision", out->decision);
	pd_http_add_header(rs, "X-Purdah-Cache", kind);
	pd_http_add_header(rs, "X-Content-Type-Options", "nosniff");
	if (rs->status == 200)
		pd_http_borrow_body(rs, out->data, out->len, srv_doc_unref,
		                    srv_doc_ref(out));
	count(q, "purdah_cache_hits_total", "kind", kind);
}

static void bad_gateway(srv_req *q, pd_http_response *rs)
{
	(void)q;
	srv_page(rs, 502, "Temporarily unavailable",
	         "This content is temporarily unavailable. Please try again "
	         "later.");
}

/* Serve what `sn` holds (filtering it again when its copy is out of date);
 * false when it cannot be filtered. */
static bool serve_snap(srv_req *q, pd_http_response *rs, srv_snap *sn,
                       const char *kind, double fresh)
{
	srv_doc *out = NULL;

	if (out_valid(q, sn->out)) {
		out = srv_doc_ref(sn->out);
	} else {
		if (filter(q, sn->raw, &out) < 0)
			return false;
		srv_cache_put_out(&q->s->cache, q->key, sn->raw, out);
	}
	send_out(q, rs, out, kind, fresh);
	srv_doc_unref(out);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Forums                                                                   */

static bool forum_write(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") ||
	       !strcmp(m, "DELETE");
}

static pd_http_next forum_fast(srv_req *q, pd_http_request *rq,
                               pd_http_response *rs)
{
	const pd_world *w = q->w->w;
	pd_verdict v = PD_VERDICT_INIT;
	pd_item it;
	const char *ct;

	memset(&it, 0, sizeof(it));
	it.text = "";
	it.cls = PD_CLASS_FORUM;
	it.areas = q->route->areas;
	it.nareas = q->route->nareas;
	it.at = pd_time_now();
	if (pd_gate_decide(w->gate, &it, &v) < 0) {
		srv_log("decision route=%s class=forum failed: %s",
		        q->route->r->path, pd_error_message());
		srv_page(rs, 500, "Internal error", "Please try again later.");
		pd_verdict_dispose(&v);
		return PD_HTTP_DONE;
	}
	{
		const char *labels[] = {"class", "forum", "decision",
		                        pd_decision_name(v.decision)};
		srv_metrics_add(q->s->metrics, "purdah_decisions_total", 1, 2,
		                labels);
	}
	q->decision = pd_decision_name(v.decision);
	srv_log("decision route=%s class=forum write=%s decision=%s reason=%s",
	        q->route->r->path, rq->method, pd_decision_name(v.decision),
	        v.nreasons ? v.reasons[0].code : "-");
	if (v.decision != PD_ALLOW) {
		const pd_period *p = NULL;
		pd_buf notice = PD_BUF_INIT(4096);
		char hdr[160], until[16] = "";
		for (size_t i = 0; i < v.nreasons && !p; i++)
			p = v.reasons[i].period;
		if (!p ||
		    pd_filter_notice(w->gate, PD_CLASS_FORUM, p, &notice) < 0) {
			pd_buf_clear(&notice);
			pd_buf_puts(&notice, v.nreasons
			                             ? v.reasons[0].message
			                             : "Comments are closed.");
		}
		srv_page(rs, 403, "Comments are closed",
		         notice.ptr ? notice.ptr : "");
		if (p)
			pd_date_format(until, sizeof(until), p->last_day);
		snprintf(hdr, sizeof(hdr), "%s; reason=%s%s%s",
		         pd_decision_name(v.decision),
		         v.nreasons ? v.reasons[0].code : "-",
		         until[0] ? "; until=" : "", until);
		pd_http_add_header(rs, "X-Purdah-Decision", hdr);
		q->decision = pd_decision_name(v.decision);
		pd_buf_dispose(&notice);
		pd_verdict_dispose(&v);
		return PD_HTTP_DONE;
	}
	pd_verdict_dispose(&v);
	if (!strncmp(q->route->r->upstream, "file:", 5)) {
		srv_page(rs, 405, "Method not allowed",
		         "This address does not accept that method.");
		pd_http_add_header(rs, "Allow", "GET, HEAD");
		return PD_HTTP_DONE;
	}
	if (rq->body_too_big) {
		srv_page(rs, 413, "Too big", "The request body is too big.");
		return PD_HTTP_DONE;
	}
	if ((ct = pd_http_header(rq, "Content-Type")) &&
	    !(q->ctype = pd_strdup(ct))) {
		srv_page(rs, 500, "Internal error", "Please try again later.");
		return PD_HTTP_DONE;
	}
	q->write = true;
	return PD_HTTP_SLOW;
}

/* What every fetch for `q`'s route shares: the URL and the route's limits. */
static void route_fetch_opts(const srv_req *q, pd_fetch_opts *fo)
{
	const pd_route *r = q->route->r;

	memset(fo, 0, sizeof(*fo));
	fo->url = q->url;
	fo->timeout = r->timeout;
	fo->max_bytes = r->max_bytes;
	fo->redirect_hosts = (const char *const *)r->redirect_hosts;
	fo->nredirect_hosts = r->nredirect_hosts;
}

static void forum_slow(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	const pd_route *r = q->route->r;
	pd_fetch_result fr = PD_FETCH_RESULT_INIT;
	pd_fetch_opts fo;

	route_fetch_opts(q, &fo);
	fo.method = rq->method;
	fo.body = rq->body;
	fo.body_len = rq->body_len;
	fo.content_type = q->ctype;
	if (pd_fetch(&fr, &fo) < 0 || fr.status < 200 || fr.status > 599) {
		srv_log("upstream %s: %s", r->path,
		        pd_error_code() ? pd_error_message() : "bad status");
		count(q, "purdah_upstream_errors_total", NULL, NULL);
		bad_gateway(q, rs);
	} else {
		rs->status = (int)fr.status;
		pd_buf_dispose(&rs->body);
		rs->body = fr.body;
		fr.body = (pd_buf)PD_BUF_INIT(0);
		if (fr.content_type)
			pd_http_add_header(rs, "Content-Type", fr.content_type);
		pd_http_add_header(rs, "Cache-Control", "no-store");
		pd_http_add_header(rs, "X-Purdah-Decision", "allow");
	}
	pd_fetch_result_dispose(&fr);
}

/* ------------------------------------------------------------------------ */
/* Routes                                                                   */

/* The upstream URL and the cache key of the request. */
static bool make_url(srv_req *q)
{
	const pd_route *r = q->route->r;
	pd_buf b = PD_BUF_INIT(16384);
	bool file = !strncmp(r->upstream, "file:", 5), ok = true;

	if (q->route->prefix) {
		size_t ul = strlen(r->upstream);
		ok = pd_buf_puts(&b, r->upstream) == PD_OK;
		if (ok && (!ul || r->upstream[ul - 1] != '/'))
			ok = pd_buf_putc(&b, '/') == PD_OK;
		ok = ok && pd_buf_puts(&b, q->rest) == PD_OK;
		if (ok && q->query && q->query[0] && !file)
			ok = pd_buf_printf(&b, "?%s", q->query) == PD_OK;
	} else {
		ok = pd_buf_puts(&b, r->upstream) == PD_OK;
	}
	if (ok)
		q->url = pd_strdup(b.ptr);
	pd_buf_clear(&b);
	if (ok && q->url && pd_buf_printf(&b, "%s\n%s", r->path, q->url) == 0)
		q->key = pd_buf_detach(&b);
	pd_buf_dispose(&b);
	return q->url && q->key;
}

pd_http_next srv_proxy_fast(srv_req *q, pd_http_request *rq,
                            pd_http_response *rs)
{
	const srv_route *rt = q->route;
	bool forum = rt->cls == PD_CLASS_FORUM;
	const char *inm;
	srv_snap sn;
	bool done = false;

	if (rt->prefix && (!safe_suffix(q->rest, false) ||
	                   (q->query && !safe_suffix(q->query, true)))) {
		srv_page(rs, 404, "Not found",
		         "There is nothing at this address.");
		return PD_HTTP_DONE;
	}
	if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD")) {
		;
	} else if (forum && forum_write(rq->method)) {
		if (!make_url(q)) {
			srv_page(rs, 500, "Internal error", "Try again later.");
			return PD_HTTP_DONE;
		}
		return forum_fast(q, rq, rs);
	} else {
		srv_page(rs, 405, "Method not allowed",
		         "This address does not accept that method.");
		pd_http_add_header(rs, "Allow",
		                   forum ? "GET, HEAD, POST, PUT, PATCH, DELETE"
		                         : "GET, HEAD");
		return PD_HTTP_DONE;
	}
	if (!make_url(q) || ((inm = pd_http_header(rq, "If-None-Match")) &&
	                     !(q->inm = pd_strdup(inm)))) {
		srv_page(rs, 500, "Internal error", "Please try again later.");
		return PD_HTTP_DONE;
	}
	/* The hot path: a fresh copy in memory (filtering again, which may
	 * record review items, happens on a worker). */
	srv_cache_get(&q->s->cache, q->key, &sn);
	if (sn.raw && pd_http_clock() < sn.fetched + rt->r->ttl &&
	    out_valid(q, sn.out))
		done = serve_snap(q, rs, &sn, "hit", sn.fetched + rt->r->ttl);
	srv_snap_dispose(&sn);
	return done ? PD_HTTP_DONE : PD_HTTP_SLOW;
}

/* The upstream failed: the last good copy while it may serve, else 502. */
static void upstream_failed(srv_req *q, pd_http_response *rs, srv_snap *sn)
{
	const pd_route *r = q->route->r;

	count(q, "purdah_upstream_errors_total", NULL, NULL);
	if (sn->raw && pd_http_clock() < sn->fetched + r->ttl + r->stale &&
	    serve_snap(q, rs, sn, "stale", 0))
		return;
	bad_gateway(q, rs);
}

void srv_proxy_slow(srv_req *q, pd_http_request *rq, pd_http_response *rs)
{
	const pd_route *r = q->route->r;
	pd_fetch_result fr = PD_FETCH_RESULT_INIT;
	pd_fetch_opts fo;
	srv_doc *raw = NULL, *out = NULL;
	srv_snap sn;
	pd_rc rc;

	if (q->write) {
		forum_slow(q, rq, rs);
		return;
	}
	switch (srv_cache_claim(&q->s->cache, q->key, r->ttl, r->stale,
	                        pd_http_clock() + r->timeout + 1, &sn)) {
	case SRV_FRESH:
		if (!serve_snap(q, rs, &sn, "hit", sn.fetched + r->ttl))
			bad_gateway(q, rs);
		srv_snap_dispose(&sn);
		return;
	case SRV_STALE:
		if (!serve_snap(q, rs, &sn, "stale", 0))
			bad_gateway(q, rs);
		srv_snap_dispose(&sn);
		return;
	case SRV_TIMEOUT: bad_gateway(q, rs); return;
	case SRV_NOMEM:
		srv_page(rs, 503, "Busy", "Please try again later.");
		return;
	case SRV_OWNER: break;
	}
	route_fetch_opts(q, &fo);
	fo.if_none_match = sn.raw ? sn.raw->etag : NULL;
	fo.if_modified_since = sn.raw ? sn.raw->last_modified : NULL;
	rc = pd_fetch(&fr, &fo);
	{
		const char *labels[] = {"route", q->label};
		srv_metrics_observe(q->s->metrics,
		                    "purdah_upstream_latency_seconds",
		                    fr.seconds, 1, labels);
	}
	if (rc == PD_OK && fr.status == 304 && sn.raw) {
		srv_cache_finish(&q->s->cache, q->key, SRV_REVALIDATED, NULL);
		if (!serve_snap(q, rs, &sn, "revalidated",
		                pd_http_clock() + r->ttl))
			bad_gateway(q, rs);
	} else if (rc == PD_OK && (fr.status == 200 || fr.status == 203)) {
		size_t len = fr.body.len;
		char *data = len ? pd_buf_detach(&fr.body) : pd_strdup("");
		raw = srv_doc_new(data, len, fr.content_type, fr.etag,
		                  fr.last_modified);
		if (raw && filter(q, raw, &out) == PD_OK) {
			srv_cache_finish(&q->s->cache, q->key, SRV_REPLACED,
			                 raw);
			srv_cache_put_out(&q->s->cache, q->key, raw, out);
			send_out(q, rs, out, "miss", pd_http_clock() + r->ttl);
		} else {
			/* Unreadable: never passed through; the old copy. */
			srv_cache_finish(&q->s->cache, q->key, SRV_FAILED,
			                 NULL);
			upstream_failed(q, rs, &sn);
		}
	} else if (rc == PD_OK && (fr.status == 404 || fr.status == 410)) {
		srv_cache_finish(&q->s->cache, q->key, SRV_FAILED, NULL);
		srv_page(rs, 404, "Not found",
		         "There is nothing at this address.");
	} else {
		if (rc == PD_OK)
			srv_log("upstream %s: status %ld", r->path, fr.status);
		else
			srv_log("upstream %s: %s", r->path, pd_error_message());
		srv_cache_finish(&q->s->cache, q->key, SRV_FAILED, NULL);
		upstream_failed(q, rs, &sn);
	}
	srv_doc_unref(raw);
	srv_doc_unref(out);
	pd_fetch_result_dispose(&fr);
	srv_snap_dispose(&sn);
}
