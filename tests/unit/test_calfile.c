/*
 * Writing calendar files (calfile.h): adding periods to new and existing
 * files without disturbing what is there, refusing to touch a broken file,
 * and importing GOV.UK's bank-holiday JSON. Every test works in its own
 * mkdtemp directory under /tmp and removes it.
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

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Each test gets a fresh directory as its state, removed afterwards even
 * when the test fails. */
static int tmpdir_setup(void **state)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/purdah-calfile-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int tmpdir_teardown(void **state)
{
	rm_rf(*state);
	return 0;
}

/* Number of entries in `dir` (not counting . and ..). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The whole file, NUL-terminated (free with free()). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static pd_calendar *load(const char *path)
{
	pd_calendar *cal = NULL;

	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	if (pd_calendar_load_path(cal, path) < 0 || pd_calendar_finish(cal) < 0)
		fail_msg("%s", pd_error_message());
	return cal;
}

static bool all_lines_crlf(const char *t)
{
	for (const char *p = t; *p; p++)
		if (*p == '\n' && (p == t || p[-1] != '\r'))
			return false;
	return true;
}

static pd_period_spec allday_spec(const char *name, const char *first,
                                  const char *last)
{
	pd_period_spec s;

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.kind = PD_PERIOD_ELECTION;
	s.all_day = true;
	s.first_day = tu_date(first);
	s.last_day = tu_date(last);
	return s;
}

static void add_ok(const char *path, const pd_period_spec *s, char **uid)
{
	if (pd_calfile_add(path, s, tu_london(), uid) != PD_OK)
		fail_msg("%s", pd_error_message());
}

static const char lf_calendar[] = "BEGIN:VCALENDAR\n"
                                  "VERSION:2.0\n"
                                  "PRODID:-//Northbridge BC//hand written//EN\n"
                                  "X-WR-CALNAME:Elections\n"
                                  "BEGIN:VEVENT\n"
                                  "UID:by-election-abbey@northbridge\n"
                                  "DTSTAMP:20261121T075402Z\n"
                                  "DTSTART;VALUE=DATE:20261112\n"
                                  "DTEND;VALUE=DATE:20261218\n"
                                  "SUMMARY:Abbey ward by-election\n"
                                  "CATEGORIES:BY-ELECTION\n"
                                  "X-PURDAH-AREA:Abbey\n"
                                  "END:VEVENT\n"
                                  "END:VCALENDAR\n";

/* ------------------------------------------------------------------------ */

static void test_calfile_add_all_day_to_new_file(void **state)
{
	const char *dir = *state;
	char path[256];
	const char *areas[] = {"Abbey", "Castle"};
	pd_period_spec s = allday_spec("Northbridge BC elections 2027",
	                               "2027-03-31", "2027-05-06");
	char *uid = NULL, *text;
	pd_calendar *cal;
	const pd_period *p;
	/* The calendars/ directory does not exist yet. */
	snprintf(path, sizeof(path), "%s/calendars/elections.ics", dir);
	s.areas = areas;
	s.nareas = 2;
	s.description = "Notice of election by 31 March";
	s.poll_type = "local";
	s.nation = "england";
	s.has_poll = true;
	s.poll = tu_date("2027-05-06");
	add_ok(path, &s, &uid);
	assert_non_null(uid);
	assert_int_equal(strlen(uid), 32 + strlen("@purdah"));
	assert_string_equal(uid + 32, "@purdah");
	assert_int_equal(strspn(uid, "0123456789abcdef"), 32);

	text = slurp(path, NULL);
	assert_int_equal(strncmp(text, "BEGIN:VCALENDAR\r\n", 17), 0);
	assert_non_null(strstr(text, "X-WR-CALNAME:Elections\r\n"));
	assert_true(all_lines_crlf(text));
	assert_non_null(strstr(text, "END:VCALENDAR\r\n"));
	free(text);

	cal = load(path);
	p = tu_period(cal, uid, 0);
	assert_int_equal(pd_calendar_count(cal), 1);
	assert_string_equal(p->name, "Northbridge BC elections 2027");
	assert_string_equal(p->description, "Notice of election by 31 March");
	assert_int_equal(p->kind, PD_PERIOD_ELECTION);
	assert_true(p->all_day);
	tu_assert_date(p->first_day, "2027-03-31");
	tu_assert_date(p->last_day, "2027-05-06");
	tu_assert_utc(p->start, "2027-03-30T23:00:00Z");
	tu_assert_utc(p->end, "2027-05-06T23:00:00Z");
	assert_int_equal(p->nareas, 2);
	assert_string_equal(p->areas[0], "Abbey");
	assert_string_equal(p->areas[1], "Castle");
	assert_string_equal(p->poll_type, "local");
	assert_true(p->has_poll);
	tu_assert_date(p->poll, "2027-05-06");
	assert_int_equal(tu_active(cal, "2027-05-06T23:59", "castle"), 1);
	assert_int_equal(tu_active(cal, "2027-05-07T00:00", "castle"), 0);
	assert_int_equal(tu_active(cal, "2027-04-15T12:00", "Harbour"), 0);
	pd_calendar_free(cal);
	pd_free(uid);
}

