/*
 * The posting gate: allow, hold or block one item, with the reasons.
 *
 * The policy (README "The posting gate" has it as a table):
 *   - at any time, a category of policy.party_political (party, campaign,
 *     electioneering) reaching its threshold -> hold;
 *   - in an election or by-election period covering the item's area at
 *     its publication time: a council post where a category of
 *     policy.purdah_sensitive (candidate, councillor, topic) reaches its
 *     threshold -> hold, unless it is information about the poll (an
 *     electoral_process category reaches its - negative - threshold) and
 *     not partisan (party-political, or a policy.partisan category such as
 *     referendum-appeal reached); third-party material and councillors'
 *     feeds ->
 *     block (suspended); forum posts -> block (closed);
 *   - in a referendum period: any item but an emergency message where a
 *     category of policy.referendum reaches its threshold -> hold, with
 *     the same exception for information about the poll;
 *   - in a freeze: everything but an emergency message -> hold.
 * Every rule in force applies; the most severe decision wins. An item with
 * no area is about the whole council: every period applies to it.
 *
 * A gate only reads the configuration, calendar and matcher it is given;
 * decisions are deterministic and a gate may be shared by threads (each
 * with its own pd_verdict).
 */
#ifndef PURDAH_GATE_H
#define PURDAH_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/calendar.h"
#include "purdah/config.h"
#include "purdah/error.h"
#include "purdah/json.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"
#include "purdah/time.h"

typedef enum pd_class {
	PD_CLASS_COUNCIL_POST,    /* the council's own output (default) */
	PD_CLASS_THIRD_PARTY,     /* material by others on council platforms */
	PD_CLASS_COUNCILLOR_FEED, /* items from elected members' feeds */
	PD_CLASS_FORUM,           /* public comments and forum posts */
	PD_CLASS_EMERGENCY        /* crisis-response messages */
} pd_class;

/* "council-post", "third-party", "councillor-feed", "forum", "emergency". */
const char *pd_class_name(pd_class c);
/* Parse a class name (exact); PD_EUSAGE naming the known ones. */
pd_rc pd_class_parse(pd_class *out, const char *s);

/* In order of severity: the most severe reason decides. */
typedef enum pd_decision {
	PD_ALLOW = 0,
	PD_HOLD = 1,
	PD_BLOCK = 2
} pd_decision;

/* "allow", "hold", "block". */
const char *pd_decision_name(pd_decision d);

typedef struct pd_gate pd_gate;

/*
 * A gate over `cfg`, `cal` (finished), `set` and the matcher compiled from
 * it, all borrowed. PD_ECONFIG "file:line: ..." when a category named in
 * the configuration (policy lists, thresholds) is in no loaded lexicon: a
 * misspelt category would otherwise switch a rule off silently.
 */
pd_rc pd_gate_new(pd_gate **out, const pd_config *cfg, const pd_calendar *cal,
                  const pd_lexset *set, const pd_matcher *m);
void pd_gate_free(pd_gate *g);

const pd_config *pd_gate_config(const pd_gate *g);
const pd_calendar *pd_gate_calendar(const pd_gate *g);
/* SHA-256 of the lexicon files (pd_lexset_sha256, computed once). */
const char *pd_gate_lexicons_sha256(const pd_gate *g);

/* One item to decide. */
typedef struct pd_item {
	const char *text;
	size_t len;
	unsigned flags; /* PD_NORM_HTML for HTML */
	pd_class cls;
	const char *const *areas; /* none: about the whole council */
	size_t nareas;
	pd_instant at;       /* publication time */
	const char *account; /* the publishing account, or NULL */
} pd_item;

/* Why: one rule that applies. Strings live in the verdict. */
typedef struct pd_reason {
	/* Stable codes: party-political, names-person, contentious-topic,
	 * purdah-sensitive, third-party-suspended, councillor-feed-suspended,
	 * forum-closed, referendum, freeze. */
	const char *code;
	pd_decision decision;
	const char *message;     /* for people, one line */
	const pd_period *period; /* that brings the rule into force, or NULL */
	const char *category;    /* the lexicon category, or NULL */
	double score, threshold; /* of `category` */
	size_t hit0, nhits;      /* the hits: v->hit_index[hit0 ..] */
} pd_reason;

