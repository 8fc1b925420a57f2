/*
 * The matcher (see include/purdah/match.h).
 *
 * Compiled form:
 *  - vocab: every word of every term, exception and context phrase, in an
 *    open-addressing hash table (word -> id);
 *  - a trie over word ids, its edges in one hash table keyed by
 *    (node, word); each node lists the terms that end there;
 *  - a byte-level Aho-Corasick automaton for prefix and substring terms;
 *  - compiled PCRE2 patterns.
 * Scanning: normalise, look every token up once, walk the trie from each
 * token that starts a term, check each candidate's rules, then keep the
 * longest of overlapping hits per category.
 */
#include "purdah/match.h"

#include <stdlib.h>
#include <string.h>

#include "dep/pcre.h"
#include "purdah/alloc.h"

/* A Bloom filter of the words of 6+ letters, to reject most joins of two
 * tokens without a lookup. */
#define JOIN_BLOOM_BITS (1u << 16)
/* ... and one of every word, so most words of a text (not in any lexicon)
 * are rejected without touching the vocabulary table. */
#define VOCAB_BLOOM_BITS (1u << 20)
#define NO_ID            UINT32_MAX
#define MAX_TERM_WORDS   32
#define MAX_AC_BYTES     (256u * 1024)

typedef struct {
	uint64_t h;
	uint32_t off, len, id;
} vslot;

typedef struct {
	uint64_t key; /* node << 32 | word; 0 = empty (node 0 word 0 is
	                 stored with key | 1 << 63 to tell it apart) */
	uint32_t child;
} edge;

typedef struct {
	uint32_t first, len; /* into m->seq */
	int32_t at;          /* unless: where the term starts in the phrase */
} cphrase;

typedef struct {
	uint32_t entry; /* into m->entries */
	const pd_lex_term *src;
	uint32_t ntok;
	uint32_t case_first; /* into m->tcase (2 per token) */
	uint32_t unless_first, nunless;
	uint32_t any_first, nany, all_first, nall; /* into m->phrases */
	int within;
	uint8_t impossible; /* a context requirement no text can meet */
	uint8_t tag;        /* '#': only hashtags match; '@': only handles */
	uint32_t norm_len;  /* byte-level terms: length of the pattern */
	const char *norm;   /* byte-level terms: normalised text (pooled) */
} cterm;

typedef struct {
	pd_regex *re;
	uint32_t entry;
	const pd_lex_pattern *src;
} cpat;

struct pd_matcher {
	pd_lexset *set;
	const pd_lex_entry **entries;
	uint32_t *entry_cat; /* category index of each entry */
	size_t nentries;
	const char **cats;
	size_t ncats;

	vslot *vocab;
	size_t vcap, nwords;
	uint64_t join_bloom[JOIN_BLOOM_BITS / 64];
	uint64_t *vocab_bloom; /* VOCAB_BLOOM_BITS */
	pd_buf wtext;

	edge *edges;
	size_t ecap, nedges;
	uint32_t nnodes;
	uint32_t *node_first, *node_count, *node_terms;
	uint32_t *root; /* per word id: the trie node of a term's first word */

	cterm *terms;
	size_t nterms, capterms;
	uint32_t *seq;
	size_t nseq, capseq;
	uint32_t *tcase;
	size_t ntcase, captcase;
	cphrase *phrases;
	size_t nphrases, capphrases;

	/* (node, term) pairs while building */
	uint64_t *pairs;
	size_t npairs, cappairs;

	/* byte-level automaton */
	uint32_t *ac_next; /* 256 per state */
	uint32_t *ac_fail;
	uint32_t *ac_out; /* first output per state (index into ac_outs_*) */
	uint32_t nac;
	uint32_t *ac_outs_term, *ac_outs_next;
	size_t nacouts;
	pd_buf bytestr;

	cpat *pats;
	size_t npats, cappats;
	/* Anchors: words every match of a pattern starts a token with
	 * (see pattern_anchors). A trie over them finds, for each token,
	 * the patterns worth running near it. */
	struct anode {
		uint32_t next[27]; /* a-z, and 26 for any other byte */
		uint32_t first;    /* first (pattern+1) ending here, chained */
		bool prefix;       /* one of them is a prefix anchor */
	} * atrie;
	size_t natrie, capatrie;
	uint32_t *alink_pat, *alink_next; /* chains of patterns per anchor */
	bool *alink_whole; /* the anchor is a whole word (see pattern_anchors)
	                    */
	size_t nalink, capalink, capalink2, capalink3;
	bool *unanchored; /* per pattern: runs over the whole text */
	uint64_t abits[32 * 32 * 32 / 64]; /* the first three bytes of anchors:
	                                      one bit per anchor5() triple */

	/* The fast path (see "Screening" below). */
	bool screen;           /* usable with these lexicons */
	uint32_t max_words;    /* words in the longest term */
	uint32_t margin;       /* tokens a window keeps around what it holds */
	uint16_t *node_margin; /* per trie node: the margin its terms need */
	uint16_t *word_margin; /* per word: the most a term holding it needs
	                          (0: no term's word) */
	/* Two neighbours by their hashes (nbr_key): every way a term's word
	 * of 6+ letters splits in two (may they join into it?), and the
	 * first two words of every longer term (may they begin it?). One
	 * memory read answers both. */
	uint64_t *nbr_bloom;
	size_t nbr_cells;
	/* The words of terms (trie edges) only: the screen looks a word up
	 * only if it may be one; words only of context or exceptions need
	 * no id there. */
	uint64_t *term_bloom; /* VOCAB_BLOOM_BITS */
	/* What scr_quiet asks of a word alone: is it a term on its own? */
	uint64_t *one_bloom;
	size_t one_cells;
	unsigned char gapc[256]; /* per byte: scr_gap_class, 1 for a byte that
	                            starts a stretch, 0 for a letter or digit */
};

/* ------------------------------------------------------------------------ */
/* Vocabulary                                                               */

/* Little-endian loads: the same values, so the same hashes, on any
 * machine (LE64 also turns such a value back into memory order). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE64(x) __builtin_bswap64(x)
#define LE32(x) __builtin_bswap32(x)
#else
#define LE64(x) (x)
#define LE32(x) (x)
#endif
static inline uint64_t load8(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return LE64(x);
}

static inline uint64_t load4(const unsigned char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return LE32(x);
}

/*
 * The word hash, 8 bytes a step (words are short: one or two steps). A
 * word of n bytes takes n / 8 + 1 steps, the last with the 0-7 bytes
 * left over as a number padded with zeros, and then n: so the screen,
 * which reads text 8 bytes at a time anyway, hashes a word as it reads it
 * (scr_word) and gets the same value as hash_bytes.
 */
#define HASH_SEED 0x9E3779B97F4A7C15ULL
static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
	return h ^ (h >> 32);
}

static inline uint64_t hash_final(uint64_t h, size_t n)
{
	h = (h ^ (n * 0xC2B2AE3D27D4EB4FULL)) * 0x94D049BB133111EBULL;
	h ^= h >> 31;
	return h | 1; /* never 0: an empty slot */
}

/* The last 0-7 bytes of a word as a number, without reading past them:
 * two overlapping 4-byte reads (the bytes both hold land on the same
 * places), or the first, middle and last byte with what is past n
 * masked off. */
static inline uint64_t tail_bytes(const unsigned char *s, size_t n)
{
	if (n >= 4)
		return load4(s) | load4(s + n - 4) << (8 * (n - 4));
	if (n == 0)
		return 0;
	return ((uint64_t)s[0] | (uint64_t)s[n >> 1] << 8 |
	        (uint64_t)s[n - 1] << 16) &
	       ((1ULL << (8 * n)) - 1);
}

static inline uint64_t hash_bytes(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint64_t h = HASH_SEED;
	size_t k = n;

	for (; k >= 8; s += 8, k -= 8)
		h = hash_step(h, load8(s));
	return hash_final(hash_step(h, tail_bytes(s, k)), n);
}

/* Blocked Bloom filters: both bits of a word in one 64-bit cell, so a
 * check is one memory read. */
static inline bool bloom_has(const uint64_t *b, size_t cells, uint64_t h)
{
	uint64_t cell = b[(h >> 12) & (cells - 1)]; /* cells: a power of 2 */
	return (cell >> (h & 63)) & (cell >> ((h >> 6) & 63)) & 1;
}

static inline void bloom_add(uint64_t *b, size_t cells, uint64_t h)
{
	b[(h >> 12) & (cells - 1)] |=
	        1ULL << (h & 63) | 1ULL << ((h >> 6) & 63);
}

static bool ascii_letters(const char *w, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (w[k] < 'a' || w[k] > 'z')
			return false;
	return true;
}

/* The key of two neighbours in nbr_bloom, from their hashes. */
static inline uint64_t nbr_key(uint64_t ha, uint64_t hb)
{
	uint64_t h =
	        (ha ^ (hb * 0xD6E8FEB86659FD93ULL)) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 32);
}

/* memcmp(a, b, n) == 0 for the short strings words are, without a call. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Look up the word s[0, n) whose hash is h. */
static inline uint32_t vocab_find_h(const pd_matcher *m, uint64_t h,
                                    const char *s, size_t n)
{
	if (!bloom_has(m->vocab_bloom, VOCAB_BLOOM_BITS / 64, h))
		return NO_ID;
	size_t mask = m->vcap - 1, i = (size_t)(h ^ (h >> 29)) & mask;

	for (;;) {
		const vslot *v = &m->vocab[i];
		if (v->h == 0)
			return NO_ID;
		if (v->h == h && v->len == n &&
		    same_bytes(m->wtext.ptr + v->off, s, n))
			return v->id;
		i = (i + 1) & mask;
	}
}

static inline uint32_t vocab_find(const pd_matcher *m, const char *s, size_t n)
{
	return vocab_find_h(m, hash_bytes(s, n), s, n);
}

static pd_rc vocab_rehash(pd_matcher *m, size_t ncap)
{
	vslot *nv = pd_calloc(ncap, sizeof(*nv));

	if (!nv)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->vcap; i++) {
		const vslot *v = &m->vocab[i];
		size_t j;
		if (!v->h)
			continue;
		j = (size_t)(v->h ^ (v->h >> 29)) & (ncap - 1);
		while (nv[j].h)
			j = (j + 1) & (ncap - 1);
		nv[j] = *v;
	}
	pd_free(m->vocab);
	m->vocab = nv;
	m->vcap = ncap;
	return PD_OK;
}

static pd_rc vocab_add(pd_matcher *m, const char *s, size_t n, uint32_t *id)
{
	uint64_t h = hash_bytes(s, n);
	size_t i;
	pd_rc rc;

	if ((*id = vocab_find_h(m, h, s, n)) != NO_ID)
		return PD_OK;
	if ((m->nwords + 1) * 2 > m->vcap &&
	    (rc = vocab_rehash(m, m->vcap * 2)) < 0)
		return rc;
	i = (size_t)(h ^ (h >> 29)) & (m->vcap - 1);
	while (m->vocab[i].h)
		i = (i + 1) & (m->vcap - 1);
	m->vocab[i].h = h;
	bloom_add(m->vocab_bloom, VOCAB_BLOOM_BITS / 64, h);
	if (n >= 6)
		bloom_add(m->join_bloom, JOIN_BLOOM_BITS / 64, h);
	m->vocab[i].off = (uint32_t)m->wtext.len;
	m->vocab[i].len = (uint32_t)n;
	m->vocab[i].id = (uint32_t)m->nwords;
	if ((rc = pd_buf_put(&m->wtext, s, n)) < 0)
		return rc;
	*id = (uint32_t)m->nwords++;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Trie edges                                                               */

static inline uint64_t edge_key(uint32_t node, uint32_t word)
{
	return ((uint64_t)node << 32 | word) | (1ULL << 63);
}

/* The node an edge leaves, from its key. */
static inline uint32_t edge_node(uint64_t key)
{
	return (uint32_t)((key & ~(1ULL << 63)) >> 32);
}

static inline size_t edge_slot(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
}

static inline uint32_t edge_get(const pd_matcher *m, uint32_t node,
                                uint32_t word)
{
	uint64_t key = edge_key(node, word);
	size_t i = edge_slot(key, m->ecap);

	for (;;) {
		if (m->edges[i].key == key)
			return m->edges[i].child;
		if (m->edges[i].key == 0)
			return NO_ID;
		i = (i + 1) & (m->ecap - 1);
	}
}

static pd_rc edge_rehash(pd_matcher *m, size_t ncap)
{
	edge *ne = pd_calloc(ncap, sizeof(*ne));

	if (!ne)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->ecap; i++) {
		size_t j;
		if (!m->edges[i].key)
			continue;
		j = edge_slot(m->edges[i].key, ncap);
		while (ne[j].key)
			j = (j + 1) & (ncap - 1);
		ne[j] = m->edges[i];
	}
	pd_free(m->edges);
	m->edges = ne;
	m->ecap = ncap;
	return PD_OK;
}

