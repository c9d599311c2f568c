"""What the tests of people's attributes share: the `pulsebot` command run in-process, a CSV written to
a file, the stored rows, and a clock frozen so that Slack's pace costs no real time."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.store.models import Person
from tests.cli.conftest import oauth_env  # noqa: F401  (a fixture: several installed workspaces)
from tests.conftest import PINNED_NOW

runner = CliRunner()


def pulsebot(env: dict, *args: str):
    return runner.invoke(cli, list(args), env={**env, "COLUMNS": "200"})


def write_csv(folder, text: str, name: str = "people.csv"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(sessions) -> dict[str, dict]:
    """Every person row, by (team, user id): what a database reader finds."""
    with sessions() as session:
        return {
            (row.team_id, row.user_id): row.model_dump(exclude={"team_id", "user_id"})
            for row in session.exec(select(Person)).all()
        }


@contextmanager
def slack_pace_without_waiting(start: datetime = PINNED_NOW) -> Iterator[None]:
    """The clock stands still except when pulsebot sleeps, which moves it on by as long as it asked: the
    fake Slack records each call at the moment pulsebot made it, and the test takes no real time."""
    real_sleep = time.sleep
    with freeze_time(start) as frozen:
        time.sleep = lambda seconds: frozen.tick(timedelta(seconds=seconds))
        try:
            yield
        finally:
            time.sleep = real_sleep


# The frozen clock counts whole microseconds from 1970 in a float: a gap reads a microsecond short now
# and then.
CLOCK_RESOLUTION = 2e-6


def spaced_at_least(times: list[float], seconds: float) -> bool:
    """Were there calls to compare, and did each come at least `seconds` after the one before?"""
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    return bool(gaps) and all(gap >= seconds - CLOCK_RESOLUTION for gap in gaps)
