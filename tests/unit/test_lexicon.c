/*
 * Lexicon loading (include/purdah/lexicon.h): what a well-formed file
 * gives, every refusal naming file:line:column, the warnings for things
 * that load but cannot work, the audit hash, directory loading, and
 * allocation failures.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purdah/alloc.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"

#define HEAD                                                                   \
	"name: t\n"                                                            \
	"category: party\n"                                                    \
	"language: en\n"                                                       \
	"version: \"1\"\n"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* A set with `yaml` loaded as "test.yaml"; fails the test on error. */
static pd_lexset *load(const char *yaml)
{
	pd_lexset *set = NULL;

	if (pd_lexset_new(&set) < 0)
		fail_msg("%s", pd_error_message());
	if (pd_lexset_load_buffer(set, "test.yaml", yaml, strlen(yaml)) < 0) {
		pd_lexset_free(set);
		fail_msg("%s", pd_error_message());
	}
	return set;
}

/* Load `yaml`, expecting PD_ECONFIG with a message that starts with
 * "test.yaml:<where>: " and contains `what`. */
static void expect_error(const char *yaml, const char *where, const char *what)
{
	pd_lexset *set = NULL;
	char prefix[64];
	pd_rc rc;

	assert_int_equal(pd_lexset_new(&set), PD_OK);
	rc = pd_lexset_load_buffer(set, "test.yaml", yaml, strlen(yaml));
	pd_lexset_free(set);
	snprintf(prefix, sizeof(prefix), "test.yaml:%s: ", where);
	if (rc != PD_ECONFIG)
		fail_msg("want ECONFIG '%s...%s', got %s '%s'", prefix, what,
		         pd_rc_name(rc), pd_error_message());
	if (strncmp(pd_error_message(), prefix, strlen(prefix)) != 0 ||
	    !strstr(pd_error_message(), what))
		fail_msg("want '%s...%s', got '%s'", prefix, what,
		         pd_error_message());
}

/* Load and compile `yaml` (a matcher adds its own warnings); returns the
 * set for its warnings. */
static pd_lexset *compiled(const char *yaml)
{
	pd_lexset *set = load(yaml);
	pd_matcher *m = NULL;

	if (pd_matcher_new(&m, set) < 0) {
		pd_lexset_free(set);
		fail_msg("%s", pd_error_message());
	}
	pd_matcher_free(m);
	return set;
}

/* The number of warnings at `line` whose message contains `what`. */
static size_t warnings_at(const pd_lexset *set, int line, const char *what)
{
	size_t n = 0;

	for (size_t i = 0; i < pd_lexset_warning_count(set); i++) {
		const pd_lex_warning *w = pd_lexset_warning(set, i);
		if (w->line == line && strstr(w->message, what) &&
		    strcmp(w->file, "test.yaml") == 0)
			n++;
	}
	return n;
}

