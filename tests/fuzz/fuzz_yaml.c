/*
 * libFuzzer target for the libyaml adapter (src/dep/yaml.c): build the node
 * tree with pd_yaml_parse, walk all of it checking the invariants the
 * configuration and lexicon readers rely on, free it; then run the
 * keep-nothing pd_yaml_scan over the same bytes.
 *
 * Aliases make the tree a DAG, so a naive walk of a "billion laughs" input
 * is exponential: the walk is iterative and stops after WALK_MAX_VISITS
 * nodes, revisits included.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/yaml.h"
#include "purdah/alloc.h"
#include "purdah/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALK_MAX_VISITS 200000

/* A broken invariant is a bug in the adapter: crash so the fuzzer keeps the
 * input. */
static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_node(const pd_ynode *n)
{
	check(n != NULL);
	check(n->line >= 1 && n->col >= 1);
	switch (n->kind) {
	case PD_Y_SCALAR:
		check(n->value != NULL);
		check(n->value[n->len] == '\0');
		check(strlen(n->value) <= n->len);
		check(n->nitems == 0);
		(void)pd_ynode_is_null(n);
		break;
	case PD_Y_SEQ: check(n->nitems == 0 || n->items != NULL); break;
	case PD_Y_MAP:
		check(n->nitems % 2 == 0);
		check(n->nitems == 0 || n->items != NULL);
		(void)pd_ynode_get(n, "name");
		break;
	default: check(0);
	}
}

static void walk(const pd_ynode *root)
{
	const pd_ynode **stack;
	size_t depth = 0, visits = 0;

	if (!root)
		return;
	stack = pd_malloc(WALK_MAX_VISITS * sizeof(*stack));
	if (!stack)
		return;
	stack[depth++] = root;
	while (depth > 0 && visits < WALK_MAX_VISITS) {
		const pd_ynode *n = stack[--depth];

		visits++;
		check_node(n);
		if (n->kind == PD_Y_SCALAR)
			continue;
		for (size_t i = n->nitems; i-- > 0;) {
			if (depth == WALK_MAX_VISITS)
				break;
			stack[depth++] = n->items[i];
		}
	}
	pd_free(stack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	pd_ydoc *doc = NULL;
	size_t docs = 0;

	if (pd_yaml_parse(&doc, "fuzz.yaml", text, size) == PD_OK) {
		check(doc != NULL);
		walk(pd_ydoc_root(doc));
		(void)pd_ydoc_file(doc);
	}
	pd_ydoc_free(doc);
	(void)pd_yaml_scan("fuzz.yaml", text, size, &docs);
	pd_error_clear();
	return 0;
}
