/*
 * Invariants shared by the lexicon, scan and people fuzz targets: what a
 * loaded lexicon set, its warnings, an error message and a scan result must
 * look like whatever the input. A broken invariant is a bug in src/: the
 * check calls abort() so that libFuzzer keeps the input and the corpus
 * replay fails on it.
 *
 * Header-only (static inline) because each target is linked alone with
 * tests/fuzz/replay.c or libFuzzer.
 */
#ifndef PURDAH_TESTS_FUZZ_CHECK_H
#define PURDAH_TESTS_FUZZ_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dep/pcre.h"
#include "purdah/alloc.h"
#include "purdah/error.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"

/* abort() with a note on stderr naming the broken invariant. */
#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",       \
			        __FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* Does `msg` start with "name:" and a line number ("name:12:...")? */
static inline int fz_names_line(const char *msg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(msg, name, n) == 0 && msg[n] == ':' &&
	       msg[n + 1] >= '1' && msg[n + 1] <= '9';
}

/* A failed load or compile of the lexicon called `name`: a configuration
 * error names the file and a line; only the size limits and memory may
 * fail otherwise. */
static inline void fz_check_lexicon_error(pd_rc rc, const char *name)
{
	const char *msg = pd_error_message();

	FZ_CHECK(rc == PD_ECONFIG || rc == PD_ETOOBIG || rc == PD_ENOMEM);
	FZ_CHECK(pd_error_code() == rc);
	FZ_CHECK(*msg != '\0');
	if (rc == PD_ECONFIG) {
		if (!fz_names_line(msg, name))
			fprintf(stderr, "message: %s\n", msg);
		FZ_CHECK(fz_names_line(msg, name));
	}
}

/* Every lexicon and entry of a loaded set is complete, every warning
 * names the file, a line and a column. */
static inline void fz_check_lexset(const pd_lexset *set, const char *name)
{
	for (size_t l = 0; l < pd_lexset_count(set); l++) {
		const pd_lexicon *lex = pd_lexset_get(set, l);
		FZ_CHECK(lex && lex->path && lex->name && lex->category &&
		         lex->language && lex->version);
		FZ_CHECK(*lex->name && *lex->category);
		for (size_t e = 0; e < lex->nentries; e++) {
			const pd_lex_entry *en = &lex->entries[e];
			FZ_CHECK(en->id && *en->id && en->lexicon == lex);
			FZ_CHECK(en->nterms + en->npatterns > 0);
			FZ_CHECK(isfinite(en->weight));
			for (size_t t = 0; t < en->nterms; t++)
				FZ_CHECK(en->terms[t].text &&
				         *en->terms[t].text &&
				         en->terms[t].line >= 1);
			for (size_t p = 0; p < en->npatterns; p++)
				FZ_CHECK(en->patterns[p].text);
			for (size_t k = 0; k < en->nmeta; k++)
				FZ_CHECK(en->meta[k].key && en->meta[k].value);
		}
	}
	for (size_t i = 0; i < pd_lexset_warning_count(set); i++) {
		const pd_lex_warning *w = pd_lexset_warning(set, i);
		FZ_CHECK(w && w->file && w->message && *w->message);
		FZ_CHECK(strcmp(w->file, name) == 0);
		FZ_CHECK(w->line >= 1 && w->col >= 1);
	}
	FZ_CHECK(strlen(pd_lexset_sha256(set)) == 64);
}

/* Was the pattern `text` of entry `e` warned about as able to match the
 * empty string? (Its hits may then be empty.) */
static inline int fz_empty_pattern(const pd_lexset *set, const pd_lex_entry *e,
                                   const char *text)
{
	for (size_t p = 0; p < e->npatterns; p++) {
		if (e->patterns[p].text != text)
			continue;
		for (size_t i = 0; i < pd_lexset_warning_count(set); i++) {
			const pd_lex_warning *w = pd_lexset_warning(set, i);
			if (w->line == e->patterns[p].line &&
			    w->col == e->patterns[p].col &&
			    strstr(w->message, "empty string"))
				return 1;
		}
	}
	return 0;
}

/* A scan result of `len` bytes of `text`: hits in order of start, inside
 * the input, with the input's own bytes as their text and a weight that is
 * their entry's; scores sorted by category, each the sum of its hits. */
