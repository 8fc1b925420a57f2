/*
 * purdah.yaml (config.h): defaults, every key, paths relative to the file,
 * and strictness — unknown keys, wrong shapes, duplicates and YAML syntax
 * errors must all be PD_ECONFIG naming file:line:column. Each test writes
 * its YAML to a fresh mkstemp file under /tmp and removes it.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purdah/alloc.h"
#include "purdah/calfile.h"
#include "purdah/config.h"
#include "purdah/error.h"

typedef struct {
	char path[64]; /* /tmp/purdah-cfg-XXXXXX */
	char dir[64];  /* "/tmp/" */
} tmpcfg;

static void write_cfg(tmpcfg *t, const char *yaml)
{
	int fd;
	size_t n = strlen(yaml);

	snprintf(t->path, sizeof(t->path), "/tmp/purdah-cfg-XXXXXX");
	snprintf(t->dir, sizeof(t->dir), "/tmp/");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* Load `yaml`; must succeed. Free with pd_config_free(). */
static pd_config *load_ok(tmpcfg *t, const char *yaml)
{
	pd_config *c = NULL;

	write_cfg(t, yaml);
	if (pd_config_load(&c, t->path) != PD_OK) {
		unlink(t->path);
		fail_msg("%s", pd_error_message());
	}
	unlink(t->path);
	assert_non_null(c);
	return c;
}

/* Load `yaml`; must fail with PD_ECONFIG and "<file>:<line>:<col>: "
 * (line/col 0: any position) and mention `what`. */
static void load_error(const char *yaml, int line, int col, const char *what)
{
	tmpcfg t;
	pd_config *c = NULL;
	pd_rc rc;
	char want[128];

	write_cfg(&t, yaml);
	pd_error_clear();
	rc = pd_config_load(&c, t.path);
	unlink(t.path);
	pd_config_free(c);
	if (rc != PD_ECONFIG)
		fail_msg("rc %s (%s), want ECONFIG", pd_rc_name(rc),
		         pd_error_message());
	assert_null(c);
	if (line)
		snprintf(want, sizeof(want), "%s:%d:%d: ", t.path, line, col);
	else
		snprintf(want, sizeof(want), "%s:", t.path);
	if (strncmp(pd_error_message(), want, strlen(want)) != 0)
		fail_msg("message '%s' does not start '%s'", pd_error_message(),
		         want);
	if (what && !strstr(pd_error_message(), what))
		fail_msg("message '%s' lacks '%s'", pd_error_message(), what);
}

static void assert_in_dir(const tmpcfg *t, const char *got, const char *rel)
{
	char want[128];

	snprintf(want, sizeof(want), "%s%s", t->dir, rel);
	assert_string_equal(got, want);
}

/* ------------------------------------------------------------------------ */

static void test_config_default_values(void **state)
{
	pd_config *c = NULL;
	(void)state;
	assert_int_equal(pd_config_default(&c), PD_OK);
	assert_null(c->path);
	assert_string_equal(c->council_name, "the council");
	assert_int_equal(c->nareas, 0);
	assert_int_equal(c->ncalendars, 1);
	assert_string_equal(c->calendars[0], "calendars");
	assert_int_equal(c->nlexicons, 1);
	assert_string_equal(c->lexicons[0], "lexicons");
	assert_string_equal(c->timezone, "Europe/London");
	assert_string_equal(c->calendar_file, "calendars/elections.ics");
	assert_string_equal(c->freeze_file, "calendars/freeze.ics");
	pd_config_free(c);
	pd_config_free(NULL);
}

static void test_config_all_keys(void **state)
{
	tmpcfg t;
	pd_config *c = load_ok(&t, "# purdah.yaml\n"
	                           "council:\n"
	                           "  name: Northbridge Borough Council\n"
	                           "  areas:\n"
	                           "    - Abbey\n"
	                           "    - \"St Peter's\"\n"
	                           "    - Castle\n"
	                           "timezone: Europe/London\n"
	                           "calendars:\n"
	                           "  - calendars\n"
	                           "  - /srv/shared/holidays\n"
	                           "lexicons: [lexicons, extra/words]\n"
	                           "calendar_file: cal/elections.ics\n"
	                           "freeze_file: /var/lib/purdah/freeze.ics\n");
	(void)state;
	assert_string_equal(c->path, t.path);
	assert_string_equal(c->council_name, "Northbridge Borough Council");
	assert_int_equal(c->nareas, 3);
	assert_string_equal(c->areas[0], "Abbey");
	assert_string_equal(c->areas[1], "St Peter's");
	assert_string_equal(c->areas[2], "Castle");
	assert_string_equal(c->timezone, "Europe/London");
	assert_int_equal(c->ncalendars, 2);
	assert_in_dir(&t, c->calendars[0], "calendars");
	assert_string_equal(c->calendars[1], "/srv/shared/holidays");
	assert_int_equal(c->nlexicons, 2);
	assert_in_dir(&t, c->lexicons[0], "lexicons");
	assert_in_dir(&t, c->lexicons[1], "extra/words");
	assert_in_dir(&t, c->calendar_file, "cal/elections.ics");
	assert_string_equal(c->freeze_file, "/var/lib/purdah/freeze.ics");
	pd_config_free(c);
}

static void test_config_relative_paths_resolved_against_file_dir(void **state)
{
	char dir[] = "/tmp/purdah-cfgdir-XXXXXX";
	char sub[128], path[160];
	pd_config *c = NULL;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/etc", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/purdah.yaml", sub);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("calendars: [cals, ../shared/cals]\n"
	      "calendar_file: out/elections.ics\n",
	      f);
	assert_int_equal(fclose(f), 0);
	if (pd_config_load(&c, path) != PD_OK)
		fail_msg("%s", pd_error_message());
	snprintf(path, sizeof(path), "%s/cals", sub);
	assert_string_equal(c->calendars[0], path);
	snprintf(path, sizeof(path), "%s/../shared/cals", sub);
	assert_string_equal(c->calendars[1], path);
	snprintf(path, sizeof(path), "%s/out/elections.ics", sub);
	assert_string_equal(c->calendar_file, path);
	/* Keys not given keep their defaults, taken from the file's
	 * directory as well. */
	snprintf(path, sizeof(path), "%s/lexicons", sub);
	assert_string_equal(c->lexicons[0], path);
	snprintf(path, sizeof(path), "%s/calendars/freeze.ics", sub);
	assert_string_equal(c->freeze_file, path);
	pd_config_free(c);
	snprintf(path, sizeof(path), "%s/purdah.yaml", sub);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_config_file_in_working_directory(void **state)
{
	/* A bare file name: the paths stay as written. */
	char name[] = "purdah-cfg-test-XXXXXX";
	pd_config *c = NULL;
	int fd;
	const char *yaml = "calendars: [mycals]\n";
	(void)state;
	fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	assert_int_equal(pd_config_load(&c, name), PD_OK);
	unlink(name);
	assert_string_equal(c->calendars[0], "mycals");
	assert_string_equal(c->lexicons[0], "lexicons");
	pd_config_free(c);
}

static void test_config_empty_file_gives_defaults(void **state)
{
	static const char *const empties[] = {"", "\n\n",
	                                      "# every key is optional\n"};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		tmpcfg t;
		pd_config *c = load_ok(&t, empties[i]);
		assert_string_equal(c->path, t.path);
		assert_string_equal(c->council_name, "the council");
		assert_string_equal(c->timezone, "Europe/London");
		assert_int_equal(c->nareas, 0);
		assert_int_equal(c->ncalendars, 1);
		assert_in_dir(&t, c->calendars[0], "calendars");
		assert_in_dir(&t, c->calendar_file, "calendars/elections.ics");
		pd_config_free(c);
	}
}

