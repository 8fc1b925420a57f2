/*
 * The listing pages of /review: the queue (filters, keyset paging, bulk
 * decisions, the freeze form for comms leads), the audit view (newest
 * first, with the hash chain's state) and the CSV export of the queue's
 * filters. Shared helpers are in review.c (review_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dep/csv.h"
#include "purdah/alloc.h"
#include "purdah/html.h"
#include "server/review_int.h"

#define EXCERPT_BYTES 160
#define EXPORT_MAX    100000 /* rows in one export */
#define EXPORT_PAGE   1000
#define AUDIT_PAGE    100
/* The chain is verified on every plain audit view up to this many entries;
 * beyond, on request ("Verify chain"). */
#define VERIFY_AUTO_MAX 200000
#define MAX_PERIOD_UID  512
#define MAX_SEARCH      500

/* ------------------------------------------------------------------------ */
/* Filters                                                                  */

typedef struct filters {
	pd_review_query q;
	/* The values as sent ("" when absent), for the form and links;
	 * status is "pending" when absent (the default view). */
	const char *status, *cls, *period, *from, *to, *text;
} filters;

static const char *qget(const rv *r, const char *name)
{
	const char *v = srv_form_get(&r->query, name);

	return v ? v : "";
}

/* A date filter: the start of that local day (+ `plus` days). */
static bool date_filter(rv *r, const char *v, const char *what, int plus,
                        pd_instant *out)
{
	pd_date d;

	*out = 0;
	if (!v[0])
		return true;
	if (pd_date_parse(&d, v, what) < 0) {
		rv_error(r, 400, "Bad filter", pd_error_message());
		return false;
	}
	*out = pd_tz_day_start(r->w->tz, pd_date_add_days(d, plus));
	return true;
}

/* The filters of the query string; false when a 400 page was sent. */
static bool read_filters(rv *r, filters *f, size_t limit)
{
	const char *st = srv_form_get(&r->query, "status");
	const char *before = qget(r, "before");
	pd_review_status s;
	pd_class c;

	memset(f, 0, sizeof(*f));
	f->q = (pd_review_query)PD_REVIEW_QUERY_INIT;
	f->status = st ? st : "pending";
	f->cls = qget(r, "class");
	f->period = qget(r, "period");
	f->from = qget(r, "from");
	f->to = qget(r, "to");
	f->text = qget(r, "q");
	if (f->status[0]) {
		if (pd_review_status_parse(&s, f->status) < 0) {
			rv_error(r, 400, "Bad filter", pd_error_message());
			return false;
		}
		f->q.status = (int)s;
	}
	if (f->cls[0]) {
		if (pd_class_parse(&c, f->cls) < 0) {
			rv_error(r, 400, "Bad filter", pd_error_message());
			return false;
		}
		f->q.cls = pd_class_name(c);
	}
	if (strlen(f->period) > MAX_PERIOD_UID ||
	    strlen(f->text) > MAX_SEARCH) {
		rv_error(r, 400, "Bad filter", "A filter value is too long.");
		return false;
	}
	f->q.period = f->period[0] ? f->period : NULL;
	f->q.search = f->text[0] ? f->text : NULL;
	if (!date_filter(r, f->from, "from", 0, &f->q.from) ||
	    !date_filter(r, f->to, "to", 1, &f->q.to))
		return false;
	if (before[0] &&
	    !(f->q.before_id = rv_parse_id(before, strlen(before)))) {
		rv_error(r, 400, "Bad filter", "before: not an item id");
		return false;
	}
	f->q.limit = limit;
	f->q.with_text = true;
	return true;
}

/* "name=value&" percent-encoded into b (nothing for "" unless `always`). */
static void link_param(pd_buf *b, const char *name, const char *v, bool always)
{
	if (!v[0] && !always)
		return;
	pd_buf_printf(b, "%s%s=", b->len > 8 ? "&" : "", name);
	srv_url_encode(b, v);
}

/* The queue's address for `f` with before=`before`, escaped for an
 * attribute. */
static void queue_link(rv *r, const filters *f, int64_t before)
{
	pd_buf b = PD_BUF_INIT(16384);

	pd_buf_puts(&b, "/review?");
	link_param(&b, "status", f->status, true);
	link_param(&b, "class", f->cls, false);
	link_param(&b, "period", f->period, false);
	link_param(&b, "from", f->from, false);
	link_param(&b, "to", f->to, false);
	link_param(&b, "q", f->text, false);
	pd_buf_printf(&b, "&before=%lld", (long long)before);
	rv_esc(r, b.ptr ? b.ptr : "/review");
	pd_buf_dispose(&b);
}

