/*
 * People lexicons from CSV (include/purdah/people.h): the columns read
 * (ours and Democracy Club's), the name forms written and never written,
 * titles, honours and surname particles, refusals naming file:line, and
 * the generated YAML loading and matching.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/alloc.h"
#include "purdah/match.h"
#include "purdah/people.h"

/* ------------------------------------------------------------------------ */
/* Fixture: the generated YAML, the set it loads into, a matcher and a
 * scan, freed by the teardown even when an assertion fails. */

typedef struct {
	pd_buf yaml;
	size_t count;
	pd_lexset *set;
	pd_matcher *m;
	pd_scan scan;
} fixture;

static int fx_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	pd_scan init = PD_SCAN_INIT;
	pd_buf b = PD_BUF_INIT(16u << 20);

	if (!f)
		return -1;
	f->scan = init;
	f->yaml = b;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	fixture *f = *state;

	pd_scan_dispose(&f->scan);
	pd_matcher_free(f->m);
	pd_lexset_free(f->set);
	pd_buf_dispose(&f->yaml);
	free(f);
	return 0;
}

/* Import `csv` (named people.csv) into f->yaml; returns the status. */
static pd_rc fx_try(fixture *f, const char *csv, pd_people_kind kind)
{
	pd_buf_clear(&f->yaml);
	f->count = 0;
	return pd_people_import(&f->yaml, "people.csv", csv, strlen(csv), kind,
	                        "people", &f->count);
}

/* Import `csv`, which must succeed, and load the YAML it gives. */
static void fx_import(fixture *f, const char *csv, pd_people_kind kind)
{
	if (fx_try(f, csv, kind) < 0)
		fail_msg("import: %s", pd_error_message());
	pd_lexset_free(f->set);
	f->set = NULL;
	if (pd_lexset_new(&f->set) < 0 ||
	    pd_lexset_load_buffer(f->set, "people.yaml", f->yaml.ptr,
	                          f->yaml.len) < 0)
		fail_msg("generated YAML: %s\n%s", pd_error_message(),
		         f->yaml.ptr);
	assert_int_equal(pd_lexset_count(f->set), 1);
}

/* Compile the loaded set. */
static void fx_compile(fixture *f)
{
	pd_matcher_free(f->m);
	f->m = NULL;
	if (pd_matcher_new(&f->m, f->set) < 0)
		fail_msg("%s", pd_error_message());
}

/* Import `csv`, expecting PD_EINVALID with a message starting `prefix`
 * and containing `what`. */
static void fx_refused(fixture *f, const char *csv, pd_people_kind kind,
                       const char *prefix, const char *what)
{
	pd_rc rc = fx_try(f, csv, kind);

	if (rc == PD_OK)
		fail_msg("want EINVALID '%s...%s', but the import succeeded",
		         prefix, what);
	if (rc != PD_EINVALID)
		fail_msg("want EINVALID '%s...%s', got %s '%s'", prefix, what,
		         pd_rc_name(rc), pd_error_message());
	if (strncmp(pd_error_message(), prefix, strlen(prefix)) != 0 ||
	    !strstr(pd_error_message(), what))
		fail_msg("want '%s...%s', got '%s'", prefix, what,
		         pd_error_message());
}

static const pd_lexicon *fx_lex(const fixture *f)
{
	return pd_lexset_get(f->set, 0);
}

static const pd_lex_entry *fx_entry(const fixture *f, const char *id)
{
	const pd_lexicon *lex = fx_lex(f);

	for (size_t i = 0; i < lex->nentries; i++)
		if (strcmp(lex->entries[i].id, id) == 0)
			return &lex->entries[i];
	fail_msg("no entry '%s' in\n%s", id, f->yaml.ptr);
	return NULL;
}

static const pd_lex_term *find_term(const pd_lex_entry *e, const char *text)
{
	for (size_t i = 0; i < e->nterms; i++)
		if (strcmp(e->terms[i].text, text) == 0)
			return &e->terms[i];
	return NULL;
}

