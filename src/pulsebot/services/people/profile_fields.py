"""Slack profile custom fields as the second source of attributes (PULSEBOT_PROFILE_FIELDS maps a field
id to an attribute): one person's fields, as users.profile.get gives them, made into attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pulsebot.services.people.attributes import (
    TEXTS,
    Attributes,
    BadValue,
    date_value,
    text_value,
    user_id_value,
)


@dataclass(frozen=True)
class FromProfile:
    attributes: Attributes
    left_out: tuple[str, ...]  # attributes whose value could not be understood (not a date, too long…)


def attributes_from_profile(
    fields: Mapping[str, object] | None, mapping: Mapping[str, str], *, user_id: str
) -> FromProfile:
    """`fields`: the profile's `fields`, {field id: {"value": …, "alt": …}}; a field not filled in is
    missing or empty. A value that does not fit its attribute is left out (not recorded) rather than
    stopping the others; a manager field naming the person themselves too."""
    found: dict[str, object] = {}
    left_out = []
    for field_id, name in mapping.items():
        entry = (fields or {}).get(field_id)
        raw = entry.get("value") if isinstance(entry, Mapping) else None
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            value = _value(name, raw)
        except BadValue:
            left_out.append(name)
            continue
        if name == "manager" and value == user_id:
            left_out.append(name)
            continue
        found["manager_id" if name == "manager" else name] = value
    return FromProfile(Attributes(**found), tuple(left_out))


def _value(name: str, raw: str) -> object:
    if name in TEXTS:
        return text_value(name, raw)
    if name == "start_date":
        return date_value(raw)
    if name == "manager":  # a "user" field: one id, or several separated by commas (the first counts)
        return user_id_value(raw.split(",")[0])
    raise BadValue(f"{name} is not an attribute")
