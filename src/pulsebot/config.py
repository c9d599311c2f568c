"""Settings from the environment (and a `.env` file). No other module reads os.environ."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and fits on one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=SLACK_API_DEFAULT, validation_alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///pulsebot.db", validation_alias="DATABASE_URL")
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PULSEBOT_PORT")
    min_group: int = Field(default=5, ge=3, validation_alias="PULSEBOT_MIN_GROUP")
    anon_key: SecretStr | None = Field(default=None, validation_alias="PULSEBOT_ANON_KEY")
    ideas_channel: str | None = Field(default=None, validation_alias="PULSEBOT_IDEAS_CHANNEL")
    shipped_channel: str | None = Field(default=None, validation_alias="PULSEBOT_SHIPPED_CHANNEL")
    ideas_per_hour: int = Field(default=10, ge=1, validation_alias="PULSEBOT_IDEAS_PER_HOUR")
    admins: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias="PULSEBOT_ADMINS"
    )
    managers: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias="PULSEBOT_MANAGERS"
    )
    manager_group: str | None = Field(default=None, validation_alias="PULSEBOT_MANAGER_GROUP")
    # May this process run the scheduler? On PostgreSQL the replicas pick one by a lock (leadership.py).
    scheduler: bool = Field(default=True, validation_alias="PULSEBOT_SCHEDULER")
    # Digests: when they go out (in each manager's own time zone), how far back the trend reaches, and
    # how far a team's 1–5 score may fall in a week before its managers get a drop alert.
    digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", validation_alias="PULSEBOT_DIGEST_DAY"
    )
    digest_time: time = Field(default=time(9, 0), validation_alias="PULSEBOT_DIGEST_TIME")
    trend_weeks: int = Field(default=12, ge=4, le=26, validation_alias="PULSEBOT_TREND_WEEKS")
    drop_alert: float = Field(default=0.5, gt=0, le=4, validation_alias="PULSEBOT_DROP_ALERT")
    # Delivery at scale (README, Reliability): how often the outbox and the scheduler's sweeps look for
    # work, how many messages a second one process posts, how long a sender's claim on a message lasts.
    sweep_seconds: int = Field(default=60, ge=1, le=3600, validation_alias="PULSEBOT_SWEEP_SECONDS")
    send_rate: float = Field(default=5.0, gt=0, le=1000, validation_alias="PULSEBOT_SEND_RATE")
    claim_seconds: int = Field(default=300, ge=1, le=3600, validation_alias="PULSEBOT_CLAIM_SECONDS")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("anon_key")
    @classmethod
    def _anon_key_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # A short key would let anyone with the database brute-force who answered what.
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("admins", "managers", mode="before")
    @classmethod
    def _split_user_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("digest_day", mode="before")
    @classmethod
    def _day_abbreviation(cls, value: object) -> object:
        return value.strip().lower()[:3] if isinstance(value, str) else value

    @field_validator("ideas_channel", "shipped_channel", "manager_group", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def anon_key_bytes(self) -> bytes:
        return self.require("anon_key").encode()

    def require(self, *names: str) -> str:
        """Return the first named secret's value; raise ConfigError naming every unset variable."""
        missing = [_env_name(name) for name in names if getattr(self, name) is None]
        if missing:
            raise ConfigError(f"{', '.join(missing)} is not set")
        value = getattr(self, names[0])
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    def require_slack(self) -> None:
        self.require("slack_bot_token", "slack_signing_secret", "anon_key")


def _env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    return alias if isinstance(alias, str) else field_name.upper()


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a malformed value becomes one ConfigError line naming its variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        if name in Settings.model_fields:
            name = _env_name(name)
        raise ConfigError(f"{name}: {first['msg'].removeprefix('Value error, ')}") from None
