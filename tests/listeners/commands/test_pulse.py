"""`/pulse`, `/pulse help` and `/pulse privacy`: for everyone, answered at once."""

from tests.conftest import TEAM


def test_help_lists_every_pulse_command(slack):
    text = slack.command("/pulse", "", user=TEAM[0]).text

    for verb in ("privacy", "list", "new", "edit NAME", "pause NAME", "resume NAME", "send NAME"):
        assert f"/pulse {verb}" in text


def test_privacy_says_what_is_kept_and_why(slack):
    text = slack.command("/pulse", "privacy", user=TEAM[0]).text

    assert "never with your name or Slack id" in text
    assert "pulsebot keeps no mark of who answered" in text
    assert "Reminders (at most two, by DM)" in text
    assert "time zone in your Slack profile" in text
    assert "groups of at least 5 people" in text


def test_an_unknown_verb_gets_the_help(slack):
    text = slack.command("/pulse", "dance", user=TEAM[0]).text

    assert text.startswith("I don't know `/pulse dance`.")
