"""Regression tests for issue 8 (review finding 3): folded header lines and
unframed bodies cannot smuggle a second request.

- A header block with a line that starts with a space or a tab (obs-fold,
  RFC 9112 section 5.2) is 400 `request_header_invalid` before routing and the
  connection is closed: whatever the fold hid (a Content-Length, a
  Transfer-Encoding, an Authorization) changes nothing, and the bytes after
  the header are never read as a next request.
- A POST, PUT or PATCH with neither Content-Length nor Transfer-Encoding is
  411 `length_required`, and the connection is closed.
Every exchange is on a raw socket: each case counts the answers the
connection gave, and checks that no smuggled request ran.
"""
import json
import socket

import pytest

from conftest import OPERATOR_KEY

AUTH = f"Authorization: Bearer {OPERATOR_KEY}"
JSON = "Content-Type: application/json"
BODY = b'{"name":"Front"}'


def smuggled(name):
    """A whole request that creates a shop: it must never run."""
    body = json.dumps({"name": name}).encode()
    return (f"POST /v1/shops HTTP/1.1\r\nHost: retain.test\r\n{AUTH}\r\n{JSON}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def exchange(server, data, timeout=3):
    """Sends data on one connection and reads until the server closes it (or
    goes quiet): returns every answer, as (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(timeout)
    s.sendall(data)
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
    answers = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        assert sep and head.startswith(b"HTTP/1.1 "), f"not an HTTP answer: {out[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        answers.append((int(lines[0].split()[1]), headers, rest[:n]))
        out = rest[n:]
    return answers


def head(method, path, lines):
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: retain.test"] + lines).encode() \
        + b"\r\n\r\n"


def shop_names(operator):
    return [s["name"] for s in operator.get("/v1/shops?limit=100").json()["data"]]


def assert_refused_alone(answers, status, code):
    assert len(answers) == 1, [a[0] for a in answers]
    got, headers, body = answers[0]
    assert got == status, body
    assert headers.get("connection") == "close"
    err = json.loads(body)["error"]
    assert err["code"] == code and err["request_id"] == headers["request-id"]
    return err


FOLDED_FRAMING = [
    # What a proxy that unfolds reads as Content-Length: 2 0 (or 20); retain
    # (libmicrohttpd) would read no length at all and a second request.
    pytest.param(["Content-Length: 2", " 0"], BODY, id="CL continued by a digit"),
    pytest.param(["Content-Length:", " 16"], BODY, id="CL value on the next line"),
    pytest.param(["Content-Length:", "\t16"], BODY, id="CL value after a tab"),
    pytest.param(["Content-Length: 16", " "], BODY, id="CL then a blank continuation"),
    pytest.param(["X-Pad: a", " Content-Length: 16"], BODY, id="CL hidden in a fold"),
    pytest.param(["Transfer-Encoding:", " chunked"], b"10\r\n" + BODY + b"\r\n0\r\n\r\n",
                 id="TE value on the next line"),
    pytest.param(["Transfer-Encoding: chunked", "\t"], b"10\r\n" + BODY + b"\r\n0\r\n\r\n",
                 id="TE then a blank continuation"),
    pytest.param(["Content-Length: 16", "Transfer-Encoding:", " chunked"],
                 b"10\r\n" + BODY + b"\r\n0\r\n\r\n", id="CL and a folded TE"),
]


@pytest.mark.parametrize("framing,body", FOLDED_FRAMING)
def test_a_folded_framing_header_is_400_and_the_next_request_never_runs_issue8(
        server, operator, framing, body):
    name = f"Smuggled {len(shop_names(operator))}"
    answers = exchange(server, head("POST", "/v1/shops", [AUTH, JSON] + framing) + body
                       + smuggled(name))
    err = assert_refused_alone(answers, 400, "request_header_invalid")
    assert "obs-fold" in err["message"]
    names = shop_names(operator)
    assert name not in names and "Front" not in names


@pytest.mark.parametrize("auth", [
    pytest.param(["Authorization: Bearer", f" {OPERATOR_KEY}"], id="key on the next line"),
    pytest.param(["Authorization:", f"\tBearer {OPERATOR_KEY}"], id="all after a tab"),
    pytest.param([AUTH, " x"], id="key then a continuation"),
    pytest.param([AUTH, "X-Trace: 1", "  2"], id="another field folded"),
])
def test_a_folded_authorization_is_400_not_a_missing_key_issue8(server, operator, auth):
    before = shop_names(operator)
    answers = exchange(server, head("GET", "/v1/shops", auth) + smuggled("After auth"))
    assert_refused_alone(answers, 400, "request_header_invalid")
    assert shop_names(operator) == before


@pytest.mark.parametrize("field", [
    ["Content-Type: application/", " json", "Content-Length: 16"],
    ["Idempotency-Key: k-1", " k-2", "Content-Length: 16"],
    [JSON, "Content-Length: 16", "Connection: keep-alive", "\t, close"],
])
def test_any_folded_field_is_400_before_routing_issue8(server, operator, field):
    before = shop_names(operator)
    answers = exchange(server, head("POST", "/v1/shops", [AUTH] + field) + BODY + smuggled("Any"))
    assert_refused_alone(answers, 400, "request_header_invalid")
    assert shop_names(operator) == before


@pytest.mark.parametrize("lines", [
    pytest.param(["X-Spaces:    \t spaced  ", "X-Empty:", "X-Tight:v"], id="odd but one line each"),
    pytest.param(["X-Long: " + "v " * 5000], id="a long value with spaces"),
])
def test_unfolded_fields_with_spaces_are_still_served_issue8(server, lines):
    answers = exchange(server, head("GET", "/livez", lines + ["Connection: close"]))
    assert [a[0] for a in answers] == [200]


@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/shops"),
    ("POST", "/v1/jobs/run"),
    ("PUT", "/v1/program"),
    ("PATCH", "/v1/customers/cus_x"),
    ("POST", "/v1/nowhere"),
])
def test_a_body_method_without_content_length_or_chunked_is_411_and_closed_issue8(
        server, operator, method, path):
    name = f"Unframed {method} {path}"
    answers = exchange(server, head(method, path, [AUTH, JSON]) + smuggled(name))
    err = assert_refused_alone(answers, 411, "length_required")
    assert err["param"] == "Content-Length"
    assert name not in shop_names(operator)


@pytest.mark.parametrize("method,path,status", [
    ("POST", "/v1/jobs/run", 200),
    ("POST", "/v1/shops", 400),          # no name: the body was read, and judged
])
def test_content_length_zero_is_an_empty_body_not_a_411_issue8(server, method, path, status):
    answers = exchange(server, head(method, path, [AUTH, "Content-Length: 0", "Connection: close"]))
    assert [a[0] for a in answers] == [status]


@pytest.mark.parametrize("method,path", [("GET", "/v1/shops"), ("DELETE", "/v1/customers/cus_x"),
                                         ("HEAD", "/livez")])
def test_methods_without_a_body_need_no_length_issue8(server, method, path):
    answers = exchange(server, head(method, path, [AUTH, "Connection: close"]))
    assert len(answers) == 1 and answers[0][0] != 411
