"""report.json: the scorecard without raw samples (those stay in the journal)."""

from __future__ import annotations

import json
from typing import Any

from gameday.model.scenario import to_jsonable
from gameday.model.scorecard import Scorecard


def render_json(card: Scorecard) -> str:
    data: dict[str, Any] = to_jsonable(card)
    for scenario in data["scenarios"]:
        for probe in scenario["probes"]:
            probe.pop("samples", None)
    return json.dumps(data, indent=2, allow_nan=False, default=str) + "\n"
