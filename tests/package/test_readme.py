"""What the README tells a newcomer holds: its five-minute scenario (the pod-kill template
with the README's edits and its Prometheus SLO) validates, its commands exist, and it
never installs the wrong `gameday`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.cli.helpers import gameday
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_five_minute_scenario_validates(tmp_path: Path) -> None:
    done = gameday(
        "new", "scenario", "--template", "pod-kill", "--name", "web-pod-kill",
        "--owner", "my-squad", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    path = tmp_path / "web-pod-kill.yaml"
    scenario = yaml.safe_load(path.read_text())
    scenario["fault"]["params"]["owner"] = "deployment/web"  # the README's one edit
    (snippet,) = [b for b in blocks("yaml") if "prometheus:" in b]
    added = yaml.safe_load(snippet)
    scenario["prometheus"] = added["prometheus"]
    scenario["slo"] += added["slo"]
    url = "http://127.0.0.1:8001/api/v1/namespaces/shop/services/web:80/proxy/"
    assert url in README and "--set context=kind-gameday --set namespace=shop" in README
    scenario["params"] |= {"context": "kind-gameday", "namespace": "shop", "url": url}
    path.write_text(yaml.safe_dump(scenario))
    for check in ("validate", "lint"):
        done = gameday(check, str(path), cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_gameday_command_in_the_readme_exists() -> None:
    commands = {
        line.split()[1]
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("gameday ") and not line.startswith("gameday --")
    }
    assert {"new", "validate", "run", "demo"} <= commands
    for command in commands:
        assert gameday(command, "--help").returncode == 0, command


def test_the_readme_installs_the_real_distribution() -> None:
    assert 'pipx install "gameday-drills[kubernetes]"' in README
    assert not re.search(r"install gameday(?![-\w])", README)


def test_the_demo_expectation_quoted_matches_the_scenario() -> None:
    """The README quotes store-outage's hypothesis bounds: they must be the file's."""
    breach = yaml.safe_load((ROOT / "scenarios/local/store-outage.yaml").read_text())["expect"]
    quoted = re.search(r"seen\s+within (\d+) s, pages served again within (\d+) s", README)
    assert quoted, "the README no longer quotes store-outage's bounds"
    assert f"{quoted.group(1)}s" == breach["breach"]["detect_within"]
    assert f"{quoted.group(2)}s" == breach["breach"]["recover_within"]
