/*
 * purdah.yaml: the council, where calendars and lexicons live, the time
 * zone and the files purdah writes. Unknown keys and bad values are errors
 * naming file:line:column (PD_ECONFIG). Relative paths in the file are taken
 * relative to the file's own directory; the built-in defaults are relative
 * to the working directory.
 */
#ifndef PURDAH_CONFIG_H
#define PURDAH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"

/* Lexicon categories with where each was configured (line 0: built in). */
typedef struct pd_category_list {
	char **names;
	int *lines;
	size_t n;
} pd_category_list;

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
		int line; /* in the file */
	} * thresholds;   /* per lexicon category */
	size_t nthresholds;
	/* The policy's category roles (`policy:`), each a list of lexicon
	 * categories; the built-in defaults when not configured. */
	pd_category_list party_political;  /* held at any time */
	pd_category_list purdah_sensitive; /* held in an election period */
	pd_category_list referendum;       /* held in a referendum period */
	pd_category_list partisan; /* never excused as poll information */
	pd_category_list electoral_process; /* information about the poll */
	char sha256[65]; /* of the file's bytes; "" for built-in defaults */
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
 * (topic 2, referendum and referendum-appeal 3, electoral-process -2, any
 * other 5). */
double pd_config_threshold(const pd_config *cfg, const char *category);

/* Does `score` reach threshold `th`? A positive (or zero) threshold is
 * reached from below (score >= th), a negative one from above
 * (score <= th: negative weights mark wording that is allowed, such as
 * electoral-process information). */
bool pd_threshold_reached(double score, double th);

/* Is `category` in `list`? */
bool pd_category_in(const pd_category_list *list, const char *category);

void pd_config_free(pd_config *cfg);

#endif
