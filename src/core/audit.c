/*
 * The audit trail: an append-only table whose entries form a hash chain.
 *
 * Entry N's hash is SHA-256 over an unambiguous encoding of entry N-1's
 * hash and entry N's fields (every string length-prefixed, every integer
 * fixed-width big-endian, NULL distinct from empty), so changing any byte
 * of any field, deleting an entry or inserting one breaks the chain from
 * there on. The table audit_head holds the last entry's number and hash,
 * updated in the same transaction as each append: a deleted tail, which
 * leaves a chain that is intact as far as it goes, shows as a head that
 * points past the last entry. Appends run inside BEGIN IMMEDIATE, so two
 * writers (the CLI and a running server) take turns and the chain never
 * forks. Publishing the head hash (purdah audit verify prints it) anchors
 * the chain against someone who rewrites it and the head together.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/store_int.h"
#include "dep/sodium.h"
#include "purdah/alloc.h"
#include "purdah/json.h"

static const char genesis[65] =
        "0000000000000000000000000000000000000000000000000000000000000000";

static void put_u64(pd_sha256_ctx *c, uint64_t v)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	pd_sha256_update(c, b, sizeof(b));
}

static void put_str(pd_sha256_ctx *c, const char *s, size_t len)
{
	unsigned char present = s != NULL;

	pd_sha256_update(c, &present, 1);
	if (!s)
		return;
	put_u64(c, len);
	pd_sha256_update(c, s, len);
}

/* The chain hash of one entry (hex: 65 bytes). */
static void entry_hash(const char *prev, int64_t seq, pd_instant at,
                       const char *actor, size_t actor_len, const char *action,
                       size_t action_len, int64_t item, const char *detail,
                       size_t detail_len, char *hex)
{
	static const char domain[] = "purdah audit entry v1";
	pd_sha256_ctx c;

	pd_sha256_init(&c);
	pd_sha256_update(&c, domain, sizeof(domain)); /* with its NUL */
	put_str(&c, prev, strlen(prev));
	put_u64(&c, (uint64_t)seq);
	put_u64(&c, (uint64_t)at);
	put_str(&c, actor, actor_len);
	put_str(&c, action, action_len);
	put_u64(&c, (uint64_t)item);
	put_str(&c, detail, detail_len);
	pd_sha256_final_hex(&c, hex);
}

/* The head: the last entry's number and hash (0 and the genesis hash for
 * an empty trail). */
static pd_rc read_head(pd_store *s, int64_t *seq, char *hash, bool *found)
{
	pd_stmt *st;
	bool row;
	pd_rc rc;

	*seq = 0;
	memcpy(hash, genesis, 65);
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT seq, hash FROM audit_head WHERE id = 1")) <
	    0)
		return rc;
	if ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		*seq = pd_stmt_int64(st, 0);
		pd_stmt_copy(st, 1, hash, 65);
	}
	if (found)
		*found = row;
	pd_stmt_release(st);
	return rc;
}

static pd_rc check_detail(const char *detail)
{
	pd_json *j = NULL;
	pd_rc rc;

	if (!detail)
		return PD_OK;
	if ((rc = pd_json_parse(&j, "audit detail", detail, strlen(detail))) <
	    0)
		return pd_error_recode(PD_EUSAGE);
	if (!pd_json_is_object(j))
		rc = pd_error_set(PD_EUSAGE,
		                  "audit detail: not a JSON object: %.60s",
		                  detail);
	pd_json_free(j);
	return rc;
}

