/*
 * Loading everything a decision needs in one go (world.h): the order and
 * the errors are those of the CLI's loaders, so `purdah serve` refuses
 * exactly what `purdah check` refuses.
 */
#include "purdah/world.h"

#include <string.h>
#include <sys/stat.h>

#include "purdah/alloc.h"
#include "purdah/file.h"

static pd_rc apply_overrides(pd_config *cfg, const pd_world_opts *o)
{
	pd_rc rc;

	if (o->ncalendars &&
	    (rc = pd_config_set_list(&cfg->calendars, &cfg->ncalendars,
	                             (char *const *)o->calendars,
	                             o->ncalendars)) < 0)
		return rc;
	if (o->nlexicons &&
	    (rc = pd_config_set_list(&cfg->lexicons, &cfg->nlexicons,
	                             (char *const *)o->lexicons,
	                             o->nlexicons)) < 0)
		return rc;
	if (o->tz_name) {
		char *tz = pd_strdup(o->tz_name);
		if (!tz)
			return pd_error_set(PD_ENOMEM, "out of memory");
		pd_free(cfg->timezone);
		cfg->timezone = tz;
	}
	return PD_OK;
}

pd_rc pd_world_config(pd_config **out, const pd_world_opts *o)
{
	pd_rc rc;

	if (o->config_path)
		rc = pd_config_load(out, o->config_path);
	else if (pd_file_exists("purdah.yaml"))
		rc = pd_config_load(out, "purdah.yaml");
	else
		rc = pd_config_default(out);
	if (rc == PD_ENOINPUT)
		rc = pd_error_recode(PD_ECONFIG);
	if (rc < 0)
		return rc;
	if ((rc = apply_overrides(*out, o)) < 0) {
		pd_config_free(*out);
		*out = NULL;
	}
	return rc;
}

pd_rc pd_world_calendar(pd_calendar **out, const pd_config *cfg,
                        const pd_tz *tz, bool periods_only)
{
	pd_calendar *cal = NULL;
	pd_rc rc;

	if ((rc = pd_calendar_new(&cal, tz)) < 0)
		return rc;
	if (periods_only)
		pd_calendar_periods_only(cal);
	for (size_t i = 0; i < cfg->ncalendars && rc == PD_OK; i++) {
		const char *p = cfg->calendars[i];
		if (!pd_file_exists(p))
			rc = pd_error_set(
			        PD_ECONFIG,
			        "%s: no such calendar file or directory", p);
		else
			rc = pd_calendar_load_path(cal, p);
	}
	if (rc == PD_OK)
		rc = pd_calendar_finish(cal);
	if (rc < 0)
		pd_calendar_free(cal);
	else
		*out = cal;
	return rc;
}

pd_rc pd_world_matcher(pd_lexset **set, pd_matcher **m, const pd_config *cfg)
{
	pd_rc rc;

	if ((rc = pd_lexset_new(set)) < 0)
		return rc;
	for (size_t i = 0; i < cfg->nlexicons; i++) {
		const char *p = cfg->lexicons[i];
		if (!pd_file_exists(p))
			return pd_error_set(
			        PD_ECONFIG,
			        "%s: no such lexicon file or directory", p);
		if ((rc = pd_lexset_load_path(*set, p)) < 0)
			return rc;
	}
	if (pd_lexset_count(*set) == 0)
		return pd_error_set(PD_ECONFIG,
		                    "no lexicons found in the configured "
		                    "directories: nothing could be matched");
	return pd_matcher_new(m, *set);
}

pd_rc pd_world_load(pd_world **out, const pd_world_opts *o)
{
	pd_world *w = pd_calloc(1, sizeof(*w));
	pd_rc rc;

	if (!w)
		return pd_error_set(PD_ENOMEM, "out of memory");
	if ((rc = pd_world_config(&w->cfg, o)) < 0)
		goto done;
	/* Fingerprint before reading: a change while loading shows up as a
	 * difference at the next check, never as a missed one. */
	w->stamp = pd_world_stamp(o, w->cfg);
	if ((rc = pd_tz_get(&w->tz, w->cfg->timezone)) < 0) {
		if (o->tz_name)
			rc = pd_error_set(PD_EUSAGE, "--tz: %s",
			                  pd_error_message());
		goto done;
	}
	if ((rc = pd_world_calendar(&w->cal, w->cfg, w->tz, o->periods_only)) <
	            0 ||
	    (rc = pd_world_matcher(&w->lexset, &w->matcher, w->cfg)) < 0 ||
	    (rc = pd_gate_new(&w->gate, w->cfg, w->cal, w->lexset,
	                      w->matcher)) < 0)
		goto done;
	*out = w;
	w = NULL;
done:
	pd_world_free(w);
	return rc;
}

void pd_world_free(pd_world *w)
{
	if (!w)
		return;
	pd_gate_free(w->gate);
	pd_matcher_free(w->matcher);
	pd_lexset_free(w->lexset);
	pd_calendar_free(w->cal);
	pd_config_free(w->cfg);
	pd_free(w);
}

/* FNV-1a, 64 bits: a fingerprint, not a defence. */
static uint64_t mix(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix_stat(uint64_t h, const char *path)
{
	struct stat st;
	int64_t v[5] = {0};

	h = mix(h, path, strlen(path) + 1);
	if (stat(path, &st) == 0) {
		v[0] = (int64_t)st.st_size;
		v[1] = (int64_t)st.st_mtim.tv_sec;
		v[2] = (int64_t)st.st_mtim.tv_nsec;
		v[3] = (int64_t)st.st_ino;
		v[4] = (int64_t)st.st_mode;
	} else {
		v[0] = -1;
	}
	return mix(h, v, sizeof(v));
}

/* A file, or a directory with everything under it. */
static uint64_t mix_path(uint64_t h, const char *path)
{
	char **files = NULL;
	size_t n = 0;

	h = mix_stat(h, path);
	if (pd_file_is_dir(path) != 1)
		return h;
	if (pd_file_list(&files, &n, path, "") < 0)
		return mix(h, "?", 1);
	for (size_t i = 0; i < n; i++)
		h = mix_stat(h, files[i]);
	pd_file_list_free(files, n);
	return h;
}

uint64_t pd_world_stamp(const pd_world_opts *o, const pd_config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = mix_stat(h, o->config_path ? o->config_path : "purdah.yaml");
	for (size_t i = 0; i < cfg->ncalendars; i++)
		h = mix_path(h, cfg->calendars[i]);
	for (size_t i = 0; i < cfg->nlexicons; i++)
		h = mix_path(h, cfg->lexicons[i]);
	return h;
}
