"""Which Slack workspaces have pulsebot installed (serving several through OAuth): only their people
may sign in to the dashboard."""

from __future__ import annotations

from sqlmodel import Session, select

from pulsebot.store.installations import BOTS


def installed(session: Session, *, client_id: str, team_id: str) -> bool:
    """Does the workspace hold a bot token of this app (installed, and not removed since)?"""
    c = BOTS.c
    query = (
        select(c.team_id)
        .where(c.client_id == client_id, c.team_id == team_id, c.bot_token.is_not(None))
        .limit(1)
    )
    return session.exec(query).first() is not None
