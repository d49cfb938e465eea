"""Parse role write-ups: paragraphs with no headings, each role introduced by a sentence such as
"The Senior Support Engineer will …", followed by one paragraph per facet (collaboration, autonomy, …).

- roles come from the introducing sentences (`prose.role_intro_patterns`); a title written with an
  abbreviation ("Senior PSM", "PS Lead") is spelled out from the titles and the track name the document
  spells out itself (PSM = Partners Success Manager, PS = Partners Success);
- every later paragraph belongs to the role introduced last and gets a facet (`prose.facet_rules`, ordered,
  first match on the lead sentence, then on the whole paragraph); its sentences become behaviors;
- years of experience, segments and account sizes come from the pipeline's entities; the management path
  from phrases such as "will lead a … team" (`prose.management_rules`), never from the word Lead alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.parse.settings import FacetRule, ProseConfig

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.errors import ParseError
from pipeline.models import Block, Document, ParsedBehavior, ParsedCompetency, ParsedDocument, ParsedRole
from pipeline.parse.career_page import collapse_abbreviation
from pipeline.parse.nlp import entities, entity_value, experience_years, get_matcher, get_nlp
from pipeline.settings import compiled

_ABBR = re.compile(r"^[A-Z][A-Z0-9&]{1,6}$")
_DEFINED_ABBR = re.compile(r"((?:[A-Z][\w&-]*\s+){1,6})\(([A-Z][A-Za-z]{1,7})\)")


@dataclass
class _Role:
    title: str
    block: Block
    paragraphs: list[tuple[Block, Doc]] = field(default_factory=list)


def _initials(words: list[str]) -> str:
    return "".join(w[0].upper() for w in words)


class _Titles:
    """Spells out abbreviated role titles from what the document spells out itself."""

    def __init__(self, cfg: ProseConfig, full_titles: list[str], track: str | None, text: str) -> None:
        self.aliases = cfg.title_aliases
        self.expansions: dict[str, str] = {}
        for m in _DEFINED_ABBR.finditer(text):  # "Technical Account Manager (TAM)" wins over guesses
            words, abbr = m.group(1).split(), m.group(2)
            letters = "".join(c for c in abbr if c.isupper())
            for start in range(len(words)):
                if _initials(words[start:]) == letters:
                    self.expansions.setdefault(abbr, " ".join(words[start:]))
                    break
        phrases = [t.split() for t in full_titles] + ([track.split()] if track else [])
        for words in sorted(phrases, key=len, reverse=True):
            for n in range(len(words), 1, -1):  # longer phrases first: PSM -> the whole title
                for i in range(len(words) - n + 1):
                    part = words[i : i + n]
                    if all(w[:1].isupper() for w in part):
                        self.expansions.setdefault(_initials(part), " ".join(part))

    def resolve(self, title: str) -> str:
        """`"Sr. PSM"` -> `"Senior Partners Success Manager"`; `"PS Lead"` -> `"Partners Success Lead"`."""
        out = []
        for word in title.split():
            word = self.aliases.get(word, word)
            out.append(self.expansions.get(word, word) if _ABBR.match(word) else word)
        return " ".join(out)


def _intro_title(text: str, cfg: ProseConfig, intro_rx: list[re.Pattern[str]]) -> str | None:
    """Title a paragraph's first sentence introduces, if it ends with a role noun or is an abbreviation."""
    nouns = set(cfg.role_nouns)
    for rx in intro_rx:
        m = rx.match(text)
        if not m:
            continue
        title = m.group("title").strip()
        last = title.split()[-1]
        if last in nouns or _ABBR.match(last):
            return title
    return None


def _track_name(doc: Document, intro: list[Block], titles: list[str], config: Config, nlp: Language) -> str:
    for pattern in config.career_page.track_patterns:
        rx = re.compile(pattern, re.IGNORECASE)
        for b in intro:
            m = rx.search(b.text)
            if m:
                return collapse_abbreviation(m.group("track").strip(" .,:;\"'“”"))
    # no intro naming the path: a title without its level words and role noun ("Senior Data Analyst" -> "Data")
    nouns = set(config.prose.role_nouns)
    for title in titles:
        words = [t.text for t in nlp(title) if t.ent_type_ != "LEVEL"]
        while words and words[-1] in nouns:
            words.pop()
        if words and not any(_ABBR.match(w) for w in words):
            return " ".join(words)
    return doc.title


def _dominant_parties(doc: Doc, cfg: ProseConfig) -> str:
    internal, external = set(cfg.internal_parties), set(cfg.external_parties)
    lemmas = [t.lemma_.lower() for t in doc]
    n_int = sum(1 for lemma in lemmas if lemma in internal)
    n_ext = sum(1 for lemma in lemmas if lemma in external)
    return "internal" if n_int >= n_ext else "external"


