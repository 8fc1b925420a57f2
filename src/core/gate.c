/*
 * The posting gate's policy (see include/purdah/gate.h): scan the text,
 * find the periods in force for the item's areas at its publication time,
 * apply every rule in force and keep the most severe decision, with a
 * reason for each rule that applied.
 */
#include "purdah/gate.h"

#include <stdio.h>
#include <string.h>

#include "purdah/alloc.h"

#define MAX_PERIODS 256 /* in force at one moment for one item */
#define MAX_QUOTED  3   /* hit texts quoted in a message */
#define MAX_QUOTE   60  /* bytes of one quoted hit text */

struct pd_gate {
	const pd_config *cfg;
	const pd_calendar *cal;
	const pd_lexset *set;
	const pd_matcher *m;
	const pd_tz *tz;
	const char *lexicons_sha256;
};

static const char *const class_names[] = {
        "council-post", "third-party", "councillor-feed", "forum", "emergency"};
#define NCLASSES (sizeof(class_names) / sizeof(class_names[0]))

const char *pd_class_name(pd_class c)
{
	return (unsigned)c < NCLASSES ? class_names[c] : "unknown";
}

pd_rc pd_class_parse(pd_class *out, const char *s)
{
	for (size_t i = 0; i < NCLASSES; i++) {
		if (strcmp(s, class_names[i]) == 0) {
			*out = (pd_class)i;
			return PD_OK;
		}
	}
	return pd_error_set(PD_EUSAGE,
	                    "unknown class '%s' (known: council-post, "
	                    "third-party, councillor-feed, forum, emergency)",
	                    s);
}

const char *pd_decision_name(pd_decision d)
{
	switch (d) {
	case PD_ALLOW: return "allow";
	case PD_HOLD: return "hold";
	case PD_BLOCK: return "block";
	}
	return "unknown";
}

/* ------------------------------------------------------------------------ */

static bool lexset_has(const pd_lexset *set, const char *category)
{
	for (size_t i = 0; i < pd_lexset_count(set); i++)
		if (strcmp(pd_lexset_get(set, i)->category, category) == 0)
			return true;
	return false;
}

static pd_rc check_list(const pd_config *cfg, const pd_lexset *set,
                        const pd_category_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->lines[i] == 0 || lexset_has(set, l->names[i]))
			continue; /* built in, or known */
		return pd_error_set(PD_ECONFIG,
		                    "%s:%d: policy.%s: category '%s' is in no "
		                    "loaded lexicon, so this rule could never "
		                    "apply",
		                    cfg->path, l->lines[i], key, l->names[i]);
	}
	return PD_OK;
}

pd_rc pd_gate_new(pd_gate **out, const pd_config *cfg, const pd_calendar *cal,
                  const pd_lexset *set, const pd_matcher *m)
{
	pd_gate *g;
	pd_rc rc;

	PD_ASSERT(cfg && cal && set && m);
	if ((rc = check_list(cfg, set, &cfg->party_political,
	                     "party_political")) < 0 ||
	    (rc = check_list(cfg, set, &cfg->purdah_sensitive,
	                     "purdah_sensitive")) < 0 ||
	    (rc = check_list(cfg, set, &cfg->referendum, "referendum")) < 0 ||
	    (rc = check_list(cfg, set, &cfg->partisan, "partisan")) < 0 ||
	    (rc = check_list(cfg, set, &cfg->electoral_process,
	                     "electoral_process")) < 0)
		return rc;
	for (size_t i = 0; i < cfg->nthresholds; i++)
		if (!lexset_has(set, cfg->thresholds[i].category))
			return pd_error_set(
			        PD_ECONFIG,
			        "%s:%d: thresholds: category '%s' is in no "
			        "loaded lexicon",
			        cfg->path ? cfg->path : "configuration",
			        cfg->thresholds[i].line,
			        cfg->thresholds[i].category);
	if (!(g = pd_calloc(1, sizeof(*g))))
		return pd_error_set(PD_ENOMEM, "out of memory");
	g->cfg = cfg;
	g->cal = cal;
	g->set = set;
	g->m = m;
	g->tz = pd_calendar_tz(cal);
	/* Computed now, once: later calls only read it (threads). */
	g->lexicons_sha256 = pd_lexset_sha256(set);
	*out = g;
	return PD_OK;
}

