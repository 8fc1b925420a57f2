/*
 * `purdah user`: the people who may log in to the review pages (`purdah
 * serve`, /review), in the store. Passwords are read from the terminal
 * with echo off (asked twice) or, when standard input is not a terminal,
 * as one line from it; they are stored only as Argon2id hashes
 * (pd_user_add) and wiped from memory here after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "purdah/alloc.h"
#include "purdah/json.h"
#include "purdah/store.h"

#define MAX_PASSWORD 1024 /* bytes */

static const char user_usage[] =
        "usage: purdah user add NAME --role monitoring|comms|viewer [--by "
        "NAME]\n"
        "       purdah user disable NAME [--by NAME]\n"
        "       purdah user list [--json]\n"
        "  The users of the review pages (purdah serve, /review), in the\n"
        "  store (--db FILE, default store.path: var/purdah.db).\n"
        "  add      a user (NAME: 1-64 of A-Z a-z 0-9 . _ @ -) with a role:\n"
        "           monitoring (approves and rejects), comms (sees\n"
        "           everything, starts and ends freezes) or viewer (reads).\n"
        "           The password (at least 8 bytes) is asked twice on the\n"
        "           terminal, echo off; when standard input is no terminal\n"
        "           it is its first line. Stored as Argon2id\n"
        "           (review.password_cost).\n"
        "  disable  a user can no longer log in; their sessions end\n"
        "  list     name, role, active or disabled, created\n"
        "  --by NAME is who did it, for the audit trail (default $USER).\n"
        "  Exit status: 0 success, 64 usage, 65 name taken or malformed or\n"
        "  password too short, 66 no such user or store, 70 internal "
        "error,\n"
        "  74 I/O error, 78 configuration.\n";

typedef struct {
	const char *role, *by;
	bool json;
} us_opts;

static pd_rc on_opt(pd_cli *c, void *vctx, int opt, const char *arg)
{
	us_opts *o = vctx;

	(void)c;
	switch (opt) {
	case 1: o->role = arg; break;
	case 2: o->by = arg; break;
	case 3: o->json = true; break;
	default: return pd_error_set(PD_EINTERNAL, "option %d", opt);
	}
	return PD_OK;
}

static const struct option all_opts[] = {
        {"role", required_argument, NULL, 1},
        {"by", required_argument, NULL, 2},
        {"json", no_argument, NULL, 3},
};

/* Who does it, for the audit trail: --by, else $USER, else "cli". */
static pd_rc actor(const us_opts *o, const char *cmd, const char **out)
{
	const char *by = o->by;

	if (by) {
		if (!by[0])
			return pd_error_set(PD_EUSAGE, "user %s: --by: empty",
			                    cmd);
		for (const char *p = by; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return pd_error_set(PD_EUSAGE,
				                    "user %s: --by: a control "
				                    "character in the name",
				                    cmd);
		*out = by;
		return PD_OK;
	}
	by = getenv("USER");
	*out = by && by[0] && strlen(by) <= 64 ? by : "cli";
	return PD_OK;
}

/* Overwrite `n` bytes in a way the compiler may not drop. */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/*
 * One line from `fd` into buf (at most MAX_PASSWORD bytes, the line break
 * and a CR before it dropped). PD_EUSAGE for a line too long or no line.
 */
static pd_rc read_line(int fd, char *buf, size_t *len, const char *from)
{
	size_t k = 0;
	bool any = false, too_long = false;

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pd_error_set(
			        PD_EIO,
			        "user add: cannot read the password "
			        "from %s: %s",
			        from, strerror(errno));
		if (r == 0 || ch == '\n')
			break;
		any = true;
		if (k == MAX_PASSWORD)
			too_long = true;
		else
			buf[k++] = ch;
	}
	if (k && buf[k - 1] == '\r')
		k--;
	buf[k] = '\0';
	if (too_long)
		return pd_error_set(PD_EUSAGE,
		                    "user add: the password is longer than %d "
		                    "bytes",
		                    MAX_PASSWORD);
	if (!any)
		return pd_error_set(PD_EUSAGE,
		                    "user add: no password given on %s", from);
	*len = k;
	return PD_OK;
}