static const pd_lex_entry *entry(const pd_lexicon *lex, const char *id)
{
	for (size_t i = 0; i < lex->nentries; i++)
		if (strcmp(lex->entries[i].id, id) == 0)
			return &lex->entries[i];
	fail_msg("no entry '%s'", id);
	return NULL;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------------ */
/* What a well-formed file gives                                            */

static void test_lexicon_minimal_file_loads(void **state)
{
	pd_lexset *set = load(HEAD "description: Parties\n"
	                           "entries:\n"
	                           "  - id: labour\n"
	                           "    terms: [Labour Party]\n");
	const pd_lexicon *lex;
	(void)state;

	assert_int_equal(pd_lexset_count(set), 1);
	lex = pd_lexset_get(set, 0);
	assert_null(pd_lexset_get(set, 1));
	assert_string_equal(lex->path, "test.yaml");
	assert_string_equal(lex->name, "t");
	assert_string_equal(lex->category, "party");
	assert_string_equal(lex->language, "en");
	assert_string_equal(lex->version, "1");
	assert_string_equal(lex->description, "Parties");
	assert_int_equal(lex->nentries, 1);
	assert_string_equal(lex->entries[0].id, "labour");
	assert_ptr_equal(lex->entries[0].lexicon, lex);
	assert_int_equal(lex->entries[0].line, 7);
	assert_true(lex->entries[0].weight == 1.0);
	assert_int_equal(lex->entries[0].nterms, 1);
	assert_string_equal(lex->entries[0].terms[0].text, "Labour Party");
	assert_false(lex->entries[0].terms[0].exact_case);
	assert_int_equal(lex->entries[0].terms[0].boundary, PD_BOUNDARY_WORD);
	assert_false(lex->entries[0].terms[0].alias);
	assert_int_equal(lex->entries[0].terms[0].line, 8);
	assert_int_equal(lex->entries[0].terms[0].col, 13);
	assert_int_equal(pd_lexset_warning_count(set), 0);
	pd_lexset_free(set);
}

static void test_lexicon_defaults_apply_to_entries(void **state)
{
	pd_lexset *set = load(HEAD "defaults:\n"
	                           "  weight: 10\n"
	                           "  case: exact\n"
	                           "  boundary: prefix\n"
	                           "entries:\n"
	                           "  - id: a\n"
	                           "    terms: [Tory]\n"
	                           "    patterns: ['tor(y|ies)']\n"
	                           "  - id: b\n"
	                           "    weight: -2.5\n"
	                           "    case: insensitive\n"
	                           "    boundary: any\n"
	                           "    terms:\n"
	                           "      - Green\n"
	                           "      - term: Greens\n"
	                           "        case: exact\n"
	                           "        boundary: word\n");
	const pd_lexicon *lex = pd_lexset_get(set, 0);
	const pd_lex_entry *a = entry(lex, "a"), *b = entry(lex, "b");
	(void)state;

	assert_true(a->weight == 10.0);
	assert_true(a->terms[0].exact_case);
	assert_int_equal(a->terms[0].boundary, PD_BOUNDARY_PREFIX);
	assert_int_equal(a->npatterns, 1);
	assert_true(a->patterns[0].exact_case);
	assert_string_equal(a->patterns[0].text, "tor(y|ies)");
	assert_true(b->weight == -2.5);
	assert_false(b->terms[0].exact_case);
	assert_int_equal(b->terms[0].boundary, PD_BOUNDARY_ANY);
	assert_true(b->terms[1].exact_case);
	assert_int_equal(b->terms[1].boundary, PD_BOUNDARY_WORD);
	pd_lexset_free(set);
}

static void test_lexicon_defaults_after_entries_still_apply(void **state)
{
	pd_lexset *set = load(HEAD "entries:\n"
	                           "  - id: a\n"
	                           "    terms: [Tory]\n"
	                           "defaults:\n"
	                           "  weight: 7\n");
	(void)state;

	assert_true(pd_lexset_get(set, 0)->entries[0].weight == 7.0);
	pd_lexset_free(set);
}

static void test_lexicon_entry_options_apply_to_its_terms(void **state)
{
	/* Options written after the terms still apply to them. */
	pd_lexset *set = load(HEAD "entries:\n"
	                           "  - id: green\n"
	                           "    terms: [Green, Greens]\n"
	                           "    aliases: [Green Party]\n"
	                           "    case: exact\n"
	                           "    unless: [green waste, village green]\n"
	                           "    context:\n"
	                           "      within: 2\n"
	                           "      any: [party, candidate]\n"
	                           "      all: vote\n"
	                           "    meta:\n"
	                           "      party: Green\n"
	                           "      url: greenparty.org.uk\n");
	const pd_lex_entry *e = &pd_lexset_get(set, 0)->entries[0];
	(void)state;

	assert_int_equal(e->nterms, 3);
	for (size_t i = 0; i < 3; i++) {
		const pd_lex_term *t = &e->terms[i];
		assert_true(t->exact_case);
		assert_int_equal(t->nunless, 2);
		assert_string_equal(t->unless[1], "village green");
		assert_int_equal(t->context.within, 2);
		assert_int_equal(t->context.nany, 2);
		assert_string_equal(t->context.any[1], "candidate");
		assert_int_equal(t->context.nall, 1);
		assert_string_equal(t->context.all[0], "vote");
		assert_int_equal(t->alias, i == 2);
	}
	assert_string_equal(e->terms[2].text, "Green Party");
	assert_int_equal(e->nmeta, 2);
	assert_string_equal(pd_lex_entry_meta(e, "party"), "Green");
	assert_string_equal(pd_lex_entry_meta(e, "url"), "greenparty.org.uk");
	assert_null(pd_lex_entry_meta(e, "leader"));
	pd_lexset_free(set);
}

static void test_lexicon_term_options_override_entry_options(void **state)
{
	pd_lexset *set = load(HEAD "entries:\n"
	                           "  - id: con\n"
	                           "    unless: [con artist]\n"
	                           "    terms:\n"
	                           "      - term: Con\n"
	                           "        unless: [con man, con men]\n"
	                           "        context:\n"
	                           "          all: [Cllr]\n"
	                           "      - Conservatives\n");
	const pd_lex_entry *e = &pd_lexset_get(set, 0)->entries[0];
	(void)state;

	assert_int_equal(e->terms[0].nunless, 2);
	assert_string_equal(e->terms[0].unless[0], "con man");
	/* `within` defaults to 5 words. */
	assert_int_equal(e->terms[0].context.within, 5);
	assert_int_equal(e->terms[0].context.nany, 0);
	assert_int_equal(e->terms[0].context.nall, 1);
	assert_int_equal(e->terms[1].nunless, 1);
	assert_int_equal(e->terms[1].context.nall, 0);
	pd_lexset_free(set);
}

/* ------------------------------------------------------------------------ */
/* Refusals                                                                 */

static void test_lexicon_unknown_top_level_key_names_position(void **state)
{
	(void)state;
	expect_error(HEAD "colour: red\n"
	                  "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n",
	             "5:1", "unknown key 'colour'");
}

static void test_lexicon_unknown_entry_key_names_position(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n"
	                  "    colour: red\n",
	             "8:5", "unknown key 'colour' in an entry");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        colour: red\n",
	             "9:9", "unknown key 'colour' in a term");
	expect_error(HEAD "defaults:\n"
	                  "  colour: red\n"
	                  "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n",
	             "6:3", "unknown key in 'defaults'");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        context:\n"
	                  "          near: [y]\n",
	             "10:11", "unknown key 'context.near'");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    patterns:\n"
	                  "      - pattern: x\n"
	                  "        flags: i\n",
	             "9:9", "unknown key in a pattern");
}

