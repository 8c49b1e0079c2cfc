"""Addresses are forgiving where users are (#12.7): `HOST:PORT` works wherever a URL is
expected (as `gameday proxy --admin` takes it), and anything else is refused at validate
time, never by an HTTP client at run time."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from gameday.demo.stack import free_ports
from gameday.errors import TransientError
from gameday.spec.formats import HttpUrl, PlainHttpUrl
from gameday.targets.local.proxy_faults import admin_call
from gameday.validate import load
from tests.conftest import ROOT

URL = TypeAdapter(HttpUrl)
FIXTURES = ROOT / "tests" / "data" / "schema"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("127.0.0.1:9100", "http://127.0.0.1:9100"),
        ("localhost:9001/RPC2", "http://localhost:9001/RPC2"),
        ("[::1]:80/x", "http://[::1]:80/x"),
        ("https://prom.example:443/api?x=1", "https://prom.example:443/api?x=1"),
        ("http://user:secret@store:8080/records", "http://user:secret@store:8080/records"),
    ],
)
def test_addresses_users_write_are_understood(written: str, meant: str) -> None:
    assert URL.validate_python(written) == meant


@pytest.mark.parametrize(
    "written", ["9100", "127.0.0.1", "ftp://x:21", "http://a:65536", "http://a:0", " a:1", ""]
)
def test_other_addresses_are_refused_with_the_forms_that_work(written: str) -> None:
    with pytest.raises(ValidationError) as caught:
        URL.validate_python(written)
    assert "or just `HOST:PORT`, e.g. `127.0.0.1:9100`" in str(caught.value)


def test_plain_http_refuses_https() -> None:
    assert TypeAdapter(PlainHttpUrl).validate_python("store:80") == "http://store:80"
    with pytest.raises(ValidationError):
        TypeAdapter(PlainHttpUrl).validate_python("https://store:443")


def test_scenario_with_bare_addresses_loads_with_full_urls() -> None:
    s = load(FIXTURES / "valid" / "bare-addresses.yaml")
    assert s.fault.params.admin == "http://127.0.0.1:9100"  # type: ignore[union-attr]
    assert s.target.params.supervisor == "http://127.0.0.1:9001"  # type: ignore[union-attr]
    assert s.steady_state.probes[0].params.url == "http://127.0.0.1:1/"  # type: ignore[union-attr]
    assert s.prometheus is not None and s.prometheus.url == "http://prometheus.example:9090"  # type: ignore[union-attr]


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[str]:
    """A real `gameday proxy`, started with `--admin HOST:PORT` as the docs show."""
    admin, listen, upstream = free_ports(3)
    gameday = str(Path(sys.executable).with_name("gameday"))
    route = f"web={listen}:127.0.0.1:{upstream}"
    process = subprocess.Popen(
        [gameday, "proxy", "--admin", f"127.0.0.1:{admin}", "--route", route],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"127.0.0.1:{admin}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_admin_address_as_given_to_the_proxy_reaches_it(proxy: str) -> None:
    admin = URL.validate_python(proxy)  # what the latency fault's params hold
    deadline = time.monotonic() + 10
    while True:
        try:
            routes = admin_call(admin, "GET", "/routes")
            break
        except TransientError:  # the proxy is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert "web" in str(routes)
