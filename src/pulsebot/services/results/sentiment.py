"""Sentiment of a comment or idea: one score in [-1, 1] and a label, computed locally.

TextBlob alone misreads short workplace comments ("Meh. Nothing special." comes out positive, "worried
about the layoffs" neutral), so the score blends it with VADER, whose rules handle negation ("not",
"nothing", "no"), boosters ("very", "barely"), ALL-CAPS, "but" and exclamation marks, and whose lexicon
we extend with workplace vocabulary. Everything ships inside the two packages: no downloads, no corpora.
"""

from __future__ import annotations

import re
import textwrap
import threading
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer

# Valences on VADER's scale (-4 extremely negative … +4 extremely positive). Words VADER already rates
# are here only where the workplace sense differs from its crowd rating (it has "favoritism" at +0.7,
# "supportive" at a lukewarm +1.2 and has no "toxic" or "layoffs" at all).
WORKPLACE_LEXICON: dict[str, float] = {
    # strain and workload
    "burnout": -2.6,
    "burned-out": -2.4,
    "burnt-out": -2.4,
    "overworked": -2.3,
    "overloaded": -1.8,
    "understaffed": -2.0,
    "understaffing": -2.0,
    "overtime": -1.0,
    "unsustainable": -2.0,
    "unbearable": -2.8,
    "crunch": -1.2,
    # job security and pay
    "layoff": -2.4,
    "layoffs": -2.4,
    "redundancies": -2.0,
    "attrition": -1.2,
    "underpaid": -2.2,
    # how people are treated
    "toxic": -2.9,
    "micromanaged": -2.1,
    "micromanaging": -2.1,
    "micromanagement": -2.0,
    "micromanager": -1.9,
    "undervalued": -2.2,
    "unappreciated": -2.2,
    "overlooked": -1.2,
    "favoritism": -2.1,
    "favouritism": -2.1,
    "demotivated": -2.0,
    "demotivating": -2.0,
    # how work is organised
    "disorganised": -1.2,
    "bureaucracy": -1.3,
    "bureaucratic": -1.4,
    "siloed": -1.2,
    # work that does not move: plans slip, people are blocked, fires need fighting
    "slipping": -1.5,
    "slipped": -1.4,
    "slips": -1.1,
    "blocker": -1.2,
    "blockers": -1.2,
    "unblocked": 1.2,
    "firefighting": -1.5,
    "fire-fighting": -1.5,
    "overcommitted": -1.8,
    "overbooked": -1.5,
    "swamped": -1.8,
    "short-staffed": -2.0,
    "deprioritised": -1.2,
    "deprioritized": -1.2,
    "overrun": -1.3,
    "bottleneck": -1.3,
    "bottlenecks": -1.3,
    # the good side
    "supportive": 2.0,
    "flexible": 1.5,
    "flexibility": 1.5,
    "autonomy": 1.6,
    "empowered": 2.0,
    "empowering": 2.0,
    "recognised": 1.6,
    "recognized": 1.6,
    "recognition": 1.6,
    "mentoring": 1.5,
    "mentorship": 1.5,
    "collaborative": 1.7,
    "inclusive": 1.8,
    "transparent": 1.4,
    "transparency": 1.4,
    "approachable": 1.8,
    "shoutout": 1.8,
    "shout-out": 1.8,
    "wellbeing": 1.2,
    "well-being": 1.2,
    "upskilling": 1.2,
    # Words that read as praise to VADER but are routine in feedback: "support" names a team and an idea
    # category ("the support rota"), ideas are requests ("please add …"), and "honestly" opens criticism
    # as often as praise.
    "support": 0.0,
    "please": 0.0,
    "honestly": 0.0,
}

# Complaints that are phrases rather than words: neither lexicon knows that "too many meetings" or
# "still waiting on legal" is a complaint (TextBlob even reads "many" as praise). Each is replaced, before
# scoring, by one made-up word that only our VADER lexicon knows, with the valence of the phrase.
WORKPLACE_PHRASES: tuple[tuple[str, str, float], ...] = (
    (r"too (?:many|much)", "xphrasetoomany", -1.6),
    (
        r"(?:still )?waiting (?:on|for) (?:approvals?|legal|sign-?off|answers?|feedback|a decision|them)",
        "xphrasewaitingon",
        -1.3,
    ),
    (r"(?:blocked|stuck) (?:on|by)", "xphraseblockedon", -1.5),
    (r"no time (?:left|for|to)", "xphrasenotime", -1.5),
    (r"short staffed", "xphraseshortstaffed", -2.0),
    (r"(?:fell|falling|fallen|getting|got) behind", "xphrasebehind", -1.4),
    (r"pushed (?:back|out)|keeps? (?:getting|being) pushed", "xphrasepushedback", -1.1),
    (r"context[- ]switching", "xphrasecontextswitching", -1.2),
    (r"last[- ]minute", "xphraselastminute", -1.0),
    (r"scope creep", "xphrasescopecreep", -1.4),
)
_PHRASES = tuple(
    (re.compile(rf"\b{pattern}\b", re.IGNORECASE), token, valence)
    for pattern, token, valence in WORKPLACE_PHRASES
)

