/*
 * The HTTP service of `purdah serve` (private to src/server/ and
 * src/cli/cmd_serve.c).
 *
 * server.c  routing, the filtering proxy, forums, the API, logs
 * cache.c   the route cache: upstream bodies with their validators and the
 *           filtered copies, reference-counted, bounded, least recently
 *           used out first
 * metrics.c counters and a histogram in Prometheus' text format
 * review.c  the review pages under /review (login, queue, item, audit,
 *           export, freeze) and GET /v1/items/ID
 * form.c    form fields, cookies and percent-encoding for review.c
 *
 * The review store (include/purdah/store.h) is reached through a small
 * pool of connections, opened when first needed and used on worker
 * threads only (a polling thread never waits for SQLite): anything that
 * touches it answers PD_HTTP_SLOW from the fast path.
 *
 * The service serves one world (configuration, calendars, lexicons, gate)
 * at a time; pd_server_set_world swaps in a new one atomically, and
 * requests already running finish on the one they started with.
 */
#ifndef PURDAH_SERVER_H
#define PURDAH_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/store.h"
#include "purdah/time.h"
#include "purdah/world.h"

/* ------------------------------------------------------------------------ */
/* The service (server.c)                                                   */

typedef struct pd_server pd_server;

/*
 * Serve `w` (taken, even on failure) on `listen` ("ADDR:PORT"). The
 * listener's settings (threads, max_body_bytes, cache_entries) come from
 * w->cfg->serve and hold until a restart. PD_EUSAGE for a bad `listen`,
 * PD_EIO when it cannot be bound.
 */
pd_rc pd_server_start(pd_server **out, pd_world *w, const char *listen);
/* The same with the review store at `db` (NULL: w->cfg->review.db, the
 * first world's; later worlds do not move it). A "load" audit entry is
 * written at start and at each reload; a store that cannot be opened is
 * logged and counted, and the proxy serves on. */
pd_rc pd_server_start_db(pd_server **out, pd_world *w, const char *listen,
                         const char *db);

/* Called (on a worker thread) after a review page changed a file the world
 * reads (a freeze): should load and set a new world before it returns.
 * NULL (the default): the next reload picks the change up. */
typedef void (*pd_server_reload_fn)(void *ctx);
void pd_server_set_reload(pd_server *s, pd_server_reload_fn fn, void *ctx);

/* Housekeeping for the main thread (serve.watch): pending review items
 * whose time has passed become expired. */
void pd_server_expire(pd_server *s);

/* Serve `w` (taken, even on failure) from now on; logs and counts the
 * reload. On failure (out of memory) the old world keeps serving. */
pd_rc pd_server_set_world(pd_server *s, pd_world *w);
/* Count (and log, with the current error message) a refused reload. */
void pd_server_reload_refused(pd_server *s);
/* The stamp of the world being served (pd_world_stamp when loaded). */
uint64_t pd_server_stamp(pd_server *s);
/* The port bound. */
unsigned pd_server_port(const pd_server *s);

/* Stop accepting, finish what is in flight (at most `drain` seconds), free.
 * Returns the number of requests cut off (0: a clean drain). */
size_t pd_server_stop(pd_server *s, double drain);

/* Write one log line to stderr ("purdah: " + the text + "\n") in one go. */
void srv_log(const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 1, 2)))
#endif
        ;

/* ------------------------------------------------------------------------ */
/* Documents (cache.c)                                                      */

/* An immutable body with its metadata, shared by reference count: an
 * upstream response ("raw") or a filtered copy ("out"). */
typedef struct srv_doc {
	atomic_long refs;
	char *data; /* NUL-terminated */
	size_t len;
	char *content_type;
	char *etag;          /* raw: the upstream's; out: ours */
	char *last_modified; /* raw: the upstream's */
	char *decision;      /* out: the X-Purdah-Decision value */
	pd_instant until;    /* out: the filtered copy holds until then */
	uint64_t gen;        /* out: of the world that filtered it */
} srv_doc;

/* A new document holding `data` (taken: pd_free) and copies of the
 * strings (each may be NULL); one reference. NULL when out of memory (data
 * is freed). */
srv_doc *srv_doc_new(char *data, size_t len, const char *content_type,
                     const char *etag, const char *last_modified);
srv_doc *srv_doc_ref(srv_doc *d);
/* Drop a reference (void * for pd_http_borrow_body); NULL is fine. */
void srv_doc_unref(void *d);

/* ------------------------------------------------------------------------ */
/* The route cache (cache.c)                                                */

typedef struct srv_entry srv_entry;

typedef struct srv_cache {
	pthread_mutex_t mu;
	pthread_cond_t done; /* a refresh ended */
	srv_entry **buckets;
	size_t nbuckets, n, max;
	srv_entry *newest, *oldest; /* least recently used at the end */
} srv_cache;

