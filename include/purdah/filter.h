/*
 * The filter: a feed, an HTML page or a text, as the period in force makes
 * it (README "purdah filter").
 *
 *   - RSS 0.9x/1.0/2.0 and Atom feeds of councillors' updates or third-party
 *     material (and forum feeds) during a period that suspends them (the
 *     gate blocks an empty item of that class): the channel's or feed's own
 *     metadata stays, every item or entry goes, and one neutral notice item
 *     takes their place, with an id and dates that stay the same for the
 *     whole period (readers do not notify again).
 *   - Council posts (and emergency messages): each item goes through the
 *     gate; the held and blocked ones are removed, the rest pass unchanged.
 *   - HTML: elements marked `data-purdah="CLASS"` (an empty value: the
 *     filter's class) or selected by the configuration's XPath selectors
 *     are decided as items of their class and, when suspended or held,
 *     replaced by the notice.
 *   - Text: the whole text is one item.
 * When nothing is removed the output is the input, byte for byte. Output
 * otherwise is well-formed, in the input's encoding. No network access, no
 * DTD loading, no entity declarations (XXE, "billion laughs"), and a size
 * limit: a document that cannot be parsed is an error (PD_EINVALID), never
 * passed through unfiltered.
 */
#ifndef PURDAH_FILTER_H
#define PURDAH_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/gate.h"

typedef enum pd_format {
	PD_FORMAT_AUTO, /* detect: XML root rss/rdf:RDF/feed, else HTML/text */
	PD_FORMAT_RSS,  /* RSS 0.9x, 1.0 (RDF), 2.0 */
	PD_FORMAT_ATOM, /* Atom 1.0 (and 0.3) */
	PD_FORMAT_HTML, /* an HTML page or fragment */
	PD_FORMAT_TEXT  /* plain text: one item */
} pd_format;

/* "auto", "rss", "atom", "html", "text". */
const char *pd_format_name(pd_format f);
/* Parse a format name (exact); PD_EUSAGE naming the known ones. */
pd_rc pd_format_parse(pd_format *out, const char *s);

/* The largest document the filter reads unless told otherwise. */
#define PD_FILTER_MAX_BYTES (16u * 1024 * 1024)

typedef struct pd_filter_opts {
	pd_class cls;             /* of the document's content */
	pd_instant at;            /* the time of publication (now) */
	const char *const *areas; /* none: the whole council */
	size_t nareas;
	pd_format format;         /* PD_FORMAT_AUTO: detected */
	const char *content_type; /* an HTTP Content-Type hint, or NULL */
	size_t max_bytes;         /* 0: PD_FILTER_MAX_BYTES */
} pd_filter_opts;

/* One item removed (for the review queue). */
typedef struct pd_filter_removed {
	char *id;    /* guid/id/link of the item, or "" */
	char *title; /* its title, or "" */
	char *text;  /* the text the gate saw (title, a line break, the
	                body), or "" */
	pd_decision decision;
	char *reason;            /* the first reason's code */
	const pd_period *period; /* that brought the rule, or NULL */
} pd_filter_removed;

typedef struct pd_filter_result {
	pd_format format;        /* as detected */
	pd_decision decision;    /* allow: nothing removed; hold: held items
	                            removed; block: suspended (notice) */
	const char *reason;      /* the deciding reason's code, or NULL */
	const pd_period *period; /* that suspends, or NULL (the gate's) */
	size_t items;            /* items (or marked elements) seen */
	size_t removed;          /* of them, removed or replaced */
	bool changed;            /* false: `out` holds the input bytes */
	pd_instant valid_until;  /* the result holds until this instant:
	                            the next period boundary after `at`
	                            (INT64_MAX: none) */
	pd_filter_removed *removed_items;
	size_t nremoved_items;
	pd_buf out; /* the output document */
} pd_filter_result;

#define PD_FILTER_RESULT_INIT                                                  \
	{                                                                      \
		PD_FORMAT_AUTO, PD_ALLOW, NULL, NULL, 0, 0, false, 0, NULL, 0, \
		        PD_BUF_INIT(((size_t)1 << 30))                         \
	}

/*
 * Filter `in` (`len` bytes; `name` for messages: "file:line: ...") as
 * content of class o->cls published at o->at for o->areas. HTML selectors
 * come from the gate's configuration (filter.html_selectors).
 *
 * Detection (o->format PD_FORMAT_AUTO): a root element rss, rdf:RDF or
 * feed is a feed (RSS or Atom by its root); text that does not start with
 * markup is text; a doctype html, a known HTML element first (or a
 * text/html content_type) is HTML; other markup is taken as XML and
 * refused unless it is a feed ("name: not an RSS or Atom feed (root
 * element <CHANNEL>)": CDF, a lone comment). An explicit format is obeyed
 * (rss and atom must then match the root).
 *
 * PD_EINVALID for a document that cannot be parsed (XML not well-formed or
 * not namespace-well-formed, any entity declaration: "name:LINE:
 * message"), of the wrong kind, or with an unknown data-purdah class;
 * PD_ETOOBIG over the size limit; PD_ECONFIG for a selector that is no
 * XPath; PD_EDEP when the matcher fails (never a silent pass).
 * `r` must be initialised (PD_FILTER_RESULT_INIT) or disposed; it is
 * replaced, and on failure holds no output. Free with
 * pd_filter_result_dispose(). Threads may filter at once with one gate.
 */
pd_rc pd_filter_run(const pd_gate *g, const pd_filter_opts *o, const char *name,
                    const char *in, size_t len, pd_filter_result *r);
void pd_filter_result_dispose(pd_filter_result *r);

/*
 * The neutral notice for content of class `cls` suspended (or, for a
 * council post, held) by `p`, for people: "Councillors' updates are paused
 * during the pre-election period for Abbey ward by-election, until Thu 17
 * Dec 2026." Third-party: "Material from other organisations is paused
 * ...", forum: "Comments are closed ...", a council post: "This item is
 * withheld ..."; a referendum period reads "the referendum period for";
 * a freeze has no end date: "... while the council's publishing is
 * frozen."; with no period (held at any time): "This item is withheld
 * pending review." Written to `out` (replaced).
 */
pd_rc pd_filter_notice(const pd_gate *g, pd_class cls, const pd_period *p,
                       pd_buf *out);

#endif
