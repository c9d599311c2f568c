"""The organisation's page: a released period's segments × measures for pulsebot's admins, read from the
figures released when the period ended; any other period or table is not released, and anyone but an
admin finds nothing."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry
from tests.conftest import ADMIN, MANAGER
from tests.segments.segment_data import june_organisation, release
from tests.web.steps import sign_in, text_of

pytestmark = pytest.mark.clock


@pytest.fixture
def june(sessions):
    june_organisation(sessions)
    release(sessions)


def audit_entries(sessions, action) -> list[AuditEntry]:
    with transaction(sessions) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def row_of(body: str, segment: str) -> list[str]:
    found = re.search(rf'<th scope="row">{re.escape(segment)}</th>(.*?)</tr>', body, re.S)
    return [segment, *re.findall(r"<td[^>]*>(.*?)</td>", found.group(1))]


def test_an_admin_sees_the_latest_period_by_department(visitor, fake_slack, sessions, june):
    sign_in(visitor, fake_slack, ADMIN)

    page = visitor.get("/organisation")

    body = html.unescape(text_of(page))
    assert page.status_code == 200
    assert "Segments by department, June 2027" in body and "Figures released 2 Jul 2027" in body
    assert row_of(body, "Sales") == ["Sales", "11", "100%", "4.5", "3.5", "+45"]
    assert row_of(body, "Engineering") == ["Engineering", "9", "90%", "1.6", "3.4", "-33"]
    assert row_of(body, "Legal") == ["Legal"] + ["— too few"] * 5
    assert row_of(body, "Finance") == ["Finance"] + ["— too few"] * 5
    # No figure of Legal anywhere: its row holds only dashes, and its name appears in that row and the
    # heatmap's (drawn in an image) alone.
    assert body.count("Legal") == 1
    assert "— too few: fewer than 5 people answered" in body
    assert "Manager support: strongest Sales (4.5), weakest Engineering (1.6)" in body
    assert '<title id="heatmap-title">Drivers by department, June 2027</title>' in body
    assert 'role="img" aria-labelledby="heatmap-title heatmap-desc"' in body
    assert re.search(r'<image href="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', body)
    assert [(e.actor, e.scope, e.detail) for e in audit_entries(sessions, AuditAction.web_viewed)] == [
        (ADMIN, "org", "organisation page, segments by department, 2027-06")
    ]


def test_a_crossing_and_a_named_period(visitor, fake_slack, sessions, june):
    sign_in(visitor, fake_slack, ADMIN)

    crossing = visitor.get("/organisation", query_string={"table": "department × tenure"})
    typed = visitor.get("/organisation", query_string={"table": "department x tenure", "period": "2027-06"})
    named = visitor.get("/organisation?period=2027-06")

    body = html.unescape(text_of(crossing))
    assert crossing.status_code == typed.status_code == named.status_code == 200
    assert "Segments by department × tenure, June 2027" in body
    assert row_of(body, "Sales × 1–2 years")[:4] == ["Sales × 1–2 years", "5", "100%", "4.8"]
    assert row_of(body, "Sales × < 3 months") == ["Sales × < 3 months"] + ["— too few"] * 5
    assert "Segments by department, June 2027" in html.unescape(text_of(named))
    assert [e.detail for e in audit_entries(sessions, AuditAction.web_viewed)] == [
        "organisation page, segments by department × tenure, 2027-06",
        "organisation page, segments by department × tenure, 2027-06",
        "organisation page, segments by department, 2027-06",
    ]


def test_the_periods_and_tables_released_are_listed_as_links(visitor, fake_slack, june):
    sign_in(visitor, fake_slack, ADMIN)

    body = html.unescape(text_of(visitor.get("/organisation")))

    assert '<span aria-current="true">2027-06</span>' in body
    assert '<a href="/organisation?period=2027-06&table=site">site</a>' in body
    assert 'href="/organisation">Organisation</a>' in body  # in the nav, for an admin


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"table": "shoe size"}, "2027-06 has no segments by “shoe size”; it has: department,"),
        ({"period": "2027-05"}, "No segments are released for 2027-05 (released: 2027-06)."),
        ({"period": "2027-06", "table": "<b>x</b>"}, "2027-06 has no segments by “<b>x</b>”"),
    ],
)
def test_anything_not_released_is_not_found(visitor, fake_slack, sessions, june, query, message):
    sign_in(visitor, fake_slack, ADMIN)

    page = visitor.get("/organisation", query_string=query)

    assert page.status_code == 404
    assert message in html.unescape(text_of(page)) and "<b>x</b>" not in text_of(page)
    assert "Sales" not in text_of(page) and "4.5" not in text_of(page)
    assert audit_entries(sessions, AuditAction.web_viewed) == []


@pytest.mark.parametrize("who", [MANAGER, "U0SAL000"])
def test_anyone_but_an_admin_or_a_leader_finds_nothing_and_is_audited(
    visitor, fake_slack, sessions, june, who
):
    sign_in(visitor, fake_slack, who)

    page = visitor.get("/organisation?table=site")

    assert page.status_code == 404
    assert text_of(page) == text_of(visitor.get("/team/no-such-team"))  # as any page that is not there
    home = text_of(visitor.get("/"))
    assert "Organisation" not in home and "reporting line" not in home  # no link to it
    refused = audit_entries(sessions, AuditAction.web_refused)
    assert sorted((e.actor, e.scope, e.detail) for e in refused) == [
        (who, "org", "GET /organisation: not an admin, and no reporting line of theirs in the period"),
        (who, "web", "GET /team/no-such-team: not a team they may see"),
    ]
    assert audit_entries(sessions, AuditAction.web_viewed) == []


def test_a_leader_sees_their_own_line_and_the_lines_below_it_and_nothing_else(
    visitor, fake_slack, sessions, june
):
    sign_in(visitor, fake_slack, "U0VPC")
    assert "your reporting line's segments" in text_of(visitor.get("/"))  # where they find it

    page = visitor.get("/organisation")

    body = html.unescape(text_of(page))
    assert page.status_code == 200
    assert "Your reporting line" in body and "Segments by line, June 2027" in body
    shown = re.findall(r'<th scope="row">(.*?)</th>', body)
    assert shown == [
        "U0CEO/U0VPC",
        "U0CEO/U0VPC/U0MFI",
        "U0CEO/U0VPC/U0MLE",
        "U0CEO/U0VPC/U0MSA",
        "U0CEO/U0VPC/U0MSU",
    ]
    assert row_of(body, "U0CEO/U0VPC/U0MSA")[:5] == ["U0CEO/U0VPC/U0MSA", "11", "100%", "4.5", "3.5"]
    assert row_of(body, "U0CEO/U0VPC/U0MLE")[1:] == ["— too few"] * 5
    assert "U0VPT" not in body and "Engineering" not in body  # another leader's line, the departments
    # Any other table or period is not theirs: the same 404 as anyone else's, audited.
    assert visitor.get("/organisation?table=department").status_code == 404
    assert visitor.get("/organisation?period=2027-05").status_code == 404
    viewed = [(e.actor, e.detail) for e in audit_entries(sessions, AuditAction.web_viewed)]
    assert viewed == [("U0VPC", "organisation page, segments by line, 2027-06, the line from U0CEO/U0VPC")]
    assert len(audit_entries(sessions, AuditAction.web_refused)) == 2


def test_a_manager_at_the_foot_of_the_line_sees_their_node_alone(visitor, fake_slack, june):
    sign_in(visitor, fake_slack, "U0MSA")

    body = html.unescape(text_of(visitor.get("/organisation")))

    assert re.findall(r'<th scope="row">(.*?)</th>', body) == ["U0CEO/U0VPC/U0MSA"]


def test_before_any_release_the_page_says_when_the_first_will_be(visitor, fake_slack, sessions):
    june_organisation(sessions)  # June's pulses answered, June not yet released
    sign_in(visitor, fake_slack, ADMIN)

    page = visitor.get("/organisation")
    asked = visitor.get("/organisation?period=2027-06")

    assert page.status_code == 200 and asked.status_code == 404
    assert (
        "No period's segments are released yet. A month's segments are released once it has ended "
        "everywhere and every pulse of it has closed: June 2027's from 2 Jul 2027 at the earliest."
    ) in html.unescape(text_of(page))
    assert "<table" not in text_of(page)
