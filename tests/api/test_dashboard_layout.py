"""The dashboard's place in the layers (issue 14, DESIGN.md §2): web/ uses
core/ and analytics/ like api/ does, writes no SQL, includes nothing of
api/, and escapes HTML in one function (web/html.c)."""
import os
import re

from test_layering_issue9 import includes, sources, sql_in

from conftest import ROOT


def test_web_includes_nothing_from_api_or_cli():
    assert [(n, l, p) for n, l, p in includes("web") if "api/" in p or "cli/" in p] == []


def test_web_writes_no_sql():
    assert sql_in("web") == []


def test_html_is_escaped_by_one_function():
    found = []
    for name, text in sources("web"):
        if name != "html.c" and re.search(r"&(lt|gt|quot|#39);", text):
            found.append(name)
    assert found == []
    with open(os.path.join(ROOT, "src", "web", "html.h"), encoding="utf-8") as f:
        assert "void html_text(struct buf *b, const char *s);" in f.read()


def test_the_api_does_not_know_the_dashboard():
    assert [(n, l, p) for n, l, p in includes("api") if "web/" in p] == []
