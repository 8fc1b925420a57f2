/*
 * Posting-gate benchmark (make bench), issue #4's two targets:
 *
 * 1. Cold `purdah check` of one post with the shipped configuration,
 *    calendars and lexicons: the median wall time of 51 runs of the real
 *    binary (fork + exec + wait), against `true` (the shell utility) run
 *    the same way, alternating. Target: <= 15 ms.
 * 2. Batch throughput with a 20,000-name lexicon (generated) plus the
 *    shipped lexicons, on one core: POSTS posts made from the labelled
 *    corpus (tests/corpus/posts, 637 council posts; one in ten gets a
 *    generated name), publication times spread over 2026-2028 so that
 *    every kind of period is met. Measured in this process (parse the
 *    record, decide, write the JSON answer) against a baseline of jansson
 *    alone parsing and writing the same lines; and end to end, the real
 *    `purdah check --batch` over the same file (loading included).
 *    Target: >= 20,000 posts/s.
 *
 *   bench_check PURDAH WORKDIR      (run from the repository root)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "purdah/buf.h"
#include "purdah/calfile.h"
#include "purdah/file.h"
#include "purdah/gate.h"

#define NAMES     20000
#define POSTS     100000
#define COLD_RUNS 51

/* Run argv with stdin from `in` (or /dev/null), stdout and stderr to
 * /dev/null; the wall time in ms, or -1 when it could not run or exited
 * above 2 (0, 1, 2 are the gate's decisions). */
