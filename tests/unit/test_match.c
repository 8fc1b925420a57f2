/*
 * The matcher (include/purdah/match.h): boundaries, case, exceptions and
 * context, the disguises it sees through (hashtags, handles, wildcards,
 * leetspeak, split words), patterns, overlaps and scores, failure of a
 * pattern never read as a clean result, scale, determinism, threads and
 * allocation failures.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"
#include "purdah/match.h"

#define HEAD                                                                   \
	"name: t\n"                                                            \
	"category: party\n"                                                    \
	"language: en\n"                                                       \
	"version: \"1\"\n"                                                     \
	"defaults:\n"                                                          \
	"  weight: 10\n"                                                       \
	"entries:\n"

/* ------------------------------------------------------------------------ */
/* Fixture: a lexicon set, its matcher and a scan, freed by the teardown
 * even when an assertion fails. */

typedef struct {
	pd_lexset *set;
	pd_matcher *m;
	pd_scan scan;
	char desc[4096];
} fixture;

static int fx_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	pd_scan init = PD_SCAN_INIT;

	if (!f)
		return -1;
	f->scan = init;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	fixture *f = *state;

	pd_scan_dispose(&f->scan);
	pd_matcher_free(f->m);
	pd_lexset_free(f->set);
	free(f);
	return 0;
}

/* Load each YAML text (NULL-terminated list) and compile. */
static void fx_load_all(fixture *f, const char *const *yaml)
{
	pd_matcher_free(f->m);
	pd_lexset_free(f->set);
	f->m = NULL;
	f->set = NULL;
	if (pd_lexset_new(&f->set) < 0)
		fail_msg("%s", pd_error_message());
	for (size_t i = 0; yaml[i]; i++) {
		char name[32];
		snprintf(name, sizeof(name), "test%zu.yaml", i);
		if (pd_lexset_load_buffer(f->set, name, yaml[i],
		                          strlen(yaml[i])) < 0)
			fail_msg("%s", pd_error_message());
	}
	if (pd_matcher_new(&f->m, f->set) < 0)
		fail_msg("%s", pd_error_message());
}

static void fx_load(fixture *f, const char *yaml)
{
	const char *list[] = {yaml, NULL};
	fx_load_all(f, list);
}

static void fx_scan_flags(fixture *f, const char *text, unsigned flags)
{
	if (pd_matcher_scan(f->m, &f->scan, text, strlen(text), flags) < 0)
		fail_msg("scanning '%s': %s", text, pd_error_message());
	/* Every hit's text is the original bytes of its span. */
	for (size_t i = 0; i < f->scan.nhits; i++) {
		const pd_hit *h = &f->scan.hits[i];
		assert_true(h->start < h->end);
		assert_true(h->end <= strlen(text));
		assert_int_equal(strlen(h->text), h->end - h->start);
		assert_memory_equal(h->text, text + h->start,
		                    h->end - h->start);
		if (i > 0)
			assert_true(f->scan.hits[i - 1].start <= h->start);
	}
}

/* The hits of scanning `text`, as "entry=original text, ...". */
static const char *fx_hits_flags(fixture *f, const char *text, unsigned flags)
{
	fx_scan_flags(f, text, flags);
	return tu_hits(&f->scan, f->desc, sizeof(f->desc));
}

static const char *fx_hits(fixture *f, const char *text)
{
	return fx_hits_flags(f, text, 0);
}

/* ------------------------------------------------------------------------ */
/* Boundaries and case                                                      */

static void test_match_whole_word_boundary(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n");
	EXPECT_HITS(f, "Labour", "labour=Labour");
	EXPECT_HITS(f, "Labourer", "");
	EXPECT_HITS(f, "labours", "");
	EXPECT_HITS(f, "prolabour", "");
	EXPECT_HITS(f, "Labour's plan, (labour)",
	            "labour=Labour, labour=labour");
}

static void test_match_prefix_boundary_runs_on(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tory\n"
	                "    terms:\n"
	                "      - term: Tory\n"
	                "        boundary: prefix\n");
	EXPECT_HITS(f, "Toryism", "tory=Tory");
	EXPECT_HITS(f, "the Tory-led council", "tory=Tory");
	EXPECT_HITS(f, "tory", "tory=tory");
	EXPECT_HITS(f, "history victory", "");
	assert_int_equal(f->scan.nhits, 0);
	fx_scan_flags(f, "a Toryish plan", 0);
	assert_int_equal(f->scan.nhits, 1);
	assert_int_equal(f->scan.hits[0].start, 2);
	assert_string_equal(f->scan.hits[0].norm, "tory");
}

static void test_match_prefix_boundary_with_exact_case(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tory\n"
	                "    terms:\n"
	                "      - term: Tory\n"
	                "        boundary: prefix\n"
	                "        case: exact\n");
	EXPECT_HITS(f, "Tory", "tory=Tory");
	EXPECT_HITS(f, "tory toryism", "");
	/* The capital T is there: the word running on must not hide it. */
	EXPECT_HITS(f, "Toryism", "tory=Tory");
	EXPECT_HITS(f, "TORYISM", "tory=TORY");
}

static void test_match_any_boundary_inside_words(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: abour\n"
	                "    terms:\n"
	                "      - term: abour\n"
	                "        boundary: any\n");
	EXPECT_HITS(f, "Labourer", "abour=abour");
	EXPECT_HITS(f, "anti-LABOUR", "abour=ABOUR");
	EXPECT_HITS(f, "about", "");
	fx_scan_flags(f, "x Labourer", 0);
	assert_int_equal(f->scan.hits[0].start, 3);
	assert_int_equal(f->scan.hits[0].end, 8);
}

