"""Surveys: their YAML, the question library and its rotation, schedules, who is asked."""