/* Every string of the NULL-terminated `want` is a case-exact term. */
static void expect_forms(const pd_lex_entry *e, const char *const *want)
{
	for (size_t i = 0; want[i]; i++) {
		const pd_lex_term *t = find_term(e, want[i]);
		if (!t)
			fail_msg("entry '%s' lacks the form '%s'", e->id,
			         want[i]);
		if (!t->exact_case)
			fail_msg("form '%s' is not case-exact", want[i]);
	}
}

static void expect_no_forms(const pd_lex_entry *e, const char *const *bad)
{
	for (size_t i = 0; bad[i]; i++)
		if (find_term(e, bad[i]))
			fail_msg("entry '%s' has the form '%s'", e->id, bad[i]);
}

/* No term is a single word (a bare name would match anyone's). */
static void expect_no_single_words(const pd_lex_entry *e)
{
	for (size_t i = 0; i < e->nterms; i++) {
		const char *t = e->terms[i].text;
		if (t[0] != '@' && !strchr(t, ' '))
			fail_msg("entry '%s' has the single-word term '%s'",
			         e->id, t);
	}
}

/* The hits of scanning `text`, as "entry=text, ...". */
static const char *fx_hits(fixture *f, const char *text)
{
	static char desc[1024];

	if (pd_matcher_scan(f->m, &f->scan, text, strlen(text), 0) < 0)
		fail_msg("%s", pd_error_message());
	return tu_hits(&f->scan, desc, sizeof(desc));
}

/* ------------------------------------------------------------------------ */
/* Columns                                                                  */

static void test_people_name_party_area_columns(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;

	fx_import(f,
	          "name,party,area\n"
	          "Priya Patel,Labour,North Ward\n",
	          PD_PEOPLE_COUNCILLORS);
	assert_int_equal(f->count, 1);
	assert_string_equal(fx_lex(f)->name, "people");
	assert_string_equal(fx_lex(f)->category, "councillor");
	assert_string_equal(fx_lex(f)->language, "en");
	assert_int_equal(fx_lex(f)->nentries, 1);
	e = fx_entry(f, "priya-patel");
	assert_true(e->weight == 6);
	assert_string_equal(pd_lex_entry_meta(e, "name"), "Priya Patel");
	assert_string_equal(pd_lex_entry_meta(e, "party"), "Labour");
	assert_string_equal(pd_lex_entry_meta(e, "ward"), "North Ward");
	assert_string_equal(pd_lex_entry_meta(e, "role"), "councillor");
}

static void test_people_columns_any_order_and_case(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;

	fx_import(f,
	          "Notes,WARD,Name,Party,Role\n"
	          "x,Eastgate,Jane Smith,Green Party,cabinet member\n",
	          PD_PEOPLE_CANDIDATES);
	assert_string_equal(fx_lex(f)->category, "candidate");
	e = fx_entry(f, "jane-smith");
	assert_string_equal(pd_lex_entry_meta(e, "ward"), "Eastgate");
	assert_string_equal(pd_lex_entry_meta(e, "party"), "Green Party");
	assert_string_equal(pd_lex_entry_meta(e, "role"), "cabinet member");
	fx_import(f,
	          "name,party,division\n"
	          "Jane Smith,Green Party,Eastgate Division\n",
	          PD_PEOPLE_CANDIDATES);
	e = fx_entry(f, "jane-smith");
	assert_string_equal(pd_lex_entry_meta(e, "ward"), "Eastgate Division");
	assert_string_equal(pd_lex_entry_meta(e, "role"), "candidate");
}

