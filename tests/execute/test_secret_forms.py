"""Secrets stay secret in every form (#11.9): in a URL query string, in environment
variables (named like a credential, or listed in $GAMEDAY_SECRET_ENV), inside error
messages, URL-encoded and base64 (also inside a basic-auth header). Every artefact of a
real run is grepped for every form."""

from __future__ import annotations

import base64
import os
import subprocess
import urllib.parse
from pathlib import Path

from gameday.demo.stack import DemoStack
from gameday.redact import SECRET_ENV, Redactor, forms
from tests.cli.helpers import GAMEDAY
from tests.conftest import DATA, ROOT

TOKEN = "tok-Qx7Lm2Np9Rs4Vw"
QUERY = "qs-Zz81Yy72Xx63Ww"
PG = "pg-Ab12Cd34Ef56Gh"
LISTED = "dk-Mn09Bv87Cx65Zl"


def _encodings(secret: str) -> dict[str, str]:
    return {
        "plain": secret,
        "url-encoded": urllib.parse.quote(secret, safe=""),
        "base64": base64.b64encode(secret.encode()).decode().rstrip("="),
        "base64 in basic auth": base64.b64encode(f"gd-user:{secret}".encode()).decode()[12:-4],
    }


def test_every_artefact_is_free_of_every_form(stack: DemoStack, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PGPASSWORD": PG,
        "DEPLOY_KEY_VALUE": LISTED,  # not named like a credential: listed instead
        SECRET_ENV: "DEPLOY_KEY_VALUE",
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [
            GAMEDAY,
            "run",
            str(DATA / "local" / "secret-forms.yaml"),
            "--reports",
            str(tmp_path),
            "--set",
            f"frontend_host_port=127.0.0.1:{stack.ports['public']}",
            "--set",
            f"proxy_admin={stack.params()['proxy_admin']}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    (run_dir,) = tmp_path.glob("secret-forms/*")
    artefacts = {p.name: p.read_text() for p in run_dir.iterdir() if p.is_file()}
    artefacts |= {"stdout": done.stdout, "stderr": done.stderr}
    assert {"journal.jsonl", "report.html", "report.md", "report.json", "junit.xml"} <= set(
        artefacts
    )
    leaks = [
        f"{name} of {secret} in {where}"
        for secret in (TOKEN, QUERY, PG, LISTED)
        for name, form in _encodings(secret).items()
        for where, text in artefacts.items()
        if form in text
    ]
    print(f"\nforms x secrets x artefacts checked: {4 * 4 * len(artefacts)}, leaks: {len(leaks)}")
    assert leaks == []
    journal = artefacts["journal.jsonl"]
    # the steps really printed them (masked), and the error message is still there
    assert "pg=*** deploy=***" in journal
    assert "hook?access_token=***&page=1&token=*** failed" in journal
    assert "q is ***" in journal


def test_base64_forms_are_found_at_any_alignment() -> None:
    redactor = Redactor()
    redactor.add([TOKEN])
    for prefix in ("", "a", "ab", "abc", "user:", "Authorization: x"):
        encoded = base64.b64encode((prefix + TOKEN + "!tail").encode()).decode()
        masked = redactor.scrub(f"header {encoded} end")
        assert masked != f"header {encoded} end", prefix
        assert all(f not in masked for f in forms(TOKEN)), prefix


def test_query_tokens_are_masked_even_when_not_known_in_advance() -> None:
    redactor = Redactor()
    text = "GET https://h/cb?code=1&access_token=fresh-Zx9&x=2 failed; sig=abc&api_key=k1"
    assert redactor.scrub(text) == (
        "GET https://h/cb?code=1&access_token=***&x=2 failed; sig=abc&api_key=***"
    )


def test_the_live_view_sees_sample_details_masked() -> None:
    """The live console and the room's page show a failing sample's detail."""
    from gameday.execute.view import RedactingView
    from gameday.plugins.protocols import Sample

    seen: list[Sample] = []

    class Recording:
        def scenario(self, name: str) -> None: ...
        def phase(self, phase: str, ends_at: float | None = None) -> None: ...
        def sample(self, probe: str, sample: Sample) -> None:
            seen.append(sample)

        def log(self, text: str) -> None: ...
        def ask(
            self, prompt: str, question: str = "done?", timeout: float | None = None
        ) -> bool | None:
            return True

        def close(self) -> None: ...

    redactor = Redactor()
    redactor.add([TOKEN])
    view = RedactingView(Recording(), redactor.scrub)
    view.sample("web", Sample(1.0, False, None, None, f"GET /x?k=1 with {TOKEN}: refused"))
    assert seen[0].detail == "GET /x?k=1 with ***: refused"


def test_cli_errors_outside_a_run_are_masked_too() -> None:
    """A validation error quoting a bad --set value must not print the password or
    token inside it."""
    from tests.cli.helpers import gameday

    done = gameday(
        "run",
        str(DATA / "local" / "pause-frontend.yaml"),
        "--dry-run",
        "--set",
        f"frontend_url=ftp://user:{PG}@host/?access_token={QUERY}",
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "invalid address" in done.stderr and "ftp://user:***@host/?access_token=***" in done.stderr
    )
    assert PG not in done.stdout + done.stderr and QUERY not in done.stdout + done.stderr
