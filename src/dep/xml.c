/*
 * The libxml2 adapter: the only file that includes <libxml/...>. HTML
 * entity names for the normaliser, and the filter's documents (see
 * dep/xml.h): safe parsing, the items of a feed, marked HTML elements, the
 * few edits the filter makes, and writing back in the input's encoding.
 *
 * libxml2 reports errors through handlers that are per thread (it is built
 * with threads): each parse sets this thread's handlers to collect the
 * first error and restores the previous ones before returning.
 */
#include "dep/xml.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "purdah/alloc.h"

#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS090  "http://my.netscape.com/rdf/simple/0.9/"
#define NS_ATOM03  "http://purl.org/atom/ns#"
#define NS_ATOM10  "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC      "http://purl.org/dc/elements/1.1/"

/* HTML5 letter-style entities: &Xscr; (script), &Xfr; (fraktur), &Xopf;
 * (double-struck). Each names a mathematical letter whose compatibility
 * form is the plain letter X, which is what the matcher compares, so the
 * letter itself is returned. */
static int32_t letter_style_entity(const char *name, size_t len)
{
	static const char *const styles[] = {"scr", "fr", "opf"};
	char c = name[0];

	if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (len == 1 + strlen(styles[i]) &&
		    memcmp(name + 1, styles[i], len - 1) == 0)
			return c;
	return -1;
}

int32_t pd_html_entity(const char *name, size_t len)
{
	char buf[32];
	const htmlEntityDesc *e;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (len == 4 && memcmp(name, "apos", 4) == 0)
		return '\'';
	memcpy(buf, name, len);
	buf[len] = '\0';
	e = htmlEntityLookup((const xmlChar *)buf);
	if (e)
		return (int32_t)e->value;
	return letter_style_entity(name, len);
}

/* ------------------------------------------------------------------------ */
/* Set-up and errors                                                        */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
	xmlInitParser();
}

void pd_xml_init(void)
{
	(void)pthread_once(&init_once, init_libxml);
}

bool pd_html_known_tag(const char *name, size_t len)
{
	/* HTML5 elements libxml2 2.9's HTML 4 table does not know. */
	static const char *const html5[] = {
	        "article", "aside",    "audio",   "bdi",     "canvas",
	        "data",    "datalist", "details", "dialog",  "figcaption",
	        "figure",  "footer",   "header",  "main",    "mark",
	        "meter",   "nav",      "output",  "picture", "progress",
	        "rp",      "rt",       "ruby",    "section", "source",
	        "summary", "template", "time",    "track",   "video",
	        "wbr",     "svg",      "math",    NULL};
	char buf[32];

	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '-')
			return true; /* a custom element */
		buf[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	buf[len] = '\0';
	for (size_t i = 0; html5[i]; i++)
		if (strcmp(buf, html5[i]) == 0)
			return true;
	return htmlTagLookup((const xmlChar *)buf) != NULL;
}

/* The first error of one parse, and this thread's handlers before it. */
typedef struct {
	const char *name;
	bool failed;
	int line;       /* of the first error; 0: unknown */
	char what[400]; /* its message */
	void *old_sctx, *old_gctx;
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_gerror;
} errs;

static void note_error(errs *e, int line, const char *what)
{
	size_t n;

	if (e->failed)
		return;
	e->failed = true;
	e->line = line;
	snprintf(e->what, sizeof(e->what), "%s", what);
	/* One line: libxml2 continues some messages on a second. */
	for (char *p = e->what; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(e->what);
	while (n > 0 && e->what[n - 1] == ' ')
		e->what[--n] = '\0';
}

/* "name:LINE: message"; an error found below the parser (an encoding
 * conversion) has no line of its own: the parser's current one. */
static pd_rc parse_error(errs *e, xmlParserCtxtPtr ctxt)
{
	int line = e->line;

	if (!e->failed)
		note_error(e, 0, "not well-formed XML");
	if (line <= 0)
		line = ctxt && ctxt->input && ctxt->input->line > 0
		               ? ctxt->input->line
		               : 1;
	return pd_error_set(PD_EINVALID, "%s:%d: %s", e->name, line, e->what);
}

static void on_error(void *ctx, xmlErrorPtr err)
{
	errs *e = ctx;

	if (!e || !err || err->level < XML_ERR_ERROR)
		return;
	note_error(e, err->line, err->message ? err->message : "error");
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
on_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt; /* legacy messages: the structured one counts */
}

static void errs_begin(errs *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->old_serror = xmlStructuredError;
	e->old_sctx = xmlStructuredErrorContext;
	e->old_gerror = xmlGenericError;
	e->old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(e, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic);
}

static void errs_end(errs *e)
{
	xmlSetStructuredErrorFunc(e->old_sctx, e->old_serror);
	xmlSetGenericErrorFunc(e->old_gctx, e->old_gerror);
}

/* SAX hooks: an entity declaration stops the parse (no XXE, no billion
 * laughs: nothing declared is ever expanded). */
static void refuse_entity(void *vctxt)
{
	xmlParserCtxtPtr ctxt = vctxt;
	errs *e = ctxt->_private;

	note_error(e, ctxt->input ? ctxt->input->line : 0,
	           "entity declarations are not accepted");
	xmlStopParser(ctxt);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
                           const xmlChar *public_id, const xmlChar *system_id,
                           xmlChar *content)
{
	(void)name, (void)type, (void)public_id, (void)system_id, (void)content;
	refuse_entity(ctx);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name,
                                    const xmlChar *public_id,
                                    const xmlChar *system_id,
                                    const xmlChar *notation)
{
	(void)name, (void)public_id, (void)system_id, (void)notation;
	refuse_entity(ctx);
}

/* ------------------------------------------------------------------------ */
/* Documents                                                                */

typedef struct {
	xmlNodePtr node;
	char *cls; /* HTML marks: owned, or NULL for the selector's */
	const char *sel_cls;
	char *replace; /* HTML: the notice text; owned */
	bool remove;   /* feeds */
} entry;

struct pd_xml_doc {
	xmlDocPtr doc;
	pd_xml_kind kind;
	bool fragment; /* HTML written without html/head/body */
	bool written;
	const char *name;
	xmlNodePtr root, channel;
	xmlNsPtr feed_ns; /* of items/entries (may be NULL: none) */
	entry *e;
	size_t n, cap;
	pd_xml_notice *notice; /* a copy, when suspended */
	char *notice_mem;
};

static bool is_el(xmlNodePtr n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, local) == 0;
}

