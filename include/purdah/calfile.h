/*
 * Writing calendar files: adding a period (what `calendar add`, `freeze`
 * and the web page do) and importing bank holidays from GOV.UK's JSON.
 * Every write is atomic (temp file, fsync, rename) and the new text is
 * parsed back before it replaces the old file, so a bad write can neither
 * leave a half-written file nor a file purdah would then refuse to load.
 * Existing content is kept byte for byte: new events are inserted before the
 * last END:VCALENDAR.
 */
#ifndef PURDAH_CALFILE_H
#define PURDAH_CALFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/buf.h"
#include "purdah/calendar.h"
#include "purdah/error.h"
#include "purdah/time.h"

typedef struct pd_period_spec {
	const char *uid;         /* NULL: a new random UID */
	const char *name;        /* SUMMARY, required */
	const char *description; /* or NULL */
	pd_period_kind kind;
	const char *const *areas; /* none: the whole council */
	size_t nareas;
	bool all_day;
	pd_date first_day, last_day; /* all_day: inclusive local dates */
	pd_instant start, end;       /* timed: [start, end) */
	int sequence;                /* > 0 for a new version of `uid` */
	const char *poll_type;       /* X-PURDAH-TYPE or NULL */
	const char *nation;          /* X-PURDAH-NATION or NULL */
	bool has_poll;
	pd_date poll;    /* X-PURDAH-POLL */
	bool open_ended; /* X-PURDAH-OPEN-ENDED:TRUE (see pd_period) */
	const char *by;  /* X-PURDAH-BY or NULL */
	bool cancelled;  /* STATUS:CANCELLED: this version withdraws `uid` */
} pd_period_spec;

/*
 * An emergency freeze ("Emergency freeze", `reason` as its description)
 * from `from` until `until` (0: open-ended), for `areas` (none: the whole
 * council), recorded by `by`: what `purdah freeze start` and the review
 * page's freeze write. Strings are borrowed.
 */
void pd_freeze_spec(pd_period_spec *spec, const char *reason,
                    const char *const *areas, size_t nareas, pd_instant from,
                    pd_instant until, const char *by);

/*
 * The next version of `p` (SEQUENCE one higher, the rest kept) ending at
 * `at`; when `at` is not after its start it never was in force, and the
 * version cancels it. Strings are borrowed from `p`.
 */
void pd_period_end_spec(pd_period_spec *spec, const pd_period *p,
                        pd_instant at);

/*
 * Add `spec` as a VEVENT to the calendar file `path` (created, with its
 * directory, when missing). `tz` is the zone dates are local to. The UID
 * used is copied to `*uid_out` when not NULL (free with pd_free).
 * PD_ECONFIG when the existing file is not a calendar purdah can load,
 * PD_EIO when it cannot be written.
 */
pd_rc pd_calfile_add(const char *path, const pd_period_spec *spec,
                     const pd_tz *tz, char **uid_out);

/*
 * Write one bank-holiday calendar per division of GOV.UK's bank-holidays
 * JSON ({"england-and-wales": {"events": [{"title", "date"}...]}...}) into
 * `dir` as bank-holidays-<division>.ics, keeping every date already in an
 * existing file (GOV.UK drops past years). `*added` gets the number of new
 * dates. PD_EINVALID "file:line:col: ..." for bad JSON.
 */
pd_rc pd_calfile_import_holidays(const char *dir, const char *json_name,
                                 const char *json, size_t len, size_t *added);

/* A complete VCALENDAR holding `spec` as its one VEVENT (for
 * `timetable --ics`), appended to `out`. */
pd_rc pd_calfile_render(pd_buf *out, const pd_period_spec *spec);

/* Release process-wide caches (time zones) before exit, so leak checkers
 * see a clean process. */
void pd_cleanup(void);

/* A new random UID, "<32 hex digits>@purdah" (free with pd_free). */
pd_rc pd_calfile_new_uid(char **out);

/* PD_EUSAGE "<what> ..." unless `s` is one line of 1 to `max` bytes of
 * valid UTF-8 with no control characters (C0, DEL, C1) and not only
 * blanks: text written into a calendar and shown on terminals (a freeze's
 * reason, who called it). */
pd_rc pd_calfile_check_text(const char *s, size_t max, const char *what);

#endif
