/*
 * The filter (include/purdah/filter.h): what a feed, page or text becomes
 * under the periods in force. The policy is the gate's, never repeated
 * here: "is this class suspended now?" is the gate's verdict on an empty
 * item of that class, and each council post (or emergency message) is
 * decided as the item it is. This file detects the format, asks the gate,
 * words the notice and says what to remove; src/dep/xml.c parses, edits
 * and writes the documents.
 */
#include "purdah/filter.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dep/xml.h"
#include "purdah/alloc.h"
#include "purdah/norm.h"

static const char *const format_names[] = {"auto", "rss", "atom", "html",
                                           "text"};
#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

const char *pd_format_name(pd_format f)
{
	return (unsigned)f < NFORMATS ? format_names[f] : "unknown";
}

pd_rc pd_format_parse(pd_format *out, const char *s)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*out = (pd_format)i;
			return PD_OK;
		}
	}
	return pd_error_set(PD_EUSAGE,
	                    "unknown format '%s' (known: auto, rss, atom, "
	                    "html, text)",
	                    s);
}

/* ------------------------------------------------------------------------ */
/* The notice                                                               */

/* The subject of a notice, and its short title. */
static const char *subject(pd_class cls)
{
	switch (cls) {
	case PD_CLASS_COUNCILLOR_FEED: return "Councillors' updates are paused";
	case PD_CLASS_THIRD_PARTY:
		return "Material from other organisations is paused";
	case PD_CLASS_FORUM: return "Comments are closed";
	case PD_CLASS_COUNCIL_POST:
	case PD_CLASS_EMERGENCY: break;
	}
	return "This item is withheld";
}

static const char *short_title(pd_class cls)
{
	switch (cls) {
	case PD_CLASS_COUNCILLOR_FEED: return "Councillors' updates paused";
	case PD_CLASS_THIRD_PARTY:
		return "Material from other organisations "
		       "paused";
	case PD_CLASS_FORUM: return "Comments closed";
	case PD_CLASS_COUNCIL_POST:
	case PD_CLASS_EMERGENCY: break;
	}
	return "Item withheld";
}

