"""The read-only API's tokens and figures, and the webhooks told of ideas, shares and actions."""