static void test_calfile_add_one_day_period(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("Polling day", "2027-05-06", "2027-05-06");
	pd_calendar *cal;
	snprintf(path, sizeof(path), "%s/e.ics", dir);
	add_ok(path, &s, NULL);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 1);
	tu_assert_date(pd_calendar_get(cal, 0)->first_day, "2027-05-06");
	tu_assert_date(pd_calendar_get(cal, 0)->last_day, "2027-05-06");
	pd_calendar_free(cal);
}

static void test_calfile_add_into_lf_file_keeps_bytes(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("County elections", "2027-03-31", "2027-05-06");
	size_t keep = strlen(lf_calendar) - strlen("END:VCALENDAR\n");
	char *uid = NULL, *text;
	size_t len;
	pd_calendar *cal;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	tu_write_file(path, lf_calendar);
	add_ok(path, &s, &uid);
	text = slurp(path, &len);
	assert_null(strchr(text, '\r'));
	assert_true(len > strlen(lf_calendar));
	assert_memory_equal(text, lf_calendar, keep);
	assert_string_equal(text + len - strlen("END:VCALENDAR\n"),
	                    "END:VCALENDAR\n");
	free(text);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 2);
	assert_string_equal(
	        tu_period(cal, "by-election-abbey@northbridge", 0)->name,
	        "Abbey ward by-election");
	assert_string_equal(tu_period(cal, uid, 0)->name, "County elections");
	pd_calendar_free(cal);
	pd_free(uid);
}

static void test_calfile_add_into_crlf_file_keeps_crlf(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("County elections", "2027-03-31", "2027-05-06");
	const char *orig = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                   "X-PURDAH-NOTE:kept as is\r\n"
	                   "END:VCALENDAR\r\n";
	char *text;
	size_t len;
	pd_calendar *cal;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	tu_write_file(path, orig);
	add_ok(path, &s, NULL);
	text = slurp(path, &len);
	assert_true(all_lines_crlf(text));
	assert_memory_equal(text, orig, strlen(orig) - 15);
	assert_string_equal(text + len - 15, "END:VCALENDAR\r\n");
	free(text);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 1);
	pd_calendar_free(cal);
}

static void test_calfile_add_into_file_without_final_newline(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("County elections", "2027-03-31", "2027-05-06");
	pd_calendar *cal;
	char *text;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	tu_write_file(path,
	              "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nEND:VCALENDAR");
	add_ok(path, &s, NULL);
	text = slurp(path, NULL);
	assert_int_equal(
	        strncmp(text, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n", 37),
	        0);
	free(text);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 1);
	pd_calendar_free(cal);
}

