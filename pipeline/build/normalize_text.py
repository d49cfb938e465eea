"""Normalized forms of behavior statements, the only thing de-duplication compares.

A statement is folded step by step (the rules below, applied in order); two statements that fold to the
same form say the same thing in different spelling. The lemma table is spaCy's English lookup table
(spacy-lookups-data), read directly: a dictionary lookup per word is what spaCy's lookup lemmatizer does,
without building a pipeline, so a million statements normalize in seconds.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.build.settings import DedupeSettings
from pipeline.settings import compiled

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_POSSESSIVE = re.compile(r"(?<=\w)'s?\b")
_NON_WORD = re.compile(r"[^\w]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spaCy's English lookup lemmas: `lemma_table()["ensures"]` -> `"ensure"`."""
    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with data.open("rb") as fh:
        return json.loads(gzip.decompress(fh.read()).decode("utf-8"))


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every English word spaCy's lookup tables know (inflected forms and base forms of the WordNet index)."""
    words = set(lemma_table()) | set(lemma_table().values())
    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_index.json.gz"
    with data.open("rb") as fh:
        for group in json.loads(gzip.decompress(fh.read()).decode("utf-8")).values():
            words.update(group)
    return frozenset(words)


# British spellings whose American form the vocabulary knows take that form: "organises" -> "organizes".
_BRITISH = [
    (re.compile(r"(?<=\w{2})is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing)?$"), r"or\1"),
]


@dataclass(frozen=True, slots=True)
class Normalized:
    """A statement folded for matching."""

    form: str  # what is scored: lemmas joined by single spaces
    tokens: tuple[str, ...]  # the lemmas of `form`
    numbers: tuple[str, ...]  # numbers written in digits or words, sorted


class TextNormalizer:
    """Folds statements with one config; build once, call per distinct text."""

    def __init__(self, config: DedupeSettings) -> None:
        self.config = config
        self._prefixes = compiled(config.subject_prefixes)
        self._drop = frozenset(config.drop_words)
        self._number_words = frozenset(config.number_words)
        # The lookup table folds degree and quantity ("most" -> "much", "better" -> "well") and short words
        # ("as" -> "a", "cs" -> "c"); those carry what the guards compare, so they keep their spelling.
        keep = set(config.quantity_words) | set(config.number_words) | set(config.negation_words)
        keep |= set(config.function_words)
        keep |= {w for phrase in config.proficiency_words for w in phrase.split()}
        # Suppletive forms ("better" -> "well", "worse" -> "bad") change the word, not its inflection.
        self._lemmas = {w: lem for w, lem in lemma_table().items() if len(w) > 3 and w not in keep and lem[:1] == w[:1]}
        self._vocabulary = vocabulary()
        self._synonym = {w: group[0] for group in config.synonyms for w in group[1:]}
        self._spelling: dict[str, str] = {}
        self._folded: dict[str, str | None] = {}  # word as written -> its lemma (None: dropped); words repeat

    # Rules, in the order `analyze` applies them -----------------------------------------------------

    @staticmethod
    def fold_unicode(text: str) -> str:
        """`'Is the “go‑to” – always'` -> `'Is the "go-to" - always'` (NFKC, curly quotes and dashes to ASCII)."""
        if text.isascii():  # NFKC and the table leave ASCII as it is
            return text.strip()
        return unicodedata.normalize("NFKC", text).translate(_QUOTES).strip()

    def strip_subject(self, text: str) -> str:
        """`"The CSM will follow all processes"` -> `"follow all processes"`; also `"CSM will"`, `"Will"`.

        Every prefix pattern is tried in order and may apply once, so `"CSM will be able to speak"` loses both
        the subject and `be able to`.
        """
        for rx in self._prefixes:
            m = rx.match(text)
            if m and m.end() < len(text):
                text = text[m.end() :]
        return text

    @staticmethod
    def fold_case(text: str) -> str:
        """`"Keeps Portfolio Board"` -> `"keeps portfolio board"`."""
        return text.casefold()

    @staticmethod
    def fold_punctuation(text: str) -> str:
        """`"cross-functional partners, client's goals & Q/A"` -> `"crossfunctional partners client goals and q a"`."""
        if "-" in text:
            text = _HYPHENATED.sub("", text)
        text = text.replace("&", " and ")
        if "'" in text:
            text = _POSSESSIVE.sub("", text)
        return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())

    def american(self, word: str) -> str:
        """`"analyses"` -> `"analyzes"`, `"behaviour"` -> `"behavior"`; `"promise"` stays (no `"promize"`)."""
        found = self._spelling.get(word)
        if found is None:
            found = word
            for rx, repl in _BRITISH:
                candidate = rx.sub(repl, word)
                if candidate != word and candidate in self._vocabulary:
                    found = candidate
                    break
            self._spelling[word] = found
        return found

    def lemmatize(self, text: str) -> tuple[str, ...]:
        """`"ensures the most accurate reports"` -> `("ensure", "most", "accurate", "report")`.

        Articles are dropped; words of three letters or fewer and the guards' own words are kept as written;
        a word of a synonym group becomes the group's first word (`"customers"` -> `"client"`).
        """
        folded = self._folded
        out: list[str] = []
        for w in text.split():
            lemma = folded.get(w)
            if lemma is None and w not in folded:
                lemma = self._fold_word(w)
                if len(folded) < 1_000_000:
                    folded[w] = lemma
            if lemma is not None:
                out.append(lemma)
        return tuple(out)

    def _fold_word(self, word: str) -> str | None:
        """One word of `lemmatize`: None for a dropped word, else its spelling, lemma and synonym group."""
        if word in self._drop:
            return None
        spelled = self.american(word)
        lemma = self._lemmas.get(spelled, spelled)
        return self._synonym.get(lemma, lemma)

    # -------------------------------------------------------------------------------------------------

    def numbers(self, folded: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """`"forecast 3-4 events, two months"` -> `("3", "4", "two")`: numbers change what is demanded."""
        found = [m.group(0).replace(",", ".") for m in _NUMBER.finditer(folded)]
        found += [t for t in tokens if t in self._number_words]
        return tuple(sorted(found))

    def analyze(self, text: str) -> Normalized:
        """`"The CSM will keep the boards up to date."` -> form `"keep board up to date"`."""
        folded = self.fold_case(self.strip_subject(self.fold_unicode(text)))
        tokens = self.lemmatize(self.fold_punctuation(folded))
        return Normalized(form=" ".join(tokens), tokens=tokens, numbers=self.numbers(folded, tokens))

    def normalize(self, text: str) -> str:
        """`"CSM will invest time in accordance with their account plan"` -> `"invest time in accordance with their account plan"`."""
        return self.analyze(text).form
