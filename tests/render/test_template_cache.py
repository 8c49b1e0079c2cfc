"""The report templates' compiled form is cached on disk (gameday/render/jinja.py): a
cached render is the same page as a fresh one, an edited template is compiled afresh,
and a cache that cannot be written costs nothing but the compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.render import jinja
from gameday.render.html import render_html
from gameday.score import score_journal
from tests.score.test_score import journal


def test_a_cached_render_is_the_same_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = score_journal(journal("." * 10 + "x" * 5 + "." * 25))
    monkeypatch.setenv("GAMEDAY_CACHE", str(tmp_path / "cache"))
    fresh = render_html(card)
    cached = list((tmp_path / "cache" / "jinja2").iterdir())
    assert len(cached) == 1 and cached[0].stat().st_size > 1000
    assert render_html(card) == fresh  # from the cache this time
    monkeypatch.setenv("GAMEDAY_CACHE", str(tmp_path / "other"))
    assert render_html(card) == fresh  # and compiled without one


def test_an_edited_template_is_not_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMEDAY_CACHE", str(tmp_path))
    name = jinja._Templates().get_source(jinja.environment(), "index.html.j2")[1]
    for text in ("<p>first {{ n }}</p>", "<p>edited {{ n }}</p>"):
        monkeypatch.setattr(jinja._Templates, "get_source", lambda *_, t=text: (t, name, None))
        page = jinja.environment().get_template("index.html.j2").render(n=2)
        assert page == text.replace("{{ n }}", "2")
    assert len(list((tmp_path / "jinja2").iterdir())) == 1  # one name: one slot, rewritten


def test_an_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GAMEDAY_CACHE", str(blocker))
    card = score_journal(journal("." * 40))
    assert "<html" in render_html(card)


@pytest.mark.parametrize("damage", [b"", b"garbage", b"j2\x00\x00\x00\x00" + b"\xff" * 64])
def test_a_damaged_cache_file_is_recompiled_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    """A cache file cut short (disk full, SIGKILL mid-write) or overwritten: the page is
    the same as a fresh one."""
    card = score_journal(journal("." * 10 + "x" * 5 + "." * 25))
    monkeypatch.setenv("GAMEDAY_CACHE", str(tmp_path))
    fresh = render_html(card)
    (cached,) = (tmp_path / "jinja2").iterdir()
    cached.write_bytes(damage)
    assert render_html(card) == fresh
