"""Segments: results by department, location, tenure, level and reporting line, without exposing anyone."""
