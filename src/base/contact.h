/*
 * contact.h: normalisation of the identities customers are found by, so that
 * "Olga@Example.COM " and "olga@example.com" are one customer and so are
 * "+49 (30) 1234-567" and "004930 1234567".
 */
#ifndef RETAIN_CONTACT_H
#define RETAIN_CONTACT_H

#include <stddef.h>

#include "err.h"

#define CONTACT_EMAIL_MAX 255
#define CONTACT_PHONE_MAX 17	/* "+" and at most 15 digits */

/*
 * Trims surrounding spaces and lower-cases the whole address, in every script
 * (Unicode's simple lower case, base/casemap.h: "ÄNNE@X.DE" is "änne@x.de"):
 * retain treats addresses case-insensitively. ERR_INVALID naming param when it
 * is not a plausible address: valid UTF-8, one "@", 1 to 64 bytes before it, a
 * dotted domain, no spaces or control characters of any script, no invisible
 * (Default_Ignorable) character, whose message names the code point "U+200D",
 * at most 254 bytes (RFC 5321 counts octets) before and after lower-casing. No Unicode normalisation (NFC) is done.
 */
int contact_normalize_email(const char *in, char out[CONTACT_EMAIL_MAX],
			    const char *param, struct err *e);
/*
 * E.164: "+" then 8 to 15 digits. Accepts spaces, dots, dashes, parentheses
 * and a leading "00" for "+". A number without its country code is refused,
 * because guessing the country merges strangers. Any other character is
 * refused by name, or by code point ("U+200B") when it is not visible ASCII.
 */
int contact_normalize_phone(const char *in, char out[CONTACT_PHONE_MAX],
			    const char *param, struct err *e);

#endif
