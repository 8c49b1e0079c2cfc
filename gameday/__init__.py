"""gameday: game-day chaos and disaster-recovery drills, scored honestly.

Distributed as `gameday-drills` (the name `gameday` on the package index is someone
else's); the import package and the command stay `gameday`.
"""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "gameday-drills"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # a source tree on sys.path without an install
    __version__ = "0.0.0+unknown"
