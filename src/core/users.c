/*
 * Users and sessions of the review page (store.h).
 *
 * Passwords are kept as Argon2id hash strings (libsodium's encoding, which
 * carries its own cost, so a cost change applies to new passwords only).
 * A login for a name that does not exist, or a disabled one, still costs
 * one hash verification, against an existing user's hash, so the time a
 * login takes does not tell which names exist. Failed logins are counted
 * per name and per client address in login_attempts; at the limit, logins
 * are refused for the window without checking the password.
 *
 * A session is known by the SHA-256 of its cookie token only: reading the
 * database does not give anyone a usable cookie. Each session has its own
 * CSRF token for the forms, an idle timeout (from the last request) and an
 * absolute one (from the login). Disabling a user ends their sessions.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/store_int.h"
#include "dep/sodium.h"
#include "purdah/alloc.h"

static const char *const ROLE_NAMES[] = {"viewer", "comms", "monitoring"};

const char *pd_role_name(pd_role r)
{
	if ((unsigned)r < 3)
		return ROLE_NAMES[r];
	return "unknown";
}

pd_rc pd_role_parse(pd_role *out, const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, ROLE_NAMES[i]) == 0) {
			*out = (pd_role)i;
			return PD_OK;
		}
	return pd_error_set(PD_EUSAGE,
	                    "unknown role '%.64s' (known: viewer, comms, "
	                    "monitoring)",
	                    s ? s : "");
}

bool pd_token_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return false;
	n = strlen(a);
	/* The length of a token is no secret: all are 64 hex digits. */
	if (n != strlen(b) || n == 0)
		return false;
	return pd_memequal(a, b, n);
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '@' || c == '-'))
			return false;
	}
	return true;
}

/* Run one statement with parameters ?1 and ?2 (text, when not NULL) and
 * ?3 (an integer, when the statement has it). */
