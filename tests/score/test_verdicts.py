"""Verdicts that mean what they say: error is not fail, an unconfirmed fault is
inconclusive, an abort says which condition tripped; the drill leaves out what could not
be judged. Journals shaped like the runner's; arithmetic written out."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.cli.exit_codes import ExitCode, exit_code_for
from gameday.score import score_journal
from tests.score.test_score import journal

CLEAN = "." * 40


def two(
    a: list[dict[str, Any]], b: list[dict[str, Any]], weights: tuple[float, float]
) -> list[dict[str, Any]]:
    records = a[:-1] + b[1:]
    records[0]["entries"] = [
        {"scenario": "a", "weight": weights[0]},
        {"scenario": "b", "weight": weights[1]},
    ]
    return records


def test_an_error_is_not_a_fail_and_is_left_out_of_the_drill_score() -> None:
    failed = journal("." * 10 + "x" * 5 + "." * 25, name="a", rto=0.2)
    error = journal(CLEAN, name="b", outcome="error")
    for r in error:
        if r["type"] == "scenario-end":
            r["reason"] = (
                "supervisord: http://127.0.0.1:1/RPC2 refused the connection "
                "(hint: is supervisord running?)"
            )
    card = score_journal(two(failed, error, (1.0, 3.0)))
    a, b = card.scenarios
    assert (b.verdict, b.score, b.grade) == ("error", None, "-")
    assert b.reasons == (
        "error: supervisord: http://127.0.0.1:1/RPC2 refused the connection "
        "(hint: is supervisord running?)",
    )
    # the drill score is a's alone: (9.6 x 1) / 1 = 9.6, not (9.6 x 1 + 0 x 3) / 4
    assert a.score == pytest.approx(9.6)
    assert card.score == pytest.approx(9.6)
    assert card.formula is not None and [t.name for t in card.formula.terms] == ["a"]
    assert card.verdict == "fail" and exit_code_for(card, interrupted=False) == ExitCode.FAILED


def test_a_run_whose_only_finding_is_an_error_exits_6() -> None:
    card = score_journal(journal(CLEAN, outcome="error"))
    assert card.verdict == "error" and card.score is None
    assert exit_code_for(card, interrupted=False) == ExitCode.ERROR.value == 6


@pytest.mark.parametrize(
    ("landed", "reason"),
    [
        (False, "fault not confirmed: checked pid 1 gone, and it had not taken effect"),
        (None, "fault not confirmed: pid 1 gone"),
    ],
)
def test_a_fault_not_confirmed_is_inconclusive_never_pass(landed: bool | None, reason: str) -> None:
    card = score_journal(journal(CLEAN, landed=landed))
    (s,) = card.scenarios
    assert (s.verdict, s.score, s.grade) == ("inconclusive", None, "-")
    assert s.reasons == (reason,)
    assert s.landing is not None and s.landing.checked == "pid 1 gone"
    assert card.verdict == "inconclusive" and card.score is None
    assert exit_code_for(card, interrupted=False) == ExitCode.INCONCLUSIVE.value == 7


def test_a_journal_without_a_landing_record_cannot_pass() -> None:
    records = [r for r in journal(CLEAN) if r["type"] != "fault-landing"]
    (s,) = score_journal(records).scenarios
    assert s.verdict == "inconclusive"
    assert s.reasons == (
        "fault not confirmed: not checked (no fault-landing record in the journal)",
    )


def test_an_unconfirmed_fault_that_still_broke_the_slo_is_a_fail() -> None:
    # something did break the service: that finding stands, the doubt is listed with it
    (s,) = score_journal(journal("." * 10 + "x" * 5 + "." * 25, landed=None)).scenarios
    assert s.verdict == "fail" and s.reasons[-1].startswith("fault not confirmed")


def test_aborted_names_the_condition_and_measures_from_when_the_sample_was_known() -> None:
    records = journal("." * 10 + "x" * 5 + "." * 25, outcome="aborted")
    end = next(i for i, r in enumerate(records) if r["type"] == "injection-reverted")
    # the failing sample sent at 1.4 answered (timed out) at 1.45; the runner saw it then
    records.insert(
        end,
        {
            "type": "abort-condition",
            "t": 1.46,
            "known_t": 1.45,
            "scenario": "s",
            "probe": "web",
            "bad": 5,
            "total": 5,
        },
    )
    records.insert(
        end + 1,
        {
            "type": "abort",
            "t": 1.46,
            "scenario": "s",
            "reason": "abort_when tripped: web 5/5 failing over 0.5s",
        },
    )
    for r in records:
        if r["type"] == "scenario-end":
            r["reason"] = "abort_when tripped: web 5/5 failing over 0.5s"
    (s,) = score_journal(records).scenarios
    assert s.verdict == "aborted"
    assert s.abort_condition == "abort_when tripped: web 5/5 failing over 0.5s"
    # reverted at 2.0; the sample's result was known at 1.45: 2.0 - 1.45 = 0.55
    assert s.abort_reaction == pytest.approx(0.55)
    # recovery is still measured from the samples after the revert
    assert s.recovery == "recovered" and s.time_to_recover == pytest.approx(0.51)
    # rto 2 s: recovery 100; mean (0 x 40 + 100 x 30) / 70 = 42.9; caps: 79 x (100 + 0) / 200
    # = 39.5 for the missed SLO, 50 for the abort: 39.5, a score, not "fail scored 0"
    assert s.formula is not None and s.formula.mean == pytest.approx(42.9)
    assert [cap for _, cap in s.formula.caps] == [39.5, 50.0]
    assert s.score == pytest.approx(39.5)


def test_dry_run_is_its_own_verdict() -> None:
    (s,) = score_journal(journal(CLEAN, outcome="dry-run")).scenarios
    assert (s.verdict, s.score) == ("dry-run", None)


def test_junit_marks_an_error_as_error_and_an_inconclusive_as_failure() -> None:
    from xml.etree import ElementTree as ET

    from gameday.render.junit import render_junit

    card = score_journal(
        two(
            journal(CLEAN, name="a", outcome="error"), journal(CLEAN, name="b", landed=None), (1, 1)
        )
    )
    suite = ET.fromstring(render_junit(card).split("\n", 1)[1])
    assert (suite.get("errors"), suite.get("failures"), suite.get("skipped")) == ("1", "1", "0")
    a, b = suite.iter("testcase")
    assert a.find("error") is not None and a.find("failure") is None
    failure = b.find("failure")
    assert failure is not None and (failure.get("message") or "").startswith("inconclusive: ")
