/*
 * The period engine (calendar.h) as calendars really arrive: hand-written
 * all-day files, Outlook with Windows zone names, Google with UTC times and
 * X-WR-TIMEZONE, recurring series with exceptions, several versions of one
 * UID, and broken files whose errors must name the right line. Instants are
 * compared as UTC text so failures read like the calendars themselves.
 *
 * Every calendar below starts with CAL_BEGIN (three lines), so the first
 * BEGIN:VEVENT of a test is on line 4.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/calendar.h"
#include "purdah/calfile.h"
#include "purdah/error.h"

#define CAL_BEGIN "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//purdah tests//EN\n"
#define CAL_END   "END:VCALENDAR\n"

/* An all-day period: 8 lines. */
#define ALLDAY(uid, first, end_excl, cat)                                      \
	"BEGIN:VEVENT\nUID:" uid "\nDTSTAMP:20260101T000000Z\n"                \
	"DTSTART;VALUE=DATE:" first "\nDTEND;VALUE=DATE:" end_excl "\n"        \
	"SUMMARY:" uid "\nCATEGORIES:" cat "\nEND:VEVENT\n"

/* An all-day period for one area: 9 lines. */
#define AREA_EV(uid, first, end_excl, cat, area)                               \
	"BEGIN:VEVENT\nUID:" uid "\nDTSTAMP:20260101T000000Z\n"                \
	"DTSTART;VALUE=DATE:" first "\nDTEND;VALUE=DATE:" end_excl "\n"        \
	"SUMMARY:" uid "\nCATEGORIES:" cat "\nX-PURDAH-AREA:" area "\n"        \
	"END:VEVENT\n"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* As tu_calendar(ics, 0), but nothing is left allocated when loading
 * fails, so a failing test does not also show up as a leak under ASan. */
static pd_calendar *load_cal(const char *ics)
{
	pd_calendar *cal = NULL;
	char msg[512];
	pd_rc rc;

	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	rc = pd_calendar_load_buffer(cal, "test.ics", ics, strlen(ics));
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	if (rc != PD_OK) {
		snprintf(msg, sizeof(msg), "%s", pd_error_message());
		pd_calendar_free(cal);
		fail_msg("%s: %s", pd_rc_name(rc), msg);
	}
	return cal;
}

/* Loading `ics` must fail with PD_ECONFIG and a message containing every
 * one of `want` (up to three, NULL-terminated). */
static void assert_load_error(const char *ics, const char *want1,
                              const char *want2)
{
	pd_rc rc;

	pd_error_clear();
	rc = tu_calendar_error(ics);
	if (rc != PD_ECONFIG)
		fail_msg("rc %s (%s), want ECONFIG with '%s'", pd_rc_name(rc),
		         pd_error_message(), want1);
	if (want1 && !strstr(pd_error_message(), want1))
		fail_msg("message '%s' lacks '%s'", pd_error_message(), want1);
	if (want2 && !strstr(pd_error_message(), want2))
		fail_msg("message '%s' lacks '%s'", pd_error_message(), want2);
}

/* The i-th period active at `when` for `area`. */
static const pd_period *active_nth(const pd_calendar *cal, const char *when,
                                   const char *area, size_t i)
{
	const pd_period *out[16];
	size_t n = pd_calendar_active(cal, tu_time(when), area, out, 16);

	if (i >= n)
		fail_msg("only %zu periods at %s", n, when);
	return out[i];
}

/* ------------------------------------------------------------------------ */
/* Clock changes (DOMAIN.md 6)                                              */

static void test_calendar_dst_spring_start_is_local_midnight(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN ALLDAY("spring", "20260330", "20260508",
	                                     "ELECTION") CAL_END,
	                    0);
	const pd_period *p = tu_only(cal);
	(void)state;
	/* Mon 30 Mar 2026 00:00 BST = Sun 29 Mar 23:00 UTC. */
	tu_assert_utc(p->start, "2026-03-29T23:00:00Z");
	tu_assert_utc(p->end, "2026-05-07T23:00:00Z");
	assert_int_equal(tu_active(cal, "2026-03-29T23:00:00Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-03-29T22:59:59Z", NULL), 0);
	assert_int_equal(tu_active(cal, "2026-03-30T00:00", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-03-29T23:59:59", NULL), 0);
	tu_assert_date(p->first_day, "2026-03-30");
	tu_assert_date(p->last_day, "2026-05-07");
	assert_true(p->all_day);
	pd_calendar_free(cal);
}

static void test_calendar_dst_spring_timed_tzid_start(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                  "DTSTART;TZID=Europe/London:20260330T000000\n"
	                  "DTEND;TZID=Europe/London:20260331T000000\n"
	                  "SUMMARY:t\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_utc(p->start, "2026-03-29T23:00:00Z");
	tu_assert_utc(p->end, "2026-03-30T23:00:00Z");
	assert_false(p->all_day);
	assert_int_equal(p->kind, PD_PERIOD_FREEZE);
	assert_int_equal(tu_active(cal, "2026-03-29T23:00:00Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-03-29T22:59:59Z", NULL), 0);
	tu_assert_date(p->first_day, "2026-03-30");
	tu_assert_date(p->last_day, "2026-03-30");
	pd_calendar_free(cal);
}

static void test_calendar_dst_autumn_end_is_local_midnight(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN ALLDAY("autumn", "20261001", "20261026",
	                                     "REFERENDUM") CAL_END,
	                    0);
	const pd_period *p = tu_only(cal);
	(void)state;
	/* Started in BST, ends after the clocks go back: 00:00 GMT. */
	tu_assert_utc(p->start, "2026-09-30T23:00:00Z");
	tu_assert_utc(p->end, "2026-10-26T00:00:00Z");
	assert_int_equal(tu_active(cal, "2026-10-25T23:59:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-10-25T23:30:00Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-10-26T00:00:00Z", NULL), 0);
	assert_int_equal(tu_active(cal, "2026-10-26T00:00", NULL), 0);
	tu_assert_date(p->last_day, "2026-10-25");
	pd_calendar_free(cal);
}

