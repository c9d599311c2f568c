"""The `pulsebot` commands when it serves several workspaces: `--team` names whose data a command reads or
changes, each reaches Slack with that workspace's token, and a missing or wrong `--team` is one line."""

from tests.cli.conftest import pulsebot
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY
from tests.installing import ACME, GLOBEX


def test_each_workspace_gets_its_own_surveys_and_pulses(tmp_path, oauth_env, fake_slack):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))

    applied = pulsebot(oauth_env, "survey", "apply", str(survey), "--team", ACME)
    assert (applied.exit_code, applied.stdout.strip()) == (0, "team-pulse: created")
    assert "team-pulse" in pulsebot(oauth_env, "survey", "list", "--team", ACME).stdout
    assert pulsebot(oauth_env, "survey", "list", "--team", GLOBEX).stdout.startswith("no surveys yet")

    sent = pulsebot(oauth_env, "pulse", "send", "team-pulse", "--team", ACME)
    assert sent.exit_code == 0, sent.output
    assert [
        (call.args["channel"], call.token) for call in fake_slack.calls if call.method == "chat.postMessage"
    ] == [(PULSE_CHANNEL, "xoxb-acme")]
    refused = pulsebot(oauth_env, "pulse", "send", "team-pulse", "--team", GLOBEX)
    assert refused.exit_code == 1 and "team-pulse" in refused.output


def test_without_team_or_with_a_wrong_one_it_says_which_it_can_be(oauth_env):
    missing = pulsebot(oauth_env, "survey", "list")
    assert missing.exit_code == 1
    assert missing.output.strip() == (
        "pulsebot: --team: pulsebot serves several workspaces; name one of: T0ACME, T0GLOBEX"
    )
    unknown = pulsebot(oauth_env, "report", "team-pulse", "--team", "T0NOPE")
    assert (
        unknown.output.strip()
        == "pulsebot: --team: pulsebot is not installed in T0NOPE (installed: T0ACME, T0GLOBEX)"
    )
    garbled = pulsebot(oauth_env, "forget", "U0ALICE", "--team", "acme")
    assert (garbled.exit_code, garbled.output.strip()) == (
        2,
        "pulsebot: --team: 'acme' is not a Slack team id (like T0123ABCD)",
    )


def test_one_workspace_needs_no_team_and_refuses_one(cli_env):
    listed = pulsebot(cli_env, "survey", "list")
    assert listed.exit_code == 0
    refused = pulsebot(cli_env, "survey", "list", "--team", ACME)
    assert (refused.exit_code, refused.output.strip()) == (
        2,
        "pulsebot: --team: pulsebot serves one workspace here (SLACK_BOT_TOKEN); leave --team out",
    )


def test_the_audit_log_says_whose_entry_each_is(oauth_env, fake_slack, tmp_path):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    for team in (ACME, GLOBEX):
        pulsebot(oauth_env, "survey", "apply", str(survey), "--team", team)
        assert pulsebot(oauth_env, "report", "team-pulse", "--team", team).exit_code == 0

    everything = pulsebot(oauth_env, "audit").stdout
    assert "workspace" in everything and ACME in everything and GLOBEX in everything
    acme_only = pulsebot(oauth_env, "audit", "--team", ACME).stdout
    assert ACME in acme_only and GLOBEX not in acme_only