static pd_rc edge_add(pd_matcher *m, uint32_t node, uint32_t word,
                      uint32_t *child)
{
	uint64_t key;
	size_t i;
	pd_rc rc;

	if ((*child = edge_get(m, node, word)) != NO_ID)
		return PD_OK;
	if ((m->nedges + 1) * 2 > m->ecap &&
	    (rc = edge_rehash(m, m->ecap * 2)) < 0)
		return rc;
	key = edge_key(node, word);
	i = edge_slot(key, m->ecap);
	while (m->edges[i].key)
		i = (i + 1) & (m->ecap - 1);
	m->edges[i].key = key;
	m->edges[i].child = m->nnodes;
	m->nedges++;
	*child = m->nnodes++;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */
/* Compiling                                                                */

/* Normalise `s` into word ids appended to m->seq; *first and *len describe
 * them. Case information goes to m->tcase when `with_case`. */
static pd_rc add_words(pd_matcher *m, pd_norm *nb, const char *s,
                       bool with_case, uint32_t *first, uint32_t *len)
{
	pd_rc rc;

	if ((rc = pd_norm_run(nb, s, strlen(s), 0)) < 0)
		return rc;
	if (nb->ntok > MAX_TERM_WORDS)
		return pd_error_set(PD_ECONFIG, "more than %d words",
		                    MAX_TERM_WORDS);
	if ((rc = PD_GROW(m->seq, m->capseq, m->nseq + nb->ntok)) < 0)
		return rc;
	*first = (uint32_t)m->nseq;
	*len = (uint32_t)nb->ntok;
	for (size_t k = 0; k < nb->ntok; k++) {
		const pd_token *t = &nb->tok[k];
		uint32_t id;
		if ((rc = vocab_add(m, nb->text.ptr + t->norm_off, t->norm_len,
		                    &id)) < 0)
			return rc;
		m->seq[m->nseq++] = id;
		if (with_case) {
			if ((rc = PD_GROW(m->tcase, m->captcase,
			                  m->ntcase + 2)) < 0)
				return rc;
			m->tcase[m->ntcase++] = t->upper;
			m->tcase[m->ntcase++] = t->nlet;
		}
	}
	return PD_OK;
}

static pd_rc add_phrase(pd_matcher *m, uint32_t first, uint32_t len, int32_t at)
{
	pd_rc rc = PD_GROW(m->phrases, m->capphrases, m->nphrases + 1);

	if (rc < 0)
		return rc;
	m->phrases[m->nphrases].first = first;
	m->phrases[m->nphrases].len = len;
	m->phrases[m->nphrases].at = at;
	m->nphrases++;
	return PD_OK;
}

static pd_rc add_phrases(pd_matcher *m, pd_norm *nb, const char *file,
                         const pd_lex_term *t, const char *const *list,
                         size_t n, uint32_t *first, uint32_t *count)
{
	pd_rc rc = PD_OK;

	*first = (uint32_t)m->nphrases;
	*count = 0;
	for (size_t i = 0; i < n && rc == PD_OK; i++) {
		uint32_t f, l;
		if ((rc = add_words(m, nb, list[i], false, &f, &l)) < 0) {
			pd_error_prefix("%s:%d:%d: '%s'", file, t->line, t->col,
			                list[i]);
			return rc;
		}
		if (l == 0) {
			rc = pd_lexset_warn(
			        m->set, file, t->line, t->col,
			        "context word '%s' has no letters or "
			        "digits: it can never match",
			        list[i]);
			continue;
		}
		if ((rc = add_phrase(m, f, l, -1)) == PD_OK)
			(*count)++;
	}
	return rc;
}

static pd_rc add_unless(pd_matcher *m, pd_norm *nb, const char *file, cterm *ct,
                        uint32_t term_first)
{
	const pd_lex_term *t = ct->src;
	pd_rc rc = PD_OK;

	ct->unless_first = (uint32_t)m->nphrases;
	for (size_t i = 0; i < t->nunless && rc == PD_OK; i++) {
		uint32_t f, l;
		int32_t at = -1;
		if ((rc = add_words(m, nb, t->unless[i], false, &f, &l)) < 0) {
			pd_error_prefix("%s:%d:%d: unless '%s'", file, t->line,
			                t->col, t->unless[i]);
			return rc;
		}
		for (uint32_t k = 0;
		     l >= ct->ntok && k + ct->ntok <= l && at < 0; k++)
			if (memcmp(&m->seq[f + k], &m->seq[term_first],
			           ct->ntok * sizeof(uint32_t)) == 0)
				at = (int32_t)k;
		if (at < 0) {
			rc = pd_lexset_warn(
			        m->set, file, t->line, t->col,
			        "exception '%s' never applies: it does "
			        "not contain the term '%s'",
			        t->unless[i], t->text);
			continue;
		}
		if ((rc = add_phrase(m, f, l, at)) == PD_OK)
			ct->nunless++;
	}
	return rc;
}

static pd_rc add_term(pd_matcher *m, pd_norm *nb, uint32_t entry,
                      const pd_lex_term *t)
{
	const char *file = m->entries[entry]->lexicon->path;
	cterm ct;
	uint32_t first, len, node = 0;
	pd_rc rc;

	memset(&ct, 0, sizeof(ct));
	ct.entry = entry;
	ct.src = t;
	{
		const char *p = t->text;
		while (*p == ' ')
			p++;
		if (*p == '#' || *p == '@')
			ct.tag = (uint8_t)*p;
	}
	ct.case_first = (uint32_t)m->ntcase;
	if ((rc = add_words(m, nb, t->text, true, &first, &len)) < 0) {
		pd_error_prefix("%s:%d:%d: term '%s'", file, t->line, t->col,
		                t->text);
		return rc;
	}
	if (len == 0)
		return pd_lexset_warn(
		        m->set, file, t->line, t->col,
		        "term '%s' has no letters or digits after "
		        "normalisation: it can never match",
		        t->text);
	ct.ntok = len;
	if (t->boundary != PD_BOUNDARY_WORD) {
		/* Byte-level: keep the normalised text for the automaton. */
		const char *norm = nb->text.ptr;
		ct.norm_len = (uint32_t)nb->text.len;
		if (m->bytestr.len + nb->text.len + 1 > MAX_AC_BYTES)
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d:%d: more than %u bytes of prefix "
			        "and substring terms in all",
			        file, t->line, t->col, MAX_AC_BYTES);
		ct.norm =
		        (const char *)(uintptr_t)m->bytestr.len; /* fixed up */
		if ((rc = pd_buf_put(&m->bytestr, norm, nb->text.len + 1)) < 0)
			return rc;
	}
	if ((rc = add_unless(m, nb, file, &ct, first)) < 0)
		return rc;
	if ((rc = add_phrases(m, nb, file, t, t->context.any, t->context.nany,
	                      &ct.any_first, &ct.nany)) < 0 ||
	    (rc = add_phrases(m, nb, file, t, t->context.all, t->context.nall,
	                      &ct.all_first, &ct.nall)) < 0)
		return rc;
	ct.within = t->context.within;
	/* context words that normalise to nothing can never be present: the
	 * requirement stays, so the term never matches (and was warned) */
	if ((t->context.nany && !ct.nany) || ct.nall < t->context.nall)
		ct.impossible = 1;
	if ((rc = PD_GROW(m->terms, m->capterms, m->nterms + 1)) < 0)
		return rc;
	m->terms[m->nterms] = ct;
	if (t->boundary == PD_BOUNDARY_WORD) {
		for (uint32_t k = 0; k < len; k++)
			if ((rc = edge_add(m, node, m->seq[first + k], &node)) <
			    0)
				return rc;
		if ((rc = PD_GROW(m->pairs, m->cappairs, m->npairs + 1)) < 0)
			return rc;
		m->pairs[m->npairs++] =
		        (uint64_t)node << 32 | (uint32_t)m->nterms;
	}
	m->nterms++;
	return PD_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Flatten (node, term) pairs into per-node term lists, warning about a
 * term that appears twice in one category. */
static pd_rc flatten(pd_matcher *m)
{
	pd_rc rc = PD_OK;

	if (m->npairs)
		qsort(m->pairs, m->npairs, sizeof(*m->pairs), cmp_u64);
	m->node_first = pd_calloc(m->nnodes + 1, sizeof(uint32_t));
	m->node_count = pd_calloc(m->nnodes + 1, sizeof(uint32_t));
	m->node_terms = pd_calloc(m->npairs + 1, sizeof(uint32_t));
	if (!m->node_first || !m->node_count || !m->node_terms)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->npairs; i++) {
		uint32_t node = (uint32_t)(m->pairs[i] >> 32);
		uint32_t term = (uint32_t)m->pairs[i];
		if (m->node_count[node] == 0)
			m->node_first[node] = (uint32_t)i;
		m->node_count[node]++;
		m->node_terms[i] = term;
		if (i > 0 && (uint32_t)(m->pairs[i - 1] >> 32) == node) {
			const cterm *a = &m->terms[(uint32_t)m->pairs[i - 1]];
			const cterm *b = &m->terms[term];
			if (a->entry != b->entry &&
			    m->entry_cat[a->entry] == m->entry_cat[b->entry] &&
			    a->src->exact_case == b->src->exact_case &&
			    a->tag == b->tag && a->src->nunless == 0 &&
			    b->src->nunless == 0 && a->nany + a->nall == 0 &&
			    b->nany + b->nall == 0) {
				const pd_lex_entry *ea = m->entries[a->entry];
				rc = pd_lexset_warn(
				        m->set,
				        m->entries[b->entry]->lexicon->path,
				        b->src->line, b->src->col,
				        "duplicate term '%s' (also in entry "
				        "'%s' "
				        "of %s)",
				        b->src->text, ea->id,
				        ea->lexicon->name);
				if (rc < 0)
					return rc;
			}
		}
	}
	pd_free(m->pairs);
	m->pairs = NULL;
	return rc;
}

/* Build the byte-level automaton (Aho-Corasick, full DFA over bytes). */
static pd_rc build_ac(pd_matcher *m)
{
	uint32_t cap = 1;
	uint32_t *queue = NULL;
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < m->nterms; i++)
		if (m->terms[i].src->boundary != PD_BOUNDARY_WORD) {
			m->terms[i].norm =
			        m->bytestr.ptr + (uintptr_t)m->terms[i].norm;
			cap += m->terms[i].norm_len;
		}
	if (cap == 1)
		return PD_OK;
	m->ac_next = pd_calloc((size_t)cap * 256, sizeof(uint32_t));
	m->ac_fail = pd_calloc(cap, sizeof(uint32_t));
	m->ac_out = pd_calloc(cap, sizeof(uint32_t));
	m->ac_outs_term = pd_calloc(m->nterms + 1, sizeof(uint32_t));
	m->ac_outs_next = pd_calloc(m->nterms + 1, sizeof(uint32_t));
	queue = pd_calloc(cap, sizeof(uint32_t));
	if (!m->ac_next || !m->ac_fail || !m->ac_out || !m->ac_outs_term ||
	    !m->ac_outs_next || !queue) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	/* 0 in ac_next means "no edge" during building; state 0 is root. */
	m->nac = 1;
	m->nacouts = 1; /* output index 0 = none */
	for (size_t i = 0; i < m->nterms; i++) {
		const cterm *t = &m->terms[i];
		uint32_t s = 0;
		if (t->src->boundary == PD_BOUNDARY_WORD)
			continue;
		for (uint32_t k = 0; k < t->norm_len; k++) {
			unsigned char c = (unsigned char)t->norm[k];
			if (!m->ac_next[(size_t)s * 256 + c])
				m->ac_next[(size_t)s * 256 + c] = m->nac++;
			s = m->ac_next[(size_t)s * 256 + c];
		}
		m->ac_outs_term[m->nacouts] = (uint32_t)i;
		m->ac_outs_next[m->nacouts] = m->ac_out[s];
		m->ac_out[s] = (uint32_t)m->nacouts++;
	}
	/* Breadth-first: failure links, and complete the DFA. */
	{
		uint32_t head = 0, tail = 0;
		for (int c = 0; c < 256; c++) {
			uint32_t s = m->ac_next[c];
			if (s) {
				m->ac_fail[s] = 0;
				queue[tail++] = s;
			}
		}
		while (head < tail) {
			uint32_t r = queue[head++];
			/* The failure state's outputs (complete: it is
			 * shallower) are outputs here too: append its list to
			 * r's own. */
			if (m->ac_out[m->ac_fail[r]]) {
				uint32_t o = m->ac_out[r];
				if (!o) {
					m->ac_out[r] = m->ac_out[m->ac_fail[r]];
				} else {
					while (m->ac_outs_next[o])
						o = m->ac_outs_next[o];
					m->ac_outs_next[o] =
					        m->ac_out[m->ac_fail[r]];
				}
			}
			for (int c = 0; c < 256; c++) {
				uint32_t s = m->ac_next[(size_t)r * 256 + c];
				uint32_t f =
				        m->ac_next[(size_t)m->ac_fail[r] * 256 +
				                   c];
				if (s) {
					m->ac_fail[s] = f;
					queue[tail++] = s;
				} else {
					m->ac_next[(size_t)r * 256 + c] = f;
				}
			}
		}
	}
done:
	pd_free(queue);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Pattern anchors                                                          */

static bool is_lower_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skip one regex item at p (an escape, a class, or one char). */
static const char *skip_item(const char *p)
{
	if (*p == '\\' && p[1])
		return p + 2;
	if (*p == '[') {
		p++;
		if (*p == '^')
			p++;
		if (*p == ']')
			p++;
		while (*p && *p != ']') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		return *p ? p + 1 : p;
	}
	return p + 1;
}

/* The leading letters of `w` as an anchor: a letter followed by '?' is
 * optional, so it is dropped. Returns the length (0: too short). */
static size_t anchor_len(const char *w, size_t min)
{
	size_t n = 0;

	while (is_lower_letter(w[n]))
		n++;
	if (w[n] == '?' || w[n] == '*' || w[n] == '{')
		n = n ? n - 1 : 0;
	return n >= min ? n : 0;
}

/* Is there a '|' at the top level of the pattern (outside groups and
 * classes)? Then a match may start in either branch. */
static bool top_level_alternation(const char *p)
{
	int depth = 0;

	while (*p) {
		if (*p == '\\' || *p == '[') {
			p = skip_item(p);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '|' && depth == 0)
			return true;
		p++;
	}
	return false;
}

/* Can the regex item at q match nothing, or an ASCII letter, digit or
 * '_'? When it cannot, a word of the text that an anchor's letters begin
 * must end there (or go on with a byte no word holds): the anchor is a
 * whole word. '|' and ')' end an alternative: the item after its group
 * (`after`) decides. Unsure is "yes". */
static bool item_may_go_on(const char *q, const char *after)
{
	const char *e;

	if (*q == '|' || *q == ')')
		return !after || item_may_go_on(after, NULL);
	if (*q == '\\') {
		if (q[1] == 'b')
			return false; /* an assertion: nothing to quantify */
		if (q[1] != 's' && q[1] != 'W')
			return true;
		e = q + 2;
	} else if (*q == '[') {
		e = skip_item(q);
		if (q[1] == '^' || e[-1] != ']')
			return true;
		for (const char *c = q + 1; c < e - 1; c++) {
			if (*c == '\\') {
				if (c[1] != 's' && c[1] != '-' && c[1] != '.' &&
				    c[1] != '\'')
					return true;
				c++;
			} else if ((*c >= 'a' && *c <= 'z') ||
			           (*c >= 'A' && *c <= 'Z') ||
			           (*c >= '0' && *c <= '9') || *c == '_' ||
			           (unsigned char)*c >= 0x80)
				return true;
		}
	} else if (*q == '-' || *q == '\'' || *q == ' ' || *q == ',' ||
	           *q == ':' || *q == '/' || *q == '!')
		e = q + 1;
	else
		return true;
	return *e == '?' || *e == '*' || *e == '{';
}

/* One alternative's anchor(s): the leading letters of p, a whole word
 * or a prefix (item_may_go_on); letters, then an optional space, then
 * letters ("lib\s?dem") give two: the first letters as a whole word and
 * both together. false: too short to anchor. */
