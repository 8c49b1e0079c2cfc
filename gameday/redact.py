"""Keeps secrets out of journals, logs and reports, without touching undo data.

Secret values are collected from a scenario before it runs: values under keys that
name a credential (token, password, secret, authorization, api key, ...) anywhere in
its params and plugin params, and passwords in URLs (`http://user:PASSWORD@host`).

Masking works on typed journal records, never on a serialised line: only the fields a
record class declares as presentation (`PRESENTATION` in `gameday.model.journal`:
error messages, step output, notes, sample details, the scenario's free text) are
scrubbed of those literal values, so a secret that turns up in command output or an
error message is caught, while keys, ids, targets, undo data and numbers are written
exactly as given. Log lines are scrubbed with the same `scrub`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from gameday.model.journal import Record

QUERY_SECRET = re.compile(
    r"([?&;](?:[^=&;#\s]*(?:pass(?:word|wd)?|secret|token|auth|api[-_]?key|apikey|key|sig|signature|credential)[^=&;#\s]*)=)([^&;#\s\"'<>]+)",
    re.I,
)
"""A credential-like parameter in a URL query string (`?access_token=X`, `&sig=X`)."""
SECRET_ENV = "GAMEDAY_SECRET_ENV"
"""Comma-separated names of environment variables whose values are secrets (besides
every variable whose name looks like a credential, e.g. PGPASSWORD, GITHUB_TOKEN)."""
SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|authorization|api[-_]?key|credential|private[-_]?key)", re.I
)
URL_PASSWORD = re.compile(r"://[^:/@\s]+:([^@/\s]+)@")
MASK = "***"
MIN_LENGTH = 4
"""Shorter values are not treated as secrets: masking `ab` everywhere would mangle text."""

IDENTITY_KEYS = frozenset({"name", "type", "kind", "probe", "slo", "section"})
"""Keys in a scenario spec whose values are names other records refer to: never
substring-scrubbed (a secret equal to a probe name must not unlink its samples)."""
UNDO_KEYS = frozenset({"target"})
"""Spec subtrees `recover` relies on: only values under credential keys and URL
passwords are masked there, never a substring that happens to equal a secret."""

R = TypeVar("R", bound=Record)


def find_secrets(tree: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any, secret: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, secret or bool(SECRET_KEY.search(str(key))))
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value, secret)
        elif isinstance(node, str):
            if secret:
                found.add(node)
                found.update(part for part in node.split() if len(part) >= MIN_LENGTH)  # "Bearer X"
            found.update(URL_PASSWORD.findall(node))
            found.update(urllib.parse.unquote_plus(v) for _, v in QUERY_SECRET.findall(node))

    walk(tree, False)
    return {s for s in found if len(s) >= MIN_LENGTH}


def env_secrets(environ: Mapping[str, str]) -> set[str]:
    """Values of the runner's environment variables that are secrets: those named like a
    credential, and those listed in $GAMEDAY_SECRET_ENV. Child processes (command steps)
    inherit them, so their output may show them."""
    listed = {n.strip() for n in environ.get(SECRET_ENV, "").split(",") if n.strip()}
    return {
        value
        for name, value in environ.items()
        if (name in listed or SECRET_KEY.search(name)) and len(value) >= MIN_LENGTH
    }


def forms(secret: str) -> set[str]:
    """The ways a secret shows up in text: as is, JSON-escaped, URL-encoded, and base64
    (standard and URL-safe, at any alignment inside a longer encoded string, as in a
    basic-auth header `base64(user:SECRET)`)."""
    found = {
        secret,
        json.dumps(secret)[1:-1],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
    }
    raw = secret.encode()
    for offset in range(3):
        data = b"\0" * offset + raw
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(data).decode().rstrip("=")
            skip = (0, 2, 3)[offset]  # characters that also encode the bytes before
            tail = 1 if len(data) % 3 else 0  # the last one also encodes what follows
            core = text[skip : len(text) - tail]
            if len(core) >= 2 * MIN_LENGTH:
                found.add(core)
    return {f for f in found if len(f) >= MIN_LENGTH}


class Redactor:
    def __init__(self) -> None:
        self._secrets: list[str] = []
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            known = set(self._secrets)
            for secret in secrets:
                known |= forms(secret)
            self._secrets = sorted(known, key=len, reverse=True)  # longest first

    def scrub(self, text: str) -> str:
        """Free text without known secrets (in any of their `forms`), URL passwords and
        credential-like query parameters."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = QUERY_SECRET.sub(lambda m: m.group(1) + MASK, text)
        return URL_PASSWORD.sub(lambda m: m.group(0).replace(m.group(1), MASK), text)

    def tree(self, node: Any, *, substrings: bool = True, spec: bool = False) -> Any:
        """`node` with its string leaves masked: values under credential keys entirely,
        URL passwords, and (if `substrings`) every known secret inside any string.
        Keys, numbers, booleans and the shape of the tree are never changed. With
        `spec`, names (`IDENTITY_KEYS`) and the target (`UNDO_KEYS`) keep their text."""
        if isinstance(node, str):
            if substrings:
                return self.scrub(node)
            return URL_PASSWORD.sub(lambda m: m.group(0).replace(m.group(1), MASK), node)
        if isinstance(node, dict):
            return {k: self._value(str(k), v, substrings, spec) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return type(node)(self.tree(v, substrings=substrings, spec=spec) for v in node)
        return node

    def _value(self, key: str, value: Any, substrings: bool, spec: bool) -> Any:
        if SECRET_KEY.search(key):
            return _mask_all(value)
        if spec and key in UNDO_KEYS:
            return self.tree(value, substrings=False)
        if spec and key in IDENTITY_KEYS and isinstance(value, str):
            return value
        return self.tree(value, substrings=substrings, spec=spec)

    def record(self, record: R) -> R:
        """The record with its presentation fields masked; everything else as given."""
        changes: dict[str, Any] = {}
        for name in record.PRESENTATION:
            if "." in name:  # a field of a nested dataclass, e.g. injection.evidence
                outer, inner = name.split(".", 1)
                nested = changes.get(outer, getattr(record, outer))
                masked = self.tree(getattr(nested, inner))
                changes[outer] = dataclasses.replace(nested, **{inner: masked})
            elif name == "spec":
                changes[name] = self.tree(getattr(record, name), spec=True)
            else:
                changes[name] = self.tree(getattr(record, name))
        return dataclasses.replace(record, **changes) if changes else record


def _mask_all(node: Any) -> Any:
    if isinstance(node, str):
        return MASK if node else node
    if isinstance(node, dict):
        return {k: _mask_all(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_mask_all(v) for v in node)
    return node


_PROCESS: Redactor | None = None


def process_redactor() -> Redactor:
    """The redactor for what this process prints outside a run's journal (CLI errors):
    the environment's secrets, then whatever the CLI learns (`--set` secrets)."""
    global _PROCESS
    if _PROCESS is None:
        import os

        _PROCESS = Redactor()
        _PROCESS.add(env_secrets(os.environ))
    return _PROCESS
