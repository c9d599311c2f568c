"""The question library shipped with pulsebot (engagement.yml); read by services/survey/library.py."""
