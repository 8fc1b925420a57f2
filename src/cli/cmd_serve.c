/*
 * `purdah serve`: the HTTP service (src/server/). This front-end loads the
 * world, starts the service, and owns the process's life: SIGHUP reloads
 * the configuration, calendars and lexicons (a world that does not load is
 * refused and logged, the old one keeps serving); every serve.watch
 * seconds the files are fingerprinted and a change reloads the same way
 * (so `purdah freeze start` takes effect without a signal), and pending
 * review items whose time has passed are expired; a freeze started on the
 * review page reloads at once (on the worker that wrote it). SIGTERM and
 * SIGINT stop accepting, let what is in flight finish, and exit 0.
 *
 * The signal handler only writes the signal's number to a pipe; this
 * thread reads it and does the work. Other threads start with the signals
 * blocked.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "dep/curl.h"
#include "purdah/world.h"
#include "server/server.h"

static const char serve_usage[] =
        "usage: purdah serve [--listen ADDR:PORT]\n"
        "  The HTTP service: the configured routes (a filtering proxy with "
        "a\n"
        "  cache), POST /v1/check, GET /v1/status, GET /v1/items/ID,\n"
        "  /healthz, /metrics, and the review pages under /review (the "
        "store:\n"
        "  --db, else store.path).\n"
        "  --listen ADDR:PORT  default serve.listen in purdah.yaml, else\n"
        "                      127.0.0.1:8080 ([::1]:8080 for IPv6)\n"
        "  Signals: HUP reloads configuration, calendars and lexicons "
        "(refused\n"
        "  and logged when broken); TERM or INT drains and exits 0.\n"
        "  Logs: stderr, one line per request and per decision.\n";

/* The write end of the self-pipe, for the signal handler alone. */
static volatile sig_atomic_t signal_fd = -1;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (signal_fd >= 0 && write(signal_fd, &b, 1) < 0) {
		/* full: a signal is already pending */
	}
	errno = saved;
}

static pd_rc on_opt(pd_cli *c, void *ctx, int opt, const char *arg)
{
	const char **listen = ctx;

	(void)c;
	if (opt != 1)
		return pd_error_set(PD_EINTERNAL, "option %d", opt);
	*listen = arg;
	return PD_OK;
}

/* The longest a request may still take: the slowest route's timeout. */
static double drain_time(const pd_config *cfg)
{
	double t = cfg->serve.timeout;

	for (size_t i = 0; i < cfg->nroutes; i++)
		if (cfg->routes[i].timeout > t)
			t = cfg->routes[i].timeout;
	return t + 5 > 120 ? 120 : t + 5;
}

typedef struct {
	pd_server *srv;
	pthread_mutex_t mu;  /* cur, refused: reloads come from this thread
	                        and from a review page's worker */
	const pd_world *cur; /* served; alive until the next swap */
	pd_world_opts wo;
	uint64_t refused; /* the stamp of the files last refused */
} life;

/* Called with l->mu held. */
static void reload(life *l, const char *why)
{
	uint64_t stamp = pd_world_stamp(&l->wo, l->cur->cfg);
	pd_world *w = NULL;

	srv_log("reloading (%s)", why);
	if (pd_world_load(&w, &l->wo) < 0) {
		pd_server_reload_refused(l->srv);
		l->refused = stamp;
		return;
	}
	l->refused = 0;
	if (pd_server_set_world(l->srv, w) == PD_OK)
		l->cur = w;
}

/* pd_server_reload_fn: a review page wrote a freeze. */
static void reload_now(void *ctx)
{
	life *l = ctx;

	pthread_mutex_lock(&l->mu);
	reload(l, "a freeze from the review page");
	pthread_mutex_unlock(&l->mu);
}

