"""The members of the survey channels (`channel_member`): read in full from Slack the first time a run or a
survey needs them, kept current by Slack's events, and read again slowly when the last full read is a day
old, so that opening a run reads one table instead of Slack's list and each member's profile.

As the workspace's directory (services/people/workspace_people.py): a full read goes page by page, each
stored with the cursor of the next, so a read cut off goes on from where it stopped; each member a read
lists gets the read's generation, and its last page removes whoever an earlier read listed and this one
did not. An event during a read gives its member the read's generation too. Only active humans are kept,
each with what a run needs of their profile: their time zone and whether they run the Slack workspace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from pulsebot.services.people.workspace_people import READ_EVERY, UNKEPT_AFTER, ReadStep
from pulsebot.store.models import ChannelMember, ChannelRead
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM
from pulsebot.store.upsert import upsert


@dataclass(frozen=True)
class MemberProfile:
    """What a run needs of a member's Slack profile."""

    tz: str | None  # their Slack time zone (None when Slack has none)
    runs_slack: bool  # an owner or admin of the Slack workspace


def members(session: Session, *, channel_id: str) -> dict[str, MemberProfile] | None:
    """The channel's active human members, as stored; None when no full read of it has ever ended."""
    read = session.get(ChannelRead, (session.info.get(TEAM, SINGLE_WORKSPACE), channel_id))
    if read is None or read.read_at is None:
        return None
    rows = session.exec(
        select(ChannelMember).where(ChannelMember.channel_id == channel_id).order_by(ChannelMember.user_id)
    )
    return {row.user_id: MemberProfile(tz=row.tz, runs_slack=row.runs_slack) for row in rows}


def kept(session: Session, *, channel_id: str) -> bool:
    """Whether the channel's members are kept here (a read of it has begun), so its events count."""
    return session.get(ChannelRead, (session.info.get(TEAM, SINGLE_WORKSPACE), channel_id)) is not None


def known(session: Session, *, channel_id: str, among: Iterable[str]) -> set[str]:
    """Which of these people are stored as the channel's members (their profiles need no reading)."""
    among = list(among)
    if not among:
        return set()
    query = select(ChannelMember.user_id).where(
        ChannelMember.channel_id == channel_id, ChannelMember.user_id.in_(among)
    )
    return set(session.exec(query).all())


def read_due(session: Session, *, channel_id: str, now: datetime, first: bool = False) -> ReadStep | None:
    """The step a full read of the channel is at: one under way, or a new one when the last ended
    READ_EVERY ago (`first`: only when none ever ended); None when the members are fresh."""
    read = _read_row(session, channel_id)
    if read.reading is None:
        if read.read_at is not None and (first or now - read.read_at < READ_EVERY):
            return None
        read.reading, read.cursor = read.generation + 1, None
        session.add(read)
        session.flush()
    return ReadStep(cursor=read.cursor or "", first=read.read_at is None)


def store_page(
    session: Session,
    *,
    channel_id: str,
    listed: Iterable[str],
    profiles: Mapping[str, MemberProfile],
    others: Iterable[str],
    next_cursor: str,
) -> None:
    """One page of a full read: `listed`, members already stored (kept as they are), `profiles`, the new
    members' profiles, `others`, those listed who are bots, apps or deactivated; `next_cursor` is where the
    read goes on ("" after the last page)."""
    read = _read_row(session, channel_id)
    generation = read.generation if read.reading is None else read.reading
    listed = list(listed)
    if listed:
        session.exec(
            update(ChannelMember)
            .where(ChannelMember.channel_id == channel_id, ChannelMember.user_id.in_(listed))
            .values(generation=generation)
            .execution_options(synchronize_session=False)
        )
    _put(session, channel_id, profiles, generation)
    _remove(session, others, channel_id=channel_id)
    read.cursor = next_cursor or None
    session.add(read)
    session.flush()


def finish_read(session: Session, *, channel_id: str, now: datetime) -> int:
    """The read's last page is stored: remove whoever it did not list; how many."""
    read = _read_row(session, channel_id)
    if read.reading is None:
        return 0
    gone = session.exec(
        delete(ChannelMember)
        .where(ChannelMember.channel_id == channel_id, ChannelMember.generation < read.reading)
        .execution_options(synchronize_session=False)
    ).rowcount
    read.generation, read.reading, read.cursor, read.read_at = read.reading, None, None, now
    session.add(read)
    session.flush()
    return gone


