#!/usr/bin/env python3
"""bench/instructions.py BIN LOAD N [OUT]: instructions per request of `retain serve`
under valgrind's callgrind, which load on a shared machine does not move.

LOAD is `orders` (bench/orders.lua's bodies: one new guest in four once the first
997 customers exist) or `paid` (bench/orders_paid.lua's: an order and its payment,
500 members), on a fresh database with bench/run's programme. WARM requests (env,
default 1000) first, then the counters are zeroed, N requests are sent one at a
time (so every write is a batch of one: no group commit) and the counters dumped
to OUT.1 (default /tmp/retain-callgrind.out.1; read it with callgrind_annotate).
Prints the instructions per order or paid order, also without the reader
connections a thread opened during the count (conn_open: schema parsing, once per
thread). Counts memset/memcpy as valgrind does (a `rep stos` counts per byte
block), which overstates them against the CPU's time.
"""
import atexit, http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time

binary, load, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.argv[4] if len(sys.argv) > 4 else "/tmp/retain-callgrind.out"
warm = int(os.environ.get("WARM", "1000"))
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
db = tmp + "/r.db"
sk = json.loads(subprocess.check_output([binary, "shop", "create", "Bench", "--db", db, "--json"]))["secret_key"]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
srv = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        "--dump-instr=no", binary, "serve", "--db", db, "--listen",
                        "127.0.0.1:%d" % port, "--access-log", "0"],
                       env=dict(os.environ, RETAIN_OPERATOR_KEY="op_benchbenchbenchbenchbench"),
                       stderr=subprocess.DEVNULL)
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port); c.request("GET", "/livez"); c.getresponse().read(); break
    except OSError:
        time.sleep(0.1)
H = {"Authorization": "Bearer " + sk, "Content-Type": "application/json"}

def req(method, path, body):
    c.request(method, path, body, H); r = c.getresponse(); text = r.read()
    assert r.status < 300, (r.status, text)

req("PUT", "/v1/program", '{"earn":{"points_per_unit":1,"multipliers":[{"type":"category",'
    '"value":"green tea","percent":150}]},"pending_days":14,"expiry":{"policy":"days","n":365},'
    '"tiers":{"levels":[{"name":"silver","threshold":200,"earn_percent":125}]},'
    '"milestones":[{"type":"every","n":5,"gift":"surprise"}]}')
counter = 0

def one():
    global counter
    counter += 1
    if load == "orders":
        who = "bench-1-%d@example.com" % (counter if counter % 4 == 0 else counter % 997)
        req("POST", "/v1/orders", '{"external_id":"B-%d","customer":{"email":"%s"},"currency":"EUR",'
            '"lines":[{"sku":"TEA-SENCHA","quantity":2,"unit_price":1290},{"sku":"ACC-FILTER",'
            '"quantity":1,"unit_price":390,"discount":40}],"shipping":490,"total":3420,'
            '"channel":"web"}' % (counter, who))
    else:
        ext = "E-%d" % counter
        req("POST", "/v1/orders", '{"external_id":"%s","customer":{"email":"earn-1-%d@example.com"},'
            '"currency":"EUR","lines":[{"sku":"TEA-SENCHA","category":"green tea","quantity":2,'
            '"unit_price":1290},{"sku":"ACC-FILTER","quantity":1,"unit_price":390,"discount":40}],'
            '"shipping":490,"total":3420,"channel":"web"}' % (ext, counter % 500))
        req("POST", "/v1/orders/ext:%s/payments" % ext, '{"status":"paid"}')

for _ in range(warm):
    one()
time.sleep(0.5)
subprocess.check_call(["callgrind_control", "-z", str(srv.pid)], stdout=subprocess.DEVNULL)
for _ in range(n):
    one()
subprocess.check_call(["callgrind_control", "-d", str(srv.pid)], stdout=subprocess.DEVNULL)
srv.terminate(); srv.wait()
if os.path.exists(out):
    os.remove(out)	# what shutdown ran
total = next(int(l.split()[1]) for l in open(out + ".1") if l.startswith(("summary:", "totals:")))
ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", out + ".1"], capture_output=True,
                     text=True).stdout
opened = sum(int(m.group(1).replace(",", "")) for m in
             re.finditer(r"^\s*([\d,]+) \(\s*[\d.]+%\)  \S*:conn_open ", ann, re.M))
what = "paid order" if load == "paid" else "order"
print("%s %s: %d instructions per %s (%d without conn_open), over %d" %
      (binary, load, total // n, what, (total - opened) // n, n))
