/*
 * The libcsv adapter's interface (private to libpurdah): RFC 4180 CSV, one
 * callback per row with the line the row ends on.
 */
#ifndef PURDAH_DEP_CSV_H
#define PURDAH_DEP_CSV_H

#include <stddef.h>

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

#endif
