"""Regression tests for issue 8: requests that must be refused, and answers that
must be complete.

- A body framed twice (two Content-Lengths, Content-Length with
  Transfer-Encoding) or a header field name that is not a token is 400 before
  routing, and the connection is closed: nothing runs.
- Too many header fields (over 100) or too many header bytes (over 32 KiB) is
  a full 431 answer with the error envelope; a header too large for the
  connection's memory (64 KiB) still gets a full 431, from libmicrohttpd.
- Every error message is valid UTF-8, whatever the request quoted.
- A 405 lists the path's own methods in Allow; HEAD answers like GET, no body.
"""
import json
import socket
import time

import pytest

from conftest import OPERATOR_KEY, error_of


def send_raw(server, data, chunk=None, timeout=5):
    """Sends data (all at once, or in chunks with a pause) and reads until the
    server closes: returns (status, headers, body, send_error)."""
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(timeout)
    send_error = None
    try:
        step = chunk or len(data)
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            if chunk:
                time.sleep(0.0005)
    except OSError as e:
        send_error = e
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1.1 "), f"no HTTP answer: {out[:200]!r} ({send_error})"
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body, send_error


def request_bytes(method, path, headers, body=b""):
    lines = [f"{method} {path} HTTP/1.1", "Host: retain.test"] + headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def shop_count(operator):
    return len(operator.get("/v1/shops?limit=100").json()["data"])


def envelope(body):
    err = json.loads(body.decode("utf-8"))["error"]
    assert set(err) == {"type", "code", "message", "param", "request_id"}
    return err


BODY = b'{"name":"Smuggled"}'
AUTH = f"Authorization: Bearer {OPERATOR_KEY}"
JSON = "Content-Type: application/json"
CHUNKED_BODY = b"%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n"


