"""`postgres-writer`, `mysql-writer`, `redis-writer`: the data-writer probe on a real
store. Each sample writes one record `(writer, seq, t)` into the writer's own table
(Redis: its own list key, one per run) and counts it acknowledged only once the store
acknowledged it; after recovery `audit()` reads back what survived (see DataAudit).

A failed call drops the connection; the next sample connects again (with `timeout`),
so the probe follows the store down and back up.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import ClassVar

from gameday.errors import TargetError
from gameday.plugins.protocols import Sample
from gameday.targets.local.datawriter import DataAudit, audit_records
from gameday.targets.stores.clients import StoreClient, connect, require_driver
from gameday.targets.stores.connections import (
    MysqlConnection,
    PostgresConnection,
    RedisConnection,
)

Connection = PostgresConnection | MysqlConnection | RedisConnection


class StoreWriterSession:
    def __init__(self, params: Connection, every: float):
        require_driver(params.kind)
        self.params, self.every = params, every
        self.writer = uuid.uuid4().hex[:12]
        self.seq = 0
        self.acked: dict[int, float] = {}
        self._client: StoreClient | None = None

    def _connected(self) -> StoreClient:
        if self._client is None:
            self._client = connect(self.params)
        return self._client

    def _drop(self) -> None:
        if self._client is not None:
            # A broken connection may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def sample(self, t: float) -> Sample:
        self.seq += 1
        start = time.monotonic()
        try:
            self._connected().write(self.writer, self.seq, t)
        except TargetError as exc:
            self._drop()
            return Sample(t, False, time.monotonic() - start, float(self.seq), exc.message)
        self.acked[self.seq] = t
        return Sample(t, True, time.monotonic() - start, float(self.seq), "committed")

    def audit(self) -> DataAudit:
        acked, attempted = dict(self.acked), self.seq - 1
        reader = connect(self.params)  # its own connection: the sampler thread owns the other
        try:
            stored = reader.read(self.writer)
        finally:
            reader.close()
        return audit_records(
            acked,
            stored,
            every=self.every,
            writer=self.writer,
            store=self.params.kind,
            attempted=attempted,
        )

    def close(self) -> None:
        self._drop()


class PostgresWriter:
    name: ClassVar[str] = "postgres-writer"
    audits_data: ClassVar[bool] = True
    Params: ClassVar[type[PostgresConnection]] = PostgresConnection

    def read_only(self, params: PostgresConnection) -> bool:
        return False  # it writes into the store

    def open(self, params: PostgresConnection, target: object, every: float) -> StoreWriterSession:
        return StoreWriterSession(params, every)


class MysqlWriter:
    name: ClassVar[str] = "mysql-writer"
    audits_data: ClassVar[bool] = True
    Params: ClassVar[type[MysqlConnection]] = MysqlConnection

    def read_only(self, params: MysqlConnection) -> bool:
        return False  # it writes into the store

    def open(self, params: MysqlConnection, target: object, every: float) -> StoreWriterSession:
        return StoreWriterSession(params, every)


class RedisWriter:
    name: ClassVar[str] = "redis-writer"
    audits_data: ClassVar[bool] = True
    Params: ClassVar[type[RedisConnection]] = RedisConnection

    def read_only(self, params: RedisConnection) -> bool:
        return False  # it writes into the store

    def open(self, params: RedisConnection, target: object, every: float) -> StoreWriterSession:
        return StoreWriterSession(params, every)
