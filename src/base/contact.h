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
 * Trims surrounding spaces and lower-cases the whole address (retain treats
 * addresses case-insensitively). ERR_INVALID naming param when it is not a
 * plausible address: one "@", non-empty local part, a dotted domain, no
 * spaces or control characters, at most 254 characters.
 */
int contact_normalize_email(const char *in, char out[CONTACT_EMAIL_MAX],
			    const char *param, struct err *e);
/*
 * E.164: "+" then 8 to 15 digits. Accepts spaces, dots, dashes, parentheses
 * and a leading "00" for "+". A number without its country code is refused,
 * because guessing the country merges strangers.
 */
int contact_normalize_phone(const char *in, char out[CONTACT_PHONE_MAX],
			    const char *param, struct err *e);

#endif
