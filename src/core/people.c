/*
 * People lexicons from CSV (see include/purdah/people.h).
 */
#include "purdah/people.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dep/csv.h"
#include "dep/utf8.h"
#include "purdah/alloc.h"

#define MAX_NAME_WORDS     12
#define PD_PEOPLE_MAX_NAME 200 /* bytes: longer is no person's name */

typedef struct {
	pd_buf *out;
	const char *file;
	pd_people_kind kind;
	int col_name, col_party, col_area, col_role, col_aliases, col_handle;
	bool header;
	size_t count;
	char **ids;
	size_t nids, capids;
	uint32_t *nextk; /* per id: the next suffix to try for its clashes */
	uint32_t *idset; /* open addressing: index into ids + 1, 0 empty */
	size_t idsetcap; /* a power of two, at least twice nids */
} importer;

/* Header names for each column (first match wins). */
static int find_col(const char *const *f, size_t n, const char *const *names)
{
	for (size_t k = 0; names[k]; k++)
		for (size_t i = 0; i < n; i++)
			if (strcasecmp(f[i], names[k]) == 0)
				return (int)i;
	return -1;
}

/* A YAML double-quoted scalar (valid in YAML 1.1 and 1.2). */
static pd_rc yq(pd_buf *b, const char *s)
{
	pd_rc rc = pd_buf_putc(b, '"');

	for (; *s && rc == PD_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			rc = pd_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			rc = pd_buf_printf(b, "\\x%02x", c);
		else
			rc = pd_buf_putc(b, (char)c);
	}
	return rc == PD_OK ? pd_buf_putc(b, '"') : rc;
}

/* `s` with accents removed (Siân -> Sian), or NULL when it has none. */
static char *unaccent(const char *s)
{
	pd_buf b = PD_BUF_INIT(4096);
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	bool changed = false;

	while (i < len) {
		int32_t cp, f[8];
		size_t n = pd_utf8_decode(p + i, len - i, &cp);
		int nf;
		char u[4];
		if (cp < 0x80 || cp < 0) {
			if (pd_buf_put(&b, s + i, n) < 0)
				goto fail;
			i += n;
			continue;
		}
		/* Letters only: keep case, drop the marks. */
		nf = pd_utf8_class(cp) == PD_UC_LETTER ? pd_utf8_fold(cp, f, 8)
		                                       : 0;
		if (nf == 1 && f[0] < 0x80 && !pd_utf8_is_upper(cp)) {
			changed |= true;
			if (pd_buf_putc(&b, (char)f[0]) < 0)
				goto fail;
		} else if (nf == 1 && f[0] < 0x80) {
			changed |= true;
			if (pd_buf_putc(&b, (char)toupper(f[0])) < 0)
				goto fail;
		} else if (pd_buf_put(&b, u, pd_utf8_encode(cp, u)) < 0) {
			goto fail;
		}
		i += n;
	}
	if (!changed) {
		pd_buf_dispose(&b);
		return NULL;
	}
	return pd_buf_detach(&b);
fail:
	pd_buf_dispose(&b);
	return NULL;
}

/* A handle is one word of printable characters (no quotes, backslashes,
 * blanks or control characters). */
static bool plain_handle(const char *h)
{
	for (; *h; h++) {
		unsigned char c = (unsigned char)*h;
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* Valid UTF-8 (the lexicon written must load). */
static bool valid_utf8(const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		int32_t cp;
		i += pd_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp < 0)
			return false;
	}
	return true;
}

/* Has the word a letter? ("-" or "123" is no name.) */
static bool has_letter(const char *w)
{
	size_t len = strlen(w), i = 0;

	while (i < len) {
		int32_t cp;
		i += pd_utf8_decode((const unsigned char *)w + i, len - i, &cp);
		if (cp >= 0 && pd_utf8_class(cp) == PD_UC_LETTER)
			return true;
	}
	return false;
}

static bool word_in(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcasecmp(w, list[i]) == 0)
			return true;
	return false;
}

typedef struct {
	char buf[1024];
	char *w[MAX_NAME_WORDS];
	size_t n;
	size_t surname; /* index of the first word of the surname */
} pname;

/* Split a name into words, drop titles and honours, find the surname
 * (with its particles: de, van, Ó, ap ...). */
