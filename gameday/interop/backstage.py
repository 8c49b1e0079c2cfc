"""Results Backstage can show: a scorecard JSON per component (the `service` of each
scenario: its latest verdict and score per scenario, and the trend over runs), and the
catalog annotations that link a component to its scenarios and its scorecard.

Reads only report.json files (written by every run) and scenario files, so it works on
a reports/ folder collected from CI artefacts or a CronJob's volume.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

SCHEMA = "gameday.dev/backstage-scorecard/v1"
ANNOTATION = "gameday.dev"


def _reports(reports: Path) -> list[dict[str, Any]]:
    runs = []
    for path in sorted(reports.rglob("report.json")):
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")) | {"_path": str(path)})
        except (OSError, ValueError):
            continue  # a run still being written, or not a gameday report
    return sorted(runs, key=lambda r: float(r.get("started_wall", 0)))


def scorecards(reports: Path) -> dict[str, dict[str, Any]]:
    """Component name -> its scorecard: scenarios with their latest result and history."""
    cards: dict[str, dict[str, Any]] = {}
    for run in _reports(reports):
        for s in run.get("scenarios", []):
            component = s.get("service") or "unassigned"
            card = cards.setdefault(
                component,
                {"schema": SCHEMA, "component": component, "owners": [], "scenarios": {}},
            )
            if s.get("owner") and s["owner"] not in card["owners"]:
                card["owners"].append(s["owner"])
            entry = card["scenarios"].setdefault(s["name"], {"history": []})
            result = {
                "run_id": run.get("run_id"),
                "drill": run.get("name"),
                "started": run.get("started_wall"),
                "verdict": s.get("verdict"),
                "score": s.get("score"),
                "grade": s.get("grade"),
                "fault": s.get("fault"),
                "time_to_recover": s.get("time_to_recover"),
                "rto": s.get("rto"),
                "report": str(Path(run["_path"]).with_name("report.html")),
            }
            entry["history"].append(result)
            entry["latest"] = result
    for card in cards.values():
        latest = [e["latest"] for e in card["scenarios"].values()]
        scored = [r["score"] for r in latest if r["score"] is not None]
        card["summary"] = {
            "scenarios": len(latest),
            "passing": sum(r["verdict"] == "pass" for r in latest),
            "score": round(sum(scored) / len(scored), 1) if scored else None,
        }
        card["scenarios"] = [{"name": n, **e} for n, e in sorted(card["scenarios"].items())]
    return cards


def scenario_files(paths: list[Path]) -> dict[str, list[str]]:
    """Component (metadata.service) -> the scenario files that exercise it."""
    found: dict[str, list[str]] = {}
    files = [
        p for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*.yaml")))
    ]
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(doc, dict) and doc.get("kind") == "Scenario":
            service = (doc.get("metadata") or {}).get("service") or "unassigned"
            found.setdefault(service, []).append(str(path))
    return found


def catalog_entities(
    scenarios: dict[str, list[str]], cards: dict[str, dict[str, Any]], scorecard_dir: str
) -> list[dict[str, Any]]:
    """A Backstage Component per component, carrying the annotations to merge into your
    catalog-info.yaml: which scenarios exercise it and where its scorecard is."""
    entities = []
    for component in sorted(set(scenarios) | set(cards)):
        owners = cards.get(component, {}).get("owners") or ["unknown"]
        annotations = {
            f"{ANNOTATION}/scenarios": ",".join(scenarios.get(component, [])),
            f"{ANNOTATION}/scorecard": f"{scorecard_dir.rstrip('/')}/{component}.json",
        }
        entities.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": component, "annotations": annotations},
                "spec": {"type": "service", "lifecycle": "production", "owner": owners[0]},
            }
        )
    return entities
