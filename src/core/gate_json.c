/*
 * The gate's answer as JSON: what a pipeline reads, and what an auditor
 * needs to replay a decision (the policy hashes).
 */
#include <stdio.h>
#include <string.h>

#include "purdah/buf.h"
#include "purdah/gate.h"

static pd_json *date_json(pd_date d)
{
	char buf[16];
	pd_date_format(buf, sizeof(buf), d);
	return pd_json_string(buf);
}

static pd_json *time_json(pd_instant t, const pd_tz *tz)
{
	char buf[64];
	pd_time_format_rfc3339(buf, sizeof(buf), t, tz);
	return pd_json_string(buf);
}

pd_json *pd_period_json(const pd_period *p, const pd_tz *tz)
{
	pd_json *o = pd_json_object(), *areas = pd_json_array();
	pd_buf src = PD_BUF_INIT(8192);
	bool ok = o && areas;

	for (size_t i = 0; ok && i < p->nareas; i++)
		ok = pd_json_append(areas, pd_json_string(p->areas[i])) ==
		     PD_OK;
	ok = ok && pd_json_set_str(o, "uid", p->uid) == PD_OK;
	ok = ok && pd_json_set_str(o, "name", p->name) == PD_OK;
	ok = ok &&
	     pd_json_set_str(o, "kind", pd_period_kind_name(p->kind)) == PD_OK;
	ok = ok && pd_json_set(o, "areas", areas) == PD_OK;
	areas = NULL;
	ok = ok && pd_json_set(o, "start", time_json(p->start, tz)) == PD_OK;
	ok = ok && pd_json_set(o, "end", time_json(p->end, tz)) == PD_OK;
	ok = ok && pd_json_set_bool(o, "all_day", p->all_day) == PD_OK;
	ok = ok && pd_json_set_bool(o, "open_ended", p->open_ended) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "first_day", date_json(p->first_day)) == PD_OK;
	ok = ok && pd_json_set(o, "last_day", date_json(p->last_day)) == PD_OK;
	ok = ok && pd_json_set(o, "poll",
	                       p->has_poll ? date_json(p->poll)
	                                   : pd_json_null()) == PD_OK;
	ok = ok && pd_json_set_str(o, "type", p->poll_type) == PD_OK;
	ok = ok && pd_buf_printf(&src, "%s:%d", p->source, p->line) == PD_OK;
	ok = ok && pd_json_set_str(o, "source", src.ptr) == PD_OK;
	pd_buf_dispose(&src);
	if (!ok) {
		pd_json_free(areas);
		pd_json_free(o);
		return NULL;
	}
	return o;
}

pd_json *pd_hit_json(const pd_hit *h)
{
	pd_json *o = pd_json_object(), *meta = pd_json_object();
	bool ok = o && meta;

	ok = ok && pd_json_set_str(o, "entry", h->entry->id) == PD_OK;
	ok = ok &&
	     pd_json_set_str(o, "lexicon", h->entry->lexicon->name) == PD_OK;
	ok = ok && pd_json_set_str(o, "category",
	                           h->entry->lexicon->category) == PD_OK;
	ok = ok && pd_json_set(o, "weight", pd_json_real(h->weight)) == PD_OK;
	ok = ok && pd_json_set_int(o, "start", (int64_t)h->start) == PD_OK;
	ok = ok && pd_json_set_int(o, "end", (int64_t)h->end) == PD_OK;
	ok = ok && pd_json_set_str(o, "text", h->text) == PD_OK;
	ok = ok && pd_json_set_str(o, "normalized", h->norm) == PD_OK;
	ok = ok && pd_json_set_str(o, "term", h->term) == PD_OK;
	for (size_t i = 0; ok && i < h->entry->nmeta; i++)
		ok = pd_json_set_str(meta, h->entry->meta[i].key,
		                     h->entry->meta[i].value) == PD_OK;
	ok = ok && pd_json_set(o, "meta", meta) == PD_OK;
	meta = NULL;
	if (!ok) {
		pd_json_free(meta);
		pd_json_free(o);
		return NULL;
	}
	return o;
}

