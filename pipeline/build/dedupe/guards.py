"""The guards: ordered rules that keep similar statements apart when they differ in what they demand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from rapidfuzz import fuzz

from pipeline.build.dedupe.matcher import NUMBER_VALUES, Alignment, Matcher
from pipeline.build.normalize_text import Normalized
from pipeline.build.settings import DedupeSettings

_NO_MARKERS: frozenset[str] = frozenset()  # one object for every form without a marker (most)


@dataclass(frozen=True, slots=True)
class GuardHit:
    """Why two similar statements were kept apart, and the words that differ."""

    rule: str
    removed: tuple[str, ...]  # content words only in the first statement
    added: tuple[str, ...]  # content words only in the second
    alignment: Alignment | None = None

    def explain(self, flip: bool = False) -> str:
        """`"kept apart: scope modifier 'small' only in B"`, followed by the alignment."""
        return explain_rule(self.rule, self.removed, self.added, self.alignment, flip)


RULE_WORDS = {
    "numbers": "numbers differ",
    "quantity": "quantity",
    "negation": "negation",
    "proficiency": "proficiency",
    "object": "object replaced",
    "scope": "scope",
    "added_verb": "added verb/obligation",
    "added_item": "added list item",
    "modifier": "scope modifier",
    "added_detail": "added detail",
}


def explain_rule(
    rule: str, removed: tuple[str, ...], added: tuple[str, ...], al: Alignment | None, flip: bool = False
) -> str:
    """`explain_rule("modifier", (), ("small",), None)` -> `"kept apart: scope modifier 'small' only in B"`;
    `flip` swaps A and B (the reader sees B's statement first)."""
    a, b = ("B", "A") if flip else ("A", "B")
    sides = [f"{', '.join(repr(w) for w in ws)} only in {side}" for side, ws in ((a, removed), (b, added)) if ws]
    if flip:
        sides.reverse()
    head = f"kept apart: {RULE_WORDS.get(rule, rule)}" + (f" {'; '.join(sides)}" if sides else "")
    return head + (f" ({al.describe(flip)})" if al is not None else "")


@dataclass(frozen=True, slots=True)
class FormFacts:
    """Per form (one entry per form of `Guards.facts`' list), what the rules that need no alignment compare,
    as ids (equal ids, equal values), and whether the rules that do need it can fire at all."""

    facts: dict[str, np.ndarray]  # rule name (`Guards.PER_FORM`) -> id of the form's value for that rule
    possible: dict[str, np.ndarray]  # rule name (`Guards.WORD_RULES`) -> bool: one of its words is a core word


def _ids(values: Sequence[Hashable]) -> np.ndarray:
    """`["b", "a", "b"]` -> `[0, 1, 0]`: equal values, equal ids (in order of first appearance)."""
    seen: dict[Hashable, int] = {}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int64, count=len(values))


def is_variant(synonym: dict[str, str], ratio: float, x: str, y: str) -> bool:
    """`analyze` ~ `analyse`, `accurate` ~ `accuracy`: one word spelled or derived differently — the same synonym
    group (`synonym`: word -> its group's first word), a shared prefix of at least 5 letters and three quarters
    of the shorter word, or a `fuzz.ratio` of at least `ratio`."""
    if synonym.get(x, x) == synonym.get(y, y):
        return True
    prefix = 0
    for cx, cy in zip(x, y, strict=False):
        if cx != cy:
            break
        prefix += 1
    if prefix >= max(5, 0.75 * min(len(x), len(y))):
        return True
    return fuzz.ratio(x, y) >= ratio


def _values(numbers: tuple[str, ...]) -> tuple[str, ...]:
    """`("3", "two")` -> `("2", "3")`: numbers in words as digits, sorted."""
    return tuple(sorted(NUMBER_VALUES.get(n, n) for n in numbers))


