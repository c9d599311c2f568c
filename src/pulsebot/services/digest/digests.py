"""The weekly manager digest as plain data: figures, a summary in words, themes, comments and ideas.

A digest covers one ISO week: on request, the team's last complete week in its time zone (in UTC for the
organisation's digest, which admins get); on the weekly schedule, the week before the recipient's own
current week. Everything follows the threshold rules in analytics.py: a withheld week has no figures,
no themes and no comments.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.collector import collector_paused
from pulsebot.i18n import DEFAULT, ENGLISH, Translator
from pulsebot.services.digest.managers import managers_of, surveys_managed_by
from pulsebot.services.errors import NotAllowed, NotFound
from pulsebot.services.loop.progress import ActionProgress, TeamWeek, digest_actions
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.reply.reply_subjects import comment_ref
from pulsebot.services.results import analytics
from pulsebot.services.results.analytics import ORG, Trend, WeekFigures, WeekStatus, Withheld
from pulsebot.services.results.comment_language import written_in_english
from pulsebot.services.results.driver_comments import with_comment_themes
from pulsebot.services.results.drivers import TeamDrivers, driver_scores
from pulsebot.services.results.heatmap import EnpsDrivers, Heatmap, heatmap, what_moves_enps
from pulsebot.services.results.released_figures import ReleasedFigures
from pulsebot.services.results.themes import Theme, common_themes, mentions, words_remembered
from pulsebot.services.segments.segment_views import RollUp, SegmentTable, digest_table
from pulsebot.store.among import among
from pulsebot.store.models import Answer, Idea, IdeaStatus, PulseRun, Survey, Vote
from pulsebot.store.weeks import week_start

STEADY = 0.2  # a week-over-week move of the 1–5 score smaller than this is "steady"
ENPS_NOTABLE = 10  # eNPS points
COMMENT_CHARS = 280
IDEA_CHARS = 150
IDEAS_WAITING_AFTER = timedelta(days=14)
OPEN_STATUSES = (IdeaStatus.new, IdeaStatus.under_review, IdeaStatus.planned)
UNDECIDED_STATUSES = (IdeaStatus.new, IdeaStatus.under_review)


@dataclass(frozen=True)
class IdeaLine:
    id: int
    text: str
    votes: int
    status: IdeaStatus
    days_waiting: int


@dataclass(frozen=True)
class TeamLine:
    """One team's row in the organisation's digest."""

    scope: str
    title: str
    figures: WeekFigures


@dataclass(frozen=True)
class Digest:
    scope: str  # the survey's name, or ORG
    title: str
    week: date  # Monday of the week it covers
    min_group: int
    figures: WeekFigures
    trend: tuple[WeekFigures, ...]
    summary: str
    themes: tuple[Theme, ...] = ()
    comments: tuple[str, ...] = ()
    # Each quoted comment's reference for "Reply anonymously to the author" (reply_subjects.comment_ref),
    # in the same order; empty when the digest was built without the key.
    comment_refs: tuple[str, ...] = ()
    top_ideas: tuple[IdeaLine, ...] = ()
    waiting_ideas: tuple[IdeaLine, ...] = ()
    waiting_total: int = 0
    teams: tuple[TeamLine, ...] = ()  # the organisation's digest only
    drivers: TeamDrivers | None = None  # a team whose survey uses the question library
    heatmap: Heatmap | None = None  # the organisation's digest, when teams use the library
    enps_links: EnpsDrivers | None = None  # the organisation's digest: what moves eNPS
    actions: tuple[ActionProgress, ...] = ()  # a team's open actions, with their focus's trend
    # The organisation's digest: a segment period released in the week before it was built, by department.
    segments: SegmentTable | None = None
    # A team digest, as one reader gets it: their reporting line over that period (services/segments).
    line_roll_up: RollUp | None = None

    @property
    def is_org(self) -> bool:
        return self.scope == ORG

    @property
    def has_chart_points(self) -> bool:
        return any(
            week.shown and (week.score, week.enps, week.sentiment) != (None, None, None)
            for week in self.trend
        )


@dataclass(frozen=True)
class DropAlert:
    scope: str
    title: str
    week: date
    compared_with: date
    score: float | None
    score_change: float | None
    sentiment: float | None
    sentiment_change: float | None
    managers: tuple[str, ...]


@collector_paused()  # a million small objects for a large organisation (collector.py)
@words_remembered()  # each comment split into words once, for its team's themes and the others
def build_digests(
    session: Session,
    *,
    now: datetime,
    min_group: int,
    weeks: int,
    survey_names: Iterable[str] | None = None,
    include_org: bool = False,
    rng: random.Random | None = None,
    week: date | None = None,
    reply_key: bytes | None = None,
    enps_links: bool = True,
) -> tuple[dict[str, Digest], Digest | None]:
    """The digests of every team (or the named ones), and the organisation's, computed together.

    They cover `week` (its Monday) when given, otherwise each team's last complete week in its time zone.
    With `reply_key`, each quoted comment comes with the reference its reply button carries. The
    organisation's digest carries the drivers' heatmap and, unless `enps_links` is False (it reads eight
    windows of every team, several times the rest), what moves eNPS.
    """
    # The trends and the driver scores read mostly the same runs: their released figures are read once.
    figures = ReleasedFigures(session)
    trends = analytics.compute_trends(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        complete_only=True,
        survey_names=survey_names,
        include_org=include_org,
        through_week=week,
        figures=figures,
    )
    shown_weeks = {
        (trend.survey_id, trend.latest.week): trend.shown_runs.get(trend.latest.week, ())
        for trend in trends.teams.values()
        if trend.latest.shown
    }
    comments = _comments_of_shown_weeks(session, shown_weeks, reply_key=reply_key)
    top, waiting, waiting_total = ideas_for_digest(session, now=now)
    rng = rng or random.Random()
    digests = {
        name: _digest(
            trend,
            comments=comments.get((trend.survey_id, trend.latest.week), []),
            min_group=min_group,
            ideas=(top, waiting, waiting_total),
            rng=rng,
        )
        for name, trend in trends.teams.items()
    }
    # The drivers' window ends with the digest's week: each team's last N closed pulses up to that Sunday.
    through = max((digest.week for digest in digests.values()), default=None)
    org_end = trends.org.latest.week + timedelta(days=6) if trends.org is not None else None
    every_team = None
    if org_end is not None:
        every_team = driver_scores(session, min_group=min_group, through=org_end, figures=figures)
    if through is not None:
        end = through + timedelta(days=6)
        scores = every_team if end == org_end else None
        scores = scores or driver_scores(
            session, min_group=min_group, through=end, survey_names=list(digests), figures=figures
        )
        shown = {name: scores.teams[name] for name in digests if name in scores.teams}
        for name, team in with_comment_themes(session, shown).items():
            digests[name] = replace(digests[name], drivers=team)
    teams = [
        TeamWeek(
            survey_id=trend.survey_id,
            survey_name=name,
            trend=trend,
            drivers=digests[name].drivers,
            comments=[text for text, *_ in comments.get((trend.survey_id, trend.latest.week), [])],
        )
        for name, trend in trends.teams.items()
    ]
    for name, progress in digest_actions(session, teams=teams, min_group=min_group, now=now).items():
        digests[name] = replace(digests[name], actions=progress)
    org = None
    org_drivers: dict = {}
    if every_team is not None and every_team.teams:
        org_drivers = {"heatmap": heatmap(every_team, through=org_end)}
        if enps_links:
            org_drivers["enps_links"] = what_moves_enps(
                session, min_group=min_group, through=org_end, figures=figures
            )
    if trends.org is not None:
        org_comments = [
            c for (_, week), rows in comments.items() if week == trends.org.latest.week for c in rows
        ]
        org = _digest(
            trends.org,
            comments=org_comments if trends.org.latest.shown else [],
            min_group=min_group,
            ideas=(top, waiting, waiting_total),
            rng=rng,
            quote_comments=False,  # the teams' own digests quote them; the roll-up shows themes only
            teams=tuple(
                TeamLine(scope=name, title=trend.title, figures=trend.latest)
                for name, trend in trends.teams.items()
            ),
        )
        org = replace(org, **org_drivers, segments=digest_table(session, now=now, min_group=min_group))
    return digests, org


def team_digest(
    session: Session,
    *,
    survey_name: str,
    now: datetime,
    min_group: int,
    weeks: int,
    rng: random.Random | None = None,
) -> Digest:
    digests, _ = build_digests(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        survey_names=[_existing(session, survey_name)],
        rng=rng,
    )
    return digests[survey_name]


def digest_scopes_for(
    session: Session, *, user_id: str, is_admin: bool, survey_name: str | None = None
) -> list[str]:
    """Which digests this person may ask for: their teams' (and the organisation's, for an admin)."""
    managed = surveys_managed_by(session, user_id=user_id)
    if survey_name:
        survey_id = session.exec(
            select(Survey.id).where(Survey.name == _existing(session, survey_name))
        ).one()
        if not sees_team_results(session, survey_id=survey_id, user_id=user_id, is_admin=is_admin):
            raise NotAllowed(f"Only the managers of “{survey_name}” and pulsebot admins can see its digest.")
        return [survey_name]
    if not managed and not is_admin:
        raise NotAllowed(
            "Digests are for the managers of a team and for pulsebot admins. "
            "If you manage a team, ask an admin to add you to its survey."
        )
    return [*managed, ORG] if is_admin else managed


def drop_alert_for_run(
    session: Session, *, run_id: int, min_group: int, threshold: float, weeks: int
) -> DropAlert | None:
    """A sharp fall of the run's week against the latest earlier shown week, or None.

    The 1–5 score may fall by `threshold`; sentiment (−1 … 1, half the span) by half of it.
    """
    run = session.get(PulseRun, run_id)
    if run is None:
        raise NotFound("That pulse no longer exists.")
    survey = session.get(Survey, run.survey_id)
    trend = analytics.team_trend(
        session,
        survey_name=survey.name,
        now=run.opened_at,
        min_group=min_group,
        weeks=weeks,
        complete_only=False,
        through_week=week_start(run.run_date),
    )
    week = trend.latest
    if not week.shown or week.compared_with is None:
        return None
    score_fell = week.score_change is not None and week.score_change <= -threshold
    mood_fell = week.sentiment_change is not None and week.sentiment_change <= -threshold / 2
    if not (score_fell or mood_fell):
        return None
    return DropAlert(
        scope=survey.name,
        title=survey.title,
        week=week.week,
        compared_with=week.compared_with,
        score=week.score,
        score_change=week.score_change,
        sentiment=week.sentiment,
        sentiment_change=week.sentiment_change,
        managers=tuple(managers_of(session, survey_id=survey.id)),
    )


def ideas_for_digest(session: Session, *, now: datetime, limit: int = 3) -> tuple[tuple, tuple, int]:
    """The most-voted open ideas, and ideas still waiting for a decision after two weeks (oldest first)."""
    votes = func.count(Vote.voter).label("votes")
    top_rows = session.exec(
        select(Idea, votes)
        .join(Vote, Vote.idea_id == Idea.id)
        .where(Idea.status.in_(OPEN_STATUSES))
        .group_by(Idea.id)
        .order_by(votes.desc(), Idea.created_at.desc())
        .limit(limit)
    ).all()
    stale = (Idea.status.in_(UNDECIDED_STATUSES), Idea.updated_at < now - IDEAS_WAITING_AFTER)
    waiting_total = session.exec(select(func.count()).select_from(Idea).where(*stale)).one()
    waiting_rows = session.exec(
        select(Idea, votes)
        .outerjoin(Vote, Vote.idea_id == Idea.id)
        .where(*stale)
        .group_by(Idea.id)
        .order_by(Idea.updated_at, Idea.id)
        .limit(limit)
    ).all()
    return (
        tuple(_idea_line(idea, count, now) for idea, count in top_rows),
        tuple(_idea_line(idea, count, now) for idea, count in waiting_rows),
        waiting_total,
    )


def summarise(
    figures: WeekFigures,
    trend: tuple[WeekFigures, ...],
    themes: tuple[Theme, ...],
    *,
    min_group: int,
    tr: Translator = ENGLISH,
) -> str:
    """One or two plain sentences: what moved, and what people wrote about most; in `tr`'s language."""
    _ = tr.gettext
    if figures.status is WeekStatus.no_data:
        return _("No pulse ran in the week of {week}.").format(week=_day(figures.week, tr))
    if figures.suppressed:
        return _withheld_sentence(figures, min_group=min_group, tr=tr)
    parts = []
    if figures.score is not None:
        parts.append(_score_phrase(figures, trend, tr))
    if (
        figures.enps is not None
        and figures.enps_change is not None
        and abs(figures.enps_change) >= ENPS_NOTABLE
    ):
        said = (
            _("eNPS rose {change} points to {enps}")
            if figures.enps_change > 0
            else _("eNPS fell {change} points to {enps}")
        )
        parts.append(
            said.format(
                change=tr.fixed(abs(figures.enps_change), 0), enps=tr.fixed(figures.enps, 0, signed=True)
            )
        )
    if figures.response_rate is not None and figures.response_rate < 0.5:
        parts.append(
            _("only {respondents} of {audience} answered").format(
                respondents=figures.respondents, audience=figures.audience
            )
        )
    if themes and figures.comments:
        top = themes[0]
        parts.append(
            _("{mentioning} of {comments} comments mention {phrase}").format(
                mentioning=top.comments, comments=figures.comments, phrase=top.phrase
            )
        )
    if not parts:
        return tr.ngettext(
            "{count} person answered.", "{count} people answered.", figures.respondents
        ).format(count=figures.respondents)
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _withheld_sentence(figures: WeekFigures, *, min_group: int, tr: Translator = ENGLISH) -> str:
    """Why a week shows nothing, truthfully: an organisation's week may be hidden though many answered."""
    _ = tr.gettext
    week = _day(figures.week, tr)
    if figures.withheld is Withheld.still_open:
        return _(
            "The pulse of the week of {week} is still open: its figures come once it has closed."
        ).format(week=week)
    if figures.withheld is Withheld.teams_hidden:
        return _(
            "No team's figures for the week of {week} could be shown (too few answered a closed pulse, "
            "or it is still open), and the organisation's figures are made only of what the teams' own "
            "figures show, so they stay hidden too."
        ).format(week=week)
    return _(
        "Fewer than {min_group} people answered in the week of {week}, "
        "so its figures stay hidden to keep everyone anonymous."
    ).format(min_group=min_group, week=week)


