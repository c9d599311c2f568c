"""Putting digests and drop alerts into Slack: one DM per manager, the trend chart uploaded into that DM.

`send_weekly_digests` is what the scheduler calls (as often as it likes); `drop_alerts_for_run` is called
when a pulse run closes; `send_digests` and `send_requested_digests` serve the CLI and `/pulse digest`.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from pulsebot.charts import digest_chart
from pulsebot.config import Settings
from pulsebot.heatmap_chart import heatmap_png
from pulsebot.i18n import DEFAULT, translator
from pulsebot.segment_chart import segment_heatmap_png
from pulsebot.services.digest.digests import Digest, build_digests, drop_alert_for_run
from pulsebot.services.digest.managers import all_managers
from pulsebot.services.digest.notices import claim_notice, noticed_scopes, release_notice
from pulsebot.services.people.languages import languages_for
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import ORG
from pulsebot.services.segments.segment_views import RollUp, leader_roll_ups
from pulsebot.services.survey.surveys import find_survey
from pulsebot.slack.blocks.digest import digest_message, drop_alert_message
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import AuditAction, NoticeKind
from pulsebot.store.weeks import week_start

log = logging.getLogger(__name__)

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def deliver_digest(client: WebClient, digest: Digest, *, user_id: str, language: str = DEFAULT) -> None:
    """DM the digest, its headings in its reader's language, then upload its trend chart (and, for
    admins, the drivers' heatmap) into the same conversation."""
    tr = translator(language)
    text, blocks = digest_message(digest, tr)
    posted = client.chat_postMessage(channel=user_id, text=text, blocks=blocks, unfurl_links=False)
    if digest.heatmap is not None:
        _upload_heatmap(client, digest, channel=posted["channel"])
    if digest.segments is not None:
        _upload_segments(client, digest, channel=posted["channel"])
    png = digest_chart(digest, tr)
    if png is None:
        return
    day = f"{digest.week:%-d %B}" if tr.language == DEFAULT else tr.short_day(digest.week)
    try:
        client.files_upload_v2(
            channel=posted["channel"],
            content=png,
            filename=f"{digest.scope}-{digest.week.isoformat()}.png",
            title=tr.gettext("{title}: trend to the week of {day}").format(title=digest.title, day=day),
            alt_txt=tr.gettext("Weekly mood, eNPS and comment sentiment of {title}").format(
                title=digest.title
            ),
        )
    except SlackApiError as error:
        # The digest itself went out; sending it again for the sake of its chart would be worse.
        log.warning("chart for %s not uploaded: %s", digest.scope, error.response.get("error"))


def _readers_languages(sessions: SessionFactory, users: list[str]) -> dict[str, str]:
    """Each reader's own language for a digest or a drop alert: their choice, else their Slack language, else
    English (a digest covers a team, not a survey's channel post)."""
    with transaction(sessions) as session:
        return languages_for(session, people=users, survey_language=None)


def _upload_heatmap(client: WebClient, digest: Digest, *, channel: str) -> None:
    try:
        client.files_upload_v2(
            channel=channel,
            content=heatmap_png(digest.heatmap, min_group=digest.min_group),
            filename=f"drivers-{digest.heatmap.through.isoformat()}.png",
            title=f"Drivers by team to {digest.heatmap.through:%-d %B}",
            alt_txt="Each team's driver scores, hidden cells in grey",
        )
    except SlackApiError as error:
        log.warning("heatmap not uploaded: %s", error.response.get("error"))


def _upload_segments(client: WebClient, digest: Digest, *, channel: str) -> None:
    table = digest.segments
    try:
        client.files_upload_v2(
            channel=channel,
            content=segment_heatmap_png(table),
            filename=f"segments-{table.period}.png",
            title=f"Drivers by {table.table}, {table.period}",
            alt_txt=f"Each {table.table}'s driver scores in {table.period}, hidden cells in grey with why",
        )
    except SlackApiError as error:
        log.warning("segments heatmap not uploaded: %s", error.response.get("error"))


class _RollUps:
    """Each reader's reporting line (services/segments), added to the first team digest they get."""

    def __init__(self, session: Session, *, users: Iterable[str], now: datetime, min_group: int) -> None:
        self.waiting: dict[str, RollUp] = leader_roll_ups(session, users=users, now=now, min_group=min_group)

    def for_reader(self, digest: Digest, user: str) -> Digest:
        if digest.is_org or user not in self.waiting:
            return digest
        return replace(digest, line_roll_up=self.waiting.pop(user))


