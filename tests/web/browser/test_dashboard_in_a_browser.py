"""A manager and an admin use the dashboard in Chromium: sign in with Slack through the fake provider,
read the team's page, plan an action and start it with the keyboard, move an idea, meet a refused form,
sign out; a member reads their Me page and asks to be forgotten; every page passes axe's WCAG 2.1 AA
rules, works with the keyboard and reads at 320 px wide."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from pulsebot.services.idea.ideas import post_idea, toggle_vote
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, Delivery, Idea, IdeaStatus, TeamAction
from tests.conftest import ADMIN, ANON_KEY, MANAGER, PINNED_NOW
from tests.segments.segment_data import june_organisation, release
from tests.web.browser.conftest import axe_violations
from tests.web.team_data import HOSTILE, team_with_weeks

pytestmark = pytest.mark.clock


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW, weeks=10)


def sign_in(page: Page, dashboard_url: str, fake_slack, user: str) -> None:
    fake_slack.openid.sign_in_as(user)
    page.goto(dashboard_url + "/")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_role("link", name="Sign in with Slack").click()
    expect(page.get_by_role("heading", name="Your teams")).to_be_visible()


def an_idea(sessions, text: str, *, user: str) -> int:
    with transaction(sessions) as session:
        return post_idea(session, user_id=user, text=text, key=ANON_KEY.encode(), now=PINNED_NOW).id


def actions_stored(sessions) -> list[TeamAction]:
    with transaction(sessions) as session:
        return list(session.exec(select(TeamAction)).all())


def test_a_manager_signs_in_with_slack_and_reads_the_teams_year(
    page, dashboard_url, fake_slack, team, screenshot
):
    page.goto(dashboard_url + "/")
    screenshot(page, "signin")
    assert axe_violations(page) == []
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    screenshot(page, "home")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Weekly team pulse").click()
    page.get_by_role("link", name="52 weeks").click()

    expect(page.get_by_role("heading", name="Weekly team pulse", level=1)).to_be_visible()
    expect(page.locator("dl.figures")).to_contain_text("Mood (1–5)")
    expect(page.get_by_role("group", name=re.compile("Weekly mood, eNPS"))).to_be_visible()
    assert page.locator("svg.chart image").bounding_box()["width"] > 300  # the digest's SVG drew
    expect(page.locator("table.trend tbody tr")).to_have_count(52)
    expect(page.locator("blockquote", has_text="<script>")).to_have_count(1)  # shown as text, not run
    assert page.evaluate("() => window.pwned === undefined")
    screenshot(page, "team")
    assert axe_violations(page) == []


def test_a_weeks_figures_show_when_pointing_at_it_or_reaching_it_with_the_keyboard(
    page, dashboard_url, fake_slack, team
):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")
    weeks = page.locator("svg.chart a.week")
    expect(weeks).to_have_count(12)
    last, before = weeks.nth(11), weeks.nth(10)
    expect(last.locator("text")).to_be_hidden()

    last.locator("rect").hover()

    caption = last.locator("text")
    expect(caption).to_be_visible()
    expect(caption).to_contain_text(re.compile(r"^\d.* 2027 \(week \d+\): mood \d\.\d · eNPS .+ · sentiment"))
    assert caption.text_content() == last.get_attribute("aria-label") == last.locator("title").text_content()
    row = page.locator("table.trend tbody tr").first  # the newest week, which the table lists first
    assert caption.text_content().endswith(row.locator("td").text_content())
    assert axe_violations(page) == []

    page.mouse.move(0, 0)
    before.focus()
    page.keyboard.press("Tab")  # from one week to the next

    expect(last).to_be_focused()
    expect(last.locator("text")).to_be_visible()
    expect(before.locator("text")).to_be_hidden()
    page.keyboard.press("Enter")  # its link leads to the week's row of the table
    expect(page).to_have_url(re.compile(r"#week-\d{4}-\d\d-\d\d$"))


def test_a_manager_plans_an_action_from_the_page(page, dashboard_url, fake_slack, team, sessions, screenshot):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")

    page.get_by_role("button", name="Plan the action").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Nothing was planned")
    expect(page.get_by_text("Say what will be done.")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "plan-errors")

    page.get_by_label("What it is about").select_option("question:workload")
    page.get_by_label("What will be done").fill("Weekly backlog triage with the whole team")
    page.get_by_label("Who owns it").select_option(MANAGER)
    page.get_by_label("Due").fill((PINNED_NOW + timedelta(days=21)).date().isoformat())
    page.get_by_role("button", name="Plan the action").click()

    expect(page.get_by_role("status")).to_contain_text("Planned")
    expect(page.locator("ul.actions")).to_contain_text("Weekly backlog triage with the whole team")
    assert [action.text for action in actions_stored(sessions)] == [
        "Weekly backlog triage with the whole team"
    ]
    page.locator("#actions").scroll_into_view_if_needed()
    screenshot(page, "planned")

    # Then, with the keyboard only, the manager starts it: open its change, keep "In progress", send.
    page.get_by_text("Change this action").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Its status")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change its status")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Changed.")
    expect(page.locator("ul.actions")).to_contain_text("in progress")
    assert [action.status for action in actions_stored(sessions)] == [ActionStatus.in_progress]
    assert axe_violations(page) == []


def test_a_form_with_a_wrong_token_changes_nothing(page, dashboard_url, fake_slack, team, sessions):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")
    page.locator("form.plan input[name=csrf_token]").evaluate("input => { input.value = 'stolen-or-stale'; }")
    page.get_by_label("What it is about").select_option("question:workload")
    page.get_by_label("What will be done").fill("Sneaky")
    page.get_by_label("Due").fill((PINNED_NOW + timedelta(days=7)).date().isoformat())

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Plan the action").click()

    assert answer.value.status == 403
    expect(page.get_by_text("its security token does not match")).to_be_visible()
    assert actions_stored(sessions) == []


def test_a_form_on_another_site_cannot_plan_for_the_manager(page, dashboard_url, fake_slack, team, sessions):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")
    token = page.locator("form.plan input[name=csrf_token]").input_value()  # even with the token itself
    page.goto(fake_slack.url + "/nowhere")  # another origin
    page.set_content(
        f'<form method="post" action="{dashboard_url}/team/team-pulse/actions">'
        f'<input name="csrf_token" value="{token}"><input name="focus" value="question:workload">'
        f'<input name="text" value="Evil"><input name="owner" value="{MANAGER}">'
        '<input name="due" value="2027-07-01"><button>Go</button></form>'
    )

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Go").click()

    assert answer.value.status == 403
    assert actions_stored(sessions) == []


def test_an_injected_script_does_not_run(page, dashboard_url, fake_slack, team):
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + "/team/team-pulse")
    blocked = []
    page.on("console", lambda message: blocked.append(message.text))

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; "
        "document.body.append(s); }"
    )

    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in text for text in blocked)


def test_signing_out_ends_the_session(page, dashboard_url, fake_slack, team):
    sign_in(page, dashboard_url, fake_slack, MANAGER)

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(dashboard_url + "/team/team-pulse")
    expect(page).to_have_url(re.compile(r"/signin"))
    assert [c["name"] for c in page.context.cookies() if c["name"] == "__Host-pulsebot"] == []


def test_the_dashboard_works_with_the_keyboard(page, dashboard_url, fake_slack, team):
    fake_slack.openid.sign_in_as(MANAGER)
    page.goto(dashboard_url + "/signin")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Sign in with Slack")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your teams")).to_be_visible()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "Weekly team pulse":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Weekly team pulse", level=1)).to_be_visible()


@pytest.mark.parametrize("path", ["/signin", "/", "/team/team-pulse", "/ideas", "/me"])
def test_every_page_reads_at_320_pixels_wide(page, dashboard_url, fake_slack, team, screenshot, path):
    page.set_viewport_size({"width": 320, "height": 640})
    if path != "/signin":
        sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.goto(dashboard_url + path)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320  # nothing to scroll sideways
    assert axe_violations(page) == []
    if path == "/team/team-pulse":
        screenshot(page, "team-320")


def test_an_admin_sees_every_team(page, dashboard_url, fake_slack, team, sessions):
    team_with_weeks(
        sessions, now=PINNED_NOW, name="sales", title="Sales", managers=("U0SALESBOSS",), channel="G0SALES"
    )
    sign_in(page, dashboard_url, fake_slack, ADMIN)

    expect(page.get_by_role("link", name="Sales")).to_be_visible()
    page.get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Sales", level=1)).to_be_visible()
    assert HOSTILE in page.locator("main").inner_text()  # a person's words, as they wrote them


def test_an_admin_reads_the_organisations_segments(page, dashboard_url, fake_slack, sessions, screenshot):
    june_organisation(sessions)
    release(sessions)
    sign_in(page, dashboard_url, fake_slack, ADMIN)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()

    expect(page.get_by_role("heading", name="Organisation", level=1)).to_be_visible()
    legal = page.locator("table.segments tr", has=page.get_by_role("rowheader", name="Legal"))
    expect(legal.locator("td.hidden").first).to_have_text("— too few")
    expect(page.get_by_role("img", name=re.compile("Drivers by department, June 2027"))).to_be_visible()
    assert page.locator("svg.heatmap image").bounding_box()["height"] > 100  # the heatmap drew
    screenshot(page, "organisation")
    assert axe_violations(page) == []

    pages = page.get_by_role("navigation", name="The organisation's pages")
    for name, heading in (
        ("Participation", "Participation before and after sharing"),
        ("Actions", "Every team's actions"),
        ("Audit log", "Audit log"),
    ):
        pages.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert axe_violations(page) == []
    expect(page.locator("table.audit")).to_contain_text("web_viewed")


def test_a_manager_moves_an_idea_on_the_ideas_page(
    page, dashboard_url, fake_slack, team, sessions, screenshot
):
    idea_id = an_idea(sessions, "Refunds in one click", user=team[0])
    with transaction(sessions) as session:
        quiet = post_idea(
            session,
            user_id=team[1],
            text="A quieter on-call rota",
            key=ANON_KEY.encode(),
            now=PINNED_NOW,
            anonymous=True,
        )
        toggle_vote(session, idea_id=quiet.id, user_id=team[2], key=ANON_KEY.encode())
        session.get(Idea, quiet.id).status = IdeaStatus.under_review
    sign_in(page, dashboard_url, fake_slack, MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ideas").click()
    expect(page.locator("ul.ideas li", has_text="A quieter on-call rota")).to_contain_text(
        "a colleague (anonymous)"
    )
    screenshot(page, "ideas")
    page.get_by_label("Status").select_option("new")
    page.get_by_role("button", name="Show").click()

    page.get_by_label(f"Move #{idea_id}").select_option("declined")
    page.get_by_role("button", name=f"Move #{idea_id}").click()  # no reason given
    expect(page.get_by_role("alert")).to_contain_text(f"#{idea_id} was not moved")
    assert axe_violations(page) == []
    page.get_by_label(f"Move #{idea_id}").select_option("planned")
    page.get_by_role("button", name=f"Move #{idea_id}").click()

    expect(page.get_by_role("status")).to_contain_text(f"Idea #{idea_id} was moved")
    with transaction(sessions) as session:
        assert session.get(Idea, idea_id).status is IdeaStatus.planned
    assert axe_violations(page) == []


def test_a_member_reads_their_me_page_and_is_forgotten_after_saying_yes(
    page, dashboard_url, fake_slack, team, sessions, screenshot
):
    member = team[1]
    sign_in(page, dashboard_url, fake_slack, member)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").click()

    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    expect(page.locator("dl.kept")).to_contain_text("10 records of who was asked")
    screenshot(page, "me")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Forget me…").click()
    expect(page.get_by_role("heading", name="Forget me?")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, forget me").click()

    expect(page.get_by_role("heading", name="pulsebot has forgotten you")).to_be_visible()
    with transaction(sessions) as session:
        assert session.exec(select(Delivery).where(Delivery.user_id == member)).all() == []
    assert [c["name"] for c in page.context.cookies() if c["name"] == "__Host-pulsebot"] == []
    assert axe_violations(page) == []