pd_rc pd_audit_append_tx(pd_store *s, pd_instant now, const char *actor,
                         const char *action, int64_t item, const char *detail)
{
	char prev[65], hash[65];
	int64_t seq;
	pd_stmt *st = NULL;
	pd_rc rc;

	if (!actor || !actor[0] || !action || !action[0])
		return pd_error_set(PD_EUSAGE,
		                    "audit: an entry needs an actor and an "
		                    "action");
	if ((rc = check_detail(detail)) < 0)
		return rc;
	if ((rc = read_head(s, &seq, prev, NULL)) < 0)
		return rc;
	seq++;
	entry_hash(prev, seq, now, actor, strlen(actor), action, strlen(action),
	           item, detail, detail ? strlen(detail) : 0, hash);
	if ((rc = pd_db_stmt(s->db, &st,
	                     "INSERT INTO audit (seq, at, actor, action, item, "
	                     "detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, "
	                     "?)")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, seq);
	pd_stmt_bind_int64(st, 2, now);
	pd_stmt_bind_str(st, 3, actor);
	pd_stmt_bind_str(st, 4, action);
	pd_stmt_bind_int64(st, 5, item);
	pd_stmt_bind_str(st, 6, detail);
	pd_stmt_bind_str(st, 7, prev);
	pd_stmt_bind_str(st, 8, hash);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	if (rc < 0)
		return rc;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "INSERT INTO audit_head (id, seq, hash) VALUES "
	                     "(1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = "
	                     "excluded.seq, hash = excluded.hash")) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, seq);
	pd_stmt_bind_str(st, 2, hash);
	rc = pd_stmt_run(st);
	pd_stmt_release(st);
	return rc;
}

pd_rc pd_audit_append(pd_store *s, pd_instant now, const char *actor,
                      const char *action, int64_t item, const char *detail)
{
	pd_rc rc;

	if ((rc = pd_db_begin(s->db)) < 0)
		return rc;
	if ((rc = pd_audit_append_tx(s, now, actor, action, item, detail)) <
	    0) {
		pd_db_rollback(s->db);
		return rc;
	}
	return pd_db_commit(s->db);
}

pd_rc pd_store_detail(pd_buf *out, const char *const *keys,
                      const char *const *values, size_t n)
{
	pd_json *o = pd_json_object();
	pd_rc rc = o ? PD_OK : PD_ENOMEM;

	for (size_t i = 0; rc == PD_OK && i < n; i++)
		if (values[i])
			rc = pd_json_set_str(o, keys[i], values[i]);
	pd_buf_clear(out);
	if (rc == PD_OK)
		rc = pd_json_dump(out, o, false);
	else
		rc = pd_error_set(PD_ENOMEM, "audit detail: out of memory");
	pd_json_free(o);
	return rc;
}

pd_rc pd_audit_note_load(pd_store *s, pd_instant now, const char *actor,
                         const pd_gate *g)
{
	const pd_config *cfg = pd_gate_config(g);
	const char *keys[] = {"calendars_sha256", "lexicons_sha256",
	                      "config_sha256", "config"};
	const char *values[] = {
	        pd_calendar_sha256(pd_gate_calendar(g)),
	        pd_gate_lexicons_sha256(g),
	        cfg->sha256[0] ? cfg->sha256 : NULL,
	        cfg->path,
	};
	pd_buf detail = PD_BUF_INIT(1 << 16);
	pd_stmt *st = NULL;
	bool row, same = false;
	pd_rc rc;

	if ((rc = pd_store_detail(&detail, keys, values, 4)) < 0)
		goto done;
	if ((rc = pd_db_begin(s->db)) < 0)
		goto done;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT detail FROM audit WHERE action = 'load' "
	                     "ORDER BY seq DESC LIMIT 1")) < 0)
		goto rollback;
	if ((rc = pd_stmt_step(st, &row)) < 0)
		goto rollback;
	if (row) {
		const char *last = pd_stmt_text(st, 0);
		same = last && pd_stmt_bytes(st, 0) == detail.len &&
		       memcmp(last, detail.ptr, detail.len) == 0;
	}
	pd_stmt_release(st);
	st = NULL;
	if (!same &&
	    (rc = pd_audit_append_tx(s, now, actor, "load", 0, detail.ptr)) < 0)
		goto rollback;
	rc = pd_db_commit(s->db);
	goto done;
rollback:
	pd_stmt_release(st);
	pd_db_rollback(s->db);
