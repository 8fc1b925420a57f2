/*
 * The libyaml adapter: the only file that includes <yaml.h>. Builds the
 * pd_ynode tree from libyaml's event stream; translates libyaml's `problem`
 * and its 0-based marks into our "file:line:col: problem" errors.
 */
#include "dep/yaml.h"

#include <string.h>
#include <yaml.h>

#include "purdah/alloc.h"

typedef struct anchor {
	char *name;
	pd_ynode *node;
} anchor;

struct pd_ydoc {
	char *file;
	pd_ynode *root;
	pd_ynode **nodes; /* every node, for freeing */
	size_t nnodes, capnodes;
	anchor *anchors;
	size_t nanchors, capanchors;
};

static void doc_free_contents(pd_ydoc *d)
{
	for (size_t i = 0; i < d->nnodes; i++) {
		pd_free((void *)d->nodes[i]->value);
		pd_free(d->nodes[i]->items);
		pd_free(d->nodes[i]);
	}
	for (size_t i = 0; i < d->capanchors; i++)
		pd_free(d->anchors[i].name);
	pd_free(d->anchors);
	pd_free(d->nodes);
}

void pd_ydoc_free(pd_ydoc *d)
{
	if (!d)
		return;
	doc_free_contents(d);
	pd_free(d->file);
	pd_free(d);
}

const pd_ynode *pd_ydoc_root(const pd_ydoc *d)
{
	return d->root;
}

const char *pd_ydoc_file(const pd_ydoc *d)
{
	return d->file;
}

static pd_rc yaml_problem(const char *file, yaml_parser_t *p, const char *text,
                          size_t len)
{
	const yaml_mark_t *m = &p->problem_mark;
	const char *what = p->problem ? p->problem : "cannot parse";

	if (p->error == YAML_MEMORY_ERROR)
		return pd_error_set(PD_ENOMEM, "%s: out of memory", file);
	if (p->error == YAML_READER_ERROR) {
		/* libyaml gives reader errors (bad UTF-8, control
		 * characters) a byte offset, not a mark */
		size_t line = 1, col = 1, off = p->problem_offset;
		for (size_t i = 0; i < off && i < len; i++) {
			if (text[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)text[i] & 0xC0) != 0x80)
				col++;
		}
		return pd_error_set(PD_ECONFIG, "%s:%zu:%zu: %s", file, line,
		                    col, what);
	}
	if (p->context)
		return pd_error_set(PD_ECONFIG, "%s:%zu:%zu: %s %s (line %zu)",
		                    file, m->line + 1, m->column + 1, what,
		                    p->context, p->context_mark.line + 1);
	return pd_error_set(PD_ECONFIG, "%s:%zu:%zu: %s", file, m->line + 1,
	                    m->column + 1, what);
}

/* A new node in `*out`: PD_ECONFIG past the node limit, PD_ENOMEM when
 * memory runs out (so failure injection sees the real cause). */
static pd_rc new_node(pd_ydoc *d, pd_ykind kind, const yaml_mark_t *m,
                      const char *file, pd_ynode **out)
{
	pd_ynode *n;

	if (d->nnodes >= PD_YAML_MAX_NODES)
		return pd_error_set(PD_ECONFIG, "%s: more than %d YAML nodes",
		                    file, PD_YAML_MAX_NODES);
	if (d->nnodes == d->capnodes) {
		size_t nc = d->capnodes ? d->capnodes * 2 : 64;
		pd_ynode **nn = pd_realloc(d->nodes, nc * sizeof(*nn));
		if (!nn)
			return pd_error_set(PD_ENOMEM, "out of memory");
		d->nodes = nn;
		d->capnodes = nc;
	}
	n = pd_calloc(1, sizeof(*n));
	if (!n)
		return pd_error_set(PD_ENOMEM, "out of memory");
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	d->nodes[d->nnodes++] = n;
	*out = n;
	return PD_OK;
}

static pd_rc add_child(pd_ynode *parent, pd_ynode *child)
{
	if ((parent->nitems & (parent->nitems - 1)) == 0) {
		size_t nc = parent->nitems ? parent->nitems * 2 : 4;
		pd_ynode **ni = pd_realloc(parent->items, nc * sizeof(*ni));
		if (!ni)
			return pd_error_set(PD_ENOMEM, "out of memory");
		parent->items = ni;
	}
	parent->items[parent->nitems++] = child;
	return PD_OK;
}

