"""The web dashboard: Flask pages for managers and admins, signed in with Slack, reading the same released
figures as the digests (docs/dashboard.md). Served by `pulsebot web`; never imports pulsebot.slack."""

from pulsebot.web.app import create_app

__all__ = ["create_app"]
