/*
 * `purdah freeze start` and `purdah freeze end`: an emergency freeze, when
 * all scheduled output except emergency messages is held so the crisis team
 * can post. A freeze is a FREEZE period in the freeze file (freeze_file in
 * purdah.yaml), written atomically by pd_calfile_add(), so `purdah status`
 * and any calendar tool see it. Without --until it is open-ended
 * (X-PURDAH-OPEN-ENDED, with a far DTEND for other tools); `end` writes a new
 * version of each freeze in force (same UID, SEQUENCE + 1) that ends then,
 * and the older versions stay in the file as its history. Each start and
 * end is then appended to the audit trail (the review store); a store that
 * cannot be written only earns a warning: an emergency freeze must never
 * wait for a database.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/file.h"
#include "purdah/json.h"
#include "purdah/store.h"

#define MAX_REASON_BYTES 500
#define MAX_BY_BYTES     100
/* An open-ended freeze's DTEND, for tools that need a bounded event. */

static const char freeze_usage[] =
        "usage: purdah freeze start --reason TEXT [--from TIME] [--until "
        "TIME]\n"
        "                           [--area AREA]... [--by NAME]\n"
        "       purdah freeze end [--at TIME] [--by NAME]\n"
        "  start  record an emergency freeze: all scheduled output except\n"
        "         emergency messages is held from --from (default now) to\n"
        "         --until or, without --until, until `purdah freeze end`.\n"
        "         Refused while a freeze is in force. --reason (one line, at\n"
        "         most 500 bytes) says why; --area limits it to areas "
        "(default:\n"
        "         the whole council); --by names who called it (default "
        "$USER).\n"
        "  end    end every freeze in force at --at (default now); nothing "
        "to\n"
        "         end is not an error. --by names who ended it (default "
        "$USER).\n"
        "  Freezes are kept in freeze_file (purdah.yaml; default\n"
        "  calendars/freeze.ics); `purdah status` shows those in force.\n"
        "  Each start and end is added to the audit trail (--db FILE or\n"
        "  store.path); when that cannot be written the freeze still "
        "stands\n"
        "  and a warning says so.\n"
        "  TIME: 2026-11-21 (start of that local day), 2026-11-21T14:05 "
        "(local)\n"
        "        or RFC 3339 (2026-11-21T14:05:00Z, ...+01:00).\n";

