/*
 * Metrics for GET /metrics, in Prometheus' text exposition format (0.0.4):
 * counters and one histogram, each series named by its family and its
 * labels. Label values come from the configuration (route paths) or from a
 * fixed set (methods, codes, classes, decisions), never from the raw
 * request, and their number is capped, so the set stays small.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"
#include "server/server.h"

#define MAX_SERIES 10000
#define NBUCKETS   1024

static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                0.5,   1,    2.5,   5,    10,  30};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static const struct family {
	const char *name, *type, *help;
} families[] = {
        {"purdah_requests_total", "counter",
         "HTTP requests answered, by route, method and status code."},
        {"purdah_decisions_total", "counter",
         "Decisions taken (filtered documents and /v1/check), by class and "
         "outcome."},
        {"purdah_cache_hits_total", "counter",
         "Route responses by cache outcome (hit, miss, revalidated, "
         "stale)."},
        {"purdah_upstream_errors_total", "counter",
         "Upstream failures (connection, timeout, size, redirect, status, "
         "unparseable content), by route."},
        {"purdah_upstream_latency_seconds", "histogram",
         "Time taken by upstream exchanges, by route."},
        {"purdah_reloads_total", "counter",
         "Reloads of configuration, calendars and lexicons, by result."},
        {"purdah_store_errors_total", "counter",
         "Review store failures, by where (api, proxy, review, load, "
         "expire)."},
};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

typedef struct series {
	size_t family;
	char *labels; /* rendered: a="x",b="y" */
	double value; /* counter; histogram: the sum */
	unsigned long long count, buckets[NBOUNDS];
	struct series *next;
} series;

struct srv_metrics {
	pthread_mutex_t mu;
	series *table[NBUCKETS];
	size_t n;
};

pd_rc srv_metrics_new(srv_metrics **out)
{
	srv_metrics *m = pd_calloc(1, sizeof(*m));

	if (!m)
		return pd_error_set(PD_ENOMEM, "out of memory");
	pthread_mutex_init(&m->mu, NULL);
	*out = m;
	return PD_OK;
}

void srv_metrics_free(srv_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (series *s = m->table[i], *n; s; s = n) {
			n = s->next;
			pd_free(s->labels);
			pd_free(s);
		}
	pthread_mutex_destroy(&m->mu);
	pd_free(m);
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void put_label(char *out, size_t cap, size_t *at, const char *name,
                      const char *value)
{
	size_t n = *at;

	n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s=\"",
	                      n ? "," : "", name);
	for (const char *v = value ? value : ""; *v && n + 3 < cap; v++) {
		if (*v == '\\' || *v == '"') {
			out[n++] = '\\';
			out[n++] = *v;
		} else if (*v == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else {
			out[n++] = *v;
		}
	}
	if (n + 1 < cap)
		out[n++] = '"';
	out[n < cap ? n : cap - 1] = 0;
	*at = n;
}

static series *find(srv_metrics *m, const char *name, size_t nlabels,
                    const char *const *labels)
{
	char key[1024];
	size_t at = 0, fam, h = 5381;
	series *s;

	key[0] = 0;
	for (fam = 0; fam < NFAMILIES; fam++)
		if (!strcmp(families[fam].name, name))
			break;
	if (fam == NFAMILIES)
		return NULL;
	for (size_t i = 0; i < nlabels; i++)
		put_label(key, sizeof(key), &at, labels[2 * i],
		          labels[2 * i + 1]);
	for (const char *c = key; *c; c++)
		h = h * 33 + (unsigned char)*c;
	h = (h + fam) % NBUCKETS;
	for (s = m->table[h]; s; s = s->next)
		if (s->family == fam && !strcmp(s->labels, key))
			return s;
	if (m->n >= MAX_SERIES || !(s = pd_calloc(1, sizeof(*s))))
		return NULL;
	if (!(s->labels = pd_strdup(key))) {
		pd_free(s);
		return NULL;
	}
	s->family = fam;
	s->next = m->table[h];
	m->table[h] = s;
	m->n++;
	return s;
}

void srv_metrics_add(srv_metrics *m, const char *name, double v, size_t nlabels,
                     const char *const *labels)
{
	series *s;

	pthread_mutex_lock(&m->mu);
	if ((s = find(m, name, nlabels, labels)))
		s->value += v;
	pthread_mutex_unlock(&m->mu);
}

void srv_metrics_observe(srv_metrics *m, const char *name, double v,
                         size_t nlabels, const char *const *labels)
{
	series *s;

	pthread_mutex_lock(&m->mu);
	if ((s = find(m, name, nlabels, labels))) {
		s->value += v;
		s->count++;
		for (size_t i = 0; i < NBOUNDS; i++)
			if (v <= bounds[i])
				s->buckets[i]++;
	}
	pthread_mutex_unlock(&m->mu);
}

static int by_labels(const void *a, const void *b)
{
	return strcmp((*(series *const *)a)->labels,
	              (*(series *const *)b)->labels);
}

static pd_rc render_hist(pd_buf *out, const char *name, const series *s)
{
	const char *sep = s->labels[0] ? "," : "";
	pd_rc rc = PD_OK;

	for (size_t i = 0; rc == PD_OK && i < NBOUNDS; i++)
		rc = pd_buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
		                   s->labels, sep, bounds[i], s->buckets[i]);
	if (rc == PD_OK)
		rc = pd_buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n",
		                   name, s->labels, sep, s->count);
	if (rc == PD_OK)
		rc = pd_buf_printf(out, "%s_sum{%s} %.9g\n%s_count{%s} %llu\n",
		                   name, s->labels, s->value, name, s->labels,
		                   s->count);
	return rc;
}

pd_rc srv_metrics_render(srv_metrics *m, pd_buf *out)
{
	series **all;
	size_t n = 0;
	pd_rc rc = PD_OK;

	pthread_mutex_lock(&m->mu);
	if (!(all = pd_calloc(m->n ? m->n : 1, sizeof(*all)))) {
		pthread_mutex_unlock(&m->mu);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	for (size_t f = 0; rc == PD_OK && f < NFAMILIES; f++) {
		const struct family *fa = &families[f];
		n = 0;
		for (size_t i = 0; i < NBUCKETS; i++)
			for (series *s = m->table[i]; s; s = s->next)
				if (s->family == f)
					all[n++] = s;
		qsort(all, n, sizeof(*all), by_labels);
		rc = pd_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n",
		                   fa->name, fa->help, fa->name, fa->type);
		for (size_t i = 0; rc == PD_OK && i < n; i++) {
			if (!strcmp(fa->type, "histogram"))
				rc = render_hist(out, fa->name, all[i]);
			else
				rc = pd_buf_printf(out, "%s{%s} %.17g\n",
				                   fa->name, all[i]->labels,
				                   all[i]->value);
		}
	}
	pthread_mutex_unlock(&m->mu);
	pd_free(all);
	return rc;
}