def joined(session: Session, *, channel_id: str, user_id: str, profile: MemberProfile | None) -> None:
    """A `member_joined_channel` event: the member is added (`profile` None: not an active human)."""
    if profile is None:
        _remove(session, [user_id], channel_id=channel_id)
        return
    read = _read_row(session, channel_id)
    _put(session, channel_id, {user_id: profile}, read.generation if read.reading is None else read.reading)


def left(session: Session, *, channel_id: str, user_id: str) -> int:
    """A `member_left_channel` event: the member goes."""
    return _remove(session, [user_id], channel_id=channel_id)


def person_changed(session: Session, *, user_id: str, profile: MemberProfile | None) -> None:
    """A `user_change` or `user_profile_changed` event: the person's rows in every kept channel take the
    new profile, or go (`profile` None: deactivated, or a bot)."""
    if profile is None:
        _remove(session, [user_id])
        return
    session.exec(
        update(ChannelMember)
        .where(ChannelMember.user_id == user_id)
        .values(tz=profile.tz, runs_slack=profile.runs_slack)
        .execution_options(synchronize_session=False)
    )


def channels_kept(session: Session) -> tuple[str, ...]:
    """The channels whose members are kept here."""
    return tuple(session.exec(select(ChannelRead.channel_id).order_by(ChannelRead.channel_id)).all())


def stop_keeping(session: Session, *, channel_id: str) -> int:
    """No survey uses the channel any more: its members and its read go; how many members."""
    removed = _remove_where(session, ChannelMember.channel_id == channel_id)
    session.exec(delete(ChannelRead).where(ChannelRead.channel_id == channel_id))
    return removed


def forget(session: Session, *, user_id: str) -> int:
    """Forget-me: their rows go (the next full read of a channel lists them again while Slack does)."""
    return _remove(session, [user_id])


def remove_unkept(session: Session, *, now: datetime) -> int:
    """Retention, in every workspace (an unscoped session): delete the members of channels no full read
    has confirmed for UNKEPT_AFTER; how many."""
    cutoff = now - UNKEPT_AFTER
    pairs = list(
        session.exec(select(ChannelRead.team_id, ChannelRead.channel_id).where(ChannelRead.read_at < cutoff))
    )
    removed = 0
    for team_id, channel_id in pairs:
        removed += _remove_where(
            session, ChannelMember.team_id == team_id, ChannelMember.channel_id == channel_id
        )
    session.exec(delete(ChannelRead).where(ChannelRead.read_at < cutoff))
    return removed


def _put(session: Session, channel_id: str, profiles: Mapping[str, MemberProfile], generation: int) -> None:
    team_id = session.info.get(TEAM, SINGLE_WORKSPACE)
    rows = [
        {
            "team_id": team_id,
            "channel_id": channel_id,
            "user_id": user_id,
            "tz": profile.tz,
            "runs_slack": profile.runs_slack,
            "generation": generation,
        }
        for user_id, profile in profiles.items()
    ]
    upsert(
        session,
        ChannelMember.__table__,
        rows,
        key=("team_id", "channel_id", "user_id"),
        update=("tz", "runs_slack", "generation"),
    )


def _remove(session: Session, user_ids: Iterable[str], *, channel_id: str | None = None) -> int:
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    where = [ChannelMember.user_id.in_(user_ids)]
    if channel_id is not None:
        where.append(ChannelMember.channel_id == channel_id)
    return _remove_where(session, *where)


def _remove_where(session: Session, *where) -> int:
    statement = delete(ChannelMember).where(*where).execution_options(synchronize_session=False)
    return session.exec(statement).rowcount


def _read_row(session: Session, channel_id: str) -> ChannelRead:
    """The channel's read row, locked until the transaction ends (on PostgreSQL): a page, an event and
    the end of a read each see the generation the others left."""
    team_id = session.info.get(TEAM, SINGLE_WORKSPACE)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first = dialect.insert(ChannelRead.__table__).values(team_id=team_id, channel_id=channel_id, generation=0)
    session.connection().execute(first.on_conflict_do_nothing(index_elements=["team_id", "channel_id"]))
    locked = select(ChannelRead).where(ChannelRead.channel_id == channel_id).with_for_update()
    return session.exec(locked).one()
