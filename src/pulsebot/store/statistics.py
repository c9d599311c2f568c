"""The columns PostgreSQL's planner keeps no statistics of, and how a database forgets those it kept.

`ANALYZE` (autovacuum runs one whenever a table has changed enough) copies column values into
`pg_statistic`: a sample's most common values and a histogram of the rest. A copy there outlives the row:
a destroyed run secret, a forgotten person's Slack id, a comment retention deleted, the answers of a
withheld "Is this helping?" round would all be read back from `pg_stats`, and even after a fresh
`ANALYZE` from the dead tuple the update leaves in `pg_statistic`'s pages. So every column holding a secret, a
token, a Slack id, something a person wrote or answered, or anything else that links or identifies a
person is declared here, and the migrations set its statistics target to 0: `ANALYZE` then skips it.

Every text column, and every column whose name sounds like a person or an answer, is either here or in
`HARMLESS` with the reason (tests/store/test_planner_statistics.py walks the schema). SQLite keeps no
values in its statistics (see docs/privacy.md, "Every copy of a value").
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from pulsebot.store.db import LOCK_NOT_AVAILABLE, REWRITE_LOCK_TIMEOUT, older_transactions_gone
from pulsebot.store.installations import BOTS, INSTALLATIONS
from pulsebot.store.models import USER_ID_COLUMNS

log = logging.getLogger(__name__)

# Set on a migration's connection when it removed statistics, whose dead tuples are then to be rewritten away.
STATISTICS_REMOVED = "pulsebot_statistics_removed"
UPGRADE_SNAPSHOT_WAIT = 30.0  # seconds the rewrite after an upgrade waits for older transactions to end

NO_STATISTICS: frozenset[tuple[str, str]] = frozenset(
    USER_ID_COLUMNS
    | {
        # Answers: the token that links a person's answers within a run, and everything they answered.
        ("answer", "respondent"),
        ("answer", "value"),
        ("answer", "choice"),
        ("answer", "comment"),
        ("answer", "sentiment"),
        # The cell an answer fell in, and which cell each person of an open run is in.
        ("answer", "cell"),
        ("run_member", "cell"),
        # People's HR attributes: a forgotten person's would outlive their row in the statistics.
        ("person", "department"),
        ("person", "division"),
        ("person", "site"),
        ("person", "region"),
        ("person", "start_date"),
        ("person", "end_date"),
        ("person", "level"),
        # Until when someone paused their pulses (a leave, say): forget-me and retention delete it.
        ("snooze", "through"),
        ("leave_period", "starts"),
        ("leave_period", "ends"),
        # Reporting lines name managers by Slack id: forget-me rewrites a forgotten manager's.
        ("run_cell", "line"),
        ("segment_figure", "group_key"),
        ("action_check_answer", "respondent"),
        ("action_check_answer", "answer"),
        # A round's answers live only while it is open: how many of them each round got is the count a
        # round answered by too few withholds.
        ("action_check_answer", "check_id"),
        # Key material: with PULSEBOT_ANON_KEY it ties answers to people until it is destroyed.
        ("run_secret", "secret"),
        ("action_check", "secret"),
        # Tokens of a person and an idea, and what they wrote.
        ("vote", "voter"),
        ("idea", "author_token"),
        ("idea", "legacy_author_token"),
        ("idea", "author_mask"),
        ("idea", "text"),
        ("idea", "status_reason"),
        ("idea", "sentiment"),
        ("conversation", "respondent"),
        ("conversation_message", "text"),
        # A DM's channel and message are the person's own.
        ("delivery", "channel_id"),
        ("delivery", "message_ts"),
        # What a manager wrote, and a comment theme's phrase an action may be about.
        ("team_action", "text"),
        ("team_action", "focus_key"),
        ("team_action", "focus_label"),
        ("team_action", "status_reason"),
        # The audit detail names a digest's recipient; a seen request's key is a digest of a signed body.
        ("audit_entry", "detail"),
        ("seen_request", "key"),
        # Installations: tokens (sealed, still secret), a one-time OAuth state, a webhook's secret URL.
        ("slack_installations", "bot_token"),
        ("slack_installations", "bot_refresh_token"),
        ("slack_installations", "user_token"),
        ("slack_installations", "user_refresh_token"),
        ("slack_installations", "incoming_webhook_url"),
        ("slack_installations", "incoming_webhook_configuration_url"),
        ("slack_bots", "bot_token"),
        ("slack_bots", "bot_refresh_token"),
        ("slack_oauth_states", "state"),
        # The web dashboard's sessions and sign-ins: secrets (hashed or not) and what a person may see.
        ("web_session", "id_hash"),
        ("web_session", "rights"),
        ("web_session", "csrf_token"),
        ("web_signin", "state_hash"),
        ("web_signin", "browser_hash"),
        ("web_signin", "nonce"),
        # Slack's users.list cursor of a directory read under way names the next page's first person.
        ("directory_read", "cursor"),
        # …and conversations.members' cursor of a channel read under way, the next page's first member.
        ("channel_read", "cursor"),
        # A survey channel member's time zone narrows down who they are.
        ("channel_member", "tz"),
        # The API's token hashes, and a webhook delivery's body until it is sent (an idea's text, an
        # action and its owner).
        ("api_token", "secret_sha256"),
        ("webhook_delivery", "body"),
        # A person's time zone says roughly where they are.
        ("directory_person", "tz"),
        # A person's language, chosen or from Slack: few speak some languages in a workspace.
        ("directory_person", "locale"),
        ("person_language", "language"),
        # Onboarding: an answer's token and value, a cohort's key material, when a joiner's pulse is due
        # (their start date, a few days on), their DM; what someone leaving answered, with their name.
        ("onboarding_answer", "respondent"),
        ("onboarding_answer", "value"),
        ("onboarding_answer", "question_key"),
        ("onboarding_cohort", "secret"),
        ("onboarding_pulse", "due_on"),
        ("onboarding_pulse", "channel_id"),
        ("onboarding_pulse", "message_ts"),
        ("exit_answer", "value"),
        ("exit_answer", "choice"),
        ("exit_answer", "question_key"),
        ("exit_answer", "answered_at"),
        ("exit_survey", "channel_id"),
        ("exit_survey", "message_ts"),
    }
)

# Columns that look sensitive (text, or named like a person or an answer) but say nothing about anyone.
HARMLESS_EVERYWHERE = {"team_id"}  # the workspace a row belongs to
HARMLESS: dict[str, set[tuple[str, str]]] = {
    "a run's cells: attributes generalised until each is shared by at least K people of its audience": {
        ("run_cell", "department"),
        ("run_cell", "division"),
        ("run_cell", "site"),
        ("run_cell", "region"),
        ("run_cell", "tenure"),
        ("run_cell", "level"),
        ("run_cell", "people"),
        ("person", "source"),
    },
    "a period's segment figures: released only under the disclosure rules (services/segments/), the labels "
    "being a run's cells' values; a hidden row holds only why it is hidden": {
        ("segment_release", "period"),
        ("segment_figure", "table_name"),
        ("segment_figure", "measure"),
        ("segment_figure", "people"),
        ("segment_figure", "answers"),
        ("segment_figure", "value"),
        ("segment_figure", "hidden"),
    },
    "a survey's settings and questions, written by admins in its YAML file": {
        ("survey", "name"),
        ("survey", "title"),
        ("survey", "channel_id"),
        ("survey", "schedule"),
        ("survey", "timezone"),
        ("survey", "reminders"),
        ("survey", "library_drivers"),
        ("survey", "enps_cadence"),
        ("survey", "language"),
        ("survey", "managers_answer"),
        ("question", "key"),
        ("question", "prompt"),
        ("question", "options"),
        ("question", "driver"),
    },
    "a team's channel, and the messages pulsebot posts there for everyone in it": {
        ("pulse_run", "channel_id"),
        ("pulse_run", "message_ts"),
        ("idea", "channel_id"),
        ("idea", "message_ts"),
        ("results_share", "channel_id"),
        ("results_share", "message_ts"),
        ("team_action", "channel_id"),
        ("team_action", "message_ts"),
        ("action_check", "channel_id"),
        ("action_check", "message_ts"),
        ("loop_post", "channel_id"),
        ("loop_post", "message_ts"),
        ("results_share", "with_comments"),
        ("channel_member", "channel_id"),
        ("channel_read", "channel_id"),
    },
    "a fixed vocabulary, a survey's name or a Slack error code": {
        ("idea", "category"),
        ("idea", "stage"),
        ("manager_notice", "scope"),
        ("audit_entry", "scope"),
        ("delivery", "error"),
        ("conversation_message", "error"),
        ("slack_installations", "token_type"),
        ("web_session", "role"),
        # A quarter's name, a library question's key, why a figure is hidden.
        ("onboarding_cohort", "cohort"),
        ("onboarding_figure", "question_key"),
        ("onboarding_figure", "hidden"),
    },
    "the number of the webhook a delivery goes to, registered by an admin": {
        ("webhook_delivery", "webhook_id"),
    },
    "a random conversation id, carried on both sides' buttons": {
        ("conversation", "id"),
        ("conversation_message", "conversation_id"),
    },
    "totals kept or released only for groups of at least PULSEBOT_MIN_GROUP": {
        ("onboarding_figure", "answers"),
        ("onboarding_figure", "value"),
        ("action_check", "answered"),
        ("kept_question", "answers"),
        ("kept_question", "counts"),
        ("kept_week", "respondents"),
        ("kept_week", "comments"),
        ("kept_week", "rated_comments"),
        ("kept_week", "sentiment_total"),
        ("kept_week", "negative_comments"),
        ("kept_week", "positive_comments"),
        ("run_figures", "respondents"),
        ("run_figures", "comments"),
        ("run_figures", "rated_comments"),
        ("run_figures", "sentiment_total"),
        ("run_figures", "negative_comments"),
        ("run_figures", "positive_comments"),
        ("run_question_figures", "answers"),
        ("run_question_figures", "counts"),
    },
    "the app and the workspace it is installed in": {
        (table.name, column)
        for table in (INSTALLATIONS, BOTS)
        for column in (
            "client_id",
            "app_id",
            "enterprise_id",
            "enterprise_name",
            "enterprise_url",
            "team_name",
            "bot_id",
            "bot_scopes",
            "user_scopes",
            "bot_token_expires_at",
            "user_token_expires_at",
            "incoming_webhook_channel",
            "incoming_webhook_channel_id",
        )
        if column in table.c
    },
}


def keep_no_statistics(connection: Connection, columns: frozenset[tuple[str, str]] = NO_STATISTICS) -> None:
    """Set the statistics target of `columns` to 0 and drop what `pg_statistic` already holds of them.

    A target of 0 only stops the next `ANALYZE`; the rows already there stay. A table's owner cannot
    delete from `pg_statistic`, but changing a column's type removes its rows, and changing it to the
    type it already has rewrites nothing (PostgreSQL 15: neither the table nor its indexes). The dead
    tuples this leaves are removed by `scrub_statistics` once the migration has committed (store/migrate.py
    looks for STATISTICS_REMOVED on the connection).
    Columns not (yet) in the database are skipped: a later migration adds them with their own call."""
    if connection.dialect.name != "postgresql":
        return  # SQLite's statistics hold counts only
    for table, column in sorted(columns):
        found = connection.exec_driver_sql(
            "SELECT a.attstattarget, format_type(a.atttypid, a.atttypmod), "
            "  EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = current_schema() "
            "          AND s.tablename = %(table)s AND s.attname = %(column)s) "
            "FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident(%(table)s)) "
            "AND a.attname = %(column)s AND NOT a.attisdropped",
            {"table": table, "column": column},
        ).first()
        if found is None:
            continue
        target, column_type, has_statistics = found
        name, quoted = _quote(connection, table), _quote(connection, column)
        if target != 0:
            connection.exec_driver_sql(f"ALTER TABLE {name} ALTER COLUMN {quoted} SET STATISTICS 0")
        if has_statistics:
            connection.exec_driver_sql(f"ALTER TABLE {name} ALTER COLUMN {quoted} TYPE {column_type}")
            connection.info[STATISTICS_REMOVED] = True


def scrub_statistics(engine: Engine) -> bool:
    """Rewrite `pg_statistic` so no dead tuple of it keeps an old copy of a value (`VACUUM FULL`; a plain
    `VACUUM` leaves the bytes in the page). PostgreSQL lets a database's owner do this; anyone else is
    told what a superuser must run. False when something may be left, with a warning saying what to run.

    It runs only after an upgrade that removed statistics, so it can wait longer than a forget-me's scrub
    for the transactions that began before it: their snapshots (in any database of the server) keep a
    removed row alive through a rewrite."""
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        database, allowed = connection.exec_driver_sql(
            "SELECT current_database(), pg_has_role(datdba, 'USAGE') "
            "  OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_database WHERE datname = current_database()"
        ).one()
        if not allowed:
            log.warning(
                "pg_statistic may still hold old copies of sensitive values: only the database's owner "
                "or a superuser can remove them; as a superuser, run VACUUM FULL pg_statistic in %s",
                database,
            )
            return False
        complete = older_transactions_gone(connection, timeout=UPGRADE_SNAPSHOT_WAIT)
        if not complete:
            log.warning(
                "a transaction older than the upgrade is still open, so pg_statistic may keep old copies "
                "of sensitive values: run VACUUM FULL pg_statistic as the database's owner once it has ended"
            )
        # Every query planned in this database reads pg_statistic: wait for it a few seconds at most.
        connection.exec_driver_sql(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
        try:
            connection.exec_driver_sql("VACUUM FULL pg_statistic")
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            log.warning(
                "pg_statistic not rewritten (%s): run VACUUM FULL pg_statistic as the database's owner",
                error.orig,
            )
            complete = False
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
    return complete


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)
