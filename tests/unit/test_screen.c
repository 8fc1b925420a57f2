/*
 * The matcher's fast path (screening, match.c) must give exactly the full
 * pipeline's result: every hit (span, entry, term, text, normalised form)
 * and every score. These tests scan the same text both ways
 * (PD_SCAN_FULL turns the fast path off) over the labelled corpus, the
 * shared corpora read as text, disguises placed at window edges, and
 * deterministic mutations of all of that.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/file.h"
#include "purdah/json.h"
#include "purdah/match.h"

static pd_lexset *set;
static pd_matcher *m;
static pd_scan fast = PD_SCAN_INIT, full = PD_SCAN_INIT;
static size_t compared, hits_seen;

static int setup(void **state)
{
	(void)state;
	return tu_shipped_matcher(&set, &m);
}

static int teardown(void **state)
{
	(void)state;
	pd_scan_dispose(&fast);
	pd_scan_dispose(&full);
	pd_matcher_free(m);
	pd_lexset_free(set);
	return 0;
}

/* Scan `text` both ways and fail on the first difference. */
static void same(const char *what, const char *text, size_t len)
{
	pd_rc a = pd_matcher_scan(m, &fast, text, len, 0);
	pd_rc b = pd_matcher_scan(m, &full, text, len, PD_SCAN_FULL);

	if (a != b)
		fail_msg("%s: fast path rc %d, full %d (%s)", what, a, b,
		         pd_error_message());
	if (a < 0)
		return;
	compared++;
	hits_seen += full.nhits;
	for (size_t i = 0; i < fast.nhits || i < full.nhits; i++) {
		const pd_hit *x = i < fast.nhits ? &fast.hits[i] : NULL;
		const pd_hit *y = i < full.nhits ? &full.hits[i] : NULL;
		if (x && y && x->start == y->start && x->end == y->end &&
		    x->entry == y->entry && x->term == y->term &&
		    !strcmp(x->text, y->text) && !strcmp(x->norm, y->norm) &&
		    x->weight == y->weight)
			continue;
		fail_msg("%s: hit %zu differs: fast %s [%zu, %zu) '%s', full "
		         "%s [%zu, %zu) '%s' (%zu vs %zu hits)",
		         what, i, x ? x->entry->id : "-", x ? x->start : 0,
		         x ? x->end : 0, x ? x->norm : "",
		         y ? y->entry->id : "-", y ? y->start : 0,
		         y ? y->end : 0, y ? y->norm : "", fast.nhits,
		         full.nhits);
	}
	assert_int_equal(fast.nscores, full.nscores);
	for (size_t i = 0; i < fast.nscores; i++) {
		assert_string_equal(fast.scores[i].category,
		                    full.scores[i].category);
		assert_true(fast.scores[i].score == full.scores[i].score);
		assert_int_equal(fast.scores[i].hits, full.scores[i].hits);
	}
}

/* A post of the labelled corpus alone, and added to all of them. */
static void one_post(const char *file, const pd_json *post, void *all)
{
	const char *text = pd_json_str(pd_json_get(post, "text"));

	assert_non_null(text);
	same(file, text, strlen(text));
	pd_buf_puts(all, text);
	pd_buf_puts(all, "\n\n");
}

/* A post of the labelled corpus as one line of `all`. */
static void one_text(const char *file, const pd_json *post, void *all)
{
	const char *text = pd_json_str(pd_json_get(post, "text"));
	(void)file;

	assert_non_null(text);
	for (const char *c = text; *c; c++)
		pd_buf_putc(all, *c == '\n' ? ' ' : *c);
	pd_buf_putc(all, '\n');
}

static unsigned long long rng = 0x2545F4914F6CDD1DULL;
static size_t next_rand(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng >> 11) % n;
}

/* Mutations: pieces of `src` cut, spliced, with bytes changed and
 * disguises dropped in (at random places, so at window edges too). */
