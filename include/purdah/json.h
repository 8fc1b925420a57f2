/*
 * JSON values for output and for requests (backed by jansson in
 * src/dep/json.c, the only file that includes <jansson.h>). Keys keep their
 * insertion order, so output is deterministic.
 *
 * Ownership: pd_json_set()/pd_json_append() take the value they are given
 * (even on failure); getters borrow.
 */
#ifndef PURDAH_JSON_H
#define PURDAH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/buf.h"
#include "purdah/error.h"

typedef struct pd_json pd_json;

pd_json *pd_json_object(void);
pd_json *pd_json_array(void);
/* A string value; invalid UTF-8 is replaced by U+FFFD. NULL s -> null. */
pd_json *pd_json_string(const char *s);
pd_json *pd_json_int(int64_t v);
pd_json *pd_json_bool(bool v);
pd_json *pd_json_null(void);
pd_json *pd_json_real(double v);

/* Set obj[key] = v (v taken). PD_ENOMEM when v is NULL or on failure. */
pd_rc pd_json_set(pd_json *obj, const char *key, pd_json *v);
pd_rc pd_json_set_str(pd_json *obj, const char *key, const char *s);
pd_rc pd_json_set_int(pd_json *obj, const char *key, int64_t v);
pd_rc pd_json_set_bool(pd_json *obj, const char *key, bool v);
pd_rc pd_json_append(pd_json *arr, pd_json *v);

/* Serialise into `out`: pretty (2-space indent) or compact on one line. */
pd_rc pd_json_dump(pd_buf *out, const pd_json *v, bool pretty);

/*
 * Parse `len` bytes; PD_EINVALID "name:line:col: reason" when malformed.
 * Depth and size are bounded by the caller's buffer and jansson's own depth
 * limit. Free with pd_json_free().
 */
pd_rc pd_json_parse(pd_json **out, const char *name, const char *text,
                    size_t len);
/* The same for text that starts on line `line` of `name` (JSON Lines);
 * strings may hold \u0000 (read their length with pd_json_strlen). */
pd_rc pd_json_parse_at(pd_json **out, const char *name, size_t line,
                       const char *text, size_t len);

/* Readers (NULL/0/false when absent or of another type). */
pd_json *pd_json_get(const pd_json *obj, const char *key);
bool pd_json_is_object(const pd_json *v);
bool pd_json_is_string(const pd_json *v);
bool pd_json_is_array(const pd_json *v);
bool pd_json_is_null(const pd_json *v);
bool pd_json_is_true(const pd_json *v);
const char *pd_json_str(const pd_json *v);
/* The length of a string value (it may hold NUL bytes), 0 otherwise. */
size_t pd_json_strlen(const pd_json *v);
bool pd_json_is_integer(const pd_json *v);
/* An integer's value (0 for anything else). */
int64_t pd_json_integer(const pd_json *v);
/* A number's value, integer or real (0 for anything else). */
double pd_json_number(const pd_json *v);
/* Another reference to `v` (for pd_json_set of a borrowed value). */
pd_json *pd_json_ref(pd_json *v);
/* The first key of `obj` not among the `n` keys of `known`, or NULL. */
const char *pd_json_unknown_key(const pd_json *obj, const char *const *known,
                                size_t n);
size_t pd_json_array_size(const pd_json *v);
pd_json *pd_json_array_get(const pd_json *v, size_t i);

void pd_json_free(pd_json *v);

#endif
