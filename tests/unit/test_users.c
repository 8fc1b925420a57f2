/*
 * Users and sessions (store.h): adding users, logging in and out, every
 * way a login fails, rate limiting per name and per address, session
 * expiry (idle and absolute), tokens stored only as hashes, a CSRF token
 * per session. Passwords use the minimum Argon2id cost except where the
 * cost itself is what is tested.
 */
#include "testutil.h"
#include "storeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dep/sodium.h"
#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/error.h"
#include "purdah/file.h"
#include "purdah/store.h"

#define T0   ((pd_instant)1800000000)
#define PW   "correct horse battery"
#define EVIL "'; DROP TABLE users; --"

typedef struct fx {
	char dir[SU_DIR_MAX];
	char path[SU_PATH_MAX];
	pd_store *s;
	pd_session_limits lim;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));

	if (su_open(f->dir, f->path, &f->s, "users", "purdah.db") < 0)
		return -1;
	if (pd_user_add(f->s, "ann", PD_ROLE_MONITORING, PW, strlen(PW),
	                PD_PW_MIN, "admin", T0) != PD_OK) {
		fprintf(stderr, "%s\n", pd_error_message());
		return -1;
	}
	f->lim.idle = 100;
	f->lim.absolute = 300;
	f->lim.max_failures = 3;
	f->lim.window = 600;
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

static pd_login_result login(fx *f, const char *name, const char *pw,
                             const char *addr, pd_instant now, pd_session *s)
{
	pd_login_result res = (pd_login_result)-1;
	pd_session dummy;

	if (pd_login(f->s, name, pw, strlen(pw), addr, &f->lim, now, &res,
	             s ? s : &dummy) != PD_OK)
		fail_msg("login: %s", pd_error_message());
	return res;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The audit actions in order, as "a,b,c". */
typedef struct actions {
	char buf[1024];
} actions;

static pd_rc action_fn(void *ctx, const pd_audit_entry *e)
{
	actions *a = ctx;
	size_t n = strlen(a->buf);
	snprintf(a->buf + n, sizeof(a->buf) - n, "%s%s:%s", n ? "," : "",
	         e->action, e->actor);
	return PD_OK;
}

static const char *audit_actions(fx *f, actions *a)
{
	a->buf[0] = 0;
	if (pd_audit_each(f->s, 0, 0, 0, action_fn, a) != PD_OK)
		fail_msg("%s", pd_error_message());
	return a->buf;
}

static void test_users_login_ok(void **state)
{
	fx *f = *state;
	pd_session s, g;
	actions a;

	assert_int_equal(login(f, "ann", PW, "192.0.2.1", T0, &s), PD_LOGIN_OK);
	assert_true(is_hex64(s.token));
	assert_true(is_hex64(s.csrf));
	assert_string_equal(s.user, "ann");
	assert_int_equal(s.role, PD_ROLE_MONITORING);
	assert_int_equal(s.created, T0);
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 5, &g),
	                 PD_OK);
	assert_string_equal(g.user, "ann");
	assert_string_equal(g.csrf, s.csrf);
	assert_string_equal(g.token, s.token);
	assert_int_equal(g.role, PD_ROLE_MONITORING);
	assert_int_equal(g.seen, T0 + 5);
	assert_string_equal(audit_actions(f, &a), "user-add:admin,login:ann");
}

static void test_users_add_refuses_bad_users(void **state)
{
	fx *f = *state;
	static const char *const bad[] = {"",
	                                  "a b",
	                                  EVIL,
	                                  "ann/x",
	                                  "é",
	                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	actions a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pd_user_add(f->s, bad[i], PD_ROLE_VIEWER, PW,
		                             strlen(PW), PD_PW_MIN, "admin",
		                             T0),
		                 PD_EINVALID);
	assert_int_equal(pd_user_add(f->s, "bob", PD_ROLE_VIEWER, "short", 5,
	                             PD_PW_MIN, "admin", T0),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "8"));
	assert_int_equal(pd_user_add(f->s, "ann", PD_ROLE_VIEWER, PW,
	                             strlen(PW), PD_PW_MIN, "admin", T0),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "taken"));
	/* 64 characters of the allowed set are fine. */
	assert_int_equal(pd_user_add(f->s,
	                             "A.b_c@d-0123456789aaaaaaaaaaaaaaaaaaaaaa"
	                             "aaaaaaaaaaaaaaaaaaaaaaaa",
	                             PD_ROLE_VIEWER, PW, strlen(PW), PD_PW_MIN,
	                             "admin", T0),
	                 PD_OK);
	assert_string_equal(audit_actions(f, &a),
	                    "user-add:admin,user-add:admin");
}

static void test_users_metacharacters_in_password(void **state)
{
	fx *f = *state;

	assert_int_equal(pd_user_add(f->s, "bob", PD_ROLE_COMMS, EVIL,
	                             strlen(EVIL), PD_PW_MIN, EVIL, T0),
	                 PD_OK);
	assert_int_equal(login(f, "bob", EVIL, EVIL, T0, NULL), PD_LOGIN_OK);
	assert_int_equal(login(f, EVIL, EVIL, EVIL, T0, NULL), PD_LOGIN_BAD);
}

static void test_users_wrong_password_unknown_user(void **state)
{
	fx *f = *state;
	pd_session s;
	actions a;

	assert_int_equal(login(f, "ann", "wrong password", "a1", T0, &s),
	                 PD_LOGIN_BAD);
	assert_string_equal(s.token, "");
	assert_int_equal(login(f, "nobody", PW, "a2", T0, &s), PD_LOGIN_BAD);
	assert_int_equal(login(f, "Ann", PW, "a3", T0, &s), PD_LOGIN_BAD);
	assert_int_equal(login(f, "ann", "", "a4", T0, &s), PD_LOGIN_BAD);
	assert_string_equal(audit_actions(f, &a),
	                    "user-add:admin,login-failed:ann,login-failed:"
	                    "nobody,login-failed:Ann,login-failed:ann");
}

static void test_users_disabled_user(void **state)
{
	fx *f = *state;
	pd_session s, g;
	actions a;

	assert_int_equal(login(f, "ann", PW, "a", T0, &s), PD_LOGIN_OK);
	assert_int_equal(pd_user_disable(f->s, "ann", "admin", T0 + 1), PD_OK);
	/* Her session ended with it, and she cannot log in again. */
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 2, &g),
	                 PD_ENOTFOUND);
	assert_int_equal(login(f, "ann", PW, "a", T0 + 3, NULL), PD_LOGIN_BAD);
	assert_int_equal(pd_user_disable(f->s, "nobody", "admin", T0),
	                 PD_ENOTFOUND);
	assert_string_equal(audit_actions(f, &a),
	                    "user-add:admin,login:ann,user-disable:admin,"
	                    "login-failed:ann");
}

static void test_users_rate_limit_per_name(void **state)
{
	fx *f = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(
		        login(f, "ann", "guess", "10.0.0.1", T0 + i, NULL),
		        PD_LOGIN_BAD);
	/* From anywhere, even with the right password. */
	assert_int_equal(login(f, "ann", PW, "10.9.9.9", T0 + 10, NULL),
	                 PD_LOGIN_LIMITED);
	/* Others are not affected. */
	assert_int_equal(pd_user_add(f->s, "bob", PD_ROLE_VIEWER, PW,
	                             strlen(PW), PD_PW_MIN, "admin", T0),
	                 PD_OK);
	assert_int_equal(login(f, "bob", PW, "10.9.9.9", T0 + 11, NULL),
	                 PD_LOGIN_OK);
	/* The window moves on: the first failure at T0 drops out at T0 +
	 * 600. */
	assert_int_equal(login(f, "ann", PW, "10.9.9.9", T0 + 599, NULL),
	                 PD_LOGIN_LIMITED);
	assert_int_equal(login(f, "ann", PW, "10.9.9.9", T0 + 600, NULL),
	                 PD_LOGIN_OK);
}

static void test_users_rate_limit_per_address(void **state)
{
	fx *f = *state;
	static const char *const names[] = {"x1", "x2", "ann"};

	for (int i = 0; i < 3; i++)
		assert_int_equal(login(f, names[i], "guess", "198.51.100.7",
		                       T0 + i, NULL),
		                 PD_LOGIN_BAD);
	assert_int_equal(login(f, "ann", PW, "198.51.100.7", T0 + 5, NULL),
	                 PD_LOGIN_LIMITED);
	assert_int_equal(login(f, "ann", PW, "198.51.100.8", T0 + 5, NULL),
	                 PD_LOGIN_OK);
}