static void test_lexicon_bad_id_characters_refused(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: Labour_Party\n"
	                  "    terms: [x]\n",
	             "6:9", "'id' must use only a-z, 0-9 and '-'");
	expect_error(HEAD "entries:\n"
	                  "  - id: labour party\n"
	                  "    terms: [x]\n",
	             "6:9", "'id' must use only");
	expect_error(HEAD "entries:\n"
	                  "  - id: \"\"\n"
	                  "    terms: [x]\n",
	             "6:9", "'id' is empty");
	expect_error(HEAD "entries:\n"
	                  "  - id: [a]\n"
	                  "    terms: [x]\n",
	             "6:9", "'id' must be a string");
	expect_error("name: Parties\n"
	             "category: party\n"
	             "language: en\n"
	             "version: \"1\"\n"
	             "entries:\n"
	             "  - id: a\n"
	             "    terms: [x]\n",
	             "1:7", "'name' must use only");
	expect_error(HEAD "entries:\n"
	                  "  - terms: [x]\n",
	             "6:5", "needs an 'id'");
}

static void test_lexicon_duplicate_entry_id_refused(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n"
	                  "  - id: b\n"
	                  "    terms: [y]\n"
	                  "  - id: a\n"
	                  "    terms: [z]\n",
	             "10:5", "duplicate entry id 'a' (first at line 6)");
}

static void test_lexicon_missing_required_fields_refused(void **state)
{
	static const char *const lines[] = {
	        "name: t\n",
	        "category: party\n",
	        "language: en\n",
	        "version: \"1\"\n",
	};
	(void)state;

	for (size_t skip = 0; skip < 4; skip++) {
		char yaml[512] = "";
		for (size_t i = 0; i < 4; i++)
			if (i != skip)
				strncat(yaml, lines[i],
				        sizeof(yaml) - strlen(yaml) - 1);
		strncat(yaml, "entries:\n  - id: a\n    terms: [x]\n",
		        sizeof(yaml) - strlen(yaml) - 1);
		expect_error(yaml, "1:1",
		             "needs name, category, language and version");
	}
	expect_error(HEAD "version: \"2\"\n", "5:1", "duplicate");
	expect_error("name: t\n"
	             "category: party\n"
	             "language: english\n"
	             "version: \"1\"\n"
	             "entries:\n"
	             "  - id: a\n"
	             "    terms: [x]\n",
	             "3:11", "not a language code");
	expect_error("", "1:1", "must be a mapping");
	expect_error("- a\n- b\n", "1:1", "must be a mapping");
}

