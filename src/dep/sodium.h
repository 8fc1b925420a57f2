/*
 * The libsodium adapter's interface (private to libpurdah): SHA-256 for
 * the hashes that make decisions auditable; random tokens, Argon2id
 * password hashes and constant-time comparison for the review page's users
 * and sessions.
 */
#ifndef PURDAH_DEP_SODIUM_H
#define PURDAH_DEP_SODIUM_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "purdah/error.h"

/* Room for libsodium's crypto_hash_sha256_state (checked in sodium.c). */
typedef struct pd_sha256_ctx {
	alignas(16) unsigned char opaque[128];
} pd_sha256_ctx;

void pd_sha256_init(pd_sha256_ctx *c);
void pd_sha256_update(pd_sha256_ctx *c, const void *data, size_t len);
/* Finish into 64 lower-case hex digits and a NUL (hex: 65 bytes). */
void pd_sha256_final_hex(pd_sha256_ctx *c, char *hex);
/* One-shot. */
void pd_sha256_hex(const void *data, size_t len, char *hex);

/*
 * Initialise libsodium once per process (thread-safe; every function below
 * calls it). PD_EDEP when it cannot start (no entropy source).
 */
pd_rc pd_sodium_init(void);

/* `n` random bytes (1..64) from the system's CSPRNG as 2n lower-case hex
 * digits and a NUL (hex: 2n + 1 bytes). */
pd_rc pd_random_hex(char *hex, size_t n);

/* Argon2id cost levels (store.h's pd_pw_cost in the same order). */
typedef enum pd_pwhash_cost {
	PD_PWHASH_INTERACTIVE = 0,
	PD_PWHASH_MODERATE,
	PD_PWHASH_MIN /* tests only */
} pd_pwhash_cost;

/* Room for an encoded hash string ("$argon2id$v=19$m=...", NUL included). */
#define PD_PWHASH_STRBYTES 128

/* Hash `password` into `out` (PD_PWHASH_STRBYTES): PD_ENOMEM when the
 * memory limit cannot be met, PD_EDEP otherwise. */
pd_rc pd_pwhash_str(char out[PD_PWHASH_STRBYTES], const char *password,
                    size_t len, pd_pwhash_cost cost);
/* Whether `password` matches the encoded `hash` (false for a malformed
 * hash). Takes as long as the hash's own cost. */
bool pd_pwhash_verify(const char *hash, const char *password, size_t len);

/* Constant-time equality of `n` bytes. */
bool pd_memequal(const void *a, const void *b, size_t n);

#endif
