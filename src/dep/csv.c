/*
 * The libcsv adapter: the only file that includes <csv.h>. The text is fed
 * a line at a time so that errors can name the line.
 */
#include "dep/csv.h"

#include <csv.h>
#include <stdbool.h>
#include <string.h>

#include "purdah/alloc.h"

typedef struct {
	const char *name;
	char *fields[PD_CSV_MAX_FIELDS];
	size_t n;
	int line;
	pd_csv_row_fn fn;
	void *ctx;
	pd_rc rc;
} state;

static void clear(state *s)
{
	for (size_t i = 0; i < s->n; i++)
		pd_free(s->fields[i]);
	s->n = 0;
}

static void on_field(void *data, size_t len, void *vs)
{
	state *s = vs;

	if (s->rc < 0)
		return;
	if (s->n == PD_CSV_MAX_FIELDS) {
		s->rc = pd_error_set(PD_EINVALID, "%s:%d: more than %d fields",
		                     s->name, s->line, PD_CSV_MAX_FIELDS);
		return;
	}
	if (len > PD_CSV_MAX_FIELD) {
		s->rc = pd_error_set(PD_EINVALID,
		                     "%s:%d: a field longer than %u "
		                     "bytes",
		                     s->name, s->line, PD_CSV_MAX_FIELD);
		return;
	}
	if (memchr(data, '\0', len)) {
		s->rc = pd_error_set(PD_EINVALID, "%s:%d: NUL byte in a field",
		                     s->name, s->line);
		return;
	}
	s->fields[s->n] = pd_strndup(data ? data : "", data ? len : 0);
	if (!s->fields[s->n])
		s->rc = pd_error_set(PD_ENOMEM, "out of memory");
	else
		s->n++;
}

static void on_row(int c, void *vs)
{
	state *s = vs;

	(void)c;
	if (s->rc == PD_OK)
		s->rc = s->fn(s->ctx, s->line, (const char *const *)s->fields,
		              s->n);
	clear(s);
}

pd_rc pd_csv_parse(const char *name, const char *text, size_t len,
                   pd_csv_row_fn fn, void *ctx)
{
	struct csv_parser p;
	state s;
	size_t i = 0;

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.fn = fn;
	s.ctx = ctx;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return pd_error_set(PD_ENOMEM, "out of memory");
	while (i < len && s.rc == PD_OK) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
		s.line++;
		if (csv_parse(&p, text + i, n, on_field, on_row, &s) != n &&
		    s.rc == PD_OK)
			s.rc = pd_error_set(PD_EINVALID, "%s:%d: %s", name,
			                    s.line,
			                    csv_strerror(csv_error(&p)));
		i += n;
	}
	if (s.rc == PD_OK && csv_fini(&p, on_field, on_row, &s) != 0)
		s.rc = pd_error_set(PD_EINVALID, "%s:%d: %s", name, s.line,
		                    csv_strerror(csv_error(&p)));
	clear(&s);
	csv_free(&p);
	return s.rc;
}

/* Whether a spreadsheet could read `s` as a formula (PD_CSV_GUARD). A NUL
 * first counts too, unless it is written as U+FFFD. */
static bool formula_like(const char *s, size_t len, unsigned flags)
{
	size_t i = 1;

	if (!len || !strchr("=+-@\t\r", s[0]) ||
	    (!s[0] && (flags & PD_CSV_NUL)))
		return false;
	if (!(flags & PD_CSV_NUMBER) || (s[0] != '+' && s[0] != '-'))
		return true;
	if (len == 1)
		return false;
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	return i < len;
}

pd_rc pd_csv_field(pd_buf *b, const char *s, size_t len, unsigned flags)
{
	bool quote = (flags & PD_CSV_QUOTE) != 0;
	pd_rc rc = PD_OK;

	if (!s) {
		s = "";
		len = 0;
	}
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		        s[i] == '\n';
	quote = quote || (len && (s[0] == ' ' || s[len - 1] == ' '));
	if (quote)
		rc = pd_buf_putc(b, '"');
	if (rc == PD_OK && (flags & PD_CSV_GUARD) &&
	    formula_like(s, len, flags))
		rc = pd_buf_putc(b, '\'');
	for (size_t i = 0; i < len && rc == PD_OK;) {
		size_t n = 0;
		while (i + n < len && s[i + n] != '"' &&
		       (s[i + n] || !(flags & PD_CSV_NUL)))
			n++;
		if (n) {
			rc = pd_buf_put(b, s + i, n);
		} else if (s[i] == '"') {
			rc = pd_buf_puts(b, "\"\"");
			n = 1;
		} else {
			rc = pd_buf_puts(b, "\xEF\xBF\xBD"); /* NUL */
			n = 1;
		}
		i += n;
	}
	if (rc == PD_OK && quote)
		rc = pd_buf_putc(b, '"');
	if (rc == PD_OK)
		rc = flags & PD_CSV_LAST ? pd_buf_puts(b, "\r\n")
		                         : pd_buf_putc(b, ',');
	return rc;
}
