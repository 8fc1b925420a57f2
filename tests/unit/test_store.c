/*
 * The review queue (store.h): opening and migrating the database, recording
 * with dedupe and expiry, decisions and their errors, the queue's filters
 * and keyset paging, and SQL metacharacters kept verbatim. Each test works
 * in a fresh directory under /tmp (removed after).
 */
#include "testutil.h"
#include "storeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dep/sqlite.h"
#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/error.h"
#include "purdah/json.h"
#include "purdah/store.h"
#include "purdah/world.h"

#define NOW  ((pd_instant)1800000000) /* 2027-01-15T08:00:00Z */
#define EVIL "'; DROP TABLE items; --"

typedef struct fx {
	char dir[SU_DIR_MAX];
	char path[SU_PATH_MAX];
	pd_store *s;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));

	/* A directory that does not exist yet: open creates it. */
	if (su_open(f->dir, f->path, &f->s, "store", "var/db/purdah.db") < 0)
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

static pd_review_new sample(const char *text, const char *account,
                            pd_instant at)
{
	pd_review_new n;

	memset(&n, 0, sizeof(n));
	n.source = "check";
	n.origin = "posts.jsonl:3";
	n.cls = "council-post";
	n.areas = "[\"Abbey\"]";
	n.account = account;
	n.at = at;
	n.text = text;
	n.len = strlen(text);
	n.decision = "hold";
	n.reasons = "[{\"code\":\"party-political\",\"decision\":\"hold\"}]";
	n.hits = "[]";
	n.periods = "[]";
	n.calendars_sha256 = "c1";
	n.lexicons_sha256 = "l1";
	n.config_sha256 = NULL;
	return n;
}

static int64_t record(fx *f, const pd_review_new *n, bool want_new)
{
	int64_t id = -1;
	bool created = !want_new;

	if (pd_store_record(f->s, n, NOW, 3600, &id, &created) != PD_OK)
		fail_msg("record: %s", pd_error_message());
	assert_true(id > 0);
	assert_int_equal(created, want_new);
	return id;
}

static int64_t audit_count(fx *f)
{
	pd_audit_report r;

	if (pd_audit_verify(f->s, &r) != PD_OK)
		fail_msg("verify: %s", pd_error_message());
	return r.entries;
}

static void test_store_open_creates_directory_and_schema(void **state)
{
	fx *f = *state;
	struct stat sb;

	assert_int_equal(stat(f->path, &sb), 0);
	/* The database holds password hashes: the owner's alone. */
	assert_int_equal(sb.st_mode & 077, 0);
	assert_string_equal(pd_store_path(f->s), f->path);
	assert_int_equal(pd_store_schema_version(), 1);
}

static void test_store_reopen_is_idempotent(void **state)
{
	fx *f = *state;
	pd_store_opts o = {false, 0, false};
	pd_review_new n = sample("Vote for us", "@council", 0);
	pd_review_item it;
	int64_t id = record(f, &n, true);

	for (int i = 0; i < 3; i++) {
		pd_store_close(f->s);
		f->s = NULL;
		if (pd_store_open(&f->s, f->path, &o) != PD_OK)
			fail_msg("reopen: %s", pd_error_message());
	}
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_string_equal(it.text, "Vote for us");
	pd_review_item_dispose(&it);
	assert_int_equal(audit_count(f), 1);
}

static void test_store_missing_without_create_is_enoinput(void **state)
{
	fx *f = *state;
	char path[160];
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, false};

	snprintf(path, sizeof(path), "%s/none.db", f->dir);
	assert_int_equal(pd_store_open(&s, path, &o), PD_ENOINPUT);
	assert_null(s);
	assert_non_null(strstr(pd_error_message(), path));
	assert_int_equal(access(path, F_OK), -1);
}

static void test_store_refuses_a_file_that_is_not_a_database(void **state)
{
	fx *f = *state;
	char path[160];
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, true};

	snprintf(path, sizeof(path), "%s/notes.txt", f->dir);
	tu_write_file(path, "These are my notes, not a database. They go on "
	                    "for a while so that SQLite reads a full header "
	                    "and finds no magic string in it at all.\n");
	assert_int_equal(pd_store_open(&s, path, &o), PD_ECONFIG);
	assert_null(s);
	assert_non_null(strstr(pd_error_message(), path));
	assert_non_null(strstr(pd_error_message(), "not a purdah database"));
}

