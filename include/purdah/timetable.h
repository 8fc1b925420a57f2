/*
 * Statutory election timetables, computed from polling day.
 *
 * Deadlines are counted back in working days from polling day (day 0):
 * Saturdays, Sundays, Christmas Eve, Christmas Day, Good Friday, bank
 * holidays of the relevant part of the UK (all parts, for a UK general
 * election) and, in Scottish timetables, Easter Monday are disregarded.
 * Referendum restrictions run for calendar days. Bank holidays come from the
 * loaded calendars, so a year without data is an error, never a guess.
 */
#ifndef PURDAH_TIMETABLE_H
#define PURDAH_TIMETABLE_H

#include <stdbool.h>

#include "purdah/calendar.h"
#include "purdah/error.h"
#include "purdah/holidays.h"
#include "purdah/time.h"

typedef enum pd_poll_type {
	PD_POLL_LOCAL,
	PD_POLL_LOCAL_BY_ELECTION,
	PD_POLL_GLA,
	PD_POLL_MAYOR,
	PD_POLL_PCC,
	PD_POLL_SENEDD,
	PD_POLL_SCOTTISH_PARLIAMENT,
	PD_POLL_NI_ASSEMBLY,
	PD_POLL_UK_PARLIAMENT,
	PD_POLL_UK_PARLIAMENT_BY_ELECTION,
	PD_POLL_REFERENDUM,
	PD_POLL_LOCAL_REFERENDUM,
	PD_POLL__COUNT
} pd_poll_type;

typedef enum pd_nation {
	PD_NATION_NONE,
	PD_NATION_ENGLAND,
	PD_NATION_WALES,
	PD_NATION_SCOTLAND,
	PD_NATION_NI
} pd_nation;

/* "local", "uk-parliament" ...; PD_EUSAGE listing the valid names. */
pd_rc pd_poll_type_parse(pd_poll_type *out, const char *s);
const char *pd_poll_type_name(pd_poll_type t);
/* "local elections", "UK Parliament general election" ... */
const char *pd_poll_type_title(pd_poll_type t);
/* The kind of period a poll of this type starts. */
pd_period_kind pd_poll_type_kind(pd_poll_type t);

pd_rc pd_nation_parse(pd_nation *out, const char *s);
/* "england" ... or NULL for PD_NATION_NONE. */
const char *pd_nation_name(pd_nation n);
const char *pd_nation_title(pd_nation n); /* "England" */

/* An optional date: `set` false where a deadline does not apply. */
typedef struct pd_tt_date {
	bool set;
	pd_date date;
	int days;           /* working (or calendar) days before polling day */
	const char *time;   /* the hour on that day, e.g. "4pm", or NULL */
	const char *source; /* the rule, for people: "SI 2006/3304 Sch 2 r.1" */
} pd_tt_date;

typedef struct pd_timetable {
	pd_poll_type type;
	pd_nation nation; /* as given or implied; NONE for UK-wide polls */
	pd_date poll;
	pd_tt_date notice_of_election;
	pd_tt_date dissolution;
	pd_tt_date close_of_nominations;
	pd_tt_date sopn_publication;
	pd_tt_date registration_deadline;
	pd_tt_date postal_vote_deadline;
	pd_tt_date period_start;
	pd_date period_end; /* polling day: the period ends at its end */
	unsigned regions;   /* whose bank holidays were disregarded */
	bool easter_monday; /* Easter Monday disregarded (Scotland) */
	bool calendar_days; /* the period counts calendar days */
	const char *note;   /* a caveat for people, or NULL */
} pd_timetable;

/*
 * Compute the timetable for a poll of `type` on `poll` in `nation`.
 * PD_EUSAGE when the nation is required and missing, or does not fit the
 * type (a GLA poll in Scotland); PD_ECONFIG when bank-holiday data for a
 * year involved is missing.
 */
pd_rc pd_timetable_compute(pd_timetable *out, const pd_holidays *h,
                           pd_poll_type type, pd_nation nation, pd_date poll);

/* True when `d` counts as a working day under these rules. */
bool pd_is_working_day(const pd_holidays *h, unsigned regions,
                       bool easter_monday, pd_date d);

/* The `n`th working day before `poll` (n >= 1). */
pd_date pd_working_days_before(const pd_holidays *h, unsigned regions,
                               bool easter_monday, pd_date poll, int n);

#endif
