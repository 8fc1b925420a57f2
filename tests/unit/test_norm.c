/*
 * Text normalisation (include/purdah/norm.h): the words a disguised post is
 * really made of, the original bytes each word came from, and the flags
 * the matcher relies on (case, disguise, hashtag, wildcard).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purdah/norm.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* Append the UTF-8 encoding of `cp` to out[*len]. */
static void put_utf8(char *out, size_t *len, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*len)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*len)++] = (char)(0xC0 | (cp >> 6));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*len)++] = (char)(0xE0 | (cp >> 12));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*len)++] = (char)(0xF0 | (cp >> 18));
		out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*len)++] = (char)(0x80 | (cp & 0x3F));
	}
	out[*len] = '\0';
}

/* `ascii` written in a Unicode letter style whose capitals start at
 * `upper_a` and small letters at `lower_a` (mathematical bold, full-width
 * ...). `out` must hold 4 bytes per letter plus one. */
static const char *styled(char *out, const char *ascii, uint32_t upper_a,
                          uint32_t lower_a)
{
	size_t len = 0;

	out[0] = '\0';
	for (const char *p = ascii; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			put_utf8(out, &len, upper_a + (uint32_t)(*p - 'A'));
		else if (*p >= 'a' && *p <= 'z')
			put_utf8(out, &len, lower_a + (uint32_t)(*p - 'a'));
		else
			put_utf8(out, &len, (uint32_t)(unsigned char)*p);
	}
	return out;
}

/* Every token is well formed: inside the text and the input, in order. */
static void check_invariants(const pd_norm *n, size_t inlen)
{
	size_t prev_off = 0, expect_norm = 0;

	assert_int_equal(n->input_len, inlen);
	for (size_t i = 0; i < n->ntok; i++) {
		const pd_token *t = &n->tok[i];
		assert_true(t->norm_len > 0);
		assert_int_equal(t->norm_off, expect_norm);
		assert_true(t->norm_off + t->norm_len <= n->text.len);
		assert_true(t->orig_off < t->orig_end);
		assert_true(t->orig_end <= inlen);
		assert_true(t->orig_off >= prev_off);
		if (i + 1 < n->ntok)
			assert_int_equal(n->text.ptr[t->norm_off + t->norm_len],
			                 ' ');
		prev_off = t->orig_off;
		expect_norm = t->norm_off + t->norm_len + 1;
	}
	if (n->ntok)
		assert_int_equal(expect_norm - 1, n->text.len);
}

/* Normalise `len` bytes of `in` into `n` (which the caller disposes). */
static void run_len(pd_norm *n, const char *in, size_t len, unsigned flags)
{
	pd_rc rc = pd_norm_run(n, in, len, flags);
	if (rc != PD_OK)
		fail_msg("pd_norm_run: %s", pd_error_message());
	check_invariants(n, len);
}

static void run(pd_norm *n, const char *in, unsigned flags)
{
	run_len(n, in, strlen(in), flags);
}

/* The normalised text as a C string (static storage, for assertions). */
static const char *text_of(const pd_norm *n)
{
	static char buf[8192];
	size_t len = n->ntok ? n->text.len : 0;

	assert_true(len < sizeof(buf));
	memcpy(buf, len ? n->text.ptr : "", len);
	buf[len] = '\0';
	return buf;
}

/* The normalised text of `in`. */
static void expect_norm(const char *in, unsigned flags, const char *want)
{
	pd_norm n = PD_NORM_INIT;
	char got[4096];
	pd_rc rc = pd_norm_run(&n, in, strlen(in), flags);

	snprintf(got, sizeof(got), "%s", rc == PD_OK ? text_of(&n) : "");
	pd_norm_dispose(&n);
	if (rc != PD_OK)
		fail_msg("normalising '%s': %s", in, pd_error_message());
	if (strcmp(got, want) != 0)
		fail_msg("normalising '%s': got '%s', want '%s'", in, got,
		         want);
}

/* Token i's original bytes as a C string (static storage). */
static const char *orig_of(const pd_norm *n, const char *in, size_t i)
{
	static char buf[1024];
	const pd_token *t = &n->tok[i];
	size_t len = t->orig_end - t->orig_off;

	assert_true(i < n->ntok);
	assert_true(len < sizeof(buf));
	memcpy(buf, in + t->orig_off, len);
	buf[len] = '\0';
	return buf;
}

/* Token i's normalised form as a C string (static storage). */
static const char *word_of(const pd_norm *n, size_t i)
{
	static char buf[1024];
	const pd_token *t = &n->tok[i];

	assert_true(i < n->ntok);
	assert_true(t->norm_len < sizeof(buf));
	memcpy(buf, n->text.ptr + t->norm_off, t->norm_len);
	buf[t->norm_len] = '\0';
	return buf;
}

/* Normalise `in`, expecting one token `want`; returns its flags. */
static unsigned one_token(const char *in, unsigned norm_flags, const char *want,
                          uint32_t *upper)
{
	pd_norm n = PD_NORM_INIT;
	unsigned flags = 0;
	char got[4096];
	size_t ntok;
	pd_rc rc = pd_norm_run(&n, in, strlen(in), norm_flags);

	snprintf(got, sizeof(got), "%s", rc == PD_OK ? text_of(&n) : "");
	ntok = rc == PD_OK ? n.ntok : 0;
	if (ntok == 1) {
		flags = n.tok[0].flags;
		if (upper)
			*upper = n.tok[0].upper;
	}
	pd_norm_dispose(&n);
	if (rc != PD_OK)
		fail_msg("normalising '%s': %s", in, pd_error_message());
	if (ntok != 1 || strcmp(got, want) != 0)
		fail_msg("normalising '%s': got '%s' (%zu tokens), want one "
		         "token '%s'",
		         in, got, ntok, want);
	return flags;
}

