/*
 * Calendar benchmark (make bench): load a generated 5,000-event calendar
 * and answer 1,000,000 status lookups.
 *
 * Baselines, run in the same process on the same data:
 *  - load: libical's parse of the same text through our adapter with no
 *    period building (pd_ics_parse with an empty callback), so the ratio is
 *    what the engine adds on top of parsing;
 *  - lookup: a linear scan over every period (what a naive engine does).
 * Targets (issue #2): load < 200 ms, lookup < 1 us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dep/ical.h"
#include "purdah/buf.h"
#include "purdah/calendar.h"
#include "purdah/calfile.h"

#define EVENTS  5000
#define LOOKUPS 1000000
#define RUNS    5

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void gen(pd_buf *b)
{
	static const char *const kinds[] = {"ELECTION", "BY-ELECTION",
	                                    "REFERENDUM", "FREEZE"};
	pd_buf_puts(
	        b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
	for (int i = 0; i < EVENTS; i++) {
		int y = 2000 + (int)(next_rand() % 100),
		    m = 1 + (int)(next_rand() % 12),
		    d = 1 + (int)(next_rand() % 28),
		    len = 1 + (int)(next_rand() % 45);
		int style = (int)(next_rand() % 10);
		pd_date s = {y, m, d}, e = pd_date_add_days(s, len);
		pd_buf_printf(b,
		              "BEGIN:VEVENT\r\nUID:bench-%d@purdah\r\n"
		              "DTSTAMP:20260101T000000Z\r\n",
		              i);
		if (style < 6) {
			pd_buf_printf(b,
			              "DTSTART;VALUE=DATE:%04d%02d%02d\r\n"
			              "DTEND;VALUE=DATE:%04d%02d%02d\r\n",
			              s.year, s.month, s.day, e.year, e.month,
			              e.day);
		} else if (style < 8) {
			pd_buf_printf(b,
			              "DTSTART:%04d%02d%02dT090000Z\r\n"
			              "DTEND:%04d%02d%02dT220000Z\r\n",
			              s.year, s.month, s.day, e.year, e.month,
			              e.day);
		} else {
			pd_buf_printf(b,
			              "DTSTART;TZID=Europe/"
			              "London:%04d%02d%02dT000000\r\n"
			              "DURATION:P%dD\r\n",
			              s.year, s.month, s.day, len);
		}
		pd_buf_printf(
		        b, "SUMMARY:Generated period %d\r\nCATEGORIES:%s\r\n",
		        i, kinds[next_rand() % 4]);
		if (next_rand() % 3 == 0)
			pd_buf_printf(b, "X-PURDAH-AREA:Ward %d\r\n",
			              (int)(next_rand() % 20));
		pd_buf_puts(b, "END:VEVENT\r\n");
	}
	pd_buf_puts(b, "END:VCALENDAR\r\n");
}

static pd_rc skip_event(void *ctx, const pd_ics_calinfo *ci,
                        const pd_ics_event *ev)
{
	(void)ctx, (void)ci, (void)ev;
	return PD_OK;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	pd_buf text = PD_BUF_INIT((size_t)64 << 20);
	const pd_tz *tz;
	pd_calendar *cal = NULL;
	double load[RUNS], parse[RUNS], t0, t_idx, t_lin;
	pd_instant *at;
	const pd_period *out[64];
	size_t hits_idx = 0, hits_lin = 0, n;

	if (pd_tz_get(&tz, "Europe/London") < 0)
		return 70;
	gen(&text);
	for (int r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if (pd_ics_parse("bench.ics", text.ptr, text.len, tz,
		                 skip_event, NULL) < 0) {
			fprintf(stderr, "%s\n", pd_error_message());
			return 70;
		}
		parse[r] = now_ms() - t0;
		pd_calendar_free(cal);
		cal = NULL;
		t0 = now_ms();
		if (pd_calendar_new(&cal, tz) < 0 ||
		    pd_calendar_load_buffer(cal, "bench.ics", text.ptr,
		                            text.len) < 0 ||
		    pd_calendar_finish(cal) < 0) {
			fprintf(stderr, "%s\n", pd_error_message());
			return 70;
		}
		load[r] = now_ms() - t0;
	}
	qsort(load, RUNS, sizeof(double), cmp_d);
	qsort(parse, RUNS, sizeof(double), cmp_d);
	n = pd_calendar_count(cal);

	at = malloc(LOOKUPS * sizeof(*at));
	if (!at)
		return 70;
	for (int i = 0; i < LOOKUPS; i++)
		at[i] = 946684800LL +
		        (pd_instant)(next_rand() % (100ULL * 365 * 86400));

	t0 = now_ms();
	for (int i = 0; i < LOOKUPS; i++)
		hits_idx += pd_calendar_active(cal, at[i], NULL, out, 64);
	t_idx = now_ms() - t0;

	/* Baseline: linear scan over every period, 1/10 of the lookups
	 * (scaled), on the same instants. */
	t0 = now_ms();
	for (int i = 0; i < LOOKUPS / 10; i++)
		for (size_t k = 0; k < n; k++) {
			const pd_period *p = pd_calendar_get(cal, k);
			hits_lin += p->start <= at[i] && at[i] < p->end;
		}
	t_lin = (now_ms() - t0) * 10;
	{
		size_t check = 0;
		for (int i = 0; i < LOOKUPS / 10; i++)
			check += pd_calendar_active(cal, at[i], NULL, out, 64);
		if (check != hits_lin) {
			fprintf(stderr,
			        "index and linear scan disagree: %zu vs %zu\n",
			        check, hits_lin);
			return 70;
		}
	}

	printf("calendar: %d events -> %zu periods, %.1f MB of iCalendar\n",
	       EVENTS, n, text.len / 1e6);
	printf("  load+index (median of %d)     %8.1f ms   target < 200 ms  "
	       "%s\n",
	       RUNS, load[RUNS / 2], load[RUNS / 2] < 200 ? "PASS" : "FAIL");
	printf("  baseline: parse only          %8.1f ms   ratio %.2fx\n",
	       parse[RUNS / 2], load[RUNS / 2] / parse[RUNS / 2]);
	printf("  lookup, %d (indexed)     %8.1f ns   target < 1000 ns %s\n",
	       LOOKUPS, t_idx * 1e6 / LOOKUPS,
	       t_idx * 1e6 / LOOKUPS < 1000 ? "PASS" : "FAIL");
	printf("  baseline: linear scan         %8.1f ns   index is %.0fx "
	       "faster\n",
	       t_lin * 1e6 / LOOKUPS, t_lin / t_idx);
	printf("  (%zu active hits in all)\n", hits_idx);
	free(at);
	pd_calendar_free(cal);
	pd_buf_dispose(&text);
	pd_cleanup();
	return 0;
}
