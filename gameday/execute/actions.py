"""Built-in recovery and rollback actions: wait_for, command, http, manual."""

from __future__ import annotations

import http.client
import json
import subprocess
import time
import urllib.parse
from typing import Any, ClassVar

from pydantic import Field, model_validator

from gameday import deadlines
from gameday.execute.waiting import unanswered, wait_until
from gameday.plugins.protocols import SHELL_COMMAND, ActionContext, StepOutcome
from gameday.spec.base import PluginParams, exactly_one
from gameday.spec.formats import HttpUrl
from gameday.spec.units import Duration

OUTPUT_LIMIT = 4000
"""Characters of captured output kept in the journal."""


class WaitForParams(PluginParams):
    probe: str = Field(description="A steady_state probe whose samples are watched.")
    successes: int = Field(3, ge=1, description="Consecutive good samples needed.")
    interval: Duration = Field(0.2, description="How often to check, seconds.")


class WaitFor:
    """Waits until `successes` consecutive samples taken since the step began are good:
    samples from before (say, before a revert started a rollout) never count."""

    name: ClassVar[str] = "wait_for"
    Params: ClassVar[type[WaitForParams]] = WaitForParams

    def run(self, params: WaitForParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        since = time.monotonic()
        before = ctx.samples(params.probe)
        last_before = before[-1].t if before else float("-inf")

        def healthy() -> bool:
            recent = [
                s for s in ctx.samples(params.probe)[-params.successes :] if s.t > last_before
            ]
            return len(recent) == params.successes and all(s.ok for s in recent)

        if wait_until(healthy, timeout, params.interval):
            return StepOutcome(
                True, f"{params.probe} healthy after {time.monotonic() - since:.2f}s"
            )
        return StepOutcome(False, f"{params.probe} not healthy within {round(timeout, 2):g}s")


class CommandParams(PluginParams):
    schema_rules = (exactly_one("argv", "shell"),)

    argv: list[str] | None = Field(
        None, min_length=1, description="Program and arguments, run without a shell."
    )
    shell: str | None = Field(
        None,
        description="A shell command line; template values in it are shell-quoted.",
        json_schema_extra=SHELL_COMMAND,
    )
    expect_exit: int = 0
    cwd: str | None = None
    user: str | None = Field(
        None,
        description="Run as this user (gameday must be root), e.g. `postgres` for pg_ctl.",
    )

    @model_validator(mode="after")
    def _one(self) -> CommandParams:
        if (self.argv is None) == (self.shell is None):
            raise ValueError("give exactly one of `argv` (preferred) or `shell`")
        return self


class Command:
    name: ClassVar[str] = "command"
    Params: ClassVar[type[CommandParams]] = CommandParams

    def run(self, params: CommandParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        command: Any = params.argv if params.argv is not None else params.shell
        try:
            done = subprocess.run(
                command,
                shell=params.shell is not None,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=params.cwd,
                user=params.user,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return StepOutcome(False, f"timed out after {timeout:g}s")
        except (OSError, KeyError, subprocess.SubprocessError) as exc:
            return StepOutcome(False, f"could not start: {getattr(exc, 'strerror', None) or exc}")
        output = (done.stdout + done.stderr)[-OUTPUT_LIMIT:]
        ok = done.returncode == params.expect_exit
        return StepOutcome(ok, f"exit {done.returncode} (expected {params.expect_exit})", output)


class HttpParams(PluginParams):
    url: HttpUrl = Field(description="URL to call (`HOST:PORT/path` means http).")
    method: str = "POST"
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = {}
    expect_status: list[int] = [200, 201, 202, 204]
    body_contains: str | None = None


class Http:
    name: ClassVar[str] = "http"
    Params: ClassVar[type[HttpParams]] = HttpParams

    def run(self, params: HttpParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        url = urllib.parse.urlsplit(params.url)
        conn_type = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_type(url.hostname or "127.0.0.1", url.port, timeout=timeout)
        headers = dict(params.headers)
        body: bytes | None = None
        if isinstance(params.body, dict):
            body = json.dumps(params.body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif params.body is not None:
            body = params.body.encode()
        start = time.monotonic()
        try:
            with deadlines.cut_off(conn, timeout):
                conn.request(params.method, url.path or "/", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode(errors="replace")
            if time.monotonic() - start >= timeout:
                raise TimeoutError
        except (OSError, http.client.HTTPException) as exc:
            why: object = exc
            if time.monotonic() - start >= timeout:  # cut off at the deadline, whatever it raised
                why = f"no complete answer within {round(timeout, 2):g}s (timed out)"
            return StepOutcome(False, f"{params.method} {params.url} failed: {why}")
        finally:
            conn.close()
        ok = response.status in params.expect_status and (
            params.body_contains is None or params.body_contains in text
        )
        return StepOutcome(ok, f"HTTP {response.status}", text[:OUTPUT_LIMIT])


class ManualParams(PluginParams):
    instructions: str = Field(description="Runbook text shown to the operator.")


class Manual:
    """A human step: shows the runbook text, waits for the operator, records how long."""

    name: ClassVar[str] = "manual"
    Params: ClassVar[type[ManualParams]] = ManualParams

    def run(self, params: ManualParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        if ctx.auto_approve:
            return StepOutcome(True, "auto-approved (--auto-approve)")
        if not ctx.interactive:
            return StepOutcome(
                False,
                "manual step needs an operator: run on a terminal, or pass --auto-approve",
            )
        start = time.monotonic()
        done = ctx.ask(params.instructions, timeout)
        took = time.monotonic() - start
        if done is None:
            return StepOutcome(False, f"the operator gave {unanswered(took, timeout)}")
        return StepOutcome(
            done, f"operator {'completed' if done else 'declined'} after {took:.1f}s"
        )
