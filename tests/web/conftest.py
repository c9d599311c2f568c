"""The dashboard under test: its Flask app on this test's database, signing in through the fake Slack's
OpenID provider (tests/fake_openid.py)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from pulsebot.config import Settings
from pulsebot.web import create_app

WEB_URL = "https://dashboard.test"
CLIENT_ID = "1234.5678"
CLIENT_SECRET = "test-client-secret"


@pytest.fixture
def web_settings(settings: Settings, fake_slack) -> Settings:
    return settings.model_copy(
        update={
            "web_url": WEB_URL,
            "web_client_id": CLIENT_ID,
            "web_client_secret": SecretStr(CLIENT_SECRET),
            "openid_url": fake_slack.url,
        }
    )


@pytest.fixture
def web_app(web_settings, sessions) -> Flask:
    return create_app(web_settings, sessions)


@pytest.fixture
def visitor(web_app) -> FlaskClient:
    """One visitor: its own cookie jar."""
    return web_app.test_client()
