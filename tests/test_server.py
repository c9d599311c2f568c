"""The HTTP transport: Slack's endpoint and a health check that tells whether the database answers."""

import urllib.error
import urllib.request

from sqlalchemy import create_engine

from pulsebot.slack.app import create_app
from pulsebot.slack.server import make_http_server, wsgi_app


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_healthz_is_ok_while_the_database_answers(bot_url):
    assert get(f"{bot_url}/healthz") == (200, "ok\n")


def test_healthz_is_503_when_the_database_is_unreachable(settings, sessions, client):
    import threading

    from pulsebot.store.db import database_reachable

    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    app = create_app(settings, sessions=sessions, client=client)
    server = make_http_server(
        wsgi_app(app, healthy=lambda: database_reachable(dead)), host="127.0.0.1", port=0
    )
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        assert get(f"http://127.0.0.1:{server.server_address[1]}/healthz") == (503, "database unreachable\n")
    finally:
        server.shutdown()
        server.server_close()


def test_other_paths_are_404(bot_url):
    assert get(f"{bot_url}/slack/install")[0] == 404
