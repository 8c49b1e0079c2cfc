"""The Dockerfile builds and its image runs gameday: built with Debian's podman on a
Debian base assembled here with mmdebstrap (no container registry is reachable), then
the image's `gameday --version` and `gameday demo` run inside it as its unprivileged
user. Containers run through `buildah run --isolation chroot`: this machine's sandbox
refuses runc's rlimit setup for `podman run`, not the image."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

BASE = "localhost/gameday-test-base:bookworm"
IMAGE = "localhost/gameday:test"


def sh(*args: str, timeout: float = 900) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{args[:3]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


def has_image(name: str) -> bool:
    return subprocess.run(["podman", "image", "exists", name], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    for tool in ("podman", "buildah", "mmdebstrap"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} missing: scripts/test installs it (Debian package)")
    if not has_image(BASE):  # Python 3.11 and venv, from Debian's own packages
        rootfs = tmp_path_factory.mktemp("base") / "rootfs.tar"
        sh("mmdebstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
           "bookworm", str(rootfs))  # fmt: skip
        sh("podman", "import", str(rootfs), BASE)
    build = ["podman", "build", "--network", "host", "--build-arg", f"BASE={BASE}", "-t", IMAGE]
    cert = os.environ.get("PIP_CERT")
    if cert and Path(cert).is_file():  # a TLS-inspecting proxy on the way to the index
        build += ["-v", f"{cert}:/etc/ssl/certs/build-ca.crt:ro"]
        build += ["--build-arg", "PIP_CERT=/etc/ssl/certs/build-ca.crt"]
    sh(*build, str(ROOT))
    return IMAGE


@pytest.fixture
def container(image: str) -> Iterator[str]:
    name = f"gameday-test-{uuid.uuid4().hex[:6]}"
    sh("buildah", "from", "--name", name, image)
    yield name
    subprocess.run(["buildah", "rm", name], capture_output=True)


def inside(container: str, command: str, timeout: float = 300) -> str:
    return sh(
        "buildah", "run", "--isolation", "chroot", "--user", "65532:65532", container,
        "--", "sh", "-c", command, timeout=timeout,
    )  # fmt: skip


def test_the_image_runs_gameday_as_its_own_user(container: str) -> None:
    assert inside(container, "gameday --version").strip() == "gameday 0.1.0 (gameday-drills)"
    assert inside(container, "id -un").strip() == "gameday"
    config = sh("buildah", "inspect", "--format", "{{.OCIv1.Config.Entrypoint}}", container)
    assert "gameday" in config


def test_the_demo_runs_inside_the_image(container: str) -> None:
    output = inside(container, "cd /tmp && gameday demo --plain --reports /tmp/reports")
    assert "store-outage: expected to BREACH its SLOs" in output
    assert "demo: 100.0 (A) pass" in output  # every hypothesis held, inside the image too
    assert "nothing left running" in output