static void test_lexicon_entries_must_be_a_list(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  id: a\n"
	                  "  terms: [x]\n",
	             "6:3", "'entries' must be a list");
	expect_error(HEAD "entries: none\n", "5:10",
	             "'entries' must be a list");
	expect_error(HEAD, "1:1", "'entries' must be a list");
	expect_error(HEAD "entries:\n"
	                  "  - just a string\n",
	             "6:5", "an entry must be a mapping");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      term: x\n",
	             "8:7", "'terms' must be a list");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n",
	             "6:5", "no terms, aliases or patterns");
}

static void test_lexicon_weight_must_be_a_number_in_range(void **state)
{
	static const char *const bad[] = {"heavy", "5000",   "-1001", ".nan",
	                                  "1e9",   "[1, 2]", "\"\"",  "10kg"};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char yaml[512];
		snprintf(yaml, sizeof(yaml),
		         HEAD "entries:\n"
		              "  - id: a\n"
		              "    weight: %s\n"
		              "    terms: [x]\n",
		         bad[i]);
		expect_error(yaml, "7:13", "'weight' must be a number");
	}
	/* The limits themselves are fine. */
	{
		pd_lexset *set = load(HEAD "entries:\n"
		                           "  - id: a\n"
		                           "    weight: -1000\n"
		                           "    terms: [x]\n"
		                           "  - id: b\n"
		                           "    weight: 1000\n"
		                           "    terms: [y]\n");
		assert_true(pd_lexset_get(set, 0)->entries[0].weight == -1000);
		assert_true(pd_lexset_get(set, 0)->entries[1].weight == 1000);
		pd_lexset_free(set);
	}
	expect_error(HEAD "defaults:\n"
	                  "  weight: lots\n"
	                  "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n",
	             "6:11", "'weight' must be a number");
}

static void test_lexicon_case_and_boundary_values_checked(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    case: upper\n"
	                  "    terms: [x]\n",
	             "7:11", "'case' must be exact or insensitive");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        case: Exact\n",
	             "9:15", "'case' must be exact or insensitive");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        boundary: middle\n",
	             "9:19", "'boundary' must be word, prefix or any");
	expect_error(HEAD "defaults:\n"
	                  "  boundary: [word]\n"
	                  "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x]\n",
	             "6:13", "'boundary' must be word, prefix or any");
}

static void test_lexicon_context_within_must_be_1_to_20(void **state)
{
	static const char *const bad[] = {"0", "21", "-1", "2.5", "abc"};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char yaml[512];
		snprintf(yaml, sizeof(yaml),
		         HEAD "entries:\n"
		              "  - id: a\n"
		              "    terms:\n"
		              "      - term: x\n"
		              "        context:\n"
		              "          within: %s\n"
		              "          any: [y]\n",
		         bad[i]);
		expect_error(yaml, "10:19", "'within' must be a");
	}
	{
		pd_lexset *set = load(HEAD "entries:\n"
		                           "  - id: a\n"
		                           "    terms:\n"
		                           "      - term: x\n"
		                           "        context:\n"
		                           "          within: 20\n"
		                           "          any: [y]\n"
		                           "      - term: z\n"
		                           "        context:\n"
		                           "          within: 1\n"
		                           "          any: [y]\n");
		const pd_lex_entry *e = &pd_lexset_get(set, 0)->entries[0];
		assert_int_equal(e->terms[0].context.within, 20);
		assert_int_equal(e->terms[1].context.within, 1);
		pd_lexset_free(set);
	}
}

static void test_lexicon_context_needs_any_or_all(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        context:\n"
	                  "          within: 2\n",
	             "10:11", "'context' needs 'any' or 'all'");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    context: party\n"
	                  "    terms: [x]\n",
	             "7:14", "'context' must be a mapping");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: x\n"
	                  "        context:\n"
	                  "          any: [party, '']\n",
	             "10:24", "'context.any' has an empty string");
}

static void test_lexicon_bad_regex_names_the_problem(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    patterns:\n"
	                  "      - 'vote (for'\n",
	             "8:9", "missing closing parenthesis");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    patterns:\n"
	                  "      - ok\n"
	                  "      - pattern: '[a-'\n",
	             "9:9", "bad regular expression: missing terminating ]");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    patterns:\n"
	                  "      - '*vote'\n",
	             "8:9", "quantifier does not follow a repeatable item");
}

