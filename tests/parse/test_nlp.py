"""The spaCy pipeline: built once, patterns label exactly their examples, years are read right."""

from __future__ import annotations

import pytest

from pipeline.config import Config, ProseConfig
from pipeline.parse.nlp import bench, entity_value, experience_years, get_matcher, get_nlp
from tests.conftest import RAW

CONFIG = Config()


def test_pipeline_built_once_per_process() -> None:
    nlp = get_nlp(CONFIG)
    assert get_nlp(Config()) is nlp  # an equal config reuses it
    assert get_nlp(CONFIG.prose) is nlp
    assert nlp.pipe_names == ["sentencizer", "lemmatizer", "lowercase_lemmas", "entity_ruler"]
    other = get_nlp(ProseConfig(tokenizer_exceptions=[]))
    assert other is not nlp


@pytest.mark.parametrize("pattern", CONFIG.prose.entity_patterns, ids=lambda p: f"{p.label}:{p.example}")
def test_entity_pattern_labels_its_example(pattern) -> None:
    doc = get_nlp(CONFIG)(pattern.example)
    assert [(e.text, e.label_, e.ent_id_ or None) for e in doc.ents] == [(pattern.example, pattern.label, pattern.id)]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("1+ years", (1, None)),
        ("3-4 Years of experience", (3, 4)),
        ("0-1 years", (0, 1)),
        ("4–6 years", (4, 6)),
        ("at least 1-1.5 years", (1, 1.5)),
        ("at least 2 years", (2, None)),
        ("5 years of experience", (5, 5)),
    ],
)
def test_experience_years(text: str, years: tuple) -> None:
    doc = get_nlp(CONFIG)(f"We ask for {text} in the role.")
    assert [e.label_ for e in doc.ents] == ["EXPERIENCE"]
    assert experience_years(doc.ents[0].text) == years


def test_entities_in_running_text() -> None:
    doc = get_nlp(CONFIG)(
        "Sr CSM (T3) owns Mid-Market and Enterprise accounts (ACV above 100K) with 25-250 users after 4–6 years."
    )
    assert [(e.text, e.label_, entity_value(e)) for e in doc.ents] == [
        ("Sr", "LEVEL", "Senior"),
        ("T3", "TIER", "T3"),
        ("Mid-Market", "SEGMENT", "Mid-Market"),
        ("Enterprise accounts", "SEGMENT", "Enterprise"),
        ("ACV above 100K", "ACCOUNT_SIZE", "ACV above 100K"),
        ("25-250 users", "ACCOUNT_SIZE", "25-250 users"),
        ("4–6 years", "EXPERIENCE", "4–6 years"),
    ]


def test_sentences_do_not_end_at_abbreviations() -> None:
    doc = get_nlp(CONFIG)("The Sr. CSM drives renewals, etc. and more. Covers ARR over $200K. Next one.")
    assert [s.text for s in doc.sents] == [
        "The Sr. CSM drives renewals, etc. and more.",
        "Covers ARR over $200K.",
        "Next one.",
    ]


def test_lemmas_of_sentence_initial_words() -> None:
    doc = get_nlp(CONFIG)("Manages partners. Leads teams.")
    assert [t.lemma_ for t in doc if t.is_alpha] == ["manage", "partner", "lead", "team"]


@pytest.mark.parametrize("rule", CONFIG.prose.management_rules, ids=lambda r: r.example)
def test_management_rule_matches_its_example(rule) -> None:
    nlp = get_nlp(CONFIG)
    matcher = get_matcher(nlp, [rule])
    assert matcher(nlp(f"She {rule.example} here."))


@pytest.mark.parametrize(
    "text", ["The PS Lead will own the roadmap.", "The Support Lead works with the team.", "Mentors new hires."]
)
def test_management_rules_ignore_the_word_lead_alone(text: str) -> None:
    nlp = get_nlp(CONFIG)
    assert get_matcher(nlp, CONFIG.prose.management_rules)(nlp(text)) == []


def test_bench_reports_throughput() -> None:
    result = bench(RAW, CONFIG, repeat=1)
    assert result["documents"] == 5.0
    assert result["words"] > 3000
    assert result["words_per_second"] > 0