static void test_calfile_add_refuses_broken_file(void **state)
{
	static const char *const broken[] = {
	        /* END:VEVENT missing */
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\n"
	        "UID:a\nEND:VCALENDAR\n",
	        /* a period with no DTSTART */
	        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\n"
	        "UID:a\nCATEGORIES:ELECTION\nSUMMARY:a\nEND:VEVENT\n"
	        "END:VCALENDAR\n",
	        /* not a calendar */
	        "Dear colleagues,\nplease note the election dates.\n",
	};
	for (size_t i = 0; i < 3; i++) {
		const char *dir = *state;
		char path[256];
		pd_period_spec s = allday_spec("County elections", "2027-03-31",
		                               "2027-05-06");
		char *uid = NULL, *text;
		snprintf(path, sizeof(path), "%s/elections.ics", dir);
		tu_write_file(path, broken[i]);
		assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
		                 PD_ECONFIG);
		assert_non_null(strstr(pd_error_message(), "elections.ics"));
		assert_null(uid);
		text = slurp(path, NULL);
		assert_string_equal(text, broken[i]);
		free(text);
		assert_int_equal(count_entries(dir), 1); /* no temp file */
	}
}

static void test_calfile_add_new_uid_each_time(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s = allday_spec("Same name", "2027-03-31", "2027-05-06");
	char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	pd_calendar *cal;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	add_ok(path, &s, &a);
	add_ok(path, &s, &b);
	assert_string_not_equal(a, b);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 2);
	assert_int_equal(tu_active(cal, "2027-04-01", NULL), 2);
	pd_calendar_free(cal);
	assert_int_equal(pd_calfile_new_uid(&c), PD_OK);
	assert_int_equal(pd_calfile_new_uid(&d), PD_OK);
	assert_string_not_equal(c, d);
	assert_string_not_equal(a, c);
	pd_free(a);
	pd_free(b);
	pd_free(c);
	pd_free(d);
}

static void test_calfile_add_new_version_supersedes(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("Council elections", "2027-03-31", "2027-05-06");
	char *uid = NULL;
	pd_calendar *cal;
	const pd_period *p;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	s.uid = "poll-2027@northbridge";
	add_ok(path, &s, &uid);
	assert_string_equal(uid, "poll-2027@northbridge");
	pd_free(uid);
	/* NI councils, 2023: the poll moved by two weeks. */
	s = allday_spec("Council elections (moved)", "2027-04-14",
	                "2027-05-20");
	s.uid = "poll-2027@northbridge";
	s.sequence = 1;
	add_ok(path, &s, NULL);
	cal = load(path);
	p = tu_only(cal);
	assert_string_equal(p->name, "Council elections (moved)");
	assert_int_equal(p->sequence, 1);
	tu_assert_date(p->first_day, "2027-04-14");
	assert_int_equal(tu_active(cal, "2027-04-01", NULL), 0);
	pd_calendar_free(cal);
}

static void test_calfile_add_freeze_timed_period(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s;
	char *text, *uid = NULL;
	pd_calendar *cal;
	const pd_period *p;
	snprintf(path, sizeof(path), "%s/calendars/freeze.ics", dir);
	memset(&s, 0, sizeof(s));
	s.name = "Emergency freeze: flooding";
	s.kind = PD_PERIOD_FREEZE;
	s.start = tu_time("2026-03-28T12:00"); /* GMT */
	s.end = tu_time("2026-03-30T09:30");   /* BST */
	add_ok(path, &s, &uid);
	text = slurp(path, NULL);
	assert_non_null(strstr(text, "X-WR-CALNAME:Emergency freezes\r\n"));
	assert_non_null(strstr(text, "FREEZE"));
	free(text);
	cal = load(path);
	p = tu_period(cal, uid, 0);
	assert_int_equal(p->kind, PD_PERIOD_FREEZE);
	assert_false(p->all_day);
	tu_assert_utc(p->start, "2026-03-28T12:00:00Z");
	tu_assert_utc(p->end, "2026-03-30T08:30:00Z");
	tu_assert_date(p->first_day, "2026-03-28");
	tu_assert_date(p->last_day, "2026-03-30");
	assert_int_equal(p->nareas, 0);
	assert_int_equal(tu_active(cal, "2026-03-30T09:29:59", "Abbey"), 1);
	assert_int_equal(tu_active(cal, "2026-03-30T09:30", "Abbey"), 0);
	pd_calendar_free(cal);
	pd_free(uid);
}

