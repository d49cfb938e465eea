"""Synthetic career pages for scale tests, with the ground truth of which behaviors are the same.

`generate_document(i, seed)` builds document `i` of a corpus as structured data; `render_text` and
`render_html` write it in the two career-page layouts of `raw/` (the seed text layout, and a saved HTML
page with a `<ul>` role menu, `h2` roles, `h3` competencies, `<ul><li>` behaviors). Document `i` depends
only on `(i, seed)`, so a corpus of N+1 documents is the corpus of N plus one file (what the incremental
tests need), and the bench can stream behaviors without writing files (`iter_occurrences`).

What makes it a useful test of de-duplication:
- a behavior *base* is (competency, verb phrase, object, context, purpose); bases come from a linear code
  over the phrase lists, so two distinct bases of one competency differ in at least two of their four
  phrases: clearly different statements, not near-duplicates in disguise. Companies favour some bases
  (drawn with a skew), so popular statements recur across many companies and a long tail does not;
- the same base is written by many companies, each with its own house style: trailing periods, a comma
  before the purpose, a subject or modal prefix ("The CSM will ..."), the adverb moved after the object,
  synonyms (customers -> clients; one pair, quickly -> fast, that the matcher's synonym table does not
  know). These surface edits keep the truth id;
- inside a document, a behavior is repeated word for word at the next level (exact repeats), or turned
  into a *progression* that must stay apart: "Begins to review ..." -> "Reviews ...", "basic" ->
  "advanced", "within 30 days" -> "within 45 days". A progression gets a new truth id.

The truth (`truth.csv`) has one row per written bullet: file, line ref, text and truth id.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pipeline.errors import InputError
from pipeline.models import Occurrence

# A prime: bases are (verb a, object b, context c, purpose (a + b + c + 7k) mod Q) for competency k, a
# linear code in which two distinct bases of one competency differ in at least two of their four phrases.
Q = 17
# Companies favour some statements: base cells are drawn with density falling with their rank, and the
# rank is spread over the cells by a multiplier coprime with Q**3.
_SPREAD = 1999

# (adverb, verb in the third person, verb in the base form); the adverb is what the word-order edit moves
VERBS: list[tuple[str, str, str]] = [
    ("Proactively", "reviews", "review"),
    ("Regularly", "updates", "update"),
    ("", "takes ownership of", "take ownership of"),
    ("Clearly", "communicates", "communicate"),
    ("", "documents and shares", "document and share"),
    ("Consistently", "tracks", "track"),
    ("", "coordinates", "coordinate"),
    ("", "prepares and presents", "prepare and present"),
    ("", "identifies gaps in", "identify gaps in"),
    ("", "builds and maintains", "build and maintain"),
    ("Continuously", "improves", "improve"),
    ("Actively", "seeks feedback on", "seek feedback on"),
    ("Carefully", "analyzes", "analyze"),
    ("", "prioritizes", "prioritize"),
    ("Promptly", "follows up on", "follow up on"),
    ("", "aligns stakeholders on", "align stakeholders on"),
    ("Effectively", "simplifies", "simplify"),
]

PURPOSES: list[str] = [
    "to protect renewals",
    "so that customers reach their goals",
    "to keep leadership informed",
    "within {days} days of kickoff",
    "before the quarterly business review",
    "to reduce churn risk",
    "for at least {accounts} accounts per quarter",
    "to drive product adoption",
    "in line with the team playbook",
    "to unblock customers quickly",
    "during weekly team meetings",
    "across the whole book of business",
    "at least {times} times per quarter",
    "to improve the customer experience",
    "using the CRM and shared boards",
    "ahead of renewal conversations",
    "for the strategic accounts in the portfolio",
]

# where or with whom: the third phrase of a statement
CONTEXTS: list[str] = [
    "with the account executive",
    "in the CRM",
    "for new customers",
    "in weekly syncs",
    "with product managers",
    "for the renewal cohort",
    "across time zones",
    "in the onboarding phase",
    "with the support desk",
    "for high-risk accounts",
    "in the shared workspace",
    "with finance and legal",
    "during business reviews",
    "in every region",
    "with marketing",
    "after each release",
    "for mid-market customers",
]

# number placeholders and the values a level progression steps through
NUMBERS: dict[str, list[int]] = {"days": [14, 30, 45, 60, 90], "accounts": [5, 10, 20, 40], "times": [2, 3, 4, 6]}
ADJECTIVES = ["basic", "intermediate", "advanced"]

# key -> (names companies give it, description, 17 objects)
COMPETENCIES: dict[str, tuple[list[str], str, list[str]]] = {
    "ownership": (
        ["Ownership", "Accountability", "Ownership and drive"],
        "Takes full ownership of the book of business and the outcomes of every account.",
        [
            "renewal risks across the book of business",
            "account health scores",
            "open escalations with the support team",
            "the success plan of each account",
            "onboarding milestones for new customers",
            "handoffs between sales and customer success",
            "the account portfolio board",
            "action items from customer calls",
            "churn signals in {adj} usage data",
            "the renewal forecast",
            "commitments made to customers",
            "internal processes such as call logging and account plans",
            "risks that block adoption",
            "expansion opportunities in existing accounts",
            "the {days}-day success plan",
            "priorities for the week based on the prioritization score",
            "customer requests until they are resolved",
        ],
    ),
    "communication": (
        ["Communication", "Communication skills", "Communicating with impact"],
        "Is clear, concise and confident with customers and colleagues, in writing and in meetings.",
        [
            "expectations with customers about the scope of the partnership",
            "updates to internal stakeholders",
            "metrics in a way that shows the value received",
            "the agenda of business reviews",
            "recaps after every customer call",
            "bad news to customers early",
            "product changes to affected customers",
            "written answers in the team channel",
            "the story behind the account health",
            "feature request status to customers",
            "office hours content in a clear and concise manner",
            "executive summaries for leadership",
            "talking points for difficult conversations",
            "release notes in plain language",
            "call notes in the CRM",
            "a monthly newsletter for {accounts} key accounts",
            "questions from customers with confidence",
        ],
    ),
    "teamwork": (
        ["Teamwork and Collaboration", "Collaboration", "Teamwork"],
        "Acts as a great team player and builds strong relationships with peers across departments.",
        [
            "best practices with the team",
            "feedback during peer call reviews",
            "brainstorming sessions with peers",
            "team initiatives led by other members",
            "knowledge in the team channel",
            "cross-team projects with sales and support",
            "onboarding of new team members",
            "shared templates and playbooks",
            "coverage for teammates on leave",
            "lessons learned from lost accounts",
            "joint account plans with account executives",
            "the team wiki",
            "requests from the product team",
            "retrospectives after large launches",
            "the weekly team stand-up",
            "introductions between customers and specialists",
            "guild work with other departments",
        ],
    ),
    "product": (
        ["Product Knowledge", "Product expertise", "Product and platform"],
        "Builds a deep knowledge of the product through self-study, testing and sessions with the team.",
        [
            "{adj} workflows and dashboards for common use cases",
            "{adj} product questions from customers",
            "new features before they launch",
            "the product roadmap",
            "integrations with the tools customers already use",
            "customer goals with product features",
            "automations that save customers time",
            "product feedback for the product team",
            "demo boards for each segment",
            "bugs with clear reproduction steps",
            "{adj} certifications in the platform",
            "use cases from other industries",
            "templates for recurring customer needs",
            "the limits of the platform",
            "sandbox accounts for testing",
            "permission and security settings",
            "the help center articles",
        ],
    ),
    "impact": (
        ["Impact", "Business impact", "Customer impact"],
        "Empowers customers to reach measurable outcomes and grows the value of every account.",
        [
            "adoption of core features",
            "measurable outcomes for customers",
            "high-value workflows that move the needle on adoption",
            "the number of active users",
            "customer goals within the {days}-day success plan",
            "expansion revenue",
            "net retention of the portfolio",
            "time to value for new accounts",
            "upsell opportunities with the sales team",
            "case studies with successful customers",
            "references and reviews from happy customers",
            "the return on investment of the platform",
            "seat utilization in {accounts} accounts",
            "renewal rates in the segment",
            "executive sponsorship in strategic accounts",
            "customer health across the portfolio",
            "wins with the wider organization",
        ],
    ),
    "relationships": (
        ["Relationships", "Relationship building", "Customer relationships"],
        "Builds trusted, multi-threaded relationships with customers at every level.",
        [
            "trusted relationships with champions",
            "contacts at the executive level",
            "a network of champions in each account",
            "regular touchpoints with decision makers",
            "relationships with new stakeholders after reorganizations",
            "the voice of the customer inside the company",
            "rapport with customers during onboarding",
            "multi-threaded relationships in large accounts",
            "customer advisory board invitations",
            "communities of power users",
            "partnerships with customer admins",
            "trust with leadership and team members",
            "relationships with partners and resellers",
            "the internal org chart of each customer",
            "follow-up meetings with sponsors",
            "introductions to peers at other customers",
            "customer events and user groups",
        ],
    ),
    "data": (
        ["Data driven", "Data and insights", "Analytical thinking"],
        "Uses data to understand accounts, spot risks early and decide where to spend time.",
        [
            "{adj} data about account usage",
            "reports on portfolio health",
            "trends in support tickets",
            "cohort analysis of churned accounts",
            "the accuracy of CRM records",
            "leading indicators of churn",
            "survey results from customers",
            "dashboards for the team",
            "the health score model",
            "segmentation of the portfolio",
            "usage benchmarks by segment",
            "data quality issues in the CRM",
            "forecasts of renewals",
            "experiments on outreach campaigns",
            "the results of {times} experiments",
            "insights from product analytics",
            "KPIs for the quarterly business review",
        ],
    ),
    "coaching": (
        ["Coach and develop", "People development", "Coaching"],
        "Grows every member of the team through coaching, feedback and clear development plans.",
        [
            "one-on-ones with direct reports",
            "development plans for each team member",
            "feedback on call recordings",
            "career conversations with the team",
            "mentoring for new hires",
            "strengths and growth areas of each report",
            "stretch assignments for high performers",
            "performance reviews",
            "shadowing sessions with senior peers",
            "training on difficult conversations",
            "goals for each quarter with every report",
            "peer coaching circles",
            "recognition of great work",
            "{adj} enablement sessions",
            "promotion cases for the team",
            "underperformance with clear plans",
            "learning budgets for the team",
        ],
    ),
    "management": (
        ["Team management", "Leading the team", "Management"],
        "Runs a healthy, well-staffed team with clear priorities and a steady operating rhythm.",
        [
            "hiring for open roles",
            "capacity planning for the team",
            "the allocation of the book of business",
            "team targets and quotas",
            "escalations from the team",
            "processes that scale the team",
            "the weekly priorities of the team",
            "headcount requests",
            "cross-functional planning with sales leadership",
            "team rituals and meetings",
            "the team budget",
            "territory and segment design",
            "the operating rhythm of the team",
            "tooling for the team",
            "team health surveys",
            "a ratio of {accounts} accounts per team member",
            "onboarding programs for the team",
        ],
    ),
}
IC_COMPETENCIES = ["ownership", "communication", "teamwork", "product", "impact", "relationships", "data"]
MANAGER_COMPETENCIES = ["coaching", "management", "ownership", "communication"]
COMPETENCY_KEYS = tuple(COMPETENCIES)
COMPETENCY_INDEX = {key: k for k, key in enumerate(COMPETENCY_KEYS)}

# (short name used in titles, name as the intro writes it, prefix of management titles)
TRACKS: list[tuple[str, str, str]] = [
    ("Scale CSM", "Scale Customer Success Manager (CSM)", "CS"),
    ("High Touch CSM", "High Touch Customer Success Manager (CSM)", "CS"),
    ("Enterprise CSM", "Enterprise Customer Success Manager (CSM)", "CS"),
    ("Onboarding Specialist", "Onboarding Specialist", "Onboarding"),
    ("Account Manager", "Account Manager", "Account Management"),
    ("Support Engineer", "Support Engineer", "Support"),
    ("Solutions Consultant", "Solutions Consultant", "Solutions"),
    ("PSM", "Partner Success Manager (PSM)", "Partner Success"),
]
TRACKS_PER_COMPANY = 3
IC_LEVELS = ["Associate {t}", "{t}", "Senior {t}", "Principal {t}", "Staff {t}", "Distinguished {t}"]
MANAGER_LEVELS = ["{m} Team Lead", "{m} Manager", "Director of {m}"]

_NAME_A = [
    "North",
    "Bright",
    "Blue",
    "Silver",
    "Cedar",
    "Iron",
    "Swift",
    "Clear",
    "Stone",
    "Green",
    "Red",
    "Sun",
    "Moon",
    "Star",
    "Wave",
    "River",
    "Lake",
    "Pine",
    "Oak",
    "Maple",
    "Summit",
    "Harbor",
    "Falcon",
    "Copper",
]
_NAME_B = [
    "wind",
    "loop",
    "field",
    "stack",
    "works",
    "path",
    "point",
    "gate",
    "line",
    "forge",
    "leaf",
    "bridge",
    "peak",
    "craft",
    "grid",
    "ridge",
    "light",
    "spring",
    "vale",
    "mark",
]
_NAME_C = ["", " Labs", " Systems", " Software", " Cloud", " Analytics", " Health", " Logistics"]

# how ladders put a subject or a modal before the verb (seed: "The CSM will follow ..."); the verb then
# takes its base form
SUBJECTS = ["The CSM will", "Will", "Is able to", "CSM will"]
# words a company writes differently; the last pair is one the matcher's synonym table does not know
SYNONYMS: list[tuple[str, str]] = [
    ("customers", "clients"),
    ("customer", "client"),
    ("peers", "colleagues"),
    ("using", "leveraging"),
    ("quickly", "fast"),
]
_PLACEHOLDER = re.compile(r"\{(days|accounts|times|adj)\}")


@dataclass(frozen=True)
class Base:
    """What a behavior says before any company writes it: competency k, verb a, object b, context c."""

    k: int
    a: int
    b: int
    c: int

    @property
    def competency(self) -> str:
        return COMPETENCY_KEYS[self.k]

    @property
    def purpose(self) -> str:
        return PURPOSES[(self.a + self.b + self.c + 7 * self.k) % Q]

    @property
    def object(self) -> str:
        return COMPETENCIES[self.competency][2][self.b]

    def slots(self) -> list[str]:
        """Placeholders in object then purpose order: each is a level the statement can progress on."""
        return _slots(self.k, self.a, self.b, self.c)

    @property
    def id(self) -> str:
        """Readable and unique: `"ownership-031205"` (verb 3, object 12, context 5)."""
        return f"{self.competency}-{self.a:02d}{self.b:02d}{self.c:02d}"


@functools.cache
def _slots(k: int, a: int, b: int, c: int) -> list[str]:
    base = Base(k, a, b, c)
    return _PLACEHOLDER.findall(base.object) + _PLACEHOLDER.findall(base.purpose)


@dataclass(frozen=True)
class Variant:
    """A base at one proficiency: placeholder values and whether it 'begins to'. Defines the truth id."""

    base: Base
    values: tuple[int, ...]  # per placeholder: index into NUMBERS[...] or ADJECTIVES
    begins: bool = False

    @property
    def truth_id(self) -> str:
        """`"ownership-031205"` + placeholder values + `b` for 'begins to': `"ownership-031205.1.2b"`."""
        return self.base.id + "".join(f".{v}" for v in self.values) + ("b" if self.begins else "")

    def progress(self) -> Variant | None:
        """The next level's version of this statement, or None when it cannot grow."""
        if self.begins:
            return Variant(self.base, self.values, False)
        for i, (slot, v) in enumerate(zip(self.base.slots(), self.values, strict=False)):
            top = len(ADJECTIVES if slot == "adj" else NUMBERS[slot]) - 1
            if v < top:
                return Variant(self.base, self.values[:i] + (v + 1,) + self.values[i + 1 :], False)
        return None


