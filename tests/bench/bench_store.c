/*
 * Store benchmark (make bench): build a 1,000,000-item review store with
 * the real pd_store_record (one transaction per item: dedupe lookup, the
 * item, its periods, its audit entry and the chain head), expiring as a
 * running server would every 10,000 items, and time the queue's first
 * page under the review page's filters.
 *
 * Baselines, in the same process on the same rows:
 *  - inserts: plain INSERTs of the same rows into a bare table (no index,
 *    no dedupe, no audit), one transaction each, same pragmas;
 *  - queue page: the unfiltered first page (the primary key alone).
 * Targets (issue #6): >= 5,000 inserts/s with the audit chain; the
 * filtered first page in <= 100 ms.
 *
 *   bench_store [DB [ITEMS]]   (default /tmp/purdah-bench-store.db and
 *                               1,000,000; the file is rebuilt and kept
 *                               for later benchmarks)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchutil.h"
#include "dep/sqlite.h"
#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/store.h"

#define BASELINE 200000
#define RUNS     21
#define T0       ((pd_instant)1800000000)
#define HOLD_FOR 86400.0

static const char *const CLASSES[] = {
        "council-post",    "council-post", "council-post", "third-party",
        "councillor-feed", "forum",        "council-post", "forum",
        "third-party",     "emergency"};

static const char *const WORDS[] = {
        "council", "vote",    "election", "candidate", "ward",   "bins",
        "library", "meeting", "cabinet",  "planning",  "budget", "park",
        "school",  "road",    "party",    "leaflet",   "poll",   "notice"};

#define ELECTION                                                               \
	"{\"uid\":\"bench-election-2027\",\"name\":\"Local elections "         \
	"2027\",\"kind\":\"election\",\"areas\":[],\"start\":\"2027-03-"       \
	"22T00:00:00+00:00\",\"end\":\"2027-05-07T00:00:00+01:00\"}"
#define BYELECTION                                                             \
	"{\"uid\":\"bench-by-abbey\",\"name\":\"Abbey by-election\","          \
	"\"kind\":\"by-election\",\"areas\":[\"Abbey\"],\"start\":\"2027-"     \
	"01-10T00:00:00+00:00\",\"end\":\"2027-02-12T00:00:00+00:00\"}"

/* Row i of the data set, its text in `text`. */
static pd_review_new row(size_t i, pd_buf *text)
{
	pd_review_new n;
	unsigned r = bench_rand();
	size_t words = 20 + r % 40;

	memset(&n, 0, sizeof(n));
	pd_buf_clear(text);
	pd_buf_printf(text, "Item %zu: ", i);
	for (size_t w = 0; w < words; w++)
		pd_buf_printf(text, "%s ",
		              WORDS[bench_rand() %
		                    (sizeof(WORDS) / sizeof(WORDS[0]))]);
	n.source = r % 3 ? "check" : "proxy";
	n.origin = r % 3 ? NULL : "/feeds/news.rss";
	n.cls = CLASSES[(r >> 4) % 10];
	n.areas = (r >> 8) % 4 ? "[]" : "[\"Abbey\"]";
	n.account = (r >> 10) % 2 ? "@council" : "/feeds/news.rss";
	/* Mostly published now; 3% scheduled weeks ahead (pending long). */
	n.at = (r >> 12) % 100 < 3 ? T0 + (pd_instant)i + 30 * 86400 : 0;
	n.text = text->ptr;
	n.len = text->len;
	n.decision = (r >> 16) % 5 ? "hold" : "block";
	n.reasons = "[{\"code\":\"purdah-sensitive\",\"decision\":\"hold\","
	            "\"message\":\"Names a candidate during the election "
	            "period\",\"period\":\"bench-election-2027\","
	            "\"category\":\"candidate\",\"score\":6,\"threshold\":5,"
	            "\"hits\":[0]}]";
	n.hits = "[{\"entry\":\"cand-1\",\"lexicon\":\"candidates\","
	         "\"category\":\"candidate\",\"weight\":6,\"start\":5,"
	         "\"end\":14,\"text\":\"candidate\"}]";
	switch ((r >> 20) % 10) {
	case 0:
	case 1:
	case 2:
	case 3: n.periods = "[" ELECTION "]"; break;
	case 4: n.periods = "[" ELECTION "," BYELECTION "]"; break;
	case 5: n.periods = "[" BYELECTION "]"; break;
	default: n.periods = "[]"; break;
	}
	n.calendars_sha256 = "3b6a4c2f0e4b7c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
	                     "3c2d1e0f9a8b7c6d";
	n.lexicons_sha256 = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928"
	                    "1706f5e4d3c2b1a0";
	n.config_sha256 = NULL;
	return n;
}

