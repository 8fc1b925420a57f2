/*
 * Statutory timetables (see include/purdah/timetable.h). The rules and
 * their sources were researched and checked against published timetables:
 * tests/data/timetable-rules.md has the evidence, tests/data/
 * timetable-polls.tsv the polls the unit tests replay.
 *
 * Three calendars matter (timetable-rules.md §1, §4):
 *  - the timetable calendar of the poll: the nation's bank holidays; all
 *    parts of the UK for a UK general election and a national referendum
 *    (RPA 1983 Sch 1 r.2); in Scotland also Easter Monday (SSI 2015/425
 *    Sch 2 r.2; SSI 2011/399 Sch 1);
 *  - the registration calendar: always the nation's own (RPR 2001
 *    SI 2001/341 reg 29 and reg 8; in Scotland SI 2001/497 reg 29(4) and
 *    reg 8(3), where Easter Monday is a working day);
 *  - calendar days, for PPERA 2000 s.125 referendum periods.
 */
#include "purdah/timetable.h"

#include <string.h>

typedef enum { CAL_NONE, CAL_TIMETABLE, CAL_REGISTRATION, CAL_DAYS } calkind;

typedef struct {
	int days;
	calkind cal;
	const char *time;
	const char *source;
} deadline;

typedef struct {
	pd_poll_type type;
	pd_nation nation; /* NONE: UK-wide */
	deadline notice, dissolution, nominations, sopn, registration, postal;
	char period_from; /* 'N' notice, 'D' dissolution, 'P' the `period` */
	deadline period;
	const char *note;
} rule;

#define NONE_                                                                  \
	{                                                                      \
		0, CAL_NONE, NULL, NULL                                        \
	}
#define REG_GB                                                                 \
	{                                                                      \
		12, CAL_REGISTRATION, "midnight",                              \
		        "RPA 1983 s.13B; RPR 2001 (SI 2001/341, SI 2001/497) " \
		        "regs 29 and 8"                                        \
	}
#define REG_NI                                                                 \
	{                                                                      \
		12, CAL_REGISTRATION, "midnight",                              \
		        "RPA 1983 s.13BA; RPR (NI) 2008 (SI 2008/1741)"        \
	}
#define POSTAL_GB(src)                                                         \
	{                                                                      \
		11, CAL_TIMETABLE, "5pm", src                                  \
	}
#define POSTAL_GB_RPR POSTAL_GB("RPR 2001 (SI 2001/341) reg 56(1), (6)")
#define POSTAL_NI                                                              \
	{                                                                      \
		14, CAL_TIMETABLE, "5pm",                                      \
		        "RPR (NI) 2008 (SI 2008/1741), absent voting"          \
	}

/* English and Welsh principal-area rules; PCC, mayoral and Senedd rules
 * follow the same 25/19/18 pattern. */
#define EW_LOCAL(src)                                                          \
	{25, CAL_TIMETABLE, NULL, src}, NONE_,                                 \
	        {19, CAL_TIMETABLE, "4pm", src},                               \
	        {18, CAL_TIMETABLE, "4pm", src}, REG_GB, POSTAL_GB_RPR, 'N',   \
	        NONE_

#define SI_LOCAL_EW                                                            \
	"SI 2006/3304 Sch 2 r.1-2 as amended by SI 2014/494 (Wales from "      \
	"2022: WSI 2021/1459 Sch 1 r.1-3)"
#define SSI_LOCAL                                                              \
	"SSI 2011/399 Sch 1 (Scottish Local Government Elections Order 2011)"
#define NI_LOCAL "Electoral Law Act (Northern Ireland) 1962 Sch 5 r.1(2)"

