/*
 * The political-wording matcher.
 *
 * pd_matcher_new() compiles a lexicon set: every term and alias is
 * normalised (norm.h) into words; whole-word terms, which are nearly all of
 * them (20,000 people's names included), go into a trie over word ids, so a
 * scan costs one hash lookup per word of text whatever the number of terms;
 * prefix and substring terms go into a byte-level Aho-Corasick automaton;
 * only entries that are regular expressions use PCRE2 (JIT, with match and
 * depth limits). No giant alternation is ever built.
 *
 * A candidate hit then passes the term's rules: exact case (checked on the
 * original letters: "Labour" and "LABOUR" count, "labour" does not),
 * `unless` phrases around it, and `context` words within N words. Hits of
 * one category that overlap keep the longest; scores are per category.
 *
 * A matcher is immutable and may be shared by threads; each scan uses its
 * own pd_scan.
 */
#ifndef PURDAH_MATCH_H
#define PURDAH_MATCH_H

#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/error.h"
#include "purdah/lexicon.h"
#include "purdah/norm.h"

typedef struct pd_matcher pd_matcher;

/*
 * Compile `set` (borrowed: it must outlive the matcher). Problems that do
 * not stop compilation (a term that can never match, a duplicate term, an
 * exception that never applies) are added to the set's warnings.
 */
pd_rc pd_matcher_new(pd_matcher **out, pd_lexset *set);
void pd_matcher_free(pd_matcher *m);

/* Statistics for `lexicon check` and benchmarks. */
size_t pd_matcher_term_count(const pd_matcher *m);
size_t pd_matcher_word_count(const pd_matcher *m);

typedef struct pd_hit {
	const pd_lex_entry *entry; /* its lexicon: entry->lexicon */
	const char *term;          /* the term or pattern that matched */
	double weight;
	size_t start, end; /* byte span in the original input */
	const char *text;  /* the original text there */
	const char *norm;  /* its normalised form */
} pd_hit;

typedef struct pd_score {
	const char *category;
	double score; /* sum of the weights of the hits that count */
	size_t hits;
} pd_score;

/* The result of a scan, and the scratch space it reuses. */
typedef struct pd_scan {
	pd_hit *hits; /* in order of start */
	size_t nhits;
	pd_score *scores; /* one per category with hits, sorted by name */
	size_t nscores;
	/* private */
	pd_norm norm;
	pd_buf strings;
	void *vt; /* the matcher's view of the tokens */
	size_t nvt, capvt;
	size_t caphits, capscores;
	void *screen; /* the fast path's scratch space */
} pd_scan;

#define PD_SCAN_INIT                                                           \
	{                                                                      \
		NULL, 0, NULL, 0, PD_NORM_INIT, PD_BUF_INIT(1u << 30), NULL,   \
		        0, 0, 0, 0, NULL                                       \
	}

/* Scan flag: no fast path, the whole text through the full pipeline (the
 * result is the same; for tests and benchmarks). */
#define PD_SCAN_FULL 0x100u

/*
 * Scan `len` bytes of `text` (flags: PD_NORM_HTML for HTML input). The
 * previous result in `out` is replaced; hits' strings live in `out` until
 * the next scan or pd_scan_dispose(). PD_EDEP when a regular expression
 * fails (never reported as a clean result), PD_ETOOBIG, PD_ENOMEM.
 */
pd_rc pd_matcher_scan(const pd_matcher *m, pd_scan *out, const char *text,
                      size_t len, unsigned flags);

/* The score of `category` in a result (0 when it has no hits). */
double pd_scan_score(const pd_scan *s, const char *category);

void pd_scan_dispose(pd_scan *s);

#endif
