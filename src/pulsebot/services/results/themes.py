"""The most common themes of a week's comments: keywords and two-word phrases, never names.

TextBlob's noun-phrase extractors need NLTK corpora that would have to be downloaded at run time, so this
is a small local method instead: words that are not stop words, singular and plural merged, adjacent
pairs kept as phrases ("code review"), counted by how many comments mention them. Capitalised words in
mid-sentence, @mentions, links and e-mail addresses are left out, so a colleague's name never becomes a
"theme". A theme names a thing (a noun, or a phrase ending in one): words that describe ("confusing",
"slow", "exhausted", "really") are how people feel about a theme, which the sentiment figures already
say, so they are not themes themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from pulsebot.services.results.comment_language import written_in_english

_STOP_WORDS = """
    a about above after again against all almost also although always am among an and another any anyone
    anything are around as at away back be became because become been before being below besides better
    between both but by can cannot could did do does doing done down during each either else enough etc even
    ever every everyone everything few for from further get gets getting give given go goes going gone good
    got great had has have having he her here hers herself him himself his how however i if in instead into
    is it its itself just keep know last least less let like lot lots made make makes making many may maybe
    me might more most much must my myself need needs never new next no nor not nothing now of off often ok
    okay on once one only or other others our ours ourselves out over own per please quite rather really
    same see seem seems she should since so some someone something sometimes still such sure take than
    thank thanks that the their theirs them themselves then there these they thing things think this those
    though through thus to too toward towards under until up upon us use used very want was way we week
    weeks well were what whatever when where whether which while who whom whose why will with within
    without would yes yet you your yours yourself yourselves feel feels felt lately bit kind sort day days
    guys folks pretty actually definitely probably overall today yesterday tomorrow left right again
    always lately anymore
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Describing words common in workplace comments whose endings do not give them away (see _describes).
_DESCRIBING = frozenset(
    [
        "bad",
        "best",
        "big",
        "busy",
        "calm",
        "chaotic",
        "cheap",
        "clear",
        "close",
        "cold",
        "crazy",
        "dead",
        "difficult",
        "dull",
        "early",
        "easy",
        "empty",
        "fair",
        "fast",
        "fine",
        "free",
        "full",
        "glad",
        "happy",
        "hard",
        "heavy",
        "high",
        "hot",
        "huge",
        "late",
        "long",
        "loud",
        "low",
        "mad",
        "messy",
        "nice",
        "odd",
        "okay",
        "old",
        "poor",
        "quick",
        "quiet",
        "ready",
        "rough",
        "rude",
        "sad",
        "safe",
        "short",
        "sick",
        "slow",
        "small",
        "smooth",
        "soft",
        "strange",
        "strict",
        "tight",
        "tired",
        "tough",
        "ugly",
        "unclear",
        "unfair",
        "unreal",
        "vague",
        "weird",
        "wrong",
        "amazing",
        "annoying",
        "boring",
        "challenging",
        "confusing",
        "demanding",
        "depressing",
        "disappointing",
        "draining",
        "encouraging",
        "exciting",
        "exhausting",
        "frustrating",
        "interesting",
        "overwhelming",
        "promising",
        "rewarding",
        "satisfying",
        "shocking",
        "surprising",
        "terrifying",
        "tiring",
        "worrying",
        "awful",
        "terrible",
        "horrible",
        "great",
        "brilliant",
        "excellent",
        "fantastic",
        "wonderful",
        "lovely",
        "decent",
        "solid",
    ]
)
# Endings of adjectives and adverbs, and the nouns that share them.
_DESCRIBING_ENDINGS = ("ous", "ful", "less", "ive", "able", "ible", "ical", "ish", "ly", "ed")
_NOUNS_WITH_THOSE_ENDINGS = frozenset(
    [
        "initiative",
        "incentive",
        "objective",
        "perspective",
        "alternative",
        "executive",
        "directive",
        "representative",
        "detective",
        "deliverable",
        "variable",
        "table",
        "cable",
        "stable",
        "timetable",
        "vegetable",
        "supply",
        "reply",
        "family",
        "assembly",
        "anomaly",
        "rally",
        "bully",
        "belly",
        "ally",
        "monopoly",
        "need",
        "speed",
        "feed",
        "bed",
        "seed",
        "shed",
        "greed",
        "breed",
    ]
)

