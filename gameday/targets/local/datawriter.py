"""`data-writer`: writes sequenced, timestamped records to a store and audits them later.

Each sample POSTs `{"seq": N, "t": T, "writer": RUN}` to `url`; a 2xx answer is an
acknowledged write. `audit()` reads every record back (GET `url`, a JSON list) and
reports the acknowledged writes that are missing: their time span is the measured
data loss (RPO), zero when nothing was lost.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams
from gameday.spec.units import Duration


class DataWriterParams(PluginParams):
    url: str = Field(pattern=r"^http://", description="Collection URL: POST writes, GET lists.")
    timeout: Duration = 1.0


@dataclass(frozen=True)
class DataAudit:
    acknowledged: int
    missing: int
    lost_span: float
    """Seconds between the first and last missing acknowledged write (0 if none)."""
    first_missing_t: float | None = None
    last_missing_t: float | None = None


class DataWriterProbe:
    name: ClassVar[str] = "data-writer"
    Params: ClassVar[type[DataWriterParams]] = DataWriterParams

    def open(self, params: DataWriterParams, target: object, every: float) -> DataWriterSession:
        return DataWriterSession(params, every)


class DataWriterSession:
    def __init__(self, params: DataWriterParams, every: float):
        self.params, self.every = params, every
        url = urllib.parse.urlsplit(params.url)
        self.host, self.port, self.path = url.hostname or "127.0.0.1", url.port, url.path or "/"
        self.writer = uuid.uuid4().hex[:12]
        self.seq = 0
        self.acked: dict[int, float] = {}

    def _request(self, method: str, body: bytes | None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.params.timeout)
        try:
            headers = {"Content-Type": "application/json"} if body else {}
            conn.request(method, self.path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def sample(self, t: float) -> Sample:
        self.seq += 1
        record = {"seq": self.seq, "t": t, "writer": self.writer}
        start = time.monotonic()
        try:
            status, _ = self._request("POST", json.dumps(record).encode())
        except (OSError, http.client.HTTPException) as exc:
            return Sample(t, False, time.monotonic() - start, float(self.seq), type(exc).__name__)
        ok = 200 <= status < 300
        if ok:
            self.acked[self.seq] = t
        return Sample(t, ok, time.monotonic() - start, float(self.seq), f"HTTP {status}")

    def audit(self) -> DataAudit:
        try:
            status, body = self._request("GET", None)
        except (OSError, http.client.HTTPException) as exc:
            raise TargetError(f"data-writer could not read back {self.params.url}: {exc}") from None
        if status != 200:
            raise TargetError(f"data-writer read-back of {self.params.url} answered HTTP {status}")
        stored = {r.get("seq") for r in json.loads(body) if r.get("writer") == self.writer}
        missing = sorted(t for seq, t in self.acked.items() if seq not in stored)
        if not missing:
            return DataAudit(len(self.acked), 0, 0.0)
        span = missing[-1] - missing[0] + self.every
        return DataAudit(len(self.acked), len(missing), span, missing[0], missing[-1])

    def close(self) -> None:
        pass
