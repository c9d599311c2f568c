"""Answer buttons on a pulse, and the button that opens the comment modal."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.i18n import N_, translator
from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.people.languages import language_for, language_in_run
from pulsebot.services.pulse.answers import NOT_APPLICABLE, comment_form, prepare_answer
from pulsebot.services.pulse.pulses import run_view
from pulsebot.slack.blocks.pulses import (
    NOT_APPLICABLE_BUTTON,
    NOT_SAVED,
    comment_modal,
    pulse_message,
    thanks_for,
)
from pulsebot.slack.directory import RightsUnknown
from pulsebot.slack.person_language import said_to
from pulsebot.slack.thanks import reply_quietly, submit_with_thanks
from pulsebot.store.db import transaction


def parse_ids(value: str, count: int) -> list[int]:
    """The integers a button carries (`run:question[:value]`); a tampered value is a refusal."""
    parts = value.split(":")
    if len(parts) != count or not all(part.isdigit() and len(part) < 10 for part in parts):
        raise Invalid(N_("That button is not one pulsebot recognises, so nothing was recorded."))
    return [int(part) for part in parts]


def answer_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    """Checked now, saved with the next batch (services/pulse/answer_mixer.py), thanked once it is saved."""
    ack()
    deps = context["deps"]
    run_id = None
    try:
        value = action.get("value", "")
        if value.endswith(f":{NOT_APPLICABLE_BUTTON}"):  # "N/A": a run and a question, then no number
            run_id, question_id = parse_ids(value.removesuffix(f":{NOT_APPLICABLE_BUTTON}"), 2)
            value = NOT_APPLICABLE
        else:
            run_id, question_id, value = parse_ids(value, 3)
        with transaction(deps.sessions) as session:
            pending = prepare_answer(
                session,
                run_id=run_id,
                question_id=question_id,
                user_id=body["user"]["id"],
                value=value,
                key=deps.key,
                now=deps.clock(),
                runs=deps.open_runs,
                is_admin=deps.directory.is_admin(client, deps.settings, body["user"]["id"]),
            )
            tr = translator(language_in_run(session, user_id=body["user"]["id"], run_id=run_id))
    except Refusal as refusal:
        said = said_to(deps, body["user"]["id"], refusal, run_id=run_id)
        respond(text=said, response_type="ephemeral", replace_original=False)
        return

    submit_with_thanks(
        deps.mixer,
        pending,
        tell=lambda text: reply_quietly(respond, text),
        thanks=lambda receipt: thanks_for(receipt, tr),
        not_saved=tr.gettext(NOT_SAVED),
        tr=tr,
    )


def comment_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    """A text question's "Write an answer", or a rated question's "Add a comment": open the form."""
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    run_id = None
    try:
        run_id, question_id = parse_ids(action.get("value", ""), 2)
        # Asked of Slack only as long as the click's trigger lives. An admin may not answer a team whose
        # results they see; when Slack cannot say in time whether the person runs the workspace, the form
        # opens all the same, and the comment itself waits for Slack's word (views/comment.py).
        try:
            is_admin = deps.directory.admin_before_ack(client, deps.settings, user_id)
        except RightsUnknown:
            is_admin = False
        with transaction(deps.sessions) as session:
            form = comment_form(
                session,
                run_id=run_id,
                question_id=question_id,
                user_id=user_id,
                key=deps.key,
                now=deps.clock(),
                runs=deps.open_runs,
                is_admin=is_admin,
            )
            tr = translator(language_in_run(session, user_id=user_id, run_id=run_id))
    except Refusal as refusal:
        said = said_to(deps, user_id, refusal, run_id=run_id)
        respond(text=said, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=comment_modal(run_id=run_id, question=form.question, earlier=form.earlier, tr=tr),
    )


def in_my_language_clicked(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """A channel pulse's "In my language": the same questions, in the reader's language, shown to them
    alone. Its buttons answer the same run as the channel post's; nothing about the click is kept."""
    ack()
    deps = context["deps"]
    try:
        (run_id,) = parse_ids(action.get("value", ""), 1)
        with transaction(deps.sessions) as session:
            run = run_view(session, run_id=run_id)
            language = language_for(session, user_id=body["user"]["id"], survey_language=run.language)
    except Refusal as refusal:
        # The reader's own language (never the run's, which may be gone): said to them alone.
        said = said_to(deps, body["user"]["id"], refusal)
        respond(text=said, response_type="ephemeral", replace_original=False)
        return
    text, blocks = pulse_message(run, translator(language))
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
