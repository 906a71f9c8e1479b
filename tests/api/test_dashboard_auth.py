"""The dashboard's sign-in, sessions, CSRF and headers (issue 14, scope 1)."""
import hashlib

import pytest

from conftest import OPERATOR_KEY, connect_db, make_shop
from dashboard_helpers import CSRF, HEADERS, Browser, sign_in
from loyalty_helpers import set_clock

PAGES = ["/dashboard/overview", "/dashboard/shops", "/dashboard/assets/dashboard.js", "/dashboard",
         "/dashboard/cohorts", "/dashboard/rfm", "/dashboard/rfm/customers?segment=Champions",
         "/dashboard/rfm/customers.csv?segment=Champions", "/dashboard/clv", "/dashboard/program",
         "/dashboard/queues", "/dashboard/customers/cus_x", "/dashboard/assets/other.css",
         "/dashboard/nothing/here"]
POSTS = ["/dashboard/sign-out", "/dashboard/shops", "/dashboard/rfm/offer", "/dashboard/campaigns/cmp_x/backtest",
         "/dashboard/reviews/rev_x/reply", "/dashboard/tickets/tkt_x/reply", "/dashboard/customers/cus_x/adjust"]


def assert_security_headers(r):
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (name, r.headers.get(name))


def test_dashboard__the_sign_in_page_and_its_css_need_no_session(server):
    b = Browser(server)
    page = b.get("/dashboard/sign-in")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'id="sign-in-form"' in page.text
    assert_security_headers(page)
    css = b.get("/dashboard/assets/dashboard.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert_security_headers(css)


@pytest.mark.parametrize("path", PAGES)
def test_dashboard__every_other_page_without_a_session_redirects_to_sign_in(server, path):
    r = Browser(server).get(path)
    assert r.status_code == 303
    assert r.headers["Location"] == "/dashboard/sign-in"
    assert_security_headers(r)
    assert "retain" not in r.text


@pytest.mark.parametrize("path", POSTS)
def test_dashboard__every_form_without_a_session_redirects_to_sign_in(server, path):
    r = Browser(server).post(path, {"csrf": "x"})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/sign-in"
    assert_security_headers(r)


def test_dashboard__an_unknown_page_is_an_html_404_behind_the_session(server, operator):
    b = sign_in(server, make_shop(operator).key)
    for path in ["/dashboard/nothing", "/dashboard/nothing/here", "/dashboard/assets/other.css"]:
        r = b.get(path)
        assert r.status_code == 404 and 'id="error" data-status="404"' in r.text
        assert_security_headers(r)


def test_dashboard__a_shop_key_signs_in_with_a_strict_http_only_cookie(server, operator):
    shop = make_shop(operator, "Cookie Teas")
    b = Browser(server)
    token = CSRF.search(b.get("/dashboard/sign-in").text).group(1)
    r = b.post("/dashboard/sign-in", {"key": shop.key, "csrf": token})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/overview"
    cookie = [c for c in r.headers["Set-Cookie"].split(", ") if c.startswith("retain_session=")]
    assert cookie, r.headers["Set-Cookie"]
    parts = [p.strip() for p in cookie[0].split(";")]
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/dashboard" in parts
    assert "Secure" not in parts
    page = b.get("/dashboard/overview")
    assert page.status_code == 200
    assert_security_headers(page)
    assert shop.shop["id"] in page.text


def test_dashboard__the_cookie_is_secure_behind_a_tls_proxy(server, operator):
    shop = make_shop(operator)
    b = Browser(server)
    token = CSRF.search(b.get("/dashboard/sign-in").text).group(1)
    r = b.post("/dashboard/sign-in", {"key": shop.key, "csrf": token},
               headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 303
    assert "; Secure" in r.headers["Set-Cookie"]


def test_dashboard__only_the_session_hash_is_stored(server, operator):
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    sid = b.s.cookies.get("retain_session")
    assert sid and sid.startswith("ds_") and len(sid) == 46
    con = connect_db(server.db)
    rows = con.execute("SELECT id_hash, shop_id FROM dashboard_sessions").fetchall()
    assert (hashlib.sha256(sid.encode()).hexdigest(), shop.shop["id"]) in [tuple(r) for r in rows]
    assert all(sid not in str(r) for r in rows)


def test_dashboard__a_wrong_key_is_refused_with_the_form_again(server, operator):
    b = Browser(server)
    for key in ["sk_nope", OPERATOR_KEY + "x", ""]:
        token = CSRF.search(b.get("/dashboard/sign-in").text).group(1)
        r = b.post("/dashboard/sign-in", {"key": key, "csrf": token})
        assert r.status_code in (400, 401), r.text
        assert 'id="sign-in-error"' in r.text
        assert "retain_session" not in r.headers.get("Set-Cookie", "")
    assert b.get("/dashboard/overview").status_code == 303


def test_dashboard__a_publishable_key_does_not_sign_in(server, operator):
    shop = make_shop(operator)
    b = Browser(server)
    token = CSRF.search(b.get("/dashboard/sign-in").text).group(1)
    r = b.post("/dashboard/sign-in", {"key": shop.shop["publishable_key"], "csrf": token})
    assert r.status_code == 403
    assert b.get("/dashboard/overview").status_code == 303


def test_dashboard__the_sign_in_form_without_its_token_is_403(server, operator):
    shop = make_shop(operator)
    b = Browser(server)
    b.get("/dashboard/sign-in")
    assert b.post("/dashboard/sign-in", {"key": shop.key}).status_code == 403
    assert b.post("/dashboard/sign-in", {"key": shop.key, "csrf": "x" * 32}).status_code == 403
    assert b.get("/dashboard/overview").status_code == 303


def test_dashboard__the_operator_signs_in_then_picks_a_shop(server, operator):
    shop = make_shop(operator, "Picked Teas")
    b = Browser(server)
    token = CSRF.search(b.get("/dashboard/sign-in").text).group(1)
    r = b.post("/dashboard/sign-in", {"key": OPERATOR_KEY, "csrf": token})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/shops"
    assert b.get("/dashboard/overview").headers["Location"] == "/dashboard/shops"
    shops = b.get("/dashboard/shops")
    assert f'data-shop="{shop.shop["id"]}"' in shops.text and "Picked Teas" in shops.text
    bad = b.form("/dashboard/shops", "/dashboard/shops", {"shop": "shop_nope"})
    assert bad.status_code == 404
    r = b.form("/dashboard/shops", "/dashboard/shops", {"shop": shop.shop["id"]})
    assert r.status_code == 303
    assert b.get("/dashboard/overview").status_code == 200


def test_dashboard__a_shop_session_cannot_pick_another_shop(server, operator):
    mine, other = make_shop(operator), make_shop(operator)
    b = sign_in(server, mine.key)
    assert b.get("/dashboard/shops").status_code == 403
    r = b.form("/dashboard/shops", "/dashboard/overview", {"shop": other.shop["id"]})
    assert r.status_code == 403
    assert other.shop["id"] not in b.get("/dashboard/overview").text


def test_dashboard__a_post_without_or_with_a_wrong_csrf_token_is_403_and_changes_nothing(server, operator):
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    for data in [{}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": b.csrf()[:-1] + "x"}]:
        r = b.post("/dashboard/sign-out", data)
        assert r.status_code == 403, data
        assert r.headers["Content-Type"].startswith("text/html")
        assert_security_headers(r)
    assert b.get("/dashboard/overview").status_code == 200


def test_dashboard__sign_out_deletes_the_session(server, operator):
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    sid = b.s.cookies.get("retain_session")
    r = b.form("/dashboard/sign-out", "/dashboard/overview", {})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/sign-in"
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    again = Browser(server)
    again.s.cookies.set("retain_session", sid)
    assert again.get("/dashboard/overview").status_code == 303


def test_dashboard__a_made_up_session_cookie_is_no_session(server):
    b = Browser(server)
    for sid in ["ds_" + "a" * 43, "nonsense", "ds_" + "b" * 300]:
        b.s.cookies.set("retain_session", sid)
        assert b.get("/dashboard/overview").status_code == 303


def test_dashboard__a_session_expires_after_12_idle_hours(server, operator):
    set_clock(operator, "2031-01-10T08:00:00Z")
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    set_clock(operator, "2031-01-10T19:59:00Z")
    assert b.get("/dashboard/overview").status_code == 200
    set_clock(operator, "2031-01-11T07:58:00Z")
    assert b.get("/dashboard/overview").status_code == 200
    set_clock(operator, "2031-01-11T20:00:00Z")
    assert b.get("/dashboard/overview").headers["Location"] == "/dashboard/sign-in"


def test_dashboard__a_session_ends_7_days_after_sign_in_however_busy(server, operator):
    set_clock(operator, "2031-02-01T08:00:00Z")
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    for hour in range(0, 7 * 24, 10):
        set_clock(operator, "2031-02-%02dT%02d:00:00Z" % (1 + (8 + hour) // 24, (8 + hour) % 24))
        assert b.get("/dashboard/overview").status_code == 200, hour
    set_clock(operator, "2031-02-08T08:00:00Z")
    assert b.get("/dashboard/overview").status_code == 303


def test_dashboard__signing_in_again_ends_the_old_session(server, operator):
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    old = b.s.cookies.get("retain_session")
    assert b.get("/dashboard/sign-in").headers["Location"] == "/dashboard/overview"
    other = Browser(server)
    token = CSRF.search(other.get("/dashboard/sign-in").text).group(1)
    b.s.cookies.set("retain_signin", other.s.cookies.get("retain_signin"), path="/dashboard")
    r = b.post("/dashboard/sign-in", {"key": shop.key, "csrf": token})
    assert r.status_code == 303
    assert b.s.cookies.get("retain_session") != old
    stale = Browser(server)
    stale.s.cookies.set("retain_session", old)
    assert stale.get("/dashboard/overview").status_code == 303
    assert b.get("/dashboard/overview").status_code == 200


def test_dashboard__expired_sessions_are_deleted_by_the_next_sign_in(server, operator):
    set_clock(operator, "2031-03-01T08:00:00Z")
    shop = make_shop(operator)
    sign_in(server, shop.key)
    set_clock(operator, "2031-03-02T08:00:00Z")
    sign_in(server, shop.key)
    con = connect_db(server.db)
    rows = con.execute("SELECT created_at FROM dashboard_sessions WHERE shop_id = ?", (shop.shop["id"],)).fetchall()
    assert len(rows) == 1


# ---- issue 14, the last round: the shop's name in the header; a method no
# page takes is the dashboard's HTML 405 with Allow ----

import html as _html  # noqa: E402
import re as _re  # noqa: E402


def test_dashboard__the_header_shows_the_shops_name_escaped(server, operator):
    shop = make_shop(operator, "Tea & <b>Co</b>")
    text = sign_in(server, shop.key).get("/dashboard/program").text
    m = _re.search(r'<span class="shop" id="shop" data-shop="([^"]+)">(.*?)</span>', text)
    assert m and m.group(1) == shop.shop["id"]
    assert m.group(2) == "Tea &amp; &lt;b&gt;Co&lt;/b&gt;"
    assert _html.unescape(m.group(2)) == "Tea & <b>Co</b>"


@pytest.mark.parametrize("method,path,allow", [
    ("POST", "/dashboard/overview", "GET, HEAD"),
    ("POST", "/dashboard/rfm/customers", "GET, HEAD"),
    ("PUT", "/dashboard/program", "GET, HEAD"),
    ("DELETE", "/dashboard/customers/cus_x", "GET, HEAD"),
    ("PATCH", "/dashboard/sign-in", "GET, HEAD, POST"),
])
def test_dashboard__a_method_no_page_takes_is_an_html_405_with_allow(server, operator, method, path, allow):
    shop = make_shop(operator)
    b = sign_in(server, shop.key)
    r = b.s.request(method, server.url + path, data={"x": "1"}, allow_redirects=False, timeout=30)
    assert r.status_code == 405, r.text[:300]
    assert r.headers["Allow"] == allow
    assert r.headers["Content-Type"].startswith("text/html")
    assert 'id="error" data-status="405"' in r.text
    assert_security_headers(r)


def test_dashboard__a_post_to_a_path_no_page_has_is_an_html_404(server, operator):
    b = sign_in(server, make_shop(operator).key)
    r = b.post("/dashboard/nothing/here", {})
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    assert "Allow" not in r.headers


def test_dashboard__a_405_without_a_session_redirects_to_sign_in(server):
    r = Browser(server).post("/dashboard/overview", {})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/sign-in"