/* Each test's normaliser, disposed by the teardown even when an assertion
 * fails. */
static int norm_setup(void **state)
{
	pd_norm init = PD_NORM_INIT;
	pd_norm *n = malloc(sizeof(*n));

	if (!n)
		return -1;
	*n = init;
	*state = n;
	return 0;
}

static int norm_teardown(void **state)
{
	pd_norm_dispose(*state);
	free(*state);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Limits and degenerate input                                              */

static void test_norm_empty_input_gives_no_tokens(void **state)
{
	pd_norm *n = *state;

	run(n, "", 0);
	assert_int_equal(n->ntok, 0);
	run(n, " \t\r\n .,;-_*", 0);
	assert_int_equal(n->ntok, 0);
	run_len(n, NULL, 0, PD_NORM_HTML);
	assert_int_equal(n->ntok, 0);
}

static void test_norm_input_over_limit_is_too_big(void **state)
{
	pd_norm *n = *state;
	size_t len = (size_t)PD_NORM_MAX_INPUT + 1;
	char *big = malloc(len);
	pd_rc rc;

	assert_non_null(big);
	memset(big, 'a', len);
	rc = pd_norm_run(n, big, len, 0);
	free(big);
	assert_int_equal(rc, PD_ETOOBIG);
	assert_int_equal(pd_error_code(), PD_ETOOBIG);
	assert_int_equal(n->ntok, 0);
	/* The normaliser is still usable afterwards. */
	run(n, "Labour", 0);
	assert_string_equal(text_of(n), "labour");
}

static void test_norm_reuse_replaces_previous_result(void **state)
{
	pd_norm *n = *state;

	run(n, "Vote Conservative today please", 0);
	assert_int_equal(n->ntok, 4);
	run(n, "Labour", 0);
	assert_int_equal(n->ntok, 1);
	assert_string_equal(text_of(n), "labour");
	assert_int_equal(n->tok[0].orig_off, 0);
	assert_int_equal(n->tok[0].orig_end, 6);
}

static void test_norm_invalid_utf8_is_never_a_letter(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	        {"L\xff"
	         "abour",
	         "l abour"},
	        {"Lab\xc0\xafour", "lab our"},         /* overlong '/' */
	        {"Lab\xed\xa0\x80our", "lab our"},     /* a surrogate */
	        {"Lab\xf4\x90\x80\x80our", "lab our"}, /* above U+10FFFF */
	        {"Lab\x80\x80our", "lab our"},         /* stray continuations */
	        {"Labour\xc3", "labour"},      /* truncated at the end */
	        {"Lab\xe2\x82our", "lab our"}, /* truncated inside */
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(n, cases[i].in, 0);
		if (strcmp(text_of(n), cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, text_of(n),
			         cases[i].want);
	}
}

static void test_norm_arbitrary_bytes_never_break_invariants(void **state)
{
	pd_norm *n = *state;
	char buf[20000];
	uint32_t seed = 12345;

	/* Every byte value, then pseudo-random bytes biased towards the
	 * characters the normaliser treats specially. */
	for (size_t i = 0; i < 256; i++)
		buf[i] = (char)i;
	for (size_t i = 256; i < sizeof(buf); i++) {
		static const char special[] = "&#;<>@_*.-\n\r 01345aL";
		seed = seed * 1103515245u + 12345u;
		buf[i] = (seed >> 16) % 3 == 0
		                 ? special[(seed >> 8) % (sizeof(special) - 1)]
		                 : (char)(seed >> 8);
	}
	run_len(n, buf, sizeof(buf), 0);
	assert_true(n->ntok > 0);
	run_len(n, buf, sizeof(buf), PD_NORM_HTML);
	for (size_t cut = 1; cut < 300; cut += 7)
		run_len(n, buf + cut, 1000, (unsigned)(cut & 1));
}

static void test_norm_long_token_keeps_its_whole_span(void **state)
{
	pd_norm *n = *state;
	char in[601];

	for (size_t i = 0; i < 600; i++)
		in[i] = "ab"[i % 2];
	in[600] = '\0';
	run(n, in, 0);
	assert_int_equal(n->ntok, 1);
	assert_int_equal(n->tok[0].orig_off, 0);
	assert_int_equal(n->tok[0].orig_end, 600);
}

/* ------------------------------------------------------------------------ */
/* Unicode                                                                  */

static void test_norm_fullwidth_letters_fold(void **state)
{
	char buf[64];
	uint32_t upper = 0;
	unsigned f;
	(void)state;

	f = one_token(styled(buf, "Labour", 0xFF21, 0xFF41), 0, "labour",
	              &upper);
	assert_true(f & PD_TOK_DISGUISED);
	assert_int_equal(upper, 1);
	/* Full-width digits are digits. */
	expect_norm("\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96", 0,
	            "2026");
}

static void test_norm_mathematical_letter_styles_fold(void **state)
{
	static const struct {
		const char *style;
		uint32_t upper_a, lower_a;
	} styles[] = {
	        {"bold", 0x1D400, 0x1D41A},
	        {"italic", 0x1D434, 0x1D44E},
	        {"bold italic", 0x1D468, 0x1D482},
	        {"sans-serif bold", 0x1D5D4, 0x1D5EE},
	        {"double-struck", 0x1D538, 0x1D552},
	        {"fraktur", 0x1D504, 0x1D51E},
	        {"monospace", 0x1D670, 0x1D68A},
	};
	char buf[64];
	(void)state;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		uint32_t upper = 0;
		unsigned f = one_token(styled(buf, "Labour", styles[i].upper_a,
		                              styles[i].lower_a),
		                       0, "labour", &upper);
		if (!(f & PD_TOK_DISGUISED))
			fail_msg("%s: not flagged disguised", styles[i].style);
		if (upper != 1)
			fail_msg("%s: upper mask %#x, want 0x1",
			         styles[i].style, upper);
	}
	/* The literal form, as pasted from a "font generator". */
	expect_norm("Vote \xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b"
	            "\xf0\x9d\x90\xa8\xf0\x9d\x90\xae\xf0\x9d\x90\xab",
	            0, "vote labour");
}

