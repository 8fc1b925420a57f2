/*
 * The store's database and the review queue's writes (store.h): opening
 * and migrating, recording items, decisions and expiry (reads: queue.c).
 *
 * One SQLite file holds the items held or blocked for review, the audit
 * trail (audit.c) and the users and sessions of the review page
 * (users.c). The schema is versioned with PRAGMA user_version and marked
 * with PRAGMA application_id, so a database of another program is refused
 * instead of being written to; opening runs the migrations this program
 * knows, in one transaction, and refuses a newer schema.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/store_int.h"
#include "dep/sodium.h"
#include "purdah/alloc.h"
#include "purdah/json.h"

/* "PRDH": PRAGMA application_id of a purdah store. */
#define APPLICATION_ID 0x50524448
#define SCHEMA_VERSION 1

/* Migrations: MIGRATIONS[v - 1] takes a database from version v - 1 to v. */
static const char *const MIGRATIONS[SCHEMA_VERSION] = {
        /* 1: items, periods, audit, users, sessions. */
        "CREATE TABLE items ("
        " id INTEGER PRIMARY KEY,"
        " created INTEGER NOT NULL,"
        " source TEXT NOT NULL,"
        " origin TEXT,"
        " cls TEXT NOT NULL,"
        " areas TEXT NOT NULL,"
        " account TEXT,"
        " account_key TEXT NOT NULL," /* account, or '' */
        " at INTEGER NOT NULL,"
        " expires INTEGER NOT NULL,"
        " text TEXT NOT NULL,"
        " content_sha256 TEXT NOT NULL,"
        " decision TEXT NOT NULL,"
        " reasons TEXT NOT NULL,"
        " hits TEXT NOT NULL,"
        " periods TEXT NOT NULL,"
        " calendars_sha256 TEXT,"
        " lexicons_sha256 TEXT,"
        " config_sha256 TEXT,"
        " status INTEGER NOT NULL DEFAULT 0,"
        " reviewer TEXT,"
        " note TEXT,"
        " decided INTEGER NOT NULL DEFAULT 0);"
        "CREATE UNIQUE INDEX items_content ON items"
        " (content_sha256, account_key, at);"
        "CREATE INDEX items_status_class ON items (status, cls, id);"
        "CREATE INDEX items_pending ON items (expires) WHERE status = 0;"
        /* Appended in order (created grows with id): the queue's date
         * filters walk it instead of the whole table. */
        "CREATE INDEX items_created ON items (created);"
        "CREATE TABLE item_periods ("
        " uid TEXT NOT NULL,"
        " status INTEGER NOT NULL,"
        " cls TEXT NOT NULL,"
        " item_id INTEGER NOT NULL REFERENCES items (id),"
        " PRIMARY KEY (uid, status, cls, item_id)) WITHOUT ROWID;"
        "CREATE TABLE audit ("
        " seq INTEGER PRIMARY KEY,"
        " at INTEGER NOT NULL,"
        " actor TEXT NOT NULL,"
        " action TEXT NOT NULL,"
        " item INTEGER NOT NULL DEFAULT 0,"
        " detail TEXT,"
        " prev TEXT NOT NULL,"
        " hash TEXT NOT NULL);"
        "CREATE INDEX audit_item ON audit (item, seq) WHERE item != 0;"
        "CREATE INDEX audit_at ON audit (at);"
        "CREATE INDEX audit_load ON audit (seq) WHERE action = 'load';"
        "CREATE TABLE audit_head ("
        " id INTEGER PRIMARY KEY CHECK (id = 1),"
        " seq INTEGER NOT NULL,"
        " hash TEXT NOT NULL);"
        "CREATE TABLE users ("
        " name TEXT PRIMARY KEY,"
        " role INTEGER NOT NULL,"
        " hash TEXT NOT NULL,"
        " disabled INTEGER NOT NULL DEFAULT 0,"
        " created INTEGER NOT NULL);"
        "CREATE TABLE sessions ("
        " token_sha256 TEXT PRIMARY KEY,"
        " user TEXT NOT NULL REFERENCES users (name),"
        " csrf TEXT NOT NULL,"
        " created INTEGER NOT NULL,"
        " seen INTEGER NOT NULL);"
        "CREATE INDEX sessions_user ON sessions (user);"
        "CREATE TABLE login_attempts ("
        " at INTEGER NOT NULL,"
        " name TEXT NOT NULL,"
        " addr TEXT NOT NULL);"
        "CREATE INDEX login_attempts_name ON login_attempts (name, at);"
        "CREATE INDEX login_attempts_addr ON login_attempts (addr, at);"
        "CREATE INDEX login_attempts_at ON login_attempts (at);",
};

