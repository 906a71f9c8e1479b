"""Issue 11 on several nodes: three `retain serve` processes on one
PostgreSQL database, their jobs threads running every second and
POST /v1/jobs/run fired at every node at once. A parcel's promise and a
ticket's first-response target pass once: each is marked once, writes one
event and gives one apology, however many nodes race for it."""
import time

import pytest

from conftest import PG, new_order
from loyalty_helpers import loyalty, set_program
from test_multinode_pg import nodes, rows, run_jobs, set_clocks, shop_on

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")


def events(db, shop, type):
    return rows(db, "SELECT count(*) FROM events WHERE shop_id = ? AND type = ?", shop, type)[0][0]


def test_a_late_parcel_and_a_breached_ticket_are_marked_once_across_three_nodes_issue11():
    with nodes(args=["--jobs-interval", "1"]) as cluster:
        shop, _ = shop_on(cluster)
        db, sid = cluster[0].db, shop.shop["id"]
        set_clocks(cluster, {"now": "2031-05-07T08:00:00Z"})
        set_program(shop, pending_days=0)
        for trigger in ("late_delivery", "ticket_sla_breached"):
            r = shop.post("/v1/campaigns", {"name": trigger, "type": "apology", "points": 100,
                                            "starts_at": "2031-01-01T00:00:00Z", "triggers": [trigger]})
            assert r.status_code == 201, r.text
        r = shop.post("/v1/sla_policies", {"name": "24/7", "calendar": {
            "timezone": "UTC", "weekdays": [1, 2, 3, 4, 5, 6, 7], "hours": {"start": "00:00", "end": "24:00"}},
            "targets": [{"first_response_minutes": 60, "resolution_minutes": 600}]})
        assert r.status_code == 201, r.text
        o = shop.post("/v1/orders", new_order(shop, customer={"email": "maria@example.com"},
                                              promised_delivery_at="2031-05-07T10:00:00Z")).json()
        shop.post(f"/v1/orders/{o['id']}/shipments", {"external_id": "P-1", "carrier": "FastPost"})
        t = shop.post("/v1/tickets", {"channel": "chat", "order": o["id"], "subject": "Where is it?",
                                      "body": "Still nothing."}).json()
        assert t["sla"]["first_response_due_at"] == "2031-05-07T09:00:00Z"
        set_clocks(cluster, {"now": "2031-05-07T10:30:00Z"})
        for _ in range(3):
            run_jobs(cluster)
        time.sleep(2.2)                 # every jobs thread runs twice more
        assert events(db, sid, "delivery.late") == 1
        assert events(db, sid, "ticket.sla_breached") == 1, "first response only: resolution not due"
        assert events(db, sid, "offer.issued") == 2
        assert loyalty(shop, o["customer"])["points"]["available"] == 200
