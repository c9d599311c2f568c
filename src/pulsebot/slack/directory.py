"""Who is who, read from Slack: a survey's audience and their time zones, the workspace's people (from
the directory table the scheduler reads and Slack's events keep, slack/workspace_people.py), the
managers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import TypeVar

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.config import Settings
from pulsebot.services.errors import NotAllowed, Refusal
from pulsebot.services.idea import idea_authors, idea_status
from pulsebot.services.privacy.roles import Role, role_of
from pulsebot.services.pulse.asking import AskingRules
from pulsebot.services.survey.channel_members import MemberProfile
from pulsebot.slack.workspace_people import human, workspace_members
from pulsebot.store.db import SessionFactory, transaction

# The workspace's people (from the shared directory table) and the manager group (from Slack) are kept
# this long in each process; a look-up that misses someone reads the table again at once.
CACHE_SECONDS = 300
# Whether someone is a Slack owner or admin (PULSEBOT_SLACK_ADMINS) is looked up again after this long,
# so someone whose Slack role was taken away loses pulsebot's admin rights within a minute.
SLACK_ROLE_SECONDS = 60
# Up to this many members, each profile is read with users.info (Tier 4, 100+ a minute); a bigger
# channel's are picked out of one walk through users.list (200 a page, Tier 2): 2,000 members would
# otherwise take 20 minutes of users.info calls at Slack's pace before the run could even open.
USERS_INFO_UP_TO = 50
# What a call to Slack made before a request's ack (or before opening a modal with its trigger) may take,
# so the ack stays within Slack's 3 seconds.
BEFORE_ACK_SECONDS = 0.8

T = TypeVar("T")


class RightsUnknown(Refusal):
    """Slack did not say in time (throttled, slow, unavailable) whether the person runs the workspace or is
    in the manager group, and what pulsebot holds does not give them the rights the request needs."""

    def __init__(self) -> None:
        super().__init__(
            "Slack is busy right now, so pulsebot could not check your rights and nothing was changed. "
            "Please try again in a few seconds."
        )


def before_ack_client(client: WebClient) -> WebClient:
    """`client` answering within BEFORE_ACK_SECONDS or failing: no retry, no waiting out a 429."""
    return WebClient(
        token=client.token, base_url=client.base_url, timeout=BEFORE_ACK_SECONDS, retry_handlers=[]
    )


def _slack_could_not_say(error: SlackApiError) -> bool:
    """Throttled or unavailable: the answer is unknown, not a no."""
    status = getattr(error.response, "status_code", 200) or 200
    return status == 429 or status >= 500 or error.response.get("error") == "ratelimited"


@dataclass(frozen=True)
class ChannelMembers:
    """A channel's human, active members, read from their Slack profiles."""

    zones: dict[str, str | None]  # each member's Slack time zone (None when Slack has none)
    slack_admins: frozenset[str]  # those of them who are owners or admins of the Slack workspace


def channel_members(client: WebClient, channel_id: str) -> ChannelMembers:
    """Human, active members of a channel, their Slack time zones, and which of them run the workspace.

    Bots, apps and deactivated accounts are left out. Members come page by page
    (conversations.members follows its cursor); each person's profile gives the time zone and role.
    """
    members: list[str] = []
    for page in client.conversations_members(channel=channel_id, limit=200):
        members.extend(page["members"])
    people = [user for user in _profiles(client, members) if human(user)]
    return ChannelMembers(
        zones={user["id"]: user.get("tz") or None for user in people},
        slack_admins=frozenset(user["id"] for user in people if _runs_slack(user)),
    )


def asking_rules(settings: Settings) -> AskingRules:
    """When the workspace's people may be sent a pulse or a reminder (services/pulse/asking.py)."""
    return AskingRules(
        hours=settings.working_hours,
        days=settings.working_days,
        locations=settings.holiday_locations,
        per_week=settings.pulses_per_week,
    )


def admins_among(
    client: WebClient, settings: Settings, people: Iterable[str], *, slack_admins: Iterable[str] | None = None
) -> frozenset[str]:
    """Which of these people are pulsebot admins, as `WorkspaceDirectory.is_admin` would say: in
    PULSEBOT_ADMINS, or (with PULSEBOT_SLACK_ADMINS) owners or admins of the Slack workspace. Their
    profiles are read from Slack unless `slack_admins` (read with them, by `channel_members`) is given."""
    people = set(people)
    named = people & settings.admins
    if not settings.slack_admins or not people - named:
        return frozenset(named)
    if slack_admins is None:
        slack_admins = (user["id"] for user in _profiles(client, people - named) if _runs_slack(user))
    return frozenset(named | (people & set(slack_admins)))