static const char *ns_of(xmlNodePtr n)
{
	return n && n->ns && n->ns->href ? (const char *)n->ns->href : NULL;
}

static bool same_ns(xmlNodePtr n, xmlNsPtr ns)
{
	const char *a = ns_of(n);
	const char *b = ns && ns->href ? (const char *)ns->href : NULL;

	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static xmlNodePtr child_el(xmlNodePtr parent, const char *local, xmlNsPtr ns,
                           bool any_ns)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_el(c, local) && (any_ns || same_ns(c, ns)))
			return c;
	return NULL;
}

static pd_rc add_entry(pd_xml_doc *d, xmlNodePtr node)
{
	pd_rc rc = PD_GROW(d->e, d->cap, d->n + 1);

	if (rc < 0)
		return rc;
	memset(&d->e[d->n], 0, sizeof(d->e[d->n]));
	d->e[d->n++].node = node;
	return PD_OK;
}

/* The items of `parent`: <item> and <entry> in the feed's namespace,
 * whatever the format (readers take either as an item: an Atom feed's
 * <item> is one). */
static pd_rc collect_items(pd_xml_doc *d, xmlNodePtr parent)
{
	pd_rc rc = PD_OK;

	for (xmlNodePtr c = parent->children; c && rc == PD_OK; c = c->next)
		if ((is_el(c, "item") || is_el(c, "entry")) &&
		    same_ns(c, d->feed_ns))
			rc = add_entry(d, c);
	return rc;
}

/* The kind of an XML document, its channel and items. */
static pd_rc classify(pd_xml_doc *d)
{
	xmlNodePtr r = d->root;
	const char *ns = ns_of(r);

	if (is_el(r, "rss")) {
		d->kind = PD_XML_RSS;
		d->channel = child_el(r, "channel", NULL, true);
		d->feed_ns = d->channel ? d->channel->ns : r->ns;
		if (d->channel) {
			pd_rc rc = collect_items(d, d->channel);
			if (rc < 0)
				return rc;
		}
		return collect_items(d, r);
	}
	if (is_el(r, "RDF")) {
		d->channel = child_el(r, "channel", NULL, true);
		d->feed_ns = d->channel ? d->channel->ns : NULL;
		if (d->channel && ns_of(d->channel) &&
		    strcmp(ns_of(d->channel), NS_RSS090) == 0)
			d->kind = PD_XML_RSS090;
		else
			d->kind = PD_XML_RSS10;
		if (!d->channel) {
			/* No channel: the first item's namespace, else the
			 * root's default one. */
			xmlNodePtr item = child_el(r, "item", NULL, true);
			d->feed_ns =
			        item ? item->ns : xmlSearchNs(d->doc, r, NULL);
			if (d->feed_ns && d->feed_ns->href &&
			    strcmp((const char *)d->feed_ns->href, NS_RSS090) ==
			            0)
				d->kind = PD_XML_RSS090;
		}
		return collect_items(d, r);
	}
	if (is_el(r, "feed")) {
		d->kind = ns && strcmp(ns, NS_ATOM03) == 0 ? PD_XML_ATOM03
		                                           : PD_XML_ATOM10;
		d->channel = r;
		d->feed_ns = r->ns;
		return collect_items(d, r);
	}
	if (r && r->name && strcasecmp((const char *)r->name, "html") == 0)
		d->kind = PD_XML_XHTML;
	else
		d->kind = PD_XML_OTHER;
	return PD_OK;
}

/* What both parsers do first: the size check, a new document, and this
 * thread's error handlers on `e`. */
