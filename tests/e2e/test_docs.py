"""The README keeps up with the code: every `ladder` command and every settings section is documented, and
the README names no command that does not exist (in the spirit of sqlite-utils' tests/test_docs.py)."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command_name

from flows.cli import app
from pipeline.config import Config
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = {c.name or get_command_name(c.callback.__name__): c for c in app.registered_commands if c.callback}
GROUPS = {g.name: g for g in app.registered_groups if g.name}  # commands with subcommands: `ladder decide merge …`
# `ladder <command>` in inline code or at the start of a line of a code block
MENTIONED = set(re.findall(r"(?:`|^\s*(?:\$\s*)?)ladder ([a-z][a-z-]*)", README, re.MULTILINE))


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else len(README)]


def test_commands_are_found() -> None:
    assert {"run", "config", "diff", "publish", "verify"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_in_readme_and_has_help(name: str) -> None:
    assert name in MENTIONED, f"README.md never shows `ladder {name}`"
    command = COMMANDS[name]
    help_text = command.help or (command.callback.__doc__ if command.callback else None) or ""
    assert help_text.strip(), f"`ladder {name}` has no help text"


def test_readme_names_no_missing_command() -> None:
    assert MENTIONED - set(COMMANDS) - set(GROUPS) == set()


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_command_group_is_in_readme_and_has_help(name: str) -> None:
    assert name in MENTIONED, f"README.md never shows `ladder {name}`"
    group = GROUPS[name]
    help_text = group.help or (group.typer_instance.info.help if group.typer_instance else None)
    assert isinstance(help_text, str) and help_text.strip(), f"`ladder {name}` has no help text"


@pytest.mark.parametrize("section", list(Config.model_fields))
def test_settings_section_is_in_readme(section: str) -> None:
    assert f"`{section}:`" in _section("Configuration"), f"README.md's Configuration section lacks `{section}:`"
