/* Unit tests of issue 13's pure parts: decimal money as the platforms write
 * it, the domains they name themselves by, the base64 HMAC check. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/secure.h"
#include "core/integration.h"

static int64_t money(const char *s, const char *currency)
{
	int64_t v = 12345;
	cr_assert_eq(integration_money(s, currency, 1, &v), 0, "%s %s", s, currency);
	return v;
}

Test(integration, decimal_strings_become_exact_minor_units_per_currency)
{
	cr_assert_eq(money("199.00", "EUR"), 19900);
	cr_assert_eq(money("0.1", "EUR"), 10);
	cr_assert_eq(money("10.500", "EUR"), 1050);
	cr_assert_eq(money("1000", "JPY"), 1000);
	cr_assert_eq(money("1000.00", "JPY"), 1000);
	cr_assert_eq(money("1.234", "KWD"), 1234);
	cr_assert_eq(money("-5.00", "EUR"), -500);
	cr_assert_eq(money("0", "EUR"), 0);
	/* 0.1 + 0.2 is 30 cents, not a float's 0.30000000000000004 */
	cr_assert_eq(money("0.1", "USD") + money("0.2", "USD"), money("0.3", "USD"));
}

Test(integration, anything_else_is_refused_and_leaves_the_output_alone)
{
	const char *bad[] = { "10.505", "1000.5", "", "-", ".5", "5.", "1e3", "12,50", " 1.00",
			      "1.00 ", "+1.00", "0x10", "--1", "99999999999999999999",
			      "3000000000000001", NULL };
	for (int i = 0; bad[i]; i++) {
		int64_t v = 7;
		const char *currency = !strcmp(bad[i], "1000.5") ? "JPY" : "EUR";
		cr_assert_eq(integration_money(bad[i], currency, 1, &v), -1, "\"%s\"", bad[i]);
		cr_assert_eq(v, 7);
	}
	int64_t v = 7;
	cr_assert_eq(integration_money("-1.00", "EUR", 0, &v), -1);
	cr_assert_eq(integration_money("1.00", "XXQ", 0, &v), -1);
	cr_assert_eq(integration_money(NULL, "EUR", 0, &v), -1);
}

Test(integration, every_amount_written_with_its_decimals_reads_back_exactly)
{
	/* A sweep over magnitudes: v minor units written as the platforms do,
	 * with the currency's decimals (2, 0, 3), read back to v. */
	struct { const char *currency; int64_t unit; } cur[] = { { "EUR", 100 }, { "JPY", 1 },
								  { "KWD", 1000 } };
	char s[64];
	for (int c = 0; c < 3; c++)
		for (int64_t v = 0; v < 3000000000000000LL; v = v * 3 + 7) {
			int64_t got = -1;
			if (cur[c].unit == 1)
				snprintf(s, sizeof(s), "%lld", (long long)v);
			else
				snprintf(s, sizeof(s), "%lld.%0*lld", (long long)(v / cur[c].unit),
					 cur[c].unit == 100 ? 2 : 3, (long long)(v % cur[c].unit));
			cr_assert_eq(integration_money(s, cur[c].currency, 0, &got), 0, "%s", s);
			cr_assert_eq(got, v, "%s %s", s, cur[c].currency);
		}
}

static const char *domain(enum integration_platform p, const char *raw)
{
	static struct arena a = ARENA_INIT;
	const char *out = NULL;
	struct err e;
	return integration_normalize_domain(&a, p, raw, "d", &out, &e) ? NULL : out;
}

Test(integration, domains_are_normalised_the_way_the_platforms_name_them)
{
	cr_assert_str_eq(domain(INTEGRATION_SHOPIFY, " https://Tea-House.MyShopify.com/ "),
			 "tea-house.myshopify.com");
	cr_assert_str_eq(domain(INTEGRATION_SHOPIFY, "tea.myshopify.com"), "tea.myshopify.com");
	cr_assert_null(domain(INTEGRATION_SHOPIFY, "tea house.myshopify.com"));
	cr_assert_null(domain(INTEGRATION_SHOPIFY, "localhost"));
	cr_assert_null(domain(INTEGRATION_SHOPIFY, "tea..myshopify.com"));
	cr_assert_null(domain(INTEGRATION_SHOPIFY, "tea.myshopify.com/admin"));
	cr_assert_str_eq(domain(INTEGRATION_WOOCOMMERCE, "HTTPS://Tea.Example/Shop/"),
			 "https://tea.example/Shop");
	cr_assert_str_eq(domain(INTEGRATION_WOOCOMMERCE, "http://tea.example:8080"),
			 "http://tea.example:8080");
	cr_assert_null(domain(INTEGRATION_WOOCOMMERCE, "tea.example"));
	cr_assert_null(domain(INTEGRATION_WOOCOMMERCE, "https://"));
	cr_assert_null(domain(INTEGRATION_WOOCOMMERCE, "https://:8080"));
	cr_assert_null(domain(INTEGRATION_WOOCOMMERCE, "https://tea.example/?page_id=2"));
}

Test(integration, the_hmac_check_takes_only_the_exact_base64_of_the_mac)
{
	const char *key = "shpss_secret", *msg = "{\"id\":1}";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL)];
	cr_assert_eq(secure_init(), 0);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	cr_assert(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg), b64));
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key) - 1, msg, strlen(msg), b64));
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg) - 1, b64));
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg), NULL));
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg), ""));
	char trailing[64];
	snprintf(trailing, sizeof(trailing), "%s ", b64);
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg), trailing));
	b64[3] = b64[3] == 'A' ? 'B' : 'A';
	cr_assert_not(secure_hmac_sha256_base64_verify(key, strlen(key), msg, strlen(msg), b64));
}
