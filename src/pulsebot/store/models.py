"""SQLModel tables. Tables are created only by Alembic migrations (migrations/).

Anonymity by construction: the answer side (`answer`) holds no Slack user id and no
submit time, and has no foreign key to a table that does. Who answered lives only in
`delivery`, which holds no answer values.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Enum, Index, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pulsebot.store.scoping import TeamScoped

# Columns holding a Slack user id are named here so the anonymity test can find every one.
USER_ID_COLUMNS = {
    ("delivery", "user_id"),
    ("idea", "author_id"),
    ("survey_manager", "user_id"),
    ("manager_notice", "user_id"),
    ("conversation", "manager_user_id"),
    # Several workspaces (store/installations.py): who installed pulsebot, and the bot's own user.
    ("slack_installations", "user_id"),
    ("slack_installations", "bot_user_id"),
    ("slack_bots", "bot_user_id"),
    ("audit_entry", "actor"),
    # Closing the loop: who shared a week's results, who planned an action and who owns it (all people
    # acting as managers or owners, never as respondents).
    ("results_share", "shared_by"),
    ("team_action", "owner_id"),
    ("team_action", "created_by"),
    # People's HR attributes (segments): whose they are, and who their manager is; and which cell of a
    # run each of its audience falls in, kept only while the run's key material lives.
    ("person", "user_id"),
    ("person", "manager_id"),
    ("run_member", "user_id"),
    # Who is signed in to the web dashboard.
    ("web_session", "user_id"),
    # Who moved an idea on the dashboard, until Slack has told its author.
    ("idea_notice", "changed_by"),
    # Who changed a channel-posted action on the dashboard, until Slack has told the team.
    ("action_notice", "changed_by"),
    # Who paused their own pulses, and until when (services/survey/snooze.py).
    ("snooze", "user_id"),
    # Who is on leave, and when, as an admin imported it (services/survey/leave.py).
    ("leave_period", "user_id"),
    # The workspace's active people, as Slack lists them (finding an anonymous idea's author).
    ("directory_person", "user_id"),
    # The members of the survey channels, as Slack lists them (a run's audience).
    ("channel_member", "user_id"),
    # Who chose a language for their own pulses (services/people/languages.py).
    ("person_language", "user_id"),
    # Who a new joiner's onboarding pulse is for, until their cohort is released (never their answers),
    # and whose an exit survey is: confidential to HR, not anonymous (services/onboarding/).
    ("onboarding_pulse", "user_id"),
    ("exit_survey", "user_id"),
}


class UTCDateTime(TypeDecorator):
    """Always hands back an aware UTC datetime (SQLite would otherwise return a naive one)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("pulsebot stores aware datetimes only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(**kwargs: object) -> Column:
    return Column(UTCDateTime(), **kwargs)


def _enum(enum_type: type[enum.Enum]) -> Enum:
    # Stored as the value string (not a native PostgreSQL enum) so adding a member needs no type migration.
    return Enum(
        enum_type,
        native_enum=False,
        values_callable=lambda members: [member.value for member in members],
        length=20,
        validate_strings=True,
    )


class QuestionKind(enum.StrEnum):
    scale = "scale"
    enps = "enps"
    yes_no = "yes_no"
    choice = "choice"
    text = "text"


class DeliveryMode(enum.StrEnum):
    channel = "channel"
    dm = "dm"


class RunStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class DeliveryStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class IdeaStatus(enum.StrEnum):
    new = "new"
    under_review = "under_review"
    planned = "planned"
    done = "done"
    declined = "declined"


class Survey(TeamScoped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)  # unique within its workspace
    title: str = Field(max_length=150)
    channel_id: str = Field(max_length=20)
    delivery: DeliveryMode = Field(default=DeliveryMode.channel, sa_type=_enum(DeliveryMode))
    schedule: str | None = Field(default=None, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    open_days: int = Field(default=3)
    paused: bool = Field(default=False)
    # The cron's time of day is each person's own local time (DM delivery); see services/survey/schedules.py.
    per_person_local_time: bool = Field(default=False)
    reminders: str | None = Field(default=None, max_length=100)  # up to two, one per line: "24h after open"
    # The team's managers are left out of its audience unless the survey asks them too
    # (services/survey/audience.py).
    managers_answer: bool = Field(default=False)
    # `share_results: auto`: the team's weekly summary is posted to its channel without a manager's click
    # (services/loop/sharing.py); otherwise a manager shares it from the digest.
    share_results_auto: bool = Field(default=False)
    # The library's drivers the survey rotates through, one id a line (None: no library items); each
    # run asks `questions_per_pulse` of them (services/survey/rotation.py) and the library's eNPS at
    # `enps_cadence`.
    library_drivers: str | None = Field(default=None, max_length=400)
    questions_per_pulse: int = Field(default=4)
    enps_cadence: str | None = Field(default=None, max_length=20)
    # The language its channel post is written in, and a person's without a choice or Slack locale of
    # one pulsebot speaks (pulsebot/i18n.py); None: English.
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))

    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_survey_team_id_name"),)