def _score_phrase(figures: WeekFigures, trend: tuple[WeekFigures, ...], tr: Translator = ENGLISH) -> str:
    _ = tr.gettext
    score, change = figures.score, figures.score_change
    if change is None:
        return _("mood {score} out of 5").format(score=tr.fixed(score, 1))
    if abs(change) < STEADY:
        return _("mood held steady at {score}").format(score=tr.fixed(score, 1))
    earlier = [week for week in trend if week.shown and week.week < figures.week]
    steady = 0
    for week in reversed(earlier):
        if week.score_change is None or abs(week.score_change) >= STEADY:
            break
        steady += 1
    same_way = 0
    for week in reversed(earlier):
        if (
            week.score_change is None
            or abs(week.score_change) < STEADY
            or (week.score_change > 0) != (change > 0)
        ):
            break
        same_way += 1
    said = _("mood rose {change} to {score}") if change > 0 else _("mood fell {change} to {score}")
    phrase = said.format(change=tr.fixed(abs(change), 1), score=tr.fixed(score, 1))
    english = tr.language == DEFAULT  # English spells small numbers out ("two", "second"); others use digits
    if steady >= 2:
        after = tr.ngettext(
            "{phrase} after {count} steady week", "{phrase} after {count} steady weeks", steady
        )
        phrase = after.format(phrase=phrase, count=_number(steady) if english else steady)
    elif same_way >= 1:
        in_a_row = (
            _("{phrase}, the {ordinal} rise in a row")
            if change > 0
            else _("{phrase}, the {ordinal} fall in a row")
        )
        phrase = in_a_row.format(phrase=phrase, ordinal=_ordinal(same_way + 1) if english else same_way + 1)
    return phrase