static void test_people_democracy_club_columns(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;
	const pd_lex_term *t;

	fx_import(f,
	          "person_id,person_name,election,party_id,party_name,"
	          "post_label,twitter_username\n"
	          "123,Jane Doe,local.northbridge.2027-05-06,PP63,Green "
	          "Party,Eastgate,janedoe\n"
	          "124,Rhys Evans,local.northbridge.2027-05-06,PP90,Plaid "
	          "Cymru,Westgate,\n",
	          PD_PEOPLE_CANDIDATES);
	assert_int_equal(f->count, 2);
	e = fx_entry(f, "jane-doe");
	assert_string_equal(pd_lex_entry_meta(e, "party"), "Green Party");
	assert_string_equal(pd_lex_entry_meta(e, "ward"), "Eastgate");
	t = find_term(e, "@janedoe");
	assert_non_null(t);
	e = fx_entry(f, "rhys-evans");
	for (size_t i = 0; i < e->nterms; i++)
		assert_true(e->terms[i].text[0] != '@');
}

static void test_people_missing_required_column_names_file_line(void **state)
{
	fixture *f = *state;

	fx_refused(f, "name,area\nJane Smith,X\n", PD_PEOPLE_CANDIDATES,
	           "people.csv:1: ", "party");
	fx_refused(f, "party,area\nLab,X\n", PD_PEOPLE_CANDIDATES,
	           "people.csv:1: ", "name");
	fx_refused(f, "person_name,party_name\nJane Smith,Lab\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:1: ", "area");
}

static void test_people_empty_input_refused(void **state)
{
	fixture *f = *state;

	fx_refused(f, "", PD_PEOPLE_CANDIDATES, "people.csv: ", "empty");
	fx_refused(f, "name,party,area\n", PD_PEOPLE_CANDIDATES,
	           "people.csv: ", "no people");
	fx_refused(f, "name,party,area\n\n\n", PD_PEOPLE_CANDIDATES,
	           "people.csv: ", "no people");
}

static void test_people_bad_csv_names_line(void **state)
{
	fixture *f = *state;

	fx_refused(f,
	           "name,party,area\n"
	           "Jane Smith,Lab,X\n"
	           "Priya Patel,\"Lab,Y\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:", "");
	assert_non_null(strstr(pd_error_message(), "people.csv:3"));
	fx_refused(f,
	           "name,party,area\n"
	           "Jane Smith,La\"b,X\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:2: ", "");
}

static void test_people_quoted_fields_with_commas_and_quotes(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;

	fx_import(f,
	          "name,party,area\n"
	          "\"Jane \"\"JJ\"\" Smith\",\"Labour and Co-operative, "
	          "Party\",\"North\nWard\"\n",
	          PD_PEOPLE_COUNCILLORS);
	assert_int_equal(f->count, 1);
	e = &fx_lex(f)->entries[0];
	assert_string_equal(pd_lex_entry_meta(e, "name"), "Jane \"JJ\" Smith");
	assert_string_equal(pd_lex_entry_meta(e, "party"),
	                    "Labour and Co-operative, Party");
	assert_string_equal(pd_lex_entry_meta(e, "ward"), "North\nWard");
	assert_non_null(find_term(e, "Jane \"JJ\" Smith"));
	assert_non_null(find_term(e, "Cllr Smith"));
}

static void test_people_blank_lines_and_crlf(void **state)
{
	fixture *f = *state;

	fx_import(f,
	          "name,party,area\r\n"
	          "Jane Smith,Lab,X\r\n"
	          "\r\n"
	          "Priya Patel,Con,Y\r\n",
	          PD_PEOPLE_CANDIDATES);
	assert_int_equal(f->count, 2);
	assert_string_equal(
	        pd_lex_entry_meta(fx_entry(f, "jane-smith"), "ward"), "X");
	assert_string_equal(
	        pd_lex_entry_meta(fx_entry(f, "priya-patel"), "ward"), "Y");
}

static void test_people_output_is_appended(void **state)
{
	fixture *f = *state;
	size_t count = 0;
	const char *csv = "name,party,area\nJane Smith,L,X\n";

	assert_int_equal(pd_buf_puts(&f->yaml, "# kept\n"), PD_OK);
	assert_int_equal(pd_people_import(&f->yaml, "people.csv", csv,
	                                  strlen(csv), PD_PEOPLE_CANDIDATES,
	                                  "people", &count),
	                 PD_OK);
	assert_int_equal(count, 1);
	assert_int_equal(strncmp(f->yaml.ptr, "# kept\n", 7), 0);
	assert_non_null(strstr(f->yaml.ptr, "name: people\n"));
}

