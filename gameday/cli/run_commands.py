"""Commands that touch targets or read runs: run, demo, report, proxy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gameday import pipeline
from gameday.cli.app import app
from gameday.cli.exit_codes import ExitCode, exit_code_for
from gameday.cli.summary import print_summary

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from gameday.execute.runner import RunOptions
    from gameday.execute.view import View
    from gameday.model.scenario import Drill, Scenario

REPORTS = typer.Option(Path("reports"), "--reports", help="Where run directories are written.")
LIVE = typer.Option(None, "--live/--plain", help="Live terminal view (default: when on a TTY).")
SERVE = typer.Option(
    None,
    "--serve",
    help="Also serve a live page for the room on HOST:PORT (token-protected; the "
    "facilitator's token approves, answers manual steps and adds notes).",
)
PUSH = typer.Option(
    None, "--push-metrics", help="Push results to this Prometheus Pushgateway URL after the run."
)


@app.command()
def run(
    path: Path = typer.Argument(..., help="A scenario or drill file."),
    set_: list[str] = typer.Option([], "--set", help="Override a param: KEY=VALUE (repeatable)."),
    values: list[Path] = typer.Option([], "--values", help="YAML file of params (repeatable)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Resolve targets and check steady state; inject nothing."
    ),
    auto_approve: bool = typer.Option(
        False, "--auto-approve", help="Approve manual steps without asking."
    ),
    confirm: str | None = typer.Option(
        None, "--confirm", help="Type a production context's name to allow running against it."
    ),
    reports: Path = REPORTS,
    live: bool | None = LIVE,
    serve: str | None = SERVE,
    push_metrics: str | None = PUSH,
    operator: str | None = typer.Option(
        None, help="Who gives the go for each scenario (default: your user name)."
    ),
    in_cluster: bool = typer.Option(
        False,
        "--in-cluster",
        help="Kubernetes targets use this pod's service account (scheduled runs).",
    ),
    approval_timeout: str = typer.Option(
        "15m",
        "--approval-timeout",
        help="How long the go for each scenario is waited for; no answer is no go "
        "(the scenario is not run, nothing is injected).",
    ),
    revert_deadline: str | None = typer.Option(
        None,
        "--revert-deadline",
        help="How long a revert is retried while its target does not answer (e.g. 2m; "
        "default 60s or $GAMEDAY_REVERT_DEADLINE); then the run ends as an error and "
        "`gameday recover` finishes the undo.",
    ),
) -> None:
    """Run a scenario or drill: preflight, steady state, inject, observe, recover, verify, rollback."""
    from gameday.cli.params import parse_overrides
    from gameday.validate import load

    overrides = parse_overrides(set_, values)
    subject = load(path, overrides)
    options = pipeline.options(
        dry_run=dry_run,
        auto_approve=auto_approve,
        interactive=_tty() or serve is not None,
        confirm=confirm,
        in_cluster=in_cluster,
        revert_deadline=_duration_option("--revert-deadline", revert_deadline),
        approval_timeout=_duration_option("--approval-timeout", approval_timeout),
        **({"operator": operator} if operator else {}),
    )
    raise typer.Exit(
        execute_and_report(subject, reports, options, live, overrides, push_metrics, serve)
    )


def _duration_option(flag: str, value: str | None) -> float | None:
    from gameday.errors import UsageError
    from gameday.spec.units import parse_duration

    if value is None:
        return None
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    if seconds <= 0:
        raise UsageError(f"{flag}: must be longer than 0s")
    return seconds


@app.command()
def demo(
    drill: Path | None = typer.Option(
        None, help="The drill to run against the demo system (default: the one shipped)."
    ),
    reports: Path = REPORTS,
    live: bool | None = LIVE,
    serve: str | None = SERVE,
) -> None:
    """Start the demo system (real processes under supervisord), run the demo drill, report, clean up.

    With `--live` (on a terminal) or `--serve`, the demo is a facilitated game day:
    nothing is auto-approved, so you give the go before each scenario and make the call
    in store-data-loss's manual step, and notes can be added from another terminal
    (`gameday note`) or the live page.

    Exits 0 when the demo ran and cleaned up, even if a scenario failed its SLO (that
    is what the demo is there to show); non-zero if a revert failed, it was
    interrupted, or a process was left behind.
    """
    from gameday.cli.console import err
    from gameday.demo.intro import expectations, packaged_drill
    from gameday.demo.stack import DemoStack
    from gameday.model.scenario import Drill
    from gameday.validate import load

    drill = drill or packaged_drill()
    subject = load(drill)  # fail on bad input before starting anything
    if isinstance(subject, Drill):
        err.print(f"drill {subject.name}: {subject.description}")
        for line in expectations(subject):
            err.print(line, markup=False, highlight=False)
    err.print("starting the demo system (store, 2 web replicas, front end, fault proxy) ...")
    stack = DemoStack.start()
    try:
        subject = load(drill, stack.params())
        attended = bool(live) or serve is not None
        if attended:
            err.print(
                "facilitated: you give the go before each scenario and decide in "
                "store-data-loss's manual step; add notes with `gameday note 'text'`"
                + (" or on the live page" if serve else ""),
                markup=False,
                highlight=False,
            )
        options = pipeline.options(auto_approve=not attended, interactive=attended)
        code = execute_and_report(subject, reports, options, live, serve=serve)
        if isinstance(subject, Drill):
            _say_how_the_breach_went(subject, reports)
    finally:
        forced = stack.stop()
        err.print(
            "demo system stopped"
            + (f" (had to kill {forced})" if forced else ", nothing left running")
        )
    if forced:
        raise typer.Exit(ExitCode.ROLLBACK_FAILED)
    raise typer.Exit(ExitCode.OK if code in (ExitCode.FAILED, ExitCode.INCONCLUSIVE) else code)


def _say_how_the_breach_went(drill: Drill, reports: Path) -> None:
    """The demo's last word: did the scenario that should breach do so, and was it seen?"""
    from gameday.cli.console import err
    from gameday.demo.intro import outcome_lines
    from gameday.execute.journal import JOURNAL, read_journal
    from gameday.score import score_journal

    runs = sorted((reports / drill.name).glob(f"*/{JOURNAL}"), key=lambda p: p.stat().st_mtime)
    if not runs:
        return
    for line in outcome_lines(drill, score_journal(read_journal(runs[-1]))):
        err.print(line, markup=False, highlight=False)


