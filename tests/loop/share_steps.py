"""A team with closed weekly pulses its managers can share, built through the real services."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from pulsebot.slack.blocks.sharing import share_value
from pulsebot.store.weeks import week_start
from tests.conftest import MANAGER
from tests.pulse_data import alike, make_team, merge, people, run_week, scores
from tests.slack_requests import Reply, SlackRequests

TEAM = people(6)
SURVEY = "team-pulse"
TITLE = "Weekly team pulse"
COMMENTS = {
    TEAM[0]: "The ticket backlog keeps growing and nobody owns it.",
    TEAM[1]: "Ticket backlog again, we need help with it.",
    TEAM[2]: "Great team spirit this week, thank you all!",
    TEAM[3]: "Fewer meetings on Fridays would be nice.",
}


def last_week(now: datetime, timezone: str = "Europe/Berlin") -> date:
    """The Monday of the last complete week in the team's time zone (the digest's week)."""
    return week_start(now.astimezone(zoneinfo.ZoneInfo(timezone)).date()) - timedelta(weeks=1)


def on_tuesday(monday: date) -> datetime:
    return datetime.combine(monday + timedelta(days=1), time(9), tzinfo=UTC)


def team_with_weeks(
    sessions,
    *,
    through: date,
    weeks: int = 2,
    answered_last: int = 6,
    managers: tuple[str, ...] = (MANAGER,),
    name: str = SURVEY,
    title: str = TITLE,
) -> date:
    """`weeks` closed weekly pulses ending with the week of `through` (its Monday); the last one answered
    by `answered_last` of the six (fewer than five keeps it hidden), with four comments."""
    make_team(
        sessions, name=name, title=title, managers=managers, now=on_tuesday(through) - timedelta(days=90)
    )
    for offset in range(weeks - 1, -1, -1):
        monday = through - timedelta(weeks=offset)
        last = offset == 0
        answering = TEAM[:answered_last] if last else TEAM
        run_week(
            sessions,
            survey=name,
            opened=on_tuesday(monday),
            audience=TEAM,
            answers=merge(
                scores(answering, [4, 4, 3, 4, 2, 3] if last else alike(4, 6)),
                scores(answering, [9, 10, 7, 9, 3, 8] if last else [9] * 6, question="enps"),
            ),
            comments={p: c for p, c in COMMENTS.items() if p in answering} if last else None,
        )
    return through


def click_share(slack: SlackRequests, *, week: date, user: str = MANAGER, survey: str = SURVEY) -> Reply:
    return slack.click(action_id="share_results", value=share_value(survey, week), user=user)


def submit_share(
    slack: SlackRequests, *, week: date, user: str = MANAGER, comments: bool = False, survey: str = SURVEY
) -> Reply:
    ticked = [{"value": "include", "text": {"type": "plain_text", "text": "Include"}}] if comments else []
    return slack.submit(
        callback_id="share_results_view",
        private_metadata=share_value(survey, week),
        values={"share_comments": {"include": {"type": "checkboxes", "selected_options": ticked}}},
        user=user,
    )


def block_texts(blocks: list[dict]) -> str:
    """Every text of a message's or view's blocks, one a line, as a person reads them."""
    lines = []
    for block in blocks:
        for part in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
            if isinstance(part, dict) and "text" in part:
                lines.append(part["text"] if isinstance(part["text"], str) else part["text"].get("text", ""))
        if block.get("type") == "input":
            lines.append(block["label"]["text"])
            lines += [option["text"]["text"] for option in block["element"].get("options", [])]
    return "\n".join(lines)


def fields_of(blocks: list[dict]) -> dict[str, str]:
    """The headline fields (`*Label*\\nvalue`) of a digest or a shared post."""
    found = {}
    for block in blocks:
        for field in block.get("fields") or []:
            label, _, value = field["text"].partition("\n")
            found[label.strip("*")] = value
    return found