static void test_norm_cyrillic_and_greek_lookalikes(void **state)
{
	unsigned f;
	(void)state;

	/* Cyrillic small a (U+0430) in "Labour". */
	f = one_token("L\xd0\xb0"
	              "bour",
	              0, "labour", NULL);
	assert_true(f & PD_TOK_DISGUISED);
	/* Cyrillic capital ES (U+0421) and small o (U+043E). */
	f = one_token("\xd0\xa1\xd0\xbenservatives", 0, "conservatives", NULL);
	assert_true(f & PD_TOK_DISGUISED);
	/* Greek capital tau (U+03A4) and small omicron (U+03BF). */
	f = one_token("\xce\xa4\xce\xbfries", 0, "tories", NULL);
	assert_true(f & PD_TOK_DISGUISED);
	/* Cyrillic capital A (U+0410) starting the word keeps its case. */
	{
		uint32_t upper = 0;
		one_token("\xd0\x90lliance", 0, "alliance", &upper);
		assert_int_equal(upper, 1);
	}
}

static void test_norm_small_capitals_read_as_capitals(void **state)
{
	uint32_t upper = 0;
	unsigned f;
	(void)state;

	/* ʟᴀʙᴏᴜʀ */
	f = one_token("\xca\x9f\xe1\xb4\x80\xca\x99\xe1\xb4\x8f\xe1\xb4\x9c"
	              "\xca\x80",
	              0, "labour", &upper);
	assert_true(f & PD_TOK_DISGUISED);
	assert_int_equal(upper, 0x3F);
}

static void test_norm_zero_width_and_soft_hyphen_inside_words(void **state)
{
	static const char *const inputs[] = {
	        "La\xe2\x80\x8b"
	        "bour", /* zero-width space */
	        "La\xe2\x80\x8c"
	        "bour", /* zero-width non-joiner */
	        "La\xe2\x80\x8d"
	        "bour", /* zero-width joiner */
	        "La\xef\xbb\xbf"
	        "bour", /* zero-width no-break space */
	        "La\xc2\xad"
	        "bour",        /* soft hyphen */
	        "La&shy;bour", /* soft hyphen as an entity */
	        "La&#8203;bour",
	        "L\xe2\x81\xa0"
	        "abour", /* word joiner */
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		run(n, inputs[i], 0);
		if (n->ntok != 1 || strcmp(word_of(n, 0), "labour") != 0)
			fail_msg("'%s': got '%s'", inputs[i], text_of(n));
		if (!(n->tok[0].flags & PD_TOK_DISGUISED))
			fail_msg("'%s': not flagged disguised", inputs[i]);
		/* The span covers the hidden character too. */
		assert_string_equal(orig_of(n, inputs[i], 0), inputs[i]);
	}
}

static void test_norm_combining_marks_removed(void **state)
{
	unsigned f;
	(void)state;

	/* A stack of marks on every letter ("Zalgo" text). */
	f = one_token("L\xcc\xb7\xcc\xb8"
	              "a\xcc\xb7"
	              "b\xcc\xb7"
	              "o\xcc\xb7"
	              "u\xcc\xb7"
	              "r\xcc\xb7",
	              0, "labour", NULL);
	assert_true(f & PD_TOK_DISGUISED);
	/* Combining long stroke overlay on one letter. */
	one_token("Lab\xcc\xb6our", 0, "labour", NULL);
}

static void test_norm_accents_folded_and_not_disguised(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	        {"Si\xc3\xa2n", "sian"},           /* Siân */
	        {"Se\xc3\xa1n", "sean"},           /* Seán */
	        {"caf\xc3\xa9", "cafe"},           /* café */
	        {"Sinn F\xc3\xa9in", "sinn fein"}, /* Sinn Féin */
	        {"Ynys M\xc3\xb4n", "ynys mon"},   /* Ynys Môn */
	        {"\xc3\x93 Briain", "o briain"},   /* Ó Briain */
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(n, cases[i].in, 0);
		if (strcmp(text_of(n), cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			         text_of(n), cases[i].want);
		for (size_t k = 0; k < n->ntok; k++)
			if (n->tok[k].flags & PD_TOK_DISGUISED)
				fail_msg("'%s': token %zu flagged disguised",
				         cases[i].in, k);
	}
}

static void test_norm_decomposed_accent_is_not_disguised(void **state)
{
	uint32_t upper = 0;
	unsigned f;
	(void)state;

	/* "Siân" in NFD (a + U+0302), as macOS and some editors write it:
	 * an accented name, not a disguise. */
	f = one_token("Sia\xcc\x82n", 0, "sian", &upper);
	assert_int_equal(upper, 1);
	assert_false(f & PD_TOK_DISGUISED);
}

/* ------------------------------------------------------------------------ */
/* Leetspeak, digits, repeated letters, wildcards                           */

static void test_norm_leetspeak_only_between_letters(void **state)
{
	pd_norm *n = *state;
	const char *in = "L4b0ur 2026 GE2024 C0n5erv@tives 4 ever B4";

	run(n, in, 0);
	assert_string_equal(text_of(n),
	                    "labour 2026 ge 2024 conservatives 4 ever b 4");
	assert_true(n->tok[0].flags & PD_TOK_DISGUISED);
	assert_int_equal(n->tok[0].upper, 1);
	assert_false(n->tok[1].flags & PD_TOK_DISGUISED); /* 2026 */
	assert_false(n->tok[2].flags & PD_TOK_DISGUISED); /* ge */
	assert_false(n->tok[3].flags & PD_TOK_DISGUISED); /* 2024 */
	assert_true(n->tok[4].flags & PD_TOK_DISGUISED);  /* conservatives */
	/* GE2024 splits into two tokens of one original word. */
	assert_string_equal(orig_of(n, in, 2), "GE");
	assert_string_equal(orig_of(n, in, 3), "2024");
	assert_int_equal(n->tok[3].sep, 's');
	assert_string_equal(orig_of(n, in, 4), "C0n5erv@tives");
}

