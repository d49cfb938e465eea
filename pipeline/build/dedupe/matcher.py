"""Align two statements' content words and classify what is left over.

Two statements say the same thing when every content word of one finds a partner in the other (same lemma,
spelling variant, synonym or paraphrase, derived form) and what is left is only framing, manner or filler.
Words left over that change the demand (a number, a quantifier, a proficiency or scope word, an added verb,
list item, modifier or object, a negation) keep them apart; the guards (`guards.py`) name the class.

The steps, in order (`Matcher.align`):
1. `core`: drop function words and framing (`framing_phrases`, the role-as-subject frame
   `role_frame_pattern`, the means frame "shows X by doing Y" -> "doing Y"); manner words
   (`manner_words`) are set aside as ignorable;
2. `align`: pair words equal after `canonical` (synonym or paraphrase group, derivational stem);
3. compounds: `stakeholder` aligns with `stake holder`; then spelling variants (`Guards`' variant rule:
   shared prefix, `variant_ratio`), which need the merge threshold to merge;
4. head nouns: a generic person noun (`head_nouns`) left over right after an aligned word whose form
   changed into a modifier (`nonengineer` / `nonengineering partner`) is the head that form needs, not a
   new demand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from sys import intern

from pipeline.build.normalize_text import Normalized
from pipeline.build.settings import DedupeSettings

# Derivational and inflectional endings, longest first; a stem keeps at least 3 letters.
_SUFFIXES = (
    "ization",
    "ational",
    "fulness",
    "iveness",
    "ingness",
    "ation",
    "ition",
    "iness",
    "ement",
    "ness",
    "ment",
    "ance",
    "ence",
    "ship",
    "able",
    "ible",
    "ical",
    "ion",
    "ing",
    "ity",
    "ive",
    "ful",
    "ous",
    "ily",
    "al",
    "ed",
    "er",
    "ly",
    "ic",
    "y",
    "e",
    "s",
)
# Endings that turn a word into a modifier of a following noun ("non-engineering partners").
_MODIFIER_ENDINGS = ("ing", "al", "ic", "ive", "ary", "ful", "ed")

NUMBER_VALUES = {
    w: str(i)
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"],
    )
} | {"dozen": "12", "hundred": "100", "thousand": "1000", "once": "1", "twice": "2"}


@cache
def stem(word: str) -> str:
    """Strip one derivational or inflectional ending, then a final `i`/`e`/`y`: `"readiness"` -> `"read"`,
    `"ready"` -> `"read"`, `"mentorship"` -> `"mentor"`, `"communication"` -> `"communic"`."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] in "iey":
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Alignment:
    """What two statements share and where they differ, after framing is dropped."""

    aligned: tuple[tuple[str, str], ...]  # (word in A, word in B) paired although written differently
    ignored: tuple[tuple[str, str, str], ...]  # (side "A"|"B", word, class) left over but not a demand
    removed: tuple[str, ...]  # content words only in A that may change the demand
    added: tuple[str, ...]  # content words only in B that may change the demand
    shared: tuple[str, ...]  # words written the same on both sides (core words)
    fuzzy: tuple[tuple[str, str], ...] = ()  # the aligned pairs that are only spelled alike (typos, variants)

    def describe(self, flip: bool = False) -> str:
        """One line for the report: `"aligned: nonengineer~nonengineering; ignored: clearly (manner, A)"`;
        `flip` tells it from B's side (B's words first, A and B swapped)."""
        a, b = ("B", "A") if flip else ("A", "B")
        parts = []
        if self.aligned:
            parts.append("aligned: " + ", ".join(f"{y}~{x}" if flip else f"{x}~{y}" for x, y in self.aligned))
        if self.ignored:
            sides = {"A": a, "B": b}
            parts.append("ignored: " + ", ".join(f"{w} ({cls}, {sides[side]})" for side, w, cls in self.ignored))
        if self.removed or self.added:
            left = [f"{w} ({a})" for w in self.removed] + [f"{w} ({b})" for w in self.added]
            parts.append("left over: " + ", ".join(sorted(left, key=lambda x: x[-2])))
        return "; ".join(parts) if parts else "same content words"


