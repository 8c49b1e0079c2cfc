"""Speaking the standards teams already use: importers from OpenSLO (openslo/v1, and
openslo/v1alpha as Sloth writes it) and Chaos Toolkit experiments into gameday/v1, and
exporters for Backstage (catalog annotations, a scorecard per component) and Grafana
(fault windows as annotations). Pure functions over documents, except `grafana`, which
posts over HTTP. Each importer returns what it produced and, as plainly, what it could
not map, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Imported:
    """What an importer made, and every part of the source it could not map."""

    document: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)

    def header(self, source: str, tool: str) -> str:
        """A YAML comment block to put above the document."""
        lines = [f"# Imported from {source} ({tool}) by `gameday import`."]
        if self.unmapped:
            lines.append("# NOT MAPPED (review before running):")
            lines += [f"#   - {item}" for item in self.unmapped]
        else:
            lines.append("# Everything in the source was mapped.")
        return "\n".join(lines) + "\n"