static inline void fz_check_scan(const pd_lexset *set, const pd_scan *s,
                                 const char *text, size_t len)
{
	size_t counted = 0;

	FZ_CHECK(s->nhits == 0 || s->hits != NULL);
	for (size_t i = 0; i < s->nhits; i++) {
		const pd_hit *h = &s->hits[i];
		size_t span;

		FZ_CHECK(h->entry && h->entry->lexicon && h->term && h->text &&
		         h->norm);
		FZ_CHECK(h->entry->lexicon->category);
		FZ_CHECK(h->start <= h->end && h->end <= len);
		FZ_CHECK(h->weight == h->entry->weight);
		FZ_CHECK(i == 0 || s->hits[i - 1].start <= h->start);
		span = h->end - h->start;
		/* A hit shows the words it found: never an empty span,
		 * unless its pattern was warned to match nothing. */
		if (span == 0 && !fz_empty_pattern(set, h->entry, h->term))
			fprintf(stderr, "empty hit: entry %s term '%s'\n",
			        h->entry->id, h->term);
		FZ_CHECK(span > 0 || fz_empty_pattern(set, h->entry, h->term));
		FZ_CHECK(strlen(h->text) <= span);
		if (!memchr(text + h->start, '\0', span))
			FZ_CHECK(strlen(h->text) == span &&
			         memcmp(h->text, text + h->start, span) == 0);
	}
	FZ_CHECK(s->nscores == 0 || s->scores != NULL);
	for (size_t k = 0; k < s->nscores; k++) {
		const pd_score *sc = &s->scores[k];
		double sum = 0;
		size_t n = 0;

		FZ_CHECK(sc->category);
		FZ_CHECK(k == 0 ||
		         strcmp(s->scores[k - 1].category, sc->category) < 0);
		for (size_t i = 0; i < s->nhits; i++) {
			if (strcmp(s->hits[i].entry->lexicon->category,
			           sc->category) != 0)
				continue;
			sum += s->hits[i].weight;
			n++;
		}
		FZ_CHECK(n == sc->hits && n > 0);
		FZ_CHECK(fabs(sum - sc->score) <= 1e-6 * (1 + fabs(sum)));
		FZ_CHECK(pd_scan_score(s, sc->category) == sc->score);
		counted += n;
	}
	FZ_CHECK(counted == s->nhits);
}

/* Every pattern of a lexicon set compiled on its own: an oracle for the
 * matcher, which runs patterns only near words they need. */
typedef struct fz_patterns {
	pd_regex **re; /* NULL where the pattern does not compile alone */
	const pd_lex_entry **entry;
	const char **text;
	size_t n;
} fz_patterns;

static inline void fz_patterns_free(fz_patterns *p)
{
	for (size_t i = 0; i < p->n; i++)
		pd_regex_free(p->re[i]);
	pd_free(p->re);
	pd_free(p->entry);
	pd_free(p->text);
	memset(p, 0, sizeof(*p));
}

static inline void fz_patterns_compile(fz_patterns *p, const pd_lexset *set)
{
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	for (size_t l = 0; l < pd_lexset_count(set); l++)
		for (size_t e = 0; e < pd_lexset_get(set, l)->nentries; e++)
			n += pd_lexset_get(set, l)->entries[e].npatterns;
	p->re = pd_calloc(n + 1, sizeof(*p->re));
	p->entry = pd_calloc(n + 1, sizeof(*p->entry));
	p->text = pd_calloc(n + 1, sizeof(*p->text));
	if (!p->re || !p->entry || !p->text) {
		fz_patterns_free(p);
		return;
	}
	for (size_t l = 0; l < pd_lexset_count(set); l++) {
		const pd_lexicon *lex = pd_lexset_get(set, l);
		for (size_t e = 0; e < lex->nentries; e++) {
			const pd_lex_entry *en = &lex->entries[e];
			for (size_t i = 0; i < en->npatterns; i++) {
				const pd_lex_pattern *pat = &en->patterns[i];
				size_t off;
				p->entry[p->n] = en;
				p->text[p->n] = pat->text;
				if (pd_regex_compile(&p->re[p->n], pat->text,
				                     !pat->exact_case,
				                     &off) < 0)
					p->re[p->n] = NULL;
				p->n++;
			}
		}
	}
	pd_error_clear();
}

/* Stops pd_regex_each at the first match that is not empty. */
static inline pd_rc fz_found(void *ctx, size_t a, size_t b, const char *mark)
{
	(void)mark;
	if (b <= a)
		return PD_OK;
	*(int *)ctx = 1;
	return PD_EINTERNAL; /* found one: stop */
}

/* A pattern that matches the normalised text on its own (not emptily)
 * leaves at least one hit in its category: an overlap only ever drops a
 * hit for another of the same category. */
static inline void fz_check_patterns(const fz_patterns *p, const pd_scan *s)
{
	const char *text = s->norm.text.ptr ? s->norm.text.ptr : "";

	for (size_t i = 0; i < p->n && s->norm.ntok > 0; i++) {
		const char *cat = p->entry[i]->lexicon->category;
		size_t hits = 0;
		int found = 0;

		if (!p->re[i])
			continue;
		(void)pd_regex_each(p->re[i], text, s->norm.text.len, fz_found,
		                    &found);
		if (!found)
			continue;
		for (size_t k = 0; k < s->nscores; k++)
			if (strcmp(s->scores[k].category, cat) == 0)
				hits = s->scores[k].hits;
		if (hits == 0)
			fprintf(stderr,
			        "pattern '%s' of entry '%s' matches the "
			        "normalised text on its own, but category %s "
			        "has no hit\n",
			        p->text[i], p->entry[i]->id, cat);
		FZ_CHECK(hits > 0);
	}
	pd_error_clear();
}

/* The same hits (spans, entries, terms) in two results of one input. */
static inline void fz_check_same(const pd_scan *a, const pd_scan *b)
{
	FZ_CHECK(a->nhits == b->nhits);
	FZ_CHECK(a->nscores == b->nscores);
	for (size_t i = 0; i < a->nhits; i++) {
		FZ_CHECK(a->hits[i].start == b->hits[i].start);
		FZ_CHECK(a->hits[i].end == b->hits[i].end);
		FZ_CHECK(a->hits[i].entry == b->hits[i].entry);
		FZ_CHECK(strcmp(a->hits[i].term, b->hits[i].term) == 0);
		FZ_CHECK(strcmp(a->hits[i].norm, b->hits[i].norm) == 0);
	}
}

#endif
