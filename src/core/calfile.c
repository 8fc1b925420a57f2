/*
 * Calendar file writes (see include/purdah/calfile.h).
 */
#include "purdah/calfile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dep/ical.h"
#include "dep/utf8.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/json.h"

#define PRODID "-//purdah//purdah 0.1//EN"

pd_rc pd_calfile_new_uid(char **out)
{
	unsigned char r[16];
	pd_buf b = PD_BUF_INIT(128);

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return pd_error_set(PD_EDEP, "no random bytes for a UID");
	for (size_t i = 0; i < sizeof(r); i++)
		if (pd_buf_printf(&b, "%02x", r[i]) < 0)
			goto fail;
	if (pd_buf_puts(&b, "@purdah") < 0)
		goto fail;
	*out = pd_buf_detach(&b);
	return *out ? PD_OK : pd_error_set(PD_ENOMEM, "out of memory");
fail:
	pd_buf_dispose(&b);
	return pd_error_code();
}

/* Offset of the line holding the last END:VCALENDAR, or -1. */
static long last_end_vcalendar(const char *t, size_t len)
{
	static const char tag[] = "END:VCALENDAR";
	size_t n = sizeof(tag) - 1;

	for (size_t i = len; i-- > 0;) {
		if ((i == 0 || t[i - 1] == '\n') && len - i >= n &&
		    strncasecmp(t + i, tag, n) == 0)
			return (long)i;
	}
	return -1;
}

/* Copy `ev` (CRLF lines) into `out`, with LF lines when `lf_only`. */
static pd_rc put_lines(pd_buf *out, const char *ev, bool lf_only)
{
	for (const char *p = ev; *p; p++) {
		if (lf_only && *p == '\r' && p[1] == '\n')
			continue;
		if (pd_buf_putc(out, *p) < 0)
			return pd_error_code();
	}
	return PD_OK;
}

static pd_rc validate(const char *path, const char *text, size_t len,
                      const pd_tz *tz)
{
	pd_calendar *cal = NULL;
	pd_rc rc;

	if ((rc = pd_calendar_new(&cal, tz)) == PD_OK &&
	    (rc = pd_calendar_load_buffer(cal, path, text, len)) == PD_OK)
		rc = pd_calendar_finish(cal);
	pd_calendar_free(cal);
	return rc;
}

static const char *const kind_categories[] = {"ELECTION", "BY-ELECTION",
                                              "REFERENDUM", "FREEZE"};

/* Insert `event` into the calendar text of `path` and write it back. */
static pd_rc insert_event(const char *path, const char *event,
                          const char *calname, const pd_tz *tz)
{
	pd_buf old = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	pd_buf out = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	pd_rc rc;
	long at;
	bool lf_only;

	if (pd_file_exists(path)) {
		if ((rc = pd_file_read(&old, path)) < 0)
			goto done;
		/* The file must already be one purdah can load. */
		if ((rc = validate(path, old.ptr, old.len, tz)) < 0)
			goto done;
	} else {
		rc = pd_buf_printf(
		        &old,
		        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" PRODID
		        "\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:%s\r\n"
		        "END:VCALENDAR\r\n",
		        calname);
		if (rc < 0)
			goto done;
	}
	at = last_end_vcalendar(old.ptr, old.len);
	if (at < 0) {
		rc = pd_error_set(PD_ECONFIG, "%s: no END:VCALENDAR line",
		                  path);
		goto done;
	}
	lf_only = strstr(old.ptr, "\r\n") == NULL;
	if ((rc = pd_buf_put(&out, old.ptr, (size_t)at)) < 0 ||
	    (rc = put_lines(&out, event, lf_only)) < 0 ||
	    (rc = pd_buf_put(&out, old.ptr + at, old.len - (size_t)at)) < 0)
		goto done;
	if ((rc = validate(path, out.ptr, out.len, tz)) < 0) {
		pd_error_prefix("the new event would break the calendar");
		goto done;
	}
	rc = pd_file_write_atomic(path, out.ptr, out.len);
done:
	pd_buf_dispose(&old);
	pd_buf_dispose(&out);
	return rc;
}

