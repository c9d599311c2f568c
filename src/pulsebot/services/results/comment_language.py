"""Whether a comment is written in English: the sentiment model (services/results/sentiment.py) reads
English only, and scores another language's words as if they were English ones ("Ich bin gut" is not
"good"), so a comment in German, French or Spanish gets no score rather than a wrong one.

Decided from the comment itself, every time, by its most common small words; the answer is never stored
(no language column on an answer: a team's one French speaker would be found by it). What a digest says
of such comments is only that some had no score, which their text, shown beside it, says anyway.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The small words that make up much of any sentence of each language (a few are English words too).
_COMMON = {
    "en": _words(
        "the and is are was were to of in it that this with for not but have has be we you they my our "
        "on at too very more so"
    ),
    "de": _words(
        "der die das und ist sind nicht ich wir ein eine mit für auf zu auch sehr mehr aber wenn dass "
        "mein meine unser uns bei von im den dem habe haben war wäre zum zur keine diese sich wird werden "
        "noch schon immer"
    ),
    "fr": _words(
        "le la les et est sont pas je nous un une avec pour sur trop très plus mais que qui mon ma mes "
        "notre nos des du au aux ce cette être avoir été il elle toujours encore"
    ),
    "es": _words(
        "el la los las y es son no yo nosotros un una con para por muy más pero que mi mis nuestro del "
        "al este esta ser estar tengo hay siempre todavía"
    ),
}
_MARKS = re.compile(r"[äöüßéèêàâçîôûëïñ¿¡]", re.IGNORECASE)


def written_in_english(text: str) -> bool:
    """True unless the comment reads more like German, French or Spanish than English; a comment too
    short to tell is taken as English (and scored, as before)."""
    words = [word.lower() for word in _WORD.findall(text)]
    hits = {language: sum(word in common for word in words) for language, common in _COMMON.items()}
    english = hits.pop("en")
    other = max(hits.values())
    marks = len(_MARKS.findall(text))
    return not (other >= 2 and other > english) and not (marks and english == 0 and other >= 1)
