/*
 * `purdah report`: the monitoring officer's report of the review queue for
 * a time range. HTML: one self-contained file (an inline stylesheet, no
 * scripts, no external resources) with counts by decision, class, period
 * and status, then every item recorded with its text and the hits
 * highlighted, its reasons, periods and outcome; everything from outside
 * escaped (include/purdah/html.h). CSV: one row per item with the same
 * fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "dep/csv.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/file.h"
#include "purdah/html.h"
#include "purdah/json.h"
#include "purdah/store.h"

#define MAX_REPORT_BYTES ((size_t)1 << 32)
#define PAGE             1000 /* items read from the store at once */

static const char report_usage[] =
        "usage: purdah report --format html|csv [--from D] [--to D]\n"
        "                     [--output FILE]\n"
        "  The review queue's items created from --from to --to (a date,\n"
        "  local, --to inclusive; or a time; default: all), newest first,\n"
        "  from the store (--db FILE, default store.path: var/purdah.db).\n"
        "  html  one self-contained page for the monitoring officer: counts\n"
        "        by decision, class, period and status, then each item with\n"
        "        its text (hits marked), reasons, periods and outcome\n"
        "  csv   one row per item (RFC 4180): id, created, source, origin,\n"
        "        class, areas, account, published, decision, reasons,\n"
        "        periods, status, reviewer, note, decided, text; a field\n"
        "        starting with = + - @ or a tab (not a number) gets a\n"
        "        leading ' so that no spreadsheet runs it as a formula\n"
        "  --output FILE writes FILE atomically (default stdout).\n"
        "  Exit status: 0 success, 64 usage, 66 no store, 70 internal "
        "error,\n"
        "  74 I/O error, 78 configuration.\n";

static const char style[] =
        "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:"
        "60rem;padding:1rem;color:#1a1a1a;background:#fff;line-height:1.5}"
        "h1{font-size:1.6rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:"
        "2px solid #1a1a1a}table{border-collapse:collapse;margin:1rem 1.5rem "
        "1rem 0;display:inline-table;vertical-align:top}caption{font-weight:"
        "bold;text-align:left}th,td{border:1px solid #767676;padding:.2rem "
        ".6rem;text-align:left}td.n{text-align:right}article{border:1px solid"
        " #767676;border-radius:4px;padding:.5rem 1rem;margin:1rem 0}"
        "article.pending{border-left:6px solid #8a5300}article.approved{"
        "border-left:6px solid #1d6b2f}article.rejected{border-left:6px "
        "solid #a4161a}dl{display:grid;grid-template-columns:max-content "
        "auto;gap:.1rem 1rem}dt{font-weight:bold}dd{margin:0}.text{"
        "white-space:normal;background:#f4f4f4;padding:.5rem;border-radius:"
        "4px;overflow-wrap:anywhere}mark{background:#ffd54f;color:#000}"
        "code{font-size:.95em}@media print{article{break-inside:avoid}}";

/* Unless `rc` is a failure already: `before`, `s` HTML-escaped, `after`.
 * Returns the new status. */
static pd_rc put_escaped(pd_buf *b, pd_rc rc, const char *before, const char *s,
                         const char *after)
{
	if (rc == PD_OK)
		rc = pd_buf_puts(b, before);
	if (rc == PD_OK)
		rc = pd_html_escape(b, s);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, after);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Counts                                                                   */

typedef struct {
	char *key, *label; /* a period's uid and name; "" for none */
	int64_t n;
} tally;

typedef struct {
	int64_t total;
	int64_t decision[3]; /* allow (never recorded), hold, block */
	int64_t other_decision;
	int64_t cls[5];
	int64_t other_cls;
	int64_t status[5];
	tally *periods;
	size_t nperiods;
	int64_t no_period;
} counts;

static void counts_dispose(counts *k)
{
	for (size_t i = 0; i < k->nperiods; i++) {
		pd_free(k->periods[i].key);
		pd_free(k->periods[i].label);
	}
	pd_free(k->periods);
}

