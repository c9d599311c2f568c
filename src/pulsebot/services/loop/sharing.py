"""“Share with the team”: the summary of one team-week a manager posts to the team's channel.

The summary is cut from the very digest its managers got for that week (services/digest/digests.py), so
it shows nothing the digest did not: the response rate, the headline figures with their change, the
strongest and weakest driver (or question), up to three comment themes, and what the managers said they
will do. Comments appear only when the manager ticks them, and then only the ones the digest quoted.

A week is shared once: its `ResultsShare` row is claimed before the post goes out (a second manager
clicking at the same moment is refused), completed with the message once Slack has it, and released
again when Slack refuses the post. The audit entry is written when the post is in Slack, so the log
never says a week was shared when it was not.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from pulsebot.services.api import webhooks
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest.digests import Digest, build_digests
from pulsebot.services.digest.driver_text import arrow, window
from pulsebot.services.errors import NotAllowed, Refusal
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.results.analytics import ORG, WeekFigures, WeekStatus, withheld_words
from pulsebot.services.results.themes import Theme
from pulsebot.services.survey.surveys import find_survey
from pulsebot.store.db import add_once
from pulsebot.store.models import (
    ActionStatus,
    AuditAction,
    QuestionKind,
    ResultsShare,
    Survey,
    TeamAction,
)
from pulsebot.store.weeks import week_start

THEMES_SHARED = 3
# A claim is followed by its post within seconds; one still without a post after this was left by a
# process that died in between, and is taken over rather than blocking the week for good.
CLAIM_LAPSES = timedelta(minutes=10)
OPEN_ACTIONS = (ActionStatus.planned, ActionStatus.in_progress)


class NotShown(Refusal):
    """The week's figures are not shown, so there is nothing to share."""


class AlreadyShared(Refusal):
    """The week was shared before (by this manager, another one, or automatically)."""


@dataclass(frozen=True)
class Highlight:
    """The strongest or weakest driver (or question) of the week, as the digest showed it."""

    label: str
    score: float
    change: float | None = None  # drivers only: against the window before
    question: bool = False

    @property
    def text(self) -> str:
        """`Autonomy 4.3 ↑ 0.7` as the digest's drivers read, or `Prompt — 3.3 of 5` as its questions do."""
        if self.question:
            return f"{self.label} — {self.score:.1f} of 5"
        moved = arrow(self.change, digits=1)
        return f"{self.label} {self.score:.1f}" + (f" {moved}" if moved else "")


@dataclass(frozen=True)
class WillDo:
    """A line of "What we will do": a visible action still planned or under way."""

    text: str
    owner_id: str
    due_on: date
    status: ActionStatus


@dataclass(frozen=True)
class TeamSummary:
    survey_name: str
    title: str
    channel_id: str
    week: date
    figures: WeekFigures  # with its changes as the digest showed them
    min_group: int
    highlights_of: str  # "drivers", "questions" or "" when there is neither
    strongest: Highlight | None
    weakest: Highlight | None
    themes: tuple[Theme, ...]
    comments: tuple[str, ...]  # the digest's quoted comments: shared only when the manager ticks them
    actions: tuple[WillDo, ...]
    driver_window: str = ""  # "the last 4 pulses (27 Oct – 17 Nov)" for drivers

    def headline(self) -> list[tuple[str, str]]:
        """The digest's own headline pairs (mood, eNPS, answered, comments)."""
        return words.headline(self.figures, self.min_group)


def check_may_share(session: Session, *, survey_name: str, user_id: str, is_admin: bool) -> Survey:
    """The survey, when this person may share its results: one of its managers, or a pulsebot admin."""
    survey = find_survey(session, name=survey_name)
    if not sees_team_results(session, survey_id=survey.id, user_id=user_id, is_admin=is_admin):
        raise NotAllowed(
            f"Only the managers of “{survey.title}” and pulsebot admins can share its results with the team."
        )
    return survey


def team_summary(
    session: Session, *, survey_name: str, week: date, now: datetime, min_group: int, weeks: int
) -> TeamSummary:
    """What the team would see for `week` (its Monday); refused when the week cannot be shared."""
    survey = find_survey(session, name=survey_name)
    _check_week(survey, week=week, now=now)
    _refuse_if_shared(session, survey=survey, week=week, now=now)
    return summary_of(session, survey=survey, week=week, now=now, min_group=min_group, weeks=weeks)


