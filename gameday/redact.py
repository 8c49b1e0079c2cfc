"""Keeps secrets out of journals, logs and reports.

Secret values are collected from a scenario before it runs: values under keys that
name a credential (token, password, secret, authorization, api key, ...) anywhere in
its params and plugin params, and passwords in URLs (`http://user:PASSWORD@host`).
Every journal line and log line is then scrubbed of those literal values, so a secret
that turns up in command output, an error message or a sample detail is caught too.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Any

SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|authorization|api[-_]?key|credential|private[-_]?key)", re.I
)
URL_PASSWORD = re.compile(r"://[^:/@\s]+:([^@/\s]+)@")
MASK = "***"
MIN_LENGTH = 4
"""Shorter values are not treated as secrets: masking `ab` everywhere would mangle text."""


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

    walk(tree, False)
    return {s for s in found if len(s) >= MIN_LENGTH}


class Redactor:
    def __init__(self) -> None:
        self._secrets: list[str] = []
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            forms = set(self._secrets)
            for secret in secrets:
                forms.add(secret)
                forms.add(json.dumps(secret)[1:-1])  # as it appears inside a JSON string
            self._secrets = sorted(forms, key=len, reverse=True)  # longest first

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text