static void test_lexicon_empty_term_refused(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - ''\n",
	             "8:9", "empty term");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - term: \"\"\n",
	             "8:9", "empty term");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      - case: exact\n",
	             "8:9", "a term needs 'term'");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms:\n"
	                  "      -\n",
	             "8:8", "'term' must be a string");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    unless: ['']\n"
	                  "    terms: [x]\n",
	             "7:14", "'unless' has an empty string");
}

static void test_lexicon_yaml_syntax_error_names_position(void **state)
{
	(void)state;
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    terms: [x\n",
	             "8:1", "");
	expect_error(HEAD "entries:\n"
	                  "  - id: a\n"
	                  "    id: b\n"
	                  "    terms: [x]\n",
	             "7:5", "duplicate");
}

static void test_lexicon_duplicate_lexicon_name_refused(void **state)
{
	const char *yaml = HEAD "entries:\n  - id: a\n    terms: [x]\n";
	pd_lexset *set = load(yaml);
	(void)state;

	assert_int_equal(
	        pd_lexset_load_buffer(set, "other.yaml", yaml, strlen(yaml)),
	        PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "other.yaml"));
	assert_non_null(strstr(pd_error_message(), "'t'"));
	assert_non_null(strstr(pd_error_message(), "test.yaml"));
	pd_lexset_free(set);
}

static void test_lexicon_duplicate_lexicon_name_error_has_line_col(void **state)
{
	const char *yaml = HEAD "entries:\n  - id: a\n    terms: [x]\n";
	pd_lexset *set = load(yaml);
	pd_rc rc;
	(void)state;

	/* Every load error names file:line:col; here, the second file's
	 * `name` (line 1, column 7). */
	rc = pd_lexset_load_buffer(set, "other.yaml", yaml, strlen(yaml));
	pd_lexset_free(set);
	assert_int_equal(rc, PD_ECONFIG);
	if (strncmp(pd_error_message(), "other.yaml:1:7: ", 16) != 0)
		fail_msg("want 'other.yaml:1:7: ...', got '%s'",
		         pd_error_message());
}

/* ------------------------------------------------------------------------ */
/* Warnings                                                                 */

static void test_lexicon_clean_file_has_no_warnings(void **state)
{
	pd_lexset *set = compiled(HEAD "entries:\n"
	                               "  - id: a\n"
	                               "    terms:\n"
	                               "      - term: Labour\n"
	                               "        unless: [labour market]\n"
	                               "        context:\n"
	                               "          any: [party]\n"
	                               "    patterns: ['vote\\s+labour']\n"
	                               "  - id: b\n"
	                               "    terms: [Tories]\n");
	(void)state;

	assert_int_equal(pd_lexset_warning_count(set), 0);
	pd_lexset_free(set);
}

static void test_lexicon_warns_duplicate_term_in_one_category(void **state)
{
	pd_lexset *set = compiled(HEAD "entries:\n"
	                               "  - id: a\n"
	                               "    terms: [Labour Party]\n"
	                               "  - id: b\n"
	                               "    terms: [Tories, labour  party]\n");
	pd_lexset *other;
	(void)state;

	assert_int_equal(pd_lexset_warning_count(set), 1);
	assert_int_equal(warnings_at(set, 9, "duplicate term"), 1);
	assert_non_null(strstr(pd_lexset_warning(set, 0)->message, "'a'"));
	assert_int_equal(pd_lexset_warning(set, 0)->col, 21);
	pd_lexset_free(set);

	/* The same words in two categories are not duplicates. */
	other = load(HEAD "entries:\n  - id: a\n    terms: [Labour Party]\n");
	{
		const char *y2 = "name: u\n"
		                 "category: topic\n"
		                 "language: en\n"
		                 "version: \"1\"\n"
		                 "entries:\n"
		                 "  - id: b\n"
		                 "    terms: [Labour Party]\n";
		pd_matcher *m = NULL;
		assert_int_equal(
		        pd_lexset_load_buffer(other, "u.yaml", y2, strlen(y2)),
		        PD_OK);
		assert_int_equal(pd_matcher_new(&m, other), PD_OK);
		pd_matcher_free(m);
	}
	assert_int_equal(pd_lexset_warning_count(other), 0);
	pd_lexset_free(other);
}

