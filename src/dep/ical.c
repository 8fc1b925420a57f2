/*
 * The libical adapter: the only file that includes <libical/ical.h>.
 *
 * libical is lenient and keeps no line numbers, so parsing goes in three
 * steps: (1) a structural pre-scan of our own splits and unfolds lines
 * (RFC 5545 3.1), checks content-line syntax and BEGIN/END nesting and keeps
 * the physical line of every logical line; (2) the logical lines are fed to
 * libical one by one; (3) libical's X-LIC-ERROR markers are mapped back to a
 * line by comparing the properties libical kept with the lines of that
 * component. Time zones (pd_tz) are libical's built-in zones, read from the
 * system's tzdata.
 */
#include "dep/ical.h"

#include <ctype.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"

/* Recurrences are expanded at most this many years past DTSTART (daily
 * ones fewer: their search costs a step a day). */
#define PD_ICS_RECUR_YEARS       60
#define PD_ICS_RECUR_DAILY_YEARS 2
/* libical finds occurrences step by step (a day, a week ...), a few
 * microseconds a step: each file may ask for this many steps in all, so
 * no file, however crafted, keeps the loader busy for long. */
#define PD_ICS_STEP_BUDGET 400000

/* ------------------------------------------------------------------------ */
/* Time zones                                                               */

struct pd_tz {
	icaltimezone *zone;
	struct pd_tz *next;
	char name[64];
};

/* Zones looked up so far, for the life of the process (a pd_tz is
 * borrowed by callers): a list guarded by a mutex because the HTTP server
 * looks zones up from several threads. Only names that resolve are kept,
 * and there are some 600 IANA zones, so the list stays small. */
static struct pd_tz *tz_list;
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static icaltimezone *builtin_zone(const char *name)
{
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "GMT") == 0 || strcmp(name, "Z") == 0)
		return icaltimezone_get_utc_timezone();
	return icaltimezone_get_builtin_timezone(name);
}

pd_rc pd_tz_get(const pd_tz **out, const char *name)
{
	struct pd_tz *t;
	icaltimezone *z;
	pd_rc rc = PD_OK;

	if (!name || !*name || strlen(name) >= sizeof(tz_list->name))
		return pd_error_set(PD_ECONFIG, "time zone '%s' is not valid",
		                    name ? name : "");
	pthread_mutex_lock(&tz_lock);
	for (t = tz_list; t; t = t->next) {
		if (strcmp(t->name, name) == 0) {
			*out = t;
			goto done;
		}
	}
	z = builtin_zone(name);
	if (!z) {
		rc = pd_error_set(PD_ECONFIG,
		                  "time zone '%s' is unknown (use an IANA name "
		                  "such as Europe/London)",
		                  name);
		goto done;
	}
	t = pd_calloc(1, sizeof(*t));
	if (!t) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	t->zone = z;
	memcpy(t->name, name, strlen(name) + 1);
	t->next = tz_list;
	tz_list = t;
	*out = t;
done:
	pthread_mutex_unlock(&tz_lock);
	return rc;
}

const char *pd_tz_name(const pd_tz *tz)
{
	return tz->name;
}

static struct icaltimetype civil_tt(pd_civil c, int is_date)
{
	struct icaltimetype tt = icaltime_null_time();

	tt.year = c.year;
	tt.month = c.month;
	tt.day = c.day;
	tt.hour = is_date ? 0 : c.hour;
	tt.minute = is_date ? 0 : c.min;
	tt.second = is_date ? 0 : c.sec;
	tt.is_date = is_date;
	return tt;
}

/* Local "civil seconds" of an instant in a zone (back: from_civil_secs),
 * and the zone's UTC offset (seconds east) then. */
static int64_t tt_civil_secs(struct icaltimetype tt)
{
	pd_date d = {tt.year, tt.month, tt.day};
	return pd_date_to_days(d) * 86400 + tt.hour * 3600 + tt.minute * 60 +
	       tt.second;
}

static int64_t civil_secs(icaltimezone *zone, pd_instant t)
{
	return tt_civil_secs(icaltime_from_timet_with_zone((time_t)t, 0, zone));
}

static int64_t offset_at(icaltimezone *zone, int64_t t)
{
	return civil_secs(zone, t) - t;
}

/*
 * Local civil time in `zone` to an instant, as RFC 5545 3.3.5 says: a time
 * that does not exist (in a spring-forward gap) takes the offset from
 * before the gap; a time that happens twice is its first occurrence.
 */
static pd_instant zone_to_instant(icaltimezone *zone, pd_civil c)
{
	pd_date d = {c.year, c.month, c.day};
	int64_t local =
	        pd_date_to_days(d) * 86400 + c.hour * 3600 + c.min * 60 + c.sec;
	/* Offsets in force a day either side bracket any transition. */
	int64_t before = offset_at(zone, local - 86400);
	int64_t after = offset_at(zone, local + 86400);
	int64_t t1 = local - before, t2 = local - after;
	bool ok1 = offset_at(zone, t1) == before;
	bool ok2 = offset_at(zone, t2) == after;

	if (ok1 && ok2)
		return t1 < t2 ? t1 : t2; /* repeated: the first occurrence */
	if (ok1)
		return t1;
	if (ok2)
		return t2;
	return t1; /* in the gap: the offset from before it */
}

/* An icaltimetype's fields as a pd_civil. */
static pd_civil tt_civil(struct icaltimetype tt)
{
	pd_civil c = {tt.year, tt.month, tt.day, tt.hour, tt.minute, tt.second};
	return c;
}

pd_instant pd_tz_local_to_instant(const pd_tz *tz, pd_civil c)
{
	return zone_to_instant(tz->zone, c);
}

void pd_tz_instant_to_local(const pd_tz *tz, pd_instant t, pd_civil *out,
                            int *utc_offset)
{
	struct icaltimetype tt =
	        icaltime_from_timet_with_zone((time_t)t, 0, tz->zone);

	*out = tt_civil(tt);
	*utc_offset = (int)(tt_civil_secs(tt) - t);
}

void pd_ics_cleanup(void)
{
	pthread_mutex_lock(&tz_lock);
	while (tz_list) {
		struct pd_tz *next = tz_list->next;
		pd_free(tz_list);
		tz_list = next;
	}
	icaltimezone_free_builtin_timezones();
	pthread_mutex_unlock(&tz_lock);
}

/* Outlook writes Windows zone names as TZID; when a file carries no
 * VTIMEZONE for them we map the common ones to IANA names (after CLDR's
 * windowsZones table, "001" territory). */
static const char *const windows_zones[][2] = {
        {"GMT Standard Time", "Europe/London"},
        {"Greenwich Standard Time", "Atlantic/Reykjavik"},
        {"UTC", "UTC"},
        {"W. Europe Standard Time", "Europe/Berlin"},
        {"Romance Standard Time", "Europe/Paris"},
        {"Central Europe Standard Time", "Europe/Budapest"},
        {"Central European Standard Time", "Europe/Warsaw"},
        {"GTB Standard Time", "Europe/Bucharest"},
        {"FLE Standard Time", "Europe/Kiev"},
        {"E. Europe Standard Time", "Europe/Chisinau"},
        {"Eastern Standard Time", "America/New_York"},
        {"Central Standard Time", "America/Chicago"},
        {"Mountain Standard Time", "America/Denver"},
        {"Pacific Standard Time", "America/Los_Angeles"},
        {"AUS Eastern Standard Time", "Australia/Sydney"},
        {"India Standard Time", "Asia/Calcutta"},
        {"China Standard Time", "Asia/Shanghai"},
        {"Tokyo Standard Time", "Asia/Tokyo"},
};

