/*
 * The PCRE2 adapter: the only file that includes <pcre2.h>.
 */
#include "dep/pcre.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "purdah/alloc.h"

/* Limits on one match attempt: a pathological pattern or subject becomes
 * an error, never a hang (PCRE2 documents these as the way to bound work). */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 5000

struct pd_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	bool jit;
	bool empty;
	uint32_t lookbehind;
};

static pd_rc compile(pd_regex **out, const char *pattern, bool caseless,
                     size_t *erroffset, bool jit)
{
	pd_regex *re;
	int err = 0;
	PCRE2_SIZE off = 0;
	uint32_t minlen = 0;
	PCRE2_UCHAR msg[256];

	re = pd_calloc(1, sizeof(*re));
	if (!re)
		return pd_error_set(PD_ENOMEM, "out of memory");
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                         PCRE2_UTF | PCRE2_USE_OFFSET_LIMIT |
	                                 (caseless ? PCRE2_CASELESS : 0),
	                         &err, &off, NULL);
	if (!re->code) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		pd_free(re);
		*erroffset = (size_t)off;
		return pd_error_set(PD_ECONFIG, "%s (at offset %zu)",
		                    (const char *)msg, (size_t)off);
	}
	/* partial matching too: the matcher's fast path asks whether a
	 * match needs text beyond what it has read so far */
	re->jit = jit && pcre2_jit_compile(re->code,
	                                   PCRE2_JIT_COMPLETE |
	                                           PCRE2_JIT_PARTIAL_HARD) == 0;
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx) {
		pd_regex_free(re);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	if (pcre2_pattern_info(re->code, PCRE2_INFO_MINLENGTH, &minlen) == 0)
		re->empty = minlen == 0;
	if (pcre2_pattern_info(re->code, PCRE2_INFO_MAXLOOKBEHIND,
	                       &re->lookbehind) != 0)
		re->lookbehind = UINT32_MAX;
	*out = re;
	return PD_OK;
}

pd_rc pd_regex_compile(pd_regex **out, const char *pattern, bool caseless,
                       size_t *erroffset)
{
	return compile(out, pattern, caseless, erroffset, true);
}

pd_rc pd_regex_check(const char *pattern, bool caseless, size_t *erroffset,
                     bool *matches_empty)
{
	pd_regex *re = NULL;
	pd_rc rc = compile(&re, pattern, caseless, erroffset, false);

	if (rc == PD_OK) {
		*matches_empty = re->empty;
		pd_regex_free(re);
	}
	return rc;
}

uint32_t pd_regex_lookbehind(const pd_regex *re)
{
	return re->lookbehind;
}

static pd_rc match_error(int r)
{
	PCRE2_UCHAR msg[256];

	pcre2_get_error_message(r, msg, sizeof(msg));
	return pd_error_set(PD_EDEP, "PCRE2 error %d: %s", r,
	                    (const char *)msg);
}

pd_rc pd_regex_each(const pd_regex *re, const char *text, size_t len,
                    pd_regex_fn fn, void *ctx)
{
	return pd_regex_each_from(re, text, len, 0, len + 1, false, NULL, fn,
	                          ctx);
}

pd_rc pd_regex_each_from(const pd_regex *re, const char *text, size_t len,
                         size_t from, size_t until, bool more, bool *partial,
                         pd_regex_fn fn, void *ctx)
{
	pcre2_match_data *md =
	        pcre2_match_data_create_from_pattern(re->code, NULL);
	/* Matches may not start past `until` (PCRE2 stops looking there),
	 * while the whole text stays the subject for $ and lookarounds. A
	 * context of this call's own: the pattern's is shared by threads. */
	pcre2_match_context *mc = pcre2_match_context_copy(re->mctx);
	PCRE2_SIZE start = from;
	pd_rc rc = PD_OK;

	if (!md || !mc) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	if (until <= len)
		pcre2_set_offset_limit(mc, until);
	while (start <= len && start < until) {
		PCRE2_SIZE *ov;
		int r = pcre2_match(re->code, (PCRE2_SPTR)text, len, start,
		                    PCRE2_NO_UTF_CHECK |
		                            (more ? PCRE2_PARTIAL_HARD : 0),
		                    md, mc);
		if (r == PCRE2_ERROR_NOMATCH)
			break;
		if (r == PCRE2_ERROR_PARTIAL && more) {
			*partial = true; /* the answer needs more text */
			break;
		}
		if (r < 0) {
			rc = match_error(r);
			break;
		}
		ov = pcre2_get_ovector_pointer(md);
		if (ov[0] >= until)
			break;       /* starts past the window: not ours */
		if (ov[1] < ov[0]) { /* \K tricks: refuse, never guess */
			rc = pd_error_set(PD_EDEP,
			                  "PCRE2 returned a match that "
			                  "ends before it starts");
			break;
		}
		if ((rc = fn(ctx, ov[0], ov[1],
		             (const char *)pcre2_get_mark(md))) < 0)
			break;
		start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
		/* Never resume inside a UTF-8 sequence. */
		while (start < len &&
		       ((unsigned char)text[start] & 0xC0) == 0x80)
			start++;
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return rc;
}

pd_rc pd_regex_at(const pd_regex *re, const char *text, size_t len, size_t at,
                  bool more, int *result)
{
	pcre2_match_data *md =
	        pcre2_match_data_create_from_pattern(re->code, NULL);
	pcre2_match_context *mc = pcre2_match_context_copy(re->mctx);
	pd_rc rc = PD_OK;
	int r;

	*result = 0;
	if (!md || !mc) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return pd_error_set(PD_ENOMEM, "out of memory");
	}
	pcre2_set_offset_limit(mc, at);
	r = pcre2_match(re->code, (PCRE2_SPTR)text, len, at,
	                PCRE2_NO_UTF_CHECK | (more ? PCRE2_PARTIAL_HARD : 0),
	                md, mc);
	if (r == PCRE2_ERROR_PARTIAL && more)
		*result = 2;
	else if (r >= 0)
		*result = 1;
	else if (r != PCRE2_ERROR_NOMATCH)
		rc = match_error(r);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return rc;
}

void pd_regex_free(pd_regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	pd_free(re);
}