static void test_calendar_dst_autumn_timed_tzid_end(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:t\n"
	        "DTSTART;TZID=Europe/London:20261020T000000\n"
	        "DTEND;TZID=Europe/London:20261026T000000\n"
	        "SUMMARY:t\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_utc(p->start, "2026-10-19T23:00:00Z");
	tu_assert_utc(p->end, "2026-10-26T00:00:00Z");
	tu_assert_date(p->last_day, "2026-10-25");
	assert_int_equal(tu_active(cal, "2026-10-25T23:59:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-10-26T00:00:00Z", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_tzid_times_in_gap_and_overlap(void **state)
{
	/* RFC 5545 3.3.5: a missing local time takes the offset from before
	 * the gap; a repeated one is its first occurrence. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:gap\n"
	        "DTSTART;TZID=Europe/London:20260329T013000\n"
	        "DTEND;TZID=Europe/London:20260329T030000\n"
	        "SUMMARY:gap\nCATEGORIES:FREEZE\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:twice\n"
	        "DTSTART;TZID=Europe/London:20261025T013000\n"
	        "DTEND;TZID=Europe/London:20261025T020000\n"
	        "SUMMARY:twice\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	char got[4][40];
	(void)state;
	/* Copied out first: the calendar is freed before any assertion. */
	pd_time_format_utc(got[0], 40, tu_period(cal, "gap", 0)->start);
	pd_time_format_utc(got[1], 40, tu_period(cal, "gap", 0)->end);
	pd_time_format_utc(got[2], 40, tu_period(cal, "twice", 0)->start);
	pd_time_format_utc(got[3], 40, tu_period(cal, "twice", 0)->end);
	pd_calendar_free(cal);
	assert_string_equal(got[0], "2026-03-29T01:30:00Z");
	assert_string_equal(got[1], "2026-03-29T02:00:00Z");
	assert_string_equal(got[2], "2026-10-25T00:30:00Z");
	assert_string_equal(got[3], "2026-10-25T02:00:00Z");
}

static void test_calendar_dst_change_days_are_23_and_25_hours(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("a-spring", "20260329", "20260330", "FREEZE")
	                ALLDAY("b-autumn", "20261025", "20261026", "FREEZE")
	                        CAL_END,
	        0);
	const pd_period *s = tu_period(cal, "a-spring", 0);
	const pd_period *a = tu_period(cal, "b-autumn", 0);
	(void)state;
	tu_assert_utc(s->start, "2026-03-29T00:00:00Z");
	tu_assert_utc(s->end, "2026-03-29T23:00:00Z");
	assert_int_equal(s->end - s->start, 23 * 3600);
	tu_assert_utc(a->start, "2026-10-24T23:00:00Z");
	tu_assert_utc(a->end, "2026-10-26T00:00:00Z");
	assert_int_equal(a->end - a->start, 25 * 3600);
	tu_assert_date(a->first_day, "2026-10-25");
	tu_assert_date(a->last_day, "2026-10-25");
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Overlaps and areas (DOMAIN.md 4)                                         */

static void
test_calendar_overlapping_periods_all_active_in_start_order(void **state)
{
	/* 2017: locals on 4 May, then a general election on 8 Jun. Loaded
	 * out of order. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("ge", "20170503", "20170609", "ELECTION")
	                ALLDAY("freeze", "20170505", "20170507", "FREEZE")
	                        ALLDAY("locals", "20170327", "20170505",
	                               "ELECTION") CAL_END,
	        0);
	const pd_period *out[3] = {NULL, NULL, NULL};
	size_t n;
	(void)state;
	n = pd_calendar_active(cal, tu_time("2017-05-04T12:00"), NULL, out, 3);
	assert_int_equal(n, 2);
	assert_string_equal(out[0]->uid, "locals");
	assert_string_equal(out[1]->uid, "ge");
	n = pd_calendar_active(cal, tu_time("2017-05-05T12:00"), NULL, out, 3);
	assert_int_equal(n, 2);
	assert_string_equal(out[0]->uid, "ge");
	assert_string_equal(out[1]->uid, "freeze");
	/* max smaller than the count: the count is still the total. */
	out[0] = out[1] = NULL;
	n = pd_calendar_active(cal, tu_time("2017-05-04T12:00"), NULL, out, 1);
	assert_int_equal(n, 2);
	assert_string_equal(out[0]->uid, "locals");
	assert_null(out[1]);
	assert_int_equal(pd_calendar_active(cal, tu_time("2017-05-04T12:00"),
	                                    NULL, NULL, 0),
	                 2);
	assert_int_equal(tu_active(cal, "2017-03-26T23:59", NULL), 0);
	assert_int_equal(tu_active(cal, "2017-06-09T00:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_area_filter(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("council", "20270331", "20270507", "ELECTION")
	                AREA_EV("abbey", "20270401", "20270502", "BY-ELECTION",
	                        "Abbey")
	                        AREA_EV("castle", "20270402", "20270502",
	                                "BY-ELECTION", "Castle") CAL_END,
	        0);
	const char *when = "2027-04-15T12:00";
	(void)state;
	assert_int_equal(tu_active(cal, when, NULL), 3);
	assert_int_equal(tu_active(cal, when, "Abbey"), 2);
	assert_int_equal(tu_active(cal, when, "abbey"), 2);
	assert_int_equal(tu_active(cal, when, "ABBEY"), 2);
	assert_string_equal(active_nth(cal, when, "abbey", 0)->uid, "council");
	assert_string_equal(active_nth(cal, when, "abbey", 1)->uid, "abbey");
	assert_string_equal(active_nth(cal, when, "CASTLE", 1)->uid, "castle");
	assert_int_equal(tu_active(cal, when, "Harbour"), 1);
	assert_string_equal(active_nth(cal, when, "Harbour", 0)->uid,
	                    "council");
	/* A prefix of an area is another area. */
	assert_int_equal(tu_active(cal, when, "Abb"), 1);
	/* After the by-elections, before the council poll ends. */
	assert_int_equal(tu_active(cal, "2027-05-03T12:00", "Abbey"), 1);
	assert_true(pd_period_covers(tu_period(cal, "abbey", 0), "aBBey"));
	assert_false(pd_period_covers(tu_period(cal, "abbey", 0), "Castle"));
	assert_true(pd_period_covers(tu_period(cal, "abbey", 0), NULL));
	assert_true(pd_period_covers(tu_period(cal, "council", 0), "Castle"));
	pd_calendar_free(cal);
}

static void test_calendar_area_comma_list_and_repeated(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:w\nDTSTART;VALUE=DATE:20270401\n"
	                  "SUMMARY:Wards\nCATEGORIES:BY-ELECTION\n"
	                  "X-PURDAH-AREA:Abbey, Castle ,Harbour\n"
	                  "X-PURDAH-AREA:St Peter's\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	assert_int_equal(p->nareas, 4);
	assert_string_equal(p->areas[0], "Abbey");
	assert_string_equal(p->areas[1], "Castle");
	assert_string_equal(p->areas[2], "Harbour");
	assert_string_equal(p->areas[3], "St Peter's");
	assert_int_equal(tu_active(cal, "2027-04-01T12:00", "castle"), 1);
	assert_int_equal(tu_active(cal, "2027-04-01T12:00", "st peter's"), 1);
	assert_int_equal(tu_active(cal, "2027-04-01T12:00", "Westfield"), 0);
	pd_calendar_free(cal);
}

static void test_calendar_area_escaped_comma_is_one_area(void **state)
{
	/* RFC 5545 3.3.11: "\," is a comma inside one value. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:w\nDTSTART;VALUE=DATE:20270401\n"
	                  "SUMMARY:Ward\nCATEGORIES:BY-ELECTION\n"
	                  "X-PURDAH-AREA:Abbey\\, North\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	size_t nareas = p->nareas, north;
	char first[64];
	(void)state;
	snprintf(first, sizeof(first), "%s", nareas ? p->areas[0] : "");
	north = tu_active(cal, "2027-04-01T12:00", "North");
	pd_calendar_free(cal);
	assert_string_equal(first, "Abbey, North");
	assert_int_equal(nareas, 1);
	assert_int_equal(north, 0);
}

/* ------------------------------------------------------------------------ */
/* Recurrence                                                               */

#define YEARLY_HEAD                                                            \
	"BEGIN:VEVENT\nUID:yearly\nDTSTART;VALUE=DATE:20270501\n"              \
	"DTEND;VALUE=DATE:20270508\nSUMMARY:Yearly\nCATEGORIES:ELECTION\n"     \
	"RRULE:FREQ=YEARLY;COUNT=3\n"

static void test_calendar_rrule_yearly_count(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN YEARLY_HEAD "END:VEVENT\n" CAL_END, 0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	tu_assert_date(pd_calendar_get(cal, 0)->first_day, "2027-05-01");
	tu_assert_date(pd_calendar_get(cal, 0)->last_day, "2027-05-07");
	tu_assert_date(pd_calendar_get(cal, 1)->first_day, "2028-05-01");
	tu_assert_date(pd_calendar_get(cal, 1)->last_day, "2028-05-07");
	tu_assert_date(pd_calendar_get(cal, 2)->first_day, "2029-05-01");
	tu_assert_utc(pd_calendar_get(cal, 2)->start, "2029-04-30T23:00:00Z");
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(pd_calendar_get(cal, i)->uid, "yearly");
		assert_true(pd_calendar_get(cal, i)->all_day);
	}
	assert_int_equal(tu_active(cal, "2028-05-07T23:59", NULL), 1);
	assert_int_equal(tu_active(cal, "2028-05-08T00:00", NULL), 0);
	assert_int_equal(tu_active(cal, "2030-05-03T12:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_exdate_removes_one_instance(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN YEARLY_HEAD
	                    "EXDATE;VALUE=DATE:20280501\nEND:VEVENT\n" CAL_END,
	                    0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 2);
	tu_assert_date(pd_calendar_get(cal, 0)->first_day, "2027-05-01");
	tu_assert_date(pd_calendar_get(cal, 1)->first_day, "2029-05-01");
	assert_int_equal(tu_active(cal, "2028-05-03T12:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_exdate_comma_list(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN YEARLY_HEAD
	        "EXDATE;VALUE=DATE:20280501,20290501\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 1);
	tu_assert_date(pd_calendar_get(cal, 0)->first_day, "2027-05-01");
	pd_calendar_free(cal);
}

static void test_calendar_rdate_adds_one_instance(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN YEARLY_HEAD
	                    "RDATE;VALUE=DATE:20300601\nEND:VEVENT\n" CAL_END,
	                    0);
	const pd_period *p;
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 4);
	p = pd_calendar_get(cal, 3);
	tu_assert_date(p->first_day, "2030-06-01");
	tu_assert_date(p->last_day, "2030-06-07"); /* the series' length */
	assert_int_equal(tu_active(cal, "2030-06-07T12:00", NULL), 1);
	assert_int_equal(tu_active(cal, "2030-06-08T00:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_rdate_duplicate_of_rule_instance_once(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN YEARLY_HEAD
	                    "RDATE;VALUE=DATE:20280501\nEND:VEVENT\n" CAL_END,
	                    0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	assert_int_equal(tu_active(cal, "2028-05-02T12:00", NULL), 1);
	pd_calendar_free(cal);
}

static void test_calendar_rdate_period_values(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:p\nDTSTART:20270601T090000Z\n"
	                  "DTEND:20270601T100000Z\nSUMMARY:p\n"
	                  "CATEGORIES:FREEZE\n"
	                  "RDATE;VALUE=PERIOD:20270602T090000Z/"
	                  "20270602T170000Z\n"
	                  "RDATE;VALUE=PERIOD:20270603T090000Z/PT2H\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	tu_assert_utc(pd_calendar_get(cal, 0)->end, "2027-06-01T10:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->start, "2027-06-02T09:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->end, "2027-06-02T17:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 2)->start, "2027-06-03T09:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 2)->end, "2027-06-03T11:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_rrule_timed_keeps_local_time_over_dst(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:wk\n"
	                  "DTSTART;TZID=Europe/London:20260322T090000\n"
	                  "DTEND;TZID=Europe/London:20260322T170000\n"
	                  "RRULE:FREQ=WEEKLY;COUNT=4\n"
	                  "EXDATE;TZID=Europe/London:20260405T090000\n"
	                  "SUMMARY:wk\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	tu_assert_utc(pd_calendar_get(cal, 0)->start, "2026-03-22T09:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 0)->end, "2026-03-22T17:00:00Z");
	/* After the change: 09:00 BST. */
	tu_assert_utc(pd_calendar_get(cal, 1)->start, "2026-03-29T08:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->end, "2026-03-29T16:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 2)->start, "2026-04-12T08:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_all_instances_excluded_is_no_period(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN YEARLY_HEAD "EXDATE;VALUE=DATE:20270501\n"
	                                          "EXDATE;VALUE=DATE:20280501\n"
	                                          "EXDATE;VALUE=DATE:20290501\n"
	                                          "END:VEVENT\n" CAL_END,
	                    0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 0);
	pd_calendar_free(cal);
}

#define YEARLY_MOVE_2028                                                       \
	"BEGIN:VEVENT\nUID:yearly\nRECURRENCE-ID;VALUE=DATE:20280501\n"        \
	"DTSTART;VALUE=DATE:20280510\nDTEND;VALUE=DATE:20280512\n"             \
	"SUMMARY:Moved\nCATEGORIES:ELECTION\nEND:VEVENT\n"

static void check_moved_2028(pd_calendar *cal)
{
	const pd_period *p;

	assert_int_equal(pd_calendar_count(cal), 3);
	p = pd_calendar_get(cal, 1);
	assert_string_equal(p->name, "Moved");
	tu_assert_date(p->first_day, "2028-05-10");
	tu_assert_date(p->last_day, "2028-05-11");
	assert_string_equal(pd_calendar_get(cal, 0)->name, "Yearly");
	assert_string_equal(pd_calendar_get(cal, 2)->name, "Yearly");
	assert_int_equal(tu_active(cal, "2028-05-03T12:00", NULL), 0);
	assert_int_equal(tu_active(cal, "2028-05-11T12:00", NULL), 1);
	assert_int_equal(tu_active(cal, "2028-05-12T00:00", NULL), 0);
}

static void test_calendar_recurrence_id_moves_one_instance(void **state)
{
	pd_calendar *cal = tu_calendar(CAL_BEGIN YEARLY_HEAD
	                               "END:VEVENT\n" YEARLY_MOVE_2028 CAL_END,
	                               0);
	(void)state;
	check_moved_2028(cal);
	pd_calendar_free(cal);
}

static void test_calendar_recurrence_id_before_master_in_file(void **state)
{
	pd_calendar *cal = tu_calendar(CAL_BEGIN YEARLY_MOVE_2028 YEARLY_HEAD
	                               "END:VEVENT\n" CAL_END,
	                               0);
	(void)state;
	check_moved_2028(cal);
	pd_calendar_free(cal);
}

static void test_calendar_recurrence_id_timed_with_tzid(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:wk\n"
	        "DTSTART;TZID=Europe/London:20260322T090000\n"
	        "DTEND;TZID=Europe/London:20260322T170000\n"
	        "RRULE:FREQ=WEEKLY;COUNT=3\n"
	        "SUMMARY:wk\nCATEGORIES:FREEZE\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:wk\n"
	        "RECURRENCE-ID:20260329T080000Z\n"
	        "DTSTART;TZID=Europe/London:20260330T100000\n"
	        "DTEND;TZID=Europe/London:20260330T120000\n"
	        "SUMMARY:moved\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	tu_assert_utc(pd_calendar_get(cal, 1)->start, "2026-03-30T09:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->end, "2026-03-30T11:00:00Z");
	assert_string_equal(pd_calendar_get(cal, 1)->name, "moved");
	assert_int_equal(tu_active(cal, "2026-03-29T10:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_cancelled_override_removes_instance(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN YEARLY_HEAD
	        "END:VEVENT\n"
	        "BEGIN:VEVENT\nUID:yearly\nRECURRENCE-ID;VALUE=DATE:20280501\n"
	        "DTSTART;VALUE=DATE:20280501\nSTATUS:CANCELLED\n"
	        "SUMMARY:Yearly\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 2);
	tu_assert_date(pd_calendar_get(cal, 1)->first_day, "2029-05-01");
	pd_calendar_free(cal);
}

static void test_calendar_highest_override_sequence_wins(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:yearly\nRECURRENCE-ID;VALUE=DATE:20280501\n"
	        "SEQUENCE:2\nDTSTART;VALUE=DATE:20280510\n"
	        "DTEND;VALUE=DATE:20280512\nSUMMARY:Moved\n"
	        "CATEGORIES:ELECTION\nEND:VEVENT\n" YEARLY_HEAD "END:VEVENT\n"
	        "BEGIN:VEVENT\nUID:yearly\nRECURRENCE-ID;VALUE=DATE:20280501\n"
	        "SEQUENCE:1\nDTSTART;VALUE=DATE:20280601\n"
	        "DTEND;VALUE=DATE:20280602\nSUMMARY:Stale move\n"
	        "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	check_moved_2028(cal);
	pd_calendar_free(cal);
}

/* An override of one instance of UID "series" (8 lines). */
static void put_override(pd_buf *b, const char *rid, int seq, const char *start,
                         const char *name, bool cancelled)
{
	assert_int_equal(pd_buf_printf(b,
	                               "BEGIN:VEVENT\nUID:series\n"
	                               "RECURRENCE-ID;VALUE=DATE:%s\n"
	                               "SEQUENCE:%d\nDTSTART;VALUE=DATE:%s\n"
	                               "SUMMARY:%s\nCATEGORIES:FREEZE\n%s"
	                               "END:VEVENT\n",
	                               rid, seq, start, name,
	                               cancelled ? "STATUS:CANCELLED\n" : ""),
	                 PD_OK);
}

static void put_series(pd_buf *b, int seq, const char *name)
{
	assert_int_equal(pd_buf_printf(b,
	                               "BEGIN:VEVENT\nUID:series\n"
	                               "SEQUENCE:%d\n"
	                               "DTSTART;VALUE=DATE:20270101\n"
	                               "RRULE:FREQ=WEEKLY;COUNT=4\n"
	                               "SUMMARY:%s\nCATEGORIES:FREEZE\n"
	                               "END:VEVENT\n",
	                               seq, name),
	                 PD_OK);
}

/* Four weekly instances; overrides with several versions each, in an
 * order that interleaves them with the master and each other. */
static void test_calendar_overrides_with_many_versions(void **state)
{
	pd_buf b = PD_BUF_INIT(1 << 16);
	pd_calendar *cal;
	(void)state;
	assert_int_equal(pd_buf_puts(&b, CAL_BEGIN), PD_OK);
	put_override(&b, "20270115", 2, "20270116", "w3 v2", false);
	put_override(&b, "20270108", 1, "20270109", "w2 v1", false);
	put_override(&b, "20270122", 0, "20270123", "w4 v0", false);
	put_series(&b, 0, "old master");
	put_override(&b, "20270115", 3, "20270115", "w3 cancelled", true);
	put_override(&b, "20270108", 4, "20270110", "w2 v4", false);
	put_series(&b, 1, "master");
	put_override(&b, "20270108", 2, "20270111", "w2 v2", false);
	assert_int_equal(pd_buf_puts(&b, CAL_END), PD_OK);
	cal = tu_calendar(b.ptr, 0);
	pd_buf_dispose(&b);
	assert_int_equal(pd_calendar_count(cal), 3);
	assert_string_equal(pd_calendar_get(cal, 0)->name, "master");
	tu_assert_date(pd_calendar_get(cal, 0)->first_day, "2027-01-01");
	assert_string_equal(pd_calendar_get(cal, 1)->name, "w2 v4");
	tu_assert_date(pd_calendar_get(cal, 1)->first_day, "2027-01-10");
	assert_string_equal(pd_calendar_get(cal, 2)->name, "w4 v0");
	tu_assert_date(pd_calendar_get(cal, 2)->first_day, "2027-01-23");
	assert_int_equal(tu_active(cal, "2027-01-15T12:00", NULL), 0);
	assert_int_equal(tu_active(cal, "2027-01-16T12:00", NULL), 0);
	assert_int_equal(tu_active(cal, "2027-01-08T12:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_override_without_series_is_own_period(void **state)
{
	pd_calendar *cal = tu_calendar(CAL_BEGIN YEARLY_MOVE_2028 CAL_END, 0);
	(void)state;
	assert_string_equal(tu_only(cal)->name, "Moved");
	tu_assert_date(tu_only(cal)->first_day, "2028-05-10");
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Versions of one UID (DOMAIN.md 5)                                        */

#define VERSION_EV(seq, name, first, end_excl)                                 \
	"BEGIN:VEVENT\nUID:poll-2027@council\nSEQUENCE:" seq "\n"              \
	"DTSTART;VALUE=DATE:" first "\nDTEND;VALUE=DATE:" end_excl "\n"        \
	"SUMMARY:" name "\nCATEGORIES:ELECTION\nEND:VEVENT\n"

static void test_calendar_highest_sequence_wins_any_order(void **state)
{
	static const char *const files[] = {
	        CAL_BEGIN VERSION_EV("0", "v0", "20270301", "20270502")
	                VERSION_EV("2", "v2", "20270331", "20270507")
	                        VERSION_EV("1", "v1", "20270315", "20270505")
	                                CAL_END,
	        CAL_BEGIN VERSION_EV("2", "v2", "20270331", "20270507")
	                VERSION_EV("0", "v0", "20270301", "20270502")
	                        VERSION_EV("1", "v1", "20270315", "20270505")
	                                CAL_END,
	        CAL_BEGIN VERSION_EV("1", "v1", "20270315", "20270505")
	                VERSION_EV("0", "v0", "20270301", "20270502")
	                        VERSION_EV("2", "v2", "20270331", "20270507")
	                                CAL_END,
	};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		pd_calendar *cal = tu_calendar(files[i], 0);
		const pd_period *p = tu_only(cal);
		assert_string_equal(p->name, "v2");
		assert_int_equal(p->sequence, 2);
		tu_assert_date(p->first_day, "2027-03-31");
		tu_assert_date(p->last_day, "2027-05-06");
		assert_int_equal(tu_active(cal, "2027-03-20T12:00", NULL), 0);
		pd_calendar_free(cal);
	}
}

static pd_calendar *two_buffers(const char *a, const char *b)
{
	pd_calendar *cal = NULL;

	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	if (pd_calendar_load_buffer(cal, "a.ics", a, strlen(a)) < 0 ||
	    pd_calendar_load_buffer(cal, "b.ics", b, strlen(b)) < 0 ||
	    pd_calendar_finish(cal) < 0)
		fail_msg("%s", pd_error_message());
	return cal;
}

static void test_calendar_highest_sequence_wins_across_buffers(void **state)
{
	const char *newer = CAL_BEGIN VERSION_EV("3", "final", "20270331",
	                                         "20270507") CAL_END;
	const char *older = CAL_BEGIN VERSION_EV("1", "draft", "20270301",
	                                         "20270502") CAL_END;
	pd_calendar *cal;
	(void)state;
	cal = two_buffers(newer, older);
	assert_string_equal(tu_only(cal)->name, "final");
	assert_string_equal(tu_only(cal)->source, "a.ics");
	assert_int_equal(pd_calendar_file_count(cal), 2);
	assert_string_equal(pd_calendar_file(cal, 1), "b.ics");
	assert_null(pd_calendar_file(cal, 2));
	pd_calendar_free(cal);
	cal = two_buffers(older, newer);
	assert_string_equal(tu_only(cal)->name, "final");
	assert_string_equal(tu_only(cal)->source, "b.ics");
	pd_calendar_free(cal);
}

static void
test_calendar_sequence_tie_broken_by_dtstamp_then_order(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:u\nSEQUENCE:1\nDTSTAMP:20270302T000000Z\n"
	        "DTSTART;VALUE=DATE:20270331\nSUMMARY:later stamp\n"
	        "CATEGORIES:ELECTION\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:u\nSEQUENCE:1\nDTSTAMP:20270301T000000Z\n"
	        "DTSTART;VALUE=DATE:20270401\nSUMMARY:earlier stamp\n"
	        "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_string_equal(tu_only(cal)->name, "later stamp");
	pd_calendar_free(cal);
	cal = two_buffers(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:u\nDTSTAMP:20270301T000000Z\n"
	                  "DTSTART;VALUE=DATE:20270331\nSUMMARY:first\n"
	                  "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        CAL_BEGIN "BEGIN:VEVENT\nUID:u\nDTSTAMP:20270301T000000Z\n"
	                  "DTSTART;VALUE=DATE:20270401\nSUMMARY:last\n"
	                  "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END);
	assert_string_equal(tu_only(cal)->name, "last");
	pd_calendar_free(cal);
}

#define CANCELLED_V(seq)                                                       \
	"BEGIN:VEVENT\nUID:poll-2027@council\nSEQUENCE:" seq "\n"              \
	"STATUS:CANCELLED\nDTSTART;VALUE=DATE:20270331\nSUMMARY:cancelled\n"   \
	"CATEGORIES:ELECTION\nEND:VEVENT\n"

static void test_calendar_cancelled_winner_removes_period(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("other", "20270331", "20270507", "ELECTION")
	                VERSION_EV("0", "v0", "20270331", "20270507")
	                        CANCELLED_V("1") CAL_END,
	        0);
	(void)state;
	assert_string_equal(tu_only(cal)->uid, "other");
	assert_int_equal(tu_active(cal, "2027-04-15T12:00", NULL), 1);
	pd_calendar_free(cal);
}

static void test_calendar_cancelled_winner_in_later_buffer(void **state)
{
	pd_calendar *cal = two_buffers(
	        CAL_BEGIN VERSION_EV("0", "v0", "20270331", "20270507") CAL_END,
	        CAL_BEGIN "BEGIN:VEVENT\nUID:poll-2027@council\nSEQUENCE:1\n"
	                  "STATUS:CANCELLED\nSUMMARY:cancelled\n"
	                  "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 0);
	assert_int_equal(tu_active(cal, "2027-04-15T12:00", NULL), 0);
	assert_null(pd_calendar_next(cal, tu_time("2027-01-01"), NULL));
	pd_calendar_free(cal);
}

static void test_calendar_older_cancelled_version_ignored(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN VERSION_EV("2", "reinstated", "20270331", "20270507")
	                CANCELLED_V("1") CAL_END,
	        0);
	(void)state;
	assert_string_equal(tu_only(cal)->name, "reinstated");
	assert_int_equal(tu_active(cal, "2027-04-15T12:00", NULL), 1);
	pd_calendar_free(cal);
}

static void test_calendar_events_without_uid_never_merge(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270331\n"
	        "SUMMARY:one\nCATEGORIES:ELECTION\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270331\n"
	        "SUMMARY:two\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 2);
	assert_int_equal(tu_active(cal, "2027-03-31T12:00", NULL), 2);
	assert_string_not_equal(pd_calendar_get(cal, 0)->uid,
	                        pd_calendar_get(cal, 1)->uid);
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* What is a period                                                         */

static pd_period_kind kind_of(const char *categories)
{
	pd_buf b = PD_BUF_INIT(4096);
	pd_calendar *cal;
	pd_period_kind k;

	assert_int_equal(pd_buf_printf(&b,
	                               CAL_BEGIN "BEGIN:VEVENT\nUID:k\n"
	                                         "DTSTART;VALUE=DATE:20270331\n"
	                                         "SUMMARY:k\nCATEGORIES:%s\n"
	                                         "END:VEVENT\n" CAL_END,
	                               categories),
	                 PD_OK);
	cal = tu_calendar(b.ptr, 0);
	pd_buf_dispose(&b);
	k = tu_only(cal)->kind;
	pd_calendar_free(cal);
	return k;
}

static void test_calendar_categories_name_the_kind(void **state)
{
	(void)state;
	assert_int_equal(kind_of("ELECTION"), PD_PERIOD_ELECTION);
	assert_int_equal(kind_of("election"), PD_PERIOD_ELECTION);
	assert_int_equal(kind_of("BY-ELECTION"), PD_PERIOD_BY_ELECTION);
	assert_int_equal(kind_of("By-Election"), PD_PERIOD_BY_ELECTION);
	assert_int_equal(kind_of("REFERENDUM"), PD_PERIOD_REFERENDUM);
	assert_int_equal(kind_of("Referendum"), PD_PERIOD_REFERENDUM);
	assert_int_equal(kind_of("FREEZE"), PD_PERIOD_FREEZE);
	assert_int_equal(kind_of("freeze"), PD_PERIOD_FREEZE);
	assert_int_equal(kind_of("Meetings,election"), PD_PERIOD_ELECTION);
	assert_int_equal(kind_of("Meetings, By-election ,Other"),
	                 PD_PERIOD_BY_ELECTION);
	assert_int_equal(kind_of("Red Category,Referendum"),
	                 PD_PERIOD_REFERENDUM);
}

static void test_calendar_categories_on_several_lines(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:k\nDTSTART;VALUE=DATE:20270331\n"
	                  "SUMMARY:k\nCATEGORIES:Meetings\nCATEGORIES:Freeze\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(tu_only(cal)->kind, PD_PERIOD_FREEZE);
	pd_calendar_free(cal);
}

/* Ordinary meetings, an event with no categories, a VTODO marked
 * ELECTION and an event whose category only looks like one. */
#define NON_PERIODS                                                            \
	"BEGIN:VEVENT\nUID:m1\nDTSTART:20270401T090000Z\n"                     \
	"DTEND:20270401T100000Z\nSUMMARY:Cabinet\n"                            \
	"CATEGORIES:Meetings\nEND:VEVENT\n"                                    \
	"BEGIN:VEVENT\nUID:m2\nSUMMARY:no categories\n"                        \
	"DTSTART;VALUE=DATE:20270402\nEND:VEVENT\n"                            \
	"BEGIN:VTODO\nUID:t1\nSUMMARY:todo\nCATEGORIES:ELECTION\n"             \
	"END:VTODO\n"                                                          \
	"BEGIN:VEVENT\nUID:m3\nSUMMARY:electioneering\n"                       \
	"CATEGORIES:Elections\nEND:VEVENT\n"

static void test_calendar_non_period_events_ignored(void **state)
{
	/* Ordinary meetings: not periods, so not even checked for
	 * DTSTART. A VTODO is ignored too. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN NON_PERIODS ALLDAY("real", "20270331", "20270507",
	                                     "ELECTION") CAL_END,
	        0);
	(void)state;
	assert_string_equal(tu_only(cal)->uid, "real");
	assert_int_equal(tu_active(cal, "2027-04-01T09:30Z", NULL), 1);
	pd_calendar_free(cal);
}

static void test_calendar_x_purdah_kind_on_event(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:k\nDTSTART;VALUE=DATE:20270331\n"
	                  "SUMMARY:k\nX-PURDAH-KIND:referendum\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	(void)state;
	assert_int_equal(tu_only(cal)->kind, PD_PERIOD_REFERENDUM);
	pd_calendar_free(cal);
}

/* A Google Calendar export, with X-PURDAH-KIND added to the calendar.
 * Google writes empty DESCRIPTION and LOCATION lines; `empty` is where. */
#define GOOGLE_EXPORT(empty)                                                   \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"                \
	"VERSION:2.0\r\n"                                                      \
	"CALSCALE:GREGORIAN\r\n"                                               \
	"METHOD:PUBLISH\r\n"                                                   \
	"X-WR-CALNAME:Election periods\r\n"                                    \
	"X-WR-TIMEZONE:Europe/London\r\n"                                      \
	"X-PURDAH-KIND:ELECTION\r\n"                                           \
	"BEGIN:VEVENT\r\n"                                                     \
	"DTSTART;VALUE=DATE:20270331\r\n"                                      \
	"DTEND;VALUE=DATE:20270507\r\n"                                        \
	"DTSTAMP:20270301T101010Z\r\n"                                         \
	"UID:6p1k0c9h6gs34b9g6tj3cb9k6oo3gbb2c9i3eb9l68qjcp1m74p3acr5cg@"      \
	"google.com\r\n"                                                       \
	"CREATED:20270210T094503Z\r\n" empty                                   \
	"LAST-MODIFIED:20270210T094503Z\r\n"                                   \
	"SEQUENCE:0\r\n"                                                       \
	"STATUS:CONFIRMED\r\n"                                                 \
	"SUMMARY:County council elections\r\n"                                 \
	"TRANSP:TRANSPARENT\r\n"                                               \
	"END:VEVENT\r\n"                                                       \
	"BEGIN:VEVENT\r\n"                                                     \
	"DTSTART:20270601T080000Z\r\n"                                         \
	"DTEND:20270601T160000Z\r\n"                                           \
	"DTSTAMP:20270301T101010Z\r\n"                                         \
	"UID:0hq2s5c4n3g2o1k0e9d8c7b6a5@google.com\r\n"                        \
	"SEQUENCE:0\r\n"                                                       \
	"STATUS:CONFIRMED\r\n"                                                 \
	"SUMMARY:Incident freeze\r\n"                                          \
	"CATEGORIES:Freeze\r\n"                                                \
	"TRANSP:OPAQUE\r\n"                                                    \
	"END:VEVENT\r\n"                                                       \
	"END:VCALENDAR\r\n"

static void check_google(const pd_calendar *cal, int second_line)
{
	const pd_period *p;

	assert_int_equal(pd_calendar_count(cal), 2);
	p = pd_calendar_get(cal, 0);
	assert_string_equal(p->name, "County council elections");
	assert_int_equal(p->kind, PD_PERIOD_ELECTION);
	assert_true(p->all_day);
	tu_assert_date(p->last_day, "2027-05-06");
	assert_int_equal(p->line, 9);
	/* The event's own CATEGORIES name its kind. */
	p = pd_calendar_get(cal, 1);
	assert_int_equal(p->kind, PD_PERIOD_FREEZE);
	tu_assert_utc(p->start, "2027-06-01T08:00:00Z");
	tu_assert_utc(p->end, "2027-06-01T16:00:00Z");
	tu_assert_date(p->first_day, "2027-06-01");
	assert_int_equal(p->line, second_line);
}

static void
test_calendar_vcalendar_kind_makes_every_event_a_period(void **state)
{
	pd_calendar *cal = tu_calendar(GOOGLE_EXPORT(""), 0);
	(void)state;
	check_google(cal, 21);
	pd_calendar_free(cal);
}

static void test_calendar_google_export_with_empty_properties(void **state)
{
	/* RFC 5545 3.3.11: TEXT may be empty; Google writes such lines for
	 * every event without a description or location. */
	pd_calendar *cal =
	        load_cal(GOOGLE_EXPORT("DESCRIPTION:\r\nLOCATION:\r\n"));
	(void)state;
	check_google(cal, 23);
	pd_calendar_free(cal);
}

static void test_calendar_period_fields(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:f@x\nSEQUENCE:4\n"
	                  "DTSTART;VALUE=DATE:20261112\n"
	                  "DTEND;VALUE=DATE:20261218\n"
	                  "SUMMARY:Abbey ward by-election\n"
	                  "DESCRIPTION:Casual vacancy\n"
	                  "CATEGORIES:BY-ELECTION\nX-PURDAH-AREA:Abbey\n"
	                  "X-PURDAH-TYPE:local-by-election\n"
	                  "X-PURDAH-POLL:2026-12-17\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	assert_string_equal(p->uid, "f@x");
	assert_string_equal(p->name, "Abbey ward by-election");
	assert_string_equal(p->description, "Casual vacancy");
	assert_int_equal(p->kind, PD_PERIOD_BY_ELECTION);
	assert_int_equal(p->sequence, 4);
	assert_string_equal(p->source, "test.ics");
	assert_int_equal(p->line, 4);
	assert_string_equal(p->poll_type, "local-by-election");
	assert_true(p->has_poll);
	tu_assert_date(p->poll, "2026-12-17");
	tu_assert_date(p->first_day, "2026-11-12");
	tu_assert_date(p->last_day, "2026-12-17");
	assert_ptr_equal(pd_calendar_tz(cal), tu_london());
	pd_calendar_free(cal);
}

static void test_calendar_bad_poll_date_names_line(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "SUMMARY:u\nCATEGORIES:ELECTION\n"
	                            "X-PURDAH-POLL:6 May 2027\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:9:", "X-PURDAH-POLL");
}

/* A freeze that lasts until it is ended: X-PURDAH-OPEN-ENDED:TRUE (any
 * case) and who recorded it, X-PURDAH-BY. The DTEND still bounds it. */
static void test_calendar_open_ended_and_by_parsed(void **state)
{
	pd_calendar *cal = load_cal(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:f1@x\nDTSTAMP:20261121T000000Z\n"
	        "DTSTART:20261121T140500Z\n"
	        "DTEND:20271122T140500Z\n"
	        "SUMMARY:Emergency freeze\nCATEGORIES:FREEZE\n"
	        "X-PURDAH-OPEN-ENDED:true\n"
	        "X-PURDAH-BY:Smith\\, J\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:f2@x\nDTSTAMP:20261121T000000Z\n"
	        "DTSTART:20261001T000000Z\nDTEND:20261002T000000Z\n"
	        "SUMMARY:Bounded\nCATEGORIES:FREEZE\n"
	        "X-PURDAH-OPEN-ENDED:FALSE\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:f3@x\nDTSTAMP:20261121T000000Z\n"
	        "DTSTART:20260901T000000Z\nDTEND:20260902T000000Z\n"
	        "SUMMARY:Plain\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END);
	const pd_period *p;
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 3);
	p = tu_period(cal, "f1@x", 0);
	assert_true(p->open_ended);
	assert_string_equal(p->by, "Smith, J");
	tu_assert_utc(p->end, "2027-11-22T14:05:00Z");
	assert_int_equal(tu_active(cal, "2027-11-22T14:04:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-11-22T14:05:00Z", NULL), 0);
	p = tu_period(cal, "f2@x", 0);
	assert_false(p->open_ended);
	assert_null(p->by);
	p = tu_period(cal, "f3@x", 0);
	assert_false(p->open_ended);
	assert_null(p->by);
	pd_calendar_free(cal);
}

/* Ending an open-ended freeze: a new version (higher SEQUENCE) that is not
 * open-ended wins, with its own end. */
static void test_calendar_open_ended_follows_the_winning_version(void **state)
{
	pd_calendar *cal = load_cal(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:f@x\nDTSTAMP:20261121T140500Z\n"
	                  "DTSTART:20261121T140500Z\nDTEND:20271122T140500Z\n"
	                  "SUMMARY:Emergency freeze\nCATEGORIES:FREEZE\n"
	                  "X-PURDAH-OPEN-ENDED:TRUE\nX-PURDAH-BY:jsmith\n"
	                  "END:VEVENT\n"
	                  "BEGIN:VEVENT\nUID:f@x\nDTSTAMP:20261121T183000Z\n"
	                  "DTSTART:20261121T140500Z\nDTEND:20261121T183000Z\n"
	                  "SEQUENCE:1\nSUMMARY:Emergency freeze\n"
	                  "CATEGORIES:FREEZE\nX-PURDAH-BY:jsmith\n"
	                  "END:VEVENT\n" CAL_END);
	const pd_period *p = tu_only(cal);
	(void)state;
	assert_false(p->open_ended);
	assert_int_equal(p->sequence, 1);
	assert_string_equal(p->by, "jsmith");
	tu_assert_utc(p->end, "2026-11-21T18:30:00Z");
	assert_int_equal(tu_active(cal, "2026-11-21T18:29:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-11-21T18:30:00Z", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_bad_open_ended_value_names_line(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "DTSTART:20261121T140500Z\n"
	                            "DTEND:20261122T140500Z\n"
	                            "SUMMARY:u\nCATEGORIES:FREEZE\n"
	                            "X-PURDAH-OPEN-ENDED:yes\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:10: X-PURDAH-OPEN-ENDED 'yes' is not TRUE "
	                  "or FALSE",
	                  NULL);
}

static void test_calendar_bad_kind_message_keeps_value(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN
	                  "BEGIN:VEVENT\nUID:u\n"
	                  "DTSTART;VALUE=DATE:20270331\nSUMMARY:u\n"
	                  "X-PURDAH-KIND:ELECTIONS\nEND:VEVENT\n" CAL_END,
	                  "test.ics:4: X-PURDAH-KIND: 'ELECTIONS' is not a "
	                  "period kind",
	                  NULL);
	assert_load_error("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
	                  "X-PURDAH-KIND:purdah\n" ALLDAY("u", "20270331",
	                                                  "20270507", "Meeting")
	                          CAL_END,
	                  "test.ics:1: X-PURDAH-KIND: 'purdah' is not a period "
	                  "kind",
	                  NULL);
}

static void test_calendar_bad_nation_message_keeps_value(void **state)
{
	(void)state;
	assert_load_error("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
	                  "X-PURDAH-KIND:BANK-HOLIDAYS\n"
	                  "X-PURDAH-NATION:cornwall\n"
	                  "BEGIN:VEVENT\nUID:h\nDTSTART;VALUE=DATE:20300102\n"
	                  "SUMMARY:x\nEND:VEVENT\n" CAL_END,
	                  "test.ics:6: X-PURDAH-NATION: nation 'cornwall' is "
	                  "not one of",
	                  NULL);
}

static void test_calendar_kind_names_and_parse(void **state)
{
	pd_period_kind k = PD_PERIOD_FREEZE;
	(void)state;
	assert_string_equal(pd_period_kind_name(PD_PERIOD_ELECTION),
	                    "election");
	assert_string_equal(pd_period_kind_name(PD_PERIOD_BY_ELECTION),
	                    "by-election");
	assert_string_equal(pd_period_kind_name(PD_PERIOD_REFERENDUM),
	                    "referendum");
	assert_string_equal(pd_period_kind_name(PD_PERIOD_FREEZE), "freeze");
	assert_string_equal(pd_period_kind_phrase(PD_PERIOD_ELECTION),
	                    "a pre-election period");
	assert_string_equal(pd_period_kind_phrase(PD_PERIOD_REFERENDUM),
	                    "a referendum period");
	assert_int_equal(pd_period_kind_parse(&k, "By-Election"), PD_OK);
	assert_int_equal(k, PD_PERIOD_BY_ELECTION);
	assert_int_equal(pd_period_kind_parse(&k, "FREEZE"), PD_OK);
	assert_int_equal(k, PD_PERIOD_FREEZE);
	assert_int_equal(pd_period_kind_parse(&k, "elections"), PD_EINVALID);
	assert_int_equal(pd_period_kind_parse(&k, ""), PD_EINVALID);
	assert_int_equal(pd_period_kind_parse(&k, NULL), PD_EINVALID);
}

/* ------------------------------------------------------------------------ */
/* Times and zones                                                          */

static void test_calendar_utc_times(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:u\nDTSTART:20270401T090000Z\n"
	                  "DTEND:20270402T163000Z\nSUMMARY:u\n"
	                  "CATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	assert_false(p->all_day);
	tu_assert_utc(p->start, "2027-04-01T09:00:00Z");
	tu_assert_utc(p->end, "2027-04-02T16:30:00Z");
	tu_assert_date(p->first_day, "2027-04-01");
	tu_assert_date(p->last_day, "2027-04-02");
	assert_int_equal(tu_active(cal, "2027-04-02T16:29:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-04-02T16:30:00Z", NULL), 0);
	assert_int_equal(tu_active(cal, "2027-04-01T08:59:59Z", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_timed_last_day_is_day_of_last_moment(void **state)
{
	/* Ends at local midnight: the last day is the day before. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:u\nDTSTART:20270401T090000Z\n"
	                  "DTEND:20270402T230000Z\nSUMMARY:u\n"
	                  "CATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_date(tu_only(cal)->last_day, "2027-04-02");
	pd_calendar_free(cal);
}

static void test_calendar_tzid_europe_london_without_vtimezone(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:u\n"
	        "DTSTART;TZID=Europe/London:20270401T000000\n"
	        "DTEND;TZID=Europe/London:20271201T090000\n"
	        "SUMMARY:u\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_utc(p->start, "2027-03-31T23:00:00Z");
	tu_assert_utc(p->end, "2027-12-01T09:00:00Z");
	tu_assert_date(p->first_day, "2027-04-01");
	pd_calendar_free(cal);
}

static void test_calendar_tzid_mozilla_style_path(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:u\n"
	        "DTSTART;TZID=/mozilla.org/20050126_1/Europe/London:"
	        "20270401T090000\nDURATION:PT1H\n"
	        "SUMMARY:u\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_only(cal)->start, "2027-04-01T08:00:00Z");
	pd_calendar_free(cal);
}

/* What Outlook (Exchange) writes for UK users: a Windows zone name with its
 * VTIMEZONE, rules from 1601. */
#define OUTLOOK_HEAD                                                           \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"METHOD:PUBLISH\r\n"                                                   \
	"PRODID:Microsoft Exchange Server 2010\r\n"                            \
	"VERSION:2.0\r\n"                                                      \
	"X-WR-CALNAME:Calendar\r\n"                                            \
	"BEGIN:VTIMEZONE\r\n"                                                  \
	"TZID:GMT Standard Time\r\n"                                           \
	"BEGIN:STANDARD\r\n"                                                   \
	"DTSTART:16010101T020000\r\n"                                          \
	"TZOFFSETFROM:+0100\r\n"                                               \
	"TZOFFSETTO:+0000\r\n"                                                 \
	"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\n"               \
	"END:STANDARD\r\n"                                                     \
	"BEGIN:DAYLIGHT\r\n"                                                   \
	"DTSTART:16010101T010000\r\n"                                          \
	"TZOFFSETFROM:+0000\r\n"                                               \
	"TZOFFSETTO:+0100\r\n"                                                 \
	"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n"                \
	"END:DAYLIGHT\r\n"                                                     \
	"END:VTIMEZONE\r\n"

#define OUTLOOK_EVENT(uid, start, end, empty)                                  \
	"BEGIN:VEVENT\r\n"                                                     \
	"DESCRIPTION:\\n\r\n"                                                  \
	"UID:" uid "\r\n"                                                      \
	"SUMMARY:Purdah - county council elections\r\n"                        \
	"DTSTART;TZID=GMT Standard Time:" start "\r\n"                         \
	"DTEND;TZID=GMT Standard Time:" end "\r\n"                             \
	"CLASS:PUBLIC\r\n"                                                     \
	"PRIORITY:5\r\n"                                                       \
	"DTSTAMP:20270301T120000Z\r\n"                                         \
	"TRANSP:TRANSPARENT\r\n"                                               \
	"STATUS:CONFIRMED\r\n"                                                 \
	"SEQUENCE:0\r\n" empty "X-MICROSOFT-CDO-APPT-SEQUENCE:0\r\n"           \
	"X-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n"                                  \
	"X-MICROSOFT-CDO-INTENDEDSTATUS:FREE\r\n"                              \
	"X-MICROSOFT-CDO-ALLDAYEVENT:FALSE\r\n"                                \
	"X-MICROSOFT-CDO-IMPORTANCE:1\r\n"                                     \
	"X-MICROSOFT-CDO-INSTTYPE:0\r\n"                                       \
	"X-MICROSOFT-DISALLOW-COUNTER:FALSE\r\n"                               \
	"CATEGORIES:Red Category,Election\r\n"                                 \
	"BEGIN:VALARM\r\n"                                                     \
	"DESCRIPTION:REMINDER\r\n"                                             \
	"TRIGGER;RELATED=START:-PT15M\r\n"                                     \
	"ACTION:DISPLAY\r\n"                                                   \
	"END:VALARM\r\n"                                                       \
	"END:VEVENT\r\n"

static void check_outlook(const char *empty, int second_line)
{
	char text[8192];
	pd_calendar *cal;
	const pd_period *p;
	int n = snprintf(
	        text, sizeof(text),
	        OUTLOOK_HEAD OUTLOOK_EVENT(
	                "040000008200E00074C5B7101A82E00800000000A1B2@outlook",
	                "20270401T000000", "20270507T000000", "%s")
	                OUTLOOK_EVENT("040000008200E00074C5B7101A82E0080"
	                              "0000000C3D4@outlook",
	                              "20271201T090000", "20271201T170000",
	                              "%s") "END:VCALENDAR\r\n",
	        empty, empty);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	cal = load_cal(text);
	assert_int_equal(pd_calendar_count(cal), 2);
	p = pd_calendar_get(cal, 0);
	assert_int_equal(p->kind, PD_PERIOD_ELECTION);
	assert_string_equal(p->name, "Purdah - county council elections");
	tu_assert_utc(p->start, "2027-03-31T23:00:00Z"); /* BST */
	tu_assert_utc(p->end, "2027-05-06T23:00:00Z");
	tu_assert_date(p->first_day, "2027-04-01");
	tu_assert_date(p->last_day, "2027-05-06");
	assert_int_equal(p->line, 21);
	p = pd_calendar_get(cal, 1);
	tu_assert_utc(p->start, "2027-12-01T09:00:00Z"); /* GMT */
	tu_assert_utc(p->end, "2027-12-01T17:00:00Z");
	assert_int_equal(p->line, second_line);
	pd_calendar_free(cal);
}

static void test_calendar_outlook_windows_zone_with_vtimezone(void **state)
{
	(void)state;
	check_outlook("", 47);
}

static void test_calendar_outlook_export_with_empty_location(void **state)
{
	/* Outlook writes LOCATION: with no value for most events. */
	(void)state;
	check_outlook("LOCATION:\r\n", 48);
}

/* Exchange also names zones by their display text, commas and all, so the
 * TZID parameter is quoted (RFC 5545 3.2). */
#define DISPLAY_TZ "(UTC+00:00) Dublin, Edinburgh, Lisbon, London"
#define DISPLAY_VTIMEZONE                                                      \
	"BEGIN:VTIMEZONE\nTZID:" DISPLAY_TZ "\nBEGIN:STANDARD\n"               \
	"DTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000\n"      \
	"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"   \
	"BEGIN:DAYLIGHT\nDTSTART:16010101T010000\nTZOFFSETFROM:+0000\n"        \
	"TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH="   \
	"3\n"                                                                  \
	"END:DAYLIGHT\nEND:VTIMEZONE\n"
#define DISPLAY_TZ_EVENT                                                       \
	"BEGIN:VEVENT\nUID:u\n"                                                \
	"DTSTART;TZID=\"" DISPLAY_TZ "\":20270325T090000\n"                    \
	"DTEND;TZID=\"" DISPLAY_TZ "\":20270325T100000\n"                      \
	"RRULE:FREQ=WEEKLY;COUNT=3\n"                                          \
	"EXDATE;TZID=\"" DISPLAY_TZ "\":20270401T090000\n"                     \
	"SUMMARY:u\nCATEGORIES:FREEZE\nEND:VEVENT\n"

static void test_calendar_outlook_quoted_tzid_with_commas(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN DISPLAY_VTIMEZONE DISPLAY_TZ_EVENT CAL_END, 0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 2);
	tu_assert_utc(pd_calendar_get(cal, 0)->start, "2027-03-25T09:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->start, "2027-04-08T08:00:00Z");
	tu_assert_utc(pd_calendar_get(cal, 1)->end, "2027-04-08T09:00:00Z");
	assert_int_equal(pd_calendar_get(cal, 0)->line, 19);
	pd_calendar_free(cal);
}

static void test_calendar_embedded_vtimezone_is_honoured(void **state)
{
	/* A zone name purdah cannot know: only the VTIMEZONE defines it. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\n"
	        "BEGIN:STANDARD\nDTSTART:16010101T000000\n"
	        "TZOFFSETFROM:+0300\nTZOFFSETTO:+0300\n"
	        "END:STANDARD\nEND:VTIMEZONE\n"
	        "BEGIN:VEVENT\nUID:u\n"
	        "DTSTART;TZID=Customized Time Zone:20270401T090000\n"
	        "DTEND;TZID=\"Customized Time Zone\":20270401T120000\n"
	        "SUMMARY:u\nCATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_utc(p->start, "2027-04-01T06:00:00Z");
	tu_assert_utc(p->end, "2027-04-01T09:00:00Z");
	assert_int_equal(p->line, 12);
	pd_calendar_free(cal);
}

static void test_calendar_windows_zone_without_vtimezone_mapped(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:u\n"
	        "DTSTART;TZID=GMT Standard Time:20270401T000000\n"
	        "DTEND;TZID=GMT Standard Time:20270507T000000\n"
	        "SUMMARY:u\nCATEGORIES:ELECTION\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:v\n"
	        "DTSTART;TZID=\"GMT Standard Time\":20271201T090000\n"
	        "DURATION:PT8H\n"
	        "SUMMARY:v\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_period(cal, "u", 0)->start, "2027-03-31T23:00:00Z");
	tu_assert_utc(tu_period(cal, "u", 0)->end, "2027-05-06T23:00:00Z");
	tu_assert_utc(tu_period(cal, "v", 0)->start, "2027-12-01T09:00:00Z");
	tu_assert_utc(tu_period(cal, "v", 0)->end, "2027-12-01T17:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_unknown_tzid_names_line(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\nSUMMARY:u\n"
	                            "DTSTART;TZID=Mars/Olympus_Mons:"
	                            "20270401T090000\n"
	                            "DTEND;TZID=Mars/Olympus_Mons:"
	                            "20270401T170000\n"
	                            "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	                  "test.ics:7:", "Mars/Olympus_Mons");
}

static void test_calendar_unknown_tzid_on_dtend_names_its_line(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\nSUMMARY:u\n"
	                            "DTSTART:20270401T090000Z\n"
	                            "DTEND;TZID=Mars/Olympus_Mons:"
	                            "20270401T170000\n"
	                            "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	                  "test.ics:8:", "Mars/Olympus_Mons");
}

static void test_calendar_floating_times_taken_in_london(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:s\nDTSTART:20270701T090000\n"
	                  "DTEND:20270701T170000\nSUMMARY:s\n"
	                  "CATEGORIES:FREEZE\nEND:VEVENT\n"
	                  "BEGIN:VEVENT\nUID:w\nDTSTART:20271201T090000\n"
	                  "DTEND:20271201T170000\nSUMMARY:w\n"
	                  "CATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_period(cal, "s", 0)->start, "2027-07-01T08:00:00Z");
	tu_assert_utc(tu_period(cal, "s", 0)->end, "2027-07-01T16:00:00Z");
	tu_assert_utc(tu_period(cal, "w", 0)->start, "2027-12-01T09:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_x_wr_timezone_for_floating_times(void **state)
{
	pd_calendar *cal = tu_calendar(
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\n"
	        "X-WR-TIMEZONE:America/New_York\n"
	        "BEGIN:VEVENT\nUID:f\nDTSTART:20270701T090000\n"
	        "DTEND:20270701T170000\nSUMMARY:f\n"
	        "CATEGORIES:FREEZE\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:z\nDTSTART:20270701T090000Z\n"
	        "DTEND:20270701T170000Z\nSUMMARY:z\n"
	        "CATEGORIES:FREEZE\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:t\n"
	        "DTSTART;TZID=Europe/London:20270701T090000\n"
	        "DTEND;TZID=Europe/London:20270701T170000\nSUMMARY:t\n"
	        "CATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_period(cal, "f", 0)->start, "2027-07-01T13:00:00Z");
	tu_assert_utc(tu_period(cal, "f", 0)->end, "2027-07-01T21:00:00Z");
	tu_assert_utc(tu_period(cal, "z", 0)->start, "2027-07-01T09:00:00Z");
	tu_assert_utc(tu_period(cal, "t", 0)->start, "2027-07-01T08:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_unknown_x_wr_timezone_falls_back(void **state)
{
	pd_calendar *cal =
	        tu_calendar("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\n"
	                    "X-WR-TIMEZONE:Nowhere/Special\n"
	                    "BEGIN:VEVENT\nUID:f\nDTSTART:20270701T090000\n"
	                    "DTEND:20270701T170000\nSUMMARY:f\n"
	                    "CATEGORIES:FREEZE\nEND:VEVENT\n" CAL_END,
	                    0);
	(void)state;
	tu_assert_utc(tu_only(cal)->start, "2027-07-01T08:00:00Z");
	pd_calendar_free(cal);
}

static void test_calendar_duration_all_day_p5d(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20270503\n"
	                  "DURATION:P5D\nSUMMARY:d\nCATEGORIES:ELECTION\n"
	                  "END:VEVENT\n"
	                  "BEGIN:VEVENT\nUID:w\nDTSTART;VALUE=DATE:20270503\n"
	                  "DURATION:P1W\nSUMMARY:w\nCATEGORIES:ELECTION\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_period(cal, "d", 0);
	(void)state;
	assert_true(p->all_day);
	tu_assert_date(p->first_day, "2027-05-03");
	tu_assert_date(p->last_day, "2027-05-07");
	tu_assert_utc(p->end, "2027-05-07T23:00:00Z");
	tu_assert_date(tu_period(cal, "w", 0)->last_day, "2027-05-09");
	pd_calendar_free(cal);
}

static void test_calendar_duration_timed_pt2h(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:d\nDTSTART:20270503T090000Z\n"
	                  "DURATION:PT2H\nSUMMARY:d\nCATEGORIES:FREEZE\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_only(cal)->start, "2027-05-03T09:00:00Z");
	tu_assert_utc(tu_only(cal)->end, "2027-05-03T11:00:00Z");
	assert_false(tu_only(cal)->all_day);
	pd_calendar_free(cal);
}

static void test_calendar_duration_day_is_nominal_over_dst(void **state)
{
	/* RFC 5545 3.3.6: P1D is a calendar day, PT24H is exact. */
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:d\n"
	                  "DTSTART;TZID=Europe/London:20260328T120000\n"
	                  "DURATION:P1D\nSUMMARY:d\nCATEGORIES:FREEZE\n"
	                  "END:VEVENT\n"
	                  "BEGIN:VEVENT\nUID:h\n"
	                  "DTSTART;TZID=Europe/London:20260328T120000\n"
	                  "DURATION:PT24H\nSUMMARY:h\nCATEGORIES:FREEZE\n"
	                  "END:VEVENT\n" CAL_END,
	        0);
	(void)state;
	tu_assert_utc(tu_period(cal, "d", 0)->end, "2026-03-29T11:00:00Z");
	tu_assert_utc(tu_period(cal, "h", 0)->end, "2026-03-29T12:00:00Z");
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Text: folding, escapes, BOM                                              */

static void check_folded(const char *ics)
{
	pd_calendar *cal = tu_calendar(ics, 0);
	const pd_period *p = tu_only(cal);

	assert_string_equal(p->name, "Northbridge Borough Council elections "
	                             "2027");
	tu_assert_date(p->first_day, "2027-03-31");
	assert_int_equal(p->line, 4);
	pd_calendar_free(cal);
}

static void test_calendar_folded_summary_crlf(void **state)
{
	(void)state;
	check_folded("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
	             "BEGIN:VEVENT\r\nUID:f\r\n"
	             "SUMMARY:Northbridge Borough C\r\n"
	             " ouncil elections 20\r\n"
	             " 27\r\n"
	             "DTSTART;VALUE=DATE:20270331\r\n"
	             "CATEGORIES:ELECTION\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
}

static void test_calendar_folded_summary_lf(void **state)
{
	(void)state;
	check_folded(CAL_BEGIN "BEGIN:VEVENT\nUID:f\n"
	                       "SUMMARY:Northbridge Borough C\n"
	                       " ouncil elections 20\n"
	                       "\t27\n"
	                       "DTSTART;VALUE=DATE:20270331\n"
	                       "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END);
}

static void test_calendar_folded_property_name(void **state)
{
	(void)state;
	check_folded(CAL_BEGIN "BEGIN:VEVENT\nUID:f\n"
	                       "SUMMARY:Northbridge Borough Council elections "
	                       "2027\n"
	                       "DTST\n ART;VALUE=DATE:20270331\n"
	                       "CATEG\n ORIES:ELECTION\nEND:VEVENT\n" CAL_END);
}

static void test_calendar_folded_lines_keep_line_numbers(void **state)
{
	(void)state;
	/* Line 11 is the first physical line after a 3-line fold. */
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:f\n"
	                            "SUMMARY:Northbridge Borough C\n"
	                            " ouncil elections 20\n"
	                            " 27\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "CATEGORIES:ELECTION\n"
	                            "THIS LINE IS BROKEN\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:11:", NULL);
	assert_load_error("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                  "BEGIN:VEVENT\r\nUID:f\r\n"
	                  "SUMMARY:Northbridge Borough C\r\n"
	                  " ouncil elections 20\r\n"
	                  " 27\r\n"
	                  "DTSTART;VALUE=DATE:20270331\r\n"
	                  "CATEGORIES:ELECTION\r\n"
	                  "THIS LINE IS BROKEN\r\n"
	                  "END:VEVENT\r\nEND:VCALENDAR\r\n",
	                  "test.ics:11:", NULL);
}

static void test_calendar_escaped_text_in_summary(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "BEGIN:VEVENT\nUID:e\n"
	                  "SUMMARY:Elections\\, referendum\\; and more\n"
	                  "DESCRIPTION:Line one\\nLine two\\\\end\n"
	                  "DTSTART;VALUE=DATE:20270331\n"
	                  "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	assert_string_equal(p->name, "Elections, referendum; and more");
	assert_string_equal(p->description, "Line one\nLine two\\end");
	pd_calendar_free(cal);
}

static void test_calendar_bom_at_file_start(void **state)
{
	pd_calendar *cal = tu_calendar(
	        "\xEF\xBB\xBF" CAL_BEGIN ALLDAY("bom", "20270331", "20270507",
	                                        "ELECTION") CAL_END,
	        0);
	(void)state;
	assert_string_equal(tu_only(cal)->uid, "bom");
	assert_int_equal(tu_only(cal)->line, 4);
	pd_calendar_free(cal);
}

static void test_calendar_blank_lines_tolerated(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN "\n" ALLDAY("b", "20270331", "20270507",
	                              "ELECTION") "\n\n" CAL_END "\n",
	        0);
	(void)state;
	assert_int_equal(tu_only(cal)->line, 5);
	pd_calendar_free(cal);
}

static void test_calendar_empty_file_is_error(void **state)
{
	(void)state;
	assert_load_error("", "test.ics:", NULL);
	assert_load_error("\n\n", "test.ics:", NULL);
	assert_load_error("\xEF\xBB\xBF", "test.ics:", NULL);
}

static void test_calendar_nul_byte_names_line(void **state)
{
	static const char text[] =
	        CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                  "SUMMARY:a\0b\nEND:VEVENT\n" CAL_END;
	pd_calendar *cal = NULL;
	pd_rc rc;
	(void)state;
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	rc = pd_calendar_load_buffer(cal, "test.ics", text, sizeof(text) - 1);
	pd_calendar_free(cal);
	assert_int_equal(rc, PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "test.ics:6:"));
}

static void test_calendar_buffer_need_not_be_terminated(void **state)
{
	/* Exactly `len` bytes, no NUL after them (ASan sees any over-read). */
	static const char text[] = CAL_BEGIN ALLDAY("u", "20270331", "20270507",
	                                            "ELECTION") CAL_END;
	size_t len = sizeof(text) - 1;
	char *copy = malloc(len);
	pd_calendar *cal = NULL;
	pd_rc rc;
	(void)state;
	assert_non_null(copy);
	memcpy(copy, text, len);
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	rc = pd_calendar_load_buffer(cal, "test.ics", copy, len);
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	free(copy);
	assert_int_equal(rc, PD_OK);
	assert_int_equal(pd_calendar_count(cal), 1);
	pd_calendar_free(cal);
}

static void test_calendar_only_vcalendar_no_events(void **state)
{
	pd_calendar *cal = tu_calendar(CAL_BEGIN CAL_END, 0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 0);
	assert_null(pd_calendar_get(cal, 0));
	assert_int_equal(tu_active(cal, "2027-04-01T00:00", NULL), 0);
	assert_null(pd_calendar_next(cal, tu_time("2027-04-01"), NULL));
	pd_calendar_free(cal);
}

static void test_calendar_two_vcalendars_in_one_file(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("one", "20270331", "20270507", "ELECTION")
	                CAL_END CAL_BEGIN ALLDAY("two", "20270601", "20270602",
	                                         "FREEZE") CAL_END,
	        0);
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 2);
	assert_int_equal(tu_period(cal, "one", 0)->line, 4);
	assert_int_equal(tu_period(cal, "two", 0)->line, 16);
	pd_calendar_free(cal);
}

/* 7 lines that are no VEVENT. */
#define VENDOR_AND_TODO                                                        \
	"BEGIN:X-VENDOR-THING\nX-A:1\nEND:X-VENDOR-THING\n"                    \
	"BEGIN:VTODO\nUID:t\nSUMMARY:t\nEND:VTODO\n"

static void test_calendar_unknown_component_keeps_lines(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN VENDOR_AND_TODO ALLDAY(
	                "after", "20270331", "20270507", "ELECTION") CAL_END,
	        0);
	(void)state;
	assert_int_equal(tu_only(cal)->line, 11);
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Ends: all-day exclusive, defaults, errors                                */

static void test_calendar_allday_end_is_exclusive(void **state)
{
	pd_calendar *cal =
	        tu_calendar(CAL_BEGIN ALLDAY("e", "20270331", "20270507",
	                                     "ELECTION") CAL_END,
	                    0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_date(p->last_day, "2027-05-06");
	assert_int_equal(tu_active(cal, "2027-05-06T23:59", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-05-06T23:59:59", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-05-07T00:00", NULL), 0);
	assert_int_equal(tu_active(cal, "2027-03-31T00:00", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-03-30T23:59:59", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_allday_without_dtend_is_one_day(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN
	        "BEGIN:VEVENT\nUID:o\nDTSTART;VALUE=DATE:20270506\n"
	        "SUMMARY:o\nCATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_period *p = tu_only(cal);
	(void)state;
	tu_assert_date(p->first_day, "2027-05-06");
	tu_assert_date(p->last_day, "2027-05-06");
	tu_assert_utc(p->start, "2027-05-05T23:00:00Z");
	tu_assert_utc(p->end, "2027-05-06T23:00:00Z");
	assert_int_equal(tu_active(cal, "2027-05-06T23:59", NULL), 1);
	assert_int_equal(tu_active(cal, "2027-05-07T00:00", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calendar_timed_without_end_is_error(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART:20270506T090000Z\n"
	                            "SUMMARY:t\nCATEGORIES:FREEZE\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:4:", "DTEND");
}

static void test_calendar_dtend_before_dtstart_is_error(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART:20270506T090000Z\n"
	                            "DTEND:20270506T080000Z\n"
	                            "SUMMARY:t\nCATEGORIES:FREEZE\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:", "ends before");
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART;VALUE=DATE:20270506\n"
	                            "DTEND;VALUE=DATE:20270501\n"
	                            "SUMMARY:t\nCATEGORIES:ELECTION\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:", "ends before");
	/* Zero length is no period either. */
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART;VALUE=DATE:20270506\n"
	                            "DTEND;VALUE=DATE:20270506\n"
	                            "SUMMARY:t\nCATEGORIES:ELECTION\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:", NULL);
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART:20270506T090000Z\n"
	                            "DURATION:-PT1H\n"
	                            "SUMMARY:t\nCATEGORIES:FREEZE\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:", NULL);
}

static void test_calendar_date_and_datetime_mixed_is_error(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:t\n"
	                            "DTSTART;VALUE=DATE:20270506\n"
	                            "DTEND:20270507T090000Z\n"
	                            "SUMMARY:t\nCATEGORIES:ELECTION\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:", "DTEND");
}

#define NO_DTSTART_EV                                                          \
	"BEGIN:VEVENT\nUID:bad\nSUMMARY:No start\nCATEGORIES:ELECTION\n"       \
	"END:VEVENT\n"

static void test_calendar_missing_dtstart_names_begin_line(void **state)
{
	(void)state;
	/* The second event's BEGIN:VEVENT is on line 12. */
	assert_load_error(CAL_BEGIN ALLDAY("ok", "20270331", "20270507",
	                                   "ELECTION") NO_DTSTART_EV CAL_END,
	                  "test.ics:12:", "DTSTART");
}

static void test_calendar_bad_dtstart_value_names_line(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:bad\nSUMMARY:x\n"
	                            "DTSTART;VALUE=DATE:2027banana\n"
	                            "CATEGORIES:ELECTION\n"
	                            "END:VEVENT\n" CAL_END,
	                  "test.ics:7:", NULL);
}

/* ------------------------------------------------------------------------ */
/* Structure errors                                                         */

static void test_calendar_end_without_begin(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN CAL_END "END:VEVENT\n",
	                  "test.ics:5:", "END:VEVENT");
}

static void test_calendar_mismatched_end(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "END:VTODO\n" CAL_END,
	                  "test.ics:7:", "BEGIN:VEVENT of line 4");
	assert_load_error(CAL_BEGIN ALLDAY("u", "20270331", "20270507",
	                                   "ELECTION") "END:VEVENT\n" CAL_END,
	                  "test.ics:12:", "END:VEVENT");
}

static void test_calendar_missing_end_vcalendar(void **state)
{
	(void)state;
	assert_load_error(
	        CAL_BEGIN ALLDAY("u", "20270331", "20270507", "ELECTION"),
	        "test.ics:11:", "BEGIN:VCALENDAR of line 1");
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n",
	                  "BEGIN:VEVENT of line 4", NULL);
}

static void test_calendar_content_line_without_colon(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "SUMMARY Elections 2027\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	                  "test.ics:6:", NULL);
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "CATEGORIES\nEND:VEVENT\n" CAL_END,
	                  "test.ics:7:", NULL);
}

static void test_calendar_content_line_with_params_but_no_colon(void **state)
{
	(void)state;
	assert_load_error(CAL_BEGIN "BEGIN:VEVENT\nUID:u\n"
	                            "DTSTART;VALUE=DATE:20270331\n"
	                            "SUMMARY;LANGUAGE=en-GB Elections\n"
	                            "CATEGORIES:ELECTION\nEND:VEVENT\n" CAL_END,
	                  "test.ics:7:", NULL);
}

static void test_calendar_property_outside_components(void **state)
{
	(void)state;
	assert_load_error("X-STRAY:1\n" CAL_BEGIN CAL_END, "test.ics:1:", NULL);
	assert_load_error(CAL_BEGIN CAL_END "VERSION:2.0\n",
	                  "test.ics:5:", NULL);
}

static void test_calendar_top_level_component_must_be_vcalendar(void **state)
{
	(void)state;
	assert_load_error(ALLDAY("u", "20270331", "20270507", "ELECTION"),
	                  "test.ics:1:", NULL);
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */

static void test_calendar_next_honours_area(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN AREA_EV("a", "20270301", "20270401", "BY-ELECTION",
	                          "Abbey") AREA_EV("c", "20270315", "20270401",
	                                           "BY-ELECTION", "Castle")
	                ALLDAY("all", "20270401", "20270507", "ELECTION")
	                        CAL_END,
	        0);
	const pd_period *p;
	(void)state;
	p = pd_calendar_next(cal, tu_time("2027-02-01"), NULL);
	assert_non_null(p);
	assert_string_equal(p->uid, "a");
	p = pd_calendar_next(cal, tu_time("2027-02-01"), "castle");
	assert_non_null(p);
	assert_string_equal(p->uid, "c");
	p = pd_calendar_next(cal, tu_time("2027-02-01"), "Harbour");
	assert_non_null(p);
	assert_string_equal(p->uid, "all");
	/* Strictly after: a period starting at `at` is active, not next. */
	p = pd_calendar_next(cal, tu_time("2027-03-01"), NULL);
	assert_non_null(p);
	assert_string_equal(p->uid, "c");
	p = pd_calendar_next(cal, tu_time("2027-03-20"), "Abbey");
	assert_non_null(p);
	assert_string_equal(p->uid, "all");
	assert_null(pd_calendar_next(cal, tu_time("2027-04-01"), NULL));
	pd_calendar_free(cal);
}

static void test_calendar_count_get_sorted_by_start_end_uid(void **state)
{
	pd_calendar *cal = tu_calendar(
	        CAL_BEGIN ALLDAY("z-late", "20270601", "20270602", "FREEZE")
	                ALLDAY("b-long", "20270331", "20270507", "ELECTION")
	                        ALLDAY("c-same", "20270331", "20270402",
	                               "FREEZE") ALLDAY("a-same", "20270331",
	                                                "20270402", "FREEZE")
	                                ALLDAY("m-early", "20270101",
	                                       "20270102", "FREEZE") CAL_END,
	        0);
	static const char *const want[] = {"m-early", "a-same", "c-same",
	                                   "b-long", "z-late"};
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(pd_calendar_get(cal, i)->uid, want[i]);
	assert_null(pd_calendar_get(cal, 5));
	assert_null(pd_calendar_get(cal, (size_t)-1));
	pd_calendar_free(cal);
}

static void test_calendar_queries_before_finish_see_nothing(void **state)
{
	pd_calendar *cal = NULL;
	const char *ics = CAL_BEGIN ALLDAY("u", "20270331", "20270507",
	                                   "ELECTION") CAL_END;
	(void)state;
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	assert_int_equal(
	        pd_calendar_load_buffer(cal, "x.ics", ics, strlen(ics)), PD_OK);
	assert_int_equal(pd_calendar_count(cal), 0);
	assert_int_equal(tu_active(cal, "2027-04-15", NULL), 0);
	assert_int_equal(pd_calendar_finish(cal), PD_OK);
	assert_int_equal(pd_calendar_count(cal), 1);
	assert_int_equal(pd_calendar_finish(cal), PD_OK); /* idempotent */
	assert_int_equal(pd_calendar_count(cal), 1);
	/* Loading after finishing is refused. */
	assert_true(pd_calendar_load_buffer(cal, "y.ics", ics, strlen(ics)) <
	            0);
	pd_calendar_free(cal);
	pd_calendar_free(NULL);
}

/* A deterministic generator for the index test. */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void test_calendar_index_matches_brute_force(void **state)
{
	static const char *const areas[] = {"", "Abbey", "Castle",
	                                    "Castle,Harbour"};
	pd_buf b = PD_BUF_INIT(1 << 22);
	pd_instant base = tu_time("2027-01-01T00:00Z");
	pd_calendar *cal;
	uint32_t seed = 20270506;
	size_t n = 700, i, total;
	(void)state;
	assert_int_equal(pd_buf_puts(&b, CAL_BEGIN), PD_OK);
	for (i = 0; i < n; i++) {
		pd_instant s =
		        base + (pd_instant)(lcg(&seed) % (366u * 24)) * 3600;
		pd_instant len = 60;
		char st[40], en[40], dt[48];
		const char *area;
		if (lcg(&seed) % 2)
			len += (pd_instant)(lcg(&seed) % (90u * 86400));
		area = areas[lcg(&seed) % 4];
		pd_time_format_utc(st, sizeof(st), s);
		pd_time_format_utc(en, sizeof(en), s + len);
		/* 2027-01-01T00:00:00Z -> 20270101T000000Z */
		size_t k = 0;
		for (const char *c = st; *c; c++)
			if (*c != '-' && *c != ':')
				dt[k++] = *c;
		dt[k] = '\0';
		assert_int_equal(pd_buf_printf(&b,
		                               "BEGIN:VEVENT\nUID:p%03zu\n"
		                               "DTSTART:%s\n",
		                               i, dt),
		                 PD_OK);
		k = 0;
		for (const char *c = en; *c; c++)
			if (*c != '-' && *c != ':')
				dt[k++] = *c;
		dt[k] = '\0';
		assert_int_equal(pd_buf_printf(&b,
		                               "DTEND:%s\nSUMMARY:p\n"
		                               "CATEGORIES:FREEZE\n",
		                               dt),
		                 PD_OK);
		if (*area)
			assert_int_equal(
			        pd_buf_printf(&b, "X-PURDAH-AREA:%s\n", area),
			        PD_OK);
		assert_int_equal(pd_buf_puts(&b, "END:VEVENT\n"), PD_OK);
	}
	assert_int_equal(pd_buf_puts(&b, CAL_END), PD_OK);
	cal = tu_calendar(b.ptr, 0);
	pd_buf_dispose(&b);
	total = pd_calendar_count(cal);
	assert_int_equal(total, n);
	for (i = 1; i < total; i++) {
		const pd_period *a = pd_calendar_get(cal, i - 1),
		                *c = pd_calendar_get(cal, i);
		assert_true(a->start < c->start ||
		            (a->start == c->start && a->end <= c->end));
	}
	for (int q = 0; q < 3000; q++) {
		static const char *const qareas[] = {NULL, "abbey", "HARBOUR",
		                                     "Westfield"};
		const char *area = qareas[q % 4];
		pd_instant at;
		const pd_period *out[1024];
		size_t got, want = 0, j = 0;
		const pd_period *next = NULL;

		if (q < 2 * (int)total) {
			/* Every boundary: each start and each end. */
			const pd_period *p =
			        pd_calendar_get(cal, (size_t)q / 2);
			at = q % 2 ? p->end : p->start;
			at += (pd_instant)(lcg(&seed) % 3) - 1;
		} else {
			at = base - 86400 +
			     (pd_instant)(lcg(&seed) % (460u * 24)) * 3600;
		}
		got = pd_calendar_active(cal, at, area, out, 1024);
		for (i = 0; i < total; i++) {
			const pd_period *p = pd_calendar_get(cal, i);
			if (!pd_period_covers(p, area))
				continue;
			if (p->start <= at && at < p->end) {
				if (j >= got || out[j] != p)
					fail_msg("query %d: period %zu missing "
					         "or out of order",
					         q, i);
				j++;
				want++;
			}
			if (!next && p->start > at)
				next = p;
		}
		assert_int_equal(got, want);
		assert_ptr_equal(pd_calendar_next(cal, at, area), next);
	}
	pd_calendar_free(cal);
}

/* ------------------------------------------------------------------------ */
/* Bank holidays                                                            */

static void test_calendar_shipped_holidays_load(void **state)
{
	pd_calendar *cal = tu_holidays();
	const pd_holidays *h = pd_calendar_holidays(cal);
	pd_date d;
	(void)state;
	assert_int_equal(pd_calendar_count(cal), 0); /* no periods */
	assert_true(pd_holidays_count(h, PD_REGION_EW) > 100);
	assert_true(pd_holidays_count(h, PD_REGION_SCOTLAND) > 100);
	assert_true(pd_holidays_count(h, PD_REGION_NI) > 100);
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2026-12-25")));
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2026-12-28")));
	assert_false(pd_holidays_is(h, PD_REGION_EW, tu_date("2026-12-26")));
	assert_true(
	        pd_holidays_is(h, PD_REGION_SCOTLAND, tu_date("2026-01-02")));
	assert_false(pd_holidays_is(h, PD_REGION_EW, tu_date("2026-01-02")));
	assert_true(pd_holidays_is(h, PD_REGION_ALL, tu_date("2026-01-02")));
	assert_true(pd_holidays_is(h, PD_REGION_NI, tu_date("2026-03-17")));
	assert_false(pd_holidays_is(h, PD_REGION_EW | PD_REGION_SCOTLAND,
	                            tu_date("2026-03-17")));
	/* DOMAIN.md 3: one-off holidays. */
	assert_true(pd_holidays_is(h, PD_REGION_ALL, tu_date("2022-09-19")));
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2023-05-08")));
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2020-05-08")));
	assert_true(
	        pd_holidays_is(h, PD_REGION_SCOTLAND, tu_date("2026-06-15")));
	assert_false(pd_holidays_is(h, PD_REGION_EW | PD_REGION_NI,
	                            tu_date("2026-06-15")));
	/* Good Friday everywhere; Easter Monday not in Scotland. */
	for (int y = 2012; y <= 2028; y++) {
		d = pd_easter_sunday(y);
		for (unsigned r = 1; r <= 4; r <<= 1)
			if (!pd_holidays_is(h, r, pd_date_add_days(d, -2)))
				fail_msg("Good Friday %d, region %u", y, r);
		assert_true(pd_holidays_is(h, PD_REGION_EW,
		                           pd_date_add_days(d, 1)));
		assert_true(pd_holidays_is(h, PD_REGION_NI,
		                           pd_date_add_days(d, 1)));
		assert_false(pd_holidays_is(h, PD_REGION_SCOTLAND,
		                            pd_date_add_days(d, 1)));
	}
	pd_calendar_free(cal);
}

static void test_calendar_holidays_cover_known_years_only(void **state)
{
	pd_calendar *cal = tu_holidays();
	const pd_holidays *h = pd_calendar_holidays(cal);
	(void)state;
	for (int y = 2012; y <= 2028; y++)
		assert_int_equal(pd_holidays_cover(h, PD_REGION_ALL, y), PD_OK);
	assert_int_equal(pd_holidays_cover(h, PD_REGION_ALL, 2031), PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "2031"));
	assert_int_equal(pd_holidays_cover(h, PD_REGION_SCOTLAND, 2011),
	                 PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "scotland"));
	pd_calendar_free(cal);
}

static void test_calendar_holiday_calendar_rules(void **state)
{
	pd_calendar *cal = tu_calendar(
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
	        "X-PURDAH-KIND:BANK-HOLIDAYS\nX-PURDAH-NATION:scotland\n"
	        "BEGIN:VEVENT\nUID:h1\nDTSTART;VALUE=DATE:20300102\n"
	        "DTEND;VALUE=DATE:20300104\nSUMMARY:two days\nEND:VEVENT\n"
	        "BEGIN:VEVENT\nUID:h2\nDTSTART;VALUE=DATE:20300105\n"
	        "STATUS:CANCELLED\nSUMMARY:cancelled\nEND:VEVENT\n" CAL_END,
	        0);
	const pd_holidays *h = pd_calendar_holidays(cal);
	(void)state;
	assert_int_equal(pd_holidays_count(h, PD_REGION_SCOTLAND), 2);
	assert_true(
	        pd_holidays_is(h, PD_REGION_SCOTLAND, tu_date("2030-01-03")));
	assert_false(
	        pd_holidays_is(h, PD_REGION_SCOTLAND, tu_date("2030-01-05")));
	assert_int_equal(pd_calendar_count(cal), 0);
	pd_calendar_free(cal);
	assert_load_error("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
	                  "X-PURDAH-KIND:BANK-HOLIDAYS\n"
	                  "BEGIN:VEVENT\nUID:h1\nDTSTART;VALUE=DATE:20300102\n"
	                  "SUMMARY:x\nEND:VEVENT\n" CAL_END,
	                  "test.ics:5:", "X-PURDAH-NATION");
	assert_load_error(
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
	        "X-PURDAH-KIND:BANK-HOLIDAYS\n"
	        "X-PURDAH-NATION:scotland\n"
	        "BEGIN:VEVENT\nUID:h1\nDTSTART:20300102T000000Z\n"
	        "DTEND:20300103T000000Z\nSUMMARY:x\nEND:VEVENT\n" CAL_END,
	        "test.ics:6:", "all-day");
}

/* ------------------------------------------------------------------------ */
/* Directories                                                              */

static void test_calendar_load_directory_recursive_sorted(void **state)
{
	char dir[] = "/tmp/purdah-caldir-XXXXXX";
	char path[256];
	pd_calendar *cal = NULL;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/c.ics", dir);
	tu_write_file(path, CAL_BEGIN ALLDAY("c", "20270601", "20270602",
	                                     "FREEZE") CAL_END);
	snprintf(path, sizeof(path), "%s/b.ics", dir);
	tu_write_file(path, CAL_BEGIN ALLDAY("b", "20270331", "20270507",
	                                     "ELECTION") CAL_END);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	tu_write_file(path, "not a calendar");
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	if (pd_calendar_load_path(cal, dir) < 0)
		fail_msg("%s", pd_error_message());
	assert_int_equal(pd_calendar_finish(cal), PD_OK);
	assert_int_equal(pd_calendar_count(cal), 2);
	assert_int_equal(pd_calendar_file_count(cal), 2);
	assert_non_null(strstr(pd_calendar_file(cal, 0), "b.ics"));
	assert_non_null(strstr(pd_calendar_file(cal, 1), "sub/c.ics"));
	assert_non_null(strstr(tu_period(cal, "c", 0)->source, "sub/c.ics"));
	pd_calendar_free(cal);

	snprintf(path, sizeof(path), "%s/sub/c.ics", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/b.ics", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_calendar_load_path_missing_file_names_it(void **state)
{
	pd_calendar *cal = NULL;
	pd_rc rc;
	(void)state;
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	pd_error_clear();
	rc = pd_calendar_load_path(cal, "/nonexistent/purdah/missing.ics");
	pd_calendar_free(cal);
	assert_int_equal(rc, PD_ECONFIG);
	if (!strstr(pd_error_message(), "missing.ics"))
		fail_msg("message '%s' does not name the file",
		         pd_error_message());
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                      */

static const char inject_holidays[] =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
        "X-PURDAH-KIND:BANK-HOLIDAYS\nX-PURDAH-NATION:england-and-wales\n"
        "BEGIN:VEVENT\nUID:h1\nDTSTART;VALUE=DATE:20270503\n"
        "SUMMARY:Early May\nEND:VEVENT\n" CAL_END;

static const char inject_periods[] = CAL_BEGIN YEARLY_HEAD
        "EXDATE;VALUE=DATE:20280501\nRDATE;VALUE=DATE:20300601\n"
        "X-PURDAH-AREA:Abbey,Castle\nX-PURDAH-AREA:Harbour\n"
        "DESCRIPTION:d\nX-PURDAH-TYPE:local\nX-PURDAH-POLL:2027-05-06\n"
        "END:VEVENT\n" YEARLY_MOVE_2028
        "BEGIN:VEVENT\nDTSTART;TZID=Europe/London:20270601T090000\n"
        "DURATION:PT2H\nSUMMARY:no uid\nCATEGORIES:Meetings,Freeze\n"
        "END:VEVENT\n" VERSION_EV("1", "v1", "20270331", "20270507")
                VERSION_EV("2", "v2", "20270331", "20270507") CAL_END;

/* Load both texts with allocations failing after `n`: the period count
 * (x100) plus the holiday count, or -1 after a failure, whose code and
 * message go to *rc_out and msg. */
static long load_with_failures(long n, pd_rc *rc_out, char *msg, size_t cap)
{
	pd_calendar *cal = NULL;
	pd_rc rc;
	long count = -1;

	pd_error_clear();
	pd_alloc_fail_after(n);
	rc = pd_calendar_new(&cal, tu_london());
	if (rc == PD_OK)
		rc = pd_calendar_load_buffer(cal, "h.ics", inject_holidays,
		                             strlen(inject_holidays));
	if (rc == PD_OK)
		rc = pd_calendar_load_buffer(cal, "p.ics", inject_periods,
		                             strlen(inject_periods));
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	if (rc == PD_OK)
		count = (long)pd_calendar_count(cal) * 100 +
		        (long)pd_holidays_count(pd_calendar_holidays(cal),
		                                PD_REGION_EW);
	pd_alloc_fail_after(-1);
	pd_calendar_free(cal);
	if (rc == PD_ENOMEM && pd_error_code() != PD_ENOMEM)
		rc = PD_EINTERNAL; /* returned ENOMEM, recorded another */
	*rc_out = rc;
	snprintf(msg, cap, "%s", pd_error_message());
	return count;
}

static void test_calendar_allocation_failures_are_clean(void **state)
{
	pd_rc rc;
	char msg[256], wrong_msg[300] = "";
	long want = load_with_failures(-1, &rc, msg, sizeof(msg));
	long n, ok_run = 0, failures = 0, wrong = 0;
	(void)state;
	/* 3 yearly + 1 RDATE - 1 EXDATE (its override then moves nothing),
	 * the untitled freeze and poll-2027; one bank holiday. */
	assert_int_equal(want, 5 * 100 + 1);
	/* Every failure point is visited (ASan checks each for leaks); a
	 * misreported code is collected and failed at the end. */
	for (n = 0; n < 20000 && ok_run < 25; n++) {
		long got = load_with_failures(n, &rc, msg, sizeof(msg));
		if (got == -1) {
			failures++;
			ok_run = 0;
			if (rc != PD_ENOMEM && wrong++ == 0)
				snprintf(wrong_msg, sizeof(wrong_msg),
				         "after %ld: %s %s", n, pd_rc_name(rc),
				         msg);
			continue;
		}
		if (got != want)
			fail_msg("fail after %ld: a failure was swallowed "
			         "(%ld, want %ld)",
			         n, got, want);
		ok_run++;
	}
	assert_true(failures > 10);
	assert_true(ok_run >= 25);
	if (wrong)
		fail_msg("%ld of %ld failures not reported as ENOMEM; first %s",
		         wrong, failures, wrong_msg);
}

/* periods_only (the gate): a file of bank holidays alone is hashed and
 * listed but not parsed; a file with anything that could be a period is
 * parsed, even with the word folded across lines. */
static pd_calendar *periods_only(const char *ics, bool only)
{
	pd_calendar *cal = NULL;

	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	if (only)
		pd_calendar_periods_only(cal);
	assert_int_equal(
	        pd_calendar_load_buffer(cal, "t.ics", ics, strlen(ics)), PD_OK);
	assert_int_equal(pd_calendar_finish(cal), PD_OK);
	return cal;
}

static void test_calendar_periods_only_skips_holiday_files(void **state)
{
	static const char hol[] =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	        "X-PURDAH-KIND:BANK-HOLIDAYS\r\nX-PURDAH-NATION:scotland\r\n"
	        "BEGIN:VEVENT\r\nUID:h1\r\nDTSTAMP:20260101T000000Z\r\n"
	        "DTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year's Day\r\n"
	        "END:VEVENT\r\nEND:VCALENDAR\r\n";
	static const char mixed[] =
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
	        "X-PURDAH-KIND:BANK-HOLIDAYS\nX-PURDAH-NATION:scotland\n"
	        "BEGIN:VEVENT\nUID:h1\nDTSTAMP:20260101T000000Z\n"
	        "DTSTART;VALUE=DATE:20270101\nSUMMARY:New Year's Day\n"
	        "END:VEVENT\n"
	        "BEGIN:VEVENT\nUID:e1\nDTSTAMP:20260101T000000Z\n"
	        "DTSTART;VALUE=DATE:20270301\nDTEND;VALUE=DATE:20270302\n"
	        "SUMMARY:x\nCATEGORIES:ELEC\n TION\n"
	        "END:VEVENT\nEND:VCALENDAR\n";
	pd_calendar *full, *only;
	(void)state;

	full = periods_only(hol, false);
	only = periods_only(hol, true);
	assert_int_equal(pd_holidays_count(pd_calendar_holidays(full),
	                                   PD_REGION_SCOTLAND),
	                 1);
	assert_int_equal(pd_holidays_count(pd_calendar_holidays(only),
	                                   PD_REGION_SCOTLAND),
	                 0);
	assert_int_equal(pd_calendar_file_count(only), 1);
	/* The hash is over the bytes either way: decisions stay auditable. */
	assert_string_equal(pd_calendar_sha256(only), pd_calendar_sha256(full));
	assert_int_equal(strlen(pd_calendar_sha256(only)), 64);
	pd_calendar_free(full);
	pd_calendar_free(only);

	only = periods_only(mixed, true);
	assert_int_equal(pd_calendar_count(only), 1);
	pd_calendar_free(only);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_calendar_dst_spring_start_is_local_midnight),
	        cmocka_unit_test(test_calendar_dst_spring_timed_tzid_start),
	        cmocka_unit_test(
	                test_calendar_dst_autumn_end_is_local_midnight),
	        cmocka_unit_test(test_calendar_dst_autumn_timed_tzid_end),
	        cmocka_unit_test(test_calendar_tzid_times_in_gap_and_overlap),
	        cmocka_unit_test(
	                test_calendar_dst_change_days_are_23_and_25_hours),
	        cmocka_unit_test(
	                test_calendar_overlapping_periods_all_active_in_start_order),
	        cmocka_unit_test(test_calendar_area_filter),
	        cmocka_unit_test(test_calendar_area_comma_list_and_repeated),
	        cmocka_unit_test(test_calendar_area_escaped_comma_is_one_area),
	        cmocka_unit_test(test_calendar_rrule_yearly_count),
	        cmocka_unit_test(test_calendar_exdate_removes_one_instance),
	        cmocka_unit_test(test_calendar_exdate_comma_list),
	        cmocka_unit_test(test_calendar_rdate_adds_one_instance),
	        cmocka_unit_test(
	                test_calendar_rdate_duplicate_of_rule_instance_once),
	        cmocka_unit_test(test_calendar_rdate_period_values),
	        cmocka_unit_test(
	                test_calendar_rrule_timed_keeps_local_time_over_dst),
	        cmocka_unit_test(
	                test_calendar_all_instances_excluded_is_no_period),
	        cmocka_unit_test(
	                test_calendar_recurrence_id_moves_one_instance),
	        cmocka_unit_test(
	                test_calendar_recurrence_id_before_master_in_file),
	        cmocka_unit_test(test_calendar_recurrence_id_timed_with_tzid),
	        cmocka_unit_test(
	                test_calendar_cancelled_override_removes_instance),
	        cmocka_unit_test(test_calendar_highest_override_sequence_wins),
	        cmocka_unit_test(test_calendar_overrides_with_many_versions),
	        cmocka_unit_test(
	                test_calendar_override_without_series_is_own_period),
	        cmocka_unit_test(test_calendar_highest_sequence_wins_any_order),
	        cmocka_unit_test(
	                test_calendar_highest_sequence_wins_across_buffers),
	        cmocka_unit_test(
	                test_calendar_sequence_tie_broken_by_dtstamp_then_order),
	        cmocka_unit_test(test_calendar_cancelled_winner_removes_period),
	        cmocka_unit_test(
	                test_calendar_cancelled_winner_in_later_buffer),
	        cmocka_unit_test(test_calendar_older_cancelled_version_ignored),
	        cmocka_unit_test(test_calendar_events_without_uid_never_merge),
	        cmocka_unit_test(test_calendar_categories_name_the_kind),
	        cmocka_unit_test(test_calendar_categories_on_several_lines),
	        cmocka_unit_test(test_calendar_non_period_events_ignored),
	        cmocka_unit_test(test_calendar_x_purdah_kind_on_event),
	        cmocka_unit_test(
	                test_calendar_vcalendar_kind_makes_every_event_a_period),
	        cmocka_unit_test(
	                test_calendar_google_export_with_empty_properties),
	        cmocka_unit_test(test_calendar_period_fields),
	        cmocka_unit_test(test_calendar_bad_poll_date_names_line),
	        cmocka_unit_test(test_calendar_open_ended_and_by_parsed),
	        cmocka_unit_test(
	                test_calendar_open_ended_follows_the_winning_version),
	        cmocka_unit_test(test_calendar_bad_open_ended_value_names_line),
	        cmocka_unit_test(test_calendar_bad_kind_message_keeps_value),
	        cmocka_unit_test(test_calendar_bad_nation_message_keeps_value),
	        cmocka_unit_test(test_calendar_kind_names_and_parse),
	        cmocka_unit_test(test_calendar_utc_times),
	        cmocka_unit_test(
	                test_calendar_timed_last_day_is_day_of_last_moment),
	        cmocka_unit_test(
	                test_calendar_tzid_europe_london_without_vtimezone),
	        cmocka_unit_test(test_calendar_tzid_mozilla_style_path),
	        cmocka_unit_test(
	                test_calendar_outlook_windows_zone_with_vtimezone),
	        cmocka_unit_test(
	                test_calendar_outlook_export_with_empty_location),
	        cmocka_unit_test(test_calendar_outlook_quoted_tzid_with_commas),
	        cmocka_unit_test(test_calendar_embedded_vtimezone_is_honoured),
	        cmocka_unit_test(
	                test_calendar_windows_zone_without_vtimezone_mapped),
	        cmocka_unit_test(test_calendar_unknown_tzid_names_line),
	        cmocka_unit_test(
	                test_calendar_unknown_tzid_on_dtend_names_its_line),
	        cmocka_unit_test(test_calendar_floating_times_taken_in_london),
	        cmocka_unit_test(
	                test_calendar_x_wr_timezone_for_floating_times),
	        cmocka_unit_test(
	                test_calendar_unknown_x_wr_timezone_falls_back),
	        cmocka_unit_test(test_calendar_duration_all_day_p5d),
	        cmocka_unit_test(test_calendar_duration_timed_pt2h),
	        cmocka_unit_test(
	                test_calendar_duration_day_is_nominal_over_dst),
	        cmocka_unit_test(test_calendar_folded_summary_crlf),
	        cmocka_unit_test(test_calendar_folded_summary_lf),
	        cmocka_unit_test(test_calendar_folded_property_name),
	        cmocka_unit_test(test_calendar_folded_lines_keep_line_numbers),
	        cmocka_unit_test(test_calendar_escaped_text_in_summary),
	        cmocka_unit_test(test_calendar_bom_at_file_start),
	        cmocka_unit_test(test_calendar_blank_lines_tolerated),
	        cmocka_unit_test(test_calendar_empty_file_is_error),
	        cmocka_unit_test(test_calendar_nul_byte_names_line),
	        cmocka_unit_test(test_calendar_buffer_need_not_be_terminated),
	        cmocka_unit_test(test_calendar_only_vcalendar_no_events),
	        cmocka_unit_test(test_calendar_two_vcalendars_in_one_file),
	        cmocka_unit_test(test_calendar_unknown_component_keeps_lines),
	        cmocka_unit_test(test_calendar_allday_end_is_exclusive),
	        cmocka_unit_test(test_calendar_allday_without_dtend_is_one_day),
	        cmocka_unit_test(test_calendar_timed_without_end_is_error),
	        cmocka_unit_test(test_calendar_dtend_before_dtstart_is_error),
	        cmocka_unit_test(
	                test_calendar_date_and_datetime_mixed_is_error),
	        cmocka_unit_test(
	                test_calendar_missing_dtstart_names_begin_line),
	        cmocka_unit_test(test_calendar_bad_dtstart_value_names_line),
	        cmocka_unit_test(test_calendar_end_without_begin),
	        cmocka_unit_test(test_calendar_mismatched_end),
	        cmocka_unit_test(test_calendar_missing_end_vcalendar),
	        cmocka_unit_test(test_calendar_content_line_without_colon),
	        cmocka_unit_test(
	                test_calendar_content_line_with_params_but_no_colon),
	        cmocka_unit_test(test_calendar_property_outside_components),
	        cmocka_unit_test(
	                test_calendar_top_level_component_must_be_vcalendar),
	        cmocka_unit_test(test_calendar_next_honours_area),
	        cmocka_unit_test(
	                test_calendar_count_get_sorted_by_start_end_uid),
	        cmocka_unit_test(
	                test_calendar_queries_before_finish_see_nothing),
	        cmocka_unit_test(test_calendar_index_matches_brute_force),
	        cmocka_unit_test(test_calendar_shipped_holidays_load),
	        cmocka_unit_test(test_calendar_holidays_cover_known_years_only),
	        cmocka_unit_test(test_calendar_holiday_calendar_rules),
	        cmocka_unit_test(test_calendar_load_directory_recursive_sorted),
	        cmocka_unit_test(test_calendar_load_path_missing_file_names_it),
	        cmocka_unit_test(test_calendar_allocation_failures_are_clean),
	        cmocka_unit_test(
	                test_calendar_periods_only_skips_holiday_files),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