static void test_users_session_idle_expiry(void **state)
{
	fx *f = *state;
	pd_session s, g;

	assert_int_equal(login(f, "ann", PW, "a", T0, &s), PD_LOGIN_OK);
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 99, &g),
	                 PD_OK);
	/* Each request restarts the idle clock. */
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 198, &g),
	                 PD_OK);
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 298, &g),
	                 PD_ENOTFOUND);
	/* Gone for good, even if asked at an earlier time. */
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 199, &g),
	                 PD_ENOTFOUND);
	assert_string_equal(g.user, "");
}

static void test_users_session_absolute_expiry(void **state)
{
	fx *f = *state;
	pd_session s, g;

	assert_int_equal(login(f, "ann", PW, "a", T0, &s), PD_LOGIN_OK);
	for (int t = 50; t < 300; t += 50)
		assert_int_equal(
		        pd_session_get(f->s, s.token, &f->lim, T0 + t, &g),
		        PD_OK);
	assert_int_equal(pd_session_get(f->s, s.token, &f->lim, T0 + 300, &g),
	                 PD_ENOTFOUND);
}

static void test_users_tokens_differ_and_logout(void **state)
{
	fx *f = *state;
	pd_session a, b, g;
	actions acts;

	assert_int_equal(login(f, "ann", PW, "a", T0, &a), PD_LOGIN_OK);
	assert_int_equal(login(f, "ann", PW, "a", T0, &b), PD_LOGIN_OK);
	assert_string_not_equal(a.token, b.token);
	assert_string_not_equal(a.csrf, b.csrf);
	assert_string_not_equal(a.token, a.csrf);
	assert_int_equal(pd_session_end(f->s, a.token, T0 + 1), PD_OK);
	assert_int_equal(pd_session_get(f->s, a.token, &f->lim, T0 + 2, &g),
	                 PD_ENOTFOUND);
	assert_int_equal(pd_session_get(f->s, b.token, &f->lim, T0 + 2, &g),
	                 PD_OK);
	assert_string_equal(g.csrf, b.csrf);
	assert_int_equal(pd_session_end(f->s, a.token, T0 + 3), PD_ENOTFOUND);
	assert_string_equal(audit_actions(f, &acts),
	                    "user-add:admin,login:ann,login:ann,logout:ann");
}

static void test_users_bad_tokens(void **state)
{
	fx *f = *state;
	pd_session s, g;
	char upper[65];

	assert_int_equal(login(f, "ann", PW, "a", T0, &s), PD_LOGIN_OK);
	assert_int_equal(pd_session_get(f->s, "", &f->lim, T0, &g),
	                 PD_ENOTFOUND);
	assert_int_equal(pd_session_get(f->s, NULL, &f->lim, T0, &g),
	                 PD_ENOTFOUND);
	assert_int_equal(pd_session_get(f->s, EVIL, &f->lim, T0, &g),
	                 PD_ENOTFOUND);
	/* The stored hash is not a token. */
	{
		char sha[65];
		pd_sha256_hex(s.token, 64, sha);
		assert_int_equal(pd_session_get(f->s, sha, &f->lim, T0, &g),
		                 PD_ENOTFOUND);
	}
	snprintf(upper, sizeof(upper), "%s", s.token);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(pd_session_get(f->s, upper, &f->lim, T0, &g),
	                 PD_ENOTFOUND);
}

/* Whether `needle` is anywhere in the file at `path` (missing: no). */
static bool file_has(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	static char data[1 << 22];
	size_t n, k = strlen(needle);
	bool found = false;

	if (!fp)
		return false;
	n = fread(data, 1, sizeof(data), fp);
	fclose(fp);
	for (size_t i = 0; i + k <= n && !found; i++)
		found = memcmp(data + i, needle, k) == 0;
	return found;
}

static void test_users_token_stored_hashed(void **state)
{
	fx *f = *state;
	pd_session s;
	char sha[65], wal[160];

	assert_int_equal(login(f, "ann", PW, "a", T0, &s), PD_LOGIN_OK);
	pd_sha256_hex(s.token, 64, sha);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	/* The hash is there (so the search works), the token is not. */
	assert_true(file_has(f->path, sha) || file_has(wal, sha));
	assert_false(file_has(f->path, s.token));
	assert_false(file_has(wal, s.token));
	assert_false(file_has(f->path, PW));
	assert_false(file_has(wal, PW));
}

