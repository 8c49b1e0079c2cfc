"""`latency` and `http-error`: toxics added to a route of a running `gameday proxy`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any, ClassVar, Literal

from pydantic import Field

from gameday.errors import TargetError, TransientError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams
from gameday.spec.formats import HttpUrl
from gameday.spec.units import Duration, Ratio


class ProxyParams(PluginParams):
    admin: HttpUrl = Field(
        description="Admin address of the fault proxy: `127.0.0.1:9100` as given to "
        "`gameday proxy --admin`, or `http://127.0.0.1:9100`."
    )
    route: str = Field(description="The proxy route in front of the affected port.")


class LatencyParams(ProxyParams):
    delay: Duration = Field(description="Added delay per request, seconds.")
    jitter: Duration = Field(0.0, description="Uniform +/- jitter around `delay`, seconds.")


class HttpErrorParams(ProxyParams):
    ratio: Ratio = Field(description="Fraction of connections that fail.")
    status: int = Field(503, ge=400, le=599, description="HTTP status returned in `status` mode.")
    mode: Literal["status", "reset"] = Field(
        "status", description="Answer `status`, or reset the TCP connection."
    )


def admin_call(admin: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(admin.rstrip("/") + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise TargetError(
            f"fault proxy {admin} answered {exc.code} to {method} {path}: {exc.read()[:200]!r}"
        ) from None
    except ValueError as exc:  # not a URL urllib can open
        raise TargetError(f"fault proxy admin URL {admin!r}: {exc}", hint="check `admin`") from None
    except OSError as exc:
        raise TransientError(
            f"fault proxy at {admin} did not answer: {exc}",
            hint="start it with `gameday proxy --admin PORT --route NAME=LISTEN:UPSTREAM`",
        ) from None


class _ProxyFault:
    name: ClassVar[str]
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = False
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.PROXY, "route", ("admin",))

    def toxic(self, params: Any) -> dict[str, Any]:
        raise NotImplementedError

    def select(self, params: ProxyParams, target: object) -> Injection:
        routes = admin_call(params.admin, "GET", "/routes")
        if params.route not in routes:
            return Injection(self.name, (), evidence={"routes": sorted(routes)})
        toxic_id = f"gameday-{uuid.uuid4().hex[:10]}"
        route = routes[params.route]
        return Injection(
            self.name,
            (f"proxy-route:{params.route} :{route['listen']}->{route['upstream_port']}",),
            undo={"admin": params.admin, "route": params.route, "toxic": toxic_id},
            evidence={"toxic": self.toxic(params)},
        )

    def inject(self, injection: Injection, params: ProxyParams, target: object) -> Injection:
        undo = injection.undo
        admin_call(
            undo["admin"],
            "PUT",
            f"/routes/{undo['route']}/toxics/{undo['toxic']}",
            self.toxic(params),
        )
        return injection

    def confirm(self, injection: Injection, params: ProxyParams, target: object) -> Landing:
        """The proxy lists the toxic, as injected, on the route."""
        undo = injection.undo
        if not undo:
            return Landing(False, f"the proxy has no route {params.route}")
        routes = admin_call(undo["admin"], "GET", "/routes")
        toxic = routes.get(undo["route"], {}).get("toxics", {}).get(undo["toxic"])
        checked = f"toxic {undo['toxic']} on route {undo['route']} of the proxy at {undo['admin']}"
        if toxic is None:
            return Landing(False, checked + ": not listed")
        wanted = self.toxic(params)
        differs = {k: v for k, v in wanted.items() if toxic.get(k) != v}
        if differs:
            return Landing(False, f"{checked}: active but not as injected ({differs})", toxic)
        return Landing(True, f"{checked}: active ({toxic.get('kind')})", toxic)

    def revert(self, injection: Injection, target: object) -> None:
        undo = injection.undo
        if undo:
            admin_call(undo["admin"], "DELETE", f"/routes/{undo['route']}/toxics/{undo['toxic']}")


class Latency(_ProxyFault):
    name: ClassVar[str] = "latency"
    Params: ClassVar[type[LatencyParams]] = LatencyParams

    def toxic(self, params: LatencyParams) -> dict[str, Any]:
        return {"kind": "latency", "delay": params.delay, "jitter": params.jitter}


class HttpError(_ProxyFault):
    name: ClassVar[str] = "http-error"
    Params: ClassVar[type[HttpErrorParams]] = HttpErrorParams

    def toxic(self, params: HttpErrorParams) -> dict[str, Any]:
        kind = "reset" if params.mode == "reset" else "http-error"
        return {"kind": kind, "ratio": params.ratio, "status": params.status}
