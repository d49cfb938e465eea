"""CLI habits that need no dataset: stage progress on the progress line, `ladder run --json`."""

from __future__ import annotations

import logging
from pathlib import Path

from rich.progress import Progress
from typer.testing import CliRunner

from flows.cli import _stage_progress, app
from pipeline.progress import LOGGER_NAME, stage


def test_stage_messages_reach_the_progress_line_only_while_running() -> None:
    with Progress(disable=True) as progress:
        bar = progress.add_task("reading", total=5)
        with _stage_progress(progress, bar, 5):
            stage("de-duplicating 314 statements")
        task = progress.tasks[0]
        assert (task.description, task.total, task.completed) == ("de-duplicating 314 statements", 5, 5)
        stage("after the run")  # the handler is gone
        assert progress.tasks[0].description == "de-duplicating 314 statements"
    assert logging.getLogger(LOGGER_NAME).handlers == []


def test_run_json_on_an_empty_folder_is_an_error_on_stderr_only(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(app, ["run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("ladder: error: ") and result.stderr.count("\n") == 1