/* Render `s` as a VEVENT into `ev`; the UID used is handed to *uid_out. */
static pd_rc render_spec(pd_buf *ev, const pd_period_spec *s, char **uid_out)
{
	pd_ics_new_event ne;
	char *uid = NULL;
	const char *cat;
	pd_rc rc;

	if (!s->name || !*s->name)
		return pd_error_set(PD_EUSAGE, "a period needs a name");
	if ((unsigned)s->kind > PD_PERIOD_FREEZE)
		return pd_error_set(PD_EINTERNAL, "bad period kind");
	if (s->uid) {
		uid = pd_strdup(s->uid);
		if (!uid)
			return pd_error_set(PD_ENOMEM, "out of memory");
	} else if ((rc = pd_calfile_new_uid(&uid)) < 0) {
		return rc;
	}
	memset(&ne, 0, sizeof(ne));
	cat = kind_categories[s->kind];
	ne.uid = uid;
	ne.summary = s->name;
	ne.description = s->description;
	ne.categories = &cat;
	ne.ncategories = 1;
	ne.areas = s->areas;
	ne.nareas = s->nareas;
	ne.sequence = s->sequence;
	ne.dtstamp = pd_time_now();
	ne.poll_type = s->poll_type;
	ne.nation = s->nation;
	ne.has_poll = s->has_poll;
	ne.poll = s->poll;
	ne.open_ended = s->open_ended;
	ne.by = s->by;
	ne.cancelled = s->cancelled;
	if (s->all_day) {
		if (pd_date_cmp(s->last_day, s->first_day) < 0) {
			rc = pd_error_set(PD_EUSAGE,
			                  "the period ends before it starts");
			goto done;
		}
		ne.start.is_date = ne.end.is_date = true;
		ne.start.date = s->first_day;
		ne.end.date = pd_date_add_days(s->last_day, 1); /* exclusive */
	} else {
		if (s->end <= s->start) {
			rc = pd_error_set(PD_EUSAGE,
			                  "the period ends before it starts");
			goto done;
		}
		ne.start.time = s->start;
		ne.end.time = s->end;
	}
	if ((rc = pd_ics_event_render(ev, &ne)) < 0)
		goto done;
	*uid_out = uid;
	uid = NULL;
done:
	pd_free(uid);
	return rc;
}

pd_rc pd_calfile_render(pd_buf *out, const pd_period_spec *s)
{
	char *uid = NULL;
	pd_rc rc;

	if ((rc = pd_buf_puts(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                           "PRODID:" PRODID "\r\n")) < 0 ||
	    (rc = render_spec(out, s, &uid)) < 0)
		return rc;
	pd_free(uid);
	return pd_buf_puts(out, "END:VCALENDAR\r\n");
}

pd_rc pd_calfile_add(const char *path, const pd_period_spec *s, const pd_tz *tz,
                     char **uid_out)
{
	pd_buf ev = PD_BUF_INIT(1 << 20);
	char *uid = NULL;
	pd_rc rc;

	if ((rc = render_spec(&ev, s, &uid)) < 0)
		goto done;
	if ((rc = insert_event(path, ev.ptr,
	                       s->kind == PD_PERIOD_FREEZE ? "Emergency freezes"
	                                                   : "Elections",
	                       tz)) < 0)
		goto done;
	if (uid_out) {
		*uid_out = uid;
		uid = NULL;
	}
done:
	pd_free(uid);
	pd_buf_dispose(&ev);
	return rc;
}

void pd_cleanup(void)
{
	pd_ics_cleanup();
}

/* ------------------------------------------------------------------------ */
/* Bank holidays                                                            */

typedef struct {
	pd_date date;
	char *title;
} holiday;

typedef struct {
	holiday *v;
	size_t n, cap;
} holvec;

static void holvec_dispose(holvec *h)
{
	for (size_t i = 0; i < h->n; i++)
		pd_free(h->v[i].title);
	pd_free(h->v);
	memset(h, 0, sizeof(*h));
}

static pd_rc holvec_add(holvec *h, pd_date d, const char *title)
{
	for (size_t i = 0; i < h->n; i++)
		if (pd_date_cmp(h->v[i].date, d) == 0)
			return PD_OK; /* first title wins */
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		holiday *nv = pd_realloc(h->v, nc * sizeof(*nv));
		if (!nv)
			return pd_error_set(PD_ENOMEM, "out of memory");
		h->v = nv;
		h->cap = nc;
	}
	h->v[h->n].date = d;
	h->v[h->n].title = pd_strdup(title && *title ? title : "Bank holiday");
	if (!h->v[h->n].title)
		return pd_error_set(PD_ENOMEM, "out of memory");
	h->n++;
	return PD_OK;
}

