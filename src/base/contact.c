/* contact.c: see contact.h. */
#include "contact.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "casemap.h"
#include "utf8.h"

/* Spaces and controls of any script: never part of an address. */
static int is_space_or_control(uint32_t cp)
{
	return cp <= ' ' || (cp >= 0x7f && cp <= 0xa0) || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

int contact_normalize_email(const char *in, char out[CONTACT_EMAIL_MAX],
			    const char *param, struct err *e)
{
	while (*in == ' ' || *in == '\t')
		in++;
	size_t n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n == 0)
		return err_set(e, ERR_INVALID, param, "e-mail address is empty");
	if (n > 254)
		return err_set(e, ERR_INVALID, param,
			       "e-mail address is longer than 254 bytes");
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t used = utf8_decode((const unsigned char *)in + i, n - i, &cp);
		if (!used)
			return err_set(e, ERR_INVALID, param, "e-mail address is not valid UTF-8");
		/* Invisible: "anne\u00AD@x.de" would look like, and not be, anne@x.de. */
		if (casemap_is_ignorable(cp))
			return err_set(e, ERR_INVALID, param,
				       "\"%s\" contains the invisible character U+%04X", param,
				       (unsigned)cp);
		if (is_space_or_control(cp))
			return err_set(e, ERR_INVALID, param,
				       "\"%s\" contains a space or control character (U+%04X)", param,
				       (unsigned)cp);
		i += used;
	}
	/* The whole address, in every script (docs/decisions.md). */
	long len = casemap_lower_utf8(in, n, out, CONTACT_EMAIL_MAX);
	if (len < 0)
		return err_set(e, ERR_INVALID, param,
			       "e-mail address is longer than 254 bytes once lower-cased");
	n = (size_t)len;
	const char *at = memchr(out, '@', n);
	if (!at)
		return err_set(e, ERR_INVALID, param, "e-mail address has no \"@\"");
	if (memchr(at + 1, '@', n - (size_t)(at - out) - 1))
		return err_set(e, ERR_INVALID, param, "e-mail address has more than one \"@\"");
	size_t local = (size_t)(at - out), domain = n - local - 1;
	const char *dot = memchr(at + 1, '.', domain);
	if (local == 0 || local > 64)
		return err_set(e, ERR_INVALID, param,
			       "e-mail address needs 1 to 64 bytes before \"@\"");
	if (!dot || dot == at + 1 || out[n - 1] == '.')
		return err_set(e, ERR_INVALID, param,
			       "e-mail domain \"%.*s\" is not a domain name",
			       (int)domain, at + 1);
	return 0;
}

/* Names the character at p that a phone number may not hold: itself when it
 * is visible ASCII, its code point otherwise (an Arabic digit, U+200B). */
static int bad_phone_char(const char *in, const char *p, const char *param, struct err *e)
{
	uint32_t cp;
	if ((unsigned char)*p < 0x80 && *p > ' ' && *p != 0x7f)
		return err_set(e, ERR_INVALID, param, "phone number \"%s\" contains \"%c\"", in, *p);
	if (!utf8_decode((const unsigned char *)p, strlen(p), &cp))
		return err_set(e, ERR_INVALID, param, "phone number is not valid UTF-8");
	return err_set(e, ERR_INVALID, param, "\"%s\" contains %sU+%04X, not a digit", param,
		       casemap_is_ignorable(cp) ? "the invisible character " : "", (unsigned)cp);
}

int contact_normalize_phone(const char *in, char out[CONTACT_PHONE_MAX],
			    const char *param, struct err *e)
{
	size_t nd = 0;
	int plus = 0, seen_digit = 0;
	const char *p = in;

	while (*p == ' ')
		p++;
	if (*p == '+') {
		plus = 1;
		p++;
	} else if (p[0] == '0' && p[1] == '0') {
		plus = 1;
		p += 2;
	}
	if (!plus)
		return err_set(e, ERR_INVALID, param,
			       "phone number \"%s\" needs its country code, like \"+4930123456\"", in);
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (nd == 15)
				return err_set(e, ERR_INVALID, param,
					       "phone number \"%s\" has more than 15 digits", in);
			out[1 + nd++] = *p;
			seen_digit = 1;
		} else if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')') {
			continue;
		} else {
			return bad_phone_char(in, p, param, e);
		}
	}
	if (!seen_digit || nd < 8)
		return err_set(e, ERR_INVALID, param,
			       "phone number \"%s\" is too short for E.164", in);
	if (out[1] == '0')
		return err_set(e, ERR_INVALID, param,
			       "phone number \"%s\": country codes never start with 0", in);
	out[0] = '+';
	out[1 + nd] = '\0';
	return 0;
}