static void test_match_any_boundary_with_exact_case(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms:\n"
	                "      - term: Labour\n"
	                "        boundary: any\n"
	                "        case: exact\n");
	EXPECT_HITS(f, "Labour", "labour=Labour");
	EXPECT_HITS(f, "labourite", "");
	EXPECT_HITS(f, "Labourite", "labour=Labour");
	EXPECT_HITS(f, "proLabour", "labour=Labour");
}

static void test_match_exact_case_counts_capitalised_and_all_caps(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    case: exact\n"
	                "    terms: [Labour]\n"
	                "  - id: green-party\n"
	                "    case: exact\n"
	                "    terms: [Green Party]\n");
	EXPECT_HITS(f, "Labour", "labour=Labour");
	EXPECT_HITS(f, "LABOUR", "labour=LABOUR");
	EXPECT_HITS(f, "labour", "");
	EXPECT_HITS(f, "lAbour LaBoUr", "");
	EXPECT_HITS(f, "Green Party", "green-party=Green Party");
	EXPECT_HITS(f, "GREEN PARTY", "green-party=GREEN PARTY");
	EXPECT_HITS(f, "green party", "");
	EXPECT_HITS(f, "Green party", "");
	/* Styled capitals are capitals. */
	EXPECT_HITS(f,
	            "\xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b"
	            "\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab",
	            "labour=\xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b"
	            "\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab");
}

static void test_match_case_insensitive_by_default(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tories\n"
	                "    terms: [Tories]\n");
	EXPECT_HITS(f, "tories TORIES ToRiEs",
	            "tories=tories, tories=TORIES, tories=ToRiEs");
}

/* ------------------------------------------------------------------------ */
/* Exceptions and context                                                   */

static void test_match_unless_phrases_cancel(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms:\n"
	                "      - term: Labour\n"
	                "        unless: [labour market, in labour, Labour "
	                "Day]\n");
	EXPECT_HITS(f, "the labour market", "");
	EXPECT_HITS(f, "LABOUR MARKET figures", "");
	EXPECT_HITS(f, "she is in labour", "");
	EXPECT_HITS(f, "a Labour Day parade", "");
	EXPECT_HITS(f, "the Labour Party", "labour=Labour");
	EXPECT_HITS(f, "market Labour", "labour=Labour");
	/* An exception cancels only the occurrence it surrounds. */
	EXPECT_HITS(f, "labour market Labour", "labour=Labour");
}

static void test_match_context_within_n_words(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: green\n"
	                "    terms:\n"
	                "      - term: Green\n"
	                "        case: exact\n"
	                "        context:\n"
	                "          within: 1\n"
	                "          any: [party, Party, candidate]\n"
	                "  - id: alliance\n"
	                "    terms:\n"
	                "      - term: Alliance\n"
	                "        case: exact\n"
	                "        context:\n"
	                "          within: 3\n"
	                "          all: [MLA, Stormont]\n");
	EXPECT_HITS(f, "the Green Party", "green=Green");
	EXPECT_HITS(f, "Green candidate", "green=Green");
	EXPECT_HITS(f, "party: Green", "green=Green");
	EXPECT_HITS(f, "Green waste collection", "");
	EXPECT_HITS(f, "Green and Party", "");
	EXPECT_HITS(f, "Cllr Mark Green, cabinet member for parks", "");
	EXPECT_HITS(f, "an Alliance MLA at Stormont", "alliance=Alliance");
	EXPECT_HITS(f, "an Alliance MLA", "");
	EXPECT_HITS(f, "Alliance a b MLA c Stormont", "");
	EXPECT_HITS(f, "MLA x y Alliance z w Stormont", "alliance=Alliance");
}

static void test_match_unmatchable_context_is_not_dropped(void **state)
{
	fixture *f = *state;

	/* A context word with no letters can never be found: the term
	 * must then never count, not count everywhere. */
	fx_load(f, HEAD "  - id: labour\n"
	                "    terms:\n"
	                "      - term: Labour\n"
	                "        context:\n"
	                "          any: ['!!!']\n");
	assert_int_equal(pd_lexset_warning_count(f->set), 1);
	EXPECT_HITS(f, "Labour", "");
	EXPECT_HITS(f, "Labour !!! party", "");
}

static void test_match_term_of_more_than_32_words_refused(void **state)
{
	fixture *f = *state;
	char yaml[1024];
	size_t len;
	pd_rc rc;

	len = (size_t)snprintf(yaml, sizeof(yaml),
	                       HEAD "  - id: long\n    terms:\n      - w0");
	for (int i = 1; i < 33; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len, " w%d",
		                        i);
	snprintf(yaml + len, sizeof(yaml) - len, "\n");
	assert_int_equal(pd_lexset_new(&f->set), PD_OK);
	assert_int_equal(
	        pd_lexset_load_buffer(f->set, "long.yaml", yaml, strlen(yaml)),
	        PD_OK);
	rc = pd_matcher_new(&f->m, f->set);
	assert_int_equal(rc, PD_ECONFIG);
	assert_null(f->m);
	assert_int_equal(strncmp(pd_error_message(), "long.yaml:10:9: ", 16),
	                 0);
	assert_non_null(strstr(pd_error_message(), "more than 32 words"));
}

