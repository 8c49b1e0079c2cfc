"""OpenSLO -> gameday SLOs, from documents written as the OpenSLO spec and Sloth's docs
show them. What maps, what does not (and says so), and that the result is a valid
scenario. The Sloth file is also checked by Sloth itself when it is built (see
test_sloth_accepts_the_v1alpha_document)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from gameday.interop.openslo import import_slos, read_documents, selector
from gameday.validate import load
from tests.cli.helpers import gameday
from tests.conftest import DATA, ROOT

V1, SLOTH = DATA / "interop" / "openslo-v1.yaml", DATA / "interop" / "sloth-v1alpha.yaml"
SLOTH_BIN = Path.home() / ".cache" / "gameday" / "sloth-0.16.0" / "sloth"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            'sum(gameday_demo_requests_total{code!~"5.."})',
            'gameday_demo_requests_total{code!~"5.."}',
        ),
        ('sum by (job) (rate(x_total{job="a"}[5m]))', 'x_total{job="a"}'),
        ("sum(rate(x_total[{{.window}}]))", "x_total"),
        ('increase(x_total{a="b"}[1h])', 'x_total{a="b"}'),
        ("x_total", "x_total"),
        ("sum(rate(a_total[5m])) / 2", None),
        ("sum_over_time((count(x > 1))[{{.window}}:])", None),
        ("histogram_quantile(0.9, sum by (le) (rate(h_bucket[1m])))", None),
    ],
)
def test_selector_inside_a_query(query: str, expected: str | None) -> None:
    assert selector(query) == expected


def test_openslo_v1() -> None:
    result = import_slos(read_documents([V1]))
    slos = {s["name"]: s for s in result.document["slo"]}
    assert slos["Front end availability"] == {
        "name": "Front end availability",
        "sli": {
            "type": "counter-ratio",
            "good": 'gameday_demo_requests_total{code!~"5.."}',
            "total": "gameday_demo_requests_total",
        },
        "availability": "99.5%",
    }
    assert slos["Store error ratio"]["sli"] == {
        "type": "counter-ratio",
        "errors": 'gameday_demo_requests_total{job="store",code=~"5.."}',
        "total": 'gameday_demo_requests_total{job="store"}',
    }
    assert slos["Store error ratio"]["availability"] == "99%"  # targetPercent: 99
    latency = slos["p95 under 500ms"]
    assert latency["sli"]["type"] == "promql" and latency["threshold"] == {"below": 0.5}
    assert len(slos) == 3  # the Datadog SLO is not imported...
    unmapped = "\n".join(result.unmapped)
    for said in (  # ...and everything left out is said
        "Datadog source",
        "checkout-datadog: not imported",
        "Timeslices budgeting",
        "time window [{'duration': '28d', 'isRolling': True}]",
        "target 0.99 (share of good time) not mapped",
    ):
        assert said in unmapped, said


def test_sloth_v1alpha() -> None:
    result = import_slos(read_documents([SLOTH]))
    requests, wifi = result.document["slo"]
    assert requests == {
        "name": "Requests Availability",
        "sli": {
            "type": "counter-ratio",
            "good": 'http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}',
            "total": 'http_request_duration_seconds_count{job="myservice"}',
        },
        "availability": "99.9%",
    }
    assert wifi["sli"]["type"] == "promql" and "{{.window}}" not in wifi["sli"]["expr"]
    assert "[1m:]" in wifi["sli"]["expr"] and wifi["threshold"] == {"above": 0.95}
    assert any("{{.window}} replaced by 1m" in u for u in result.unmapped)
    assert any("count': 30" in u for u in result.unmapped)  # the 30-day window
    assert not any("indicatorRef" in u for u in result.unmapped)  # nothing spurious
    assert len(result.unmapped) == 4


def test_imported_slos_make_a_valid_scenario(tmp_path: Path) -> None:
    """`gameday import openslo --into` a real scenario: the result validates."""
    scenario = tmp_path / "frontend.yaml"
    source = yaml.safe_load((ROOT / "scenarios/local/frontend-latency.yaml").read_text())
    source["prometheus"] = {"url": "http://127.0.0.1:9090"}
    scenario.write_text(yaml.safe_dump(source))
    out = tmp_path / "with-openslo.yaml"
    done = gameday(
        "import", "openslo", str(V1), str(SLOTH), "--into", str(scenario), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert "not mapped" in done.stderr and "Datadog" in out.read_text()  # said in both places
    loaded = load(out)
    names = [s.name for s in loaded.slos]  # type: ignore[union-attr]
    assert "Front end availability" in names and "Requests Availability" in names
    assert len(names) == 2 + 5  # the scenario's own two, and five imported


def test_not_openslo_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("apiVersion: gameday/v1\nkind: Scenario\n")
    done = gameday("import", "openslo", str(bad))
    assert done.returncode == 2 and f"{bad}" in done.stderr and "not an OpenSLO" in done.stderr


def test_sloth_accepts_the_v1alpha_document(tmp_path: Path) -> None:
    """The upstream tool reads the Sloth test document (so it is written as Sloth wants)."""
    if not SLOTH_BIN.is_file():
        pytest.fail(f"{SLOTH_BIN} missing: scripts/test builds it from its Go module")
    done = subprocess.run(
        [str(SLOTH_BIN), "validate", "-i", str(SLOTH)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(SLOTH.read_text().replace("target: 0.999", "target: 1.5"))
    refused = subprocess.run([str(SLOTH_BIN), "validate", "-i", str(bad)], capture_output=True)
    assert refused.returncode != 0
