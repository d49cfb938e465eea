"""Normalized forms (each folding rule with its exact output) and atomization of bullets."""

from __future__ import annotations

import pytest

from pipeline.build.atomize import Atomizer, split_statements
from pipeline.build.normalize_text import TextNormalizer
from pipeline.config import NormalizeConfig

CFG = NormalizeConfig()
N = TextNormalizer(CFG)


def test_fold_unicode_quotes_and_dashes() -> None:
    assert N.fold_unicode("Is the \u201cgo\u2011to\u201d \u2013 always\u2019s") == 'Is the "go-to" - always\'s'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The CSM will follow all processes", "follow all processes"),
        ("CSM will invest time", "invest time"),
        ("CSMs should collaborate widely", "collaborate widely"),
        ("Will actively act to replace champions", "actively act to replace champions"),
        ("will actively identify areas", "actively identify areas"),
        ("CSM will be able to speak to pros", "speak to pros"),
        ("Is able to give feedback", "give feedback"),
        ("Can analyze basic data", "analyze basic data"),
        ("Team members know where they stand", "Team members know where they stand"),
        ("Will", "Will"),
    ],
)
def test_strip_subject(text: str, expected: str) -> None:
    assert N.strip_subject(text) == expected


def test_fold_punctuation() -> None:
    assert (
        N.fold_punctuation("cross-functional partners, client's goals & q/a")
        == "crossfunctional partners client goals and q a"
    )


def test_lemmatize_keeps_guard_words_and_short_words() -> None:
    assert N.lemmatize("ensures the most accurate reports") == ("ensure", "most", "accurate", "report")
    assert N.lemmatize("cs engagements as needed") == ("cs", "engagement", "as", "need")
    assert N.lemmatize("better leaders") == ("better", "leader")
    assert N.lemmatize("customers utilize") == ("client", "use")


def test_american_spelling_only_when_the_word_exists() -> None:
    assert N.american("analyses") == "analyzes"
    assert N.american("behaviour") == "behavior"
    assert N.american("organisations") == "organizations"
    assert N.american("promise") == "promise"
    assert N.american("your") == "your"


def test_numbers_in_digits_and_words() -> None:
    assert N.analyze("Forecast 3-4 events, two months ahead (1.5 days)").numbers == ("1.5", "3", "4", "two")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Keeps portfolio board up to date and organized, ensure accurate reporting of CS engagements",
            "Keeps portfolio board up to date and organized, ensures accurate reporting of CS engagements",
        ),
        ("The CSM will invest time in their account plan.", "Invests time in their account plan"),
        (
            "Strong ability to increase the amount of relationships",
            "Strong ability to increase amount of relationships",
        ),
        ("Provide direct, clear, and effective feedback", "Provide direct, clear and effective feedback"),
        ("Analyses missing data points", "Analyzes missing data points"),
    ],
)
def test_same_form(a: str, b: str) -> None:
    assert N.normalize(a) == N.normalize(b)


def test_analyze_exact_form() -> None:
    assert N.normalize("The CSM will keep the boards up to date.") == "keep board up to date"
    assert N.normalize("Becoming proficient in executing the most common basic \u201cplays\u201d") == (
        "become proficient in execute most common basic play"
    )


# ------------------------------------------------------------------------------------------- atomize


def test_split_two_sentences() -> None:
    bullet = "Will actively act to replace champions if the need arises. Strong ability to increase the amount of relationships"
    assert split_statements(bullet, CFG) == [
        "Will actively act to replace champions if the need arises.",
        "Strong ability to increase the amount of relationships",
    ]


def test_split_on_semicolon() -> None:
    bullet = (
        "Speaks openly about risks with team lead and team members; will actively identify areas where help of any "
        "kind is needed to get a customer to achieve the full value of our product"
    )
    assert split_statements(bullet, CFG) == [
        "Speaks openly about risks with team lead and team members",
        "will actively identify areas where help of any kind is needed to get a customer to achieve the full value "
        "of our product",
    ]


@pytest.mark.parametrize(
    "bullet",
    [
        "Empower individuals to make decisions. Giving them the tools and then taking a step back",
        "Leads sessions for the team (i.e. Bi-Weekly knowledge share)",
        "Uses resources, e.g. Slack channels and boards",
        "Identifies risks early and acts on them.",
        "Fluent. Keeps everyone on top of the goals",
    ],
)
def test_no_split(bullet: str) -> None:
    assert Atomizer(CFG).split(bullet) == [bullet]


def test_split_three_statements() -> None:
    assert split_statements("Fluent in the details. Gets their hands dirty. Brings a can-do approach", CFG) == [
        "Fluent in the details.",
        "Gets their hands dirty.",
        "Brings a can-do approach",
    ]


def test_normalize_config_round_trips_through_yaml(tmp_path) -> None:
    import yaml

    from pipeline.config import Config, load_config

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"normalize": Config().normalize.model_dump(mode="json")}), encoding="utf-8")
    assert load_config(path).normalize == NormalizeConfig()