static void put_lower(pd_buf *out, const char *p, size_t len)
{
	for (size_t k = 0; k < len; k++)
		pd_buf_putc(out, (char)(p[k] | 0x20));
}

static bool alt_anchors(const char *p, const char *after, pd_buf *out,
                        size_t *n)
{
	size_t len = anchor_len(p, 2), l2 = 0;
	const char *q = p + len;

	if (!len)
		return false;
	if (out->len)
		pd_buf_putc(out, ',');
	put_lower(out, p, len);
	if (q[0] == '\\' && q[1] == 's' && (q[2] == '?' || q[2] == '*') &&
	    (l2 = anchor_len(q + 3, 1)) > 0) {
		/* the first letters alone, whole; then both together */
		pd_buf_puts(out, "=,");
		put_lower(out, p, len);
		put_lower(out, q + 3, l2);
		q += 3 + l2;
		(*n)++;
	}
	if (!item_may_go_on(q, after))
		pd_buf_putc(out, '=');
	(*n)++;
	return true;
}

/*
 * Words every match of `pat` begins with, so the pattern need only be
 * tried where a word of the text starts so: the pattern must begin with
 * \b and then a word ("\bvote\s+for ...", anchor "vote"), or \b and a
 * group of word alternatives ("\b(labour|tory|lib\s?dem) ...": labour,
 * tory, lib, libdem). Anything else (an inline option such as (?x), a
 * verb, a top-level alternation, a match that may begin elsewhere) gives
 * no anchors, *n = 0: the pattern is then tried over the whole text.
 * Anchors are written to out, comma-separated, lower case; one followed
 * by '=' is a whole word: the pattern cannot go on with a word character
 * after it ("vote\s+", "green)[-\s]+"), so "voter" or "greenhouse" need
 * no try.
 */
static void pattern_anchors(const char *pat, pd_buf *out, size_t *n)
{
	const char *p, *after;

	*n = 0;
	pd_buf_clear(out);
	if (strncmp(pat, "\\b", 2) != 0 || top_level_alternation(pat))
		return;
	p = pat + 2;
	if (is_lower_letter(*p)) {
		if (!alt_anchors(p, NULL, out, n)) {
			pd_buf_clear(out);
			*n = 0;
		}
		return;
	}
	if (*p != '(' || p[1] == '?' || p[1] == '*')
		return;
	{
		/* the group must not be optional */
		const char *q = p + 1;
		int d = 1;
		while (*q && d) {
			if (*q == '\\' || *q == '[') {
				q = skip_item(q);
				continue;
			}
			d += *q == '(' ? 1 : *q == ')' ? -1 : 0;
			q++;
		}
		if (d || *q == '?' || *q == '*' || *q == '{')
			return;
		after = *q == '+' ? NULL : q; /* repeated: anything goes on */
	}
	for (p = p + 1;;) {
		int d = 0;
		if (!alt_anchors(p, after, out, n)) {
			pd_buf_clear(out);
			*n = 0;
			return;
		}
		while (*p && !(d == 0 && (*p == '|' || *p == ')'))) {
			if (*p == '(')
				d++;
			else if (*p == ')')
				d--;
			p = *p == '\\' || *p == '[' ? skip_item(p) : p + 1;
		}
		if (*p != '|')
			return;
		p++;
	}
}

static uint32_t anode_new(pd_matcher *m)
{
	if (PD_GROW(m->atrie, m->capatrie, m->natrie + 1) < 0)
		return NO_ID;
	memset(&m->atrie[m->natrie], 0, sizeof(*m->atrie));
	return (uint32_t)m->natrie++;
}

/* A byte a word goes on with: after a whole-word anchor, the pattern
 * cannot match there. */
static inline bool word_byte(char c)
{
	return is_lower_letter(c) || (c >= '0' && c <= '9') || c == '_';
}

/* A byte's branch in the anchor trie and aprefix: a-z, or 26. */
static inline int anchor_ch(char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' : 26;
}

/* A byte of an anchor's first three in abits: a-z 1-26, else 27 (0: the
 * word has two bytes only). */
static inline unsigned anchor5(char c)
{
	return is_lower_letter(c) ? (unsigned char)c & 31 : 27;
}

/* Does the anchor trie node reached in a word leave a pattern pending
 * there? Only if patterns end there, and when the word goes on past it
 * (`on`), only if some of them are not whole words. */
static inline bool anchor_fires_at(const pd_matcher *m, uint32_t node, bool on)
{
	return m->atrie[node].first && (!on || m->atrie[node].prefix);
}

/* Can an anchor begin the normalised word s[0, len)? (Anchors have two
 * letters or more, so the walk in the anchor trie from this word can only
 * reach one whose first three bytes, or first two, are the word's.) */
static inline bool anchor_may(const pd_matcher *m, const char *s, size_t len)
{
	unsigned k;

	if (len < 2)
		return false;
	k = anchor5(s[0]) << 10 | anchor5(s[1]) << 5 |
	    (len > 2 ? anchor5(s[2]) : 0);
	return m->abits[k >> 6] >> (k & 63) & 1;
}

/* anchor_may for a word of lower-case ASCII letters (`letters`) or of
 * digits, as scr_quiet's words are: no byte to classify. */
static inline bool anchor_may_plain(const pd_matcher *m, const char *s,
                                    size_t len, bool letters)
{
	unsigned k;

	if (len < 2)
		return false;
	if (letters)
		k = ((unsigned char)s[0] & 31u) << 10 |
		    ((unsigned char)s[1] & 31u) << 5 |
		    (len > 2 ? (unsigned char)s[2] & 31u : 0);
	else
		k = 27u << 10 | 27u << 5 | (len > 2 ? 27u : 0);
	return m->abits[k >> 6] >> (k & 63) & 1;
}

static pd_rc add_anchor(pd_matcher *m, const char *w, size_t len, uint32_t pat,
                        bool whole)
{
	uint32_t node = 0;

	if (len >= 2) {
		unsigned k = anchor5(w[0]) << 10 | anchor5(w[1]) << 5;
		if (len > 2) {
			k |= anchor5(w[2]);
			m->abits[k >> 6] |= 1ULL << (k & 63);
		} else {
			for (unsigned c = 0; c < 32; c++)
				m->abits[(k | c) >> 6] |= 1ULL
				                          << ((k | c) & 63);
		}
	}
	if (m->natrie == 0 && anode_new(m) == NO_ID)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t k = 0; k < len; k++) {
		int c = anchor_ch(w[k]);
		if (!m->atrie[node].next[c]) {
			uint32_t nn = anode_new(m);
			if (nn == NO_ID)
				return pd_error_set(PD_ENOMEM, "out of memory");
			m->atrie[node].next[c] = nn;
		}
		node = m->atrie[node].next[c];
	}
	if (PD_GROW(m->alink_pat, m->capalink, m->nalink + 2) < 0 ||
	    PD_GROW(m->alink_next, m->capalink2, m->nalink + 2) < 0 ||
	    PD_GROW(m->alink_whole, m->capalink3, m->nalink + 2) < 0)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if (m->nalink == 0)
		m->nalink = 1; /* link 0 = none */
	m->alink_pat[m->nalink] = pat;
	m->alink_whole[m->nalink] = whole;
	if (!whole)
		m->atrie[node].prefix = true;
	m->alink_next[m->nalink] = m->atrie[node].first;
	m->atrie[node].first = (uint32_t)m->nalink++;
	return PD_OK;
}

static pd_rc index_patterns(pd_matcher *m)
{
	pd_buf a = PD_BUF_INIT(1 << 20);
	pd_rc rc = PD_OK;

	m->unanchored = pd_calloc(m->npats + 1, sizeof(bool));
	if (!m->unanchored)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->npats && rc == PD_OK; i++) {
		size_t n;
		const char *w;
		pattern_anchors(m->pats[i].src->text, &a, &n);
		if (n == 0 || !a.ptr) {
			m->unanchored[i] = true;
			continue;
		}
		for (w = a.ptr; *w && rc == PD_OK;) {
			const char *e = strchr(w, ',');
			size_t len = e ? (size_t)(e - w) : strlen(w);
			bool whole = len > 0 && w[len - 1] == '=';
			rc = add_anchor(m, w, len - whole, (uint32_t)i, whole);
			w += len + (e ? 1 : 0);
		}
	}
	pd_buf_dispose(&a);
	return rc;
}

/* A blocked Bloom filter of `n` keys or more, about two keys per cell. */
static pd_rc bloom_new(uint64_t **b, size_t *cells, size_t n)
{
	*cells = 64;
	while (*cells * 2 < n)
		*cells *= 2;
	*b = pd_calloc(*cells, sizeof(uint64_t));
	return *b ? PD_OK : pd_error_set(PD_ENOMEM, "out of memory");
}

/* The words of terms: those with a word_margin (every trie edge leads to
 * a term, and every term's margin is 5 or more). And for scr_quiet: the
 * words that are a whole term (one_bloom). */
static pd_rc build_term_bloom(pd_matcher *m)
{
	size_t ones = 0;
	pd_rc rc;

	m->term_bloom = pd_calloc(VOCAB_BLOOM_BITS / 64, sizeof(uint64_t));
	if (!m->term_bloom)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->vcap; i++) {
		const vslot *v = &m->vocab[i];
		if (!v->h)
			continue;
		if (m->word_margin[v->id])
			bloom_add(m->term_bloom, VOCAB_BLOOM_BITS / 64, v->h);
		if (m->root[v->id] != NO_ID && m->node_count[m->root[v->id]])
			ones++;
	}
	if ((rc = bloom_new(&m->one_bloom, &m->one_cells, ones)) < 0)
		return rc;
	for (size_t i = 0; i < m->vcap; i++) {
		const vslot *v = &m->vocab[i];
		if (v->h && m->root[v->id] != NO_ID &&
		    m->node_count[m->root[v->id]])
			bloom_add(m->one_bloom, m->one_cells, v->h);
	}
	return PD_OK;
}

/* The neighbour filter (nbr_bloom), at 12 bits a key or more: a filter
 * that wrongly says "maybe" sends a quiet word the slow way, and at
 * 8 bits a key that was one word in twenty on the bench.
 * - The ways a term's word (one with a word_margin) of 6+ letters splits
 *   in two. A join that makes any other word needs no window (see
 *   scr_token), so words only of context or exceptions stay out.
 * - The first two words of every longer term. */
static pd_rc build_nbr_bloom(pd_matcher *m)
{
	uint64_t *wh = pd_calloc(m->nwords + 1, sizeof(uint64_t));
	uint32_t *first = pd_calloc(m->nnodes + 1, sizeof(uint32_t));
	size_t keys = 0, bits = 1u << 12;
	pd_rc rc = PD_OK;

	if (!wh || !first) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m->vcap; i++)
		if (m->vocab[i].h)
			wh[m->vocab[i].id] = m->vocab[i].h;
	/* first[node]: 1 + the word that leads there from the root */
	for (uint32_t w = 0; w < m->nwords; w++)
		if (m->root[w] != NO_ID)
			first[m->root[w]] = w + 1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->vcap; i++) {
			const vslot *v = &m->vocab[i];
			const char *w = m->wtext.ptr + v->off;
			if (!v->h || !m->word_margin[v->id] || v->len < 6 ||
			    v->len >= 64 || !ascii_letters(w, v->len))
				continue;
			for (uint32_t k = 1; k < v->len; k++) {
				if (pass == 0) {
					keys++;
					continue;
				}
				bloom_add(
				        m->nbr_bloom, m->nbr_cells,
				        nbr_key(hash_bytes(w, k),
				                hash_bytes(w + k, v->len - k)));
			}
		}
		for (size_t i = 0; i < m->ecap; i++) {
			const edge *e = &m->edges[i];
			uint32_t f = e->key ? first[edge_node(e->key)] : 0;
			if (!f)
				continue;
			if (pass == 0)
				keys++;
			else
				bloom_add(m->nbr_bloom, m->nbr_cells,
				          nbr_key(wh[f - 1],
				                  wh[(uint32_t)e->key]));
		}
		if (pass == 0) {
			while (bits < keys * 12)
				bits *= 2;
			m->nbr_cells = bits / 64;
			m->nbr_bloom =
			        pd_calloc(m->nbr_cells, sizeof(uint64_t));
			if (!m->nbr_bloom) {
				rc = pd_error_set(PD_ENOMEM, "out of memory");
				goto out;
			}
		}
	}
out:
	pd_free(wh);
	pd_free(first);
	return rc;
}

/* Per word, the margin of the terms that hold it: the terms below a trie
 * edge of that word (each node's own, and its subtree's, carried up to
 * the root; a path has at most MAX_TERM_WORDS edges). */
static pd_rc word_margins(pd_matcher *m)
{
	uint16_t *sub = pd_calloc(m->nnodes + 1, sizeof(uint16_t));

	m->word_margin = pd_calloc(m->nwords + 1, sizeof(uint16_t));
	if (!sub || !m->word_margin) {
		pd_free(sub);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	memcpy(sub, m->node_margin, m->nnodes * sizeof(uint16_t));
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < m->ecap; i++) {
			const edge *e = &m->edges[i];
			uint32_t parent = edge_node(e->key);
			if (e->key && sub[e->child] > sub[parent]) {
				sub[parent] = sub[e->child];
				changed = true;
			}
		}
	}
	for (size_t i = 0; i < m->ecap; i++) {
		const edge *e = &m->edges[i];
		uint32_t w = (uint32_t)e->key;
		if (e->key && sub[e->child] > m->word_margin[w])
			m->word_margin[w] = sub[e->child];
	}
	pd_free(sub);
	return PD_OK;
}

/* The separator class of a plain byte between words (as feed_range and
 * separator() count it), or 0 when the byte starts a stretch that is not
 * plain. */
static char scr_gap_class(unsigned char c)
{
	switch (c) {
	case ' ':
	case '\t': return ' ';
	case '\n':
	case '\r': return '\n';
	case '.':
	case '-':
	case '_':
	case '*': return (char)c;
	case '#':
	case '@':
	case '&': return 0;
	default: return c >= 0x80 ? 0 : 'x';
	}
}

/* What the fast path needs to know: whether it can be used, and how many
 * tokens around a place a window must keep (the longest term, its
 * context and its exceptions). */
