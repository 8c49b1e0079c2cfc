"""gameday: game-day chaos and disaster-recovery drills, scored honestly.

Distributed as `gameday-drills` (the name `gameday` on the package index is someone
else's); the import package and the command stay `gameday`.
"""

__version__ = "0.1.0"
"""The one place the version is written: pyproject.toml reads it (`[tool.setuptools.dynamic]`),
so `gameday --version` needs no metadata lookup (importlib.metadata costs ~20 ms a start)."""

DISTRIBUTION = "gameday-drills"