static int holiday_cmp(const void *a, const void *b)
{
	return pd_date_cmp(((const holiday *)a)->date,
	                   ((const holiday *)b)->date);
}

static pd_rc collect_existing(void *ctx, const pd_ics_calinfo *ci,
                              const pd_ics_event *ev)
{
	holvec *h = ctx;
	pd_ics_occ *occ = NULL;
	size_t n = 0;
	pd_rc rc;

	(void)ci;
	if (ev->cancelled)
		return PD_OK;
	if ((rc = pd_ics_event_expand(ev, &occ, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == PD_OK; i++)
		if (occ[i].start.is_date)
			rc = holvec_add(h, occ[i].start.date, ev->summary);
	pd_free(occ);
	return rc;
}

/* The date of events[k] of a bank-holidays JSON division. */
static pd_rc event_date(const pd_json *events, size_t k, const char *json_name,
                        const char *division, pd_date *d)
{
	const char *ds =
	        pd_json_str(pd_json_get(pd_json_array_get(events, k), "date"));

	if (!ds || pd_date_parse(d, ds, "date") < 0)
		return pd_error_set(PD_EINVALID,
		                    "%s: %s event %zu has no valid \"date\" "
		                    "(YYYY-MM-DD)",
		                    json_name, division, k + 1);
	return PD_OK;
}

static pd_rc write_division(const char *dir, const char *division,
                            const pd_json *events, const char *json_name,
                            size_t *added)
{
	pd_buf path = PD_BUF_INIT(4096),
	       text = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	pd_buf old = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	holvec h = {NULL, 0, 0};
	const pd_tz *utc;
	size_t before, i;
	pd_rc rc;

	if ((rc = pd_tz_get(&utc, "UTC")) < 0 ||
	    (rc = pd_buf_printf(&path, "%s/bank-holidays-%s.ics", dir,
	                        division)) < 0)
		goto done;
	if (pd_file_exists(path.ptr)) {
		if ((rc = pd_file_read(&old, path.ptr)) < 0 ||
		    (rc = pd_ics_parse(path.ptr, old.ptr, old.len, utc,
		                       collect_existing, &h)) < 0)
			goto done;
	}
	before = h.n;
	for (i = 0; i < pd_json_array_size(events); i++) {
		const pd_json *e = pd_json_array_get(events, i);
		const char *title = pd_json_str(pd_json_get(e, "title"));
		pd_date d;
		if ((rc = event_date(events, i, json_name, division, &d)) < 0 ||
		    (rc = holvec_add(&h, d, title)) < 0)
			goto done;
	}
	*added += h.n - before;
	if (h.n)
		qsort(h.v, h.n, sizeof(*h.v), holiday_cmp);
	rc = pd_buf_printf(&text,
	                   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" PRODID
	                   "\r\nCALSCALE:GREGORIAN\r\n"
	                   "X-WR-CALNAME:Bank holidays (%s)\r\n"
	                   "X-PURDAH-KIND:BANK-HOLIDAYS\r\n"
	                   "X-PURDAH-NATION:%s\r\n",
	                   division, division);
	for (i = 0; i < h.n && rc == PD_OK; i++) {
		pd_ics_new_event ne;
		char ds[16];
		pd_buf uid = PD_BUF_INIT(256);
		memset(&ne, 0, sizeof(ne));
		pd_date_format(ds, sizeof(ds), h.v[i].date);
		if ((rc = pd_buf_printf(&uid, "bank-holiday-%s-%s@purdah",
		                        division, ds)) < 0)
			break;
		ne.uid = uid.ptr;
		ne.summary = h.v[i].title;
		ne.start.is_date = ne.end.is_date = true;
		ne.start.date = h.v[i].date;
		ne.end.date = pd_date_add_days(h.v[i].date, 1);
		ne.dtstamp = pd_date_to_days(h.v[i].date) * 86400; /* stable */
		rc = pd_ics_event_render(&text, &ne);
		pd_buf_dispose(&uid);
	}
	if (rc == PD_OK)
		rc = pd_buf_puts(&text, "END:VCALENDAR\r\n");
	if (rc == PD_OK)
		rc = pd_file_write_atomic(path.ptr, text.ptr, text.len);
done:
	holvec_dispose(&h);
	pd_buf_dispose(&path);
	pd_buf_dispose(&text);
	pd_buf_dispose(&old);
	return rc;
}

pd_rc pd_calfile_import_holidays(const char *dir, const char *json_name,
                                 const char *json, size_t len, size_t *added)
{
	static const char *const divisions[] = {"england-and-wales", "scotland",
	                                        "northern-ireland"};
	pd_json *root = NULL;
	pd_rc rc;
	size_t found = 0;

	*added = 0;
	if ((rc = pd_json_parse(&root, json_name, json, len)) < 0)
		return rc;
	/* Check everything before writing anything: all or nothing. */
	for (size_t i = 0; i < 3 && rc == PD_OK; i++) {
		const pd_json *div = pd_json_get(root, divisions[i]);
		const pd_json *events = pd_json_get(div, "events");
		if (div && !pd_json_is_array(events)) {
			rc = pd_error_set(PD_EINVALID,
			                  "%s: \"%s\" has no \"events\" list",
			                  json_name, divisions[i]);
			break;
		}
		for (size_t k = 0;
		     k < pd_json_array_size(events) && rc == PD_OK; k++) {
			pd_date d;
			rc = event_date(events, k, json_name, divisions[i], &d);
		}
	}
	for (size_t i = 0; i < 3 && rc == PD_OK; i++) {
		const pd_json *div = pd_json_get(root, divisions[i]);
		const pd_json *events = pd_json_get(div, "events");
		if (!div)
			continue; /* (one that is there has its list: checked)
			           */
		found++;
		rc = write_division(dir, divisions[i], events, json_name,
		                    added);
	}
	if (rc == PD_OK && found == 0)
		rc = pd_error_set(PD_EINVALID,
		                  "%s: none of england-and-wales, scotland, "
		                  "northern-ireland is present (GOV.UK's "
		                  "bank-holidays.json layout)",
		                  json_name);
	pd_json_free(root);
	return rc;
}

pd_rc pd_calfile_check_text(const char *s, size_t max, const char *what)
{
	size_t len = strlen(s), i, n;

	if (len == 0 || strspn(s, " \t") == len)
		return pd_error_set(PD_EUSAGE, "%s is empty", what);
	if (len > max)
		return pd_error_set(PD_EUSAGE,
		                    "%s is %zu bytes long; at most %zu", what,
		                    len, max);
	for (i = 0; i < len; i += n) {
		int32_t cp;
		n = pd_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp < 0)
			return pd_error_set(PD_EUSAGE,
			                    "%s is not valid UTF-8 (byte %zu)",
			                    what, i + 1);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return pd_error_set(
			        PD_EUSAGE,
			        "%s contains a control character "
			        "(byte %zu): give one line of plain "
			        "text",
			        what, i + 1);
	}
	return PD_OK;
}

/* How long an open-ended freeze's event lasts in the file (it shows as
 * open-ended: X-PURDAH-OPEN-ENDED). */
#define OPEN_ENDED_SECONDS ((pd_instant)366 * 86400)

void pd_freeze_spec(pd_period_spec *spec, const char *reason,
                    const char *const *areas, size_t nareas, pd_instant from,
                    pd_instant until, const char *by)
{
	memset(spec, 0, sizeof(*spec));
	spec->name = "Emergency freeze";
	spec->description = reason;
	spec->kind = PD_PERIOD_FREEZE;
	spec->areas = areas;
	spec->nareas = nareas;
	spec->start = from;
	spec->open_ended = !until;
	spec->end = until ? until : from + OPEN_ENDED_SECONDS;
	spec->by = by;
}

void pd_period_end_spec(pd_period_spec *spec, const pd_period *p, pd_instant at)
{
	memset(spec, 0, sizeof(*spec));
	spec->uid = p->uid;
	spec->name = p->name;
	spec->description = p->description;
	spec->kind = p->kind;
	spec->areas = p->areas;
	spec->nareas = p->nareas;
	spec->start = p->start;
	spec->end = at;
	if (at <= p->start) {
		/* ended the moment it began: it never was in force */
		spec->cancelled = true;
		spec->end = p->start + 1; /* a valid event still */
	}
	spec->sequence = p->sequence + 1;
	spec->poll_type = p->poll_type;
	spec->has_poll = p->has_poll;
	spec->poll = p->poll;
	spec->by = p->by;
}
