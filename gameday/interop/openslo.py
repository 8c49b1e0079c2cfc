"""OpenSLO -> gameday SLOs (the `slo:` list of a scenario).

Reads `openslo/v1` (SLO with an inline `indicator` or an `indicatorRef` to an SLI in the
same files; `ratioMetric` and `thresholdMetric`; `target` or `targetPercent`) and
`openslo/v1alpha` as Sloth writes it (`spec.objectives[].ratioMetrics` with
`{{.window}}` in the queries). Prometheus sources only.

A counter ratio whose good/bad and total queries are a plain selector, optionally inside
`sum(...)` and `rate|increase(...[window])`, becomes gameday's `counter-ratio` SLI with an
`availability` objective: gameday takes `increase()` over the fault window itself. Any
other ratio becomes a `promql` SLI judged by a threshold at the target, sample by sample
(no error budget). What OpenSLO says about the long-term window (`timeWindow`, 28d,
calendar), time slices, alerting and non-Prometheus sources has no meaning over a
fault window of minutes: each such item is listed as not mapped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Location, Problem
from gameday.interop import Imported

WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
SUM = re.compile(r"sum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\((.*)\)", re.S)
RATE = re.compile(
    r"(?:rate|increase|irate)\s*\((.*)\[\s*(?:\{\{\s*\.window\s*\}\}|\w+)\s*\]\s*\)", re.S
)
SELECTOR = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{.*\})?|\{.*\}", re.S)
OPS = {"lt": "below", "lte": "below", "gt": "above", "gte": "above"}


def read_documents(paths: list[Path]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths:
        try:
            found = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        except yaml.YAMLError as exc:
            raise InputError(problems=[Problem(Location(str(path)), f"not YAML: {exc}")]) from None
        for doc in found:
            if not str(doc.get("apiVersion", "")).startswith("openslo/"):
                raise InputError(
                    problems=[
                        Problem(
                            Location(str(path)),
                            f"not an OpenSLO document (apiVersion {doc.get('apiVersion')!r})",
                            "expected apiVersion openslo/v1 or openslo/v1alpha",
                        )
                    ]
                )
            docs.append(doc)
    return docs


def selector(query: str) -> str | None:
    """The counter selector inside `sum(rate(SELECTOR[w]))`-like queries, or None."""
    q = query.strip()
    if m := SUM.fullmatch(q):
        q = m.group(1).strip()
    if m := RATE.fullmatch(q):
        q = m.group(1).strip()
    return q if SELECTOR.fullmatch(q) else None


def _percent(target: float) -> str:
    return f"{target * 100:.6g}%"


def _query(source: dict[str, Any], where: str, unmapped: list[str]) -> str | None:
    """The PromQL of a v1 `metricSource` or a v1alpha `{source, queryType, query}`."""
    if "metricSource" in source:
        source = source["metricSource"]
        kind, query = str(source.get("type", "")), (source.get("spec") or {}).get("query")
    else:
        kind, query = str(source.get("source", source.get("queryType", ""))), source.get("query")
    if kind.lower() not in ("prometheus", "promql") or not isinstance(query, str):
        unmapped.append(f"{where}: {kind or 'unknown'} source (gameday reads Prometheus)")
        return None
    return query


def _ratio(
    metric: dict[str, Any], target: float, name: str, unmapped: list[str]
) -> dict[str, Any] | None:
    bad_key = "bad" if "bad" in metric else "good"
    queries = {
        k: _query(metric[k], f"{name} {k}", unmapped) for k in (bad_key, "total") if k in metric
    }
    if "raw" in metric:
        raw = _query(metric["raw"], f"{name} raw", unmapped)
        if raw is None:
            return None
        failure = metric.get("rawType") == "failure"
        bound = {"below": round(1 - target, 9)} if failure else {"above": target}
        unmapped.append(f"{name}: a raw ratio is judged per sample against the target (no budget)")
        return {
            "name": name,
            "sli": {"type": "promql", "expr": WINDOW.sub("1m", raw)},
            "threshold": bound,
        }
    if len(queries) != 2 or None in queries.values():
        return None
    events, total = queries[bad_key] or "", queries["total"] or ""
    counter = metric.get("counter", True)
    picked = (selector(events), selector(total))
    if counter and picked[0] and picked[1]:
        key = "errors" if bad_key == "bad" else "good"
        return {
            "name": name,
            "sli": {"type": "counter-ratio", key: picked[0], "total": picked[1]},
            "availability": _percent(target),
        }
    expr = f"({WINDOW.sub('1m', events)}) / ({WINDOW.sub('1m', total)})"
    if WINDOW.search(events + total):
        unmapped.append(f"{name}: {{{{.window}}}} replaced by 1m in a query gameday cannot rewrite")
    unmapped.append(
        f"{name}: ratio of arbitrary queries judged per sample against the target (no budget)"
    )
    bound = {"below": round(1 - target, 9)} if bad_key == "bad" else {"above": target}
    return {"name": name, "sli": {"type": "promql", "expr": expr}, "threshold": bound}


def _threshold(
    metric: dict[str, Any], objective: dict[str, Any], name: str, unmapped: list[str]
) -> dict[str, Any] | None:
    query = _query(metric, f"{name} threshold", unmapped)
    op = str(objective.get("op", ""))
    if query is None or op not in OPS or "value" not in objective:
        if query is not None:
            unmapped.append(f"{name}: threshold objective without op/value")
        return None
    unmapped.append(
        f"{name}: target {objective.get('target', objective.get('targetPercent'))} "
        "(share of good time) not mapped: gameday holds the bound on every sample"
    )
    return {
        "name": name,
        "sli": {"type": "promql", "expr": WINDOW.sub("1m", query)},
        "threshold": {OPS[op]: float(objective["value"])},
    }


def _target(objective: dict[str, Any]) -> float | None:
    if "target" in objective:
        return float(objective["target"])
    if "targetPercent" in objective:
        return float(objective["targetPercent"]) / 100
    return None


def _indicator(
    slo: dict[str, Any], slis: dict[str, dict[str, Any]], unmapped: list[str]
) -> dict[str, Any]:
    spec = slo["spec"]
    if "indicator" in spec:
        indicator: dict[str, Any] = spec["indicator"]
        return dict(indicator.get("spec", indicator))  # v1: {metadata, spec}; v1alpha: inline
    ref = spec.get("indicatorRef")
    if ref is None:  # v1alpha (Sloth): the metrics are in each objective
        return {}
    if ref in slis:
        return dict(slis[ref]["spec"])
    unmapped.append(
        f"SLO {slo['metadata']['name']}: indicatorRef {ref!r} not found in the files given"
    )
    return {}


def _noted(slo: dict[str, Any], unmapped: list[str]) -> None:
    name, spec = slo["metadata"]["name"], slo["spec"]
    windows = spec.get("timeWindow") or spec.get("timeWindows")
    if windows:
        unmapped.append(f"SLO {name}: time window {windows} (gameday judges the fault window)")
    if spec.get("budgetingMethod") == "Timeslices":
        unmapped.append(f"SLO {name}: Timeslices budgeting (gameday counts events or samples)")
    if spec.get("alertPolicies"):
        unmapped.append(f"SLO {name}: alertPolicies (use `detection:` for expected alerts)")


def import_slos(docs: list[dict[str, Any]]) -> Imported:
    """Every objective of every SLO document -> one gameday SLO."""
    unmapped: list[str] = []
    slis = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "SLI"}
    slos: list[dict[str, Any]] = []
    for doc in docs:
        if doc.get("kind") != "SLO":
            if doc.get("kind") not in ("SLI", "Service"):
                unmapped.append(
                    f"{doc.get('kind')} {doc.get('metadata', {}).get('name')}: not an SLO"
                )
            continue
        _noted(doc, unmapped)
        base = doc["metadata"].get("displayName") or doc["metadata"]["name"]
        indicator = _indicator(doc, slis, unmapped)
        objectives = doc["spec"].get("objectives", [])
        for index, objective in enumerate(objectives):
            name = base if len(objectives) == 1 else f"{base} #{index + 1}"
            name = objective.get("displayName") or name
            target = _target(objective)
            metric = objective.get("ratioMetrics") or indicator.get("ratioMetric")
            result = None
            if target is None:
                unmapped.append(f"{name}: objective without target")
            elif metric:
                result = _ratio(metric, target, name, unmapped)
            elif "thresholdMetric" in indicator:
                result = _threshold(indicator["thresholdMetric"], objective, name, unmapped)
            else:
                unmapped.append(f"{name}: indicator is neither ratioMetric nor thresholdMetric")
            if result:
                slos.append(result)
            elif target is not None:
                unmapped.append(f"{name}: not imported")
    return Imported({"slo": slos}, unmapped)