static void test_config_document_marker_only_gives_defaults(void **state)
{
	/* A YAML document with nothing in it is an empty configuration. */
	tmpcfg t;
	pd_config *c = load_ok(&t, "---\n# timezone: Europe/London\n");
	(void)state;
	assert_string_equal(c->timezone, "Europe/London");
	pd_config_free(c);
}

static void test_config_unknown_top_level_key(void **state)
{
	(void)state;
	load_error("council:\n  name: X\ncalender_file: a.ics\n", 3, 1,
	           "calender_file");
	load_error("timezone: UTC\n  # indented comment\nTimezone: UTC\n", 3, 1,
	           "Timezone");
}

static void test_config_unknown_council_key(void **state)
{
	(void)state;
	load_error("council:\n  name: X\n  wards: [Abbey]\n", 3, 3,
	           "council.wards");
}

static void test_config_wrong_types(void **state)
{
	(void)state;
	load_error("calendars: calendars\n", 1, 12, "calendars");
	load_error("lexicons:\n  words: a\n", 2, 3, "lexicons");
	load_error("council: Northbridge\n", 1, 10, "council");
	load_error("council:\n  - Abbey\n", 2, 3, "council");
	load_error("council:\n  areas: Abbey\n", 2, 10, "areas");
	load_error("council:\n  name: [A, B]\n", 2, 9, "council.name");
	load_error("timezone: [Europe/London]\n", 1, 11, "timezone");
	load_error("timezone:\n", 0, 0, "timezone");
	load_error("timezone: ''\n", 1, 11, "timezone");
	load_error("calendar_file: ~\n", 1, 16, "calendar_file");
	load_error("calendars:\n  - [a]\n", 2, 5, "calendars");
	load_error("calendars:\n  - ''\n", 2, 5, "calendars");
	load_error("- timezone: UTC\n", 1, 1, "mapping");
	load_error("just a string\n", 1, 1, "mapping");
	load_error("? [a, b]\n: c\n", 1, 3, "strings");
}