static void mutate(const char *what, const pd_buf *src, int rounds)
{
	static const char *const inserts[] = {
	        "L a b o u r",
	        "Con-\nservatives",
	        "#VoteLabour2026",
	        "T.o.r.i.e.s",
	        "Lab our",
	        "Libera1 Democrats",
	        "L4b0ur2026",
	        "c0n5ervatives",
	        "ab12labour34",
	        "ebb35ed7110d1a29061dfb4ccb9038645b20d7f4",
	        "i18n p10 x86 v2",
	        "e.g. i.e.",
	        "@UKLabour",
	        "Cllr",
	        "vote for the Green Party",
	        "promoted by Jo Bloggs on behalf of the Reform UK candidate",
	        "printed by ",
	        " on behalf of ",
	        "G_R_E_E_N",
	        "Lаbour",
	        "\xF0\x9D\x90\x8B\xF0\x9D\x90\x9A\xF0\x9D\x90\x9B",
	        "L\xE2\x80\x8B"
	        "abour",
	        "&#76;abour",
	        "T*ries",
	        "Toriessss",
	        "\xC3\xA9",
	        "-\n",
	        "\xFF",
	        "a b c d e f",
	        "p c",
	        "U K",
	        "U.K.",
	        "x y z",
	        "L a b our",
	        "Lab o u r",
	        "g r e e n-party",
	        "SNP",
	        "Plaid",
	        "Reform",
	        "Green",
	        "the labour council",
	};
	pd_buf b = PD_BUF_INIT(1u << 26);
	char name[96];

	for (int r = 0; r < rounds; r++) {
		size_t len = 200 + next_rand(6000);
		size_t at = src->len > len ? next_rand(src->len - len) : 0;
		pd_buf_clear(&b);
		pd_buf_put(&b, src->ptr + at,
		           src->len - at < len ? src->len - at : len);
		for (int k = next_rand(12); k > 0 && b.len; k--) {
			const char *ins = inserts[next_rand(
			        sizeof(inserts) / sizeof(inserts[0]))];
			size_t p = next_rand(b.len), n = strlen(ins);
			if (next_rand(4) == 0) {
				b.ptr[p] = (char)next_rand(256);
				continue;
			}
			if (pd_buf_reserve(&b, n + 1) < 0)
				fail_msg("%s", pd_error_message());
			memmove(b.ptr + p + n, b.ptr + p, b.len - p);
			memcpy(b.ptr + p, ins, n);
			b.len += n;
		}
		snprintf(name, sizeof(name), "%s mutation %d", what, r);
		same(name, b.ptr, b.len);
	}
	pd_buf_dispose(&b);
}

static void test_screen_corpus_posts(void **state)
{
	pd_buf all = PD_BUF_INIT(1u << 26);
	(void)state;

	tu_each_post(one_post, &all);
	same("all posts together", all.ptr, all.len);
	assert_true(hits_seen > 500); /* the corpus has hits to compare */
	mutate("posts", &all, 400);
	pd_buf_dispose(&all);
}

/* Disguises and patterns right at the start and end of long plain text,
 * where the fast path's windows begin and end. */
static void test_screen_edges(void **state)
{
	static const char *const probes[] = {
	        "Vote Labour",
	        "L a b o u r",
	        "Con-\nservatives",
	        "#VoteLabour",
	        "promoted by Jo Bloggs on behalf of the Green Party",
	        "promoted by ",
	        "the conservative council",
	        "Cllr Jane Smith",
	        "T.o.r.i.e.s",
	        "Lab.our",
	        "L a b our",
	        "p c L a b o u r",
	        "S.N.P",
	        "Green par ty",
	        "Conservative Campaign Head quarters",
	        "Christian Peoples Alli ance",
	        "the Lab our council",
	        "Libera1",
	        "L4b0ur2026",
	        "R3f0rm UK",
	        "ab12 labour34",
	        "green waste",
	        "Reform UK",
	        /* a letter three times in a row, read once: in words of
	         * under 8 bytes, of 8, and longer */
	        "Tooory",
	        "SNPPP",
	        "Laaabour",
	        "Torrries",
	        "Conservativesss",
	};
	pd_buf b = PD_BUF_INIT(1u << 26);
	(void)state;

	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++)
		for (size_t fill = 0; fill < 80; fill += 3) {
			char name[128];
			pd_buf_clear(&b);
			pd_buf_puts(&b, probes[p]);
			for (size_t k = 0; k < fill; k++)
				pd_buf_puts(&b, " bins");
			pd_buf_puts(&b, " ");
			pd_buf_puts(&b, probes[p]);
			for (size_t k = 0; k < 200 - fill; k++)
				pd_buf_puts(&b, k % 7 ? " road" : " the");
			pd_buf_puts(&b, " ");
			pd_buf_puts(&b, probes[p]);
			snprintf(name, sizeof(name), "'%s' with %zu words",
			         probes[p], fill);
			same(name, b.ptr, b.len);
		}
	/* an imprint whose lazy gap runs past where the screen first
	 * looks */
	pd_buf_clear(&b);
	pd_buf_puts(&b, "Printed by");
	for (size_t k = 0; k < 40; k++)
		pd_buf_puts(&b, " abc");
	pd_buf_puts(&b, " on behalf of the Labour Party. ");
	same("long imprint", b.ptr, b.len);
	pd_buf_dispose(&b);
}

