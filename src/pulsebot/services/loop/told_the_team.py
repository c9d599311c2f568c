"""What a person's teams were told in their channels, for the dashboard's Me page: the weeks of results
their managers shared (services/loop/sharing.py), what the team will do (its shared actions still open)
and "You said, we did" (its shared actions done and the ideas shipped, as App Home lists them).

The teams are the person's as App Home reads them: those whose latest pulse was sent to them, and those
they manage. A shared week is read again from the digest's released figures, as the post was cut from
them, and only the parts the post showed every reader: not the comments, which a manager may have chosen
to quote or not. An action kept to the managers is never listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.loop.sharing import NotShown, TeamSummary, WillDo, open_actions, summary_of
from pulsebot.services.loop.you_said import HOME_DAYS, DoneItem, home_items
from pulsebot.services.privacy import audit
from pulsebot.services.survey.audience import teams_of
from pulsebot.store.among import among
from pulsebot.store.models import ResultsShare, Survey

SHARED_WEEKS = 4  # the latest weeks shared with each team, within HOME_DAYS


@dataclass(frozen=True)
class SharedWeek:
    week: date
    summary: TeamSummary | None  # None when today's minimum hides the week
    with_comments: bool
    automatically: bool


@dataclass(frozen=True)
class TeamTold:
    title: str
    shared: tuple[SharedWeek, ...]  # newest first
    will_do: tuple[WillDo, ...]


@dataclass(frozen=True)
class ToldTheTeam:
    teams: tuple[TeamTold, ...]
    done: tuple[DoneItem, ...]  # "You said, we did", newest first


def told_the_team(
    session: Session, *, user_id: str, now: datetime, min_group: int, weeks: int
) -> ToldTheTeam:
    ids = teams_of(session, user_id=user_id)
    if managed := surveys_managed_by(session, user_id=user_id):
        ids |= set(session.exec(select(Survey.id).where(among(Survey.name, managed))).all())
    surveys = session.exec(select(Survey).where(among(Survey.id, sorted(ids))).order_by(Survey.title)).all()
    return ToldTheTeam(
        teams=tuple(
            TeamTold(
                title=survey.title,
                shared=_shared_weeks(session, survey, now=now, min_group=min_group, weeks=weeks),
                will_do=open_actions(session, survey_id=survey.id),
            )
            for survey in surveys
        ),
        done=home_items(session, user_id=user_id, now=now),
    )


def _shared_weeks(
    session: Session, survey: Survey, *, now: datetime, min_group: int, weeks: int
) -> tuple[SharedWeek, ...]:
    shares = session.exec(
        select(ResultsShare)
        .where(
            ResultsShare.survey_id == survey.id,
            ResultsShare.message_ts.is_not(None),  # in the channel, not only claimed
            ResultsShare.shared_at >= now - timedelta(days=HOME_DAYS),
        )
        .order_by(ResultsShare.week.desc())
        .limit(SHARED_WEEKS)
    ).all()
    shown = []
    for share in shares:
        try:
            summary = summary_of(
                session, survey=survey, week=share.week, now=now, min_group=min_group, weeks=weeks
            )
        except NotShown:
            summary = None
        shown.append(
            SharedWeek(
                week=share.week,
                summary=summary,
                with_comments=share.with_comments,
                automatically=share.shared_by == audit.SCHEDULER,
            )
        )
    return tuple(shown)
