"""Settings of the parse stage: career pages (`career_page:`) and the prose parsers with their spaCy pipeline
(`prose:`)."""

from __future__ import annotations

from pydantic import Field

from pipeline.settings import Section


class StructureConfig(Section):
    """How ladder structure is read from the document tree (`career_page.structure:`)."""

    level_code_pattern: str = Field(
        r"(?<![\w.])(?:[A-Z]{1,3}[- ]?\d{1,2}|\d{1,2})(?![\w.])",
        description="A level code or bare level number inside a title (`IC3`, `M4`, `P2`, `L-5`, `D1`, `2`).",
    )
    roman_suffix_pattern: str = Field(
        r"\w\s+(?:I{1,3}|IV|VI{0,3}|IX|X)\s*$", description="A title ending in a Roman numeral (`Engineer II`)."
    )
    level_words: list[str] = Field(
        [
            "intern",
            "apprentice",
            "trainee",
            "junior",
            "jr",
            "associate",
            "entry",
            "mid",
            "intermediate",
            "senior",
            "sr",
            "staff",
            "principal",
            "distinguished",
            "fellow",
            "lead",
            "head",
            "director",
            "vp",
            "chief",
            "manager",
            "executive",
        ],
        description="Words that make a short title look like a level.",
    )
    not_role_patterns: list[str] = Field(
        [
            r"\b(?:hiring|interview|recruit\w*|onboarding|benefits?|perks|compensation|salary|values?|principles)\b",
            r"\b(?:promot\w*|process|faq|overview|introduction|intro|about|summary|tl;?dr|legend|glossary)\b",
            r"\b(?:all|every|any)\s+(?:levels|roles|engineers|employees)\b",
            r"\b(?:levels|tracks|roles|ladders?|framework|criteria|expectations|responsibilities)\s*$",
            r"\b(?:step|phase|week|day|month|quarter|part|chapter|section|appendix|round)\s*#?\d",
            r"\?\s*$",
        ],
        description="Section titles that are page-wide, never a role (hiring, values, 'all levels', overlays).",
    )
    ic_markers: list[str] = Field(
        [r"\bindividual[- ]contributors?\b", r"\bIC[- ]?\d", r"\bIC (?:track|path|ladder|levels?)\b"],
        description="Wording that puts a role (its title, summary or enclosing section) on the IC path.",
    )
    management_markers: list[str] = Field(
        [r"\bmanagement\b", r"\bmanager (?:track|path|ladder|levels?)\b", r"\bpeople manag\w+", r"^M[- ]?\d+\b"],
        description="Wording that puts a role (its title or enclosing section) on the management path.",
    )
    empty_cell_patterns: list[str] = Field(
        [r"^\s*(?:n\s*/\s*a|tbd|todo|none|-+|—|–)\.?\s*$", r"^\s*same as\b", r"^\s*see (?:above|previous)\b"],
        description="Cells and bullets that state no behavior (`N/A`, `TODO`, 'same as L1').",
    )
    years_patterns: list[str] = Field(
        [r"\bexperience\b.*\d", r"\d.*\byears?\b.*\bexperience\b", r"\bexperience:\s", r"^\s*years?\b.*:"],
        description="A line stating years of experience: fills years_min/max, never a behavior.",
    )
    max_title_words: int = Field(9, description="A heading or cell longer than this is not a level title.")
    max_label_words: int = Field(6, description="A category label (`Impact:`) has at most this many words.")
    min_category_recurrence: float = Field(
        0.5,
        description="Inline labels (`**Adopts**: text`) are competencies only when each recurs in this share of "
        "the roles (or they carry nested bullets); otherwise they are part of the behavior text.",
    )