static void test_match_disguised_tokens_skip_context(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: green\n"
	                "    terms:\n"
	                "      - term: Green\n"
	                "        case: exact\n"
	                "        context:\n"
	                "          within: 1\n"
	                "          any: [party]\n");
	EXPECT_HITS(f, "Green", "");
	EXPECT_HITS(f, "vote G_R_E_E_N", "green=G_R_E_E_N");
	EXPECT_HITS(f, "vote G r e e n", "green=G r e e n");
	EXPECT_HITS(f, "vote Gr33n", "green=Gr33n");
	EXPECT_HITS(f,
	            "vote \xf0\x9d\x90\x86\xf0\x9d\x90\xab\xf0\x9d\x90\x9e"
	            "\xf0\x9d\x90\x9e\xf0\x9d\x90\xa7",
	            "green=\xf0\x9d\x90\x86\xf0\x9d\x90\xab\xf0\x9d\x90\x9e"
	            "\xf0\x9d\x90\x9e\xf0\x9d\x90\xa7");
}

/* ------------------------------------------------------------------------ */
/* Hashtags, handles, wildcards, leetspeak, split words                     */

static void test_match_hashtag_term_only_matches_hashtags(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: vote-labour\n"
	                "    terms: ['#VoteLabour']\n");
	EXPECT_HITS(f, "#VoteLabour", "vote-labour=VoteLabour");
	EXPECT_HITS(f, "please #VoteLabour2026!", "vote-labour=VoteLabour");
	EXPECT_HITS(f, "vote labour", "");
	EXPECT_HITS(f, "Vote Labour on Thursday", "");
	EXPECT_HITS(f, "VoteLabour", "");
}

static void test_match_hashtag_with_a_digit_between_words(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    case: exact\n"
	                "    terms: [Labour]\n");
	EXPECT_HITS(f, "#Labour2026", "labour=Labour");
	EXPECT_HITS(f, "#Vote4Labour", "labour=Labour");
	EXPECT_HITS(f, "#Labour4Ever", "labour=Labour");
}

static void test_match_lowercase_hashtag_segmentation(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: vote-labour\n"
	                "    terms: ['#VoteLabour']\n"
	                "  - id: snp-out\n"
	                "    terms: ['#SNPOut']\n"
	                "  - id: reform\n"
	                "    terms: [Reform UK]\n");
	EXPECT_HITS(f, "#votelabour", "vote-labour=votelabour");
	EXPECT_HITS(f, "#VOTELABOUR", "vote-labour=VOTELABOUR");
	EXPECT_HITS(f, "#snpout", "snp-out=snpout");
	EXPECT_HITS(f, "#reformuk", "reform=reformuk");
	/* Not made of known words. */
	EXPECT_HITS(f, "#votelabor", "");
}

static void test_match_party_inside_a_handle_does_not_count(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: green\n"
	                "    terms: [Green]\n"
	                "  - id: conservatives\n"
	                "    terms: [Conservatives]\n"
	                "  - id: green-party\n"
	                "    terms: [Green Party]\n");
	EXPECT_HITS(f, "thanks @MarkGreenLab", "");
	EXPECT_HITS(f, "thanks @GreenMark", "");
	EXPECT_HITS(f, "thanks @green_mark", "");
	EXPECT_HITS(f, "follow @Conservatives", "conservatives=Conservatives");
	EXPECT_HITS(f, "follow @TheConservatives", "");
	EXPECT_HITS(f, "follow @GreenParty", "green-party=GreenParty");
	/* Hashtags are not handles: a party word in one counts. */
	EXPECT_HITS(f, "#GreenRecovery", "green=Green");
}

static void test_match_handle_term_only_matches_handles(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: conservatives\n"
	                "    terms: ['@Conservatives']\n");
	EXPECT_HITS(f, "@Conservatives", "conservatives=Conservatives");
	EXPECT_HITS(f, "the Conservatives", "");
	EXPECT_HITS(f, "#Conservatives", "");
}

static void test_match_wildcard_letters(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tories\n"
	                "    terms: [Tories]\n"
	                "  - id: labour\n"
	                "    case: exact\n"
	                "    terms: [Labour]\n");
	EXPECT_HITS(f, "T*ries out", "tories=T*ries");
	EXPECT_HITS(f,
	            "L\xf0\x9f\x8c\xb9"
	            "b\xf0\x9f\x8c\xb9"
	            "ur",
	            "labour=L\xf0\x9f\x8c\xb9"
	            "b\xf0\x9f\x8c\xb9"
	            "ur");
	EXPECT_HITS(f, "L*bour", "labour=L*bour");
	/* A wildcard stands for one letter, not any number. */
	EXPECT_HITS(f, "T*es", "");
	EXPECT_HITS(f, "X*ries", "");
	/* Case still counts around it. */
	EXPECT_HITS(f, "l*bour", "");
}

static void test_match_two_wildcards_in_a_row(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tories\n"
	                "    terms: [Tories]\n"
	                "  - id: labour\n"
	                "    terms: [Labour]\n");
	/* Two letters starred out together, as people censor a name. */
	EXPECT_HITS(f, "T**ies out", "tories=T**ies");
	EXPECT_HITS(f, "L\xf0\x9f\x8c\xb9\xf0\x9f\x8c\xb9our",
	            "labour=L\xf0\x9f\x8c\xb9\xf0\x9f\x8c\xb9our");
}

static void test_match_leet_one_read_as_l(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: alba\n"
	                "    terms: [Alba Party]\n"
	                "  - id: lib\n"
	                "    terms: [Lib Dems]\n");
	/* '1' is read as 'i' first, then as 'l'. */
	EXPECT_HITS(f, "the A1ba Party", "alba=A1ba Party");
	EXPECT_HITS(f, "the L1b Dems", "lib=L1b Dems");
}

