"""Small hand-made organisations for the disclosure rules, and what an attacker can learn from a release.

Answers are "alike but not unanimous": a cell's mood total sits between its answers' lowest and highest
possible sums without touching either end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pulsebot.services.segments.disclosure import (
    BaseCell,
    Group,
    Hidden,
    Released,
    Rules,
    attacker_bounds,
    people_floor,
)

RULES = Rules(min_group=5)


def cell(people: int, *, run: int = 1, answers: int | None = None, total: float | None = None) -> BaseCell:
    """A base cell whose respondents all answered "mood" (1-5) unless `answers` says otherwise."""
    answered = people if answers is None else answers
    mood = total if total is not None else 3.0 * answered + answered // 2
    return BaseCell(run, people, {"mood": _tally(answered, mood)})


def _tally(answers: int, total: float):
    from pulsebot.services.segments.disclosure import Tally

    return Tally(answers, total, 1.0, 5.0)


def group(
    table: str, key: str, cells: Iterable[int], min_people: int | None = None, *, fixed: bool = False
) -> Group:
    return Group(table, key, frozenset(cells), min_people, fixed=fixed)


def width(interval: tuple[float, float]) -> float:
    return interval[1] - interval[0]


def probe(
    cells: Sequence[BaseCell],
    groups: Sequence[Group],
    released: Released,
    members: Iterable[int],
    measure: str | None = None,
    rules: Rules = RULES,
) -> tuple[float, float]:
    """What an attacker holding every shown figure can tell of any set of cells (not itself a figure of
    the release): it is added as a hidden group, labelled truthfully, and bounded."""
    members = frozenset(members)
    labelled = Hidden.too_few if people_floor(cells, members) < rules.min_group else Hidden.audit
    hidden = dict(released.hidden)
    hidden[len(groups)] = labelled
    return attacker_bounds(
        cells,
        [*groups, Group("probe", "probe", members)],
        Released(hidden, released.hidden_measures),
        group=len(groups),
        measure=measure,
        rules=rules,
    )


def audit_holds(cells, groups, released: Released, rules: Rules = RULES) -> list[str]:
    """Every hidden figure the attacker can bound to the margin or closer (and knows is not empty)."""
    narrow = []
    figures = [(g, None) for g in released.hidden]
    figures += [
        (g, m) for g in released.hidden for m in {m for i in groups[g].cells for m in cells[i].tallies}
    ]
    figures += list(released.hidden_measures)
    for g, measure in figures:
        interval = attacker_bounds(cells, groups, released, group=g, measure=measure, rules=rules)
        unit = 1.0 if measure is None else _span(cells, groups[g], measure)
        if width(interval) > rules.margin * unit + 1e-6:
            continue
        count = attacker_bounds(cells, groups, released, group=g, measure=measure, rules=rules, answers=True)
        if count[1] <= 1e-6:
            continue  # known to hold nobody
        if measure is not None and _whole_range(cells, groups, released, rules, g, measure, unit):
            continue  # even knowing how many answered, the total can be anything their answers allow
        narrow.append(f"{groups[g].table} {groups[g].key} {measure or 'people'}: {interval}")
    return narrow


def _whole_range(cells, groups, released, rules, g, measure, unit) -> bool:
    """Whether, among the points keeping the group's true answer count, its total runs from every answer
    at the bottom of the scale to every answer at the top."""
    answers = sum(t.answers for i in groups[g].cells if (t := cells[i].tallies.get(measure)) is not None)
    held = attacker_bounds(cells, groups, released, group=g, measure=measure, rules=rules, hold_answers=True)
    return width(held) >= answers * unit - 1e-6


def _span(cells, group_, measure) -> float:
    spans = [t.high - t.low for i in group_.cells if (t := cells[i].tallies.get(measure)) is not None]
    return max(spans, default=0.0)


def shown_figures(cells, groups, released: Released) -> dict[tuple[str, str, str], float]:
    """What a viewer of the release sees: each shown group's people and each shown measure's answers and
    total."""
    figures = {}
    for g, group_ in enumerate(groups):
        if not released.shown(g):
            continue
        figures[(group_.table, group_.key, "people")] = sum(cells[i].people for i in group_.cells)
        for measure in sorted({m for i in group_.cells for m in cells[i].tallies}):
            if released.shown(g, measure):
                tallies = [cells[i].tallies[measure] for i in group_.cells if measure in cells[i].tallies]
                figures[(group_.table, group_.key, f"{measure} answers")] = sum(t.answers for t in tallies)
                figures[(group_.table, group_.key, f"{measure} total")] = sum(t.total for t in tallies)
    return figures
