"""Parse results shipped from worker processes: encoded as they are (not made lean first), decoded straight into
lean records, equal to what pydantic's validation of the same bytes gives, and bad bytes refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from pipeline.config import Config
from pipeline.models import (
    Document,
    ForumPost,
    GuidanceItem,
    LevelBenchmark,
    ParsedBehavior,
    ParsedCompetency,
    ParsedDocument,
    ParsedRole,
    Rejection,
    Repair,
)
from pipeline.run import FileResult
from pipeline.runtime.batches import decode_results, encode_results, process_batch, spool_results, unspool_results

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# a Markdown ladder, an HTML career page, forum threads (with warnings), an article, role descriptions in text
# (with encoding repairs and years), a document of no known kind
LAYOUTS = [
    "marketing_ladder.md",
    "scale_csm.html",
    "threads/discourse_csm_levels.html",
    "prose/forum_levels.txt",
    "prose/rubric_article.md",
    "prose/support_roles.txt",
    "prose/meeting_notes.txt",
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[FileResult], bytes]:
    raw = tmp_path_factory.mktemp("raw")
    for rel in LAYOUTS:
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_bytes((FIXTURES / rel).read_bytes())
    (raw / "zz_binary.txt").write_bytes(b"\x00\x01 not text")
    paths = [raw / rel for rel in [*LAYOUTS, "zz_binary.txt"]]
    results = process_batch(paths, raw, Config(), {}, None, lean=False)
    return results, encode_results(results)


def test_decoded_results_equal_pydantic_validation_of_the_same_bytes(batch: tuple[list[FileResult], bytes]) -> None:
    results, data = batch
    decoded = decode_results(data)
    validated = TypeAdapter(list[FileResult]).validate_json(data)
    assert decoded == validated == results
    assert [r.model_dump_json() for r in decoded] == [r.model_dump_json() for r in validated]
    assert encode_results(decoded) == data

    kinds = [
        (r.file, r.parsed.kind if r.parsed else None, r.rejection.reason if r.rejection else None) for r in decoded
    ]
    assert kinds == [
        ("marketing_ladder.md", "career_page", None),
        ("scale_csm.html", "career_page", None),
        ("threads/discourse_csm_levels.html", "forum_thread", None),
        ("prose/forum_levels.txt", "forum_thread", None),
        ("prose/rubric_article.md", "article", None),
        ("prose/support_roles.txt", "role_descriptions", None),
        ("prose/meeting_notes.txt", "unknown", None),
        ("zz_binary.txt", None, "binary file (contains NUL bytes), not a text document"),
    ]
    parsed = [r.parsed for r in decoded if r.parsed is not None]
    counts = {
        k: [len(getattr(p, k)) for p in parsed]
        for k in ("roles", "competencies", "behaviors", "benchmarks", "posts", "guidance", "warnings")
    }
    assert counts == {
        "roles": [2, 8, 0, 0, 0, 3, 0],
        "competencies": [4, 40, 0, 0, 0, 16, 0],
        "behaviors": [6, 71, 0, 0, 0, 16, 0],
        "benchmarks": [0, 0, 3, 3, 0, 0, 0],
        "posts": [0, 0, 4, 3, 0, 0, 0],
        "guidance": [0, 0, 0, 0, 14, 0, 0],
        "warnings": [0, 0, 1, 1, 0, 0, 1],
    }
    assert [len(r.document.repairs) for r in decoded if r.document is not None] == [0, 0, 0, 0, 0, 3, 0]


def test_decoded_fields_have_the_models_types(batch: tuple[list[FileResult], bytes]) -> None:
    decoded = {r.file: r for r in decode_results(batch[1])}
    roles = decoded["prose/support_roles.txt"]
    assert type(roles.document) is Document and type(roles.parsed) is ParsedDocument
    assert type(roles.document.repairs[0]) is Repair
    first, second = roles.parsed.roles[:2]
    assert type(first) is ParsedRole
    assert (first.years_min, first.years_max, second.years_min, second.years_max) == (0.0, 2.0, 3.0, None)
    assert type(first.years_min) is float and type(first.years_max) is float and type(first.order) is int
    assert type(first.defined) is bool and first.path == "ic" and type(first.path) is str
    assert type(second.scope) is list and second.scope == ["Mid-Market", "Enterprise", "250-5,000 users"]
    assert type(roles.parsed.competencies[0]) is ParsedCompetency and type(roles.parsed.behaviors[0]) is ParsedBehavior
    assert type(roles.parsed.competencies[0].applicable) is bool
    thread = decoded["threads/discourse_csm_levels.html"].parsed
    assert type(thread.benchmarks[0]) is LevelBenchmark and type(thread.posts[0]) is ForumPost
    assert [(b.years_min, type(b.years_min)) for b in thread.benchmarks] == [(0.0, float), (2.0, float), (5.0, float)]
    assert type(decoded["prose/rubric_article.md"].parsed.guidance[0]) is GuidanceItem
    assert type(decoded["zz_binary.txt"].rejection) is Rejection and decoded["zz_binary.txt"].document is None
    # lean: one shared fields-set per class (validated records hold one each)
    items = [
        x for r in decoded.values() if r.parsed for x in (*r.parsed.roles, *r.parsed.competencies, *r.parsed.behaviors)
    ]
    assert len(items) == 13 + 60 + 93
    assert len({id(x.model_fields_set) for x in items}) == 3


def test_workers_encode_the_same_bytes_without_the_lean_copy(batch: tuple[list[FileResult], bytes]) -> None:
    results, data = batch
    paths = sorted(FIXTURES.glob("*_ladder.*"))
    plain = process_batch(paths, FIXTURES, Config(), {}, None, lean=False)
    lean = process_batch(paths, FIXTURES, Config(), {}, None)
    assert plain == lean and encode_results(plain) == encode_results(lean)
    behaviors = [b for r in plain if r.parsed for b in r.parsed.behaviors]
    assert len(behaviors) == 30
    assert len({id(b.model_fields_set) for b in behaviors}) == 30  # as validated: no copy made
    assert len({id(b.model_fields_set) for r in lean if r.parsed for b in r.parsed.behaviors}) == 1
    assert all(not r.document.text for r in plain if r.document)  # still slim


def _edited(data: bytes, edit: str) -> bytes:
    items = json.loads(data)
    support = next(i for i in items if i["file"] == "prose/support_roles.txt")
    role, behavior = support["parsed"]["roles"][0], support["parsed"]["behaviors"][0]
    if edit == "missing field":
        del behavior["text"]
    elif edit == "unknown field":
        behavior["score"] = 1
    elif edit == "wrong type":
        behavior["text"] = 7
    elif edit == "not a path kind":
        role["path"] = "sideways"
    elif edit == "years as text":
        role["years_min"] = "two"
    elif edit == "not a list":
        support["parsed"]["competencies"] = {"name": "x"}
    elif edit == "document without id":
        del support["document"]["id"]
    return json.dumps(items).encode()


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        ("missing field", "text"),
        ("unknown field", "score"),
        ("wrong type", "text"),
        ("not a path kind", "path"),
        ("years as text", "years_min"),
        ("not a list", "list"),
        ("document without id", "id"),
    ],
)
def test_malformed_results_raise(batch: tuple[list[FileResult], bytes], edit: str, where: str) -> None:
    data = _edited(batch[1], edit)
    with pytest.raises(ValidationError) as reference:
        TypeAdapter(list[FileResult]).validate_json(data)
    with pytest.raises(ValidationError) as ours:
        decode_results(data)
    assert where in str(reference.value) and where in str(ours.value)


def test_bytes_that_are_not_results_raise(batch: tuple[list[FileResult], bytes]) -> None:
    with pytest.raises(ValueError, match="unexpected|invalid|EOF"):
        decode_results(batch[1][:-7])  # truncated
    with pytest.raises(ValueError, match="must be a JSON list, got dict"):
        decode_results(b'{"file": "a.txt"}')
    with pytest.raises(ValidationError, match="file"):
        decode_results(b'[{"parsed": null}]')
    with pytest.raises(ValidationError):
        decode_results(b"[3]")
    assert decode_results(b"[]") == []


def test_equal_short_strings_decode_to_one_object(batch: tuple[list[FileResult], bytes]) -> None:
    """The role and competency names repeated across a document's bullets are one string each once decoded, as
    pydantic's own JSON validation makes them (a parser that makes every string anew held ~240 MB more at 10^4
    documents)."""
    parsed = next(r.parsed for r in decode_results(batch[1]) if r.parsed is not None and len(r.parsed.behaviors) > 1)
    behaviors = parsed.behaviors
    for names in ([b.role for b in behaviors], [b.competency for b in behaviors]):
        assert len(set(names)) < len(names)  # repeated
        assert len({id(n) for n in names}) == len(set(names))


def test_spooled_results_come_back_equal_and_the_file_is_removed(
    batch: tuple[list[FileResult], bytes], tmp_path: Path
) -> None:
    results, data = batch
    first, second = spool_results(results, tmp_path), spool_results(results[:2], tmp_path)
    assert first != second and first.parent == second.parent == tmp_path
    assert first.read_bytes() == data
    assert unspool_results(first) == results
    assert unspool_results(second) == results[:2]
    assert list(tmp_path.iterdir()) == []
