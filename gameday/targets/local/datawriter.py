"""`data-writer`: writes sequenced, timestamped records over HTTP and audits them later;
and the audit every writer shares (the HTTP one here, the database ones in
`gameday.targets.stores`).

HTTP wire format (docs/dr.md): each sample POSTs `{"seq": N, "t": T, "writer": RUN}`
(`Content-Type: application/json`) to `url`; any 2xx answer is an acknowledged write.
`audit()` GETs `url` and expects a JSON list of the records stored, in the order the
store holds them; records of other writers are ignored.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams
from gameday.spec.formats import PlainHttpUrl
from gameday.spec.units import Duration


class DataWriterParams(PluginParams):
    url: PlainHttpUrl = Field(description="Collection URL (http): POST writes, GET lists.")
    timeout: Duration = 1.0


@dataclass(frozen=True)
class DataAudit:
    """What survived of the acknowledged writes. `t` values are seconds on the run clock."""

    acknowledged: int
    missing: int
    lost_span: float
    """Seconds from the first to the last missing acknowledged write, plus one writer
    interval (0 if none): the measured RPO."""
    first_missing_t: float | None = None
    last_missing_t: float | None = None
    writer: str = ""
    """This run's writer id: the records it wrote carry it."""
    store: str = "http"
    every: float = 0.0
    newest_acked_seq: int | None = None
    newest_acked_t: float | None = None
    restore_point_seq: int | None = None
    """The newest acknowledged write that survived before the first lost one: the point
    the store was restored to (None if nothing before the loss survived)."""
    restore_point_t: float | None = None
    first_missing_seq: int | None = None
    last_missing_seq: int | None = None
    """The newest acknowledged write that was lost."""
    lost_ranges: int = 0
    """Separate runs of lost writes (in acknowledged order); more than one means the
    restore is not a clean cut at one point in time."""
    out_of_order: int = 0
    """Records the store holds after a record with a higher sequence number: a write
    that reappeared out of order (a replay applied late)."""
    duplicates: int = 0
    unacknowledged_kept: int = 0
    """Writes that failed or timed out for the writer but are in the store (an
    ambiguous commit: not a loss)."""


def audit_records(
    acked: dict[int, float],
    stored: Sequence[int],
    *,
    every: float,
    writer: str,
    store: str,
    attempted: int,
) -> DataAudit:
    """Compares acknowledged writes (seq -> t) with the sequence numbers the store holds,
    in the store's own order. Pure: the accuracy tests recompute it independently."""
    present = set(stored)
    order = sorted(acked)
    missing = [seq for seq in order if seq not in present]
    cut = missing[0] if missing else None
    restore = max(
        (seq for seq in order if seq in present and (cut is None or seq < cut)), default=None
    )
    newest = order[-1] if order else None
    lost_ranges = sum(
        1
        for i, seq in enumerate(order)
        if seq not in present and (i == 0 or order[i - 1] in present)
    )
    out_of_order, highest = 0, 0
    for seq in stored:
        if seq < highest:
            out_of_order += 1
        highest = max(highest, seq)
    span = 0.0
    if missing:
        span = acked[missing[-1]] - acked[missing[0]] + every
    return DataAudit(
        acknowledged=len(acked),
        missing=len(missing),
        lost_span=round(span, 6),
        first_missing_t=acked[missing[0]] if missing else None,
        last_missing_t=acked[missing[-1]] if missing else None,
        writer=writer,
        store=store,
        every=every,
        newest_acked_seq=newest,
        newest_acked_t=None if newest is None else acked[newest],
        restore_point_seq=restore,
        restore_point_t=None if restore is None else acked[restore],
        first_missing_seq=cut,
        last_missing_seq=missing[-1] if missing else None,
        lost_ranges=lost_ranges,
        out_of_order=out_of_order,
        duplicates=len(stored) - len(present),
        unacknowledged_kept=sum(1 for seq in present if seq not in acked and 0 < seq <= attempted),
    )


class DataWriterProbe:
    name: ClassVar[str] = "data-writer"
    audits_data: ClassVar[bool] = True

    def read_only(self, params: DataWriterParams) -> bool:
        return False  # it writes records into the store

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
        # Snapshot first: the probe keeps writing while this reads back. A write in
        # flight now may land after the read, so it is not counted either way.
        acked, attempted = dict(self.acked), self.seq - 1
        try:
            status, body = self._request("GET", None)
        except (OSError, http.client.HTTPException) as exc:
            raise TargetError(f"data-writer could not read back {self.params.url}: {exc}") from None
        if status != 200:
            raise TargetError(f"data-writer read-back of {self.params.url} answered HTTP {status}")
        stored = [
            int(r["seq"])
            for r in json.loads(body)
            if isinstance(r, dict) and r.get("writer") == self.writer and "seq" in r
        ]
        return audit_records(
            acked, stored, every=self.every, writer=self.writer, store="http", attempted=attempted
        )

    def close(self) -> None:
        pass