static pd_rc count_period(counts *k, const char *uid, const char *name)
{
	tally *t;

	for (size_t i = 0; i < k->nperiods; i++)
		if (strcmp(k->periods[i].key, uid) == 0) {
			k->periods[i].n++;
			return PD_OK;
		}
	t = pd_realloc(k->periods, (k->nperiods + 1) * sizeof(*t));
	if (!t)
		return pd_error_set(PD_ENOMEM, "out of memory");
	k->periods = t;
	t = &k->periods[k->nperiods];
	t->key = pd_strdup(uid);
	t->label = pd_strdup(name);
	t->n = 1;
	if (!t->key || !t->label) {
		pd_free(t->key);
		pd_free(t->label);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	k->nperiods++;
	return PD_OK;
}

/* Count one item; `periods` is its parsed periods array (or NULL). */
static pd_rc count_item(counts *k, const pd_review_item *it,
                        const pd_json *periods)
{
	size_t np = pd_json_array_size(periods);
	pd_class cls;
	pd_rc rc = PD_OK;

	k->total++;
	if (it->decision && !strcmp(it->decision, "hold"))
		k->decision[PD_HOLD]++;
	else if (it->decision && !strcmp(it->decision, "block"))
		k->decision[PD_BLOCK]++;
	else
		k->other_decision++;
	if (it->cls && pd_class_parse(&cls, it->cls) == PD_OK)
		k->cls[cls]++;
	else
		k->other_cls++;
	pd_error_clear();
	if ((unsigned)it->status < 5)
		k->status[it->status]++;
	if (np == 0)
		k->no_period++;
	for (size_t i = 0; i < np && rc == PD_OK; i++) {
		const pd_json *p = pd_json_array_get(periods, i);
		const char *uid = pd_json_str(pd_json_get(p, "uid")),
		           *name = pd_json_str(pd_json_get(p, "name"));
		rc = count_period(k, uid ? uid : "?", name ? name : "?");
	}
	return rc;
}

/* A JSON array stored as text, parsed (NULL when absent or malformed). */
static pd_json *parse_array(const char *text, const char *what)
{
	pd_json *j = NULL;

	if (!text || pd_json_parse(&j, what, text, strlen(text)) < 0 ||
	    !pd_json_is_array(j)) {
		pd_json_free(j);
		j = NULL;
	}
	pd_error_clear();
	return j;
}

/* ------------------------------------------------------------------------ */
/* HTML                                                                     */

typedef struct {
	pd_cli *c;
	const pd_cli_export *o;
	bool csv;
	pd_buf items; /* the items' part (HTML) or rows (CSV) */
	counts k;
} report;

static pd_rc count_row(pd_buf *b, const char *label, int64_t n)
{
	pd_rc rc;

	if ((rc = pd_buf_puts(b, "<tr><td>")) < 0 ||
	    (rc = pd_html_escape(b, label)) < 0)
		return rc;
	return pd_buf_printf(b, "</td><td class=\"n\">%lld</td></tr>\n",
	                     (long long)n);
}

static pd_rc table_start(pd_buf *b, const char *id, const char *caption,
                         const char *what)
{
	return pd_buf_printf(b,
	                     "<table id=\"%s\">\n<caption>%s</caption>\n"
	                     "<thead><tr><th scope=\"col\">%s</th>"
	                     "<th scope=\"col\">Items</th></tr></thead>\n"
	                     "<tbody>\n",
	                     id, caption, what);
}

static pd_rc summary_html(pd_buf *b, const counts *k)
{
	static const char *const status_names[5] = {
	        "pending", "approved", "rejected", "expired", "withdrawn"};
	pd_rc rc = PD_OK;

	rc = pd_buf_printf(b,
	                   "<section id=\"summary\">\n<h2>Summary</h2>\n"
	                   "<p id=\"total\">%lld item%s recorded.</p>\n",
	                   (long long)k->total, k->total == 1 ? "" : "s");
	if (rc == PD_OK)
		rc = table_start(b, "by-decision", "By decision", "Decision");
	if (rc == PD_OK)
		rc = count_row(b, "hold", k->decision[PD_HOLD]);
	if (rc == PD_OK)
		rc = count_row(b, "block", k->decision[PD_BLOCK]);
	if (rc == PD_OK && k->other_decision)
		rc = count_row(b, "other", k->other_decision);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</tbody>\n</table>\n");
	if (rc == PD_OK)
		rc = table_start(b, "by-class", "By class", "Class");
	for (int i = 0; i < 5 && rc == PD_OK; i++)
		rc = count_row(b, pd_class_name((pd_class)i), k->cls[i]);
	if (rc == PD_OK && k->other_cls)
		rc = count_row(b, "other", k->other_cls);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</tbody>\n</table>\n");
	if (rc == PD_OK)
		rc = table_start(b, "by-period", "By period", "Period");
	for (size_t i = 0; i < k->nperiods && rc == PD_OK; i++) {
		const tally *t = &k->periods[i];
		if ((rc = pd_buf_puts(b, "<tr><td>")) < 0 ||
		    (rc = pd_html_escape(b, t->label)) < 0 ||
		    (rc = pd_buf_puts(b, " <small>(")) < 0 ||
		    (rc = pd_html_escape(b, t->key)) < 0)
			break;
		rc = pd_buf_printf(b,
		                   ")</small></td><td class=\"n\">%lld</td>"
		                   "</tr>\n",
		                   (long long)t->n);
	}
	if (rc == PD_OK)
		rc = count_row(b, "no period in force", k->no_period);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</tbody>\n</table>\n");
	if (rc == PD_OK)
		rc = table_start(b, "by-status", "By status", "Status");
	for (int i = 0; i < 5 && rc == PD_OK; i++)
		rc = count_row(b, status_names[i], k->status[i]);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</tbody>\n</table>\n</section>\n");
	return rc;
}

/* <dt>label</dt><dd>value escaped</dd> */
static pd_rc dl_row(pd_buf *b, const char *label, const char *value)
{
	pd_rc rc;

	if ((rc = pd_buf_printf(b, "<dt>%s</dt><dd>", label)) < 0 ||
	    (rc = pd_html_escape(b, value ? value : "-")) < 0)
		return rc;
	return pd_buf_puts(b, "</dd>\n");
}

static void fmt_time(char *buf, size_t n, pd_instant t, const pd_tz *tz)
{
	if (!t)
		snprintf(buf, n, "unknown");
	else
		pd_time_format_rfc3339(buf, n, t, tz);
}

/* Areas as "whole council" or "A, B" into `out` (cleared first). */
static pd_rc areas_text(pd_buf *out, const char *areas, const char *sep)
{
	pd_json *j = parse_array(areas, "areas");
	size_t n = pd_json_array_size(j);
	pd_rc rc = PD_OK;

	pd_buf_clear(out);
	if (n == 0)
		rc = pd_buf_puts(out, "whole council");
	for (size_t i = 0; i < n && rc == PD_OK; i++) {
		const char *a = pd_json_str(pd_json_array_get(j, i));
		if (i)
			rc = pd_buf_puts(out, sep);
		if (rc == PD_OK)
			rc = pd_buf_puts(out, a ? a : "?");
	}
	pd_json_free(j);
	return rc;
}

static pd_rc item_html(report *r, const pd_review_item *it,
                       const pd_json *reasons, const pd_json *periods,
                       const pd_json *hits)
{
	const pd_tz *tz = r->c->tz;
	const char *st = pd_review_status_name(it->status);
	pd_buf *b = &r->items, tmp = PD_BUF_INIT(1 << 20);
	size_t nr = pd_json_array_size(reasons),
	       np = pd_json_array_size(periods);
	char t[64];
	pd_rc rc;

	rc = pd_buf_printf(b,
	                   "<article id=\"item-%lld\" class=\"%s\">\n"
	                   "<h3>Item #%lld: ",
	                   (long long)it->id, st, (long long)it->id);
	if (rc == PD_OK)
		rc = pd_html_escape(b, it->decision);
	if (rc == PD_OK)
		rc = pd_buf_printf(b, ", %s</h3>\n<dl>\n", st);
	fmt_time(t, sizeof(t), it->created, tz);
	if (rc == PD_OK)
		rc = dl_row(b, "Created", t);
	if (rc == PD_OK && (rc = pd_buf_puts(&tmp, it->source)) == PD_OK &&
	    it->origin)
		rc = pd_buf_printf(&tmp, " (%s)", it->origin);
	if (rc == PD_OK)
		rc = dl_row(b, "Source", tmp.ptr);
	if (rc == PD_OK)
		rc = dl_row(b, "Class", it->cls);
	if (rc == PD_OK && (rc = areas_text(&tmp, it->areas, ", ")) == PD_OK)
		rc = dl_row(b, "Areas", tmp.ptr);
	if (rc == PD_OK)
		rc = dl_row(b, "Account", it->account);
	fmt_time(t, sizeof(t), it->at, tz);
	if (rc == PD_OK)
		rc = dl_row(b, "Publication", t);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "<dt>Periods</dt><dd>");
	for (size_t i = 0; i < np && rc == PD_OK; i++) {
		const pd_json *p = pd_json_array_get(periods, i);
		const char *name = pd_json_str(pd_json_get(p, "name"));
		if (i)
			rc = pd_buf_puts(b, "; ");
		if (rc == PD_OK)
			rc = pd_html_escape(b, name ? name : "?");
	}
	if (rc == PD_OK && np == 0)
		rc = pd_buf_puts(b, "none in force");
	if (rc == PD_OK)
		rc = pd_buf_puts(
		        b, "</dd>\n<dt>Outcome</dt><dd class=\"outcome\">");
	if (rc == PD_OK && it->status == PD_REVIEW_PENDING) {
		fmt_time(t, sizeof(t), it->expires, tz);
		rc = pd_buf_printf(b, "pending (expires %s)", t);
	} else if (rc == PD_OK) {
		fmt_time(t, sizeof(t), it->decided, tz);
		rc = pd_buf_printf(b, "%s", st);
		if (it->reviewer)
			rc = put_escaped(b, rc, " by ", it->reviewer, "");
		if (rc == PD_OK)
			rc = pd_buf_printf(b, " at %s", t);
		if (it->note)
			rc = put_escaped(b, rc, ": <q>", it->note, "</q>");
	}
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</dd>\n</dl>\n<h4>Reasons</h4>\n"
		                    "<ul class=\"reasons\">\n");
	for (size_t i = 0; i < nr && rc == PD_OK; i++) {
		const pd_json *x = pd_json_array_get(reasons, i);
		const char *code = pd_json_str(pd_json_get(x, "code")),
		           *dec = pd_json_str(pd_json_get(x, "decision")),
		           *msg = pd_json_str(pd_json_get(x, "message"));
		rc = put_escaped(b, PD_OK, "<li><code>", code ? code : "?",
		                 "</code>");
		if (dec)
			rc = put_escaped(b, rc, " (", dec, ")");
		if (msg)
			rc = put_escaped(b, rc, ": ", msg, "");
		if (rc == PD_OK)
			rc = pd_buf_puts(b, "</li>\n");
	}
	if (rc == PD_OK && nr == 0)
		rc = pd_buf_puts(b, "<li>none recorded</li>\n");
	if (rc == PD_OK)
		rc = pd_buf_puts(b,
		                 "</ul>\n<h4>Text</h4>\n<div class=\"text\">");
	if (rc == PD_OK)
		rc = pd_html_highlight(b, it->text ? it->text : "",
		                       it->text ? it->len : 0, hits);
	if (rc == PD_OK)
		rc = pd_buf_puts(b, "</div>\n</article>\n");
	pd_buf_dispose(&tmp);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                      */

