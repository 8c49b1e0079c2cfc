"""`gameday run --serve`: a view that shows the run on the terminal as before and
publishes it to the live page, where the facilitator answers the runner's questions."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from gameday.errors import UsageError
from gameday.execute import notes
from gameday.execute.view import View
from gameday.live.hub import LiveHub
from gameday.live.server import FACILITATOR, OBSERVER, LiveServer
from gameday.model.scenario import Drill, Scenario
from gameday.plugins.protocols import Sample

TOKEN_ENV = {OBSERVER: "GAMEDAY_LIVE_TOKEN", FACILITATOR: "GAMEDAY_LIVE_FACILITATOR_TOKEN"}


NOBODY = "nobody (no answer in time)"


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise UsageError(
                f"--serve: {text!r} is not HOST:PORT", hint="e.g. --serve 127.0.0.1:8765"
            )
        return cls(host.strip("[]"), int(port))


def objectives(subject: Scenario | Drill) -> dict[str, dict[str, float]]:
    """Availability objectives by scenario and probe: the page's SLO and burn columns."""
    scenarios = [e.scenario for e in subject.entries] if isinstance(subject, Drill) else [subject]
    return {
        s.name: {
            slo.probe: slo.objective
            for slo in s.slos
            if slo.kind == "availability" and slo.probe and slo.objective is not None
        }
        for s in scenarios
    }


def tokens() -> dict[str, str]:
    """From the environment, or new random ones (printed with the URLs)."""
    return {
        role: os.environ.get(env) or secrets.token_urlsafe(18) for role, env in TOKEN_ENV.items()
    }


class WebView:
    def __init__(self, inner: View, subject: Scenario | Drill, address: Address):
        self.inner = inner
        self.hub = LiveHub(objectives(subject))
        self.tokens = tokens()
        self.server = LiveServer(self.hub, address.host, address.port, self.tokens, self._note)
        self.server.start()
        self.url = f"http://{address.host}:{self.server.port}/"

    def urls(self) -> dict[str, str]:
        return {role: f"{self.url}?token={token}" for role, token in self.tokens.items()}

    # -- View ------------------------------------------------------------------------

    def scenario(self, name: str) -> None:
        self.inner.scenario(name)
        self.hub.set_scenario(name)

    def phase(self, phase: str, ends_at: float | None = None) -> None:
        self.inner.phase(phase, ends_at)
        wall = None if ends_at is None else time.time() + (ends_at - time.monotonic())
        self.hub.set_phase(phase, wall)

    def sample(self, probe: str, sample: Sample) -> None:
        self.inner.sample(probe, sample)
        self.hub.add_sample(probe, sample)

    def log(self, text: str) -> None:
        self.inner.log(text)
        self.hub.add_log(Text.from_markup(text).plain)

    def ask(
        self, prompt: str, question: str = "done?", timeout: float | None = None
    ) -> bool | None:
        asked = self.hub.ask(prompt, question)
        self.inner.log(f"waiting for the facilitator in the live view ({self.url}): {prompt}")
        if not asked.answered.wait(timeout) and self.hub.answer(asked.id, False, NOBODY):
            # closed on every page; an answer that raced the timeout wins instead
            self.log(f"no answer in the live view within {timeout:g}s: {prompt}")
            return None
        answer = "yes" if asked.go else "no"
        self.log(f"{asked.by} answered {answer} in the live view")
        self._note(asked.by, f"answered {answer} to: {prompt}")
        return asked.go

    def close(self) -> None:
        self.hub.close()
        self.server.stop()
        self.inner.close()

    # -- notes from the page -----------------------------------------------------------

    def _note(self, author: str, text: str) -> None:
        """Into the running drill's inbox (this process's run), like `gameday note`."""
        own = _own_run_dir()
        if own is not None:
            notes.add_note(text, author, own)
        self.hub.add_note(author, text)


def _own_run_dir() -> Path | None:
    for run_dir in notes.running_runs(os.getpid()):
        return run_dir
    return None