/* ------------------------------------------------------------------------ */
/* The queue                                                                */

static void option(rv *r, const char *value, const char *label,
                   const char *current)
{
	rv_out(r, "<option value=\"");
	rv_esc(r, value);
	rv_outf(r, "\"%s>", strcmp(value, current) ? "" : " selected");
	rv_esc(r, label);
	rv_out(r, "</option>\n");
}

static int period_by_uid(const void *a, const void *b)
{
	const pd_period *x = *(const pd_period *const *)a;
	const pd_period *y = *(const pd_period *const *)b;
	int c = strcmp(x->uid, y->uid);

	return c ? c : (x->start < y->start ? -1 : x->start > y->start);
}

static int period_by_start_desc(const void *a, const void *b)
{
	const pd_period *x = *(const pd_period *const *)a;
	const pd_period *y = *(const pd_period *const *)b;

	return x->start < y->start ? 1 : x->start > y->start ? -1 : 0;
}

/* The period select: every period of the calendar, once per UID, newest
 * first. */
static void period_options(rv *r, const char *current)
{
	const pd_calendar *cal = r->w->cal;
	size_t n = pd_calendar_count(cal), k = 0;
	const pd_period **v = pd_calloc(n ? n : 1, sizeof(*v));
	char day[16];

	if (!v) {
		r->rc = pd_error_set(PD_ENOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = pd_calendar_get(cal, i);
	qsort(v, n, sizeof(*v), period_by_uid);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1]->uid, v[i]->uid))
			v[k++] = v[i];
	qsort(v, k, sizeof(*v), period_by_start_desc);
	option(r, "", "Any", current);
	for (size_t i = 0; i < k; i++) {
		pd_buf label = PD_BUF_INIT(4096);
		pd_date_format(day, sizeof(day), v[i]->first_day);
		if (pd_buf_printf(&label, "%s (from %s)", v[i]->name, day) < 0)
			r->rc = pd_error_code();
		else
			option(r, v[i]->uid, label.ptr, current);
		pd_buf_dispose(&label);
	}
	pd_free(v);
}

static void filter_form(rv *r, const filters *f)
{
	static const char *const statuses[] = {
	        "pending", "approved", "rejected", "expired", "withdrawn"};

	rv_out(r, "<form id=\"filters\" method=\"get\" action=\"/review\">\n"
	          "<div class=\"fields\">\n<p><label "
	          "for=\"status\">Status</label><select id=\"status\" "
	          "name=\"status\">\n");
	option(r, "", "Any", f->status);
	for (size_t i = 0; i < 5; i++)
		option(r, statuses[i], statuses[i], f->status);
	rv_out(r, "</select></p>\n<p><label for=\"class\">Class</label><select "
	          "id=\"class\" name=\"class\">\n");
	option(r, "", "Any", f->cls);
	for (int c = PD_CLASS_COUNCIL_POST; c <= PD_CLASS_EMERGENCY; c++)
		option(r, pd_class_name((pd_class)c),
		       pd_class_name((pd_class)c), f->cls);
	rv_out(r, "</select></p>\n<p><label "
	          "for=\"period\">Period</label><select id=\"period\" "
	          "name=\"period\">\n");
	period_options(r, f->period);
	rv_out(r, "</select></p>\n<p><label for=\"from\">Created from</label>"
	          "<input id=\"from\" name=\"from\" type=\"date\" value=\"");
	rv_esc(r, f->from);
	rv_out(r, "\"></p>\n<p><label for=\"to\">Created to</label><input "
	          "id=\"to\" name=\"to\" type=\"date\" value=\"");
	rv_esc(r, f->to);
	rv_out(r, "\"></p>\n<p><label for=\"q\">Text contains</label><input "
	          "id=\"q\" name=\"q\" type=\"search\" value=\"");
	rv_esc(r, f->text);
	rv_out(r, "\"></p>\n</div>\n<p><button "
	          "type=\"submit\">Filter</button></p>\n</form>\n");
}

