"""People's attributes, as far as Slack gives them: the Slack ids of an import's emails, the workspace's
profile fields and each member's values for `pulsebot people sync`, and one person's on a `user_change`
event. Each paced method is called no faster than its documented tier (slack/limits.py), and a 429 holds
the pace back further (slack/pacing.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.people.attributes import CSV
from pulsebot.services.people.people import imported_ids, remove_profile, store_profile
from pulsebot.services.people.profile_fields import FromProfile, attributes_from_profile
from pulsebot.slack.limits import TIER_3_PER_MINUTE, TIER_4_PER_MINUTE
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.workspaces import ConnectionRetries, RateLimitRetries, ServerErrorRetries
from pulsebot.store.db import SessionFactory, transaction

# Up to this many emails, each is looked up with users.lookupByEmail (Tier 3: 50 a minute, a minute for
# 50); a bigger file's are picked out of one walk through users.list (200 a page, Tier 2), which for
# 5,000 people takes 25 pages instead of 100 minutes of lookups.
LOOKUPS_UP_TO = 50
# A user_change event comes with every status or name change, but not when a custom field changes
# (Slack sends none then): reading the person's fields at most once an hour on such events keeps a
# workspace's flurry of status changes from costing a users.profile.get each. `pulsebot people sync`
# reads everyone's.
PROFILE_READ_EVERY = 3600.0  # seconds


def tier_pacer(per_minute: int) -> Pacer:
    return Pacer(rate=per_minute / 60)


def paced(client: WebClient, pacer: Pacer) -> WebClient:
    """A copy of `client` whose 429s hold `pacer` back; the caller waits on the pacer before each call."""
    handlers = [
        ConnectionRetries(max_retry_count=2),
        RateLimitRetries(pacer, max_retry_count=5),
        ServerErrorRetries(max_retry_count=2),
    ]
    return WebClient(token=client.token, base_url=client.base_url, retry_handlers=handlers)


def user_ids_by_email(client: WebClient, emails: Iterable[str]) -> dict[str, str]:
    """The Slack ids of the people these (lower-case) emails belong to; an email Slack does not know is
    left out."""
    wanted = list(dict.fromkeys(emails))
    if len(wanted) > LOOKUPS_UP_TO:
        chosen = set(wanted)
        found = {}
        for page in client.users_list(limit=200):
            for user in page["members"]:
                email = (user.get("profile") or {}).get("email")
                if email and email.lower() in chosen:
                    found[email.lower()] = user["id"]
        return found
    pacer = tier_pacer(TIER_3_PER_MINUTE)
    lookups = paced(client, pacer)
    found = {}
    for email in wanted:
        pacer.wait()
        try:
            found[email] = lookups.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
    return found


def profile_fields(client: WebClient) -> dict[str, str]:
    """The workspace's custom profile fields: id -> label."""
    fields = client.team_profile_get()["profile"].get("fields") or []
    return {field["id"]: field.get("label") or field["id"] for field in fields}


def read_profiles(
    client: WebClient,
    user_ids: Iterable[str],
    mapping: Mapping[str, str],
    *,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, FromProfile]:
    """Each person's mapped profile fields, one users.profile.get each at Tier 4's pace; someone Slack no
    longer knows is left out."""
    pacer = tier_pacer(TIER_4_PER_MINUTE)
    reader = paced(client, pacer)
    read = {}
    for done, user_id in enumerate(user_ids, start=1):
        pacer.wait()
        fields = _fields(reader, user_id)
        if fields is not None:
            read[user_id] = attributes_from_profile(fields, mapping, user_id=user_id)
        progress(done)
    return read


def _fields(client: WebClient, user_id: str) -> dict | None:
    try:
        return client.users_profile_get(user=user_id)["profile"].get("fields") or {}
    except SlackApiError as error:
        if error.response.get("error") != "user_not_found":
            raise
        return None


class ProfileReader:
    """One workspace's users.profile.get calls for user_change events: paced at Tier 4 across the
    process, and at most one per person every PROFILE_READ_EVERY seconds."""

    def __init__(self) -> None:
        self.pacer = tier_pacer(TIER_4_PER_MINUTE)
        self._read: TTLCache[str, bool] = TTLCache(
            maxsize=100_000, ttl=PROFILE_READ_EVERY, timer=lambda: time.monotonic()
        )
        self._lock = threading.Lock()

    def fields(self, client: WebClient, user_id: str) -> dict | None:
        """The person's custom fields, or None when they were read lately (or Slack no longer knows them)."""
        with self._lock:
            if user_id in self._read:
                return None
            self._read[user_id] = True
        self.pacer.wait()  # this workspace's pace, shared by every event
        return _fields(paced(client, self.pacer), user_id)


_readers: dict[str, ProfileReader] = {}
_readers_lock = threading.Lock()


def profile_reader(team_id: str) -> ProfileReader:
    with _readers_lock:
        return _readers.setdefault(team_id, ProfileReader())


def on_user_change(
    client: WebClient,
    sessions: SessionFactory,
    *,
    user: Mapping,
    mapping: Mapping[str, str],
    team_id: str,
    now: datetime,
) -> str | None:
    """Keep a person's profile row current from a user_change event: removed when they were deactivated,
    otherwise their mapped fields read (from the event when it carries them, else from Slack) and stored.
    What happened, as `store_profile` says it; None when nothing was read."""
    user_id = user.get("id")
    if not user_id:
        return None
    if user.get("deleted"):
        with transaction(sessions) as session:
            return "removed" if remove_profile(session, user_id=user_id) else None
    if not mapping or user.get("is_bot"):
        return None
    with transaction(sessions) as session:
        if user_id in imported_ids(session, among=[user_id]):
            return CSV  # the CSV row wins: no need to read the profile
    fields = (user.get("profile") or {}).get("fields") or {}
    if not any(field_id in fields for field_id in mapping):
        fields = profile_reader(team_id).fields(client, user_id)
        if fields is None:
            return None
    found = attributes_from_profile(fields, mapping, user_id=user_id)
    with transaction(sessions) as session:
        return store_profile(session, user_id=user_id, attributes=found.attributes, now=now)