static pd_rc begin_parse(pd_xml_doc **out, const char *name, size_t len,
                         errs *e)
{
	pd_xml_doc *d;

	*out = NULL;
	if (len > INT_MAX)
		return pd_error_set(PD_ETOOBIG, "%s: too big to parse", name);
	if (!(d = pd_calloc(1, sizeof(*d))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	d->name = name;
	*out = d;
	pd_xml_init();
	errs_begin(e, name);
	return PD_OK;
}

pd_rc pd_xml_parse(pd_xml_doc **out, const char *name, const char *in,
                   size_t len)
{
	xmlParserCtxtPtr ctxt = NULL;
	pd_xml_doc *d = NULL;
	errs e;
	pd_rc rc;

	*out = NULL;
	if ((rc = begin_parse(&d, name, len, &e)) < 0)
		return rc;
	if (!(ctxt = xmlNewParserCtxt())) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	ctxt->_private = &e;
	ctxt->sax->entityDecl = on_entity_decl;
	ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
	/* No NOENT, DTDLOAD, DTDATTR, XINCLUDE: nothing outside the bytes
	 * given is read, nothing declared is expanded. */
	d->doc = xmlCtxtReadMemory(ctxt, in, (int)len, NULL, NULL,
	                           XML_PARSE_NONET | XML_PARSE_NOWARNING);
	if (!d->doc || !ctxt->wellFormed || !ctxt->nsWellFormed || e.failed) {
		rc = parse_error(&e, ctxt);
		goto done;
	}
	d->root = xmlDocGetRootElement(d->doc);
	if (!d->root) {
		rc = pd_error_set(PD_EINVALID, "%s: no root element", name);
		goto done;
	}
	if ((rc = classify(d)) < 0)
		goto done;
	*out = d;
	d = NULL;
done:
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	errs_end(&e);
	pd_xml_free(d);
	return rc;
}

/* Does the HTML start (after blanks and comments) as a whole page? */
static bool html_page(const char *in, size_t len)
{
	static const char *const starts[] = {"<!doctype", "<html", "<head",
	                                     "<body", NULL};
	size_t i = 0;

	if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (;;) {
		while (i < len && (in[i] == ' ' || in[i] == '\t' ||
		                   in[i] == '\r' || in[i] == '\n'))
			i++;
		if (len - i >= 4 && memcmp(in + i, "<!--", 4) == 0) {
			const char *end = NULL;
			for (size_t j = i + 4; j + 3 <= len; j++)
				if (memcmp(in + j, "-->", 3) == 0) {
					end = in + j + 3;
					break;
				}
			if (!end)
				return false;
			i = (size_t)(end - in);
			continue;
		}
		if (len - i >= 2 && memcmp(in + i, "<?", 2) == 0) {
			const char *gt = memchr(in + i, '>', len - i);
			if (!gt)
				return false;
			i = (size_t)(gt - in) + 1;
			continue;
		}
		break;
	}
	for (size_t k = 0; starts[k]; k++) {
		size_t n = strlen(starts[k]);
		if (len - i >= n && strncasecmp(in + i, starts[k], n) == 0 &&
		    (len - i == n || !((in[i + n] >= 'a' && in[i + n] <= 'z') ||
		                       (in[i + n] >= 'A' && in[i + n] <= 'Z') ||
		                       (in[i + n] >= '0' && in[i + n] <= '9'))))
			return true;
	}
	return false;
}

pd_rc pd_html_parse(pd_xml_doc **out, const char *name, const char *in,
                    size_t len)
{
	htmlParserCtxtPtr ctxt = NULL;
	pd_xml_doc *d = NULL;
	errs e;
	pd_rc rc;

	*out = NULL;
	if ((rc = begin_parse(&d, name, len, &e)) < 0)
		return rc;
	d->kind = PD_XML_HTML;
	d->fragment = !html_page(in, len);
	if (!(ctxt = htmlNewParserCtxt())) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	d->doc = htmlCtxtReadMemory(
	        ctxt, in, (int)len, NULL, NULL,
	        HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD);
	if (!d->doc) {
		rc = pd_error_set(PD_EINVALID, "%s: cannot be parsed as HTML",
		                  name);
		goto done;
	}
	d->root = xmlDocGetRootElement(d->doc);
	*out = d;
	d = NULL;
done:
	if (ctxt)
		htmlFreeParserCtxt(ctxt);
	errs_end(&e);
	pd_xml_free(d);
	return rc;
}

void pd_xml_free(pd_xml_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		pd_free(d->e[i].cls);
		pd_free(d->e[i].replace);
	}
	pd_free(d->e);
	pd_free(d->notice);
	pd_free(d->notice_mem);
	if (d->doc)
		xmlFreeDoc(d->doc);
	pd_free(d);
}

pd_xml_kind pd_xml_doc_kind(const pd_xml_doc *d)
{
	return d->kind;
}

const char *pd_xml_root_name(const pd_xml_doc *d)
{
	return d->root && d->root->name ? (const char *)d->root->name : "";
}

/* ------------------------------------------------------------------------ */
/* Feed items                                                               */

size_t pd_xml_item_count(const pd_xml_doc *d)
{
	return d->kind == PD_XML_HTML ? 0 : d->n;
}

/* A copy of `s` (an xmlChar* to free) with pd_ allocation; "" for NULL. */
static char *take(xmlChar *s)
{
	char *r = pd_strdup(s ? (const char *)s : "");

	if (s)
		xmlFree(s);
	return r;
}

static xmlChar *text_of(xmlNodePtr n)
{
	return n ? xmlNodeGetContent(n) : NULL;
}

/* Is an Atom text construct HTML (type="html", 0.3 mode="escaped" with an
 * HTML type)? */
static bool atom_html(xmlNodePtr n)
{
	xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
	xmlChar *mode = xmlGetProp(n, (const xmlChar *)"mode");
	bool html = false;

	if (type && strstr((const char *)type, "html") &&
	    !strstr((const char *)type, "xhtml"))
		html = true;
	if (mode && strcmp((const char *)mode, "escaped") == 0)
		html = true;
	xmlFree(type);
	xmlFree(mode);
	return html;
}

static bool is_atom(const pd_xml_doc *d)
{
	return d->kind == PD_XML_ATOM03 || d->kind == PD_XML_ATOM10;
}

pd_rc pd_xml_item_get(const pd_xml_doc *d, size_t i, pd_xml_item *out)
{
	xmlNodePtr item = d->e[i].node;
	pd_buf body = PD_BUF_INIT((size_t)1 << 30);
	xmlChar *id = NULL;
	pd_rc rc = PD_OK;

	memset(out, 0, sizeof(*out));
	out->line = (int)xmlGetLineNo(item);
	for (xmlNodePtr c = item->children; c && rc == PD_OK; c = c->next) {
		xmlChar *t;
		bool html;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "title") && !out->title) {
			out->title = take(text_of(c));
			if (!out->title)
				rc = pd_error_set(PD_ENOMEM, "out of memory");
			continue;
		}
		if (is_atom(d)) {
			if (is_el(c, "id") && !id)
				id = text_of(c);
			if (!is_el(c, "summary") && !is_el(c, "content"))
				continue;
			html = atom_html(c);
		} else {
			if ((is_el(c, "guid") || is_el(c, "link")) && !id)
				id = text_of(c);
			if (is_el(c, "encoded") && ns_of(c) &&
			    strcmp(ns_of(c), NS_CONTENT) == 0)
				html = true;
			else if (is_el(c, "description"))
				html = true;
			else
				continue;
		}
		t = text_of(c);
		if (t) {
			if (body.len)
				rc = pd_buf_putc(&body, '\n');
			if (rc == PD_OK)
				rc = pd_buf_puts(&body, (const char *)t);
			xmlFree(t);
		}
		out->body_html = out->body_html || html;
	}
	if (!id && (d->kind == PD_XML_RSS10 || d->kind == PD_XML_RSS090))
		id = xmlGetNsProp(item, (const xmlChar *)"about",
		                  (const xmlChar *)NS_RDF);
	if (rc == PD_OK && !out->title && !(out->title = pd_strdup("")))
		rc = pd_error_set(PD_ENOMEM, "out of memory");
	if (rc == PD_OK) {
		out->id = take(id); /* frees id */
		id = NULL;
		if (!out->id)
			rc = pd_error_set(PD_ENOMEM, "out of memory");
	}
	if (rc == PD_OK && !(out->body = pd_strdup(body.ptr ? body.ptr : "")))
		rc = pd_error_set(PD_ENOMEM, "out of memory");
	if (id)
		xmlFree(id);
	pd_buf_dispose(&body);
	if (rc < 0)
		pd_xml_item_dispose(out);
	return rc;
}

