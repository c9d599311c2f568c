"""The digest settings: when digests go out, how far back they look, when a drop raises an alert."""

from datetime import time

import pytest

from pulsebot.config import ConfigError, load_settings


def test_defaults_are_monday_nine_twelve_weeks_and_half_a_point():
    settings = load_settings(_env_file=None)

    assert (settings.digest_day, settings.digest_time) == ("mon", time(9, 0))
    assert (settings.trend_weeks, settings.drop_alert) == (12, 0.5)


def test_a_day_may_be_written_out_and_a_time_as_hours_and_minutes():
    settings = load_settings(_env_file=None, PULSEBOT_DIGEST_DAY="Friday", PULSEBOT_DIGEST_TIME="16:30")

    assert (settings.digest_day, settings.digest_time) == ("fri", time(16, 30))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PULSEBOT_DIGEST_DAY", "someday"),
        ("PULSEBOT_DIGEST_TIME", "25:00"),
        ("PULSEBOT_TREND_WEEKS", "2"),
        ("PULSEBOT_DROP_ALERT", "0"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(variable, value):
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **{variable: value})

    assert str(error.value).startswith(f"{variable}: ")
