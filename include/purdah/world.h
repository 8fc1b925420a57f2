/*
 * Everything a decision needs, loaded together: the configuration, the
 * calendars, the lexicons, the matcher compiled from them and the gate.
 * A world is immutable once loaded, so threads may share it; a long-running
 * service replaces it whole (load a new one, swap, free the old one when
 * its last user is done), and a new one that cannot be loaded leaves the
 * old one serving.
 */
#ifndef PURDAH_WORLD_H
#define PURDAH_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purdah/calendar.h"
#include "purdah/config.h"
#include "purdah/error.h"
#include "purdah/gate.h"
#include "purdah/lexicon.h"
#include "purdah/match.h"
#include "purdah/time.h"

typedef struct pd_world_opts {
	/* The configuration file; NULL: ./purdah.yaml when present, else
	 * the built-in defaults. */
	const char *config_path;
	const char *const *calendars; /* replace the configured lists */
	size_t ncalendars;
	const char *const *lexicons;
	size_t nlexicons;
	const char *tz_name; /* replaces the configured zone */
	bool periods_only;   /* skip files of bank holidays alone */
} pd_world_opts;

typedef struct pd_world {
	pd_config *cfg;
	const pd_tz *tz;
	pd_calendar *cal;
	pd_lexset *lexset;
	pd_matcher *matcher;
	pd_gate *gate;
	uint64_t stamp; /* pd_world_stamp() when loaded */
} pd_world;

/*
 * Load a world. PD_ECONFIG (file:line: ...) when the configuration, a
 * calendar or a lexicon cannot be used, PD_EUSAGE for a bad tz_name; the
 * gate fails closed, so nothing is half-loaded.
 */
pd_rc pd_world_load(pd_world **out, const pd_world_opts *o);
void pd_world_free(pd_world *w);

/* The parts, for commands that need only some of them. The configuration
 * of `o` (overrides applied); free with pd_config_free(). */
pd_rc pd_world_config(pd_config **out, const pd_world_opts *o);
/* The configured calendars, finished; free with pd_calendar_free(). */
pd_rc pd_world_calendar(pd_calendar **out, const pd_config *cfg,
                        const pd_tz *tz, bool periods_only);
/* The configured lexicons into `*set` and the matcher compiled from them
 * into `*m` (each set only once made: the caller frees what is not NULL,
 * even on failure). */
pd_rc pd_world_matcher(pd_lexset **set, pd_matcher **m, const pd_config *cfg);

/*
 * A fingerprint of the files a world of `o` reads (each one's path, size,
 * modification time and inode, directories walked as the loaders walk
 * them): when it differs from w->stamp, the files have changed.
 */
uint64_t pd_world_stamp(const pd_world_opts *o, const pd_config *cfg);

#endif
