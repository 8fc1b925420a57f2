/*
 * The item page of /review (the text with its hits highlighted, reasons,
 * periods, policy hashes, history), approving and rejecting one item or
 * several, and the freeze form of comms leads (written as `purdah freeze`
 * writes it: pd_calfile_add into freeze_file, audited freeze-start and
 * freeze-end, and the world reloaded at once so the gate and the banner
 * see it).
 */
#include <stdio.h>
#include <string.h>

#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/file.h"
#include "purdah/html.h"
#include "server/review_int.h"

#define MAX_BULK         500
#define MAX_REASON_BYTES 500

/* ------------------------------------------------------------------------ */
/* The item page                                                            */

/* "Abbey, Castle" from a JSON array of strings ("whole council" when
 * empty). */
void rv_areas_json(rv *r, const char *json)
{
	pd_json *a = NULL;
	size_t n;

	if (!json || pd_json_parse(&a, "areas", json, strlen(json)) < 0 ||
	    !pd_json_is_array(a)) {
		pd_error_clear();
		rv_esc(r, json ? json : "");
		pd_json_free(a);
		return;
	}
	n = pd_json_array_size(a);
	if (!n)
		rv_out(r, "whole council");
	for (size_t i = 0; i < n; i++) {
		rv_out(r, i ? ", " : "");
		rv_esc(r, pd_json_str(pd_json_array_get(a, i)));
	}
	pd_json_free(a);
}

/* The first reason's code in a JSON array of reasons, into out. */
void rv_first_reason(const char *json, char *out, size_t n)
{
	pd_json *a = NULL;
	const char *code = NULL;

	out[0] = 0;
	if (json && pd_json_parse(&a, "reasons", json, strlen(json)) == PD_OK)
		code = pd_json_str(
		        pd_json_get(pd_json_array_get(a, 0), "code"));
	else
		pd_error_clear();
	snprintf(out, n, "%s", code ? code : "");
	pd_json_free(a);
}

typedef struct {
	rv *r;
	size_t n;
} history_ctx;

/* One row of the item's history: time, actor, action, note. */
static pd_rc history_row(void *ctx, const pd_audit_entry *e)
{
	history_ctx *h = ctx;
	rv *r = h->r;
	pd_json *d = NULL;
	const char *note = NULL;

	if (e->detail &&
	    pd_json_parse(&d, "detail", e->detail, strlen(e->detail)) == PD_OK)
		note = pd_json_str(pd_json_get(d, "note"));
	else
		pd_error_clear();
	rv_outf(r, "<tr><td>%lld</td><td>", (long long)e->seq);
	rv_time(r, e->at);
	rv_out(r, "</td><td>");
	rv_esc(r, e->actor);
	rv_out(r, "</td><td>");
	rv_esc(r, e->action);
	rv_out(r, "</td><td>");
	rv_esc(r, note ? note : "");
	rv_out(r, "</td></tr>\n");
	pd_json_free(d);
	h->n++;
	return r->rc;
}

static void reasons_list(rv *r, const char *json)
{
	pd_json *a = NULL;
	size_t n = 0;

	if (json && pd_json_parse(&a, "reasons", json, strlen(json)) == PD_OK)
		n = pd_json_array_size(a);
	else
		pd_error_clear();
	rv_out(r, "<ul id=\"reasons\">\n");
	for (size_t i = 0; i < n; i++) {
		pd_json *x = pd_json_array_get(a, i);
		const char *msg = pd_json_str(pd_json_get(x, "message"));
		const char *cat = pd_json_str(pd_json_get(x, "category"));
		rv_out(r, "<li><code>");
		rv_esc(r, pd_json_str(pd_json_get(x, "code")));
		rv_out(r, "</code> (");
		rv_esc(r, pd_json_str(pd_json_get(x, "decision")));
		rv_out(r, ")");
		if (cat) {
			rv_out(r, ", category ");
			rv_esc(r, cat);
		}
		if (msg) {
			rv_out(r, ": ");
			rv_esc(r, msg);
		}
		rv_out(r, "</li>\n");
	}
	if (!n)
		rv_out(r, "<li>None recorded.</li>\n");
	rv_out(r, "</ul>\n");
	pd_json_free(a);
}

