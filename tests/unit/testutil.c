/*
 * Shared unit-test helpers (see testutil.h).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "purdah/error.h"
#include "purdah/file.h"
#include "purdah/json.h"

const pd_tz *tu_london(void)
{
	const pd_tz *tz = NULL;
	if (pd_tz_get(&tz, "Europe/London") < 0)
		fail_msg("Europe/London: %s", pd_error_message());
	return tz;
}

pd_instant tu_time(const char *s)
{
	pd_instant t = 0;
	if (pd_time_parse(&t, s, tu_london(), "test") < 0)
		fail_msg("%s", pd_error_message());
	return t;
}

pd_date tu_date(const char *s)
{
	pd_date d = {0, 0, 0};
	if (pd_date_parse(&d, s, "test") < 0)
		fail_msg("%s", pd_error_message());
	return d;
}

pd_calendar *tu_calendar(const char *ics, int with_holidays)
{
	pd_calendar *cal = NULL;

	if (pd_calendar_new(&cal, tu_london()) < 0)
		fail_msg("%s", pd_error_message());
	if (with_holidays) {
		static const char *const files[] = {
		        "calendars/bank-holidays-england-and-wales.ics",
		        "calendars/bank-holidays-scotland.ics",
		        "calendars/bank-holidays-northern-ireland.ics",
		};
		for (size_t i = 0; i < 3; i++)
			if (pd_calendar_load_path(cal, files[i]) < 0)
				fail_msg("%s", pd_error_message());
	}
	if (ics &&
	    pd_calendar_load_buffer(cal, "test.ics", ics, strlen(ics)) < 0)
		fail_msg("test.ics: %s", pd_error_message());
	if (pd_calendar_finish(cal) < 0)
		fail_msg("%s", pd_error_message());
	return cal;
}

pd_rc tu_calendar_error(const char *ics)
{
	pd_calendar *cal = NULL;
	pd_rc rc;

	if (pd_calendar_new(&cal, tu_london()) < 0)
		fail_msg("%s", pd_error_message());
	rc = pd_calendar_load_buffer(cal, "test.ics", ics, strlen(ics));
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	pd_calendar_free(cal);
	return rc;
}

pd_calendar *tu_holidays(void)
{
	return tu_calendar(NULL, 1);
}

const pd_period *tu_only(const pd_calendar *cal)
{
	assert_int_equal(pd_calendar_count(cal), 1);
	return pd_calendar_get(cal, 0);
}

const pd_period *tu_period(const pd_calendar *cal, const char *uid, size_t nth)
{
	for (size_t i = 0; i < pd_calendar_count(cal); i++) {
		const pd_period *p = pd_calendar_get(cal, i);
		if (strcmp(p->uid, uid) == 0 && nth-- == 0)
			return p;
	}
	fail_msg("no period %s", uid);
	return NULL;
}

void tu_assert_utc(pd_instant t, const char *want)
{
	char got[40];

	pd_time_format_utc(got, sizeof(got), t);
	assert_string_equal(got, want);
}

void tu_assert_date(pd_date d, const char *want)
{
	char got[16];

	pd_date_format(got, sizeof(got), d);
	assert_string_equal(got, want);
}

void tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

size_t tu_active(const pd_calendar *cal, const char *when, const char *area)
{
	const pd_period *out[16];
	return pd_calendar_active(cal, tu_time(when), area, out, 16);
}

const char *tu_hits(const pd_scan *s, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nhits; i++) {
		int n = snprintf(buf + len, size - len, "%s%s=%s",
		                 i ? ", " : "", s->hits[i].entry->id,
		                 s->hits[i].text);
		assert_true(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	return buf;
}

void tu_each_post(void (*fn)(const char *file, const struct pd_json *post,
                             void *ctx),
                  void *ctx)
{
	static const char *const files[] = {"service", "electoral", "party",
	                                    "person", "topic"};

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[256];
		pd_buf b = PD_BUF_INIT(1u << 26);
		char *line, *save = NULL;
		snprintf(path, sizeof(path), "tests/corpus/posts/%s.jsonl",
		         files[f]);
		if (pd_file_read(&b, path) < 0)
			fail_msg("%s", pd_error_message());
		for (line = strtok_r(b.ptr, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			pd_json *j = NULL;
			if (pd_json_parse(&j, path, line, strlen(line)) < 0)
				fail_msg("%s", pd_error_message());
			fn(path, j, ctx);
			pd_json_free(j);
		}
		pd_buf_dispose(&b);
	}
}

int tu_shipped_matcher(pd_lexset **set, pd_matcher **m)
{
	if (pd_lexset_new(set) < 0 ||
	    pd_lexset_load_path(*set, "lexicons") < 0 ||
	    pd_matcher_new(m, *set) < 0) {
		fprintf(stderr, "%s\n", pd_error_message());
		return -1;
	}
	return 0;
}
