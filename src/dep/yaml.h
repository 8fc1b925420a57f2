/*
 * The libyaml adapter's interface (private to libpurdah): one YAML document
 * as a tree of nodes with 1-based line and column, for the configuration
 * and the lexicons. Aliases point at their anchored node (the tree is then a
 * DAG; nothing is copied, so no alias bomb can grow it). Limits on depth,
 * node count and scalar size; duplicate mapping keys are errors.
 */
#ifndef PURDAH_DEP_YAML_H
#define PURDAH_DEP_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"

typedef enum pd_ykind { PD_Y_SCALAR, PD_Y_SEQ, PD_Y_MAP } pd_ykind;

typedef struct pd_ynode pd_ynode;
struct pd_ynode {
	pd_ykind kind;
	int line, col;     /* 1-based */
	const char *value; /* scalars: NUL-terminated */
	size_t len;
	bool plain;       /* an unquoted scalar (so `~`/`null` mean null) */
	pd_ynode **items; /* SEQ: items; MAP: key, value, key, value ... */
	size_t nitems;    /* SEQ: items; MAP: 2 * pairs */
};

typedef struct pd_ydoc pd_ydoc;

#define PD_YAML_MAX_DEPTH 64
#define PD_YAML_MAX_NODES 2000000

/*
 * Parse the first (and only) document of `text`. An empty stream gives a
 * document whose root is NULL. PD_ECONFIG "file:line:col: problem" on a
 * syntax error, a second document, or a limit. Free with pd_ydoc_free().
 */
pd_rc pd_yaml_parse(pd_ydoc **out, const char *file, const char *text,
                    size_t len);
const pd_ynode *pd_ydoc_root(const pd_ydoc *doc);
const char *pd_ydoc_file(const pd_ydoc *doc);
void pd_ydoc_free(pd_ydoc *doc);

/* Parse only, to the end of the stream, keeping nothing: for the corpus
 * tests of every document in a file. Same errors. */
pd_rc pd_yaml_scan(const char *file, const char *text, size_t len,
                   size_t *documents);

/* True for a plain `~`, `null`, `Null`, `NULL` or empty plain scalar. */
bool pd_ynode_is_null(const pd_ynode *n);

/* Mapping lookup (NULL when absent or `map` is not a mapping). */
const pd_ynode *pd_ynode_get(const pd_ynode *map, const char *key);

#endif