int pd_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

const char *pd_store_path(const pd_store *s)
{
	return pd_db_path(s->db);
}

/* One integer from a query without parameters. */
static pd_rc query_int(pd_store *s, const char *sql, int64_t *out)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	*out = 0;
	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		*out = pd_stmt_int64(st, 0);
	pd_stmt_release(st);
	return rc;
}

static pd_rc migrate(pd_store *s)
{
	const char *path = pd_db_path(s->db);
	int64_t version, app, tables;
	char sql[96];
	pd_rc rc;

	if ((rc = pd_db_begin(s->db)) < 0)
		return rc;
	if ((rc = query_int(s, "PRAGMA user_version", &version)) < 0 ||
	    (rc = query_int(s, "PRAGMA application_id", &app)) < 0 ||
	    (rc = query_int(s,
	                    "SELECT count(*) FROM sqlite_schema WHERE type = "
	                    "'table'",
	                    &tables)) < 0)
		goto fail;
	if ((app != 0 && app != APPLICATION_ID) ||
	    (app == 0 && (version != 0 || tables != 0))) {
		rc = pd_error_set(PD_ECONFIG,
		                  "%s: not a purdah database (it holds another "
		                  "program's tables)",
		                  path);
		goto fail;
	}
	if (version > SCHEMA_VERSION) {
		rc = pd_error_set(PD_ECONFIG,
		                  "%s: the database's schema (version %lld) is "
		                  "newer than this purdah knows (version %d): "
		                  "upgrade purdah",
		                  path, (long long)version, SCHEMA_VERSION);
		goto fail;
	}
	if (version == SCHEMA_VERSION) {
		pd_db_rollback(s->db);
		return PD_OK;
	}
	for (int64_t v = version; v < SCHEMA_VERSION; v++)
		if ((rc = pd_db_exec(s->db, MIGRATIONS[v])) < 0)
			goto fail;
	snprintf(sql, sizeof(sql),
	         "PRAGMA application_id = %d; PRAGMA user_version = %d",
	         APPLICATION_ID, SCHEMA_VERSION);
	if ((rc = pd_db_exec(s->db, sql)) < 0)
		goto fail;
	return pd_db_commit(s->db);
fail:
	pd_db_rollback(s->db);
	return rc;
}

/* mkdir -p of the directory part of `path`. */
static pd_rc make_parent(const char *path)
{
	char dir[4096];
	size_t n;
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return PD_OK;
	n = (size_t)(slash - path);
	if (n >= sizeof(dir))
		return pd_error_set(PD_EIO, "%s: path too long", path);
	memcpy(dir, path, n);
	dir[n] = 0;
	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != 0)
			continue;
		dir[i] = 0;
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			pd_rc rc = pd_error_set(PD_EIO,
			                        "%s: cannot create directory "
			                        "%s: %s",
			                        path, dir, strerror(errno));
			return rc;
		}
		if (i < n)
			dir[i] = '/';
	}
	return PD_OK;
}

