"""Sign in with Slack (OpenID Connect): slack_sdk builds the authorize URL and trades the code for an id
token (`openid.connect.token`); PyJWT verifies the id token: its RS256 signature against Slack's published
keys, its issuer, its audience (this app's client id), its expiry and the nonce of this sign-in. Only the
person's Slack user id and workspace are read from it; the access token that comes with it is dropped."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import jwt
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

from pulsebot.config import Settings

ISSUER = "https://slack.com"
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"
SCOPES = ("openid",)  # who they are and their workspace: no name, no e-mail address
CALLBACK_PATH = "/auth/slack/callback"
LEEWAY_SECONDS = 10  # clocks a little apart
KEYS_KEPT_SECONDS = 3600  # Slack's keys are read again after an hour, or at once for a key id not known


class SignInRefused(Exception):
    """The sign-in cannot be trusted; the message is for the person, the reason for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SlackIdentity:
    user_id: str
    slack_team_id: str


class SlackSignIn:
    def __init__(self, settings: Settings, *, base_url: str, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = base_url + CALLBACK_PATH
        self._authorize = OpenIDConnectAuthorizeUrlGenerator(
            client_id=client_id,
            redirect_uri=self.redirect_uri,
            scopes=list(SCOPES),
            authorization_url=f"{settings.openid_url}/openid/connect/authorize",
        )
        self._keys = jwt.PyJWKClient(
            f"{settings.openid_url}/openid/connect/keys",
            cache_jwk_set=True,
            lifespan=KEYS_KEPT_SECONDS,
            timeout=5,
        )
        self._client = WebClient(base_url=settings.slack_api_url, timeout=10)

    def authorize_url(self, *, state: str, nonce: str) -> str:
        return self._authorize.generate(state=state, nonce=nonce)

    def identity(self, *, code: str, nonce: str) -> SlackIdentity:
        """Trade the code for an id token and verify it; SignInRefused says why not."""
        try:
            answer = self._client.openid_connect_token(
                client_id=self.client_id,
                client_secret=self._client_secret,
                code=code,
                redirect_uri=self.redirect_uri,
            )
        except SlackApiError as error:
            raise SignInRefused(f"Slack refused the code: {error.response.get('error')}") from None
        return self.verify(str(answer.get("id_token") or ""), nonce=nonce)

    def verify(self, token: str, *, nonce: str) -> SlackIdentity:
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused("the id token has expired") from None
        except jwt.PyJWTError as error:
            raise SignInRefused(f"the id token is not valid: {type(error).__name__}") from None
        if not hmac.compare_digest(str(claims.get("nonce")).encode(), nonce.encode()):
            raise SignInRefused("the id token's nonce is not this sign-in's")
        user_id, team_id = claims.get(USER_CLAIM) or claims["sub"], claims.get(TEAM_CLAIM)
        if not isinstance(user_id, str) or not isinstance(team_id, str) or not team_id:
            raise SignInRefused("the id token names no person or no workspace")
        return SlackIdentity(user_id=user_id, slack_team_id=team_id)
