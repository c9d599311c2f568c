"""How long a period's segment release takes (services/segments/disclosure.py `release`) on a synthetic
organisation, and where the time goes.

50,000 people in 20 departments (4 per division) at 30 sites (6 per region), 5 tenure bands, under a
6-level reporting line (5 division heads, 20 department heads, then 3 managers under each, three levels
down: 1,620 teams of about 31, each mostly at one site). Cells are the combinations (department, site,
tenure, the line down to the deepest manager) generalised until each holds at least 5 people: the line
is cut a level at a time, then the site becomes its region, the tenure its coarse band, then not
recorded. The period has two runs that ask everyone (three in four answer) 12 measures each, 4 of them
in both: 20 measures on a 1-5 scale, each answered by 95% of the respondents. The tables: organisation,
division, department, region, site, tenure, department × tenure, site × tenure, department × site, and
every node of the reporting line (its whole line), with the breakdowns between them.

    .venv/bin/python benchmarks/segment_release.py [--people 50000] [--seed 1] [--team-size 0] [--profile]
        [--rounds N]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pulsebot.services.segments import audit as rule5
from pulsebot.services.segments.disclosure import (
    BaseCell,
    Breakdown,
    Group,
    Released,
    Rules,
    Tally,
    hide_more,
    release,
    rules_1_to_4,
)
from pulsebot.services.segments.suppression import layout

TENURES = ("< 3 months", "3–12 months", "1–2 years", "2–5 years", "5 years +")
COARSE = {"< 3 months": "< 1 year", "3–12 months": "< 1 year"}
K = 5


def organisation(people: int, rng: random.Random, team_size: int = 0):
    """Each person: (department, site, tenure, line path of 6 manager ids). With `team_size`, only every
    k-th of the line's 1,620 lowest teams has people, so teams hold about that many at any size (a smaller
    company has fewer managers, not teams of three)."""
    teams = []
    for division in range(5):
        for d in range(4):
            department = division * 4 + d
            for a in range(3):
                for b in range(3):
                    for c in range(3):
                        for e in range(3):
                            path = (division, department, (department, a), (department, a, b))
                            path += ((department, a, b, c), (department, a, b, c, e))
                            teams.append((department, rng.randrange(30), path))
    if team_size:
        teams = teams[:: max(1, round(len(teams) * team_size / people))]
    persons = []
    for i in range(people):
        department, home, path = teams[i % len(teams)]
        site = home if rng.random() < 0.8 else rng.randrange(30)
        tenure = rng.choices(TENURES, weights=(10, 15, 20, 30, 25))[0]
        persons.append((department, site, tenure, path))
    return persons


def cells_of(persons):
    """Generalise (department, site, tenure, line) until every combination holds K people."""
    keys = {i: (p[0], p[1], p[2], 6) for i, p in enumerate(persons)}

    def regroup():
        counts = Counter(keys.values())
        return [i for i, key in keys.items() if counts[key] < K]

    steps = [("line", d) for d in (5, 4, 3, 2)] + [("site", None), ("tenure", None), ("all", None)]
    for kind, depth in steps:
        for i in regroup():
            department, site, tenure, _line = keys[i]
            if kind == "line":
                keys[i] = (department, site, tenure, depth)
            elif kind == "site":
                keys[i] = (department, ("region", site // 6) if isinstance(site, int) else site, tenure, 2)
            elif kind == "tenure":
                keys[i] = (department, site, COARSE.get(tenure, "1 year +"), 2)
            else:
                keys[i] = (department, None, None, 2)
    return keys


def build(people: int, seed: int, team_size: int = 0):
    rng = random.Random(seed)
    persons = organisation(people, rng, team_size)
    keys = cells_of(persons)
    members = defaultdict(list)
    for i, key in keys.items():
        department, site, tenure, depth = key
        members[(department, site, tenure, persons[i][3][depth - 1])].append(i)
    measures = [f"m{n:02d}" for n in range(20)]
    asked = {1: measures[:12], 2: measures[8:]}
    cells, described = [], []
    for cell_key, people_in in sorted(members.items(), key=lambda item: repr(item[0])):
        for run, questions in asked.items():
            answering = [p for p in people_in if rng.random() < 0.75]
            tallies = {}
            for measure in questions:
                values = [rng.choice((2, 3, 3, 4, 4, 4, 5)) for _ in answering if rng.random() < 0.95]
                tallies[measure] = Tally(len(values), float(sum(values)), 1.0, 5.0)
            cells.append(BaseCell(run, len(answering), tallies))
            described.append(cell_key)
    groups, breakdowns = tables(described)
    return cells, groups, breakdowns


def tables(described):
    by: dict[tuple, set[int]] = defaultdict(set)
    for index, (department, site, tenure, node) in enumerate(described):
        division = department // 4
        region = site[1] if isinstance(site, tuple) else None if site is None else site // 6
        exact_site = site if isinstance(site, int) else None
        entries = [("organisation", "all"), ("division", division), ("department", department)]
        if region is not None:
            entries.append(("region", region))
        if exact_site is not None:
            entries += [("site", exact_site), ("department × site", (department, exact_site))]
        if tenure in TENURES:
            entries += [("tenure", tenure), ("department × tenure", (department, tenure))]
            if exact_site is not None:
                entries.append(("site × tenure", (exact_site, tenure)))
        path = node if isinstance(node, tuple) else (node,)
        entries += [("line", path[: n + 1]) for n in range(len(path))] if isinstance(node, tuple) else []
        for entry in entries:
            by[entry].add(index)
    keys = sorted(by, key=repr)
    number = {key: n for n, key in enumerate(keys)}
    groups = [Group(table, repr(key), frozenset(by[(table, key)])) for table, key in keys]
    parts = defaultdict(list)
    for table, key in keys:
        if table in ("division", "region", "tenure"):
            parts[("organisation", "all")].append((table, key))
        elif table == "department":
            parts[("division", key // 4)].append((table, key))
        elif table == "site":
            parts[("region", key // 6)].append((table, key))
        elif table == "department × tenure":
            parts[("department", key[0])].append((table, key))
            parts[("tenure", key[1])].append((table, key))
        elif table == "site × tenure":
            parts[("site", key[0])].append((table, key))
            parts[("tenure", key[1])].append((table, key))
        elif table == "department × site":
            parts[("department", key[0])].append((table, key))
            parts[("site", key[1])].append((table, key))
        elif table == "line" and len(key) > 1:
            parts[("line", key[:-1])].append((table, key))
    breakdowns = []
    for whole, split in parts.items():
        kinds = defaultdict(list)
        for table, key in split:
            kinds[table].append(number[(table, key)])
        breakdowns += [Breakdown(number[whole], tuple(p)) for p in kinds.values() if whole in number]
    return groups, breakdowns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--team-size",
        type=int,
        default=0,
        help="people per lowest team (default: all 1,620 teams at any size)",
    )
    parser.add_argument("--profile", action="store_true", help="print where release() spends its time")
    parser.add_argument(
        "--rounds", type=int, default=0, help="stop after this many audit rounds and skip the whole release()"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    cells, groups, breakdowns = build(args.people, args.seed, args.team_size)
    print(
        f"built in {time.perf_counter() - started:.1f} s: {len(cells):,} base cells, {len(groups):,} groups, "
        f"{len(breakdowns):,} breakdowns, {len({m for c in cells for m in c.tallies})} measures, "
        f"{sum(c.people for c in cells):,} responses"
    )
    rules = Rules(min_group=5)

    started = time.perf_counter()
    lay = layout(cells, groups, breakdowns, rules)
    laid = time.perf_counter()
    hidden, hidden_measures = rules_1_to_4(lay)
    ruled = time.perf_counter()
    print(
        f"layout {laid - started:.2f} s; rules 1-4 {ruled - laid:.2f} s: {len(hidden):,} groups hidden "
        f"{dict(Counter(str(v) for v in hidden.values()))}, {len(hidden_measures):,} measures hidden"
    )
    rounds = 0
    while True:
        tick = time.perf_counter()
        result = rule5.audit(lay, Released(hidden, hidden_measures), rules)
        audited = time.perf_counter()
        more = bool(result.findings) and hide_more(lay, hidden, hidden_measures, result.findings)
        rounds += 1
        print(
            f"audit round {rounds}: {audited - tick:.2f} s, {result.atoms:,} atoms, "
            f"{result.by_swaps:,} hidden figures proved wide by swaps, "
            f"{result.by_lps:,} left to {result.lps} LPs, "
            f"{'exact' if result.exact else 'restricted'} model, {len(result.findings)} exposed; "
            f"then {len(hidden):,} groups and {len(hidden_measures):,} measures hidden"
        )
        if not more or rounds == args.rounds:
            break
    print(f"rules and audit, step by step: {time.perf_counter() - started:.2f} s")
    if args.rounds:
        return

    started = time.perf_counter()
    if args.profile:
        profiler = cProfile.Profile()
        released = profiler.runcall(release, cells, groups, breakdowns, rules)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        released = release(cells, groups, breakdowns, rules)
    elapsed = time.perf_counter() - started
    why = Counter(str(v) for v in released.hidden.values())
    print(
        f"release(): {elapsed:.2f} s; {len(released.hidden):,} of {len(groups):,} groups hidden {dict(why)}; "
        f"{len(released.hidden_measures):,} measures hidden on their own "
        f"{dict(Counter(str(v) for v in released.hidden_measures.values()))}"
    )
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")


if __name__ == "__main__":
    main()
