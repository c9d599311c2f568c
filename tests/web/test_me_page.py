"""The Me page: what a person's team channel was told (the weeks of results shared, what the team will do,
"You said, we did"), what pulsebot keeps tied to them, and forget-me from the web, which removes what
`/pulse forget-me` and `pulsebot forget` remove."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.digest import digest_text as words
from pulsebot.services.idea.ideas import post_idea, toggle_vote
from pulsebot.services.loop.sharing import last_complete_week, summary_of
from pulsebot.services.onboarding.exits import start_exit
from pulsebot.services.people.languages import choose_language
from pulsebot.store.db import transaction
from pulsebot.store.models import (
    ActionStatus,
    FocusKind,
    Idea,
    IdeaNotice,
    IdeaStatus,
    Person,
    ResultsShare,
    Survey,
    TeamAction,
)
from tests.conftest import ANON_KEY, MANAGER, PINNED_NOW
from tests.listeners.commands.test_forget_me import LEAVER, assert_forgotten, leaver_s_traces
from tests.web.steps import COOKIE, csrf_token, sign_in, text_of
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock
KEY = ANON_KEY.encode()
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
OUTSIDER = "U0OUTSIDER"


def action(
    survey_id: int, text: str, *, status=ActionStatus.planned, visible=True, finished=None
) -> TeamAction:
    return TeamAction(
        survey_id=survey_id,
        focus_kind=FocusKind.question,
        focus_key="workload",
        focus_label="Workload",
        text=text,
        owner_id=MANAGER,
        due_on=(PINNED_NOW + timedelta(days=20)).date(),
        visible=visible,
        status=status,
        created_by=MANAGER,
        started_on=(PINNED_NOW - timedelta(days=30)).date(),
        created_at=PINNED_NOW - timedelta(days=30),
        updated_at=PINNED_NOW - timedelta(days=2),
        finished_at=finished,
    )


@pytest.fixture
def told_team(sessions):
    """A team with weeks of pulses, its last week shared with the comments, an action shared and open, one
    done and one kept to the managers; and an idea shipped."""
    members = team_with_weeks(sessions, now=PINNED_NOW)
    with transaction(sessions) as session:
        survey = session.exec(select(Survey)).one()
        week = last_complete_week(survey, now=PINNED_NOW)
        session.add(
            ResultsShare(
                survey_id=survey.id,
                week=week,
                shared_at=PINNED_NOW - timedelta(days=1),
                shared_by=MANAGER,
                with_comments=True,
                channel_id="G0PULSE",
                message_ts="1700000000.1",
            )
        )
        session.add(action(survey.id, "Weekly backlog triage"))
        session.add(
            action(
                survey.id,
                "No-meeting Fridays",
                status=ActionStatus.done,
                finished=PINNED_NOW - timedelta(days=4),
            )
        )
        session.add(action(survey.id, "Talk to HR about Carol", visible=False))
        idea = post_idea(
            session,
            user_id=members[3],
            text="Refunds in one click",
            key=KEY,
            now=PINNED_NOW - timedelta(days=9),
        )
    with transaction(sessions) as session:
        survey = session.exec(select(Survey)).one()
        shipped = session.get(Idea, idea.id)
        shipped.status, shipped.updated_at = IdeaStatus.done, PINNED_NOW - timedelta(days=3)
        summary = summary_of(session, survey=survey, week=week, now=PINNED_NOW, min_group=5, weeks=12)
    return members, summary


def test_a_member_sees_what_their_team_was_told_and_nothing_kept_to_the_managers(
    visitor, fake_slack, told_team
):
    members, summary = told_team
    sign_in(visitor, fake_slack, members[2])

    page = visitor.get("/me")

    body = html.unescape(text_of(page))
    assert page.status_code == 200 and len(summary.headline()) >= 3
    assert f"Week of {words.week_label(summary.week)}" in body and "shared by a manager" in body
    for label, value in summary.headline():
        if value != "–":
            assert f"<dt>{label}</dt><dd>{value}</dd>" in body
    assert "It quoted some of the week's comments: they are in the channel's post." in body
    assert "Meetings are too long" not in body  # the comments themselves are not repeated
    assert "Weekly backlog triage" in body and "“No-meeting Fridays”, for your answers to “Workload”" in body
    assert "“Refunds in one click”, for idea #1, 0 votes" in body
    assert "Talk to HR about Carol" not in body  # kept to the managers


def test_someone_not_in_a_team_sees_no_teams_figures(visitor, fake_slack, told_team):
    sign_in(visitor, fake_slack, OUTSIDER)

    body = html.unescape(text_of(visitor.get("/me")))

    assert "there is no team's channel to show here" in body
    assert "Weekly team pulse" not in body and "Weekly backlog triage" not in body
    assert "Refunds in one click" in body  # a shipped idea is the whole workspace's news


def test_my_privacy_counts_what_is_kept_and_says_answers_are_not_linked(
    visitor, fake_slack, sessions, told_team
):
    members, _ = told_team
    me = members[0]
    with transaction(sessions) as session:
        other = post_idea(session, user_id=members[1], text="Shorter stand-ups", key=KEY, now=PINNED_NOW)
        toggle_vote(session, idea_id=other.id, user_id=me, key=KEY)
        post_idea(session, user_id=me, text="Signed", key=KEY, now=PINNED_NOW)
        post_idea(session, user_id=me, text="Quiet", key=KEY, now=PINNED_NOW, anonymous=True)
        session.add(
            Person(user_id=me, department="Support", site="Lisbon", updated_at=PINNED_NOW, source="csv")
        )
        choose_language(session, user_id=me, language="fr")
        start_exit(session, user_id=me, now=PINNED_NOW)
    sign_in(visitor, fake_slack, me)

    body = html.unescape(text_of(visitor.get("/me")))

    assert "<dt>Pulses sent to you</dt><dd>6 records of who was asked and whether they answered</dd>" in body
    assert "<dt>Your votes on ideas</dt><dd>1 vote, each under a code of you and the idea</dd>" in body
    assert "2 ideas, 1 of them anonymous" in body
    assert "<dt>HR attributes (from HR's export)</dt><dd>department Support, site Lisbon</dd>" in body
    assert "<dt>The language you chose for your pulses</dt><dd>Français (/pulse language auto" in body
    assert "<dt>Your exit survey</dt><dd>1 survey, with your answers and your name: not anonymous" in body
    assert "Onboarding pulses" not in body  # not a new joiner: nothing says such a thing exists
    assert "Your answers and comments are not here, and cannot be." in body
    assert "Meetings are too long" not in body  # their own comment is not shown to them either


def test_forget_me_from_the_web_asks_first_then_removes_what_the_cli_removes(
    visitor, fake_slack, sessions, jobs_runtime
):
    ideas = leaver_s_traces(sessions)
    sign_in(visitor, fake_slack, LEAVER)
    question = visitor.get("/me/forget")
    assert question.status_code == 200 and "This cannot be undone." in text_of(question)
    token = csrf_token(text_of(question))

    unconfirmed = visitor.post("/me/forget", data={"csrf_token": token}, headers=SAME_ORIGIN)
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"].endswith("/me/forget")
    refused = visitor.post("/me/forget", data={"confirm": "forget"}, headers=SAME_ORIGIN)
    cross_site = visitor.post(
        "/me/forget",
        data={"csrf_token": token, "confirm": "forget"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert refused.status_code == 403 and cross_site.status_code == 403
    with transaction(sessions) as session:
        assert session.exec(select(IdeaNotice)).all() == []  # nothing done yet

    done = visitor.post("/me/forget", data={"csrf_token": token, "confirm": "forget"}, headers=SAME_ORIGIN)

    body = html.unescape(text_of(done))
    assert done.status_code == 200 and "pulsebot has forgotten you" in body
    assert (
        "Deleted 2 records of pulses sent to you" in body
        and "2 ideas of yours no longer linked to you" in body
    )
    assert visitor.get_cookie(COOKIE) is None and visitor.get("/me").status_code == 302  # signed out
    assert_forgotten(sessions, ideas)  # as `/pulse forget-me` and `pulsebot forget` leave it
    scheduling.tell_idea_notices()
    card = fake_slack.wait_for("chat.update")[-1]  # the signed idea's card no longer names them
    assert (
        card["ts"] == "100.1" and LEAVER not in str(card["blocks"]) and "a colleague" in str(card["blocks"])
    )
    assert len(fake_slack.calls_to("chat.update")) == 1  # the anonymous idea's card is left alone
