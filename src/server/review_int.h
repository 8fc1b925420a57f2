/*
 * What the files of the review pages share (private to review.c,
 * review_item.c and review_list.c): one request's context and the helpers that
 * write a page.
 *
 * Writing a page never checks each append: the first failure is kept in
 * rv.rc and later appends do nothing; rv_send() then answers 500 instead
 * of a truncated page.
 */
#ifndef PURDAH_SERVER_REVIEW_INT_H
#define PURDAH_SERVER_REVIEW_INT_H

#include "purdah/store.h"
#include "server/server.h"

typedef struct rv {
	srv_req *q;
	pd_http_request *rq;
	pd_http_response *rs;
	const pd_world *w; /* q->w->w */
	pd_store *st;      /* from the pool, for this request */
	pd_instant now;
	bool logged;     /* sess holds a live session */
	bool broken;     /* the store failed: do not pool it again */
	pd_session sess; /* the user, role and csrf token */
	srv_form form;   /* a POST's fields */
	srv_form query;  /* the query string's */
	pd_buf *b;       /* &rs->body */
	pd_rc rc;        /* the first failure writing the page */
} rv;

/* Append text (as is), text escaped, `n` bytes escaped, printf. */
void rv_out(rv *r, const char *s);
void rv_esc(rv *r, const char *s);
void rv_esc_n(rv *r, const char *s, size_t n);
void rv_outf(rv *r, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;
/* "2026-11-21 14:05" in the configured zone ("-" for 0). */
void rv_time(rv *r, pd_instant t);
/* The hidden csrf field of the session. */
void rv_csrf(rv *r);
/* "Abbey, Castle" (or "whole council") from a JSON array of strings. */
void rv_areas_json(rv *r, const char *json);
/* The first reason's code from a JSON array of reasons ("" when none). */
void rv_first_reason(const char *json, char *out, size_t n);
/* A positive decimal id of `len` bytes (no sign, no leading zero), else
 * 0. */
int64_t rv_parse_id(const char *s, size_t len);

/* The page up to <main> (header, nav, banner) and after it. */
void rv_page_start(rv *r, const char *title);
void rv_page_end(rv *r);
/* Answer the page written with `status` and the security headers. */
void rv_send(rv *r, int status);
/* A whole error page: `title`, `text` (escaped). */
void rv_error(rv *r, int status, const char *title, const char *text);
/* 503: the store failed with `rc` (logged, counted). */
void rv_store_error(rv *r, pd_rc rc);
/* Does the POST carry the session's csrf token? */
bool rv_csrf_ok(const rv *r);

/* The freeze file (cfg->freeze_file) as a calendar, and the freezes in
 * force now in it (one per UID; *act allocated, periods borrowed from
 * *cal). Free both (pd_free, pd_calendar_free). */
pd_rc rv_freezes(const rv *r, pd_calendar **cal, const pd_period ***act,
                 size_t *nact);

/* 303 See Other to `location`. */
void rv_redirect(rv *r, const char *location);

/* review_item.c: GET /review/items/ID, POST .../decide, /review/bulk,
 * /review/freeze. */
void rv_item(rv *r, int64_t id);
void rv_decide(rv *r, int64_t id);
void rv_bulk(rv *r);
void rv_freeze(rv *r);

/* review_list.c: GET /review, /review/audit, /review/export.csv. */
void rv_queue(rv *r);
void rv_audit(rv *r);
void rv_export(rv *r);

#endif
