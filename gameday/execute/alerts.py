"""Watches for the alerts a scenario expects (and PromQL abort conditions) while it runs.

Both run as probe loops at 1 s, so their checks are journaled and timed like any probe:
- `AlertWatch` reads active alerts (Prometheus `/api/v1/alerts` or Alertmanager
  `/api/v2/alerts`) and reports each expected alert when it starts and stops firing, and
  whether its source answered (first read, then every change): an alert can only be
  said never to have fired while the source was reachable throughout;
- `PromqlCondition` turns a PromQL abort condition into samples with alerting-rule
  semantics: bad while the expression returns any series (`up{job="db"} == 0`).
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gameday.errors import GamedayError
from gameday.model.scenario import Detection, ExpectedAlert, Prometheus
from gameday.plugins.protocols import Sample

if TYPE_CHECKING:  # the client (requests, prometheus-api-client) loads only when used
    from gameday.prometheus import PrometheusClient

EVERY = 1.0
AlertChange = Callable[[str, ExpectedAlert, dict[str, str], float | None], None]
"""(`alert-fired` | `alert-resolved`, which alert, its labels, Unix time it started)."""
SourceChange = Callable[[bool, str], None]
"""(reachable, error message or ""): the alert source's reachability changed."""


def source_for(
    detection: Detection, spec: Prometheus | None, prometheus: PrometheusClient | None
) -> Any:
    """Where `detection` reads alerts: Alertmanager, another Prometheus (with the same
    credentials if any), or the scenario's own Prometheus client."""
    from gameday.prometheus import AlertmanagerClient, PrometheusClient

    if detection.source == "alertmanager":
        return AlertmanagerClient(detection.url or "", spec)
    if detection.url:
        return PrometheusClient(
            Prometheus(detection.url)
            if spec is None
            else dataclasses.replace(spec, url=detection.url)
        )
    return prometheus


def _matches(alert: dict[str, Any], expected: ExpectedAlert) -> bool:
    labels = alert.get("labels", {})
    return labels.get("alertname") == expected.name and all(
        labels.get(k) == v for k, v in expected.labels.items()
    )


def _unix(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class AlertWatch:
    def __init__(
        self,
        source: Any,
        expected: tuple[ExpectedAlert, ...],
        on_change: AlertChange,
        on_source: SourceChange | None = None,
    ):
        self.source, self.expected, self.on_change = source, expected, on_change
        self.on_source = on_source
        self.firing: set[str] = set()
        self.reachable: bool | None = None

    def _source_is(self, reachable: bool, error: str) -> None:
        if reachable != self.reachable and self.on_source is not None:
            self.on_source(reachable, error)
        self.reachable = reachable

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        try:
            active = [a for a in self.source.alerts() if a.get("state") == "firing"]
        except GamedayError as exc:
            self._source_is(False, exc.message[:200])
            return Sample(t, False, time.monotonic() - start, None, exc.message[:200])
        self._source_is(True, "")
        now_firing = set()
        for expected in self.expected:
            alert = next((a for a in active if _matches(a, expected)), None)
            if alert is None:
                continue
            now_firing.add(expected.name)
            if expected.name not in self.firing:
                self.on_change(
                    "alert-fired", expected, alert["labels"], _unix(alert.get("activeAt"))
                )
        for expected in self.expected:
            if expected.name in self.firing and expected.name not in now_firing:
                self.on_change("alert-resolved", expected, {}, None)
        self.firing = now_firing
        detail = ", ".join(sorted(now_firing)) or "none of the expected alerts firing"
        return Sample(t, True, time.monotonic() - start, float(len(now_firing)), detail)

    def close(self) -> None:
        pass


BLIND_AFTER = 10.0
"""Seconds a PromQL stop condition may be unreadable before it counts as tripped: a
Prometheus blip never aborts a drill, a Prometheus that stays down does (the safety net
is blind, so the fault is reverted: fail safe, as a health check that cannot be
evaluated halts an attack)."""


class PromqlCondition:
    def __init__(self, client: Any, expr: str, blind_after: float = BLIND_AFTER):
        self.client, self.expr, self.blind_after = client, expr, blind_after
        self._unreadable_since: float | None = None

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        try:
            found = self.client.instant(self.expr, time.time())
        except GamedayError as exc:
            since = self._unreadable_since = (
                t if self._unreadable_since is None else self._unreadable_since
            )
            blind = t - since >= self.blind_after
            detail = f"unreadable for {t - since:.0f}s: {exc.message[:150]}"
            if blind:
                detail = "the stop condition cannot be checked: Prometheus " + detail
            return Sample(t, not blind, time.monotonic() - start, None, detail)
        self._unreadable_since = None
        detail = (
            f"{len(found)} series match {self.expr}" if found else f"no series match {self.expr}"
        )
        return Sample(t, not found, time.monotonic() - start, float(len(found)), detail)

    def close(self) -> None:
        pass