class Question(SQLModel, table=True):
    """One wording of one question. Rewording adds a new row so trends never mix two wordings."""

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    key: str = Field(max_length=40)
    version: int = Field(default=1)
    position: int
    kind: QuestionKind = Field(sa_type=_enum(QuestionKind))
    prompt: str = Field(max_length=300)
    options: str | None = Field(default=None, max_length=2000)  # choice options, one per line
    required: bool = Field(default=False)
    active: bool = Field(default=True)
    # A library item (its key is the item id): asked in rotation, never every run. `driver` is None for
    # the library's eNPS; a reversed item's answers count towards its driver turned round (6 − value).
    from_library: bool = Field(default=False)
    driver: str | None = Field(default=None, max_length=40)
    reversed: bool = Field(default=False)
    # A rated question that offers "N/A": such an answer counts towards the response rate and no figure
    # of the question (services/pulse/answers.py NOT_APPLICABLE).
    not_applicable: bool = Field(default=False)

    __table_args__ = (UniqueConstraint("survey_id", "key", "version"),)


class RunQuestion(SQLModel, table=True):
    """The questions one run asks, fixed when it opens: a rotating survey asks different items each
    run, and the whole team gets the same ones. A run without rows (an older one) asks the survey's
    active questions."""

    __tablename__ = "run_question"

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    position: int


