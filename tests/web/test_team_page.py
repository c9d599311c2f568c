"""A team's page: its digest in a page, for its managers and admins only. The same figures, themes and
quoted comments as the digest, the trend drawn by the digest's chart code as SVG, and an action planned
with the Slack form's rules."""

from __future__ import annotations

import base64
import html
import random
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest.digests import build_digests
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry, TeamAction
from tests.conftest import ADMIN, MANAGER, PINNED_NOW
from tests.pulse_data import alike, make_team, people, run_week, scores
from tests.web.steps import csrf_token, sign_in, text_of
from tests.web.team_data import HOSTILE, team_with_weeks

pytestmark = pytest.mark.clock
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW)


def the_digest(sessions, weeks=12):
    with transaction(sessions) as session:
        digests, _ = build_digests(
            session,
            now=PINNED_NOW,
            min_group=5,
            weeks=weeks,
            survey_names=["team-pulse"],
            rng=random.Random(1),
        )
    return words.as_shown(digests["team-pulse"])


def audit_entries(sessions, action) -> list[AuditEntry]:
    with transaction(sessions) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_the_page_shows_what_the_digest_shows(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)

    page = visitor.get("/team/team-pulse")

    body = html.unescape(text_of(page))
    digest = the_digest(sessions)
    assert page.status_code == 200
    assert digest.summary in body and words.week_label(digest.week) in body
    for label, value in words.headline(digest.figures, 5):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in body
    for question in digest.figures.questions:
        assert words.question_line(question, 5) in body
    assert sorted(re.findall(r"<blockquote>(.*?)</blockquote>", body)) == sorted(digest.comments)
    assert [entry.scope for entry in audit_entries(sessions, AuditAction.web_viewed)] == ["team-pulse"]


def test_what_people_wrote_is_escaped(visitor, fake_slack, team):
    sign_in(visitor, fake_slack, MANAGER)

    body = text_of(visitor.get("/team/team-pulse"))

    assert HOSTILE not in body and "<script" not in body and "<img src=x" not in body
    assert str(escape(HOSTILE)) in body


def test_every_page_has_a_strict_content_security_policy(visitor, fake_slack, team):
    sign_in(visitor, fake_slack, MANAGER)

    for path in ("/", "/team/team-pulse", "/team/nobody", "/signin"):
        policy = visitor.get(path).headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_the_trend_is_the_digests_chart_as_svg_over_up_to_a_year(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)

    for weeks in (12, 26, 52):
        body = text_of(visitor.get(f"/team/team-pulse?weeks={weeks}"))
        svg = base64.b64decode(
            re.search(r'href="data:image/svg\+xml;base64,([^"]+)"', body).group(1)
        ).decode()
        assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg
        assert f"Weekly team pulse: the last {weeks} weeks" in svg
        assert body.count('<th scope="row">') == weeks  # the same weeks as a table, for every reader
    assert '<span aria-current="true">12 weeks</span>' in text_of(visitor.get("/team/team-pulse?weeks=1000"))


def test_each_week_of_the_chart_is_named_by_its_released_figures_and_a_hidden_week_says_why(
    visitor, fake_slack, sessions
):
    make_team(sessions, managers=(MANAGER,), now=PINNED_NOW - timedelta(weeks=60))
    members = people(6, prefix="T")
    for week, answering in ((3, 6), (2, 3), (1, 6)):  # two weeks ago only three answered: hidden
        run_week(
            sessions,
            survey="team-pulse",
            opened=PINNED_NOW - timedelta(weeks=week, days=2),
            audience=members,
            answers=scores(members, alike(3, answering)),
        )
    sign_in(visitor, fake_slack, MANAGER)

    body = html.unescape(text_of(visitor.get("/team/team-pulse")))

    labels = re.findall(
        r'<a class="week" href="#(week-[\d-]+)" aria-label="([^"]+)">\s*<title>([^<]+)</title>', body
    )
    assert len(labels) == 12 and all(label == title for _, label, title in labels)
    rows = dict(re.findall(r'<tr id="(week-[\d-]+)"><th scope="row">[^<]+</th><td>([^<]+)</td>', body))
    for anchor, label, _ in labels:  # each week's label is its row of the table, which its link leads to
        assert label.endswith(": " + rows[anchor])
    shown, hidden, last = (label for _, label, _ in labels[-3:])
    assert "mood 3.0" in shown and "mood 3.0" in last
    assert hidden.endswith("hidden: fewer than 5 answered") and "mood" not in hidden
    assert labels[0][1].endswith(": no pulse")