void pd_xml_item_dispose(pd_xml_item *it)
{
	pd_free(it->id);
	pd_free(it->title);
	pd_free(it->body);
	it->id = it->title = it->body = NULL;
}

void pd_xml_item_remove(pd_xml_doc *d, size_t i)
{
	if (i < d->n)
		d->e[i].remove = true;
}

pd_rc pd_xml_feed_suspend(pd_xml_doc *d, const pd_xml_notice *n)
{
	const char *parts[6] = {n->id,     n->title,   n->text,
	                        n->rfc822, n->rfc3339, n->author};
	size_t total = 0, at = 0;
	char *mem, *s[6];

	for (size_t i = 0; i < 6; i++)
		total += strlen(parts[i] ? parts[i] : "") + 1;
	pd_free(d->notice);
	pd_free(d->notice_mem);
	d->notice = pd_calloc(1, sizeof(*d->notice));
	d->notice_mem = mem = pd_malloc(total);
	if (!d->notice || !mem)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < 6; i++) {
		size_t k = strlen(parts[i] ? parts[i] : "");
		memcpy(mem + at, parts[i] ? parts[i] : "", k + 1);
		s[i] = mem + at;
		at += k + 1;
	}
	d->notice->id = s[0];
	d->notice->title = s[1];
	d->notice->text = s[2];
	d->notice->rfc822 = s[3];
	d->notice->rfc3339 = s[4];
	d->notice->author = s[5];
	for (size_t i = 0; i < d->n; i++)
		d->e[i].remove = true;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Building the notice                                                      */

