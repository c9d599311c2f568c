"""Pulse runs: opening them, the answers (checked, mixed, written), their keys, reminders, closing."""