static void periods_list(rv *r, const char *json)
{
	pd_json *a = NULL;
	size_t n = 0;

	if (json && pd_json_parse(&a, "periods", json, strlen(json)) == PD_OK)
		n = pd_json_array_size(a);
	else
		pd_error_clear();
	rv_out(r, "<ul id=\"periods\">\n");
	for (size_t i = 0; i < n; i++) {
		pd_json *p = pd_json_array_get(a, i);
		rv_out(r, "<li>");
		rv_esc(r, pd_json_str(pd_json_get(p, "name")));
		rv_out(r, " (");
		rv_esc(r, pd_json_str(pd_json_get(p, "kind")));
		rv_out(r, ", ");
		rv_esc(r, pd_json_str(pd_json_get(p, "first_day")));
		rv_out(r, " to ");
		rv_esc(r, pd_json_str(pd_json_get(p, "last_day")));
		rv_out(r, ")</li>\n");
	}
	if (!n)
		rv_out(r, "<li>None.</li>\n");
	rv_out(r, "</ul>\n");
	pd_json_free(a);
}

static void fact(rv *r, const char *name, const char *value)
{
	rv_out(r, "<dt>");
	rv_out(r, name);
	rv_out(r, "</dt><dd>");
	rv_esc(r, value && value[0] ? value : "-");
	rv_out(r, "</dd>\n");
}

static void fact_time(rv *r, const char *name, pd_instant t)
{
	rv_out(r, "<dt>");
	rv_out(r, name);
	rv_out(r, "</dt><dd>");
	rv_time(r, t);
	rv_out(r, "</dd>\n");
}

