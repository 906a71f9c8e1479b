"""Health, metrics, request ids and the error envelope for unknown routes."""
from conftest import Api, error_of, wait_for


def test_livez_and_readyz_answer_without_a_key(server):
    api = Api(server, None)
    assert api.get("/livez").json() == {"status": "alive"}
    assert api.get("/readyz").json() == {"status": "ready"}


def test_every_response_has_a_request_id(server):
    api = Api(server, None)
    ids = {api.get("/livez").headers["Request-Id"] for _ in range(5)}
    assert len(ids) == 5 and all(i.startswith("req_") for i in ids)


def test_unknown_path_is_404_and_wrong_method_is_405(server):
    api = Api(server, None)
    r = api.get("/v1/nothing-here")
    assert r.status_code == 404
    assert error_of(r)["code"] == "resource_missing"
    r = api.request("PUT", "/v1/customers")
    assert r.status_code == 405
    assert error_of(r)["code"] == "method_not_allowed"


def test_metrics_count_requests_by_route_and_status(server, shop):
    shop.get("/v1/customers")
    shop.get("/v1/customers/cus_nope")
    # A request is counted when it has completed (libmicrohttpd's completion
    # callback, after the answer went out): the client may have read the
    # answer and asked for /metrics on another connection before that.
    metrics = Api(server, None)

    def counted():
        t = metrics.get("/metrics").text
        return t if 'route="/v1/customers/:id",status="404"' in t else None
    text = wait_for(counted, timeout=5) or metrics.get("/metrics").text
    assert 'retain_http_requests_total{method="GET",route="/v1/customers",status="200"}' in text
    assert 'retain_http_requests_total{method="GET",route="/v1/customers/:id",status="404"}' in text
    assert 'retain_http_request_duration_seconds_bucket{method="GET",route="/v1/customers",le="+Inf"}' in text
    assert "# TYPE retain_http_request_duration_seconds histogram" in text