/* Resolve a TZID that no VTIMEZONE in the file defines. */
static icaltimezone *zone_by_tzid(const char *tzid)
{
	const pd_tz *tz;
	const char *p;
	size_t i;
	static const char *const areas[] = {
	        "Europe/",   "America/", "Africa/", "Asia/", "Australia/",
	        "Atlantic/", "Pacific/", "Indian/", "Etc/"};

	for (i = 0; i < sizeof(windows_zones) / sizeof(windows_zones[0]); i++)
		if (strcmp(tzid, windows_zones[i][0]) == 0)
			return pd_tz_get(&tz, windows_zones[i][1]) < 0
			               ? NULL
			               : tz->zone;
	/* "Europe/London", "/mozilla.org/20050126_1/Europe/London" ... */
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		p = strstr(tzid, areas[i]);
		if (p && pd_tz_get(&tz, p) == PD_OK)
			return tz->zone;
	}
	if (strcmp(tzid, "UTC") == 0 || strcmp(tzid, "GMT") == 0)
		return icaltimezone_get_utc_timezone();
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Pre-scan: lines, unfolding, structure                                    */

#define PD_ICS_MAX_DEPTH 8
#define PD_ICS_MAX_LINES 2000000

typedef struct {
	char *text; /* logical line, NUL-terminated, in the arena */
	int line;   /* physical line number of its first part */
	int depth;  /* nesting depth of the component it belongs to */
	int comp;   /* index of the component it belongs to, -1 at top */
	char kind;  /* 'B' BEGIN, 'E' END, 'P' property */
} logline;

typedef struct {
	int begin_idx, end_idx; /* indices into lines */
	char name[32];
} compinfo;

typedef struct {
	const char *file;
	logline *lines;
	size_t nlines;
	compinfo *comps;
	size_t ncomps;
	char *arena;
} prescan;

static void prescan_free(prescan *ps)
{
	pd_free(ps->lines);
	pd_free(ps->comps);
	pd_free(ps->arena);
}

static int is_name_char(unsigned char c)
{
	return isalnum(c) || c == '-';
}

/* Length of the name at the start of a content line, 0 when malformed. */
static size_t line_name_len(const char *s)
{
	size_t n = 0;

	while (is_name_char((unsigned char)s[n]))
		n++;
	if (n == 0 || (s[n] != ':' && s[n] != ';'))
		return 0;
	return n;
}

/* The value of a content line: after the first ':' that is not inside a
 * quoted parameter value (RFC 5545 3.1), or NULL when there is none. */
static const char *line_value(const char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ':' && !quoted)
			return s + 1;
	}
	return NULL;
}

static int name_is(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

/* Value after "BEGIN:"/"END:", trimmed of trailing blanks. */
static void comp_name(char *dst, size_t cap, const char *value)
{
	size_t n = strlen(value);

	while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)toupper((unsigned char)value[i]);
	dst[n] = '\0';
}

static pd_rc prescan_run(prescan *ps, const char *text, size_t len)
{
	size_t i = 0, cap_lines = 0, cap_comps = 0, out = 0;
	int phys = 0, stack[PD_ICS_MAX_DEPTH], depth = 0, seen_cal = 0;
	pd_rc rc = PD_OK;

	if (len >= 3 && (unsigned char)text[0] == 0xEF &&
	    (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
		i = 3; /* UTF-8 byte-order mark */
	ps->arena = pd_malloc(len + 1);
	if (!ps->arena)
		return pd_error_set(PD_ENOMEM, "out of memory");

	while (i < len) {
		/* One physical line [i, e). */
		size_t e = i, start_out = out;
		int first_line;
		logline *ll;
		size_t nl;

		phys++;
		first_line = phys;
		for (;;) {
			while (e < len && text[e] != '\n' && text[e] != '\r') {
				if (text[e] == '\0')
					return pd_error_set(
					        PD_ECONFIG,
					        "%s:%d: NUL byte in the file",
					        ps->file, phys);
				ps->arena[out++] = text[e++];
			}
			/* Line end: CRLF, LF or lone CR. */
			if (e < len && text[e] == '\r')
				e++;
			if (e < len && text[e] == '\n')
				e++;
			/* A following line starting with space/tab continues
			 * this one (RFC 5545 3.1). */
			if (e < len && (text[e] == ' ' || text[e] == '\t')) {
				phys++;
				e++;
				continue;
			}
			break;
		}
		i = e;
		ps->arena[out++] = '\0';
		if (ps->arena[start_out] == '\0')
			continue; /* blank line: tolerated, ignored */
		if (ps->nlines >= PD_ICS_MAX_LINES)
			return pd_error_set(
			        PD_ECONFIG, "%s:%d: more than %d lines",
			        ps->file, first_line, PD_ICS_MAX_LINES);
		if (ps->nlines == cap_lines) {
			size_t nc = cap_lines ? cap_lines * 2 : 256;
			logline *n = pd_realloc(ps->lines, nc * sizeof(*n));
			if (!n)
				return pd_error_set(PD_ENOMEM, "out of memory");
			ps->lines = n;
			cap_lines = nc;
		}
		ll = &ps->lines[ps->nlines];
		ll->text = ps->arena + start_out;
		ll->line = first_line;
		nl = line_name_len(ll->text);
		if (nl == 0)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: not an iCalendar content line "
			        "(expected NAME:value)",
			        ps->file, first_line);
		if (!line_value(ll->text + nl))
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: no ':' before the value of %.*s",
			        ps->file, first_line, (int)nl, ll->text);
		if ((name_is(ll->text, nl, "BEGIN") ||
		     name_is(ll->text, nl, "END")) &&
		    ll->text[nl] != ':')
			return pd_error_set(
			        PD_ECONFIG, "%s:%d: %.*s takes no parameters",
			        ps->file, first_line, (int)nl, ll->text);
		if (name_is(ll->text, nl, "BEGIN") && ll->text[nl] == ':') {
			compinfo *ci;
			if (depth == PD_ICS_MAX_DEPTH)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: components nested deeper "
				        "than %d",
				        ps->file, first_line, PD_ICS_MAX_DEPTH);
			if (ps->ncomps == cap_comps) {
				size_t nc = cap_comps ? cap_comps * 2 : 64;
				compinfo *n =
				        pd_realloc(ps->comps, nc * sizeof(*n));
				if (!n)
					return pd_error_set(PD_ENOMEM,
					                    "out of memory");
				ps->comps = n;
				cap_comps = nc;
			}
			ci = &ps->comps[ps->ncomps];
			comp_name(ci->name, sizeof(ci->name),
			          ll->text + nl + 1);
			if (!ci->name[0])
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: BEGIN without a component name",
				        ps->file, first_line);
			if (depth == 0) {
				if (strcmp(ci->name, "VCALENDAR") != 0)
					return pd_error_set(
					        PD_ECONFIG,
					        "%s:%d: BEGIN:%s outside "
					        "BEGIN:VCALENDAR",
					        ps->file, first_line, ci->name);
				seen_cal = 1;
			}
			ci->begin_idx = (int)ps->nlines;
			ci->end_idx = -1;
			ll->kind = 'B';
			ll->comp = depth ? stack[depth - 1] : -1;
			ll->depth = depth;
			stack[depth++] = (int)ps->ncomps++;
		} else if (name_is(ll->text, nl, "END") &&
		           ll->text[nl] == ':') {
			char nm[32];
			compinfo *open;
			comp_name(nm, sizeof(nm), ll->text + nl + 1);
			if (depth == 0)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: END:%s without a BEGIN",
				        ps->file, first_line, nm);
			open = &ps->comps[stack[depth - 1]];
			if (strcmp(nm, open->name) != 0)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: END:%s does not close BEGIN:%s "
				        "of line %d",
				        ps->file, first_line, nm, open->name,
				        ps->lines[open->begin_idx].line);
			open->end_idx = (int)ps->nlines;
			ll->kind = 'E';
			ll->comp = stack[depth - 1];
			ll->depth = --depth;
		} else {
			if (depth == 0)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: property outside any component",
				        ps->file, first_line);
			ll->kind = 'P';
			ll->comp = stack[depth - 1];
			ll->depth = depth;
		}
		ps->nlines++;
	}
	if (depth > 0) {
		compinfo *open = &ps->comps[stack[depth - 1]];
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: file ends inside BEGIN:%s of line %d", ps->file,
		        phys, open->name, ps->lines[open->begin_idx].line);
	}
	if (!seen_cal)
		return pd_error_set(PD_ECONFIG,
		                    "%s:%d: no BEGIN:VCALENDAR in the file",
		                    ps->file, phys ? phys : 1);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* libical errors back to lines                                             */

