/*
 * The libmicrohttpd adapter: a listener with a pool of polling threads (one
 * epoll or poll loop each) and a small pool of worker threads. A request's
 * state (an exchange) is created when its request line arrives (MHD's URI
 * log callback, which also gives the raw request-target) and freed when MHD
 * reports the request complete; a request that needs a worker suspends its
 * connection until the worker resumes it. MHD_NO from a callback closes the
 * connection: it is the answer only to running out of memory.
 */
#include "dep/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "purdah/alloc.h"

enum { PHASE_NEW, PHASE_BODY, PHASE_SLOW };

typedef struct xchg {
	pd_http_server *srv;
	struct MHD_Connection *conn;
	pd_http_request rq;
	pd_http_response rs;
	pd_buf body;
	char *target;
	char client[64]; /* INET6_ADDRSTRLEN is 46 */
	int phase;
	struct xchg *next; /* in the worker queue */
} xchg;

struct pd_http_server {
	struct MHD_Daemon *d;
	pd_http_opts o;
	pthread_mutex_t mu;
	pthread_cond_t work; /* the queue has an exchange, or stopping */
	pthread_cond_t idle; /* in_flight went down */
	xchg *qhead, *qtail;
	pthread_t *workers;
	unsigned nworkers;
	bool stopping, draining;
	size_t in_flight;
	unsigned port;
};

double pd_http_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *pd_http_header(const pd_http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

pd_rc pd_http_add_header(pd_http_response *rs, const char *name,
                         const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return pd_error_set(PD_EINVALID,
		                    "http: a header with a line break");
	if (pd_buf_put(&rs->head, name, strlen(name) + 1) < 0 ||
	    pd_buf_put(&rs->head, value, strlen(value) + 1) < 0)
		return pd_error_code();
	return PD_OK;
}

void pd_http_borrow_body(pd_http_response *rs, const char *data, size_t len,
                         void (*release)(void *arg), void *arg)
{
	if (rs->data && rs->release)
		rs->release(rs->arg);
	rs->data = data;
	rs->len = len;
	rs->release = release;
	rs->arg = arg;
}

static void response_dispose(pd_http_response *rs)
{
	if (rs->data && rs->release)
		rs->release(rs->arg);
	rs->data = NULL;
	rs->release = NULL;
	pd_buf_dispose(&rs->head);
	pd_buf_dispose(&rs->body);
}

static void xchg_free(xchg *x)
{
	if (!x)
		return;
	if (x->rq.user && x->rq.user_free)
		x->rq.user_free(x->rq.user);
	response_dispose(&x->rs);
	pd_buf_dispose(&x->body);
	pd_free(x->target);
	pd_free(x);
}

/* ------------------------------------------------------------------------ */
/* MHD callbacks                                                            */

/* The peer's numeric address into out ("" when unknown). */
static void client_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	        conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	out[0] = 0;
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)n);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)n);
	}
}

