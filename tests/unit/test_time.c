/*
 * Dates, instants and zones: every TIME form pd_time_parse accepts (and the
 * ones it must refuse), civil-date arithmetic, Easter, the two UK clock
 * changes and RFC 3339 output. Expected instants are written as UTC text
 * so a failure shows both sides readably.
 */
#include "testutil.h"

#include <string.h>

#include "purdah/calfile.h"
#include "purdah/error.h"
#include "purdah/time.h"

static const pd_tz *zone(const char *name)
{
	const pd_tz *tz = NULL;

	if (pd_tz_get(&tz, name) < 0)
		fail_msg("%s: %s", name, pd_error_message());
	return tz;
}

/* Parse in London and compare as UTC text. */
static void assert_parses(const char *s, const char *want_utc)
{
	pd_instant t = 0;

	if (pd_time_parse(&t, s, tu_london(), "--at") != PD_OK)
		fail_msg("'%s' refused: %s", s, pd_error_message());
	tu_assert_utc(t, want_utc);
}

static void assert_refused(const char *s)
{
	pd_instant t = 12345;

	pd_error_clear();
	if (pd_time_parse(&t, s, tu_london(), "--at") != PD_EUSAGE)
		fail_msg("'%s' was accepted", s ? s : "(null)");
	assert_int_equal(pd_error_code(), PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "--at"));
	assert_int_equal(t, 12345); /* untouched on failure */
}

static pd_date date(int y, int m, int d)
{
	pd_date r = {y, m, d};
	return r;
}

/* ------------------------------------------------------------------------ */

static void test_time_parse_rfc3339_with_offset(void **state)
{
	(void)state;
	assert_parses("2026-03-30T09:00:00+01:00", "2026-03-30T08:00:00Z");
	assert_parses("2026-03-30T09:00:00+00:00", "2026-03-30T09:00:00Z");
	assert_parses("2026-03-30T09:00:00-05:00", "2026-03-30T14:00:00Z");
	assert_parses("2026-03-30T09:00:00+05:30", "2026-03-30T03:30:00Z");
	/* The offset wins over the zone: a winter date with +01:00. */
	assert_parses("2026-01-15T09:00:00+01:00", "2026-01-15T08:00:00Z");
	/* Seconds are optional. */
	assert_parses("2027-03-31T09:00+01:00", "2027-03-31T08:00:00Z");
	/* Across midnight and a year end. */
	assert_parses("2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00Z");
}

static void test_time_parse_rfc3339_with_z(void **state)
{
	(void)state;
	assert_parses("2026-03-30T08:00:00Z", "2026-03-30T08:00:00Z");
	assert_parses("2027-03-31T08:00Z", "2027-03-31T08:00:00Z");
	assert_parses("2026-03-29T23:00:00z", "2026-03-29T23:00:00Z");
	assert_parses("2026-03-30t08:00:00Z", "2026-03-30T08:00:00Z");
}

static void test_time_parse_fractional_seconds_truncated(void **state)
{
	(void)state;
	assert_parses("2026-03-30T08:00:00.999Z", "2026-03-30T08:00:00Z");
	assert_parses("2026-03-30T09:00:05.5+01:00", "2026-03-30T08:00:05Z");
	assert_parses("2026-03-30T09:00:05.123456", "2026-03-30T08:00:05Z");
	assert_refused("2026-03-30T08:00:00.Z");
	assert_refused("2026-03-30T08:00:00.");
	assert_refused("2026-03-30T08:00.5Z"); /* fraction needs seconds */
}

static void test_time_parse_local_date_time(void **state)
{
	(void)state;
	/* BST: local is UTC+1. */
	assert_parses("2026-03-30T09:00", "2026-03-30T08:00:00Z");
	assert_parses("2026-03-30T09:00:30", "2026-03-30T08:00:30Z");
	assert_parses("2026-03-30 09:00:30", "2026-03-30T08:00:30Z");
	assert_parses("2026-03-30 09:00", "2026-03-30T08:00:00Z");
	/* GMT: local is UTC. */
	assert_parses("2026-01-15T09:00", "2026-01-15T09:00:00Z");
	assert_parses("2026-11-02 23:59:59", "2026-11-02T23:59:59Z");
	/* Midnight local in summer is 23:00 UTC the day before. */
	assert_parses("2026-03-30T00:00", "2026-03-29T23:00:00Z");
}

