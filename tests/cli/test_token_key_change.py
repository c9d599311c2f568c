"""Changing PULSEBOT_TOKEN_KEY: with the old key beside the new one every workspace is still served, and
`pulsebot workspace rekey` seals the stored tokens with the new one, so the old one can go."""

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from pulsebot.slack.installations import installation_store
from pulsebot.store.installations import BOTS, INSTALLATIONS, TokenKeyError
from tests.cli.conftest import pulsebot
from tests.installing import ACME, GLOBEX, TOKEN_KEY, TOKENS, oauth_settings

NEW_KEY = Fernet.generate_key().decode()


def sealed_tokens(engine) -> list[str]:
    with engine.connect() as connection:
        return [
            token
            for table in (INSTALLATIONS, BOTS)
            for token in connection.execute(select(table.c.bot_token)).scalars()
        ]


def stored_token(engine, fake_slack, team_id: str, *, key: str, previous: str | None = None) -> str:
    keys = {"token_key": SecretStr(key), "previous_token_key": SecretStr(previous) if previous else None}
    settings = oauth_settings(engine, fake_slack).model_copy(update=keys)
    return installation_store(settings, engine).find_team_bot(team_id).bot_token


def test_a_new_key_takes_over_from_the_old_one(oauth_env, engine, fake_slack):
    before = sealed_tokens(engine)
    assert stored_token(engine, fake_slack, ACME, key=NEW_KEY, previous=TOKEN_KEY) == TOKENS[ACME]

    rekeyed = pulsebot(
        {**oauth_env, "PULSEBOT_TOKEN_KEY": NEW_KEY, "PULSEBOT_PREVIOUS_TOKEN_KEY": TOKEN_KEY},
        "workspace",
        "rekey",
    )

    assert (rekeyed.exit_code, rekeyed.stdout.strip()) == (
        0,
        "sealed 4 stored token(s) again with PULSEBOT_TOKEN_KEY; "
        "PULSEBOT_PREVIOUS_TOKEN_KEY can be removed now",
    )
    after = sealed_tokens(engine)
    assert len(after) == 4 and not set(after) & set(before)
    assert not any("xoxb-" in token for token in after)
    for team_id in (ACME, GLOBEX):
        assert stored_token(engine, fake_slack, team_id, key=NEW_KEY) == TOKENS[team_id]
    with pytest.raises(TokenKeyError):
        stored_token(engine, fake_slack, ACME, key=TOKEN_KEY)


def test_a_new_key_alone_opens_nothing_and_says_how_to_change_keys(oauth_env, engine):
    before = sealed_tokens(engine)

    refused = pulsebot({**oauth_env, "PULSEBOT_TOKEN_KEY": NEW_KEY}, "workspace", "rekey")

    assert refused.exit_code == 1
    assert "set it as PULSEBOT_PREVIOUS_TOKEN_KEY beside the new one" in refused.stderr
    assert sealed_tokens(engine) == before  # nothing half-changed
