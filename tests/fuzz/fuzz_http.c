/*
 * libFuzzer target for HTTP requests: each input is sent, as raw bytes, to
 * a real `purdah serve` (pd_server_start on 127.0.0.1, an ephemeral port)
 * serving the shipped purdah.yaml - its routes (file: upstreams under
 * tests/data/site), its calendars and lexicons - and the answer is read
 * back. libmicrohttpd parses the request line, headers and body; purdah's
 * own code splits the target, routes it (prefix routes, '..' and encoded
 * tricks), parses queries and JSON bodies, and filters what it fetches.
 *
 * An answer, when there is one, must start with an HTTP/1.x status line,
 * and the server must still answer /healthz (asked after every 64th
 * input, and at the first). ASan, UBSan and LeakSanitizer watch the rest;
 * that only configured routes answer (no open proxy) is tests/server's.
 * Anything else aborts.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`. Run from the
 * repository root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dep/curl.h"
#include "fuzz_check.h"
#include "purdah/world.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pd_server *g_srv;
static char g_dir[] = "/tmp/purdah-fuzz-http.XXXXXX";
static char g_db[sizeof(g_dir) + 16];

static void stop(void)
{
	static const char *const ext[] = {"", "-wal", "-shm", "-journal"};

	pd_server_stop(g_srv, 5);
	g_srv = NULL;
	pd_fetch_global_cleanup();
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		char f[sizeof(g_db) + 16];
		snprintf(f, sizeof(f), "%s%s", g_db, ext[i]);
		unlink(f);
	}
	rmdir(g_dir);
}

static unsigned port(void)
{
	pd_world *w = NULL;
	pd_world_opts o = {0};

	if (g_srv)
		return pd_server_port(g_srv);
	o.config_path = "purdah.yaml";
	o.periods_only = true;
	if (!mkdtemp(g_dir)) {
		perror("fuzz_http: mkdtemp");
		exit(2);
	}
	snprintf(g_db, sizeof(g_db), "%s/review.db", g_dir);
	if (pd_fetch_global_init() < 0 || pd_world_load(&w, &o) < 0 ||
	    pd_server_start_db(&g_srv, w, "127.0.0.1:0", g_db) < 0) {
		fprintf(stderr,
		        "fuzz_http: cannot start the server on the shipped "
		        "purdah.yaml (run from the repository root): %s\n",
		        pd_error_message());
		exit(2);
	}
	atexit(stop);
	return pd_server_port(g_srv);
}

/* Send `len` bytes, read the answer (at most `cap` - 1 bytes kept) until
 * the server closes or 5 s pass. The length read, or -1 when the server
 * cannot be reached. */
static long exchange(unsigned p, const void *req, size_t len, char *ans,
                     size_t cap)
{
	struct sockaddr_in a;
	struct timeval tv = {5, 0};
	size_t got = 0;
	int fd = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)p);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Thousands of connections a second leave the loopback's ports in
	 * TIME_WAIT: wait for one to come free (up to 10 s) rather than
	 * report the machine's limit as a finding. */
	for (int tries = 0;; tries++) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(fd);
		if (errno != EADDRNOTAVAIL || tries == 500)
			return -1;
		usleep(20000);
	}
	/* The server may answer (and close) before reading it all. */
	(void)!send(fd, req, len, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	for (;;) {
		char tmp[4096];
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n <= 0)
			break;
		if (got + 1 < cap) {
			size_t k = (size_t)n < cap - 1 - got ? (size_t)n
			                                     : cap - 1 - got;
			memcpy(ans + got, tmp, k);
			got += k;
		}
	}
	ans[got] = '\0';
	/* Reset rather than close: no TIME_WAIT left on this side. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0},
	           sizeof(struct linger));
	close(fd);
	return (long)got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char ans[1 << 16];
	static unsigned long runs;
	static const char health[] = "GET /healthz HTTP/1.1\r\n"
	                             "Host: x\r\nConnection: close\r\n\r\n";
	unsigned p = port();
	long n;

	if (size > (1u << 20))
		return 0;
	n = exchange(p, data, size, ans, sizeof(ans));
	FZ_CHECK(n >= 0);
	if (n > 0) {
		FZ_CHECK(strncmp(ans, "HTTP/1.", 7) == 0);
	}
	if (runs++ % 64 == 0) { /* still serving */
		n = exchange(p, health, sizeof(health) - 1, ans, sizeof(ans));
		FZ_CHECK(n > 12 && strncmp(ans + 8, " 200", 4) == 0);
	}
	return 0;
}
