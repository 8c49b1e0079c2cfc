"""Prometheus as an SLI source: the connection, ready-made SLI shapes and the
multiwindow burn-rate objective.

Squads write a metric name and a label selector; gameday writes the PromQL:

- `request-ratio`: a request counter with a status label, errors = codes matching
  `error_codes` (default `5..`): ratio = 1 - increase(errors) / increase(all);
- `counter-ratio`: two counters of your own, `errors` (or `good`) and `total`;
- `histogram-latency`: `histogram_quantile` over a `_bucket` histogram;
- `promql`: any expression, judged by a `threshold`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from gameday.spec.base import StrictModel, exactly_one
from gameday.spec.formats import HttpUrl
from gameday.spec.units import Duration, Ratio

METRIC = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"


STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')


def promql_problem(expr: str) -> str | None:
    """What is lexically wrong with a PromQL expression (unbalanced brackets or quotes),
    or None. The server's parser has the last word when the query first runs."""
    if not expr.strip():
        return "empty PromQL expression"
    bare = STRINGS.sub('""', expr)
    if any(q in bare.replace('""', "") for q in "\"'`"):
        return f"unterminated string in PromQL `{expr}`"
    closing = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for ch in bare:
        if ch in "([{":
            stack.append(ch)
        elif ch in closing and (not stack or stack.pop() != closing[ch]):
            return f"unbalanced `{ch}` in PromQL `{expr}`"
    if stack:
        return f"unclosed `{stack[-1]}` in PromQL `{expr}`"
    return None


def _checked(expr: str) -> str:
    problem = promql_problem(expr)
    if problem:
        raise ValueError(problem)
    return expr


class PrometheusSpec(StrictModel):
    """Where PromQL SLIs, PromQL abort conditions and alerts are read from."""

    url: HttpUrl = Field(description="e.g. `http://prometheus:9090` (or `prometheus:9090`).")
    headers: dict[str, str] = Field({}, description="Extra headers, e.g. X-Scope-OrgID.")
    bearer_token: str | None = Field(None, description="Sent as `Authorization: Bearer ...`.")
    ca_file: str | None = Field(
        None, description="CA bundle to verify the server's TLS certificate."
    )
    insecure_skip_verify: bool = False


class _Selector(StrictModel):
    matchers: str = Field(
        "", description='Label matchers without braces, e.g. `job="web", route="/checkout"`.'
    )

    @field_validator("matchers")
    @classmethod
    def _balanced(cls, value: str) -> str:
        _checked("{" + value + "}")
        return value


class RequestRatioSli(_Selector):
    type: Literal["request-ratio"]
    metric: str = Field(pattern=METRIC, description="A request counter, e.g. http_requests_total.")
    code_label: str = "code"
    error_codes: str = Field("5..", description="Regex of the status codes that are errors.")


class CounterRatioSli(StrictModel):
    schema_rules = (exactly_one("errors", "good"),)

    type: Literal["counter-ratio"]
    total: str = Field(description="Counter selector of all events.")
    errors: str | None = Field(None, description="Counter selector of bad events.")
    good: str | None = Field(None, description="Counter selector of good events.")

    @model_validator(mode="after")
    def _one(self) -> CounterRatioSli:
        if (self.errors is None) == (self.good is None):
            raise ValueError("give exactly one of `errors` or `good`")
        for expr in (self.total, self.errors or self.good or ""):
            _checked(expr)
        return self


class HistogramLatencySli(_Selector):
    type: Literal["histogram-latency"]
    metric: str = Field(
        pattern=METRIC, description="Histogram base name, e.g. http_request_duration_seconds."
    )


class PromqlSli(StrictModel):
    type: Literal["promql"]
    expr: str

    @field_validator("expr")
    @classmethod
    def _lexical(cls, value: str) -> str:
        return _checked(value)


SliShape = RequestRatioSli | CounterRatioSli | HistogramLatencySli | PromqlSli


class BurnWindow(StrictModel):
    long: Duration
    short: Duration
    factor: float = Field(gt=0, description="Burn rate that pages, e.g. 14.4.")

    @model_validator(mode="after")
    def _ordered(self) -> BurnWindow:
        if self.short >= self.long:
            raise ValueError("`short` must be shorter than `long`")
        return self


class BurnRate(StrictModel):
    """Multiwindow burn-rate objective (Google SRE workbook, ch. 5): missed when, at any
    moment of the fault window, both windows of a pair burn faster than its factor."""

    objective: Ratio = Field(description="The SLO whose error budget burns, e.g. 99.9%.")
    windows: list[BurnWindow] = Field(
        default_factory=lambda: [
            BurnWindow.model_validate({"long": "1h", "short": "5m", "factor": 14.4}),
            BurnWindow.model_validate({"long": "6h", "short": "30m", "factor": 6.0}),
        ],
        min_length=1,
        description="Default: the workbook's paging pairs 1h/5m at 14.4 and 6h/30m at 6.",
    )