def _digest(
    trend: Trend,
    *,
    comments: list[tuple[str, float | None, str]],
    min_group: int,
    ideas: tuple[tuple, tuple, int],
    rng: random.Random,
    quote_comments: bool = True,
    teams: tuple[TeamLine, ...] = (),
) -> Digest:
    figures = trend.latest
    texts = [text for text, *_ in comments] if figures.shown else []
    themes = tuple(common_themes(texts)) if texts else ()
    quoted = representative_comments(comments, themes, rng=rng) if figures.shown and quote_comments else ()
    refs = tuple(ref for _, ref in quoted)
    if figures.unscored_comments and all(written_in_english(text) for text, _ in quoted):
        # Said only beside a quoted comment in another language, which says as much itself: with none
        # quoted, "some comment was not in English" could point at a team's one French speaker.
        figures = replace(figures, unscored_comments=False)
    top, waiting, waiting_total = ideas
    return Digest(
        scope=trend.scope,
        title=trend.title,
        week=figures.week,
        min_group=min_group,
        figures=figures,
        trend=trend.weeks,
        summary=summarise(figures, trend.weeks, themes, min_group=min_group),
        themes=themes,
        comments=tuple(text for text, _ in quoted),
        comment_refs=refs if all(refs) else (),
        top_ideas=top,
        waiting_ideas=waiting,
        waiting_total=waiting_total,
        teams=teams,
    )


