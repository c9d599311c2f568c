"""Keeping and forgetting: tokens, retention, forget-me, the audit log, roles, seen requests."""