typedef struct {
	char name[64];
	size_t kept, seen;
} namecount;

static int namecount_cmp(const void *a, const void *b)
{
	return strcasecmp(((const namecount *)a)->name,
	                  ((const namecount *)b)->name);
}

static namecount *find_name(namecount *v, size_t n, const char *name,
                            size_t len)
{
	size_t lo = 0, hi = n;
	char key[64];

	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcasecmp(v[mid].name, key);
		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The line of the first property of component `ci` that libical dropped,
 * or the component's BEGIN line when none can be told: count the
 * properties libical kept, by name, then walk the component's lines and
 * report the first line whose name has been seen more often than kept.
 * O((lines + properties) log properties).
 */
static int dropped_line(const prescan *ps, size_t ci, icalcomponent *c)
{
	const compinfo *info = &ps->comps[ci];
	namecount *v = NULL;
	size_t n = 0, cap = 0, w = 0;
	int line = ps->lines[info->begin_idx].line;
	icalproperty *p;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		const char *pn = icalproperty_get_property_name(p);
		if (icalproperty_isa(p) == ICAL_XLICERROR_PROPERTY || !pn ||
		    strlen(pn) >= sizeof(v->name))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			namecount *nv = pd_realloc(v, nc * sizeof(*nv));
			if (!nv)
				goto done; /* cannot tell: the BEGIN line */
			v = nv;
			cap = nc;
		}
		memcpy(v[n].name, pn, strlen(pn) + 1);
		v[n].kept = 1;
		v[n].seen = 0;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), namecount_cmp);
	for (size_t r = 0; r < n; r++) { /* merge equal names */
		if (w && strcasecmp(v[w - 1].name, v[r].name) == 0)
			v[w - 1].kept++;
		else
			v[w++] = v[r];
	}
	for (int idx = info->begin_idx + 1; idx < info->end_idx; idx++) {
		const logline *ll = &ps->lines[idx];
		namecount *nc;
		if (ll->kind != 'P' || ll->comp != (int)ci)
			continue;
		nc = find_name(v, w, ll->text, line_name_len(ll->text));
		if (!nc || ++nc->seen > nc->kept) {
			line = ll->line;
			break;
		}
	}
done:
	pd_free(v);
	return line;
}

typedef struct {
	const prescan *ps;
	size_t next_comp; /* pre-order index into ps->comps */
} walkstate;

/* Does `hay` contain `needle`, ignoring ASCII case? */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* The line an X-LIC-ERROR is about: a property libical dropped, else the
 * first property of the component whose name the message mentions, else
 * the component's BEGIN line. */
static int error_line(const prescan *ps, size_t ci, icalcomponent *c,
                      const char *msg)
{
	const compinfo *info = &ps->comps[ci];
	int line = dropped_line(ps, ci, c);

	if (line != ps->lines[info->begin_idx].line || !msg)
		return line;
	/* A "PARAM=VALUE" the message quotes names its line best. */
	{
		const char *eq = strrchr(msg, '=');
		if (eq && eq > msg) {
			const char *a = eq, *b = eq;
			char frag[128];
			while (a > msg && !isspace((unsigned char)a[-1]))
				a--;
			while (*b && !isspace((unsigned char)*b))
				b++;
			if ((size_t)(b - a) < sizeof(frag) && b - a > 2) {
				memcpy(frag, a, (size_t)(b - a));
				frag[b - a] = '\0';
				for (int idx = info->begin_idx + 1;
				     idx < info->end_idx; idx++) {
					const logline *ll = &ps->lines[idx];
					if (ll->kind == 'P' &&
					    ll->comp == (int)ci &&
					    contains_ci(ll->text, frag))
						return ll->line;
				}
			}
		}
	}
	for (int idx = info->begin_idx + 1; idx < info->end_idx; idx++) {
		const logline *ll = &ps->lines[idx];
		size_t nl = line_name_len(ll->text);
		const char *hit;
		char name[64];
		if (ll->kind != 'P' || ll->comp != (int)ci ||
		    nl >= sizeof(name))
			continue;
		for (size_t k = 0; k < nl; k++)
			name[k] = (char)toupper((unsigned char)ll->text[k]);
		name[nl] = '\0';
		/* the name as a name, not as a value ("VALUE=UID") */
		for (hit = strstr(msg, name); hit; hit = strstr(hit + 1, name))
			if ((hit == msg || (!isalnum((unsigned char)hit[-1]) &&
			                    hit[-1] != '=')) &&
			    !isalnum((unsigned char)hit[nl]))
				return ll->line;
	}
	return line;
}

/*
 * libical drops a property with an empty value and says "No value for NAME
 * property". Exports do write such lines (Google: "DESCRIPTION:"), and
 * dropping an empty value loses nothing, so that one error is tolerated when
 * the component really has a NAME line with an empty value. Every other
 * error is fatal.
 */
static bool empty_value_error(const prescan *ps, size_t ci, const char *msg)
{
	static const char pre[] = "No value for ";
	const compinfo *info = &ps->comps[ci];
	const char *name = msg + sizeof(pre) - 1;
	size_t nl = 0;

	if (strncmp(msg, pre, sizeof(pre) - 1) != 0)
		return false;
	while (is_name_char((unsigned char)name[nl]))
		nl++;
	if (nl == 0 || strncmp(name + nl, " property", 9) != 0)
		return false;
	for (int idx = info->begin_idx + 1; idx < info->end_idx; idx++) {
		const logline *ll = &ps->lines[idx];
		const char *v;
		if (ll->kind != 'P' || ll->comp != (int)ci ||
		    line_name_len(ll->text) != nl ||
		    strncasecmp(ll->text, name, nl) != 0)
			continue;
		v = line_value(ll->text + nl);
		if (!v)
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\0')
			return true;
	}
	return false;
}