/* <name>text</name> appended to `parent` in namespace `ns`. */
static xmlNodePtr add_text_el(xmlNodePtr parent, xmlNsPtr ns, const char *name,
                              const char *text)
{
	xmlNodePtr el =
	        xmlNewDocNode(parent->doc, ns, (const xmlChar *)name, NULL);
	xmlNodePtr t;

	if (!el)
		return NULL;
	if (!xmlAddChild(parent, el)) {
		xmlFreeNode(el);
		return NULL;
	}
	if (text) {
		t = xmlNewDocText(parent->doc, (const xmlChar *)text);
		if (!t || !xmlAddChild(el, t)) {
			xmlFreeNode(t);
			return NULL;
		}
	}
	return el;
}

/* The channel's or feed's own link (RSS <link>, Atom alternate href), or
 * NULL; free with xmlFree. */
static xmlChar *feed_link(const pd_xml_doc *d)
{
	if (!d->channel)
		return NULL;
	for (xmlNodePtr c = d->channel->children; c; c = c->next) {
		xmlChar *rel;
		bool alt;
		if (!is_el(c, "link"))
			continue;
		if (!is_atom(d)) {
			xmlChar *t = xmlNodeGetContent(c);
			if (t && t[0])
				return t;
			xmlFree(t);
			continue;
		}
		rel = xmlGetProp(c, (const xmlChar *)"rel");
		alt = !rel || strcmp((const char *)rel, "alternate") == 0;
		xmlFree(rel);
		if (alt)
			return xmlGetProp(c, (const xmlChar *)"href");
	}
	return NULL;
}

/* The RDF namespace, declared on the root when it is not (under a free
 * prefix: "rdf" may be bound to something else). */
static xmlNsPtr rdf_ns(pd_xml_doc *d)
{
	xmlNsPtr ns =
	        xmlSearchNsByHref(d->doc, d->root, (const xmlChar *)NS_RDF);
	char prefix[16] = "rdf";

	for (int i = 1; !ns && i < 100; i++) {
		ns = xmlNewNs(d->root, (const xmlChar *)NS_RDF,
		              (const xmlChar *)prefix);
		snprintf(prefix, sizeof(prefix), "rdf%d", i);
	}
	return ns;
}

static pd_rc build_notice(pd_xml_doc *d, xmlNodePtr *out)
{
	const pd_xml_notice *n = d->notice;
	const char *tag = is_atom(d) ? "entry" : "item";
	xmlChar *link = feed_link(d);
	xmlNodePtr el =
	        xmlNewDocNode(d->doc, d->feed_ns, (const xmlChar *)tag, NULL);
	bool ok = el != NULL;

	switch (d->kind) {
	case PD_XML_RSS:
		ok = ok && add_text_el(el, d->feed_ns, "title", n->title);
		ok = ok && (!link || add_text_el(el, d->feed_ns, "link",
		                                 (const char *)link));
		ok = ok && add_text_el(el, d->feed_ns, "description", n->text);
		if (ok) {
			xmlNodePtr g =
			        add_text_el(el, d->feed_ns, "guid", n->id);
			ok = g && xmlNewProp(g, (const xmlChar *)"isPermaLink",
			                     (const xmlChar *)"false");
		}
		ok = ok && add_text_el(el, d->feed_ns, "pubDate", n->rfc822);
		break;
	case PD_XML_RSS10:
	case PD_XML_RSS090: {
		xmlNsPtr rdf = ok ? rdf_ns(d) : NULL;
		ok = ok && rdf;
		if (ok && d->kind == PD_XML_RSS10)
			ok = xmlNewNsProp(el, rdf, (const xmlChar *)"about",
			                  (const xmlChar *)n->id) != NULL;
		ok = ok && add_text_el(el, d->feed_ns, "title", n->title);
		ok = ok && add_text_el(el, d->feed_ns, "link",
		                       link ? (const char *)link : n->id);
		ok = ok && add_text_el(el, d->feed_ns, "description", n->text);
		if (ok && d->kind == PD_XML_RSS10) {
			xmlNsPtr dc = xmlSearchNsByHref(d->doc, d->root,
			                                (const xmlChar *)NS_DC);
			if (!dc)
				dc = xmlNewNs(el, (const xmlChar *)NS_DC,
				              (const xmlChar *)"dc");
			ok = dc && add_text_el(el, dc, "date", n->rfc3339);
		}
		break;
	}
	case PD_XML_ATOM10:
	case PD_XML_ATOM03: {
		bool v03 = d->kind == PD_XML_ATOM03;
		xmlNodePtr t;
		ok = ok && add_text_el(el, d->feed_ns, "id", n->id);
		ok = ok && (t = add_text_el(el, d->feed_ns, "title", n->title));
		if (ok && link) {
			xmlNodePtr l =
			        add_text_el(el, d->feed_ns, "link", NULL);
			ok = l &&
			     xmlNewProp(l, (const xmlChar *)"rel",
			                (const xmlChar *)"alternate") &&
			     (!v03 ||
			      xmlNewProp(l, (const xmlChar *)"type",
			                 (const xmlChar *)"text/html")) &&
			     xmlNewProp(l, (const xmlChar *)"href", link);
		}
		if (v03) {
			ok = ok &&
			     add_text_el(el, d->feed_ns, "issued", n->rfc3339);
			ok = ok && add_text_el(el, d->feed_ns, "modified",
			                       n->rfc3339);
		} else {
			ok = ok &&
			     add_text_el(el, d->feed_ns, "updated", n->rfc3339);
		}
		ok = ok && add_text_el(el, d->feed_ns, "summary", n->text);
		if (ok && !child_el(d->root, "author", d->feed_ns, false)) {
			xmlNodePtr a =
			        add_text_el(el, d->feed_ns, "author", NULL);
			ok = a && add_text_el(a, d->feed_ns, "name", n->author);
		}
		break;
	}
	default: ok = false; break;
	}
	if (link)
		xmlFree(link);
	if (!ok) {
		xmlFreeNode(el);
		return pd_error_set(PD_ENOMEM, "out of memory building the "
		                               "notice");
	}
	*out = el;
	return PD_OK;
}

