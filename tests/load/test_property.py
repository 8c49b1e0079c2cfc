"""Property: whatever document is thrown at it, the loader validates or raises InputError."""

from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.errors import InputError
from gameday.load import load_bytes
from gameday.validate import _check_header, _scenario

KEYS = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "target",
        "fault",
        "type",
        "params",
        "duration",
        "steady_state",
        "probes",
        "slo",
        "recovery",
        "rto",
        "every",
        "url",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(alphabet=string.printable, max_size=20),
    st.sampled_from(["30s", "99%", "gameday/v1", "Scenario", "local", "http"]),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=30,
)


def _check(raw: bytes) -> None:
    try:
        doc = load_bytes(raw, "generated.yaml")
        if _check_header(doc) == "Scenario":
            _scenario(doc, {})
    except InputError as exc:
        assert exc.problems, "an InputError always carries at least one problem"
        for problem in exc.problems:
            assert problem.location.file == "generated.yaml"
            assert problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, TREES, max_size=8))
def test_generated_mappings(tree: dict[str, object]) -> None:
    tree.setdefault("apiVersion", "gameday/v1")
    tree.setdefault("kind", "Scenario")
    _check(yaml.safe_dump(tree).encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes(raw: bytes) -> None:
    _check(raw)
