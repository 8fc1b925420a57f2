/*
 * `purdah timetable --poll DATE --type TYPE [--nation N] [--json] [--ics]`:
 * the statutory timetable, for people, for programs, or as a VEVENT.
 */
#include <string.h>

#include "cli/cli.h"
#include "purdah/buf.h"
#include "purdah/calfile.h"
#include "purdah/timetable.h"

static const char timetable_usage[] =
        "usage: purdah timetable --poll DATE --type TYPE [--nation NATION]\n"
        "                        [--json | --ics]\n"
        "  TYPE: local, local-by-election, gla, mayor, pcc, senedd,\n"
        "        scottish-parliament, ni-assembly, uk-parliament,\n"
        "        uk-parliament-by-election, referendum, local-referendum\n"
        "  NATION: england, wales, scotland, northern-ireland (required for\n"
        "        local, local-by-election and uk-parliament-by-election)\n"
        "  --json  dates as YYYY-MM-DD, null where a deadline does not apply\n"
        "  --ics   a calendar with the period as a VEVENT, ready to add\n";

typedef struct {
	const char *poll, *type, *nation;
	bool json, ics;
} opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->poll = arg; break;
	case 2: o->type = arg; break;
	case 3: o->nation = arg; break;
	case 4: o->json = true; break;
	case 5: o->ics = true; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static pd_json *tt_date(const pd_tt_date *d)
{
	char buf[16];

	if (!d->set)
		return pd_json_null();
	pd_date_format(buf, sizeof(buf), d->date);
	return pd_json_string(buf);
}

static pd_rc print_json(const pd_timetable *t)
{
	pd_json *o = pd_json_object();
	pd_tt_date end = {true, t->period_end, 0, NULL, NULL};
	pd_tt_date poll = {true, t->poll, 0, NULL, NULL};
	bool ok = o != NULL;

	ok = ok &&
	     pd_json_set_str(o, "type", pd_poll_type_name(t->type)) == PD_OK;
	ok = ok &&
	     pd_json_set_str(o, "nation", pd_nation_name(t->nation)) == PD_OK;
	ok = ok && pd_json_set(o, "poll", tt_date(&poll)) == PD_OK;
	ok = ok && pd_json_set(o, "notice_of_election",
	                       tt_date(&t->notice_of_election)) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "dissolution", tt_date(&t->dissolution)) == PD_OK;
	ok = ok && pd_json_set(o, "close_of_nominations",
	                       tt_date(&t->close_of_nominations)) == PD_OK;
	ok = ok && pd_json_set(o, "sopn_publication",
	                       tt_date(&t->sopn_publication)) == PD_OK;
	ok = ok && pd_json_set(o, "registration_deadline",
	                       tt_date(&t->registration_deadline)) == PD_OK;
	ok = ok && pd_json_set(o, "postal_vote_deadline",
	                       tt_date(&t->postal_vote_deadline)) == PD_OK;
	ok = ok &&
	     pd_json_set(o, "period_start", tt_date(&t->period_start)) == PD_OK;
	ok = ok && pd_json_set(o, "period_end", tt_date(&end)) == PD_OK;
	ok = ok && pd_json_set_str(o, "note", t->note) == PD_OK;
	if (!ok) {
		pd_json_free(o);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	return pd_cli_print_json(o, true);
}

static void row(const char *label, const pd_tt_date *d, bool calendar_days)
{
	char buf[32];

	if (!d->set)
		return;
	pd_date_format_human(buf, sizeof(buf), d->date);
	printf("  %-34s %-16s %s%s%d %s day%s before polling day\n", label, buf,
	       d->time ? d->time : "", d->time ? ", " : "", d->days,
	       calendar_days ? "calendar" : "working", d->days == 1 ? "" : "s");
	if (d->source)
		printf("  %-34s %s\n", "", d->source);
}

