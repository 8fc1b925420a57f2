/*
 * Lexicons: YAML files of political wording (lexicons/README.md has the
 * format). A pd_lexset holds every lexicon loaded; pd_matcher (match.h)
 * compiles a set for scanning.
 *
 * Loading is strict: an unknown key, a value of the wrong shape, a bad id,
 * a duplicate id or a regex that does not compile is an error naming
 * file:line:column (PD_ECONFIG). Things that load but look wrong (a term
 * that can never match, a duplicate term, an exception that never applies,
 * a regex that can match the empty string) are warnings, reported by
 * `purdah lexicon check`.
 */
#ifndef PURDAH_LEXICON_H
#define PURDAH_LEXICON_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"

typedef enum pd_boundary {
	PD_BOUNDARY_WORD,   /* whole words (default) */
	PD_BOUNDARY_PREFIX, /* starts at a word start, may run on (Toryism) */
	PD_BOUNDARY_ANY     /* anywhere, even inside a word */
} pd_boundary;

typedef struct pd_lex_context {
	int within;             /* words either side; 0 = no requirement */
	const char *const *any; /* at least one of these must appear */
	size_t nany;
	const char *const *all; /* and all of these */
	size_t nall;
} pd_lex_context;

/* A literal term (from `terms` or `aliases`). */
typedef struct pd_lex_term {
	const char *text;
	bool exact_case;
	pd_boundary boundary;
	const char *const *unless; /* phrases around it that cancel a hit */
	size_t nunless;
	pd_lex_context context;
	bool alias;
	int line, col;
} pd_lex_term;

typedef struct pd_lex_pattern {
	const char *text;
	bool exact_case;
	int line, col;
} pd_lex_pattern;

typedef struct pd_lex_meta {
	const char *key, *value;
} pd_lex_meta;

typedef struct pd_lexicon pd_lexicon;

typedef struct pd_lex_entry {
	const char *id;
	double weight;
	const pd_lex_term *terms;
	size_t nterms;
	const pd_lex_pattern *patterns;
	size_t npatterns;
	const pd_lex_meta *meta;
	size_t nmeta;
	const pd_lexicon *lexicon;
	int line, col; /* where the entry is in its file */
} pd_lex_entry;

struct pd_lexicon {
	const char *path;
	const char *name;
	const char *category;
	const char *language;
	const char *version;
	const char *description;
	const pd_lex_entry *entries;
	size_t nentries;
	int name_line, name_col; /* where `name` is, for messages */
};

/* A problem found while loading that does not stop it. */
typedef struct pd_lex_warning {
	const char *file;
	int line, col;
	const char *message;
} pd_lex_warning;

typedef struct pd_lexset pd_lexset;

pd_rc pd_lexset_new(pd_lexset **out);
void pd_lexset_free(pd_lexset *set);

/* Load one file, or every *.yaml / *.yml under a directory (recursively,
 * sorted). PD_ECONFIG "file:line:col: reason"; the set is then unusable. */
pd_rc pd_lexset_load_path(pd_lexset *set, const char *path);
/* Load YAML text already in memory, named `name` in messages. */
pd_rc pd_lexset_load_buffer(pd_lexset *set, const char *name, const char *text,
                            size_t len);

size_t pd_lexset_count(const pd_lexset *set);
const pd_lexicon *pd_lexset_get(const pd_lexset *set, size_t i);

/* Record a warning (the matcher adds its own when compiling). */
pd_rc pd_lexset_warn(pd_lexset *set, const char *file, int line, int col,
                     const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 5, 6)))
#endif
        ;
size_t pd_lexset_warning_count(const pd_lexset *set);
const pd_lex_warning *pd_lexset_warning(const pd_lexset *set, size_t i);

/* SHA-256 over every loaded file's bytes in load order, as 64 hex digits
 * (for auditing which lexicons a decision used). */
const char *pd_lexset_sha256(const pd_lexset *set);

/* Value of meta `key` of an entry, or NULL. */
const char *pd_lex_entry_meta(const pd_lex_entry *e, const char *key);

/* Is `s` a valid lexicon name or entry id: non-empty, only a-z, 0-9, '-'? */
bool pd_lex_ident_ok(const char *s);

#endif