/* Each field neutralised for spreadsheets: one that could be read as a
 * formula gets a ' before it. */
#define CSV_FLAGS (PD_CSV_GUARD | PD_CSV_NUMBER | PD_CSV_NUL)

static pd_rc csv_str(pd_buf *b, const char *s)
{
	return pd_csv_field(b, s, s ? strlen(s) : 0, CSV_FLAGS);
}

/* The values of key `key` of the objects of `arr`, joined by "; ". */
static pd_rc joined(pd_buf *out, const pd_json *arr, const char *key)
{
	size_t n = pd_json_array_size(arr);
	pd_rc rc = PD_OK;

	pd_buf_clear(out);
	rc = pd_buf_puts(out, ""); /* "" rather than NULL when empty */
	for (size_t i = 0; i < n && rc == PD_OK; i++) {
		const char *v = pd_json_str(
		        pd_json_get(pd_json_array_get(arr, i), key));
		if (i)
			rc = pd_buf_puts(out, "; ");
		if (rc == PD_OK)
			rc = pd_buf_puts(out, v ? v : "?");
	}
	return rc;
}

static pd_rc item_csv(report *r, const pd_review_item *it,
                      const pd_json *reasons, const pd_json *periods)
{
	const pd_tz *tz = r->c->tz;
	pd_buf *b = &r->items, tmp = PD_BUF_INIT(1 << 20);
	char num[32], t[64];
	pd_rc rc;

	snprintf(num, sizeof(num), "%lld", (long long)it->id);
	rc = csv_str(b, num);
	fmt_time(t, sizeof(t), it->created, tz);
	if (rc == PD_OK)
		rc = csv_str(b, t);
	if (rc == PD_OK)
		rc = csv_str(b, it->source);
	if (rc == PD_OK)
		rc = csv_str(b, it->origin);
	if (rc == PD_OK)
		rc = csv_str(b, it->cls);
	if (rc == PD_OK && (rc = areas_text(&tmp, it->areas, "; ")) == PD_OK)
		rc = csv_str(b, tmp.ptr);
	if (rc == PD_OK)
		rc = csv_str(b, it->account);
	fmt_time(t, sizeof(t), it->at, tz);
	if (rc == PD_OK)
		rc = csv_str(b, it->at ? t : "");
	if (rc == PD_OK)
		rc = csv_str(b, it->decision);
	if (rc == PD_OK && (rc = joined(&tmp, reasons, "code")) == PD_OK)
		rc = csv_str(b, tmp.ptr);
	if (rc == PD_OK && (rc = joined(&tmp, periods, "name")) == PD_OK)
		rc = csv_str(b, tmp.ptr);
	if (rc == PD_OK)
		rc = csv_str(b, pd_review_status_name(it->status));
	if (rc == PD_OK)
		rc = csv_str(b, it->reviewer);
	if (rc == PD_OK)
		rc = csv_str(b, it->note);
	fmt_time(t, sizeof(t), it->decided, tz);
	if (rc == PD_OK)
		rc = csv_str(b, it->decided ? t : "");
	if (rc == PD_OK)
		rc = pd_csv_field(b, it->text, it->text ? it->len : 0,
		                  CSV_FLAGS | PD_CSV_LAST);
	pd_buf_dispose(&tmp);
	return rc;
}