/* Anchors live in an open-addressing hash table (name -> node), so a
 * document of many aliases costs O(1) per alias; a later anchor of the
 * same name replaces the earlier one, as YAML says. */
static size_t anchor_slot(const anchor *t, size_t cap, const char *name)
{
	size_t h = 5381;

	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!t[i].name || strcmp(t[i].name, name) == 0)
			return i;
}

static pd_rc remember_anchor(pd_ydoc *d, const yaml_char_t *name, pd_ynode *n)
{
	size_t i;

	if (!name)
		return PD_OK;
	if ((d->nanchors + 1) * 2 > d->capanchors) {
		size_t nc = d->capanchors ? d->capanchors * 2 : 16;
		anchor *na = pd_calloc(nc, sizeof(*na));
		if (!na)
			return pd_error_set(PD_ENOMEM, "out of memory");
		for (size_t k = 0; k < d->capanchors; k++)
			if (d->anchors[k].name)
				na[anchor_slot(na, nc, d->anchors[k].name)] =
				        d->anchors[k];
		pd_free(d->anchors);
		d->anchors = na;
		d->capanchors = nc;
	}
	i = anchor_slot(d->anchors, d->capanchors, (const char *)name);
	if (!d->anchors[i].name) {
		d->anchors[i].name = pd_strdup((const char *)name);
		if (!d->anchors[i].name)
			return pd_error_set(PD_ENOMEM, "out of memory");
		d->nanchors++;
	}
	d->anchors[i].node = n;
	return PD_OK;
}

static pd_ynode *find_anchor(pd_ydoc *d, const yaml_char_t *name)
{
	size_t i;

	if (!d->capanchors)
		return NULL;
	i = anchor_slot(d->anchors, d->capanchors, (const char *)name);
	return d->anchors[i].name ? d->anchors[i].node : NULL;
}