static void test_lexicon_warns_term_without_letters(void **state)
{
	pd_lexset *set = compiled(HEAD "entries:\n"
	                               "  - id: a\n"
	                               "    terms: ['!!!', Labour]\n"
	                               "    aliases:\n"
	                               "      - '--'\n");
	(void)state;

	assert_int_equal(pd_lexset_warning_count(set), 2);
	assert_int_equal(warnings_at(set, 7, "'!!!' has no letters or digits"),
	                 1);
	assert_int_equal(warnings_at(set, 9, "'--' has no letters or digits"),
	                 1);
	pd_lexset_free(set);
}

static void test_lexicon_warns_exception_without_its_term(void **state)
{
	pd_lexset *set = compiled(HEAD "entries:\n"
	                               "  - id: a\n"
	                               "    terms:\n"
	                               "      - term: Labour\n"
	                               "        unless:\n"
	                               "          - labour market\n"
	                               "          - trade union\n"
	                               "          - in LABOUR\n");
	(void)state;

	assert_int_equal(pd_lexset_warning_count(set), 1);
	assert_int_equal(warnings_at(set, 8,
	                             "exception 'trade union' never "
	                             "applies"),
	                 1);
	pd_lexset_free(set);
}

static void test_lexicon_warns_pattern_matching_empty(void **state)
{
	pd_lexset *set = load(HEAD "entries:\n"
	                           "  - id: a\n"
	                           "    patterns:\n"
	                           "      - 'vote'\n"
	                           "      - 'x*'\n"
	                           "      - '(labour)?'\n");
	(void)state;

	/* Reported while loading, before any matcher. */
	assert_int_equal(pd_lexset_warning_count(set), 2);
	assert_int_equal(warnings_at(set, 9, "'x*' can match the empty"), 1);
	assert_int_equal(warnings_at(set, 10, "can match the empty string"), 1);
	assert_int_equal(pd_lexset_warning(set, 0)->col, 9);
	pd_lexset_free(set);
}

static void test_lexicon_warn_records_a_message(void **state)
{
	pd_lexset *set = NULL;
	(void)state;

	assert_int_equal(pd_lexset_new(&set), PD_OK);
	assert_int_equal(pd_lexset_warn(set, "f.yaml", 3, 4, "n=%d", 42),
	                 PD_OK);
	assert_int_equal(pd_lexset_warning_count(set), 1);
	assert_string_equal(pd_lexset_warning(set, 0)->message, "n=42");
	assert_string_equal(pd_lexset_warning(set, 0)->file, "f.yaml");
	assert_int_equal(pd_lexset_warning(set, 0)->line, 3);
	assert_int_equal(pd_lexset_warning(set, 0)->col, 4);
	assert_null(pd_lexset_warning(set, 1));
	pd_lexset_free(set);
}

/* ------------------------------------------------------------------------ */
/* Audit hash, directories                                                  */

static void test_lexicon_sha256_is_64_hex_and_tracks_content(void **state)
{
	const char *yaml = "name: a\n"
	                   "category: party\n"
	                   "language: en\n"
	                   "version: \"1\"\n"
	                   "entries:\n"
	                   "  - id: x\n"
	                   "    terms: [Labour]\n";
	const char *yaml2 = "name: a\n"
	                    "category: party\n"
	                    "language: en\n"
	                    "version: \"1\"\n"
	                    "entries:\n"
	                    "  - id: x\n"
	                    "    terms: [Lab0ur]\n";
	pd_lexset *empty = NULL, *a, *b, *c;
	char first[65];
	(void)state;

	assert_int_equal(pd_lexset_new(&empty), PD_OK);
	/* SHA-256 of nothing. */
	assert_string_equal(pd_lexset_sha256(empty),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4"
	                    "95991b7852b855");
	a = load(yaml);
	b = load(yaml);
	c = load(yaml2);
	/* SHA-256 of the file's bytes (sha256sum gives the same). */
	assert_string_equal(pd_lexset_sha256(a),
	                    "7b8f7d81b813f29648109a877cd013b4b68b9d1e8bb2a83c0c"
	                    "83cb966d7cc8b7");
	assert_int_equal(strlen(pd_lexset_sha256(c)), 64);
	assert_int_equal(strspn(pd_lexset_sha256(c), "0123456789abcdef"), 64);
	assert_string_equal(pd_lexset_sha256(a), pd_lexset_sha256(b));
	assert_string_not_equal(pd_lexset_sha256(a), pd_lexset_sha256(c));
	/* A second file changes it. */
	memcpy(first, pd_lexset_sha256(a), 65);
	{
		const char *more = "name: b\n"
		                   "category: topic\n"
		                   "language: en\n"
		                   "version: \"1\"\n"
		                   "entries:\n"
		                   "  - id: y\n"
		                   "    terms: [council tax]\n";
		assert_int_equal(
		        pd_lexset_load_buffer(a, "b.yaml", more, strlen(more)),
		        PD_OK);
	}
	assert_int_equal(strlen(pd_lexset_sha256(a)), 64);
	assert_string_not_equal(pd_lexset_sha256(a), first);
	pd_lexset_free(empty);
	pd_lexset_free(a);
	pd_lexset_free(b);
	pd_lexset_free(c);
}