static void test_norm_leet_one_is_flagged(void **state)
{
	unsigned f;
	(void)state;

	f = one_token("P1aid", 0, "piaid", NULL);
	assert_true(f & PD_TOK_LEET1);
	assert_true(f & PD_TOK_DISGUISED);
	f = one_token("L4b0ur", 0, "labour", NULL);
	assert_false(f & PD_TOK_LEET1);
	/* A '1' that is not between letters is a digit. */
	expect_norm("Lib1", 0, "lib 1");
	f = one_token("1979", 0, "1979", NULL);
	assert_false(f & PD_TOK_LEET1);
}

static void test_norm_repeated_letters_read_once(void **state)
{
	unsigned f;
	(void)state;

	f = one_token("Toriessss", 0, "tories", NULL);
	assert_true(f & PD_TOK_DISGUISED);
	one_token("Laaaabour", 0, "labour", NULL);
	one_token("REEEFORM", 0, "reform", NULL);
	/* Doubled letters are ordinary spelling. */
	f = one_token("Green", 0, "green", NULL);
	assert_false(f & PD_TOK_DISGUISED);
	one_token("Alliance", 0, "alliance", NULL);
	/* Digits are never collapsed. */
	one_token("2000", 0, "2000", NULL);
}

static void test_norm_star_between_letters_is_a_wildcard(void **state)
{
	pd_norm *n = *state;
	const char *in = "T*ries L\xf0\x9f\x8c\xb9"
	                 "b\xf0\x9f\x8c\xb9"
	                 "ur Labour* *Labour";

	run(n, in, 0);
	assert_string_equal(text_of(n), "t*ries l*b*ur labour labour");
	assert_true(n->tok[0].flags & PD_TOK_WILD);
	assert_int_equal(n->tok[0].nlet, 6);
	assert_int_equal(n->tok[0].upper, 1);
	assert_true(n->tok[1].flags & PD_TOK_WILD);
	assert_string_equal(orig_of(n, in, 1), "L\xf0\x9f\x8c\xb9"
	                                       "b\xf0\x9f\x8c\xb9"
	                                       "ur");
	/* A star outside a word is not a wildcard. */
	assert_false(n->tok[2].flags & PD_TOK_WILD);
	assert_false(n->tok[3].flags & PD_TOK_WILD);
	assert_string_equal(orig_of(n, in, 3), "Labour");
}

static void test_norm_emoji_elsewhere_is_its_own_token(void **state)
{
	pd_norm *n = *state;
	const char *in = "Vote \xf0\x9f\x8c\xb9 today";

	run(n, in, 0);
	assert_int_equal(n->ntok, 3);
	assert_string_equal(word_of(n, 1), "\xf0\x9f\x8c\xb9");
	assert_string_equal(orig_of(n, in, 1), "\xf0\x9f\x8c\xb9");
	assert_false(n->tok[1].flags & PD_TOK_WILD);
	/* Two emoji in a row are two tokens. */
	run(n, "\xf0\x9f\x8c\xb9\xf0\x9f\x94\xb6", 0);
	assert_int_equal(n->ntok, 2);
}

static void test_norm_emoji_after_a_word_is_its_own_token(void **state)
{
	pd_norm *n = *state;
	const char *in = "Vote Labour\xf0\x9f\x8c\xb9";

	/* Not between letters, so not a wildcard: an emoji a lexicon can
	 * name (the rose), the same as "Vote Labour 🌹". */
	run(n, in, 0);
	assert_string_equal(text_of(n), "vote labour \xf0\x9f\x8c\xb9");
}

/* ------------------------------------------------------------------------ */
/* Joining                                                                  */