/* Called with the request line: the exchange starts here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	pd_http_server *s = cls;
	xchg *x = pd_calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	if (!(x->target = pd_strdup(uri))) {
		pd_free(x);
		return NULL;
	}
	x->srv = s;
	x->conn = conn;
	x->body = (pd_buf)PD_BUF_INIT(s->o.max_body);
	x->rs.head = (pd_buf)PD_BUF_INIT(64 * 1024);
	x->rs.body = (pd_buf)PD_BUF_INIT((size_t)1 << 30);
	x->rq.target = x->target;
	x->rq.body = "";
	x->rq.conn = conn;
	x->rq.client = x->client;
	client_address(conn, x->client, sizeof(x->client));
	x->rq.started = pd_http_clock();
	pthread_mutex_lock(&s->mu);
	s->in_flight++;
	pthread_mutex_unlock(&s->mu);
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	pd_http_server *s = cls;
	xchg *x = *con_cls;

	(void)conn, (void)toe;
	if (!x)
		return;
	*con_cls = NULL;
	xchg_free(x);
	pthread_mutex_lock(&s->mu);
	s->in_flight--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

/* Nothing is decoded: the service sees the request-target as sent. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls, (void)c;
	return strlen(s);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void
on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	fprintf(stderr, "purdah: http: %s\n", line);
}

static enum MHD_Result send_response(xchg *x)
{
	pd_http_response *rs = &x->rs;
	struct MHD_Response *r;
	enum MHD_Result ok;
	bool draining;

	if (rs->data && rs->len && rs->release) {
		r = MHD_create_response_from_buffer_with_free_callback_cls(
		        rs->len, (void *)rs->data, rs->release, rs->arg);
		if (r)
			rs->data = NULL, rs->release = NULL;
	} else if (rs->data && rs->len) {
		r = MHD_create_response_from_buffer(rs->len, (void *)rs->data,
		                                    MHD_RESPMEM_PERSISTENT);
	} else if (rs->body.len) {
		r = MHD_create_response_from_buffer_with_free_callback(
		        rs->body.len, rs->body.ptr, pd_free);
		if (r)
			rs->body = (pd_buf)PD_BUF_INIT(0);
	} else {
		r = MHD_create_response_from_buffer(0, (void *)"",
		                                    MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	for (size_t i = 0; i < rs->head.len;) {
		const char *name = rs->head.ptr + i;
		const char *value = name + strlen(name) + 1;
		i = (size_t)(value - rs->head.ptr) + strlen(value) + 1;
		if (MHD_add_response_header(r, name, value) == MHD_NO) {
			MHD_destroy_response(r);
			return MHD_NO;
		}
	}
	pthread_mutex_lock(&x->srv->mu);
	draining = x->srv->draining;
	pthread_mutex_unlock(&x->srv->mu);
	if (draining)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(x->conn,
	                        rs->status ? (unsigned)rs->status : 500u, r);
	MHD_destroy_response(r);
	return ok;
}

/* The request is complete: answer now, or hand it to a worker. */
static enum MHD_Result dispatch(xchg *x)
{
	pd_http_server *s = x->srv;

	x->rq.body = x->body.ptr ? x->body.ptr : "";
	x->rq.body_len = x->body.len;
	if (s->o.fast(s->o.ctx, &x->rq, &x->rs) == PD_HTTP_DONE)
		return send_response(x);
	x->phase = PHASE_SLOW;
	MHD_suspend_connection(x->conn); /* before a worker can resume it */
	pthread_mutex_lock(&s->mu);
	x->next = NULL;
	if (s->qtail)
		s->qtail->next = x;
	else
		s->qhead = x;
	s->qtail = x;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->mu);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	pd_http_server *s = cls;
	xchg *x = *con_cls;

	(void)url, (void)version;
	if (!x || x->srv != s)
		return MHD_NO; /* out of memory when the request began */
	switch (x->phase) {
	case PHASE_NEW: {
		const char *cl = MHD_lookup_connection_value(
		        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		x->rq.method = method;
		x->phase = PHASE_BODY;
		if (cl) {
			char *end;
			unsigned long long n;
			errno = 0;
			n = strtoull(cl, &end, 10);
			if (errno || *end || n > s->o.max_body) {
				/* Answered before the body is read. */
				x->rq.body_too_big = true;
				return dispatch(x);
			}
		}
		return MHD_YES;
	}
	case PHASE_BODY:
		if (*upload_size) {
			if (!x->rq.body_too_big &&
			    pd_buf_put(&x->body, upload, *upload_size) < 0) {
				x->rq.body_too_big = true;
				pd_buf_dispose(&x->body);
			}
			*upload_size = 0;
			return MHD_YES;
		}
		return dispatch(x);
	default: /* resumed after the worker */ return send_response(x);
	}
}

