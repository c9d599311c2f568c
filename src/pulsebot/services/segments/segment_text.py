"""Released segment figures in words: the cells of the CLI's table, why a cell is hidden, who stands out,
a leader's roll-up, and the rows of the CSV (segment_views.py reads them)."""

from __future__ import annotations

from datetime import date

from pulsebot.services.segments.base_cells import ENPS, PARTICIPATION
from pulsebot.services.segments.segment_views import Figure, SegmentRow, SegmentTable, Standout, measure_name

HIDDEN = "—"
# Why a figure is hidden, in words (services/segments/disclosure.py Hidden's values).
WHY = {
    "too few": "fewer than {min_group} people answered",
    "remainder": "the rest of its whole once the others are shown: it would be their difference",
    "overlap": "too close to another segment: their difference would be a small group",
    "secondary": "hidden as well, so that a hidden neighbour cannot be worked out from it",
    "audit": "hidden after the release's audit found it narrowed down a hidden figure",
}
CSV_COLUMNS = ("period", "table", "segment", "measure", "people", "answers", "value", "hidden")


def period_words(table: SegmentTable) -> str:
    """`June 2027` or `2027-Q2 (Apr – Jun 2027)`."""
    if table.starts_on.month == table.ends_on.month:
        return f"{table.starts_on:%B %Y}"
    return f"{table.period} ({table.starts_on:%b} – {table.ends_on:%b %Y})"


def released_words(table: SegmentTable) -> str:
    return f"released {_day(table.released_at.date())}"


def value_text(measure: str, figure: Figure | None) -> str:
    """A cell as the table shows it: the figure, `— too few` when hidden, empty when not asked."""
    if figure is None:
        return ""
    if figure.hidden is not None or figure.value is None:
        return f"{HIDDEN} {figure.hidden or 'hidden'}"
    if measure == PARTICIPATION:
        return f"{100 * figure.value:.0f}%"
    if measure == ENPS:
        return f"{figure.value:+.0f}"
    return f"{figure.value:.1f}"


def people_text(row: SegmentRow) -> str:
    return f"{HIDDEN} {row.hidden}" if row.hidden is not None else str(row.people)


def reasons(table: SegmentTable) -> list[str]:
    """What each reason a figure of this table is hidden for means, for the ones that occur."""
    used = {row.hidden for row in table.rows} | {
        figure.hidden for row in table.rows for figure in row.figures.values()
    }
    return [f"{HIDDEN} {why}: {WHY[why].format(min_group=table.min_group)}" for why in WHY if why in used] + [
        f"{HIDDEN} {why}: hidden" for why in sorted(filter(None, used - set(WHY)))
    ]


def standout_line(standout: Standout) -> str:
    (high, high_value), (low, low_value) = standout.strongest, standout.weakest
    return (
        f"{measure_name(standout.driver)}: strongest {high} ({high_value:.1f}), "
        f"weakest {low} ({low_value:.1f}); a gap of {standout.gap:.1f}, "
        f"beyond its noise of {standout.noise:.1f}"
    )


def standout_lines(table: SegmentTable) -> list[str]:
    """Who stands out on each driver, and in one line the drivers on which no one does."""
    standouts = table.standouts()
    lines = [standout_line(standout) for standout in standouts if standout.strongest is not None]
    level = [measure_name(standout.driver) for standout in standouts if standout.strongest is None]
    if level:
        where = "any driver" if not lines else ", ".join(level)
        lines.append(f"No segment stands out on {where}: every gap there is within its noise.")
    if standouts:
        lines.append(NOISE_NOTE)
    return lines


NOISE_NOTE = (
    "A segment is named strongest or weakest only when its gap to the other is more than two standard "
    "errors, each taken at the largest its mean and people allow."
)


def table_lines(table: SegmentTable) -> list[str]:
    """The table as plain text, a column per segment and a line per measure (the demo prints it; the CLI
    draws a real table)."""
    names = ["Responses", *(measure_name(measure) for measure in table.measures)]
    columns = []
    for row in table.rows:
        cells = [people_text(row)]
        cells += [
            "" if row.hidden else value_text(measure, row.figure(measure)) for measure in table.measures
        ]
        columns.append((row.key, cells))
    label = max(len(name) for name in names) + 2
    widths = [max(len(key), *(len(cell) for cell in cells)) + 2 for key, cells in columns]
    lines = [f"Segments by {table.table}, {period_words(table)} ({released_words(table)})"]
    lines.append(
        (
            " " * (label + 2) + "".join(key.ljust(w) for (key, _), w in zip(columns, widths, strict=True))
        ).rstrip()
    )
    for index, name in enumerate(names):
        cells = "".join(cells[index].ljust(w) for (_, cells), w in zip(columns, widths, strict=True))
        lines.append(f"  {name.ljust(label)}{cells}".rstrip())
    if table.standouts():
        lines += ["", "Who stands out", *(f"  {line}" for line in standout_lines(table))]
    notes = reasons(table)
    if notes:
        lines += ["", *notes]
    return lines


def roll_up_lines(row: SegmentRow, table: SegmentTable) -> list[str]:
    """A leader's reporting line over the period, in two lines; or why it is hidden."""
    if row.hidden is not None:
        return [f"Hidden: {WHY.get(row.hidden, 'hidden').format(min_group=table.min_group)}."]
    head = f"{row.people:,} responses"
    participation, enps = row.figure(PARTICIPATION), row.figure(ENPS)
    if participation is not None:
        head += f" ({value_text(PARTICIPATION, participation)} of those asked)"
    if enps is not None:
        head += f"; eNPS {value_text(ENPS, enps)}"
    lines = [f"{head}."]
    drivers = [(driver, row.figure(driver)) for driver in table.drivers if row.figure(driver) is not None]
    drivers.sort(key=lambda item: (not item[1].shown, -(item[1].value or 0)))
    if drivers:
        lines.append("Drivers: " + " · ".join(f"{measure_name(d)} {value_text(d, f)}" for d, f in drivers))
    return lines


def csv_rows(table: SegmentTable) -> list[dict[str, str]]:
    rows = []
    for row in table.rows:
        rows.append(_csv_row(table, row.key, "respondents", Figure(people=row.people, hidden=row.hidden)))
        if row.hidden is not None:
            continue  # a hidden segment: one row saying why
        for measure in table.measures:
            figure = row.figure(measure)
            if figure is not None:
                rows.append(_csv_row(table, row.key, measure, figure))
    return rows


def _csv_row(table: SegmentTable, key: str, measure: str, figure: Figure) -> dict[str, str]:
    hidden = figure.hidden is not None
    return {
        "period": table.period,
        "table": table.table,
        "segment": key,
        "measure": measure,
        "people": "" if hidden or figure.people is None else str(figure.people),
        "answers": "" if hidden or figure.answers is None else str(figure.answers),
        "value": "" if hidden or figure.value is None else f"{figure.value:.4f}",
        "hidden": figure.hidden or "",
    }


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def digest_lines(table: SegmentTable) -> list[str]:
    """The organisation digest's word on a newly released period; its heatmap goes with it."""
    hidden = sum(row.hidden is not None for row in table.rows)
    shown = len(table.rows) - hidden
    lines = [
        f"{period_words(table)} by {table.table}: {shown} segments shown, {hidden} hidden; "
        "the heatmap of their drivers is attached."
    ]
    lines += [line for line in standout_lines(table) if line != NOISE_NOTE]
    lines.append(f"Every table of the period: pulsebot segments --period {table.period} --by {table.table}")
    return lines
