"""Journal -> Scorecard. Pure and deterministic: the same journal always scores the same.

The parts live in `gameday.scoring` (segments, recovery, findings, expected breaches,
the formula); this module puts them together and scores the drill:

  drill score = sum(scenario score x entry weight) / sum(entry weights), over the
                scenarios that were judged. `error` and `inconclusive` scenarios are
                left out (they say nothing about resilience); a scenario that did not
                run counts as 0 (nothing was learnt from it).
  drill verdict: `fail` if any scenario failed or did not run, else `aborted`, `error`,
                `inconclusive` (in that order) if any scenario was, else `pass`.
See docs/scoring.md for the per-scenario formula and worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gameday.model.outcomes import Verdict
from gameday.model.scorecard import Formula, ScenarioScore, Scorecard, Term
from gameday.scoring.formula import grade
from gameday.scoring.scenario import note, score_scenario
from gameday.scoring.segment import latest_attempts, segments

__all__ = ["SCHEMA", "grade", "score_journal"]

SCHEMA = "gameday.report/v1"
LEFT_OUT = (Verdict.ERROR, Verdict.INCONCLUSIVE, Verdict.DRY_RUN)
"""Verdicts left out of the drill score, trends and pass rates."""


def score_journal(records: Sequence[dict[str, Any]]) -> Scorecard:
    start: dict[str, Any] = next(
        (r for r in records if r["type"] == "run-start"), {"t": 0.0, "wall": 0.0}
    )
    ends = [r for r in records if r["type"] == "run-end"]
    end = ends[-1] if ends else (records[-1] if records else start)
    weights = {e["scenario"]: e.get("weight", 1.0) for e in start.get("entries", [])}
    scenarios = tuple(
        score_scenario(seg, weights.get(seg.name, 1.0))
        for seg in latest_attempts(segments(records))
    )
    drill = drill_formula(scenarios)
    return Scorecard(
        schema=SCHEMA,
        run_id=str(start.get("run_id", "")),
        name=str(start.get("name", "")),
        kind=str(start.get("kind", "")),
        started_wall=float(start.get("wall", 0.0)),
        duration=round(float(end["t"]) - float(start["t"]), 3),
        score=drill.result,
        grade=grade(drill.result),
        verdict=drill_verdict(scenarios),
        scenarios=scenarios,
        meta={k: v for k, v in start.items() if k in ("drill", "options", "host", "gameday")},
        notes=tuple(note(r) for r in records if r["type"] == "note"),
        formula=drill,
    )


def drill_formula(scenarios: Sequence[ScenarioScore]) -> Formula:
    terms = tuple(
        Term(s.name, s.score or 0.0, s.weight, s.verdict if s.score is None else "")
        for s in scenarios
        if s.verdict not in LEFT_OUT
    )
    total = sum(t.weight for t in terms)
    if not total or all(s.score is None for s in scenarios if s.verdict not in LEFT_OUT):
        return Formula(terms, None)
    mean = round(sum(t.value * t.weight for t in terms) / total, 1)
    return Formula(terms, mean, (), mean)


def drill_verdict(scenarios: Sequence[ScenarioScore]) -> Verdict:
    verdicts = {s.verdict for s in scenarios}
    if not scenarios or verdicts & {Verdict.FAIL, Verdict.NOT_RUN}:
        return Verdict.FAIL
    for worst in (Verdict.ABORTED, Verdict.ERROR, Verdict.INCONCLUSIVE):
        if worst in verdicts:
            return worst
    if verdicts == {Verdict.DRY_RUN}:
        return Verdict.DRY_RUN
    return Verdict.PASS
