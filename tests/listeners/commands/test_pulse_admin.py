"""`/pulse list|pause|resume|send|new|edit`: for admins; everyone else is told so and nothing changes."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack import limits
from pulsebot.store.db import transaction
from pulsebot.store.models import PulseRun, Survey
from tests.conftest import ADMIN, PULSE_CHANNEL, TEAM
from tests.pulse_data import make_team

SURVEYS = f"""\
surveys:
  - name: team-pulse
    title: Weekly <team> pulse
    channel: {PULSE_CHANNEL}
    schedule: "0 10 * * tue"
    timezone: Europe/Berlin
    reminders: [24h]
    questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
  - name: local
    channel: {PULSE_CHANNEL}
    delivery: dm
    per_person_local_time: true
    schedule: "0 9 * * mon"
    questions: [{{key: enps, kind: enps}}]
  - name: adhoc
    channel: {PULSE_CHANNEL}
    questions: [{{key: enps, kind: enps}}]
"""


@pytest.fixture
def surveys(sessions):
    with transaction(sessions) as session:
        for spec in parse_surveys(SURVEYS, source="surveys.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))


def paused(sessions, name: str) -> bool:
    with sessions() as session:
        return session.exec(select(Survey.paused).where(Survey.name == name)).one()


@pytest.mark.usefixtures("surveys")
@pytest.mark.parametrize(
    "text", ["list", "new", "edit team-pulse", "pause team-pulse", "resume team-pulse", "send team-pulse"]
)
def test_people_who_are_not_admins_are_refused(slack, fake_slack, sessions, text):
    reply = slack.command("/pulse", text, user=TEAM[0])

    assert reply.status == 200
    assert reply.text.startswith("Only pulsebot admins can ")
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.postMessage") == []
    assert not paused(sessions, "team-pulse")
    with sessions() as session:
        assert session.exec(select(PulseRun)).all() == []


@pytest.mark.usefixtures("surveys")
def test_pause_and_resume(slack, sessions):
    with freeze_time("2027-03-20 12:00:00", tick=True):
        paused_reply = slack.command("/pulse", "pause team-pulse", user=ADMIN)
        again = slack.command("/pulse", "pause team-pulse", user=ADMIN)
        assert paused(sessions, "team-pulse")
        resumed = slack.command("/pulse", "resume team-pulse", user=ADMIN)

    assert paused_reply.text.startswith("Paused “team-pulse”: no run opens on its schedule until")
    assert again.text.startswith("“team-pulse” is already paused")
    assert resumed.text == "Resumed “team-pulse”: next run Tue 23 Mar 10:00 (Europe/Berlin)."
    assert not paused(sessions, "team-pulse")


@pytest.mark.usefixtures("surveys")
def test_list_shows_each_survey_with_its_next_run(slack):
    slack.command("/pulse", "pause adhoc", user=ADMIN)

    with freeze_time("2027-03-20 12:00:00", tick=True):
        reply = slack.command("/pulse", "list", user=ADMIN)

    lines = reply.text.splitlines()
    assert lines[0] == "*Surveys*"
    assert lines[1].startswith("• *adhoc*: adhoc · ") and lines[1].endswith("· paused")
    assert "next run Mon 22 Mar 09:00, each person's local time" in lines[2]
    assert lines[3] == (
        f"• *team-pulse*: Weekly &lt;team&gt; pulse · <#{PULSE_CHANNEL}> · in the channel · "
        "`0 10 * * tue` · open 3 days · reminders 24h after open · next run Tue 23 Mar 10:00 (Europe/Berlin)"
    )


@pytest.mark.usefixtures("surveys")
def test_unknown_surveys_and_missing_names_are_explained(slack, fake_slack):
    assert slack.command("/pulse", "pause nope", user=ADMIN).text == "There is no survey called “nope”."
    assert slack.command("/pulse", "send <!channel>", user=ADMIN).text == "Sending “&lt;!channel&gt;” now…"
    assert fake_slack.wait_for("response_url")[0]["text"] == "There is no survey called “&lt;!channel&gt;”."
    assert slack.command("/pulse", "edit", user=ADMIN).text.startswith(
        "Which survey? Try `/pulse edit team-pulse`"
    )


@pytest.mark.usefixtures("surveys")
def test_send_posts_the_pulse_now(slack, fake_slack):
    reply = slack.command("/pulse", "send team-pulse", user=ADMIN)

    assert reply.text == "Sending “team-pulse” now…"
    assert fake_slack.wait_for("chat.postMessage")[0]["channel"] == PULSE_CHANNEL
    assert (
        fake_slack.wait_for("response_url")[0]["text"]
        == f"Posting “Weekly &lt;team&gt; pulse” in <#{PULSE_CHANNEL}> for its 5 members now."
    )


@pytest.mark.usefixtures("surveys")
def test_send_says_so_when_slack_refuses_the_post(slack, fake_slack):
    fake_slack.fail("chat.postMessage", "not_in_channel")

    slack.command("/pulse", "send team-pulse", user=ADMIN)

    assert fake_slack.wait_for("response_url")[0]["text"] == (
        "Slack refused while sending “team-pulse” (not_in_channel). Is pulsebot invited to its channel?"
    )


@pytest.mark.usefixtures("surveys")
def test_send_says_so_when_slack_refuses(slack, fake_slack):
    fake_slack.fail("conversations.members", "not_in_channel")

    slack.command("/pulse", "send team-pulse", user=ADMIN)

    assert fake_slack.wait_for("response_url")[0]["text"] == (
        "Slack refused while sending “team-pulse” (not_in_channel). Is pulsebot invited to its channel?"
    )


def test_a_long_list_of_surveys_shows_what_fits_and_says_how_many_more_there_are(slack, sessions):
    title = "A rather long title " * 7
    for number in range(80):
        make_team(sessions, name=f"team-{number:02d}", title=title, now=datetime.now(UTC))

    lines = slack.command("/pulse", "list", user=ADMIN).text.splitlines()

    assert len("\n".join(lines)) <= limits.LIST_TEXT
    shown = len(lines) - 2  # the heading and the last line
    assert lines[-1] == f"…and {80 - shown} more: `pulsebot survey list` lists them all."
    assert lines[1].startswith("• *team-00*") and 0 < shown < 80