/* ------------------------------------------------------------------------ */
/* Refused names                                                            */

static void test_people_one_word_name_refused(void **state)
{
	fixture *f = *state;

	fx_refused(f,
	           "name,party,area\n"
	           "Priya Patel,Lab,N\n"
	           "Cher,Lab,N\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:3: ", "'Cher'");
	/* A title does not make a second word. */
	fx_refused(f, "name,party,area\nCllr Smith,Lab,N\n",
	           PD_PEOPLE_COUNCILLORS, "people.csv:2: ", "'Cllr Smith'");
	fx_refused(f, "name,party,area\nDr Who,Lab,N\n", PD_PEOPLE_CANDIDATES,
	           "people.csv:2: ", "needs a first name and a surname");
	fx_refused(f, "name,party,area\n,Lab,N\n", PD_PEOPLE_CANDIDATES,
	           "people.csv:2: ", "needs a first name");
}

static void test_people_one_word_alias_refused(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;
	const pd_lex_term *t;

	fx_refused(f,
	           "name,party,area,aliases\n"
	           "Priya Patel,Lab,N,Pri Patel;Patel\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:2: ", "alias 'Patel'");
	fx_import(f,
	          "name,party,area,aliases\n"
	          "Priya Patel,Lab,N,Pri Patel; Priya P. ;@cllrpatel\n",
	          PD_PEOPLE_CANDIDATES);
	e = fx_entry(f, "priya-patel");
	t = find_term(e, "Pri Patel");
	assert_non_null(t);
	assert_true(t->alias);
	assert_true(t->exact_case);
	assert_non_null(find_term(e, "@cllrpatel"));
}

static void test_people_one_word_alias_with_trailing_space_refused(void **state)
{
	fixture *f = *state;

	/* "Patel " is still one word. */
	fx_refused(f,
	           "name,party,area,aliases\n"
	           "Priya Patel,Lab,N,Patel ;Pri Patel\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:2: ", "alias");
}

static void test_people_handle_form(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;

	fx_import(f,
	          "name,party,area,handle\n"
	          "Priya Patel,Lab,N,@ppatel\n"
	          "Jane Smith,Lab,N,jsmith\n",
	          PD_PEOPLE_COUNCILLORS);
	e = fx_entry(f, "priya-patel");
	assert_non_null(find_term(e, "@ppatel"));
	assert_null(find_term(e, "@@ppatel"));
	e = fx_entry(f, "jane-smith");
	assert_non_null(find_term(e, "@jsmith"));
	fx_compile(f);
	EXPECT_HITS(f, "thanks @ppatel!", "priya-patel=ppatel");
	fx_refused(f, "name,party,area,handle\nPriya Patel,Lab,N,p patel\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:2: ", "not a handle");
}

static void test_people_handle_with_line_break_refused(void **state)
{
	fixture *f = *state;

	fx_refused(f,
	           "name,party,area,handle\n"
	           "Priya Patel,Lab,N,\"p\npatel\"\n",
	           PD_PEOPLE_CANDIDATES, "people.csv:", "not a handle");
}

/* ------------------------------------------------------------------------ */
/* Name forms                                                               */

static void test_people_councillor_forms(void **state)
{
	fixture *f = *state;
	static const char *const want[] = {
	        "Priya Anjali Patel",
	        "Priya Patel",
	        "Cllr Patel",
	        "Cllr Priya Patel",
	        "Cllr Priya Anjali Patel",
	        "Cllr P. Patel",
	        "Councillor Patel",
	        "Councillor Priya Patel",
	        "Councillor Priya Anjali Patel",
	        "Councillor P. Patel",
	        "Councillors Patel",
	        "Cllrs Patel",
	        "Cyng. Patel",
	        "Cyng. Priya Patel",
	        "Cyng. P. Patel",
	        "Cynghorydd Patel",
	        "Cynghorydd Priya Anjali Patel",
	        "Cynghorydd P. Patel",
	        NULL,
	};
	static const char *const bad[] = {
	        "Patel",        "Priya",      "Anjali", "Priya Anjali",
	        "Anjali Patel", "Cllr Priya", NULL,
	};
	const pd_lex_entry *e;

	fx_import(f, "name,party,area\nPriya Anjali Patel,Lab,N\n",
	          PD_PEOPLE_COUNCILLORS);
	e = fx_entry(f, "priya-anjali-patel");
	expect_forms(e, want);
	expect_no_forms(e, bad);
	expect_no_single_words(e);
}

