/*
 * routes.h: the dashboard's route table (web/routes.c), which main.c joins
 * to the API's for `retain serve`. Every route is AUTH_NONE for the server:
 * the session is web_run()'s to check (web.h); POSTs are forms (RAW_BODY).
 */
#ifndef RETAIN_WEB_ROUTES_H
#define RETAIN_WEB_ROUTES_H

#include "../http/request.h"

extern const struct route web_routes[];
extern const int web_nroutes;

#endif
