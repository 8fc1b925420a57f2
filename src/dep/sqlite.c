/*
 * The SQLite adapter: the only file that includes <sqlite3.h>. It opens
 * the connection as the store wants it (WAL, a busy timeout, foreign keys,
 * synchronous NORMAL or FULL), keeps prepared statements per connection,
 * and turns SQLite's result codes into pd_rc with sqlite3_errmsg and the
 * database's path in the message.
 */
#include "dep/sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purdah/alloc.h"

/* Prepared statements kept per connection; the store has about 60 fixed
 * texts plus the queue's filter combinations. */
#define STMT_CACHE 96

struct pd_stmt {
	pd_db *db;
	sqlite3_stmt *st;
	char *sql;          /* cached: the text it was prepared from */
	bool cached;        /* kept in db->cache (else finalized on release) */
	bool busy;          /* handed out */
	pd_rc rc;           /* the first bind failure */
	unsigned long used; /* for eviction */
};

struct pd_db {
	sqlite3 *h;
	char *path;
	pd_stmt cache[STMT_CACHE];
	size_t ncache;
	unsigned long clock;
};

/* Our code for an SQLite result code. */
static pd_rc map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: return PD_ENOMEM;
	case SQLITE_NOTADB: return PD_ECONFIG;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return PD_EIO;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE: return PD_EINVALID;
	default: return PD_EDEP;
	}
}

/* Record the connection's failure `rc` while doing `what`. */
static pd_rc fail(pd_db *db, int rc, const char *what)
{
	const char *msg = db && db->h ? sqlite3_errmsg(db->h) : NULL;

	if (!msg || !msg[0])
		msg = sqlite3_errstr(rc);
	if ((rc & 0xff) == SQLITE_BUSY)
		return pd_error_set(PD_EIO,
		                    "%s: %s: database is locked (another "
		                    "process kept it busy past the timeout)",
		                    db->path, what);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return pd_error_set(PD_ECONFIG,
		                    "%s: not a purdah database (%s)", db->path,
		                    msg);
	return pd_error_set(map_rc(rc), "%s: %s: %s", db->path, what, msg);
}

/* Create `path` (mode 0600) when missing, so the database and its WAL
 * (which SQLite gives the database's mode) are private to the owner. */
static pd_rc precreate(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return PD_OK;
		return pd_error_set(PD_EIO, "%s: cannot create: %s", path,
		                    strerror(errno));
	}
	close(fd);
	return PD_OK;
}

pd_rc pd_db_open(pd_db **out, const char *path, const pd_db_opts *o)
{
	pd_db *db = NULL;
	struct stat sb;
	double timeout = o && o->busy_timeout > 0 ? o->busy_timeout : 5.0;
	char pragmas[256];
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, src;
	pd_rc rc;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return pd_error_set(PD_EIO, "%s: %s", path,
			                    strerror(errno));
		if (!o || !o->create)
			return pd_error_set(PD_ENOINPUT, "%s: no such database",
			                    path);
		if ((rc = precreate(path)) < 0)
			return rc;
	} else if (!S_ISREG(sb.st_mode)) {
		return pd_error_set(PD_EIO, "%s: not a regular file", path);
	}
	if (!(db = pd_calloc(1, sizeof(*db))) ||
	    !(db->path = pd_strdup(path))) {
		rc = pd_error_set(PD_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	src = sqlite3_open_v2(path, &db->h, flags, NULL);
	if (src != SQLITE_OK) {
		rc = db->h ? fail(db, src, "cannot open")
		           : pd_error_set(PD_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, (int)(timeout * 1000));
	/* journal_mode first: it is the first read of the file, where a file
	 * that is not a database shows. */
	if ((rc = pd_db_exec(db, "PRAGMA journal_mode=WAL")) < 0)
		goto fail;
	snprintf(pragmas, sizeof(pragmas),
	         "PRAGMA synchronous=%s; PRAGMA foreign_keys=ON; "
	         "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768; "
	         "PRAGMA wal_autocheckpoint=8192",
	         o && o->sync_full ? "FULL" : "NORMAL");
	if ((rc = pd_db_exec(db, pragmas)) < 0)
		goto fail;
	*out = db;
	return PD_OK;
fail:
	pd_db_close(db);
	return rc;
}

void pd_db_close(pd_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].st);
		pd_free(db->cache[i].sql);
	}
	sqlite3_close_v2(db->h);
	pd_free(db->path);
	pd_free(db);
}

