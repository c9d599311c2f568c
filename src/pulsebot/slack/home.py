"""Drawing a person's App Home tab: when they open it, and again after they change something there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient

from pulsebot.i18n import translator
from pulsebot.services.digest.home import home_summary
from pulsebot.services.digest.manager_home import home_teams, record_home_view
from pulsebot.services.loop.actions import home_actions
from pulsebot.services.people.languages import language_for
from pulsebot.services.privacy import audit
from pulsebot.slack.blocks.home import home_view
from pulsebot.store.db import transaction

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps


def publish_home(client: WebClient, deps: Deps, *, user_id: str) -> None:
    now = deps.clock()
    is_admin = deps.directory.is_admin(client, deps.settings, user_id)
    with transaction(deps.sessions) as session:
        summary = home_summary(session, user_id=user_id, key=deps.key, now=now)
        teams = home_teams(
            session,
            user_id=user_id,
            is_admin=is_admin,
            now=now,
            min_group=deps.settings.min_group,
            weeks=deps.settings.trend_weeks,
        )
        record_home_view(session, user_id=user_id, teams=teams, now=now)
        entries = audit.entries(session, limit=audit.HOME_ENTRIES) if is_admin else None
        planned = home_actions(session, user_id=user_id, is_admin=is_admin, now=now)
        # Home spans every survey: their choice, else their Slack locale, else English.
        language = language_for(session, user_id=user_id, survey_language=None)
    view = home_view(
        summary,
        teams=teams,
        min_group=deps.settings.min_group,
        audit=entries,
        actions=planned,
        tr=translator(language),
    )
    client.views_publish(user_id=user_id, view=view)
