/*
 * Matcher quality on the labelled corpus (the JSON Lines files in
 * tests/corpus/posts, 637 realistic council posts): prints precision and recall
 * per label and fails below the floors. The shipped lexicons are used as they
 * are.
 *
 * Labels and what decides them here (the posting gate, later, applies the
 * configured thresholds the same way):
 *   party      party + campaign + electioneering score >= 5
 *   person     candidate + councillor score >= 5
 *   topic      topic score >= 2
 *   electoral  any electoral-process hit
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/file.h"
#include "purdah/json.h"
#include "purdah/match.h"

enum { PARTY, PERSON, TOPIC, ELECTORAL, NLABELS };
static const char *const labels[NLABELS] = {"party", "person", "topic",
                                            "electoral"};
/* Floors: precision, recall. */
static const double floor_p[NLABELS] = {0.97, 0.98, 0.70, 0.97};
static const double floor_r[NLABELS] = {0.97, 0.98, 0.75, 0.95};

typedef struct {
	const pd_matcher *m;
	pd_scan s;
	int tp[NLABELS], fp[NLABELS], fn[NLABELS], posts;
} qctx;

/* Scan one post and count it against its labels. */
static void one_post(const char *file, const pd_json *j, void *vq)
{
	qctx *c = vq;
	pd_scan *s = &c->s;
	const pd_json *lab, *html;
	const char *text, *id;
	double sp, spe, st;
	bool pred[NLABELS] = {false}, gold[NLABELS] = {false};

	(void)file;
	text = pd_json_str(pd_json_get(j, "text"));
	id = pd_json_str(pd_json_get(j, "id"));
	html = pd_json_get(j, "html");
	assert_non_null(text);
	if (pd_matcher_scan(c->m, s, text, strlen(text),
	                    html && pd_json_is_true(html) ? PD_NORM_HTML : 0) <
	    0)
		fail_msg("%s: %s", id, pd_error_message());
	sp = pd_scan_score(s, "party") + pd_scan_score(s, "campaign") +
	     pd_scan_score(s, "electioneering");
	spe = pd_scan_score(s, "candidate") + pd_scan_score(s, "councillor");
	st = pd_scan_score(s, "topic");
	pred[PARTY] = sp >= 5;
	pred[PERSON] = spe >= 5;
	pred[TOPIC] = st >= 2;
	for (size_t i = 0; i < s->nhits; i++)
		if (!strcmp(s->hits[i].entry->lexicon->category,
		            "electoral-process"))
			pred[ELECTORAL] = true;
	lab = pd_json_get(j, "labels");
	for (size_t k = 0; k < pd_json_array_size(lab); k++) {
		const char *l = pd_json_str(pd_json_array_get(lab, k));
		for (int q = 0; q < NLABELS; q++)
			if (l && !strcmp(l, labels[q]))
				gold[q] = true;
	}
	for (int q = 0; q < NLABELS; q++) {
		if (pred[q] && gold[q])
			c->tp[q]++;
		else if (pred[q])
			c->fp[q]++;
		else if (gold[q])
			c->fn[q]++;
		if (pred[q] != gold[q] && getenv("PURDAH_QUALITY_VERBOSE"))
			print_message("%s %s %s: %s\n",
			              pred[q] ? "false alarm" : "missed",
			              labels[q], id, text);
	}
	c->posts++;
}

static void test_quality_corpus_precision_recall(void **state)
{
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	qctx c = {NULL, PD_SCAN_INIT, {0}, {0}, {0}, 0};
	int *tp = c.tp, *fp = c.fp, *fn = c.fn;
	bool below = false;
	(void)state;

	assert_int_equal(pd_lexset_new(&set), PD_OK);
	if (pd_lexset_load_path(set, "lexicons") < 0 ||
	    pd_matcher_new(&m, set) < 0)
		fail_msg("%s", pd_error_message());
	c.m = m;
	tu_each_post(one_post, &c);
	print_message("quality over %d labelled posts:\n", c.posts);
	for (int q = 0; q < NLABELS; q++) {
		double p = tp[q] + fp[q] ? (double)tp[q] / (tp[q] + fp[q]) : 1;
		double r = tp[q] + fn[q] ? (double)tp[q] / (tp[q] + fn[q]) : 1;
		print_message(
		        "  %-10s precision %.3f (floor %.2f)  recall %.3f "
		        "(floor %.2f)  [tp %d fp %d fn %d]\n",
		        labels[q], p, floor_p[q], r, floor_r[q], tp[q], fp[q],
		        fn[q]);
		below |= p < floor_p[q] || r < floor_r[q];
	}
	assert_true(c.posts >= 400);
	assert_false(below);
	pd_scan_dispose(&c.s);
	pd_matcher_free(m);
	pd_lexset_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_quality_corpus_precision_recall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
