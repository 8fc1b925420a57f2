/*
 * Helpers shared by the unit tests (linked into every tests/unit/test_*).
 * Each test binary is a cmocka group run from the repository root.
 */
#ifndef PURDAH_TESTUTIL_H
#define PURDAH_TESTUTIL_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "purdah/calendar.h"
#include "purdah/match.h"
#include "purdah/time.h"

/* Europe/London, looked up once. */
const pd_tz *tu_london(void);

/* Parse "2026-03-30T00:00:00+01:00"-style TIME (any form pd_time_parse
 * takes, in London); fails the test on error. */
pd_instant tu_time(const char *s);
pd_date tu_date(const char *s);

/*
 * A calendar from iCalendar text (LF line ends are fine) plus the shipped
 * bank holidays when `with_holidays`; finished. Fails the test on error.
 * Free with pd_calendar_free().
 */
pd_calendar *tu_calendar(const char *ics, int with_holidays);

/* Load text that must fail: returns the rc and leaves the message in
 * pd_error_message(). */
pd_rc tu_calendar_error(const char *ics);

/* The shipped bank holidays only. */
pd_calendar *tu_holidays(void);

/* The one period of `cal` (the test fails if there are more or none), and
 * the nth (from 0) with `uid` (it fails if there is none). */
const pd_period *tu_only(const pd_calendar *cal);
const pd_period *tu_period(const pd_calendar *cal, const char *uid, size_t nth);

/* Expect an instant to read `want` in UTC (pd_time_format_utc), a date to
 * read `want` (pd_date_format). */
void tu_assert_utc(pd_instant t, const char *want);
void tu_assert_date(pd_date d, const char *want);

/* Write `text` to `path` (the test fails on any error). */
void tu_write_file(const char *path, const char *text);

/* Number of periods active at `when` (TIME string) for `area` (or NULL). */
size_t tu_active(const pd_calendar *cal, const char *when, const char *area);

/* The hits of a scan as "entry=original text, ..." in `buf` (the test
 * fails if they do not fit); returns buf. */
const char *tu_hits(const pd_scan *s, char *buf, size_t size);

/* Expect the hits of `text` to be `want`; the test file's fx_hits(f, text)
 * scans and describes them (tu_hits). */
#define EXPECT_HITS(f, text, want)                                             \
	do {                                                                   \
		const char *got_ = fx_hits((f), (text));                       \
		if (strcmp(got_, (want)) != 0)                                 \
			fail_msg("scanning '%s': got '%s', want '%s'", (text), \
			         got_, (want));                                \
	} while (0)

/* Each post of the labelled corpus (tests/corpus/posts/NAME.jsonl), parsed:
 * fn(file, post, ctx), the post freed after. Fails the test on error. */
struct pd_json;
void tu_each_post(void (*fn)(const char *file, const struct pd_json *post,
                             void *ctx),
                  void *ctx);

/* The shipped lexicons (./lexicons) and their matcher, for a group
 * setup: 0, or -1 with the message on stderr. */
int tu_shipped_matcher(pd_lexset **set, pd_matcher **m);

#endif
