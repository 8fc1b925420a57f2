/*
 * The period engine (see include/purdah/calendar.h). Loading collects every
 * period VEVENT with its expanded occurrences ("raw" versions); finishing
 * merges versions by UID and SEQUENCE, applies RECURRENCE-ID overrides, turns
 * dates into local-day instants and builds the index: periods sorted by start
 * with an implicit balanced interval tree (each subtree's maximum end), so a
 * lookup visits O(log n + k) entries.
 */
#include "purdah/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "dep/ical.h"
#include "dep/sodium.h"
#include "purdah/alloc.h"
#include "purdah/file.h"

typedef struct raw {
	char *uid;
	bool not_period; /* a version that is no longer a period */
	int sequence;
	pd_instant dtstamp;
	bool cancelled;
	bool has_rid;
	pd_ics_when rid;
	size_t order;
	pd_period_kind kind;
	char *name, *description, *source;
	int line;
	char **areas;
	size_t nareas;
	char *poll_type;
	bool has_poll;
	pd_date poll;
	bool open_ended;
	char *by;
	pd_ics_occ *occ;
	size_t nocc;
} raw;

struct pd_calendar {
	const pd_tz *tz;
	pd_holidays *holidays;
	char **pool; /* every string and array we own */
	size_t npool, cappool;
	raw *raws;
	size_t nraws, capraws;
	pd_period *periods;
	size_t nperiods, capperiods;
	pd_instant *starts, *maxend; /* index, parallel to periods */
	char **files;
	size_t nfiles;
	pd_sha256_ctx sha; /* over every file's bytes, in load order */
	char sha_hex[65];  /* set by pd_calendar_finish() */
	bool finished;
	bool periods_only; /* files of bank holidays alone are not parsed */
	size_t synth_uid;
};

static const char *const kind_names[] = {"election", "by-election",
                                         "referendum", "freeze"};

const char *pd_period_kind_name(pd_period_kind k)
{
	return (unsigned)k < 4 ? kind_names[k] : "unknown";
}

const char *pd_period_kind_phrase(pd_period_kind k)
{
	switch (k) {
	case PD_PERIOD_ELECTION: return "a pre-election period";
	case PD_PERIOD_BY_ELECTION: return "a by-election period";
	case PD_PERIOD_REFERENDUM: return "a referendum period";
	case PD_PERIOD_FREEZE: return "an emergency freeze";
	}
	return "a period";
}

pd_rc pd_period_kind_parse(pd_period_kind *out, const char *s)
{
	for (int i = 0; i < 4; i++) {
		if (s && strcasecmp(s, kind_names[i]) == 0) {
			*out = (pd_period_kind)i;
			return PD_OK;
		}
	}
	return pd_error_set(PD_EINVALID,
	                    "'%s' is not a period kind (ELECTION, BY-ELECTION, "
	                    "REFERENDUM or FREEZE)",
	                    s ? s : "");
}

static void *pool_keep(pd_calendar *cal, void *p)
{
	if (!p)
		return NULL;
	if (cal->npool == cal->cappool) {
		size_t nc = cal->cappool ? cal->cappool * 2 : 256;
		char **np = pd_realloc(cal->pool, nc * sizeof(*np));
		if (!np) {
			pd_free(p);
			return NULL;
		}
		cal->pool = np;
		cal->cappool = nc;
	}
	cal->pool[cal->npool++] = p;
	return p;
}

/* Copy a string into the pool; NULL stays NULL; *failed set on ENOMEM. */
static char *pool_dup(pd_calendar *cal, const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = pool_keep(cal, pd_strdup(s));
	if (!d)
		*failed = true;
	return d;
}

pd_rc pd_calendar_new(pd_calendar **out, const pd_tz *tz)
{
	pd_calendar *cal = pd_calloc(1, sizeof(*cal));
	pd_rc rc;

	if (!cal)
		return pd_error_set(PD_ENOMEM, "out of memory");
	cal->tz = tz;
	pd_sha256_init(&cal->sha);
	if ((rc = pd_holidays_new(&cal->holidays)) < 0) {
		pd_free(cal);
		return rc;
	}
	*out = cal;
	return PD_OK;
}