static pd_rc screen_setup(pd_matcher *m)
{
	uint32_t reach = 0, *tmargin;
	pd_rc rc;

	m->root = pd_calloc(m->nwords + 1, sizeof(uint32_t));
	m->node_margin = pd_calloc(m->nnodes + 1, sizeof(uint16_t));
	tmargin = pd_calloc(m->nterms + 1, sizeof(uint32_t));
	if (!m->root || !m->node_margin || !tmargin) {
		pd_free(tmargin);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	for (size_t w = 0; w < m->nwords; w++)
		m->root[w] = edge_get(m, 0, (uint32_t)w);

	{
		const unsigned char *sbyte = pd_norm_byte_classes();
		for (unsigned c = 0; c < 256; c++) {
			char g = scr_gap_class((unsigned char)c);
			m->gapc[c] = sbyte[c] & (PD_NB_LETTER | PD_NB_DIGIT) ? 0
			             : g ? (unsigned char)g
			                 : 1;
		}
	}
	m->screen = m->nac == 0;
	for (size_t p = 0; p < m->npats; p++)
		if (m->unanchored[p] || pd_regex_lookbehind(m->pats[p].re) > 1)
			m->screen = false;
	for (size_t i = 0; i < m->nterms; i++) {
		const cterm *t = &m->terms[i];
		uint32_t r = 0;
		if (t->ntok > m->max_words)
			m->max_words = t->ntok;
		for (uint32_t a = 0; a < t->nany + t->nall; a++) {
			const cphrase *p =
			        &m->phrases[a < t->nany ? t->any_first + a
			                                : t->all_first + a -
			                                          t->nany];
			if ((uint32_t)t->within + p->len > r)
				r = (uint32_t)t->within + p->len;
		}
		for (uint32_t u = 0; u < t->nunless; u++) {
			const cphrase *p = &m->phrases[t->unless_first + u];
			uint32_t at = (uint32_t)(p->at < 0 ? -p->at : p->at);
			if (p->len + at > r)
				r = p->len + at;
		}
		if (r > reach)
			reach = r;
		tmargin[i] = t->ntok + r + 4;
	}
	m->margin = m->max_words + reach + 4;
	/* A term's own window: its words, its reach and the same slack. */
	for (uint32_t c = 0; c < m->nnodes; c++) {
		uint32_t mg = 0;
		for (uint32_t j = 0; j < m->node_count[c]; j++) {
			uint32_t t = m->node_terms[m->node_first[c] + j];
			if (tmargin[t] > mg)
				mg = tmargin[t];
		}
		m->node_margin[c] =
		        (uint16_t)(mg < UINT16_MAX ? mg : UINT16_MAX);
	}
	pd_free(tmargin);
	if ((rc = word_margins(m)) < 0 || (rc = build_term_bloom(m)) < 0)
		return rc;
	return build_nbr_bloom(m);
}

pd_rc pd_matcher_new(pd_matcher **out, pd_lexset *set)
{
	pd_matcher *m = pd_calloc(1, sizeof(*m));
	pd_norm nb = PD_NORM_INIT;
	pd_rc rc = PD_OK;

	if (!m)
		return pd_error_set(PD_ENOMEM, "out of memory");
	m->set = set;
	m->wtext = (pd_buf)PD_BUF_INIT((size_t)1 << 30);
	m->bytestr = (pd_buf)PD_BUF_INIT(MAX_AC_BYTES + 64);
	m->vcap = 1024;
	m->ecap = 1024;
	m->vocab = pd_calloc(m->vcap, sizeof(*m->vocab));
	m->vocab_bloom = pd_calloc(VOCAB_BLOOM_BITS / 64, sizeof(uint64_t));
	m->edges = pd_calloc(m->ecap, sizeof(*m->edges));
	m->nnodes = 1;
	if (!m->vocab || !m->edges || !m->vocab_bloom) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	/* Entries and categories. */
	for (size_t l = 0; l < pd_lexset_count(set); l++)
		m->nentries += pd_lexset_get(set, l)->nentries;
	m->entries = pd_calloc(m->nentries + 1, sizeof(*m->entries));
	m->entry_cat = pd_calloc(m->nentries + 1, sizeof(uint32_t));
	m->cats = pd_calloc(pd_lexset_count(set) + 1, sizeof(*m->cats));
	if (!m->entries || !m->entry_cat || !m->cats) {
		rc = pd_error_set(PD_ENOMEM, "out of memory");
		goto done;
	}
	{
		size_t e = 0;
		for (size_t l = 0; l < pd_lexset_count(set); l++) {
			const pd_lexicon *lex = pd_lexset_get(set, l);
			uint32_t c;
			for (c = 0; c < m->ncats; c++)
				if (!strcmp(m->cats[c], lex->category))
					break;
			if (c == m->ncats)
				m->cats[m->ncats++] = lex->category;
			for (size_t i = 0; i < lex->nentries; i++) {
				m->entries[e] = &lex->entries[i];
				m->entry_cat[e++] = c;
			}
		}
	}
	for (size_t e = 0; e < m->nentries && rc == PD_OK; e++) {
		const pd_lex_entry *en = m->entries[e];
		for (size_t t = 0; t < en->nterms && rc == PD_OK; t++)
			rc = add_term(m, &nb, (uint32_t)e, &en->terms[t]);
		for (size_t p = 0; p < en->npatterns && rc == PD_OK; p++) {
			size_t off;
			if ((rc = PD_GROW(m->pats, m->cappats, m->npats + 1)) <
			    0)
				break;
			rc = pd_regex_compile(
			        &m->pats[m->npats].re, en->patterns[p].text,
			        !en->patterns[p].exact_case, &off);
			if (rc < 0) {
				pd_error_prefix("%s:%d:%d", en->lexicon->path,
				                en->patterns[p].line,
				                en->patterns[p].col);
				break;
			}
			m->pats[m->npats].entry = (uint32_t)e;
			m->pats[m->npats].src = &en->patterns[p];
			m->npats++;
		}
	}
	if (rc == PD_OK)
		rc = index_patterns(m);
	if (rc == PD_OK)
		rc = flatten(m);
	if (rc == PD_OK)
		rc = build_ac(m);
	if (rc == PD_OK)
		rc = screen_setup(m);
done:
	pd_norm_dispose(&nb);
	if (rc < 0) {
		pd_matcher_free(m);
		return rc;
	}
	*out = m;
	return PD_OK;
}

void pd_matcher_free(pd_matcher *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->npats; i++)
		pd_regex_free(m->pats[i].re);
	pd_free(m->pats);
	pd_free(m->atrie);
	pd_free(m->alink_pat);
	pd_free(m->alink_next);
	pd_free(m->alink_whole);
	pd_free(m->unanchored);
	pd_free(m->entries);
	pd_free(m->entry_cat);
	pd_free(m->cats);
	pd_free(m->vocab);
	pd_free(m->vocab_bloom);
	pd_buf_dispose(&m->wtext);
	pd_free(m->edges);
	pd_free(m->node_first);
	pd_free(m->node_count);
	pd_free(m->node_terms);
	pd_free(m->root);
	pd_free(m->node_margin);
	pd_free(m->word_margin);
	pd_free(m->nbr_bloom);
	pd_free(m->term_bloom);
	pd_free(m->one_bloom);
	pd_free(m->terms);
	pd_free(m->seq);
	pd_free(m->tcase);
	pd_free(m->phrases);
	pd_free(m->pairs);
	pd_free(m->ac_next);
	pd_free(m->ac_fail);
	pd_free(m->ac_out);
	pd_free(m->ac_outs_term);
	pd_free(m->ac_outs_next);
	pd_buf_dispose(&m->bytestr);
	pd_free(m);
}

size_t pd_matcher_term_count(const pd_matcher *m)
{
	return m->nterms + m->npats;
}

size_t pd_matcher_word_count(const pd_matcher *m)
{
	return m->nwords;
}

/* ------------------------------------------------------------------------ */
/* Scanning                                                                 */

/* A token as the matcher sees it: an original token, two joined ("Lab
 * our", "Lab.our"), or a piece of one split into known words
 * (#votelabour, "R e f o r m U K"). */
typedef struct {
	uint32_t id;     /* word id or NO_ID */
	uint32_t oi, oj; /* original tokens [oi, oj) */
	uint32_t upper;  /* case of its letters */
	uint16_t nlet;
	uint16_t flags;
	uint8_t sep;
	uint8_t piece, npieces; /* pieces of one original token */
	bool at_line;           /* ... split where a line break joined it */
} vtok;

typedef struct {
	uint32_t term; /* NO_ID for a pattern hit */
	uint32_t entry;
	uint32_t cat;
	uint32_t ti, tj; /* token range [ti, tj) */
	size_t na, nb;   /* normalised byte range (pattern/byte hits) */
	bool tokens;     /* ti/tj meaningful */
	const char *what;
} rawhit;

typedef struct {
	const pd_matcher *m;
	pd_scan *s;
	rawhit *raw;
	size_t nraw, capraw;
	bool more;    /* the text goes on past this window */
	bool partial; /* a pattern needs text past the window */
	pd_rc rc;
} scanctx;

/* Exact case, checked on the original letters. For whole-word terms the
 * words must have as many letters as the term's; a prefix or substring
 * term (`loose`) compares its letters from `offset` letters into the first
 * word. ALL CAPS text counts for a capitalised term word. */
static bool case_ok(const pd_matcher *m, const cterm *t, const vtok *vt,
                    uint32_t vi, bool loose, uint32_t offset)
{
	for (uint32_t k = 0; k < t->ntok; k++) {
		uint32_t want = m->tcase[t->case_first + 2 * k];
		uint32_t wnlet = m->tcase[t->case_first + 2 * k + 1];
		const vtok *x = &vt[vi + k];
		uint32_t off = k == 0 ? offset : 0;
		uint32_t full =
		        x->nlet >= 32 ? UINT32_MAX : (1u << x->nlet) - 1;
		uint32_t wmask = wnlet >= 32 ? UINT32_MAX : (1u << wnlet) - 1;
		uint32_t got = off < 32 ? (x->upper >> off) & wmask : 0;
		bool allcaps = x->nlet > 1 && x->upper == full;
		if (loose ? x->nlet < off + wnlet : x->nlet != wnlet)
			return false;
		if (got == want || (allcaps && (want & 1)))
			continue;
		return false;
	}
	return true;
}

static bool phrase_at(const pd_matcher *m, const vtok *vt, size_t nvt,
                      const cphrase *p, long start)
{
	if (start < 0 || (size_t)start + p->len > nvt)
		return false;
	for (uint32_t k = 0; k < p->len; k++)
		if (vt[start + k].id != m->seq[p->first + k])
			return false;
	return true;
}

/* Is phrase p anywhere in [lo, hi), not overlapping the hit [vi, vj)? */
static bool phrase_near(const pd_matcher *m, const vtok *vt, size_t nvt,
                        const cphrase *p, long lo, long hi, uint32_t vi,
                        uint32_t vj)
{
	for (long q = lo; q < hi; q++) {
		if (q + (long)p->len > (long)vi && q < (long)vj)
			continue;
		if (vt[q].id == m->seq[p->first] && phrase_at(m, vt, nvt, p, q))
			return true;
	}
	return false;
}

/* Part of an @handle only counts when the term is the whole handle
 * ("@Conservatives" names the party; "@MarkGreenLab" names a person). */
static bool handle_ok(const pd_norm *n, const vtok *vt, size_t nvt, uint32_t vi,
                      uint32_t vj)
{
	uint32_t oi = vt[vi].oi, oj = vt[vj - 1].oj;
	bool any = false;

	for (uint32_t k = vi; k < vj; k++)
		any |= (vt[k].flags & PD_TOK_HANDLE) != 0;
	if (!any)
		return true;
	if (vt[vi].piece != 0 || vt[vj - 1].piece + 1 != vt[vj - 1].npieces)
		return false;
	if (oi > 0 && n->tok[oi].sep == 's' &&
	    (n->tok[oi - 1].flags & PD_TOK_HANDLE))
		return false;
	if (oj < n->ntok && n->tok[oj].sep == 's' &&
	    (n->tok[oj].flags & PD_TOK_HANDLE))
		return false;
	(void)nvt;
	return true;
}

/* Is a token of [vi, vj) spelt to dodge a filter? */
static bool disguised(const vtok *vt, uint32_t vi, uint32_t vj)
{
	for (uint32_t k = vi; k < vj; k++)
		if (vt[k].flags & PD_TOK_DISGUISED)
			return true;
	return false;
}

static bool rules_ok(const pd_matcher *m, const cterm *t, const pd_scan *s,
                     uint32_t vi, uint32_t vj, uint32_t offset)
{
	const vtok *vt = s->vt;
	size_t nvt = s->nvt;

	if (t->impossible)
		return false;
	if (t->src->exact_case &&
	    !case_ok(m, t, vt, vi, t->src->boundary != PD_BOUNDARY_WORD,
	             offset))
		return false;
	if (t->tag) {
		/* "#VoteLabour" is a hashtag, never the words "vote labour". */
		unsigned need = t->tag == '@' ? PD_TOK_HANDLE : PD_TOK_TAG;
		for (uint32_t k = vi; k < vj; k++)
			if (!(vt[k].flags & need))
				return false;
	} else if (!handle_ok(&s->norm, vt, nvt, vi, vj)) {
		return false;
	}
	for (uint32_t u = 0; u < t->nunless; u++) {
		const cphrase *p = &m->phrases[t->unless_first + u];
		if (phrase_at(m, vt, nvt, p, (long)vi - p->at))
			return false;
	}
	/* Context words tell an ordinary word from a party's name; a word
	 * spelt to get past a filter (L a b o u r, G_R_E_E_N, 𝗚𝗿𝗲𝗲𝗻) needs
	 * no such proof. */
	if ((t->nany || t->nall) && !disguised(vt, vi, vj)) {
		long lo = (long)vi - t->within, hi = (long)vj + t->within;
		bool any = t->nany == 0;
		if (lo < 0)
			lo = 0;
		if (hi > (long)nvt)
			hi = (long)nvt;
		for (uint32_t a = 0; a < t->nany && !any; a++)
			any = phrase_near(m, vt, nvt,
			                  &m->phrases[t->any_first + a], lo, hi,
			                  vi, vj);
		if (!any)
			return false;
		for (uint32_t a = 0; a < t->nall; a++)
			if (!phrase_near(m, vt, nvt,
			                 &m->phrases[t->all_first + a], lo, hi,
			                 vi, vj))
				return false;
	}
	return true;
}

static void add_raw(scanctx *c, rawhit h)
{
	if (c->rc < 0)
		return;
	if ((c->rc = PD_GROW(c->raw, c->capraw, c->nraw + 1)) < 0)
		return;
	c->raw[c->nraw++] = h;
}

