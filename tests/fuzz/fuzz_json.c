/*
 * libFuzzer target for the jansson adapter (src/dep/json.c): parse the bytes
 * as a request body would be parsed, read a little of the result, free it.
 *
 * Built with clang -fsanitize=fuzzer for `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c for the corpus replay in `make check`.
 */
#include <stddef.h>
#include <stdint.h>

#include "purdah/error.h"
#include "purdah/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_json *v = NULL;

	if (pd_json_parse(&v, "fuzz.json", (const char *)data, size) == PD_OK) {
		(void)pd_json_is_object(v);
		(void)pd_json_str(pd_json_get(v, "text"));
		for (size_t i = 0; i < pd_json_array_size(v) && i < 16; i++)
			(void)pd_json_str(pd_json_array_get(v, i));
	}
	pd_json_free(v);
	pd_error_clear();
	return 0;
}