/* Prompt on /dev/tty with echo off, twice. */
static pd_rc read_tty(const char *name, char *pw, size_t *len)
{
	char again[MAX_PASSWORD + 1];
	struct termios old, quiet;
	size_t len2 = 0;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	bool restore = false;
	pd_rc rc;

	if (fd < 0)
		return pd_error_set(PD_EIO,
		                    "user add: cannot open /dev/tty: %s",
		                    strerror(errno));
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (!restore) {
		close(fd);
		return pd_error_set(
		        PD_EIO, "user add: cannot turn off the terminal's "
		                "echo; give the password on standard input");
	}
	dprintf(fd, "Password for %s: ", name);
	rc = read_line(fd, pw, len, "the terminal");
	if (rc == PD_OK) {
		dprintf(fd, "Again: ");
		rc = read_line(fd, again, &len2, "the terminal");
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	if (rc == PD_OK && (len2 != *len || memcmp(pw, again, *len) != 0))
		rc = pd_error_set(PD_EUSAGE,
		                  "user add: the passwords differ; nothing was "
		                  "changed");
	wipe(again, sizeof(again));
	return rc;
}

static pd_rc cmd_add(pd_cli *c, int argc, char **argv)
{
	char pw[MAX_PASSWORD + 1];
	size_t len = 0;
	const char *by, *name;
	us_opts o;
	pd_role role;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, all_opts, 2, on_opt, &o,
	                       user_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind + 1 != argc)
		return pd_error_set(PD_EUSAGE, "user add: one NAME, please");
	name = argv[optind];
	if (!o.role)
		return pd_error_set(PD_EUSAGE,
		                    "user add: --role monitoring|comms|viewer "
		                    "is required");
	if ((rc = pd_role_parse(&role, o.role)) < 0) {
		pd_error_prefix("user add: --role");
		return pd_error_recode(PD_EUSAGE);
	}
	if ((rc = actor(&o, "add", &by)) < 0)
		return rc;
	c->usage = NULL;
	if ((rc = pd_cli_store(c, true)) < 0)
		return rc;
	rc = isatty(STDIN_FILENO)
	             ? read_tty(name, pw, &len)
	             : read_line(STDIN_FILENO, pw, &len, "standard input");
	if (rc == PD_OK)
		rc = pd_user_add(c->store, name, role, pw, len,
		                 (pd_pw_cost)c->cfg->review.password_cost, by,
		                 pd_time_now());
	wipe(pw, sizeof(pw));
	if (rc == PD_OK) {
		fputs("user ", stdout);
		pd_cli_put_escaped(stdout, name, false);
		printf(" added (%s)\n", pd_role_name(role));
	}
	return rc;
}

static pd_rc cmd_disable(pd_cli *c, int argc, char **argv)
{
	const char *by;
	us_opts o;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, all_opts + 1, 1, on_opt, &o,
	                       user_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind + 1 != argc)
		return pd_error_set(PD_EUSAGE,
		                    "user disable: one NAME, please");
	if ((rc = actor(&o, "disable", &by)) < 0)
		return rc;
	c->usage = NULL;
	if ((rc = pd_cli_store(c, false)) < 0 ||
	    (rc = pd_user_disable(c->store, argv[optind], by, pd_time_now())) <
	            0)
		return rc;
	fputs("user ", stdout);
	pd_cli_put_escaped(stdout, argv[optind], false);
	fputs(" disabled\n", stdout);
	return PD_OK;
}

static pd_rc cmd_list(pd_cli *c, int argc, char **argv)
{
	pd_user_info *v = NULL;
	size_t n = 0;
	us_opts o;
	pd_rc rc;

	memset(&o, 0, sizeof(o));
	if ((rc = pd_cli_parse(c, argc, argv, NULL, all_opts + 2, 1, on_opt, &o,
	                       user_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "user list: unexpected '%s'",
		                    argv[optind]);
	if ((rc = pd_cli_store(c, false)) < 0 ||
	    (rc = pd_user_list(c->store, &v, &n)) < 0)
		return rc;
	if (o.json) {
		pd_json *arr = pd_json_array();
		for (size_t i = 0; arr && i < n && rc == PD_OK; i++) {
			pd_json *u = pd_json_object();
			char t[64];
			bool ok = u != NULL;
			pd_time_format_rfc3339(t, sizeof(t), v[i].created,
			                       c->tz);
			ok = ok &&
			     pd_json_set_str(u, "name", v[i].name) == PD_OK;
			ok = ok &&
			     pd_json_set_str(u, "role",
			                     pd_role_name(v[i].role)) == PD_OK;
			ok = ok && pd_json_set_bool(u, "disabled",
			                            v[i].disabled) == PD_OK;
			ok = ok && pd_json_set_str(u, "created", t) == PD_OK;
			if (!ok) {
				pd_json_free(u);
				rc = pd_error_set(PD_ENOMEM, "out of memory");
			} else {
				rc = pd_json_append(arr, u);
			}
		}
		if (rc == PD_OK)
			rc = pd_cli_print_json(arr, true);
		else
			pd_json_free(arr);
	} else if (n == 0) {
		printf("No users (add one with `purdah user add`).\n");
	} else {
		printf("%-24s %-10s %-8s %s\n", "NAME", "ROLE", "STATUS",
		       "CREATED");
		for (size_t i = 0; i < n; i++) {
			char t[64];
			size_t w = strlen(v[i].name);
			pd_civil lc;
			int off;
			pd_tz_instant_to_local(c->tz, v[i].created, &lc, &off);
			snprintf(t, sizeof(t), "%04d-%02d-%02d %02d:%02d",
			         lc.year, lc.month, lc.day, lc.hour, lc.min);
			pd_cli_put_escaped(stdout, v[i].name, false);
			for (; w < 24; w++)
				fputc(' ', stdout);
			printf(" %-10s %-8s %s\n", pd_role_name(v[i].role),
			       v[i].disabled ? "disabled" : "active", t);
		}
	}
	pd_free(v);
	return rc;
}

pd_rc pd_cmd_user(pd_cli *c, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : NULL;

	c->usage = user_usage;
	if (!sub)
		return pd_error_set(PD_EUSAGE,
		                    "user: no subcommand (add, disable, list)");
	if (!strcmp(sub, "add"))
		return cmd_add(c, argc - 1, argv + 1);
	if (!strcmp(sub, "disable"))
		return cmd_disable(c, argc - 1, argv + 1);
	if (!strcmp(sub, "list"))
		return cmd_list(c, argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(user_usage, stdout);
		return PD_OK;
	}
	return pd_error_set(PD_EUSAGE, "user: unknown subcommand '%s'", sub);
}
