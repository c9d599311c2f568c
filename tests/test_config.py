"""Settings: defaults, and a missing or malformed value stops the program with one line naming it."""

import re
import subprocess
import sys

import pytest

from pulsebot.config import ConfigError, load_settings
from tests.conftest import CHILD_PYTHONPATH


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in (
        "DATABASE_URL",
        "PULSEBOT_PORT",
        "PULSEBOT_MIN_GROUP",
        "SLACK_API_URL",
        "PULSEBOT_RETENTION_DAYS",
        "PULSEBOT_METRICS_HOST",
        "PULSEBOT_METRICS_PORT",
        "PULSEBOT_METRICS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///pulsebot.db"
    assert settings.port == 3000
    assert settings.min_group == 5
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.retention_days == 730
    assert (settings.metrics_host, settings.metrics_port, settings.metrics_token) == ("127.0.0.1", 9464, None)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PULSEBOT_PORT", "http", "PULSEBOT_PORT: Input should be a valid integer"),
        ("PULSEBOT_MIN_GROUP", "2", "PULSEBOT_MIN_GROUP: Input should be greater than or equal to 3"),
        ("SLACK_API_URL", "slack.com", "SLACK_API_URL: must be an http(s) URL"),
        ("PULSEBOT_ANON_KEY", "short", "PULSEBOT_ANON_KEY: must be at least 16 characters"),
        ("PULSEBOT_METRICS_TOKEN", "short", "PULSEBOT_METRICS_TOKEN: must be at least 16 characters"),
        (
            "PULSEBOT_METRICS_PORT",
            "70000",
            "PULSEBOT_METRICS_PORT: Input should be less than or equal to 65535",
        ),
        (
            "PULSEBOT_IDEAS_PER_HOUR",
            "0",
            "PULSEBOT_IDEAS_PER_HOUR: Input should be greater than or equal to 1",
        ),
        (
            "PULSEBOT_RETENTION_DAYS",
            "0",
            "PULSEBOT_RETENTION_DAYS: Input should be greater than or equal to 1",
        ),
        ("PULSEBOT_RETENTION_DAYS", "2.5", "PULSEBOT_RETENTION_DAYS: Input should be a valid integer"),
        ("PULSEBOT_RETENTION_DAYS", "two years", "PULSEBOT_RETENTION_DAYS: Input should be a valid integer"),
    ],
)
def test_a_malformed_setting_is_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings()


def test_admins_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("PULSEBOT_ADMINS", "U1, U2,,U3 ")
    assert load_settings().admins == {"U1", "U2", "U3"}


def test_idea_settings(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("PULSEBOT_IDEAS_PER_HOUR", "PULSEBOT_SHIPPED_CHANNEL", "PULSEBOT_MANAGER_GROUP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PULSEBOT_MANAGERS", "U4 ,U5")
    monkeypatch.setenv("PULSEBOT_MANAGER_GROUP", " ")
    settings = load_settings()
    assert (settings.managers, settings.manager_group) == ({"U4", "U5"}, None)
    assert (settings.ideas_per_hour, settings.shipped_channel) == (10, None)


def test_the_program_stops_with_one_line_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pulsebot", "run"],
        cwd=tmp_path,
        env={"PULSEBOT_PORT": "eighty", "PATH": "", "PYTHONPATH": CHILD_PYTHONPATH},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == "pulsebot: PULSEBOT_PORT: Input should be a valid integer, unable to parse string as an integer\n"
    )


def test_run_without_tokens_names_them(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pulsebot", "run"],
        cwd=tmp_path,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "PATH": "", "PYTHONPATH": CHILD_PYTHONPATH},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "pulsebot: SLACK_BOT_TOKEN, PULSEBOT_ANON_KEY, SLACK_SIGNING_SECRET are not set\n"


@pytest.mark.parametrize(
    ("value", "minutes"),
    [(None, (2.0, 10.0)), ("3-6", (3.0, 6.0)), (" 1.5 - 4 ", (1.5, 4.0)), ("5", (5.0, 5.0))],
)
def test_the_relay_delay_is_a_range_of_minutes(monkeypatch, value, minutes):
    monkeypatch.delenv("PULSEBOT_RELAY_DELAY_MINUTES", raising=False)
    if value is not None:
        monkeypatch.setenv("PULSEBOT_RELAY_DELAY_MINUTES", value)
    assert load_settings(_env_file=None).relay_delay_minutes == minutes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "must be minutes, or a range of minutes such as 2-10"),
        ("10-2", "must be a range from 0 to 1440 minutes, the smaller first, such as 2-10"),
        ("1-2000", "must be a range from 0 to 1440 minutes, the smaller first, such as 2-10"),
    ],
)
def test_a_malformed_relay_delay_is_named(monkeypatch, value, message):
    monkeypatch.setenv("PULSEBOT_RELAY_DELAY_MINUTES", value)
    with pytest.raises(ConfigError, match=re.escape(f"PULSEBOT_RELAY_DELAY_MINUTES: {message}")):
        load_settings(_env_file=None)


