"""Runs the real `gameday` console script as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

GAMEDAY = str(Path(sys.executable).with_name("gameday"))


def gameday(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [GAMEDAY, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
