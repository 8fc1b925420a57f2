/*
 * `purdah calendar check FILE...`, `purdah calendar add ...` and
 * `purdah calendar import-holidays FILE.json`.
 */
#include <string.h>

#include "cli/cli.h"
#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/file.h"
#include "purdah/timetable.h"

static const char calendar_usage[] =
        "usage: purdah calendar check FILE...\n"
        "       purdah calendar add --type TYPE --poll DATE --name NAME\n"
        "                           [--nation N] [--area A]... [--start DATE]\n"
        "                           [--file FILE]\n"
        "       purdah calendar import-holidays [--dir DIR] FILE.json\n"
        "  check            validate calendar files and list the periods "
        "found\n"
        "  add              compute the period of a poll (or take --start, the "
        "day\n"
        "                   the notice was actually published) and add it to "
        "the\n"
        "                   calendar file (default: calendar_file in "
        "purdah.yaml,\n"
        "                   calendars/elections.ics)\n"
        "  import-holidays  write calendars/bank-holidays-*.ics from GOV.UK's\n"
        "                   bank-holidays.json, keeping dates already there\n";

static pd_rc check_one(pd_cli *c, const char *path)
{
	pd_calendar *cal = NULL;
	pd_rc rc;
	static const pd_region regions[] = {PD_REGION_EW, PD_REGION_SCOTLAND,
	                                    PD_REGION_NI};

	if ((rc = pd_calendar_new(&cal, c->tz)) < 0)
		return rc;
	if (!pd_file_exists(path))
		rc = pd_error_set(PD_ECONFIG, "%s: no such file", path);
	if (rc == PD_OK)
		rc = pd_calendar_load_path(cal, path);
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	if (rc == PD_OK) {
		size_t n = pd_calendar_count(cal);
		printf("%s: ok, %zu period%s", path, n, n == 1 ? "" : "s");
		for (size_t i = 0; i < 3; i++) {
			size_t h = pd_holidays_count(pd_calendar_holidays(cal),
			                             regions[i]);
			if (h)
				printf(", %zu bank holiday%s (%s)", h,
				       h == 1 ? "" : "s",
				       pd_region_name(regions[i]));
		}
		printf("\n");
		for (size_t i = 0; i < n; i++) {
			const pd_period *p = pd_calendar_get(cal, i);
			char s[64], e[64], a[512];
			pd_cli_fmt_start(s, sizeof(s), p, c->tz);
			pd_cli_fmt_end(e, sizeof(e), p, c->tz);
			pd_cli_fmt_areas(a, sizeof(a), p);
			printf("  %s:%d: %s '%s', %s to %s [%s]\n", p->source,
			       p->line, pd_period_kind_name(p->kind), p->name,
			       s, e, a);
		}
	}
	pd_calendar_free(cal);
	return rc;
}

static pd_rc cmd_check(pd_cli *c, int argc, char **argv)
{
	pd_rc rc, worst = PD_OK;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, NULL, 0, NULL, NULL,
	                       calendar_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind >= argc)
		return pd_error_set(PD_EUSAGE, "calendar check: no FILE given");
	if ((rc = pd_cli_setup(c)) < 0)
		return rc;
	/* Check every file, report each failure, fail if any failed. */
	for (int i = optind; i < argc; i++) {
		rc = check_one(c, argv[i]);
		if (rc < 0) {
			fprintf(stderr, "purdah: %s\n", pd_error_message());
			if (worst == PD_OK || rc == PD_ECONFIG)
				worst = rc;
		}
	}
	if (worst < 0)
		return pd_error_set(worst, "calendar check: %s",
		                    "some files have errors (see above)");
	return PD_OK;
}

typedef struct {
	const char *type, *poll, *name, *nation, *start, *file, *dir;
	const char **areas;
	size_t nareas;
} add_opts;

