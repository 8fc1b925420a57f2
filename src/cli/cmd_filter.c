/*
 * `purdah filter`: a feed, HTML page or text as the periods in force make
 * it (src/core/filter.c), written to standard output. Exit status 0 when
 * the output was written, whatever was removed; 65 for a document that
 * cannot be parsed or is too big (nothing is written: never the input
 * unfiltered). With --record each item removed becomes a review item
 * (source "filter"); a store that cannot be written is then the command's
 * error, and nothing is written to standard output.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/filter.h"
#include "purdah/gate.h"
#include "purdah/store.h"

typedef struct {
	const char *at, *cls, *format;
	const char *areas[PD_MAX_ITEM_AREAS];
	size_t nareas;
	bool report, record;
} opts;

static const char filter_usage[] =
        "usage: purdah filter [--class CLASS] [--at TIME] [--area AREA]...\n"
        "                     [--format rss|atom|html|text] [--report] "
        "[--record]\n"
        "                     [FILE|-]\n"
        "  Write the document as the periods in force make it: feeds of\n"
        "  councillors' updates, third-party material or comments in a\n"
        "  period lose their items to one notice item; council posts are\n"
        "  checked one by one and held ones removed; HTML elements marked\n"
        "  data-purdah=\"CLASS\" (or selected by filter.html_selectors) are\n"
        "  replaced by the notice. Unchanged input is written byte for "
        "byte.\n"
        "  --class CLASS   of the content: council-post (default), "
        "third-party,\n"
        "                  councillor-feed, forum, emergency\n"
        "  --at TIME       the time of publication (default now)\n"
        "  --area AREA     the ward or division it is about; repeatable\n"
        "  --format F      rss, atom, html or text (default: detected)\n"
        "  --report        one line on stderr: format, decision, reason,\n"
        "                  items removed, valid until\n"
        "  --record        put each item removed in the review queue (the\n"
        "                  store: --db FILE or store.path), account FILE,\n"
        "                  origin the item's id; the same item again is the\n"
        "                  same review item. A store that cannot be written\n"
        "                  is an error and nothing is output\n"
        "  Exit status: 0 written, 64 usage, 65 unparseable or too big,\n"
        "  66 missing input, 70 internal error, 78 configuration.\n";

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->at = arg; break;
	case 2: o->cls = arg; break;
	case 3: return pd_cli_push_area(o->areas, &o->nareas, arg, "filter");
	case 4: o->format = arg; break;
	case 5: o->report = true; break;
	case 6: o->record = true; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static pd_rc make_opts(pd_cli *c, const opts *o, pd_filter_opts *fo)
{
	pd_rc rc;

	memset(fo, 0, sizeof(*fo));
	fo->format = PD_FORMAT_AUTO;
	if (o->format && (rc = pd_format_parse(&fo->format, o->format)) < 0) {
		pd_error_prefix("--format");
		return rc;
	}
	fo->areas = o->areas;
	fo->nareas = o->nareas;
	fo->max_bytes = c->cfg->filter_max_bytes ? c->cfg->filter_max_bytes
	                                         : PD_FILTER_MAX_BYTES;
	return pd_cli_item_opts(c, o->cls, o->areas, o->nareas, o->at, &fo->cls,
	                        &fo->at);
}

/* The hits of a fresh decision of the removed text (for highlighting), as
 * JSON text; "[]" when the text does not decide the same way again. */
static pd_rc removed_hits(const pd_gate *g, const pd_filter_opts *fo,
                          const pd_filter_result *r, const pd_filter_removed *x,
                          pd_buf *out)
{
	pd_verdict v = PD_VERDICT_INIT;
	pd_json *j = NULL;
	pd_item it;
	pd_rc rc;

	memset(&it, 0, sizeof(it));
	it.text = x->text;
	it.len = strlen(x->text);
	it.cls = fo->cls;
	it.areas = fo->areas;
	it.nareas = fo->nareas;
	it.at = fo->at;
	if (r->format != PD_FORMAT_TEXT && memchr(it.text, '<', it.len))
		it.flags = PD_NORM_HTML;
	if (pd_gate_decide(g, &it, &v) == PD_OK && v.decision == x->decision)
		j = pd_verdict_json(g, &it, &v, NULL);
	pd_error_clear();
	pd_buf_clear(out);
	if (j && pd_json_get(j, "hits"))
		rc = pd_json_dump(out, pd_json_get(j, "hits"), false);
	else
		rc = pd_buf_puts(out, "[]");
	pd_json_free(j);
	pd_verdict_dispose(&v);
	return rc;
}

