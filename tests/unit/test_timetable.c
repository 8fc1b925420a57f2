/*
 * Statutory timetables: the worked examples of DOMAIN.md, every real poll
 * in tests/data/timetable-polls.tsv (researched and cited in
 * tests/data/timetable-rules.md), working-day rules and failure modes.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/timetable.h"

static pd_calendar *hol;

static int setup(void **state)
{
	(void)state;
	hol = tu_holidays();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pd_calendar_free(hol);
	return 0;
}

static pd_timetable compute(const char *type, const char *nation,
                            const char *poll)
{
	pd_poll_type t;
	pd_nation n = PD_NATION_NONE;
	pd_timetable tt;

	assert_int_equal(pd_poll_type_parse(&t, type), PD_OK);
	if (nation)
		assert_int_equal(pd_nation_parse(&n, nation), PD_OK);
	if (pd_timetable_compute(&tt, pd_calendar_holidays(hol), t, n,
	                         tu_date(poll)) < 0)
		fail_msg("%s %s %s: %s", type, nation ? nation : "-", poll,
		         pd_error_message());
	return tt;
}

static void assert_date(const pd_tt_date *d, const char *want)
{
	char got[16];

	assert_true(d->set);
	pd_date_format(got, sizeof(got), d->date);
	assert_string_equal(got, want);
}

static void test_timetable_english_locals_2023_worked_example(void **state)
{
	pd_timetable t = compute("local", "england", "2023-05-04");
	(void)state;
	assert_date(&t.notice_of_election, "2023-03-27");
	assert_date(&t.period_start, "2023-03-27");
	assert_int_equal(pd_date_cmp(t.period_end, tu_date("2023-05-04")), 0);
}

static void test_timetable_locals_and_gla_2024_worked_example(void **state)
{
	pd_timetable l = compute("local", "england", "2024-05-02");
	pd_timetable g = compute("gla", NULL, "2024-05-02");
	(void)state;
	assert_date(&l.notice_of_election, "2024-03-26");
	assert_date(&g.notice_of_election, "2024-03-19");
	assert_int_equal(g.nation, PD_NATION_ENGLAND);
}

static void test_timetable_general_election_2019_union_calendar(void **state)
{
	pd_timetable t = compute("uk-parliament", NULL, "2019-12-12");
	(void)state;
	/* Dissolution on 6 Nov only if Scotland's 2 Dec is skipped. */
	assert_date(&t.dissolution, "2019-11-06");
	assert_date(&t.period_start, "2019-11-06");
	assert_date(&t.notice_of_election, "2019-11-11");
	/* Postal: union calendar; registration: England's own. */
	assert_date(&t.postal_vote_deadline, "2019-11-26");
	assert_date(&t.registration_deadline, "2019-11-26");
	assert_int_equal(t.regions, PD_REGION_ALL);
}

static void test_timetable_general_election_2019_ni_postal_14th(void **state)
{
	pd_timetable t =
	        compute("uk-parliament", "northern-ireland", "2019-12-12");
	(void)state;
	assert_date(&t.postal_vote_deadline, "2019-11-21");
}

static void test_timetable_eu_referendum_calendar_days(void **state)
{
	pd_timetable t = compute("referendum", NULL, "2016-06-23");
	(void)state;
	assert_date(&t.period_start, "2016-05-27");
	assert_true(t.calendar_days);
	assert_false(t.notice_of_election.set);
}

static void test_timetable_nation_required_for_local(void **state)
{
	pd_poll_type t;
	pd_timetable tt;
	(void)state;
	assert_int_equal(pd_poll_type_parse(&t, "local"), PD_OK);
	assert_int_equal(pd_timetable_compute(&tt, pd_calendar_holidays(hol), t,
	                                      PD_NATION_NONE,
	                                      tu_date("2027-05-06")),
	                 PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "--nation"));
}

static void test_timetable_gla_outside_england_refused(void **state)
{
	pd_timetable tt;
	(void)state;
	assert_int_equal(pd_timetable_compute(&tt, pd_calendar_holidays(hol),
	                                      PD_POLL_GLA, PD_NATION_SCOTLAND,
	                                      tu_date("2024-05-02")),
	                 PD_EUSAGE);
}

static void test_timetable_year_without_holidays_fails_closed(void **state)
{
	pd_timetable tt;
	(void)state;
	assert_int_equal(pd_timetable_compute(&tt, pd_calendar_holidays(hol),
	                                      PD_POLL_LOCAL, PD_NATION_ENGLAND,
	                                      tu_date("2031-05-01")),
	                 PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "2031"));
}

static void test_timetable_unknown_type_and_nation(void **state)
{
	pd_poll_type t;
	pd_nation n;
	(void)state;
	assert_int_equal(pd_poll_type_parse(&t, "parish-pump"), PD_EUSAGE);
	assert_int_equal(pd_nation_parse(&n, "cornwall"), PD_EUSAGE);
}

