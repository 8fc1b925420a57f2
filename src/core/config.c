/*
 * Reading purdah.yaml into pd_config, strictly: every key is known, every
 * value has the right shape, every error names file:line:column.
 */
#include "purdah/config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dep/sodium.h"
#include "dep/yaml.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/gate.h"
#include "purdah/lexicon.h"
#include "purdah/time.h"

static void list_dispose(pd_category_list *l)
{
	pd_file_list_free(l->names, l->n);
	pd_free(l->lines);
	memset(l, 0, sizeof(*l));
}

/* Replace `l` with the `n` names of `names` (each from line lines[i], or
 * 0 when lines is NULL). */
static pd_rc list_set(pd_category_list *l, const char *const *names,
                      const int *lines, size_t n)
{
	pd_category_list nl;

	nl.n = n;
	nl.names = pd_calloc(n ? n : 1, sizeof(*nl.names));
	nl.lines = pd_calloc(n ? n : 1, sizeof(*nl.lines));
	if (!nl.names || !nl.lines) {
		pd_free(nl.names);
		pd_free(nl.lines);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		nl.lines[i] = lines ? lines[i] : 0;
		if (!(nl.names[i] = pd_strdup(names[i]))) {
			list_dispose(&nl);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
	}
	list_dispose(l);
	*l = nl;
	return PD_OK;
}

bool pd_category_in(const pd_category_list *l, const char *category)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->names[i], category) == 0)
			return true;
	return false;
}

bool pd_threshold_reached(double score, double th)
{
	return th < 0 ? score <= th : score >= th;
}

static void pd_config_routes_free(pd_config *c)
{
	for (size_t i = 0; i < c->nroutes; i++) {
		pd_route *rt = &c->routes[i];
		pd_free(rt->path);
		pd_free(rt->upstream);
		pd_free(rt->cls);
		pd_free(rt->area);
		pd_free(rt->format);
		pd_file_list_free(rt->redirect_hosts, rt->nredirect_hosts);
	}
	pd_free(c->routes);
	c->routes = NULL;
	c->nroutes = 0;
}

void pd_config_free(pd_config *c)
{
	if (!c)
		return;
	list_dispose(&c->party_political);
	list_dispose(&c->purdah_sensitive);
	list_dispose(&c->referendum);
	list_dispose(&c->partisan);
	list_dispose(&c->electoral_process);
	pd_free(c->path);
	pd_free(c->council_name);
	pd_file_list_free(c->areas, c->nareas);
	pd_file_list_free(c->calendars, c->ncalendars);
	pd_file_list_free(c->lexicons, c->nlexicons);
	pd_free(c->timezone);
	pd_free(c->calendar_file);
	pd_free(c->freeze_file);
	for (size_t i = 0; i < c->nthresholds; i++)
		pd_free(c->thresholds[i].category);
	pd_free(c->thresholds);
	for (size_t i = 0; i < c->nselectors; i++) {
		pd_free(c->selectors[i].xpath);
		pd_free(c->selectors[i].cls);
	}
	pd_free(c->selectors);
	pd_config_routes_free(c);
	pd_free(c->serve.listen);
	pd_free(c->review.db);
	pd_free(c);
}

pd_rc pd_config_set_list(char ***list, size_t *count, char *const *items,
                         size_t n)
{
	char **l = pd_calloc(n ? n : 1, sizeof(*l));

	if (!l)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!(l[i] = pd_strdup(items[i]))) {
			pd_file_list_free(l, i);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
	}
	pd_file_list_free(*list, *count);
	*list = l;
	*count = n;
	return PD_OK;
}