void pd_gate_free(pd_gate *g)
{
	pd_free(g);
}

const pd_config *pd_gate_config(const pd_gate *g)
{
	return g->cfg;
}

const pd_calendar *pd_gate_calendar(const pd_gate *g)
{
	return g->cal;
}

const char *pd_gate_lexicons_sha256(const pd_gate *g)
{
	return g->lexicons_sha256;
}

void pd_verdict_dispose(pd_verdict *v)
{
	pd_scan_dispose(&v->scan);
	pd_free(v->reasons);
	pd_free(v->periods);
	pd_free(v->hit_index);
	pd_free(v->msg_at);
	pd_buf_dispose(&v->strings);
	v->reasons = NULL;
	v->periods = NULL;
	v->hit_index = NULL;
	v->msg_at = NULL;
	v->nreasons = v->nperiods = v->nhit_index = 0;
	v->capreasons = v->capperiods = v->caphit_index = v->capmsg_at = 0;
}

/* ------------------------------------------------------------------------ */
/* Building a verdict                                                       */

typedef struct {
	const pd_gate *g;
	const pd_item *it;
	pd_verdict *v;
} build;

static const pd_score *score_of(const pd_verdict *v, const char *category)
{
	for (size_t i = 0; i < v->scan.nscores; i++)
		if (strcmp(v->scan.scores[i].category, category) == 0)
			return &v->scan.scores[i];
	return NULL;
}

/* The score of `category` when it has hits and reaches its threshold,
 * else NULL. */
static const pd_score *reached(const pd_gate *g, const pd_verdict *v,
                               const char *category)
{
	const pd_score *s = score_of(v, category);

	return s && pd_threshold_reached(s->score,
	                                 pd_config_threshold(g->cfg, category))
	               ? s
	               : NULL;
}

/* Does any category of `l` reach its threshold? */
static bool any_reached(const pd_gate *g, const pd_verdict *v,
                        const pd_category_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (reached(g, v, l->names[i]))
			return true;
	return false;
}

static pd_rc put_day(pd_buf *b, pd_date d, bool year)
{
	if (year)
		return pd_buf_printf(b, "%d %s %d", d.day,
		                     pd_month_abbr(d.month), d.year);
	return pd_buf_printf(b, "%d %s", d.day, pd_month_abbr(d.month));
}

static pd_rc put_moment(pd_buf *b, pd_instant t, const pd_tz *tz)
{
	pd_civil c;
	int off;
	pd_rc rc;

	pd_tz_instant_to_local(tz, t, &c, &off);
	if ((rc = put_day(b, pd_tz_date_of(tz, t), true)) < 0)
		return rc;
	return pd_buf_printf(b, " %02d:%02d", c.hour, c.min);
}

