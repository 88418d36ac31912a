"""The README's command reference is the CLI's own --help output, kept in sync by this test."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib.cli import cli

README = Path(__file__).parents[1] / "README.md"
BLOCK = re.compile(r"<!-- help: (?P<command>[^>]+?) -->\n(?:```text\n.*?```\n)?", re.DOTALL)


def help_block(command: str) -> str:
    args = command.split()[1:]
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="attrib", terminal_width=100)
    assert result.exit_code == 0, result.output
    return f"<!-- help: {command} -->\n```text\n{result.stdout}```\n"


def test_readme_help_matches_the_cli() -> None:
    text = README.read_text(encoding="utf-8")
    commands = [m["command"] for m in BLOCK.finditer(text)]
    assert commands, "README has no <!-- help: ... --> markers"
    expected = BLOCK.sub(lambda m: help_block(m["command"]), text)
    if os.environ.get("ATTRIB_UPDATE_README") == "1":
        README.write_text(expected, encoding="utf-8")
        pytest.skip("README rewritten")
    assert text == expected, (
        "README help is stale: run ATTRIB_UPDATE_README=1 pytest tests/test_readme.py"
    )


def test_readme_documents_every_command() -> None:
    text = README.read_text(encoding="utf-8")
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"### `attrib {name}" in text
        assert f"<!-- help: attrib {name} -->" in text