static void test_norm_spaced_dotted_underscored_letters_join(void **state)
{
	static const struct {
		const char *in, *want;
		uint32_t upper;
	} cases[] = {
	        {"L a b o u r", "labour", 0x01},
	        {"T.o.r.i.e.s", "tories", 0x01},
	        {"G_R_E_E_N", "green", 0x1F},
	        {"R-e-f-o-r-m", "reform", 0x01},
	        {"s  n  p", "snp", 0x00},
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(n, cases[i].in, 0);
		if (n->ntok != 1 || strcmp(word_of(n, 0), cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in,
			         text_of(n), cases[i].want);
		assert_true(n->tok[0].flags & PD_TOK_JOINED);
		assert_true(n->tok[0].flags & PD_TOK_DISGUISED);
		assert_int_equal(n->tok[0].upper, cases[i].upper);
		assert_int_equal(n->tok[0].nlet, strlen(cases[i].want));
		assert_string_equal(orig_of(n, cases[i].in, 0), cases[i].in);
	}
}

static void test_norm_change_of_spacing_ends_a_run(void **state)
{
	pd_norm *n = *state;
	const char *in = "V o t e   L a b o u r";

	run(n, in, 0);
	assert_string_equal(text_of(n), "vote labour");
	assert_string_equal(orig_of(n, in, 0), "V o t e");
	assert_string_equal(orig_of(n, in, 1), "L a b o u r");
	/* A dotted run next to a spaced one. */
	expect_norm("T.o.r.y v o t e", 0, "tory vote");
	/* Two single letters with a space are two words (a b), not one. */
	expect_norm("plan a b", 0, "plan a b");
	expect_norm("U K", 0, "u k");
}

static void test_norm_two_letter_initialism_with_dots(void **state)
{
	pd_norm *n = *state;
	const char *in = "the U.K. and the E.U";

	run(n, in, 0);
	assert_string_equal(text_of(n), "the uk and the eu");
	assert_int_equal(n->tok[1].upper, 0x3);
	assert_true(n->tok[1].flags & PD_TOK_JOINED);
	assert_string_equal(orig_of(n, in, 4), "E.U");
}

static void test_norm_hyphenated_line_break_joins_word(void **state)
{
	static const char *const inputs[] = {
	        "Con-\nservatives", "Con-\r\nservatives",
	        "Con-  \n   servatives",
	        "Con\xe2\x80\x90\nservatives", /* U+2010 HYPHEN */
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		run(n, inputs[i], 0);
		if (n->ntok != 1 || strcmp(word_of(n, 0), "conservatives"))
			fail_msg("case %zu: got '%s'", i, text_of(n));
		assert_true(n->tok[0].flags & PD_TOK_JOINED);
		assert_int_equal(n->tok[0].upper, 1);
		assert_string_equal(orig_of(n, inputs[i], 0), inputs[i]);
	}
	/* A hyphen within a line, or before a blank line, separates. */
	expect_norm("Lib-Dems", 0, "lib dems");
	expect_norm("Con-\n\nservatives", 0, "con servatives");
	expect_norm("2026-\n27", 0, "2026 27");
}

/* ------------------------------------------------------------------------ */
/* Hashtags, handles, addresses                                             */

static void test_norm_hashtags_split_on_case_and_digits(void **state)
{
	pd_norm *n = *state;
	const char *in = "#VoteLabour2026 #SNPOut";

	run(n, in, 0);
	assert_string_equal(text_of(n), "vote labour 2026 snp out");
	for (size_t i = 0; i < n->ntok; i++) {
		assert_true(n->tok[i].flags & PD_TOK_TAG);
		assert_false(n->tok[i].flags & PD_TOK_HANDLE);
	}
	assert_string_equal(orig_of(n, in, 0), "Vote");
	assert_string_equal(orig_of(n, in, 1), "Labour");
	assert_string_equal(orig_of(n, in, 2), "2026");
	assert_string_equal(orig_of(n, in, 3), "SNP");
	assert_string_equal(orig_of(n, in, 4), "Out");
	assert_int_equal(n->tok[1].sep, 's');
	assert_int_equal(n->tok[3].upper, 0x7);
	assert_false(n->tok[1].flags & PD_TOK_DISGUISED);
}

static void test_norm_hashtag_digit_between_words_splits(void **state)
{
	pd_norm *n = *state;
	const char *in = "#Labour4Ever #Vote4Labour";

	/* A digit between two capitalised words of a hashtag is a word of
	 * its own ("Labour 4 Ever"), not leetspeak gluing them together. */
	run(n, in, 0);
	assert_string_equal(text_of(n), "labour 4 ever vote 4 labour");
	assert_string_equal(orig_of(n, in, 0), "Labour");
}

static void test_norm_handles_split_and_flagged(void **state)
{
	pd_norm *n = *state;
	const char *in = "thanks @MarkGreenLab and @UKLabour";

	run(n, in, 0);
	assert_string_equal(text_of(n), "thanks mark green lab and uk labour");
	assert_false(n->tok[0].flags & PD_TOK_HANDLE);
	for (size_t i = 1; i <= 3; i++)
		assert_true(n->tok[i].flags & PD_TOK_HANDLE);
	assert_false(n->tok[4].flags & (PD_TOK_HANDLE | PD_TOK_TAG));
	assert_true(n->tok[6].flags & PD_TOK_HANDLE);
	assert_string_equal(orig_of(n, in, 2), "Green");
	/* Words without # or @ are not tags. */
	run(n, "VoteLabour", 0);
	assert_int_equal(n->ntok, 1);
	assert_false(n->tok[0].flags & PD_TOK_TAG);
}

static void test_norm_email_address_is_not_leetspeak(void **state)
{
	pd_norm *n = *state;
	const char *in = "write to info@labour.org.uk today";

	run(n, in, 0);
	assert_string_equal(text_of(n), "write to info labour org uk today");
	assert_string_equal(orig_of(n, in, 3), "labour");
	assert_false(n->tok[3].flags & PD_TOK_DISGUISED);
	assert_false(n->tok[3].flags & PD_TOK_HANDLE);
}

static void test_norm_url_host_splits_on_dots(void **state)
{
	pd_norm *n = *state;
	const char *in = "see labour.org.uk or https://www.libdems.org.uk/join";

	run(n, in, 0);
	assert_non_null(strstr(text_of(n), "see labour org uk or "));
	assert_non_null(strstr(text_of(n), " libdems org uk join"));
	assert_string_equal(orig_of(n, in, 1), "labour");
}

/* ------------------------------------------------------------------------ */
/* HTML                                                                     */

static void test_norm_html_entities_always_decoded(void **state)
{
	pd_norm *n = *state;
	const char *in = "&#76;abour &#x4C;ab &#X4c;ib &amp; &Lscr;abour";

	run(n, in, 0);
	assert_string_equal(text_of(n), "labour lab lib labour");
	assert_string_equal(orig_of(n, in, 0), "&#76;abour");
	assert_int_equal(n->tok[0].upper, 1);
	assert_string_equal(orig_of(n, in, 1), "&#x4C;ab");
	assert_string_equal(orig_of(n, in, 3), "&Lscr;abour");
	/* Entities inside a word keep it one word. */
	expect_norm("Lab&#111;ur", 0, "labour");
	/* Not entities: left as text, never a crash ("#xD800" is then
	 * read as a hashtag). */
	expect_norm("&nosuch; &#0; &#xD800; &#1114112; &#; &", 0,
	            "nosuch 0 x d 800 1114112");
}

static void test_norm_html_tags_removed_only_with_flag(void **state)
{
	(void)state;
	expect_norm("Lab<b>our</b>", 0, "lab b our b");
	expect_norm("Lab<b>our</b>", PD_NORM_HTML, "labour");
	/* An entity for '<' is text, never a tag. */
	expect_norm("&lt;b&gt;Labour&lt;/b&gt;", PD_NORM_HTML, "b labour b");
	/* A '<' that starts no tag is a separator. */
	expect_norm("3 < 4 and 5 > 2", PD_NORM_HTML, "3 4 and 5 2");
}

static void test_norm_html_inline_tags_join_block_tags_separate(void **state)
{
	pd_norm *n = *state;
	const char *in = "Lab<span class=\"x\">our</span> Party";

	run(n, in, PD_NORM_HTML);
	assert_string_equal(text_of(n), "labour party");
	assert_string_equal(orig_of(n, in, 0), "Lab<span class=\"x\">our");
	expect_norm("Lab<i>o</i>ur", PD_NORM_HTML, "labour");
	expect_norm("Lab<p>our", PD_NORM_HTML, "lab our");
	expect_norm("Lab<br>our", PD_NORM_HTML, "lab our");
	expect_norm("Lab<br/>our", PD_NORM_HTML, "lab our");
	expect_norm("Lab</p><p>our", PD_NORM_HTML, "lab our");
	expect_norm("Lab<DIV>our", PD_NORM_HTML, "lab our");
	expect_norm("<td>Labour</td><td>Party</td>", PD_NORM_HTML,
	            "labour party");
}

static void test_norm_html_comments_join(void **state)
{
	(void)state;
	expect_norm("Lab<!-- hidden -->our", PD_NORM_HTML, "labour");
	expect_norm("Vote <!-- a <b>comment</b> --> now", PD_NORM_HTML,
	            "vote now");
	/* An unterminated comment swallows the rest. */
	expect_norm("Vote <!-- Labour", PD_NORM_HTML, "vote");
}

static void test_norm_html_attribute_text_read(void **state)
{
	(void)state;
	expect_norm("<img src=\"rose.png\" alt=\"Vote Labour\">", PD_NORM_HTML,
	            "rose png vote labour");
	expect_norm("<img alt='Reform UK'>", PD_NORM_HTML, "reform uk");
	expect_norm("<a href=\"https://labour.org.uk\">here</a>", PD_NORM_HTML,
	            "https labour org uk here");
	expect_norm("<abbr title=\"Scottish National Party\">SNP</abbr>",
	            PD_NORM_HTML, "scottish national party snp");
	/* Other attributes are not text. */
	expect_norm("<span class=\"labour\" data-x=\"tory\">hi</span>",
	            PD_NORM_HTML, "hi");
	/* A closing tag's attributes are ignored. */
	expect_norm("x</a title=\"Labour\">", PD_NORM_HTML, "x");
}

static void test_norm_html_script_and_style_skipped(void **state)
{
	(void)state;
	expect_norm("<script>var labour = 1;</script>after", PD_NORM_HTML,
	            "after");
	expect_norm("<SCRIPT type=\"x\">Labour</SCRIPT>after", PD_NORM_HTML,
	            "after");
	expect_norm("<style>.green { color: green }</style>Text", PD_NORM_HTML,
	            "text");
	expect_norm("<script>labour", PD_NORM_HTML, "");
	/* Without the flag it is all text. */
	expect_norm("<style>green</style>", 0, "style green style");
}

/* ------------------------------------------------------------------------ */
/* Spans, lookups, case, flags                                              */

static void test_norm_token_spans_are_exact_original_bytes(void **state)
{
	static const char *const want[] = {
	        "Vote",
	        "L4b0ur",
	        "SNP",
	        "Out",
	        "Si\xc3\xa2n",
	        "s",
	        "\xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b",
	        "T*ries",
	        "G_R_E_E_N",
	        "Con-\nservatives",
	        "2026",
	};
	pd_norm *n = *state;
	const char *in = "  Vote L4b0ur, #SNPOut & Si\xc3\xa2n's "
	                 "\xf0\x9d\x90\x8b\xf0\x9d\x90\x9a\xf0\x9d\x90\x9b "
	                 "(T*ries) G_R_E_E_N Con-\nservatives 2026!";

	run(n, in, 0);
	assert_string_equal(text_of(n), "vote labour snp out sian s lab "
	                                "t*ries green conservatives 2026");
	assert_int_equal(n->ntok, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n->ntok; i++)
		assert_string_equal(orig_of(n, in, i), want[i]);
}

static void test_norm_span_maps_normalised_bytes_back(void **state)
{
	pd_norm *n = *state;
	const char *plain = "Vote Labour now";
	const char *styled_in = "Vote \xf0\x9d\x90\x8b\xf0\x9d\x90\x9a"
	                        "\xf0\x9d\x90\x9b\xf0\x9d\x90\xa8"
	                        "\xf0\x9d\x90\xae\xf0\x9d\x90\xab now";
	size_t a = 99, b = 99;

	run(n, plain, 0);
	/* A whole plain word. */
	pd_norm_span(n, 5, 11, &a, &b);
	assert_int_equal(a, 5);
	assert_int_equal(b, 11);
	/* Part of a plain word is exact. */
	pd_norm_span(n, 6, 9, &a, &b);
	assert_int_equal(a, 6);
	assert_int_equal(b, 9);
	/* Several words. */
	pd_norm_span(n, 0, 15, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 15);

	run(n, "Vote  L4b0ur", 0);
	/* A disguised word maps to the whole original word. */
	pd_norm_span(n, 6, 8, &a, &b);
	assert_int_equal(a, 6);
	assert_int_equal(b, 12);

	run(n, styled_in, 0);
	assert_string_equal(text_of(n), "vote labour now");
	pd_norm_span(n, 5, 11, &a, &b);
	assert_int_equal(a, 5);
	assert_int_equal(b, 29);
	pd_norm_span(n, 0, 15, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, strlen(styled_in));
}

static void test_norm_token_at_finds_the_token(void **state)
{
	pd_norm *n = *state;

	run(n, "Vote Labour now", 0);
	assert_ptr_equal(pd_norm_token_at(n, 0), &n->tok[0]);
	assert_ptr_equal(pd_norm_token_at(n, 3), &n->tok[0]);
	assert_null(pd_norm_token_at(n, 4)); /* the space */
	assert_ptr_equal(pd_norm_token_at(n, 5), &n->tok[1]);
	assert_ptr_equal(pd_norm_token_at(n, 10), &n->tok[1]);
	assert_ptr_equal(pd_norm_token_at(n, 14), &n->tok[2]);
	assert_null(pd_norm_token_at(n, 15));
	assert_null(pd_norm_token_at(n, 1000));
	run(n, "", 0);
	assert_null(pd_norm_token_at(n, 0));
}

static void test_norm_upper_case_masks(void **state)
{
	pd_norm *n = *state;

	run(n, "Labour LABOUR labour lAbour \xc3\x93 Si\xc3\xa2N", 0);
	assert_int_equal(n->ntok, 6);
	assert_int_equal(n->tok[0].upper, 0x01);
	assert_int_equal(n->tok[1].upper, 0x3F);
	assert_int_equal(n->tok[2].upper, 0x00);
	assert_int_equal(n->tok[3].upper, 0x02);
	assert_int_equal(n->tok[4].upper, 0x01); /* Ó */
	assert_int_equal(n->tok[5].upper, 0x09); /* SiâN */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(n->tok[i].nlet, 6);
	/* Digits are not letters. */
	run(n, "GE2024", 0);
	assert_int_equal(n->tok[0].nlet, 2);
	assert_int_equal(n->tok[1].nlet, 0);
}

static void test_norm_disguised_only_for_disguises(void **state)
{
	static const struct {
		const char *in;
		bool disguised;
	} cases[] = {
	        {"Labour", false},
	        {"LABOUR", false},
	        {"Si\xc3\xa2n", false},
	        {"2026", false},
	        {"#VoteLabour", false},
	        {"labour.org.uk", false},
	        {"L4b0ur", true},
	        {"L\xd0\xb0"
	         "bour",
	         true},
	        {"\xef\xbc\xac\xef\xbd\x81\xef\xbd\x82", true}, /* Ｌａｂ */
	        {"L a b o u r", true},
	        {"G_R_E_E_N", true},
	        {"La\xe2\x80\x8b"
	         "bour",
	         true},
	        {"Toriessss", true},
	};
	pd_norm *n = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool any = false;
		run(n, cases[i].in, 0);
		assert_true(n->ntok > 0);
		for (size_t k = 0; k < n->ntok; k++)
			any |= (n->tok[k].flags & PD_TOK_DISGUISED) != 0;
		if (any != cases[i].disguised)
			fail_msg("'%s': disguised %d, want %d", cases[i].in,
			         any, cases[i].disguised);
	}
}

