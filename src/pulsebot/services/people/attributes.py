"""What pulsebot keeps about a person for segments, and how each value is checked, whichever source it
comes from (a CSV export, a Slack profile field)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

# The attributes a CSV column or a profile field may fill, in the order they are shown.
TEXTS = ("department", "division", "site", "region", "level")
ATTRIBUTES = (*TEXTS, "start_date", "manager")
# The longest value each text attribute may hold (the `person` table's columns).
LONGEST = {"department": 80, "division": 80, "site": 80, "region": 80, "level": 40}

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,19}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

CSV = "csv"
PROFILE = "profile"


class BadValue(ValueError):
    """A value an attribute cannot hold; the message says why, in words for the person who wrote it."""


@dataclass(frozen=True)
class Attributes:
    """One person's attributes as stored; None is "not recorded"."""

    department: str | None = None
    division: str | None = None
    site: str | None = None
    region: str | None = None
    level: str | None = None
    start_date: date | None = None
    manager_id: str | None = None
    end_date: date | None = None  # their last day (HR's export only): the exit survey's day

    def any(self) -> bool:
        return any(getattr(self, name.name) is not None for name in fields(self))

    def as_columns(self) -> dict[str, object]:
        return {name.name: getattr(self, name.name) for name in fields(self)}


def text_value(name: str, raw: str) -> str | None:
    """A text attribute's value: surrounding spaces dropped, empty for not recorded."""
    value = " ".join(raw.split())
    if not value:
        return None
    if len(value) > LONGEST[name]:
        raise BadValue(f"{len(value)} characters, at most {LONGEST[name]}")
    return value


def date_value(raw: str) -> date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{value!r} is not a date (YYYY-MM-DD)") from None


def user_id_value(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if not SLACK_USER_ID.fullmatch(value):
        raise BadValue(f"{value!r} is not a Slack user id (like U0123ABCD)")
    return value


def email_value(raw: str) -> str | None:
    """An email address, in lower case: Slack matches them without regard to case."""
    value = raw.strip()
    if not value:
        return None
    if not EMAIL.fullmatch(value):
        raise BadValue(f"{value!r} is not an email address")
    return value.lower()
