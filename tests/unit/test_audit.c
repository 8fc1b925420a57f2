/*
 * The audit trail (store.h): the hash chain verifies when untouched, and
 * every kind of tampering done directly on the database file - a field
 * edited, an entry deleted in the middle or at the end, an entry added, an
 * entry rewritten with a matching hash, the head edited - is found at the
 * right entry. Two writers appending at once never fork the chain.
 */
#include "testutil.h"
#include "storeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "purdah/calfile.h"
#include "purdah/error.h"
#include "purdah/store.h"

#define T0 ((pd_instant)1800000000)

typedef struct fx {
	char dir[SU_DIR_MAX];
	char path[SU_PATH_MAX];
	pd_store *s;
} fx;

static pd_store *open_store(const char *path)
{
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, true};

	if (pd_store_open(&s, path, &o) != PD_OK)
		fail_msg("open %s: %s", path, pd_error_message());
	return s;
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));

	if (su_open(f->dir, f->path, &f->s, "audit", "purdah.db") < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	int rc = su_close(f->s, f->dir);

	free(f);
	return rc;
}

/* Entry i (from 1) of the standard trail; `actor` replaces entry
 * `alter`'s actor when not NULL. */
static void append_n(pd_store *s, int n, int alter, const char *actor)
{
	static const char *const actions[] = {"record", "approve", "login",
	                                      "expire"};
	char detail[64];

	for (int i = 1; i <= n; i++) {
		snprintf(detail, sizeof(detail), "{\"n\":%d,\"via\":\"cli\"}",
		         i);
		if (pd_audit_append(s, T0 + i * 10,
		                    i == alter && actor ? actor : "ann",
		                    actions[i % 4], i % 3 ? i : 0,
		                    i % 2 ? detail : NULL) != PD_OK)
			fail_msg("append %d: %s", i, pd_error_message());
	}
}

/* Verify must fail at `seq` with `why` in the reason. */
static void expect_broken(fx *f, int64_t seq, const char *why)
{
	pd_audit_report r;
	pd_rc rc = pd_audit_verify(f->s, &r);

	if (rc != PD_EINVALID)
		fail_msg("verify: rc %s, want EINVALID", pd_rc_name(rc));
	if (r.bad_seq != seq)
		fail_msg("bad_seq %lld (%s), want %lld", (long long)r.bad_seq,
		         r.why, (long long)seq);
	if (!strstr(r.why, why))
		fail_msg("why '%s' lacks '%s'", r.why, why);
	assert_non_null(strstr(pd_error_message(), r.why));
}

typedef struct collect {
	int64_t seqs[64];
	size_t n;
	int stop_after;
	pd_audit_entry last;
} collect;

static pd_rc collect_fn(void *ctx, const pd_audit_entry *e)
{
	collect *c = ctx;

	c->seqs[c->n++] = e->seq;
	pd_audit_entry_dispose(&c->last);
	c->last = *e;
	c->last.actor = strdup(e->actor);
	c->last.action = strdup(e->action);
	c->last.detail = e->detail ? strdup(e->detail) : NULL;
	if (c->stop_after && (int)c->n == c->stop_after)
		return PD_ENOTFOUND;
	return PD_OK;
}

static void test_audit_empty_trail_verifies(void **state)
{
	fx *f = *state;
	pd_audit_report r;

	assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(strlen(r.head), 64);
}

static void test_audit_chain_verifies(void **state)
{
	fx *f = *state;
	pd_audit_report r;
	collect c;

	memset(&c, 0, sizeof(c));
	append_n(f->s, 10, 0, NULL);
	assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	assert_int_equal(r.entries, 10);
	assert_int_equal(r.bad_seq, 0);
	assert_string_equal(r.why, "");
	assert_int_equal(pd_audit_each(f->s, 0, 0, 0, collect_fn, &c), PD_OK);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.last.seq, 10);
	assert_string_equal(r.head, c.last.hash);
	assert_string_equal(c.last.actor, "ann");
	assert_string_equal(c.last.action, "login"); /* 10 % 4 */
	assert_int_equal(c.last.item, 10);
	assert_null(c.last.detail);
	assert_int_equal(c.last.at, T0 + 100);
	pd_audit_entry_dispose(&c.last);
}

