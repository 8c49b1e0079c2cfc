"""The command catalog: every top-level command, the module defining it and its summary,
in the order `gameday --help` lists them.

Both start-up paths read this one list: `gameday --help` is rendered from it without
importing Typer (`gameday.cli.entry`), and the Typer app (`gameday.cli.app`) imports a
command's module only when that command is looked up. tests/cli/test_startup.py checks
each summary against the command's own docstring and the quick help against Typer's.

Standard library only, and no `typing` at run time: this is imported on every start.
"""

from __future__ import annotations

APP_HELP = (
    "Game-day chaos and disaster-recovery drills, scored honestly.\n\n"
    "Exit codes: 0 passed, 1 a scenario failed, 2 bad input, 3 refused by a guardrail, "
    "4 aborted, 5 rollback or recovery failed, 130 interrupted."
)
DEBUG_HELP = "Show tracebacks for unexpected errors."
VERSION_HELP = "Print the version and exit."
HELP_OPTIONS = ("-h", "--help")
OPTIONS = (
    ("--debug", DEBUG_HELP),
    ("--version", VERSION_HELP),
    (", ".join(HELP_OPTIONS), "Show this message and exit."),
)
"""The global options as click lists them (the callback in `gameday.cli.app`)."""

_INTEROP = "gameday.cli.interop_commands"
_RUN = "gameday.cli.run_commands"
_RECOVER = "gameday.cli.recover_commands"
_SCHEDULE = "gameday.cli.schedule_commands"
_SPEC = "gameday.cli.spec_commands"

COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "publish",
        _INTEROP,
        "Publish a run's fault windows: Grafana annotations (token in GAMEDAY_GRAFANA_TOKEN) "
        "and/or Prometheus metrics through a Pushgateway.",
    ),
    (
        "run",
        _RUN,
        "Run a scenario or drill: preflight, steady state, inject, observe, recover, verify, "
        "rollback.",
    ),
    (
        "demo",
        _RUN,
        "Start the demo system (real processes under supervisord), run the demo drill, report, "
        "clean up.",
    ),
    ("report", _RUN, "Re-score and re-render a run from its journal alone."),
    (
        "note",
        _RUN,
        "Add a timestamped note to the running drill: it appears on the report's timeline "
        "and in the retrospective draft.",
    ),
    (
        "proxy",
        _RUN,
        "Run the userspace fault proxy that `latency` and `http-error` faults drive.",
    ),
    (
        "resume",
        _RECOVER,
        "Continue an interrupted drill from the first scenario that did not finish.",
    ),
    (
        "recover",
        _RECOVER,
        "Revert what crashed runs left injected, from their journals (safe to run twice).",
    ),
    (
        "schedule",
        _SCHEDULE,
        "Emit what runs a drill on its schedule: CronJob + RBAC + ConfigMap, or an .ics file.",
    ),
    ("rbac", _SCHEDULE, "Print the runner's RBAC for one team: kubectl apply -f - it."),
    (
        "validate",
        _SPEC,
        "Check scenario and drill files; report every problem as file:line:col.",
    ),
    (
        "lint",
        _SPEC,
        "Validate, then apply policy checks to every scenario (and every scenario a drill "
        "includes).",
    ),
    (
        "schema",
        _SPEC,
        "Print the JSON Schema of the file format (for editor autocompletion).",
    ),
    ("list", _SPEC, "Show the scenario library: name, owner, target, fault, RTO."),
    ("new", _SPEC, "Write a new scenario from a template; it validates as written."),
    ("import", _INTEROP, "Convert other tools' documents into gameday/v1."),
    ("export", _INTEROP, "Write results in other tools' formats."),
    ("docs", _SPEC, "Generated documentation."),
)
"""(name, module that registers it on the app, summary: its help's first paragraph)."""

MODULES = {name: module for name, module, _ in COMMANDS}