def _rule_matches(rule: FacetRule, text: str, span_doc: Doc, para_doc: Doc, cfg: ProseConfig) -> bool:
    if rule.entity and not any(e.label_ == rule.entity for e in span_doc.ents):
        return False
    if rule.pattern and not re.search(rule.pattern, text, re.IGNORECASE):
        return False
    if rule.parties and _dominant_parties(para_doc, cfg) != rule.parties:
        return False
    return bool(rule.entity or rule.pattern)


def classify_facet(para: Doc, cfg: ProseConfig) -> str:
    """Facet of one paragraph: the first rule matching its lead sentence, else the first matching it all.

    `"Works independently with general supervision on larger projects."` -> `"Autonomy"`.
    """
    lead = next(iter(para.sents)).as_doc()
    for span_doc in (lead, para):
        for rule in cfg.facet_rules:
            if _rule_matches(rule, span_doc.text, span_doc, para, cfg):
                return rule.facet
    return cfg.default_facet


def parse_role_descriptions(doc: Document, config: Config) -> ParsedDocument:
    """Parse a role write-up into a track, its roles (years, scope, path) and facet paragraphs."""
    cfg = config.prose
    nlp = get_nlp(config)
    intro_rx = compiled(cfg.role_intro_patterns)
    blocks = [b for b in doc.blocks if b.text.strip()]
    candidates = [(i, _intro_title(b.text, cfg, intro_rx)) for i, b in enumerate(blocks)]
    spelled = [t for _, t in candidates if t and not any(_ABBR.match(w) for w in t.split())]
    first_intro = next((i for i, t in candidates if t), None)
    if first_intro is None:
        raise ParseError(
            f"{doc.file}: no role introductions found (expected sentences such as "
            f"'The <Title> will …' or 'As a <Title>, …'); is it a role write-up?"
        )
    track = _track_name(doc, blocks[:first_intro], spelled, config, nlp)
    titles = _Titles(cfg, spelled, track, doc.text)

    roles: list[_Role] = []
    by_key: dict[str, _Role] = {}
    for (i, raw_title), block in zip(candidates, blocks, strict=False):
        if i < first_intro:
            continue
        para = nlp(block.text)
        title = titles.resolve(raw_title) if raw_title else None
        if title and title.casefold() not in by_key:
            role = _Role(title=title, block=block)
            by_key[title.casefold()] = role
            roles.append(role)
            role.paragraphs.append((block, para))
            continue
        roles[-1].paragraphs.append((block, para))

    matcher = get_matcher(nlp, cfg.management_rules)
    parsed_roles: list[ParsedRole] = []
    competencies: list[ParsedCompetency] = []
    behaviors: list[ParsedBehavior] = []
    for order, role in enumerate(roles):
        summary_block, summary_doc = role.paragraphs[0]
        years: tuple[float | None, float | None] = (None, None)
        scope: list[str] = []
        management = False
        facets: dict[str, ParsedCompetency] = {}
        for n, (block, para) in enumerate(role.paragraphs):
            management = management or bool(matcher(para))
            for ent in para.ents:
                if ent.label_ in ("SEGMENT", "ACCOUNT_SIZE") and entity_value(ent) not in scope:
                    scope.append(entity_value(ent))
            if n == 0:
                continue
            exp = entities(para, "EXPERIENCE")
            if exp and years == (None, None):
                years = experience_years(exp[0].text)
            facet = classify_facet(para, cfg)
            if facet in facets:  # one competency per facet; a second paragraph adds to its description
                prev = facets[facet]
                facets[facet] = prev.model_copy(update={"description": f"{prev.description} {block.text}"})
            else:
                facets[facet] = ParsedCompetency(
                    role=role.title, name=facet, description=block.text, source_ref=block.ref
                )
            behaviors.extend(
                ParsedBehavior(role=role.title, competency=facet, text=s.text.strip(), source_ref=block.ref)
                for s in para.sents
                if s.text.strip()
            )
        competencies.extend(facets.values())
        parsed_roles.append(
            ParsedRole(
                title=role.title,
                track=track,
                path="management" if management else "ic",
                order=order,
                defined=True,
                summary=summary_block.text,
                years_min=years[0],
                years_max=years[1],
                scope=scope,
                source_ref=summary_block.ref,
            )
        )
    warnings = [f"{doc.file}: role {r.title!r} has no years of experience" for r in parsed_roles if r.years_min is None]
    return ParsedDocument(
        doc_id=doc.id,
        file=doc.file,
        kind=doc.kind,
        track=track,
        roles=parsed_roles,
        competencies=competencies,
        behaviors=behaviors,
        warnings=warnings,
    )
