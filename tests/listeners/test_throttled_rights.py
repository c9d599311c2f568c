"""Rights that only Slack knows (PULSEBOT_SLACK_ADMINS, PULSEBOT_MANAGER_GROUP), with each Slack method a
listener calls throttled in turn (429 with Retry-After, for as long as a retry would take), or all of Slack
answering in 2 seconds: opening the survey form (`/pulse new`, `/pulse edit`) and the planning form
(`/pulse action`, "Plan an action"), "Drop…" in App Home, a pulse's comment button; and the survey form,
the planning form, the drop form and `/pulse digest`.

Every request is answered within Slack's 3 seconds. A modal opens while its trigger lives, or the person
is told why not; what pulsebot holds (a survey's managers, PULSEBOT_ADMINS) decides when it is enough; when
it is not, the person reads that Slack is busy (nothing written, what they typed kept), or the check is
made after the ack and the person told the outcome: never a refusal, or rights, for Slack being slow, and
never a second write. With nothing throttled, each case calls no Slack method it does not name, so a
listener that starts asking Slack something new is throttled here too.

The app runs with its own Web API client (slack/app.py make_client), retry handlers and all."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlmodel import select

from pulsebot.slack import limits
from pulsebot.slack.app import BUSY
from pulsebot.slack.blocks.surveys import survey_form
from pulsebot.slack.listeners.commands.digest import ASKING_SLACK
from pulsebot.store.models import ActionStatus, AuditAction, AuditEntry, Survey
from tests.conftest import MANAGER, PULSE_CHANNEL, SIGNING_SECRET, TEAM, serving_app
from tests.listeners.test_throttled_slack import Stopwatch
from tests.listeners.views.test_survey_form import state_of
from tests.loop.steps import choose_in_home, click_in_home, drop, stored, submit_plan, team_with_a_closed_week
from tests.pulse_steps import send_retro
from tests.slack_requests import Reply, SlackRequests

SLACK_ADMIN = "U0SLACKADM"  # an owner or admin of the Slack workspace, so a pulsebot admin; in no list
MANAGER_GROUP = "S0MANAGERS"
BUSY_RIGHTS = "Slack is busy right now, so pulsebot could not check your rights"
RETRY_AFTER = 3  # seconds: waiting it out before an ack, or before a modal opens, is too late
SLOW_AT = ("all slow",)


@pytest.fixture
def world(settings, sessions, engine, sender, fake_slack, client) -> Iterator[SimpleNamespace]:
    """The app, with admins and managers known to Slack alone: a Slack admin, and the manager group."""
    fake_slack.add_user(SLACK_ADMIN, is_admin=True)
    fake_slack.add_usergroup(MANAGER_GROUP, [MANAGER])
    reading = settings.model_copy(
        update={"slack_admins": True, "managers": frozenset(), "manager_group": MANAGER_GROUP}
    )
    with serving_app(reading, sessions, engine, sender=sender) as url:  # no client: the app makes its own
        app = SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())
        app.command("/pulse", "help", user=MANAGER)  # the app has met Slack (auth.test) before the test
        yield SimpleNamespace(app=app, fake=fake_slack, sessions=sessions, client=client, settings=settings)


def _make_slack_slow(fake_slack, method: str | None) -> None:
    if method == "all slow":
        fake_slack.latency = 2.0
    elif method is not None:
        fake_slack.throttle_for(method, seconds=RETRY_AFTER, retry_after=RETRY_AFTER)


def _too_late(method: str | None, rights_from: frozenset[str]) -> bool:
    """Whether Slack cannot say in time what the person's rights hang on."""
    return bool(rights_from) and (method == "all slow" or method in rights_from)


def _methods_used(fake_slack) -> set[str]:
    return {call.method.split(":")[0] for call in fake_slack.calls} - {"response_url", "auth.test", "upload"}


def _cases(table: dict) -> list[tuple[str, str | None]]:
    """Each case with nothing slow, with each of its Slack methods throttled in turn, and all slow."""
    return [(name, method) for name, case in table.items() for method in (None, *case.methods, *SLOW_AT)]


# --- opening a modal ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opener:
    prepare: Callable[[SimpleNamespace], Callable[[], Reply]]  # sets the scene; returns the request
    methods: tuple[str, ...]  # every Slack method it may call, up to the modal
    rights_from: frozenset[str] = (
        frozenset()
    )  # what the rights hang on when pulsebot's own lists are not enough
    told_by: str = "reply"  # "dm" where a person who sees no modal reads why by DM (App Home)


def _command(text: str, user: str, *, team: bool = True):
    def prepare(world: SimpleNamespace) -> Callable[[], Reply]:
        if team:
            team_with_a_closed_week(world.sessions)
        return lambda: world.app.command("/pulse", text, user=user)

    return prepare


def _plan_in_digest(world: SimpleNamespace) -> Callable[[], Reply]:
    team_with_a_closed_week(world.sessions)
    return lambda: world.app.click(
        action_id="action_plan", value="team-pulse", user=SLACK_ADMIN, channel="D0ADMIN"
    )