def test_the_mixing_window_and_reply_window_have_defaults_that_protect(monkeypatch):
    monkeypatch.delenv("PULSEBOT_MIX_SECONDS", raising=False)
    monkeypatch.delenv("PULSEBOT_REPLY_WINDOW_DAYS", raising=False)
    settings = load_settings(_env_file=None)
    assert (settings.mix_seconds, settings.reply_window_days) == (10.0, 30)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PULSEBOT_MIX_SECONDS", "-1", "Input should be greater than or equal to 0"),
        ("PULSEBOT_MIX_SECONDS", "an hour", "Input should be a valid number"),
        ("PULSEBOT_MIX_SECONDS", "301", "Input should be less than or equal to 300"),
        ("PULSEBOT_REPLY_WINDOW_DAYS", "0", "Input should be greater than or equal to 1"),
    ],
)
def test_a_malformed_window_is_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(f"{name}: {message}")):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    ("host", "token", "refused"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("::1", None, False),
        ("0.0.0.0", None, True),
        ("10.0.0.5", None, True),
        ("metrics.internal", None, True),
        ("0.0.0.0", "scrape-token-0123456789", False),
    ],
)
def test_metrics_beyond_this_machine_need_a_token(monkeypatch, host, token, refused):
    monkeypatch.setenv("PULSEBOT_METRICS_HOST", host)
    monkeypatch.delenv("PULSEBOT_METRICS_PORT", raising=False)
    monkeypatch.delenv("PULSEBOT_METRICS_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("PULSEBOT_METRICS_TOKEN", token)
    settings = load_settings()
    if refused:
        with pytest.raises(ConfigError, match=f"^PULSEBOT_METRICS_HOST is {re.escape(host)}, reachable"):
            settings.require_metrics()
    else:
        settings.require_metrics()


def test_working_hours_days_holidays_and_the_weekly_limit(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("PULSEBOT_WORKING_HOURS", "PULSEBOT_WORKING_DAYS", "PULSEBOT_PULSES_PER_WEEK"):
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings()
    assert [str(moment) for moment in defaults.working_hours] == ["09:00:00", "18:00:00"]
    assert defaults.working_days == {0, 1, 2, 3, 4} and defaults.pulses_per_week == 0
    monkeypatch.setenv("PULSEBOT_WORKING_HOURS", "any")
    monkeypatch.setenv("PULSEBOT_WORKING_DAYS", "sun-thu")
    monkeypatch.setenv("PULSEBOT_HOLIDAY_LOCATIONS", "Berlin=DE-BE, Tel Aviv=il")
    settings = load_settings()
    assert settings.working_hours is None and settings.working_days == {6, 0, 1, 2, 3}
    assert settings.holiday_locations == {"berlin": "DE-BE", "tel aviv": "IL"}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "PULSEBOT_WORKING_HOURS",
            "18:00-09:00",
            "PULSEBOT_WORKING_HOURS: must be two times of day, the earlier",
        ),
        ("PULSEBOT_WORKING_HOURS", "nine to five", "PULSEBOT_WORKING_HOURS: must be two times of day"),
        (
            "PULSEBOT_WORKING_DAYS",
            "mon-fry",
            "PULSEBOT_WORKING_DAYS: 'mon-fry' is not a day or a range of days",
        ),
        (
            "PULSEBOT_HOLIDAY_LOCATIONS",
            "Berlin",
            "PULSEBOT_HOLIDAY_LOCATIONS: 'Berlin' is not location=COUNTRY",
        ),
        (
            "PULSEBOT_HOLIDAY_LOCATIONS",
            "Berlin=DE-XX",
            "PULSEBOT_HOLIDAY_LOCATIONS: 'DE-XX' is not a country (or its subdivision)",
        ),
        (
            "PULSEBOT_PULSES_PER_WEEK",
            "-1",
            "PULSEBOT_PULSES_PER_WEEK: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_malformed_asking_setting_is_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings()
