"""Where gameday keeps state outside run directories: safety copies and target locks."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """$GAMEDAY_STATE, default ~/.local/state/gameday (created 0700)."""
    path = Path(os.environ.get("GAMEDAY_STATE", Path.home() / ".local" / "state" / "gameday"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