def _plan_in_home(world: SimpleNamespace) -> Callable[[], Reply]:
    team_with_a_closed_week(world.sessions)
    return lambda: click_in_home(world.app, action_id="action_plan", value="team-pulse")


def _drop_in_home(user: str):
    def prepare(world: SimpleNamespace) -> Callable[[], Reply]:
        action_id = _planned_by_the_manager(world)
        return lambda: choose_in_home(world.app, value=f"{action_id}:dropped", user=user)

    return prepare


def _comment_button(world: SimpleNamespace) -> Callable[[], Reply]:
    send_retro(world.sessions, world.client, world.settings)
    (post,) = world.fake.calls_to("chat.postMessage")
    button = post["blocks"][3]["elements"][0]
    return lambda: world.app.click(
        action_id=button["action_id"], value=button["value"], user=TEAM[0], channel=PULSE_CHANNEL
    )


def _planned_by_the_manager(world: SimpleNamespace) -> int:
    team_with_a_closed_week(world.sessions)
    assert submit_plan(world.app).body == ""
    world.fake.wait_for("chat.postMessage", 2)
    (action,) = stored(world.sessions)
    return action.id


ADMIN_RIGHTS = frozenset({"users.info"})  # whether the person runs the Slack workspace
PLAN_METHODS = ("users.info", "usergroups.users.list", "views.open")
OPENERS = {
    "/pulse new, a Slack admin": Opener(
        _command("new", SLACK_ADMIN, team=False), ("users.info", "views.open"), ADMIN_RIGHTS
    ),
    "/pulse edit, a Slack admin": Opener(
        _command("edit team-pulse", SLACK_ADMIN), ("users.info", "views.open"), ADMIN_RIGHTS
    ),
    "/pulse action, a Slack admin": Opener(
        _command("action team-pulse", SLACK_ADMIN), PLAN_METHODS, ADMIN_RIGHTS
    ),
    "/pulse action, the team's manager": Opener(_command("action team-pulse", MANAGER), PLAN_METHODS),
    "Plan an action in a digest, a Slack admin": Opener(_plan_in_digest, PLAN_METHODS, ADMIN_RIGHTS),
    "Plan an action in App Home, the team's manager": Opener(_plan_in_home, PLAN_METHODS, told_by="dm"),
    "Drop… in App Home, the team's manager": Opener(_drop_in_home(MANAGER), PLAN_METHODS, told_by="dm"),
    "Drop… in App Home, a Slack admin": Opener(_drop_in_home(SLACK_ADMIN), PLAN_METHODS, ADMIN_RIGHTS, "dm"),
    # An admin may not answer a team whose results they see: the form opens all the same, and the comment
    # waits for Slack's word (tests/listeners/test_throttled_forms.py).
    "a pulse's comment button, a member": Opener(_comment_button, ("users.info", "views.open")),
}


def _told(world: SimpleNamespace, opener: Opener, reply: Reply) -> str | None:
    """What the person read instead of a modal: in the command's answer, through the response URL, or
    (App Home has neither) by DM."""
    said = world.fake.calls_to("response_url")
    posts = world.fake.calls_to("chat.postMessage") if opener.told_by == "dm" else []
    return reply.text or (said and said[-1]["text"]) or (posts and posts[-1]["text"]) or None


def _first_answer(world: SimpleNamespace, watch: Stopwatch, reply_at: float, reply: Reply) -> float:
    """Seconds from the click to the first thing the person could see: the modal (when its call reached
    Slack, which is when Slack judges the trigger), or the words saying why there is none."""
    waited = Stopwatch()
    while not (world.fake.calls_to("views.open") or world.fake.calls_to("response_url") or reply.text):
        if world.fake.calls_to("chat.postMessage"):  # App Home: told by DM
            break
        assert waited.seconds < 10, "neither opened nor told"
        time.sleep(0.05)
    moments = [
        *world.fake.arrivals("views.open"),
        *world.fake.arrivals("response_url"),
        *world.fake.arrivals("chat.postMessage"),
    ]
    if reply.text:
        moments.append(reply_at)
    return min(moments) - watch.started


@pytest.mark.parametrize(("opener", "method"), _cases(OPENERS))
def test_a_modal_that_needs_rights_opens_while_its_trigger_lives_or_the_person_is_told_why_not(
    world, opener, method
):
    case = OPENERS[opener]
    request = case.prepare(world)  # with Slack answering as usual
    world.fake.reset_calls()
    _make_slack_slow(world.fake, method)
    watch = Stopwatch()

    reply = request()

    reply_at = time.monotonic()
    assert reply.status == 200 and reply_at - watch.started < limits.ACK_SECONDS
    assert _first_answer(world, watch, reply_at, reply) < limits.TRIGGER_SECONDS
    if method is None:
        assert _methods_used(world.fake) <= set(case.methods), "a Slack method this case does not throttle"
    time.sleep(RETRY_AFTER + 0.5)  # past the Retry-After (and the latency): a late retry would show by now
    opened, told = world.fake.calls_to("views.open"), _told(world, case, reply)
    if _too_late(method, case.rights_from):
        assert told is not None and told.startswith(BUSY_RIGHTS) and opened == []
    elif method == "views.open":
        assert told == BUSY and opened == []
    else:
        assert len(opened) == 1 and opened[0]["view"]["type"] == "modal" and told is None