@dataclass(frozen=True)
class Style:
    """How one company writes bullets (the surface edits that keep the meaning)."""

    period: bool
    comma: bool
    subject: str | None
    subject_share: float
    adverb_last_share: float
    synonyms: tuple[tuple[str, str], ...]
    html: bool


@dataclass(frozen=True)
class SynthBehavior:
    text: str
    truth_id: str
    base_id: str
    edits: tuple[str, ...]


@dataclass
class SynthCompetency:
    name: str
    key: str
    description: str
    behaviors: list[SynthBehavior] = field(default_factory=list)


@dataclass
class SynthRole:
    title: str
    path: str
    defined: bool
    summary: str
    competencies: list[SynthCompetency] = field(default_factory=list)


@dataclass
class SynthDoc:
    index: int
    company: str
    short: str  # the track's short name, used in role titles
    track: str  # as build will name it: company + short track name
    track_written: str  # as the intro writes it (may spell out an abbreviation)
    html: bool
    competency_names: list[str]
    roles: list[SynthRole]

    @property
    def file(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.company} {self.short}".lower()).strip("-")
        return f"{self.index:06d}_{slug}.{'html' if self.html else 'txt'}"

    def behavior_count(self) -> int:
        return sum(len(c.behaviors) for r in self.roles for c in r.competencies)