/* What the cache holds for a key, references taken (srv_snap_dispose). */
typedef struct srv_snap {
	srv_doc *raw;   /* the last good upstream response, or NULL */
	srv_doc *out;   /* its filtered copy, or NULL */
	double fetched; /* pd_http_clock() when raw was fetched or
	                   revalidated */
} srv_snap;

void srv_snap_dispose(srv_snap *s);

pd_rc srv_cache_init(srv_cache *c, size_t max);
void srv_cache_dispose(srv_cache *c);

/* The entry for `key` (a snapshot; raw NULL when none). */
void srv_cache_get(srv_cache *c, const char *key, srv_snap *s);

typedef enum srv_claim {
	SRV_FRESH,   /* s->raw is fresh (someone just refreshed it) */
	SRV_OWNER,   /* the caller refreshes: srv_cache_finish() after */
	SRV_STALE,   /* another refresh runs; s->raw is within stale */
	SRV_TIMEOUT, /* another refresh runs, nothing to serve meanwhile */
	SRV_NOMEM
} srv_claim;

/* Claim the refresh of `key`, or learn what to serve while another thread
 * does it (waiting for it, up to `deadline` on pd_http_clock(), when no
 * stale copy may be served). */
srv_claim srv_cache_claim(srv_cache *c, const char *key, double ttl,
                          double stale, double deadline, srv_snap *s);

typedef enum srv_outcome {
	SRV_REPLACED,    /* a new body (raw) */
	SRV_REVALIDATED, /* 304: the body stays, fresh again */
	SRV_FAILED       /* nothing changes (an empty entry goes) */
} srv_outcome;

/* End the claimed refresh of `key`; `raw` (SRV_REPLACED) gets a new
 * reference. Wakes those waiting. */
void srv_cache_finish(srv_cache *c, const char *key, srv_outcome o,
                      srv_doc *raw);

/* Keep `out` (a new reference) as the filtered copy of `key`, when the
 * entry still holds `raw`. */
void srv_cache_put_out(srv_cache *c, const char *key, const srv_doc *raw,
                       srv_doc *out);

/* ------------------------------------------------------------------------ */
/* Metrics (metrics.c)                                                      */

typedef struct srv_metrics srv_metrics;

pd_rc srv_metrics_new(srv_metrics **out);
void srv_metrics_free(srv_metrics *m);

/* Add `v` to the counter `name` with labels given as name/value pairs
 * (`nlabels` pairs: label names are constants, values anything; they are
 * escaped). */
void srv_metrics_add(srv_metrics *m, const char *name, double v, size_t nlabels,
                     const char *const *labels);
/* Observe `v` in the histogram `name`. */
void srv_metrics_observe(srv_metrics *m, const char *name, double v,
                         size_t nlabels, const char *const *labels);
/* The whole exposition (text format 0.0.4) into `out`. */
pd_rc srv_metrics_render(srv_metrics *m, pd_buf *out);

/* ------------------------------------------------------------------------ */
/* Internals shared by server.c and proxy.c                                 */

#include "dep/http.h"
#include "purdah/filter.h"
#include "purdah/gate.h"

/* A configured route, its names parsed. */
typedef struct srv_route {
	const pd_route *r; /* in the world's configuration */
	pd_class cls;
	pd_format format;
	bool prefix; /* the path ends in '/' */
	size_t plen;
	const char *areas[1];
	size_t nareas;
} srv_route;

/* A world being served, shared by the requests that started on it. */
typedef struct srv_world {
	atomic_long refs;
	pd_world *w;
	uint64_t gen; /* 1, 2, ... in the order served */
	pd_instant loaded;
	srv_route *routes;
	size_t nroutes;
} srv_world;

/* Idle store connections kept at most (more are closed when given back). */
#define SRV_STORE_IDLE 8

struct pd_server {
	pd_http_server *http;
	pthread_mutex_t mu; /* world, gen */
	srv_world *world;
	uint64_t gen;
	srv_cache cache;
	srv_metrics *metrics;
	pthread_mutex_t store_mu; /* idle, nidle */
	char *db;                 /* the store's path */
	bool db_sync_full;
	pd_store *idle[SRV_STORE_IDLE];
	size_t nidle;
	pd_server_reload_fn reload;
	void *reload_ctx;
	pthread_mutex_t freeze_mu; /* one freeze start or end at a time */
};

/* A store connection for this thread (a worker's, or the main thread's):
 * from the pool, or newly opened (created when missing). Give it back with
 * srv_store_give, `broken` when it failed in a way that may have left it
 * unusable (it is closed then). */
