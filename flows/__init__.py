"""Prefect flows: thin orchestration over the `pipeline` library.

Importing this package sets quiet, local defaults for Prefect unless the user already chose otherwise:
no telemetry, Prefect's state in `./.prefect` (not the home folder), warnings-only logging, and a
generous start-up time for the temporary local server.

Against a Prefect server (`PREFECT_API_URL` set), run logs go to the server at INFO, the library's stage
messages (`pipeline.*` loggers) included, while the console still shows warnings only.
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
    # The console prints warnings only, whatever level the run logs are kept at.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}
SERVER_DEFAULTS = {
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline",
}
"""Defaults when runs are sent to a server: someone reads them there, so they carry INFO logs."""


def _server_in_environment() -> bool:
    # Read before Prefect is imported (its logging is configured on import), so the variable, not a profile.
    return bool(os.environ.get("PREFECT_API_URL"))


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    for key, value in (_DEFAULTS | SERVER_DEFAULTS if _server_in_environment() else _DEFAULTS).items():
        os.environ.setdefault(key, value)
    if _server_in_environment() and os.environ["PREFECT_LOGGING_LEVEL"].upper() in ("DEBUG", "INFO"):
        # Prefect gives its extra loggers handlers, not a level; the library's INFO must not stop at WARNING.
        logging.getLogger("pipeline").setLevel(os.environ["PREFECT_LOGGING_LEVEL"].upper())

    class _DropShutdownNoise(logging.Filter):
        # The temporary server's event client logs a traceback when it flushes after the server stopped;
        # nothing is lost (events are best-effort), so a user must not see it.
        def filter(self, record: logging.LogRecord) -> bool:
            return "Error flushing" not in record.getMessage() and "events" not in record.name.split(".")[-1:]

    for name in ("prefect", "prefect.events", "prefect.events.clients", "prefect.server", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(_DropShutdownNoise())


_quiet_prefect()
