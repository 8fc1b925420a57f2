/*
 * The posting gate (include/purdah/gate.h): every row of the policy, the
 * most severe decision winning when periods overlap, the area of a
 * ward-level period, the time edge of a period's start, electoral-process
 * information, failing closed, the configuration's category roles, and
 * the JSON request and answer.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "purdah/gate.h"

/* Lexicons: one small file per category. */
#define LEX(name, category, entries)                                           \
	"name: " name "\ncategory: " category                                  \
	"\nlanguage: en\nversion: \"1\"\nentries:\n" entries

static const char *const lexicons[] = {
        LEX("parties", "party",
            "  - id: labour\n    weight: 10\n    terms: [{term: Labour, "
            "case: exact}]\n"
            "  - id: minor\n    weight: 4\n    terms: [Minor Party]\n"),
        LEX("electioneering", "electioneering",
            "  - id: vote-for-me\n    weight: 6\n    terms: [vote for me]\n"),
        LEX("candidates", "candidate",
            "  - id: hannah-baxter\n    weight: 6\n"
            "    terms: [{term: Hannah Baxter, case: exact}]\n"
            "    meta: {name: Hannah Baxter, party: Labour, ward: Abbey, "
            "role: candidate}\n"),
        LEX("councillors", "councillor",
            "  - id: jane-smith\n    weight: 8\n"
            "    terms: [{term: Cllr Jane Smith, case: exact}]\n"
            "    meta: {name: Jane Smith, ward: Castle, role: "
            "councillor}\n"),
        LEX("topics", "topic",
            "  - id: tax\n    weight: 2\n    terms: [council tax rise]\n"
            "  - id: bins\n    weight: 1\n    terms: [bin collections]\n"),
        LEX("referendum", "referendum",
            "  - id: referendum\n    weight: 3\n    terms: [referendum]\n"
            "  - id: vote-yes\n    weight: 4\n    terms: [vote yes]\n"),
        LEX("appeals", "referendum-appeal",
            "  - id: make-sure\n    weight: 3\n"
            "    terms: [make sure you vote]\n"),
        LEX("process", "electoral-process",
            "  - id: polling-stations\n    weight: -2\n"
            "    terms: [polling stations are open]\n"
            "  - id: sopn\n    weight: -3\n"
            "    terms: [statement of persons nominated]\n"),
        LEX("evil", "slow", "  - id: evil\n    patterns: ['(a+)+$']\n"),
        NULL};

/* Periods: a council-wide election (31 Mar - 6 May 2027), an Abbey
 * by-election (12 Nov - 17 Dec 2026), a referendum (1 - 28 Feb 2027) and
 * a freeze (1 Jun 2027 10:00 - 12:00 London). */
static const char ics[] =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
        "BEGIN:VEVENT\nUID:e27\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;VALUE=DATE:20270331\nDTEND;VALUE=DATE:20270507\n"
        "SUMMARY:Northbridge BC elections 2027\nCATEGORIES:ELECTION\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:abbey\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;VALUE=DATE:20261112\nDTEND;VALUE=DATE:20261218\n"
        "SUMMARY:Abbey ward by-election\nCATEGORIES:BY-ELECTION\n"
        "X-PURDAH-AREA:Abbey\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:ref\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:20270301\n"
        "SUMMARY:Mayoral referendum\nCATEGORIES:REFERENDUM\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:frz\nDTSTAMP:20261101T000000Z\n"
        "DTSTART:20270601T090000Z\nDTEND:20270601T110000Z\n"
        "SUMMARY:Emergency freeze\nDESCRIPTION:flooding\n"
        "CATEGORIES:FREEZE\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:frz3\nDTSTAMP:20261101T000000Z\n"
        "DTSTART:20270701T080000Z\nDTEND:20280701T080000Z\n"
        "X-PURDAH-OPEN-ENDED:TRUE\n"
        "SUMMARY:Emergency freeze\nCATEGORIES:FREEZE\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:frz2\nDTSTAMP:20261101T000000Z\n"
        "DTSTART:20270415T090000Z\nDTEND:20270415T110000Z\n"
        "SUMMARY:Emergency freeze\nCATEGORIES:FREEZE\nEND:VEVENT\n"
        "END:VCALENDAR\n";

