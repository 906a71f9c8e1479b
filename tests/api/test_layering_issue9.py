"""The layers of DESIGN.md §2, checked on the source tree (issue 9, scope 6).

Arrows point one way: api/, cli/ -> core/, analytics/ -> store/ -> base/, with
render/ (the resource shapes both api/ and cli/ print) beside them. These
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


def test_the_cli_includes_nothing_from_api():
    """serve is handed the route table by main.c; the shop's JSON is render/'s."""
    assert [(n, l, p) for n, l, p in includes("cli") if "api/" in p] == []


def test_the_renderers_the_cli_shares_include_only_core_and_base():
    outside = [(n, l, p) for n, l, p in includes("render")
               if p.startswith("../") and not p.startswith(("../core/", "../base/"))
               or p == "microhttpd.h"]
    assert outside == []
    # (and they are what both sides use: the shop the CLI prints is the API's)
    users = {layer for layer in ("api", "cli") for _, _, p in includes(layer)
             if p == "../render/render.h"}
    assert users == {"api", "cli"}


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
             if path.startswith(("../api/", "../http/", "../cli/", "../web/", "../render/")) or
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
