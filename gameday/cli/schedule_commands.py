"""`gameday schedule`: a drill's cron schedule as a Kubernetes CronJob or a calendar."""

from __future__ import annotations

from pathlib import Path

import typer

from gameday.cli.app import app


@app.command()
def schedule(
    drill: Path = typer.Argument(..., help="A drill file (its `schedule` is the cron expression)."),
    emit: str = typer.Option("cronjob", help="`cronjob` (Kubernetes manifests) or `ics`."),
    namespace: str = typer.Option("gameday", help="Namespace the runner (CronJob) lives in."),
    image: str | None = typer.Option(
        None,
        help="Your image built from the Dockerfile (default: [tool.gameday.schedule] image).",
    ),
    cron: str | None = typer.Option(None, help="Override the drill's `schedule`."),
    set_: list[str] = typer.Option([], "--set", help="A param for the scheduled run: KEY=VALUE."),
    push_metrics: str | None = typer.Option(None, help="Pushgateway URL for each run's results."),
    occurrences: int = typer.Option(8, help="ics: how many upcoming game days to list."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
) -> None:
    """Emit what runs a drill on its schedule: CronJob + RBAC + ConfigMap, or an .ics file."""
    import yaml

    from gameday.cli.params import parse_overrides
    from gameday.errors import UsageError
    from gameday.model.scenario import Drill
    from gameday.schedule.cron import parse
    from gameday.schedule.ics import calendar
    from gameday.schedule.manifests import manifests
    from gameday.validate import load

    subject = load(drill, parse_overrides(set_, []))
    if not isinstance(subject, Drill):
        raise UsageError(f"{drill} is a scenario", hint="schedule a drill (kind: Drill)")
    when = cron or subject.schedule
    if when is None:
        raise UsageError(
            f"{drill} has no `schedule`", hint='add `schedule: "0 10 * * thu"` or pass --cron'
        )
    try:
        parse(when)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if emit == "ics":
        text = calendar(subject, when, occurrences)
    elif emit == "cronjob":
        docs = manifests(subject, namespace, _image(image), when, list(set_), push_metrics)
        text = yaml.safe_dump_all(docs, sort_keys=False)
    else:
        raise UsageError(f"--emit {emit!r}", hint="use `cronjob` or `ics`")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")  # keep the .ics CRLFs as written


def _image(given: str | None) -> str:
    from gameday.config import load_config
    from gameday.errors import UsageError

    image = given or load_config().schedule.image
    if not image:
        raise UsageError(
            "no image for the CronJob",
            hint="build one from gameday's Dockerfile, push it to your registry, and pass "
            "--image REGISTRY/gameday:TAG (or set [tool.gameday.schedule] image in pyproject.toml)",
        )
    return image


@app.command()
def rbac(
    namespace: str = typer.Option(..., help="Namespace of the runner's ServiceAccount."),
    target: list[str] = typer.Option(
        [], "--target", help="A namespace the runner may break (repeatable; default: --namespace)."
    ),
    cluster_faults: bool = typer.Option(
        False, help="Also grant node faults and namespace-delete (opt-in, cluster-scoped)."
    ),
) -> None:
    """Print the runner's RBAC for one team: kubectl apply -f - it.

    Cluster-scoped objects are named after --namespace, so teams never overwrite each
    other's bindings.
    """
    import yaml

    from gameday.schedule.rbac import runner_rbac

    docs = runner_rbac(namespace, list(target), cluster_faults)
    typer.echo(yaml.safe_dump_all(docs, sort_keys=False), nl=False)
