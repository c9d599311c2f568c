"""Signing in to the web dashboard: what a person may see there, their sessions, the workspaces served."""
