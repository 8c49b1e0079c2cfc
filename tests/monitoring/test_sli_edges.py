"""Prometheus SLIs against a real Prometheus scraping the demo stack, checked with
independent queries to the same server: an error series that does not exist yet counts
as zero, a window without traffic is "no traffic" (not a pass, not a miss), and the
queries cover the scored window exactly, to the millisecond."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from gameday.execute import promsli
from gameday.execute.journal import JOURNAL, read_records
from gameday.model import journal as j
from gameday.model.scenario import Prometheus, Slo
from gameday.prometheus import PrometheusClient
from tests.monitoring.conftest import Monitoring

TOTAL = 'gameday_demo_requests_total{job="frontend"}'
NEVER = 'gameday_demo_requests_total{job="frontend",code="599"}'
"""An error series that never appears: the frontend never answers 599."""
SCRAPE = 1.0


def send_traffic(url: str, seconds: float) -> int:
    sent, until = 0, time.monotonic() + seconds
    while time.monotonic() < until:
        with urllib.request.urlopen(url, timeout=2) as response:
            response.read()
        sent += 1
        time.sleep(0.02)
    return sent


def ratio_slo(kind: str = "availability") -> Slo:
    sli = {"type": "ratio", "errors": NEVER, "total": TOTAL}
    if kind == "burn-rate":
        return Slo("burn", "burn-rate", objective=0.99, sli=sli, burn_windows=((4.0, 2.0, 10.0),))
    return Slo("availability", "availability", objective=0.99, sli=sli)


def test_an_error_series_that_does_not_exist_counts_as_zero(
    stack: DemoStack, monitoring: Monitoring
) -> None:
    client = PrometheusClient(Prometheus(monitoring.prometheus))
    start = time.time()
    sent = send_traffic(stack.params()["frontend_url"], 4.0)
    time.sleep(3 * SCRAPE)  # the last requests are scraped
    end = time.time()
    assert monitoring.query(NEVER) == []  # independently: the numerator has no series
    measured = promsli.measure(client, ratio_slo(), start, end)
    assert "error" not in measured, measured
    assert measured["errors"] == 0.0 and measured["total"] > 0
    # Prometheus extrapolates increase() to the window's edges: within a scrape's worth
    assert measured["total"] == pytest.approx(sent, rel=0.35)
    burn = promsli.measure(client, ratio_slo("burn-rate"), start, end)
    assert "error" not in burn, burn
    values = [v for pair in burn["pairs"] for p in pair["points"] for v in p[1:] if v is not None]
    assert values and all(v == 0.0 for v in values)


def test_a_window_without_traffic_is_no_traffic(stack: DemoStack, monitoring: Monitoring) -> None:
    client = PrometheusClient(Prometheus(monitoring.prometheus))
    time.sleep(3 * SCRAPE)  # nothing is sent to the frontend from here on
    start = time.time()
    time.sleep(4.0)
    end = time.time()
    window = f"{round((end - start) * 1000)}ms"
    # independently: the counter exists and did not move over exactly that window
    assert monitoring.query(TOTAL)
    (flat,) = monitoring.query(f"sum(increase({TOTAL}[{window}]))")
    assert float(flat["value"][1]) == 0.0  # type: ignore[index]
    measured = promsli.measure(client, ratio_slo(), start, end)
    assert measured == {"errors": 0.0, "total": 0.0, "window": window, "no_traffic": True}


def test_query_windows_match_the_scored_window_to_the_millisecond(
    monitoring: Monitoring,
) -> None:
    client = PrometheusClient(Prometheus(monitoring.prometheus))
    start = time.time() - 10.25  # a fraction of a second the client used to round away
    end = start + 6.5
    (series,) = client.range("time()", start, end, 0.5)
    assert series.points[0][0] == pytest.approx(start, abs=0.001)
    assert series.points[-1][0] == pytest.approx(end, abs=0.001)
    assert client.value("time()", end) == pytest.approx(end, abs=0.001)
    assert promsli._window(start, end) == "6500ms"


def test_an_expected_breach_is_judged_by_prometheus_after_it(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    from tests.monitoring.test_prometheus import run

    s, run_dir = run("monitored-expected-outage.yaml", stack, monitoring, tmp_path)
    whole, after = [r for r in read_records(run_dir / JOURNAL) if isinstance(r, j.SliMeasured)]
    # the runner measured the fault window, then the verify window after it
    assert whole.end_wall == pytest.approx(after.start_wall)
    assert whole.result["errors"] > 0 and after.result.get("errors") == 0.0, after.result
    (slo,) = s.slos
    assert slo.met is True and slo.detail.startswith("after the breach: ")
    assert slo.budget_consumed is not None and slo.budget_consumed > 1  # the breach burned
    assert [b.held for b in s.bounds] == [True, True, True], s.bounds
    assert s.verdict == "pass", s.reasons
