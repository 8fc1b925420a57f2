/*
 * What the subcommands of the purdah CLI share: the global options, the
 * configuration and the calendars, loaded on demand, and output helpers.
 * Subcommands parse their own options, call the core, and format results;
 * they return a pd_rc, which main() alone turns into an exit status.
 */
#ifndef PURDAH_CLI_H
#define PURDAH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "purdah/buf.h"
#include "purdah/calendar.h"
#include "purdah/config.h"
#include "purdah/error.h"
#include "purdah/gate.h"
#include "purdah/json.h"
#include "purdah/match.h"
#include "purdah/time.h"

/* sysexits(3) style exit codes. */
enum {
	PD_EXIT_OK = 0,
	PD_EXIT_USAGE = 64,
	PD_EXIT_DATAERR = 65,
	PD_EXIT_NOINPUT = 66,
	PD_EXIT_SOFTWARE = 70,
	PD_EXIT_IOERR = 74,
	PD_EXIT_CONFIG = 78
};

typedef struct pd_cli {
	const char *prog;
	const char *config_path; /* --config */
	const char **calendars;  /* --calendars, repeatable */
	size_t ncalendars;
	const char **lexicons; /* --lexicons, repeatable */
	size_t nlexicons;
	const char *tz_name; /* --tz */
	const char *db_path; /* --db: the review store */
	pd_config *cfg;
	const pd_tz *tz;
	pd_calendar *cal;
	pd_lexset *lexset;
	pd_matcher *matcher;
	struct pd_store *store; /* pd_cli_store() */
	/* For a command's exit status beyond success/failure (check: 1 hold,
	 * 2 block). */
	int exit_status;
	bool done; /* --help was answered: the command stops, successfully */
	bool periods_only; /* the calendar's bank holidays are not needed */
	bool in_command;   /* parsing a command's own options */
	const char *usage; /* the usage of the command being run */
} pd_cli;

/* Global options accepted by every command (merged into its table). */
#define PD_CLI_GLOBAL_OPTS                                                     \
	{"config", required_argument, NULL, 1001},                             \
	        {"calendars", required_argument, NULL, 1002},                  \
	        {"lexicons", required_argument, NULL, 1003},                   \
	        {"tz", required_argument, NULL, 1004},                         \
	        {"db", required_argument, NULL, 1005},                         \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

/* Append `s` (an argv string: not copied) to a list of `*n` options. */
pd_rc pd_cli_push(const char ***list, size_t *n, const char *s);

/* Handle a global option (returns 1 when `opt` was one), PD_EUSAGE-style
 * errors through *rc. */
int pd_cli_global_opt(pd_cli *c, int opt, const char *arg, pd_rc *rc);

/* Load the configuration (explicit --config, else ./purdah.yaml when
 * present, else defaults) and apply --calendars/--lexicons/--tz. */
pd_rc pd_cli_setup(pd_cli *c);
/* Load and index the calendars (after setup). */
pd_rc pd_cli_calendar(pd_cli *c);
/* Load and compile the configured lexicons (after setup). */
pd_rc pd_cli_matcher(pd_cli *c);
/* Open the review store (--db, else the configured store.path; after
 * setup), creating it when `create`; expired items are swept first. */
pd_rc pd_cli_store(pd_cli *c, bool create);
void pd_cli_dispose(pd_cli *c);

/* getopt_long over argv with the command's options + the globals; calls
 * `fn` for each command option. Leaves optind at the first operand. */
typedef pd_rc (*pd_cli_opt_fn)(pd_cli *c, void *ctx, int opt, const char *arg);
pd_rc pd_cli_parse(pd_cli *c, int argc, char **argv, const char *shortopts,
                   const struct option *cmd_opts, size_t ncmd, pd_cli_opt_fn fn,
                   void *ctx, const char *usage);

/* One more --area of `cmd` into `areas` (at most PD_MAX_ITEM_AREAS). */
pd_rc pd_cli_push_area(const char **areas, size_t *n, const char *arg,
                       const char *cmd);

/* What --class, --area... and --at say of an item (check, filter): the
 * class (default council-post), the areas checked against the
 * configuration, the time (default now). After pd_cli_setup(). */
pd_rc pd_cli_item_opts(pd_cli *c, const char *cls, const char *const *areas,
                       size_t nareas, const char *at, pd_class *cls_out,
                       pd_instant *at_out);

/* A --from/--to bound: a date YYYY-MM-DD (the start of that local day;
 * with `to`, of the next day, so the day is included) or a time (with
 * `to`, that second included). PD_EUSAGE naming `what`. After setup. */
pd_rc pd_cli_parse_bound(pd_cli *c, pd_instant *out, const char *s, bool to,
                         const char *what);

/* The options of a command that exports (audit export, report): --from,
 * --to, --format and --output; argv strings, borrowed. */
typedef struct pd_cli_export {
	const char *from, *to, *format, *output;
} pd_cli_export;

/* Parse a command's argv (pd_cli_parse with `usage`) into `o`, then check
 * it: no operands, --format `fmt1` or `fmt2`, a non-empty --output, the
 * --from/--to bounds into `from`/`to` (0 when not given; after
 * pd_cli_setup); then open the store. `cmd` names the command in the
 * PD_EUSAGE messages. The caller stops when c->done. */
pd_rc pd_cli_export_parse(pd_cli *c, int argc, char **argv, const char *usage,
                          const char *cmd, const char *fmt1, const char *fmt2,
                          pd_cli_export *o, pd_instant *from, pd_instant *to);

/* Write the bytes of `b` to `path` atomically (pd_file_write_atomic), or
 * to stdout when `path` is NULL or "-"; PD_EIO when stdout fails. */
pd_rc pd_cli_write_output(const char *path, const pd_buf *b);

/* Write `v` as JSON to stdout (pretty) and free it. */
pd_rc pd_cli_print_json(pd_json *v, bool pretty);
/* Print text that may quote bytes from files: control characters as \xNN
 * (line breaks as \n unless `lines`, tabs kept), so that a crafted file
 * cannot drive the terminal or split an output line. */
void pd_cli_put_escaped(FILE *f, const char *s, bool lines);
/* "Wed 31 Mar 2027" / "end of Thu 6 May 2027" / "Thu 6 May 2027 22:00";
 * the end of an open-ended period is "(open-ended)". */
void pd_cli_fmt_start(char *buf, size_t n, const pd_period *p, const pd_tz *tz);
void pd_cli_fmt_end(char *buf, size_t n, const pd_period *p, const pd_tz *tz);
/* "whole council" or "areas: A, B" into buf. */
void pd_cli_fmt_areas(char *buf, size_t n, const pd_period *p);

pd_rc pd_cmd_status(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_check(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_periods(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_timetable(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_calendar(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_lexicon(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_scan(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_freeze(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_filter(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_review(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_audit(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_report(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_user(pd_cli *c, int argc, char **argv);
pd_rc pd_cmd_serve(pd_cli *c, int argc, char **argv);

#endif