def summary_of(
    session: Session, *, survey: Survey, week: date, now: datetime, min_group: int, weeks: int
) -> TeamSummary:
    """The summary of a week, shared or not, read from the digest's released figures; NotShown when its
    figures are not shown (today's minimum may hide a week shared under a lower one)."""
    survey_name = survey.name
    digests, _ = build_digests(
        session, now=now, min_group=min_group, weeks=weeks, survey_names=[survey_name], week=week
    )
    digest = words.as_shown(digests[survey_name])  # the changes as the digest showed them
    if digest.is_org or not digest.figures.shown:
        raise NotShown(_not_shown_sentence(digest, min_group=min_group))
    highlights_of, strongest, weakest = _highlights(digest)
    return TeamSummary(
        survey_name=survey.name,
        title=survey.title,
        channel_id=survey.channel_id,
        week=week,
        figures=digest.figures,
        min_group=min_group,
        highlights_of=highlights_of,
        strongest=strongest,
        weakest=weakest,
        themes=digest.themes[:THEMES_SHARED],
        comments=digest.comments,
        actions=open_actions(session, survey_id=survey.id),
        driver_window=_driver_window(digest),
    )


def open_actions(session: Session, *, survey_id: int) -> tuple[WillDo, ...]:
    """The team's visible actions still planned or under way, soonest due first."""
    rows = session.exec(
        select(TeamAction)
        .where(
            TeamAction.survey_id == survey_id,
            TeamAction.visible.is_(True),
            TeamAction.status.in_(OPEN_ACTIONS),
        )
        .order_by(TeamAction.due_on, TeamAction.id)
    ).all()
    return tuple(
        WillDo(text=row.text, owner_id=row.owner_id, due_on=row.due_on, status=row.status) for row in rows
    )


def shared(session: Session, *, survey_id: int, week: date) -> ResultsShare | None:
    query = select(ResultsShare).where(ResultsShare.survey_id == survey_id, ResultsShare.week == week)
    return session.exec(query).first()


def claim_share(
    session: Session, *, survey_id: int, week: date, shared_by: str, with_comments: bool, now: datetime
) -> None:
    """Claim the week before posting it; AlreadyShared when someone else has (or just did). A claim
    whose post never came (its process died) lapses after CLAIM_LAPSES and is taken over."""
    survey = session.get(Survey, survey_id)
    if (lapsed := _refuse_if_shared(session, survey=survey, week=week, now=now)) is not None:
        session.delete(lapsed)
        session.flush()
    claim = ResultsShare(
        survey_id=survey_id, week=week, shared_at=now, shared_by=shared_by, with_comments=with_comments
    )
    if not add_once(session, claim):  # another manager's claim landed between the look and the insert
        raise AlreadyShared(
            f"The week of {words.short_week(week)} of “{survey.title}” has just been shared by someone else."
        )


def release_share(session: Session, *, survey_id: int, week: date) -> None:
    """Give the claim up (Slack refused the post), so the week can be shared once the cause is fixed."""
    share = shared(session, survey_id=survey_id, week=week)
    if share is not None and share.message_ts is None:
        session.delete(share)
        session.flush()