static void test_store_refuses_a_newer_schema(void **state)
{
	fx *f = *state;
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, false};

	su_raw_exec(f->path, "PRAGMA user_version = 2");
	assert_int_equal(pd_store_open(&s, f->path, &o), PD_ECONFIG);
	assert_null(s);
	assert_non_null(strstr(pd_error_message(), "newer"));
	assert_non_null(strstr(pd_error_message(), f->path));
	/* Still refused, nothing written over it. */
	assert_int_equal(pd_store_open(&s, f->path, &o), PD_ECONFIG);
}

static void test_store_refuses_another_programs_database(void **state)
{
	fx *f = *state;
	char path[160];
	pd_store *s = NULL;
	pd_db *db = NULL;
	pd_db_opts dbo = {true, false, 0};
	pd_store_opts o = {false, 0, true};

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(pd_db_open(&db, path, &dbo), PD_OK);
	assert_int_equal(pd_db_exec(db, "CREATE TABLE t (x)"), PD_OK);
	pd_db_close(db);
	assert_int_equal(pd_store_open(&s, path, &o), PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "not a purdah database"));
}

static void test_store_record_and_get(void **state)
{
	fx *f = *state;
	pd_review_new n =
	        sample("Vote for the Purple Party", "@council", NOW + 7200);
	pd_review_item it;
	int64_t id = record(f, &n, true);

	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.id, id);
	assert_int_equal(it.created, NOW);
	assert_string_equal(it.source, "check");
	assert_string_equal(it.origin, "posts.jsonl:3");
	assert_string_equal(it.cls, "council-post");
	assert_string_equal(it.areas, "[\"Abbey\"]");
	assert_string_equal(it.account, "@council");
	assert_int_equal(it.at, NOW + 7200);
	/* Publication in the future: pending until then. */
	assert_int_equal(it.expires, NOW + 7200);
	assert_string_equal(it.text, "Vote for the Purple Party");
	assert_int_equal(it.len, strlen("Vote for the Purple Party"));
	assert_int_equal(strlen(it.content_sha256), 64);
	assert_string_equal(it.decision, "hold");
	assert_string_equal(it.reasons, n.reasons);
	assert_string_equal(it.hits, "[]");
	assert_string_equal(it.periods, "[]");
	assert_string_equal(it.calendars_sha256, "c1");
	assert_string_equal(it.lexicons_sha256, "l1");
	assert_null(it.config_sha256);
	assert_int_equal(it.status, PD_REVIEW_PENDING);
	assert_null(it.reviewer);
	assert_null(it.note);
	assert_int_equal(it.decided, 0);
	pd_review_item_dispose(&it);
}

static void test_store_expiry_when_published_now(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Now", NULL, NOW - 60);
	pd_review_new u = sample("Unknown time", NULL, 0);
	pd_review_item it;
	int64_t a = record(f, &n, true), b = record(f, &u, true);

	assert_int_equal(pd_store_get(f->s, a, &it), PD_OK);
	assert_int_equal(it.expires, NOW + 3600);
	assert_null(it.account);
	pd_review_item_dispose(&it);
	assert_int_equal(pd_store_get(f->s, b, &it), PD_OK);
	assert_int_equal(it.expires, NOW + 3600);
	assert_int_equal(it.at, 0);
	pd_review_item_dispose(&it);
}

static void test_store_dedupe_same_content_account_time(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Same words", "@a", NOW);
	int64_t id = record(f, &n, true);
	pd_review_new other = n;

	assert_int_equal(record(f, &n, false), id);
	/* The reasons may differ (a new policy): still the same item. */
	n.reasons = "[]";
	assert_int_equal(record(f, &n, false), id);
	other.account = "@b";
	assert_true(record(f, &other, true) != id);
	other.account = "@a";
	other.at = NOW + 1;
	assert_true(record(f, &other, true) != id);
	other = sample("Same words!", "@a", NOW);
	assert_true(record(f, &other, true) != id);
	/* No audit entry for a duplicate. */
	assert_int_equal(audit_count(f), 4);
}

