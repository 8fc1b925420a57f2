/*
 * libFuzzer target for `purdah lexicon import` (src/core/people.c and the
 * libcsv adapter src/dep/csv.c): the input is a CSV file of people, read
 * once as candidates and once as councillors. A refused file must be
 * PD_EINVALID naming "fuzz.csv" (or a size limit). An accepted one must
 * produce a lexicon that loads with pd_lexset_load_buffer, holds one entry
 * per person, compiles with pd_matcher_new, and never names anyone by one
 * word alone: every term but an @handle normalises to two words or more
 * (people.h: "never a bare surname or first name on its own").
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_check.h"
#include "purdah/buf.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"
#include "purdah/norm.h"
#include "purdah/people.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CSV_NAME  "fuzz.csv"
#define YAML_NAME "fuzz-people.yaml"

/* No term but a handle may be a single word once normalised. */
static void check_terms(const pd_lexicon *lex)
{
	pd_norm n = PD_NORM_INIT;

	for (size_t e = 0; e < lex->nentries; e++) {
		const pd_lex_entry *en = &lex->entries[e];
		for (size_t t = 0; t < en->nterms; t++) {
			const char *s = en->terms[t].text;
			if (s[0] == '@')
				continue;
			FZ_CHECK(pd_norm_run(&n, s, strlen(s), 0) == PD_OK);
			if (n.ntok < 2)
				fprintf(stderr, "one-word term '%s' (%s)\n", s,
				        n.text.ptr ? n.text.ptr : "");
			FZ_CHECK(n.ntok >= 2);
		}
	}
	pd_norm_dispose(&n);
}

static void import(const char *csv, size_t len, pd_people_kind kind)
{
	pd_buf yaml = PD_BUF_INIT((size_t)256 << 20);
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	size_t count = 0;
	pd_rc rc;

	rc = pd_people_import(&yaml, CSV_NAME, csv, len, kind, "fuzz-people",
	                      &count);
	if (rc < 0) {
		FZ_CHECK(rc == PD_EINVALID || rc == PD_ETOOBIG ||
		         rc == PD_ENOMEM);
		FZ_CHECK(strncmp(pd_error_message(), CSV_NAME ":",
		                 strlen(CSV_NAME ":")) == 0);
		goto done;
	}
	FZ_CHECK(count > 0 && yaml.ptr != NULL);
	FZ_CHECK(pd_lexset_new(&set) == PD_OK);
	rc = pd_lexset_load_buffer(set, YAML_NAME, yaml.ptr, yaml.len);
	if (rc < 0)
		fprintf(stderr, "the generated lexicon does not load: %s\n",
		        pd_error_message());
	FZ_CHECK(rc == PD_OK);
	FZ_CHECK(pd_lexset_count(set) == 1);
	FZ_CHECK(pd_lexset_get(set, 0)->nentries == count);
	check_terms(pd_lexset_get(set, 0));
	rc = pd_matcher_new(&m, set);
	if (rc < 0)
		fprintf(stderr, "the generated lexicon does not compile: %s\n",
		        pd_error_message());
	FZ_CHECK(rc == PD_OK);
	fz_check_lexset(set, YAML_NAME);
done:
	pd_matcher_free(m);
	pd_lexset_free(set);
	pd_buf_dispose(&yaml);
	pd_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import((const char *)data, size, PD_PEOPLE_CANDIDATES);
	import((const char *)data, size, PD_PEOPLE_COUNCILLORS);
	return 0;
}
