/*
 * What the benchmarks share: a clock, a comparison for qsort, and the
 * generator of pronounceable person names (deterministic: the same names
 * in every run).
 */
#ifndef PURDAH_BENCHUTIL_H
#define PURDAH_BENCHUTIL_H

#include <stddef.h>

/* Monotonic time in milliseconds. */
double bench_now_ms(void);
/* qsort comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);
/* The next pseudo-random number (xorshift, fixed seed). */
unsigned bench_rand(void);
/* A first name ("Maren") and a surname ("Tolliver") into the buffers. */
void bench_name(char *first, size_t nfirst, char *last, size_t nlast);

#endif
