"""Helpers for the dashboard's black-box tests (issue 14): a browser-like
session (cookies kept, redirects not followed) signed in with a key."""
import html
import re

import requests

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:;"
                               " script-src 'self'; form-action 'self'; frame-ancestors 'none';"
                               " base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Browser:
    """A cookie jar on one server; get/post never follow redirects."""

    def __init__(self, server):
        self.server = server
        self.s = requests.Session()

    def get(self, path, **kw):
        return self.s.get(self.server.url + path, allow_redirects=False, timeout=30, **kw)

    def post(self, path, data=None, **kw):
        return self.s.post(self.server.url + path, data=data or {}, allow_redirects=False,
                           timeout=30, **kw)

    def csrf(self, path="/dashboard/overview"):
        r = self.get(path)
        assert r.status_code == 200, (r.status_code, r.text[:500])
        return CSRF.search(r.text).group(1)

    def form(self, path, page, data):
        """Posts data with the CSRF token of page."""
        return self.post(path, dict(data, csrf=self.csrf(page)))


def sign_in(server, key, shop_id=None):
    """A Browser signed in with key; an operator then picks shop_id."""
    b = Browser(server)
    page = b.get("/dashboard/sign-in")
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text).group(1)
    r = b.post("/dashboard/sign-in", {"key": key, "csrf": token})
    assert r.status_code == 303, (r.status_code, r.text[:500])
    if shop_id:
        r = b.form("/dashboard/shops", "/dashboard/shops", {"shop": shop_id})
        assert r.status_code == 303, (r.status_code, r.text[:500])
        assert r.headers["Location"] == "/dashboard/overview"
    return b


def data_values(text, chart_id):
    """The data-value numbers of the marks of the SVG chart chart_id, in order
    (None for a mark without data)."""
    m = re.search(r'<svg[^>]*id="%s".*?</svg>' % re.escape(chart_id), text, re.S)
    assert m, f"no chart {chart_id}"
    out = []
    for v in re.findall(r'class="mark[^"]*"[^>]*?data-value="([^"]*)"', m.group(0)):
        out.append(float(v) if v else None)
    return out


def figure(text, card):
    m = re.search(r'id="figure-%s" data-value="([^"]*)"' % re.escape(card), text)
    assert m, f"no figure {card}"
    return float(m.group(1)) if m.group(1) else None


def unescaped(text):
    return html.unescape(text)