const char *pd_db_path(const pd_db *db)
{
	return db->path;
}

pd_rc pd_db_exec(pd_db *db, const char *sql)
{
	char *err = NULL;
	int src = sqlite3_exec(db->h, sql, NULL, NULL, &err);
	pd_rc rc = PD_OK;

	if (src != SQLITE_OK) {
		if ((src & 0xff) == SQLITE_NOTADB ||
		    (src & 0xff) == SQLITE_BUSY)
			rc = fail(db, src, "");
		else
			rc = pd_error_set(map_rc(src), "%s: %s", db->path,
			                  err ? err : sqlite3_errstr(src));
	}
	sqlite3_free(err);
	return rc;
}

/* Run one of the fixed transaction statements through the cache. */
static pd_rc run_fixed(pd_db *db, const char *sql)
{
	pd_stmt *st;
	pd_rc rc;

	if ((rc = pd_db_stmt(db, &st, sql)) < 0)
		return rc;
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

pd_rc pd_db_begin(pd_db *db)
{
	return run_fixed(db, "BEGIN IMMEDIATE");
}

pd_rc pd_db_commit(pd_db *db)
{
	pd_rc rc = run_fixed(db, "COMMIT");

	if (rc < 0)
		pd_db_rollback(db);
	return rc;
}

void pd_db_rollback(pd_db *db)
{
	/* sqlite3_exec does not touch our error slot. */
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int64_t pd_db_last_id(pd_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int64_t pd_db_changes(pd_db *db)
{
	return sqlite3_changes(db->h);
}

/* A slot to cache a new statement in: a free one, else the least recently
 * used one not in use (finalized), else none. */
static pd_stmt *cache_slot(pd_db *db)
{
	pd_stmt *victim = NULL;

	if (db->ncache < STMT_CACHE)
		return &db->cache[db->ncache++];
	for (size_t i = 0; i < db->ncache; i++) {
		pd_stmt *c = &db->cache[i];
		if (!c->busy && (!victim || c->used < victim->used))
			victim = c;
	}
	if (victim) {
		sqlite3_finalize(victim->st);
		pd_free(victim->sql);
		memset(victim, 0, sizeof(*victim));
	}
	return victim;
}

pd_rc pd_db_stmt(pd_db *db, pd_stmt **out, const char *sql)
{
	pd_stmt *c = NULL;
	sqlite3_stmt *h = NULL;
	int src;

	*out = NULL;
	for (size_t i = 0; i < db->ncache; i++) {
		pd_stmt *e = &db->cache[i];
		if (e->st && !e->busy &&
		    (e->sql == sql || strcmp(e->sql, sql) == 0)) {
			c = e;
			break;
		}
	}
	if (!c) {
		src = sqlite3_prepare_v3(db->h, sql, -1,
		                         SQLITE_PREPARE_PERSISTENT, &h, NULL);
		if (src != SQLITE_OK) {
			sqlite3_finalize(h);
			return fail(db, src, "cannot prepare a statement");
		}
		if (!h)
			return pd_error_set(PD_EINTERNAL,
			                    "%s: empty SQL statement",
			                    db->path);
		c = cache_slot(db);
		if (c && !(c->sql = pd_strdup(sql))) {
			memset(c, 0, sizeof(*c));
			c = NULL;
		}
		if (c) {
			c->cached = true;
		} else if (!(c = pd_calloc(1, sizeof(*c)))) {
			sqlite3_finalize(h);
			return pd_error_set(PD_ENOMEM, "%s: out of memory",
			                    db->path);
		}
		c->st = h;
		c->db = db;
	}
	c->busy = true;
	c->rc = PD_OK;
	c->used = ++db->clock;
	*out = c;
	return PD_OK;
}

void pd_stmt_release(pd_stmt *st)
{
	if (!st)
		return;
	if (!st->cached) {
		sqlite3_finalize(st->st);
		pd_free(st);
		return;
	}
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = false;
}

static pd_rc bound(pd_stmt *st, int src, int i)
{
	char what[48];

	if (src == SQLITE_OK || st->rc < 0)
		return st->rc;
	snprintf(what, sizeof(what), "cannot bind parameter %d", i);
	st->rc = fail(st->db, src, what);
	return st->rc;
}

pd_rc pd_stmt_bind_text(pd_stmt *st, int i, const char *s, size_t len)
{
	if (!s)
		return pd_stmt_bind_null(st, i);
	if (len > (size_t)0x7fffffff)
		return bound(st, SQLITE_TOOBIG, i);
	return bound(
	        st, sqlite3_bind_text(st->st, i, s, (int)len, SQLITE_TRANSIENT),
	        i);
}

pd_rc pd_stmt_bind_str(pd_stmt *st, int i, const char *s)
{
	return pd_stmt_bind_text(st, i, s, s ? strlen(s) : 0);
}

pd_rc pd_stmt_bind_int64(pd_stmt *st, int i, int64_t v)
{
	return bound(st, sqlite3_bind_int64(st->st, i, v), i);
}

pd_rc pd_stmt_bind_double(pd_stmt *st, int i, double v)
{
	return bound(st, sqlite3_bind_double(st->st, i, v), i);
}

pd_rc pd_stmt_bind_null(pd_stmt *st, int i)
{
	return bound(st, sqlite3_bind_null(st->st, i), i);
}

int pd_stmt_param_count(pd_stmt *st)
{
	return sqlite3_bind_parameter_count(st->st);
}

pd_rc pd_stmt_step(pd_stmt *st, bool *row)
{
	int src;

	*row = false;
	if (st->rc < 0)
		return st->rc;
	src = sqlite3_step(st->st);
	if (src == SQLITE_ROW) {
		*row = true;
		return PD_OK;
	}
	if (src == SQLITE_DONE)
		return PD_OK;
	return fail(st->db, src, "statement failed");
}

pd_rc pd_stmt_run(pd_stmt *st)
{
	bool row;
	pd_rc rc;

	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		;
	return rc;
}

int64_t pd_stmt_int64(pd_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

double pd_stmt_double(pd_stmt *st, int i)
{
	return sqlite3_column_double(st->st, i);
}

bool pd_stmt_is_null(pd_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

const char *pd_stmt_text(pd_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st->st, i);
}

size_t pd_stmt_bytes(pd_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(st->st, i);
}

pd_rc pd_stmt_dup(pd_stmt *st, int i, char **out, size_t *len)
{
	const char *s;
	size_t n;
	char *c;

	if (pd_stmt_is_null(st, i)) {
		*out = NULL;
		if (len)
			*len = 0;
		return PD_OK;
	}
	s = pd_stmt_text(st, i);
	n = pd_stmt_bytes(st, i);
	if (!s || !(c = pd_malloc(n + 1)))
		return pd_error_set(PD_ENOMEM, "%s: out of memory",
		                    st->db->path);
	memcpy(c, s, n);
	c[n] = 0;
	*out = c;
	if (len)
		*len = n;
	return PD_OK;
}

void pd_stmt_copy(pd_stmt *st, int i, char *buf, size_t n)
{
	const char *s = pd_stmt_text(st, i);
	size_t len = s ? pd_stmt_bytes(st, i) : 0;

	if (!n)
		return;
	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(buf, s, len);
	buf[len] = 0;
}
