"""Building teams and their weekly answers through the real services, for the analytics and digest tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from pulsebot.services.pulse import answers as answering
from pulsebot.services.pulse import pulses
from pulsebot.services.results.release import release_closed_runs
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, find_survey
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import PulseRun, Question, RunStatus
from tests.conftest import ANON_KEY, PULSE_CHANNEL

MIN_GROUP = 5  # the settings' default, which the tests' settings keep

TEAM_SURVEY = """\
name: {name}
title: {title}
channel: {channel}
timezone: {timezone}
managers: [{managers}]
managers_answer: {managers_answer}
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
  - key: enps
    kind: enps
  - key: focus
    kind: yes_no
    prompt: I could focus this week.
  - key: better
    kind: text
    prompt: What would make next week better?
"""


def people(count: int, prefix: str = "P") -> list[str]:
    return [f"U0{prefix}{index:03d}" for index in range(count)]


def make_team(
    sessions: SessionFactory,
    *,
    name: str = "team-pulse",
    title: str = "Weekly team pulse",
    timezone: str = "Europe/Berlin",
    managers: tuple[str, ...] = (),
    managers_answer: bool = False,
    channel: str = PULSE_CHANNEL,
    now: datetime,
) -> str:
    text = TEAM_SURVEY.format(
        name=name,
        title=title,
        channel=channel,
        timezone=timezone,
        managers=", ".join(managers),
        managers_answer=str(managers_answer).lower(),
    )
    with transaction(sessions) as session:
        for spec in parse_surveys(text, source="team.yml"):
            apply_survey(session, spec=spec, now=now)
    return name


def run_week(
    sessions: SessionFactory,
    *,
    survey: str,
    opened: datetime,
    audience: list[str],
    answers: dict[str, dict[str, int]] | None = None,
    comments: dict[str, str] | None = None,
    close: bool = True,
) -> int:
    """Open a run at `opened`, record each person's answers by question key and comments, then close it."""
    key = ANON_KEY.encode()
    now = opened + timedelta(hours=1)
    with transaction(sessions) as session:
        run = pulses.open_pulse_run(
            session, survey_name=survey, audience=audience, now=opened, min_group=MIN_GROUP
        )
        survey_id = find_survey(session, name=survey).id
        ids = {
            question.key: question.id
            for question in session.exec(
                select(Question).where(Question.survey_id == survey_id, Question.active)
            ).all()
        }
        for person, values in (answers or {}).items():
            for question_key, value in values.items():
                answering.record_answer(
                    session,
                    run_id=run.run_id,
                    question_id=ids[question_key],
                    user_id=person,
                    value=value,
                    key=key,
                    now=now,
                )
        for person, comment in (comments or {}).items():
            answering.record_comment(
                session,
                run_id=run.run_id,
                question_id=ids["better"],
                user_id=person,
                comment=comment,
                key=key,
                now=now,
            )
        if close:
            close_and_release(session, run.run_id)
    return run.run_id


def close_and_release(session, *run_ids: int) -> None:
    """Close runs at their closing time and release their figures, as the scheduler's close job does."""
    for run_id in run_ids:
        stored = session.get(PulseRun, run_id)
        stored.status, stored.closed_at = RunStatus.closed, stored.closes_at
    session.flush()
    release_closed_runs(
        session, min_group=MIN_GROUP, now=max(session.get(PulseRun, r).closes_at for r in run_ids)
    )


def a_closed_and_an_open_run(sessions: SessionFactory, *, members: list[str], now: datetime) -> None:
    """Last week's pulse, answered by all six members and closed, and today's, still open and unanswered."""
    run_week(
        sessions,
        survey="team-pulse",
        opened=now - timedelta(days=8),
        audience=members,
        answers=scores(members, [4] * 6),
    )
    run_week(sessions, survey="team-pulse", opened=now - timedelta(hours=2), audience=members, close=False)


def alike(value: int, count: int) -> list[int]:
    """`count` 1–5 answers averaging `value` (2 to 4), as alike as the rule for distributions still shows:
    one a point lower, one a point higher, the rest `value` (all alike, their counts would name everyone)."""
    assert 2 <= value <= 4 and count >= 3
    return [value - 1, value + 1] + [value] * (count - 2)


def scores(team: list[str], values: list[int], question: str = "workload") -> dict[str, dict[str, int]]:
    """{person: {question: value}} for the first len(values) people of the team."""
    return {person: {question: value} for person, value in zip(team, values, strict=False)}


def merge(*parts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    merged: dict[str, dict[str, int]] = {}
    for part in parts:
        for person, values in part.items():
            merged.setdefault(person, {}).update(values)
    return merged
