/*
 * The thread-local error slot behind include/purdah/error.h. libmicrohttpd
 * calls handlers from several threads, so the slot is _Thread_local and every
 * message is formatted into it at once (no pointer to caller memory is kept).
 */
#include "purdah/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PD_ERROR_MAX 2048

static _Thread_local char err_msg[PD_ERROR_MAX];
static _Thread_local pd_rc err_code;

pd_rc pd_error_set(pd_rc rc, const char *fmt, ...)
{
	char msg[PD_ERROR_MAX];
	va_list ap;

	/* Format aside first: an argument may be the current message. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(err_msg, msg, sizeof(err_msg));
	err_code = rc;
	return rc;
}

pd_rc pd_error_recode(pd_rc rc)
{
	err_code = rc;
	return rc;
}

void pd_error_prefix(const char *fmt, ...)
{
	char old[PD_ERROR_MAX];
	size_t n, m;
	va_list ap;

	memcpy(old, err_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	n = strlen(err_msg);
	if (n + 2 < sizeof(err_msg)) {
		err_msg[n++] = ':';
		err_msg[n++] = ' ';
		m = strlen(old);
		if (m > sizeof(err_msg) - 1 - n)
			m = sizeof(err_msg) - 1 - n;
		memcpy(err_msg + n, old, m);
		err_msg[n + m] = '\0';
	}
}

const char *pd_error_message(void)
{
	return err_msg;
}

pd_rc pd_error_code(void)
{
	return err_code;
}

void pd_error_clear(void)
{
	err_msg[0] = '\0';
	err_code = PD_OK;
}

const char *pd_rc_name(pd_rc rc)
{
	switch (rc) {
	case PD_OK: return "OK";
	case PD_ENOMEM: return "ENOMEM";
	case PD_EINVALID: return "EINVALID";
	case PD_ETOOBIG: return "ETOOBIG";
	case PD_ECONFIG: return "ECONFIG";
	case PD_EDEP: return "EDEP";
	case PD_EIO: return "EIO";
	case PD_ENOTFOUND: return "ENOTFOUND";
	case PD_EUSAGE: return "EUSAGE";
	case PD_EINTERNAL: return "EINTERNAL";
	case PD_ENOINPUT: return "ENOINPUT";
	}
	return "EUNKNOWN";
}