pd_rc pd_filter_notice(const pd_gate *g, pd_class cls, const pd_period *p,
                       pd_buf *out)
{
	char day[32];

	(void)g;
	pd_buf_clear(out);
	if (!p) /* held at any time (party-political wording) */
		return pd_buf_printf(out, "%s pending review.", subject(cls));
	if (p->kind == PD_PERIOD_FREEZE) {
		if (cls == PD_CLASS_COUNCIL_POST)
			return pd_buf_puts(out, "Council news is paused while "
			                        "the council's publishing is "
			                        "frozen.");
		return pd_buf_printf(out,
		                     "%s while the council's publishing is "
		                     "frozen.",
		                     subject(cls));
	}
	pd_date_format_human(day, sizeof(day), p->last_day);
	return pd_buf_printf(
	        out, "%s during the %s period for %s, until %s.", subject(cls),
	        p->kind == PD_PERIOD_REFERENDUM ? "referendum" : "pre-election",
	        p->name, day);
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

void pd_filter_result_dispose(pd_filter_result *r)
{
	for (size_t i = 0; i < r->nremoved_items; i++) {
		pd_free(r->removed_items[i].id);
		pd_free(r->removed_items[i].title);
		pd_free(r->removed_items[i].text);
		pd_free(r->removed_items[i].reason);
	}
	pd_free(r->removed_items);
	r->removed_items = NULL;
	r->nremoved_items = 0;
	pd_buf_dispose(&r->out);
}

/* Reason codes as static strings: the result outlives the verdict. */
static const char *code_of(const char *code)
{
	static const char *const codes[] = {"party-political",
	                                    "names-person",
	                                    "contentious-topic",
	                                    "purdah-sensitive",
	                                    "third-party-suspended",
	                                    "councillor-feed-suspended",
	                                    "forum-closed",
	                                    "referendum",
	                                    "freeze",
	                                    NULL};

	for (size_t i = 0; code && codes[i]; i++)
		if (strcmp(code, codes[i]) == 0)
			return codes[i];
	return "held";
}

/* Record one removal; the most severe (then the first) decides the
 * result's decision, reason and period. */
static pd_rc note_removed(size_t *cap, pd_filter_result *r, const char *id,
                          const char *title, const pd_item *it,
                          const pd_verdict *v)
{
	const pd_reason *re = v->nreasons ? &v->reasons[0] : NULL;
	pd_filter_removed *x;
	pd_rc rc;

	if ((rc = PD_GROW(r->removed_items, *cap, r->nremoved_items + 1)) < 0)
		return rc;
	x = &r->removed_items[r->nremoved_items];
	memset(x, 0, sizeof(*x));
	x->decision = v->decision;
	x->id = pd_strdup(id ? id : "");
	x->title = pd_strdup(title ? title : "");
	x->reason = pd_strdup(re ? re->code : "held");
	x->text = pd_strndup(it->text, it->len);
	x->period = re ? re->period : NULL;
	r->nremoved_items++;
	if (!x->id || !x->title || !x->reason || !x->text)
		return pd_error_set(PD_ENOMEM, "out of memory");
	r->removed++;
	if (v->decision > r->decision) {
		r->decision = v->decision;
		r->reason = code_of(re ? re->code : NULL);
		r->period = re ? re->period : NULL;
	}
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Asking the gate                                                          */

typedef struct {
	const pd_gate *g;
	const pd_filter_opts *o;
	const char *name;
	pd_verdict v;
	/* Per class: 0 not asked, 1 free, 2 suspended (with its verdict's
	 * decision, reason and period). */
	int asked[5];
	pd_decision sdecision[5];
	const char *sreason[5];
	const pd_period *speriod[5];
	pd_buf notice, text;
	size_t capremoved; /* of the result's removed_items */
} run;

static pd_item item_of(const run *ru, pd_class cls, const char *text,
                       size_t len, unsigned flags)
{
	pd_item it;

	memset(&it, 0, sizeof(it));
	it.text = text;
	it.len = len;
	it.flags = flags;
	it.cls = cls;
	it.areas = ru->o->areas;
	it.nareas = ru->o->nareas;
	it.at = ru->o->at;
	return it;
}

/* Is content of class `cls` suspended (the gate does not allow an empty
 * item of it)? */
static pd_rc suspended(run *ru, pd_class cls, bool *out)
{
	if ((unsigned)cls >= 5)
		return pd_error_set(PD_EINTERNAL, "class %d", (int)cls);
	if (!ru->asked[cls]) {
		pd_item it = item_of(ru, cls, "", 0, 0);
		pd_rc rc = pd_gate_decide(ru->g, &it, &ru->v);
		if (rc < 0)
			return rc;
		ru->asked[cls] = ru->v.decision == PD_ALLOW ? 1 : 2;
		if (ru->v.decision != PD_ALLOW) {
			const pd_reason *re =
			        ru->v.nreasons ? &ru->v.reasons[0] : NULL;
			ru->sdecision[cls] = ru->v.decision;
			ru->sreason[cls] = code_of(re ? re->code : NULL);
			ru->speriod[cls] = re ? re->period : NULL;
		}
	}
	*out = ru->asked[cls] == 2;
	return PD_OK;
}

/* Are items of `cls` decided one by one (when not suspended)? Other
 * classes are either suspended whole or pass unchanged. */
static bool per_item(pd_class cls)
{
	return cls == PD_CLASS_COUNCIL_POST || cls == PD_CLASS_EMERGENCY;
}

static void mark_suspended(run *ru, pd_class cls, pd_filter_result *r)
{
	if (ru->sdecision[cls] > r->decision) {
		r->decision = ru->sdecision[cls];
		r->reason = ru->sreason[cls];
		r->period = ru->speriod[cls];
	}
}

/* HTML-escape `s` onto `b` (a title joined to an HTML body). */
static pd_rc put_escaped(pd_buf *b, const char *s)
{
	pd_rc rc = PD_OK;

	for (; *s && rc == PD_OK; s++) {
		if (*s == '<')
			rc = pd_buf_puts(b, "&lt;");
		else if (*s == '&')
			rc = pd_buf_puts(b, "&amp;");
		else
			rc = pd_buf_putc(b, *s);
	}
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Feeds                                                                    */

/* "urn:purdah:notice:<uid>:<class>", the uid percent-encoded where a URN
 * may not hold it as is. */
static pd_rc notice_id(pd_buf *b, const pd_period *p, pd_class cls)
{
	pd_rc rc = pd_buf_puts(b, "urn:purdah:notice:");

	for (const unsigned char *s = (const unsigned char *)p->uid;
	     *s && rc == PD_OK; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~@+,;=", *s))
			rc = pd_buf_putc(b, (char)*s);
		else
			rc = pd_buf_printf(b, "%%%02X", *s);
	}
	return rc < 0 ? rc : pd_buf_printf(b, ":%s", pd_class_name(cls));
}

/* RFC 822 (RFC 2822 3.3), in UTC: "Tue, 30 Mar 2027 23:00:00 GMT". */
static void fmt_rfc822(char *buf, size_t n, pd_instant t)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu",
	                                   "Fri", "Sat", "Sun"};
	int64_t d = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t s = t - d * 86400;
	pd_date dt = pd_days_to_date(d);

	snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         days[pd_date_weekday(dt)], dt.day, pd_month_abbr(dt.month),
	         dt.year, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

static pd_rc suspend_feed(run *ru, pd_xml_doc *doc, pd_class cls)
{
	const pd_period *p = ru->speriod[cls];
	pd_buf id = PD_BUF_INIT(4096);
	char d822[64], d3339[64];
	pd_xml_notice n;
	pd_rc rc;

	if (!p)
		return pd_error_set(PD_EINTERNAL,
		                    "a suspension without a period");
	if ((rc = pd_filter_notice(ru->g, cls, p, &ru->notice)) < 0 ||
	    (rc = notice_id(&id, p, cls)) < 0)
		goto done;
	fmt_rfc822(d822, sizeof(d822), p->start);
	pd_time_format_utc(d3339, sizeof(d3339), p->start);
	memset(&n, 0, sizeof(n));
	n.id = id.ptr;
	n.title = p->kind == PD_PERIOD_FREEZE && cls == PD_CLASS_COUNCIL_POST
	                  ? "Council news paused"
	                  : short_title(cls);
	n.text = ru->notice.ptr;
	n.rfc822 = d822;
	n.rfc3339 = d3339;
	n.author = pd_gate_config(ru->g)->council_name;
	if (!n.author)
		n.author = "the council";
	rc = pd_xml_feed_suspend(doc, &n);
done:
	pd_buf_dispose(&id);
	return rc;
}

/* Decide each item of a feed of council posts (or emergency messages). */
static pd_rc filter_items(run *ru, pd_xml_doc *doc, pd_filter_result *r)
{
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < r->items && rc == PD_OK; i++) {
		pd_xml_item x;
		pd_item it;
		if ((rc = pd_xml_item_get(doc, i, &x)) < 0)
			break;
		pd_buf_clear(&ru->text);
		rc = x.body_html ? put_escaped(&ru->text, x.title)
		                 : pd_buf_puts(&ru->text, x.title);
		if (rc == PD_OK && x.body[0])
			rc = pd_buf_putc(&ru->text, '\n');
		if (rc == PD_OK)
			rc = pd_buf_puts(&ru->text, x.body);
		if (rc == PD_OK) {
			it = item_of(ru, ru->o->cls,
			             ru->text.ptr ? ru->text.ptr : "",
			             ru->text.len,
			             x.body_html ? PD_NORM_HTML : 0);
			rc = pd_gate_decide(ru->g, &it, &ru->v);
			if (rc < 0)
				pd_error_prefix("%s:%d: item %zu", ru->name,
				                x.line, i + 1);
		}
		if (rc == PD_OK && ru->v.decision != PD_ALLOW) {
			pd_xml_item_remove(doc, i);
			rc = note_removed(&ru->capremoved, r, x.id, x.title,
			                  &it, &ru->v);
		}
		pd_xml_item_dispose(&x);
	}
	return rc;
}

static pd_rc filter_html(run *ru, const char *in, size_t len,
                         pd_filter_result *r);

static pd_rc filter_feed(run *ru, const char *in, size_t len,
                         pd_filter_result *r)
{
	pd_xml_doc *doc = NULL;
	pd_xml_kind kind;
	bool susp;
	pd_rc rc;

	if ((rc = pd_xml_parse(&doc, ru->name, in, len)) < 0)
		goto done;
	kind = pd_xml_doc_kind(doc);
	if (kind == PD_XML_XHTML && ru->o->format == PD_FORMAT_AUTO) {
		pd_xml_free(doc);
		return filter_html(ru, in, len, r);
	}
	if (kind == PD_XML_OTHER || kind == PD_XML_XHTML) {
		rc = pd_error_set(PD_EINVALID,
		                  "%s: not an RSS or Atom feed (root element "
		                  "<%.100s>)",
		                  ru->name, pd_xml_root_name(doc));
		goto done;
	}
	r->format = kind == PD_XML_ATOM03 || kind == PD_XML_ATOM10
	                    ? PD_FORMAT_ATOM
	                    : PD_FORMAT_RSS;
	if (ru->o->format != PD_FORMAT_AUTO && ru->o->format != r->format) {
		rc = pd_error_set(PD_EINVALID,
		                  "%s: not an %s feed (root element <%.100s>: "
		                  "%s)",
		                  ru->name,
		                  ru->o->format == PD_FORMAT_RSS ? "RSS"
		                                                 : "Atom",
		                  pd_xml_root_name(doc),
		                  r->format == PD_FORMAT_RSS ? "RSS" : "Atom");
		goto done;
	}
	r->items = pd_xml_item_count(doc);
	if ((rc = suspended(ru, ru->o->cls, &susp)) < 0)
		goto done;
	if (susp) {
		mark_suspended(ru, ru->o->cls, r);
		r->removed = r->items;
		rc = suspend_feed(ru, doc, ru->o->cls);
		for (size_t i = 0; rc == PD_OK && i < r->items; i++) {
			pd_xml_item x;
			pd_filter_removed *ri;
			if ((rc = pd_xml_item_get(doc, i, &x)) < 0)
				break;
			rc = PD_GROW(r->removed_items, ru->capremoved,
			             r->nremoved_items + 1);
			if (rc == PD_OK) {
				ri = &r->removed_items[r->nremoved_items++];
				memset(ri, 0, sizeof(*ri));
				ri->id = x.id;
				ri->title = x.title;
				ri->decision = r->decision;
				ri->reason = pd_strdup(r->reason);
				ri->period = r->period;
				x.id = x.title = NULL;
				pd_buf_clear(&ru->text);
				rc = pd_buf_puts(&ru->text, ri->title);
				if (rc == PD_OK && x.body[0])
					rc = pd_buf_putc(&ru->text, '\n');
				if (rc == PD_OK)
					rc = pd_buf_puts(&ru->text, x.body);
				ri->text = pd_strndup(
				        ru->text.ptr ? ru->text.ptr : "",
				        ru->text.len);
				if (rc == PD_OK && (!ri->reason || !ri->text))
					rc = pd_error_set(PD_ENOMEM,
					                  "out of memory");
			}
			pd_xml_item_dispose(&x);
		}
	} else if (per_item(ru->o->cls)) {
		rc = filter_items(ru, doc, r);
	}
	if (rc < 0)
		goto done;
	r->changed = susp || r->removed > 0;
	rc = r->changed ? pd_xml_write(doc, &r->out)
	                : pd_buf_put(&r->out, in, len);
done:
	pd_xml_free(doc);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* HTML and text                                                            */

static pd_rc filter_html(run *ru, const char *in, size_t len,
                         pd_filter_result *r)
{
	const pd_config *cfg = pd_gate_config(ru->g);
	pd_xml_selector *sel = NULL;
	pd_buf where = PD_BUF_INIT((size_t)1 << 20);
	size_t *at = NULL;
	pd_xml_doc *doc = NULL;
	pd_rc rc = PD_OK;

	r->format = PD_FORMAT_HTML;
	if (cfg->nselectors) {
		sel = pd_calloc(cfg->nselectors, sizeof(*sel));
		at = pd_calloc(cfg->nselectors, sizeof(*at));
		if (!sel || !at) {
			rc = pd_error_set(PD_ENOMEM, "out of memory");
			goto done;
		}
		/* "file:line" of each selector, in one buffer. */
		for (size_t i = 0; i < cfg->nselectors && rc == PD_OK; i++) {
			at[i] = where.len;
			rc = pd_buf_printf(&where, "%s:%d%c",
			                   cfg->path ? cfg->path
			                             : "configuration",
			                   cfg->selectors[i].line, '\0');
		}
		for (size_t i = 0; i < cfg->nselectors && rc == PD_OK; i++) {
			sel[i].xpath = cfg->selectors[i].xpath;
			sel[i].cls = cfg->selectors[i].cls;
			sel[i].where = where.ptr + at[i];
		}
		if (rc < 0)
			goto done;
	}
	if ((rc = pd_html_parse(&doc, ru->name, in, len)) < 0 ||
	    (rc = pd_html_mark(doc, sel, cfg->nselectors)) < 0)
		goto done;
	r->items = pd_html_mark_count(doc);
	for (size_t i = 0; i < r->items && rc == PD_OK; i++) {
		const char *cname;
		char *text = NULL;
		int line;
		pd_class cls = ru->o->cls;
		bool susp;
		if ((rc = pd_html_mark_get(doc, i, &cname, &text, &line)) < 0)
			break;
		if (cname && cname[0] && pd_class_parse(&cls, cname) < 0) {
			rc = pd_error_set(
			        PD_EINVALID,
			        "%s:%d: data-purdah=\"%.60s\": unknown "
			        "class (known: council-post, "
			        "third-party, councillor-feed, forum, "
			        "emergency)",
			        ru->name, line, cname);
		} else if ((rc = suspended(ru, cls, &susp)) == PD_OK && susp) {
			mark_suspended(ru, cls, r);
			r->removed++;
			if ((rc = pd_filter_notice(ru->g, cls, ru->speriod[cls],
			                           &ru->notice)) == PD_OK)
				rc = pd_html_mark_replace(doc, i,
				                          ru->notice.ptr);
		} else if (rc == PD_OK && per_item(cls)) {
			pd_item it = item_of(ru, cls, text, strlen(text), 0);
			it.cls = cls;
			if ((rc = pd_gate_decide(ru->g, &it, &ru->v)) < 0)
				pd_error_prefix("%s:%d", ru->name, line);
			if (rc == PD_OK && ru->v.decision != PD_ALLOW) {
				const pd_period *p =
				        ru->v.nreasons ? ru->v.reasons[0].period
				                       : NULL;
				rc = note_removed(&ru->capremoved, r, "", "",
				                  &it, &ru->v);
				if (rc == PD_OK)
					rc = pd_filter_notice(ru->g, cls, p,
					                      &ru->notice);
				if (rc == PD_OK)
					rc = pd_html_mark_replace(
					        doc, i, ru->notice.ptr);
			}
		}
		pd_free(text);
	}
	if (rc < 0)
		goto done;
	r->changed = r->removed > 0;
	rc = r->changed ? pd_xml_write(doc, &r->out)
	                : pd_buf_put(&r->out, in, len);
done:
	pd_xml_free(doc);
	pd_free(sel);
	pd_free(at);
	pd_buf_dispose(&where);
	return rc;
}

static pd_rc filter_text(run *ru, const char *in, size_t len,
                         pd_filter_result *r)
{
	pd_class cls = ru->o->cls;
	const pd_period *p = NULL;
	bool susp, gone = false;
	pd_rc rc;

	r->format = PD_FORMAT_TEXT;
	r->items = 1;
	if ((rc = suspended(ru, cls, &susp)) < 0)
		return rc;
	if (susp) {
		mark_suspended(ru, cls, r);
		p = ru->speriod[cls];
		r->removed = 1;
		gone = true;
	} else if (per_item(cls)) {
		pd_item it = item_of(ru, cls, in, len, 0);
		if ((rc = pd_gate_decide(ru->g, &it, &ru->v)) < 0)
			return rc;
		if (ru->v.decision != PD_ALLOW) {
			p = ru->v.nreasons ? ru->v.reasons[0].period : NULL;
			if ((rc = note_removed(&ru->capremoved, r, "", "", &it,
			                       &ru->v)) < 0)
				return rc;
			gone = true;
		}
	}
	r->changed = gone;
	if (!gone)
		return pd_buf_put(&r->out, in, len);
	if ((rc = pd_filter_notice(ru->g, cls, p, &r->out)) < 0)
		return rc;
	return pd_buf_putc(&r->out, '\n');
}

/* ------------------------------------------------------------------------ */
/* Detection                                                                */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' ||
	       c == '.' || (unsigned char)c >= 0x80;
}

/* What the start of the document says: XML-ish (a declaration, UTF-16 or
 * UTF-32), markup at all, a doctype html, and the first element's name. */
typedef struct {
	bool xmlish, markup, doctype_html;
	char root[64];
} sniff;

static void sniff_doc(const char *in, size_t len, sniff *s)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	if ((len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) ||
	                  (u[0] == 0xFF && u[1] == 0xFE))) ||
	    (len >= 4 && (u[0] == 0 || u[1] == 0 || u[2] == 0 || u[3] == 0))) {
		s->xmlish = s->markup = true;
		return;
	}
	if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		while (i < len && (in[i] == ' ' || in[i] == '\t' ||
		                   in[i] == '\r' || in[i] == '\n'))
			i++;
		if (i == len || in[i] != '<')
			return;
		s->markup = true;
		if (len - i >= 5 && memcmp(in + i, "<?xml", 5) == 0)
			s->xmlish = true;
		if (len - i >= 4 && memcmp(in + i, "<!--", 4) == 0) {
			size_t j = i + 4;
			while (j + 3 <= len && memcmp(in + j, "-->", 3) != 0)
				j++;
			if (j + 3 > len)
				return;
			i = j + 3;
		} else if (len - i >= 2 && in[i + 1] == '?') {
			const char *gt = memchr(in + i, '>', len - i);
			if (!gt)
				return;
			i = (size_t)(gt - in) + 1;
		} else if (len - i >= 2 && in[i + 1] == '!') {
			int depth = 0;
			if (len - i >= 14 &&
			    strncasecmp(in + i, "<!doctype html", 14) == 0 &&
			    (len - i == 14 || !name_char(in[i + 14])))
				s->doctype_html = true;
			for (i += 2; i < len; i++) {
				if (in[i] == '[')
					depth++;
				else if (in[i] == ']')
					depth--;
				else if (in[i] == '>' && depth <= 0)
					break;
			}
			i++;
		} else {
			size_t n = 0;
			i++;
			while (i < len && name_char(in[i]) &&
			       n + 1 < sizeof(s->root))
				s->root[n++] = in[i++];
			s->root[n] = '\0';
			return;
		}
	}
}

