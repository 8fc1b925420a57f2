/*
 * HTML escaping and highlighting (src/core/html.c): what the review pages
 * and the report show of attacker-controlled text.
 */
#include "testutil.h"

#include <string.h>

#include "purdah/alloc.h"
#include "purdah/html.h"
#include "purdah/json.h"

static char *esc(const char *s, size_t len)
{
	pd_buf b = PD_BUF_INIT(1 << 20);
	char *out;

	assert_int_equal(pd_html_escape_n(&b, s, len), PD_OK);
	out = pd_strndup(b.ptr ? b.ptr : "", b.len);
	pd_buf_dispose(&b);
	return out;
}

static char *hl(const char *text, const char *hits_json)
{
	pd_buf b = PD_BUF_INIT(1 << 20);
	pd_json *hits = NULL;
	char *out;

	assert_int_equal(
	        pd_json_parse(&hits, "hits", hits_json, strlen(hits_json)),
	        PD_OK);
	assert_int_equal(pd_html_highlight(&b, text, strlen(text), hits),
	                 PD_OK);
	out = pd_strndup(b.ptr ? b.ptr : "", b.len);
	pd_buf_dispose(&b);
	pd_json_free(hits);
	return out;
}

static void test_escape_markup(void **state)
{
	const char *in = "<script>alert('x')</script> & \"q\" <img "
	                 "src=x onerror=alert(1)>";
	char *out = esc(in, strlen(in));

	(void)state;
	assert_string_equal(out,
	                    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
	                    "&amp; &quot;q&quot; &lt;img src=x "
	                    "onerror=alert(1)&gt;");
	assert_null(strchr(out, '<'));
	pd_free(out);
	out = NULL;
	assert_int_equal(pd_html_escape(NULL, NULL), PD_OK);
}

static void test_escape_bytes(void **state)
{
	/* NUL, ESC, DEL, a C1 control, a lone continuation byte, an
	 * overlong '<', a surrogate; valid UTF-8 stays. */
	static const char in[] = "a\0b\x1b[31m\x7f\xc2\x85\x80"
	                         "\xc0\xbc\xed\xa0\x80 caf\xc3\xa9 \xe2\x82\xac"
	                         "\t\n";
	char *out = esc(in, sizeof(in) - 1);
	/* One U+FFFD per byte that is not valid: 9 after "[31m". */
#define R "\xEF\xBF\xBD"
	const char *want = "a" R "b" R "[31m" R R R R R R R R R
	                   " caf\xc3\xa9 \xe2\x82\xac\t\n";
#undef R

	(void)state;
	assert_string_equal(out, want);
	pd_free(out);
}

static void test_highlight_marks_hits(void **state)
{
	const char *text = "Vote <Labour> on\nThursday";
	char *out =
	        hl(text, "[{\"start\":6,\"end\":12,\"category\":\"party\","
	                 "\"weight\":5},{\"start\":0,\"end\":4,"
	                 "\"category\":\"electioneering\",\"weight\":2.5}]");

	(void)state;
	assert_string_equal(out, "<mark title=\"electioneering (+2.5)\">Vote"
	                         "</mark> &lt;<mark title=\"party (+5)\">Labour"
	                         "</mark>&gt; on<br>\nThursday");
	pd_free(out);
}

static void test_highlight_skips_bad_hits(void **state)
{
	/* Out of range, empty, negative, overlapping, not objects, and a
	 * category that tries to break out of the attribute. */
	char *out = hl("abcdef",
	               "[{\"start\":2,\"end\":99},{\"start\":3,\"end\":3},"
	               "{\"start\":-1,\"end\":2},{\"start\":\"0\",\"end\":2},7,"
	               "{\"start\":0,\"end\":3,\"category\":\"\\\"><b>\"},"
	               "{\"start\":1,\"end\":4,\"category\":\"x\"}]");

	(void)state;
	assert_string_equal(out, "<mark title=\"&quot;&gt;&lt;b&gt; (+0)\">abc"
	                         "</mark>def");
	pd_free(out);
	out = hl("a&b", "null");
	assert_string_equal(out, "a&amp;b");
	pd_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_escape_markup),
	        cmocka_unit_test(test_escape_bytes),
	        cmocka_unit_test(test_highlight_marks_hits),
	        cmocka_unit_test(test_highlight_skips_bad_hits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