static void test_working_day_scotland_easter_monday(void **state)
{
	const pd_holidays *h = pd_calendar_holidays(hol);
	pd_date em = tu_date("2022-04-18"); /* Easter Monday 2022 */
	(void)state;
	/* Not a Scottish bank holiday, but skipped in Scottish timetables. */
	assert_false(pd_holidays_is(h, PD_REGION_SCOTLAND, em));
	assert_true(pd_is_working_day(h, PD_REGION_SCOTLAND, false, em));
	assert_false(pd_is_working_day(h, PD_REGION_SCOTLAND, true, em));
	assert_false(pd_is_working_day(h, PD_REGION_EW, false, em));
}

static void test_working_day_christmas_eve_and_good_friday(void **state)
{
	const pd_holidays *h = pd_calendar_holidays(hol);
	(void)state;
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2025-12-24")));
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2026-04-03")));
	assert_true(pd_is_working_day(h, PD_REGION_EW, false,
	                              tu_date("2026-04-02"))); /* Maundy Thu */
}

static void test_working_day_one_off_holidays(void **state)
{
	const pd_holidays *h = pd_calendar_holidays(hol);
	(void)state;
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2022-06-03"))); /* Jubilee */
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2022-09-19"))); /* funeral */
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2023-05-08"))); /* coronation */
	assert_false(pd_is_working_day(h, PD_REGION_SCOTLAND, false,
	                               tu_date("2026-06-15"))); /* Scotland */
	assert_true(pd_is_working_day(h, PD_REGION_EW, false,
	                              tu_date("2026-06-15")));
	/* VE Day 2020: the May holiday moved from Mon 4 to Fri 8 May. */
	assert_true(pd_is_working_day(h, PD_REGION_EW, false,
	                              tu_date("2020-05-04")));
	assert_false(pd_is_working_day(h, PD_REGION_EW, false,
	                               tu_date("2020-05-08")));
}

/* Replay every researched poll. */
static void check_field(const char *what, const char *line, const char *want,
                        const pd_tt_date *got, int *bad)
{
	char g[16] = "-";

	if (strcmp(want, "-") == 0)
		return; /* not applicable, or not confirmed by the research */
	if (got->set)
		pd_date_format(g, sizeof(g), got->date);
	if (strcmp(g, want) != 0) {
		print_error("%s: %s: want %s, got %s\n", line, what, want, g);
		(*bad)++;
	}
}

static void test_timetable_researched_polls(void **state)
{
	FILE *f = fopen("tests/data/timetable-polls.tsv", "r");
	char line[4096];
	int rows = 0, bad = 0;
	(void)state;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char copy[4096], *col[10], *p;
		int n = 0;
		pd_timetable t;

		if (strncmp(line, "type\t", 5) == 0 || line[0] == '#' ||
		    line[0] == '\n')
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		for (p = copy; n < 10; n++) {
			col[n] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		assert_true(n >= 8);
		if (strncmp(col[2], "2012", 4) < 0) {
			/* Before the shipped holiday data: must fail closed. */
			pd_poll_type ty;
			assert_int_equal(pd_poll_type_parse(&ty, col[0]),
			                 PD_OK);
			assert_int_equal(pd_timetable_compute(
			                         &t, pd_calendar_holidays(hol),
			                         ty, PD_NATION_NONE,
			                         tu_date(col[2])),
			                 PD_ECONFIG);
			rows++;
			continue;
		}
		if (strcmp(col[0], "uk-parliament-by-election") == 0) {
			/* Nominations close on a day the returning officer
			 * fixes after the writ: the TSV has the published
			 * dates, which no rule computes from polling day. */
			col[4] = col[5] = "-";
		}
		t = compute(col[0], strcmp(col[1], "-") ? col[1] : NULL,
		            col[2]);
		snprintf(line, sizeof(line), "%s %s %s", col[0], col[1],
		         col[2]);
		check_field("notice_of_election", line, col[3],
		            &t.notice_of_election, &bad);
		check_field("close_of_nominations", line, col[4],
		            &t.close_of_nominations, &bad);
		check_field("sopn_publication", line, col[5],
		            &t.sopn_publication, &bad);
		check_field("registration_deadline", line, col[6],
		            &t.registration_deadline, &bad);
		check_field("postal_vote_deadline", line, col[7],
		            &t.postal_vote_deadline, &bad);
		check_field("period_start", line, col[8], &t.period_start,
		            &bad);
		rows++;
	}
	fclose(f);
	assert_true(rows >= 60);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_timetable_english_locals_2023_worked_example),
	        cmocka_unit_test(
	                test_timetable_locals_and_gla_2024_worked_example),
	        cmocka_unit_test(
	                test_timetable_general_election_2019_union_calendar),
	        cmocka_unit_test(
	                test_timetable_general_election_2019_ni_postal_14th),
	        cmocka_unit_test(test_timetable_eu_referendum_calendar_days),
	        cmocka_unit_test(test_timetable_nation_required_for_local),
	        cmocka_unit_test(test_timetable_gla_outside_england_refused),
	        cmocka_unit_test(
	                test_timetable_year_without_holidays_fails_closed),
	        cmocka_unit_test(test_timetable_unknown_type_and_nation),
	        cmocka_unit_test(test_working_day_scotland_easter_monday),
	        cmocka_unit_test(
	                test_working_day_christmas_eve_and_good_friday),
	        cmocka_unit_test(test_working_day_one_off_holidays),
	        cmocka_unit_test(test_timetable_researched_polls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