_MENTION = re.compile(r"<[@#!][^>]*>|@\w+|\S+@\S+|https?://\S+|<https?://[^>]*>")
_SENTENCE = re.compile(r"(?<=[.!?;:\n])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_MIN_LETTERS = 3


@dataclass(frozen=True)
class Theme:
    phrase: str
    comments: int  # how many comments mention it


def common_themes(comments: list[str], *, limit: int = 5, min_comments: int = 2) -> list[Theme]:
    """Phrases mentioned in at least `min_comments` comments, most mentioned first. The phrases are found
    with English stop words and plurals, so only the comments written in English are read."""
    comments = [comment for comment in comments if written_in_english(comment)]
    tokenised = [_split(_tokens, comment) for comment in comments]
    names = {word.lower() for comment in comments for word in _split(_mid_sentence_capitals, comment)}
    mentions: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for tokens in tokenised:
        seen: set[str] = set()
        for run in tokens:
            words = [word for word in run if word.lower() not in names]
            for index, word in enumerate(words):
                stem = _singular(word.lower())
                surface.setdefault(stem, Counter())[word.lower()] += 1
                seen.add(stem)
                if index:
                    seen.add(f"{_singular(words[index - 1].lower())} {stem}")
        mentions.update(seen)
    candidates = {
        phrase: count
        for phrase, count in mentions.items()
        if count >= min_comments and not _describes(phrase.split()[-1])
    }
    # A phrase that carries at least half the mentions of each of its words stands for them:
    # "ticket backlog" (4) rather than "ticket" (6) and "backlog" (4) side by side.
    for phrase, count in list(candidates.items()):
        parts = phrase.split()
        if len(parts) > 1 and all(count * 2 >= mentions[part] for part in parts):
            for part in parts:
                candidates.pop(part, None)
    ranked = sorted(candidates.items(), key=lambda item: (-item[1], -item[0].count(" "), item[0]))
    themes: list[Theme] = []
    for phrase, count in ranked:
        parts = phrase.split()
        # A word already inside a chosen phrase (or a phrase made of chosen words) says nothing new.
        if any(set(parts) & set(theme_parts) for theme_parts in (t.phrase.split() for t in themes)):
            continue
        themes.append(Theme(phrase=" ".join(_display(part, surface) for part in parts), comments=count))
        if len(themes) == limit:
            break
    return themes


def mentions(comment: str, phrase: str) -> bool:
    """Whether a comment mentions a theme (in singular or plural)."""
    wanted = [_singular(part) for part in phrase.lower().split()]
    for run in _split(_tokens, comment):
        stems = [_singular(word.lower()) for word in run]
        for index in range(len(stems) - len(wanted) + 1):
            if stems[index : index + len(wanted)] == wanted:
                return True
    return False


# Within `words_remembered()`: each comment's words by the function that split them.
_remembered: ContextVar[dict[tuple[str, str], object] | None] = ContextVar("theme_words", default=None)


@contextmanager
def words_remembered() -> Iterator[None]:
    """Within the block, each comment is split into words once, however many views read it (its team's
    themes, the quotes chosen for them, the organisation's themes, the driver to look at); all of it is
    forgotten when the block ends."""
    reset = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(reset)


def _split(split: Callable[[str], object], comment: str):
    remembered = _remembered.get()
    if remembered is None:
        return split(comment)
    key = (split.__name__, comment)
    found = remembered.get(key)
    if found is None:
        found = remembered[key] = split(comment)
    return found


def _tokens(comment: str) -> list[list[str]]:
    """Runs of content words: a stop word, punctuation or a removed mention breaks a run."""
    text = _MENTION.sub(" . ", comment)
    runs: list[list[str]] = []
    for chunk in re.split(r"[^\w\s'’-]+|\s+-\s+", text):
        run: list[str] = []
        for word in _WORD.findall(chunk):
            clean = word.strip("'’-")
            if len(clean) < _MIN_LETTERS or clean.lower() in STOP_WORDS or clean.lower().endswith("n't"):
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(clean)
        if run:
            runs.append(run)
    return runs


def _mid_sentence_capitals(comment: str) -> set[str]:
    """Capitalised words that do not start a sentence: most likely names of people, places or products."""
    found = set()
    for sentence in _SENTENCE.split(_MENTION.sub(" ", comment)):
        words = _WORD.findall(sentence)
        for word in words[1:]:
            if word[0].isupper() and not word.isupper() and word.lower() not in STOP_WORDS:
                found.add(word)
    return found


def _describes(word: str) -> bool:
    """Whether a (singular, lower-case) word is most likely an adjective or adverb rather than a noun."""
    if word in _DESCRIBING:
        return True
    if word in _NOUNS_WITH_THOSE_ENDINGS:
        return False
    return len(word) > 4 and word.endswith(_DESCRIBING_ENDINGS)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def _display(stem: str, surface: dict[str, Counter[str]]) -> str:
    """The form people wrote most often ("meetings" rather than "meeting" if that is what they wrote)."""
    forms = surface.get(stem)
    return forms.most_common(1)[0][0] if forms else stem