static pd_rc check_errors(walkstate *ws, icalcomponent *c)
{
	size_t me = ws->next_comp++;
	icalproperty *p;
	icalcomponent *sub;
	pd_rc rc;
	int tolerated = 0; /* each is checked in O(lines): bounded */

	if (me < ws->ps->ncomps) {
		for (p = icalcomponent_get_first_property(
		             c, ICAL_XLICERROR_PROPERTY);
		     p; p = icalcomponent_get_next_property(
		                c, ICAL_XLICERROR_PROPERTY)) {
			const char *msg = icalproperty_get_xlicerror(p);
			if (msg && ++tolerated <= 64 &&
			    empty_value_error(ws->ps, me, msg))
				continue;
			return pd_error_set(
			        PD_ECONFIG, "%s:%d: %s", ws->ps->file,
			        error_line(ws->ps, me, c, msg),
			        msg ? msg : "libical reported an error");
		}
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub; sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		if ((rc = check_errors(ws, sub)) < 0)
			return rc;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

typedef struct {
	const char *file;
	icalcomponent *cal; /* the VCALENDAR */
	icalcomponent *ev;  /* the VEVENT */
	const pd_tz *tz;    /* floating times */
	icaltimezone *wr_zone;
	int line;
	int dtstart_line;
	int dtend_line;
	long *budget; /* search steps left for this file's rules */
} evpriv;

/* The logical line index of the n-th property `name` of component ci. */
static int prop_line(const prescan *ps, size_t ci, const char *name)
{
	const compinfo *info = &ps->comps[ci];
	size_t nl = strlen(name);

	for (int idx = info->begin_idx + 1; idx < info->end_idx; idx++) {
		const logline *ll = &ps->lines[idx];
		if (ll->kind == 'P' && ll->comp == (int)ci &&
		    line_name_len(ll->text) == nl &&
		    strncasecmp(ll->text, name, nl) == 0)
			return ll->line;
	}
	return ps->lines[info->begin_idx].line;
}

static const char *x_value(icalcomponent *c, const char *name)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
		const char *xn = icalproperty_get_x_name(p);
		if (xn && strcasecmp(xn, name) == 0)
			return icalproperty_get_x(p);
	}
	return NULL;
}

typedef struct {
	const char **items;
	size_t count, cap;
	char *store; /* one allocation per list item, tracked here */
	char **owned;
	size_t nowned;
} strvec;

static void strvec_dispose(strvec *v)
{
	for (size_t i = 0; i < v->nowned; i++)
		pd_free(v->owned[i]);
	pd_free(v->owned);
	pd_free(v->items);
	memset(v, 0, sizeof(*v));
}

/* Split `value` on unescaped commas; trim; drop empty items; unescape. */
static pd_rc strvec_add_split(strvec *v, const char *value)
{
	const char *p = value;

	while (p && *p) {
		const char *q = p;
		char *item, *w;
		size_t n;

		while (*q && *q != ',') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		item = pd_malloc((size_t)(q - p) + 1);
		if (!item)
			return pd_error_set(PD_ENOMEM, "out of memory");
		w = item;
		for (const char *r = p; r < q; r++) {
			if (*r == '\\' && r + 1 < q) {
				r++;
				*w++ = (*r == 'n' || *r == 'N') ? ' ' : *r;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		/* trim */
		w = item;
		while (*w == ' ' || *w == '\t')
			w++;
		n = strlen(w);
		while (n && (w[n - 1] == ' ' || w[n - 1] == '\t'))
			n--;
		memmove(item, w, n);
		item[n] = '\0';
		if (v->nowned % 16 == 0) {
			char **no = pd_realloc(v->owned,
			                       (v->nowned + 16) * sizeof(*no));
			if (!no) {
				pd_free(item);
				return pd_error_set(PD_ENOMEM, "out of memory");
			}
			v->owned = no;
		}
		v->owned[v->nowned++] = item;
		if (n) {
			if (v->count == v->cap) {
				size_t nc = v->cap ? v->cap * 2 : 8;
				const char **ni =
				        pd_realloc(v->items, nc * sizeof(*ni));
				if (!ni)
					return pd_error_set(PD_ENOMEM,
					                    "out of memory");
				v->items = ni;
				v->cap = nc;
			}
			v->items[v->count++] = item;
		}
		p = *q ? q + 1 : q;
	}
	return PD_OK;
}

/* Resolve a date or date-time property value to a pd_ics_when, also giving
 * the zone used (NULL for dates). */
static pd_rc resolve_time(const evpriv *e, icalproperty *prop,
                          struct icaltimetype tt, const char *what, int line,
                          pd_ics_when *out, icaltimezone **zone_out)
{
	icaltimezone *zone = NULL;

	if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt) ||
	    tt.year < PD_YEAR_MIN || tt.year > PD_YEAR_MAX)
		return pd_error_set(PD_ECONFIG, "%s:%d: %s has no usable value",
		                    e->file, line, what);
	if (tt.is_date) {
		pd_date d = {tt.year, tt.month, tt.day};
		if (!pd_date_valid(d))
			return pd_error_set(PD_ECONFIG,
			                    "%s:%d: %s is not a valid date",
			                    e->file, line, what);
		out->is_date = true;
		out->date = d;
		out->time = 0;
		if (zone_out)
			*zone_out = NULL;
		return PD_OK;
	}
	if (icaltime_is_utc(tt)) {
		zone = icaltimezone_get_utc_timezone();
	} else if (tt.zone) {
		zone = (icaltimezone *)tt.zone;
	} else {
		icalparameter *tzp = prop ? icalproperty_get_first_parameter(
		                                    prop, ICAL_TZID_PARAMETER)
		                          : NULL;
		if (tzp) {
			const char *tzid = icalparameter_get_tzid(tzp);
			if (tzid)
				zone = icalcomponent_get_timezone(e->cal, tzid);
			if (!zone && tzid)
				zone = zone_by_tzid(tzid);
			if (!zone)
				return pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: %s uses time zone '%s', which "
				        "the file does not define (no "
				        "VTIMEZONE) and purdah does not know",
				        e->file, line, what, tzid ? tzid : "");
		} else {
			zone = e->wr_zone ? e->wr_zone
			                  : e->tz->zone; /* floating */
		}
	}
	out->is_date = false;
	out->time = zone == icaltimezone_get_utc_timezone()
	                    ? (pd_instant)icaltime_as_timet_with_zone(tt, zone)
	                    : zone_to_instant(zone, tt_civil(tt));
	if (zone_out)
		*zone_out = zone;
	return PD_OK;
}