static void test_store_record_refuses_bad_input(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("x", NULL, 0);
	int64_t id = 5;
	bool created = true;

	n.decision = "allow";
	assert_int_equal(pd_store_record(f->s, &n, NOW, 60, &id, &created),
	                 PD_EUSAGE);
	assert_int_equal(id, 0);
	assert_false(created);
	n = sample("x", NULL, 0);
	n.cls = "newsletter";
	assert_int_equal(pd_store_record(f->s, &n, NOW, 60, &id, &created),
	                 PD_EUSAGE);
	n = sample("x", NULL, 0);
	n.periods = "{\"uid\":1}";
	assert_int_equal(pd_store_record(f->s, &n, NOW, 60, &id, &created),
	                 PD_EUSAGE);
	n = sample("x", NULL, 0);
	n.reasons = "[not json";
	assert_int_equal(pd_store_record(f->s, &n, NOW, 60, &id, &created),
	                 PD_EUSAGE);
	assert_int_equal(audit_count(f), 0);
}

static void test_store_decide_approve_then_twice(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Please approve", NULL, 0);
	int64_t id = record(f, &n, true);
	pd_review_item it;

	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_APPROVED, "ann",
	                                 "cli", NULL, NOW + 10),
	                 PD_OK);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_APPROVED);
	assert_string_equal(it.reviewer, "ann");
	assert_null(it.note);
	assert_int_equal(it.decided, NOW + 10);
	pd_review_item_dispose(&it);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED, "bob",
	                                 "web", "no", NOW + 20),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "is approved, not pending"));
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_APPROVED);
	assert_string_equal(it.reviewer, "ann");
	pd_review_item_dispose(&it);
	assert_int_equal(audit_count(f), 2);
}

static void test_store_reject_needs_a_note(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Please reject", NULL, 0);
	int64_t id = record(f, &n, true);
	pd_review_item it;

	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED, "ann",
	                                 "web", NULL, NOW),
	                 PD_EUSAGE);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED, "ann",
	                                 "web", " \n\t", NOW),
	                 PD_EUSAGE);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_PENDING);
	pd_review_item_dispose(&it);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED, "ann",
	                                 "web", "Names a candidate", NOW),
	                 PD_OK);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_REJECTED);
	assert_string_equal(it.note, "Names a candidate");
	pd_review_item_dispose(&it);
}

static void test_store_decide_errors(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("x", NULL, 0);
	int64_t id = record(f, &n, true);

	assert_int_equal(pd_store_decide(f->s, id + 100, PD_REVIEW_APPROVED,
	                                 "ann", "cli", NULL, NOW),
	                 PD_ENOTFOUND);
	assert_non_null(strstr(pd_error_message(), "no such item"));
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_PENDING, "ann",
	                                 "cli", NULL, NOW),
	                 PD_EUSAGE);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_EXPIRED, "ann",
	                                 "cli", NULL, NOW),
	                 PD_EUSAGE);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_APPROVED, "",
	                                 "cli", NULL, NOW),
	                 PD_EUSAGE);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_WITHDRAWN, "ann",
	                                 "cli", NULL, NOW),
	                 PD_OK);
	assert_int_equal(audit_count(f), 2);
}

static void test_store_decide_after_expiry_is_refused(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Too late", NULL, NOW + 100);
	int64_t id = record(f, &n, true);
	pd_review_item it;

	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_APPROVED, "ann",
	                                 "cli", NULL, NOW + 100),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "is expired, not pending"));
	/* The expiry found on the way is kept. */
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_EXPIRED);
	assert_int_equal(it.decided, NOW + 100);
	pd_review_item_dispose(&it);
	assert_int_equal(audit_count(f), 2);
}

