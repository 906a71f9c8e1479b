"""Regression tests for issue 8: every server-wide setting has a range or a set
of accepted values.

A value outside it is refused before anything starts (exit 2), from a flag,
the environment or a config file alike, with a message that names the
setting, where the value came from and the value; a secret is never echoed.
Values at the ends of each range are accepted.
"""
import os
import subprocess

import pytest

from conftest import BIN, OPERATOR_KEY

ENV = {k: v for k, v in os.environ.items() if not k.startswith("RETAIN_")}

BAD = [
    ("key-grace-hours", "99999"),
    ("key-grace-hours", "2161"),
    ("key-grace-hours", "-1"),
    ("log-level", "loud"),
    ("log-level", "INFO"),
    ("log-level", ""),
    ("access-log", "7"),
    ("access-log", "yes"),
    ("listen", "127.0.0.1:99999"),
    ("listen", "127.0.0.1:65536"),
    ("listen", "127.0.0.1:"),
    ("listen", "127.0.0.1:80x"),
    ("listen", "300.0.0.1:8080"),
    ("listen", "nowhere"),
    ("threads", "100000"),
    ("threads", "1025"),
    ("threads", "+4"),
    ("body-limit", "0"),
    ("body-limit", "1023"),
    ("body-limit", "67108865"),
    ("drain-seconds", "3601"),
    ("jobs-interval", "86401"),
    ("jobs-interval", "1e3"),
    ("idempotency-retention-hours", "0"),
    ("test-clock", "5"),
    ("test-clock", "maybe"),
    ("db", ""),
]

GOOD = [
    ("key-grace-hours", "0"), ("key-grace-hours", "2160"),
    ("log-level", "debug"), ("log-level", "error"),
    ("access-log", "0"), ("listen", "localhost:0"), ("listen", "0.0.0.0:65535"),
    ("threads", "0"), ("threads", "1024"),
    ("body-limit", "1024"), ("body-limit", "67108864"),
    ("drain-seconds", "0"), ("drain-seconds", "3600"),
    ("jobs-interval", "0"), ("jobs-interval", "86400"),
    ("test-clock", "true"), ("test-clock", "0"),
]


def env_name(option):
    return "RETAIN_" + option.upper().replace("-", "_")


def serve(tmp_path, source, option, value):
    """`retain serve --print-config` with option=value given by source."""
    args, env = [BIN, "serve", "--db", str(tmp_path / "r.db"), "--print-config"], dict(ENV)
    if source == "flag":
        args += [f"--{option}={value}"]
        where = f"--{option}"
    elif source == "env":
        env[env_name(option)] = value
        where = env_name(option)
    else:
        conf = tmp_path / "retain.conf"
        conf.write_text(f"# settings\n{option} = {value}\n")
        args += ["--config", str(conf)]
        where = f"{conf}:2"
    if option == "db":
        args[2:4] = []
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=20), where


@pytest.mark.parametrize("source", ["flag", "env", "file"])
@pytest.mark.parametrize("option,value", BAD)
def test_a_setting_out_of_its_range_is_refused_naming_option_source_and_value_issue8(
        tmp_path, source, option, value):
    r, where = serve(tmp_path, source, option, value)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert f'{where}: "{option}" must' in r.stderr, r.stderr
    if value:
        assert f'"{value}"' in r.stderr


@pytest.mark.parametrize("option,value", GOOD)
def test_a_setting_at_the_ends_of_its_range_is_accepted_issue8(tmp_path, option, value):
    r, _ = serve(tmp_path, "flag", option, value)
    assert r.returncode == 0, r.stderr
    shown = {"true": "1"}.get(value, value)
    assert f"{option} = {shown}" in r.stdout.splitlines()


@pytest.mark.parametrize("source", ["flag", "env", "file"])
@pytest.mark.parametrize("key", ["op_short", "sk_" + "x" * 40, "x" * 30])
def test_a_bad_operator_key_is_refused_without_echoing_it_issue8(tmp_path, source, key):
    r, where = serve(tmp_path, source, "operator-key", key)
    assert r.returncode == 2
    assert f'{where}: "operator-key" must' in r.stderr
    assert key not in r.stderr and key not in r.stdout


@pytest.mark.parametrize("hours", ["99999", "2161", "1000000"])
def test_a_server_with_a_grace_beyond_the_api_limit_does_not_start_issue8(tmp_path, hours):
    """The API's rotate_keys takes the default unchecked: it must be in range."""
    env = dict(ENV, RETAIN_OPERATOR_KEY=OPERATOR_KEY)
    r = subprocess.run([BIN, "serve", "--db", str(tmp_path / "r.db"), "--listen", "127.0.0.1:0",
                        "--key-grace-hours", hours], capture_output=True, text=True, env=env,
                       timeout=20)
    assert r.returncode == 2
    assert f'--key-grace-hours: "key-grace-hours" must be an integer from 0 to 2160, not "{hours}"' \
        in r.stderr