class PulseRun(TeamScoped, table=True):
    __tablename__ = "pulse_run"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    run_date: date = Field(index=True)  # the analytics read a window of weeks
    status: RunStatus = Field(default=RunStatus.open, sa_type=_enum(RunStatus))
    opened_at: datetime = Field(sa_column=_utc(nullable=False))
    closes_at: datetime = Field(sa_column=_utc(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)
    # The fire time of a scheduled run: unique per survey, so two schedulers can never open it twice.
    scheduled_for: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # A sender's claim while it posts a channel pulse (the run's one message); lapses if it died.
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the latest attempt to post it began: where in the channel's history a later sender looks for
    # it, if that attempt may have reached Slack (slack/posted.py).
    attempted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When retention removed the run's answers and deliveries (services/privacy/retention.py); the week's
    # figures live on in `kept_week` when it was shown, and the week stays hidden when it was not.
    purged_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # How many of the survey's managers were asked (only with `managers_answer`): the run's minimum group is
    # raised by that many, since their answers cannot be told apart from the team's.
    managers_asked: int = Field(default=0)
    # How many of the people asked had their pulse moved to a later week, or not sent, by the weekly limit
    # (services/pulse/asking.py): a count, never who; shown only as released (RunFigures.held).
    held: int = Field(default=0)

    __table_args__ = (UniqueConstraint("survey_id", "scheduled_for", name="uq_pulse_run_scheduled_for"),)


class Delivery(TeamScoped, table=True):
    """Who a run is for: never whether or what they answered. Nothing here changes when someone answers
    (whether they did is found by recomputing their answer token, services/pulse/answers.py)."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="pulse_run.id", index=True)
    user_id: str = Field(max_length=20)
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=_enum(DeliveryStatus))
    # Reminder times passed for this person, counted for everyone alike (answered or not), so the
    # count says nothing about who had answered by then.
    reminders_sent: int = Field(default=0)
    # When a DM delivery is due (the outbox); None for a channel pulse, which one message delivers.
    due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    # A sender's claim on this row while it posts the DM; a claim left by a sender that died lapses.
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the latest attempt to post the DM began (see PulseRun.attempted_at).
    attempted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=100)

    __table_args__ = (UniqueConstraint("run_id", "user_id"),)


class Answer(SQLModel, table=True):
    """An anonymous answer: keyed by a token of (person, run's key material), dated by the run, never by
    the click. Answers are written in shuffled batches (services/pulse/answer_mixer.py), so neither their
    order nor their transaction says which click they came from.

    The key is (run, question, respondent): no serial id that could be lined up with delivery order.
    """

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    respondent: str = Field(max_length=64, primary_key=True)
    run_date: date
    value: int | None = None
    # A choice's text; on a rated question, NOT_APPLICABLE when the person said it does not apply to them
    # (`value` then stays None, so no figure ever counts it as a score).
    choice: str | None = Field(default=None, max_length=200)
    comment: str | None = Field(default=None, max_length=2000)
    sentiment: float | None = None  # of the comment, in [-1, 1]; see services/results/sentiment.py
    # The run's cell the respondent fell in when it opened (`run_cell`): one of at least K people of its
    # audience, never their attributes. None for a run opened without people's attributes.
    cell: int | None = None

    # The weekly aggregates reach a window's answers through their runs: the ratings are read from the
    # first index alone, the comments' sentiment from the second (which holds only rows with a comment).
    __table_args__ = (
        Index("ix_answer_run_id_question_id_value", "run_id", "question_id", "value"),
        Index(
            "ix_answer_run_id_sentiment",
            "run_id",
            "sentiment",
            sqlite_where=text("comment IS NOT NULL"),
            postgresql_where=text("comment IS NOT NULL"),
        ),
    )


class RunSecret(SQLModel, table=True):
    """A run's answer-key material: answer tokens are HMAC(PULSEBOT_ANON_KEY and this secret, person).

    Destroyed (set to NULL) PULSEBOT_REPLY_WINDOW_DAYS after the run closes: from then on not even
    whoever holds the database and the key can recompute whose answers they were (forward anonymity).
    """

    __tablename__ = "run_secret"

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    secret: str | None = Field(default=None, max_length=64)  # 32 random bytes, hex
    destroyed_on: date | None = None


class Idea(TeamScoped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=1000)
    category: str = Field(default="other", max_length=40)
    stage: str | None = Field(default=None, max_length=40)
    author_id: str | None = Field(default=None, max_length=20)  # None when posted anonymously
    # An anonymous idea's own HMAC of (author, idea): lets its author follow it, links it to no other idea.
    # None on a signed idea (see services/idea/idea_authors.py).
    author_token: str | None = Field(default=None, max_length=64)
    # The per-person token of an anonymous idea stored before per-idea tokens, until it is re-tokened.
    legacy_author_token: str | None = Field(default=None, max_length=64, index=True)
    # Random, the row's own: both tokens are stored XORed with a pad made from it and the key, so that
    # forgetting a person can rewrite every anonymous idea alike (services/idea/idea_authors.py).
    author_mask: str | None = Field(default=None, max_length=32)
    status: IdeaStatus = Field(default=IdeaStatus.new, sa_type=_enum(IdeaStatus))
    status_reason: str | None = Field(default=None, max_length=500)
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))
    sentiment: float | None = None  # of the text, in [-1, 1]

    __table_args__ = (Index("ix_idea_team_id_status", "team_id", "status"),)


class IdeaNotice(TeamScoped, table=True):
    """What Slack still has to hear about an idea changed on the web dashboard, which posts nothing itself:
    a status change (`previous` set), for its card, its author's DM and a shipped note, or a card to redraw
    alone (`previous` None, after a forget-me). The scheduler takes each row and deletes it as it tells
    Slack (services/idea/idea_notices.py). It never names the idea's author."""

    __tablename__ = "idea_notice"

    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True)
    previous: IdeaStatus | None = Field(default=None, sa_type=_enum(IdeaStatus))
    changed_by: str | None = Field(default=None, max_length=20)  # None: a card to redraw, or forgotten
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class Vote(SQLModel, table=True):
    idea_id: int = Field(foreign_key="idea.id", primary_key=True)
    voter: str = Field(max_length=64, primary_key=True)  # HMAC of (person, idea), never the user id


class SeenRequest(SQLModel, table=True):
    """A Slack request already taken in (an event id, or a digest of the signed body), so a retry or
    a replay of it is acknowledged without being handled twice, whichever replica it reaches.

    Answers and comments never get one (their upsert is idempotent), and `seen_at` is coarse (the
    start of its ten minutes), so no exact time of a click sits beside anything answer-side."""

    __tablename__ = "seen_request"

    key: str = Field(max_length=80, primary_key=True)
    seen_at: datetime = Field(sa_column=_utc(nullable=False, index=True))


class SurveyManager(TeamScoped, table=True):
    """The managers of a team (a survey's audience): they get its weekly digest and drop alerts."""

    __tablename__ = "survey_manager"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)


class NoticeKind(enum.StrEnum):
    digest = "digest"
    drop_alert = "drop_alert"


class ManagerNotice(TeamScoped, table=True):
    """A digest or drop alert sent to a manager (or an admin, for the organisation), at most once a week.

    The row is written before the message is sent, so two schedulers cannot both send it.
    """

    __tablename__ = "manager_notice"

    team_id: str = Field(default="", max_length=20, primary_key=True)  # one org digest per workspace
    kind: NoticeKind = Field(sa_type=_enum(NoticeKind), primary_key=True)
    scope: str = Field(max_length=80, primary_key=True)  # the survey's name, or ORG_SCOPE
    user_id: str = Field(max_length=20, primary_key=True)
    week: date = Field(primary_key=True)  # Monday of the ISO week the notice is for
    sent_at: datetime = Field(sa_column=_utc(nullable=False))


class ConversationSubject(enum.StrEnum):
    comment = "comment"
    idea = "idea"


class ConversationStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class RelayDirection(enum.StrEnum):
    to_author = "to_author"
    to_manager = "to_manager"
    closed = "closed"  # the manager hears, as late as any message, that the author ended it