static void term_hit(scanctx *c, uint32_t term, uint32_t ti, uint32_t tj)
{
	const cterm *t = &c->m->terms[term];
	rawhit h;

	if (!rules_ok(c->m, t, c->s, ti, tj, 0))
		return;
	memset(&h, 0, sizeof(h));
	h.term = term;
	h.entry = t->entry;
	h.cat = c->m->entry_cat[t->entry];
	h.ti = ti;
	h.tj = tj;
	h.tokens = true;
	h.what = t->src->text;
	add_raw(c, h);
}

/* Token index range covering normalised bytes [a, b). */
/* The virtual tokens covering normalised bytes [a, b). */
static void vtokens_of(const pd_scan *s, size_t a, size_t b, uint32_t *vi,
                       uint32_t *vj)
{
	const pd_norm *n = &s->norm;
	const vtok *vt = s->vt;
	const pd_token *x = pd_norm_token_at(n, a);
	const pd_token *y = pd_norm_token_at(n, b > a ? b - 1 : a);
	uint32_t oi = x ? (uint32_t)(x - n->tok) : 0;
	uint32_t oj = y ? (uint32_t)(y - n->tok) + 1 : oi + 1;
	size_t lo = 0, hi = s->nvt;

	while (lo < hi) { /* first vtok ending after oi */
		size_t mid = lo + (hi - lo) / 2;
		if (vt[mid].oj <= oi)
			lo = mid + 1;
		else
			hi = mid;
	}
	*vi = (uint32_t)lo;
	while (lo < s->nvt && vt[lo].oi < oj)
		lo++;
	*vj = (uint32_t)lo > *vi ? (uint32_t)lo : *vi + 1;
	if (*vj > s->nvt)
		*vj = (uint32_t)s->nvt;
}

typedef struct {
	scanctx *c;
	uint32_t pat;
} patctx;

static pd_rc pattern_hit(void *vctx, size_t a, size_t b, const char *mark)
{
	patctx *pc = vctx;
	scanctx *c = pc->c;
	const cpat *p = &c->m->pats[pc->pat];
	rawhit h;

	(void)mark;
	if (c->s->nvt == 0)
		return PD_OK;
	memset(&h, 0, sizeof(h));
	h.term = NO_ID;
	h.entry = p->entry;
	h.cat = c->m->entry_cat[p->entry];
	h.na = a;
	h.nb = b;
	h.what = p->src->text;
	vtokens_of(c->s, a, b, &h.ti, &h.tj);
	add_raw(c, h);
	return c->rc;
}

/* A stretch of normalised text where one pattern is worth running. */
typedef struct {
	uint32_t pat;
	size_t from, to;
} pwindow;

static int pwindow_cmp(const void *pa, const void *pb)
{
	const pwindow *a = pa, *b = pb;

	if (a->pat != b->pat)
		return a->pat < b->pat ? -1 : 1;
	return (a->from > b->from) - (a->from < b->from);
}

static pd_rc run_one(scanctx *c, uint32_t pat, size_t from, size_t to)
{
	const pd_matcher *m = c->m;
	patctx pc = {c, pat};
	pd_rc rc = pd_regex_each_from(m->pats[pat].re, c->s->norm.text.ptr,
	                              c->s->norm.text.len, from, to, c->more,
	                              &c->partial, pattern_hit, &pc);

	if (rc < 0)
		pd_error_prefix("pattern '%s' of entry '%s' (%s)",
		                m->pats[pat].src->text,
		                m->entries[m->pats[pat].entry]->id,
		                m->entries[m->pats[pat].entry]->lexicon->path);
	return rc;
}

/* Run the patterns: those without anchors over the whole text, the others
 * only in windows around tokens that start with one of their anchors. */
static pd_rc scan_patterns(scanctx *c)
{
	const pd_matcher *m = c->m;
	const pd_norm *n = &c->s->norm;
	pwindow *w = NULL;
	size_t nw = 0, capw = 0;
	pd_rc rc = PD_OK;

	for (size_t p = 0; p < m->npats && rc == PD_OK; p++)
		if (m->unanchored[p])
			rc = run_one(c, (uint32_t)p, 0, n->text.len);
	for (size_t i = 0; i < n->ntok && rc == PD_OK && m->natrie; i++) {
		const pd_token *t = &n->tok[i];
		const char *s = n->text.ptr + t->norm_off;
		uint32_t node = 0;
		if (!anchor_may(m, s, t->norm_len))
			continue; /* no anchor starts so */
		for (uint32_t k = 0; k < t->norm_len; k++) {
			int ch = anchor_ch(s[k]);
			node = m->atrie[node].next[ch];
			if (!node)
				break;
			bool on = k + 1 < t->norm_len && word_byte(s[k + 1]);
			for (uint32_t l = m->atrie[node].first;
			     l && rc == PD_OK; l = m->alink_next[l]) {
				/* every match starts where the anchor's word
				 * starts: that one position is tried */
				size_t from = t->norm_off, to = t->norm_off + 1;
				if (on && m->alink_whole[l])
					continue; /* the word goes on */
				if ((rc = PD_GROW(w, capw, nw + 1)) < 0)
					break;
				w[nw].pat = m->alink_pat[l];
				w[nw].from = from;
				w[nw].to = to;
				nw++;
			}
		}
	}
	if (nw > 1)
		qsort(w, nw, sizeof(*w), pwindow_cmp);
	for (size_t i = 0; i < nw && rc == PD_OK;) {
		size_t j = i + 1, to = w[i].to;
		/* merge overlapping windows of one pattern */
		while (j < nw && w[j].pat == w[i].pat && w[j].from <= to) {
			if (w[j].to > to)
				to = w[j].to;
			j++;
		}
		rc = run_one(c, w[i].pat, w[i].from, to); /* all anchored */
		i = j;
	}
	pd_free(w);
	return rc < 0 ? rc : c->rc;
}

static void scan_bytes(scanctx *c)
{
	const pd_matcher *m = c->m;
	const pd_norm *n = &c->s->norm;
	const unsigned char *p = (const unsigned char *)n->text.ptr;
	uint32_t st = 0;

	for (size_t i = 0; i < n->text.len && c->rc == PD_OK; i++) {
		st = m->ac_next[(size_t)st * 256 + p[i]];
		for (uint32_t o = m->ac_out[st]; o; o = m->ac_outs_next[o]) {
			uint32_t term = m->ac_outs_term[o];
			const cterm *t = &m->terms[term];
			size_t a = i + 1 - t->norm_len;
			rawhit h;
			if (t->src->boundary == PD_BOUNDARY_PREFIX && a > 0 &&
			    p[a - 1] != ' ')
				continue;
			memset(&h, 0, sizeof(h));
			vtokens_of(c->s, a, i + 1, &h.ti, &h.tj);
			if (h.tj - h.ti < t->ntok ||
			    !rules_ok(m, t, c->s, h.ti, h.ti + t->ntok,
			              (uint32_t)(a - n->tok[((const vtok *)c->s
			                                             ->vt)[h.ti]
			                                            .oi]
			                                     .norm_off)))
				continue;
			h.term = term;
			h.entry = t->entry;
			h.cat = m->entry_cat[t->entry];
			h.na = a;
			h.nb = i + 1;
			h.what = t->src->text;
			add_raw(c, h);
		}
	}
}

