"""examples/ci/ would really run: actionlint (with shellcheck) passes the GitHub workflow,
the GitLab file and the workflow pass their published JSON schemas (vendored in the
check-jsonschema package), actions are pinned to commit SHAs, permissions are least,
every file they name is there, and they install the real distribution. Running their
commands against the test control plane: tests/ci/test_ci_commands.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

CI = ROOT / "examples" / "ci"
GITHUB, GITLAB = CI / "github-actions.yml", CI / "gitlab-ci.yml"
ACTIONLINT = Path.home() / ".cache" / "gameday" / "actionlint-1.7.7" / "actionlint"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def workflow() -> dict[Any, Any]:
    return dict(yaml.safe_load(GITHUB.read_text()))


def gitlab_lines() -> list[str]:
    job = yaml.safe_load(GITLAB.read_text())["gameday-drill"]
    return [*job["before_script"], *job["script"]]


def workflow_scripts() -> list[str]:
    return [s["run"] for s in workflow()["jobs"]["drill"]["steps"] if "run" in s]


def test_actionlint_and_shellcheck_pass_the_workflow() -> None:
    if not ACTIONLINT.is_file():
        pytest.fail(f"{ACTIONLINT} missing: scripts/test builds it from its Go module")
    assert shutil.which("shellcheck"), "shellcheck missing: scripts/test installs it"
    done = subprocess.run(
        [str(ACTIONLINT), "-shellcheck", "shellcheck", str(GITHUB)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    """The negative control: the linter used above does reject mistakes."""
    broken = tmp_path / "broken.yml"
    broken.write_text(GITHUB.read_text().replace("runs-on:", "run-on:"))
    done = subprocess.run([str(ACTIONLINT), str(broken)], capture_output=True, text=True)
    assert done.returncode == 1 and "runs-on" in done.stdout


@pytest.mark.parametrize(
    ("path", "schema"), [(GITLAB, "vendor.gitlab-ci"), (GITHUB, "vendor.github-workflows")]
)
def test_published_schemas_accept_the_examples(path: Path, schema: str, tmp_path: Path) -> None:
    check = [str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema", schema]
    done = subprocess.run([*check, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / path.name  # negative control: a misspelt key is refused
    broken.write_text(path.read_text().replace("timeout", "time-out", 1))
    assert subprocess.run([*check, str(broken)], capture_output=True).returncode == 1


def test_actions_are_pinned_to_commit_shas() -> None:
    uses = [s["uses"] for s in workflow()["jobs"]["drill"]["steps"] if "uses" in s]
    assert len(uses) == 5
    text = GITHUB.read_text()
    for use in uses:
        (line,) = [ln.split("uses: ", 1)[1] for ln in text.splitlines() if f"uses: {use}" in ln]
        assert PINNED.match(line), f"not pinned to a SHA with its version: {line}"


def test_least_permissions() -> None:
    flow = workflow()
    assert flow["permissions"] == {}
    assert flow["jobs"]["drill"]["permissions"] == {"contents": "read", "checks": "write"}
    checkout = flow["jobs"]["drill"]["steps"][0]
    assert checkout["with"]["persist-credentials"] is False


def test_every_referenced_file_is_there() -> None:
    """The examples live under ci/ in a service's repository: examples/ci/ here."""
    text = GITHUB.read_text() + GITLAB.read_text()
    named = set(re.findall(r"\bci/[\w./-]+", text))
    assert {"ci/kind.yaml", "ci/runner-kubeconfig.sh", "ci/drill.yaml", "ci/service.yaml"} <= named
    for ref in named:
        assert (CI / ref.removeprefix("ci/")).exists(), f"{ref} is referenced but missing"
    assert (CI / "runner-kubeconfig.sh").stat().st_mode & 0o111, (
        "runner-kubeconfig.sh not executable"
    )
    kind = yaml.safe_load((CI / "kind.yaml").read_text())
    assert kind["apiVersion"] == "kind.x-k8s.io/v1alpha4" and kind["kind"] == "Cluster"


def test_the_drill_runs_as_the_namespaced_service_account() -> None:
    for commands in ("\n".join(workflow_scripts()), "\n".join(gitlab_lines())):
        assert 'gameday rbac --namespace "$NAMESPACE" | kubectl apply -f -' in commands
        assert 'ci/runner-kubeconfig.sh "$NAMESPACE"' in commands
        (run,) = [c for c in commands.splitlines() if c.startswith("gameday run ")]
        assert "--set context=gameday-runner" in run
        assert "kind-gameday" not in commands  # never the admin context kind creates


def test_install_names_the_real_distribution_everywhere() -> None:
    for commands in ("\n".join(workflow_scripts()), "\n".join(gitlab_lines())):
        assert 'python -m pip install "gameday-drills[kubernetes]==0.1.0"' in commands
    wrong = re.compile(r"(pip|pipx)( -m pip)? install (-U )?gameday(?![-\w])")
    files = [
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *CI.rglob("*"),
        ROOT / "Dockerfile",
    ]
    for path in files:
        if path.is_file():
            assert not wrong.search(path.read_text()), f"{path} installs the wrong `gameday`"