static void test_config_duplicate_key(void **state)
{
	(void)state;
	load_error("timezone: UTC\ncalendars: [a]\ntimezone: Europe/London\n",
	           3, 1, "duplicate");
	load_error("council:\n  name: A\n  name: B\n", 3, 3, "duplicate");
	load_error("timezone: UTC\n\"timezone\": UTC\n", 2, 1, "duplicate");
}

static void test_config_invalid_yaml_names_line(void **state)
{
	(void)state;
	load_error("timezone: UTC\ncouncil: x\n areas: [a]\n", 3, 7, NULL);
	load_error("a: b\n c: d\n", 2, 3, NULL);
	load_error("council:\n\tname: x\n", 2, 1, NULL);
	load_error("calendars: [a, b\ntimezone: UTC\n", 0, 0, NULL);
	load_error("timezone: \"unterminated\n", 0, 0, NULL);
	load_error("timezone: UTC\n---\ntimezone: UTC\n", 2, 1, "document");
	load_error("calendars: *nowhere\n", 1, 12, NULL);
}

static void test_config_unknown_timezone_names_line(void **state)
{
	/* config.h: bad values are errors naming file:line:column. */
	(void)state;
	load_error("council:\n  name: X\ntimezone: Europe/Northbridge\n", 3, 11,
	           "Europe/Northbridge");
}

static void test_config_missing_file_is_enoinput(void **state)
{
	pd_config *c = NULL;
	(void)state;
	assert_int_equal(pd_config_load(&c, "/nonexistent/purdah.yaml"),
	                 PD_ENOINPUT);
	assert_null(c);
	assert_non_null(strstr(pd_error_message(), "/nonexistent/purdah.yaml"));
}

