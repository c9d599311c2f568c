"""pulsebot: continuous employee feedback for Slack."""

__version__ = "0.1.0"
