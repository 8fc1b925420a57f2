/*
 * The filter (include/purdah/filter.h) over the shipped lexicons and an
 * in-memory calendar: each feed format suspended in a period and untouched
 * outside it, the period's edge to the second, council posts item by item,
 * the notice's wording, id and date, the input's encoding kept, safe
 * parsing (XXE, billion laughs, broken XML, undeclared prefixes, size),
 * HTML fragments and pages with data-purdah and XPath selectors, escaping,
 * text, format detection and the next period boundary.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/filter.h"

/* An election (31 Mar - 6 May 2027, a name to escape), an Abbey
 * by-election (12 Nov - 17 Dec 2026) and a freeze (1 Jun 2027 10:00 -
 * 12:00 London). */
static const char ics[] =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
        "BEGIN:VEVENT\nUID:e27\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;VALUE=DATE:20270331\nDTEND;VALUE=DATE:20270507\n"
        "SUMMARY:Northbridge <BC> & elections 2027\nCATEGORIES:ELECTION\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:abbey\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;VALUE=DATE:20261112\nDTEND;VALUE=DATE:20261218\n"
        "SUMMARY:Abbey ward by-election\nCATEGORIES:BY-ELECTION\n"
        "X-PURDAH-AREA:Abbey\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:frz\nDTSTAMP:20261101T000000Z\n"
        "DTSTART:20270601T090000Z\nDTEND:20270601T110000Z\n"
        "SUMMARY:Emergency freeze\nCATEGORIES:FREEZE\nEND:VEVENT\n"
        "END:VCALENDAR\n";

#define OUTSIDE  "2027-01-15T12:00"
#define ELECTION "2027-04-20T12:00"
#define FREEZE   "2027-06-01T10:30"

