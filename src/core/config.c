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
	if (!c->council_name || !c->timezone || !c->calendar_file ||
	    !c->freeze_file ||
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
		} else {
			rc = badf(r, k,
			          "unknown key '%s' (known: council, timezone, "
			          "calendars, lexicons, calendar_file, "
			          "freeze_file, thresholds, policy)",
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
	if ((rc = read_root(&r, pd_ydoc_root(doc), c)) < 0)
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
