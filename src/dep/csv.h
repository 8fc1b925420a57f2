/*
 * The libcsv adapter's interface (private to libpurdah): RFC 4180 CSV, one
 * callback per row with the line the row ends on, and the one field writer
 * of the CSV that purdah writes (audit export, report, review page export).
 */
#ifndef PURDAH_DEP_CSV_H
#define PURDAH_DEP_CSV_H

#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"

#define PD_CSV_MAX_FIELDS 512
#define PD_CSV_MAX_FIELD  (64u * 1024)

/* `fields` are NUL-terminated, borrowed for the call. */
typedef pd_rc (*pd_csv_row_fn)(void *ctx, int line, const char *const *fields,
                               size_t nfields);

/* Parse `len` bytes; PD_EINVALID "name:line: reason" for malformed CSV or
 * a limit; a negative return from `fn` stops and is returned. */
pd_rc pd_csv_parse(const char *name, const char *text, size_t len,
                   pd_csv_row_fn fn, void *ctx);

/* How pd_csv_field writes a field. */
#define PD_CSV_LAST 1u /* the row's last: "\r\n" after it, not "," */
#define PD_CSV_QUOTE                                                           \
	2u /* always quoted; else only when it holds a comma,                  \
	    * a quote or a line break, or starts or ends with                  \
	    * a space */
#define PD_CSV_GUARD                                                           \
	4u /* a ' before a field that starts with = + - @ tab                  \
	    * or CR (OWASP "CSV injection") */
#define PD_CSV_NUMBER                                                          \
	8u /* with PD_CSV_GUARD: none before "-" alone or a signed number */
#define PD_CSV_NUL 16u /* a NUL byte written as U+FFFD */

/* Append the `len` bytes of `s` (NULL: empty) to `b` as one CSV field
 * (RFC 4180: quotes doubled), then "," or "\r\n", as `flags` say. */
pd_rc pd_csv_field(pd_buf *b, const char *s, size_t len, unsigned flags);

#endif