static void test_users_list(void **state)
{
	fx *f = *state;
	pd_user_info *u = NULL;
	size_t n = 0;

	assert_int_equal(pd_user_add(f->s, "Zed", PD_ROLE_VIEWER, PW,
	                             strlen(PW), PD_PW_MIN, "admin", T0 + 7),
	                 PD_OK);
	assert_int_equal(pd_user_add(f->s, "bob", PD_ROLE_COMMS, PW, strlen(PW),
	                             PD_PW_MIN, "admin", T0 + 9),
	                 PD_OK);
	assert_int_equal(pd_user_disable(f->s, "bob", "admin", T0 + 10), PD_OK);
	assert_int_equal(pd_user_list(f->s, &u, &n), PD_OK);
	assert_int_equal(n, 3);
	assert_string_equal(u[0].name, "Zed"); /* by name, bytewise */
	assert_string_equal(u[1].name, "ann");
	assert_string_equal(u[2].name, "bob");
	assert_int_equal(u[1].role, PD_ROLE_MONITORING);
	assert_int_equal(u[2].role, PD_ROLE_COMMS);
	assert_false(u[1].disabled);
	assert_true(u[2].disabled);
	assert_int_equal(u[0].created, T0 + 7);
	pd_free(u);
}

/* A store without users: every login fails, after a real hash. */
static void test_users_login_without_users(void **state)
{
	fx *f = *state;
	char path[160];
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, true};
	pd_login_result res;
	pd_session sess;

	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	assert_int_equal(pd_store_open(&s, path, &o), PD_OK);
	assert_int_equal(pd_login(s, "ann", PW, strlen(PW), "a", &f->lim, T0,
	                          &res, &sess),
	                 PD_OK);
	assert_int_equal(res, PD_LOGIN_BAD);
	assert_string_equal(sess.token, "");
	pd_store_close(s);
}

static void test_users_token_equal(void **state)
{
	(void)state;
	assert_true(pd_token_equal("abc", "abc"));
	assert_false(pd_token_equal("abc", "abd"));
	assert_false(pd_token_equal("abc", "abcd"));
	assert_false(pd_token_equal("", ""));
	assert_false(pd_token_equal(NULL, "abc"));
	assert_false(pd_token_equal("abc", NULL));
}

static void test_users_role_names(void **state)
{
	pd_role r;

	(void)state;
	assert_int_equal(pd_role_parse(&r, "comms"), PD_OK);
	assert_int_equal(r, PD_ROLE_COMMS);
	assert_string_equal(pd_role_name(PD_ROLE_MONITORING), "monitoring");
	assert_int_equal(pd_role_parse(&r, "admin"), PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "viewer, comms"));
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* An unknown name costs a real hash verification: at the interactive
 * cost, it takes about as long as a wrong password for a real user. */
static void test_users_unknown_name_costs_a_hash(void **state)
{
	fx *f = *state;
	double t0, known, unknown;

	assert_int_equal(pd_user_add(f->s, "carol", PD_ROLE_VIEWER, PW,
	                             strlen(PW), PD_PW_INTERACTIVE, "admin",
	                             T0),
	                 PD_OK);
	/* The newest user's hash (carol's) is the stand-in. */
	f->lim.max_failures = 100;
	t0 = now_ms();
	assert_int_equal(login(f, "carol", "wrong password", "a", T0, NULL),
	                 PD_LOGIN_BAD);
	known = now_ms() - t0;
	t0 = now_ms();
	assert_int_equal(login(f, "nobody", "wrong password", "a", T0, NULL),
	                 PD_LOGIN_BAD);
	unknown = now_ms() - t0;
	/* Both pay one Argon2id verification at the interactive cost
	 * (tens of milliseconds); a skipped hash would take well under a
	 * millisecond. */
	if (unknown < known / 3 || known < 5)
		fail_msg("wrong password %.1f ms, unknown name %.1f ms", known,
		         unknown);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_users_login_ok),
	        T(test_users_add_refuses_bad_users),
	        T(test_users_metacharacters_in_password),
	        T(test_users_wrong_password_unknown_user),
	        T(test_users_disabled_user),
	        T(test_users_rate_limit_per_name),
	        T(test_users_rate_limit_per_address),
	        T(test_users_session_idle_expiry),
	        T(test_users_session_absolute_expiry),
	        T(test_users_tokens_differ_and_logout),
	        T(test_users_bad_tokens),
	        T(test_users_token_stored_hashed),
	        T(test_users_list),
	        T(test_users_login_without_users),
	        T(test_users_token_equal),
	        T(test_users_role_names),
	        T(test_users_unknown_name_costs_a_hash),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