static int raw_cmp(const void *pa, const void *pb)
{
	const rawhit *a = pa, *b = pb;
	size_t la = a->tj - a->ti, lb = b->tj - b->ti;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (la != lb)
		return la > lb ? -1 : 1;
	if (a->ti != b->ti)
		return a->ti < b->ti ? -1 : 1;
	return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static int hit_cmp(const void *pa, const void *pb)
{
	const pd_hit *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return strcmp(a->entry->id, b->entry->id);
}

/* Look a word up; a '*' (T*ries, L*b*ur) stands for any one letter, and
 * a leet '1' may have been an 'l' (A11iance). */
static uint32_t lookup_word(const pd_matcher *m, const char *w, size_t len,
                            uint16_t flags, uint32_t leet1)
{
	uint32_t id = vocab_find(m, w, len);
	char alt[64];

	if (id != NO_ID || len >= sizeof(alt))
		return id;
	if (flags & PD_TOK_WILD) {
		size_t star[2], nstar = 0;
		memcpy(alt, w, len);
		for (size_t k = 0; k < len && nstar <= 2; k++)
			if (alt[k] == '*') {
				if (nstar < 2)
					star[nstar] = k;
				nstar++;
			}
		if (nstar == 0 || nstar > 2)
			return NO_ID;
		for (char c1 = 'a'; c1 <= 'z'; c1++) {
			alt[star[0]] = c1;
			if (nstar == 1) {
				if ((id = vocab_find(m, alt, len)) != NO_ID)
					return id;
				continue;
			}
			for (char c2 = 'a'; c2 <= 'z'; c2++) {
				alt[star[1]] = c2;
				if ((id = vocab_find(m, alt, len)) != NO_ID)
					return id;
			}
		}
		return NO_ID;
	}
	if ((flags & PD_TOK_LEET1) && leet1) {
		/* only the letters that were a '1' may have been an 'l' */
		memcpy(alt, w, len);
		for (size_t k = 0; k < len && k < 32; k++)
			if ((leet1 >> k) & 1)
				alt[k] = 'l';
		return vocab_find(m, alt, len);
	}
	return NO_ID;
}

static pd_rc vt_push(pd_scan *s, vtok v)
{
	pd_rc rc = PD_GROW(*(vtok **)&s->vt, s->capvt, s->nvt + 1);

	if (rc == PD_OK)
		((vtok *)s->vt)[s->nvt++] = v;
	return rc;
}

/* Split an unknown word into 2 to 4 known words of 2+ letters
 * (#votelabour -> vote labour). Returns the number of pieces (0: none),
 * their ends in ends[]. Fewest pieces win. */
static int segment(const pd_matcher *m, const char *w, size_t len,
                   size_t ends[4])
{
	/* best[i]: fewest pieces covering w[0..i), 0 = impossible */
	uint8_t best[65];
	uint8_t from[65];

	if (len > 64 || len < 4)
		return 0;
	memset(best, 0, sizeof(best));
	best[0] = 1; /* stores pieces + 1 */
	for (size_t i = 0; i < len; i++) {
		if (!best[i] || best[i] > 4)
			continue;
		for (size_t j = i + 2; j <= len; j++) {
			if (best[j] && best[j] <= best[i] + 1)
				continue;
			if (vocab_find(m, w + i, j - i) != NO_ID) {
				best[j] = (uint8_t)(best[i] + 1);
				from[j] = (uint8_t)i;
			}
		}
	}
	if (!best[len] || best[len] - 1 < 2)
		return 0;
	{
		int n = best[len] - 1;
		size_t at = len;
		for (int k = n - 1; k >= 0; k--) {
			ends[k] = at;
			at = from[at];
		}
		return n;
	}
}

/* The known word two neighbours make run together ("Lab our", "Lab.our",
 * "Con servatives"), or NO_ID. Only across one joining character (a space
 * when one of them is short), only letters, 6 or more in all: the join
 * Bloom filter holds those words, so most pairs end at one memory read. */
static inline bool join_could(size_t na, size_t nleta, size_t nb, size_t nletb,
                              uint8_t sep, uint8_t sepn)
{
	bool joiner = sepn == 1 && pd_norm_joinable_sep(sep) &&
	              (sep != ' ' || na <= 4 || nb <= 4);

	return joiner && na + nb >= 6 && na + nb < 64 && nleta == na &&
	       nletb == nb;
}

static uint32_t join_id(const pd_matcher *m, const char *a, size_t na,
                        size_t nleta, const char *b, size_t nb, size_t nletb,
                        uint8_t sep, uint8_t sepn)
{
	char j[64];
	uint64_t h;

	if (!join_could(na, nleta, nb, nletb, sep, sepn))
		return NO_ID;
	memcpy(j, a, na);
	memcpy(j + na, b, nb);
	h = hash_bytes(j, na + nb);
	if (!bloom_has(m->join_bloom, JOIN_BLOOM_BITS / 64, h) ||
	    !ascii_letters(j, na + nb))
		return NO_ID;
	return vocab_find_h(m, h, j, na + nb);
}

/* A word whose last letter was written as a digit ("Libera1"): the known
 * word w[0, len) + the letter the digit looks like, or NO_ID. */
static uint32_t trailing_digit_id(const pd_matcher *m, const char *w,
                                  size_t len, char digit)
{
	static const char digits[] = "01345789", letters[] = "oleastbg";
	const char *d = digit ? strchr(digits, digit) : NULL;
	char wl[64];
	uint32_t id;

	if (!d || len + 1 >= sizeof(wl))
		return NO_ID;
	memcpy(wl, w, len);
	wl[len] = letters[d - digits];
	id = vocab_find(m, wl, len + 1);
	if (id == NO_ID && *d == '1') {
		wl[len] = 'i';
		id = vocab_find(m, wl, len + 1);
	}
	return id;
}

/* Build the matcher's view of the tokens. */
static pd_rc build_vtoks(const pd_matcher *m, pd_scan *s)
{
	const pd_norm *n = &s->norm;
	pd_rc rc = PD_OK;

	s->nvt = 0;
	if ((rc = PD_GROW(*(vtok **)&s->vt, s->capvt, n->ntok + 1)) < 0)
		return rc;
	for (size_t i = 0; i < n->ntok && rc == PD_OK; i++) {
		const pd_token *t = &n->tok[i];
		const char *w = n->text.ptr + t->norm_off;
		vtok v;

		memset(&v, 0, sizeof(v));
		v.oi = (uint32_t)i;
		v.oj = (uint32_t)i + 1;
		v.upper = t->upper;
		v.nlet = t->nlet;
		v.flags = t->flags;
		v.sep = t->sep;
		v.npieces = 1;
		v.id = lookup_word(m, w, t->norm_len, t->flags, t->leet1);
		/* A word broken by a stray character or space ("Lab.our",
		 * "Lab our", "Con servatives") is read whole when whole it is a
		 * word we know. */
		if (i + 1 < n->ntok) {
			const pd_token *u = &n->tok[i + 1];
			uint32_t jid =
			        join_id(m, w, t->norm_len, t->nlet,
			                n->text.ptr + u->norm_off, u->norm_len,
			                u->nlet, u->sep, u->sepn);
			if (jid != NO_ID) {
				v.id = jid;
				v.oj = (uint32_t)i + 2;
				if (t->nlet < 32)
					v.upper = t->upper | u->upper
					                             << t->nlet;
				v.nlet = (uint16_t)(t->nlet + u->nlet);
				v.flags = (uint16_t)(t->flags | u->flags |
				                     PD_TOK_DISGUISED);
				rc = vt_push(s, v);
				i++;
				continue;
			}
		}
		/* A word whose last letter was written as a digit ("Libera1"):
		 * the digit was split off; read it as the letter it looks like
		 * when that makes a word we know. */
		if (v.id == NO_ID && i + 1 < n->ntok &&
		    t->nlet == t->norm_len && t->norm_len < 62 &&
		    n->tok[i + 1].sep == 's' && n->tok[i + 1].norm_len == 1 &&
		    n->tok[i + 1].nlet == 0) {
			uint32_t jid = trailing_digit_id(
			        m, w, t->norm_len,
			        n->text.ptr[n->tok[i + 1].norm_off]);
			if (jid != NO_ID) {
				v.id = jid;
				v.oj = (uint32_t)i + 2;
				v.nlet = (uint16_t)(t->nlet + 1);
				v.flags =
				        (uint16_t)(t->flags | PD_TOK_DISGUISED);
				rc = vt_push(s, v);
				i++;
				continue;
			}
		}
		/* A word joined across a hyphen at a line end ("Labour-\nrun")
		 * that is no word we know may be the two words. */
		if (v.id == NO_ID && (t->flags & PD_TOK_LINEJOIN) &&
		    t->joinpos && t->joinpos < t->norm_len) {
			vtok a = v, b = v;
			a.id = vocab_find(m, w, t->joinpos);
			b.id = vocab_find(m, w + t->joinpos,
			                  t->norm_len - t->joinpos);
			if (a.id != NO_ID || b.id != NO_ID) {
				a.nlet = t->joinpos;
				a.upper = t->upper &
				          ((t->joinpos < 32 ? (1u << t->joinpos)
				                            : 0) -
				           1);
				b.nlet = (uint16_t)(t->norm_len - t->joinpos);
				b.upper = t->joinpos < 32
				                  ? t->upper >> t->joinpos
				                  : 0;
				a.npieces = b.npieces = 2;
				a.at_line = b.at_line = true;
				b.piece = 1;
				if ((rc = vt_push(s, a)) == PD_OK)
					rc = vt_push(s, b);
				continue;
			}
		}
		/* An unknown hashtag or joined word may be known words run
		 * together (#votelabour, "R e f o r m U K"). */
		if (v.id == NO_ID &&
		    (t->flags & (PD_TOK_TAG | PD_TOK_JOINED)) &&
		    ascii_letters(w, t->norm_len)) {
			size_t ends[4], at = 0;
			int np = segment(m, w, t->norm_len, ends);
			for (int k = 0; k < np && rc == PD_OK; k++) {
				vtok p = v;
				p.id = vocab_find(m, w + at, ends[k] - at);
				p.upper = at < 32 ? t->upper >> at : 0;
				if (ends[k] - at < 32)
					p.upper &= (1u << (ends[k] - at)) - 1;
				p.nlet = (uint16_t)(ends[k] - at);
				p.piece = (uint8_t)k;
				p.npieces = (uint8_t)np;
				rc = vt_push(s, p);
				at = ends[k];
			}
			if (np)
				continue;
		}
		rc = vt_push(s, v);
	}
	return rc;
}

/* Run the whole pipeline over text[0, len), which is the window
 * [base, base + len) of the input, and append its hits to s->hits (spans
 * in the input) with their strings in s->strings (offsets in *toff, two
 * per hit, made pointers when the scan is done). With `more` (the input
 * goes on past the window), *partial is set instead when a pattern would
 * need to read past its end. */
static pd_rc scan_range(const pd_matcher *m, pd_scan *s, const char *text,
                        size_t len, size_t base, unsigned flags, bool more,
                        bool *partial, size_t **toff, size_t *captoff)
{
	scanctx c;
	const pd_norm *n = &s->norm;
	const vtok *vt;
	size_t nvt, kept = 0, first = s->nhits;
	pd_rc rc;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.s = s;
	c.more = more;
	if ((rc = pd_norm_run(&s->norm, text, len, flags & PD_NORM_HTML)) < 0)
		return rc;
	if ((rc = build_vtoks(m, s)) < 0)
		return rc;
	vt = s->vt;
	nvt = s->nvt;
	/* Whole-word terms: walk the trie from each known word. */
	for (size_t i = 0; i < nvt && c.rc == PD_OK; i++) {
		uint32_t node, k;
		if (vt[i].id == NO_ID)
			continue;
		node = m->root[vt[i].id];
		for (k = (uint32_t)i + 1; node != NO_ID; k++) {
			for (uint32_t q = 0; q < m->node_count[node]; q++)
				term_hit(&c,
				         m->node_terms[m->node_first[node] + q],
				         (uint32_t)i, k);
			if (k >= nvt || vt[k].id == NO_ID)
				break;
			node = edge_get(m, node, vt[k].id);
		}
	}
	if (m->nac && c.rc == PD_OK && nvt)
		scan_bytes(&c);
	if (m->npats && c.rc == PD_OK && nvt)
		c.rc = scan_patterns(&c);
	if (c.rc < 0 || c.partial) {
		pd_free(c.raw);
		*partial = c.partial;
		return c.rc;
	}
	/* Keep the longest of overlapping hits in each category. */
	if (c.nraw)
		qsort(c.raw, c.nraw, sizeof(*c.raw), raw_cmp);
	if ((rc = PD_GROW(s->hits, s->caphits, first + c.nraw + 1)) < 0 ||
	    (rc = PD_GROW(*toff, *captoff, 2 * (first + c.nraw) + 2)) < 0) {
		pd_free(c.raw);
		return rc;
	}
	{
		/* Longest first within a category; a hit whose tokens an
		 * accepted hit of the same category covers is dropped. */
		uint32_t cur_cat = NO_ID;
		size_t group_start = 0;
		uint8_t *covered = pd_calloc(nvt + 1, 1);
		if (!covered) {
			pd_free(c.raw);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < c.nraw && rc == PD_OK; i++) {
			const rawhit *h = &c.raw[i];
			const pd_lex_entry *e = m->entries[h->entry];
			pd_hit *out = &s->hits[first + kept];
			size_t na, nb;
			uint32_t oi, oj,
			        hi_end = h->tj > h->ti ? h->tj : h->ti + 1;
			bool clash = false;
			if (h->cat != cur_cat) {
				/* a new category: clear the previous marks */
				for (size_t k = group_start; k < i; k++)
					for (uint32_t q = c.raw[k].ti;
					     q < c.raw[k].tj && q < nvt; q++)
						covered[q] = 0;
				cur_cat = h->cat;
				group_start = i;
			}
			for (uint32_t q = h->ti;
			     q < hi_end && q < nvt && !clash; q++)
				clash = covered[q];
			if (clash)
				continue;
			for (uint32_t q = h->ti; q < hi_end && q < nvt; q++)
				covered[q] = 1;
			oi = vt[h->ti].oi;
			oj = vt[hi_end - 1].oj;
			out->start = n->tok[oi].orig_off;
			out->end = n->tok[oj - 1].orig_end;
			/* a part of a word joined across a line break */
			if (vt[h->ti].at_line && vt[h->ti].piece == 1)
				out->start = n->tok[oi].join_b;
			if (vt[hi_end - 1].at_line && vt[hi_end - 1].piece == 0)
				out->end = n->tok[oj - 1].join_a;
			na = n->tok[oi].norm_off;
			nb = n->tok[oj - 1].norm_off + n->tok[oj - 1].norm_len;
			if (!h->tokens && h->nb > h->na) {
				pd_norm_span(n, h->na, h->nb, &out->start,
				             &out->end);
				na = h->na;
				nb = h->nb;
			}
			out->entry = e;
			out->term = h->what;
			out->weight = e->weight;
			(*toff)[2 * (first + kept)] = s->strings.len;
			rc = pd_buf_put(&s->strings, text + out->start,
			                out->end - out->start);
			if (rc == PD_OK)
				rc = pd_buf_putc(&s->strings, '\0');
			(*toff)[2 * (first + kept) + 1] = s->strings.len;
			if (rc == PD_OK)
				rc = pd_buf_put(&s->strings, n->text.ptr + na,
				                nb - na);
			if (rc == PD_OK)
				rc = pd_buf_putc(&s->strings, '\0');
			out->start += base;
			out->end += base;
			kept++;
		}
		pd_free(covered);
	}
	pd_free(c.raw);
	s->nhits = first + kept;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Screening                                                                */

/*
 * The fast path. Most text holds nothing a lexicon knows, and the full
 * pipeline above (normalise everything, build the matcher's view, walk,
 * check rules) spends its time proving that. The screen reads the input
 * once: plain words (ASCII letters, or digits, between plain separators)
 * are lower-cased and hashed in place and looked up; any other stretch of
 * text (UTF-8, '#', '&', leetspeak, a hyphen at a line end...) goes
 * through the real normaliser on its own. Every token then takes the
 * checks that could make it matter: it completes a term in the trie, two
 * neighbours run together make a known word, single letters in a row, a
 * hashtag or handle, a line-break join, or a pattern's anchor whose
 * pattern matches (tried on the normalised text kept from the anchor on,
 * with partial matching: an answer that needs more text waits for it).
 * (Most tokens need none of that: scr_quiet settles them with one hash
 * and small Bloom filters - is the word a term alone, does it start a
 * longer term with the word before, does it join a neighbour into a
 * term's word, may a pattern's anchor fire - and leaves the rest of
 * scr_token's work, the word's id and the terms it starts, to the next
 * token that does need it.)
 * Around each place that may matter, a window of `margin` tokens each
 * side (enough for the longest term with its context and exceptions) is
 * cut at clean boundaries (a whitespace byte, never inside a word or a
 * line-break join), windows that touch are merged, and the full pipeline runs
 * on each window only. A window's patterns run in partial mode too, and a
 * window whose answer needs more text grows until it has it.
 *
 * The result is the full pipeline's, hit for hit (tests/unit/test_screen.c
 * compares the two on every corpus we have); PD_SCAN_FULL turns the
 * screen off. It is used when every pattern has anchors and no term is
 * byte-level (prefix or substring), and never for HTML.
 */

#if defined(__GNUC__)
#define PD_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PD_ALWAYS_INLINE inline
#endif

#define SCR_RING     4096u /* cut offsets of the last tokens kept */
#define SCR_PEEK     32u   /* normalised bytes read past an anchor first */
#define SCR_PEEK_MAX (64u * 1024)

/* The normaliser's own byte classes (norm.h), so both read text alike. */
#define SB_LETTER PD_NB_LETTER
#define SB_DIGIT  PD_NB_DIGIT
#define SB_END    PD_NB_END
#define SB_WS     PD_NB_WS

typedef struct {
	size_t a, b; /* bytes of the input */
} swin;

typedef struct {
	size_t off;    /* the anchor's word in nb */
	size_t tok;    /* its token */
	size_t need;   /* bytes of nb past off before trying */
	uint32_t node; /* its anchor trie node */
	bool on;       /* the word goes on past it: prefix anchors only */
} spend;

typedef struct {
	pd_norm scratch; /* stretches that are not plain */
	pd_buf nb;       /* normalised text from the first pending anchor */
	swin *w;
	size_t nw, capw;
	spend *pend;
	size_t npend, cappend;
	size_t cut[SCR_RING];
} sstate;

typedef struct {
	const pd_matcher *m;
	sstate *st;
	const char *text;
	size_t len;
	size_t k;                  /* tokens so far */
	const char *pw;            /* the previous token (if short) */
	char pwbuf[64];            /* ... kept here across a scratch run */
	uint32_t plen, pnlet, pid; /* ... its length, letters, id */
	uint64_t ph;               /* ... its hash */
	bool pvalid;
	bool pquiet; /* it went by scr_quiet: its id and trie node wait */
	uint32_t act_node[MAX_TERM_WORDS + 1], act_start[MAX_TERM_WORDS + 1];
	uint32_t nact;
	/* single letters in a row, as join_singles (norm.c) runs them */
	size_t srun_start, srun_len;
	uint8_t srun_sep, srun_sepn;
	bool open; /* a window is open: from wa, until token `until` */
	size_t wa, until;
	const unsigned char *cls; /* pd_norm_byte_classes() */
	pd_rc rc;
} screen;

static void scr_pending_to_events(screen *sc);

/* The run of single letters in a row once a token is read (as
 * join_singles runs them): its length (0 after a token that is not a
 * single letter), and the separator and count between its letters. The
 * normaliser joins three or more with one separator, or two with a dot
 * ("L a b o u r", "U.K"); two with a space stay two words ("p c"). */
typedef struct {
	size_t len;
	uint8_t sep, sepn;
} srun;

static inline srun scr_srun_next(const screen *sc, bool single, uint8_t sep,
                                 uint8_t sepn)
{
	srun r = {0, sc->srun_sep, sc->srun_sepn};

	if (!single)
		return r;
	if (sc->srun_len && pd_norm_joinable_sep(sep) &&
	    (sc->srun_len == 1 || (sep == r.sep && sepn == r.sepn))) {
		if (sc->srun_len == 1) {
			r.sep = sep;
			r.sepn = sepn;
		}
		r.len = sc->srun_len + 1;
	} else {
		r.len = 1; /* a new run, from this token */
	}
	return r;
}

static inline void scr_srun_set(screen *sc, srun r)
{
	if (r.len == 1)
		sc->srun_start = sc->k;
	sc->srun_len = r.len;
	sc->srun_sep = r.sep;
	sc->srun_sepn = r.sepn;
}

/* Something at tokens [lo, hi] may matter: a window must hold it and
 * `margin` tokens each side. */
static void scr_event(screen *sc, size_t lo, size_t hi, size_t margin)
{
	sstate *st = sc->st;
	size_t at = lo >= margin ? lo - margin : 0, a;

	if (lo < margin || sc->k - at >= SCR_RING)
		a = 0;
	else
		a = st->cut[at % SCR_RING];
	if (!sc->open) {
		sc->open = true;
		sc->wa = a;
		sc->until = hi + margin;
	} else {
		if (a < sc->wa)
			sc->wa = a;
		if (hi + margin > sc->until)
			sc->until = hi + margin;
	}
	while (st->nw && st->w[st->nw - 1].b >= sc->wa) {
		if (st->w[st->nw - 1].a < sc->wa)
			sc->wa = st->w[st->nw - 1].a;
		st->nw--;
	}
	if (st->npend)
		scr_pending_to_events(sc);
}

/* The open window ends at byte `cut`. */
static void scr_end_window(screen *sc, size_t cut)
{
	sstate *st = sc->st;

	if (sc->rc == PD_OK &&
	    (sc->rc = PD_GROW(st->w, st->capw, st->nw + 1)) == PD_OK) {
		st->w[st->nw].a = sc->wa;
		st->w[st->nw].b = cut;
		st->nw++;
	}
	sc->open = false;
}

/* A token is about to start at byte `cut`: close the window when it has
 * all it needs. */
static void scr_close(screen *sc, size_t cut)
{
	if (sc->open && sc->k > sc->until)
		scr_end_window(sc, cut);
}

static void scr_pending_to_events(screen *sc)
{
	sstate *st = sc->st;
	size_t lo = SIZE_MAX;

	for (size_t i = 0; i < st->npend; i++)
		if (st->pend[i].tok < lo)
			lo = st->pend[i].tok;
	st->npend = 0;
	if (lo != SIZE_MAX)
		scr_event(sc, lo, sc->k, sc->m->margin);
}

/* Try the patterns of pending anchors that have read far enough (all of
 * them at the end of the input). */
static void scr_try(screen *sc, bool end)
{
	sstate *st = sc->st;
	const pd_matcher *m = sc->m;
	size_t w = 0, event_lo = SIZE_MAX;

	for (size_t i = 0; i < st->npend && sc->rc == PD_OK; i++) {
		spend *p = &st->pend[i];
		bool wait = false, hit = false;
		if (!end && st->nb.len - p->off < p->need) {
			st->pend[w++] = *p;
			continue;
		}
		for (uint32_t l = m->atrie[p->node].first;
		     l && !hit && sc->rc == PD_OK; l = m->alink_next[l]) {
			const cpat *cp = &m->pats[m->alink_pat[l]];
			int r = 0;
			if (p->on && m->alink_whole[l])
				continue;
			sc->rc = pd_regex_at(cp->re, st->nb.ptr, st->nb.len,
			                     p->off, !end, &r);
			if (sc->rc < 0)
				pd_error_prefix(
				        "pattern '%s' of entry '%s' (%s)",
				        cp->src->text,
				        m->entries[cp->entry]->id,
				        m->entries[cp->entry]->lexicon->path);
			hit = r == 1;
			wait |= r == 2;
		}
		if (hit || (wait && p->need >= SCR_PEEK_MAX)) {
			if (p->tok < event_lo)
				event_lo = p->tok;
		} else if (wait) {
			p->need *= 2;
			st->pend[w++] = *p;
		}
	}
	st->npend = w;
	if (event_lo != SIZE_MAX)
		scr_event(sc, event_lo, sc->k ? sc->k - 1 : 0, m->margin);
}

static void scr_nb_put(screen *sc, const char *w, size_t len, bool space)
{
	sstate *st = sc->st;

	if (sc->rc == PD_OK && space)
		sc->rc = pd_buf_putc(&st->nb, ' ');
	if (sc->rc == PD_OK)
		sc->rc = pd_buf_put(&st->nb, w, len);
}

/* Can a term ending at trie node c, one word long, match a plain word
 * whose original letters are orig[0, len)? Its case, a hashtag or handle
 * it needs, or a rule no text meets may rule every one out (as case_ok
 * and rules_ok would). */
static bool scr_plain_may(const pd_matcher *m, uint32_t c, const char *orig,
                          uint32_t len)
{
	vtok v = {.nlet = (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX)};

	for (uint32_t q = 0; q < len && q < 32; q++)
		if (orig[q] >= 'A' && orig[q] <= 'Z')
			v.upper |= 1u << q;
	for (uint32_t j = 0; j < m->node_count[c]; j++) {
		const cterm *t = &m->terms[m->node_terms[m->node_first[c] + j]];
		if (t->impossible || t->tag)
			continue;
		if (!t->src->exact_case || t->ntok != 1 ||
		    case_ok(m, t, &v, 0, false, 0))
			return true;
	}
	return false;
}

/* One token: w[0, len) normalised; orig: its original bytes when it is
 * a plain word of letters (else NULL). */
static void scr_token(screen *sc, const char *w, uint32_t len, uint32_t nlet,
                      uint16_t flags, uint32_t leet1, uint8_t sep, uint8_t sepn,
                      size_t cut, const char *orig)
{
	const pd_matcher *m = sc->m;
	sstate *st = sc->st;
	size_t k = sc->k, ev = SIZE_MAX, evm = 0;
	uint64_t h;
	uint32_t id, jid = NO_ID;
	bool active = st->npend > 0;

	if (sc->pquiet) {
		/* what scr_quiet left for later: the word's id and the
		 * terms it may start */
		uint32_t pid = NO_ID;
		sc->pquiet = false;
		if (bloom_has(m->term_bloom, VOCAB_BLOOM_BITS / 64, sc->ph))
			pid = vocab_find_h(m, sc->ph, sc->pw, sc->plen);
		sc->pid = pid;
		if (pid != NO_ID && m->root[pid] != NO_ID) {
			sc->act_node[0] = m->root[pid];
			sc->act_start[0] = (uint32_t)(k - 1);
			sc->nact = 1;
		}
	}
	st->cut[k % SCR_RING] = cut;
	h = hash_bytes(w, len);
	if (flags & (PD_TOK_WILD | PD_TOK_LEET1))
		id = lookup_word(m, w, len, flags, leet1);
	else if (bloom_has(m->term_bloom, VOCAB_BLOOM_BITS / 64, h))
		id = vocab_find_h(m, h, w, len);
	else
		id = NO_ID; /* no term's word (see term_bloom) */
	if (sc->pvalid) {
		/* The checks build_vtoks makes on two neighbours. A word they
		 * make that is no term's word needs no window: it can only be
		 * context or an exception of a term found on its own, whose
		 * window reaches it. */
		if (join_could(sc->plen, sc->pnlet, len, nlet, sep, sepn) &&
		    bloom_has(m->nbr_bloom, m->nbr_cells, nbr_key(sc->ph, h)))
			jid = join_id(m, sc->pw, sc->plen, sc->pnlet, w, len,
			              nlet, sep, sepn);
		if (jid == NO_ID && sep == 's' && len == 1 && nlet == 0 &&
		    sc->pid == NO_ID && sc->pnlet == sc->plen && sc->plen < 62)
			jid = trailing_digit_id(m, sc->pw, sc->plen, w[0]);
		if (jid != NO_ID && m->word_margin[jid]) {
			ev = k - 1;
			evm = m->word_margin[jid];
		}
	}
	/* Single letters the normaliser joins into one word. */
	scr_srun_set(sc, scr_srun_next(sc, len == 1 && nlet == 1, sep, sepn));
	if (sc->srun_len &&
	    pd_norm_singles_join(sc->srun_len, sc->srun_sep == '.')) {
		ev = ev < sc->srun_start ? ev : sc->srun_start;
		evm = m->margin; /* the word may be any term's */
	}
	/* build_vtoks splits a word joined at a line end, and an unknown
	 * hashtag or joined word made of known ones */
	if (flags & (PD_TOK_LINEJOIN | PD_TOK_JOINED)) {
		ev = ev < k ? ev : k; /* (joined: letters a stretch joined) */
		evm = m->margin;      /* the new words may be any term's */
	} else if ((flags & PD_TOK_TAG) && id == NO_ID &&
	           ascii_letters(w, len)) {
		size_t ends[4];
		if (segment(m, w, len, ends) > 0) {
			ev = ev < k ? ev : k;
			evm = m->margin;
		}
	}
	/* The trie: terms that end here, each with its own margin. */
	{
		uint32_t nn = 0;
		if (id != NO_ID) {
			for (uint32_t a = 0; a < sc->nact; a++) {
				uint32_t c = edge_get(m, sc->act_node[a], id);
				if (c == NO_ID)
					continue;
				if (m->node_count[c]) {
					if (sc->act_start[a] < ev)
						ev = sc->act_start[a];
					if (m->node_margin[c] > evm)
						evm = m->node_margin[c];
				}
				if (nn < MAX_TERM_WORDS) {
					sc->act_node[nn] = c;
					sc->act_start[nn++] = sc->act_start[a];
				}
			}
			uint32_t c = m->root[id];
			if (c != NO_ID) {
				if (m->node_count[c] &&
				    (!orig || scr_plain_may(m, c, orig, len))) {
					if (k < ev)
						ev = k;
					if (m->node_margin[c] > evm)
						evm = m->node_margin[c];
				}
				sc->act_node[nn] = c;
				sc->act_start[nn++] = (uint32_t)k;
			}
		}
		sc->nact = nn;
	}
	/* Normalised text for pending anchors, and new anchors. */
	if (active)
		scr_nb_put(sc, w, len, true);
	if (anchor_may(m, w, len)) {
		uint32_t node = 0;
		for (uint32_t q = 0; q < len && sc->rc == PD_OK; q++) {
			int ch = anchor_ch(w[q]);
			bool on;
			node = m->atrie[node].next[ch];
			if (!node)
				break;
			on = q + 1 < len && word_byte(w[q + 1]);
			if (!anchor_fires_at(m, node, on))
				continue;
			if (!active) {
				pd_buf_clear(&st->nb);
				scr_nb_put(sc, w, len, k > 0);
				active = true;
			}
			if (sc->rc == PD_OK &&
			    (sc->rc = PD_GROW(st->pend, st->cappend,
			                      st->npend + 1)) == PD_OK) {
				spend *p = &st->pend[st->npend++];
				p->off = st->nb.len - len;
				p->tok = k;
				p->need = SCR_PEEK;
				p->node = node;
				p->on = on;
			}
		}
	}
	sc->k++;
	if (ev != SIZE_MAX)
		scr_event(sc, ev, k, evm);
	if (st->npend)
		scr_try(sc, false);
	sc->pvalid = len < sizeof(sc->pwbuf);
	if (sc->pvalid) {
		sc->pw = w; /* still there when the next token comes */
		sc->plen = len;
		sc->pnlet = nlet;
		sc->pid = id;
		sc->ph = h;
	}
}

/* Would the anchor trie leave a pattern pending at the word w[0, len)
 * (as scr_token's walk would)? */
static bool anchor_fires(const pd_matcher *m, const char *w, uint32_t len)
{
	uint32_t node = 0;

	for (uint32_t q = 0; q < len; q++) {
		node = m->atrie[node].next[anchor_ch(w[q])];
		if (!node)
			return false;
		if (anchor_fires_at(m, node,
		                    q + 1 < len && word_byte(w[q + 1])))
			return true;
	}
	return false;
}

/* The common case, without scr_token: a token of letters (nlet == len)
 * or of digits (nlet == 0), with no flag but PD_TOK_DISGUISED, that
 * changes nothing but the bookkeeping. No term is under way or is that
 * word alone, no anchor is pending or fires there, it joins no neighbour
 * into a term's word (join_could, nbr_bloom), it ends no run of single
 * letters that join, and with the word before it (when that was quiet
 * too) it starts no longer term (nbr_bloom too: one read asks both).
 * What scr_token would also have done, find its id and the terms it
 * starts, waits in pquiet: the next token that is not quiet does it
 * first. Returns false, having changed nothing, when scr_token must take
 * the token. h is hash_bytes(w, len), which scr_word has worked out. */
static PD_ALWAYS_INLINE bool scr_quiet(screen *sc, const char *w, uint32_t len,
                                       uint32_t nlet, uint8_t sep, uint8_t sepn,
                                       size_t cut, uint64_t h)
{
	const pd_matcher *m = sc->m;
	bool single = len == 1 && nlet == 1;
	srun r = {0, 0, 0};

	if (sc->nact | sc->st->npend || len >= sizeof(sc->pwbuf))
		return false;
	if (single) {
		r = scr_srun_next(sc, true, sep, sepn);
		if (pd_norm_singles_join(r.len, r.sep == '.'))
			return false;
	} else if (len == 1 && sep == 's') {
		return false; /* a digit after a word: trailing_digit_id */
	}
	if (bloom_has(m->one_bloom, m->one_cells, h))
		return false;
	if (sc->pvalid &&
	    (sc->pquiet ||
	     join_could(sc->plen, sc->pnlet, len, nlet, sep, sepn)) &&
	    bloom_has(m->nbr_bloom, m->nbr_cells, nbr_key(sc->ph, h)))
		return false;
	if (anchor_may_plain(m, w, len, nlet != 0) && anchor_fires(m, w, len))
		return false;
	sc->st->cut[sc->k % SCR_RING] = cut;
	if (single)
		scr_srun_set(sc, r);
	else
		sc->srun_len = 0; /* as scr_srun_next would leave it */
	sc->k++;
	sc->pvalid = true;
	sc->pw = w;
	sc->plen = len;
	sc->pnlet = nlet;
	sc->pquiet = true;
	sc->ph = h;
	return true;
}

/* Where a stretch that is not plain, starting at i, ends: at whitespace,
 * but never between a hyphen and the line its word goes on to. */
static size_t scr_stretch_end(const unsigned char *sbyte,
                              const unsigned char *in, size_t len, size_t i)
{
	size_t j = i;

	for (;;) {
		while (j < len && !(sbyte[in[j]] & SB_WS))
			j++;
		if (j >= len || j == i)
			return j;
		if (in[j - 1] == '-' ||
		    (j - i >= 3 && in[j - 3] == 0xE2 && in[j - 2] == 0x80 &&
		     (in[j - 1] == 0x90 || in[j - 1] == 0x91))) {
			while (j < len && (sbyte[in[j]] & SB_WS))
				j++;
			continue;
		}
		return j;
	}
}

/* Can a plain word of `kind` end at byte j (the normaliser's fast path
 * ends it there, or its general path gives the same single token)? */
static bool scr_word_end(const screen *sc, size_t j, unsigned kind)
{
	const unsigned char *sbyte = sc->cls;
	unsigned char e;

	if (j >= sc->len)
		return true;
	e = (unsigned char)sc->text[j];
	if (sbyte[e] & SB_END)
		return true;
	if (sbyte[e] & (SB_LETTER | SB_DIGIT) || e >= 0x80)
		return false;
	switch (e) {
	case '-':
		return kind == SB_DIGIT ||
		       !pd_norm_hyphen_break(sc->text, sc->len, j + 1);
	case '*': return kind == SB_DIGIT;
	case '@': return pd_norm_email_at(sc->text, sc->len, j);
	case '$':
	case '&': return false;
	default: return true; /* _ < # and control characters */
	}
}

/* Eight bytes of text at a time, first byte lowest: 0x80 in each byte
 * that is an ASCII letter or digit, and in *digits each digit. */
#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL
static inline uint64_t swar_alnum(uint64_t x, uint64_t *digits)
{
	uint64_t v = x & ~SWAR_HIGH, l = v | (SWAR_ONES * 0x20);
	uint64_t let = (l + SWAR_ONES * (0x80 - 'a')) &
	               ~(l + SWAR_ONES * (0x7F - 'z'));
	uint64_t dig = (v + SWAR_ONES * (0x80 - '0')) &
	               ~(v + SWAR_ONES * (0x7F - '9'));

	*digits = dig & ~x & SWAR_HIGH;
	return (let | dig) & ~x & SWAR_HIGH;
}

/* Eight bytes of text, first byte lowest: 0x80 at each place t whose
 * byte is the same at t + 1 and t + 2 (the top two places compare with
 * zeros: callers mask them off). */
static inline uint64_t swar_triples(uint64_t x)
{
	const uint64_t seven = SWAR_ONES * 0x7F;
	uint64_t d = (x ^ (x >> 8)) | (x ^ (x >> 16));

	/* 0x80 in each byte of d that is zero, exactly */
	return ~(((d & seven) + seven) | d | seven);
}

/* Does low[0, n) (n <= 65, the buffer readable to SCR_WORD_BUF) hold a
 * byte three times in a row? Six places at a time. */
static inline bool scr_triple(const char *low, size_t n)
{
	for (size_t t = 0; t + 3 <= n; t += 6) {
		uint64_t z =
		        swar_triples(load8((const unsigned char *)low + t));
		size_t last = n - t - 3; /* places t .. t + last */
		if (last < 5)
			z &= (1ULL << (8 * (last + 1))) - 1;
		else
			z &= (1ULL << 48) - 1;
		if (z)
			return true;
	}
	return false;
}

/* A plain word as scr_word reads it. */
typedef struct {
	size_t end;     /* where it ends, or past i + 64: too long */
	unsigned kinds; /* SB_LETTER and/or SB_DIGIT */
	bool triple;    /* a byte three times in a row (scr_triple) */
	uint64_t h;     /* hash_bytes of its lower-cased bytes */
} sword;

/* The word of ASCII letters and digits at in[i] (in[i] is one). Its bytes
 * go to low (lower-cased: digits stay as they are; up to 8 bytes past the
 * end are written, so low holds SCR_WORD_BUF). Read 8 bytes at a time,
 * hashed as it is read (hash_bytes, step by step), and a word of 8 bytes
 * or less checked for a triple in the same registers. */
#define SCR_WORD_BUF 80
static PD_ALWAYS_INLINE sword scr_word(const unsigned char *cls,
                                       const unsigned char *in, size_t len,
                                       size_t i, char *low)
{
	size_t j = i;
	uint64_t h = HASH_SEED, dig_any = 0, let_any = 0;
	sword r = {0, 0, false, 0};

	while (len - j >= 8 && j - i <= 64) {
		uint64_t x = load8(in + j), dig, al = swar_alnum(x, &dig);
		uint64_t lx = x | (SWAR_ONES * 0x20), stop = ~al & SWAR_HIGH;
		size_t n = stop ? (size_t)__builtin_ctzll(stop) >> 3 : 8;
		uint64_t keep = n == 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
		uint64_t sx = LE64(lx);
		memcpy(low + (j - i), &sx, 8);
		dig_any |= dig & keep;
		let_any |= al & ~dig & keep;
		h = hash_step(h, lx & keep);
		j += n;
		if (n < 8) {
			r.end = j;
			r.kinds = (dig_any ? SB_DIGIT : 0u) |
			          (let_any ? SB_LETTER : 0u);
			r.h = hash_final(h, j - i);
			if (j - i < 8) /* places t with t + 2 < n: keep >> 16 */
				r.triple =
				        (swar_triples(lx) & (keep >> 16)) != 0;
			else
				r.triple = scr_triple(low, j - i);
			return r;
		}
	}
	while (j < len && j - i <= 64) {
		unsigned k = cls[in[j]] & (SB_LETTER | SB_DIGIT);
		if (!k)
			break;
		low[j - i] = (char)(in[j] | 0x20);
		r.kinds |= k;
		j++;
	}
	r.end = j;
	r.kinds |= (dig_any ? SB_DIGIT : 0u) | (let_any ? SB_LETTER : 0u);
	if (j - i <= 64) {
		r.h = hash_bytes(low, j - i);
		r.triple = scr_triple(low, j - i);
	}
	return r;
}

/* Screen text[0, len): the windows where the full pipeline must run. */
static pd_rc screen_text(const pd_matcher *m, sstate *st, const char *text,
                         size_t len)
{
	const unsigned char *in = (const unsigned char *)text;
	screen sc;
	size_t i = 0, gs = 0;
	char gap = 0;
	int gapn = 0;
	char lows[2][SCR_WORD_BUF], *low = lows[0];
	unsigned lb = 0;
	const unsigned char *sbyte = pd_norm_byte_classes();

	memset(&sc, 0, sizeof(sc));
	memset(lows, 0, sizeof(lows)); /* scr_triple reads past a word */
	sc.m = m;
	sc.st = st;
	sc.text = text;
	sc.len = len;
	sc.cls = sbyte;
	st->nw = 0;
	st->npend = 0;
	while (i < len && sc.rc == PD_OK) {
		unsigned char c = in[i];
		unsigned kind = sbyte[c] & (SB_LETTER | SB_DIGIT);
		if (kind) {
			unsigned kinds, last;
			bool ok;
			size_t j;
			sword wd;
			low = lows[lb ^= 1]; /* the previous token's stays */
			/* the separator before it, as the normaliser counts */
			uint8_t sep = sc.k == 0 && gapn == 0 ? 0 : (uint8_t)gap;
			uint8_t sepn = (uint8_t)(gapn > 255 ? 255 : gapn);
			wd = scr_word(sbyte, in, len, i, low);
			j = wd.end;
			kinds = wd.kinds;
			last = sbyte[in[j - 1]] & (SB_LETTER | SB_DIGIT);
			ok = j - i <= 64 && scr_word_end(&sc, j, last);
			if (ok && kinds == (SB_LETTER | SB_DIGIT)) {
				/* letters and digits: the normaliser's pieces
				 */
				pd_norm_piece pc[PD_NORM_ALNUM_MAX];
				size_t np =
				        pd_norm_alnum(text + i, j - i, low, pc);
				if (np)
					scr_close(&sc, i);
				for (size_t q = 0; q < np; q++) {
					const pd_norm_piece *p = &pc[q];
					if (!(p->flags & ~PD_TOK_DISGUISED) &&
					    (p->nlet == 0 ||
					     p->nlet == p->len) &&
					    scr_quiet(&sc, low + p->off, p->len,
					              p->nlet, q ? 's' : sep,
					              q ? 0 : sepn, i,
					              hash_bytes(low + p->off,
					                         p->len)))
						continue;
					scr_token(
					        &sc, low + p->off, p->len,
					        p->nlet, p->flags, p->leet1,
					        q ? 's' : sep, q ? 0 : sepn, i,
					        p->nlet == p->len &&
					                        !(p->flags &
					                          PD_TOK_DISGUISED)
					                ? text + i + p->off
					                : NULL);
				}
				ok = np > 0;
			} else {
				if (ok && kinds == SB_LETTER)
					ok = !wd.triple;
				if (ok) {
					uint32_t n = (uint32_t)(j - i);
					uint32_t nl = kind == SB_LETTER ? n : 0;
					scr_close(&sc, i);
					if (!scr_quiet(&sc, low, n, nl, sep,
					               sepn, i, wd.h))
						scr_token(&sc, low, n, nl, 0, 0,
						          sep, sepn, i,
						          nl ? text + i : NULL);
				}
			}
			if (ok) {
				gap = 0;
				gapn = 0;
				i = gs = j;
				if (len - j > 1 && in[j] == ' ' &&
				    (sbyte[in[j + 1]] &
				     (SB_LETTER | SB_DIGIT))) {
					/* the usual: one space, then a word */
					gap = ' ';
					gapn = 1;
					i++;
				} else if (j < len &&
				           (in[j] == '@' || in[j] == '#')) {
					/* an e-mail's '@' or the '#' of "C#":
					 * after a word, a separator */
					gap = 'x';
					gapn = 1;
					i++;
				}
				continue;
			}
		} else {
			unsigned char g = m->gapc[c];
			if (g > 1) {
				/* bytes between words */
				do {
					pd_norm_gap_add(&gap, &gapn, (char)g);
					if (++i == len)
						break;
					g = m->gapc[in[i]];
				} while (g > 1);
				if (i == len || g == 0)
					continue;
			}
		}
		/* A stretch the normaliser itself must read, from the end of
		 * the last token (so its first token's separator is right). */
		{
			size_t se = scr_stretch_end(sbyte, in, len, i);
			const pd_norm *n = &st->scratch;
			scr_close(&sc, i);
			if (sc.pvalid) {
				memcpy(sc.pwbuf, sc.pw, sc.plen);
				sc.pw = sc.pwbuf;
			}
			if ((sc.rc = pd_norm_run(&st->scratch, text + gs,
			                         se - gs, 0)) < 0)
				break;
			for (size_t t = 0; t < n->ntok && sc.rc == PD_OK; t++) {
				const pd_token *tk = &n->tok[t];
				const char *w = n->text.ptr + tk->norm_off;
				scr_token(&sc, w, tk->norm_len, tk->nlet,
				          tk->flags, tk->leet1, tk->sep,
				          tk->sepn, i, NULL);
			}
			gap = 0;
			gapn = 0;
			i = gs = se;
		}
	}
	if (sc.rc == PD_OK && st->npend)
		scr_try(&sc, true);
	if (sc.rc == PD_OK && sc.open)
		scr_end_window(&sc, len);
	return sc.rc;
}

/* A clean place to end a window at or after byte `at`: whitespace that
 * does not follow a hyphen (scr_stretch_end), or the end. */
static size_t clean_cut(const char *text, size_t len, size_t at)
{
	const unsigned char *in = (const unsigned char *)text;
	const unsigned char *sbyte = pd_norm_byte_classes();

	if (at >= len)
		return len;
	while (at < len && (sbyte[in[at]] & SB_WS))
		at++;
	return scr_stretch_end(sbyte, in, len, at);
}

static pd_rc scan_windows(const pd_matcher *m, pd_scan *s, const char *text,
                          size_t len, unsigned flags, size_t **toff,
                          size_t *captoff)
{
	sstate *st = s->screen;
	pd_rc rc;

	if (!st) {
		st = pd_calloc(1, sizeof(*st));
		if (!st)
			return pd_error_set(PD_ENOMEM, "out of memory");
		st->scratch = (pd_norm)PD_NORM_INIT;
		st->nb = (pd_buf)PD_BUF_INIT(4u * PD_NORM_MAX_INPUT);
		s->screen = st;
	}
	if ((rc = screen_text(m, st, text, len)) < 0)
		return rc;
	for (size_t i = 0; i < st->nw && rc == PD_OK;) {
		size_t a = st->w[i].a, b = st->w[i].b, j = i + 1;
		size_t nhits = s->nhits, nstr = s->strings.len;
		bool partial = false;
		rc = scan_range(m, s, text + a, b - a, a, flags, b < len,
		                &partial, toff, captoff);
		while (rc == PD_OK && partial) {
			/* a pattern needs more: grow the window, taking in the
			 * windows it reaches */
			s->nhits = nhits;
			s->strings.len = nstr;
			b = clean_cut(text, len, b + (b - a) + SCR_PEEK);
			while (j < st->nw && st->w[j].a <= b) {
				if (st->w[j].b > b)
					b = st->w[j].b;
				j++;
			}
			partial = false;
			rc = scan_range(m, s, text + a, b - a, a, flags,
			                b < len, &partial, toff, captoff);
		}
		i = j;
	}
	return rc;
}

pd_rc pd_matcher_scan(const pd_matcher *m, pd_scan *s, const char *text,
                      size_t len, unsigned flags)
{
	size_t *toff = NULL, captoff = 0;
	bool partial = false;
	pd_rc rc;

	s->nhits = 0;
	s->nscores = 0;
	pd_buf_clear(&s->strings);
	if (len > PD_NORM_MAX_INPUT)
		return pd_error_set(PD_ETOOBIG, "text larger than %u bytes",
		                    (unsigned)PD_NORM_MAX_INPUT);
	if (m->screen && !(flags & (PD_NORM_HTML | PD_SCAN_FULL)))
		rc = scan_windows(m, s, text, len, flags, &toff, &captoff);
	else
		rc = scan_range(m, s, text, len, 0, flags, false, &partial,
		                &toff, &captoff);
	if (rc == PD_OK)
		rc = PD_GROW(s->scores, s->capscores, m->ncats + 1);
	if (rc < 0) {
		s->nhits = 0;
		pd_free(toff);
		return rc;
	}
	for (size_t i = 0; i < s->nhits; i++) {
		s->hits[i].text = s->strings.ptr + toff[2 * i];
		s->hits[i].norm = s->strings.ptr + toff[2 * i + 1];
	}
	pd_free(toff);
	if (s->nhits)
		qsort(s->hits, s->nhits, sizeof(*s->hits), hit_cmp);
	/* Scores per category, sorted by category name. */
	for (size_t i = 0; i < s->nhits; i++) {
		const char *cat = s->hits[i].entry->lexicon->category;
		size_t k;
		for (k = 0; k < s->nscores; k++)
			if (!strcmp(s->scores[k].category, cat))
				break;
		if (k == s->nscores) {
			s->scores[k].category = cat;
			s->scores[k].score = 0;
			s->scores[k].hits = 0;
			s->nscores++;
		}
		s->scores[k].score += s->hits[i].weight;
		s->scores[k].hits++;
	}
	for (size_t i = 1; i < s->nscores; i++)
		for (size_t k = i; k > 0 && strcmp(s->scores[k - 1].category,
		                                   s->scores[k].category) > 0;
		     k--) {
			pd_score tmp = s->scores[k];
			s->scores[k] = s->scores[k - 1];
			s->scores[k - 1] = tmp;
		}
	return PD_OK;
}

double pd_scan_score(const pd_scan *s, const char *category)
{
	for (size_t i = 0; i < s->nscores; i++)
		if (!strcmp(s->scores[i].category, category))
			return s->scores[i].score;
	return 0;
}

void pd_scan_dispose(pd_scan *s)
{
	sstate *st = s->screen;

	if (st) {
		pd_norm_dispose(&st->scratch);
		pd_buf_dispose(&st->nb);
		pd_free(st->w);
		pd_free(st->pend);
		pd_free(st);
	}
	pd_norm_dispose(&s->norm);
	pd_buf_dispose(&s->strings);
	pd_free(s->vt);
	pd_free(s->hits);
	pd_free(s->scores);
	memset(s, 0, sizeof(*s));
}
