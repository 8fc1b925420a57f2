/*
 * The libical adapter's interface to the core (private to libpurdah).
 *
 * pd_ics_parse() reads one iCalendar text, checks its structure with line
 * numbers of its own (libical keeps none), hands each VEVENT to a callback in
 * a neutral form, and can expand an event's occurrences (RRULE, RDATE,
 * EXDATE) into instants or whole local dates. No libical type escapes this
 * interface; pd_ics_event_render() writes new events as RFC 5545 text.
 */
#ifndef PURDAH_DEP_ICAL_H
#define PURDAH_DEP_ICAL_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/time.h"

/* A DTSTART/DTEND-like value: a whole date or an instant. */
typedef struct pd_ics_when {
	bool is_date;
	pd_date date;    /* when is_date */
	pd_instant time; /* when !is_date */
} pd_ics_when;

/* Order two values: dates before instants, then by value. */
int pd_ics_when_cmp(const pd_ics_when *a, const pd_ics_when *b);

typedef struct pd_ics_occ {
	pd_ics_when start, end; /* end exclusive (RFC 5545 3.6.1) */
} pd_ics_occ;

/* Properties of the enclosing VCALENDAR. Strings borrowed for the callback. */
typedef struct pd_ics_calinfo {
	const char *file;
	int line;           /* BEGIN:VCALENDAR */
	const char *kind;   /* X-PURDAH-KIND or NULL */
	const char *nation; /* X-PURDAH-NATION or NULL */
	const char *name;   /* X-WR-CALNAME or NULL */
	const char *wr_tz;  /* X-WR-TIMEZONE or NULL */
} pd_ics_calinfo;

/* One VEVENT. Every pointer is borrowed and valid only during the callback. */
typedef struct pd_ics_event {
	int line;        /* BEGIN:VEVENT */
	const char *uid; /* NULL when absent */
	const char *summary, *description, *location;
	bool cancelled; /* STATUS:CANCELLED (RFC 5545 3.8.1.11) */
	int sequence;   /* 0 when absent (RFC 5545 3.8.7.4) */
	bool has_dtstamp;
	pd_instant dtstamp;
	const char **categories; /* split on commas, trimmed */
	size_t ncategories;
	const char **areas; /* X-PURDAH-AREA, split on commas, trimmed */
	size_t nareas;
	const char *kind;      /* X-PURDAH-KIND on the event, or NULL */
	const char *nation;    /* X-PURDAH-NATION on the event, or NULL */
	const char *poll_type; /* X-PURDAH-TYPE, or NULL */
	bool has_poll;         /* X-PURDAH-POLL (a date) */
	pd_date poll;
	bool open_ended;        /* X-PURDAH-OPEN-ENDED:TRUE */
	const char *by;         /* X-PURDAH-BY, or NULL */
	bool has_recurrence_id; /* RECURRENCE-ID: this overrides one instance */
	pd_ics_when recurrence_id;
	const void *priv; /* for pd_ics_event_expand() */
} pd_ics_event;

typedef pd_rc (*pd_ics_event_fn)(void *ctx, const pd_ics_calinfo *cal,
                                 const pd_ics_event *ev);

/*
 * Parse `len` bytes of `text` (named `file` in messages). Floating times are
 * taken in the calendar's X-WR-TIMEZONE when it names a known zone, else in
 * `tz`; whole dates are left as dates. Calls `fn` for each VEVENT in order;
 * a negative return from `fn` stops the parse and is returned.
 * PD_ECONFIG with "file:line: reason" for anything malformed.
 */
pd_rc pd_ics_parse(const char *file, const char *text, size_t len,
                   const pd_tz *tz, pd_ics_event_fn fn, void *ctx);

/* Expansion stops at this instant (2200-01-01T00:00Z) ... */
#define PD_ICS_HORIZON ((pd_instant)7258118400LL)
/* ... and an event with more occurrences than this is an error. */
#define PD_ICS_MAX_OCCURRENCES 5000

/*
 * The occurrences of `ev` (callable only from inside the callback), in
 * order: DTSTART (+ RRULE instances + RDATEs) minus EXDATEs, each with its
 * end from DTEND, DURATION, or one day for a date with neither.
 * `*out` is allocated (free with pd_free), `*count` set.
 * PD_ECONFIG "file:line: ..." when there is no usable start, the time zone is
 * unknown, the end is before the start, or the rule is unusable.
 */
pd_rc pd_ics_event_expand(const pd_ics_event *ev, pd_ics_occ **out,
                          size_t *count);

/* What pd_ics_event_render() writes. Strings are copied into the text. */
typedef struct pd_ics_new_event {
	const char *uid, *summary, *description;
	const char *const *categories;
	size_t ncategories;
	const char *const *areas;
	size_t nareas;
	pd_ics_when start, end;
	int sequence;
	pd_instant dtstamp;
	const char *kind;      /* X-PURDAH-KIND or NULL */
	const char *nation;    /* X-PURDAH-NATION or NULL */
	const char *poll_type; /* X-PURDAH-TYPE or NULL */
	bool has_poll;
	pd_date poll;    /* X-PURDAH-POLL */
	bool open_ended; /* X-PURDAH-OPEN-ENDED:TRUE */
	const char *by;  /* X-PURDAH-BY or NULL */
	bool cancelled;  /* STATUS:CANCELLED */
	const pd_tz *tz; /* zone for timed start/end (TZID), NULL = UTC */
} pd_ics_new_event;

/* Append a complete VEVENT (CRLF line ends, folded, escaped) to `out`. */
pd_rc pd_ics_event_render(pd_buf *out, const pd_ics_new_event *ev);

/* Release libical's process-wide caches (zones); for clean exits. */
void pd_ics_cleanup(void);

#endif
