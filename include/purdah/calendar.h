/*
 * The election-period engine: every pre-election, referendum and freeze
 * period known from the calendar files, and the bank holidays.
 *
 * Calendars are iCalendar files. A VEVENT is a period when its CATEGORIES
 * include ELECTION, BY-ELECTION, REFERENDUM or FREEZE (any case), or when it
 * or its VCALENDAR carries X-PURDAH-KIND with one of those; X-PURDAH-AREA
 * lists the areas (none = the whole council), X-PURDAH-OPEN-ENDED:TRUE marks
 * a period that lasts until it is ended (an emergency freeze), X-PURDAH-BY
 * who recorded it. A VCALENDAR with
 * X-PURDAH-KIND:BANK-HOLIDAYS and X-PURDAH-NATION gives bank holidays.
 * Several VEVENTs with one UID are versions of one period: the highest
 * SEQUENCE wins (then the latest DTSTAMP, then the last loaded), and
 * STATUS:CANCELLED removes it. Lookups are O(log n + k).
 */
#ifndef PURDAH_CALENDAR_H
#define PURDAH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"
#include "purdah/holidays.h"
#include "purdah/time.h"

typedef enum pd_period_kind {
	PD_PERIOD_ELECTION,
	PD_PERIOD_BY_ELECTION,
	PD_PERIOD_REFERENDUM,
	PD_PERIOD_FREEZE
} pd_period_kind;

/* "election", "by-election", "referendum", "freeze". */
const char *pd_period_kind_name(pd_period_kind k);
/* A phrase for people: "a pre-election period", "a referendum period" ... */
const char *pd_period_kind_phrase(pd_period_kind k);
/* Parse a kind name, case-insensitive (ELECTION, by-election ...). */
pd_rc pd_period_kind_parse(pd_period_kind *out, const char *s);

/* One period occurrence. Everything is owned by the calendar. */
typedef struct pd_period {
	const char *uid;
	const char *name;        /* SUMMARY */
	const char *description; /* or NULL */
	pd_period_kind kind;
	const char *const *areas; /* none = the whole council */
	size_t nareas;
	pd_instant start, end; /* [start, end) */
	bool all_day;          /* whole local days */
	pd_date first_day;     /* local date of start */
	pd_date last_day;      /* local date of the last moment */
	const char *source;    /* file */
	int line;              /* its BEGIN:VEVENT */
	int sequence;
	const char *poll_type; /* X-PURDAH-TYPE or NULL */
	bool has_poll;
	pd_date poll; /* X-PURDAH-POLL */
	/* X-PURDAH-OPEN-ENDED:TRUE: in force until someone ends it (`purdah
	 * freeze end`); `end` is only a far bound for other calendar tools. */
	bool open_ended;
	const char *by; /* X-PURDAH-BY (who recorded it) or NULL */
} pd_period;

typedef struct pd_calendar pd_calendar;

/* A new, empty calendar whose dates are local to `tz` (borrowed).
 * Free with pd_calendar_free(). */
pd_rc pd_calendar_new(pd_calendar **out, const pd_tz *tz);
void pd_calendar_free(pd_calendar *cal);

/*
 * Only the periods will be asked for (the posting gate): a file that holds
 * bank holidays and nothing else is hashed and listed but not parsed (it
 * cannot hold a period: none of ELECTION, REFERENDUM, FREEZE is anywhere
 * in it). Call before loading.
 */
void pd_calendar_periods_only(pd_calendar *cal);

/*
 * Load a file, or every *.ics under a directory (recursively, sorted).
 * PD_ECONFIG "file:line: reason" for anything malformed; a failed load
 * leaves the calendar unusable (free it).
 */
pd_rc pd_calendar_load_path(pd_calendar *cal, const char *path);
/* Load iCalendar text already in memory, named `name` in messages. */
pd_rc pd_calendar_load_buffer(pd_calendar *cal, const char *name,
                              const char *text, size_t len);

/* Merge versions, sort and index. Required once, after the last load and
 * before any query. */
pd_rc pd_calendar_finish(pd_calendar *cal);

/*
 * The periods in force at `at` — for `area`, those council-wide and those
 * listing it (case-insensitive); for area NULL, all. Up to `max` are stored
 * in `out` in start order (borrowed, valid until the calendar is freed);
 * returns how many there are in all.
 */
size_t pd_calendar_active(const pd_calendar *cal, pd_instant at,
                          const char *area, const pd_period **out, size_t max);

/* The first period starting after `at` (for `area` as above), or NULL. */
const pd_period *pd_calendar_next(const pd_calendar *cal, pd_instant at,
                                  const char *area);

/* The next period boundary strictly after `at`: the earliest start or end
 * of any period (any area) later than `at`; INT64_MAX when there is none.
 * Until then, whatever the periods decide at `at` stays decided (the
 * filter's results are valid until it). */
pd_instant pd_calendar_next_change(const pd_calendar *cal, pd_instant at);

/* All periods, sorted by start then end then UID. */
size_t pd_calendar_count(const pd_calendar *cal);
const pd_period *pd_calendar_get(const pd_calendar *cal, size_t i);

/* True when `p` applies to `area` (NULL = any). */
bool pd_period_covers(const pd_period *p, const char *area);

/* The bank holidays loaded (borrowed). */
const pd_holidays *pd_calendar_holidays(const pd_calendar *cal);
const pd_tz *pd_calendar_tz(const pd_calendar *cal);

/* Number of files loaded, and each one's path (borrowed). */
size_t pd_calendar_file_count(const pd_calendar *cal);
const char *pd_calendar_file(const pd_calendar *cal, size_t i);

/* SHA-256 over every loaded file's bytes in load order, as 64 hex digits
 * (for auditing which calendars a decision used); "" before
 * pd_calendar_finish(). */
const char *pd_calendar_sha256(const pd_calendar *cal);

#endif
