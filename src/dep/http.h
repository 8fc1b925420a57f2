/*
 * The libmicrohttpd adapter (src/dep/http.c, the only file that includes
 * <microhttpd.h>): an HTTP/1.1 listener with a pool of polling threads and
 * a pool of worker threads for handlers that block (upstream fetches).
 *
 * A request reaches the service in two steps. `fast` runs on a polling
 * thread once the whole request (body included, up to max_body) has
 * arrived; it either completes the response (PD_HTTP_DONE) or asks for
 * `slow` (PD_HTTP_SLOW): the connection is then suspended, `slow` runs on a
 * worker thread, and the response is sent when it returns. Polling threads
 * therefore never wait for an upstream.
 *
 * Nothing in the request is decoded: `target` is the request-target exactly
 * as the client sent it (percent escapes, "..", an absolute URI and all), so
 * that the service decides on what was sent, not on a normalised copy.
 */
#ifndef PURDAH_DEP_HTTP_H
#define PURDAH_DEP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"

typedef struct pd_http_request {
	const char *method; /* as received: "GET", "POST" ... */
	const char *target; /* the raw request-target: "/a/b?q=1" */
	const char *body;   /* the body (NUL-terminated; "" when none) */
	size_t body_len;
	bool body_too_big; /* the body was over max_body: `body` is "" */
	double started;    /* pd_http_clock() when the request line came */
	/* The peer's address, numeric ("127.0.0.1", "::1"; "" when unknown):
	 * the TCP peer, never a header (for login rate limits). */
	const char *client;
	/* The handler's own per-request state, freed with user_free (when
	 * not NULL) after the response has been sent. */
	void *user;
	void (*user_free)(void *user);
	void *conn; /* private */
} pd_http_request;

/* A request header (name case-insensitive), or NULL. Borrowed: valid until
 * the response has been sent. */
const char *pd_http_header(const pd_http_request *rq, const char *name);

typedef struct pd_http_response {
	int status;       /* 0: 500 */
	pd_buf head;      /* headers: "name\0value\0" pairs */
	pd_buf body;      /* the body, unless `data` is set */
	const char *data; /* a borrowed body of `len` bytes ... */
	size_t len;
	void (*release)(void *arg); /* ... released with release(arg) */
	void *arg;
} pd_http_response;

/* Add a response header (copied). A name or value with a CR or LF is
 * refused (PD_EINVALID): no header splitting. */
pd_rc pd_http_add_header(pd_http_response *rs, const char *name,
                         const char *value);
/* Send `len` bytes at `data` without copying; release(arg) is called once
 * they are no longer needed (even when the response is never sent). */
void pd_http_borrow_body(pd_http_response *rs, const char *data, size_t len,
                         void (*release)(void *arg), void *arg);

typedef enum pd_http_next {
	PD_HTTP_DONE, /* the response is complete */
	PD_HTTP_SLOW  /* call `slow` on a worker thread */
} pd_http_next;

typedef pd_http_next (*pd_http_fast_fn)(void *ctx, pd_http_request *rq,
                                        pd_http_response *rs);
typedef void (*pd_http_slow_fn)(void *ctx, pd_http_request *rq,
                                pd_http_response *rs);

typedef struct pd_http_opts {
	const char *listen;    /* "ADDR:PORT": 127.0.0.1:8080, [::1]:8080 */
	unsigned threads;      /* polling threads (0: 1) */
	unsigned workers;      /* worker threads for `slow` (0: 4) */
	size_t max_body;       /* request bodies over it: body_too_big */
	unsigned conn_limit;   /* open connections at most (0: 1024) */
	unsigned conn_timeout; /* seconds an idle connection lives (0: 30) */
	size_t conn_memory;    /* per connection, request line and headers
	                          included (0: 64 KiB) */
	pd_http_fast_fn fast;
	pd_http_slow_fn slow;
	void *ctx;
} pd_http_opts;

typedef struct pd_http_server pd_http_server;

/* Listen and serve. PD_EUSAGE for a malformed `listen`, PD_EIO when the
 * address cannot be bound. Stop with pd_http_stop(). */
pd_rc pd_http_start(pd_http_server **out, const pd_http_opts *o);

/* The port actually bound (when `listen` asked for port 0). */
unsigned pd_http_port(const pd_http_server *s);

/*
 * Stop accepting connections; answer what is in flight (responses then
 * carry "Connection: close"), waiting at most `drain` seconds for it; then
 * close every connection and free the server. Returns the number of
 * requests still in flight when the wait ended (0: a clean drain).
 */
size_t pd_http_stop(pd_http_server *s, double drain);

/* Seconds on a monotonic clock. */
double pd_http_clock(void);

#endif