/* The shared corpora (feeds, calendars, YAML) read as plain text. */
static void test_screen_shared_corpora(void **state)
{
	static const char *const dirs[] = {"../shared/corpora/feeds",
	                                   "../shared/corpora/ics",
	                                   "../shared/corpora/yaml"};
	pd_buf all = PD_BUF_INIT(1u << 26);
	size_t files = 0;
	(void)state;

	for (size_t d = 0; d < 3; d++) {
		char **list = NULL;
		size_t n = 0;
		if (pd_file_list(&list, &n, dirs[d], "") < 0)
			continue; /* not beside this checkout */
		for (size_t i = 0; i < n; i++) {
			pd_buf b = PD_BUF_INIT(1u << 26);
			if (pd_file_read(&b, list[i]) == PD_OK) {
				same(list[i], b.ptr, b.len);
				if (all.len < (8u << 20))
					pd_buf_put(&all, b.ptr, b.len);
				files++;
			}
			pd_buf_dispose(&b);
		}
		pd_file_list_free(list, n);
	}
	if (all.len)
		mutate("shared corpora", &all, 200);
	printf("screen: %zu texts compared, %zu files of the shared corpora, "
	       "%zu hits\n",
	       compared, files, hits_seen);
	pd_buf_dispose(&all);
}

/* A pattern runs only where one of its anchor words is (a whole word
 * where the pattern cannot go on with a word character there). That must
 * lose no match: every shipped pattern, anchored as the matcher reads it,
 * finds what the same pattern run over the whole text finds ("(?:...)"
 * has no anchor). */
static void put_pattern_entries(pd_buf *b, const char *wrap_a,
                                const char *wrap_b)
{
	size_t n = 0;

	pd_buf_puts(b, "name: anchors\ncategory: electioneering\n"
	               "language: en\nversion: '1'\nentries:\n");
	for (size_t l = 0; l < pd_lexset_count(set); l++) {
		const pd_lexicon *lx = pd_lexset_get(set, l);
		for (size_t e = 0; e < lx->nentries; e++)
			for (size_t k = 0; k < lx->entries[e].npatterns; k++) {
				const pd_lex_pattern *pt =
				        &lx->entries[e].patterns[k];
				pd_buf_printf(b,
				              "  - id: p%zu\n    patterns:\n"
				              "      - pattern: '%s",
				              n++, wrap_a);
				for (const char *c = pt->text; *c; c++)
					pd_buf_puts(b,
					            *c == '\''
					                    ? "''"
					                    : (char[]){*c, 0});
				pd_buf_printf(b, "%s'\n        case: %s\n",
				              wrap_b,
				              pt->exact_case ? "exact"
				                             : "insensitive");
			}
	}
	assert_true(n >= 20); /* the shipped lexicons have patterns */
}