static bool scalar_eq(const pd_ynode *a, const pd_ynode *b)
{
	return a->kind == PD_Y_SCALAR && b->kind == PD_Y_SCALAR &&
	       a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

typedef struct {
	const pd_ynode *key;
	size_t index;
} keyref;

static int keyref_cmp(const void *pa, const void *pb)
{
	const keyref *a = pa, *b = pb;
	int c;

	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	c = memcmp(a->key->value, b->key->value, a->key->len);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Refuse duplicate keys in a finished mapping (YAML 1.2 3.2.1.1): sort
 * the scalar keys, compare neighbours - O(n log n) for any size. */
static pd_rc check_duplicates(const char *file, const pd_ynode *map)
{
	size_t n = map->nitems / 2, k = 0;
	keyref *v;
	pd_rc rc = PD_OK;

	if (n < 2)
		return PD_OK;
	v = pd_malloc(n * sizeof(*v));
	if (!v)
		return pd_error_set(PD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (map->items[2 * i]->kind == PD_Y_SCALAR) {
			v[k].key = map->items[2 * i];
			v[k].index = i;
			k++;
		}
	qsort(v, k, sizeof(*v), keyref_cmp);
	for (size_t i = 1; i < k && rc == PD_OK; i++)
		if (scalar_eq(v[i - 1].key, v[i].key))
			rc = pd_error_set(
			        PD_ECONFIG,
			        "%s:%d:%d: duplicate key '%s' (first at "
			        "line %d)",
			        file, v[i].key->line, v[i].key->col,
			        v[i].key->value, v[i - 1].key->line);
	pd_free(v);
	return rc;
}

/* Attach `n` to the container on top of the stack (or make it the root). */
static pd_rc attach(pd_ydoc *d, pd_ynode **stack, int depth, pd_ynode *n)
{
	pd_ynode *top;

	if (depth == 0) {
		d->root = n;
		return PD_OK;
	}
	top = stack[depth - 1];
	return add_child(top, n);
}

pd_rc pd_yaml_parse(pd_ydoc **out, const char *file, const char *text,
                    size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	pd_ydoc *d;
	pd_ynode *stack[PD_YAML_MAX_DEPTH];
	int depth = 0, docs = 0, done = 0;
	pd_rc rc = PD_OK;

	d = pd_calloc(1, sizeof(*d));
	if (!d || !(d->file = pd_strdup(file))) {
		pd_free(d);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	if (!yaml_parser_initialize(&parser)) {
		pd_ydoc_free(d);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && rc == PD_OK) {
		pd_ynode *n = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_problem(file, &parser, text, len);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT: done = 1; break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%zu:%zu: only one YAML document "
				        "is allowed",
				        file, ev.start_mark.line + 1,
				        ev.start_mark.column + 1);
			break;
		case YAML_SCALAR_EVENT:
			if ((rc = new_node(d, PD_Y_SCALAR, &ev.start_mark, file,
			                   &n)) < 0)
				break;
			n->value =
			        pd_strndup((const char *)ev.data.scalar.value,
			                   ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			n->plain =
			        ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (!n->value)
				rc = pd_error_set(PD_ENOMEM, "out of memory");
			if (rc == PD_OK)
				rc = remember_anchor(d, ev.data.scalar.anchor,
				                     n);
			if (rc == PD_OK)
				rc = attach(d, stack, depth, n);
			break;
		case YAML_ALIAS_EVENT:
			n = find_anchor(d, ev.data.alias.anchor);
			if (!n) {
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%zu:%zu: alias *%s has no anchor",
				        file, ev.start_mark.line + 1,
				        ev.start_mark.column + 1,
				        (const char *)ev.data.alias.anchor);
				break;
			}
			for (int i = 0; i < depth; i++)
				if (stack[i] == n)
					rc = pd_error_set(
					        PD_ECONFIG,
					        "%s:%zu:%zu: alias *%s refers "
					        "to "
					        "a node that contains it",
					        file, ev.start_mark.line + 1,
					        ev.start_mark.column + 1,
					        (const char *)
					                ev.data.alias.anchor);
			if (rc == PD_OK)
				rc = attach(d, stack, depth, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == PD_YAML_MAX_DEPTH) {
				rc = pd_error_set(
				        PD_ECONFIG,
				        "%s:%zu:%zu: nested deeper than %d",
				        file, ev.start_mark.line + 1,
				        ev.start_mark.column + 1,
				        PD_YAML_MAX_DEPTH);
				break;
			}
			if ((rc = new_node(d,
			                   ev.type == YAML_SEQUENCE_START_EVENT
			                           ? PD_Y_SEQ
			                           : PD_Y_MAP,
			                   &ev.start_mark, file, &n)) < 0)
				break;
			rc = remember_anchor(
			        d,
			        ev.type == YAML_SEQUENCE_START_EVENT
			                ? ev.data.sequence_start.anchor
			                : ev.data.mapping_start.anchor,
			        n);
			if (rc == PD_OK)
				rc = attach(d, stack, depth, n);
			if (rc == PD_OK)
				stack[depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				if (stack[depth]->kind == PD_Y_MAP)
					rc = check_duplicates(file,
					                      stack[depth]);
			}
			break;
		default: break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		pd_ydoc_free(d);
		return rc;
	}
	*out = d;
	return PD_OK;
}

pd_rc pd_yaml_scan(const char *file, const char *text, size_t len,
                   size_t *documents)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t docs = 0, events = 0;
	pd_rc rc = PD_OK;

	if (!yaml_parser_initialize(&parser))
		return pd_error_set(PD_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_problem(file, &parser, text, len);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT)
			docs++;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
		if (++events > PD_YAML_MAX_NODES * 2) {
			rc = pd_error_set(PD_ECONFIG,
			                  "%s: too many YAML events", file);
			break;
		}
	}
	yaml_parser_delete(&parser);
	if (documents)
		*documents = docs;
	return rc;
}

bool pd_ynode_is_null(const pd_ynode *n)
{
	if (!n)
		return true;
	if (n->kind != PD_Y_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->value, "~") == 0 ||
	       strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
	       strcmp(n->value, "NULL") == 0;
}

const pd_ynode *pd_ynode_get(const pd_ynode *map, const char *key)
{
	if (!map || map->kind != PD_Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nitems; i += 2)
		if (map->items[i]->kind == PD_Y_SCALAR &&
		    strcmp(map->items[i]->value, key) == 0)
			return map->items[i + 1];
	return NULL;
}
