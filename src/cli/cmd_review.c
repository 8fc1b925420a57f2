/*
 * `purdah review`: the review queue from the command line (the store:
 * include/purdah/store.h). list and show read it; status answers a
 * pipeline waiting for a held item (exit 0 approved, 1 pending, 2
 * rejected, expired or withdrawn); approve, reject and withdraw decide
 * pending items, one or several, by a named person (audited, via "cli").
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/json.h"
#include "purdah/store.h"

#define MAX_IDS     10000 /* ids in one bulk decision */
#define EXCERPT_MAX 60    /* bytes of text in a list row */

static const char review_usage[] =
        "usage: purdah review list [--status S] [--class C] [--period UID]\n"
        "                          [--from D] [--to D] [--search TEXT]\n"
        "                          [--limit N] [--before ID] [--json]\n"
        "       purdah review show ID [--json]\n"
        "       purdah review status ID [--json]\n"
        "       purdah review approve ID... --by NAME [--note TEXT]\n"
        "       purdah review reject ID... --by NAME --note TEXT\n"
        "       purdah review withdraw ID... --by NAME [--note TEXT]\n"
        "  The review queue: every hold and block recorded by `check\n"
        "  --record`, `filter --record`, the API and the proxy, in the\n"
        "  store (--db FILE, default store.path: var/purdah.db).\n"
        "  list      items newest first (default the 50 newest): id, "
        "created,\n"
        "            class, decision, status, first reason, the text's "
        "start.\n"
        "            --status pending|approved|rejected|expired|withdrawn,\n"
        "            --class CLASS, --period UID (a period in force for "
        "it),\n"
        "            --from/--to D created from/to (a date, local, --to\n"
        "            inclusive; or a time), --search TEXT in the text\n"
        "            (ASCII case-insensitive), --limit N (1-1000), --before "
        "ID\n"
        "            (the next page: ids below ID)\n"
        "  show      one item: text, reasons, hits, periods, policy hashes,\n"
        "            outcome and its audit history\n"
        "  status    print the status; exit 0 approved, 1 pending, 2 "
        "rejected,\n"
        "            expired or withdrawn (a pending item expires at its\n"
        "            publication time)\n"
        "  approve   decide pending items; --by names the person "
        "(required),\n"
        "  reject    --note says why (required to reject). Several ids are\n"
        "  withdraw  decided one by one, one line each; when any fails the\n"
        "            rest are still decided and the exit status is the\n"
        "            highest of the failures (65 not pending, 66 no such\n"
        "            item). A usage error (64) changes nothing.\n"
        "  Exit status: 0 success, 64 usage, 65 not pending, 66 no such "
        "item\n"
        "  or store, 70 internal error, 74 I/O error, 78 configuration.\n";

typedef struct {
	const char *status, *cls, *period, *from, *to, *search, *limit, *before,
	        *by, *note;
	bool json, have_note;
} rv_opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	rv_opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->status = arg; break;
	case 2: o->cls = arg; break;
	case 3: o->period = arg; break;
	case 4: o->from = arg; break;
	case 5: o->to = arg; break;
	case 6: o->search = arg; break;
	case 7: o->limit = arg; break;
	case 8: o->before = arg; break;
	case 9: o->json = true; break;
	case 10: o->by = arg; break;
	case 11:
		o->note = arg;
		o->have_note = true;
		break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static const struct option all_opts[] = {
        {"status", required_argument, NULL, 1},
        {"class", required_argument, NULL, 2},
        {"period", required_argument, NULL, 3},
        {"from", required_argument, NULL, 4},
        {"to", required_argument, NULL, 5},
        {"search", required_argument, NULL, 6},
        {"limit", required_argument, NULL, 7},
        {"before", required_argument, NULL, 8},
        {"json", no_argument, NULL, 9},
        {"by", required_argument, NULL, 10},
        {"note", required_argument, NULL, 11},
};

/* The options each subcommand takes: a slice of all_opts. */
static pd_rc parse(pd_cli *c, int argc, char **argv, size_t first, size_t n,
                   rv_opts *o)
{
	memset(o, 0, sizeof(*o));
	return pd_cli_parse(c, argc, argv, NULL, all_opts + first, n, on_opt, o,
	                    review_usage);
}

