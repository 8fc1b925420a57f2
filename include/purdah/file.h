/*
 * Files: capped reads, atomic writes (temp file + fsync + rename, so an
 * existing file is never left half-written), and directory listing.
 */
#ifndef PURDAH_FILE_H
#define PURDAH_FILE_H

#include <stdio.h>

#include "purdah/buf.h"
#include "purdah/error.h"

/* Limits on files from outside. */
#define PD_MAX_CALENDAR_BYTES (16u * 1024 * 1024)
#define PD_MAX_CONFIG_BYTES   (1u * 1024 * 1024)

/*
 * Append the whole of `path` ("-" = standard input) to `out`, whose limit
 * applies. PD_ENOINPUT when it cannot be opened, PD_ETOOBIG over the limit,
 * PD_EIO on a read error; the message names the file.
 */
pd_rc pd_file_read(pd_buf *out, const char *path);

/* Same, from an open stream; `name` is used in messages. */
pd_rc pd_file_read_stream(pd_buf *out, FILE *f, const char *name);

/*
 * Replace `path` with `len` bytes of `data` atomically: written to a
 * temporary file in the same directory, flushed to disk, renamed over
 * `path`. The directory is created (one level) when missing. On failure the
 * old file is untouched. PD_EIO with a message naming the file.
 */
pd_rc pd_file_write_atomic(const char *path, const char *data, size_t len);

/* 1 when `path` exists (any type), 0 otherwise. */
int pd_file_exists(const char *path);
/* 1 when `path` is a directory. */
int pd_file_is_dir(const char *path);

/*
 * List regular files under `dir` (recursively) whose names end in `suffix`,
 * sorted by path (bytewise) so loading order is deterministic. `*out` gets an
 * array of `*count` strings; free with pd_file_list_free().
 * PD_ENOINPUT when `dir` cannot be opened.
 */
pd_rc pd_file_list(char ***out, size_t *count, const char *dir,
                   const char *suffix);
void pd_file_list_free(char **list, size_t count);

#endif
