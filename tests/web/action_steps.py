"""A team's action planned as Slack's form plans it, for the dashboard's tests of changing it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from pulsebot.services.loop import actions
from pulsebot.services.loop.focus import focus_options
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import TeamAction
from tests.conftest import PINNED_NOW

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
DUE = (PINNED_NOW + timedelta(days=14)).date()


def planned(
    sessions: SessionFactory, *, survey: str = "team-pulse", by: str, visible: bool = False, text: str = ""
) -> int:
    """An action of `survey` planned by one of its managers (about its workload question, or else the
    first thing its form offers); its id."""
    with transaction(sessions) as session:
        options = focus_options(session, survey_name=survey, now=PINNED_NOW, min_group=5).all
        focus = next((option for option in options if option.key == "workload"), options[0])
        return actions.create_action(
            session,
            survey_name=survey,
            focus_kind=focus.kind,
            focus_key=focus.key,
            text=text or "Weekly backlog triage",
            owner_id=by,
            due_on=DUE,
            visible=visible,
            created_by=by,
            now=PINNED_NOW,
            today=PINNED_NOW.date(),
            min_group=5,
        ).id


def stored(sessions: SessionFactory, action_id: int) -> TeamAction:
    with transaction(sessions) as session:
        action = session.exec(select(TeamAction).where(TeamAction.id == action_id)).one()
        session.expunge(action)
        return action


TEAM_CHANNEL, POST_TS = "G0PULSE", "1700000000.000100"


def posted(sessions: SessionFactory, *, survey: str = "team-pulse", by: str, text: str = "") -> int:
    """An action planned as shared with the team and posted to its channel, as Slack's form does; its id."""
    action_id = planned(sessions, survey=survey, by=by, visible=True, text=text)
    with transaction(sessions) as session:
        actions.keep_post(session, action_id=action_id, channel_id=TEAM_CHANNEL, message_ts=POST_TS)
    return action_id
