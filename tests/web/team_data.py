"""A team with months of closed pulses, as the dashboard's tests read it."""

from __future__ import annotations

from datetime import datetime, timedelta

from pulsebot.store.db import SessionFactory
from tests.conftest import MANAGER
from tests.pulse_data import alike, make_team, people, run_week, scores

HOSTILE = '<script>alert("pwned")</script> & <img src=x onerror=alert(1)>'


def team_with_weeks(
    sessions: SessionFactory,
    *,
    now: datetime,
    weeks: int = 6,
    name: str = "team-pulse",
    title: str = "Weekly team pulse",
    managers: tuple[str, ...] = (MANAGER,),
    channel: str = "G0PULSE",
) -> list[str]:
    """`weeks` closed weekly pulses up to last week, six people answering alike but not unanimously, two of
    them commenting (one comment of a hostile text). The team's members."""
    make_team(
        sessions, name=name, title=title, managers=managers, channel=channel, now=now - timedelta(weeks=60)
    )
    members = people(6, prefix=name[:1].upper())
    for week in range(weeks, 0, -1):
        run_week(
            sessions,
            survey=name,
            opened=now - timedelta(weeks=week, days=2),
            audience=members,
            answers=scores(members, alike(3 if week % 2 else 4, 6)),
            comments={members[0]: "Meetings are too long and too many", members[1]: HOSTILE},
        )
    return members
