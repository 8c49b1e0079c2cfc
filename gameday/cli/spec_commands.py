"""Commands about the scenario library: validate, lint, schema, list, new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from gameday.cli.app import app
from gameday.cli.exit_codes import ExitCode


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., help="Scenario/drill files or directories."),
) -> None:
    """Check scenario and drill files; report every problem as file:line:col."""
    from gameday.cli.validate_command import validate_files

    code = validate_files(paths)
    if code:
        raise typer.Exit(code)


@app.command()
def lint(
    paths: list[Path] = typer.Argument(..., help="Scenario/drill files or directories."),
    config: Path | None = typer.Option(
        None, help="pyproject.toml with [tool.gameday.lint] (default: nearest)."
    ),
) -> None:
    """Validate, then apply policy checks to every scenario (and every scenario a drill includes)."""
    from gameday.cli.console import err, print_problem
    from gameday.config import load_config
    from gameday.lint import lint_paths

    settings = load_config(config)
    count, problems = lint_paths(paths, settings.lint)
    for problem in problems:
        print_problem(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    err.print(f"{count} file(s): {errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(ExitCode.BAD_INPUT)


@app.command()
def schema(
    kind: str = typer.Option("all", help="scenario, drill or all."),
) -> None:
    """Print the JSON Schema of the file format (for editor autocompletion)."""
    from gameday.cli.console import out
    from gameday.errors import UsageError
    from gameday.schema import json_schema

    if kind not in ("scenario", "drill", "all"):
        raise UsageError(f"unknown --kind {kind!r}", hint="use scenario, drill or all")
    out.print_json(json.dumps(json_schema(kind)))


docs_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("reference")
def docs_reference(
    output: Path = typer.Option(Path("docs/reference"), help="Directory to write."),
    check: bool = typer.Option(False, "--check", help="Only report stale files (exit 1)."),
    installed: bool = typer.Option(
        False, "--installed", help="Document every installed plugin, not only gameday's own."
    ),
) -> None:
    """Write the plugin reference (every fault, probe, action and target parameter)."""
    from gameday.cli.console import err
    from gameday.reference import stale, write_reference

    root = Path.cwd()
    if check:
        changed = stale(output, root, installed)
        for name in changed:
            err.print(f"stale: {output / name}")
        if changed:
            err.print("regenerate with: gameday docs reference")
            raise typer.Exit(1)
        err.print(f"{output} is current")
        return
    changed = write_reference(output, root, installed)
    err.print(f"wrote {output}: {len(changed)} file(s) changed")


@app.command("list")
def list_scenarios(
    directory: Path = typer.Argument(Path("scenarios"), help="Directory of scenarios."),
    owner: str | None = typer.Option(None, help="Only scenarios owned by this team."),
    output: str = typer.Option("table", help="table or json."),
) -> None:
    """Show the scenario library: name, owner, target, fault, RTO."""
    from rich.table import Table

    from gameday.cli.console import out, print_problem
    from gameday.errors import InputError
    from gameday.model.scenario import Scenario
    from gameday.spec.units import format_duration
    from gameday.validate import iter_yaml_files, load

    rows: list[dict[str, Any]] = []
    problems: list[Any] = []
    for file in iter_yaml_files([directory], problems):
        try:
            s = load(file)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(s, Scenario) and (owner is None or s.owner == owner):
            rows.append(
                {
                    "name": s.name,
                    "owner": s.owner,
                    "target": s.target.kind,
                    "fault": s.fault.type,
                    "rto": None if s.recovery.rto is None else format_duration(s.recovery.rto),
                    "file": str(file),
                }
            )
    for problem in problems:
        print_problem(problem)
    if output == "json":
        out.print_json(json.dumps(rows))
    else:
        table = Table("name", "owner", "target", "fault", "RTO", title=f"scenarios in {directory}")
        for r in rows:
            table.add_row(r["name"], r["owner"] or "-", r["target"], r["fault"], r["rto"] or "-")
        out.print(table)
    if problems:
        raise typer.Exit(ExitCode.BAD_INPUT)


@app.command()
def new(
    kind: str = typer.Argument(..., help="What to create: scenario."),
    template: str = typer.Option(..., "--template", "-t", help="Golden path to start from."),
    name: str = typer.Option("my-scenario", help="metadata.name of the new scenario."),
    owner: str = typer.Option("my-squad", help="metadata.owner."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: NAME.yaml)."
    ),
) -> None:
    """Write a new scenario from a template; it validates as written."""
    from gameday.cli.console import err
    from gameday.errors import UsageError
    from gameday.hints import did_you_mean
    from gameday.templates import render_template, template_names

    if kind != "scenario":
        raise UsageError(f"cannot create {kind!r}", hint="only `gameday new scenario` exists")
    if template not in template_names():
        raise UsageError(
            f"unknown template {template!r}", hint=did_you_mean(template, template_names())
        )
    target = output or Path(f"{name}.yaml")
    if target.exists():
        raise UsageError(f"{target} already exists", hint="choose another --output or --name")
    target.write_text(render_template(template, name_value=name, owner=owner), encoding="utf-8")
    err.print(f"wrote {target} (template {template}); check it with: gameday validate {target}")
