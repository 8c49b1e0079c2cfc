"""reports/index.html: every run on disk, newest first, with a score trend per scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gameday.render import render_all
from gameday.render.index import SPARK_H, SPARK_W, plural, sparkline, write_index
from gameday.score import score_journal
from tests.score.test_score import journal


def add_run(root: Path, run_id: str, pattern: str, started: float, name: str = "weekly") -> None:
    records = journal(pattern, name=name, objective=0.9, rto=0.2)
    records[0].update(run_id=run_id, wall=started)
    run_dir = root / name / run_id
    run_dir.mkdir(parents=True)
    render_all(score_journal(records), run_dir)


def test_index_lists_runs_newest_first_with_each_scenarios_trend(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 40, 1_700_000_000)  # clean: 100
    add_run(tmp_path, "r2", "." * 10 + "x" * 5 + "." * 25, 1_700_086_400)  # 9.6 (see test_score)
    add_run(tmp_path, "r3", "." * 12 + "xx" + "." * 26, 1_700_172_800)
    (tmp_path / "weekly" / "broken").mkdir()
    (tmp_path / "weekly" / "broken" / "report.json").write_text("{not json")  # skipped, not fatal
    html = write_index(tmp_path).read_text()
    scores = [
        json.loads((tmp_path / "weekly" / r / "report.json").read_text())["score"]
        for r in ("r1", "r2", "r3")
    ]
    assert scores[:2] == [100.0, 9.6]
    assert f'aria-label="scores: {", ".join(f"{s:g}" for s in scores)}"' in html  # oldest first
    assert (
        html.index("r3/report.html") < html.index("r2/report.html") < html.index("r1/report.html")
    )
    assert "3 runs" in html and "2023-11-" in html


def test_index_escapes_names(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 40, 1_700_000_000, name="x<img src=x onerror=alert(1)>")
    html = write_index(tmp_path).read_text()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_index_groups_scenarios_by_owning_squad(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 40, 1_700_000_000, name="weekly")
    add_run(tmp_path, "r2", "." * 40, 1_700_086_400, name="monthly")
    html = write_index(tmp_path).read_text()
    owned = html[html.index('id="owner-team"') :]
    assert "weekly" in owned and "monthly" in owned  # the journal() scenarios belong to "team"


def test_errors_are_gaps_in_trends_and_left_out_of_pass_rates(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 40, 1_700_000_000)  # pass, 100
    add_run(tmp_path, "r2", "." * 10 + "x" * 5 + "." * 25, 1_700_086_400)  # fail, 9.6
    records = journal("." * 40, name="weekly", outcome="error")
    records[0].update(run_id="r3", wall=1_700_172_800)
    (tmp_path / "weekly" / "r3").mkdir(parents=True)
    render_all(score_journal(records), tmp_path / "weekly" / "r3")
    html = write_index(tmp_path).read_text()
    assert 'aria-label="scores: 100, 9.6, -"' in html  # the error is a gap, not a 0
    assert "1 of 2 judged runs passed (1 not judged)" in html


def dots(svg: str) -> list[tuple[float, float, float]]:
    return [
        (float(x), float(y), float(r))
        for x, y, r in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    ]


@pytest.mark.parametrize(
    "scores",
    [[100.0], [0.0], [100.0, 100.0], [None, 100.0, None], [0.0, None, 100.0, 42.5]],
    ids=["one-100", "one-0", "two", "gap-around", "mixed"],
)
def test_every_judged_run_is_a_dot_inside_the_sparkline(scores: list[float | None]) -> None:
    svg = sparkline(scores)
    found = dots(svg)
    assert len(found) == sum(s is not None for s in scores)
    for x, y, r in found:  # the whole dot is inside the 160 x 28 box: nothing clipped
        assert r <= x <= SPARK_W - r and r <= y <= SPARK_H - r, (x, y, r)
    if scores == [100.0]:
        assert found[0][0] == SPARK_W / 2  # a single run sits in the middle
    if scores == [None, 100.0, None]:
        assert "<polyline" not in svg  # one point and gaps: nothing to join


def test_a_gap_breaks_the_line() -> None:
    svg = sparkline([100.0, 90.0, None, 80.0, 70.0])
    assert svg.count("<polyline") == 2


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0 runs"), (1, "1 run"), (2, "2 runs")], ids=["0", "1", "2"]
)
def test_counts_pluralise(count: int, text: str) -> None:
    assert plural(count, "run") == text


def test_a_single_run_reads_right(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 40, 1_700_000_000)
    html = write_index(tmp_path).read_text()
    assert "1 run, newest first" in html and "1 runs" not in html
    assert "1 of 1 judged run passed" in html and "1 judged of 1 run" in html


def test_an_error_run_does_not_replace_the_latest_score(tmp_path: Path) -> None:
    add_run(tmp_path, "r1", "." * 10 + "x" * 5 + "." * 25, 1_700_000_000)  # fail, 9.6
    records = journal("." * 40, name="weekly", outcome="error")
    records[0].update(run_id="r2", wall=1_700_086_400)
    (tmp_path / "weekly" / "r2").mkdir(parents=True)
    render_all(score_journal(records), tmp_path / "weekly" / "r2")
    html = write_index(tmp_path).read_text()
    # the newest run errored: the latest score is still the failing run's 9.6, and says why
    assert html.count("9.6 (newest run: error)") == 2  # by scenario and by owner
    assert "1 judged of 2 runs" in html and "0 of 1 judged run passed (1 not judged)" in html


def test_only_errors_have_no_latest_score(tmp_path: Path) -> None:
    records = journal("." * 40, name="weekly", outcome="error")
    records[0].update(run_id="r1", wall=1_700_000_000)
    (tmp_path / "weekly" / "r1").mkdir(parents=True)
    render_all(score_journal(records), tmp_path / "weekly" / "r1")
    html = write_index(tmp_path).read_text()
    assert "- (newest run: error)" in html and 'aria-label="no scores"' in html