static void print_text(const pd_timetable *t)
{
	char poll[32], s[32];
	const char *regions;

	pd_date_format_human(poll, sizeof(poll), t->poll);
	printf("Timetable: %s (%s), polling day %s\n",
	       pd_poll_type_title(t->type), pd_nation_title(t->nation), poll);
	row("Dissolution", &t->dissolution, false);
	row("Notice of election (latest)", &t->notice_of_election, false);
	row("Close of nominations", &t->close_of_nominations, false);
	row("Statement of persons nominated", &t->sopn_publication, false);
	row("Registration deadline", &t->registration_deadline, false);
	row("Postal vote application deadline", &t->postal_vote_deadline,
	    false);
	if (t->period_start.set) {
		pd_date_format_human(s, sizeof(s), t->period_start.date);
		printf("  %-34s %s to end of %s\n", "Pre-election period", s,
		       poll);
		if (t->calendar_days)
			printf("  %-34s %s\n", "", t->period_start.source);
	}
	switch (t->regions) {
	case PD_REGION_SCOTLAND: regions = "Scotland"; break;
	case PD_REGION_NI: regions = "Northern Ireland"; break;
	case PD_REGION_ALL: regions = "any part of the UK"; break;
	default: regions = "England and Wales"; break;
	}
	printf("Working days exclude weekends, Christmas Eve, Christmas Day, "
	       "Good "
	       "Friday%s and bank holidays in %s",
	       t->easter_monday ? ", Easter Monday" : "", regions);
	if (t->registration_deadline.set && t->regions == PD_REGION_ALL)
		printf(" (registration: the nation's own bank holidays)");
	printf(".\n");
	if (t->note)
		printf("Note: %s.\n", t->note);
}

static pd_rc print_ics(const pd_timetable *t, const char *name)
{
	pd_buf out = PD_BUF_INIT(1 << 20);
	pd_period_spec spec;
	pd_rc rc;

	if (!t->period_start.set)
		return pd_error_set(
		        PD_EUSAGE,
		        "timetable --ics: the period of a %s cannot be "
		        "computed from polling day alone",
		        pd_poll_type_title(t->type));
	memset(&spec, 0, sizeof(spec));
	spec.name = name;
	spec.kind = pd_poll_type_kind(t->type);
	spec.all_day = true;
	spec.first_day = t->period_start.date;
	spec.last_day = t->poll;
	spec.poll_type = pd_poll_type_name(t->type);
	spec.nation = pd_nation_name(t->nation);
	spec.has_poll = true;
	spec.poll = t->poll;
	if ((rc = pd_calfile_render(&out, &spec)) == PD_OK)
		fputs(out.ptr, stdout);
	pd_buf_dispose(&out);
	return rc;
}

pd_rc pd_cmd_timetable(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"poll", required_argument, NULL, 1},
	        {"type", required_argument, NULL, 2},
	        {"nation", required_argument, NULL, 3},
	        {"json", no_argument, NULL, 4},
	        {"ics", no_argument, NULL, 5},
	};
	opts o = {0};
	pd_poll_type type;
	pd_nation nation = PD_NATION_NONE;
	pd_date poll;
	pd_timetable t;
	pd_rc rc;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 5, on_opt, &o,
	                       timetable_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "timetable: unexpected '%s'",
		                    argv[optind]);
	if (!o.poll || !o.type)
		return pd_error_set(
		        PD_EUSAGE, "timetable: --poll and --type are required");
	if (o.json && o.ics)
		return pd_error_set(PD_EUSAGE,
		                    "timetable: --json or --ics, not both");
	if ((rc = pd_poll_type_parse(&type, o.type)) < 0 ||
	    (o.nation && (rc = pd_nation_parse(&nation, o.nation)) < 0) ||
	    (rc = pd_date_parse(&poll, o.poll, "--poll")) < 0)
		return rc;
	if ((rc = pd_cli_calendar(c)) < 0)
		return rc;
	if ((rc = pd_timetable_compute(&t, pd_calendar_holidays(c->cal), type,
	                               nation, poll)) < 0)
		return rc;
	if (o.json)
		return print_json(&t);
	if (o.ics) {
		pd_buf name = PD_BUF_INIT(512);
		char d[32];
		pd_date_format_human(d, sizeof(d), poll);
		rc = pd_buf_printf(&name, "%s, %s", pd_poll_type_title(type),
		                   d);
		if (rc == PD_OK)
			rc = print_ics(&t, name.ptr);
		pd_buf_dispose(&name);
		return rc;
	}
	print_text(&t);
	return PD_OK;
}
