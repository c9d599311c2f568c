"""The workspace's people, from Slack into the directory table (services/people/workspace_people.py): one
full users.list read when the last is a day old (or there was none), paced at Tier 2 and going on from
its last page after a restart; Slack's `team_join` and `user_change` events in between. A `team_join`
event carries no locale (Slack sends one only when asked), so the newcomer's is read at once with
users.info, paced at Tier 4 per workspace: their first pulse is in their language, not the day after.

Only the scheduler's process reads (the `directory-read` job, scheduling.py), so replicas never each walk
users.list: for 100,000 people that is 500 pages, 25 minutes at Tier 2's pace, once a day. Bots, apps,
Slackbot and deactivated accounts are left out as before (guests are people too).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.clock import utc_now
from pulsebot.services.people import workspace_people
from pulsebot.slack.limits import TIER_2_PER_MINUTE, TIER_4_PER_MINUTE
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.people import paced, tier_pacer
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)

PAGE = 200  # users.list's most per page


def human(user: Mapping) -> bool:
    """An active person: not a bot or app, not Slackbot, not deactivated."""
    return not (user.get("is_bot") or user.get("deleted") or user.get("id") == "USLACKBOT")


def zone_of(user: Mapping) -> str | None:
    """The person's Slack time zone (an IANA name such as Europe/Berlin), if Slack gives one."""
    tz = user.get("tz")
    return tz[:64] if isinstance(tz, str) and tz else None


def read_directory(
    client: WebClient,
    sessions: SessionFactory,
    *,
    now: datetime | None = None,
    pacer: Pacer | None = None,
) -> bool:
    """Read the workspace's people in full if the directory is due for it, page by page, each stored with
    the cursor of the next; True when a read ended. `pacer`: users.list's pace (Tier 2 by default)."""
    with transaction(sessions) as session:
        step = workspace_people.read_due(session, now=now or utc_now())
    if step is None:
        return False
    pacer = pacer or tier_pacer(TIER_2_PER_MINUTE)
    reader = paced(client, pacer)
    cursor = step.cursor
    while True:
        pacer.wait()
        page = reader.users_list(limit=PAGE, cursor=cursor or None, include_locale=True)
        members = page["members"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        with transaction(sessions) as session:
            workspace_people.store_page(
                session,
                humans={
                    user["id"]: workspace_people.Listed(zone_of(user), user.get("locale"))
                    for user in members
                    if human(user)
                },
                others=[user["id"] for user in members if not human(user)],
                next_cursor=cursor,
            )
            if not cursor:
                gone = workspace_people.finish_read(session, now=utc_now())
                # The daily read is routine: only people leaving is worth a line at the default level.
                level = logging.INFO if gone else logging.DEBUG
                log.log(level, "directory read: %d left the workspace since the last read", gone)
                return True


def workspace_members(client: WebClient, sessions: SessionFactory) -> tuple[str, ...]:
    """Every active human of the workspace, from the directory; read from Slack first only when no full
    read has ever ended (a first start, or a command run before pulsebot ever ran)."""
    with transaction(sessions) as session:
        if workspace_people.ever_read(session):
            return workspace_people.people(session)
    read_directory(client, sessions)
    with transaction(sessions) as session:
        return workspace_people.people(session)


def active_members(client: WebClient, sessions: SessionFactory) -> tuple[str, ...]:
    """Every active human of the workspace, with the directory read in full first if it is a day old
    (`pulsebot people sync` removes the profiles of whoever is not among them)."""
    read_directory(client, sessions)
    return workspace_members(client, sessions)


def on_person_event(sessions: SessionFactory, *, user: Mapping) -> None:
    """A `team_join` or `user_change` event: the person is added, kept, or (deactivated, a bot) removed."""
    user_id = user.get("id")
    if not user_id:
        return
    with transaction(sessions) as session:
        workspace_people.person_changed(
            session, user_id=user_id, active=human(user), tz=zone_of(user), locale=user.get("locale")
        )


_locale_pacers: dict[str, Pacer] = {}
_locale_pacers_lock = threading.Lock()


def _locale_pacer(team_id: str) -> Pacer:
    """users.info's pace (Tier 4) in one workspace, shared by every team_join this process handles."""
    with _locale_pacers_lock:
        return _locale_pacers.setdefault(team_id, tier_pacer(TIER_4_PER_MINUTE))


def forget_locale_pacers() -> None:
    """Start every workspace's users.info pace afresh (the tests, whose clocks jump)."""
    with _locale_pacers_lock:
        _locale_pacers.clear()


def on_person_joined(client: WebClient, sessions: SessionFactory, *, user: Mapping, team_id: str) -> None:
    """A `team_join` event: the newcomer is added to the directory, with their Slack locale read from
    users.info (the event has none), so a pulse sent before the next daily read is in their language.
    If Slack cannot say now, the daily read will."""
    on_person_event(sessions, user=user)
    user_id = user.get("id")
    if not user_id or not human(user) or user.get("locale"):
        return
    pacer = _locale_pacer(team_id)
    pacer.wait()
    try:
        found = paced(client, pacer).users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as error:
        log.info(
            "no Slack locale for a newcomer yet (%s): the daily read brings it", error.response.get("error")
        )
        return
    if found.get("locale"):
        on_person_event(sessions, user=found)
