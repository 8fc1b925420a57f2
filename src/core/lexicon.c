/*
 * Reading lexicon YAML into pd_lexset (see include/purdah/lexicon.h):
 * every key known, every value of the right shape, every error with
 * file:line:column. Strings live in the set's pool.
 */
#include "purdah/lexicon.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dep/pcre.h"
#include "dep/sodium.h"
#include "dep/yaml.h"
#include "purdah/alloc.h"
#include "purdah/buf.h"
#include "purdah/file.h"

#define PD_MAX_LEXICON_BYTES  (32u * 1024 * 1024)
#define PD_MAX_CONTEXT_WITHIN 20

struct pd_lexset {
	void **pool;
	size_t npool, cappool;
	pd_lexicon **lex;
	size_t nlex;
	pd_lex_warning *warn;
	size_t nwarn;
	pd_sha256_ctx sha;
	char sha_hex[65];
	bool sha_done;
};

static void *keep(pd_lexset *s, void *p)
{
	if (!p)
		return NULL;
	if (s->npool == s->cappool) {
		size_t nc = s->cappool ? s->cappool * 2 : 1024;
		void **np = pd_realloc(s->pool, nc * sizeof(*np));
		if (!np) {
			pd_free(p);
			return NULL;
		}
		s->pool = np;
		s->cappool = nc;
	}
	s->pool[s->npool++] = p;
	return p;
}

pd_rc pd_lexset_new(pd_lexset **out)
{
	pd_lexset *s = pd_calloc(1, sizeof(*s));

	if (!s)
		return pd_error_set(PD_ENOMEM, "out of memory");
	pd_sha256_init(&s->sha);
	*out = s;
	return PD_OK;
}

void pd_lexset_free(pd_lexset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npool; i++)
		pd_free(s->pool[i]);
	pd_free(s->pool);
	pd_free(s->lex);
	pd_free(s->warn);
	pd_free(s);
}

size_t pd_lexset_count(const pd_lexset *s)
{
	return s->nlex;
}

const pd_lexicon *pd_lexset_get(const pd_lexset *s, size_t i)
{
	return i < s->nlex ? s->lex[i] : NULL;
}

size_t pd_lexset_warning_count(const pd_lexset *s)
{
	return s->nwarn;
}

const pd_lex_warning *pd_lexset_warning(const pd_lexset *s, size_t i)
{
	return i < s->nwarn ? &s->warn[i] : NULL;
}