static pd_json *reason_json(const pd_verdict *v, const pd_reason *r)
{
	pd_json *o = pd_json_object(), *hits = pd_json_array();
	bool ok = o && hits;

	ok = ok && pd_json_set_str(o, "code", r->code) == PD_OK;
	ok = ok && pd_json_set_str(o, "decision",
	                           pd_decision_name(r->decision)) == PD_OK;
	ok = ok && pd_json_set_str(o, "message", r->message) == PD_OK;
	ok = ok && pd_json_set_str(o, "period",
	                           r->period ? r->period->uid : NULL) == PD_OK;
	ok = ok && pd_json_set_str(o, "category", r->category) == PD_OK;
	if (r->category) {
		ok = ok &&
		     pd_json_set(o, "score", pd_json_real(r->score)) == PD_OK;
		ok = ok && pd_json_set(o, "threshold",
		                       pd_json_real(r->threshold)) == PD_OK;
	}
	for (size_t i = 0; ok && i < r->nhits; i++)
		ok = pd_json_append(
		             hits,
		             pd_json_int((int64_t)v->hit_index[r->hit0 + i])) ==
		     PD_OK;
	ok = ok && pd_json_set(o, "hits", hits) == PD_OK;
	hits = NULL;
	if (!ok) {
		pd_json_free(hits);
		pd_json_free(o);
		return NULL;
	}
	return o;
}

static pd_json *scores_json(const pd_gate *g, const pd_verdict *v)
{
	const pd_config *cfg = pd_gate_config(g);
	pd_json *o = pd_json_object();
	bool ok = o != NULL;

	for (size_t i = 0; ok && i < v->scan.nscores; i++) {
		const pd_score *s = &v->scan.scores[i];
		double th = pd_config_threshold(cfg, s->category);
		pd_json *c = pd_json_object();
		ok = c != NULL;
		ok = ok &&
		     pd_json_set(c, "score", pd_json_real(s->score)) == PD_OK;
		ok = ok &&
		     pd_json_set(c, "threshold", pd_json_real(th)) == PD_OK;
		ok = ok && pd_json_set_bool(
		                   c, "reached",
		                   pd_threshold_reached(s->score, th)) == PD_OK;
		ok = ok &&
		     pd_json_set_int(c, "hits", (int64_t)s->hits) == PD_OK;
		if (ok)
			ok = pd_json_set(o, s->category, c) == PD_OK;
		else
			pd_json_free(c);
	}
	if (!ok) {
		pd_json_free(o);
		return NULL;
	}
	return o;
}