static void *worker(void *arg)
{
	pd_http_server *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		xchg *x;
		while (!s->qhead && !s->stopping)
			pthread_cond_wait(&s->work, &s->mu);
		if (!s->qhead)
			break; /* stopping, and nothing left */
		x = s->qhead;
		s->qhead = x->next;
		if (!s->qhead)
			s->qtail = NULL;
		pthread_mutex_unlock(&s->mu);
		s->o.slow(s->o.ctx, &x->rq, &x->rs);
		MHD_resume_connection(x->conn);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

static pd_rc parse_listen(const char *listen, struct sockaddr_storage *ss,
                          bool *v6)
{
	char host[64];
	const char *colon, *h = listen;
	size_t hl;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	*v6 = listen[0] == '[';
	if (*v6) {
		const char *rb = strchr(listen, ']');
		if (!rb || rb[1] != ':')
			goto bad;
		h = listen + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			goto bad;
		hl = (size_t)(colon - listen);
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port > 65535 || colon[1] == '-' ||
	    colon[1] == '+')
		goto bad;
	if (*v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
	}
	return PD_OK;
bad:
	return pd_error_set(PD_EUSAGE,
	                    "--listen: '%s' is not ADDR:PORT (a numeric IPv4 "
	                    "address, or an IPv6 one in brackets, and a port)",
	                    listen);
}

static void stop_workers(pd_http_server *s)
{
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	for (unsigned i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	s->nworkers = 0;
}

static void server_free(pd_http_server *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	pd_free(s->workers);
	pd_free(s);
}

pd_rc pd_http_start(pd_http_server **out, const pd_http_opts *o)
{
	struct sockaddr_storage ss;
	pd_http_server *s;
	const union MHD_DaemonInfo *info;
	/* poll(), not epoll: with libmicrohttpd 0.9.75's epoll a client that
	 * sends its request and half-closes at once sometimes gets its answer
	 * but no close until the idle timeout (the end of input is noticed
	 * while the connection is busy, and never again); fuzz_http found it.
	 */
	unsigned flags = MHD_USE_POLL | MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	bool v6;
	pd_rc rc;

	*out = NULL;
	if ((rc = parse_listen(o->listen, &ss, &v6)) < 0)
		return rc;
	if (!(s = pd_calloc(1, sizeof(*s))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	s->o = *o;
	if (!s->o.threads)
		s->o.threads = 1;
	if (!s->o.workers)
		s->o.workers = 4;
	if (!s->o.conn_limit)
		s->o.conn_limit = 1024;
	if (!s->o.conn_timeout)
		s->o.conn_timeout = 30;
	if (!s->o.conn_memory)
		s->o.conn_memory = 64 * 1024;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	if (!(s->workers = pd_calloc(s->o.workers, sizeof(*s->workers)))) {
		server_free(s);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	for (; s->nworkers < s->o.workers; s->nworkers++)
		if (pthread_create(&s->workers[s->nworkers], NULL, worker, s)) {
			stop_workers(s);
			server_free(s);
			return pd_error_set(PD_EDEP,
			                    "http: cannot start a thread");
		}
	if (v6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	s->d = MHD_start_daemon(
	        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
	        on_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->o.threads,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->o.conn_limit,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->o.conn_timeout,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)s->o.conn_memory,
	        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
	        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
	if (!s->d) {
		int e = errno;
		stop_workers(s);
		server_free(s);
		return pd_error_set(PD_EIO, "cannot listen on %s%s%s",
		                    o->listen, e ? ": " : "",
		                    e ? strerror(e) : "");
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return PD_OK;
}

unsigned pd_http_port(const pd_http_server *s)
{
	return s->port;
}

size_t pd_http_stop(pd_http_server *s, double drain)
{
	struct timespec until;
	size_t left;
	MHD_socket fd;

	if (!s)
		return 0;
	fd = MHD_quiesce_daemon(s->d); /* no new connections */
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)drain;
	until.tv_nsec += (long)((drain - (double)(time_t)drain) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	s->draining = true;
	while (s->in_flight > 0 &&
	       pthread_cond_timedwait(&s->idle, &s->mu, &until) == 0)
		;
	left = s->in_flight;
	pthread_mutex_unlock(&s->mu);
	stop_workers(s); /* each resumes what it had taken */
	MHD_stop_daemon(s->d);
	server_free(s);
	return left;
}
