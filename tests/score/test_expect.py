"""Expected behaviour can be a bounded breach (`expect.breach`): a run in which exactly the
hypothesised breach happens passes; no breach at all (a surprise), a longer breach, more
burn or late detection does not. Journals shaped like the runner's: fault t=1.0..2.0
(reverted at 2.0), probe every 0.1 s with 10 ms answers, SLO window to verify at 2.5."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gameday.model.scenario import Scenario
from gameday.score import score_journal
from gameday.validate import load
from tests.score.test_score import journal


def expecting(pattern: str, **bounds: float) -> list[dict[str, Any]]:
    records = journal(pattern, objective=0.9, rto=2.0)
    records[1]["spec"]["expect"] = {
        "breach": {"max_burn": 8.0, "detect_within": 0.5, "recover_within": 0.5, **bounds}
    }
    return records


# fails t=1.0..2.1 (12 samples), good again when the sample sent at 2.2 answers (2.21)
AS_HYPOTHESISED = "." * 10 + "x" * 12 + "." * 18


def test_exactly_the_hypothesised_breach_passes() -> None:
    (s,) = score_journal(expecting(AS_HYPOTHESISED)).scenarios
    assert s.verdict == "pass", s.reasons
    # whole fault window t=1.0..2.5: 16 samples, 12 failing -> 4/16 good = 0.25;
    # burned (1 - 0.25) / (1 - 0.9) = 7.5 budgets <= 8
    # detected at the first failing sample, 0.00 s after the injection (<= 0.5 s)
    # recovered at 2.21, 0.21 s after the revert at 2.0 (<= 0.5 s)
    assert [(b.name, b.measured, b.held) for b in s.bounds] == [
        ("error budget burned ('availability')", "7.50x budget", True),
        ("time to detect", "0.00s (first failing probe sample)", True),
        ("time to recover", "0.21s after the fault ended", True),
    ]
    # the SLO is judged outside the breach (2.21 to the end of verification): met
    (slo,) = s.slos
    assert slo.met is True and slo.detail.startswith("after the breach: ")
    # recovery 1.21 s within the 2 s RTO: (100 x 40 + 100 x 30) / 70 = 100
    assert s.score == 100.0 and s.grade == "A"


def test_no_breach_at_all_is_a_surprise_not_a_pass() -> None:
    (s,) = score_journal(expecting("." * 40)).scenarios
    assert s.verdict == "inconclusive" and s.score is None
    assert s.reasons[0].startswith("no impact observed although the scenario expects a breach")


def test_a_longer_breach_fails() -> None:
    # fails t=1.0..2.8; good again at 2.9 + 0.01 = 2.91: 0.91 s after the revert > 0.5 s
    (s,) = score_journal(expecting("." * 10 + "x" * 19 + "." * 11, max_burn=20.0)).scenarios
    assert s.verdict == "fail"
    assert (
        "breach bound not held: time to recover 0.91s after the fault ended, allowed 0.5s after the fault ended"
        in s.reasons
    )
    # a missed bound counts as a missed objective scored 0: cap 79 x (100 + 0) / 200 = 39.5
    assert s.score == 39.5


def test_more_burn_than_allowed_fails() -> None:
    (s,) = score_journal(expecting(AS_HYPOTHESISED, max_burn=5.0)).scenarios
    assert s.verdict == "fail"
    assert (
        "breach bound not held: error budget burned ('availability') 7.50x budget, allowed 5x budget"
        in s.reasons
    )


def test_late_detection_fails() -> None:
    # first failure sent at 1.6: detected 0.6 s after the injection, bound 0.5 s
    (s,) = score_journal(expecting("." * 16 + "x" * 6 + "." * 18)).scenarios
    assert s.verdict == "fail"
    assert [b.held for b in s.bounds if b.name == "time to detect"] == [False]
    assert any(r.startswith("breach bound not held: time to detect 0.60s") for r in s.reasons)


def test_without_expect_the_same_run_fails_its_slo() -> None:
    (s,) = score_journal(journal(AS_HYPOTHESISED, objective=0.9, rto=2.0)).scenarios
    assert s.verdict == "fail" and s.slos[0].budget_consumed == pytest.approx(7.5)


def test_the_expect_section_is_validated_with_locations(tmp_path: Path) -> None:
    from tests.validate.test_errors import VALID, problems_for

    good = VALID + "expect:\n  breach: {recover_within: 5s, max_burn: 20}\n"
    path = tmp_path / "ok.yaml"
    path.write_text(good)
    scenario = load(path)
    assert isinstance(scenario, Scenario) and scenario.expect is not None
    assert (scenario.expect.breach.recover_within, scenario.expect.breach.max_burn) == (5.0, 20.0)
    (typo,) = problems_for(tmp_path, VALID + "expect:\n  breach: {recover_withn: 5s}\n")
    assert typo.location.line == 29 and "unknown key `recover_withn`" in typo.message
    assert typo.hint is not None and "recover_within" in typo.hint
    (empty,) = problems_for(tmp_path, VALID + "expect:\n  breach: {}\n")
    assert "give at least one of `max_burn`, `detect_within`, `recover_within`" in empty.message


def test_a_prometheus_sli_is_judged_after_the_breach_from_the_runners_second_measurement() -> None:
    from tests.score.test_score_prometheus import RATIO, prometheus_slo

    records = prometheus_slo(
        expecting(AS_HYPOTHESISED, max_burn=40.0),
        {"kind": "availability", "objective": 0.99, "sli": RATIO},
        {"errors": 300.0, "total": 1000.0, "window": "1500ms"},  # the fault window
    )
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    after = {"errors": 0.0, "total": 500.0, "window": "2000ms"}  # the verify window
    records.insert(end, {"type": "sli-measured", "t": 3.95, "scenario": "s", "slo": "p", **after})
    (s,) = score_journal(records).scenarios
    (slo,) = s.slos
    # after the breach: 500/500 good, met; the fault window burned (0.3 / 0.01) = 30 budgets
    assert slo.met is True and slo.detail.startswith("after the breach: 500/500 good")
    assert (s.bounds[0].name, s.bounds[0].measured, s.bounds[0].held) == (
        "error budget burned ('p')",
        "30.00x budget",
        True,
    )
    assert s.verdict == "pass", s.reasons
    # without the second measurement the objective cannot be judged outside the breach
    records.pop(end)
    (s,) = score_journal(records).scenarios
    assert s.slos[0].met is None and s.verdict == "inconclusive"