pd_rc srv_store_take(pd_server *s, pd_store **out);
void srv_store_give(pd_server *s, pd_store *st, bool broken);
/* Count a store failure (purdah_store_errors_total{where}) and log it with
 * the current error message. */
void srv_store_failed(pd_server *s, const char *where);

/* What the slow half of a request does (srv_req.slow). */
typedef enum srv_slow {
	SRV_SLOW_ROUTE = 0, /* an upstream fetch (proxy.c) */
	SRV_SLOW_CHECK,     /* record a held or blocked POST /v1/check */
	SRV_SLOW_ITEM,      /* GET /v1/items/ID */
	SRV_SLOW_REVIEW     /* a review page */
} srv_slow;

/* One request's state (pd_http_request.user). */
typedef struct srv_req {
	pd_server *s;
	srv_world *w;           /* a reference */
	const srv_route *route; /* or NULL */
	const char *label;      /* for metrics and logs: a route or API path */
	const char *rest;       /* of the path, after a prefix route's */
	char *path, *query;     /* the target split (query NULL: none) */
	char *url, *key;        /* upstream URL, cache key */
	char *inm;              /* the client's If-None-Match */
	char *ctype;            /* the request's Content-Type */
	const char *cache;      /* hit, miss, revalidated, stale */
	const char *decision;   /* allow, hold, block */
	bool write;             /* a forum write to pass upstream */
	srv_slow slow;
	pd_check_request *chk; /* SRV_SLOW_CHECK: the request ... */
	pd_verdict *verdict;   /* ... and its decision */
	char logid[96];        /* its id, for the log */
	int64_t item;          /* SRV_SLOW_ITEM */
} srv_req;

/* The route for `path`, or NULL: an exact route, else the longest prefix
 * route; *rest the remainder after a prefix. */
const srv_route *srv_route_find(const srv_world *w, const char *path,
                                const char **rest);

/* A route request (q->route set): answer, or PD_HTTP_SLOW for upstream. */
pd_http_next srv_proxy_fast(srv_req *q, pd_http_request *rq,
                            pd_http_response *rs);
void srv_proxy_slow(srv_req *q, pd_http_request *rq, pd_http_response *rs);

/* JSON answers of the API. */
void srv_reply_json(pd_http_response *rs, int status, pd_json *j);
void srv_reply_error(pd_http_response *rs, int status, const char *msg);

/* A short neutral HTML page: `title` as heading, `text` below (both
 * escaped), with no-store caching. */
void srv_page(pd_http_response *rs, int status, const char *title,
              const char *text);
/* Append `s` to `b` with & < > " ' escaped. */
pd_rc srv_html_escape(pd_buf *b, const char *s);

/* ------------------------------------------------------------------------ */
/* The review pages (review.c)                                              */

/* A path under /review: the stylesheet at once, anything else on a
 * worker (PD_HTTP_SLOW). */
pd_http_next srv_review_fast(srv_req *q, pd_http_request *rq,
                             pd_http_response *rs);
void srv_review_slow(srv_req *q, pd_http_request *rq, pd_http_response *rs);

/* GET /v1/items/ID on a worker (q->item). */
void srv_item_slow(srv_req *q, pd_http_response *rs);

/* ------------------------------------------------------------------------ */
/* Form fields and cookies (form.c)                                         */

#define SRV_FORM_MAX_FIELDS 1024
#define SRV_FORM_MAX_NAME   64
#define SRV_FORM_MAX_VALUE  16384

typedef struct srv_field {
	char *name, *value; /* decoded, NUL-terminated */
	size_t nlen, vlen;
} srv_field;

typedef struct srv_form {
	srv_field *fields; /* in the order sent; names may repeat */
	size_t n, cap;
} srv_form;

/*
 * Parse `len` bytes of application/x-www-form-urlencoded text (a body or a
 * query string) into `f` (replaced; dispose it even on failure).
 * PD_EINVALID "form: ..." for a bad percent escape, a raw byte that is not
 * visible ASCII, a name or value that is not valid UTF-8 or holds a NUL or
 * a control character (tab, CR and LF allowed), or over the limits above.
 */
pd_rc srv_form_parse(srv_form *f, const char *s, size_t len);
/* The first value of `name`, or NULL (borrowed from f). */
const char *srv_form_get(const srv_form *f, const char *name);
void srv_form_dispose(srv_form *f);

/* The first cookie `name` in a Cookie header (RFC 6265 5.4) into out (n
 * bytes with the NUL): false when absent, malformed, or too long. */
bool srv_cookie_get(const char *header, const char *name, char *out, size_t n);

/* Append `s` percent-encoded (all but A-Z a-z 0-9 - . _ ~) to `b`. */
pd_rc srv_url_encode(pd_buf *b, const char *s);

#endif
