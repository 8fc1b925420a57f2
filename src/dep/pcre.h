/*
 * The PCRE2 adapter's interface (private to libpurdah). Patterns from
 * lexicons are compiled once (JIT when available) and matched on
 * normalised text with match and depth limits. Every PCRE2 result other
 * than a match or "no match" is an error (PD_EDEP), never read as clean.
 */
#ifndef PURDAH_DEP_PCRE_H
#define PURDAH_DEP_PCRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/error.h"

typedef struct pd_regex pd_regex;

/* Compile `pattern` (UTF-8). On a syntax error: PD_ECONFIG with the
 * reason and the offset in the pattern in *erroffset. */
pd_rc pd_regex_compile(pd_regex **out, const char *pattern, bool caseless,
                       size_t *erroffset);

/* Only check that `pattern` compiles (as pd_regex_compile, without the
 * JIT step), and whether it can match the empty string. */
pd_rc pd_regex_check(const char *pattern, bool caseless, size_t *erroffset,
                     bool *matches_empty);

/* Called for each match [start, end) in the subject, with the name of the
 * last (*MARK) passed (NULL when none); a negative return stops the search
 * and is returned. */
typedef pd_rc (*pd_regex_fn)(void *ctx, size_t start, size_t end,
                             const char *mark);

/*
 * Every non-overlapping match of `re` in `len` bytes of `text`, which must
 * be valid UTF-8 (it is not checked again: normalised text is valid by
 * construction). PD_EDEP
 * "PCRE2 error N: reason" on any error, including the match or depth limit
 * being reached. Thread-safe: match data is per call.
 */
pd_rc pd_regex_each(const pd_regex *re, const char *text, size_t len,
                    pd_regex_fn fn, void *ctx);

/* The same, for matches that start in [from, until): the whole text is
 * still the subject, so \b, $, lookbehinds and lookaheads see it all.
 * With `more` (the text goes on past `len`), a search that would need to
 * read past the end stops there and sets *partial (PCRE2_PARTIAL_HARD):
 * the caller must retry with more text. */
pd_rc pd_regex_each_from(const pd_regex *re, const char *text, size_t len,
                         size_t from, size_t until, bool more, bool *partial,
                         pd_regex_fn fn, void *ctx);

/* Is there a match starting at byte `at`? *result: 1 yes, 0 no, 2 (only
 * with `more`) the answer needs text past `len`. PD_EDEP on any other
 * PCRE2 result. */
pd_rc pd_regex_at(const pd_regex *re, const char *text, size_t len, size_t at,
                  bool more, int *result);

/* How far the pattern can look back from where a match starts (\b: 1). */
uint32_t pd_regex_lookbehind(const pd_regex *re);

void pd_regex_free(pd_regex *re);

#endif