/* `"Name" (31 Mar - 6 May 2027)`: the period as people name it. */
static pd_rc put_period(pd_buf *b, const pd_period *p, const pd_tz *tz)
{
	pd_rc rc;

	if ((rc = pd_buf_printf(b, "\"%s\" (", p->name)) < 0)
		return rc;
	if (p->all_day) {
		bool same_year = p->first_day.year == p->last_day.year;
		if (same_year && p->first_day.month == p->last_day.month &&
		    p->first_day.day != p->last_day.day) {
			/* "1 - 28 Feb 2027" */
			if ((rc = pd_buf_printf(b, "%d - ", p->first_day.day)) <
			    0)
				return rc;
		} else if (pd_date_cmp(p->first_day, p->last_day) != 0) {
			if ((rc = put_day(b, p->first_day, !same_year)) < 0 ||
			    (rc = pd_buf_puts(b, " - ")) < 0)
				return rc;
		}
		rc = put_day(b, p->last_day, true);
	} else if (p->open_ended) {
		if ((rc = pd_buf_puts(b, "since ")) < 0 ||
		    (rc = put_moment(b, p->start, tz)) < 0)
			return rc;
		rc = pd_buf_puts(b, ", until ended");
	} else {
		pd_civil e;
		int off;
		if ((rc = put_moment(b, p->start, tz)) < 0 ||
		    (rc = pd_buf_puts(b, " - ")) < 0)
			return rc;
		pd_tz_instant_to_local(tz, p->end, &e, &off);
		if (pd_date_cmp(pd_tz_date_of(tz, p->start),
		                pd_tz_date_of(tz, p->end)) == 0)
			rc = pd_buf_printf(b, "%02d:%02d", e.hour, e.min);
		else
			rc = put_moment(b, p->end, tz);
	}
	return rc < 0 ? rc : pd_buf_puts(b, ")");
}

/* A hit's text, quoted, at most MAX_QUOTE bytes (cut at a character
 * boundary, then "..."). */
