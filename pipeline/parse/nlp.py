"""The one spaCy pipeline of the prose parsers, built once per process and per configuration.

`spacy.blank("en")` + sentencizer + lookup lemmatizer (spacy-lookups-data) + an EntityRuler labelling
experience ranges, account sizes, segments, tiers and level words (patterns in `config.prose`). A trained
pipeline (`prose.trained_pipeline`) is used instead of the blank one only when it is installed; its parser
and NER are left out so sentence boundaries and entities come from the same rules either way.
"""

from __future__ import annotations

import json
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline.parse.settings import ProseConfig, TokenRule

if TYPE_CHECKING:
    from pipeline.config import Config

ENTITY_LABELS = ("EXPERIENCE", "ACCOUNT_SIZE", "SEGMENT", "TIER", "LEVEL")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    )
}
_NUMBER_OR_WORD = re.compile(r"\d+(?:\.\d+)?|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


@Language.factory("lowercase_lemmas")
def _lowercase_lemmas(nlp: Language, name: str) -> _LowercaseLemmas:
    return _LowercaseLemmas(nlp)


class _LowercaseLemmas:
    """The lookup table is case-sensitive: sentence-initial 'Manages' would keep its inflection."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.table: dict | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            lookups = self.nlp.get_pipe("lemmatizer").lookups
            self.table = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else {}
        for token in doc:
            if token.lemma_ == token.text and not token.is_lower:
                lower = token.lower_
                token.lemma_ = self.table.get(lower, lower)
        return doc


def _build(settings: ProseConfig) -> Language:
    name = settings.trained_pipeline
    if name and spacy.util.is_package(name):
        nlp = spacy.load(name, exclude=["parser", "ner", "senter"])
        nlp.add_pipe("sentencizer", first=True)
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("lowercase_lemmas")
        nlp.initialize()  # loads the lookup tables; before the ruler, whose patterns initialize() would clear
    # "… ARR over $200K. Leads …": English suffix rules keep "200K." whole, so the sentence would not end
    suffixes = [*nlp.Defaults.suffixes, r"(?<=[0-9][KkMmBb])\."]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    for text in settings.tokenizer_exceptions:
        nlp.tokenizer.add_special_case(text, [{"ORTH": text}])
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(  # type: ignore[attr-defined]
        [{"label": p.label, "pattern": p.pattern, **({"id": p.id} if p.id else {})} for p in settings.entity_patterns]
    )
    return nlp


@lru_cache(maxsize=4)
def _cached(settings_json: str) -> Language:
    return _build(ProseConfig.model_validate(json.loads(settings_json)))


def _settings_key(settings: ProseConfig) -> str:
    keep = {"trained_pipeline", "tokenizer_exceptions", "entity_patterns"}
    return json.dumps(settings.model_dump(include=keep), sort_keys=True)


def get_nlp(config: Config | ProseConfig | None = None) -> Language:
    """The pipeline for `config` (defaults if None); built on first use, then reused by the process."""
    settings = config if isinstance(config, ProseConfig) else config.prose if config is not None else ProseConfig()
    return _cached(_settings_key(settings))


_MATCHERS: dict[tuple[int, str], tuple[Language, Matcher]] = {}


def get_matcher(nlp: Language, rules: list[TokenRule]) -> Matcher:
    """A Matcher over `rules` (one match id per rule, `rule<i>`), built once per pipeline and rule set."""
    key = (id(nlp), json.dumps([r.pattern for r in rules], sort_keys=True))
    hit = _MATCHERS.get(key)
    if hit is None or hit[0] is not nlp:
        matcher = Matcher(nlp.vocab)
        for i, rule in enumerate(rules):
            matcher.add(f"rule{i}", [rule.pattern])
        hit = _MATCHERS[key] = (nlp, matcher)
    return hit[1]


def experience_years(text: str) -> tuple[float | None, float | None]:
    """Years range of an EXPERIENCE entity.

    `"1+ years"` -> (1, None); `"3-4 Years of experience"` -> (3, 4); `"4–6 years"` -> (4, 6);
    `"at least 2 years"` -> (2, None); `"5 years of experience"` -> (5, 5); `"three to five years"` -> (3, 5);
    `"five-plus years"` -> (5, None).
    """
    numbers = [
        float(m.group(0)) if m.group(0)[0].isdigit() else float(_NUMBER_WORDS[m.group(0).casefold()])
        for m in _NUMBER_OR_WORD.finditer(text)
    ]
    if not numbers:
        return None, None
    if len(numbers) >= 2:
        return numbers[0], numbers[1]
    open_ended = "+" in text or re.search(r"\b(?:least|minimum|min|over|plus|or more)\b", text, re.IGNORECASE)
    return numbers[0], None if open_ended else numbers[0]


def entity_value(ent: Span) -> str:
    """Canonical value of an entity: its pattern id when it has one (`"Mid Markets"` -> `"Mid-Market"`)."""
    return ent.ent_id_ or ent.text


def entities(doc: Doc | Span, label: str) -> list[Span]:
    """Entities of one label in `doc` (or a sentence of it), in text order."""
    return [e for e in doc.ents if e.label_ == label]


def bench(raw_dir: str | Path, config: Config | None = None, repeat: int = 3) -> dict[str, float]:
    """Throughput of the pipeline over the text files of `raw_dir`: words, seconds, words per second.

    The pipeline is built before timing (it is built once per process in a run, too).
    """
    from pipeline.ingest import list_inputs  # late: ingest is a heavier import than the pipeline needs

    if config is None:
        from pipeline.config import Config  # the composed config imports this stage's settings

        config = Config()
    nlp = get_nlp(config)
    files, _ = list_inputs(Path(raw_dir), config)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    words = sum(len(t.split()) for t in texts) * repeat
    start = time.perf_counter()
    for _ in range(repeat):
        for _doc in nlp.pipe(texts):
            pass
    seconds = time.perf_counter() - start
    return {
        "documents": float(len(texts)),
        "words": float(words),
        "seconds": round(seconds, 4),
        "words_per_second": round(words / seconds, 1) if seconds else 0.0,
    }
