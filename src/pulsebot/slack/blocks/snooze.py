"""What `/pulse snooze` says, and the pause button on App Home."""

from __future__ import annotations

from datetime import date, timedelta

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.survey.snooze import USAGE

SNOOZE_ACTION = "home_snooze"
HOME_PAUSE = "2w"  # what the Home button asks for: the same as `/pulse snooze 2w`
HOME_RESUME = "off"


def paused_text(through: date, tr: Translator = ENGLISH) -> str:
    return tr.gettext(
        "Your pulses are paused through *{day}*: until then no pulse is sent to you and no reminder, and "
        "from {next_day} you are asked again. Nobody else is told. A pulse already open still takes your "
        "answer. `/pulse snooze off` resumes them sooner."
    ).format(day=tr.date(through), next_day=tr.date(through + timedelta(days=1)))


def resumed_text(was_paused: bool, tr: Translator = ENGLISH) -> str:
    if not was_paused:
        return tr.gettext("Your pulses were not paused, so nothing changed.")
    return tr.gettext("Your pulses are on again: you are asked from the next pulse.")


def status_text(through: date | None, tr: Translator = ENGLISH) -> str:
    """`/pulse snooze` on its own: whether the person's pulses are paused, and how to change that."""
    if through is None:
        return tr.gettext("Your pulses are not paused. {usage}").format(usage=tr.gettext(USAGE))
    return tr.gettext("Your pulses are paused through *{day}*. {usage}").format(
        day=tr.date(through), usage=tr.gettext(USAGE)
    )


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
