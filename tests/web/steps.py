"""What a person does on the dashboard in the test client's visitor: sign in with Slack, open a page,
send a form."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.fake_slack import FakeSlack
from tests.web.conftest import WEB_URL

COOKIE = "__Host-pulsebot"


def follow_slack(location: str) -> str:
    """Open Slack's authorize page (the fake's) as the visitor would; where it sends the visitor back."""
    parts = urlsplit(location)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 302, answer.status
    return answer.getheader("Location")


def callback_path(url: str) -> str:
    assert url.startswith(WEB_URL + "/"), url
    return url.removeprefix(WEB_URL)


def sign_in(visitor: FlaskClient, fake_slack: FakeSlack, user: str, team: str = "T0ACME"):
    """Sign in with Slack as `user` of `team`, all the way; the callback's answer."""
    fake_slack.openid.sign_in_as(user, team)
    start = visitor.get("/auth/slack/start")
    assert start.status_code == 302, start.status_code
    return visitor.get(callback_path(follow_slack(start.headers["Location"])))


def session_cookie(visitor: FlaskClient) -> str | None:
    cookie = visitor.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def csrf_token(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)
