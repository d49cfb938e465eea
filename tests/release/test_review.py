"""The review app without a browser: the token guards every request, decisions are validated and
appended with who/when/why, the page carries the review bar and keeps document text escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import pipeline.release.review as review
from pipeline.errors import InputError
from pipeline.release.diff import diff_ladders
from pipeline.release.emit import emit_dataset
from pipeline.release.report import write_report
from tests.tiny_ladder import make_ladder, with_log

AT = "2026-12-01T21:00:00Z"


@pytest.fixture()
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, review.ReviewSession]:
    ladder = with_log(make_ladder())
    out = tmp_path / "normalized"
    emit_dataset(ladder, out)
    write_report(ladder, diff_ladders(None, ladder), out)
    monkeypatch.setattr(review, "now_utc", lambda: AT)
    session = review.ReviewSession(
        out_dir=out, raw_dir=tmp_path / "raw", decisions_path=tmp_path / "decisions.yaml", user="ana", token="t0k"
    )
    return TestClient(review.create_app(session)), session


def test_every_request_needs_the_token(client) -> None:
    c, session = client
    body = {"decision": {"action": "keep-apart", "behaviors": ["beh_data", "beh_hostile"]}}
    assert c.get("/").status_code == 403
    assert c.get("/?token=wrong").status_code == 403
    assert c.post("/api/decide", json=body).status_code == 403
    assert c.post("/api/decide?token=t0k", json=body).status_code == 403  # POSTs: the header only
    assert c.post("/api/rebuild", headers={review.TOKEN_HEADER: "wrong"}).status_code == 403
    assert c.put("/api/decide", json=body, headers={review.TOKEN_HEADER: "t0k"}).status_code == 403
    assert not session.decisions_path.exists()


def test_decide_appends_and_the_page_shows_it(client) -> None:
    c, session = client
    headers = {review.TOKEN_HEADER: "t0k"}
    r = c.post(
        "/api/decide",
        json={"decision": {"action": "keep-apart", "behaviors": ["beh_data", "beh_hostile"]}, "note": " differ "},
        headers=headers,
    )
    assert r.status_code == 200
    yaml_text = "- action: keep-apart\n  behaviors:\n  - beh_data\n  - beh_hostile\n  note: differ\n  by: ana\n"
    yaml_text += f"  at: '{AT}'\n"
    assert r.json() == {"yaml": yaml_text, "count": 1, "file": str(session.decisions_path)}
    bad = c.post(
        "/api/decide", json={"decision": {"action": "level", "role": "role_x", "level": "L9"}}, headers=headers
    )
    assert bad.status_code == 400
    assert bad.json() == {"error": "level: String should match pattern '^(?:IC|M)[1-9][0-9]*$'"}
    assert session.decisions_path.read_text() == "decisions:\n" + "".join(
        "  " + x + "\n" for x in yaml_text.splitlines()
    )
    page = c.get("/?token=t0k").text
    assert '<body data-token="t0k">' in page
    assert "<li><pre>- action: keep-apart\n  behaviors:\n  - beh_data\n" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert page.count("<script>") == 2  # the report's script and the review script


def test_review_needs_a_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no report.html in .*: run `ladder run --out .*` first"):
        review.check_ready(tmp_path)