static double run(char *const argv[], const char *in)
{
	double t0 = bench_now_ms();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int fd = in ? open(in, O_RDONLY) : null;
		if (null < 0 || fd < 0)
			_exit(127);
		dup2(fd, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 2)
		return -1;
	return bench_now_ms() - t0;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

static int cold(const char *purdah, const char *post)
{
	char *check[] = {(char *)purdah,     "check",      "--at",
	                 "2027-04-20T12:00", (char *)post, NULL};
	char *truth[] = {"true", NULL};
	double ours[COLD_RUNS], base[COLD_RUNS], m, b;

	for (int i = 0; i < COLD_RUNS; i++) {
		base[i] = run(truth, NULL);
		ours[i] = run(check, NULL);
		if (ours[i] < 0 || base[i] < 0) {
			fprintf(stderr, "bench_check: cannot run %s\n",
			        ours[i] < 0 ? purdah : "true");
			return 1;
		}
	}
	m = median(ours, COLD_RUNS);
	b = median(base, COLD_RUNS);
	printf("cold check: one post, shipped configuration, calendars and "
	       "lexicons (median of %d)\n",
	       COLD_RUNS);
	printf("  purdah check     %6.2f ms    target <= 15 ms   %s\n", m,
	       m <= 15 ? "PASS" : "FAIL");
	printf("  baseline: true   %6.2f ms    (purdah check is %.1fx, %.2f "
	       "ms more)\n",
	       b, m / b, m - b);
	return m <= 15 ? 0 : 1;
}

/* The texts of the labelled corpus, each a JSON string (quotes
 * included). */
static int corpus_texts(pd_buf *all, size_t **offs, size_t *n)
{
	char **files = NULL;
	size_t nfiles = 0, cap = 1024;

	*n = 0;
	*offs = malloc(cap * sizeof(**offs));
	if (!*offs ||
	    pd_file_list(&files, &nfiles, "tests/corpus/posts", ".jsonl") < 0)
		return -1;
	for (size_t i = 0; i < nfiles; i++) {
		pd_buf text = PD_BUF_INIT((size_t)64 << 20);
		size_t pos = 0;
		if (pd_file_read(&text, files[i]) < 0)
			return -1;
		while (pos < text.len) {
			char *nl = memchr(text.ptr + pos, '\n', text.len - pos);
			size_t len = nl ? (size_t)(nl - (text.ptr + pos))
			                : text.len - pos;
			pd_json *j = NULL;
			if (len && pd_json_parse(&j, files[i], text.ptr + pos,
			                         len) == PD_OK) {
				pd_json *t = pd_json_get(j, "text");
				pd_buf one = PD_BUF_INIT(1 << 20);
				if (t &&
				    pd_json_dump(&one, t, false) == PD_OK) {
					if (*n == cap) {
						cap *= 2;
						*offs = realloc(
						        *offs,
						        cap * sizeof(**offs));
						if (!*offs)
							return -1;
					}
					(*offs)[(*n)++] = all->len;
					pd_buf_put(all, one.ptr, one.len + 1);
				}
				pd_buf_dispose(&one);
			}
			pd_json_free(j);
			pos += len + 1;
		}
		pd_buf_dispose(&text);
	}
	pd_file_list_free(files, nfiles);
	return *n ? 0 : -1;
}

static const char *const classes[] = {
        "council-post",    "council-post", "council-post", "third-party",
        "councillor-feed", "forum",        "emergency"};

/* WORKDIR/names/people.yaml (20,000 names) and WORKDIR/posts.jsonl. */
static int make_inputs(const char *work, char (*names)[40], size_t *bytes)
{
	pd_buf yaml = PD_BUF_INIT((size_t)64 << 20),
	       posts = PD_BUF_INIT((size_t)512 << 20),
	       texts = PD_BUF_INIT((size_t)64 << 20);
	size_t *offs = NULL, ntexts = 0;
	char path[1024];
	int rc = -1;

	pd_buf_puts(&yaml, "name: bench-people\ncategory: candidate\n"
	                   "language: en\nversion: \"1\"\ndefaults:\n"
	                   "  weight: 6\nentries:\n");
	for (int i = 0; i < NAMES; i++) {
		char first[32], last[40];
		bench_name(first, sizeof(first), last, sizeof(last));
		snprintf(names[i], 40, "%.15s %.23s", first, last);
		pd_buf_printf(&yaml,
		              "  - id: p%d\n    terms: [{term: \"%s\", case: "
		              "exact}]\n",
		              i, names[i]);
	}
	if (corpus_texts(&texts, &offs, &ntexts) < 0)
		goto done;
	for (int i = 0; i < POSTS; i++) {
		const char *t = texts.ptr + offs[(size_t)i % ntexts];
		/* Days from 1 Nov 2026 over ~2 years: the by-election, the
		 * elections of 2027 and 2028 and the time between. */
		int day = (int)(bench_rand() % 700);
		int y = 2026 + (day + 304) / 365, doy = (day + 304) % 365;
		pd_buf_printf(&posts,
		              "{\"id\":%d,\"class\":\"%s\",\"at\":\"%d-%02d-"
		              "%02dT%02d:00\",\"text\":",
		              i, classes[bench_rand() % 7], y, doy / 31 + 1,
		              doy % 28 + 1, 7 + (int)(bench_rand() % 14));
		if (bench_rand() % 10 == 0) {
			/* A name in front of the post: "<name> said: ..." */
			pd_buf_printf(&posts, "\"%s said: %s",
			              names[bench_rand() % NAMES], t + 1);
		} else {
			pd_buf_puts(&posts, t);
		}
		pd_buf_puts(&posts, "}\n");
	}
	snprintf(path, sizeof(path), "%s/names", work);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/names/people.yaml", work);
	if (pd_file_write_atomic(path, yaml.ptr, yaml.len) < 0)
		goto done;
	snprintf(path, sizeof(path), "%s/posts.jsonl", work);
	if (pd_file_write_atomic(path, posts.ptr, posts.len) < 0)
		goto done;
	*bytes = posts.len;
	rc = 0;
done:
	if (rc < 0)
		fprintf(stderr, "bench_check: %s\n", pd_error_message());
	free(offs);
	pd_buf_dispose(&yaml);
	pd_buf_dispose(&posts);
	pd_buf_dispose(&texts);
	return rc;
}

/* Every line of `text` through `fn`; the time in ms. */
typedef int (*line_fn)(void *ctx, const char *line, size_t len, size_t no);
static double each_line(const pd_buf *text, line_fn fn, void *ctx)
{
	double t0 = bench_now_ms();
	size_t pos = 0, no = 0;

	while (pos < text->len) {
		char *nl = memchr(text->ptr + pos, '\n', text->len - pos);
		size_t len =
		        nl ? (size_t)(nl - (text->ptr + pos)) : text->len - pos;
		if (fn(ctx, text->ptr + pos, len, ++no) < 0)
			return -1;
		pos += len + 1;
	}
	return bench_now_ms() - t0;
}

typedef struct {
	const pd_gate *g;
	const pd_config *cfg;
	const pd_tz *tz;
	pd_verdict v;
	pd_buf out;
	size_t decisions[3];
} gate_ctx;

static int baseline_line(void *vctx, const char *line, size_t len, size_t no)
{
	gate_ctx *c = vctx;
	pd_json *j = NULL;

	if (pd_json_parse_at(&j, "posts.jsonl", no, line, len) < 0)
		return -1;
	pd_buf_clear(&c->out);
	pd_json_dump(&c->out, j, false);
	pd_json_free(j);
	return 0;
}

static int gate_line(void *vctx, const char *line, size_t len, size_t no)
{
	gate_ctx *c = vctx;
	pd_check_request r;
	pd_item defaults;
	pd_json *j;

	memset(&defaults, 0, sizeof(defaults));
	if (pd_check_request_parse(&r, "posts.jsonl", no, line, len, &defaults,
	                           c->cfg, c->tz) < 0 ||
	    pd_gate_decide(c->g, &r.item, &c->v) < 0) {
		pd_check_request_dispose(&r);
		return -1;
	}
	j = pd_verdict_json(c->g, &r.item, &c->v, pd_json_ref(r.id));
	pd_buf_clear(&c->out);
	if (!j || pd_json_dump(&c->out, j, false) < 0) {
		pd_json_free(j);
		pd_check_request_dispose(&r);
		return -1;
	}
	c->decisions[c->v.decision]++;
	pd_json_free(j);
	pd_check_request_dispose(&r);
	return 0;
}

static int batch(const char *purdah, const char *work, size_t bytes)
{
	char names_dir[1024], posts_path[1024];
	pd_buf posts = PD_BUF_INIT((size_t)512 << 20);
	pd_config *cfg = NULL;
	pd_calendar *cal = NULL;
	pd_lexset *set = NULL;
	pd_matcher *m = NULL;
	pd_gate *g = NULL;
	gate_ctx c;
	const pd_tz *tz;
	double base_ms = -1, gate_ms = -1, e2e_ms = -1;
	int status = 1;

	memset(&c, 0, sizeof(c));
	c.v = (pd_verdict)PD_VERDICT_INIT;
	c.out = (pd_buf)PD_BUF_INIT(1 << 24);
	snprintf(names_dir, sizeof(names_dir), "%s/names", work);
	snprintf(posts_path, sizeof(posts_path), "%s/posts.jsonl", work);
	if (pd_file_read(&posts, posts_path) < 0 ||
	    pd_config_default(&cfg) < 0 || pd_tz_get(&tz, cfg->timezone) < 0 ||
	    pd_calendar_new(&cal, tz) < 0 ||
	    pd_calendar_load_path(cal, "calendars") < 0 ||
	    pd_calendar_finish(cal) < 0 || pd_lexset_new(&set) < 0 ||
	    pd_lexset_load_path(set, "lexicons") < 0 ||
	    pd_lexset_load_path(set, names_dir) < 0 ||
	    pd_matcher_new(&m, set) < 0 ||
	    pd_gate_new(&g, cfg, cal, set, m) < 0) {
		fprintf(stderr, "bench_check: %s\n", pd_error_message());
		goto done;
	}
	c.g = g;
	c.cfg = cfg;
	c.tz = tz;
	/* Best of 3 each, alternating. */
	for (int r = 0; r < 3; r++) {
		double b = each_line(&posts, baseline_line, &c);
		double q;
		memset(c.decisions, 0, sizeof(c.decisions));
		q = each_line(&posts, gate_line, &c);
		if (b < 0 || q < 0) {
			fprintf(stderr, "bench_check: %s\n",
			        pd_error_message());
			goto done;
		}
		if (base_ms < 0 || b < base_ms)
			base_ms = b;
		if (gate_ms < 0 || q < gate_ms)
			gate_ms = q;
	}
	{
		char *argv[] = {(char *)purdah, "check",    "--batch",
		                "--lexicons",   "lexicons", "--lexicons",
		                names_dir,      posts_path, NULL};
		for (int r = 0; r < 3; r++) {
			double t = run(argv, NULL);
			if (t < 0) {
				fprintf(stderr,
				        "bench_check: purdah check --batch "
				        "failed\n");
				goto done;
			}
			if (e2e_ms < 0 || t < e2e_ms)
				e2e_ms = t;
		}
	}
	printf("batch: %d posts (%.1f MB of JSON Lines), a 20,000-name "
	       "lexicon + the shipped ones (%zu terms), one core, best of 3\n",
	       POSTS, bytes / 1e6, pd_matcher_term_count(m));
	printf("  decisions: %zu allow, %zu hold, %zu block\n", c.decisions[0],
	       c.decisions[1], c.decisions[2]);
	printf("  in process: parse + decide + JSON answer  %8.0f posts/s\n",
	       POSTS * 1e3 / gate_ms);
	printf("  baseline: jansson parse + write only      %8.0f posts/s "
	       "(the gate is %.1fx its time)\n",
	       POSTS * 1e3 / base_ms, gate_ms / base_ms);
	printf("  purdah check --batch, end to end          %8.0f posts/s    "
	       "target >= 20,000  %s\n",
	       POSTS * 1e3 / e2e_ms,
	       POSTS * 1e3 / e2e_ms >= 20000 ? "PASS" : "FAIL");
	status = POSTS * 1e3 / e2e_ms >= 20000 ? 0 : 1;
done:
	pd_verdict_dispose(&c.v);
	pd_buf_dispose(&c.out);
	pd_buf_dispose(&posts);
	pd_gate_free(g);
	pd_matcher_free(m);
	pd_lexset_free(set);
	pd_calendar_free(cal);
	pd_config_free(cfg);
	return status;
}

int main(int argc, char **argv)
{
	static char names[NAMES][40];
	char post[1024];
	size_t bytes = 0;
	int status;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_check PURDAH WORKDIR\n");
		return 64;
	}
	snprintf(post, sizeof(post), "%s/post.txt", argv[2]);
	if (pd_file_write_atomic(post,
	                         "Cllr Mark Green opened the new park on "
	                         "Saturday with pupils from Abbey Primary.\n",
	                         78) < 0 ||
	    make_inputs(argv[2], names, &bytes) < 0)
		return 74;
	status = cold(argv[1], post);
	status |= batch(argv[1], argv[2], bytes);
	pd_cleanup();
	return status;
}
