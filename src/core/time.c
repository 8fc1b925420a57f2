/*
 * Civil-date arithmetic and TIME parsing/formatting. Zone conversions
 * themselves are done by the libical adapter (src/dep/ical.c).
 */
#include "purdah/time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Days from civil: the well-known era-based algorithm for the proleptic
 * Gregorian calendar (valid for any year in int range we accept). */
int64_t pd_date_to_days(pd_date d)
{
	int64_t y = d.year - (d.month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d.month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

pd_date pd_days_to_date(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp;
	pd_date d;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(y + (d.month <= 2));
	return d;
}

int pd_date_weekday(pd_date d)
{
	int64_t days = pd_date_to_days(d); /* 1970-01-01 was a Thursday (3) */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

pd_date pd_date_add_days(pd_date d, int64_t n)
{
	return pd_days_to_date(pd_date_to_days(d) + n);
}

int pd_date_cmp(pd_date a, pd_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30,
	                         31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : dm[m - 1];
}

bool pd_date_valid(pd_date d)
{
	return d.year >= PD_YEAR_MIN && d.year <= PD_YEAR_MAX && d.month >= 1 &&
	       d.month <= 12 && d.day >= 1 &&
	       d.day <= days_in_month(d.year, d.month);
}

/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
pd_date pd_easter_sunday(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	pd_date r;

	r.year = year;
	r.month = (h + l - 7 * m + 114) / 31;
	r.day = ((h + l - 7 * m + 114) % 31) + 1;
	return r;
}

/* Read exactly `n` digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return 0;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 1;
}

static int parse_date_part(const char **p, pd_date *d)
{
	return digits(p, 4, &d->year) && *(*p)++ == '-' &&
	       digits(p, 2, &d->month) && *(*p)++ == '-' &&
	       digits(p, 2, &d->day) && pd_date_valid(*d);
}

pd_rc pd_date_parse(pd_date *out, const char *s, const char *what)
{
	const char *p = s;
	pd_date d;

	if (!s || !parse_date_part(&p, &d) || *p != '\0')
		return pd_error_set(
		        PD_EUSAGE,
		        "%s: '%s' is not a date (YYYY-MM-DD, years %d-%d)",
		        what, s ? s : "", PD_YEAR_MIN, PD_YEAR_MAX);
	*out = d;
	return PD_OK;
}

void pd_date_format(char *buf, size_t n, pd_date d)
{
	snprintf(buf, n, "%04d-%02d-%02d", d.year, d.month, d.day);
}

const char *pd_month_abbr(int month)
{
	static const char *mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	return mo[(unsigned)(month - 1) % 12];
}

void pd_date_format_human(char *buf, size_t n, pd_date d)
{
	static const char *wd[] = {"Mon", "Tue", "Wed", "Thu",
	                           "Fri", "Sat", "Sun"};
	snprintf(buf, n, "%s %d %s %d", wd[pd_date_weekday(d)], d.day,
	         pd_month_abbr(d.month), d.year);
}

pd_instant pd_tz_day_start(const pd_tz *tz, pd_date d)
{
	pd_civil c = {d.year, d.month, d.day, 0, 0, 0};
	return pd_tz_local_to_instant(tz, c);
}

pd_date pd_tz_date_of(const pd_tz *tz, pd_instant t)
{
	pd_civil c;
	int off;
	pd_date d;

	pd_tz_instant_to_local(tz, t, &c, &off);
	d.year = c.year;
	d.month = c.month;
	d.day = c.day;
	return d;
}

pd_rc pd_time_parse(pd_instant *out, const char *s, const pd_tz *tz,
                    const char *what)
{
	const char *p = s;
	pd_date d;
	pd_civil c = {0, 0, 0, 0, 0, 0};
	int off_h, off_m;

	if (!s || !parse_date_part(&p, &d))
		goto bad;
	c.year = d.year;
	c.month = d.month;
	c.day = d.day;
	if (*p == '\0') {
		*out = pd_tz_day_start(tz, d);
		return PD_OK;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	if (!digits(&p, 2, &c.hour) || *p++ != ':' || !digits(&p, 2, &c.min))
		goto bad;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &c.sec))
			goto bad;
		if (*p == '.') { /* fractional seconds: accepted, truncated */
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (c.hour > 23 || c.min > 59 || c.sec > 60)
		goto bad;
	if (c.sec == 60)
		c.sec = 59; /* leap second: the instant before */
	if (*p == '\0') {
		*out = pd_tz_local_to_instant(tz, c);
		return PD_OK;
	}
	{
		pd_instant base = pd_date_to_days(d) * 86400 + c.hour * 3600 +
		                  c.min * 60 + c.sec;
		if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
			*out = base;
			return PD_OK;
		}
		if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1;
			p++;
			if (!digits(&p, 2, &off_h) || *p++ != ':' ||
			    !digits(&p, 2, &off_m) || *p != '\0' ||
			    off_h > 23 || off_m > 59)
				goto bad;
			*out = base - sign * (off_h * 3600 + off_m * 60);
			return PD_OK;
		}
	}
bad:
	return pd_error_set(
	        PD_EUSAGE,
	        "%s: '%s' is not a time (use 2027-03-31, 2027-03-31T09:00 "
	        "local, "
	        "or RFC 3339 such as 2027-03-31T09:00:00+01:00 or ...Z)",
	        what, s ? s : "");
}

void pd_time_format_rfc3339(char *buf, size_t n, pd_instant t, const pd_tz *tz)
{
	pd_civil c;
	int off, a;

	pd_tz_instant_to_local(tz, t, &c, &off);
	a = off < 0 ? -off : off;
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year,
	         c.month, c.day, c.hour, c.min, c.sec, off < 0 ? '-' : '+',
	         a / 3600, (a % 3600) / 60);
}

void pd_time_format_utc(char *buf, size_t n, pd_instant t)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	pd_date d = pd_days_to_date(days);

	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month,
	         d.day, (int)(rem / 3600), (int)(rem % 3600 / 60),
	         (int)(rem % 60));
}

pd_instant pd_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (pd_instant)ts.tv_sec;
}
