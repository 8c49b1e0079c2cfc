"""`--push-metrics`: results reach a real Pushgateway, grouped by drill."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from gameday.pushmetrics import push
from gameday.score import score_journal
from tests.cli.helpers import gameday
from tests.conftest import DATA
from tests.score.test_score import journal
from tests.score.test_score_prometheus import with_detection


def scraped(url: str) -> str:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as response:
        return str(response.read().decode())


def test_scores_recovery_and_detection_reach_the_pushgateway(pushgateway: str) -> None:
    card = score_journal(with_detection(journal("." * 40, name="s"), ("StoreDown", 2.5)))
    push(card, pushgateway)
    text = scraped(pushgateway)
    # mean 91.2, capped at 39.5 by the missed HighErrors alert (tests/score/test_score_prometheus.py)
    assert re.search(r'gameday_scenario_score\{.*drill="s".*scenario="s".*\} 39\.5', text), text
    assert re.search(r'gameday_time_to_detect_seconds\{alert="StoreDown".*\} 1\.5', text)
    assert re.search(r'gameday_monitoring_gap\{alert="HighErrors".*\} 1', text)
    assert re.search(r'gameday_drill_score\{drill="s".*\} 39\.5', text)
    assert re.search(r'gameday_scenario_verdict\{.*verdict="fail"\} 1', text)


def test_an_error_is_no_pass_rate_data_point(pushgateway: str) -> None:
    card = score_journal(journal("." * 40, name="e", outcome="error"))
    push(card, pushgateway)
    text = scraped(pushgateway)
    assert re.search(r'gameday_scenario_verdict\{.*drill="e".*verdict="error"\} 1', text), text
    assert not re.search(r'gameday_scenario_pass\{.*drill="e"', text)


def test_the_cli_pushes_after_writing_the_reports(pushgateway: str, tmp_path: Path) -> None:
    done = gameday(
        "run",
        str(DATA / "local" / "kill-nothing.yaml"),
        "--reports",
        str(tmp_path),
        "--push-metrics",
        pushgateway,
    )
    assert "pushed results to" in done.stderr, done.stderr[-2000:]
    assert re.search(
        r'gameday_scenario_pass\{.*scenario="kill-nothing".*\} 0', scraped(pushgateway)
    )
    assert (tmp_path / "index.html").is_file()


def test_an_unreachable_gateway_is_a_clear_error_after_the_reports(tmp_path: Path) -> None:
    done = gameday(
        "run",
        str(DATA / "local" / "kill-nothing.yaml"),
        "--reports",
        str(tmp_path),
        "--push-metrics",
        "http://127.0.0.1:1",
    )
    assert done.returncode != 0
    assert "cannot push metrics to http://127.0.0.1:1" in done.stdout + done.stderr
    assert list(tmp_path.glob("kill-nothing/*/report.html")), "reports must be written first"
