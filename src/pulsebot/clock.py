"""The one clock: aware UTC now. Everything that needs the time takes it from here (or is handed it),
so freezegun moves all of pulsebot at once in the tests."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
