/*
 * What store.c, audit.c and users.c share: the store's connection and the
 * audit append that runs inside a caller's transaction.
 */
#ifndef PURDAH_STORE_INT_H
#define PURDAH_STORE_INT_H

#include "dep/sqlite.h"
#include "purdah/store.h"

struct pd_store {
	pd_db *db;
};

/* Append an audit entry inside the caller's write transaction
 * (pd_db_begin). */
pd_rc pd_audit_append_tx(pd_store *s, pd_instant now, const char *actor,
                         const char *action, int64_t item, const char *detail);

/* A compact JSON object of string pairs: keys[i] = values[i] (NULL values
 * left out), into `out` (cleared first). */
pd_rc pd_store_detail(pd_buf *out, const char *const *keys,
                      const char *const *values, size_t n);

#endif