static void test_match_leet_one_read_as_l_beside_real_i(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: alliance\n"
	                "    terms: [Alliance]\n"
	                "  - id: plaid\n"
	                "    terms: [Plaid Cymru]\n"
	                "  - id: liberal\n"
	                "    terms: [Liberal Democrats]\n");
	/* The '1's stand for l, next to a real i. */
	EXPECT_HITS(f, "vote A11iance", "alliance=A11iance");
	EXPECT_HITS(f, "vote P1aid Cymru", "plaid=P1aid Cymru");
	EXPECT_HITS(f, "vote Libera1 Democrats", "liberal=Libera1 Democrats");
}

/* A last letter written as the digit it looks like: 0 o, 1 l or i, 3 e,
 * 4 a, 5 s, 7 t, 8 b, 9 g. */
static void test_match_trailing_leet_digit(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: tories\n"
	                "    terms: [Tories]\n"
	                "  - id: snp\n"
	                "    terms: [Alba]\n"
	                "  - id: reform\n"
	                "    terms: [Reform]\n"
	                "  - id: green\n"
	                "    terms: [Greens]\n");
	EXPECT_HITS(f, "the Torie5 again", "tories=Torie5");
	EXPECT_HITS(f, "the Alb4 party", "snp=Alb4");
	EXPECT_HITS(f, "the Greens and the Green5",
	            "green=Greens, green=Green5");
	EXPECT_HITS(f, "the Torie7 again", "");
}

static void test_match_joined_split_words(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n"
	                "  - id: conservatives\n"
	                "    terms: [Conservatives]\n");
	EXPECT_HITS(f, "vote Lab our", "labour=Lab our");
	EXPECT_HITS(f, "vote Lab.our", "labour=Lab.our");
	EXPECT_HITS(f, "vote Lab_our", "labour=Lab_our");
	EXPECT_HITS(f, "the Con servatives", "conservatives=Con servatives");
	/* Words that do not make a known word stay apart, and a wider
	 * gap is a real gap. */
	EXPECT_HITS(f, "Lab work our way", "");
	EXPECT_HITS(f, "Lab  our", "");
	EXPECT_HITS(f, "Lab, our", "");
}

static void test_match_hyphenated_line_break_word(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: conservatives\n"
	                "    terms: [Conservatives]\n");
	EXPECT_HITS(f, "the Con-\nservatives",
	            "conservatives=Con-\nservatives");
	EXPECT_HITS(f, "the Con-\r\nservatives",
	            "conservatives=Con-\r\nservatives");
}

static void test_match_hyphen_at_line_end_keeps_compound_words(void **state)
{
	fixture *f = *state;

	/* Wrapped plain text breaks real compounds at their hyphen too:
	 * "Labour-run" split over two lines still names Labour. */
	fx_load(f, HEAD "  - id: labour\n"
	                "    case: exact\n"
	                "    terms: [Labour]\n");
	EXPECT_HITS(f, "the Labour-run council", "labour=Labour");
	EXPECT_HITS(f, "the Labour-\nrun council", "labour=Labour");
}

/* A hashtag joined across a line break and then split into known words:
 * each word's span is its own part of the hashtag, never the text before
 * it (it once began at byte 0 when single letters came first). */
static void test_match_split_hashtag_joined_across_lines(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n"
	                "  - id: vote\n"
	                "    weight: 0\n"
	                "    terms: [vote]\n");
	EXPECT_HITS(f, "x y z commun#VoteLabour2026Con-\nservativesity",
	            "labour=VoteLabour, vote=VoteLabour");
	EXPECT_HITS(f, "a b c #VoteLabour2026Con-\nservativesity",
	            "vote=Vote, labour=Labour");
}

static void test_match_multiword_term_across_lines(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour-party\n"
	                "    terms: [Labour Party]\n");
	EXPECT_HITS(f, "the Labour\nParty", "labour-party=Labour\nParty");
	EXPECT_HITS(f, "the Labour, Party", "labour-party=Labour, Party");
	EXPECT_HITS(f, "Labour's Party", "");
}

static void test_match_emoji_term_after_a_word(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: rose\n"
	                "    terms: [\"\xf0\x9f\x8c\xb9\"]\n");
	EXPECT_HITS(f, "vote for us \xf0\x9f\x8c\xb9", "rose=\xf0\x9f\x8c\xb9");
	EXPECT_HITS(f, "vote for us\xf0\x9f\x8c\xb9", "rose=\xf0\x9f\x8c\xb9");
}

/* ------------------------------------------------------------------------ */
/* Patterns                                                                 */

static void test_match_pattern_spans_map_to_original_text(void **state)
{
	fixture *f = *state;
	const char *text = "Please VOTE   FOR L4b0ur! Labourer";
	const pd_hit *h;

	const char *list[] = {
	        HEAD "  - id: vote-for\n"
	             "    patterns: ['vote\\s+for\\s+(labour|tories)\\b']\n",
	        "name: u\n"
	        "category: topic\n"
	        "language: en\n"
	        "version: \"1\"\n"
	        "entries:\n"
	        "  - id: abou\n"
	        "    patterns: ['abou']\n",
	        NULL};

	fx_load_all(f, list);
	fx_scan_flags(f, text, 0);
	assert_int_equal(f->scan.nhits, 3);
	h = &f->scan.hits[0];
	assert_string_equal(h->entry->id, "vote-for");
	assert_int_equal(h->start, 7);
	assert_int_equal(h->end, 24);
	assert_string_equal(h->text, "VOTE   FOR L4b0ur");
	assert_string_equal(h->norm, "vote for labour");
	assert_string_equal(h->term, "vote\\s+for\\s+(labour|tories)\\b");
	/* Inside a plain word the span is exact; inside a disguised one it
	 * is the whole word. */
	h = &f->scan.hits[1];
	assert_string_equal(h->entry->id, "abou");
	assert_string_equal(h->text, "L4b0ur");
	h = &f->scan.hits[2];
	assert_string_equal(h->text, "abou");
	assert_int_equal(h->start, 27);
}

