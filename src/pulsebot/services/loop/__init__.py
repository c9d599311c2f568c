"""Closing the loop on pulse results: results shared with the team, action plans with owners and dates,
"Is this helping?", and the monthly "You said, we did"."""
