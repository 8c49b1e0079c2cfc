"""Reads Prometheus (PromQL SLIs, PromQL abort conditions, alerts) and Alertmanager,
through prometheus-api-client. Query errors and empty results become gameday errors
with hints: a query that returns no series is never taken for a pass. Every request has
a connect and a read timeout (`gameday.deadlines`; alert reads, made every second, a
shorter one) and the client's own retries are limited to reconnects and 5xx answers,
never a hung read, so they stay inside the caller's deadline. An unreachable or silent
server is a one-line `DependencyError`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3 import Retry

from gameday import deadlines, unreachable
from gameday.errors import DependencyError, TargetError
from gameday.model.scenario import Prometheus

RETRY = Retry(
    total=2,
    connect=1,
    read=0,
    status=1,
    other=0,
    backoff_factor=0.2,
    status_forcelist=(502, 503, 504),
    raise_on_status=False,
)
"""Inside one call: one reconnect and one retry of a 502-504, never a timed-out read."""


def _timeout() -> tuple[float, float]:
    return (deadlines.connect(), deadlines.read())


def _unreachable(what: str, exc: requests.RequestException, read: float) -> DependencyError:
    return DependencyError(
        what,
        unreachable.reason(exc, deadlines.connect(), read),
        hint="is it running and reachable from here? (check the URL)",
    )


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]
    """(Unix time, value) pairs; one pair for an instant query."""


class NoSeries(TargetError):
    """The query matched nothing: a misspelt metric or label, or nothing scraped yet."""


def _when(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, datetime.UTC)


class PrometheusClient:
    def __init__(self, spec: Prometheus):
        session = requests.Session()
        if spec.ca_file:
            session.verify = spec.ca_file
        headers = dict(spec.headers)
        if spec.bearer_token:
            headers["Authorization"] = f"Bearer {spec.bearer_token}"
        self.url = spec.url.rstrip("/")
        self.session, self.headers = session, headers
        self.api = PrometheusConnect(
            url=self.url,
            headers=headers,
            disable_ssl=spec.insecure_skip_verify,
            session=session,
            timeout=_timeout(),
            retry=RETRY,
        )

    def instant(self, expr: str, at: float) -> list[Series]:
        result: Any = self._ask(
            expr, lambda: self.api.custom_query(expr, params={"time": f"{at:.3f}"})
        )
        if len(result) == 2 and not isinstance(result[0], dict):  # a scalar: [t, "v"]
            return [Series({}, [(float(result[0]), float(result[1]))])]
        return [_series(r) for r in result]

    def range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        """Evaluated from `start` to `end` exactly: the client library rounds its datetimes
        to whole seconds, so the Unix times are passed as params, which it lets win."""
        result = self._ask(
            expr,
            lambda: self.api.custom_query_range(
                expr,
                _when(start),
                _when(end),
                f"{max(step, 0.001):g}",
                params={"start": f"{start:.3f}", "end": f"{end:.3f}"},
            ),
        )
        return [_series(r) for r in result]

    def value(self, expr: str, at: float) -> float:
        """The single number an expression gives at `at` (summed over series)."""
        found = self.instant(expr, at)
        if not found:
            raise NoSeries(
                f"PromQL returned no series: {expr}",
                hint="check the metric name and label matchers in the Prometheus UI; "
                "a target that is not scraped yet returns nothing too",
            )
        return sum(s.points[-1][1] for s in found)

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts from Prometheus (`/api/v1/alerts`): labels, state, activeAt."""
        data = self._get("/api/v1/alerts")
        alerts: list[dict[str, Any]] = data["data"]["alerts"]
        return alerts

    def _get(self, path: str) -> Any:
        read = deadlines.alert_read()
        try:
            response = self.session.get(
                self.url + path, headers=self.headers, timeout=(deadlines.connect(), read)
            )
            response.raise_for_status()
            return response.json()
        except requests.exceptions.JSONDecodeError:
            raise TargetError(f"Prometheus {self.url + path}: the answer is not JSON") from None
        except requests.HTTPError as exc:
            raise TargetError(f"Prometheus {self.url + path}: {exc}") from None
        except requests.RequestException as exc:
            raise _unreachable(f"Prometheus {self.url}", exc, read) from None

    def _ask(self, expr: str, call: Any) -> list[dict[str, Any]]:
        try:
            result: list[dict[str, Any]] = call()
        except PrometheusApiClientException as exc:
            raise TargetError(
                f"Prometheus refused the query `{expr}`: {exc}",
                hint="check the PromQL syntax (the Prometheus UI shows where it breaks)",
            ) from None
        except requests.RequestException as exc:
            raise _unreachable(f"Prometheus {self.url}", exc, deadlines.read()) from None
        return result


def _series(result: dict[str, Any]) -> Series:
    if "values" in result:
        points = [(float(t), float(v)) for t, v in result["values"]]
    else:
        t, v = result["value"]
        points = [(float(t), float(v))]
    return Series(dict(result.get("metric", {})), points)


class AlertmanagerClient:
    def __init__(self, url: str, spec: Prometheus | None):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if spec and spec.ca_file:
            self.session.verify = spec.ca_file

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts (`/api/v2/alerts`), reshaped like Prometheus's: labels, state, activeAt."""
        read = deadlines.alert_read()
        try:
            response = self.session.get(
                self.url + "/api/v2/alerts",
                params={"active": "true"},
                timeout=(deadlines.connect(), read),
            )
            response.raise_for_status()
            found = response.json()
        except requests.exceptions.JSONDecodeError:
            raise TargetError(f"Alertmanager {self.url}: the answer is not JSON") from None
        except requests.HTTPError as exc:
            raise TargetError(f"Alertmanager {self.url}: {exc}") from None
        except requests.RequestException as exc:
            raise _unreachable(f"Alertmanager {self.url}", exc, read) from None
        return [
            {"labels": a["labels"], "state": "firing", "activeAt": a["startsAt"]} for a in found
        ]