static void test_time_parse_local_in_another_zone(void **state)
{
	pd_instant t = 0;
	(void)state;
	assert_int_equal(pd_time_parse(&t, "2026-07-01T09:00",
	                               zone("America/New_York"), "t"),
	                 PD_OK);
	tu_assert_utc(t, "2026-07-01T13:00:00Z");
	assert_int_equal(pd_time_parse(&t, "2026-07-01", zone("UTC"), "t"),
	                 PD_OK);
	tu_assert_utc(t, "2026-07-01T00:00:00Z");
}

static void test_time_parse_bare_date_is_local_day_start(void **state)
{
	(void)state;
	assert_parses("2026-03-30", "2026-03-29T23:00:00Z"); /* BST */
	assert_parses("2026-01-15", "2026-01-15T00:00:00Z"); /* GMT */
	assert_parses("2026-03-29", "2026-03-29T00:00:00Z"); /* spring day */
	assert_parses("2026-10-25", "2026-10-24T23:00:00Z"); /* autumn day */
	assert_parses("2026-10-26", "2026-10-26T00:00:00Z");
	assert_parses("2024-02-29", "2024-02-29T00:00:00Z");
}

static void test_time_parse_clock_change_edges(void **state)
{
	(void)state;
	/* time.h, after RFC 5545 3.3.5: a time in the spring gap takes the
	 * offset from before the gap ... */
	assert_parses("2026-03-29T01:30", "2026-03-29T01:30:00Z");
	/* ... a time that happens twice is its first (summer) occurrence. */
	assert_parses("2026-10-25T01:30", "2026-10-25T00:30:00Z");
	/* Unambiguous neighbours. */
	assert_parses("2026-03-29T00:59:59", "2026-03-29T00:59:59Z");
	assert_parses("2026-03-29T02:00", "2026-03-29T01:00:00Z");
	assert_parses("2026-10-25T00:59:59", "2026-10-24T23:59:59Z");
	assert_parses("2026-10-25T02:00", "2026-10-25T02:00:00Z");
	/* Either way, an explicit offset says which one is meant. */
	assert_parses("2026-10-25T01:30+00:00", "2026-10-25T01:30:00Z");
	assert_parses("2026-10-25T01:30+01:00", "2026-10-25T00:30:00Z");
}

static void test_time_parse_leap_second_is_instant_before(void **state)
{
	(void)state;
	assert_parses("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z");
	assert_refused("2016-12-31T23:59:61Z");
}

