""" "Is this helping?" on a shared action: the team answers anonymously in its channel, the answers
wait in the mixing window like pulse answers, and once the round closes only its counts stay — and
only when at least the minimum group answered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from pulsebot.services.privacy.anonymity import helping_token
from pulsebot.store.models import (
    ActionCheck,
    ActionCheckAnswer,
    ActionStatus,
    FocusKind,
    PulseRun,
    Survey,
    TeamAction,
)
from tests.attacks.database_reader import page_order
from tests.conftest import ANON_KEY
from tests.crowd import CROWD, CROWD_CHANNEL
from tests.listeners.test_retries import RETRY
from tests.loop.steps import run_job
from tests.stored_bytes import where_found

pytestmark = pytest.mark.clock

KEY = ANON_KEY.encode()
OWNER = "U0OWNER"


def shared_action(sessions, *, status=ActionStatus.in_progress, visible=True) -> int:
    now = datetime.now(UTC)
    with sessions() as session:
        survey = session.exec(select(Survey).where(Survey.name == "crowd-pulse")).one()
        action = TeamAction(
            survey_id=survey.id,
            focus_kind=FocusKind.question,
            focus_key="workload",
            focus_label="My workload this week was manageable.",
            text="Weekly backlog triage",
            owner_id=OWNER,
            due_on=date.today() + timedelta(days=30),
            visible=visible,
            status=status,
            created_by="U0BOSS",
            started_on=date.today(),
            created_at=now,
            updated_at=now,
        )
        session.add(action)
        session.commit()
        return action.id


def run_sweep(client, sessions, settings, *, at: datetime) -> None:
    run_job("ask_if_actions_help", at=at, client=client, sessions=sessions, settings=settings)


def helping_posts(fake_slack) -> list[dict]:
    return [post for post in fake_slack.posts_to(CROWD_CHANNEL) if "Is this helping?" in post["text"]]


def answer(crowd, check_id: int, user: str, choice: str):
    return crowd.slack.click(
        action_id=f"action_helping_{choice}", value=f"{check_id}:{choice}", user=user, channel=CROWD_CHANNEL
    )


def test_the_team_answers_anonymously_and_only_the_counts_stay(
    crowd, client, sessions, settings, fake_slack, engine
):
    action_id = shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    (post,) = helping_posts(fake_slack)
    assert "Weekly backlog triage" in post["text"] and f"<@{OWNER}>" in post["text"]
    buttons = [element["action_id"] for element in post["blocks"][1]["elements"]]
    assert buttons == ["action_helping_yes", "action_helping_not_yet", "action_helping_no"]
    with sessions() as session:
        check = session.exec(select(ActionCheck).where(ActionCheck.action_id == action_id)).one()
        assert check.message_ts is not None and check.secret is not None
        check_id, secret = check.id, check.secret

    choices = ["yes", "yes", "yes", "not_yet", "no", "yes"]
    for person, choice in zip(CROWD, choices, strict=False):
        answer(crowd, check_id, person, choice)
    # A person's second click comes after their first was taken, as it does in Slack; two clicks sent
    # at once could be queued in either order.
    crowd.wait_pending(len(choices))
    answer(crowd, check_id, CROWD[5], "not_yet")  # changed: counted once, as the last answer
    crowd.wait_pending(7)
    with sessions() as session:  # nothing is written before the window closes
        assert session.exec(select(ActionCheckAnswer)).all() == []
    crowd.mixer.flush()
    thanks = fake_slack.wait_for("response_url", 7)
    assert any("changed to “Not yet”" in reply["text"] for reply in thanks)
    with sessions() as session:
        rows = session.exec(select(ActionCheckAnswer)).all()
    assert len(rows) == 6
    tokens = {helping_token(KEY, secret, check_id=check_id, user_id=person) for person in CROWD[:6]}
    assert {row.respondent for row in rows} == tokens
    assert not any(person in row.respondent for row in rows for person in CROWD)

    # A second sweep asks nothing again; the round closes after its days.
    run_sweep(client, sessions, settings, at=now + timedelta(days=1))
    assert len(helping_posts(fake_slack)) == 1
    run_sweep(client, sessions, settings, at=now + timedelta(days=7, minutes=1))
    (update,) = fake_slack.calls_to("chat.update")
    assert "6 answered: 3 yes, 2 not yet, 1 no" in update["text"]
    assert "action_helping" not in str(update["blocks"])
    with sessions() as session:
        closed = session.get(ActionCheck, check_id)
        assert (closed.answered, closed.yes, closed.not_yet, closed.no) == (6, 3, 2, 1)
        assert closed.secret is None and not closed.withheld
        assert session.exec(select(ActionCheckAnswer)).all() == []
    # Below SQL too: no token and no secret is left in the files for the operator with the key to match.
    for needle in [secret, *tokens]:
        assert where_found(engine, needle, ("action_check_answer", "action_check")) == []

    late = answer(crowd, check_id, CROWD[7], "yes")
    assert late.status == 200
    refusal = fake_slack.wait_for("response_url", 8)[-1]
    assert "closed" in refusal["text"]


def test_a_round_too_few_answered_keeps_nothing(crowd, client, sessions, settings, fake_slack):
    action_id = shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    with sessions() as session:
        check_id = session.exec(select(ActionCheck.id).where(ActionCheck.action_id == action_id)).one()
    for person in CROWD[: settings.min_group - 1]:
        answer(crowd, check_id, person, "no")
    crowd.wait_pending(settings.min_group - 1)
    crowd.mixer.flush()
    run_sweep(client, sessions, settings, at=now + timedelta(days=8))
    (update,) = fake_slack.calls_to("chat.update")
    assert f"Fewer than {settings.min_group} answered, so the answers stay hidden" in update["text"]
    assert "no" not in update["text"].split("hidden")[1]
    with sessions() as session:
        closed = session.get(ActionCheck, check_id)
        assert closed.withheld
        assert (closed.answered, closed.yes, closed.not_yet, closed.no) == (None, None, None, None)
        assert session.exec(select(ActionCheckAnswer)).all() == []


def test_only_the_team_answers(crowd, client, sessions, settings, fake_slack):
    action_id = shared_action(sessions)
    run_sweep(client, sessions, settings, at=datetime.now(UTC))
    with sessions() as session:
        check_id = session.exec(select(ActionCheck.id).where(ActionCheck.action_id == action_id)).one()
    answer(crowd, check_id, "U0OUTSIDER", "yes")
    crowd.slack.click(  # a forged value behind a real button
        action_id="action_helping_yes", value=f"{check_id}:maybe", user=CROWD[0], channel=CROWD_CHANNEL
    )
    replies = fake_slack.wait_for("response_url", 2)
    assert any("Only the team this action is for" in reply["text"] for reply in replies)
    assert any("not one pulsebot recognises" in reply["text"] for reply in replies)
    assert crowd.mixer.pending() == 0


@pytest.mark.parametrize(
    ("status", "visible", "asked"),
    [
        (ActionStatus.planned, True, []),
        (ActionStatus.in_progress, False, []),
        (ActionStatus.dropped, True, []),
        (ActionStatus.done, True, ["Did it help?"]),
    ],
)
def test_who_is_asked_and_when(crowd, client, sessions, settings, fake_slack, status, visible, asked):
    shared_action(sessions, status=status, visible=visible)
    run_sweep(client, sessions, settings, at=datetime.now(UTC))
    posts = [
        p["text"].split("?")[0] + "?"
        for p in fake_slack.posts_to(CROWD_CHANNEL)
        if "action_helping" in str(p)
    ]
    assert posts == asked


def test_starting_then_finishing_asks_twice_separately(crowd, client, sessions, settings, fake_slack):
    action_id = shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    with sessions() as session:
        action = session.get(TeamAction, action_id)
        action.status = ActionStatus.done
        session.add(action)
        session.commit()
    run_sweep(client, sessions, settings, at=now + timedelta(days=2))
    with sessions() as session:
        rounds = session.exec(select(ActionCheck).order_by(ActionCheck.id)).all()
    assert [r.for_status for r in rounds] == [ActionStatus.in_progress, ActionStatus.done]
    assert len({r.secret for r in rounds}) == 2  # a separate key: the two rounds' answers do not link


def test_the_rows_say_nothing_of_who_clicked_when(crowd, client, sessions, settings, fake_slack, engine):
    """Attack: a colleague saw the order people clicked in and reads the database. The window's rows share
    one transaction id and lie in random order, so the order of clicks cannot be lined up with them."""
    action_id = shared_action(sessions)
    run_sweep(client, sessions, settings, at=datetime.now(UTC))
    with sessions() as session:
        check = session.exec(select(ActionCheck).where(ActionCheck.action_id == action_id)).one()
        check_id, secret = check.id, check.secret
    for number, person in enumerate(CROWD):
        answer(crowd, check_id, person, ("yes", "not_yet", "no")[number % 3])
        crowd.wait_pending(number + 1)
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(CROWD))
    clicked = [helping_token(KEY, secret, check_id=check_id, user_id=person) for person in CROWD]
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text("SELECT ctid::text, xmin::text, respondent FROM action_check_answer")
            ).all()
            assert len({row[1] for row in rows}) == 1
            stored = [row[2] for row in sorted(rows, key=lambda row: page_order(row[0]))]
        else:
            stored = list(
                connection.execute(
                    text("SELECT respondent FROM action_check_answer ORDER BY rowid")
                ).scalars()
            )
    assert sorted(stored) == sorted(clicked)
    assert stored != clicked  # the same order by chance: 1 in 479,001,600


def test_managers_asked_in_the_team_raise_the_round_s_minimum(crowd, client, sessions, settings, fake_slack):
    # `managers_answer: true`: the latest pulse asked one manager too, who knows their own answer. As for
    # the pulse's own figures, a round needs one more answer than the minimum group to be shown.
    with sessions() as session:
        run = session.get(PulseRun, crowd.run.run_id)
        run.managers_asked = 1
        session.add(run)
        session.commit()
    action_id = shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    with sessions() as session:
        check_id = session.exec(select(ActionCheck.id).where(ActionCheck.action_id == action_id)).one()
    for person in CROWD[: settings.min_group]:
        answer(crowd, check_id, person, "yes")
    crowd.wait_pending(settings.min_group)
    crowd.mixer.flush()
    run_sweep(client, sessions, settings, at=now + timedelta(days=8))
    with sessions() as session:
        assert session.get(ActionCheck, check_id).withheld


def every_row(engine) -> dict[str, set[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: {tuple(row) for row in connection.execute(table.select())}
            for table in SQLModel.metadata.sorted_tables
        }


def test_a_click_leaves_no_record_of_itself_and_slack_s_retry_gets_the_same_words(
    crowd, client, sessions, settings, fake_slack, engine
):
    """Attack: a database reader looks for when each person clicked. Like a pulse answer, a click writes
    its answer and nothing else (no `seen_request` row, nothing with a time); Slack's retry of it is
    handled again, writes the same answer again, and is told what the first was told."""
    action_id = shared_action(sessions)
    run_sweep(client, sessions, settings, at=datetime.now(UTC))
    with sessions() as session:
        check_id = session.exec(select(ActionCheck.id).where(ActionCheck.action_id == action_id)).one()
    before = every_row(engine)

    answer(crowd, check_id, CROWD[0], "not_yet")
    crowd.wait_pending(1)
    retry = crowd.slack.post(crowd.slack.last_body, headers=RETRY)  # Slack did not see the ack in time
    crowd.wait_pending(2)
    crowd.mixer.flush()

    assert retry.status == 200
    first, again = (reply["text"] for reply in fake_slack.wait_for("response_url", 2))
    assert again == first and "counted: “Not yet”" in first
    after = every_row(engine)
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"action_check_answer"}
    assert [row[-1] for row in after["action_check_answer"]] == ["not_yet"]