static void test_config_oversized_file_names_it(void **state)
{
	/* Over PD_MAX_CONFIG_BYTES: a configuration error naming the file. */
	size_t n = 1100 * 1024;
	char *yaml = malloc(n + 1);
	tmpcfg t;
	pd_config *c = NULL;
	pd_rc rc;
	char msg[512];
	(void)state;
	assert_non_null(yaml);
	memset(yaml, '#', n);
	yaml[n] = '\0';
	write_cfg(&t, yaml);
	free(yaml);
	rc = pd_config_load(&c, t.path);
	unlink(t.path);
	snprintf(msg, sizeof(msg), "%s", pd_error_message());
	pd_config_free(c);
	assert_int_equal(rc, PD_ECONFIG);
	if (!strstr(msg, t.path))
		fail_msg("message '%s' does not name %s", msg, t.path);
}

static void test_config_check_area(void **state)
{
	tmpcfg t;
	pd_config *c =
	        load_ok(&t, "council:\n  areas: [Abbey, \"St Peter's\"]\n");
	pd_config *d = NULL;
	(void)state;
	assert_int_equal(pd_config_check_area(c, "Abbey"), PD_OK);
	assert_int_equal(pd_config_check_area(c, "abbey"), PD_OK);
	assert_int_equal(pd_config_check_area(c, "ST PETER'S"), PD_OK);
	assert_int_equal(pd_config_check_area(c, NULL), PD_OK);
	assert_int_equal(pd_config_check_area(c, "Abbe"), PD_EUSAGE);
	assert_int_equal(pd_config_check_area(c, "Castle"), PD_EUSAGE);
	assert_non_null(strstr(pd_error_message(), "Castle"));
	assert_non_null(strstr(pd_error_message(), t.path));
	assert_int_equal(pd_config_check_area(c, ""), PD_EUSAGE);
	/* No areas configured: anything goes. */
	assert_int_equal(pd_config_default(&d), PD_OK);
	assert_int_equal(pd_config_check_area(d, "Anywhere"), PD_OK);
	pd_config_free(d);
	pd_config_free(c);
}

static void test_config_set_list_replaces(void **state)
{
	pd_config *c = NULL;
	char *items[] = {"one", "two"};
	(void)state;
	assert_int_equal(pd_config_default(&c), PD_OK);
	assert_int_equal(
	        pd_config_set_list(&c->calendars, &c->ncalendars, items, 2),
	        PD_OK);
	assert_int_equal(c->ncalendars, 2);
	assert_string_equal(c->calendars[1], "two");
	assert_ptr_not_equal(c->calendars[1], items[1]); /* copied */
	assert_int_equal(
	        pd_config_set_list(&c->lexicons, &c->nlexicons, NULL, 0),
	        PD_OK);
	assert_int_equal(c->nlexicons, 0);
	pd_config_free(c);
}

static void test_config_shipped_example_loads(void **state)
{
	pd_config *c = NULL;
	(void)state;
	if (pd_config_load(&c, "purdah.yaml") != PD_OK)
		fail_msg("%s", pd_error_message());
	assert_string_equal(c->timezone, "Europe/London");
	assert_true(c->nareas > 0);
	assert_int_equal(pd_config_check_area(c, "abbey"), PD_OK);
	pd_config_free(c);
}

