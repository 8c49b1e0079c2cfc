"""The test control plane's fixtures (tests/kubernetes/conftest.py), for the tests that
run the CI examples' commands, and kubectl for them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.kubernetes.conftest import api, kubeconfig  # noqa: F401 (fixtures)

CACHE = Path.home() / ".cache" / "gameday"
CLUSTER = ROOT / "scripts" / "cluster"


@pytest.fixture(scope="session")
def kubectl(kubeconfig: Path) -> Path:  # noqa: F811 (the fixture above)
    """kubectl from the k8s.io/kubernetes module scripts/cluster builds the control plane
    from (same version, its go.mod already written); built once into ~/.cache/gameday."""
    found = re.search(r'K8S_VERSION="\$\{GAMEDAY_K8S_VERSION:-([\d.]+)\}"', CLUSTER.read_text())
    assert found, "scripts/cluster no longer names K8S_VERSION"
    version = os.environ.get("GAMEDAY_K8S_VERSION", found.group(1))
    src = CACHE / f"k8s-v{version}" / "src"
    if not (src / "go.mod").is_file():
        pytest.fail(f"no k8s.io/kubernetes build module in {src} (scripts/cluster writes it)")
    binary = CACHE / f"kubectl-{version}" / "kubectl"
    if not binary.is_file():
        if not shutil.which("go"):
            pytest.fail("kubectl missing and no Go toolchain to build it")
        done = subprocess.run(
            ["go", "build", "-trimpath", "-o", str(binary), "k8s.io/kubernetes/cmd/kubectl"],
            cwd=src,
            capture_output=True,
            text=True,
            timeout=1800,
            env={**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"},
        )
        if done.returncode != 0:
            pytest.fail(f"building kubectl failed:\n{done.stderr[-3000:]}")
    return binary