pd_rc pd_config_default(pd_config **out)
{
	pd_config *c = pd_calloc(1, sizeof(*c));
	char *cal[] = {"calendars"}, *lex[] = {"lexicons"};
	static const char *const party[] = {"party", "campaign",
	                                    "electioneering"};
	static const char *const sensitive[] = {"candidate", "councillor",
	                                        "topic"};
	static const char *const referendum[] = {
	        "referendum", "referendum-appeal", "campaign"};
	static const char *const partisan[] = {"referendum-appeal"};
	static const char *const process[] = {"electoral-process"};

	if (!c)
		return pd_error_set(PD_ENOMEM, "out of memory");
	c->council_name = pd_strdup("the council");
	c->timezone = pd_strdup("Europe/London");
	c->calendar_file = pd_strdup("calendars/elections.ics");
	c->freeze_file = pd_strdup("calendars/freeze.ics");
	c->serve.listen = pd_strdup("127.0.0.1:8080");
	c->serve.threads = 4;
	c->serve.cache_ttl = 300;
	c->serve.stale = 3600;
	c->serve.timeout = 10;
	c->serve.max_bytes = (size_t)8 * 1024 * 1024;
	c->serve.max_body_bytes = (size_t)1024 * 1024;
	c->serve.cache_entries = 1024;
	c->serve.watch = 2;
	c->filter_max_bytes = (size_t)16 * 1024 * 1024;
	c->review.db = pd_strdup("var/purdah.db");
	c->review.hold_for = 86400;
	c->review.session_idle = 1800;
	c->review.session_max = 43200;
	c->review.login_failures = 5;
	c->review.login_window = 900;
	c->review.page_size = 50;
	if (!c->council_name || !c->timezone || !c->calendar_file ||
	    !c->freeze_file || !c->serve.listen || !c->review.db ||
	    pd_config_set_list(&c->calendars, &c->ncalendars, cal, 1) < 0 ||
	    pd_config_set_list(&c->lexicons, &c->nlexicons, lex, 1) < 0 ||
	    list_set(&c->party_political, party, NULL, 3) < 0 ||
	    list_set(&c->purdah_sensitive, sensitive, NULL, 3) < 0 ||
	    list_set(&c->referendum, referendum, NULL, 3) < 0 ||
	    list_set(&c->partisan, partisan, NULL, 1) < 0 ||
	    list_set(&c->electoral_process, process, NULL, 1) < 0) {
		pd_config_free(c);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	*out = c;
	return PD_OK;
}

double pd_config_threshold(const pd_config *cfg, const char *category)
{
	for (size_t i = 0; i < cfg->nthresholds; i++)
		if (strcmp(cfg->thresholds[i].category, category) == 0)
			return cfg->thresholds[i].value;
	if (strcmp(category, "topic") == 0)
		return 2;
	if (strcmp(category, "referendum") == 0 ||
	    strcmp(category, "referendum-appeal") == 0)
		return 3;
	if (strcmp(category, "electoral-process") == 0)
		return -2;
	return PD_DEFAULT_THRESHOLD;
}

pd_rc pd_config_check_area(const pd_config *cfg, const char *area)
{
	if (!area || cfg->nareas == 0)
		return PD_OK;
	for (size_t i = 0; i < cfg->nareas; i++)
		if (strcasecmp(cfg->areas[i], area) == 0)
			return PD_OK;
	return pd_error_set(PD_EUSAGE,
	                    "area '%s' is not one of the council's areas in %s",
	                    area, cfg->path ? cfg->path : "the configuration");
}

/* ------------------------------------------------------------------------ */

typedef struct {
	const char *file;
	const char *dir; /* with trailing '/', or "" */
} reader;

static pd_rc bad(const reader *r, const pd_ynode *n, const char *what)
{
	return pd_error_set(PD_ECONFIG, "%s:%d:%d: %s", r->file,
	                    n ? n->line : 1, n ? n->col : 1, what);
}

/* bad() with a message formatted from the configuration's own text (at
 * most 512 bytes of it: a longer one is an error of its own). */
static pd_rc badf(const reader *r, const pd_ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;
static pd_rc badf(const reader *r, const pd_ynode *n, const char *fmt, ...)
{
	pd_buf b = PD_BUF_INIT(512);
	va_list ap;
	pd_rc rc;

	va_start(ap, fmt);
	rc = pd_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = rc < 0 ? rc : bad(r, n, b.ptr);
	pd_buf_dispose(&b);
	return rc;
}

static pd_rc get_string(const reader *r, const pd_ynode *n, char **out,
                        const char *key)
{
	char *s;

	if (!n || n->kind != PD_Y_SCALAR || pd_ynode_is_null(n) ||
	    n->len == 0) {
		return badf(r, n, "'%s' must be a non-empty string", key);
	}
	if (strlen(n->value) != n->len)
		return bad(r, n, "NUL byte in a string");
	if (!(s = pd_strdup(n->value)))
		return pd_error_set(PD_ENOMEM, "out of memory");
	*out = s;
	return PD_OK;
}

/* A path: relative ones are taken from the config file's directory. */
static pd_rc get_path(const reader *r, const pd_ynode *n, char **out,
                      const char *key)
{
	char *s = NULL;
	pd_buf b = PD_BUF_INIT(4096);
	pd_rc rc;

	if ((rc = get_string(r, n, &s, key)) < 0)
		return rc;
	if (s[0] == '/' || !r->dir[0]) {
		*out = s;
		return PD_OK;
	}
	rc = pd_buf_printf(&b, "%s%s", r->dir, s);
	pd_free(s);
	if (rc < 0) {
		pd_buf_dispose(&b);
		return rc;
	}
	*out = pd_buf_detach(&b);
	return *out ? PD_OK : pd_error_set(PD_ENOMEM, "out of memory");
}

static pd_rc replace(char **slot, char *v)
{
	pd_free(*slot);
	*slot = v;
	return PD_OK;
}

static pd_rc get_list(const reader *r, const pd_ynode *n, char ***list,
                      size_t *count, const char *key, bool paths)
{
	char **l;
	pd_rc rc = PD_OK;
	size_t i;

	if (!n || n->kind != PD_Y_SEQ) {
		return badf(r, n, "'%s' must be a list", key);
	}
	l = pd_calloc(n->nitems ? n->nitems : 1, sizeof(*l));
	if (!l)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (i = 0; i < n->nitems && rc == PD_OK; i++)
		rc = paths ? get_path(r, n->items[i], &l[i], key)
		           : get_string(r, n->items[i], &l[i], key);
	if (rc < 0) {
		pd_file_list_free(l, n->nitems);
		return rc;
	}
	pd_file_list_free(*list, *count);
	*list = l;
	*count = n->nitems;
	return PD_OK;
}

static pd_rc read_council(const reader *r, const pd_ynode *m, pd_config *c)
{
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return bad(r, m, "'council' must be a mapping (name, areas)");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		char *s = NULL;
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (strcmp(k->value, "name") == 0) {
			if ((rc = get_string(r, v, &s, "council.name")) ==
			    PD_OK)
				replace(&c->council_name, s);
		} else if (strcmp(k->value, "areas") == 0) {
			rc = get_list(r, v, &c->areas, &c->nareas,
			              "council.areas", false);
		} else {
			rc = badf(r, k,
			          "unknown key 'council.%s' (known: name, "
			          "areas)",
			          k->value);
		}
	}
	return rc;
}

static pd_rc read_thresholds(const reader *r, const pd_ynode *m, pd_config *c)
{
	if (m->kind != PD_Y_MAP)
		return bad(r, m,
		           "'thresholds' must be a mapping of category: "
		           "number");
	c->thresholds = pd_calloc(m->nitems / 2 + 1, sizeof(*c->thresholds));
	if (!c->thresholds)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i + 1 < m->nitems; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		char *end;
		double d;
		if (k->kind != PD_Y_SCALAR || !k->len)
			return bad(r, k, "a category must be a string");
		if (v->kind != PD_Y_SCALAR || !v->len)
			return bad(r, v, "a threshold must be a number");
		d = strtod(v->value, &end);
		if (*end || d != d || d < -1000 || d > 1000)
			return bad(r, v,
			           "a threshold must be a number from -1000 "
			           "to 1000");
		if (!pd_lex_ident_ok(k->value))
			return badf(r, k,
			            "'%s' is not a category name (a-z, 0-9, "
			            "'-')",
			            k->value);
		for (size_t j = 0; j < c->nthresholds; j++)
			if (strcmp(c->thresholds[j].category, k->value) == 0)
				return badf(r, k,
				            "threshold of '%s' given twice "
				            "(first on line %d)",
				            k->value, c->thresholds[j].line);
		c->thresholds[c->nthresholds].category = pd_strdup(k->value);
		if (!c->thresholds[c->nthresholds].category)
			return pd_error_set(PD_ENOMEM, "out of memory");
		c->thresholds[c->nthresholds].line = k->line;
		c->thresholds[c->nthresholds++].value = d;
	}
	return PD_OK;
}