pd_json *pd_verdict_json(const pd_gate *g, const pd_item *it,
                         const pd_verdict *v, pd_json *id)
{
	const pd_calendar *cal = pd_gate_calendar(g);
	const pd_config *cfg = pd_gate_config(g);
	const pd_tz *tz = pd_calendar_tz(cal);
	pd_json *o = pd_json_object(), *reasons = pd_json_array(),
	        *periods = pd_json_array(), *hits = pd_json_array(),
	        *areas = pd_json_array(), *policy = pd_json_object();
	bool ok = o && reasons && periods && hits && areas && policy;

	if (id && ok)
		ok = pd_json_set(o, "id", id) == PD_OK;
	else
		pd_json_free(id);
	ok = ok && pd_json_set_str(o, "decision",
	                           pd_decision_name(v->decision)) == PD_OK;
	for (size_t i = 0; ok && i < v->nreasons; i++)
		ok = pd_json_append(reasons, reason_json(v, &v->reasons[i])) ==
		     PD_OK;
	for (size_t i = 0; ok && i < v->nperiods; i++)
		ok = pd_json_append(periods,
		                    pd_period_json(v->periods[i], tz)) == PD_OK;
	for (size_t i = 0; ok && i < v->scan.nhits; i++)
		ok = pd_json_append(hits, pd_hit_json(&v->scan.hits[i])) ==
		     PD_OK;
	for (size_t i = 0; ok && i < it->nareas; i++)
		ok = pd_json_append(areas, pd_json_string(it->areas[i])) ==
		     PD_OK;
	ok = ok && pd_json_set(o, "reasons", reasons) == PD_OK;
	reasons = NULL;
	ok = ok && pd_json_set(o, "periods", periods) == PD_OK;
	periods = NULL;
	ok = ok && pd_json_set(o, "hits", hits) == PD_OK;
	hits = NULL;
	ok = ok && pd_json_set(o, "scores", scores_json(g, v)) == PD_OK;
	ok = ok && pd_json_set(o, "at", time_json(it->at, tz)) == PD_OK;
	ok = ok && pd_json_set_str(o, "class", pd_class_name(it->cls)) == PD_OK;
	ok = ok && pd_json_set(o, "areas", areas) == PD_OK;
	areas = NULL;
	ok = ok && pd_json_set_str(o, "account", it->account) == PD_OK;
	ok = ok && pd_json_set_bool(o, "poll_information",
	                            v->poll_information) == PD_OK;
	ok = ok && pd_json_set_str(policy, "calendars_sha256",
	                           pd_calendar_sha256(cal)) == PD_OK;
	ok = ok && pd_json_set_str(policy, "lexicons_sha256",
	                           pd_gate_lexicons_sha256(g)) == PD_OK;
	ok = ok &&
	     pd_json_set_str(policy, "config_sha256",
	                     cfg->sha256[0] ? cfg->sha256 : NULL) == PD_OK;
	ok = ok && pd_json_set_str(policy, "config", cfg->path) == PD_OK;
	ok = ok && pd_json_set(o, "policy", policy) == PD_OK;
	policy = NULL;
	if (!ok) {
		pd_json_free(reasons);
		pd_json_free(periods);
		pd_json_free(hits);
		pd_json_free(areas);
		pd_json_free(policy);
		pd_json_free(o);
		return NULL;
	}
	return o;
}

#define STATUS_MAX_ACTIVE 256

