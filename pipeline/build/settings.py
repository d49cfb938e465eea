"""Settings of the build stage (YAML `normalize:`), one slice per step: competencies, levels, atomizing, text
normalization and de-duplication."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.settings import Section


class LevelRule(Section):
    """A title-word rule of the level table: a title matching `pattern` sits at `level`; first match wins."""

    pattern: str = Field(description="Python regular expression, searched in the title's name key (lowercase).")
    level: str = Field(pattern=r"^(?:IC|M)[1-9][0-9]*$", description="Canonical level, e.g. `IC3` or `M1`.")
    example: str = Field("", description="'title -> level', shown in docs and tested.")


class CompetencySettings(Section):
    """Canonical competency names: aliases, covers, fuzzy and abbreviation matching."""

    competency_aliases: dict[str, list[str]] = Field(
        {
            "Teamwork and Collaboration": ["Teamwork & Collaboration", "Collaboration and Teamwork"],
            "Communication": ["Communication Skills", "Communications"],
            "Product Knowledge": ["Product Expertise", "Product Mastery"],
        },
        description="Canonical competency name -> other names tracks use for it (compared by name key).",
    )
    competency_covers: dict[str, list[str]] = Field(
        {},
        description="Canonical name -> names it covers, beyond those derived from 'A and B' names whose parts are "
        "all competencies themselves.",
    )
    competency_fuzzy_threshold: float = Field(
        88.0, description="Unknown names join a competency when rapidfuzz token_sort_ratio of the name keys >= this."
    )
    competency_abbrev_min: int = Field(
        4,
        description="A word shortened to at least this many letters matches its long form ('collab' ~ 'collaboration').",
    )


class LevelSettings(Section):
    """Canonical levels from title words, numbers, tiers and menu order."""

    ic_level_rules: list[LevelRule] = Field(
        default_factory=lambda: [
            LevelRule(pattern=r"\b(?:senior|sr) principal\b", level="IC5", example="Senior Principal Scale CSM -> IC5"),
            LevelRule(pattern=r"\b(?:strategic|distinguished|fellow)\b", level="IC6", example="Strategic CSM -> IC6"),
            LevelRule(pattern=r"\b(?:principal|staff)\b", level="IC4", example="Principal High Touch CSM -> IC4"),
            LevelRule(pattern=r"\b(?:senior|sr)\b", level="IC3", example="Senior Scale CSM -> IC3"),
            LevelRule(pattern=r"\blead\b", level="IC4", example="Partner Success Lead -> IC4"),
            LevelRule(
                pattern=r"\b(?:associate|junior|jr|entry|graduate|trainee|apprentice)\b",
                level="IC1",
                example="Associate Scale CSM -> IC1",
            ),
        ],
        description="Title words on the IC path, first match wins; a title with none takes the menu order.",
    )
    management_level_rules: list[LevelRule] = Field(
        default_factory=lambda: [
            LevelRule(
                pattern=r"\b(?:vp|vice president|chief|head of)\b", level="M5", example="VP Customer Success -> M5"
            ),
            LevelRule(pattern=r"\b(?:senior|sr) director\b", level="M5", example="Senior Director of CS -> M5"),
            LevelRule(pattern=r"\bdirector\b", level="M4", example="CS Regional Director -> M4"),
            LevelRule(
                pattern=r"\b(?:group|regional|area|region)\s+(?:manager|leader|lead)\b",
                level="M3",
                example="CS Group Leader -> M3",
            ),
            LevelRule(
                pattern=r"\b(?:senior|sr)\b.*\b(?:manager|leader|lead)\b",
                level="M2",
                example="Senior CS Team Manager -> M2",
            ),
            LevelRule(pattern=r"\b(?:manager|leader|lead|supervisor)\b", level="M1", example="CS Team Leader -> M1"),
        ],
        description="Title words on the management path, first match wins.",
    )
    numbered_title_pattern: str = Field(
        r"\b(?P<n>[1-9]|i{1,3}|iv|vi{0,3}|ix)$",
        description="A title ending in a digit or roman numeral ('CSM II') takes that number on its path.",
    )
    tier_pattern: str = Field(
        r"^t(?P<n>[1-9])$", description="Forum tier codes ('T2'), matched on the lowercased tier, give IC<n>."
    )
    base_level: dict[str, int] = Field(
        {"ic": 2, "management": 1},
        description="Level number of a plain title (no level word) that opens its path: 'CSM' alone is IC2.",
    )


class AtomizeSettings(Section):
    """Splitting a bullet that holds several statements into atomic behaviors."""

    split_on: list[str] = Field(
        [r"(?<=[a-z0-9)”\"'])\.\s+(?=[A-Z])", r";\s+"],
        description="Where a bullet may hold two statements: '. ' before a capital, '; '.",
    )
    split_min_words: int = Field(3, description="Each part of a split must have at least this many words.")
    abbreviations: list[str] = Field(
        ["e.g", "i.e", "eg", "ie", "vs", "approx", "incl", "esp", "mr", "ms", "dr", "inc", "ltd", "no"],
        description="A period after one of these words never ends a statement.",
    )
    continuation_pattern: str = Field(
        r"^(?:\w{2,}ing|this|that|these|those|it|which|who|e\.g|i\.e|etc)\b",
        description="A part starting with a participle or a back-reference ('Giving them…') stays with the previous one.",
    )


class TextSettings(Section):
    """The normalized form statements are compared on: subject prefixes, dropped words, lemmas, synonyms."""

    subject_prefixes: list[str] = Field(
        [
            r"^(?i:the\s+)?(?:[A-Z]{2,6}s?|(?i:they|you|he|she))\s+(?i:will|should|shall|must|can)\s+(?i:be\s+able\s+to\s+)?",
            r"^(?i:will|should|shall|must|can)\s+(?i:be\s+able\s+to\s+)?",
            r"^(?i:is|are|be)\s+able\s+to\s+",
        ],
        description="Subjects and modals dropped from the start of a statement (case-sensitive, tried in order, "
        "all that match in turn): 'The CSM will follow' -> 'follow'.",
    )
    drop_words: list[str] = Field(["a", "an", "the"], description="Words dropped from the normalized form (articles).")
    function_words: list[str] = Field(
        [
            "a",
            "an",
            "the",
            "and",
            "or",
            "of",
            "to",
            "in",
            "on",
            "at",
            "for",
            "with",
            "by",
            "from",
            "as",
            "into",
            "about",
            "during",
            "within",
            "while",
            "when",
            "where",
            "that",
            "which",
            "who",
            "their",
            "them",
            "they",
            "our",
            "its",
            "it",
            "be",
            "is",
            "are",
            "have",
            "has",
            "this",
            "these",
            "those",
            "so",
            "such",
            "if",
            "order",
            "way",
            "well",
            "also",
            "both",
            "any",
            "own",
            "other",
            "i",
            "e",
            "g",
            "etc",
            "you",
            "your",
            "we",
            "my",
            "am",
        ],
        description="Words ignored when comparing what two statements differ in (not when scoring).",
    )


class DedupeSettings(TextSettings):
    """Behavior de-duplication: scorer, thresholds, guards' word lists, candidate blocking."""

    scorer: Literal["ratio", "token_sort_ratio", "WRatio"] = Field(
        "token_sort_ratio", description="rapidfuzz.fuzz scorer on normalized forms: ratio | token_sort_ratio | WRatio."
    )
    merge_threshold: float = Field(88.0, description="Statements whose normalized forms score >= this may merge.")
    near_miss_threshold: float = Field(
        75.0, description="Pairs scoring >= this that stay apart are reported as near misses (and may be progressions)."
    )
    max_added_words: int = Field(
        0,
        description="A statement adding more than this many content words to another is kept apart (framing, "
        "manner and filler words do not count).",
    )
    variant_ratio: float = Field(
        85.0, description="Two differing words this similar (fuzz.ratio) are spellings of one word, not a change."
    )
    number_words: list[str] = Field(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "dozen",
            "hundred",
            "thousand",
            "half",
            "quarter",
            "once",
            "twice",
        ],
        description="Spelled numbers: two statements with different numbers are never merged.",
    )
    quantity_words: list[str] = Field(
        [
            "about",
            "approximately",
            "around",
            "roughly",
            "many",
            "few",
            "several",
            "multiple",
            "all",
            "most",
            "some",
            "every",
            "each",
            "limited",
            "majority",
            "handful",
            "various",
            "variety",
            "numerous",
            "single",
            "more",
            "less",
            "fewer",
            "least",
        ],
        description="Quantifiers: statements that differ in one of these are never merged ('about 3' vs 'many').",
    )
    proficiency_words: list[str] = Field(
        [
            "begin to",
            "start to",
            "learn to",
            "learning",
            "with help",
            "with guidance",
            "under supervision",
            "become",
            "familiar",
            "proficient",
            "expert",
            "expertise",
            "master",
            "mastery",
            "basic",
            "intermediate",
            "advanced",
            "simple",
            "common",
            "complex",
            "strong",
            "deep",
            "fully",
            "highly",
            "independently",
            "autonomous",
            "autonomously",
            "proactively",
            "occasionally",
            "consistently",
            "sometimes",
            "always",
        ],
        description="Proficiency and scope markers (lemma form, phrases allowed): statements whose sets of these "
        "differ are kept apart ('begin to find' vs 'find'; 'basic' vs 'advanced'; 'proficient' vs 'expert').",
    )
    scope_words: list[str] = Field(
        [
            "team",
            "group",
            "company",
            "organization",
            "org",
            "department",
            "region",
            "regional",
            "global",
            "company-wide",
            "cross-functional",
            "individual",
            "enterprise",
            "portfolio",
            "account",
            "executive",
            "external",
            "internal",
        ],
        description="Scope markers: statements whose sets of these differ are kept apart ('team' vs 'company level').",
    )
    negation_words: list[str] = Field(
        ["not", "no", "never", "without", "nor", "cannot", "unable"],
        description="Statements that differ in a negation are never merged.",
    )
    synonyms: list[list[str]] = Field(
        [
            ["client", "customer"],
            ["use", "utilize", "leverage"],
            ["organisation", "organization"],
            ["behaviour", "behavior"],
            ["colleague", "peer", "teammate"],
        ],
        description="Groups of words (lemma form) treated as one when comparing what two statements differ in.",
    )
    manner_words: list[str] = Field(
        [
            "successfully",
            "effectively",
            "efficiently",
            "clearly",
            "actively",
            "thoughtfully",
            "properly",
            "appropriately",
            "really",
            "then",
            "thorough",
            "thoroughly",
            "effective",
            "successful",
        ],
        description="Manner and filler words (lemma form): a pair that differs only in these (and framing) may "
        "merge ('delivers it' ~ 'delivers it successfully').",
    )
    head_nouns: list[str] = Field(
        ["partner", "people", "person", "folk", "audience", "counterpart", "stakeholder"],
        description="Generic person nouns (lemma form) that may follow a word turned into a modifier without "
        "adding a demand: 'to non-engineers' ~ 'to non-engineering partners'.",
    )
    framing_phrases: list[str] = Field(
        [
            "show commitment to",
            "demonstrate commitment to",
            "commitment to",
            "show readiness to",
            "demonstrate readiness to",
            "readiness to",
            "ready to",
            "demonstrate ability to",
            "show ability to",
            "ability to",
            "able to",
            "capable of",
            "willing to",
            "willingness to",
            "part of",
            "responsible for",
            "expect to",
            "strive to",
        ],
        description="Framing around a demand (lemma form, dropped before aligning words): 'has shown readiness to "
        "mentor' ~ 'ready to mentor' ~ 'mentor'.",
    )
    role_frame_pattern: str = Field(
        r"^(?:(?:\w+ ){1,3}(?:are|is|be|am) (?:know|see|recognize|regard|consider|view|trust) as |your work )",
        description="A role as the subject of a frame, matched on the normalized form and dropped: 'Staff "
        "engineers are known as the expert' ~ 'Is the expert'; 'Your work contributes' ~ 'Contributes'. Empty: off.",
    )
    means_frame_pattern: str = Field(
        r"^(?:show|demonstrate|exhibit|display|prove)(?: \w+){1,4}? by ",
        description="'Shows X by doing Y' says 'does Y': the frame up to 'by' is dropped when it opens the "
        "normalized form ('show commitment to quality by review design' ~ 'review design'). Empty: off.",
    )
    paraphrases: list[list[str]] = Field(
        [
            ["inform", "update", "apprise"],
            ["progress", "status"],
            ["explain", "describe", "clarify"],
        ],
        description="Groups of words (lemma form) that align when comparing two statements (not in the "
        "normalized form, so ids do not change): 'keeps their manager informed' ~ 'updates their lead'.",
    )
    reword_group_max: int = Field(
        200,
        description="Forms with the same content words (after framing) are compared at any score when at most "
        "this many share them; larger groups are left to the similarity-based candidates.",
    )
    block_prefix_share: float = Field(
        0.5, description="Candidate blocking: each form is indexed under its rarest words, this share of them (+1)."
    )
    block_max_size: int = Field(
        20000, description="A blocking key shared by more forms than this is skipped (too common to be informative)."
    )
    workers: int = Field(1, description="rapidfuzz workers for scoring (-1 = all cores); results never depend on it.")


class NormalizeConfig(DedupeSettings, AtomizeSettings, LevelSettings, CompetencySettings):
    """YAML `normalize:`, composed of the build steps' slices; each step's signature names the slice it reads.

    The base order keeps the keys in the order users know (competencies, levels, atomize, text, dedupe).
    """