static void test_config_allocation_failures_are_clean(void **state)
{
	tmpcfg t;
	long n, ok_run = 0, failures = 0, wrong = 0, first_wrong = -1;
	char wrong_msg[256] = "";
	(void)state;
	write_cfg(&t, "council:\n  name: N\n  areas: [a, b, c]\n"
	              "timezone: UTC\ncalendars: &c [x, y]\n"
	              "lexicons: *c\ncalendar_file: e.ics\n");
	/* Every failure point is visited (ASan checks for leaks on each);
	 * a misreported code is collected and failed at the end. */
	for (n = 0; n < 5000 && ok_run < 20; n++) {
		pd_config *c = NULL;
		pd_rc rc;
		pd_alloc_fail_after(n);
		rc = pd_config_load(&c, t.path);
		pd_alloc_fail_after(-1);
		if (rc == PD_OK) {
			ok_run++;
			if (c->nareas != 3 || c->nlexicons != 2 ||
			    strcmp(c->council_name, "N") != 0)
				fail_msg("fail after %ld: wrong result", n);
		} else {
			failures++;
			ok_run = 0;
			if (rc != PD_ENOMEM && wrong++ == 0) {
				first_wrong = n;
				snprintf(wrong_msg, sizeof(wrong_msg), "%s %s",
				         pd_rc_name(rc), pd_error_message());
			}
		}
		pd_config_free(c);
	}
	unlink(t.path);
	assert_true(failures > 5);
	assert_true(ok_run >= 20);
	if (wrong)
		fail_msg("%ld of %ld allocation failures not reported as "
		         "ENOMEM; first after %ld: %s",
		         wrong, failures, first_wrong, wrong_msg);
}

/* serve:, routes: and filter: with their defaults. */
static void test_config_serve_defaults(void **state)
{
	pd_config *c = NULL;

	(void)state;
	assert_int_equal(pd_config_default(&c), PD_OK);
	assert_string_equal(c->serve.listen, "127.0.0.1:8080");
	assert_int_equal(c->serve.threads, 4);
	assert_true(c->serve.cache_ttl == 300 && c->serve.stale == 3600);
	assert_true(c->serve.timeout == 10 && c->serve.watch == 2);
	assert_int_equal(c->serve.max_bytes, 8u * 1024 * 1024);
	assert_int_equal(c->serve.max_body_bytes, 1024 * 1024);
	assert_int_equal(c->serve.cache_entries, 1024);
	assert_int_equal(c->filter_max_bytes, 16u * 1024 * 1024);
	assert_int_equal(c->nroutes, 0);
	assert_int_equal(c->nselectors, 0);
	pd_config_free(c);
}

static void test_config_routes_take_serve_defaults(void **state)
{
	tmpcfg t;
	pd_config *c;
	char want[256], *dir;

	(void)state;
	c = load_ok(&t, "council:\n"
	                "  areas: [Abbey, Castle]\n"
	                "routes:\n"
	                "  - path: /feeds/members.xml\n"
	                "    upstream: file:site/members.xml\n"
	                "    class: councillor-feed\n"
	                "    area: abbey\n"
	                "  - path: /forum/\n"
	                "    upstream: https://forum.example.org/board/\n"
	                "    class: forum\n"
	                "    format: html\n"
	                "    ttl: 5\n"
	                "    max_bytes: 1000\n"
	                "    redirect_hosts: [cdn.example.org]\n"
	                "serve:\n"
	                "  listen: \"[::1]:9000\"\n"
	                "  cache_ttl: 60\n"
	                "  stale: 0\n"
	                "  timeout: 2.5\n"
	                "  max_bytes: 5000\n"
	                "filter:\n"
	                "  max_bytes: 100000\n"
	                "  html_selectors:\n"
	                "    - {xpath: \"//div[@id='members']\", class: "
	                "councillor-feed}\n");
	assert_string_equal(c->serve.listen, "[::1]:9000");
	assert_int_equal(c->nroutes, 2);
	/* serve: comes after routes: in the file, and still gives them their
	 * defaults. */
	assert_true(c->routes[0].ttl == 60 && c->routes[0].stale == 0);
	assert_true(c->routes[0].timeout == 2.5);
	assert_int_equal(c->routes[0].max_bytes, 5000);
	assert_null(c->routes[0].format);
	assert_string_equal(c->routes[0].cls, "councillor-feed");
	assert_string_equal(c->routes[0].area, "abbey");
	dir = realpath("/tmp", NULL);
	snprintf(want, sizeof(want), "file://%s/site/members.xml", dir);
	free(dir);
	assert_string_equal(c->routes[0].upstream, want);
	assert_true(c->routes[1].ttl == 5);
	assert_int_equal(c->routes[1].max_bytes, 1000);
	assert_string_equal(c->routes[1].format, "html");
	assert_int_equal(c->routes[1].nredirect_hosts, 1);
	assert_string_equal(c->routes[1].redirect_hosts[0], "cdn.example.org");
	assert_int_equal(c->routes[1].line, 8);
	assert_int_equal(c->filter_max_bytes, 100000);
	assert_int_equal(c->nselectors, 1);
	assert_string_equal(c->selectors[0].xpath, "//div[@id='members']");
	assert_string_equal(c->selectors[0].cls, "councillor-feed");
	pd_config_free(c);
}