/* A list of category names: `[party, campaign]`. */
static pd_rc read_categories(const reader *r, const pd_ynode *n,
                             pd_category_list *l, const char *key)
{
	const char **names;
	int *lines;
	pd_rc rc = PD_OK;

	if (n->kind != PD_Y_SEQ)
		return badf(r, n, "'policy.%s' must be a list of categories",
		            key);
	names = pd_calloc(n->nitems + 1, sizeof(*names));
	lines = pd_calloc(n->nitems + 1, sizeof(*lines));
	for (size_t i = 0; names && lines && i < n->nitems && rc == PD_OK;
	     i++) {
		const pd_ynode *v = n->items[i];
		if (v->kind != PD_Y_SCALAR || !pd_lex_ident_ok(v->value)) {
			rc = badf(r, v,
			          "'policy.%s': a category name is a-z, 0-9 "
			          "and '-'",
			          key);
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[j], v->value) == 0)
				rc = badf(r, v,
				          "'policy.%s': '%s' is listed twice",
				          key, v->value);
		names[i] = v->value;
		lines[i] = v->line;
	}
	if (!names || !lines)
		rc = pd_error_set(PD_ENOMEM, "out of memory");
	if (rc == PD_OK)
		rc = list_set(l, names, lines, n->nitems);
	pd_free(names);
	pd_free(lines);
	return rc;
}

static pd_rc read_policy(const reader *r, const pd_ynode *m, pd_config *c)
{
	static const char known[] = "known: party_political, "
	                            "purdah_sensitive, referendum, partisan, "
	                            "electoral_process";
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return badf(r, m, "'policy' must be a mapping (%s)", known);
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		pd_category_list *l = NULL;
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (strcmp(k->value, "party_political") == 0)
			l = &c->party_political;
		else if (strcmp(k->value, "purdah_sensitive") == 0)
			l = &c->purdah_sensitive;
		else if (strcmp(k->value, "referendum") == 0)
			l = &c->referendum;
		else if (strcmp(k->value, "partisan") == 0)
			l = &c->partisan;
		else if (strcmp(k->value, "electoral_process") == 0)
			l = &c->electoral_process;
		else
			return badf(r, k, "unknown key 'policy.%s' (%s)",
			            k->value, known);
		rc = read_categories(r, v, l, k->value);
	}
	return rc;
}

