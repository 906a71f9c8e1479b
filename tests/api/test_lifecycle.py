"""Process life: graceful drain on SIGTERM, configuration, the test clock."""
import os
import signal
import subprocess
import threading
import time

from conftest import BIN, OPERATOR_KEY, Api, Server, error_of, make_shop, new_order, on_pg_skip


def test_sigterm_finishes_requests_in_flight_and_exits_0(fresh_server):
    srv = fresh_server.start()
    shop = make_shop(Api(srv, OPERATOR_KEY))
    results = []

    def client():
        api = Api(srv, shop.key)
        for i in range(50):
            try:
                results.append(api.post("/v1/orders", new_order(api)).status_code)
            except Exception:
                results.append("refused")
                return

    t = threading.Thread(target=client)
    t.start()
    time.sleep(0.1)
    rc = fresh_server.stop(signal.SIGTERM)
    t.join()
    assert rc == 0
    assert all(code in (201, "refused") for code in results), results
    assert '"msg":"stopped"' in fresh_server.logtext()


def test_print_config_shows_flags_over_env_over_file_and_hides_secrets(tmp_path):
    cfg = tmp_path / "retain.conf"
    cfg.write_text("# a comment\nlisten = 127.0.0.1:9001\nthreads = 3\nbody-limit = 2048\n")
    env = dict(os.environ, RETAIN_THREADS="5", RETAIN_OPERATOR_KEY=OPERATOR_KEY)
    out = subprocess.run([BIN, "serve", "--config", str(cfg), "--body-limit", "4096", "--print-config"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert "listen = 127.0.0.1:9001" in out      # file
    assert "threads = 5" in out                  # env beats file
    assert "body-limit = 4096" in out            # flag beats env and file
    assert "operator-key = (set, hidden)" in out and OPERATOR_KEY not in out


def test_bad_configuration_is_refused_with_a_clear_message(tmp_path):
    cfg = tmp_path / "bad.conf"
    cfg.write_text("colour = green\n")
    r = subprocess.run([BIN, "serve", "--config", str(cfg)], capture_output=True, text=True)
    assert r.returncode != 0 and 'unknown setting "colour"' in r.stderr
    r = subprocess.run([BIN, "serve", "--threads", "many", "--print-config"], capture_output=True, text=True)
    assert r.returncode == 2 and "threads" in r.stderr
    r = subprocess.run([BIN, "serve", "--listen", "nowhere", "--db", str(tmp_path / "x.db")],
                       capture_output=True, text=True, env=dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY))
    assert r.returncode != 0 and "--listen" in r.stderr


@on_pg_skip("the operator key must be given (no file beside the database);"
            " test_store_pg.py tests the refusal")
def test_the_operator_key_is_generated_into_a_private_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RETAIN_OPERATOR_KEY"}
    srv = Server(str(tmp_path))
    srv.env = env
    srv.start()
    try:
        path = srv.db + ".operator-key"
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        key = open(path).read().strip()
        assert key.startswith("op_")
        assert Api(srv, key).get("/v1/shops").status_code == 200
    finally:
        assert srv.stop() == 0


def test_the_test_clock_is_refused_without_the_flag(tmp_path):
    srv = Server(str(tmp_path))
    srv.start()  # started with --test-clock by the harness
    try:
        op = Api(srv, OPERATOR_KEY)
        r = op.post("/v1/test/clock", {"now": "2031-05-01T00:00:00Z"})
        assert r.json()["now"] == "2031-05-01T00:00:00Z"
        shop = make_shop(op)
        o = shop.post("/v1/orders", new_order(shop)).json()
        assert o["placed_at"] == "2031-05-01T00:00:00Z"
        assert op.post("/v1/test/clock", {"advance_seconds": 60}).json()["now"] == "2031-05-01T00:01:00Z"
        assert op.post("/v1/test/clock", {}).status_code == 400
        assert shop.post("/v1/test/clock", {"advance_seconds": 1}).status_code == 403
    finally:
        assert srv.stop() == 0
    plain = subprocess.Popen([BIN, "serve", "--db", srv.db, "--listen", f"127.0.0.1:{srv.port}"],
                             env=dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        api = Api(srv, OPERATOR_KEY)
        for _ in range(100):
            try:
                api.get("/livez")
                break
            except Exception:
                time.sleep(0.05)
        r = api.post("/v1/test/clock", {"now": "2031-05-01T00:00:00Z"})
        assert r.status_code == 403 and error_of(r)["code"] == "test_clock_disabled"
    finally:
        plain.send_signal(signal.SIGTERM)
        assert plain.wait(timeout=30) == 0
