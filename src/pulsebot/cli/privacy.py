"""`pulsebot forget USER_ID` and `pulsebot audit`: forget a person; read who looked at what."""

import re
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

from pulsebot.cli.common import (
    Team,
    existing,
    fail,
    migrated,
    out,
    settings_or_fail,
    team_sessions,
    wrapping_table,
)
from pulsebot.clock import utc_now
from pulsebot.config import ConfigError
from pulsebot.services.privacy import audit as audit_log
from pulsebot.services.privacy.forgetting import forget_person, scrub_forgotten
from pulsebot.store.db import session_factory, transaction

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,19}")


def forget(
    user_id: Annotated[str, typer.Argument(metavar="USER_ID", help="The person's Slack user id (U… or W…).")],
    team: Team = "",
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Forget without asking first (for scripts); it cannot be undone."),
    ] = False,
) -> None:
    """Delete what can be tied to a person: the records of the pulses sent to them, their votes, their
    name on their ideas, the digests noted as sent to them. Their anonymous answers stay.

    Asks for confirmation first, unless --yes is given."""
    if not SLACK_USER_ID.fullmatch(user_id):
        fail(f"USER_ID: “{user_id}” is not a Slack user id; they look like U0123ABCD or W0123ABCD", code=2)
    settings = settings_or_fail()
    try:
        key = settings.anon_key_bytes()  # votes are found by recomputing their tokens
    except ConfigError as error:
        fail(str(error), code=2)
    engine = migrated(settings)
    sessions = team_sessions(settings, engine, team)
    if not yes and not typer.confirm(f"Forget {user_id}? This cannot be undone", default=False):
        fail(f"{user_id} was not forgotten; nothing was changed")
    with transaction(sessions) as session:
        forgotten = forget_person(session, user_id=user_id, key=key, actor=audit_log.CLI, now=utc_now())
    scrub_forgotten(sessions)
    out.print(f"forgot {user_id}: deleted {forgotten.describe()}", highlight=False, soft_wrap=True)
    out.print(
        "Their answers and comments stay, under one-way tokens, in the team's figures; once each run's "
        "forward-anonymity window has passed, not even the key can tie them to this person.",
        highlight=False,
        soft_wrap=True,
    )


def audit(
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only entries from this day on (YYYY-MM-DD, UTC)."),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            metavar="TEAM",
            help="Only this workspace's entries (its Slack team id, T…); all by default.",
        ),
    ] = None,
) -> None:
    """Print the audit log: who saw which team's results, and what was forgotten or removed, oldest first."""
    start = None
    if since is not None:
        try:
            start = datetime.combine(date.fromisoformat(since), time(0, 0), tzinfo=UTC)
        except ValueError:
            fail(f"--since: “{since}” is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01", code=2)
    settings = settings_or_fail()
    engine = existing(settings)
    sessions = session_factory(engine) if team is None else team_sessions(settings, engine, team)
    with transaction(sessions) as session:
        entries = audit_log.entries(session, since=start)
    if not entries:
        out.print("no audit entries" + (f" since {since}" if since else ""))
        return
    workspaces = any(entry.team_id for entry in entries)  # serving several: say whose entry it is
    table = wrapping_table(
        "when (UTC)", *(["workspace"] if workspaces else []), "who", "what", "team", "detail"
    )
    table.title = "pulsebot audit log"
    for entry in entries:
        table.add_row(
            f"{entry.at:%Y-%m-%d %H:%M}",
            *([entry.team_id or "-"] if workspaces else []),
            entry.actor,
            entry.action.value,
            entry.scope,
            entry.detail,
        )
    out.print(table, soft_wrap=True)