pd_rc pd_lexset_warn(pd_lexset *s, const char *file, int line, int col,
                     const char *fmt, ...)
{
	pd_buf b = PD_BUF_INIT(4096);
	pd_lex_warning *nw;
	va_list ap;
	pd_rc rc;

	va_start(ap, fmt);
	rc = pd_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	nw = pd_realloc(s->warn, (s->nwarn + 1) * sizeof(*nw));
	if (!nw) {
		pd_buf_dispose(&b);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	s->warn = nw;
	nw[s->nwarn].file = file;
	nw[s->nwarn].line = line;
	nw[s->nwarn].col = col;
	nw[s->nwarn].message = keep(s, pd_buf_detach(&b));
	if (!nw[s->nwarn].message)
		return pd_error_set(PD_ENOMEM, "out of memory");
	s->nwarn++;
	return PD_OK;
}

const char *pd_lexset_sha256(const pd_lexset *cs)
{
	pd_lexset *s = (pd_lexset *)cs;

	if (!s->sha_done) {
		pd_sha256_ctx copy = s->sha;
		pd_sha256_final_hex(&copy, s->sha_hex);
		s->sha_done = true;
	}
	return s->sha_hex;
}

const char *pd_lex_entry_meta(const pd_lex_entry *e, const char *key)
{
	for (size_t i = 0; i < e->nmeta; i++)
		if (strcmp(e->meta[i].key, key) == 0)
			return e->meta[i].value;
	return NULL;
}

/* ------------------------------------------------------------------------ */

typedef struct {
	pd_lexset *set;
	const char *file; /* pooled */
	/* defaults */
	double weight;
	bool exact_case;
	pd_boundary boundary;
} reader;

static pd_rc bad(const reader *r, const pd_ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

static pd_rc bad(const reader *r, const pd_ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pd_error_set(PD_ECONFIG, "%s:%d:%d: %s", r->file,
	                    n ? n->line : 1, n ? n->col : 1, msg);
}

static const char *str(const reader *r, const pd_ynode *n, const char *what,
                       pd_rc *rc)
{
	char *s;

	if (!n || n->kind != PD_Y_SCALAR || pd_ynode_is_null(n)) {
		*rc = bad(r, n, "'%s' must be a string", what);
		return NULL;
	}
	if (strlen(n->value) != n->len) {
		*rc = bad(r, n, "'%s' contains a NUL byte", what);
		return NULL;
	}
	s = keep(r->set, pd_strdup(n->value));
	if (!s)
		*rc = pd_error_set(PD_ENOMEM, "out of memory");
	return s;
}

/* A non-empty string made only of [a-z0-9-]. */
static const char *ident(const reader *r, const pd_ynode *n, const char *what,
                         pd_rc *rc)
{
	const char *s = str(r, n, what, rc);

	if (!s)
		return NULL;
	if (!*s) {
		*rc = bad(r, n, "'%s' is empty", what);
		return NULL;
	}
	if (!pd_lex_ident_ok(s)) {
		*rc = bad(r, n,
		          "'%s' must use only a-z, 0-9 and '-' (got '%s')",
		          what, s);
		return NULL;
	}
	return s;
}

bool pd_lex_ident_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return false;
	return true;
}

static pd_rc number(const reader *r, const pd_ynode *n, const char *what,
                    double *out)
{
	char *end;
	double v;

	if (!n || n->kind != PD_Y_SCALAR || n->len == 0)
		return bad(r, n, "'%s' must be a number", what);
	v = strtod(n->value, &end);
	if (*end || !isfinite(v) || fabs(v) > 1000)
		return bad(r, n,
		           "'%s' must be a number from -1000 to 1000 "
		           "(got '%s')",
		           what, n->value);
	*out = v;
	return PD_OK;
}

static pd_rc case_opt(const reader *r, const pd_ynode *n, bool *exact)
{
	if (n && n->kind == PD_Y_SCALAR && strcmp(n->value, "exact") == 0)
		*exact = true;
	else if (n && n->kind == PD_Y_SCALAR &&
	         strcmp(n->value, "insensitive") == 0)
		*exact = false;
	else
		return bad(r, n, "'case' must be exact or insensitive");
	return PD_OK;
}

static pd_rc boundary_opt(const reader *r, const pd_ynode *n, pd_boundary *b)
{
	if (n && n->kind == PD_Y_SCALAR && strcmp(n->value, "word") == 0)
		*b = PD_BOUNDARY_WORD;
	else if (n && n->kind == PD_Y_SCALAR && strcmp(n->value, "prefix") == 0)
		*b = PD_BOUNDARY_PREFIX;
	else if (n && n->kind == PD_Y_SCALAR && strcmp(n->value, "any") == 0)
		*b = PD_BOUNDARY_ANY;
	else
		return bad(r, n, "'boundary' must be word, prefix or any");
	return PD_OK;
}

/* A list of strings (a lone string is a list of one). */
static pd_rc strlist(const reader *r, const pd_ynode *n, const char *what,
                     const char *const **out, size_t *count)
{
	const char **l;
	pd_rc rc = PD_OK;
	size_t k = n && n->kind == PD_Y_SEQ ? n->nitems : 1;

	if (!n || n->kind == PD_Y_MAP)
		return bad(r, n, "'%s' must be a list of strings", what);
	l = keep(r->set, pd_calloc(k, sizeof(*l)));
	if (!l)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < k && rc == PD_OK; i++) {
		l[i] = str(r, n->kind == PD_Y_SEQ ? n->items[i] : n, what, &rc);
		if (rc == PD_OK && !*l[i])
			rc = bad(r, n->kind == PD_Y_SEQ ? n->items[i] : n,
			         "'%s' has an empty string", what);
	}
	*out = l;
	*count = k;
	return rc;
}

