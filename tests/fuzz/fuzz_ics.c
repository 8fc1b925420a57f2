/*
 * libFuzzer target for the iCalendar path (src/dep/ical.c and the period
 * engine in src/core/calendar.c). Each input goes through two doors:
 *
 *  1. the way purdah loads a calendar file: pd_calendar_new (Europe/London),
 *     pd_calendar_load_buffer, pd_calendar_finish, a few queries, free;
 *  2. pd_ics_parse directly, expanding every VEVENT (not only the periods),
 *     so the RRULE/RDATE/EXDATE/DURATION and time zone code runs on whatever
 *     the fuzzer makes, then freeing the occurrences.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>

#include "dep/ical.h"
#include "purdah/alloc.h"
#include "purdah/calendar.h"
#include "purdah/error.h"
#include "purdah/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Expand every event, whatever it is; errors are expected and ignored so
 * that the next event is still tried. */
static pd_rc expand_every_event(void *ctx, const pd_ics_calinfo *cal,
                                const pd_ics_event *ev)
{
	size_t *events = ctx;
	pd_ics_occ *occ = NULL;
	size_t n = 0;

	(void)cal;
	(*events)++;
	if (pd_ics_event_expand(ev, &occ, &n) == PD_OK) {
		/* Touch every occurrence so a bad count shows up under ASan. */
		volatile int64_t sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += occ[i].start.is_date ? occ[i].start.date.day
			                            : occ[i].start.time;
		(void)sum;
	}
	pd_free(occ);
	pd_error_clear();
	return PD_OK;
}

static void load_as_calendar(const pd_tz *tz, const char *text, size_t len)
{
	pd_calendar *cal = NULL;
	const pd_period *found[8];
	/* 2027-05-06T12:00Z, and the epoch: inside and outside the data. */
	static const pd_instant probes[] = {1809604800, 0};

	if (pd_calendar_new(&cal, tz) < 0)
		return;
	if (pd_calendar_load_buffer(cal, "fuzz.ics", text, len) == PD_OK &&
	    pd_calendar_finish(cal) == PD_OK) {
		size_t n = pd_calendar_count(cal);
		for (size_t i = 0; i < n; i++) {
			const pd_period *p = pd_calendar_get(cal, i);
			(void)pd_calendar_active(cal, p->start, NULL, found, 8);
			(void)pd_period_covers(p, "Abbey");
		}
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]);
		     i++) {
			(void)pd_calendar_active(cal, probes[i], "Abbey", found,
			                         8);
			(void)pd_calendar_next(cal, probes[i], NULL);
		}
	}
	pd_calendar_free(cal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const pd_tz *tz = NULL;
	const char *text = (const char *)data;
	size_t events = 0;

	if (pd_tz_get(&tz, "Europe/London") < 0)
		return 0;
	load_as_calendar(tz, text, size);
	(void)pd_ics_parse("fuzz.ics", text, size, tz, expand_every_event,
	                   &events);
	pd_error_clear();
	return 0;
}