class CareerPageConfig(Section):
    not_defined_patterns: list[str] = Field(
        [
            r"\(\s*n\s*/\s*a\s*\)",
            r"\bnot (?:yet )?defined\b",
            r"\bnot yet available\b",
            r"\bcoming soon\b",
            r"^\s*tbd\.?\s*$",
        ],
        description="A role whose title or summary matches one of these is `defined: false`.",
    )
    not_applicable_patterns: list[str] = Field(
        [r"^\s*n\s*/?\s*a\.?\s*$", r"^\s*not relevant(?: here)?\.?\s*$", r"^\s*not applicable\.?\s*$", r"^\s*-+\s*$"],
        description="A competency description matching one of these marks it not applicable.",
    )
    path_markers: dict[str, str] = Field(
        {
            r"^\s*(?:ic|individual contributor|individual)\b.*\b(?:path|track|ladder)\s*$": "ic",
            r"^\s*(?:people\s+)?(?:management|manager|managers|leadership|leader)\b.*\b(?:path|track|ladder)\s*$": "management",
        },
        description="Menu lines that open a path group (regex -> path).",
    )
    management_title_patterns: list[str] = Field(
        [
            r"\b(?:team|group|regional|area|people|practice)\s+(?:lead|leader|manager|director)\b",
            r"\bdirector\b",
            r"\bhead of\b",
            r"\bvp\b",
            r"\bvice president\b",
            r"\bchief\b",
        ],
        description="Title words that put a role on the management path when the menu does not say.",
    )
    management_summary_patterns: list[str] = Field(
        [
            r"\b(?:leads?|manages?|leading|managing|runs?)\s+(?:a|an|the|their|our)?\s*(?:small\s+|large\s+)?"
            r"(?:team|group|pod|squad|department|org(?:anization)?)s?\b(?!\s+(?:meeting|call|project|initiative)s?\b)",
            r"\bmanages?\s+(?:a\s+)?(?:team|group)\s+of\b",
            r"\b(?:people|line)\s+manager\b",
        ],
        description=(
            "When the menu does not say, a role whose summary matches one of these is on the management path "
            '("Leads a team of 5 designers.").'
        ),
    )
    behaviors_labels: list[str] = Field(
        ["behaviors", "behaviours", "key behaviors", "expected behaviors", "what this looks like"],
        description="Labels that introduce a competency's bullet list.",
    )
    track_patterns: list[str] = Field(
        [
            r"roles? (?:with)?in (?:the )?(?P<track>.+?) (?:career )?(?:path|track|ladder|job family)\b",
            r"^(?P<track>.+?) (?:career )?(?:ladder|framework|career path|levels)\s*$",
        ],
        description="Where the track name is read from (first match in the intro wins).",
    )
    max_heading_words: int = Field(10, description="A line longer than this is never a role/competency name.")
    structure: StructureConfig = Field(
        default_factory=lambda: StructureConfig(), description="Ladder structure detection on the tree."
    )


class EntityPattern(Section):
    """A spaCy EntityRuler token pattern; `example` is exactly the text it labels."""

    label: str = Field(description="EXPERIENCE | ACCOUNT_SIZE | SEGMENT | TIER | LEVEL")
    pattern: list[dict] = Field(description="spaCy token pattern (list of token specs).")
    id: str | None = Field(None, description="Canonical value given to the match (e.g. 'Mid-Market').")
    example: str = Field(description="A text the pattern labels as a whole, tested.")


class TokenRule(Section):
    """A spaCy Matcher token pattern with an example text it matches (tested)."""

    pattern: list[dict]
    example: str


class FacetRule(Section):
    """Puts a role write-up paragraph into a facet; ordered, first match wins (lead sentence, then paragraph)."""

    facet: str = Field(description="Facet display name, used as the competency name.")
    pattern: str | None = Field(None, description="Case-insensitive regex over the text.")
    entity: str | None = Field(None, description="Matches when the text holds an entity of this label.")
    parties: str | None = Field(
        None, description="internal | external: also needs that side to dominate the people named."
    )
    example: str = Field(description="A paragraph this rule classifies (tested).")


class HeaderRule(Section):
    """A forum post header on one line: a regex with an `author` group and an optional `date` group.

    The author must read as a person's name or a user handle and the date as a date (`date_patterns`), so a
    body line of the same shape is not taken for a header. `example` is parsed into `author` and `date` (tested).
    """

    pattern: str = Field(description="Regex (case-insensitive) with groups `author` and optionally `date`.")
    example: str = Field(description="A header line this rule reads, tested.")
    author: str = Field(description="The author read from `example` (handles lose their `u/` or `@`).")
    date: str | None = Field(None, description="The date read from `example`, as shown.")


class PatternRule(Section):
    """A regex with an example line it matches (tested)."""

    pattern: str
    example: str


def _ents(*rows: tuple[str, list[dict], str | None, str]) -> list[EntityPattern]:
    return [EntityPattern(label=label, pattern=p, id=i, example=ex) for label, p, i, ex in rows]


_NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_NUM = {"TEXT": {"REGEX": r"^\d{1,2}(?:\.\d{1,2})?$"}}
_WORD_NUM = {"LOWER": {"IN": _NUMBER_WORDS}}
_PLUS_WORD = [{"ORTH": {"IN": ["-", "–"]}, "OP": "?"}, {"LOWER": {"IN": ["plus", "or"]}}, {"LOWER": "more", "OP": "?"}]
_RANGE = {"TEXT": {"REGEX": r"^\d{1,2}(?:\.\d{1,2})?[–—-]\d{1,2}(?:\.\d{1,2})?$"}}
_DASH = {"LOWER": {"IN": ["-", "–", "—", "to"]}}
_YEARS = {"LOWER": {"IN": ["year", "years", "yr", "yrs", "yr.", "yrs."]}}
_AT = {"LOWER": "at", "OP": "?"}
_LEAST = {"LOWER": {"IN": ["least", "minimum", "min", "over"]}}
_OF_EXP = [{"LOWER": "of"}, {"IS_ALPHA": True, "OP": "?", "LOWER": {"NOT_IN": ["experience"]}}, {"LOWER": "experience"}]
_AMOUNT = {"TEXT": {"REGEX": r"^\d[\d,]*(?:\.\d+)?[kKmM]?\+?$"}}
_UNIT = {"LOWER": {"IN": ["users", "seats", "employees", "licenses", "licences", "agents", "endpoints", "members"]}}
_MONEY_METRIC = {"LOWER": {"IN": ["acv", "arr", "mrr", "tcv", "acvs"]}}


def _default_entity_patterns() -> list[EntityPattern]:
    return _ents(
        (
            "EXPERIENCE",
            [_AT, {**_LEAST, "OP": "?"}, _NUM, _DASH, _NUM, _YEARS, *_OF_EXP],
            None,
            "3-4 Years of experience",
        ),
        ("EXPERIENCE", [_AT, {**_LEAST, "OP": "?"}, _NUM, _DASH, _NUM, _YEARS], None, "at least 1-1.5 years"),
        (
            "EXPERIENCE",
            [_AT, {**_LEAST, "OP": "?"}, _RANGE, _YEARS, *_OF_EXP],
            None,
            "4–6 years of relevant experience",
        ),
        ("EXPERIENCE", [_AT, {**_LEAST, "OP": "?"}, _RANGE, _YEARS], None, "4–6 years"),
        ("EXPERIENCE", [_NUM, {"ORTH": "+"}, _YEARS, *_OF_EXP], None, "1+ years of experience"),
        ("EXPERIENCE", [_NUM, {"ORTH": "+"}, _YEARS], None, "5+ yrs"),
        ("EXPERIENCE", [_AT, _LEAST, _NUM, _YEARS, *_OF_EXP], None, "at least 2 years of experience"),
        ("EXPERIENCE", [_AT, _LEAST, _NUM, _YEARS], None, "minimum 3 years"),
        ("EXPERIENCE", [_NUM, _YEARS, *_OF_EXP], None, "5 years of experience"),
        (
            "EXPERIENCE",
            [_AT, {**_LEAST, "OP": "?"}, _WORD_NUM, _DASH, _WORD_NUM, _YEARS, *_OF_EXP],
            None,
            "three to five years of experience",
        ),
        ("EXPERIENCE", [_AT, {**_LEAST, "OP": "?"}, _WORD_NUM, _DASH, _WORD_NUM, _YEARS], None, "two to four years"),
        ("EXPERIENCE", [_WORD_NUM, *_PLUS_WORD, _YEARS], None, "five-plus years"),
        ("EXPERIENCE", [_AT, _LEAST, _WORD_NUM, _YEARS], None, "at least two years"),
        ("EXPERIENCE", [_WORD_NUM, _YEARS, *_OF_EXP], None, "six years of experience"),
        ("ACCOUNT_SIZE", [_AMOUNT, _DASH, _AMOUNT, _UNIT], None, "25-250 users"),
        ("ACCOUNT_SIZE", [_AMOUNT, {"ORTH": "+", "OP": "?"}, _UNIT], None, "500+ seats"),
        (
            "ACCOUNT_SIZE",
            [
                _MONEY_METRIC,
                {"LOWER": {"IN": ["above", "over", "under", "below", "of", ">", "<", ">=", "<="]}},
                {"ORTH": {"IN": ["$", "€", "£"]}, "OP": "?"},
                _AMOUNT,
                {"LOWER": {"IN": ["k", "m", "mm"]}, "OP": "?"},
            ],
            None,
            "ACV above 100K",
        ),
        (
            "ACCOUNT_SIZE",
            [
                {"ORTH": {"IN": ["$", "€", "£"]}},
                _AMOUNT,
                {"LOWER": {"IN": ["k", "m", "mm"]}, "OP": "?"},
                {"ORTH": "+", "OP": "?"},
                _MONEY_METRIC,
            ],
            None,
            "$50K+ ARR",
        ),
        ("SEGMENT", [{"LOWER": {"IN": ["smb", "smbs"]}}], "SMB", "SMB"),
        (
            "SEGMENT",
            [{"LOWER": "mid"}, {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}, {"LOWER": {"IN": ["market", "markets"]}}],
            "Mid-Market",
            "Mid Market",
        ),
        ("SEGMENT", [{"LOWER": {"IN": ["midmarket", "mid-market"]}}], "Mid-Market", "midmarket"),
        ("SEGMENT", [{"ORTH": {"IN": ["Enterprise", "ENT"]}}], "Enterprise", "Enterprise"),
        (
            "SEGMENT",
            [{"LOWER": "enterprise"}, {"LEMMA": {"IN": ["account", "customer", "client", "segment", "deal", "logo"]}}],
            "Enterprise",
            "enterprise customers",
        ),
        (
            "SEGMENT",
            [{"LOWER": "strategic"}, {"LEMMA": {"IN": ["account", "customer", "client", "segment"]}}],
            "Strategic",
            "strategic accounts",
        ),
        ("TIER", [{"TEXT": {"REGEX": r"^(?:T|L|P|IC)[1-9]$"}}], None, "T1"),
        ("TIER", [{"LOWER": {"IN": ["tier", "level"]}}, {"TEXT": {"REGEX": r"^[1-9]$"}}], None, "Tier 2"),
        (
            "LEVEL",
            [
                {
                    "ORTH": {
                        "IN": [
                            "Associate",
                            "Junior",
                            "Senior",
                            "Staff",
                            "Principal",
                            "Lead",
                            "Manager",
                            "Director",
                            "Head",
                            "Intern",
                        ]
                    }
                }
            ],
            None,
            "Principal",
        ),
        ("LEVEL", [{"ORTH": {"IN": ["Sr", "Sr.", "SR"]}}], "Senior", "Sr."),
        ("LEVEL", [{"ORTH": {"IN": ["Jr", "Jr.", "JR"]}}], "Junior", "Jr"),
    )


