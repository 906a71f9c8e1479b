/* secure.c: see secure.h. */
#include "secure.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static unsigned char tag_key[crypto_shorthash_siphashx24_KEYBYTES];
static int tag_key_drawn;

int secure_init(void)
{
	if (sodium_init() < 0)
		return -1;
	if (!tag_key_drawn) {		/* once: tags stay comparable for the process */
		randombytes_buf(tag_key, sizeof(tag_key));
		tag_key_drawn = 1;
	}
	return 0;
}

void secure_tag(const void *data, size_t len, unsigned char out[SECURE_TAG_BYTES])
{
	_Static_assert(SECURE_TAG_BYTES == crypto_shorthash_siphashx24_BYTES, "the tag's size");
	assert(tag_key_drawn);		/* secure_init() first: else every key's tag is public */
	crypto_shorthash_siphashx24(out, data, len, tag_key);
}

void secure_sha256_hex(const void *data, size_t len, char out[SECURE_SHA256_HEX])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, SECURE_SHA256_HEX, digest, sizeof(digest));
}

void secure_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void secure_random_token(const char *prefix, size_t nchars, char *out, size_t outsz)
{
	static const char alphabet[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t plen = strlen(prefix);

	if (plen + nchars + 1 > outsz)
		nchars = outsz > plen + 1 ? outsz - plen - 1 : 0;
	snprintf(out, outsz, "%s", prefix);
	for (size_t i = 0; i < nchars; i++)
		out[plen + i] = alphabet[randombytes_uniform(62)];	/* unbiased */
	out[plen + nchars] = '\0';
}

void secure_random_from(const char *alphabet, const char *prefix, size_t nchars, char *out,
			size_t outsz)
{
	size_t plen = strlen(prefix), n = strlen(alphabet);
	if (plen + nchars + 1 > outsz)
		nchars = outsz > plen + 1 ? outsz - plen - 1 : 0;
	snprintf(out, outsz, "%s", prefix);
	for (size_t i = 0; i < nchars; i++)
		out[plen + i] = alphabet[randombytes_uniform((uint32_t)n)];	/* unbiased */
	out[plen + nchars] = '\0';
}

int secure_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

void secure_hmac_sha256_hex(const char *key, const void *msg, size_t len,
			    char out[SECURE_SHA256_HEX])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, SECURE_SHA256_HEX, mac, sizeof(mac));
}

int secure_hmac_sha256_base64_verify(const char *key, size_t keylen, const void *msg,
				     size_t len, const char *b64)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES], given[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t n = 0;
	const char *end = NULL;
	int decoded = b64 && sodium_base642bin(given, sizeof(given), b64, strlen(b64), NULL, &n,
					       &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
		      *end == '\0' && n == sizeof(given);
	/* The MAC is computed whatever the header held, so that a malformed
	 * signature takes as long as a wrong one. */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, keylen);
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, mac);
	if (!decoded)
		memset(given, 0, sizeof(given));
	return (crypto_verify_32(mac, given) == 0) & decoded;
}

int secure_base64_encode(const void *data, size_t n, char *out, size_t size)
{
	if (size < sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL))
		return -1;
	sodium_bin2base64(out, size, data, n, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int secure_base64_decode(const char *text, void *out, size_t size, size_t *n)
{
	const char *end;
	if (sodium_base642bin(out, size, text, strlen(text), NULL, n, &end,
			      sodium_base64_VARIANT_ORIGINAL) || *end)
		return -1;
	return 0;
}

void secure_hmac_sha256_parts(const void *key, size_t keylen, const char *const *parts,
			      const size_t *lens, int nparts, unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	for (int i = 0; i < nparts; i++)
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], lens[i]);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}
