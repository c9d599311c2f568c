"""Forget me: `/pulse forget-me` after a confirmation click, and `pulsebot forget USER_ID` for admins,
delete what ties a person to pulsebot's data and leave their anonymous answers in the team's totals."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.digest.notices import claim_notice
from pulsebot.services.idea.ideas import mark_idea_posted, post_idea, toggle_vote
from pulsebot.services.privacy.anonymity import token
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION, FORGET_ME_CANCEL
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, AuditEntry, Delivery, Idea, ManagerNotice, NoticeKind, Vote
from tests.conftest import ANON_KEY, IDEAS_CHANNEL, PINNED_NOW
from tests.pulse_data import a_closed_and_an_open_run, make_team, people

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
MEMBERS = people(6)
LEAVER = MEMBERS[0]
KEY = ANON_KEY.encode()


def leaver_s_traces(sessions) -> dict[str, int]:
    """A closed pulse they answered, an open one still pending for them, three votes, a signed and an
    anonymous idea (the signed one posted in the ideas channel), and a digest noted as sent to them."""
    # A manager asked with their team (`managers_answer`): they were sent both runs and answered.
    make_team(sessions, managers=(LEAVER,), managers_answer=True, now=NOW - timedelta(days=30))
    a_closed_and_an_open_run(sessions, members=MEMBERS, now=NOW)
    with transaction(sessions) as session:
        others = [
            post_idea(session, user_id=MEMBERS[1], text=f"Idea {n}", key=KEY, now=NOW) for n in range(3)
        ]
        for idea in others:
            toggle_vote(session, idea_id=idea.id, user_id=LEAVER, key=KEY)
            toggle_vote(session, idea_id=idea.id, user_id=MEMBERS[2], key=KEY)
        signed = post_idea(session, user_id=LEAVER, text="Signed idea", key=KEY, now=NOW)
        mark_idea_posted(session, idea_id=signed.id, channel_id=IDEAS_CHANNEL, message_ts="100.1")
        anonymous = post_idea(session, user_id=LEAVER, text="Quiet idea", key=KEY, now=NOW, anonymous=True)
        claim_notice(
            session, kind=NoticeKind.digest, scope="team-pulse", user_id=LEAVER, week=NOW.date(), now=NOW
        )
    return {"signed": signed.id, "anonymous": anonymous.id}


def counts(sessions) -> dict[str, int]:
    with transaction(sessions) as session:
        return {
            "deliveries": session.exec(select(func.count()).where(Delivery.user_id == LEAVER)).one(),
            "votes": session.exec(select(func.count()).select_from(Vote)).one(),
            "answers": session.exec(select(func.count()).select_from(Answer)).one(),
            "notices": session.exec(select(func.count()).where(ManagerNotice.user_id == LEAVER)).one(),
        }


def assert_forgotten(sessions, ideas: dict[str, int]) -> None:
    assert counts(sessions) == {"deliveries": 0, "votes": 3, "answers": 6, "notices": 0}
    with transaction(sessions) as session:
        voters = set(session.exec(select(Vote.voter)).all())
        unlinked = [session.get(Idea, idea_id) for idea_id in ideas.values()]
        entry = session.exec(select(AuditEntry)).one()
    assert not any(token(KEY, "vote", LEAVER, idea_id) in voters for idea_id in range(1, 10))
    assert all(idea.author_id is None for idea in unlinked)
    assert all(idea.author_token != token(KEY, "idea-author", LEAVER) for idea in unlinked)
    assert entry.action == "forget" and LEAVER not in f"{entry.actor} {entry.scope} {entry.detail}"
    assert "2 pulse records, 3 votes, 1 signed ideas unlinked, 1 digest notices" in entry.detail


def test_forget_me_asks_first_then_deletes_and_says_what_stays(slack, fake_slack, sessions):
    ideas = leaver_s_traces(sessions)
    assert counts(sessions) == {"deliveries": 2, "votes": 6, "answers": 6, "notices": 1}

    question = slack.command("/pulse", "forget-me", user=LEAVER)

    assert question.text.startswith("Forget me? This cannot be undone.")
    buttons = [
        element["action_id"] for block in question.json["blocks"] for element in block.get("elements", [])
    ]
    assert buttons == [FORGET_ME_ACTION, FORGET_ME_CANCEL]
    assert counts(sessions)["deliveries"] == 2  # nothing happens before the click

    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=LEAVER)

    reply = fake_slack.wait_for("response_url")[-1]
    assert reply["replace_original"] is True
    assert reply["text"].splitlines()[:6] == [
        "*Done: pulsebot has forgotten you.*",
        "• Deleted 2 records of pulses sent to you",
        "• Deleted 3 votes on ideas",
        "• 2 ideas of yours no longer linked to you",
        "• Deleted 1 record of digests or alerts sent to you",
        "• Deleted 0 conversations you held as a manager",
    ]
    assert "Your past answers and comments stay, without your name" in reply["text"]
    assert (
        "the operator holding pulsebot's key could still find them; after that, nobody can" in reply["text"]
    )
    assert_forgotten(sessions, ideas)
    card = fake_slack.wait_for("chat.update")[-1]  # the signed idea's card no longer names them
    assert (
        card["ts"] == "100.1" and LEAVER not in str(card["blocks"]) and "a colleague" in str(card["blocks"])
    )


def test_cancel_deletes_nothing(slack, fake_slack, sessions):
    leaver_s_traces(sessions)
    slack.command("/pulse", "forget-me", user=LEAVER)

    slack.click(action_id=FORGET_ME_CANCEL, value="cancel", user=LEAVER)

    assert fake_slack.wait_for("response_url")[-1]["text"] == "Nothing was deleted."
    assert counts(sessions) == {"deliveries": 2, "votes": 6, "answers": 6, "notices": 1}


def test_help_and_privacy_mention_forget_me(slack, settings):
    assert "`/pulse forget-me`" in slack.command("/pulse", "help", user=LEAVER).text
    privacy = slack.command("/pulse", "privacy", user=LEAVER).text
    assert "`/pulse forget-me`" in privacy and f"older than {settings.retention_days} days" in privacy


def test_the_cli_forgets_a_person_and_prints_what_it_deleted(cli_env, sessions):
    ideas = leaver_s_traces(sessions)

    result = CliRunner().invoke(cli, ["forget", LEAVER, "--yes"], env={**cli_env, "COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"forgot {LEAVER}: deleted 2 pulse records, 3 votes, 1 signed ideas unlinked, 1 digest notices, "
        "0 conversations",
        "Their answers and comments stay, under one-way tokens, in the team's figures; once each run's "
        "forward-anonymity window has passed, not even the key can tie them to this person.",
    ]
    assert_forgotten(sessions, ideas)


def test_the_cli_refuses_what_is_not_a_user_id(cli_env, sessions):
    for bad in ("alice", "C0GENERAL", "u0alice"):
        result = CliRunner().invoke(cli, ["forget", bad], env=cli_env)
        assert result.exit_code == 2
        assert (
            result.stderr
            == f"pulsebot: USER_ID: “{bad}” is not a Slack user id; they look like U0123ABCD or W0123ABCD\n"
        )


def test_the_cli_asks_before_forgetting_unless_told_yes(cli_env, sessions):
    leaver_s_traces(sessions)
    before = counts(sessions)

    declined = CliRunner().invoke(cli, ["forget", LEAVER], env=cli_env, input="n\n")

    assert declined.exit_code == 1
    assert f"Forget {LEAVER}? This cannot be undone [y/N]" in declined.stdout
    assert declined.stderr == f"pulsebot: {LEAVER} was not forgotten; nothing was changed\n"
    assert counts(sessions) == before

    agreed = CliRunner().invoke(cli, ["forget", LEAVER], env={**cli_env, "COLUMNS": "200"}, input="y\n")

    assert agreed.exit_code == 0, agreed.output
    assert counts(sessions) == {"deliveries": 0, "votes": 3, "answers": 6, "notices": 0}
