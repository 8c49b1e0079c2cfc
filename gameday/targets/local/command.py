"""`command` fault: a disaster that is a script. An inject argv and a revert argv, run
without a shell; an optional `select` argv (no side effects) names what will be touched.

The revert argv travels in the injection's undo data, which the runner journals and
fsyncs before the inject command starts, so `gameday recover` can run it after a crash
from the journal alone. Write the revert so that running it twice, or after an inject
that never ran, is harmless (as every fault's revert must be).
"""

from __future__ import annotations

import os
import pwd
import subprocess
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from gameday.errors import StateError, TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams
from gameday.spec.units import Duration
from gameday.state import private_path, read_private, write_private

OUTPUT_LIMIT = 2000
"""Characters of a command's output kept as evidence in the journal."""


class CommandFaultParams(PluginParams):
    inject: list[str] = Field(
        min_length=1, description="Program and arguments that cause the disaster (no shell)."
    )
    revert: list[str] = Field(
        min_length=1,
        description="Program and arguments that undo it; must be harmless when run twice "
        "or after an inject that never ran. Runs after observe, and from `gameday recover`.",
    )
    select: list[str] | None = Field(
        None,
        min_length=1,
        description="A side-effect-free command run at plan time; each non-empty line of its "
        "output names one thing the fault will touch (evidence, blast radius). Empty output "
        "is an empty selection. Without it, the target is the inject command itself.",
    )
    confirm: list[str] | None = Field(
        None,
        min_length=1,
        description="A side-effect-free command run right after `inject`: exit 0 means the "
        "disaster is in place (e.g. the data directory is gone and the port refuses). "
        "Without it the landing is not checked and the scenario is at best inconclusive.",
    )
    user: str | None = Field(
        None, description="Run the commands as this user (gameday must be root to switch)."
    )
    cwd: str | None = Field(None, description="Working directory of the commands.")
    env: dict[str, str] = Field(
        {},
        description="Extra environment variables: the place for secrets (not argv, which "
        "is journaled and visible in ps). Never journaled: the revert reads them back from a "
        "private state file (0600) written just before `inject` runs.",
    )
    timeout: Duration = Field(60.0, description="Seconds each command may take.")
    expect_exit: int = Field(0, description="Exit status that counts as success.")
    revert_after_recovery: bool = Field(
        False,
        description="Run `revert` in rollback, after the recovery steps, as a safety net "
        "(a disaster the runbook must repair, e.g. a deleted data directory), instead of "
        "when the fault duration ends.",
    )


def run_argv(
    argv: list[str],
    *,
    user: str | None,
    cwd: str | None,
    env: dict[str, str],
    timeout: float,
) -> tuple[int, str]:
    """Runs one command; (exit status, combined output tail). Permanent errors raise."""
    environment = {**os.environ, **env}
    if user is not None:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise TargetError(f"no such user `{user}`", hint="check `user`") from None
        environment.update(HOME=entry.pw_dir, USER=user, LOGNAME=user)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=environment,
            user=user,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TargetError(f"`{argv[0]}` timed out after {timeout:g}s") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise TargetError(f"could not start `{argv[0]}`: {exc}", hint="check the argv") from None
    return done.returncode, (done.stdout + done.stderr)[-OUTPUT_LIMIT:]


class CommandFault:
    """Runs `inject` to cause the disaster and `revert` to undo it."""

    name: ClassVar[str] = "command"
    Params: ClassVar[type[CommandFaultParams]] = CommandFaultParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(
        Touches.COMMANDS, "target", ("inject", "revert", "select", "confirm")
    )

    reverts_after_recovery: bool = False
    """Read by the runner after observe; set from the params at selection."""

    def select(self, params: CommandFaultParams, target: object) -> Injection:
        self.reverts_after_recovery = params.revert_after_recovery
        undo: dict[str, Any] = {
            "revert": params.revert,
            "user": params.user,
            "cwd": params.cwd,
            # the values may be secrets: journaled only as the private file they go to
            "env_saved": str(private_path("undo", f"command-env-{uuid.uuid4().hex}.json"))
            if params.env
            else None,
            "timeout": params.timeout,
            "expect_exit": params.expect_exit,
        }
        if params.select is None:
            return Injection(self.name, (f"command:{' '.join(params.inject)}",), undo=undo)
        status, output = run_argv(
            params.select,
            user=params.user,
            cwd=params.cwd,
            env=params.env,
            timeout=params.timeout,
        )
        if status != 0:
            raise TargetError(
                f"the `select` command {params.select[0]} exited {status}: {output.strip()[-300:]}",
                hint="`select` must succeed; it names what the fault will touch",
            )
        lines = tuple(line.strip() for line in output.splitlines() if line.strip())
        return Injection(self.name, lines, undo=undo, evidence={"select_output": output})

    def inject(self, injection: Injection, params: CommandFaultParams, target: object) -> Injection:
        saved = injection.undo.get("env_saved")
        if saved:  # before the inject command: its revert needs the same environment
            try:
                write_private(Path(saved), params.env)
            except StateError as exc:
                raise StateError(
                    f"the inject command did not run: its env could not be saved for the "
                    f"revert ({exc.message})",
                    hint=exc.hint,
                ) from None
        status, output = run_argv(
            params.inject,
            user=params.user,
            cwd=params.cwd,
            env=params.env,
            timeout=params.timeout,
        )
        evidence = {**injection.evidence, "inject_exit": status, "inject_output": output}
        if status != params.expect_exit:
            raise TargetError(
                f"the inject command {params.inject[0]} exited {status} "
                f"(expected {params.expect_exit}): {output.strip()[-300:]}",
                hint="the revert command runs anyway, in rollback",
            )
        return Injection(self.name, injection.targets, injection.undo, evidence)

    def confirm(self, injection: Injection, params: CommandFaultParams, target: object) -> Landing:
        """The scenario's own `confirm` command, run after inject: exit 0 means landed."""
        if params.confirm is None:
            return Landing(
                None,
                f"not checked: the inject command exited {injection.evidence.get('inject_exit')}, "
                "and the fault has no `confirm` command",
            )
        status, output = run_argv(
            params.confirm,
            user=params.user,
            cwd=params.cwd,
            env=params.env,
            timeout=params.timeout,
        )
        checked = f"`{' '.join(params.confirm)}` exited {status}"
        tail = output.strip()[-300:]
        return Landing(status == 0, checked + (f": {tail}" if tail else ""), {"exit": status})

    def revert(self, injection: Injection, target: object) -> None:
        undo = injection.undo
        if not undo:
            return
        env = dict(undo.get("env") or {})  # journals written before env_saved
        saved = Path(undo["env_saved"]) if undo.get("env_saved") else None
        if saved is not None:
            if not saved.exists():
                return  # written before inject ran, so the crash came before it
            env = read_private(saved)
        status, output = run_argv(
            list(undo["revert"]),
            user=undo.get("user"),
            cwd=undo.get("cwd"),
            env=env,
            timeout=float(undo.get("timeout", 60.0)),
        )
        if status != undo.get("expect_exit", 0):
            raise TargetError(
                f"the revert command {undo['revert'][0]} exited {status}: {output.strip()[-300:]}",
                hint="run it by hand: " + " ".join(undo["revert"]),
            )
        if saved is not None:
            saved.unlink(missing_ok=True)