static pd_rc run_sql(pd_store *s, const char *sql, const char *t1,
                     const char *t2, int64_t i3)
{
	pd_stmt *st;
	pd_rc rc;

	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	if (t1)
		pd_stmt_bind_str(st, 1, t1);
	if (t2)
		pd_stmt_bind_str(st, 2, t2);
	if (pd_stmt_param_count(st) >= 3)
		pd_stmt_bind_int64(st, 3, i3);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

/* The end of a change to the users, in the transaction the caller began:
 * when `rc` (the change's) is PD_OK, its audit entry (`action` by `by`,
 * else "purdah") and the commit; otherwise the rollback. */
static pd_rc end_change(pd_store *s, pd_rc rc, pd_instant now, const char *by,
                        const char *action, const char *detail)
{
	if (rc == PD_OK &&
	    (rc = pd_audit_append_tx(s, now, by && by[0] ? by : "purdah",
	                             action, 0, detail)) == PD_OK)
		return pd_db_commit(s->db);
	pd_db_rollback(s->db);
	return rc;
}

/* A new user, in the caller's transaction; PD_EINVALID when the name is
 * taken. */
static pd_rc insert_user(pd_store *s, const char *name, pd_role role,
                         const char *hash, pd_instant now)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT 1 FROM users WHERE name = ?")) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, name);
	rc = pd_stmt_step(st, &row);
	pd_stmt_release(st);
	if (rc < 0)
		return rc;
	if (row)
		return pd_error_set(PD_EINVALID, "user %s: the name is taken",
		                    name);
	if ((rc = pd_db_stmt(s->db, &st,
	                     "INSERT INTO users (name, role, hash, created) "
	                     "VALUES (?, ?, ?, ?)")) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, name);
	pd_stmt_bind_int64(st, 2, role);
	pd_stmt_bind_str(st, 3, hash);
	pd_stmt_bind_int64(st, 4, now);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

/* Disable a user and end their sessions, in the caller's transaction;
 * PD_ENOTFOUND when there is no such user. */
static pd_rc disable_user(pd_store *s, const char *name)
{
	pd_rc rc;

	if ((rc = run_sql(s, "UPDATE users SET disabled = 1 WHERE name = ?1",
	                  name, NULL, 0)) < 0)
		return rc;
	if (pd_db_changes(s->db) == 0)
		return pd_error_set(PD_ENOTFOUND, "user %s: no such user",
		                    name);
	return run_sql(s, "DELETE FROM sessions WHERE user = ?1", name, NULL,
	               0);
}

pd_rc pd_user_add(pd_store *s, const char *name, pd_role role,
                  const char *password, size_t len, pd_pw_cost cost,
                  const char *by, pd_instant now)
{
	static const char *const keys[] = {"user", "role"};
	const char *values[] = {name, pd_role_name(role)};
	char hash[PD_PWHASH_STRBYTES];
	pd_buf detail = PD_BUF_INIT(4096);
	pd_rc rc;

	if (!name_ok(name))
		return pd_error_set(PD_EINVALID,
		                    "user name '%.64s': 1 to 64 of letters, "
		                    "digits and . _ @ -",
		                    name ? name : "");
	if ((unsigned)role > PD_ROLE_MONITORING)
		return pd_error_set(PD_EINVALID, "user %s: unknown role", name);
	if (!password || len < 8)
		return pd_error_set(PD_EINVALID,
		                    "user %s: a password needs at least 8 "
		                    "characters",
		                    name);
	if ((unsigned)cost > PD_PW_MIN)
		return pd_error_set(PD_EUSAGE, "user %s: unknown password cost",
		                    name);
	if ((rc = pd_store_detail(&detail, keys, values, 2)) < 0)
		goto done;
	/* Hash before taking the write lock: it takes a while by design. */
	if ((rc = pd_pwhash_str(hash, password, len, (pd_pwhash_cost)cost)) < 0)
		goto done;
	if ((rc = pd_db_begin(s->db)) < 0)
		goto done;
	rc = end_change(s, insert_user(s, name, role, hash, now), now, by,
	                "user-add", detail.ptr);
done:
	pd_buf_dispose(&detail);
	return rc;
}

pd_rc pd_user_disable(pd_store *s, const char *name, const char *by,
                      pd_instant now)
{
	static const char *const keys[] = {"user"};
	const char *values[] = {name};
	pd_buf detail = PD_BUF_INIT(4096);
	pd_rc rc;

	if (!name_ok(name))
		return pd_error_set(PD_ENOTFOUND, "user '%.64s': no such user",
		                    name ? name : "");
	if ((rc = pd_store_detail(&detail, keys, values, 1)) < 0)
		goto done;
	if ((rc = pd_db_begin(s->db)) < 0)
		goto done;
	rc = end_change(s, disable_user(s, name), now, by, "user-disable",
	                detail.ptr);
done:
	pd_buf_dispose(&detail);
	return rc;
}

pd_rc pd_user_list(pd_store *s, pd_user_info **out, size_t *n)
{
	pd_user_info *v = NULL;
	size_t k = 0, cap = 0;
	pd_stmt *st = NULL;
	bool row = false;
	pd_rc rc;

	*out = NULL;
	*n = 0;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT name, role, disabled, created FROM users "
	                     "ORDER BY name")) < 0)
		return rc;
	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		int64_t role = pd_stmt_int64(st, 1);
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 16;
			pd_user_info *nv = pd_realloc(v, nc * sizeof(*nv));
			if (!nv) {
				rc = pd_error_set(PD_ENOMEM,
				                  "users: out of memory");
				break;
			}
			v = nv;
			cap = nc;
		}
		memset(&v[k], 0, sizeof(v[k]));
		pd_stmt_copy(st, 0, v[k].name, sizeof(v[k].name));
		v[k].role = role >= PD_ROLE_VIEWER && role <= PD_ROLE_MONITORING
		                    ? (pd_role)role
		                    : PD_ROLE_VIEWER;
		v[k].disabled = pd_stmt_int64(st, 2) != 0;
		v[k].created = pd_stmt_int64(st, 3);
		k++;
	}
	pd_stmt_release(st);
	if (rc < 0) {
		pd_free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return PD_OK;
}

