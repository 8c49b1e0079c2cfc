"""`expect:` in a Scenario: the SLO behaviour the hypothesis predicts, when that is a
breach ("pages fail while the store is down and recover within 5s once it is back").

With `expect.breach`, the SLOs must hold *outside* the breach (from when every SLO
probe is healthy again to the end of verification) and the breach itself must stay
within its bounds. A run with no breach at all is `inconclusive` (a surprise: the
dependency may not be one); a longer breach, more burn or late detection fails.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from gameday.spec.base import StrictModel, at_least_one
from gameday.spec.units import Duration


class BreachBounds(StrictModel):
    """Bounds on the breach the scenario expects while its fault is in place."""

    schema_rules = (at_least_one("max_burn", "detect_within", "recover_within"),)

    max_burn: float | None = Field(
        None,
        gt=0,
        description="At most this multiple of the error budget burned over the fault window "
        "(1 = the whole budget, 20 = twenty budgets), per availability SLO.",
    )
    detect_within: Duration | None = Field(
        None,
        description="Seconds from the injection to detection: the first expected alert "
        "(`detection`), else the first failing sample of an SLO probe.",
    )
    recover_within: Duration | None = Field(
        None,
        description="Seconds from the fault's revert until every SLO probe is healthy again.",
    )

    @model_validator(mode="after")
    def _some_bound(self) -> BreachBounds:
        if self.max_burn is None and self.detect_within is None and self.recover_within is None:
            raise ValueError("give at least one of `max_burn`, `detect_within`, `recover_within`")
        return self


class ExpectSpec(StrictModel):
    """What the hypothesis predicts for the SLOs."""

    breach: BreachBounds = Field(
        description="The SLOs are expected to be breached while the fault is in place, "
        "within these bounds."
    )
