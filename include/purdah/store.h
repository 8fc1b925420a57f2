/*
 * The store: the review queue, the audit trail, users and sessions, in one
 * SQLite database (src/core/store.c, audit.c, users.c over the adapter in
 * src/dep/sqlite.c, the only file that includes <sqlite3.h>).
 *
 * The database is opened in WAL mode with a busy timeout, so a CLI and a
 * running `purdah serve` may share it; its schema is versioned (PRAGMA
 * user_version) and migrated forward when opened. Every statement is a
 * prepared statement with bound parameters.
 *
 * Every write that changes what a person could rely on (an item recorded,
 * a review action, an expiry, a freeze, a load of the policy, a login, a
 * user change) appends an audit entry in the same transaction: either both
 * are stored or neither. Audit entries form a hash chain: each one's hash
 * is SHA-256 over the previous entry's hash and its own fields, so an
 * edited, inserted or deleted entry breaks the chain from that point on
 * (pd_audit_verify).
 *
 * A pd_store is one connection: use it from one thread at a time.
 */
#ifndef PURDAH_STORE_H
#define PURDAH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/filter.h"
#include "purdah/gate.h"
#include "purdah/time.h"

typedef struct pd_store pd_store;

typedef struct pd_store_opts {
	bool sync_full;      /* PRAGMA synchronous=FULL (default NORMAL:
	                        durable across a process crash, not
	                        necessarily across a power cut) */
	double busy_timeout; /* seconds to wait for a lock (0: 5) */
	bool create;         /* create the file (and its directory) when
	                        missing; otherwise PD_ENOINPUT */
} pd_store_opts;

/*
 * Open (and migrate) the database at `path`. PD_ENOINPUT when it does not
 * exist and !o->create, PD_EIO when it cannot be opened or written,
 * PD_ECONFIG when it is not a purdah database or its schema is newer than
 * this program knows ("path: ..."), PD_EDEP for any other SQLite failure.
 */
pd_rc pd_store_open(pd_store **out, const char *path, const pd_store_opts *o);
void pd_store_close(pd_store *s);
const char *pd_store_path(const pd_store *s);
/* The schema version this program writes. */
int pd_store_schema_version(void);

/* ------------------------------------------------------------------------ */
/* Review items                                                             */

typedef enum pd_review_status {
	PD_REVIEW_PENDING = 0,
	PD_REVIEW_APPROVED,
	PD_REVIEW_REJECTED,
	PD_REVIEW_EXPIRED,
	PD_REVIEW_WITHDRAWN
} pd_review_status;

/* "pending", "approved", "rejected", "expired", "withdrawn". */
const char *pd_review_status_name(pd_review_status st);
/* PD_EUSAGE naming the known ones. */
pd_rc pd_review_status_parse(pd_review_status *out, const char *s);

/* A new item, as the gate (or the filter) decided it. Strings borrowed. */
typedef struct pd_review_new {
	const char *source;   /* "check", "batch", "api", "filter", "proxy" */
	const char *origin;   /* where from: a file, a route path, a feed's
	                         item id; or NULL */
	const char *cls;      /* a class name */
	const char *areas;    /* a JSON array of strings ("[]": whole) */
	const char *account;  /* or NULL */
	pd_instant at;        /* publication time */
	const char *text;     /* the full text */
	size_t len;           /* of text */
	const char *decision; /* "hold" or "block" */
	const char *reasons;  /* JSON array (gate JSON "reasons") */
	const char *hits;     /* JSON array (gate JSON "hits") */
	const char *periods;  /* JSON array (gate JSON "periods") */
	const char *calendars_sha256, *lexicons_sha256, *config_sha256;
} pd_review_new;

/*
 * Fill `n` from the gate's decision of `it` (its JSON answer); the strings
 * live in `strings` (reset first) until it is disposed or reused.
 */
pd_rc pd_review_new_from_verdict(pd_review_new *n, pd_buf *strings,
                                 const pd_gate *g, const pd_item *it,
                                 const pd_verdict *v, const char *source,
                                 const char *origin);

/*
 * Fill `n` from an item the filter removed (`purdah filter`, the proxy):
 * content of class `cls` about `areas`, from `account` (an input file, a
 * route path), origin the item's id, no publication time (0: the same text
 * from the same account is one item however often it is filtered), one
 * reason (its code and decision), the period that brought it, and `hits`
 * (a JSON array; NULL: "[]"). JSON strings live in `strings` (reset).
 */
pd_rc pd_review_new_from_removed(pd_review_new *n, pd_buf *strings,
                                 const pd_gate *g, const pd_filter_removed *x,
                                 pd_class cls, const char *const *areas,
                                 size_t nareas, const char *source,
                                 const char *account, const char *hits);