def _profiles(client: WebClient, user_ids: Iterable[str]) -> list[dict]:
    """The Slack profiles of these people: one users.info each for a few, one users.list walk for many
    (a person Slack no longer knows is left out)."""
    wanted = list(dict.fromkeys(user_ids))
    if len(wanted) > USERS_INFO_UP_TO:
        chosen = set(wanted)
        return [
            user for page in client.users_list(limit=200) for user in page["members"] if user["id"] in chosen
        ]
    profiles = []
    for user_id in wanted:
        try:
            profiles.append(client.users_info(user=user_id)["user"])
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                raise
    return profiles


def member_profile(user: Mapping) -> MemberProfile | None:
    """What a run needs of a Slack profile (services/survey/channel_members.py); None for a bot, an app
    or a deactivated account."""
    if not human(user):
        return None
    return MemberProfile(tz=user.get("tz") or None, runs_slack=_runs_slack(user))


def _runs_slack(user: Mapping) -> bool:
    """An owner or admin of the Slack workspace, by their profile."""
    return bool(user.get("is_owner") or user.get("is_admin")) and not user.get("deleted")


class WorkspaceDirectory:
    """The workspace's people (from the directory table) and the manager group (from Slack), kept for a
    few minutes, and whether someone runs the Slack workspace.

    Finding an anonymous idea's author means computing a token for everyone in the workspace; the list
    comes from the directory the scheduler reads once a day and Slack's events keep current, so no
    process walks users.list for it."""

    def __init__(self, *, ttl_seconds: float = CACHE_SECONDS) -> None:
        # Read the clock through `time` at call time so a frozen test clock moves the cache too.
        self._cache: TTLCache[str, tuple[str, ...]] = TTLCache(
            maxsize=8, ttl=ttl_seconds, timer=lambda: time.monotonic()
        )
        self._slack_admin: TTLCache[str, bool] = TTLCache(
            maxsize=4096, ttl=SLACK_ROLE_SECONDS, timer=lambda: time.monotonic()
        )
        self._lock = threading.Lock()

    def people(self, client: WebClient, sessions: SessionFactory, *, fresh: bool = False) -> tuple[str, ...]:
        """Every active human in the workspace (bots and deactivated accounts left out); `fresh`: read
        from the directory table now rather than kept from the last few minutes."""
        return self._cached("people", lambda: workspace_members(client, sessions), fresh=fresh)

    def is_admin(self, client: WebClient, settings: Settings, user_id: str, *, strict: bool = False) -> bool:
        """In PULSEBOT_ADMINS, or (with PULSEBOT_SLACK_ADMINS) an owner or admin of the Slack workspace.
        `strict`: RightsUnknown when Slack cannot say, rather than no."""
        if user_id in settings.admins:
            return True
        return settings.slack_admins and self._slack_role(client, user_id, strict=strict)

    def admin_before_ack(self, client: WebClient, settings: Settings, user_id: str) -> bool:
        """`is_admin`, asking Slack only as long as a request's ack (or a modal's trigger) can wait;
        RightsUnknown when Slack cannot say in time whether the person runs the workspace."""
        return self.is_admin(before_ack_client(client), settings, user_id, strict=True)

    def role(
        self,
        client: WebClient,
        settings: Settings,
        user_id: str,
        *,
        strict: bool = False,
        ask_slack_admin: bool = True,
    ) -> Role:
        """The person's role. `strict`: RightsUnknown when Slack cannot say; without `ask_slack_admin`,
        whether they run the Slack workspace is not asked."""
        if user_id in settings.admins or (
            ask_slack_admin and self.is_admin(client, settings, user_id, strict=strict)
        ):
            return Role.admin
        group: tuple[str, ...] = ()
        known = user_id in settings.admins or user_id in settings.managers
        if settings.manager_group and not known:
            group_id = settings.manager_group
            group = self._cached(f"group:{group_id}", lambda: _group_members(client, group_id, strict=strict))
        return role_of(user_id, admins=settings.admins, managers=settings.managers, manager_group=group)

    def with_rights(
        self, client: WebClient, settings: Settings, user_id: str, check: Callable[[Role], T]
    ) -> T:
        """`check(role)` with the person's role, asking Slack only as long as a request's ack (or a modal's
        trigger) can wait. When Slack cannot say in time, the role pulsebot holds (its lists, and the
        manager group if Slack read it) is used when it is enough; a refusal that Slack's answer might
        have lifted becomes RightsUnknown, so no one is refused, or given rights, for Slack being slow."""
        quick = before_ack_client(client)
        try:
            role = self.role(quick, settings, user_id, strict=True)
        except RightsUnknown as unknown:
            try:
                held = self.role(quick, settings, user_id, strict=True, ask_slack_admin=False)
            except RightsUnknown:
                held = role_of(user_id, admins=settings.admins, managers=settings.managers, manager_group=())
            try:
                return check(held)
            except NotAllowed:
                raise unknown from None
        return check(role)

    def with_rights_after_ack(
        self, client: WebClient, settings: Settings, user_id: str, check: Callable[[Role], T]
    ) -> T:
        """`check(role)` with the person's role once Slack has said, waiting out its 429s (after a request's
        ack, where nothing waits on the answer); RightsUnknown when it still cannot say, rather than no."""
        return check(self.role(client, settings, user_id, strict=True))

    def _slack_role(self, client: WebClient, user_id: str, *, strict: bool) -> bool:
        """Is this person an owner or admin of the Slack workspace (read from Slack, kept a minute)?
        `strict`: RightsUnknown when Slack is throttled, slow or unavailable."""
        with self._lock:
            found = self._slack_admin.get(user_id)
        if found is None:
            try:
                user = client.users_info(user=user_id)["user"]
            except SlackApiError as error:
                if strict and _slack_could_not_say(error):
                    raise RightsUnknown() from None
                return False  # unknown to Slack, or Slack refusing: no rights from Slack's side
            except (OSError, HTTPException):
                if strict:
                    raise RightsUnknown() from None
                raise
            found = _runs_slack(user)
            with self._lock:
                self._slack_admin[user_id] = found
        return found

    def _cached(self, name: str, fetch: Callable[[], tuple[str, ...]], *, fresh: bool = False):
        with self._lock:
            found = None if fresh else self._cache.get(name)
        if found is None:
            found = fetch()  # outside the lock: a slow Slack call must not hold up other requests
            with self._lock:
                self._cache[name] = found
        return found


