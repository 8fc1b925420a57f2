/*
 * The jansson adapter. pd_json is jansson's json_t behind an opaque name.
 */
#include "purdah/json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dep/utf8.h"
#include "purdah/alloc.h"

#define J(v) ((json_t *)(v))
#define P(v) ((pd_json *)(v))

pd_json *pd_json_object(void)
{
	return P(json_object());
}

pd_json *pd_json_array(void)
{
	return P(json_array());
}

/* Copy `s` replacing every invalid UTF-8 sequence with U+FFFD. */
static char *utf8_sanitise(const char *s)
{
	size_t n = strlen(s), i = 0;
	pd_buf b = PD_BUF_INIT((size_t)-1 / 4);

	while (i < n) {
		int32_t cp;
		size_t len = pd_utf8_decode((const unsigned char *)s + i, n - i,
		                            &cp);
		if (cp >= 0 ? pd_buf_put(&b, s + i, len) < 0
		            : pd_buf_puts(&b, "\xEF\xBF\xBD") < 0)
			goto fail;
		i += len; /* an invalid byte: 1 */
	}
	return pd_buf_detach(&b);
fail:
	pd_buf_dispose(&b);
	return NULL;
}

pd_json *pd_json_string(const char *s)
{
	json_t *v;
	char *clean;

	if (!s)
		return P(json_null());
	v = json_string(s);
	if (v)
		return P(v);
	clean = utf8_sanitise(s);
	if (!clean)
		return NULL;
	v = json_string(clean);
	pd_free(clean);
	return P(v);
}

pd_json *pd_json_int(int64_t v)
{
	return P(json_integer((json_int_t)v));
}

pd_json *pd_json_bool(bool v)
{
	return P(json_boolean(v));
}

pd_json *pd_json_null(void)
{
	return P(json_null());
}

pd_json *pd_json_real(double v)
{
	return P(json_real(v));
}

pd_rc pd_json_set(pd_json *obj, const char *key, pd_json *v)
{
	if (!v || json_object_set_new(J(obj), key, J(v)) != 0)
		return pd_error_set(PD_ENOMEM, "out of memory building JSON");
	return PD_OK;
}

pd_rc pd_json_set_str(pd_json *obj, const char *key, const char *s)
{
	return pd_json_set(obj, key, pd_json_string(s));
}

pd_rc pd_json_set_int(pd_json *obj, const char *key, int64_t v)
{
	return pd_json_set(obj, key, pd_json_int(v));
}

pd_rc pd_json_set_bool(pd_json *obj, const char *key, bool v)
{
	return pd_json_set(obj, key, pd_json_bool(v));
}

pd_rc pd_json_append(pd_json *arr, pd_json *v)
{
	if (!v || json_array_append_new(J(arr), J(v)) != 0)
		return pd_error_set(PD_ENOMEM, "out of memory building JSON");
	return PD_OK;
}

pd_rc pd_json_dump(pd_buf *out, const pd_json *v, bool pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
	               (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	char *s = json_dumps(J(v), flags);
	pd_rc rc;

	if (!s)
		return pd_error_set(PD_ENOMEM, "out of memory writing JSON");
	rc = pd_buf_puts(out, s);
	free(s);
	return rc;
}

static pd_rc parse(pd_json **out, const char *name, size_t line,
                   const char *text, size_t len, size_t flags)
{
	json_error_t err;
	json_t *v = json_loadb(text, len,
	                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | flags,
	                       &err);

	if (!v)
		return pd_error_set(
		        PD_EINVALID, "%s:%zu:%d: %s", name,
		        line - 1 + (size_t)(err.line > 0 ? err.line : 1),
		        err.column, err.text);
	*out = P(v);
	return PD_OK;
}

pd_rc pd_json_parse_at(pd_json **out, const char *name, size_t line,
                       const char *text, size_t len)
{
	return parse(out, name, line, text, len, JSON_ALLOW_NUL);
}

pd_rc pd_json_parse(pd_json **out, const char *name, const char *text,
                    size_t len)
{
	return parse(out, name, 1, text, len, 0);
}

pd_json *pd_json_get(const pd_json *obj, const char *key)
{
	return json_is_object(J(obj)) ? P(json_object_get(J(obj), key)) : NULL;
}

bool pd_json_is_object(const pd_json *v)
{
	return v && json_is_object(J(v));
}

bool pd_json_is_string(const pd_json *v)
{
	return v && json_is_string(J(v));
}

bool pd_json_is_true(const pd_json *v)
{
	return v && json_is_true(J(v));
}

bool pd_json_is_array(const pd_json *v)
{
	return v && json_is_array(J(v));
}

bool pd_json_is_null(const pd_json *v)
{
	return v && json_is_null(J(v));
}

const char *pd_json_str(const pd_json *v)
{
	return v && json_is_string(J(v)) ? json_string_value(J(v)) : NULL;
}

size_t pd_json_strlen(const pd_json *v)
{
	return v && json_is_string(J(v)) ? json_string_length(J(v)) : 0;
}

bool pd_json_is_integer(const pd_json *v)
{
	return v && json_is_integer(J(v));
}

int64_t pd_json_integer(const pd_json *v)
{
	return v && json_is_integer(J(v)) ? (int64_t)json_integer_value(J(v))
	                                  : 0;
}

double pd_json_number(const pd_json *v)
{
	return v && json_is_number(J(v)) ? json_number_value(J(v)) : 0;
}

pd_json *pd_json_ref(pd_json *v)
{
	return P(json_incref(J(v)));
}

const char *pd_json_unknown_key(const pd_json *obj, const char *const *known,
                                size_t n)
{
	const char *key;
	json_t *val;

	if (!json_is_object(J(obj)))
		return NULL;
	json_object_foreach(J(obj), key, val)
	{
		size_t i = 0;
		(void)val;
		while (i < n && strcmp(key, known[i]) != 0)
			i++;
		if (i == n)
			return key;
	}
	return NULL;
}

size_t pd_json_array_size(const pd_json *v)
{
	return v && json_is_array(J(v)) ? json_array_size(J(v)) : 0;
}

pd_json *pd_json_array_get(const pd_json *v, size_t i)
{
	return v && json_is_array(J(v)) ? P(json_array_get(J(v), i)) : NULL;
}

void pd_json_free(pd_json *v)
{
	if (v)
		json_decref(J(v));
}
