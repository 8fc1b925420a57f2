/*
 * Allocation for the core. All core allocations go through these wrappers so
 * that tests can make the Nth allocation fail (pd_alloc_fail_after) and check
 * that every error path cleans up and reports PD_ENOMEM.
 */
#ifndef PURDAH_ALLOC_H
#define PURDAH_ALLOC_H

#include <stddef.h>

#include "purdah/error.h"

/* As malloc/calloc/realloc/strdup; NULL on failure. Free with pd_free(). */
void *pd_malloc(size_t n);
void *pd_calloc(size_t count, size_t size);
void *pd_realloc(void *p, size_t n);
char *pd_strdup(const char *s);
char *pd_strndup(const char *s, size_t n);
void pd_free(void *p);

/*
 * Make room for `need` elements of `elem` bytes in the array *p of *cap
 * (growing by doubling, from 16); PD_ENOMEM on failure, the array then
 * unchanged. PD_GROW(arr, cap, need) for a typed array (the common case,
 * room enough, decided in line: hot loops use it).
 */
pd_rc pd_grow(void **p, size_t *cap, size_t need, size_t elem);
#define PD_GROW(arr, cap, need)                                                \
	((size_t)(need) <= (cap)                                               \
	         ? PD_OK                                                       \
	         : pd_grow((void **)&(arr), &(cap), (need), sizeof(*(arr))))

/*
 * Test hook: the next `n` allocations in this thread succeed, then every one
 * fails until pd_alloc_fail_after(-1) switches failure injection off.
 */
void pd_alloc_fail_after(long n);

#endif
