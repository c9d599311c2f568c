"""Who a run asks: the channel's members, minus everyone who can see the team's results unless the
survey asks them too.

Someone who answers a pulse and then reads the team's figures can subtract their own answer from them, so
a group of five with its manager in it is a group of four to that manager; the same holds for a pulsebot
admin who sits in the channel. Who can see a team's results is decided in one place,
services/privacy/roles.py (`sees_team_results`), which the rights checks ask too: the survey's managers and
pulsebot's admins. By default they are left out of the team's audience. A survey may opt them in
(`managers_answer: true`); then the run records how many of them it asked, and its minimum group is raised
by that many (their answers cannot be told apart, so they must never be what lifts a run over the minimum).
Someone who comes to see the results while a run is open is counted when it closes (services/pulse/
closing.py).

People who paused their own pulses for the run's day (services/survey/snooze.py) are not asked at all:
they are left out before anything else, so a paused manager is not counted among those asked either.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.digest.managers import managers_of
from pulsebot.services.privacy.roles import team_viewers
from pulsebot.services.survey.snooze import snoozed_among
from pulsebot.services.survey.surveys import find_survey
from pulsebot.store.models import Delivery, PulseRun


@dataclass(frozen=True)
class RunAudience:
    people: list[str]  # who the run asks
    # Those of them who can see the team's results: its managers and the admins among its members (only
    # when the survey opts them in; otherwise none of them is asked).
    managers_asked: int


def run_audience(
    session: Session, *, survey_name: str, members: Iterable[str], admins: Collection[str], now: datetime
) -> RunAudience:
    """The people a run of this survey opening `now` asks, out of its channel's `members` (`admins`: those
    of them who are pulsebot admins): not those who paused their pulses for the run's day."""
    survey = find_survey(session, name=survey_name)
    today = now.astimezone(zoneinfo.ZoneInfo(survey.timezone)).date()
    members = set(members)
    members = sorted(members - snoozed_among(session, people=members, on=today))
    viewers = team_viewers(session, survey_id=survey.id, people=members, admins=admins)
    if survey.managers_answer:
        return RunAudience(people=members, managers_asked=len(viewers))
    return RunAudience(people=[person for person in members if person not in viewers], managers_asked=0)


def latest_run(session: Session, *, survey_id: int) -> PulseRun | None:
    """The team's latest run (runs are numbered as they open)."""
    return session.exec(
        select(PulseRun).where(PulseRun.survey_id == survey_id).order_by(PulseRun.id.desc()).limit(1)
    ).first()


def teams_of(session: Session, *, user_id: str) -> set[int]:
    """The surveys whose latest run was sent to this person: the teams they are in now."""
    latest = select(func.max(PulseRun.id)).group_by(PulseRun.survey_id)
    rows = session.exec(
        select(PulseRun.survey_id)
        .join(Delivery, Delivery.run_id == PulseRun.id)
        .where(PulseRun.id.in_(latest), Delivery.user_id == user_id)
    ).all()
    return set(rows)


def recipients(session: Session, *, run_ids: Iterable[int]) -> set[str]:
    """Everyone these runs were sent to."""
    run_ids = list(run_ids)
    if not run_ids:
        return set()
    return set(session.exec(select(Delivery.user_id).where(Delivery.run_id.in_(run_ids))).all())


def viewers_counted(session: Session, *, run: PulseRun, admins: Collection[str]) -> int:
    """How many people the run's minimum must count as knowing their own answer: those it asked who
    could see the team's results when it opened (recorded then), or those who can now (`admins`: the
    pulsebot admins among the people it was sent to), whichever is more. Someone made a manager or admin
    while the run is open keeps their delivery, so they are counted here rather than trusted not to
    answer; the count never goes down."""
    now_viewers = team_viewers(
        session, survey_id=run.survey_id, people=recipients(session, run_ids=[run.id]), admins=admins
    )
    return max(run.managers_asked or 0, len(now_viewers))


def run_minimum(min_group: int, managers_asked: int | None) -> int:
    """How many distinct people a run (or anything its team answers) needs before it may count: the
    minimum group, plus each person asked who can see the team's results (`managers_answer`), who knows
    their own answer."""
    return min_group + (managers_asked or 0)


def managers_in_channel_line(
    session: Session,
    *,
    survey_name: str,
    members: Iterable[str],
    min_group: int,
    admins: Collection[str] = (),
    mention: Callable[[str], str] = str,
) -> str | None:
    """One plain line when some of those who can see the survey's results (its managers, the pulsebot
    `admins` among the channel's `members`) are members of its channel, else None."""
    survey = find_survey(session, name=survey_name)
    present = sorted(team_viewers(session, survey_id=survey.id, people=set(members), admins=admins))
    if not present:
        return None
    managers = set(managers_of(session, survey_id=survey.id))
    groups = [
        (noun, [user_id for user_id in present if (user_id in managers) == is_manager])
        for noun, is_manager in (("manager", True), ("admin", False))
    ]
    who = " and ".join(
        f"{noun}{'s' if len(people) > 1 else ''} {', '.join(mention(user_id) for user_id in people)}"
        for noun, people in groups
        if people
    )
    are = "is" if len(present) == 1 else "are"
    if survey.managers_answer:
        return (
            f"{survey_name}: its {who} {are} in its channel and will be asked too (managers_answer), so its "
            f"figures need {min_group} + {len(present)} = {min_group + len(present)} people answering."
        )
    return (
        f"{survey_name}: its {who} {are} in its channel and will not be asked, so no answer of someone who "
        "sees its results hides among the team's (managers_answer: true asks them)."
    )