# --- answering a form (and `/pulse digest`) -------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    prepare: Callable[[SimpleNamespace], Callable[[], Reply]]  # sets the scene; returns the submission
    written: Callable[[SimpleNamespace], int]  # the rows it writes
    heard: str  # the Slack method by which the person hears how it went, once it went
    methods: tuple[str, ...]  # every Slack method it may call, before the ack and after
    rights_from: frozenset[str] = frozenset()
    # When Slack cannot say in time: "busy" (the form stays open, nothing written) or "after the ack"
    # (checked then, the outcome told).
    when_late: str = "after the ack"


def _survey_form(world: SimpleNamespace) -> Callable[[], Reply]:
    view = survey_form()
    values = state_of(view, name="new-team", channel=PULSE_CHANNEL, q1_kind="scale", q1_prompt="All good?")
    return lambda: world.app.submit(callback_id=view["callback_id"], values=values, user=SLACK_ADMIN)


def _new_surveys(world: SimpleNamespace) -> int:
    with world.sessions() as session:
        return len(session.exec(select(Survey).where(Survey.name == "new-team")).all())


def _plan_form(user: str):
    def prepare(world: SimpleNamespace) -> Callable[[], Reply]:
        team_with_a_closed_week(world.sessions)
        return lambda: submit_plan(world.app, user=user)

    return prepare


def _drop_form(user: str):
    def prepare(world: SimpleNamespace) -> Callable[[], Reply]:
        action_id = _planned_by_the_manager(world)
        return lambda: drop(world.app, action_id=action_id, reason="Not needed after all", user=user)

    return prepare


def _dropped(world: SimpleNamespace) -> int:
    return sum(action.status is ActionStatus.dropped for action in stored(world.sessions))


def _digest_asked(world: SimpleNamespace) -> int:
    with world.sessions() as session:
        asked = select(AuditEntry).where(AuditEntry.action == AuditAction.digest_requested)
        return len(session.exec(asked).all())


DROP_METHODS = ("users.info", "usergroups.users.list", "chat.postMessage", "chat.update", "views.publish")
FORMS = {
    "the survey form, a Slack admin": Form(
        _survey_form,
        _new_surveys,
        "chat.postMessage",
        ("users.info", "chat.postMessage"),
        ADMIN_RIGHTS,
        "busy",
    ),
    "the planning form, a Slack admin": Form(
        _plan_form(SLACK_ADMIN),
        lambda world: len(stored(world.sessions)),
        "chat.postMessage",
        ("users.info", "chat.postMessage"),
        ADMIN_RIGHTS,
    ),
    "the planning form, the team's manager": Form(
        _plan_form(MANAGER),
        lambda world: len(stored(world.sessions)),
        "chat.postMessage",
        ("users.info", "chat.postMessage"),
    ),
    "the drop form, the team's manager": Form(_drop_form(MANAGER), _dropped, "views.publish", DROP_METHODS),
    "the drop form, a Slack admin": Form(
        _drop_form(SLACK_ADMIN), _dropped, "views.publish", DROP_METHODS, ADMIN_RIGHTS, "busy"
    ),
    "/pulse digest, a Slack admin": Form(
        _command("digest", SLACK_ADMIN),
        _digest_asked,
        "chat.postMessage",
        ("users.info", "chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"),
        ADMIN_RIGHTS,
    ),
}


@pytest.mark.parametrize(("form", "method"), _cases(FORMS))
def test_a_form_that_needs_rights_is_answered_in_time_and_written_once_or_the_person_told_slack_is_busy(
    world, form, method
):
    case = FORMS[form]
    submit = case.prepare(world)  # with Slack answering as usual
    world.fake.reset_calls()
    _make_slack_slow(world.fake, method)
    watch = Stopwatch()

    reply = submit()

    assert reply.status == 200 and watch.seconds < limits.ACK_SECONDS
    busy = _too_late(method, case.rights_from) and case.when_late == "busy"
    if busy:  # the form stays open, with what was typed, and says why
        assert BUSY_RIGHTS in reply.body
    elif form.startswith("/pulse digest"):
        assert (
            reply.text == ASKING_SLACK
            if _too_late(method, case.rights_from)
            else reply.text.startswith("Sending")
        )
    else:
        assert reply.body == ""  # closed
    if not busy:
        world.fake.wait_for(case.heard, timeout=20)  # the person hears how it went
    if method is None:
        assert _methods_used(world.fake) <= set(case.methods), "a Slack method this case does not throttle"
    time.sleep(RETRY_AFTER + 0.5)  # past the Retry-After: nothing is written late, or twice
    assert case.written(world) == (0 if busy else 1)
