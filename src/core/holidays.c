/*
 * Bank-holiday sets: one sorted array of day numbers per region, and the set
 * of years each region has any data for.
 */
#include "purdah/holidays.h"

#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"

typedef struct {
	int64_t *days;
	size_t n, cap;
	bool sorted;
} dayset;

struct pd_holidays {
	dayset set[3];
};

static int region_index(pd_region r)
{
	switch (r) {
	case PD_REGION_EW: return 0;
	case PD_REGION_SCOTLAND: return 1;
	case PD_REGION_NI: return 2;
	default: return -1;
	}
}

pd_rc pd_holidays_new(pd_holidays **out)
{
	*out = pd_calloc(1, sizeof(**out));
	return *out ? PD_OK : pd_error_set(PD_ENOMEM, "out of memory");
}

void pd_holidays_free(pd_holidays *h)
{
	if (!h)
		return;
	for (int i = 0; i < 3; i++)
		pd_free(h->set[i].days);
	pd_free(h);
}

pd_rc pd_region_parse(pd_region *out, const char *s)
{
	if (!s)
		return pd_error_set(PD_EINVALID, "no nation given");
	if (!strcasecmp(s, "england-and-wales") || !strcasecmp(s, "england") ||
	    !strcasecmp(s, "wales"))
		*out = PD_REGION_EW;
	else if (!strcasecmp(s, "scotland"))
		*out = PD_REGION_SCOTLAND;
	else if (!strcasecmp(s, "northern-ireland"))
		*out = PD_REGION_NI;
	else
		return pd_error_set(
		        PD_EINVALID,
		        "nation '%s' is not one of england-and-wales, "
		        "scotland, northern-ireland",
		        s);
	return PD_OK;
}

const char *pd_region_name(pd_region r)
{
	switch (r) {
	case PD_REGION_EW: return "england-and-wales";
	case PD_REGION_SCOTLAND: return "scotland";
	case PD_REGION_NI: return "northern-ireland";
	default: return "all";
	}
}

pd_rc pd_holidays_add(pd_holidays *h, pd_region region, pd_date d,
                      const char *title)
{
	int i = region_index(region);
	dayset *s;

	(void)title;
	if (i < 0)
		return pd_error_set(PD_EINTERNAL, "bad holiday region %d",
		                    (int)region);
	s = &h->set[i];
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		int64_t *nd = pd_realloc(s->days, nc * sizeof(*nd));
		if (!nd)
			return pd_error_set(PD_ENOMEM, "out of memory");
		s->days = nd;
		s->cap = nc;
	}
	s->days[s->n++] = pd_date_to_days(d);
	s->sorted = false;
	return PD_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void pd_holidays_finish(pd_holidays *h)
{
	for (int i = 0; i < 3; i++) {
		dayset *s = &h->set[i];
		size_t w = 0;
		if (s->n)
			qsort(s->days, s->n, sizeof(*s->days), cmp_i64);
		for (size_t r = 0; r < s->n; r++)
			if (w == 0 || s->days[w - 1] != s->days[r])
				s->days[w++] = s->days[r];
		s->n = w;
		s->sorted = true;
	}
}

/* The first day of s at or after `day` (s->n when none). */
static size_t lower_bound(const dayset *s, int64_t day)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool set_has(const dayset *s, int64_t day)
{
	size_t lo = lower_bound(s, day);

	return lo < s->n && s->days[lo] == day;
}

bool pd_holidays_is(const pd_holidays *h, unsigned regions, pd_date d)
{
	int64_t day = pd_date_to_days(d);

	for (int i = 0; i < 3; i++)
		if ((regions & (1u << i)) && set_has(&h->set[i], day))
			return true;
	return false;
}

/* Bank holidays of `year` in one set. */
static size_t year_count(const dayset *s, int year)
{
	pd_date jan1 = {year, 1, 1}, dec31 = {year, 12, 31};
	int64_t a = pd_date_to_days(jan1), b = pd_date_to_days(dec31);
	size_t lo = lower_bound(s, a), n = 0;

	while (lo < s->n && s->days[lo] <= b)
		lo++, n++;
	return n;
}

/* The standing bank holidays of a year (Banking and Financial Dealings
 * Act 1971 Sch 1, with the later additions): England and Wales 8,
 * Scotland 9, Northern Ireland 10. Fewer means the year's data is
 * incomplete, and a timetable would silently count a holiday as a
 * working day. */
static const size_t year_minimum[3] = {8, 9, 10};

pd_rc pd_holidays_cover(const pd_holidays *h, unsigned regions, int year)
{
	for (int i = 0; i < 3; i++) {
		size_t n;
		if (!(regions & (1u << i)))
			continue;
		n = year_count(&h->set[i], year);
		if (n == 0)
			return pd_error_set(
			        PD_ECONFIG,
			        "no bank-holiday data for %s in %d: add that "
			        "year's holidays to a calendar with "
			        "X-PURDAH-KIND:BANK-HOLIDAYS and "
			        "X-PURDAH-NATION:%s (or run purdah calendar "
			        "import-holidays)",
			        pd_region_name((pd_region)(1u << i)), year,
			        pd_region_name((pd_region)(1u << i)));
		if (n < year_minimum[i])
			return pd_error_set(
			        PD_ECONFIG,
			        "only %zu bank holiday%s for %s in %d: a full "
			        "year has at least %zu, so the data is "
			        "incomplete",
			        n, n == 1 ? "" : "s",
			        pd_region_name((pd_region)(1u << i)), year,
			        year_minimum[i]);
	}
	return PD_OK;
}

size_t pd_holidays_count(const pd_holidays *h, pd_region region)
{
	int i = region_index(region);
	return i < 0 ? 0 : h->set[i].n;
}
