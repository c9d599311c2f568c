"""Posting a team's week of results to its channel: from a manager's "Share with the team", or on its own
for a survey with `share_results: auto` once the week's digest time has passed in the survey's time zone.

The week is claimed (its ResultsShare row) in a transaction before the post goes out, so two managers
submitting at once, or two schedulers, make one post. When Slack refuses the post the claim is released
and the reason is handed back in words; the audit entry is written only once the post is in Slack.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.config import Settings
from pulsebot.services.errors import Refusal
from pulsebot.services.loop import sharing
from pulsebot.services.loop.sharing import TeamSummary
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.roles import Role
from pulsebot.services.results.analytics import compute_trends
from pulsebot.services.survey.surveys import find_survey
from pulsebot.slack.blocks.sharing import not_posted_note, share_target, shared_note, summary_message
from pulsebot.slack.digest import WEEKDAYS
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.weeks import week_start

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    """What came of a claimed share: the post's channel and ts, or Slack's refusal in words."""

    summary: TeamSummary
    channel_id: str | None = None
    ts: str | None = None
    refusal: str | None = None  # why it was not posted (the claim was released)


def preview(
    sessions: SessionFactory,
    settings: Settings,
    *,
    survey_name: str,
    week: date,
    user_id: str,
    is_admin: bool,
    now: datetime,
) -> TeamSummary:
    """What the team would see, for the person who clicked "Share with the team" (Refusal otherwise)."""
    with transaction(sessions) as session:
        sharing.check_may_share(session, survey_name=survey_name, user_id=user_id, is_admin=is_admin)
        return _summary(session, settings, survey_name=survey_name, week=week, now=now)


def claim(
    sessions: SessionFactory,
    settings: Settings,
    *,
    survey_name: str,
    week: date,
    shared_by: str,
    is_admin: bool,
    with_comments: bool,
    now: datetime,
) -> TeamSummary:
    """Check the person may share the week, that it can be shared, and claim it (Refusal otherwise)."""
    with transaction(sessions) as session:
        if shared_by != audit.SCHEDULER:
            sharing.check_may_share(session, survey_name=survey_name, user_id=shared_by, is_admin=is_admin)
        summary = _summary(session, settings, survey_name=survey_name, week=week, now=now)
        survey_id = find_survey(session, name=survey_name).id
        sharing.claim_share(
            session, survey_id=survey_id, week=week, shared_by=shared_by, with_comments=with_comments, now=now
        )
    return summary


def post_claimed(
    client: WebClient,
    sessions: SessionFactory,
    summary: TeamSummary,
    *,
    shared_by: str,
    with_comments: bool,
    now: datetime,
) -> Posted:
    """Post a claimed week to the team's channel, then record it; release the claim if Slack refuses."""
    by = None if shared_by == audit.SCHEDULER else shared_by
    text, blocks = summary_message(summary, with_comments=with_comments, shared_by=by)
    try:
        posted = client.chat_postMessage(
            channel=summary.channel_id, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.warning("results of %s not shared: %s", summary.survey_name, code)
        with transaction(sessions) as session:
            survey_id = find_survey(session, name=summary.survey_name).id
            sharing.release_share(session, survey_id=survey_id, week=summary.week)
        return Posted(summary=summary, refusal=not_posted_note(summary.channel_id, code))
    with transaction(sessions) as session:
        sharing.record_share(
            session,
            survey_name=summary.survey_name,
            week=summary.week,
            shared_by=shared_by,
            with_comments=with_comments,
            now=now,
            channel_id=posted["channel"],
            message_ts=posted["ts"],
        )
    return Posted(summary=summary, channel_id=posted["channel"], ts=posted["ts"])


def claim_as_manager(
    client: WebClient, deps: Deps, *, target: str, user_id: str, with_comments: bool, now: datetime
) -> TeamSummary:
    """A manager's (or admin's) claim on the week a digest button or the preview carries (`target`);
    a Refusal says why not."""
    survey_name, week = share_target(target)
    return deps.directory.with_rights(
        client,
        deps.settings,
        user_id,
        lambda role: claim(
            deps.sessions,
            deps.settings,
            survey_name=survey_name,
            week=week,
            shared_by=user_id,
            is_admin=role is Role.admin,
            with_comments=with_comments,
            now=now,
        ),
    )


def post_for_manager(
    client: WebClient, deps: Deps, summary: TeamSummary, *, user_id: str, with_comments: bool, now: datetime
) -> str:
    """Post the week the manager claimed; what to tell them: that it is done, or why not."""
    posted = post_claimed(
        client, deps.sessions, summary, shared_by=user_id, with_comments=with_comments, now=now
    )
    return posted.refusal or shared_note(summary, with_comments=with_comments)


def share_due_weeks(
    client: WebClient, sessions: SessionFactory, settings: Settings, now: datetime
) -> list[str]:
    """Share each `share_results: auto` survey's last complete week, once its digest time has passed in
    the survey's time zone, without comments. A week whose figures are hidden is simply left unshared.
    Safe to call every minute and from several processes. Returns the surveys shared by this call."""
    with transaction(sessions) as session:
        due = []
        for survey in sharing.auto_surveys(session):
            week = sharing.last_complete_week(survey, now=now)
            if _digest_time_passed(survey.timezone, settings, now) and sharing.open_to_share(
                session, survey_id=survey.id, week=week, now=now
            ):
                due.append((survey.name, week))
        if due:  # a quick look at the weeks alone, before any digest is built for them
            names = [name for name, _ in due]
            trends = compute_trends(
                session,
                now=now,
                min_group=settings.min_group,
                weeks=1,
                complete_only=True,
                survey_names=names,
            )
            due = [(name, week) for name, week in due if _shown(trends.teams.get(name), week)]
    done = []
    for name, week in due:
        try:
            summary = claim(
                sessions,
                settings,
                survey_name=name,
                week=week,
                shared_by=audit.SCHEDULER,
                is_admin=False,
                with_comments=False,
                now=now,
            )
        except Refusal as refusal:  # shared meanwhile, or hidden after all: nothing to post
            log.info("not sharing %s automatically: %s", name, refusal.message)
            continue
        posted = post_claimed(
            client, sessions, summary, shared_by=audit.SCHEDULER, with_comments=False, now=now
        )
        if posted.refusal is None:
            done.append(name)
    return done


def _summary(session, settings: Settings, *, survey_name: str, week: date, now: datetime) -> TeamSummary:
    return sharing.team_summary(
        session,
        survey_name=survey_name,
        week=week,
        now=now,
        min_group=settings.min_group,
        weeks=settings.trend_weeks,
    )


def _shown(trend, week: date) -> bool:
    return trend is not None and any(figures.week == week and figures.shown for figures in trend.weeks)


def _digest_time_passed(timezone: str, settings: Settings, now: datetime) -> bool:
    """Has this week's digest time (PULSEBOT_DIGEST_DAY PULSEBOT_DIGEST_TIME) passed in `timezone`?"""
    local = now.astimezone(zoneinfo.ZoneInfo(timezone))
    monday = week_start(local.date())
    moment = datetime.combine(
        monday + timedelta(days=WEEKDAYS[settings.digest_day]), settings.digest_time, tzinfo=local.tzinfo
    )
    return local >= moment
