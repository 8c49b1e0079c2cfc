"""Running a shipped Kubernetes scenario against the storefront on the real node, with
its pace shortened, and reading back what the journal says."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal, read_records
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.model import journal as j
from gameday.model.scorecard import ScenarioScore
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import ROOT

SHIPPED = ROOT / "scenarios" / "kubernetes"


R = TypeVar("R", bound=j.Record)


@dataclass
class Ran:
    score: ScenarioScore
    records: list[j.Record]
    log: str

    def of(self, kind: type[R]) -> list[R]:
        return [r for r in self.records if isinstance(r, kind)]

    def samples(
        self, probe: str
    ) -> list[tuple[float, int, float | None, float | None, str | None]]:
        return [row for r in self.of(j.Samples) if r.probe == probe for row in r.s]

    def wall(self, t: float) -> float:
        """A run-clock time as wall-clock seconds (from the run-start record)."""
        start = self.of(j.RunStart)[0]
        return float(start.wall + (t - start.t))


def run_shipped(
    name: str,
    tmp_path: Path,
    params: dict[str, Any],
    window: str = "3s",
    duration: str = "8s",
    **overrides: Any,
) -> Ran:
    """Runs scenarios/kubernetes/NAME.yaml as shipped except for its params (pointing it
    at this cluster), its pace (steady-state window, fault duration) and `overrides`
    (top-level keys replaced, e.g. `detection=None` to drop a staging Prometheus)."""
    doc = yaml.safe_load((SHIPPED / f"{name}.yaml").read_text())
    doc["params"].update(params)
    doc["steady_state"]["window"] = window
    doc["fault"]["duration"] = duration
    for key, value in overrides.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = io.StringIO()
    run_dir, _ = execute(
        load(path, {}),
        tmp_path / "reports",
        RunOptions(auto_approve=True),
        PlainView(Console(file=out, width=200)),
    )
    (score,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    return Ran(score, read_records(run_dir / JOURNAL), out.getvalue())
