"""Pseudonymous tokens: HMAC(key, purpose, person, scope).

The database holds the token, never the person, so the stored data alone cannot join an answer
or a vote to a Slack user; only a process holding PULSEBOT_ANON_KEY can recompute a token, and it
does so only to answer "has this person already answered/voted?".
"""

import hashlib
import hmac


def token(key: bytes, purpose: str, user_id: str, scope: object = "") -> str:
    message = f"{purpose}\x1f{user_id}\x1f{scope}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
