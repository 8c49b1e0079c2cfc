"""Scenario templates for `gameday new scenario --template NAME` (golden paths).

Templates mark the new scenario's name and owner as `__NAME__` and `__OWNER__`, so
they do not clash with the `{{ param }}` templating of the scenarios themselves.
"""

from __future__ import annotations

from importlib import resources


def template_names() -> list[str]:
    folder = resources.files("gameday.templates").joinpath("scenarios")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def render_template(
    name: str, *, name_value: str | None = None, owner: str = "my-squad", **_: str
) -> str:
    text = (
        resources.files("gameday.templates")
        .joinpath(f"scenarios/{name}.yaml")
        .read_text(encoding="utf-8")
    )
    return text.replace("__NAME__", name_value or name).replace("__OWNER__", owner)