static pd_rc parse_events(const prescan *ps, icalcomponent *cal, size_t cal_ci,
                          const pd_tz *tz, pd_ics_event_fn fn, void *ctx,
                          long *budget)
{
	pd_ics_calinfo info;
	icalcomponent *c;
	size_t ci = cal_ci;
	pd_rc rc = PD_OK;
	const pd_tz *wr = NULL;

	memset(&info, 0, sizeof(info));
	info.file = ps->file;
	info.line = ps->lines[ps->comps[cal_ci].begin_idx].line;
	info.kind = x_value(cal, "X-PURDAH-KIND");
	info.nation = x_value(cal, "X-PURDAH-NATION");
	info.name = x_value(cal, "X-WR-CALNAME");
	info.wr_tz = x_value(cal, "X-WR-TIMEZONE");
	if (info.wr_tz && pd_tz_get(&wr, info.wr_tz) < 0) {
		wr = NULL; /* an unknown X-WR-TIMEZONE is a hint we cannot use
		            */
		pd_error_clear();
	}

	/* Components of this calendar follow it in pre-order; find each
	 * VEVENT's index by scanning forward in ps->comps. */
	for (c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
	     c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
		pd_ics_event ev;
		evpriv priv;
		strvec cats = {0}, areas = {0};
		icalproperty *p;
		const char *s;

		/* advance to the next direct child of cal_ci */
		for (ci++; ci < ps->ncomps; ci++) {
			const logline *b = &ps->lines[ps->comps[ci].begin_idx];
			if (b->comp == (int)cal_ci)
				break;
		}
		if (ci >= ps->ncomps)
			return pd_error_set(PD_EINTERNAL,
			                    "%s: component structure mismatch",
			                    ps->file);
		if (icalcomponent_isa(c) != ICAL_VEVENT_COMPONENT)
			continue;

		memset(&ev, 0, sizeof(ev));
		memset(&priv, 0, sizeof(priv));
		priv.file = ps->file;
		priv.cal = cal;
		priv.ev = c;
		priv.tz = tz;
		priv.wr_zone = wr ? wr->zone : NULL;
		priv.line = ps->lines[ps->comps[ci].begin_idx].line;
		priv.budget = budget;
		priv.dtstart_line = prop_line(ps, ci, "DTSTART");
		priv.dtend_line = prop_line(ps, ci, "DTEND");
		ev.line = priv.line;
		ev.priv = &priv;
		ev.uid = icalcomponent_get_uid(c);
		ev.summary = icalcomponent_get_summary(c);
		ev.description = icalcomponent_get_description(c);
		ev.location = icalcomponent_get_location(c);
		ev.cancelled =
		        icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
		ev.sequence = icalcomponent_get_sequence(c);
		if (ev.sequence < 0)
			ev.sequence = 0;
		p = icalcomponent_get_first_property(c, ICAL_DTSTAMP_PROPERTY);
		if (p) {
			struct icaltimetype ds = icalproperty_get_dtstamp(p);
			if (!icaltime_is_null_time(ds) &&
			    icaltime_is_valid_time(ds)) {
				ev.has_dtstamp = true;
				ev.dtstamp =
				        (pd_instant)icaltime_as_timet_with_zone(
				                ds,
				                icaltimezone_get_utc_timezone());
			}
		}
		for (p = icalcomponent_get_first_property(
		             c, ICAL_CATEGORIES_PROPERTY);
		     p && rc == PD_OK; p = icalcomponent_get_next_property(
		                               c, ICAL_CATEGORIES_PROPERTY))
			rc = strvec_add_split(&cats,
			                      icalproperty_get_categories(p));
		/* Areas from the raw lines: libical unescapes X- values, and
		 * "Abbey\, North" is one area, "Abbey,North" two. */
		for (int idx = ps->comps[ci].begin_idx + 1;
		     idx < ps->comps[ci].end_idx && rc == PD_OK; idx++) {
			const logline *ll = &ps->lines[idx];
			if (ll->kind == 'P' && ll->comp == (int)ci &&
			    line_name_len(ll->text) == 13 &&
			    strncasecmp(ll->text, "X-PURDAH-AREA", 13) == 0)
				rc = strvec_add_split(
				        &areas, line_value(ll->text + 13));
		}
		ev.categories = cats.items;
		ev.ncategories = cats.count;
		ev.areas = areas.items;
		ev.nareas = areas.count;
		ev.kind = x_value(c, "X-PURDAH-KIND");
		ev.nation = x_value(c, "X-PURDAH-NATION");
		ev.poll_type = x_value(c, "X-PURDAH-TYPE");
		s = x_value(c, "X-PURDAH-POLL");
		if (rc == PD_OK && s) {
			if (pd_date_parse(&ev.poll, s, "X-PURDAH-POLL") < 0)
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: X-PURDAH-POLL '%s' is not a "
				        "date "
				        "(YYYY-MM-DD)",
				        ps->file,
				        prop_line(ps, ci, "X-PURDAH-POLL"), s);
			else
				ev.has_poll = true;
		}
		ev.by = x_value(c, "X-PURDAH-BY");
		s = x_value(c, "X-PURDAH-OPEN-ENDED");
		if (rc == PD_OK && s) {
			if (strcasecmp(s, "TRUE") == 0)
				ev.open_ended = true;
			else if (strcasecmp(s, "FALSE") != 0)
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: X-PURDAH-OPEN-ENDED '%s' is "
				        "not TRUE or FALSE",
				        ps->file,
				        prop_line(ps, ci,
				                  "X-PURDAH-OPEN-ENDED"),
				        s);
		}
		p = icalcomponent_get_first_property(
		        c, ICAL_RECURRENCEID_PROPERTY);
		if (rc == PD_OK && p) {
			ev.has_recurrence_id = true;
			rc = resolve_time(&priv, p,
			                  icalproperty_get_recurrenceid(p),
			                  "RECURRENCE-ID",
			                  prop_line(ps, ci, "RECURRENCE-ID"),
			                  &ev.recurrence_id, NULL);
		}
		if (rc == PD_OK)
			rc = fn(ctx, &info, &ev);
		strvec_dispose(&cats);
		strvec_dispose(&areas);
		if (rc < 0)
			return rc;
	}
	return PD_OK;
}

pd_rc pd_ics_parse(const char *file, const char *text, size_t len,
                   const pd_tz *tz, pd_ics_event_fn fn, void *ctx)
{
	prescan ps;
	long budget = PD_ICS_STEP_BUDGET;
	icalparser *parser = NULL;
	icalcomponent **roots = NULL;
	size_t nroots = 0, i;
	pd_rc rc;

	memset(&ps, 0, sizeof(ps));
	ps.file = file;
	if ((rc = prescan_run(&ps, text, len)) < 0)
		goto done;

	/* Every top-level component is a VCALENDAR (checked above); libical
	 * returns each as it is completed. */
	roots = pd_calloc(ps.ncomps, sizeof(*roots));
	parser = icalparser_new();
	if (!roots || !parser) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < ps.nlines; i++) {
		icalcomponent *c =
		        icalparser_add_line(parser, ps.lines[i].text);
		if (c) {
			if (nroots == ps.ncomps) {
				icalcomponent_free(c);
				rc = pd_error_set(PD_EINTERNAL,
				                  "%s: libical returned more "
				                  "calendars than the file has",
				                  file);
				goto done;
			}
			roots[nroots++] = c;
		}
	}
	{
		icalcomponent *tail = icalparser_clean(parser);
		if (tail)
			icalcomponent_free(tail);
	}
	if (nroots == 0) {
		rc = pd_error_set(PD_ECONFIG,
		                  "%s:%d: libical found no calendar", file,
		                  ps.lines[0].line);
		goto done;
	}
	{
		walkstate ws = {&ps, 0};
		size_t top = 0;
		for (i = 0; i < nroots; i++) {
			if (icalcomponent_isa(roots[i]) !=
			    ICAL_VCALENDAR_COMPONENT) {
				rc = pd_error_set(
				        PD_ECONFIG, "%s:%d: not a VCALENDAR",
				        file,
				        ps.lines[ps.comps[ws.next_comp < ps.ncomps
				                                  ? ws.next_comp
				                                  : 0]
				                         .begin_idx]
				                .line);
				goto done;
			}
			top = ws.next_comp;
			if ((rc = check_errors(&ws, roots[i])) < 0)
				goto done;
			if ((rc = parse_events(&ps, roots[i], top, tz, fn, ctx,
			                       &budget)) < 0)
				goto done;
		}
	}
	rc = PD_OK;
