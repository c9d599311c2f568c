"""Sending new joiners their onboarding pulses and releasing each closed cohort (the scheduler's
`onboarding` job), and sending someone leaving their exit survey (`pulsebot exit send`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.onboarding import cohort_figures, exits, onboarding
from pulsebot.slack.blocks.onboarding import exit_message, onboarding_message
from pulsebot.slack.workspace_people import human
from pulsebot.store.db import SessionFactory, engine_of, scrub, transaction

log = logging.getLogger(__name__)

# What a cohort's release deletes: its answers, its key material, who was asked when.
RELEASED_FROM = ("onboarding_answer", "onboarding_cohort", "onboarding_pulse")


def onboarding_pass(
    client: WebClient, sessions: SessionFactory, *, now: datetime, min_group: int, pulses: bool = True
) -> tuple[int, list[str]]:
    """Owe new joiners their milestones, release the cohorts whose last pulse is over, DM each pulse due
    today, and the exit survey to whoever's last day it is: (DMs sent, cohorts released). Without
    `pulses` (PULSEBOT_ONBOARDING off) no onboarding pulse is owed or sent; cohorts already holding
    answers are still released when they close, so their answers do not linger."""
    today = now.astimezone(UTC).date()
    if pulses:
        with transaction(sessions) as session:
            onboarding.schedule_pulses(session, today=today)
    with transaction(sessions) as session:
        released = cohort_figures.release_closed_cohorts(session, today=today, now=now, min_group=min_group)
    if released:
        scrub(engine_of(sessions), RELEASED_FROM, rewrite=True)
    with transaction(sessions) as session:
        due = onboarding.due_pulses(session, today=today) if pulses else []
    sent = 0
    for pulse in due:
        text, blocks = onboarding_message(
            pulse_id=pulse.id, milestone=pulse.milestone, closes_on=pulse.closes_on
        )
        try:
            posted = client.chat_postMessage(channel=pulse.user_id, text=text, blocks=blocks)
        except SlackApiError as error:  # tried again at the next pass, while the pulse is open
            log.warning("an onboarding pulse was not sent: %s", error.response.get("error"))
            continue
        with transaction(sessions) as session:
            onboarding.mark_sent(
                session, pulse_id=pulse.id, channel_id=posted["channel"], message_ts=posted["ts"], now=now
            )
        sent += 1
    with transaction(sessions) as session:
        leaving = exits.due_exits(session, today=today)
    for user_id in leaving:
        try:
            send_exit_survey(client, sessions, user_id=user_id, now=now)
        except SlackApiError as error:  # nothing kept: tried again at the next pass
            log.warning("an exit survey was not sent: %s", error.response.get("error"))
            continue
        sent += 1
    return sent, released


def on_team_join(sessions: SessionFactory, *, user: Mapping, now: datetime) -> None:
    """Slack's `team_join` (with PULSEBOT_ONBOARDING on): a new member, not a guest, bot or app, is owed
    onboarding pulses from today, unless HR's export gives them a start date."""
    if not user.get("id") or not human(user) or user.get("is_restricted") or user.get("is_ultra_restricted"):
        return
    with transaction(sessions) as session:
        onboarding.joined_workspace(session, user_id=user["id"], joined_on=now.astimezone(UTC).date())


def send_exit_survey(client: WebClient, sessions: SessionFactory, *, user_id: str, now: datetime) -> int:
    """DM someone leaving their exit survey, saying in the message that it is not anonymous; its id."""
    with transaction(sessions) as session:
        started = exits.start_exit(session, user_id=user_id, now=now)
    text, blocks = exit_message(exit_id=started.id)
    try:
        posted = client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError:
        with transaction(sessions) as session:  # nothing was sent: keep no record of asking
            exits.forget_exit(session, exit_id=started.id)
        raise
    with transaction(sessions) as session:
        exits.mark_posted(session, exit_id=started.id, channel_id=posted["channel"], message_ts=posted["ts"])
    return started.id