def _audit_sent(
    sessions: SessionFactory,
    *,
    actor: str,
    action: AuditAction,
    scope: str,
    user: str,
    week: date,
    now: datetime,
) -> None:
    with transaction(sessions) as session:
        audit.record(
            session,
            actor=actor,
            action=action,
            scope=scope,
            now=now,
            detail=f"to {user}, week of {week:%-d %b %Y}",
        )


def send_digests(
    client: WebClient, sessions: SessionFactory, settings: Settings, *, now: datetime, survey_name: str | None
) -> list[tuple[str, str]]:
    """Send now, whatever the day: one team's digest to its managers, or (no survey named) every team's
    digest to its managers and the organisation's to the admins. Returns (scope, user) pairs sent."""
    with transaction(sessions) as session:
        managers = all_managers(session)
        if survey_name is not None:
            managers = {survey_name: managers.get(find_survey(session, name=survey_name).name, [])}
        digests, org = _build_digests(
            session,
            settings,
            now=now,
            survey_names=None if survey_name is None else [survey_name],
            include_org=survey_name is None and bool(settings.admins),
        )
        roll_ups = _RollUps(
            session,
            users=[user for users in managers.values() for user in users],
            now=now,
            min_group=settings.min_group,
        )
    plan = [(name, user) for name, users in managers.items() for user in users]
    if org is not None:
        plan += [(ORG, admin) for admin in sorted(settings.admins)]
    spoken = _readers_languages(sessions, [user for _, user in plan])
    for scope, user in plan:
        digest = org if scope == ORG else digests[scope]
        deliver_digest(client, roll_ups.for_reader(digest, user), user_id=user, language=spoken[user])
        _audit_sent(
            sessions,
            actor=audit.CLI,
            action=AuditAction.digest_sent,
            scope=scope,
            user=user,
            week=digest.week,
            now=now,
        )
    return plan


def send_requested_digests(
    client: WebClient,
    sessions: SessionFactory,
    settings: Settings,
    *,
    user_id: str,
    scopes: list[str],
    now: datetime,
) -> None:
    """`/pulse digest`: the digests this person asked for (and may see), by DM to them."""
    teams = [scope for scope in scopes if scope != ORG]
    with transaction(sessions) as session:
        digests, org = _build_digests(
            session,
            settings,
            now=now,
            survey_names=None if ORG in scopes else teams,
            include_org=ORG in scopes,
        )
        for scope in scopes:  # the request is what is audited: the person asked to see these figures
            audit.record(
                session,
                actor=user_id,
                action=AuditAction.digest_requested,
                scope=scope,
                now=now,
                detail=f"/pulse digest, week of {(org if scope == ORG else digests[scope]).week:%-d %b %Y}",
            )
        roll_ups = _RollUps(session, users=[user_id], now=now, min_group=settings.min_group)
    spoken = _readers_languages(sessions, [user_id])
    for scope in scopes:
        digest = org if scope == ORG else digests[scope]
        deliver_digest(
            client, roll_ups.for_reader(digest, user_id), user_id=user_id, language=spoken[user_id]
        )


def send_weekly_digests(
    client: WebClient, sessions: SessionFactory, settings: Settings, now: datetime
) -> list[tuple[str, str]]:
    """Send each manager their teams' digests (and each admin the organisation's) once a week, at the first
    call after PULSEBOT_DIGEST_DAY PULSEBOT_DIGEST_TIME in the person's own Slack time zone.

    Safe to call every few minutes and from several processes: a person gets each week's digest once.
    Returns the (scope, user) pairs sent by this call.
    """
    with transaction(sessions) as session:
        recipients: dict[str, list[str]] = {}
        for name, users in all_managers(session, include_paused=False).items():
            for user in users:
                recipients.setdefault(user, []).append(name)
        for admin in sorted(settings.admins):
            recipients.setdefault(admin, []).append(ORG)
        # Whoever already has this week's digests needs no time-zone lookup: the latest week any time
        # zone can be in (UTC+14) is the one to check.
        newest_week = week_start((now + timedelta(hours=14)).date())
        pending = {}
        for user, scopes in recipients.items():
            done = noticed_scopes(session, kind=NoticeKind.digest, user_id=user, week=newest_week)
            if not set(scopes) <= done:
                pending[user] = scopes
    claimed: list[tuple[str, str, date]] = []
    for user, scopes in pending.items():
        week = _due_week(client, user, settings, now)
        if week is None:
            continue
        with transaction(sessions) as session:
            for scope in scopes:
                if claim_notice(
                    session, kind=NoticeKind.digest, scope=scope, user_id=user, week=week, now=now
                ):
                    claimed.append((scope, user, week))
    sent = []
    # Everyone gets the week before their own current week, whatever the team's time zone: a manager
    # in Tokyo reads on Monday morning about the same week as one in New York.
    for week in sorted({week for _, _, week in claimed}):
        batch = [(scope, user) for scope, user, claimed_week in claimed if claimed_week == week]
        with_org = any(scope == ORG for scope, _ in batch)
        with transaction(sessions) as session:
            digests, org = _build_digests(
                session,
                settings,
                now=now,
                survey_names=None if with_org else sorted({scope for scope, _ in batch}),
                include_org=with_org,
                week=week - timedelta(weeks=1),
            )
            roll_ups = _RollUps(
                session,
                users={user for scope, user in batch if scope != ORG},
                now=now,
                min_group=settings.min_group,
            )
        spoken = _readers_languages(sessions, [user for _, user in batch])
        for scope, user in batch:
            try:
                digest = org if scope == ORG else digests[scope]
                deliver_digest(client, roll_ups.for_reader(digest, user), user_id=user, language=spoken[user])
            except SlackApiError as error:
                log.warning(
                    "digest %s not sent to one of its readers: %s", scope, error.response.get("error")
                )
                with transaction(sessions) as session:
                    release_notice(session, kind=NoticeKind.digest, scope=scope, user_id=user, week=week)
                continue
            _audit_sent(
                sessions,
                actor=audit.SCHEDULER,
                action=AuditAction.digest_sent,
                scope=scope,
                user=user,
                week=week - timedelta(weeks=1),
                now=now,
            )
            sent.append((scope, user))
    return sent