/* --- serve:, routes:, filter: ------------------------------------------- */

#define UNSET (-1.0)

static pd_rc get_number(const reader *r, const pd_ynode *n, double *out,
                        const char *key, double lo, double hi)
{
	char *end;
	double d;

	if (!n || n->kind != PD_Y_SCALAR || !n->len)
		return badf(r, n, "'%s' must be a number", key);
	d = strtod(n->value, &end);
	if (*end || d != d || d < lo || d > hi)
		return badf(r, n, "'%s' must be a number from %g to %g", key,
		            lo, hi);
	*out = d;
	return PD_OK;
}

static pd_rc get_size(const reader *r, const pd_ynode *n, size_t *out,
                      const char *key, double lo, double hi)
{
	double d = 0;
	pd_rc rc = get_number(r, n, &d, key, lo, hi);

	if (rc < 0)
		return rc;
	if (d != (double)(size_t)d)
		return badf(r, n, "'%s' must be a whole number", key);
	*out = (size_t)d;
	return PD_OK;
}

/* ADDR:PORT, [IPv6]:PORT. */
pd_rc pd_config_check_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || colon == s)
		return pd_error_set(
		        PD_EUSAGE,
		        "'%s' is not ADDR:PORT (e.g. 127.0.0.1:8080)", s);
	if (s[0] == '[' && colon[-1] != ']')
		return pd_error_set(PD_EUSAGE, "'%s': IPv6 needs [ADDR]:PORT",
		                    s);
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		return pd_error_set(PD_EUSAGE,
		                    "'%s': the port must be 1 to 65535", s);
	for (const char *p = s; p < colon; p++)
		if ((unsigned char)*p <= ' ' || *p == '/')
			return pd_error_set(
			        PD_EUSAGE, "'%s': bad character in the address",
			        s);
	return PD_OK;
}

static pd_rc read_serve(const reader *r, const pd_ynode *m, pd_config *c)
{
	pd_serve_config *sv = &c->serve;
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return bad(r, m, "'serve' must be a mapping");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		const char *key = k->kind == PD_Y_SCALAR ? k->value : "";
		double d;
		char *s = NULL;
		if (strcmp(key, "listen") == 0) {
			if ((rc = get_string(r, v, &s, "serve.listen")) < 0)
				break;
			if (pd_config_check_listen(s) < 0) {
				pd_free(s);
				rc = bad(r, v, pd_error_message());
				break;
			}
			replace(&sv->listen, s);
		} else if (strcmp(key, "threads") == 0) {
			if ((rc = get_number(r, v, &d, "serve.threads", 1,
			                     64)) == PD_OK)
				sv->threads = (unsigned)d;
		} else if (strcmp(key, "cache_ttl") == 0) {
			rc = get_number(r, v, &sv->cache_ttl, "serve.cache_ttl",
			                0, 86400);
		} else if (strcmp(key, "stale") == 0) {
			rc = get_number(r, v, &sv->stale, "serve.stale", 0,
			                7 * 86400);
		} else if (strcmp(key, "timeout") == 0) {
			rc = get_number(r, v, &sv->timeout, "serve.timeout",
			                0.1, 300);
		} else if (strcmp(key, "max_bytes") == 0) {
			rc = get_size(r, v, &sv->max_bytes, "serve.max_bytes",
			              1, PD_FILTER_CONFIG_MAX_BYTES);
		} else if (strcmp(key, "max_body_bytes") == 0) {
			rc = get_size(r, v, &sv->max_body_bytes,
			              "serve.max_body_bytes", 1,
			              64.0 * 1048576);
		} else if (strcmp(key, "cache_entries") == 0) {
			rc = get_size(r, v, &sv->cache_entries,
			              "serve.cache_entries", 1, 1000000);
		} else if (strcmp(key, "watch") == 0) {
			rc = get_number(r, v, &sv->watch, "serve.watch", 0,
			                3600);
		} else {
			rc = badf(r, k,
			          "unknown key 'serve.%s' (known: listen, "
			          "threads, cache_ttl, stale, timeout, "
			          "max_bytes, max_body_bytes, cache_entries, "
			          "watch)",
			          key);
		}
	}
	return rc;
}

/* A scalar that must be one of `names` (n of them): its index. */
static pd_rc get_choice(const reader *r, const pd_ynode *n, int *out,
                        const char *what, const char *const *names, size_t nn)
{
	if (n->kind != PD_Y_SCALAR)
		return badf(r, n, "'%s' must be a string", what);
	for (size_t i = 0; i < nn; i++) {
		if (strcmp(n->value, names[i]) == 0) {
			*out = (int)i;
			return PD_OK;
		}
	}
	return badf(r, n, "'%s' must be %s%s%s%s%s, not '%s'", what, names[0],
	            nn > 2 ? ", " : " or ", nn > 1 ? names[1] : "",
	            nn > 2 ? " or " : "", nn > 2 ? names[2] : "", n->value);
}

