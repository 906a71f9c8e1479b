/* currency.h: ISO 4217 currency codes and their minor-unit exponents. */
#ifndef RETAIN_CURRENCY_H
#define RETAIN_CURRENCY_H

/* Exponent (digits after the decimal point, 0..3) of an upper-case ISO 4217
 * code, or -1 when code is not a current ISO 4217 currency. */
int currency_exponent(const char *code);

#endif
