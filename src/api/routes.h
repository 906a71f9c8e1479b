/*
 * routes.h: the API's route table (routes.c), which `retain serve` mounts on
 * the HTTP server. main.c hands it to cmd_serve(): no part of api/ is seen by
 * cli/; the handlers themselves stay behind api.h.
 */
#ifndef RETAIN_ROUTES_H
#define RETAIN_ROUTES_H

#include "../http/request.h"

extern const struct route api_routes[];
extern const int api_nroutes;

#endif