static pd_rc read_store(const reader *r, const pd_ynode *m, pd_config *c)
{
	static const char *const sync[] = {"normal", "full"};
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return bad(r, m, "'store' must be a mapping");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		const char *key = k->kind == PD_Y_SCALAR ? k->value : "";
		char *s = NULL;
		int ch;
		if (strcmp(key, "path") == 0) {
			if ((rc = get_path(r, v, &s, "store.path")) == PD_OK)
				replace(&c->review.db, s);
		} else if (strcmp(key, "synchronous") == 0) {
			if ((rc = get_choice(r, v, &ch, "store.synchronous",
			                     sync, 2)) == PD_OK)
				c->review.sync_full = ch == 1;
		} else {
			rc = badf(r, k,
			          "unknown key 'store.%s' (known: path, "
			          "synchronous)",
			          key);
		}
	}
	return rc;
}

static pd_rc read_review(const reader *r, const pd_ynode *m, pd_config *c)
{
	static const char *const cost[] = {"interactive", "moderate", "min"};
	static const char *const secure[] = {"auto", "always", "never"};
	pd_review_config *rv = &c->review;
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return bad(r, m, "'review' must be a mapping");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		const char *key = k->kind == PD_Y_SCALAR ? k->value : "";
		size_t z;
		if (strcmp(key, "hold_for") == 0) {
			rc = get_number(r, v, &rv->hold_for, "review.hold_for",
			                60, 366.0 * 86400);
		} else if (strcmp(key, "password_cost") == 0) {
			rc = get_choice(r, v, &rv->password_cost,
			                "review.password_cost", cost, 3);
		} else if (strcmp(key, "session_idle") == 0) {
			rc = get_number(r, v, &rv->session_idle,
			                "review.session_idle", 60, 86400);
		} else if (strcmp(key, "session_max") == 0) {
			rc = get_number(r, v, &rv->session_max,
			                "review.session_max", 60, 7 * 86400);
		} else if (strcmp(key, "login_failures") == 0) {
			if ((rc = get_size(r, v, &z, "review.login_failures", 1,
			                   1000)) == PD_OK)
				rv->login_failures = (unsigned)z;
		} else if (strcmp(key, "login_window") == 0) {
			rc = get_number(r, v, &rv->login_window,
			                "review.login_window", 1, 86400);
		} else if (strcmp(key, "cookie_secure") == 0) {
			rc = get_choice(r, v, &rv->cookie_secure,
			                "review.cookie_secure", secure, 3);
		} else if (strcmp(key, "page_size") == 0) {
			if ((rc = get_size(r, v, &z, "review.page_size", 1,
			                   500)) == PD_OK)
				rv->page_size = (unsigned)z;
		} else {
			rc = badf(
			        r, k,
			        "unknown key 'review.%s' (known: hold_for, "
			        "password_cost, session_idle, session_max, "
			        "login_failures, login_window, cookie_secure, "
			        "page_size)",
			        key);
		}
	}
	return rc;
}

static bool format_ok(const char *s)
{
	return strcmp(s, "rss") == 0 || strcmp(s, "atom") == 0 ||
	       strcmp(s, "html") == 0 || strcmp(s, "text") == 0;
}

/* A route path: absolute, printable, no "." or ".." segment, no "//",
 * query or fragment. */
static bool route_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#' ||
		    ch == '%' || ch == '\\')
			return false;
		if (ch == '/' && s[1] == '/')
			return false;
		if (ch == '/' && s[1] == '.' &&
		    (s[2] == '/' || !s[2] ||
		     (s[2] == '.' && (s[3] == '/' || !s[3]))))
			return false;
	}
	return true;
}

/* A path the service answers itself: a route there would be hidden. */
static bool builtin_path(const char *p)
{
	static const char *const own[] = {"/review", "/v1", "/healthz",
	                                  "/metrics"};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		size_t n = strlen(own[i]);
		if (strncmp(p, own[i], n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return true;
	}
	return false;
}

static bool url_chars_ok(const char *u)
{
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || (unsigned char)*u >= 0x7f)
			return false;
	return true;
}

