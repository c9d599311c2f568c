"""The pages added beside the team's page, in Chromium: an admin reads the organisation's participation,
every team's actions and the audit log; a manager changes an action posted to the team's channel and
points at a week of the chart. Each passes axe's WCAG 2.1 AA rules, and each is a screenshot of
docs/dashboard.md."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from pulsebot.services.loop.sharing import record_share
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionNotice, ActionStatus
from tests.conftest import ADMIN, MANAGER, PINNED_NOW
from tests.web.action_steps import planned, posted, stored
from tests.web.browser.conftest import axe_violations
from tests.web.browser.test_dashboard_in_a_browser import sign_in
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock
SALES_BOSS = "U0SALESBOSS"


@pytest.fixture
def teams(sessions):
    """Two teams with ten weeks of pulses; the first shared its results four weeks ago, and each has an
    action, the first's posted to its channel."""
    team_with_weeks(sessions, now=PINNED_NOW, weeks=10)
    team_with_weeks(
        sessions,
        now=PINNED_NOW,
        weeks=10,
        name="sales",
        title="Sales",
        managers=(SALES_BOSS,),
        channel="G0SALES",
    )
    shared_week = (PINNED_NOW - timedelta(weeks=4)).date()
    with transaction(sessions) as session:
        record_share(
            session,
            survey_name="team-pulse",
            week=shared_week - timedelta(days=shared_week.weekday()),
            shared_by=MANAGER,
            with_comments=False,
            now=PINNED_NOW,
        )
    return {
        "posted": posted(sessions, by=MANAGER, text="A shorter weekly meeting, with an agenda"),
        "kept": planned(sessions, survey="sales", by=SALES_BOSS, text="Fewer status reports"),
    }


def test_an_admin_reads_participation_every_teams_actions_and_the_audit_log(
    page, dashboard_url, fake_slack, teams, screenshot
):
    sign_in(page, dashboard_url, fake_slack, ADMIN)
    page.goto(dashboard_url + "/organisation/participation")

    expect(
        page.get_by_role("heading", name="Participation before and after sharing", level=1)
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Weekly team pulse")
    expect(page.locator("main")).to_contain_text("Teams that never shared")
    screenshot(page, "participation")
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="The organisation's pages").get_by_role(
        "link", name="Actions"
    ).click()
    expect(page.get_by_role("heading", name="Every team's actions", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("A shorter weekly meeting, with an agenda")
    expect(page.locator("main")).to_contain_text("Fewer status reports")
    screenshot(page, "actions")
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="The organisation's pages").get_by_role(
        "link", name="Audit log"
    ).click()
    expect(page.locator("table.audit")).to_contain_text("web_viewed")
    screenshot(page, "audit")
    assert axe_violations(page) == []


def test_a_manager_changes_a_posted_action_and_points_at_a_week(
    page, dashboard_url, fake_slack, teams, sessions, screenshot
):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")

    action = page.locator(f"#action-{teams['posted']}")
    action.get_by_text("Change this action").click()
    expect(action).to_contain_text("Posted to the team's channel")
    action.get_by_label("Its status").select_option("in_progress")
    screenshot(page, "action-change", part=action)
    assert axe_violations(page) == []
    action.get_by_role("button", name="Change its status").click()

    expect(page.get_by_role("status")).to_contain_text("tells the team's channel")
    assert stored(sessions, teams["posted"]).status is ActionStatus.in_progress
    with transaction(sessions) as session:  # written for the scheduler, which tells Slack
        assert len(session.exec(select(ActionNotice)).all()) == 1
    assert axe_violations(page) == []

    week = page.locator("svg.chart a.week").last
    week.locator("rect").hover()
    expect(week.locator("text")).to_contain_text(re.compile(r"mood \d\.\d"))
    screenshot(page, "chart-hover", part=page.locator("svg.chart"))