def test_a_manager_plans_an_action_with_the_slack_forms_rules(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))
    due = (PINNED_NOW + timedelta(days=14)).date().isoformat()

    wrong = visitor.post(
        "/team/team-pulse/actions",
        data={
            "csrf_token": token,
            "focus": "question:nothing",
            "text": "  ",
            "owner": "U0ELSE",
            "due": "2020-01-01",
        },
        headers=SAME_ORIGIN,
    )
    assert wrong.status_code == 422
    body = text_of(wrong)
    for sentence in (
        "Say what will be done.",
        "Choose who owns it from the list.",
        "The due date has passed",
    ):
        assert sentence in html.unescape(body)
    assert "Choose what it is about from the list" in html.unescape(body)
    with transaction(sessions) as session:
        assert session.exec(select(TeamAction)).all() == []

    planned = visitor.post(
        "/team/team-pulse/actions",
        data={
            "csrf_token": token,
            "focus": "question:workload",
            "text": "Weekly backlog triage",
            "owner": MANAGER,
            "due": due,
        },
        headers=SAME_ORIGIN,
    )
    assert planned.status_code == 303 and planned.headers["Location"].endswith("#actions")
    with transaction(sessions) as session:
        (action,) = session.exec(select(TeamAction)).all()
        assert (action.text, action.owner_id, action.created_by, action.visible) == (
            "Weekly backlog triage",
            MANAGER,
            MANAGER,
            False,
        )
    after = html.unescape(text_of(visitor.get(planned.headers["Location"])))
    assert "“Weekly backlog triage” · about My workload this week was manageable." in after
    assert [e.actor for e in audit_entries(sessions, AuditAction.action_created)] == [MANAGER]


def test_a_form_without_the_sessions_token_changes_nothing(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)
    form = {"focus": "question:workload", "text": "Sneaky", "owner": MANAGER, "due": "2027-07-01"}

    for token in (None, "", "not-the-token"):
        data = form if token is None else {**form, "csrf_token": token}
        answer = visitor.post("/team/team-pulse/actions", data=data, headers=SAME_ORIGIN)
        assert answer.status_code == 403 and "security token" in text_of(answer)
    with transaction(sessions) as session:
        assert session.exec(select(TeamAction)).all() == []


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_form_sent_from_another_site_changes_nothing_even_with_the_token(
    visitor, fake_slack, sessions, team, site
):
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))
    form = {
        "csrf_token": token,
        "focus": "question:workload",
        "text": "Sneaky",
        "owner": MANAGER,
        "due": "2027-07-01",
    }

    answer = visitor.post("/team/team-pulse/actions", data=form, headers={"Sec-Fetch-Site": site})

    assert answer.status_code == 403 and "another site" in text_of(answer)
    signout = visitor.post("/auth/signout", data={"csrf_token": token}, headers={"Sec-Fetch-Site": site})
    assert signout.status_code == 403 and visitor.get("/").status_code == 200  # still signed in
    with transaction(sessions) as session:
        assert session.exec(select(TeamAction)).all() == []


def test_another_teams_page_is_not_found_and_the_attempt_is_audited(visitor, fake_slack, sessions, team):
    team_with_weeks(
        sessions, now=PINNED_NOW, name="sales", title="Sales", managers=("U0SALESBOSS",), channel="G0SALES"
    )
    sign_in(visitor, fake_slack, MANAGER)

    page = visitor.get("/team/sales")
    post = visitor.post(
        "/team/sales/actions",
        data={
            "csrf_token": csrf_token(text_of(visitor.get("/"))),
            "focus": "question:workload",
            "text": "x",
            "owner": MANAGER,
            "due": "2027-07-01",
        },
        headers=SAME_ORIGIN,
    )
    missing = visitor.get("/team/no-such-team")

    assert page.status_code == post.status_code == missing.status_code == 404
    assert text_of(page) == text_of(missing)  # a team they may not see reads as one that is not there
    assert "Sales" not in text_of(page) and "Sales" not in text_of(visitor.get("/"))
    refused = audit_entries(sessions, AuditAction.web_refused)
    assert [(e.actor, e.scope) for e in refused] == [(MANAGER, "sales"), (MANAGER, "sales"), (MANAGER, "web")]
    with transaction(sessions) as session:
        assert session.exec(select(TeamAction)).all() == []


def test_a_member_reaching_a_managers_page_gets_nothing(visitor, fake_slack, sessions, team):
    member = team[0]
    sign_in(visitor, fake_slack, member)

    home = text_of(visitor.get("/"))
    page = visitor.get("/team/team-pulse")

    assert "You manage no team" in home and "Weekly team pulse" not in home
    assert page.status_code == 404 and "Meetings are too long" not in text_of(page)
    assert [(e.actor, e.scope) for e in audit_entries(sessions, AuditAction.web_refused)] == [
        (member, "team-pulse")
    ]


def test_an_admin_sees_every_team(visitor, fake_slack, sessions, team):
    team_with_weeks(
        sessions, now=PINNED_NOW, name="sales", title="Sales", managers=("U0SALESBOSS",), channel="G0SALES"
    )
    sign_in(visitor, fake_slack, ADMIN)

    home = text_of(visitor.get("/"))

    assert "Weekly team pulse" in home and "Sales" in home
    assert visitor.get("/team/sales").status_code == 200