static void test_store_expire(void **state)
{
	fx *f = *state;
	pd_review_new a = sample("a", NULL, NOW + 100),
	              b = sample("b", NULL, NOW + 200),
	              c = sample("c", NULL, 0);
	int64_t ia = record(f, &a, true), ib = record(f, &b, true),
	        ic = record(f, &c, true);
	pd_review_item it;
	size_t n = 99;

	assert_int_equal(pd_store_expire(f->s, NOW + 99, &n), PD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(pd_store_expire(f->s, NOW + 100, &n), PD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pd_store_expire(f->s, NOW + 100, NULL), PD_OK);
	assert_int_equal(pd_store_decide(f->s, ic, PD_REVIEW_APPROVED, "ann",
	                                 "cli", NULL, NOW + 150),
	                 PD_OK);
	assert_int_equal(pd_store_expire(f->s, NOW + 10000, &n), PD_OK);
	assert_int_equal(n, 1); /* b; c was decided */
	assert_int_equal(pd_store_get(f->s, ia, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_EXPIRED);
	pd_review_item_dispose(&it);
	assert_int_equal(pd_store_get(f->s, ib, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_EXPIRED);
	assert_int_equal(it.decided, NOW + 10000);
	pd_review_item_dispose(&it);
	assert_int_equal(pd_store_get(f->s, ic, &it), PD_OK);
	assert_int_equal(it.status, PD_REVIEW_APPROVED);
	pd_review_item_dispose(&it);
	/* 3 records, 2 expiries, 1 approval. */
	assert_int_equal(audit_count(f), 6);
}

static void test_store_get_missing(void **state)
{
	fx *f = *state;
	pd_review_item it;

	assert_int_equal(pd_store_get(f->s, 42, &it), PD_ENOTFOUND);
	assert_string_equal(pd_error_message(), "item 42: no such item");
}

/* 30 items: i % 3 gives the class, i % 2 the period, every 5th approved. */
static void fill(fx *f, int64_t ids[30])
{
	static const char *const classes[] = {"council-post", "forum",
	                                      "third-party"};
	char text[64];

	for (int i = 0; i < 30; i++) {
		pd_review_new n;
		int64_t id;
		bool created;

		snprintf(text, sizeof(text), "Item %d says %s", i,
		         i == 7 ? "100% sure_thing" : "1000 sure thing");
		n = sample(text, "@council", 0);
		n.cls = classes[i % 3];
		n.periods = i % 2 ? "[{\"uid\":\"p-odd\",\"name\":\"Odd\"},"
		                    "{\"uid\":\"p-all\"}]"
		                  : "[{\"uid\":\"p-all\"}]";
		if (pd_store_record(f->s, &n, NOW + i * 60, 86400, &id,
		                    &created) != PD_OK)
			fail_msg("%s", pd_error_message());
		ids[i] = id;
		if (i % 5 == 0 &&
		    pd_store_decide(f->s, id, PD_REVIEW_APPROVED, "ann", "cli",
		                    NULL, NOW + i * 60) != PD_OK)
			fail_msg("%s", pd_error_message());
	}
}

/* The ids of a list, newest first, as "29,28,..." */
static const char *list_ids(fx *f, const pd_review_query *q, char *buf,
                            size_t size, bool *more)
{
	pd_review_item *items = NULL;
	size_t n = 0, used = 0;

	if (pd_store_list(f->s, q, &items, &n, more) != PD_OK)
		fail_msg("list: %s", pd_error_message());
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		used += (size_t)snprintf(buf + used, size - used, "%s%lld",
		                         i ? "," : "", (long long)items[i].id);
		assert_true(used < size);
		if (q->with_text)
			assert_non_null(items[i].text);
		else
			assert_null(items[i].text);
	}
	pd_review_items_free(items, n);
	return buf;
}

static void test_store_list_filters(void **state)
{
	fx *f = *state;
	int64_t ids[30];
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	char buf[512];
	bool more;

	fill(f, ids);
	/* Ids are 1..30 in a fresh store. */
	assert_int_equal(ids[0], 1);
	q.limit = 5;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "30,29,28,27,26");
	assert_true(more);
	q.status = PD_REVIEW_APPROVED;
	q.limit = 0;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "26,21,16,11,6,1");
	assert_false(more);
	q.status = PD_REVIEW_PENDING;
	q.cls = "forum"; /* i % 3 == 1: ids 2, 5, ... 29 */
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "29,23,20,17,14,8,5,2");
	q.period = "p-odd"; /* odd i: even ids */
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "20,14,8,2");
	q.status = -1;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "26,20,14,8,2");
	q.cls = NULL;
	q.status = PD_REVIEW_APPROVED;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "26,16,6");
	q.period = "p-none";
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more), "");
	q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	q.from = NOW + 10 * 60;
	q.to = NOW + 13 * 60;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "13,12,11");
	q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	q.search = "0% SURE_"; /* % and _ are literal, case ignored */
	q.with_text = true;
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more), "8");
	q.search = "item 1";
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more),
	                    "20,19,18,17,16,15,14,13,12,11,2");
	q.search = "\\";
	assert_string_equal(list_ids(f, &q, buf, sizeof(buf), &more), "");
}