typedef struct {
	const char *reason, *from, *until, *by, *at;
	const char **areas;
	size_t nareas;
} fz_opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	fz_opts *o = vctx;
	(void)c;
	switch (opt) {
	case 1: o->reason = arg; break;
	case 2: o->from = arg; break;
	case 3: o->until = arg; break;
	case 4: return pd_cli_push(&o->areas, &o->nareas, arg);
	case 5: o->by = arg; break;
	case 6: o->at = arg; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

/* PD_EUSAGE "freeze start: ..." unless `s` is one line of plain text
 * (pd_calfile_check_text). */
static pd_rc check_text(const char *s, size_t max, const char *what)
{
	pd_rc rc = pd_calfile_check_text(s, max, what);

	if (rc < 0)
		pd_error_prefix("freeze start");
	return rc;
}

/* "Sat 21 Nov 2026 14:05", local time. */
static void fmt_time(char *buf, size_t n, pd_instant t, const pd_tz *tz)
{
	pd_civil c;
	char ds[32];
	int off;

	pd_tz_instant_to_local(tz, t, &c, &off);
	pd_date_format_human(ds, sizeof(ds), pd_tz_date_of(tz, t));
	snprintf(buf, n, "%s %02d:%02d", ds, c.hour, c.min);
}

/* `s` for a one-line message: control characters as spaces, at most about
 * `n` - 4 bytes (cut at a character boundary, "..." added). */
static void fmt_clip(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s), i, k = 0, max = n - 4;

	for (i = 0; i < len && k < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[k++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	if (i < len) {
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--; /* s[k] continues a character: cut before it */
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
}

/*
 * The freeze file as a calendar (empty when the file does not exist yet);
 * free with pd_calendar_free(). PD_ECONFIG "file:line: ..." when it cannot
 * be loaded.
 */
static pd_rc load_freezes(pd_cli *c, pd_calendar **out)
{
	pd_calendar *cal = NULL;
	pd_rc rc;

	if ((rc = pd_calendar_new(&cal, c->tz)) < 0)
		return rc;
	if (pd_file_exists(c->cfg->freeze_file))
		rc = pd_calendar_load_path(cal, c->cfg->freeze_file);
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	if (rc < 0) {
		pd_calendar_free(cal);
		return rc;
	}
	*out = cal;
	return PD_OK;
}

/*
 * The FREEZE periods of `cal` in force at `at` (any area), in start order:
 * `*out` is allocated (free with pd_free; the periods are borrowed from
 * `cal`), `*count` set.
 */
static pd_rc active_freezes(const pd_calendar *cal, pd_instant at,
                            const pd_period ***out, size_t *count)
{
	size_t n = pd_calendar_active(cal, at, NULL, NULL, 0), k = 0;
	const pd_period **v = pd_calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return pd_error_set(PD_ENOMEM, "out of memory");
	n = pd_calendar_active(cal, at, NULL, v, n);
	for (size_t i = 0; i < n; i++)
		if (v[i]->kind == PD_PERIOD_FREEZE)
			v[k++] = v[i];
	*out = v;
	*count = k;
	return PD_OK;
}

/* The lines after "Freeze ...": reason, who called it, the file. */
static void print_details(const char *reason, const char *by, const char *file,
                          const char *uid, int sequence)
{
	if (reason) {
		fputs("  reason: ", stdout);
		pd_cli_put_escaped(stdout, reason, false);
		fputc('\n', stdout);
	}
	if (by) {
		fputs("  called by: ", stdout);
		pd_cli_put_escaped(stdout, by, false);
		fputc('\n', stdout);
	}
	fputs("  written to ", stdout);
	pd_cli_put_escaped(stdout, file, false);
	fputs(", UID ", stdout);
	pd_cli_put_escaped(stdout, uid, false);
	if (sequence > 0)
		printf(", SEQUENCE %d", sequence);
	fputc('\n', stdout);
}

/*
 * `status` reads the configured calendars, not the freeze file: say so when
 * the freeze just written is not among what they load.
 */
static void warn_if_unseen(pd_cli *c, const char *uid)
{
	size_t n;

	if (pd_cli_calendar(c) < 0) {
		fputs("purdah: warning: the freeze is recorded, but the "
		      "configured calendars do not load (",
		      stderr);
		pd_cli_put_escaped(stderr, pd_error_message(), false);
		fputs("): `purdah status` fails until that is fixed\n", stderr);
		return;
	}
	n = pd_calendar_count(c->cal);
	for (size_t i = 0; i < n; i++)
		if (strcmp(pd_calendar_get(c->cal, i)->uid, uid) == 0)
			return;
	fputs("purdah: warning: ", stderr);
	pd_cli_put_escaped(stderr, c->cfg->freeze_file, false);
	fputs(" is not among the configured calendars (calendars in "
	      "purdah.yaml, --calendars): `purdah status` does not show "
	      "this freeze\n",
	      stderr);
}

/* The name of whoever runs the command when --by is not given. */
static const char *default_by(const char *fallback)
{
	const char *by = getenv("USER");

	if (!by || check_text(by, MAX_BY_BYTES, "$USER") < 0)
		by = fallback;
	pd_error_clear();
	return by;
}

/*
 * Append a freeze-start or freeze-end entry to the audit trail: detail
 * {"uid", "reason", "until", "by"} (until: RFC 3339, or null while
 * open-ended). The freeze stands whatever happens here: a failure is a
 * warning on stderr, never the command's error.
 */
static void audit_freeze(pd_cli *c, const char *action, const char *uid,
                         const char *reason, pd_instant until, bool open,
                         const char *by, pd_instant now)
{
	pd_json *d = pd_json_object();
	pd_buf text = PD_BUF_INIT(64 * 1024);
	char t[64];
	bool ok = d != NULL;
	pd_rc rc;

	if (!open)
		pd_time_format_rfc3339(t, sizeof(t), until, c->tz);
	ok = ok && pd_json_set_str(d, "uid", uid) == PD_OK;
	ok = ok && pd_json_set_str(d, "reason", reason) == PD_OK;
	ok = ok &&
	     pd_json_set(d, "until",
	                 open ? pd_json_null() : pd_json_string(t)) == PD_OK;
	ok = ok && pd_json_set_str(d, "by", by) == PD_OK;
	if (!ok)
		rc = pd_error_set(PD_ENOMEM, "out of memory");
	else if ((rc = pd_json_dump(&text, d, false)) == PD_OK &&
	         (rc = pd_cli_store(c, true)) == PD_OK)
		rc = pd_audit_append(c->store, now, by, action, 0, text.ptr);
	if (rc < 0) {
		fprintf(stderr,
		        "purdah: warning: the freeze %s is written to the "
		        "freeze "
		        "file, but not to the audit trail (",
		        strcmp(action, "freeze-start") ? "end" : "start");
		pd_cli_put_escaped(stderr, pd_error_message(), false);
		fputs(")\n", stderr);
		pd_error_clear();
	}
	pd_json_free(d);
	pd_buf_dispose(&text);
}

static pd_rc cmd_start(pd_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"reason", required_argument, NULL, 1},
	        {"from", required_argument, NULL, 2},
	        {"until", required_argument, NULL, 3},
	        {"area", required_argument, NULL, 4},
	        {"by", required_argument, NULL, 5},
	};
	fz_opts o;
	pd_calendar *cal = NULL;
	const pd_period **act = NULL;
	size_t nact = 0;
	pd_period_spec spec;
	pd_instant from, until = 0;
	const char *by;
	char *uid = NULL;
	char s[64], e[64], r[256], nm[128];
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, opts, 5, on_opt, &o,
	                       freeze_usage)) < 0 ||
	    c->done)
		goto done;
	if (optind < argc) {
		rc = pd_error_set(PD_EUSAGE, "freeze start: unexpected '%s'",
		                  argv[optind]);
		goto done;
	}
	if (!o.reason) {
		rc = pd_error_set(PD_EUSAGE,
		                  "freeze start: --reason is required (why "
		                  "output is being held)");
		goto done;
	}
	if ((rc = check_text(o.reason, MAX_REASON_BYTES, "--reason")) < 0)
		goto done;
	if (o.by) {
		if ((rc = check_text(o.by, MAX_BY_BYTES, "--by")) < 0)
			goto done;
		by = o.by;
	} else {
		by = default_by("unknown");
	}
	if ((rc = pd_cli_setup(c)) < 0)
		goto done;
	for (size_t i = 0; i < o.nareas; i++)
		if ((rc = pd_config_check_area(c->cfg, o.areas[i])) < 0)
			goto done;
	if (o.from) {
		if ((rc = pd_time_parse(&from, o.from, c->tz, "--from")) < 0)
			goto done;
	} else {
		from = pd_time_now();
	}
	if (o.until) {
		if ((rc = pd_time_parse(&until, o.until, c->tz, "--until")) < 0)
			goto done;
		if (until <= from) {
			fmt_time(s, sizeof(s), from, c->tz);
			rc = pd_error_set(
			        PD_EUSAGE,
			        "freeze start: --until %s is not after "
			        "the start (%s)",
			        o.until, s);
			goto done;
		}
	}
	if ((rc = load_freezes(c, &cal)) < 0 ||
	    (rc = active_freezes(cal, from, &act, &nact)) < 0)
		goto done;
	if (nact > 0) {
		const pd_period *p = act[0];
		fmt_time(s, sizeof(s), from, c->tz);
		fmt_time(e, sizeof(e), p->start, c->tz);
		fmt_clip(r, sizeof(r), p->description ? p->description : "");
		fmt_clip(nm, sizeof(nm), p->name);
		c->usage = NULL; /* not a mistake in the command line */
		rc = pd_error_set(PD_EUSAGE,
		                  "freeze start: a freeze is already in force "
		                  "at %s: '%s' since %s (reason: %s; %s:%d). "
		                  "End it first with `purdah freeze end`; "
		                  "nothing was written",
		                  s, nm, e, *r ? r : "none given", p->source,
		                  p->line);
		goto done;
	}
	pd_freeze_spec(&spec, o.reason, o.areas, o.nareas, from,
	               o.until ? until : 0, by);
	if ((rc = pd_calfile_add(c->cfg->freeze_file, &spec, c->tz, &uid)) < 0)
		goto done;
	fmt_time(s, sizeof(s), from, c->tz);
	if (o.until) {
		fmt_time(e, sizeof(e), until, c->tz);
	} else {
		snprintf(e, sizeof(e), "ended with `purdah freeze end`");
	}
	printf("Freeze recorded: all scheduled output except emergency "
	       "messages is held from %s until %s [",
	       s, e);
	if (!o.nareas)
		fputs("whole council", stdout);
	for (size_t i = 0; i < o.nareas; i++) {
		fputs(i ? ", " : o.nareas == 1 ? "area: " : "areas: ", stdout);
		pd_cli_put_escaped(stdout, o.areas[i], false);
	}
	fputs("]\n", stdout);
	print_details(o.reason, by, c->cfg->freeze_file, uid, 0);
	warn_if_unseen(c, uid);
	audit_freeze(c, "freeze-start", uid, o.reason, until, !o.until, by,
	             pd_time_now());