static bool is_feed_root(const char *root)
{
	const char *local = strrchr(root, ':');

	local = local ? local + 1 : root;
	return strcmp(local, "rss") == 0 || strcmp(local, "RDF") == 0 ||
	       strcmp(local, "feed") == 0;
}

static bool type_is(const char *content_type, const char *mime)
{
	size_t n = strlen(mime);

	if (!content_type)
		return false;
	while (*content_type == ' ')
		content_type++;
	return strncasecmp(content_type, mime, n) == 0 &&
	       (content_type[n] == '\0' || content_type[n] == ';' ||
	        content_type[n] == ' ');
}

/* AUTO: a feed's root -> XML; no markup -> text; HTML by its doctype, its
 * first element or the Content-Type; markup that is none of these -> XML
 * (refused unless it is a feed: CDF's <CHANNEL>, a comment alone). */
static pd_format detect(const char *in, size_t len, const char *ctype)
{
	sniff s;

	sniff_doc(in, len, &s);
	if (is_feed_root(s.root))
		return PD_FORMAT_RSS; /* XML; its root decides RSS or Atom */
	if (!s.markup)
		return PD_FORMAT_TEXT;
	if (s.doctype_html || type_is(ctype, "text/html") ||
	    type_is(ctype, "application/xhtml+xml"))
		return PD_FORMAT_HTML;
	if (s.root[0] && pd_html_known_tag(s.root, strlen(s.root)))
		return PD_FORMAT_HTML;
	return PD_FORMAT_RSS;
}