static void test_audit_each_filters_and_stops(void **state)
{
	fx *f = *state;
	collect c;

	append_n(f->s, 12, 0, NULL);
	memset(&c, 0, sizeof(c));
	assert_int_equal(pd_audit_each(f->s, 0, 0, 4, collect_fn, &c), PD_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.seqs[0], 4);
	assert_null(c.last.detail);
	pd_audit_entry_dispose(&c.last);
	memset(&c, 0, sizeof(c));
	/* from <= at < to: entries 3, 4, 5. */
	assert_int_equal(
	        pd_audit_each(f->s, T0 + 30, T0 + 60, 0, collect_fn, &c),
	        PD_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.seqs[0], 3);
	assert_int_equal(c.seqs[2], 5);
	assert_string_equal(c.last.detail, "{\"n\":5,\"via\":\"cli\"}");
	pd_audit_entry_dispose(&c.last);
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(pd_audit_each(f->s, 0, 0, 0, collect_fn, &c),
	                 PD_ENOTFOUND);
	assert_int_equal(c.n, 2);
	pd_audit_entry_dispose(&c.last);
}

static void test_audit_append_refuses_bad_entries(void **state)
{
	fx *f = *state;
	pd_audit_report r;

	assert_int_equal(pd_audit_append(f->s, T0, "", "login", 0, NULL),
	                 PD_EUSAGE);
	assert_int_equal(pd_audit_append(f->s, T0, "ann", NULL, 0, NULL),
	                 PD_EUSAGE);
	assert_int_equal(pd_audit_append(f->s, T0, "ann", "login", 0, "[1]"),
	                 PD_EUSAGE);
	assert_int_equal(pd_audit_append(f->s, T0, "ann", "login", 0, "{"),
	                 PD_EUSAGE);
	assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	assert_int_equal(r.entries, 0);
}

static void test_audit_sql_metacharacters_verbatim(void **state)
{
	fx *f = *state;
	collect c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(pd_audit_append(f->s, T0, "'; DROP TABLE audit; --",
	                                 "approve", 1,
	                                 "{\"note\":\"'; DROP TABLE audit; "
	                                 "--\"}"),
	                 PD_OK);
	assert_int_equal(pd_audit_each(f->s, 0, 0, 0, collect_fn, &c), PD_OK);
	assert_string_equal(c.last.actor, "'; DROP TABLE audit; --");
	assert_string_equal(c.last.detail,
	                    "{\"note\":\"'; DROP TABLE audit; --\"}");
	pd_audit_entry_dispose(&c.last);
}

static void test_audit_edited_field_is_found(void **state)
{
	fx *f = *state;
	static const char *const edits[] = {
	        "UPDATE audit SET actor = 'mallory' WHERE seq = 4",
	        "UPDATE audit SET action = 'reject' WHERE seq = 4",
	        "UPDATE audit SET at = at + 1 WHERE seq = 4",
	        "UPDATE audit SET item = 99 WHERE seq = 4",
	        "UPDATE audit SET detail = '{\"n\":4}' WHERE seq = 4",
	        "UPDATE audit SET detail = NULL WHERE seq = 5",
	};
	char undo[256];

	append_n(f->s, 10, 0, NULL);
	/* Keep a copy to undo each edit with. */
	su_raw_exec(f->path, "CREATE TABLE saved AS SELECT * FROM audit");
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		su_raw_exec(f->path, edits[i]);
		expect_broken(f, i == 5 ? 5 : 4, "field altered");
		snprintf(undo, sizeof(undo),
		         "DELETE FROM audit; INSERT INTO audit SELECT * FROM "
		         "saved");
		su_raw_exec(f->path, undo);
	}
	{
		pd_audit_report r;
		assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	}
}

static void test_audit_deleted_middle_entry_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 10, 0, NULL);
	su_raw_exec(f->path, "DELETE FROM audit WHERE seq = 5");
	expect_broken(f, 5, "entry missing");
}

static void test_audit_deleted_first_entry_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 3, 0, NULL);
	su_raw_exec(f->path, "DELETE FROM audit WHERE seq = 1");
	expect_broken(f, 1, "entry missing");
}

static void test_audit_deleted_last_entry_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 10, 0, NULL);
	su_raw_exec(f->path, "DELETE FROM audit WHERE seq = 10");
	expect_broken(f, 10, "truncated");
	/* Appending after a truncation leaves the gap visible. */
	assert_int_equal(
	        pd_audit_append(f->s, T0 + 500, "ann", "login", 0, NULL),
	        PD_OK);
	expect_broken(f, 10, "entry missing");
}

static void test_audit_renumbered_tail_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 10, 0, NULL);
	/* Delete entry 5 and close the gap: the chain link breaks. */
	su_raw_exec(f->path,
	            "DELETE FROM audit WHERE seq = 5; UPDATE audit SET "
	            "seq = seq - 1 WHERE seq > 5; UPDATE audit_head SET "
	            "seq = 9");
	expect_broken(f, 5, "chain link broken");
}

