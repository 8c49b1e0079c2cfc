"""The one-way flow, enforced by the import-linter contract in `.importlinter` (also
run by .ci/run): pure stages never import network, process or cluster clients; only
adapters do; presentation stays in cli/render."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the dev extra: scripts/test installs it"
    return subprocess.run([exe], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_import_contracts_are_kept() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_errors_module_imports_nothing_from_gameday() -> None:
    tree = ast.parse((ROOT / "gameday" / "errors.py").read_text())
    names = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    }
    assert not any(name.startswith("gameday") for name in names)


def test_entry_points_build_run_options_only_through_the_pipeline() -> None:
    """`gameday run/demo/resume` and `pytest --gameday` get their RunOptions from
    `pipeline.options()`, which loads the project's guardrails: none builds its own."""
    entry_points = [*(ROOT / "gameday" / "cli").glob("*.py"), ROOT / "gameday" / "pytest_plugin.py"]
    built = []
    for path in entry_points:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RunOptions":
                built.append(f"{path.name}:{node.lineno}")
    assert built == [], f"build options with gameday.pipeline.options(): {built}"
    pipeline = (ROOT / "gameday" / "pipeline.py").read_text()
    assert "RunOptions(guardrails=load_config().guardrails" in pipeline
