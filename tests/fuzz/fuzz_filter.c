/*
 * libFuzzer target for the filter (src/core/filter.c, src/dep/xml.c): the
 * first byte chooses the class, the format and the moment (outside any
 * period, in the shipped 2027 election period, in the Abbey by-election);
 * the rest is the document, filtered by a gate over the shipped
 * purdah.yaml (with its XPath selector), calendars and lexicons
 * (fuzz_world.h).
 *
 * A document may only be refused as bad input (PD_EINVALID, naming
 * "fuzz:"), as too big, or for the matcher's limits (PD_EDEP); a refused
 * document has no output. An accepted one: unchanged means the output is
 * the input's bytes; a changed feed or page filtered again with the same
 * options must parse (the output is well-formed) and stay changed no more
 * (nothing left to remove); "allow" exactly when nothing was removed.
 * Anything else aborts.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "purdah/calfile.h"
#include "fuzz_world.h"
#include "purdah/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const pd_instant moments[] = {
	        1800000000, /* 2027-01-15: no period */
	        1808208000, /* 2027-04-20: the 2027 elections */
	        1796140800, /* 2026-12-01: the Abbey by-election */
	};
	static const char *const abbey[] = {"Abbey"};
	const pd_gate *g = fz_world("fuzz_filter")->gate;
	pd_filter_result r = PD_FILTER_RESULT_INIT,
	                 again = PD_FILTER_RESULT_INIT;
	pd_filter_opts o;
	unsigned sel;
	pd_rc rc;

	if (size == 0)
		return 0;
	sel = data[0];
	memset(&o, 0, sizeof(o));
	o.cls = (pd_class)(sel % 5);
	o.format = (pd_format)((sel / 5) % 5);
	o.at = moments[(sel / 25) % 3];
	if (sel & 0x80) {
		o.areas = abbey;
		o.nareas = 1;
	}
	o.max_bytes = 1u << 20;
	rc = pd_filter_run(g, &o, "fuzz", (const char *)data + 1, size - 1, &r);
	if (rc < 0) {
		if (rc != PD_EINVALID && rc != PD_ETOOBIG && rc != PD_EDEP)
			fprintf(stderr, "filter: %s: %s\n", pd_rc_name(rc),
			        pd_error_message());
		FZ_CHECK(rc == PD_EINVALID || rc == PD_ETOOBIG ||
		         rc == PD_EDEP);
		FZ_CHECK(rc == PD_EDEP ||
		         strncmp(pd_error_message(), "fuzz", 4) == 0);
		FZ_CHECK(r.out.len == 0);
		goto done;
	}
	FZ_CHECK(r.out.ptr != NULL);
	FZ_CHECK((r.decision == PD_ALLOW) == (r.removed == 0));
	FZ_CHECK(r.removed <= r.items);
	FZ_CHECK(r.changed == (r.removed > 0));
	FZ_CHECK(r.valid_until > o.at);
	if (!r.changed) {
		FZ_CHECK(r.out.len == size - 1);
		FZ_CHECK(memcmp(r.out.ptr, data + 1, size - 1) == 0);
		goto done;
	}
	FZ_CHECK(r.reason != NULL);
	if (r.format == PD_FORMAT_RSS || r.format == PD_FORMAT_ATOM) {
		/* Well-formed, and suspended feeds stay suspended: only the
		 * notice is left, which the gate allows... as an item of a
		 * suspended class it is replaced by itself. */
		o.format = r.format;
		rc = pd_filter_run(g, &o, "fuzz", r.out.ptr, r.out.len, &again);
		if (rc == PD_EDEP)
			goto done;
		if (rc != PD_OK)
			fprintf(stderr, "refiltered: %s\n", pd_error_message());
		FZ_CHECK(rc == PD_OK);
		FZ_CHECK(again.format == r.format);
	}
done:
	pd_filter_result_dispose(&again);
	pd_filter_result_dispose(&r);
	pd_error_clear();
	return 0;
}
