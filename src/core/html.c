/*
 * HTML escaping and highlighted text (include/purdah/html.h).
 */
#include "purdah/html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	/* C1 controls (U+0080-U+009F) are as unwelcome as C0 ones. */
	if (cp >= 0x80 && cp <= 0x9F)
		return 0;
	return len;
}

/* Escape s[0..len); line breaks as <br> when `br`. */
static pd_rc escape(pd_buf *b, const char *s, size_t len, bool br)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	pd_rc rc = PD_OK;

	while (i < len && rc == PD_OK) {
		unsigned c = p[i];
		const char *rep = NULL;
		size_t n = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\n': rep = br ? "<br>\n" : NULL; break;
		case '\r':
			if (br) {
				rep = i + 1 < len && p[i + 1] == '\n'
				              ? ""
				              : "<br>\n";
			}
			break;
		case '\t': break;
		default:
			if (c < 0x20 || c == 0x7F) {
				rep = replacement;
			} else if (c >= 0x80) {
				n = utf8_len(p + i, len - i);
				if (n == 0) {
					rep = replacement;
					n = 1;
				}
			}
		}
		if (rep) {
			if (run)
				rc = pd_buf_put(b, s + i - run, run);
			if (rc == PD_OK)
				rc = pd_buf_puts(b, rep);
			run = 0;
		} else {
			run += n;
		}
		i += n;
	}
	if (rc == PD_OK && run)
		rc = pd_buf_put(b, s + len - run, run);
	return rc;
}

pd_rc pd_html_escape_n(pd_buf *b, const char *s, size_t len)
{
	return escape(b, s, len, false);
}

pd_rc pd_html_escape(pd_buf *b, const char *s)
{
	return s ? escape(b, s, strlen(s), false) : PD_OK;
}

typedef struct span {
	size_t start, end;
	const char *category;
	double weight;
} span;

static int span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* A non-negative integer member of a hit, or false. */
static bool get_offset(const pd_json *h, const char *key, size_t *out)
{
	const pd_json *v = pd_json_get(h, key);
	int64_t n = pd_json_integer(v);

	if (!pd_json_is_integer(v) || n < 0)
		return false;
	*out = (size_t)n;
	return true;
}

pd_rc pd_html_highlight(pd_buf *b, const char *text, size_t len,
                        const pd_json *hits)
{
	size_t n = pd_json_is_array(hits) ? pd_json_array_size(hits) : 0;
	span *sp = NULL;
	size_t ns = 0, at = 0;
	pd_rc rc = PD_OK;

	if (n && !(sp = pd_calloc(n, sizeof(*sp))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const pd_json *h = pd_json_array_get(hits, i);
		span s;
		if (!pd_json_is_object(h) ||
		    !get_offset(h, "start", &s.start) ||
		    !get_offset(h, "end", &s.end) || s.start >= s.end ||
		    s.end > len)
			continue;
		s.category = pd_json_str(pd_json_get(h, "category"));
		s.weight = pd_json_number(pd_json_get(h, "weight"));
		sp[ns++] = s;
	}
	if (ns > 1)
		qsort(sp, ns, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < ns && rc == PD_OK; i++) {
		char w[64];
		if (sp[i].start < at)
			continue; /* overlaps the one before */
		rc = escape(b, text + at, sp[i].start - at, true);
		if (rc == PD_OK)
			rc = pd_buf_puts(b, "<mark title=\"");
		if (rc == PD_OK)
			rc = pd_html_escape(b, sp[i].category ? sp[i].category
			                                      : "hit");
		snprintf(w, sizeof(w), " (%+g)\">", sp[i].weight);
		if (rc == PD_OK)
			rc = pd_buf_puts(b, w);
		if (rc == PD_OK)
			rc = escape(b, text + sp[i].start,
			            sp[i].end - sp[i].start, true);
		if (rc == PD_OK)
			rc = pd_buf_puts(b, "</mark>");
		at = sp[i].end;
	}
	if (rc == PD_OK)
		rc = escape(b, text + at, len - at, true);
	pd_free(sp);
	return rc;
}