static int die(const char *what)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, pd_error_message());
	return 1;
}

static void remove_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* Plain INSERTs of `count` rows into a bare table, one transaction each:
 * rows per second. */
static double baseline_inserts(const char *path, size_t count)
{
	pd_db *db = NULL;
	pd_db_opts o = {true, false, 0};
	pd_buf text = PD_BUF_INIT(1 << 20);
	pd_stmt *st;
	double t0, spent = 0;

	remove_db(path);
	if (pd_db_open(&db, path, &o) < 0 ||
	    pd_db_exec(db, "CREATE TABLE bare (created, source, origin, cls, "
	                   "areas, account, at, expires, text, decision, "
	                   "reasons, hits, periods, calendars_sha256, "
	                   "lexicons_sha256)") < 0)
		goto fail;
	for (size_t i = 0; i < count; i++) {
		pd_review_new n = row(i, &text);
		t0 = bench_now_ms();
		if (pd_db_stmt(
		            db, &st,
		            "INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		            "?, ?, ?, ?, ?, ?, ?)") < 0)
			goto fail;
		pd_stmt_bind_int64(st, 1, T0 + (pd_instant)i);
		pd_stmt_bind_str(st, 2, n.source);
		pd_stmt_bind_str(st, 3, n.origin);
		pd_stmt_bind_str(st, 4, n.cls);
		pd_stmt_bind_str(st, 5, n.areas);
		pd_stmt_bind_str(st, 6, n.account);
		pd_stmt_bind_int64(st, 7, n.at);
		pd_stmt_bind_int64(st, 8, T0 + (pd_instant)i + 86400);
		pd_stmt_bind_text(st, 9, n.text, n.len);
		pd_stmt_bind_str(st, 10, n.decision);
		pd_stmt_bind_str(st, 11, n.reasons);
		pd_stmt_bind_str(st, 12, n.hits);
		pd_stmt_bind_str(st, 13, n.periods);
		pd_stmt_bind_str(st, 14, n.calendars_sha256);
		pd_stmt_bind_str(st, 15, n.lexicons_sha256);
		if (pd_stmt_run(st) < 0) {
			pd_stmt_release(st);
			goto fail;
		}
		pd_stmt_release(st);
		spent += bench_now_ms() - t0;
	}
	pd_db_close(db);
	pd_buf_dispose(&text);
	remove_db(path);
	return count / (spent / 1000);
fail:
	fprintf(stderr, "bench_store: baseline: %s\n", pd_error_message());
	pd_db_close(db);
	pd_buf_dispose(&text);
	return 0;
}

typedef struct timing {
	double median, max;
	size_t n;
} timing;

static int time_list(pd_store *s, const pd_review_query *q, timing *t)
{
	double ms[RUNS];

	for (int r = 0; r < RUNS; r++) {
		pd_review_item *items;
		size_t n;
		bool more;
		double t0 = bench_now_ms();
		if (pd_store_list(s, q, &items, &n, &more) < 0)
			return -1;
		ms[r] = bench_now_ms() - t0;
		pd_review_items_free(items, n);
		t->n = n;
	}
	qsort(ms, RUNS, sizeof(ms[0]), bench_cmp_double);
	t->median = ms[RUNS / 2];
	t->max = ms[RUNS - 1];
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/tmp/purdah-bench-store.db";
	size_t ITEMS = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	char base_path[4200];
	pd_store *s = NULL;
	pd_store_opts o = {false, 0, true};
	pd_buf text = PD_BUF_INIT(1 << 20);
	double t0, spent = 0, expire_ms = 0, start, rate, base_rate;
	size_t expired = 0;
	int64_t counts[5];
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_audit_report rep;
	timing page, page_period, page_rare, page_deep, page_base, page_text;
	bool ok;

	snprintf(base_path, sizeof(base_path), "%s.baseline", path);
	remove_db(path);
	if (pd_store_open(&s, path, &o) < 0)
		return die(path);
	start = bench_now_ms();
	for (size_t i = 0; i < ITEMS; i++) {
		pd_review_new n = row(i, &text);
		pd_instant now = T0 + (pd_instant)i; /* one item a second */
		int64_t id;
		bool created;
		t0 = bench_now_ms();
		if (pd_store_record(s, &n, now, HOLD_FOR, &id, &created) < 0)
			return die("record");
		spent += bench_now_ms() - t0;
		if (!created)
			return die("unexpected duplicate");
		if (i % 10000 == 9999) {
			size_t k;
			t0 = bench_now_ms();
			if (pd_store_expire(s, now, &k) < 0)
				return die("expire");
			expire_ms += bench_now_ms() - t0;
			expired += k;
		}
	}
	rate = ITEMS / (spent / 1000);
	base_rate = baseline_inserts(base_path, BASELINE);
	if (pd_store_count(s, &q, counts) < 0)
		return die("count");
	printf("store: %zu items recorded one transaction each (audit chain, "
	       "dedupe, periods), in %.0f s all told\n",
	       ITEMS, (bench_now_ms() - start) / 1000);
	printf("  %zu expired on the way (%.1f s), %lld pending\n", expired,
	       expire_ms / 1000, (long long)counts[PD_REVIEW_PENDING]);
	printf("  pd_store_record          %8.0f inserts/s   target >= 5000   "
	       "%s\n",
	       rate, rate >= 5000 ? "PASS" : "FAIL");
	printf("  baseline: bare INSERT    %8.0f inserts/s   (%d rows; the "
	       "store is %.2fx its rate)\n",
	       base_rate, BASELINE, base_rate > 0 ? rate / base_rate : 0);

	q.status = PD_REVIEW_PENDING;
	q.cls = "council-post";
	q.with_text = true;
	if (time_list(s, &q, &page) < 0)
		return die("list");
	q.period = "bench-election-2027";
	if (time_list(s, &q, &page_period) < 0)
		return die("list");
	q.cls = "forum";
	q.period = "bench-by-abbey";
	if (time_list(s, &q, &page_rare) < 0)
		return die("list");
	q.before_id = (int64_t)ITEMS / 2; /* a page deep in the queue */
	if (time_list(s, &q, &page_deep) < 0)
		return die("list");
	q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	q.with_text = true;
	if (time_list(s, &q, &page_base) < 0)
		return die("list");
	q.search = "budget park school";
	q.status = PD_REVIEW_PENDING;
	if (time_list(s, &q, &page_text) < 0)
		return die("list");
	ok = page.max <= 100 && page_period.max <= 100 &&
	     page_rare.max <= 100 && page_deep.max <= 100;
	printf("queue first page (50 items with text), median / max of %d "
	       "runs:\n",
	       RUNS);
	printf("  pending council-post            %6.2f / %6.2f ms  (%zu)\n",
	       page.median, page.max, page.n);
	printf("  + period election               %6.2f / %6.2f ms  (%zu)\n",
	       page_period.median, page_period.max, page_period.n);
	printf("  pending forum, by-election      %6.2f / %6.2f ms  (%zu)\n",
	       page_rare.median, page_rare.max, page_rare.n);
	{
		char label[64];
		snprintf(label, sizeof(label), "the same, ids below %zu",
		         ITEMS / 2);
		printf("  %-31s %6.2f / %6.2f ms  (%zu)\n", label,
		       page_deep.median, page_deep.max, page_deep.n);
	}
	printf("  filtered pages: target <= 100 ms                    %s\n",
	       ok ? "PASS" : "FAIL");
	printf("  baseline: unfiltered            %6.2f / %6.2f ms  (%zu)\n",
	       page_base.median, page_base.max, page_base.n);
	printf("  (text search, pending: %.1f / %.1f ms, %zu found)\n",
	       page_text.median, page_text.max, page_text.n);
	q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	q.cls = "council-post";
	t0 = bench_now_ms();
	if (pd_store_count(s, &q, counts) < 0)
		return die("count");
	printf("  (counts by status, council-post: %.1f ms)\n",
	       bench_now_ms() - t0);
	t0 = bench_now_ms();
	if (pd_audit_verify(s, &rep) < 0)
		return die("audit verify");
	printf("  audit verify: %lld entries intact in %.1f s\n",
	       (long long)rep.entries, (bench_now_ms() - t0) / 1000);
	printf("  database kept for later benchmarks: %s\n", path);
	pd_store_close(s);
	pd_buf_dispose(&text);
	return rate >= 5000 && ok ? 0 : 1;
}
