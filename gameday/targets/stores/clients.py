"""The three store clients behind one small interface. Each driver is imported only
when a scenario uses its store (extras `gameday[postgres]`, `[mysql]`, `[redis]`), and
every call has a deadline (`timeout`). A write returns only once the store has
acknowledged it: after COMMIT for the SQL stores (autocommit), after the command's
reply for Redis. What that acknowledgement is worth on disk is the store's setting
(docs/dr.md: `synchronous_commit`, `innodb_flush_log_at_trx_commit`, `appendfsync`).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any, Protocol

from gameday.errors import DependencyError, TargetError
from gameday.targets.stores.connections import (
    MysqlConnection,
    PostgresConnection,
    RedisConnection,
)


class StoreUnavailable(TargetError):
    """The store refused, dropped or timed out a call (the sample fails; no retry)."""


class StoreClient(Protocol):
    def write(self, writer: str, seq: int, t: float) -> None: ...

    def read(self, writer: str) -> list[int]:
        """The writer's sequence numbers in the order the store holds them."""
        ...

    def digest(self, table: str) -> tuple[int, str]:
        """Row count and a checksum of a table (Redis: keys matching a pattern)."""
        ...

    def close(self) -> None: ...


def _missing(extra: str, module: str) -> DependencyError:
    return DependencyError(
        module,
        "the client library is not installed",
        hint=f"pip install 'gameday[{extra}]'",
    )


DRIVERS = {
    "postgres": ("psycopg", "postgres"),
    "mysql": ("pymysql", "mysql"),
    "redis": ("redis", "redis"),
}
"""Store kind -> (module to import, gameday extra that installs it)."""


def require_driver(kind: str) -> None:
    """Fails at once, with the pip command, when a store's client library is missing."""
    module, extra = DRIVERS[kind]
    try:
        __import__(module)
    except ImportError:
        raise _missing(extra, module) from None


def connect(conn: PostgresConnection | MysqlConnection | RedisConnection) -> StoreClient:
    if isinstance(conn, PostgresConnection):
        return PostgresClient(conn)
    if isinstance(conn, MysqlConnection):
        return MysqlClient(conn)
    return RedisClient(conn)


def _fail(store: str, exc: BaseException) -> StoreUnavailable:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return StoreUnavailable(f"{store}: {type(exc).__name__}{': ' + text if text else ''}")


class PostgresClient:
    def __init__(self, conn: PostgresConnection):
        try:
            import psycopg
            from psycopg import sql
        except ImportError:
            raise _missing("postgres", "psycopg") from None
        self._sql, self._errors = sql, (psycopg.Error, OSError)
        extra: dict[str, Any] = {}
        password = conn.secret()
        if password is not None:
            extra["password"] = password
        try:
            self._db = psycopg.connect(
                conn.dsn,
                autocommit=True,
                connect_timeout=max(2, math.ceil(conn.timeout)),
                options=f"-c statement_timeout={int(conn.timeout * 1000)}",
                **extra,
            )
        except self._errors as exc:
            raise _fail("postgres", exc) from None
        self.table = sql.Identifier(conn.table)
        self._ensure()

    def _run(self, query: Any, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._db.cursor() as cur:
                cur.execute(query, args)
                return cur.fetchall() if cur.description else []
        except self._errors as exc:
            raise _fail("postgres", exc) from None

    def _ensure(self) -> None:
        self._run(
            self._sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, writer text NOT NULL, "
                "seq bigint NOT NULL, t double precision NOT NULL, "
                "written_at timestamptz NOT NULL DEFAULT clock_timestamp())"
            ).format(self.table)
        )

    def write(self, writer: str, seq: int, t: float) -> None:
        insert = self._sql.SQL("INSERT INTO {} (writer, seq, t) VALUES (%s, %s, %s)")
        self._run(insert.format(self.table), (writer, seq, t))

    def read(self, writer: str) -> list[int]:
        query = self._sql.SQL("SELECT seq FROM {} WHERE writer = %s ORDER BY id")
        return [int(r[0]) for r in self._run(query.format(self.table), (writer,))]

    def digest(self, table: str) -> tuple[int, str]:
        query = self._sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
            "FROM {} AS x"
        ).format(self._sql.Identifier(table))
        count, checksum = self._run(query)[0]
        return int(count), str(checksum)

    def close(self) -> None:
        self._db.close()