static void test_people_candidate_forms_have_no_titles(void **state)
{
	fixture *f = *state;
	const pd_lex_entry *e;

	fx_import(f, "name,party,area\nPriya Anjali Patel,Lab,N\n",
	          PD_PEOPLE_CANDIDATES);
	e = fx_entry(f, "priya-anjali-patel");
	assert_int_equal(e->nterms, 2);
	assert_non_null(find_term(e, "Priya Anjali Patel"));
	assert_non_null(find_term(e, "Priya Patel"));
	assert_true(e->terms[0].exact_case && e->terms[1].exact_case);
}

static void test_people_never_a_bare_surname_or_first_name(void **state)
{
	fixture *f = *state;
	const pd_lexicon *lex;

	fx_import(f,
	          "name,party,area,aliases,handle\n"
	          "Mark Green,Lab,N,Mark J. Green,markgreen\n"
	          "Dr Ann Reform OBE,Con,S,,\n"
	          "Si\xc3\xa2n Lloyd ap Rhys,PC,W,,\n"
	          "Jo Li,LD,E,,\n",
	          PD_PEOPLE_COUNCILLORS);
	lex = fx_lex(f);
	assert_int_equal(lex->nentries, 4);
	for (size_t i = 0; i < lex->nentries; i++)
		expect_no_single_words(&lex->entries[i]);
}

static void test_people_titles_and_honours_stripped(void **state)
{
	fixture *f = *state;
	static const char *const want1[] = {"Priya Patel", "Cllr Patel",
	                                    "Cllr Priya Patel", NULL};
	static const char *const bad1[] = {"Dr Priya Patel OBE",
	                                   "Dr Priya Patel", "Priya Patel OBE",
	                                   "Cllr Patel OBE", NULL};
	static const char *const want2[] = {"Alan Jones", "Councillor Jones",
	                                    NULL};
	static const char *const want3[] = {"Rhys Jones", "Cyng. Rhys Jones",
	                                    NULL};
	const pd_lex_entry *e;

	fx_import(f,
	          "name,party,area\n"
	          "Dr Priya Patel OBE,Lab,N\n"
	          "Prof. Sir Alan Jones KC,Con,S\n"
	          "Cllr Rhys Jones MS,PC,W\n",
	          PD_PEOPLE_COUNCILLORS);
	assert_int_equal(f->count, 3);
	e = &fx_lex(f)->entries[0];
	expect_forms(e, want1);
	expect_no_forms(e, bad1);
	/* The meta keeps the name as written. */
	assert_string_equal(pd_lex_entry_meta(e, "name"), "Dr Priya Patel OBE");
	e = &fx_lex(f)->entries[1];
	expect_forms(e, want2);
	for (size_t i = 0; i < e->nterms; i++)
		assert_null(strstr(e->terms[i].text, "Sir"));
	e = &fx_lex(f)->entries[2];
	expect_forms(e, want3);
	for (size_t i = 0; i < e->nterms; i++)
		assert_null(strstr(e->terms[i].text, "MS"));
}