static bool parse_name(pname *p, const char *name)
{
	static const char *const titles[] = {
	        "mr",   "mrs",   "ms",         "miss", "mx",   "dr",   "dr.",
	        "prof", "prof.", "professor",  "sir",  "dame", "lord", "lady",
	        "cllr", "cllr.", "councillor", "rev",  "rev.", "revd", NULL};
	static const char *const honours[] = {"obe", "mbe", "cbe", "kbe", "dbe",
	                                      "kc",  "qc",  "jp",  "mp",  "ms",
	                                      "msp", "mla", "phd", "frs", NULL};
	static const char *const particles[] = {
	        "de",  "da",  "di",  "du", "del", "della", "van", "von",
	        "der", "den", "le",  "la", "mac", "o",     "ó",   "Ó",
	        "ní",  "Ní",  "nic", "ap", "ab",  "bin",   "al",  "el",
	        "st",  "st.", "ua",  "uí", "Uí",  NULL};
	char *s;

	if (strlen(name) >= sizeof(p->buf))
		return false;
	memcpy(p->buf, name, strlen(name) + 1);
	p->n = 0;
	{
		char *save = NULL;
		for (s = strtok_r(p->buf, " \t", &save);
		     s && p->n < MAX_NAME_WORDS;
		     s = strtok_r(NULL, " \t", &save))
			p->w[p->n++] = s;
	}
	while (p->n > 1 && word_in(p->w[0], titles)) {
		memmove(p->w, p->w + 1, (p->n - 1) * sizeof(*p->w));
		p->n--;
	}
	while (p->n > 2 && word_in(p->w[p->n - 1], honours))
		p->n--;
	for (size_t i = 0; i < p->n; i++)
		if (!has_letter(p->w[i]))
			return false;
	if (p->n < 2)
		return p->n == 1;
	p->surname = p->n - 1;
	while (p->surname > 1 && word_in(p->w[p->surname - 1], particles))
		p->surname--;
	return true;
}

static pd_rc join(pd_buf *b, const pname *p, size_t from, size_t to)
{
	pd_rc rc = PD_OK;

	for (size_t i = from; i < to && rc == PD_OK; i++)
		rc = pd_buf_printf(b, "%s%s", i > from ? " " : "", p->w[i]);
	return rc;
}

typedef struct {
	char **v;
	size_t n;
} forms;

static void forms_free(forms *f)
{
	for (size_t i = 0; i < f->n; i++)
		pd_free(f->v[i]);
	pd_free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* Add a form (and its unaccented twin), skipping duplicates. */
static pd_rc add_form(forms *f, const char *s)
{
	char **nv;
	char *plain;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i], s) == 0)
			return PD_OK;
	nv = pd_realloc(f->v, (f->n + 1) * sizeof(*nv));
	if (!nv)
		return pd_error_set(PD_ENOMEM, "out of memory");
	f->v = nv;
	if (!(f->v[f->n] = pd_strdup(s)))
		return pd_error_set(PD_ENOMEM, "out of memory");
	f->n++;
	plain = unaccent(s);
	if (plain) {
		pd_rc rc = add_form(f, plain);
		pd_free(plain);
		return rc;
	}
	return PD_OK;
}

/* "prefix[ then] words from..to" as a form ("Cllr Patel", "Cllr P. Patel",
 * "Cllr Jane Patel"). */
static pd_rc add_prefixed(forms *f, const char *prefix, const char *then,
                          const pname *p, size_t from, size_t to)
{
	pd_buf b = PD_BUF_INIT(4096);
	pd_rc rc = then ? pd_buf_printf(&b, "%s %s ", prefix, then)
	                : pd_buf_printf(&b, "%s ", prefix);

	if (rc == PD_OK)
		rc = join(&b, p, from, to);
	if (rc == PD_OK)
		rc = add_form(f, b.ptr);
	pd_buf_dispose(&b);
	return rc;
}

