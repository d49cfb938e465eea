"""`ladder eval-structure`: gold loading, matching rules, exact figures on small golds, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import Config
from pipeline.devtools.eval_structure import (
    DocumentResult,
    GoldDocument,
    RoleResult,
    compare,
    evaluate_structure,
    expected_years,
    format_structure_eval,
    load_gold,
    title_key,
)
from pipeline.errors import InputError
from pipeline.models import ParsedBehavior, ParsedCompetency, ParsedDocument, ParsedRole
from tests.conftest import FIXTURES, ROOT

runner = CliRunner()

TINY_DOC = """# Pinecrest Support Engineering Career Ladder

## Support Engineer I

### Tickets

- Answers routine tickets from the queue
- Escalates bugs with a reproduction

### Writing

- Keeps replies short and friendly

## Support Engineer II

### Tickets

- Owns escalations until they are closed

### Writing

- Writes help articles for common questions

## Senior Support Engineer

### Tickets

- Leads incident calls with customers

### Writing

- Reviews the help articles of the team

## Values

- We write things down
"""


def _role(title: str, comps: list[tuple[str | None, int]], path: str | None = None) -> dict[str, object]:
    return {
        "title": title,
        "path": path,
        "competencies": [{"name": n, "behavior_count": c} for n, c in comps],
        "years_experience": None,
    }


def _tiny(tmp_path: Path, with_missing: bool = False) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "pinecrest.md").write_text(TINY_DOC, encoding="utf-8")
    gold = [
        {
            "file": "docs/pinecrest.md",
            "track": "Support",
            "source": "written for this test",
            "roles": [
                _role("support engineer i", [("Tickets", 2), ("Writing", 1)], "management"),
                _role("Support Engineer  II.", [("Tickets", 2), ("Writing", 2)]),
                _role("Senior Support Engineer", [("Tickets", 1), ("Writing", 1), ("Mentoring", 1)]),
                _role("Support Lead", [("Tickets", 1)]),
            ],
        }
    ]
    if with_missing:
        gold.append({"file": "docs/absent.md", "track": "Other", "roles": [_role("Lead", [(None, 3)])]})
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- rules


def test_title_key_ignores_case_punctuation_and_whitespace_only() -> None:
    assert title_key("IC1 — Software  Engineer") == "ic1 software engineer"
    assert title_key("ic1 - software engineer.") == "ic1 software engineer"
    assert title_key("Senior Customer Success Manager (IC4)") == "senior customer success manager ic4"
    assert title_key("Sr. Engineer") != title_key("Senior Engineer")  # not fuzzy


def _parsed(
    file: str,
    roles: list[tuple[str, Literal["ic", "management"]]],
    items: list[tuple[str, str]],
    comps: list[tuple[str, str, bool]] | None = None,
) -> ParsedDocument:
    """A parse with the given roles (title, path), behaviors (role, competency), competencies (role, name, applicable)."""
    return ParsedDocument(
        doc_id=file,
        file=file,
        kind="career_page",
        roles=[
            ParsedRole(title=t, track="T", path=p, order=i, defined=True, source_ref="L1")
            for i, (t, p) in enumerate(roles)
        ],
        competencies=[ParsedCompetency(role=r, name=n, applicable=a, source_ref="L1") for r, n, a in comps or []],
        behaviors=[ParsedBehavior(role=r, competency=c, text="x", source_ref="L1") for r, c in items],
        structure=f"structure of {file}",
    )


def test_compare_joined_levels_competencies_and_paths() -> None:
    golds = [
        GoldDocument.model_validate({"file": "a.txt", "track": "Claims", "roles": [_role("Level 1", [(None, 2)])]}),
        GoldDocument.model_validate(
            {"file": "b.txt", "track": "Claims", "roles": [_role("Level 2", [("Scope", 1), ("Craft", 1)], "ic")]}
        ),
        GoldDocument.model_validate({"file": "c.txt", "track": "Other", "roles": [_role("Level 3", [(None, 1)])]}),
    ]
    # a.txt's parse holds its own level and the next document's (joined); c.txt's level went to a.txt too,
    # but c.txt is another track, so that role is an extra of a.txt, not a find of c.txt.
    a = _parsed(
        "a.txt",
        [("Level 1", "ic"), ("LEVEL 2", "management"), ("Level 3", "ic")],
        [("Level 1", ""), ("Level 1", ""), ("LEVEL 2", "Craft"), ("Level 3", "")],
        comps=[("LEVEL 2", "Scope", True), ("LEVEL 2", "Mentoring", False)],
    )
    ev = compare(golds, [(a, 0.8), (_parsed("b.txt", [], []), 0.55), (_parsed("c.txt", [], []), 0.4)], "g.json")
    one, two, three = ev.documents
    assert [(r.found_title, r.found_in, r.behaviors_found, r.competencies_found, r.path_found) for r in one.roles] == [
        ("Level 1", None, 2, 1, "ic")
    ]
    assert [(r.found_title, r.found_in, r.behaviors_found, r.competencies_found, r.path_found) for r in two.roles] == [
        ("LEVEL 2", "a.txt", 1, 2, "management")
    ]
    assert [r.found for r in three.roles] == [False]
    assert one.extra_roles == ["Level 3"] and two.extra_roles == [] and three.extra_roles == []
    figs = [
        (d.figures.found, d.figures.exact_bullets, d.figures.exact_competencies, d.figures.exact_breakdown)
        for d in ev.documents
    ]
    assert figs == [(1, 1, 1, 1), (1, 0, 1, 0), (0, 0, 0, 0)]
    assert ev.total.model_dump() == {
        "gold_roles": 3,
        "parsed_roles": 3,
        "found": 2,
        "exact_bullets": 1,
        "exact_competencies": 2,
        "exact_breakdown": 1,
        "path_right": 1,
        "years_right": 2,
        "extra": 1,
    }
    assert two.roles[0].breakdown_found == [("Scope", 0), ("Craft", 1)]
    assert (
        "b.txt: 'Level 2' differs: behaviors 1 (gold 2); by competency: Scope 0, Craft 1 (gold Scope 1, Craft 1); "
        "path management (gold ic)"
    ) in format_structure_eval(ev).splitlines()
    assert (ev.total.percent("found"), ev.total.percent("extra")) == (66.7, 33.3)
    assert one.kind_confidence == 0.8 and two.structure == "structure of b.txt"


@pytest.mark.parametrize(
    ("gold", "found", "exact"),
    [
        ([("Impact", 2), ("Craft", 1)], [("impact", 2), ("CRAFT.", 1)], True),  # names compared as titles are
        ([("Impact", 2), ("Craft", 1)], [("Impact", 1), ("Craft", 2)], False),  # same totals, bullets misplaced
        ([("Impact", 2), ("Craft", 1)], [("Impact", 2), ("Craft", 1), ("Values", 0)], False),  # one too many
        ([("Impact", 2), ("Craft", 1)], [("Impact", 2), ("Skills", 1)], False),  # a name not in the gold
        ([(None, 4)], [("", 4)], True),  # no grouping: any one name
        ([(None, 4)], [("General", 4)], True),
        ([(None, 4)], [("General", 3), ("Other", 1)], False),
        ([(None, 4)], None, False),  # not found
    ],
)
def test_exact_breakdown(gold: list[tuple[str | None, int]], found: list[tuple[str, int]] | None, exact: bool) -> None:
    role = RoleResult(
        title="R",
        found_title=None if found is None else "R",
        behaviors_gold=0,
        competencies_gold=0,
        path_gold=None,
        breakdown_gold=gold,
        breakdown_found=found,
    )
    assert role.exact_breakdown is exact


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        (None, [(None, None)]),
        ("Typically 0-2", [(0.0, 2.0)]),
        ("Experience: 2–5 years", [(2.0, 5.0)]),
        ("6+", [(6.0, None)]),
        ("Typically requires a minimum of 12 years of professional experience.", [(12.0, None)]),
        ("at least 3 years", [(3.0, None)]),
        ("Typically doesn't require professional experience.", [(None, None), (0.0, None)]),
    ],
)
def test_expected_years(wording: str | None, expected: list[tuple[float | None, float | None]]) -> None:
    assert expected_years(wording) == expected


def test_compare_error_document_counts_nothing() -> None:
    golds = [GoldDocument.model_validate({"file": "x.md", "roles": [_role("A", [(None, 1)]), _role("B", [(None, 1)])]})]
    ev = compare(golds, [DocumentResult(file="x.md", error="x.md: empty file")], "g.json")
    assert ev.total.model_dump() == {
        "gold_roles": 2,
        "parsed_roles": 0,
        "found": 0,
        "exact_bullets": 0,
        "exact_competencies": 0,
        "exact_breakdown": 0,
        "path_right": 0,
        "years_right": 0,
        "extra": 0,
    }
    assert ev.missing == []
    assert format_structure_eval(ev).splitlines()[-1] == "error: x.md: empty file"


# -------------------------------------------------------------------------------------------- gold


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{not json",
            "gold file is not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)",
        ),
        ("[]", "gold file must be a non-empty JSON list of documents ({file, roles, ...})"),
        ('{"file": "a.md"}', "gold file must be a non-empty JSON list of documents ({file, roles, ...})"),
        ('[{"file": "a.md"}]', "gold entry 1: roles: Field required"),
        (
            '[{"file": "a.md", "roles": [{"title": "A", "path": "lead", "competencies": []}]}]',
            "gold entry 1: roles.0.path: Input should be 'ic' or 'management'",
        ),
        (
            '[{"file": "a.md", "roles": [{"title": "A", "competencies": [{"name": "X", "behavior_count": -1}]}]}]',
            "gold entry 1: roles.0.competencies.0.behavior_count: Input should be greater than or equal to 0",
        ),
        ('[{"file": "a.md", "roles": []}, {"file": "a.md", "roles": []}]', "gold lists a.md twice"),
    ],
)
def test_load_gold_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "gold.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_gold(path)
    assert str(exc.value) == f"{path}: {message}"


def test_load_gold_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"^gold file not found: {tmp_path / 'nope.json'}$"):
        load_gold(tmp_path / "nope.json")


# ----------------------------------------------------------------------------- library on real files


def test_evaluate_tiny_gold(tmp_path: Path, config: Config) -> None:
    ev = evaluate_structure(_tiny(tmp_path), config)
    (doc,) = ev.documents
    assert (doc.kind, doc.error, doc.missing) == ("career_page", None, False)
    assert [(r.title, r.found_title, r.behaviors_found, r.competencies_found, r.path_found) for r in doc.roles] == [
        ("support engineer i", "Support Engineer I", 3, 2, "ic"),
        ("Support Engineer  II.", "Support Engineer II", 2, 2, "ic"),
        ("Senior Support Engineer", "Senior Support Engineer", 2, 2, "ic"),
        ("Support Lead", None, None, None, None),
    ]
    assert doc.extra_roles == []  # "## Values" is a page-wide section, not a level
    assert doc.figures.model_dump() == {
        "gold_roles": 4,
        "parsed_roles": 3,
        "found": 3,
        "exact_bullets": 1,
        "exact_competencies": 2,
        "exact_breakdown": 1,
        "path_right": 2,
        "years_right": 3,
        "extra": 0,
    }
    text = format_structure_eval(ev)
    assert text.splitlines()[0] == (
        f"structure evaluation against {tmp_path / 'gold.json'}: 1 documents, 4 gold roles, 3 roles parsed"
    )
    assert "total  " in text
    assert "docs/pinecrest.md: not found: 'Support Lead'" in text.splitlines()
    assert "extra: " not in text
    assert _total_line(text) == "total  4  3 (75.0%)  1 (25.0%)  2 (50.0%)  1 (25.0%)  2 (50.0%)  3 (75.0%)  0 (0.0%)"


def test_raw_folder_override_finds_documents_by_name(tmp_path: Path, config: Config) -> None:
    gold = _tiny(tmp_path)
    other = tmp_path / "copy"
    other.mkdir()
    (other / "pinecrest.md").write_text(TINY_DOC.replace("## Values\n\n- We write things down\n", ""))
    ev = evaluate_structure(gold, config, raw=other)
    assert (ev.total.found, ev.total.extra) == (3, 0)
    with pytest.raises(InputError, match="^--raw: not a folder: "):
        evaluate_structure(gold, config, raw=tmp_path / "nope")


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_missing_document_exit_3(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval-structure", "--gold", str(_tiny(tmp_path, with_missing=True))])
    assert result.exit_code == 3
    assert result.stderr == "ladder: error: 1 gold documents not found or unreadable: docs/absent.md\n"
    assert f"error: docs/absent.md: file not found ({tmp_path / 'docs/absent.md'})" in result.stdout
    assert (
        _total_line(result.stdout)
        == "total  5  3 (60.0%)  1 (20.0%)  2 (40.0%)  1 (20.0%)  2 (40.0%)  3 (60.0%)  0 (0.0%)"
    )


def test_cli_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval-structure", "--gold", str(_tiny(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == {
        "gold_roles": 4,
        "parsed_roles": 3,
        "found": 3,
        "found_pct": 75.0,
        "exact_bullets": 1,
        "exact_bullets_pct": 25.0,
        "exact_competencies": 2,
        "exact_competencies_pct": 50.0,
        "exact_breakdown": 1,
        "exact_breakdown_pct": 25.0,
        "path_right": 2,
        "path_right_pct": 50.0,
        "years_right": 3,
        "years_right_pct": 75.0,
        "extra": 0,
        "extra_pct": 0.0,
    }
    assert [r["exact_bullets"] for r in data["documents"][0]["roles"]] == [True, False, False, False]
    assert [r["path_right"] for r in data["documents"][0]["roles"]] == [False, True, True, False]


def test_cli_gold_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval-structure", "--gold", str(tmp_path / "nope.json")])
    assert (result.exit_code, result.stderr) == (1, f"ladder: error: gold file not found: {tmp_path / 'nope.json'}\n")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"file": "a.md"}]')
    result = runner.invoke(app, ["eval-structure", "--gold", str(bad)])
    assert (result.exit_code, result.stderr) == (1, f"ladder: error: {bad}: gold entry 1: roles: Field required\n")
    result = runner.invoke(app, ["eval-structure"])
    assert result.exit_code == 2


# ------------------------------------------------------------------------------ the two gold files

# Figures as parse gives them today, per document: (found, exact bullets, exact competencies, exact
# breakdown, path right, years right, extra): every role found and exact, no extra role. When a change to parse moves them, update them to what
# `ladder eval-structure --gold <file>` prints.
OWN_FIGURES = {
    "raw/brightwater-support.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/kestrel-operations-analyst.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/lumen-customer-success.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/ferrous-data-engineering.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/quillmark-account-executive.html": (4, 4, 4, 4, 4, 4, 0),
    "raw/tidewater-solutions.html": (4, 4, 4, 4, 4, 4, 0),
    "raw/northpine-producer.md": (3, 3, 3, 3, 3, 3, 0),
    "raw/orchard-field-service.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/saltmarsh-claims-1.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/saltmarsh-claims-2.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/saltmarsh-claims-3.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/brackenridge-engineering.md": (5, 5, 5, 5, 5, 5, 0),
}
OWN_TOTAL = "total  39  39 (100.0%)  39 (100.0%)  39 (100.0%)  39 (100.0%)  39 (100.0%)  39 (100.0%)  0 (0.0%)"

SHARED = ROOT.parent / "shared" / "ladders"
SHARED_FIGURES = {
    "raw/gravitational-sre-levels.md": (6, 6, 6, 6, 6, 6, 0),
    "raw/sourcegraph-support-engineering.md": (5, 5, 5, 5, 5, 5, 0),
    "raw/sourcegraph-engineering.md": (9, 9, 9, 9, 9, 9, 0),
    "raw/sourcegraph-account-executive.md": (5, 5, 5, 5, 5, 5, 0),
    "raw/octopus-cs-L2-junior-csm.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/octopus-cs-L3-csm.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/octopus-cs-L4-senior-csm.txt": (1, 1, 1, 1, 1, 1, 0),
    "raw/octopus-solutions.md": (4, 4, 4, 4, 4, 4, 0),
    "raw/jorgef-developer.md": (7, 7, 7, 7, 7, 7, 0),
    "raw/postman-ospo-engineer.md": (6, 6, 6, 6, 6, 6, 0),
    "raw/artsy-engineering-ladder.md": (10, 10, 10, 10, 10, 10, 0),
}
SHARED_TOTAL = "total  55  55 (100.0%)  55 (100.0%)  55 (100.0%)  55 (100.0%)  55 (100.0%)  55 (100.0%)  0 (0.0%)"


def _figures_by_file(stdout: str) -> dict[str, tuple[int, ...]]:
    data = json.loads(stdout)
    names = ("found", "exact_bullets", "exact_competencies", "exact_breakdown", "path_right", "years_right", "extra")
    return {d["file"]: tuple(d[n] for n in names) for d in data["documents"]}


def _total_line(stdout: str) -> str:
    """The total row with its column padding reduced to two spaces (cells are `N (P%)`)."""
    (line,) = [x for x in stdout.splitlines() if x.startswith("total ")]
    parts = line.split()
    return "  ".join([parts[0], parts[1], *(f"{parts[i]} {parts[i + 1]}" for i in range(2, len(parts), 2))])


def test_own_fixtures_figures() -> None:
    gold = FIXTURES / "ladders" / "gold.json"
    assert [d.file for d in load_gold(gold)] == list(OWN_FIGURES)
    result = runner.invoke(app, ["eval-structure", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    assert _figures_by_file(result.stdout) == OWN_FIGURES
    result = runner.invoke(app, ["eval-structure", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert _total_line(result.stdout) == OWN_TOTAL


@pytest.mark.skipif(not (SHARED / "gold.json").is_file(), reason="development set of real ladders not present")
def test_shared_ladders_figures() -> None:
    result = runner.invoke(app, ["eval-structure", "--gold", str(SHARED / "gold.json"), "--json"])
    assert result.exit_code == 0, result.output
    assert _figures_by_file(result.stdout) == SHARED_FIGURES
    result = runner.invoke(app, ["eval-structure", "--gold", str(SHARED / "gold.json")])
    assert result.exit_code == 0, result.output
    assert _total_line(result.stdout) == SHARED_TOTAL
