/*
 * Shared by the benchmarks (see benchutil.h).
 */
#include "benchutil.h"

#include <stdio.h>
#include <time.h>

double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

unsigned bench_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 16);
}

/* A pronounceable name part from syllables: "Maren", "Tolliver". */
static void part(char *out, size_t n, int syllables)
{
	static const char *const on[] = {
	        "b", "c", "d", "f", "g", "h",  "j",  "k",  "l",  "m",  "n", "p",
	        "r", "s", "t", "v", "w", "br", "ch", "sh", "th", "st", "gr"};
	static const char *const nu[] = {"a",  "e",  "i",  "o", "u",
	                                 "ai", "ea", "ou", "ie"};
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < syllables; i++) {
		len += (size_t)snprintf(out + len, n - len, "%s%s",
		                        on[bench_rand() % 23],
		                        nu[bench_rand() % 9]);
		if (len >= n)
			break;
	}
	if (len + 1 < n) {
		static const char *const coda[] = {"n",  "r",  "l", "s",
		                                   "th", "ck", "m", "x"};
		snprintf(out + len, n - len, "%s", coda[bench_rand() % 8]);
	}
	out[0] = (char)(out[0] - 'a' + 'A');
}

void bench_name(char *first, size_t nfirst, char *last, size_t nlast)
{
	part(first, nfirst, 2);
	part(last, nlast, 2 + (int)(bench_rand() % 2));
}