static pd_rc make_forms(const importer *im, const pname *p, forms *exact)
{
	static const char *const cllr[] = {"Cllr", "Councillor", "Cyng.",
	                                   "Cynghorydd"};
	unsigned char f0 = (unsigned char)p->w[0][0];
	const char initial[3] = {(char)f0, '.', '\0'};
	pd_buf b = PD_BUF_INIT(4096);
	pd_rc rc = join(&b, p, 0, p->n);

	if (rc == PD_OK)
		rc = add_form(exact, b.ptr); /* full name */
	pd_buf_dispose(&b);
	if (rc == PD_OK && p->surname > 1) /* without middle names */
		rc = add_prefixed(exact, p->w[0], NULL, p, p->surname, p->n);
	if (im->kind != PD_PEOPLE_COUNCILLORS)
		return rc;
	/* Plurals name several councillors at once ("Councillors Patel and
	 * Hussain", "Cllrs Sharma, Rees and Gallagher"): the first surname
	 * follows the title. */
	if (rc == PD_OK)
		rc = add_prefixed(exact, "Councillors", NULL, p, p->surname,
		                  p->n);
	if (rc == PD_OK)
		rc = add_prefixed(exact, "Cllrs", NULL, p, p->surname, p->n);
	for (size_t k = 0; k < 4 && rc == PD_OK; k++) {
		/* an initial: "Cllr P. Patel", "Cllr M Green" */
		if (f0 < 0x80 && isalpha(f0))
			rc = add_prefixed(exact, cllr[k], initial, p,
			                  p->surname, p->n);
		if (rc == PD_OK)
			rc = add_prefixed(exact, cllr[k], NULL, p, p->surname,
			                  p->n);
		if (rc == PD_OK)
			rc = add_prefixed(exact, cllr[k], NULL, p, 0, p->n);
		if (rc == PD_OK && p->surname > 1) /* first name + surname */
			rc = add_prefixed(exact, cllr[k], p->w[0], p,
			                  p->surname, p->n);
	}
	return rc;
}

/* An entry id from a name: ASCII letters and digits, '-' between words. */
static size_t id_slot(const char *s, size_t cap)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

/* The index + 1 of `id` among the ids kept so far, or 0. */
static size_t id_find(const importer *im, const char *id)
{
	if (!im->idsetcap)
		return 0;
	for (size_t i = id_slot(id, im->idsetcap);;
	     i = (i + 1) & (im->idsetcap - 1)) {
		if (!im->idset[i])
			return 0;
		if (strcmp(im->ids[im->idset[i] - 1], id) == 0)
			return im->idset[i];
	}
}

/* Keep `id` (taken over): ids grow by doubling, the set stays half empty. */
static pd_rc id_keep(importer *im, char *id)
{
	if (im->nids == im->capids) {
		size_t ncap = im->capids ? im->capids * 2 : 64;
		char **ni = ncap < UINT32_MAX
		                    ? pd_realloc(im->ids, ncap * sizeof(*ni))
		                    : NULL;
		uint32_t *nk;
		if (ni)
			im->ids = ni;
		nk = ni ? pd_realloc(im->nextk, ncap * sizeof(*nk)) : NULL;
		if (!nk) {
			pd_free(id);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		im->nextk = nk;
		im->capids = ncap;
	}
	if ((im->nids + 1) * 2 > im->idsetcap) {
		size_t ncap = im->idsetcap ? im->idsetcap * 2 : 128;
		uint32_t *ns = pd_calloc(ncap, sizeof(*ns));
		if (!ns) {
			pd_free(id);
			return pd_error_set(PD_ENOMEM, "out of memory");
		}
		for (size_t k = 0; k < im->nids; k++) {
			size_t i = id_slot(im->ids[k], ncap);
			while (ns[i])
				i = (i + 1) & (ncap - 1);
			ns[i] = (uint32_t)k + 1;
		}
		pd_free(im->idset);
		im->idset = ns;
		im->idsetcap = ncap;
	}
	{
		size_t i = id_slot(id, im->idsetcap);
		while (im->idset[i])
			i = (i + 1) & (im->idsetcap - 1);
		im->idset[i] = (uint32_t)im->nids + 1;
	}
	im->nextk[im->nids] = 2;
	im->ids[im->nids++] = id;
	return PD_OK;
}

static pd_rc make_id(importer *im, const char *name, char **out)
{
	char *plain = unaccent(name);
	const char *s = plain ? plain : name;
	pd_buf b = PD_BUF_INIT(4096);
	bool dash = false;
	pd_rc rc = PD_OK;

	for (; *s && rc == PD_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) && c < 0x80) {
			if (dash && b.len)
				rc = pd_buf_putc(&b, '-');
			dash = false;
			if (rc == PD_OK)
				rc = pd_buf_putc(&b, (char)tolower(c));
		} else {
			dash = true;
		}
	}
	pd_free(plain);
	if (rc == PD_OK && b.len == 0)
		rc = pd_buf_puts(&b, "person");
	/* Unique within the file: jane-smith, jane-smith-2 ... */
	{
		size_t base = b.len,
		       first = rc == PD_OK ? id_find(im, b.ptr) : 0;
		uint32_t k = first ? im->nextk[first - 1] : 0;
		while (rc == PD_OK && first) {
			b.len = base;
			b.ptr[base] = '\0';
			if ((rc = pd_buf_printf(&b, "-%u", (unsigned)k++)) ==
			            PD_OK &&
			    !id_find(im, b.ptr)) {
				im->nextk[first - 1] = k;
				break;
			}
		}
	}
	if (rc == PD_OK) {
		char *id = pd_buf_detach(&b);
		if (!id)
			return pd_error_set(PD_ENOMEM, "out of memory");
		if ((rc = id_keep(im, id)) < 0)
			return rc;
		*out = id;
		return PD_OK;
	}
	pd_buf_dispose(&b);
	return rc;
}

