"""Refusals: a request the person made that pulsebot will not carry out, with words to tell them why.

A refusal raised with a message marked for the catalogs (`N_("… {day} …")`) and its values apart can be
said in its person's language where it is shown (`said(tr)`); `message` is the English. A value may be a
function of the translator, for what a language writes its own way (a date)."""

from __future__ import annotations

from collections.abc import Callable

from pulsebot.i18n import ENGLISH, Translator

Value = object | Callable[[Translator], str]


class Refusal(Exception):
    """The message is shown to the person as it is, so it is written for them."""

    def __init__(self, message: str, **values: Value) -> None:
        self.template = message
        self.values = values
        self.message = self.said(ENGLISH)
        super().__init__(self.message)

    def said(self, tr: Translator) -> str:
        """The sentence in `tr`'s language (as written, in English, where the catalog lacks it)."""
        text = tr.gettext(self.template)
        if not self.values:
            return text
        return text.format(
            **{name: value(tr) if callable(value) else value for name, value in self.values.items()}
        )


class NotFound(Refusal):
    pass


class Closed(Refusal):
    pass


class NotAllowed(Refusal):
    pass


class Invalid(Refusal):
    """Bad input; `field` names the form field it concerns, so a modal can show the error beside it."""

    def __init__(self, message: str, *, field: str | None = None, **values: Value) -> None:
        super().__init__(message, **values)
        self.field = field


class FieldErrors(Invalid):
    """Several fields of one form are wrong at once: each with its own sentence, all shown together."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


class AlreadyOpen(Refusal):
    pass
