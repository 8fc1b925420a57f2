/*
 * Text normalisation: the one pipeline that lexicon terms and scanned text
 * both go through, so that "Lаbour" (Cyrillic а), "L4b0ur", "L a b o u r",
 * "𝐋𝐚𝐛𝐨𝐮𝐫", "#VoteLabour2026", "Con-\nservatives" and "&#76;abour"
 * compare equal to the plain words.
 *
 * The output is a sequence of tokens: lower-case words joined by single
 * spaces in `text`, each remembering its byte span in the original input
 * and the case of its original letters (for terms that only count when
 * capitalised). Steps, in order:
 *  - HTML entities decoded (always); tags and comments removed when
 *    PD_NORM_HTML is set (inline tags join, block tags separate; alt and
 *    title, href and src attribute values are read as text;
 *    script/style skipped);
 *  - invalid UTF-8 read as a separator, never trusted;
 *  - zero-width and other invisible characters, and accents, removed;
 *    NFKC compatibility forms and case folding (utf8proc); Cyrillic and
 *    Greek look-alikes and small capitals mapped to Latin letters;
 *  - a word broken by a hyphen at a line end joined ("Con-\nservatives");
 *  - hashtags and @handles split on case and digits (#VoteLabour2026 ->
 *    vote labour 2026);
 *  - leetspeak (0 1 3 4 5 7 @ $) read as letters only between letters of
 *    the same token (L4b0ur, C0n5erv@tives; 2026 stays 2026); the rest of a
 *    token splits where letters meet digits (GE2024 -> ge 2024);
 *  - a letter repeated three or more times read once (Toriessss);
 *  - '*' or an emoji between letters kept as '*', a wildcard the matcher
 *    resolves (T*ries, L🌹b🌹ur);
 *  - runs of single letters joined (L a b o u r, T.o.r.i.e.s, G_R_E_E_N),
 *    a run ending where the spacing changes (V o t e   L a b o u r);
 *  - URL hosts need nothing special: labour.org.uk -> labour org uk, as the
 *    term "labour.org.uk" normalises to the same tokens.
 */
#ifndef PURDAH_NORM_H
#define PURDAH_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/buf.h"
#include "purdah/error.h"

#define PD_NORM_HTML 1u /* the input is HTML: remove tags */

/* Token flags. */
#define PD_TOK_TAG      1u  /* from a #hashtag or @handle */
#define PD_TOK_HANDLE   2u  /* from an @handle */
#define PD_TOK_LEET1    4u  /* a '1' was read as 'i' (it may have been 'l') */
#define PD_TOK_LINEJOIN 64u /* joined across a hyphen and line break */
#define PD_TOK_JOINED                                                          \
	8u /* joined from single letters (L a b o u r) or                      \
	     across a hyphen at a line end */
#define PD_TOK_DISGUISED                                                       \
	16u /* spelt to dodge a filter: joined single                          \
	       letters, leetspeak, look-alike or styled                        \
	       letters, invisible characters inside */
#define PD_TOK_WILD                                                            \
	32u /* has '*' standing for an unknown letter                          \
	       (T*ries, L🌹b🌹ur) */

typedef struct pd_token {
	uint32_t norm_off, norm_len; /* in pd_norm.text */
	uint32_t orig_off, orig_end; /* byte span in the original input */
	uint32_t upper;  /* bit i: letter i (i < 32) was upper case */
	uint16_t nlet;   /* letters in the token (capped at 65535) */
	uint16_t flags;  /* PD_TOK_* */
	uint8_t sepn;    /* separator characters before it (capped at 255) */
	uint8_t joinpos; /* PD_TOK_LINEJOIN: letters before the line break */
	uint32_t leet1;  /* bit i: character i was a leet '1' (i < 32) */
	uint32_t join_a, join_b; /* PD_TOK_LINEJOIN: where the first part
	                            ends and the second starts, originally */
	uint8_t sep; /* what came before it in the original: 0 (nothing),
	                ' ', '.', '-', '_', '*', '\n' (a line break),
	                's' (split from the previous token), 'x' (other) */
} pd_token;

typedef struct pd_norm {
	pd_buf text; /* tokens joined by single spaces */
	pd_token *tok;
	size_t ntok, captok;
	size_t input_len;
	void *ctx; /* private: the normaliser's state, kept between runs */
} pd_norm;

