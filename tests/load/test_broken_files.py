"""Every kind of broken file gives one clear, located error; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.load import MAX_FILE_BYTES, load_bytes, load_file
from gameday.validate import load
from tests.conftest import DATA

BROKEN = DATA / "broken"

# file -> (line, column, words the message must contain, words the hint must contain)
CASES = {
    "empty.yaml": (1, 1, "file is empty", "apiVersion"),
    "comments-only.yaml": (1, 1, "file is empty", "apiVersion"),
    "list.yaml": (1, 1, "document is a list", "apiVersion"),
    "scalar.yaml": (1, 1, "document is a single value", "apiVersion"),
    "tabs.yaml": (4, 1, "invalid YAML", "tabs"),
    "unknown-api-version.yaml": (1, 1, "unknown apiVersion `gameday/v2`", "gameday/v1"),
    "unknown-kind.yaml": (2, 1, "unknown kind `Scenaro`", "did you mean `Scenario`"),
    "two-documents.yaml": (1, 1, "2 YAML documents", "own file"),
    "unclosed-flow.yaml": (4, 1, "invalid YAML", "indentation"),
    "alias-bomb.yaml": (None, None, "alias bomb", "anchors"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_gives_one_located_error(name: str) -> None:
    line, column, message, hint = CASES[name]
    with pytest.raises(InputError) as caught:
        load(BROKEN / name)
    assert len(caught.value.problems) == 1, caught.value
    problem = caught.value.problems[0]
    assert problem.location.file == str(BROKEN / name)
    if line is not None:
        assert (problem.location.line, problem.location.column) == (line, column)
    else:
        assert problem.location.line is not None
    assert message in problem.message
    assert problem.hint is not None and hint in problem.hint


def test_duplicate_key_is_located_and_hides_no_other_error() -> None:
    with pytest.raises(InputError) as caught:
        load_file(BROKEN / "duplicate-key.yaml")  # the reader alone refuses it
    [problem] = caught.value.problems
    assert (problem.location.line, problem.location.column) == (3, 1)
    assert "duplicate key `kind` (first defined on line 2)" in problem.message
    assert problem.hint is not None and "remove one" in problem.hint
    with pytest.raises(InputError) as caught:
        load(BROKEN / "duplicate-key.yaml")  # validate goes on with the first value
    found = [(p.location.line, p.message) for p in caught.value.problems]
    assert (3, problem.message) in found
    assert (1, "missing required key `metadata`") in found


def test_wrong_types_are_all_reported_at_their_lines() -> None:
    with pytest.raises(InputError) as caught:
        load(BROKEN / "wrong-types.yaml")
    found = {(p.location.line, p.message.split(":")[0]) for p in caught.value.problems}
    assert (5, "`metadata.tags`") in found  # a string, not a list
    assert (9, "`steady_state.window`") in found  # a bare number has no unit
    assert (10, "`steady_state.probes`") in found  # a mapping, not a list
    assert (13, "`fault.params.count`") in found  # "three" is not an integer


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    with pytest.raises(InputError) as caught:
        load_file(big)
    (problem,) = caught.value.problems
    assert "10.5 MB" in problem.message and f"{MAX_FILE_BYTES // 1024} KiB" in problem.message


def test_non_utf8_bytes_are_located() -> None:
    raw = b"apiVersion: gameday/v1\nkind: Scenario\nmetadata:\n  name: caf\xe9\n"
    with pytest.raises(InputError) as caught:
        load_bytes(raw, "latin1.yaml")
    (problem,) = caught.value.problems
    assert (problem.location.line, problem.location.column) == (4, 12)
    assert "not valid UTF-8 (byte 0xe9)" in problem.message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for path, message in (
        (tmp_path / "nope.yaml", "file not found"),
        (tmp_path, "is a directory, not a file"),
    ):
        with pytest.raises(InputError) as caught:
            load_file(path)
        assert caught.value.problems[0].message == message


def test_merge_keys_are_supported_and_explicit_keys_win() -> None:
    doc = load_bytes(b"base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n", "merge.yaml")
    assert doc.data["child"] == {"a": 1, "b": 3}
