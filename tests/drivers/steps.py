"""Building library surveys and their runs through the real services, for the driver tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pulsebot.services.pulse import answers as answering
from pulsebot.services.pulse import pulses
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import Question, QuestionKind
from tests.conftest import ANON_KEY
from tests.pulse_data import MIN_GROUP, close_and_release

LIBRARY_TEAM = """\
name: {name}
title: {name} pulse
channel: {channel}
timezone: UTC
library: {library}
questions_per_pulse: {per_pulse}
enps: {enps}
managers: [{managers}]
"""

# (person, question) -> the value they give, or None to skip it
Answers = Callable[[str, Question], int | None]


def alike_for(person: str, value: int) -> int:
    """What `person` answers so that the team averages `value`, as alike as the rule for distributions
    still shows (tests.pulse_data.alike): the first person a point lower, the second a point higher."""
    return value + ({0: -1, 1: 1}.get(int(person[-3:]), 0) if 2 <= value <= 4 else 0)


def library_team(
    sessions: SessionFactory,
    *,
    name: str,
    now: datetime,
    library: str = "engagement",
    per_pulse: int = 4,
    enps: str = "every_pulse",
    channel: str = "G0DRIVERS",
    managers: tuple[str, ...] = (),
) -> str:
    text = LIBRARY_TEAM.format(
        name=name,
        channel=channel,
        library=library,
        per_pulse=per_pulse,
        enps=enps,
        managers=", ".join(managers),
    )
    with transaction(sessions) as session:
        for spec in parse_surveys(text, source=f"{name}.yml"):
            apply_survey(session, spec=spec, now=now)
    return name


def library_run(
    sessions: SessionFactory,
    *,
    survey: str,
    opened: datetime,
    audience: list[str],
    answers: Answers,
    close: bool = True,
    comments: Callable[[str, Question], str | None] | None = None,
) -> int:
    """Open a run at `opened`, let each person answer the rated questions it asks (and, with
    `comments`, comment on them), then close it."""
    with transaction(sessions) as session:
        run = pulses.open_pulse_run(
            session, survey_name=survey, audience=audience, now=opened, min_group=MIN_GROUP
        )
        for question in run.questions:
            if question.kind is QuestionKind.text:
                continue
            stored = session.get(Question, question.id)
            for person in audience:
                value = answers(person, stored)
                if value is None:
                    continue
                answering.record_answer(
                    session,
                    run_id=run.run_id,
                    question_id=question.id,
                    user_id=person,
                    value=value,
                    key=ANON_KEY.encode(),
                    now=opened + timedelta(hours=1),
                )
                comment = comments(person, stored) if comments else None
                if comment:
                    answering.record_comment(
                        session,
                        run_id=run.run_id,
                        question_id=question.id,
                        user_id=person,
                        comment=comment,
                        key=ANON_KEY.encode(),
                        now=opened + timedelta(hours=1),
                    )
        if close:
            close_and_release(session, run.run_id)
    return run.run_id