class Conversation(TeamScoped, table=True):
    """A manager's anonymous exchange with the author of a comment or an idea.

    It names the manager (who is not anonymous) and the comment's answer key or the idea, never the
    author: the relay finds the author afresh for each message by recomputing their token.
    """

    id: str = Field(max_length=32, primary_key=True)  # random, opaque: it rides on the DM buttons
    subject: ConversationSubject = Field(sa_type=_enum(ConversationSubject))
    # A comment is the answer (run, question, respondent token); an idea is its id.
    run_id: int | None = Field(default=None, foreign_key="pulse_run.id", index=True)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    respondent: str | None = Field(default=None, max_length=64)
    idea_id: int | None = Field(default=None, foreign_key="idea.id", index=True)
    manager_user_id: str = Field(max_length=20)
    status: ConversationStatus = Field(default=ConversationStatus.open, sa_type=_enum(ConversationStatus))
    created_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class ConversationMessage(TeamScoped, table=True):
    """One relayed message, held back until `deliver_at` so its timing does not point at its writer."""

    __tablename__ = "conversation_message"

    conversation_id: str = Field(foreign_key="conversation.id", primary_key=True, max_length=32)
    seq: int = Field(primary_key=True)
    direction: RelayDirection = Field(sa_type=_enum(RelayDirection))
    text: str = Field(max_length=2000)
    created_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    deliver_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    delivered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # A relay's claim while it posts the message; a claim left by a relay that died lapses.
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the latest attempt to post it began (see PulseRun.attempted_at).
    attempted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    error: str | None = Field(default=None, max_length=100)  # why it could never be delivered


class KeptWeek(SQLModel, table=True):
    """A shown team-week's totals, kept when retention removes its answers: the same additive totals the
    analytics count from the answers (services/results/analytics.py), so reports read it as if nothing
    were gone. A week under PULSEBOT_MIN_GROUP is never kept."""

    __tablename__ = "kept_week"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    week: date = Field(primary_key=True)  # Monday of the ISO week
    audience: int
    respondents: int
    comments: int
    rated_comments: int
    sentiment_total: float
    negative_comments: int
    positive_comments: int
    kept_at: datetime = Field(sa_column=_utc(nullable=False))


class KeptQuestion(SQLModel, table=True):
    """A rated question's totals in a kept week; None when fewer than PULSEBOT_MIN_GROUP answered it."""

    __tablename__ = "kept_question"

    survey_id: int = Field(primary_key=True)
    week: date = Field(primary_key=True)
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    answers: int | None = None
    total: int | None = None
    counts: list[int] | None = Field(default=None, sa_type=sa.JSON)  # answers per value 0..10

    __table_args__ = (
        sa.ForeignKeyConstraint(["survey_id", "week"], ["kept_week.survey_id", "kept_week.week"]),
    )


class RunFigures(SQLModel, table=True):
    """A closed run's figures, released once when it closes (services/results/release.py): every view of
    results reads these, never the answers. A run fewer than its minimum answered is released as withheld
    (`respondents` None) and keeps no figure at all."""

    __tablename__ = "run_figures"

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    released_at: datetime = Field(sa_column=_utc(nullable=False))
    respondents: int | None = None  # distinct answer tokens; None: withheld, fewer than the run's minimum
    asked: int | None = None  # delivery rows when it closed
    comments: int | None = None
    rated_comments: int | None = None
    sentiment_total: float | None = None
    negative_comments: int | None = None
    positive_comments: int | None = None
    # Sends the weekly limit held: only when the figures are released and at least the minimum group.
    held: int | None = None
    # The same count whatever its size (None when withheld), for the organisation's total only: never
    # shown for a team (services/results/analytics.py adds it up under its own rule).
    held_total: int | None = None


class RunQuestionFigures(SQLModel, table=True):
    """A rated question's totals in a released run; `answers` None when fewer than the run's minimum
    answered it (the question is then listed, and shown as hidden)."""

    __tablename__ = "run_question_figures"

    run_id: int = Field(foreign_key="run_figures.run_id", primary_key=True)
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    answers: int | None = None
    total: int | None = None
    counts: list[int] | None = Field(default=None, sa_type=sa.JSON)  # answers per value 0..10


class AuditAction(enum.StrEnum):
    digest_sent = "digest_sent"
    drop_alert_sent = "drop_alert_sent"
    digest_requested = "digest_requested"
    home_viewed = "home_viewed"
    report = "report"
    export = "export"
    forget = "forget"
    retention_run = "retention_run"
    workspace_adopted = "workspace_adopted"
    results_shared = "results_shared"
    action_created = "action_created"
    action_changed = "action_changed"
    # The web dashboard: a team's page seen, and a page refused (another team's, another workspace's).
    web_viewed = "web_viewed"
    web_refused = "web_refused"
    # The read-only API (web/api/): its tokens made and revoked, a call refused; its webhooks.
    api_token_created = "api_token_created"
    api_token_revoked = "api_token_revoked"
    api_refused = "api_refused"
    api_viewed = "api_viewed"  # a team's or the organisation's figures read through the API
    webhook_added = "webhook_added"
    webhook_removed = "webhook_removed"