/* A positive decimal id (no sign, no leading zero), else 0. */
int64_t rv_parse_id(const char *s, size_t len)
{
	int64_t v = 0;

	if (!len || s[0] == '0' || len > 18)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void rv_item(rv *r, int64_t id)
{
	pd_review_item it;
	pd_json *hits = NULL;
	history_ctx h = {r, 0};
	char title[48];
	pd_rc rc;

	memset(&it, 0, sizeof(it));
	if ((rc = pd_store_expire(r->st, r->now, NULL)) < 0 ||
	    (rc = pd_store_get(r->st, id, &it)) < 0) {
		if (rc == PD_ENOTFOUND)
			rv_error(r, 404, "Not found", "There is no such item.");
		else
			rv_store_error(r, rc);
		return;
	}
	snprintf(title, sizeof(title), "Item #%lld", (long long)id);
	rv_page_start(r, title);
	rv_outf(r, "<h1>%s</h1>\n<p id=\"status\" class=\"status-%s\">%s</p>\n",
	        title, pd_review_status_name(it.status),
	        pd_review_status_name(it.status));
	rv_out(r, "<dl class=\"facts\">\n");
	fact(r, "Decision", it.decision);
	fact(r, "Class", it.cls);
	rv_out(r, "<dt>Areas</dt><dd>");
	rv_areas_json(r, it.areas);
	rv_out(r, "</dd>\n");
	fact(r, "Account", it.account);
	fact(r, "Source", it.source);
	fact(r, "Origin", it.origin);
	fact_time(r, "Publication time", it.at);
	fact_time(r, "Created", it.created);
	if (it.status == PD_REVIEW_PENDING)
		fact_time(r, "Expires", it.expires);
	if (it.reviewer) {
		fact(r, "Reviewer", it.reviewer);
		fact(r, "Note", it.note);
		fact_time(r, "Decided", it.decided);
	}
	rv_out(r, "</dl>\n<h2>Text</h2>\n<div id=\"text\">");
	if (it.hits &&
	    pd_json_parse(&hits, "hits", it.hits, strlen(it.hits)) < 0) {
		pd_error_clear();
		hits = NULL;
	}
	if (r->rc == PD_OK)
		r->rc = pd_html_highlight(r->b, it.text ? it.text : "", it.len,
		                          hits);
	rv_out(r, "</div>\n<h2>Reasons</h2>\n");
	reasons_list(r, it.reasons);
	rv_out(r, "<h2>Periods</h2>\n");
	periods_list(r, it.periods);
	rv_out(r, "<h2>Policy</h2>\n<dl class=\"facts\" id=\"policy\">\n");
	fact(r, "Calendars SHA-256", it.calendars_sha256);
	fact(r, "Lexicons SHA-256", it.lexicons_sha256);
	fact(r, "Configuration SHA-256", it.config_sha256);
	fact(r, "Content SHA-256", it.content_sha256);
	rv_out(r, "</dl>\n<h2>History</h2>\n<div class=\"scroll\"><table "
	          "id=\"history\">\n<thead><tr><th scope=\"col\">Entry</th><th "
	          "scope=\"col\">Time</th><th scope=\"col\">Actor</th><th "
	          "scope=\"col\">Action</th><th "
	          "scope=\"col\">Note</th></tr></thead>\n<tbody>\n");
	if (r->rc == PD_OK &&
	    (rc = pd_audit_each(r->st, 0, 0, id, history_row, &h)) < 0 &&
	    r->rc == PD_OK) {
		pd_json_free(hits);
		pd_review_item_dispose(&it);
		rv_store_error(r, rc);
		return;
	}
	rv_out(r, "</tbody></table></div>\n");
	if (r->sess.role == PD_ROLE_MONITORING &&
	    it.status == PD_REVIEW_PENDING) {
		rv_outf(r,
		        "<h2>Decide</h2>\n<form id=\"decide\" "
		        "method=\"post\" action=\"/review/items/%lld/"
		        "decide\">\n",
		        (long long)id);
		rv_csrf(r);
		rv_out(r,
		       "<p><label for=\"note\">Note</label><textarea "
		       "id=\"note\" name=\"note\" rows=\"3\"></textarea></p>\n"
		       "<p>A note is required to reject.</p>\n<p><button "
		       "type=\"submit\" name=\"action\" "
		       "value=\"approve\">Approve</button> <button "
		       "type=\"submit\" name=\"action\" "
		       "value=\"reject\">Reject</button></p>\n</form>\n");
	}
	rv_out(r, "<p><a href=\"/review\">Back to the queue</a></p>\n");
	rv_page_end(r);
	rv_send(r, 200);
	pd_json_free(hits);
	pd_review_item_dispose(&it);
}

/* ------------------------------------------------------------------------ */
/* Decisions                                                                */

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* The action of a decide or bulk form: approve or reject, else false (a
 * 400 page sent). */
static bool read_action(rv *r, pd_review_status *to, const char **note)
{
	const char *a = srv_form_get(&r->form, "action");

	*note = srv_form_get(&r->form, "note");
	if (blank(*note))
		*note = NULL;
	if (a && !strcmp(a, "approve")) {
		*to = PD_REVIEW_APPROVED;
	} else if (a && !strcmp(a, "reject")) {
		*to = PD_REVIEW_REJECTED;
		if (!*note) {
			rv_error(r, 400, "A note is required",
			         "A note is required to reject: say why. "
			         "Nothing was changed.");
			return false;
		}
	} else {
		rv_error(r, 400, "Bad request",
		         "Choose Approve or Reject. Nothing was changed.");
		return false;
	}
	return true;
}

/* Monitoring officers alone approve and reject; a valid csrf first. */
static bool may_decide(rv *r)
{
	if (!rv_csrf_ok(r)) {
		rv_error(r, 403, "Forbidden",
		         "The form has expired or did not come from this "
		         "site. Reload the page and try again. Nothing was "
		         "changed.");
		return false;
	}
	if (r->sess.role != PD_ROLE_MONITORING) {
		rv_error(r, 403, "Forbidden",
		         "Only monitoring officers approve and reject items. "
		         "Nothing was changed.");
		return false;
	}
	return true;
}

void rv_decide(rv *r, int64_t id)
{
	pd_review_status to;
	const char *note;
	char loc[64];
	pd_rc rc;

	if (!may_decide(r) || !read_action(r, &to, &note))
		return;
	rc = pd_store_decide(r->st, id, to, r->sess.user, "web", note, r->now);
	if (rc == PD_ENOTFOUND) {
		rv_error(r, 404, "Not found", "There is no such item.");
	} else if (rc == PD_EINVALID || rc == PD_EUSAGE) {
		rv_error(r, rc == PD_EUSAGE ? 400 : 409, "Not changed",
		         pd_error_message());
	} else if (rc < 0) {
		rv_store_error(r, rc);
	} else {
		srv_log("review: item %lld %s by %s", (long long)id,
		        pd_review_status_name(to), r->sess.user);
		snprintf(loc, sizeof(loc), "/review/items/%lld", (long long)id);
		rv_redirect(r, loc);
	}
}

void rv_bulk(rv *r)
{
	pd_review_status to;
	const char *note;
	int64_t ids[MAX_BULK];
	size_t n = 0, done = 0;

	if (!may_decide(r))
		return;
	for (size_t i = 0; i < r->form.n; i++) {
		const srv_field *f = &r->form.fields[i];
		if (strcmp(f->name, "id"))
			continue;
		if (n == MAX_BULK) {
			rv_error(r, 400, "Too many items",
			         "At most 500 items at once. Nothing was "
			         "changed.");
			return;
		}
		if (!(ids[n++] = rv_parse_id(f->value, f->vlen))) {
			rv_error(r, 400, "Bad request",
			         "An item id is not valid. Nothing was "
			         "changed.");
			return;
		}
	}
	if (!n) {
		rv_error(r, 400, "No items selected",
		         "Select the items to approve or reject. Nothing was "
		         "changed.");
		return;
	}
	if (!read_action(r, &to, &note))
		return;
	rv_page_start(r, to == PD_REVIEW_APPROVED ? "Bulk approve"
	                                          : "Bulk reject");
	rv_outf(r, "<h1>%s</h1>\n<ul id=\"results\">\n",
	        to == PD_REVIEW_APPROVED ? "Bulk approve" : "Bulk reject");
	for (size_t i = 0; i < n; i++) {
		pd_rc rc = pd_store_decide(r->st, ids[i], to, r->sess.user,
		                           "web", note, r->now);
		rv_outf(r,
		        "<li data-id=\"%lld\"><a "
		        "href=\"/review/items/%lld\">#%lld</a>: ",
		        (long long)ids[i], (long long)ids[i],
		        (long long)ids[i]);
		if (rc == PD_OK) {
			done++;
			rv_outf(r, "<span class=\"ok\">%s</span>",
			        pd_review_status_name(to));
		} else {
			rv_out(r, "<span class=\"error\">not changed: ");
			rv_esc(r, rc == PD_ENOTFOUND ? "no such item"
			                             : pd_error_message());
			rv_out(r, "</span>");
			if (rc != PD_ENOTFOUND && rc != PD_EINVALID &&
			    rc != PD_EUSAGE)
				srv_store_failed(r->q->s, "review");
		}
		rv_out(r, "</li>\n");
	}
	srv_log("review: bulk %s of %zu item%s by %s: %zu changed",
	        pd_review_status_name(to), n, n == 1 ? "" : "s", r->sess.user,
	        done);
	rv_outf(r,
	        "</ul>\n<p>%zu of %zu changed.</p>\n<p><a "
	        "href=\"/review\">Back to the queue</a></p>\n",
	        done, n);
	rv_page_end(r);
	rv_send(r, 200);
}

/* ------------------------------------------------------------------------ */
/* Freezes (as `purdah freeze` writes them)                                 */

pd_rc rv_freezes(const rv *r, pd_calendar **cal, const pd_period ***act,
                 size_t *nact)
{
	const char *file = r->w->cfg->freeze_file;
	const pd_period **v = NULL;
	size_t n, k = 0;
	pd_rc rc;

	*cal = NULL;
	*act = NULL;
	*nact = 0;
	if ((rc = pd_calendar_new(cal, r->w->tz)) < 0)
		return rc;
	if (pd_file_exists(file))
		rc = pd_calendar_load_path(*cal, file);
	if (rc == PD_OK)
		rc = pd_calendar_finish(*cal);
	if (rc < 0)
		goto fail;
	n = pd_calendar_active(*cal, r->now, NULL, NULL, 0);
	if (!(v = pd_calloc(n ? n : 1, sizeof(*v)))) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto fail;
	}
	n = pd_calendar_active(*cal, r->now, NULL, v, n);
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen |= !strcmp(v[j]->uid, v[i]->uid);
		if (v[i]->kind == PD_PERIOD_FREEZE && !seen)
			v[k++] = v[i];
	}
	*act = v;
	*nact = k;
	return PD_OK;
