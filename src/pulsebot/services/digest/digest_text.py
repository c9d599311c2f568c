"""How digest figures read: numbers with arrows for change, and the whole digest as plain text.

Shared by the Block Kit builder, the CLI report and the offline demo, so every output says the same.
A change is always the difference of the two figures as shown (3.9 then 3.2 is "↓ 0.7", even when the
unrounded figures are 3.86 and 3.24), so a reader who checks it against the trend finds it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from pulsebot.services.digest.digests import Digest, DropAlert, IdeaLine, summarise
from pulsebot.services.digest.driver_text import arrow, summary_lines, window
from pulsebot.services.loop import progress_text as action_words
from pulsebot.services.privacy.distributions import TELLS
from pulsebot.services.results.analytics import QuestionWeek, WeekFigures, WeekStatus, withheld_words
from pulsebot.services.results.heatmap import enps_lines
from pulsebot.services.segments import segment_text
from pulsebot.store.models import IdeaStatus, QuestionKind

STATUS_WORDS = {
    IdeaStatus.new: "new",
    IdeaStatus.under_review: "under review",
    IdeaStatus.planned: "planned",
    IdeaStatus.done: "done",
    IdeaStatus.declined: "declined",
}


def shown_change(value: float | None, change: float | None, *, digits: int) -> float | None:
    """The change between the two figures as they are shown, each rounded to `digits`.

    `change` is the unrounded difference from the earlier week, so that week's figure is `value - change`.
    """
    if value is None or change is None:
        return None
    return round(value, digits) - round(value - change, digits)


def moved(value: float | None, change: float | None, *, digits: int) -> str:
    """The arrow for a figure shown with `digits` decimals: its change as the reader can check it."""
    return arrow(shown_change(value, change, digits=digits), digits=digits)


def with_shown_changes(figures: WeekFigures) -> WeekFigures:
    """A week whose changes are those of its figures as shown (mood to 0.1, eNPS to 1, sentiment to
    0.01, response rate to 1 point)."""
    rate = figures.response_rate
    rate_change = shown_change(
        None if rate is None else 100 * rate,
        None if figures.response_rate_change is None else 100 * figures.response_rate_change,
        digits=0,
    )
    return replace(
        figures,
        score_change=shown_change(figures.score, figures.score_change, digits=1),
        enps_change=shown_change(figures.enps, figures.enps_change, digits=0),
        sentiment_change=shown_change(figures.sentiment, figures.sentiment_change, digits=2),
        response_rate_change=None if rate_change is None else rate_change / 100,
    )


def as_shown(digest: Digest) -> Digest:
    """The digest with every change taken from the figures as shown, and its summary written from those,
    so "Mood fell 0.7 to 3.2" agrees with "3.2 ↓ 0.7" and with last week's 3.9 in the trend.

    A week that is not shown has no changes to word, and keeps its summary as it is.
    """
    if not digest.figures.shown:
        return digest
    figures = with_shown_changes(digest.figures)
    trend = tuple(with_shown_changes(week) for week in digest.trend)
    summary = summarise(figures, trend, digest.themes, min_group=digest.min_group)
    return replace(digest, figures=figures, trend=trend, summary=summary)


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def enps(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}"


def sentiment(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def week_label(week: date) -> str:
    end = week + timedelta(days=6)
    iso = week.isocalendar()
    if week.month == end.month:
        return f"{week.day}–{end.day} {end:%b %Y} (week {iso.week})"
    return f"{week.day} {week:%b} – {end.day} {end:%b %Y} (week {iso.week})"


def short_week(week: date) -> str:
    return f"{week.day} {week:%b}"


def hidden(min_group: int) -> str:
    return f"hidden: fewer than {min_group} answered"


def too_alike(answered: int) -> str:
    """Counts the rule for distributions withholds (services/privacy/distributions.py): only how many."""
    return f"{answered} answered, too alike to show: any figure {TELLS}"


def withheld(figures: WeekFigures, min_group: int) -> str:
    """A hidden week, and truthfully why: too few answered, its pulse is still open, or (for the
    organisation) no team's week could be shown."""
    return f"hidden: {withheld_words(figures, min_group)}"