static void test_lexicon_load_path_directory_sorted(void **state)
{
	char dir[] = "/tmp/purdah-lexdir-XXXXXX";
	char path[512], sub[256];
	static const char *const names[] = {"c.yaml", "a.yml", "b.yaml"};
	static const char *const lexnames[] = {"cc", "aa", "bb"};
	pd_lexset *set = NULL;
	(void)state;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 3; i++) {
		char yaml[256];
		snprintf(yaml, sizeof(yaml),
		         "name: %s\ncategory: party\nlanguage: en\n"
		         "version: \"1\"\nentries:\n  - id: x\n    terms: "
		         "[w%zu]\n",
		         lexnames[i], i);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		write_file(path, yaml);
	}
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not yaml: [");
	snprintf(path, sizeof(path), "%s/old.yaml.bak", dir);
	write_file(path, "not yaml: [");
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/d.yaml", sub);
	write_file(path,
	           "name: dd\ncategory: topic\nlanguage: cy\n"
	           "version: \"1\"\nentries:\n  - id: x\n    terms: [w]\n");

	assert_int_equal(pd_lexset_new(&set), PD_OK);
	if (pd_lexset_load_path(set, dir) < 0)
		fail_msg("%s", pd_error_message());
	assert_int_equal(pd_lexset_count(set), 4);
	assert_string_equal(pd_lexset_get(set, 0)->name, "aa");
	assert_string_equal(pd_lexset_get(set, 1)->name, "bb");
	assert_string_equal(pd_lexset_get(set, 2)->name, "cc");
	assert_string_equal(pd_lexset_get(set, 3)->name, "dd");
	snprintf(path, sizeof(path), "%s/a.yml", dir);
	assert_string_equal(pd_lexset_get(set, 0)->path, path);
	pd_lexset_free(set);

	/* One file by its path. */
	assert_int_equal(pd_lexset_new(&set), PD_OK);
	snprintf(path, sizeof(path), "%s/b.yaml", dir);
	assert_int_equal(pd_lexset_load_path(set, path), PD_OK);
	assert_int_equal(pd_lexset_count(set), 1);
	assert_string_equal(pd_lexset_get(set, 0)->name, "bb");
	pd_lexset_free(set);

	/* A file that is not there. */
	assert_int_equal(pd_lexset_new(&set), PD_OK);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	assert_int_equal(pd_lexset_load_path(set, path), PD_ECONFIG);
	assert_non_null(strstr(pd_error_message(), "missing.yaml"));
	pd_lexset_free(set);

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/old.yaml.bak", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/d.yaml", sub);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