static void test_calfile_add_rejects_bad_spec(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s = allday_spec("", "2027-03-31", "2027-05-06");
	char *uid = NULL;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
	                 PD_EUSAGE);
	s.name = NULL;
	assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
	                 PD_EUSAGE);
	s = allday_spec("Backwards", "2027-05-06", "2027-05-05");
	assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
	                 PD_EUSAGE);
	memset(&s, 0, sizeof(s));
	s.name = "Empty";
	s.kind = PD_PERIOD_FREEZE;
	s.start = s.end = tu_time("2027-04-01T09:00");
	assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
	                 PD_EUSAGE);
	s.end = s.start - 1;
	assert_int_equal(pd_calfile_add(path, &s, tu_london(), &uid),
	                 PD_EUSAGE);
	assert_null(uid);
	assert_int_equal(count_entries(dir), 0); /* nothing written */
}

static void test_calfile_text_round_trips(void **state)
{
	const char *dir = *state;
	char path[256];
	const char *name = "Elections, referendum; and a \\ backslash — "
	                   "Cyngor Sir Ynys Môn / Isle of Anglesey County "
	                   "Council: long enough to be folded twice over 75 "
	                   "octets";
	const char *desc = "Line one\nLine two, with a comma";
	const char *areas[] = {"St Peter's", "Llanfair-yn-Neubwll"};
	pd_period_spec s = allday_spec(name, "2027-03-31", "2027-05-06");
	pd_calendar *cal;
	const pd_period *p;
	char *text;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	s.description = desc;
	s.areas = areas;
	s.nareas = 2;
	add_ok(path, &s, NULL);
	text = slurp(path, NULL);
	/* RFC 5545 3.1: no line longer than 75 octets. */
	for (char *line = text; *line;) {
		char *end = strstr(line, "\r\n");
		assert_non_null(end);
		if (end - line > 75)
			fail_msg("line of %d octets", (int)(end - line));
		line = end + 2;
	}
	free(text);
	cal = load(path);
	p = tu_only(cal);
	assert_string_equal(p->name, name);
	assert_string_equal(p->description, desc);
	assert_int_equal(p->nareas, 2);
	assert_string_equal(p->areas[0], "St Peter's");
	assert_string_equal(p->areas[1], "Llanfair-yn-Neubwll");
	pd_calendar_free(cal);
}

/* A timed freeze spec in London time. */
static pd_period_spec freeze_spec(const char *start, const char *end)
{
	pd_period_spec s;

	memset(&s, 0, sizeof(s));
	s.name = "Emergency freeze";
	s.description = "Major incident at the docks";
	s.kind = PD_PERIOD_FREEZE;
	s.start = tu_time(start);
	s.end = tu_time(end);
	return s;
}

/* An open-ended freeze is written as X-PURDAH-OPEN-ENDED:TRUE with its far
 * DTEND, and who recorded it as X-PURDAH-BY (escaped like any TEXT); both
 * come back when the file is loaded. */