/*
 * Record a held or blocked item (audit action "record"). The same content
 * (SHA-256 of the text) for the same account and publication time is one
 * item: then *id is the existing item's and *created false (nothing
 * written). A pending item expires at its publication time or, when that
 * is not after `now`, `hold_for` seconds after `now`.
 */
pd_rc pd_store_record(pd_store *s, const pd_review_new *n, pd_instant now,
                      double hold_for, int64_t *id, bool *created);

typedef struct pd_review_item {
	int64_t id;
	pd_instant created;
	char *source, *origin; /* origin may be NULL */
	char *cls;
	char *areas;   /* JSON array */
	char *account; /* or NULL */
	pd_instant at;
	pd_instant expires;
	char *text;
	size_t len;
	char *content_sha256;
	char *decision;
	char *reasons, *hits, *periods; /* JSON arrays */
	char *calendars_sha256, *lexicons_sha256, *config_sha256;
	pd_review_status status;
	char *reviewer, *note; /* NULL while pending */
	pd_instant decided;    /* 0 while pending */
} pd_review_item;

void pd_review_item_dispose(pd_review_item *it);
void pd_review_items_free(pd_review_item *items, size_t n);

/* The item `id`; PD_ENOTFOUND "item ID: no such item". */
pd_rc pd_store_get(pd_store *s, int64_t id, pd_review_item *out);

/* The item as JSON: every field above, reasons/hits/periods/areas as JSON
 * values, times as RFC 3339 in `tz`. */
pd_json *pd_review_item_json(const pd_review_item *it, const pd_tz *tz);

typedef struct pd_review_query {
	int status;         /* a pd_review_status, or -1: any */
	const char *cls;    /* or NULL */
	const char *period; /* a period uid, or NULL */
	pd_instant from;    /* created at or after (0: no bound) */
	pd_instant to;      /* created before (0: no bound) */
	const char *search; /* a substring of the text (case-insensitive
	                       ASCII), or NULL */
	int64_t before_id;  /* keyset paging: ids below it (0: newest) */
	size_t limit;       /* 0: 50; at most 1000 */
	bool with_text;     /* load text (otherwise text is NULL) */
} pd_review_query;

#define PD_REVIEW_QUERY_INIT                                                   \
	{                                                                      \
		-1, NULL, NULL, 0, 0, NULL, 0, 0, false                        \
	}

/* Items matching `q`, newest first; *more when there are more after the
 * last returned. */
pd_rc pd_store_list(pd_store *s, const pd_review_query *q,
                    pd_review_item **items, size_t *n, bool *more);

/* Counts by status for `q` (status ignored); counts[st]. */
pd_rc pd_store_count(pd_store *s, const pd_review_query *q, int64_t counts[5]);

/*
 * Approve, reject or withdraw a pending item, by `by` (a person's name)
 * through `via` ("cli", "web"), with `note` (required to reject:
 * PD_EUSAGE). PD_ENOTFOUND for no such item; PD_EINVALID "item ID is
 * approved, not pending" when it was decided already (expired items
 * included: expiry runs first).
 */
pd_rc pd_store_decide(pd_store *s, int64_t id, pd_review_status to,
                      const char *by, const char *via, const char *note,
                      pd_instant now);

/* Pending items whose time has passed become expired (audit action
 * "expire", actor "purdah"); *n how many (n may be NULL). */
pd_rc pd_store_expire(pd_store *s, pd_instant now, size_t *n);

/* ------------------------------------------------------------------------ */
/* The audit trail                                                          */

/*
 * Append an entry: `actor` (a user name, "purdah", "cli:NAME"), `action`
 * (record, approve, reject, withdraw, expire, freeze-start, freeze-end,
 * load, login, login-failed, logout, user-add, user-disable), the item it
 * concerns (0: none) and `detail`, a JSON object (compact) or NULL.
 */
pd_rc pd_audit_append(pd_store *s, pd_instant now, const char *actor,
                      const char *action, int64_t item, const char *detail);

/* Append a "load" entry for the policy hashes (calendars, lexicons,
 * configuration, and the configuration's path) unless the last load entry
 * has the same hashes. */
pd_rc pd_audit_note_load(pd_store *s, pd_instant now, const char *actor,
                         const pd_gate *g);

typedef struct pd_audit_entry {
	int64_t seq; /* 1, 2, ... */
	pd_instant at;
	char *actor, *action;
	int64_t item; /* 0: none */
	char *detail; /* JSON object text, or NULL */
	char prev[65], hash[65];
} pd_audit_entry;

void pd_audit_entry_dispose(pd_audit_entry *e);

