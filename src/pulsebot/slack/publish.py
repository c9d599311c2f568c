"""Putting pulses and ideas into Slack: the slow part of a request, done after the ack."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.config import Settings
from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.idea import ideas
from pulsebot.services.pulse import pulses
from pulsebot.services.survey.audience import run_audience
from pulsebot.services.survey.surveys import find_survey
from pulsebot.slack.blocks.ideas import idea_card
from pulsebot.slack.channel_members import survey_channel_members
from pulsebot.slack.directory import admins_among, asking_rules
from pulsebot.slack.outbox import Outbox
from pulsebot.store.db import SessionFactory, transaction


def open_run(
    client: WebClient,
    sessions: SessionFactory,
    *,
    settings: Settings,
    survey_name: str,
    now: datetime,
    scheduled_for: datetime | None = None,
) -> pulses.RunView:
    """Open a run for the survey's channel members (those who can see its results, its managers and the
    admins among them, left out unless the survey asks them too, and those who paused their pulses:
    services/survey/audience.py), its outbox
    written in the same transaction. `settings` are the workspace's, with its own admins.

    Nothing is posted here: the outbox's senders post the channel message, or the DMs as each falls
    due (per-person local time), so a crash before or during posting loses and doubles nothing.
    """
    with transaction(sessions) as session:
        channel_id = find_survey(session, name=survey_name).channel_id
    members = survey_channel_members(client, sessions, channel_id, now=now)
    zones = members.zones
    admins = admins_among(client, settings, zones, slack_admins=members.slack_admins)
    with transaction(sessions) as session:
        audience = run_audience(session, survey_name=survey_name, members=zones, admins=admins, now=now)
        return pulses.open_pulse_run(
            session,
            survey_name=survey_name,
            audience=audience.people,
            zones=zones,
            now=now,
            min_group=settings.min_group,
            managers_asked=audience.managers_asked,
            scheduled_for=scheduled_for,
            rules=asking_rules(settings),
        )


def send_pulse(
    client: WebClient,
    sessions: SessionFactory,
    *,
    settings: Settings,
    survey_name: str,
    now: datetime,
    scheduled_for: datetime | None = None,
    outbox: Outbox | None = None,
) -> pulses.RunView:
    """Open a run and post what is due of it now, in this thread (the CLI, and the jobs in tests)."""
    run = open_run(
        client, sessions, settings=settings, survey_name=survey_name, now=now, scheduled_for=scheduled_for
    )
    (outbox or Outbox(client, sessions, min_group=settings.min_group)).drain(run_id=run.run_id)
    return run


def publish_idea(
    client: WebClient,
    sessions: SessionFactory,
    *,
    idea_id: int,
    channel_id: str | None,
    tr: Translator = ENGLISH,
) -> str:
    """Post a stored idea's card in the ideas channel (one card for everyone, in English whatever its
    author speaks); return the sentence to tell its author, in their language (`tr`)."""
    _ = tr.gettext
    with transaction(sessions) as session:
        idea = ideas.idea_view(session, idea_id=idea_id)
    if channel_id is None:
        return _(
            "Saved your idea #{id}, but no ideas channel is set up yet, so it is not posted. "
            "An admin can set PULSEBOT_IDEAS_CHANNEL."
        ).format(id=idea.id)
    text, blocks = idea_card(idea)
    try:
        posted = client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        reason = error.response.get("error", "unknown error")
        return _(
            "Saved your idea #{id}, but I could not post it in <#{channel}> ({reason}). "
            "Ask an admin to invite me to that channel."
        ).format(id=idea.id, channel=channel_id, reason=reason)
    with transaction(sessions) as session:
        ideas.mark_idea_posted(
            session, idea_id=idea.id, channel_id=posted["channel"], message_ts=posted["ts"]
        )
    return _("Thanks! Your idea #{id} is posted in <#{channel}>.").format(id=idea.id, channel=channel_id)


def refresh_idea_card(client: WebClient, sessions: SessionFactory, *, idea_id: int) -> None:
    with transaction(sessions) as session:
        idea = ideas.idea_view(session, idea_id=idea_id)
        where = ideas.idea_message(session, idea_id=idea_id)
    if where is None:
        return
    text, blocks = idea_card(idea)
    client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