static pd_rc read_context(const reader *r, const pd_ynode *n, pd_lex_context *c)
{
	pd_rc rc = PD_OK;
	double w;

	if (!n || n->kind != PD_Y_MAP)
		return bad(r, n,
		           "'context' must be a mapping (within, any, all)");
	memset(c, 0, sizeof(*c));
	c->within = 5;
	for (size_t i = 0; i + 1 < n->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = n->items[i], *v = n->items[i + 1];
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (!strcmp(k->value, "within")) {
			if ((rc = number(r, v, "within", &w)) == PD_OK &&
			    (w < 1 || w > PD_MAX_CONTEXT_WITHIN || w != (int)w))
				rc = bad(r, v,
				         "'within' must be a whole number "
				         "from 1 to %d",
				         PD_MAX_CONTEXT_WITHIN);
			if (rc == PD_OK)
				c->within = (int)w;
		} else if (!strcmp(k->value, "any")) {
			rc = strlist(r, v, "context.any", &c->any, &c->nany);
		} else if (!strcmp(k->value, "all")) {
			rc = strlist(r, v, "context.all", &c->all, &c->nall);
		} else {
			rc = bad(r, k,
			         "unknown key 'context.%s' (known: within, "
			         "any, all)",
			         k->value);
		}
	}
	if (rc == PD_OK && c->nany == 0 && c->nall == 0)
		rc = bad(r, n, "'context' needs 'any' or 'all'");
	return rc;
}

typedef struct {
	pd_lex_term *v;
	size_t n, cap;
} termvec;

static pd_rc term_add(termvec *t, pd_lex_term term)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 8;
		pd_lex_term *nv = pd_realloc(t->v, nc * sizeof(*nv));
		if (!nv)
			return pd_error_set(PD_ENOMEM, "out of memory");
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n++] = term;
	return PD_OK;
}

/* Entry-level options that terms inherit. */
typedef struct {
	bool exact_case;
	pd_boundary boundary;
	const char *const *unless;
	size_t nunless;
	pd_lex_context context;
} termopts;

static pd_rc read_terms(const reader *r, const pd_ynode *n, bool alias,
                        const termopts *o, termvec *out)
{
	pd_rc rc = PD_OK;
	size_t k;

	if (!n || n->kind == PD_Y_MAP)
		return bad(r, n, "'%s' must be a list",
		           alias ? "aliases" : "terms");
	k = n->kind == PD_Y_SEQ ? n->nitems : 1;
	for (size_t i = 0; i < k && rc == PD_OK; i++) {
		const pd_ynode *it = n->kind == PD_Y_SEQ ? n->items[i] : n;
		pd_lex_term t;

		memset(&t, 0, sizeof(t));
		t.exact_case = o->exact_case;
		t.boundary = o->boundary;
		t.unless = o->unless;
		t.nunless = o->nunless;
		t.context = o->context;
		t.alias = alias;
		t.line = it->line;
		t.col = it->col;
		if (it->kind == PD_Y_SCALAR) {
			t.text = str(r, it, "term", &rc);
		} else if (it->kind == PD_Y_MAP) {
			for (size_t j = 0; j + 1 < it->nitems && rc == PD_OK;
			     j += 2) {
				const pd_ynode *key = it->items[j],
				               *v = it->items[j + 1];
				if (key->kind != PD_Y_SCALAR)
					rc = bad(r, key,
					         "keys must be strings");
				else if (!strcmp(key->value, "term"))
					t.text = str(r, v, "term", &rc);
				else if (!strcmp(key->value, "case"))
					rc = case_opt(r, v, &t.exact_case);
				else if (!strcmp(key->value, "boundary"))
					rc = boundary_opt(r, v, &t.boundary);
				else if (!strcmp(key->value, "unless"))
					rc = strlist(r, v, "unless", &t.unless,
					             &t.nunless);
				else if (!strcmp(key->value, "context"))
					rc = read_context(r, v, &t.context);
				else
					rc = bad(
					        r, key,
					        "unknown key '%s' in a term "
					        "(known: "
					        "term, case, boundary, unless, "
					        "context)",
					        key->value);
			}
			if (rc == PD_OK && !t.text)
				rc = bad(r, it, "a term needs 'term'");
		} else {
			rc = bad(r, it, "a term must be a string or a mapping");
		}
		if (rc == PD_OK && (!t.text || !*t.text))
			rc = bad(r, it, "empty term");
		if (rc == PD_OK)
			rc = term_add(out, t);
	}
	return rc;
}

