/*
 * program_body.h: reading the loyalty programme's JSON shape, the body of PUT
 * /v1/program, shared by the API (PUT /v1/program, and POST
 * /v1/program/backtest for a draft in the same shape) and `retain backtest
 * --program FILE.json`, so that a draft has one shape whoever reads it. A
 * layer beside api/ and cli/ (render/): only jansson, base/ and core/ below
 * it, no HTTP (tests/api/test_layering_issue9.py).
 */
#ifndef RETAIN_PROGRAM_BODY_H
#define RETAIN_PROGRAM_BODY_H

#include <jansson.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "../core/program.h"

/* Reads body (NULL: every default) into p, from program_defaults(): unknown
 * keys, wrong types and values out of range are ERR_INVALID naming the field
 * ("earn.multipliers[0].percent"). The rules across fields are
 * program_check()'s. Strings point into body (and param names into a). */
int program_body_parse(struct arena *a, json_t *body, struct program *p, struct err *e);

#endif