done:
	for (i = 0; i < nroots; i++)
		icalcomponent_free(roots[i]);
	pd_free(roots);
	if (parser)
		icalparser_free(parser);
	prescan_free(&ps);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Expansion                                                                */

typedef struct {
	pd_ics_occ *v;
	size_t n, cap;
} occvec;

static pd_rc occ_add(occvec *o, const evpriv *e, pd_ics_occ occ)
{
	if (o->n >= PD_ICS_MAX_OCCURRENCES)
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: the event recurs more than %d times "
		        "before 2200",
		        e->file, e->line, PD_ICS_MAX_OCCURRENCES);
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 4;
		pd_ics_occ *nv = pd_realloc(o->v, nc * sizeof(*nv));
		if (!nv)
			return pd_error_set(PD_ENOMEM, "out of memory");
		o->v = nv;
		o->cap = nc;
	}
	o->v[o->n++] = occ;
	return PD_OK;
}

static pd_instant from_civil_secs(icaltimezone *zone, int64_t cs)
{
	int64_t days = cs >= 0 ? cs / 86400 : -((-cs + 86399) / 86400);
	int64_t rem = cs - days * 86400;
	pd_date d = pd_days_to_date(days);
	pd_civil c = {d.year,
	              d.month,
	              d.day,
	              (int)(rem / 3600),
	              (int)(rem % 3600 / 60),
	              (int)(rem % 60)};
	return zone_to_instant(zone, c);
}

typedef struct {
	bool is_date;
	int64_t date_span;    /* days, for dates */
	int64_t nominal_secs; /* civil seconds added in the local zone */
	int64_t exact_secs;   /* then exact seconds */
	icaltimezone *zone;
} spanrule;

static pd_ics_occ make_occ(const spanrule *sr, pd_ics_when start)
{
	pd_ics_occ o;

	o.start = start;
	o.end = start;
	if (start.is_date) {
		o.end.date = pd_date_add_days(start.date, sr->date_span);
	} else {
		pd_instant t = start.time;
		if (sr->nominal_secs)
			t = from_civil_secs(sr->zone, civil_secs(sr->zone, t) +
			                                      sr->nominal_secs);
		o.end.time = t + sr->exact_secs;
	}
	return o;
}

int pd_ics_when_cmp(const pd_ics_when *a, const pd_ics_when *b)
{
	if (a->is_date != b->is_date)
		return a->is_date ? -1 : 1;
	if (a->is_date)
		return pd_date_cmp(a->date, b->date);
	return (a->time > b->time) - (a->time < b->time);
}

static int when_eq(pd_ics_when a, pd_ics_when b, icaltimezone *zone)
{
	if (a.is_date && b.is_date)
		return pd_date_cmp(a.date, b.date) == 0;
	if (!a.is_date && !b.is_date)
		return a.time == b.time;
	/* A DATE EXDATE against a timed event: same local date. */
	if (b.is_date && zone) {
		struct icaltimetype tt =
		        icaltime_from_timet_with_zone((time_t)a.time, 0, zone);
		pd_date d = {tt.year, tt.month, tt.day};
		return pd_date_cmp(d, b.date) == 0;
	}
	return 0;
}

static int occ_cmp(const void *pa, const void *pb)
{
	const pd_ics_occ *a = pa, *b = pb;
	return pd_ics_when_cmp(&a->start, &b->start);
}

static int month_days(int m)
{
	static const int d[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m >= 1 && m <= 12 ? d[m - 1] : 31;
}

/*
 * Refuse rules that cannot describe a period or that would make libical
 * search without end: finer than daily (a period lasts days), or a
 * BYMONTHDAY that no BYMONTH has (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 never
 * occurs, and libical would look for it day by day). An open-ended rule is
 * bounded to PD_ICS_RECUR_YEARS after DTSTART so the search is finite.
 */
static pd_rc check_rule(const evpriv *e, struct icalrecurrencetype *r,
                        struct icaltimetype dtstart)
{
	if (r->freq != ICAL_NO_RECURRENCE && r->freq < ICAL_DAILY_RECURRENCE)
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: RRULE recurs more often than daily, "
		        "which no period does",
		        e->file, e->line);
	if (r->freq == ICAL_DAILY_RECURRENCE) {
		/* A daily rule must end soon, or it would be cut short
		 * silently: say so instead. */
		struct icaltimetype lim = dtstart;
		lim.year += PD_ICS_RECUR_DAILY_YEARS;
		if ((r->count == 0 && icaltime_is_null_time(r->until)) ||
		    r->count > 366 * PD_ICS_RECUR_DAILY_YEARS ||
		    (!icaltime_is_null_time(r->until) &&
		     icaltime_compare(r->until, lim) > 0))
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: a daily RRULE must end within "
			        "%d years (give COUNT or UNTIL)",
			        e->file, e->line, PD_ICS_RECUR_DAILY_YEARS);
	}
	if (r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		bool possible = false;
		for (int i = 0; i < ICAL_BY_MONTHDAY_SIZE && !possible &&
		                r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
		     i++) {
			int d = abs(r->by_month_day[i]);
			if (r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX) {
				possible = d >= 1 && d <= 31;
				continue;
			}
			for (int k = 0;
			     k < ICAL_BY_MONTH_SIZE && !possible &&
			     r->by_month[k] != ICAL_RECURRENCE_ARRAY_MAX;
			     k++)
				possible =
				        d >= 1 &&
				        d <= month_days(
				                     icalrecurrencetype_month_month(
				                             r->by_month[k]));
		}
		if (!possible)
			return pd_error_set(PD_ECONFIG,
			                    "%s:%d: RRULE can never occur (no "
			                    "BYMONTH has that BYMONTHDAY)",
			                    e->file, e->line);
	}
	{
		long years = r->freq == ICAL_DAILY_RECURRENCE
		                     ? PD_ICS_RECUR_DAILY_YEARS
		                     : PD_ICS_RECUR_YEARS;
		long per_year = r->freq == ICAL_DAILY_RECURRENCE     ? 366
		                : r->freq == ICAL_WEEKLY_RECURRENCE  ? 53
		                : r->freq == ICAL_MONTHLY_RECURRENCE ? 12
		                                                     : 1;
		if (*e->budget < years * per_year)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: the file's recurrence rules "
			        "are too many to expand (more than %d "
			        "search steps)",
			        e->file, e->line, PD_ICS_STEP_BUDGET);
		*e->budget -= years * per_year;
	}
	/* Bound the search, COUNT or not: libical looks for the next
	 * occurrence step by step, so a rare one (29 February on a Monday,
	 * DAILY) costs a step per day until found. */
	{
		struct icaltimetype u = dtstart;
		u.year += r->freq == ICAL_DAILY_RECURRENCE
		                  ? PD_ICS_RECUR_DAILY_YEARS
		                  : PD_ICS_RECUR_YEARS;
		if (u.year > PD_YEAR_MAX)
			u.year = PD_YEAR_MAX;
		if (u.month == 2 && u.day == 29)
			u.day = 28;
		if (icaltime_is_null_time(r->until) ||
		    icaltime_compare(r->until, u) > 0)
			r->until = u;
	}
	return PD_OK;
}