static const char *field(const char *const *f, size_t n, int col)
{
	return col >= 0 && (size_t)col < n ? f[col] : "";
}

static pd_rc on_row(void *ctx, int line, const char *const *f, size_t n)
{
	importer *im = ctx;
	static const char *const c_name[] = {"name", "person_name", "full_name",
	                                     NULL};
	static const char *const c_party[] = {"party", "party_name", NULL};
	static const char *const c_area[] = {"area", "ward", "post_label",
	                                     "division", NULL};
	static const char *const c_role[] = {"role", NULL};
	static const char *const c_aliases[] = {"aliases", NULL};
	static const char *const c_handle[] = {"handle", "twitter_username",
	                                       "twitter", NULL};
	pname p;
	forms exact = {NULL, 0};
	const char *name, *party, *area, *role, *aliases, *handle;
	char *id = NULL;
	pd_buf *o = im->out;
	pd_rc rc;

	if (!im->header) {
		im->header = true;
		im->col_name = find_col(f, n, c_name);
		im->col_party = find_col(f, n, c_party);
		im->col_area = find_col(f, n, c_area);
		im->col_role = find_col(f, n, c_role);
		im->col_aliases = find_col(f, n, c_aliases);
		im->col_handle = find_col(f, n, c_handle);
		if (im->col_name < 0 || im->col_party < 0 || im->col_area < 0)
			return pd_error_set(
			        PD_EINVALID,
			        "%s:%d: the header needs columns for the "
			        "name (name or person_name), the party "
			        "(party or party_name) and the area "
			        "(area, ward or post_label)",
			        im->file, line);
		return PD_OK;
	}
	if (n == 1 && !*f[0])
		return PD_OK; /* blank line */
	for (size_t k = 0; k < n; k++)
		if (!valid_utf8(f[k]))
			return pd_error_set(
			        PD_EINVALID,
			        "%s:%d: field %zu is not valid UTF-8", im->file,
			        line, k + 1);
	name = field(f, n, im->col_name);
	if (strlen(name) > PD_PEOPLE_MAX_NAME)
		return pd_error_set(PD_EINVALID,
		                    "%s:%d: a name longer than %d bytes",
		                    im->file, line, PD_PEOPLE_MAX_NAME);
	party = field(f, n, im->col_party);
	area = field(f, n, im->col_area);
	role = field(f, n, im->col_role);
	aliases = field(f, n, im->col_aliases);
	handle = field(f, n, im->col_handle);
	if (!parse_name(&p, name) || p.n < 2)
		return pd_error_set(
		        PD_EINVALID,
		        "%s:%d: name '%s' needs a first name and a "
		        "surname (a single word would match too much)",
		        im->file, line, name);
	if ((rc = make_forms(im, &p, &exact)) < 0)
		goto done;
	if ((rc = make_id(im, name, &id)) < 0)
		goto done;
	rc = pd_buf_printf(o, "  - id: %s\n    terms:\n", id);
	for (size_t i = 0; i < exact.n && rc == PD_OK; i++) {
		rc = pd_buf_puts(o, "      - term: ");
		if (rc == PD_OK)
			rc = yq(o, exact.v[i]);
		if (rc == PD_OK)
			rc = pd_buf_puts(o, "\n        case: exact\n");
	}
	if (rc == PD_OK && *handle) {
		rc = pd_buf_printf(o, "      - \"@%s\"\n",
		                   handle[0] == '@' ? handle + 1 : handle);
		if (rc == PD_OK && !plain_handle(handle))
			rc = pd_error_set(PD_EINVALID,
			                  "%s:%d: handle '%s' is not "
			                  "a handle",
			                  im->file, line, handle);
	}
	/* Aliases: extra forms given in the CSV, never a single word. */
	if (rc == PD_OK && *aliases) {
		char copy[PD_CSV_MAX_FIELD + 1], *save = NULL;
		size_t len = strlen(aliases);
		memcpy(copy, aliases, len + 1);
		rc = pd_buf_puts(o, "    aliases:\n");
		for (char *a = strtok_r(copy, ";", &save); a && rc == PD_OK;
		     a = strtok_r(NULL, ";", &save)) {
			size_t al;
			while (*a == ' ' || *a == '\t')
				a++;
			al = strlen(a);
			while (al && (a[al - 1] == ' ' || a[al - 1] == '\t'))
				a[--al] = '\0';
			if (!*a)
				continue;
			if (!strchr(a, ' ') && a[0] != '@') {
				rc = pd_error_set(
				        PD_EINVALID,
				        "%s:%d: alias '%s' is a single "
				        "word: it would match anyone of that "
				        "name",
				        im->file, line, a);
				break;
			}
			rc = pd_buf_puts(o, "      - term: ");
			if (rc == PD_OK)
				rc = yq(o, a);
			if (rc == PD_OK)
				rc = pd_buf_puts(o, "\n        case: exact\n");
		}
	}
	if (rc == PD_OK)
		rc = pd_buf_puts(o, "    meta:\n      name: ");
	if (rc == PD_OK)
		rc = yq(o, name);
	if (rc == PD_OK && *party) {
		rc = pd_buf_puts(o, "\n      party: ");
		if (rc == PD_OK)
			rc = yq(o, party);
	}
	if (rc == PD_OK && *area) {
		rc = pd_buf_puts(o, "\n      ward: ");
		if (rc == PD_OK)
			rc = yq(o, area);
	}
	if (rc == PD_OK) {
		rc = pd_buf_puts(o, "\n      role: ");
		if (rc == PD_OK)
			rc = yq(o, *role ? role
			           : im->kind == PD_PEOPLE_COUNCILLORS
			                   ? "councillor"
			                   : "candidate");
	}
	if (rc == PD_OK)
		rc = pd_buf_putc(o, '\n');
	im->count++;
done:
	forms_free(&exact);
	return rc;
}