static void test_norm_separator_recorded(void **state)
{
	pd_norm *n = *state;

	run(n, "a1 Lab.our Lab-our x\ny", 0);
	/* tokens: a 1 lab our lab our x y */
	assert_string_equal(text_of(n), "a 1 lab our lab our x y");
	assert_int_equal(n->tok[0].sep, 0);
	assert_int_equal(n->tok[1].sep, 's');
	assert_int_equal(n->tok[2].sep, ' ');
	assert_int_equal(n->tok[3].sep, '.');
	assert_int_equal(n->tok[3].sepn, 1);
	assert_int_equal(n->tok[5].sep, '-');
	assert_int_equal(n->tok[7].sep, '\n');
}

/* pd_norm_alnum is the general path's ASCII case, kept for speed: on
 * fixed and generated words of letters and digits it must give the
 * tokens pd_norm_run gives, field for field. */
static void check_alnum(pd_norm *n, const char *word)
{
	char out[PD_NORM_ALNUM_MAX];
	pd_norm_piece pc[PD_NORM_ALNUM_MAX];
	size_t len = strlen(word), np = pd_norm_alnum(word, len, out, pc);

	run(n, word, 0);
	if (np == 0) {
		/* only a letter three times in a row takes the general path */
		bool triple = false;
		for (size_t i = 2; i < len; i++)
			triple |= ((word[i] | 0x20) >= 'a' &&
			           (word[i] | 0x20) <= 'z' &&
			           (word[i] | 0x20) == (word[i - 1] | 0x20) &&
			           (word[i] | 0x20) == (word[i - 2] | 0x20));
		if (!triple)
			fail_msg("'%s': no pieces", word);
		return;
	}
	if (n->ntok != np)
		fail_msg("'%s': %zu pieces, pd_norm_run %zu tokens", word, np,
		         n->ntok);
	for (size_t k = 0; k < np; k++) {
		const pd_token *t = &n->tok[k];
		if (t->norm_len != pc[k].len ||
		    memcmp(n->text.ptr + t->norm_off, out + pc[k].off,
		           pc[k].len) != 0 ||
		    t->orig_off != pc[k].off ||
		    t->orig_end != (uint32_t)pc[k].off + pc[k].len ||
		    t->nlet != pc[k].nlet || t->flags != pc[k].flags ||
		    t->upper != pc[k].upper || t->leet1 != pc[k].leet1 ||
		    (k > 0 && (t->sep != 's' || t->sepn != 0)))
			fail_msg("'%s': piece %zu '%.*s' (nlet %u flags %u "
			         "upper "
			         "%x leet1 %x) vs token '%.*s' (nlet %u flags "
			         "%u upper %x leet1 %x sep %c)",
			         word, k, (int)pc[k].len, out + pc[k].off,
			         pc[k].nlet, pc[k].flags, pc[k].upper,
			         pc[k].leet1, (int)t->norm_len,
			         n->text.ptr + t->norm_off, t->nlet, t->flags,
			         t->upper, t->leet1, t->sep ? t->sep : '0');
	}
}

