"""The one exception family the library raises.

Library code raises these; it never exits the process and never returns None to mean failure. The CLI and
the flows turn them into a one-line message and a non-zero exit.
"""

from __future__ import annotations


class LadderError(Exception):
    """Base of every error the pipeline raises on purpose."""


class InputError(LadderError):
    """The input folder or a command-line option is unusable (missing, empty, wrong value)."""


class RejectedDocument(LadderError):
    """A document cannot be used (empty, binary, undecodable, too large, malformed); the run goes on."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class ParseError(LadderError):
    """A document was read but its structure does not match the kind it was detected as."""


class ConfigError(LadderError):
    """A configuration or reviewer-decisions file is invalid."""


class ReleaseError(LadderError):
    """A release cannot be published, read or verified (exists already, missing, checksum mismatch)."""
