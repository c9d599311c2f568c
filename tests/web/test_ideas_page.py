"""The Ideas page: the workspace's ideas board with its votes and filters for everyone signed in, and
moving an idea through the workflow for managers and admins, with the Slack path's rules; its author
hears of it from Slack, as when it is moved there."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.idea.ideas import post_idea, toggle_vote
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry, Idea, IdeaNotice, IdeaStatus
from pulsebot.store.scoping import scoped_sessions
from tests.conftest import ADMIN, ANON_KEY, IDEAS_CHANNEL, MANAGER, PINNED_NOW, TEAM
from tests.installing import ACME, GLOBEX
from tests.web.steps import csrf_token, sign_in, text_of
from tests.web.team_data import HOSTILE
from tests.web.test_web_attacks import two_workspaces  # noqa: F401  (a fixture)

pytestmark = pytest.mark.clock
KEY = ANON_KEY.encode()
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
ALICE, BOB, CAROL, DAVE, ERIN = TEAM


def post(sessions, text, *, user, days_ago, votes=(), **details) -> int:
    with transaction(sessions) as session:
        idea = post_idea(
            session, user_id=user, text=text, key=KEY, now=PINNED_NOW - timedelta(days=days_ago), **details
        )
        for voter in votes:
            toggle_vote(session, idea_id=idea.id, user_id=voter, key=KEY)
    return idea.id


@pytest.fixture
def ideas(sessions) -> dict[str, int]:
    return {
        "refunds": post(sessions, "Refunds in one click", user=ALICE, days_ago=5, votes=(BOB, CAROL, DAVE)),
        "quiet": post(
            sessions,
            "A quieter on-call rota",
            user=BOB,
            days_ago=3,
            votes=(ALICE,),
            anonymous=True,
            category="support",
            stage="support",
        ),
        "hostile": post(sessions, HOSTILE, user=CAROL, days_ago=1, category="billing", stage="renewal"),
    }


def listed(page) -> list[int]:
    return [int(found) for found in re.findall(r'<li id="idea-(\d+)">', text_of(page))]


def status_of(sessions, idea_id: int) -> IdeaStatus:
    with transaction(sessions) as session:
        return session.get(Idea, idea_id).status


def move(
    visitor, idea_id: int, status: str, *, reason: str = "", token: str | None = None, headers=SAME_ORIGIN
):
    if token is None:
        token = csrf_token(text_of(visitor.get("/ideas")))
    form = {"status": status, "reason": reason, **({"csrf_token": token} if token else {})}
    return visitor.post(f"/ideas/{idea_id}/status", data=form, headers=headers)


def refusals(sessions) -> list[AuditEntry]:
    with transaction(sessions) as session:
        return list(
            session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
        )


def test_the_board_shows_authors_as_the_cards_do_and_votes_only_as_counts(visitor, fake_slack, ideas):
    sign_in(visitor, fake_slack, ERIN)

    page = visitor.get("/ideas")

    body = html.unescape(text_of(page))
    assert page.status_code == 200 and listed(page) == [ideas["hostile"], ideas["quiet"], ideas["refunds"]]
    assert f"from {ALICE}" in body and "3 votes" in body and "1 vote" in body and "0 votes" in body
    quiet = body.split(f'id="idea-{ideas["quiet"]}"')[1].split("</li>")[0]
    assert "from a colleague (anonymous)" in quiet and BOB not in body  # its author, who also voted
    assert DAVE not in body  # who voted is never shown
    assert HOSTILE not in text_of(page) and "<script" not in text_of(page)
    assert 'action="/ideas/' not in body  # a member has no form to move an idea


def test_filters_choose_by_status_category_and_stage_and_order_by_votes(visitor, fake_slack, sessions, ideas):
    sign_in(visitor, fake_slack, ERIN)
    with transaction(sessions) as session:
        session.get(Idea, ideas["refunds"]).status = IdeaStatus.planned

    assert listed(visitor.get("/ideas?status=planned")) == [ideas["refunds"]]
    assert listed(visitor.get("/ideas?category=support")) == [ideas["quiet"]]
    assert listed(visitor.get("/ideas?stage=renewal")) == [ideas["hostile"]]
    assert listed(visitor.get("/ideas?status=new&category=billing&stage=support")) == []
    assert listed(visitor.get("/ideas?order=votes")) == [ideas["refunds"], ideas["quiet"], ideas["hostile"]]
    assert listed(visitor.get("/ideas?status=&category=&stage=&order=")) == listed(visitor.get("/ideas"))


def test_an_unknown_filter_value_is_named_on_the_page_not_an_error_page(visitor, fake_slack, ideas):
    sign_in(visitor, fake_slack, ERIN)

    page = visitor.get("/ideas", query_string={"status": "shipped<b>", "stage": "moon", "order": "random"})

    body = html.unescape(text_of(page))
    assert page.status_code == 400 and listed(page) == []
    assert "Those filters could not be used" in body
    assert "“shipped<b>” is not one of the statuses: New, Under review, Planned, Done, Declined." in body
    assert "“moon” is not one of the journey stages" in body and "“random” is not one of the orders" in body
    assert "<b>" not in text_of(page)
    assert 'id="filter-status" name="status" aria-invalid="true"' in text_of(page)


def test_a_managers_move_follows_the_slack_rules_and_its_author_hears_from_slack(
    visitor, fake_slack, sessions, ideas, jobs_runtime
):
    sign_in(visitor, fake_slack, MANAGER)

    undeclared = move(visitor, ideas["refunds"], "declined")
    assert undeclared.status_code == 422 and status_of(sessions, ideas["refunds"]) is IdeaStatus.new
    assert "Declining #1 needs a reason its author can read" in html.unescape(text_of(undeclared))
    backwards = move(visitor, ideas["refunds"], "new")
    assert backwards.status_code == 422 and "is already New" in text_of(backwards)

    moved = move(visitor, ideas["refunds"], "planned", reason="In the Q3 plan")
    assert moved.status_code == 303 and moved.headers["Location"].endswith(
        f"/ideas?moved=1#idea-{ideas['refunds']}"
    )
    assert status_of(sessions, ideas["refunds"]) is IdeaStatus.planned
    assert "Idea #1 was moved" in text_of(visitor.get(moved.headers["Location"]))
    assert fake_slack.calls_to("chat.postMessage") == []  # the dashboard posts nothing itself

    scheduling.tell_idea_notices()

    (dm,) = fake_slack.calls_to("chat.postMessage")
    assert dm["channel"] == ALICE
    assert dm["text"].startswith(f"Your idea #1 was moved to *Planned* by <@{MANAGER}>.")
    assert "In the Q3 plan" in dm["text"]
    with transaction(sessions) as session:
        assert session.exec(select(IdeaNotice)).all() == []  # told once
    scheduling.tell_idea_notices()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_an_anonymous_ideas_author_hears_without_being_named_and_a_shipped_idea_is_posted(
    visitor, fake_slack, sessions, ideas, jobs_runtime
):
    sign_in(visitor, fake_slack, MANAGER)

    assert move(visitor, ideas["quiet"], "done").status_code == 303
    scheduling.tell_idea_notices()

    posts = {post["channel"]: post["text"] for post in fake_slack.calls_to("chat.postMessage")}
    assert posts[BOB].startswith("Your anonymous idea #2 was moved to *Done*")
    assert "only you got this message" in posts[BOB]
    assert "suggested by a colleague" in posts[IDEAS_CHANNEL] and BOB not in posts[IDEAS_CHANNEL]


def test_a_member_cannot_move_an_idea_and_only_an_admin_reopens_one(visitor, fake_slack, sessions, ideas):
    sign_in(visitor, fake_slack, ERIN)
    token = csrf_token(text_of(visitor.get("/")))

    refused = move(visitor, ideas["refunds"], "planned", token=token)

    assert refused.status_code == 403 and "Only managers and admins" in html.unescape(text_of(refused))
    assert status_of(sessions, ideas["refunds"]) is IdeaStatus.new
    with transaction(sessions) as session:
        session.get(Idea, ideas["quiet"]).status = IdeaStatus.declined
    manager = visitor.application.test_client()
    sign_in(manager, fake_slack, MANAGER)
    assert f'action="/ideas/{ideas["quiet"]}/status"' not in text_of(manager.get("/ideas"))
    assert move(manager, ideas["quiet"], "under_review").status_code == 403
    admin = visitor.application.test_client()
    sign_in(admin, fake_slack, ADMIN)
    assert move(admin, ideas["quiet"], "under_review").status_code == 303
    assert status_of(sessions, ideas["quiet"]) is IdeaStatus.under_review
    assert [entry.actor for entry in refusals(sessions)] == [ERIN, MANAGER]


def test_a_move_without_the_csrf_token_or_from_another_site_is_refused(visitor, fake_slack, sessions, ideas):
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/ideas")))

    without = move(visitor, ideas["refunds"], "planned", token="")
    forged = move(visitor, ideas["refunds"], "planned", token="not-the-token")
    cross_site = move(
        visitor, ideas["refunds"], "planned", token=token, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert [without.status_code, forged.status_code, cross_site.status_code] == [403, 403, 403]
    assert "sent from another site" in text_of(cross_site)
    assert status_of(sessions, ideas["refunds"]) is IdeaStatus.new
    with transaction(sessions) as session:
        assert session.exec(select(IdeaNotice)).all() == []


def test_another_workspaces_idea_is_not_found_and_the_attempt_is_audited(
    two_workspaces,  # noqa: F811
    fake_slack,
    sessions,
):
    two_workspaces.extensions["pulsebot"].settings = two_workspaces.extensions[
        "pulsebot"
    ].settings.model_copy(update={"managers": frozenset({MANAGER})})
    globex_idea = post(scoped_sessions(sessions, GLOBEX), "Globex's secret plan", user=ALICE, days_ago=1)
    acme = two_workspaces.test_client()
    sign_in(acme, fake_slack, MANAGER, team=ACME)

    assert "Globex" not in text_of(acme.get("/ideas"))
    refused = move(acme, globex_idea, "planned")

    assert refused.status_code == 404 and "Globex" not in text_of(refused)
    assert status_of(scoped_sessions(sessions, GLOBEX), globex_idea) is IdeaStatus.new
    assert [(entry.team_id, entry.actor, entry.scope) for entry in refusals(sessions)] == [
        (ACME, MANAGER, "ideas")
    ]