pd_rc pd_store_open(pd_store **out, const char *path, const pd_store_opts *o)
{
	pd_db_opts dbo = {false, false, 0};
	pd_store *s = NULL;
	pd_rc rc;

	*out = NULL;
	if (!path || !path[0])
		return pd_error_set(PD_EUSAGE, "store: no database path");
	if (o) {
		dbo.create = o->create;
		dbo.sync_full = o->sync_full;
		dbo.busy_timeout = o->busy_timeout;
	}
	if (dbo.create && (rc = make_parent(path)) < 0)
		return rc;
	if (!(s = pd_calloc(1, sizeof(*s))))
		return pd_error_set(PD_ENOMEM, "%s: out of memory", path);
	if ((rc = pd_db_open(&s->db, path, &dbo)) < 0 ||
	    (rc = migrate(s)) < 0) {
		pd_store_close(s);
		return rc;
	}
	*out = s;
	return PD_OK;
}

void pd_store_close(pd_store *s)
{
	if (!s)
		return;
	pd_db_close(s->db);
	pd_free(s);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */

static const char *const STATUS_NAMES[] = {"pending", "approved", "rejected",
                                           "expired", "withdrawn"};

const char *pd_review_status_name(pd_review_status st)
{
	if ((unsigned)st < sizeof(STATUS_NAMES) / sizeof(STATUS_NAMES[0]))
		return STATUS_NAMES[st];
	return "unknown";
}

pd_rc pd_review_status_parse(pd_review_status *out, const char *s)
{
	for (int i = 0; i < 5; i++)
		if (s && strcmp(s, STATUS_NAMES[i]) == 0) {
			*out = (pd_review_status)i;
			return PD_OK;
		}
	return pd_error_set(PD_EUSAGE,
	                    "unknown status '%.64s' (known: pending, approved, "
	                    "rejected, expired, withdrawn)",
	                    s ? s : "");
}

/* ------------------------------------------------------------------------ */
/* Recording                                                                */

pd_rc pd_review_new_from_verdict(pd_review_new *n, pd_buf *strings,
                                 const pd_gate *g, const pd_item *it,
                                 const pd_verdict *v, const char *source,
                                 const char *origin)
{
	static const char *const keys[] = {"areas", "reasons", "hits",
	                                   "periods"};
	const pd_config *cfg = pd_gate_config(g);
	pd_json *j = pd_verdict_json(g, it, v, NULL);
	size_t at[4];
	pd_rc rc = PD_OK;

	memset(n, 0, sizeof(*n));
	pd_buf_clear(strings);
	if (!j)
		return pd_error_set(PD_ENOMEM, "review: out of memory");
	for (size_t i = 0; i < 4 && rc == PD_OK; i++) {
		at[i] = strings->len;
		if ((rc = pd_json_dump(strings, pd_json_get(j, keys[i]),
		                       false)) == PD_OK)
			rc = pd_buf_putc(strings, 0);
	}
	pd_json_free(j);
	if (rc < 0)
		return rc;
	n->source = source;
	n->origin = origin;
	n->cls = pd_class_name(it->cls);
	n->areas = strings->ptr + at[0];
	n->account = it->account;
	n->at = it->at;
	n->text = it->text;
	n->len = it->len;
	n->decision = pd_decision_name(v->decision);
	n->reasons = strings->ptr + at[1];
	n->hits = strings->ptr + at[2];
	n->periods = strings->ptr + at[3];
	n->calendars_sha256 = pd_calendar_sha256(pd_gate_calendar(g));
	n->lexicons_sha256 = pd_gate_lexicons_sha256(g);
	n->config_sha256 = cfg->sha256[0] ? cfg->sha256 : NULL;
	return PD_OK;
}

/* Append `v` (taken) compactly and a NUL to `b`; *at its offset. */
static pd_rc put_json(pd_buf *b, pd_json *v, size_t *at)
{
	pd_rc rc;

	*at = b->len;
	rc = v ? pd_json_dump(b, v, false)
	       : pd_error_set(PD_ENOMEM, "review: out of memory");
	if (rc == PD_OK)
		rc = pd_buf_putc(b, 0);
	pd_json_free(v);
	return rc;
}

pd_rc pd_review_new_from_removed(pd_review_new *n, pd_buf *strings,
                                 const pd_gate *g, const pd_filter_removed *x,
                                 pd_class cls, const char *const *areas,
                                 size_t nareas, const char *source,
                                 const char *account, const char *hits)
{
	const pd_config *cfg = pd_gate_config(g);
	const pd_calendar *cal = pd_gate_calendar(g);
	pd_json *a = pd_json_array(), *re = pd_json_array();
	pd_json *pe = pd_json_array(), *o = pd_json_object();
	size_t at[3];
	bool ok = a && re && pe && o;
	pd_rc rc, rc1, rc2;

	memset(n, 0, sizeof(*n));
	pd_buf_clear(strings);
	for (size_t i = 0; ok && i < nareas; i++)
		ok = pd_json_append(a, pd_json_string(areas[i])) == PD_OK;
	ok = ok && pd_json_set_str(o, "code", x->reason) == PD_OK &&
	     pd_json_set_str(o, "decision", pd_decision_name(x->decision)) ==
	             PD_OK;
	if (ok) {
		ok = pd_json_append(re, o) == PD_OK;
		o = NULL; /* taken */
	}
	if (ok && x->period)
		ok = pd_json_append(pe, pd_period_json(x->period,
		                                       pd_calendar_tz(cal))) ==
		     PD_OK;
	pd_json_free(o);
	if (!ok) {
		pd_json_free(a);
		pd_json_free(re);
		pd_json_free(pe);
		return pd_error_set(PD_ENOMEM, "review: out of memory");
	}
	/* Each call takes its value, so all three run. */
	rc = put_json(strings, a, &at[0]);
	rc1 = put_json(strings, re, &at[1]);
	rc2 = put_json(strings, pe, &at[2]);
	if (rc == PD_OK)
		rc = rc1 < 0 ? rc1 : rc2;
	if (rc < 0)
		return rc;
	n->source = source;
	n->origin = x->id[0] ? x->id : NULL;
	n->cls = pd_class_name(cls);
	n->areas = strings->ptr + at[0];
	n->account = account;
	n->at = 0;
	n->text = x->text;
	n->len = strlen(x->text);
	n->decision = pd_decision_name(x->decision);
	n->reasons = strings->ptr + at[1];
	n->hits = hits ? hits : "[]";
	n->periods = strings->ptr + at[2];
	n->calendars_sha256 = pd_calendar_sha256(cal);
	n->lexicons_sha256 = pd_gate_lexicons_sha256(g);
	n->config_sha256 = cfg->sha256[0] ? cfg->sha256 : NULL;
	return PD_OK;
}

/* Parse `text` (field `what`, NULL: "[]") as a JSON array into *out. */
static pd_rc parse_array(pd_json **out, const char *what, const char *text)
{
	pd_rc rc;

	*out = NULL;
	if (!text)
		text = "[]";
	if ((rc = pd_json_parse(out, what, text, strlen(text))) < 0)
		return pd_error_recode(PD_EUSAGE);
	if (!pd_json_is_array(*out)) {
		pd_json_free(*out);
		*out = NULL;
		return pd_error_set(PD_EUSAGE,
		                    "review: %s must be a JSON array", what);
	}
	return PD_OK;
}

static pd_rc check_new(const pd_review_new *n)
{
	pd_class cls;

	if (!n->source || !n->source[0])
		return pd_error_set(PD_EUSAGE,
		                    "review: an item needs a source");
	if (!n->text)
		return pd_error_set(PD_EUSAGE, "review: an item needs a text");
	if (!n->decision || (strcmp(n->decision, "hold") != 0 &&
	                     strcmp(n->decision, "block") != 0))
		return pd_error_set(PD_EUSAGE,
		                    "review: only held or blocked items are "
		                    "recorded (decision '%.16s')",
		                    n->decision ? n->decision : "");
	if (pd_class_parse(&cls, n->cls) < 0)
		return PD_EUSAGE;
	return PD_OK;
}

/* The existing item with this content, account and time, or 0. */
static pd_rc find_same(pd_store *s, const char *sha, const char *account,
                       pd_instant at, int64_t *id)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	*id = 0;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT id FROM items WHERE content_sha256 = ? "
	                     "AND account_key = ? AND at = ?")) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, sha);
	pd_stmt_bind_str(st, 2, account ? account : "");
	pd_stmt_bind_int64(st, 3, at);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		*id = pd_stmt_int64(st, 0);
	pd_stmt_release(st);
	return rc;
}

