/*
 * One growable byte buffer with a hard cap, for everything that comes from
 * outside (calendar and lexicon files, request bodies, feed documents). Growth
 * past the cap is PD_ETOOBIG with a clear message, never an unbounded
 * allocation. The content is always NUL-terminated (ptr[len] == 0) once
 * anything was added.
 */
#ifndef PURDAH_BUF_H
#define PURDAH_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "purdah/error.h"

typedef struct pd_buf {
	char *ptr;
	size_t len;
	size_t cap;   /* allocated bytes */
	size_t limit; /* maximum len */
} pd_buf;

#define PD_BUF_INIT(limit_)                                                    \
	{                                                                      \
		NULL, 0, 0, (limit_)                                           \
	}

/* Make room for `extra` more bytes (plus the terminator). */
pd_rc pd_buf_reserve(pd_buf *b, size_t extra);
pd_rc pd_buf_put(pd_buf *b, const void *data, size_t n);
pd_rc pd_buf_puts(pd_buf *b, const char *s);
pd_rc pd_buf_putc(pd_buf *b, char c);
pd_rc pd_buf_printf(pd_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;
pd_rc pd_buf_vprintf(pd_buf *b, const char *fmt, va_list ap);
/* Forget the content, keep the memory. */
void pd_buf_clear(pd_buf *b);
/* Hand the content to the caller (free with pd_free); the buffer is reset. */
char *pd_buf_detach(pd_buf *b);
/* Free the memory; the buffer can be reused. Accepts a zeroed buffer. */
void pd_buf_dispose(pd_buf *b);

#endif
