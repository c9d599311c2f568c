from __future__ import annotations

import dataclasses
import socket
import time

import pytest

from pulsebot.services.results import sentiment
from pulsebot.services.results.sentiment import NEGATIVE_FROM, POSITIVE_FROM, Sentiment, score_text


def test_a_shrug_is_not_positive() -> None:
    # TextBlob alone rates this +0.36 because of "special".
    result = score_text("Meh. Nothing special.")
    assert result.score <= 0.05
    assert result.label != "positive"


def test_workplace_worries_are_negative() -> None:
    # TextBlob alone rates this 0.0: it knows neither "layoffs" nor "unbearable".
    result = score_text("worried about the layoffs, workload is unbearable")
    assert result.label == "negative"
    assert result.score < -0.3


@pytest.mark.parametrize(
    "text",
    [
        "I love working with this team, my manager is supportive and the hours are flexible!",
        "Great onboarding, everyone was really helpful.",
        "I feel appreciated here.",
    ],
)
def test_clear_praise_is_positive(text: str) -> None:
    assert score_text(text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "The culture here is toxic and I am close to burnout.",
        "I feel micromanaged and underpaid.",
        "We are understaffed again and the overtime never ends.",
        "Honestly the new expenses process is terrible.",
    ],
)
def test_clear_complaints_are_negative(text: str) -> None:
    assert score_text(text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "The all-hands meeting moved to Thursday at 10am.",
        "Please add a vegetarian option to the canteen menu.",
        "Tickets from the support queue are triaged on Mondays.",
    ],
)
def test_factual_sentences_are_neutral(text: str) -> None:
    assert score_text(text) == Sentiment(score=0.0, label="neutral")


def test_negated_criticism_is_not_negative() -> None:
    assert score_text("not bad at all").label != "negative"


def test_negated_workplace_word_flips() -> None:
    assert score_text("The new team lead is not supportive.").label == "negative"


def test_stretched_words_count_like_the_plain_ones() -> None:
    assert score_text("sooo goooood").score == pytest.approx(score_text("so good").score, abs=1e-3)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_text_is_neutral_zero(text: str) -> None:
    assert score_text(text) == Sentiment(score=0.0, label="neutral")


def test_very_long_text_is_scored_quickly() -> None:
    text = "The team is great and the support from my manager is amazing. " * 1500  # ~96,000 characters
    started = time.perf_counter()
    result = score_text(text)
    # Scored in one piece VADER would need over half a minute for this.
    assert time.perf_counter() - started < 5
    assert result.label == "positive"


def test_long_text_without_sentence_breaks_is_scored() -> None:
    result = score_text("awful " * 5000 + "x" * 3000)
    assert result.label == "negative"
    assert -1.0 <= result.score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "BEST. TEAM. EVER!!!!! I LOVE IT SO MUCH :) :D",
        "worst worst worst horrible awful disgusting toxic hell!!!!",
        "great " * 400,
        "terrible " * 400,
        "not not not not good",
        "?!?!?!",
        "😀😀😀 🎉",
        "12345 67890",
    ],
)
def test_score_is_bounded_and_matches_its_label(text: str) -> None:
    result = score_text(text)
    assert -1.0 <= result.score <= 1.0
    expected = (
        "positive"
        if result.score >= POSITIVE_FROM
        else "negative"
        if result.score <= NEGATIVE_FROM
        else "neutral"
    )
    assert result.label == expected


def test_sentiment_is_immutable() -> None:
    result = score_text("fine")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 1.0  # type: ignore[misc]


def test_first_use_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scorer tried to open a socket")

    monkeypatch.setattr(sentiment, "_vader_state", None)  # force the lexicons to load again
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert score_text("Thanks, this was really useful!").label == "positive"


# Workplace comments written for these tests, each labelled by the sentiment it plainly carries. Neither
# TextBlob nor VADER alone knows that work slipping, being blocked or waiting is a complaint: the first one
# scored +0.05 and read as praise in a digest ("0% negative, 100% positive").
WORKPLACE_COMMENTS = [
    ("Too many meetings again; the billing migration work kept slipping.", "negative"),
    ("Blocked on the platform team again.", "negative"),
    ("Still waiting on legal for the contract review.", "negative"),
    ("We are understaffed and the release slipped again.", "negative"),
    ("Too many meetings, no time left for tickets.", "negative"),
    ("The deadline keeps slipping.", "negative"),
    ("Another week of firefighting.", "negative"),
    ("We are short staffed on Fridays.", "negative"),
    ("Constant context switching between tickets.", "negative"),
    ("The launch got pushed back again.", "negative"),
    ("The release went out on time, nice work everyone.", "positive"),
    ("Finally unblocked, thanks to the platform team.", "positive"),
    ("The new on-call rota is working well.", "positive"),
    ("Not too many meetings this week, great.", "positive"),
    ("The all-hands moved to Thursday.", "neutral"),
    ("The migration starts on Monday.", "neutral"),
]


@pytest.mark.parametrize(("text", "label"), WORKPLACE_COMMENTS)
def test_workplace_complaints_and_praise_read_as_people_mean_them(text: str, label: str) -> None:
    assert score_text(text).label == label
