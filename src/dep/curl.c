/*
 * The libcurl adapter: one upstream exchange per call, on a fresh easy
 * handle, redirects followed here (not by libcurl) so that every hop's host
 * is checked before it is contacted. CURLcode becomes a pd_rc with a message
 * naming the upstream (without any user:password in its URL).
 */
#include "dep/curl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dep/http.h"
#include "purdah/alloc.h"

#define MAX_HEADER_VALUE 1024

pd_rc pd_fetch_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return pd_error_set(PD_EDEP, "libcurl: cannot initialise");
	return PD_OK;
}

void pd_fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void pd_fetch_result_dispose(pd_fetch_result *r)
{
	pd_buf_dispose(&r->body);
	pd_free(r->etag);
	pd_free(r->last_modified);
	pd_free(r->content_type);
	r->etag = r->last_modified = r->content_type = NULL;
}

/* `url` for messages: "scheme://user:pass@host/..." loses "user:pass@". */
static void redact(char *out, size_t n, const char *url)
{
	const char *s = strstr(url, "://"), *at, *slash;

	if (s) {
		s += 3;
		at = strchr(s, '@');
		slash = strchr(s, '/');
		if (at && (!slash || at < slash)) {
			snprintf(out, n, "%.*s%.300s", (int)(s - url), url,
			         at + 1);
			return;
		}
	}
	snprintf(out, n, "%.400s", url);
}

typedef struct {
	pd_fetch_result *r;
	bool too_big;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	sink *k = arg;

	if (pd_buf_put(&k->r->body, p, size * n) < 0) {
		k->too_big = true;
		return 0; /* cut the transfer off */
	}
	return size * n;
}

static void set_header(char **slot, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
	             v[n - 1] == '\n'))
		n--;
	if (n > MAX_HEADER_VALUE)
		return;
	pd_free(*slot);
	*slot = pd_strndup(v, n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	sink *k = arg;
	size_t len = size * n;
	const char *colon = memchr(p, ':', len);
	size_t nl;

	if (len >= 5 && !memcmp(p, "HTTP/", 5)) { /* a new response */
		pd_free(k->r->etag);
		pd_free(k->r->last_modified);
		pd_free(k->r->content_type);
		k->r->etag = k->r->last_modified = k->r->content_type = NULL;
		return len;
	}
	if (!colon)
		return len;
	nl = (size_t)(colon - p);
	if (nl == 4 && !strncasecmp(p, "etag", 4))
		set_header(&k->r->etag, colon + 1, len - nl - 1);
	else if (nl == 13 && !strncasecmp(p, "last-modified", 13))
		set_header(&k->r->last_modified, colon + 1, len - nl - 1);
	else if (nl == 12 && !strncasecmp(p, "content-type", 12))
		set_header(&k->r->content_type, colon + 1, len - nl - 1);
	return len;
}

/* The scheme and host of `url` (lower case), through libcurl's parser. */
static pd_rc url_parts(const char *url, char *scheme, size_t ns, char *host,
                       size_t nh)
{
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL;
	pd_rc rc = PD_OK;

	if (!u)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK) {
		rc = PD_EINVALID;
		goto done;
	}
	snprintf(scheme, ns, "%s", s);
	host[0] = 0;
	if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
		snprintf(host, nh, "%s", h);
	for (char *c = host; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
done:
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

static bool host_allowed(const pd_fetch_opts *o, const char *host0,
                         const char *host)
{
	if (!strcasecmp(host, host0))
		return true;
	for (size_t i = 0; i < o->nredirect_hosts; i++)
		if (!strcasecmp(host, o->redirect_hosts[i]))
			return true;
	return false;
}

/* One hop. */
static CURLcode perform(CURL *h, const char *url, const char *method,
                        const pd_fetch_opts *o, sink *k, long ms, bool file,
                        char *errbuf)
{
	struct curl_slist *hdrs = NULL, *t;
	char line[MAX_HEADER_VALUE + 64];
	CURLcode rc;

	curl_easy_reset(h);
	errbuf[0] = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	                 file ? "file" : "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)o->max_bytes);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "purdah");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (!file) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (o->body_len || strcmp(method, "DELETE")) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			                 o->body ? o->body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			                 (curl_off_t)o->body_len);
		}
		if (o->content_type) {
			snprintf(line, sizeof(line), "Content-Type: %.*s",
			         MAX_HEADER_VALUE, o->content_type);
			if ((t = curl_slist_append(hdrs, line)))
				hdrs = t;
		}
		if ((t = curl_slist_append(hdrs, "Expect:")))
			hdrs = t;
	}
	if (o->if_none_match && !strcmp(method, "GET")) {
		snprintf(line, sizeof(line), "If-None-Match: %.*s",
		         MAX_HEADER_VALUE, o->if_none_match);
		if ((t = curl_slist_append(hdrs, line)))
			hdrs = t;
	}
	if (o->if_modified_since && !strcmp(method, "GET")) {
		snprintf(line, sizeof(line), "If-Modified-Since: %.*s",
		         MAX_HEADER_VALUE, o->if_modified_since);
		if ((t = curl_slist_append(hdrs, line)))
			hdrs = t;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}