static pd_rc add_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	add_opts *o = vctx;
	(void)c;
	switch (opt) {
	case 1: o->type = arg; break;
	case 2: o->poll = arg; break;
	case 3: o->name = arg; break;
	case 4: o->nation = arg; break;
	case 5: return pd_cli_push(&o->areas, &o->nareas, arg);
	case 6: o->start = arg; break;
	case 7: o->file = arg; break;
	case 8: o->dir = arg; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static pd_rc cmd_add(pd_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"type", required_argument, NULL, 1},
	        {"poll", required_argument, NULL, 2},
	        {"name", required_argument, NULL, 3},
	        {"nation", required_argument, NULL, 4},
	        {"area", required_argument, NULL, 5},
	        {"start", required_argument, NULL, 6},
	        {"file", required_argument, NULL, 7},
	};
	add_opts o;
	pd_poll_type type;
	pd_nation nation = PD_NATION_NONE;
	pd_date poll, start;
	pd_timetable tt;
	pd_period_spec spec;
	char *uid = NULL;
	const char *file;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, opts, 7, add_opt, &o,
	                       calendar_usage)) < 0 ||
	    c->done)
		goto done;
	if (optind < argc) {
		rc = pd_error_set(PD_EUSAGE, "calendar add: unexpected '%s'",
		                  argv[optind]);
		goto done;
	}
	if (!o.type || !o.poll || !o.name || !*o.name) {
		rc = pd_error_set(PD_EUSAGE,
		                  "calendar add: --type, --poll and --name are "
		                  "required");
		goto done;
	}
	if ((rc = pd_poll_type_parse(&type, o.type)) < 0 ||
	    (o.nation && (rc = pd_nation_parse(&nation, o.nation)) < 0) ||
	    (rc = pd_date_parse(&poll, o.poll, "--poll")) < 0)
		goto done;
	if ((rc = pd_cli_calendar(c)) < 0)
		goto done;
	for (size_t i = 0; i < o.nareas; i++)
		if ((rc = pd_config_check_area(c->cfg, o.areas[i])) < 0)
			goto done;
	if ((rc = pd_timetable_compute(&tt, pd_calendar_holidays(c->cal), type,
	                               nation, poll)) < 0)
		goto done;
	if (o.start) {
		if ((rc = pd_date_parse(&start, o.start, "--start")) < 0)
			goto done;
		if (pd_date_cmp(start, poll) > 0) {
			rc = pd_error_set(PD_EUSAGE,
			                  "--start %s is after polling day %s",
			                  o.start, o.poll);
			goto done;
		}
		if (tt.period_start.set &&
		    pd_date_cmp(start, tt.period_start.date) > 0) {
			char d[32];
			pd_date_format_human(d, sizeof(d),
			                     tt.period_start.date);
			fprintf(stderr,
			        "purdah: warning: --start %s is later than the "
			        "latest statutory start (%s)\n",
			        o.start, d);
		}
	} else if (tt.period_start.set) {
		start = tt.period_start.date;
	} else {
		rc = pd_error_set(
		        PD_EUSAGE,
		        "calendar add: the start of a %s cannot be "
		        "computed from polling day alone: give --start "
		        "(the day the notice was published)",
		        pd_poll_type_title(type));
		goto done;
	}
	memset(&spec, 0, sizeof(spec));
	spec.name = o.name;
	spec.kind = pd_poll_type_kind(type);
	spec.areas = o.areas;
	spec.nareas = o.nareas;
	spec.all_day = true;
	spec.first_day = start;
	spec.last_day = poll;
	spec.poll_type = pd_poll_type_name(type);
	spec.nation = pd_nation_name(tt.nation);
	spec.has_poll = true;
	spec.poll = poll;
	file = o.file ? o.file : c->cfg->calendar_file;
	if ((rc = pd_calfile_add(file, &spec, c->tz, &uid)) < 0)
		goto done;
	{
		char s[32], e[32];
		pd_date_format_human(s, sizeof(s), start);
		pd_date_format_human(e, sizeof(e), poll);
		printf("Added %s '%s' to %s: from %s to end of %s [",
		       pd_period_kind_phrase(spec.kind), o.name, file, s, e);
		if (!o.nareas)
			printf("whole council");
		for (size_t i = 0; i < o.nareas; i++)
			printf("%s%s",
			       i               ? ", "
			       : o.nareas == 1 ? "area: "
			                       : "areas: ",
			       o.areas[i]);
		printf("] UID %s\n", uid);
	}
done:
	pd_free(uid);
	pd_free(o.areas);
	return rc;
}

static pd_rc cmd_import(pd_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"dir", required_argument, NULL, 8},
	};
	add_opts o;
	pd_buf text = PD_BUF_INIT(PD_MAX_CALENDAR_BYTES);
	size_t added = 0;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, opts, 1, add_opt, &o,
	                       calendar_usage)) < 0 ||
	    c->done)
		goto done;
	if (optind + 1 != argc) {
		rc = pd_error_set(
		        PD_EUSAGE,
		        "calendar import-holidays: give one JSON file");
		goto done;
	}
	if ((rc = pd_file_read(&text, argv[optind])) < 0)
		goto done;
	if ((rc = pd_calfile_import_holidays(o.dir ? o.dir : "calendars",
	                                     argv[optind], text.ptr, text.len,
	                                     &added)) < 0)
		goto done;
	printf("Imported bank holidays from %s into %s/: %zu new date%s\n",
	       argv[optind], o.dir ? o.dir : "calendars", added,
	       added == 1 ? "" : "s");
done:
	pd_free(o.areas);
	pd_buf_dispose(&text);
	return rc;
}

pd_rc pd_cmd_calendar(pd_cli *c, int argc, char **argv)
{
	c->usage = calendar_usage;
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return cmd_add(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "import-holidays"))
		return cmd_import(c, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(calendar_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "calendar: %s%s",
	                    argc >= 2 ? "unknown subcommand " : "no subcommand",
	                    argc >= 2 ? argv[1] : "");
}
