"""What a team's action can be about: one of its drivers, one of its rated questions, or a theme of the
comments of its latest shown week.

Only what the team's manager already sees in the digest is offered: a driver's score appears beside it
only when the digest's drivers show one, and themes come only from a week whose figures are shown (never
from a hidden week, whose comments nobody reads).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pulsebot.services.digest.digests import Digest, build_digests, team_digest
from pulsebot.services.results.analytics import RATED
from pulsebot.services.results.themes import Theme
from pulsebot.services.survey.library import driver_name
from pulsebot.services.survey.surveys import active_questions, find_survey
from pulsebot.store.models import FocusKind

LABEL_CHARS = 200  # TeamAction.focus_label
# A focus reaches the form and comes back as "kind:key" in a menu option's value, which Slack keeps to 150
# characters; a longer key (a theme of long hyphenated words) goes as its digest instead.
KEY_CHARS = 100
TREND_WEEKS = 12  # how far back the latest shown week is looked for


@dataclass(frozen=True)
class FocusOption:
    kind: FocusKind
    key: str
    label: str  # what the team reads ("about: Workload"); stored with the action as it was shown
    detail: str = ""  # shown to the manager only, beside the label: a driver's score, a theme's count

    @property
    def value(self) -> str:
        return focus_value(self.kind, self.key)


@dataclass(frozen=True)
class FocusOptions:
    survey_name: str
    title: str
    drivers: tuple[FocusOption, ...]
    questions: tuple[FocusOption, ...]
    themes: tuple[FocusOption, ...]

    @property
    def all(self) -> tuple[FocusOption, ...]:
        return (*self.drivers, *self.questions, *self.themes)

    def find(self, kind: FocusKind, key: str) -> FocusOption | None:
        """The option of this kind whose key, or the digest that stands for a long key, is `key`."""
        return next((o for o in self.all if o.kind is kind and key in (o.key, _short_key(o.key))), None)


def focus_value(kind: FocusKind, key: str) -> str:
    return f"{kind.value}:{_short_key(key)}"


def _short_key(key: str) -> str:
    if len(key) <= KEY_CHARS:
        return key
    return "#" + hashlib.sha256(key.encode()).hexdigest()


def parse_focus_value(value: str) -> tuple[FocusKind, str] | None:
    kind_part, _, key = (value or "").partition(":")
    kind = next((kind for kind in FocusKind if kind.value == kind_part), None)
    return (kind, key) if kind is not None and key else None


def focus_options(
    session: Session, *, survey_name: str, now: datetime, min_group: int, weeks: int = TREND_WEEKS
) -> FocusOptions:
    survey = find_survey(session, name=survey_name)
    digest = team_digest(session, survey_name=survey.name, now=now, min_group=min_group, weeks=weeks)
    scores = {d.driver: d for d in digest.drivers.drivers} if digest.drivers is not None else {}
    drivers = []
    for driver_id in (survey.library_drivers or "").split():
        score = scores.get(driver_id)
        detail = f"{score.score:.1f} of 5" if score is not None and score.shown else ""
        drivers.append(FocusOption(FocusKind.driver, driver_id, _label(driver_name(driver_id)), detail))
    questions = tuple(
        FocusOption(FocusKind.question, question.key, _label(question.prompt))
        for question in active_questions(session, survey_id=survey.id)
        # A library item counts towards its driver, which is offered instead; the library's eNPS stays.
        if question.kind in RATED and not (question.from_library and question.driver)
    )
    themes = tuple(
        FocusOption(FocusKind.theme, theme.phrase, _label(theme.phrase), f"{theme.comments} comments")
        for theme in _latest_shown_themes(session, digest, now=now, min_group=min_group, weeks=weeks)
    )
    return FocusOptions(
        survey_name=survey.name,
        title=survey.title,
        drivers=tuple(drivers),
        questions=questions,
        themes=themes,
    )


def _latest_shown_themes(
    session: Session, digest: Digest, *, now: datetime, min_group: int, weeks: int
) -> tuple[Theme, ...]:
    """The comment themes of the team's latest week whose figures are shown; none from a hidden week."""
    if digest.figures.shown:
        return digest.themes
    earlier = [week.week for week in digest.trend if week.shown and week.week < digest.week]
    if not earlier:
        return ()
    digests, _ = build_digests(
        session, now=now, min_group=min_group, weeks=weeks, survey_names=[digest.scope], week=earlier[-1]
    )
    shown = digests.get(digest.scope)
    return shown.themes if shown is not None and shown.figures.shown else ()


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"
