/*
 * The shipped referendum lexicons (lexicons/referendum*.yaml: categories
 * referendum and referendum-appeal) with the rest of lexicons/: in a
 * referendum period the posting gate holds a post where either category
 * reaches 3, unless it is information about the holding of the poll
 * (electoral-process score <= -2) and not partisan - and an appeal
 * (referendum-appeal reaching 3) is partisan. So referendum material must
 * reach 3 in one of them and must not look like poll information; everyday
 * council wording must stay below 3 in both; and notices about the poll
 * must score electoral-process <= -2 and carry no argument or appeal.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "purdah/lexicon.h"
#include "purdah/match.h"

static pd_lexset *set;
static pd_matcher *m;
static pd_scan scan = PD_SCAN_INIT;

static int setup(void **state)
{
	(void)state;
	return tu_shipped_matcher(&set, &m);
}

static int teardown(void **state)
{
	(void)state;
	pd_scan_dispose(&scan);
	pd_matcher_free(m);
	pd_lexset_free(set);
	return 0;
}

/* Scan `text`; the hits are described in `buf` for messages. */
static const pd_scan *scan_text(const char *text, char *buf, size_t size)
{
	if (pd_matcher_scan(m, &scan, text, strlen(text), 0) < 0)
		fail_msg("scanning '%s': %s", text, pd_error_message());
	tu_hits(&scan, buf, size);
	return &scan;
}

/* The higher of the two referendum categories' scores. */
static double ref_score(const pd_scan *s)
{
	double r = pd_scan_score(s, "referendum");
	double a = pd_scan_score(s, "referendum-appeal");
	return r > a ? r : a;
}

/* Material a council must not publish in a referendum period (PPERA s.125:
 * general information about the referendum, arguing for an answer,
 * encouraging voting), none of it poll information. */
static const char *const material[] = {
        /* the referendum as such */
        "Everything you need to know about the referendum on a directly "
        "elected mayor for Northbridge.",
        "The referendum result will shape how the council is run for years.",
        "What is the referendum question? Read our guide before 6 May.",
        "Ahead of the referendum, here is how the council is run today.",
        "Have your say in the Oldfield neighbourhood plan referendum.",
        "#indyref2: what would independence mean for Scotland's councils?",
        "Why we are holding a council tax referendum this spring.",
        "Do you want Northbridge Borough Council to use the neighbourhood "
        "plan for Oldfield to help it decide planning applications in the "
        "neighbourhood area?",
        "How would you like the council to be run? By a mayor who is "
        "elected by voters, or as now?",
        /* arguing for an answer */
        "Vote YES on 6 May for a mayor who answers to you!",
        "Vote No to an elected mayor and keep our council accountable.",
        "Back the Yes campaign and make Northbridge's voice heard.",
        "Say no to a directly elected mayor on 6 May.",
        "Voting yes would give the town a stronger voice.",
        "A Yes vote would mean a mayor and cabinet; a No vote keeps the "
        "committee system.",
        "Say YES to a neighbourhood plan made by local people!",
        /* encouraging voting */
        "Make sure you vote on Thursday - it's your future.",
        "Don't forget to vote tomorrow!",
        "Use your vote. Every vote counts.",
        "Remember to vote on Thursday. Your vote matters.",
        "Get out and vote! #UseYourVote",
        "Exercise your democratic right on Thursday.",
        "Go and vote! It only takes five minutes.",
        /* Welsh */
        "Popeth sydd angen i chi ei wybod am y refferendwm ar 6 Mai.",
        "Pleidleisiwch Ie ar 6 Mai!",
        "Pleidleisiwch Na i faer etholedig.",
        "Mae'r ymgyrch 'Ie' wedi agor swyddfa yn y dref.",
        "Cofiwch bleidleisio ddydd Iau! Mae pob pleidlais yn cyfrif.",
        "Peidiwch ag anghofio pleidleisio yfory.",
};

/* Ordinary council wording that must stay below the threshold. */
static const char *const ordinary[] = {
        "Members voted yes to the budget amendment at last night's full "
        "council meeting.",
        "Councillors voted no to the proposed changes to parking charges.",
        "Councillors vote no to parking charge rise.",
        "Members vote yes to new leisure centre plans.",
        "Say no to bullying: our schools are taking part in Anti-Bullying "
        "Week.",
        "Say no to drugs - support is available from our young people's "
        "service.",
        "Say yes to fostering: come to our information evening on Tuesday.",
        "We can raise council tax by up to 4.99% without a referendum, "
        "within the government's referendum limit.",
        "Cast your vote for your favourite park in the People's Choice "
        "award!",
        "Please vote for your favourite design for the town centre mural.",
        "Have your say on the draft budget consultation before 12 January.",
        "Remember to put your bins out by 7am on collection day.",
        "Don't let them down: foster a child this year.",
        "The planning committee will decide the application next week.",
        "Councillors will vote on the budget on Thursday.",
        "Our Shared Lives scheme helps adults live with more independence "
        "in Wales.",
        /* terms match across punctuation: poll information that must not
         * read as "vote no", "vote leave", "vote yes" */
        "When you vote, no one will see how you marked your ballot.",
        "After you vote, leave the building by the side door.",
        "Can I vote? Yes, if you are registered by 19 April.",
        "Remember, to vote in person you need photo ID.",
        "Mae pobl hŷn yn fwy tebygol o bleidleisio na phobl ifanc.",
        "Cofiwch roi eich biniau allan erbyn 7am.",
};

