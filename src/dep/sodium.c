/*
 * The libsodium adapter: the only file that includes <sodium.h>.
 */
#include "dep/sodium.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(pd_sha256_ctx),
               "pd_sha256_ctx too small for libsodium's state");
_Static_assert(crypto_pwhash_STRBYTES <= PD_PWHASH_STRBYTES,
               "PD_PWHASH_STRBYTES too small for libsodium's hashes");

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

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -1;

static void init_sodium(void)
{
	init_result = sodium_init() < 0 ? -1 : 0;
}

pd_rc pd_sodium_init(void)
{
	pthread_once(&init_once, init_sodium);
	if (init_result < 0)
		return pd_error_set(PD_EDEP, "libsodium could not start (no "
		                             "source of randomness?)");
	return PD_OK;
}

pd_rc pd_random_hex(char *hex, size_t n)
{
	unsigned char raw[64];
	pd_rc rc;

	PD_ASSERT(n > 0 && n <= sizeof(raw));
	if ((rc = pd_sodium_init()) < 0)
		return rc;
	randombytes_buf(raw, n);
	sodium_bin2hex(hex, 2 * n + 1, raw, n);
	sodium_memzero(raw, sizeof(raw));
	return PD_OK;
}

pd_rc pd_pwhash_str(char out[PD_PWHASH_STRBYTES], const char *password,
                    size_t len, pd_pwhash_cost cost)
{
	unsigned long long ops;
	size_t mem;
	pd_rc rc;

	if ((rc = pd_sodium_init()) < 0)
		return rc;
	switch (cost) {
	case PD_PWHASH_MODERATE:
		ops = crypto_pwhash_OPSLIMIT_MODERATE;
		mem = crypto_pwhash_MEMLIMIT_MODERATE;
		break;
	case PD_PWHASH_MIN:
		ops = crypto_pwhash_OPSLIMIT_MIN;
		mem = crypto_pwhash_MEMLIMIT_MIN;
		break;
	case PD_PWHASH_INTERACTIVE:
	default:
		ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		break;
	}
	/* The libsodium 1.0.18 Argon2id minimum opslimit is 1; argon2id
	 * itself needs at least 1 pass, which OPSLIMIT_MIN gives. */
	memset(out, 0, PD_PWHASH_STRBYTES);
	if (crypto_pwhash_str_alg(out, password, len, ops, mem,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return pd_error_set(PD_ENOMEM,
		                    "password hash: Argon2id could not get "
		                    "%zu bytes of memory",
		                    mem);
	return PD_OK;
}

bool pd_pwhash_verify(const char *hash, const char *password, size_t len)
{
	if (pd_sodium_init() < 0 || !hash)
		return false;
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

bool pd_memequal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
