"""reports/index.html: every run on disk, newest first, with a score trend per scenario."""

from __future__ import annotations

import json
from pathlib import Path

from gameday.render import render_all
from gameday.render.index import write_index
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
