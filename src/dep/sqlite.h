/*
 * The SQLite adapter's interface (private to libpurdah): a connection with
 * a cache of prepared statements, bound parameters, and every SQLite
 * failure turned into a pd_rc with a message naming the database file.
 *
 * Statements: pd_db_stmt() hands out a prepared statement for an SQL text
 * (prepared once per connection and kept; a statement already in use is
 * prepared afresh). Bind with the pd_stmt_bind_* functions (indices from
 * 1; a bind failure is kept and returned by the next pd_stmt_step), step,
 * read columns, and give it back with pd_stmt_release() (which resets it:
 * an unreset statement would keep a read transaction open). A pd_db is one
 * connection: use it from one thread at a time.
 */
#ifndef PURDAH_DEP_SQLITE_H
#define PURDAH_DEP_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/error.h"

typedef struct pd_db pd_db;
typedef struct pd_stmt pd_stmt;

typedef struct pd_db_opts {
	bool create;         /* create the file when missing */
	bool sync_full;      /* synchronous=FULL (else NORMAL) */
	double busy_timeout; /* seconds (<= 0: 5) */
} pd_db_opts;

/*
 * Open `path` in WAL mode with foreign keys on. PD_ENOINPUT when it does
 * not exist and !o->create; PD_EIO when it cannot be opened, created or
 * written; PD_ECONFIG when the file is not an SQLite database; PD_EDEP
 * otherwise. A new file is created readable by its owner only. Close with
 * pd_db_close() (accepts NULL).
 */
pd_rc pd_db_open(pd_db **out, const char *path, const pd_db_opts *o);
void pd_db_close(pd_db *db);
/* The path given to pd_db_open (borrowed). */
const char *pd_db_path(const pd_db *db);

/* Run fixed SQL (one or more statements, no parameters). */
pd_rc pd_db_exec(pd_db *db, const char *sql);

/* BEGIN IMMEDIATE (waits for the write lock up to the busy timeout),
 * COMMIT, and ROLLBACK (which keeps the current error message and never
 * fails: a failed rollback leaves SQLite to roll back when closed). */
pd_rc pd_db_begin(pd_db *db);
pd_rc pd_db_commit(pd_db *db);
void pd_db_rollback(pd_db *db);

/* The rowid of the last INSERT, and the rows changed by the last
 * INSERT/UPDATE/DELETE. */
int64_t pd_db_last_id(pd_db *db);
int64_t pd_db_changes(pd_db *db);

/* A prepared statement for `sql` (*out borrowed until pd_stmt_release). */
pd_rc pd_db_stmt(pd_db *db, pd_stmt **out, const char *sql);
/* Reset and give back (accepts NULL). */
void pd_stmt_release(pd_stmt *st);

/* Bind parameter `i` (from 1). Text is copied; NULL text binds NULL. */
pd_rc pd_stmt_bind_text(pd_stmt *st, int i, const char *s, size_t len);
pd_rc pd_stmt_bind_str(pd_stmt *st, int i, const char *s); /* NUL-ended */
pd_rc pd_stmt_bind_int64(pd_stmt *st, int i, int64_t v);
pd_rc pd_stmt_bind_double(pd_stmt *st, int i, double v);
pd_rc pd_stmt_bind_null(pd_stmt *st, int i);

/* The number of the largest parameter of the statement. */
int pd_stmt_param_count(pd_stmt *st);

/* Step: *row true with a row to read, false when done. */
pd_rc pd_stmt_step(pd_stmt *st, bool *row);
/* Step a statement that returns no rows (INSERT, UPDATE ...). */
pd_rc pd_stmt_run(pd_stmt *st);

/* Column `i` (from 0) of the current row. Text is borrowed until the next
 * step or release; NULL for SQL NULL. */
int64_t pd_stmt_int64(pd_stmt *st, int i);
double pd_stmt_double(pd_stmt *st, int i);
bool pd_stmt_is_null(pd_stmt *st, int i);
const char *pd_stmt_text(pd_stmt *st, int i);
size_t pd_stmt_bytes(pd_stmt *st, int i);
/* A copy of text column `i` (pd_free; NULL for SQL NULL, *out untouched
 * and PD_ENOMEM when out of memory). `len` may be NULL. */
pd_rc pd_stmt_dup(pd_stmt *st, int i, char **out, size_t *len);
/* Text column `i` into `buf` of `n` bytes (truncated, NUL-ended; "" for
 * NULL). */
void pd_stmt_copy(pd_stmt *st, int i, char *buf, size_t n);

#endif
