"""Nobody answers: a question in the live view is closed after its timeout on every page
and the runner gets None (no go, or a failed manual step), never a wait for ever with a
fault in place. An answer given in time still counts."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from rich.console import Console

from gameday.execute.view import PlainView
from gameday.live.view import NOBODY, Address, WebView
from gameday.validate import load
from tests.plugins.minimal import minimal_scenario


def web_view(tmp_path: Path) -> WebView:
    path = tmp_path / "s.yaml"
    path.write_text(minimal_scenario("unanswered"))
    inner = PlainView(Console(file=io.StringIO(), width=200))
    return WebView(inner, load(path, {}), Address("127.0.0.1", 0))


def test_an_unanswered_question_times_out_and_is_withdrawn(tmp_path: Path) -> None:
    view = web_view(tmp_path)
    events: list[dict[str, object]] = []
    view.hub.listen(events.append)
    try:
        start = time.monotonic()
        assert view.ask("restart the primary", "done?", timeout=0.5) is None
        assert 0.5 <= time.monotonic() - start < 3
        assert view.hub.snapshot()["question"] is None, "the page no longer asks"
        assert any(e.get("type") == "answered" and e.get("by") == NOBODY for e in events)
    finally:
        view.close()


def test_an_answer_in_time_is_the_answer(tmp_path: Path) -> None:
    view = web_view(tmp_path)
    try:

        def answer() -> None:
            while (asked := view.hub.question) is None:
                time.sleep(0.01)
            view.hub.answer(asked.id, True, "alex")

        helper = threading.Thread(target=answer)
        helper.start()
        assert view.ask("go?", "go?", timeout=10) is True
        helper.join()
    finally:
        view.close()