typedef struct {
	pd_config *cfg;
	pd_calendar *cal;
	pd_lexset *set;
	pd_matcher *m;
	pd_gate *g;
	pd_verdict v;
} fixture;

static void fx_free_gate(fixture *f)
{
	pd_gate_free(f->g);
	pd_matcher_free(f->m);
	pd_lexset_free(f->set);
	pd_config_free(f->cfg);
	f->g = NULL;
	f->m = NULL;
	f->set = NULL;
	f->cfg = NULL;
}

/* A gate over `cfg` (taken) and the test lexicons; PD_OK or the rc of
 * pd_gate_new. */
static pd_rc fx_gate(fixture *f, pd_config *cfg)
{
	fx_free_gate(f);
	f->cfg = cfg;
	if (pd_lexset_new(&f->set) < 0)
		fail_msg("%s", pd_error_message());
	for (size_t i = 0; lexicons[i]; i++)
		if (pd_lexset_load_buffer(f->set, "t.yaml", lexicons[i],
		                          strlen(lexicons[i])) < 0)
			fail_msg("%s", pd_error_message());
	if (pd_matcher_new(&f->m, f->set) < 0)
		fail_msg("%s", pd_error_message());
	return pd_gate_new(&f->g, f->cfg, f->cal, f->set, f->m);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	pd_verdict init = PD_VERDICT_INIT;
	pd_config *cfg;

	if (!f)
		return -1;
	f->v = init;
	f->cal = tu_calendar(ics, 0);
	if (pd_config_default(&cfg) < 0 || fx_gate(f, cfg) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	fx_free_gate(f);
	pd_calendar_free(f->cal);
	pd_verdict_dispose(&f->v);
	free(f);
	return 0;
}

/* Decide `text` as `cls` at `when` for `area` (NULL: whole council). */
static pd_decision decide(fixture *f, const char *text, pd_class cls,
                          const char *when, const char *area)
{
	const char *areas[1] = {area};
	pd_item it;

	memset(&it, 0, sizeof(it));
	it.text = text;
	it.len = strlen(text);
	it.cls = cls;
	it.at = tu_time(when);
	it.areas = areas;
	it.nareas = area ? 1 : 0;
	if (pd_gate_decide(f->g, &it, &f->v) < 0)
		fail_msg("decide: %s", pd_error_message());
	assert_int_equal(f->v.decision,
	                 f->v.nreasons ? f->v.reasons[0].decision : PD_ALLOW);
	return f->v.decision;
}

/* The codes of the reasons, "a,b". */
static const char *codes(const fixture *f)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->v.nreasons; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		                      i ? "," : "", f->v.reasons[i].code);
	return buf;
}

#define OUTSIDE         "2026-10-01T12:00" /* no period */
#define ELECTION        "2027-04-20T12:00" /* the council-wide election */
#define BYELECTION      "2026-12-01T12:00"
#define REFERENDUM      "2027-02-10T12:00"
#define FREEZE          "2027-06-01T10:30" /* a freeze alone */
#define ELECTION_FREEZE "2027-04-15T10:30" /* both */

/* ------------------------------------------------------------------------ */
/* At any time                                                              */