# Label cut-offs: VADER's published convention for its compound score (>= 0.05 positive, <= -0.05
# negative). The blend below stays on the same [-1, 1] scale, and the margin keeps comments that carry
# only a faint trace of opinion ("fine, I guess") neutral.
POSITIVE_FROM = 0.05
NEGATIVE_FROM = -0.05

# Blend weights. VADER's compound score measures how strong the opinion is; its positive-minus-negative
# share measures how much of the text carries it (so one mild word in a long factual sentence counts
# for less); TextBlob is a second, independent lexicon that catches words VADER lacks. The weights are
# round numbers from a coarse search on the VADER paper's human-rated tweets and product reviews
# (benchmarks/sentiment.py); nearby weights score within a hundredth of r on both sets.
_COMPOUND_WEIGHT = 0.5
_BALANCE_WEIGHT = 0.25
_TEXTBLOB_WEIGHT = 0.25

# VADER's rules re-scan the whole word list for every word, so its time grows with the square of the
# length (about 7 s for 44,000 characters). Longer texts are scored in pieces of about this size.
_CHUNK_CHARS = 1_000

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_ELONGATED_WORD = re.compile(r"\b[A-Za-z]*([A-Za-z])\1{2,}[A-Za-z]*\b")
_LETTER_RUN = re.compile(r"([A-Za-z])\1{2,}")


@dataclass(frozen=True)
class Sentiment:
    score: float  # in [-1, 1]
    label: str  # "negative" | "neutral" | "positive"


def score_text(text: str) -> Sentiment:
    text = text.strip()
    if not text:
        return Sentiment(score=0.0, label="neutral")
    chunks = _chunks(text)
    if len(chunks) == 1:
        score = _blended_score(text)
    else:
        score = sum(_blended_score(chunk) * len(chunk) for chunk in chunks) / sum(map(len, chunks))
    score = round(max(-1.0, min(1.0, score)), 4)
    return Sentiment(score=score, label=_label(score))


def _label(score: float) -> str:
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_FROM:
        return "negative"
    return "neutral"


def _blended_score(text: str) -> float:
    from textblob import TextBlob  # see _vader

    vader, vocabulary = _vader()
    text = _shorten_elongations(text, vocabulary)
    for pattern, token, _ in _PHRASES:
        text = pattern.sub(token, text)
    scores = vader.polarity_scores(text)
    return (
        _COMPOUND_WEIGHT * scores["compound"]
        + _BALANCE_WEIGHT * (scores["pos"] - scores["neg"])
        + _TEXTBLOB_WEIGHT * TextBlob(text).sentiment.polarity
    )


def _shorten_elongations(text: str, vocabulary: frozenset[str]) -> str:
    """Map "sooo goooood" to "so good" so both lexicons recognise the words; unknown words stay as typed."""

    def shorten(match: re.Match[str]) -> str:
        word = match.group(0)
        for run_length in (2, 1):  # "coooool" is "cool", "goooood" is "good", "loooove" is "love"
            candidate = _LETTER_RUN.sub(r"\1" * run_length, word)
            if candidate.lower() in vocabulary:
                return candidate
        return word

    return _ELONGATED_WORD.sub(shorten, text)


def _chunks(text: str) -> list[str]:
    if len(text) <= _CHUNK_CHARS:
        return [text]
    # Whole sentences where possible, so VADER's negation and "but" rules see their context.
    pieces: list[str] = []
    for sentence in _SENTENCE_BREAK.split(text):
        pieces.extend(textwrap.wrap(sentence, _CHUNK_CHARS) if len(sentence) > _CHUNK_CHARS else [sentence])
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= _CHUNK_CHARS:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks


_vader_lock = threading.Lock()
_vader_state: tuple[SentimentIntensityAnalyzer, frozenset[str]] | None = None


def _vader() -> tuple[SentimentIntensityAnalyzer, frozenset[str]]:
    """The shared VADER analyser (reading its lexicon takes ~100 ms) and the words it knows."""
    global _vader_state
    if _vader_state is None:
        with _vader_lock:
            if _vader_state is None:
                # Imported when first needed: TextBlob brings NLTK and SciPy in, about a second of every
                # `pulsebot` command's start, and most commands score nothing.
                from textblob import TextBlob

                analyser = SentimentIntensityAnalyzer()
                analyser.lexicon.update(WORKPLACE_LEXICON)  # this instance's own dict: no global change
                analyser.lexicon.update({token: valence for _, token, valence in _PHRASES})
                vocabulary = frozenset(analyser.lexicon) | frozenset(BOOSTER_DICT) | frozenset(NEGATE)
                # TextBlob fills its lexicon on first use without a lock; do that once here so
                # concurrent first requests cannot read it half-loaded.
                _ = TextBlob("warm up").sentiment
                _vader_state = (analyser, vocabulary)
    return _vader_state