def _group_members(client: WebClient, group_id: str, *, strict: bool) -> tuple[str, ...]:
    try:
        return tuple(client.usergroups_users_list(usergroup=group_id)["users"])
    except (OSError, HTTPException):
        if strict:
            raise RightsUnknown() from None
        raise
    except SlackApiError as error:
        if strict and _slack_could_not_say(error):
            raise RightsUnknown() from None
        reason = error.response.get("error", "unknown error")
        raise NotAllowed(
            f"I could not read the manager group {group_id} from Slack ({reason}), so nothing was changed. "
            "An admin should check PULSEBOT_MANAGER_GROUP and the app's usergroups:read scope."
        ) from None


def find_idea_author(
    client: WebClient, sessions: SessionFactory, directory: WorkspaceDirectory, *, key: bytes, idea_id: int
) -> str | None:
    """Who posted an idea: named on it, or the person whose author token matches among the workspace's
    people. The people kept in memory may predate someone who joined a minute ago: on a miss, the
    directory table is read once more. With the people at hand, ideas still under an old per-person
    token are re-tokened."""
    for fresh in (False, True):
        people = directory.people(client, sessions, fresh=fresh)
        with transaction(sessions) as session:
            author = idea_status.find_author(session, idea_id=idea_id, key=key, people=people)
            if author is not None:
                idea_authors.retoken_legacy(session, key=key, people=people)
        if author is not None:
            return author
    return None


def retoken_legacy_ideas(client: WebClient, sessions: SessionFactory, *, key: bytes) -> tuple[int, int]:
    """Give every idea still under an old per-person author token one of its own (see
    services/idea/idea_authors.py); (claimed, orphaned). Reads the workspace's people only when there
    are any."""
    with transaction(sessions) as session:
        if not idea_authors.legacy_left(session):
            return 0, 0
    people = workspace_members(client, sessions)
    with transaction(sessions) as session:
        return idea_authors.retoken_legacy(session, key=key, people=people)
