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

from collections.abc import Mapping, Sequence
from typing import Any

from gameday.model import journal as j
from gameday.model.journal_json import to_json
from gameday.model.outcomes import Verdict
from gameday.model.scorecard import Formula, ScenarioScore, Scorecard, Term
from gameday.scoring.formula import grade
from gameday.scoring.scenario import note, plan, score_scenario
from gameday.scoring.segment import Source, fill, latest_attempts, read_events, typed

__all__ = ["SCHEMA", "grade", "score_journal", "score_stream"]

SCHEMA = "gameday.report/v1"
LEFT_OUT = (Verdict.ERROR, Verdict.INCONCLUSIVE, Verdict.DRY_RUN)
"""Verdicts left out of the drill score, trends and pass rates."""


def score_journal(records: Sequence[j.Record | Mapping[str, Any]]) -> Scorecard:
    """Scores a journal held in memory: typed records (`read_records`), or JSON objects
    (`read_journal`, hand-built test journals), parsed through the same definitions."""
    typed_records = typed(records)
    return score_stream(lambda: typed_records)


def score_stream(source: Source) -> Scorecard:
    """Scores a journal read as a stream: `source()` reads it from the start (e.g.
    `lambda: iter_records(path)`). Two passes, the events then the samples (see
    `gameday.scoring.samples`): memory does not grow with the number of samples."""
    events = read_events(source())
    start = events.start or j.RunStart()
    end = events.end or events.last or start
    weights = {e.scenario: e.weight for e in start.entries}
    chosen = latest_attempts(events.segments)
    for seg in chosen:
        plan(seg)
    fill(source, chosen)
    scenarios = tuple(score_scenario(seg, weights.get(seg.name, 1.0)) for seg in chosen)
    drill = drill_formula(scenarios)
    return Scorecard(
        schema=SCHEMA,
        run_id=start.run_id,
        name=start.name,
        kind=start.kind,
        started_wall=start.wall,
        duration=round(end.t - start.t, 3),
        score=drill.result,
        grade=grade(drill.result),
        verdict=drill_verdict(scenarios),
        scenarios=scenarios,
        meta=_meta(start),
        notes=tuple(note(r) for r in events.notes),
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


def _meta(start: j.RunStart) -> dict[str, Any]:
    """What the report shows about the run: the drill's people, options, host, version."""
    data = to_json(start)
    return {k: data[k] for k in ("drill", "options", "host", "gameday") if k in data}