/* The RSS 1.0 channel's items/rdf:Seq, created when `create`. */
static xmlNodePtr rdf_seq(pd_xml_doc *d, bool create)
{
	xmlNodePtr items, seq;

	if (!d->channel)
		return NULL;
	items = child_el(d->channel, "items", NULL, true);
	if (!items && create)
		items = add_text_el(d->channel, d->channel->ns, "items", NULL);
	if (!items)
		return NULL;
	seq = child_el(items, "Seq", NULL, true);
	if (!seq && create)
		seq = add_text_el(items, rdf_ns(d), "Seq", NULL);
	return seq;
}

static bool blank_text(xmlNodePtr n)
{
	return n && n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

/* Unlink and free `n` and the blank text just before it (its
 * indentation). */
static void drop(xmlNodePtr n)
{
	xmlNodePtr prev = n->prev;

	if (blank_text(prev)) {
		xmlUnlinkNode(prev);
		xmlFreeNode(prev);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* Remove the rdf:li of the items removed (all, when suspended), and list
 * the notice. */
static pd_rc fix_rdf_seq(pd_xml_doc *d, const char *notice_id)
{
	xmlNodePtr seq = rdf_seq(d, notice_id != NULL), next;

	if (!seq) /* no channel to list items in, or out of memory */
		return notice_id && d->channel
		               ? pd_error_set(PD_ENOMEM, "out of memory")
		               : PD_OK;
	for (xmlNodePtr li = seq->children; li; li = next) {
		xmlChar *res;
		bool gone = notice_id != NULL;
		next = li->next;
		if (!is_el(li, "li"))
			continue;
		res = xmlGetNsProp(li, (const xmlChar *)"resource",
		                   (const xmlChar *)NS_RDF);
		if (!res)
			res = xmlGetProp(li, (const xmlChar *)"resource");
		for (size_t i = 0; !gone && res && i < d->n; i++) {
			xmlChar *about;
			if (!d->e[i].remove)
				continue;
			about = xmlGetNsProp(d->e[i].node,
			                     (const xmlChar *)"about",
			                     (const xmlChar *)NS_RDF);
			gone = about && xmlStrEqual(about, res);
			xmlFree(about);
		}
		xmlFree(res);
		if (gone)
			drop(li);
	}
	if (notice_id) {
		xmlNodePtr li = add_text_el(seq, rdf_ns(d), "li", NULL);
		if (!li ||
		    !xmlNewNsProp(li, rdf_ns(d), (const xmlChar *)"resource",
		                  (const xmlChar *)notice_id))
			return pd_error_set(PD_ENOMEM, "out of memory");
	}
	return PD_OK;
}

static pd_rc apply_feed(pd_xml_doc *d)
{
	bool any = false;
	pd_rc rc;

	for (size_t i = 0; i < d->n; i++)
		any = any || d->e[i].remove;
	if (d->kind == PD_XML_RSS10 && (any || d->notice) &&
	    (rc = fix_rdf_seq(d, d->notice ? d->notice->id : NULL)) < 0)
		return rc;
	if (d->notice) {
		xmlNodePtr el = NULL;
		xmlNodePtr parent = d->kind == PD_XML_RSS && d->channel
		                            ? d->channel
		                            : d->root;
		if ((rc = build_notice(d, &el)) < 0)
			return rc;
		if (d->n ? !xmlAddPrevSibling(d->e[0].node, el)
		         : !xmlAddChild(parent, el)) {
			xmlFreeNode(el);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		/* The first item's indentation now belongs to the notice. */
		if (d->n && d->e[0].remove) {
			xmlUnlinkNode(d->e[0].node);
			xmlFreeNode(d->e[0].node);
			d->e[0].node = NULL;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		if (d->e[i].remove && d->e[i].node)
			drop(d->e[i].node);
		d->e[i].node = NULL;
	}
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* HTML marks                                                               */

pd_rc pd_html_mark(pd_xml_doc *d, const pd_xml_selector *sel, size_t nsel)
{
	xmlXPathContextPtr xp = NULL;
	xmlNodePtr n;
	errs e;
	pd_rc rc = PD_OK;

	if (d->kind != PD_XML_HTML || !d->doc)
		return pd_error_set(PD_EINTERNAL, "pd_html_mark: not HTML");
	if (nsel) {
		errs_begin(&e, d->name);
		if (!(xp = xmlXPathNewContext(d->doc)))
			rc = pd_error_set(PD_ENOMEM, "out of memory");
		for (size_t s = 0; rc == PD_OK && s < nsel; s++) {
			xmlXPathObjectPtr o = xmlXPathEvalExpression(
			        (const xmlChar *)sel[s].xpath, xp);
			if (!o || o->type != XPATH_NODESET) {
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s: filter.html_selectors: '%s' is "
				        "not an XPath expression selecting "
				        "elements",
				        sel[s].where ? sel[s].where
				                     : "configuration",
				        sel[s].xpath);
			} else if (o->nodesetval) {
				for (int k = 0; k < o->nodesetval->nodeNr;
				     k++) {
					xmlNodePtr m =
					        o->nodesetval->nodeTab[k];
					/* The first selector that names it. */
					if (m && m->type == XML_ELEMENT_NODE &&
					    !m->_private)
						m->_private = (void *)&sel[s];
				}
			}
			if (o)
				xmlXPathFreeObject(o);
		}
		if (xp)
			xmlXPathFreeContext(xp);
		errs_end(&e);
	}
	/* Document order: a walk without recursion (deep pages). */
	n = d->doc->children;
	while (n && rc == PD_OK) {
		if (n->type == XML_ELEMENT_NODE) {
			xmlChar *v =
			        xmlGetProp(n, (const xmlChar *)"data-purdah");
			if (v || n->_private) {
				if ((rc = add_entry(d, n)) == PD_OK) {
					entry *en = &d->e[d->n - 1];
					if (v) {
						en->cls = pd_strdup(
						        (const char *)v);
						if (!en->cls)
							rc = pd_error_set(
							        PD_ENOMEM,
							        "out of "
							        "memory");
					} else {
						en->sel_cls =
						        ((const pd_xml_selector
						                  *)n->_private)
						                ->cls;
					}
				}
			}
			if (v)
				xmlFree(v);
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent && n->parent->type != XML_DOCUMENT_NODE &&
			                    n->parent->type !=
			                            XML_HTML_DOCUMENT_NODE
			            ? n->parent
			            : NULL;
		if (n)
			n = n->next;
	}
	/* Forget the selector tags (no pointer outlives this call). */
	for (size_t i = 0; i < d->n; i++)
		d->e[i].node->_private = NULL;
	return rc;
}

size_t pd_html_mark_count(const pd_xml_doc *d)
{
	return d->kind == PD_XML_HTML ? d->n : 0;
}

pd_rc pd_html_mark_get(const pd_xml_doc *d, size_t i, const char **cls,
                       char **text, int *line)
{
	const entry *en = &d->e[i];

	*cls = en->cls ? en->cls : en->sel_cls;
	*line = (int)xmlGetLineNo(en->node);
	if (!(*text = take(xmlNodeGetContent(en->node))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	return PD_OK;
}

pd_rc pd_html_mark_replace(pd_xml_doc *d, size_t i, const char *text)
{
	pd_free(d->e[i].replace);
	if (!(d->e[i].replace = pd_strdup(text)))
		return pd_error_set(PD_ENOMEM, "out of memory");
	return PD_OK;
}

static bool inside(xmlNodePtr n, xmlNodePtr ancestor)
{
	for (xmlNodePtr p = n->parent; p; p = p->parent)
		if (p == ancestor)
			return true;
	return false;
}

/* The notice's element: a div, or the replaced element's own name where
 * only it may stand (a list item, a table cell, inline text). */
static const xmlChar *notice_tag(xmlNodePtr n)
{
	static const char *const keep[] = {"li", "td",   "th", "dt",
	                                   "dd", "span", NULL};

	for (size_t i = 0; keep[i]; i++)
		if (n->name && strcasecmp((const char *)n->name, keep[i]) == 0)
			return (const xmlChar *)keep[i];
	return (const xmlChar *)"div";
}

static pd_rc apply_html(pd_xml_doc *d)
{
	/* Which replacements are inside another one: decided before any
	 * node is freed. */
	for (size_t i = 0; i < d->n; i++) {
		if (!d->e[i].replace)
			continue;
		for (size_t j = 0; j < d->n; j++)
			if (j != i && d->e[j].replace &&
			    inside(d->e[i].node, d->e[j].node)) {
				pd_free(d->e[i].replace);
				d->e[i].replace = NULL;
				d->e[i].node = NULL;
				break;
			}
	}
	for (size_t i = 0; i < d->n; i++) {
		xmlNodePtr div, t;
		if (!d->e[i].replace || !d->e[i].node)
			continue;
		div = xmlNewDocNode(d->doc, NULL, notice_tag(d->e[i].node),
		                    NULL);
		t = xmlNewDocText(d->doc, (const xmlChar *)d->e[i].replace);
		if (!div || !t ||
		    !xmlNewProp(div, (const xmlChar *)"class",
		                (const xmlChar *)"purdah-notice") ||
		    !xmlNewProp(div, (const xmlChar *)"role",
		                (const xmlChar *)"note") ||
		    !xmlAddChild(div, t)) {
			xmlFreeNode(t);
			xmlFreeNode(div);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		xmlReplaceNode(d->e[i].node, div);
		xmlFreeNode(d->e[i].node);
		d->e[i].node = div;
	}
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */

static pd_rc put_mem(pd_buf *out, xmlChar *mem, int size, const char *name)
{
	pd_rc rc;

	if (!mem || size < 0)
		return pd_error_set(PD_EDEP,
		                    "%s: the document cannot be "
		                    "written",
		                    name);
	rc = pd_buf_put(out, mem, (size_t)size);
	xmlFree(mem);
	return rc;
}

/* libxml2 output (after its encoder) appended to a pd_buf. */
typedef struct {
	pd_buf *out;
	pd_rc rc;
} sink;

static int sink_write(void *ctx, const char *buf, int len)
{
	sink *k = ctx;

	if (k->rc == PD_OK && len > 0)
		k->rc = pd_buf_put(k->out, buf, (size_t)len);
	return k->rc == PD_OK ? len : -1;
}

/* The encoding to write HTML in: the page's (a meta http-equiv or
 * charset, as the parser found it), else ASCII with character references
 * ("HTML"), which reads the same in any ASCII-compatible encoding. */
static xmlCharEncodingHandlerPtr html_encoder(xmlDocPtr doc, const char **enc)
{
	*enc = (const char *)htmlGetMetaEncoding(doc);
	if (!*enc)
		*enc = (const char *)doc->encoding;
	return xmlFindCharEncodingHandler(*enc ? *enc : "HTML");
}

/* An HTML page, or a fragment: what was inside the implied html, head and
 * body. */
static pd_rc write_html(pd_xml_doc *d, pd_buf *out)
{
	const char *enc;
	xmlCharEncodingHandlerPtr h = html_encoder(d->doc, &enc);
	sink k = {out, PD_OK};
	xmlOutputBufferPtr ob =
	        xmlOutputBufferCreateIO(sink_write, NULL, &k, h);

	if (!ob)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if (!d->fragment) {
		htmlDocContentDumpFormatOutput(ob, d->doc, enc, 0);
		goto close;
	}
	for (xmlNodePtr n = d->doc->children; n; n = n->next) {
		if (!is_el(n, "html")) {
			htmlNodeDumpFormatOutput(ob, d->doc, n, enc, 0);
			continue;
		}
		for (xmlNodePtr c = n->children; c; c = c->next) {
			if (is_el(c, "head") || is_el(c, "body")) {
				for (xmlNodePtr x = c->children; x; x = x->next)
					htmlNodeDumpFormatOutput(ob, d->doc, x,
					                         enc, 0);
			} else {
				htmlNodeDumpFormatOutput(ob, d->doc, c, enc, 0);
			}
		}
	}
close:
	if (xmlOutputBufferClose(ob) < 0 && k.rc == PD_OK)
		return pd_error_set(PD_EDEP,
		                    "%s: the document cannot be "
		                    "written",
		                    d->name);
	return k.rc;
}

/* The encoding to write an XML document in: its own, by the name libxml2
 * and other readers know (utf_16 -> UTF-16); UTF-8 when it declares none,
 * and for UTF-32, which libxml2 (and so the filter's own users) cannot
 * read back. */
static const char *out_encoding(xmlDocPtr doc)
{
	const char *enc = (const char *)doc->encoding;
	char k[16];
	size_t n = 0;

	if (!enc)
		return "UTF-8";
	for (const char *p = enc; *p && n + 1 < sizeof(k); p++)
		if (*p != '-' && *p != '_')
			k[n++] =
			        (char)((*p >= 'a' && *p <= 'z') ? *p - 32 : *p);
	k[n] = '\0';
	if (strcmp(k, "UTF16") == 0)
		return "UTF-16";
	if (strncmp(k, "UTF32", 5) == 0 || strncmp(k, "UCS4", 4) == 0)
		return "UTF-8";
	return enc;
}

pd_rc pd_xml_write(pd_xml_doc *d, pd_buf *out)
{
	xmlChar *mem = NULL;
	int size = 0;
	errs e;
	pd_rc rc;

	pd_buf_clear(out);
	if (d->written)
		return pd_error_set(PD_EINTERNAL, "pd_xml_write: twice");
	d->written = true;
	errs_begin(&e, d->name);
	if (d->kind == PD_XML_HTML) {
		if ((rc = apply_html(d)) < 0)
			goto done;
		rc = write_html(d, out);
	} else {
		const char *enc = out_encoding(d->doc);
		if ((rc = apply_feed(d)) < 0)
			goto done;
		xmlDocDumpMemoryEnc(d->doc, &mem, &size, enc);
		rc = put_mem(out, mem, size, d->name);
	}
	/* Every pointer into the tree is gone now. */
	for (size_t i = 0; i < d->n; i++)
		d->e[i].node = NULL;
done:
	errs_end(&e);
	return rc;
}