typedef struct pd_verdict {
	pd_decision decision;
	pd_reason *reasons; /* most severe first */
	size_t nreasons;
	const pd_period **periods; /* in force for the item, by start */
	size_t nperiods;
	bool party_political;  /* a party-political category reached */
	bool partisan;         /* that, or a policy.partisan category */
	bool poll_information; /* an electoral-process category reached */
	pd_scan scan;          /* hits and scores */
	size_t *hit_index;     /* indices into scan.hits, for reasons */
	/* private */
	size_t nhit_index, caphit_index, capreasons, capperiods;
	size_t *msg_at; /* per reason, its message's offset in strings */
	size_t capmsg_at;
	pd_buf strings;
} pd_verdict;

#define PD_VERDICT_INIT                                                        \
	{                                                                      \
		PD_ALLOW, NULL, 0, NULL, 0, false, false, false, PD_SCAN_INIT, \
		        NULL, 0, 0, 0, 0, NULL, 0,                             \
		        PD_BUF_INIT((size_t)1 << 24)                           \
	}

/*
 * Decide `it`. The previous result in `v` is replaced. PD_EDEP when the
 * matcher fails (a regular expression over its limits): never a silent
 * "allow". PD_ETOOBIG for text over the scan limit.
 */
pd_rc pd_gate_decide(const pd_gate *g, const pd_item *it, pd_verdict *v);
void pd_verdict_dispose(pd_verdict *v);

/*
 * The decision as JSON (README "JSON answer"): id (when `id` is not NULL;
 * taken), decision, reasons, periods, hits, scores, at, class, areas,
 * account, policy {calendars_sha256, lexicons_sha256, config_sha256}.
 * NULL when out of memory.
 */
pd_json *pd_verdict_json(const pd_gate *g, const pd_item *it,
                         const pd_verdict *v, pd_json *id);

/* At most this many areas for one item. */
#define PD_MAX_ITEM_AREAS 64

/* One batch record (or POST /v1/check body), parsed. */
typedef struct pd_check_request {
	pd_json *doc; /* owns the strings of `item` */
	pd_json *id;  /* borrowed from doc, or NULL */
	pd_item item;
	const char *areas[PD_MAX_ITEM_AREAS];
} pd_check_request;

/*
 * Parse a record {"id", "text", "class", "area", "at", "account"}: text (a
 * string) is required; id is a string or an integer; area a string or a
 * list of strings; a null or absent field takes its value from `defaults`
 * (class, areas, at, account; flags always). PD_EINVALID "name: reason"
 * for anything wrong: not JSON, not an object, an unknown field, a value
 * of the wrong type, an unknown class, a bad time, an area that is not one
 * of the council's; messages start "file:line". r->id is set whenever the id
 * could be read, even when the record is refused (for the error record).
 * Dispose even on failure.
 */
pd_rc pd_check_request_parse(pd_check_request *r, const char *file, size_t line,
                             const char *text, size_t len,
                             const pd_item *defaults, const pd_config *cfg,
                             const pd_tz *tz);
void pd_check_request_dispose(pd_check_request *r);

/* A hit as JSON: entry, lexicon, category, weight, start, end, text,
 * normalized, term, meta (the same shape `purdah scan --json` prints). */
pd_json *pd_hit_json(const pd_hit *h);
/* A period as JSON: uid, name, kind, areas, start, end, all_day,
 * open_ended, first_day, last_day, poll, type, source. */
pd_json *pd_period_json(const pd_period *p, const pd_tz *tz);

/*
 * What is in force at `at` for `area` (NULL: anywhere), as `purdah status
 * --json` prints it: {"at", "area", "timezone", "active": [period...],
 * "next": period|null}. NULL when out of memory.
 */
pd_json *pd_status_json(const pd_calendar *cal, const pd_tz *tz, pd_instant at,
                        const char *area);

#endif