/* A positive integer (an item id, "#12" too); PD_EUSAGE naming `what`. */
static pd_rc parse_id(int64_t *out, const char *s, const char *what)
{
	const char *p = s[0] == '#' ? s + 1 : s;
	char *end;
	long long v;

	errno = 0;
	v = (*p >= '0' && *p <= '9') ? strtoll(p, &end, 10) : 0;
	if (v <= 0 || errno || *end)
		return pd_error_set(PD_EUSAGE,
		                    "%s: '%s' is not an item id (a positive "
		                    "number)",
		                    what, s);
	*out = (int64_t)v;
	return PD_OK;
}

/* "2027-04-20 09:00" in the configured zone (or "-" for 0). */
static void fmt_local(char *buf, size_t n, pd_instant t, const pd_tz *tz)
{
	pd_civil lc;
	int off;

	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	pd_tz_instant_to_local(tz, t, &lc, &off);
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", lc.year, lc.month, lc.day,
	         lc.hour, lc.min);
}

/* RFC 3339 in the configured zone, or "unknown" for 0. */
static void fmt_time(char *buf, size_t n, pd_instant t, const pd_tz *tz)
{
	if (!t)
		snprintf(buf, n, "unknown");
	else
		pd_time_format_rfc3339(buf, n, t, tz);
}

/* Print `s` escaped, then spaces to `width` columns (bytes). */
static void put_col(const char *s, size_t width)
{
	size_t len;

	s = s ? s : "-";
	len = strlen(s);
	pd_cli_put_escaped(stdout, s, false);
	for (; len < width; len++)
		fputc(' ', stdout);
	fputc(' ', stdout);
}

/* The start of `text` on one line: line breaks and tabs as spaces, at
 * most EXCERPT_MAX bytes cut at a character boundary, "..." when cut. */
static void put_excerpt(const char *text, size_t len)
{
	char buf[EXCERPT_MAX + 4] = {0};
	size_t k = 0, i;

	for (i = 0; i < len && k < EXCERPT_MAX; i++) {
		char ch = text[i];
		if (ch == '\n' || ch == '\r' || ch == '\t')
			ch = ' ';
		if (ch == ' ' && (k == 0 || buf[k - 1] == ' '))
			continue; /* runs of blanks as one */
		buf[k++] = ch == '\0' ? ' ' : ch;
	}
	if (i < len && ((unsigned char)text[i] & 0xC0) == 0x80) {
		/* cut in a character: drop its first bytes too */
		while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0xC0)
			k--;
	}
	while (k > 0 && buf[k - 1] == ' ')
		k--;
	while (i < len && (text[i] == ' ' || text[i] == '\n' ||
	                   text[i] == '\r' || text[i] == '\t'))
		i++; /* only blanks left: nothing was cut */
	if (i < len) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	pd_cli_put_escaped(stdout, buf, false);
}

/* The first reason's code in a reasons JSON array (into buf), or "-". */
static void first_reason(char *buf, size_t n, const char *reasons)
{
	pd_json *j = NULL;
	const char *code = NULL;

	if (reasons &&
	    pd_json_parse(&j, "reasons", reasons, strlen(reasons)) == PD_OK)
		code = pd_json_str(
		        pd_json_get(pd_json_array_get(j, 0), "code"));
	snprintf(buf, n, "%s", code ? code : "-");
	pd_json_free(j);
	pd_error_clear();
}

/* ------------------------------------------------------------------------ */
/* list                                                                     */

static pd_rc list_query(pd_cli *c, const rv_opts *o, pd_review_query *q)
{
	pd_rc rc;

	if (o->status) {
		pd_review_status st;
		if ((rc = pd_review_status_parse(&st, o->status)) < 0) {
			pd_error_prefix("review list: --status");
			return rc;
		}
		q->status = (int)st;
	}
	if (o->cls) {
		pd_class k;
		if ((rc = pd_class_parse(&k, o->cls)) < 0) {
			pd_error_prefix("review list: --class");
			return rc;
		}
		q->cls = o->cls;
	}
	if (o->period && !o->period[0])
		return pd_error_set(PD_EUSAGE, "review list: --period: empty");
	q->period = o->period;
	if (o->search && !o->search[0])
		return pd_error_set(PD_EUSAGE, "review list: --search: empty");
	q->search = o->search;
	if (o->from && (rc = pd_cli_parse_bound(c, &q->from, o->from, false,
	                                        "--from")) < 0)
		return rc;
	if (o->to &&
	    (rc = pd_cli_parse_bound(c, &q->to, o->to, true, "--to")) < 0)
		return rc;
	if (q->from && q->to && q->to <= q->from)
		return pd_error_set(PD_EUSAGE,
		                    "review list: --to is before --from");
	q->limit = c->cfg->review.page_size ? c->cfg->review.page_size : 50;
	if (o->limit) {
		int64_t n;
		if (parse_id(&n, o->limit, "--limit") < 0 || n > 1000)
			return pd_error_set(PD_EUSAGE,
			                    "review list: --limit: '%s' is not "
			                    "a number from 1 to 1000",
			                    o->limit);
		q->limit = (size_t)n;
	}
	if (o->before && (rc = parse_id(&q->before_id, o->before,
	                                "review list: --before")) < 0)
		return rc;
	q->with_text = true;
	return PD_OK;
}

static pd_rc print_list_json(pd_cli *c, const pd_review_item *items, size_t n,
                             bool more)
{
	pd_json *root = pd_json_object(), *arr = pd_json_array();
	bool ok = root && arr;

	for (size_t i = 0; ok && i < n; i++)
		ok = pd_json_append(arr, pd_review_item_json(&items[i],
		                                             c->tz)) == PD_OK;
	if (ok) {
		ok = pd_json_set(root, "items", arr) == PD_OK;
		arr = NULL; /* taken */
	}
	ok = ok && pd_json_set_bool(root, "more", more) == PD_OK;
	ok = ok && pd_json_set(root, "next_before",
	                       more && n ? pd_json_int(items[n - 1].id)
	                                 : pd_json_null()) == PD_OK;
	pd_json_free(arr);
	if (!ok) {
		pd_json_free(root);
		root = NULL;
	}
	return pd_cli_print_json(root, true);
}

static void print_list(pd_cli *c, const pd_review_item *items, size_t n,
                       bool more)
{
	char when[32], reason[64];

	if (n == 0) {
		printf("No items match.\n");
		return;
	}
	printf("%-6s %-16s %-15s %-8s %-9s %-18s %s\n", "ID", "CREATED",
	       "CLASS", "DECISION", "STATUS", "REASON", "TEXT");
	for (size_t i = 0; i < n; i++) {
		const pd_review_item *it = &items[i];
		printf("%-6lld ", (long long)it->id);
		fmt_local(when, sizeof(when), it->created, c->tz);
		put_col(when, 16);
		put_col(it->cls, 15);
		put_col(it->decision, 8);
		put_col(pd_review_status_name(it->status), 9);
		first_reason(reason, sizeof(reason), it->reasons);
		put_col(reason, 18);
		put_excerpt(it->text ? it->text : "", it->text ? it->len : 0);
		fputc('\n', stdout);
	}
	if (more)
		printf("(more: purdah review list ... --before %lld)\n",
		       (long long)items[n - 1].id);
}