pd_rc pd_ics_event_expand(const pd_ics_event *ev, pd_ics_occ **out,
                          size_t *count)
{
	const evpriv *e = ev->priv;
	icalcomponent *c = e->ev;
	icalproperty *p, *dtp;
	pd_ics_when start, end;
	icaltimezone *zone = NULL, *end_zone = NULL;
	spanrule sr;
	occvec occ = {NULL, 0, 0};
	pd_ics_when *ex = NULL;
	size_t nex = 0;
	pd_rc rc;
	int has_rule = 0;

	memset(&sr, 0, sizeof(sr));
	dtp = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	if (!dtp)
		return pd_error_set(PD_ECONFIG,
		                    "%s:%d: the event has no DTSTART", e->file,
		                    e->line);
	if ((rc = resolve_time(e, dtp, icalproperty_get_dtstart(dtp), "DTSTART",
	                       e->dtstart_line, &start, &zone)) < 0)
		return rc;
	sr.is_date = start.is_date;
	sr.zone = zone;

	p = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	if (p) {
		if ((rc = resolve_time(e, p, icalproperty_get_dtend(p), "DTEND",
		                       e->dtend_line, &end, &end_zone)) < 0)
			return rc;
		if (end.is_date != start.is_date)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: DTSTART and DTEND must both be dates "
			        "or both be date-times (RFC 5545 3.6.1)",
			        e->file, e->line);
		if (start.is_date) {
			sr.date_span = pd_date_to_days(end.date) -
			               pd_date_to_days(start.date);
		} else if (end_zone == zone) {
			sr.nominal_secs = civil_secs(zone, end.time) -
			                  civil_secs(zone, start.time);
		} else {
			sr.exact_secs = end.time - start.time;
		}
	} else if ((p = icalcomponent_get_first_property(
	                    c, ICAL_DURATION_PROPERTY))) {
		struct icaldurationtype d = icalproperty_get_duration(p);
		int64_t days = (int64_t)d.weeks * 7 + d.days;
		int64_t secs =
		        (int64_t)d.hours * 3600 + d.minutes * 60 + d.seconds;
		if (d.is_neg)
			days = -days, secs = -secs;
		if (start.is_date) {
			if (secs != 0)
				return pd_error_set(PD_ECONFIG,
				                    "%s:%d: an all-day event's "
				                    "DURATION must "
				                    "be in days or weeks (RFC "
				                    "5545 3.8.2.5)",
				                    e->file, e->line);
			sr.date_span = days;
		} else {
			sr.nominal_secs = days * 86400;
			sr.exact_secs = secs;
		}
	} else if (start.is_date) {
		sr.date_span = 1; /* RFC 5545 3.6.1: one day */
	} else {
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: a timed event needs DTEND or DURATION "
		        "to be a period",
		        e->file, e->line);
	}
	/* 200 years is longer than any period: a bigger span is an error,
	 * not an overflow. */
	if (sr.date_span > 73000 || sr.date_span < -73000 ||
	    sr.nominal_secs > 73000LL * 86400 ||
	    sr.nominal_secs < -73000LL * 86400 ||
	    sr.exact_secs > 73000LL * 86400 || sr.exact_secs < -73000LL * 86400)
		return pd_error_set(
		        PD_ECONFIG,
		        "%s:%d: the event lasts more than 200 years", e->file,
		        e->line);
	{
		pd_ics_occ first = make_occ(&sr, start);
		int ok = start.is_date ? pd_date_cmp(first.end.date,
		                                     first.start.date) > 0
		                       : first.end.time > first.start.time;
		if (!ok)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: the event ends before or when it "
			        "starts",
			        e->file, e->line);
	}

	/* EXDATEs */
	for (p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		pd_ics_when w;
		pd_ics_when *nx;
		if ((rc = resolve_time(e, p, icalproperty_get_exdate(p),
		                       "EXDATE", e->line, &w, NULL)) < 0)
			goto done;
		nx = pd_realloc(ex, (nex + 1) * sizeof(*nx));
		if (!nx) {
			rc = pd_error_set(PD_ENOMEM, "out of memory");
			goto done;
		}
		ex = nx;
		ex[nex++] = w;
	}

	/* RRULEs */
	for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
		struct icalrecurrencetype r = icalproperty_get_rrule(p);
		struct icaltimetype dt = icalproperty_get_dtstart(dtp);
		icalrecur_iterator *it;
		struct icaltimetype next;
		size_t guard = 0;

		has_rule = 1;
		if ((rc = check_rule(e, &r, dt)) < 0)
			goto done;
		if (r.freq == ICAL_NO_RECURRENCE) {
			rc = pd_error_set(PD_ECONFIG,
			                  "%s:%d: RRULE has no usable FREQ",
			                  e->file, e->line);
			goto done;
		}
		if (zone && !start.is_date)
			dt.zone = zone;
		it = icalrecur_iterator_new(r, dt);
		if (!it) {
			rc = pd_error_set(PD_ECONFIG,
			                  "%s:%d: RRULE cannot be expanded",
			                  e->file, e->line);
			goto done;
		}
		for (next = icalrecur_iterator_next(it);
		     !icaltime_is_null_time(next);
		     next = icalrecur_iterator_next(it)) {
			pd_ics_when w;
			memset(&w, 0, sizeof(w));
			if (++guard > PD_ICS_MAX_OCCURRENCES + 1) {
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%d: the event recurs more than %d "
				        "times before 2200",
				        e->file, e->line,
				        PD_ICS_MAX_OCCURRENCES);
				break;
			}
			if (next.year > PD_YEAR_MAX || next.year < PD_YEAR_MIN)
				break;
			if (start.is_date) {
				w.is_date = true;
				w.date.year = next.year;
				w.date.month = next.month;
				w.date.day = next.day;
				w.time = 0;
			} else {
				w.is_date = false;
				w.time = zone_to_instant(zone, tt_civil(next));
				if (w.time >= PD_ICS_HORIZON)
					break;
			}
			if ((rc = occ_add(&occ, e, make_occ(&sr, w))) < 0)
				break;
		}
		icalrecur_iterator_free(it);
		if (rc < 0)
			goto done;
	}
	if (!has_rule && (rc = occ_add(&occ, e, make_occ(&sr, start))) < 0)
		goto done;

	/* RDATEs */
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
		pd_ics_when w, we;
		pd_ics_occ o;
		if (!icaltime_is_null_time(dp.period.start)) {
			if ((rc = resolve_time(e, p, dp.period.start, "RDATE",
			                       e->line, &w, NULL)) < 0)
				goto done;
			o.start = w;
			if (!icaltime_is_null_time(dp.period.end)) {
				if ((rc = resolve_time(e, p, dp.period.end,
				                       "RDATE", e->line, &we,
				                       NULL)) < 0)
					goto done;
				o.end = we;
				if (pd_ics_when_cmp(&o.end, &o.start) <= 0) {
					rc = pd_error_set(
					        PD_ECONFIG,
					        "%s:%d: an RDATE period ends "
					        "before it starts",
					        e->file, e->line);
					goto done;
				}
			} else {
				o = make_occ(&sr, w);
				o.end.time =
				        w.time + icaldurationtype_as_int(
				                         dp.period.duration);
			}
		} else {
			if ((rc = resolve_time(e, p, dp.time, "RDATE", e->line,
			                       &w, NULL)) < 0)
				goto done;
			if (w.is_date != start.is_date) {
				rc = pd_error_set(PD_ECONFIG,
				                  "%s:%d: RDATE and DTSTART "
				                  "must be of the "
				                  "same type",
				                  e->file, e->line);
				goto done;
			}
			o = make_occ(&sr, w);
		}
		if ((rc = occ_add(&occ, e, o)) < 0)
			goto done;
	}

	/* Every occurrence ends within the years purdah handles. */
	for (size_t k = 0; k < occ.n; k++) {
		pd_ics_when e2 = occ.v[k].end;
		int year = e2.is_date ? e2.date.year
		                      : pd_days_to_date(e2.time / 86400).year;
		if (year > PD_YEAR_MAX + 1 ||
		    (!e2.is_date && e2.time >= PD_ICS_HORIZON)) {
			rc = pd_error_set(PD_ECONFIG,
			                  "%s:%d: the event ends after %d",
			                  e->file, e->line, PD_YEAR_MAX);
			goto done;
		}
	}
	/* Drop EXDATEs and duplicates, sort. */
	if (occ.n) {
		size_t w = 0;
		qsort(occ.v, occ.n, sizeof(*occ.v), occ_cmp);
		for (size_t r = 0; r < occ.n; r++) {
			int drop = 0;
			for (size_t k = 0; k < nex && !drop; k++)
				drop = when_eq(occ.v[r].start, ex[k], zone);
			if (!drop && w > 0 &&
			    occ_cmp(&occ.v[w - 1], &occ.v[r]) == 0)
				drop = 1;
			if (!drop)
				occ.v[w++] = occ.v[r];
		}
		occ.n = w;
	}
	*out = occ.v;
	*count = occ.n;
	occ.v = NULL;
	rc = PD_OK;
