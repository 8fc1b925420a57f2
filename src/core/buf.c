/*
 * The capped growable buffer (see include/purdah/buf.h).
 */
#include "purdah/buf.h"

#include <stdio.h>
#include <string.h>

#include "purdah/alloc.h"

pd_rc pd_buf_reserve(pd_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->limit || b->len > b->limit - extra)
		return pd_error_set(PD_ETOOBIG, "more than %zu bytes",
		                    b->limit);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return PD_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	p = pd_realloc(b->ptr, ncap);
	if (!p)
		return pd_error_set(PD_ENOMEM, "out of memory");
	b->ptr = p;
	b->cap = ncap;
	return PD_OK;
}

pd_rc pd_buf_put(pd_buf *b, const void *data, size_t n)
{
	pd_rc rc = pd_buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return PD_OK;
}

pd_rc pd_buf_puts(pd_buf *b, const char *s)
{
	return pd_buf_put(b, s, strlen(s));
}

pd_rc pd_buf_putc(pd_buf *b, char c)
{
	return pd_buf_put(b, &c, 1);
}

pd_rc pd_buf_vprintf(pd_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	pd_rc rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return pd_error_set(PD_EINTERNAL, "bad format string");
	if ((rc = pd_buf_reserve(b, (size_t)n)) < 0)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return PD_OK;
}

pd_rc pd_buf_printf(pd_buf *b, const char *fmt, ...)
{
	va_list ap;
	pd_rc rc;

	va_start(ap, fmt);
	rc = pd_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void pd_buf_clear(pd_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *pd_buf_detach(pd_buf *b)
{
	char *p = b->ptr;

	if (!p)
		p = pd_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void pd_buf_dispose(pd_buf *b)
{
	pd_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}
