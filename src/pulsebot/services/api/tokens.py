"""The read-only API's tokens: made and revoked by an admin with the CLI, each for one workspace and some
scopes. A token is `pbt_<id>_<secret>`, the secret 32 random bytes; only the SHA-256 of the secret is
kept, and a presented secret is compared with it in constant time. Making, revoking and every refused use
of a token go to the audit log (the refusals by the API itself, web/api/)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.errors import Invalid, NotFound
from pulsebot.services.privacy import audit
from pulsebot.store.models import ApiToken, AuditAction

PREFIX = "pbt_"
SCOPES = ("teams", "segments", "actions", "ideas")
NAME_MAX = 80
_TOKEN = re.compile(r"pbt_([0-9]{1,12})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class MadeToken:
    id: int
    token: str  # shown once; pulsebot keeps only its hash


@dataclass(frozen=True)
class Presented:
    """A token as it came with a request: which row it names, and its secret."""

    id: int
    secret: str


def parse_scopes(text: str) -> tuple[str, ...]:
    """The scopes of `--scope teams,ideas`; Invalid names any that is not one."""
    asked = [word.strip().lower() for word in text.split(",") if word.strip()]
    unknown = [word for word in asked if word not in SCOPES]
    if unknown or not asked:
        raise Invalid(f"--scope: use one or more of {', '.join(SCOPES)}, comma-separated (not “{text}”).")
    return tuple(scope for scope in SCOPES if scope in asked)


def create_token(
    session: Session, *, name: str, scopes: tuple[str, ...], now: datetime, team_id: str
) -> MadeToken:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"--name: say what will use the token, in at most {NAME_MAX} characters.")
    secret = secrets.token_urlsafe(32)
    row = ApiToken(name=name, scopes=",".join(scopes), secret_sha256=_hash(secret), created_at=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=audit.CLI,
        action=AuditAction.api_token_created,
        scope=audit.ORG_SCOPE,
        now=now,
        detail=f"API token #{row.id} “{name}”, scopes {row.scopes}",
        team_id=team_id,
    )
    return MadeToken(id=row.id, token=f"{PREFIX}{row.id}_{secret}")


def revoke_token(session: Session, *, token_id: int, now: datetime, team_id: str) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"There is no API token #{token_id} in this workspace.")
    if row.revoked_at is not None:
        raise Invalid(f"API token #{token_id} was already revoked on {row.revoked_at:%-d %b %Y %H:%M} UTC.")
    row.revoked_at = now
    session.add(row)
    audit.record(
        session,
        actor=audit.CLI,
        action=AuditAction.api_token_revoked,
        scope=audit.ORG_SCOPE,
        now=now,
        detail=f"API token #{row.id} “{row.name}” revoked",
        team_id=team_id,
    )
    session.flush()
    return row


def tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.id)).all())


def presented(bearer: str | None) -> Presented | None:
    """The token in an `Authorization: Bearer …` header's value, or None when it is not one of ours."""
    match = _TOKEN.fullmatch((bearer or "").strip())
    return Presented(id=int(match[1]), secret=match[2]) if match else None


def find(session: Session, token: Presented) -> ApiToken | None:
    """The token's row (in any workspace: the session must see them all) when its secret matches."""
    row = session.get(ApiToken, token.id)
    if row is None or not hmac.compare_digest(row.secret_sha256, _hash(token.secret)):
        return None
    return row


def scopes_of(row: ApiToken) -> tuple[str, ...]:
    return tuple(row.scopes.split(","))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