fail:
	pd_calendar_free(*cal);
	*cal = NULL;
	return rc;
}

/* An audit entry for a freeze, as `purdah freeze` writes it: detail
 * {"via":"web","uid","reason","until" (RFC 3339, null while open-ended),
 * "by"}. */
static pd_rc audit_freeze(rv *r, const char *action, const char *uid,
                          const char *reason, pd_instant until)
{
	pd_json *d = pd_json_object();
	pd_buf b = PD_BUF_INIT((size_t)1 << 20);
	char t[40];
	bool ok = d != NULL;
	pd_rc rc;

	if (until)
		pd_time_format_rfc3339(t, sizeof(t), until, r->w->tz);
	ok = ok && pd_json_set_str(d, "via", "web") == PD_OK;
	ok = ok && pd_json_set_str(d, "uid", uid) == PD_OK;
	ok = ok && pd_json_set_str(d, "reason", reason ? reason : "") == PD_OK;
	ok = ok &&
	     pd_json_set(d, "until",
	                 until ? pd_json_string(t) : pd_json_null()) == PD_OK;
	ok = ok && pd_json_set_str(d, "by", r->sess.user) == PD_OK;
	if (!ok || pd_json_dump(&b, d, false) < 0)
		rc = pd_error_set(PD_ENOMEM, "out of memory");
	else
		rc = pd_audit_append(r->st, r->now, r->sess.user, action, 0,
		                     b.ptr);
	pd_json_free(d);
	pd_buf_dispose(&b);
	return rc;
}

