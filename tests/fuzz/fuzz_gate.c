/*
 * libFuzzer target for the posting gate's JSON input (the records of
 * `purdah check --batch`, the body of POST /v1/check): the input is JSON
 * Lines; each line is parsed as a record (src/core/gate_json.c) and, when
 * valid, decided by a gate over the shipped purdah.yaml, calendars and
 * lexicons (fuzz_world.h), then written back as JSON.
 *
 * A record may only be refused as bad input (PD_EINVALID, with a message
 * naming the file and line); a decision may only fail on a regular
 * expression's limits (PD_EDEP) or on size (PD_ETOOBIG), and then it is
 * never "allow". A decision is the most severe of its reasons, "allow"
 * exactly when it has none, and its JSON must serialise. Anything else
 * aborts.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "purdah/calfile.h"
#include "fuzz_world.h"
#include "purdah/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pd_verdict g_v = PD_VERDICT_INIT;

static void release(void)
{
	pd_verdict_dispose(&g_v);
}

static void one_line(const pd_world *w, const char *text, size_t len,
                     size_t line)
{
	const pd_gate *g = w->gate;
	pd_check_request r;
	pd_item defaults;
	pd_rc rc;

	memset(&defaults, 0, sizeof(defaults));
	defaults.at = 1800000000; /* 2027-01-15 */
	rc = pd_check_request_parse(&r, "fuzz.jsonl", line, text, len,
	                            &defaults, w->cfg, w->tz);
	if (rc < 0) {
		FZ_CHECK(rc == PD_EINVALID);
		FZ_CHECK(strncmp(pd_error_message(), "fuzz.jsonl:", 11) == 0);
	} else {
		pd_buf out = PD_BUF_INIT((size_t)1 << 30);
		pd_json *j;
		FZ_CHECK(r.item.nareas <= PD_MAX_ITEM_AREAS);
		rc = pd_gate_decide(g, &r.item, &g_v);
		if (rc < 0) {
			FZ_CHECK(rc == PD_EDEP || rc == PD_ETOOBIG);
			FZ_CHECK(g_v.decision != PD_ALLOW);
		} else {
			pd_decision worst = PD_ALLOW;
			for (size_t i = 0; i < g_v.nreasons; i++) {
				const pd_reason *re = &g_v.reasons[i];
				FZ_CHECK(re->code && re->message);
				FZ_CHECK(i == 0 ||
				         re->decision <=
				                 g_v.reasons[i - 1].decision);
				for (size_t k = 0; k < re->nhits; k++)
					FZ_CHECK(g_v.hit_index[re->hit0 + k] <
					         g_v.scan.nhits);
				if (re->decision > worst)
					worst = re->decision;
			}
			FZ_CHECK(worst == g_v.decision);
			FZ_CHECK((g_v.decision == PD_ALLOW) ==
			         (g_v.nreasons == 0));
			j = pd_verdict_json(g, &r.item, &g_v,
			                    r.id ? pd_json_ref(r.id) : NULL);
			FZ_CHECK(j != NULL);
			FZ_CHECK(pd_json_dump(&out, j, false) == PD_OK);
			pd_json_free(j);
		}
		pd_buf_dispose(&out);
	}
	pd_check_request_dispose(&r);
	pd_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool registered;
	const pd_world *w = fz_world("fuzz_gate");
	const char *p = (const char *)data, *end = p + size;
	size_t line = 1;

	if (!registered) {
		registered = true;
		atexit(release);
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		one_line(w, p, n, line++);
		p += n + 1;
	}
	return 0;
}