/* ------------------------------------------------------------------------ */

static pd_rc one_item(report *r, const pd_review_item *it)
{
	pd_json *reasons = parse_array(it->reasons, "reasons"),
	        *periods = parse_array(it->periods, "periods"),
	        *hits = parse_array(it->hits, "hits");
	pd_rc rc = count_item(&r->k, it, periods);

	if (rc == PD_OK)
		rc = r->csv ? item_csv(r, it, reasons, periods)
		            : item_html(r, it, reasons, periods, hits);
	pd_json_free(reasons);
	pd_json_free(periods);
	pd_json_free(hits);
	return rc;
}

/* Every item of the range, newest first, a page at a time. */
static pd_rc walk(report *r, pd_instant from, pd_instant to)
{
	pd_review_query q = PD_REVIEW_QUERY_INIT;
	pd_rc rc = PD_OK;
	bool more = true;

	q.from = from;
	q.to = to;
	q.limit = PAGE;
	q.with_text = true;
	while (more && rc == PD_OK) {
		pd_review_item *items = NULL;
		size_t n = 0;
		if ((rc = pd_store_list(r->c->store, &q, &items, &n, &more)) <
		    0)
			break;
		for (size_t i = 0; i < n && rc == PD_OK; i++)
			rc = one_item(r, &items[i]);
		if (n)
			q.before_id = items[n - 1].id;
		else
			more = false;
		pd_review_items_free(items, n);
	}
	return rc;
}

