"""How digest figures read: numbers with arrows for change, and the whole digest as plain text.

Shared by the Block Kit builder, the CLI report and the offline demo, so every output says the same.
A change is always the difference of the two figures as shown (3.9 then 3.2 is "↓ 0.7", even when the
unrounded figures are 3.86 and 3.24), so a reader who checks it against the trend finds it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from pulsebot.i18n import ENGLISH, N_, Translator
from pulsebot.services.digest.digests import Digest, DropAlert, IdeaLine, summarise
from pulsebot.services.digest.driver_text import arrow, summary_lines, window
from pulsebot.services.loop import progress_text as action_words
from pulsebot.services.results.analytics import QuestionWeek, WeekFigures, WeekStatus, withheld_words
from pulsebot.services.results.heatmap import enps_lines
from pulsebot.services.segments import segment_text
from pulsebot.store.models import IdeaStatus, QuestionKind

STATUS_WORDS = {
    IdeaStatus.new: N_("new"),
    IdeaStatus.under_review: N_("under review"),
    IdeaStatus.planned: N_("planned"),
    IdeaStatus.done: N_("done"),
    IdeaStatus.declined: N_("declined"),
}


def shown_change(value: float | None, change: float | None, *, digits: int) -> float | None:
    """The change between the two figures as they are shown, each rounded to `digits`.

    `change` is the unrounded difference from the earlier week, so that week's figure is `value - change`.
    """
    if value is None or change is None:
        return None
    return round(value, digits) - round(value - change, digits)


def moved(value: float | None, change: float | None, *, digits: int, tr: Translator = ENGLISH) -> str:
    """The arrow for a figure shown with `digits` decimals: its change as the reader can check it."""
    return arrow(shown_change(value, change, digits=digits), digits=digits, tr=tr)


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


def as_shown(digest: Digest, tr: Translator = ENGLISH) -> Digest:
    """The digest with every change taken from the figures as shown, and its summary written from those,
    so "Mood fell 0.7 to 3.2" agrees with "3.2 ↓ 0.7" and with last week's 3.9 in the trend.

    A week that is not shown has no changes to word, and keeps its summary as it is (said again in the
    reader's language, `tr`).
    """
    if not digest.figures.shown:
        if tr is ENGLISH:
            return digest
        said = summarise(digest.figures, digest.trend, digest.themes, min_group=digest.min_group, tr=tr)
        return replace(digest, summary=said)
    figures = with_shown_changes(digest.figures)
    trend = tuple(with_shown_changes(week) for week in digest.trend)
    summary = summarise(figures, trend, digest.themes, min_group=digest.min_group, tr=tr)
    return replace(digest, figures=figures, trend=trend, summary=summary)


def score(value: float | None, tr: Translator = ENGLISH) -> str:
    return "–" if value is None else tr.fixed(value, 1)


def enps(value: float | None, tr: Translator = ENGLISH) -> str:
    return "–" if value is None else tr.fixed(value, 0, signed=True)


def sentiment(value: float | None, tr: Translator = ENGLISH) -> str:
    return "–" if value is None else tr.fixed(value, 2, signed=True)


def percent(value: float | None, tr: Translator = ENGLISH) -> str:
    return "–" if value is None else tr.percent(value)


def week_label(week: date) -> str:
    end = week + timedelta(days=6)
    iso = week.isocalendar()
    if week.month == end.month:
        return f"{week.day}–{end.day} {end:%b %Y} (week {iso.week})"
    return f"{week.day} {week:%b} – {end.day} {end:%b %Y} (week {iso.week})"


def short_week(week: date, tr: Translator = ENGLISH) -> str:
    return tr.short_day(week)


def hidden(min_group: int, tr: Translator = ENGLISH) -> str:
    return tr.gettext("hidden: fewer than {min_group} answered").format(min_group=min_group)


def too_alike(answered: int, tr: Translator = ENGLISH) -> str:
    """Counts the rule for distributions withholds (services/privacy/distributions.py's TELLS): only how
    many."""
    return tr.gettext(
        "{answered} answered, too alike to show: any figure would tell someone how a colleague answered"
    ).format(answered=answered)


def withheld(figures: WeekFigures, min_group: int, tr: Translator = ENGLISH) -> str:
    """A hidden week, and truthfully why: too few answered, its pulse is still open, or (for the
    organisation) no team's week could be shown."""
    return tr.gettext("hidden: {reason}").format(reason=withheld_words(figures, min_group, tr))


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


def headline(figures: WeekFigures, min_group: int, tr: Translator = ENGLISH) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, each with its arrow, in the reader's language."""
    if not figures.shown:
        return []
    _ = tr.gettext
    answered = _("{percent} ({respondents} of {audience})").format(
        percent=percent(figures.response_rate, tr), respondents=figures.respondents, audience=figures.audience
    )
    pairs = [
        (_("Mood (1–5)"), _with_arrow(score(figures.score, tr), figures.score, figures.score_change, 1, tr)),
        ("eNPS", _with_arrow(enps(figures.enps, tr), figures.enps, figures.enps_change, 0, tr)),
        (
            _("Answered"),
            _with_arrow(
                answered,
                None if figures.response_rate is None else 100 * figures.response_rate,
                None if figures.response_rate_change is None else 100 * figures.response_rate_change,
                0,
                tr,
                unit=" " + _("pts"),
            ),
        ),
    ]
    if figures.held:
        # A count of the week's audience, released only at the minimum group or more: never who.
        held = tr.ngettext(
            "{count} person's pulse, for a later week",
            "{count} people's pulses, for a later week",
            figures.held,
        )
        pairs.append((_("Held by the weekly limit"), held.format(count=figures.held)))
    if figures.comments:
        mood = _with_arrow(
            sentiment(figures.sentiment, tr), figures.sentiment, figures.sentiment_change, 2, tr
        )
        detail = ""
        if figures.negative_share is not None:
            detail = _(", {negative} negative, {positive} positive").format(
                negative=percent(figures.negative_share, tr), positive=percent(figures.positive_share, tr)
            )
        if figures.unscored_comments:
            detail += " " + _(
                "(of the comments in English only: sentiment is not computed for comments in other languages)"
            )
        said = _("{count}, sentiment {mood}{detail}").format(count=figures.comments, mood=mood, detail=detail)
        pairs.append((_("Comments"), said))
    else:
        pairs.append((_("Comments"), _("none this week")))
    return pairs


def question_line(question: QuestionWeek, min_group: int, tr: Translator = ENGLISH) -> str:
    """`prompt — figure (detail)`, or the prompt and why its figure is hidden."""
    _ = tr.gettext
    if question.too_alike:
        return f"{question.prompt} — {too_alike(question.answers, tr)}"
    if question.status is not WeekStatus.shown:
        return f"{question.prompt} — {hidden(min_group, tr)}"
    if question.kind is QuestionKind.scale:
        spread = " · ".join(str(count) for count in question.distribution)
        said = _("{mean} of 5 (answers 1 to 5: {spread})").format(
            mean=tr.fixed(question.mean, 1), spread=spread
        )
        return f"{question.prompt} — {said}"
    if question.kind is QuestionKind.yes_no:
        no, yes = question.distribution
        said = _("{percent} yes ({yes} yes, {no} no)").format(
            percent=percent(question.mean, tr), yes=yes, no=no
        )
        return f"{question.prompt} — {said}"
    promoters = sum(question.distribution[9:11])
    detractors = sum(question.distribution[0:7])
    passives = question.answers - promoters - detractors
    said = _("eNPS {enps} ({promoters} promoters, {passives} passives, {detractors} detractors)").format(
        enps=enps(question.enps, tr), promoters=promoters, passives=passives, detractors=detractors
    )
    return f"{question.prompt} — {said}"


def idea_line(idea: IdeaLine, tr: Translator = ENGLISH) -> str:
    votes = tr.ngettext("{count} vote", "{count} votes", idea.votes).format(count=idea.votes)
    return f"#{idea.id} {idea.text} · {votes} · {tr.gettext(STATUS_WORDS[idea.status])}"


def waiting_line(idea: IdeaLine, tr: Translator = ENGLISH) -> str:
    votes = tr.ngettext("{count} vote", "{count} votes", idea.votes).format(count=idea.votes)
    status = tr.ngettext("{status} for {count} day", "{status} for {count} days", idea.days_waiting).format(
        status=tr.gettext(STATUS_WORDS[idea.status]), count=idea.days_waiting
    )
    return f"#{idea.id} {idea.text} · {votes} · {status}"


@dataclass(frozen=True)
class IdeaLists:
    """The digest's two idea lists as shown: each idea once, and how many waiting ones are not listed."""

    top: tuple[IdeaLine, ...]
    waiting: tuple[IdeaLine, ...]
    waiting_total: int
    tr: Translator = ENGLISH

    @property
    def waiting_title(self) -> str:
        return self.tr.gettext("Waiting for a decision for over two weeks ({count})").format(
            count=self.waiting_total
        )

    @property
    def more_waiting(self) -> str:
        """`and 2 more`, or "" when every waiting idea is listed."""
        more = self.waiting_total - len(self.waiting)
        return self.tr.gettext("and {count} more").format(count=more) if more > 0 else ""


def idea_lists(digest: Digest, tr: Translator = ENGLISH) -> IdeaLists:
    """An idea that is both among the most voted and waiting for a decision is listed under Waiting (with
    its votes), where a manager can act on it, and not again under Top ideas."""
    waiting_ids = {idea.id for idea in digest.waiting_ideas}
    top = tuple(idea for idea in digest.top_ideas if idea.id not in waiting_ids)
    return IdeaLists(top=top, waiting=digest.waiting_ideas, waiting_total=digest.waiting_total, tr=tr)


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


def team_line(title: str, figures: WeekFigures, min_group: int, tr: Translator = ENGLISH) -> str:
    if figures.status is WeekStatus.no_data:
        return tr.gettext("{title}: no pulse this week").format(title=title)
    if not figures.shown:
        return f"{title}: {withheld(figures, min_group, tr)}"
    return tr.gettext("{title}: mood {mood}, eNPS {enps}, {respondents} answered ({percent})").format(
        title=title,
        mood=_with_arrow(score(figures.score, tr), figures.score, figures.score_change, 1, tr),
        enps=enps(figures.enps, tr),
        respondents=figures.respondents,
        percent=percent(figures.response_rate, tr),
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


def footer(min_group: int, tr: Translator = ENGLISH) -> str:
    return tr.gettext(
        "Figures are shown only for groups of at least {min_group} people, so no one can be singled out."
    ).format(min_group=min_group)


def drop_alert_text(alert: DropAlert, tr: Translator = ENGLISH) -> str:
    _ = tr.gettext
    moves = []
    mood_fell = shown_change(alert.score, alert.score_change, digits=1)
    if mood_fell is not None and mood_fell < 0:
        moves.append(
            _("mood fell {change} to {score} of 5").format(
                change=tr.fixed(abs(mood_fell), 1), score=tr.fixed(alert.score, 1)
            )
        )
    sentiment_fell = shown_change(alert.sentiment, alert.sentiment_change, digits=2)
    if sentiment_fell is not None and sentiment_fell < 0:
        moves.append(
            _("comment sentiment fell {change} to {sentiment}").format(
                change=tr.fixed(abs(sentiment_fell), 2), sentiment=tr.fixed(alert.sentiment, 2, signed=True)
            )
        )
    what = _("{first} and {second}").format(first=moves[0], second=moves[1]) if len(moves) == 2 else None
    what = what or (moves[0] if moves else _("figures fell"))
    return _(
        "Heads-up on {title}: in the week of {week}, {what} compared with the week of {earlier}. "
        "A quick, open conversation with the team often helps more than waiting for next week's numbers."
    ).format(
        title=alert.title,
        week=short_week(alert.week, tr),
        what=what,
        earlier=short_week(alert.compared_with, tr),
    )


def _with_arrow(
    text: str,
    value: float | None,
    change: float | None,
    digits: int,
    tr: Translator = ENGLISH,
    unit: str = "",
) -> str:
    change_text = moved(value, change, digits=digits, tr=tr)
    return f"{text} {change_text}{unit}" if change_text else text