class AuditEntry(TeamScoped, table=True):
    """Who looked at results or removed data, and when. Append-only: the migration adds triggers that
    refuse UPDATE and DELETE, and pulsebot has no function that would try."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    actor: str = Field(max_length=20)  # a Slack user id, or "cli", "scheduler", "forget-me"
    action: AuditAction = Field(sa_type=_enum(AuditAction))
    scope: str = Field(max_length=80)  # the survey's name, or "org"
    detail: str = Field(default="", max_length=300)


class ResultsShare(TeamScoped, table=True):
    """A team's week of results posted to its channel ("Share with the team"): at most once per week.

    The figures are the digest's own, so a share shows nothing a manager could not already see; it is
    kept to tell the team's response rate before and after sharing (`pulsebot report`)."""

    __tablename__ = "results_share"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    week: date = Field(primary_key=True)  # Monday of the ISO week shared
    shared_at: datetime = Field(sa_column=_utc(nullable=False))
    shared_by: str = Field(max_length=20)  # the manager's Slack id, or "scheduler" (`share_results: auto`)
    with_comments: bool = Field(default=False)
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)


class ActionStatus(enum.StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class FocusKind(enum.StrEnum):
    driver = "driver"  # a library driver id
    question = "question"  # a survey question's key
    theme = "theme"  # a comment theme's phrase


class TeamAction(TeamScoped, table=True):
    """What a team's managers will do about one of its results: a driver, a question or a comment theme."""

    __tablename__ = "team_action"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    focus_kind: FocusKind = Field(sa_type=_enum(FocusKind))
    focus_key: str = Field(max_length=200)
    focus_label: str = Field(max_length=200)  # as the manager saw it when choosing
    text: str = Field(max_length=300)
    owner_id: str = Field(max_length=20)
    due_on: date
    visible: bool = Field(default=True)  # the team sees it: posted to its channel, with "Is this helping?"
    status: ActionStatus = Field(default=ActionStatus.planned, sa_type=_enum(ActionStatus))
    status_reason: str | None = Field(default=None, max_length=500)  # why it was dropped
    created_by: str = Field(max_length=20)
    started_on: date  # the day it was planned: its focus's trend is read from the week before
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # done or dropped
    channel_id: str | None = Field(default=None, max_length=20)  # the team's channel post, when visible
    message_ts: str | None = Field(default=None, max_length=32)
    # The owner's reminders, each claimed (set) before its DM is sent so two schedulers never both send it.
    reminded_before: bool = Field(default=False)
    reminded_due: bool = Field(default=False)


class ActionNotice(TeamScoped, table=True):
    """What Slack still has to hear about an action posted to its team's channel and changed on the web
    dashboard, which posts nothing itself: a status change, told to the team and redrawn in its post, or
    an edit, redrawn alone. The scheduler takes each row and deletes it
    as it tells Slack (services/loop/action_notices.py)."""

    __tablename__ = "action_notice"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="team_action.id", index=True)
    # The move told to the team (both None for an edit): the status it left and the one it reached, since
    # the action may have moved on again before the notice is told.
    previous: ActionStatus | None = Field(default=None, sa_type=_enum(ActionStatus))
    status: ActionStatus | None = Field(default=None, sa_type=_enum(ActionStatus))
    changed_by: str | None = Field(default=None, max_length=20)  # None once they are forgotten
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class ActionCheck(TeamScoped, table=True):
    """One round of "Is this helping?" on a shared action: open for a few days, then only its counts stay.

    While open, answers are keyed like pulse answers by HMAC(PULSEBOT_ANON_KEY and this round's secret,
    person). At close the counts are kept (only when at least PULSEBOT_MIN_GROUP answered), the answers
    and the secret are deleted, and nothing links anyone to their answer any more."""

    __tablename__ = "action_check"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="team_action.id", index=True)
    # The action's status the round asks about: one round when it starts, one when it is done.
    for_status: ActionStatus = Field(sa_type=_enum(ActionStatus))
    opened_at: datetime = Field(sa_column=_utc(nullable=False))
    closes_at: datetime = Field(sa_column=_utc(nullable=False))
    status: RunStatus = Field(default=RunStatus.open, sa_type=_enum(RunStatus))
    secret: str | None = Field(default=None, max_length=64)
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)
    # Set at close, and only when at least the minimum group answered; otherwise `withheld`. The three
    # counts stay empty when they would tell a member how the others answered (the rule for distributions).
    answered: int | None = None
    yes: int | None = None
    not_yet: int | None = None
    no: int | None = None
    withheld: bool = Field(default=False)