static void reload_world(rv *r)
{
	pd_server *s = r->q->s;
	pd_server_reload_fn fn;
	void *ctx;

	pthread_mutex_lock(&s->mu);
	fn = s->reload;
	ctx = s->reload_ctx;
	pthread_mutex_unlock(&s->mu);
	if (fn)
		fn(ctx);
}

static void freeze_start(rv *r, size_t nact)
{
	const char *reason = srv_form_get(&r->form, "reason");
	const char *until_s = srv_form_get(&r->form, "until");
	pd_instant until = 0;
	pd_period_spec spec;
	char *uid = NULL;
	pd_rc rc;

	if (!reason || blank(reason) ||
	    pd_calfile_check_text(reason, MAX_REASON_BYTES, "reason") < 0) {
		rv_error(r, 400, "A reason is required",
		         reason && !blank(reason)
		                 ? pd_error_message()
		                 : "Say why output is being held. Nothing "
		                   "was written.");
		return;
	}
	if (until_s && until_s[0] &&
	    (pd_time_parse(&until, until_s, r->w->tz, "until") < 0 ||
	     until <= r->now)) {
		rv_error(r, 400, "Bad end time",
		         until ? "The end of the freeze must be in the future. "
		                 "Nothing was written."
		               : pd_error_message());
		return;
	}
	if (nact) {
		rv_error(r, 409, "A freeze is in force",
		         "A freeze is already in force: end it first. Nothing "
		         "was written.");
		return;
	}
	pd_freeze_spec(&spec, reason, NULL, 0, r->now, until, r->sess.user);
	if ((rc = pd_calfile_add(r->w->cfg->freeze_file, &spec, r->w->tz,
	                         &uid)) < 0) {
		srv_log("review: freeze start by %s: %s", r->sess.user,
		        pd_error_message());
		rv_error(r, 500, "Not written", pd_error_message());
		return;
	}
	srv_log("review: freeze started by %s (%s)", r->sess.user, uid);
	rc = audit_freeze(r, "freeze-start", uid, reason, until);
	pd_free(uid);
	if (rc < 0)
		rv_store_error(r, rc);
	else
		rv_redirect(r, "/review");
	reload_world(r); /* the freeze stands, audited or not */
}