class Matcher:
    """Aligns content words of two normalized statements; build once per config."""

    def __init__(self, config: DedupeSettings, variants: Callable[[str, str], bool]) -> None:
        self.config = config
        self.function = frozenset(config.function_words)
        self.manner = frozenset(config.manner_words)
        self.head_nouns = frozenset(config.head_nouns)
        self.framing = sorted({tuple(p.split()) for p in config.framing_phrases}, key=lambda p: (-len(p), p))
        # framing phrases by first word, longest first: only those can start at a token (same first match)
        self._framing_by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in self.framing:
            self._framing_by_first.setdefault(p[0], []).append(p)
        self._framing_first = frozenset(self._framing_by_first)
        self.role_frame = re.compile(config.role_frame_pattern) if config.role_frame_pattern else None
        self.means_frame = re.compile(config.means_frame_pattern) if config.means_frame_pattern else None
        group = {w: g[0] for g in config.synonyms for w in g}
        group.update({w: g[0] for g in config.paraphrases for w in g})
        self.group = group
        self._is_variant = variants
        self._variant_cache: dict[tuple[str, str], bool] = {}  # word pairs repeat across many statement pairs
        self._core_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
        self._canonical_cache: dict[str, str] = {}
        self._words_cache: dict[str, tuple[bool, tuple[str, ...]]] = {}

    def canonical(self, word: str) -> str:
        """`"readiness"` and `"ready"` -> `"read"`; a synonym or paraphrase -> its group's first word's stem;
        a number in words -> its digits (`"three"` -> `"3"`)."""
        found = self._canonical_cache.get(word)
        if found is None:
            found = NUMBER_VALUES[word] if word in NUMBER_VALUES else stem(self.group.get(word, word))
            self._canonical_cache[word] = found
        return found

    def core(self, form: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Content words that carry the demand, the manner words set aside, and the framing dropped.

        `"staff engineer are know as expert on system"` -> `(("expert", "system"), (), ("staff engineer are
        know as",))`; `"show commitment to quality by review design clearly"` -> `(("review", "design"),
        ("clearly",), ("show commitment to quality by",))`.
        """
        cached = self._core_cache.get(form)
        if cached is not None:
            return cached
        text = form
        framing: list[str] = []
        for frame in (self.role_frame, self.means_frame):
            if frame is not None:
                found = frame.match(text)
                if found:
                    framing.append(found.group(0).strip())
                    text = text[found.end() :]
        tokens = [intern(t) for t in text.split()]  # one string per word: the memo holds every form's words
        by_first = self._framing_by_first
        if self._framing_first.isdisjoint(tokens):  # most forms: no framing phrase can start anywhere
            kept = tokens
        else:
            kept = []
            i = 0
            while i < len(tokens):
                phrase = next((p for p in by_first.get(tokens[i], ()) if tuple(tokens[i : i + len(p)]) == p), None)
                if phrase is not None:
                    framing.append(" ".join(phrase))
                    i += len(phrase)
                    continue
                kept.append(tokens[i])
                i += 1
        function, manner_words = self.function, self.manner
        words = tuple(t for t in kept if t not in function and t not in manner_words)
        manner = tuple(t for t in kept if t in manner_words) if not manner_words.isdisjoint(kept) else ()
        core = (words, manner, tuple(framing))
        self._core_cache[form] = core
        return core

    def core_key(self, form: str) -> tuple[str, ...]:
        """Sorted distinct canonical core words: forms with one key say the same thing up to framing and
        word order (candidate pairs for rewordings). `"clearly explain design"` -> `("design", "explain")`."""
        canonical = self.canonical
        return tuple(sorted({canonical(w) for w in self.core(form)[0]}))

    @staticmethod
    def _pair_off(ra: list[str], rb: list[str], same: Callable[[str, str], bool], found: list[tuple[str, str]]) -> None:
        """Remove from `ra` and `rb` each word of `ra` and the first word of `rb` it is `same` with."""
        for x in list(ra):
            y = next((y for y in rb if same(x, y)), None)
            if y is not None:
                ra.remove(x)
                rb.remove(y)
                found.append((x, y))

    def variants(self, x: str, y: str) -> bool:
        """Are `x` and `y` one word spelled or derived differently (the `variants` rule given, memoized)?"""
        found = self._variant_cache.get((x, y))
        if found is None:
            found = self._is_variant(x, y)
            if len(self._variant_cache) < 1_000_000:
                self._variant_cache[(x, y)] = found
        return found

    def _words(self, form: str) -> tuple[bool, tuple[str, ...]]:
        """Whether a form's core words are distinct, and the words two neighbouring core words make when
        written together (what a compound on the other side must be). Tuples, not sets: a memo entry per form,
        and core words are few (a scan of a short tuple of interned strings costs what a set lookup does)."""
        found = self._words_cache.get(form)
        if found is None:
            words = self.core(form)[0]
            found = (
                len(set(words)) == len(words),
                tuple(intern(x + y) for x, y in zip(words, words[1:], strict=False)) if len(words) > 1 else (),
            )
            self._words_cache[form] = found
        return found

    def _pair_leftovers(self, ra: list[str], rb: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Steps 2 and 3 without compounds, in place: `_pair_off` by `canonical`, then by `variants`, written
        out (no closure, no generator: this runs once per candidate pair). Returns (aligned, fuzzy)."""
        aligned: list[tuple[str, str]] = []
        canonical = self.canonical
        cb = [canonical(y) for y in rb]
        if not set(cb).isdisjoint([canonical(x) for x in ra]):
            for x in list(ra):
                cx = canonical(x)
                for k, c in enumerate(cb):
                    if c == cx:  # the first word of rb with x's canonical form: rb.remove(y) would remove it
                        ra.remove(x)
                        aligned.append((x, rb.pop(k)))
                        del cb[k]
                        break
        fuzzy: list[tuple[str, str]] = []
        memo = self._variant_cache
        for x in list(ra):
            for k, y in enumerate(rb):
                found = memo.get((x, y))
                if found is None:
                    found = self.variants(x, y)
                if found:
                    ra.remove(x)
                    fuzzy.append((x, rb.pop(k)))
                    break
        return aligned + fuzzy, fuzzy

    def align(self, a: Normalized, b: Normalized) -> Alignment:
        """Align `a`'s and `b`'s core words; see the module docstring for the steps.

        `"explain design to nonengineers clearly"`, `"clearly explain design to nonengineering partner"` ->
        aligned `(("nonengineers", "nonengineering"),)`, ignored `partner` (head noun, B), nothing left over.

        Fast paths, each giving what the full steps give: words that repeat on neither side are shared by set
        membership; when one side has nothing left over there is nothing to pair; when no left-over word is a
        compound of the other side, the left-over words are paired off in one tight loop (`_pair_leftovers`).
        """
        wa, ma, fa = self.core(a.form)
        wb, mb, fb = self.core(b.form)
        ignored: list[tuple[str, str, str]] = []
        if fa or fb:
            ignored += [("A", f, "framing") for f in fa if f not in fb]
            ignored += [("B", f, "framing") for f in fb if f not in fa]
        if ma or mb:
            ignored += [("A", w, "manner") for w in sorted(set(ma) - set(mb))]
            ignored += [("B", w, "manner") for w in sorted(set(mb) - set(ma))]
        distinct_a, joined_a = self._words(a.form)
        distinct_b, joined_b = self._words(b.form)
        if distinct_a and distinct_b:  # no word repeats: the same as removing one by one
            ra = [w for w in wa if w not in wb]
            rb = [w for w in wb if w not in wa]
            shared = [w for w in wa if w in wb]
        else:
            ra, rb = list(wa), list(wb)
            shared = []
            for w in list(ra):  # same word on both sides
                if w in rb:
                    ra.remove(w)
                    rb.remove(w)
                    shared.append(w)
        if not ra or not rb:  # nothing to pair a left-over word with
            return Alignment((), tuple(ignored), tuple(sorted(ra)), tuple(sorted(rb)), tuple(sorted(shared)))
        aligned: list[tuple[str, str]]
        fuzzy: list[tuple[str, str]]
        if not any(w in joined_b for w in ra) and not any(w in joined_a for w in rb):  # no compound possible
            aligned, fuzzy = self._pair_leftovers(ra, rb)
        else:
            aligned, fuzzy = [], []
            canonical = self.canonical
            self._pair_off(ra, rb, lambda x, y: canonical(x) == canonical(y), aligned)
            # a compound written as one word on one side and two on the other ("stakeholder" / "stake holder")
            for one, rest_one, two, rest_two, flip in ((ra, ra, wb, rb, False), (rb, rb, wa, ra, True)):
                for w in list(one):
                    for x, y in zip(two, two[1:], strict=False):
                        if x + y == w and x in rest_two and y in rest_two:
                            rest_one.remove(w)
                            rest_two.remove(x)
                            rest_two.remove(y)
                            aligned.append((f"{x} {y}", w) if flip else (w, f"{x} {y}"))
                            break
            self._pair_off(ra, rb, self.variants, fuzzy)
            aligned += fuzzy
        # a head noun the changed form of an aligned word needs ("nonengineering partner")
        for side, words, rest, pick in (("A", wa, ra, 0), ("B", wb, rb, 1)) if aligned else ():
            modifiers = {pair[pick] for pair in aligned if pair[pick].endswith(_MODIFIER_ENDINGS)}
            modifiers -= {pair[1 - pick] for pair in aligned}
            if not modifiers:
                continue
            for i, w in enumerate(words[1:], start=1):
                if w in rest and w in self.head_nouns and words[i - 1] in modifiers:
                    rest.remove(w)
                    ignored.append((side, w, "head noun"))
        return Alignment(
            aligned=tuple(aligned),
            ignored=tuple(ignored),
            removed=tuple(sorted(ra)),
            added=tuple(sorted(rb)),
            shared=tuple(sorted(shared)),
            fuzzy=tuple(fuzzy),
        )
