"""Watching a scenario while it runs: probe samples (journaled and checked against the
stop conditions as they come), whether the steady state held over a window, and
monitoring (the Prometheus and alert source must answer before injection; PromQL stop
conditions and expected alerts as 1 s loops; PromQL SLIs measured after rollback)."""

from __future__ import annotations

import functools
import time
from typing import Any

from rich.markup import escape

from gameday.errors import GamedayError
from gameday.execute import alerts
from gameday.execute.options import ScenarioEnded, with_hint
from gameday.execute.sampling import ProbeLoop
from gameday.execute.scenario_state import ScenarioState
from gameday.execute.waiting import retry_transient
from gameday.model import journal as j
from gameday.model.scenario import AbortCondition, ExpectedAlert, Probe
from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams

DETECTION_PROBE = "detection"
"""The internal probe loop that reads alerts (its samples are journaled, not scored)."""


class Observing(ScenarioState):
    def _check_monitoring(self) -> None:
        """The Prometheus and alert source the scenario measures with must answer before
        anything is injected: a run that cannot be measured is an error, not a result."""
        sources: list[Any] = [self.prometheus] if self.prometheus is not None else []
        if self.s.detection is not None:
            sources.append(alerts.source_for(self.s.detection, self.s.prometheus, self.prometheus))
        for source in sources:
            if source is None:
                continue
            try:
                retry_transient(source.alerts)
            except GamedayError as exc:
                raise ScenarioEnded(
                    "error", "cannot measure: " + with_hint(exc.message, exc.hint)
                ) from None

    def _watch_prometheus(self) -> None:
        """PromQL abort conditions and expected alerts, each checked every second."""
        every = alerts.EVERY
        for index, condition in enumerate(self.s.abort_when):
            if condition.promql and self.prometheus is not None:
                name = _abort_probe(condition, index)
                session = alerts.PromqlCondition(self.prometheus, condition.promql)
                self.sampler.add(
                    ProbeLoop(
                        Probe(name, "promql", every, PluginParams()),
                        session,
                        self.clock,
                        self._on_sample,
                    )
                )
        detection = self.s.detection
        if detection is None:
            return
        source = alerts.source_for(detection, self.s.prometheus, self.prometheus)
        watch = alerts.AlertWatch(
            source,
            detection.expect_alerts,
            self._alert_changed,
            functools.partial(self._alert_source, getattr(source, "url", "")),
        )
        self.sampler.add(
            ProbeLoop(
                Probe(DETECTION_PROBE, "alerts", every, PluginParams()),
                watch,
                self.clock,
                self._on_sample,
            )
        )

    def _alert_changed(
        self, change: str, alert: ExpectedAlert, labels: dict[str, str], started: float | None
    ) -> None:
        kind = j.AlertFired if change == "alert-fired" else j.AlertResolved
        self.write(
            kind(scenario=self.s.name, alert=alert.name, labels=labels, started_wall=started)
        )
        self.view.log(escape(f"{self.s.name}: {change.replace('-', ' ')}: {alert.name}"))

    def _alert_source(self, url: str, reachable: bool, error: str) -> None:
        """Journaled on the first read and on every change (`alert-source`), so scoring
        can tell "never fired" from "could not be read" (detection unknown)."""
        self.write(j.AlertSource(scenario=self.s.name, url=url, reachable=reachable, error=error))
        if not reachable:
            self.view.log(escape(f"{self.s.name}: alert source unreachable: {error}"))

    def _measure_slis(self) -> None:
        """After rollback (never delaying a revert): PromQL SLIs over the fault window
        (and, for an expected breach, over the verify window after it)."""
        if self.prometheus is None or not self.window_wall:
            return
        from gameday.execute import promsli  # the Prometheus client loads only when used

        start = self.window_wall[0]
        end = self.window_wall[1] if len(self.window_wall) > 1 else time.time()
        windows = [(start, end)]
        if self.s.expect is not None and len(self.window_wall) > 2:
            # an expected breach: the objectives must also hold after it (verify window)
            windows.append((self.window_wall[1], self.window_wall[2]))
        unreachable: dict[str, Any] | None = None  # after one timeout, ask no more
        for slo in self.s.slos:
            for a, b in windows if slo.sli is not None else ():
                result = unreachable or promsli.measure(self.prometheus, slo, a, b)
                if result.get("unreachable"):
                    unreachable = result
                self.write(
                    j.SliMeasured(
                        scenario=self.s.name, slo=slo.name, start_wall=a, end_wall=b, result=result
                    )
                )

    def _hold_failures(self, since: float, probes: tuple[Probe, ...] | None = None) -> list[str]:
        failures = []
        for probe in self.s.steady_state.probes if probes is None else probes:
            samples = self.sampler.since(probe.name, since)
            good = sum(x.ok for x in samples)
            if not samples or good / len(samples) < self.s.steady_state.success_ratio:
                last = next((x.detail for x in reversed(samples) if not x.ok), "no samples")
                failures.append(f"{probe.name} {good}/{len(samples)} good (last failure: {last})")
        return failures

    def _on_sample(self, probe: str, sample: Sample) -> None:
        self.journal.sample(self.s.name, probe, sample)
        self.view.sample(probe, sample)
        if self.inject_t is None or self.abort.is_set() or self.outstanding == []:
            return
        for index, condition in enumerate(self.s.abort_when):
            if (
                _abort_probe(condition, index) != probe
                or sample.t - self.inject_t < condition.window
            ):
                continue
            window = self.sampler.since(probe, sample.t - condition.window)
            bad = sum(not x.ok for x in window)
            if window and bad / len(window) >= condition.error_ratio:
                self.abort_reason = (
                    f"abort_when tripped: {probe} {bad}/{len(window)} failing "
                    f"over {condition.window:g}s"
                    + (f" ({sample.detail})" if sample.detail and not sample.ok else "")
                )
                self.write(
                    j.AbortCondition(
                        scenario=self.s.name,
                        probe=probe,
                        bad=bad,
                        total=len(window),
                        known_t=round(sample.t + (sample.latency or 0.0), 4),
                    )
                )
                self.abort.set()


def _abort_probe(condition: AbortCondition, index: int) -> str:
    """The probe an abort condition watches: its own, or the internal PromQL one."""
    return condition.probe or f"abort-promql-{index + 1}"
