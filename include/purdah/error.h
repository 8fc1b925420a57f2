/*
 * The one error convention of purdah.
 *
 * Every fallible function returns a pd_rc: PD_OK (0) on success, a negative
 * code on failure. The detailed, human-readable message is recorded once, at
 * the place where the failure is found, with pd_error_set(), kept in a
 * thread-local slot and passed up unchanged. Only front-ends (main(), the HTTP
 * layer) turn a code into an exit status or an HTTP status.
 */
#ifndef PURDAH_ERROR_H
#define PURDAH_ERROR_H

typedef enum pd_rc {
	PD_OK = 0,
	PD_ENOMEM = -1,    /* out of memory */
	PD_EINVALID = -2,  /* bad input data (a post, a request, a CSV file) */
	PD_ETOOBIG = -3,   /* input over a size limit */
	PD_ECONFIG = -4,   /* configuration, calendars or lexicons unusable */
	PD_EDEP = -5,      /* a dependency failed in a way we cannot explain */
	PD_EIO = -6,       /* reading or writing a file failed */
	PD_ENOTFOUND = -7, /* a named thing does not exist */
	PD_EUSAGE = -8,    /* the caller asked for something malformed */
	PD_EINTERNAL = -9, /* a broken invariant: a bug */
	PD_ENOINPUT = -10  /* an input file cannot be opened */
} pd_rc;

/*
 * Record `rc` with a printf-style message and return `rc`, so that a failure
 * reads `return pd_error_set(PD_EINVALID, "%s:%d: ...", file, line);`.
 * The message replaces any earlier one in this thread.
 */
pd_rc pd_error_set(pd_rc rc, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;

/* Keep the current message but record it under `rc` (a failure found by a
 * lower layer that means something else here); returns `rc`. */
pd_rc pd_error_recode(pd_rc rc);

/* Prefix the current message with "prefix: " (adds context going up). */
void pd_error_prefix(const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 1, 2)))
#endif
        ;

/* The current thread's last message (never NULL; "" when none). Borrowed:
 * valid until the next pd_error_* call in this thread. */
const char *pd_error_message(void);

/* The code recorded with the last message (PD_OK when none). */
pd_rc pd_error_code(void);

/* Forget the current message. */
void pd_error_clear(void);

/* A short stable name for a code ("ENOMEM", "ECONFIG" ...). */
const char *pd_rc_name(pd_rc rc);

/*
 * Internal invariant check that still fails safely in release builds:
 * records PD_EINTERNAL and returns it from the enclosing function.
 */
#define PD_ASSERT(cond)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			return pd_error_set(PD_EINTERNAL,                      \
			                    "internal error: %s:%d: %s",       \
			                    __FILE__, __LINE__, #cond);        \
	} while (0)

#endif