pd_json *pd_status_json(const pd_calendar *cal, const pd_tz *tz, pd_instant at,
                        const char *area)
{
	const pd_period *act[STATUS_MAX_ACTIVE], *next;
	pd_json *root = pd_json_object(), *arr = pd_json_array();
	bool ok = root && arr;
	char when[64];
	size_t n;

	n = pd_calendar_active(cal, at, area, act, STATUS_MAX_ACTIVE);
	if (n > STATUS_MAX_ACTIVE)
		n = STATUS_MAX_ACTIVE;
	next = pd_calendar_next(cal, at, area);
	pd_time_format_rfc3339(when, sizeof(when), at, tz);
	ok = ok && pd_json_set_str(root, "at", when) == PD_OK;
	ok = ok && pd_json_set_str(root, "area", area) == PD_OK;
	ok = ok && pd_json_set_str(root, "timezone", pd_tz_name(tz)) == PD_OK;
	for (size_t i = 0; ok && i < n; i++)
		ok = pd_json_append(arr, pd_period_json(act[i], tz)) == PD_OK;
	ok = ok && pd_json_set(root, "active", arr) == PD_OK;
	arr = NULL;
	ok = ok && pd_json_set(root, "next",
	                       next ? pd_period_json(next, tz)
	                            : pd_json_null()) == PD_OK;
	if (!ok) {
		pd_json_free(arr);
		pd_json_free(root);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

void pd_check_request_dispose(pd_check_request *r)
{
	pd_json_free(r->doc);
	r->doc = NULL;
	r->id = NULL;
}

static pd_rc bad_field(const char *name, const char *field, const char *what)
{
	return pd_error_set(PD_EINVALID, "%s: \"%s\" must be %s", name, field,
	                    what);
}

/* A string field, or NULL when absent or null. */
static pd_rc opt_string(const pd_json *doc, const char *name, const char *field,
                        const char **out)
{
	const pd_json *v = pd_json_get(doc, field);

	*out = NULL;
	if (!v || pd_json_is_null(v))
		return PD_OK;
	if (!pd_json_is_string(v) || pd_json_strlen(v) == 0 ||
	    strlen(pd_json_str(v)) != pd_json_strlen(v))
		return bad_field(name, field,
		                 "a non-empty string without NUL characters");
	*out = pd_json_str(v);
	return PD_OK;
}

static pd_rc read_areas(pd_check_request *r, const char *name,
                        const pd_config *cfg)
{
	const pd_json *v = pd_json_get(r->doc, "area");
	size_t n;
	pd_rc rc;

	if (!v || pd_json_is_null(v))
		return PD_OK; /* the defaults */
	if (pd_json_is_string(v)) {
		n = 1;
	} else if (pd_json_is_array(v)) {
		n = pd_json_array_size(v);
		if (n > PD_MAX_ITEM_AREAS)
			return pd_error_set(PD_EINVALID,
			                    "%s: more than %d areas", name,
			                    PD_MAX_ITEM_AREAS);
	} else {
		return bad_field(name, "area", "a string or a list of strings");
	}
	for (size_t i = 0; i < n; i++) {
		const pd_json *a =
		        pd_json_is_string(v) ? v : pd_json_array_get(v, i);
		const char *s = pd_json_str(a);
		if (!s || !s[0] || strlen(s) != pd_json_strlen(a))
			return bad_field(
			        name, "area",
			        "a non-empty string or a list of them");
		if ((rc = pd_config_check_area(cfg, s)) < 0) {
			pd_error_prefix("%s", name);
			return pd_error_recode(PD_EINVALID);
		}
		r->areas[i] = s;
	}
	r->item.areas = r->areas;
	r->item.nareas = n;
	return PD_OK;
}

pd_rc pd_check_request_parse(pd_check_request *r, const char *file, size_t line,
                             const char *text, size_t len,
                             const pd_item *defaults, const pd_config *cfg,
                             const pd_tz *tz)
{
	char name[512];
	static const char *const known[] = {"id",   "text", "class",
	                                    "area", "at",   "account"};
	const char *s, *unknown;
	const pd_json *v;
	pd_rc rc;

	memset(r, 0, sizeof(*r));
	r->item = *defaults;
	if ((rc = pd_json_parse_at(&r->doc, file, line, text, len)) < 0)
		return rc;
	snprintf(name, sizeof(name), "%.400s:%zu", file, line);
	if (!pd_json_is_object(r->doc))
		return pd_error_set(PD_EINVALID,
		                    "%s: a record must be a JSON object with "
		                    "at least \"text\"",
		                    name);
	v = pd_json_get(r->doc, "id");
	if (v && !pd_json_is_null(v)) {
		if (!pd_json_is_string(v) && !pd_json_is_integer(v))
			return bad_field(name, "id", "a string or an integer");
		r->id = (pd_json *)v;
	}
	if ((unknown = pd_json_unknown_key(r->doc, known, 6)))
		return pd_error_set(PD_EINVALID,
		                    "%s: unknown field \"%.64s\" (known: id, "
		                    "text, class, area, at, account)",
		                    name, unknown);
	v = pd_json_get(r->doc, "text");
	if (!pd_json_is_string(v))
		return bad_field(name, "text", "given, as a string");
	r->item.text = pd_json_str(v);
	r->item.len = pd_json_strlen(v);
	if ((rc = opt_string(r->doc, name, "class", &s)) < 0)
		return rc;
	if (s && (rc = pd_class_parse(&r->item.cls, s)) < 0) {
		pd_error_prefix("%s", name);
		return pd_error_recode(PD_EINVALID);
	}
	if ((rc = opt_string(r->doc, name, "at", &s)) < 0)
		return rc;
	if (s && (rc = pd_time_parse(&r->item.at, s, tz, "\"at\"")) < 0) {
		pd_error_prefix("%s", name);
		return pd_error_recode(PD_EINVALID);
	}
	if ((rc = opt_string(r->doc, name, "account", &s)) < 0)
		return rc;
	if (s)
		r->item.account = s;
	return read_areas(r, name, cfg);
}
