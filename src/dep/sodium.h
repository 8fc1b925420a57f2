/*
 * The libsodium adapter's interface (private to libpurdah): SHA-256 for
 * the hashes that make decisions auditable.
 */
#ifndef PURDAH_DEP_SODIUM_H
#define PURDAH_DEP_SODIUM_H

#include <stdalign.h>
#include <stddef.h>

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

#endif
