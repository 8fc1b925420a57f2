/*
 * purdah's command line: global options, dispatch to a subcommand, and the
 * one place where a pd_rc becomes an exit status (sysexits style: 64 usage,
 * 65 bad input data, 66 input missing, 70 internal, 74 I/O, 78 config).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "purdah/buf.h"
#include "purdah/calfile.h"

#ifndef PURDAH_VERSION
#define PURDAH_VERSION "0.1.0"
#endif

static const char usage[] =
        "usage: purdah [--config FILE] [--calendars DIR]... [--lexicons "
        "DIR]...\n"
        "              [--tz ZONE] [--db FILE] COMMAND [ARGS]\n"
        "\n"
        "Commands:\n"
        "  status     the periods in force now (or --at TIME), and the next "
        "one\n"
        "  periods    every known period, optionally --from/--to\n"
        "  timetable  the statutory timetable for a poll (--poll DATE --type "
        "T)\n"
        "  calendar   check FILE... | add --type T --poll DATE --name NAME\n"
        "  freeze     an emergency freeze: start --reason TEXT [--until TIME] "
        "| end\n"
        "  scan       political wording in text: hits and scores per category\n"
        "  check      the posting gate: allow (0), hold (1) or block (2) an "
        "item\n"
        "  lexicon    check [PATH...] | import --kind K FILE.csv\n"
        "  filter     a feed, page or text as the period in force makes it\n"
        "  serve      the HTTP service: filtering proxy routes, the API, the\n"
        "             review pages\n"
        "  review     the review queue: list, show, status, approve, reject\n"
        "  audit      the audit trail: verify, export\n"
        "  report     the monitoring officer's report (HTML or CSV)\n"
        "  user       users of the review pages: add, disable, list\n"
        "  version    print the version\n"
        "\n"
        "Global options (before or after the command):\n"
        "  --config FILE     configuration (default ./purdah.yaml when "
        "present)\n"
        "  --calendars DIR   calendar file or directory; repeatable; replaces "
        "the\n"
        "                    configured list\n"
        "  --lexicons DIR    lexicon directory; repeatable; replaces the list\n"
        "  --tz ZONE         time zone (default Europe/London)\n"
        "  --db FILE         the review store (default store.path: "
        "var/purdah.db)\n"
        "\n"
        "`purdah COMMAND --help` describes a command. Exit status: 0 success,\n"
        "64 usage, 65 bad input data, 66 missing input, 70 internal error,\n"
        "74 I/O error, 78 configuration (calendars, lexicons, purdah.yaml).\n";

static int exit_code(pd_rc rc)
{
	switch (rc) {
	case PD_OK: return PD_EXIT_OK;
	case PD_EUSAGE: return PD_EXIT_USAGE;
	case PD_EINVALID:
	case PD_ETOOBIG: return PD_EXIT_DATAERR;
	case PD_ENOINPUT:
	case PD_ENOTFOUND: return PD_EXIT_NOINPUT;
	case PD_EIO: return PD_EXIT_IOERR;
	case PD_ECONFIG: return PD_EXIT_CONFIG;
	case PD_ENOMEM:
	case PD_EDEP:
	case PD_EINTERNAL: return PD_EXIT_SOFTWARE;
	}
	return PD_EXIT_SOFTWARE;
}

typedef struct {
	const char *name;
	pd_rc (*fn)(pd_cli *c, int argc, char **argv);
} command;

#ifndef PD_SERVE_BINARY
/* The arguments main() was given, for serve_exec(). */
static char **main_argv;

/*
 * `purdah serve` runs purdah-serve from purdah's own directory with the same
 * arguments. The HTTP service needs libmicrohttpd and libcurl (with libcurl's
 * TLS, LDAP, SSH ... libraries); linking them into purdah itself would make
 * every `purdah check` in a posting pipeline pay for loading them (git
 * keeps libcurl out of git for the same reason: git-remote-http).
 */
