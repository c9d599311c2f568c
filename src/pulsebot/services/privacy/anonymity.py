"""Pseudonymous tokens: HMAC(key, purpose, person, scope).

The database holds the token, never the person, so the stored data alone cannot join an answer
or a vote to a Slack user; only a process holding PULSEBOT_ANON_KEY can recompute a token, and it
does so only to answer "has this person already answered/voted?".

Answer tokens also need their run's key material (`run_secret`), which is destroyed a while after the
run closes: after that the key alone no longer recomputes them (services/pulse/answer_keys.py).
"""

import hashlib
import hmac
import secrets

SECRET_BYTES = 32


def token(key: bytes, purpose: str, user_id: str, scope: object = "") -> str:
    message = f"{purpose}\x1f{user_id}\x1f{scope}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_run_secret() -> str:
    """32 random bytes, as hex: stored as text, since no column of pulsebot's holds binary data."""
    return secrets.token_hex(SECRET_BYTES)


def answer_token(key: bytes, secret: str, *, run_id: int, user_id: str) -> str:
    """The respondent token of one person in one run: needs both the deployment's key and the run's."""
    return _with_secret(key, secret, scope=f"answer-run-key\x1f{run_id}", user_id=user_id)


def helping_token(key: bytes, secret: str, *, check_id: int, user_id: str) -> str:
    """One person's token in a round of "Is this helping?" (services/loop/helping.py): needs the
    deployment's key and the round's own key material, which is deleted when the round closes."""
    return _with_secret(key, secret, scope=f"helping\x1f{check_id}", user_id=user_id)


def onboarding_token(key: bytes, secret: str, *, cohort_id: int, milestone: int, user_id: str) -> str:
    """A new joiner's token for one milestone of their cohort (services/onboarding/onboarding.py): needs
    the cohort's key material, deleted when the cohort's figures are released."""
    return _with_secret(key, secret, scope=f"onboarding\x1f{cohort_id}\x1f{milestone}", user_id=user_id)


def _with_secret(key: bytes, secret: str, *, scope: str, user_id: str) -> str:
    scope_key = hmac.new(key, f"{scope}\x1f{secret}".encode(), hashlib.sha256).digest()
    return hmac.new(scope_key, f"answer\x1f{user_id}".encode(), hashlib.sha256).hexdigest()
