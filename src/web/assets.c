/* assets.c: the dashboard's one stylesheet and one small script, served from
 * /dashboard/assets/. The stylesheet is public (the sign-in page needs it);
 * the script needs a session. */
#include <string.h>

#include "web.h"

static const char css[] =
	"*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d2330;"
	"background:#f5f6f8}header.top{display:flex;gap:1rem;align-items:center;padding:.5rem 1rem;"
	"background:#1d2330;color:#fff}header.top a{color:#cfd6e4;text-decoration:none;margin-right:.8rem}"
	"header.top a[aria-current]{color:#fff;font-weight:600}.brand{font-weight:700}"
	"#shop{margin-left:auto;opacity:.8}#sign-out{margin:0}main{padding:1rem 1.5rem;max-width:1200px}"
	"h1{font-size:1.4rem}table{border-collapse:collapse;background:#fff}"
	"td,th{padding:.3rem .6rem;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}"
	".card{background:#fff;border:1px solid #e3e6ec;border-radius:6px;padding:.8rem}"
	".card .figure{font-size:1.6rem;font-weight:600}.card h2{font-size:1rem;margin:0 0 .3rem}"
	".chart{max-width:100%;height:auto;background:#fff}.chart .trend{fill:none;stroke:#3461c1;stroke-width:2}"
	".chart .mark{fill:#3461c1}.chart .base{stroke:#c5cad4}.chart .axis{font-size:9px;fill:#5b6472;"
	"text-anchor:middle}.chart .axis.row{text-anchor:start}"
	".heat-0{fill:#eef3fc!important}.heat-1{fill:#dbe6f8!important}.heat-2{fill:#c6d7f3!important}"
	".heat-3{fill:#adc5ed!important}.heat-4{fill:#93b2e6!important}.heat-5{fill:#789fde!important}"
	".heat-6{fill:#5d8bd5!important}.heat-7{fill:#4677c9!important}.heat-8{fill:#3461c1!important}"
	".heat-9{fill:#234a9c!important}.error{color:#a31d1d}.sign-in{max-width:420px;margin:3rem auto;"
	"background:#fff;padding:1.5rem;border-radius:6px;border:1px solid #e3e6ec}"
	"label{display:block;margin:.4rem 0 .2rem}input,textarea,select{font:inherit;padding:.3rem;"
	"width:100%}button{font:inherit;padding:.3rem .8rem;margin-top:.4rem;cursor:pointer}"
	".rfm td.cell a{display:block;text-align:center}.muted{color:#5b6472}form.inline{display:inline}"
	"form.inline input,form.inline textarea{width:auto}pre{white-space:pre-wrap}"
	".as-of{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin:0 0 1rem}"
	".as-of p{margin:0;color:#5b6472}.as-of button{margin:0}\n";

/* Progressive only: every page works without it. It adds a confirmation to
 * forms marked data-confirm. */
static const char js[] =
	"document.addEventListener('submit',function(ev){var f=ev.target;"
	"if(f.dataset&&f.dataset.confirm&&!window.confirm(f.dataset.confirm))ev.preventDefault();});\n";

static int css_asset(struct web *w, struct err *e)
{
	(void)e;
	w->type = "text/css; charset=utf-8";
	buf_append(&w->out, css, sizeof(css) - 1);
	return 0;
}

static int js_asset(struct web *w, struct err *e)
{
	(void)e;
	w->type = "text/javascript; charset=utf-8";
	buf_append(&w->out, js, sizeof(js) - 1);
	return 0;
}

int web_asset_css(struct req *r, struct err *e)
{
	return web_run(r, e, css_asset, WEB_PUBLIC);
}

int web_asset_js(struct req *r, struct err *e)
{
	return web_run(r, e, js_asset, WEB_ANY_SHOP);
}
