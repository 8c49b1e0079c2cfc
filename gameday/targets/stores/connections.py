"""How to reach a store: one params model per kind. Passwords come from `password`
(a secret param: masked in journals, logs and reports) or `password_env` (the name of
an environment variable read at connect time, never journaled); never printed."""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import Field

from gameday.errors import TargetError
from gameday.spec.base import PluginParams
from gameday.spec.units import Duration

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"


class _Connection(PluginParams):
    password: str | None = Field(None, description="Secret; prefer `password_env`.")
    password_env: str | None = Field(
        None, description="Environment variable holding the password (read at connect time)."
    )
    timeout: Duration = Field(
        1.0, description="Seconds for connecting and for each statement or command."
    )

    def secret(self) -> str | None:
        if self.password_env is None:
            return self.password
        value = os.environ.get(self.password_env)
        if value is None:
            raise TargetError(
                f"environment variable {self.password_env} (`password_env`) is not set",
                hint="export it in the environment gameday runs in",
            )
        return value


class PostgresConnection(_Connection):
    kind: Literal["postgres"] = "postgres"
    dsn: str = Field(
        description="libpq connection string or URI without the password, e.g. "
        "`host=127.0.0.1 port=5432 dbname=app user=gameday`."
    )
    table: str = Field("gameday_writes", pattern=IDENTIFIER, description="Table the writer owns.")


class MysqlConnection(_Connection):
    kind: Literal["mysql"] = "mysql"
    host: str = "127.0.0.1"
    port: int = Field(3306, ge=1, le=65535)
    unix_socket: str | None = None
    user: str = "root"
    database: str = Field(description="Database (schema) holding the writer's table.")
    table: str = Field("gameday_writes", pattern=IDENTIFIER, description="Table the writer owns.")


class RedisConnection(_Connection):
    kind: Literal["redis"] = "redis"
    host: str = "127.0.0.1"
    port: int = Field(6379, ge=1, le=65535)
    db: int = Field(0, ge=0)
    username: str | None = None
    key_prefix: str = Field(
        "gameday:writes:", description="Key space the writer owns (one list per run)."
    )


StoreConnection = Annotated[
    PostgresConnection | MysqlConnection | RedisConnection, Field(discriminator="kind")
]
