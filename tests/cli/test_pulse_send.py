"""`pulsebot pulse send`: open a run for the channel's people and post the pulse with its buttons."""

import logging

from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY, TEAM

runner = CliRunner()


def test_pulse_send_posts_five_buttons_to_the_closed_channel(tmp_path, cli_env, fake_slack, sessions):
    fake_slack.add_user("U0GONE", deleted=True)
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, "UBOT", "U0GONE"])
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    assert runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env).exit_code == 0

    result = runner.invoke(cli, ["pulse", "send", "team-pulse"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "to 5 people" in result.stdout
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert post["channel"] == PULSE_CHANNEL
    buttons = next(block for block in post["blocks"] if block["type"] == "actions")["elements"]
    assert [button["text"]["text"] for button in buttons] == ["1", "2", "3", "4", "5"]
    with sessions() as session:
        run = session.exec(select(PulseRun)).one()
        assert run.message_ts is not None
        deliveries = session.exec(select(Delivery)).all()
        assert sorted(d.user_id for d in deliveries) == sorted(TEAM)  # no bot, no deactivated account
        assert {d.status for d in deliveries} == {DeliveryStatus.sent}


def test_sending_an_unknown_survey_says_so(cli_env):
    result = runner.invoke(cli, ["pulse", "send", "nope"], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.strip() == "pulsebot: There is no survey called “nope”."


def test_a_missing_token_is_one_line_naming_the_variable(cli_env):
    result = runner.invoke(cli, ["pulse", "send", "team-pulse"], env={**cli_env, "SLACK_BOT_TOKEN": None})

    assert result.exit_code == 2
    assert result.stderr.strip() == "pulsebot: SLACK_BOT_TOKEN is not set"


def test_a_rate_limited_post_is_retried_after_the_wait_and_sent_once(tmp_path, cli_env, fake_slack, sessions):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env)
    fake_slack.throttle("chat.postMessage", times=1, retry_after=1)

    result = runner.invoke(cli, ["pulse", "send", "team-pulse"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert len(fake_slack.calls_to("chat.postMessage:429")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_pulse_slack_refuses_says_why_and_fails(tmp_path, cli_env, fake_slack):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    assert runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env).exit_code == 0
    fake_slack.fail("chat.postMessage", "not_in_channel")

    result = runner.invoke(cli, ["pulse", "send", "team-pulse"], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "pulsebot: Slack refused the pulse for all 5 people (not_in_channel: 5); run 1 stays open"
    )


def test_the_refusals_it_sums_up_are_logged_again_once_it_is_done(tmp_path, cli_env, fake_slack, caplog):
    """The command keeps Slack's refusals out of its log while it sums them up, and only then: a
    program (or test) that ran it in its own process still hears the outbox's warnings afterwards."""
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    assert runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env).exit_code == 0
    fake_slack.fail("chat.postMessage", "not_in_channel")

    with caplog.at_level(logging.WARNING):
        runner.invoke(cli, ["pulse", "send", "team-pulse"], env=cli_env)
        during = [record for record in caplog.records if record.name == "pulsebot.slack.outbox"]
        logging.getLogger("pulsebot.slack.outbox").warning("a reminder was refused by Slack: user_disabled")

    assert during == []
    assert caplog.records[-1].getMessage() == "a reminder was refused by Slack: user_disabled"
