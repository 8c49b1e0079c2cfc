"""The `gameday` command line. Exceptions become exit codes only in `main.run`."""
