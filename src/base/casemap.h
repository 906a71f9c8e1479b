/*
 * casemap.h: Unicode lower case without a locale, for identities compared
 * case-insensitively (e-mail addresses). The mapping is Unicode's simple one
 * (one code point to one, the one towlower() implements), for every script
 * Unicode gives case: Latin, Greek, Coptic, Cyrillic, Armenian, Georgian,
 * Cherokee, Glagolitic, Deseret, Osage, Adlam and the rest. The table is
 * generated (scripts/gen-casemap) and committed, so that the same address
 * normalises the same on every machine and after every libc upgrade: a change
 * of Unicode version is a deliberate commit with a re-normalisation.
 */
#ifndef RETAIN_CASEMAP_H
#define RETAIN_CASEMAP_H

#include <stddef.h>
#include <stdint.h>

/* The lower case of code point cp (cp itself when it has none). */
uint32_t casemap_lower(uint32_t cp);

/*
 * 1 when cp is a Default_Ignorable_Code_Point (DerivedCoreProperties.txt):
 * rendered invisibly, like U+00AD SOFT HYPHEN, U+200D ZERO WIDTH JOINER,
 * U+FEFF or the variation selectors, so "anne\u00ADx" looks like "annex".
 * Generated with the case table (scripts/gen-casemap).
 */
int casemap_is_ignorable(uint32_t cp);

enum { CASEMAP_INVALID_UTF8 = -1, CASEMAP_TOO_LONG = -2 };

/*
 * Lower-cases the n bytes of UTF-8 at s into out (cap bytes, NUL-terminated).
 * Returns the length written, CASEMAP_INVALID_UTF8 for a malformed sequence
 * (overlong forms, surrogates and code points above U+10FFFF included), or
 * CASEMAP_TOO_LONG when the result and its NUL do not fit in cap (a lower
 * case can take more bytes: U+023A "Ⱥ" is 2, its "ⱥ" 3).
 */
long casemap_lower_utf8(const char *s, size_t n, char *out, size_t cap);

#endif
