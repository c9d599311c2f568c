"""People's HR attributes for segments: imported from a CSV export or read from Slack profile fields."""