void pd_calendar_free(pd_calendar *cal)
{
	size_t i;

	if (!cal)
		return;
	for (i = 0; i < cal->npool; i++)
		pd_free(cal->pool[i]);
	pd_free(cal->pool);
	for (i = 0; i < cal->nraws; i++)
		pd_free(cal->raws[i].occ);
	pd_free(cal->raws);
	pd_free(cal->periods);
	pd_free(cal->starts);
	pd_free(cal->maxend);
	pd_free(cal->files); /* the strings are pooled */
	pd_holidays_free(cal->holidays);
	pd_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */

typedef struct {
	pd_calendar *cal;
	const char *source; /* pooled */
} loadctx;

/* Which kind of purdah event is this? *is_period / *is_holiday out. */
static pd_rc classify(const pd_ics_calinfo *ci, const pd_ics_event *ev,
                      bool *is_period, pd_period_kind *kind, bool *is_holiday)
{
	bool found = false;
	pd_period_kind k = PD_PERIOD_ELECTION, t;
	size_t i;

	*is_period = *is_holiday = false;
	for (i = 0; i < ev->ncategories; i++) {
		if (pd_period_kind_parse(&t, ev->categories[i]) == PD_OK) {
			if (found && t != k)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: the event's CATEGORIES name "
				        "two kinds of "
				        "period (%s and %s): keep one",
				        ci->file, ev->line,
				        pd_period_kind_name(k),
				        pd_period_kind_name(t));
			k = t;
			found = true;
		}
	}
	pd_error_clear();
	if (ev->kind) {
		if (strcasecmp(ev->kind, "BANK-HOLIDAYS") == 0) {
			*is_holiday = true;
			return PD_OK;
		}
		if (pd_period_kind_parse(&t, ev->kind) < 0)
			return pd_error_set(
			        PD_ECONFIG, "%s:%d: X-PURDAH-KIND: %s",
			        ci->file, ev->line, pd_error_message());
		if (found && t != k)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: X-PURDAH-KIND:%s disagrees with "
			        "CATEGORIES (%s)",
			        ci->file, ev->line, ev->kind,
			        pd_period_kind_name(k));
		k = t;
		found = true;
	}
	if (!found && ci->kind) {
		if (strcasecmp(ci->kind, "BANK-HOLIDAYS") == 0) {
			*is_holiday = true;
			return PD_OK;
		}
		if (pd_period_kind_parse(&k, ci->kind) < 0)
			return pd_error_set(
			        PD_ECONFIG, "%s:%d: X-PURDAH-KIND: %s",
			        ci->file, ci->line, pd_error_message());
		found = true;
	}
	*is_period = found;
	*kind = k;
	return PD_OK;
}

static pd_rc add_holidays(pd_calendar *cal, const pd_ics_calinfo *ci,
                          const pd_ics_event *ev)
{
	const char *nation = ev->nation ? ev->nation : ci->nation;
	pd_region region;
	pd_ics_occ *occ = NULL;
	size_t n = 0, i;
	pd_rc rc;

	if (ev->cancelled)
		return PD_OK;
	if (!nation)
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: a bank-holiday calendar needs "
		        "X-PURDAH-NATION (england-and-wales, scotland "
		        "or northern-ireland)",
		        ci->file, ev->line);
	if (pd_region_parse(&region, nation) < 0)
		return pd_error_set(PD_ECONFIG, "%s:%d: X-PURDAH-NATION: %s",
		                    ci->file, ev->line, pd_error_message());
	if ((rc = pd_ics_event_expand(ev, &occ, &n)) < 0)
		return rc;
	for (i = 0; i < n && rc == PD_OK; i++) {
		pd_date d;
		if (!occ[i].start.is_date) {
			rc = pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: a bank holiday must be an all-day "
			        "event (DTSTART;VALUE=DATE)",
			        ci->file, ev->line);
			break;
		}
		for (d = occ[i].start.date;
		     pd_date_cmp(d, occ[i].end.date) < 0 && rc == PD_OK;
		     d = pd_date_add_days(d, 1))
			rc = pd_holidays_add(cal->holidays, region, d,
			                     ev->summary);
	}
	pd_free(occ);
	return rc;
}

