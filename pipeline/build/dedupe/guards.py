"""The guards: ordered rules that keep similar statements apart when they differ in what they demand."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.build.normalize_text import Normalized
from pipeline.build.settings import DedupeSettings


@dataclass(frozen=True)
class GuardHit:
    """Why two similar statements were kept apart, and the words that differ."""

    rule: str
    removed: tuple[str, ...]  # content words only in the first statement
    added: tuple[str, ...]  # content words only in the second


class Guards:
    """The rules that keep similar statements apart; ordered, first match wins."""

    def __init__(self, config: DedupeSettings) -> None:
        self.config = config
        self.function = frozenset(config.function_words)
        self.quantity = frozenset(config.quantity_words)
        self.negation = frozenset(config.negation_words)
        self.scope = frozenset(config.scope_words)
        self.proficiency = [tuple(p.split()) for p in config.proficiency_words]
        self.synonym = {w: group[0] for group in config.synonyms for w in group}
        self._marker_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self._phrases_by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self.proficiency:
            self._phrases_by_first[phrase[0]].append(phrase)

    # helpers ------------------------------------------------------------------------------------------

    def _markers(self, tokens: tuple[str, ...]) -> frozenset[str]:
        # memoized: at scale one form meets many candidates, and this scan was most of the guards' time
        cached = self._marker_cache.get(tokens)
        if cached is not None:
            return cached
        found = set()
        for i, token in enumerate(tokens):  # only phrases that start with this token can match here
            for phrase in self._phrases_by_first.get(token, ()):
                if tokens[i : i + len(phrase)] == phrase:
                    found.add(" ".join(phrase))
        self._marker_cache[tokens] = frozenset(found)
        return self._marker_cache[tokens]

    def _variants(self, x: str, y: str) -> bool:
        """`analyze` ~ `analyse`, `accurate` ~ `accuracy`: one word spelled or derived differently."""
        if self.synonym.get(x, x) == self.synonym.get(y, y):
            return True
        prefix = 0
        for cx, cy in zip(x, y, strict=False):
            if cx != cy:
                break
            prefix += 1
        if prefix >= max(5, 0.75 * min(len(x), len(y))):
            return True
        return fuzz.ratio(x, y) >= self.config.variant_ratio

    def diff(self, a: Normalized, b: Normalized) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Content words only in `a`, only in `b`; spelling variants and synonyms cancel out.

        `"focus on development of team member"`, `"focus on development of team leader"` ->
        `(("member",), ("leader",))`.
        """
        ca = Counter(t for t in a.tokens if t not in self.function)
        cb = Counter(t for t in b.tokens if t not in self.function)
        removed = sorted((ca - cb).elements())
        added = sorted((cb - ca).elements())
        for x in list(removed):
            match = next((y for y in added if self._variants(x, y)), None)
            if match is not None:
                removed.remove(x)
                added.remove(match)
        return tuple(removed), tuple(added)

    # the rules ----------------------------------------------------------------------------------------

    def numbers(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"forecast 3 months in advance"` vs `"forecast 6 months in advance"` -> `numbers`."""
        return a.numbers != b.numbers

    def quantity(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"maintain about 3 relationships"` vs `"maintain many relationships"` -> `quantity`."""
        return bool(self.quantity & set(removed + added))

    def negation(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"escalate risks"` vs `"do not escalate risks"` -> `negation`."""
        return (self.negation & set(a.tokens)) != (self.negation & set(b.tokens))

    def proficiency_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"begin to find opportunity"` vs `"find opportunity"`; `"basic datum"` vs `"advanced datum"` -> `proficiency`."""
        return self._markers(a.tokens) != self._markers(b.tokens)

    def object_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"development of team member"` vs `"development of team leader"` -> `object` (a word replaced)."""
        return bool(removed) and bool(added)

    def scope_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"share learnings"` vs `"share learnings with team"` -> `scope`."""
        return bool(self.scope & set(removed + added))

    def added_detail(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"put customer in center"` vs `"put customer in center with external stakeholder"` -> `added_detail`
        (more than `max_added_words` content words added)."""
        return max(len(removed), len(added)) > self.config.max_added_words

    RULES = (
        ("numbers", numbers),
        ("quantity", quantity),
        ("negation", negation),
        ("proficiency", proficiency_),
        ("object", object_),
        ("scope", scope_),
        ("added_detail", added_detail),
    )

    def check(self, a: Normalized, b: Normalized) -> GuardHit | None:
        """The first rule that keeps `a` and `b` apart, or None when they may merge."""
        removed, added = self.diff(a, b)
        for name, rule in self.RULES:
            if rule(self, a, b, removed, added):
                return GuardHit(name, removed, added)
        return None