static void test_people_surname_particles_kept(void **state)
{
	fixture *f = *state;
	static const char *const ap[] = {"Dafydd ap Gwilym", "Cllr ap Gwilym",
	                                 "Cllr D. ap Gwilym",
	                                 "Councillors ap Gwilym", NULL};
	static const char *const ap_bad[] = {"Cllr Gwilym", "Dafydd Gwilym",
	                                     NULL};
	static const char *const van[] = {"Cllr van Dijk", "Anna van Dijk",
	                                  NULL};
	static const char *const dela[] = {"Cllr de la Cruz",
	                                   "Cllr Maria de la Cruz", NULL};
	static const char *const ni[] = {"Cllr N\xc3\xad Bhraon\xc3\xa1in",
	                                 NULL};
	static const char *const dbl[] = {"Cllr Llewelyn-Jones",
	                                  "Cllr Rhys Llewelyn-Jones", NULL};

	fx_import(f,
	          "name,party,area\n"
	          "Dafydd ap Gwilym,PC,A\n"
	          "Anna van Dijk,LD,B\n"
	          "Maria de la Cruz,Lab,C\n"
	          "M\xc3\xa1ire N\xc3\xad Bhraon\xc3\xa1in,SF,D\n"
	          "Rhys Llewelyn-Jones,PC,E\n",
	          PD_PEOPLE_COUNCILLORS);
	expect_forms(fx_entry(f, "dafydd-ap-gwilym"), ap);
	expect_no_forms(fx_entry(f, "dafydd-ap-gwilym"), ap_bad);
	expect_forms(fx_entry(f, "anna-van-dijk"), van);
	expect_forms(fx_entry(f, "maria-de-la-cruz"), dela);
	expect_forms(fx_entry(f, "maire-ni-bhraonain"), ni);
	expect_forms(fx_entry(f, "rhys-llewelyn-jones"), dbl);
}

static void test_people_irish_o_particle_kept_with_surname(void **state)
{
	fixture *f = *state;
	static const char *const want[] = {
	        "Se\xc3\xa1n \xc3\x93 Briain",
	        "Cllr \xc3\x93 Briain",
	        "Cllr Se\xc3\xa1n \xc3\x93 Briain",
	        "Councillor \xc3\x93 Briain",
	        NULL,
	};
	static const char *const bad[] = {"Cllr Briain", "Se\xc3\xa1n Briain",
	                                  "Councillors Briain", NULL};
	const pd_lex_entry *e;

	/* Seán Ó Briain: the surname is "Ó Briain" (capital Ó). */
	fx_import(f, "name,party,area\nSe\xc3\xa1n \xc3\x93 Briain,SF,A\n",
	          PD_PEOPLE_COUNCILLORS);
	e = fx_entry(f, "sean-o-briain");
	expect_forms(e, want);
	expect_no_forms(e, bad);
}

static void test_people_accent_free_twin(void **state)
{
	fixture *f = *state;
	static const char *const want[] = {
	        "Si\xc3\xa2n Jones", "Sian Jones",    "Cllr Si\xc3\xa2n Jones",
	        "Cllr Sian Jones",   "Cllr S. Jones", NULL,
	};
	const pd_lex_entry *e;

	fx_import(f, "name,party,area\nSi\xc3\xa2n Jones,PC,A\n",
	          PD_PEOPLE_COUNCILLORS);
	e = fx_entry(f, "sian-jones");
	expect_forms(e, want);
	fx_compile(f);
	EXPECT_HITS(f, "with Cllr Si\xc3\xa2n Jones today",
	            "sian-jones=Cllr Si\xc3\xa2n Jones");
	EXPECT_HITS(f, "with Cllr Sian Jones today",
	            "sian-jones=Cllr Sian Jones");
}

static void test_people_duplicate_names_get_distinct_ids(void **state)
{
	fixture *f = *state;
	const pd_lexicon *lex;

	fx_import(f,
	          "name,party,area\n"
	          "Jane Smith,Lab,North\n"
	          "Jane Smith,Con,South\n"
	          "Jane  Smith,LD,East\n",
	          PD_PEOPLE_CANDIDATES);
	lex = fx_lex(f);
	assert_int_equal(lex->nentries, 3);
	assert_string_equal(lex->entries[0].id, "jane-smith");
	assert_string_equal(lex->entries[1].id, "jane-smith-2");
	assert_string_equal(lex->entries[2].id, "jane-smith-3");
	assert_string_equal(pd_lex_entry_meta(&lex->entries[1], "ward"),
	                    "South");
}

/* A name whose id is already someone's suffix is passed over, and many
 * namesakes (enough to grow the id set several times) stay distinct. */
static void test_people_many_namesakes_get_distinct_ids(void **state)
{
	fixture *f = *state;
	const pd_lexicon *lex;
	pd_buf csv = PD_BUF_INIT(1 << 20);
	char want[32];

	assert_int_equal(pd_buf_puts(&csv, "name,party,area\n"
	                                   "Jane Smith,Lab,North\n"
	                                   "Jane Smith-2,Con,South\n"),
	                 PD_OK);
	for (int i = 0; i < 500; i++)
		assert_int_equal(pd_buf_puts(&csv, "Jane Smith,Lab,West\n"),
		                 PD_OK);
	fx_import(f, csv.ptr, PD_PEOPLE_CANDIDATES);
	pd_buf_dispose(&csv);
	lex = fx_lex(f);
	assert_int_equal(lex->nentries, 502);
	assert_string_equal(lex->entries[0].id, "jane-smith");
	assert_string_equal(lex->entries[1].id, "jane-smith-2");
	assert_string_equal(lex->entries[2].id, "jane-smith-3");
	snprintf(want, sizeof(want), "jane-smith-%d", 502);
	assert_string_equal(lex->entries[501].id, want);
}

/* ------------------------------------------------------------------------ */
/* The generated lexicon at work                                            */

static void test_people_generated_yaml_finds_cllr_smith(void **state)
{
	fixture *f = *state;

	fx_import(f,
	          "name,party,area\n"
	          "Jane Smith,Labour,North\n"
	          "Priya Patel,Conservative,South\n",
	          PD_PEOPLE_COUNCILLORS);
	fx_compile(f);
	EXPECT_HITS(f, "Thanks to Cllr Smith for opening the library.",
	            "jane-smith=Cllr Smith");
	EXPECT_HITS(f, "Councillor Jane Smith said",
	            "jane-smith=Councillor "
	            "Jane Smith");
	EXPECT_HITS(f, "CLLR J. SMITH", "jane-smith=CLLR J. SMITH");
	EXPECT_HITS(f, "Councillors Smith and Patel agreed",
	            "jane-smith=Councillors Smith");
	EXPECT_HITS(f, "Jane Smith and Priya Patel",
	            "jane-smith=Jane Smith, priya-patel=Priya Patel");
	/* Never the bare names, never lower case. */
	EXPECT_HITS(f, "Smith and Jane went to the smithy", "");
	EXPECT_HITS(f, "cllr smith", "");
	EXPECT_HITS(f, "the patel family", "");
	assert_true(pd_scan_score(&f->scan, "councillor") == 0);
	fx_hits(f, "Cllr Smith and Cllr Patel");
	assert_true(pd_scan_score(&f->scan, "councillor") == 12);
}

static void test_people_shipped_example_matches_its_source(void **state)
{
	fixture *f = *state;
	pd_buf csv = PD_BUF_INIT(1u << 20);
	pd_buf shipped = PD_BUF_INIT(1u << 20);
	size_t count = 0, entries = 0;
	pd_rc rc;
	FILE *in;
	char chunk[4096];
	size_t n;

	/* lexicons/northbridge-councillors.yaml says it was generated from
	 * its CSV: generating it again gives the same entries. */
	in = fopen("lexicons/sources/northbridge-councillors.csv", "rb");
	assert_non_null(in);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		assert_int_equal(pd_buf_put(&csv, chunk, n), PD_OK);
	fclose(in);
	in = fopen("lexicons/northbridge-councillors.yaml", "rb");
	assert_non_null(in);
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		assert_int_equal(pd_buf_put(&shipped, chunk, n), PD_OK);
	fclose(in);
	rc = pd_people_import(&f->yaml,
	                      "lexicons/sources/"
	                      "northbridge-councillors.csv",
	                      csv.ptr, csv.len, PD_PEOPLE_COUNCILLORS,
	                      "northbridge-councillors", &count);
	pd_buf_dispose(&csv);
	if (rc == PD_OK) {
		/* Compare from the first entry on (the header comment may
		 * differ). */
		const char *a = strstr(f->yaml.ptr, "entries:\n");
		const char *b = strstr(shipped.ptr, "entries:\n");
		rc = a && b && strcmp(a, b) == 0 ? PD_OK : PD_EINVALID;
	}
	for (const char *p = shipped.ptr; (p = strstr(p, "\n  - id: ")); p++)
		entries++;
	pd_buf_dispose(&shipped);
	assert_int_equal(rc, PD_OK);
	assert_int_equal(count, entries);
	assert_true(count >= 20);
}

