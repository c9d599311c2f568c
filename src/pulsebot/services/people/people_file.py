"""A CSV or HR export of people and their attributes: read it, check all of it, and name file, line and
column for each problem, so that a file with any problem writes nothing.

The file is checked in two steps. What the file alone can tell (columns, values, duplicates, a
department in two divisions) is found by `parse_people_file`; what needs the people's Slack ids (an email
Slack does not know, a manager who is not in the file, a reporting line that goes round in a circle) by
`resolve`, once the emails have been looked up in Slack. Every problem of both steps is reported at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pulsebot.services.people.attributes import (
    TEXTS,
    Attributes,
    BadValue,
    date_value,
    email_value,
    text_value,
    user_id_value,
)

KEYS = ("user_id", "email")
COLUMNS = (*KEYS, *TEXTS, "start_date", "end_date", "manager")
# Each of these lies within the one after it: a department in one division, a site in one region.
WITHIN = (("department", "division"), ("site", "region"))


class PeopleFileError(Exception):
    """Every problem found in a people file, one line each in the file's order."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    line: int
    user_id: str | None
    email: str | None  # in lower case
    attributes: Attributes  # without the manager, which is resolved with the whole file
    manager: str | None  # as the file names them: a Slack user id, or an email in lower case


@dataclass(frozen=True)
class Problem:
    line: int
    column: int  # the column's place in the header, so a line's problems keep the file's order
    text: str


@dataclass
class PeopleFile:
    source: str  # the file's name as the messages give it
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, column: str | None, text: str) -> None:
        place = self.columns.index(column) if column in self.columns else -1
        where = f"{self.source}, line {line}" + (f", {column}" if column else "")
        self.problems.append(Problem(line, place, f"{where}: {text}"))

    def emails_to_look_up(self) -> list[str]:
        """The emails of the people the file names by email only: their Slack ids are asked of Slack."""
        return list(dict.fromkeys(row.email for row in self.rows if row.user_id is None and row.email))


@dataclass(frozen=True)
class Imported:
    """One person as the file gives them, with their Slack id and their manager's."""

    user_id: str
    attributes: Attributes