/* At most EXCERPT_BYTES of the text, cut at a character boundary. */
static void excerpt(rv *r, const char *text, size_t len)
{
	size_t k = len;

	if (!text)
		return;
	if (k > EXCERPT_BYTES) {
		k = EXCERPT_BYTES;
		while (k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80)
			k--;
	}
	rv_esc_n(r, text, k);
	if (k < len)
		rv_out(r, "\xE2\x80\xA6"); /* ... */
}

static void queue_row(rv *r, const pd_review_item *it, bool select)
{
	long long id = (long long)it->id;
	char reason[128];

	rv_outf(r, "<tr data-id=\"%lld\">", id);
	if (select)
		rv_outf(r,
		        "<td><input type=\"checkbox\" name=\"id\" "
		        "value=\"%lld\" form=\"bulk\" aria-label=\"Select "
		        "item %lld\"></td>",
		        id, id);
	rv_outf(r, "<td><a href=\"/review/items/%lld\">#%lld</a></td><td>", id,
	        id);
	rv_time(r, it->created);
	rv_out(r, "</td><td>");
	rv_esc(r, it->cls);
	rv_out(r, "</td><td>");
	rv_esc(r, it->decision);
	rv_out(r, "</td><td>");
	rv_first_reason(it->reasons, reason, sizeof(reason));
	rv_esc(r, reason);
	rv_out(r, "</td><td>");
	rv_esc(r, it->account ? it->account : "");
	rv_outf(r, "</td><td>%s</td><td class=\"text\">",
	        pd_review_status_name(it->status));
	excerpt(r, it->text, it->len);
	rv_out(r, "</td></tr>\n");
}

/* The freeze form of comms leads. */
static void freeze_section(rv *r)
{
	pd_calendar *cal = NULL;
	const pd_period **act = NULL;
	size_t nact = 0;

	rv_out(r, "<section id=\"freeze\" aria-labelledby=\"freeze-h\">\n<h2 "
	          "id=\"freeze-h\">Emergency freeze</h2>\n");
	if (rv_freezes(r, &cal, &act, &nact) < 0) {
		rv_out(r,
		       "<p class=\"error\">The freeze file cannot be read: ");
		rv_esc(r, pd_error_message());
		rv_out(r, "</p>\n</section>\n");
		return;
	}
	if (nact) {
		rv_out(r, "<p>A freeze is in force since ");
		rv_time(r, act[0]->start);
		if (act[0]->description) {
			rv_out(r, " (reason: ");
			rv_esc(r, act[0]->description);
			rv_out(r, ")");
		}
		rv_out(r, ".</p>\n<form id=\"freeze-end\" method=\"post\" "
		          "action=\"/review/freeze\">\n");
		rv_csrf(r);
		rv_out(r,
		       "<p><button type=\"submit\" name=\"action\" "
		       "value=\"end\">End the freeze</button></p>\n</form>\n");
	} else {
		rv_out(r, "<p>A freeze holds all scheduled output except "
		          "emergency messages, for the whole council, until it "
		          "is ended (or until the time given).</p>\n<form "
		          "id=\"freeze-start\" method=\"post\" "
		          "action=\"/review/freeze\">\n");
		rv_csrf(r);
		rv_out(r,
		       "<p><label for=\"freeze-reason\">Reason</label><input "
		       "id=\"freeze-reason\" name=\"reason\" "
		       "maxlength=\"500\" size=\"40\"></p>\n<p><label "
		       "for=\"freeze-until\">Until (optional)</label><input "
		       "id=\"freeze-until\" name=\"until\" "
		       "type=\"datetime-local\"></p>\n<p><button "
		       "type=\"submit\" name=\"action\" value=\"start\">Start "
		       "a freeze</button></p>\n</form>\n");
	}
	rv_out(r, "</section>\n");
	pd_free(act);
	pd_calendar_free(cal);
}

