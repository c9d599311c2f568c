"""Segments: results by department, location, tenure, level and reporting line, never exposing a person."""
