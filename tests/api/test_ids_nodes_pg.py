"""Issue 9: the ids of several nodes on one PostgreSQL database never meet.
An id's last 30 bits were random, so two nodes each making ~10k ids a second
would have made the same id (a 409 or a failed write) every few hours. Each
node now leases its own node number when it opens the database (the next of
migration 024's sequence whose advisory lock no live process holds;
src/store/pg.c claim_node_number) and every id it makes carries it.
Needs the PostgreSQL pass of `make test` (RETAIN_TEST_PG)."""
import json
import os
import tempfile
import time

import pytest

from conftest import (OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db, make_shop,
                      new_order)
from test_multinode_pg import nodes

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " node numbers come from the database's sequence")

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def node_of(id_):
    """The node number an id carries: bits 18-29 of its last six characters."""
    v = 0
    for ch in id_[-6:]:
        v = v * 32 + CROCKFORD.index(ch)
    return v >> 18


def listening_node(server, starts=1):
    """The node number of the server's last "listening" line (written just
    after the daemon starts answering, so it may lag /livez a moment)."""
    for _ in range(100):
        with open(os.path.join(server.dir, "server.log"), encoding="utf-8") as f:
            lines = [l for l in f if l.startswith("{") and '"listening"' in l]
        if len(lines) >= starts:
            return json.loads(lines[-1])["node"]
        time.sleep(0.02)
    raise AssertionError("no listening line: " + server.logtext())


def test_ids__three_nodes_on_one_database_carry_three_node_numbers_issue9():
    with nodes(3) as cluster:
        numbers = [listening_node(n) for n in cluster]
        # drawn one after the other from the database's sequence, not at random
        last = connect_db(cluster[0].db).execute("SELECT last_value FROM node_numbers").fetchall()
        assert sorted(numbers) == [last[0][0] - 2, last[0][0] - 1, last[0][0]], (numbers, last)
        shop = make_shop(Api(cluster[0], OPERATOR_KEY))
        for node, number in zip(cluster, numbers):
            api = Api(node, shop.shop["secret_key"])
            order = api.post("/v1/orders", new_order(api))
            assert order.status_code == 201, order.text
            body = order.json()
            assert node_of(body["id"]) == number, (body["id"], number)
            assert node_of(body["customer"]) == number, (body["customer"], number)


def test_ids__a_restarted_node_draws_a_new_number_issue9():
    with tempfile.TemporaryDirectory() as d:
        node = Server(d).start()
        try:
            first = listening_node(node)
            assert node.stop() == 0
            node.start()
            second = listening_node(node, starts=2)
        finally:
            check_clean_exit(node)
    assert second == first + 1, (first, second)


def test_ids__a_number_that_came_round_is_skipped_while_its_node_runs_issue9():
    """After 4,096 opens the sequence names a live node's number again: the
    new node takes the next free one instead (two live nodes sharing one
    made the same id every few seconds at ~10 ids/ms each)."""
    with nodes(1) as cluster:
        first = listening_node(cluster[0])
        db = cluster[0].db
        connect_db(db).execute(f"SELECT setval('node_numbers', {first + 4096 - 1})")
        with tempfile.TemporaryDirectory() as d:
            other = Server(d)
            other.db = db
            other.start()
            try:
                assert listening_node(other) == (first + 1) % 4096, (first, listening_node(other))
            finally:
                check_clean_exit(other)
        # the number of a node that stopped is free again
        connect_db(db).execute(f"SELECT setval('node_numbers', {first + 4096 - 1})")
        with tempfile.TemporaryDirectory() as d:
            again = Server(d)
            again.db = db
            again.start()
            try:
                assert listening_node(again) == (first + 1) % 4096
            finally:
                check_clean_exit(again)
