/*
 * render_backtest.h: the JSON shapes of the backtests' reports, shared by the
 * API (POST /v1/campaigns/{id}/backtest, POST /v1/program/backtest) and
 * `retain backtest --json`, so that a report has one shape whoever asks. A
 * layer beside api/ and cli/ (render/): only jansson, base/ and core/ below
 * it. Each returns a new reference.
 *
 * A campaign's discount is shown per currency (by_currency) and, when all of
 * it is in one currency or none was given, as discount_total and
 * discount_shipping in "currency"; with several currencies those three are
 * null (a sum across currencies means nothing).
 */
#ifndef RETAIN_RENDER_BACKTEST_H
#define RETAIN_RENDER_BACKTEST_H

#include <jansson.h>

#include "../core/backtest.h"

json_t *render_backtest_campaign(const struct backtest_campaign_result *b);
json_t *render_backtest_program(const struct backtest_program_result *b);

#endif
