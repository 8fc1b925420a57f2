/*
 * The shipped set-up for the gate and filter targets: purdah.yaml, the
 * calendars and the lexicons of the repository, loaded once on first use
 * (pd_world_load; the replay binaries and tests/fuzz/run.sh run from the
 * repository root). Not finding them is a set-up mistake, not a finding:
 * say so and stop.
 *
 * Header-only (static) because each target is linked alone with
 * tests/fuzz/replay.c or libFuzzer.
 */
#ifndef PURDAH_TESTS_FUZZ_WORLD_H
#define PURDAH_TESTS_FUZZ_WORLD_H

#include <stdio.h>
#include <stdlib.h>

#include "purdah/calfile.h"
#include "purdah/world.h"

static pd_world *fz_world_loaded;

static void fz_world_release(void)
{
	pd_world_free(fz_world_loaded);
	fz_world_loaded = NULL;
	pd_cleanup();
}

static pd_world *fz_world(const char *target)
{
	pd_world_opts o = {0};

	if (fz_world_loaded)
		return fz_world_loaded;
	o.config_path = "purdah.yaml";
	o.periods_only = true;
	if (pd_world_load(&fz_world_loaded, &o) < 0) {
		fprintf(stderr,
		        "%s: cannot load the shipped purdah.yaml, calendars "
		        "and lexicons (run from the repository root): %s\n",
		        target, pd_error_message());
		exit(2);
	}
	atexit(fz_world_release);
	return fz_world_loaded;
}

#endif