static void test_calfile_open_ended_and_by_written(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        freeze_spec("2026-11-21T14:05Z", "2027-11-22T14:05Z");
	pd_calendar *cal;
	const pd_period *p;
	char *text, *uid = NULL;
	snprintf(path, sizeof(path), "%s/calendars/freeze.ics", dir);
	s.open_ended = true;
	s.by = "Smith, J; duty officer";
	add_ok(path, &s, &uid);
	text = slurp(path, NULL);
	assert_non_null(strstr(text, "X-WR-CALNAME:Emergency freezes\r\n"));
	assert_non_null(strstr(text, "\r\nDTSTART:20261121T140500Z\r\n"));
	assert_non_null(strstr(text, "\r\nDTEND:20271122T140500Z\r\n"));
	assert_non_null(strstr(text, "\r\nCATEGORIES:FREEZE\r\n"));
	assert_non_null(strstr(text, "\r\nX-PURDAH-OPEN-ENDED:TRUE\r\n"));
	assert_non_null(
	        strstr(text, "\r\nX-PURDAH-BY:Smith\\, J\\; duty officer\r\n"));
	free(text);
	cal = load(path);
	p = tu_only(cal);
	assert_string_equal(p->uid, uid);
	assert_int_equal(p->kind, PD_PERIOD_FREEZE);
	assert_true(p->open_ended);
	assert_false(p->all_day);
	assert_string_equal(p->by, "Smith, J; duty officer");
	assert_string_equal(p->description, "Major incident at the docks");
	tu_assert_utc(p->start, "2026-11-21T14:05:00Z");
	tu_assert_utc(p->end, "2027-11-22T14:05:00Z");
	pd_calendar_free(cal);
	pd_free(uid);
}

/* Not open-ended, no one named: neither property is written. Then a new
 * version that ends an open-ended one (what `freeze end` writes) wins. */
static void test_calfile_bounded_freeze_and_ending_version(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        freeze_spec("2026-11-21T14:05Z", "2026-11-21T18:00Z");
	pd_calendar *cal;
	const pd_period *p;
	char *text, *uid = NULL;
	snprintf(path, sizeof(path), "%s/freeze.ics", dir);
	add_ok(path, &s, NULL);
	text = slurp(path, NULL);
	assert_null(strstr(text, "X-PURDAH-OPEN-ENDED"));
	assert_null(strstr(text, "X-PURDAH-BY"));
	free(text);

	s = freeze_spec("2026-12-01T09:00Z", "2027-12-02T09:00Z");
	s.open_ended = true;
	s.by = "jsmith";
	add_ok(path, &s, &uid);
	s.uid = uid;
	s.sequence = 1;
	s.open_ended = false;
	s.end = tu_time("2026-12-01T17:30Z");
	add_ok(path, &s, NULL);
	text = slurp(path, NULL);
	/* the open-ended version stays in the file, as history */
	assert_non_null(strstr(text, "\r\nX-PURDAH-OPEN-ENDED:TRUE\r\n"));
	free(text);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 2);
	p = tu_period(cal, uid, 0);
	assert_false(p->open_ended);
	assert_int_equal(p->sequence, 1);
	assert_string_equal(p->by, "jsmith");
	tu_assert_utc(p->end, "2026-12-01T17:30:00Z");
	assert_int_equal(tu_active(cal, "2026-12-01T17:29:59Z", NULL), 1);
	assert_int_equal(tu_active(cal, "2026-12-01T17:30:00Z", NULL), 0);
	pd_calendar_free(cal);
	pd_free(uid);
}

/* A version with `cancelled` (a freeze ended the moment it began) is
 * written as STATUS:CANCELLED and withdraws the period. */
static void test_calfile_cancelled_version_withdraws_period(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        freeze_spec("2026-11-21T14:05Z", "2027-11-22T14:05Z");
	pd_calendar *cal;
	char *text, *uid = NULL;
	snprintf(path, sizeof(path), "%s/freeze.ics", dir);
	s.open_ended = true;
	add_ok(path, &s, &uid);
	s.uid = uid;
	s.sequence = 1;
	s.open_ended = false;
	s.cancelled = true;
	s.end = s.start + 1;
	add_ok(path, &s, NULL);
	text = slurp(path, NULL);
	assert_non_null(strstr(text, "\r\nSTATUS:CANCELLED\r\n"));
	free(text);
	cal = load(path);
	assert_int_equal(pd_calendar_count(cal), 0);
	pd_calendar_free(cal);
	pd_free(uid);
}