static void test_store_list_keyset_paging(void **state)
{
	fx *f = *state;
	int64_t ids[30], seen = 0, last = 0;
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_review_item *items;
	size_t n;
	bool more = true;
	int pages = 0;

	fill(f, ids);
	q.period = "p-all";
	q.limit = 7;
	while (more) {
		q.before_id = last;
		assert_int_equal(pd_store_list(f->s, &q, &items, &n, &more),
		                 PD_OK);
		for (size_t i = 0; i < n; i++) {
			if (last)
				assert_true(items[i].id < last);
			last = items[i].id;
			seen++;
		}
		pd_review_items_free(items, n);
		pages++;
	}
	assert_int_equal(seen, 30);
	assert_int_equal(pages, 5);
	q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	q.limit = 5000; /* at most 1000 */
	assert_int_equal(pd_store_list(f->s, &q, &items, &n, &more), PD_OK);
	assert_int_equal(n, 30);
	pd_review_items_free(items, n);
	q.status = 9;
	assert_int_equal(pd_store_list(f->s, &q, &items, &n, &more), PD_EUSAGE);
}

static void test_store_count(void **state)
{
	fx *f = *state;
	int64_t ids[30], c[5];
	pd_review_query q = PD_REVIEW_QUERY_INIT;

	fill(f, ids);
	q.status = PD_REVIEW_REJECTED; /* ignored */
	assert_int_equal(pd_store_count(f->s, &q, c), PD_OK);
	assert_int_equal(c[PD_REVIEW_PENDING], 24);
	assert_int_equal(c[PD_REVIEW_APPROVED], 6);
	assert_int_equal(c[PD_REVIEW_REJECTED], 0);
	q.period = "p-odd";
	assert_int_equal(pd_store_count(f->s, &q, c), PD_OK);
	assert_int_equal(c[PD_REVIEW_PENDING], 12);
	assert_int_equal(c[PD_REVIEW_APPROVED], 3);
	q.cls = "forum";
	q.search = "item";
	assert_int_equal(pd_store_count(f->s, &q, c), PD_OK);
	assert_int_equal(c[PD_REVIEW_PENDING] + c[PD_REVIEW_APPROVED], 5);
	assert_int_equal(c[PD_REVIEW_APPROVED], 1);
}

static void test_store_sql_metacharacters_verbatim(void **state)
{
	fx *f = *state;
	pd_review_new n = sample(EVIL " text", EVIL, 0);
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_review_item it, *items;
	size_t count;
	bool more;
	int64_t id;

	n.source = EVIL;
	n.origin = EVIL "\"";
	n.areas = "[\"" EVIL "\"]";
	id = record(f, &n, true);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED,
	                                 EVIL " reviewer", "web", EVIL " note",
	                                 NOW),
	                 PD_OK);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_string_equal(it.text, EVIL " text");
	assert_string_equal(it.account, EVIL);
	assert_string_equal(it.source, EVIL);
	assert_string_equal(it.origin, EVIL "\"");
	assert_string_equal(it.areas, "[\"" EVIL "\"]");
	assert_string_equal(it.reviewer, EVIL " reviewer");
	assert_string_equal(it.note, EVIL " note");
	pd_review_item_dispose(&it);
	q.search = EVIL;
	q.cls = "council-post";
	q.period = NULL;
	assert_int_equal(pd_store_list(f->s, &q, &items, &count, &more), PD_OK);
	assert_int_equal(count, 1);
	pd_review_items_free(items, count);
	q.period = EVIL;
	assert_int_equal(pd_store_list(f->s, &q, &items, &count, &more), PD_OK);
	assert_int_equal(count, 0);
	pd_review_items_free(items, count);
	/* The table is still there, and so is the chain. */
	assert_int_equal(audit_count(f), 2);
	n = sample("after", NULL, 0);
	record(f, &n, true);
}

