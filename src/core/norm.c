/*
 * The normalisation pipeline (see include/purdah/norm.h). One pass over the
 * input feeds code points into the token being built; at each token end
 * leetspeak is resolved, the token is split where letters meet digits (and,
 * for hashtags, on case), and the pieces are appended to the output. A last
 * pass joins runs of single letters. Plain ASCII takes a fast path.
 */
#include "purdah/norm.h"

#include <stddef.h>
#include <string.h>

#include "dep/utf8.h"
#include "dep/xml.h"
#include "purdah/alloc.h"

#define TC_MAX 256 /* longer tokens keep their first TC_MAX characters */

typedef struct {
	int32_t cp;     /* folded code point */
	uint32_t a, b;  /* original byte span */
	uint8_t cls;    /* 'L' letter, 'D' digit, 'S' leet symbol (@ $),
	                   'W' wildcard (* or an emoji inside a word) */
	uint8_t upper;  /* the original character was upper case */
	uint8_t styled; /* a look-alike, styled or leet form of a letter */
	uint8_t leet;   /* read as leet: 1, or 2 for a '1' */
} tchar;

typedef struct {
	pd_norm *n;
	const unsigned char *in;
	size_t len;
	size_t ntc;
	uint32_t tok_end; /* end of the token's last character */
	bool tag, handle; /* the token started with # or @ */
	bool pending_tag, pending_handle;
	bool joined;       /* a line-break hyphen was skipped */
	bool hidden;       /* an invisible character inside the token */
	size_t joinpos;    /* characters before a line-break join */
	int marks;         /* combining marks on the last letter */
	size_t no_gt_from; /* no '>' after this offset */
	char gap;          /* separators since the last token */
	int gapn;
	bool singles; /* single-letter tokens were emitted */
	pd_rc rc;
	tchar tc[TC_MAX]; /* last: a run clears only the fields above */
} ncx;

/* Look-alike letters to Latin, after case folding (so lower case only):
 * Cyrillic, Greek, small capitals and a few Latin variants. Sorted. */