static void test_norm_alnum_is_the_general_path(void **state)
{
	static const char *const fixed[] = {
	        "L4b0ur",
	        "labour2026",
	        "i18n",
	        "a1b",
	        "1ab",
	        "ab1",
	        "Libera1",
	        "L4b0ur26",
	        "aaa1",
	        "a1a1a",
	        "ebb35ed7110d1a29061dfb4ccb9038645b20d7f4",
	        "T0r1es",
	        "R3f0rm2024UK",
	        "x11",
	        "0o0",
	        "AAA",
	        "4a",
	        "a4",
	        "a44b",
	        "a42b",
	        "a0000000000b"};
	/* words of 64 bytes (every mask full, pieces, leet and capitals
	 * past bit 32), each a unit over and over */
	static const char *const units[] = {"L4b0ur", "Ab1cD7", "bA", "x1111",
	                                    "q9Z"};
	static const char alphabet[] = "aAbBlLoOeEsStTrRuU0134572869";
	unsigned long long r = 0x2545F4914F6CDD1DULL;
	pd_norm *n = *state;
	char word[PD_NORM_ALNUM_MAX + 1];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_alnum(n, fixed[i]);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t u = strlen(units[i]);
		for (size_t k = 0; k < PD_NORM_ALNUM_MAX; k++)
			word[k] = units[i][k % u];
		word[PD_NORM_ALNUM_MAX] = '\0';
		check_alnum(n, word);
		word[PD_NORM_ALNUM_MAX - 1] = 'y'; /* a leet run to the end */
		check_alnum(n, word);
	}
	for (int i = 0; i < 20000; i++) {
		size_t len;
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		len = 1 + (size_t)(r % (i % 10 ? 12 : PD_NORM_ALNUM_MAX));
		for (size_t k = 0; k < len; k++) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			word[k] = alphabet[(r >> 20) % (sizeof(alphabet) - 1)];
		}
		word[len] = '\0';
		check_alnum(n, word);
	}
	/* not letters and digits only: the general path */
	{
		char out[8];
		pd_norm_piece pc[8];
		assert_int_equal(pd_norm_alnum("a-b", 3, out, pc), 0);
		assert_int_equal(pd_norm_alnum("", 0, out, pc), 0);
	}
	/* longer than PD_NORM_ALNUM_MAX: the general path */
	{
		char out[PD_NORM_ALNUM_MAX + 1];
		pd_norm_piece pc[PD_NORM_ALNUM_MAX];
		for (size_t k = 0; k < sizeof(word); k++)
			word[k] = k % 2 ? 'a' : 'b';
		assert_int_equal(
		        pd_norm_alnum(word, PD_NORM_ALNUM_MAX + 1, out, pc), 0);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, norm_setup, norm_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_norm_empty_input_gives_no_tokens),
	        T(test_norm_input_over_limit_is_too_big),
	        T(test_norm_reuse_replaces_previous_result),
	        T(test_norm_invalid_utf8_is_never_a_letter),
	        T(test_norm_arbitrary_bytes_never_break_invariants),
	        T(test_norm_long_token_keeps_its_whole_span),
	        T(test_norm_fullwidth_letters_fold),
	        T(test_norm_mathematical_letter_styles_fold),
	        T(test_norm_cyrillic_and_greek_lookalikes),
	        T(test_norm_small_capitals_read_as_capitals),
	        T(test_norm_zero_width_and_soft_hyphen_inside_words),
	        T(test_norm_combining_marks_removed),
	        T(test_norm_accents_folded_and_not_disguised),
	        T(test_norm_decomposed_accent_is_not_disguised),
	        T(test_norm_leetspeak_only_between_letters),
	        T(test_norm_leet_one_is_flagged),
	        T(test_norm_repeated_letters_read_once),
	        T(test_norm_star_between_letters_is_a_wildcard),
	        T(test_norm_emoji_elsewhere_is_its_own_token),
	        T(test_norm_emoji_after_a_word_is_its_own_token),
	        T(test_norm_spaced_dotted_underscored_letters_join),
	        T(test_norm_change_of_spacing_ends_a_run),
	        T(test_norm_two_letter_initialism_with_dots),
	        T(test_norm_hyphenated_line_break_joins_word),
	        T(test_norm_hashtags_split_on_case_and_digits),
	        T(test_norm_hashtag_digit_between_words_splits),
	        T(test_norm_handles_split_and_flagged),
	        T(test_norm_email_address_is_not_leetspeak),
	        T(test_norm_url_host_splits_on_dots),
	        T(test_norm_html_entities_always_decoded),
	        T(test_norm_html_tags_removed_only_with_flag),
	        T(test_norm_html_inline_tags_join_block_tags_separate),
	        T(test_norm_html_comments_join),
	        T(test_norm_html_attribute_text_read),
	        T(test_norm_html_script_and_style_skipped),
	        T(test_norm_token_spans_are_exact_original_bytes),
	        T(test_norm_span_maps_normalised_bytes_back),
	        T(test_norm_token_at_finds_the_token),
	        T(test_norm_upper_case_masks),
	        T(test_norm_disguised_only_for_disguises),
	        T(test_norm_separator_recorded),
	        T(test_norm_alnum_is_the_general_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
