/*
 * libFuzzer target for scanning text (src/core/norm.c, src/core/match.c):
 * the input is a post, scanned with the shipped lexicons. The matcher is
 * compiled once, on the first input, from the directory "lexicons" (the
 * replay binaries and tests/fuzz/run.sh run from the repository root),
 * and freed at exit.
 *
 * Each input is scanned as plain text and as HTML (PD_NORM_HTML); the
 * plain scan is then repeated with the scratch space the HTML scan left
 * behind, and must find the same hits, as must the full pipeline without
 * the fast path (PD_SCAN_FULL). Each shipped pattern also runs on
 * its own over the normalised text: when it matches there, its category
 * must have a hit (the matcher runs patterns only near words they need).
 * A scan may only fail on a regular expression's limits (PD_EDEP) or on
 * size (PD_ETOOBIG); anything else, or a result that breaks fuzz_check.h,
 * is a bug and aborts.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LEXICONS "lexicons"

/* Inputs up to this size are scanned a third time to compare. */
#define SAME_MAX_BYTES (64u * 1024)

static pd_lexset *g_set;
static pd_matcher *g_matcher;
static fz_patterns g_pats;

static void release(void)
{
	fz_patterns_free(&g_pats);
	pd_matcher_free(g_matcher);
	pd_lexset_free(g_set);
	g_matcher = NULL;
	g_set = NULL;
}

/* The shipped lexicons, compiled on first use. Not finding them is a
 * set-up mistake, not a finding: say so and stop. */
static const pd_matcher *matcher(void)
{
	if (g_matcher)
		return g_matcher;
	if (pd_lexset_new(&g_set) < 0 ||
	    pd_lexset_load_path(g_set, LEXICONS) < 0 ||
	    pd_lexset_count(g_set) == 0 ||
	    pd_matcher_new(&g_matcher, g_set) < 0) {
		fprintf(stderr,
		        "fuzz_scan: cannot compile ./%s (run from the "
		        "repository root): %s\n",
		        LEXICONS, pd_error_message());
		exit(70);
	}
	fz_patterns_compile(&g_pats, g_set);
	atexit(release);
	return g_matcher;
}

static void scan(const pd_matcher *m, pd_scan *s, const char *text, size_t len,
                 unsigned flags, int *ok)
{
	pd_rc rc = pd_matcher_scan(m, s, text, len, flags);

	*ok = rc == PD_OK;
	if (rc == PD_OK) {
		fz_check_scan(g_set, s, text, len);
		fz_check_patterns(&g_pats, s);
		return;
	}
	if (rc != PD_EDEP && rc != PD_ETOOBIG)
		fprintf(stderr, "scan failed: %s: %s\n", pd_rc_name(rc),
		        pd_error_message());
	FZ_CHECK(rc == PD_EDEP || rc == PD_ETOOBIG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const pd_matcher *m = matcher();
	const char *text = (const char *)data;
	pd_scan plain = PD_SCAN_INIT, other = PD_SCAN_INIT;
	int ok_plain, ok_html, ok_again;

	scan(m, &plain, text, size, 0, &ok_plain);
	scan(m, &other, text, size, PD_NORM_HTML, &ok_html);
	if (ok_plain && size <= SAME_MAX_BYTES) {
		scan(m, &other, text, size, 0, &ok_again);
		FZ_CHECK(ok_again);
		fz_check_same(&plain, &other);
		scan(m, &other, text, size, PD_SCAN_FULL, &ok_again);
		FZ_CHECK(ok_again);
		fz_check_same(&plain, &other);
	}
	(void)ok_html;
	pd_scan_dispose(&plain);
	pd_scan_dispose(&other);
	pd_error_clear();
	return 0;
}