void rv_queue(rv *r)
{
	bool select = r->sess.role == PD_ROLE_MONITORING;
	pd_review_item *items = NULL;
	size_t n = 0;
	bool more = false;
	filters f;
	pd_rc rc;

	if (!read_filters(r, &f, r->w->cfg->review.page_size))
		return;
	if ((rc = pd_store_expire(r->st, r->now, NULL)) < 0 ||
	    (rc = pd_store_list(r->st, &f.q, &items, &n, &more)) < 0) {
		rv_store_error(r, rc);
		return;
	}
	rv_page_start(r, "Review queue");
	rv_out(r, "<h1>Review queue</h1>\n");
	filter_form(r, &f);
	if (!n) {
		rv_out(r, "<p id=\"empty\">No items match.</p>\n");
	} else {
		rv_outf(r,
		        "<div class=\"scroll\"><table id=\"queue\">\n"
		        "<caption class=\"visually-hidden\">Items, newest "
		        "first</caption>\n<thead><tr>%s<th "
		        "scope=\"col\">Item</th><th scope=\"col\">Created</th>"
		        "<th scope=\"col\">Class</th><th "
		        "scope=\"col\">Decision</th><th "
		        "scope=\"col\">Reason</th><th "
		        "scope=\"col\">Account</th><th "
		        "scope=\"col\">Status</th><th "
		        "scope=\"col\">Text</th></tr></thead>\n<tbody>\n",
		        select ? "<th scope=\"col\"><span "
		                 "class=\"visually-hidden\">Select</span></th>"
		               : "");
		for (size_t i = 0; i < n; i++)
			queue_row(r, &items[i], select);
		rv_out(r, "</tbody></table></div>\n");
	}
	if (more) {
		rv_out(r, "<p><a rel=\"next\" href=\"");
		queue_link(r, &f, items[n - 1].id);
		rv_out(r, "\">Older items</a></p>\n");
	}
	if (select && n) {
		rv_out(r, "<form id=\"bulk\" method=\"post\" "
		          "action=\"/review/bulk\">\n<h2>Decide the selected "
		          "items</h2>\n");
		rv_csrf(r);
		rv_out(r,
		       "<p><label for=\"bulk-note\">Note</label><textarea "
		       "id=\"bulk-note\" name=\"note\" rows=\"2\"></textarea>"
		       "</p>\n<p>A note is required to reject.</p>\n<p><button "
		       "type=\"submit\" name=\"action\" value=\"approve\">"
		       "Approve selected</button> <button type=\"submit\" "
		       "name=\"action\" value=\"reject\">Reject "
		       "selected</button></p>\n</form>\n");
	}
	if (r->sess.role == PD_ROLE_COMMS)
		freeze_section(r);
	rv_page_end(r);
	rv_send(r, 200);
	pd_review_items_free(items, n);
}

/* ------------------------------------------------------------------------ */
/* The audit view                                                           */

/* The newest `cap` entries seen (with seq < before when before > 0). */
/* A page of audit entries, newest first (one more than shown: is there
 * an older page?). */
typedef struct ring {
	pd_audit_entry *e;
	size_t cap, n;
} ring;

static void entry_free(pd_audit_entry *e)
{
	pd_free(e->actor);
	pd_free(e->action);
	pd_free(e->detail);
	memset(e, 0, sizeof(*e));
}

static pd_rc ring_add(void *ctx, const pd_audit_entry *e)
{
	ring *g = ctx;
	pd_audit_entry *slot;

	if (g->n == g->cap)
		return PD_OK;
	slot = &g->e[g->n++];
	*slot = *e;
	slot->actor = pd_strdup(e->actor ? e->actor : "");
	slot->action = pd_strdup(e->action ? e->action : "");
	slot->detail = e->detail ? pd_strdup(e->detail) : NULL;
	if (!slot->actor || !slot->action || (e->detail && !slot->detail))
		return pd_error_set(PD_ENOMEM, "out of memory");
	return PD_OK;
}