/* Largest input pd_norm_run accepts (bytes). */
#define PD_NORM_MAX_INPUT (64u * 1024 * 1024)

/* An empty normaliser; reuse it across calls to avoid reallocation. */
#define PD_NORM_INIT                                                           \
	{                                                                      \
		PD_BUF_INIT(4u * PD_NORM_MAX_INPUT), NULL, 0, 0, 0, NULL       \
	}

/*
 * Normalise `len` bytes of `in` into `n` (its previous content is
 * replaced). PD_ETOOBIG over PD_NORM_MAX_INPUT, PD_ENOMEM.
 */
pd_rc pd_norm_run(pd_norm *n, const char *in, size_t len, unsigned flags);

/* The original byte span of normalised bytes [a, b) (token-accurate; exact
 * within a token whose normalised form is a 1:1 copy of plain ASCII). */
void pd_norm_span(const pd_norm *n, size_t a, size_t b, size_t *orig_a,
                  size_t *orig_b);

/* The token holding normalised byte `off` (binary search), or NULL. */
const pd_token *pd_norm_token_at(const pd_norm *n, size_t off);

void pd_norm_dispose(pd_norm *n);

/* Two of the normaliser's rules, for the matcher's plain-text fast path,
 * which must read text exactly as pd_norm_run does:
 * the offset where a word broken by the hyphen that ends at byte i goes
 * on after a line break ("Con-\nservatives"), else 0; and whether the '@'
 * at byte i starts an e-mail domain ("a@b.c"). */
size_t pd_norm_hyphen_break(const char *in, size_t len, size_t i);
/* The normaliser's byte classes: 1 an ASCII letter, 2 a digit; bit 4 a
 * byte that ends a plain word on its fast path, bit 8 whitespace. */
#define PD_NB_LETTER 1u
#define PD_NB_DIGIT  2u
#define PD_NB_END    4u
#define PD_NB_WS     8u
const unsigned char *pd_norm_byte_classes(void);
bool pd_norm_email_at(const char *in, size_t len, size_t i);

/* Single letters in a row are read as one word ("L a b o u r", "U.K")
 * when one of these stands between them, every gap alike: three letters
 * or more, or two with a dot. Two words also run together across one
 * ("Lab.our"; across a space when one is short: the matcher's rule). */
static inline bool pd_norm_joinable_sep(uint8_t s)
{
	return s == ' ' || s == '.' || s == '-' || s == '_' || s == '*';
}
static inline bool pd_norm_singles_join(size_t letters, bool dots)
{
	return letters >= 3 || (letters == 2 && dots);
}

/* The gap between two words grows by a separator of class g (' ', '\n',
 * '.', '-', '_', ...): it keeps its class while all are alike, is '\n'
 * once one is a line break, else 'x'; *gapn counts up to 1000. */
static inline void pd_norm_gap_add(char *gap, int *gapn, char g)
{
	if (*gapn == 0)
		*gap = g;
	else if (*gap != g)
		*gap = (*gap == '\n' || g == '\n') ? '\n' : 'x';
	if (*gapn < 1000)
		(*gapn)++;
}

/* The tokens pd_norm_run makes of a word of ASCII letters and digits only
 * (in[0, n), 1 <= n <= 64) that is a token of its own and not a hashtag
 * or handle: leet digits between letters read as letters ("L4b0ur"),
 * then a split where letters meet digits ("labour2026" -> labour 2026).
 * out gets n normalised bytes; piece i is out[p[i].off, +p[i].len), with
 * its token fields (flags, upper, nlet, leet1) as pd_norm_run sets them.
 * Returns the number of pieces, or 0 when the word needs the general path
 * (a letter three times in a row, a byte that is not a letter or digit,
 * n out of range). The ASCII case of the general path, kept for speed:
 * tests/unit/test_norm.c compares the two. */
typedef struct {
	uint8_t off, len;
	uint16_t nlet, flags;
	uint32_t upper, leet1;
} pd_norm_piece;
#define PD_NORM_ALNUM_MAX 64u
size_t pd_norm_alnum(const char *in, size_t n, char *out, pd_norm_piece *p);

#endif