/* clang-format off */
static const rule rules[] = {
        {PD_POLL_LOCAL, PD_NATION_ENGLAND, EW_LOCAL(SI_LOCAL_EW), NULL},
        {PD_POLL_LOCAL, PD_NATION_WALES, EW_LOCAL(SI_LOCAL_EW), NULL},
        {PD_POLL_LOCAL,
         PD_NATION_SCOTLAND,
         {28, CAL_TIMETABLE, NULL, SSI_LOCAL},
         NONE_,
         {23, CAL_TIMETABLE, "4pm", SSI_LOCAL},
         {23, CAL_TIMETABLE, "after 4pm", SSI_LOCAL},
         REG_GB,
         POSTAL_GB("SSI 2007/170 (absent voting, Scottish local elections)"),
         'N',
         NONE_,
         "the notice may be published from the 35th working day; returning "
         "officers usually agree a common date then"},
        {PD_POLL_LOCAL,
         PD_NATION_NI,
         {25, CAL_TIMETABLE, NULL, NI_LOCAL},
         NONE_,
         {16, CAL_TIMETABLE, "1pm", NI_LOCAL},
         {16, CAL_TIMETABLE, "6pm", NI_LOCAL},
         REG_NI,
         POSTAL_NI,
         'N',
         NONE_,
         NULL},
        {PD_POLL_LOCAL_BY_ELECTION, PD_NATION_ENGLAND, EW_LOCAL(SI_LOCAL_EW),
         "the poll must be within 35 working days of the vacancy being "
         "notified (Local Government Act 1972 s.89)"},
        {PD_POLL_LOCAL_BY_ELECTION, PD_NATION_WALES, EW_LOCAL(SI_LOCAL_EW),
         "the poll must be within 35 working days of the vacancy being "
         "notified (Local Government Act 1972 s.89)"},
        {PD_POLL_LOCAL_BY_ELECTION,
         PD_NATION_SCOTLAND,
         {28, CAL_TIMETABLE, NULL, SSI_LOCAL},
         NONE_,
         {23, CAL_TIMETABLE, "4pm", SSI_LOCAL},
         {23, CAL_TIMETABLE, "after 4pm", SSI_LOCAL},
         REG_GB,
         POSTAL_GB("SSI 2007/170 (absent voting, Scottish local elections)"),
         'N',
         NONE_,
         NULL},
        {PD_POLL_LOCAL_BY_ELECTION,
         PD_NATION_NI,
         {25, CAL_TIMETABLE, NULL, NI_LOCAL},
         NONE_,
         {16, CAL_TIMETABLE, "1pm", NI_LOCAL},
         {16, CAL_TIMETABLE, "6pm", NI_LOCAL},
         REG_NI,
         POSTAL_NI,
         'N',
         NONE_,
         "for a casual vacancy the notice is due within 21 days of the "
         "vacancy (Electoral Law Act (NI) 1962 Sch 5 r.1(3)); most are "
         "filled by co-option"},
        {PD_POLL_GLA,
         PD_NATION_ENGLAND,
         {30, CAL_TIMETABLE, NULL,
          "SI 2007/3541 (Greater London Authority Elections Rules 2007), "
          "timetable rules"},
         NONE_,
         {24, CAL_TIMETABLE, "4pm", "SI 2007/3541, timetable rules"},
         {22, CAL_TIMETABLE, "4pm", "SI 2007/3541, timetable rules"},
         REG_GB,
         POSTAL_GB_RPR,
         'N',
         NONE_,
         NULL},
        {PD_POLL_MAYOR, PD_NATION_ENGLAND,
         EW_LOCAL("SI 2007/1024 Sch 1 r.3 as amended by SI 2014/370; combined "
                  "authorities SI 2017/67 Sch 1"),
         NULL},
        {PD_POLL_MAYOR, PD_NATION_WALES,
         EW_LOCAL("SI 2007/1024 Sch 1 r.3 as amended by SI 2014/370"), NULL},
        {PD_POLL_PCC, PD_NATION_ENGLAND,
         EW_LOCAL("SI 2012/1917 Sch 3 as amended by SI 2014/921"), NULL},
        {PD_POLL_PCC, PD_NATION_WALES,
         EW_LOCAL("SI 2012/1917 Sch 3 as amended by SI 2014/921"), NULL},
        {PD_POLL_SENEDD,
         PD_NATION_WALES,
         {25, CAL_TIMETABLE, NULL,
          "SI 2007/236 Sch 5 r.1 as amended by SI 2016/272 art 18"},
         {20, CAL_TIMETABLE, NULL, "Government of Wales Act 2006 s.3(2)(a)"},
         {19, CAL_TIMETABLE, "4pm",
          "SI 2007/236 Sch 5 r.1 as amended by SI 2016/272"},
         {18, CAL_TIMETABLE, "4pm",
          "SI 2007/236 Sch 5 r.1 as amended by SI 2016/272"},
         REG_GB,
         POSTAL_GB_RPR,
         'N',
         NONE_,
         "the Senedd dissolves after the notice, so the period starts with "
         "the notice"},
        {PD_POLL_SCOTTISH_PARLIAMENT,
         PD_NATION_SCOTLAND,
         {28, CAL_TIMETABLE, NULL, "SSI 2015/425 Sch 2 r.1-2"},
         NONE_,
         {23, CAL_TIMETABLE, "4pm", "SSI 2015/425 Sch 2 r.1"},
         {23, CAL_TIMETABLE, "5pm", "SSI 2015/425 Sch 2 r.1"},
         REG_GB,
         POSTAL_GB("SSI 2015/425 Sch 3 para 9"),
         'N',
         NONE_,
         "the notice may be published from the 35th working day"},
        {PD_POLL_NI_ASSEMBLY,
         PD_NATION_NI,
         {25, CAL_TIMETABLE, NULL,
          "on the day of dissolution (Electoral Commission timetable, 2022)"},
         {25, CAL_TIMETABLE, NULL,
          "Northern Ireland Act 1998 s.31; SI 2010/2944 art 2"},
         {16, CAL_TIMETABLE, "1pm",
          "SI 2001/2599 Sch 1 as substituted by SI 2009/256"},
         {16, CAL_TIMETABLE, "6pm",
          "SI 2001/2599 Sch 1 as substituted by SI 2009/256"},
         REG_NI,
         POSTAL_NI,
         'D',
         NONE_,
         "the notice of election is published on the day of dissolution"},
        {PD_POLL_UK_PARLIAMENT,
         PD_NATION_NONE,
         {22, CAL_TIMETABLE, "4pm", "RPA 1983 Sch 1 r.1-2"},
         {25, CAL_TIMETABLE, NULL,
          "Dissolution and Calling of Parliament Act 2022; RPA 1983 Sch 1 r.1"},
         {19, CAL_TIMETABLE, "4pm", "RPA 1983 Sch 1 r.1"},
         {19, CAL_TIMETABLE, "5pm", "RPA 1983 Sch 1 r.1"},
         REG_GB,
         POSTAL_GB_RPR,
         'D',
         NONE_,
         NULL},
        {PD_POLL_UK_PARLIAMENT_BY_ELECTION,
         PD_NATION_NONE,
         NONE_,
         NONE_,
         NONE_,
         NONE_,
         REG_GB,
         POSTAL_GB_RPR,
         'P',
         {20, CAL_TIMETABLE, NULL,
          "RPA 1983 Sch 1 r.1 (notice by the 2nd day after the writ; poll "
          "17-19 days after nominations close)"},
         "the notice depends on when the writ is received: it can be no later "
         "than the 20th working day before the poll (the period start shown) "
         "and is usually 1-3 days earlier; nominations close between the 19th "
         "and the 17th working day"},
        {PD_POLL_REFERENDUM,
         PD_NATION_NONE,
         NONE_,
         NONE_,
         NONE_,
         NONE_,
         REG_GB,
         POSTAL_GB("EU Referendum (Conduct) Regulations 2016 and PPERA 2000 "
                   "Sch 3"),
         'P',
         {27, CAL_DAYS, NULL,
          "PPERA 2000 s.125 (the 28 days ending with polling day)"},
         NULL},
        {PD_POLL_LOCAL_REFERENDUM,
         PD_NATION_ENGLAND,
         {25, CAL_TIMETABLE, NULL, "SI 2012/2031 Sch 3; SI 2012/323 Sch 3 r.3"},
         NONE_,
         NONE_,
         NONE_,
         REG_GB,
         POSTAL_GB_RPR,
         'P',
         {28, CAL_TIMETABLE, NULL,
          "SI 2012/2031 reg 4-5 (neighbourhood planning: from the information "
          "statement, 28 working days before)"},
         "for a governance referendum (SI 2012/323 reg 5) '28 days' may be "
         "calendar days, a later start: the earlier, working-day start is "
         "shown"},
};
/* clang-format on */

