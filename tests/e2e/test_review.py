"""`ladder review` in a real browser (playwright driving Debian's chromium, headless) on the bundled raw/:
split one occurrence out of a merge, merge one near-miss, rebuild; the decisions file, the new ids and the
diff the page shows; requests without the session's token are refused; document text stays text.

Set UPDATE_SCREENSHOTS=1 to write docs/review-desktop.png and docs/review-390.png from this run.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import pipeline.release.review as review
from pipeline.build.decisions import SPLIT_MARK, decision_yaml, occurrence_ref, parse_decision
from pipeline.build.dedupe import behavior_id, dedupe
from pipeline.config import Config
from pipeline.release.diff import diff_ladders, summary_lines
from pipeline.release.publish import load_candidate
from tests.conftest import RAW, ROOT
from tests.e2e.test_browser import CHROMIUM_FLAGS, chromium  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip("playwright.sync_api")

HOSTILE_DOC = """# Field Marketing Ladder

## Field Marketer

Runs local events.

**Events**

- Plans regional events <img src=x onerror="document.title='pwned'"> with partners
- Books venues early

## Senior Field Marketer

Owns the events calendar.

**Events**

- Plans regional events <img src=x onerror="document.title='pwned'"> with partners.
- Books venues early for every quarter
"""
AT = "2026-12-01T21:00:00Z"


@pytest.fixture()
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> review.ReviewSession:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    # a plain-text page keeps the tags as written (Markdown drops inline HTML), so they reach the report as text
    (raw / "900-field-marketing.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    (raw / "manifest.yaml").write_text("kinds:\n  900-field-marketing.txt: career_page\n", encoding="utf-8")
    monkeypatch.setattr(review, "now_utc", lambda: AT)
    monkeypatch.chdir(tmp_path)  # the page shows the decisions file as given: decisions.yaml, as `ladder review` does
    s = review.ReviewSession(
        out_dir=Path("normalized"), raw_dir=Path("raw"), decisions_path=Path("decisions.yaml"), user="ana"
    )
    review.rebuild(s)  # the run being reviewed, through the parse cache
    s.last_rebuild = None
    return s


def _post(url: str, body: dict, token: str | None) -> int:
    headers = {"Content-Type": "application/json", **({review.TOKEN_HEADER: token} if token is not None else {})}
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_review_split_merge_rebuild_in_a_browser(session: review.ReviewSession, chromium: str) -> None:  # noqa: F811
    before = load_candidate(session.out_dir)
    cluster = sorted(before.normalization.clusters, key=lambda c: (c.representative, c.behavior_id))[0]
    behavior = next(b for b in before.behaviors if b.id == cluster.behavior_id)
    occ = behavior.occurrences[-1]
    ref = occurrence_ref(occ.source_file, occ.source_ref, occ.part)
    near = sorted(before.normalization.near_misses, key=lambda n: (-n.score, n.a_text))[0]
    server = review.ReviewServer(session).start()
    base = server.url.split("?")[0]
    try:
        # no token, a wrong token: refused, nothing written
        assert _post(base + "api/decide", {"decision": {"action": "split", "behavior": behavior.id}}, None) == 403
        assert _post(base + "api/rebuild", {}, "wrong") == 403
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(base, timeout=30)
        assert denied.value.code == 403
        assert not session.decisions_path.exists()

        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url)
            assert page.title() == "Ladder normalization report"
            merge_row = page.locator("#merges tbody tr").first
            merge_row.get_by_role("button", name=f"Split out {ref}", exact=True).click()
            page.locator("#made li").first.wait_for()
            near_row = page.locator("#near-misses tbody tr").filter(has_text=near.a_id).filter(has_text=near.b_id)
            # the "copy as YAML" snippet is written by the page when opened: what `ladder decide` writes
            near_row.locator("summary", has_text="Merge: copy as YAML").click()
            copied = near_row.locator("pre.yaml").first.text_content()
            page.fill("#review-note", "same demand")
            near_row.get_by_role("button", name="Merge", exact=True).click()
            page.locator("#made li").nth(1).wait_for()
            made = page.locator("#made li").all_text_contents()
            if os.environ.get("UPDATE_SCREENSHOTS"):
                page.evaluate("() => window.scrollTo(0, document.getElementById('merges').offsetTop - 260)")
                page.screenshot(path=str(ROOT / "docs" / "review-desktop.png"))
            desktop_overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            page.click("#rebuild")
            page.locator("#rebuilt").wait_for(timeout=120_000)
            shown = page.locator("#rebuilt li").all_text_contents()
            new_ids = page.locator("#new-ids").text_content()
            gone_ids = page.locator("#gone-ids").text_content()
            # search by id; the filter is kept in the URL (with the token) and restored on load
            survivor = near.a_id if gone_ids == near.b_id else near.b_id
            page.fill("#search", survivor)
            # the page's own location: page.url follows history.replaceState only once the event reaches us
            searched_url = page.evaluate("() => location.href")
            page.goto(searched_url)
            restored = page.input_value("#search")
            merge_rows = page.locator("#merges tbody tr:not([hidden])").all_text_contents()
            seen = page.evaluate(
                "() => ({title: document.title, images: document.images.length,"
                " hostile: Array.from(document.querySelectorAll('td')).filter(td =>"
                " td.textContent.includes('<img src=x onerror=')).length,"
                " overflow: 0})"
            )
            page.set_viewport_size({"width": 390, "height": 844})
            page.evaluate("() => window.scrollTo(0, 0)")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if os.environ.get("UPDATE_SCREENSHOTS"):
                page.screenshot(path=str(ROOT / "docs" / "review-390.png"))
            browser.close()
    finally:
        server.stop()

    assert session.decisions_path.read_text(encoding="utf-8") == (
        "decisions:\n"
        f"  - action: split\n    behavior: {behavior.id}\n    occurrence: {ref}\n    by: ana\n    at: '{AT}'\n"
        f"  - action: merge\n    behaviors:\n    - {near.a_id}\n    - {near.b_id}\n    note: same demand\n"
        f"    by: ana\n    at: '{AT}'\n"
    )
    assert [m.splitlines()[0] for m in made] == ["- action: split", "- action: merge"]
    assert copied == f"- action: merge\n  behaviors:\n  - {near.a_id}\n  - {near.b_id}\n"
    assert copied == decision_yaml(parse_decision({"action": "merge", "behaviors": [near.a_id, near.b_id]}))
    after = load_candidate(session.out_dir)
    form = dedupe([occ.text], Config().normalize).forms[occ.text].form
    split_id = behavior_id(f"{form}{SPLIT_MARK}at:{ref}")
    ids = {b.id for b in after.behaviors}
    assert split_id in ids and behavior.id in ids
    assert [o.source_ref for o in next(b for b in after.behaviors if b.id == split_id).occurrences] == [occ.source_ref]
    assert (near.a_id in ids) != (near.b_id in ids)  # the merged pair keeps one of its ids
    gone = near.b_id if near.a_id in ids else near.a_id
    assert new_ids == split_id
    assert gone_ids == gone
    diff = diff_ladders(before, after, base_label="the candidate before this rebuild", target_label="the rebuild")
    assert shown[: len(summary_lines(diff))] == summary_lines(diff)
    assert "- behaviors: 1 added, 1 removed, " in "\n".join(shown)
    assert shown[len(summary_lines(diff)) :] == ["reviewer decisions: 2 applied, 0 stale, 0 refused"]
    assert [(d.action, d.status) for d in after.normalization.decisions] == [("split", "applied"), ("merge", "applied")]
    assert f"q={survivor}" in searched_url and f"token={session.token}" in searched_url
    assert restored == survivor
    assert len(merge_rows) == 1 and "decision" in merge_rows[0]  # the pair the decision merged
    assert seen["title"] == "Ladder normalization report"  # the onerror payload never ran
    assert seen["images"] == 0
    assert seen["hostile"] >= 1
    assert overflow <= 0
    assert desktop_overflow <= 0