static void test_time_parse_rejects_invalid(void **state)
{
	static const char *const bad[] = {
	        "",
	        "2026-02-30",
	        "2026-02-29", /* 2026 is not a leap year */
	        "2100-02-29", /* nor is 2100 */
	        "2026-13-01",
	        "2026-00-10",
	        "2026-04-31",
	        "2026-03-00",
	        "2026-03-30T25:00",
	        "2026-03-30T24:00",
	        "2026-03-30T09:60",
	        "2026-03-30T09:00junk",
	        "2026-03-30T09:00:00Zjunk",
	        "2026-03-30T09:00:00+01:00x",
	        "2026-03-30junk",
	        "2026-03-30 ",
	        " 2026-03-30",
	        "2026-03-30T",
	        "2026-03-30T09",
	        "2026-03-30T9:00",
	        "2026-3-30",
	        "26-03-30",
	        "20260330",
	        "2026/03/30",
	        "2026-03-30X09:00",
	        "2026-03-30T09:00:00+0100",
	        "2026-03-30T09:00:00+01",
	        "2026-03-30T09:00:00+24:00",
	        "2026-03-30T09:00:00+01:60",
	        "2026-03-30T09:00:00 Z",
	        "1899-12-31", /* outside PD_YEAR_MIN..PD_YEAR_MAX */
	        "2200-01-01",
	        "yesterday",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	assert_refused(NULL);
}

static void test_time_parse_year_range_edges(void **state)
{
	(void)state;
	assert_parses("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z");
	assert_parses("2199-12-31T23:59:59Z", "2199-12-31T23:59:59Z");
}

/* ------------------------------------------------------------------------ */

static void test_date_weekday(void **state)
{
	(void)state;
	assert_int_equal(pd_date_weekday(date(1970, 1, 1)), 3);   /* Thu */
	assert_int_equal(pd_date_weekday(date(2026, 3, 30)), 0);  /* Mon */
	assert_int_equal(pd_date_weekday(date(2026, 10, 25)), 6); /* Sun */
	assert_int_equal(pd_date_weekday(date(2027, 5, 6)), 3);   /* Thu */
	assert_int_equal(pd_date_weekday(date(2000, 2, 29)), 1);  /* Tue */
	assert_int_equal(pd_date_weekday(date(1900, 1, 1)), 0);   /* Mon */
	assert_int_equal(pd_date_weekday(date(2199, 12, 31)), 1); /* Tue */
	assert_int_equal(pd_date_weekday(date(1969, 12, 31)), 2); /* Wed */
}

static void test_date_days_round_trip(void **state)
{
	(void)state;
	assert_int_equal(pd_date_to_days(date(1970, 1, 1)), 0);
	assert_int_equal(pd_date_to_days(date(2026, 3, 30)), 20542);
	assert_int_equal(pd_date_to_days(date(2000, 2, 29)), 11016);
	assert_int_equal(pd_date_to_days(date(1900, 1, 1)), -25567);
	assert_int_equal(pd_date_to_days(date(2199, 12, 31)), 84005);
	tu_assert_date(pd_days_to_date(-1), "1969-12-31");
	tu_assert_date(pd_days_to_date(-25567), "1900-01-01");
	tu_assert_date(pd_days_to_date(84005), "2199-12-31");
	/* Every day of 1900-2199 survives the round trip, in order. */
	for (int64_t n = -25567; n <= 84005; n++) {
		pd_date d = pd_days_to_date(n);
		if (!pd_date_valid(d) || pd_date_to_days(d) != n)
			fail_msg("day %lld -> %d-%d-%d", (long long)n, d.year,
			         d.month, d.day);
		if (pd_date_cmp(pd_date_add_days(d, 1), d) <= 0)
			fail_msg("day %lld: next day not later", (long long)n);
	}
}

static void test_date_add_days_across_years_and_leap_days(void **state)
{
	(void)state;
	tu_assert_date(pd_date_add_days(date(2026, 12, 31), 1), "2027-01-01");
	tu_assert_date(pd_date_add_days(date(2027, 1, 1), -1), "2026-12-31");
	tu_assert_date(pd_date_add_days(date(2024, 2, 28), 1), "2024-02-29");
	tu_assert_date(pd_date_add_days(date(2024, 2, 29), 1), "2024-03-01");
	tu_assert_date(pd_date_add_days(date(2023, 2, 28), 1), "2023-03-01");
	tu_assert_date(pd_date_add_days(date(2100, 2, 28), 1), "2100-03-01");
	tu_assert_date(pd_date_add_days(date(2000, 2, 28), 1), "2000-02-29");
	tu_assert_date(pd_date_add_days(date(2024, 3, 1), -1), "2024-02-29");
	tu_assert_date(pd_date_add_days(date(2026, 1, 1), 365), "2027-01-01");
	tu_assert_date(pd_date_add_days(date(2024, 1, 1), 365), "2024-12-31");
	tu_assert_date(pd_date_add_days(date(2026, 5, 7), -35), "2026-04-02");
	tu_assert_date(pd_date_add_days(date(2026, 5, 7), 0), "2026-05-07");
	tu_assert_date(pd_date_add_days(date(2000, 1, 1), 36525), "2100-01-01");
}

static void test_date_valid_and_leap_years(void **state)
{
	(void)state;
	assert_true(pd_date_valid(date(2024, 2, 29)));
	assert_true(pd_date_valid(date(2000, 2, 29)));
	assert_false(pd_date_valid(date(1900, 2, 29)));
	assert_false(pd_date_valid(date(2100, 2, 29)));
	assert_false(pd_date_valid(date(2026, 2, 29)));
	assert_true(pd_date_valid(date(2026, 12, 31)));
	assert_false(pd_date_valid(date(2026, 4, 31)));
	assert_false(pd_date_valid(date(2026, 0, 1)));
	assert_false(pd_date_valid(date(2026, 13, 1)));
	assert_false(pd_date_valid(date(2026, 1, 0)));
	assert_false(pd_date_valid(date(2026, 1, 32)));
	assert_false(pd_date_valid(date(1899, 12, 31)));
	assert_false(pd_date_valid(date(2200, 1, 1)));
}

static void test_date_cmp(void **state)
{
	(void)state;
	assert_true(pd_date_cmp(date(2026, 3, 30), date(2026, 3, 31)) < 0);
	assert_true(pd_date_cmp(date(2026, 4, 1), date(2026, 3, 31)) > 0);
	assert_true(pd_date_cmp(date(2025, 12, 31), date(2026, 1, 1)) < 0);
	assert_int_equal(pd_date_cmp(date(2026, 3, 30), date(2026, 3, 30)), 0);
}

static void test_date_easter_sunday_known_dates(void **state)
{
	static const struct {
		int year;
		const char *easter;
	} known[] = {
	        {2016, "2016-03-27"}, {2019, "2019-04-21"},
	        {2024, "2024-03-31"}, {2025, "2025-04-20"},
	        {2026, "2026-04-05"}, {2027, "2027-03-28"},
	        {2008, "2008-03-23"}, {2011, "2011-04-24"},
	        {1943, "1943-04-25"}, /* the latest possible */
	        {2038, "2038-04-25"}, {2285, "2285-03-22"}, /* earliest */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		pd_date e = pd_easter_sunday(known[i].year);
		tu_assert_date(e, known[i].easter);
		if (known[i].year <= PD_YEAR_MAX)
			assert_int_equal(pd_date_weekday(e), 6);
	}
	/* Always a Sunday between 22 March and 25 April. */
	for (int y = PD_YEAR_MIN; y <= PD_YEAR_MAX; y++) {
		pd_date e = pd_easter_sunday(y);
		if (pd_date_weekday(e) != 6 ||
		    pd_date_cmp(e, date(y, 3, 22)) < 0 ||
		    pd_date_cmp(e, date(y, 4, 25)) > 0)
			fail_msg("Easter %d: %d-%d", y, e.month, e.day);
	}
}

static void test_date_parse_and_format(void **state)
{
	pd_date d = {0, 0, 0};
	char buf[32];
	(void)state;
	assert_int_equal(pd_date_parse(&d, "2027-05-06", "poll"), PD_OK);
	assert_int_equal(d.year, 2027);
	assert_int_equal(d.month, 5);
	assert_int_equal(d.day, 6);
	pd_date_format_human(buf, sizeof(buf), d);
	assert_string_equal(buf, "Thu 6 May 2027");
	pd_date_format_human(buf, sizeof(buf), date(2026, 12, 25));
	assert_string_equal(buf, "Fri 25 Dec 2026");
	assert_true(pd_date_parse(&d, "2027-05-06T00:00", "poll") < 0);
	assert_non_null(strstr(pd_error_message(), "poll"));
	assert_true(pd_date_parse(&d, "2027-02-29", "poll") < 0);
	assert_true(pd_date_parse(&d, "", "poll") < 0);
	assert_true(pd_date_parse(&d, NULL, "poll") < 0);
}

/* ------------------------------------------------------------------------ */

static void test_tz_day_start_across_dst(void **state)
{
	const pd_tz *ldn = tu_london();
	(void)state;
	tu_assert_utc(pd_tz_day_start(ldn, date(2026, 3, 28)),
	              "2026-03-28T00:00:00Z");
	tu_assert_utc(pd_tz_day_start(ldn, date(2026, 3, 29)),
	              "2026-03-29T00:00:00Z");
	tu_assert_utc(pd_tz_day_start(ldn, date(2026, 3, 30)),
	              "2026-03-29T23:00:00Z");
	tu_assert_utc(pd_tz_day_start(ldn, date(2026, 10, 25)),
	              "2026-10-24T23:00:00Z");
	tu_assert_utc(pd_tz_day_start(ldn, date(2026, 10, 26)),
	              "2026-10-26T00:00:00Z");
	/* The spring day has 23 hours, the autumn day 25. */
	assert_int_equal(pd_tz_day_start(ldn, date(2026, 3, 30)) -
	                         pd_tz_day_start(ldn, date(2026, 3, 29)),
	                 23 * 3600);
	assert_int_equal(pd_tz_day_start(ldn, date(2026, 10, 26)) -
	                         pd_tz_day_start(ldn, date(2026, 10, 25)),
	                 25 * 3600);
	assert_int_equal(pd_tz_day_start(ldn, date(2026, 7, 2)) -
	                         pd_tz_day_start(ldn, date(2026, 7, 1)),
	                 24 * 3600);
}

static void test_tz_day_start_every_day_is_local_midnight(void **state)
{
	const pd_tz *ldn = tu_london();
	pd_date d = date(2012, 1, 1);
	(void)state;
	for (; d.year < 2031; d = pd_date_add_days(d, 1)) {
		pd_instant t = pd_tz_day_start(ldn, d);
		pd_civil c;
		int off = -1;
		pd_tz_instant_to_local(ldn, t, &c, &off);
		if (c.year != d.year || c.month != d.month || c.day != d.day ||
		    c.hour || c.min || c.sec || (off != 0 && off != 3600))
			fail_msg("%d-%d-%d starts at %d-%d-%d %d:%d (%d)",
			         d.year, d.month, d.day, c.year, c.month, c.day,
			         c.hour, c.min, off);
		if (pd_date_cmp(pd_tz_date_of(ldn, t - 1),
		                pd_date_add_days(d, -1)) != 0)
			fail_msg("the second before %d-%d-%d", d.year, d.month,
			         d.day);
	}
}

static void test_tz_instant_to_local_offsets(void **state)
{
	const pd_tz *ldn = tu_london();
	pd_civil c;
	int off = -1;
	(void)state;
	pd_tz_instant_to_local(ldn, tu_time("2026-03-29T00:59:59Z"), &c, &off);
	assert_int_equal(off, 0);
	assert_int_equal(c.hour, 0);
	pd_tz_instant_to_local(ldn, tu_time("2026-03-29T01:00:00Z"), &c, &off);
	assert_int_equal(off, 3600);
	assert_int_equal(c.hour, 2);
	pd_tz_instant_to_local(ldn, tu_time("2026-10-25T00:59:59Z"), &c, &off);
	assert_int_equal(off, 3600);
	assert_int_equal(c.hour, 1);
	assert_int_equal(c.min, 59);
	pd_tz_instant_to_local(ldn, tu_time("2026-10-25T01:00:00Z"), &c, &off);
	assert_int_equal(off, 0);
	assert_int_equal(c.hour, 1);
	assert_int_equal(c.min, 0);
	tu_assert_date(pd_tz_date_of(ldn, tu_time("2026-03-29T23:00:00Z")),
	               "2026-03-30");
	tu_assert_date(pd_tz_date_of(ldn, tu_time("2026-03-29T22:59:59Z")),
	               "2026-03-29");
}

static void test_tz_local_to_instant(void **state)
{
	const pd_tz *ldn = tu_london();
	pd_civil summer = {2027, 7, 1, 12, 0, 0};
	pd_civil winter = {2027, 1, 1, 12, 0, 0};
	(void)state;
	tu_assert_utc(pd_tz_local_to_instant(ldn, summer),
	              "2027-07-01T11:00:00Z");
	tu_assert_utc(pd_tz_local_to_instant(ldn, winter),
	              "2027-01-01T12:00:00Z");
}

static void test_time_format_rfc3339_offsets(void **state)
{
	char buf[40];
	(void)state;
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-03-29T23:00Z"),
	                       tu_london());
	assert_string_equal(buf, "2026-03-30T00:00:00+01:00");
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-01-15T09:30Z"),
	                       tu_london());
	assert_string_equal(buf, "2026-01-15T09:30:00+00:00");
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-10-26T00:00Z"),
	                       tu_london());
	assert_string_equal(buf, "2026-10-26T00:00:00+00:00");
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-07-01T13:00Z"),
	                       zone("America/New_York"));
	assert_string_equal(buf, "2026-07-01T09:00:00-04:00");
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-07-01T13:00Z"),
	                       zone("Asia/Kolkata"));
	assert_string_equal(buf, "2026-07-01T18:30:00+05:30");
	pd_time_format_rfc3339(buf, sizeof(buf), tu_time("2026-07-01T13:00Z"),
	                       zone("UTC"));
	assert_string_equal(buf, "2026-07-01T13:00:00+00:00");
}

