"""Templates that would hang or eat memory are located errors within seconds (#11.8)."""

from __future__ import annotations

import time
from pathlib import Path
from textwrap import dedent

import pytest

from gameday.errors import InputError
from gameday.template import MAX_SECONDS, TemplateFailure, render_string
from gameday.validate import load

HOSTILE = {
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "loop mutating a namespace": "{% set n = namespace(a=0) %}{% for i in range(99999) %}"
    "{% for j in range(99999) %}{% set n.a = n.a + 1 %}{% endfor %}{% endfor %}",
    "string repetition": "{{ 'x' * 10**9 }}",
    "list repetition": "{{ [0] * 10**9 }}",
    "huge power": "x{{ 7 ** 999999 }}",
    "huge output": "{% for a in range(100000) %}{{ a }}{{ a }}{% endfor %}",
    "center filter": "{{ 'x' | center(10**9) }}",
    "ljust method": "{{ 'x'.ljust(10**9) }}",
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "printf width": "{{ '%0999999999d' % 1 }}",
    "format filter": "{{ '%999999999s' | format(1) }}",
    "replace empty needle": "{{ s | replace('', s) }}",
    "replace method": "{{ s.replace('', s) }}",
    "recursive macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "repeat a big param": "{{ s * 100 }}",
}


SLOW = {"nested loops", "loop mutating a namespace"}
"""Stopped by the time limit (MAX_SECONDS), not by a static check: tier `slow`."""


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in sorted(HOSTILE)]
)
def test_hostile_template_fails_fast(name: str) -> None:
    start = time.monotonic()
    with pytest.raises(TemplateFailure) as caught:
        render_string(HOSTILE[name], {"s": "y" * 20000})
    took = time.monotonic() - start
    assert took < MAX_SECONDS + 1.0, f"{name} took {took:.1f}s"
    assert caught.value.hint, "every refusal says what to do instead"


def test_ordinary_templates_still_work() -> None:
    assert render_string("{{ 'ab' * 3 }}-{{ 2 ** 10 }}", {}) == "ababab-1024"
    assert render_string("{% for i in range(3) %}{{ i }}{% endfor %}", {}) == "012"
    assert render_string("{{ '%5d' % 42 }}|{{ '{:>4}'.format(7) }}", {}) == "   42|   7"


@pytest.mark.slow  # waits out the time limit
def test_a_hostile_scenario_is_one_located_error_in_seconds(tmp_path: Path) -> None:
    scenario = tmp_path / "loop.yaml"
    scenario.write_text(
        dedent("""\
            apiVersion: gameday/v1
            kind: Scenario
            metadata:
              name: "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
              description: "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
            target: {kind: local}
            """)
    )
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        load(scenario)
    assert time.monotonic() - start < MAX_SECONDS + 1.5  # one budget for the whole file
    lines = {p.location.line for p in caught.value.problems if "longer than" in p.message}
    assert lines and lines <= {4, 5}
