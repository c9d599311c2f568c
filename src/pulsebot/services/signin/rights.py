"""What a person signed in to the dashboard may see: pulsebot's own rights, never Slack's say-so.

An admin (PULSEBOT_ADMINS) sees every team; a manager the teams whose survey names them (the same
`managers:` that get the team's digest, services/privacy/roles.py); everyone else is a member. The
session keeps a digest of these rights from sign-in: when they change, the session ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session

from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.privacy.roles import Role


@dataclass(frozen=True)
class Rights:
    user_id: str
    is_admin: bool
    teams: tuple[str, ...]  # the survey names whose team this person manages

    @property
    def role(self) -> Role:
        if self.is_admin:
            return Role.admin
        return Role.manager if self.teams else Role.member

    def digest(self) -> str:
        """Changes whenever the role or the teams managed change (and only then)."""
        what = "\n".join([self.role.name, *self.teams])
        return hashlib.sha256(what.encode()).hexdigest()


def rights_of(session: Session, *, user_id: str, admins: Collection[str]) -> Rights:
    """The person's rights in the workspace `session` is scoped to."""
    return Rights(
        user_id=user_id,
        is_admin=user_id in admins,
        teams=tuple(surveys_managed_by(session, user_id=user_id)),
    )
