"""Commands that clean up after and continue interrupted runs: recover and resume
(their rules: docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from gameday import pipeline
from gameday.cli.app import app
from gameday.cli.exit_codes import ExitCode
from gameday.cli.run_commands import LIVE, REPORTS, _report_after, _tty


@app.command()
def resume(
    run_dir: Path = typer.Argument(
        ..., help="The run directory of an interrupted or crashed drill."
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="Params again, e.g. secrets that were masked."
    ),
    values: list[Path] = typer.Option([], "--values", help="YAML file of params (repeatable)."),
    auto_approve: bool = typer.Option(
        False, "--auto-approve", help="Approve manual steps without asking."
    ),
    confirm: str | None = typer.Option(
        None, "--confirm", help="Type a production context's name to allow it."
    ),
    live: bool | None = LIVE,
    restart_changed: bool = typer.Option(
        False,
        "--restart-changed",
        help="Run scenarios whose file or params changed since the run started again from the "
        "start, instead of refusing to resume.",
    ),
) -> None:
    """Continue an interrupted drill from the first scenario that did not finish.

    Scenarios are matched to the journal by name and content hash; a changed one is
    refused unless --restart-changed. A dry run resumes as a dry run."""
    from gameday.cli.console import out
    from gameday.cli.params import parse_overrides
    from gameday.config import load_config
    from gameday.errors import InputError, Location, Problem, RefusedError, UsageError
    from gameday.execute.journal import JOURNAL, read_events
    from gameday.execute.recover import live_runner
    from gameday.execute.recover import recover as recover_run
    from gameday.execute.resume import entries_of, plan_resume
    from gameday.execute.run import resume as resume_run
    from gameday.model.journal import RunStart
    from gameday.redact import MASK
    from gameday.validate import load, merge_params

    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise InputError(
            problems=[Problem(Location(str(journal)), "no journal here", "name a run directory")]
        )
    records = read_events(journal)  # not the samples: an 8-hour run resumes in little memory
    start = next((r for r in records if isinstance(r, RunStart)), None)
    if start is None or not start.source:
        raise UsageError(
            f"{journal} has no resumable run-start record",
            hint="only runs of gameday >= 0.1 resume",
        )
    cli = parse_overrides(set_, values)
    stored = start.overrides
    masked = sorted(k for k, v in stored.items() if v == MASK and k not in cli)
    if masked:
        raise UsageError(
            f"these params were secrets and are not in the journal: {', '.join(masked)}",
            hint="pass them again: " + " ".join(f"--set {k}=..." for k in masked),
        )
    subject = load(Path(start.source), merge_params(stored, cli))
    alive = live_runner(run_dir)
    if alive:
        raise RefusedError(f"{run_dir}: {alive}", hint="a live run cannot be resumed")
    entries = entries_of(subject)
    plan = plan_resume(records, entries, restart_changed)
    for result in recover_run(run_dir, load_config().guardrails):  # a crash may have left a fault
        out.print(f"recovered {result.item.key}: {'reverted' if result.ok else result.detail}")
    if not plan.todo:
        out.print("every scenario of this run finished; nothing to resume")
        raise typer.Exit(ExitCode.OK)
    if plan.fresh:
        out.print(
            f"changed since the run started, run again from the start: {', '.join(plan.fresh)}"
        )
    mode = " (a dry run, as the run it resumes)" if plan.dry_run else ""
    out.print(f"resuming {subject.name} at scenario {plan.todo[0] + 1} of {len(entries)}{mode}")
    options = pipeline.options(
        dry_run=plan.dry_run, auto_approve=auto_approve, interactive=_tty(), confirm=confirm
    )
    raise typer.Exit(
        _report_after(
            live,
            lambda view: (
                run_dir,
                resume_run(run_dir, subject, options, view, plan.todo, plan.fresh),
            ),
        )
    )


@app.command()
def recover(
    run_dirs: list[Path] = typer.Argument(
        None, help="Run directories to recover (default: see --all)."
    ),
    all_runs: bool = typer.Option(False, "--all", help="Every run under --reports."),
    reports: Path = REPORTS,
    force: bool = typer.Option(
        False,
        "--force",
        help="Revert even when the run's runner is still alive, without taking the target lock.",
    ),
) -> None:
    """Revert what crashed runs left injected, from their journals (safe to run twice).

    Refuses a run whose runner is still alive (unless --force), a journal another user
    could have written, and any undo record the guardrails refuse (exit 3)."""
    from gameday.cli.console import err, out
    from gameday.config import load_config
    from gameday.errors import RefusedError, UsageError
    from gameday.execute.recover import live_runner, outstanding
    from gameday.execute.recover import recover as recover_run
    from gameday.execute.recover import run_dirs as all_run_dirs

    if bool(run_dirs) == all_runs:
        raise UsageError("name run directories, or pass --all", hint="e.g. gameday recover --all")
    targets = all_run_dirs(reports) if all_runs else list(run_dirs)
    guardrails = load_config().guardrails
    failed = refused = 0
    for run_dir in targets:
        alive = live_runner(run_dir) if force else None
        if alive and outstanding(run_dir):
            err.print(
                f"--force: {run_dir}: {alive}; reverting its {len(outstanding(run_dir))} "
                "outstanding injection(s) under it, without the target lock. The runner "
                "will find them reverted and may report its own revert as failed."
            )
        try:
            results = recover_run(run_dir, guardrails, force)
        except RefusedError as exc:
            refused += 1
            out.print(
                f"[red]refused[/] {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")
            )
            continue
        for result in results:
            failed += not result.ok and not result.refused
            refused += result.refused
            mark = (
                "[green]reverted[/]"
                if result.ok
                else f"[red]{'REFUSED' if result.refused else 'FAILED'}[/] ({result.detail})"
            )
            touched = ", ".join(result.item.injection.targets) or "-"
            out.print(f"{run_dir}: {result.item.key} on {touched}: {mark}")
    if failed:
        raise typer.Exit(ExitCode.ROLLBACK_FAILED)
    if refused:
        raise typer.Exit(ExitCode.REFUSED)
    out.print(f"nothing left injected in {len(targets)} run(s)")