static const struct {
	int32_t from;
	char to;
} confusables[] = {
        {0x0131, 'i'}, {0x0237, 'j'}, {0x0251, 'a'}, {0x0261, 'g'},
        {0x0262, 'g'}, {0x026A, 'i'}, {0x0274, 'n'}, {0x0280, 'r'},
        {0x028F, 'y'}, {0x0299, 'b'}, {0x029C, 'h'}, {0x029F, 'l'},
        {0x03B1, 'a'}, {0x03B2, 'b'}, {0x03B5, 'e'}, {0x03B6, 'z'},
        {0x03B7, 'h'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BC, 'm'},
        {0x03BD, 'n'}, {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C2, 's'},
        {0x03C4, 't'}, {0x03C5, 'y'}, {0x03C7, 'x'}, {0x03C9, 'w'},
        {0x03F2, 'c'}, {0x03F3, 'j'}, {0x0430, 'a'}, {0x0432, 'b'},
        {0x0435, 'e'}, {0x0437, '3'}, {0x043A, 'k'}, {0x043C, 'm'},
        {0x043D, 'h'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'},
        {0x0442, 't'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x044C, 'b'},
        {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0457, 'i'},
        {0x0458, 'j'}, {0x04AF, 'y'}, {0x04BB, 'h'}, {0x04CF, 'l'},
        {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'}, {0x1D00, 'a'},
        {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'},
        {0x1D0B, 'k'}, {0x1D0D, 'm'}, {0x1D0F, 'o'}, {0x1D18, 'p'},
        {0x1D1B, 't'}, {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'},
        {0x1D22, 'z'}, {0xA730, 'f'}, {0xA731, 's'},
};

static int32_t unconfuse(int32_t cp)
{
	size_t lo = 0, hi = sizeof(confusables) / sizeof(confusables[0]);

	if (cp < 0x0131)
		return cp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (confusables[mid].from < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(confusables) / sizeof(confusables[0]) &&
	    confusables[lo].from == cp)
		return (unsigned char)confusables[lo].to;
	return cp;
}

/* Letters in "styled" Unicode blocks: full-width forms, mathematical
 * alphanumerics, letterlike symbols, enclosed (circled, squared) letters,
 * small capitals and IPA letters. Legitimate text rarely uses them. */
static bool styled_letter(int32_t cp)
{
	return (cp >= 0xFF01 && cp <= 0xFF5E) ||
	       (cp >= 0x1D400 && cp <= 0x1D7FF) ||
	       (cp >= 0x2100 && cp <= 0x214F) ||
	       (cp >= 0x2460 && cp <= 0x24FF) ||
	       (cp >= 0x1F130 && cp <= 0x1F189) ||
	       (cp >= 0x1D00 && cp <= 0x1D2B) ||
	       (cp >= 0x0250 && cp <= 0x02AF) || (cp >= 0xA730 && cp <= 0xA731);
}

/* One of the accents of written European languages, as a combining mark
 * (text in decomposed form, as macOS writes it: "Sia\u0302n"). Other marks
 * (overlays, underlines, stacks of marks) are decoration that hides a
 * word. */
static bool accent_mark(int32_t cp)
{
	switch (cp) {
	case 0x0300:
	case 0x0301:
	case 0x0302:
	case 0x0303:
	case 0x0304:
	case 0x0306:
	case 0x0307:
	case 0x0308:
	case 0x030A:
	case 0x030B:
	case 0x030C:
	case 0x0327:
	case 0x0328: return true;
	default: return false;
	}
}

/* Small capitals are lower-case letters that look upper-case. */
static bool small_capital(int32_t cp)
{
	return (cp >= 0x1D00 && cp <= 0x1D22) || cp == 0x0262 || cp == 0x026A ||
	       cp == 0x0274 || cp == 0x0280 || cp == 0x028F || cp == 0x0299 ||
	       cp == 0x029C || cp == 0x029F || cp == 0xA730 || cp == 0xA731;
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ------------------------------------------------------------------------ */
/* Emitting tokens                                                          */

static pd_rc grow_tokens(pd_norm *n)
{
	size_t nc;
	pd_token *nt;

	if (n->ntok < n->captok)
		return PD_OK;
	nc = n->captok ? n->captok * 2 : 256;
	nt = pd_realloc(n->tok, nc * sizeof(*nt));
	if (!nt)
		return pd_error_set(PD_ENOMEM, "out of memory");
	n->tok = nt;
	n->captok = nc;
	return PD_OK;
}

/* Append tc[from, to) as one token. */
static void emit(ncx *x, size_t from, size_t to, uint8_t sep, uint16_t flags)
{
	pd_norm *n = x->n;
	pd_token *t;
	uint32_t upper = 0, leet1 = 0;
	uint16_t nlet = 0;
	size_t i;

	if (x->rc < 0 || from >= to)
		return;
	if ((x->rc = grow_tokens(n)) < 0)
		return;
	if (n->ntok && (x->rc = pd_buf_putc(&n->text, ' ')) < 0)
		return;
	t = &n->tok[n->ntok];
	t->norm_off = (uint32_t)n->text.len;
	for (i = from; i < to && x->rc == PD_OK; i++) {
		const tchar *c = &x->tc[i];
		if (c->styled)
			flags |= PD_TOK_DISGUISED;
		if (c->cls == 'W')
			flags |= PD_TOK_WILD;
		if (c->leet == 2 && i - from < 32)
			leet1 |= 1u << (i - from);
		if (c->cls == 'W') {
			x->rc = pd_buf_putc(&n->text, '*');
		} else if (c->cp < 0x80) {
			x->rc = pd_buf_putc(&n->text, (char)c->cp);
		} else {
			char u[4];
			x->rc = pd_buf_put(&n->text, u,
			                   pd_utf8_encode(c->cp, u));
		}
		if (c->cls == 'L' ||
		    c->cls == 'W') { /* a wildcard is a letter */
			if (c->upper && nlet < 32)
				upper |= 1u << nlet;
			if (nlet < UINT16_MAX)
				nlet++;
		}
	}
	if (x->rc < 0)
		return;
	t->norm_len = (uint32_t)(n->text.len - t->norm_off);
	t->orig_off = x->tc[from].a;
	t->orig_end = x->tc[to - 1].b;
	t->upper = upper;
	t->nlet = nlet;
	t->flags = flags;
	t->leet1 = leet1;
	t->joinpos = (flags & PD_TOK_LINEJOIN) && x->joinpos > from &&
	                             x->joinpos < to && x->joinpos - from < 256
	                     ? (uint8_t)(x->joinpos - from)
	                     : 0;
	t->join_a = t->joinpos ? x->tc[x->joinpos - 1].b : 0;
	t->join_b = t->joinpos ? x->tc[x->joinpos].a : 0;
	t->sep = sep;
	t->sepn = sep == 's' ? 0 : (uint8_t)(x->gapn > 255 ? 255 : x->gapn);
	if (t->norm_len == 1 && nlet == 1)
		x->singles = true;
	n->ntok++;
}

static bool leetable(const tchar *c)
{
	if (c->cls == 'S')
		return true;
	if (c->cls != 'D')
		return false;
	switch (c->cp) {
	case '0':
	case '1':
	case '3':
	case '4':
	case '5':
	case '7': return true;
	default: return false;
	}
}

static int32_t leet_letter(int32_t cp)
{
	switch (cp) {
	case '0': return 'o';
	case '1': return 'i';
	case '3': return 'e';
	case '4':
	case '@': return 'a';
	case '5':
	case '$': return 's';
	case '7': return 't';
	default: return cp;
	}
}

/* Bits [from, from + len) of a word's masks, as a piece's 32-bit field. */
static inline uint32_t bits32(uint64_t mask, size_t from, size_t len)
{
	uint64_t v = mask >> from;
	return (uint32_t)(len >= 32 ? v : v & ((1ULL << len) - 1));
}

size_t pd_norm_alnum(const char *in, size_t n, char *out, pd_norm_piece *p)
{
	/* per byte: 1 lower-case letter, 2 upper-case, 4 digit, 8 a leet
	 * digit (with 4) */
	static const uint8_t cl[128] = {
	        ['0'] = 12, ['1'] = 12, ['2'] = 4,  ['3'] = 12, ['4'] = 12,
	        ['5'] = 12, ['6'] = 4,  ['7'] = 12, ['8'] = 4,  ['9'] = 4,
	        ['A'] = 2,  ['B'] = 2,  ['C'] = 2,  ['D'] = 2,  ['E'] = 2,
	        ['F'] = 2,  ['G'] = 2,  ['H'] = 2,  ['I'] = 2,  ['J'] = 2,
	        ['K'] = 2,  ['L'] = 2,  ['M'] = 2,  ['N'] = 2,  ['O'] = 2,
	        ['P'] = 2,  ['Q'] = 2,  ['R'] = 2,  ['S'] = 2,  ['T'] = 2,
	        ['U'] = 2,  ['V'] = 2,  ['W'] = 2,  ['X'] = 2,  ['Y'] = 2,
	        ['Z'] = 2,  ['a'] = 1,  ['b'] = 1,  ['c'] = 1,  ['d'] = 1,
	        ['e'] = 1,  ['f'] = 1,  ['g'] = 1,  ['h'] = 1,  ['i'] = 1,
	        ['j'] = 1,  ['k'] = 1,  ['l'] = 1,  ['m'] = 1,  ['n'] = 1,
	        ['o'] = 1,  ['p'] = 1,  ['q'] = 1,  ['r'] = 1,  ['s'] = 1,
	        ['t'] = 1,  ['u'] = 1,  ['v'] = 1,  ['w'] = 1,  ['x'] = 1,
	        ['y'] = 1,  ['z'] = 1};
	/* one bit per byte: letters, upper-case ones, leet digits, '1's;
	 * then the leet digits read as letters, and letters after that */
	uint64_t let = 0, up = 0, ld = 0, one = 0, leet = 0, lets, bound;
	uint16_t flags;
	size_t np = 0, start = 0;

	if (n == 0 || n > PD_NORM_ALNUM_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)in[i];
		unsigned c = b < 128 ? cl[b] : 0;
		if (!c)
			return 0;
		let |= (uint64_t)((c & 3) != 0) << i;
		up |= (uint64_t)(c >> 1 & 1) << i;
		ld |= (uint64_t)(c >> 3) << i;
		one |= (uint64_t)(b == '1') << i;
		out[i] = (char)(c & 3 ? b | 0x20 : b);
	}
	/* end_token's leetspeak: a run of leet digits between letters (a
	 * run that starts after a letter starts at i >= 1, so it is shorter
	 * than 64) */
	for (uint64_t s = ld & (let << 1); s; s &= s - 1) {
		unsigned a = (unsigned)__builtin_ctzll(s);
		unsigned r = (unsigned)__builtin_ctzll(~(ld >> a));
		if (a + r < n && (let >> (a + r) & 1)) {
			leet |= ((1ULL << r) - 1) << a;
			for (unsigned q = a; q < a + r; q++)
				out[q] = (char)leet_letter(in[q]);
		}
	}
	flags = (leet & one) ? PD_TOK_LEET1 : 0;
	/* a letter three times in a row: the general path reads it once */
	for (uint64_t t = let & let << 1 & let << 2; t; t &= t - 1) {
		unsigned i = (unsigned)__builtin_ctzll(t);
		if (out[i] == out[i - 1] && out[i] == out[i - 2])
			return 0;
	}
	/* split where letters meet digits: bit i of bound, byte i and the
	 * next differ */
	lets = let | leet;
	bound = (lets ^ lets >> 1) & ((1ULL << (n - 1)) - 1);
	for (;;) {
		size_t end = bound ? (size_t)__builtin_ctzll(bound) + 1 : n;
		size_t len = end - start;
		pd_norm_piece *x = &p[np++];
		bool letters = lets >> start & 1;
		x->off = (uint8_t)start;
		x->len = (uint8_t)len;
		x->nlet = letters ? (uint16_t)len : 0;
		x->flags = flags;
		x->upper = 0;
		x->leet1 = 0;
		if (letters) {
			uint64_t piece = (len == 64 ? ~0ULL : (1ULL << len) - 1)
			                 << start;
			if (leet & piece)
				x->flags |= PD_TOK_DISGUISED;
			x->leet1 = bits32(leet & one, start, len);
			x->upper = bits32(up, start, len);
		}
		if (!bound)
			return np;
		bound &= bound - 1;
		start = end;
	}
}

/* End the token being built: leetspeak, splitting, emission. */
static void end_token(ncx *x)
{
	size_t i, start;
	uint16_t flags = 0;
	uint8_t sep;

	if (x->ntc == 0) {
		x->pending_tag = x->pending_handle = false;
		return;
	}
	/* Leetspeak: a leet character between letters of this token. */
	for (i = 0; i < x->ntc; i++) {
		size_t l, r;
		if (!leetable(&x->tc[i]))
			continue;
		for (l = i; l > 0 && leetable(&x->tc[l - 1]); l--)
			;
		for (r = i + 1; r < x->ntc && leetable(&x->tc[r]); r++)
			;
		if (l > 0 && x->tc[l - 1].cls == 'L' && r < x->ntc &&
		    x->tc[r].cls == 'L') {
			/* In a hashtag a digit between a word and a capital
			 * is a word of its own: #Vote4Labour. */
			if (x->tag && !x->tc[l - 1].upper && x->tc[r].upper)
				continue;
			if (x->tc[i].cp == '1')
				flags |= PD_TOK_LEET1;
			x->tc[i].leet = x->tc[i].cp == '1' ? 2 : 1;
			x->tc[i].cp = leet_letter(x->tc[i].cp);
			x->tc[i].cls = 'L';
			x->tc[i].upper = 0;
			x->tc[i].styled = 1;
		}
	}
	/* A wildcard stays only between letters (T*ries); elsewhere it is
	 * dropped (a trailing emoji), which splits the token there. */
	for (i = 0; i < x->ntc; i++) {
		size_t l, r;
		if (x->tc[i].cls != 'W')
			continue;
		for (l = i; l > 0 && x->tc[l - 1].cls == 'W'; l--)
			;
		for (r = i + 1; r < x->ntc && x->tc[r].cls == 'W'; r++)
			;
		if (!(l > 0 && x->tc[l - 1].cls == 'L' && r < x->ntc &&
		      x->tc[r].cls == 'L' && r - l <= 2))
			/* '*' splits here; an emoji becomes its own token */
			x->tc[i].cls = x->tc[i].cp == '*' ? 'S' : 'E';
	}
	/* A letter three or more times in a row is read once (Toriessss,
	 * Laaabour): no English word has such a run. */
	for (i = 2; i < x->ntc; i++)
		if (x->tc[i].cls == 'L' && x->tc[i].cp == x->tc[i - 1].cp &&
		    x->tc[i].cp == x->tc[i - 2].cp && !x->tc[i].leet &&
		    !x->tc[i - 1].leet && !x->tc[i - 2].leet)
			break;
	if (i < x->ntc) {
		size_t w = 0;
		for (i = 0; i < x->ntc;) {
			size_t r = i + 1;
			while (r < x->ntc && x->tc[i].cls == 'L' &&
			       x->tc[r].cls == 'L' &&
			       x->tc[r].cp == x->tc[i].cp && !x->tc[i].leet &&
			       !x->tc[r].leet)
				r++;
			if (r - i >= 3) {
				x->tc[w] = x->tc[i];
				x->tc[w].b = x->tc[r - 1].b;
				x->tc[w].styled = 1;
				w++;
			} else {
				memmove(&x->tc[w], &x->tc[i],
				        (r - i) * sizeof(*x->tc));
				w += r - i;
			}
			i = r;
		}
		x->ntc = w;
	}
	if (x->hidden)
		flags |= PD_TOK_DISGUISED;
	if (x->tag)
		flags |= PD_TOK_TAG;
	if (x->handle)
		flags |= PD_TOK_HANDLE;
	if (x->joined)
		flags |= PD_TOK_JOINED | PD_TOK_LINEJOIN;
	sep = x->n->ntok == 0 && x->gapn == 0 ? 0 : (uint8_t)x->gap;
	/* Split where letters meet digits, at leftover leet symbols, and in
	 * hashtags and handles on case (VoteLabour, SNPOut). */
	start = 0;
	for (i = 0; i <= x->ntc; i++) {
		bool cut = i == x->ntc;
		if (!cut && x->tc[i].cls == 'S') {
			emit(x, start, i, sep, flags);
			if (start < i)
				sep = 's';
			start = i + 1;
			continue;
		}
		if (!cut && x->tc[i].cls == 'E') {
			emit(x, start, i, sep, flags);
			emit(x, i, i + 1, 'x', 0); /* the emoji alone */
			sep = 'x';
			start = i + 1;
			continue;
		}
		if (!cut && i > start) {
			const tchar *p = &x->tc[i - 1], *c = &x->tc[i];
			bool pw = p->cls == 'L' || p->cls == 'W';
			bool cw = c->cls == 'L' || c->cls == 'W';
			cut = pw != cw;
			if (!cut && x->tag && p->cls == 'L' && c->cls == 'L' &&
			    c->upper)
				cut = !p->upper || (i + 1 < x->ntc &&
				                    x->tc[i + 1].cls == 'L' &&
				                    !x->tc[i + 1].upper);
		}
		if (cut) {
			emit(x, start, i, sep, flags);
			sep = 's';
			start = i;
		}
	}
	x->ntc = 0;
	x->tag = x->handle = x->joined = x->hidden = false;
	x->joinpos = 0;
	x->pending_tag = x->pending_handle = false;
	x->gap = 0;
	x->gapn = 0;
}

static void push(ncx *x, int32_t cp, uint32_t a, uint32_t b, uint8_t cls,
                 bool upper)
{
	x->marks = 0;
	if (x->ntc == 0) {
		x->tag = x->pending_tag || x->pending_handle;
		x->handle = x->pending_handle;
		x->pending_tag = x->pending_handle = false;
	}
	if (x->ntc == TC_MAX) {
		x->tc[TC_MAX - 1].b = b; /* over-long: keep the span growing */
		return;
	}
	x->tc[x->ntc].cp = cp;
	x->tc[x->ntc].a = a;
	x->tc[x->ntc].b = b;
	x->tc[x->ntc].cls = cls;
	x->tc[x->ntc].upper = upper;
	x->tc[x->ntc].styled = 0;
	x->tc[x->ntc].leet = 0;
	x->ntc++;
}

/* A separator character: ends the token, accumulates the gap class. */
static void separator(ncx *x, char cls)
{
	end_token(x);
	pd_norm_gap_add(&x->gap, &x->gapn, cls);
}

/* ------------------------------------------------------------------------ */
/* Reading the input                                                        */

/* At a hyphen ending at byte `i`: when only blanks and one line break lie
 * between it and a letter, return the offset of that letter (the word
 * continues there), else 0. */
size_t pd_norm_hyphen_break(const char *text, size_t len, size_t i)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t j = i;
	bool nl = false;

	while (j < len && (in[j] == ' ' || in[j] == '\t'))
		j++;
	if (j < len && in[j] == '\r')
		j++, nl = true;
	if (j < len && in[j] == '\n')
		j++, nl = true;
	if (!nl)
		return 0;
	while (j < len && (in[j] == ' ' || in[j] == '\t'))
		j++;
	if (j < len && (is_alpha(in[j]) || in[j] >= 0x80))
		return j;
	return 0;
}

static size_t hyphen_break(const ncx *x, size_t i)
{
	return pd_norm_hyphen_break((const char *)x->in, x->len, i);
}

/* Is the '@' at byte i the start of an e-mail domain ("a@b.c")? */
bool pd_norm_email_at(const char *text, size_t len, size_t i)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t j = i + 1;

	while (j < len && (is_alpha(in[j]) || is_digit(in[j]) || in[j] == '-'))
		j++;
	return j > i + 1 && j + 1 < len && in[j] == '.' && is_alpha(in[j + 1]);
}

static bool email_at(const ncx *x, size_t i)
{
	return pd_norm_email_at((const char *)x->in, x->len, i);
}

/* Decode an entity at in[i] == '&'; returns its end (after ';') and the
 * code point, or 0 when it is not one. */
static size_t entity(const ncx *x, size_t i, int32_t *cp)
{
	size_t j = i + 1, start;
	int32_t v = 0;

	if (j < x->len && x->in[j] == '#') {
		bool hex = j + 1 < x->len &&
		           (x->in[j + 1] == 'x' || x->in[j + 1] == 'X');
		j += hex ? 2 : 1;
		start = j;
		while (j < x->len && j - start < 8) {
			int c = x->in[j], d;
			if (is_digit(c))
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + d;
			j++;
		}
		if (j == start || j >= x->len || x->in[j] != ';' || v <= 0 ||
		    v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return j + 1;
	}
	start = j;
	while (j < x->len && j - start < 32 &&
	       (is_alpha(x->in[j]) || is_digit(x->in[j])))
		j++;
	if (j == start || j >= x->len || x->in[j] != ';')
		return 0;
	v = pd_html_entity((const char *)x->in + start, j - start);
	if (v <= 0)
		return 0;
	*cp = v;
	return j + 1;
}

/* One code point from the input at [a, b). Returns where to continue
 * (normally b). */
static size_t feed_cp(ncx *x, int32_t cp, size_t a, size_t b)
{
	int32_t f[8];
	int nf;

	if (cp >= 0 && cp < 0x80) {
		if (is_alpha(cp)) {
			push(x, cp | 0x20, (uint32_t)a, (uint32_t)b, 'L',
			     cp < 'a');
		} else if (is_digit(cp)) {
			push(x, cp, (uint32_t)a, (uint32_t)b, 'D', false);
		} else if ((cp == '@' || cp == '$') && x->ntc > 0 &&
		           !(cp == '@' && email_at(x, b - 1))) {
			push(x, cp, (uint32_t)a, (uint32_t)b, 'S', false);
		} else if (cp == '#' && x->ntc == 0) {
			x->pending_tag = true;
		} else if (cp == '@' && x->ntc == 0) {
			x->pending_handle = true;
		} else if (cp == '-' && x->ntc > 0 &&
		           x->tc[x->ntc - 1].cls == 'L') {
			size_t next = hyphen_break(x, b);
			if (next) {
				x->joined = true;
				x->joinpos = x->ntc;
				return next;
			}
			separator(x, '-');
		} else if (cp == ' ' || cp == '\t') {
			separator(x, ' ');
		} else if (cp == '\n' || cp == '\r') {
			separator(x, '\n');
		} else if (cp == '_' && x->handle && x->ntc > 0) {
			/* inside an @handle: a split, not the handle's end */
			push(x, '_', (uint32_t)a, (uint32_t)b, 'S', false);
		} else if (cp == '*' && x->ntc > 0 &&
		           (x->tc[x->ntc - 1].cls == 'L' ||
		            x->tc[x->ntc - 1].cls == 'W')) {
			push(x, '*', (uint32_t)a, (uint32_t)b, 'W', false);
		} else if (cp == '.' || cp == '_' || cp == '*') {
			separator(x, (char)cp);
		} else {
			separator(x, 'x');
		}
		return b;
	}
	if (cp < 0) {
		separator(x, 'x'); /* invalid UTF-8: never part of a word */
		return b;
	}
	if ((cp == 0x2010 || cp == 0x2011) && x->ntc > 0) {
		size_t next = hyphen_break(x, b);
		if (next) {
			x->joined = true;
			return next;
		}
	}
	nf = pd_utf8_fold(cp, f, 8);
	if (nf == 0) {
		/* Invisible, or a bare combining mark: the word goes on, but
		 * nobody types those inside a word by accident. */
		if (x->ntc > 0 && (!accent_mark(cp) || ++x->marks > 1))
			x->hidden = true;
		return b;
	}
	for (int k = 0; k < nf; k++) {
		int32_t g = unconfuse(f[k]);
		bool up = pd_utf8_is_upper(cp) || small_capital(cp);
		if (g < 0x80) {
			if (is_alpha(g)) {
				push(x, g | 0x20, (uint32_t)a, (uint32_t)b, 'L',
				     up);
				if (g != f[k] || styled_letter(cp))
					x->tc[x->ntc - 1].styled = 1;
			} else if (is_digit(g))
				push(x, g, (uint32_t)a, (uint32_t)b, 'D',
				     false);
			else if (g == ' ')
				separator(x, ' ');
			else if (g == '-')
				separator(x, '-');
			else
				separator(x, 'x');
			continue;
		}
		switch (pd_utf8_class(g)) {
		case PD_UC_LETTER:
			push(x, g, (uint32_t)a, (uint32_t)b, 'L', up);
			break;
		case PD_UC_DIGIT:
			push(x, g, (uint32_t)a, (uint32_t)b, 'D', false);
			break;
		case PD_UC_SPACE: separator(x, ' '); break;
		case PD_UC_SYMBOL:
			/* Between letters a symbol stands for a letter
			 * (L🌹b🌹ur). Elsewhere emoji and symbols are tokens of
			 * their own, so a lexicon can name one. */
			if (x->ntc > 0 && (x->tc[x->ntc - 1].cls == 'L' ||
			                   x->tc[x->ntc - 1].cls == 'W')) {
				/* the symbol itself is kept in case it ends
				 * the word (then it is a token of its own) */
				push(x, g, (uint32_t)a, (uint32_t)b, 'W',
				     false);
				break;
			}
			separator(x, 'x');
			push(x, g, (uint32_t)a, (uint32_t)b, 'D', false);
			end_token(x);
			break;
		default:
			separator(x, (char)(g == 0x2014 || g == 0x2013 ? '-'
			                                               : 'x'));
		}
	}
	return b;
}

static bool block_tag(const unsigned char *name, size_t len)
{
	static const char *const blocks[] = {
	        "p",          "div",     "br",      "li",      "ul",
	        "ol",         "h1",      "h2",      "h3",      "h4",
	        "h5",         "h6",      "tr",      "td",      "th",
	        "table",      "section", "article", "header",  "footer",
	        "blockquote", "hr",      "title",   "option",  "dt",
	        "dd",         "nav",     "aside",   "main",    "figure",
	        "figcaption", "pre",     "address", "form",    "body",
	        "head",       "html",    "img",     "caption", "summary",
	        "details"};
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strlen(blocks[i]) == len &&
		    strncasecmp((const char *)name, blocks[i], len) == 0)
			return true;
	return false;
}

static void feed_range(ncx *x, size_t from, size_t to, bool html);

/* Case-insensitive search for `needle` in in[from, to). */
static size_t find_ci(const ncx *x, size_t from, size_t to, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= to; i++)
		if (strncasecmp((const char *)x->in + i, needle, n) == 0)
			return i;
	return to;
}

/* A tag, comment or declaration starting at in[i] == '<'. Returns where
 * to continue, or 0 when this '<' is just a character. */
static size_t html_tag(ncx *x, size_t i)
{
	size_t j = i + 1, name, nlen, end;
	bool closing = false;
	char quote = 0;

	if (j + 2 < x->len && memcmp(x->in + j, "!--", 3) == 0) {
		end = find_ci(x, j + 3, x->len, "-->");
		return end < x->len ? end + 3 : x->len; /* comments join */
	}
	if (j < x->len && x->in[j] == '/')
		closing = true, j++;
	if (j >= x->len ||
	    !(is_alpha(x->in[j]) || x->in[j] == '!' || x->in[j] == '?'))
		return 0; /* "a < b", "<3": no tag, and no search for '>' */
	/* No '>' left in the text: no tag can close (and looking again for
	 * every '<' would make the scan quadratic). */
	if (i >= x->no_gt_from)
		return 0;
	if (!memchr(x->in + j, '>', x->len - j)) {
		x->no_gt_from = i;
		return 0;
	}
	name = j;
	while (j < x->len && (is_alpha(x->in[j]) || is_digit(x->in[j])))
		j++;
	nlen = j - name;
	/* Find the end of the tag, honouring quoted attribute values; a
	 * "tag" longer than 2 KiB is text with a stray '<'. */
	for (end = j; end < x->len && end - i < 2048; end++) {
		if (quote) {
			if (x->in[end] == quote)
				quote = 0;
		} else if (x->in[end] == '"' || x->in[end] == '\'') {
			quote = (char)x->in[end];
		} else if (x->in[end] == '>') {
			break;
		}
	}
	if (end >= x->len || x->in[end] != '>')
		return 0;
	if (block_tag(x->in + name, nlen))
		separator(x, '\n');
	/* alt="..." and title="..." are text a reader sees; href="..." and
	 * src="..." say where a link goes, which matters as much. */
	if (!closing) {
		for (size_t k = j; k + 5 < end; k++) {
			size_t v;
			char q;
			if (!((k == j || x->in[k - 1] == ' ' ||
			       x->in[k - 1] == '\t' || x->in[k - 1] == '\n') &&
			      (strncasecmp((const char *)x->in + k,
			                   "alt=", 4) == 0 ||
			       strncasecmp((const char *)x->in + k,
			                   "src=", 4) == 0 ||
			       strncasecmp((const char *)x->in + k,
			                   "href=", 5) == 0 ||
			       strncasecmp((const char *)x->in + k,
			                   "title=", 6) == 0)))
				continue;
			v = (size_t)((const unsigned char *)memchr(
			                     x->in + k, '=', end - k) -
			             x->in) +
			    1;
			q = (char)x->in[v];
			if (q != '"' && q != '\'')
				continue;
			for (size_t e = v + 1; e < end; e++) {
				if (x->in[e] == q) {
					separator(x, '\n');
					feed_range(x, v + 1, e, false);
					separator(x, '\n');
					k = e;
					break;
				}
			}
		}
	}
	/* The contents of script and style are never text. */
	if (!closing && ((nlen == 6 && strncasecmp((const char *)x->in + name,
	                                           "script", 6) == 0) ||
	                 (nlen == 5 && strncasecmp((const char *)x->in + name,
	                                           "style", 5) == 0))) {
		size_t close = find_ci(x, end + 1, x->len,
		                       nlen == 6 ? "</script" : "</style");
		separator(x, '\n');
		return close;
	}
	return end + 1;
}

/* Byte classes for the fast path: 1 = ASCII letter, 2 = digit, 4 = a
 * byte that may end a plain word (the word cannot go on past it in any
 * disguise: blanks and most punctuation; not - * _ @ $ & # < or bytes of
 * UTF-8 sequences). */
static unsigned char byteclass[256];

static void init_byteclass(void)
{
	static const char ends[] = " \t\n\r,;:!?()[]{}\"'./\\|+=%^~`>";

	for (int c = 'a'; c <= 'z'; c++)
		byteclass[c] = byteclass[c - 32] = 1;
	for (int c = '0'; c <= '9'; c++)
		byteclass[c] = 2;
	for (const char *p = ends; *p; p++)
		byteclass[(unsigned char)*p] = 4;
	byteclass[' '] |= 8; /* whitespace, for the matcher's fast path */
	byteclass['\t'] |= 8;
	byteclass['\n'] |= 8;
	byteclass['\r'] |= 8;
}

const unsigned char *pd_norm_byte_classes(void)
{
	if (!byteclass['a'])
		init_byteclass(); /* idempotent: racing threads write the same
		                   */
	return byteclass;
}

/*
 * The fast path: a plain word of ASCII letters (or of digits) that starts
 * a token and ends at a byte that cannot continue it goes straight to the
 * output, with no per-character work beyond lower-casing. Anything else
 * (leet, a letter repeated three times, a hyphen, a tag or entity, UTF-8)
 * returns 0 and takes the general path.
 */
static size_t fast_word(ncx *x, size_t i, size_t to, bool html)
{
	const unsigned char *in = x->in;
	unsigned char kind = byteclass[in[i]];
	size_t j = i;
	uint32_t upper = 0;
	pd_norm *n = x->n;
	pd_token *t;
	char *w;

	if (x->ntc || x->pending_tag || x->pending_handle)
		return 0;
	while (j < to && byteclass[in[j]] == kind) {
		if (kind == 1) {
			if (j - i < 32 && in[j] < 'a')
				upper |= 1u << (j - i);
			if (j - i >= 2 &&
			    (in[j] | 0x20) == (in[j - 1] | 0x20) &&
			    (in[j] | 0x20) == (in[j - 2] | 0x20))
				return 0; /* Toriessss: the general path */
		}
		j++;
	}
	if (j - i > 64)
		return 0;
	if (j < to && !(byteclass[in[j]] & 4)) {
		/* a few more bytes end a word outside their special cases */
		unsigned char e = in[j];
		bool ok = (e == '-' && kind == 1 && !hyphen_break(x, j + 1)) ||
		          (e == '-' && kind == 2) || (e == '_') ||
		          (!html && (e == '<' || e == '>'));
		if (!ok)
			return 0;
	}
	if (html && j < to && in[j] == '>')
		return 0;
	if ((n->ntok == n->captok && grow_tokens(n) < 0) ||
	    (n->text.len + (j - i) + 2 >= n->text.cap &&
	     pd_buf_reserve(&n->text, j - i + 1) < 0)) {
		x->rc = pd_error_code();
		return to;
	}
	if (n->ntok)
		n->text.ptr[n->text.len++] = ' ';
	t = &n->tok[n->ntok];
	t->norm_off = (uint32_t)n->text.len;
	w = n->text.ptr + n->text.len;
	for (size_t k = i; k < j; k++)
		*w++ = (char)(in[k] | (kind == 1 ? 0x20 : 0));
	*w = '\0';
	n->text.len += j - i;
	t->norm_len = (uint32_t)(j - i);
	t->orig_off = (uint32_t)i;
	t->orig_end = (uint32_t)j;
	t->upper = upper;
	t->nlet = (uint16_t)(kind == 1 ? j - i : 0);
	t->flags = 0;
	t->leet1 = 0;
	t->joinpos = 0;
	t->join_a = t->join_b = 0;
	t->sep = n->ntok == 0 && x->gapn == 0 ? 0 : (uint8_t)x->gap;
	t->sepn = (uint8_t)(x->gapn > 255 ? 255 : x->gapn);
	if (j - i == 1 && kind == 1)
		x->singles = true;
	n->ntok++;
	x->gap = 0;
	x->gapn = 0;
	return j;
}

static void feed_range(ncx *x, size_t from, size_t to, bool html)
{
	size_t i = from;

	while (i < to && x->rc == PD_OK) {
		unsigned char c = x->in[i];
		int32_t cp;
		size_t b;

		if (byteclass[c] & 3) {
			size_t next = fast_word(x, i, to, html);
			if (next) {
				i = next;
				continue;
			}
		} else if (((byteclass[c] & 4) || c == '-' || c == '_' ||
		            (!html && (c == '<' || c == '>'))) &&
		           x->ntc == 0 && !x->pending_tag &&
		           !x->pending_handle && !(html && c == '>')) {
			/* between words: the gap grows (pd_norm_gap_add, as
			 * separator()) */
			char g = c == ' ' || c == '\t'              ? ' '
			         : c == '\n' || c == '\r'           ? '\n'
			         : c == '.' || c == '-' || c == '_' ? (char)c
			                                            : 'x';
			pd_norm_gap_add(&x->gap, &x->gapn, g);
			i++;
			continue;
		}

		if (html && c == '<') {
			size_t next = html_tag(x, i);
			if (next) {
				i = next;
				continue;
			}
		}
		if (c == '&' && (b = entity(x, i, &cp)) != 0) {
			i = feed_cp(x, cp, i, b);
			continue;
		}
		if (c < 0x80) {
			i = feed_cp(x, c, i, i + 1);
			continue;
		}
		b = i + pd_utf8_decode(x->in + i, to - i, &cp);
		i = feed_cp(x, cp, i, b);
	}
}

/* ------------------------------------------------------------------------ */
/* Joining runs of single letters                                           */

/* Is there a run that join_singles would join? (Most texts have single
 * letters - "a", "I" - but no runs of them.) */
static bool has_single_run(const pd_norm *n)
{
	for (size_t r = 0; r + 1 < n->ntok; r++) {
		const pd_token *a = &n->tok[r], *b = &n->tok[r + 1];
		if (a->norm_len == 1 && a->nlet == 1 && b->norm_len == 1 &&
		    b->nlet == 1 && pd_norm_joinable_sep(b->sep))
			return true;
	}
	return false;
}

static pd_rc join_singles(pd_norm *n)
{
	pd_buf text = PD_BUF_INIT(n->text.limit);
	size_t r = 0, w = 0;
	pd_rc rc = PD_OK;

	while (r < n->ntok && rc == PD_OK) {
		size_t e = r + 1;
		bool dots = true;
		pd_token t = n->tok[r];

		if (t.norm_len == 1 && t.nlet == 1) {
			while (e < n->ntok && n->tok[e].norm_len == 1 &&
			       n->tok[e].nlet == 1 &&
			       pd_norm_joinable_sep(n->tok[e].sep) &&
			       (e == r + 1 ||
			        n->tok[e].sepn == n->tok[r + 1].sepn) &&
			       (e == r + 1 ||
			        n->tok[e].sep == n->tok[r + 1].sep)) {
				dots &= n->tok[e].sep == '.';
				e++;
			}
		}
		if (w && (rc = pd_buf_putc(&text, ' ')) < 0)
			break;
		if (pd_norm_singles_join(e - r, dots)) {
			uint32_t upper = 0;
			for (size_t k = r; k < e; k++) {
				if (n->tok[k].upper && k - r < 32)
					upper |= 1u << (k - r);
				rc = pd_buf_put(
				        &text, n->text.ptr + n->tok[k].norm_off,
				        1);
			}
			t.norm_len = (uint32_t)(e - r);
			t.orig_end = n->tok[e - 1].orig_end;
			t.upper = upper;
			t.nlet = (uint16_t)(e - r);
			t.flags |= PD_TOK_JOINED | PD_TOK_DISGUISED;
		} else {
			e = r + 1;
			rc = pd_buf_put(&text, n->text.ptr + t.norm_off,
			                t.norm_len);
		}
		t.norm_off = (uint32_t)(text.len - t.norm_len);
		n->tok[w++] = t;
		r = e;
	}
	if (rc < 0) {
		pd_buf_dispose(&text);
		return rc;
	}
	pd_buf_dispose(&n->text);
	n->text = text;
	n->ntok = w;
	return PD_OK;
}

/* ------------------------------------------------------------------------ */

pd_rc pd_norm_run(pd_norm *n, const char *in, size_t len, unsigned flags)
{
	ncx *x;
	pd_rc rc;

	if (len > PD_NORM_MAX_INPUT)
		return pd_error_set(PD_ETOOBIG, "text larger than %u bytes",
		                    (unsigned)PD_NORM_MAX_INPUT);
	pd_buf_clear(&n->text);
	n->ntok = 0;
	n->input_len = len;
	if ((rc = pd_buf_reserve(&n->text, len + 16)) < 0)
		return rc;
	pd_norm_byte_classes();
	/* The context is kept between runs: the matcher normalises many
	 * short stretches. */
	if (!n->ctx && !(n->ctx = pd_malloc(sizeof(ncx))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	x = n->ctx;
	memset(x, 0, offsetof(ncx, tc));
	x->n = n;
	x->no_gt_from = (size_t)-1;
	x->in = (const unsigned char *)in;
	x->len = len;
	feed_range(x, 0, len, (flags & PD_NORM_HTML) != 0);
	end_token(x);
	rc = x->rc;
	if (rc == PD_OK && x->singles && has_single_run(n))
		rc = join_singles(n);
	return rc;
}

const pd_token *pd_norm_token_at(const pd_norm *n, size_t off)
{
	size_t lo = 0, hi = n->ntok;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->tok[mid].norm_off + n->tok[mid].norm_len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n->ntok && n->tok[lo].norm_off <= off ? &n->tok[lo] : NULL;
}

/* Is the token a byte-for-byte lower-case copy of plain ASCII? */
static bool simple_token(const pd_token *t)
{
	return t->flags == 0 && t->orig_end - t->orig_off == t->norm_len;
}

void pd_norm_span(const pd_norm *n, size_t a, size_t b, size_t *orig_a,
                  size_t *orig_b)
{
	size_t lo = 0, hi = n->ntok, first, last;
	const pd_token *ta, *tb;

	/* the first token ending after a, the last starting before b: a
	 * range that starts or ends on a space snaps to the words in it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->tok[mid].norm_off + n->tok[mid].norm_len <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	lo = 0;
	hi = n->ntok;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->tok[mid].norm_off < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	last = lo; /* one past */
	if (first >= n->ntok || last == 0 || first >= last) {
		*orig_a = *orig_b = 0;
		return;
	}
	ta = &n->tok[first];
	tb = &n->tok[last - 1];
	*orig_a = simple_token(ta) && a >= ta->norm_off
	                  ? ta->orig_off + (a - ta->norm_off)
	                  : ta->orig_off;
	*orig_b = simple_token(tb) && b <= tb->norm_off + tb->norm_len
	                  ? tb->orig_off + (b - tb->norm_off)
	                  : tb->orig_end;
}

void pd_norm_dispose(pd_norm *n)
{
	pd_buf_dispose(&n->text);
	pd_free(n->tok);
	pd_free(n->ctx);
	n->ctx = NULL;
	n->tok = NULL;
	n->ntok = n->captok = 0;
}