done:
	pd_free(occ.v);
	pd_free(ex);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Rendering                                                                */

static struct icaltimetype when_tt(pd_ics_when w)
{
	if (w.is_date) {
		pd_civil c = {w.date.year, w.date.month, w.date.day, 0, 0, 0};
		return civil_tt(c, 1);
	}
	return icaltime_from_timet_with_zone((time_t)w.time, 0,
	                                     icaltimezone_get_utc_timezone());
}

static icalproperty *x_prop(const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);
	if (p)
		icalproperty_set_x_name(p, name);
	return p;
}

/*
 * Append "NAME:value" as a content line with RFC 5545 TEXT escapes (3.3.11)
 * and folding at 75 octets (3.1), never inside a UTF-8 sequence. Used for
 * X-PURDAH-AREA, where libical would leave a comma unescaped (and an area
 * containing a comma would come back as two), and for X-PURDAH-BY.
 */
static pd_rc put_text_line(pd_buf *out, const char *name, const char *value)
{
	pd_buf line = PD_BUF_INIT(1 << 20);
	size_t col = 0;
	pd_rc rc;

	if ((rc = pd_buf_printf(&line, "%s:", name)) < 0)
		goto done;
	for (const char *v = value; *v && rc == PD_OK; v++) {
		if (*v == ',' || *v == ';' || *v == '\\')
			rc = pd_buf_putc(&line, '\\');
		if (rc == PD_OK)
			rc = *v == '\n' ? pd_buf_puts(&line, "\\n")
			                : pd_buf_putc(&line, *v);
	}
	for (size_t i = 0; i < line.len && rc == PD_OK; i++) {
		unsigned char c = (unsigned char)line.ptr[i];
		if (col >= 74 && (c & 0xC0) != 0x80) {
			rc = pd_buf_puts(out, "\r\n ");
			col = 1;
		}
		if (rc == PD_OK)
			rc = pd_buf_putc(out, (char)c);
		col++;
	}
	if (rc == PD_OK)
		rc = pd_buf_puts(out, "\r\n");
done:
	pd_buf_dispose(&line);
	return rc;
}

pd_rc pd_ics_event_render(pd_buf *out, const pd_ics_new_event *ne)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	char *text = NULL;
	pd_rc rc;
	size_t i;
	char poll[16];

	if (!ev)
		return pd_error_set(PD_ENOMEM, "out of memory");
	icalcomponent_add_property(ev, icalproperty_new_uid(ne->uid));
	icalcomponent_add_property(
	        ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
	                    (time_t)ne->dtstamp, 0,
	                    icaltimezone_get_utc_timezone())));
	icalcomponent_add_property(
	        ev, icalproperty_new_dtstart(when_tt(ne->start)));
	icalcomponent_add_property(ev,
	                           icalproperty_new_dtend(when_tt(ne->end)));
	if (ne->sequence > 0)
		icalcomponent_add_property(
		        ev, icalproperty_new_sequence(ne->sequence));
	icalcomponent_add_property(ev, icalproperty_new_summary(ne->summary));
	if (ne->description)
		icalcomponent_add_property(
		        ev, icalproperty_new_description(ne->description));
	for (i = 0; i < ne->ncategories; i++)
		icalcomponent_add_property(
		        ev, icalproperty_new_categories(ne->categories[i]));
	icalcomponent_add_property(
	        ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	if (ne->cancelled) /* RFC 5545 3.8.1.11 */
		icalcomponent_add_property(
		        ev, icalproperty_new_status(ICAL_STATUS_CANCELLED));

	if (ne->kind)
		icalcomponent_add_property(ev,
		                           x_prop("X-PURDAH-KIND", ne->kind));
	if (ne->poll_type)
		icalcomponent_add_property(
		        ev, x_prop("X-PURDAH-TYPE", ne->poll_type));
	if (ne->nation)
		icalcomponent_add_property(
		        ev, x_prop("X-PURDAH-NATION", ne->nation));
	if (ne->has_poll) {
		pd_date_format(poll, sizeof(poll), ne->poll);
		icalcomponent_add_property(ev, x_prop("X-PURDAH-POLL", poll));
	}
	if (ne->open_ended)
		icalcomponent_add_property(
		        ev, x_prop("X-PURDAH-OPEN-ENDED", "TRUE"));
	text = icalcomponent_as_ical_string_r(ev);
	if (!text) {
		rc = pd_error_set(PD_EDEP, "libical could not write the event");
		goto done;
	}
	/* libical's text ends with "END:VEVENT\r\n": X-PURDAH-BY and the
	 * areas (escaped by put_text_line) go before. */
	{
		size_t n = strlen(text);
		static const char end[] = "END:VEVENT\r\n";
		if (n < sizeof(end) - 1 ||
		    strcmp(text + n - (sizeof(end) - 1), end) != 0) {
			rc = pd_error_set(PD_EDEP,
			                  "libical wrote an unexpected event");
			goto done;
		}
		rc = pd_buf_put(out, text, n - (sizeof(end) - 1));
		if (rc == PD_OK && ne->by)
			rc = put_text_line(out, "X-PURDAH-BY", ne->by);
		for (i = 0; i < ne->nareas && rc == PD_OK; i++)
			rc = put_text_line(out, "X-PURDAH-AREA", ne->areas[i]);
		if (rc == PD_OK)
			rc = pd_buf_puts(out, end);
	}
done:
	free(text);
	icalcomponent_free(ev);
	return rc;
}
