"""Who may do what: members, managers and admins, from the configured user ids and the manager group."""

from __future__ import annotations

import enum
from collections.abc import Collection


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
