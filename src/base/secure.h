/*
 * secure.h: the cryptography retain needs, on libsodium. secure_init() must be
 * called before anything else here (main does); calling it again changes
 * nothing (secure_tag's key is drawn once per process).
 */
#ifndef RETAIN_SECURE_H
#define RETAIN_SECURE_H

#include <stddef.h>

#define SECURE_SHA256_HEX 65
#define SECURE_TAG_BYTES 16

int secure_init(void);
/* Lowercase hex SHA-256 of data into out (64 chars + NUL). */
void secure_sha256_hex(const void *data, size_t len, char out[SECURE_SHA256_HEX]);
/* A 128-bit tag of data under a key drawn at secure_init(), for this
 * process alone (SipHash-2-4 with a 128-bit output, libsodium's
 * crypto_shorthash_siphashx24): without the key nobody can choose an input
 * whose tag equals another's, so equal tags mean equal inputs; a fraction of
 * SHA-256's cost. For in-memory lookups of secrets that must not keep the
 * secret itself (the key cache). */
void secure_tag(const void *data, size_t len, unsigned char out[SECURE_TAG_BYTES]);
/* prefix followed by nchars unguessable base62 characters (~5.95 bits each). */
void secure_random_token(const char *prefix, size_t nchars, char *out, size_t outsz);
/* The same with the characters of alphabet (2 to 256 distinct ones). */
void secure_random_from(const char *alphabet, const char *prefix, size_t nchars, char *out,
			size_t outsz);
/* Uniform random bytes. */
void secure_random(void *buf, size_t n);
/* Lowercase hex HMAC-SHA256 of msg under key into out (64 chars + NUL). */
void secure_hmac_sha256_hex(const char *key, const void *msg, size_t len,
			    char out[SECURE_SHA256_HEX]);
/* Constant-time comparison of two equal-length strings; 1 when equal. */
int secure_equal(const char *a, const char *b);
/*
 * Issue 13, inbound webhooks: 1 when b64 is the standard base64 (with
 * padding) of HMAC-SHA256(key, msg), compared in constant time over the 32
 * bytes; 0 for any other string, a NULL one included.
 */
int secure_hmac_sha256_base64_verify(const char *key, size_t keylen, const void *msg,
				     size_t len, const char *b64);

/* Standard base64 (with padding) of n bytes into out; -1 when out (size
 * bytes, NUL included) is too small. */
int secure_base64_encode(const void *data, size_t n, char *out, size_t size);
/* The bytes of standard base64 text into out (size bytes) and *n; -1 when
 * the text is not base64 or does not fit. */
int secure_base64_decode(const char *text, void *out, size_t size, size_t *n);
/* The 32-byte HMAC-SHA256 of the concatenation of the nparts parts under a
 * binary key (Standard Webhooks signs "id.timestamp.body"). */
void secure_hmac_sha256_parts(const void *key, size_t keylen, const char *const *parts,
			      const size_t *lens, int nparts, unsigned char out[32]);

#endif
