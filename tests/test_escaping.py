"""User text is never echoed with Slack's control sequences live: every command's free text, fed with
mentions, links and `&`, comes back escaped in every reply and every message pulsebot sends."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ADMIN, TEAM

HOSTILE = "<!channel> <@U0EVIL> <https://evil.example|click me> fish & chips"
LIVE = ("<!channel>", "<@U0EVIL>", "<https://evil.example|click me>", "fish & chips")

COMMANDS = [
    ("/pulse", HOSTILE),
    ("/pulse", "digest " + HOSTILE),
    ("/pulse", "list " + HOSTILE),
    ("/pulse", "edit " + HOSTILE),
    ("/pulse", "pause " + HOSTILE),
    ("/pulse", "resume " + HOSTILE),
    ("/pulse", "send " + HOSTILE),
    ("/pulse", "privacy " + HOSTILE),
    ("/idea", HOSTILE),
    ("/idea", "list " + HOSTILE),
    ("/idea", "status 1 " + HOSTILE),
    ("/idea", "status 1 declined " + HOSTILE),
    ("/idea", "x" * 5000 + HOSTILE),  # refused as too long, and handed back to copy
]


def settled(fake_slack, *, quiet: float = 0.5, at_most: float = 10.0) -> str:
    """Every call pulsebot made, once no new one came for `quiet` seconds (the work after the acks)."""
    deadline, seen = time.monotonic() + at_most, -1
    while time.monotonic() < deadline and seen != len(fake_slack.calls):
        seen = len(fake_slack.calls)
        time.sleep(quiet)
    return json.dumps([call.args for call in fake_slack.calls], ensure_ascii=False)


@pytest.mark.parametrize("user", [ADMIN, TEAM[0]], ids=["admin", "member"])
def test_every_command_s_free_text_comes_back_escaped(slack, fake_slack, user):
    replies = [slack.command(command, text, user=user) for command, text in COMMANDS]

    assert all(reply.status == 200 for reply in replies)
    sent = settled(fake_slack)
    for (command, text), reply in zip(COMMANDS, replies, strict=True):
        for live in LIVE:
            assert live not in reply.text, f"{command} {text[:40]!r} echoed {live!r}"
    for live in LIVE:
        assert live not in sent
    echoed = "\n".join(reply.text for reply in replies) + sent
    assert "&lt;!channel&gt;" in echoed and "fish &amp; chips" in echoed  # echoed, but inert