static pd_rc read_patterns(const reader *r, const pd_ynode *n, bool exact,
                           pd_lex_pattern **out, size_t *count)
{
	pd_lex_pattern *p;
	size_t k;
	pd_rc rc = PD_OK;

	if (!n || n->kind == PD_Y_MAP)
		return bad(r, n, "'patterns' must be a list");
	k = n->kind == PD_Y_SEQ ? n->nitems : 1;
	p = keep(r->set, pd_calloc(k, sizeof(*p)));
	if (!p)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < k && rc == PD_OK; i++) {
		const pd_ynode *it = n->kind == PD_Y_SEQ ? n->items[i] : n;
		p[i].exact_case = exact;
		p[i].line = it->line;
		p[i].col = it->col;
		if (it->kind == PD_Y_MAP) {
			for (size_t j = 0; j + 1 < it->nitems && rc == PD_OK;
			     j += 2) {
				const pd_ynode *key = it->items[j],
				               *v = it->items[j + 1];
				if (key->kind == PD_Y_SCALAR &&
				    !strcmp(key->value, "pattern"))
					p[i].text = str(r, v, "pattern", &rc);
				else if (key->kind == PD_Y_SCALAR &&
				         !strcmp(key->value, "case"))
					rc = case_opt(r, v, &p[i].exact_case);
				else
					rc = bad(r, key,
					         "unknown key in a pattern "
					         "(known: pattern, case)");
			}
			if (rc == PD_OK && !p[i].text)
				rc = bad(r, it, "a pattern needs 'pattern'");
		} else {
			p[i].text = str(r, it, "pattern", &rc);
		}
		if (rc == PD_OK) {
			/* Compile now, so a bad regex is a load error with
			 * its position. */
			size_t off = 0;
			bool empty = false;
			pd_rc crc = pd_regex_check(p[i].text, !p[i].exact_case,
			                           &off, &empty);
			if (crc == PD_ENOMEM)
				rc = crc;
			else if (crc < 0)
				rc = bad(r, it, "bad regular expression: %s",
				         pd_error_message());
			else if (empty)
				rc = pd_lexset_warn(
				        r->set, r->file, it->line, it->col,
				        "pattern '%s' can match the "
				        "empty string",
				        p[i].text);
		}
	}
	*out = p;
	*count = k;
	return rc;
}

static pd_rc read_meta(const reader *r, const pd_ynode *n, pd_lex_meta **out,
                       size_t *count)
{
	pd_lex_meta *m;
	pd_rc rc = PD_OK;

	if (!n || n->kind != PD_Y_MAP)
		return bad(r, n, "'meta' must be a mapping of strings");
	m = keep(r->set, pd_calloc(n->nitems / 2 + 1, sizeof(*m)));
	if (!m)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i + 1 < n->nitems && rc == PD_OK; i += 2) {
		m[i / 2].key = str(r, n->items[i], "meta key", &rc);
		if (rc == PD_OK)
			m[i / 2].value =
			        str(r, n->items[i + 1], "meta value", &rc);
	}
	*out = m;
	*count = n->nitems / 2;
	return rc;
}

static pd_rc read_entry(const reader *r, const pd_ynode *n, pd_lex_entry *e)
{
	const pd_ynode *k, *v;
	termopts o;
	termvec terms = {NULL, 0, 0};
	const pd_ynode *tn = NULL, *an = NULL, *pn = NULL;
	pd_lex_pattern *pats = NULL;
	pd_lex_meta *meta = NULL;
	pd_rc rc = PD_OK;

	if (n->kind != PD_Y_MAP)
		return bad(r, n, "an entry must be a mapping");
	memset(e, 0, sizeof(*e));
	memset(&o, 0, sizeof(o));
	e->weight = r->weight;
	e->line = n->line;
	e->col = n->col;
	o.exact_case = r->exact_case;
	o.boundary = r->boundary;
	/* Options first, whatever their order, so terms inherit them. */
	for (size_t i = 0; i + 1 < n->nitems && rc == PD_OK; i += 2) {
		k = n->items[i];
		v = n->items[i + 1];
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (!strcmp(k->value, "id"))
			e->id = ident(r, v, "id", &rc);
		else if (!strcmp(k->value, "weight"))
			rc = number(r, v, "weight", &e->weight);
		else if (!strcmp(k->value, "case"))
			rc = case_opt(r, v, &o.exact_case);
		else if (!strcmp(k->value, "boundary"))
			rc = boundary_opt(r, v, &o.boundary);
		else if (!strcmp(k->value, "unless"))
			rc = strlist(r, v, "unless", &o.unless, &o.nunless);
		else if (!strcmp(k->value, "context"))
			rc = read_context(r, v, &o.context);
		else if (!strcmp(k->value, "terms"))
			tn = v;
		else if (!strcmp(k->value, "aliases"))
			an = v;
		else if (!strcmp(k->value, "patterns"))
			pn = v;
		else if (!strcmp(k->value, "meta"))
			rc = read_meta(r, v, &meta, &e->nmeta);
		else
			rc = bad(r, k,
			         "unknown key '%s' in an entry (known: id, "
			         "weight, "
			         "terms, aliases, patterns, case, boundary, "
			         "unless, context, meta)",
			         k->value);
	}
	if (rc == PD_OK && !e->id)
		rc = bad(r, n, "an entry needs an 'id'");
	if (rc == PD_OK && tn)
		rc = read_terms(r, tn, false, &o, &terms);
	if (rc == PD_OK && an)
		rc = read_terms(r, an, true, &o, &terms);
	if (rc == PD_OK && pn)
		rc = read_patterns(r, pn, o.exact_case, &pats, &e->npatterns);
	if (rc == PD_OK && terms.n == 0 && e->npatterns == 0)
		rc = bad(r, n, "entry '%s' has no terms, aliases or patterns",
		         e->id);
	if (rc < 0) {
		pd_free(terms.v);
		return rc;
	}
	if (terms.v && !keep(r->set, terms.v))
		return pd_error_set(PD_ENOMEM, "out of memory"); /* freed */
	e->terms = terms.v;
	e->nterms = terms.n;
	e->patterns = pats;
	e->meta = meta;
	return PD_OK;
}