@pytest.mark.parametrize("framing,body", [
    (["Content-Length: 19", "Content-Length: 20"], BODY),
    (["Content-Length: 19", "Content-Length: 19"], BODY),
    (["content-length: 19", "CONTENT-LENGTH: 19"], BODY),
    (["Content-Length: 19", "content-Length: 0"], BODY),
    (["Content-Length: 19", "Transfer-Encoding: chunked"], CHUNKED_BODY),
    (["Transfer-Encoding: chunked", "Content-Length: 19"], CHUNKED_BODY),
    (["transfer-encoding: CHUNKED", "content-length: 5"], CHUNKED_BODY),
    (["TRANSFER-ENCODING: chunked", "CONTENT-LENGTH: 19"], CHUNKED_BODY),
    (["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], CHUNKED_BODY),
    (["Transfer-Encoding: gzip, chunked"], CHUNKED_BODY),
    (["Content-Length : 19"], BODY),
    (["Content-Length\t: 19"], BODY),
])
def test_a_body_framed_twice_or_oddly_is_400_before_routing_issue8(server, operator, framing, body):
    before = shop_count(operator)
    status, headers, answer, _ = send_raw(server, request_bytes("POST", "/v1/shops", [AUTH, JSON] + framing, body))
    assert status == 400
    assert headers.get("connection") == "close"
    assert headers["request-id"].startswith("req_")
    err = envelope(answer)
    assert err["code"] in ("request_framing_invalid", "request_header_invalid")
    assert err["request_id"] == headers["request-id"]
    assert shop_count(operator) == before


def test_one_content_length_is_still_accepted_issue8(server, operator):
    status, _, answer, _ = send_raw(server, request_bytes(
        "POST", "/v1/shops", [AUTH, JSON, "Content-Length: 19", "Connection: close"], BODY))
    assert status == 201 and json.loads(answer)["name"] == "Smuggled"


def test_chunked_alone_is_still_accepted_issue8(server):
    status, _, answer, _ = send_raw(server, request_bytes(
        "POST", "/v1/shops", [AUTH, JSON, "Transfer-Encoding: chunked", "Connection: close"],
        CHUNKED_BODY))
    assert status == 201 and json.loads(answer)["name"] == "Smuggled"


def many_headers(n):
    return [f"X-Filler-{i}: v" for i in range(n)]


@pytest.mark.parametrize("extra", [
    pytest.param(many_headers(100), id="101 fields with Host"),
    pytest.param(many_headers(400), id="401 fields"),
    pytest.param(["X-Big: " + "a" * 33_000], id="one 33 KB field"),
    pytest.param([f"X-Part-{i}: " + "b" * 9000 for i in range(4)], id="four 9 KB fields"),
])
@pytest.mark.parametrize("chunk", [None, 1024], ids=["at once", "in pieces"])
def test_too_many_or_too_large_header_fields_are_431_with_the_envelope_issue8(server, extra, chunk):
    status, headers, body, _ = send_raw(server, request_bytes("GET", "/livez", extra), chunk=chunk)
    assert status == 431
    assert int(headers["content-length"]) == len(body)
    err = envelope(body)
    assert err["code"] == "headers_too_large"
    assert err["request_id"] == headers["request-id"]


@pytest.mark.parametrize("extra", [
    pytest.param(many_headers(2000), id="2000 fields"),
    pytest.param(["X-Big: " + "a" * 100_000], id="one 100 KB field"),
    pytest.param(["X-Big: " + "a" * 1_000_000], id="one 1 MB field"),
])
@pytest.mark.parametrize("chunk", [None, 1024], ids=["at once", "in pieces"])
def test_a_header_beyond_the_connection_memory_still_gets_a_full_431_issue8(server, extra, chunk):
    # libmicrohttpd answers these itself (an HTML body) and closes; the
    # answer arrives whole, also to a client still sending when it comes.
    status, headers, body, _ = send_raw(server, request_bytes("GET", "/livez", extra), chunk=chunk)
    assert status == 431
    assert headers.get("connection") == "close"
    assert int(headers["content-length"]) == len(body) > 0


@pytest.mark.parametrize("extra", [many_headers(98), ["X-Big: " + "a" * 30_000]])
def test_header_fields_within_the_limits_are_served_issue8(server, extra):
    status, _, body, _ = send_raw(server, request_bytes("GET", "/livez", extra + ["Connection: close"]))
    assert status == 200 and json.loads(body) == {"status": "alive"}


def assert_valid_message(resp):
    raw = resp.content.decode("utf-8")          # strict: raises on invalid UTF-8
    err = error_of(resp)
    assert isinstance(err["message"], str) and err["message"]
    assert "\\ud8" not in raw and "\\udc" not in raw.lower()
    return err


@pytest.mark.parametrize("path", [
    "/v1/%ff",
    "/v1/%ff%fe/%c0%af",
    "/v1/customers/%ff",
    "/v1/customers/%ed%a0%80",
    "/v1/customers/x" + "%c3%a9" * 300,
    "/v1/customers/x" + "%d9%a9" * 200,
    "/v1/orders/%e2%82",
])
def test_an_error_quoting_a_path_has_a_valid_utf8_message_issue8(shop, path):
    r = shop.get(path)
    assert r.status_code == 404
    err = assert_valid_message(r)
    assert err["message"].startswith(("no such endpoint", "no customer", "no order"))


@pytest.mark.parametrize("phone", ["+٩٦٦٥٠١٢٣٤٥٦٧", "+۹۸۹۱۲۳۴۵۶۷۸۹", "+४४२०७९४६०९५८", "+44 20 ７９４６"])
def test_an_error_quoting_a_phone_in_other_digits_has_a_valid_utf8_message_issue8(shop, phone):
    r = shop.post("/v1/customers", {"phone": phone})
    assert r.status_code == 400
    err = assert_valid_message(r)
    assert err["param"] == "phone"


@pytest.mark.parametrize("value", ["x" + "é" * 300, "x" + "€" * 250, "😀" * 150])
def test_a_long_quoted_value_is_cut_at_a_character_boundary_issue8(shop, value):
    r = shop.patch("/v1/customers/" + value, {"name": "A"})
    assert r.status_code == 404
    assert_valid_message(r)


@pytest.mark.parametrize("method,path,allow", [
    ("DELETE", "/v1/shops", "POST, GET, HEAD"),
    ("PUT", "/v1/customers/cus_x/merge", "POST"),
    ("POST", "/livez", "GET, HEAD"),
    ("POST", "/v1/customers/cus_x", "GET, HEAD, PATCH, DELETE"),
    ("DELETE", "/v1/program", "GET, HEAD, PUT"),
    ("GET", "/v1/orders/ord_x/refunds", "POST"),
])
def test_a_405_lists_the_methods_of_that_path_issue8(shop, method, path, allow):
    r = shop.request(method, path)
    assert r.status_code == 405
    assert r.headers["Allow"] == allow
    assert error_of(r)["code"] == "method_not_allowed"


def head_raw(server, path, key):
    headers = [f"Authorization: Bearer {key}", "Connection: close"] if key else ["Connection: close"]
    return send_raw(server, request_bytes("HEAD", path, headers))


@pytest.mark.parametrize("path,who", [
    ("/livez", None),
    ("/readyz", None),
    ("/v1/program", "shop"),
    ("/v1/customers", "shop"),
    ("/v1/customers/{customer}", "shop"),
    ("/v1/customers/{customer}/loyalty", "shop"),
    ("/v1/shops/{shop}", "operator"),
    ("/v1/customers/cus_nobody", "shop"),
])
def test_head_answers_like_get_without_a_body_issue8(server, shop, path, who):
    customer = shop.post("/v1/customers", {"email": "head@example.com"}).json()["id"]
    path = path.format(customer=customer, shop=shop.shop["id"])
    key = {"shop": shop.key, "operator": OPERATOR_KEY, None: None}[who]
    get = shop.get(path, key=key)
    status, headers, body, _ = head_raw(server, path, key)
    assert status == get.status_code
    assert body == b""
    assert headers["content-type"] == get.headers["Content-Type"]
    assert int(headers["content-length"]) == len(get.content)
    assert headers["request-id"].startswith("req_")


@pytest.mark.parametrize("path", ["/v1/customers/cus_x/merge", "/v1/orders/ord_x/refunds"])
def test_head_on_a_path_without_get_is_405_issue8(shop, path):
    r = shop.request("HEAD", path)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
