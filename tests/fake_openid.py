"""The fake Slack's OpenID Connect provider (Sign in with Slack), for the dashboard's tests.

GET /openid/connect/authorize approves at once as the person set with `sign_in_as` (as Slack would after
they clicked "Allow") and sends the browser back to the redirect URI with a code and the state; the
`openid.connect.token` method trades that code, once, for an id token signed RS256 with a test key; GET
/openid/connect/keys publishes that key (JWKS). A test can spoil the next id tokens: claims changed
(`tamper`), or a signature made with another key under the same key id (`forge`).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://slack.com"
KEY_ID = "pulsebot-test-key"
TOKEN_SECONDS = 300


@cache
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def forger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeOpenID:
    user: tuple[str, str] | None = None  # (user id, team id) the authorize page approves as
    tampered: dict = field(default_factory=dict)  # claims of the next id tokens, changed or (None) removed
    forged: bool = False
    codes: dict[str, dict] = field(default_factory=dict)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sign_in_as(self, user_id: str, team_id: str = "T0ACME") -> None:
        self.user = (user_id, team_id)

    def tamper(self, **claims) -> None:
        """Change (or with None remove) these claims in the id tokens from now on."""
        self.tampered.update(claims)

    def forge(self) -> None:
        """Sign the id tokens from now on with a key that is not Slack's, under Slack's key id."""
        self.forged = True

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(signing_key().public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: str) -> tuple[int, dict[str, str]]:
        """Slack's authorize page, approved at once: (status, headers)."""
        args = dict(parse_qsl(query, keep_blank_values=True))
        if self.user is None or "openid" not in args.get("scope", "").split(","):
            return 400, {}
        code = f"oidc-code-{next(self._counter)}"
        with self._lock:
            self.codes[code] = {
                "user": self.user,
                "nonce": args.get("nonce"),
                "client_id": args.get("client_id"),
                "redirect_uri": args.get("redirect_uri"),
            }
        back = args["redirect_uri"]
        joiner = "&" if urlsplit(back).query else "?"
        return 302, {"Location": back + joiner + urlencode({"code": code, "state": args.get("state", "")})}

    def token(self, args: dict, *, authorization: str | None = None) -> dict:
        """`openid.connect.token`: the code traded once, by the app it was given to, for an id token. The
        app's client id comes in the form or, as slack_sdk sends it, in HTTP Basic authentication."""
        client_id = args.get("client_id")
        if (authorization or "").startswith("Basic "):
            client_id = base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")[0]
        with self._lock:
            grant = self.codes.pop(args.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id:
            return {"ok": False, "error": "invalid_code"}
        if grant["redirect_uri"] != args.get("redirect_uri"):
            return {"ok": False, "error": "bad_redirect_uri"}
        user_id, team_id = grant["user"]
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": user_id,
            "aud": grant["client_id"],
            "exp": now + TOKEN_SECONDS,
            "iat": now,
            "auth_time": now,
            "nonce": grant["nonce"],
            "https://slack.com/user_id": user_id,
            "https://slack.com/team_id": team_id,
        }
        for name, value in self.tampered.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = forger_key() if self.forged else signing_key()
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        return {
            "ok": True,
            "access_token": "xoxp-user-token-not-to-keep",
            "token_type": "Bearer",
            "id_token": id_token,
        }


def answer_get(openid: FakeOpenID, path: str, query: str) -> tuple[int, dict[str, str], bytes]:
    """The fake's GET pages: (status, headers, body)."""
    if path == "/openid/connect/keys":
        return 200, {"Content-Type": "application/json"}, json.dumps(openid.jwks()).encode()
    if path == "/openid/connect/authorize":
        status, headers = openid.authorize(query)
        return status, headers, b"" if status == 302 else b"nobody to sign in as"
    return 404, {"Content-Type": "text/plain"}, b"not found"