static void test_match_pattern_matches_inside_words(void **state)
{
	fixture *f = *state;
	const char *list[] = {HEAD "  - id: pro\n"
	                           "    patterns: ['pro\\s*labour']\n",
	                      "name: u\n"
	                      "category: topic\n"
	                      "language: en\n"
	                      "version: \"1\"\n"
	                      "entries:\n"
	                      "  - id: abou\n"
	                      "    patterns: ['abou']\n",
	                      NULL};

	/* A pattern means what PCRE2 says: without \b it may match inside
	 * a word, and \s* may match no space at all. */
	fx_load_all(f, list);
	EXPECT_HITS(f, "Labourer", "abou=abou");
	EXPECT_HITS(f, "a pro labour rally", "pro=pro labour, abou=abou");
	EXPECT_HITS(f, "a prolabour rally", "pro=prolabour, abou=abou");
}

static void test_match_pattern_sees_normalised_text(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: vote-for\n"
	                "    patterns: ['vote for (labour|the tories)']\n");
	EXPECT_HITS(f, "VOTE FOR LABOUR", "vote-for=VOTE FOR LABOUR");
	EXPECT_HITS(f, "#VoteFor #Labour", "vote-for=VoteFor #Labour");
	EXPECT_HITS(f, "Vote for the T.o.r.i.e.s",
	            "vote-for=Vote for the "
	            "T.o.r.i.e.s");
	EXPECT_HITS(f, "vote for lab", "");
}

static void test_match_pattern_match_limit_fails_the_scan(void **state)
{
	fixture *f = *state;
	char text[256];
	size_t len = 0;
	pd_rc rc;

	/* Catastrophic backtracking. The normaliser reads "aaaa...b" as
	 * "ab" (a letter repeated is read once), so the long run of a's
	 * is written as spaced single letters, which it joins. */
	fx_load(f, HEAD "  - id: evil\n"
	                "    patterns: ['(a+)+$']\n"
	                "  - id: labour\n"
	                "    terms: [Labour]\n");
	len += (size_t)snprintf(text, sizeof(text), "Labour ");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "a ");
	len += (size_t)snprintf(text + len, sizeof(text) - len, "b");
	rc = pd_matcher_scan(f->m, &f->scan, text, len, 0);
	assert_int_equal(rc, PD_EDEP);
	assert_non_null(strstr(pd_error_message(), "match limit"));
	/* The message says which pattern (or patterns) failed. */
	assert_true(strstr(pd_error_message(), "(a+)+$") ||
	            strstr(pd_error_message(), "evil") ||
	            strstr(pd_error_message(), "category 'party'"));
	/* Never a partial or clean result. */
	assert_int_equal(f->scan.nhits, 0);
	assert_int_equal(f->scan.nscores, 0);
	assert_true(pd_scan_score(&f->scan, "party") == 0);
	/* The scan can be reused. */
	EXPECT_HITS(f, "Labour", "labour=Labour");
}

static void test_match_pattern_match_limit_on_digits(void **state)
{
	fixture *f = *state;
	char text[128];
	pd_rc rc;

	fx_load(f, HEAD "  - id: evil\n"
	                "    patterns: ['(\\d+)+$']\n");
	memset(text, '1', 60);
	memcpy(text + 60, " x", 3);
	rc = pd_matcher_scan(f->m, &f->scan, text, strlen(text), 0);
	assert_int_equal(rc, PD_EDEP);
	assert_int_equal(f->scan.nhits, 0);
}

/* ------------------------------------------------------------------------ */
/* Overlaps, scores, hit details                                            */

static void test_match_nested_hits_keep_the_longest(void **state)
{
	fixture *f = *state;
	const char *other = "name: u\n"
	                    "category: topic\n"
	                    "language: en\n"
	                    "version: \"1\"\n"
	                    "entries:\n"
	                    "  - id: labour-topic\n"
	                    "    weight: 1\n"
	                    "    terms: [Labour]\n";
	const char *list[3];

	list[0] = HEAD "  - id: labour\n"
	               "    terms: [Labour]\n"
	               "  - id: labour-party\n"
	               "    weight: 12\n"
	               "    terms: [the Labour Party]\n";
	list[1] = other;
	list[2] = NULL;
	fx_load_all(f, list);
	/* In one category only the longest counts; other categories keep
	 * their own hits. */
	EXPECT_HITS(f, "for the Labour Party",
	            "labour-party=the Labour Party, labour-topic=Labour");
	assert_true(pd_scan_score(&f->scan, "party") == 12);
	assert_true(pd_scan_score(&f->scan, "topic") == 1);
	EXPECT_HITS(f, "Labour", "labour=Labour, labour-topic=Labour");
}

static void test_match_staggered_overlap_keeps_the_longest(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: new-labour\n"
	                "    weight: 2\n"
	                "    terms: [new labour]\n"
	                "  - id: conference\n"
	                "    weight: 3\n"
	                "    terms: [labour party conference]\n");
	/* "new labour" and "labour party conference" share "labour": the
	 * longer of the two is kept. */
	EXPECT_HITS(f, "at the new labour party conference",
	            "conference=labour party conference");
	assert_true(pd_scan_score(&f->scan, "party") == 3);
}