static void test_lexicon_shipped_lexicons_load_and_compile(void **state)
{
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	size_t bad = 0;
	(void)state;

	assert_int_equal(pd_lexset_new(&set), PD_OK);
	if (pd_lexset_load_path(set, "lexicons") < 0)
		fail_msg("%s", pd_error_message());
	assert_true(pd_lexset_count(set) >= 10);
	if (pd_matcher_new(&m, set) < 0)
		fail_msg("%s", pd_error_message());
	/* lexicons/README.md accepts terms shared by the en and cy party
	 * files ("Plaid Cymru"); anything else would be a mistake. */
	for (size_t i = 0; i < pd_lexset_warning_count(set); i++) {
		const pd_lex_warning *w = pd_lexset_warning(set, i);
		if (!strstr(w->message, "duplicate term"))
			bad++;
		if (!strstr(w->message, "duplicate term"))
			print_message("warning: %s:%d:%d: %s\n", w->file,
			              w->line, w->col, w->message);
	}
	pd_matcher_free(m);
	pd_lexset_free(set);
	assert_int_equal(bad, 0);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                      */

static void test_lexicon_allocation_failures_report_enomem(void **state)
{
	const char *yaml = HEAD "description: x\n"
	                        "defaults:\n"
	                        "  weight: 4\n"
	                        "entries:\n"
	                        "  - id: a\n"
	                        "    terms:\n"
	                        "      - term: Labour\n"
	                        "        case: exact\n"
	                        "        unless: [labour market]\n"
	                        "        context:\n"
	                        "          any: [party, vote]\n"
	                        "    aliases: [Labour Party]\n"
	                        "    meta: {party: Labour}\n"
	                        "  - id: b\n"
	                        "    patterns:\n"
	                        "      - 'vote\\s+(for\\s+)?labour'\n"
	                        "      - 'x*'\n";
	long n;
	(void)state;

	for (n = 0; n < 100000; n++) {
		pd_lexset *set = NULL;
		pd_rc rc;
		pd_alloc_fail_after(n);
		rc = pd_lexset_new(&set);
		if (rc == PD_OK)
			rc = pd_lexset_load_buffer(set, "test.yaml", yaml,
			                           strlen(yaml));
		pd_alloc_fail_after(-1);
		pd_lexset_free(set);
		if (rc != PD_OK && rc != PD_ENOMEM)
			fail_msg("allocation %ld failing: %s '%s'", n,
			         pd_rc_name(rc), pd_error_message());
		if (rc == PD_OK)
			break;
	}
	assert_true(n > 5);
	assert_true(n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lexicon_minimal_file_loads),
	        cmocka_unit_test(test_lexicon_defaults_apply_to_entries),
	        cmocka_unit_test(
	                test_lexicon_defaults_after_entries_still_apply),
	        cmocka_unit_test(test_lexicon_entry_options_apply_to_its_terms),
	        cmocka_unit_test(
	                test_lexicon_term_options_override_entry_options),
	        cmocka_unit_test(
	                test_lexicon_unknown_top_level_key_names_position),
	        cmocka_unit_test(test_lexicon_unknown_entry_key_names_position),
	        cmocka_unit_test(test_lexicon_bad_id_characters_refused),
	        cmocka_unit_test(test_lexicon_duplicate_entry_id_refused),
	        cmocka_unit_test(test_lexicon_missing_required_fields_refused),
	        cmocka_unit_test(test_lexicon_entries_must_be_a_list),
	        cmocka_unit_test(test_lexicon_weight_must_be_a_number_in_range),
	        cmocka_unit_test(test_lexicon_case_and_boundary_values_checked),
	        cmocka_unit_test(test_lexicon_context_within_must_be_1_to_20),
	        cmocka_unit_test(test_lexicon_context_needs_any_or_all),
	        cmocka_unit_test(test_lexicon_bad_regex_names_the_problem),
	        cmocka_unit_test(test_lexicon_empty_term_refused),
	        cmocka_unit_test(test_lexicon_yaml_syntax_error_names_position),
	        cmocka_unit_test(test_lexicon_duplicate_lexicon_name_refused),
	        cmocka_unit_test(
	                test_lexicon_duplicate_lexicon_name_error_has_line_col),
	        cmocka_unit_test(test_lexicon_clean_file_has_no_warnings),
	        cmocka_unit_test(
	                test_lexicon_warns_duplicate_term_in_one_category),
	        cmocka_unit_test(test_lexicon_warns_term_without_letters),
	        cmocka_unit_test(test_lexicon_warns_exception_without_its_term),
	        cmocka_unit_test(test_lexicon_warns_pattern_matching_empty),
	        cmocka_unit_test(test_lexicon_warn_records_a_message),
	        cmocka_unit_test(
	                test_lexicon_sha256_is_64_hex_and_tracks_content),
	        cmocka_unit_test(test_lexicon_load_path_directory_sorted),
	        cmocka_unit_test(
	                test_lexicon_shipped_lexicons_load_and_compile),
	        cmocka_unit_test(
	                test_lexicon_allocation_failures_report_enomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
