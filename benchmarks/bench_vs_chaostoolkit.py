"""gameday against Chaos Toolkit on the same drill, alternating, on one supervised system.

The drill (issue #16): three HTTP replicas under supervisord, one SIGKILLed (supervisord
restarts it), three probes at 10 Hz for 20 s, steady state checked before and after.
Chaos Toolkit (`chaostoolkit`, pinned, in its own venv under ~/.cache/gameday) runs the
equivalent experiment: steady-state HTTP probes, a process action that kills the
replica, and three background probes sampling at 10 Hz (benchmarks/ctk/ctk_sampler.py,
since Chaos Toolkit has no continuous probes). Each tool runs as a child process;
CPU is its user+system time, peak RSS its max resident set (ru_maxrss of the child).

Also (`--validate-only` for these alone): `gameday validate` of the scenario vs `chaos
validate` of the experiment (CPU, median of alternating runs, both tools' bytecode
cached as after an install), and `gameday --help` / `--version` wall time.

Targets (issue #16; reported, and enforced with GAMEDAY_BENCH_STRICT=1): gameday CPU
<= 0.5x and peak RSS <= 1.0x Chaos Toolkit's; probes at their configured rate; validate
CPU <= chaos validate's; --help/--version <= 0.1 s.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks" / "ctk"
CTK_VERSION = "1.19.0"
CACHE = Path(os.environ.get("GAMEDAY_CACHE", Path.home() / ".cache" / "gameday"))
CTK_VENV = CACHE / f"chaostoolkit-{CTK_VERSION}"
GAMEDAY = str(Path(sys.executable).with_name("gameday"))
RATE, DURATION, ROUNDS = 10.0, 20.0, int(os.environ.get("GAMEDAY_BENCH_ROUNDS", "3"))
VALIDATE_ROUNDS = int(os.environ.get("GAMEDAY_BENCH_VALIDATE_ROUNDS", "10"))
FLOOR = "import pydantic.main, yaml, importlib.metadata"
"""Imports `gameday validate` cannot do without (pydantic imports importlib.metadata to look
for its plugins when it builds a validator): the part of the gap no laziness closes."""


def free_ports(count: int) -> list[int]:
    import socket

    socks = [socket.socket() for _ in range(count)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@dataclass
class System:
    """Three `python -m http.server` replicas under supervisord (autorestart)."""

    root: Path
    ports: list[int]
    rpc_port: int
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls) -> System:
        root = Path(tempfile.mkdtemp(prefix="gameday-bench-ctk-"))
        *ports, rpc = free_ports(4)
        lines = [
            "[supervisord]",
            f"logfile={root}/supervisord.log",
            f"pidfile={root}/supervisord.pid",
            "loglevel=warn",
            "[inet_http_server]",
            f"port=127.0.0.1:{rpc}",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        ]
        for i, port in enumerate(ports, 1):
            lines += [
                f"[program:replica-{i}]",
                f"command={sys.executable} -m http.server {port} --bind 127.0.0.1 -d {root}",
                "autorestart=true",
                "startsecs=0",
                "startretries=100",
                f"stdout_logfile={root}/replica-{i}.log",
                "redirect_stderr=true",
            ]
        (root / "supervisord.conf").write_text("\n".join(lines) + "\n")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "supervisor.supervisord",
                "-n",
                "-c",
                str(root / "supervisord.conf"),
            ],
            start_new_session=True,
        )
        system = cls(root, ports, rpc, proc)
        deadline = time.monotonic() + 30
        while not system.healthy():
            if time.monotonic() > deadline:
                system.stop()
                raise RuntimeError("the benchmark system did not start")
            time.sleep(0.2)
        return system

    def healthy(self) -> bool:
        try:
            for port in self.ports:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status != 200:
                        return False
            return True
        except OSError:
            return False

    def pid(self, name: str) -> int:
        rpc = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.rpc_port}/RPC2")
        info = cast("dict[str, Any]", rpc.supervisor.getProcessInfo(name))  # an XML-RPC struct
        return int(info["pid"])

    def stop(self) -> None:
        try:
            xmlrpc.client.ServerProxy(
                f"http://127.0.0.1:{self.rpc_port}/RPC2"
            ).supervisor.shutdown()
            self.process.wait(timeout=15)
        except (OSError, xmlrpc.client.Error, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, 9)
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Cost:
    cpu: float
    rss_mb: float
    wall: float


def measured(
    argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT
) -> tuple[Cost, str]:
    """Runs argv as a child; its CPU (user+sys, descendants waited for) and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} exited {done.returncode}:\n{done.stderr[-3000:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure in a fresh child.
    return Cost(cpu, after.ru_maxrss / 1024, wall), done.stdout + done.stderr


def peak_rss(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Peak RSS (MB) of argv alone, measured by a wrapper process of its own."""
    code = (
        "import resource,subprocess,sys;"
        "subprocess.run(sys.argv[1:],capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def ensure_chaostoolkit() -> Path:
    chaos = CTK_VENV / "bin" / "chaos"
    if not chaos.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CTK_VENV)], check=True)
        subprocess.run(
            [
                str(CTK_VENV / "bin" / "pip"),
                "install",
                "-q",
                "--disable-pip-version-check",
                f"chaostoolkit=={CTK_VERSION}",
            ],
            check=True,
        )
    return chaos


def experiment(system: System, victim: int) -> dict[str, object]:
    urls = [f"http://127.0.0.1:{p}/" for p in system.ports]
    steady = [
        {
            "type": "probe",
            "name": f"replica-{i}-up",
            "tolerance": 200,
            "provider": {"type": "http", "url": url, "timeout": 1},
        }
        for i, url in enumerate(urls, 1)
    ]
    watch = [
        {
            "type": "probe",
            "name": f"watch-replica-{i}",
            "background": True,
            "provider": {
                "type": "python",
                "module": "ctk_sampler",
                "func": "sample",
                "arguments": {"url": url, "rate": RATE, "duration": DURATION},
            },
        }
        for i, url in enumerate(urls, 1)
    ]
    kill = {
        "type": "action",
        "name": "kill-replica-1",
        "provider": {"type": "process", "path": "kill", "arguments": ["-9", str(victim)]},
    }
    return {
        "version": "1.0.0",
        "title": "One of three replicas is SIGKILLed; the others keep serving",
        "description": "benchmark drill, same as the gameday scenario",
        "steady-state-hypothesis": {"title": "all replicas answer", "probes": steady},
        "method": [*watch, kill],
        "rollbacks": [],
    }


def scenario(system: System, rate: float = RATE, duration: float = DURATION) -> str:
    probes = "\n".join(
        f"    - name: replica-{i}\n      type: http\n      every: {1000 / rate:g}ms\n"
        f'      params: {{url: "http://127.0.0.1:{p}/", timeout: 1s}}'
        for i, p in enumerate(system.ports, 1)
    )
    return f"""\
apiVersion: gameday/v1
kind: Scenario
metadata:
  name: bench-replica-kill
  owner: bench
  hypothesis: two of three replicas keep serving while one is SIGKILLed
target:
  kind: local
  supervisor: http://127.0.0.1:{system.rpc_port}/RPC2
steady_state:
  window: 1s
  probes:
{probes}
slo:
  - {{name: replica-2 availability, probe: replica-2, availability: 99%}}
fault:
  type: process-kill
  params: {{service: replica-1, signal: SIGKILL, count: 1}}
  duration: {duration:g}s
  blast_radius: {{max_targets: 1}}
abort_when:
  - {{probe: replica-2, error_ratio: 50%, for: 2s}}
recovery:
  rto: 10s
"""


def sample_rates(run_dir: Path) -> list[float]:
    counts: dict[str, list[float]] = {}
    for line in (run_dir / "journal.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("type") == "samples":
            counts.setdefault(record["probe"], []).extend(row[0] for row in record["s"])
    rates = []
    for times in counts.values():
        times.sort()
        rates.append((len(times) - 1) / (times[-1] - times[0]))
    return rates


def as_installed(env: dict[str, str]) -> dict[str, str]:
    """Both tools' bytecode cached (under CACHE/pycache), as after a `pip install`: with
    PYTHONDONTWRITEBYTECODE an editable gameday would compile its modules on every start
    while Chaos Toolkit's were compiled when pip installed them."""
    env = {**env, "PYTHONPYCACHEPREFIX": str(CACHE / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def gameday_phases(scen: Path, work: Path, env: dict[str, str]) -> str:
    """Where one gameday run's CPU goes: start-up (imports, load, validate) until the
    run starts, the drill, the reports, exit (benchmarks/ctk/gameday_phases.py)."""
    out = work / "phases.json"
    argv = [sys.executable, str(HERE / "gameday_phases.py"), str(out), "run", str(scen)]
    subprocess.run(
        [*argv, "--reports", str(work / "reports-phases"), "--auto-approve"],
        capture_output=True,
        env=env,
        cwd=work,
        timeout=300,
    )
    if not out.exists():
        return "not measured (that run failed)"
    marks = {name: (cpu, modules) for name, cpu, modules in json.loads(out.read_text())}
    start, drill = marks["execute-start"], marks["execute-end"]
    reports, end = marks["finish-end"], marks["exit"]
    return (
        f"start-up {start[0]:.2f}s ({start[1]} modules imported), "
        f"drill {drill[0] - start[0]:.2f}s, reports {reports[0] - drill[0]:.2f}s "
        f"({reports[1]} modules), exit {end[0] - reports[0]:.2f}s"
    )


def validate_and_startup(
    chaos: Path, experiment_file: Path, scenario_file: Path, ctk: dict[str, str], gd: dict[str, str]
) -> dict[str, bool]:
    """`gameday validate` of the scenario against `chaos validate` of the experiment (CPU,
    median of alternating runs), and `gameday --help` / `--version` wall time against a
    bare interpreter start; the checks, each also printed with its figures."""
    ctk, gd = as_installed(ctk), as_installed(gd)
    commands = {
        "chaos validate": ([str(chaos), "--no-log-file", "validate", str(experiment_file)], ctk),
        "gameday validate": ([GAMEDAY, "validate", str(scenario_file)], gd),
        "python -c pass": ([sys.executable, "-c", "pass"], gd),
        "imports floor": ([sys.executable, "-c", FLOOR], gd),
        "gameday --help": ([GAMEDAY, "--help"], gd),
        "gameday --version": ([GAMEDAY, "--version"], gd),
    }
    costs: dict[str, list[Cost]] = {name: [] for name in commands}
    for argv, env in commands.values():  # warm-up: bytecode, page cache
        measured(argv, env, experiment_file.parent)
    for _ in range(VALIDATE_ROUNDS):
        for name, (argv, env) in commands.items():
            costs[name].append(measured(argv, env, experiment_file.parent)[0])
    cpu = {name: statistics.median(c.cpu for c in runs) for name, runs in costs.items()}
    wall = {name: statistics.median(c.wall for c in runs) for name, runs in costs.items()}
    for name in commands:
        print(
            f"vs-chaostoolkit: {name:17s} CPU {cpu[name] * 1000:4.0f} ms  "
            f"wall {wall[name] * 1000:4.0f} ms (median of {VALIDATE_ROUNDS}, alternating)"
        )
    ratio = cpu["gameday validate"] / cpu["chaos validate"]
    over = (cpu["gameday validate"] - cpu["chaos validate"]) * 1000
    print(
        f"vs-chaostoolkit: imports floor = `{FLOOR}` (what validating with pydantic and "
        f"PyYAML cannot avoid): {cpu['imports floor'] / cpu['chaos validate']:.2f}x "
        "chaos validate's whole CPU"
    )
    missed = f", {over:.0f} ms over" if over > 0 else ""
    return {
        f"validate CPU {ratio:.2f}x chaos validate's{missed} (target <= 1.00x)": ratio <= 1.0,
        **{
            f"{name} {wall[name] * 1000:.0f} ms wall (target <= 100 ms)": wall[name] <= 0.1
            for name in ("gameday --help", "gameday --version")
        },
    }


def validate_only() -> int:
    """`--validate-only`: the validate and start-up figures alone (no drill, ~20 s)."""
    chaos = ensure_chaostoolkit()
    system = System.start()
    work = Path(tempfile.mkdtemp(prefix="gameday-bench-ctk-work-"))
    try:
        scen, ctk_env, gd_env = inputs(system, work)
        exp = work / "experiment-0.json"
        exp.write_text(json.dumps(experiment(system, system.pid("replica-1")), indent=1))
        checks = validate_and_startup(chaos, exp, scen, ctk_env, gd_env)
    finally:
        system.stop()
        shutil.rmtree(work, ignore_errors=True)
    return verdict(checks)


def inputs(system: System, work: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The gameday scenario file in work, and each tool's environment."""
    scen = work / "scenario.yaml"
    scen.write_text(scenario(system))
    ctk_env = {**os.environ, "PYTHONPATH": str(HERE)}
    gd_env = {**os.environ, "GAMEDAY_STATE": str(work / "state"), "NO_COLOR": "1"}
    return scen, ctk_env, gd_env


def verdict(checks: dict[str, bool]) -> int:
    """Prints each check; the exit status. Targets not yet met are reported, not enforced,
    until they are (issue #16's note says which and by how much); GAMEDAY_BENCH_STRICT=1
    enforces them."""
    for text, ok in checks.items():
        print(f"vs-chaostoolkit: {text}: {'met' if ok else 'MISSED'}")
    strict = os.environ.get("GAMEDAY_BENCH_STRICT") == "1"
    return 0 if all(checks.values()) or not strict else 1


def main() -> int:
    if sys.argv[1:] == ["--validate-only"]:
        return validate_only()
    chaos = ensure_chaostoolkit()
    system = System.start()
    work = Path(tempfile.mkdtemp(prefix="gameday-bench-ctk-work-"))
    try:
        scen, ctk_env, gd_env = inputs(system, work)
        # as installed (bytecode cached) in the drill as in validate: with
        # PYTHONDONTWRITEBYTECODE gameday would compile its modules on every run
        ctk_env, gd_env = as_installed(ctk_env), as_installed(gd_env)
        results: dict[str, list[Cost]] = {"chaostoolkit": [], "gameday": []}
        rates: list[float] = []
        for round_ in range(ROUNDS):
            exp = work / f"experiment-{round_}.json"
            exp.write_text(json.dumps(experiment(system, system.pid("replica-1")), indent=1))
            journal = work / f"journal-{round_}.json"  # never the working directory
            argv = [str(chaos), "--no-log-file", "run", "--no-verify-tls"]
            argv += ["--journal-path", str(journal), str(exp)]
            cost, _ = measured(argv, ctk_env, work)
            cost.rss_mb = peak_rss(argv, ctk_env)
            results["chaostoolkit"].append(cost)
            time.sleep(2)
            reports = work / f"reports-{round_}"
            argv = [GAMEDAY, "run", str(scen), "--reports", str(reports), "--auto-approve"]
            cost, out = measured(argv, gd_env, work)
            results["gameday"].append(cost)
            runs = sorted(reports.glob("**/journal.jsonl"))
            if not runs:
                print(out[-3000:])
                return 1
            rates += sample_rates(runs[-1].parent)
            time.sleep(2)
        # peak RSS of one more gameday run, measured alone like Chaos Toolkit's
        gd_rss = peak_rss(
            [GAMEDAY, "run", str(scen), "--reports", str(work / "reports-rss"), "--auto-approve"],
            gd_env,
        )
        for cost in results["gameday"]:
            cost.rss_mb = gd_rss
        phases = gameday_phases(scen, work, gd_env)
        quick = validate_and_startup(chaos, work / "experiment-0.json", scen, ctk_env, gd_env)
    finally:
        system.stop()
        shutil.rmtree(work, ignore_errors=True)

    def med(tool: str, what: str) -> float:
        return float(statistics.median(getattr(c, what) for c in results[tool]))

    print(
        f"vs-chaostoolkit: {ROUNDS} alternating rounds, 3 probes at {RATE:g} Hz for {DURATION:g}s"
    )
    for tool in results:
        print(
            f"vs-chaostoolkit: {tool:13s} CPU {med(tool, 'cpu'):.2f}s  "
            f"peak RSS {med(tool, 'rss_mb'):.0f} MB  wall {med(tool, 'wall'):.1f}s"
        )
    cpu_ratio = med("gameday", "cpu") / med("chaostoolkit", "cpu")
    rss_ratio = med("gameday", "rss_mb") / med("chaostoolkit", "rss_mb")
    rate_off = max(abs(r - RATE) / RATE for r in rates)
    checks = {
        f"CPU ratio {cpu_ratio:.2f}x (target <= 0.50x)": cpu_ratio <= 0.5,
        f"peak RSS ratio {rss_ratio:.2f}x (target <= 1.00x)": rss_ratio <= 1.0,
        f"probe rate {min(rates):.2f}-{max(rates):.2f} Hz (target {RATE:g} Hz +-2%)": rate_off
        <= 0.02,
        **quick,
    }
    cpu_budget = 0.5 * med("chaostoolkit", "cpu")
    if cpu_ratio > 0.5:
        print(
            f"vs-chaostoolkit: gameday CPU needs <= {cpu_budget:.2f}s, "
            f"{med('gameday', 'cpu') - cpu_budget:.2f}s over; where it goes (one run): {phases}"
        )
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
