"""docs/reference/ is generated from the plugins' models and checked in: it must be what
`gameday docs reference` writes today (#12.7), name every parameter of every plugin, and
its examples must be valid."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gameday.plugins.registry import GROUPS, registry
from gameday.reference import example_params, render_reference, stale, write_reference
from tests.cli.helpers import gameday
from tests.conftest import ROOT

REFERENCE = ROOT / "docs" / "reference"
PLUGINS = [
    (kind, name)
    for kind in GROUPS
    for name in registry(kind).names()
    if registry(kind).get(name).__module__.startswith("gameday.")  # gameday's own
]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_reference(ROOT)


def section(pages: dict[str, str], kind: str, name: str) -> str:
    return pages[f"{kind}s.md"].split(f'<a id="{name}"></a>')[1].split('<a id="')[0]


def test_checked_in_reference_is_current() -> None:
    assert stale(REFERENCE, ROOT) == [], "run `gameday docs reference` and commit docs/reference"


def test_staleness_is_seen_and_fixed_by_the_command(tmp_path: Path) -> None:
    """Negative control for the test above."""
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE, copy)
    faults = copy / "faults.md"
    faults.write_text(faults.read_text().replace("| `signal` |", "| `sgnal` |"))
    (copy / "old-plugin.md").write_text("gone\n")
    assert stale(copy, ROOT) == ["faults.md", "old-plugin.md"]
    done = gameday("docs", "reference", "--check", "--output", str(copy))
    assert done.returncode == 1 and "stale:" in done.stderr
    assert sorted(write_reference(copy, ROOT)) == ["faults.md", "old-plugin.md"]
    assert stale(copy, ROOT) == [] and not (copy / "old-plugin.md").exists()
    assert gameday("docs", "reference", "--check", "--output", str(copy)).returncode == 0


@pytest.mark.parametrize(("kind", "name"), PLUGINS, ids=[f"{k}:{n}" for k, n in PLUGINS])
def test_every_parameter_of_every_plugin_is_documented(
    kind: str, name: str, pages: dict[str, str]
) -> None:
    text = section(pages, kind, name)
    params = registry(kind).get(name).Params
    for field, info in params.model_fields.items():
        row = next(
            line for line in text.splitlines() if line.startswith(f"| `{info.alias or field}` |")
        )
        required = "**required**" in row
        assert required == info.is_required(), row
    assert "```yaml\n" in text and "Example" in text


def test_model_built_examples_are_valid() -> None:
    pages = render_reference(ROOT)  # once: rendering every page takes about a second
    built = [
        (kind, name)
        for kind, name in PLUGINS
        if f'<a id="{name}"></a>' in (page := pages[f"{kind}s.md"])
        and "built from the model" in page.split(f'<a id="{name}"></a>')[1].split('<a id="')[0]
    ]
    for kind, name in built:
        registry(kind).get(name).Params.model_validate(example_params(kind, name))
