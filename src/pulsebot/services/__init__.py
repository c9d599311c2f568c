"""The domain: plain values and a session in, plain values out. Never imports Slack."""
