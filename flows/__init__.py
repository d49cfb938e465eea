"""Prefect flows: thin orchestration over the `pipeline` library.

Importing this package sets quiet, local defaults for Prefect unless the user already chose otherwise:
no telemetry, Prefect's state in `./.prefect` (not the home folder), warnings-only logging, and a
generous start-up time for the temporary local server.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_TASKS_REFRESH_CACHE": "false",
}


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)

    class _DropShutdownNoise(logging.Filter):
        # The temporary server's event client logs a traceback when it flushes after the server stopped;
        # nothing is lost (events are best-effort), so a user must not see it.
        def filter(self, record: logging.LogRecord) -> bool:
            return "Error flushing" not in record.getMessage() and "events" not in record.name.split(".")[-1:]

    for name in ("prefect", "prefect.events", "prefect.events.clients", "prefect.server", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(_DropShutdownNoise())


_quiet_prefect()