/* Failed logins for `col` = `value` since `since`. */
static pd_rc failures(pd_store *s, const char *sql, const char *value,
                      pd_instant since, int64_t *n)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	*n = 0;
	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, value);
	pd_stmt_bind_int64(st, 2, since);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		*n = pd_stmt_int64(st, 0);
	pd_stmt_release(st);
	return rc;
}

typedef struct user_row {
	bool found, disabled;
	pd_role role;
	char hash[PD_PWHASH_STRBYTES];
} user_row;

/* The user `name`; when there is none, the newest user's hash (made at
 * the cost now configured), or none at all in an empty table. */
static pd_rc read_user(pd_store *s, const char *name, user_row *u)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	memset(u, 0, sizeof(*u));
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT role, hash, disabled FROM users WHERE "
	                     "name = ?")) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, name);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		u->found = true;
		u->role = (pd_role)pd_stmt_int64(st, 0);
		pd_stmt_copy(st, 1, u->hash, sizeof(u->hash));
		u->disabled = pd_stmt_int64(st, 2) != 0;
	}
	pd_stmt_release(st);
	if (rc < 0 || u->found)
		return rc;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT hash FROM users ORDER BY rowid DESC "
	                     "LIMIT 1")) < 0)
		return rc;
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		pd_stmt_copy(st, 0, u->hash, sizeof(u->hash));
	pd_stmt_release(st);
	return rc;
}

/* A hash of a random password at the interactive cost, made once per
 * process: what an unknown name is checked against when there are no
 * users at all. */
static char fallback[PD_PWHASH_STRBYTES];
static pthread_once_t fallback_once = PTHREAD_ONCE_INIT;

static void make_fallback(void)
{
	char pw[33];

	if (pd_random_hex(pw, 16) < 0 ||
	    pd_pwhash_str(fallback, pw, 32, PD_PWHASH_INTERACTIVE) < 0)
		fallback[0] = 0;
	pd_error_clear();
}

static const char *fallback_hash(void)
{
	pthread_once(&fallback_once, make_fallback);
	return fallback[0] ? fallback : NULL;
}

static pd_rc audit_login(pd_store *s, pd_instant now, const char *name,
                         const char *action, const char *why, const char *addr)
{
	static const char *const keys[] = {"user", "reason", "addr"};
	const char *values[] = {name, why, addr};
	pd_buf detail = PD_BUF_INIT(4096);
	pd_rc rc;

	if ((rc = pd_store_detail(&detail, keys, values, 3)) == PD_OK)
		rc = pd_audit_append_tx(s, now, name_ok(name) ? name : "-",
		                        action, 0, detail.ptr);
	pd_buf_dispose(&detail);
	return rc;
}

/* A new session for `name` inside the caller's transaction. */
static pd_rc new_session(pd_store *s, const char *name, pd_role role,
                         pd_instant now, pd_session *out)
{
	char token_sha[65];
	pd_stmt *st;
	pd_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pd_random_hex(out->token, 32)) < 0 ||
	    (rc = pd_random_hex(out->csrf, 32)) < 0)
		return rc;
	pd_sha256_hex(out->token, 64, token_sha);
	snprintf(out->user, sizeof(out->user), "%.64s", name);
	out->role = role;
	out->created = out->seen = now;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "INSERT INTO sessions (token_sha256, user, csrf, "
	                     "created, seen) VALUES (?, ?, ?, ?, ?)")) < 0)
		return rc;
	pd_stmt_bind_str(st, 1, token_sha);
	pd_stmt_bind_str(st, 2, name);
	pd_stmt_bind_str(st, 3, out->csrf);
	pd_stmt_bind_int64(st, 4, now);
	pd_stmt_bind_int64(st, 5, now);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

