"""junit.xml: one testcase per scenario; failures carry the reasons."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from gameday.model.scorecard import Scorecard


def render_junit(card: Scorecard) -> str:
    # A scenario that did not run, or was inconclusive, is a failure in CI: nobody learnt
    # anything from it. One that could not do its job is an <error> (the tool, not the
    # service); a dry run is <skipped>.
    errors = sum(s.verdict == "error" for s in card.scenarios)
    skipped = sum(s.verdict == "dry-run" for s in card.scenarios)
    failures = (
        len(card.scenarios) - errors - skipped - sum(s.verdict == "pass" for s in card.scenarios)
    )
    suite = ET.Element(
        "testsuite",
        name=card.name,
        tests=str(len(card.scenarios)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{card.duration:.3f}",
    )
    for s in card.scenarios:
        start, end = s.markers.get("start", 0.0), s.markers.get("end", 0.0)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"gameday.{card.name}",
            name=s.name,
            time=f"{end - start:.3f}",
        )
        if s.verdict != "pass":
            message = f"{s.verdict}: " + "; ".join(s.reasons)
            kind = {"error": "error", "dry-run": "skipped"}.get(s.verdict, "failure")
            ET.SubElement(case, kind, message=message[:500]).text = "\n".join(s.reasons)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )
