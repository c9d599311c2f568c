"""Slack: the Bolt app, its listeners and the Block Kit it shows. Holds no business rules."""
