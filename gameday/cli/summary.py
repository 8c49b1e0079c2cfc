"""What a finished run means on the command line: its exit code (the one map from a
scorecard to `ExitCode`, docs/cli.md) and the summary table printed after the reports."""

from __future__ import annotations

from pathlib import Path

from gameday.model.scorecard import ScenarioScore, Scorecard


def print_summary(card: Scorecard, paths: dict[str, Path]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from gameday.cli.console import out

    def secs(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}s"

    def ttr(s: ScenarioScore) -> str:
        return secs(s.time_to_recover) if s.time_to_recover is not None else s.recovery

    table = Table(
        "scenario",
        "verdict",
        "score",
        "TTR / RTO",
        "data lost / RPO",
        title=f"{card.name}: {card.score if card.score is not None else '-'} ({card.grade}) {card.verdict}",
    )
    for s in card.scenarios:
        colour = {"pass": "green", "inconclusive": "yellow", "error": "magenta"}.get(
            s.verdict, "red"
        )
        table.add_row(
            s.name,
            f"[{colour}]{s.verdict}[/]",
            f"{s.score if s.score is not None else '-'} {s.grade}",
            f"{ttr(s)} / {secs(s.rto)}",
            f"{secs(s.data_lost)} / {secs(s.rpo)}",
        )
    out.print(table)
    for s in card.scenarios:
        for reason in s.reasons:
            out.print(f"[red]{s.name}[/]: {escape(reason)}")
    if paths:
        out.print(f"report: {paths['html']}")
        out.print(f"json:   {paths['json']}")