def read_people_file(path: Path) -> PeopleFile:
    """Read and check `path` (UTF-8, with or without the byte order mark spreadsheets write)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PeopleFileError([f"{path.name}: not UTF-8 text; save it as CSV UTF-8"]) from None
    except OSError as error:
        raise PeopleFileError([f"{path.name}: cannot read the file ({error.strerror})"]) from None
    return parse_people_file(text, source=path.name)


def parse_people_file(text: str, *, source: str) -> PeopleFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise PeopleFileError([f"{source}, line 1: not a CSV header ({error})"]) from None
    if not header or not any(name.strip() for name in header):
        raise PeopleFileError(
            [f"{source}: no header line; the first line names the columns, e.g. email,department"]
        )
    columns = tuple(name.strip().lower() for name in header)
    people = PeopleFile(source=source, columns=columns)
    _check_header(people)
    if not any(key in columns for key in KEYS):
        raise PeopleFileError(
            [problem.text for problem in people.problems]
            + [
                f"{source}, line 1: no user_id or email column; "
                "each person is named by their Slack user id or their email"
            ]
        )
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # a blank line
            _read_row(people, reader.line_num, values)
    except csv.Error as error:
        people.problem(reader.line_num, None, f"not valid CSV ({error})")
    if not people.rows and not people.problems:
        raise PeopleFileError(
            [f"{source}: the file lists no one; an export that lists no one would remove everyone imported"]
        )
    _check_duplicates(people)
    _check_hierarchies(people)
    return people


def _check_header(people: PeopleFile) -> None:
    seen = set()
    for name in people.columns:
        if not name:
            people.problem(1, None, "a column without a name")
        elif name not in COLUMNS:
            people.problem(1, name, f"not a column pulsebot knows; the columns are {', '.join(COLUMNS)}")
        elif name in seen:
            people.problem(1, name, "the column appears twice")
        seen.add(name)


def _read_row(people: PeopleFile, line: int, values: list[str]) -> None:
    if len(values) != len(people.columns):
        people.problem(
            line, None, f"{len(values)} values, but the header names {len(people.columns)} columns"
        )
        return
    cells = {}
    for name, value in zip(people.columns, values, strict=True):
        cells.setdefault(name, value)  # a column named twice is reported once, from the header
    parsed: dict[str, object] = {}
    for name, raw in cells.items():
        if name not in COLUMNS:
            continue
        try:
            parsed[name] = _value(name, raw)
        except BadValue as error:
            people.problem(line, name, str(error))
            parsed[name] = _BAD
    user_id, email = parsed.get("user_id"), parsed.get("email")
    if user_id is None and email is None:
        key = next(name for name in KEYS if name in people.columns)
        people.problem(line, key, "empty; name the person by their Slack user id or email")
        return
    if _BAD in (user_id, email):
        return
    texts = {name: parsed.get(name) for name in TEXTS}
    start, end = parsed.get("start_date"), parsed.get("end_date")
    attributes = Attributes(
        **{name: None if value is _BAD else value for name, value in texts.items()},
        start_date=None if start is _BAD else start,
        end_date=None if end is _BAD else end,
    )
    manager = parsed.get("manager")
    people.rows.append(Row(line, user_id, email, attributes, None if manager is _BAD else manager))


_BAD = object()  # a value already reported


def _value(name: str, raw: str) -> object:
    if name == "user_id":
        return user_id_value(raw)
    if name == "email":
        return email_value(raw)
    if name in ("start_date", "end_date"):
        return date_value(raw)
    if name == "manager":
        if "@" in raw:
            return email_value(raw)
        try:
            return user_id_value(raw)
        except BadValue:
            raise BadValue(f"{raw.strip()!r} is not a Slack user id or an email address") from None
    return text_value(name, raw)


def _check_duplicates(people: PeopleFile) -> None:
    for key in KEYS:
        first: dict[str, int] = {}
        for row in people.rows:
            value = getattr(row, key)
            if value is None:
                continue
            if value in first:
                people.problem(row.line, key, f"{value} is already on line {first[value]}")
            else:
                first[value] = row.line


def _check_hierarchies(people: PeopleFile) -> None:
    for part, whole in WITHIN:
        first: dict[str, tuple[str, int]] = {}
        for row in people.rows:
            inner, outer = getattr(row.attributes, part), getattr(row.attributes, whole)
            if inner is None or outer is None:
                continue
            known = first.setdefault(inner, (outer, row.line))
            if known[0] != outer:
                people.problem(
                    row.line,
                    whole,
                    f"{outer!r} for {part} {inner!r}, which line {known[1]} puts in {known[0]!r}; "
                    f"a {part} lies in one {whole}",
                )


def resolve(people: PeopleFile, *, found: Mapping[str, str]) -> list[Imported]:
    """The people of the file with their Slack ids, `found` giving those of the emails Slack knows;
    PeopleFileError with every problem of the file, in the file's order, if there is any."""
    ids: dict[int, str] = {}  # line -> Slack id
    first_line: dict[str, int] = {}
    for row in people.rows:
        user_id = row.user_id or found.get(row.email or "")
        if user_id is None:
            people.problem(row.line, "email", f"{row.email} is not a member of this Slack workspace")
            continue
        if user_id in first_line and row.user_id is None:
            people.problem(
                row.line, "email", f"{row.email} is {user_id}, who is already on line {first_line[user_id]}"
            )
            continue
        first_line.setdefault(user_id, row.line)
        ids[row.line] = user_id
    by_email = {row.email: ids[row.line] for row in people.rows if row.email and row.line in ids}
    listed_emails = {row.email for row in people.rows if row.email}
    managers: dict[str, str] = {}
    for row in people.rows:
        if row.manager is None or row.line not in ids:
            continue
        manager = by_email.get(row.manager) if "@" in row.manager else row.manager
        if manager is None and row.manager in listed_emails:
            continue  # their own line says Slack does not know them
        if manager is None or manager not in first_line:
            people.problem(
                row.line, "manager", f"{row.manager} is not in the file; a manager needs a line of their own"
            )
        elif manager == ids[row.line]:
            people.problem(row.line, "manager", f"{row.manager} is the person themselves")
        else:
            managers[ids[row.line]] = manager
    _check_cycles(people, managers, first_line)
    if people.problems:
        ordered = sorted(people.problems, key=lambda problem: (problem.line, problem.column))
        raise PeopleFileError([problem.text for problem in ordered])
    return [
        Imported(ids[row.line], replace(row.attributes, manager_id=managers.get(ids[row.line])))
        for row in people.rows
    ]


def _check_cycles(people: PeopleFile, managers: dict[str, str], lines: dict[str, int]) -> None:
    """Each reporting line that comes back to where it started, reported once, at its first line."""
    settled: set[str] = set()
    for start in sorted(managers, key=lines.__getitem__):
        path: list[str] = []
        person = start
        while person in managers and person not in settled and person not in path:
            path.append(person)
            person = managers[person]
        settled.update(path)
        if person in path:
            circle = path[path.index(person) :]
            first = min(circle, key=lines.__getitem__)
            at = circle.index(first)
            circle = circle[at:] + circle[:at]
            people.problem(
                lines[first],
                "manager",
                f"the reporting line goes round in a circle: {' → '.join([*circle, first])}",
            )
