/*
 * The libsodium adapter: the only file that includes <sodium.h>.
 */
#include "dep/sodium.h"

#include <sodium.h>
#include <string.h>

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(pd_sha256_ctx),
               "pd_sha256_ctx too small for libsodium's state");

void pd_sha256_init(pd_sha256_ctx *c)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)c->opaque);
}

void pd_sha256_update(pd_sha256_ctx *c, const void *data, size_t len)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)c->opaque,
	                          (const unsigned char *)data, len);
}

void pd_sha256_final_hex(pd_sha256_ctx *c, char *hex)
{
	unsigned char out[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final((crypto_hash_sha256_state *)c->opaque, out);
	sodium_bin2hex(hex, 65, out, sizeof(out));
}

void pd_sha256_hex(const void *data, size_t len, char *hex)
{
	pd_sha256_ctx c;

	pd_sha256_init(&c);
	pd_sha256_update(&c, data, len);
	pd_sha256_final_hex(&c, hex);
}