def representative_comments(
    comments: list[tuple[str, float | None, str]],
    themes: tuple[Theme, ...],
    *,
    rng: random.Random,
    limit: int = 3,
) -> tuple[tuple[str, str], ...]:
    """Up to three comments that stand for the week: one on its main theme, the most negative, the most
    positive, each as (text, reply reference). Shuffled, so their order says nothing about who wrote
    what or when."""
    if not comments:
        return ()
    chosen: list[tuple[str, float | None, str]] = []

    def pick(candidates: list[tuple[str, float | None, str]]) -> None:
        for candidate in candidates:
            if candidate not in chosen:
                chosen.append(candidate)
                return

    by_strength = sorted(comments, key=lambda c: (-abs(c[1] or 0.0), c[0]))
    if themes:
        pick([c for c in by_strength if mentions(c[0], themes[0].phrase)])
    pick(sorted(comments, key=lambda c: (c[1] if c[1] is not None else 0.0, c[0])))
    pick(sorted(comments, key=lambda c: (-(c[1] if c[1] is not None else 0.0), c[0])))
    for candidate in by_strength:
        if len(chosen) >= limit:
            break
        pick([candidate])
    quoted = [(_shorten(text, COMMENT_CHARS), ref) for text, _, ref in chosen[:limit]]
    rng.shuffle(quoted)
    return tuple(quoted)


