"""The one-way flow, enforced: pure stages never import network, process or cluster
clients; only adapters (targets/, execute/, demo/, cli/) may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "gameday"
PURE = [
    "errors.py",
    "guardrails.py",
    "slo.py",
    "load.py",
    "template.py",
    "validate.py",
    "lint.py",
    "measure.py",
    "score.py",
    "hints.py",
    "schema.py",
    "config.py",
    "spec",
    "model",
    "render",
]
SIDE_EFFECTS = {
    "kubernetes",
    "prometheus_api_client",
    "subprocess",
    "socket",
    "http",
    "urllib",
    "xmlrpc",
    "psutil",
    "requests",
    "supervisor",
    "asyncio",
    "signal",
}


def modules(entry: str) -> list[Path]:
    path = PACKAGE / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", [p for e in PURE for p in modules(e)], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_pure_stage_imports_no_side_effecting_client(path: Path) -> None:
    bad = {name for name in imported(path) if name.split(".")[0] in SIDE_EFFECTS}
    assert bad == set(), f"{path.name} imports {bad}; move that code into an adapter"


def test_errors_module_imports_nothing_from_gameday() -> None:
    assert not any(name.startswith("gameday") for name in imported(PACKAGE / "errors.py"))


def test_pure_stages_do_not_import_targets_or_execute() -> None:
    for entry in ["measure.py", "score.py", "render", "spec", "model", "load.py", "validate.py"]:
        for path in modules(entry):
            reaching = {
                n
                for n in imported(path)
                if n.startswith(("gameday.targets", "gameday.execute", "gameday.cli"))
            }
            assert reaching == set(), f"{path} reaches into {reaching}"