def drop_alerts_for_run(
    client: WebClient, sessions: SessionFactory, settings: Settings, *, run_id: int, now: datetime
) -> list[str]:
    """Call when a run closes: if its team's mood or sentiment fell sharply against the week before,
    DM each manager a short alert (once per team and week). Returns the managers alerted."""
    with transaction(sessions) as session:
        alert = drop_alert_for_run(
            session,
            run_id=run_id,
            min_group=settings.min_group,
            threshold=settings.drop_alert,
            weeks=settings.trend_weeks,
        )
        if alert is None:
            return []
        claimed = [
            user
            for user in alert.managers
            if claim_notice(
                session, kind=NoticeKind.drop_alert, scope=alert.scope, user_id=user, week=alert.week, now=now
            )
        ]
    spoken = _readers_languages(sessions, claimed)
    alerted = []
    for user in claimed:
        # Each manager's own DM in their language; never one manager's language in another's.
        text, blocks = drop_alert_message(alert, translator(spoken[user]))
        try:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("a drop alert was not sent to one of its managers: %s", error.response.get("error"))
            with transaction(sessions) as session:
                release_notice(
                    session, kind=NoticeKind.drop_alert, scope=alert.scope, user_id=user, week=alert.week
                )
            continue
        _audit_sent(
            sessions,
            actor=audit.SCHEDULER,
            action=AuditAction.drop_alert_sent,
            scope=alert.scope,
            user=user,
            week=alert.week,
            now=now,
        )
        alerted.append(user)
    return alerted


def _build_digests(
    session: Session, settings: Settings, *, now: datetime, **which
) -> tuple[dict[str, Digest], Digest | None]:
    """`build_digests` made as every digest here is made; `which` names the teams and the week."""
    # The quoted comments get their "Reply anonymously" buttons only where the key is there to resolve them.
    reply_key = settings.anon_key_bytes() if settings.anon_key is not None else None
    return build_digests(
        session,
        now=now,
        min_group=settings.min_group,
        weeks=settings.trend_weeks,
        reply_key=reply_key,
        **which,
    )


def _due_week(client: WebClient, user_id: str, settings: Settings, now: datetime) -> date | None:
    """The Monday of the person's current week if this week's digest time has passed for them, else None."""
    local = now.astimezone(_timezone_of(client, user_id))
    monday = week_start(local.date())
    moment = datetime.combine(
        monday + timedelta(days=WEEKDAYS[settings.digest_day]), settings.digest_time, tzinfo=local.tzinfo
    )
    return monday if local >= moment else None


def _timezone_of(client: WebClient, user_id: str) -> zoneinfo.ZoneInfo:
    try:
        name = client.users_info(user=user_id)["user"].get("tz") or "UTC"
        return zoneinfo.ZoneInfo(name)
    except SlackApiError as error:
        log.warning("a digest reader's time zone is unknown (%s); using UTC", error.response.get("error"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        log.warning("a digest reader's time zone is not recognised; using UTC")
    return zoneinfo.ZoneInfo("UTC")