class Guards:
    """The rules that keep similar statements apart; ordered, first match wins."""

    def __init__(self, config: DedupeSettings) -> None:
        self.config = config
        self.function = frozenset(config.function_words)
        self.quantity_words = frozenset(config.quantity_words)
        self.negation_words = frozenset(config.negation_words)
        self.scope_words = frozenset(config.scope_words)
        self.proficiency = [tuple(p.split()) for p in config.proficiency_words]
        self.synonym = {w: group[0] for group in config.synonyms for w in group}
        # a function over the data, not a bound method: a Matcher referring back to its Guards would make a
        # reference cycle, and the guards' memos would then live until the cyclic collector runs
        self.matcher = Matcher(config, partial(is_variant, self.synonym, config.variant_ratio))
        self._align_cache: dict[tuple[str, str], Alignment] = {}
        self._marker_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self._phrases_by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self.proficiency:
            self._phrases_by_first[phrase[0]].append(phrase)
        self._first_words = frozenset(self._phrases_by_first)

    # helpers ------------------------------------------------------------------------------------------

    def _markers(self, tokens: tuple[str, ...]) -> frozenset[str]:
        # memoized: at scale one form meets many candidates, and this scan was most of the guards' time
        cached = self._marker_cache.get(tokens)
        if cached is not None:
            return cached
        if self._first_words.isdisjoint(tokens):  # most forms: no phrase can start anywhere
            self._marker_cache[tokens] = _NO_MARKERS
            return _NO_MARKERS
        found = set()
        for i, token in enumerate(tokens):  # only phrases that start with this token can match here
            for phrase in self._phrases_by_first.get(token, ()):
                if tokens[i : i + len(phrase)] == phrase:
                    found.add(" ".join(phrase))
        self._marker_cache[tokens] = frozenset(found)
        return self._marker_cache[tokens]

    def _is_variant(self, x: str, y: str) -> bool:
        """`analyze` ~ `analyse`, `accurate` ~ `accuracy`: one word spelled or derived differently (`is_variant`;
        the matcher memoizes it: `Matcher.variants`)."""
        return is_variant(self.synonym, self.config.variant_ratio, x, y)

    def align(self, a: Normalized, b: Normalized) -> Alignment:
        """Aligned, ignored and left-over content words of `a` and `b` (`Matcher.align`)."""
        key = (a.form, b.form)
        found = self._align_cache.get(key)
        if found is None:
            found = self.matcher.align(a, b)
            if len(self._align_cache) < 200_000:
                self._align_cache[key] = found
        return found

    def diff(self, a: Normalized, b: Normalized) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Content words only in `a`, only in `b` that may change the demand; spelling variants, synonyms,
        paraphrases and derived forms cancel out, framing and manner words are set aside.

        `"focus on development of team member"`, `"focus on development of team leader"` ->
        `(("member",), ("leader",))`.
        """
        al = self.align(a, b)
        return al.removed, al.added

    # the rules ----------------------------------------------------------------------------------------
    # Each takes the two statements and their alignment; `al.removed` / `al.added` are the words left over.

    def numbers(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"forecast 3 months in advance"` vs `"forecast 6 months in advance"` -> `numbers`; `"mentor 3
        engineer"` vs `"mentor three engineer"` pass (a number in words is its digits)."""
        return _values(a.numbers) != _values(b.numbers)

    def quantity(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"maintain about 3 relationships"` vs `"maintain many relationships"` -> `quantity`."""
        return bool(self.quantity_words & set(al.removed + al.added))

    def negation(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"escalate risks"` vs `"do not escalate risks"` -> `negation`."""
        return (self.negation_words & set(a.tokens)) != (self.negation_words & set(b.tokens))

    def proficiency_(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"begin to find opportunity"` vs `"find opportunity"`; `"basic datum"` vs `"advanced datum"` -> `proficiency`."""
        return self._markers(a.tokens) != self._markers(b.tokens)

    def object_(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"development of team member"` vs `"development of team leader"` -> `object` (a word replaced)."""
        return bool(al.removed) and bool(al.added)

    def scope_(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"share learnings"` vs `"share learnings with team"` -> `scope`."""
        return bool(self.scope_words & set(al.removed + al.added))

    def _extra(self, a: Normalized, b: Normalized, al: Alignment) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The longer side's left-over words and that side's core words, when more than `max_added_words`."""
        if max(len(al.removed), len(al.added)) <= self.config.max_added_words:
            return (), ()
        if len(al.removed) >= len(al.added):
            return al.removed, self.matcher.core(a.form)[0]
        return al.added, self.matcher.core(b.form)[0]

    def added_verb(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"describe risk to stakeholder"` vs `"forecast and describe risk to stakeholder"` -> `added_verb`
        (a left-over word opens the statement: an added action or obligation)."""
        extra, core = self._extra(a, b, al)
        return bool(extra) and bool(core) and core[0] in extra

    def added_item(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"write test and doc"` vs `"write test benchmark and doc"` -> `added_item`: a left-over word next to
        `and` / `or` in a list (content words so joined, commas already gone) that also holds a word both
        sides share."""
        extra, _ = self._extra(a, b, al)
        if not extra:
            return False
        tokens = a.tokens if extra == al.removed else b.tokens
        joiners = ("and", "or")
        for i, t in enumerate(tokens):
            if t not in extra or not ({tokens[i - 1] if i else "", *tokens[i + 1 : i + 2]} & set(joiners)):
                continue
            lo = hi = i
            while lo > 0 and (tokens[lo - 1] in joiners or tokens[lo - 1] not in self.function):
                lo -= 1
            while hi + 1 < len(tokens) and (tokens[hi + 1] in joiners or tokens[hi + 1] not in self.function):
                hi += 1
            span = tokens[lo : hi + 1]
            if any(j in span for j in joiners) and any(w not in extra and w not in joiners for w in span):
                return True
        return False

    def modifier(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"set project direction"` vs `"set small project direction"` -> `modifier` (a left-over word right
        before a shared word: it narrows or widens what that word covers)."""
        extra, core = self._extra(a, b, al)
        return any(w in extra and core[i + 1] not in extra for i, w in enumerate(core[:-1]))

    def added_detail(self, a: Normalized, b: Normalized, al: Alignment) -> bool:
        """`"put customer in center"` vs `"put customer in center with external stakeholder"` -> `added_detail`
        (more than `max_added_words` content words left over on one side)."""
        return max(len(al.removed), len(al.added)) > self.config.max_added_words

    RULES = (
        ("numbers", numbers),
        ("quantity", quantity),
        ("negation", negation),
        ("proficiency", proficiency_),
        ("object", object_),
        ("scope", scope_),
        ("added_verb", added_verb),
        ("added_item", added_item),
        ("modifier", modifier),
        ("added_detail", added_detail),
    )

    def check(self, a: Normalized, b: Normalized) -> GuardHit | None:
        """The first rule that keeps `a` and `b` apart, or None when they may merge."""
        al = self.align(a, b)
        for name, rule in self.RULES:
            if rule(self, a, b, al):
                return GuardHit(name, al.removed, al.added, al)
        return None

    # in bulk ------------------------------------------------------------------------------------------

    # Rules that compare one value per form, whatever the alignment: decided for all pairs at once.
    PER_FORM = ("numbers", "negation", "proficiency")
    # Rules that fire only on a left-over word of a list: they need the alignment, and can fire only when one
    # of the two forms has such a word among its core words (the left-over words are core words).
    WORD_RULES = {"quantity": "quantity_words", "scope": "scope_words"}

    def facts(self, forms: Sequence[Normalized]) -> FormFacts:
        """Each form's values for `PER_FORM` and, for `WORD_RULES`, whether it has one of their words."""
        core = [frozenset(self.matcher.core(f.form)[0]) for f in forms]
        return FormFacts(
            facts={
                "numbers": _ids([_values(f.numbers) for f in forms]),
                "negation": _ids([self.negation_words.intersection(f.tokens) for f in forms]),
                "proficiency": _ids([self._markers(f.tokens) for f in forms]),
            },
            possible={
                name: np.fromiter((not words.isdisjoint(c) for c in core), dtype=bool, count=len(core))
                for name, words in ((n, getattr(self, attr)) for n, attr in self.WORD_RULES.items())
            },
        )

    def decided(self, facts: FormFacts, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """For pairs `(ii[p], jj[p])` of the forms of `facts`: the index in `RULES` of the rule that keeps them
        apart when a `PER_FORM` rule decides it without the alignment, else -1 — a `PER_FORM` rule fires and
        no earlier rule can (an earlier `WORD_RULES` rule whose words neither form has cannot; any other rule
        might, so the pair is left to `check_pairs`' alignment)."""
        code = np.full(len(ii), -1, dtype=np.int8)
        blocked = np.zeros(len(ii), dtype=bool)  # an earlier rule that needs the alignment might fire
        for k, (name, _) in enumerate(self.RULES):
            if name in facts.facts:
                ids = facts.facts[name]
                code[(ids[ii] != ids[jj]) & ~blocked & (code < 0)] = k
            elif name in facts.possible:
                blocked |= facts.possible[name][ii] | facts.possible[name][jj]
            else:
                break  # every later pair may be kept apart by this rule: only the alignment can tell
        return code

    def check_pairs(
        self,
        forms: Sequence[Normalized],
        ii: np.ndarray,
        jj: np.ndarray,
        report: np.ndarray,
        facts: FormFacts | None = None,
    ) -> tuple[list[str | None], list[Alignment | None]]:
        """`check` on the pairs `(forms[ii[p]], forms[jj[p]])`, with the same rule for each: the rules that
        compare one value per form are decided for all pairs at once (`decided`), and a pair is aligned only
        when its rule needs the alignment, it passes (the caller merges on the alignment) or `report[p]` (it
        will be reported, with the words that differ). Returns the rule names (None: may merge) and the
        alignments (None only for a pair decided without one and not reported). `facts`: `facts(forms)`, when
        the caller has it already (the same forms checked in several batches)."""
        if facts is None:
            facts = self.facts(forms)
        code = self.decided(facts, ii, jj).tolist()
        differs = {name: (ids[ii] != ids[jj]).tolist() for name, ids in facts.facts.items()}
        rules: list[str | None] = []
        alignments: list[Alignment | None] = []
        align = self.matcher.align  # each pair is aligned once here: no need for `align`'s cache
        for p, (i, j, k, want) in enumerate(zip(ii.tolist(), jj.tolist(), code, report.tolist(), strict=True)):
            if k >= 0:
                rules.append(self.RULES[k][0])
                alignments.append(align(forms[i], forms[j]) if want else None)
                continue
            a, b = forms[i], forms[j]
            al = align(a, b)
            found = None
            for name, rule in self.RULES:
                if differs[name][p] if name in differs else rule(self, a, b, al):
                    found = name
                    break
            rules.append(found)
            alignments.append(al)
        return rules, alignments