/* "2027-04-01" as given, or the bound in RFC 3339 (`s` NULL: `none`). */
static pd_rc range_word(pd_buf *b, const char *s, const char *none)
{
	return pd_html_escape(b, s ? s : none);
}

static pd_rc html_document(report *r, pd_buf *out)
{
	const char *council = r->c->cfg->council_name ? r->c->cfg->council_name
	                                              : "the council";
	char now[64];
	pd_rc rc;

	pd_time_format_rfc3339(now, sizeof(now), pd_time_now(), r->c->tz);
	rc = pd_buf_puts(out,
	                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	                 "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	                 "content=\"width=device-width, initial-scale=1\">\n"
	                 "<title>");
	if (rc == PD_OK)
		rc = pd_html_escape(out, council);
	if (rc == PD_OK)
		rc = pd_buf_puts(out, ": review report, ");
	if (rc == PD_OK)
		rc = range_word(out, r->o->from, "the first item");
	if (rc == PD_OK)
		rc = pd_buf_puts(out, " to ");
	if (rc == PD_OK)
		rc = range_word(out, r->o->to, "now");
	if (rc == PD_OK)
		rc = pd_buf_printf(out,
		                   "</title>\n<style>%s</style>\n</head>\n"
		                   "<body>\n<header>\n<h1>",
		                   style);
	if (rc == PD_OK)
		rc = pd_html_escape(out, council);
	if (rc == PD_OK)
		rc = pd_buf_puts(out, "</h1>\n<p>Review report: items recorded "
		                      "from ");
	if (rc == PD_OK)
		rc = range_word(out, r->o->from, "the first item");
	if (rc == PD_OK)
		rc = pd_buf_puts(out, " to ");
	if (rc == PD_OK)
		rc = range_word(out, r->o->to, "now");
	if (rc == PD_OK)
		rc = pd_buf_printf(out, ". Made %s (", now);
	if (rc == PD_OK)
		rc = pd_html_escape(out, pd_tz_name(r->c->tz));
	if (rc == PD_OK)
		rc = pd_buf_puts(out, ").</p>\n</header>\n<main>\n");
	if (rc == PD_OK)
		rc = summary_html(out, &r->k);
	if (rc == PD_OK)
		rc = pd_buf_puts(out,
		                 "<section id=\"items\">\n<h2>Items, newest "
		                 "first</h2>\n");
	if (rc == PD_OK && r->k.total == 0)
		rc = pd_buf_puts(out, "<p id=\"empty\">No items were recorded "
		                      "in this range.</p>\n");
	if (rc == PD_OK && r->items.len)
		rc = pd_buf_put(out, r->items.ptr, r->items.len);
	if (rc == PD_OK)
		rc = pd_buf_puts(out,
		                 "</section>\n</main>\n</body>\n</html>\n");
	return rc;
}