static void
test_people_allocation_failures_never_give_partial_output(void **state)
{
	fixture *f = *state;
	const char *csv = "name,party,area,aliases,handle\n"
	                  "Dr Si\xc3\xa2n Lloyd-Jones OBE,PC,A,Siani "
	                  "Lloyd,@sian\n"
	                  "Se\xc3\xa1n ap Rhys,Lab,B,,\n"
	                  "Jane Smith,Con,C,,\n"
	                  "Jane Smith,LD,D,,\n";
	pd_buf want = PD_BUF_INIT(1u << 20);
	size_t count = 0;
	long n;
	bool partial = false;
	pd_rc bad = PD_OK;

	assert_int_equal(pd_people_import(&want, "people.csv", csv, strlen(csv),
	                                  PD_PEOPLE_COUNCILLORS, "people",
	                                  &count),
	                 PD_OK);
	for (n = 0; n < 100000; n++) {
		pd_buf got = PD_BUF_INIT(1u << 20);
		pd_rc rc;
		pd_alloc_fail_after(n);
		rc = pd_people_import(&got, "people.csv", csv, strlen(csv),
		                      PD_PEOPLE_COUNCILLORS, "people", &count);
		pd_alloc_fail_after(-1);
		if (rc != PD_OK && rc != PD_ENOMEM)
			bad = rc;
		if (rc == PD_OK && (got.len != want.len ||
		                    memcmp(got.ptr, want.ptr, want.len) != 0))
			partial = true;
		pd_buf_dispose(&got);
		if (rc == PD_OK || bad != PD_OK || partial)
			break;
	}
	pd_buf_dispose(&want);
	(void)f;
	if (bad != PD_OK)
		fail_msg("allocation %ld failing: %s", n, pd_rc_name(bad));
	if (partial)
		fail_msg("allocation %ld failing: import succeeded with "
		         "different output",
		         n);
	assert_true(n > 5);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_people_name_party_area_columns),
	        T(test_people_columns_any_order_and_case),
	        T(test_people_democracy_club_columns),
	        T(test_people_missing_required_column_names_file_line),
	        T(test_people_empty_input_refused),
	        T(test_people_bad_csv_names_line),
	        T(test_people_quoted_fields_with_commas_and_quotes),
	        T(test_people_blank_lines_and_crlf),
	        T(test_people_output_is_appended),
	        T(test_people_one_word_name_refused),
	        T(test_people_one_word_alias_refused),
	        T(test_people_one_word_alias_with_trailing_space_refused),
	        T(test_people_handle_form),
	        T(test_people_handle_with_line_break_refused),
	        T(test_people_councillor_forms),
	        T(test_people_candidate_forms_have_no_titles),
	        T(test_people_never_a_bare_surname_or_first_name),
	        T(test_people_titles_and_honours_stripped),
	        T(test_people_surname_particles_kept),
	        T(test_people_irish_o_particle_kept_with_surname),
	        T(test_people_accent_free_twin),
	        T(test_people_duplicate_names_get_distinct_ids),
	        T(test_people_many_namesakes_get_distinct_ids),
	        T(test_people_generated_yaml_finds_cllr_smith),
	        T(test_people_shipped_example_matches_its_source),
	        T(test_people_allocation_failures_never_give_partial_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
