/*
 * libFuzzer target for lexicon files (src/core/lexicon.c) and the matcher
 * compiled from them (src/core/match.c): the input is one lexicon's YAML.
 * It is loaded with pd_lexset_load_buffer; when that succeeds the set is
 * compiled with pd_matcher_new, and the matcher scans a fixed sample text
 * (party names plain and disguised, HTML, hashtags, Welsh, a long stretch
 * between two words) as plain text and as HTML. Each pattern is also run
 * on its own over the normalised text: when it matches there, its
 * category must have a hit (the matcher runs patterns only near words
 * they need; this checks that it never misses one). Everything is freed
 * before the next input.
 *
 * A failure must be a configuration error naming "fuzz.yaml:LINE" (or a
 * size limit); a scan may only fail on a regular expression's limits
 * (PD_EDEP) or size (PD_ETOOBIG). Results must satisfy fuzz_check.h.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_check.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.yaml"

#define FILLER "the bins are collected on Monday and the library opens at nine "

/* Text for the compiled lexicon to find things in. */
static const char sample[] =
        "<p>Vote <b>Lab</b>our on Thursday! The Conservatives, the Lib "
        "Dems &amp; the Green Party, Reform UK, Plaid Cymru and the SNP.</p>\n"
        "L4b0ur, C0n5erv@tives, T*ries, L a b o u r, G_R_E_E_N, Toriessss, "
        "\xd0\xa1onservatives, \xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90"
        "\x9b\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab, "
        "#VoteLabour2026 @Conservatives @MarkGreenLab Con-\nservatives "
        "&#76;abour labour.org.uk GE2024.\n"
        "Cllr Mark Green, Councillor Green, Cyng. Green and Siân "
        "Llewelyn-Jones opened the green waste depot; the labour market "
        "is a conservative estimate. Pleidleisiwch dros Blaid Cymru.\n"
        "<img alt=\"Reform UK\" src=\"https://reformparty.uk/x.png\">"
        "<!-- Tories --><script>vote('Labour')</script> 100% \xff\xfe "
        "caf\xc3\xa9 na\xc3\xafve \xe2\x80\x8bT\xe2\x80\x8bory 123 456 7 "
        "a-b-c x.y.z Q&A @ # * _ - . , ; : ! ? ' \" ( ) [ ] { } / \\ | ~\n"
        /* a long stretch between two words a pattern may need */
        "Promoted by J Smith " FILLER FILLER FILLER FILLER FILLER FILLER FILLER
                FILLER FILLER
        " on behalf of the Labour candidate, 1 High Street.\n";

static void scan_sample(const pd_lexset *set, const pd_matcher *m)
{
	static const unsigned flags[] = {0, PD_NORM_HTML};
	pd_scan s = PD_SCAN_INIT;
	fz_patterns pats;

	fz_patterns_compile(&pats, set);

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		pd_rc rc = pd_matcher_scan(m, &s, sample, sizeof(sample) - 1,
		                           flags[i]);
		if (rc == PD_OK) {
			fz_check_scan(set, &s, sample, sizeof(sample) - 1);
			fz_check_patterns(&pats, &s);
			continue;
		}
		if (rc != PD_EDEP && rc != PD_ETOOBIG)
			fprintf(stderr, "scan failed: %s: %s\n", pd_rc_name(rc),
			        pd_error_message());
		FZ_CHECK(rc == PD_EDEP || rc == PD_ETOOBIG);
	}
	fz_patterns_free(&pats);
	pd_scan_dispose(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	pd_rc rc;

	if (pd_lexset_new(&set) < 0)
		return 0;
	rc = pd_lexset_load_buffer(set, NAME, (const char *)data, size);
	if (rc < 0) {
		fz_check_lexicon_error(rc, NAME);
		goto done;
	}
	FZ_CHECK(pd_lexset_count(set) == 1);
	rc = pd_matcher_new(&m, set);
	fz_check_lexset(set, NAME);
	if (rc < 0) {
		fz_check_lexicon_error(rc, NAME);
		goto done;
	}
	scan_sample(set, m);
done:
	pd_matcher_free(m);
	pd_lexset_free(set);
	pd_error_clear();
	return 0;
}