static void test_match_scores_sum_weights_per_category(void **state)
{
	fixture *f = *state;
	const char *list[] = {HEAD "  - id: labour\n"
	                           "    terms: [Labour]\n"
	                           "  - id: tories\n"
	                           "    weight: 8.5\n"
	                           "    terms: [Tories]\n",
	                      "name: ep\n"
	                      "category: electoral-process\n"
	                      "language: en\n"
	                      "version: \"1\"\n"
	                      "entries:\n"
	                      "  - id: polling-station\n"
	                      "    weight: -2\n"
	                      "    terms: [polling station]\n"
	                      "  - id: postal-vote\n"
	                      "    weight: -1.5\n"
	                      "    terms: [postal vote]\n",
	                      NULL};

	fx_load_all(f, list);
	fx_scan_flags(f,
	              "Labour and the Tories agree: Labour says find your "
	              "polling station or apply for a postal vote",
	              0);
	assert_int_equal(f->scan.nhits, 5);
	assert_int_equal(f->scan.nscores, 2);
	/* Sorted by category name. */
	assert_string_equal(f->scan.scores[0].category, "electoral-process");
	assert_true(f->scan.scores[0].score == -3.5);
	assert_int_equal(f->scan.scores[0].hits, 2);
	assert_string_equal(f->scan.scores[1].category, "party");
	assert_true(f->scan.scores[1].score == 28.5);
	assert_int_equal(f->scan.scores[1].hits, 3);
	assert_true(pd_scan_score(&f->scan, "party") == 28.5);
	assert_true(pd_scan_score(&f->scan, "electoral-process") == -3.5);
	assert_true(pd_scan_score(&f->scan, "topic") == 0);
	/* A new scan replaces the scores. */
	fx_scan_flags(f, "nothing here", 0);
	assert_int_equal(f->scan.nscores, 0);
	assert_true(pd_scan_score(&f->scan, "party") == 0);
}

static void test_match_hit_reports_span_text_and_norm(void **state)
{
	fixture *f = *state;
	const char *bold = "\xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b"
	                   "\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab";
	char text[128];
	const pd_hit *h;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n"
	                "    meta: {party: Labour}\n");
	snprintf(text, sizeof(text), "Vote for %s today, L4b0ur!", bold);
	fx_scan_flags(f, text, 0);
	assert_int_equal(f->scan.nhits, 2);
	h = &f->scan.hits[0];
	assert_int_equal(h->start, 9);
	assert_int_equal(h->end, 9 + strlen(bold));
	assert_string_equal(h->text, bold);
	assert_string_equal(h->norm, "labour");
	assert_string_equal(h->term, "Labour");
	assert_true(h->weight == 10);
	assert_string_equal(h->entry->id, "labour");
	assert_string_equal(h->entry->lexicon->category, "party");
	assert_string_equal(pd_lex_entry_meta(h->entry, "party"), "Labour");
	h = &f->scan.hits[1];
	assert_string_equal(h->text, "L4b0ur");
	assert_string_equal(h->norm, "labour");
	assert_int_equal(h->start, strlen(text) - 7);
}

static void test_match_html_input(void **state)
{
	fixture *f = *state;
	const char *html = "<p>Vote Lab<b>our</b></p><script>Tories</script>";
	const char *got;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n"
	                "  - id: tories\n"
	                "    terms: [Tories]\n");
	got = fx_hits_flags(f, html, PD_NORM_HTML);
	assert_string_equal(got, "labour=Lab<b>our");
	got = fx_hits_flags(f, "<img alt=\"Tories out\">", PD_NORM_HTML);
	assert_string_equal(got, "tories=Tories");
	/* As plain text the tags are text. */
	got = fx_hits_flags(f, html, 0);
	assert_string_equal(got, "tories=Tories");
}

static void test_match_empty_and_quiet_text(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour]\n");
	assert_int_equal(pd_matcher_scan(f->m, &f->scan, "", 0, 0), PD_OK);
	assert_int_equal(f->scan.nhits, 0);
	assert_int_equal(f->scan.nscores, 0);
	EXPECT_HITS(f, "The library opens at nine on Saturday.", "");
	EXPECT_HITS(f, "!!! ??? ...", "");
}

static void test_match_term_and_word_counts(void **state)
{
	fixture *f = *state;

	fx_load(f, HEAD "  - id: labour\n"
	                "    terms: [Labour, Labour Party]\n"
	                "    aliases: [the Labour Party]\n"
	                "    patterns: ['vote\\s+labour']\n");
	/* 3 terms + 1 pattern; words: labour, party, the. */
	assert_int_equal(pd_matcher_term_count(f->m), 4);
	assert_int_equal(pd_matcher_word_count(f->m), 3);
}

/* ------------------------------------------------------------------------ */
/* Scale, determinism, threads                                              */

/* A made-up name for person i: "Bado Kemivu" style, letters only, never
 * three of a letter in a row. */
static void person_name(char *out, size_t size, unsigned i)
{
	static const char cons[] = "bdfgklmnprstvz";
	static const char vow[] = "aeiou";
	unsigned s[5];

	s[0] = i % 70;
	s[1] = (i / 70) % 70;
	s[2] = (i / 4900) % 70;
	s[3] = (i * 7 + 3) % 70;
	s[4] = (i / 70) % 70;
	snprintf(out, size, "%c%c%c%c %c%c%c%c%c%c", cons[s[0] / 5] - 32,
	         vow[s[0] % 5], cons[s[1] / 5], vow[s[1] % 5],
	         cons[s[2] / 5] - 32, vow[s[2] % 5], cons[s[3] / 5],
	         vow[s[3] % 5], cons[s[4] / 5], vow[s[4] % 5]);
}

