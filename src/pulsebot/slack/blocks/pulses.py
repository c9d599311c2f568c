"""Pulse messages, answer confirmations, the comment modal and reminders."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from pulsebot.i18n import DEFAULT, ENGLISH, N_, Translator, translator
from pulsebot.services.pulse.answers import COMMENT_MAX_CHARS, AnswerReceipt
from pulsebot.services.pulse.pulses import QuestionView, RunView
from pulsebot.services.pulse.reminders import DueReminder
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape, readers_time
from pulsebot.store.models import DeliveryMode, QuestionKind

ANSWER_ACTION = "pulse_answer"
IN_MY_LANGUAGE_ACTION = "pulse_in_my_language"
NOT_APPLICABLE_BUTTON = "na"  # the last part of an "N/A" button's value and action id
COMMENT_ACTION = "pulse_comment"
COMMENT_VIEW = "pulse_comment_view"

COMMENT_PRIVACY_NOTE = N_(
    "Stored without your name. Managers only see comments from groups large enough to stay anonymous."
)
# Answer labels a receipt names (services/pulse/answers.py), said in the person's language.
ANSWER_LABELS = {"yes": N_("yes"), "no": N_("no"), "N/A": N_("N/A"), "your comment": N_("your comment")}


def local_time(moment: datetime, timezone: str, tr: Translator = ENGLISH) -> str:
    """A time Slack shows in each reader's own time zone (people of one pulse may be far apart);
    clients that cannot render it show the time in the survey's zone."""
    fallback = f"{tr.day_and_time(moment, timezone)} ({timezone})"
    # Slack's date tokens stay as they are; only the words between them are translated.
    return readers_time(moment, style=tr.gettext("{date_long_pretty} at {time}"), fallback=fallback)


def _closing_day(run: RunView, tr: Translator) -> str:
    return local_time(run.closes_at, run.timezone, tr)


def _answer_buttons(run: RunView, question: QuestionView, tr: Translator) -> list[ButtonElement]:
    _ = tr.gettext
    if question.kind is QuestionKind.scale:
        labels = [str(value) for value in range(1, 6)]
        values = range(1, 6)
    elif question.kind is QuestionKind.enps:
        labels = [str(value) for value in range(11)]
        values = range(11)
    elif question.kind is QuestionKind.yes_no:
        labels, values = [_("Yes"), _("No")], [1, 0]
    elif question.kind is QuestionKind.choice:
        labels, values = list(question.options), range(len(question.options))
    else:
        return [
            ButtonElement(
                text=_("Write an answer"),
                action_id=f"{COMMENT_ACTION}_{question.id}",
                value=f"{run.run_id}:{question.id}",
            )
        ]
    buttons = [
        ButtonElement(
            text=label,
            action_id=f"{ANSWER_ACTION}_{question.id}_{value}",
            value=f"{run.run_id}:{question.id}:{value}",
        )
        for label, value in zip(labels, values, strict=True)
    ]
    if question.not_applicable and question.kind is not QuestionKind.choice:
        buttons.append(
            ButtonElement(
                text=_("N/A"),
                action_id=f"{ANSWER_ACTION}_{question.id}_{NOT_APPLICABLE_BUTTON}",
                value=f"{run.run_id}:{question.id}:{NOT_APPLICABLE_BUTTON}",
            )
        )
    return buttons


def pulse_message(run: RunView, tr: Translator | None = None) -> tuple[str, list[dict]]:
    """The pulse as posted: one block of buttons per question, and comment buttons. `tr`: the language of
    the person it is for (a DM, or the ephemeral copy "In my language" shows); a channel post is in the
    survey's language and offers each reader that copy.

    It shows no count of answers while open: a count that moves when someone clicks tells whoever
    watches it when that person answered. Figures come later, to the managers, once the run has closed.
    """
    in_channel = tr is None
    tr = tr or translator(run.language or DEFAULT)
    _ = tr.gettext
    text = _("{title}: a short anonymous pulse").format(title=escape(run.title))
    intro = _(
        "A short, anonymous pulse: your manager sees only the team's figures, once it has "
        "closed and only if enough people answered."
    )
    if not run.closed:
        intro += " " + _("Open until *{day}*.").format(day=_closing_day(run, tr))
    blocks: list[Block] = [
        HeaderBlock(text=run.title[:150]),
        SectionBlock(text=MarkdownTextObject(text=intro)),
    ]
    for number, question in enumerate(run.questions, start=1):
        heading = f"*{number}. {escape(question.prompt_in(tr.language))}*" + (
            " " + _("_(required)_") if question.required else ""
        )
        comment_button = None
        if question.rated and not run.closed:
            comment_button = ButtonElement(
                text=_("Add a comment"),
                action_id=f"{COMMENT_ACTION}_{question.id}",
                value=f"{run.run_id}:{question.id}",
            )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=heading), accessory=comment_button))
        if question.kind is QuestionKind.enps:
            blocks.append(
                ContextBlock(
                    elements=[PlainTextObject(text=_("0 = not at all likely, 10 = extremely likely"))]
                )
            )
        elif question.kind is QuestionKind.scale:
            blocks.append(
                ContextBlock(elements=[PlainTextObject(text=_("1 = strongly disagree, 5 = strongly agree"))])
            )
        if not run.closed:
            blocks.append(
                ActionsBlock(block_id=f"q{question.id}", elements=_answer_buttons(run, question, tr))
            )
    # Last, so the questions come first for whoever reads the survey's language.
    if in_channel and not run.closed and run.delivery is DeliveryMode.channel:
        blocks.append(
            ActionsBlock(
                block_id="in_my_language",
                elements=[
                    ButtonElement(
                        text=_("In my language"), action_id=IN_MY_LANGUAGE_ACTION, value=str(run.run_id)
                    )
                ],
            )
        )
    if run.closed:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=_("Closed: answers are no longer taken."))])
        )
    return text, rendered(blocks)


