"""Fault windows as Grafana annotations, through Grafana's HTTP API (POST /api/annotations,
a service-account token as Bearer). One region annotation per injected fault, tagged
`gameday`, the drill, scenario, fault and verdict, so a dashboard can show them with an
annotation query filtered by tag. Every request has a deadline. Used by `gameday publish
RUN_DIR --grafana-url`, and after every `gameday run` when GAMEDAY_GRAFANA_URL and
GAMEDAY_GRAFANA_TOKEN are set.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from gameday.errors import TargetError
from gameday.interop.faultwindows import FaultWindow, fault_windows
from gameday.model.scorecard import Scorecard


def annotation(window: FaultWindow) -> dict[str, Any]:
    """The request body for one window (times in Unix milliseconds, as Grafana wants)."""
    tags = ["gameday", f"drill:{window.drill}", f"scenario:{window.scenario}",
            f"fault:{window.fault}", f"verdict:{window.verdict}"]  # fmt: skip
    if window.service:
        tags.append(f"service:{window.service}")
    return {
        "time": int(window.start * 1000),
        "timeEnd": int(window.end * 1000),
        "tags": tags,
        "text": f"gameday {window.drill}/{window.scenario}: {window.fault} ({window.verdict}), "
        f"run {window.run_id}",
    }


def post_annotations(
    url: str, token: str, windows: list[FaultWindow], timeout: float = 5.0
) -> list[int]:
    """Creates one annotation per window; returns the ids Grafana gave them."""
    ids = []
    endpoint = url.rstrip("/") + "/api/annotations"
    for window in windows:
        request = urllib.request.Request(
            endpoint,
            data=json.dumps(annotation(window)).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                ids.append(int(json.loads(response.read() or b"{}").get("id", 0)))
        except urllib.error.HTTPError as exc:
            hint = (
                "the token needs the annotations:write permission (a Grafana service account "
                "with the Editor role)"
                if exc.code in (401, 403)
                else "check --grafana-url (the Grafana base URL, e.g. http://grafana:3000)"
            )
            raise TargetError(
                f"Grafana refused the annotation: HTTP {exc.code}", hint=hint
            ) from None
        except (OSError, ValueError) as exc:
            raise TargetError(
                f"cannot post annotations to {endpoint}: {exc}",
                hint="check --grafana-url; the reports were written all the same",
            ) from None
    return ids


def publish_from_env(card: Scorecard) -> int | None:
    """After every run: annotate its fault windows when GAMEDAY_GRAFANA_URL and
    GAMEDAY_GRAFANA_TOKEN are both set (None when they are not)."""
    url, token = os.environ.get("GAMEDAY_GRAFANA_URL"), os.environ.get("GAMEDAY_GRAFANA_TOKEN")
    if not url or not token:
        return None
    return len(post_annotations(url, token, fault_windows(card)))
