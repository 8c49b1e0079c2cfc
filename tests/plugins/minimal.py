"""The smallest valid local scenario, untemplated, whose target nothing listens on: for
tests that need a real `gameday validate` or `run --dry-run` without any server."""

from __future__ import annotations


def minimal_scenario(name: str) -> str:
    return f"""\
apiVersion: gameday/v1
kind: Scenario
metadata: {{name: {name}, owner: sre, hypothesis: the web tier survives losing a replica}}
target: {{kind: local, supervisor: "http://127.0.0.1:9/RPC2"}}
steady_state:
  probes:
    - {{name: home, type: http, params: {{url: "http://127.0.0.1:9/"}}}}
slo:
  - {{name: availability, probe: home, availability: 90%}}
fault:
  type: process-kill
  params: {{service: "web:*", count: 1}}
  duration: 2s
"""