/*
 * Record each removed item (README "semantics": source "filter", account
 * the input's name, origin the item's id, publication time unknown (0), so
 * the same text from the same input is one item however often it is
 * filtered).
 */
static pd_rc record_removed(pd_cli *c, const pd_gate *g,
                            const pd_filter_opts *fo, const char *name,
                            const pd_filter_result *r)
{
	pd_buf strings = PD_BUF_INIT(1 << 24), hits = PD_BUF_INIT(1 << 26);
	pd_instant now = pd_time_now();
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < r->nremoved_items && rc == PD_OK; i++) {
		const pd_filter_removed *x = &r->removed_items[i];
		pd_review_new n;
		int64_t id;
		bool created;
		if ((rc = removed_hits(g, fo, r, x, &hits)) == PD_OK &&
		    (rc = pd_review_new_from_removed(
		             &n, &strings, g, x, fo->cls, fo->areas, fo->nareas,
		             "filter", name, hits.ptr)) == PD_OK)
			rc = pd_store_record(c->store, &n, now,
			                     c->cfg->review.hold_for, &id,
			                     &created);
	}
	if (rc < 0)
		pd_error_prefix("filter --record");
	pd_buf_dispose(&strings);
	pd_buf_dispose(&hits);
	return rc;
}

static void print_report(pd_cli *c, const pd_filter_opts *fo,
                         const pd_filter_result *r)
{
	char until[64];

	if (r->valid_until == INT64_MAX)
		snprintf(until, sizeof(until), "no change ahead");
	else
		pd_time_format_rfc3339(until, sizeof(until), r->valid_until,
		                       c->tz);
	fprintf(stderr, "filter: %s %s: %s", pd_format_name(r->format),
	        pd_class_name(fo->cls), pd_decision_name(r->decision));
	if (r->reason)
		fprintf(stderr, " (%s)", r->reason);
	if (r->period) {
		fputs(" \"", stderr);
		pd_cli_put_escaped(stderr, r->period->name, false);
		fputc('"', stderr);
	}
	fprintf(stderr, "; %zu item%s, %zu removed; %s; valid until %s\n",
	        r->items, r->items == 1 ? "" : "s", r->removed,
	        r->changed ? "changed" : "unchanged", until);
}

pd_rc pd_cmd_filter(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"at", required_argument, NULL, 1},
	        {"class", required_argument, NULL, 2},
	        {"area", required_argument, NULL, 3},
	        {"format", required_argument, NULL, 4},
	        {"report", no_argument, NULL, 5},
	        {"record", no_argument, NULL, 6},
	};
	pd_filter_result r = PD_FILTER_RESULT_INIT;
	pd_buf in = PD_BUF_INIT(0);
	pd_filter_opts fo;
	pd_gate *g = NULL;
	const char *path;
	opts o;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 6, on_opt, &o,
	                       filter_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind + 1 < argc)
		return pd_error_set(PD_EUSAGE, "filter: one FILE at most");
	path = optind < argc ? argv[optind] : "-";
	c->periods_only = true; /* the policy needs no bank holidays */
	if ((rc = pd_cli_calendar(c)) < 0 || (rc = pd_cli_matcher(c)) < 0 ||
	    (rc = pd_gate_new(&g, c->cfg, c->cal, c->lexset, c->matcher)) < 0 ||
	    (rc = make_opts(c, &o, &fo)) < 0)
		goto done;
	if (o.record && ((rc = pd_cli_store(c, true)) < 0 ||
	                 (rc = pd_audit_note_load(c->store, pd_time_now(),
	                                          "purdah", g)) < 0)) {
		pd_error_prefix("filter --record");
		goto done;
	}
	in.limit = fo.max_bytes;
	if (strcmp(path, "-") == 0)
		rc = pd_file_read_stream(&in, stdin, "<stdin>");
	else
		rc = pd_file_read(&in, path);
	if (rc < 0 ||
	    (rc = pd_filter_run(g, &fo, strcmp(path, "-") ? path : "<stdin>",
	                        in.ptr, in.len, &r)) < 0)
		goto done;
	if (o.record &&
	    (rc = record_removed(c, g, &fo, strcmp(path, "-") ? path : "-",
	                         &r)) < 0)
		goto done;
	if (fwrite(r.out.ptr, 1, r.out.len, stdout) != r.out.len ||
	    fflush(stdout) != 0) {
		rc = pd_error_set(PD_EIO, "cannot write the output");
		goto done;
	}
	if (o.report)
		print_report(c, &fo, &r);
done:
	pd_filter_result_dispose(&r);
	pd_buf_dispose(&in);
	pd_gate_free(g);
	return rc;
}
