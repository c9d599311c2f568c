"""Survey definitions as YAML (config as code): parse, validate, and name file, line and field on error."""

from __future__ import annotations

import enum
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pulsebot.i18n import LANGUAGES
from pulsebot.services.survey.library import LIBRARY_NAME, engagement_library
from pulsebot.services.survey.schedules import MAX_REMINDERS, parse_reminder
from pulsebot.store.models import DeliveryMode, QuestionKind

ENPS_PROMPT = "How likely are you to recommend working here to a friend?"
BUTTON_TEXT_LIMIT = 75  # Slack's limit for a button's label
MAX_OWN_QUESTIONS = 5
MAX_PER_RUN = 8  # own questions, library items and eNPS together: a pulse stays a minute's work


class EnpsCadence(enum.StrEnum):
    """How often a library survey asks the library's eNPS: in every run, or in the first run of each
    calendar month or quarter (by the run's date in the survey's time zone)."""

    every_pulse = "every_pulse"
    monthly = "monthly"
    quarterly = "quarterly"
    off = "off"


class ShareResults(enum.StrEnum):
    """Who posts the team's weekly results to its channel: a manager from the digest ("Share with the
    team"), or pulsebot itself once the digest time has passed (services/loop/sharing.py)."""

    manual = "manual"
    auto = "auto"


_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,19}")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            "use lower case letters, digits, - and _, starting with a letter or digit (e.g. team-pulse)"
        )
    return value