done:
	pd_free(uid);
	pd_free(act);
	pd_calendar_free(cal);
	pd_free(o.areas);
	return rc;
}

static pd_rc cmd_end(pd_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"at", required_argument, NULL, 6},
	        {"by", required_argument, NULL, 5},
	};
	fz_opts o;
	pd_calendar *cal = NULL;
	const pd_period **act = NULL;
	size_t nact = 0;
	pd_instant at;
	const char *by;
	char s[64], e[64], a[512];
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, opts, 2, on_opt, &o,
	                       freeze_usage)) < 0 ||
	    c->done)
		goto done;
	if (optind < argc) {
		rc = pd_error_set(PD_EUSAGE, "freeze end: unexpected '%s'",
		                  argv[optind]);
		goto done;
	}
	if (o.by) {
		if ((rc = pd_calfile_check_text(o.by, MAX_BY_BYTES, "--by")) <
		    0) {
			pd_error_prefix("freeze end");
			goto done;
		}
		by = o.by;
	} else {
		by = default_by("unknown");
	}
	if ((rc = pd_cli_setup(c)) < 0)
		goto done;
	if (o.at) {
		if ((rc = pd_time_parse(&at, o.at, c->tz, "--at")) < 0)
			goto done;
	} else {
		at = pd_time_now();
	}
	if ((rc = load_freezes(c, &cal)) < 0 ||
	    (rc = active_freezes(cal, at, &act, &nact)) < 0)
		goto done;
	if (nact == 0) {
		printf("No freeze is in force; nothing to end.\n");
		goto done;
	}
	for (size_t i = 0; i < nact; i++) {
		const pd_period *p = act[i];
		pd_period_spec spec;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(act[j]->uid, p->uid) == 0;
		if (seen)
			continue; /* another occurrence of one UID: ended */
		pd_period_end_spec(&spec, p, at);
		if ((rc = pd_calfile_add(c->cfg->freeze_file, &spec, c->tz,
		                         NULL)) < 0)
			goto done;
		fmt_time(s, sizeof(s), p->start, c->tz);
		fmt_time(e, sizeof(e), at, c->tz);
		pd_cli_fmt_areas(a, sizeof(a), p);
		if (spec.cancelled)
			printf("Freeze cancelled at its start, %s: '", s);
		else
			printf("Freeze ended at %s: '", e);
		pd_cli_put_escaped(stdout, p->name, false);
		if (!spec.cancelled)
			printf("', in force since %s [", s);
		else
			fputs("', never in force [", stdout);
		pd_cli_put_escaped(stdout, a, false);
		fputs("]\n", stdout);
		print_details(p->description, p->by, c->cfg->freeze_file,
		              p->uid, spec.sequence);
		audit_freeze(c, "freeze-end", p->uid,
		             p->description ? p->description : "", spec.end,
		             false, by, pd_time_now());
	}
done:
	pd_free(act);
	pd_calendar_free(cal);
	pd_free(o.areas);
	return rc;
}

pd_rc pd_cmd_freeze(pd_cli *c, int argc, char **argv)
{
	c->usage = freeze_usage;
	if (argc >= 2 && !strcmp(argv[1], "start"))
		return cmd_start(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "end"))
		return cmd_end(c, argc - 1, argv + 1);
	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(freeze_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "freeze: %s%s",
	                    argc >= 2 ? "unknown subcommand "
	                              : "no subcommand (start or end)",
	                    argc >= 2 ? argv[1] : "");
}