static int entry_id_cmp(const void *a, const void *b)
{
	const pd_lex_entry *x = *(const pd_lex_entry *const *)a;
	const pd_lex_entry *y = *(const pd_lex_entry *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Entry ids are unique within a lexicon: sorted, neighbours compared. */
static pd_rc check_ids(const reader *r, const pd_lexicon *lex)
{
	const pd_lex_entry **v;
	pd_rc rc = PD_OK;

	if (lex->nentries < 2)
		return PD_OK;
	v = pd_malloc(lex->nentries * sizeof(*v));
	if (!v)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < lex->nentries; i++)
		v[i] = &lex->entries[i];
	qsort(v, lex->nentries, sizeof(*v), entry_id_cmp);
	for (size_t i = 1; i < lex->nentries && rc == PD_OK; i++)
		if (!strcmp(v[i - 1]->id, v[i]->id))
			rc = pd_error_set(
			        PD_ECONFIG,
			        "%s:%d:%d: duplicate entry id '%s' (first at "
			        "line %d)",
			        r->file, v[i]->line, v[i]->col, v[i]->id,
			        v[i - 1]->line);
	pd_free(v);
	return rc;
}

static pd_rc read_lexicon(reader *r, const pd_ynode *root, pd_lexicon *lex)
{
	const pd_ynode *entries = NULL, *defaults = NULL;
	pd_lex_entry *ev;
	pd_rc rc = PD_OK;

	if (!root || root->kind != PD_Y_MAP)
		return bad(r, root,
		           "a lexicon must be a mapping (name, category, "
		           "language, version, entries)");
	for (size_t i = 0; i + 1 < root->nitems && rc == PD_OK; i += 2) {
		const pd_ynode *k = root->items[i], *v = root->items[i + 1];
		if (k->kind != PD_Y_SCALAR)
			return bad(r, k, "keys must be strings");
		if (!strcmp(k->value, "name")) {
			lex->name = ident(r, v, "name", &rc);
			lex->name_line = v->line;
			lex->name_col = v->col;
		} else if (!strcmp(k->value, "category"))
			lex->category = ident(r, v, "category", &rc);
		else if (!strcmp(k->value, "language")) {
			lex->language = ident(r, v, "language", &rc);
			if (lex->language && (strlen(lex->language) < 2 ||
			                      strlen(lex->language) > 3))
				rc = bad(r, v,
				         "language '%s' is not a language "
				         "code (en, cy ...)",
				         lex->language);
		} else if (!strcmp(k->value, "version"))
			lex->version = str(r, v, "version", &rc);
		else if (!strcmp(k->value, "description"))
			lex->description = str(r, v, "description", &rc);
		else if (!strcmp(k->value, "defaults"))
			defaults = v;
		else if (!strcmp(k->value, "entries"))
			entries = v;
		else
			rc = bad(r, k,
			         "unknown key '%s' (known: name, category, "
			         "language, version, description, defaults, "
			         "entries)",
			         k->value);
	}
	if (rc < 0)
		return rc;
	if (!lex->name || !lex->category || !lex->language || !lex->version)
		return bad(r, root,
		           "a lexicon needs name, category, language "
		           "and version");
	if (defaults) {
		if (defaults->kind != PD_Y_MAP)
			return bad(r, defaults, "'defaults' must be a mapping");
		for (size_t i = 0; i + 1 < defaults->nitems && rc == PD_OK;
		     i += 2) {
			const pd_ynode *k = defaults->items[i],
			               *v = defaults->items[i + 1];
			if (k->kind == PD_Y_SCALAR &&
			    !strcmp(k->value, "weight"))
				rc = number(r, v, "weight", &r->weight);
			else if (k->kind == PD_Y_SCALAR &&
			         !strcmp(k->value, "case"))
				rc = case_opt(r, v, &r->exact_case);
			else if (k->kind == PD_Y_SCALAR &&
			         !strcmp(k->value, "boundary"))
				rc = boundary_opt(r, v, &r->boundary);
			else
				rc = bad(r, k,
				         "unknown key in 'defaults' (known: "
				         "weight, case, boundary)");
		}
		if (rc < 0)
			return rc;
	}
	if (!entries || entries->kind != PD_Y_SEQ)
		return bad(r, entries ? entries : root,
		           "'entries' must be a list");
	ev = keep(r->set, pd_calloc(entries->nitems ? entries->nitems : 1,
	                            sizeof(*ev)));
	if (!ev)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < entries->nitems && rc == PD_OK; i++) {
		rc = read_entry(r, entries->items[i], &ev[i]);
		ev[i].lexicon = lex;
	}
	lex->entries = ev;
	lex->nentries = entries->nitems;
	if (rc == PD_OK)
		rc = check_ids(r, lex);
	return rc;
}

