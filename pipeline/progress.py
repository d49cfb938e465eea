"""Stage progress: the library announces each long stage on the `pipeline.progress` logger at INFO.

Plain logging keeps the library free of any UI: the CLI shows these messages on its progress line, a
Prefect server receives them as run logs (the logger is one of Prefect's extra loggers when runs are sent
to a server), and anything else ignores them (nothing is printed unless a handler is attached).
"""

from __future__ import annotations

import logging

LOGGER_NAME = "pipeline.progress"
log = logging.getLogger(LOGGER_NAME)


def stage(message: str) -> None:
    """Announce that a stage starts, e.g. `stage("de-duplicating 12,345 statements")`."""
    log.info(message)
