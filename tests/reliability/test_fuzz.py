"""Mutated real documents, line and byte level: the whole per-file path raises nothing but `LadderError`
(`process_bytes` turns those into rejections), and it stays within its budget."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.config import Config, IngestConfig
from pipeline.run import process_bytes
from tests.conftest import ARTICLE, FORUM, HIGH_TOUCH, PARTNERS, RAW, SCALE

CONFIG = Config(ingest=IngestConfig(max_seconds=60))
SOURCES = {name: (RAW / name).read_bytes() for name in (SCALE, HIGH_TOUCH, PARTNERS, FORUM, ARTICLE)}
MOJIBAKE_LINE = " ".join(["teamâ€™s cafÃ© groupās theĀ Partners"] * 400)

line_edit = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "insert"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["", "\x00", "<div>" * 50, "• " * 200, MOJIBAKE_LINE, "\ufeff", "</ul></li>", "Ā" * 300]),
)
byte_edit = st.tuples(st.integers(min_value=0, max_value=100_000), st.binary(min_size=0, max_size=8))


def mutate(data: bytes, lines_ops: list, bytes_ops: list) -> bytes:
    lines = data.split(b"\n")
    for op, at, text in lines_ops:
        i = at % (len(lines) or 1)
        if op == "delete" and lines:
            del lines[i]
        elif op == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(i, text.encode("utf-8"))
    out = bytearray(b"\n".join(lines))
    for at, chunk in bytes_ops:
        i = at % (len(out) + 1)
        out[i : i + len(chunk)] = chunk
    return bytes(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.sampled_from(sorted(SOURCES)),
    st.sampled_from([".txt", ".md", ".html"]),
    st.lists(line_edit, max_size=6),
    st.lists(byte_edit, max_size=6),
)
@example(SCALE, ".txt", [("insert", 3, MOJIBAKE_LINE)], [])
@example(PARTNERS, ".html", [("insert", 0, "<div>" * 50)], [(40, b"\x00")])
def test_mutated_documents_only_raise_ladder_errors(source: str, ext: str, lines_ops: list, bytes_ops: list) -> None:
    data = mutate(SOURCES[source], lines_ops, bytes_ops)
    result = process_bytes(data, f"doc{ext}", CONFIG)  # anything but a LadderError would escape here
    assert (result.document is None) == (result.rejection is not None)
    if result.rejection is not None:
        assert "\n" not in result.rejection.reason and result.rejection.reason


def test_mojibake_line_example_is_repaired_not_rejected() -> None:
    data = mutate(SOURCES[SCALE], [("insert", 3, MOJIBAKE_LINE)], [])
    result = process_bytes(data, "doc.txt", CONFIG)
    assert result.document is not None
    assert sum(r.ref == "L4" for r in result.document.repairs) == 1600