pd_rc pd_fetch(pd_fetch_result *r, const pd_fetch_opts *o)
{
	char scheme[16], host0[256], shown[512], errbuf[CURL_ERROR_SIZE];
	double t0 = pd_http_clock(), left;
	const char *method = o->method ? o->method : "GET";
	char *url = pd_strdup(o->url);
	sink k = {r, false};
	CURL *h = NULL;
	bool file;
	pd_rc rc = PD_OK;

	memset(r, 0, sizeof(*r));
	r->body = (pd_buf)PD_BUF_INIT(o->max_bytes);
	redact(shown, sizeof(shown), o->url);
	if (!url || !(h = curl_easy_init())) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	if (url_parts(url, scheme, sizeof(scheme), host0, sizeof(host0)) < 0 ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https") &&
	     strcmp(scheme, "file"))) {
		rc = pd_error_set(PD_EINVALID,
		                  "upstream %s: not an http, https or file URL",
		                  shown);
		goto done;
	}
	file = !strcmp(scheme, "file");
	for (;;) {
		CURLcode cc;
		long code = 0;
		char *next = NULL, s2[16], h2[256];

		left = o->timeout - (pd_http_clock() - t0);
		if (left <= 0) {
			rc = pd_error_set(PD_EIO,
			                  "upstream %s: timed out after %.1f s",
			                  shown, o->timeout);
			goto done;
		}
		pd_buf_clear(&r->body);
		cc = perform(h, url, method, o, &k, (long)(left * 1000) + 1,
		             file, errbuf);
		if (cc == CURLE_FILESIZE_EXCEEDED ||
		    (cc == CURLE_WRITE_ERROR && k.too_big)) {
			rc = pd_error_set(
			        PD_ETOOBIG,
			        "upstream %s: the response is over %zu "
			        "bytes",
			        shown, o->max_bytes);
			goto done;
		}
		if (cc == CURLE_OPERATION_TIMEDOUT) {
			rc = pd_error_set(PD_EIO,
			                  "upstream %s: timed out after %.1f s",
			                  shown, o->timeout);
			goto done;
		}
		if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
			rc = pd_error_set(PD_EINVALID,
			                  "upstream %s: protocol not allowed",
			                  shown);
			goto done;
		}
		if (cc != CURLE_OK) {
			rc = pd_error_set(PD_EIO, "upstream %s: %s", shown,
			                  errbuf[0] ? errbuf
			                            : curl_easy_strerror(cc));
			goto done;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		r->status = file ? 200 : code;
		if (file || (code != 301 && code != 302 && code != 303 &&
		             code != 307 && code != 308))
			break;
		if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) !=
		            CURLE_OK ||
		    !next)
			break; /* a redirect without a usable Location */
		if (r->redirects == PD_FETCH_MAX_REDIRECTS) {
			rc = pd_error_set(PD_EINVALID,
			                  "upstream %s: more than %d redirects",
			                  shown, PD_FETCH_MAX_REDIRECTS);
			goto done;
		}
		if (url_parts(next, s2, sizeof(s2), h2, sizeof(h2)) < 0 ||
		    (strcmp(s2, "http") && strcmp(s2, "https")) ||
		    !host_allowed(o, host0, h2)) {
			char where[512];
			redact(where, sizeof(where), next);
			rc = pd_error_set(PD_EINVALID,
			                  "upstream %s: redirect to %s not "
			                  "followed (another host)",
			                  shown, where);
			goto done;
		}
		pd_free(url);
		if (!(url = pd_strdup(next))) {
			rc = pd_error_set(PD_ENOMEM, "out of memory");
			goto done;
		}
		if (code == 303 ||
		    ((code == 301 || code == 302) && !strcmp(method, "POST")))
			method = "GET";
		r->redirects++;
	}
done:
	r->seconds = pd_http_clock() - t0;
	if (h)
		curl_easy_cleanup(h);
	pd_free(url);
	return rc;
}
