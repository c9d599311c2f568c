"""Refusals: a request the person made that pulsebot will not carry out, with words to tell them why."""


class Refusal(Exception):
    """The message is shown to the person as it is, so it is written for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Refusal):
    pass


class Closed(Refusal):
    pass


class NotAllowed(Refusal):
    pass


class Invalid(Refusal):
    """Bad input; `field` names the form field it concerns, so a modal can show the error beside it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldErrors(Invalid):
    """Several fields of one form are wrong at once: each with its own sentence, all shown together."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


class AlreadyOpen(Refusal):
    pass