/* Copy entry `seq` of store `from` (another file) into `to_path`. */
static void copy_entry(const char *from_path, const char *to_path, int64_t seq,
                       bool replace)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "ATTACH '%s' AS other; %s INTO audit SELECT * FROM "
	         "other.audit WHERE seq = %lld; DETACH other",
	         from_path, replace ? "INSERT OR REPLACE" : "INSERT",
	         (long long)seq);
	su_raw_exec(to_path, sql);
}

static void test_audit_inserted_entry_is_found(void **state)
{
	fx *f = *state;
	char other[160];
	pd_store *s2;

	append_n(f->s, 10, 0, NULL);
	/* A well-formed 11th entry, hashed exactly as purdah would, added
	 * behind purdah's back: only the head shows it. */
	snprintf(other, sizeof(other), "%s/other.db", f->dir);
	s2 = open_store(other);
	append_n(s2, 11, 0, NULL);
	pd_store_close(s2);
	copy_entry(other, f->path, 11, false);
	expect_broken(f, 11, "head mismatch");
}

static void test_audit_inserted_garbage_entry_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 4, 0, NULL);
	su_raw_exec(
	        f->path,
	        "INSERT INTO audit (seq, at, actor, action, item, detail, "
	        "prev, hash) SELECT 5, at, actor, action, item, detail, hash, "
	        "hash FROM audit WHERE seq = 4");
	expect_broken(f, 5, "field altered");
}

static void test_audit_rewritten_entry_with_its_hash_is_found(void **state)
{
	fx *f = *state;
	char other[160];
	pd_store *s2;

	append_n(f->s, 10, 0, NULL);
	/* Entry 3 replaced by one with another actor and a hash that matches
	 * its fields: the next entry no longer links to it. */
	snprintf(other, sizeof(other), "%s/other.db", f->dir);
	s2 = open_store(other);
	append_n(s2, 3, 3, "mallory");
	pd_store_close(s2);
	copy_entry(other, f->path, 3, true);
	expect_broken(f, 4, "chain link broken");
}

static void test_audit_edited_head_is_found(void **state)
{
	fx *f = *state;

	append_n(f->s, 10, 0, NULL);
	su_raw_exec(f->path,
	            "UPDATE audit_head SET hash = "
	            "'0000000000000000000000000000000000000000000000000"
	            "000000000000001'");
	expect_broken(f, 10, "head mismatch");
	su_raw_exec(f->path, "DELETE FROM audit_head");
	expect_broken(f, 1, "head");
}

static void test_audit_two_connections_interleave(void **state)
{
	fx *f = *state;
	pd_store *s2 = open_store(f->path);
	pd_audit_report r;

	for (int i = 0; i < 20; i++)
		assert_int_equal(pd_audit_append(i % 2 ? s2 : f->s, T0 + i,
		                                 i % 2 ? "web" : "cli", "login",
		                                 0, NULL),
		                 PD_OK);
	pd_store_close(s2);
	assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	assert_int_equal(r.entries, 20);
}

static void test_audit_concurrent_processes_never_fork(void **state)
{
	fx *f = *state;
	pd_audit_report r;
	pid_t pids[3];

	/* No connection crosses a fork (SQLite forbids it): the children
	 * open their own, the parent reopens after. */
	pd_store_close(f->s);
	f->s = NULL;
	for (int p = 0; p < 3; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			pd_store *s = NULL;
			pd_store_opts o = {false, 30, false};
			int ok = pd_store_open(&s, f->path, &o) == PD_OK;
			for (int i = 0; ok && i < 100; i++)
				ok = pd_audit_append(s, T0 + i, "cli", "record",
				                     p * 1000 + i,
				                     NULL) == PD_OK;
			if (!ok)
				fprintf(stderr, "child: %s\n",
				        pd_error_message());
			pd_store_close(s);
			_exit(ok ? 0 : 1);
		}
	}
	for (int p = 0; p < 3; p++) {
		int status;
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	f->s = open_store(f->path);
	assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
	assert_int_equal(r.entries, 300);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_audit_empty_trail_verifies),
	        T(test_audit_chain_verifies),
	        T(test_audit_each_filters_and_stops),
	        T(test_audit_append_refuses_bad_entries),
	        T(test_audit_sql_metacharacters_verbatim),
	        T(test_audit_edited_field_is_found),
	        T(test_audit_deleted_middle_entry_is_found),
	        T(test_audit_deleted_first_entry_is_found),
	        T(test_audit_deleted_last_entry_is_found),
	        T(test_audit_renumbered_tail_is_found),
	        T(test_audit_inserted_entry_is_found),
	        T(test_audit_inserted_garbage_entry_is_found),
	        T(test_audit_rewritten_entry_with_its_hash_is_found),
	        T(test_audit_edited_head_is_found),
	        T(test_audit_two_connections_interleave),
	        T(test_audit_concurrent_processes_never_fork),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
