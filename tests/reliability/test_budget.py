"""A document over its budget (seconds, blocks, bytes) is rejected with the reason; the run goes on."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config, IngestConfig
from pipeline.run import process_bytes, process_file
from tests.conftest import RAW, SCALE


def test_time_budget_rejects_with_reason() -> None:
    config = Config(ingest=IngestConfig(max_seconds=1e-9))
    result = process_bytes((RAW / SCALE).read_bytes(), SCALE, config)
    assert result.document is None and result.rejection is not None
    assert (
        result.rejection.reason == "over the time budget: text repair took more than 1e-09 s (set ingest.max_seconds)"
    )


def test_block_budget_rejects_with_reason() -> None:
    data = ("Ownership\n" + "".join(f"- Keeps board {i} up to date.\n" for i in range(60))).encode()
    result = process_bytes(data, "many.txt", Config(ingest=IngestConfig(max_blocks=50)))
    assert result.rejection is not None
    assert (result.rejection.file, result.rejection.reason) == (
        "many.txt",
        "too many blocks: 61 (limit 50; set ingest.max_blocks)",
    )
    assert process_bytes(data, "many.txt", Config(ingest=IngestConfig(max_blocks=61))).rejection is None


def test_size_budget_checked_on_the_open_file(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"Ownership\n" * 200)
    result = process_file(tmp_path / "big.txt", tmp_path, Config(ingest=IngestConfig(max_bytes=1000)))
    assert result.rejection is not None
    assert result.rejection.reason == "too large: 2,000 bytes (limit 1,000; set ingest.max_bytes)"


def test_long_mojibake_line_document_is_read_within_budget() -> None:
    # the case that took over an hour: one 10^4-character line of mojibake, inside a career page
    line = " ".join(["teamâ€™s cafÃ© rÃ©sumÃ©"] * 500)
    data = (RAW / SCALE).read_bytes() + line.encode("utf-8") + b"\n"
    result = process_bytes(data, "mojibake.txt", Config(ingest=IngestConfig(max_seconds=30)))
    assert result.rejection is None and result.document is not None
    # four damaged spans per group: team’s, café, and both é of résumé
    assert sum(r.rule == "ftfy" for r in result.document.repairs) == 2000
