"""Where the workspaces that installed the app are kept: slack_sdk's SQLAlchemy installation and OAuth
state stores, on tables declared here (so Alembic creates and checks them like every other table), with
every token encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, Engine, Table, Text, TypeDecorator, delete, desc, select
from sqlmodel import SQLModel

log = logging.getLogger(__name__)

# The columns that hold a token. slack_sdk sizes them for the token itself (200 characters); the
# ciphertext is more than twice as long, and Slack does not promise its tokens stay short.
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def _token_columns(table: Table) -> list[Column]:
    return [table.c[name] for name in TOKEN_COLUMNS if name in table.c]


def _declare_tables():
    installations = SQLAlchemyInstallationStore.build_installations_table(
        SQLModel.metadata, SQLAlchemyInstallationStore.default_installations_table_name
    )
    bots = SQLAlchemyInstallationStore.build_bots_table(
        SQLModel.metadata, SQLAlchemyInstallationStore.default_bots_table_name
    )
    for table in (installations, bots):
        for column in _token_columns(table):
            column.type = Text()
    states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
        SQLModel.metadata, SQLAlchemyOAuthStateStore.default_table_name
    )
    return installations, bots, states


INSTALLATIONS, BOTS, OAUTH_STATES = _declare_tables()


class TokenKeyError(Exception):
    """The stored tokens cannot be read with PULSEBOT_TOKEN_KEY (it changed, or the data was altered)."""

    def __init__(self) -> None:
        super().__init__(
            "PULSEBOT_TOKEN_KEY does not decrypt the stored Slack tokens: use the key they were saved "
            "with (or, to change keys, set it as PULSEBOT_PREVIOUS_TOKEN_KEY beside the new one), "
            "or install the app again"
        )


def token_cipher(key: str, previous: str | None = None) -> MultiFernet:
    """Seals with `key` and opens what `key` or, while keys change, `previous` sealed. A Fernet key (44
    characters of URL-safe base64) is used as it is; any other text is a passphrase whose SHA-256
    becomes the key."""
    return MultiFernet([_fernet(k) for k in (key, previous) if k is not None])


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class SealedToken(TypeDecorator):
    """A token column whose value is encrypted on the way in and decrypted on the way out."""

    impl = Text
    cache_ok = False  # each store's cipher is its own: statements using it are not shared

    def __init__(self, cipher: MultiFernet) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else self.cipher.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        try:
            return self.cipher.decrypt(value.encode()).decode()
        except InvalidToken:
            raise TokenKeyError() from None


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, unchanged but for its token columns, which seal what they hold."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: MultiFernet) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        for table in (self.installations, self.bots):
            for column in _token_columns(table):
                column.type = SealedToken(cipher)

    def create_tables(self):
        raise NotImplementedError("the tables are created by the migrations (pulsebot db upgrade)")

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot and installations at once: an installation row left behind would
        still carry the bot token, and Bolt would go on authorizing with it."""
        with self.engine.begin() as connection:
            for table in (self.bots, self.installations):
                c = table.c
                connection.execute(
                    table.delete().where(
                        c.client_id == self.client_id, c.enterprise_id == enterprise_id, c.team_id == team_id
                    )
                )

    def find_team_bot(self, team_id: str) -> Bot | None:
        """The team's latest bot, whatever its enterprise (a workspace of an Enterprise Grid has one)."""
        c = self.bots.c
        query = (
            self.bots.select()
            .where(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self.build_bot_entity(row) if row is not None else None

    def installers(self, team_id: str) -> frozenset[str]:
        """Who installed pulsebot in the workspace (there may have been several installs)."""
        c = self.installations.c
        query = select(c.user_id).where(c.client_id == self.client_id, c.team_id == team_id).distinct()
        with self.engine.connect() as connection:
            return frozenset(connection.execute(query).scalars())

    def reseal_tokens(self) -> int:
        """Seal every stored token again with the current key, so the previous one can be dropped;
        returns how many were sealed. Reading opens them with either key, writing seals with the current."""
        resealed = 0
        with self.engine.begin() as connection:
            for table in (self.installations, self.bots):
                columns = _token_columns(table)
                for row_id, *values in connection.execute(select(table.c.id, *columns)).all():
                    tokens = {c.name: value for c, value in zip(columns, values, strict=True) if value}
                    if tokens:
                        connection.execute(table.update().where(table.c.id == row_id).values(**tokens))
                        resealed += len(tokens)
        return resealed

    def team_ids(self) -> list[str]:
        """The teams with a bot token, in order."""
        c = self.bots.c
        query = (
            select(c.team_id)
            .where(c.client_id == self.client_id, c.team_id.is_not(None), c.bot_token.is_not(None))
            .distinct()
            .order_by(c.team_id)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())


class OAuthStates(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on pulsebot's table: one row per install link, used once, for 10 minutes.

    GET /slack/install is open to anyone, and each visit writes a row: before each new one the expired
    rows are deleted, and at most `MAX_PENDING` links wait at once (the oldest make room), so visits
    cannot fill the table. A flood of visits can so spoil a real installer's link; they open the install
    page again."""

    MAX_PENDING = 1000

    def __init__(self, *, engine: Engine, expiration_seconds: int = 600) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=log)
        self.metadata = SQLModel.metadata
        self.oauth_states = OAUTH_STATES

    def issue(self, *args, **kwargs) -> str:
        c = self.oauth_states.c
        now = normalize_datetime_for_db(datetime.now(tz=UTC))
        with self.engine.begin() as connection:
            connection.execute(delete(self.oauth_states).where(c.expire_at <= now))
            oldest_kept = (
                select(c.id).order_by(desc(c.id)).offset(self.MAX_PENDING - 1).limit(1).scalar_subquery()
            )
            connection.execute(delete(self.oauth_states).where(c.id <= oldest_kept))
        return super().issue(*args, **kwargs)

    def create_tables(self):
        raise NotImplementedError("the tables are created by the migrations (pulsebot db upgrade)")
