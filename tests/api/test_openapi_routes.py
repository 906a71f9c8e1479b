"""docs/openapi.yaml describes every route of src/api/routes.c and nothing else.

The route table's rows are `{ "METHOD", "/path/:param", handler, flags }`; the
spec's operations are the method keys under each path of its `paths:` section.
A path parameter `:id` of the table is `{id}` in the spec. The spec is read
with a small reader of its own (scripts/setup installs no YAML parser); where
python3-yaml happens to be installed, a second test checks that the reader
finds the same operations as a real YAML parser.
"""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROUTES = os.path.join(ROOT, "src", "api", "routes.c")
SPEC = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")

ROW = re.compile(r'^\s*\{\s*"([A-Z]+)"\s*,\s*"(/[^"]*)"', re.M)
PATH_KEY = re.compile(r"^  (/\S*?)\s*:\s*(#.*)?$")
METHOD_KEY = re.compile(r"^    (" + "|".join(METHODS) + r")\s*:")
TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def table_routes(text):
    """(METHOD, /path/{param}) of every row of the route table."""
    body = text[text.index("api_routes[]"):]
    return {(method, re.sub(r":(\w+)", r"{\1}", path)) for method, path in ROW.findall(body)}


def spec_operations(text):
    """(METHOD, /path) of every operation under the spec's top-level `paths:`."""
    ops, path, inside = set(), None, False
    for line in text.splitlines():
        if TOP_KEY.match(line):
            inside = line.split(":", 1)[0] == "paths"
            path = None
            continue
        if not inside:
            continue
        m = PATH_KEY.match(line)
        if m:
            path = m.group(1).strip("\"'")
            continue
        m = METHOD_KEY.match(line)
        if m and path:
            ops.add((m.group(1).upper(), path))
    return ops


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_openapi__every_route_is_described_and_every_described_operation_is_a_route():
    routes, ops = table_routes(read(ROUTES)), spec_operations(read(SPEC))
    assert len(routes) > 50 and len(ops) > 50, "the readers found too little: their patterns are stale"
    undocumented = sorted(routes - ops, key=lambda r: (r[1], r[0]))
    unrouted = sorted(ops - routes, key=lambda r: (r[1], r[0]))
    lines = ["routes of src/api/routes.c missing from docs/openapi.yaml:"]
    lines += [f"  {m} {p}" for m, p in undocumented] or ["  (none)"]
    lines += ["operations of docs/openapi.yaml with no route in src/api/routes.c:"]
    lines += [f"  {m} {p}" for m, p in unrouted] or ["  (none)"]
    assert not undocumented and not unrouted, "\n".join(lines)


def test_openapi__the_small_reader_finds_what_a_yaml_parser_finds():
    yaml = pytest.importorskip("yaml", reason="python3-yaml is not installed (scripts/setup does not need it)")
    doc = yaml.safe_load(read(SPEC))
    parsed = {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in METHODS}
    assert spec_operations(read(SPEC)) == parsed


def test_openapi__the_readers_map_table_params_and_ignore_what_is_not_an_operation():
    table = 'const struct route api_routes[] = {\n\t{ "GET", "/v1/coupons/codes/:code", h, SHOP },\n' \
            '\t{ "POST", "/v1/shops/:id/rotate_keys", h,\n\t  OPERATOR },\n};\n'
    assert table_routes(table) == {("GET", "/v1/coupons/codes/{code}"),
                                   ("POST", "/v1/shops/{id}/rotate_keys")}
    spec = ("paths:\n  /v1/a/{id}:\n    parameters: [{$ref: x}]\n    get:\n      summary: a\n"
            "      responses:\n        post: {}\n  /v1/b:\n    patch:\n      x: 1\n"
            "components:\n  /v1/c:\n    get: {}\n")
    assert spec_operations(spec) == {("GET", "/v1/a/{id}"), ("PATCH", "/v1/b")}
