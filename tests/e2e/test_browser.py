"""report.html in a real browser (headless Chromium): counts visible, hostile text inert, filters work,
no sideways scrolling on a narrow screen.

Chromium comes from Debian's `chromium` package; the session fixture installs it when it is missing and
the tests run as root, and skips (saying why) only when it cannot be installed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from pipeline.models import Ladder, Repair
from pipeline.release.diff import diff_ladders
from pipeline.release.report import render_html
from tests.tiny_ladder import HOSTILE, make_ladder, with_log

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMG_PAYLOAD = "<img src=x onerror=\"document.title='pwned'\">"
LONG_TOKEN = "https://example.invalid/" + "a" * 300

# Appended to a copy of the page (after the page's own script) to read back what the browser shows.
PROBE = """
<script>
(function(){
  function visible(el){var r=el.getBoundingClientRect();return r.width>0&&r.height>0&&!el.closest('[hidden]');}
  var out={};
  out.title=document.title;
  out.images=document.images.length;
  out.scripts=document.scripts.length;
  out.overflow=document.documentElement.scrollWidth-window.innerWidth;
  out.counts={};
  document.querySelectorAll('[data-count]').forEach(function(el){
    out.counts[el.getAttribute('data-count')]={text:el.textContent,visible:visible(el),
      onFirstScreen:el.getBoundingClientRect().bottom<=window.innerHeight};
  });
  out.hostile=Array.prototype.filter.call(document.querySelectorAll('td'),function(td){
    return td.textContent.indexOf('<script>alert(1)<\\/script>')>=0;}).length;
  var select=document.getElementById('track-filter');
  select.value='High Touch CSM';select.dispatchEvent(new Event('change'));
  function shownRows(id){return Array.prototype.filter.call(
    document.querySelectorAll('#'+id+' tr[data-tracks]'),function(tr){return !tr.hidden;}).length;}
  out.filtered={repairs:shownRows('repairs'),merges:shownRows('merges'),levels:shownRows('levels'),
    decisions:shownRows('decisions'),decisionRows:document.querySelectorAll('#decisions tbody tr').length};
  var search=document.getElementById('search');
  search.value='role_scale2';search.dispatchEvent(new Event('input'));
  select.value='';select.dispatchEvent(new Event('change'));
  out.searched={levels:shownRows('levels'),merges:shownRows('merges'),url:location.search};
  search.value='';search.dispatchEvent(new Event('input'));
  var box=document.querySelector('#filters input[value="repairs"]');
  box.checked=false;box.dispatchEvent(new Event('change'));
  out.repairsSectionShown=visible(document.getElementById('repairs'));
  out.mergesSectionShown=visible(document.getElementById('merges'));
  var pre=document.createElement('pre');pre.id='probe';pre.textContent=JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
    if found:
        return found
    if not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and apt-get is not available to install it (Debian package `chromium`)")
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed and installing it needs root: run `apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    proc = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode != 0:
        # The package lists may be missing or stale in a fresh container.
        subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env, timeout=900)
        proc = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    found = shutil.which("chromium")
    if proc.returncode != 0 or not found:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"chromium could not be installed with apt-get: {last}")
    return found


def run_chromium(chromium: str, tmp_path: Path, page: Path, *args: str, size: str = "1280,900") -> str:
    profile = tmp_path / "chromium-profile"
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", *args, page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def probe(chromium: str, tmp_path: Path, ladder: Ladder, size: str = "1280,900") -> dict:
    page = tmp_path / "report.html"
    page.write_text(
        render_html(ladder, diff_ladders(None, ladder)).replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = run_chromium(chromium, tmp_path, page, "--dump-dom", size=size)
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, dom[-2000:]
    return json.loads(html.unescape(match.group(1)))


def hostile_ladder() -> Ladder:
    ladder = with_log(make_ladder())
    doc = ladder.documents[0]
    doc.repairs.append(Repair(file=doc.file, ref="L30", rule="mojibake_nbsp", before=IMG_PAYLOAD, after=LONG_TOKEN))
    return ladder


def test_counts_visible_and_hostile_text_stays_text(chromium: str, tmp_path: Path) -> None:
    seen = probe(chromium, tmp_path, hostile_ladder())
    assert seen["counts"] == {
        kind: {"text": str(n), "visible": True, "onFirstScreen": True}
        for kind, n in {
            "documents": 2,
            "repairs": 2,
            "competencies": 2,
            "levels": 3,
            "merges": 1,
            "near-misses": 1,
            "splits": 1,
            "progressions": 1,
            "decisions": 2,
            "rejected": 1,
            "diff": 15,
        }.items()
    }
    assert seen["title"] == "Ladder normalization report"  # the onerror payload never ran
    assert seen["images"] == 0
    assert seen["scripts"] == 2  # the page's filter script and this probe, nothing from the document text
    assert seen["hostile"] == 2  # the near-miss and the progression cells show the text as written
    assert HOSTILE.startswith("<script>alert(1)</script>")


def test_filters_by_track_and_kind(chromium: str, tmp_path: Path) -> None:
    seen = probe(chromium, tmp_path, hostile_ladder())
    assert seen["filtered"] == {
        "repairs": 0,  # both repairs are in the Scale CSM document
        "merges": 1,  # the renewals cluster spans both tracks
        "levels": 1,  # High Touch CSM has one role
        "decisions": 0,
        "decisionRows": 2,  # decisions are not about a track: never hidden by the track filter
    }
    assert seen["searched"]["levels"] == 1  # the search matches the role id shown in its row
    assert seen["searched"]["merges"] == 0
    assert seen["repairsSectionShown"] is False
    assert seen["mergesSectionShown"] is True


def test_no_sideways_scroll_on_a_narrow_screen(chromium: str, tmp_path: Path) -> None:
    seen = probe(chromium, tmp_path, hostile_ladder(), size="390,844")
    assert seen["overflow"] <= 0


def test_screenshot_of_first_screen(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    ladder = hostile_ladder()
    page.write_text(render_html(ladder, diff_ladders(None, ladder)), encoding="utf-8")
    shot = tmp_path / "shot.png"
    run_chromium(chromium, tmp_path, page, f"--screenshot={shot}", size="1200,900")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)


# Values a decision can carry (competency names and file names come from the documents): plain words, YAML
# indicators, values PyYAML would read as another type, quotes, spaces at the edges, unicode and control
# characters. The page's YAML must be byte for byte what `ladder decide` writes (`decision_yaml`).
YAML_VALUES = [
    "Teamwork and Collaboration",
    "Ownership & impact",
    "Craft: quality",
    "Craft:quality",
    "a #b",
    "a#b",
    "#lead",
    "yes",
    "No",
    "off",
    "null",
    "~",
    "",
    "123",
    "0o7",
    "017",
    "1.5",
    "1e3",
    "1.0e+3",
    ".inf",
    "0x1F",
    "1:30",
    "2024-01-01",
    "2024-1-1 10:00:00",
    "- dash",
    "-dash",
    "--x",
    "---",
    "...x",
    "? q",
    "?q",
    ":colon",
    "x:",
    "<<",
    "=",
    "it's",
    '"quoted"',
    "'single'",
    " lead",
    "trail ",
    "tab\there",
    "über café",
    "emoji 🚀",
    "\u00a0nbsp",
    "zero\u200bwidth",
    "bom\ufeff",
    "bell\x07",
    "del\x7f",
    "back\\slash",
    "[x]",
    "{y}",
    "a, b",
    "%lead",
    "@at",
    "`tick",
    "!bang",
    "&amp",
    "*star",
    "|pipe",
    ">gt",
    "handbook 03 (final).txt#L41.2",
]
# Line breaks: PyYAML writes these single-quoted over several lines, the page double-quoted on one; both
# read back as the same decision.
YAML_MULTILINE = ["two\nlines", "trailing break\n", "space \nbreak", "\nlead", "line\u2028sep", "next\x85line"]


def _yaml_cases(values: list[str]) -> list[dict]:
    cases: list[dict] = []
    for v in values:
        if v:  # a name is never empty
            cases.append({"decision": {"action": "rename", "competency": "comp_1", "name": v}, "field": "name"})
        cases.append({"decision": {"action": "split", "behavior": "beh_1", "occurrence": v}})
        cases.append({"decision": {"action": "keep-apart", "behaviors": [v, "beh_2"]}})
    cases.append({"decision": {"action": "merge", "behaviors": ["beh_1", "beh_2", "beh_3"]}})
    cases.append({"decision": {"action": "split", "behavior": "beh_1"}})
    levels = ["IC1", "IC2", "IC3"]
    cases.append(
        {"decision": {"action": "level", "role": "role_1", "level": "IC2"}, "field": "level", "choices": levels}
    )
    return cases


def _server_yaml(case: dict) -> str:
    from pipeline.build.decisions import decision_yaml, parse_decision

    text = decision_yaml(parse_decision(case["decision"]))
    if case.get("field"):
        choices = case.get("choices")
        text = text.rstrip("\n") + f"  # change {case['field']}" + (f": {', '.join(choices)}\n" if choices else "\n")
    return text


def test_copied_yaml_is_what_ladder_decide_writes(chromium: str, tmp_path: Path) -> None:
    import yaml

    from pipeline.build.decisions import parse_decision

    cases = _yaml_cases(YAML_VALUES) + _yaml_cases(YAML_MULTILINE)
    data = json.dumps(cases, ensure_ascii=True).replace("</", "<\\/")
    # Each case through the page's own function, and every action the report offers through the same attributes
    # report.js reads when a snippet is opened.
    probe = (
        "<script>(function(){var cases=" + data + ";"
        "var out={cases:cases.map(function(c){return ladderDecisionYaml(c.decision,c.field||null,c.choices||null);}),"
        "acts:Array.prototype.map.call(document.querySelectorAll('.act'),function(a){return {"
        "decision:JSON.parse(a.getAttribute('data-decision')),field:a.getAttribute('data-field'),"
        "choices:JSON.parse(a.getAttribute('data-choices')||'null'),yaml:ladderDecisionYaml("
        "JSON.parse(a.getAttribute('data-decision')),a.getAttribute('data-field'),"
        "JSON.parse(a.getAttribute('data-choices')||'null'))};})};"
        "var pre=document.createElement('pre');pre.id='probe';pre.textContent=JSON.stringify(out);"
        "document.body.appendChild(pre);})();</script>"
    )
    ladder = hostile_ladder()
    page = tmp_path / "report.html"
    page.write_text(render_html(ladder, diff_ladders(None, ladder)).replace("</body>", probe + "</body>"), "utf-8")
    dom = run_chromium(chromium, tmp_path, page, "--dump-dom")
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, dom[-2000:]
    seen = json.loads(html.unescape(match.group(1)))
    exact = len(_yaml_cases(YAML_VALUES))
    assert seen["cases"][:exact] == [_server_yaml(c) for c in cases[:exact]]
    for case, text in zip(cases[exact:], seen["cases"][exact:], strict=True):
        [item] = yaml.safe_load(text)
        assert parse_decision(item) == parse_decision(case["decision"]), text
    assert len(seen["acts"]) == 11
    assert [a["yaml"] for a in seen["acts"]] == [_server_yaml(a) for a in seen["acts"]]