class ActionCheckAnswer(SQLModel, table=True):
    """An anonymous "Is this helping?" answer, while its round is open (no Slack id, no time)."""

    __tablename__ = "action_check_answer"

    check_id: int = Field(foreign_key="action_check.id", primary_key=True)
    respondent: str = Field(max_length=64, primary_key=True)
    answer: str = Field(max_length=10)  # "yes", "not_yet" or "no"


class LoopPost(TeamScoped, table=True):
    """A month's "You said, we did" post to a team's channel: at most one per team and month."""

    __tablename__ = "loop_post"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    month: date = Field(primary_key=True)  # the first day of the month it covers
    posted_at: datetime = Field(sa_column=_utc(nullable=False))
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)


class Person(TeamScoped, table=True):
    """One person's HR attributes, for segments: imported from a CSV (`pulsebot people import`) or read
    from Slack profile fields. HR data, kept apart from survey data: no answer, run or figure refers to a
    row here; a run copies its audience's generalised cells when it opens (`run_cell`, `run_member`)."""

    __tablename__ = "person"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    department: str | None = Field(default=None, max_length=80)
    division: str | None = Field(default=None, max_length=80)  # above the department
    site: str | None = Field(default=None, max_length=80)
    region: str | None = Field(default=None, max_length=80)  # above the site
    start_date: date | None = None  # tenure bands are computed from it on the day a run opens
    # Their last day, when HR's export gives it: the exit survey is sent that day (services/onboarding/).
    end_date: date | None = None
    level: str | None = Field(default=None, max_length=40)
    manager_id: str | None = Field(default=None, max_length=20)  # the reporting line, one step up
    source: str = Field(default="csv", max_length=10)  # "csv" or "profile"
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class LeavePeriod(TeamScoped, table=True):
    """Someone on leave from one day through another, as an admin's import gave it
    (`pulsebot people leave FILE.csv`): runs opening on a day of it leave them out, as a pause does. The
    import is the whole list; a period goes when it ends (retention) or when its person is forgotten."""

    __tablename__ = "leave_period"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    starts: date = Field(primary_key=True)
    ends: date


