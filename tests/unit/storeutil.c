/*
 * Helpers shared by the review store's unit tests (storeutil.h).
 */
#include "storeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dep/sqlite.h"
#include "purdah/error.h"
#include "testutil.h"

int su_open(char dir[SU_DIR_MAX], char path[SU_PATH_MAX], pd_store **s,
            const char *tag, const char *rel)
{
	pd_store_opts o = {false, 0, true};

	snprintf(dir, SU_DIR_MAX, "/tmp/purdah-%s-XXXXXX", tag);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, SU_PATH_MAX, "%s/%s", dir, rel);
	if (pd_store_open(s, path, &o) != PD_OK) {
		fprintf(stderr, "%s\n", pd_error_message());
		return -1;
	}
	return 0;
}

int su_close(pd_store *s, const char *dir)
{
	char cmd[160];

	pd_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0 ? -1 : 0;
}

void su_raw_exec(const char *path, const char *sql)
{
	pd_db *db = NULL;
	pd_db_opts o = {false, false, 0};

	if (pd_db_open(&db, path, &o) != PD_OK || pd_db_exec(db, sql) != PD_OK)
		fail_msg("%s: %s", sql, pd_error_message());
	pd_db_close(db);
}
