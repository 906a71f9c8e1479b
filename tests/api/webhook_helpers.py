"""Helpers for the webhook tests (issue 13): a loopback receiver that checks
every delivery as Standard Webhooks describes it, with its own implementation
(hmac and base64 from the spec's text, not retain's code), and servers that
may deliver to loopback (--webhooks-allow-private).

The signature, from the spec: the signed content is
"<webhook-id>.<webhook-timestamp>.<raw body>"; the key is the base64 decoding
of the secret after its "whsec_" prefix; the header holds space-separated
"v1,<base64 HMAC-SHA256>" entries, any one of which may match. A timestamp
more than 5 minutes from the receiver's clock is refused (replays)."""
import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import tempfile
import threading
import time

from datetime import datetime

from conftest import Server, check_clean_exit

TOLERANCE = 300


def signature_of(secret, msg_id, timestamp, body):
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_"):], validate=True)
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secrets, headers, body, now):
    """The secret (of secrets) whose signature the delivery carries; raises
    ValueError when none matches or the timestamp is out of tolerance."""
    msg_id, ts, header = (headers.get("webhook-id"), headers.get("webhook-timestamp"),
                          headers.get("webhook-signature"))
    if not (msg_id and ts and header):
        raise ValueError("a webhook-* header is missing")
    if abs(now - int(ts)) > TOLERANCE:
        raise ValueError(f"timestamp {ts} is more than 5 minutes from {now}")
    for secret in secrets:
        expected = signature_of(secret, msg_id, ts, body)
        for entry in header.split(" "):
            version, _, sig = entry.partition(",")
            if version == "v1" and hmac.compare_digest(sig, expected):
                return secret
    raise ValueError("no signature matches")


class Receiver:
    """An HTTP receiver on a loopback address, in a thread. It verifies each
    POST against self.secrets and the clock (a function giving unix seconds),
    answers self.status (an int, or a function of the parsed body), and keeps
    what it accepted in self.deliveries (dicts: id, timestamp, signature,
    body, secret); a request it refuses (401) goes to self.rejected."""

    def __init__(self, host="127.0.0.2", clock=time.time):
        self.host, self.clock = host, clock
        self.secrets = []
        self.status = 200
        self.deliveries, self.rejected = [], []
        self.lock = threading.Lock()
        self.httpd = None
        self.port = None
        self.hold = None          # a threading.Event each request waits for, when set
        self.arrived = threading.Event()

    @property
    def url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/hook"

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                code = receiver.accept(self.headers, body)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        family = http.server.ThreadingHTTPServer
        if ":" in self.host:
            import socket

            class V6(http.server.ThreadingHTTPServer):
                address_family = socket.AF_INET6
            family = V6
        self.httpd = family((self.host, self.port or 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Down: connections to the port are refused until start()."""
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def accept(self, headers, body):
        try:
            secret = verify(self.secrets, headers, body, self.clock())
        except ValueError as e:
            with self.lock:
                self.rejected.append(str(e))
            return 401
        payload = json.loads(body)
        status = self.status(payload) if callable(self.status) else self.status
        if 200 <= status < 300:
            with self.lock:
                self.deliveries.append({"id": headers["webhook-id"],
                                        "timestamp": headers["webhook-timestamp"],
                                        "signature": headers["webhook-signature"],
                                        "body": payload, "secret": secret})
        return status

    def ids(self):
        with self.lock:
            return [d["id"] for d in self.deliveries]


def rfc3339_to_unix(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def retain_clock(operator):
    """The server's clock in unix seconds (the test clock when it was set)."""
    return lambda: rfc3339_to_unix(operator.get("/v1/test/clock").json()["now"])


@contextlib.contextmanager
def webhook_server(*args):
    """A server of its own that may deliver to loopback, with no jobs thread:
    deliveries happen when a test runs the jobs or moves the clock."""
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--webhooks-allow-private", "--jobs-interval", "0", *args]).start()
        try:
            yield srv
        finally:
            if srv.proc and srv.proc.poll() is None:
                check_clean_exit(srv)


def run_jobs(operator):
    r = operator.post("/v1/jobs/run")
    assert r.status_code == 200, r.text
    return r.json()


def advance(operator, seconds):
    r = operator.post("/v1/test/clock", {"advance_seconds": int(seconds)})
    assert r.status_code == 200, r.text


def endpoint(shop, receiver, events=("*",), **extra):
    r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": list(events), **extra})
    assert r.status_code == 201, r.text
    receiver.secrets.append(r.json()["secret"])
    return r.json()


def events_of(shop, pattern=None):
    """Every event of the shop, oldest first, through the cursor."""
    out, after = [], None
    while True:
        q = "?limit=100" + (f"&type={pattern}" if pattern else "") + \
            (f"&starting_after={after}" if after else "")
        page = shop.get("/v1/events" + q).json()
        out += page["data"]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["id"]


def customer_body(n):
    return {"email": f"buyer{n}-{time.time_ns()}@example.com"}
