"""Prefect's temporary API server, its process started before Prefect is imported.

Without a server to send runs to, Prefect starts one per process at the flow's first API call
(`prefect.server.api.server.SubprocessASGIServer`): it imports its whole server app in this process (seconds of
CPU), then starts `python -m uvicorn ... prefect.server.api.server:create_app` and waits for it to answer. The
server's process needs nothing from this one, so `spawn` starts that same command at once, before this
process imports Prefect; the server boots on another core while this process imports Prefect, the stages
and spaCy. `adopt` then hands the process to Prefect's `SubprocessASGIServer` (once Prefect is imported) as if
Prefect had started it, and waits for it to answer; Prefect's client finds it running and stops it at exit.

The command and its environment are Prefect's own (`tests/runtime/test_server_spawn.py` compares them with
what `SubprocessASGIServer` runs). Whenever the early process cannot be used (runs go to a server named in a
Prefect profile, the temporary server is disabled, the process exited), it is stopped and Prefect starts its
server as it would have.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from typing import Any

# Prefect's own: the port range `SubprocessASGIServer` picks from, and the variables it sets for the server
PORTS = range(8000, 9000)
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}

_spawned: tuple[subprocess.Popen[bytes], int] | None = None


def _free_port() -> int | None:
    for _ in range(10):
        port = random.choice(PORTS)
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


def server_command(port: int, app_dir: str) -> list[str]:
    """The command `SubprocessASGIServer` runs for the server on `port`; `app_dir` holds the `prefect` package."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        app_dir,
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def prefect_parent() -> str | None:
    """The folder that holds the `prefect` package (the server's `--app-dir`), found without importing it."""
    spec = find_spec("prefect")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return os.path.dirname(os.path.abspath(locations[0])) if locations else None


def spawn() -> None:
    """Start the temporary server's process now, unless runs go to a server (`PREFECT_API_URL` in the
    environment) or one was spawned already. Call it before importing Prefect; best effort."""
    global _spawned
    if _spawned is not None or os.environ.get("PREFECT_API_URL"):
        return
    app_dir, port = prefect_parent(), _free_port()
    if app_dir is None or port is None:
        return
    try:
        process = subprocess.Popen(server_command(port, app_dir), env={**os.environ, **SERVER_ENV})
    except OSError:
        return
    _spawned = (process, port)
    atexit.register(discard)  # never left running, whatever stops this process before `adopt`


def discard() -> None:
    """Stop the early process if Prefect has not taken it (a run that failed before the flow, or no use)."""
    global _spawned
    if _spawned is None:
        return
    process, _ = _spawned
    _spawned = None
    if process.poll() is None:
        process.kill()
        process.wait()


def kill() -> None:
    """Kill the early process at once, without waiting (from a signal handler)."""
    if _spawned is not None and _spawned[0].poll() is None:
        _spawned[0].kill()


def adopt(server_class: Any) -> bool:
    """Hand the early process to Prefect's default `server_class` (`SubprocessASGIServer`) and wait until it
    answers, as `SubprocessASGIServer.start` would. True when Prefect's server is now running on it; False
    (the process stopped) when there was none, Prefect's settings do not want it, or it failed to start: then
    Prefect starts its own server as usual."""
    global _spawned
    if _spawned is None:
        return False
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    server = server_class()
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value() or server.running:
        discard()
        return False
    process, port = _spawned
    if not _answers(process, port):
        discard()
        return False
    _spawned = None
    server.port, server.server_process, server.running = port, process, True
    atexit.register(server.stop)  # as `SubprocessASGIServer.start` does
    return True


def _answers(process: subprocess.Popen[bytes], port: int) -> bool:
    """Wait for the server's health check, as Prefect does (every 0.1 s, up to its start-up timeout)."""
    import httpx
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    deadline = time.monotonic() + PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # exited (its port taken meanwhile, or a broken install): Prefect starts its own
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                    return True
            time.sleep(0.1)
    return False