static void limits_of(const pd_session_limits *lim, pd_session_limits *out)
{
	out->idle = lim && lim->idle > 0 ? lim->idle : 1800;
	out->absolute = lim && lim->absolute > 0 ? lim->absolute : 43200;
	out->max_failures =
	        lim && lim->max_failures > 0 ? lim->max_failures : 5;
	out->window = lim && lim->window > 0 ? lim->window : 900;
}

pd_rc pd_login(pd_store *s, const char *name, const char *password, size_t len,
               const char *addr, const pd_session_limits *lim, pd_instant now,
               pd_login_result *res, pd_session *out)
{
	pd_session_limits l;
	pd_instant since;
	char name_buf[129], addr_buf[129];
	int64_t by_name, by_addr;
	user_row u;
	const char *hash, *why = NULL;
	bool match;
	pd_rc rc;

	*res = PD_LOGIN_BAD;
	memset(out, 0, sizeof(*out));
	limits_of(lim, &l);
	since = now - (pd_instant)l.window;
	/* No user name is longer than 64 bytes: what is recorded of a longer
	 * one (and of an address) is its first 128. */
	snprintf(name_buf, sizeof(name_buf), "%s", name ? name : "");
	snprintf(addr_buf, sizeof(addr_buf), "%s", addr ? addr : "");
	name = name_buf;
	addr = addr_buf;
	if (!password)
		len = 0;
	/* The password check runs outside the write lock (it is slow on
	 * purpose); the counts are read again under it. */
	if ((rc = read_user(s, name, &u)) < 0)
		return rc;
	hash = u.hash[0] ? u.hash : fallback_hash();
	match = hash && pd_pwhash_verify(hash, password ? password : "", len);
	if ((rc = pd_db_begin(s->db)) < 0)
		return rc;
	if ((rc = failures(s,
	                   "SELECT count(*) FROM login_attempts WHERE name = ? "
	                   "AND at > ?",
	                   name, since, &by_name)) < 0 ||
	    (rc = failures(s,
	                   "SELECT count(*) FROM login_attempts WHERE addr = ? "
	                   "AND at > ?",
	                   addr, since, &by_addr)) < 0)
		goto rollback;
	if (by_name >= l.max_failures ||
	    (addr[0] && by_addr >= l.max_failures)) {
		*res = PD_LOGIN_LIMITED;
		why = by_name >= l.max_failures ? "too many failures for the "
		                                  "name"
		                                : "too many failures from the "
		                                  "address";
	} else if (!u.found) {
		why = "no such user";
	} else if (u.disabled) {
		why = "user disabled";
	} else if (!match) {
		why = "wrong password";
	}
	if (why) {
		if (*res != PD_LOGIN_LIMITED &&
		    (rc = run_sql(s,
		                  "INSERT INTO login_attempts (name, addr, at) "
		                  "VALUES (?1, ?2, ?3)",
		                  name, addr, now)) < 0)
			goto rollback;
		if ((rc = audit_login(s, now, name, "login-failed", why,
		                      addr[0] ? addr : NULL)) < 0)
			goto rollback;
	} else {
		if ((rc = new_session(s, name, u.role, now, out)) < 0 ||
		    (rc = audit_login(s, now, name, "login", NULL,
		                      addr[0] ? addr : NULL)) < 0)
			goto rollback;
		*res = PD_LOGIN_OK;
	}
	/* Forget what no window can count any more, and dead sessions. */
	if ((rc = run_sql(s, "DELETE FROM login_attempts WHERE at <= ?3", NULL,
	                  NULL, since)) < 0 ||
	    (rc = run_sql(s, "DELETE FROM sessions WHERE created <= ?3", NULL,
	                  NULL, now - (pd_instant)l.absolute)) < 0)
		goto rollback;
	if ((rc = pd_db_commit(s->db)) < 0) {
		*res = PD_LOGIN_BAD;
		memset(out, 0, sizeof(*out));
	}
	return rc;
rollback:
	pd_db_rollback(s->db);
	*res = PD_LOGIN_BAD;
	memset(out, 0, sizeof(*out));
	return rc;
}

