/*
 * HTML output shared by the review pages (purdah serve) and the report
 * (purdah report): escaping and highlighted text. Everything that came
 * from outside - post text, names, notes, reasons - goes through these.
 */
#ifndef PURDAH_HTML_H
#define PURDAH_HTML_H

#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/json.h"

/*
 * Append `len` bytes of `s` escaped for HTML text and attribute values
 * (double-quoted): & < > " ' become entities, invalid UTF-8 and control
 * characters other than tab and line breaks become U+FFFD, NUL included.
 */
pd_rc pd_html_escape_n(pd_buf *b, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL: nothing). */
pd_rc pd_html_escape(pd_buf *b, const char *s);

/*
 * Append `text` escaped, with each hit span wrapped in
 * <mark title="CATEGORY (WEIGHT)">...</mark>. `hits` is a JSON array of
 * hits as the gate's JSON gives them ({"start", "end", "category",
 * "weight", ...}: byte offsets into text); hits out of range or
 * overlapping an earlier one are skipped (their words stay plain).
 * Line breaks become <br>.
 */
pd_rc pd_html_highlight(pd_buf *b, const char *text, size_t len,
                        const pd_json *hits);

#endif