/* http:// or https:// with a host; file: made absolute (file:///...). */
static pd_rc get_upstream(const reader *r, const pd_ynode *n, char **out)
{
	char *s = NULL, *abs = NULL;
	pd_buf b = PD_BUF_INIT(8192);
	pd_rc rc;

	if ((rc = get_string(r, n, &s, "upstream")) < 0)
		return rc;
	if (!url_chars_ok(s)) {
		rc = bad(r, n,
		         "'upstream' has a blank or non-ASCII character "
		         "(percent-encode it)");
		goto done;
	}
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
		const char *host = strstr(s, "://") + 3;
		if (!*host || *host == '/' || *host == ':' || *host == '?') {
			rc = bad(r, n, "'upstream' has no host");
			goto done;
		}
		*out = s;
		s = NULL;
		goto done;
	}
	if (strncmp(s, "file:", 5) != 0) {
		rc = badf(r, n,
		          "'upstream' must be an http://, https:// or file: "
		          "URL, not '%.100s'",
		          s);
		goto done;
	}
	{
		const char *path = s + 5;
		if (strncmp(path, "///", 3) == 0)
			path += 2;
		else if (strncmp(path, "//", 2) == 0) {
			rc = bad(r, n,
			         "'upstream': a file: URL names no host "
			         "(file:///abs/path or file:relative/path)");
			goto done;
		}
		if (!*path || strchr(path, '?') || strchr(path, '#') ||
		    strchr(path, '%')) {
			rc = bad(r, n,
			         "'upstream': a file: URL needs a plain path");
			goto done;
		}
		if (path[0] == '/') {
			rc = pd_buf_printf(&b, "file://%s", path);
		} else {
			abs = realpath(r->dir[0] ? r->dir : ".", NULL);
			if (!abs) {
				rc = badf(r, n,
				          "'upstream': cannot resolve the "
				          "configuration's directory for '%s'",
				          path);
				goto done;
			}
			rc = pd_buf_printf(&b, "file://%s/%s", abs, path);
		}
		if (rc < 0)
			goto done;
		*out = pd_buf_detach(&b);
		if (!*out)
			rc = pd_error_set(PD_ENOMEM, "out of memory");
	}
done:
	free(abs); /* from realpath(): the C library's malloc */
	pd_free(s);
	pd_buf_dispose(&b);
	return rc;
}

static pd_rc read_route(const reader *r, const pd_ynode *m, pd_route *rt)
{
	pd_rc rc = PD_OK;
	pd_class cls;

	rt->line = m->line;
	rt->ttl = rt->stale = rt->timeout = UNSET;
	if (m->kind != PD_Y_MAP)
		return bad(r, m,
		           "a route must be a mapping (path, upstream, "
		           "class, ...)");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		const char *key = k->kind == PD_Y_SCALAR ? k->value : "";
		char *s = NULL;
		if (strcmp(key, "path") == 0) {
			if ((rc = get_string(r, v, &s, "path")) < 0)
				break;
			replace(&rt->path, s);
			if (!route_path_ok(s))
				rc = badf(r, v,
				          "route path '%.200s' must start with "
				          "'/' and hold no blank, '%%', '?', "
				          "'#', '\\', '//', '.' or '..' "
				          "segment",
				          s);
			else if (builtin_path(s))
				rc = badf(
				        r, v,
				        "route path '%.200s' is the service's "
				        "own (/review, /v1/, /healthz, "
				        "/metrics)",
				        s);
		} else if (strcmp(key, "upstream") == 0) {
			if ((rc = get_upstream(r, v, &s)) == PD_OK)
				replace(&rt->upstream, s);
		} else if (strcmp(key, "class") == 0) {
			if ((rc = get_string(r, v, &s, "class")) < 0)
				break;
			replace(&rt->cls, s);
			if (pd_class_parse(&cls, s) < 0)
				rc = bad(r, v, pd_error_message());
		} else if (strcmp(key, "area") == 0) {
			if ((rc = get_string(r, v, &s, "area")) == PD_OK)
				replace(&rt->area, s);
		} else if (strcmp(key, "format") == 0) {
			if ((rc = get_string(r, v, &s, "format")) < 0)
				break;
			replace(&rt->format, s);
			if (!format_ok(s))
				rc = badf(
				        r, v,
				        "unknown format '%.100s' (known: rss, "
				        "atom, html, text)",
				        s);
		} else if (strcmp(key, "ttl") == 0) {
			rc = get_number(r, v, &rt->ttl, "ttl", 0, 86400);
		} else if (strcmp(key, "stale") == 0) {
			rc = get_number(r, v, &rt->stale, "stale", 0,
			                7 * 86400);
		} else if (strcmp(key, "timeout") == 0) {
			rc = get_number(r, v, &rt->timeout, "timeout", 0.1,
			                300);
		} else if (strcmp(key, "max_bytes") == 0) {
			rc = get_size(r, v, &rt->max_bytes, "max_bytes", 1,
			              PD_FILTER_CONFIG_MAX_BYTES);
		} else if (strcmp(key, "redirect_hosts") == 0) {
			rc = get_list(r, v, &rt->redirect_hosts,
			              &rt->nredirect_hosts, "redirect_hosts",
			              false);
		} else {
			rc = badf(r, k,
			          "unknown route key '%.100s' (known: path, "
			          "upstream, class, area, format, ttl, stale, "
			          "timeout, max_bytes, redirect_hosts)",
			          key);
		}
	}
	if (rc < 0)
		return rc;
	if (!rt->path || !rt->upstream || !rt->cls)
		return bad(r, m, "a route needs path, upstream and class");
	return PD_OK;
}

