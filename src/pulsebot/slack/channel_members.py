"""The survey channels' members, from Slack into the `channel_member` table
(services/survey/channel_members.py), so opening a run reads the table and never Slack's whole list.

The first time a channel's members are needed (a run opening, a survey saved) they are read in full as
before: conversations.members, and each member's profile (users.info for a few, one users.list walk for
many). From then on Slack's events keep them: `member_joined_channel` (one users.info for the newcomer's
time zone, after the ack), `member_left_channel`, and `user_change` / `user_profile_changed` (a new time
zone or Slack role, a deactivation). A full read again when the last is a day old, by the scheduler's
`channel-read` job, reconciles what the events missed (pulsebot stopped, an event lost): page by page at
Tier 4's pace, going on from its last page after a restart, reading the profiles of new members only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.clock import utc_now
from pulsebot.services.survey import channel_members as kept_members
from pulsebot.services.survey.channel_members import MemberProfile
from pulsebot.services.survey.surveys import list_surveys
from pulsebot.slack.directory import ChannelMembers, channel_members, member_profile
from pulsebot.slack.limits import TIER_4_PER_MINUTE
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.people import paced, tier_pacer
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)

PAGE = 200  # conversations.members' most per page


def survey_channel_members(
    client: WebClient, sessions: SessionFactory, channel_id: str, *, now: datetime | None = None
) -> ChannelMembers:
    """A survey channel's human, active members, their time zones and which of them run the workspace:
    from the table, read from Slack in full first only when no full read of the channel has ever ended."""
    with transaction(sessions) as session:
        stored = kept_members.members(session, channel_id=channel_id)
    if stored is None:
        _first_read(client, sessions, channel_id, now=now or utc_now())
        with transaction(sessions) as session:
            stored = kept_members.members(session, channel_id=channel_id) or {}
    return ChannelMembers(
        zones={user_id: profile.tz for user_id, profile in stored.items()},
        slack_admins=frozenset(user_id for user_id, profile in stored.items() if profile.runs_slack),
    )


def _first_read(client: WebClient, sessions: SessionFactory, channel_id: str, *, now: datetime) -> None:
    """Read the channel's members and their profiles at once (as pulsebot always did) and store them."""
    found = channel_members(client, channel_id)
    profiles = {
        user_id: MemberProfile(tz=tz, runs_slack=user_id in found.slack_admins)
        for user_id, tz in found.zones.items()
    }
    with transaction(sessions) as session:
        if kept_members.read_due(session, channel_id=channel_id, now=now, first=True) is None:
            return  # another process stored its read meanwhile
        kept_members.store_page(
            session, channel_id=channel_id, listed=(), profiles=profiles, others=(), next_cursor=""
        )
        kept_members.finish_read(session, channel_id=channel_id, now=now)


def reconcile_channel(
    client: WebClient,
    sessions: SessionFactory,
    channel_id: str,
    *,
    now: datetime | None = None,
    pacer: Pacer | None = None,
) -> bool:
    """Read the channel's members in full again if the last read is a day old, page by page, each stored
    with the cursor of the next; True when a read ended. Only members not stored yet have their profile
    read. `pacer`: the pace of conversations.members and users.info (Tier 4 by default)."""
    with transaction(sessions) as session:
        step = kept_members.read_due(session, channel_id=channel_id, now=now or utc_now())
    if step is None:
        return False
    pacer = pacer or tier_pacer(TIER_4_PER_MINUTE)
    reader = paced(client, pacer)
    cursor = step.cursor
    while True:
        pacer.wait()
        page = reader.conversations_members(channel=channel_id, limit=PAGE, cursor=cursor or None)
        listed = list(page["members"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        with transaction(sessions) as session:
            stored = kept_members.known(session, channel_id=channel_id, among=listed)
        profiles: dict[str, MemberProfile] = {}
        others: list[str] = []
        for user_id in (user_id for user_id in listed if user_id not in stored):
            pacer.wait()
            profile = _profile(reader, user_id)
            if profile is None:
                others.append(user_id)
            else:
                profiles[user_id] = profile
        with transaction(sessions) as session:
            kept_members.store_page(
                session,
                channel_id=channel_id,
                listed=stored,
                profiles=profiles,
                others=others,
                next_cursor=cursor,
            )
            if not cursor:
                gone = kept_members.finish_read(session, channel_id=channel_id, now=utc_now())
                level = logging.INFO if gone else logging.DEBUG
                log.log(level, "channel read: %d members no events had removed", gone)
                return True


def reconcile_survey_channels(
    client: WebClient, sessions: SessionFactory, *, now: datetime | None = None, pacer: Pacer | None = None
) -> int:
    """Reconcile each kept channel some survey still uses (the others' members are dropped); how many
    reads ended."""
    with transaction(sessions) as session:
        used = {survey.channel_id for survey in list_surveys(session)}
        for channel_id in set(kept_members.channels_kept(session)) - used:
            kept_members.stop_keeping(session, channel_id=channel_id)
        channels = [channel_id for channel_id in kept_members.channels_kept(session) if channel_id in used]
    ended = [reconcile_channel(client, sessions, channel, now=now, pacer=pacer) for channel in channels]
    return sum(ended)


def on_member_joined(client: WebClient, sessions: SessionFactory, *, channel_id: str, user_id: str) -> None:
    """A `member_joined_channel` event in a kept channel: the newcomer's profile is read and stored."""
    with transaction(sessions) as session:
        if not kept_members.kept(session, channel_id=channel_id):
            return
    profile = _profile(client, user_id)
    with transaction(sessions) as session:
        kept_members.joined(session, channel_id=channel_id, user_id=user_id, profile=profile)


def on_member_left(sessions: SessionFactory, *, channel_id: str, user_id: str) -> None:
    with transaction(sessions) as session:
        kept_members.left(session, channel_id=channel_id, user_id=user_id)


def on_profile_event(sessions: SessionFactory, *, user: Mapping) -> None:
    """A `user_change` or `user_profile_changed` event: the person's time zone and Slack role in every kept
    channel, or their rows gone when they were deactivated or turned out a bot."""
    if user_id := user.get("id"):
        with transaction(sessions) as session:
            kept_members.person_changed(session, user_id=user_id, profile=member_profile(user))


def _profile(client: WebClient, user_id: str) -> MemberProfile | None:
    """A member's profile read from Slack; None for a bot, an app, a deactivated account or one Slack no
    longer knows."""
    try:
        return member_profile(client.users_info(user=user_id)["user"])
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            return None
        raise
