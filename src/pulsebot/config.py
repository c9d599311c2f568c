"""Settings from the environment (and a `.env` file). No other module reads os.environ."""

from __future__ import annotations

import ipaddress
import re
from datetime import time
from typing import Annotated, Literal

import holidays
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
OPENID_DEFAULT = "https://slack.com"


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")
DATABASE_FORMS = "use sqlite:///path/to/pulsebot.db or postgresql://user:password@host:5432/database"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and fits on one line."""


MIN_GROUP = 5  # the smallest group any figure is shown for, unless PULSEBOT_MIN_GROUP says more
# The attributes a Slack profile field may fill (PULSEBOT_PROFILE_FIELDS; docs/people.md).
PROFILE_ATTRIBUTES = ("department", "division", "site", "region", "start_date", "level", "manager")
PROFILE_FIELD_ID = re.compile(r"X[A-Za-z0-9]{2,30}")
# The attributes segments are released by (the columns of a run's cells), alone or crossed two by two.
SEGMENT_DIMENSIONS = ("department", "division", "site", "region", "tenure", "level")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY_CODE = re.compile(r"[A-Z]{2,3}(-[A-Z0-9]{1,4})?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=SLACK_API_DEFAULT, validation_alias="SLACK_API_URL")
    # Several workspaces (docs/operations.md, "Several workspaces (OAuth)"): the app's OAuth credentials,
    # and the key the installed workspaces' tokens are encrypted with in the database.
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    token_key: SecretStr | None = Field(default=None, validation_alias="PULSEBOT_TOKEN_KEY")
    # While changing PULSEBOT_TOKEN_KEY: the key the stored tokens were sealed with until now.
    previous_token_key: SecretStr | None = Field(default=None, validation_alias="PULSEBOT_PREVIOUS_TOKEN_KEY")
    database_url: str = Field(default="sqlite:///pulsebot.db", validation_alias="DATABASE_URL")
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PULSEBOT_PORT")
    # Serving HTTP (README, "Serving HTTP"): the largest request body taken (413 beyond it), the threads
    # that answer requests, the open connections allowed at once, and the seconds a request may take to
    # arrive whole (and a connection may stay idle).
    max_body_bytes: int = Field(default=1 << 20, ge=1024, validation_alias="PULSEBOT_MAX_BODY_BYTES")
    http_threads: int = Field(default=32, ge=1, le=1024, validation_alias="PULSEBOT_HTTP_THREADS")
    http_connections: int = Field(default=1000, ge=1, le=10000, validation_alias="PULSEBOT_HTTP_CONNECTIONS")
    http_timeout: float = Field(default=10.0, ge=1, le=300, validation_alias="PULSEBOT_HTTP_TIMEOUT")
    # Several `pulsebot run` processes on one machine listening on the same PULSEBOT_PORT (SO_REUSEPORT,
    # Linux): the kernel spreads the connections over them (docs/operations.md, "One port, N processes").
    reuse_port: bool = Field(default=False, validation_alias="PULSEBOT_REUSE_PORT")
    # Metrics (docs/operations.md, "Metrics"): their own listener, never the public Slack port; this
    # machine only unless a bearer token guards it. Port 0 serves no metrics.
    metrics_host: str = Field(default="127.0.0.1", min_length=1, validation_alias="PULSEBOT_METRICS_HOST")
    metrics_port: int = Field(default=9464, ge=0, le=65535, validation_alias="PULSEBOT_METRICS_PORT")
    metrics_token: SecretStr | None = Field(default=None, validation_alias="PULSEBOT_METRICS_TOKEN")
    min_group: int = Field(default=MIN_GROUP, ge=3, validation_alias="PULSEBOT_MIN_GROUP")
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
    # Off by default: running the Slack workspace is not by itself a reason to read its people's feedback.
    # On, the workspace's owners and admins (users.info, looked up again after a minute) are pulsebot
    # admins in Slack too, besides PULSEBOT_ADMINS.
    slack_admins: bool = Field(default=False, validation_alias="PULSEBOT_SLACK_ADMINS")
    # Off by default: an upgrade must not start DMing everyone with a start date. On, new joiners (a start
    # date in the people import) get their day-30, -60 and -90 onboarding pulses (services/onboarding/).
    onboarding: bool = Field(default=False, validation_alias="PULSEBOT_ONBOARDING")
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
    # Delivery at scale (docs/operations.md, Reliability): how often the outbox and the scheduler's sweeps
    # look for work, how many messages a second one process posts, how long a sender's claim on a message
    # lasts.
    sweep_seconds: int = Field(default=60, ge=1, le=3600, validation_alias="PULSEBOT_SWEEP_SECONDS")
    send_rate: float = Field(default=5.0, gt=0, le=1000, validation_alias="PULSEBOT_SEND_RATE")
    claim_seconds: int = Field(default=300, ge=1, le=3600, validation_alias="PULSEBOT_CLAIM_SECONDS")
    # Anonymous replies are held back a random time in this range (minutes), so when a message
    # arrives says nothing about when, and so by whom, it was written.
    relay_delay_minutes: Annotated[tuple[float, float], NoDecode] = Field(
        default=(2.0, 10.0), validation_alias="PULSEBOT_RELAY_DELAY_MINUTES"
    )
    # Answers are held this many seconds and written together in a shuffled batch, so neither the
    # database's transaction ids nor its row order tells one click from the others of its batch
    # (README, Privacy). 0 writes each answer at once.
    mix_seconds: float = Field(default=10.0, ge=0, le=300, validation_alias="PULSEBOT_MIX_SECONDS")
    # Days after a run closes until its answer-key material is destroyed: anonymous replies to its
    # comments are possible until then, and afterwards nobody can tell whose its answers were.
    reply_window_days: int = Field(default=30, ge=1, le=3650, validation_alias="PULSEBOT_REPLY_WINDOW_DAYS")
    # Raw answers, comments, who-was-asked records and idea texts older than this go
    # (services/privacy/retention.py).
    retention_days: int = Field(default=730, ge=1, validation_alias="PULSEBOT_RETENTION_DAYS")
    # Slack profile custom fields read as people's attributes for segments: field id -> attribute
    # ("Xf01ABC=department,Xf02DEF=site"); empty reads none (docs/people.md).
    profile_fields: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias="PULSEBOT_PROFILE_FIELDS"
    )
    # The web dashboard (docs/dashboard.md): `pulsebot web`, on its own port, at its public https address
    # (Slack sends a person back to PULSEBOT_WEB_URL/auth/slack/callback after they sign in). Sign in
    # with Slack uses the app's client id and secret (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, or these when
    # one workspace is served with SLACK_BOT_TOKEN). A session ends after this many idle minutes, and
    # after this many hours whatever happens.
    web_port: int = Field(default=3080, ge=1, le=65535, validation_alias="PULSEBOT_WEB_PORT")
    web_url: str | None = Field(default=None, validation_alias="PULSEBOT_WEB_URL")
    web_client_id: str | None = Field(default=None, validation_alias="PULSEBOT_WEB_CLIENT_ID")
    web_client_secret: SecretStr | None = Field(default=None, validation_alias="PULSEBOT_WEB_CLIENT_SECRET")
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60, validation_alias="PULSEBOT_WEB_IDLE_MINUTES")
    web_session_hours: int = Field(
        default=12, ge=1, le=24 * 30, validation_alias="PULSEBOT_WEB_SESSION_HOURS"
    )
    # Where Slack's OpenID Connect pages and keys are (its authorize page and JWKS); the tests' fake Slack.
    openid_url: str = Field(default=OPENID_DEFAULT, validation_alias="PULSEBOT_OPENID_URL")
    # Segments (docs/segments.md): the fixed periods their figures are released for, and the two-way
    # crossings of attributes released besides each attribute alone.
    segment_period: Literal["month", "quarter"] = Field(
        default="month", validation_alias="PULSEBOT_SEGMENT_PERIOD"
    )
    segment_crossings: Annotated[tuple[tuple[str, str], ...], NoDecode] = Field(
        default=(("department", "tenure"),), validation_alias="PULSEBOT_SEGMENT_CROSSINGS"
    )

    # Asking well (docs/surveys.md, "When people are asked"): each person's working hours, in their own
    # Slack time zone ("any" sends at any time), on these days; no pulse or reminder lands outside them or
    # on a public holiday of their location (a `site` or `region` value mapped to a country code, with an
    # optional subdivision: "Berlin=DE-BE,London=GB-ENG"); and the most pulses one person is sent a week
    # across every survey (0: no limit).
    working_hours: Annotated[tuple[time, time] | None, NoDecode] = Field(
        default=(time(9, 0), time(18, 0)), validation_alias="PULSEBOT_WORKING_HOURS"
    )
    working_days: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(range(5)), validation_alias="PULSEBOT_WORKING_DAYS"
    )
    holiday_locations: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias="PULSEBOT_HOLIDAY_LOCATIONS"
    )
    pulses_per_week: int = Field(default=0, ge=0, le=50, validation_alias="PULSEBOT_PULSES_PER_WEEK")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("web_url", "openid_url")
    @classmethod
    def _web_address(cls, value: str | None, info) -> str | None:
        if value is None or not value.strip():
            return OPENID_DEFAULT if info.field_name == "openid_url" else None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) address, such as https://pulse.example.com")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        # The value is never repeated in the message: a malformed URL may still hold a password.
        scheme, separator, rest = value.partition("://")
        if not separator:
            raise ValueError(f"is not a database URL; {DATABASE_FORMS}")
        if scheme.lower() not in DATABASE_SCHEMES:
            raise ValueError(f"a {scheme}:// database is not supported; {DATABASE_FORMS}")
        if not rest:
            raise ValueError(f"names no database; {DATABASE_FORMS}")
        return value

    @field_validator("anon_key")
    @classmethod
    def _anon_key_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # A short key would let anyone with the database brute-force who answered what.
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("token_key", "previous_token_key")
    @classmethod
    def _token_key_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # A Fernet key is 44 characters; a passphrase shorter than 32 would be guessable offline by
        # anyone holding a copy of the database.
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be a Fernet key or a passphrase of at least 32 characters")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # Whoever guesses it reads the metrics from anywhere the listener is reachable.
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("admins", "managers", mode="before")
    @classmethod
    def _split_user_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("profile_fields", mode="before")
    @classmethod
    def _field_ids_to_attributes(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        mapping: dict[str, str] = {}
        for part in filter(None, (part.strip() for part in value.split(","))):
            field_id, equals, name = (piece.strip() for piece in part.partition("="))
            if not equals or not field_id or not name:
                raise ValueError(f"{part!r} is not FIELD_ID=attribute, such as Xf01ABC2DEF=department")
            if not PROFILE_FIELD_ID.fullmatch(field_id):
                raise ValueError(f"{field_id!r} is not a profile field id (like Xf01ABC2DEF)")
            if name.lower() not in PROFILE_ATTRIBUTES:
                raise ValueError(f"{name!r} is not an attribute; use one of {', '.join(PROFILE_ATTRIBUTES)}")
            if field_id in mapping:
                raise ValueError(f"{field_id} is named twice")
            if name.lower() in mapping.values():
                raise ValueError(f"two fields fill {name.lower()}; name one field for each attribute")
            mapping[field_id] = name.lower()
        return mapping

    @field_validator("relay_delay_minutes", mode="before")
    @classmethod
    def _minutes_range(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        low, dash, high = value.replace(" ", "").partition("-")
        try:
            bounds = (float(low), float(high) if dash else float(low))
        except ValueError:
            raise ValueError("must be minutes, or a range of minutes such as 2-10") from None
        if not 0 <= bounds[0] <= bounds[1] <= 24 * 60:
            raise ValueError("must be a range from 0 to 1440 minutes, the smaller first, such as 2-10")
        return bounds

    @field_validator("segment_period", mode="before")
    @classmethod
    def _period_word(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("segment_crossings", mode="before")
    @classmethod
    def _crossings(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        crossings = []
        for part in filter(None, (part.strip() for part in value.split(","))):
            names = [name.strip().lower() for name in re.split(r"\s*[×x*]\s*", part)]
            unknown = [name for name in names if name not in SEGMENT_DIMENSIONS]
            if len(names) != 2 or unknown or names[0] == names[1]:
                raise ValueError(
                    f"{part!r} is not two different attributes crossed, such as “department × tenure” "
                    f"(attributes: {', '.join(SEGMENT_DIMENSIONS)})"
                )
            crossings.append((names[0], names[1]))
        return tuple(crossings)

    @field_validator("working_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("any", "always", ""):
            return None
        start, dash, end = value.replace(" ", "").partition("-")
        try:
            hours = (time.fromisoformat(start), time.fromisoformat(end)) if dash else None
        except ValueError:
            hours = None
        if hours is None or hours[0] >= hours[1]:
            raise ValueError("must be two times of day, the earlier first, such as 09:00-18:00 (or any)")
        return hours

    @field_validator("working_days", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        days: set[int] = set()
        for part in filter(None, (part.strip().lower() for part in value.split(","))):
            first, dash, last = part.partition("-")
            names = [first.strip()[:3], last.strip()[:3]] if dash else [first[:3]]
            if any(name not in WEEKDAYS for name in names):
                raise ValueError(f"{part!r} is not a day or a range of days, such as mon-fri or mon,tue,thu")
            low, high = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[-1])
            days |= set(range(low, high + 1)) if low <= high else set(range(low, 7)) | set(range(high + 1))
        if not days:
            raise ValueError("names no day, such as mon-fri")
        return frozenset(days)

    @field_validator("holiday_locations", mode="before")
    @classmethod
    def _locations(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        mapping: dict[str, str] = {}
        for part in filter(None, (part.strip() for part in value.split(","))):
            location, equals, code = (piece.strip() for piece in part.partition("="))
            if not equals or not location or not HOLIDAY_CODE.fullmatch(code.upper()):
                raise ValueError(
                    f"{part!r} is not location=COUNTRY or COUNTRY-SUBDIVISION, such as Berlin=DE-BE"
                )
            country, _, subdivision = code.upper().partition("-")
            known = holidays.list_supported_countries().get(country)
            if known is None or (subdivision and subdivision not in known):
                raise ValueError(f"{code!r} is not a country (or its subdivision) with known public holidays")
            mapping[location.casefold()] = code.upper()
        return mapping

    @field_validator("digest_day", mode="before")
    @classmethod
    def _day_abbreviation(cls, value: object) -> object:
        return value.strip().lower()[:3] if isinstance(value, str) else value

    @field_validator(
        "ideas_channel",
        "shipped_channel",
        "manager_group",
        "slack_client_id",
        "slack_app_token",
        "metrics_token",
        "web_client_id",
        "web_client_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def anon_key_bytes(self) -> bytes:
        return self.require("anon_key").encode()

    def require(self, *names: str) -> str:
        """Return the first named secret's value; raise ConfigError naming every unset variable."""
        missing = [_env_name(name) for name in names if getattr(self, name) is None]
        if missing:
            raise ConfigError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set")
        value = getattr(self, names[0])
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    def require_slack(self) -> None:
        self.require("slack_bot_token", "slack_signing_secret", "anon_key")

    @property
    def oauth(self) -> bool:
        """Serve every workspace that installs the app (SLACK_CLIENT_ID) rather than one (SLACK_BOT_TOKEN)?"""
        return self.slack_client_id is not None and self.slack_bot_token is None

    def require_serving(self) -> None:
        """Raise ConfigError, in one line, unless the settings make one complete way of serving Slack."""
        if self.slack_bot_token is not None and self.slack_client_id is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: set the bot token to serve one "
                "workspace, or the client id and secret to serve every workspace that installs the app"
            )
        if not self.oauth:
            needed = ["slack_bot_token", "anon_key"]
            if self.slack_app_token is None:
                needed.append("slack_signing_secret")
            self.require(*needed)  # every one missing named at once
            return
        if self.slack_app_token is not None:
            raise ConfigError(
                "SLACK_APP_TOKEN and SLACK_CLIENT_ID are both set: the install pages are served over HTTP, "
                "so serving several workspaces needs SLACK_APP_TOKEN unset"
            )
        self.require("slack_client_secret", "slack_signing_secret", "token_key", "anon_key")

    def require_web(self) -> tuple[str, str, str]:
        """The dashboard's public address, client id and client secret; ConfigError naming what is missing."""
        client_id = self.web_client_id or self.slack_client_id
        secret = self.web_client_secret or self.slack_client_secret
        missing = [name for name, value in (("PULSEBOT_WEB_URL", self.web_url),) if value is None]
        if client_id is None:
            missing.append("PULSEBOT_WEB_CLIENT_ID (or SLACK_CLIENT_ID)")
        if secret is None:
            missing.append("PULSEBOT_WEB_CLIENT_SECRET (or SLACK_CLIENT_SECRET)")
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: the dashboard needs "
                "its public address and the Slack app's client id and secret for Sign in with Slack"
            )
        return self.web_url, client_id, secret.get_secret_value()

    def require_shared_port(self) -> None:
        """Raise ConfigError, in one line, if PULSEBOT_REUSE_PORT is set where only one process may run."""
        if self.reuse_port and self.database_url.startswith("sqlite"):
            raise ConfigError(
                "PULSEBOT_REUSE_PORT is for several pulsebot run processes on one PostgreSQL database; on "
                "SQLite one process does everything: leave it unset, or set DATABASE_URL to postgresql://…"
            )

    def require_metrics(self) -> None:
        """Raise ConfigError, in one line, if the metrics would be open to other machines without a token."""
        if self.metrics_port and self.metrics_token is None and not _this_machine_only(self.metrics_host):
            raise ConfigError(
                f"PULSEBOT_METRICS_HOST is {self.metrics_host}, reachable from other machines: set "
                "PULSEBOT_METRICS_TOKEN (16+ characters) for Prometheus to send as a bearer token, or "
                "leave the host at 127.0.0.1"
            )


def _this_machine_only(host: str) -> bool:
    """Is `host` a loopback address (or `localhost`), so only this machine can connect?"""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


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