static void test_store_text_with_nul_bytes(void **state)
{
	fx *f = *state;
	static const char text[] = "before\0after";
	pd_review_new n = sample("", NULL, 0), m;
	pd_review_item it;
	int64_t id;

	n.text = text;
	n.len = sizeof(text) - 1;
	id = record(f, &n, true);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_int_equal(it.len, sizeof(text) - 1);
	assert_memory_equal(it.text, text, sizeof(text) - 1);
	pd_review_item_dispose(&it);
	/* "before" alone is other content. */
	m = sample("before", NULL, 0);
	assert_true(record(f, &m, true) != id);
}

static void test_store_item_json(void **state)
{
	fx *f = *state;
	pd_review_new n = sample("Vote \"now\"", "@c", NOW + 3600);
	pd_review_item it;
	pd_json *j;
	pd_buf out = PD_BUF_INIT(1 << 20);
	int64_t id;

	n.periods = "[{\"uid\":\"e1\",\"name\":\"Local elections\"}]";
	id = record(f, &n, true);
	assert_int_equal(pd_store_decide(f->s, id, PD_REVIEW_REJECTED, "ann",
	                                 "cli", "Partisan", NOW + 60),
	                 PD_OK);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	j = pd_review_item_json(&it, tu_london());
	assert_non_null(j);
	assert_int_equal(pd_json_dump(&out, j, false), PD_OK);
	assert_non_null(strstr(out.ptr, "\"status\":\"rejected\""));
	assert_non_null(strstr(out.ptr, "\"text\":\"Vote \\\"now\\\"\""));
	assert_non_null(
	        strstr(out.ptr, "\"created\":\"2027-01-15T08:00:00Z\"") ||
	        strstr(out.ptr, "\"created\":\"2027-01-15T08:00:00+00:00\""));
	assert_non_null(strstr(out.ptr, "\"areas\":[\"Abbey\"]"));
	assert_non_null(strstr(out.ptr, "\"periods\":[{\"uid\":\"e1\""));
	assert_non_null(strstr(out.ptr, "\"reasons\":[{\"code\":"));
	assert_non_null(strstr(out.ptr, "\"note\":\"Partisan\""));
	assert_non_null(strstr(out.ptr, "\"reviewer\":\"ann\""));
	assert_non_null(strstr(out.ptr, "\"config_sha256\":null"));
	assert_non_null(strstr(out.ptr, "\"class\":\"council-post\""));
	pd_json_free(j);
	pd_review_item_dispose(&it);
	pd_buf_dispose(&out);
}

