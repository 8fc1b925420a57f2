/*
 * The route cache: per key (a route and the upstream URL it maps a request
 * to), the last good upstream response with its validators and when it was
 * fetched, and the filtered copy last made of it. Documents are immutable
 * and reference-counted, so a hit is a lookup and a reference under one
 * lock, and a document stays alive while a response still sends it after
 * the entry has moved on. At most one refresh per entry runs at a time
 * (`refreshing`); entries beyond `max` go least recently used first, never
 * one being refreshed.
 */
#include <string.h>
#include <time.h>

#include "dep/http.h"
#include "purdah/alloc.h"
#include "server/server.h"

struct srv_entry {
	char *key;
	uint64_t hash;
	srv_doc *raw, *out;
	double fetched;
	bool refreshing;
	srv_entry *next;          /* in its bucket */
	srv_entry *newer, *older; /* recency list */
};

/* ------------------------------------------------------------------------ */
/* Documents                                                                */

static char *dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = pd_strdup(s)))
		*ok = false;
	return d;
}

srv_doc *srv_doc_new(char *data, size_t len, const char *content_type,
                     const char *etag, const char *last_modified)
{
	srv_doc *d = pd_calloc(1, sizeof(*d));
	bool ok = d != NULL;

	if (!ok) {
		pd_free(data);
		return NULL;
	}
	atomic_init(&d->refs, 1);
	d->data = data;
	d->len = len;
	d->content_type = dup_or_null(content_type, &ok);
	d->etag = dup_or_null(etag, &ok);
	d->last_modified = dup_or_null(last_modified, &ok);
	if (!ok) {
		srv_doc_unref(d);
		return NULL;
	}
	return d;
}

srv_doc *srv_doc_ref(srv_doc *d)
{
	if (d)
		atomic_fetch_add(&d->refs, 1);
	return d;
}

void srv_doc_unref(void *p)
{
	srv_doc *d = p;

	if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	pd_free(d->data);
	pd_free(d->content_type);
	pd_free(d->etag);
	pd_free(d->last_modified);
	pd_free(d->decision);
	pd_free(d);
}

void srv_snap_dispose(srv_snap *s)
{
	srv_doc_unref(s->raw);
	srv_doc_unref(s->out);
	s->raw = s->out = NULL;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */

static uint64_t hash_key(const char *k)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

pd_rc srv_cache_init(srv_cache *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->max = max ? max : 1;
	c->nbuckets = 16;
	while (c->nbuckets < 2 * c->max)
		c->nbuckets *= 2;
	if (!(c->buckets = pd_calloc(c->nbuckets, sizeof(*c->buckets))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->done, NULL);
	return PD_OK;
}

static void entry_free(srv_entry *e)
{
	srv_doc_unref(e->raw);
	srv_doc_unref(e->out);
	pd_free(e->key);
	pd_free(e);
}

void srv_cache_dispose(srv_cache *c)
{
	if (!c->buckets)
		return;
	for (srv_entry *e = c->newest, *n; e; e = n) {
		n = e->older;
		entry_free(e);
	}
	pd_free(c->buckets);
	c->buckets = NULL;
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->done);
}

static void unlink_lru(srv_cache *c, srv_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void push_newest(srv_cache *c, srv_entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

static srv_entry *find(srv_cache *c, const char *key)
{
	uint64_t h = hash_key(key);
	srv_entry *e = c->buckets[h & (c->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == h && !strcmp(e->key, key))
			break;
	if (e && c->newest != e) {
		unlink_lru(c, e);
		push_newest(c, e);
	}
	return e;
}

static void remove_entry(srv_cache *c, srv_entry *e)
{
	srv_entry **p = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	unlink_lru(c, e);
	c->n--;
	entry_free(e);
}

static srv_entry *create(srv_cache *c, const char *key)
{
	srv_entry *e = pd_calloc(1, sizeof(*e)), *v;

	if (!e || !(e->key = pd_strdup(key))) {
		pd_free(e);
		return NULL;
	}
	/* Make room: the least recently used entries not being refreshed. */
	for (v = c->oldest; v && c->n >= c->max;) {
		srv_entry *newer = v->newer;
		if (!v->refreshing)
			remove_entry(c, v);
		v = newer;
	}
	e->hash = hash_key(key);
	e->next = c->buckets[e->hash & (c->nbuckets - 1)];
	c->buckets[e->hash & (c->nbuckets - 1)] = e;
	push_newest(c, e);
	c->n++;
	return e;
}

static void snap(const srv_entry *e, srv_snap *s)
{
	s->raw = srv_doc_ref(e->raw);
	s->out = srv_doc_ref(e->out);
	s->fetched = e->fetched;
}

void srv_cache_get(srv_cache *c, const char *key, srv_snap *s)
{
	srv_entry *e;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&c->mu);
	if ((e = find(c, key)))
		snap(e, s);
	pthread_mutex_unlock(&c->mu);
}

srv_claim srv_cache_claim(srv_cache *c, const char *key, double ttl,
                          double stale, double deadline, srv_snap *s)
{
	srv_claim r;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&c->mu);
	for (;;) {
		srv_entry *e = find(c, key);
		double now = pd_http_clock();
		struct timespec ts;
		double wait;

		if (!e && !(e = create(c, key))) {
			r = SRV_NOMEM;
			break;
		}
		if (e->raw && now < e->fetched + ttl) {
			snap(e, s);
			r = SRV_FRESH;
			break;
		}
		if (!e->refreshing) {
			e->refreshing = true;
			snap(e, s);
			r = SRV_OWNER;
			break;
		}
		if (e->raw && now < e->fetched + ttl + stale) {
			snap(e, s);
			r = SRV_STALE;
			break;
		}
		if (now >= deadline) {
			r = SRV_TIMEOUT;
			break;
		}
		/* The condition variable runs on the realtime clock. */
		wait = deadline - now;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)wait;
		ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->done, &c->mu, &ts);
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

void srv_cache_finish(srv_cache *c, const char *key, srv_outcome o,
                      srv_doc *raw)
{
	srv_entry *e;

	pthread_mutex_lock(&c->mu);
	if ((e = find(c, key))) {
		e->refreshing = false;
		if (o == SRV_REPLACED) {
			srv_doc_unref(e->raw);
			srv_doc_unref(e->out);
			e->raw = srv_doc_ref(raw);
			e->out = NULL;
			e->fetched = pd_http_clock();
		} else if (o == SRV_REVALIDATED) {
			e->fetched = pd_http_clock();
		} else if (!e->raw) {
			remove_entry(c, e);
		}
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->mu);
}

void srv_cache_put_out(srv_cache *c, const char *key, const srv_doc *raw,
                       srv_doc *out)
{
	srv_entry *e;

	pthread_mutex_lock(&c->mu);
	if ((e = find(c, key)) && e->raw == raw) {
		srv_doc_unref(e->out);
		e->out = srv_doc_ref(out);
	}
	pthread_mutex_unlock(&c->mu);
}
