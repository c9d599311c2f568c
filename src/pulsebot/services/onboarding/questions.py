"""The onboarding pulse's and the exit survey's questions, shipped in the library (src/pulsebot/library/)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

SCALE = range(1, 6)


@dataclass(frozen=True)
class Asked:
    key: str
    prompt: str
    kind: str = "scale"  # or "choice"
    options: tuple[str, ...] = ()

    def takes(self, value: str) -> int | str | None:
        """The answer a button's value gives, or None when it is not one this question offers."""
        if self.kind == "choice":
            return value if value in self.options else None
        return int(value) if value.isdigit() and int(value) in SCALE else None


def _read(name: str) -> tuple[Asked, ...]:
    text = resources.files("pulsebot.library").joinpath(name).read_text(encoding="utf-8")
    return tuple(
        Asked(
            key=item["key"],
            prompt=item["prompt"],
            kind=item.get("kind", "scale"),
            options=tuple(item.get("options", ())),
        )
        for item in yaml.safe_load(text)["questions"]
    )


@cache
def onboarding_questions() -> tuple[Asked, ...]:
    return _read("onboarding.yml")


@cache
def exit_questions() -> tuple[Asked, ...]:
    return _read("exit.yml")


def find(questions: tuple[Asked, ...], key: str) -> Asked | None:
    return next((question for question in questions if question.key == key), None)
