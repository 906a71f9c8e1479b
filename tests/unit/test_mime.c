/* E-mail as SMTP carries it (base/mime.h, base/smtp.h; issue 13): encoded
 * words for UTF-8 headers, no header injection through a value, the date
 * format and the SMTP URLs accepted. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "base/mime.h"
#include "base/smtp.h"

static char *header(const char *value)
{
	static char out[2048];
	struct buf b;
	buf_init(&b, 0);
	cr_assert_eq(mime_header_text(&b, value), 0);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

Test(mime, plain_ascii_stays_as_it_is)
{
	cr_assert_str_eq(header("Your points expire soon"), "Your points expire soon");
}

Test(mime, utf8_becomes_encoded_words_cut_on_character_boundaries)
{
	cr_assert(sodium_init() >= 0);
	const char *subject = "Ünal, ваши баллы сгорают завтра — 500 баллов ждут вас в магазине";
	char *h = header(subject);
	cr_assert(!strncmp(h, "=?UTF-8?B?", 10), "%s", h);
	/* Decode every word back: the same text, each word a whole sequence. */
	char decoded[400] = "";
	for (char *p = h; (p = strstr(p, "=?UTF-8?B?")); ) {
		p += 10;
		char *end = strstr(p, "?=");
		cr_assert(end && end - p <= 64, "a word of at most 75 characters");
		unsigned char bin[100];
		size_t n;
		cr_assert_eq(sodium_base642bin(bin, sizeof(bin), p, (size_t)(end - p), NULL, &n, NULL,
					       sodium_base64_VARIANT_ORIGINAL), 0);
		cr_assert((bin[0] & 0xC0) != 0x80, "a word never starts inside a character");
		strncat(decoded, (char *)bin, n);
		p = end + 2;
	}
	cr_assert_str_eq(decoded, subject);
}

Test(mime, a_line_break_in_a_value_cannot_add_a_header)
{
	cr_assert_str_eq(header("Hi\r\nBcc: victim@example.com"), "Hi  Bcc: victim@example.com");
	struct buf b;
	buf_init(&b, 0);
	struct mime_message m = { "Tea\r\nBcc: x@y", "hello@tea.example", "ana@example.com",
				  "help@tea.example", "Hi\nX-Evil: 1", "eml_1.shop_1@tea.example",
				  1796136061000LL, "<https://tea.example/u?token=t>", "text", "<p>html</p>" };
	cr_assert_eq(mime_build(&b, &m), 0);
	cr_assert_null(strstr(b.data, "\r\nBcc:"));
	cr_assert_null(strstr(b.data, "\r\nX-Evil:"));
	cr_assert_null(strstr(b.data, "\nX-Evil:"));
	cr_assert(strstr(b.data, "Date: Tue, 01 Dec 2026 14:41:01 +0000\r\n"), "%s", b.data);
	cr_assert(strstr(b.data, "Message-ID: <eml_1.shop_1@tea.example>\r\n"));
	cr_assert(strstr(b.data, "MIME-Version: 1.0\r\n"));
	cr_assert(strstr(b.data, "Content-Type: multipart/alternative; boundary="));
	cr_assert(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
	cr_assert(strstr(b.data, "Content-Type: text/html; charset=UTF-8\r\n"));
	buf_free(&b);
}

Test(mime, the_date_is_rfc_5322)
{
	char d[40];
	mime_date(0, d);
	cr_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	mime_date(1796136061000LL, d);
	cr_assert_str_eq(d, "Tue, 01 Dec 2026 14:41:01 +0000");
}

Test(mime, a_message_over_the_bound_is_refused)
{
	struct buf b;
	buf_init(&b, 300);
	struct mime_message m = { NULL, "a@b.example", "c@d.example", NULL, "s", "id@b.example", 0,
				  NULL, "a long enough text part to pass three hundred bytes once it"
				  " is base64 and has its headers around it, surely", "<p>x</p>" };
	cr_assert_eq(mime_build(&b, &m), -1);
	buf_free(&b);
}

Test(smtp, only_smtp_and_smtps_urls_with_a_host)
{
	cr_assert(smtp_url_valid("smtp://127.0.0.1:2525"));
	cr_assert(smtp_url_valid("smtps://user:pw@mail.example:465"));
	cr_assert(!smtp_url_valid("http://mail.example"));
	cr_assert(!smtp_url_valid("smtp://"));
	cr_assert(!smtp_url_valid("smtp://:25"));
	cr_assert(!smtp_url_valid("smtp://mail.example\r\nRCPT"));
	cr_assert(!smtp_url_valid("file:///etc/passwd"));
}

Test(smtp, a_login_may_skip_tls_only_to_a_relay_on_this_machine)
{
	static const char *const here[] = { "smtp://127.0.0.1:2525", "smtp://localhost",
		"smtp://LOCALHOST:25/", "smtp://[::1]:25", "smtp://user@127.0.0.2:25" };
	static const char *const away[] = { "smtp://mail.example.com:587", "smtp://10.0.0.5",
		"smtp://localhost.example.com", "smtp://127.example.com", "smtp://[::2]:25",
		"smtp://127.0.0.1@mail.example.com" };
	for (size_t i = 0; i < sizeof(here) / sizeof(here[0]); i++)
		cr_assert(smtp_host_is_loopback(here[i]), "%s", here[i]);
	for (size_t i = 0; i < sizeof(away) / sizeof(away[0]); i++)
		cr_assert(!smtp_host_is_loopback(away[i]), "%s", away[i]);
}