class Snooze(TeamScoped, table=True):
    """Someone who paused their own pulses (`/pulse snooze`, App Home): through which day. Runs opening
    on or before it leave them out of their audience. Only the person sees it; it goes when it ends
    (retention) or when they are forgotten."""

    team_id: str = Field(default="", max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    through: date  # the last day paused: pulses resume the day after


class RunCell(SQLModel, table=True):
    """A run's cells: the combinations of generalised attributes its audience was grouped into when it
    opened, before any answer existed. Every cell holds at least K people of the audience (K >= the
    minimum group); an attribute generalised away is None ("not recorded"). `line` is the reporting line
    from the top down to the recorded manager, ids joined by "/"."""

    __tablename__ = "run_cell"

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    cell: int = Field(primary_key=True)
    people: int  # members of the audience in this cell
    department: str | None = Field(default=None, max_length=80)
    division: str | None = Field(default=None, max_length=80)
    site: str | None = Field(default=None, max_length=80)
    region: str | None = Field(default=None, max_length=80)
    tenure: str | None = Field(default=None, max_length=20)
    level: str | None = Field(default=None, max_length=40)
    line: str | None = Field(default=None, max_length=200)


class RunMember(SQLModel, table=True):
    """Which cell each person of a run's audience is in, read when they answer; deleted with the run's
    key material at the end of the reply window, after which no one can say whose cell was whose."""

    __tablename__ = "run_member"

    run_id: int = Field(foreign_key="pulse_run.id", primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    cell: int


class WebSession(TeamScoped, table=True):
    """Someone signed in to the web dashboard (web/): the session's random id is in their browser's cookie
    only, and here only as its SHA-256. `rights` is a digest of what they may see when they signed in (their
    role and the teams they manage): when pulsebot's rights for them no longer give the same digest, the
    session ends. No Slack token is kept."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=20, index=True)
    role: str = Field(max_length=10)  # member, manager or admin, as they signed in
    rights: str = Field(max_length=64)
    csrf_token: str = Field(max_length=64)  # sent back with every form of the session
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    last_seen_at: datetime = Field(sa_column=_utc(nullable=False))


class WebSignIn(SQLModel, table=True):
    """A sign-in with Slack under way: the `state` sent to Slack (hashed), the browser that started it
    (a hash of its sign-in cookie) and the nonce the id token must carry. Used once, within minutes."""

    __tablename__ = "web_signin"

    state_hash: str = Field(primary_key=True, max_length=64)
    browser_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_utc(nullable=False, index=True))


class SegmentRelease(TeamScoped, table=True):
    """One period's segment figures, released once after the period ended and every run opened in it was
    closed and released (services/segments/periods.py). Periods never overlap, so no two releases can be
    subtracted from each other."""

    __tablename__ = "segment_release"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=10)  # "2027-06" or "2027-Q2"
    starts_on: date
    ends_on: date  # the period's last day
    released_at: datetime = Field(sa_column=_utc(nullable=False))
    min_group: int  # the minimum the release was made under

    __table_args__ = (
        UniqueConstraint("team_id", "period", name="uq_segment_release_team_id_period"),
        UniqueConstraint("team_id", "starts_on", name="uq_segment_release_team_id_starts_on"),
    )


class SegmentFigure(SQLModel, table=True):
    """A released figure of one segment (a group of a table, e.g. department "Sales") for one measure
    ("respondents", a driver's key, "enps", "participation"). Every view of segments reads these rows and
    nothing else. A hidden row says why (`hidden`) and holds no figure at all."""

    __tablename__ = "segment_figure"

    release_id: int = Field(foreign_key="segment_release.id", primary_key=True)
    table_name: str = Field(max_length=40, primary_key=True)  # "department", "department × tenure", "line", …
    group_key: str = Field(max_length=200, primary_key=True)  # "Sales", "Sales × 1–2 years", a line's path
    measure: str = Field(max_length=40, primary_key=True)
    people: int | None = None  # responses, one per person a run (services/segments/segment_figures.py)
    answers: int | None = None  # the measure's answers (for participation: the people asked)
    value: float | None = None  # the mean, eNPS, or the share who answered
    hidden: str | None = Field(default=None, max_length=20)  # why it is hidden; None when shown


class SendPace(TeamScoped, table=True):
    """One workspace's pace of posting pulses, shared by every process sending for it on PostgreSQL
    (store/pace.py): the next free slot and the pause after a 429, by the database's clock."""

    __tablename__ = "send_pace"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    ceiling: float  # PULSEBOT_SEND_RATE: posts a second at most
    rate: float  # the pace now: lowered after a 429, creeping back to the ceiling
    next_slot: float = 0.0  # seconds since the epoch: when the next post may go
    held_until: float = 0.0  # no post before this (after a 429)
    clean: int = 0  # posts since the pace last changed


class DirectoryPerson(TeamScoped, table=True):
    """One active human of a workspace (bots, apps and deactivated accounts are never here): the list a
    Slack users.list read gives, kept current by Slack's `team_join` and `user_change` events
    (slack/workspace_people.py). Nothing else about the person but their time zone and Slack locale: the id
    is all that finding an anonymous idea's author needs, the zone tells when their working hours are, and
    the locale the language their pulses are written in when they chose none."""

    __tablename__ = "directory_person"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    # The full read that last listed them (or an event during or since it); a read's last page
    # removes whoever an earlier read listed and this one did not. The same for everyone after a read.
    generation: int = 0
    # Their Slack time zone (IANA name): pulses and reminders wait for their working hours.
    tz: str | None = Field(default=None, max_length=64)
    # Their Slack locale (`de-DE`): the language they are written to in when they chose none.
    locale: str | None = Field(default=None, max_length=20)


class PersonLanguage(TeamScoped, table=True):
    """The language someone chose for their own pulses (`/pulse language de`). Shown to no one but them,
    counted in no figure; deleted when they are forgotten."""

    __tablename__ = "person_language"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    language: str = Field(max_length=8)


class DirectoryRead(TeamScoped, table=True):
    """How far a workspace's directory is read: when its last full read ended, and the page an
    unfinished one goes on from."""

    __tablename__ = "directory_read"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    generation: int = 0  # the last full read that ended
    read_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # when it ended
    reading: int | None = None  # the read under way, if any (generation + 1)
    cursor: str | None = Field(default=None, max_length=200)  # users.list's cursor of its next page


class ApiToken(TeamScoped, table=True):
    """A token of the read-only API (services/api/tokens.py): what it may read (`scopes`, comma-separated),
    and the SHA-256 of its secret, never the secret itself, which is shown once when it is made."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)  # what the admin called it: the tool that uses it
    scopes: str = Field(max_length=200)
    secret_sha256: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Webhook(TeamScoped, table=True):
    """A URL told of idea status changes, shared results and action changes (services/api/webhooks.py).
    Its signing secret is derived from PULSEBOT_ANON_KEY and `salt`, so the table alone cannot sign."""

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    events: str = Field(max_length=200)  # comma-separated event kinds
    salt: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    removed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class WebhookDelivery(TeamScoped, table=True):
    """One event on its way to one webhook: written in the transaction of the change it tells, sent by the
    scheduler's `webhook-deliveries` sweep, tried again with backoff until it is answered 2xx or given up,
    then deleted. Its body never holds a person's answers or an anonymous idea's author."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", index=True)
    event: str = Field(max_length=40)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=_utc(nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str | None = Field(default=None, max_length=200)


class ChannelMember(TeamScoped, table=True):
    """One active human member of a survey's channel, with what a run needs of their profile: the list a
    conversations.members read gives, kept current by Slack's `member_joined_channel`,
    `member_left_channel`, `user_change` and `user_profile_changed` events
    (slack/channel_members.py), so opening a run reads this table instead of Slack."""

    __tablename__ = "channel_member"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    channel_id: str = Field(max_length=20, primary_key=True)
    user_id: str = Field(max_length=20, primary_key=True)
    tz: str | None = Field(default=None, max_length=64)  # their Slack time zone (their DMs' local time)
    runs_slack: bool = False  # an owner or admin of the Slack workspace (PULSEBOT_SLACK_ADMINS)
    # The read that last listed them (or an event during or since it): as the directory's.
    generation: int = 0


class ChannelRead(TeamScoped, table=True):
    """How far a survey channel's members are read: when its last full read ended, and the page an
    unfinished one goes on from."""

    __tablename__ = "channel_read"

    team_id: str = Field(default="", max_length=20, primary_key=True)
    channel_id: str = Field(max_length=20, primary_key=True)
    generation: int = 0  # the last full read that ended
    read_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # when it ended
    reading: int | None = None  # the read under way, if any (generation + 1)
    cursor: str | None = Field(default=None, max_length=200)  # conversations.members' cursor of its next page


class OnboardingCohort(TeamScoped, table=True):
    """New joiners who started in one calendar quarter: their onboarding answers are pooled here and
    released once, when the last day-90 pulse of the quarter has closed (services/onboarding/). The secret
    keys their respondent tokens and is deleted at the release, with the answers."""

    __tablename__ = "onboarding_cohort"

    id: int | None = Field(default=None, primary_key=True)
    cohort: str = Field(max_length=7)  # "2027-Q2"
    closes_on: date  # from this day on the cohort is released
    secret: str | None = Field(default=None, max_length=64)
    released_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    min_group: int | None = None  # the minimum the release was made under

    __table_args__ = (UniqueConstraint("team_id", "cohort", name="uq_onboarding_cohort_team_id_cohort"),)


class OnboardingPulse(TeamScoped, table=True):
    """One onboarding pulse owed to a new joiner (day 30, 60 or 90): who and when, never whether or what
    they answered. Deleted when their cohort is released, and when they are forgotten."""

    __tablename__ = "onboarding_pulse"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="onboarding_cohort.id", index=True)
    user_id: str = Field(max_length=20)
    milestone: int  # days after the start date: 30, 60 or 90
    due_on: date = Field(index=True)
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)
    # Owed from Slack's `team_join` (the join day standing in for a start date), not from HR's export.
    from_join: bool = Field(default=False)

    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "milestone"),)