static pd_rc on_event(void *vctx, const pd_ics_calinfo *ci,
                      const pd_ics_event *ev)
{
	loadctx *lc = vctx;
	pd_calendar *cal = lc->cal;
	bool is_period, is_holiday, failed = false;
	pd_period_kind kind;
	raw r;
	pd_rc rc;
	size_t i;

	if ((rc = classify(ci, ev, &is_period, &kind, &is_holiday)) < 0)
		return rc;
	if (is_holiday)
		return add_holidays(cal, ci, ev);
	if (!is_period && !(ev->uid && *ev->uid))
		return PD_OK;

	memset(&r, 0, sizeof(r));
	/* Every version of a UID counts, so a newer version that is no
	 * longer a period (its category removed in Outlook) ends it. */
	r.not_period = !is_period;
	r.kind = is_period ? kind : PD_PERIOD_ELECTION;
	r.sequence = ev->sequence;
	r.dtstamp = ev->has_dtstamp ? ev->dtstamp : 0;
	r.cancelled = ev->cancelled;
	r.has_rid = ev->has_recurrence_id;
	r.rid = ev->recurrence_id;
	r.order = cal->nraws;
	r.source = (char *)lc->source;
	r.line = ev->line;
	r.has_poll = ev->has_poll;
	r.poll = ev->poll;
	r.open_ended = ev->open_ended;
	if (ev->uid && *ev->uid) {
		r.uid = pool_dup(cal, ev->uid, &failed);
	} else {
		/* RFC 5545 requires UID; hand-written files omit it. Such an
		 * event is a period of its own, never merged. */
		pd_buf b = PD_BUF_INIT(4096);
		if (pd_buf_printf(&b, "%s:%d", lc->source, ev->line) < 0)
			return pd_error_code();
		r.uid = pool_keep(cal, pd_buf_detach(&b));
		failed = !r.uid;
	}
	r.name = pool_dup(cal,
	                  ev->summary && *ev->summary ? ev->summary
	                                              : "(untitled period)",
	                  &failed);
	r.description = pool_dup(cal, ev->description, &failed);
	r.poll_type = pool_dup(cal, ev->poll_type, &failed);
	r.by = pool_dup(cal, ev->by, &failed);
	if (ev->nareas) {
		r.areas = pool_keep(cal, pd_calloc(ev->nareas, sizeof(char *)));
		failed |= !r.areas;
		for (i = 0; r.areas && i < ev->nareas; i++)
			r.areas[i] = pool_dup(cal, ev->areas[i], &failed);
		r.nareas = ev->nareas;
	}
	if (failed)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if (!r.cancelled && !r.not_period) {
		/* every occurrence excluded (r.nocc 0) is allowed: then it
		 * is no period at all */
		if ((rc = pd_ics_event_expand(ev, &r.occ, &r.nocc)) < 0)
			return rc;
	}
	if (cal->nraws == cal->capraws) {
		size_t nc = cal->capraws ? cal->capraws * 2 : 64;
		raw *nr = pd_realloc(cal->raws, nc * sizeof(*nr));
		if (!nr) {
			pd_free(r.occ);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		cal->raws = nr;
		cal->capraws = nc;
	}
	cal->raws[cal->nraws++] = r;
	return PD_OK;
}

void pd_calendar_periods_only(pd_calendar *cal)
{
	cal->periods_only = true;
}

/* Does `text` hold bank holidays and nothing else purdah reads: one
 * VCALENDAR marked X-PURDAH-KIND:BANK-HOLIDAYS, and none of the words that
 * make an event a period (ELECTION, REFERENDUM, FREEZE) anywhere, folded
 * lines unfolded first? Any doubt: no (the file is parsed). */
static bool holidays_only(const char *text, size_t len)
{
	static const char *const never[] = {"election", "referendum", "freeze"};
	size_t n = 0, calendars = 0;
	bool marked = false, ok = true;
	char *u = pd_malloc(len + 1);

	if (!u)
		return false;
	for (size_t i = 0; i < len; i++) {
		/* CRLF or LF then a space or tab: a folded line goes on */
		if (text[i] == '\r' && i + 2 < len && text[i + 1] == '\n' &&
		    (text[i + 2] == ' ' || text[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		if (text[i] == '\n' && i + 1 < len &&
		    (text[i + 1] == ' ' || text[i + 1] == '\t')) {
			i += 1;
			continue;
		}
		if (text[i] == '\0') {
			ok = false;
			break;
		}
		u[n++] = (char)((unsigned char)text[i] < 0x80 &&
		                                text[i] >= 'A' && text[i] <= 'Z'
		                        ? text[i] - 'A' + 'a'
		                        : text[i]);
	}
	u[n] = '\0';
	for (const char *p = u; ok && (p = strstr(p, "begin:vcalendar")); p++)
		calendars++;
	marked = strstr(u, "\nx-purdah-kind:bank-holidays") != NULL;
	for (size_t i = 0; ok && i < 3; i++)
		ok = strstr(u, never[i]) == NULL;
	pd_free(u);
	return ok && marked && calendars == 1;
}

pd_rc pd_calendar_load_buffer(pd_calendar *cal, const char *name,
                              const char *text, size_t len)
{
	loadctx lc;
	bool failed = false;
	char **nf;

	if (cal->finished)
		return pd_error_set(PD_EINTERNAL, "calendar already finished");
	lc.cal = cal;
	lc.source = pool_dup(cal, name, &failed);
	nf = pd_realloc(cal->files, (cal->nfiles + 1) * sizeof(*nf));
	if (failed || !nf)
		return pd_error_set(PD_ENOMEM, "out of memory");
	cal->files = nf;
	cal->files[cal->nfiles++] = (char *)lc.source;
	pd_sha256_update(&cal->sha, text, len);
	if (cal->periods_only && holidays_only(text, len))
		return PD_OK; /* hashed, known, not needed */
	return pd_ics_parse(lc.source, text, len, cal->tz, on_event, &lc);
}

static pd_rc load_file(pd_calendar *cal, const char *path)
{
	pd_buf text = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	pd_rc rc;

	if ((rc = pd_file_read(&text, path)) < 0) {
		if (rc == PD_ETOOBIG || rc == PD_ENOINPUT || rc == PD_EIO)
			rc = pd_error_recode(PD_ECONFIG);
		goto done;
	}
	rc = pd_calendar_load_buffer(cal, path, text.ptr, text.len);
done:
	pd_buf_dispose(&text);
	return rc;
}

pd_rc pd_calendar_load_path(pd_calendar *cal, const char *path)
{
	char **files = NULL;
	size_t n = 0, i;
	pd_rc rc;

	if (!pd_file_is_dir(path))
		return load_file(cal, path);
	if ((rc = pd_file_list(&files, &n, path, ".ics")) < 0)
		return pd_error_recode(PD_ECONFIG);
	for (i = 0; i < n && rc == PD_OK; i++)
		rc = load_file(cal, files[i]);
	pd_file_list_free(files, n);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Finishing: versions, overrides, index                                    */

static int raw_cmp(const void *pa, const void *pb)
{
	const raw *a = pa, *b = pb;
	int c = strcmp(a->uid, b->uid);

	if (c)
		return c;
	if (a->has_rid != b->has_rid)
		return a->has_rid ? 1 : -1;
	if (a->has_rid && (c = pd_ics_when_cmp(&a->rid, &b->rid)) != 0)
		return c;
	return (a->order > b->order) - (a->order < b->order);
}

/* Does version b supersede version a? (RFC 5545 3.8.7.4 SEQUENCE, then
 * DTSTAMP, then load order.) */
static bool newer(const raw *a, const raw *b)
{
	if (b->sequence != a->sequence)
		return b->sequence > a->sequence;
	if (b->dtstamp != a->dtstamp)
		return b->dtstamp > a->dtstamp;
	return b->order > a->order;
}

static pd_rc emit(pd_calendar *cal, const raw *r, const pd_ics_occ *o)
{
	pd_period *p;

	if (cal->nperiods == cal->capperiods) {
		size_t nc = cal->capperiods ? cal->capperiods * 2 : 64;
		pd_period *np = pd_realloc(cal->periods, nc * sizeof(*np));
		if (!np)
			return pd_error_set(PD_ENOMEM, "out of memory");
		cal->periods = np;
		cal->capperiods = nc;
	}
	p = &cal->periods[cal->nperiods++];
	memset(p, 0, sizeof(*p));
	p->uid = r->uid;
	p->name = r->name;
	p->description = r->description;
	p->kind = r->kind;
	p->areas = (const char *const *)r->areas;
	p->nareas = r->nareas;
	p->source = r->source;
	p->line = r->line;
	p->sequence = r->sequence;
	p->poll_type = r->poll_type;
	p->has_poll = r->has_poll;
	p->poll = r->poll;
	p->open_ended = r->open_ended;
	p->by = r->by;
	if (o->start.is_date) {
		p->all_day = true;
		p->start = pd_tz_day_start(cal->tz, o->start.date);
		p->end = pd_tz_day_start(cal->tz, o->end.date);
		p->first_day = o->start.date;
		p->last_day = pd_date_add_days(o->end.date, -1);
	} else {
		p->start = o->start.time;
		p->end = o->end.time;
		p->first_day = pd_tz_date_of(cal->tz, p->start);
		p->last_day = pd_tz_date_of(cal->tz, p->end - 1);
	}
	return PD_OK;
}

static int period_cmp(const void *pa, const void *pb)
{
	const pd_period *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return strcmp(a->uid, b->uid);
}

static pd_instant build_index(pd_calendar *cal, size_t lo, size_t hi)
{
	size_t mid;
	pd_instant m, l, r;

	if (lo >= hi)
		return INT64_MIN;
	mid = lo + (hi - lo) / 2;
	m = cal->periods[mid].end;
	l = build_index(cal, lo, mid);
	r = build_index(cal, mid + 1, hi);
	if (l > m)
		m = l;
	if (r > m)
		m = r;
	cal->maxend[mid] = m;
	return m;
}

/* Emit one UID group [a, b) of sorted raws. */
static pd_rc merge_group(pd_calendar *cal, raw *g, size_t n)
{
	const raw *master = NULL;
	size_t i, k, m;
	pd_rc rc;

	for (i = 0; i < n && !g[i].has_rid; i++)
		if (!master || newer(master, &g[i]))
			master = &g[i];
	/* g[i..n) are overrides grouped by RECURRENCE-ID; keep each
	 * group's newest version at its first slot. */
	m = 0; /* number of override winners, compacted into g[i + m] */
	for (k = i; k < n;) {
		size_t e = k + 1;
		raw *best = &g[k];
		while (e < n && pd_ics_when_cmp(&g[e].rid, &g[k].rid) == 0) {
			if (newer(best, &g[e]))
				best = &g[e];
			e++;
		}
		raw tmp = *best;
		*best = g[i + m];
		g[i + m] = tmp;
		m++;
		k = e;
	}
	if (!master) {
		/* Overrides without a series: each is a period of its own. */
		for (k = i; k < i + m; k++)
			for (size_t j = 0; !g[k].cancelled &&
			                   !g[k].not_period && j < g[k].nocc;
			     j++)
				if ((rc = emit(cal, &g[k], &g[k].occ[j])) < 0)
					return rc;
		return PD_OK;
	}
	if (master->cancelled || master->not_period)
		return PD_OK;
	for (size_t j = 0; j < master->nocc; j++) {
		const raw *ov = NULL;
		for (k = i; k < i + m && !ov; k++)
			if (pd_ics_when_cmp(&g[k].rid, &master->occ[j].start) ==
			    0)
				ov = &g[k];
		if (!ov) {
			rc = emit(cal, master, &master->occ[j]);
		} else {
			rc = PD_OK;
			for (size_t q = 0; !ov->cancelled && !ov->not_period &&
			                   q < ov->nocc && rc == PD_OK;
			     q++)
				rc = emit(cal, ov, &ov->occ[q]);
		}
		if (rc < 0)
			return rc;
	}
	return PD_OK;
}

pd_rc pd_calendar_finish(pd_calendar *cal)
{
	size_t a, b;
	pd_rc rc;

	if (cal->finished)
		return PD_OK;
	pd_sha256_final_hex(&cal->sha, cal->sha_hex);
	pd_holidays_finish(cal->holidays);
	if (cal->nraws)
		qsort(cal->raws, cal->nraws, sizeof(*cal->raws), raw_cmp);
	for (a = 0; a < cal->nraws; a = b) {
		for (b = a + 1; b < cal->nraws &&
		                strcmp(cal->raws[b].uid, cal->raws[a].uid) == 0;
		     b++)
			;
		if ((rc = merge_group(cal, &cal->raws[a], b - a)) < 0)
			return rc;
	}
	if (cal->nperiods)
		qsort(cal->periods, cal->nperiods, sizeof(*cal->periods),
		      period_cmp);
	cal->starts = pd_calloc(cal->nperiods, sizeof(*cal->starts));
	cal->maxend = pd_calloc(cal->nperiods, sizeof(*cal->maxend));
	if (!cal->starts || !cal->maxend)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (a = 0; a < cal->nperiods; a++)
		cal->starts[a] = cal->periods[a].start;
	build_index(cal, 0, cal->nperiods);
	cal->finished = true;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */

bool pd_period_covers(const pd_period *p, const char *area)
{
	if (!area || p->nareas == 0)
		return true;
	for (size_t i = 0; i < p->nareas; i++)
		if (strcasecmp(p->areas[i], area) == 0)
			return true;
	return false;
}

typedef struct {
	const pd_calendar *cal;
	pd_instant at;
	const char *area;
	const pd_period **out;
	size_t max, count;
} query;

static void query_range(query *q, size_t lo, size_t hi)
{
	/* Iterative on the right spine, recursive on the left: depth is
	 * O(log n). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const pd_period *p;

		if (q->cal->maxend[mid] <= q->at)
			return; /* nothing in this subtree reaches `at` */
		query_range(q, lo, mid);
		if (q->cal->starts[mid] > q->at)
			return; /* mid and everything right of it start later */
		p = &q->cal->periods[mid];
		if (p->end > q->at && pd_period_covers(p, q->area)) {
			if (q->count < q->max)
				q->out[q->count] = p;
			q->count++;
		}
		lo = mid + 1;
	}
}

size_t pd_calendar_active(const pd_calendar *cal, pd_instant at,
                          const char *area, const pd_period **out, size_t max)
{
	query q = {cal, at, area, out, max, 0};

	if (!cal->finished)
		return 0;
	query_range(&q, 0, cal->nperiods);
	return q.count;
}

const pd_period *pd_calendar_next(const pd_calendar *cal, pd_instant at,
                                  const char *area)
{
	size_t lo = 0, hi = cal->nperiods;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->starts[mid] <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < cal->nperiods; lo++)
		if (pd_period_covers(&cal->periods[lo], area))
			return &cal->periods[lo];
	return NULL;
}

pd_instant pd_calendar_next_change(const pd_calendar *cal, pd_instant at)
{
	pd_instant next = INT64_MAX;

	for (size_t i = 0; i < pd_calendar_count(cal); i++) {
		const pd_period *p = &cal->periods[i];
		if (p->start > at && p->start < next)
			next = p->start;
		if (p->end > at && p->end < next)
			next = p->end;
	}
	return next;
}

size_t pd_calendar_count(const pd_calendar *cal)
{
	return cal->finished ? cal->nperiods : 0;
}

const pd_period *pd_calendar_get(const pd_calendar *cal, size_t i)
{
	return i < pd_calendar_count(cal) ? &cal->periods[i] : NULL;
}

const pd_holidays *pd_calendar_holidays(const pd_calendar *cal)
{
	return cal->holidays;
}

const pd_tz *pd_calendar_tz(const pd_calendar *cal)
{
	return cal->tz;
}

size_t pd_calendar_file_count(const pd_calendar *cal)
{
	return cal->nfiles;
}

const char *pd_calendar_file(const pd_calendar *cal, size_t i)
{
	return i < cal->nfiles ? cal->files[i] : NULL;
}

const char *pd_calendar_sha256(const pd_calendar *cal)
{
	return cal->sha_hex;
}
