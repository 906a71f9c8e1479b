"""Regression tests for issue 8 (review): a command that needs an existing
database uses it as it is. It never migrates it (a read such as `retain check`
writes nothing, and `import --dry-run` writes nothing), and it refuses a file
that holds no retain schema, an empty one among them, untouched, with exit 2.
Only serve, migrate, demo and shop create set a database up."""
import hashlib
import os
import sqlite3
import subprocess

import pytest

from conftest import BIN

READERS = [["check"], ["jobs", "run"], ["shop", "list"], ["report", "retention", "--shop", "shop_x"],
           ["shop", "rotate-keys", "shop_x"]]


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, RETAIN_OPERATOR_KEY="op_" + "t" * 40))


def digest(path):
    out = []
    for p in (path, path + "-wal"):
        if os.path.exists(p):
            with open(p, "rb") as f:
                out.append(hashlib.sha256(f.read()).hexdigest())
    return out


@pytest.mark.parametrize("cmd", READERS)
@pytest.mark.parametrize("content,says", [(b"", "an empty file"), (b"hello, not a database\n", "another kind"),
                                          (b"SQLite format 3", "an empty file")])
def test_a_file_that_is_no_retain_database_is_refused_untouched_issue8(tmp_path, cmd, content, says):
    db = tmp_path / "x.db"
    db.write_bytes(content)
    r = run(*cmd, "--db", str(db))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert str(db) in r.stderr and "not a retain database" in r.stderr
    assert db.read_bytes() == content and not os.path.exists(str(db) + "-wal")


@pytest.mark.parametrize("cmd", READERS)
def test_a_sqlite_file_without_retain_schema_is_refused_issue8(tmp_path, cmd):
    db = str(tmp_path / "other.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (t TEXT)")
    con.commit()
    con.close()
    before = digest(db)
    r = run(*cmd, "--db", db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "holds no retain schema" in r.stderr
    assert digest(db) == before


@pytest.mark.parametrize("cmd", READERS)
def test_an_older_schema_is_not_migrated_by_a_command_that_only_uses_it_issue8(tmp_path, cmd):
    db = str(tmp_path / "shop.db")
    assert run("migrate", "--db", db).returncode == 0
    con = sqlite3.connect(db)
    latest = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    con.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    # (the one before: numbers may have gaps, a migration landing later)
    previous = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    con.commit()
    con.close()
    before = digest(db)
    r = run(*cmd, "--db", db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert f"schema version {previous}" in r.stderr and '"retain migrate"' in r.stderr
    assert digest(db) == before
    con = sqlite3.connect(db)                 # as it was: usable again
    con.execute("INSERT INTO schema_migrations VALUES (?, 'back', 0)", (latest,))
    con.commit()
    con.close()
    assert run("check", "--db", db).returncode == 0


def test_a_newer_schema_is_refused_issue8(tmp_path):
    db = str(tmp_path / "shop.db")
    assert run("migrate", "--db", db).returncode == 0
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    con.commit()
    con.close()
    r = run("check", "--db", db)
    assert r.returncode == 2 and "newer than this retain" in r.stderr, r.stderr
