/*
 * The libcurl adapter (src/dep/curl.c, the only file that includes
 * <curl/curl.h>): one upstream exchange, with the limits a proxy owes the
 * hosts behind it and itself.
 *
 *   - http and https only (and file for a file: upstream), redirects
 *     included; proxies from the environment are ignored;
 *   - redirects are followed by hand, at most PD_FETCH_MAX_REDIRECTS, and
 *     only to the upstream's own host or one of `redirect_hosts`: any other
 *     is an error, never followed;
 *   - one deadline for the whole exchange (`timeout`, redirects included);
 *   - at most `max_bytes` of body (decoded): more is PD_ETOOBIG, and the
 *     transfer is cut off as soon as it is known.
 * Fetches run on any thread (no signals are used).
 */
#ifndef PURDAH_DEP_CURL_H
#define PURDAH_DEP_CURL_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"

#define PD_FETCH_MAX_REDIRECTS 5

typedef struct pd_fetch_opts {
	const char *url;
	const char *method; /* NULL: GET */
	const char *body;   /* the request body (method not GET) */
	size_t body_len;
	const char *content_type;      /* of the body, or NULL */
	const char *if_none_match;     /* an ETag, or NULL */
	const char *if_modified_since; /* an HTTP date, or NULL */
	double timeout;                /* seconds, the whole exchange */
	size_t max_bytes;              /* the largest body accepted */
	const char *const *redirect_hosts;
	size_t nredirect_hosts;
} pd_fetch_opts;

typedef struct pd_fetch_result {
	long status; /* the final response's (200 for file:) */
	pd_buf body; /* its body */
	char *etag;  /* its headers, or NULL */
	char *last_modified;
	char *content_type;
	double seconds; /* the whole exchange took */
	int redirects;  /* followed */
} pd_fetch_result;

#define PD_FETCH_RESULT_INIT                                                   \
	{                                                                      \
		0, PD_BUF_INIT(0), NULL, NULL, NULL, 0, 0                      \
	}

/* Once, before any thread fetches (curl_global_init). PD_EDEP on failure. */
pd_rc pd_fetch_global_init(void);
void pd_fetch_global_cleanup(void);

/*
 * Fetch `o->url`. Any HTTP status is a result (the caller decides what a
 * 404 or a 500 means); a failure to get one is an error: PD_ETOOBIG over
 * max_bytes, PD_EIO for a connection failure or the timeout ("upstream
 * URL: timed out after 2.0 s"), PD_EINVALID for a redirect that may not be
 * followed or a URL that is not http/https/file. `r` is replaced; dispose
 * it even on failure.
 */
pd_rc pd_fetch(pd_fetch_result *r, const pd_fetch_opts *o);
void pd_fetch_result_dispose(pd_fetch_result *r);

#endif
