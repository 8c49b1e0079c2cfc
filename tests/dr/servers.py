"""Real database servers for the DR tests: Debian's PostgreSQL, MariaDB and Redis,
each started as a plain process in its own temporary directory on 127.0.0.1, and
stopped (and their directory removed) by the fixtures in conftest.py.

PostgreSQL refuses to run as root, so it runs as the `postgres` user the Debian
package creates; its directory is handed to that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gameday.demo.stack import free_ports
from gameday.execute.waiting import wait_until


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return Path(found[-1]).parent


def _run(argv: list[str], user: str | None = None, **kw: object) -> str:
    done = subprocess.run(
        argv, user=user, capture_output=True, text=True, timeout=120, check=False, **kw
    )  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(f"{argv} exited {done.returncode}: {done.stdout}{done.stderr}")
    return str(done.stdout)


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def _kill(pid: int | None) -> None:
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


SECRET_ROLE = "drill_secret"
SECRET_PASSWORD = "Pg-drill-S3cret-4711"
"""A role that must authenticate with a password (scram-sha-256), for the secrets test."""


@dataclass
class Postgres:
    """PostgreSQL with WAL archiving every second (1 MiB segments) into `archive`."""

    root: Path
    port: int
    bin: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def archive(self) -> Path:
        return self.root / "wal-archive"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} dbname=postgres user=postgres"

    @classmethod
    def start(cls) -> Postgres:
        root = Path(tempfile.mkdtemp(prefix="gameday-pg-"))
        entry = pwd.getpwnam("postgres")
        (port,) = free_ports(1)
        server = cls(root, port, pg_bin())
        for folder in (server.archive, server.backups, root / "sock"):
            folder.mkdir()
        for path in (root, server.archive, server.backups, root / "sock"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(root, 0o755)
        _run(
            [
                str(server.bin / "initdb"),
                "-D",
                str(server.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--wal-segsize=1",
                "--no-sync",
                "--no-instructions",
            ],
            user="postgres",
        )
        with open(server.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root / 'sock'}'\n"
                "wal_level = replica\narchive_mode = on\narchive_timeout = 1\n"
                f"archive_command = 'test ! -f {server.archive}/%f && cp %p {server.archive}/%f'\n"
                "max_wal_senders = 4\nshared_buffers = 16MB\nlog_timezone = 'UTC'\n"
            )
        hba = server.data / "pg_hba.conf"
        hba.write_text(f"host all {SECRET_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        server.pg_ctl("start")
        _run(
            [
                str(server.bin / "psql"),
                server.dsn,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"CREATE ROLE {SECRET_ROLE} LOGIN SUPERUSER PASSWORD '{SECRET_PASSWORD}'",
            ],
        )
        return server

    def pg_ctl(self, action: str) -> None:
        log = self.root / "server.log"
        _run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "60"]
            + ([action] if action != "stop" else ["stop", "-m", "immediate"]),
            user="postgres",
        )

    def pid(self) -> int | None:
        return _pid(self.data / "postmaster.pid")

    def stop(self) -> None:
        pid = self.pid()
        if _alive(pid):
            with contextlib.suppress(RuntimeError):
                self.pg_ctl("stop")
        _kill(pid if _alive(pid) else None)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Mariadb:
    """MariaDB from an option file, its binary log in `binlog/` outside the data
    directory (a surviving volume), database `app` with a reference table."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def cnf(self) -> Path:
        return self.root / "my.cnf"

    @property
    def socket(self) -> Path:
        return self.root / "mariadb.sock"

    @property
    def pid_file(self) -> Path:
        return self.root / "mariadb.pid"

    @classmethod
    def start(cls) -> Mariadb:
        root = Path(tempfile.mkdtemp(prefix="gameday-maria-"))
        (port,) = free_ports(1)
        server = cls(root, port)
        (root / "binlog").mkdir()
        (root / "backups").mkdir()
        server.cnf.write_text(
            "[mysqld]\n"
            f"datadir={server.data}\nport={port}\nbind-address=127.0.0.1\n"
            f"socket={server.socket}\npid-file={server.pid_file}\n"
            f"log-bin={root / 'binlog' / 'mysql-bin'}\nserver-id=1\nuser=root\n"
            f"log-error={root / 'server.log'}\ninnodb-buffer-pool-size=32M\n"
            "skip-name-resolve\n"
        )
        _run(
            [
                "mariadb-install-db",
                f"--defaults-file={server.cnf}",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ]
        )
        subprocess.Popen(
            ["mariadbd", f"--defaults-file={server.cnf}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_until(server.answers, 60, 0.2):
            raise RuntimeError((root / "server.log").read_text()[-2000:])
        server.sql(
            "CREATE DATABASE app; CREATE TABLE app.reference (id INT PRIMARY KEY, v CHAR(32));"
            "USE app; INSERT INTO reference SELECT seq, md5(seq) FROM seq_1_to_1000;"
        )
        return server

    def sql(self, statements: str) -> str:
        return _run(["mariadb", f"--socket={self.socket}", "-uroot", "-N", "-e", statements])

    def answers(self) -> bool:
        done = subprocess.run(
            ["mariadb-admin", f"--socket={self.socket}", "-uroot", "ping"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return done.returncode == 0

    def stop(self) -> None:
        pid = _pid(self.pid_file)
        _kill(pid)
        wait_until(lambda: not _alive(pid), 10, 0.1)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Redis:
    """redis-server from a config file, with RDB snapshots only on demand (`save ""`)
    or with the append-only file (`appendfsync everysec`)."""

    root: Path
    port: int
    aof: bool

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def conf(self) -> Path:
        return self.root / "redis.conf"

    @property
    def pid_file(self) -> Path:
        return self.root / "redis.pid"

    @classmethod
    def start(cls, aof: bool) -> Redis:
        root = Path(tempfile.mkdtemp(prefix="gameday-redis-"))
        (port,) = free_ports(1)
        server = cls(root, port, aof)
        server.data.mkdir()
        (root / "backups").mkdir()
        server.conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {server.data}\npidfile {server.pid_file}\n"
            f'logfile {root / "server.log"}\ndbfilename dump.rdb\nsave ""\n'
            f"appendonly {'yes' if aof else 'no'}\nappendfsync everysec\n"
        )
        subprocess.Popen(
            ["redis-server", str(server.conf), "--daemonize", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ).wait(timeout=30)
        if not wait_until(server.answers, 30, 0.1):
            raise RuntimeError("redis-server did not start")
        return server

    def answers(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return done.stdout.strip() == "PONG"

    def stop(self) -> None:
        pid = _pid(self.pid_file)
        _kill(pid)
        wait_until(lambda: not _alive(pid), 10, 0.1)
        shutil.rmtree(self.root, ignore_errors=True)