done:
	pd_buf_dispose(&detail);
	return rc;
}

void pd_audit_entry_dispose(pd_audit_entry *e)
{
	if (!e)
		return;
	pd_free(e->actor);
	pd_free(e->action);
	pd_free(e->detail);
	e->actor = e->action = e->detail = NULL;
}

#define ENTRY_COLUMNS "seq, at, actor, action, item, detail, prev, hash"

/* Read the current row into `e` (strings copied). */
static pd_rc read_entry(pd_stmt *st, pd_audit_entry *e)
{
	pd_rc rc;

	memset(e, 0, sizeof(*e));
	e->seq = pd_stmt_int64(st, 0);
	e->at = pd_stmt_int64(st, 1);
	e->item = pd_stmt_int64(st, 4);
	pd_stmt_copy(st, 6, e->prev, sizeof(e->prev));
	pd_stmt_copy(st, 7, e->hash, sizeof(e->hash));
	if ((rc = pd_stmt_dup(st, 2, &e->actor, NULL)) < 0 ||
	    (rc = pd_stmt_dup(st, 3, &e->action, NULL)) < 0 ||
	    (rc = pd_stmt_dup(st, 5, &e->detail, NULL)) < 0)
		pd_audit_entry_dispose(e);
	return rc;
}

/* Call `fn` on each entry `st` reads (ENTRY_COLUMNS), until it fails;
 * releases `st`. */
static pd_rc each_entry(pd_stmt *st, pd_audit_fn fn, void *ctx)
{
	pd_audit_entry e;
	bool row;
	pd_rc rc;

	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		if ((rc = read_entry(st, &e)) < 0)
			break;
		rc = fn(ctx, &e);
		pd_audit_entry_dispose(&e);
		if (rc < 0)
			break;
	}
	pd_stmt_release(st);
	return rc;
}

pd_rc pd_audit_each(pd_store *s, pd_instant from, pd_instant to, int64_t item,
                    pd_audit_fn fn, void *ctx)
{
	const char *sql;
	pd_stmt *st;
	pd_rc rc;

	if (item)
		/* "item != 0" lets SQLite use the partial index audit_item. */
		sql = "SELECT " ENTRY_COLUMNS " FROM audit WHERE item = ?1 "
		      "AND item != 0 AND at >= ?2 AND at < ?3 ORDER BY seq";
	else if (from || to)
		sql = "SELECT " ENTRY_COLUMNS " FROM audit WHERE at >= ?2 AND "
		      "at < ?3 ORDER BY seq";
	else
		sql = "SELECT " ENTRY_COLUMNS " FROM audit ORDER BY seq";
	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	if (item)
		pd_stmt_bind_int64(st, 1, item);
	if (item || from || to) {
		pd_stmt_bind_int64(st, 2, from ? from : INT64_MIN);
		pd_stmt_bind_int64(st, 3, to ? to : INT64_MAX);
	}
	return each_entry(st, fn, ctx);
}

