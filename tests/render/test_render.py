"""Rendering from a scorecard: escaped user strings, and charts that never hide a failure."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from gameday.render import render_all
from gameday.score import score_journal
from tests.score.test_score import journal

SCRIPT = "<script>alert(1)</script>"


def test_user_strings_are_escaped_everywhere(tmp_path: Path) -> None:
    records = journal("." * 10 + "x" * 5 + "." * 25)
    spec = records[1]["spec"]
    spec["description"] = f"desc {SCRIPT}"
    spec["hypothesis"] = f"hyp {SCRIPT}"
    spec["slos"][0]["name"] = f"slo {SCRIPT}"
    records[-3]["s"][12][4] = f"detail {SCRIPT}"  # a failing sample's detail
    paths = render_all(score_journal(records), tmp_path)
    html = paths["html"].read_text()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ET.parse(paths["junit"])  # well-formed XML whatever the reasons say
