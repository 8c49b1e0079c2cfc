"""The built-in reporters, registered under `gameday.reporters` like a third-party
format would be. Each imports its renderer on use, so a command that writes no report
never imports Jinja2 or the chart code."""

from __future__ import annotations

from typing import ClassVar

from gameday.model.scorecard import Scorecard


class JsonReport:
    name: ClassVar[str] = "json"
    filename: ClassVar[str] = "report.json"

    def render(self, card: Scorecard) -> str:
        from gameday.render.report_json import render_json

        return render_json(card)


class HtmlReport:
    name: ClassVar[str] = "html"
    filename: ClassVar[str] = "report.html"

    def render(self, card: Scorecard) -> str:
        from gameday.render.html import render_html

        return render_html(card)


class MarkdownReport:
    name: ClassVar[str] = "markdown"
    filename: ClassVar[str] = "report.md"

    def render(self, card: Scorecard) -> str:
        from gameday.render.markdown import render_markdown

        return render_markdown(card)


class JunitReport:
    name: ClassVar[str] = "junit"
    filename: ClassVar[str] = "junit.xml"

    def render(self, card: Scorecard) -> str:
        from gameday.render.junit import render_junit

        return render_junit(card)
