/*
 * libFuzzer target for what the review pages read from a request besides
 * its path (src/server/form.c): form bodies and query strings
 * (srv_form_parse), Cookie headers (srv_cookie_get) and the percent-encoding
 * of link values (srv_url_encode). Each input goes through all three.
 *
 * Invariants, whatever the input:
 *   - a parsed form holds at most SRV_FORM_MAX_FIELDS fields whose names and
 *     values are NUL-free, within their size limits, valid UTF-8 (checked
 *     here by an independent decoder: no overlong forms, no surrogates,
 *     nothing past U+10FFFF) with no control character but tab, CR and LF;
 *     encoding them again and parsing that gives the same fields;
 *   - a refused form is PD_EINVALID (or PD_ENOMEM) with a "form: " message;
 *   - a cookie found is shorter than the buffer, made of RFC 6265
 *     cookie-octets, and its name followed by '=' is in the header;
 *   - an encoded value holds only unreserved characters and %XX.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 (RFC 3629) with the form's control-character rule. */
static int text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, need, min;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
			    c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if (i + need >= n)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void check_fields(const srv_form *f)
{
	FZ_CHECK(f->n <= SRV_FORM_MAX_FIELDS);
	for (size_t i = 0; i < f->n; i++) {
		const srv_field *x = &f->fields[i];
		FZ_CHECK(x->name && x->value);
		FZ_CHECK(strlen(x->name) == x->nlen);
		FZ_CHECK(strlen(x->value) == x->vlen);
		FZ_CHECK(x->nlen <= SRV_FORM_MAX_NAME);
		FZ_CHECK(x->vlen <= SRV_FORM_MAX_VALUE);
		FZ_CHECK(text_ok((const unsigned char *)x->name, x->nlen));
		FZ_CHECK(text_ok((const unsigned char *)x->value, x->vlen));
	}
}

static void check_encoded(const pd_buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++) {
		char c = b->ptr[i];
		if (c == '%') {
			FZ_CHECK(i + 2 < b->len);
			FZ_CHECK(strchr("0123456789ABCDEF", b->ptr[i + 1]) &&
			         strchr("0123456789ABCDEF", b->ptr[i + 2]));
			i += 2;
			continue;
		}
		FZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		         c == '_' || c == '~');
	}
}

/* Encode the fields again and parse that: the same fields. */
static void round_trip(const srv_form *f)
{
	pd_buf b = PD_BUF_INIT((size_t)1 << 26);
	srv_form g;
	pd_rc rc;

	for (size_t i = 0; i < f->n; i++) {
		size_t at;
		if (i)
			FZ_CHECK(pd_buf_putc(&b, '&') == PD_OK);
		at = b.len;
		FZ_CHECK(srv_url_encode(&b, f->fields[i].name) == PD_OK);
		check_encoded(&b, at);
		FZ_CHECK(pd_buf_putc(&b, '=') == PD_OK);
		at = b.len;
		FZ_CHECK(srv_url_encode(&b, f->fields[i].value) == PD_OK);
		check_encoded(&b, at);
	}
	rc = srv_form_parse(&g, b.ptr ? b.ptr : "", b.len);
	FZ_CHECK(rc == PD_OK);
	FZ_CHECK(g.n == f->n);
	for (size_t i = 0; i < g.n; i++) {
		FZ_CHECK(!strcmp(g.fields[i].name, f->fields[i].name));
		FZ_CHECK(!strcmp(g.fields[i].value, f->fields[i].value));
	}
	srv_form_dispose(&g);
	pd_buf_dispose(&b);
}

static int cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	       (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

static void cookies(const char *header)
{
	static const char *const names[] = {"purdah_session", "purdah_login",
	                                    "a", "b"};
	static const size_t sizes[] = {1, 2, 65, 4096};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			char out[4096], pat[32];
			size_t len;
			memset(out, 'Z', sizeof(out));
			if (!srv_cookie_get(header, names[i], out, sizes[k]))
				continue;
			len = strnlen(out, sizes[k]);
			FZ_CHECK(len < sizes[k]);
			for (size_t j = 0; j < len; j++)
				FZ_CHECK(cookie_octet((unsigned char)out[j]));
			snprintf(pat, sizeof(pat), "%s=", names[i]);
			FZ_CHECK(strstr(header, pat) != NULL);
		}
	FZ_CHECK(!srv_cookie_get(NULL, "a", (char[8]){0}, 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	srv_form f;
	char *str;
	pd_rc rc;

	if (size > (1u << 20))
		return 0;
	rc = srv_form_parse(&f, s, size);
	if (rc == PD_OK) {
		check_fields(&f);
		round_trip(&f);
	} else {
		FZ_CHECK(rc == PD_EINVALID || rc == PD_ENOMEM);
		FZ_CHECK(pd_error_code() == rc);
		FZ_CHECK(rc == PD_ENOMEM ||
		         !strncmp(pd_error_message(), "form: ", 6));
		FZ_CHECK(f.n == 0 && f.fields == NULL);
	}
	srv_form_dispose(&f);

	/* As a Cookie header and as a value to encode: up to the first NUL. */
	if (!(str = pd_strndup(s, size)))
		return 0;
	cookies(str);
	{
		pd_buf b = PD_BUF_INIT((size_t)1 << 26);
		srv_form g;
		FZ_CHECK(pd_buf_puts(&b, "v=") == PD_OK);
		FZ_CHECK(srv_url_encode(&b, str) == PD_OK);
		check_encoded(&b, 2);
		/* Decoding gives the value back when it is text. */
		if (srv_form_parse(&g, b.ptr, b.len) == PD_OK) {
			FZ_CHECK(g.n == 1 && !strcmp(g.fields[0].value, str));
		} else {
			FZ_CHECK(!text_ok((const unsigned char *)str,
			                  strlen(str)) ||
			         strlen(str) > SRV_FORM_MAX_VALUE);
		}
		srv_form_dispose(&g);
		pd_buf_dispose(&b);
	}
	pd_free(str);
	pd_error_clear();
	return 0;
}
