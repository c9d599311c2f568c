"""Several workspaces: Bolt's OAuth install flow, and how work done outside a request (scheduler, outbox,
digests) reaches a workspace that installed the app."""

from __future__ import annotations

import html
import logging
import re
from functools import cache
from pathlib import Path

import yaml
from slack_bolt import App, BoltContext
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.oauth.redirect_uri_page_renderer import RedirectUriPageRenderer
from sqlalchemy import Engine

from pulsebot.config import Settings
from pulsebot.slack.workspaces import retry_handlers
from pulsebot.store.installations import EncryptedInstallationStore, OAuthStates, token_cipher

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What a person in a workspace that removed the app (or whose install was lost) reads, instead of
# Bolt's generic apology.
# Shown on the page an installer lands on: installing made them nothing more than they were.
ADMINS_NOTE = (
    "Installing pulsebot made no one a pulsebot admin. Admins (who manage surveys and get the "
    "organisation's digest) are the Slack user ids in PULSEBOT_ADMINS, set by whoever runs pulsebot: "
    "ask them to add yours if you should be one."
)
NOT_INSTALLED = (
    "pulsebot is not installed in this workspace any more, so nothing was saved. "
    "A Slack admin can install it again from pulsebot's install page."
)


class WorkspaceGone(LookupError):
    """The team has no installation (it never installed the app, or removed it)."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"pulsebot is not installed in workspace {team_id}")
        self.team_id = team_id


class InstalledWorkspaces:
    """The workspaces that installed the app: a Web API client for each, with its own bot token, and
    what Bolt needs to install and authorize them."""

    multi = True

    def __init__(
        self,
        store: EncryptedInstallationStore,
        *,
        base_url: str,
        retry_handlers: list[RetryHandler],
        app_options: dict | None = None,
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.retry_handlers = retry_handlers
        self._app_options = app_options or {}

    def app_options(self) -> dict:
        return self._app_options

    def listen(self, app: App) -> None:
        forget_removed_workspaces(app, self.store)

    def client_for(self, team_id: str) -> WebClient:
        """Raises WorkspaceGone when the team has no bot token (any more), and TokenKeyError when
        PULSEBOT_TOKEN_KEY does not decrypt it."""
        bot = self.store.find_team_bot(team_id)
        if bot is None:
            raise WorkspaceGone(team_id)
        return WebClient(
            token=bot.bot_token,
            base_url=self.base_url,
            team_id=team_id,
            retry_handlers=list(self.retry_handlers),
        )

    def team_ids(self) -> list[str]:
        return self.store.team_ids()

    def admins(self, team_id: str) -> frozenset[str]:
        # Admins are PULSEBOT_ADMINS only: installing (or reinstalling) the app, which any member allowed
        # to add apps can do, gives no right to the organisation's figures.
        return frozenset()


def installed_workspaces(settings: Settings, engine: Engine) -> InstalledWorkspaces:
    store = installation_store(settings, engine)
    return InstalledWorkspaces(
        store,
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
        app_options=oauth_app_kwargs(settings, engine, store),
    )


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    settings.require("slack_client_id", "token_key")
    return EncryptedInstallationStore(
        client_id=settings.require("slack_client_id"),
        engine=engine,
        cipher=token_cipher(
            settings.require("token_key"),
            settings.previous_token_key.get_secret_value() if settings.previous_token_key else None,
        ),
    )


def oauth_app_kwargs(settings: Settings, engine: Engine, store: EncryptedInstallationStore) -> dict:
    """What Bolt's App needs to serve every workspace that installs it: the install pages at
    /slack/install and /slack/oauth_redirect, and an authorization of each request by its team's token."""
    client_id, client_secret = settings.require("slack_client_id"), settings.require("slack_client_secret")
    oauth_settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(bot_scopes()),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        state_store=OAuthStates(engine=engine),
    )
    oauth_settings.redirect_uri_page_renderer = InstalledPage(
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH
    )
    return {
        "oauth_settings": oauth_settings,
        "installation_store": store,
        # Bolt's default authorization asks Slack's auth.test about the token on every request, a round
        # trip before each ack and one call per click; the answer (bot id, user id) only changes with the
        # token. The token itself is still looked up in the store each time, so a removed workspace is
        # refused at once.
        "authorize": InstallationStoreAuthorize(
            logger=log,
            installation_store=store,
            client_id=client_id,
            client_secret=client_secret,
            cache_enabled=True,
        ),
        "user_facing_authorize_error_message": NOT_INSTALLED,
    }


class InstalledPage(RedirectUriPageRenderer):
    """Slack's "Thank you!" page, which stays open (no redirect) to tell the installer how admins are set."""

    def render_success_page(self, app_id, team_id, is_enterprise_install=None, enterprise_url=None) -> str:
        page = super().render_success_page(app_id, team_id, is_enterprise_install, enterprise_url)
        page = re.sub(r"<meta http-equiv=\"refresh\"[^>]*>", "", page)
        return page.replace("</body>", f"<p>{html.escape(ADMINS_NOTE)}</p>\n</body>")


def forget_removed_workspaces(app: App, store: EncryptedInstallationStore) -> None:
    """When a workspace removes the app, or revokes its bot token, its tokens are deleted at once."""

    @app.event("app_uninstalled")
    def forget_the_workspace(context: BoltContext) -> None:
        store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        log.info("workspace %s removed pulsebot: its tokens are deleted", context.team_id)

    @app.event("tokens_revoked")
    def forget_revoked_tokens(event: dict, context: BoltContext) -> None:
        # Bolt's own listener deletes only the bot rows on a bot's revocation, but each installation
        # row carries the bot token too, and would keep authorizing requests with it.
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
            log.info("workspace %s revoked pulsebot's token: its tokens are deleted", context.team_id)
        for user_id in tokens.get("oauth") or []:
            store.delete_installation(
                enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
            )


@cache
def bot_scopes() -> tuple[str, ...]:
    """The bot scopes the app asks for when installed: manifest.yml's, the one list of them."""
    manifest = yaml.safe_load(manifest_path().read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


def manifest_path() -> Path:
    shipped = Path(__file__).resolve().parents[1] / "manifest.yml"  # inside an installed wheel
    if shipped.is_file():
        return shipped
    return Path(__file__).resolve().parents[3] / "manifest.yml"  # a source checkout