/* Call `fn` for each entry with from <= at < to (0: no bound), in order,
 * and for `item` alone when not 0; a negative return from fn stops with
 * that code. */
typedef pd_rc (*pd_audit_fn)(void *ctx, const pd_audit_entry *e);
pd_rc pd_audit_each(pd_store *s, pd_instant from, pd_instant to, int64_t item,
                    pd_audit_fn fn, void *ctx);

/* The same, newest first: at most `limit` entries with seq < before_seq
 * (0: from the newest) and from <= at < to (0: no bound). For paging the
 * audit view without walking the whole chain. */
pd_rc pd_audit_recent(pd_store *s, pd_instant from, pd_instant to,
                      int64_t before_seq, size_t limit, pd_audit_fn fn,
                      void *ctx);

typedef struct pd_audit_report {
	int64_t entries; /* checked */
	int64_t bad_seq; /* the first altered or missing entry (0: none) */
	char why[256];   /* what is wrong there */
	char head[65];   /* the last entry's hash (publish it to anchor) */
} pd_audit_report;

/* Walk the chain. PD_OK with r->bad_seq 0 when intact; PD_EINVALID with
 * r->bad_seq and r->why at the first broken entry (an edited field, a
 * deleted or inserted entry, a truncated tail). */
pd_rc pd_audit_verify(pd_store *s, pd_audit_report *r);

/* ------------------------------------------------------------------------ */
/* Users and sessions                                                       */

typedef enum pd_role {
	PD_ROLE_VIEWER = 0, /* reads */
	PD_ROLE_COMMS,      /* reads everything; freezes */
	PD_ROLE_MONITORING  /* approves and rejects */
} pd_role;

const char *pd_role_name(pd_role r); /* viewer, comms, monitoring */
pd_rc pd_role_parse(pd_role *out, const char *s);

/* Argon2id cost (review.password_cost). */
typedef enum pd_pw_cost {
	PD_PW_INTERACTIVE = 0, /* libsodium's interactive limits (default) */
	PD_PW_MODERATE,
	PD_PW_MIN /* for tests only */
} pd_pw_cost;

/* Add a user (names: 1-64 of [A-Za-z0-9._@-]); PD_EINVALID when the name
 * is taken or malformed or the password shorter than 8 bytes. Audited. */
pd_rc pd_user_add(pd_store *s, const char *name, pd_role role,
                  const char *password, size_t len, pd_pw_cost cost,
                  const char *by, pd_instant now);
/* PD_ENOTFOUND; ends the user's sessions. Audited. */
pd_rc pd_user_disable(pd_store *s, const char *name, const char *by,
                      pd_instant now);

/* One user as `purdah user list` shows it (no password hash). */
typedef struct pd_user_info {
	char name[65];
	pd_role role;
	bool disabled;
	pd_instant created;
} pd_user_info;

/* Every user, by name: *out (free with pd_free) holds *n entries. */
pd_rc pd_user_list(pd_store *s, pd_user_info **out, size_t *n);

typedef struct pd_session_limits {
	double idle;           /* seconds without a request (default 1800) */
	double absolute;       /* seconds from login (default 43200) */
	unsigned max_failures; /* failed logins per window (default 5) */
	double window;         /* seconds (default 900) */
} pd_session_limits;

typedef struct pd_session {
	char token[65]; /* 256 random bits, hex: the cookie (only the
	                   SHA-256 is stored) */
	char csrf[65];  /* 256 random bits, hex: the forms' token */
	char user[65];
	pd_role role;
	pd_instant created, seen;
} pd_session;

typedef enum pd_login_result {
	PD_LOGIN_OK = 0,
	PD_LOGIN_BAD,    /* no such user, disabled, or wrong password */
	PD_LOGIN_LIMITED /* too many failures for this name or address */
} pd_login_result;

/*
 * Check `password` for `name` (constant-time; a missing user costs the
 * same hash) unless the name or `addr` had lim->max_failures failures in
 * the last lim->window seconds. On success a new session in *out. Audited
 * (login, login-failed with the reason and address).
 */
pd_rc pd_login(pd_store *s, const char *name, const char *password, size_t len,
               const char *addr, const pd_session_limits *lim, pd_instant now,
               pd_login_result *res, pd_session *out);

/* The live session of cookie `token` (touched: seen = now), else
 * PD_ENOTFOUND (unknown, expired, or its user disabled). */
pd_rc pd_session_get(pd_store *s, const char *token,
                     const pd_session_limits *lim, pd_instant now,
                     pd_session *out);
/* End a session (logout; audited). */
pd_rc pd_session_end(pd_store *s, const char *token, pd_instant now);

/* Constant-time equality of two NUL-terminated tokens. */
bool pd_token_equal(const char *a, const char *b);

#endif