static void test_calfile_area_with_comma_round_trips(void **state)
{
	const char *dir = *state;
	char path[256];
	const char *areas[] = {"Abbey, North"};
	pd_period_spec s =
	        allday_spec("Ward by-election", "2027-03-31", "2027-05-06");
	pd_calendar *cal;
	const pd_period *p;
	size_t nareas;
	char first[64];
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	s.kind = PD_PERIOD_BY_ELECTION;
	s.areas = areas;
	s.nareas = 1;
	add_ok(path, &s, NULL);
	cal = load(path);
	p = tu_only(cal);
	nareas = p->nareas;
	snprintf(first, sizeof(first), "%s", p->areas[0]);
	pd_calendar_free(cal);
	assert_string_equal(first, "Abbey, North");
	assert_int_equal(nareas, 1);
}

static void test_calfile_render_is_a_loadable_calendar(void **state)
{
	pd_buf b = PD_BUF_INIT(1 << 20);
	pd_period_spec s = allday_spec("Timetable", "2027-03-31", "2027-05-06");
	pd_calendar *cal = NULL;
	(void)state;
	s.kind = PD_PERIOD_REFERENDUM;
	assert_int_equal(pd_calfile_render(&b, &s), PD_OK);
	assert_int_equal(strncmp(b.ptr, "BEGIN:VCALENDAR\r\n", 17), 0);
	assert_int_equal(pd_calendar_new(&cal, tu_london()), PD_OK);
	assert_int_equal(pd_calendar_load_buffer(cal, "r.ics", b.ptr, b.len),
	                 PD_OK);
	assert_int_equal(pd_calendar_finish(cal), PD_OK);
	assert_int_equal(tu_only(cal)->kind, PD_PERIOD_REFERENDUM);
	tu_assert_date(tu_only(cal)->last_day, "2027-05-06");
	pd_calendar_free(cal);
	pd_buf_dispose(&b);
}

/* An existing file stays either as it was or gains the whole event. */
static void test_calfile_add_allocation_failures_are_clean(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_period_spec s =
	        allday_spec("County elections", "2027-03-31", "2027-05-06");
	long n, ok = 0, failures = 0;
	snprintf(path, sizeof(path), "%s/elections.ics", dir);
	s.uid = "county-2027@test";
	for (n = 0; n < 5000 && !ok; n++) {
		char *uid = NULL, *text;
		pd_rc rc;
		tu_write_file(path, lf_calendar);
		pd_alloc_fail_after(n);
		rc = pd_calfile_add(path, &s, tu_london(), &uid);
		pd_alloc_fail_after(-1);
		text = slurp(path, NULL);
		if (rc == PD_OK) {
			ok = 1;
			assert_string_equal(uid, "county-2027@test");
			assert_non_null(strstr(text, "UID:county-2027@test"));
		} else {
			if (rc != PD_ENOMEM)
				fail_msg("fail after %ld: %s %s", n,
				         pd_rc_name(rc), pd_error_message());
			failures++;
			assert_null(uid);
			assert_string_equal(text, lf_calendar);
		}
		assert_int_equal(count_entries(dir), 1);
		free(text);
		pd_free(uid);
	}
	assert_true(ok);
	assert_true(failures > 10);
}

/* ------------------------------------------------------------------------ */
/* Bank holidays from GOV.UK JSON                                           */

static const char govuk_json[] =
        "{\"england-and-wales\":{\"division\":\"england-and-wales\","
        "\"events\":["
        "{\"title\":\"New Year\\u2019s Day\",\"date\":\"2031-01-01\","
        "\"notes\":\"\",\"bunting\":true},"
        "{\"title\":\"Good Friday\",\"date\":\"2031-04-11\",\"notes\":\"\","
        "\"bunting\":false}]},"
        "\"scotland\":{\"division\":\"scotland\",\"events\":["
        "{\"title\":\"2nd January\",\"date\":\"2031-01-02\",\"notes\":\"\","
        "\"bunting\":true}]}}";