static void test_time_format_round_trips_through_parse(void **state)
{
	pd_instant t = tu_time("2026-03-28T12:00Z");
	(void)state;
	/* Every 37 minutes over both clock changes of 2026. */
	for (int i = 0; i < 12000; i++, t += 37 * 60) {
		char buf[40];
		pd_instant back = 0;
		pd_time_format_rfc3339(buf, sizeof(buf), t, tu_london());
		if (pd_time_parse(&back, buf, tu_london(), "t") != PD_OK ||
		    back != t)
			fail_msg("%s: %s", buf, pd_error_message());
		pd_time_format_utc(buf, sizeof(buf), t);
		if (pd_time_parse(&back, buf, tu_london(), "t") != PD_OK ||
		    back != t)
			fail_msg("%s: %s", buf, pd_error_message());
	}
}

static void test_time_format_utc(void **state)
{
	char buf[40];
	(void)state;
	pd_time_format_utc(buf, sizeof(buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	pd_time_format_utc(buf, sizeof(buf), -1);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	pd_time_format_utc(buf, sizeof(buf), 1774825200);
	assert_string_equal(buf, "2026-03-29T23:00:00Z");
}

static void test_tz_get_unknown_zone_is_config_error(void **state)
{
	const pd_tz *tz = NULL;
	char longname[100];
	(void)state;
	assert_int_equal(pd_tz_get(&tz, "Europe/Atlantis"), PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "Europe/Atlantis"));
	assert_null(tz);
	assert_int_equal(pd_tz_get(&tz, ""), PD_ECONFIG);
	assert_int_equal(pd_tz_get(&tz, NULL), PD_ECONFIG);
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(pd_tz_get(&tz, longname), PD_ECONFIG);
	assert_null(tz);
}

static void test_tz_get_known_zones(void **state)
{
	const pd_tz *a = NULL, *b = NULL;
	(void)state;
	assert_int_equal(pd_tz_get(&a, "Europe/London"), PD_OK);
	assert_int_equal(pd_tz_get(&b, "Europe/London"), PD_OK);
	assert_ptr_equal(a, b); /* borrowed for the life of the process */
	assert_string_equal(pd_tz_name(a), "Europe/London");
	assert_int_equal(pd_tz_get(&a, "UTC"), PD_OK);
	assert_string_equal(pd_tz_name(a), "UTC");
	tu_assert_utc(pd_tz_day_start(a, date(2026, 7, 1)),
	              "2026-07-01T00:00:00Z");
}

static void test_time_now_is_plausible(void **state)
{
	(void)state;
	assert_true(pd_time_now() > tu_time("2024-01-01T00:00Z"));
	assert_true(pd_time_now() < tu_time("2199-01-01T00:00Z"));
}

/* Keep this test last: it fills the process's zone table. */
static void test_tz_get_many_known_zones(void **state)
{
	/* A calendar directory gathered from many partners can name many
	 * zones; every real one must resolve. */
	static const char *const zones[] = {
	        "Europe/Dublin",      "Europe/Paris",       "Europe/Berlin",
	        "Europe/Madrid",      "Europe/Rome",        "Europe/Lisbon",
	        "Europe/Amsterdam",   "Europe/Brussels",    "Europe/Vienna",
	        "Europe/Zurich",      "Europe/Oslo",        "Europe/Stockholm",
	        "Europe/Helsinki",    "Europe/Warsaw",      "Europe/Prague",
	        "Europe/Budapest",    "Europe/Athens",      "Europe/Istanbul",
	        "Europe/Kiev",        "Europe/Bucharest",   "Europe/Sofia",
	        "Europe/Riga",        "Europe/Vilnius",     "Europe/Tallinn",
	        "Europe/Copenhagen",  "Europe/Luxembourg",  "Europe/Malta",
	        "Europe/Gibraltar",   "Europe/Jersey",      "Europe/Guernsey",
	        "Europe/Isle_of_Man", "Atlantic/Reykjavik", "Atlantic/Azores",
	        "Atlantic/Canary",    "Atlantic/Stanley",   "America/Toronto",
	        "America/Halifax",    "America/Vancouver",  "Asia/Tokyo",
	        "Australia/Sydney",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		const pd_tz *tz = NULL;
		pd_rc rc = pd_tz_get(&tz, zones[i]);
		if (rc != PD_OK)
			fail_msg("zone %zu (%s): %s %s", i + 1, zones[i],
			         pd_rc_name(rc), pd_error_message());
		assert_string_equal(pd_tz_name(tz), zones[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_time_parse_rfc3339_with_offset),
	        cmocka_unit_test(test_time_parse_rfc3339_with_z),
	        cmocka_unit_test(test_time_parse_fractional_seconds_truncated),
	        cmocka_unit_test(test_time_parse_local_date_time),
	        cmocka_unit_test(test_time_parse_local_in_another_zone),
	        cmocka_unit_test(test_time_parse_bare_date_is_local_day_start),
	        cmocka_unit_test(test_time_parse_clock_change_edges),
	        cmocka_unit_test(test_time_parse_leap_second_is_instant_before),
	        cmocka_unit_test(test_time_parse_rejects_invalid),
	        cmocka_unit_test(test_time_parse_year_range_edges),
	        cmocka_unit_test(test_date_weekday),
	        cmocka_unit_test(test_date_days_round_trip),
	        cmocka_unit_test(test_date_add_days_across_years_and_leap_days),
	        cmocka_unit_test(test_date_valid_and_leap_years),
	        cmocka_unit_test(test_date_cmp),
	        cmocka_unit_test(test_date_easter_sunday_known_dates),
	        cmocka_unit_test(test_date_parse_and_format),
	        cmocka_unit_test(test_tz_day_start_across_dst),
	        cmocka_unit_test(test_tz_day_start_every_day_is_local_midnight),
	        cmocka_unit_test(test_tz_instant_to_local_offsets),
	        cmocka_unit_test(test_tz_local_to_instant),
	        cmocka_unit_test(test_time_format_rfc3339_offsets),
	        cmocka_unit_test(test_time_format_round_trips_through_parse),
	        cmocka_unit_test(test_time_format_utc),
	        cmocka_unit_test(test_tz_get_unknown_zone_is_config_error),
	        cmocka_unit_test(test_tz_get_known_zones),
	        cmocka_unit_test(test_time_now_is_plausible),
	        cmocka_unit_test(test_tz_get_many_known_zones),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
