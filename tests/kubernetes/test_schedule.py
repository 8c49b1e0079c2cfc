"""`gameday schedule`: the emitted CronJob, RBAC and ConfigMap are accepted by the real
API server (server-side dry run), and the CronJob's own command, run in-process with the
emitted ServiceAccount's token as in-cluster credentials, completes the drill."""

from __future__ import annotations

import contextlib
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, utils
from kubernetes.config import incluster_config

from gameday.cli.main import run as gameday_main
from gameday.execute.journal import JOURNAL, read_journal
from gameday.score import score_journal
from tests.cli.helpers import gameday
from tests.conftest import DATA
from tests.kubernetes.model import known

DRILL = DATA / "kubernetes" / "scheduled.yaml"


def emitted(namespace: str, workload: str, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "cronjob.yaml"
    done = gameday(
        "schedule",
        str(DRILL),
        "--namespace",
        namespace,
        "--image",
        "localhost/gameday:test",
        "--set",
        f"namespace={workload}",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [d for d in yaml.safe_load_all(out.read_text()) if d]


def test_cronjob_is_accepted_and_its_command_completes_the_drill_in_cluster(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner_ns = f"{workload}-sched"
    docs = emitted(runner_ns, workload, tmp_path)
    kinds = [d["kind"] for d in docs]
    assert kinds[0] == "Namespace" and kinds[-1] == "CronJob" and "ClusterRole" in kinds
    utils.create_from_dict(api, docs[0])  # the namespace for real: the rest is dry-run first
    core = client.CoreV1Api(api)
    try:
        for doc in docs[1:]:
            utils.create_from_dict(api, doc, dry_run="All")  # validated by the API server
        cronjob = docs[-1]
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
        assert cronjob["spec"]["jobTemplate"]["spec"]["backoffLimit"] == 0
        for doc in docs[1:]:
            if doc["kind"] not in ("CronJob", "PersistentVolumeClaim"):
                utils.create_from_dict(api, doc)  # what the job's pod would run with

        # the pod's view: its mounted files, its service-account token, the cluster's CA
        pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        (configmap,) = [d for d in docs if d["kind"] == "ConfigMap"]
        mount = tmp_path / "gameday"
        for item in pod["volumes"][0]["configMap"]["items"]:
            (mount / item["path"]).parent.mkdir(parents=True, exist_ok=True)
            (mount / item["path"]).write_text(configmap["data"][item["key"]])
        issued = core.create_namespaced_service_account_token(
            "gameday-runner",
            runner_ns,
            client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[])),
        ).status
        (tmp_path / "token").write_text(known(known(issued).token))
        monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(tmp_path / "token"))
        ca = kubeconfig.parent / "pki" / "apiserver.crt"  # this control plane's, private or shared
        monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(ca))
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", api.configuration.host.rsplit(":", 1)[1])
        monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "reports" / ".gameday-state"))
        mounts = {"/gameday": str(mount), "/reports": str(tmp_path / "reports")}
        args = [
            next((local + a[len(m) :] for m, local in mounts.items() if a.startswith(m)), a)
            for a in pod["containers"][0]["args"]
        ]
        assert "--in-cluster" in args and "--auto-approve" in args
        with pytest.raises(SystemExit) as exit_info:
            gameday_main(args)
        (run_dir,) = (tmp_path / "reports" / "scheduled").glob("*")
        card = score_journal(read_journal(run_dir / JOURNAL))
        assert [s.outcome for s in card.scenarios] == ["completed", "completed"], [
            s.reasons for s in card.scenarios
        ]
        assert exit_info.value.code in (0, 1)
        assert all(
            s.approval and "cronjob/gameday-scheduled (--auto-approve)" in s.approval
            for s in card.scenarios
        )
        assert (run_dir / "report.html").is_file()
    finally:
        core.delete_namespace(runner_ns)
        rbac = client.RbacAuthorizationV1Api(api)
        for doc in docs:
            if doc["kind"] in ("ClusterRole", "ClusterRoleBinding"):
                delete = (
                    rbac.delete_cluster_role
                    if doc["kind"] == "ClusterRole"
                    else rbac.delete_cluster_role_binding
                )
                with contextlib.suppress(client.exceptions.ApiException):
                    delete(doc["metadata"]["name"])


def test_calendar_lists_the_next_game_days(tmp_path: Path) -> None:
    out = tmp_path / "drill.ics"
    done = gameday("schedule", str(DRILL), "--emit", "ics", "--occurrences", "3", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    starts = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("DTSTART:")]
    assert len(starts) == 3
    for start in starts:
        when = datetime.datetime.strptime(start, "%Y%m%dT%H%M%SZ")
        assert when.weekday() == 3 and (when.hour, when.minute) == (10, 0)  # Thursdays 10:00 UTC
    assert "Participants: platform-squad" in text.replace("\\,", ",").replace("\\n", "\n")
    raw = out.read_bytes()  # RFC 5545 lines end in CRLF
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")


def test_a_bad_cron_is_refused_at_validation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DRILL.read_text().replace('"0 10 * * thu"', '"0 25 * * thu"'))
    for ref in ("scale-to-zero.yaml", "pod-delete.yaml"):
        (tmp_path / ref).write_text((DATA / "kubernetes" / ref).read_text())
    done = gameday("validate", str(bad))
    assert done.returncode == 2
    assert "hour `25` is out of range 0-23" in done.stdout + done.stderr