/* ------------------------------------------------------------------------ */

pd_rc pd_filter_run(const pd_gate *g, const pd_filter_opts *o, const char *name,
                    const char *in, size_t len, pd_filter_result *r)
{
	pd_filter_result init = PD_FILTER_RESULT_INIT;
	size_t max = o->max_bytes ? o->max_bytes : PD_FILTER_MAX_BYTES;
	pd_format f = o->format;
	run ru;
	pd_rc rc;

	pd_filter_result_dispose(r);
	*r = init;
	PD_ASSERT(g && o && name && (in || len == 0));
	if (!in)
		in = "";
	r->valid_until = pd_calendar_next_change(pd_gate_calendar(g), o->at);
	if (len > max)
		return pd_error_set(PD_ETOOBIG,
		                    "%s: the document is larger than %zu bytes",
		                    name, max);
	if ((unsigned)f >= NFORMATS)
		return pd_error_set(PD_EUSAGE, "format %d", (int)f);
	memset(&ru, 0, sizeof(ru));
	ru.g = g;
	ru.o = o;
	ru.name = name;
	ru.v = (pd_verdict)PD_VERDICT_INIT;
	ru.notice = (pd_buf)PD_BUF_INIT((size_t)1 << 20);
	ru.text = (pd_buf)PD_BUF_INIT((size_t)1 << 30);
	if (f == PD_FORMAT_AUTO)
		f = detect(in, len, o->content_type);
	switch (f) {
	case PD_FORMAT_RSS:
	case PD_FORMAT_ATOM: rc = filter_feed(&ru, in, len, r); break;
	case PD_FORMAT_HTML: rc = filter_html(&ru, in, len, r); break;
	case PD_FORMAT_TEXT:
	default: rc = filter_text(&ru, in, len, r); break;
	}
	pd_verdict_dispose(&ru.v);
	pd_buf_dispose(&ru.notice);
	pd_buf_dispose(&ru.text);
	if (rc < 0) {
		pd_instant until = r->valid_until;
		pd_filter_result_dispose(r);
		*r = init;
		r->valid_until = until;
		return rc;
	}
	/* An empty output still has a readable pointer. */
	if (!r->out.ptr && (rc = pd_buf_put(&r->out, "", 0)) < 0)
		return rc;
	return PD_OK;
}