static pd_rc serve_exec(pd_cli *c, int argc, char **argv)
{
	char self[4096];
	pd_buf path = PD_BUF_INIT(sizeof(self) + 32);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	(void)c, (void)argc, (void)argv;
	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return pd_error_set(
		        PD_EINTERNAL,
		        "serve: cannot find purdah's own directory");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	if (pd_buf_printf(&path, "%s/purdah-serve", self) < 0)
		return pd_error_code();
	fflush(stdout);
	execv(path.ptr, main_argv);
	pd_error_set(PD_EINTERNAL,
	             "serve: cannot run %s: %s (build it with make)", path.ptr,
	             strerror(errno));
	pd_buf_dispose(&path);
	return pd_error_code();
}
#define PD_SERVE_FN serve_exec
#else
#define PD_SERVE_FN pd_cmd_serve
#endif

static const command commands[] = {
        {"status", pd_cmd_status},       {"periods", pd_cmd_periods},
        {"timetable", pd_cmd_timetable}, {"calendar", pd_cmd_calendar},
        {"lexicon", pd_cmd_lexicon},     {"scan", pd_cmd_scan},
        {"check", pd_cmd_check},         {"freeze", pd_cmd_freeze},
        {"filter", pd_cmd_filter},       {"serve", PD_SERVE_FN},
        {"review", pd_cmd_review},       {"audit", pd_cmd_audit},
        {"report", pd_cmd_report},       {"user", pd_cmd_user},
};

static pd_rc main_opt(pd_cli *c, void *ctx, int opt, const char *arg)
{
	bool *version = ctx;

	(void)c, (void)arg;
	if (opt != 'V')
		return pd_error_set(PD_EINTERNAL, "option %d", opt);
	*version = true;
	return PD_OK;
}

int main(int argc, char **argv)
{
	static const struct option main_opts[] = {
	        {"version", no_argument, NULL, 'V'},
	};
	pd_cli cli;
	bool version = false;
	pd_rc rc = PD_OK;
	const command *cmd = NULL;
	int code;

	memset(&cli, 0, sizeof(cli));
	cli.prog = "purdah";
#ifndef PD_SERVE_BINARY
	main_argv = argv;
#endif
	/* Global options before the command. */
	rc = pd_cli_parse(&cli, argc, argv, NULL, main_opts, 1, main_opt,
	                  &version, usage);
	if (rc == PD_OK && version) {
		printf("purdah %s\n", PURDAH_VERSION);
	} else if (rc == PD_OK && !cli.done) {
		int first = optind;
		if (first >= argc) {
			rc = pd_error_set(PD_EUSAGE, "no command given");
		} else if (!strcmp(argv[first], "version") ||
		           !strcmp(argv[first], "--version")) {
			printf("purdah %s\n", PURDAH_VERSION);
		} else if (!strcmp(argv[first], "help")) {
			fputs(usage, stdout);
		} else {
			for (size_t i = 0;
			     i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(argv[first], commands[i].name))
					cmd = &commands[i];
			if (!cmd)
				rc = pd_error_set(PD_EUSAGE,
				                  "unknown command '%s'",
				                  argv[first]);
			else {
				cli.in_command = true;
				rc = cmd->fn(&cli, argc - first, argv + first);
			}
		}
	}
	if (fflush(stdout) != 0 && rc == PD_OK)
		rc = pd_error_set(PD_EIO, "cannot write the output");
	if (rc < 0) {
		const char *msg = pd_error_message();
		fputs("purdah: ", stderr);
		pd_cli_put_escaped(stderr, msg[0] ? msg : pd_rc_name(rc), true);
		fputc('\n', stderr);
		if (rc == PD_EUSAGE && cli.usage)
			fputs(cli.usage, stderr);
		code = exit_code(rc);
	} else {
		code = cli.exit_status;
	}
	pd_cli_dispose(&cli);
	pd_cleanup();
	return code;
}