static void chain_status(rv *r, bool bounded, const ring *g)
{
	bool want = !strcmp(qget(r, "verify"), "1");
	pd_audit_report rep;
	pd_rc rc;

	/* Unbounded, the first entry shown is the newest: its number is
	 * the chain's length. */
	if (!want && (bounded || (g->n && g->e[0].seq > VERIFY_AUTO_MAX))) {
		rv_out(r, "<p id=\"chain\">Audit chain not checked on this "
		          "view. <a href=\"/review/audit?verify=1\">Verify "
		          "chain</a></p>\n");
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rc = pd_audit_verify(r->st, &rep);
	if (rc == PD_OK) {
		rv_outf(r,
		        "<p id=\"chain\" class=\"ok\">Audit chain intact: "
		        "%lld entries, head <code>",
		        (long long)rep.entries);
		rv_esc(r, rep.head);
		rv_out(r, "</code></p>\n");
	} else if (rc == PD_EINVALID && rep.bad_seq) {
		rv_outf(r,
		        "<p id=\"chain\" class=\"error\" role=\"alert\">Audit "
		        "chain BROKEN at entry %lld: ",
		        (long long)rep.bad_seq);
		rv_esc(r, rep.why);
		rv_out(r, "</p>\n");
		srv_log("review: audit chain broken at entry %lld: %s",
		        (long long)rep.bad_seq, rep.why);
	} else {
		rv_out(r, "<p id=\"chain\" class=\"error\" role=\"alert\">The "
		          "audit chain could not be checked: ");
		rv_esc(r, pd_error_message());
		rv_out(r, "</p>\n");
		srv_store_failed(r->q->s, "review");
	}
}

static void audit_row(rv *r, const pd_audit_entry *e)
{
	rv_outf(r, "<tr><td>%lld</td><td>", (long long)e->seq);
	rv_time(r, e->at);
	rv_out(r, "</td><td>");
	rv_esc(r, e->actor);
	rv_out(r, "</td><td>");
	rv_esc(r, e->action);
	rv_out(r, "</td><td>");
	if (e->item > 0)
		rv_outf(r, "<a href=\"/review/items/%lld\">#%lld</a>",
		        (long long)e->item, (long long)e->item);
	rv_out(r, "</td><td><code>");
	rv_esc(r, e->detail ? e->detail : "");
	rv_out(r, "</code></td></tr>\n");
}

void rv_audit(rv *r)
{
	const char *from_s = qget(r, "from"), *to_s = qget(r, "to");
	const char *before_s = qget(r, "before");
	pd_instant from, to;
	int64_t before = 0;
	ring g;
	pd_rc rc;

	memset(&g, 0, sizeof(g));
	if (!date_filter(r, from_s, "from", 0, &from) ||
	    !date_filter(r, to_s, "to", 1, &to))
		return;
	if (before_s[0] &&
	    !(before = rv_parse_id(before_s, strlen(before_s)))) {
		rv_error(r, 400, "Bad filter", "before: not an entry number");
		return;
	}
	g.cap = AUDIT_PAGE + 1;
	if (!(g.e = pd_calloc(g.cap, sizeof(*g.e)))) {
		rv_error(r, 500, "Internal error", "Out of memory.");
		return;
	}
	rc = pd_audit_recent(r->st, from, to, before, g.cap, ring_add, &g);
	if (rc < 0) {
		rv_store_error(r, rc);
		goto done;
	}
	rv_page_start(r, "Audit trail");
	rv_out(r, "<h1>Audit trail</h1>\n");
	chain_status(r, from || to || before, &g);
	rv_out(r,
	       "<form id=\"audit-filters\" method=\"get\" "
	       "action=\"/review/audit\">\n<div class=\"fields\">\n<p><label "
	       "for=\"from\">From</label><input id=\"from\" name=\"from\" "
	       "type=\"date\" value=\"");
	rv_esc(r, from_s);
	rv_out(r, "\"></p>\n<p><label for=\"to\">To</label><input id=\"to\" "
	          "name=\"to\" type=\"date\" value=\"");
	rv_esc(r, to_s);
	rv_out(r, "\"></p>\n</div>\n<p><button "
	          "type=\"submit\">Filter</button></p>\n</form>\n");
	rv_out(r, "<div class=\"scroll\"><table id=\"audit\">\n<caption "
	          "class=\"visually-hidden\">Audit entries, newest "
	          "first</caption>\n<thead><tr><th scope=\"col\">Entry</th><th "
	          "scope=\"col\">Time</th><th scope=\"col\">Actor</th><th "
	          "scope=\"col\">Action</th><th scope=\"col\">Item</th><th "
	          "scope=\"col\">Detail</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < g.n && i < AUDIT_PAGE; i++)
		audit_row(r, &g.e[i]);
	rv_out(r, "</tbody></table></div>\n");
	if (!g.n)
		rv_out(r, "<p id=\"empty\">No entries match.</p>\n");
	if (g.n > AUDIT_PAGE) {
		pd_buf b = PD_BUF_INIT(4096);
		const pd_audit_entry *oldest = &g.e[AUDIT_PAGE - 1];
		pd_buf_puts(&b, "/review/audit?from=");
		srv_url_encode(&b, from_s);
		pd_buf_puts(&b, "&to=");
		srv_url_encode(&b, to_s);
		pd_buf_printf(&b, "&before=%lld", (long long)oldest->seq);
		rv_out(r, "<p><a rel=\"next\" href=\"");
		rv_esc(r, b.ptr ? b.ptr : "/review/audit");
		rv_out(r, "\">Older entries</a></p>\n");
		pd_buf_dispose(&b);
	}
	rv_page_end(r);
	rv_send(r, 200);
done:
	for (size_t i = 0; i < g.cap; i++)
		entry_free(&g.e[i]);
	pd_free(g.e);
}

/* ------------------------------------------------------------------------ */
/* CSV export                                                               */

/* One CSV field of `len` bytes (RFC 4180: always quoted, quotes doubled).
 * Free text that a spreadsheet would take for a formula (= + - @ tab CR
 * first) gets a leading apostrophe (OWASP "CSV injection"). */
static void csv_field_n(rv *r, const char *s, size_t len, bool text, bool last)
{
	if (r->rc == PD_OK)
		r->rc = pd_csv_field(r->b, s, len,
		                     PD_CSV_QUOTE | (text ? PD_CSV_GUARD : 0) |
		                             (last ? PD_CSV_LAST : 0));
}

static void csv_field(rv *r, const char *s, bool text, bool last)
{
	csv_field_n(r, s ? s : "", s ? strlen(s) : 0, text, last);
}

static void csv_time(rv *r, pd_instant t)
{
	char buf[40] = "";

	if (t)
		pd_time_format_rfc3339(buf, sizeof(buf), t, r->w->tz);
	csv_field(r, buf, false, false);
}

static void csv_row(rv *r, const pd_review_item *it)
{
	char num[24], reason[128];

	snprintf(num, sizeof(num), "%lld", (long long)it->id);
	csv_field(r, num, false, false);
	csv_time(r, it->created);
	csv_field(r, it->source, true, false);
	csv_field(r, it->origin, true, false);
	csv_field(r, it->cls, false, false);
	csv_field(r, it->areas, true, false);
	csv_field(r, it->account, true, false);
	csv_time(r, it->at);
	csv_field(r, it->decision, false, false);
	rv_first_reason(it->reasons, reason, sizeof(reason));
	csv_field(r, reason, true, false);
	csv_field(r, pd_review_status_name(it->status), false, false);
	csv_field(r, it->reviewer, true, false);
	csv_field(r, it->note, true, false);
	csv_time(r, it->decided);
	csv_field(r, it->content_sha256, false, false);
	csv_field_n(r, it->text ? it->text : "", it->text ? it->len : 0, true,
	            true);
}

void rv_export(rv *r)
{
	pd_review_item *items = NULL;
	size_t n = 0, rows = 0;
	bool more = true, cut = false;
	filters f;
	pd_rc rc;

	if (!read_filters(r, &f, EXPORT_PAGE))
		return;
	if ((rc = pd_store_expire(r->st, r->now, NULL)) < 0) {
		rv_store_error(r, rc);
		return;
	}
	pd_buf_clear(r->b);
	rv_out(r, "id,created,source,origin,class,areas,account,published,"
	          "decision,reason,status,reviewer,note,decided,content_sha256,"
	          "text\r\n");
	while (more && rows < EXPORT_MAX && r->rc == PD_OK) {
		if ((rc = pd_store_list(r->st, &f.q, &items, &n, &more)) < 0) {
			rv_store_error(r, rc);
			return;
		}
		for (size_t i = 0; i < n; i++, rows++) {
			if (rows == EXPORT_MAX) {
				cut = true;
				break;
			}
			csv_row(r, &items[i]);
		}
		if (n)
			f.q.before_id = items[n - 1].id;
		pd_review_items_free(items, n);
		items = NULL;
		more = more && n;
	}
	if (r->rc < 0) {
		rv_send(r, 500);
		return;
	}
	r->rs->status = 200;
	pd_http_add_header(r->rs, "Content-Type", "text/csv; charset=utf-8");
	pd_http_add_header(r->rs, "Content-Disposition",
	                   "attachment; filename=\"purdah-review.csv\"");
	pd_http_add_header(r->rs, "Content-Security-Policy",
	                   "default-src 'none'; frame-ancestors 'none'");
	pd_http_add_header(r->rs, "X-Content-Type-Options", "nosniff");
	pd_http_add_header(r->rs, "Referrer-Policy", "no-referrer");
	pd_http_add_header(r->rs, "Cache-Control", "no-store");
	pd_http_add_header(r->rs, "X-Frame-Options", "DENY");
	if (cut || (more && rows == EXPORT_MAX))
		pd_http_add_header(r->rs, "X-Purdah-Export", "truncated");
}
