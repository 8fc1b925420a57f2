/*
 * Shared CLI plumbing: global options, loading configuration and calendars,
 * and formatting periods for people and for JSON.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/store.h"
#include "purdah/world.h"

pd_rc pd_cli_push(const char ***list, size_t *n, const char *s)
{
	const char **nl = pd_realloc(*list, (*n + 1) * sizeof(*nl));

	if (!nl)
		return pd_error_set(PD_ENOMEM, "out of memory");
	*list = nl;
	nl[(*n)++] = s; /* argv strings live for the process */
	return PD_OK;
}

int pd_cli_global_opt(pd_cli *c, int opt, const char *arg, pd_rc *rc)
{
	switch (opt) {
	case 1001: c->config_path = arg; return 1;
	case 1002:
		*rc = pd_cli_push(&c->calendars, &c->ncalendars, arg);
		return 1;
	case 1003:
		*rc = pd_cli_push(&c->lexicons, &c->nlexicons, arg);
		return 1;
	case 1004: c->tz_name = arg; return 1;
	case 1005: c->db_path = arg; return 1;
	default: return 0;
	}
}

pd_rc pd_cli_parse(pd_cli *c, int argc, char **argv, const char *shortopts,
                   const struct option *cmd_opts, size_t ncmd, pd_cli_opt_fn fn,
                   void *ctx, const char *usage)
{
	static const struct option globals[] = {PD_CLI_GLOBAL_OPTS};
	size_t ng = sizeof(globals) / sizeof(globals[0]);
	struct option *all = pd_calloc(ncmd + ng + 1, sizeof(*all));
	pd_buf so = PD_BUF_INIT(256);
	pd_rc rc = PD_OK;
	int opt;

	if (!all)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if (ncmd)
		memcpy(all, cmd_opts, ncmd * sizeof(*all));
	c->usage = usage; /* main() prints it after a usage error */
	memcpy(all + ncmd, globals, ng * sizeof(*all));
	/* Before the command ('+'): stop at the command name. Within a
	 * command: options may follow operands. ':' reports missing values. */
	if ((rc = pd_buf_printf(&so, "%s:h%s", c->in_command ? "" : "+",
	                        shortopts ? shortopts : "")) < 0)
		goto done;
#ifdef __GLIBC__
	optind = 0; /* glibc: a full reset of getopt's state */
#else
	optind = 1;
#endif
	opterr = 0;
	while (rc == PD_OK &&
	       (opt = getopt_long(argc, argv, so.ptr, all, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			c->done = true; /* help printed: nothing more to do */
			break;
		}
		if (opt == '?') {
			rc = pd_error_set(PD_EUSAGE, "%s%sunknown option '%s'",
			                  c->in_command ? argv[0] : "",
			                  c->in_command ? ": " : "",
			                  argv[optind - 1]);
			break;
		}
		if (opt == ':') {
			rc = pd_error_set(
			        PD_EUSAGE, "%s%soption '%s' needs a value",
			        c->in_command ? argv[0] : "",
			        c->in_command ? ": " : "", argv[optind - 1]);
			break;
		}
		if (pd_cli_global_opt(c, opt, optarg, &rc))
			continue;
		rc = fn ? fn(c, ctx, opt, optarg)
		        : pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
done:
	pd_buf_dispose(&so);
	pd_free(all);
	return rc;
}

pd_rc pd_cli_setup(pd_cli *c)
{
	pd_world_opts o = {0};
	pd_rc rc;

	if (c->cfg)
		return PD_OK;
	o.config_path = c->config_path;
	o.calendars = c->calendars;
	o.ncalendars = c->ncalendars;
	o.lexicons = c->lexicons;
	o.nlexicons = c->nlexicons;
	o.tz_name = c->tz_name;
	if ((rc = pd_world_config(&c->cfg, &o)) < 0)
		return rc;
	if ((rc = pd_tz_get(&c->tz, c->cfg->timezone)) < 0) {
		if (c->tz_name)
			return pd_error_set(PD_EUSAGE, "--tz: %s",
			                    pd_error_message());
		return rc;
	}
	return PD_OK;
}

pd_rc pd_cli_calendar(pd_cli *c)
{
	pd_rc rc;

	if (c->cal)
		return PD_OK;
	if ((rc = pd_cli_setup(c)) < 0)
		return rc;
	return pd_world_calendar(&c->cal, c->cfg, c->tz, c->periods_only);
}

pd_rc pd_cli_matcher(pd_cli *c)
{
	pd_rc rc;

	if (c->matcher)
		return PD_OK;
	if ((rc = pd_cli_setup(c)) < 0)
		return rc;
	return pd_world_matcher(&c->lexset, &c->matcher, c->cfg);
}

pd_rc pd_cli_push_area(const char **areas, size_t *n, const char *arg,
                       const char *cmd)
{
	if (*n == PD_MAX_ITEM_AREAS)
		return pd_error_set(PD_EUSAGE,
		                    "%s: more than %d --area options", cmd,
		                    PD_MAX_ITEM_AREAS);
	areas[(*n)++] = arg;
	return PD_OK;
}

pd_rc pd_cli_item_opts(pd_cli *c, const char *cls, const char *const *areas,
                       size_t nareas, const char *at, pd_class *cls_out,
                       pd_instant *at_out)
{
	pd_rc rc;

	*cls_out = PD_CLASS_COUNCIL_POST;
	if (cls && (rc = pd_class_parse(cls_out, cls)) < 0) {
		pd_error_prefix("--class");
		return rc;
	}
	for (size_t i = 0; i < nareas; i++) {
		if (!areas[i][0])
			return pd_error_set(PD_EUSAGE, "--area: empty");
		if ((rc = pd_config_check_area(c->cfg, areas[i])) < 0)
			return rc;
	}
	if (at)
		return pd_time_parse(at_out, at, c->tz, "--at");
	*at_out = pd_time_now();
	return PD_OK;
}

pd_rc pd_cli_store(pd_cli *c, bool create)
{
	pd_store_opts o = {0};
	pd_rc rc;

	if (c->store)
		return PD_OK;
	if ((rc = pd_cli_setup(c)) < 0)
		return rc;
	o.sync_full = c->cfg->review.sync_full;
	o.create = create;
	if ((rc = pd_store_open(&c->store,
	                        c->db_path ? c->db_path : c->cfg->review.db,
	                        &o)) < 0)
		return rc;
	return pd_store_expire(c->store, pd_time_now(), NULL);
}

void pd_cli_dispose(pd_cli *c)
{
	pd_store_close(c->store);
	pd_matcher_free(c->matcher);
	pd_lexset_free(c->lexset);
	pd_calendar_free(c->cal);
	pd_config_free(c->cfg);
	pd_free((void *)c->calendars);
	pd_free((void *)c->lexicons);
}

pd_rc pd_cli_parse_bound(pd_cli *c, pd_instant *out, const char *s, bool to,
                         const char *what)
{
	pd_date d;
	pd_rc rc;

	if (strlen(s) == 10 && pd_date_parse(&d, s, what) == PD_OK) {
		*out = pd_tz_day_start(c->tz, to ? pd_date_add_days(d, 1) : d);
		return PD_OK;
	}
	pd_error_clear();
	if ((rc = pd_time_parse(out, s, c->tz, what)) < 0)
		return rc;
	if (to)
		*out += 1;
	return PD_OK;
}

static pd_rc export_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	pd_cli_export *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->from = arg; break;
	case 2: o->to = arg; break;
	case 3: o->format = arg; break;
	case 4: o->output = arg; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

pd_rc pd_cli_export_parse(pd_cli *c, int argc, char **argv, const char *usage,
                          const char *cmd, const char *fmt1, const char *fmt2,
                          pd_cli_export *o, pd_instant *from, pd_instant *to)
{
	static const struct option opts[] = {
	        {"from", required_argument, NULL, 1},
	        {"to", required_argument, NULL, 2},
	        {"format", required_argument, NULL, 3},
	        {"output", required_argument, NULL, 4},
	};
	pd_rc rc;

	memset(o, 0, sizeof(*o));
	*from = *to = 0;
	if ((rc = pd_cli_parse(c, argc, argv, NULL, opts, 4, export_opt, o,
	                       usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "%s: unexpected '%s'", cmd,
		                    argv[optind]);
	if (!o->format)
		return pd_error_set(PD_EUSAGE, "%s: --format %s|%s is required",
		                    cmd, fmt1, fmt2);
	if (strcmp(o->format, fmt1) && strcmp(o->format, fmt2))
		return pd_error_set(PD_EUSAGE,
		                    "%s: --format: '%s' is not %s or %s", cmd,
		                    o->format, fmt1, fmt2);
	if (o->output && !o->output[0])
		return pd_error_set(PD_EUSAGE, "%s: --output: empty", cmd);
	if ((rc = pd_cli_setup(c)) < 0 ||
	    (o->from && (rc = pd_cli_parse_bound(c, from, o->from, false,
	                                         "--from")) < 0) ||
	    (o->to &&
	     (rc = pd_cli_parse_bound(c, to, o->to, true, "--to")) < 0))
		return rc;
	if (*from && *to && *to <= *from)
		return pd_error_set(PD_EUSAGE, "%s: --to is before --from",
		                    cmd);
	c->usage = NULL;
	return pd_cli_store(c, false);
}

pd_rc pd_cli_write_output(const char *path, const pd_buf *b)
{
	if (path && strcmp(path, "-"))
		return pd_file_write_atomic(path, b->ptr ? b->ptr : "", b->len);
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len)
		return pd_error_set(PD_EIO, "cannot write the output");
	return PD_OK;
}

pd_rc pd_cli_print_json(pd_json *v, bool pretty)
{
	pd_buf b = PD_BUF_INIT((size_t)1 << 30);
	pd_rc rc;

	if (!v)
		return pd_error_set(PD_ENOMEM, "out of memory building JSON");
	rc = pd_json_dump(&b, v, pretty);
	pd_json_free(v);
	if (rc == PD_OK) {
		fputs(b.ptr, stdout);
		fputc('\n', stdout);
	}
	pd_buf_dispose(&b);
	return rc;
}

void pd_cli_fmt_start(char *buf, size_t n, const pd_period *p, const pd_tz *tz)
{
	char d[32];
	pd_civil c;
	int off;

	pd_date_format_human(d, sizeof(d), p->first_day);
	pd_tz_instant_to_local(tz, p->start, &c, &off);
	if (p->all_day || (c.hour == 0 && c.min == 0 && c.sec == 0))
		snprintf(buf, n, "%s", d);
	else
		snprintf(buf, n, "%s %02d:%02d", d, c.hour, c.min);
}

void pd_cli_fmt_end(char *buf, size_t n, const pd_period *p, const pd_tz *tz)
{
	char d[32];
	pd_civil c;
	int off;

	if (p->open_ended) {
		snprintf(buf, n, "(open-ended)");
		return;
	}
	pd_tz_instant_to_local(tz, p->end, &c, &off);
	if (p->all_day || (c.hour == 0 && c.min == 0 && c.sec == 0)) {
		pd_date_format_human(d, sizeof(d), p->last_day);
		snprintf(buf, n, "end of %s", d);
	} else {
		pd_date e = {c.year, c.month, c.day};
		pd_date_format_human(d, sizeof(d), e);
		snprintf(buf, n, "%s %02d:%02d", d, c.hour, c.min);
	}
}

void pd_cli_fmt_areas(char *buf, size_t n, const pd_period *p)
{
	size_t used;

	if (p->nareas == 0) {
		snprintf(buf, n, "whole council");
		return;
	}
	used = (size_t)snprintf(buf, n,
	                        "%s: ", p->nareas == 1 ? "area" : "areas");
	for (size_t i = 0; i < p->nareas && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
		                         i ? ", " : "", p->areas[i]);
}

void pd_cli_put_escaped(FILE *f, const char *s, bool lines)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' && !lines)
			fputs("\\n", f);
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}