static size_t import_ok(const char *dir, const char *json)
{
	size_t added = 12345;

	if (pd_calfile_import_holidays(dir, "bank-holidays.json", json,
	                               strlen(json), &added) != PD_OK)
		fail_msg("%s", pd_error_message());
	return added;
}

static void test_calfile_import_holidays_writes_divisions(void **state)
{
	const char *dir = *state;
	char path[256];
	pd_calendar *cal;
	const pd_holidays *h;
	char *text;
	assert_int_equal(import_ok(dir, govuk_json), 3);
	snprintf(path, sizeof(path), "%s/bank-holidays-england-and-wales.ics",
	         dir);
	text = slurp(path, NULL);
	assert_non_null(strstr(text, "X-PURDAH-KIND:BANK-HOLIDAYS\r\n"));
	assert_non_null(strstr(text, "X-PURDAH-NATION:england-and-wales\r\n"));
	assert_non_null(strstr(text, "SUMMARY:New Year\xE2\x80\x99s Day\r\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/bank-holidays-northern-ireland.ics",
	         dir);
	assert_int_equal(access(path, F_OK), -1); /* not in the JSON */
	assert_int_equal(count_entries(dir), 2);
	cal = load(dir);
	h = pd_calendar_holidays(cal);
	assert_int_equal(pd_holidays_count(h, PD_REGION_EW), 2);
	assert_int_equal(pd_holidays_count(h, PD_REGION_SCOTLAND), 1);
	assert_int_equal(pd_holidays_count(h, PD_REGION_NI), 0);
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2031-04-11")));
	assert_false(pd_holidays_is(h, PD_REGION_EW, tu_date("2031-01-02")));
	assert_true(
	        pd_holidays_is(h, PD_REGION_SCOTLAND, tu_date("2031-01-02")));
	assert_int_equal(pd_calendar_count(cal), 0);
	pd_calendar_free(cal);
}

static void test_calfile_import_holidays_merges_existing(void **state)
{
	const char *dir = *state;
	pd_calendar *cal;
	const pd_holidays *h;
	assert_int_equal(import_ok(dir, govuk_json), 3);
	/* GOV.UK dropped 2031-01-01 and added Easter Monday. */
	assert_int_equal(import_ok(dir, "{\"england-and-wales\":{\"events\":["
	                                "{\"title\":\"Good Friday\",\"date\":"
	                                "\"2031-04-11\"},"
	                                "{\"title\":\"Easter Monday\",\"date\":"
	                                "\"2031-04-14\"}]}}"),
	                 1);
	/* The same again adds nothing. */
	assert_int_equal(import_ok(dir, "{\"england-and-wales\":{\"events\":["
	                                "{\"title\":\"Easter Monday\",\"date\":"
	                                "\"2031-04-14\"}]}}"),
	                 0);
	cal = load(dir);
	h = pd_calendar_holidays(cal);
	assert_int_equal(pd_holidays_count(h, PD_REGION_EW), 3);
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2031-01-01")));
	assert_true(pd_holidays_is(h, PD_REGION_EW, tu_date("2031-04-14")));
	assert_int_equal(pd_holidays_count(h, PD_REGION_SCOTLAND), 1);
	pd_calendar_free(cal);
}

static void test_calfile_import_holidays_keeps_shipped_years(void **state)
{
	const char *dir = *state;
	char path[256];
	char *orig;
	pd_calendar *cal;
	size_t before;
	cal = tu_holidays();
	before = pd_holidays_count(pd_calendar_holidays(cal), PD_REGION_NI);
	pd_calendar_free(cal);
	orig = slurp("calendars/bank-holidays-northern-ireland.ics", NULL);
	snprintf(path, sizeof(path), "%s/bank-holidays-northern-ireland.ics",
	         dir);
	tu_write_file(path, orig);
	free(orig);
	assert_int_equal(import_ok(dir, "{\"northern-ireland\":{\"events\":["
	                                "{\"title\":\"St Patrick\\u2019s Day\","
	                                "\"date\":\"2028-03-17\"},"
	                                "{\"title\":\"St Patrick\\u2019s Day\","
	                                "\"date\":\"2029-03-19\"}]}}"),
	                 1);
	cal = load(dir);
	assert_int_equal(
	        pd_holidays_count(pd_calendar_holidays(cal), PD_REGION_NI),
	        before + 1);
	assert_int_equal(pd_holidays_cover(pd_calendar_holidays(cal),
	                                   PD_REGION_NI, 2012),
	                 PD_OK);
	pd_calendar_free(cal);
}

static void test_calfile_import_holidays_bad_json(void **state)
{
	static const char *const bad[] = {
	        "{\"england-and-wales\": {\"events\": [",
	        "not json at all",
	        "{\"england-and-wales\":{},\"england-and-wales\":{}}",
	};
	for (size_t i = 0; i < 3; i++) {
		const char *dir = *state;
		size_t added = 99;
		pd_error_clear();
		assert_int_equal(
		        pd_calfile_import_holidays(dir, "bh.json", bad[i],
		                                   strlen(bad[i]), &added),
		        PD_EINVALID);
		assert_int_equal(strncmp(pd_error_message(), "bh.json:1:", 10),
		                 0);
		assert_int_equal(count_entries(dir), 0);
	}
}

static void test_calfile_import_holidays_wrong_layout(void **state)
{
	static const char *const bad[] = {
	        "{}",
	        "[]",
	        "{\"wales\":{\"events\":[]}}",
	        "{\"scotland\":{\"division\":\"scotland\"}}",
	        "{\"scotland\":[]}",
	        "{\"scotland\":{\"events\":[{\"title\":\"x\",\"date\":"
	        "\"2031-02-30\"}]}}",
	        "{\"scotland\":{\"events\":[{\"title\":\"x\"}]}}",
	        "{\"scotland\":{\"events\":[{\"title\":\"x\",\"date\":"
	        "20310101}]}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *dir = *state;
		size_t added = 0;
		if (pd_calfile_import_holidays(dir, "bh.json", bad[i],
		                               strlen(bad[i]),
		                               &added) != PD_EINVALID)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(pd_error_message(), "bh.json"));
		assert_int_equal(count_entries(dir), 0);
	}
}