def company_name(c: int) -> str:
    """Company `c` (0, 1, ...): a unique, pronounceable name; consecutive companies look unrelated."""
    n = len(_NAME_A) * len(_NAME_B) * len(_NAME_C)
    x = (c * 2654435761) % n if c < n else c % n  # a stride coprime with n: a permutation of 0..n-1
    a, rest = x % len(_NAME_A), x // len(_NAME_A)
    b, cc = rest % len(_NAME_B), rest // len(_NAME_B)
    name = _NAME_A[a] + _NAME_B[b] + _NAME_C[cc]
    return name if c < n else f"{name} {c // n + 1}"


def _style(rng: random.Random) -> Style:
    return Style(
        period=rng.random() < 0.5,
        comma=rng.random() < 0.3,
        subject=rng.choice(SUBJECTS) if rng.random() < 0.4 else None,
        subject_share=rng.choice([0.3, 0.6, 1.0]),
        adverb_last_share=rng.choice([0.0, 0.0, 0.5, 1.0]),
        synonyms=tuple(s for s in SYNONYMS if rng.random() < 0.3),
        html=rng.random() < 0.4,
    )


def _fill(template: str, slots: list[str], values: tuple[int, ...], start: int) -> tuple[str, int]:
    """Placeholders of `template` replaced by `values[start:]`; returns the text and the next index."""
    parts = _PLACEHOLDER.split(template)  # text, slot, text, slot, ..., text
    out, i = [parts[0]], start
    for slot, tail in zip(parts[1::2], parts[2::2], strict=False):
        out.append(ADJECTIVES[values[i]] if slot == "adj" else str(NUMBERS[slot][values[i]]))
        out.append(tail)
        i += 1
    return "".join(out), i


