/*
 * Allocation wrappers with per-thread failure injection for tests.
 */
#include "purdah/alloc.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local long fail_after = -1;

static int should_fail(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void pd_alloc_fail_after(long n)
{
	fail_after = n;
}

void *pd_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n ? n : 1);
}

void *pd_calloc(size_t count, size_t size)
{
	return should_fail() ? NULL
	                     : calloc(count ? count : 1, size ? size : 1);
}

void *pd_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n ? n : 1);
}

char *pd_strndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = pd_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *pd_strdup(const char *s)
{
	return s ? pd_strndup(s, strlen(s)) : NULL;
}

void pd_free(void *p)
{
	free(p);
}

pd_rc pd_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return PD_OK;
	nc = *cap ? *cap : 16;
	while (nc < need && nc <= ((size_t)-1) / 2)
		nc *= 2;
	if (nc < need || nc > ((size_t)-1) / elem ||
	    !(np = pd_realloc(*p, nc * elem)))
		return pd_error_set(PD_ENOMEM, "out of memory");
	*p = np;
	*cap = nc;
	return PD_OK;
}