pd_rc pd_cmd_report(pd_cli *c, int argc, char **argv)
{
	pd_buf out = PD_BUF_INIT(MAX_REPORT_BYTES);
	pd_instant from, to;
	pd_cli_export o;
	report r;
	pd_rc rc;

	memset(&r, 0, sizeof(r));
	r.items = (pd_buf)PD_BUF_INIT(MAX_REPORT_BYTES);
	if ((rc = pd_cli_export_parse(c, argc, argv, report_usage, "report",
	                              "html", "csv", &o, &from, &to)) < 0 ||
	    c->done)
		goto done;
	r.c = c;
	r.o = &o;
	r.csv = strcmp(o.format, "csv") == 0;
	if ((rc = walk(&r, from, to)) < 0)
		goto done;
	if (r.csv) {
		rc = pd_buf_puts(&out, "id,created,source,origin,class,areas,"
		                       "account,published,decision,reasons,"
		                       "periods,status,reviewer,note,decided,"
		                       "text\r\n");
		if (rc == PD_OK && r.items.len)
			rc = pd_buf_put(&out, r.items.ptr, r.items.len);
	} else {
		rc = html_document(&r, &out);
	}
	if (rc < 0)
		goto done;
	rc = pd_cli_write_output(o.output, &out);
done:
	counts_dispose(&r.k);
	pd_buf_dispose(&r.items);
	pd_buf_dispose(&out);
	return rc;
}
