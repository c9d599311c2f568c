"""Who may do what: members, managers and admins, from the configured user ids and the manager group;
and who can see a team's results, which is also who its pulses leave out (services/survey/audience.py)."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable

from sqlmodel import Session

from pulsebot.services.digest.managers import managers_of


class Role(enum.IntEnum):
    """Ordered, so `role >= Role.manager` reads as "a manager or more"."""

    member = 0
    manager = 1
    admin = 2


def role_of(
    user_id: str,
    *,
    admins: Collection[str],
    managers: Collection[str],
    manager_group: Collection[str] = (),
) -> Role:
    if user_id in admins:
        return Role.admin
    if user_id in managers or user_id in manager_group:
        return Role.manager
    return Role.member


def sees_team_results(session: Session, *, survey_id: int, user_id: str, is_admin: bool) -> bool:
    """Whether this person may read the team's figures (its digest, App Home's lines, the week to share,
    its comments to reply to, its action plans): the survey's managers and pulsebot's admins.

    The one answer to "who can see this team's results": every rights check on a team's figures asks it,
    and a run of the team leaves out everyone it says yes to (or counts them into a raised minimum), since
    whoever knows their own answer and sees the figures can subtract it."""
    return is_admin or user_id in managers_of(session, survey_id=survey_id)


def team_viewers(
    session: Session, *, survey_id: int, people: Iterable[str], admins: Collection[str]
) -> set[str]:
    """Which of `people` can see the team's results (`admins`: those of them who are pulsebot admins)."""
    return {
        user_id
        for user_id in people
        if sees_team_results(session, survey_id=survey_id, user_id=user_id, is_admin=user_id in admins)
    }
