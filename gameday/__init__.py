"""gameday: game-day chaos and disaster-recovery drills, scored honestly."""

__version__ = "0.1.0"