pd_rc pd_lexset_load_buffer(pd_lexset *s, const char *name, const char *text,
                            size_t len)
{
	pd_ydoc *doc = NULL;
	pd_lexicon *lex;
	pd_lexicon **nl;
	reader r;
	pd_rc rc;

	memset(&r, 0, sizeof(r));
	r.set = s;
	r.file = keep(s, pd_strdup(name));
	r.weight = 1;
	lex = keep(s, pd_calloc(1, sizeof(*lex)));
	if (!r.file || !lex)
		return pd_error_set(PD_ENOMEM, "out of memory");
	lex->path = r.file;
	pd_sha256_update(&s->sha, text, len);
	s->sha_done = false;
	if ((rc = pd_yaml_parse(&doc, name, text, len)) < 0)
		return rc;
	rc = read_lexicon(&r, pd_ydoc_root(doc), lex);
	pd_ydoc_free(doc);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < s->nlex; i++)
		if (!strcmp(s->lex[i]->name, lex->name))
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d:%d: lexicon name '%s' is already "
			        "used by %s",
			        name, lex->name_line, lex->name_col, lex->name,
			        s->lex[i]->path);
	nl = pd_realloc(s->lex, (s->nlex + 1) * sizeof(*nl));
	if (!nl)
		return pd_error_set(PD_ENOMEM, "out of memory");
	s->lex = nl;
	s->lex[s->nlex++] = lex;
	return PD_OK;
}

static pd_rc load_file(pd_lexset *s, const char *path)
{
	pd_buf text = PD_BUF_INIT(PD_MAX_LEXICON_BYTES);
	pd_rc rc;

	if ((rc = pd_file_read(&text, path)) < 0) {
		rc = pd_error_recode(PD_ECONFIG);
		goto done;
	}
	rc = pd_lexset_load_buffer(s, path, text.ptr, text.len);
done:
	pd_buf_dispose(&text);
	return rc;
}

pd_rc pd_lexset_load_path(pd_lexset *s, const char *path)
{
	char **files = NULL, **files2 = NULL;
	size_t n = 0, n2 = 0, i = 0, j = 0;
	pd_rc rc;

	if (!pd_file_is_dir(path))
		return load_file(s, path);
	if ((rc = pd_file_list(&files, &n, path, ".yaml")) < 0 ||
	    (rc = pd_file_list(&files2, &n2, path, ".yml")) < 0) {
		pd_file_list_free(files, n);
		return pd_error_recode(PD_ECONFIG);
	}
	/* Both lists are sorted: merge them to load in one sorted order. */
	while (rc == PD_OK && (i < n || j < n2)) {
		if (j >= n2 || (i < n && strcmp(files[i], files2[j]) < 0))
			rc = load_file(s, files[i++]);
		else
			rc = load_file(s, files2[j++]);
	}
	pd_file_list_free(files, n);
	pd_file_list_free(files2, n2);
	return rc;
}