static void test_config_route_errors_name_line(void **state)
{
	(void)state;
	load_error("routes:\n  - {path: feeds, upstream: http://x/, "
	           "class: forum}\n",
	           2, 12, "must start with '/'");
	load_error("routes:\n  - {path: /a/../b, upstream: http://x/, "
	           "class: forum}\n",
	           2, 12, "'..' segment");
	load_error("routes:\n  - {path: /a/%2e%2e/b, upstream: http://x/, "
	           "class: forum}\n",
	           2, 12, "'%'");
	load_error("routes:\n  - {path: /a, upstream: ftp://x/, class: "
	           "forum}\n",
	           2, 26, "http://, https:// or file:");
	load_error("routes:\n  - {path: /a, upstream: \"http:///a\", "
	           "class: forum}\n",
	           2, 26, "no host");
	load_error("routes:\n  - {path: /a, upstream: file://host/a, class: "
	           "forum}\n",
	           2, 26, "names no host");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "blog}\n",
	           2, 44, "unknown class 'blog'");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "forum, format: json}\n",
	           2, 59, "unknown format 'json'");
	load_error("routes:\n  - {path: /a, upstream: http://x/}\n", 2, 5,
	           "needs path, upstream and class");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "forum, colour: red}\n",
	           2, 51, "unknown route key 'colour'");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "forum}\n  - {path: /a, upstream: http://y/, class: "
	           "forum}\n",
	           3, 5, "given twice (first on line 2)");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "forum, ttl: -1}\n",
	           2, 56, "'ttl' must be a number from 0");
	load_error("routes:\n  - {path: /a, upstream: http://x/, class: "
	           "forum, max_bytes: 1.5}\n",
	           2, 62, "whole number");
	load_error("routes: {path: /a}\n", 1, 9, "must be a list");
	load_error("council: {areas: [Abbey]}\nroutes:\n  - {path: /a, "
	           "upstream: http://x/, class: forum, area: Nowhere}\n",
	           0, 0, "route /a: area 'Nowhere'");
	load_error("routes:\n  - {path: /review/x, upstream: http://x/, "
	           "class: forum}\n",
	           2, 12, "is the service's own");
	load_error("routes:\n  - {path: /v1/, upstream: http://x/, "
	           "class: forum}\n",
	           2, 12, "is the service's own");
	load_error("serve: {listen: localhost}\n", 1, 17, "not ADDR:PORT");
	load_error("serve: {listen: \"127.0.0.1:0\"}\n", 1, 17,
	           "port must be 1 to 65535");
	load_error("serve: {threads: 0}\n", 1, 18, "'serve.threads'");
	load_error("serve: {colour: red}\n", 1, 9,
	           "unknown key 'serve.colour'");
	load_error("filter: {html_selectors: [{xpath: //a}]}\n", 1, 27,
	           "needs xpath and class");
	load_error("filter: {html_selectors: [{xpath: //a, class: x}]}\n", 1,
	           47, "unknown class 'x'");
	load_error("filter: {colour: red}\n", 1, 10,
	           "unknown key 'filter.colour'");
}