/* One-off statutory changes to a single poll's timetable. */
typedef struct {
	pd_poll_type type;
	int year, month, day;
	int postal_days;
	const char *source;
} oneoff;

static const oneoff oneoffs[] = {
        {PD_POLL_SCOTTISH_PARLIAMENT, 2021, 5, 6, 21,
         "Scottish General Election (Coronavirus) Act 2021 s.3"},
};

static const char *const type_names[PD_POLL__COUNT] = {
        "local",
        "local-by-election",
        "gla",
        "mayor",
        "pcc",
        "senedd",
        "scottish-parliament",
        "ni-assembly",
        "uk-parliament",
        "uk-parliament-by-election",
        "referendum",
        "local-referendum"};

static const char *const type_titles[PD_POLL__COUNT] = {
        "local elections",
        "local by-election",
        "Greater London Authority elections",
        "mayoral election",
        "police and crime commissioner election",
        "Senedd election",
        "Scottish Parliament election",
        "Northern Ireland Assembly election",
        "UK Parliament general election",
        "UK Parliament by-election",
        "national referendum",
        "local referendum"};

pd_rc pd_poll_type_parse(pd_poll_type *out, const char *s)
{
	for (int i = 0; i < PD_POLL__COUNT; i++) {
		if (s && strcasecmp(s, type_names[i]) == 0) {
			*out = (pd_poll_type)i;
			return PD_OK;
		}
	}
	return pd_error_set(
	        PD_EUSAGE,
	        "--type '%s' is not one of local, local-by-election, "
	        "gla, mayor, pcc, senedd, scottish-parliament, "
	        "ni-assembly, uk-parliament, "
	        "uk-parliament-by-election, referendum, "
	        "local-referendum",
	        s ? s : "");
}