pd_rc pd_people_import(pd_buf *out, const char *csv_name, const char *csv,
                       size_t len, pd_people_kind kind, const char *name,
                       size_t *count)
{
	importer im;
	pd_rc rc;

	memset(&im, 0, sizeof(im));
	im.out = out;
	im.file = csv_name;
	im.kind = kind;
	rc = pd_buf_printf(
	        out,
	        "# Generated by `purdah lexicon import --kind %s` from %s.\n"
	        "# Name forms are case-exact: \"Mark Green\", never \"mark "
	        "green spaces\".\n"
	        "name: %s\n"
	        "category: %s\n"
	        "language: en\n"
	        "version: \"1\"\n"
	        "defaults:\n"
	        "  weight: 6\n"
	        "entries:\n",
	        kind == PD_PEOPLE_COUNCILLORS ? "councillors" : "candidates",
	        csv_name, name,
	        kind == PD_PEOPLE_COUNCILLORS ? "councillor" : "candidate");
	/* Excel's "CSV UTF-8" starts with a byte-order mark. */
	if (len >= 3 && !memcmp(csv, "\xEF\xBB\xBF", 3)) {
		csv += 3;
		len -= 3;
	}
	if (rc == PD_OK)
		rc = pd_csv_parse(csv_name, csv, len, on_row, &im);
	if (rc == PD_OK && !im.header)
		rc = pd_error_set(PD_EINVALID,
		                  "%s: empty file (a header line "
		                  "is needed)",
		                  csv_name);
	if (rc == PD_OK && im.count == 0)
		rc = pd_error_set(PD_EINVALID, "%s: no people after the header",
		                  csv_name);
	for (size_t i = 0; i < im.nids; i++)
		pd_free(im.ids[i]);
	pd_free(im.ids);
	pd_free(im.idset);
	pd_free(im.nextk);
	*count = im.count;
	return rc;
}
