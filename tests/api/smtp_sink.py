"""An SMTP sink on loopback for the e-mail tests (issue 13): enough of RFC 5321
for a client like libcurl (EHLO/HELO, AUTH PLAIN when asked to require it,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeping every message it accepted. Written here on
socketserver so that the tests need no package beyond Python's own
(python3-aiosmtpd would do the same; docs/decisions.md says why not).

    with SmtpSink() as sink:          # a free port on 127.0.0.1
        ... sink.port, sink.messages, sink.wait_for(n)
        sink.stop(); sink.start()     # down for a while, then up on the same port

The sink stops when the with block ends, also when the test failed."""
import base64
import email
import email.policy
import socketserver
import threading
import time

from conftest import free_port


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP ready")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline(10000)
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250-8BITMIME")
                if sink.auth:
                    self.reply("250-AUTH PLAIN")
                self.reply("250 SIZE 10485760")
            elif verb == "AUTH":
                words = line.decode().split()
                if len(words) < 3:      # no initial response: ask for it
                    self.reply("334 ")
                    words.append(self.rfile.readline(10000).decode().strip())
                sink.logins.append(base64.b64decode(words[2]).split(b"\0")[1:])
                ok = sink.logins[-1] == [x.encode() for x in sink.auth or ()]
                self.reply("235 authenticated" if ok else "535 bad credentials")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL" and sink.auth and (not sink.logins or
                                                    sink.logins[-1] != [x.encode() for x in sink.auth]):
                self.reply("530 authentication required")
            elif verb == "MAIL":
                mail_from, rcpts = line.decode().strip()[10:], []
                self.reply("250 ok")
            elif verb == "RCPT":
                to = line.decode().strip()[8:]
                if to in (f"<{a}>" for a in sink.unknown):
                    self.reply("550 no such mailbox")
                    continue
                rcpts.append(to)
                self.reply("250 ok")
            elif verb == "DATA":
                if sink.refuse_data:
                    self.reply("451 try again later")
                    continue
                self.reply("354 end with .")
                data = []
                while True:
                    d = self.rfile.readline(1 << 20)
                    if not d or d == b".\r\n":
                        break
                    data.append(d[1:] if d.startswith(b"..") else d)
                sink.accept(mail_from, rcpts, b"".join(data))
                self.reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.messages = []          # (mail_from, rcpts, email.message.EmailMessage, raw bytes)
        self.refuse_data = False
        self.unknown = set()        # addresses RCPT refuses with 550
        self.auth = None            # (user, password) to require AUTH PLAIN
        self.logins = []            # [user, password] of each AUTH seen
        self.lock = threading.Lock()
        self.server = None

    def accept(self, mail_from, rcpts, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append((mail_from, rcpts, msg, raw))

    def start(self):
        self.server = _Server(("127.0.0.1", self.port), _Handler)
        self.server.sink = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def to(self, address):
        """The messages sent to address, oldest first."""
        with self.lock:
            return [m for (_, rcpts, m, _) in self.messages if f"<{address}>" in rcpts]

    def wait_for(self, address, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.to(address)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.to(address)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