def mood_words(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 0.25:
        return "mostly positive"
    if value >= 0.05:
        return "leaning positive"
    if value > -0.05:
        return "neutral"
    if value > -0.25:
        return "leaning negative"
    return "mostly negative"


def headline(figures: WeekFigures, min_group: int) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, each with its arrow."""
    if not figures.shown:
        return []
    pairs = [
        ("Mood (1–5)", _with_arrow(score(figures.score), figures.score, figures.score_change, 1)),
        ("eNPS", _with_arrow(enps(figures.enps), figures.enps, figures.enps_change, 0)),
        (
            "Answered",
            _with_arrow(
                f"{percent(figures.response_rate)} ({figures.respondents} of {figures.audience})",
                None if figures.response_rate is None else 100 * figures.response_rate,
                None if figures.response_rate_change is None else 100 * figures.response_rate_change,
                0,
                unit=" pts",
            ),
        ),
    ]
    if figures.held:
        # A count of the week's audience, released only at the minimum group or more: never who.
        pairs.append(("Held by the weekly limit", f"{figures.held} people's pulses, for a later week"))
    if figures.comments:
        mood = _with_arrow(sentiment(figures.sentiment), figures.sentiment, figures.sentiment_change, 2)
        detail = ""
        if figures.negative_share is not None:
            detail = (
                f", {percent(figures.negative_share)} negative, {percent(figures.positive_share)} positive"
            )
        if figures.unscored_comments:
            detail += (
                " (of the comments in English only: sentiment is not computed for comments in other "
                "languages)"
            )
        pairs.append(("Comments", f"{figures.comments}, sentiment {mood}{detail}"))
    else:
        pairs.append(("Comments", "none this week"))
    return pairs


def question_line(question: QuestionWeek, min_group: int) -> str:
    """`prompt — figure (detail)`, or the prompt and why its figure is hidden."""
    if question.too_alike:
        return f"{question.prompt} — {too_alike(question.answers)}"
    if question.status is not WeekStatus.shown:
        return f"{question.prompt} — {hidden(min_group)}"
    if question.kind is QuestionKind.scale:
        spread = " · ".join(str(count) for count in question.distribution)
        return f"{question.prompt} — {question.mean:.1f} of 5 (answers 1 to 5: {spread})"
    if question.kind is QuestionKind.yes_no:
        no, yes = question.distribution
        return f"{question.prompt} — {percent(question.mean)} yes ({yes} yes, {no} no)"
    promoters = sum(question.distribution[9:11])
    detractors = sum(question.distribution[0:7])
    passives = question.answers - promoters - detractors
    return (
        f"{question.prompt} — eNPS {enps(question.enps)} "
        f"({promoters} promoters, {passives} passives, {detractors} detractors)"
    )


def idea_line(idea: IdeaLine) -> str:
    votes = f"{idea.votes} {'vote' if idea.votes == 1 else 'votes'}"
    return f"#{idea.id} {idea.text} · {votes} · {STATUS_WORDS[idea.status]}"


def waiting_line(idea: IdeaLine) -> str:
    votes = f"{idea.votes} {'vote' if idea.votes == 1 else 'votes'}"
    return f"#{idea.id} {idea.text} · {votes} · {STATUS_WORDS[idea.status]} for {idea.days_waiting} days"


@dataclass(frozen=True)
class IdeaLists:
    """The digest's two idea lists as shown: each idea once, and how many waiting ones are not listed."""

    top: tuple[IdeaLine, ...]
    waiting: tuple[IdeaLine, ...]
    waiting_total: int

    @property
    def waiting_title(self) -> str:
        return f"Waiting for a decision for over two weeks ({self.waiting_total})"

    @property
    def more_waiting(self) -> str:
        """`and 2 more`, or "" when every waiting idea is listed."""
        more = self.waiting_total - len(self.waiting)
        return f"and {more} more" if more > 0 else ""


def idea_lists(digest: Digest) -> IdeaLists:
    """An idea that is both among the most voted and waiting for a decision is listed under Waiting (with
    its votes), where a manager can act on it, and not again under Top ideas."""
    waiting_ids = {idea.id for idea in digest.waiting_ideas}
    top = tuple(idea for idea in digest.top_ideas if idea.id not in waiting_ids)
    return IdeaLists(top=top, waiting=digest.waiting_ideas, waiting_total=digest.waiting_total)


def render_text(digest: Digest) -> str:
    """The digest as plain text (the demo writes it; it is also the notification text's longer cousin)."""
    digest = as_shown(digest)
    lines = [f"{digest.title}: week of {week_label(digest.week)}", "", digest.summary, ""]
    figures = digest.figures
    for label, value in headline(figures, digest.min_group):
        lines.append(f"  {label:<12} {value}")
    if figures.shown and figures.questions:
        lines += ["", "Questions"]
        lines += [f"  - {question_line(q, digest.min_group)}" for q in figures.questions]
    if digest.drivers is not None:
        lines += ["", f"Drivers over {window(digest.drivers)}"]
        lines += [f"  {line}" for line in summary_lines(digest.drivers, digest.min_group)]
    if digest.actions:
        lines += ["", "Actions"]
        today = digest.week + timedelta(days=6)
        for action in digest.actions:
            lines.append(f"  - {action_words.headline(action, today=today)} · owner <@{action.owner_id}>")
            lines += [
                f"    {line}" for line in action_words.progress_lines(action, min_group=digest.min_group)
            ]
    if digest.enps_links is not None:
        lines += ["", "What moves eNPS"]
        lines += [f"  {line}" for line in enps_lines(digest.enps_links)]
    if digest.segments is not None:
        lines += ["", f"Segments, {segment_text.period_words(digest.segments)}"]
        lines += [f"  {line}" for line in segment_text.digest_lines(digest.segments)]
    if digest.line_roll_up is not None:
        lines += ["", line_roll_up_title(digest)]
        lines += [
            f"  {line}"
            for line in segment_text.roll_up_lines(digest.line_roll_up.row, digest.line_roll_up.table)
        ]
    if digest.teams:
        lines += ["", "Teams"]
        for team in digest.teams:
            lines.append(f"  - {team_line(team.title, team.figures, digest.min_group)}")
    if digest.themes:
        lines += ["", "Themes in the comments"]
        lines += [f"  - {theme.phrase} ({theme.comments} comments)" for theme in digest.themes]
    if digest.comments:
        lines += ["", "In their words"]
        lines += [f"  > {comment}" for comment in digest.comments]
    trend = [week for week in digest.trend if week.status is not WeekStatus.no_data]
    if trend:
        lines += ["", "Trend"]
        for week in digest.trend:
            lines.append(f"  {trend_row(week, digest.min_group)}")
    ideas = idea_lists(digest)
    if ideas.top:
        lines += ["", "Top ideas"]
        lines += [f"  - {idea_line(idea)}" for idea in ideas.top]
    if ideas.waiting:
        lines += ["", ideas.waiting_title]
        lines += [f"  - {waiting_line(idea)}" for idea in ideas.waiting]
        if ideas.more_waiting:
            lines.append(f"  {ideas.more_waiting}")
    lines += ["", footer(digest.min_group)]
    return "\n".join(lines) + "\n"


def line_roll_up_title(digest: Digest) -> str:
    return f"Your reporting line, {segment_text.period_words(digest.line_roll_up.table)}"


def team_line(title: str, figures: WeekFigures, min_group: int) -> str:
    if figures.status is WeekStatus.no_data:
        return f"{title}: no pulse this week"
    if not figures.shown:
        return f"{title}: {withheld(figures, min_group)}"
    return (
        f"{title}: mood {_with_arrow(score(figures.score), figures.score, figures.score_change, 1)}, "
        f"eNPS {enps(figures.enps)}, {figures.respondents} answered ({percent(figures.response_rate)})"
    )


def trend_row(week: WeekFigures, min_group: int) -> str:
    label = f"{short_week(week.week):>6}"
    if week.status is WeekStatus.no_data:
        return f"{label}  no pulse"
    if not week.shown:
        return f"{label}  {withheld(week, min_group)}"
    return (
        f"{label}  mood {score(week.score):>3}  eNPS {enps(week.enps):>4}  "
        f"sentiment {sentiment(week.sentiment):>5}  answered {percent(week.response_rate):>4}"
    )


def footer(min_group: int) -> str:
    return f"Figures are shown only for groups of at least {min_group} people, so no one can be singled out."


def drop_alert_text(alert: DropAlert) -> str:
    moves = []
    mood_fell = shown_change(alert.score, alert.score_change, digits=1)
    if mood_fell is not None and mood_fell < 0:
        moves.append(f"mood fell {abs(mood_fell):.1f} to {alert.score:.1f} of 5")
    sentiment_fell = shown_change(alert.sentiment, alert.sentiment_change, digits=2)
    if sentiment_fell is not None and sentiment_fell < 0:
        moves.append(f"comment sentiment fell {abs(sentiment_fell):.2f} to {alert.sentiment:+.2f}")
    what = " and ".join(moves) or "figures fell"
    return (
        f"Heads-up on {alert.title}: in the week of {short_week(alert.week)}, {what} "
        f"compared with the week of {short_week(alert.compared_with)}. "
        "A quick, open conversation with the team often helps more than waiting for next week's numbers."
    )


def _with_arrow(text: str, value: float | None, change: float | None, digits: int, unit: str = "") -> str:
    change_text = moved(value, change, digits=digits)
    return f"{text} {change_text}{unit}" if change_text else text
