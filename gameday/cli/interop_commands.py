"""`gameday import openslo|chaostoolkit`, `gameday export backstage`, `gameday publish`:
the standards other tools speak (gameday/interop/)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from gameday.cli.app import app

import_app = typer.Typer(
    help="Convert other tools' documents into gameday/v1.", no_args_is_help=True
)
export_app = typer.Typer(help="Write results in other tools' formats.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
OUTPUT = typer.Option(None, "-o", "--output", help="Write here, not stdout.")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _report_unmapped(
    unmapped: list[str], where: str = " (listed at the top of the output)"
) -> None:
    from gameday.cli.console import err

    if unmapped:
        err.print(f"{len(unmapped)} item(s) not mapped{where}:")
        for item in unmapped:
            err.print(f"  - {item}", markup=False, highlight=False)
    else:
        err.print("everything was mapped")


@import_app.command("openslo")
def import_openslo(
    files: list[Path] = typer.Argument(..., help="OpenSLO files (openslo/v1 or v1alpha, Sloth)."),
    into: Path | None = typer.Option(
        None, help="A scenario to add the SLOs to (written out whole; its comments are lost)."
    ),
    output: Path | None = OUTPUT,
) -> None:
    """OpenSLO SLOs -> a scenario's `slo:` list (or a whole scenario with --into)."""
    import yaml

    from gameday.interop.openslo import import_slos, read_documents

    result = import_slos(read_documents(files))
    document = result.document
    if into is not None:
        scenario = yaml.safe_load(into.read_text(encoding="utf-8"))
        scenario["slo"] = [*scenario.get("slo", []), *document["slo"]]
        document = scenario
    header = result.header(", ".join(map(str, files)), "OpenSLO")
    if into is None:
        header += "# Paste under a scenario; Prometheus SLIs need its `prometheus: {url: ...}`.\n"
    _emit(header + yaml.safe_dump(document, sort_keys=False), output)
    _report_unmapped(result.unmapped)


@import_app.command("chaostoolkit")
def import_chaostoolkit(
    experiment: Path = typer.Argument(..., help="A Chaos Toolkit experiment (.json or .yaml)."),
    output: Path | None = OUTPUT,
) -> None:
    """A Chaos Toolkit experiment -> a gameday/v1 scenario, saying what did not map."""
    import yaml

    from gameday.interop.chaostoolkit import import_experiment, read_experiment

    result = import_experiment(read_experiment(experiment))
    text = result.header(str(experiment), "Chaos Toolkit") + yaml.safe_dump(
        result.document, sort_keys=False
    )
    _emit(text, output)
    _report_unmapped(result.unmapped)


@export_app.command("backstage")
def export_backstage(
    reports: Path = typer.Option(Path("reports"), help="Reports folder (report.json files)."),
    scenarios: list[Path] = typer.Option([], "--scenarios", help="Scenario files or folders."),
    output: Path = typer.Option(Path("backstage"), "-o", "--output", help="Folder to write."),
) -> None:
    """A scorecard JSON per component, and catalog annotations linking it to its scenarios."""
    import json

    import yaml

    from gameday.cli.console import err
    from gameday.interop.backstage import catalog_entities, scenario_files, scorecards

    cards = scorecards(reports)
    output.mkdir(parents=True, exist_ok=True)
    for component, card in cards.items():
        (output / f"{component}.json").write_text(json.dumps(card, indent=2) + "\n")
    entities = catalog_entities(scenario_files(list(scenarios)), cards, str(output))
    (output / "catalog-info.yaml").write_text(yaml.safe_dump_all(entities, sort_keys=False))
    err.print(f"wrote {len(cards)} scorecard(s) and {len(entities)} component(s) to {output}")


@export_app.command("chaostoolkit")
def export_chaostoolkit(
    scenario: Path = typer.Argument(..., help="A gameday/v1 scenario file."),
    output: Path | None = OUTPUT,
) -> None:
    """A scenario -> a Chaos Toolkit experiment (JSON), saying what was not exported."""
    import json

    import yaml

    from gameday.interop.chaostoolkit_export import export_experiment
    from gameday.validate import load

    load(scenario)  # only a valid scenario is exported
    result = export_experiment(yaml.safe_load(scenario.read_text(encoding="utf-8")))
    _emit(json.dumps(result.document, indent=2) + "\n", output)
    _report_unmapped(result.unmapped, where="")  # JSON has no comments: only here


@app.command()
def publish(
    run_dir: Path = typer.Argument(..., help="A run directory holding journal.jsonl."),
    grafana_url: str | None = typer.Option(
        None, help="Grafana base URL, e.g. http://grafana:3000."
    ),
    push_metrics: str | None = typer.Option(
        None, help="Pushgateway URL (results + fault windows)."
    ),
) -> None:
    """Publish a run's fault windows: Grafana annotations (token in GAMEDAY_GRAFANA_TOKEN)
    and/or Prometheus metrics through a Pushgateway."""
    from gameday.cli.console import err
    from gameday.errors import UsageError
    from gameday.execute.journal import JOURNAL, iter_records
    from gameday.interop.faultwindows import fault_windows
    from gameday.score import score_stream

    if not (run_dir / JOURNAL).is_file():
        raise UsageError(f"no {JOURNAL} in {run_dir}", hint="name a run directory under reports/")
    if not grafana_url and not push_metrics:
        raise UsageError("nothing to publish to", hint="give --grafana-url and/or --push-metrics")
    card = score_stream(lambda: iter_records(run_dir / JOURNAL))
    windows = fault_windows(card)
    if grafana_url:
        from gameday.interop.grafana import post_annotations

        token = os.environ.get("GAMEDAY_GRAFANA_TOKEN")
        if not token:
            raise UsageError(
                "GAMEDAY_GRAFANA_TOKEN is not set",
                hint="a Grafana service-account token with annotations:write, in the environment",
            )
        ids = post_annotations(grafana_url, token, windows)
        err.print(f"{len(ids)} fault window(s) annotated in Grafana")
    if push_metrics:
        from gameday.pushmetrics import push

        push(card, push_metrics)
        err.print(f"pushed results and {len(windows)} fault window(s) to {push_metrics}")