def canonical_text(variant: Variant) -> str:
    """The statement with no house style: `"Proactively reviews account health scores to protect renewals"`."""
    return write(variant, Style(False, False, None, 0.0, 0.0, (), False), random.Random(0))[0]


def write(variant: Variant, style: Style, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """One company's wording of a statement, and the surface edits it applied."""
    base = variant.base
    adverb, verb3, verb = VERBS[base.a]
    slots = base.slots()
    obj, used = _fill(base.object, slots, variant.values, 0)
    purpose, _ = _fill(base.purpose, slots, variant.values, used)
    edits: list[str] = []
    adverb_last = bool(adverb) and rng.random() < style.adverb_last_share
    if adverb_last:
        edits.append("order")
    subject = style.subject if style.subject and rng.random() < style.subject_share else None
    before = adverb.lower() + " " if adverb and not adverb_last else ""
    if variant.begins:
        head = f"{'begin' if subject else 'begins'} to {before}{verb}"
    else:
        head = f"{before}{verb if subject else verb3}"
    context = CONTEXTS[base.c]
    text = f"{head} {obj} {context}{' ' + adverb.lower() if adverb_last else ''}{',' if style.comma else ''} {purpose}"
    if style.comma:
        edits.append("punctuation")
    for word, synonym in style.synonyms:
        new = re.sub(rf"\b{word}\b", synonym, text)
        if new != text:
            text = new
            edits.append("synonym")
    if subject:
        text = f"{subject} {text}"
        edits.append("subject")
    else:
        text = text[0].upper() + text[1:]
    if style.period:
        text += "."
        edits.append("punctuation")
    return text, tuple(sorted(set(edits)))


def _pick_bases(rng: random.Random, k: int, n: int) -> list[Base]:
    """n distinct bases of competency k (the purpose follows from the code), popular ones more often."""
    cells: dict[int, None] = {}
    while len(cells) < n:
        rank = int(Q**3 * rng.random() ** 2)
        cells[(rank * _SPREAD) % Q**3] = None
    return [Base(k, cell // (Q * Q), cell // Q % Q, cell % Q) for cell in cells]


def _start_variant(base: Base, rng: random.Random, level: int) -> Variant:
    values = tuple(
        min(level // 2, (len(ADJECTIVES) if s == "adj" else len(NUMBERS[s])) - 1)
        if rng.random() < 0.5
        else rng.randrange(len(ADJECTIVES) if s == "adj" else len(NUMBERS[s]))
        for s in base.slots()
    )
    return Variant(base, values, begins=level == 0 and rng.random() < 0.35)


def generate_document(index: int, seed: int = 0) -> SynthDoc:
    """Document `index` of the corpus of `seed`: one track of one company, as structured data."""
    if index < 0:
        raise InputError(f"document index must be >= 0, got {index}")
    company_no, slot = divmod(index, TRACKS_PER_COMPANY)
    crng = random.Random(f"{seed}:company:{company_no}")
    company = company_name(company_no)
    style = _style(crng)
    tracks = crng.sample(range(len(TRACKS)), TRACKS_PER_COMPANY)
    names = {key: crng.choice(COMPETENCIES[key][0]) for key in COMPETENCIES}
    # the company's own pool per competency, shared by its tracks: repeats across tracks are exact
    pool = {key: _pick_bases(crng, COMPETENCY_INDEX[key], 10) for key in COMPETENCIES}

    rng = random.Random(f"{seed}:doc:{index}")
    short, written, manager = TRACKS[tracks[slot]]
    ic_keys = sorted(rng.sample(IC_COMPETENCIES, rng.randint(4, 6)), key=IC_COMPETENCIES.index)
    n_ic = rng.randint(3, 5)
    n_ic_na = rng.randint(0, 2)
    n_mgr = rng.randint(0, 2)
    n_mgr_na = rng.randint(0, 1)
    mgr_keys = sorted(rng.sample(MANAGER_COMPETENCIES, 3), key=MANAGER_COMPETENCIES.index)
    comp_order = ic_keys + [k for k in mgr_keys if k not in ic_keys] if n_mgr else ic_keys

    roles: list[SynthRole] = []
    titles_ic = [t.format(t=short) for t in IC_LEVELS[: n_ic + n_ic_na]]
    titles_mgr = [t.format(m=manager) for t in MANAGER_LEVELS[: n_mgr + n_mgr_na]]

    def behaviors_for(
        keys: list[str], level: int, previous: dict[str, list[Variant]]
    ) -> tuple[list[SynthCompetency], dict[str, list[Variant]]]:
        comps, now = [], {}
        for key in keys:
            chosen: list[Variant] = []
            for v in previous.get(key, []):
                r = rng.random()
                if r < 0.45:
                    chosen.append(v)  # repeated word for word at the next level
                elif r < 0.65 and (p := v.progress()) is not None:
                    chosen.append(p)  # a progression: must stay a separate behavior
            fresh = [b for b in pool[key] if all(b != v.base for v in chosen)]
            rng.shuffle(fresh)
            while len(chosen) < rng.randint(3, 6) and fresh:
                chosen.append(_start_variant(fresh.pop(), rng, level))
            now[key] = chosen
            comp = SynthCompetency(names[key], key, COMPETENCIES[key][1])
            for v in chosen:
                text, edits = write(v, style, rng)
                comp.behaviors.append(SynthBehavior(text, v.truth_id, v.base.id, edits))
            comps.append(comp)
        return comps, now

    previous: dict[str, list[Variant]] = {}
    for level, title in enumerate(titles_ic):
        if level < n_ic:
            comps, previous = behaviors_for(ic_keys, level, previous)
            summary = (
                f"The role of the {title} at {company}, level {level + 1} of the {short} path, who manages "
                f"a book of business with growing autonomy and scope."
            )
            roles.append(SynthRole(title, "ic", True, summary, comps))
        else:
            roles.append(
                SynthRole(title, "ic", False, "Not defined yet.", [SynthCompetency(names[k], k, "") for k in ic_keys])
            )
    previous = {}
    for level, title in enumerate(titles_mgr):
        if level < n_mgr:
            comps, previous = behaviors_for(mgr_keys, level + 2, previous)
            summary = f"The {title} leads a team of the {short} path at {company} and owns its results."
            roles.append(SynthRole(title, "management", True, summary, comps))
        else:
            roles.append(
                SynthRole(
                    title,
                    "management",
                    False,
                    "This role is not yet available.",
                    [SynthCompetency(names[k], k, "") for k in mgr_keys],
                )
            )
    return SynthDoc(
        index=index,
        company=company,
        short=short,
        track=f"{company} {short}",
        track_written=f"{company} {written}",
        html=style.html,
        competency_names=[names[k] for k in comp_order],
        roles=roles,
    )


# --------------------------------------------------------------------------------------------- render

Placed = tuple[int, SynthRole, SynthCompetency, SynthBehavior]  # (1-based line, role, competency, behavior)


def _menu(doc: SynthDoc) -> list[str]:
    ic = [r for r in doc.roles if r.path == "ic"]
    mgr = [r for r in doc.roles if r.path == "management"]
    title = lambda r: r.title if r.defined else f"{r.title} (N/A)"  # noqa: E731
    lines = [title(r) for r in ic if r.defined] + ["IC Path"] + [title(r) for r in ic if not r.defined]
    if mgr:
        lines += ["Management Path"] + [title(r) for r in mgr]
    return lines


def render_text(doc: SynthDoc) -> tuple[str, list[Placed]]:
    """The seed text layout: intro, role menu with path markers, competency menu, role sections."""
    lines: list[str] = []
    placed: list[Placed] = []
    add = lines.append
    add(f"{doc.company} Career Paths")
    add("")
    add(
        f"This page contains the different roles within the {doc.track_written} path. "
        "Choose the relevant role you want to learn about."
    )
    add("")
    add("Choose the roles")
    add("")
    lines.extend(_menu(doc))
    add("")
    add("Choose the competencies")
    add("")
    add("All")
    lines.extend(doc.competency_names)
    for role in doc.roles:
        add("")
        add(role.title if role.defined else f"{role.title} (N/A)")
        add("")
        add("Professional Path")
        add("")
        add(role.summary)
        add("")
        if not role.defined:
            lines.extend(c.name for c in role.competencies)
            continue
        for comp in role.competencies:
            add(comp.name)
            add("")
            add(comp.description)
            add("")
            add("Behaviors")
            add("")
            for b in comp.behaviors:
                add(f"  • {b.text}")
                placed.append((len(lines), role, comp, b))
    return "\n".join(lines) + "\n", placed


def render_html(doc: SynthDoc) -> tuple[str, list[Placed]]:
    """A saved career page: `<ul>` menus, `h2` per role, `h3` per competency, one `<li>` per line."""
    lines: list[str] = []
    placed: list[Placed] = []
    add = lines.append
    add("<!DOCTYPE html>")
    add('<html lang="en">')
    add(f'<head><meta charset="utf-8"><title>{escape(doc.company)} Career Paths</title></head>')
    add("<body>")
    add('  <nav><ul><li><a href="/">Home</a></li><li><a href="/careers">Careers</a></li></ul></nav>')
    add("  <main>")
    add(f"    <h1>{escape(doc.company)} Career Paths</h1>")
    add(
        f"    <p>This page contains the different roles within the {escape(doc.track_written)} path. "
        "Choose the relevant role you want to learn about.</p>"
    )
    add("    <h3>Choose the roles</h3>")
    add('    <ul class="role-menu">')
    lines.extend(f"      <li>{escape(x)}</li>" for x in _menu(doc))
    add("    </ul>")
    add("    <h3>Choose the competencies</h3>")
    add('    <ul class="competency-menu">')
    lines.extend(f"      <li>{escape(x)}</li>" for x in ["All", *doc.competency_names])
    add("    </ul>")
    for role in doc.roles:
        add('    <section class="role">')
        add(f"      <h2>{escape(role.title if role.defined else role.title + ' (N/A)')}</h2>")
        add('      <div class="tab">Professional Path</div>')
        add(f"      <p>{escape(role.summary)}</p>")
        for comp in role.competencies:
            add(f"      <h3>{escape(comp.name)}</h3>")
            if not role.defined:
                continue
            add(f"      <p>{escape(comp.description)}</p>")
            add("      <h4>Behaviors</h4>")
            add("      <ul>")
            for b in comp.behaviors:
                add(f"        <li>{escape(b.text, quote=False)}</li>")
                placed.append((len(lines), role, comp, b))
            add("      </ul>")
        add("    </section>")
    add("  </main>")
    add("</body>")
    add("</html>")
    return "\n".join(lines) + "\n", placed


def render(doc: SynthDoc) -> tuple[str, list[Placed]]:
    return render_html(doc) if doc.html else render_text(doc)


# ------------------------------------------------------------------------------------------ streaming


@dataclass(frozen=True)
class SynthOccurrence:
    """One written bullet, for benchmarks that skip the files: what dedupe sees, and the truth."""

    doc: int
    file: str
    track: str
    role: str
    level: int
    competency: str
    text: str
    truth_id: str


def iter_occurrences(n: int, seed: int = 0) -> Iterator[SynthOccurrence]:
    """The first `n` bullets of the corpus of `seed`, in document order (documents 0, 1, 2, ...)."""
    if n < 0:
        raise InputError(f"number of occurrences must be >= 0, got {n}")
    emitted, index = 0, 0
    while emitted < n:
        doc = generate_document(index, seed)
        file = doc.file
        for level, role in enumerate(doc.roles):
            for comp in role.competencies:
                for b in comp.behaviors:
                    yield SynthOccurrence(index, file, doc.track, role.title, level, comp.name, b.text, b.truth_id)
                    emitted += 1
                    if emitted == n:
                        return
        index += 1


# ----------------------------------------------------------------------------------------------- files

TRUTH_COLUMNS = [
    "source_file",
    "source_ref",
    "track",
    "role",
    "competency",
    "behavior_text",
    "truth_id",
    "base_id",
    "edits",
]


@dataclass(frozen=True)
class SynthSummary:
    documents: int
    html_documents: int
    occurrences: int
    distinct_texts: int
    truth_behaviors: int
    raw_dir: Path
    truth_file: Path


def _write(path: Path, data: bytes) -> None:
    # temp file + rename: an interrupted synth never leaves a half document for `ladder run` to reject
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_corpus(out_dir: Path, docs: int, seed: int = 0) -> SynthSummary:
    """Write `docs` documents to `out_dir/raw/` and their truth to `out_dir/truth.csv`."""
    if docs < 1:
        raise InputError(f"--docs must be at least 1, got {docs}")
    out_dir = Path(out_dir)
    raw = out_dir / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    truth = io.StringIO()
    writer = csv.writer(truth, lineterminator="\n")
    writer.writerow(TRUTH_COLUMNS)
    html = occurrences = 0
    texts: set[str] = set()
    truths: set[str] = set()
    for i in range(docs):
        doc = generate_document(i, seed)
        page, placed = render(doc)
        _write(raw / doc.file, page.encode("utf-8"))
        html += doc.html
        for line, role, comp, b in placed:
            writer.writerow(
                [
                    doc.file,
                    f"L{line}",
                    doc.track,
                    role.title,
                    comp.name,
                    b.text,
                    b.truth_id,
                    b.base_id,
                    " ".join(b.edits),
                ]
            )
            texts.add(b.text)
            truths.add(b.truth_id)
            occurrences += 1
    _write(out_dir / "truth.csv", truth.getvalue().encode("utf-8"))
    return SynthSummary(docs, html, occurrences, len(texts), len(truths), raw, out_dir / "truth.csv")


# ------------------------------------------------------------------------------- adversarial corpora
# Inputs a user with unlucky data would feed the pipeline, for the bench's adversarial rows (`ladder bench
# --adversarial`): each is a deterministic function of (n, seed), and none is meant to look like a ladder.

_TEMPLATE_SLOTS = (
    ("Reviews", "Audits", "Checks", "Reviews", "Revises", "Reviews"),
    ("the", "all", "each", "the", "their", "our"),
    ("onboarding", "renewal", "adoption", "escalation", "expansion", "support", "training", "pricing"),
    ("plans", "plan", "playbooks", "plans", "roadmaps"),
    ("with", "for", "alongside", "with"),
    ("customer", "client", "partner", "account", "customer"),
    ("stakeholders", "stakeholder", "sponsors", "stakeholders"),
)
_TEMPLATE_TAILS = ("", "", "carefully", "every quarter", "on time", "as needed", "in detail")
_COMMON_WORDS = [
    "make",
    "time",
    "work",
    "people",
    "team",
    "good",
    "new",
    "help",
    "get",
    "take",
    "know",
    "see",
    "come",
    "think",
    "look",
    "want",
    "give",
    "use",
    "find",
    "tell",
    "ask",
    "feel",
    "try",
    "leave",
    "call",
    "keep",
    "need",
    "day",
    "way",
    "thing",
    "part",
    "place",
    "case",
    "point",
    "group",
    "problem",
    "fact",
    "hand",
    "week",
    "company",
    "system",
    "program",
    "question",
    "number",
    "plan",
    "change",
    "lead",
    "run",
    "move",
    "play",
    "show",
    "hear",
    "talk",
    "turn",
    "start",
    "follow",
    "stop",
    "create",
    "speak",
    "read",
    "allow",
    "add",
    "spend",
    "grow",
    "open",
    "walk",
    "win",
    "offer",
    "remember",
    "love",
    "consider",
    "appear",
    "buy",
    "wait",
    "serve",
    "die",
    "send",
    "expect",
    "build",
    "stay",
    "fall",
    "cut",
    "reach",
    "kill",
    "remain",
    "suggest",
    "raise",
    "pass",
    "sell",
    "require",
    "report",
    "decide",
    "pull",
]
_FUNCTION_WORDS = ("the", "of", "and", "to", "in", "for", "with", "on", "at", "by", "from", "as", "into")
_BUSINESS_WORDS = [
    "account",
    "adoption",
    "agenda",
    "alignment",
    "analysis",
    "architecture",
    "audit",
    "backlog",
    "benchmark",
    "billing",
    "budget",
    "campaign",
    "capacity",
    "certification",
    "churn",
    "coaching",
    "compliance",
    "contract",
    "cost",
    "coverage",
    "dashboard",
    "deadline",
    "delivery",
    "demo",
    "deployment",
    "design",
    "documentation",
    "escalation",
    "estimate",
    "event",
    "feedback",
    "forecast",
    "funnel",
    "governance",
    "handoff",
    "hiring",
    "incident",
    "insight",
    "integration",
    "interview",
    "invoice",
    "launch",
    "license",
    "meeting",
    "metric",
    "migration",
    "milestone",
    "onboarding",
    "outage",
    "partner",
    "payment",
    "pipeline",
    "policy",
    "portfolio",
    "pricing",
    "priority",
    "process",
    "procurement",
    "product",
    "proposal",
    "prototype",
    "quota",
    "release",
    "renewal",
    "report",
    "request",
    "requirement",
    "research",
    "retention",
    "review",
    "revenue",
    "risk",
    "roadmap",
    "rollout",
    "sales",
    "schedule",
    "security",
    "segment",
    "service",
    "sponsor",
    "sprint",
    "stakeholder",
    "strategy",
    "survey",
    "target",
    "template",
    "territory",
    "testing",
    "ticket",
    "training",
    "transition",
    "upgrade",
    "usage",
    "vendor",
    "webinar",
    "workflow",
    "workshop",
    "asset",
    "baseline",
    "briefing",
    "calendar",
    "catalog",
    "charter",
    "checklist",
    "curriculum",
    "dataset",
    "diagram",
    "directory",
    "evidence",
    "framework",
    "glossary",
    "guideline",
    "handbook",
    "inventory",
    "ledger",
    "manual",
    "newsletter",
    "notebook",
    "objective",
    "outline",
]
_BUSINESS_VERBS = [
    "approve",
    "automate",
    "build",
    "clarify",
    "coordinate",
    "define",
    "draft",
    "evaluate",
    "facilitate",
    "track",
    "improve",
    "lead",
    "maintain",
    "measure",
    "monitor",
    "negotiate",
    "organize",
    "plan",
    "prepare",
    "present",
    "publish",
    "reduce",
    "refine",
    "resolve",
    "run",
    "share",
    "simplify",
    "standardize",
    "summarize",
    "support",
    "update",
    "validate",
]


def _typo(word: str, rng: random.Random) -> str:
    """One letter dropped or two neighbours swapped (never the first letter)."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def near_duplicate_texts(n: int, seed: int = 0) -> list[str]:
    """`n` statements from one template: slot words, a number, a tail, and a typo in one word drawn at random,
    so tens of thousands of distinct forms share their content words but for one (the number or the typo).
    `near_duplicate_texts(2, 0)` -> two such statements, the same list for the same (n, seed)."""
    if n < 0:
        raise InputError(f"number of statements must be >= 0, got {n}")
    rng = random.Random(f"near-duplicates:{seed}")
    out = []
    for _ in range(n):
        words = [rng.choice(slot) for slot in _TEMPLATE_SLOTS]
        words.insert(4, str(rng.randint(1, 500)))
        if rng.random() < 0.7:
            x = rng.randrange(len(words))
            words[x] = _typo(words[x], rng)
        tail = rng.choice(_TEMPLATE_TAILS)
        out.append(" ".join(words) + (f" {tail}" if tail else "") + rng.choice(("", ".")))
    return out


def common_word_texts(n: int, seed: int = 0) -> list[str]:
    """`n` statements of 6-14 words drawn from about a hundred of the most common English verbs and nouns,
    with function words between them: every content word is shared by thousands of statements."""
    if n < 0:
        raise InputError(f"number of statements must be >= 0, got {n}")
    rng = random.Random(f"common-words:{seed}")
    out = []
    for _ in range(n):
        words: list[str] = []
        for _ in range(rng.randint(4, 9)):
            words.append(rng.choice(_COMMON_WORDS))
            if rng.random() < 0.5:
                words.append(rng.choice(_FUNCTION_WORDS))
        out.append(" ".join(words).capitalize())
    return out


@dataclass(frozen=True)
class CompetencyBullet:
    """One bullet of the huge-competency corpus: its level (0-based) and text, and the planted progression it
    belongs to (`chain`, -1 for an unrelated bullet)."""

    level: int
    text: str
    chain: int


def huge_competency(n: int, seed: int = 0, levels: int = 5, chains: int = 200) -> list[CompetencyBullet]:
    """`n` bullets of one competency over `levels` levels: `chains` planted progressions (the same statement
    at two consecutive levels with "basic" raised to "advanced": one progression link each), the rest
    unrelated statements, each used once.

    A statement is a verb and four nouns picked by a code over a prime `p` (word k of statement (a, b, c)
    is number `a + k*b + k*k*c mod p` of slot k's list): two statements share at most two of their five
    words and have at least three of their own each, so no two are related (`progression.related`). The
    seed shuffles which statements are used and at which level. What the bench expects: exactly `chains`
    progression links, all between the planted pairs.
    """
    p = 29  # p**3 = 24,389 statements; the verb list and four slices of the noun list each hold p words
    if n < 2 * chains or levels < 2 or n - chains > p**3:
        raise InputError(
            f"huge competency: need 2 * chains <= n <= {p**3 + chains} and levels >= 2, got n={n}, chains={chains}"
        )
    rng = random.Random(f"huge-competency:{seed}")
    slots = [_BUSINESS_VERBS[:p]] + [_BUSINESS_WORDS[k * p : (k + 1) * p] for k in range(4)]
    codes = rng.sample(range(p**3), n - chains)

    def statement(code: int) -> list[str]:
        a, b, c = code % p, code // p % p, code // p // p
        return [slots[k][(a + k * b + k * k * c) % p] for k in range(5)]

    out: list[CompetencyBullet] = []
    for x, code in enumerate(codes[:chains]):
        verb, *nouns = statement(code)
        level = x % (levels - 1)
        out.append(CompetencyBullet(level, f"{verb.capitalize()} basic {' '.join(nouns)}", x))
        out.append(CompetencyBullet(level + 1, f"{verb.capitalize()} advanced {' '.join(nouns)}", x))
    for x, code in enumerate(codes[chains:]):
        out.append(CompetencyBullet(x % levels, " ".join(statement(code)).capitalize(), -1))
    return out


def competency_occurrences(bullets: list[CompetencyBullet]) -> list[Occurrence]:
    """The bullets of `huge_competency` as occurrences of one document, track and competency, bullet x at line
    x + 1 of its level's role (`IC1`, `IC2`, ...): what `group_behaviors` takes."""
    return [
        Occurrence(
            doc_id="doc_huge",
            source_file="huge.md",
            source_ref=f"L{x + 1}",
            track="Huge",
            role=f"Level {b.level + 1}",
            role_id=f"role_huge_{b.level + 1}",
            path="ic",
            level=f"IC{b.level + 1}",
            competency="Huge",
            competency_id="comp_huge",
            text=b.text,
        )
        for x, b in enumerate(bullets)
    ]
