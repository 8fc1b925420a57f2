/*
 * `purdah status` and `purdah periods`: what is in force, and what is known.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "purdah/buf.h"
#include "purdah/gate.h"

#define MAX_ACTIVE 256

typedef struct {
	const char *at, *area, *from, *to;
	bool json;
} opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->at = arg; break;
	case 2: o->area = arg; break;
	case 3: o->json = true; break;
	case 4: o->from = arg; break;
	case 5: o->to = arg; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static const char status_usage[] =
        "usage: purdah status [--at TIME] [--area AREA] [--json]\n"
        "  The periods in force at TIME (default now), and the next to start.\n"
        "  TIME: 2027-03-31 (start of that local day), 2027-03-31T09:00 "
        "(local)\n"
        "        or RFC 3339 (2027-03-31T09:00:00+01:00, ...Z).\n"
        "  --area AREA  only council-wide periods and those covering AREA\n";

static const char periods_usage[] =
        "usage: purdah periods [--from DATE] [--to DATE] [--area AREA] "
        "[--json]\n"
        "  Every period (recurrences expanded) that overlaps [--from, --to],\n"
        "  sorted by start.\n";

/* Whole days from the local date of `at` to `last` inclusive. */
static long days_left(const pd_period *p, pd_instant at, const pd_tz *tz)
{
	pd_date today = pd_tz_date_of(tz, at);
	return (long)(pd_date_to_days(p->last_day) - pd_date_to_days(today)) +
	       1;
}

static void print_period_line(const pd_period *p, pd_instant at,
                              const pd_tz *tz)
{
	char s[64], e[64], a[512];
	const char *phrase = pd_period_kind_phrase(p->kind);
	long left = days_left(p, at, tz);

	pd_cli_fmt_start(s, sizeof(s), p, tz);
	pd_cli_fmt_end(e, sizeof(e), p, tz);
	pd_cli_fmt_areas(a, sizeof(a), p);
	if (p->open_ended) /* its DTEND is only a far bound */
		printf("In %s: '%s', since %s, until ended with `purdah freeze "
		       "end` [%s]\n",
		       phrase, p->name, s, a);
	else
		printf("In %s: '%s', since %s, ends %s (%ld day%s left) [%s]\n",
		       phrase, p->name, s, e, left, left == 1 ? "" : "s", a);
}

pd_rc pd_cmd_status(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"at", required_argument, NULL, 1},
	        {"area", required_argument, NULL, 2},
	        {"json", no_argument, NULL, 3},
	};
	opts o = {0};
	const pd_period *act[MAX_ACTIVE], *next;
	size_t n, i;
	pd_instant at;
	pd_rc rc;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 3, on_opt, &o,
	                       status_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "status: unexpected '%s'",
		                    argv[optind]);
	if ((rc = pd_cli_calendar(c)) < 0)
		return rc;
	if ((rc = pd_config_check_area(c->cfg, o.area)) < 0)
		return rc;
	if (o.at) {
		if ((rc = pd_time_parse(&at, o.at, c->tz, "--at")) < 0)
			return rc;
	} else {
		at = pd_time_now();
	}
	n = pd_calendar_active(c->cal, at, o.area, act, MAX_ACTIVE);
	if (n > MAX_ACTIVE)
		n = MAX_ACTIVE;
	next = pd_calendar_next(c->cal, at, o.area);

	if (o.json) {
		pd_json *root = pd_status_json(c->cal, c->tz, at, o.area);
		if (!root)
			return pd_error_set(PD_ENOMEM, "out of memory");
		return pd_cli_print_json(root, true);
	}

	{
		pd_civil lc;
		int off;
		char d[32];
		pd_date day;
		pd_tz_instant_to_local(c->tz, at, &lc, &off);
		day.year = lc.year;
		day.month = lc.month;
		day.day = lc.day;
		pd_date_format_human(d, sizeof(d), day);
		printf("%s at %s %02d:%02d (%s)%s%s\n", c->cfg->council_name, d,
		       lc.hour, lc.min, pd_tz_name(c->tz),
		       o.area ? ", area " : "", o.area ? o.area : "");
	}
	if (n == 0)
		printf("No pre-election, referendum or freeze period is in "
		       "force.\n");
	for (i = 0; i < n; i++)
		print_period_line(act[i], at, c->tz);
	if (next) {
		char s[64], e[64], a[512];
		pd_date today = pd_tz_date_of(c->tz, at);
		long in = (long)(pd_date_to_days(next->first_day) -
		                 pd_date_to_days(today));
		pd_cli_fmt_start(s, sizeof(s), next, c->tz);
		pd_cli_fmt_end(e, sizeof(e), next, c->tz);
		pd_cli_fmt_areas(a, sizeof(a), next);
		char next_when[32];
		if (in <= 0)
			snprintf(next_when, sizeof(next_when), "today");
		else
			snprintf(next_when, sizeof(next_when), "in %ld day%s",
			         in, in == 1 ? "" : "s");
		printf("Next: %s '%s', from %s to %s (%s) [%s]\n",
		       pd_period_kind_phrase(next->kind), next->name, s, e,
		       next_when, a);
	} else {
		printf("Next: none known.\n");
	}
	return PD_OK;
}

pd_rc pd_cmd_periods(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"area", required_argument, NULL, 2},
	        {"json", no_argument, NULL, 3},
	        {"from", required_argument, NULL, 4},
	        {"to", required_argument, NULL, 5},
	};
	opts o = {0};
	pd_instant from = INT64_MIN, to = INT64_MAX;
	pd_date d;
	pd_json *arr = NULL;
	size_t i, n, shown = 0;
	pd_rc rc;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 4, on_opt, &o,
	                       periods_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "periods: unexpected '%s'",
		                    argv[optind]);
	if ((rc = pd_cli_calendar(c)) < 0)
		return rc;
	if ((rc = pd_config_check_area(c->cfg, o.area)) < 0)
		return rc;
	if (o.from) {
		if ((rc = pd_date_parse(&d, o.from, "--from")) < 0)
			return rc;
		from = pd_tz_day_start(c->tz, d);
	}
	if (o.to) {
		if ((rc = pd_date_parse(&d, o.to, "--to")) < 0)
			return rc;
		to = pd_tz_day_start(c->tz, pd_date_add_days(d, 1));
	}
	if (from >= to)
		return pd_error_set(PD_EUSAGE, "periods: --from is after --to");
	if (o.json && !(arr = pd_json_array()))
		return pd_error_set(PD_ENOMEM, "out of memory");
	n = pd_calendar_count(c->cal);
	for (i = 0; i < n; i++) {
		const pd_period *p = pd_calendar_get(c->cal, i);
		char s[64], e[64], a[512];
		if (p->end <= from || p->start >= to ||
		    !pd_period_covers(p, o.area))
			continue;
		shown++;
		if (arr) {
			if ((rc = pd_json_append(
			             arr, pd_period_json(p, c->tz))) < 0) {
				pd_json_free(arr);
				return rc;
			}
			continue;
		}
		pd_cli_fmt_start(s, sizeof(s), p, c->tz);
		pd_cli_fmt_end(e, sizeof(e), p, c->tz);
		pd_cli_fmt_areas(a, sizeof(a), p);
		printf("%-22s to %-28s %-11s %s [%s]\n", s, e,
		       pd_period_kind_name(p->kind), p->name, a);
	}
	if (arr)
		return pd_cli_print_json(arr, true);
	if (shown == 0)
		printf("No periods%s.\n",
		       o.from || o.to ? " in that range" : "");
	return PD_OK;
}