class MysqlClient:
    def __init__(self, conn: MysqlConnection):
        try:
            import pymysql
        except ImportError:
            raise _missing("mysql", "pymysql") from None
        self._errors = (pymysql.Error, OSError)
        timeout = max(1, math.ceil(conn.timeout))
        try:
            self._db = pymysql.connect(
                host=conn.host,
                port=conn.port,
                unix_socket=conn.unix_socket,
                user=conn.user,
                password=conn.secret() or "",
                database=conn.database,
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
                autocommit=True,
            )
        except self._errors as exc:
            raise _fail("mysql", exc) from None
        self.table = f"`{conn.table}`"  # validated as an identifier
        self._run(
            f"CREATE TABLE IF NOT EXISTS {self.table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
            "writer VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, t DOUBLE NOT NULL, "
            "written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB"
        )

    def _run(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._db.cursor() as cur:
                cur.execute(query, args)
                return list(cur.fetchall())
        except self._errors as exc:
            raise _fail("mysql", exc) from None

    def write(self, writer: str, seq: int, t: float) -> None:
        self._run(
            f"INSERT INTO {self.table} (writer, seq, t) VALUES (%s, %s, %s)", (writer, seq, t)
        )

    def read(self, writer: str) -> list[int]:
        rows = self._run(f"SELECT seq FROM {self.table} WHERE writer = %s ORDER BY id", (writer,))
        return [int(r[0]) for r in rows]

    def digest(self, table: str) -> tuple[int, str]:
        name = "`" + table.replace("`", "``") + "`"
        (count,) = self._run(f"SELECT count(*) FROM {name}")[0]
        checksum = self._run(f"CHECKSUM TABLE {name} EXTENDED")[0][1]
        return int(count), str(checksum)

    def close(self) -> None:
        self._db.close()


class RedisClient:
    def __init__(self, conn: RedisConnection):
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise _missing("redis", "redis") from None
        self._errors = (redis.RedisError, OSError)
        self.prefix = conn.key_prefix
        self._db = redis.Redis(
            host=conn.host,
            port=conn.port,
            db=conn.db,
            username=conn.username,
            password=conn.secret(),
            socket_timeout=conn.timeout,
            socket_connect_timeout=conn.timeout,
            # No silent retries: redis-py retries failed commands with backoff by
            # default, which would hide an outage inside one slow "successful" sample.
            retry=Retry(NoBackoff(), 0),
        )

    def _call(self, name: str, *args: Any) -> Any:
        try:
            return self._db.execute_command(name, *args)  # type: ignore[no-untyped-call]
        except self._errors as exc:
            raise _fail("redis", exc) from None

    def write(self, writer: str, seq: int, t: float) -> None:
        record = json.dumps({"seq": seq, "t": t, "wall": time.time()})
        self._call("RPUSH", self.prefix + writer, record)

    def read(self, writer: str) -> list[int]:
        rows = self._call("LRANGE", self.prefix + writer, 0, -1)
        return [int(json.loads(r)["seq"]) for r in rows]

    def digest(self, table: str) -> tuple[int, str]:
        keys: list[bytes] = []
        cursor: Any = 0
        while True:
            cursor, batch = self._call("SCAN", cursor, "MATCH", table, "COUNT", 1000)
            keys += batch
            if int(cursor) == 0:
                break
        checksum = hashlib.sha256()
        for key in sorted(set(keys)):
            checksum.update(key + b"\0" + (self._call("DUMP", key) or b"") + b"\0")
        return len(set(keys)), checksum.hexdigest()

    def close(self) -> None:
        self._db.close()
