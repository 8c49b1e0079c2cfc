"""A breach the scenario expects (`expect.breach`): the hypothesis "pages fail while the
store is down and recover within 5s once it is back" is a bounded breach, not a miss.

With `expect.breach`, the SLOs are judged *outside* the breach (from the moment every
SLO probe held again to the end of verification), and the breach itself is judged by
its bounds:
  max_burn        error budget burned over the fault window, as a multiple of the budget
  detect_within   injection -> the first expected alert (or, without `detection`, the
                  first failing sample of an SLO probe)
  recover_within  fault reverted -> every SLO probe healthy again
A run without any breach is a surprise (`inconclusive`): the dependency may not be one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameday.model.scorecard import AlertResult, Bound, SloResult
from gameday.scoring.recovery import Recovery


@dataclass(frozen=True)
class Expectation:
    max_burn: float | None
    detect_within: float | None
    recover_within: float | None

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Expectation | None:
        breach = (spec.get("expect") or {}).get("breach")
        if breach is None:
            return None
        return cls(
            breach.get("max_burn"), breach.get("detect_within"), breach.get("recover_within")
        )

    def surprise(self) -> str:
        return (
            "no impact observed although the scenario expects a breach: the fault may not "
            "have reached the service, or it does not depend on what was broken (a surprise "
            "worth a look)"
        )

    def check(
        self,
        whole_window: tuple[SloResult, ...],
        recovery: Recovery,
        alerts: tuple[AlertResult, ...],
        revert_t: float | None,
        inject_t: float,
    ) -> tuple[Bound, ...]:
        if recovery.status == "no impact observed":
            return ()
        bounds: list[Bound] = []
        if self.max_burn is not None:
            for slo in whole_window:
                if slo.budget_consumed is None:
                    continue
                bounds.append(
                    Bound(
                        f"error budget burned ('{slo.name}')",
                        f"{self.max_burn:g}x budget",
                        f"{slo.budget_consumed:.2f}x budget",
                        slo.budget_consumed <= self.max_burn,
                    )
                )
        if self.detect_within is not None:
            bounds.append(self._detection(recovery, alerts, inject_t))
        if self.recover_within is not None:
            bounds.append(self._recovery(recovery, revert_t, inject_t))
        return tuple(bounds)

    def _detection(
        self, recovery: Recovery, alerts: tuple[AlertResult, ...], inject_t: float
    ) -> Bound:
        limit = f"{self.detect_within:g}s"
        if alerts:
            times = [a.time_to_detect for a in alerts if a.time_to_detect is not None]
            if not times:
                unknown = any(a.status == "unknown" for a in alerts)
                return Bound(
                    "time to detect",
                    limit,
                    "unknown" if unknown else "never",
                    None if unknown else False,
                )
            ttd, what = min(times), "first expected alert"
        else:
            ttd, what = (recovery.impact_t or inject_t) - inject_t, "first failing probe sample"
        return Bound(
            "time to detect",
            limit,
            f"{ttd:.2f}s ({what})",
            ttd <= (self.detect_within or 0.0),
        )

    def _recovery(self, recovery: Recovery, revert_t: float | None, inject_t: float) -> Bound:
        limit = f"{self.recover_within:g}s after the fault ended"
        if recovery.recovered_t is None:
            return Bound("time to recover", limit, "did not recover", False)
        since = revert_t if revert_t is not None else inject_t
        took = max(0.0, recovery.recovered_t - since)
        return Bound(
            "time to recover",
            limit,
            f"{took:.2f}s after the fault ended",
            took <= (self.recover_within or 0.0),
        )
