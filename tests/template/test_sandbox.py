"""Templating keeps native types, fails loudly on undefined names, and is sandboxed."""

from __future__ import annotations

import pytest

from gameday.template import TemplateFailure, render_string, render_tree


def test_lone_expression_keeps_its_type() -> None:
    assert render_string("{{ replicas }}", {"replicas": 3}) == 3
    assert render_string("{{ replicas * 2 }}", {"replicas": 3}) == 6
    assert render_string("{{ flags }}", {"flags": [1, 2]}) == [1, 2]


def test_mixed_text_renders_to_a_string() -> None:
    assert (
        render_string("http://{{ host }}:{{ port }}/", {"host": "h", "port": 80}) == "http://h:80/"
    )


@pytest.mark.parametrize("text", ["{{ missing }}", "x-{{ missing }}", "{{ obj.missing }}"])
def test_undefined_is_an_error_never_empty(text: str) -> None:
    with pytest.raises(TemplateFailure) as caught:
        render_string(text, {"obj": {}})
    assert "undefined parameter" in caught.value.message


SSTI_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ x.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context }}",
    "{{ request.application.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{{ config.items() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
]


@pytest.mark.parametrize("payload", SSTI_PAYLOADS)
def test_ssti_payloads_are_refused(payload: str) -> None:
    with pytest.raises(TemplateFailure) as caught:
        render_string(payload, {"x": "value"})
    assert "not allowed" in caught.value.message or "undefined" in caught.value.message


def test_tree_rendering_collects_every_failure_with_its_path() -> None:
    result = render_tree(
        {"params": {"a": "{{ untouched }}"}, "x": ["{{ a }}", "{{ b }}"], "y": {"z": "{{ c }}"}},
        {"a": 1},
        skip=frozenset({"params"}),
    )
    assert result.value["x"][0] == 1 and result.value["params"] == {"a": "{{ untouched }}"}
    assert [p.path for p in result.problems] == [("x", 1), ("y", "z")]
