/*
 * Dates, instants and time zones.
 *
 * An instant is an int64_t count of seconds since 1970-01-01T00:00:00Z
 * (pd_instant). A pd_date is a civil date with no zone. Election law is
 * written in UK local time, so conversions between the two always go through
 * a pd_tz (Europe/London by default). The zone database is the system's
 * (tzdata), reached through libical in src/dep/ical.c.
 */
#ifndef PURDAH_TIME_H
#define PURDAH_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/error.h"

typedef int64_t pd_instant;

typedef struct pd_date {
	int year, month, day; /* month 1-12, day 1-31 */
} pd_date;

typedef struct pd_civil {
	int year, month, day, hour, min, sec;
} pd_civil;

/* Instants outside [PD_INSTANT_MIN, PD_INSTANT_MAX] are rejected as input:
 * years 1900 to 2199 cover every poll this tool can meaningfully know. */
#define PD_YEAR_MIN 1900
#define PD_YEAR_MAX 2199

/* Days since 1970-01-01 (proleptic Gregorian; negative before). */
int64_t pd_date_to_days(pd_date d);
pd_date pd_days_to_date(int64_t days);
/* 0 = Monday ... 6 = Sunday. */
int pd_date_weekday(pd_date d);
pd_date pd_date_add_days(pd_date d, int64_t n);
/* <0, 0, >0 as a is before, equal to, after b. */
int pd_date_cmp(pd_date a, pd_date b);
bool pd_date_valid(pd_date d);
/* Easter Sunday of `year` (Gregorian computus). */
pd_date pd_easter_sunday(int year);

/* Strict YYYY-MM-DD. PD_EINVALID with a message naming `what`. */
pd_rc pd_date_parse(pd_date *out, const char *s, const char *what);
/* "2027-05-06" into buf (at least 11 bytes). */
void pd_date_format(char *buf, size_t n, pd_date d);
/* "Thu 6 May 2027" into buf (at least 20 bytes). */
void pd_date_format_human(char *buf, size_t n, pd_date d);
/* "Jan" .. "Dec" for month 1 .. 12. */
const char *pd_month_abbr(int month);

/* A time zone. Zones are owned by the library and live for the process. */
typedef struct pd_tz pd_tz;

/*
 * Look up an IANA zone ("Europe/London", "UTC") from the system zone data.
 * `*out` is borrowed and stays valid for the life of the process.
 * PD_ECONFIG when the zone is unknown.
 */
pd_rc pd_tz_get(const pd_tz **out, const char *name);
const char *pd_tz_name(const pd_tz *tz);

/*
 * The instant of a local civil time in `tz`, as RFC 5545 3.3.5 reads one:
 * a time in the spring-forward gap takes the offset from before the gap
 * (01:30 on the day BST starts is 01:30 UTC); a time that happens twice is
 * its first occurrence (01:30 on the day BST ends is 00:30 UTC). Midnight,
 * where periods start, is never either in the UK.
 */
pd_instant pd_tz_local_to_instant(const pd_tz *tz, pd_civil c);
/* The start (00:00 local) of date `d` in `tz`. */
pd_instant pd_tz_day_start(const pd_tz *tz, pd_date d);
/* The local civil time of `t` in `tz`, and its UTC offset in seconds. */
void pd_tz_instant_to_local(const pd_tz *tz, pd_instant t, pd_civil *out,
                            int *utc_offset);
/* The local date of `t` in `tz`. */
pd_date pd_tz_date_of(const pd_tz *tz, pd_instant t);

/*
 * Parse a TIME as users give it:
 *   RFC 3339 with an offset or Z   2027-03-31T09:00:00+01:00, 2027-03-31T08:00Z
 *   local date-time (in tz)         2027-03-31T09:00, 2027-03-31 09:00:30
 *   date (start of that local day)  2027-03-31
 * Seconds are optional. PD_EUSAGE with a message naming `what` when it is
 * none of these or out of range.
 */
pd_rc pd_time_parse(pd_instant *out, const char *s, const pd_tz *tz,
                    const char *what);

/* RFC 3339 in local time with its offset: 2027-03-31T00:00:00+01:00
 * (buf at least 32 bytes). */
void pd_time_format_rfc3339(char *buf, size_t n, pd_instant t, const pd_tz *tz);
/* RFC 3339 in UTC: 2027-03-30T23:00:00Z (buf at least 32 bytes). */
void pd_time_format_utc(char *buf, size_t n, pd_instant t);

/* The current instant. */
pd_instant pd_time_now(void);

#endif