/* Information about the holding of the poll: may mention the referendum
 * (the gate lets these through on electoral-process <= -2) but must not
 * argue or appeal. */
static const char *const poll_info[] = {
        "Polling stations for the referendum on a directly elected mayor "
        "are open from 7am to 10pm on Thursday 6 May.",
        "Postal votes for the neighbourhood plan referendum must be "
        "returned by 10pm on polling day.",
        "Your poll card for the referendum on 6 May will arrive this week.",
        "Voter ID: you will need photo ID to vote in the referendum on "
        "6 May.",
        "Applications for a postal vote for the referendum must reach us "
        "by 5pm on 16 April.",
        "The count for the referendum will take place at the Civic Centre "
        "on Friday from 9am.",
        "The result of the referendum will be declared at Northbridge "
        "Leisure Centre.",
        "Polls open 7am-10pm on Thursday for the neighbourhood plan "
        "referendum.",
        "Notice of Referendum: Oldfield Neighbourhood Plan.",
        "Who can vote in the referendum? Anyone registered to vote in "
        "local elections in Northbridge.",
        "Register by midnight on 19 April to vote in the referendum on "
        "6 May.",
        "Votes in the referendum will be counted overnight at the Town "
        "Hall.",
        "The referendum count will start at 10.30pm after the polls close.",
        "Find your polling station for the council tax referendum at "
        "northbridge.gov.uk/vote.",
        "Bydd y gorsafoedd pleidleisio ar agor rhwng 7am a 10pm ar gyfer "
        "y refferendwm.",
        "Rhaid i geisiadau am bleidlais bost ar gyfer y refferendwm ein "
        "cyrraedd erbyn 5pm.",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_referendum_material_reaches_threshold(void **state)
{
	char buf[4096];
	(void)state;

	assert_true(N(material) >= 12);
	for (size_t i = 0; i < N(material); i++) {
		const pd_scan *s = scan_text(material[i], buf, sizeof(buf));
		double r = ref_score(s);
		double ep = pd_scan_score(s, "electoral-process");
		if (r < 3)
			fail_msg("'%s': referendum %.1f < 3 [%s]", material[i],
			         r, buf);
		/* not passable as poll information */
		if (ep <= -2)
			fail_msg("'%s': electoral-process %.1f <= -2 [%s]",
			         material[i], ep, buf);
	}
}

static void test_referendum_ordinary_text_stays_below(void **state)
{
	char buf[4096];
	(void)state;

	assert_true(N(ordinary) >= 12);
	for (size_t i = 0; i < N(ordinary); i++) {
		const pd_scan *s = scan_text(ordinary[i], buf, sizeof(buf));
		double r = ref_score(s);
		if (r >= 3)
			fail_msg("'%s': referendum %.1f >= 3 [%s]", ordinary[i],
			         r, buf);
	}
}

static void test_referendum_poll_information_is_poll_information(void **state)
{
	char buf[4096];
	(void)state;

	assert_true(N(poll_info) >= 12);
	for (size_t i = 0; i < N(poll_info); i++) {
		const pd_scan *s = scan_text(poll_info[i], buf, sizeof(buf));
		double ep = pd_scan_score(s, "electoral-process");
		if (ep > -2)
			fail_msg("'%s': electoral-process %.1f > -2 [%s]",
			         poll_info[i], ep, buf);
		if (pd_scan_score(s, "referendum-appeal") >= 3)
			fail_msg("'%s': an argument or appeal [%s]",
			         poll_info[i], buf);
		/* nothing partisan either */
		if (pd_scan_score(s, "party") + pd_scan_score(s, "campaign") +
		            pd_scan_score(s, "electioneering") >
		    0)
			fail_msg("'%s': partisan hits [%s]", poll_info[i], buf);
	}
}

/* Poll information added to an appeal does not hide the appeal: it still
 * reaches the referendum-appeal threshold, which the gate reads as
 * partisan. */
static void test_referendum_appeal_with_poll_words_still_scores(void **state)
{
	char buf[4096];
	const pd_scan *s;
	(void)state;

	s = scan_text("Vote Yes on Thursday! Polling stations are open from "
	              "7am to 10pm.",
	              buf, sizeof(buf));
	assert_true(pd_scan_score(s, "referendum-appeal") >= 3);
	assert_true(pd_scan_score(s, "electoral-process") <= -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_referendum_material_reaches_threshold),
	        cmocka_unit_test(test_referendum_ordinary_text_stays_below),
	        cmocka_unit_test(
	                test_referendum_poll_information_is_poll_information),
	        cmocka_unit_test(
	                test_referendum_appeal_with_poll_words_still_scores),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