static pd_rc insert_item(pd_store *s, const pd_review_new *n, const char *sha,
                         const char *areas, pd_instant now, pd_instant expires,
                         int64_t *id)
{
	pd_stmt *st;
	pd_rc rc;

	if ((rc = pd_db_stmt(
	             s->db, &st,
	             "INSERT INTO items (created, source, origin, cls, areas, "
	             "account, account_key, at, expires, text, content_sha256, "
	             "decision, reasons, hits, periods, calendars_sha256, "
	             "lexicons_sha256, config_sha256) VALUES (?, ?, ?, ?, ?, "
	             "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, now);
	pd_stmt_bind_str(st, 2, n->source);
	pd_stmt_bind_str(st, 3, n->origin);
	pd_stmt_bind_str(st, 4, n->cls);
	pd_stmt_bind_str(st, 5, areas);
	pd_stmt_bind_str(st, 6, n->account);
	pd_stmt_bind_str(st, 7, n->account ? n->account : "");
	pd_stmt_bind_int64(st, 8, n->at);
	pd_stmt_bind_int64(st, 9, expires);
	pd_stmt_bind_text(st, 10, n->text, n->len);
	pd_stmt_bind_str(st, 11, sha);
	pd_stmt_bind_str(st, 12, n->decision);
	pd_stmt_bind_str(st, 13, n->reasons ? n->reasons : "[]");
	pd_stmt_bind_str(st, 14, n->hits ? n->hits : "[]");
	pd_stmt_bind_str(st, 15, n->periods ? n->periods : "[]");
	pd_stmt_bind_str(st, 16, n->calendars_sha256);
	pd_stmt_bind_str(st, 17, n->lexicons_sha256);
	pd_stmt_bind_str(st, 18, n->config_sha256);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	*id = pd_db_last_id(s->db);
	return rc;
}

/* One item_periods row per period uid of `periods`. */
static pd_rc insert_periods(pd_store *s, int64_t id, const char *cls,
                            const pd_json *periods)
{
	size_t np = pd_json_array_size(periods);
	pd_stmt *st;
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < np && rc == PD_OK; i++) {
		const pd_json *uid =
		        pd_json_get(pd_json_array_get(periods, i), "uid");
		if (!pd_json_is_string(uid))
			continue;
		if ((rc = pd_db_stmt(s->db, &st,
		                     "INSERT OR IGNORE INTO item_periods (uid, "
		                     "item_id, status, cls) VALUES (?, ?, 0, "
		                     "?)")) < 0)
			break;
		pd_stmt_bind_text(st, 1, pd_json_str(uid), pd_json_strlen(uid));
		pd_stmt_bind_int64(st, 2, id);
		pd_stmt_bind_str(st, 3, cls);
		rc = pd_stmt_run(st);
		pd_stmt_release(st);
	}
	return rc;
}

pd_rc pd_store_record(pd_store *s, const pd_review_new *n, pd_instant now,
                      double hold_for, int64_t *id, bool *created)
{
	static const char *const keys[] = {"source",   "origin",
	                                   "decision", "class",
	                                   "account",  "content_sha256"};
	pd_json *areas = NULL, *reasons = NULL, *hits = NULL, *periods = NULL;
	pd_buf detail = PD_BUF_INIT((size_t)1 << 20);
	pd_buf areas_text = PD_BUF_INIT((size_t)1 << 20);
	char sha[65];
	pd_instant expires;
	bool in_tx = false;
	pd_rc rc;

	*id = 0;
	*created = false;
	if ((rc = check_new(n)) < 0 ||
	    (rc = parse_array(&areas, "areas", n->areas)) < 0 ||
	    (rc = parse_array(&reasons, "reasons", n->reasons)) < 0 ||
	    (rc = parse_array(&hits, "hits", n->hits)) < 0 ||
	    (rc = parse_array(&periods, "periods", n->periods)) < 0)
		goto done;
	/* Areas as given when they are JSON text already, "[]" for NULL. */
	if ((rc = pd_buf_puts(&areas_text, n->areas ? n->areas : "[]")) < 0)
		goto done;
	pd_sha256_hex(n->text, n->len, sha);
	if (hold_for <= 0)
		hold_for = 86400;
	expires = n->at > now ? n->at : now + (pd_instant)hold_for;
	{
		const char *values[] = {n->source, n->origin,  n->decision,
		                        n->cls,    n->account, sha};
		if ((rc = pd_store_detail(&detail, keys, values, 6)) < 0)
			goto done;
	}
	if ((rc = pd_db_begin(s->db)) < 0)
		goto done;
	in_tx = true;
	if ((rc = find_same(s, sha, n->account, n->at, id)) < 0)
		goto done;
	if (*id) {
		rc = pd_db_commit(s->db);
		in_tx = false;
		goto done;
	}
	if ((rc = insert_item(s, n, sha, areas_text.ptr, now, expires, id)) <
	            0 ||
	    (rc = insert_periods(s, *id, n->cls, periods)) < 0 ||
	    (rc = pd_audit_append_tx(s, now, "purdah", "record", *id,
	                             detail.ptr)) < 0)
		goto done;
	in_tx = false;
	if ((rc = pd_db_commit(s->db)) < 0)
		goto done;
	*created = true;
done:
	if (in_tx)
		pd_db_rollback(s->db);
	if (rc < 0)
		*id = 0;
	pd_json_free(areas);
	pd_json_free(reasons);
	pd_json_free(hits);
	pd_json_free(periods);
	pd_buf_dispose(&detail);
	pd_buf_dispose(&areas_text);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Decisions and expiry                                                     */

static pd_rc set_status(pd_store *s, int64_t id, pd_review_status to,
                        const char *by, const char *note, pd_instant now)
{
	pd_stmt *st;
	pd_rc rc;

	if ((rc = pd_db_stmt(s->db, &st,
	                     "UPDATE items SET status = ?, reviewer = ?, note "
	                     "= ?, decided = ? WHERE id = ?")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, to);
	pd_stmt_bind_str(st, 2, by);
	pd_stmt_bind_str(st, 3, note);
	pd_stmt_bind_int64(st, 4, now);
	pd_stmt_bind_int64(st, 5, id);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	if (rc < 0)
		return rc;
	/* Only pending items change status: each of its periods' rows is
	 * found by its key (uid, 0, class, id). */
	if ((rc = pd_db_stmt(s->db, &st,
	                     "UPDATE item_periods SET status = ?1 WHERE uid IN "
	                     "(SELECT json_extract(j.value, '$.uid') FROM "
	                     "items i, json_each(i.periods) j WHERE i.id = ?2) "
	                     "AND status = 0 AND cls = (SELECT cls FROM items "
	                     "WHERE id = ?2) AND item_id = ?2")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, to);
	pd_stmt_bind_int64(st, 2, id);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

/* Expire what is due, inside the caller's transaction. */
static pd_rc expire_tx(pd_store *s, pd_instant now, size_t *n)
{
	int64_t *ids = NULL;
	size_t count = 0, cap = 0;
	pd_stmt *st;
	bool row;
	pd_rc rc;

	*n = 0;
	/* Collect first: the updates take rows out of the index read. */
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT id FROM items INDEXED BY items_pending "
	                     "WHERE status = 0 AND "
	                     "expires <= ? ORDER BY id")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, now);
	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		if ((rc = PD_GROW(ids, cap, count + 1)) < 0) {
			rc = pd_error_set(PD_ENOMEM, "expiry: out of memory");
			break;
		}
		ids[count++] = pd_stmt_int64(st, 0);
	}
	pd_stmt_release(st);
	for (size_t i = 0; i < count && rc == PD_OK; i++) {
		if ((rc = set_status(s, ids[i], PD_REVIEW_EXPIRED, "purdah",
		                     NULL, now)) == PD_OK)
			rc = pd_audit_append_tx(s, now, "purdah", "expire",
			                        ids[i], NULL);
	}
	if (rc == PD_OK)
		*n = count;
	pd_free(ids);
	return rc;
}

pd_rc pd_store_expire(pd_store *s, pd_instant now, size_t *n)
{
	size_t count = 0;
	int64_t any;
	pd_stmt *st;
	bool row;
	pd_rc rc;

	if (n)
		*n = 0;
	/* Nothing due (the common case): no write lock. */
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT count(*) FROM items INDEXED BY "
	                     "items_pending WHERE status = 0 AND "
	                     "expires <= ?")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, now);
	rc = pd_stmt_step(st, &row);
	any = row ? pd_stmt_int64(st, 0) : 0;
	pd_stmt_release(st);
	if (rc < 0 || !any)
		return rc;
	if ((rc = pd_db_begin(s->db)) < 0)
		return rc;
	if ((rc = expire_tx(s, now, &count)) < 0) {
		pd_db_rollback(s->db);
		return rc;
	}
	if ((rc = pd_db_commit(s->db)) == PD_OK && n)
		*n = count;
	return rc;
}

/* Whether `s` has something other than white space. */
static bool has_content(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

pd_rc pd_store_decide(pd_store *s, int64_t id, pd_review_status to,
                      const char *by, const char *via, const char *note,
                      pd_instant now)
{
	static const char *const keys[] = {"via", "note"};
	const char *values[] = {via, has_content(note) ? note : NULL};
	const char *action;
	pd_buf detail = PD_BUF_INIT((size_t)1 << 20);
	size_t expired;
	int64_t status = -1;
	pd_stmt *st;
	bool row;
	pd_rc rc, result = PD_OK;

	switch (to) {
	case PD_REVIEW_APPROVED: action = "approve"; break;
	case PD_REVIEW_REJECTED: action = "reject"; break;
	case PD_REVIEW_WITHDRAWN: action = "withdraw"; break;
	default:
		return pd_error_set(PD_EUSAGE,
		                    "item %lld: an item can be approved, "
		                    "rejected or withdrawn, not made %s",
		                    (long long)id, pd_review_status_name(to));
	}
	if (!by || !by[0])
		return pd_error_set(PD_EUSAGE,
		                    "item %lld: say who decides (a name)",
		                    (long long)id);
	if (to == PD_REVIEW_REJECTED && !has_content(note))
		return pd_error_set(
		        PD_EUSAGE,
		        "item %lld: a rejection needs a note saying "
		        "why",
		        (long long)id);
	if ((rc = pd_store_detail(&detail, keys, values, 2)) < 0)
		goto done;
	if ((rc = pd_db_begin(s->db)) < 0)
		goto done;
	if ((rc = expire_tx(s, now, &expired)) < 0)
		goto rollback;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT status FROM items WHERE id = ?")) < 0)
		goto rollback;
	pd_stmt_bind_int64(st, 1, id);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		status = pd_stmt_int64(st, 0);
	pd_stmt_release(st);
	if (rc < 0)
		goto rollback;
	if (!row)
		result = pd_error_set(PD_ENOTFOUND, "item %lld: no such item",
		                      (long long)id);
	else if (status != PD_REVIEW_PENDING)
		result = pd_error_set(
		        PD_EINVALID, "item %lld is %s, not pending",
		        (long long)id,
		        pd_review_status_name((pd_review_status)status));
	else if ((rc = set_status(s, id, to, by, values[1], now)) < 0 ||
	         (rc = pd_audit_append_tx(s, now, by, action, id, detail.ptr)) <
	                 0)
		goto rollback;
	/* The expiry done on the way is kept even when the decision is
	 * refused. */
	if ((rc = pd_db_commit(s->db)) < 0)
		goto done;
	rc = result; /* its message is still the current one */
	goto done;
rollback:
	pd_db_rollback(s->db);
done:
	pd_buf_dispose(&detail);
	return rc;
}