const char *pd_poll_type_name(pd_poll_type t)
{
	return (unsigned)t < PD_POLL__COUNT ? type_names[t] : "unknown";
}

const char *pd_poll_type_title(pd_poll_type t)
{
	return (unsigned)t < PD_POLL__COUNT ? type_titles[t] : "poll";
}

pd_period_kind pd_poll_type_kind(pd_poll_type t)
{
	switch (t) {
	case PD_POLL_LOCAL_BY_ELECTION:
	case PD_POLL_UK_PARLIAMENT_BY_ELECTION: return PD_PERIOD_BY_ELECTION;
	case PD_POLL_REFERENDUM:
	case PD_POLL_LOCAL_REFERENDUM: return PD_PERIOD_REFERENDUM;
	default: return PD_PERIOD_ELECTION;
	}
}

static const char *const nation_names[] = {NULL, "england", "wales", "scotland",
                                           "northern-ireland"};
static const char *const nation_titles[] = {"the UK", "England", "Wales",
                                            "Scotland", "Northern Ireland"};

pd_rc pd_nation_parse(pd_nation *out, const char *s)
{
	for (int i = 1; i < 5; i++) {
		if (s && strcasecmp(s, nation_names[i]) == 0) {
			*out = (pd_nation)i;
			return PD_OK;
		}
	}
	return pd_error_set(PD_EUSAGE,
	                    "--nation '%s' is not one of england, wales, "
	                    "scotland, northern-ireland",
	                    s ? s : "");
}

const char *pd_nation_name(pd_nation n)
{
	return (unsigned)n < 5 ? nation_names[n] : NULL;
}