static void test_calfile_import_holidays_events_not_a_list(void **state)
{
	/* An "events" that is not a list is no more usable than a missing
	 * one: nothing may be written. */
	static const char *const bad[] = {
	        "{\"scotland\":{\"events\":\"none this year\"}}",
	        "{\"scotland\":{\"events\":{\"date\":\"2031-01-02\"}}}",
	};
	const char *dir = *state;
	for (size_t i = 0; i < 2; i++) {
		size_t added = 0;
		pd_rc rc = pd_calfile_import_holidays(dir, "bh.json", bad[i],
		                                      strlen(bad[i]), &added);
		int files = count_entries(dir);
		if (rc != PD_EINVALID || files != 0)
			fail_msg("%s: %s, %d file(s) written", bad[i],
			         pd_rc_name(rc), files);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_all_day_to_new_file, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(test_calfile_add_one_day_period,
	                                        tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_into_lf_file_keeps_bytes, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_into_crlf_file_keeps_crlf,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_into_file_without_final_newline,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_refuses_broken_file, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_new_uid_each_time, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_new_version_supersedes, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_freeze_timed_period, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_rejects_bad_spec, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_open_ended_and_by_written, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_bounded_freeze_and_ending_version,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_cancelled_version_withdraws_period,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(test_calfile_text_round_trips,
	                                        tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_area_with_comma_round_trips, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_render_is_a_loadable_calendar,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_add_allocation_failures_are_clean,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_writes_divisions,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_merges_existing,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_keeps_shipped_years,
	                tmpdir_setup, tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_bad_json, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_wrong_layout, tmpdir_setup,
	                tmpdir_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_calfile_import_holidays_events_not_a_list,
	                tmpdir_setup, tmpdir_teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
