"""The logs at DEBUG: slack_sdk logs each Web API request and response body. The DM thanking the author
of an anonymous idea holds their user id and the idea's number, and the card holds the number and the
text: two records that name the author. No record the real app makes pairs a person with a text, or
with the number of their anonymous idea."""

import logging

import pytest

from pulsebot import log_privacy
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.idea_steps import post_idea
from tests.pulse_steps import send_retro

AUTHOR = TEAM[0]


def logged(caplog) -> list[str]:
    return [record.getMessage() + (record.exc_text or "") for record in caplog.records]


def pairing(caplog, user: str, text: str) -> list[str]:
    return [line for line in logged(caplog) if user in line and text in line]


def comment(settings, slack, fake_slack, sessions, client, text: str) -> None:
    send_retro(sessions, client, settings)
    button = fake_slack.calls_to("chat.postMessage")[-1]["blocks"][3]["elements"][0]
    slack.click(action_id=button["action_id"], value=button["value"], user=AUTHOR, channel=PULSE_CHANNEL)
    view = fake_slack.wait_for("views.open")[0]["view"]
    posted = len(fake_slack.calls_to("chat.postMessage"))
    slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values={"comment": {"text": {"type": "plain_text_input", "value": text}}},
        user=AUTHOR,
    )
    fake_slack.wait_for("chat.postMessage", posted + 1)  # the thank-you DM to its author


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_no_log_record_pairs_an_author_with_their_anonymous_idea_or_comment(
    slack, fake_slack, sessions, client, settings, everything_logged
):
    idea, remark = "Refunds in one click, please", "Fewer meetings on Monday"

    post_idea(slack, fake_slack, idea, user=AUTHOR, anonymous=True)
    comment(settings, slack, fake_slack, sessions, client, remark)

    assert pairing(everything_logged, AUTHOR, idea) == []
    assert pairing(everything_logged, AUTHOR, "#1") == []
    assert pairing(everything_logged, AUTHOR, remark) == []
    withheld = [
        r
        for r in everything_logged.records
        if r.name.startswith("slack_sdk") and log_privacy.WITHHELD in r.msg
    ]
    assert withheld  # the bodies were logged, and cut
    assert any("chat.postMessage" in record.getMessage() for record in withheld)  # the words before stay


def test_without_the_filter_the_same_logs_would_name_the_author(slack, fake_slack, everything_logged):
    """The attack the filter stops, shown working: the DM to the author and the card, logged whole."""
    filtered = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    try:
        post_idea(slack, fake_slack, "Refunds in one click, please", user=AUTHOR, anonymous=True)
    finally:
        logging.setLogRecordFactory(filtered)

    assert pairing(everything_logged, AUTHOR, "#1") and pairing(
        everything_logged, "#1", "Refunds in one click"
    )


def test_a_user_id_in_any_record_at_any_level_is_replaced(everything_logged):
    """What holds when a new line, or some library's, forgets that logs name nobody."""
    log_privacy.install()
    logging.getLogger("pulsebot.anywhere").debug("reminder to %s refused: %s", AUTHOR, "user_disabled")
    # A warning: pulsebot quietens APScheduler's INFO lines (log_setup.py), which would not show here.
    logging.getLogger("apscheduler.somewhere").warning("job for %s failed", AUTHOR)

    assert logged(everything_logged)[-2:] == ["reminder to U… refused: user_disabled", "job for U… failed"]
