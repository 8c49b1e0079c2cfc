"""`python -m gameday` runs the CLI."""

from gameday.cli.entry import main

main()