NOT_SAVED = N_("Sorry, your answer could not be saved. Please click it again in a minute.")


def thanks_for(receipt: AnswerReceipt, tr: Translator = ENGLISH) -> str:
    label = receipt.value_label
    return answer_thanks(
        replaced=receipt.replaced,
        prompt=receipt.prompt_in(tr.language),
        label=tr.gettext(ANSWER_LABELS[label]) if label in ANSWER_LABELS else label,
        closes_on=tr.day(receipt.closes_at, receipt.timezone),
        removed=receipt.removed,
        tr=tr,
    )


def answer_thanks(
    *,
    replaced: bool,
    prompt: str,
    label: str,
    closes_on: str,
    removed: bool = False,
    tr: Translator = ENGLISH,
) -> str:
    _ = tr.gettext
    values = {"label": escape(label), "prompt": escape(prompt), "day": closes_on}
    if removed:
        return _("Removed {label} on “{prompt}”. You can add one again until {day}.").format(**values)
    if replaced:
        return _("Changed your answer to *{label}* for “{prompt}”. You can change it until {day}.").format(
            **values
        )
    return _("Thanks, recorded *{label}* for “{prompt}”. You can change it until {day}.").format(**values)


def comment_modal(
    *,
    run_id: int,
    question: QuestionView,
    earlier: str | None = None,
    tr: Translator = ENGLISH,
) -> dict:
    """The form for a text answer, or for the optional comment on a rated answer, in the person's language.

    A required text question's field is mandatory (Slack enforces it too); an optional one may be
    sent empty to take back an earlier comment.
    """
    _ = tr.gettext
    optional = question.rated or not question.required
    notes = [_(COMMENT_PRIVACY_NOTE)]
    if optional and earlier:
        notes.insert(0, _("Send it empty to remove your comment."))
    return View(
        type="modal",
        callback_id=COMMENT_VIEW,
        private_metadata=f"{run_id}:{question.id}",
        title=_("Add a comment") if question.rated else _("Your answer"),
        submit=_("Send anonymously"),
        close=_("Cancel"),
        blocks=[
            InputBlock(
                block_id="comment",
                label=question.prompt_in(tr.language)[:2000],
                optional=optional,
                element=PlainTextInputElement(
                    action_id="text",
                    multiline=True,
                    max_length=COMMENT_MAX_CHARS,
                    initial_value=earlier or None,
                ),
            ),
            ContextBlock(elements=[PlainTextObject(text=" ".join(notes))]),
        ],
    ).to_dict()


def reminder_message(reminder: DueReminder, tr: Translator = ENGLISH) -> str:
    """A nudge that says pulsebot knows whether the person answered, and nothing more."""
    _ = tr.gettext
    closes = local_time(reminder.closes_at, reminder.timezone, tr)
    where = (
        _("in <#{channel}>").format(channel=reminder.channel_id)
        if reminder.delivery is DeliveryMode.channel
        else _("in the message I sent you")
    )
    return (
        _(
            ":wave: A reminder: *{title}* is open until {day} and you have not answered yet. "
            "It takes a minute: answer {where}."
        ).format(title=escape(reminder.title), day=closes, where=where)
        + "\n"
        + _("_pulsebot only keeps track of *whether* you answered, never *what* you answered._")
    )


def sending_phrase(run: RunView, rate: float) -> str:
    """What an admin is told once a run is opened and its messages are on their way."""
    title = escape(run.title)
    if run.delivery is DeliveryMode.channel:
        return f"Posting “{title}” in <#{run.channel_id}> for its {run.audience} members now."
    minutes = run.audience / rate / 60
    duration = (
        "under a minute"
        if minutes < 1
        else ENGLISH.ngettext("about {count} minute", "about {count} minutes", round(minutes)).format(
            count=round(minutes)
        )
    )
    return (
        f"Sending “{title}” by DM to the {run.audience} people in <#{run.channel_id}> now: "
        f"at Slack's pace that takes {duration}."
    )
