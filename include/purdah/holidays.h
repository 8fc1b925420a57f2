/*
 * Bank holidays per part of the UK, as loaded from bank-holiday calendars
 * (X-PURDAH-KIND:BANK-HOLIDAYS with X-PURDAH-NATION). Election timetables
 * disregard these days, so a year with no data is an error, never a guess.
 */
#ifndef PURDAH_HOLIDAYS_H
#define PURDAH_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"
#include "purdah/time.h"

/* Holiday regions, as bits so a rule can name several at once. */
typedef enum pd_region {
	PD_REGION_EW = 1, /* England and Wales share one list */
	PD_REGION_SCOTLAND = 2,
	PD_REGION_NI = 4,
	PD_REGION_ALL = 7 /* a UK general election: any part of the UK */
} pd_region;

typedef struct pd_holidays pd_holidays;

pd_rc pd_holidays_new(pd_holidays **out);
void pd_holidays_free(pd_holidays *h);

/* Parse "england-and-wales", "scotland", "northern-ireland" (also
 * "england", "wales"). PD_EINVALID for anything else. */
pd_rc pd_region_parse(pd_region *out, const char *s);
const char *pd_region_name(pd_region r);

/* Record `d` as a bank holiday in `region` (one region bit). `title` is
 * copied. Adding the same date twice is harmless. */
pd_rc pd_holidays_add(pd_holidays *h, pd_region region, pd_date d,
                      const char *title);
/* Sort; call after the last add and before any query. */
void pd_holidays_finish(pd_holidays *h);

/* True when `d` is a bank holiday in any of the `regions`. */
bool pd_holidays_is(const pd_holidays *h, unsigned regions, pd_date d);

/* PD_ECONFIG, naming the region and year, unless every region in `regions`
 * has holiday data for `year`. */
pd_rc pd_holidays_cover(const pd_holidays *h, unsigned regions, int year);

/* Number of holidays known in one region (for status output and tests). */
size_t pd_holidays_count(const pd_holidays *h, pd_region region);

#endif
