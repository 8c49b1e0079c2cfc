"""Property-based fuzzing of `gameday validate` and `gameday run --dry-run` (#11.8): at
least 2,000 mutations of the shipped scenarios and drills per run (GAMEDAY_FUZZ_EXAMPLES
raises it), each validated in-process through the real CLI entry point; every mutation
that validates and targets the local demo system is also dry-run against it. Never an
internal error (exit 70), never a traceback, every case within seconds."""

from __future__ import annotations

import contextlib
import faulthandler
import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from gameday.cli.exit_codes import INTERNAL_ERROR
from gameday.cli.main import run as cli
from gameday.demo.stack import DemoStack
from tests.conftest import ROOT
from tests.inputs.fuzz import mutated
from tests.inputs.world import stack_sets

EXAMPLES = int(os.environ.get("GAMEDAY_FUZZ_EXAMPLES", "2000"))
SECONDS = 15.0
"""Longest one validate may take (a dry run twice that): generous for a loaded CI
machine; a real hang is stopped by faulthandler and fails the run."""
COUNTS: dict[str, int] = {"cases": 0, "valid": 0, "dry_runs": 0}
EXPECTED_RUN_EXITS = {0, 1, 2, 3, 4, 6, 7}


def invoke(*argv: str) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    code: Any = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli(list(argv))
        except SystemExit as done:
            code = done.code
    return int(code or 0), out.getvalue() + err.getvalue(), time.monotonic() - start


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of scenarios/ and drills/, so mutated drills find their scenarios."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    shutil.copytree(ROOT / "drills", root / "drills")
    faulthandler.dump_traceback_later(1800, exit=True)  # a real hang must not hold CI
    yield root
    faulthandler.cancel_dump_traceback_later()
    print(f"\nfuzz: {COUNTS}")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("GAMEDAY_FUZZ_RANDOM") is None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(case=mutated())
def test_fuzzed_scenarios_never_crash_or_hang(
    case: tuple[str, str, list[str]], tree: Path, stack: DemoStack
) -> None:
    seed, text, overrides = case
    COUNTS["cases"] += 1
    path = tree / Path(seed).parent / f"fuzz-{COUNTS['cases']}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        code, output, took = invoke("validate", str(path))
        assert code != INTERNAL_ERROR and "Traceback" not in output, output[-3000:]
        assert code in (0, 2), (code, output[-3000:])
        assert took < SECONDS, f"validate took {took:.1f}s"
        if code != 0:
            assert "error" in output
            return
        COUNTS["valid"] += 1
        if "kind: kubernetes" in text or "storefront-weekly" in text:
            return  # no cluster here: kubernetes dry runs are in tests/kubernetes
        COUNTS["dry_runs"] += 1
        reports = tree / "reports" / str(COUNTS["cases"])
        sets = stack_sets(stack, path)
        sets += [f"--set={o}" for o in overrides]
        code, output, took = invoke(
            "run", str(path), "--dry-run", "--plain", "--reports", str(reports), *sets
        )
        assert code != INTERNAL_ERROR and "Traceback" not in output, output[-3000:]
        assert code in EXPECTED_RUN_EXITS, (code, output[-3000:])
        assert not (tree / "PWNED").exists() and not Path("PWNED").exists()
        assert took < SECONDS * 2, f"dry run took {took:.1f}s"
        shutil.rmtree(reports, ignore_errors=True)
    finally:
        path.unlink(missing_ok=True)
