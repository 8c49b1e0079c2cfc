"""The local target plugin: this machine, optionally with a supervisord managing services.

Every XML-RPC call to supervisord has a connect and a read timeout (`gameday.deadlines`);
a supervisor that does not answer is a one-line `DependencyError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import Field

from gameday import deadlines, unreachable
from gameday.errors import DependencyError, TargetError
from gameday.spec.base import PluginParams
from gameday.spec.formats import HttpUrl
from gameday.targets.local.selector import match_programs


class LocalParams(PluginParams):
    supervisor: HttpUrl | None = Field(
        None,
        description="XML-RPC URL of a supervisord (e.g. http://127.0.0.1:9001/RPC2, or "
        "`127.0.0.1:9001`) whose programs `service:` selectors and `dependency-outage` refer to.",
    )


@dataclass
class LocalSession:
    """A connected local target."""

    params: LocalParams
    kind: str = "local"
    _rpc: Any = field(default=None, repr=False)

    def describe(self) -> str:
        where = f" (supervisor {self.params.supervisor})" if self.params.supervisor else ""
        return f"local host{where}"

    @property
    def supervisor(self) -> Any:
        if self.params.supervisor is None:
            raise TargetError(
                "this fault or probe names a `service`, but the target has no supervisor",
                hint="set `target.supervisor` to the supervisord XML-RPC URL",
            )
        if self._rpc is None:
            import xmlrpc.client  # with http.client: imported when a supervisor is called

            from gameday.targets.local.rpc import transport

            self._rpc = xmlrpc.client.ServerProxy(
                self.params.supervisor,
                transport=transport(self.params.supervisor),
                allow_none=True,
            )
        return self._rpc

    def check(self) -> None:
        """Preflight: a configured supervisor must answer."""
        if self.params.supervisor is not None:
            self.programs()

    def programs(self) -> list[dict[str, Any]]:
        import http.client
        import xmlrpc.client

        try:
            infos: list[dict[str, Any]] = self.supervisor.supervisor.getAllProcessInfo()
        except (OSError, xmlrpc.client.Error, http.client.HTTPException) as exc:
            raise self._unreachable(exc, "getAllProcessInfo") from None
        return infos

    def supervisor_pids(self, pattern: str) -> dict[int, str]:
        """PID -> program name of the running programs matching `pattern`."""
        infos = self.programs()
        names = match_programs([_full_name(i) for i in infos], pattern) or match_programs(
            [i["name"] for i in infos], pattern
        )
        return {
            i["pid"]: _full_name(i)
            for i in infos
            if (_full_name(i) in names or i["name"] in names) and i["pid"]
        }

    def program_names(self, pattern: str) -> list[str]:
        infos = self.programs()
        return sorted(
            _full_name(i) for i in infos if match_programs([_full_name(i), i["name"]], pattern)
        )

    def stop_program(self, name: str) -> None:
        self._call("stopProcess", name, "NOT_RUNNING")

    def start_program(self, name: str) -> None:
        self._call("startProcess", name, "ALREADY_STARTED")

    def _call(self, method: str, name: str, harmless: str) -> None:
        import http.client
        import xmlrpc.client

        try:
            getattr(self.supervisor.supervisor, method)(name, True)
        except xmlrpc.client.Fault as exc:
            if harmless not in exc.faultString:
                raise TargetError(
                    f"supervisor {method}({name}) failed: {exc.faultString}"
                ) from None
        except (OSError, xmlrpc.client.ProtocolError, http.client.HTTPException) as exc:
            raise self._unreachable(exc, f"{method}({name})") from None

    def _unreachable(self, exc: BaseException, call: str) -> DependencyError:
        import xmlrpc.client

        if isinstance(exc, xmlrpc.client.ProtocolError):
            why = f"HTTP {exc.errcode} {exc.errmsg}"
        else:
            why = unreachable.reason(exc, deadlines.connect(), deadlines.read())
        return DependencyError(
            f"supervisord {self.params.supervisor}",
            f"{call}: {why}",
            hint="is supervisord running and answering? (`gameday demo` starts one)",
        )

    def cmdlines(self, targets: tuple[str, ...]) -> dict[int, str]:
        """Command lines of the processes behind `pid:N ...` and `program:NAME` targets."""
        import psutil

        pids = [int(t.split()[0][4:]) for t in targets if t.startswith("pid:")]
        for target in targets:
            if target.startswith("program:"):
                pids += list(self.supervisor_pids(target.removeprefix("program:")))
        found = {}
        for pid in pids:
            try:
                found[pid] = " ".join(psutil.Process(pid).cmdline())
            except psutil.Error:
                continue
        return found

    def close(self) -> None:
        self._rpc = None


def _full_name(info: dict[str, Any]) -> str:
    group, name = info.get("group"), info["name"]
    return name if group in (None, name) else f"{group}:{name}"


class LocalTarget:
    name: ClassVar[str] = "local"
    Params: ClassVar[type[LocalParams]] = LocalParams

    def connect(self, params: LocalParams) -> LocalSession:
        session = LocalSession(params)
        session.check()
        return session