def _comments_of_shown_weeks(
    session: Session, shown_weeks: dict[tuple[int, date], tuple[int, ...]], *, reply_key: bytes | None
) -> dict[tuple[int, date], list[tuple[str, float | None, str]]]:
    """The comments of the runs each shown (survey, week) is made of — never of a run still open or one
    too few answered — with their reply references ("" without a key)."""
    week_of_run = {run_id: key for key, run_ids in shown_weeks.items() for run_id in run_ids}
    if not week_of_run:
        return {}
    rows = session.exec(
        select(Answer.comment, Answer.sentiment, Answer.run_id, Answer.question_id, Answer.respondent)
        .where(among(Answer.run_id, sorted(week_of_run)), Answer.comment.is_not(None))
        # A stable order that is not the order people answered in (the key is an HMAC).
        .order_by(Answer.respondent, Answer.question_id)
    ).all()
    found: dict[tuple[int, date], list[tuple[str, float | None, str]]] = {}
    for comment, sentiment, run_id, question_id, respondent in rows:
        ref = (
            comment_ref(reply_key, run_id=run_id, question_id=question_id, respondent=respondent)
            if reply_key
            else ""
        )
        found.setdefault(week_of_run[run_id], []).append((comment, sentiment, ref))
    return found


def _idea_line(idea: Idea, votes: int, now: datetime) -> IdeaLine:
    return IdeaLine(
        id=idea.id,
        text=_shorten(idea.text, IDEA_CHARS),
        votes=votes,
        status=idea.status,
        days_waiting=max(0, (now - idea.updated_at).days),
    )


def _existing(session: Session, survey_name: str) -> str:
    if session.exec(select(Survey.id).where(Survey.name == survey_name)).first() is None:
        raise NotFound(f"There is no survey called “{survey_name}”.")
    return survey_name


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: date, tr: Translator = ENGLISH) -> str:
    return tr.day_month_year(day)


_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"]
_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]


def _number(n: int) -> str:
    return _NUMBERS[n] if n < len(_NUMBERS) else str(n)


def _ordinal(n: int) -> str:
    return _ORDINALS[n] if n < len(_ORDINALS) else f"{n}th"