static void test_match_twenty_thousand_names(void **state)
{
	fixture *f = *state;
	pd_buf y = PD_BUF_INIT(16u << 20);
	char name[64], text[256];
	const char *list[2];

	assert_int_equal(pd_buf_puts(&y, "name: people\n"
	                                 "category: councillor\n"
	                                 "language: en\n"
	                                 "version: \"1\"\n"
	                                 "defaults:\n"
	                                 "  weight: 6\n"
	                                 "  case: exact\n"
	                                 "entries:\n"),
	                 PD_OK);
	for (unsigned i = 0; i < 20000; i++) {
		person_name(name, sizeof(name), i);
		assert_int_equal(pd_buf_printf(&y,
		                               "  - id: p-%u\n"
		                               "    terms: [\"%s\", \"Cllr "
		                               "%s\"]\n",
		                               i, name, name),
		                 PD_OK);
	}
	list[0] = y.ptr;
	list[1] = NULL;
	fx_load_all(f, list);
	pd_buf_dispose(&y);
	assert_int_equal(pd_matcher_term_count(f->m), 40000);
	assert_int_equal(pd_lexset_get(f->set, 0)->nentries, 20000);
	person_name(name, sizeof(name), 12345);
	snprintf(text, sizeof(text),
	         "Opening the new library today was %s, with residents.", name);
	fx_scan_flags(f, text, 0);
	assert_int_equal(f->scan.nhits, 1);
	assert_string_equal(f->scan.hits[0].entry->id, "p-12345");
	assert_string_equal(f->scan.hits[0].text, name);
	/* Case-exact: the lower-case name is not a hit. */
	for (char *p = text; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	fx_scan_flags(f, text, 0);
	assert_int_equal(f->scan.nhits, 0);
}

static const char *const rich_yaml =
        HEAD "  - id: labour\n"
             "    terms:\n"
             "      - term: Labour\n"
             "        case: exact\n"
             "        unless: [labour market]\n"
             "      - '#VoteLabour'\n"
             "    aliases: [Labour Party]\n"
             "  - id: tory\n"
             "    terms:\n"
             "      - term: Tory\n"
             "        boundary: prefix\n"
             "      - Tories\n"
             "  - id: abour\n"
             "    weight: 1\n"
             "    terms:\n"
             "      - term: abour\n"
             "        boundary: any\n"
             "  - id: green\n"
             "    terms:\n"
             "      - term: Green\n"
             "        case: exact\n"
             "        context:\n"
             "          within: 1\n"
             "          any: [party]\n"
             "  - id: vote-for\n"
             "    weight: 5\n"
             "    patterns: ['vote\\s+for\\s+\\w+']\n";

static const char *const rich_text =
        "Vote for L4b0ur! The Labour Party and the T*ries; Toryism, "
        "#VoteLabour, #votelabour, G_R_E_E_N, Green party, the labour "
        "market, Lab our, \xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b"
        "\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab and Con-\n"
        "servatives, Labourer.";

/* Do two scans hold the same hits? */
static bool same_hits(const pd_scan *a, const pd_scan *b)
{
	if (a->nhits != b->nhits || a->nscores != b->nscores)
		return false;
	for (size_t i = 0; i < a->nhits; i++) {
		const pd_hit *x = &a->hits[i], *y = &b->hits[i];
		if (x->entry != y->entry || x->start != y->start ||
		    x->end != y->end || strcmp(x->term, y->term) != 0 ||
		    strcmp(x->text, y->text) != 0 ||
		    strcmp(x->norm, y->norm) != 0 || x->weight != y->weight)
			return false;
	}
	for (size_t i = 0; i < a->nscores; i++)
		if (strcmp(a->scores[i].category, b->scores[i].category) != 0 ||
		    a->scores[i].score != b->scores[i].score ||
		    a->scores[i].hits != b->scores[i].hits)
			return false;
	return true;
}

static void test_match_scan_is_deterministic(void **state)
{
	fixture *f = *state;
	pd_scan other = PD_SCAN_INIT;
	bool same1, same2;
	size_t n;

	fx_load(f, rich_yaml);
	fx_scan_flags(f, rich_text, 0);
	n = f->scan.nhits;
	assert_true(n >= 10);
	assert_int_equal(
	        pd_matcher_scan(f->m, &other, rich_text, strlen(rich_text), 0),
	        PD_OK);
	same1 = same_hits(&f->scan, &other);
	/* Again with the same scan in between a different text. */
	assert_int_equal(pd_matcher_scan(f->m, &other, "Tories", 6, 0), PD_OK);
	assert_int_equal(
	        pd_matcher_scan(f->m, &other, rich_text, strlen(rich_text), 0),
	        PD_OK);
	same2 = same_hits(&f->scan, &other);
	pd_scan_dispose(&other);
	assert_true(same1);
	assert_true(same2);
}

typedef struct {
	const pd_matcher *m;
	const pd_scan *want;
	int rounds;
	bool ok;
} thread_job;

static void *scan_thread(void *arg)
{
	thread_job *j = arg;
	pd_scan s = PD_SCAN_INIT;

	j->ok = true;
	for (int r = 0; r < j->rounds && j->ok; r++)
		j->ok = pd_matcher_scan(j->m, &s, rich_text, strlen(rich_text),
		                        0) == PD_OK &&
		        same_hits(&s, j->want);
	pd_scan_dispose(&s);
	return NULL;
}

static void test_match_matcher_shared_by_threads(void **state)
{
	fixture *f = *state;
	pthread_t t[4];
	thread_job job[4];

	fx_load(f, rich_yaml);
	fx_scan_flags(f, rich_text, 0);
	for (int i = 0; i < 4; i++) {
		job[i].m = f->m;
		job[i].want = &f->scan;
		job[i].rounds = 50;
		job[i].ok = false;
		assert_int_equal(
		        pthread_create(&t[i], NULL, scan_thread, &job[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_true(job[i].ok);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                      */

static void test_match_allocation_failure_while_compiling(void **state)
{
	fixture *f = *state;
	long n;

	if (pd_lexset_new(&f->set) < 0 ||
	    pd_lexset_load_buffer(f->set, "rich.yaml", rich_yaml,
	                          strlen(rich_yaml)) < 0)
		fail_msg("%s", pd_error_message());
	for (n = 0; n < 100000; n++) {
		pd_matcher *m = NULL;
		pd_rc rc;
		pd_alloc_fail_after(n);
		rc = pd_matcher_new(&m, f->set);
		pd_alloc_fail_after(-1);
		pd_matcher_free(m);
		if (rc != PD_OK && rc != PD_ENOMEM)
			fail_msg("allocation %ld failing: %s '%s'", n,
			         pd_rc_name(rc), pd_error_message());
		if (rc == PD_OK)
			break;
	}
	assert_true(n > 5);
	assert_true(n < 100000);
	assert_int_equal(pd_lexset_warning_count(f->set), 0);
}

static void test_match_allocation_failure_while_scanning(void **state)
{
	fixture *f = *state;
	pd_scan reused = PD_SCAN_INIT;
	long n;
	bool bad_rc = false, bad_hits = false;
	pd_rc last = PD_OK;

	fx_load(f, rich_yaml);
	fx_scan_flags(f, rich_text, 0);
	for (n = 0; n < 100000; n++) {
		pd_scan fresh = PD_SCAN_INIT;
		pd_rc rc, rc2;
		pd_alloc_fail_after(n);
		rc = pd_matcher_scan(f->m, &fresh, rich_text, strlen(rich_text),
		                     0);
		pd_alloc_fail_after(n);
		rc2 = pd_matcher_scan(f->m, &reused, rich_text,
		                      strlen(rich_text), 0);
		pd_alloc_fail_after(-1);
		if ((rc != PD_OK && rc != PD_ENOMEM) ||
		    (rc2 != PD_OK && rc2 != PD_ENOMEM)) {
			bad_rc = true;
			last = rc != PD_OK && rc != PD_ENOMEM ? rc : rc2;
		}
		if (rc == PD_OK && !same_hits(&fresh, &f->scan))
			bad_hits = true;
		if (rc2 == PD_OK && !same_hits(&reused, &f->scan))
			bad_hits = true;
		if (rc != PD_OK && fresh.nhits != 0)
			bad_hits = true;
		pd_scan_dispose(&fresh);
		if (bad_rc || bad_hits || (rc == PD_OK && rc2 == PD_OK))
			break;
	}
	pd_scan_dispose(&reused);
	if (bad_rc)
		fail_msg("allocation %ld failing: %s", n, pd_rc_name(last));
	assert_false(bad_hits);
	assert_true(n > 2);
	assert_true(n < 100000);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_match_whole_word_boundary),
	        T(test_match_prefix_boundary_runs_on),
	        T(test_match_prefix_boundary_with_exact_case),
	        T(test_match_any_boundary_inside_words),
	        T(test_match_any_boundary_with_exact_case),
	        T(test_match_exact_case_counts_capitalised_and_all_caps),
	        T(test_match_case_insensitive_by_default),
	        T(test_match_unless_phrases_cancel),
	        T(test_match_context_within_n_words),
	        T(test_match_unmatchable_context_is_not_dropped),
	        T(test_match_term_of_more_than_32_words_refused),
	        T(test_match_disguised_tokens_skip_context),
	        T(test_match_hashtag_term_only_matches_hashtags),
	        T(test_match_hashtag_with_a_digit_between_words),
	        T(test_match_lowercase_hashtag_segmentation),
	        T(test_match_party_inside_a_handle_does_not_count),
	        T(test_match_handle_term_only_matches_handles),
	        T(test_match_wildcard_letters),
	        T(test_match_two_wildcards_in_a_row),
	        T(test_match_leet_one_read_as_l),
	        T(test_match_leet_one_read_as_l_beside_real_i),
	        T(test_match_trailing_leet_digit),
	        T(test_match_joined_split_words),
	        T(test_match_hyphenated_line_break_word),
	        T(test_match_hyphen_at_line_end_keeps_compound_words),
	        T(test_match_split_hashtag_joined_across_lines),
	        T(test_match_multiword_term_across_lines),
	        T(test_match_emoji_term_after_a_word),
	        T(test_match_pattern_spans_map_to_original_text),
	        T(test_match_pattern_matches_inside_words),
	        T(test_match_pattern_sees_normalised_text),
	        T(test_match_pattern_match_limit_fails_the_scan),
	        T(test_match_pattern_match_limit_on_digits),
	        T(test_match_nested_hits_keep_the_longest),
	        T(test_match_staggered_overlap_keeps_the_longest),
	        T(test_match_scores_sum_weights_per_category),
	        T(test_match_hit_reports_span_text_and_norm),
	        T(test_match_html_input),
	        T(test_match_empty_and_quiet_text),
	        T(test_match_term_and_word_counts),
	        T(test_match_twenty_thousand_names),
	        T(test_match_scan_is_deterministic),
	        T(test_match_matcher_shared_by_threads),
	        T(test_match_allocation_failure_while_compiling),
	        T(test_match_allocation_failure_while_scanning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
