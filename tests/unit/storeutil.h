/*
 * Helpers shared by the review store's unit tests (test_store, test_users,
 * test_audit): a store in a fresh directory under /tmp, and SQL run on its
 * file directly (as someone tampering with it would).
 */
#ifndef PURDAH_STOREUTIL_H
#define PURDAH_STOREUTIL_H

#include "purdah/store.h"

#define SU_DIR_MAX  64
#define SU_PATH_MAX 128

/* Make a fresh directory /tmp/purdah-TAG-XXXXXX into `dir`, put DIR/REL
 * into `path` and open a store there (created, with its directories).
 * 0, or -1 with the message on stderr. Undo with su_close(). */
int su_open(char dir[SU_DIR_MAX], char path[SU_PATH_MAX], pd_store **s,
            const char *tag, const char *rel);

/* Close `s` (NULL is fine) and remove `dir` with all in it: 0 or -1. */
int su_close(pd_store *s, const char *dir);

/* Run `sql` on the database file `path` without the store; fails the test
 * on error. */
void su_raw_exec(const char *path, const char *sql);

#endif