class OnboardingAnswer(SQLModel, table=True):
    """An anonymous onboarding answer: its cohort and milestone only, no person, no start date, no time.
    Keyed by HMAC(PULSEBOT_ANON_KEY and the cohort's secret, person, milestone); deleted at the release."""

    __tablename__ = "onboarding_answer"

    cohort_id: int = Field(foreign_key="onboarding_cohort.id", primary_key=True)
    milestone: int = Field(primary_key=True)
    question_key: str = Field(max_length=40, primary_key=True)
    respondent: str = Field(max_length=64, primary_key=True)
    value: int


class OnboardingFigure(SQLModel, table=True):
    """A released onboarding figure of one cohort and milestone: `question_key` "respondents" for how many
    answered, else a question's mean. A hidden row says why and holds no figure."""

    __tablename__ = "onboarding_figure"

    cohort_id: int = Field(foreign_key="onboarding_cohort.id", primary_key=True)
    milestone: int = Field(primary_key=True)
    question_key: str = Field(max_length=40, primary_key=True)
    answers: int | None = None
    value: float | None = None
    hidden: str | None = Field(default=None, max_length=20)


class ExitSurvey(TeamScoped, table=True):
    """An exit survey sent to someone on their last day: confidential to HR, NOT anonymous. Read only by
    admins (`pulsebot exit report`), never by any figure; removed by retention and forget-me."""

    __tablename__ = "exit_survey"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=20, index=True)
    sent_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    channel_id: str | None = Field(default=None, max_length=20)
    message_ts: str | None = Field(default=None, max_length=32)


class ExitAnswer(SQLModel, table=True):
    """One answer of an exit survey, with the person's name on it through `exit_survey`."""

    __tablename__ = "exit_answer"

    exit_id: int = Field(foreign_key="exit_survey.id", primary_key=True)
    question_key: str = Field(max_length=40, primary_key=True)
    value: int | None = None
    choice: str | None = Field(default=None, max_length=200)
    answered_at: datetime = Field(sa_column=_utc(nullable=False))
