/*
 * purdah.yaml: the council, where calendars and lexicons live, the time
 * zone and the files purdah writes. Unknown keys and bad values are errors
 * naming file:line:column (PD_ECONFIG). Relative paths in the file are taken
 * relative to the file's own directory; the built-in defaults are relative
 * to the working directory.
 */
#ifndef PURDAH_CONFIG_H
#define PURDAH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"

/* Lexicon categories with where each was configured (line 0: built in). */
typedef struct pd_category_list {
	char **names;
	int *lines;
	size_t n;
} pd_category_list;

/* An HTML element selector for `purdah filter` and `serve` (filter.html). */
typedef struct pd_selector {
	char *xpath; /* an XPath 1.0 expression selecting elements */
	char *cls;   /* the class of what it selects (a pd_class name) */
	int line;
} pd_selector;

/* One route of `purdah serve` (routes:). */
typedef struct pd_route {
	char *path;       /* "/feeds/x.xml"; ending in '/': a prefix */
	char *upstream;   /* http://, https:// or file:/// (absolute) URL */
	char *cls;        /* a pd_class name */
	char *area;       /* or NULL: the whole council */
	char *format;     /* rss, atom, html, text, or NULL (detected) */
	double ttl;       /* seconds a cached response is fresh */
	double stale;     /* seconds a stale copy may serve on upstream error */
	double timeout;   /* seconds for the whole upstream exchange */
	size_t max_bytes; /* the largest upstream response accepted */
	char **redirect_hosts; /* hosts redirects may lead to (besides own) */
	size_t nredirect_hosts;
	int line;
} pd_route;

/* `serve:`: the HTTP service. */
typedef struct pd_serve_config {
	char *listen;          /* ADDR:PORT, default 127.0.0.1:8080 */
	unsigned threads;      /* worker threads, default 4 */
	double cache_ttl;      /* default route ttl: 300 s */
	double stale;          /* default route stale: 3600 s */
	double timeout;        /* default route timeout: 10 s */
	size_t max_bytes;      /* default route max_bytes: 8 MiB */
	size_t max_body_bytes; /* largest request body: 1 MiB */
	size_t cache_entries;  /* cached responses at most: 1024 */
	double watch;          /* seconds between checks of the files for
	                          changes (reload); 0: only on SIGHUP; 2 */
} pd_serve_config;

/* `store:` and `review:`: the review queue's database and the web page. */
typedef struct pd_review_config {
	char *db;                /* store.path: var/purdah.db */
	bool sync_full;          /* store.synchronous: normal (false) | full */
	double hold_for;         /* review.hold_for: seconds an item to publish
	                            now stays pending: 86400 */
	int password_cost;       /* review.password_cost: a pd_pw_cost:
	                            interactive (0) | moderate | min */
	double session_idle;     /* review.session_idle: 1800 s */
	double session_max;      /* review.session_max: 43200 s */
	unsigned login_failures; /* review.login_failures: 5 ... */
	double login_window;     /* review.login_window: ... in 900 s */
	int cookie_secure;       /* review.cookie_secure: auto (0: when the
	                            request came over TLS, X-Forwarded-Proto
	                            https), always (1), never (2) */
	unsigned page_size;      /* review.page_size: 50 */
} pd_review_config;

typedef struct pd_config {
	char *path;         /* the file loaded, or NULL (built-in defaults) */
	char *council_name; /* "the council" when not configured */
	char **areas;       /* known wards/divisions; empty = not checked */
	size_t nareas;
	char **calendars; /* files or directories of *.ics */
	size_t ncalendars;
	char **lexicons; /* directories of lexicon YAML */
	size_t nlexicons;
	char *timezone;      /* IANA name */
	char *calendar_file; /* where `calendar add` writes */
	char *freeze_file;   /* where `freeze` writes */
	struct pd_threshold {
		char *category;
		double value;
		int line; /* in the file */
	} * thresholds;   /* per lexicon category */
	size_t nthresholds;
	/* The policy's category roles (`policy:`), each a list of lexicon
	 * categories; the built-in defaults when not configured. */
	pd_category_list party_political;  /* held at any time */
	pd_category_list purdah_sensitive; /* held in an election period */
	pd_category_list referendum;       /* held in a referendum period */
	pd_category_list partisan; /* never excused as poll information */
	pd_category_list electoral_process; /* information about the poll */
	pd_selector *selectors;             /* filter.html_selectors */
	size_t nselectors;
	size_t filter_max_bytes; /* filter.max_bytes: 16 MiB */
	pd_serve_config serve;
	pd_review_config review;
	pd_route *routes;
	size_t nroutes;
	char sha256[65]; /* of the file's bytes; "" for built-in defaults */
} pd_config;

/* At most this many routes; the largest max_bytes of a route or filter. */
#define PD_MAX_ROUTES              1024
#define PD_FILTER_CONFIG_MAX_BYTES (1024.0 * 1024 * 1024)

/* PD_EUSAGE unless `s` is ADDR:PORT or [IPv6]:PORT with a port 1-65535. */
pd_rc pd_config_check_listen(const char *s);

/* A category's score counts when it reaches its threshold. */
#define PD_DEFAULT_THRESHOLD 5.0

/* The built-in defaults: calendars/, lexicons/, Europe/London,
 * calendars/elections.ics, calendars/freeze.ics, var/purdah.db. Free with
 * pd_config_free(). */
pd_rc pd_config_default(pd_config **out);

/* Load `path` over the defaults. PD_ENOINPUT when it cannot be read,
 * PD_ECONFIG for anything wrong in it. */
pd_rc pd_config_load(pd_config **out, const char *path);

/* Replace a list (calendars, lexicons) with copies of `items`. */
pd_rc pd_config_set_list(char ***list, size_t *count, char *const *items,
                         size_t n);

/* PD_EUSAGE when areas are configured and `area` is not one of them
 * (case-insensitive); PD_OK otherwise. */
pd_rc pd_config_check_area(const pd_config *cfg, const char *area);

/* The threshold of `category`: configured, else the built-in default
 * (topic 2, referendum and referendum-appeal 3, electoral-process -2, any
 * other 5). */
double pd_config_threshold(const pd_config *cfg, const char *category);

/* Does `score` reach threshold `th`? A positive (or zero) threshold is
 * reached from below (score >= th), a negative one from above
 * (score <= th: negative weights mark wording that is allowed, such as
 * electoral-process information). */
bool pd_threshold_reached(double score, double th);

/* Is `category` in `list`? */
bool pd_category_in(const pd_category_list *list, const char *category);

void pd_config_free(pd_config *cfg);

#endif