const char *pd_nation_title(pd_nation n)
{
	return (unsigned)n < 5 ? nation_titles[n] : "the UK";
}

static unsigned nation_region(pd_nation n)
{
	switch (n) {
	case PD_NATION_SCOTLAND: return PD_REGION_SCOTLAND;
	case PD_NATION_NI: return PD_REGION_NI;
	case PD_NATION_NONE: return PD_REGION_ALL;
	default: return PD_REGION_EW;
	}
}

bool pd_is_working_day(const pd_holidays *h, unsigned regions,
                       bool easter_monday, pd_date d)
{
	int wd = pd_date_weekday(d);
	pd_date easter;

	if (wd >= 5)
		return false; /* Saturday, Sunday */
	if (d.month == 12 && (d.day == 24 || d.day == 25))
		return false; /* Christmas Eve, Christmas Day */
	easter = pd_easter_sunday(d.year);
	if (pd_date_cmp(d, pd_date_add_days(easter, -2)) == 0)
		return false; /* Good Friday */
	if (easter_monday && pd_date_cmp(d, pd_date_add_days(easter, 1)) == 0)
		return false; /* Easter Monday, in Scottish timetables */
	return !pd_holidays_is(h, regions, d);
}

pd_date pd_working_days_before(const pd_holidays *h, unsigned regions,
                               bool easter_monday, pd_date poll, int n)
{
	pd_date d = poll;

	while (n > 0) {
		d = pd_date_add_days(d, -1);
		if (pd_is_working_day(h, regions, easter_monday, d))
			n--;
	}
	return d;
}

/* Which nations a type accepts, and the one it implies when none given. */
static pd_rc resolve_nation(pd_poll_type t, pd_nation given, pd_nation *out)
{
	pd_nation implied = PD_NATION_NONE;
	bool required = false;

	switch (t) {
	case PD_POLL_LOCAL:
	case PD_POLL_LOCAL_BY_ELECTION:
	case PD_POLL_UK_PARLIAMENT_BY_ELECTION: required = true; break;
	case PD_POLL_GLA: implied = PD_NATION_ENGLAND; break;
	case PD_POLL_SENEDD: implied = PD_NATION_WALES; break;
	case PD_POLL_SCOTTISH_PARLIAMENT: implied = PD_NATION_SCOTLAND; break;
	case PD_POLL_NI_ASSEMBLY: implied = PD_NATION_NI; break;
	case PD_POLL_MAYOR:
	case PD_POLL_PCC:
	case PD_POLL_LOCAL_REFERENDUM: implied = PD_NATION_ENGLAND; break;
	default: break;
	}
	if (given == PD_NATION_NONE) {
		if (required)
			return pd_error_set(
			        PD_EUSAGE,
			        "--nation is required for --type %s (the "
			        "rules differ: england, wales, scotland or "
			        "northern-ireland)",
			        pd_poll_type_name(t));
		*out = implied;
		return PD_OK;
	}
	*out = given;
	return PD_OK;
}

static const rule *find_rule(pd_poll_type t, pd_nation n)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].type == t &&
		    (rules[i].nation == n || rules[i].nation == PD_NATION_NONE))
			return &rules[i];
	return NULL;
}

typedef struct {
	const pd_holidays *h;
	pd_date poll;
	unsigned tt_regions, reg_regions;
	bool tt_easter, reg_easter;
	pd_date earliest;
} ctx;

static void apply(ctx *c, const deadline *d, pd_tt_date *out)
{
	memset(out, 0, sizeof(*out));
	if (d->cal == CAL_NONE)
		return;
	out->set = true;
	out->days = d->days;
	out->time = d->time;
	out->source = d->source;
	if (d->cal == CAL_DAYS)
		out->date = pd_date_add_days(c->poll, -d->days);
	else if (d->cal == CAL_REGISTRATION)
		out->date = pd_working_days_before(
		        c->h, c->reg_regions, c->reg_easter, c->poll, d->days);
	else
		out->date = pd_working_days_before(
		        c->h, c->tt_regions, c->tt_easter, c->poll, d->days);
	if (pd_date_cmp(out->date, c->earliest) < 0)
		c->earliest = out->date;
}