static pd_rc read_routes(const reader *r, const pd_ynode *n, pd_config *c)
{
	pd_rc rc = PD_OK;

	if (n->kind != PD_Y_SEQ)
		return bad(r, n, "'routes' must be a list of routes");
	if (n->nitems > PD_MAX_ROUTES)
		return badf(r, n, "more than %d routes", PD_MAX_ROUTES);
	pd_config_routes_free(c);
	c->routes = pd_calloc(n->nitems ? n->nitems : 1, sizeof(*c->routes));
	if (!c->routes)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n->nitems && rc == PD_OK; i++) {
		c->nroutes++;
		rc = read_route(r, n->items[i], &c->routes[i]);
		for (size_t j = 0; rc == PD_OK && j < i; j++)
			if (strcmp(c->routes[j].path, c->routes[i].path) == 0)
				rc = badf(r, n->items[i],
				          "route path '%.200s' given twice "
				          "(first on line %d)",
				          c->routes[i].path, c->routes[j].line);
	}
	return rc;
}

static pd_rc read_selectors(const reader *r, const pd_ynode *n, pd_config *c)
{
	pd_class cls;

	if (n->kind != PD_Y_SEQ)
		return bad(r, n,
		           "'filter.html_selectors' must be a list of "
		           "{xpath, class}");
	for (size_t i = 0; i < c->nselectors; i++) {
		pd_free(c->selectors[i].xpath);
		pd_free(c->selectors[i].cls);
	}
	pd_free(c->selectors);
	c->nselectors = 0;
	c->selectors =
	        pd_calloc(n->nitems ? n->nitems : 1, sizeof(*c->selectors));
	if (!c->selectors)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n->nitems; i++) {
		const pd_ynode *m = n->items[i];
		pd_selector *s = &c->selectors[c->nselectors++];
		pd_rc rc;
		s->line = m->line;
		if (m->kind != PD_Y_MAP)
			return bad(r, m, "a selector must be {xpath, class}");
		for (size_t j = 0; j + 1 < m->nitems; j += 2) {
			const pd_ynode *k = m->items[j], *v = m->items[j + 1];
			const char *key =
			        k->kind == PD_Y_SCALAR ? k->value : "";
			char *str = NULL;
			if (strcmp(key, "xpath") == 0) {
				if ((rc = get_string(r, v, &str, "xpath")) < 0)
					return rc;
				replace(&s->xpath, str);
			} else if (strcmp(key, "class") == 0) {
				if ((rc = get_string(r, v, &str, "class")) < 0)
					return rc;
				replace(&s->cls, str);
				if (pd_class_parse(&cls, str) < 0)
					return bad(r, v, pd_error_message());
			} else {
				return badf(r, k,
				            "unknown selector key '%.100s' "
				            "(known: xpath, class)",
				            key);
			}
		}
		if (!s->xpath || !s->cls)
			return bad(r, m, "a selector needs xpath and class");
	}
	return PD_OK;
}

static pd_rc read_filter(const reader *r, const pd_ynode *m, pd_config *c)
{
	pd_rc rc = PD_OK;

	if (m->kind != PD_Y_MAP)
		return bad(r, m,
		           "'filter' must be a mapping (max_bytes, "
		           "html_selectors)");
	for (size_t i = 0; i + 1 < m->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = m->items[i], *v = m->items[i + 1];
		const char *key = k->kind == PD_Y_SCALAR ? k->value : "";
		if (strcmp(key, "max_bytes") == 0)
			rc = get_size(r, v, &c->filter_max_bytes,
			              "filter.max_bytes", 1,
			              PD_FILTER_CONFIG_MAX_BYTES);
		else if (strcmp(key, "html_selectors") == 0)
			rc = read_selectors(r, v, c);
		else
			rc = badf(r, k,
			          "unknown key 'filter.%.100s' (known: "
			          "max_bytes, html_selectors)",
			          key);
	}
	return rc;
}

/* After the whole file is read: route defaults from serve:, and route
 * areas against council.areas (which may come later in the file). */
static pd_rc finish_routes(const reader *r, pd_config *c)
{
	for (size_t i = 0; i < c->nroutes; i++) {
		pd_route *rt = &c->routes[i];
		if (rt->ttl == UNSET)
			rt->ttl = c->serve.cache_ttl;
		if (rt->stale == UNSET)
			rt->stale = c->serve.stale;
		if (rt->timeout == UNSET)
			rt->timeout = c->serve.timeout;
		if (!rt->max_bytes)
			rt->max_bytes = c->serve.max_bytes;
		if (rt->area && pd_config_check_area(c, rt->area) < 0)
			return pd_error_set(PD_ECONFIG, "%s:%d: route %s: %s",
			                    r->file, rt->line, rt->path,
			                    pd_error_message());
	}
	return PD_OK;
}