static void test_party_political_held_at_any_time(void **state)
{
	fixture *f = *state;

	assert_int_equal(decide(f, "Labour will fix it.", PD_CLASS_COUNCIL_POST,
	                        OUTSIDE, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "party-political");
	assert_string_equal(f->v.reasons[0].category, "party");
	assert_null(f->v.reasons[0].period);
	assert_non_null(strstr(f->v.reasons[0].message, "'Labour'"));
	assert_non_null(strstr(f->v.reasons[0].message, "party 10"));
	/* Every class, emergencies included: nothing party political is
	 * ever posted from a council account. */
	assert_int_equal(decide(f, "Labour will fix it.", PD_CLASS_EMERGENCY,
	                        OUTSIDE, NULL),
	                 PD_HOLD);
	assert_int_equal(
	        decide(f, "Labour will fix it.", PD_CLASS_FORUM, OUTSIDE, NULL),
	        PD_HOLD);
	assert_int_equal(decide(f, "Please vote for me.", PD_CLASS_COUNCIL_POST,
	                        OUTSIDE, NULL),
	                 PD_HOLD);
	assert_string_equal(f->v.reasons[0].category, "electioneering");
}

static void test_party_below_threshold_allowed(void **state)
{
	fixture *f = *state;

	/* 4 < 5: below; twice is 8: over. */
	assert_int_equal(decide(f, "The Minor Party met.",
	                        PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	                 PD_ALLOW);
	assert_int_equal(f->v.nreasons, 0);
	assert_int_equal(decide(f, "The Minor Party met the Minor Party.",
	                        PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	                 PD_HOLD);
	/* Ordinary text, outside any period: allowed, whatever the class. */
	for (int c = PD_CLASS_COUNCIL_POST; c <= PD_CLASS_EMERGENCY; c++)
		assert_int_equal(decide(f, "The library opens at 9.",
		                        (pd_class)c, OUTSIDE, NULL),
		                 PD_ALLOW);
	/* Naming a candidate outside a period is not held. */
	assert_int_equal(decide(f, "Hannah Baxter won a prize.",
	                        PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	                 PD_ALLOW);
}

/* ------------------------------------------------------------------------ */
/* In an election period                                                    */

static void test_election_council_post_naming_people_held(void **state)
{
	fixture *f = *state;

	assert_int_equal(decide(f, "Hannah Baxter opened the library.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "names-person");
	assert_string_equal(f->v.reasons[0].period->uid, "e27");
	assert_string_equal(f->v.reasons[0].message,
	                    "names Hannah Baxter (candidate, Abbey) during "
	                    "\"Northbridge BC elections 2027\" (31 Mar - 6 "
	                    "May 2027)");
	assert_int_equal(decide(f, "Cllr Jane Smith opened the library.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, "Castle"),
	                 PD_HOLD);
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "names Cllr Jane Smith (Jane Smith, "
	                       "councillor, Castle)"));
	assert_int_equal(f->v.reasons[0].nhits, 1);
	/* HTML: markup inside a hit is not quoted back. */
	{
		const char *html =
		        "<p>Cllr <b>Jane Smith</b> and <i>Lab</i>our";
		pd_item it;
		memset(&it, 0, sizeof(it));
		it.text = html;
		it.len = strlen(html);
		it.flags = PD_NORM_HTML;
		it.at = tu_time(ELECTION);
		assert_int_equal(pd_gate_decide(f->g, &it, &f->v), PD_OK);
		assert_string_equal(codes(f), "party-political,names-person");
		assert_string_equal(f->v.reasons[0].message,
		                    "party-political content: 'labour' (party "
		                    "10, threshold 5)");
		assert_true(strncmp(f->v.reasons[1].message,
		                    "names Jane Smith (councillor, Castle)",
		                    37) == 0);
	}
}

static void test_election_contentious_topic_over_threshold(void **state)
{
	fixture *f = *state;

	/* topic threshold 2: "bin collections" (1) is below, "council tax
	 * rise" (2) reaches it. */
	assert_int_equal(decide(f, "Bin collections change on Monday.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, "Why the council tax rise is needed.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "contentious-topic");
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "contentious topic: 'council tax rise' "
	                       "(topic 2, threshold 2)"));
}

static void test_election_third_party_feeds_forums_blocked(void **state)
{
	fixture *f = *state;

	assert_int_equal(decide(f, "Our charity's news.", PD_CLASS_THIRD_PARTY,
	                        ELECTION, NULL),
	                 PD_BLOCK);
	assert_string_equal(codes(f), "third-party-suspended");
	assert_int_equal(decide(f, "My week in the ward.",
	                        PD_CLASS_COUNCILLOR_FEED, ELECTION, NULL),
	                 PD_BLOCK);
	assert_string_equal(codes(f), "councillor-feed-suspended");
	assert_int_equal(
	        decide(f, "A comment.", PD_CLASS_FORUM, ELECTION, NULL),
	        PD_BLOCK);
	assert_string_equal(codes(f), "forum-closed");
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "public forums are closed during "
	                       "\"Northbridge BC elections 2027\""));
	/* A party name as well: both rules, block first. */
	assert_int_equal(
	        decide(f, "Labour news.", PD_CLASS_THIRD_PARTY, ELECTION, NULL),
	        PD_BLOCK);
	assert_string_equal(codes(f), "third-party-suspended,party-political");
}

static void test_election_emergency_and_plain_posts_allowed(void **state)
{
	fixture *f = *state;

	assert_int_equal(decide(f, "Hannah Baxter: the bridge is closed.",
	                        PD_CLASS_EMERGENCY, ELECTION, NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, "The library opens at 9.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	assert_int_equal(f->v.nperiods, 1);
}

static void test_electoral_process_information_allowed(void **state)
{
	fixture *f = *state;

	/* Naming the candidates in the statement of persons nominated is
	 * information about the election. */
	assert_int_equal(decide(f,
	                        "The statement of persons nominated for "
	                        "Abbey: Hannah Baxter.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	assert_true(f->v.poll_information);
	/* Unless it is also partisan. */
	assert_int_equal(decide(f,
	                        "The statement of persons nominated: Hannah "
	                        "Baxter. Please vote for me.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "party-political,names-person");
	/* -2 reaches the threshold -2; nothing negative is not enough. */
	assert_int_equal(decide(f,
	                        "Polling stations are open 7am to 10pm. "
	                        "Cllr Jane Smith will vote.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f,
	                        "Polling stations 7am to 10pm. Cllr Jane "
	                        "Smith will vote.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_HOLD);
	/* Information about the poll never excuses a forum post. */
	assert_int_equal(decide(f, "Polling stations are open 7am to 10pm.",
	                        PD_CLASS_FORUM, ELECTION, NULL),
	                 PD_BLOCK);
}

static void test_by_election_applies_to_its_area(void **state)
{
	fixture *f = *state;
	const char *post = "Hannah Baxter opened the library.";

	assert_int_equal(
	        decide(f, post, PD_CLASS_COUNCIL_POST, BYELECTION, "Abbey"),
	        PD_HOLD);
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "\"Abbey ward by-election\" (12 Nov - 17 Dec "
	                       "2026)"));
	/* Areas compare without case. */
	assert_int_equal(
	        decide(f, post, PD_CLASS_COUNCIL_POST, BYELECTION, "abbey"),
	        PD_HOLD);
	assert_int_equal(
	        decide(f, post, PD_CLASS_COUNCIL_POST, BYELECTION, "Castle"),
	        PD_ALLOW);
	assert_int_equal(f->v.nperiods, 0);
	/* No area: about the whole council, so every period applies. */
	assert_int_equal(
	        decide(f, post, PD_CLASS_COUNCIL_POST, BYELECTION, NULL),
	        PD_HOLD);
	assert_int_equal(decide(f, "x", PD_CLASS_FORUM, BYELECTION, "Castle"),
	                 PD_ALLOW);
	assert_int_equal(decide(f, "x", PD_CLASS_FORUM, BYELECTION, "Abbey"),
	                 PD_BLOCK);
}

static void test_several_areas_any_one_in_a_period(void **state)
{
	fixture *f = *state;
	const char *areas[] = {"Castle", "Abbey"};
	pd_item it;

	memset(&it, 0, sizeof(it));
	it.text = "x";
	it.len = 1;
	it.cls = PD_CLASS_THIRD_PARTY;
	it.at = tu_time(BYELECTION);
	it.areas = areas;
	it.nareas = 2;
	assert_int_equal(pd_gate_decide(f->g, &it, &f->v), PD_OK);
	assert_int_equal(f->v.decision, PD_BLOCK);
	assert_int_equal(f->v.nperiods, 1);
}

static void test_period_start_time_edge(void **state)
{
	fixture *f = *state;
	const char *post = "Cllr Jane Smith opened the library.";

	/* The election starts at 00:00 on 31 Mar 2027, London time (BST:
	 * 23:00 UTC the day before). */
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-03-30T23:30", NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-03-31T00:30", NULL),
	                 PD_HOLD);
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-03-30T22:59:59Z", NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-03-30T23:00:00Z", NULL),
	                 PD_HOLD);
	/* And it ends at the end of polling day. */
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-05-06T23:59", NULL),
	                 PD_HOLD);
	assert_int_equal(decide(f, post, PD_CLASS_COUNCIL_POST,
	                        "2027-05-07T00:00", NULL),
	                 PD_ALLOW);
}

/* ------------------------------------------------------------------------ */
/* Referendum, freeze, overlaps                                             */

static void test_referendum_material_held(void **state)
{
	fixture *f = *state;

	assert_int_equal(decide(f, "Why you should vote yes on Thursday.",
	                        PD_CLASS_COUNCIL_POST, REFERENDUM, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "referendum");
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "\"Mayoral referendum\" (1 - 28 Feb 2027)"));
	/* Other classes too: the council must not host it. */
	assert_int_equal(decide(f, "Read about the referendum.",
	                        PD_CLASS_THIRD_PARTY, REFERENDUM, NULL),
	                 PD_HOLD);
	/* But a referendum period suspends nothing by itself. */
	assert_int_equal(
	        decide(f, "A comment.", PD_CLASS_FORUM, REFERENDUM, NULL),
	        PD_ALLOW);
	assert_int_equal(decide(f, "Hannah Baxter opened the library.",
	                        PD_CLASS_COUNCIL_POST, REFERENDUM, NULL),
	                 PD_ALLOW);
	/* Information about the holding of the poll stays allowed. */
	assert_int_equal(decide(f,
	                        "For the referendum, polling stations are "
	                        "open 7am to 10pm.",
	                        PD_CLASS_COUNCIL_POST, REFERENDUM, NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, "Vote yes in the referendum!",
	                        PD_CLASS_EMERGENCY, REFERENDUM, NULL),
	                 PD_ALLOW);
	/* Urging a vote is never information about the poll
	 * (policy.partisan), however much poll wording is around it. */
	assert_int_equal(decide(f,
	                        "Make sure you vote: polling stations are "
	                        "open 7am to 10pm.",
	                        PD_CLASS_COUNCIL_POST, REFERENDUM, NULL),
	                 PD_HOLD);
	assert_true(f->v.poll_information);
	assert_true(f->v.partisan);
	assert_false(f->v.party_political);
	assert_string_equal(f->v.reasons[0].category, "referendum-appeal");
	/* In an election period the same words are neutral turnout
	 * information: allowed. */
	assert_int_equal(decide(f,
	                        "Make sure you vote: polling stations are "
	                        "open 7am to 10pm.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	/* Outside the period, referendum words are ordinary. */
	assert_int_equal(decide(f, "Why you should vote yes on Thursday.",
	                        PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	                 PD_ALLOW);
}

static void test_freeze_holds_all_but_emergency(void **state)
{
	fixture *f = *state;

	for (int c = PD_CLASS_COUNCIL_POST; c < PD_CLASS_EMERGENCY; c++) {
		assert_int_equal(decide(f, "The library opens at 9.",
		                        (pd_class)c, FREEZE, "Castle"),
		                 PD_HOLD);
		assert_string_equal(codes(f), "freeze");
	}
	assert_non_null(strstr(f->v.reasons[0].message, "(flooding)"));
	assert_non_null(
	        strstr(f->v.reasons[0].message, "(1 Jun 2027 10:00 - 12:00)"));
	assert_int_equal(decide(f, "Avoid the river path.", PD_CLASS_EMERGENCY,
	                        FREEZE, NULL),
	                 PD_ALLOW);
	/* An open-ended freeze (`purdah freeze start` without --until). */
	assert_int_equal(
	        decide(f, "x", PD_CLASS_COUNCIL_POST, "2027-07-02T09:00", NULL),
	        PD_HOLD);
	assert_non_null(strstr(f->v.reasons[0].message,
	                       "(since 1 Jul 2027 09:00, until ended)"));
	/* Timed: 09:59 and 12:00 London are outside it. */
	assert_int_equal(
	        decide(f, "x", PD_CLASS_COUNCIL_POST, "2027-06-01T09:59", NULL),
	        PD_ALLOW);
	assert_int_equal(
	        decide(f, "x", PD_CLASS_COUNCIL_POST, "2027-06-01T12:00", NULL),
	        PD_ALLOW);
}

static void test_overlapping_periods_most_severe_wins(void **state)
{
	fixture *f = *state;

	/* Election + freeze: a forum post is blocked (election) and held
	 * (freeze); block wins and both reasons are given. */
	assert_int_equal(
	        decide(f, "A comment.", PD_CLASS_FORUM, ELECTION_FREEZE, NULL),
	        PD_BLOCK);
	assert_string_equal(codes(f), "forum-closed,freeze");
	assert_int_equal(f->v.nperiods, 2);
	/* A council post naming a councillor: two holds. */
	assert_int_equal(decide(f, "Cllr Jane Smith opened it.",
	                        PD_CLASS_COUNCIL_POST, ELECTION_FREEZE, NULL),
	                 PD_HOLD);
	assert_string_equal(codes(f), "names-person,freeze");
	/* Emergency messages pass both. */
	assert_int_equal(decide(f, "Cllr Jane Smith: leave the area.",
	                        PD_CLASS_EMERGENCY, ELECTION_FREEZE, NULL),
	                 PD_ALLOW);
}

/* ------------------------------------------------------------------------ */
/* Failing closed, configuration                                            */

static void test_matcher_failure_is_never_allow(void **state)
{
	fixture *f = *state;
	char text[256];
	size_t len = 0;
	pd_item it;

	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "a ");
	snprintf(text + len, sizeof(text) - len, "b");
	memset(&it, 0, sizeof(it));
	it.text = text;
	it.len = strlen(text);
	it.at = tu_time(OUTSIDE);
	assert_int_equal(pd_gate_decide(f->g, &it, &f->v), PD_EDEP);
	assert_int_not_equal(f->v.decision, PD_ALLOW);
	/* And the gate keeps working. */
	assert_int_equal(
	        decide(f, "Labour.", PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	        PD_HOLD);
}

static pd_config *config_from(const char *yaml)
{
	char dir[] = "/tmp/purdah-gate-XXXXXX", path[64];
	pd_config *cfg = NULL;
	pd_rc rc;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/purdah.yaml", dir);
	tu_write_file(path, yaml);
	rc = pd_config_load(&cfg, path);
	unlink(path);
	rmdir(dir);
	if (rc < 0)
		fail_msg("%s", pd_error_message());
	return cfg;
}

static void test_configured_roles_change_the_policy(void **state)
{
	fixture *f = *state;

	/* Topics no longer sensitive; the minor party's 4 now enough. */
	assert_int_equal(
	        fx_gate(f, config_from("policy:\n"
	                               "  purdah_sensitive: [candidate]\n"
	                               "thresholds:\n  party: 4\n")),
	        PD_OK);
	assert_int_equal(decide(f, "Why the council tax rise is needed.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	assert_int_equal(decide(f, "The Minor Party met.",
	                        PD_CLASS_COUNCIL_POST, OUTSIDE, NULL),
	                 PD_HOLD);
	assert_non_null(strstr(f->v.reasons[0].message, "threshold 4"));
	/* Councillors out of the list: a councillor may be named. */
	assert_int_equal(decide(f, "Cllr Jane Smith opened it.",
	                        PD_CLASS_COUNCIL_POST, ELECTION, NULL),
	                 PD_ALLOW);
	/* Categories of my own: the "slow" lexicon's category as
	 * party-political. */
	assert_int_equal(
	        fx_gate(f, config_from("policy:\n"
	                               "  party_political: [party, slow]\n")),
	        PD_OK);
	assert_int_equal(decide(f, "Please vote for me.", PD_CLASS_COUNCIL_POST,
	                        OUTSIDE, NULL),
	                 PD_ALLOW);
	{
		pd_config *cfg;
		assert_int_equal(pd_config_default(&cfg), PD_OK);
		assert_int_equal(fx_gate(f, cfg), PD_OK);
	}
}

static void test_unknown_category_is_a_configuration_error(void **state)
{
	fixture *f = *state;
	pd_config *cfg;

	assert_int_equal(fx_gate(f, config_from("policy:\n"
	                                        "  purdah_sensitive:\n"
	                                        "    - candidate\n"
	                                        "    - cancidate\n")),
	                 PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "purdah.yaml:4:"));
	assert_non_null(strstr(pd_error_message(), "'cancidate'"));
	assert_null(f->g);
	assert_int_equal(fx_gate(f, config_from("thresholds:\n"
	                                        "  party: 5\n"
	                                        "  partty: 3\n")),
	                 PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "purdah.yaml:3:"));
	assert_non_null(strstr(pd_error_message(), "'partty'"));
	/* Built-in roles whose lexicons are missing are not errors (a
	 * lexicon directory being tried out). */
	assert_int_equal(pd_config_default(&cfg), PD_OK);
	assert_int_equal(fx_gate(f, cfg), PD_OK);
}

static void test_threshold_reached_both_ways(void **state)
{
	(void)state;
	assert_true(pd_threshold_reached(5, 5));
	assert_false(pd_threshold_reached(4.9, 5));
	assert_true(pd_threshold_reached(-2, -2));
	assert_true(pd_threshold_reached(-3, -2));
	assert_false(pd_threshold_reached(-1, -2));
	assert_false(pd_threshold_reached(0, -2));
}

static void test_class_names_round_trip(void **state)
{
	pd_class c;

	(void)state;
	for (int i = PD_CLASS_COUNCIL_POST; i <= PD_CLASS_EMERGENCY; i++) {
		assert_int_equal(pd_class_parse(&c, pd_class_name((pd_class)i)),
		                 PD_OK);
		assert_int_equal(c, i);
	}
	assert_int_equal(pd_class_parse(&c, "Forum"), PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "council-post"));
	assert_string_equal(pd_decision_name(PD_BLOCK), "block");
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

static pd_rc parse(pd_check_request *r, const fixture *f, const char *line)
{
	pd_item defaults;

	memset(&defaults, 0, sizeof(defaults));
	defaults.cls = PD_CLASS_FORUM;
	defaults.at = tu_time(OUTSIDE);
	defaults.account = "default-account";
	return pd_check_request_parse(r, "in.jsonl", 7, line, strlen(line),
	                              &defaults, f->cfg, tu_london());
}

static void test_request_fields_and_defaults(void **state)
{
	fixture *f = *state;
	pd_check_request r;

	assert_int_equal(parse(&r, f, "{\"text\":\"hi\"}"), PD_OK);
	assert_int_equal(r.item.cls, PD_CLASS_FORUM);
	assert_string_equal(r.item.account, "default-account");
	assert_int_equal(r.item.nareas, 0);
	assert_null(r.id);
	pd_check_request_dispose(&r);

	assert_int_equal(
	        parse(&r, f,
	              "{\"id\":42,\"text\":\"a\\u0000b\",\"class\":"
	              "\"third-party\",\"area\":[\"Abbey\",\"Castle\"],"
	              "\"at\":\"2027-04-01T09:00\",\"account\":\"web\"}"),
	        PD_OK);
	assert_int_equal(r.item.cls, PD_CLASS_THIRD_PARTY);
	assert_int_equal(r.item.len, 3); /* the NUL is kept, not cut */
	assert_int_equal(r.item.nareas, 2);
	assert_string_equal(r.item.areas[1], "Castle");
	assert_string_equal(r.item.account, "web");
	assert_true(r.item.at == tu_time("2027-04-01T09:00"));
	assert_true(pd_json_is_integer(r.id));
	pd_check_request_dispose(&r);

	assert_int_equal(parse(&r, f, "{\"text\":\"x\",\"area\":\"Abbey\"}"),
	                 PD_OK);
	assert_int_equal(r.item.nareas, 1);
	pd_check_request_dispose(&r);
}

static void test_request_errors_name_the_line(void **state)
{
	fixture *f = *state;
	static const char *const bad[][2] = {
	        {"{\"text\":", "in.jsonl:7:"},
	        {"[1]", "JSON object"},
	        {"{\"id\":1}", "\"text\" must be given"},
	        {"{\"text\":3}", "\"text\" must be given"},
	        {"{\"text\":\"x\",\"txt\":\"y\"}", "unknown field \"txt\""},
	        {"{\"text\":\"x\",\"class\":\"blog\"}", "unknown class 'blog'"},
	        {"{\"text\":\"x\",\"at\":\"tomorrow\"}", "\"at\""},
	        {"{\"text\":\"x\",\"area\":5}", "\"area\" must be"},
	        {"{\"text\":\"x\",\"area\":[\"\"]}", "\"area\" must be"},
	        {"{\"text\":\"x\",\"id\":[1]}", "\"id\" must be"},
	        {"{\"text\":\"x\",\"text\":\"y\"}", "duplicate"},
	        {"{\"text\":\"x\",\"account\":\"\"}", "\"account\" must be"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pd_check_request r;
		assert_int_equal(parse(&r, f, bad[i][0]), PD_EINVALID);
		if (!strstr(pd_error_message(), bad[i][1]) ||
		    !strstr(pd_error_message(), "in.jsonl:7"))
			fail_msg("%s -> %s", bad[i][0], pd_error_message());
		pd_check_request_dispose(&r);
	}
	/* The id is kept for the error record. */
	{
		pd_check_request r;
		assert_int_equal(parse(&r, f, "{\"id\":\"p9\",\"txt\":\"y\"}"),
		                 PD_EINVALID);
		assert_string_equal(pd_json_str(r.id), "p9");
		pd_check_request_dispose(&r);
	}
}

static void test_verdict_json_is_complete(void **state)
{
	fixture *f = *state;
	pd_check_request r;
	pd_buf out = PD_BUF_INIT(1 << 20);
	pd_json *j;

	assert_int_equal(parse(&r, f,
	                       "{\"id\":\"p1\",\"text\":\"Hannah Baxter and "
	                       "Labour\",\"class\":\"council-post\","
	                       "\"area\":\"Abbey\",\"at\":\"2026-12-01\"}"),
	                 PD_OK);
	assert_int_equal(pd_gate_decide(f->g, &r.item, &f->v), PD_OK);
	j = pd_verdict_json(f->g, &r.item, &f->v, pd_json_ref(r.id));
	assert_non_null(j);
	assert_int_equal(pd_json_dump(&out, j, false), PD_OK);
	pd_json_free(j);
	pd_check_request_dispose(&r);
	assert_true(strncmp(out.ptr, "{\"id\":\"p1\",\"decision\":\"hold\"",
	                    28) == 0);
	assert_non_null(strstr(out.ptr, "\"code\":\"party-political\""));
	assert_non_null(strstr(out.ptr, "\"code\":\"names-person\""));
	assert_non_null(strstr(out.ptr, "\"period\":\"abbey\""));
	assert_non_null(strstr(out.ptr, "\"entry\":\"hannah-baxter\""));
	assert_non_null(strstr(out.ptr, "\"candidate\":{\"score\":6.0,"
	                                "\"threshold\":5.0,\"reached\":true"));
	assert_non_null(strstr(out.ptr, "\"class\":\"council-post\""));
	assert_non_null(strstr(out.ptr, "\"areas\":[\"Abbey\"]"));
	assert_non_null(
	        strstr(out.ptr, "\"at\":\"2026-12-01T00:00:00+00:00\""));
	assert_non_null(strstr(out.ptr, "\"account\":\"default-account\""));
	assert_non_null(strstr(out.ptr, "\"calendars_sha256\":\""));
	assert_string_equal(
	        strlen(pd_calendar_sha256(f->cal)) == 64 ? "64" : "?", "64");
	assert_non_null(strstr(out.ptr, pd_calendar_sha256(f->cal)));
	assert_non_null(strstr(out.ptr, pd_lexset_sha256(f->set)));
	/* Built-in configuration: no file, no hash. */
	assert_non_null(strstr(out.ptr, "\"config_sha256\":null"));
	pd_buf_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_party_political_held_at_any_time),
	        cmocka_unit_test(test_party_below_threshold_allowed),
	        cmocka_unit_test(test_election_council_post_naming_people_held),
	        cmocka_unit_test(
	                test_election_contentious_topic_over_threshold),
	        cmocka_unit_test(
	                test_election_third_party_feeds_forums_blocked),
	        cmocka_unit_test(
	                test_election_emergency_and_plain_posts_allowed),
	        cmocka_unit_test(test_electoral_process_information_allowed),
	        cmocka_unit_test(test_by_election_applies_to_its_area),
	        cmocka_unit_test(test_several_areas_any_one_in_a_period),
	        cmocka_unit_test(test_period_start_time_edge),
	        cmocka_unit_test(test_referendum_material_held),
	        cmocka_unit_test(test_freeze_holds_all_but_emergency),
	        cmocka_unit_test(test_overlapping_periods_most_severe_wins),
	        cmocka_unit_test(test_matcher_failure_is_never_allow),
	        cmocka_unit_test(test_configured_roles_change_the_policy),
	        cmocka_unit_test(
	                test_unknown_category_is_a_configuration_error),
	        cmocka_unit_test(test_threshold_reached_both_ways),
	        cmocka_unit_test(test_class_names_round_trip),
	        cmocka_unit_test(test_request_fields_and_defaults),
	        cmocka_unit_test(test_request_errors_name_the_line),
	        cmocka_unit_test(test_verdict_json_is_complete),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