static void freeze_end(rv *r, const pd_period *const *act, size_t nact)
{
	pd_rc rc = PD_OK, arc = PD_OK;
	size_t written = 0;
	char why[512] = "";

	for (size_t i = 0; i < nact && rc == PD_OK; i++) {
		const pd_period *p = act[i];
		pd_period_spec spec;
		pd_period_end_spec(&spec, p, r->now);
		if ((rc = pd_calfile_add(r->w->cfg->freeze_file, &spec,
		                         r->w->tz, NULL)) < 0) {
			snprintf(why, sizeof(why), "%s", pd_error_message());
			srv_log("review: freeze end by %s: %s", r->sess.user,
			        why);
			break;
		}
		written++;
		srv_log("review: freeze ended by %s (%s)", r->sess.user,
		        p->uid);
		if (arc == PD_OK)
			arc = audit_freeze(r, "freeze-end", p->uid,
			                   p->description, spec.end);
	}
	if (rc < 0)
		rv_error(r, 500, "Not written", why);
	else if (arc < 0)
		rv_store_error(r, arc);
	else
		rv_redirect(r, "/review");
	if (written)
		reload_world(r); /* what is written stands, audited or not */
}

void rv_freeze(rv *r)
{
	const char *a = srv_form_get(&r->form, "action");
	pd_calendar *cal = NULL;
	const pd_period **act = NULL;
	size_t nact = 0;

	if (!rv_csrf_ok(r)) {
		rv_error(r, 403, "Forbidden",
		         "The form has expired or did not come from this "
		         "site. Reload the page and try again. Nothing was "
		         "written.");
		return;
	}
	if (r->sess.role != PD_ROLE_COMMS) {
		rv_error(r, 403, "Forbidden",
		         "Only comms leads start and end freezes. Nothing was "
		         "written.");
		return;
	}
	if (!a || (strcmp(a, "start") && strcmp(a, "end"))) {
		rv_error(r, 400, "Bad request",
		         "Choose to start or to end a freeze.");
		return;
	}
	/* Read, decide and write as one step (two comms leads at once). */
	pthread_mutex_lock(&r->q->s->freeze_mu);
	if (rv_freezes(r, &cal, &act, &nact) < 0) {
		srv_log("review: freeze file: %s", pd_error_message());
		rv_error(r, 500, "The freeze file cannot be read",
		         pd_error_message());
	} else if (!strcmp(a, "start")) {
		freeze_start(r, nact);
	} else {
		freeze_end(r, act, nact);
	}
	pthread_mutex_unlock(&r->q->s->freeze_mu);
	pd_free(act);
	pd_calendar_free(cal);
}
