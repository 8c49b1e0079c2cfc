"""The typed journal: one definition that writer, readers and hand-built journals share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gameday.execute.journal import Clock, JournalWriter, continuing, read_records
from gameday.model import journal as j
from gameday.model.journal_json import TYPES, parse, to_json
from gameday.model.outcomes import Outcome


def _subclasses(cls: type[j.Record]) -> set[type[j.Record]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_record_class_is_registered() -> None:
    concrete = {c for c in _subclasses(j.Record) if c.TYPE} - {j.Unknown}
    assert concrete == set(TYPES.values())
    assert all(TYPES[c.TYPE] is c for c in concrete)


EXAMPLES: list[j.Record] = [
    j.RunStart(
        seq=1,
        run_id="r",
        name="d",
        kind="drill",
        source="/x/d.yaml",
        sha256="ab",
        overrides={"k": "v"},
        entries=(j.EntryData("a", 2.0, "/x/a.yaml", "cd"),),
        options=j.RunFlags(dry_run=True),
        pid=7,
        pid_start=1.5,
    ),
    j.ScenarioStart(seq=2, t=0.1, wall=9.0, scenario="a", index=0, spec={"name": "a"}),
    j.InjectionPlanned(
        seq=3,
        scenario="a",
        key="a/process-kill",
        injection=j.InjectionData("process-kill", ("pid:1 web",), {"pid": 1}, {"n": 1}),
    ),
    j.ScenarioEnd(seq=4, scenario="a", outcome=Outcome.ABORTED, reason="why"),
    j.TargetStats(seq=5, scenario="a", stats={"api_requests": 3}),
    j.SliMeasured(seq=6, scenario="a", slo="avail", result={"errors": 1, "total": 9}),
    j.Samples(seq=7, scenario="a", probe="web", s=((0.1, 1, 0.01, None, None),)),
    j.Note(seq=8, text="hi", author="me"),
    j.Verify(seq=9, scenario="a", ok=False, failures=("web 1/2 good",)),
]


@pytest.mark.parametrize("record", EXAMPLES, ids=lambda r: type(r).__name__)
def test_round_trip(record: j.Record) -> None:
    line = json.dumps(to_json(record))
    assert parse(json.loads(line)) == record


def test_flat_fields_stay_top_level_on_disk() -> None:
    """target-stats and sli-measured keep the pre-typed on-disk shape."""
    assert to_json(EXAMPLES[4])["api_requests"] == 3
    assert to_json(EXAMPLES[5])["total"] == 9
    assert "t" not in to_json(EXAMPLES[6])  # sample batches carry their own times


def test_unknown_types_survive_and_bad_known_ones_are_errors() -> None:
    data = {"seq": 3, "type": "from-the-future", "t": 1.0, "confirmed": True}
    record = parse(data)
    assert isinstance(record, j.Unknown) and to_json(record) == data
    with pytest.raises(ValueError, match="scenario-end"):
        parse({"type": "scenario-end", "outcome": "exploded"})


def test_hand_built_records_take_defaults() -> None:
    record = parse({"type": "plan", "t": 1, "injection": {"targets": ["pid:1 web"]}})
    assert isinstance(record, j.Plan)
    assert record.injection == j.InjectionData(targets=("pid:1 web",)) and record.t == 1.0


def test_torn_last_line_is_ignored_and_seq_continues(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    writer = JournalWriter(path, Clock())
    writer.write(j.Phase(scenario="a", phase="inject"), sync=True)
    writer.write(j.Phase(scenario="a", phase="observe"), sync=True)
    writer.close()
    with open(path, "a") as handle:
        handle.write('{"seq": 3, "type": "ph')  # the crash cut this line short
    records = read_records(path)
    assert [r.seq for r in records] == [1, 2]
    # recover appends after the torn line: its record must not be glued onto it
    later = continuing(path)
    later.write(j.RunEnd(), sync=True)
    later.close()
    records = read_records(path)
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[-1].t >= records[1].t


def test_the_documented_list_of_record_types_is_complete(repo_root: Path) -> None:
    text = (repo_root / "docs" / "measurement.md").read_text()
    section = text[text.index("## The journal") : text.index("## Phases")]
    missing = [t for t in TYPES if f"`{t}`" not in section]
    assert missing == [], f"docs/measurement.md does not list {missing}"
