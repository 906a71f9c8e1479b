/*
 * response.h: the error envelope and the one status mapping of retain:
 *	{"error":{"type":"invalid_request_error","code":"parameter_missing",
 *	          "message":"\"currency\" is required","param":"currency",
 *	          "request_id":"req_..."}}
 */
#ifndef RETAIN_RESPONSE_H
#define RETAIN_RESPONSE_H

#include "../base/err.h"
#include "request.h"

/* HTTP status for an error kind. */
int response_status(int kind);
/* Sets r's response to the envelope for e. */
void response_error(struct req *r, const struct err *e);

#endif