static pd_rc setup_signals(int fds[2], sigset_t *blocked)
{
	struct sigaction sa;

	if (pipe(fds) < 0)
		return pd_error_set(PD_EIO, "serve: pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	}
	signal_fd = fds[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Threads started from here on leave the signals to this one. */
	sigemptyset(blocked);
	sigaddset(blocked, SIGHUP);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	pthread_sigmask(SIG_BLOCK, blocked, NULL);
	return PD_OK;
}

static void restore_signals(int fds[2])
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal_fd = -1;
	close(fds[0]);
	close(fds[1]);
}

/* Seconds between sweeps for expired review items (the pages and
 * /v1/items sweep before they read, too). */
#define EXPIRE_EVERY 60.0

/* Serve until SIGTERM or SIGINT. */
static void run(life *l, int rfd, double watch)
{
	double next_watch = pd_http_clock() + watch;
	double next_expiry = pd_http_clock() + EXPIRE_EVERY;

	for (;;) {
		struct pollfd p = {rfd, POLLIN, 0};
		unsigned char sigs[16];
		double now = pd_http_clock(), until = next_expiry;
		ssize_t n;
		int r;

		if (watch > 0 && next_watch < until)
			until = next_watch;
		r = poll(&p, 1,
		         until > now ? (int)((until - now) * 1000) + 1 : 0);
		if (r < 0 && errno != EINTR)
			return;
		if (r == 0) {
			now = pd_http_clock();
			if (watch > 0 && now >= next_watch) {
				uint64_t st;
				pthread_mutex_lock(&l->mu);
				st = pd_world_stamp(&l->wo, l->cur->cfg);
				if (st != l->cur->stamp && st != l->refused)
					reload(l, "files changed");
				pthread_mutex_unlock(&l->mu);
				next_watch = pd_http_clock() + watch;
			}
			if (now >= next_expiry) {
				pd_server_expire(l->srv);
				next_expiry = pd_http_clock() + EXPIRE_EVERY;
			}
			continue;
		}
		n = read(rfd, sigs, sizeof(sigs));
		for (ssize_t i = 0; i < n; i++)
			if (sigs[i] == SIGTERM || sigs[i] == SIGINT) {
				srv_log("stopping (%s): draining",
				        sigs[i] == SIGTERM ? "SIGTERM"
				                           : "SIGINT");
				return;
			}
		for (ssize_t i = 0; i < n; i++)
			if (sigs[i] == SIGHUP) {
				pthread_mutex_lock(&l->mu);
				reload(l, "SIGHUP");
				pthread_mutex_unlock(&l->mu);
				break;
			}
	}
}

pd_rc pd_cmd_serve(pd_cli *c, int argc, char **argv)
{
	static const struct option o_opts[] = {
	        {"listen", required_argument, NULL, 1},
	};
	const char *listen = NULL;
	pd_world *w = NULL;
	life l;
	int fds[2];
	sigset_t blocked;
	double drain, watch;
	size_t left;
	pd_rc rc;

	if ((rc = pd_cli_parse(c, argc, argv, NULL, o_opts, 1, on_opt, &listen,
	                       serve_usage)) < 0 ||
	    c->done)
		return rc;
	if (optind < argc)
		return pd_error_set(PD_EUSAGE, "serve: unexpected '%s'",
		                    argv[optind]);
	memset(&l, 0, sizeof(l));
	l.wo.config_path = c->config_path;
	l.wo.calendars = c->calendars;
	l.wo.ncalendars = c->ncalendars;
	l.wo.lexicons = c->lexicons;
	l.wo.nlexicons = c->nlexicons;
	l.wo.tz_name = c->tz_name;
	l.wo.periods_only = true; /* the gate and filter need no holidays */
	if ((rc = pd_world_load(&w, &l.wo)) < 0)
		return rc;
	if (!listen)
		listen = w->cfg->serve.listen;
	drain = drain_time(w->cfg);
	watch = w->cfg->serve.watch;
	l.cur = w;
	if ((rc = pd_fetch_global_init()) < 0) {
		pd_world_free(w);
		return rc;
	}
	if ((rc = setup_signals(fds, &blocked)) < 0) {
		pd_world_free(w);
		pd_fetch_global_cleanup();
		return rc;
	}
	pthread_mutex_init(&l.mu, NULL);
	rc = pd_server_start_db(&l.srv, w, listen, c->db_path); /* takes w */
	pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
	if (rc == PD_OK) {
		pd_server_set_reload(l.srv, reload_now, &l);
		srv_log("serving on %s (%zu route%s)", listen,
		        l.cur->cfg->nroutes,
		        l.cur->cfg->nroutes == 1 ? "" : "s");
		run(&l, fds[0], watch);
		left = pd_server_stop(l.srv, drain);
		if (left)
			srv_log("stopped: %zu request%s cut off", left,
			        left == 1 ? "" : "s");
		else
			srv_log("stopped");
	}
	pthread_mutex_destroy(&l.mu);
	restore_signals(fds);
	pd_fetch_global_cleanup();
	return rc;
}
