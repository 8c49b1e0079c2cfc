"""The report's first screen (verdict, what broke and what to do, RTO/RPO, score
breakdown) in report.html and report.md, and user text made inert in Markdown: checked
by rendering report.md with a real CommonMark parser (markdown-it-py, from rich)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from gameday.render import render_all
from gameday.render.headline import objectives, problems, summary_line
from gameday.render.mdtext import code, md
from gameday.score import score_journal
from tests.score.test_score import journal

OUTAGE = "." * 10 + "x" * 5 + "." * 25
"""Fails t=1.0..1.4, back at 1.51: SLO 11/16 good (0.9 missed), TTR 0.51 s."""


def two_scenarios() -> list[dict[str, object]]:
    """`good` passes; `bad` misses its SLO and its RTO (0.2 s); drill weight 1 each."""
    good = journal("." * 40, name="good")
    bad = journal(OUTAGE, name="bad", rto=0.2)
    records = good[:-1] + bad[1:]
    records[0]["entries"] = [
        {"scenario": "good", "weight": 1.0},
        {"scenario": "bad", "weight": 1.0},
    ]
    return records


def test_the_first_screen_says_what_broke_and_what_to_do(tmp_path: Path) -> None:
    card = score_journal(two_scenarios())
    assert summary_line(card) == "1 of 2 scenarios passed; 1 fail"
    (bad,) = problems(card)
    assert (bad.scenario, bad.verdict, bad.index) == ("bad", "fail", 2)
    assert bad.reason == "SLO 'availability' missed: >= 90% good, measured 68.75%"
    assert bad.action == "Make svc hold SLO 'availability' through process-kill (owner: team)"
    assert [(o.scenario, o.rto, o.rpo) for o in objectives(card)] == [
        ("good", ("no impact observed (objective 2.00s)", "met"), None),
        ("bad", ("0.51s (objective 0.20s)", "MISSED"), None),
    ]
    html = render_all(card, tmp_path)["html"].read_text()
    html = re.sub(r"<(?!/?(h1|h2|table|section|div|b)\b)[^>]+>", "", html)  # words' spans out
    # in reading order: the verdict, the failing scenario with reason and action, the
    # objectives, the breakdown, and only then the details
    order = [
        'id="headline"',
        ">FAIL<",
        "What broke and what to do",
        "SLO &#39;availability&#39; missed: &gt;= 90% good, measured 68.75%",
        "Make svc hold SLO &#39;availability&#39; through process-kill",
        "Recovery objectives",
        "0.51s",
        "MISSED",
        "Score breakdown",
        # bad: slo 0 x 40, recovery 22.5 x 30 -> (0 + 675) / 70 = 9.6; cap 39.5 does not bite
        "22.5 x 30",
        "9.6 (F)",
        'id="details"',
        'id="s1"',
    ]
    at = [html.index(text) for text in order]
    assert at == sorted(at), list(zip(order, at, strict=True))


def test_a_clean_drill_says_nothing_broke(tmp_path: Path) -> None:
    card = score_journal(journal("." * 40))
    assert problems(card) == []
    html = render_all(card, tmp_path)["html"].read_text()
    assert "Nothing: every scenario passed." in html
    assert "Nothing: every scenario passed." in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize(
    ("outcome", "verdict", "action"),
    [
        ("error", "error", "Fix what stopped s (error: target unreachable), then run it again"),
        ("not-run", "not-run", "Run s: it did not run (not-run: target unreachable)"),
    ],
)
def test_runs_that_could_not_be_judged_get_their_own_action(
    outcome: str, verdict: str, action: str
) -> None:
    records = journal("." * 40, outcome=outcome)
    records[-2]["reason"] = "target unreachable"
    (found,) = problems(score_journal(records))
    assert found.verdict == verdict and found.action == f"{action} (owner: team)"


def test_an_unconfirmed_fault_is_inconclusive_with_an_action() -> None:
    (found,) = problems(score_journal(journal("." * 40, landed=None)))
    assert found.verdict == "inconclusive" and found.reason.startswith("fault not confirmed")
    assert found.action == (
        "Make process-kill confirm that it landed in s, then re-run (owner: team)"
    )


HOSTILE = "<b>x</b> *em* _u_ [link](http://evil) `tick` | pipe <img src=x onerror=alert(1)>"


def test_markdown_mirrors_the_first_screen_and_user_text_stays_text(tmp_path: Path) -> None:
    records = two_scenarios()
    for r in records:
        if r["type"] == "scenario-start" and r["scenario"] == "bad":
            spec = r["spec"]
            assert isinstance(spec, dict)
            spec["hypothesis"] = f"hyp {HOSTILE}"
            spec["slos"][0]["name"] = f"slo {HOSTILE}"
    records.insert(
        -2,  # before the scenario's end
        {"type": "note", "t": 1.2, "scenario": "bad", "author": "<i>Ana</i>", "text": HOSTILE},
    )
    render_all(score_journal(records), tmp_path)
    text = (tmp_path / "report.md").read_text()
    heads = [line for line in text.splitlines() if line.startswith("#")]
    assert heads[:4] == [
        "# Game day retrospective: good",
        "## What broke and what to do",
        "## Recovery objectives",
        "## Score breakdown",
    ]
    assert text.index("| bad | fail | SLO 'slo") < text.index("## Timeline")
    html = MarkdownIt("commonmark").enable("table").render(text)
    # what a Markdown viewer shows: no tag, emphasis or link made from user text
    for tag in ("<b>", "<i>", "<img", "<em>", "<a "):
        assert tag not in html, tag
    assert html.count("<strong>") == 3  # the report's own: verdict, score, grade
    assert "&lt;b&gt;x&lt;/b&gt; *em* _u_ [link](http://evil)" in html
    assert "Note 1 at 1.20s (&lt;i&gt;Ana&lt;/i&gt;)" in html
    # the hostile SLO name's pipe did not split its table row
    row = next(line for line in text.splitlines() if line.startswith("| bad | fail"))
    assert row.count(" | ") == 3 and row.count(" \\| ") == 2  # 4 cells; its pipes escaped


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("# not a heading", "# not a heading"),
        ("1. not a list", "1. not a list"),
        ("> not a quote", "&gt; not a quote"),
        ("line one\n- not an item", "line one - not an item"),
        ("R&D &amp; more", "R&amp;D &amp;amp; more"),
    ],
)
def test_markdown_escaping_keeps_block_syntax_out(text: str, shown: str) -> None:
    html = MarkdownIt("commonmark").render(f"Note: x\n\n{md(text)}\n")
    assert html.strip() == f"<p>Note: x</p>\n<p>{shown}</p>"


def test_code_spans_cannot_be_closed_by_the_text() -> None:
    html = MarkdownIt("commonmark").render(f"step {code('a ``b`` <i>c</i>')} end")
    assert html.strip() == "<p>step <code>a ``b`` &lt;i&gt;c&lt;/i&gt;</code> end</p>"


def test_a_note_journaled_after_its_scenario_ended_is_not_lost(tmp_path: Path) -> None:
    records = journal("." * 40)
    records.insert(
        -1, {"type": "note", "t": 4.5, "scenario": "s", "author": "Ana", "text": "late word"}
    )
    render_all(score_journal(records), tmp_path)
    assert "4.50s (Ana, during s): late word" in (tmp_path / "report.md").read_text()
    assert "late word" in (tmp_path / "report.html").read_text()
