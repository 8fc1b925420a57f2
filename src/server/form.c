/*
 * What the review pages read from a request besides its path: form fields
 * (application/x-www-form-urlencoded bodies and query strings, WHATWG URL
 * "application/x-www-form-urlencoded parsing" made strict) and cookies
 * (RFC 6265 section 4.2 Cookie header); and percent-encoding for the links
 * they write. Everything here is fuzzed (tests/fuzz/fuzz_form.c).
 *
 * Strict means: a '%' must start two hex digits; raw bytes must be visible
 * ASCII; the decoded names and values must be valid UTF-8 (no overlong
 * forms, no surrogates) with no NUL and no control character other than
 * tab, CR and LF (a textarea's line breaks); at most SRV_FORM_MAX_FIELDS
 * fields, names of at most SRV_FORM_MAX_NAME bytes and values of at most
 * SRV_FORM_MAX_VALUE bytes. Anything else refuses the whole form
 * (PD_EINVALID): a page answers 400 rather than act on half of what was
 * sent.
 */
#include <string.h>

#include "dep/utf8.h"
#include "purdah/alloc.h"
#include "server/server.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Valid UTF-8 with no NUL and no control character but tab, CR, LF. */
static bool text_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		int32_t cp;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
			    c == 0x7f)
				return false;
			i++;
			continue;
		}
		i += pd_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp < 0 || (cp >= 0x80 && cp < 0xa0))
			return false; /* invalid, or a C1 control */
	}
	return true;
}

/* Decode `len` bytes at `s` into a new string (*out, *outlen). */
static pd_rc decode(const char *s, size_t len, size_t max, const char *what,
                    char **out, size_t *outlen)
{
	char *d;
	size_t o = 0;

	*out = NULL;
	if (!(d = pd_malloc(len + 1)))
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;
		if (c == '+') {
			d[o++] = ' ';
		} else if (c == '%') {
			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				pd_free(d);
				return pd_error_set(
				        PD_EINVALID,
				        "form: a bad percent escape "
				        "in a %s",
				        what);
			}
			d[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c < 0x21 || c > 0x7e) {
			pd_free(d);
			return pd_error_set(PD_EINVALID,
			                    "form: a raw byte 0x%02x in a %s",
			                    c, what);
		} else {
			d[o++] = (char)c;
		}
		if (o > max) {
			pd_free(d);
			return pd_error_set(PD_EINVALID,
			                    "form: a %s longer than %zu bytes",
			                    what, max);
		}
	}
	d[o] = 0;
	if (!text_ok(d, o)) {
		pd_free(d);
		return pd_error_set(PD_EINVALID,
		                    "form: a %s that is not text (invalid "
		                    "UTF-8 or a control character)",
		                    what);
	}
	*out = d;
	*outlen = o;
	return PD_OK;
}

void srv_form_dispose(srv_form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		pd_free(f->fields[i].name);
		pd_free(f->fields[i].value);
	}
	pd_free(f->fields);
	f->fields = NULL;
	f->n = f->cap = 0;
}

pd_rc srv_form_parse(srv_form *f, const char *s, size_t len)
{
	size_t i = 0;
	pd_rc rc = PD_OK;

	memset(f, 0, sizeof(*f));
	while (i < len && rc == PD_OK) {
		const char *seg = s + i, *amp = memchr(seg, '&', len - i);
		size_t sl = amp ? (size_t)(amp - seg) : len - i;
		const char *eq = memchr(seg, '=', sl);
		size_t nl = eq ? (size_t)(eq - seg) : sl;
		srv_field *fd;

		i += sl + (amp ? 1 : 0);
		if (sl == 0)
			continue; /* "a=1&&b=2" */
		if (f->n == SRV_FORM_MAX_FIELDS) {
			rc = pd_error_set(PD_EINVALID,
			                  "form: more than %d fields",
			                  SRV_FORM_MAX_FIELDS);
			break;
		}
		if ((rc = PD_GROW(f->fields, f->cap, f->n + 1)) < 0)
			break;
		fd = &f->fields[f->n];
		memset(fd, 0, sizeof(*fd));
		if ((rc = decode(seg, nl, SRV_FORM_MAX_NAME, "field name",
		                 &fd->name, &fd->nlen)) < 0)
			break;
		f->n++;
		rc = decode(eq ? eq + 1 : "", eq ? sl - nl - 1 : 0,
		            SRV_FORM_MAX_VALUE, "field value", &fd->value,
		            &fd->vlen);
	}
	if (rc < 0)
		srv_form_dispose(f);
	return rc;
}

const char *srv_form_get(const srv_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i].name, name))
			return f->fields[i].value;
	return NULL;
}

/* RFC 6265 4.1.1 cookie-octet. */
static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	       (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

bool srv_cookie_get(const char *header, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = header;

	if (!header || !n)
		return false;
	while (*p) {
		const char *start, *end, *v;
		size_t vl;
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		start = p;
		while (*p && *p != ';')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - start) <= nl || strncmp(start, name, nl) ||
		    start[nl] != '=')
			continue;
		v = start + nl + 1;
		vl = (size_t)(end - v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
			v++, vl -= 2;
		if (vl >= n)
			return false; /* too long: not ours */
		for (size_t i = 0; i < vl; i++)
			if (!cookie_octet((unsigned char)v[i]))
				return false;
		memcpy(out, v, vl);
		out[vl] = 0;
		return true; /* the first of that name */
	}
	return false;
}

pd_rc srv_url_encode(pd_buf *b, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	pd_rc rc = PD_OK;

	for (; s && *s && rc == PD_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			rc = pd_buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hexd[c >> 4], hexd[c & 15]};
			rc = pd_buf_put(b, e, 3);
		}
	}
	return rc;
}