static void test_store_new_from_verdict(void **state)
{
	fx *f = *state;
	pd_world *w = NULL;
	pd_world_opts wo;
	pd_verdict v = PD_VERDICT_INIT;
	pd_item item;
	pd_review_new n;
	pd_buf strings = PD_BUF_INIT(1 << 24);
	pd_review_item it;
	int64_t id;
	bool created;
	const char *areas[] = {"Abbey"};

	memset(&wo, 0, sizeof(wo));
	wo.config_path = "purdah.yaml";
	if (pd_world_load(&w, &wo) != PD_OK)
		fail_msg("world: %s", pd_error_message());
	memset(&item, 0, sizeof(item));
	item.text = "Vote Labour on Thursday!";
	item.len = strlen(item.text);
	item.cls = PD_CLASS_COUNCIL_POST;
	item.areas = areas;
	item.nareas = 0;
	item.at = NOW;
	item.account = "@council";
	assert_int_equal(pd_gate_decide(w->gate, &item, &v), PD_OK);
	assert_int_not_equal(v.decision, PD_ALLOW);
	assert_int_equal(pd_review_new_from_verdict(&n, &strings, w->gate,
	                                            &item, &v, "api", NULL),
	                 PD_OK);
	assert_string_equal(n.source, "api");
	assert_string_equal(n.decision, pd_decision_name(v.decision));
	assert_string_equal(n.areas, "[]");
	assert_int_equal(strlen(n.calendars_sha256), 64);
	assert_int_equal(pd_store_record(f->s, &n, NOW, 60, &id, &created),
	                 PD_OK);
	assert_true(created);
	assert_int_equal(pd_store_get(f->s, id, &it), PD_OK);
	assert_string_equal(it.text, item.text);
	assert_non_null(strstr(it.reasons, "\"code\":\"party-political\""));
	assert_string_equal(it.lexicons_sha256,
	                    pd_gate_lexicons_sha256(w->gate));
	pd_review_item_dispose(&it);
	/* note_load: once per set of hashes. */
	assert_int_equal(pd_audit_note_load(f->s, NOW, "purdah", w->gate),
	                 PD_OK);
	assert_int_equal(pd_audit_note_load(f->s, NOW + 5, "purdah", w->gate),
	                 PD_OK);
	assert_int_equal(audit_count(f), 2);
	pd_verdict_dispose(&v);
	pd_buf_dispose(&strings);
	pd_world_free(w);
}

/* Every allocation of ours failing in turn: PD_ENOMEM or success, never
 * a crash or a leak (ASan and valgrind watch), and nothing half-written. */
static void test_store_allocation_failures_are_clean(void **state)
{
	fx *f = *state;
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_review_item it, *items;
	size_t n;
	bool more, done = false;
	int64_t ids[30];
	char text[64];

	fill(f, ids);
	q.period = "p-all";
	q.with_text = true;
	for (long k = 0; !done; k++) {
		pd_review_new nw;
		int64_t id;
		bool created;
		pd_rc r1, r2, r3, r4;

		snprintf(text, sizeof(text), "allocation %ld", k);
		nw = sample(text, NULL, 0);
		pd_alloc_fail_after(k);
		r1 = pd_store_record(f->s, &nw, NOW, 60, &id, &created);
		r2 = pd_store_list(f->s, &q, &items, &n, &more);
		if (r2 == PD_OK)
			pd_review_items_free(items, n);
		r3 = pd_store_get(f->s, ids[3], &it);
		if (r3 == PD_OK)
			pd_review_item_dispose(&it);
		r4 = pd_store_decide(f->s, ids[4], PD_REVIEW_APPROVED, "ann",
		                     "cli", NULL, NOW);
		pd_alloc_fail_after(-1);
		assert_true(r1 == PD_OK || r1 == PD_ENOMEM);
		assert_true(r2 == PD_OK || r2 == PD_ENOMEM);
		assert_true(r3 == PD_OK || r3 == PD_ENOMEM);
		assert_true(r4 == PD_OK || r4 == PD_ENOMEM ||
		            r4 == PD_EINVALID);
		if (r1 == PD_ENOMEM)
			assert_false(created);
		done = r1 == PD_OK && r2 == PD_OK && r3 == PD_OK && k > 50;
		assert_true(k < 2000);
	}
	/* Every record and decision that happened left its audit entry. */
	{
		pd_audit_report r;
		int64_t c[5];
		pd_review_query all = PD_REVIEW_QUERY_INIT;
		assert_int_equal(pd_audit_verify(f->s, &r), PD_OK);
		assert_int_equal(pd_store_count(f->s, &all, c), PD_OK);
		assert_int_equal(r.entries, c[0] + c[1] + c[1]);
	}
}