_PEOPLE_CUE = (
    r"\b(?:works? (?:closely |directly |together |hand in hand )?with|collaborat\w*|cross[- ]functional\w*|"
    r"(?:well|highly|closely) connected with|interacts? with|liais\w*|relationships?|contributes? to|"
    r"partners? with|alongside|rapport|trusted (?:by|advisor|partner))\b"
)


class ProseConfig(Section):
    """The spaCy pipeline and the rules of the prose parsers (role write-ups, forum threads, articles)."""

    # ----------------------------------------------------------------------------------- nlp pipeline
    trained_pipeline: str | None = Field(
        None,
        description=(
            "A trained spaCy pipeline to use instead of spacy.blank('en') when it is installed, e.g. "
            "en_core_web_sm (parser and NER excluded). Default null: always the blank pipeline, so every "
            "machine gives byte-identical outputs whatever models it has."
        ),
    )
    tokenizer_exceptions: list[str] = Field(
        ["Sr.", "Jr.", "etc.", "approx.", "Inc.", "Mgr.", "Dir."],
        description="Abbreviations kept as one token so the sentencizer does not end a sentence at their dot.",
    )
    entity_patterns: list[EntityPattern] = Field(
        default_factory=_default_entity_patterns,
        description="EntityRuler patterns: experience ranges, account sizes, segments, tiers, level words.",
    )
    # ---------------------------------------------------------------------------------- role write-ups
    role_nouns: list[str] = Field(
        [
            "Manager",
            "Lead",
            "Leader",
            "Director",
            "Specialist",
            "Engineer",
            "Consultant",
            "Architect",
            "Associate",
            "Representative",
            "Rep",
            "Advisor",
            "Analyst",
            "Coordinator",
            "Executive",
            "Strategist",
            "Head",
            "Owner",
            "Administrator",
            "Agent",
            "Officer",
            "Principal",
            "VP",
            "Champion",
            "Partner",
            "Founder",
            "CEO",
            "COO",
            "CCO",
            "CTO",
            "CSM",
        ],
        description="Last word of a role title ('The Senior Support Engineer will ...'); in a forum signature, "
        "a line with one of these is the author's title, not the company.",
    )
    title_aliases: dict[str, str] = Field(
        {"Sr": "Senior", "Sr.": "Senior", "Jr": "Junior", "Jr.": "Junior", "Mgr": "Manager", "Mgr.": "Manager"},
        description="Title words spelled out when a role title is resolved ('Sr. PSM' -> 'Senior ...').",
    )
    role_intro_patterns: list[str] = Field(
        [
            r"^(?:The|An?|Our|Each)\s+(?P<title>(?:[A-Z][\w&/.'’-]*\s+){0,5}[A-Z][\w&/.'’-]*)(?:\s+\([A-Z][\w&]{1,7}\))?\s+"
            r"(?:will|is|are|leads?|owns?|manages?|works?|serves?|acts?|drives?|sits?|focuses|has|helps|takes)\b",
            r"^As (?:an?|the|our)\s+(?P<title>(?:[A-Z][\w&/.'’-]*\s+){0,5}[A-Z][\w&/.'’-]*),",
            r"^(?P<title>(?:[A-Z][\w&/.'’-]*\s+){0,5}[A-Z][\w&/.'’-]*)\s*[:–—]\s+\S",
        ],
        description="First sentence of a paragraph that introduces a role; first match wins; `title` group.",
    )
    management_rules: list[TokenRule] = Field(
        [
            TokenRule(
                pattern=[
                    {
                        "LEMMA": {"IN": ["lead", "manage", "head", "run", "supervise"]},
                        "ORTH": {"NOT_IN": ["Lead", "Head", "Manager"]},
                    },
                    {"IS_ALPHA": True, "OP": "{0,3}"},
                    {"LEMMA": {"IN": ["team", "pod", "squad", "department", "organization", "org"]}},
                ],
                example="will lead a PSM team",
            ),
            TokenRule(
                pattern=[
                    {"LEMMA": "manage"},
                    {"LOWER": {"IN": ["and", "&"]}},
                    {"LEMMA": {"IN": ["guide", "coach", "develop", "mentor", "grow", "support"]}},
                ],
                example="manage and guide",
            ),
            TokenRule(pattern=[{"LOWER": "direct"}, {"LEMMA": "report"}], example="direct reports"),
            TokenRule(
                pattern=[{"LOWER": "people"}, {"LOWER": {"IN": ["manager", "management", "leader"]}}],
                example="people manager",
            ),
            TokenRule(
                pattern=[
                    {"LEMMA": "hire"},
                    {"LOWER": {"IN": ["and", "&"]}},
                    {"LEMMA": {"IN": ["develop", "grow", "coach"]}},
                ],
                example="hires and develops",
            ),
        ],
        description="Phrases in a role's paragraphs that put it on the management path (never the word Lead alone).",
    )
    facet_rules: list[FacetRule] = Field(
        [
            FacetRule(
                facet="Experience",
                entity="EXPERIENCE",
                example="3-4 Years of experience, shadowed enterprise customers successfully end-to-end.",
            ),
            FacetRule(
                facet="Autonomy",
                pattern=r"\b(?:independent(?:ly)?|supervision|supervised|autonom(?:y|ous|ously)|self-directed|"
                r"(?:little|minimal|no) (?:guidance|direction|oversight))\b",
                example="Works independently under limited supervision.",
            ),
            FacetRule(
                facet="Knowledge",
                pattern=r"\b(?:knowledge|knowledgeable|masters?|mastery|expertise|expert in|"
                r"proficien(?:t|cy)|fluent|fluency|familiar(?:ity)? with)\b",
                example="Requires advanced knowledge of product, advanced workflows and integrations.",
            ),
            FacetRule(
                facet="Collaboration",
                pattern=_PEOPLE_CUE,
                parties="internal",
                example="Works closely with Sales managers and the product team.",
            ),
            FacetRule(
                facet="Relationships",
                pattern=_PEOPLE_CUE,
                parties="external",
                example="Maintains ongoing relationships with existing partners and customers.",
            ),
            FacetRule(
                facet="Scope and complexity",
                pattern=r"\b(?:complex\w*|complicated|difficult\w*|problems?|issues?|scope|spans?|"
                r"ambigu\w*|wide range|variety of|impact)\b",
                example="Faces problems that span a wide range of difficulties.",
            ),
        ],
        description="Facet of each paragraph after a role's introduction; ordered, first match wins.",
    )
    default_facet: str = Field("Summary", description="Facet of a paragraph no facet rule matches.")
    internal_parties: list[str] = Field(
        [
            "team",
            "teammate",
            "colleague",
            "peer",
            "manager",
            "member",
            "director",
            "leadership",
            "vp",
            "product",
            "engineering",
            "sales",
            "marketing",
            "support",
            "finance",
            "r&d",
            "department",
            "group",
            "guild",
            "management",
            "organization",
            "org",
            "executive",
            "head",
            "function",
            "squad",
            "pod",
        ],
        description="Lemmas of people inside the company (collaboration).",
    )
    external_parties: list[str] = Field(
        [
            "customer",
            "client",
            "partner",
            "vendor",
            "supplier",
            "ecosystem",
            "account",
            "user",
            "buyer",
            "prospect",
            "community",
            "reseller",
            "distributor",
            "integrator",
            "gsi",
            "gsis",
            "sponsor",
            "champion",
        ],
        description="Lemmas of people outside the company (relationships).",
    )
    # ---------------------------------------------------------------------------------------- forums
    badge_patterns: list[str] = Field(
        [
            r"\b(?:member\s+)?posts?:\s*\d[\d,]*\b.*$",
            r"^(?:replies|answers|kudos|likes|reputation|points|solutions|messages|joined)\s*:?\s*[\d,]+\s*$",
            r"^[\d,]+\s+(?:comments?|replies|likes?|kudos?|upvotes?|points|views|answers?|reactions?)"
            r"(?:\s*[·•|]\s*[\d,]+\s+\w+)*\s*$",
            r"^(?:first|second|third|fourth|fifth|\d+(?:st|nd|rd|th)?)\s+anniversary\s*$",
            r"^(?:contributor|seeker|expert|newbie|member|new member|visitor|frequent visitor|regular visitor|"
            r"champion|moderator|admin|administrator|mvp|top contributor|community manager|rising star|"
            r"occasional contributor|super contributor|valued contributor|all-star|explorer|advocate|trailblazer|"
            r"ranger|legend|guide|ambassador|regular|newcomer|leader|trusted member|active member)\s*$",
            r"^(?:tagged|tags|comments|replies|reply|quote|share|report|like|follow|accepted solution|"
            r"best answer|solved!?|go to solution|permalink|helpful|upvote|downvote)\s*:?\s*$",
            r"^edited\b.*$",
            r"^(?:solved|accepted|pinned|locked)\b\s*$",
            r"^(?:contributor|expert|champion|trailblazer|ranger|mvp|member|visitor|explorer|advocate|legend|"
            r"guide|ambassador|moderator|staff|leader|regular|newcomer)\s+(?:i{1,3}|iv|v|\d)\s*$",
            r"^(?:top\s+\d+%\s+\w+|op|original poster|verified|employee|partner|community (?:manager|team))\s*$",
            r"^(?:(?:reply|share|save|report|award|follow|like|likes|quote|flag|copy link|more|upvote|downvote|vote|"
            r"votes|give award|kudos|answer|answers|comment|comments|replies|points|views|mark as (?:best )?answer|"
            r"report inappropriate content|view thread|subscribe|bookmark|edit|delete|translate|helpful|not helpful|"
            r"select as best|top|\d[\d,.]*k?|…|\.\.\.)\s*[·•|/]?\s*)+$",
            r"^message:\s*\d+$",
            r"^re:\s.{1,120}$",
            r"^(?:upvote|vote|▲|⬆)?\s*[+-]?\d[\d,.]*k?\s*(?:downvote|▼|⬇|points?|votes?|upvotes?|likes?|kudos|"
            r"helpful)?\s*$",
            r"^\W*(?:best answer|accepted answer|answer selected|marked as answer|selected as best|solution)\b.*$",
            r"^(?:solved!?\s*)?go to solution\.?$",
            r"^(?:replies|comments|answers)\s*:\s*[\d,]+\s+\w+(?:\s*[·•|]\s*[\d,]+\s+\w+)*\s*$",
            r"^r/\w+$",
            r"^#[\w-]+$",
            r"^(?:options|labels?|printer friendly page|mark as new|mute|subscribe to rss feed)\s*:?$",
            r"^(?:(?::[\w+-]+:|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2764]\ufe0f?)\s*\d*\s*)+$",
            r"^\d+\s+(?:more\s+)?(?:replies|reply|comments?|answers?)\b.*$",
            r"^(?:last reply|view (?:\d+ )?(?:more )?(?:replies|thread)|show (?:\d+ )?(?:more )?replies|"
            r"load more|continue this thread|more replies)\b.*$",
            r"^\(edited\)\s*$",
        ],
        description="Forum furniture dropped from posts (badges, counters, ranks, votes, buttons such as 'Reply · "
        "Share · Save', reactions, 'Best Answer', 'N replies', 'edited …').",
    )
    date_patterns: list[str] = Field(
        [
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b",
            r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d\d\b",
            r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+(?:19|20)\d\d\b",
            r"\b(?:19|20)\d\d-\d\d-\d\d\b",
            r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d\b",
            r"\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b",
            r"\b\d+\s*(?:yr|yrs|y|mo|mos|mth|w|wk|wks|d|h|hr|hrs|m|min|mins)\.?\s+ago\b",
            r"^\d+\s?(?:y|yr|mo|w|wk|d|h|hr|m|min)s?\.?$",
            r"\b(?:yesterday|today)(?:\s+at\s+\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?)?",
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
            r"(?:,?\s+(?:at\s+)?\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?)?",
            r"\b\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?\b)?",
        ],
        description="Dates in post headers, kept as shown ('edited October 2020', 'Mar 3, 2024', '10-23-2020', "
        "'3 yr. ago', '2d', 'Yesterday at 4:05 PM', 'Mar 3', '10:42 AM'); first match wins.",
    )
    author_line_patterns: list[str] = Field(
        [
            r"^(?:posted|post|asked|answered|replied|commented|written)\s+by\s+(?P<author>(?:u/|@)?[^·•|,@»]+?)"
            r"(?:\s*[·•|,»]\s*(?P<rest>.*))?$",
            r"^(?P<author>[^·•|:]+?)\s+(?:replied|posted|commented|asked|answered)\b\s*[·•|,]?\s*(?P<rest>.*)$",
            r"^(?P<author>[^·•|]+?)\s*[·•|]\s*(?P<rest>.*)$",
        ],
        description="A line that names a post's author ('Posted by Jo Doe · Mar 3, 2024'); first match wins.",
    )
    post_header_rules: list[HeaderRule] = Field(
        [
            HeaderRule(
                pattern=r"^(?:r/\w+\s*[·•|]?\s*)?(?:posted by\s+)?(?P<author>u/[\w-]+)(?:\s*[·•|]?\s*(?P<date>\S.*))?$",
                example="Posted by u/csm_lena · 3 yr. ago",
                author="csm_lena",
                date="3 yr. ago",
            ),
            HeaderRule(
                pattern=r"^(?P<author>@?[^\s@·•|][^·•|]{0,40}?)\s+(?:commented|replied|answered|responded|wrote|posted|"
                r"asked)(?:\s+in\s+[^·•|]+?)?(?:\s+on)?\s*[·•|]?\s*"
                r"(?P<date>\S.*?)(?:\s*[·•|]\s*edited.*)?$",
                example="@rui-santos commented on Mar 3, 2023",
                author="rui-santos",
                date="Mar 3, 2023",
            ),
            HeaderRule(
                pattern=r"^(?P<author>[^\s·•|»:][^·•|»:]{0,40}?)\s*(?:\(\s*[^()]{1,40}\)\s*)?(?:\s+(?:OP|op))?"
                r"\s*[·•|»—–-]\s*(?P<date>\S.*)$",
                example="marcus_t OP · 2 yr. ago",
                author="marcus_t",
                date="2 yr. ago",
            ),
            HeaderRule(
                pattern=r"^(?P<author>[^\s\[][^\[\]:]{0,40}?)(?:\s+:[\w+-]+:)?\s+\[?(?P<date>(?:(?:today|yesterday|"
                r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)\s+(?:at\s+)?)?\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?)\]?$",
                example="Priya Natarajan 10:42 AM",
                author="Priya Natarajan",
                date="10:42 AM",
            ),
            HeaderRule(
                pattern=r"^(?P<author>[^\s:][^:]{0,40}?)\s*(?:\(\s*[^()]{1,40}\)\s*)?\s(?:asked a question|"
                r"asked(?:\s+in\b.*)?|started (?:this|a) (?:conversation|discussion|thread)|created a (?:post|topic))\b.*$",
                example="Omar Haddad (Customer) asked a question.",
                author="Omar Haddad",
            ),
        ],
        description="One-line post headers (author and date) in the shapes of common forum software; first match "
        "wins. Two-line headers (a name or handle, then a date or badge line) need no rule.",
    )
    handle_pattern: str = Field(
        r"^@?(?=[\w.-]*[a-z])[a-z0-9][\w.-]{1,38}$",
        description="A user handle standing for an author ('rosa.m', '@devon-r'); only a post header when a date "
        "follows it.",
    )
    depth_patterns: list[PatternRule] = Field(
        [PatternRule(pattern=r"^level\s+(?P<depth>\d{1,2})$", example="level 2")],
        description="A line giving the nesting depth of the next post (1 = a reply to the question).",
    )
    reply_mention_patterns: list[PatternRule] = Field(
        [
            PatternRule(
                pattern=r"^(?:replying to|in reply to|reply to)\s+@?(?P<author>[\w.-]+(?:\s+[A-Z][\w.-]+)?)",
                example="Replying to @rosa.m",
            ),
            PatternRule(pattern=r"^@(?P<author>[\w.-]+)\b", example="@devon-r agreed, and"),
        ],
        description="A reply naming the post it answers (its parent: the latest post by that author).",
    )
    signature_pattern: str = Field(
        r"^--\s*$",
        description="A signature fence ('-- '): the short lines after it are the author's signature, dropped.",
    )
    inline_furniture_patterns: list[PatternRule] = Field(
        [PatternRule(pattern=r"\s*\((?:edited|modifié|bearbeitet)\)\s*$", example="Thanks for this! (edited)")],
        description="Furniture at the end of a body line, cut from it ('(edited)').",
    )
    quote_block_patterns: list[str] = Field(
        [r"^-*\s*original message\s*:?\s*-*$", r"^-+\s*forwarded message\s*-+$"],
        description="Start of a quoted copy that runs to the end of the post (mail-style quoting): dropped.",
    )
    quote_line_patterns: list[str] = Field(
        [
            r"^>",
            r"^(?:quote|quoting)\b.*$",
            r"^on .+ wrote:?\s*$",
            r"^.{1,60}\s(?:wrote|said):\s*(?:↑.*)?$",
            r"^le .+ a écrit\s*:?\s*$",
        ],
        description="A quoted line, or one that introduces a quote: dropped (the copy it introduces is "
        "removed as a repeat of the earlier post).",
    )
    quote_meta_patterns: list[str] = Field(
        [r"^(?P<key>from|sent|subject|to|date|cc)\s*:\s*(?P<value>.*)$"],
        description="Header lines of a quoted copy (From:, Sent:, Subject:); read for metadata, then dropped.",
    )
    rule_pattern: str = Field(r"^\s*[-_=*~—–]{3,}\s*$", description="A horizontal rule (signature and quote fences).")
    promotion_patterns: list[str] = Field(
        [
            r"\bpromot\w*",
            r"\bto become\b",
            r"\bto move (?:up|to|into)\b",
            r"\blevel up\b",
            r"\bcriteria\b",
            r"\bready for (?:the )?next\b",
            r"\btraining path\b",
        ],
        description="A level sentence about getting to the next level (promotion criteria).",
    )
    ownership_patterns: list[str] = Field(
        [
            r"\b(?:manag|handl|own|cover|carr|run|responsible for|look after|assigned|take)\w*\b.{0,80}?"
            r"\b(?:accounts?|customers?|clients?|book|portfolio|logos?|tenants?)\b"
        ],
        description="A level sentence about the accounts the level owns (with or without a segment named).",
    )
    addition_patterns: list[str] = Field(
        [r"\b(?:add|adding|also|expect\w*|should|must|needs? to|would include|missing)\b"],
        description="A later reply's sentence that adds to a level it names (attached to that level).",
    )
    # -------------------------------------------------------------------------------------- articles
    furniture_start_patterns: list[str] = Field(
        [
            r"^(?:you (?:may|might) also like|related (?:posts|articles|reading|content)|read next|more from|"
            r"recommended (?:for you|reading)|keep reading|further reading|share this|subscribe to|popular posts)\b"
        ],
        description="A line where the article ends and site furniture begins (dropped to the end).",
    )
    guidance_cues: dict[str, str] = Field(
        {
            "responsibility": r"\bresponsib\w*|\baccountabilit\w*",
            "mindset": r"\bmindsets?\b|\bvalues\b|\bprinciples\b|\battitudes?\b",
            "skill_set": r"\bskill ?sets?\b|\bskills\b|\bcompetenc(?:y|ies)\b|\bcapabilit(?:y|ies)\b",
            "dimension": r"\bdimensions?\b|\bpillars?\b|\bfoundations?\b",
            "metric": r"\bmetrics?\b|\bkpis?\b|\bindicators?\b",
        },
        description="Cue of the list a sentence introduces (named items follow); the nearest cue before the items wins.",
    )
    purpose_patterns: list[str] = Field(
        [
            r"\b(?P<name>purpose statement)s?\b",
            r"\b(?P<name>team purpose)\b",
            r"\b(?P<name>mission statement)s?\b",
            r"\b(?P<name>charter)\b",
        ],
        description="Names a purpose statement; first match wins; its example is the next quoted paragraph.",
    )
    metric_patterns: list[str] = Field(
        [r"\b(?:metrics?|kpis?|(?:leading|lagging) indicators?|scorecards?)\b"],
        description="A paragraph about metrics ...",
    )
    guidance_modal_pattern: str = Field(
        r"\b(?:should|must|need to|establish|choose|align\w*|track|monitor|avoid)\b",
        description="... that gives guidance (becomes a `metric` guidance item).",
    )
    guidance_names: dict[str, str] = Field(
        {"metric": "Metrics"}, description="Name of a guidance item whose section has no name in the text."
    )
    name_stopwords: list[str] = Field(
        [
            "is",
            "are",
            "was",
            "means",
            "refers",
            "around",
            "about",
            "of",
            "for",
            "with",
            "in",
            "on",
            "to",
            "that",
            "which",
            "the",
            "a",
            "an",
            "this",
            "these",
            "our",
            "your",
            "we",
            "it",
            "and",
            "or",
            "by",
            "as",
            "at",
            "within",
            "across",
            "into",
            "from",
            "through",
            "so",
            "when",
            "where",
            "because",
            "while",
            "if",
        ],
        description="Words that end the name at the start of a list item ('Team enablement is about …').",
    )
    max_name_words: int = Field(4, description="A named item (mindset, dimension, …) has at most this many words.")
