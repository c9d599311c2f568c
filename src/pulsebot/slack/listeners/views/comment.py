"""The comment modal of a pulse: a free-text answer, checked at once and saved with the next batch."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.i18n import translator
from pulsebot.services.errors import Closed, NotAllowed, NotFound, Refusal
from pulsebot.services.people.languages import language_in_run
from pulsebot.services.pulse.answers import prepare_comment
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.pulses import NOT_SAVED, thanks_for
from pulsebot.slack.directory import before_ack_client
from pulsebot.slack.listeners.actions.answers import parse_ids
from pulsebot.slack.person_language import translator_for
from pulsebot.slack.thanks import dm_quietly, submit_with_thanks
from pulsebot.store.db import transaction


def comment_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    comment = view["state"]["values"]["comment"]["text"].get("value") or ""
    user_id = body["user"]["id"]
    run_id = None
    try:
        run_id, question_id = parse_ids(view.get("private_metadata", ""), 2)
        with transaction(deps.sessions) as session:
            pending = prepare_comment(
                session,
                run_id=run_id,
                question_id=question_id,
                user_id=user_id,
                comment=comment,
                key=deps.key,
                now=deps.clock(),
                runs=deps.open_runs,
                # Asked of Slack only as long as the ack can wait: "Slack is busy" on the field otherwise.
                is_admin=deps.directory.is_admin(
                    before_ack_client(client), deps.settings, user_id, strict=True
                ),
            )
            tr = translator(language_in_run(session, user_id=user_id, run_id=run_id))
    except (Closed, NotAllowed, NotFound) as refusal:
        # Not something the person can fix by editing: say why in place of the form.
        tr = translator_for(deps, user_id, run_id=run_id)
        ack(response_action="update", view=notice_view(refusal.said(tr), title=tr.gettext("Not recorded")))
        return
    except Refusal as refusal:
        said = refusal.said(translator_for(deps, user_id, run_id=run_id))
        ack(response_action="errors", errors={"comment": said})
        return
    ack()

    submit_with_thanks(
        deps.mixer,
        pending,
        tell=lambda text: dm_quietly(client, user_id, text),
        thanks=lambda receipt: thanks_for(receipt, tr),
        not_saved=tr.gettext(NOT_SAVED),
        tr=tr,
    )