/* Reads a hex token's SHA-256; false when it is not 64 hex digits. */
static bool token_sha(const char *token, char *sha)
{
	size_t n = token ? strlen(token) : 0;

	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((token[i] >= '0' && token[i] <= '9') ||
		      (token[i] >= 'a' && token[i] <= 'f')))
			return false;
	pd_sha256_hex(token, n, sha);
	return true;
}

pd_rc pd_session_get(pd_store *s, const char *token,
                     const pd_session_limits *lim, pd_instant now,
                     pd_session *out)
{
	pd_session_limits l;
	char sha[65];
	pd_stmt *st;
	bool row, live = false;
	pd_rc rc;

	memset(out, 0, sizeof(*out));
	limits_of(lim, &l);
	if (!token_sha(token, sha))
		return pd_error_set(PD_ENOTFOUND, "no such session");
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT s.csrf, s.created, s.seen, u.name, "
	                     "u.role, u.disabled FROM sessions s JOIN users u "
	                     "ON u.name = s.user WHERE s.token_sha256 = ?")) <
	    0)
		return rc;
	pd_stmt_bind_str(st, 1, sha);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		pd_stmt_copy(st, 0, out->csrf, sizeof(out->csrf));
		out->created = pd_stmt_int64(st, 1);
		out->seen = pd_stmt_int64(st, 2);
		pd_stmt_copy(st, 3, out->user, sizeof(out->user));
		out->role = (pd_role)pd_stmt_int64(st, 4);
		live = pd_stmt_int64(st, 5) == 0 &&
		       now - out->seen < (pd_instant)l.idle &&
		       now - out->created < (pd_instant)l.absolute;
	}
	pd_stmt_release(st);
	if (rc < 0)
		return rc;
	if (!live) {
		if (row) /* expired: gone for good */
			rc = run_sql(
			        s,
			        "DELETE FROM sessions WHERE token_sha256 = "
			        "?1",
			        sha, NULL, 0);
		memset(out, 0, sizeof(*out));
		return rc < 0 ? rc
		              : pd_error_set(PD_ENOTFOUND, "no such session");
	}
	if (now != out->seen) {
		if ((rc = pd_db_stmt(s->db, &st,
		                     "UPDATE sessions SET seen = ? WHERE "
		                     "token_sha256 = ?")) < 0)
			goto fail;
		pd_stmt_bind_int64(st, 1, now);
		pd_stmt_bind_str(st, 2, sha);
		rc = pd_stmt_run(st);
		pd_stmt_release(st);
		if (rc < 0)
			goto fail;
		out->seen = now;
	}
	snprintf(out->token, sizeof(out->token), "%s", token);
	return PD_OK;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

pd_rc pd_session_end(pd_store *s, const char *token, pd_instant now)
{
	char sha[65], user[65] = "";
	pd_stmt *st;
	bool row = false;
	pd_rc rc;

	if (!token_sha(token, sha))
		return pd_error_set(PD_ENOTFOUND, "no such session");
	if ((rc = pd_db_begin(s->db)) < 0)
		return rc;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT user FROM sessions WHERE token_sha256 = "
	                     "?")) < 0)
		goto rollback;
	pd_stmt_bind_str(st, 1, sha);
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row)
		pd_stmt_copy(st, 0, user, sizeof(user));
	pd_stmt_release(st);
	if (rc < 0)
		goto rollback;
	if (!row) {
		rc = pd_error_set(PD_ENOTFOUND, "no such session");
		goto rollback;
	}
	if ((rc = run_sql(s, "DELETE FROM sessions WHERE token_sha256 = ?1",
	                  sha, NULL, 0)) < 0 ||
	    (rc = pd_audit_append_tx(s, now, user, "logout", 0, NULL)) < 0)
		goto rollback;
	return pd_db_commit(s->db);
rollback:
	pd_db_rollback(s->db);
	return rc;
}