/* Holiday data must cover every year a deadline can fall in: from 60
 * calendar days before the poll (more than 35 working days) to the poll. */
static pd_rc check_cover(const pd_holidays *h, unsigned regions, pd_date poll)
{
	pd_date from = pd_date_add_days(poll, -70);
	pd_rc rc;

	for (int y = from.year; y <= poll.year; y++)
		if ((rc = pd_holidays_cover(h, regions, y)) < 0)
			return rc;
	return PD_OK;
}

pd_rc pd_timetable_compute(pd_timetable *out, const pd_holidays *h,
                           pd_poll_type type, pd_nation nation, pd_date poll)
{
	const rule *r;
	pd_nation n = PD_NATION_NONE;
	ctx c;
	pd_rc rc;

	if ((unsigned)type >= PD_POLL__COUNT)
		return pd_error_set(PD_EUSAGE, "unknown poll type");
	if (!pd_date_valid(poll))
		return pd_error_set(PD_EUSAGE, "--poll is not a valid date");
	if ((rc = resolve_nation(type, nation, &n)) < 0)
		return rc;
	r = find_rule(type, n);
	if (!r)
		return pd_error_set(PD_EUSAGE, "there is no %s in %s",
		                    pd_poll_type_title(type),
		                    pd_nation_title(n));

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->type = type;
	out->nation = n;
	out->poll = poll;
	out->period_end = poll;
	out->note = r->note;
	c.h = h;
	c.poll = poll;
	c.earliest = poll;
	/* The timetable calendar: the nation's; every part of the UK for a
	 * UK-wide poll (RPA 1983 Sch 1 r.2). */
	c.tt_regions =
	        (type == PD_POLL_UK_PARLIAMENT || type == PD_POLL_REFERENDUM)
	                ? PD_REGION_ALL
	                : nation_region(n);
	c.tt_easter = n == PD_NATION_SCOTLAND;
	/* Registration: the nation's own calendar; England's for a UK-wide
	 * poll when no nation is given. Easter Monday counts as a working
	 * day in Scotland here (SI 2001/497 reg 8(3)). */
	c.reg_regions = n == PD_NATION_NONE ? PD_REGION_EW : nation_region(n);
	c.reg_easter = false;
	if ((rc = check_cover(h, c.tt_regions | c.reg_regions, poll)) < 0)
		return rc;
	out->regions = c.tt_regions;
	out->easter_monday = c.tt_easter;

	apply(&c, &r->notice, &out->notice_of_election);
	apply(&c, &r->dissolution, &out->dissolution);
	apply(&c, &r->nominations, &out->close_of_nominations);
	apply(&c, &r->sopn, &out->sopn_publication);
	apply(&c, &r->registration, &out->registration_deadline);
	if (n == PD_NATION_NI) {
		/* NI absent-vote applications close on the 14th working day. */
		deadline ni = POSTAL_NI;
		apply(&c, &ni, &out->postal_vote_deadline);
	} else {
		apply(&c, &r->postal, &out->postal_vote_deadline);
	}
	for (size_t i = 0; i < sizeof(oneoffs) / sizeof(oneoffs[0]); i++) {
		const oneoff *o = &oneoffs[i];
		pd_date d = {o->year, o->month, o->day};
		if (o->type == type && pd_date_cmp(d, poll) == 0) {
			deadline pv = {o->postal_days, CAL_TIMETABLE, "5pm",
			               o->source};
			apply(&c, &pv, &out->postal_vote_deadline);
		}
	}
	switch (r->period_from) {
	case 'N': out->period_start = out->notice_of_election; break;
	case 'D': out->period_start = out->dissolution; break;
	default:
		apply(&c, &r->period, &out->period_start);
		out->calendar_days = r->period.cal == CAL_DAYS;
		break;
	}
	return PD_OK;
}