typedef struct {
	pd_config *cfg;
	pd_calendar *cal;
	pd_lexset *set;
	pd_matcher *m;
	pd_gate *g;
	pd_filter_result r;
	const char *areas[2];
	pd_filter_opts o;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	pd_filter_result init = PD_FILTER_RESULT_INIT;

	if (!f)
		return -1;
	f->r = init;
	f->cal = tu_calendar(ics, 0);
	if (pd_config_default(&f->cfg) < 0 ||
	    tu_shipped_matcher(&f->set, &f->m) < 0 ||
	    pd_gate_new(&f->g, f->cfg, f->cal, f->set, f->m) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	pd_filter_result_dispose(&f->r);
	pd_gate_free(f->g);
	pd_matcher_free(f->m);
	pd_lexset_free(f->set);
	pd_config_free(f->cfg);
	pd_calendar_free(f->cal);
	free(f);
	return 0;
}

/* Filter `in` as `cls` at `when` (any pd_time_parse form); the rc. */
static pd_rc run(fixture *f, const char *in, pd_class cls, const char *when,
                 pd_format fmt)
{
	memset(&f->o, 0, sizeof(f->o));
	f->o.cls = cls;
	f->o.at = tu_time(when);
	f->o.format = fmt;
	return pd_filter_run(f->g, &f->o, "t.xml", in, strlen(in), &f->r);
}

static void ok(fixture *f, const char *in, pd_class cls, const char *when)
{
	if (run(f, in, cls, when, PD_FORMAT_AUTO) < 0)
		fail_msg("filter: %s", pd_error_message());
}

static const char *out(const fixture *f)
{
	return f->r.out.ptr;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define HAS(f, s)                                                              \
	do {                                                                   \
		if (!strstr(out(f), (s)))                                      \
			fail_msg("'%s' not in:\n%s", (s), out(f));             \
	} while (0)
#define HASNT(f, s)                                                            \
	do {                                                                   \
		if (strstr(out(f), (s)))                                       \
			fail_msg("'%s' in:\n%s", (s), out(f));                 \
	} while (0)

static const char rss2[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<rss version=\"2.0\">\n<channel>\n<title>Members</title>\n"
        "<link>https://nb.example/members</link>\n"
        "<description>Updates</description>\n"
        "<item><title>Surgery on Saturday</title>"
        "<description>&lt;p&gt;Cllr Mark Green holds a "
        "surgery.&lt;/p&gt;</description>"
        "<guid>https://nb.example/1</guid></item>\n"
        "<item><title>Park reopens</title>"
        "<description>The park is open again.</description>"
        "<guid>https://nb.example/2</guid></item>\n"
        "</channel>\n</rss>\n";

/* ------------------------------------------------------------------------ */
/* Feeds suspended, and untouched outside a period                          */

static void test_rss2_councillor_feed_suspended_in_period(void **state)
{
	fixture *f = *state;

	ok(f, rss2, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_RSS);
	assert_int_equal(f->r.decision, PD_BLOCK);
	assert_string_equal(f->r.reason, "councillor-feed-suspended");
	assert_non_null(f->r.period);
	assert_string_equal(f->r.period->uid, "e27");
	assert_int_equal(f->r.items, 2);
	assert_int_equal(f->r.removed, 2);
	assert_int_equal(f->r.nremoved_items, 2);
	assert_string_equal(f->r.removed_items[0].id, "https://nb.example/1");
	assert_string_equal(f->r.removed_items[1].title, "Park reopens");
	assert_true(f->r.changed);
	assert_int_equal(count(out(f), "<item>"), 1);
	HASNT(f, "Surgery");
	HASNT(f, "Park reopens");
	/* The channel's own metadata stays. */
	HAS(f, "<title>Members</title>");
	HAS(f, "<description>Updates</description>");
	HAS(f, "<title>Councillors' updates paused</title>");
	HAS(f, "<guid isPermaLink=\"false\">urn:purdah:notice:e27:"
	       "councillor-feed</guid>");
	HAS(f, "<pubDate>Tue, 30 Mar 2027 23:00:00 GMT</pubDate>");
	HAS(f, "<link>https://nb.example/members</link>");
	/* The period's name, escaped. */
	HAS(f, "Councillors' updates are paused during the pre-election "
	       "period for Northbridge &lt;BC&gt; &amp; elections 2027, until "
	       "Thu 6 May 2027.");
	/* Valid until the period ends (7 May 00:00 BST). */
	tu_assert_utc(f->r.valid_until, "2027-05-06T23:00:00Z");
}

static void test_notice_is_the_same_all_period(void **state)
{
	fixture *f = *state;
	char *first;

	ok(f, rss2, PD_CLASS_COUNCILLOR_FEED, "2027-04-01T08:00");
	first = strdup(out(f));
	ok(f, rss2, PD_CLASS_COUNCILLOR_FEED, "2027-05-06T21:00");
	assert_string_equal(first, out(f));
	free(first);
}

static void test_outside_period_output_is_input_bytes(void **state)
{
	fixture *f = *state;

	ok(f, rss2, PD_CLASS_COUNCILLOR_FEED, OUTSIDE);
	assert_int_equal(f->r.decision, PD_ALLOW);
	assert_null(f->r.reason);
	assert_false(f->r.changed);
	assert_int_equal(f->r.items, 2);
	assert_int_equal(f->r.removed, 0);
	assert_int_equal(f->r.out.len, strlen(rss2));
	assert_memory_equal(f->r.out.ptr, rss2, strlen(rss2));
	/* Until the Abbey by-election? No: the next boundary of any period
	 * after 15 Jan 2027 is the election's start, 31 Mar 00:00 BST. */
	tu_assert_utc(f->r.valid_until, "2027-03-30T23:00:00Z");
}

static void test_period_start_to_the_second(void **state)
{
	fixture *f = *state;

	ok(f, rss2, PD_CLASS_THIRD_PARTY, "2027-03-30T23:59:59+01:00");
	assert_false(f->r.changed);
	tu_assert_utc(f->r.valid_until, "2027-03-30T23:00:00Z");
	ok(f, rss2, PD_CLASS_THIRD_PARTY, "2027-03-31T00:00:00+01:00");
	assert_true(f->r.changed);
	assert_string_equal(f->r.reason, "third-party-suspended");
	HAS(f, "Material from other organisations is paused");
	HAS(f, "urn:purdah:notice:e27:third-party");
	/* And its end: the last second in, the first out. */
	ok(f, rss2, PD_CLASS_THIRD_PARTY, "2027-05-06T23:59:59+01:00");
	assert_true(f->r.changed);
	ok(f, rss2, PD_CLASS_THIRD_PARTY, "2027-05-07T00:00:00+01:00");
	assert_false(f->r.changed);
}

static void test_ward_period_only_for_its_area(void **state)
{
	fixture *f = *state;
	const char *castle[] = {"Castle"}, *abbey[] = {"Abbey"};

	memset(&f->o, 0, sizeof(f->o));
	f->o.cls = PD_CLASS_FORUM;
	f->o.at = tu_time("2026-12-01T12:00");
	f->o.areas = castle;
	f->o.nareas = 1;
	assert_int_equal(
	        pd_filter_run(f->g, &f->o, "t", rss2, strlen(rss2), &f->r),
	        PD_OK);
	assert_false(f->r.changed);
	f->o.areas = abbey;
	assert_int_equal(
	        pd_filter_run(f->g, &f->o, "t", rss2, strlen(rss2), &f->r),
	        PD_OK);
	assert_true(f->r.changed);
	assert_string_equal(f->r.reason, "forum-closed");
	HAS(f, "Comments are closed during the pre-election period for Abbey "
	       "ward by-election, until Thu 17 Dec 2026.");
}

static void test_rss1_rdf_lists_only_the_notice(void **state)
{
	fixture *f = *state;
	static const char rdf[] =
	        "<?xml version=\"1.0\"?>\n"
	        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
	        "22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">\n"
	        "<channel rdf:about=\"https://nb.example/\">"
	        "<title>T</title><link>https://nb.example/</link>"
	        "<description>D</description>"
	        "<items><rdf:Seq><rdf:li "
	        "rdf:resource=\"https://nb.example/1\"/>"
	        "<rdf:li rdf:resource=\"https://nb.example/2\"/></rdf:Seq>"
	        "</items></channel>\n"
	        "<item rdf:about=\"https://nb.example/1\"><title>One</title>"
	        "<link>https://nb.example/1</link></item>\n"
	        "<item rdf:about=\"https://nb.example/2\"><title>Two</title>"
	        "<link>https://nb.example/2</link></item>\n"
	        "</rdf:RDF>\n";

	ok(f, rdf, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	assert_int_equal(f->r.items, 2);
	assert_int_equal(count(out(f), "<item "), 1);
	assert_int_equal(count(out(f), "<rdf:li "), 1);
	HAS(f, "<rdf:li rdf:resource=\"urn:purdah:notice:e27:councillor-feed"
	       "\"/>");
	HAS(f, "<item xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	       "rdf:about=\"urn:purdah:notice:e27:councillor-feed\">");
	HAS(f, "<dc:date>2027-03-30T23:00:00Z</dc:date>");
	HASNT(f, "<title>One</title>");
}

static void test_rss090_suspended(void **state)
{
	fixture *f = *state;
	static const char r090[] =
	        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
	        "22-rdf-syntax-ns#\" "
	        "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">\n"
	        "<channel><title>T</title><link>https://nb.example/</link>"
	        "<description>D</description></channel>\n"
	        "<item><title>One</title><link>https://nb.example/1</link>"
	        "</item>\n</rdf:RDF>\n";

	ok(f, r090, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_RSS);
	assert_int_equal(f->r.items, 1);
	assert_int_equal(count(out(f), "<item>"), 1);
	HAS(f, "<item><title>Councillors' updates paused</title>"
	       "<link>https://nb.example/</link>");
	HASNT(f, "One");
}

static const char atom10[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        "<title>Members</title><id>urn:x:feed</id>"
        "<updated>2027-01-01T00:00:00Z</updated>\n"
        "<link rel=\"alternate\" href=\"https://nb.example/\"/>\n"
        "<entry><title>A</title><id>urn:x:1</id>"
        "<updated>2027-01-01T00:00:00Z</updated>"
        "<summary type=\"html\">&lt;b&gt;Cllr Mark Green&lt;/b&gt; "
        "opened the park</summary></entry>\n"
        "<entry><title>B</title><id>urn:x:2</id>"
        "<updated>2027-01-01T00:00:00Z</updated>"
        "<summary>Library hours</summary></entry>\n"
        "</feed>\n";

static void test_atom10_suspended_with_author(void **state)
{
	fixture *f = *state;

	ok(f, atom10, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_ATOM);
	assert_int_equal(f->r.items, 2);
	assert_int_equal(count(out(f), "<entry>"), 1);
	HAS(f, "<id>urn:purdah:notice:e27:councillor-feed</id>");
	HAS(f, "<updated>2027-03-30T23:00:00Z</updated>");
	HAS(f, "<author><name>the council</name></author>");
	HAS(f, "<link rel=\"alternate\" href=\"https://nb.example/\"/>");
	HAS(f, "<title>Members</title>");
	HASNT(f, "urn:x:1");
}

static void test_atom03_suspended_with_its_names(void **state)
{
	fixture *f = *state;
	static const char a03[] =
	        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
	        "<title>T</title><author><name>N</name></author>"
	        "<entry><title>A</title><id>x:1</id>"
	        "<issued>2027-01-01T00:00:00Z</issued></entry></feed>";

	ok(f, a03, PD_CLASS_THIRD_PARTY, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_ATOM);
	HAS(f, "<issued>2027-03-30T23:00:00Z</issued>");
	HAS(f, "<modified>2027-03-30T23:00:00Z</modified>");
	HASNT(f, "<updated>");
	/* The feed has an author: the entry needs none. */
	assert_int_equal(count(out(f), "<author>"), 1);
	HASNT(f, "x:1");
}

static void test_freeze_holds_without_end_date(void **state)
{
	fixture *f = *state;

	ok(f, rss2, PD_CLASS_COUNCIL_POST, FREEZE);
	assert_int_equal(f->r.decision, PD_HOLD);
	assert_string_equal(f->r.reason, "freeze");
	assert_int_equal(f->r.removed, 2);
	HAS(f, "Council news is paused while the council's publishing is "
	       "frozen.");
	HAS(f, "urn:purdah:notice:frz:council-post");
	ok(f, rss2, PD_CLASS_EMERGENCY, FREEZE);
	assert_false(f->r.changed);
}

/* ------------------------------------------------------------------------ */
/* Council posts, item by item                                              */

static void test_council_post_feed_loses_held_items_only(void **state)
{
	fixture *f = *state;

	ok(f, atom10, PD_CLASS_COUNCIL_POST, ELECTION);
	assert_int_equal(f->r.decision, PD_HOLD);
	assert_string_equal(f->r.reason, "names-person");
	assert_int_equal(f->r.items, 2);
	assert_int_equal(f->r.removed, 1);
	assert_int_equal(f->r.nremoved_items, 1);
	assert_string_equal(f->r.removed_items[0].id, "urn:x:1");
	assert_string_equal(f->r.removed_items[0].reason, "names-person");
	HASNT(f, "urn:x:1");
	HAS(f, "<entry><title>B</title><id>urn:x:2</id>");
	HASNT(f, "urn:purdah:notice");
	/* Outside the period nobody is named in a period: unchanged. */
	ok(f, atom10, PD_CLASS_COUNCIL_POST, OUTSIDE);
	assert_false(f->r.changed);
	assert_memory_equal(f->r.out.ptr, atom10, strlen(atom10));
}

static void test_rdf_item_held_leaves_the_seq(void **state)
{
	fixture *f = *state;
	static const char rdf[] =
	        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
	        "22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
	        "<channel rdf:about=\"c\"><title>T</title><link>l</link>"
	        "<items><rdf:Seq><rdf:li rdf:resource=\"i1\"/>"
	        "<rdf:li rdf:resource=\"i2\"/></rdf:Seq></items></channel>"
	        "<item rdf:about=\"i1\"><title>Labour and the Tories "
	        "agree</title><link>i1</link><description>Vote Labour on "
	        "Thursday</description></item>"
	        "<item rdf:about=\"i2\"><title>Bins</title><link>i2</link>"
	        "</item></rdf:RDF>";

	ok(f, rdf, PD_CLASS_COUNCIL_POST, OUTSIDE);
	assert_int_equal(f->r.decision, PD_HOLD);
	assert_string_equal(f->r.reason, "party-political");
	assert_null(f->r.period);
	assert_string_equal(f->r.removed_items[0].id, "i1");
	assert_int_equal(count(out(f), "<rdf:li "), 1);
	HAS(f, "rdf:resource=\"i2\"");
	HASNT(f, "rdf:resource=\"i1\"");
}

/* ------------------------------------------------------------------------ */
/* Encoding and safety                                                      */

static void test_latin1_feed_stays_latin1(void **state)
{
	fixture *f = *state;
	static const char l1[] =
	        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	        "<rss version=\"2.0\"><channel><title>Caf\xe9 news</title>"
	        "<item><title>x</title></item></channel></rss>\n";

	ok(f, l1, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	assert_true(f->r.changed);
	HAS(f, "encoding=\"ISO-8859-1\"");
	HAS(f, "<title>Caf\xe9 news</title>");
	HASNT(f, "Caf\xc3\xa9");
}

static void test_xxe_is_refused_and_nothing_read(void **state)
{
	fixture *f = *state;
	static const char xxe[] =
	        "<?xml version=\"1.0\"?>\n"
	        "<!DOCTYPE rss [\n"
	        "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
	        "<!ENTITY net SYSTEM \"http://127.0.0.1:9/x\">\n]>\n"
	        "<rss version=\"2.0\"><channel><title>&xxe;&net;</title>"
	        "</channel></rss>\n";

	assert_int_equal(
	        run(f, xxe, PD_CLASS_COUNCIL_POST, OUTSIDE, PD_FORMAT_AUTO),
	        PD_EINVALID);
	assert_string_equal(pd_error_message(),
	                    "t.xml:3: entity declarations are not accepted");
	assert_int_equal(f->r.out.len, 0);
	/* The external DTD subset is not read either. */
	static const char dtd[] =
	        "<!DOCTYPE rss SYSTEM \"file:///etc/passwd\">\n"
	        "<rss version=\"2.0\"><channel><item><title>x</title></item>"
	        "</channel></rss>\n";
	ok(f, dtd, PD_CLASS_COUNCILLOR_FEED, ELECTION);
	HASNT(f, "root:");
	HAS(f, "<!DOCTYPE rss SYSTEM \"file:///etc/passwd\">");
}

static void test_billion_laughs_refused(void **state)
{
	fixture *f = *state;
	static const char lol[] =
	        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	        " <!ENTITY lol \"lol\">\n"
	        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	        "]>\n<rss><channel><title>&lol3;</title></channel></rss>\n";

	assert_int_equal(
	        run(f, lol, PD_CLASS_COUNCILLOR_FEED, ELECTION, PD_FORMAT_RSS),
	        PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "t.xml:3: entity"));
}

static void test_broken_xml_is_an_error_with_line(void **state)
{
	fixture *f = *state;

	assert_int_equal(run(f, "<rss>\n<channel>\n<item></channel></rss>",
	                     PD_CLASS_COUNCILLOR_FEED, OUTSIDE, PD_FORMAT_AUTO),
	                 PD_EINVALID);
	assert_int_equal(strncmp(pd_error_message(), "t.xml:3: ", 9), 0);
	assert_int_equal(f->r.out.len, 0);
	/* An undeclared prefix is an error too. */
	assert_int_equal(run(f,
	                     "<rss><channel><item><x:y>1</x:y></item>"
	                     "</channel></rss>",
	                     PD_CLASS_COUNCILLOR_FEED, OUTSIDE, PD_FORMAT_AUTO),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "t.xml:1: "));
	/* A comment alone is no feed. */
	assert_int_equal(run(f, "<!-- nothing -->\n", PD_CLASS_COUNCILLOR_FEED,
	                     ELECTION, PD_FORMAT_AUTO),
	                 PD_EINVALID);
}

static void test_other_xml_roots_refused(void **state)
{
	fixture *f = *state;

	assert_int_equal(run(f, "<CHANNEL><TITLE>x</TITLE></CHANNEL>",
	                     PD_CLASS_COUNCILLOR_FEED, ELECTION,
	                     PD_FORMAT_AUTO),
	                 PD_EINVALID);
	assert_string_equal(pd_error_message(),
	                    "t.xml: not an RSS or Atom feed (root element "
	                    "<CHANNEL>)");
	assert_int_equal(run(f, atom10, PD_CLASS_COUNCILLOR_FEED, ELECTION,
	                     PD_FORMAT_RSS),
	                 PD_EINVALID);
}

static void test_size_limit(void **state)
{
	fixture *f = *state;

	memset(&f->o, 0, sizeof(f->o));
	f->o.cls = PD_CLASS_COUNCILLOR_FEED;
	f->o.at = tu_time(ELECTION);
	f->o.max_bytes = 100;
	assert_int_equal(
	        pd_filter_run(f->g, &f->o, "t", rss2, strlen(rss2), &f->r),
	        PD_ETOOBIG);
	assert_int_equal(f->r.out.len, 0);
}

/* ------------------------------------------------------------------------ */
/* HTML and text                                                            */

static void test_html_fragment_stays_a_fragment(void **state)
{
	fixture *f = *state;
	static const char frag[] =
	        "<p>Library hours</p>\n"
	        "<div data-purdah=\"councillor-feed\"><p>Cllr Mark Green's "
	        "blog</p></div>\n"
	        "<aside data-purdah=\"\">More</aside>\n";

	ok(f, frag, PD_CLASS_THIRD_PARTY, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_HTML);
	assert_int_equal(f->r.items, 2);
	assert_int_equal(f->r.removed, 2);
	assert_int_equal(f->r.decision, PD_BLOCK);
	HASNT(f, "<html");
	HASNT(f, "<body");
	HAS(f, "<p>Library hours</p>");
	HASNT(f, "blog");
	HAS(f, "<div class=\"purdah-notice\" role=\"note\">Councillors' "
	       "updates are paused during the pre-election period for "
	       "Northbridge &lt;BC&gt; &amp; elections 2027, until Thu 6 May "
	       "2027.</div>");
	HAS(f, "<div class=\"purdah-notice\" role=\"note\">Material from "
	       "other organisations is paused");
	/* Outside: the bytes as they were. */
	ok(f, frag, PD_CLASS_THIRD_PARTY, OUTSIDE);
	assert_false(f->r.changed);
	assert_int_equal(f->r.items, 2);
	assert_memory_equal(f->r.out.ptr, frag, strlen(frag));
}

static void test_html_page_and_council_post_marks(void **state)
{
	fixture *f = *state;
	static const char page[] =
	        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	        "<title>News</title></head><body>\n"
	        "<article data-purdah=\"council-post\">Cllr Mark Green "
	        "opened the park</article>\n"
	        "<article data-purdah=\"council-post\">Bins move to "
	        "Tuesday</article>\n"
	        "<div data-purdah=\"forum\"><div data-purdah=\"forum\">"
	        "nested</div></div>\n"
	        "</body></html>\n";

	ok(f, page, PD_CLASS_COUNCIL_POST, ELECTION);
	assert_int_equal(f->r.items, 4);
	HAS(f, "<!DOCTYPE html>");
	HAS(f, "<html>");
	HAS(f, "<title>News</title>");
	HAS(f, "This item is withheld during the pre-election period for");
	HAS(f, "Bins move to Tuesday");
	HASNT(f, "Mark Green");
	HASNT(f, "nested");
	assert_int_equal(count(out(f), "Comments are closed"), 1);
	assert_int_equal(f->r.decision, PD_BLOCK);
	assert_string_equal(f->r.reason, "forum-closed");
}

static void test_html_xpath_selector(void **state)
{
	fixture *f = *state;
	pd_selector sel[1] = {{(char *)"//div[@class='cllr-blog']",
	                       (char *)"councillor-feed", 12}};
	static const char frag[] = "<div class=\"cllr-blog\">Blog</div>"
	                           "<div class=\"news\">News</div>";
	pd_selector *saved = f->cfg->selectors;
	size_t nsaved = f->cfg->nselectors;

	pd_rc rc;
	bool found;

	/* The configuration's own (none here) come back before any check:
	 * a failed check must not leave this array in it. */
	f->cfg->selectors = sel;
	f->cfg->nselectors = 1;
	rc = run(f, frag, PD_CLASS_COUNCIL_POST, ELECTION, PD_FORMAT_AUTO);
	f->cfg->selectors = saved;
	f->cfg->nselectors = nsaved;
	assert_int_equal(rc, PD_OK);
	assert_int_equal(f->r.items, 1);
	HAS(f, "<div class=\"purdah-notice\" role=\"note\">Councillors'");
	HAS(f, "<div class=\"news\">News</div>");
	HASNT(f, "Blog");
	sel[0].xpath = (char *)"//div[";
	f->cfg->selectors = sel;
	f->cfg->nselectors = 1;
	rc = run(f, frag, PD_CLASS_COUNCIL_POST, ELECTION, PD_FORMAT_HTML);
	found = strstr(pd_error_message(), "configuration:12: ") != NULL;
	f->cfg->selectors = saved;
	f->cfg->nselectors = nsaved;
	assert_int_equal(rc, PD_ECONFIG);
	assert_true(found);
}

static void test_html_unknown_class_is_an_error(void **state)
{
	fixture *f = *state;

	assert_int_equal(run(f, "<p>a</p>\n<div data-purdah=\"blog\">x</div>",
	                     PD_CLASS_COUNCIL_POST, OUTSIDE, PD_FORMAT_AUTO),
	                 PD_EINVALID);
	assert_non_null(strstr(pd_error_message(), "t.xml:2: "));
}

static void test_text_is_one_item(void **state)
{
	fixture *f = *state;
	static const char t[] = "Cllr Mark Green opened the new park.\n";

	ok(f, t, PD_CLASS_COUNCIL_POST, ELECTION);
	assert_int_equal(f->r.format, PD_FORMAT_TEXT);
	assert_int_equal(f->r.decision, PD_HOLD);
	assert_string_equal(out(f), "This item is withheld during the "
	                            "pre-election period for Northbridge <BC> "
	                            "& elections 2027, until Thu 6 May "
	                            "2027.\n");
	ok(f, "Bins move to Tuesday.", PD_CLASS_COUNCIL_POST, ELECTION);
	assert_false(f->r.changed);
	assert_string_equal(out(f), "Bins move to Tuesday.");
	ok(f, "Labour will win.", PD_CLASS_COUNCIL_POST, OUTSIDE);
	assert_string_equal(out(f), "This item is withheld pending review.\n");
	ok(f, "Anything", PD_CLASS_FORUM, ELECTION);
	assert_string_equal(f->r.reason, "forum-closed");
	ok(f, "", PD_CLASS_FORUM, OUTSIDE);
	assert_int_equal(f->r.out.len, 0);
	assert_non_null(f->r.out.ptr);
}

static void test_formats_and_detection(void **state)
{
	fixture *f = *state;
	pd_format fmt;

	assert_int_equal(pd_format_parse(&fmt, "atom"), PD_OK);
	assert_int_equal(fmt, PD_FORMAT_ATOM);
	assert_string_equal(pd_format_name(PD_FORMAT_HTML), "html");
	assert_int_equal(pd_format_parse(&fmt, "xml"), PD_EUSAGE);
	ok(f, "\xEF\xBB\xBF  <!-- c -->\n<span>x</span>", PD_CLASS_FORUM,
	   OUTSIDE);
	assert_int_equal(f->r.format, PD_FORMAT_HTML);
	ok(f, "plain <b>words</b>", PD_CLASS_FORUM, OUTSIDE);
	assert_int_equal(f->r.format, PD_FORMAT_TEXT);
	ok(f, "<?xml version=\"1.0\"?><html><body>x</body></html>",
	   PD_CLASS_FORUM, OUTSIDE);
	assert_int_equal(f->r.format, PD_FORMAT_HTML);
	/* Explicit text: a feed is one item. */
	assert_int_equal(run(f, rss2, PD_CLASS_FORUM, ELECTION, PD_FORMAT_TEXT),
	                 PD_OK);
	assert_int_equal(f->r.format, PD_FORMAT_TEXT);
	assert_int_equal(f->r.items, 1);
}

static void test_notice_wording(void **state)
{
	fixture *f = *state;
	pd_buf b = PD_BUF_INIT(4096);
	const pd_period *p = tu_period(f->cal, "abbey", 0);

	assert_int_equal(
	        pd_filter_notice(f->g, PD_CLASS_COUNCILLOR_FEED, p, &b), PD_OK);
	assert_string_equal(b.ptr, "Councillors' updates are paused during "
	                           "the pre-election period for Abbey ward "
	                           "by-election, until Thu 17 Dec 2026.");
	assert_int_equal(pd_filter_notice(f->g, PD_CLASS_FORUM,
	                                  tu_period(f->cal, "frz", 0), &b),
	                 PD_OK);
	assert_string_equal(b.ptr, "Comments are closed while the council's "
	                           "publishing is frozen.");
	pd_buf_dispose(&b);
}

static void test_calendar_next_change(void **state)
{
	fixture *f = *state;

	tu_assert_utc(pd_calendar_next_change(f->cal, tu_time("2026-01-01")),
	              "2026-11-12T00:00:00Z");
	/* Strictly after: at a start, the next is that period's end. */
	tu_assert_utc(pd_calendar_next_change(f->cal, tu_time("2026-11-12")),
	              "2026-12-18T00:00:00Z");
	assert_true(pd_calendar_next_change(f->cal, tu_time("2028-01-01")) ==
	            INT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rss2_councillor_feed_suspended_in_period),
	        cmocka_unit_test(test_notice_is_the_same_all_period),
	        cmocka_unit_test(test_outside_period_output_is_input_bytes),
	        cmocka_unit_test(test_period_start_to_the_second),
	        cmocka_unit_test(test_ward_period_only_for_its_area),
	        cmocka_unit_test(test_rss1_rdf_lists_only_the_notice),
	        cmocka_unit_test(test_rss090_suspended),
	        cmocka_unit_test(test_atom10_suspended_with_author),
	        cmocka_unit_test(test_atom03_suspended_with_its_names),
	        cmocka_unit_test(test_freeze_holds_without_end_date),
	        cmocka_unit_test(test_council_post_feed_loses_held_items_only),
	        cmocka_unit_test(test_rdf_item_held_leaves_the_seq),
	        cmocka_unit_test(test_latin1_feed_stays_latin1),
	        cmocka_unit_test(test_xxe_is_refused_and_nothing_read),
	        cmocka_unit_test(test_billion_laughs_refused),
	        cmocka_unit_test(test_broken_xml_is_an_error_with_line),
	        cmocka_unit_test(test_other_xml_roots_refused),
	        cmocka_unit_test(test_size_limit),
	        cmocka_unit_test(test_html_fragment_stays_a_fragment),
	        cmocka_unit_test(test_html_page_and_council_post_marks),
	        cmocka_unit_test(test_html_xpath_selector),
	        cmocka_unit_test(test_html_unknown_class_is_an_error),
	        cmocka_unit_test(test_text_is_one_item),
	        cmocka_unit_test(test_formats_and_detection),
	        cmocka_unit_test(test_notice_wording),
	        cmocka_unit_test(test_calendar_next_change),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
