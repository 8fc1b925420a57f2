/*
 * The libxml2 adapter's interface (private to libpurdah): HTML entity
 * names for the normaliser, and the documents of the filter
 * (src/core/filter.c) - a feed (RSS 0.90, 0.9x/2.0, 1.0, Atom 0.3 and 1.0)
 * or an HTML page or fragment, parsed safely, changed in a few fixed ways
 * and written back in its own encoding. The filter decides; this file only
 * reads and edits trees.
 *
 * Parsing is safe for documents from anywhere: no network, no DTD loading,
 * no entity substitution, and any entity declaration refuses the document
 * (XXE, "billion laughs"). libxml2's messages never reach stderr: the first
 * error becomes the PD_EINVALID message "name:LINE: message". Every call
 * only touches the document it is given (and this thread's libxml2 error
 * handlers, restored before returning): threads may filter at once.
 */
#ifndef PURDAH_DEP_XML_H
#define PURDAH_DEP_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/buf.h"
#include "purdah/error.h"

/* The code point of the HTML named entity `name` (len bytes, without '&'
 * and ';'), or -1 when unknown. HTML 4 names from libxml2, plus HTML5's
 * letter-style names (&Lscr; &Afr; &Bopf;) and &apos;. */
int32_t pd_html_entity(const char *name, size_t len);

/* libxml2's one-time set-up (xmlInitParser), safe to call from any thread
 * any number of times; the functions below call it themselves. */
void pd_xml_init(void);

/* Is `name` (len bytes, any case) an HTML element name (HTML 4 as libxml2
 * knows them, HTML5's new ones, or a custom element: a name with '-')? */
bool pd_html_known_tag(const char *name, size_t len);

/* What a parsed document is. */
typedef enum pd_xml_kind {
	PD_XML_OTHER,  /* an XML root that is no feed */
	PD_XML_XHTML,  /* an XML document whose root is html */
	PD_XML_RSS,    /* <rss>: 0.91 - 2.0 */
	PD_XML_RSS090, /* <rdf:RDF> of http://my.netscape.com/rdf/simple/0.9/ */
	PD_XML_RSS10,  /* <rdf:RDF> of RSS 1.0 */
	PD_XML_ATOM03, /* <feed> of http://purl.org/atom/ns# */
	PD_XML_ATOM10, /* <feed> of Atom 1.0 (or another namespace) */
	PD_XML_HTML    /* parsed with the HTML parser */
} pd_xml_kind;

typedef struct pd_xml_doc pd_xml_doc;

/*
 * Parse XML (`len` bytes; `name` for messages). PD_EINVALID "name:LINE:
 * message" for anything not well-formed or not namespace-well-formed (an
 * undeclared prefix), and for an entity declaration ("entity declarations
 * are not accepted"). `*out` is freed with pd_xml_free().
 */
pd_rc pd_xml_parse(pd_xml_doc **out, const char *name, const char *in,
                   size_t len);

/*
 * Parse HTML leniently (as browsers do). A fragment (no doctype, html, head
 * or body tag at the start) is written back as a fragment.
 */
pd_rc pd_html_parse(pd_xml_doc **out, const char *name, const char *in,
                    size_t len);

void pd_xml_free(pd_xml_doc *d);

/* The kind, and the root element's name (borrowed; "" when none). */
pd_xml_kind pd_xml_doc_kind(const pd_xml_doc *d);
const char *pd_xml_root_name(const pd_xml_doc *d);

/* ------------------------------------------------------------------------ */
/* Feeds                                                                    */

/* The items (RSS) or entries (Atom), in document order. */
size_t pd_xml_item_count(const pd_xml_doc *d);

/* What the filter reads of one item: UTF-8 strings, owned (dispose). */
typedef struct pd_xml_item {
	char *id;       /* guid, id, rdf:about or link; "" when none */
	char *title;    /* the title's text; "" when none */
	char *body;     /* description / summary / content, joined by lines */
	bool body_html; /* the body is HTML (RSS descriptions, Atom
	                   type="html", escaped Atom 0.3 content) */
	int line;
} pd_xml_item;

pd_rc pd_xml_item_get(const pd_xml_doc *d, size_t i, pd_xml_item *out);
void pd_xml_item_dispose(pd_xml_item *it);

/* Remove item `i` when the document is written (RSS 1.0: and its rdf:li
 * in the channel's items). */
void pd_xml_item_remove(pd_xml_doc *d, size_t i);

/* A notice item: UTF-8, copied by pd_xml_feed_suspend. */
typedef struct pd_xml_notice {
	const char *id;      /* a URI, stable for the period */
	const char *title;   /* short */
	const char *text;    /* the sentence */
	const char *rfc822;  /* its date (RSS 2.0 pubDate) */
	const char *rfc3339; /* its date (Atom, dc:date) */
	const char *author;  /* for Atom, when the feed names none */
} pd_xml_notice;

/* Remove every item and put `n` where the first one was (or at the end
 * of the channel or feed), when the document is written. */
pd_rc pd_xml_feed_suspend(pd_xml_doc *d, const pd_xml_notice *n);

/* ------------------------------------------------------------------------ */
/* HTML                                                                     */

/* An HTML element selector: an XPath 1.0 expression and the class name of
 * what it selects. */
typedef struct pd_xml_selector {
	const char *xpath;
	const char *cls;
	const char *where; /* "file:line" for messages */
} pd_xml_selector;

/*
 * Find the marked elements: those with a data-purdah attribute, and those
 * any selector selects (the attribute wins), in document order. PD_ECONFIG
 * "where: ..." for an XPath expression that does not compile or select
 * elements.
 */
pd_rc pd_html_mark(pd_xml_doc *d, const pd_xml_selector *sel, size_t nsel);
size_t pd_html_mark_count(const pd_xml_doc *d);

/* One marked element: its class (the attribute's value, possibly "", or
 * the selector's), its text (UTF-8, owned: free with pd_free) and line. */
pd_rc pd_html_mark_get(const pd_xml_doc *d, size_t i, const char **cls,
                       char **text, int *line);

/* Replace marked element `i` by <div class="purdah-notice" role="note">
 * with `text` (escaped) when the document is written (an li, td, th, dt,
 * dd or span keeps its own name, so the page stays valid). Inside an
 * element that is replaced itself, nothing more happens. */
pd_rc pd_html_mark_replace(pd_xml_doc *d, size_t i, const char *text);

/* ------------------------------------------------------------------------ */

/*
 * Apply the changes and write the document to `out` (replaced) in its
 * declared encoding (XML: the XML declaration's, else UTF-8; HTML: the
 * meta charset's, else ASCII with character references). A document is
 * written once.
 */
pd_rc pd_xml_write(pd_xml_doc *d, pd_buf *out);

#endif