static void test_screen_anchors_lose_no_match(void **state)
{
	static const char *const probes[] = {
	        "Vote for Labour, voter, votes for the Tories, vote Green",
	        "lib dem, Lib Dems, libdems, libgomp lib-dem LibDem, Lib "
	        "Democrats",
	        "a Labour-led council; the Green-led administration; "
	        "greenhouse-led administration; Reformed-run authority",
	        "don't let the Tories; don’t let Labour; dont let reform; "
	        "done let the greens; donate let the SNP",
	        "years of Tory failure; decades of labour neglect; yearsof "
	        "snp cuts; Tory's cuts; torys chaos; tories cuts",
	        "kick the Tories out; kickstart the tories out; kick out "
	        "the Greens; turf labour out; throwing the snp out",
	        "Promoted by Jo Bloggs on behalf of the Reform UK candidate; "
	        "printed by A Printer Ltd, 1 High St, on behalf of the "
	        "Labour Party; paid for by the Green Party campaign",
	        "standing as your Labour candidate; standing to be your "
	        "councillor; standingroom",
	        "Pleidleisiwch dros Lafur; pleidlais i Blaid Cymru; dan "
	        "Lafur; daniel Lafur; cyngor dan arweiniad Llafur",
	};
	pd_buf ya = PD_BUF_INIT(1u << 20), yb = PD_BUF_INIT(1u << 20);
	pd_buf all = PD_BUF_INIT(1u << 26);
	pd_lexset *sa = NULL, *sb = NULL;
	pd_matcher *ma = NULL, *mb = NULL;
	pd_scan a = PD_SCAN_INIT, b = PD_SCAN_INIT;
	size_t texts = 0, found = 0;
	(void)state;

	put_pattern_entries(&ya, "", "");
	put_pattern_entries(&yb, "(?:", ")");
	if (pd_lexset_new(&sa) < 0 ||
	    pd_lexset_load_buffer(sa, "a.yaml", ya.ptr, ya.len) < 0 ||
	    pd_matcher_new(&ma, sa) < 0 || pd_lexset_new(&sb) < 0 ||
	    pd_lexset_load_buffer(sb, "b.yaml", yb.ptr, yb.len) < 0 ||
	    pd_matcher_new(&mb, sb) < 0)
		fail_msg("%s", pd_error_message());
	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
		pd_buf_puts(&all, probes[p]);
		pd_buf_puts(&all, "\n");
	}
	tu_each_post(one_text, &all);
	for (size_t off = 0; off < all.len; texts++) {
		/* a line at a time, so each has its own answer */
		const char *nl = memchr(all.ptr + off, '\n', all.len - off);
		size_t len =
		        nl ? (size_t)(nl - (all.ptr + off)) : all.len - off;
		const char *t = all.ptr + off;
		assert_int_equal(pd_matcher_scan(ma, &a, t, len, 0), PD_OK);
		assert_int_equal(pd_matcher_scan(mb, &b, t, len, 0), PD_OK);
		if (a.nhits != b.nhits)
			fail_msg(
			        "'%.*s': %zu hits anchored, %zu over the whole "
			        "text",
			        (int)len, t, a.nhits, b.nhits);
		for (size_t i = 0; i < a.nhits; i++)
			if (a.hits[i].start != b.hits[i].start ||
			    a.hits[i].end != b.hits[i].end ||
			    strcmp(a.hits[i].entry->id, b.hits[i].entry->id))
				fail_msg("'%.*s': hit %zu differs", (int)len, t,
				         i);
		found += a.nhits;
		off += len + 1;
	}
	printf("anchors: %zu texts, %zu pattern hits the same both ways\n",
	       texts, found);
	assert_true(found >= 20);
	pd_scan_dispose(&a);
	pd_scan_dispose(&b);
	pd_matcher_free(ma);
	pd_matcher_free(mb);
	pd_lexset_free(sa);
	pd_lexset_free(sb);
	pd_buf_dispose(&ya);
	pd_buf_dispose(&yb);
	pd_buf_dispose(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_screen_corpus_posts),
	        cmocka_unit_test(test_screen_edges),
	        cmocka_unit_test(test_screen_shared_corpora),
	        cmocka_unit_test(test_screen_anchors_lose_no_match),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