static void test_store_status_and_role_names(void **state)
{
	pd_review_status st;

	(void)state;
	assert_int_equal(pd_review_status_parse(&st, "withdrawn"), PD_OK);
	assert_int_equal(st, PD_REVIEW_WITHDRAWN);
	assert_string_equal(pd_review_status_name(PD_REVIEW_EXPIRED),
	                    "expired");
	assert_int_equal(pd_review_status_parse(&st, "Pending"), PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "pending, approved"));
}

/*
 * For tests/store/crash.sh: `test_store --crash-writer DB` records items
 * until killed, printing each id once its transaction has committed;
 * `test_store --crash-verify DB` checks the audit chain (exit 0 intact).
 */
static int crash_writer(const char *path)
{
	pd_store *s = NULL;
	pd_store_opts o = {false, 30, true};
	char text[96];
	pd_instant now = pd_time_now();

	if (pd_store_open(&s, path, &o) != PD_OK) {
		fprintf(stderr, "crash-writer: %s\n", pd_error_message());
		return 1;
	}
	for (unsigned long i = 0;; i++) {
		pd_review_new n;
		int64_t id;
		bool created;

		snprintf(text, sizeof(text), "crash item %ld.%lu",
		         (long)getpid(), i);
		n = sample(text, i % 2 ? "@council" : NULL, 0);
		if (pd_store_record(s, &n, now, 86400, &id, &created) !=
		            PD_OK ||
		    (i % 7 == 3 &&
		     pd_store_decide(s, id, PD_REVIEW_APPROVED, "ann", "cli",
		                     NULL, now) != PD_OK)) {
			fprintf(stderr, "crash-writer: %s\n",
			        pd_error_message());
			pd_store_close(s);
			return 1;
		}
		printf("%lld\n", (long long)id);
		fflush(stdout);
	}
}

static int crash_verify(const char *path)
{
	pd_store *s = NULL;
	pd_store_opts o = {false, 30, false};
	pd_audit_report r;
	int64_t c[5];
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	int rc = 0;

	if (pd_store_open(&s, path, &o) != PD_OK ||
	    pd_store_count(s, &q, c) != PD_OK) {
		fprintf(stderr, "crash-verify: %s\n", pd_error_message());
		pd_store_close(s);
		return 2;
	}
	if (pd_audit_verify(s, &r) != PD_OK) {
		printf("audit chain broken at %lld: %s\n", (long long)r.bad_seq,
		       r.why);
		rc = 1;
	} else {
		/* One record entry per item, one approve per approval. */
		int64_t want = c[0] + 2 * c[1];
		printf("audit chain intact: %lld entries, %lld items\n",
		       (long long)r.entries, (long long)(c[0] + c[1]));
		if (r.entries != want) {
			printf("but %lld entries were expected\n",
			       (long long)want);
			rc = 1;
		}
	}
	pd_store_close(s);
	return rc;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        T(test_store_open_creates_directory_and_schema),
	        T(test_store_reopen_is_idempotent),
	        T(test_store_missing_without_create_is_enoinput),
	        T(test_store_refuses_a_file_that_is_not_a_database),
	        T(test_store_refuses_a_newer_schema),
	        T(test_store_refuses_another_programs_database),
	        T(test_store_record_and_get),
	        T(test_store_expiry_when_published_now),
	        T(test_store_dedupe_same_content_account_time),
	        T(test_store_record_refuses_bad_input),
	        T(test_store_decide_approve_then_twice),
	        T(test_store_reject_needs_a_note),
	        T(test_store_decide_errors),
	        T(test_store_decide_after_expiry_is_refused),
	        T(test_store_expire),
	        T(test_store_get_missing),
	        T(test_store_list_filters),
	        T(test_store_list_keyset_paging),
	        T(test_store_count),
	        T(test_store_sql_metacharacters_verbatim),
	        T(test_store_text_with_nul_bytes),
	        T(test_store_item_json),
	        T(test_store_new_from_verdict),
	        T(test_store_allocation_failures_are_clean),
	        T(test_store_status_and_role_names),
	};
	int rc;

	if (argc == 3 && strcmp(argv[1], "--crash-writer") == 0)
		return crash_writer(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--crash-verify") == 0)
		return crash_verify(argv[2]);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