def record_share(
    session: Session,
    *,
    survey_name: str,
    week: date,
    shared_by: str,
    with_comments: bool,
    now: datetime,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> ResultsShare:
    """The week's ResultsShare row (the claim, completed with the post's channel and ts, or a new row)
    and its audit entry: who shared which week, with or without the comments."""
    survey = find_survey(session, name=survey_name)
    share = shared(session, survey_id=survey.id, week=week)
    if share is not None and share.message_ts is not None:  # posted already: never twice
        raise AlreadyShared(already_shared_sentence(share, title=survey.title))
    if share is None:
        claim_share(
            session,
            survey_id=survey.id,
            week=week,
            shared_by=shared_by,
            with_comments=with_comments,
            now=now,
        )
        share = shared(session, survey_id=survey.id, week=week)
    share.channel_id, share.message_ts = channel_id, message_ts
    session.add(share)
    comments = "with the comments quoted in the digest" if with_comments else "without comments"
    audit.record(
        session,
        actor=shared_by,
        action=AuditAction.results_shared,
        scope=survey.name,
        now=now,
        detail=f"week of {week:%-d %b %Y} shared with the team in its channel, {comments}",
    )
    session.flush()
    # The figures are not in the event: a consumer reads them from the API, under its token's scopes.
    event = {
        "team": survey.name,
        "title": survey.title,
        "week": week.isoformat(),
        "with_comments": with_comments,
    }
    webhooks.queue_event(session, "results.shared", event, now=now, team_id=share.team_id)
    return share


def open_to_share(session: Session, *, survey_id: int, week: date, now: datetime) -> bool:
    """Neither shared nor being shared (a lapsed claim does not count)."""
    share = shared(session, survey_id=survey_id, week=week)
    return share is None or _lapsed(share, now=now)


def already_shared_sentence(share: ResultsShare, *, title: str) -> str:
    who = "automatically (`share_results: auto`)" if share.shared_by == audit.SCHEDULER else None
    who = who or f"by <@{share.shared_by}>"
    if share.message_ts is None:
        return (
            f"The week of {words.short_week(share.week)} of “{title}” is being shared with the team "
            f"{who} right now: each week is shared once."
        )
    return (
        f"The week of {words.short_week(share.week)} of “{title}” was already shared with the team "
        f"on {share.shared_at:%-d %b %Y at %H:%M} UTC {who}: each week is shared once."
    )


def last_complete_week(survey: Survey, *, now: datetime) -> date:
    """The Monday of the survey's last complete week, in its own time zone."""
    today = now.astimezone(zoneinfo.ZoneInfo(survey.timezone)).date()
    return week_start(today) - timedelta(weeks=1)


def auto_surveys(session: Session) -> list[Survey]:
    """Surveys that share their results without a click (`share_results: auto`)."""
    query = select(Survey).where(Survey.share_results_auto.is_(True)).order_by(Survey.name)
    return list(session.exec(query).all())


def _refuse_if_shared(session: Session, *, survey: Survey, week: date, now: datetime) -> ResultsShare | None:
    """AlreadyShared when the week is shared or being shared; a lapsed claim, to take over, or None."""
    share = shared(session, survey_id=survey.id, week=week)
    if share is None or _lapsed(share, now=now):
        return share
    raise AlreadyShared(already_shared_sentence(share, title=survey.title))


def _lapsed(share: ResultsShare, *, now: datetime) -> bool:
    return share.message_ts is None and share.shared_at < now - CLAIM_LAPSES


def _check_week(survey: Survey, *, week: date, now: datetime) -> None:
    if week.weekday() != 0 or week > last_complete_week(survey, now=now):
        raise NotShown(
            f"The week of {words.short_week(week)} is not over yet for “{survey.title}”, "
            "so it cannot be shared."
        )


def _not_shown_sentence(digest: Digest, *, min_group: int) -> str:
    week = words.short_week(digest.week)
    if digest.figures.status is WeekStatus.no_data:
        return f"No pulse of “{digest.title}” ran in the week of {week}, so there is nothing to share."
    reason = withheld_words(digest.figures, min_group) if digest.scope != ORG else "it is hidden"
    return (
        f"The week of {week} of “{digest.title}” cannot be shared: {reason}, "
        "so its figures are not shown to anyone."
    )


def _highlights(digest: Digest) -> tuple[str, Highlight | None, Highlight | None]:
    """The strongest and weakest driver, or for a survey without the library the strongest and weakest
    1–5 question of the week (a library survey whose drivers are hidden names neither)."""
    if digest.drivers is not None:
        team = digest.drivers
        if not team.shown:
            return "", None, None
        strong, weak = team.strongest, team.weakest
        weakest = None if weak is strong else Highlight(weak.name, round(weak.score, 1), weak.change)
        return "drivers", Highlight(strong.name, round(strong.score, 1), strong.change), weakest
    rated = [
        q
        for q in digest.figures.questions
        if q.status is WeekStatus.shown and q.kind is QuestionKind.scale and q.mean is not None
    ]
    if not rated:
        return "", None, None
    strong = max(rated, key=lambda q: round(q.mean, 1))
    weak = min(rated, key=lambda q: round(q.mean, 1))
    weakest = None if weak is strong else Highlight(weak.prompt, round(weak.mean, 1), question=True)
    return "questions", Highlight(strong.prompt, round(strong.mean, 1), question=True), weakest


def _driver_window(digest: Digest) -> str:
    return window(digest.drivers) if digest.drivers is not None else ""