pd_rc pd_audit_recent(pd_store *s, pd_instant from, pd_instant to,
                      int64_t before_seq, size_t limit, pd_audit_fn fn,
                      void *ctx)
{
	/* The primary key walked backwards from ?1; the time bounds are
	 * tested on the way (audit_at serves a range far in the past). */
	const char *sql =
	        from || to
	                ? "SELECT " ENTRY_COLUMNS " FROM audit WHERE seq < ?1 "
	                  "AND at >= ?2 AND at < ?3 ORDER BY seq DESC LIMIT ?4"
	                : "SELECT " ENTRY_COLUMNS " FROM audit WHERE seq < ?1 "
	                  "ORDER BY seq DESC LIMIT ?4";
	pd_stmt *st;
	pd_rc rc;

	if ((rc = pd_db_stmt(s->db, &st, sql)) < 0)
		return rc;
	pd_stmt_bind_int64(st, 1, before_seq > 0 ? before_seq : INT64_MAX);
	if (from || to) {
		pd_stmt_bind_int64(st, 2, from ? from : INT64_MIN);
		pd_stmt_bind_int64(st, 3, to ? to : INT64_MAX);
	}
	pd_stmt_bind_int64(st, 4,
	                   limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	return each_entry(st, fn, ctx);
}

static pd_rc broken(pd_audit_report *r, int64_t seq, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

static pd_rc broken(pd_audit_report *r, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	r->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return pd_error_set(PD_EINVALID, "audit chain broken at entry %lld: %s",
	                    (long long)seq, r->why);
}

pd_rc pd_audit_verify(pd_store *s, pd_audit_report *r)
{
	char prev[65], hash[65], stored_prev[65], stored[65], head_hash[65];
	int64_t expect = 1, head_seq;
	pd_stmt *st = NULL;
	bool row, head_found;
	pd_rc rc;

	memset(r, 0, sizeof(*r));
	memcpy(prev, genesis, 65);
	/* One read transaction: the chain and its head as of one moment. */
	if ((rc = pd_db_exec(s->db, "BEGIN")) < 0)
		return rc;
	if ((rc = read_head(s, &head_seq, head_hash, &head_found)) < 0)
		goto done;
	if ((rc = pd_db_stmt(s->db, &st,
	                     "SELECT " ENTRY_COLUMNS
	                     " FROM audit ORDER BY seq")) < 0)
		goto done;
	while ((rc = pd_stmt_step(st, &row)) == PD_OK && row) {
		int64_t seq = pd_stmt_int64(st, 0);
		const char *actor = pd_stmt_text(st, 2),
		           *action = pd_stmt_text(st, 3),
		           *detail = pd_stmt_text(st, 5);

		pd_stmt_copy(st, 6, stored_prev, sizeof(stored_prev));
		pd_stmt_copy(st, 7, stored, sizeof(stored));
		if (seq != expect) {
			rc = broken(r, expect,
			            seq > expect ? "entry missing (the next "
			                           "entry is %lld)"
			                         : "entry out of order (%lld)",
			            (long long)seq);
			goto done;
		}
		if (strcmp(stored_prev, prev) != 0) {
			rc = broken(r, seq,
			            expect == 1
			                    ? "chain link broken: the first "
			                      "entry does not start the chain"
			                    : "chain link broken: its previous "
			                      "hash is not entry %lld's hash",
			            (long long)(seq - 1));
			goto done;
		}
		entry_hash(prev, seq, pd_stmt_int64(st, 1), actor,
		           actor ? pd_stmt_bytes(st, 2) : 0, action,
		           action ? pd_stmt_bytes(st, 3) : 0,
		           pd_stmt_int64(st, 4), detail,
		           detail ? pd_stmt_bytes(st, 5) : 0, hash);
		if (strcmp(hash, stored) != 0) {
			rc = broken(r, seq,
			            "field altered: the entry's hash does not "
			            "match its fields");
			goto done;
		}
		memcpy(prev, hash, 65);
		r->entries++;
		expect++;
	}
	if (rc < 0)
		goto done;
	memcpy(r->head, prev, 65);
	if (!head_found && r->entries > 0)
		rc = broken(r, 1, "head mismatch: the head record is missing");
	else if (head_seq > r->entries)
		rc = broken(r, r->entries + 1,
		            "entry missing: the head says the trail ends at "
		            "entry %lld, it ends at %lld (truncated)",
		            (long long)head_seq, (long long)r->entries);
	else if (head_seq < r->entries)
		rc = broken(r, head_seq + 1,
		            "head mismatch: the head says the trail ends at "
		            "entry %lld (entries added outside purdah)",
		            (long long)head_seq);
	else if (strcmp(head_hash, prev) != 0)
		rc = broken(r, r->entries ? r->entries : 1,
		            "head mismatch: the head's hash is not the last "
		            "entry's");
done:
	pd_stmt_release(st);
	pd_db_rollback(s->db);
	return rc;
}