static pd_rc cmd_list(pd_cli *c, int argc, char **argv)
{
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_review_item *items = NULL;
	size_t n = 0;
	bool more = false;
	rv_opts o;
	pd_rc rc;

	if ((rc = parse(c, argc, argv, 0, 9, &o)) < 0 || c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "review list: unexpected '%s'",
		                    argv[optind]);
	if ((rc = pd_cli_setup(c)) < 0 || (rc = list_query(c, &o, &q)) < 0 ||
	    (rc = pd_cli_store(c, false)) < 0 ||
	    (rc = pd_store_list(c->store, &q, &items, &n, &more)) < 0)
		return rc;
	if (o.json)
		rc = print_list_json(c, items, n, more);
	else
		print_list(c, items, n, more);
	pd_review_items_free(items, n);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* show                                                                     */

typedef struct {
	pd_cli *c;
	pd_json *arr; /* --json: the entries */
	size_t n;
} history;

static pd_rc history_entry(void *ctx, const pd_audit_entry *e)
{
	history *h = ctx;
	char when[64];

	pd_time_format_rfc3339(when, sizeof(when), e->at, h->c->tz);
	h->n++;
	if (h->arr) {
		pd_json *o = pd_json_object(), *d = NULL;
		bool ok = o != NULL;
		if (e->detail && pd_json_parse(&d, "detail", e->detail,
		                               strlen(e->detail)) < 0) {
			pd_error_clear();
			d = pd_json_string(e->detail);
		}
		ok = ok && pd_json_set_int(o, "seq", e->seq) == PD_OK;
		ok = ok && pd_json_set_str(o, "at", when) == PD_OK;
		ok = ok && pd_json_set_str(o, "actor", e->actor) == PD_OK;
		ok = ok && pd_json_set_str(o, "action", e->action) == PD_OK;
		if (ok) {
			ok = pd_json_set(o, "detail", d ? d : pd_json_null()) ==
			     PD_OK;
			d = NULL; /* taken */
		}
		ok = ok && pd_json_set_str(o, "hash", e->hash) == PD_OK;
		pd_json_free(d);
		if (!ok) {
			pd_json_free(o);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		return pd_json_append(h->arr, o);
	}
	printf("  #%-5lld %s  ", (long long)e->seq, when);
	pd_cli_put_escaped(stdout, e->actor ? e->actor : "", false);
	fputs("  ", stdout);
	pd_cli_put_escaped(stdout, e->action ? e->action : "", false);
	if (e->detail) {
		fputs("  ", stdout);
		pd_cli_put_escaped(stdout, e->detail, false);
	}
	fputc('\n', stdout);
	return PD_OK;
}

/* One "label: value" line, the value escaped. */
static void field(const char *label, const char *value)
{
	printf("  %-12s ", label);
	pd_cli_put_escaped(stdout, value ? value : "-", false);
	fputc('\n', stdout);
}

/* A JSON array as stored with an item (`text`: NULL or malformed reads as
 * empty); its size into *n. Free with pd_json_free. */
static pd_json *stored_array(const char *text, const char *what, size_t *n)
{
	pd_json *j = NULL;

	*n = 0;
	if (text && pd_json_parse(&j, what, text, strlen(text)) == PD_OK)
		*n = pd_json_array_size(j);
	pd_error_clear();
	return j;
}

/* A section's heading, and `none` when it has no lines. */
static void heading(const char *title, size_t n, const char *none)
{
	printf("%s:\n", title);
	if (n == 0)
		printf("  %s\n", none);
}

static void print_areas(const char *areas)
{
	size_t n;
	pd_json *j = stored_array(areas, "areas", &n);

	printf("  %-12s ", "areas:");
	if (n == 0)
		fputs("whole council", stdout);
	for (size_t i = 0; i < n; i++) {
		const char *a = pd_json_str(pd_json_array_get(j, i));
		fputs(i ? ", " : "", stdout);
		pd_cli_put_escaped(stdout, a ? a : "?", false);
	}
	fputc('\n', stdout);
	pd_json_free(j);
}

static void print_reasons(const char *reasons)
{
	size_t n;
	pd_json *j = stored_array(reasons, "reasons", &n);

	heading("Reasons", n, "(none recorded)");
	for (size_t i = 0; i < n; i++) {
		const pd_json *r = pd_json_array_get(j, i);
		const char *code = pd_json_str(pd_json_get(r, "code")),
		           *dec = pd_json_str(pd_json_get(r, "decision")),
		           *msg = pd_json_str(pd_json_get(r, "message"));
		fputs("  ", stdout);
		pd_cli_put_escaped(stdout, code ? code : "?", false);
		if (dec) {
			fputs(" (", stdout);
			pd_cli_put_escaped(stdout, dec, false);
			fputc(')', stdout);
		}
		if (msg) {
			fputs(": ", stdout);
			pd_cli_put_escaped(stdout, msg, false);
		}
		fputc('\n', stdout);
	}
	pd_json_free(j);
}

static void print_periods(const char *periods)
{
	size_t n;
	pd_json *j = stored_array(periods, "periods", &n);

	heading("Periods", n, "(none in force)");
	for (size_t i = 0; i < n; i++) {
		const pd_json *p = pd_json_array_get(j, i);
		const char *name = pd_json_str(pd_json_get(p, "name")),
		           *uid = pd_json_str(pd_json_get(p, "uid")),
		           *start = pd_json_str(pd_json_get(p, "start")),
		           *end = pd_json_str(pd_json_get(p, "end"));
		fputs("  \"", stdout);
		pd_cli_put_escaped(stdout, name ? name : "?", false);
		fputs("\" ", stdout);
		pd_cli_put_escaped(stdout, start ? start : "?", false);
		fputs(" - ", stdout);
		pd_cli_put_escaped(stdout, end ? end : "(open-ended)", false);
		fputs(" [", stdout);
		pd_cli_put_escaped(stdout, uid ? uid : "?", false);
		fputs("]\n", stdout);
	}
	pd_json_free(j);
}

static void print_hits(const char *hits)
{
	size_t n;
	pd_json *j = stored_array(hits, "hits", &n);

	heading("Hits", n, "(none recorded)");
	for (size_t i = 0; i < n; i++) {
		const pd_json *h = pd_json_array_get(j, i);
		const char *cat = pd_json_str(pd_json_get(h, "category")),
		           *text = pd_json_str(pd_json_get(h, "text"));
		fputs("  ", stdout);
		pd_cli_put_escaped(stdout, cat ? cat : "?", false);
		printf(" %g '", pd_json_number(pd_json_get(h, "weight")));
		pd_cli_put_escaped(stdout, text ? text : "", false);
		printf("' at bytes %lld-%lld\n",
		       (long long)pd_json_integer(pd_json_get(h, "start")),
		       (long long)pd_json_integer(pd_json_get(h, "end")));
	}
	pd_json_free(j);
}

static void print_item(pd_cli *c, const pd_review_item *it)
{
	char t[64];

	printf("Item #%lld: %s, %s\n", (long long)it->id,
	       it->decision ? it->decision : "?",
	       pd_review_status_name(it->status));
	fmt_time(t, sizeof(t), it->created, c->tz);
	field("created:", t);
	printf("  %-12s ", "source:");
	pd_cli_put_escaped(stdout, it->source ? it->source : "?", false);
	if (it->origin) {
		fputs(" (", stdout);
		pd_cli_put_escaped(stdout, it->origin, false);
		fputc(')', stdout);
	}
	fputc('\n', stdout);
	field("class:", it->cls);
	print_areas(it->areas);
	field("account:", it->account);
	fmt_time(t, sizeof(t), it->at, c->tz);
	field("published:", t);
	field("decision:", it->decision);
	field("status:", pd_review_status_name(it->status));
	if (it->status == PD_REVIEW_PENDING) {
		fmt_time(t, sizeof(t), it->expires, c->tz);
		field("expires:", t);
	} else {
		fmt_time(t, sizeof(t), it->decided, c->tz);
		field("decided:", t);
		field("by:", it->reviewer);
		field("note:", it->note);
	}
	field("sha256:", it->content_sha256);
	field("calendars:", it->calendars_sha256);
	field("lexicons:", it->lexicons_sha256);
	field("config:", it->config_sha256 && it->config_sha256[0]
	                         ? it->config_sha256
	                         : "(built-in defaults)");
	print_reasons(it->reasons);
	print_periods(it->periods);
	print_hits(it->hits);
	printf("Text:\n");
	if (it->text) {
		/* line by line, indented, each escaped */
		const char *p = it->text, *end = it->text + it->len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char *line = pd_strndup(p, n);
			fputs("  | ", stdout);
			if (line)
				pd_cli_put_escaped(stdout, line, false);
			fputc('\n', stdout);
			pd_free(line);
			p += n + (nl != NULL);
		}
	}
}

/* What show and status share: the options, one ID, the item (dispose of
 * *it with pd_review_item_dispose; zeroed when it is not read). */
static pd_rc read_item(pd_cli *c, int argc, char **argv, const char *cmd,
                       rv_opts *o, int64_t *id, pd_review_item *it)
{
	pd_rc rc;

	memset(it, 0, sizeof(*it));
	if ((rc = parse(c, argc, argv, 8, 1, o)) < 0 || c->done)
		return rc;
	if (optind + 1 != argc)
		return pd_error_set(PD_EUSAGE, "%s: one ID, please", cmd);
	if ((rc = parse_id(id, argv[optind], cmd)) < 0 ||
	    (rc = pd_cli_store(c, false)) < 0)
		return rc;
	return pd_store_get(c->store, *id, it);
}

static pd_rc cmd_show(pd_cli *c, int argc, char **argv)
{
	pd_review_item it;
	history h = {c, NULL, 0};
	int64_t id;
	rv_opts o;
	pd_rc rc;

	if ((rc = read_item(c, argc, argv, "review show", &o, &id, &it)) < 0 ||
	    c->done)
		return rc;
	if (o.json) {
		pd_json *j = pd_review_item_json(&it, c->tz);
		h.arr = pd_json_array();
		if (!j || !h.arr)
			rc = pd_error_set(PD_ENOMEM, "out of memory");
		else if ((rc = pd_audit_each(c->store, 0, 0, id, history_entry,
		                             &h)) == PD_OK) {
			rc = pd_json_set(j, "history", h.arr);
			h.arr = NULL;
		}
		if (rc == PD_OK) {
			rc = pd_cli_print_json(j, true);
			j = NULL;
		}
		pd_json_free(j);
		pd_json_free(h.arr);
	} else {
		print_item(c, &it);
		printf("History:\n");
		rc = pd_audit_each(c->store, 0, 0, id, history_entry, &h);
		if (rc == PD_OK && h.n == 0)
			printf("  (none)\n");
	}
	pd_review_item_dispose(&it);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* status                                                                   */

static pd_rc cmd_status(pd_cli *c, int argc, char **argv)
{
	pd_review_item it;
	int64_t id;
	rv_opts o;
	pd_rc rc;

	if ((rc = read_item(c, argc, argv, "review status", &o, &id, &it)) <
	            0 ||
	    c->done)
		return rc;
	if (o.json) {
		rc = pd_cli_print_json(pd_review_item_json(&it, c->tz), true);
	} else {
		printf("%s\n", pd_review_status_name(it.status));
	}
	c->exit_status = it.status == PD_REVIEW_APPROVED  ? 0
	                 : it.status == PD_REVIEW_PENDING ? 1
	                                                  : 2;
	pd_review_item_dispose(&it);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* approve, reject, withdraw                                                */

/* The exit status main() gives `rc`: the failures of a bulk decision are
 * ranked by it (the highest wins). */
static int exit_rank(pd_rc rc)
{
	switch (rc) {
	case PD_OK: return 0;
	case PD_EUSAGE: return PD_EXIT_USAGE;
	case PD_EINVALID:
	case PD_ETOOBIG: return PD_EXIT_DATAERR;
	case PD_ENOINPUT:
	case PD_ENOTFOUND: return PD_EXIT_NOINPUT;
	case PD_EIO: return PD_EXIT_IOERR;
	case PD_ECONFIG: return PD_EXIT_CONFIG;
	default: return PD_EXIT_SOFTWARE;
	}
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* A person's name: not blank, one line, no control characters. */
static pd_rc check_by(const char *by, const char *cmd)
{
	if (!by)
		return pd_error_set(PD_EUSAGE,
		                    "review %s: --by NAME is required (who "
		                    "decides)",
		                    cmd);
	if (blank(by))
		return pd_error_set(PD_EUSAGE, "review %s: --by: empty", cmd);
	for (const char *p = by; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pd_error_set(PD_EUSAGE,
			                    "review %s: --by: a control "
			                    "character in the name",
			                    cmd);
	if (strlen(by) > 200)
		return pd_error_set(PD_EUSAGE,
		                    "review %s: --by: longer than 200 bytes",
		                    cmd);
	return PD_OK;
}

static pd_rc cmd_decide(pd_cli *c, int argc, char **argv, pd_review_status to)
{
	const char *cmd = argv[0];
	const char *done_word = pd_review_status_name(to);
	int64_t *ids = NULL;
	size_t nids = 0, failed = 0;
	pd_rc worst = PD_OK;
	rv_opts o;
	pd_rc rc;

	if ((rc = parse(c, argc, argv, 9, 2, &o)) < 0 || c->done)
		return rc;
	/* Everything is checked before anything changes. */
	if (optind >= argc)
		return pd_error_set(PD_EUSAGE, "review %s: no item ID given",
		                    cmd);
	if (argc - optind > MAX_IDS)
		return pd_error_set(PD_EUSAGE,
		                    "review %s: more than %d ids at once", cmd,
		                    MAX_IDS);
	if ((rc = check_by(o.by, cmd)) < 0)
		return rc;
	if (to == PD_REVIEW_REJECTED && (!o.have_note || blank(o.note)))
		return pd_error_set(
		        PD_EUSAGE, "review reject: --note TEXT is required "
		                   "(why it is rejected); nothing was changed");
	if (o.have_note && strlen(o.note) > 4000)
		return pd_error_set(PD_EUSAGE,
		                    "review %s: --note: longer than 4000 bytes",
		                    cmd);
	if (!(ids = pd_calloc((size_t)(argc - optind), sizeof(*ids))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (int i = optind; i < argc; i++) {
		char what[64];
		snprintf(what, sizeof(what), "review %s", cmd);
		if ((rc = parse_id(&ids[nids++], argv[i], what)) < 0)
			goto done;
	}
	c->usage = NULL; /* what fails from here is no usage error */
	if ((rc = pd_cli_store(c, false)) < 0)
		goto done;
	for (size_t i = 0; i < nids; i++) {
		pd_rc r = pd_store_decide(c->store, ids[i], to, o.by, "cli",
		                          o.have_note && !blank(o.note) ? o.note
		                                                        : NULL,
		                          pd_time_now());
		if (r == PD_OK) {
			printf("item %lld: %s\n", (long long)ids[i], done_word);
			continue;
		}
		printf("item %lld: not %s: ", (long long)ids[i], done_word);
		pd_cli_put_escaped(stdout, pd_error_message(), false);
		fputc('\n', stdout);
		failed++;
		if (exit_rank(r) > exit_rank(worst))
			worst = r;
	}
	if (failed)
		rc = pd_error_set(worst, "review %s: %zu of %zu item%s not %s",
		                  cmd, failed, nids, nids == 1 ? "" : "s",
		                  done_word);
done:
	pd_free(ids);
	return rc;
}

pd_rc pd_cmd_review(pd_cli *c, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : NULL;

	c->usage = review_usage;
	if (!sub)
		return pd_error_set(
		        PD_EUSAGE, "review: no subcommand (list, show, status, "
		                   "approve, reject, withdraw)");
	if (!strcmp(sub, "list"))
		return cmd_list(c, argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return cmd_show(c, argc - 1, argv + 1);
	if (!strcmp(sub, "status"))
		return cmd_status(c, argc - 1, argv + 1);
	if (!strcmp(sub, "approve"))
		return cmd_decide(c, argc - 1, argv + 1, PD_REVIEW_APPROVED);
	if (!strcmp(sub, "reject"))
		return cmd_decide(c, argc - 1, argv + 1, PD_REVIEW_REJECTED);
	if (!strcmp(sub, "withdraw"))
		return cmd_decide(c, argc - 1, argv + 1, PD_REVIEW_WITHDRAWN);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(review_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "review: unknown subcommand '%s'", sub);
}
