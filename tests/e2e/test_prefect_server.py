"""The flows against a real Prefect server on loopback, started and stopped here.

Nothing is deployed: the ingest flow runs through `ladder run` with PREFECT_API_URL set, and the test reads
the flow run, its task runs, its artifacts and its logs back through the Prefect client; the publish flow
pauses for approval, is resumed with a reviewer through the API, and publishes. Skipped only when the
server cannot start here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.settings import PREFECT_API_URL, temporary_settings

from tests.conftest import RAW

pytestmark = pytest.mark.slow
START_TIMEOUT = 120  # seconds; 5-7 s on an idle machine, much more on a loaded one


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home / ".prefect"), "HOME": str(home), "DO_NOT_TRACK": "1"}
    env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """(API URL, environment of a client process, work folder) of a fresh server."""
    work = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = _clean_env(work)
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (work / "server.log").read_text(errors="replace")[-500:]
                pytest.skip(f"the Prefect server could not start here: {tail}")
            time.sleep(0.5)
        yield url, env | {"PREFECT_API_URL": url}, work
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _flow_runs(url: str, flow_name: str) -> list[FlowRun]:
    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])))


def test_ingest_flow_reports_runs_tasks_artifacts_and_logs(server: tuple[str, dict[str, str], Path]) -> None:
    url, env, work = server
    out = work / "normalized"
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--raw", str(RAW), "--out", str(out)],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| INFO" not in proc.stderr  # the console stays at warnings; INFO goes to the server
    [run] = _flow_runs(url, "ladder-ingest")
    assert run.state is not None and run.state.type == StateType.COMPLETED
    assert run.parameters["raw_dir"] == str(RAW)
    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
    # one parse task per document of the bundled raw/ (5 documents), then the build
    assert sorted(t.name.rsplit("-", 1)[0] for t in tasks) == ["build-emit", *["ingest-parse"] * 5]
    assert all(t.state is not None and t.state.type == StateType.COMPLETED for t in tasks)
    by_key = {a.key: a for a in artifacts}
    assert sorted(by_key) == ["ladder-normalization-report", "ladder-run-summary"]
    summary = by_key["ladder-run-summary"].data
    rows = json.loads(summary) if isinstance(summary, str) else summary
    assert {r["what"]: r["count"] for r in rows}["behavior occurrences"] == "314"
    assert "Normalization report" in str(by_key["ladder-normalization-report"].description)
    messages = [(entry.level, entry.message) for entry in logs]
    assert (20, "de-duplicating 314 statements") in messages  # the library's stages, at INFO
    assert any(level == 20 and "Finished in state Completed" in m for level, m in messages)


def test_publish_flow_pauses_and_is_resumed_with_a_reviewer(server: tuple[str, dict[str, str], Path]) -> None:
    url, env, work = server
    out = work / "normalized"
    if not (out / "ladder.json").is_file():  # the ingest test did not run first
        out.mkdir(exist_ok=True)
        shutil.copy(Path(__file__).resolve().parent.parent / "golden" / "ladder.json", out / "ladder.json")
    code = (
        "from pathlib import Path\n"
        "from flows.publish import publish_flow\n"
        f"r = publish_flow(Path({str(out)!r}), created='2025-01-31T12:00:00Z')\n"
        "print('published', r.version)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 600
        paused: FlowRun | None = None
        while paused is None:
            runs = _flow_runs(url, "ladder-publish")
            paused = next((r for r in runs if r.state is not None and r.state.type == StateType.PAUSED), None)
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the publish flow never paused"
            time.sleep(1)
        assert not (out / "releases").exists()
        with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[paused.id]))
            )
            assert sorted(a.key for a in artifacts if a.key) == ["ladder-publish-diff", "ladder-publish-report"]
            result = client.resume_flow_run(
                paused.id, run_input={"approve": True, "reviewer": "Ana Ruiz", "note": "IC levels checked"}
            )
            assert result.status.value == "ACCEPT"
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert stdout.strip().splitlines()[-1] == "published 1.0.0"
    ui = url.removesuffix("/api")
    assert f"release 1.0.0 waits for approval: open {ui}/flow-runs/flow-run/{paused.id} and press Resume" in stderr
    package = json.loads((out / "releases" / "1.0.0" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["approval"] == {"approver": "Ana Ruiz", "note": "IC levels checked"}
    changelog = (out / "releases" / "1.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Approved by Ana Ruiz: IC levels checked" in changelog.splitlines()
    [done] = [r for r in _flow_runs(url, "ladder-publish") if r.id == paused.id]
    assert done.state is not None and done.state.type == StateType.COMPLETED


def test_serve_registers_deployments_that_run(server: tuple[str, dict[str, str], Path]) -> None:
    """`ladder serve --cron` registers both deployments with the schedule and runs what the server asks for."""
    url, env, work = server
    served = work / "served"
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--raw", str(RAW), "--out", str(served), "--cron", "0 6 * * 1-5"],
        env=env,
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    ingest = client.read_deployment_by_name("ladder-ingest/serve")
                    publish = client.read_deployment_by_name("ladder-publish/serve")
                    break
                except Exception:  # not registered yet
                    assert proc.poll() is None, proc.communicate()[1]
                    assert time.monotonic() < deadline, "ladder serve registered no deployment"
                    time.sleep(1)
            assert [s.schedule.cron for s in ingest.schedules] == ["0 6 * * 1-5"]  # type: ignore[union-attr]  # a cron schedule
            assert ingest.parameters == {"raw_dir": str(RAW), "out_dir": str(served)}
            assert publish.parameters == {"normalized_dir": str(served)}
            run = client.create_flow_run_from_deployment(ingest.id)
            while True:
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    break
                assert time.monotonic() < deadline + 600, "the served run never finished"
                time.sleep(1)
        assert state.type == StateType.COMPLETED, state
        assert (served / "ladder.json").read_bytes() == (
            Path(__file__).resolve().parent.parent / "golden" / "ladder.json"
        ).read_bytes()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
