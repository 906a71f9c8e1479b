#!/usr/bin/env python3
"""bench/compare_order_responses.py OLD_BIN NEW_BIN: the same requests against two builds
(each on a fresh database: a programme, a webhook endpoint for order.*, orders with
escapes and non-ASCII text, natural-key and Idempotency-Key replays, a failed and a paid
payment, a refund, reads, a list, refused bodies), ids and times masked; prints
"identical" when every status, Content-Type and body, and every table's row count,
are the same (the two transcripts are left in /tmp/retain-resp.a and .b). For rounds
that change how orders are rendered (bench/README.md, the order path, fifth round)."""
import atexit, http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time
def run(binary):
    tmp = tempfile.mkdtemp(); db = tmp + "/r.db"
    atexit.register(shutil.rmtree, tmp, True)
    sk = json.loads(subprocess.check_output([binary, "shop", "create", "Bench", "--db", db, "--json"]))["secret_key"]
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    srv = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port, "--access-log", "0", "--webhooks-allow-private"],
                           env=dict(os.environ, RETAIN_OPERATOR_KEY="op_benchbenchbenchbenchbench"), stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port); c.request("GET", "/livez"); c.getresponse().read(); break
        except OSError: time.sleep(0.05)
    out = []
    def req(m, p, b=None, extra={}):
        h = {"Authorization": "Bearer " + sk, "Content-Type": "application/json"}; h.update(extra)
        c.request(m, p, b.encode() if b else b, h); r = c.getresponse(); body = r.read().decode()
        out.append("%s %s -> %d %s\n%s" % (m, p, r.status, r.getheader("Content-Type"), body))
    req("PUT", "/v1/program", '{"earn":{"points_per_unit":1},"milestones":[{"type":"every","n":2,"gift":"surprise"}],"pending_days":0}')
    req("POST", "/v1/webhook_endpoints", '{"url":"http://127.0.0.2:9/hook","events":["order.*"]}')
    o = '{"external_id":"A-1","customer":{"email":"a@example.com","name":"Zoë \\"Q\\" \\u00e9\\n"},"currency":"EUR","lines":[{"sku":"TEA-\\u2603","name":"Sencha \\u00ab1\\u00bb\\t/","category":"green tea","quantity":2,"unit_price":1290},{"sku":"ACC","quantity":1,"unit_price":390,"discount":40}],"shipping":490,"total":3420,"channel":"web","seller":"s\\\\1"}'
    req("POST", "/v1/orders", o)
    req("POST", "/v1/orders", o)
    req("POST", "/v1/orders", o, {"Idempotency-Key": "k1"})
    req("POST", "/v1/orders", o, {"Idempotency-Key": "k1"})
    req("POST", "/v1/orders/ext:A-1/payments", '{"status":"failed","failure_reason":"card \\"declined\\""}')
    req("POST", "/v1/orders/ext:A-1/payments", '{"status":"paid","method":"card"}')
    req("GET", "/v1/orders/ext:A-1")
    req("POST", "/v1/orders/ext:A-1/refunds", '{"external_id":"R-1","lines":[{"sku":"ACC","quantity":1}],"reason":"broken"}')
    req("GET", "/v1/orders/ext:A-1")
    for i in range(2, 5):
        req("POST", "/v1/orders", o.replace("A-1", "A-%d" % i), {"Idempotency-Key": "k%d" % i})
        req("POST", "/v1/orders/ext:A-%d/payments" % i, '{"status":"paid"}', {"Idempotency-Key": "p%d" % i})
        req("POST", "/v1/orders/ext:A-%d/payments" % i, '{"status":"paid"}', {"Idempotency-Key": "p%d" % i})
    req("GET", "/v1/orders?limit=10")
    req("POST", "/v1/orders", '{"external_id":"bad","currency":"EUR","lines":[{"sku":"X","quantity":1,"unit_price":1},{"quantity":1}],"total":1}')
    req("POST", "/v1/orders", '{"external_id":"bad","currency":"EUR","lines":[{"sku":"X","quantity":1,"unit_price":10,"discount":11}],"total":1}')
    srv.terminate(); srv.wait()
    import sqlite3
    con = sqlite3.connect(db)
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        out.append("rows %s %d" % (t, con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]))
    return "\n".join(out)
def mask(s):
    ids = {}
    def idm(m):
        return ids.setdefault(m.group(0), "%s_%d" % (m.group(1), len(ids)))
    # the secret first: one that begins with 12 letters or digits would
    # otherwise be taken for an id and shift every id after it by one
    s = re.sub(r'whsec_[A-Za-z0-9+/=]+', 'whsec_X', s)
    s = re.sub(r'\b([a-z]{2,5})_[0-9A-Za-z]{12,}\b', idm, s)
    s = re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', 'TIME', s)
    return s
a, b = mask(run(sys.argv[1])), mask(run(sys.argv[2]))
open("/tmp/retain-resp.a", "w").write(a); open("/tmp/retain-resp.b", "w").write(b)
print("identical" if a == b else "DIFFERENT", len(a), len(b))
