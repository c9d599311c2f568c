"""What Slack refuses in a message or a view, checked as Slack checks it (the figures are pulsebot's own,
src/pulsebot/slack/limits.py). The fake Slack answers `invalid_blocks` and the like with these, and the
property tests build every view and message with extreme data and expect no problem at all."""

from __future__ import annotations

import re

from pulsebot.slack import limits

# Text cut inside something Slack reads as one entity: an escape, a mention, a channel, a link, a date
# (at the end of the text, or before the ellipsis that marks a cut).
BROKEN_ENTITY = re.compile(r"<[^<>]*(<|$)|&[a-z]*(…|$)")


def view_problems(view: dict) -> list[str]:
    surface = view.get("type", "modal")
    found = _blocks(view.get("blocks") or [], limits.BLOCKS_PER_VIEW, surface)
    found += _length(view.get("private_metadata"), limits.PRIVATE_METADATA, "private_metadata")
    found += _length(view.get("callback_id"), limits.ID_CHARS, "callback_id")
    for name in ("title", "submit", "close"):
        found += _length(_text(view.get(name)), limits.VIEW_TITLE, f"view {name}")
    return found


def message_problems(args: dict) -> list[str]:
    found = _blocks(args.get("blocks") or [], limits.BLOCKS_PER_MESSAGE, "message")
    found += _length(args.get("text"), limits.MESSAGE_TEXT, "message text")
    found += _entities(args.get("text"), "message text")
    return found


def _blocks(blocks: list[dict], most: int, surface: str) -> list[str]:
    found = [f"{len(blocks)} blocks in a {surface}, over {most}"] if len(blocks) > most else []
    for number, block in enumerate(blocks):
        found += [f"block {number} ({block.get('type')}): {problem}" for problem in _block(block)]
    return found


def _block(block: dict) -> list[str]:
    found = _length(block.get("block_id"), limits.ID_CHARS, "block_id")
    kind = block.get("type")
    if kind == "header":
        found += _length(_text(block.get("text")), limits.HEADER_TEXT, "header")
    if kind == "section":
        found += _text_object(block.get("text"), limits.SECTION_TEXT, "section text")
        fields = block.get("fields") or []
        found += [f"{len(fields)} fields"] if len(fields) > limits.SECTION_FIELDS else []
        for field in fields:
            found += _text_object(field, limits.FIELD_TEXT, "field")
        if block.get("accessory"):
            found += _element(block["accessory"])
    if kind == "context":
        elements = block.get("elements") or []
        found += [f"{len(elements)} context elements"] if len(elements) > limits.CONTEXT_ELEMENTS else []
        for element in elements:
            found += _text_object(element, limits.SECTION_TEXT, "context")
    if kind == "actions":
        elements = block.get("elements") or []
        found += [f"{len(elements)} action elements"] if len(elements) > limits.ACTIONS_ELEMENTS else []
        for element in elements:
            found += _element(element)
    if kind == "input":
        found += _length(_text(block.get("label")), limits.INPUT_LABEL, "input label")
        found += _length(_text(block.get("hint")), limits.INPUT_HINT, "input hint")
        found += _element(block.get("element") or {})
    return found


def _element(element: dict) -> list[str]:
    found = _length(element.get("action_id"), limits.ID_CHARS, "action_id")
    found += _length(_text(element.get("placeholder")), limits.PLACEHOLDER_TEXT, "placeholder")
    if element.get("type") == "button":
        found += _length(_text(element.get("text")), limits.BUTTON_TEXT, "button text")
        found += _length(element.get("value"), limits.BUTTON_VALUE, "button value")
    options = list(element.get("options") or [])
    groups = element.get("option_groups") or []
    if len(groups) > limits.OPTION_GROUPS:
        found.append(f"{len(groups)} option groups")
    for group in groups:
        found += _length(_text(group.get("label")), limits.OPTION_TEXT, "option group label")
        if len(group.get("options") or []) > limits.OPTIONS_PER_MENU:
            found.append(f"{len(group['options'])} options in a group")
        options += group.get("options") or []
    if len(element.get("options") or []) > limits.OPTIONS_PER_MENU:
        found.append(f"{len(element['options'])} options")
    for option in [*options, *(element.get("initial_options") or [])]:
        found += _length(_text(option.get("text")), limits.OPTION_TEXT, "option text")
        found += _length(option.get("value"), limits.OPTION_VALUE, "option value")
    return found


def _text_object(text: dict | None, most: int, what: str) -> list[str]:
    if not text:
        return []
    return _length(text.get("text"), most, what) + _entities(text.get("text"), what)


def _entities(text: str | None, what: str) -> list[str]:
    if text and (broken := BROKEN_ENTITY.search(text)):
        return [f"{what} cut inside an entity: …{text[max(0, broken.start() - 20) : broken.end()]!r}"]
    return []


def _text(text) -> str | None:
    return text.get("text") if isinstance(text, dict) else text


def _length(value: str | None, most: int, what: str) -> list[str]:
    return [f"{what} of {len(value)} characters, over {most}"] if value and len(value) > most else []
