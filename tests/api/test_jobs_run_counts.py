"""POST /v1/jobs/run reports what each job did: the reservation, late
delivery and SLA breach counts were read but never added to the run's answer
(found by the issue 13 webhooks work)."""
from conftest import OPERATOR_KEY, Api, make_shop
from loyalty_helpers import set_clock

POLICY = {"name": "Around the clock",
          "calendar": {"timezone": "UTC", "weekdays": [1, 2, 3, 4, 5, 6, 7],
                       "hours": {"start": "00:00", "end": "24:00"}},
          "targets": [{"first_response_minutes": 60, "resolution_minutes": 6000}]}


def test_jobs_run__the_answer_counts_the_sla_breaches_it_marked(fresh_server):
    fresh_server.extra_args = ["--jobs-interval", "0"]       # no jobs thread: only these runs
    fresh_server.start()
    op = Api(fresh_server, OPERATOR_KEY)
    set_clock(op, "2031-05-07T08:00:00Z")
    shop = make_shop(op)
    assert shop.post("/v1/sla_policies", POLICY).status_code == 201, "policy"
    for who in ("a@example.com", "b@example.com"):
        r = shop.post("/v1/tickets", {"channel": "email", "customer": {"email": who},
                                      "subject": "Where is my tea?", "body": "Ordered last week."})
        assert r.status_code == 201, r.text
    moved = op.post("/v1/test/clock", {"now": "2031-05-07T10:00:00Z"})   # the move runs the jobs
    assert moved.status_code == 200 and moved.json()["jobs"]["sla_breaches"] == 2, moved.text
    again = op.post("/v1/jobs/run").json()
    assert again["object"] == "job_run" and again["sla_breaches"] == 0, again
    assert "reservations_released" in again and "late_deliveries" in again
