"""The layers of DESIGN.md §2, checked on the source tree (issue 9, scope 6).

Arrows point one way: api/, cli/ -> core/, analytics/ -> store/ -> base/. These
tests read src/ (comments stripped) and name the file and line that breaks a
rule, so a move that undoes the layering fails here rather than in review.
"""
import os
import re

import pytest

from conftest import ROOT

SRC = os.path.join(ROOT, "src")

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE)\b")
STATEMENT_CALL = re.compile(r"\bstore_(query|query_int|query_pairs|exec|step)\s*\(")

# What cli/ may include from api/, and why: serve mounts the route table, and
# `retain shop --json` prints the API's shop resource.
CLI_MAY_INCLUDE_FROM_API = {
    ("cmd_serve.c", "../api/routes.h"),
    ("cmd_shop.c", "../api/render.h"),
}


def sources(layer):
    directory = os.path.join(SRC, layer)
    for name in sorted(os.listdir(directory)):
        if name.endswith((".c", ".h")):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                text = f.read()
            # Comments go; newlines stay, so line numbers still point right.
            yield name, COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def includes(layer):
    for name, text in sources(layer):
        for m in INCLUDE.finditer(text):
            yield name, line_of(text, m.start()), m.group(2)


def sql_in(layer):
    found = []
    for name, text in sources(layer):
        for m in STRING.finditer(text):
            if SQL.search(m.group(0)) or "idempotency_keys" in m.group(0):
                found.append(f"{layer}/{name}:{line_of(text, m.start())}: {m.group(0)[:60]}")
        for m in STATEMENT_CALL.finditer(text):
            found.append(f"{layer}/{name}:{line_of(text, m.start())}: {m.group(0)}")
    return found


def test_the_cli_includes_from_api_only_the_route_table_and_the_resource_renderers():
    seen = {(name, path) for name, _, path in includes("cli") if path.startswith("../api/")}
    assert seen <= CLI_MAY_INCLUDE_FROM_API, sorted(seen - CLI_MAY_INCLUDE_FROM_API)


def test_the_renderers_the_cli_shares_include_no_http():
    for header in ("render.h", "render.c"):
        with open(os.path.join(SRC, "api", header), encoding="utf-8") as f:
            text = COMMENT.sub("", f.read())
        paths = [m.group(2) for m in INCLUDE.finditer(text)]
        assert not [p for p in paths if "http" in p or "microhttpd" in p], (header, paths)


@pytest.mark.parametrize("layer", ["http", "api"])
def test_http_and_api_write_no_sql(layer):
    assert sql_in(layer) == []


def test_the_idempotency_table_is_named_only_by_the_store():
    outside = []
    for layer in ("base", "core", "analytics", "http", "api", "cli"):
        outside += [hit for hit in sql_in(layer) if "idempotency_keys" in hit]
    assert outside == []


@pytest.mark.parametrize("layer", ["core", "analytics"])
def test_core_and_analytics_include_nothing_above_them(layer):
    above = [(name, line, path) for name, line, path in includes(layer)
             if path.startswith(("../api/", "../http/", "../cli/", "../web/")) or
             path == "microhttpd.h"]
    assert above == []


def test_core_includes_no_json_library():
    assert [(n, l, p) for n, l, p in includes("core") if p == "jansson.h"] == []


def test_the_store_includes_no_layer_above_it():
    above = [(name, line, path) for name, line, path in includes("store")
             if not path.startswith("../base/") and path.startswith("../")]
    assert above == []


def test_only_the_jobs_table_runs_the_ledger_jobs():
    callers = []
    for layer in ("core", "analytics", "http", "api", "cli"):
        for name, text in sources(layer):
            if re.search(r"\bledger_run_jobs\s*\(", text) and (layer, name) not in {
                    ("core", "ledger.c"), ("core", "ledger.h"), ("core", "jobs.c")}:
                callers.append(f"{layer}/{name}")
    assert callers == []