class SurveyFileError(Exception):
    """Every problem found in a survey file, one line each in the file's order: FILE:LINE: FIELD: problem."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class QuestionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(max_length=40), AfterValidator(_slug)]
    kind: QuestionKind
    prompt: Annotated[str | None, Field(min_length=1, max_length=300, validate_default=True)] = None
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=BUTTON_TEXT_LIMIT)]] | None,
        Field(validate_default=True),
    ] = None
    # On a text question: the answer may not be blank. Rated questions are one click, and the comment
    # that may follow them is always optional; there `required` only marks the question as such.
    required: bool = False
    # On a rated question: an "N/A" button beside its values, for people it does not apply to. Their
    # answer counts towards the response rate and in none of the question's figures.
    not_applicable: bool = False

    # Field validators (not one model validator) so an error names the field, in a file and in the modal.
    @field_validator("prompt")
    @classmethod
    def _prompt_for_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if value is None and kind is QuestionKind.enps:
            return ENPS_PROMPT
        if value is None and kind is not None:
            raise ValueError("prompt is required for this kind of question")
        return value

    @field_validator("options")
    @classmethod
    def _options_for_kind(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("kind")
        if kind is QuestionKind.choice:
            if not value or not 2 <= len(value) <= 10:
                raise ValueError("a choice question needs 2 to 10 options")
            if len(set(value)) != len(value):
                raise ValueError("options must differ from each other")
        elif value is not None and kind is not None:
            raise ValueError("only a choice question takes options")
        return value

    @field_validator("not_applicable")
    @classmethod
    def _rated_only(cls, value: bool, info: ValidationInfo) -> bool:
        kind = info.data.get("kind")
        if value and kind in (QuestionKind.choice, QuestionKind.text):
            raise ValueError(
                f"only a rated question (scale, enps or yes_no) offers “N/A”; a {kind.value} question "
                "can simply be left unanswered"
            )
        return value


class SurveySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=80), AfterValidator(_slug)]
    title: Annotated[str, Field(min_length=1, max_length=150)] | None = None
    channel: str
    delivery: DeliveryMode = DeliveryMode.channel
    schedule: str | None = None
    timezone: str = "UTC"
    open_days: Annotated[int, Field(ge=1, le=14)] = 3
    per_person_local_time: bool = False
    reminders: Annotated[list[str], Field(max_length=MAX_REMINDERS)] = []
    # `library: engagement` rotates through all the library's drivers; a list names some of them.
    library: list[str] | None = None
    questions_per_pulse: Annotated[int, Field(ge=1, le=6)] = 4
    enps: EnpsCadence | None = None  # with a library: monthly unless said otherwise
    # An "N/A" button on the library's items too, as `not_applicable` gives a survey's own rated questions.
    library_not_applicable: bool = False
    # The survey's own questions, asked in every run: 1 to 5, or none when the library is used.
    questions: Annotated[list[QuestionSpec], Field(max_length=MAX_OWN_QUESTIONS, validate_default=True)] = []
    # Slack user ids of the team's managers: they get its weekly digest and drop alerts.
    managers: list[str] = []
    # The managers are left out of the team's audience unless this asks them too
    # (services/survey/audience.py).
    managers_answer: bool = False
    # `auto`: each week's results go to the team's channel without a manager's click (hidden weeks never).
    share_results: ShareResults = ShareResults.manual
    # The language of its channel post, and of the people who chose none and whose Slack language
    # pulsebot does not speak (pulsebot/i18n.py); English when left out.
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _spoken_language(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGES:
            raise ValueError(f"pulsebot does not speak {value!r}: use one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("channel")
    @classmethod
    def _channel_id(cls, value: str) -> str:
        if not CHANNEL_ID.fullmatch(value):
            # People write the name they see in Slack; the id is what the API needs, and names change.
            raise ValueError(
                f"“{value}” is not a channel id: use the channel id (C…/G…), shown at the bottom of the "
                "channel's details in Slack"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)"
            ) from None
        return value

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronTrigger.from_crontab(value)
            except ValueError as error:
                raise ValueError(f"not a cron expression ({error})") from None
        return value

    @field_validator("per_person_local_time")
    @classmethod
    def _local_time_needs_dm_and_schedule(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("delivery", DeliveryMode.dm) is not DeliveryMode.dm:
            raise ValueError("needs `delivery: dm`: one channel message cannot arrive at everyone's own time")
        if value and "schedule" in info.data and info.data["schedule"] is None:
            raise ValueError("needs a `schedule`: its time of day is the local time each person gets it")
        return value

    @field_validator("reminders", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):  # `reminders: 24h, 2h before close` reads as well as a list
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders_inside_the_window(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """Each reminder must fall while the pulse is open; stored in one spelling, e.g. `24h after open`."""
        window = timedelta(days=info.data.get("open_days", 14))
        reminders = [parse_reminder(text) for text in value]
        for text, reminder in zip(value, reminders, strict=True):
            if reminder.offset >= window:
                raise ValueError(f"{text!r} falls outside the {window.days}-day open window (open_days)")
        if len({(reminder.offset, reminder.before_close) for reminder in reminders}) != len(reminders):
            raise ValueError("the two reminders are at the same time")
        return [str(reminder) for reminder in reminders]

    @field_validator("library", mode="before")
    @classmethod
    def _library_by_name(cls, value: object) -> object:
        if value == LIBRARY_NAME:  # the whole library
            return list(engagement_library().driver_ids)
        if isinstance(value, str):
            raise ValueError(f"use `{LIBRARY_NAME}` for the whole library, or a list of its drivers")
        return value

    @field_validator("library")
    @classmethod
    def _known_drivers(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = engagement_library().driver_ids
        if not value:
            raise ValueError("name at least one driver, or leave `library` out")
        for driver in value:
            if driver not in known:
                raise ValueError(f"no driver {driver!r} in the library (drivers: {', '.join(known)})")
        if len(set(value)) != len(value):
            raise ValueError("a driver is listed twice")
        return [driver for driver in known if driver in value]  # library order, whatever the file's

    @field_validator("questions_per_pulse")
    @classmethod
    def _fits_the_drivers(cls, value: int, info: ValidationInfo) -> int:
        drivers = info.data.get("library")
        if drivers:
            library = engagement_library()
            fewest = min(len(library.driver(driver).items) for driver in drivers)
            if value > len(drivers) * fewest:
                raise ValueError(
                    f"at most {len(drivers) * fewest} for {len(drivers)} driver(s), so that no item "
                    "is asked twice in one pulse"
                )
        return value

    @field_validator("enps", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        return EnpsCadence.off if value is False else value  # YAML reads a bare `off` as false

    @field_validator("enps")
    @classmethod
    def _enps_with_library(cls, value: EnpsCadence | None, info: ValidationInfo) -> EnpsCadence | None:
        if "library" not in info.data:  # `library` itself is wrong, and said so: nothing to add
            return value
        if value is not None and value is not EnpsCadence.off and not info.data.get("library"):
            raise ValueError("the library's eNPS needs `library`; without it, add an eNPS question")
        return value

    @field_validator("library_not_applicable")
    @classmethod
    def _with_library(cls, value: bool, info: ValidationInfo) -> bool:
        if value and "library" in info.data and not info.data.get("library"):
            raise ValueError(
                "N/A on the library's items needs `library`; a survey's own rated questions take "
                "`not_applicable: true` each"
            )
        return value

    @field_validator("questions")
    @classmethod
    def _unique_keys(cls, questions: list[QuestionSpec], info: ValidationInfo) -> list[QuestionSpec]:
        keys = [question.key for question in questions]
        if len(set(keys)) != len(keys):
            raise ValueError("question keys must be unique within a survey")
        if "library" not in info.data:  # `library` itself is wrong, and said so: nothing to add
            return questions
        drivers = info.data.get("library")
        if not drivers:
            if not questions:
                raise ValueError("add 1 to 5 questions, or use the question library (`library: engagement`)")
            return questions
        cadence = info.data.get("enps") or EnpsCadence.monthly
        if cadence is not EnpsCadence.off and "enps" in keys:
            raise ValueError(
                "the library's eNPS is asked by `enps:`; drop the `enps` question or say `enps: off`"
            )
        per_run = len(questions) + info.data.get("questions_per_pulse", 4)
        per_run += cadence is not EnpsCadence.off
        if per_run > MAX_PER_RUN:
            raise ValueError(f"a pulse would ask {per_run} questions; keep it to {MAX_PER_RUN} with eNPS")
        return questions

    @property
    def enps_cadence(self) -> EnpsCadence | None:
        """How often the library's eNPS is asked; None without the library (or with `enps: off`)."""
        if not self.library or self.enps is EnpsCadence.off:
            return None
        return self.enps or EnpsCadence.monthly

    @field_validator("managers")
    @classmethod
    def _slack_user_ids(cls, managers: list[str]) -> list[str]:
        for manager in managers:
            if not re.fullmatch(r"[UW][A-Z0-9]{2,19}", manager):
                raise ValueError(f"{manager!r} is not a Slack user id (they look like U0123ABCD)")
        if len(set(managers)) != len(managers):
            raise ValueError("a manager is listed twice")
        return managers

    @property
    def display_title(self) -> str:
        return self.title or self.name


class SurveyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surveys: Annotated[list[SurveySpec], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_names(self) -> SurveyFile:
        names = [survey.name for survey in self.surveys]
        if len(set(names)) != len(names):
            raise ValueError("survey names must be unique within a file")
        return self


def load_survey_file(path: Path) -> list[SurveySpec]:
    """Read a file holding `surveys: [...]` or one survey mapping; raise SurveyFileError on any fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SurveyFileError(f"{path}: cannot read the file ({error})") from None
    return parse_surveys(text, source=str(path))


def parse_surveys(text: str, *, source: str) -> list[SurveySpec]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise SurveyFileError(f"{source}:{line}: not valid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise SurveyFileError(f"{source}: not valid YAML: {error}") from None
    if root is None:
        raise SurveyFileError(f"{source}:1: the file is empty; it needs `surveys:` or one survey")
    wrapped = isinstance(data, dict) and "surveys" in data
    try:
        parsed = SurveyFile.model_validate(data if wrapped else {"surveys": [data]})
    except ValidationError as error:
        # Every mistake at once, so a file with three needs one run, not three. (A check that depends on
        # another field runs only once that field is valid, so fixing one can still reveal another.)
        located = sorted(
            (_located(root, tuple(problem["loc"]), wrapped=wrapped), problem["msg"])
            for problem in error.errors()
        )
        raise SurveyFileError(
            *(
                f"{source}:{line}: {field}: {message.removeprefix('Value error, ')}"
                for (line, field), message in located
            )
        ) from None
    return parsed.surveys


def _located(root: yaml.Node, loc: tuple, *, wrapped: bool) -> tuple[int, str]:
    """The line and the field path of a problem, as the file writes them."""
    if not wrapped:
        loc = loc[2:] if loc[:2] == ("surveys", 0) else loc[1:]
    return _line_of(root, loc), _dotted(loc) or "(top level)"


def _line_of(node: yaml.Node, loc: tuple) -> int:
    """The line of the deepest YAML node on the error's path (a missing key points at its mapping)."""
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == part), None)
            if child is None:  # an unknown key: point at the key itself
                child = next((key for key, _ in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class SurveySpecErrors(Exception):
    """Every problem with a survey given as a mapping (the /pulse new form), as (field path, message)."""

    def __init__(self, problems: list[tuple[tuple, str]]) -> None:
        super().__init__(
            "; ".join(f"{_dotted(loc) or '(top level)'}: {message}" for loc, message in problems)
        )
        self.problems = problems


def survey_from_mapping(data: dict) -> SurveySpec:
    """The same validation a YAML file gets, for a survey built from a form."""
    try:
        return SurveySpec.model_validate(data)
    except ValidationError as error:
        problems = [(tuple(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in error.errors()]
        raise SurveySpecErrors(problems) from None
