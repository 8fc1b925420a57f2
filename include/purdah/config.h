/*
 * purdah.yaml: the council, where calendars and lexicons live, the time
 * zone and the files purdah writes. Unknown keys and bad values are errors
 * naming file:line:column (PD_ECONFIG). Relative paths in the file are taken
 * relative to the file's own directory; the built-in defaults are relative
 * to the working directory.
 */
#ifndef PURDAH_CONFIG_H
#define PURDAH_CONFIG_H

#include <stddef.h>

#include "purdah/error.h"

typedef struct pd_config {
	char *path;         /* the file loaded, or NULL (built-in defaults) */
	char *council_name; /* "the council" when not configured */
	char **areas;       /* known wards/divisions; empty = not checked */
	size_t nareas;
	char **calendars; /* files or directories of *.ics */
	size_t ncalendars;
	char **lexicons; /* directories of lexicon YAML */
	size_t nlexicons;
	char *timezone;      /* IANA name */
	char *calendar_file; /* where `calendar add` writes */
	char *freeze_file;   /* where `freeze` writes */
	struct pd_threshold {
		char *category;
		double value;
	} * thresholds; /* per lexicon category */
	size_t nthresholds;
} pd_config;

/* A category's score counts when it reaches its threshold. */
#define PD_DEFAULT_THRESHOLD 5.0

/* The built-in defaults: calendars/, lexicons/, Europe/London,
 * calendars/elections.ics, calendars/freeze.ics. Free with
 * pd_config_free(). */
pd_rc pd_config_default(pd_config **out);

/* Load `path` over the defaults. PD_ENOINPUT when it cannot be read,
 * PD_ECONFIG for anything wrong in it. */
pd_rc pd_config_load(pd_config **out, const char *path);

/* Replace a list (calendars, lexicons) with copies of `items`. */
pd_rc pd_config_set_list(char ***list, size_t *count, char *const *items,
                         size_t n);

/* PD_EUSAGE when areas are configured and `area` is not one of them
 * (case-insensitive); PD_OK otherwise. */
pd_rc pd_config_check_area(const pd_config *cfg, const char *area);

/* The threshold of `category`: configured, else the built-in default
 * (topic 2, any other 5). */
double pd_config_threshold(const pd_config *cfg, const char *category);

void pd_config_free(pd_config *cfg);

#endif