static void test_config_store_and_review(void **state)
{
	pd_config *c = NULL;
	tmpcfg t;

	(void)state;
	assert_int_equal(pd_config_default(&c), PD_OK);
	assert_string_equal(c->review.db, "var/purdah.db");
	assert_false(c->review.sync_full);
	assert_true(c->review.hold_for == 86400);
	assert_int_equal(c->review.password_cost, 0);
	assert_true(c->review.session_idle == 1800);
	assert_true(c->review.session_max == 43200);
	assert_int_equal(c->review.login_failures, 5);
	assert_true(c->review.login_window == 900);
	assert_int_equal(c->review.cookie_secure, 0);
	assert_int_equal(c->review.page_size, 50);
	pd_config_free(c);

	c = load_ok(&t, "store: {path: q/r.db, synchronous: full}\n"
	                "review:\n  hold_for: 3600\n  password_cost: min\n"
	                "  session_idle: 600\n  session_max: 7200\n"
	                "  login_failures: 3\n  login_window: 60\n"
	                "  cookie_secure: always\n  page_size: 20\n");
	assert_in_dir(&t, c->review.db, "q/r.db");
	assert_true(c->review.sync_full);
	assert_true(c->review.hold_for == 3600);
	assert_int_equal(c->review.password_cost, 2);
	assert_true(c->review.session_idle == 600);
	assert_true(c->review.session_max == 7200);
	assert_int_equal(c->review.login_failures, 3);
	assert_true(c->review.login_window == 60);
	assert_int_equal(c->review.cookie_secure, 1);
	assert_int_equal(c->review.page_size, 20);
	pd_config_free(c);
	c = load_ok(&t, "council: {name: X}\n");
	assert_in_dir(&t, c->review.db, "var/purdah.db");
	pd_config_free(c);

	load_error("store: {synchronous: off}\n", 1, 22,
	           "'store.synchronous' must be normal or full, not 'off'");
	load_error("store: {colour: red}\n", 1, 9,
	           "unknown key 'store.colour'");
	load_error("store: [x]\n", 1, 8, "'store' must be a mapping");
	load_error("review: {password_cost: cheap}\n", 1, 25,
	           "must be interactive, moderate or min");
	load_error("review: {cookie_secure: yes}\n", 1, 25,
	           "must be auto, always or never");
	load_error("review: {hold_for: 1}\n", 1, 20, "'review.hold_for'");
	load_error("review: {page_size: 0}\n", 1, 21, "'review.page_size'");
	load_error("review: {login_failures: 2.5}\n", 1, 26, "whole number");
	load_error("review: {colour: red}\n", 1, 10,
	           "unknown key 'review.colour'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_config_default_values),
	        cmocka_unit_test(test_config_all_keys),
	        cmocka_unit_test(
	                test_config_relative_paths_resolved_against_file_dir),
	        cmocka_unit_test(test_config_file_in_working_directory),
	        cmocka_unit_test(test_config_empty_file_gives_defaults),
	        cmocka_unit_test(
	                test_config_document_marker_only_gives_defaults),
	        cmocka_unit_test(test_config_unknown_top_level_key),
	        cmocka_unit_test(test_config_unknown_council_key),
	        cmocka_unit_test(test_config_wrong_types),
	        cmocka_unit_test(test_config_duplicate_key),
	        cmocka_unit_test(test_config_invalid_yaml_names_line),
	        cmocka_unit_test(test_config_unknown_timezone_names_line),
	        cmocka_unit_test(test_config_missing_file_is_enoinput),
	        cmocka_unit_test(test_config_oversized_file_names_it),
	        cmocka_unit_test(test_config_check_area),
	        cmocka_unit_test(test_config_set_list_replaces),
	        cmocka_unit_test(test_config_shipped_example_loads),
	        cmocka_unit_test(test_config_allocation_failures_are_clean),
	        cmocka_unit_test(test_config_serve_defaults),
	        cmocka_unit_test(test_config_routes_take_serve_defaults),
	        cmocka_unit_test(test_config_route_errors_name_line),
	        cmocka_unit_test(test_config_store_and_review),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pd_cleanup();
	return rc;
}
