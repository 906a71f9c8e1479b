/*
 * widget.c: GET /widget.js, the storefront widget (issue 14, docs/widget.md).
 * The script is src/web/widget.js, embedded in the binary at build time by
 * scripts/embed-asset (build/widget_js.c): no file is read at run time.
 */
#include "api.h"

extern const char widget_js[];
extern const size_t widget_js_len;

int api_widget_js(struct req *r, struct err *e)
{
	(void)e;
	r->status = 200;
	r->resp_body = widget_js;
	r->resp_len = widget_js_len;
	r->resp_type = "text/javascript; charset=utf-8";
	req_header(r, "Cache-Control", "public, max-age=300");
	return 0;
}
