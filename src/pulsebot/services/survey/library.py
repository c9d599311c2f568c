"""The question library shipped with pulsebot (src/pulsebot/library/engagement.yml): engagement drivers,
each a few agree/disagree statements on the 1–5 scale, and eNPS.

An item's id is for good: its wording may change (its `version` goes up) and its scores carry on, so a
driver's trend survives rewording. The file is checked when it is loaded, so a broken library fails the
tests, never a team's pulse. Its items' translations (engagement_translations.yml) are checked with it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from pulsebot.i18n import TRANSLATED

LIBRARY_NAME = "engagement"
SCALE_TOP = 5  # a reversed item's answer v counts as SCALE_TOP + 1 - v
_ITEM_ID = re.compile(r"^[a-z]+\.[a-z0-9-]+$")  # driver.name; a survey's own keys never hold a dot


@dataclass(frozen=True)
class Translation:
    """An item's wording in another language, made from the English item's `version`."""

    language: str
    version: int
    reviewed: bool
    text: str


@dataclass(frozen=True)
class Item:
    id: str
    driver: str
    text: str
    version: int
    reversed: bool = False
    translations: tuple[Translation, ...] = ()

    def text_in(self, language: str, *, version: int | None = None) -> str:
        """The item's wording in `language`: its translation when a speaker reviewed it and it was made
        from the English wording asked (`version`, the item's own by default); English otherwise, so an
        outdated translation never asks something the English no longer says."""
        asked = self.version if version is None else version
        for translation in self.translations:
            if translation.language == language and translation.reviewed and translation.version == asked:
                return translation.text
        return self.text


@dataclass(frozen=True)
class Driver:
    id: str
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Library:
    name: str
    version: int
    drivers: tuple[Driver, ...]
    enps: Item

    def driver(self, driver_id: str) -> Driver:
        return next(driver for driver in self.drivers if driver.id == driver_id)

    @property
    def driver_ids(self) -> tuple[str, ...]:
        return tuple(driver.id for driver in self.drivers)

    def item(self, item_id: str) -> Item | None:
        if item_id == self.enps.id:
            return self.enps
        return next((i for d in self.drivers for i in d.items if i.id == item_id), None)


class LibraryError(Exception):
    """The shipped library file is malformed (a packaging fault, caught by the tests)."""


@functools.cache
def engagement_library() -> Library:
    folder = resources.files("pulsebot.library")
    text = folder.joinpath("engagement.yml").read_text(encoding="utf-8")
    translated = folder.joinpath("engagement_translations.yml").read_text(encoding="utf-8")
    return parse_library(yaml.safe_load(text), translations=yaml.safe_load(translated))


def _translations(item_id: str, raw: dict | None) -> tuple[Translation, ...]:
    found = []
    for language, entry in (raw or {}).items():
        if language not in TRANSLATED:
            raise LibraryError(
                f"item {item_id!r} has a translation into {language!r}, not one of {TRANSLATED}"
            )
        found.append(
            Translation(
                language=language,
                version=int(entry["version"]),
                reviewed=bool(entry.get("reviewed", False)),
                text=entry["text"].strip(),
            )
        )
    return tuple(found)


def parse_library(data: dict, *, translations: dict | None = None) -> Library:
    translations = translations or {}
    drivers = []
    seen: set[str] = set()
    for entry in data["drivers"]:
        items = []
        for raw in entry["items"]:
            item = Item(
                id=raw["id"],
                driver=entry["id"],
                text=raw["text"].strip(),
                version=int(raw["version"]),
                reversed=bool(raw.get("reversed", False)),
                translations=_translations(raw["id"], translations.get(raw["id"])),
            )
            if not _ITEM_ID.match(item.id) or not item.id.startswith(f"{entry['id']}."):
                raise LibraryError(f"item id {item.id!r} must read {entry['id']}.NAME")
            if item.id in seen:
                raise LibraryError(f"item id {item.id!r} is used twice")
            seen.add(item.id)
            items.append(item)
        if not 3 <= len(items) <= 5:
            raise LibraryError(f"driver {entry['id']!r} needs 3 to 5 items")
        drivers.append(Driver(id=entry["id"], name=entry["name"], items=tuple(items)))
    raw_enps = data["enps"]
    enps = Item(
        id=raw_enps["id"],
        driver="",
        text=raw_enps["text"].strip(),
        version=int(raw_enps["version"]),
        translations=_translations(raw_enps["id"], translations.get(raw_enps["id"])),
    )
    unknown = set(translations) - seen - {enps.id}
    if unknown:
        raise LibraryError(f"translations of items the library does not have: {sorted(unknown)}")
    return Library(name=data["library"], version=int(data["version"]), drivers=tuple(drivers), enps=enps)


@functools.cache  # the library never changes while the process runs; each team's digest names its drivers
def driver_name(driver_id: str) -> str:
    library = engagement_library()
    return library.driver(driver_id).name if driver_id in library.driver_ids else driver_id