@app.command()
def report(
    run_dir: Path = typer.Argument(..., help="A run directory holding journal.jsonl."),
) -> None:
    """Re-score and re-render a run from its journal alone."""
    from gameday.cli.console import err
    from gameday.errors import InputError, Location, Problem
    from gameday.execute.journal import JOURNAL

    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise InputError(
            problems=[
                Problem(
                    Location(str(journal)), "no journal here", "name a run directory under reports/"
                )
            ]
        )
    finished = pipeline.finish(run_dir, say=lambda text: err.print(text, markup=False))
    print_summary(finished.card, finished.paths)
    if finished.journal_failed:
        raise typer.Exit(ExitCode.ERROR)
    raise typer.Exit(exit_code_for(finished.card, interrupted=False))


@app.command()
def note(
    text: str = typer.Argument(..., help="What you saw, decided or want to remember."),
    run: Path | None = typer.Option(
        None, "--run", help="The run directory (default: the one drill running now)."
    ),
    author: str | None = typer.Option(None, help="Who notes it (default: your user name)."),
) -> None:
    """Add a timestamped note to the running drill: it appears on the report's timeline
    and in the retrospective draft."""
    import getpass

    from gameday.cli.console import out
    from gameday.execute.notes import add_note

    run_dir = add_note(text, author or getpass.getuser(), run)
    out.print(f"noted in {run_dir}")


@app.command()
def proxy(
    admin: str = typer.Option("127.0.0.1:9100", help="HOST:PORT of the admin API."),
    route: list[str] = typer.Option(
        ..., help="NAME=LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT (repeatable)."
    ),
) -> None:
    """Run the userspace fault proxy that `latency` and `http-error` faults drive."""
    import asyncio

    from gameday.errors import UsageError
    from gameday.targets.local.proxy import FaultProxy, parse_route

    try:
        routes = [parse_route(r) for r in route]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    host, _, port = admin.rpartition(":")
    if not port.isdigit():
        raise UsageError(f"--admin {admin!r} is not HOST:PORT")
    asyncio.run(FaultProxy(routes, host or "127.0.0.1", int(port)).serve())


def _tty() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def execute_and_report(
    subject: Scenario | Drill,
    reports: Path,
    options: RunOptions,
    live: bool | None,
    overrides: dict[str, Any] | None = None,
    push_metrics: str | None = None,
    serve: str | None = None,
) -> ExitCode:
    from gameday.execute.run import execute

    return _report_after(
        live,
        lambda view: execute(subject, reports, options, view, overrides),
        push_metrics,
        None if serve is None else _serving(subject, serve),
    )


def _serving(subject: Scenario | Drill, serve: str) -> Callable[[View], View]:
    """Wraps the terminal view in the live page's (`--serve`); prints its two URLs."""
    try:
        from gameday.live.view import Address, WebView
    except ImportError:
        from gameday.errors import UsageError

        raise UsageError(
            "--serve needs the live extra", hint="pip install 'gameday-drills[live]'"
        ) from None
    from gameday.cli.console import err

    address = Address.parse(serve)

    def wrap(view: View) -> View:
        try:
            web = WebView(view, subject, address)
        except OSError as exc:
            from gameday.errors import UsageError

            raise UsageError(str(exc), hint="choose another --serve address") from None
        for role, url in web.urls().items():
            err.print(f"live view ({role}): {url}", markup=False, highlight=False)
        return web

    return wrap


def _report_after(
    live: bool | None,
    go: Callable[[View], tuple[Path, bool]],
    push_metrics: str | None = None,
    wrap: Callable[[View], View] | None = None,
) -> ExitCode:
    """Runs `go` with the live or plain view, then scores, renders and summarises."""
    from gameday.cli.console import err
    from gameday.execute.journal import JOURNAL
    from gameday.execute.safety import terminate_as_interrupt
    from gameday.execute.view import LiveView, PlainView

    use_live = err.is_terminal if live is None else live
    view: View = LiveView(err.rich) if use_live else PlainView(err.rich)
    if wrap is not None:
        view = wrap(view)
    terminate_as_interrupt()
    try:
        run_dir, interrupted = go(view)
    finally:
        view.close()
    finished = pipeline.finish(run_dir, interrupted, lambda text: err.print(text, markup=False))
    if finished.journal_failed:
        err.print(f"[red]error:[/] {finished.journal_failed}; the faults were reverted at once")
        if finished.journal != run_dir / JOURNAL:
            err.print(f"the whole journal was written to {finished.journal} instead")
    print_summary(finished.card, finished.paths)
    if finished.journal_failed:
        return ExitCode.ERROR
    if push_metrics:
        from gameday.pushmetrics import push

        push(finished.card, push_metrics)  # after the reports: a dead gateway loses nothing
        err.print(f"pushed results to {push_metrics}")
    from gameday.interop.grafana import publish_from_env

    annotated = publish_from_env(finished.card)  # GAMEDAY_GRAFANA_URL + _TOKEN, when set
    if annotated is not None:
        err.print(f"{annotated} fault window(s) annotated in Grafana")
    return exit_code_for(finished.card, interrupted)