static pd_rc read_root(const reader *r, const pd_ynode *root, pd_config *c)
{
	pd_rc rc = PD_OK;

	if (!root || pd_ynode_is_null(root))
		return PD_OK; /* an empty file or document: the defaults */
	if (root->kind != PD_Y_MAP)
		return bad(r, root, "the configuration must be a mapping");
	for (size_t i = 0; i + 1 < root->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = root->items[i], *v = root->items[i + 1];
		char *s = NULL;
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (strcmp(k->value, "council") == 0) {
			rc = read_council(r, v, c);
		} else if (strcmp(k->value, "timezone") == 0) {
			const pd_tz *tz;
			if ((rc = get_string(r, v, &s, "timezone")) == PD_OK &&
			    (rc = pd_tz_get(&tz, s)) < 0) {
				pd_free(s);
				rc = bad(r, v, pd_error_message());
			}
			if (rc == PD_OK)
				replace(&c->timezone, s);
		} else if (strcmp(k->value, "calendars") == 0) {
			rc = get_list(r, v, &c->calendars, &c->ncalendars,
			              "calendars", true);
		} else if (strcmp(k->value, "lexicons") == 0) {
			rc = get_list(r, v, &c->lexicons, &c->nlexicons,
			              "lexicons", true);
		} else if (strcmp(k->value, "calendar_file") == 0) {
			if ((rc = get_path(r, v, &s, "calendar_file")) == PD_OK)
				replace(&c->calendar_file, s);
		} else if (strcmp(k->value, "thresholds") == 0) {
			rc = read_thresholds(r, v, c);
		} else if (strcmp(k->value, "policy") == 0) {
			rc = read_policy(r, v, c);
		} else if (strcmp(k->value, "freeze_file") == 0) {
			if ((rc = get_path(r, v, &s, "freeze_file")) == PD_OK)
				replace(&c->freeze_file, s);
		} else if (strcmp(k->value, "serve") == 0) {
			rc = read_serve(r, v, c);
		} else if (strcmp(k->value, "routes") == 0) {
			rc = read_routes(r, v, c);
		} else if (strcmp(k->value, "filter") == 0) {
			rc = read_filter(r, v, c);
		} else if (strcmp(k->value, "store") == 0) {
			rc = read_store(r, v, c);
		} else if (strcmp(k->value, "review") == 0) {
			rc = read_review(r, v, c);
		} else {
			rc = badf(r, k,
			          "unknown key '%s' (known: council, timezone, "
			          "calendars, lexicons, calendar_file, "
			          "freeze_file, thresholds, policy, serve, "
			          "routes, filter, store, review)",
			          k->value);
		}
	}
	return rc;
}

static pd_rc rebase(char **slot, const char *dir)
{
	pd_buf b = PD_BUF_INIT(4096);

	if ((*slot)[0] == '/')
		return PD_OK;
	if (pd_buf_printf(&b, "%s%s", dir, *slot) < 0)
		return pd_error_code();
	pd_free(*slot);
	*slot = pd_buf_detach(&b);
	return *slot ? PD_OK : pd_error_set(PD_ENOMEM, "out of memory");
}

/* The defaults of a configuration file are relative to the file too. */
static pd_rc rebase_defaults(pd_config *c, const char *dir)
{
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < c->ncalendars && rc == PD_OK; i++)
		rc = rebase(&c->calendars[i], dir);
	for (size_t i = 0; i < c->nlexicons && rc == PD_OK; i++)
		rc = rebase(&c->lexicons[i], dir);
	if (rc == PD_OK)
		rc = rebase(&c->calendar_file, dir);
	if (rc == PD_OK)
		rc = rebase(&c->freeze_file, dir);
	if (rc == PD_OK)
		rc = rebase(&c->review.db, dir);
	return rc;
}

pd_rc pd_config_load(pd_config **out, const char *path)
{
	pd_buf text = PD_BUF_INIT(PD_MAX_CONFIG_BYTES);
	pd_ydoc *doc = NULL;
	pd_config *c = NULL;
	char *dir = NULL, *slash;
	reader r;
	pd_rc rc;

	if ((rc = pd_file_read(&text, path)) < 0) {
		if (rc == PD_ETOOBIG)
			rc = pd_error_recode(PD_ECONFIG);
		goto done;
	}
	if ((rc = pd_yaml_parse(&doc, path, text.ptr, text.len)) < 0)
		goto done;
	if ((rc = pd_config_default(&c)) < 0)
		goto done;
	pd_sha256_hex(text.ptr, text.len, c->sha256);
	if (!(dir = pd_strdup(path)) || !(c->path = pd_strdup(path))) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	r.file = path;
	r.dir = dir;
	if (dir[0] && (rc = rebase_defaults(c, dir)) < 0)
		goto done;
	if ((rc = read_root(&r, pd_ydoc_root(doc), c)) < 0 ||
	    (rc = finish_routes(&r, c)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	pd_config_free(c);
	pd_free(dir);
	pd_ydoc_free(doc);
	pd_buf_dispose(&text);
	return rc;
}
