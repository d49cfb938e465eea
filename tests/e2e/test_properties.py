"""Properties: whatever bytes arrive, ingest and parse raise nothing but LadderError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import LadderError
from pipeline.ingest import ingest_bytes
from pipeline.parse import parse_document

CONFIG = Config()
LINES = st.sampled_from(
    [
        "Choose the roles",
        "IC Path",
        "Management Path",
        "Senior Engineer",
        "Engineer (N/A)",
        "Ownership",
        "Behaviors",
        "  • Does the thing",
        "- Does another thing.",
        "n/a",
        "Not defined yet.",
        "",
        "<h2>Role</h2>",
        "<ul><li>x",
        "</div>",
        "# Heading",
        "## Sub",
        "Member Posts: 3",
        "1+ years of experience",
        "The Lead Engineer will lead a team.",
        "Ā groupās",
        "\x00",
        "\ufeff",
        "\u202e hostile <script>alert(1)</script>",
    ]
)


def _try(data: bytes, name: str) -> None:
    try:
        doc = ingest_bytes(data, name, CONFIG)
        for kind in ("career_page", "role_descriptions", "forum_thread", "article"):
            parse_document(doc.model_copy(update={"kind": kind}), CONFIG)
    except LadderError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_random_bytes_only_raise_ladder_errors(data: bytes, name: str) -> None:
    _try(data, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=60), st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_structured_noise_only_raises_ladder_errors(lines: list[str], name: str) -> None:
    _try("\n".join(lines).encode("utf-8"), name)
