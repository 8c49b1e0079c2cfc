"""The one pipeline every entry point goes through: `gameday run`, `demo`, `resume`,
`report` and `pytest --gameday`.

    options (project config + guardrails) -> execute -> journal -> score -> render

`options()` is the only way the entry points build `RunOptions`, so the project's
`[tool.gameday]` settings and guardrails cannot be skipped by one of them; `finish()`
scores and renders a run directory from its journal alone (the spilled copy when the
disk was full), which is also all `gameday report` does. What a finished run means as
an exit code is the CLI's business (`cli/exit_codes.py`); nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gameday.execute.runner import RunOptions
    from gameday.execute.view import View
    from gameday.model.scenario import Drill, Scenario
    from gameday.model.scorecard import Scorecard

Say = Callable[[str], None]


@dataclass(frozen=True)
class Finished:
    run_dir: Path
    card: Scorecard
    paths: dict[str, Path]
    """Report files written, by reporter name (plus `index`); empty if none could be."""
    interrupted: bool
    journal: Path
    """The journal scored: the run directory's, or its spilled copy after a full disk."""
    journal_failed: str | None
    """Why the journal could not be written to the end (the run ended as an error)."""


def options(**settings: Any) -> RunOptions:
    """Run options with the project's `[tool.gameday]` guardrails (found from the working
    directory, as `gameday run` finds them), whatever the entry point."""
    from gameday.config import load_config
    from gameday.execute.runner import RunOptions

    return RunOptions(guardrails=load_config().guardrails, **settings)


def run(
    subject: Scenario | Drill,
    reports: Path,
    run_options: RunOptions,
    view: View,
    overrides: dict[str, Any] | None = None,
    say: Say = lambda _: None,
) -> Finished:
    """Executes every scenario, then scores and renders the run."""
    from gameday.execute.run import execute

    run_dir, interrupted = execute(subject, reports, run_options, view, overrides)
    return finish(run_dir, interrupted, say)


def finish(run_dir: Path, interrupted: bool = False, say: Say = lambda _: None) -> Finished:
    """Scores and renders a run directory from its journal alone, read as a stream
    (two passes; see `gameday.score.score_stream`), never held whole."""
    from gameday.execute.journal import best_journal, iter_records, journal_failure, spill_dir
    from gameday.score import score_stream

    journal = best_journal(run_dir)
    card = score_stream(lambda: iter_records(journal))  # streamed: memory flat in its length
    failure = journal_failure(iter_records(journal, only=("run-end",)))
    paths = render_somewhere(card, run_dir, spill_dir(run_dir), say)
    return Finished(run_dir, card, paths, interrupted, journal, failure)


def render_somewhere(card: Scorecard, run_dir: Path, spill: Path, say: Say) -> dict[str, Path]:
    """Reports into the run directory; if its disk refuses them, into `spill` (the
    spill directory), saying so; if that fails too, says why and writes none."""
    from gameday.render import render_all
    from gameday.render.index import write_index

    try:
        paths = render_all(card, run_dir)
        paths["index"] = write_index(run_dir.resolve().parent.parent)
        return paths
    except OSError as exc:
        say(f"cannot write the report in {run_dir}: {exc.strerror or exc}")
    try:
        spill.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths = render_all(card, spill)
    except OSError as exc:
        say(f"no report written: {spill} failed too: {exc.strerror or exc}")
        return {}
    say(f"report written to {spill} instead")
    return paths