static pd_rc put_quoted(pd_buf *b, const char *s)
{
	size_t n = strlen(s);
	bool cut = n > MAX_QUOTE;

	if (cut) {
		n = MAX_QUOTE;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return pd_buf_printf(b, "'%.*s%s'", (int)n, s, cut ? "..." : "");
}

/* A hit's text for a message: as written, unless markup runs through it
 * (HTML input: "Cllr <b>Mark Green"), then its normalised form. */
static const char *hit_words(const pd_hit *h)
{
	return strchr(h->text, '<') ? h->norm : h->text;
}

/* Was an entry (or, with by_text, a text) already quoted among the
 * previous hits of the reason? */
static bool seen_before(const pd_verdict *v, size_t hit0, size_t k,
                        bool by_text)
{
	const pd_hit *h = &v->scan.hits[v->hit_index[hit0 + k]];

	for (size_t j = 0; j < k; j++) {
		const pd_hit *o = &v->scan.hits[v->hit_index[hit0 + j]];
		if (by_text ? strcmp(o->norm, h->norm) == 0
		            : o->entry == h->entry)
			return true;
	}
	return false;
}

/* "'a', 'b' and 'c'" or "'a', 'b', 'c' and 2 more": the distinct hit
 * texts of a reason; for people (names-person), "Hannah Baxter (candidate,
 * Abbey)". */
static pd_rc put_hits(pd_buf *b, const pd_verdict *v, size_t hit0, size_t nhits,
                      bool people)
{
	size_t shown = 0, distinct = 0;
	pd_rc rc = PD_OK;

	for (size_t k = 0; k < nhits; k++)
		distinct += !seen_before(v, hit0, k, !people);
	for (size_t k = 0; k < nhits && shown < MAX_QUOTED && rc == PD_OK;
	     k++) {
		const pd_hit *h = &v->scan.hits[v->hit_index[hit0 + k]];
		if (seen_before(v, hit0, k, !people))
			continue;
		if (shown &&
		    (rc = pd_buf_puts(b, shown + 1 == distinct ? " and "
		                                               : ", ")) < 0)
			break;
		shown++;
		if (!people) {
			rc = put_quoted(b, hit_words(h));
			continue;
		}
		{
			const char *name = pd_lex_entry_meta(h->entry, "name");
			const char *role = pd_lex_entry_meta(h->entry, "role");
			const char *area = pd_lex_entry_meta(h->entry, "ward");
			if (!area)
				area = pd_lex_entry_meta(h->entry, "area");
			if (!area)
				area = pd_lex_entry_meta(h->entry, "division");
			const char *said = hit_words(h);
			if (said != h->text && name)
				said = name;
			if ((rc = pd_buf_printf(b, "%s (", said)) < 0)
				break;
			if (name && strcmp(name, said) != 0 &&
			    (rc = pd_buf_printf(b, "%s, ", name)) < 0)
				break;
			rc = pd_buf_printf(b, "%s%s%s)",
			                   role ? role
			                        : h->entry->lexicon->category,
			                   area ? ", " : "", area ? area : "");
		}
	}
	if (rc == PD_OK && distinct > shown)
		rc = pd_buf_printf(b, " and %zu more", distinct - shown);
	return rc;
}

/* Append a reason; its message is formatted by the caller into
 * v->strings starting at the returned offset. */
static pd_rc add_reason(build *bd, const char *code, pd_decision d,
                        const pd_period *p, const char *category)
{
	pd_verdict *v = bd->v;
	pd_reason *r;
	pd_rc rc;

	if ((rc = PD_GROW(v->reasons, v->capreasons, v->nreasons + 1)) < 0 ||
	    (rc = PD_GROW(v->msg_at, v->capmsg_at, v->nreasons + 1)) < 0)
		return rc;
	r = &v->reasons[v->nreasons];
	memset(r, 0, sizeof(*r));
	r->code = code;
	r->decision = d;
	r->period = p;
	r->category = category;
	r->hit0 = v->nhit_index;
	if (category) {
		const pd_score *s = score_of(v, category);
		r->score = s ? s->score : 0;
		r->threshold = pd_config_threshold(bd->g->cfg, category);
		for (size_t i = 0; i < v->scan.nhits; i++) {
			if (strcmp(v->scan.hits[i].entry->lexicon->category,
			           category) != 0)
				continue;
			if ((rc = PD_GROW(v->hit_index, v->caphit_index,
			                  v->nhit_index + 1)) < 0)
				return rc;
			v->hit_index[v->nhit_index++] = i;
			r->nhits++;
		}
	}
	v->msg_at[v->nreasons] = v->strings.len;
	v->nreasons++;
	if (d > v->decision)
		v->decision = d;
	return PD_OK;
}

static pd_reason *last(build *bd)
{
	return &bd->v->reasons[bd->v->nreasons - 1];
}

/* Close the message of the last reason. */
static pd_rc end_message(build *bd)
{
	return pd_buf_putc(&bd->v->strings, '\0');
}

/* " (party 20, threshold 5)" */
static pd_rc put_score(pd_buf *b, const pd_reason *r)
{
	return pd_buf_printf(b, " (%s %g, threshold %g)", r->category, r->score,
	                     r->threshold);
}

static pd_rc put_during(build *bd, const pd_period *p)
{
	pd_rc rc = pd_buf_puts(&bd->v->strings, " during ");
	return rc < 0 ? rc : put_period(&bd->v->strings, p, bd->g->tz);
}

/* At any time: party-political wording. */
static pd_rc rule_party(build *bd)
{
	const pd_category_list *l = &bd->g->cfg->party_political;
	pd_buf *b = &bd->v->strings;
	pd_rc rc = PD_OK;

	for (size_t i = 0; i < l->n && rc == PD_OK; i++) {
		if (!reached(bd->g, bd->v, l->names[i]))
			continue;
		if ((rc = add_reason(bd, "party-political", PD_HOLD, NULL,
		                     l->names[i])) < 0 ||
		    (rc = pd_buf_puts(b, "party-political content: ")) < 0 ||
		    (rc = put_hits(b, bd->v, last(bd)->hit0, last(bd)->nhits,
		                   false)) < 0 ||
		    (rc = put_score(b, last(bd))) < 0)
			break;
		rc = end_message(bd);
	}
	return rc;
}

/* Purdah-sensitive (election) or referendum wording in period `p`. */
static pd_rc rule_wording(build *bd, const pd_period *p,
                          const pd_category_list *l, bool referendum)
{
	pd_buf *b = &bd->v->strings;
	pd_rc rc = PD_OK;

	/* Information about the poll stays allowed, unless partisan. */
	if (bd->v->poll_information && !bd->v->partisan)
		return PD_OK;
	for (size_t i = 0; i < l->n && rc == PD_OK; i++) {
		const char *cat = l->names[i];
		const char *code;
		bool people = false;
		if (!reached(bd->g, bd->v, cat))
			continue;
		if (referendum) {
			code = "referendum";
		} else if (!strcmp(cat, "candidate") ||
		           !strcmp(cat, "councillor")) {
			code = "names-person";
			people = true;
		} else if (!strcmp(cat, "topic")) {
			code = "contentious-topic";
		} else {
			code = "purdah-sensitive";
		}
		if ((rc = add_reason(bd, code, PD_HOLD, p, cat)) < 0)
			break;
		if (referendum)
			rc = pd_buf_puts(
			        b, pd_category_in(&bd->g->cfg->partisan, cat)
			                   ? "argues for an answer or "
			                     "encourages voting: "
			                   : "about the referendum: ");
		else if (people)
			rc = pd_buf_puts(b, "names ");
		else if (!strcmp(code, "contentious-topic"))
			rc = pd_buf_puts(b, "dwells on a contentious topic: ");
		else
			rc = pd_buf_printf(b, "%s wording: ", cat);
		if (rc < 0 ||
		    (rc = put_hits(b, bd->v, last(bd)->hit0, last(bd)->nhits,
		                   people)) < 0 ||
		    (!people && (rc = put_score(b, last(bd))) < 0) ||
		    (rc = put_during(bd, p)) < 0)
			break;
		rc = end_message(bd);
	}
	return rc;
}

/* A rule that applies to the class whatever the text says. */
static pd_rc rule_class(build *bd, const pd_period *p, const char *code,
                        pd_decision d, const char *what)
{
	pd_rc rc;

	if ((rc = add_reason(bd, code, d, p, NULL)) < 0 ||
	    (rc = pd_buf_puts(&bd->v->strings, what)) < 0 ||
	    (rc = put_during(bd, p)) < 0)
		return rc;
	return end_message(bd);
}

static pd_rc rule_freeze(build *bd, const pd_period *p)
{
	pd_buf *b = &bd->v->strings;
	pd_rc rc;

	if ((rc = add_reason(bd, "freeze", PD_HOLD, p, NULL)) < 0 ||
	    (rc = pd_buf_puts(b, "an emergency freeze is in force")) < 0 ||
	    (p->description &&
	     (rc = pd_buf_printf(b, " (%s)", p->description)) < 0) ||
	    (rc = pd_buf_puts(b, ": everything but emergency messages is "
	                         "held; ")) < 0 ||
	    (rc = put_period(b, p, bd->g->tz)) < 0)
		return rc;
	return end_message(bd);
}

static pd_rc rules_of_period(build *bd, const pd_period *p)
{
	const pd_config *cfg = bd->g->cfg;
	pd_class cls = bd->it->cls;

	switch (p->kind) {
	case PD_PERIOD_ELECTION:
	case PD_PERIOD_BY_ELECTION:
		switch (cls) {
		case PD_CLASS_COUNCIL_POST:
			return rule_wording(bd, p, &cfg->purdah_sensitive,
			                    false);
		case PD_CLASS_THIRD_PARTY:
			return rule_class(bd, p, "third-party-suspended",
			                  PD_BLOCK,
			                  "third-party material is suspended");
		case PD_CLASS_COUNCILLOR_FEED:
			return rule_class(bd, p, "councillor-feed-suspended",
			                  PD_BLOCK,
			                  "councillors' feeds are suspended");
		case PD_CLASS_FORUM:
			return rule_class(bd, p, "forum-closed", PD_BLOCK,
			                  "public forums are closed");
		case PD_CLASS_EMERGENCY: return PD_OK;
		}
		break;
	case PD_PERIOD_REFERENDUM:
		if (cls == PD_CLASS_EMERGENCY)
			return PD_OK;
		return rule_wording(bd, p, &cfg->referendum, true);
	case PD_PERIOD_FREEZE:
		if (cls == PD_CLASS_EMERGENCY)
			return PD_OK;
		return rule_freeze(bd, p);
	}
	return pd_error_set(PD_EINTERNAL, "period kind %d", (int)p->kind);
}

/* The periods in force at it->at for any of its areas (all of them when
 * it has none), each once, by start. */
static pd_rc find_periods(build *bd)
{
	const pd_item *it = bd->it;
	pd_verdict *v = bd->v;
	const pd_period *found[MAX_PERIODS];
	size_t nareas = it->nareas ? it->nareas : 1;
	pd_rc rc;

	for (size_t a = 0; a < nareas; a++) {
		const char *area = it->nareas ? it->areas[a] : NULL;
		size_t n = pd_calendar_active(bd->g->cal, it->at, area, found,
		                              MAX_PERIODS);
		if (n > MAX_PERIODS)
			return pd_error_set(
			        PD_ECONFIG,
			        "more than %d periods in force at "
			        "once: the calendars cannot be right",
			        MAX_PERIODS);
		for (size_t i = 0; i < n; i++) {
			size_t j = 0;
			while (j < v->nperiods && v->periods[j] != found[i])
				j++;
			if (j < v->nperiods)
				continue;
			if ((rc = PD_GROW(v->periods, v->capperiods,
			                  v->nperiods + 1)) < 0)
				return rc;
			/* Keep start order (insertion: a handful at most). */
			j = v->nperiods++;
			while (j > 0 &&
			       v->periods[j - 1]->start > found[i]->start) {
				v->periods[j] = v->periods[j - 1];
				j--;
			}
			v->periods[j] = found[i];
		}
	}
	return PD_OK;
}

pd_rc pd_gate_decide(const pd_gate *g, const pd_item *it, pd_verdict *v)
{
	build bd = {g, it, v};
	pd_rc rc;

	v->decision = PD_ALLOW;
	v->nreasons = v->nperiods = v->nhit_index = 0;
	v->party_political = v->partisan = v->poll_information = false;
	pd_buf_clear(&v->strings);
	if ((unsigned)it->cls >= NCLASSES) {
		rc = pd_error_set(PD_EINTERNAL, "class %d", (int)it->cls);
		goto done;
	}
	if ((rc = pd_matcher_scan(g->m, &v->scan, it->text, it->len,
	                          it->flags)) < 0)
		goto done;
	v->party_political = any_reached(g, v, &g->cfg->party_political);
	v->partisan =
	        v->party_political || any_reached(g, v, &g->cfg->partisan);
	v->poll_information = any_reached(g, v, &g->cfg->electoral_process);
	if ((rc = find_periods(&bd)) < 0 || (rc = rule_party(&bd)) < 0)
		goto done;
	for (size_t i = 0; i < v->nperiods && rc == PD_OK; i++)
		rc = rules_of_period(&bd, v->periods[i]);
	if (rc < 0)
		goto done;
	/* Messages: the buffer no longer moves. Then most severe first
	 * (stable). */
	for (size_t i = 0; i < v->nreasons; i++)
		v->reasons[i].message = v->strings.ptr + v->msg_at[i];
	for (size_t i = 1; i < v->nreasons; i++) {
		pd_reason r = v->reasons[i];
		size_t j = i;
		while (j > 0 && v->reasons[j - 1].decision < r.decision) {
			v->reasons[j] = v->reasons[j - 1];
			j--;
		}
		v->reasons[j] = r;
	}
done:
	if (rc < 0) {
		/* Never leave a half-made "allow" behind. */
		v->decision = PD_HOLD;
		v->nreasons = 0;
	}
	return rc;
}
