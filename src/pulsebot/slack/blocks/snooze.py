"""What `/pulse snooze` says, and the pause button on App Home."""

from __future__ import annotations

from datetime import date, timedelta

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.survey.snooze import USAGE

SNOOZE_ACTION = "home_snooze"
HOME_PAUSE = "2w"  # what the Home button asks for: the same as `/pulse snooze 2w`
HOME_RESUME = "off"


def _day(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def paused_text(through: date) -> str:
    return (
        f"Your pulses are paused through *{_day(through)}*: until then no pulse is sent to you and no "
        f"reminder, and from {_day(through + timedelta(days=1))} you are asked again. Nobody else is told. "
        "A pulse already open still takes your answer. `/pulse snooze off` resumes them sooner."
    )


def resumed_text(was_paused: bool) -> str:
    if not was_paused:
        return "Your pulses were not paused, so nothing changed."
    return "Your pulses are on again: you are asked from the next pulse."


def status_text(through: date | None) -> str:
    """`/pulse snooze` on its own: whether the person's pulses are paused, and how to change that."""
    if through is None:
        return f"Your pulses are not paused. {USAGE}"
    return f"Your pulses are paused through *{_day(through)}*. {USAGE}"


def home_snooze_block(through: date | None, tr: Translator = ENGLISH) -> SectionBlock:
    """One line under "Your pulses", with the button that pauses them for two weeks or resumes them, in
    the person's language."""
    _ = tr.gettext
    if through is None:
        text = _("Away? Pause your pulses; nobody else is told. (`/pulse snooze` for other lengths.)")
        button = ButtonElement(text=_("Pause for 2 weeks"), action_id=SNOOZE_ACTION, value=HOME_PAUSE)
    else:
        text = _("*Paused* through {day}: no pulses and no reminders until then.").format(
            day=tr.date(through)
        )
        button = ButtonElement(text=_("Resume now"), action_id=SNOOZE_ACTION, value=HOME_RESUME)
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=button)
