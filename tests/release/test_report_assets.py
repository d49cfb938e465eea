"""The report's stylesheet and script are package files, declared as package data so that a non-editable
install ships them, and inlined into every HTML report."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources

from pipeline.release.diff import diff_ladders
from pipeline.release.report import render_html
from tests.conftest import ROOT
from tests.tiny_ladder import make_ladder

ASSETS = ("report.css", "report.js")


def test_assets_are_declared_package_data() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    globs = declared["package-data"]["pipeline.release.report"]
    for name in ASSETS:
        assert (ROOT / "pipeline" / "release" / "report" / name).is_file()
        assert any(fnmatch.fnmatch(name, g) for g in globs), name


def test_assets_are_inlined_in_the_html_report() -> None:
    ladder = make_ladder()
    page = render_html(ladder, diff_ladders(None, ladder))
    css = resources.files("pipeline.release.report").joinpath("report.css").read_text(encoding="utf-8")
    js = resources.files("pipeline.release.report").joinpath("report.js").read_text(encoding="utf-8")
    assert "#filters{display:flex" in css and "getElementById('track-filter')" in js
    assert page.count(f"<style>{css}</style>") == 1
    assert page.count(f"<script>{js}</script>") == 1
