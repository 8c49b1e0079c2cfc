"""`python -m gameday` runs the CLI."""

from gameday.cli.main import run

run()
