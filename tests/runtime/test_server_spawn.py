"""`ladder run` starts Prefect's temporary server's process before importing Prefect (flows.server): the
command must stay Prefect's own, and Prefect must take the process over as if it had started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_command_is_prefects_own(monkeypatch: Any) -> None:
    import prefect
    import prefect.server.api.server as server_module
    from prefect.server.api.server import SubprocessASGIServer

    from flows.server import SERVER_ENV, prefect_parent, server_command

    started: list[tuple[list[str], dict[str, str]]] = []

    class Recorder:
        def __init__(self, args: list[str], env: dict[str, str], **_: object) -> None:
            started.append((args, env))

    monkeypatch.setattr(server_module.subprocess, "Popen", Recorder)
    server = SubprocessASGIServer(port=18123)
    try:
        server._run_uvicorn_command()
    finally:
        SubprocessASGIServer._instances.pop(18123, None)
    ((args, env),) = started
    assert prefect_parent() == str(prefect.__module_path__.parent)
    assert args == server_command(18123, str(prefect.__module_path__.parent))
    assert {key: env[key] for key in SERVER_ENV} == SERVER_ENV


_TAKEN_OVER = """
import os, sys
from flows import server
server.spawn()
process, port = server._spawned
assert "prefect" not in sys.modules  # started before Prefect is imported
from prefect.server.api.server import SubprocessASGIServer
assert server.adopt(SubprocessASGIServer) and server._spawned is None
prefect_server = SubprocessASGIServer()
assert (prefect_server.running, prefect_server.server_process, prefect_server.port) == (True, process, port)
from prefect import flow
@flow
def one() -> int:
    return 1
assert one() == 1  # the flow ran against it: Prefect started no server of its own
assert (SubprocessASGIServer(), SubprocessASGIServer().server_process) == (prefect_server, process)
print(process.pid)
"""


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; whoever inherits it reaps it


def test_prefect_takes_the_early_process_over(tmp_path: Path) -> None:
    proc = _run(_TAKEN_OVER, PREFECT_HOME=str(tmp_path / "prefect"))
    assert proc.returncode == 0, proc.stderr
    assert not _alive(int(proc.stdout.split()[-1]))  # and stopped it at exit


def test_no_early_process_when_runs_go_to_a_server_or_prefect_does_not_want_it(tmp_path: Path) -> None:
    named = _run(
        "from flows import server\nserver.spawn()\nassert server._spawned is None\n",
        PREFECT_API_URL="http://127.0.0.1:9/api",
    )
    assert named.returncode == 0, named.stderr
    # spawned, then Prefect's settings (here: no temporary server allowed) refuse it: stopped, not adopted
    refused = _run(
        "from flows import server\nserver.spawn()\nprocess, _ = server._spawned\n"
        "from prefect.server.api.server import SubprocessASGIServer\n"
        "assert not server.adopt(SubprocessASGIServer) and server._spawned is None\n"
        "assert process.poll() is not None and not SubprocessASGIServer().running\n",
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE="false",
    )
    assert refused.returncode == 0, refused.stderr


def test_an_early_process_left_unused_is_stopped_at_exit() -> None:
    proc = _run("from flows import server\nserver.spawn()\nprint(server._spawned[0].pid)\n")
    assert proc.returncode == 0, proc.stderr
    assert not _alive(int(proc.stdout.split()[-1]))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_before_prefect_is_imported_stops_the_early_server(tmp_path: Path) -> None:
    """`ladder run` stopped while it still imports Prefect (the server's process is already up): exit 143
    with its one line, and no server left running."""
    from tests.reliability.runs import start_run, stop_run

    out = tmp_path / "out"
    proc = start_run(ROOT / "raw", out, tmp_path)
    deadline = time.monotonic() + 120
    servers: list[int] = []
    while not servers and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        servers = [
            int(child)
            for task in Path(f"/proc/{proc.pid}/task").iterdir()
            for child in (task / "children").read_text().split()
            if b"uvicorn" in Path(f"/proc/{child}/cmdline").read_bytes()
        ]
    assert len(servers) == 1, "the run never started the server's process"
    stop_run(proc, signal.SIGTERM, 143, "terminated", out)
    time.sleep(1.0)
    assert not _alive(servers[0])
