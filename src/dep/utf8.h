/*
 * The utf8proc adapter's interface (private to libpurdah): decoding one
 * code point, folding it the way the matcher compares text (compatibility
 * decomposition, case folding, accents and default-ignorable characters
 * removed), and character classes.
 */
#ifndef PURDAH_DEP_UTF8_H
#define PURDAH_DEP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s (len > 0 bytes). Returns the bytes used
 * (>= 1); *cp is -1 for an invalid or truncated sequence (1 byte used). */
size_t pd_utf8_decode(const unsigned char *s, size_t len, int32_t *cp);

/* Encode `cp` into out (4 bytes at most); returns the byte count. */
size_t pd_utf8_encode(int32_t cp, char *out);

/*
 * Fold `cp`: NFKC compatibility decomposition (full-width, mathematical,
 * circled and other letter styles to plain letters), case folding, marks
 * (accents) and default-ignorable characters (zero-width, soft hyphen,
 * variation selectors) removed. Writes up to `cap` code points to out;
 * returns how many (0: the character vanishes).
 */
int pd_utf8_fold(int32_t cp, int32_t *out, int cap);

typedef enum pd_uclass {
	PD_UC_LETTER,
	PD_UC_DIGIT,
	PD_UC_SPACE,
	PD_UC_PUNCT,
	PD_UC_SYMBOL, /* emoji and other symbols */
	PD_UC_OTHER
} pd_uclass;

pd_uclass pd_utf8_class(int32_t cp);
bool pd_utf8_is_upper(int32_t cp);
/* A combining mark (an accent written as its own character). */
bool pd_utf8_is_mark(int32_t cp);

#endif
